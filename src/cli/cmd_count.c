/*
 * cmd_count.c — `sbd count FILE...`: the number of rows. Several files are one stream and give
 * one number, their total.
 *
 * Where every file records its number of rows (Parquet footers), that is the answer
 * (sbd_row_count): no data page is read, and the columns do not matter (a file with a LIST column
 * is counted too). Otherwise (CSV, JSON Lines, or a mix with them) every record is read and every
 * value converted to its column's type, so a count that succeeds also says the files are well
 * formed.
 */
#include "cli/cli_int.h"

static int run_count(sbd_ctx *ctx, const cli_args *args) {
  if (args->npaths < 1)
    return cli_usage_error(args->cmd, "count needs at least one FILE");
  int code = cli_check_inputs(args, args->npaths);
  if (code != CLI_EXIT_OK)
    return code;
  int64_t known;
  sbd_status st = sbd_row_count(ctx, args->paths, args->npaths, args->read_opts, &known);
  if (st != SBD_OK)
    return cli_fail(args->cmd, ctx, st);
  if (known >= 0) {
    printf("%lld\n", (long long)known);
    return CLI_EXIT_OK;
  }
  sbd_reader *reader;
  code = cli_open_reader(ctx, args, args->npaths, &reader);
  if (code != CLI_EXIT_OK)
    return code;
  cli_progress progress;
  cli_progress_begin(&progress, false);
  int64_t rows = 0;
  for (;;) {
    sbd_batch *b;
    st = sbd_reader_next(reader, &b);
    if (st != SBD_OK || !b)
      break;
    rows += sbd_batch_nrows(b);
    sbd_batch_free(b);
    cli_progress_update(&progress, reader, rows);
  }
  cli_progress_end(&progress);
  if (st == SBD_OK)
    printf("%lld\n", (long long)rows);
  else
    code = cli_fail(args->cmd, ctx, st);
  int64_t rejected = sbd_reader_rejected(reader);
  sbd_reader_close(reader);
  cli_report_rejects(rejected, sbd_options_get(args->read_opts, "rejects"));
  return code;
}

const cli_command cli_cmd_count = {
    "count",
    "count the rows of files",
    "sbd count FILE... [FLAGS]",
    "Prints the number of rows. CSV and JSON Lines files are read whole and every\n"
    "value converted to its column's type, so a count that succeeds also checks\n"
    "them: the first bad record is reported with its file and line (with\n"
    "--on-error skip, bad records are left out and counted on stderr). Parquet\n"
    "files are counted from their footers alone, without reading their data.\n"
    "Several files are read as one stream and give one number, their total; they\n"
    "must have the same column names.",
    CLI_FLAGS_READ,
    run_count,
};
