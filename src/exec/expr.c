/*
 * expr.c — the expression kernels. ex_eval walks the tree once per batch: each node evaluates its
 * children into vectors and runs one typed loop over all rows (the switch on the types is outside
 * the loop). Null handling is by bitmap: a kernel whose result is NULL when an input is ANDs the
 * inputs' validity words, and computes garbage-but-harmless values in the null slots (an INT64
 * overflow in a null slot is not an error: only valid rows are checked).
 *
 * CASE, COALESCE, AND and OR are the exceptions, as in DuckDB: each argument is evaluated only
 * over the rows that still need it (gathered into a smaller batch when earlier arguments decided
 * some), so an error in a branch that no row takes (a failed CAST) is never raised.
 *
 * Case mapping (lower, upper, ILIKE) is utf8proc's simple per-code-point mapping, the one DuckDB
 * uses: upper('ß') is 'ẞ', lower('İ') is 'i'; ILIKE lowers both sides and then matches as LIKE.
 */
#include "exec/exec_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

/* ---- overflow-checked integer arithmetic ------------------------------------------------------*/

#if defined(__GNUC__) || defined(__clang__)
#define ADD_OVF(a, b, r) __builtin_add_overflow(a, b, r)
#define SUB_OVF(a, b, r) __builtin_sub_overflow(a, b, r)
#define MUL_OVF(a, b, r) __builtin_mul_overflow(a, b, r)
#else
static bool add_ovf(int64_t a, int64_t b, int64_t *r) {
  if ((b > 0 && a > INT64_MAX - b) || (b < 0 && a < INT64_MIN - b))
    return true;
  *r = a + b;
  return false;
}
static bool sub_ovf(int64_t a, int64_t b, int64_t *r) {
  if ((b < 0 && a > INT64_MAX + b) || (b > 0 && a < INT64_MIN + b))
    return true;
  *r = a - b;
  return false;
}
static bool mul_ovf(int64_t a, int64_t b, int64_t *r) {
  if (a != 0 && b != 0 &&
      ((a == -1 && b == INT64_MIN) || (b == -1 && a == INT64_MIN) ||
       (a != -1 && b != -1 && (a * b) / b != a)))
    return true;
  *r = (int64_t)((uint64_t)a * (uint64_t)b);
  return false;
}
#define ADD_OVF(a, b, r) add_ovf(a, b, r)
#define SUB_OVF(a, b, r) sub_ovf(a, b, r)
#define MUL_OVF(a, b, r) mul_ovf(a, b, r)
#endif

/* ---- result vectors ---------------------------------------------------------------------------*/

/* A fixed-width result of n rows, values uninitialised, all valid. */
static sbd_status new_fixed(ex_query *q, sbd_type type, int64_t n, sbd_vec **out) {
  *out = vec_new(q->ctx, type, n > 0 ? n : 1);
  if (!*out)
    return SBD_ENOMEM;
  (*out)->len = n;
  return SBD_OK;
}

/* out's validity becomes a AND b (b may be NULL). */
static sbd_status and_validity(ex_query *q, sbd_vec *out, const sbd_vec *a, const sbd_vec *b) {
  bool an = a && a->null_count, bn = b && b->null_count;
  if (!an && !bn)
    return SBD_OK;
  int64_t n = out->len, words = (n + 63) / 64;
  if (!out->validity) {
    out->validity =
        sbd_malloc(q->ctx, (size_t)((out->cap + 63) / 64 ? (out->cap + 63) / 64 : 1) * 8);
    if (!out->validity)
      return SBD_ENOMEM;
    memset(out->validity, 0xff, (size_t)((out->cap + 63) / 64 ? (out->cap + 63) / 64 : 1) * 8);
  }
  for (int64_t w = 0; w < words; w++) {
    uint64_t m = out->validity[w];
    if (an)
      m &= a->validity[w];
    if (bn)
      m &= b->validity[w];
    out->validity[w] = m;
  }
  if (n & 63)
    out->validity[words - 1] |= ~UINT64_C(0) << (n & 63);
  int64_t nulls = 0;
  for (int64_t w = 0; w < words; w++)
    nulls += 64 - __builtin_popcountll(out->validity[w]);
  out->null_count = nulls;
  return SBD_OK;
}

/* ---- constants and casts of single values -----------------------------------------------------*/

static const char *skip_spaces(const char *s, size_t *n) {
  while (*n && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')) {
    s++;
    (*n)--;
  }
  while (*n && (s[*n - 1] == ' ' || s[*n - 1] == '\t' || s[*n - 1] == '\n' || s[*n - 1] == '\r'))
    (*n)--;
  return s;
}

bool ex_parse_value(sbd_type type, const char *s, size_t n, ex_value *out) {
  memset(out, 0, sizeof(*out));
  out->type = type;
  s = skip_spaces(s, &n);
  switch (type) {
  case SBD_BOOL:
    if (num_parse_bool(s, n, &out->b))
      return true;
    if (n == 1 && (*s == 't' || *s == 'T' || *s == '1' || *s == 'y' || *s == 'Y')) {
      out->b = true;
      return true;
    }
    if (n == 1 && (*s == 'f' || *s == 'F' || *s == '0' || *s == 'n' || *s == 'N')) {
      out->b = false;
      return true;
    }
    return false;
  case SBD_INT64:
    return num_parse_int64(s, n, &out->i);
  case SBD_DOUBLE:
    return num_parse_double(s, n, &out->d);
  case SBD_DATE:
    return tm_parse_date(s, n, &out->date);
  case SBD_TIMESTAMP:
    return tm_parse_timestamp(s, n, &out->i);
  case SBD_STRING:
    out->str = s;
    out->len = n;
    return true;
  }
  return false;
}

static sbd_status eval_const(ex_query *q, const ex_expr *e, int64_t n, sbd_vec **out) {
  const ex_value *v = &e->value;
  if (e->type == SBD_STRING) {
    sbd_vec *r = vec_new(q->ctx, SBD_STRING, n > 0 ? n : 1);
    if (!r)
      return SBD_ENOMEM;
    for (int64_t i = 0; i < n; i++) {
      sbd_status st =
          v->is_null ? vec_push_null(q->ctx, r) : vec_push_str(q->ctx, r, v->str, v->len);
      if (st != SBD_OK) {
        vec_free(r);
        return st;
      }
    }
    *out = r;
    return SBD_OK;
  }
  if (e->type == EX_INTERVAL) {
    RETURN_IF_ERROR(ex_interval_vec(q, n, out));
    for (int64_t i = 0; i < n; i++)
      ((ex_interval *)(*out)->values)[i] = v->iv;
    for (int64_t i = 0; v->is_null && i < n; i++)
      RETURN_IF_ERROR(vec_set_null(q->ctx, *out, i));
    return SBD_OK;
  }
  RETURN_IF_ERROR(new_fixed(q, e->type, n, out));
  sbd_vec *r = *out;
  switch (e->type) {
  case SBD_BOOL:
    memset(r->values, v->b, (size_t)n);
    break;
  case SBD_DATE:
    for (int64_t i = 0; i < n; i++)
      ((int32_t *)r->values)[i] = v->date;
    break;
  case SBD_DOUBLE:
    for (int64_t i = 0; i < n; i++)
      ((double *)r->values)[i] = v->d;
    break;
  default:
    for (int64_t i = 0; i < n; i++)
      ((int64_t *)r->values)[i] = v->i;
    break;
  }
  if (v->is_null)
    for (int64_t i = 0; i < n; i++)
      RETURN_IF_ERROR(vec_set_null(q->ctx, r, i));
  return SBD_OK;
}

/* ---- arithmetic -------------------------------------------------------------------------------*/

static sbd_status overflow_error(ex_query *q, const ex_expr *e, int64_t a, int64_t b) {
  return sbd_error(q->ctx, SBD_EINPUT,
                   "SQL: integer overflow in %s (%lld %s %lld is outside INT64)", e->text,
                   (long long)a,
                   e->op == EX_ADD   ? "+"
                   : e->op == EX_SUB ? "-"
                   : e->op == EX_MOD ? "%"
                                     : "*",
                   (long long)b);
}

static sbd_status eval_arith(ex_query *q, const ex_expr *e, const sbd_vec *a, const sbd_vec *b,
                             sbd_vec **out) {
  int64_t n = a->len;
  RETURN_IF_ERROR(new_fixed(q, e->type, n, out));
  sbd_vec *r = *out;
  RETURN_IF_ERROR(and_validity(q, r, a, b));
  if (e->type == SBD_DOUBLE) {
    const double *x = a->values, *y = b->values;
    double *z = r->values;
    switch (e->op) {
    case EX_ADD:
      for (int64_t i = 0; i < n; i++)
        z[i] = x[i] + y[i];
      break;
    case EX_SUB:
      for (int64_t i = 0; i < n; i++)
        z[i] = x[i] - y[i];
      break;
    case EX_MUL:
      for (int64_t i = 0; i < n; i++)
        z[i] = x[i] * y[i];
      break;
    case EX_DIV:
      for (int64_t i = 0; i < n; i++)
        z[i] = x[i] / y[i];
      break;
    default: /* EX_MOD: as fmod, so x % 0 is NaN for doubles (NULL for integers) */
      for (int64_t i = 0; i < n; i++)
        z[i] = fmod(x[i], y[i]);
      break;
    }
    return SBD_OK;
  }
  const int64_t *x = a->values, *y = b->values;
  int64_t *z = r->values;
  bool ovf = false;
  switch (e->op) {
  case EX_ADD:
    for (int64_t i = 0; i < n; i++)
      ovf |= ADD_OVF(x[i], y[i], &z[i]);
    break;
  case EX_SUB:
    for (int64_t i = 0; i < n; i++)
      ovf |= SUB_OVF(x[i], y[i], &z[i]);
    break;
  case EX_MUL:
    for (int64_t i = 0; i < n; i++)
      ovf |= MUL_OVF(x[i], y[i], &z[i]);
    break;
  default: /* EX_MOD (EX_DIV is always DOUBLE) */
    for (int64_t i = 0; i < n; i++)
      z[i] = y[i] == 0 || y[i] == -1 ? 0 : x[i] % y[i];
    for (int64_t i = 0; i < n; i++) {
      /* INT64_MIN % -1 is 0 in arithmetic but traps in C; DuckDB reports it as an overflow
       * (of the division it implies), and so does sbd */
      if (y[i] == -1 && x[i] == INT64_MIN && vec_is_valid(r, i))
        return overflow_error(q, e, x[i], y[i]);
      if (y[i] == 0)
        RETURN_IF_ERROR(vec_set_null(q->ctx, r, i));
    }
    return SBD_OK;
  }
  if (ovf) /* find the first valid row that overflowed: a null slot's garbage does not count */
    for (int64_t i = 0; i < n; i++) {
      int64_t t;
      bool o = e->op == EX_ADD   ? ADD_OVF(x[i], y[i], &t)
               : e->op == EX_SUB ? SUB_OVF(x[i], y[i], &t)
                                 : MUL_OVF(x[i], y[i], &t);
      if (o && vec_is_valid(r, i))
        return overflow_error(q, e, x[i], y[i]);
    }
  return SBD_OK;
}

static sbd_status eval_neg(ex_query *q, const ex_expr *e, const sbd_vec *a, sbd_vec **out) {
  int64_t n = a->len;
  RETURN_IF_ERROR(new_fixed(q, e->type, n, out));
  RETURN_IF_ERROR(and_validity(q, *out, a, NULL));
  if (e->type == SBD_DOUBLE) {
    for (int64_t i = 0; i < n; i++)
      ((double *)(*out)->values)[i] = -((const double *)a->values)[i];
    return SBD_OK;
  }
  const int64_t *x = a->values;
  for (int64_t i = 0; i < n; i++) {
    if (x[i] == INT64_MIN && vec_is_valid(a, i))
      return sbd_error(q->ctx, SBD_EINPUT, "SQL: integer overflow in %s (-(%lld) is outside INT64)",
                       e->text, (long long)x[i]);
    ((int64_t *)(*out)->values)[i] = x[i] == INT64_MIN ? 0 : -x[i];
  }
  return SBD_OK;
}

/* ---- comparisons ------------------------------------------------------------------------------*/

static inline int cmp_num(int64_t x, int64_t y) {
  return (x > y) - (x < y);
}
static inline int cmp_dbl(double x, double y) {
  if (x < y)
    return -1;
  if (x > y)
    return 1;
  if (x == y)
    return 0;
  return isnan(x) ? (isnan(y) ? 0 : 1) : -1;
}

#define CMP_LOOPS(T, CMP)                                                                          \
  do {                                                                                             \
    const T *x = a->values, *y = b->values;                                                        \
    switch (op) {                                                                                  \
    case EX_EQ:                                                                                    \
      for (int64_t i = 0; i < n; i++)                                                              \
        z[i] = CMP(x[i], y[i]) == 0;                                                               \
      break;                                                                                       \
    case EX_NE:                                                                                    \
      for (int64_t i = 0; i < n; i++)                                                              \
        z[i] = CMP(x[i], y[i]) != 0;                                                               \
      break;                                                                                       \
    case EX_LT:                                                                                    \
      for (int64_t i = 0; i < n; i++)                                                              \
        z[i] = CMP(x[i], y[i]) < 0;                                                                \
      break;                                                                                       \
    case EX_LE:                                                                                    \
      for (int64_t i = 0; i < n; i++)                                                              \
        z[i] = CMP(x[i], y[i]) <= 0;                                                               \
      break;                                                                                       \
    case EX_GT:                                                                                    \
      for (int64_t i = 0; i < n; i++)                                                              \
        z[i] = CMP(x[i], y[i]) > 0;                                                                \
      break;                                                                                       \
    default:                                                                                       \
      for (int64_t i = 0; i < n; i++)                                                              \
        z[i] = CMP(x[i], y[i]) >= 0;                                                               \
      break;                                                                                       \
    }                                                                                              \
  } while (0)

static int cmp_str_rows(const sbd_vec *a, const sbd_vec *b, int64_t i) {
  return ex_vec_compare(a, i, b, i);
}

static sbd_status eval_cmp(ex_query *q, const ex_expr *e, const sbd_vec *a, const sbd_vec *b,
                           sbd_vec **out) {
  int64_t n = a->len;
  RETURN_IF_ERROR(new_fixed(q, SBD_BOOL, n, out));
  sbd_vec *r = *out;
  uint8_t *z = r->values;
  ex_op_code op = e->op;
  bool distinct = op == EX_DISTINCT || op == EX_NOT_DISTINCT;
  if (distinct)
    op = op == EX_DISTINCT ? EX_NE : EX_EQ;
  switch (a->type) {
  case SBD_BOOL:
    CMP_LOOPS(uint8_t, cmp_num);
    break;
  case SBD_DATE:
    CMP_LOOPS(int32_t, cmp_num);
    break;
  case SBD_DOUBLE:
    CMP_LOOPS(double, cmp_dbl);
    break;
  case SBD_STRING:
    for (int64_t i = 0; i < n; i++) {
      int c = cmp_str_rows(a, b, i);
      z[i] = op == EX_EQ   ? c == 0
             : op == EX_NE ? c != 0
             : op == EX_LT ? c < 0
             : op == EX_LE ? c <= 0
             : op == EX_GT ? c > 0
                           : c >= 0;
    }
    break;
  default:
    CMP_LOOPS(int64_t, cmp_num);
    break;
  }
  if (!distinct)
    return and_validity(q, r, a, b);
  /* IS [NOT] DISTINCT FROM: two NULLs are equal, a NULL and a value differ; never NULL. */
  if (a->null_count || b->null_count)
    for (int64_t i = 0; i < n; i++) {
      bool va = vec_is_valid(a, i), vb = vec_is_valid(b, i);
      if (!va || !vb)
        z[i] = (va == vb) == (op == EX_EQ);
    }
  return SBD_OK;
}

/* ---- logic ------------------------------------------------------------------------------------*/

/* AND (is_and) or OR of n vectors, three-valued: AND is false when any is false, else NULL when
 * any is NULL, else true (OR alike with the roles of true and false swapped). */
static sbd_status eval_not(ex_query *q, const sbd_vec *a, sbd_vec **out) {
  int64_t n = a->len;
  RETURN_IF_ERROR(new_fixed(q, SBD_BOOL, n, out));
  const uint8_t *x = a->values;
  uint8_t *z = (*out)->values;
  for (int64_t i = 0; i < n; i++)
    z[i] = !x[i];
  return and_validity(q, *out, a, NULL);
}

static sbd_status eval_is_null(ex_query *q, bool negated, const sbd_vec *a, sbd_vec **out) {
  int64_t n = a->len;
  RETURN_IF_ERROR(new_fixed(q, SBD_BOOL, n, out));
  uint8_t *z = (*out)->values;
  for (int64_t i = 0; i < n; i++)
    z[i] = vec_is_valid(a, i) == negated;
  return SBD_OK;
}

/* ---- greatest and least: pick, per row, the value of one of several vectors ---------------*/

/* out[i] = vs[pick[i]][i] (pick[i] < 0: NULL). */
static sbd_status pick_rows(ex_query *q, sbd_type type, sbd_vec **vs, const int *pick, int64_t n,
                            sbd_vec **out) {
  if (type == SBD_STRING) {
    sbd_vec *r = vec_new(q->ctx, SBD_STRING, n > 0 ? n : 1);
    if (!r)
      return SBD_ENOMEM;
    *out = r;
    for (int64_t i = 0; i < n; i++) {
      if (pick[i] < 0 || !vec_is_valid(vs[pick[i]], i)) {
        RETURN_IF_ERROR(vec_push_null(q->ctx, r));
      } else {
        size_t len;
        const char *s = vec_str(vs[pick[i]], i, &len);
        RETURN_IF_ERROR(vec_push_str(q->ctx, r, s, len));
      }
    }
    return SBD_OK;
  }
  RETURN_IF_ERROR(new_fixed(q, type, n, out));
  sbd_vec *r = *out;
  size_t w = type_width(type);
  switch (w) {
  case 1:
    for (int64_t i = 0; i < n; i++)
      ((uint8_t *)r->values)[i] = pick[i] < 0 ? 0 : ((const uint8_t *)vs[pick[i]]->values)[i];
    break;
  case 4:
    for (int64_t i = 0; i < n; i++)
      ((int32_t *)r->values)[i] = pick[i] < 0 ? 0 : ((const int32_t *)vs[pick[i]]->values)[i];
    break;
  default:
    for (int64_t i = 0; i < n; i++)
      ((int64_t *)r->values)[i] = pick[i] < 0 ? 0 : ((const int64_t *)vs[pick[i]]->values)[i];
    break;
  }
  for (int64_t i = 0; i < n; i++)
    if (pick[i] < 0 || !vec_is_valid(vs[pick[i]], i))
      RETURN_IF_ERROR(vec_set_null(q->ctx, r, i));
  return SBD_OK;
}

/* ---- casts ------------------------------------------------------------------------------------*/

static sbd_status cast_fail(ex_query *q, const ex_expr *e, const sbd_vec *a, int64_t i) {
  char text[TM_FMT_MAX + NUM_FMT_MAX + 8], quoted[96];
  sbd_batch fake = {0};
  sbd_vec *cols[1] = {(sbd_vec *)a};
  fake.cols = cols;
  fake.ncols = 1;
  fake.nrows = a->len;
  if (a->type == SBD_STRING) {
    size_t n;
    const char *s = vec_str(a, i, &n);
    sbd_quote_value(quoted, sizeof(quoted), s, n);
  } else {
    int64_t n = sbd_batch_value_text(&fake, 0, i, text, sizeof(text));
    sbd_quote_value(quoted, sizeof(quoted), text, (size_t)(n < 0 ? 0 : n));
  }
  return sbd_error(q->ctx, SBD_EINPUT, "SQL: %s: cannot cast %s from %s to %s", e->text, quoted,
                   sbd_type_name(a->type), sbd_type_name(e->type));
}

static sbd_status eval_cast(ex_query *q, const ex_expr *e, const sbd_vec *a, sbd_vec **out) {
  int64_t n = a->len;
  sbd_type to = e->type, from = a->type;
  if (to == from && !(to == SBD_INT64 && e->cast_bits)) {
    *out = ex_vec_copy(q->ctx, a);
    return *out ? SBD_OK : SBD_ENOMEM;
  }
  if (to == SBD_STRING) {
    sbd_vec *r = vec_new(q->ctx, SBD_STRING, n > 0 ? n : 1);
    if (!r)
      return SBD_ENOMEM;
    *out = r;
    sbd_batch fake = {0};
    sbd_vec *cols[1] = {(sbd_vec *)a};
    fake.cols = cols;
    fake.ncols = 1;
    fake.nrows = n;
    char buf[TM_FMT_MAX + NUM_FMT_MAX];
    for (int64_t i = 0; i < n; i++) {
      int64_t len = vec_is_valid(a, i) ? sbd_batch_value_text(&fake, 0, i, buf, sizeof(buf)) : -1;
      RETURN_IF_ERROR(len < 0 ? vec_push_null(q->ctx, r)
                              : vec_push_str(q->ctx, r, buf, (size_t)len));
    }
    return SBD_OK;
  }
  RETURN_IF_ERROR(new_fixed(q, to, n, out));
  sbd_vec *r = *out;
  RETURN_IF_ERROR(and_validity(q, r, a, NULL));
  for (int64_t i = 0; i < n; i++) {
    if (!vec_is_valid(a, i)) {
      memset((char *)r->values + (size_t)i * type_width(to), 0, type_width(to));
      continue;
    }
    bool ok = true;
    ex_value v = {0};
    switch (from) {
    case SBD_STRING: {
      size_t len;
      const char *s = vec_str(a, i, &len);
      ok = ex_parse_value(to, s, len, &v);
      break;
    }
    case SBD_BOOL: {
      bool x = ((const uint8_t *)a->values)[i];
      ok = to == SBD_INT64 || to == SBD_DOUBLE;
      if (to == SBD_DOUBLE)
        v.d = x;
      else
        v.i = x;
      break;
    }
    case SBD_INT64: {
      int64_t x = ((const int64_t *)a->values)[i];
      if (to == SBD_INT64) /* to a narrower integer type: the range check follows */
        v.i = x;
      else if (to == SBD_DOUBLE)
        v.d = (double)x;
      else if (to == SBD_BOOL)
        v.b = x != 0;
      else
        ok = false;
      break;
    }
    case SBD_DOUBLE: {
      double x = ((const double *)a->values)[i];
      if (to == SBD_BOOL) {
        v.b = x != 0;
      } else if (to == SBD_INT64) {
        double rx = nearbyint(x); /* DuckDB rounds a DOUBLE half to even */
        ok = rx >= -9223372036854775808.0 && rx < 9223372036854775808.0;
        v.i = ok ? (int64_t)rx : 0;
      } else {
        ok = false;
      }
      break;
    }
    case SBD_DATE: {
      int32_t x = ((const int32_t *)a->values)[i];
      /* A DATE beyond the TIMESTAMP range (years past +-292277) does not cast. */
      ok = to == SBD_TIMESTAMP && !MUL_OVF((int64_t)x, INT64_C(86400000000), &v.i);
      break;
    }
    case SBD_TIMESTAMP: {
      int64_t x = ((const int64_t *)a->values)[i];
      ok = to == SBD_DATE;
      int64_t d = x / 86400000000LL;
      if (x % 86400000000LL < 0)
        d--;
      v.date = (int32_t)d;
      break;
    }
    }
    if (ok && to == SBD_INT64 && e->cast_bits > 0 && e->cast_bits < 64) {
      int64_t lim = INT64_C(1) << (e->cast_bits - 1);
      ok = v.i >= -lim && v.i < lim;
    }
    if (!ok) {
      if (!e->try_cast)
        return cast_fail(q, e, a, i);
      RETURN_IF_ERROR(vec_set_null(q->ctx, r, i));
      memset((char *)r->values + (size_t)i * type_width(to), 0, type_width(to));
      continue;
    }
    switch (to) {
    case SBD_BOOL:
      ((uint8_t *)r->values)[i] = v.b;
      break;
    case SBD_DATE:
      ((int32_t *)r->values)[i] = v.date;
      break;
    case SBD_DOUBLE:
      ((double *)r->values)[i] = v.d;
      break;
    default:
      ((int64_t *)r->values)[i] = v.i;
      break;
    }
  }
  return SBD_OK;
}

/* ---- LIKE -------------------------------------------------------------------------------------*/

/* Maps s[0..n) code point by code point to lower or upper case into d, which has room for 2 * n
 * bytes (a simple case mapping at most doubles a character's UTF-8 length: 1-byte characters map
 * to 1-byte ones), and returns the bytes written. ASCII bytes are mapped only when ascii is set
 * (ILIKE leaves them to like_match, so an escape character keeps its case); bytes that are not
 * valid UTF-8 are copied as they are. */
static size_t case_map(const unsigned char *s, size_t n, bool upper, bool ascii, unsigned char *d) {
  size_t at = 0, w = 0;
  while (at < n) {
    if (s[at] < 0x80) {
      unsigned char c = s[at++];
      if (ascii && upper && c >= 'a' && c <= 'z')
        c = (unsigned char)(c - 32);
      else if (ascii && !upper && c >= 'A' && c <= 'Z')
        c = (unsigned char)(c + 32);
      d[w++] = c;
      continue;
    }
    utf8proc_int32_t cp;
    utf8proc_ssize_t k = utf8proc_iterate(s + at, (utf8proc_ssize_t)(n - at), &cp);
    if (k <= 0) {
      d[w++] = s[at++];
      continue;
    }
    cp = upper ? utf8proc_toupper(cp) : utf8proc_tolower(cp);
    w += (size_t)utf8proc_encode_char(cp, d + w);
    at += (size_t)k;
  }
  return w;
}

static bool has_non_ascii(const unsigned char *s, size_t n) {
  for (size_t k = 0; k < n; k++)
    if (s[k] >= 0x80)
      return true;
  return false;
}

/* A growable scratch buffer for ILIKE's lowered text; freed by the caller. */
typedef struct {
  unsigned char *p;
  size_t cap;
} fold_buf;

/* For ILIKE: when s[0..*n) holds non-ASCII text, points *s at its lowered copy in buf. */
static sbd_status ilike_fold(ex_query *q, fold_buf *buf, const unsigned char **s, size_t *n) {
  if (!has_non_ascii(*s, *n))
    return SBD_OK;
  if (buf->cap < 2 * *n) {
    unsigned char *p = realloc(buf->p, 2 * *n);
    if (!p)
      return sbd_error(q->ctx, SBD_ENOMEM, "out of memory");
    buf->p = p;
    buf->cap = 2 * *n;
  }
  *n = case_map(*s, *n, false, false, buf->p);
  *s = buf->p;
  return SBD_OK;
}

static inline unsigned char fold(unsigned char c, bool ilike) {
  return ilike && c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

/* The length of the UTF-8 character at s[0..n) (n > 0), 1 for a stray byte. */
static inline size_t utf8_len(const unsigned char *s, size_t n) {
  size_t k = s[0] < 0x80 ? 1 : s[0] < 0xE0 ? 2 : s[0] < 0xF0 ? 3 : 4;
  return k <= n ? k : 1;
}

/* Whether s matches the LIKE pattern p: % any run of characters, _ one character, esc (>= 0)
 * makes the next pattern byte literal. Iterative, backtracking to the last %: O(len(s) *
 * len(p)) at worst, no recursion. */
static bool like_match(const unsigned char *s, size_t n, const unsigned char *p, size_t m, int esc,
                       bool ilike) {
  size_t i = 0, j = 0, star_j = (size_t)-1, star_i = 0;
  while (i < n) {
    if (j < m && p[j] == '%') {
      star_j = ++j;
      star_i = i;
      continue;
    }
    if (j < m && p[j] == '_') {
      i += utf8_len(s + i, n - i);
      j++;
      continue;
    }
    if (j < m) {
      size_t pj = j;
      if (esc >= 0 && p[j] == (unsigned char)esc && j + 1 < m)
        pj = j + 1;
      if (fold(p[pj], ilike) == fold(s[i], ilike)) {
        i++;
        j = pj + 1;
        continue;
      }
    }
    if (star_j == (size_t)-1)
      return false;
    /* Let the last % take one more character and retry after it. */
    star_i += utf8_len(s + star_i, n - star_i);
    i = star_i;
    j = star_j;
  }
  while (j < m && p[j] == '%')
    j++;
  return j == m;
}

/* LIKE with a pattern per row (args[1]); NULL when either is. */
static sbd_status eval_like_dyn(ex_query *q, const ex_expr *e, sbd_vec **args, int64_t n,
                                sbd_vec **out) {
  const sbd_vec *a = args[0], *pv = args[1];
  RETURN_IF_ERROR(new_fixed(q, SBD_BOOL, n, out));
  uint8_t *z = (*out)->values;
  fold_buf sbuf = {0}, pbuf = {0};
  sbd_status st = SBD_OK;
  for (int64_t i = 0; i < n && st == SBD_OK; i++) {
    size_t len, m;
    const unsigned char *s = (const unsigned char *)vec_str(a, i, &len);
    const unsigned char *p = (const unsigned char *)vec_str(pv, i, &m);
    bool valid = vec_is_valid(a, i) && vec_is_valid(pv, i);
    if (e->ilike && valid) {
      st = ilike_fold(q, &sbuf, &s, &len);
      if (st == SBD_OK)
        st = ilike_fold(q, &pbuf, &p, &m);
    }
    z[i] = st == SBD_OK && valid && like_match(s, len, p, m, e->like_escape, e->ilike);
  }
  free(sbuf.p);
  free(pbuf.p);
  RETURN_IF_ERROR(st);
  return and_validity(q, *out, a, pv);
}

static sbd_status eval_like(ex_query *q, const ex_expr *e, const sbd_vec *a, sbd_vec **out) {
  int64_t n = a->len;
  RETURN_IF_ERROR(new_fixed(q, SBD_BOOL, n, out));
  uint8_t *z = (*out)->values;
  const unsigned char *p = (const unsigned char *)e->value.str;
  size_t m = e->value.len;
  fold_buf sbuf = {0}, pbuf = {0};
  sbd_status st = e->ilike ? ilike_fold(q, &pbuf, &p, &m) : SBD_OK;
  for (int64_t i = 0; i < n && st == SBD_OK; i++) {
    size_t len;
    const unsigned char *s = (const unsigned char *)vec_str(a, i, &len);
    if (e->ilike && vec_is_valid(a, i))
      st = ilike_fold(q, &sbuf, &s, &len);
    z[i] = st == SBD_OK && like_match(s, len, p, m, e->like_escape, e->ilike);
  }
  free(sbuf.p);
  free(pbuf.p);
  RETURN_IF_ERROR(st);
  return and_validity(q, *out, a, NULL);
}

/* ---- string functions: trim, substr, replace
 * ---------------------------------------------------*/

/* The byte offset of code point k (>= 0) of s[0..n), n when s has no more than k. */
static size_t utf8_offset(const unsigned char *s, size_t n, int64_t k) {
  size_t at = 0;
  for (; k > 0 && at < n; k--)
    at += utf8_len(s + at, n - at);
  return at < n ? at : n;
}

/* The code points [*from, *to) of a string of size code points that substring takes, by DuckDB's
 * rules (its SubstringStartEnd): start > 0 counts from 1 and start < 0 from the end, both clipped
 * to the string first; start 0 is the position before the first character; then len >= 0
 * characters from there, or with len < 0 the -len characters before it. False for an empty
 * result. (DuckDB folds a substring of constants by other rules when start is before the string:
 * substr('hello', -10, 3) is '' there but 'hel' over a column; this follows the column.) */
static bool substr_range(int64_t size, int64_t start, int64_t len, bool has_len, int64_t *from,
                         int64_t *to) {
  if (!has_len)
    len = INT64_MAX;
  if (len == 0)
    return false;
  if (start > 0) {
    *from = start - 1 < size ? start - 1 : size;
  } else if (start < 0) {
    *from = start < -size ? 0 : size + start;
  } else {
    *from = 0;
    if (len <= 1)
      return false;
    len--;
  }
  if (len > 0) {
    *to = len >= size - *from ? size : *from + len;
  } else {
    *to = *from;
    *from = len <= -*from ? 0 : *from + len;
  }
  return *from < *to;
}

static sbd_status eval_string_fn(ex_query *q, const ex_expr *e, sbd_vec **args, int64_t n,
                                 sbd_vec **out) {
  sbd_vec *r = vec_new(q->ctx, SBD_STRING, n > 0 ? n : 1);
  if (!r)
    return SBD_ENOMEM;
  *out = r;
  for (int64_t i = 0; i < n; i++) {
    bool null = false;
    for (int k = 0; k < e->nargs; k++)
      null |= !vec_is_valid(args[k], i);
    if (null) {
      RETURN_IF_ERROR(vec_push_null(q->ctx, r));
      continue;
    }
    size_t len;
    const unsigned char *s = (const unsigned char *)vec_str(args[0], i, &len);
    size_t lo = 0, hi = len;
    switch (e->fn) {
    case EX_FN_TRIM:
    case EX_FN_LTRIM:
    case EX_FN_RTRIM:
      if (e->fn != EX_FN_RTRIM)
        while (lo < hi && s[lo] == ' ')
          lo++;
      if (e->fn != EX_FN_LTRIM)
        while (hi > lo && s[hi - 1] == ' ')
          hi--;
      break;
    case EX_FN_SUBSTR: {
      int64_t size = 0;
      for (size_t k = 0; k < len; k++)
        size += (s[k] & 0xC0) != 0x80;
      int64_t start = ((const int64_t *)args[1]->values)[i], from, to;
      int64_t count = e->nargs > 2 ? ((const int64_t *)args[2]->values)[i] : 0;
      /* DuckDB keeps positions in 32 bits and refuses the others rather than clamp them. */
      RETURN_ERROR_IF(start > 4294967295LL || start < -4294967296LL, q->ctx, SBD_EINPUT,
                      "SQL: %s: the substring start %lld is outside the supported range "
                      "(-4294967296 to 4294967295)",
                      e->text, (long long)start);
      RETURN_ERROR_IF(count > 4294967295LL || count < -4294967296LL, q->ctx, SBD_EINPUT,
                      "SQL: %s: the substring length %lld is outside the supported range "
                      "(-4294967296 to 4294967295)",
                      e->text, (long long)count);
      if (!substr_range(size, start, count, e->nargs > 2, &from, &to)) {
        hi = 0;
        break;
      }
      lo = utf8_offset(s, len, from);
      hi = lo + utf8_offset(s + lo, len - lo, to - from);
      break;
    }
    default: { /* replace */
      size_t flen, tlen;
      const char *f = vec_str(args[1], i, &flen), *t = vec_str(args[2], i, &tlen);
      if (flen == 0 || flen > len)
        break;
      /* Count first, so the result is reserved once and checked against the cap. */
      size_t hits = 0;
      for (size_t k = 0; k + flen <= len;)
        if (memcmp(s + k, f, flen) == 0) {
          hits++;
          k += flen;
        } else {
          k++;
        }
      if (!hits)
        break;
      size_t total = len - hits * flen + hits * tlen;
      RETURN_ERROR_IF(total > SBD_MAX_VALUE_BYTES, q->ctx, SBD_ELIMIT,
                      "SQL: %s: a string of %zu bytes is over the cap of %u bytes", e->text, total,
                      SBD_MAX_VALUE_BYTES);
      RETURN_IF_ERROR(vec_reserve(q->ctx, r, 1, (int64_t)total));
      s = (const unsigned char *)vec_str(args[0], i, &len);
      char *d = r->bytes + r->bytes_len;
      for (size_t k = 0; k < len;) {
        if (k + flen <= len && memcmp(s + k, f, flen) == 0) {
          if (tlen)
            memcpy(d, t, tlen);
          d += tlen;
          k += flen;
        } else {
          *d++ = (char)s[k++];
        }
      }
      r->bytes_len += (int64_t)total;
      ((int64_t *)r->values)[++r->len] = r->bytes_len;
      continue;
    }
    }
    RETURN_IF_ERROR(vec_push_str(q->ctx, r, (const char *)s + lo, hi > lo ? hi - lo : 0));
  }
  return SBD_OK;
}

/* ---- numeric functions ------------------------------------------------------------------------*/

/* DuckDB's round of a DOUBLE to digits places: half away from zero, an infinite or NaN
 * intermediate giving back x (digits >= 0) or 0 (digits < 0). */
static double round_double(double x, int64_t digits) {
  /* Past +-400 digits the modifier is infinite anyway; clamping keeps -digits defined. */
  digits = digits > 400 ? 400 : digits < -400 ? -400 : digits;
  if (digits < 0) {
    double m = pow(10.0, (double)-digits), r = round(x / m) * m;
    return isinf(r) || isnan(r) ? 0 : r;
  }
  double m = pow(10.0, (double)digits), r = round(x * m) / m;
  return isinf(r) || isnan(r) ? x : r;
}

static sbd_status eval_round(ex_query *q, const ex_expr *e, sbd_vec **args, int64_t n,
                             sbd_vec **out) {
  const sbd_vec *a = args[0], *dg = e->nargs > 1 ? args[1] : NULL;
  RETURN_IF_ERROR(new_fixed(q, e->type, n, out));
  RETURN_IF_ERROR(and_validity(q, *out, a, dg));
  if (e->type == SBD_DOUBLE) {
    const double *x = a->values;
    double *z = (*out)->values;
    if (!dg) {
      for (int64_t i = 0; i < n; i++)
        z[i] = round(x[i]);
    } else {
      for (int64_t i = 0; i < n; i++)
        z[i] = round_double(x[i], ((const int64_t *)dg->values)[i]);
    }
    return SBD_OK;
  }
  const int64_t *x = a->values;
  int64_t *z = (*out)->values;
  for (int64_t i = 0; i < n; i++) {
    int64_t digits = dg ? ((const int64_t *)dg->values)[i] : 0, v = x[i];
    if (digits >= 0) {
      z[i] = v;
      continue;
    }
    if (digits < -18) {
      z[i] = 0;
      continue;
    }
    int64_t p = 1;
    for (int64_t k = 0; k < -digits; k++)
      p *= 10;
    int64_t q0 = v / p, rem = v % p;
    if (rem >= (p + 1) / 2)
      q0++;
    else if (rem <= -(p + 1) / 2)
      q0--;
    int64_t r;
    if (MUL_OVF(q0, p, &r) && vec_is_valid(*out, i))
      return sbd_error(q->ctx, SBD_EINPUT, "SQL: integer overflow in %s (round(%lld, %lld))",
                       e->text, (long long)v, (long long)digits);
    z[i] = r;
  }
  return SBD_OK;
}

/* The DOUBLE functions of one or two DOUBLE arguments. */
static sbd_status eval_math(ex_query *q, const ex_expr *e, sbd_vec **args, int64_t n,
                            sbd_vec **out) {
  const sbd_vec *a = args[0], *b = e->nargs > 1 ? args[1] : NULL;
  RETURN_IF_ERROR(new_fixed(q, SBD_DOUBLE, n, out));
  RETURN_IF_ERROR(and_validity(q, *out, a, b));
  const sbd_vec *valid = *out;
  const double *x = a->values;
  double *z = (*out)->values;
  const char *bad = NULL;
  switch (e->fn) {
  case EX_FN_FLOOR:
    for (int64_t i = 0; i < n; i++)
      z[i] = floor(x[i]);
    break;
  case EX_FN_CEIL:
    for (int64_t i = 0; i < n; i++)
      z[i] = ceil(x[i]);
    break;
  case EX_FN_EXP:
    for (int64_t i = 0; i < n; i++)
      z[i] = exp(x[i]);
    break;
  case EX_FN_POW: {
    const double *y = b->values;
    for (int64_t i = 0; i < n; i++)
      z[i] = pow(x[i], y[i]);
    break;
  }
  case EX_FN_SQRT:
    for (int64_t i = 0; i < n; i++) {
      if (x[i] < 0 && vec_is_valid(valid, i))
        bad = "cannot take square root of a negative number";
      z[i] = sqrt(x[i]);
    }
    break;
  default: /* ln, log10 */
    for (int64_t i = 0; i < n; i++) {
      if (x[i] <= 0 && vec_is_valid(valid, i))
        bad = x[i] == 0 ? "cannot take logarithm of zero"
                        : "cannot take logarithm of a negative number";
      z[i] = e->fn == EX_FN_LN ? log(x[i]) : log10(x[i]);
    }
    break;
  }
  if (bad)
    return sbd_error(q->ctx, SBD_EINPUT, "SQL: %s: %s", e->text, bad);
  return SBD_OK;
}

static sbd_status eval_sign(ex_query *q, const ex_expr *e, const sbd_vec *a, sbd_vec **out) {
  int64_t n = a->len;
  RETURN_IF_ERROR(new_fixed(q, SBD_INT64, n, out));
  RETURN_IF_ERROR(and_validity(q, *out, a, NULL));
  int64_t *z = (*out)->values;
  if (e->args[0]->type == SBD_DOUBLE) {
    const double *x = a->values;
    for (int64_t i = 0; i < n; i++)
      z[i] = (x[i] > 0) - (x[i] < 0);
  } else {
    const int64_t *x = a->values;
    for (int64_t i = 0; i < n; i++)
      z[i] = (x[i] > 0) - (x[i] < 0);
  }
  return SBD_OK;
}

/* greatest and least: per row, the valid argument that orders last (first), NULL when none is. */
static sbd_status eval_extreme(ex_query *q, const ex_expr *e, sbd_vec **args, int64_t n,
                               sbd_vec **out) {
  int *pick = malloc(sizeof(int) * (size_t)(n ? n : 1));
  if (!pick)
    return sbd_error(q->ctx, SBD_ENOMEM, "out of memory");
  int sign = e->fn == EX_FN_GREATEST ? 1 : -1;
  for (int64_t i = 0; i < n; i++)
    pick[i] = -1;
  for (int k = 0; k < e->nargs; k++) {
    const sbd_vec *v = args[k];
    for (int64_t i = 0; i < n; i++)
      if (vec_is_valid(v, i) && (pick[i] < 0 || sign * ex_vec_compare(v, i, args[pick[i]], i) > 0))
        pick[i] = k;
  }
  sbd_status st = pick_rows(q, e->type, args, pick, n, out);
  free(pick);
  return st;
}

/* ---- functions --------------------------------------------------------------------------------*/

static sbd_status eval_func(ex_query *q, const ex_expr *e, sbd_vec **args, int64_t n,
                            sbd_vec **out) {
  const sbd_vec *a = args[0];
  switch (e->fn) {
  case EX_FN_LENGTH: {
    RETURN_IF_ERROR(new_fixed(q, SBD_INT64, n, out));
    for (int64_t i = 0; i < n; i++) {
      size_t len;
      const unsigned char *s = (const unsigned char *)vec_str(a, i, &len);
      int64_t chars = 0;
      for (size_t k = 0; k < len; k++)
        chars += (s[k] & 0xC0) != 0x80;
      ((int64_t *)(*out)->values)[i] = chars;
    }
    return and_validity(q, *out, a, NULL);
  }
  case EX_FN_ABS: {
    RETURN_IF_ERROR(new_fixed(q, e->type, n, out));
    RETURN_IF_ERROR(and_validity(q, *out, a, NULL));
    if (e->type == SBD_DOUBLE) {
      for (int64_t i = 0; i < n; i++)
        ((double *)(*out)->values)[i] = fabs(((const double *)a->values)[i]);
      return SBD_OK;
    }
    for (int64_t i = 0; i < n; i++) {
      int64_t x = ((const int64_t *)a->values)[i];
      if (x == INT64_MIN && vec_is_valid(a, i))
        return sbd_error(q->ctx, SBD_EINPUT, "SQL: integer overflow in %s (abs(%lld))", e->text,
                         (long long)x);
      ((int64_t *)(*out)->values)[i] = x < 0 && x != INT64_MIN ? -x : x;
    }
    return SBD_OK;
  }
  case EX_FN_LIKE:
    return eval_like(q, e, a, out);
  case EX_FN_TRIM:
  case EX_FN_LTRIM:
  case EX_FN_RTRIM:
  case EX_FN_SUBSTR:
  case EX_FN_REPLACE:
    return eval_string_fn(q, e, args, n, out);
  case EX_FN_ROUND:
    return eval_round(q, e, args, n, out);
  case EX_FN_FLOOR:
  case EX_FN_CEIL:
  case EX_FN_SQRT:
  case EX_FN_LN:
  case EX_FN_LOG10:
  case EX_FN_EXP:
  case EX_FN_POW:
    return eval_math(q, e, args, n, out);
  case EX_FN_SIGN:
    return eval_sign(q, e, a, out);
  case EX_FN_GREATEST:
  case EX_FN_LEAST:
    return eval_extreme(q, e, args, n, out);
  case EX_FN_LIKE_DYN:
    return eval_like_dyn(q, e, args, n, out);
  case EX_FN_REGEXP_MATCHES:
  case EX_FN_REGEXP_FULL_MATCH:
  case EX_FN_REGEXP_REPLACE:
  case EX_FN_REGEXP_EXTRACT:
    return ex_eval_regex(q, e, args, n, out);
  case EX_FN_LOWER:
  case EX_FN_UPPER:
  case EX_FN_CONCAT:
  case EX_FN_CONCAT_OP:
    break;
  default:
    return ex_eval_time(q, e, args, n, out);
  }
  /* The string-valued functions build their result row by row. */
  sbd_vec *r = vec_new(q->ctx, SBD_STRING, n > 0 ? n : 1);
  if (!r)
    return SBD_ENOMEM;
  *out = r;
  for (int64_t i = 0; i < n; i++) {
    if (e->fn == EX_FN_LOWER || e->fn == EX_FN_UPPER) {
      if (!vec_is_valid(a, i)) {
        RETURN_IF_ERROR(vec_push_null(q->ctx, r));
        continue;
      }
      size_t len;
      const unsigned char *s = (const unsigned char *)vec_str(a, i, &len);
      RETURN_IF_ERROR(vec_reserve(q->ctx, r, 1, (int64_t)(2 * len)));
      size_t w =
          case_map(s, len, e->fn == EX_FN_UPPER, true, (unsigned char *)r->bytes + r->bytes_len);
      RETURN_ERROR_IF(w > SBD_MAX_VALUE_BYTES, q->ctx, SBD_ELIMIT,
                      "SQL: %s: a string of %zu bytes is over the cap of %u bytes", e->text, w,
                      SBD_MAX_VALUE_BYTES);
      r->bytes_len += (int64_t)w;
      ((int64_t *)r->values)[++r->len] = r->bytes_len;
      continue;
    }
    /* concat (NULLs skipped) and || (NULL if any is NULL) */
    bool null = false;
    size_t total = 0;
    for (int k = 0; k < e->nargs; k++) {
      if (!vec_is_valid(args[k], i)) {
        null = true;
        continue;
      }
      size_t len;
      vec_str(args[k], i, &len);
      total += len;
    }
    if (null && e->fn == EX_FN_CONCAT_OP) {
      RETURN_IF_ERROR(vec_push_null(q->ctx, r));
      continue;
    }
    RETURN_ERROR_IF(total > SBD_MAX_VALUE_BYTES, q->ctx, SBD_ELIMIT,
                    "SQL: %s: a string of %zu bytes is over the cap of %u bytes", e->text, total,
                    SBD_MAX_VALUE_BYTES);
    RETURN_IF_ERROR(vec_reserve(q->ctx, r, 1, (int64_t)total));
    for (int k = 0; k < e->nargs; k++) {
      if (!vec_is_valid(args[k], i))
        continue;
      size_t len;
      const char *s = vec_str(args[k], i, &len);
      if (len)
        memcpy(r->bytes + r->bytes_len, s, len);
      r->bytes_len += (int64_t)len;
    }
    ((int64_t *)r->values)[++r->len] = r->bytes_len;
  }
  return SBD_OK;
}

/* ---- CASE and COALESCE: only the rows that reach a branch ----------------------------------*/

/* A new batch of the rows idx[0..n) of b. */
static sbd_status gather_batch(ex_query *q, const sbd_batch *b, const int64_t *idx, int64_t n,
                               sbd_batch **out) {
  sbd_vec **cols = calloc((size_t)(b->ncols ? b->ncols : 1), sizeof(sbd_vec *));
  if (!cols)
    return sbd_error(q->ctx, SBD_ENOMEM, "out of memory");
  sbd_status st = SBD_OK;
  for (int c = 0; c < b->ncols && st == SBD_OK; c++) {
    cols[c] = vec_new(q->ctx, b->cols[c]->type, n > 0 ? n : 1);
    st = cols[c] ? ex_vec_gather(q->ctx, cols[c], b->cols[c], idx, n) : SBD_ENOMEM;
  }
  if (st == SBD_OK)
    st = ex_batch_of(q, b->schema, cols, n, out);
  else
    for (int c = 0; c < b->ncols; c++)
      vec_free(cols[c]);
  free(cols);
  return st;
}

/* Narrows the batch being evaluated (*cur) to its rows left[0..nleft): a new batch that *owned
 * then holds (the one it held is freed), with rows (each row's place in the input) narrowed
 * alike. Used by the lazy evaluators, which evaluate an argument only over the rows still open. */
static sbd_status narrow_rows(ex_query *q, const sbd_batch **cur, sbd_batch **owned, int64_t *rows,
                              const int64_t *left, int64_t nleft) {
  sbd_batch *rest = NULL;
  RETURN_IF_ERROR(gather_batch(q, *cur, left, nleft, &rest));
  for (int64_t j = 0; j < nleft; j++)
    rows[j] = rows[left[j]];
  sbd_batch_free(*owned);
  *cur = *owned = rest;
  return SBD_OK;
}

/* CASE evaluates a WHEN over the rows no earlier WHEN took and a THEN over the rows its WHEN
 * took; COALESCE an argument over the rows still NULL; as DuckDB does, so that a branch guarded
 * against some rows (CASE WHEN s <> 'x' THEN CAST(s AS INT) END) never fails on them. Each step
 * works on a batch of the rows still undecided (gathered when some were decided), and the result
 * is assembled row by row from the pieces: pick[i] is the piece of row i (-1: NULL), at[i] its
 * place in the piece. */
static sbd_status eval_lazy(ex_query *q, const ex_expr *e, const sbd_batch *in, sbd_vec **out) {
  int64_t n = in->nrows;
  bool is_case = e->kind == EX_CASE;
  int nbranch = is_case ? (e->nargs - 1) / 2 : e->nargs;
  int *pick = malloc(sizeof(int) * (size_t)(n ? n : 1));
  int64_t *at = malloc(sizeof(int64_t) * (size_t)(n ? n : 1));
  int64_t *rows = malloc(sizeof(int64_t) * (size_t)(n ? n : 1)); /* cur's rows in in */
  int64_t *took = malloc(sizeof(int64_t) * (size_t)(n ? n : 1));
  int64_t *left = malloc(sizeof(int64_t) * (size_t)(n ? n : 1));
  sbd_vec **pieces = calloc((size_t)nbranch + 1, sizeof(sbd_vec *));
  sbd_status st = pick && at && rows && took && left && pieces
                      ? SBD_OK
                      : sbd_error(q->ctx, SBD_ENOMEM, "out of memory");
  const sbd_batch *cur = in;
  sbd_batch *owned = NULL;
  for (int64_t i = 0; i < n && st == SBD_OK; i++) {
    pick[i] = -1;
    rows[i] = i;
  }
  for (int k = 0; k <= nbranch && st == SBD_OK && cur->nrows > 0; k++) {
    int64_t m = cur->nrows, ntook = 0, nleft = 0;
    if (k == nbranch) { /* CASE's ELSE over the rest; COALESCE leaves them NULL */
      if (is_case && (st = ex_eval(q, e->args[e->nargs - 1], cur, &pieces[k])) == SBD_OK)
        for (int64_t j = 0; j < m; j++) {
          pick[rows[j]] = k;
          at[rows[j]] = j;
        }
      break;
    }
    sbd_vec *test;
    st = ex_eval(q, e->args[is_case ? 2 * k : k], cur, &test);
    if (st != SBD_OK)
      break;
    for (int64_t j = 0; j < m; j++) {
      bool yes = vec_is_valid(test, j) && (!is_case || ((const uint8_t *)test->values)[j]);
      if (yes)
        took[ntook++] = j;
      else
        left[nleft++] = j;
    }
    if (!is_case) {
      pieces[k] = test; /* the argument's own values, at cur's positions */
      for (int64_t j = 0; j < ntook; j++) {
        pick[rows[took[j]]] = k;
        at[rows[took[j]]] = took[j];
      }
    } else {
      vec_free(test);
      if (ntook > 0) {
        sbd_batch *sub = NULL;
        if (ntook < m)
          st = gather_batch(q, cur, took, ntook, &sub);
        if (st == SBD_OK)
          st = ex_eval(q, e->args[2 * k + 1], sub ? sub : cur, &pieces[k]);
        sbd_batch_free(sub);
        for (int64_t j = 0; j < ntook && st == SBD_OK; j++) {
          pick[rows[took[j]]] = k;
          at[rows[took[j]]] = j;
        }
      }
    }
    if (st != SBD_OK || nleft == m)
      continue;
    if ((st = narrow_rows(q, &cur, &owned, rows, left, nleft)) != SBD_OK)
      break;
  }
  sbd_batch_free(owned);
  sbd_vec *r = NULL;
  if (st == SBD_OK) {
    r = vec_new(q->ctx, e->type, n > 0 ? n : 1);
    st = r ? SBD_OK : SBD_ENOMEM;
  }
  for (int64_t i = 0; i < n && st == SBD_OK; i++) {
    if (pick[i] < 0) {
      st = vec_reserve(q->ctx, r, 1, 0);
      if (st == SBD_OK)
        st = vec_push_null(q->ctx, r);
    } else {
      st = ex_vec_append(q->ctx, r, pieces[pick[i]], at[i], 1);
    }
  }
  for (int k = 0; pieces && k <= nbranch; k++)
    vec_free(pieces[k]);
  free(pieces);
  free(pick);
  free(at);
  free(rows);
  free(took);
  free(left);
  if (st != SBD_OK) {
    vec_free(r);
    return st;
  }
  *out = r;
  return SBD_OK;
}

/* AND and OR evaluate an argument only over the rows the ones before it left undecided (not
 * false for AND, not true for OR), as DuckDB does, so that "s <> 'x' AND CAST(s AS INT) > 0"
 * does not fail on the rows the first argument rules out. Three-valued: the deciding value wins
 * over NULL, NULL over the other value. */
static sbd_status eval_logic_lazy(ex_query *q, const ex_expr *e, const sbd_batch *in,
                                  sbd_vec **out) {
  int64_t n = in->nrows;
  uint8_t decided = e->kind == EX_AND ? 0 : 1; /* the value that decides: false for AND */
  sbd_vec *r = NULL;
  RETURN_IF_ERROR(new_fixed(q, SBD_BOOL, n, &r));
  uint8_t *z = r->values;
  uint8_t *unknown = calloc((size_t)(n ? n : 1), 1);
  int64_t *rows = malloc(sizeof(int64_t) * (size_t)(n ? n : 1));
  int64_t *left = malloc(sizeof(int64_t) * (size_t)(n ? n : 1));
  sbd_status st = unknown && rows && left ? SBD_OK : sbd_error(q->ctx, SBD_ENOMEM, "out of memory");
  memset(z, !decided, (size_t)n);
  for (int64_t i = 0; i < n && st == SBD_OK; i++)
    rows[i] = i;
  const sbd_batch *cur = in;
  sbd_batch *owned = NULL;
  for (int k = 0; k < e->nargs && st == SBD_OK && cur->nrows > 0; k++) {
    sbd_vec *a;
    st = ex_eval(q, e->args[k], cur, &a);
    if (st != SBD_OK)
      break;
    int64_t m = cur->nrows, nleft = 0;
    const uint8_t *x = a->values;
    for (int64_t j = 0; j < m; j++) {
      bool valid = vec_is_valid(a, j);
      if (valid && x[j] == decided)
        z[rows[j]] = decided;
      else
        left[nleft++] = j;
      unknown[rows[j]] |= !valid;
    }
    vec_free(a);
    if (nleft == m || k == e->nargs - 1)
      continue;
    if ((st = narrow_rows(q, &cur, &owned, rows, left, nleft)) != SBD_OK)
      break;
  }
  sbd_batch_free(owned);
  for (int64_t i = 0; i < n && st == SBD_OK; i++)
    if (unknown[i] && z[i] != decided)
      st = vec_set_null(q->ctx, r, i);
  free(unknown);
  free(rows);
  free(left);
  if (st != SBD_OK) {
    vec_free(r);
    return st;
  }
  *out = r;
  return SBD_OK;
}

/* ---- the walk ---------------------------------------------------------------------------------*/

sbd_status ex_eval(ex_query *q, const ex_expr *e, const sbd_batch *in, sbd_vec **out) {
  *out = NULL;
  int64_t n = in->nrows;
  if (e->kind == EX_COLUMN) {
    *out = ex_vec_copy(q->ctx, in->cols[e->col]);
    return *out ? SBD_OK : SBD_ENOMEM;
  }
  if (e->kind == EX_CONST)
    return eval_const(q, e, n, out);
  if (e->kind == EX_CASE || e->kind == EX_COALESCE)
    return eval_lazy(q, e, in, out);
  if (e->kind == EX_AND || e->kind == EX_OR)
    return eval_logic_lazy(q, e, in, out);
  sbd_vec *stack_args[4] = {0};
  sbd_vec **args = e->nargs <= 4 ? stack_args : calloc((size_t)e->nargs, sizeof(sbd_vec *));
  if (!args)
    return sbd_error(q->ctx, SBD_ENOMEM, "out of memory");
  sbd_status st = SBD_OK;
  for (int k = 0; k < e->nargs && st == SBD_OK; k++)
    st = ex_eval(q, e->args[k], in, &args[k]);
  if (st == SBD_OK) {
    switch (e->kind) {
    case EX_ARITH:
      st = eval_arith(q, e, args[0], args[1], out);
      break;
    case EX_NEG:
      st = eval_neg(q, e, args[0], out);
      break;
    case EX_CMP:
      st = eval_cmp(q, e, args[0], args[1], out);
      break;
    case EX_NOT:
      st = eval_not(q, args[0], out);
      break;
    case EX_IS_NULL:
      st = eval_is_null(q, e->negated, args[0], out);
      break;
    case EX_CAST:
      st = eval_cast(q, e, args[0], out);
      break;
    case EX_FUNC:
      st = eval_func(q, e, args, n, out);
      break;
    default:
      st = sbd_error(q->ctx, SBD_EINTERNAL, "SQL: internal error: expression kind %d", e->kind);
      break;
    }
  }
  for (int k = 0; k < e->nargs; k++)
    vec_free(args[k]);
  if (args != stack_args)
    free(args);
  if (st != SBD_OK) {
    vec_free(*out);
    *out = NULL;
  }
  return st;
}
