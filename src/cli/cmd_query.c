/*
 * cmd_query.c — `sbd query SQL [-o FILE] [--format table|csv|jsonl|parquet] [--threads N]`: runs
 * one query (docs/sql.md) and prints or writes its result. Without -o the result goes to standard
 * output: a table on a terminal, CSV in a pipe (as `sbd head` does; a reader that closes the pipe
 * early ends the query quietly), or the --format asked for. With -o it is written through the
 * library's writer under a temporary name and renamed into place only when the whole query
 * succeeded, so a failed query leaves an existing FILE as it was.
 */
#include "cli/cli_int.h"
#include "io/io_int.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int run_query(sbd_ctx *ctx, const cli_args *args) {
  if (args->npaths != 1)
    return cli_usage_error(args->cmd, args->npaths == 0
                                          ? "query needs the SQL text, in quotes"
                                          : "query takes one SQL text: quote the whole query");
  const char *format;
  int code = cli_result_format(args, &format);
  if (code != CLI_EXIT_OK)
    return code;
  sbd_status st = SBD_OK;
  if (args->threads >= 0)
    st = sbd_ctx_set_threads(ctx, args->threads);
  sbd_reader *result = NULL;
  /* In a feature repository, its sources and groups are tables too (docs/store.md). The
   * query does not need the repository once planned. */
  if (st == SBD_OK && access("sbd.yaml", F_OK) == 0) {
    sbd_repo *repo = NULL;
    st = sbd_repo_open(ctx, NULL, &repo);
    if (st == SBD_OK)
      st = sbd_repo_query(repo, args->paths[0], &result);
    sbd_repo_close(repo);
  } else if (st == SBD_OK) {
    st = sbd_query(ctx, args->paths[0], &result);
  }
  if (st != SBD_OK)
    return cli_fail(args->cmd, ctx, st);
  return cli_emit_result(ctx, args, result);
}

const cli_command cli_cmd_query = {
    "query",
    "run a SQL query over files",
    "sbd query SQL [-o FILE] [--format table|csv|jsonl|parquet] [--threads N] [--stats]",
    "Runs one SQL query (see docs/sql.md) over files named in it as strings or\n"
    "with the reader functions, and prints the result: a table on a terminal,\n"
    "CSV otherwise, or the --format asked for.\n"
    "    sbd query \"SELECT id1, sum(v1) AS v1 FROM 'lake/*.parquet' GROUP BY id1\"\n"
    "    sbd query \"SELECT * FROM read_csv('x.txt', delim = ';') LIMIT 5\"\n"
    "With -o FILE the result is written to FILE in the format of its extension\n"
    "(or --format) under a temporary name, renamed into place only when the whole\n"
    "query succeeded. --stats prints on standard error how many Parquet row\n"
    "groups and partition files the WHERE let the scans skip. In a feature\n"
    "repository (a folder with sbd.yaml) its sources and groups are tables:\n"
    "FROM customer reads the group's latest version, FROM customer@3 its version 3.",
    CLI_FLAGS_QUERY | CLI_FLAGS_STATS,
    run_query,
};
