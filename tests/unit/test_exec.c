/*
 * test_exec.c — the query engine: expression kernels over vectors with nulls (three-valued logic,
 * overflow checked on valid rows only, division and modulo by zero), and whole queries without
 * files through sbd_query (table-driven: SQL, then the first row as text or the error's start).
 */
#include "exec/exec_int.h"
#include "test.h"

#include <stdlib.h>
#include <unistd.h>

/* The first row of a query's result as "a|b|NULL", or "error: <message>". */
static void first_row(const char *sql, char *out, size_t cap) {
  sbd_ctx *ctx = sbd_ctx_new();
  sbd_reader *r = NULL;
  sbd_batch *b = NULL;
  sbd_status st = sbd_query(ctx, sql, &r);
  if (st == SBD_OK)
    st = sbd_reader_next(r, &b);
  if (st != SBD_OK) {
    snprintf(out, cap, "error: %s", sbd_errmsg(ctx));
  } else if (!b) {
    snprintf(out, cap, "no rows");
  } else {
    size_t len = 0;
    out[0] = 0;
    for (int c = 0; c < sbd_batch_ncols(b) && len < cap; c++) {
      char v[128];
      int64_t n = sbd_batch_value_text(b, c, 0, v, sizeof(v));
      len += (size_t)snprintf(out + len, cap - len, "%s%s", c ? "|" : "", n < 0 ? "NULL" : v);
    }
  }
  sbd_batch_free(b);
  sbd_reader_close(r);
  sbd_ctx_free(ctx);
}

TEST(exec_scalar_queries) {
  static const struct {
    const char *sql, *want;
  } cases[] = {
      /* arithmetic, DuckDB's semantics */
      {"SELECT 1 + 2, 7 - 10, 6 * 7, 7 / 2, 7 % 3, -7 % 3", "3|-3|42|3.5|1|-1"},
      {"SELECT 1 / 0, -1 / 0, 0 / 0, 5 % 0, 5.5e0 % 0", "inf|-inf|nan|NULL|nan"},
      {"SELECT 1 + NULL, NULL * 2, -(NULL), 1.5 + 1", "NULL|NULL|NULL|2.5"},
      {"SELECT 9223372036854775807 + 1", "error: SQL: integer overflow in 9223372036854775807 + 1"},
      {"SELECT -9223372036854775808 - 1", "error: SQL: integer overflow"},
      {"SELECT 4611686018427387904 * 2", "error: SQL: integer overflow"},
      {"SELECT -x FROM (SELECT -9223372036854775808 AS x)", "error: SQL: integer overflow"},
      {"SELECT 7 % -1, abs(-3), abs(-2.5)", "0|3|2.5"},
      {"SELECT -9223372036854775808 % -1",
       "error: SQL: integer overflow in -9223372036854775808 % -1 (-9223372036854775808 % -1 is "
       "outside INT64)"},
      /* three-valued logic */
      {"SELECT NULL AND false, NULL AND true, NULL OR true, NULL OR false, NOT NULL",
       "false|NULL|true|NULL|NULL"},
      {"SELECT true AND true AND NULL, false OR NULL OR false, NOT (1 > 2)", "NULL|NULL|true"},
      {"SELECT NULL = NULL, NULL IS NULL, 1 IS NOT NULL, NULL IS DISTINCT FROM NULL",
       "NULL|true|true|false"},
      {"SELECT 1 IS DISTINCT FROM NULL, 2 IS NOT DISTINCT FROM 2", "true|true"},
      {"SELECT 2 IN (1, 2), 3 IN (1, 2), 3 IN (1, NULL), 3 NOT IN (1, NULL), NULL IN (1)",
       "true|false|NULL|NULL|NULL"},
      {"SELECT 5 BETWEEN 1 AND 5, 5 NOT BETWEEN 1 AND 4, NULL BETWEEN 1 AND 2", "true|true|NULL"},
      /* comparisons of every type */
      {"SELECT 'a' < 'b', 'B' < 'a', 'ab' > 'a', 1 < 1.5, DATE '2024-01-01' < TIMESTAMP "
       "'2024-01-01 00:00:01'",
       "true|true|true|true|true"},
      {"SELECT 'nan'::DOUBLE = 'nan'::DOUBLE, 'nan'::DOUBLE > 1e308, -0.0 = 0.0", "true|true|true"},
      {"SELECT DATE '2024-02-29' = '2024-02-29', true > false", "true|true"},
      /* CASE, COALESCE, CAST */
      {"SELECT CASE WHEN 1 > 2 THEN 'a' WHEN NULL THEN 'b' ELSE 'c' END, CASE 2 WHEN 1 THEN 10 "
       "WHEN 2 THEN 20 END, CASE WHEN false THEN 1 END",
       "c|20|NULL"},
      {"SELECT CASE WHEN true THEN 1 ELSE 2.5 END, COALESCE(NULL, NULL, 3), COALESCE(NULL, 'x')",
       "1.0|3|x"},
      {"SELECT CAST('42' AS BIGINT), CAST(2.5 AS BIGINT), CAST(2.5e0 AS BIGINT), CAST(-2.5 AS INT)",
       "42|3|2|-3"},
      {"SELECT CAST(1 AS DOUBLE), CAST(true AS INT), CAST(0 AS BOOLEAN), CAST(1.5 AS VARCHAR)",
       "1.0|1|false|1.5"},
      {"SELECT CAST(TIMESTAMP '2024-01-02 03:04:05' AS DATE), CAST(DATE '2024-01-02' AS "
       "TIMESTAMP)",
       "2024-01-02|2024-01-02 00:00:00"},
      {"SELECT CAST(TIMESTAMP '1969-12-31 23:00:00' AS DATE)", "1969-12-31"},
      {"SELECT CAST('x' AS BIGINT)", "error: SQL: CAST('x' AS BIGINT): cannot cast \"x\" from "
                                     "STRING to INT64"},
      {"SELECT TRY_CAST('x' AS BIGINT), TRY_CAST('7' AS BIGINT)", "NULL|7"},
      {"SELECT CAST(300 AS TINYINT)", "error: SQL: CAST(300 AS TINYINT): cannot cast"},
      {"SELECT CAST(2147483648 AS INTEGER)", "error: SQL: CAST(2147483648 AS INTEGER)"},
      {"SELECT CAST(1e300 AS BIGINT)", "error: SQL: CAST(1e300 AS BIGINT)"},
      /* strings */
      {"SELECT lower('AbC'), upper('AbC'), length('héllo'), 'a' || NULL, concat('a', NULL, 1)",
       "abc|ABC|5|NULL|a1"},
      {"SELECT upper('é'), lower('É')", "É|é"},
      /* trim (spaces only), substr by DuckDB's rules over a column, replace */
      {"SELECT trim('  a b  '), ltrim('  a '), rtrim(' a  '), trim(''), trim('\ta '), trim(NULL)",
       "a b|a | a||\ta|NULL"},
      {"SELECT substr('hello', 0, 2), substr('hello', -2), substr('hello', -2, 1), substr('hello', "
       "3, -1), substr('hello', 2), substr('hello', 10), substr('hello', 0)",
       "h|lo|l|e|ello||hello"},
      {"SELECT substr('hello', -10, 3), substr('hello', 7, -4), substr('hello', 0, -1), "
       "substr('hello', 1, -3), substr('hello', 2, -10), substr('hello', 2, 0)",
       "hel|ello|||h|"},
      {"SELECT substr('héllo', 2, 2), substring('héllo', -3, 2), length(substr('héllo', 2)), "
       "substr('abc', NULL), substr(NULL, 1, 1)",
       "él|ll|4|NULL|NULL"},
      {"SELECT substr('abc', 4294967295, -4294967296), substr('abc', -4294967296, 4294967295)",
       "abc|abc"},
      {"SELECT substr('abc', 2, 9223372036854775807)",
       "error: SQL: substr('abc', 2, 9223372036854775807): the substring length"},
      {"SELECT replace('aaa', 'a', 'bb'), replace('aaaa', 'aa', 'b'), replace('abc', '', 'x'), "
       "replace('abc', 'b', NULL), replace('abc', 'b', ''), replace('héé', 'é', 'e')",
       "bbbbbb|bb|abc|NULL|ac|hee"},
      {"SELECT concat(NULL, NULL), concat('a', NULL, 'b'), concat(NULL, 1.5)", "|ab|1.5"},
      {"SELECT trim('a', 'b')", "error: SQL: not supported yet: trim() with a set of characters"},
      {"SELECT substr(1, 2)", "error: SQL: substr() needs a STRING, not INT64"},
      {"SELECT substr('a', 'x')", "error: SQL: substr() needs an integer, not STRING"},
      {"SELECT replace('a', 'b')", "error: SQL: replace() takes 3 arguments, not 2"},
      /* numeric: round half away from zero, floor/ceil to DOUBLE, errors as DuckDB's */
      {"SELECT round(2.5e0), round(-2.5e0), round(0.5e0), round(1.2345e0, 2), round(1234.5e0, -2), "
       "round(12.5e0, -1)",
       "3.0|-3.0|1.0|1.23|1200.0|10.0"},
      {"SELECT round(15, -1), round(-25, -1), round(25), round(14, -1), round(123, -20), "
       "round(7, 3), round(2.5e0, NULL)",
       "20|-30|25|10|0|7|NULL"},
      {"SELECT round('inf'::DOUBLE, 2), round('nan'::DOUBLE), round(1e300, 10), round(1e300, "
       "-400), "
       "round(2.5e0, -9223372036854775808), round(2.5e0, 9223372036854775807)",
       "inf|nan|1e+300|0.0|0.0|2.5"},
      {"SELECT round(9223372036854775807, -1)", "error: SQL: integer overflow in round("},
      {"SELECT floor(-2.5), ceil(-2.5), ceiling(2.1), floor(3), ceil(NULL), floor('inf'::DOUBLE)",
       "-3.0|-2.0|3.0|3.0|NULL|inf"},
      {"SELECT sign(-0.0), sign('nan'::DOUBLE), sign(-5), sign(2.5), sign(0), sign(NULL)",
       "0|0|-1|1|0|NULL"},
      {"SELECT sqrt(4), sqrt(0), exp(0), ln(1), log10(1000), log(100), pow(2, 10), power(4, 0.5)",
       "2.0|0.0|1.0|0.0|3.0|2.0|1024.0|2.0"},
      {"SELECT exp(1000), pow(0, -1), pow(-8, 1.0 / 3), sqrt('nan'::DOUBLE), ln('inf'::DOUBLE)",
       "inf|inf|nan|nan|inf"},
      {"SELECT sqrt(-1)", "error: SQL: sqrt(-1): cannot take square root of a negative number"},
      {"SELECT ln(0)", "error: SQL: ln(0): cannot take logarithm of zero"},
      {"SELECT log10(-2)", "error: SQL: log10(-2): cannot take logarithm of a negative number"},
      {"SELECT log(2, 8)", "error: SQL: not supported yet: log(base, x)"},
      {"SELECT sqrt('a')", "error: SQL: sqrt() needs a number, not STRING"},
      {"SELECT round('a')", "error: SQL: round() needs a number, not STRING"},
      {"SELECT pow(2)", "error: SQL: pow() takes 2 arguments, not 1"},
      /* greatest and least ignore NULLs; nullif */
      {"SELECT greatest(1, NULL, 3), least(NULL, NULL), greatest(1, 2.5), greatest('a', 'b'), "
       "least(2, 1.5), least(7)",
       "3|NULL|2.5|b|1.5|7"},
      {"SELECT greatest(DATE '2024-01-01', TIMESTAMP '2023-01-01 00:00:00'), least(true, NULL, "
       "false), greatest('nan'::DOUBLE, 1e308)",
       "2024-01-01 00:00:00|false|nan"},
      {"SELECT greatest(1, 'a')", "error: SQL: cannot read 'a' as INT64"},
      {"SELECT nullif(1, 1), nullif(1, 2), nullif(NULL, 1), nullif(1, NULL), nullif('a', 'a'), "
       "nullif(2, 2.0)",
       "NULL|1|NULL|1|NULL|NULL"},
      {"SELECT nullif(1)", "error: SQL: nullif() takes 2 arguments, not 1"},
      /* aggregates over no rows of FROM-less queries */
      {"SELECT count(*), sum(1), min('a'), avg(2)", "1|1|a|2.0"},
      {"SELECT DISTINCT 1", "1"},
      {"SELECT 1 LIMIT 0", "no rows"},
      {"SELECT 1 AS x ORDER BY x DESC LIMIT 1 OFFSET 0", "1"},
      /* binder errors */
      {"SELECT 1 + 'a'", "error: SQL: cannot read 'a' as INT64"},
      {"SELECT 'a' + 'b'", "error: SQL: cannot add STRING and STRING in 'a' + 'b'"},
      {"SELECT 1 WHERE 2", "error: SQL: the WHERE condition must be BOOL, not INT64"},
      {"SELECT sum('a')", "error: SQL: sum needs a number, not STRING"},
      {"SELECT x", "error: SQL: no column 'x' (the query has no FROM)"},
      {"SELECT 1 WHERE count(*) > 0", "error: SQL: aggregate functions are not allowed in WHERE"},
      {"SELECT sum(count(*))", "error: SQL: aggregate functions are not allowed in the argument"},
      {"SELECT 1 ORDER BY 2", "error: SQL: ORDER BY term out of range - should be between 1 and 1"},
      {"SELECT 'a%' LIKE 'a\\%', 'a%' LIKE 'a!%' ESCAPE '!', 'héllo' LIKE 'h_llo', 'ABC' ILIKE "
       "'a%c', NULL LIKE 'a', 'a' LIKE NULL",
       "false|true|true|true|NULL|NULL"},
      {"SELECT 'abc' LIKE '%', '' LIKE '%', '' LIKE '_', 'a_c' NOT LIKE 'a\\_c' ESCAPE '\\', "
       "'aXbXc' LIKE '%b%c', 'abab' LIKE '%ab', 'ab' LIKE '%abc%'",
       "true|true|false|false|true|true|false"},
      {"SELECT 1 LIKE 'a'", "error: SQL: LIKE needs a STRING, not INT64"},
      {"SELECT upper('straße'), lower('ΣΑΣ İ'), upper('ǅ'), 'ÄRGER' ILIKE 'ä%', "
       "'STRASSE' ILIKE 'straß%', 'Ärger' NOT ILIKE upper('ä') || '%'",
       "STRAẞE|σασ i|Ǆ|true|false|false"},
      {"SELECT 'a' LIKE lower('A'), 'ab' LIKE concat('a', '%'), 'ab' NOT LIKE NULL || 'x'",
       "true|true|NULL"},
      {"SELECT 1 UNION SELECT 1", "1"},
      {"SELECT 1 AS a UNION ALL SELECT 2.5 ORDER BY a DESC", "2.5"},
      {"SELECT 1, 2 UNION ALL SELECT 3", "error: SQL: UNION ALL: the left query has 2 columns"},
      {"SELECT 'a' UNION ALL SELECT 1", "error: SQL: UNION ALL: cannot mix STRING and INT64"},
      {"SELECT d + 1 FROM (SELECT DATE '2024-01-01' AS d)", "2024-01-02"},
      {"SELECT TIMESTAMP '2024-01-02' - TIMESTAMP '2024-01-01'",
       "error: SQL: not supported yet: an INTERVAL value here"},
      {"SELECT * FROM t", "error: SQL: no table 't'"},
      {"WITH t AS (SELECT 1 AS a) SELECT a + 1 FROM t", "2"},
      {"WITH t AS (SELECT * FROM t) SELECT * FROM t", "error: SQL: no table 't'"},
      {"WITH a AS (SELECT 1 AS x), b AS (SELECT x * 10 AS y FROM a) SELECT y FROM b", "10"},
      {"SELECT s.v FROM (SELECT 5 AS v) s", "5"},
      {"SELECT q.v FROM (SELECT 5 AS v) s", "error: SQL: no table 'q' in this query"},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    char got[1024];
    first_row(cases[i].sql, got, sizeof(got));
    size_t n = strlen(cases[i].want);
    bool error = strncmp(cases[i].want, "error: ", 7) == 0;
    bool ok = error ? strncmp(got, cases[i].want, n) == 0 : strcmp(got, cases[i].want) == 0;
    CHECK(ok, "%s\n    got:  %s\n    want: %s%s", cases[i].sql, got, cases[i].want,
          error ? "..." : "");
  }
}

/* ---- kernels over hand-made batches ---------------------------------------------------------*/

static sbd_batch *bool_batch(sbd_ctx *ctx, const char *a, const char *b) {
  sbd_schema *s = schema_new(ctx, 2);
  schema_set(ctx, s, 0, "a", SBD_BOOL);
  schema_set(ctx, s, 1, "b", SBD_BOOL);
  size_t n = strlen(a);
  sbd_batch *batch = batch_new(ctx, s, (int64_t)n);
  schema_unref(s);
  const char *cols[2] = {a, b};
  for (int c = 0; c < 2; c++)
    for (size_t i = 0; i < n; i++) {
      if (cols[c][i] == 'N') {
        /* A NULL whose value slot holds true: kernels must not look at it. */
        vec_push_bool(batch->cols[c], true);
        vec_set_null(ctx, batch->cols[c], (int64_t)i);
      } else {
        vec_push_bool(batch->cols[c], cols[c][i] == 'T');
      }
    }
  batch_seal(batch);
  return batch;
}

static void render_bool(const sbd_vec *v, char *out) {
  for (int64_t i = 0; i < v->len; i++)
    out[i] = !vec_is_valid(v, i) ? 'N' : ((const uint8_t *)v->values)[i] ? 'T' : 'F';
  out[v->len] = 0;
}

TEST(exec_three_valued_logic_kernels) {
  sbd_ctx *ctx = sbd_ctx_new();
  ex_query q = {.ctx = ctx};
  sbd_batch *b = bool_batch(ctx, "TTTFFFNNN", "TFNTFNTFN");
  ex_expr ca = {.kind = EX_COLUMN, .type = SBD_BOOL, .col = 0, .text = "a"};
  ex_expr cb = {.kind = EX_COLUMN, .type = SBD_BOOL, .col = 1, .text = "b"};
  ex_expr *args[2] = {&ca, &cb};
  static const struct {
    ex_expr_kind kind;
    const char *want;
  } cases[] = {{EX_AND, "TFNFFFNFN"}, {EX_OR, "TTTTFNTNN"}};
  for (size_t i = 0; i < 2; i++) {
    ex_expr e = {.kind = cases[i].kind, .type = SBD_BOOL, .args = args, .nargs = 2, .text = "x"};
    sbd_vec *out;
    ASSERT_EQ(ex_eval(&q, &e, b, &out), SBD_OK);
    char got[16];
    render_bool(out, got);
    CHECK(strcmp(got, cases[i].want) == 0, "%s: got %s, want %s",
          cases[i].kind == EX_AND ? "AND" : "OR", got, cases[i].want);
    vec_free(out);
  }
  ex_expr not_a = {.kind = EX_NOT, .type = SBD_BOOL, .args = args, .nargs = 1, .text = "NOT a"};
  sbd_vec *out;
  ASSERT_EQ(ex_eval(&q, &not_a, b, &out), SBD_OK);
  char got[16];
  render_bool(out, got);
  ASSERT_STR_EQ(got, "FFFTTTNNN");
  vec_free(out);
  ex_expr isnull = {.kind = EX_IS_NULL, .type = SBD_BOOL, .args = args, .nargs = 1, .text = "x"};
  ASSERT_EQ(ex_eval(&q, &isnull, b, &out), SBD_OK);
  render_bool(out, got);
  ASSERT_STR_EQ(got, "FFFFFFTTT");
  vec_free(out);
  sbd_batch_free(b);
  sbd_ctx_free(ctx);
}

/* x + 1 over INT64 rows: overflow is an error on a valid row only. */
TEST(exec_overflow_checked_on_valid_rows_only) {
  sbd_ctx *ctx = sbd_ctx_new();
  ex_query q = {.ctx = ctx};
  sbd_schema *s = schema_new(ctx, 1);
  schema_set(ctx, s, 0, "x", SBD_INT64);
  sbd_batch *b = batch_new(ctx, s, 4);
  schema_unref(s);
  vec_push_i64(b->cols[0], 1);
  vec_push_i64(b->cols[0], INT64_MAX); /* a NULL whose slot would overflow */
  vec_set_null(ctx, b->cols[0], 1);
  vec_push_i64(b->cols[0], -5);
  batch_seal(b);
  ex_expr x = {.kind = EX_COLUMN, .type = SBD_INT64, .col = 0, .text = "x"};
  ex_expr one = {.kind = EX_CONST, .type = SBD_INT64, .value = {.type = SBD_INT64, .i = 1}};
  ex_expr *args[2] = {&x, &one};
  ex_expr add = {
      .kind = EX_ARITH, .type = SBD_INT64, .op = EX_ADD, .args = args, .nargs = 2, .text = "x + 1"};
  sbd_vec *out;
  ASSERT_EQ(ex_eval(&q, &add, b, &out), SBD_OK);
  ASSERT_EQ(out->len, 3);
  ASSERT_EQ(((int64_t *)out->values)[0], 2);
  ASSERT_TRUE(!vec_is_valid(out, 1));
  ASSERT_EQ(((int64_t *)out->values)[2], -4);
  ASSERT_EQ(out->null_count, 1);
  vec_free(out);
  /* Now make row 1 valid: the overflow is an error naming the values. */
  b->cols[0]->validity[0] |= 2;
  b->cols[0]->null_count = 0;
  ASSERT_EQ(ex_eval(&q, &add, b, &out), SBD_EINPUT);
  ASSERT_STR_EQ(sbd_errmsg(ctx),
                "SQL: integer overflow in x + 1 (9223372036854775807 + 1 is outside INT64)");
  sbd_batch_free(b);
  sbd_ctx_free(ctx);
}

/* sqrt and round over rows whose NULL slots hold values that would be errors: only valid rows
 * are checked. */
TEST(exec_math_errors_on_valid_rows_only) {
  sbd_ctx *ctx = sbd_ctx_new();
  ex_query q = {.ctx = ctx};
  sbd_schema *s = schema_new(ctx, 2);
  schema_set(ctx, s, 0, "x", SBD_DOUBLE);
  schema_set(ctx, s, 1, "i", SBD_INT64);
  sbd_batch *b = batch_new(ctx, s, 3);
  schema_unref(s);
  vec_push_f64(b->cols[0], 4);
  vec_push_f64(b->cols[0], -1); /* a NULL whose slot has no square root */
  vec_set_null(ctx, b->cols[0], 1);
  vec_push_f64(b->cols[0], 2.25);
  vec_push_i64(b->cols[1], 15);
  vec_push_i64(b->cols[1], INT64_MAX); /* a NULL whose slot would overflow round(i, -1) */
  vec_set_null(ctx, b->cols[1], 1);
  vec_push_i64(b->cols[1], -25);
  batch_seal(b);
  ex_expr x = {.kind = EX_COLUMN, .type = SBD_DOUBLE, .col = 0, .text = "x"};
  ex_expr *sargs[1] = {&x};
  ex_expr root = {.kind = EX_FUNC,
                  .type = SBD_DOUBLE,
                  .fn = EX_FN_SQRT,
                  .args = sargs,
                  .nargs = 1,
                  .text = "sqrt(x)"};
  sbd_vec *out;
  ASSERT_EQ(ex_eval(&q, &root, b, &out), SBD_OK);
  ASSERT_EQ(((double *)out->values)[0], 2.0);
  ASSERT_TRUE(!vec_is_valid(out, 1));
  ASSERT_EQ(((double *)out->values)[2], 1.5);
  vec_free(out);
  ex_expr i = {.kind = EX_COLUMN, .type = SBD_INT64, .col = 1, .text = "i"};
  ex_expr digits = {.kind = EX_CONST, .type = SBD_INT64, .value = {.type = SBD_INT64, .i = -1}};
  ex_expr *rargs[2] = {&i, &digits};
  ex_expr round1 = {.kind = EX_FUNC,
                    .type = SBD_INT64,
                    .fn = EX_FN_ROUND,
                    .args = rargs,
                    .nargs = 2,
                    .text = "round(i, -1)"};
  ASSERT_EQ(ex_eval(&q, &round1, b, &out), SBD_OK);
  ASSERT_EQ(((int64_t *)out->values)[0], 20);
  ASSERT_TRUE(!vec_is_valid(out, 1));
  ASSERT_EQ(((int64_t *)out->values)[2], -30);
  ASSERT_EQ(out->null_count, 1);
  vec_free(out);
  /* Row 1 made valid: now both are errors naming the expression. */
  b->cols[0]->validity[0] |= 2;
  b->cols[0]->null_count = 0;
  ASSERT_EQ(ex_eval(&q, &root, b, &out), SBD_EINPUT);
  ASSERT_STR_EQ(sbd_errmsg(ctx), "SQL: sqrt(x): cannot take square root of a negative number");
  b->cols[1]->validity[0] |= 2;
  b->cols[1]->null_count = 0;
  ASSERT_EQ(ex_eval(&q, &round1, b, &out), SBD_EINPUT);
  ASSERT_STR_EQ(sbd_errmsg(ctx),
                "SQL: integer overflow in round(i, -1) (round(9223372036854775807, "
                "-1))");
  sbd_batch_free(b);
  sbd_ctx_free(ctx);
}

/* The hash aggregate and the sort over a batch with NULL keys, NaN and -0. */
TEST(exec_group_and_sort_special_values) {
  static const struct {
    const char *sql, *want;
  } cases[] = {
      {"SELECT count(*) FROM (SELECT DISTINCT x FROM (SELECT 'nan'::DOUBLE AS x))", "1"},
      {"SELECT min(x), max(x) FROM (SELECT 'nan'::DOUBLE AS x)", "nan|nan"},
      {"SELECT count(DISTINCT x), count(x), count(*) FROM (SELECT 1 AS x UNION ALL SELECT 1 UNION "
       "ALL SELECT NULL UNION ALL SELECT 2)",
       "2|3|4"},
      {"SELECT count(DISTINCT x) FROM (SELECT -0.0 AS x UNION ALL SELECT 0.0 UNION ALL SELECT "
       "'nan'::DOUBLE UNION ALL SELECT 'nan'::DOUBLE)",
       "2"},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    char got[256];
    first_row(cases[i].sql, got, sizeof(got));
    CHECK(strcmp(got, cases[i].want) == 0, "%s: got %s, want %s", cases[i].sql, got, cases[i].want);
  }
}

/* A query's batches are ordinary batches: they export through the Arrow C Data Interface. */
TEST(exec_query_result_exports_to_arrow) {
  sbd_ctx *ctx = sbd_ctx_new();
  sbd_reader *r;
  ASSERT_EQ(sbd_query(ctx,
                      "SELECT 1 AS a, 'x' AS b, NULL::DOUBLE AS c UNION ALL SELECT 2, 'yz', 1.5",
                      &r),
            SBD_OK);
  const sbd_schema *s = sbd_reader_schema(r);
  ASSERT_EQ(sbd_schema_ncols(s), 3);
  ASSERT_STR_EQ(sbd_schema_name(s, 1), "b");
  ASSERT_EQ(sbd_schema_type(s, 2), SBD_DOUBLE);
  int64_t rows = 0;
  for (;;) {
    sbd_batch *b;
    ASSERT_EQ(sbd_reader_next(r, &b), SBD_OK);
    if (!b)
      break;
    struct ArrowArray array;
    struct ArrowSchema schema;
    ASSERT_EQ(sbd_batch_export(ctx, b, &array, &schema), SBD_OK);
    ASSERT_EQ(array.n_children, 3);
    ASSERT_EQ(array.length, sbd_batch_nrows(b));
    ASSERT_STR_EQ(schema.children[1]->format, "U");
    rows += array.length;
    sbd_batch_free(b);
    array.release(&array);
    schema.release(&schema);
  }
  ASSERT_EQ(rows, 2);
  sbd_reader_close(r);
  sbd_ctx_free(ctx);
}

/* The hash join's edge cases, on rows made without files. */
TEST(exec_join_edge_cases) {
#define A                                                                                          \
  "(SELECT 1 AS k, 'a' AS x UNION ALL SELECT 2, 'b' UNION ALL SELECT 2, 'bb' UNION ALL "           \
  "SELECT NULL, 'n')"
#define B                                                                                          \
  "(SELECT 2 AS k, 'B' AS y UNION ALL SELECT 2, 'B2' UNION ALL SELECT 3, 'C' UNION ALL "           \
  "SELECT NULL, 'N')"
  static const struct {
    const char *sql, *want;
  } cases[] = {
      /* many-to-many; NULL keys never match, on either side */
      {"SELECT count(*), min(a.x || b.y), max(a.x || b.y) FROM " A " a JOIN " B " b ON a.k = b.k",
       "4|bB|bbB2"},
      {"SELECT count(*) FROM (SELECT NULL::INT AS k) a JOIN (SELECT NULL::INT AS k) b ON a.k = "
       "b.k",
       "0"},
      /* outer joins keep the unmatched rows, NULL-extended, NULL keys included */
      {"SELECT count(*), count(b.y) FROM " A " a LEFT JOIN " B " b ON a.k = b.k", "6|4"},
      {"SELECT count(*), count(a.x) FROM " A " a RIGHT JOIN " B " b ON a.k = b.k", "6|4"},
      {"SELECT count(*), count(a.x), count(b.y) FROM " A " a FULL JOIN " B " b ON a.k = b.k",
       "8|6|6"},
      /* the residual is part of an outer join's match, not a filter after it */
      {"SELECT count(*), count(b.y) FROM " A " a LEFT JOIN " B " b ON a.k = b.k AND b.y = 'B'",
       "4|2"},
      {"SELECT count(*), count(a.x) FROM " A " a RIGHT JOIN " B " b ON a.k = b.k AND a.x = 'b'",
       "4|2"},
      {"SELECT count(*) FROM " A " a FULL JOIN " B " b ON a.k = b.k AND false", "8"},
      /* keys of different types meet as DOUBLE; -0 equals 0, NaN equals NaN (as DuckDB) */
      {"SELECT count(*) FROM (SELECT 2 AS k) a JOIN (SELECT 2.0 AS k) b ON a.k = b.k", "1"},
      {"SELECT count(*) FROM (SELECT -0.0 AS k) a JOIN (SELECT 0.0 AS k) b ON a.k = b.k", "1"},
      {"SELECT count(*) FROM (SELECT 'nan'::DOUBLE AS k) a JOIN (SELECT 'nan'::DOUBLE AS k) b ON "
       "a.k = b.k",
       "1"},
      {"SELECT count(*) FROM (SELECT DATE '2024-01-01' AS d) a JOIN (SELECT TIMESTAMP "
       "'2024-01-01 00:00:00' AS t) b ON a.d = b.t",
       "1"},
      /* empty sides */
      {"SELECT count(*) FROM " A " a JOIN (SELECT 1 AS k LIMIT 0) b ON a.k = b.k", "0"},
      {"SELECT count(*), count(b.k) FROM " A " a LEFT JOIN (SELECT 1 AS k LIMIT 0) b ON a.k = b.k",
       "4|0"},
      {"SELECT count(*), count(a.k) FROM (SELECT 1 AS k LIMIT 0) a FULL JOIN " B " b ON a.k = b.k",
       "4|0"},
      {"SELECT count(*) FROM " A " a CROSS JOIN " B " b", "16"},
      /* USING merges its columns: * shows k once, the merged value of both sides */
      {"SELECT * FROM (SELECT 1 AS k, 2 AS v) a FULL JOIN (SELECT 3 AS k, 4 AS w) b USING (k) "
       "ORDER BY k DESC",
       "3|NULL|4"},
      {"SELECT k, a.k, b.k FROM (SELECT 1 AS k) a RIGHT JOIN (SELECT 3 AS k) b USING (k)",
       "3|NULL|3"},
      {"SELECT count(*) FROM " A " a, " B " b, " A " c WHERE a.k = b.k AND c.k = a.k", "8"},
      /* names */
      {"SELECT k FROM " A " a JOIN " B " b ON a.k = b.k",
       "error: SQL: column 'k' is ambiguous: it is in 'a' and 'b'"},
      {"SELECT c.k FROM " A " a JOIN " B " b ON a.k = b.k",
       "error: SQL: no table 'c' in this query"},
      {"SELECT a.y FROM " A " a JOIN " B " b ON a.k = b.k", "error: SQL: no column 'y' in 'a'"},
      {"SELECT 1 FROM " A " a JOIN " B " b USING (x)",
       "error: SQL: column 'x' of USING is not on the right side of the join"},
      {"SELECT 1 FROM " A " a JOIN " B " b ON a.k = 'x'", "error: SQL: cannot read 'x' as INT64"},
      {"SELECT 1 FROM " A " a JOIN " B " b ON count(*) > 1",
       "error: SQL: aggregate functions are not allowed in ON"},
      /* ASOF: the closest build row satisfying the inequality, one per probe row; NULLs never
       * match, neither in the keys nor in the inequality */
      {"SELECT count(*), min(b.k), max(b.k) FROM " A " a ASOF JOIN " B " b ON a.k >= b.k", "2|2|2"},
      {"SELECT count(*), count(b.y), max(CASE WHEN a.x = 'bb' THEN b.y END) FROM " A
       " a ASOF LEFT JOIN " B " b ON a.k < b.k",
       "4|3|C"},
      {"SELECT count(*), count(b.y) FROM " A " a ASOF LEFT JOIN " B " b ON a.k > b.k", "4|0"},
      {"SELECT count(*), min(b.t), max(b.t) FROM (SELECT 1 AS g, 10 AS t UNION ALL SELECT 1, 25) a "
       "ASOF JOIN (SELECT 1 AS g, 5 AS t UNION ALL SELECT 1, 20 UNION ALL SELECT 1, 30 UNION ALL "
       "SELECT 2, 9) b ON a.g = b.g AND a.t >= b.t",
       "2|5|20"},
      {"SELECT min(b.t), max(b.t) FROM (SELECT 1 AS g, 10 AS t UNION ALL SELECT 1, 25) a ASOF "
       "JOIN (SELECT 1 AS g, 5 AS t UNION ALL SELECT 1, 20 UNION ALL SELECT 1, 30) b ON a.g = b.g "
       "AND b.t > a.t",
       "20|30"},
      {"SELECT 1 FROM " A " a ASOF JOIN " B " b ON a.k = b.k",
       "error: SQL: ASOF JOIN needs ON with equalities and one inequality"},
      {"SELECT 1 FROM " A " a ASOF JOIN " B " b USING (k)",
       "error: SQL: not supported yet: ASOF JOIN with USING"},
  };
#undef A
#undef B
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    char got[512];
    first_row(cases[i].sql, got, sizeof(got));
    CHECK(strncmp(got, cases[i].want, strlen(cases[i].want)) == 0, "%s: got %s, want %s",
          cases[i].sql, got, cases[i].want);
  }
}

/* One key shared by 400 rows on each side: 160,000 pairs, more than an output batch holds, so a
 * probe row's chain is walked across several calls. */
TEST(exec_join_output_larger_than_a_batch) {
  char path[] = "/tmp/sbd_test_join_XXXXXX";
  int fd = mkstemp(path);
  ASSERT_TRUE(fd >= 0);
  FILE *f = fdopen(fd, "w");
  ASSERT_TRUE(f != NULL);
  fprintf(f, "k,v\n");
  for (int i = 0; i < 400; i++)
    fprintf(f, "7,%d\n", i);
  fprintf(f, ",1\n8,2\n");
  fclose(f);
  char sql[512];
  snprintf(sql, sizeof(sql),
           "SELECT count(*), sum(a.v), sum(b.v), count(b.k) FROM read_csv('%s') a FULL JOIN "
           "read_csv('%s') b ON a.k = b.k AND a.v >= 0",
           path, path);
  char got[256];
  first_row(sql, got, sizeof(got));
  /* 160,000 pairs of 7, 8 with 8, and the NULL key unmatched on both sides. */
  ASSERT_STR_EQ(got, "160003|31920003|31920003|160001");
  remove(path);
}
