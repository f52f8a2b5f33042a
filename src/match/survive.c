/*
 * survive.c — survivorship: the value of one field of a golden record, chosen among the values
 * of the cluster's records. The members arrive sorted by record id, and every rule breaks ties
 * by that order (the first member wins), so the golden record does not depend on the order of
 * the input or on the number of threads. Nulls never survive while a value exists.
 *
 *   most_recent     the value of the record with the latest timestamp (records without one come
 *                   first; with no timestamp column, the last record read wins: input order)
 *   first_non_null  the value of the record whose source is earliest in source_priority
 *                   (sources not listed come after those listed)
 *   most_frequent   the most common value (ties: the smallest by bytes)
 *   max, min        by number for INT64 and DOUBLE, by bytes otherwise (ISO dates and times
 *                   sort by bytes as by time)
 *   longest         the value with most bytes (ties: the smallest by bytes)
 *   union           the distinct values sorted by bytes, as a JSON array of strings
 *   sum             INT64 (an overflow is an error) or DOUBLE, added in member order
 */
#include "match/match_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

sbd_type mt_survive_type(sbd_type t, mt_survive how) {
  return how == MT_UNION ? SBD_STRING : t;
}

static sbd_status push_text(sbd_ctx *ctx, sbd_vec *out, const char *s, size_t n) {
  RETURN_IF_ERROR(vec_reserve(ctx, out, 1, 0));
  if (!s)
    return vec_push_null(ctx, out);
  bool ok = true;
  switch (out->type) {
  case SBD_STRING:
    return vec_push_str(ctx, out, s, n);
  case SBD_INT64: {
    int64_t v = 0;
    ok = num_parse_int64(s, n, &v);
    vec_push_i64(out, v);
    break;
  }
  case SBD_DOUBLE: {
    double v = 0;
    ok = num_parse_double(s, n, &v);
    vec_push_f64(out, v);
    break;
  }
  case SBD_BOOL: {
    bool v = false;
    ok = num_parse_bool(s, n, &v);
    vec_push_bool(out, v);
    break;
  }
  case SBD_DATE: {
    int32_t v = 0;
    ok = tm_parse_date(s, n, &v);
    vec_push_i32(out, v);
    break;
  }
  case SBD_TIMESTAMP: {
    int64_t v = 0;
    ok = tm_parse_timestamp(s, n, &v);
    vec_push_i64(out, v);
    break;
  }
  }
  RETURN_ERROR_IF(!ok, ctx, SBD_EINTERNAL, "dedup: cannot read back the value '%.*s' as %s",
                  (int)(n < 60 ? n : 60), s, sbd_type_name(out->type));
  return SBD_OK;
}

double mt_survive_timestamp(const mt_survive_ctx *sc, uint32_t r) {
  size_t n;
  const char *s = mt_records_get(sc->recs, r, sc->ts_idx, &n);
  if (!s)
    return -INFINITY;
  switch (sc->recs->types[sc->ts_idx]) {
  case SBD_TIMESTAMP: {
    int64_t us;
    return tm_parse_timestamp(s, n, &us) ? (double)us : -INFINITY;
  }
  case SBD_DATE: {
    int32_t d;
    return tm_parse_date(s, n, &d) ? (double)d : -INFINITY;
  }
  default: {
    double v;
    return num_parse_double(s, n, &v) ? v : -INFINITY;
  }
  }
}

static int source_rank(const mt_survive_ctx *sc, uint32_t r) {
  if (sc->source_idx < 0)
    return 0;
  size_t n;
  const char *s = mt_records_get(sc->recs, r, sc->source_idx, &n);
  for (int i = 0; s && i < sc->npriority; i++)
    if (strlen(sc->priority[i]) == n && memcmp(sc->priority[i], s, n) == 0)
      return i;
  return sc->npriority;
}

static int bytes_cmp(const char *a, size_t na, const char *b, size_t nb) {
  int c = memcmp(a, b, na < nb ? na : nb);
  return c ? c : (na > nb) - (na < nb);
}

/* Compares two non-null values of a column of type t for max/min. */
static int typed_cmp(sbd_type t, const char *a, size_t na, const char *b, size_t nb) {
  if (t == SBD_INT64) {
    int64_t x, y;
    if (num_parse_int64(a, na, &x) && num_parse_int64(b, nb, &y))
      return (x > y) - (x < y);
  } else if (t == SBD_DOUBLE) {
    double x, y;
    if (num_parse_double(a, na, &x) && num_parse_double(b, nb, &y) && !isnan(x) && !isnan(y))
      return (x > y) - (x < y);
  }
  return bytes_cmp(a, na, b, nb);
}

typedef struct value_ref {
  const char *s;
  size_t n;
} value_ref;

/* Sorts value refs by bytes: insertion sort for the small clusters that are the rule, merge
 * sort above. */
static void sort_values(value_ref *v, size_t n, value_ref *tmp) {
  if (n < 16) {
    for (size_t i = 1; i < n; i++) {
      value_ref x = v[i];
      size_t j = i;
      while (j > 0 && bytes_cmp(v[j - 1].s, v[j - 1].n, x.s, x.n) > 0) {
        v[j] = v[j - 1];
        j--;
      }
      v[j] = x;
    }
    return;
  }
  size_t h = n / 2;
  sort_values(v, h, tmp);
  sort_values(v + h, n - h, tmp);
  size_t i = 0, j = h, k = 0;
  while (i < h && j < n)
    tmp[k++] = bytes_cmp(v[j].s, v[j].n, v[i].s, v[i].n) < 0 ? v[j++] : v[i++];
  while (i < h)
    tmp[k++] = v[i++];
  while (j < n)
    tmp[k++] = v[j++];
  memcpy(v, tmp, n * sizeof(*v));
}

sbd_status mt_survive_column(sbd_ctx *ctx, const mt_survive_ctx *sc, int col, mt_survive how,
                             const uint32_t *members, size_t n, sbd_vec *out, mt_buf *scratch) {
  const mt_records *c = sc->recs;
  sbd_type t = sc->recs->types[col];
  const char *best = NULL;
  size_t best_n = 0;
  switch (how) {
  case MT_MOST_RECENT: {
    double best_ts = 0;
    uint32_t last = 0;
    for (size_t i = 0; i < n; i++) {
      size_t vn;
      const char *v = mt_records_get(c, members[i], col, &vn);
      if (!v)
        continue;
      if (sc->ts_idx < 0) {
        /* No timestamp: the record read last (the highest index) wins. */
        if (!best || members[i] > last)
          best = v, best_n = vn, last = members[i];
        continue;
      }
      double ts = sc->ts ? sc->ts[members[i]] : mt_survive_timestamp(sc, members[i]);
      if (!best || ts > best_ts)
        best = v, best_n = vn, best_ts = ts;
    }
    return push_text(ctx, out, best, best_n);
  }
  case MT_FIRST_NON_NULL: {
    int best_rank = 0;
    for (size_t i = 0; i < n; i++) {
      size_t vn;
      const char *v = mt_records_get(c, members[i], col, &vn);
      if (!v)
        continue;
      int rank = source_rank(sc, members[i]);
      if (!best || rank < best_rank) {
        best = v, best_n = vn, best_rank = rank;
      }
    }
    return push_text(ctx, out, best, best_n);
  }
  case MT_MAX:
  case MT_MIN:
  case MT_LONGEST:
    for (size_t i = 0; i < n; i++) {
      size_t vn;
      const char *v = mt_records_get(c, members[i], col, &vn);
      if (!v)
        continue;
      bool better;
      if (!best)
        better = true;
      else if (how == MT_MAX)
        better = typed_cmp(t, v, vn, best, best_n) > 0;
      else if (how == MT_MIN)
        better = typed_cmp(t, v, vn, best, best_n) < 0;
      else
        better = vn > best_n || (vn == best_n && bytes_cmp(v, vn, best, best_n) < 0);
      if (better)
        best = v, best_n = vn;
    }
    return push_text(ctx, out, best, best_n);
  case MT_SUM: {
    bool any = false;
    int64_t isum = 0;
    double dsum = 0;
    for (size_t i = 0; i < n; i++) {
      size_t vn;
      const char *v = mt_records_get(c, members[i], col, &vn);
      if (!v)
        continue;
      any = true;
      if (t == SBD_INT64) {
        int64_t x = 0;
        num_parse_int64(v, vn, &x);
        if (__builtin_add_overflow(isum, x, &isum)) {
          size_t idn;
          const char *id = mt_strcol_get(&sc->recs->ids, members[0], &idn);
          char q[96];
          return sbd_error(ctx, SBD_EINPUT,
                           "dedup: sum of column '%s' overflows INT64 in the cluster of record %s",
                           sc->recs->names[col], sbd_quote_value(q, sizeof(q), id, idn));
        }
      } else {
        double x = 0;
        num_parse_double(v, vn, &x);
        dsum += x;
      }
    }
    RETURN_IF_ERROR(vec_reserve(ctx, out, 1, 0));
    if (!any)
      return vec_push_null(ctx, out);
    if (t == SBD_INT64)
      vec_push_i64(out, isum);
    else
      vec_push_f64(out, dsum);
    return SBD_OK;
  }
  case MT_MOST_FREQUENT:
  case MT_UNION: {
    value_ref *v = malloc((2 * n + 1) * sizeof(value_ref));
    if (!v)
      return sbd_error(ctx, SBD_ENOMEM, "out of memory");
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
      v[k].s = mt_records_get(c, members[i], col, &v[k].n);
      if (v[k].s)
        k++;
    }
    sort_values(v, k, v + n);
    sbd_status st;
    if (how == MT_MOST_FREQUENT) {
      size_t best_count = 0;
      for (size_t i = 0; i < k;) {
        size_t j = i + 1;
        while (j < k && bytes_cmp(v[i].s, v[i].n, v[j].s, v[j].n) == 0)
          j++;
        if (j - i > best_count) {
          best_count = j - i;
          best = v[i].s, best_n = v[i].n;
        }
        i = j;
      }
      st = push_text(ctx, out, best, best_n);
    } else if (k == 0) {
      st = push_text(ctx, out, NULL, 0);
    } else {
      scratch->len = 0;
      bool ok = mt_buf_addc(scratch, '[');
      for (size_t i = 0; ok && i < k; i++) {
        if (i > 0 && bytes_cmp(v[i].s, v[i].n, v[i - 1].s, v[i - 1].n) == 0)
          continue;
        ok = (scratch->len == 1 || mt_buf_addc(scratch, ',')) &&
             mt_buf_json_str(scratch, v[i].s, v[i].n);
      }
      ok = ok && mt_buf_addc(scratch, ']');
      st = ok ? vec_push_str(ctx, out, scratch->p, scratch->len)
              : sbd_error(ctx, SBD_ENOMEM, "out of memory");
    }
    free(v);
    return st;
  }
  }
  return sbd_error(ctx, SBD_EINTERNAL, "dedup: unknown survivorship %d", (int)how);
}
