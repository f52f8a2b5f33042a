/*
 * test_scan.c — reading less and stopping early: the top-N sort (a bounded buffer that must give
 * what the full sort gives, ties in input order) and the statistics-based pruning decision.
 */
#include "exec/exec_int.h"
#include "io/parquet/pq_int.h"
#include "test.h"

#include <math.h>
#include <stdlib.h>

/* A leaf operator handing out rows (key, seq) with key = (seq * 7919) % modulo, in batches. */
typedef struct gen_op {
  ex_op op;
  int64_t next, rows, modulo;
  int *freed; /* set to 1 when the operator is freed (or NULL) */
} gen_op;

static sbd_status gen_next(ex_op *op, sbd_batch **out) {
  gen_op *g = (gen_op *)op;
  if (g->next == g->rows)
    return SBD_OK;
  int64_t n = g->rows - g->next < 50000 ? g->rows - g->next : 50000; /* not a batch multiple */
  sbd_batch *b = batch_new(op->q->ctx, op->schema, n);
  if (!b)
    return SBD_ENOMEM;
  for (int64_t i = 0; i < n; i++, g->next++) {
    vec_push_i64(b->cols[0], (g->next * 7919) % g->modulo);
    vec_push_i64(b->cols[1], g->next);
  }
  b->nrows = n;
  *out = b;
  return SBD_OK;
}

static void gen_free(ex_op *op) {
  gen_op *g = (gen_op *)op;
  if (g->freed)
    *g->freed = 1;
}

static const ex_op_vt gen_vt = {"gen", gen_next, gen_free};

static ex_op *gen_new(ex_query *q, int64_t rows, int64_t modulo) {
  gen_op *g = calloc(1, sizeof(*g));
  g->op.vt = &gen_vt;
  g->op.q = q;
  g->op.schema = schema_new(q->ctx, 2);
  schema_set(q->ctx, g->op.schema, 0, "key", SBD_INT64);
  schema_set(q->ctx, g->op.schema, 1, "seq", SBD_INT64);
  g->rows = rows;
  g->modulo = modulo;
  return &g->op;
}

/* All (key, seq) rows of op, in order, into v[0..*n). */
static sbd_status drain(ex_op *op, int64_t *v, int64_t cap, int64_t *n) {
  *n = 0;
  for (;;) {
    sbd_batch *b;
    RETURN_IF_ERROR(ex_op_next(op, &b));
    if (!b)
      return SBD_OK;
    for (int64_t i = 0; i < b->nrows && *n < cap; i++, (*n)++) {
      v[2 * *n] = ((const int64_t *)b->cols[0]->values)[i];
      v[2 * *n + 1] = ((const int64_t *)b->cols[1]->values)[i];
    }
    sbd_batch_free(b);
  }
}

TEST(top_n_equals_full_sort_with_ties_in_input_order) {
  static const struct {
    int64_t rows, modulo, bound;
    bool desc;
  } cases[] = {
      {300000, 13, 10, false},     /* many ties: input order decides */
      {300000, 13, 10, true},      /* descending */
      {300000, 1000003, 5, false}, /* distinct keys */
      {300000, 13, 70000, false},  /* a bound larger than a batch */
      {1000, 13, 5000, false},     /* a bound larger than the input */
      {300000, 13, 0, false},      /* LIMIT 0 */
  };
  sbd_ctx *ctx = sbd_ctx_new();
  for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
    ex_query q = {.ctx = ctx};
    ex_sort_key key = {0, cases[c].desc, false};
    ex_op *full, *top;
    ASSERT_EQ(ex_sort_new(&q, gen_new(&q, cases[c].rows, cases[c].modulo), &key, 1, &full), 0);
    ASSERT_EQ(ex_sort_new(&q, gen_new(&q, cases[c].rows, cases[c].modulo), &key, 1, &top), 0);
    ex_sort_set_limit(top, cases[c].bound);
    int64_t *a = malloc(sizeof(int64_t) * 2 * (size_t)cases[c].rows);
    int64_t *b = malloc(sizeof(int64_t) * 2 * (size_t)cases[c].rows);
    int64_t na, nb;
    ASSERT_EQ(drain(full, a, cases[c].rows, &na), 0);
    ASSERT_EQ(drain(top, b, cases[c].rows, &nb), 0);
    int64_t want = cases[c].bound < na ? cases[c].bound : na;
    if (nb != want)
      test_fail(__FILE__, __LINE__, "case %zu: %lld rows, expected %lld", c, (long long)nb,
                (long long)want);
    for (int64_t i = 0; i < 2 * nb && !test_failed_now(); i++)
      if (a[i] != b[i])
        test_fail(__FILE__, __LINE__, "case %zu: row %lld differs from the full sort", c,
                  (long long)(i / 2));
    /* The buffer stayed bounded: at most bound + max(bound, a batch) + the rows of one input. */
    int64_t slack = cases[c].bound > SBD_BATCH_ROWS ? cases[c].bound : SBD_BATCH_ROWS;
    int64_t peak = ex_sort_buffered_peak(top);
    if (peak > cases[c].bound + slack + 50000)
      test_fail(__FILE__, __LINE__, "case %zu: the top-N buffer held %lld rows", c,
                (long long)peak);
    free(a);
    free(b);
    ex_op_free(full);
    ex_op_free(top);
    arena_free(&q.arena);
    ASSERT_EQ(q.mem_bytes, 0);
  }
  sbd_ctx_free(ctx);
}

/* Statistics of a row group of 100 rows. */
static pq_column_stats ints(int64_t lo, int64_t hi, int64_t nulls) {
  return (pq_column_stats){.type = SBD_INT64,
                           .num_values = 100,
                           .has_null_count = nulls >= 0,
                           .null_count = nulls,
                           .has_min_max = true,
                           .min_i = lo,
                           .max_i = hi};
}
static pq_column_stats dbls(double lo, double hi) {
  return (pq_column_stats){.type = SBD_DOUBLE,
                           .num_values = 100,
                           .has_null_count = true,
                           .has_min_max = true,
                           .min_d = lo,
                           .max_d = hi};
}
static pq_column_stats strs(const char *lo, const char *hi) {
  return (pq_column_stats){.type = SBD_STRING,
                           .num_values = 100,
                           .has_null_count = true,
                           .has_min_max = true,
                           .min_s = lo,
                           .min_len = strlen(lo),
                           .max_s = hi,
                           .max_len = strlen(hi)};
}
static ex_value vi(int64_t i) {
  return (ex_value){.type = SBD_INT64, .i = i};
}
static ex_value vd(double d) {
  return (ex_value){.type = SBD_DOUBLE, .d = d};
}
static ex_value vs(const char *s) {
  return (ex_value){.type = SBD_STRING, .str = s, .len = strlen(s)};
}

TEST(prune_comparison_against_statistics) {
  pq_column_stats no_minmax = ints(0, 0, 5);
  no_minmax.has_min_max = false;
  pq_column_stats all_null = ints(0, 0, 100);
  all_null.has_min_max = false;
  pq_column_stats dates = ints(19000, 19010, 0);
  dates.type = SBD_DATE;
  pq_column_stats bytes_hi = strs("a", "\xc3\xa9"); /* 'é': above every ASCII byte */
  pq_column_stats far_dates = ints(2000000000, 2100000000, 0);
  far_dates.type = SBD_DATE;
  pq_column_stats no_nan = dbls(1.0, 2.0), one_nan = dbls(1.0, 2.0);
  no_nan.has_nan_count = one_nan.has_nan_count = true;
  one_nan.nan_count = 1;
  static const char *const ops[] = {"", "", "", "", "", "", "=", "<>", "<", "<=", ">", ">="};
  const struct {
    pq_column_stats st;
    ex_op_code op;
    sbd_type want;
    ex_value v;
    bool may_match;
  } cases[] = {
      /* INT64 [10, 20] */
      {ints(10, 20, 0), EX_EQ, SBD_INT64, vi(9), false},
      {ints(10, 20, 0), EX_EQ, SBD_INT64, vi(10), true},
      {ints(10, 20, 0), EX_EQ, SBD_INT64, vi(20), true},
      {ints(10, 20, 0), EX_EQ, SBD_INT64, vi(21), false},
      {ints(10, 20, 0), EX_LT, SBD_INT64, vi(10), false},
      {ints(10, 20, 0), EX_LT, SBD_INT64, vi(11), true},
      {ints(10, 20, 0), EX_LE, SBD_INT64, vi(10), true},
      {ints(10, 20, 0), EX_LE, SBD_INT64, vi(9), false},
      {ints(10, 20, 0), EX_GT, SBD_INT64, vi(20), false},
      {ints(10, 20, 0), EX_GT, SBD_INT64, vi(19), true},
      {ints(10, 20, 0), EX_GE, SBD_INT64, vi(20), true},
      {ints(10, 20, 0), EX_GE, SBD_INT64, vi(21), false},
      {ints(10, 20, 0), EX_NE, SBD_INT64, vi(10), true},
      {ints(7, 7, 0), EX_NE, SBD_INT64, vi(7), false},
      {ints(7, 7, 50), EX_NE, SBD_INT64, vi(7), false}, /* NULL <> 7 is NULL */
      {ints(7, 7, 0), EX_NE, SBD_INT64, vi(8), true},
      /* statistics absent, or only nulls */
      {no_minmax, EX_EQ, SBD_INT64, vi(1000), true},
      {all_null, EX_EQ, SBD_INT64, vi(0), false},
      {all_null, EX_NE, SBD_INT64, vi(0), false},
      {ints(10, 20, 0), EX_EQ, SBD_INT64, (ex_value){.type = SBD_INT64, .is_null = true}, false},
      /* INT64 column widened to DOUBLE */
      {ints(10, 20, 0), EX_GT, SBD_DOUBLE, vd(19.5), true},
      {ints(10, 20, 0), EX_GT, SBD_DOUBLE, vd(20.0), false},
      {ints(10, 20, 0), EX_LT, SBD_DOUBLE, vd(10.0), false},
      {ints(10, 20, 0), EX_EQ, SBD_DOUBLE, vd(10.5), true}, /* within the range: read */
      /* DOUBLE: NaN is greater than every number but left out of the statistics */
      {dbls(1.0, 2.0), EX_GT, SBD_DOUBLE, vd(5.0), true},
      {dbls(1.0, 2.0), EX_GE, SBD_DOUBLE, vd(5.0), true},
      {dbls(1.0, 2.0), EX_NE, SBD_DOUBLE, vd(1.0), true},
      {dbls(1.0, 2.0), EX_LT, SBD_DOUBLE, vd(1.0), false},
      {dbls(1.0, 2.0), EX_LE, SBD_DOUBLE, vd(0.5), false},
      {dbls(1.0, 2.0), EX_EQ, SBD_DOUBLE, vd(3.0), false},
      {dbls(1.0, 2.0), EX_EQ, SBD_DOUBLE, vd(NAN), true},
      {dbls(1.0, 2.0), EX_LT, SBD_DOUBLE, vd(NAN), true},
      /* ... unless the statistics count no NaN */
      {no_nan, EX_GT, SBD_DOUBLE, vd(5.0), false},
      {no_nan, EX_GE, SBD_DOUBLE, vd(2.0), true},
      {no_nan, EX_GE, SBD_DOUBLE, vd(2.5), false},
      {one_nan, EX_GT, SBD_DOUBLE, vd(5.0), true},
      {no_nan, EX_GT, SBD_DOUBLE, vd(NAN), true},
      {dbls(-0.0, 0.0), EX_EQ, SBD_DOUBLE, vd(0.0), true},
      {dbls(-0.0, 0.0), EX_EQ, SBD_DOUBLE, vd(-0.0), true},
      /* strings as unsigned bytes */
      {strs("b", "d"), EX_EQ, SBD_STRING, vs("a"), false},
      {strs("b", "d"), EX_EQ, SBD_STRING, vs("c"), true},
      {strs("b", "d"), EX_EQ, SBD_STRING, vs("da"), false},
      {strs("b", "d"), EX_LT, SBD_STRING, vs("b"), false},
      {strs("b", "d"), EX_GE, SBD_STRING, vs("d"), true},
      {strs("b", "d"), EX_GT, SBD_STRING, vs("d"), false},
      {strs("x", "x"), EX_NE, SBD_STRING, vs("x"), true}, /* bounds may be truncated */
      {bytes_hi, EX_EQ, SBD_STRING, vs("z"), true},
      {bytes_hi, EX_GT, SBD_STRING, vs("z"), true},
      {strs("a", "z"), EX_GT, SBD_STRING, vs("\xc3\xa9"), false},
      /* DATE, and DATE widened to TIMESTAMP */
      {dates, EX_EQ, SBD_DATE, (ex_value){.type = SBD_DATE, .date = 19011}, false},
      {dates, EX_EQ, SBD_DATE, (ex_value){.type = SBD_DATE, .date = 19010}, true},
      {dates, EX_GT, SBD_TIMESTAMP, (ex_value){.type = SBD_TIMESTAMP, .i = 19010 * 86400000000LL},
       false},
      {dates, EX_GT, SBD_TIMESTAMP,
       (ex_value){.type = SBD_TIMESTAMP, .i = 19010 * 86400000000LL - 1}, true},
      /* days beyond what a TIMESTAMP holds: nothing is known */
      {far_dates, EX_LT, SBD_TIMESTAMP, (ex_value){.type = SBD_TIMESTAMP, .i = 0}, true},
      /* a type the statistics are not in: read */
      {ints(10, 20, 0), EX_EQ, SBD_STRING, vs("5"), true},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    bool got = ex_prune_cmp_may_match(&cases[i].st, cases[i].op, cases[i].want, &cases[i].v);
    if (got != cases[i].may_match)
      test_fail(__FILE__, __LINE__, "case %zu (column %s const): may match %d, expected %d", i,
                ops[cases[i].op], got, cases[i].may_match);
  }
}

TEST(prune_null_checks_and_logic) {
  pq_column_stats none = ints(1, 2, 0), some = ints(1, 2, 3), all = ints(0, 0, 100),
                  unknown = ints(1, 2, -1);
  ASSERT_TRUE(!ex_prune_null_may_match(&none, false));
  ASSERT_TRUE(ex_prune_null_may_match(&some, false));
  ASSERT_TRUE(ex_prune_null_may_match(&some, true));
  ASSERT_TRUE(!ex_prune_null_may_match(&all, true));
  ASSERT_TRUE(ex_prune_null_may_match(&unknown, false));
  ASSERT_TRUE(ex_prune_null_may_match(&unknown, true));

  /* (c0 = 5 OR c0 = 30) AND c1 IS NULL, over c0 in [10, 20] and c1 without nulls. */
  ex_expr c0 = {.kind = EX_COLUMN, .type = SBD_INT64, .col = 0};
  ex_expr c1 = {.kind = EX_COLUMN, .type = SBD_INT64, .col = 1};
  ex_expr k5 = {.kind = EX_CONST, .type = SBD_INT64, .value = vi(5)};
  ex_expr k15 = {.kind = EX_CONST, .type = SBD_INT64, .value = vi(15)};
  ex_expr k30 = {.kind = EX_CONST, .type = SBD_INT64, .value = vi(30)};
  ex_expr *eq5_args[] = {&c0, &k5}, *eq30_args[] = {&k30, &c0}, *eq15_args[] = {&c0, &k15};
  ex_expr eq5 = {.kind = EX_CMP, .type = SBD_BOOL, .op = EX_EQ, .args = eq5_args, .nargs = 2};
  ex_expr eq30 = {.kind = EX_CMP, .type = SBD_BOOL, .op = EX_EQ, .args = eq30_args, .nargs = 2};
  ex_expr eq15 = {.kind = EX_CMP, .type = SBD_BOOL, .op = EX_EQ, .args = eq15_args, .nargs = 2};
  ex_expr *in_args[] = {&eq5, &eq30};
  ex_expr in = {.kind = EX_OR, .type = SBD_BOOL, .args = in_args, .nargs = 2};
  ex_expr *isnull_args[] = {&c1};
  ex_expr isnull = {.kind = EX_IS_NULL, .type = SBD_BOOL, .args = isnull_args, .nargs = 1};
  pq_column_stats cols[2] = {ints(10, 20, 0), ints(1, 2, 0)};
  ASSERT_TRUE(!ex_prune_may_match(&in, cols, 2)); /* neither 5 nor 30 is in [10, 20] */
  in_args[1] = &eq15;
  ASSERT_TRUE(ex_prune_may_match(&in, cols, 2));
  ex_expr *and_args[] = {&in, &isnull};
  ex_expr both = {.kind = EX_AND, .type = SBD_BOOL, .args = and_args, .nargs = 2};
  ASSERT_TRUE(!ex_prune_may_match(&both, cols, 2)); /* c1 has no NULL */
  cols[1] = ints(1, 2, 1);
  ASSERT_TRUE(ex_prune_may_match(&both, cols, 2));
  /* 30 > c0 (constant on the left) over [10, 20]: may; 5 > c0: cannot. */
  ex_expr gt = {.kind = EX_CMP, .type = SBD_BOOL, .op = EX_GT, .args = eq30_args, .nargs = 2};
  ASSERT_TRUE(ex_prune_may_match(&gt, cols, 2));
  ex_expr *five_gt_args[] = {&k5, &c0};
  gt.args = five_gt_args;
  ASSERT_TRUE(!ex_prune_may_match(&gt, cols, 2));
  /* A NOT is not understood: may match. */
  ex_expr *not_args[] = {&gt};
  ex_expr not_ = {.kind = EX_NOT, .type = SBD_BOOL, .args = not_args, .nargs = 1};
  ASSERT_TRUE(ex_prune_may_match(&not_, cols, 2));
}

TEST(limit_closes_its_input_once_satisfied) {
  static const struct {
    int64_t limit, offset;
  } cases[] = {
      {10, 0},     /* within the first batch of 50000 */
      {50000, 0},  /* exactly one batch */
      {10, 60000}, /* skipped rows are read, then it stops */
      {1, 199999}, /* a row of the fourth batch */
  };
  sbd_ctx *ctx = sbd_ctx_new();
  for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
    ex_query q = {.ctx = ctx};
    int freed = 0;
    ex_op *gen = gen_new(&q, 1000000, 13);
    ((gen_op *)gen)->freed = &freed;
    ex_op *lim;
    ASSERT_EQ(ex_limit_new(&q, gen, cases[c].limit, cases[c].offset, &lim), 0);
    int64_t rows = 0;
    for (;;) {
      sbd_batch *b;
      ASSERT_EQ(ex_op_next(lim, &b), 0);
      if (!b)
        break;
      rows += b->nrows;
      sbd_batch_free(b);
      /* Once the last row is out, the input is closed, before the caller asks again. */
      if (rows == cases[c].limit && !freed)
        test_fail(__FILE__, __LINE__, "case %zu: the input is still open after the last row", c);
    }
    ASSERT_EQ(rows, cases[c].limit);
    ASSERT_EQ(freed, 1);
    ex_op_free(lim);
  }
  sbd_ctx_free(ctx);
}
