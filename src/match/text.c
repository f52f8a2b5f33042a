/*
 * text.c — the dedup engine's growable text buffer (mt_buf) and text column (mt_strcol). A text
 * column keeps n values back to back in one byte buffer with n + 1 offsets and a null flag each;
 * it grows by doubling, so appending is amortized O(1) and a column of 10M values is three
 * allocations.
 */
#include "match/match_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool grow(void **p, size_t *cap, size_t need, size_t width) {
  if (need <= *cap)
    return true;
  size_t c = *cap ? *cap : 64;
  while (c < need)
    c *= 2;
  void *q = realloc(*p, c * width);
  if (!q)
    return false;
  *p = q;
  *cap = c;
  return true;
}

bool mt_buf_add(mt_buf *b, const void *s, size_t n) {
  if (!grow((void **)&b->p, &b->cap, b->len + n + 1, 1))
    return false;
  if (n)
    memcpy(b->p + b->len, s, n);
  b->len += n;
  b->p[b->len] = 0;
  return true;
}

bool mt_buf_addc(mt_buf *b, char c) {
  return mt_buf_add(b, &c, 1);
}

bool mt_buf_printf(mt_buf *b, const char *fmt, ...) {
  char tmp[512];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
  va_end(ap);
  if (n < 0)
    return false;
  if ((size_t)n < sizeof(tmp))
    return mt_buf_add(b, tmp, (size_t)n);
  if (!grow((void **)&b->p, &b->cap, b->len + (size_t)n + 1, 1))
    return false;
  va_start(ap, fmt);
  vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
  return true;
}

bool mt_buf_json_str(mt_buf *b, const char *s, size_t n) {
  if (!mt_buf_addc(b, '"'))
    return false;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    bool ok;
    if (c == '"' || c == '\\') {
      char e[2] = {'\\', (char)c};
      ok = mt_buf_add(b, e, 2);
    } else if (c < 0x20) {
      ok = mt_buf_printf(b, "\\u%04x", c);
    } else {
      ok = mt_buf_addc(b, (char)c);
    }
    if (!ok)
      return false;
  }
  return mt_buf_addc(b, '"');
}

void mt_buf_free(mt_buf *b) {
  free(b->p);
  memset(b, 0, sizeof(*b));
}

bool mt_strcol_push(mt_strcol *c, const char *s, size_t n, bool is_null) {
  if (c->n + 2 > c->cap) {
    size_t cap = c->cap, cap2 = c->cap;
    if (!grow((void **)&c->off, &cap, c->n + 2, sizeof(int64_t)) ||
        !grow((void **)&c->null, &cap2, c->n + 2, 1))
      return false;
    c->cap = cap < cap2 ? cap : cap2;
    if (c->n == 0)
      c->off[0] = 0;
  }
  size_t used = (size_t)c->off[c->n];
  if (is_null)
    n = 0;
  if (!grow((void **)&c->bytes, &c->bytes_cap, used + n + 1, 1))
    return false;
  if (n)
    memcpy(c->bytes + used, s, n);
  c->null[c->n] = is_null;
  c->off[c->n + 1] = (int64_t)(used + n);
  c->n++;
  return true;
}

void mt_strcol_free(mt_strcol *c) {
  free(c->off);
  free(c->null);
  free(c->bytes);
  memset(c, 0, sizeof(*c));
}

void mt_keys_free(mt_keys *k) {
  for (int i = 0; i < k->nseg; i++)
    mt_strcol_free(&k->seg[i]);
  free(k->seg);
  memset(k, 0, sizeof(*k));
}
