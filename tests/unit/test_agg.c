/*
 * test_agg.c — the aggregate states merge as if one table had seen every row: the same
 * rows aggregated by one table, and split into two morsels aggregated by two tables merged in
 * the reverse order (as a parallel run may), must give the same answers, including the
 * order-carrying first/last/string_agg and the DISTINCT sets; doubles to 1e-9 relative (the
 * values sit near 1e6 with a spread of a few units, so a merged variance differs in its last
 * dozen bits).
 */
#include "exec/agg_int.h"
#include "test.h"

#include <math.h>
#include <stdlib.h>

#define NROWS 1000
#define NKEYS 3

static const ex_agg_spec specs[] = {
    {.kind = EX_AGG_VAR_SAMP, .type = SBD_DOUBLE, .text = "variance(x)"},
    {.kind = EX_AGG_CORR, .type = SBD_DOUBLE, .text = "corr(x, y)"},
    {.kind = EX_AGG_QUANTILE, .param = 0.3, .type = SBD_DOUBLE, .text = "quantile_cont(x, 0.3)"},
    {.kind = EX_AGG_FIRST, .type = SBD_DOUBLE, .text = "first(x)"},
    {.kind = EX_AGG_LAST, .type = SBD_STRING, .text = "last(s)"},
    {.kind = EX_AGG_STRING_AGG,
     .sep = "-",
     .sep_len = 1,
     .type = SBD_STRING,
     .text = "string_agg(s, '-')"},
    {.kind = EX_AGG_SUM_DISTINCT, .type = SBD_INT64, .text = "sum(DISTINCT y)"},
    {.kind = EX_AGG_APPROX_DISTINCT, .type = SBD_INT64, .text = "approx_count_distinct(y)"},
    {.kind = EX_AGG_STDDEV_POP, .type = SBD_DOUBLE, .text = "stddev_pop(x)"},
};
#define NAGGS ((int)(sizeof(specs) / sizeof(specs[0])))

/* The arguments of each aggregate over rows [from, to): x (DOUBLE), y (INT64), s (STRING). */
typedef struct morsel {
  sbd_vec *key, *x, *y, *s;
} morsel;

static morsel make_morsel(sbd_ctx *ctx, int from, int to) {
  morsel m = {vec_new(ctx, SBD_INT64, NROWS), vec_new(ctx, SBD_DOUBLE, NROWS),
              vec_new(ctx, SBD_INT64, NROWS), vec_new(ctx, SBD_STRING, NROWS)};
  for (int i = from; i < to; i++) {
    char buf[16];
    vec_push_i64(m.key, i % NKEYS);
    vec_push_f64(m.x, (double)(i * 37 % 101) / 7 + 1e6);
    vec_push_i64(m.y, i % 13 * (i % 2 ? 1 : -1));
    vec_push_str(ctx, m.s, buf, (size_t)snprintf(buf, sizeof(buf), "s%d", i));
  }
  return m;
}

static void free_morsel(morsel *m) {
  vec_free(m->key);
  vec_free(m->x);
  vec_free(m->y);
  vec_free(m->s);
}

static void aggregate(agg_table *t, const morsel *m, int64_t seq0) {
  int64_t n = m->key->len;
  uint64_t *h = malloc(sizeof(uint64_t) * (size_t)n);
  int64_t *gid = malloc(sizeof(int64_t) * (size_t)n);
  sbd_vec *keys[1] = {m->key};
  agg_hash_keys(keys, 1, n, h);
  ASSERT_EQ(agg_table_find(t, keys, n, h, gid), SBD_OK);
  for (int j = 0; j < NAGGS; j++) {
    const sbd_vec *arg =
        specs[j].kind == EX_AGG_LAST || specs[j].kind == EX_AGG_STRING_AGG                ? m->s
        : specs[j].kind == EX_AGG_SUM_DISTINCT || specs[j].kind == EX_AGG_APPROX_DISTINCT ? m->y
                                                                                          : m->x;
    ASSERT_EQ(agg_col_update(t, j, arg, m->y, gid, n, seq0), SBD_OK);
  }
  free(h);
  free(gid);
}

/* The value of aggregate j for the group whose key is `key`, as text. */
static void result_text(agg_table *t, int j, int64_t key, char *out, size_t cap) {
  const int64_t *k = t->keys[0]->values;
  int64_t g = 0;
  while (g < t->ngroups && k[g] != key)
    g++;
  sbd_vec *v = NULL;
  if (g == t->ngroups || agg_col_result(t, j, g, 1, &v) != SBD_OK) {
    snprintf(out, cap, "error: %s", t->tctx.errmsg);
  } else if (!vec_is_valid(v, 0)) {
    snprintf(out, cap, "NULL");
  } else if (v->type == SBD_DOUBLE) {
    snprintf(out, cap, "%.17g", ((const double *)v->values)[0]);
  } else if (v->type == SBD_INT64) {
    snprintf(out, cap, "%lld", (long long)((const int64_t *)v->values)[0]);
  } else {
    size_t len;
    const char *s = vec_str(v, 0, &len);
    snprintf(out, cap, "%.*s", (int)(len < cap - 1 ? len : cap - 1), s);
  }
  vec_free(v);
}

static bool same(const char *a, const char *b) {
  char *ea, *eb;
  double x = strtod(a, &ea), y = strtod(b, &eb);
  if (*ea || *eb || ea == a || eb == b)
    return strcmp(a, b) == 0;
  return x == y || fabs(x - y) <= 1e-9 * fmax(fabs(x), fabs(y));
}

TEST(agg_states_merge_as_one_table) {
  sbd_ctx *ctx = sbd_ctx_new();
  sbd_type key_type = SBD_INT64;
  agg_table *one = agg_table_new(ctx, &key_type, 1, specs, NAGGS);
  agg_table *early = agg_table_new(ctx, &key_type, 1, specs, NAGGS);
  agg_table *late = agg_table_new(ctx, &key_type, 1, specs, NAGGS);
  agg_table *merged = agg_table_new(ctx, &key_type, 1, specs, NAGGS);
  ASSERT_TRUE(one && early && late && merged);
  morsel first = make_morsel(ctx, 0, 600), second = make_morsel(ctx, 600, NROWS);
  aggregate(one, &first, 0);
  aggregate(one, &second, SBD_BATCH_ROWS);
  aggregate(early, &first, 0);
  aggregate(late, &second, SBD_BATCH_ROWS);
  /* The later morsel's table is merged first. */
  agg_table *srcs[2] = {late, early};
  for (int w = 0; w < 2; w++) {
    ASSERT_EQ(agg_table_prepare(srcs[w]), SBD_OK);
    for (int64_t g = 0; g < srcs[w]->ngroups; g++) {
      int64_t d;
      sbd_vec *keys[1] = {srcs[w]->keys[0]};
      uint64_t h;
      sbd_vec *one_key = vec_new(ctx, SBD_INT64, 1);
      vec_push_i64(one_key, ((const int64_t *)keys[0]->values)[g]);
      agg_hash_keys(&one_key, 1, 1, &h);
      ASSERT_EQ(agg_table_find(merged, &one_key, 1, &h, &d), SBD_OK);
      vec_free(one_key);
      ASSERT_EQ(agg_merge_group(merged, d, srcs[w], g), SBD_OK);
    }
  }
  ASSERT_EQ(agg_table_prepare(one), SBD_OK);
  ASSERT_EQ(agg_table_prepare(merged), SBD_OK);
  for (int64_t key = 0; key < NKEYS; key++)
    for (int j = 0; j < NAGGS; j++) {
      char want[8192], got[8192];
      result_text(one, j, key, want, sizeof(want));
      result_text(merged, j, key, got, sizeof(got));
      if (!same(want, got))
        test_fail(__FILE__, __LINE__, "key %lld, %s: one table %.60s, merged %.60s", (long long)key,
                  specs[j].text, want, got);
    }
  /* A few values checked by hand: the first row of key 1 is row 1, the last row 997. */
  char buf[8192];
  result_text(merged, 3, 1, buf, sizeof(buf));
  ASSERT_TRUE(same(buf, "1000005.2857142857"));
  result_text(merged, 4, 1, buf, sizeof(buf));
  ASSERT_TRUE(strcmp(buf, "s997") == 0);
  result_text(merged, 5, 0, buf, sizeof(buf));
  ASSERT_TRUE(strncmp(buf, "s0-s3-s6-s9-", 12) == 0);
  result_text(merged, 7, 2, buf, sizeof(buf));
  ASSERT_TRUE(labs(atol(buf) - 25) <= 1); /* y takes -12..12: 25 values */
  free_morsel(&first);
  free_morsel(&second);
  agg_table_free(one);
  agg_table_free(early);
  agg_table_free(late);
  agg_table_free(merged);
  sbd_ctx_free(ctx);
}
