/*
 * test_batch_slice.c — the public batch helpers the sbd command relies on: sbd_batch_slice (rows
 * copied with their nulls and empty strings) and sbd_batch_value_text (the CSV writer's spelling
 * of every type, NULL as -1, truncation like snprintf).
 */
#include "test.h"

#include "core/core_int.h"

#include <stdlib.h>

/* A batch of 5 rows: INT64 with a null, STRING with an empty string and a null, and one column of
 * each other type. */
static sbd_batch *sample_batch(sbd_ctx *ctx) {
  sbd_schema *s;
  if (schema_parse(ctx, "i:INT64,s:STRING,b:BOOL,d:DOUBLE,day:DATE,ts:TIMESTAMP", &s) != SBD_OK)
    return NULL;
  sbd_batch *b = batch_new(ctx, s, 5);
  schema_unref(s);
  if (!b)
    return NULL;
  static const char *const strs[] = {"a", "", NULL, "dd", "e,\"f\""};
  for (int r = 0; r < 5; r++) {
    if (r == 1)
      vec_push_null(ctx, b->cols[0]);
    else
      vec_push_i64(b->cols[0], r * 10);
    if (strs[r])
      vec_push_str(ctx, b->cols[1], strs[r], strlen(strs[r]));
    else
      vec_push_null(ctx, b->cols[1]);
    vec_push_bool(b->cols[2], r % 2 == 0);
    vec_push_f64(b->cols[3], r + 0.5);
    vec_push_i32(b->cols[4], 19000 + r);
    vec_push_i64(b->cols[5], INT64_C(1700000000000000) + r * 250000);
  }
  batch_seal(b);
  return b;
}

TEST(batch_slice_copies_rows_and_nulls) {
  sbd_ctx *ctx = sbd_ctx_new();
  sbd_batch *b = sample_batch(ctx);
  ASSERT_TRUE(b != NULL);
  sbd_batch *s = NULL;
  ASSERT_EQ(sbd_batch_slice(ctx, b, 1, 3, &s), SBD_OK);
  ASSERT_EQ(sbd_batch_nrows(s), 3);
  ASSERT_EQ(sbd_batch_ncols(s), 6);
  char buf[64];
  ASSERT_EQ(sbd_batch_value_text(s, 0, 0, buf, sizeof(buf)), -1); /* the null INT64 */
  ASSERT_STR_EQ(buf, "");
  ASSERT_EQ(sbd_batch_value_text(s, 0, 1, buf, sizeof(buf)), 2);
  ASSERT_STR_EQ(buf, "20");
  ASSERT_EQ(sbd_batch_value_text(s, 1, 0, buf, sizeof(buf)), 0); /* the empty string */
  ASSERT_EQ(sbd_batch_value_text(s, 1, 1, buf, sizeof(buf)), -1);
  ASSERT_EQ(sbd_batch_value_text(s, 1, 2, buf, sizeof(buf)), 2);
  ASSERT_STR_EQ(buf, "dd");
  /* The slice outlives its source. */
  sbd_batch_free(b);
  ASSERT_EQ(sbd_batch_value_text(s, 2, 1, buf, sizeof(buf)), 4);
  ASSERT_STR_EQ(buf, "true");
  sbd_batch_free(s);
  sbd_ctx_free(ctx);
}

TEST(batch_slice_bounds) {
  sbd_ctx *ctx = sbd_ctx_new();
  sbd_batch *b = sample_batch(ctx);
  ASSERT_TRUE(b != NULL);
  static const struct {
    int64_t offset, nrows;
    sbd_status status;
  } cases[] = {{0, 5, SBD_OK},      {5, 0, SBD_OK},     {0, 0, SBD_OK},     {4, 2, SBD_EUSAGE},
               {-1, 1, SBD_EUSAGE}, {6, 0, SBD_EUSAGE}, {0, -1, SBD_EUSAGE}};
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    sbd_batch *s = NULL;
    sbd_status st = sbd_batch_slice(ctx, b, cases[i].offset, cases[i].nrows, &s);
    CHECK(st == cases[i].status, "slice(%lld, %lld): status %d, expected %d",
          (long long)cases[i].offset, (long long)cases[i].nrows, st, cases[i].status);
    if (st == SBD_OK)
      CHECK(sbd_batch_nrows(s) == cases[i].nrows, "slice(%lld, %lld): %lld rows",
            (long long)cases[i].offset, (long long)cases[i].nrows, (long long)sbd_batch_nrows(s));
    else
      CHECK(s == NULL && strstr(sbd_errmsg(ctx), "outside a batch of 5 rows"),
            "slice(%lld, %lld): message \"%s\"", (long long)cases[i].offset,
            (long long)cases[i].nrows, sbd_errmsg(ctx));
    sbd_batch_free(s);
  }
  sbd_batch_free(b);
  sbd_ctx_free(ctx);
}

TEST(batch_value_text_spelling) {
  sbd_ctx *ctx = sbd_ctx_new();
  sbd_batch *b = sample_batch(ctx);
  ASSERT_TRUE(b != NULL);
  static const struct {
    int col;
    int64_t row;
    const char *text;
  } cases[] = {
      {0, 4, "40"},
      {1, 4, "e,\"f\""},
      {2, 1, "false"},
      {3, 2, "2.5"},
      {4, 0, "2022-01-08"},
      {5, 0, "2023-11-14 22:13:20"},
      {5, 1, "2023-11-14 22:13:20.25"},
  };
  char buf[64];
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    int64_t n = sbd_batch_value_text(b, cases[i].col, cases[i].row, buf, sizeof(buf));
    CHECK(n == (int64_t)strlen(cases[i].text) && strcmp(buf, cases[i].text) == 0,
          "col %d row %lld: \"%s\" (%lld), expected \"%s\"", cases[i].col, (long long)cases[i].row,
          buf, (long long)n, cases[i].text);
  }
  /* Truncated like snprintf: the whole length is returned. */
  ASSERT_EQ(sbd_batch_value_text(b, 5, 1, buf, 5), 22);
  ASSERT_STR_EQ(buf, "2023");
  ASSERT_EQ(sbd_batch_value_text(b, 1, 4, NULL, 0), 5);
  sbd_batch_free(b);
  sbd_ctx_free(ctx);
}
