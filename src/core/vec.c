/*
 * vec.c — column vectors and batches (layout in core_int.h). Vectors own malloc'd buffers that
 * grow geometrically; a string payload larger than SBD_MAX_VALUE_BYTES per value is refused with
 * a message naming the cap.
 */
#include "core/core_int.h"

#include <stdlib.h>
#include <string.h>

size_t type_width(sbd_type type) {
  switch (type) {
  case SBD_BOOL:
    return 1;
  case SBD_DATE:
    return 4;
  default:
    return 8;
  }
}

sbd_vec *vec_new(sbd_ctx *ctx, sbd_type type, int64_t cap_rows) {
  sbd_vec *v = sbd_calloc(ctx, 1, sizeof(*v));
  if (!v)
    return NULL;
  v->type = type;
  if (type == SBD_STRING) {
    v->values = sbd_malloc(ctx, sizeof(int64_t));
    if (!v->values) {
      free(v);
      return NULL;
    }
    ((int64_t *)v->values)[0] = 0;
    /* A payload buffer from the start, so that bytes + offset is never arithmetic on NULL. */
    v->bytes = sbd_malloc(ctx, 64);
    if (!v->bytes) {
      vec_free(v);
      return NULL;
    }
    v->bytes_cap = 64;
  }
  if (cap_rows > 0 && vec_reserve(ctx, v, cap_rows, 0) != SBD_OK) {
    vec_free(v);
    return NULL;
  }
  return v;
}

sbd_vec *vec_view(sbd_ctx *ctx, sbd_batch *b, int col) {
  sbd_vec *v = sbd_malloc(ctx, sizeof(*v));
  if (!v)
    return NULL;
  *v = *b->cols[col];
  /* A view has no room to grow into: any append goes through vec_reserve, which unshares. */
  v->cap = v->len;
  v->bytes_cap = v->bytes_len;
  v->owner = batch_ref(b);
  return v;
}

sbd_status vec_unshare(sbd_ctx *ctx, sbd_vec *v) {
  if (!v->owner)
    return SBD_OK;
  int64_t cap = v->len > 0 ? v->len : 1;
  size_t width = type_width(v->type);
  size_t slots = (size_t)cap + (v->type == SBD_STRING ? 1 : 0);
  size_t words = (size_t)(cap + 63) / 64;
  void *values = sbd_malloc(ctx, slots * width);
  uint64_t *validity = v->validity ? sbd_malloc(ctx, words * 8) : NULL;
  int64_t bytes_cap = v->bytes_len > 0 ? v->bytes_len : 64;
  char *bytes = v->type == SBD_STRING ? sbd_malloc(ctx, (size_t)bytes_cap) : NULL;
  if (!values || (v->validity && !validity) || (v->type == SBD_STRING && !bytes)) {
    free(values);
    free(validity);
    free(bytes);
    return SBD_ENOMEM;
  }
  memcpy(values, v->values, (size_t)(v->len + (v->type == SBD_STRING ? 1 : 0)) * width);
  if (validity) {
    memset(validity, 0xff, words * 8);
    memcpy(validity, v->validity, (size_t)(v->len + 63) / 64 * 8);
  }
  if (bytes && v->bytes_len > 0)
    memcpy(bytes, v->bytes, (size_t)v->bytes_len);
  sbd_batch_free(v->owner);
  v->owner = NULL;
  v->values = values;
  v->validity = validity;
  v->bytes = bytes;
  v->cap = cap;
  v->bytes_cap = v->type == SBD_STRING ? bytes_cap : 0;
  return SBD_OK;
}

void vec_free(sbd_vec *v) {
  if (!v)
    return;
  if (v->owner) {
    sbd_batch_free(v->owner);
    free(v);
    return;
  }
  free(v->validity);
  free(v->values);
  free(v->bytes);
  free(v);
}

void vec_reset(sbd_vec *v) {
  if (v->owner) {
    /* Nothing of a view's is kept: it becomes an empty vector of its own. */
    sbd_batch_free(v->owner);
    *v = (sbd_vec){.type = v->type};
    return;
  }
  v->len = 0;
  v->null_count = 0;
  v->bytes_len = 0;
  if (v->validity)
    memset(v->validity, 0xff, (size_t)((v->cap + 63) / 64) * 8);
}

sbd_status vec_reserve(sbd_ctx *ctx, sbd_vec *v, int64_t rows, int64_t bytes) {
  RETURN_IF_ERROR(vec_unshare(ctx, v));
  if (v->len + rows > v->cap) {
    int64_t cap = v->cap ? v->cap : 64;
    while (cap < v->len + rows)
      cap *= 2;
    size_t width = type_width(v->type);
    size_t slots = (size_t)cap + (v->type == SBD_STRING ? 1 : 0);
    bool fresh = !v->values; /* a reset view: a STRING's first offset is still to be set */
    void *values = sbd_realloc(ctx, v->values, slots * width);
    if (!values)
      return SBD_ENOMEM;
    v->values = values;
    if (fresh && v->type == SBD_STRING)
      ((int64_t *)values)[0] = 0;
    if (v->validity) {
      size_t old_words = (size_t)(v->cap + 63) / 64, words = (size_t)(cap + 63) / 64;
      uint64_t *validity = sbd_realloc(ctx, v->validity, words * 8);
      if (!validity)
        return SBD_ENOMEM;
      memset(validity + old_words, 0xff, (words - old_words) * 8);
      v->validity = validity;
    }
    v->cap = cap;
  }
  if (bytes > 0 && v->bytes_len + bytes > v->bytes_cap) {
    int64_t cap = v->bytes_cap ? v->bytes_cap : 256;
    while (cap < v->bytes_len + bytes)
      cap *= 2;
    char *b = sbd_realloc(ctx, v->bytes, (size_t)cap);
    if (!b)
      return SBD_ENOMEM;
    v->bytes = b;
    v->bytes_cap = cap;
  }
  return SBD_OK;
}

sbd_status vec_set_null(sbd_ctx *ctx, sbd_vec *v, int64_t i) {
  RETURN_IF_ERROR(vec_unshare(ctx, v));
  if (!v->validity) {
    size_t words = (size_t)(v->cap + 63) / 64;
    v->validity = sbd_malloc(ctx, (words ? words : 1) * 8);
    if (!v->validity)
      return SBD_ENOMEM;
    memset(v->validity, 0xff, (words ? words : 1) * 8);
  }
  if ((v->validity[i >> 6] >> (i & 63)) & 1) {
    v->validity[i >> 6] &= ~(UINT64_C(1) << (i & 63));
    v->null_count++;
  }
  return SBD_OK;
}

sbd_status vec_push_null(sbd_ctx *ctx, sbd_vec *v) {
  /* The caller reserved room for the value; the bitmap may still be missing. */
  int64_t i = v->len;
  switch (v->type) {
  case SBD_BOOL:
    ((uint8_t *)v->values)[i] = 0;
    break;
  case SBD_DATE:
    ((int32_t *)v->values)[i] = 0;
    break;
  case SBD_STRING:
    ((int64_t *)v->values)[i + 1] = v->bytes_len;
    break;
  default:
    ((int64_t *)v->values)[i] = 0;
    break;
  }
  v->len++;
  return vec_set_null(ctx, v, i);
}

sbd_status vec_push_str(sbd_ctx *ctx, sbd_vec *v, const char *s, size_t n) {
  if (n > SBD_MAX_VALUE_BYTES)
    return sbd_error(ctx, SBD_ELIMIT, "a string of %zu bytes is over the cap of %u bytes", n,
                     SBD_MAX_VALUE_BYTES);
  RETURN_IF_ERROR(vec_reserve(ctx, v, 1, (int64_t)n));
  if (n > 0) /* an empty string may come before any payload exists: v->bytes is still NULL */
    memcpy(v->bytes + v->bytes_len, s, n);
  v->bytes_len += (int64_t)n;
  ((int64_t *)v->values)[++v->len] = v->bytes_len;
  return SBD_OK;
}

sbd_batch *batch_new(sbd_ctx *ctx, sbd_schema *schema, int64_t cap_rows) {
  sbd_batch *b = sbd_calloc(ctx, 1, sizeof(*b));
  if (!b)
    return NULL;
  b->refs = 1;
  b->ncols = schema->ncols;
  b->schema = schema_ref(schema);
  b->cols = sbd_calloc(ctx, (size_t)(schema->ncols ? schema->ncols : 1), sizeof(sbd_vec *));
  if (!b->cols) {
    sbd_batch_free(b);
    return NULL;
  }
  for (int i = 0; i < schema->ncols; i++) {
    b->cols[i] = vec_new(ctx, schema->fields[i].type, cap_rows);
    if (!b->cols[i]) {
      sbd_batch_free(b);
      return NULL;
    }
  }
  return b;
}

sbd_batch *batch_ref(sbd_batch *b) {
  __atomic_add_fetch(&b->refs, 1, __ATOMIC_RELAXED);
  return b;
}

void batch_seal(sbd_batch *b) {
  b->nrows = b->ncols ? b->cols[0]->len : b->nrows;
}

void sbd_batch_free(sbd_batch *b) {
  if (!b || __atomic_sub_fetch(&b->refs, 1, __ATOMIC_ACQ_REL) != 0)
    return;
  if (b->cols)
    for (int i = 0; i < b->ncols; i++)
      vec_free(b->cols[i]);
  free(b->cols);
  schema_unref(b->schema);
  free(b);
}

int64_t sbd_batch_nrows(const sbd_batch *b) {
  return b->nrows;
}
int sbd_batch_ncols(const sbd_batch *b) {
  return b->ncols;
}
const sbd_schema *sbd_batch_schema(const sbd_batch *b) {
  return b->schema;
}

/* ---- public access: slices and values as text ----------------------------------------------*/

sbd_status sbd_batch_slice(sbd_ctx *ctx, const sbd_batch *b, int64_t offset, int64_t nrows,
                           sbd_batch **out) {
  *out = NULL;
  RETURN_ERROR_IF(offset < 0 || nrows < 0 || offset > b->nrows || nrows > b->nrows - offset, ctx,
                  SBD_EUSAGE, "batch slice: rows %lld..%lld are outside a batch of %lld rows",
                  (long long)offset, (long long)(offset + nrows), (long long)b->nrows);
  sbd_batch *s = batch_new(ctx, b->schema, nrows);
  if (!s)
    return SBD_ENOMEM;
  for (int c = 0; c < b->ncols; c++) {
    const sbd_vec *src = b->cols[c];
    sbd_vec *dst = s->cols[c];
    if (src->type == SBD_STRING) {
      for (int64_t i = 0; i < nrows; i++) {
        size_t n;
        const char *p = vec_str(src, offset + i, &n);
        sbd_status st =
            vec_is_valid(src, offset + i) ? vec_push_str(ctx, dst, p, n) : vec_push_null(ctx, dst);
        if (st != SBD_OK) {
          sbd_batch_free(s);
          return st;
        }
      }
      continue;
    }
    size_t width = type_width(src->type);
    if (nrows > 0)
      memcpy(dst->values, (const char *)src->values + (size_t)offset * width,
             (size_t)nrows * width);
    dst->len = nrows;
    for (int64_t i = 0; src->null_count && i < nrows; i++) {
      if (!vec_is_valid(src, offset + i) && vec_set_null(ctx, dst, i) != SBD_OK) {
        sbd_batch_free(s);
        return SBD_ENOMEM;
      }
    }
  }
  s->nrows = nrows;
  batch_seal(s);
  *out = s;
  return SBD_OK;
}

int64_t sbd_batch_value_text(const sbd_batch *b, int col, int64_t row, char *buf, size_t cap) {
  const sbd_vec *v = b->cols[col];
  if (cap)
    buf[0] = 0;
  if (!vec_is_valid(v, row))
    return -1;
  char tmp[TM_FMT_MAX > NUM_FMT_MAX ? TM_FMT_MAX : NUM_FMT_MAX];
  const char *text = tmp;
  size_t n = 0;
  switch (v->type) {
  case SBD_BOOL:
    text = ((const uint8_t *)v->values)[row] ? "true" : "false";
    n = strlen(text);
    break;
  case SBD_INT64:
    n = num_format_int64(((const int64_t *)v->values)[row], tmp);
    break;
  case SBD_DOUBLE:
    n = num_format_double(((const double *)v->values)[row], tmp);
    break;
  case SBD_DATE:
    n = tm_format_date(((const int32_t *)v->values)[row], tmp);
    break;
  case SBD_TIMESTAMP:
    n = tm_format_timestamp(((const int64_t *)v->values)[row], tmp);
    break;
  case SBD_STRING:
    text = vec_str(v, row, &n);
    break;
  }
  if (cap) {
    size_t k = n < cap - 1 ? n : cap - 1;
    memcpy(buf, text, k);
    buf[k] = 0;
  }
  return (int64_t)n;
}
