/*
 * arrow_import.c — batches from Arrow C Data Interface arrays: what a caller holding columns in
 * another runtime (numpy through the Python binding, any Arrow producer) hands to sbd's writers.
 *
 * The input is a struct array ("+s") with one child per column. Children may be of these
 * formats, widened to sbd's types: b (bit-packed bool) -> BOOL; c s i l C S I (8..64-bit
 * integers; L only when every value fits) -> INT64; e f g (half, float, double) -> DOUBLE; u U
 * (utf8 with 32- or 64-bit offsets, checked to be valid UTF-8) -> STRING; tdD (days), tdm
 * (milliseconds) -> DATE; tss: tsm: tsu: tsn: with any zone -> TIMESTAMP in microseconds
 * (nanoseconds rounded toward minus infinity, as DuckDB casts them). The values are copied:
 * the caller keeps (and releases) the array. Offsets of parent and children are honoured.
 */
#include "core/core_int.h"

#include <stdio.h>
#include <string.h>

static bool bit_at(const void *bits, int64_t i) {
  return (((const uint8_t *)bits)[i >> 3] >> (i & 7)) & 1;
}

static sbd_status import_error(sbd_ctx *ctx, sbd_status st, const char *name, const char *what,
                               const char *detail) {
  return sbd_error(ctx, st, "Arrow import: column '%s': %s%s", name, what, detail ? detail : "");
}

/* The sbd type of an Arrow format string, or 0. */
static sbd_type import_type(const char *f) {
  if (!strcmp(f, "b"))
    return SBD_BOOL;
  if (!strcmp(f, "c") || !strcmp(f, "s") || !strcmp(f, "i") || !strcmp(f, "l") || !strcmp(f, "C") ||
      !strcmp(f, "S") || !strcmp(f, "I") || !strcmp(f, "L"))
    return SBD_INT64;
  if (!strcmp(f, "e") || !strcmp(f, "f") || !strcmp(f, "g"))
    return SBD_DOUBLE;
  if (!strcmp(f, "u") || !strcmp(f, "U"))
    return SBD_STRING;
  if (!strcmp(f, "tdD") || !strcmp(f, "tdm"))
    return SBD_DATE;
  if (!strncmp(f, "tss:", 4) || !strncmp(f, "tsm:", 4) || !strncmp(f, "tsu:", 4) ||
      !strncmp(f, "tsn:", 4))
    return SBD_TIMESTAMP;
  return 0;
}

static double half_to_double(uint16_t h) {
  int exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
  double v;
  if (exp == 0)
    v = mant * (1.0 / (1 << 24));
  else if (exp == 31)
    v = mant ? (0.0 / 0.0) : (1.0 / 0.0);
  else
    v = (1.0 + mant / 1024.0) * (exp >= 15 ? (double)(1 << (exp - 15)) : 1.0 / (1 << (15 - exp)));
  return (h & 0x8000) ? -v : v;
}

static int64_t floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* Appends rows [from, from + n) of child c (format f) to v. */
static sbd_status import_column(sbd_ctx *ctx, const struct ArrowArray *c, const char *f,
                                const char *name, int64_t from, int64_t n, sbd_vec *v) {
  int64_t base = c->offset + from;
  const void *valid = c->n_buffers > 0 && c->null_count != 0 ? c->buffers[0] : NULL;
  const void *data = c->n_buffers > 1 ? c->buffers[1] : NULL;
  if (!data && n > 0)
    return import_error(ctx, SBD_EUSAGE, name, "no value buffer", NULL);
  if (v->type == SBD_STRING) {
    const void *bytes = c->n_buffers > 2 ? c->buffers[2] : NULL;
    bool wide = f[0] == 'U';
    for (int64_t i = 0; i < n; i++) {
      int64_t r = base + i;
      if (valid && !bit_at(valid, r)) {
        RETURN_IF_ERROR(vec_push_null(ctx, v));
        continue;
      }
      int64_t a = wide ? ((const int64_t *)data)[r] : ((const int32_t *)data)[r];
      int64_t b = wide ? ((const int64_t *)data)[r + 1] : ((const int32_t *)data)[r + 1];
      if (b < a || (b > a && !bytes))
        return import_error(ctx, SBD_EUSAGE, name, "offsets out of order", NULL);
      const char *s = (const char *)bytes + a;
      if (!str_utf8_valid(s, (size_t)(b - a))) {
        char where[48];
        snprintf(where, sizeof where, " (row %lld)", (long long)(from + i));
        return import_error(ctx, SBD_EINPUT, name, "invalid UTF-8", where);
      }
      RETURN_IF_ERROR(vec_push_str(ctx, v, s, (size_t)(b - a)));
    }
    return SBD_OK;
  }
  RETURN_IF_ERROR(vec_reserve(ctx, v, n, 0));
  for (int64_t i = 0; i < n; i++) {
    int64_t r = base + i;
    if (valid && !bit_at(valid, r)) {
      RETURN_IF_ERROR(vec_push_null(ctx, v));
      continue;
    }
    switch (v->type) {
    case SBD_BOOL:
      vec_push_bool(v, bit_at(data, r));
      break;
    case SBD_INT64: {
      int64_t x;
      switch (f[0]) {
      case 'c':
        x = ((const int8_t *)data)[r];
        break;
      case 's':
        x = ((const int16_t *)data)[r];
        break;
      case 'i':
        x = ((const int32_t *)data)[r];
        break;
      case 'l':
        x = ((const int64_t *)data)[r];
        break;
      case 'C':
        x = ((const uint8_t *)data)[r];
        break;
      case 'S':
        x = ((const uint16_t *)data)[r];
        break;
      case 'I':
        x = ((const uint32_t *)data)[r];
        break;
      default: {
        uint64_t u = ((const uint64_t *)data)[r];
        if (u > (uint64_t)INT64_MAX) {
          char val[64];
          snprintf(val, sizeof val, " %llu at row %lld", (unsigned long long)u,
                   (long long)(from + i));
          return import_error(ctx, SBD_EINPUT, name, "unsigned value does not fit INT64:", val);
        }
        x = (int64_t)u;
      }
      }
      vec_push_i64(v, x);
      break;
    }
    case SBD_DOUBLE:
      vec_push_f64(v, f[0] == 'g'   ? ((const double *)data)[r]
                      : f[0] == 'f' ? (double)((const float *)data)[r]
                                    : half_to_double(((const uint16_t *)data)[r]));
      break;
    case SBD_DATE:
      if (f[2] == 'D') {
        vec_push_i32(v, ((const int32_t *)data)[r]);
      } else {
        int64_t days = floor_div(((const int64_t *)data)[r], 86400000);
        if (days < INT32_MIN || days > INT32_MAX)
          return import_error(ctx, SBD_EINPUT, name, "date out of range", NULL);
        vec_push_i32(v, (int32_t)days);
      }
      break;
    default: { /* TIMESTAMP */
      int64_t x = ((const int64_t *)data)[r], us;
      if (f[2] == 's') {
        if (x > INT64_MAX / 1000000 || x < INT64_MIN / 1000000)
          return import_error(ctx, SBD_EINPUT, name, "timestamp out of range", NULL);
        us = x * 1000000;
      } else if (f[2] == 'm') {
        if (x > INT64_MAX / 1000 || x < INT64_MIN / 1000)
          return import_error(ctx, SBD_EINPUT, name, "timestamp out of range", NULL);
        us = x * 1000;
      } else if (f[2] == 'u') {
        us = x;
      } else {
        us = floor_div(x, 1000);
      }
      vec_push_i64(v, us);
    }
    }
  }
  return SBD_OK;
}

sbd_status sbd_batch_import(sbd_ctx *ctx, const struct ArrowArray *array,
                            const struct ArrowSchema *schema, int64_t offset, int64_t nrows,
                            sbd_batch **out) {
  *out = NULL;
  if (!array || !schema || !schema->format || strcmp(schema->format, "+s") != 0)
    return sbd_error(ctx, SBD_EUSAGE, "Arrow import: the array must be a struct array (\"+s\")");
  if (array->n_children != schema->n_children)
    return sbd_error(ctx, SBD_EUSAGE,
                     "Arrow import: the array has %lld children but its schema %lld",
                     (long long)array->n_children, (long long)schema->n_children);
  if (offset < 0 || nrows < 0 || nrows > SBD_BATCH_ROWS || offset + nrows > array->length)
    return sbd_error(ctx, SBD_EUSAGE,
                     "Arrow import: rows [%lld, %lld) are not within the array's %lld rows "
                     "(at most %d at once)",
                     (long long)offset, (long long)(offset + nrows), (long long)array->length,
                     SBD_BATCH_ROWS);
  if (array->null_count != 0 && array->n_buffers > 0 && array->buffers[0])
    return sbd_error(ctx, SBD_EUNSUPPORTED,
                     "Arrow import: a struct array with null rows (make the columns null)");
  int n = (int)schema->n_children;
  sbd_schema *s = schema_new(ctx, n);
  if (!s)
    return SBD_ENOMEM;
  for (int i = 0; i < n; i++) {
    const struct ArrowSchema *cs = schema->children[i];
    const char *name = cs->name ? cs->name : "";
    sbd_type t = cs->format ? import_type(cs->format) : 0;
    if (!t) {
      schema_unref(s);
      return import_error(ctx, SBD_EUNSUPPORTED, name,
                          "Arrow format not supported: ", cs->format ? cs->format : "(none)");
    }
    if (cs->dictionary) {
      schema_unref(s);
      return import_error(ctx, SBD_EUNSUPPORTED, name, "dictionary-encoded columns", NULL);
    }
    sbd_status st = schema_set(ctx, s, i, name, t);
    if (st != SBD_OK) {
      schema_unref(s);
      return st;
    }
  }
  sbd_batch *b = batch_new(ctx, s, nrows);
  schema_unref(s);
  if (!b)
    return SBD_ENOMEM;
  for (int i = 0; i < n; i++) {
    const struct ArrowArray *c = array->children[i];
    if (c->length < array->offset + offset + nrows) {
      sbd_batch_free(b);
      return import_error(ctx, SBD_EUSAGE, schema->children[i]->name, "shorter than the array",
                          NULL);
    }
    /* A child's rows are the parent's, shifted by the parent's offset. */
    sbd_status st = import_column(ctx, c, schema->children[i]->format, schema->children[i]->name,
                                  array->offset + offset, nrows, b->cols[i]);
    if (st != SBD_OK) {
      sbd_batch_free(b);
      return st;
    }
  }
  batch_seal(b);
  *out = b;
  return SBD_OK;
}
