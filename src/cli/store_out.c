/*
 * store_out.c — what the feature store's commands share: opening the repository named by --repo
 * and printing a result (a feature set, a listing) the way `sbd query` does: -o FILE writes it
 * atomically in the format of FILE's extension (or --format), otherwise a table on a terminal and
 * CSV in a pipe, or the --format asked for.
 */
#include "cli/cli_int.h"
#include "io/io_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int cli_open_repo(sbd_ctx *ctx, const cli_args *args, sbd_repo **out) {
  sbd_status st = SBD_OK;
  if (args->threads >= 0)
    st = sbd_ctx_set_threads(ctx, args->threads);
  if (st == SBD_OK)
    st = sbd_repo_open(ctx, args->repo, out);
  return st == SBD_OK ? CLI_EXIT_OK : cli_fail(args->cmd, ctx, st);
}

static const char *const formats[] = {"table", "csv", "jsonl", "parquet"};

/* The result's format: --format (checked), else by -o FILE's extension, else table on a terminal
 * and CSV otherwise. */
int cli_result_format(const cli_args *args, const char **format) {
  *format = NULL;
  const char *f = args->query_format;
  if (f) {
    int known = -1;
    for (int i = 0; i < (int)(sizeof(formats) / sizeof(formats[0])); i++)
      if (strcmp(f, formats[i]) == 0)
        known = i;
    if (known < 0) {
      const char *near = sbd_closest(f, formats, (int)(sizeof(formats) / sizeof(formats[0])));
      if (near)
        return cli_usage_error(args->cmd, "--format: unknown format '%s' (did you mean '%s'?)", f,
                               near);
      return cli_usage_error(
          args->cmd, "--format: unknown format '%s' (formats: table, csv, jsonl, parquet)", f);
    }
    f = formats[known];
  } else if (args->output_path) {
    sbd_options *none = sbd_options_new();
    if (!none)
      return cli_out_of_memory();
    unsigned bit = cli_format_bit(io_format_of(none, args->output_path));
    sbd_options_free(none);
    if (!bit)
      return cli_usage_error(args->cmd,
                             "%s: cannot tell the output format from the name; use --format "
                             "csv, jsonl or parquet",
                             args->output_path);
    f = bit == CLI_FMT_CSV ? "csv" : bit == CLI_FMT_JSONL ? "jsonl" : "parquet";
  } else {
    f = isatty(STDOUT_FILENO) == 1 ? "table" : "csv";
  }
  if (strcmp(f, "table") == 0 && args->output_path)
    return cli_usage_error(args->cmd, "--format table prints to the terminal; write FILE as csv, "
                                      "jsonl or parquet");
  if (strcmp(f, "parquet") == 0 && !args->output_path && isatty(STDOUT_FILENO) == 1)
    return cli_usage_error(args->cmd, "standard output is a terminal: Parquet is binary; write it "
                                      "with -o FILE or to a pipe");
  *format = f;
  return CLI_EXIT_OK;
}

int cli_emit_result(sbd_ctx *ctx, const cli_args *args, sbd_reader *result) {
  const char *format = "csv";
  int code = cli_result_format(args, &format);
  if (code != CLI_EXIT_OK) {
    sbd_reader_close(result);
    return code;
  }
  bool table = strcmp(format, "table") == 0;
  const char *path = args->output_path ? args->output_path : "-";
  bool to_stdout = strcmp(path, "-") == 0;
  cli_table *t = NULL;
  sbd_writer *writer = NULL;
  bool out_of_memory = false;
  sbd_status st;
  if (table) {
    t = cli_table_for_schema(sbd_reader_schema(result));
    out_of_memory = !t;
    st = t ? SBD_OK : SBD_ENOMEM;
  } else {
    sbd_options *opts = sbd_options_new();
    st = opts ? sbd_options_set(opts, "format", format) : SBD_ENOMEM;
    out_of_memory = st != SBD_OK;
    if (st == SBD_OK)
      st = sbd_writer_open(ctx, path, sbd_reader_schema(result), opts, &writer);
    sbd_options_free(opts);
  }
  while (st == SBD_OK) {
    sbd_batch *b;
    st = sbd_reader_next(result, &b);
    if (st != SBD_OK || !b)
      break;
    if (t) {
      st = cli_table_add_batch(t, ctx, b);
      out_of_memory = st != SBD_OK;
    } else {
      st = sbd_writer_write(writer, b);
    }
    sbd_batch_free(b);
  }
  if (writer) {
    if (st == SBD_OK)
      st = sbd_writer_close(writer);
    else
      sbd_writer_abort(writer);
  }
  if (st == SBD_OK && t)
    cli_table_print(t, stdout, cli_terminal_width());
  else if (out_of_memory)
    code = cli_out_of_memory();
  else if (st != SBD_OK && !(st == SBD_EIO && to_stdout && cli_stdout_closed()))
    code = cli_fail(args->cmd, ctx, st);
  if (args->stats && code == CLI_EXIT_OK) { /* sbd query --stats */
    sbd_scan_stats ss;
    sbd_query_scan_stats(result, &ss);
    fprintf(stderr,
            "stats: row groups read %lld, skipped %lld; partition files read %lld, skipped %lld\n",
            (long long)ss.row_groups_read, (long long)ss.row_groups_skipped,
            (long long)ss.files_read, (long long)ss.files_skipped);
  }
  cli_table_free(t);
  sbd_reader_close(result);
  return code;
}
