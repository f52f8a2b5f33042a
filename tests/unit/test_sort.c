/*
 * test_sort.c — ORDER BY's sort (sort.c: radix passes over key prefixes, full comparisons only
 * inside runs of equal prefixes) against a plain reference: a stable insertion sort by the full
 * comparison, over keys made to defeat the prefixes (strings equal in their first 8 bytes, NULLs
 * beside INT64_MIN and INT64_MAX, -0.0, NaN, many ties), in every direction and NULL placement.
 */
#include "exec/exec_int.h"
#include "test.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Three key columns (INT64, STRING, DOUBLE) and the row number, in one batch. */
typedef struct sort_gen {
  ex_op op;
  int64_t rows;
  bool done;
} sort_gen;

static const int64_t ints[] = {INT64_MIN, INT64_MAX, 0, -1, 1, 7};
static const char *strs[] = {"", "abcdefgh", "abcdefghi", "abcdefghj", "abcdefgh\\0", "b", "abc"};
static const double dbls[] = {-0.0, 0.0, 1.5, -1.5, INFINITY, -INFINITY};

static sbd_status sort_gen_next(ex_op *op, sbd_batch **out) {
  sort_gen *g = (sort_gen *)op;
  if (g->done)
    return SBD_OK;
  g->done = true;
  sbd_ctx *ctx = op->q->ctx;
  sbd_batch *b = batch_new(ctx, op->schema, g->rows);
  if (!b)
    return SBD_ENOMEM;
  uint64_t x = 88172645463325252ull;
  for (int64_t i = 0; i < g->rows; i++) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    if (x % 9 == 0)
      vec_push_null(ctx, b->cols[0]);
    else
      vec_push_i64(b->cols[0], ints[x % 6]);
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    const char *s = strs[x % 7];
    if (x % 11 == 0)
      vec_push_null(ctx, b->cols[1]);
    else if (vec_push_str(ctx, b->cols[1], s, strlen(s)) != SBD_OK)
      return SBD_ENOMEM;
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    if (x % 10 == 0)
      vec_push_null(ctx, b->cols[2]);
    else
      vec_push_f64(b->cols[2], x % 10 == 1 ? NAN : dbls[x % 6]);
    vec_push_i64(b->cols[3], i);
  }
  b->nrows = g->rows;
  *out = b;
  return SBD_OK;
}

static const ex_op_vt sort_gen_vt = {"gen", sort_gen_next, NULL};

static ex_op *sort_gen_new(ex_query *q, int64_t rows) {
  sort_gen *g = calloc(1, sizeof(*g));
  g->op.vt = &sort_gen_vt;
  g->op.q = q;
  g->op.schema = schema_new(q->ctx, 4);
  schema_set(q->ctx, g->op.schema, 0, "i", SBD_INT64);
  schema_set(q->ctx, g->op.schema, 1, "s", SBD_STRING);
  schema_set(q->ctx, g->op.schema, 2, "d", SBD_DOUBLE);
  schema_set(q->ctx, g->op.schema, 3, "row", SBD_INT64);
  g->rows = rows;
  return &g->op;
}

/* The reference comparison of rows i and j of cols on keys. */
static int ref_compare(sbd_vec *const *cols, const ex_sort_key *keys, int nkeys, int64_t i,
                       int64_t j) {
  for (int k = 0; k < nkeys; k++) {
    const sbd_vec *v = cols[keys[k].col];
    bool vi = vec_is_valid(v, i), vj = vec_is_valid(v, j);
    if (!vi || !vj) {
      if (vi == vj)
        continue;
      return (!vi) == keys[k].nulls_first ? -1 : 1;
    }
    int c = ex_vec_compare(v, i, v, j);
    if (c)
      return keys[k].desc ? -c : c;
  }
  return 0;
}

TEST(sort_equals_a_stable_reference_sort) {
  static const struct {
    int cols[3];
    int nkeys;
  } orders[] = {{{0}, 1},    {{1}, 1},       {{2}, 1},   {{0, 1}, 2},
                {{1, 2}, 2}, {{1, 0, 2}, 3}, {{2, 0}, 2}};
  const int64_t rows = 3000;
  sbd_ctx *ctx = sbd_ctx_new();
  for (size_t o = 0; o < sizeof(orders) / sizeof(orders[0]); o++) {
    for (int flags = 0; flags < 4; flags++) {
      ex_query q = {.ctx = ctx};
      arena_init(&q.arena, 4096);
      ex_sort_key keys[3];
      for (int k = 0; k < orders[o].nkeys; k++)
        keys[k] = (ex_sort_key){orders[o].cols[k], (flags + k) & 1, ((flags >> 1) + k) & 1};
      /* The reference: the generator's rows, insertion sorted. */
      ex_op *in = sort_gen_new(&q, rows);
      sbd_batch *b;
      ASSERT_EQ(ex_op_next(in, &b), 0);
      int64_t *want = malloc(sizeof(int64_t) * (size_t)rows);
      for (int64_t i = 0; i < rows; i++) {
        int64_t j = i;
        while (j > 0 && ref_compare(b->cols, keys, orders[o].nkeys, want[j - 1], i) > 0) {
          want[j] = want[j - 1];
          j--;
        }
        want[j] = i;
      }
      sbd_batch_free(b);
      ex_op_free(in);
      ex_op *sort;
      ASSERT_EQ(ex_sort_new(&q, sort_gen_new(&q, rows), keys, orders[o].nkeys, &sort), 0);
      int64_t n = 0;
      for (;;) {
        ASSERT_EQ(ex_op_next(sort, &b), 0);
        if (!b)
          break;
        for (int64_t i = 0; i < b->nrows && n < rows; i++, n++) {
          int64_t got = ((const int64_t *)b->cols[3]->values)[i];
          CHECK(got == want[n] || test_failed_now(),
                "order %zu, flags %d: position %lld holds row %lld, expected row %lld", o, flags,
                (long long)n, (long long)got, (long long)want[n]);
        }
        sbd_batch_free(b);
      }
      CHECK(n == rows, "order %zu: %lld rows", o, (long long)n);
      free(want);
      ex_op_free(sort);
      arena_free(&q.arena);
    }
  }
  sbd_ctx_free(ctx);
}
