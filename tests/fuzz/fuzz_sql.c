/*
 * fuzz_sql.c — libFuzzer target for the SQL parser, fed as a script (statements separated by ';':
 * queries, CREATE TABLE, DROP TABLE). Any input must either parse, or fail with a status and a
 * message in the parser's format ("SQL: ..." and the caret lines). When it parses, the canonical
 * text must parse again into as many statements and print identically: the round trip that the
 * printer and the parser promise each other (sql_int.h). A violation aborts, which libFuzzer and
 * the replayer report.
 */
#include "sql/sql_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static sbd_ctx *ctx;

static void check_error(sbd_status st) {
  const char *msg = sbd_errmsg(ctx);
  if (st != SBD_EINPUT && st != SBD_ELIMIT && st != SBD_EUNSUPPORTED) {
    fprintf(stderr, "unexpected status %d: %s\n", (int)st, msg);
    abort();
  }
  /* "SQL: message\n  line\n  caret", the caret line ending in '^'. */
  const char *nl = strchr(msg, '\n');
  const char *last = strrchr(msg, '\n');
  if (strncmp(msg, "SQL: ", 5) != 0 || !nl || nl == last || msg[strlen(msg) - 1] != '^') {
    fprintf(stderr, "malformed message: %s\n", msg);
    abort();
  }
}

/* Offsets must lie inside the text. */
static void check_spans(const sql_stmt *st) {
  const sql_query *q = st->query;
  if (st->off > st->end || st->end > st->sql_len) {
    fprintf(stderr, "statement span [%u, %u) outside the text of %zu bytes\n", st->off, st->end,
            st->sql_len);
    abort();
  }
  if (q && (q->off > q->end || q->end > st->sql_len)) {
    fprintf(stderr, "query span [%u, %u) outside the text of %zu bytes\n", q->off, q->end,
            st->sql_len);
    abort();
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > 100000)
    return 0;
  if (!ctx)
    ctx = sbd_ctx_new();
  char *sql = malloc(size + 1);
  if (!sql || !ctx)
    abort();
  memcpy(sql, data, size);
  sql[size] = 0;

  arena a1, a2;
  arena_init(&a1, 0);
  arena_init(&a2, 0);
  sql_buf b1 = {0}, b2 = {0};
  /* A script: one statement or several (queries, CREATE TABLE, DROP TABLE). */
  sql_script *sc1, *sc2;
  sbd_status st = sql_parse_script(ctx, sql, &a1, &sc1);
  if (st != SBD_OK) {
    check_error(st);
    goto done;
  }
  for (int i = 0; i < sc1->nstmts; i++)
    check_spans(sc1->stmts[i]);
  if (!sql_print_script(sc1, &b1))
    abort();
  st = sql_parse_script(ctx, b1.data, &a2, &sc2);
  if (st != SBD_OK) {
    fprintf(stderr, "the canonical text does not parse:\n%s\n%s\n", b1.data, sbd_errmsg(ctx));
    abort();
  }
  if (sc2->nstmts != sc1->nstmts) {
    fprintf(stderr, "the canonical text has %d statements, not %d:\n%s\n", sc2->nstmts, sc1->nstmts,
            b1.data);
    abort();
  }
  if (!sql_print_script(sc2, &b2))
    abort();
  if (strcmp(b1.data, b2.data) != 0) {
    fprintf(stderr, "the canonical text changed:\n%s\n%s\n", b1.data, b2.data);
    abort();
  }
done:
  sql_buf_free(&b1);
  sql_buf_free(&b2);
  arena_free(&a1);
  arena_free(&a2);
  free(sql);
  return 0;
}
