/*
 * prune.c — filter pushdown: decides from a column's statistics (min, max, null count) whether a
 * part of a table (a Parquet row group, a file of a Hive-partitioned folder) may hold a row for
 * which a WHERE condition is true. A part that cannot is never read; the condition still runs on
 * the rows of the parts that are read, so a "may match" that is too generous costs only time,
 * while a wrong "cannot match" would lose rows. Every rule therefore says no only when exactly
 * right, and anything it does not understand may match.
 *
 * Understood: AND (no part of it may match: skip), OR (none of its parts may: skip; IN lists are
 * bound as ORs of =), `column op constant` with op one of = <> < <= > >= (either side; BETWEEN is
 * bound as >= AND <=), IS [NOT] NULL over a column. The column may be widened by the implicit
 * casts INT64 -> DOUBLE and DATE -> TIMESTAMP, which keep order, so its bounds widen alike; so may
 * the constant. Rules that need care:
 * - NaN: sbd (as DuckDB) orders NaN above every number, so NaN > 1 is true; Parquet statistics
 *   leave NaN out of min/max, so for a DOUBLE column only the conditions NaN fails (=, <, <=) can
 *   prune, unless the statistics count no NaN (nan_count 0, or a DECIMAL column); a NaN constant
 *   never prunes.
 * - Strings compare as unsigned bytes, as the statistics are ordered. Writers may truncate string
 *   bounds (still bounds, but no longer values), so <> never prunes a string column.
 * - A comparison is never true on NULL: a part whose values are all NULL (null count = rows)
 *   matches none; statistics without a null count say nothing about NULLs.
 */
#include "exec/exec_int.h"
#include "io/parquet/pq_int.h"

#include <math.h>
#include <string.h>

/* DATE days as TIMESTAMP microseconds; false when that overflows. */
static bool days_to_micros(int64_t days, int64_t *out) {
  const int64_t per_day = 86400000000LL;
  if (days > INT64_MAX / per_day || days < INT64_MIN / per_day)
    return false;
  *out = days * per_day;
  return true;
}

/* A bound or constant in one comparable form. */
typedef struct bound {
  sbd_type type; /* INT64 (also BOOL, DATE, TIMESTAMP), DOUBLE or STRING */
  int64_t i;
  double d;
  const char *s;
  size_t n;
} bound;

static int compare_bounds(const bound *a, const bound *b) {
  if (a->type == SBD_DOUBLE)
    return a->d < b->d ? -1 : a->d > b->d;
  if (a->type == SBD_STRING) {
    size_t n = a->n < b->n ? a->n : b->n;
    int c = n ? memcmp(a->s, b->s, n) : 0;
    if (c)
      return c < 0 ? -1 : 1;
    return a->n < b->n ? -1 : a->n > b->n;
  }
  return a->i < b->i ? -1 : a->i > b->i;
}

/* The constant side: a non-NULL constant, possibly widened by an implicit cast. */
static bool constant_of(const ex_expr *e, sbd_type want, bound *out, bool *is_null) {
  *is_null = false;
  const ex_expr *c = e;
  if (e->kind == EX_CAST && e->nargs == 1 && !e->try_cast && e->args[0]->kind == EX_CONST)
    c = e->args[0];
  if (c->kind != EX_CONST)
    return false;
  if (c->value.is_null) {
    *is_null = true;
    return true;
  }
  sbd_type from = c->type;
  out->type = want == SBD_DOUBLE || want == SBD_STRING ? want : SBD_INT64;
  if (from == want) {
    switch (from) {
    case SBD_BOOL:
      out->i = c->value.b;
      return true;
    case SBD_INT64:
    case SBD_TIMESTAMP:
      out->i = c->value.i;
      return true;
    case SBD_DATE:
      out->i = c->value.date;
      return true;
    case SBD_DOUBLE:
      out->d = c->value.d;
      return true;
    case SBD_STRING:
      out->s = c->value.str;
      out->n = c->value.len;
      return true;
    default:
      return false;
    }
  }
  if (from == SBD_INT64 && want == SBD_DOUBLE) {
    out->d = (double)c->value.i;
    return true;
  }
  if (from == SBD_DATE && want == SBD_TIMESTAMP)
    return days_to_micros(c->value.date, &out->i);
  return false;
}

/* The column side: a column, possibly widened; *type is the type compared in. */
static const ex_expr *column_of(const ex_expr *e, sbd_type *type) {
  *type = e->type;
  if (e->kind == EX_CAST && e->nargs == 1 && !e->try_cast && e->args[0]->kind == EX_COLUMN) {
    sbd_type from = e->args[0]->type;
    if ((from == SBD_INT64 && e->type == SBD_DOUBLE) ||
        (from == SBD_DATE && e->type == SBD_TIMESTAMP))
      return e->args[0];
    return NULL;
  }
  return e->kind == EX_COLUMN ? e : NULL;
}

/* The statistics' min and max in the type compared in (want). */
static bool bounds_of(const pq_column_stats *st, sbd_type want, bound *lo, bound *hi) {
  if (!st->has_min_max)
    return false;
  lo->type = hi->type = want == SBD_DOUBLE || want == SBD_STRING ? want : SBD_INT64;
  switch (st->type) {
  case SBD_BOOL:
  case SBD_INT64:
  case SBD_TIMESTAMP:
  case SBD_DATE:
    if (want == SBD_DOUBLE && st->type == SBD_INT64) {
      lo->d = (double)st->min_i;
      hi->d = (double)st->max_i;
      return true;
    }
    if (want == SBD_TIMESTAMP && st->type == SBD_DATE)
      return days_to_micros(st->min_i, &lo->i) && days_to_micros(st->max_i, &hi->i);
    if (want != st->type)
      return false;
    lo->i = st->min_i;
    hi->i = st->max_i;
    return true;
  case SBD_DOUBLE:
    if (want != SBD_DOUBLE || isnan(st->min_d) || isnan(st->max_d))
      return false;
    lo->d = st->min_d;
    hi->d = st->max_d;
    return true;
  case SBD_STRING:
    if (want != SBD_STRING || !st->min_s || !st->max_s)
      return false;
    lo->s = st->min_s;
    lo->n = st->min_len;
    hi->s = st->max_s;
    hi->n = st->max_len;
    return true;
  default:
    return false;
  }
}

static bool all_null(const pq_column_stats *st) {
  return st->has_null_count && st->num_values >= 0 && st->null_count >= st->num_values;
}

bool ex_prune_cmp_may_match(const pq_column_stats *st, ex_op_code op, sbd_type want,
                            const ex_value *value) {
  if (op < EX_EQ || op > EX_GE)
    return true;
  if (value->is_null || all_null(st))
    return false; /* a comparison with NULL is never true */
  ex_expr c = {.kind = EX_CONST, .type = value->type, .value = *value};
  bound v, lo, hi;
  bool is_null;
  if (!constant_of(&c, want, &v, &is_null) || !bounds_of(st, want, &lo, &hi))
    return true;
  if (st->type == SBD_DOUBLE) {
    /* NaN is left out of the statistics but is greater than every number. */
    bool no_nan = st->has_nan_count && st->nan_count == 0;
    if (isnan(v.d) || (!no_nan && (op == EX_NE || op == EX_GT || op == EX_GE)))
      return true;
  }
  int c_lo = compare_bounds(&v, &lo), c_hi = compare_bounds(&v, &hi);
  switch (op) {
  case EX_EQ:
    return c_lo >= 0 && c_hi <= 0;
  case EX_NE:
    /* Only when every value equals the constant; string bounds may be truncated. */
    return !(st->type != SBD_STRING && c_lo == 0 && c_hi == 0);
  case EX_LT: /* some value < v: min < v */
    return c_lo > 0;
  case EX_LE:
    return c_lo >= 0;
  case EX_GT: /* some value > v: max > v */
    return c_hi < 0;
  case EX_GE:
    return c_hi <= 0;
  default:
    return true;
  }
}

bool ex_prune_null_may_match(const pq_column_stats *st, bool negated) {
  if (!st->has_null_count)
    return true;
  return negated ? !all_null(st) : st->null_count > 0;
}

static ex_op_code flip(ex_op_code op) {
  switch (op) {
  case EX_LT:
    return EX_GT;
  case EX_LE:
    return EX_GE;
  case EX_GT:
    return EX_LT;
  case EX_GE:
    return EX_LE;
  default:
    return op;
  }
}

bool ex_prune_may_match(const ex_expr *pred, const pq_column_stats *cols, int ncols) {
  switch (pred->kind) {
  case EX_AND:
    for (int i = 0; i < pred->nargs; i++)
      if (!ex_prune_may_match(pred->args[i], cols, ncols))
        return false;
    return true;
  case EX_OR:
    for (int i = 0; i < pred->nargs; i++)
      if (ex_prune_may_match(pred->args[i], cols, ncols))
        return true;
    return pred->nargs == 0;
  case EX_IS_NULL: {
    const ex_expr *a = pred->args[0];
    if (a->kind != EX_COLUMN || a->col < 0 || a->col >= ncols)
      return true;
    return ex_prune_null_may_match(&cols[a->col], pred->negated);
  }
  case EX_CMP: {
    if (pred->nargs != 2 || pred->op < EX_EQ || pred->op > EX_GE)
      return true;
    ex_op_code op = pred->op;
    sbd_type want;
    const ex_expr *col = column_of(pred->args[0], &want);
    const ex_expr *other = pred->args[1];
    if (!col) {
      col = column_of(pred->args[1], &want);
      other = pred->args[0];
      op = flip(op);
    }
    if (!col || col->col < 0 || col->col >= ncols)
      return true;
    bound v;
    bool is_null;
    if (!constant_of(other, want, &v, &is_null))
      return true;
    /* The constant as a value of the compared type. */
    ex_value value = {.type = want, .is_null = is_null};
    const ex_expr *c = other->kind == EX_CAST ? other->args[0] : other;
    if (!is_null) {
      value = c->value;
      if (c->type != want) {
        /* A widened constant: INT64 -> DOUBLE or DATE -> TIMESTAMP. */
        value.type = want;
        if (want == SBD_DOUBLE)
          value.d = v.d;
        else
          value.i = v.i;
      }
    }
    return ex_prune_cmp_may_match(&cols[col->col], op, want, &value);
  }
  default:
    return true;
  }
}

/* ---- the filter a scan's reader calls ------------------------------------------------------*/

static bool scan_filter(void *arg, int row_group, int64_t num_rows, const pq_column_stats *cols,
                        int ncols) {
  ex_prune *p = arg;
  for (int i = 0; i < p->n; i++) {
    int c = p->reader_col[i];
    if (c >= 0 && c < ncols) {
      p->stats[i] = cols[c];
    } else {
      memset(&p->stats[i], 0, sizeof(p->stats[i]));
      p->stats[i].num_values = num_rows;
    }
  }
  bool keep = ex_prune_may_match(p->pred, p->stats, p->n);
  ex_query *q = p->q;
  if (row_group < 0)
    *(keep ? &q->scan_files_read : &q->scan_files_skipped) += 1;
  else
    *(keep ? &q->scan_row_groups_read : &q->scan_row_groups_skipped) += 1;
  return keep;
}

sbd_status ex_prune_attach(ex_query *q, sbd_reader *reader, const ex_expr *pred,
                           const int *reader_col, int n) {
  ex_prune *p = arena_alloc(&q->arena, sizeof(*p));
  int *map = arena_alloc(&q->arena, sizeof(int) * (size_t)(n ? n : 1));
  pq_column_stats *stats = arena_alloc(&q->arena, sizeof(pq_column_stats) * (size_t)(n ? n : 1));
  if (!p || !map || !stats)
    return sbd_error(q->ctx, SBD_ENOMEM, "out of memory");
  memcpy(map, reader_col, sizeof(int) * (size_t)n);
  *p = (ex_prune){q, pred, n, map, stats};
  return io_reader_set_filter(reader, scan_filter, p);
}
