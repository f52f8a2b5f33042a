/*
 * test_store_repo.c — the feature store through its public C API (sbd.h), as the Python binding
 * will call it: an example repository in a temporary folder, calculated, read back with the
 * issue's selection, listed, and garbage-collected; each result checked against the data.
 */
#include "sbd.h"
#include "test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The rows of a reader and the text of column col, row row (of the first batch). */
static int64_t drain(sbd_reader *r, int col, int64_t row, char *text, size_t cap) {
  int64_t rows = 0;
  sbd_batch *b;
  text[0] = 0;
  while (sbd_reader_next(r, &b) == SBD_OK && b) {
    if (row >= rows && row < rows + sbd_batch_nrows(b))
      sbd_batch_value_text(b, col, row - rows, text, cap);
    rows += sbd_batch_nrows(b);
    sbd_batch_free(b);
  }
  return rows;
}

TEST(store_repo_api) {
  char dir[] = "/tmp/sbd-store-unit-XXXXXX";
  ASSERT_TRUE(mkdtemp(dir) != NULL);
  sbd_ctx *ctx = sbd_ctx_new();
  ASSERT_EQ(sbd_repo_init(ctx, dir, 1), SBD_OK);
  ASSERT_EQ(sbd_repo_init(ctx, dir, 1), SBD_EUSAGE); /* never replaces sbd.yaml */
  sbd_repo *repo = NULL;
  sbd_status st = sbd_repo_open(ctx, dir, &repo);
  if (st != SBD_OK)
    test_fail(__FILE__, __LINE__, "open: %s", sbd_errmsg(ctx));
  ASSERT_EQ(st, SBD_OK);

  const char *const *names;
  int n;
  ASSERT_EQ(sbd_repo_group_names(repo, &names, &n), SBD_OK);
  ASSERT_EQ(n, 2);
  ASSERT_STR_EQ(names[0], "customer");
  ASSERT_STR_EQ(names[1], "customer_segment");

  int64_t version;
  int written;
  for (int i = 0; i < n; i++) {
    st = sbd_repo_calculate(repo, names[i], 0, -1, &version, &written);
    if (st != SBD_OK)
      test_fail(__FILE__, __LINE__, "calculate %s: %s", names[i], sbd_errmsg(ctx));
    ASSERT_EQ(version, 1);
    ASSERT_EQ(written, 1);
  }
  ASSERT_EQ(sbd_repo_calculate(repo, "customer", 0, -1, &version, &written), SBD_OK);
  ASSERT_EQ(written, 0); /* up to date */
  ASSERT_EQ(sbd_repo_calculate(repo, "customer", SBD_CALC_FORCE, -1, &version, &written), SBD_OK);
  ASSERT_EQ(version, 2);
  ASSERT_EQ(sbd_repo_calculate(repo, "nope", 0, -1, &version, &written), SBD_ENOTFOUND);
  CHECK(strstr(sbd_errmsg(ctx), "no group 'nope'") != NULL, "message: %s", sbd_errmsg(ctx));

  /* The selection: distance and gender of customers aged 30 or more. */
  const char *features[] = {"distance", "gender"};
  const char *exclude[] = {"*"};
  const char *filters[] = {"age >= 30"};
  sbd_get_request req = {"customer", features, 2, exclude, 1, filters, 1, 0, -1};
  sbd_reader *r = NULL;
  st = sbd_repo_get(repo, &req, &r);
  if (st != SBD_OK)
    test_fail(__FILE__, __LINE__, "get: %s", sbd_errmsg(ctx));
  ASSERT_EQ(st, SBD_OK);
  const sbd_schema *s = sbd_reader_schema(r);
  ASSERT_EQ(sbd_schema_ncols(s), 3);
  ASSERT_STR_EQ(sbd_schema_name(s, 0), "id");
  ASSERT_STR_EQ(sbd_schema_name(s, 1), "distance");
  ASSERT_STR_EQ(sbd_schema_name(s, 2), "gender");
  char text[64];
  int64_t got = drain(r, 0, 0, text, sizeof(text));
  sbd_reader_close(r);
  /* The same count straight from the source, through a repository query. */
  ASSERT_EQ(sbd_repo_query(repo, "SELECT count(*) FROM customers WHERE age >= 30", &r), SBD_OK);
  char want[64];
  ASSERT_EQ(drain(r, 0, 0, want, sizeof(want)), 1);
  sbd_reader_close(r);
  ASSERT_EQ(got, atoll(want));
  CHECK(got > 0, "no rows");

  /* Listings: two groups; versions 1 and 2 of customer, then only 2 after gc. */
  ASSERT_EQ(sbd_repo_groups(repo, &r), SBD_OK);
  ASSERT_EQ(drain(r, 0, 1, text, sizeof(text)), 2);
  ASSERT_STR_EQ(text, "customer_segment");
  sbd_reader_close(r);
  ASSERT_EQ(sbd_repo_versions(repo, "customer", &r), SBD_OK);
  ASSERT_EQ(drain(r, 0, 1, text, sizeof(text)), 2);
  ASSERT_STR_EQ(text, "2");
  sbd_reader_close(r);
  int64_t removed;
  ASSERT_EQ(sbd_repo_gc(repo, 1, &removed), SBD_OK);
  ASSERT_EQ(removed, 1);
  ASSERT_EQ(sbd_repo_versions(repo, "customer", &r), SBD_OK);
  ASSERT_EQ(drain(r, 0, 0, text, sizeof(text)), 1);
  ASSERT_STR_EQ(text, "2");
  sbd_reader_close(r);
  req.version = 1;
  ASSERT_EQ(sbd_repo_get(repo, &req, &r), SBD_ENOTFOUND);

  char *desc = NULL;
  ASSERT_EQ(sbd_repo_describe(repo, "customer_segment", &desc), SBD_OK);
  CHECK(strstr(desc, "reads:       customer") != NULL, "describe: %s", desc);
  sbd_free(desc);
  char *ddl = NULL;
  ASSERT_EQ(sbd_repo_export_ddl(repo, "trino", "s3://b/store", "fs", &ddl), SBD_OK);
  CHECK(strstr(ddl, "external_location = 's3://b/store/customer'") != NULL, "ddl: %s", ddl);
  sbd_free(ddl);
  ASSERT_EQ(sbd_repo_export_ddl(repo, "oracle", NULL, NULL, &ddl), SBD_EUSAGE);

  sbd_repo_close(repo);
  sbd_ctx_free(ctx);
  char cmd[128];
  snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
  CHECK(system(cmd) == 0, "cannot remove %s", dir);
}

/* The first value of column 0 in each batch of r, and the last: the key range it read. */
static int64_t key_range(sbd_reader *r, int64_t *first, int64_t *last) {
  int64_t rows = 0;
  sbd_batch *b;
  char text[64];
  while (sbd_reader_next(r, &b) == SBD_OK && b) {
    if (rows == 0 && sbd_batch_nrows(b) > 0) {
      sbd_batch_value_text(b, 0, 0, text, sizeof(text));
      *first = atoll(text);
    }
    if (sbd_batch_nrows(b) > 0) {
      sbd_batch_value_text(b, 0, sbd_batch_nrows(b) - 1, text, sizeof(text));
      *last = atoll(text);
    }
    rows += sbd_batch_nrows(b);
    sbd_batch_free(b);
  }
  return rows;
}

/* part_rows: 300 splits the example's 1000 customers into parts of 300, 300, 300 and 100 rows in
 * key order, each readable alone, and all of them together as before. */
TEST(store_repo_parts) {
  char dir[] = "/tmp/sbd-store-parts-XXXXXX";
  ASSERT_TRUE(mkdtemp(dir) != NULL);
  sbd_ctx *ctx = sbd_ctx_new();
  ASSERT_EQ(sbd_repo_init(ctx, dir, 1), SBD_OK);
  char path[256];
  snprintf(path, sizeof(path), "%s/sbd.yaml", dir);
  FILE *f = fopen(path, "a");
  ASSERT_TRUE(f != NULL);
  fputs("part_rows: 300\n", f);
  fclose(f);
  sbd_repo *repo = NULL;
  ASSERT_EQ(sbd_repo_open(ctx, dir, &repo), SBD_OK);
  int64_t version, nparts;
  int written;
  ASSERT_EQ(sbd_repo_calculate(repo, "customer", 0, -1, &version, &written), SBD_OK);
  ASSERT_EQ(sbd_repo_parts(repo, "customer", 0, &version, &nparts), SBD_OK);
  ASSERT_EQ(version, 1);
  ASSERT_EQ(nparts, 4);
  const char *filters[] = {"age >= 0"};
  sbd_get_request req = {"customer", NULL, 0, NULL, 0, filters, 1, 0, -1};
  sbd_reader *r = NULL;
  int64_t first = -1, last = -1, prev_last = -1, total = 0;
  ASSERT_EQ(sbd_repo_get(repo, &req, &r), SBD_OK);
  ASSERT_EQ(key_range(r, &first, &last), 1000);
  sbd_reader_close(r);
  static const int64_t want_rows[] = {300, 300, 300, 100};
  for (int64_t k = 0; k < nparts; k++) {
    req.part = k;
    ASSERT_EQ(sbd_repo_get(repo, &req, &r), SBD_OK);
    int64_t got = key_range(r, &first, &last);
    sbd_reader_close(r);
    ASSERT_EQ(got, want_rows[k]);
    CHECK(first > prev_last, "part %lld starts at key %lld, not after %lld", (long long)k,
          (long long)first, (long long)prev_last);
    prev_last = last;
    total += got;
  }
  ASSERT_EQ(total, 1000);
  req.part = 4;
  ASSERT_EQ(sbd_repo_get(repo, &req, &r), SBD_ENOTFOUND);
  CHECK(strstr(sbd_errmsg(ctx), "has no part 4 (parts 0 to 3)") != NULL, "message: %s",
        sbd_errmsg(ctx));
  ASSERT_EQ(sbd_repo_parts(repo, "customer", 9, &version, &nparts), SBD_ENOTFOUND);
  ASSERT_EQ(sbd_repo_parts(repo, "customer_segment", 0, &version, &nparts), SBD_ENOTFOUND);
  CHECK(strstr(sbd_errmsg(ctx), "has no version yet") != NULL, "message: %s", sbd_errmsg(ctx));
  sbd_repo_close(repo);
  sbd_ctx_free(ctx);
  char cmd[128];
  snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
  CHECK(system(cmd) == 0, "cannot remove %s", dir);
}
