/*
 * cmd_export_ddl.c — `sbd export-ddl --engine athena|trino|spark|duckdb [--location URL]
 * [--database DB]`: prints the statements registering the store's groups in another engine.
 */
#include "cli/cli_int.h"

static int run_export_ddl(sbd_ctx *ctx, const cli_args *args) {
  if (args->npaths)
    return cli_usage_error(args->cmd, "export-ddl takes no argument");
  if (!args->engine)
    return cli_usage_error(args->cmd, "export-ddl needs --engine athena, trino, spark or duckdb");
  sbd_repo *repo;
  int code = cli_open_repo(ctx, args, &repo);
  if (code != CLI_EXIT_OK)
    return code;
  char *text = NULL;
  sbd_status st = sbd_repo_export_ddl(repo, args->engine, args->location, args->database, &text);
  if (st != SBD_OK)
    code = cli_fail(args->cmd, ctx, st);
  else
    fputs(text, stdout);
  sbd_free(text);
  sbd_repo_close(repo);
  return code;
}

const cli_command cli_cmd_export_ddl = {
    "export-ddl",
    "print DDL registering the store in Athena, Trino, Spark or DuckDB",
    "sbd export-ddl --engine athena|trino|spark|duckdb [--location URL] [--database DB]",
    "Prints the statements that register every group with a version as a table\n"
    "of its Parquet files (all versions; 'version' is a partition column), with\n"
    "the columns of the latest version typed the way the engine reads them.\n"
    "--location is where that engine finds the store (s3://bucket/store); by\n"
    "default the store's absolute path.",
    CLI_FLAGS_DDL | CLI_FLAGS_REPO,
    run_export_ddl,
};
