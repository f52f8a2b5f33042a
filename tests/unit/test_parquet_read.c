/*
 * test_parquet_read.c — the Parquet reader: files written by sbd's writer under every codec,
 * encoding and page version are read back and compared value by value and null by null;
 * projection, the schema option, row-group pruning by statistics, empty files, options, and
 * corrupt files (truncated, bad magic, bad footer length, a lying page header, a page that does
 * not decompress, a dictionary index out of range, and every byte of a small file flipped), which
 * must give an error naming the file and never crash. Files other engines write are read in
 * tests/interop/.
 */
#include "io/parquet/pq_int.h"
#include "test.h"

#include <math.h>
#include <stdlib.h>
#include <unistd.h>

/* ---- the table written and expected
 * ------------------------------------------------------------*/

enum { C_ID, C_X, C_S, C_B, C_D, C_TS, C_NUL, C_CAT, C_BIG, NCOLS };
static const char *const table_schema = "id:INT64,x:DOUBLE,s:STRING,b:BOOL,d:DATE,ts:TIMESTAMP,"
                                        "nul:STRING,cat:STRING,big:INT64";

static uint64_t mix(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdull;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ull;
  return x ^ (x >> 33);
}

static bool cell_null(int col, int64_t r) {
  uint64_t h = mix((uint64_t)r * 16 + (uint64_t)col);
  switch (col) {
  case C_ID:
    return false;
  case C_NUL:
    return true;
  case C_TS:
    return (r / 700) % 3 == 1; /* long runs of nulls, and of values */
  case C_BIG:
    return h % 50 == 0;
  default:
    return h % 7 == 0;
  }
}

static int64_t cell_int(int col, int64_t r) {
  uint64_t h = mix((uint64_t)r * 16 + (uint64_t)col + 1000);
  switch (col) {
  case C_ID:
    return r;
  case C_B:
    return (int64_t)(h & 1);
  case C_D:
    return (int64_t)(h % 200000) - 100000; /* days either side of 1970 */
  case C_TS:
    return (int64_t)(h % 4000000000000000ull) - 2000000000000000LL;
  default: /* C_BIG: the whole int64 range, and its ends */
    return r % 97 == 1 ? INT64_MIN : r % 97 == 2 ? INT64_MAX : (int64_t)h;
  }
}

static double cell_double(int64_t r) {
  uint64_t h = mix((uint64_t)r * 16 + 77);
  switch (r % 11) {
  case 0:
    return NAN;
  case 1:
    return -0.0;
  case 2:
    return r % 3 ? INFINITY : -INFINITY;
  case 3:
    return 5e-324;
  default:
    return ((double)(int64_t)(h % 2000001) - 1000000) / 64.0 * ((r % 5) ? 1 : 1e300);
  }
}

/* The string of row r (col C_S or C_CAT) into buf; its length. */
static size_t cell_str(int col, int64_t r, char *buf) {
  static const char *const words[] = {"",
                                      "pear",
                                      "apple",
                                      "z\xc3\xa9"
                                      "bra",
                                      "\xe6\x97\xa5\xe6\x9c\xac",
                                      "a,b",
                                      "quote\"d",
                                      "line\nbreak",
                                      "\xf0\x9f\x98\x80"};
  uint64_t h = mix((uint64_t)r * 16 + (uint64_t)col + 5000);
  if (col == C_CAT)
    return (size_t)sprintf(buf, "%s", words[h % 9]);
  if (h % 13 == 0) { /* a long one */
    size_t n = 200 + h % 300;
    for (size_t i = 0; i < n; i++)
      buf[i] = (char)('a' + (h >> (i % 40)) % 26);
    return n;
  }
  return (size_t)sprintf(buf, "%s-%lld", words[h % 9], (long long)(h % 1000));
}

static void test_path(char *buf, size_t cap, const char *name) {
  snprintf(buf, cap, "/tmp/sbd-unit-read-%ld-%s.parquet", (long)getpid(), name);
}

/* Writes rows [0, nrows) of the table with the writer options opt_kv (key, value, ..., NULL). */
static sbd_status write_table(sbd_ctx *ctx, const char *path, int64_t nrows,
                              const char *const *opt_kv) {
  sbd_schema *schema;
  sbd_status st = schema_parse(ctx, table_schema, &schema);
  if (st != SBD_OK)
    return st;
  sbd_options *opts = sbd_options_new();
  for (int i = 0; opt_kv && opt_kv[i]; i += 2)
    sbd_options_set(opts, opt_kv[i], opt_kv[i + 1]);
  sbd_writer *w;
  st = sbd_writer_open(ctx, path, schema, opts, &w);
  sbd_options_free(opts);
  char buf[600];
  for (int64_t r0 = 0; st == SBD_OK && r0 < nrows; r0 += 4099) {
    int64_t n = nrows - r0 < 4099 ? nrows - r0 : 4099;
    sbd_batch *b = batch_new(ctx, schema, n);
    for (int64_t r = r0; r < r0 + n; r++)
      for (int c = 0; c < NCOLS; c++) {
        sbd_vec *v = b->cols[c];
        if (cell_null(c, r))
          vec_push_null(ctx, v);
        else if (c == C_X)
          vec_push_f64(v, cell_double(r));
        else if (c == C_S || c == C_CAT || c == C_NUL)
          vec_push_str(ctx, v, buf, cell_str(c, r, buf));
        else if (c == C_B)
          vec_push_bool(v, cell_int(c, r));
        else if (c == C_D)
          vec_push_i32(v, (int32_t)cell_int(c, r));
        else
          vec_push_i64(v, cell_int(c, r));
      }
    batch_seal(b);
    st = sbd_writer_write(w, b);
    sbd_batch_free(b);
  }
  if (st == SBD_OK)
    st = sbd_writer_close(w);
  else
    sbd_writer_abort(w);
  schema_unref(schema);
  return st;
}

/* Compares row r of column c of the table (read as type t) with row i of v; false on a
 * difference, with the message set. */
static bool cell_matches(int c, sbd_type t, int64_t r, const sbd_vec *v, int64_t i, char *msg,
                         size_t cap) {
  bool null = cell_null(c, r);
  if (null != !vec_is_valid(v, i)) {
    snprintf(msg, cap, "column %d row %lld: null %d, read null %d", c, (long long)r, null,
             !vec_is_valid(v, i));
    return false;
  }
  if (null)
    return true;
  char want[600];
  size_t wn = 0;
  if (t == SBD_STRING) {
    if (c == C_S || c == C_CAT || c == C_NUL)
      wn = cell_str(c, r, want);
    else if (c == C_ID || c == C_BIG)
      wn = num_format_int64(cell_int(c, r), want);
    else if (c == C_X)
      wn = num_format_double(cell_double(r), want);
    else if (c == C_B)
      wn = (size_t)sprintf(want, "%s", cell_int(c, r) ? "true" : "false");
    else if (c == C_D)
      wn = tm_format_date((int32_t)cell_int(c, r), want);
    else
      wn = tm_format_timestamp(cell_int(c, r), want);
    size_t n;
    const char *s = vec_str(v, i, &n);
    if (n != wn || memcmp(s, want, n) != 0) {
      snprintf(msg, cap, "column %d row %lld: \"%.*s\" read as \"%.*s\"", c, (long long)r,
               (int)(wn > 80 ? 80 : wn), want, (int)(n > 80 ? 80 : n), s);
      return false;
    }
    return true;
  }
  if (t == SBD_DOUBLE) {
    double want_d = c == C_X ? cell_double(r) : (double)cell_int(c, r);
    double got = ((const double *)v->values)[i];
    bool same = isnan(want_d) ? isnan(got) : memcmp(&want_d, &got, 8) == 0;
    if (!same)
      snprintf(msg, cap, "column %d row %lld: %.17g read as %.17g", c, (long long)r, want_d, got);
    return same;
  }
  int64_t want_i = cell_int(c, r), got;
  if (t == SBD_BOOL)
    got = ((const uint8_t *)v->values)[i];
  else if (t == SBD_DATE)
    got = ((const int32_t *)v->values)[i];
  else
    got = ((const int64_t *)v->values)[i];
  if (t == SBD_TIMESTAMP && c == C_D)
    want_i *= 86400000000LL;
  if (want_i != got) {
    snprintf(msg, cap, "column %d row %lld: %lld read as %lld", c, (long long)r, (long long)want_i,
             (long long)got);
    return false;
  }
  return true;
}

typedef struct read_result {
  sbd_status st;
  char err[SBD_ERRMSG_MAX];
  int64_t rows;
  int64_t batches;
  bool bad; /* a value differed */
  char msg[400];
} read_result;

/* Reads path with the reader options opt_kv, checking every value against the table. The output
 * columns are those of the file or of option "columns"; row ids come from column id when it is
 * read, else rows are numbered from first_row. */
static read_result read_with(sbd_ctx *ctx, const char *path, const char *const *opt_kv,
                             int64_t first_row) {
  read_result res;
  memset(&res, 0, sizeof(res));
  sbd_options *opts = sbd_options_new();
  for (int i = 0; opt_kv && opt_kv[i]; i += 2)
    sbd_options_set(opts, opt_kv[i], opt_kv[i + 1]);
  sbd_reader *r = NULL;
  const char *paths[] = {path};
  res.st = sbd_reader_open(ctx, paths, 1, opts, &r);
  sbd_options_free(opts);
  static const char *const names[] = {"id", "x", "s", "b", "d", "ts", "nul", "cat", "big"};
  int colmap[NCOLS];
  while (res.st == SBD_OK) {
    const sbd_schema *s = sbd_reader_schema(r);
    int idcol = sbd_schema_find(s, "id");
    for (int k = 0; k < s->ncols; k++) {
      colmap[k] = -1;
      for (int c = 0; c < NCOLS; c++)
        if (strcmp(s->fields[k].name, names[c]) == 0)
          colmap[k] = c;
    }
    sbd_batch *b;
    res.st = sbd_reader_next(r, &b);
    if (res.st != SBD_OK || !b)
      break;
    res.batches++;
    if (b->nrows > SBD_BATCH_ROWS || b->ncols != s->ncols) {
      res.bad = true;
      snprintf(res.msg, sizeof(res.msg), "a batch of %lld rows and %d columns", (long long)b->nrows,
               b->ncols);
    }
    for (int64_t i = 0; i < b->nrows && !res.bad; i++) {
      int64_t row =
          idcol >= 0 ? ((const int64_t *)b->cols[idcol]->values)[i] : first_row + res.rows + i;
      if (idcol >= 0 && b->cols[idcol]->type != SBD_INT64)
        row = (int64_t)((const double *)b->cols[idcol]->values)[i];
      for (int k = 0; k < b->ncols && !res.bad; k++)
        if (colmap[k] >= 0 && !cell_matches(colmap[k], s->fields[k].type, row, b->cols[k], i,
                                            res.msg, sizeof(res.msg)))
          res.bad = true;
    }
    for (int k = 0; k < b->ncols; k++) {
      int64_t nulls = 0;
      for (int64_t i = 0; i < b->nrows; i++)
        nulls += !vec_is_valid(b->cols[k], i);
      if (nulls != b->cols[k]->null_count || b->cols[k]->len != b->nrows) {
        res.bad = true;
        snprintf(res.msg, sizeof(res.msg), "column %d: null_count %lld for %lld nulls", k,
                 (long long)b->cols[k]->null_count, (long long)nulls);
      }
    }
    res.rows += b->nrows;
    sbd_batch_free(b);
  }
  snprintf(res.err, sizeof(res.err), "%s", sbd_errmsg(ctx));
  sbd_reader_close(r);
  return res;
}

static read_result read_and_check(int threads, const char *path, const char *const *opt_kv,
                                  int64_t first_row) {
  sbd_ctx *ctx = sbd_ctx_new();
  sbd_ctx_set_threads(ctx, threads);
  read_result res = read_with(ctx, path, opt_kv, first_row);
  sbd_ctx_free(ctx);
  return res;
}

/* ---- round trips
 * -------------------------------------------------------------------------------*/

typedef struct rt_case {
  const char *name;
  int64_t rows;
  const char *opts[16];
} rt_case;

static const rt_case rt_cases[] = {
    {"snappy-dict-v1", 70000, {"row_group_rows", "30000", "page_bytes", "20000", NULL}},
    {"zstd-dict-v2", 70000, {"compression", "zstd", "data_page", "v2", NULL}},
    {"gzip-plain",
     5000,
     {"compression", "gzip", "parquet_encoding", "plain", "row_group_rows", "1234", "page_bytes",
      "3000", NULL}},
    {"lz4-delta-v2",
     5000,
     {"compression", "lz4_raw", "parquet_encoding", "delta", "data_page", "v2", "row_group_rows",
      "1234", "page_bytes", "3000", NULL}},
    {"none-bss",
     5000,
     {"compression", "none", "parquet_encoding", "byte_stream_split", "row_group_rows", "2000",
      "page_bytes", "2000", NULL}},
    {"zstd-delta-v1", 5000, {"compression", "zstd", "parquet_encoding", "delta", NULL}},
    {"snappy-dict-fallback-v2",
     5000,
     {"parquet_dict_limit", "3000", "data_page", "v2", "row_group_rows", "4000", "page_bytes",
      "1000", NULL}},
    {"none-plain-v2",
     3,
     {"compression", "none", "parquet_encoding", "plain", "data_page", "v2", NULL}},
    {"one-row", 1, {NULL}},
};

TEST(parquet_read_round_trips) {
  sbd_ctx *ctx = sbd_ctx_new();
  for (size_t k = 0; k < sizeof(rt_cases) / sizeof(rt_cases[0]); k++) {
    const rt_case *c = &rt_cases[k];
    char path[160];
    test_path(path, sizeof(path), c->name);
    sbd_status st = write_table(ctx, path, c->rows, c->opts);
    CHECK(st == SBD_OK, "%s: write: %s", c->name, sbd_errmsg(ctx));
    if (st != SBD_OK)
      continue;
    for (int threads = 1; threads <= 3; threads += 2) {
      read_result res = read_and_check(threads, path, NULL, 0);
      CHECK(res.st == SBD_OK, "%s (%d threads): %s", c->name, threads, res.err);
      CHECK(!res.bad, "%s (%d threads): %s", c->name, threads, res.msg);
      CHECK(res.rows == c->rows, "%s (%d threads): %lld rows of %lld", c->name, threads,
            (long long)res.rows, (long long)c->rows);
    }
    unlink(path);
  }
  sbd_ctx_free(ctx);
}

/* The same files read with pread instead of a mapping. */
TEST(parquet_read_without_mmap) {
  sbd_ctx *ctx = sbd_ctx_new();
  pq_file_use_mmap = false;
  for (size_t k = 0; k < 4; k++) {
    const rt_case *c = &rt_cases[k + 2];
    char path[160];
    test_path(path, sizeof(path), c->name);
    sbd_status st = write_table(ctx, path, c->rows, c->opts);
    CHECK(st == SBD_OK, "%s: write: %s", c->name, sbd_errmsg(ctx));
    read_result res = read_and_check(2, path, NULL, 0);
    CHECK(res.st == SBD_OK && !res.bad && res.rows == c->rows, "%s: %s %s (%lld rows)", c->name,
          res.err, res.msg, (long long)res.rows);
    unlink(path);
  }
  pq_file_use_mmap = true;
  sbd_ctx_free(ctx);
}

/* A BYTE_ARRAY that is not UTF-8 is an error naming the column. */
TEST(parquet_read_invalid_utf8) {
  sbd_ctx *ctx = sbd_ctx_new();
  char path[160];
  test_path(path, sizeof(path), "utf8");
  sbd_schema *schema;
  ASSERT_EQ(schema_parse(ctx, "id:INT64,s:STRING", &schema), SBD_OK);
  for (int dict = 0; dict < 2; dict++) {
    sbd_options *o = sbd_options_new();
    sbd_options_set(o, "parquet_encoding", dict ? "dictionary" : "plain");
    sbd_writer *w;
    ASSERT_EQ(sbd_writer_open(ctx, path, schema, o, &w), SBD_OK);
    sbd_options_free(o);
    sbd_batch *b = batch_new(ctx, schema, 3);
    static const char *const vals[] = {"ok", "bad\xff\xfe", "ok"};
    for (int i = 0; i < 3; i++) {
      vec_push_i64(b->cols[0], i);
      vec_push_str(ctx, b->cols[1], vals[i], strlen(vals[i]));
    }
    batch_seal(b);
    ASSERT_EQ(sbd_writer_write(w, b), SBD_OK);
    sbd_batch_free(b);
    ASSERT_EQ(sbd_writer_close(w), SBD_OK);
    read_result res = read_and_check(1, path, (const char *const[]){"columns", "s", NULL}, 0);
    CHECK(res.st == SBD_EINPUT && strstr(res.err, "row group 0, column 's', page") &&
              strstr(res.err, "the value \"bad\\xff\\xfe\" is not valid UTF-8"),
          "dictionary %d: %s", dict, res.err);
    /* Projected away, the column is not read. */
    res = read_and_check(1, path, (const char *const[]){"columns", "id", NULL}, 0);
    CHECK(res.st == SBD_OK && res.rows == 3, "dictionary %d, id only: %s", dict, res.err);
  }
  schema_unref(schema);
  unlink(path);
  sbd_ctx_free(ctx);
}

/* Strings of at most 8 bytes (the reader copies those as one word from the dictionary), with
 * and without nulls, dictionary-encoded and PLAIN, over more rows than a batch holds, so that
 * pages straddle the batches. */
static size_t short_str(int64_t r, char *buf) {
  static const char *const words[] = {
      "", "a", "ab", "id042", "12345678", "\xe6\x97\xa5\xe6\x9c\xac", "caf\xc3\xa9"};
  uint64_t h = mix((uint64_t)r + 99);
  return (size_t)sprintf(buf, "%s", words[h % 7]);
}

TEST(parquet_read_short_strings) {
  sbd_ctx *ctx = sbd_ctx_new();
  sbd_schema *schema;
  ASSERT_EQ(schema_parse(ctx, "k:STRING,n:STRING", &schema), SBD_OK);
  const int64_t nrows = 70001;
  for (int plain = 0; plain < 2; plain++) {
    char path[160];
    test_path(path, sizeof(path), plain ? "short-plain" : "short-dict");
    sbd_options *opts = sbd_options_new();
    sbd_options_set(opts, "parquet_encoding", plain ? "plain" : "dictionary");
    sbd_options_set(opts, "page_bytes", "5000");
    sbd_writer *w = NULL;
    sbd_status st = sbd_writer_open(ctx, path, schema, opts, &w);
    sbd_options_free(opts);
    char buf[64];
    for (int64_t r0 = 0; st == SBD_OK && r0 < nrows; r0 += 10000) {
      int64_t n = nrows - r0 < 10000 ? nrows - r0 : 10000;
      sbd_batch *b = batch_new(ctx, schema, n);
      for (int64_t r = r0; r < r0 + n; r++) {
        vec_push_str(ctx, b->cols[0], buf, short_str(r, buf));
        if (r % 5 == 3)
          vec_push_null(ctx, b->cols[1]);
        else
          vec_push_str(ctx, b->cols[1], buf, short_str(r * 7, buf));
      }
      batch_seal(b);
      st = sbd_writer_write(w, b);
      sbd_batch_free(b);
    }
    if (st == SBD_OK)
      st = sbd_writer_close(w);
    else
      sbd_writer_abort(w);
    CHECK(st == SBD_OK, "plain %d: write: %s", plain, sbd_errmsg(ctx));
    const char *paths[] = {path};
    sbd_reader *rd = NULL;
    st = sbd_reader_open(ctx, paths, 1, NULL, &rd);
    int64_t row = 0, bad = 0;
    char first_bad[200] = "";
    while (st == SBD_OK) {
      sbd_batch *b;
      st = sbd_reader_next(rd, &b);
      if (st != SBD_OK || !b)
        break;
      for (int64_t i = 0; i < b->nrows; i++, row++) {
        for (int c = 0; c < 2; c++) {
          bool want_null = c == 1 && row % 5 == 3;
          size_t wn = short_str(c ? row * 7 : row, buf), n = 0;
          const char *got = vec_is_valid(b->cols[c], i) ? vec_str(b->cols[c], i, &n) : NULL;
          if (want_null ? got != NULL : !got || n != wn || memcmp(got, buf, n) != 0) {
            if (!bad++)
              snprintf(first_bad, sizeof(first_bad), "row %lld column %d: \"%.*s\" for \"%s\"",
                       (long long)row, c, got ? (int)n : 4, got ? got : "NULL",
                       want_null ? "NULL" : buf);
          }
        }
      }
      sbd_batch_free(b);
    }
    CHECK(st == SBD_OK, "plain %d: read: %s", plain, sbd_errmsg(ctx));
    CHECK(row == nrows, "plain %d: %lld rows of %lld", plain, (long long)row, (long long)nrows);
    CHECK(bad == 0, "plain %d: %lld values differ, the first %s", plain, (long long)bad, first_bad);
    sbd_reader_close(rd);
    unlink(path);
  }
  schema_unref(schema);
  sbd_ctx_free(ctx);
}

/* A PLAIN page of more string bytes than the reader reserves ahead (16 MiB), and a batch of more
 * than twice that, some values longer than the rest, so that a batch's payload grows while the
 * page is copied into it. */
TEST(parquet_read_long_plain_page) {
  sbd_ctx *ctx = sbd_ctx_new();
  sbd_schema *schema;
  ASSERT_EQ(schema_parse(ctx, "s:STRING", &schema), SBD_OK);
  char path[160];
  test_path(path, sizeof(path), "long-plain");
  sbd_options *opts = sbd_options_new();
  sbd_options_set(opts, "parquet_encoding", "plain");
  sbd_options_set(opts, "compression", "none");
  sbd_options_set(opts, "page_bytes", "64000000");
  sbd_writer *w = NULL;
  sbd_status st = sbd_writer_open(ctx, path, schema, opts, &w);
  sbd_options_free(opts);
  const int64_t nrows = 70000;
  static char buf[2000];
  for (int64_t r0 = 0; st == SBD_OK && r0 < nrows; r0 += 10000) {
    sbd_batch *b = batch_new(ctx, schema, 10000);
    for (int64_t r = r0; r < r0 + 10000; r++) {
      size_t n = r % 1000 == 7 ? 1900 : 600 + (size_t)(r % 100);
      for (size_t i = 0; i < n; i++)
        buf[i] = (char)('a' + (r + (int64_t)i) % 26);
      vec_push_str(ctx, b->cols[0], buf, n);
    }
    batch_seal(b);
    st = sbd_writer_write(w, b);
    sbd_batch_free(b);
  }
  if (st == SBD_OK)
    st = sbd_writer_close(w);
  else
    sbd_writer_abort(w);
  CHECK(st == SBD_OK, "write: %s", sbd_errmsg(ctx));
  const char *paths[] = {path};
  sbd_reader *rd = NULL;
  st = sbd_reader_open(ctx, paths, 1, NULL, &rd);
  int64_t row = 0, bad = -1;
  while (st == SBD_OK) {
    sbd_batch *b;
    st = sbd_reader_next(rd, &b);
    if (st != SBD_OK || !b)
      break;
    for (int64_t i = 0; i < b->nrows; i++, row++) {
      size_t want = row % 1000 == 7 ? 1900 : 600 + (size_t)(row % 100), n;
      const char *got = vec_str(b->cols[0], i, &n);
      bool same = n == want;
      for (size_t j = 0; same && j < n; j++)
        same = got[j] == (char)('a' + (row + (int64_t)j) % 26);
      if (!same && bad < 0)
        bad = row;
    }
    sbd_batch_free(b);
  }
  CHECK(st == SBD_OK, "read: %s", sbd_errmsg(ctx));
  CHECK(row == nrows && bad < 0, "%lld rows of %lld, the first wrong one %lld", (long long)row,
        (long long)nrows, (long long)bad);
  sbd_reader_close(rd);
  unlink(path);
  schema_unref(schema);
  sbd_ctx_free(ctx);
}

TEST(parquet_read_schema_and_metadata) {
  sbd_ctx *ctx = sbd_ctx_new();
  char path[160];
  test_path(path, sizeof(path), "meta");
  static const char *const opts[] = {"row_group_rows", "100", NULL};
  ASSERT_EQ(write_table(ctx, path, 250, opts), SBD_OK);
  pq_file *f;
  ASSERT_EQ(pq_file_open(ctx, path, &f), SBD_OK);
  const pq_file_metadata *m = pq_file_meta(f);
  ASSERT_EQ(m->num_rows, 250);
  ASSERT_EQ(m->n_row_groups, 3);
  ASSERT_EQ(f->nfields, NCOLS);
  bool has_kv = false;
  for (int i = 0; i < m->n_key_value_metadata; i++)
    has_kv |= m->key_value_metadata[i].key.len == 10 &&
              memcmp(m->key_value_metadata[i].key.ptr, "sbd.schema", 10) == 0;
  ASSERT_TRUE(has_kv);
  pq_file_close(f);
  sbd_reader *r;
  const char *paths[] = {path};
  ASSERT_EQ(sbd_reader_open(ctx, paths, 1, NULL, &r), SBD_OK);
  const sbd_schema *s = sbd_reader_schema(r);
  static const sbd_type want[] = {SBD_INT64,     SBD_DOUBLE, SBD_STRING, SBD_BOOL, SBD_DATE,
                                  SBD_TIMESTAMP, SBD_STRING, SBD_STRING, SBD_INT64};
  ASSERT_EQ(s->ncols, NCOLS);
  for (int c = 0; c < NCOLS; c++)
    CHECK(s->fields[c].type == want[c], "column %d: type %d", c, (int)s->fields[c].type);
  int64_t done, total;
  sbd_reader_progress(r, &done, &total);
  ASSERT_TRUE(total > 0 && done == 0);
  sbd_batch *b;
  while (sbd_reader_next(r, &b) == SBD_OK && b)
    sbd_batch_free(b);
  sbd_reader_progress(r, &done, &total);
  ASSERT_EQ(done, total);
  sbd_reader_close(r);
  unlink(path);
  sbd_ctx_free(ctx);
}

TEST(parquet_read_empty_file) {
  sbd_ctx *ctx = sbd_ctx_new();
  char path[160];
  test_path(path, sizeof(path), "empty");
  ASSERT_EQ(write_table(ctx, path, 0, NULL), SBD_OK);
  read_result res = read_and_check(2, path, NULL, 0);
  CHECK(res.st == SBD_OK, "%s", res.err);
  ASSERT_EQ(res.rows, 0);
  ASSERT_EQ(res.batches, 0);
  sbd_reader *r;
  const char *paths[] = {path};
  ASSERT_EQ(sbd_reader_open(ctx, paths, 1, NULL, &r), SBD_OK);
  ASSERT_EQ(sbd_reader_schema(r)->ncols, NCOLS);
  sbd_reader_close(r);
  unlink(path);
  sbd_ctx_free(ctx);
}

/* ---- projection, the schema option, options
 * ------------------------------------------------------*/

TEST(parquet_read_projection) {
  sbd_ctx *ctx = sbd_ctx_new();
  char path[160];
  test_path(path, sizeof(path), "proj");
  static const char *const wopts[] = {"row_group_rows", "700", NULL};
  ASSERT_EQ(write_table(ctx, path, 3000, wopts), SBD_OK);
  static const char *const opts[] = {"columns", "cat, id,ts", NULL};
  read_result res = read_and_check(2, path, opts, 0);
  CHECK(res.st == SBD_OK && !res.bad && res.rows == 3000, "%s %s", res.err, res.msg);
  sbd_reader *r;
  const char *paths[] = {path};
  sbd_options *o = sbd_options_new();
  sbd_options_set(o, "columns", "ts,cat");
  ASSERT_EQ(sbd_reader_open(ctx, paths, 1, o, &r), SBD_OK);
  const sbd_schema *s = sbd_reader_schema(r);
  ASSERT_EQ(s->ncols, 2);
  ASSERT_STR_EQ(s->fields[0].name, "ts");
  ASSERT_STR_EQ(s->fields[1].name, "cat");
  sbd_reader_close(r);
  /* A projection without id: rows are checked in file order. */
  sbd_options_set(o, "columns", "s,b");
  res = read_and_check(1, path, (const char *const[]){"columns", "s,b", NULL}, 0);
  CHECK(res.st == SBD_OK && !res.bad && res.rows == 3000, "%s %s", res.err, res.msg);
  static const struct {
    const char *columns, *err;
  } bad[] = {
      {"id,tss", "option columns names column 'tss', which the file does not have (did you "
                 "mean 'ts'?)"},
      {"id,,s", "option columns: an empty column name in \"id,,s\""},
      {"s,id,s", "option columns: column 's' is named twice"},
  };
  for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
    sbd_options_set(o, "columns", bad[k].columns);
    CHECK(sbd_reader_open(ctx, paths, 1, o, &r) != SBD_OK, "columns=%s opened", bad[k].columns);
    CHECK(strstr(sbd_errmsg(ctx), bad[k].err) != NULL, "columns=%s: %s", bad[k].columns,
          sbd_errmsg(ctx));
  }
  sbd_options_free(o);
  unlink(path);
  sbd_ctx_free(ctx);
}

TEST(parquet_read_schema_option) {
  sbd_ctx *ctx = sbd_ctx_new();
  char path[160];
  test_path(path, sizeof(path), "cast");
  ASSERT_EQ(write_table(ctx, path, 2000, NULL), SBD_OK);
  static const char *const casts[] = {
      "schema", "id:DOUBLE,big:STRING,x:STRING,b:INT64,d:TIMESTAMP,ts:STRING,s:STRING", NULL};
  read_result res = read_and_check(2, path, casts, 0);
  CHECK(res.st == SBD_OK && !res.bad && res.rows == 2000, "%s %s", res.err, res.msg);
  static const struct {
    const char *schema, *err;
  } bad[] = {
      {"x:INT64", "column 'x' is DOUBLE in the file and cannot be read as INT64"},
      {"nope:INT64", "the schema names column 'nope', which the file does not have"},
      {"cat:INT64", "column 'cat': row "},
  };
  for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
    res = read_and_check(1, path, (const char *const[]){"schema", bad[k].schema, NULL}, 0);
    CHECK(res.st != SBD_OK && strstr(res.err, bad[k].err), "schema=%s: %s", bad[k].schema, res.err);
    CHECK(strncmp(res.err, path, strlen(path)) == 0, "schema=%s: %s", bad[k].schema, res.err);
  }
  unlink(path);
  sbd_ctx_free(ctx);
}

TEST(parquet_read_options) {
  sbd_ctx *ctx = sbd_ctx_new();
  char path[160];
  test_path(path, sizeof(path), "opts");
  ASSERT_EQ(write_table(ctx, path, 10, NULL), SBD_OK);
  static const struct {
    const char *key, *value, *err;
  } bad[] = {
      {"delim", ";", "option delim applies to CSV files, not to Parquet"},
      {"header", "false", "option header applies to CSV files, not to Parquet"},
  };
  for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
    read_result res =
        read_and_check(1, path, (const char *const[]){bad[k].key, bad[k].value, NULL}, 0);
    CHECK(res.st == SBD_EUSAGE && strstr(res.err, bad[k].err), "%s: %s", bad[k].key, res.err);
  }
  read_result res = read_and_check(1, path, (const char *const[]){"sample_rows", "5", NULL}, 0);
  CHECK(res.st == SBD_OK && res.rows == 10, "sample_rows: %s", res.err);
  /* Standard input cannot be read as Parquet. */
  sbd_reader *r;
  const char *dash[] = {"-"};
  sbd_options *o = sbd_options_new();
  sbd_options_set(o, "format", "parquet");
  ASSERT_EQ(sbd_reader_open(ctx, dash, 1, o, &r), SBD_EUSAGE);
  ASSERT_STR_EQ(sbd_errmsg(ctx),
                "standard input: Parquet needs a seekable file; write stdin to a file first");
  sbd_options_free(o);
  /* Several files read as one stream. */
  const char *two[] = {path, path};
  ASSERT_EQ(sbd_reader_open(ctx, two, 2, NULL, &r), SBD_OK);
  int64_t rows = 0;
  sbd_batch *b;
  while (sbd_reader_next(r, &b) == SBD_OK && b) {
    rows += b->nrows;
    sbd_batch_free(b);
  }
  ASSERT_EQ(rows, 20);
  sbd_reader_close(r);
  unlink(path);
  sbd_ctx_free(ctx);
}

/* ---- row-group pruning
 * ---------------------------------------------------------------------------*/

typedef struct prune_log {
  int calls;
  int kept;
  bool stats_ok;
  char msg[200];
} prune_log;

/* Keeps the row groups whose id range meets [2500, 4499]; checks the statistics on the way. */
static bool keep_ids(void *arg, int rg, int64_t num_rows, const pq_column_stats *cols, int ncols) {
  prune_log *log = arg;
  log->calls++;
  /* Columns: id, cat, nul (the projection's order). */
  const pq_column_stats *id = &cols[0], *cat = &cols[1], *nul = &cols[2];
  if (ncols != 3 || !id->has_min_max || id->min_i != rg * 1000LL ||
      id->max_i != rg * 1000LL + num_rows - 1 || !id->has_null_count || id->null_count != 0 ||
      !cat->has_min_max || cat->type != SBD_STRING || !nul->has_null_count ||
      nul->null_count != num_rows || nul->has_min_max) {
    log->stats_ok = false;
    snprintf(log->msg, sizeof(log->msg), "row group %d: id %lld..%lld nulls %lld", rg,
             (long long)id->min_i, (long long)id->max_i, (long long)nul->null_count);
  }
  bool keep = id->max_i >= 2500 && id->min_i <= 4499;
  log->kept += keep;
  return keep;
}

TEST(parquet_read_row_group_filter) {
  sbd_ctx *ctx = sbd_ctx_new();
  char path[160];
  test_path(path, sizeof(path), "prune");
  static const char *const wopts[] = {"row_group_rows", "1000", NULL};
  ASSERT_EQ(write_table(ctx, path, 10000, wopts), SBD_OK);
  const char *paths[] = {path};
  sbd_options *o = sbd_options_new();
  sbd_options_set(o, "columns", "id,cat,nul");
  sbd_reader *r;
  ASSERT_EQ(sbd_reader_open(ctx, paths, 1, o, &r), SBD_OK);
  prune_log log = {0, 0, true, ""};
  ASSERT_EQ(pq_reader_set_row_group_filter(r, keep_ids, &log), SBD_OK);
  int64_t rows = 0, first = -1, last = -1;
  sbd_batch *b;
  while (sbd_reader_next(r, &b) == SBD_OK && b) {
    const int64_t *ids = b->cols[0]->values;
    if (first < 0)
      first = ids[0];
    last = ids[b->nrows - 1];
    rows += b->nrows;
    sbd_batch_free(b);
  }
  CHECK(log.stats_ok, "%s", log.msg);
  ASSERT_EQ(log.calls, 10);
  ASSERT_EQ(log.kept, 3);
  ASSERT_EQ(rows, 3000);
  ASSERT_EQ(first, 2000);
  ASSERT_EQ(last, 4999);
  /* Too late once reading started. */
  ASSERT_EQ(pq_reader_set_row_group_filter(r, keep_ids, &log), SBD_EUSAGE);
  sbd_reader_close(r);
  sbd_options_free(o);
  unlink(path);
  sbd_ctx_free(ctx);
}

/* ---- corrupt files
 * --------------------------------------------------------------------------------*/

static uint8_t *slurp(const char *path, size_t *n) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  fseek(f, 0, SEEK_END);
  long len = ftell(f);
  fseek(f, 0, SEEK_SET);
  uint8_t *buf = malloc((size_t)len + 1);
  *n = buf ? fread(buf, 1, (size_t)len, f) : 0;
  fclose(f);
  return buf;
}

static void spit(const char *path, const uint8_t *data, size_t n) {
  FILE *f = fopen(path, "wb");
  if (!f)
    return;
  if (n)
    fwrite(data, 1, n, f);
  fclose(f);
}

static void put_u32le(uint8_t *p, uint32_t v) {
  for (int i = 0; i < 4; i++)
    p[i] = (uint8_t)(v >> (8 * i));
}

/* Reads a whole (possibly corrupt) file: SBD_OK, or an error whose message names the file. */
static sbd_status read_corrupt(const char *path, char *err, size_t cap) {
  read_result res = read_and_check(2, path, NULL, 0);
  snprintf(err, cap, "%s", res.err);
  return res.st;
}

/* The header of the first data page of column `leaf` in row group 0 (after its dictionary page
 * when data_page, else the chunk's first page), and where its body starts. */
static bool first_page(const uint8_t *data, size_t n, const char *path, int leaf, bool data_page,
                       int64_t *hdr_at, int64_t *body_at, pq_page_header *h) {
  sbd_ctx *ctx = sbd_ctx_new();
  pq_file *f;
  bool ok = pq_file_open(ctx, path, &f) == SBD_OK;
  if (ok) {
    int64_t start, len;
    pq_file_chunk_range(f, 0, leaf, &start, &len);
    for (;;) {
      pq_tdec d;
      pq_tdec_init(&d, data + start, n - (size_t)start, start, NULL);
      ok = pq_decode_page_header(&d, h);
      *hdr_at = start;
      *body_at = start + (int64_t)d.pos;
      if (!ok || !data_page || h->type != PQ_PAGE_DICTIONARY)
        break;
      start = *body_at + h->compressed_page_size;
    }
    pq_file_close(f);
  }
  sbd_ctx_free(ctx);
  return ok;
}

/* Where the chunk of column `leaf` in row group 0 is, and the offset of its last page header. */
static bool chunk_place(const uint8_t *data, size_t n, const char *path, int leaf, int64_t *start,
                        int64_t *len, int64_t *last_page) {
  sbd_ctx *ctx = sbd_ctx_new();
  pq_file *f;
  bool ok = pq_file_open(ctx, path, &f) == SBD_OK;
  if (ok) {
    pq_file_chunk_range(f, 0, leaf, start, len);
    for (int64_t at = *start; ok && at < *start + *len;) {
      pq_page_header h;
      pq_tdec d;
      pq_tdec_init(&d, data + at, n - (size_t)at, at, NULL);
      ok = pq_decode_page_header(&d, &h);
      *last_page = at;
      at += (int64_t)d.pos + h.compressed_page_size;
    }
    pq_file_close(f);
  }
  sbd_ctx_free(ctx);
  return ok;
}

/* Replaces bytes [at, at + old_len) of the file with the new page header h; returns its length. */
static size_t splice_header(const char *path, const uint8_t *data, size_t n, int64_t at,
                            size_t old_len, const pq_page_header *h) {
  pq_tenc e;
  pq_tenc_init(&e, 1 << 20);
  pq_encode_page_header(&e, h);
  uint8_t *out = malloc(n + e.len);
  memcpy(out, data, (size_t)at);
  memcpy(out + at, e.data, e.len);
  memcpy(out + at + e.len, data + at + old_len, n - (size_t)at - old_len);
  spit(path, out, n - old_len + e.len);
  free(out);
  size_t len = e.len;
  pq_tenc_free(&e);
  return len;
}

/* Reads bad and checks its error: SBD_EINPUT and exactly the message "<bad>: <want>". */
static void expect_corrupt(const char *bad, const char *what, const char *want) {
  char err[SBD_ERRMSG_MAX], full[SBD_ERRMSG_MAX];
  sbd_status st = read_corrupt(bad, err, sizeof(err));
  snprintf(full, sizeof(full), "%s: %s", bad, want);
  CHECK(st == SBD_EINPUT && strcmp(err, full) == 0, "%s: status %d, message\n  %s\nnot\n  %s", what,
        (int)st, err, full);
}

/* Bad files, each made by patching a good file written by sbd's own writer at offsets its footer
 * gives, and each error asserted word for word: the file-level ones name the file, the others the
 * file, the row group, the column and the page. */
TEST(parquet_read_corrupt_files) {
  sbd_ctx *ctx = sbd_ctx_new();
  char path[160], bad[180], want[SBD_ERRMSG_MAX];
  test_path(path, sizeof(path), "good");
  snprintf(bad, sizeof(bad), "%s.bad.parquet", path);
  static const char *const wopts[] = {"row_group_rows", "300", "page_bytes", "500", NULL};
  ASSERT_EQ(write_table(ctx, path, 1000, wopts), SBD_OK);
  size_t n;
  uint8_t *data = slurp(path, &n);
  ASSERT_TRUE(data && n > 100);
  uint8_t *copy = malloc(n);

  /* Truncated files. */
  static const struct {
    size_t keep; /* bytes kept */
    const char *err;
  } cuts[] = {{0, "not a Parquet file (it is empty)"},
              {1, "not a Parquet file (1 bytes; the smallest Parquet file has 12)"},
              {7, "not a Parquet file (7 bytes; the smallest Parquet file has 12)"},
              {100, "not a Parquet file, or a truncated one (it does not end with PAR1)"}};
  for (size_t k = 0; k < sizeof(cuts) / sizeof(cuts[0]); k++) {
    spit(bad, data, cuts[k].keep);
    char what[64];
    snprintf(what, sizeof(what), "cut to %zu bytes", cuts[k].keep);
    expect_corrupt(bad, what, cuts[k].err);
  }
  spit(bad, data, n - 3);
  expect_corrupt(bad, "3 bytes short",
                 "not a Parquet file, or a truncated one (it does not end with PAR1)");

  /* A wrong magic at the head, and at the tail. */
  memcpy(copy, data, n);
  copy[0] = 'X';
  spit(bad, copy, n);
  expect_corrupt(bad, "head magic", "not a Parquet file (it does not start with PAR1)");
  memcpy(copy, data, n);
  copy[n - 1] = '2';
  spit(bad, copy, n);
  expect_corrupt(bad, "tail magic",
                 "not a Parquet file, or a truncated one (it does not end with PAR1)");

  /* A footer length past the file, and one too short to hold the footer. */
  memcpy(copy, data, n);
  put_u32le(copy + n - 8, (uint32_t)n);
  spit(bad, copy, n);
  snprintf(want, sizeof(want),
           "corrupt Parquet footer: its length %zu does not fit in the %zu bytes between the "
           "magic numbers",
           n, n - 12);
  expect_corrupt(bad, "footer length past the file", want);
  memcpy(copy, data, n);
  put_u32le(copy + n - 8, 3);
  spit(bad, copy, n);
  snprintf(want, sizeof(want),
           "corrupt Parquet footer: corrupt Thrift at offset %zu: FileMetaData without its "
           "required field version (1)",
           n - 10);
  expect_corrupt(bad, "short footer", want);

  int64_t hdr_at, body_at;
  pq_page_header h, lie;
  ASSERT_TRUE(first_page(data, n, path, C_X, true, &hdr_at, &body_at, &h));
  ASSERT_EQ(h.type, PQ_PAGE_DATA);

  /* A corrupt page header. */
  memcpy(copy, data, n);
  memset(copy + hdr_at, 0xee, 3);
  spit(bad, copy, n);
  snprintf(want, sizeof(want),
           "row group 0, column 'x', page 1 (offset %lld): corrupt page header: corrupt Thrift at "
           "offset %lld: unknown field type 14",
           (long long)hdr_at, (long long)hdr_at + 1);
  expect_corrupt(bad, "corrupt page header", want);

  /* A compressed size that runs past the chunk, and one that stops short of the page. */
  int64_t chunk_start, chunk_len, last_page;
  ASSERT_TRUE(chunk_place(data, n, path, C_X, &chunk_start, &chunk_len, &last_page));
  lie = h;
  lie.compressed_page_size = 1 << 20;
  size_t hlen = splice_header(bad, data, n, hdr_at, (size_t)(body_at - hdr_at), &lie);
  snprintf(want, sizeof(want),
           "row group 0, column 'x', page 1 (offset %lld): a page of 1048576 bytes runs past the "
           "end of the chunk (%lld bytes left)",
           (long long)hdr_at, (long long)(chunk_start + chunk_len - hdr_at - (int64_t)hlen));
  expect_corrupt(bad, "compressed size past the chunk", want);
  lie = h;
  lie.compressed_page_size = h.compressed_page_size - 7;
  splice_header(bad, data, n, hdr_at, (size_t)(body_at - hdr_at), &lie);
  snprintf(want, sizeof(want),
           "row group 0, column 'x', page 1 (offset %lld): SNAPPY: corrupt page data",
           (long long)hdr_at);
  expect_corrupt(bad, "compressed size short", want);

  /* An uncompressed size that is not what the body decompresses to. */
  lie = h;
  lie.uncompressed_page_size = h.uncompressed_page_size + 10;
  splice_header(bad, data, n, hdr_at, (size_t)(body_at - hdr_at), &lie);
  snprintf(want, sizeof(want),
           "row group 0, column 'x', page 1 (offset %lld): SNAPPY: page data decompresses to %d "
           "bytes, but its header says %d",
           (long long)hdr_at, h.uncompressed_page_size, h.uncompressed_page_size + 10);
  expect_corrupt(bad, "uncompressed size too large", want);
  lie = h;
  lie.uncompressed_page_size = h.uncompressed_page_size - 10;
  splice_header(bad, data, n, hdr_at, (size_t)(body_at - hdr_at), &lie);
  snprintf(want, sizeof(want),
           "row group 0, column 'x', page 1 (offset %lld): SNAPPY: page data decompresses to %d "
           "bytes, but its header says %d",
           (long long)hdr_at, h.uncompressed_page_size, h.uncompressed_page_size - 10);
  expect_corrupt(bad, "uncompressed size too small", want);

  /* A body that does not decompress (SNAPPY, the default): garbage from its first byte, and
   * garbage after an intact length (one byte here), which only decompressing finds. */
  ASSERT_TRUE(h.uncompressed_page_size < 128);
  snprintf(want, sizeof(want),
           "row group 0, column 'x', page 1 (offset %lld): SNAPPY: corrupt page data",
           (long long)hdr_at);
  for (int keep = 0; keep <= 1; keep++) {
    memcpy(copy, data, n);
    memset(copy + body_at + keep, 0xff, (size_t)h.compressed_page_size - (size_t)keep);
    spit(bad, copy, n);
    expect_corrupt(bad, keep ? "decompression failure" : "corrupt snappy length", want);
  }

  /* num_values that disagrees with the chunk: more values than the row group has, and fewer. */
  lie = h;
  lie.data_page_header.num_values = h.data_page_header.num_values + 1000;
  splice_header(bad, data, n, hdr_at, (size_t)(body_at - hdr_at), &lie);
  snprintf(want, sizeof(want),
           "row group 0, column 'x', page 1 (offset %lld): the page has %d values but only 300 "
           "rows are left in the chunk",
           (long long)hdr_at, h.data_page_header.num_values + 1000);
  expect_corrupt(bad, "num_values too large", want);
  lie = h;
  lie.data_page_header.num_values = -1;
  splice_header(bad, data, n, hdr_at, (size_t)(body_at - hdr_at), &lie);
  snprintf(want, sizeof(want),
           "row group 0, column 'x', page 1 (offset %lld): corrupt page header: num_values is -1",
           (long long)hdr_at);
  expect_corrupt(bad, "num_values negative", want);
  /* One short: the error comes at the end of the chunk, on its last page, which is found
   * where it was (the header stays the same size). */
  lie = h;
  lie.data_page_header.num_values = h.data_page_header.num_values - 1;
  ASSERT_EQ(splice_header(bad, data, n, hdr_at, (size_t)(body_at - hdr_at), &lie),
            (size_t)(body_at - hdr_at));
  int npages_x = 0;
  for (int64_t at = chunk_start; at <= last_page; npages_x++) {
    pq_page_header ph;
    pq_tdec d;
    pq_tdec_init(&d, data + at, n - (size_t)at, at, NULL);
    ASSERT_TRUE(pq_decode_page_header(&d, &ph));
    at += (int64_t)d.pos + ph.compressed_page_size;
  }
  snprintf(want, sizeof(want),
           "row group 0, column 'x', page %d (offset %lld): the chunk ends after 299 of its 300 "
           "values",
           npages_x - 1, (long long)last_page);
  expect_corrupt(bad, "num_values one short", want);

  /* A dictionary that lost entries: the indices point past it. */
  ASSERT_TRUE(first_page(data, n, path, C_CAT, false, &hdr_at, &body_at, &h));
  ASSERT_EQ(h.type, PQ_PAGE_DICTIONARY);
  lie = h;
  lie.dictionary_page_header.num_values = 1;
  splice_header(bad, data, n, hdr_at, (size_t)(body_at - hdr_at), &lie);
  int64_t cat_start, cat_len, cat_last;
  ASSERT_TRUE(chunk_place(data, n, path, C_CAT, &cat_start, &cat_len, &cat_last));
  int64_t cat_page1 = body_at + h.compressed_page_size; /* the header kept its length */
  snprintf(want, sizeof(want),
           "row group 0, column 'cat', page 1 (offset %lld): dictionary index 8 is out of range "
           "(the dictionary has 1 entries)",
           (long long)cat_page1);
  expect_corrupt(bad, "dictionary index out of range", want);

  free(copy);
  free(data);
  unlink(bad);
  unlink(path);
  sbd_ctx_free(ctx);
}

/* Every byte of a small file flipped in turn: each read ends in rows or in an error naming the
 * file, never in a crash (the sanitizer build checks the reads stay in bounds). */
TEST(parquet_read_every_byte_flipped) {
  sbd_ctx *ctx = sbd_ctx_new(), *rctx = sbd_ctx_new();
  sbd_ctx_set_threads(rctx, 2);
  char path[160];
  test_path(path, sizeof(path), "flip");
  static const char *const variants[][12] = {
      {"row_group_rows", "25", "page_bytes", "100", NULL},
      {"compression", "none", "parquet_encoding", "delta", "data_page", "v2", "row_group_rows",
       "30", NULL},
  };
  for (size_t v = 0; v < sizeof(variants) / sizeof(variants[0]); v++) {
    ASSERT_EQ(write_table(ctx, path, v == 0 ? 60 : 50, variants[v]), SBD_OK);
    size_t n;
    uint8_t *data = slurp(path, &n);
    FILE *f = fopen(path, "r+b");
    ASSERT_TRUE(data && f);
    int errors = 0, tried = 0;
    /* The second file is mostly plain values: every third byte of it is enough. */
    for (size_t i = 0; i < n; i += v == 0 ? 1 : 3) {
      tried++;
      uint8_t flipped = data[i] ^ 0x5a;
      fseek(f, (long)i, SEEK_SET);
      fputc(flipped, f);
      fflush(f);
      read_result res = read_with(rctx, path, NULL, 0);
      fseek(f, (long)i, SEEK_SET);
      fputc(data[i], f);
      fflush(f);
      if (res.st == SBD_OK)
        continue;
      errors++;
      CHECK(strncmp(res.err, path, strlen(path)) == 0,
            "byte %zu flipped: the message does not name the file: %s", i, res.err);
      if (test_failed_now())
        break;
    }
    fclose(f);
    CHECK(errors > tried / 8, "variant %zu: only %d of %d flips were errors", v, errors, tried);
    free(data);
  }
  unlink(path);
  sbd_ctx_free(rctx);
  sbd_ctx_free(ctx);
}
