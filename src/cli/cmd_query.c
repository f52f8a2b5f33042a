/*
 * cmd_query.c — `sbd query SQL | -f FILE [-o FILE] [--format table|csv|jsonl|parquet]
 * [--threads N] [--timer]`: runs a SQL script (docs/sql.md): one or more statements separated by
 * ';', queries and CREATE TABLE / DROP TABLE, in order, in one session, so a table one statement
 * creates in memory is there for the next. Each query's result is printed in turn. Without -o a
 * result goes to standard output: a table on a terminal, CSV in a pipe (as `sbd head` does; a
 * reader that closes the pipe early ends the query quietly), or the --format asked for. With -o
 * the script may hold one query, whose result is written through the library's writer under a
 * temporary name and renamed into place only when the whole query succeeded, so a failed query
 * leaves an existing FILE as it was.
 *
 * The whole script is parsed before any statement runs (a syntax error runs nothing); a statement
 * that fails stops the script, after the output of those before it, and the exit code is 1.
 */
#include "cli/cli_int.h"
#include "io/io_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* The most bytes of a script read from -f (the parser's own cap). */
#define SCRIPT_MAX_BYTES (64u << 20)

/* Reads the script of -f path ("-": standard input) into *text (malloc'd, NUL-terminated). */
static int read_script(const cli_args *args, char **text) {
  const char *path = args->script_path;
  bool in = strcmp(path, "-") == 0;
  FILE *f = in ? stdin : fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "sbd: %s: cannot open the script: %s\n", path, strerror(errno));
    return CLI_EXIT_FAIL;
  }
  size_t len = 0, cap = 4096;
  char *buf = malloc(cap);
  int code = buf ? CLI_EXIT_OK : cli_out_of_memory();
  while (code == CLI_EXIT_OK) {
    if (len + 1 == cap) {
      if (cap > SCRIPT_MAX_BYTES) {
        fprintf(stderr, "sbd: %s: the script is over the limit of %u bytes\n", path,
                SCRIPT_MAX_BYTES);
        code = CLI_EXIT_FAIL;
        break;
      }
      char *nb = realloc(buf, cap * 2);
      if (!nb) {
        code = cli_out_of_memory();
        break;
      }
      buf = nb;
      cap *= 2;
    }
    size_t n = fread(buf + len, 1, cap - 1 - len, f);
    len += n;
    if (n == 0) {
      if (ferror(f)) {
        fprintf(stderr, "sbd: %s: cannot read the script: %s\n", path, strerror(errno));
        code = CLI_EXIT_FAIL;
      }
      break;
    }
  }
  if (!in)
    fclose(f);
  if (code != CLI_EXIT_OK) {
    free(buf);
    return code;
  }
  if (memchr(buf, 0, len)) {
    free(buf);
    fprintf(stderr, "sbd: %s: the script holds a NUL byte (is it a text file?)\n", path);
    return CLI_EXIT_FAIL;
  }
  buf[len] = 0;
  *text = buf;
  return CLI_EXIT_OK;
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int run_script(sbd_ctx *ctx, const cli_args *args, const char *sql) {
  sbd_script *script = NULL;
  sbd_status st;
  /* In a feature repository, its sources and groups are tables too (docs/store.md). The
   * script does not need the repository once parsed. */
  if (access("sbd.yaml", F_OK) == 0) {
    sbd_repo *repo = NULL;
    st = sbd_repo_open(ctx, NULL, &repo);
    if (st == SBD_OK)
      st = sbd_repo_script_open(repo, sql, &script);
    sbd_repo_close(repo);
  } else {
    st = sbd_script_open(ctx, sql, &script);
  }
  if (st != SBD_OK)
    return cli_fail(args->cmd, ctx, st);
  int n = sbd_script_count(script), nqueries = 0;
  for (int i = 0; i < n; i++)
    nqueries += sbd_script_is_query(script, i);
  if (args->output_path && nqueries > 1) {
    sbd_script_close(script);
    return cli_usage_error(args->cmd,
                           "-o writes one result, but the script has %d queries (make the "
                           "others CREATE TABLE, or drop -o)",
                           nqueries);
  }
  int code = CLI_EXIT_OK;
  for (int i = 0; i < n && code == CLI_EXIT_OK; i++) {
    double t0 = now_s();
    sbd_reader *result = NULL;
    st = sbd_script_run(script, i, &result);
    if (st != SBD_OK)
      code = cli_fail(args->cmd, ctx, st);
    else if (result)
      code = cli_emit_result(ctx, args, result);
    fflush(stdout);
    if (args->timer && code == CLI_EXIT_OK)
      fprintf(stderr, "Run Time: %.3f s\n", now_s() - t0);
  }
  sbd_script_close(script);
  return code;
}

static int run_query(sbd_ctx *ctx, const cli_args *args) {
  if (args->script_path && args->npaths > 0)
    return cli_usage_error(args->cmd, "query takes the SQL either as an argument or from -f FILE, "
                                      "not both");
  if (!args->script_path && args->npaths != 1)
    return cli_usage_error(args->cmd, args->npaths == 0
                                          ? "query needs the SQL text, in quotes (or -f FILE)"
                                          : "query takes one SQL text: quote the whole query");
  const char *format;
  int code = cli_result_format(args, &format);
  if (code != CLI_EXIT_OK)
    return code;
  if (args->threads >= 0) {
    sbd_status st = sbd_ctx_set_threads(ctx, args->threads);
    if (st != SBD_OK)
      return cli_fail(args->cmd, ctx, st);
  }
  if (!args->script_path)
    return run_script(ctx, args, args->paths[0]);
  char *text = NULL;
  code = read_script(args, &text);
  if (code == CLI_EXIT_OK)
    code = run_script(ctx, args, text);
  free(text);
  return code;
}

const cli_command cli_cmd_query = {
    "query",
    "run a SQL query over files",
    "sbd query SQL | -f FILE [-o FILE] [--format table|csv|jsonl|parquet] [--threads N] "
    "[--timer] [--stats]",
    "Runs SQL (see docs/sql.md) over files named in it as strings or with the\n"
    "reader functions, and prints the result: a table on a terminal, CSV\n"
    "otherwise, or the --format asked for.\n"
    "    sbd query \"SELECT id1, sum(v1) AS v1 FROM 'lake/*.parquet' GROUP BY id1\"\n"
    "    sbd query \"SELECT * FROM read_csv('x.txt', delim = ';') LIMIT 5\"\n"
    "The SQL may be a script of statements separated by ';' (or read from -f\n"
    "FILE, - for standard input): CREATE [OR REPLACE] TABLE name AS query keeps\n"
    "a result in memory for the later statements, DROP TABLE [IF EXISTS] name\n"
    "removes one, and each query's result is printed in turn.\n"
    "    sbd query \"CREATE TABLE x AS SELECT * FROM 'g.csv'; SELECT count(*) FROM x\"\n"
    "A failing statement stops the script (exit code 1) after the output of those\n"
    "before it. --timer prints each statement's wall time on standard error.\n"
    "With -o FILE the result (of the script's one query) is written to FILE in the\n"
    "format of its extension (or --format) under a temporary name, renamed into\n"
    "place only when the whole query succeeded. --stats prints on standard error\n"
    "how many Parquet row groups and partition files the WHERE let the scans\n"
    "skip. In a feature repository (a folder with sbd.yaml) its sources and\n"
    "groups are tables: FROM customer reads the group's latest version, FROM\n"
    "customer@3 its version 3.",
    CLI_FLAGS_QUERY | CLI_FLAGS_STATS | CLI_FLAGS_FILE,
    run_query,
};
