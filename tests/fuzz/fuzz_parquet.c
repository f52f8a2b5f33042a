/*
 * fuzz_parquet.c — libFuzzer target for the Parquet reader. The first byte picks options
 * (projection of the last column, every column cast to STRING through the schema option, a
 * row-group filter); the rest is the file. Any input must give batches that hold the invariants
 * of fuzz_util.h or an error with a message, and the rows and the message must not depend on the
 * number of threads. The footer's statistics are read for every row group and column too.
 *
 * A footer may claim billions of rows that a few RLE bytes would then produce; files claiming more
 * than FUZZ_MAX_ROWS rows are only opened, so that a run stays within the fuzzer's memory.
 */
#include "fuzz_util.h"

#include "io/parquet/pq_int.h"

#define FUZZ_MAX_ROWS 100000

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool keep_odd(void *arg, int rg, int64_t num_rows, const pq_column_stats *cols, int ncols) {
  (void)arg;
  (void)num_rows;
  for (int c = 0; c < ncols; c++)
    if (cols[c].has_min_max && cols[c].type == SBD_STRING &&
        (cols[c].min_len > (1u << 30) || cols[c].max_len > (1u << 30)))
      abort();
  return rg % 2 == 1;
}

/* Reads the file like fuzz_read_all, with the row-group filter when asked. */
static int64_t read_all(sbd_ctx *ctx, const char *path, sbd_options *opts, bool filter) {
  if (!filter)
    return fuzz_read_all(ctx, path, opts);
  sbd_reader *r;
  const char *paths[1] = {path};
  if (sbd_reader_open(ctx, paths, 1, opts, &r) != SBD_OK) {
    if (!sbd_errmsg(ctx)[0])
      abort();
    return -1;
  }
  if (pq_reader_set_row_group_filter(r, keep_odd, NULL) != SBD_OK)
    abort();
  int64_t rows = 0;
  for (;;) {
    sbd_batch *b;
    if (sbd_reader_next(r, &b) != SBD_OK) {
      if (!sbd_errmsg(ctx)[0])
        abort();
      rows = -1;
      break;
    }
    if (!b)
      break;
    fuzz_check_batch(b);
    rows += b->nrows;
    sbd_batch_free(b);
  }
  sbd_reader_close(r);
  return rows;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1)
    return 0;
  uint8_t sel = data[0];
  const char *path = fuzz_write_input(data + 1, size - 1, ".parquet");
  sbd_ctx *one = sbd_ctx_new(), *two = sbd_ctx_new();
  sbd_ctx_set_threads(one, 1);
  sbd_ctx_set_threads(two, 2);
  pq_file *f;
  if (pq_file_open(one, path, &f) != SBD_OK) {
    if (!sbd_errmsg(one)[0])
      abort();
    sbd_ctx_free(one);
    sbd_ctx_free(two);
    return 0;
  }
  const pq_file_metadata *m = pq_file_meta(f);
  for (int g = 0; g < m->n_row_groups; g++)
    for (int c = 0; c < f->nfields; c++) {
      pq_column_stats st;
      pq_file_column_stats(f, g, c, &st);
      if (st.has_min_max && st.type == SBD_DOUBLE && (st.min_d != st.min_d || st.max_d != st.max_d))
        abort(); /* NaN is never a bound */
    }
  bool small = m->num_rows <= FUZZ_MAX_ROWS;
  sbd_options *opts = sbd_options_new();
  if ((sel & 1) && f->nfields > 0)
    sbd_options_set(opts, "columns", f->fields[f->nfields - 1].name);
  if ((sel & 2) && f->nfields > 0) {
    char schema[4096];
    size_t n = 0;
    for (int c = 0; c < f->nfields && n + 300 < sizeof(schema); c++)
      if (!strchr(f->fields[c].name, ',') && !strchr(f->fields[c].name, ':') &&
          f->fields[c].name[0])
        n += (size_t)snprintf(schema + n, sizeof(schema) - n, "%s%s:STRING", n ? "," : "",
                              f->fields[c].name);
    if (n)
      sbd_options_set(opts, "schema", schema);
  }
  pq_file_close(f);
  if (small) {
    bool filter = (sel & 4) != 0;
    int64_t a = read_all(one, path, opts, filter);
    int64_t b = read_all(two, path, opts, filter);
    if (a != b || (a < 0 && strcmp(sbd_errmsg(one), sbd_errmsg(two)) != 0))
      abort();
  }
  sbd_options_free(opts);
  sbd_ctx_free(one);
  sbd_ctx_free(two);
  return 0;
}
