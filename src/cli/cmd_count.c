/*
 * cmd_count.c — `sbd count FILE...`: the number of rows. Every record is read and every value
 * converted to its column's type, so a count that succeeds also says the files are well formed.
 * Several files are one stream and give one number, their total.
 */
#include "cli/cli_int.h"

static int run_count(sbd_ctx *ctx, const cli_args *args) {
  if (args->npaths < 1)
    return cli_usage_error(args->cmd, "count needs at least one FILE");
  sbd_reader *reader;
  sbd_status st = cli_open_reader(ctx, args, args->npaths, &reader);
  if (st != SBD_OK)
    return cli_fail(args->cmd, ctx, st);
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
  int code = CLI_EXIT_OK;
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
    "count the rows of files, checking every value",
    "sbd count FILE... [FLAGS]",
    "Prints the number of rows. Every record is read and every value converted to\n"
    "its column's type, so a count that succeeds also checks the files: the first\n"
    "bad record is reported with its file and line (with --on-error skip, bad\n"
    "records are left out and counted on stderr). Several files are read as one\n"
    "stream and give one number, their total; they must have the same column\n"
    "names.",
    CLI_FLAGS_READ,
    run_count,
};
