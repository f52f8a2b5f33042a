/*
 * cmd_convert.c — `sbd convert INPUT... OUTPUT`: reads the inputs as one stream and writes them
 * to OUTPUT in the format of its extension (or --output-format). The output is written under a
 * temporary name and renamed into place only when everything succeeded; on any error (or a
 * signal) it is removed, so OUTPUT is either the whole new file or whatever was there before.
 * The writing flags (--compression, --output-delim, ...) go to the writer as its options, after
 * a check that they apply to OUTPUT's format.
 * With --on-error skip the records left out go to OUTPUT.rejects unless --rejects says otherwise.
 */
#include "cli/cli_int.h"
#include "io/io_int.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Checks the output format, and that the writing flags apply to it, before any input is read.
 * Binary output (Parquet) is not written to a terminal. */
static int check_output(const cli_args *args, const char *output) {
  const char *format = io_format_of(args->write_opts, output);
  bool to_stdout = strcmp(output, "-") == 0;
  if (!format && to_stdout)
    return cli_usage_error(args->cmd, "standard output: say its format with --output-format csv, "
                                      "jsonl or parquet");
  if (!format)
    return cli_usage_error(args->cmd,
                           "%s: cannot tell the output format from the name; use --output-format "
                           "csv, jsonl or parquet",
                           output);
  if (to_stdout && cli_format_bit(format) == CLI_FMT_PARQUET && isatty(STDOUT_FILENO) == 1)
    return cli_usage_error(args->cmd, "standard output is a terminal: Parquet is binary; write it "
                                      "to a file or a pipe");
  return cli_check_flag_formats(args, CLI_FLAGS_WRITE, output, format);
}

/* With --on-error skip and no --rejects, the rejects go beside the output. False when out of
 * memory. */
static bool default_rejects(const cli_args *args, const char *output) {
  const char *mode = sbd_options_get(args->read_opts, "on_error");
  if (!mode || strcmp(mode, "skip") != 0 || sbd_options_get(args->read_opts, "rejects") ||
      strcmp(output, "-") == 0)
    return true;
  size_t n = strlen(output);
  char *path = malloc(n + sizeof(".rejects"));
  if (!path)
    return false;
  memcpy(path, output, n);
  memcpy(path + n, ".rejects", sizeof(".rejects"));
  sbd_status st = sbd_options_set(args->read_opts, "rejects", path);
  free(path);
  return st == SBD_OK;
}

static sbd_status copy_rows(sbd_reader *reader, sbd_writer *writer, bool to_stdout) {
  cli_progress progress;
  cli_progress_begin(&progress, to_stdout);
  int64_t rows = 0;
  sbd_status st;
  for (;;) {
    sbd_batch *b;
    st = sbd_reader_next(reader, &b);
    if (st != SBD_OK || !b)
      break;
    rows += sbd_batch_nrows(b);
    st = sbd_writer_write(writer, b);
    sbd_batch_free(b);
    if (st != SBD_OK)
      break;
    cli_progress_update(&progress, reader, rows);
  }
  cli_progress_end(&progress);
  return st;
}

static int run_convert(sbd_ctx *ctx, const cli_args *args) {
  if (args->npaths < 2)
    return cli_usage_error(args->cmd, "convert needs at least one INPUT and an OUTPUT");
  const char *output = args->paths[args->npaths - 1];
  int code = check_output(args, output);
  if (code != CLI_EXIT_OK)
    return code;
  if (!default_rejects(args, output))
    return cli_out_of_memory();
  bool to_stdout = strcmp(output, "-") == 0;
  sbd_reader *reader = NULL;
  sbd_writer *writer = NULL;
  code = cli_open_reader(ctx, args, args->npaths - 1, &reader);
  if (code != CLI_EXIT_OK)
    return code;
  sbd_status st =
      sbd_writer_open(ctx, output, sbd_reader_schema(reader), args->write_opts, &writer);
  if (st == SBD_OK)
    st = copy_rows(reader, writer, to_stdout);
  if (writer) {
    if (st == SBD_OK)
      st = sbd_writer_close(writer);
    else
      sbd_writer_abort(writer);
  }
  if (st != SBD_OK && !(st == SBD_EIO && to_stdout && cli_stdout_closed()))
    code = cli_fail(args->cmd, ctx, st);
  int64_t rejected = sbd_reader_rejected(reader);
  sbd_reader_close(reader);
  cli_report_rejects(rejected, sbd_options_get(args->read_opts, "rejects"));
  return code;
}

const cli_command cli_cmd_convert = {
    "convert",
    "convert files to CSV, JSON Lines or Parquet",
    "sbd convert INPUT... OUTPUT [FLAGS]",
    "Reads the INPUTs as one stream (they must have the same column names) and\n"
    "writes them to OUTPUT, in the format of its extension (.csv, .tsv, .jsonl,\n"
    ".ndjson, .json, .parquet) or of --output-format; --format names the inputs'\n"
    "format. INPUTs may be globs, quoted so that sbd expands them:\n"
    "    sbd convert 'raw/*.jsonl' all.csv\n"
    "    sbd convert 'raw/*.csv' lake/orders.parquet --compression zstd\n"
    "OUTPUT - is standard output. OUTPUT is written under a temporary name and\n"
    "renamed into place only when all went well: after an error or an interrupt\n"
    "an existing OUTPUT is left as it was. With --on-error skip the records left\n"
    "out are written to OUTPUT.rejects (or to the --rejects FILE; --rejects ''\n"
    "writes none) and their number is printed on stderr.",
    CLI_FLAGS_READ | CLI_FLAGS_WRITE,
    run_convert,
};
