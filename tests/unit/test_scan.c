/*
 * test_scan.c — reading less and stopping early: the top-N sort (a bounded buffer that must give
 * what the full sort gives, ties in input order) and the statistics-based pruning decision.
 */
#include "exec/exec_int.h"
#include "test.h"

#include <stdlib.h>

/* A leaf operator handing out rows (key, seq) with key = (seq * 7919) % modulo, in batches. */
typedef struct gen_op {
  ex_op op;
  int64_t next, rows, modulo;
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

static const ex_op_vt gen_vt = {"gen", gen_next, NULL};

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
