/*
 * records.c — the record store of the dedup engine: every value of every record, as text, in one
 * growing byte buffer of rows. A row is ncols values, each a LEB128 varint holding its length + 1
 * (0 for a null) followed by its bytes; row[i] is the offset of record i's row, row[n] the end.
 * Reading value c of a record walks the c varints before it, which for the tens of columns of an
 * accounts file costs less than the nine bytes per value of a column store would in memory.
 */
#include "match/match_int.h"

#include <stdlib.h>
#include <string.h>

bool mt_row_put(mt_buf *row, const char *s, size_t n) {
  uint64_t v = s ? (uint64_t)n + 1 : 0;
  char enc[10];
  size_t k = 0;
  do {
    enc[k] = (char)(v & 0x7f);
    v >>= 7;
    if (v)
      enc[k] |= (char)0x80;
    k++;
  } while (v);
  return mt_buf_add(row, enc, k) && (!s || mt_buf_add(row, s, n));
}

static bool grow(void **p, size_t *cap, size_t need, size_t width) {
  if (need <= *cap)
    return true;
  size_t c = *cap ? *cap : 1024;
  while (c < need)
    c *= 2;
  void *q = realloc(*p, c * width);
  if (!q)
    return false;
  *p = q;
  *cap = c;
  return true;
}

bool mt_records_add(mt_records *r, const char *row, size_t len) {
  if (!grow((void **)&r->row, &r->row_cap, r->n + 2, sizeof(int64_t)) ||
      !grow((void **)&r->bytes, &r->bytes_cap, r->bytes_len + len + 1, 1))
    return false;
  if (r->n == 0)
    r->row[0] = 0;
  memcpy(r->bytes + r->bytes_len, row, len);
  r->bytes_len += len;
  r->row[++r->n] = (int64_t)r->bytes_len;
  return true;
}

static const unsigned char *get_varint(const unsigned char *p, uint64_t *v) {
  uint64_t x = 0;
  int shift = 0;
  while (*p & 0x80) {
    x |= (uint64_t)(*p++ & 0x7f) << shift;
    shift += 7;
  }
  *v = x | ((uint64_t)*p++ << shift);
  return p;
}

const char *mt_records_get(const mt_records *r, size_t rec, int col, size_t *n) {
  const unsigned char *p = (const unsigned char *)r->bytes + r->row[rec];
  uint64_t v;
  for (int c = 0; c < col; c++) {
    p = get_varint(p, &v);
    if (v)
      p += v - 1;
  }
  p = get_varint(p, &v);
  *n = v ? (size_t)(v - 1) : 0;
  return v ? (const char *)p : NULL;
}

void mt_records_free(mt_records *r) {
  for (int c = 0; r->names && c < r->ncols; c++)
    free(r->names[c]);
  free(r->names);
  free(r->types);
  free(r->bytes);
  free(r->row);
  mt_strcol_free(&r->ids);
  free(r->known);
  memset(r, 0, sizeof(*r));
}
