/*
 * fuzz_util.h — shared by the reader fuzz targets: puts the input in a temporary file, reads it
 * through the public API with options chosen by the first byte, and checks the invariants every
 * batch must hold whatever the input (equal column lengths, offsets that stay inside the bytes,
 * valid UTF-8 in strings). A violated invariant aborts, which libFuzzer and the replayer report.
 */
#ifndef SBD_FUZZ_UTIL_H
#define SBD_FUZZ_UTIL_H

#include "core/core_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char fuzz_path[64];

static const char *fuzz_write_input(const uint8_t *data, size_t size, const char *ext) {
  if (!fuzz_path[0]) {
    snprintf(fuzz_path, sizeof(fuzz_path), "/tmp/sbd-fuzz-%ld%s", (long)getpid(), ext);
  }
  FILE *f = fopen(fuzz_path, "wb");
  if (!f)
    abort();
  if (size && fwrite(data, 1, size, f) != size)
    abort();
  fclose(f);
  return fuzz_path;
}

static void fuzz_check_utf8(const char *s, size_t n) {
  size_t i = 0;
  while (i < n) {
    unsigned char c = (unsigned char)s[i];
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (!len || i + len > n)
      abort();
    for (size_t k = 1; k < len; k++)
      if (((unsigned char)s[i + k] >> 6) != 2)
        abort();
    i += len;
  }
}

static void fuzz_check_batch(const sbd_batch *b) {
  if (b->nrows < 0 || b->nrows > SBD_BATCH_ROWS)
    abort();
  for (int c = 0; c < b->ncols; c++) {
    const sbd_vec *v = b->cols[c];
    if (v->len != b->nrows || v->type != b->schema->fields[c].type)
      abort();
    int64_t nulls = 0;
    for (int64_t i = 0; i < v->len; i++)
      nulls += !vec_is_valid(v, i);
    if (nulls != v->null_count)
      abort();
    if (v->type == SBD_STRING) {
      const int64_t *off = v->values;
      if (off[0] != 0 || off[v->len] != v->bytes_len)
        abort();
      for (int64_t i = 0; i < v->len; i++) {
        if (off[i + 1] < off[i])
          abort();
        if (vec_is_valid(v, i))
          fuzz_check_utf8(v->bytes + off[i], (size_t)(off[i + 1] - off[i]));
      }
    }
  }
}

/* Reads the whole input; returns the number of rows (or -1 on a reported error). */
static int64_t fuzz_read_all(sbd_ctx *ctx, const char *path, sbd_options *opts) {
  sbd_reader *r;
  const char *paths[1] = {path};
  if (sbd_reader_open(ctx, paths, 1, opts, &r) != SBD_OK) {
    if (!sbd_errmsg(ctx)[0])
      abort(); /* every error has a message */
    return -1;
  }
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

#endif
