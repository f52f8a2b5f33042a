/*
 * cmd_head.c — `sbd head FILE... [-n N]`: the first N rows (default 10) of the files read as one
 * stream. On a terminal: an aligned table with the column types. Otherwise: CSV written by the
 * library's CSV writer on standard output, so quoting and the spelling of values are those of
 * `sbd convert`, and `sbd head x.jsonl > y.csv` works. Reading stops once N rows are read. The
 * reader converts whole chunks, so a bad record just past row N may still be reported; one far
 * beyond is never read.
 */
#include "cli/cli_int.h"

#include <stdlib.h>

/* Where the rows go: the CSV writer or a table. The table is the command's own memory, so its
 * allocation failures are flagged here rather than as a message on the context. */
typedef struct head_sink {
  sbd_writer *writer;
  cli_table *table;
  bool out_of_memory;
} head_sink;

static sbd_status sink_open(sbd_ctx *ctx, const sbd_schema *schema, bool table, head_sink *s) {
  if (table) {
    s->table = cli_table_for_schema(schema);
    s->out_of_memory = !s->table;
    return s->table ? SBD_OK : SBD_ENOMEM;
  }
  sbd_options *opts = sbd_options_new();
  sbd_status st = opts ? sbd_options_set(opts, "format", "csv") : SBD_ENOMEM;
  s->out_of_memory = st != SBD_OK;
  if (st == SBD_OK)
    st = sbd_writer_open(ctx, "-", schema, opts, &s->writer);
  sbd_options_free(opts);
  return st;
}

static sbd_status sink_write(sbd_ctx *ctx, head_sink *s, const sbd_batch *b) {
  if (!s->table)
    return sbd_writer_write(s->writer, b);
  sbd_status st = cli_table_add_batch(s->table, ctx, b);
  s->out_of_memory = st != SBD_OK;
  return st;
}

static int run_head(sbd_ctx *ctx, const cli_args *args) {
  if (args->npaths < 1)
    return cli_usage_error(args->cmd, "head needs at least one FILE");
  sbd_reader *reader;
  int code = cli_open_reader(ctx, args, args->npaths, &reader);
  if (code != CLI_EXIT_OK)
    return code;
  head_sink sink = {0};
  sbd_status st = sink_open(ctx, sbd_reader_schema(reader), cli_wants_table(args), &sink);
  cli_progress progress;
  cli_progress_begin(&progress, sink.writer != NULL);
  int64_t rows = 0;
  while (st == SBD_OK && rows < args->rows) {
    sbd_batch *b;
    st = sbd_reader_next(reader, &b);
    if (st != SBD_OK || !b)
      break;
    int64_t n = sbd_batch_nrows(b);
    if (n > args->rows - rows) {
      sbd_batch *first;
      n = args->rows - rows;
      st = sbd_batch_slice(ctx, b, 0, n, &first);
      sbd_batch_free(b);
      b = first;
    }
    if (st == SBD_OK)
      st = sink_write(ctx, &sink, b);
    sbd_batch_free(b);
    rows += n;
    cli_progress_update(&progress, reader, rows);
  }
  cli_progress_end(&progress);
  bool to_stdout = sink.writer != NULL;
  if (sink.writer) {
    if (st == SBD_OK)
      st = sbd_writer_close(sink.writer);
    else
      sbd_writer_abort(sink.writer);
  }
  if (st == SBD_OK && sink.table)
    cli_table_print(sink.table, stdout, cli_terminal_width());
  else if (sink.out_of_memory)
    code = cli_out_of_memory();
  else if (st != SBD_OK && !(st == SBD_EIO && to_stdout && cli_stdout_closed()))
    code = cli_fail(args->cmd, ctx, st);
  cli_table_free(sink.table);
  int64_t rejected = sbd_reader_rejected(reader);
  sbd_reader_close(reader);
  cli_report_rejects(rejected, sbd_options_get(args->read_opts, "rejects"));
  return code;
}

const cli_command cli_cmd_head = {
    "head",
    "print the first rows of files",
    "sbd head FILE... [-n N] [FLAGS]",
    "Prints the first N rows (default 10) of the files, read as one stream.\n"
    "On a terminal they are shown as a table under the column names and types:\n"
    "values longer than 32 characters are cut with '…', NULL is shown as NULL,\n"
    "numbers are right-aligned, and columns that do not fit the terminal's width\n"
    "are left out (a last line says how many). Otherwise the rows are written as\n"
    "CSV with a header, so 'sbd head data.jsonl > first.csv' works.",
    CLI_FLAGS_READ | CLI_FLAGS_OUTPUT | CLI_FLAGS_ROWS,
    run_head,
};
