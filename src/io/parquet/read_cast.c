/*
 * read_cast.c — the schema option on a Parquet file: a column is decoded in its own type and
 * then cast, vector by vector, to the type the option (or the unified schema of several files)
 * asks for. The casts are the ones that lose nothing or say why: INT64 -> DOUBLE, BOOL -> INT64,
 * DATE -> TIMESTAMP (midnight), any type -> STRING (spelt as the CSV writer spells it), and
 * STRING -> any type, parsed as the CSV reader parses it (a value that does not parse is an
 * error naming it). Nulls stay null.
 */
#include "io/parquet/pq_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool pq_can_cast(sbd_type from, sbd_type to) {
  return from == to || to == SBD_STRING || from == SBD_STRING ||
         (from == SBD_INT64 && to == SBD_DOUBLE) || (from == SBD_BOOL && to == SBD_INT64) ||
         (from == SBD_DATE && to == SBD_TIMESTAMP);
}

/* The text of row i of a non-string vector. */
static size_t value_text(const sbd_vec *v, int64_t i, char *buf) {
  switch (v->type) {
  case SBD_BOOL:
    return ((const uint8_t *)v->values)[i] ? (memcpy(buf, "true", 4), 4)
                                           : (memcpy(buf, "false", 5), 5);
  case SBD_INT64:
    return num_format_int64(((const int64_t *)v->values)[i], buf);
  case SBD_DOUBLE:
    return num_format_double(((const double *)v->values)[i], buf);
  case SBD_DATE:
    return tm_format_date(((const int32_t *)v->values)[i], buf);
  case SBD_TIMESTAMP:
    return tm_format_timestamp(((const int64_t *)v->values)[i], buf);
  default:
    return 0;
  }
}

static bool parse_text(sbd_type to, const char *s, size_t n, void *out) {
  switch (to) {
  case SBD_BOOL: {
    bool b;
    if (!num_parse_bool(s, n, &b))
      return false;
    *(uint8_t *)out = b;
    return true;
  }
  case SBD_INT64:
    return num_parse_int64(s, n, out);
  case SBD_DOUBLE:
    return num_parse_double(s, n, out);
  case SBD_DATE:
    return tm_parse_date(s, n, out);
  case SBD_TIMESTAMP:
    return tm_parse_timestamp(s, n, out);
  default:
    return false;
  }
}

sbd_status pq_cast_vec(sbd_vec **vp, sbd_type to, int64_t first_row, char *err, size_t err_cap) {
  sbd_vec *v = *vp;
  if (v->type == to)
    return SBD_OK;
  if (!pq_can_cast(v->type, to)) {
    sbd_format_msg(err, err_cap, "cannot read a %s column as %s", sbd_type_name(v->type),
                   sbd_type_name(to));
    return SBD_EUSAGE;
  }
  /* In place where the width stays: INT64 -> DOUBLE. */
  if (v->type == SBD_INT64 && to == SBD_DOUBLE) {
    int64_t *in = v->values;
    double *out = v->values;
    for (int64_t i = 0; i < v->len; i++) {
      int64_t x = in[i];
      out[i] = (double)x;
    }
    v->type = SBD_DOUBLE;
    return SBD_OK;
  }
  sbd_vec *w = vec_new(NULL, to, v->len ? v->len : 1);
  if (!w) {
    sbd_format_msg(err, err_cap, "out of memory");
    return SBD_ENOMEM;
  }
  sbd_status st = SBD_OK;
  for (int64_t i = 0; i < v->len && st == SBD_OK; i++) {
    if (!vec_is_valid(v, i)) {
      st = vec_push_null(NULL, w);
      continue;
    }
    if (to == SBD_STRING) {
      char buf[TM_FMT_MAX + NUM_FMT_MAX];
      size_t n = value_text(v, i, buf);
      st = vec_push_str(NULL, w, buf, n);
    } else if (v->type == SBD_STRING) {
      size_t n;
      const char *s = vec_str(v, i, &n);
      uint8_t val[8] = {0};
      if (!parse_text(to, s, n, val)) {
        char q[100];
        sbd_format_msg(err, err_cap, "row %lld: cannot read %s as %s (the schema option)",
                       (long long)(first_row + i), sbd_quote_value(q, sizeof(q), s, n),
                       sbd_type_name(to));
        st = SBD_EINPUT;
        break;
      }
      memcpy((uint8_t *)w->values + (size_t)w->len * type_width(to), val, type_width(to));
      w->len++;
    } else if (v->type == SBD_BOOL) {
      vec_push_i64(w, ((const uint8_t *)v->values)[i]);
    } else { /* DATE -> TIMESTAMP */
      vec_push_i64(w, (int64_t)((const int32_t *)v->values)[i] * 86400000000LL);
    }
  }
  if (st != SBD_OK) {
    if (st == SBD_ENOMEM)
      sbd_format_msg(err, err_cap, "out of memory");
    vec_free(w);
    return st;
  }
  vec_free(v);
  *vp = w;
  return SBD_OK;
}
