/*
 * vector.c — what the operators do to whole vectors: append a range, gather rows by index, copy,
 * compare two rows, hash every row; and the query's memory accounting.
 */
#include "exec/exec_int.h"

#include <math.h>
#include <string.h>

sbd_status ex_mem_charge(ex_query *q, int64_t bytes) {
  q->mem_bytes += bytes;
  if (q->mem_bytes > q->mem_peak)
    q->mem_peak = q->mem_bytes;
  RETURN_ERROR_IF(q->mem_limit > 0 && q->mem_bytes > q->mem_limit, q->ctx, SBD_ELIMIT,
                  "query: the memory limit of %lld bytes was reached (spilling to disk is not "
                  "supported yet)",
                  (long long)q->mem_limit);
  return SBD_OK;
}

void ex_mem_release(ex_query *q, int64_t bytes) {
  q->mem_bytes -= bytes;
}

sbd_status ex_vec_append(sbd_ctx *ctx, sbd_vec *dst, const sbd_vec *src, int64_t from, int64_t n) {
  if (n <= 0)
    return SBD_OK;
  int64_t base = dst->len;
  if (src->type == SBD_STRING) {
    const int64_t *off = src->values;
    int64_t bytes = off[from + n] - off[from];
    RETURN_IF_ERROR(vec_reserve(ctx, dst, n, bytes));
    int64_t *doff = dst->values;
    if (bytes > 0)
      memcpy(dst->bytes + dst->bytes_len, src->bytes + off[from], (size_t)bytes);
    int64_t shift = dst->bytes_len - off[from];
    for (int64_t i = 1; i <= n; i++)
      doff[base + i] = off[from + i] + shift;
    dst->bytes_len += bytes;
  } else {
    RETURN_IF_ERROR(vec_reserve(ctx, dst, n, 0));
    size_t w = type_width(src->type);
    memcpy((char *)dst->values + (size_t)base * w, (const char *)src->values + (size_t)from * w,
           (size_t)n * w);
  }
  dst->len += n;
  if (src->null_count)
    for (int64_t i = 0; i < n; i++)
      if (!vec_is_valid(src, from + i))
        RETURN_IF_ERROR(vec_set_null(ctx, dst, base + i));
  return SBD_OK;
}

sbd_status ex_vec_gather(sbd_ctx *ctx, sbd_vec *dst, const sbd_vec *src, const int64_t *idx,
                         int64_t n) {
  if (n <= 0)
    return SBD_OK;
  int64_t base = dst->len;
  switch (src->type) {
  case SBD_STRING: {
    const int64_t *off = src->values;
    int64_t bytes = 0;
    for (int64_t i = 0; i < n; i++)
      bytes += off[idx[i] + 1] - off[idx[i]];
    RETURN_IF_ERROR(vec_reserve(ctx, dst, n, bytes));
    int64_t *doff = dst->values;
    int64_t at = dst->bytes_len;
    for (int64_t i = 0; i < n; i++) {
      int64_t len = off[idx[i] + 1] - off[idx[i]];
      if (len)
        memcpy(dst->bytes + at, src->bytes + off[idx[i]], (size_t)len);
      at += len;
      doff[base + i + 1] = at;
    }
    dst->bytes_len = at;
    break;
  }
  case SBD_BOOL: {
    RETURN_IF_ERROR(vec_reserve(ctx, dst, n, 0));
    const uint8_t *s = src->values;
    uint8_t *d = (uint8_t *)dst->values + base;
    for (int64_t i = 0; i < n; i++)
      d[i] = s[idx[i]];
    break;
  }
  case SBD_DATE: {
    RETURN_IF_ERROR(vec_reserve(ctx, dst, n, 0));
    const int32_t *s = src->values;
    int32_t *d = (int32_t *)dst->values + base;
    for (int64_t i = 0; i < n; i++)
      d[i] = s[idx[i]];
    break;
  }
  default: { /* INT64, DOUBLE, TIMESTAMP: 8 bytes */
    RETURN_IF_ERROR(vec_reserve(ctx, dst, n, 0));
    const int64_t *s = src->values;
    int64_t *d = (int64_t *)dst->values + base;
    for (int64_t i = 0; i < n; i++)
      d[i] = s[idx[i]];
    break;
  }
  }
  dst->len += n;
  if (src->null_count)
    for (int64_t i = 0; i < n; i++)
      if (!vec_is_valid(src, idx[i]))
        RETURN_IF_ERROR(vec_set_null(ctx, dst, base + i));
  return SBD_OK;
}

sbd_vec *ex_vec_copy(sbd_ctx *ctx, const sbd_vec *src) {
  sbd_vec *v = vec_new(ctx, src->type, src->len);
  if (v && ex_vec_append(ctx, v, src, 0, src->len) != SBD_OK) {
    vec_free(v);
    return NULL;
  }
  return v;
}

static int cmp_double(double x, double y) {
  if (x < y)
    return -1;
  if (x > y)
    return 1;
  if (x == y)
    return 0;
  return isnan(x) ? (isnan(y) ? 0 : 1) : -1;
}

int ex_vec_compare(const sbd_vec *a, int64_t i, const sbd_vec *b, int64_t j) {
  switch (a->type) {
  case SBD_BOOL: {
    int x = ((const uint8_t *)a->values)[i], y = ((const uint8_t *)b->values)[j];
    return (x > y) - (x < y);
  }
  case SBD_DATE: {
    int32_t x = ((const int32_t *)a->values)[i], y = ((const int32_t *)b->values)[j];
    return (x > y) - (x < y);
  }
  case SBD_DOUBLE:
    return cmp_double(((const double *)a->values)[i], ((const double *)b->values)[j]);
  case SBD_STRING: {
    size_t n, m;
    const char *x = vec_str(a, i, &n), *y = vec_str(b, j, &m);
    int c = memcmp(x, y, n < m ? n : m);
    return c ? (c > 0 ? 1 : -1) : (n > m) - (n < m);
  }
  default: {
    int64_t x = ((const int64_t *)a->values)[i], y = ((const int64_t *)b->values)[j];
    return (x > y) - (x < y);
  }
  }
}

static inline uint64_t mix(uint64_t h, uint64_t x) {
  return hash_u64(h ^ (x + 0x9e3779b97f4a7c15ull));
}

/* The hash of one valid value (the slow path, for vectors with nulls). */
static uint64_t value_bits(const sbd_vec *v, int64_t i) {
  switch (v->type) {
  case SBD_BOOL:
    return ((const uint8_t *)v->values)[i];
  case SBD_DATE:
    return (uint64_t)(int64_t)((const int32_t *)v->values)[i];
  case SBD_DOUBLE: {
    double d = ((const double *)v->values)[i];
    uint64_t bits;
    if (d == 0)
      d = 0; /* -0 hashes as 0 */
    if (isnan(d))
      return 0x7ff8000000000000ull;
    memcpy(&bits, &d, 8);
    return bits;
  }
  case SBD_STRING: {
    size_t len;
    const char *s = vec_str(v, i, &len);
    return hash_bytes(s, len, 0);
  }
  default:
    return (uint64_t)((const int64_t *)v->values)[i];
  }
}

void ex_vec_hash(const sbd_vec *v, uint64_t *h) {
  int64_t n = v->len;
  if (v->null_count) {
    /* A NULL's value slot holds anything: it must not reach the hash. */
    for (int64_t i = 0; i < n; i++)
      h[i] = mix(h[i], vec_is_valid(v, i) ? value_bits(v, i) : 0x6e756c6c5bd1e995ull);
    return;
  }
  switch (v->type) {
  case SBD_BOOL:
    for (int64_t i = 0; i < n; i++)
      h[i] = mix(h[i], ((const uint8_t *)v->values)[i]);
    break;
  case SBD_DATE:
    for (int64_t i = 0; i < n; i++)
      h[i] = mix(h[i], (uint64_t)(int64_t)((const int32_t *)v->values)[i]);
    break;
  case SBD_INT64:
  case SBD_TIMESTAMP:
    for (int64_t i = 0; i < n; i++)
      h[i] = mix(h[i], (uint64_t)((const int64_t *)v->values)[i]);
    break;
  default:
    for (int64_t i = 0; i < n; i++)
      h[i] = mix(h[i], value_bits(v, i));
    break;
  }
}
