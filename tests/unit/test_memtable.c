/*
 * test_memtable.c — in-memory tables: the registry (exec/memtable.c), vector views and their copy
 * on write (core/vec.c), scripts of CREATE TABLE / DROP TABLE / queries (sql/query.c) and the
 * parser and printer of those statements.
 */
#include "exec/exec_int.h"
#include "sql/sql_int.h"
#include "test.h"

#include <stdlib.h>

/* A batch of one INT64 column "a" holding vals[0..n). */
static sbd_batch *int_batch(sbd_ctx *ctx, const int64_t *vals, int n) {
  sbd_schema *s = schema_new(ctx, 1);
  schema_set(ctx, s, 0, "a", SBD_INT64);
  sbd_batch *b = batch_new(ctx, s, n);
  schema_unref(s);
  for (int i = 0; i < n; i++)
    vec_push_i64(b->cols[0], vals[i]);
  batch_seal(b);
  return b;
}

TEST(memtable_registry_find_replace_drop) {
  sbd_ctx *ctx = sbd_ctx_new();
  int64_t v[3] = {1, 2, 3};
  sbd_batch *b = int_batch(ctx, v, 3);
  ex_memtable *t = ex_memtable_new(ctx, "Orders", b->schema);
  int64_t bytes;
  ASSERT_EQ(ex_memtable_append(ctx, t, b, &bytes), SBD_OK);
  ASSERT_EQ(bytes, 24);
  ASSERT_EQ(ex_memtable_put(ctx, t), SBD_OK);
  ASSERT_EQ(ex_memtable_count(ctx), 1);
  ASSERT_TRUE(ex_memtable_find(ctx, "orders") == t); /* names match in any case */
  ASSERT_TRUE(ex_memtable_find(ctx, "ORDERS") == t);
  ASSERT_TRUE(ex_memtable_find(ctx, "order") == NULL);
  ASSERT_EQ(ex_memtable_rows(t), 3);
  /* Replacing keeps one entry under the name. */
  ex_memtable *t2 = ex_memtable_new(ctx, "ORDERS", (sbd_schema *)ex_memtable_schema(t));
  ASSERT_EQ(ex_memtable_put(ctx, t2), SBD_OK);
  ASSERT_EQ(ex_memtable_count(ctx), 1);
  ASSERT_TRUE(ex_memtable_find(ctx, "orders") == t2);
  ASSERT_EQ(ex_memtable_rows(t2), 0);
  ASSERT_TRUE(ex_memtable_drop(ctx, "Orders"));
  ASSERT_TRUE(!ex_memtable_drop(ctx, "orders"));
  ASSERT_EQ(ex_memtable_count(ctx), 0);
  sbd_ctx_free(ctx);
}

TEST(memtable_reader_views_outlive_drop) {
  sbd_ctx *ctx = sbd_ctx_new();
  int64_t v1[2] = {10, 20}, v2[1] = {30};
  sbd_batch *b1 = int_batch(ctx, v1, 2), *b2 = int_batch(ctx, v2, 1);
  ex_memtable *t = ex_memtable_new(ctx, "t", b1->schema);
  int64_t bytes;
  ASSERT_EQ(ex_memtable_append(ctx, t, b1, &bytes), SBD_OK);
  ASSERT_EQ(ex_memtable_append(ctx, t, b2, &bytes), SBD_OK);
  ASSERT_EQ(ex_memtable_put(ctx, t), SBD_OK);
  sbd_reader *r;
  ASSERT_EQ(ex_memtable_reader(ctx, t, NULL, -1, &r), SBD_OK);
  sbd_batch *got;
  ASSERT_EQ(sbd_reader_next(r, &got), SBD_OK);
  /* The table goes while a reader and a batch of it are alive: both keep what they read. */
  ASSERT_TRUE(ex_memtable_drop(ctx, "t"));
  ASSERT_EQ(got->nrows, 2);
  ASSERT_EQ(((int64_t *)got->cols[0]->values)[1], 20);
  sbd_batch_free(got);
  ASSERT_EQ(sbd_reader_next(r, &got), SBD_OK);
  ASSERT_EQ(got->nrows, 1);
  ASSERT_EQ(((int64_t *)got->cols[0]->values)[0], 30);
  sbd_batch_free(got);
  ASSERT_EQ(sbd_reader_next(r, &got), SBD_OK);
  ASSERT_TRUE(got == NULL);
  sbd_reader_close(r);
  sbd_ctx_free(ctx);
}

TEST(vec_view_copy_on_write) {
  sbd_ctx *ctx = sbd_ctx_new();
  int64_t v[3] = {1, 2, 3};
  sbd_batch *b = int_batch(ctx, v, 3);
  sbd_vec *w = vec_view(ctx, b, 0);
  ASSERT_TRUE(w->values == b->cols[0]->values); /* shared, not copied */
  /* Writing through the view (a NULL, an append) leaves the stored column as it was. */
  ASSERT_EQ(vec_set_null(ctx, w, 1), SBD_OK);
  ASSERT_TRUE(w->values != b->cols[0]->values);
  ASSERT_EQ(b->cols[0]->null_count, 0);
  ASSERT_TRUE(b->cols[0]->validity == NULL);
  sbd_vec *w2 = vec_view(ctx, b, 0);
  ASSERT_EQ(ex_vec_append(ctx, w2, w, 0, 3), SBD_OK);
  ASSERT_EQ(w2->len, 6);
  ASSERT_EQ(b->cols[0]->len, 3);
  ASSERT_EQ(((int64_t *)w2->values)[5], 3);
  ASSERT_EQ(w2->null_count, 1);
  /* A string view too, then the batch freed before its views. */
  sbd_schema *s = schema_new(ctx, 1);
  schema_set(ctx, s, 0, "s", SBD_STRING);
  sbd_batch *sb = batch_new(ctx, s, 2);
  schema_unref(s);
  vec_push_str(ctx, sb->cols[0], "ab", 2);
  vec_push_str(ctx, sb->cols[0], "cde", 3);
  batch_seal(sb);
  sbd_vec *sv = vec_view(ctx, sb, 0);
  sbd_batch_free(sb);
  ASSERT_EQ(vec_push_str(ctx, sv, "f", 1), SBD_OK);
  size_t n;
  const char *p = vec_str(sv, 1, &n);
  ASSERT_EQ(n, 3);
  ASSERT_TRUE(memcmp(p, "cde", 3) == 0);
  p = vec_str(sv, 2, &n);
  ASSERT_TRUE(n == 1 && p[0] == 'f');
  vec_free(sv);
  vec_free(w);
  vec_free(w2);
  sbd_batch_free(b);
  sbd_ctx_free(ctx);
}

/* Runs statement i of script and returns the first value of its result's first row as INT64
 * (or -1 when none), checking that it succeeds. */
static int64_t first_int(sbd_script *sc, int i) {
  sbd_reader *r = NULL;
  if (sbd_script_run(sc, i, &r) != SBD_OK || !r)
    return -2;
  sbd_batch *b = NULL;
  int64_t v = -1;
  if (sbd_reader_next(r, &b) == SBD_OK && b && b->nrows > 0)
    v = ((int64_t *)b->cols[0]->values)[0];
  sbd_batch_free(b);
  sbd_reader_close(r);
  return v;
}

TEST(script_create_query_drop) {
  sbd_ctx *ctx = sbd_ctx_new();
  sbd_script *sc;
  ASSERT_EQ(sbd_script_open(ctx,
                            "CREATE TEMP TABLE t AS SELECT 1 AS a UNION ALL SELECT 2;;\n"
                            "SELECT sum(a) FROM t;\n"
                            "CREATE OR REPLACE TABLE T AS SELECT a * 10 AS a FROM t;\n"
                            "SELECT max(a) FROM t;\n"
                            "DROP TABLE t;\n"
                            "DROP TABLE IF EXISTS t;",
                            &sc),
            SBD_OK);
  ASSERT_EQ(sbd_script_count(sc), 6);
  ASSERT_TRUE(!sbd_script_is_query(sc, 0));
  ASSERT_TRUE(sbd_script_is_query(sc, 1));
  sbd_reader *r = (sbd_reader *)1;
  ASSERT_EQ(sbd_script_run(sc, 0, &r), SBD_OK);
  ASSERT_TRUE(r == NULL);
  ASSERT_EQ(first_int(sc, 1), 3);
  /* sbd_query on the same context sees the session's table. */
  ASSERT_EQ(sbd_query(ctx, "SELECT count(*) FROM t", &r), SBD_OK);
  sbd_reader_close(r);
  ASSERT_EQ(sbd_script_run(sc, 2, &r), SBD_OK); /* replaces t with a query over the old t */
  ASSERT_EQ(first_int(sc, 3), 20);
  ASSERT_EQ(sbd_script_run(sc, 4, &r), SBD_OK);
  ASSERT_EQ(sbd_script_run(sc, 5, &r), SBD_OK); /* IF EXISTS: nothing to drop is fine */
  ASSERT_EQ(sbd_query(ctx, "SELECT * FROM t", &r), SBD_EINPUT);
  ASSERT_TRUE(strstr(sbd_errmsg(ctx), "no table 't'") != NULL);
  sbd_script_close(sc);
  sbd_ctx_free(ctx);
}

TEST(script_errors_name_the_statement) {
  static const struct {
    const char *sql;
    int fails_at; /* the statement (from 0) that fails */
    const char *msg;
  } cases[] = {
      {"CREATE TABLE t AS SELECT 1 AS a; CREATE TABLE t AS SELECT 2 AS a", 1,
       "SQL: statement 2: the table 't' exists already (CREATE OR REPLACE TABLE replaces it, or "
       "DROP TABLE it first)\n"
       "  CREATE TABLE t AS SELECT 1 AS a; CREATE TABLE t AS SELECT 2 AS a\n"
       "                                                ^"},
      {"DROP TABLE nope", 0,
       "SQL: no table 'nope' to drop (DROP TABLE IF EXISTS ignores a missing one)\n"
       "  DROP TABLE nope\n"
       "             ^"},
      {"SELECT 1;\nSELECT x FROM y", 1,
       "SQL: statement 2: no table 'y' (tables are files: write FROM 'y.csv' or read_csv('...'), "
       "or define it in WITH)\n"
       "  SELECT x FROM y\n"
       "                ^"},
  };
  for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
    sbd_ctx *ctx = sbd_ctx_new();
    sbd_script *sc;
    CHECK(sbd_script_open(ctx, cases[k].sql, &sc) == SBD_OK, "case %zu: open: %s", k,
          sbd_errmsg(ctx));
    sbd_status st = SBD_OK;
    int i = 0;
    for (; i < sbd_script_count(sc) && st == SBD_OK; i++) {
      sbd_reader *r;
      st = sbd_script_run(sc, i, &r);
      sbd_reader_close(r);
    }
    CHECK(st != SBD_OK && i - 1 == cases[k].fails_at, "case %zu: failed at %d", k, i - 1);
    CHECK(strcmp(sbd_errmsg(ctx), cases[k].msg) == 0, "case %zu: got\n%s\nwant\n%s", k,
          sbd_errmsg(ctx), cases[k].msg);
    sbd_script_close(sc);
    sbd_ctx_free(ctx);
  }
}

TEST(script_parse_and_print) {
  static const struct {
    const char *sql;
    const char *canonical; /* NULL: an error, msg */
    const char *msg;
  } cases[] = {
      {"create or replace temporary table \"My T\" as select 1 as a;",
       "CREATE OR REPLACE TEMP TABLE \"My T\" AS SELECT 1 AS a", NULL},
      {"drop table if exists t; ; select 1", "DROP TABLE IF EXISTS t;\nSELECT 1", NULL},
      {"CREATE TABLE t AS (SELECT 1) ORDER BY 1", "CREATE TABLE t AS SELECT 1 ORDER BY 1", NULL},
      {"CREATE TABLE t (a INT)", NULL,
       "SQL: unsupported construct at line 1, column 16: CREATE TABLE with a column list is not "
       "supported yet (CREATE TABLE name AS query)\n"
       "  CREATE TABLE t (a INT)\n"
       "                 ^"},
      {"CREATE VIEW v AS SELECT 1", NULL,
       "SQL: unsupported construct at line 1, column 8: CREATE makes tables only (CREATE TABLE "
       "name AS query)\n"
       "  CREATE VIEW v AS SELECT 1\n"
       "         ^"},
      {"DROP TABLE IF t", NULL,
       "SQL: syntax error at line 1, column 15: expected EXISTS after IF but found t\n"
       "  DROP TABLE IF t\n"
       "                ^"},
      {"CREATE TABLE t SELECT 1", NULL,
       "SQL: syntax error at line 1, column 16: expected AS and a query after t but found SELECT\n"
       "  CREATE TABLE t SELECT 1\n"
       "                 ^"},
      {";", NULL,
       "SQL: syntax error at line 1, column 2: expected SELECT or WITH but found the end of the "
       "SQL\n"
       "  ;\n"
       "   ^"},
  };
  for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
    sbd_ctx *ctx = sbd_ctx_new();
    arena a;
    arena_init(&a, 0);
    sql_script *sc;
    sbd_status st = sql_parse_script(ctx, cases[k].sql, &a, &sc);
    if (cases[k].canonical) {
      sql_buf b = {0};
      CHECK(st == SBD_OK, "case %zu: %s", k, sbd_errmsg(ctx));
      if (st == SBD_OK) {
        sql_print_script(sc, &b);
        CHECK(strcmp(b.data, cases[k].canonical) == 0, "case %zu: got %s", k, b.data);
      }
      sql_buf_free(&b);
    } else {
      CHECK(st != SBD_OK && strcmp(sbd_errmsg(ctx), cases[k].msg) == 0,
            "case %zu: got\n%s\nwant\n%s", k, sbd_errmsg(ctx), cases[k].msg);
    }
    arena_free(&a);
    sbd_ctx_free(ctx);
  }
}

TEST(query_refuses_create) {
  sbd_ctx *ctx = sbd_ctx_new();
  sbd_reader *r;
  ASSERT_EQ(sbd_query(ctx, "CREATE TABLE t AS SELECT 1", &r), SBD_EINPUT);
  ASSERT_STR_EQ(sbd_errmsg(ctx),
                "SQL: CREATE TABLE runs in a script (sbd query, or sbd_script_open in C), not as "
                "a query\n"
                "  CREATE TABLE t AS SELECT 1\n"
                "  ^");
  sbd_ctx_free(ctx);
}
