/*
 * agg_state.c — the states of the aggregate functions: growing them with the group table,
 * updating them with a batch (one typed loop per aggregate and batch), merging one table's group
 * into another's, and producing the results. DuckDB's semantics throughout:
 *  - count, sum (INT64 sums overflow with an error), avg; min/max with NaN the greatest double;
 *  - variance/stddev (sample: NULL below two values; population: 0 for one value) and corr by
 *    Welford's updates and Chan's merge formulas, so partial states combine without losing
 *    precision; a result that is not finite (an input NaN or infinity, or an overflow) is an
 *    "out of range" error as in DuckDB;
 *  - median / quantile_cont: the values are kept per group; the result interpolates between the
 *    two nearest ranks, lo + (hi - lo) * fraction, NaN ordered above every number;
 *  - first/last: the value of the row with the smallest/largest sequence number, NULL or not;
 *    any_value: the first value that is not NULL; string_agg: the pieces in sequence order, so
 *    all of them are the same whatever the number of threads;
 *  - approx_count_distinct: HyperLogLog with 2^10 registers over the values' hashes, with linear
 *    counting for small counts;
 *  - count/sum/avg(DISTINCT x): the set of (group, value) pairs; the results are computed from
 *    the set when the table is prepared for output.
 */
#include "exec/agg_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static bool uses_value_arrays(ex_agg_kind k) {
  return k == EX_AGG_SUM || k == EX_AGG_AVG || k == EX_AGG_MIN || k == EX_AGG_MAX ||
         k == EX_AGG_FIRST || k == EX_AGG_LAST || k == EX_AGG_ANY_VALUE ||
         k == EX_AGG_COUNT_DISTINCT || k == EX_AGG_SUM_DISTINCT || k == EX_AGG_AVG_DISTINCT;
}

static int moments(ex_agg_kind k) {
  switch (k) {
  case EX_AGG_VAR_SAMP:
  case EX_AGG_VAR_POP:
  case EX_AGG_STDDEV_SAMP:
  case EX_AGG_STDDEV_POP:
    return 2;
  case EX_AGG_CORR:
    return 5;
  default:
    return 0;
  }
}

static bool is_ordered(ex_agg_kind k) {
  return k == EX_AGG_FIRST || k == EX_AGG_LAST || k == EX_AGG_ANY_VALUE;
}

static sbd_status grow_array(agg_table *t, void **p, size_t width, int64_t old_cap, int64_t cap) {
  void *np = sbd_realloc(&t->tctx, *p, width * (size_t)cap);
  if (!np)
    return SBD_ENOMEM;
  memset((char *)np + width * (size_t)old_cap, 0, width * (size_t)(cap - old_cap));
  *p = np;
  t->bytes += (int64_t)width * (cap - old_cap);
  return SBD_OK;
}

sbd_status agg_col_grow(agg_table *t, int j, int64_t old_cap, int64_t cap) {
  const ex_agg_spec *spec = &t->aggs[j];
  agg_col *c = &t->cols[j];
#define GROW(field)                                                                                \
  RETURN_IF_ERROR(grow_array(t, (void **)&c->field, sizeof(*c->field), old_cap, cap))
  GROW(n);
  if (spec->kind == EX_AGG_SUM || spec->kind == EX_AGG_AVG) {
    /* A sum is kept in one of the two: a DOUBLE sum (and every avg) in f[0], others in i64. */
    if (spec->type == SBD_DOUBLE || spec->kind == EX_AGG_AVG)
      GROW(f[0]);
    else
      GROW(i64);
  } else if (uses_value_arrays(spec->kind)) {
    GROW(i64);
    GROW(f[0]);
    if (spec->type == SBD_STRING) {
      GROW(str);
      GROW(slen);
    }
  }
  for (int m = 0; m < moments(spec->kind); m++)
    GROW(f[m]);
  if (is_ordered(spec->kind)) {
    GROW(seq);
    GROW(isnull);
  }
  if (spec->kind == EX_AGG_APPROX_DISTINCT)
    GROW(hll);
  if (spec->kind == EX_AGG_STRING_AGG) {
    GROW(head);
    GROW(tail);
  }
#undef GROW
  if ((spec->kind == EX_AGG_COUNT_DISTINCT || spec->kind == EX_AGG_SUM_DISTINCT ||
       spec->kind == EX_AGG_AVG_DISTINCT) &&
      !c->distinct) {
    c->distinct = sbd_calloc(&t->tctx, 1, sizeof(agg_distinct));
    if (!c->distinct)
      return SBD_ENOMEM;
  }
  return SBD_OK;
}

void agg_col_init_group(agg_table *t, int64_t g) {
  /* The arrays are zeroed when grown; only what starts non-zero is set here. */
  for (int j = 0; j < t->naggs; j++)
    if (t->cols[j].head) {
      t->cols[j].head[g] = -1;
      t->cols[j].tail[g] = -1;
    }
}

/* ---- small helpers ----------------------------------------------------------------------------*/

static sbd_status set_str(agg_table *t, agg_col *c, int64_t g, const char *s, size_t len) {
  char *copy = sbd_realloc(&t->tctx, c->str[g], len ? len : 1);
  if (!copy)
    return SBD_ENOMEM;
  t->bytes += (int64_t)len - (int64_t)c->slen[g];
  memcpy(copy, s, len);
  c->str[g] = copy;
  c->slen[g] = len;
  return SBD_OK;
}

static int cmp_str(const char *a, size_t alen, const char *b, size_t blen) {
  int r = memcmp(a, b, alen < blen ? alen : blen);
  return r ? r : (alen > blen) - (alen < blen);
}

/* NaN is the greatest double, as DuckDB orders them. */
static inline bool dbl_less(double a, double b) {
  return b != b ? a == a : a < b;
}

static int64_t int_value(const sbd_vec *v, int64_t i) {
  switch (v->type) {
  case SBD_DATE:
    return ((const int32_t *)v->values)[i];
  case SBD_BOOL:
    return ((const uint8_t *)v->values)[i];
  default:
    return ((const int64_t *)v->values)[i];
  }
}

static double dbl_value(const sbd_vec *v, int64_t i) {
  return v->type == SBD_DOUBLE ? ((const double *)v->values)[i] : (double)int_value(v, i);
}

static sbd_status sum_overflow(agg_table *t, const ex_agg_spec *spec) {
  return sbd_error(&t->tctx, SBD_EINPUT,
                   "SQL: integer overflow in %s (the sum is outside INT64; cast the argument to "
                   "DOUBLE)",
                   spec->text);
}

static inline bool add_overflows(int64_t acc, int64_t x) {
  return (x > 0 && acc > INT64_MAX - x) || (x < 0 && acc < INT64_MIN - x);
}

/* ---- DISTINCT ---------------------------------------------------------------------------------*/

static sbd_status distinct_grow(agg_table *t, agg_distinct *d) {
  sbd_ctx *ctx = &t->tctx;
  int64_t cap = d->cap ? d->cap * 2 : 1024;
  int64_t *g = sbd_realloc(ctx, d->gids, sizeof(int64_t) * (size_t)cap);
  if (!g)
    return SBD_ENOMEM;
  d->gids = g;
  uint64_t *h = sbd_realloc(ctx, d->hashes, sizeof(uint64_t) * (size_t)cap);
  if (!h)
    return SBD_ENOMEM;
  d->hashes = h;
  t->bytes += (cap - d->cap) * 24;
  d->cap = cap;
  uint64_t size = (uint64_t)cap * 2;
  uint32_t *dir = sbd_calloc(ctx, size, sizeof(uint32_t));
  if (!dir)
    return SBD_ENOMEM;
  for (int64_t k = 0; k < d->n; k++) {
    uint64_t slot = d->hashes[k] & (size - 1);
    while (dir[slot])
      slot = (slot + 1) & (size - 1);
    dir[slot] = (uint32_t)(k + 1);
  }
  free(d->dir);
  d->dir = dir;
  d->dir_mask = size - 1;
  return SBD_OK;
}

static uint64_t pair_hash(int64_t g, uint64_t value_hash) {
  return hash_u64((uint64_t)g + 0x632be59bd9b4e019ull) ^ value_hash;
}

/* Adds the pair (g, row i of v) unless it is in the set; h is the hash of the pair. */
static sbd_status distinct_add(agg_table *t, agg_distinct *d, int64_t g, const sbd_vec *v,
                               int64_t i, uint64_t h) {
  if (!d->values && !(d->values = vec_new(&t->tctx, v->type, 0)))
    return SBD_ENOMEM;
  if (d->n == d->cap)
    RETURN_IF_ERROR(distinct_grow(t, d));
  uint64_t slot = h & d->dir_mask;
  for (uint32_t e; (e = d->dir[slot]) != 0; slot = (slot + 1) & d->dir_mask)
    if (d->hashes[e - 1] == h && d->gids[e - 1] == g && ex_vec_compare(d->values, e - 1, v, i) == 0)
      return SBD_OK;
  int64_t before = d->values->bytes_cap;
  RETURN_IF_ERROR(ex_vec_append(&t->tctx, d->values, v, i, 1));
  t->bytes += d->values->bytes_cap - before + 8;
  d->gids[d->n] = g;
  d->hashes[d->n] = h;
  d->dir[slot] = (uint32_t)(++d->n);
  return SBD_OK;
}

static sbd_status update_distinct(agg_table *t, agg_col *c, const sbd_vec *v, const int64_t *gid,
                                  int64_t n) {
  uint64_t *h = sbd_malloc(&t->tctx, sizeof(uint64_t) * (size_t)(n ? n : 1));
  if (!h)
    return SBD_ENOMEM;
  memset(h, 0, sizeof(uint64_t) * (size_t)n);
  ex_vec_hash(v, h);
  sbd_status st = SBD_OK;
  for (int64_t i = 0; i < n && st == SBD_OK; i++)
    if (vec_is_valid(v, i))
      st = distinct_add(t, c->distinct, gid[i], v, i, pair_hash(gid[i], h[i]));
  free(h);
  return st;
}

/* Computes count/sum/avg of the distinct values of every group from the set. */
static sbd_status distinct_results(agg_table *t, int j) {
  const ex_agg_spec *spec = &t->aggs[j];
  agg_col *c = &t->cols[j];
  agg_distinct *d = c->distinct;
  memset(c->n, 0, sizeof(int64_t) * (size_t)t->ngroups);
  memset(c->i64, 0, sizeof(int64_t) * (size_t)t->ngroups);
  memset(c->f[0], 0, sizeof(double) * (size_t)t->ngroups);
  for (int64_t k = 0; k < d->n; k++) {
    int64_t g = d->gids[k];
    c->n[g]++;
    if (spec->kind == EX_AGG_COUNT_DISTINCT)
      continue;
    if (d->values->type == SBD_DOUBLE || spec->kind == EX_AGG_AVG_DISTINCT) {
      c->f[0][g] += dbl_value(d->values, k);
    } else {
      int64_t x = int_value(d->values, k);
      if (add_overflows(c->i64[g], x))
        return sum_overflow(t, spec);
      c->i64[g] += x;
    }
  }
  return SBD_OK;
}

/* Lists the pairs by group (dorder, with group g's at [qoff[g], qoff[g + 1])) for merging, and
 * computes the results. */
static sbd_status distinct_prepare(agg_table *t, int j) {
  agg_col *c = &t->cols[j];
  agg_distinct *d = c->distinct;
  free(c->qoff);
  free(c->dorder);
  c->qoff = sbd_calloc(&t->tctx, (size_t)t->ngroups + 2, sizeof(int64_t));
  c->dorder = sbd_malloc(&t->tctx, sizeof(int64_t) * (size_t)(d->n ? d->n : 1));
  if (!c->qoff || !c->dorder)
    return SBD_ENOMEM;
  for (int64_t k = 0; k < d->n; k++)
    c->qoff[d->gids[k] + 2]++;
  for (int64_t g = 0; g < t->ngroups; g++)
    c->qoff[g + 2] += c->qoff[g + 1];
  for (int64_t k = 0; k < d->n; k++)
    c->dorder[c->qoff[d->gids[k] + 1]++] = k;
  return distinct_results(t, j);
}

/* ---- HyperLogLog ------------------------------------------------------------------------------*/

static int leading_zeros(uint64_t x) {
  int n = 0;
  for (uint64_t bit = 1ull << 63; bit && !(x & bit); bit >>= 1)
    n++;
  return n;
}

static sbd_status hll_registers(agg_table *t, agg_col *c, int64_t g) {
  if (!c->hll[g]) {
    c->hll[g] = sbd_calloc(&t->tctx, AGG_HLL_REGS, 1);
    if (!c->hll[g])
      return SBD_ENOMEM;
    t->bytes += AGG_HLL_REGS;
  }
  return SBD_OK;
}

static void hll_add(uint8_t *regs, uint64_t h) {
  uint64_t idx = h >> (64 - AGG_HLL_BITS);
  uint64_t w = h << AGG_HLL_BITS;
  int rank = w ? leading_zeros(w) + 1 : 64 - AGG_HLL_BITS + 1;
  if (rank > regs[idx])
    regs[idx] = (uint8_t)rank;
}

static int64_t hll_estimate(const uint8_t *regs) {
  if (!regs)
    return 0;
  double m = AGG_HLL_REGS, sum = 0;
  int zeros = 0;
  for (int k = 0; k < AGG_HLL_REGS; k++) {
    sum += ldexp(1.0, -regs[k]);
    zeros += regs[k] == 0;
  }
  double e = 0.7213 / (1 + 1.079 / m) * m * m / sum;
  if (e <= 2.5 * m && zeros > 0)
    e = m * log(m / zeros);
  return (int64_t)llround(e);
}

static sbd_status update_hll(agg_table *t, agg_col *c, const sbd_vec *v, const int64_t *gid,
                             int64_t n) {
  uint64_t *h = sbd_malloc(&t->tctx, sizeof(uint64_t) * (size_t)(n ? n : 1));
  if (!h)
    return SBD_ENOMEM;
  memset(h, 0, sizeof(uint64_t) * (size_t)n);
  ex_vec_hash(v, h);
  sbd_status st = SBD_OK;
  for (int64_t i = 0; i < n && st == SBD_OK; i++) {
    if (!vec_is_valid(v, i))
      continue;
    if ((st = hll_registers(t, c, gid[i])) == SBD_OK)
      hll_add(c->hll[gid[i]], h[i]);
  }
  free(h);
  return st;
}

/* ---- string_agg -------------------------------------------------------------------------------*/

static sbd_status piece_add(agg_table *t, agg_col *c, int64_t g, int64_t seq, const char *s,
                            size_t len) {
  sbd_ctx *ctx = &t->tctx;
  if (c->npieces == c->cap_pieces) {
    int64_t cap = c->cap_pieces ? c->cap_pieces * 2 : 1024;
    agg_piece *p = sbd_realloc(ctx, c->pieces, sizeof(agg_piece) * (size_t)cap);
    if (!p)
      return SBD_ENOMEM;
    t->bytes += (cap - c->cap_pieces) * (int64_t)sizeof(agg_piece);
    c->pieces = p;
    c->cap_pieces = cap;
  }
  if (c->sbuf_len + (int64_t)len > c->sbuf_cap) {
    int64_t cap = c->sbuf_cap ? c->sbuf_cap : 4096;
    while (cap < c->sbuf_len + (int64_t)len)
      cap *= 2;
    char *b = sbd_realloc(ctx, c->sbuf, (size_t)cap);
    if (!b)
      return SBD_ENOMEM;
    t->bytes += cap - c->sbuf_cap;
    c->sbuf = b;
    c->sbuf_cap = cap;
  }
  memcpy(c->sbuf + c->sbuf_len, s, len);
  int64_t k = c->npieces++;
  c->pieces[k] = (agg_piece){seq, -1, c->sbuf_len, (int64_t)len};
  c->sbuf_len += (int64_t)len;
  /* Pieces usually arrive in sequence order; a piece with a smaller number is put in place. */
  if (c->tail[g] < 0) {
    c->head[g] = c->tail[g] = k;
  } else if (c->pieces[c->tail[g]].seq < seq) {
    c->pieces[c->tail[g]].next = k;
    c->tail[g] = k;
  } else {
    int64_t *link = &c->head[g];
    while (*link >= 0 && c->pieces[*link].seq < seq)
      link = &c->pieces[*link].next;
    c->pieces[k].next = *link;
    *link = k;
  }
  return SBD_OK;
}

static sbd_status update_string_agg(agg_table *t, agg_col *c, const sbd_vec *v, const int64_t *gid,
                                    int64_t n, int64_t seq0) {
  for (int64_t i = 0; i < n; i++) {
    if (!vec_is_valid(v, i))
      continue;
    size_t len;
    const char *s = vec_str(v, i, &len);
    RETURN_IF_ERROR(piece_add(t, c, gid[i], seq0 + i, s, len));
    c->n[gid[i]]++;
  }
  return SBD_OK;
}

/* ---- quantiles --------------------------------------------------------------------------------*/

static sbd_status qv_reserve(agg_table *t, agg_col *c, int64_t more) {
  if (c->nqv + more <= c->cap_qv)
    return SBD_OK;
  int64_t cap = c->cap_qv ? c->cap_qv : 1024;
  while (cap < c->nqv + more)
    cap *= 2;
  agg_qval *p = sbd_realloc(&t->tctx, c->qv, sizeof(agg_qval) * (size_t)cap);
  if (!p)
    return SBD_ENOMEM;
  t->bytes += (cap - c->cap_qv) * (int64_t)sizeof(agg_qval);
  c->qv = p;
  c->cap_qv = cap;
  return SBD_OK;
}

static sbd_status update_quantile(agg_table *t, agg_col *c, const sbd_vec *v, const int64_t *gid,
                                  int64_t n) {
  RETURN_IF_ERROR(qv_reserve(t, c, n));
  bool all_valid = v->null_count == 0;
  if (v->type == SBD_DOUBLE) {
    const double *x = v->values;
    for (int64_t i = 0; i < n; i++)
      if (all_valid || vec_is_valid(v, i))
        c->qv[c->nqv++] = (agg_qval){gid[i], x[i]};
  } else {
    for (int64_t i = 0; i < n; i++)
      if (all_valid || vec_is_valid(v, i))
        c->qv[c->nqv++] = (agg_qval){gid[i], dbl_value(v, i)};
  }
  return SBD_OK;
}

/* Counting sort of the kept values by group: qsorted, with group g's at [qoff[g], qoff[g + 1]). */
static sbd_status quantile_prepare(agg_table *t, agg_col *c) {
  sbd_ctx *ctx = &t->tctx;
  free(c->qoff);
  free(c->qsorted);
  c->qoff = sbd_calloc(ctx, (size_t)t->ngroups + 1, sizeof(int64_t));
  c->qsorted = sbd_malloc(ctx, sizeof(double) * (size_t)(c->nqv ? c->nqv : 1));
  if (!c->qoff || !c->qsorted)
    return SBD_ENOMEM;
  for (int64_t k = 0; k < c->nqv; k++)
    c->qoff[c->qv[k].g + 1]++;
  for (int64_t g = 0; g < t->ngroups; g++)
    c->qoff[g + 1] += c->qoff[g];
  int64_t *pos = sbd_malloc(ctx, sizeof(int64_t) * (size_t)(t->ngroups ? t->ngroups : 1));
  if (!pos)
    return SBD_ENOMEM;
  memcpy(pos, c->qoff, sizeof(int64_t) * (size_t)t->ngroups);
  for (int64_t k = 0; k < c->nqv; k++)
    c->qsorted[pos[c->qv[k].g]++] = c->qv[k].v;
  free(pos);
  return SBD_OK;
}

/* The k-th smallest of x[0..n) (NaN greatest), moving values around (Hoare's selection). */
static double select_kth(double *x, int64_t n, int64_t k) {
  int64_t lo = 0, hi = n - 1;
  while (lo < hi) {
    double pivot = x[lo + (hi - lo) / 2];
    int64_t i = lo, j = hi;
    while (i <= j) {
      while (dbl_less(x[i], pivot))
        i++;
      while (dbl_less(pivot, x[j]))
        j--;
      if (i <= j) {
        double tmp = x[i];
        x[i] = x[j];
        x[j] = tmp;
        i++;
        j--;
      }
    }
    if (k <= j)
      hi = j;
    else if (k >= i)
      lo = i;
    else
      break;
  }
  return x[k];
}

static double quantile_of(double *x, int64_t n, double q) {
  double rn = (double)(n - 1) * q;
  int64_t lo = (int64_t)floor(rn), hi = (int64_t)ceil(rn);
  double vlo = select_kth(x, n, lo);
  if (lo == hi)
    return vlo;
  /* After the selection, x[lo + 1..n) holds the values at or above rank lo + 1. */
  double vhi = x[hi];
  for (int64_t i = hi + 1; i < n; i++)
    if (dbl_less(x[i], vhi))
      vhi = x[i];
  return vlo + (vhi - vlo) * (rn - (double)lo);
}

/* ---- update -----------------------------------------------------------------------------------*/

static sbd_status update_ordered(agg_table *t, const ex_agg_spec *spec, agg_col *c,
                                 const sbd_vec *v, const int64_t *gid, int64_t n, int64_t seq0) {
  bool last = spec->kind == EX_AGG_LAST, skip_nulls = spec->kind == EX_AGG_ANY_VALUE;
  for (int64_t i = 0; i < n; i++) {
    bool valid = vec_is_valid(v, i);
    if (!valid && skip_nulls)
      continue;
    int64_t g = gid[i], seq = seq0 + i;
    if (c->n[g] && (last ? seq < c->seq[g] : seq > c->seq[g]))
      continue;
    c->n[g] = 1;
    c->seq[g] = seq;
    c->isnull[g] = !valid;
    if (!valid)
      continue;
    if (v->type == SBD_STRING) {
      size_t len;
      const char *s = vec_str(v, i, &len);
      RETURN_IF_ERROR(set_str(t, c, g, s, len));
    } else if (v->type == SBD_DOUBLE) {
      c->f[0][g] = ((const double *)v->values)[i];
    } else {
      c->i64[g] = int_value(v, i);
    }
  }
  return SBD_OK;
}

static sbd_status update_min_max(agg_table *t, bool is_min, agg_col *c, const sbd_vec *v,
                                 const int64_t *gid, int64_t n) {
  bool all_valid = v->null_count == 0;
  switch (v->type) {
  case SBD_DOUBLE: {
    const double *x = v->values;
    for (int64_t i = 0; i < n; i++) {
      if (!all_valid && !vec_is_valid(v, i))
        continue;
      int64_t g = gid[i];
      if (c->n[g]++ == 0 || (is_min ? dbl_less(x[i], c->f[0][g]) : dbl_less(c->f[0][g], x[i])))
        c->f[0][g] = x[i];
    }
    return SBD_OK;
  }
  case SBD_STRING:
    for (int64_t i = 0; i < n; i++) {
      if (!all_valid && !vec_is_valid(v, i))
        continue;
      int64_t g = gid[i];
      size_t len;
      const char *s = vec_str(v, i, &len);
      if (c->n[g]++ > 0) {
        int r = cmp_str(s, len, c->str[g], c->slen[g]);
        if (is_min ? r >= 0 : r <= 0)
          continue;
      }
      RETURN_IF_ERROR(set_str(t, c, g, s, len));
    }
    return SBD_OK;
  case SBD_INT64:
  case SBD_TIMESTAMP: {
    const int64_t *x = v->values;
    for (int64_t i = 0; i < n; i++) {
      if (!all_valid && !vec_is_valid(v, i))
        continue;
      int64_t g = gid[i];
      if (c->n[g]++ == 0 || (is_min ? x[i] < c->i64[g] : x[i] > c->i64[g]))
        c->i64[g] = x[i];
    }
    return SBD_OK;
  }
  default: /* DATE, BOOL: compared as integers */
    for (int64_t i = 0; i < n; i++) {
      if (!all_valid && !vec_is_valid(v, i))
        continue;
      int64_t g = gid[i], x = int_value(v, i);
      if (c->n[g]++ == 0 || (is_min ? x < c->i64[g] : x > c->i64[g]))
        c->i64[g] = x;
    }
    return SBD_OK;
  }
}

static sbd_status update_sum(agg_table *t, const ex_agg_spec *spec, agg_col *c, const sbd_vec *v,
                             const int64_t *gid, int64_t n) {
  bool all_valid = v->null_count == 0;
  if (v->type == SBD_DOUBLE || spec->kind == EX_AGG_AVG) {
    double *acc = c->f[0];
    int64_t *cnt = c->n;
    if (v->type == SBD_DOUBLE) {
      const double *x = v->values;
      if (all_valid) {
        for (int64_t i = 0; i < n; i++) {
          acc[gid[i]] += x[i];
          cnt[gid[i]]++;
        }
      } else {
        for (int64_t i = 0; i < n; i++)
          if (vec_is_valid(v, i)) {
            acc[gid[i]] += x[i];
            cnt[gid[i]]++;
          }
      }
    } else {
      const int64_t *x = v->values;
      for (int64_t i = 0; i < n; i++)
        if (all_valid || vec_is_valid(v, i)) {
          acc[gid[i]] += (double)x[i];
          cnt[gid[i]]++;
        }
    }
    return SBD_OK;
  }
  const int64_t *x = v->values;
  int64_t *acc = c->i64, *cnt = c->n;
  for (int64_t i = 0; i < n; i++)
    if (all_valid || vec_is_valid(v, i)) {
      int64_t g = gid[i];
      if (add_overflows(acc[g], x[i]))
        return sum_overflow(t, spec);
      acc[g] += x[i];
      cnt[g]++;
    }
  return SBD_OK;
}

static void update_variance(agg_col *c, const sbd_vec *v, const int64_t *gid, int64_t n) {
  double *mean = c->f[0], *m2 = c->f[1];
  bool all_valid = v->null_count == 0;
  for (int64_t i = 0; i < n; i++) {
    if (!all_valid && !vec_is_valid(v, i))
      continue;
    int64_t g = gid[i];
    double x = dbl_value(v, i);
    double d = x - mean[g];
    mean[g] += d / (double)++c->n[g];
    m2[g] += d * (x - mean[g]);
  }
}

static void update_corr(agg_col *c, const sbd_vec *vy, const sbd_vec *vx, const int64_t *gid,
                        int64_t n) {
  double *mx = c->f[0], *my = c->f[1], *m2x = c->f[2], *m2y = c->f[3], *cxy = c->f[4];
  for (int64_t i = 0; i < n; i++) {
    if (!vec_is_valid(vx, i) || !vec_is_valid(vy, i))
      continue;
    int64_t g = gid[i];
    double x = dbl_value(vx, i), y = dbl_value(vy, i);
    double k = (double)++c->n[g];
    double dx = x - mx[g], dy = y - my[g];
    mx[g] += dx / k;
    my[g] += dy / k;
    m2x[g] += dx * (x - mx[g]);
    m2y[g] += dy * (y - my[g]);
    cxy[g] += dx * (y - my[g]);
  }
}

sbd_status agg_col_update(agg_table *t, int j, const sbd_vec *arg, const sbd_vec *arg2,
                          const int64_t *gid, int64_t n, int64_t seq0) {
  const ex_agg_spec *spec = &t->aggs[j];
  agg_col *c = &t->cols[j];
  switch (spec->kind) {
  case EX_AGG_COUNT_STAR:
    for (int64_t i = 0; i < n; i++)
      c->n[gid[i]]++;
    return SBD_OK;
  case EX_AGG_COUNT:
    if (arg->null_count == 0) {
      for (int64_t i = 0; i < n; i++)
        c->n[gid[i]]++;
    } else {
      for (int64_t i = 0; i < n; i++)
        c->n[gid[i]] += vec_is_valid(arg, i);
    }
    return SBD_OK;
  case EX_AGG_SUM:
  case EX_AGG_AVG:
    return update_sum(t, spec, c, arg, gid, n);
  case EX_AGG_MIN:
  case EX_AGG_MAX:
    return update_min_max(t, spec->kind == EX_AGG_MIN, c, arg, gid, n);
  case EX_AGG_COUNT_DISTINCT:
  case EX_AGG_SUM_DISTINCT:
  case EX_AGG_AVG_DISTINCT:
    return update_distinct(t, c, arg, gid, n);
  case EX_AGG_VAR_SAMP:
  case EX_AGG_VAR_POP:
  case EX_AGG_STDDEV_SAMP:
  case EX_AGG_STDDEV_POP:
    update_variance(c, arg, gid, n);
    return SBD_OK;
  case EX_AGG_CORR:
    update_corr(c, arg, arg2, gid, n);
    return SBD_OK;
  case EX_AGG_QUANTILE:
    return update_quantile(t, c, arg, gid, n);
  case EX_AGG_FIRST:
  case EX_AGG_LAST:
  case EX_AGG_ANY_VALUE:
    return update_ordered(t, spec, c, arg, gid, n, seq0);
  case EX_AGG_APPROX_DISTINCT:
    return update_hll(t, c, arg, gid, n);
  case EX_AGG_STRING_AGG:
    return update_string_agg(t, c, arg, gid, n, seq0);
  }
  return SBD_OK;
}

/* ---- merge ------------------------------------------------------------------------------------*/

static sbd_status merge_one(agg_table *dst, int j, int64_t d, agg_table *src, int64_t s) {
  const ex_agg_spec *spec = &dst->aggs[j];
  agg_col *a = &dst->cols[j], *b = &src->cols[j];
  switch (spec->kind) {
  case EX_AGG_COUNT_STAR:
  case EX_AGG_COUNT:
    a->n[d] += b->n[s];
    return SBD_OK;
  case EX_AGG_SUM:
  case EX_AGG_AVG:
    if (spec->kind == EX_AGG_SUM && spec->type == SBD_INT64) {
      if (add_overflows(a->i64[d], b->i64[s]))
        return sum_overflow(dst, spec);
      a->i64[d] += b->i64[s];
    } else {
      a->f[0][d] += b->f[0][s];
    }
    a->n[d] += b->n[s];
    return SBD_OK;
  case EX_AGG_MIN:
  case EX_AGG_MAX: {
    if (!b->n[s])
      return SBD_OK;
    bool is_min = spec->kind == EX_AGG_MIN, take = a->n[d] == 0;
    if (!take) {
      if (spec->type == SBD_STRING) {
        int r = cmp_str(b->str[s], b->slen[s], a->str[d], a->slen[d]);
        take = is_min ? r < 0 : r > 0;
      } else if (spec->type == SBD_DOUBLE) {
        take = is_min ? dbl_less(b->f[0][s], a->f[0][d]) : dbl_less(a->f[0][d], b->f[0][s]);
      } else {
        take = is_min ? b->i64[s] < a->i64[d] : b->i64[s] > a->i64[d];
      }
    }
    a->n[d] += b->n[s];
    if (!take)
      return SBD_OK;
    if (spec->type == SBD_STRING)
      return set_str(dst, a, d, b->str[s], b->slen[s]);
    a->f[0][d] = b->f[0][s];
    a->i64[d] = b->i64[s];
    return SBD_OK;
  }
  case EX_AGG_FIRST:
  case EX_AGG_LAST:
  case EX_AGG_ANY_VALUE: {
    if (!b->n[s])
      return SBD_OK;
    bool take =
        !a->n[d] || (spec->kind == EX_AGG_LAST ? b->seq[s] > a->seq[d] : b->seq[s] < a->seq[d]);
    if (!take)
      return SBD_OK;
    a->n[d] = 1;
    a->seq[d] = b->seq[s];
    a->isnull[d] = b->isnull[s];
    a->f[0][d] = b->f[0][s];
    a->i64[d] = b->i64[s];
    if (spec->type == SBD_STRING && !b->isnull[s])
      return set_str(dst, a, d, b->str[s], b->slen[s]);
    return SBD_OK;
  }
  case EX_AGG_COUNT_DISTINCT:
  case EX_AGG_SUM_DISTINCT:
  case EX_AGG_AVG_DISTINCT: {
    /* The source group's pairs (listed by the prepare) go into the destination's set under d. */
    agg_distinct *bs = b->distinct;
    for (int64_t k = b->qoff[s]; k < b->qoff[s + 1]; k++) {
      int64_t pair = b->dorder[k];
      uint64_t value_hash = bs->hashes[pair] ^ pair_hash(s, 0);
      RETURN_IF_ERROR(
          distinct_add(dst, a->distinct, d, bs->values, pair, pair_hash(d, value_hash)));
    }
    return SBD_OK;
  }
  case EX_AGG_VAR_SAMP:
  case EX_AGG_VAR_POP:
  case EX_AGG_STDDEV_SAMP:
  case EX_AGG_STDDEV_POP: {
    int64_t na = a->n[d], nb = b->n[s];
    if (!nb)
      return SBD_OK;
    if (!na) {
      a->n[d] = nb;
      a->f[0][d] = b->f[0][s];
      a->f[1][d] = b->f[1][s];
      return SBD_OK;
    }
    double n = (double)(na + nb), delta = b->f[0][s] - a->f[0][d];
    a->f[0][d] += delta * (double)nb / n;
    a->f[1][d] += b->f[1][s] + delta * delta * (double)na * (double)nb / n;
    a->n[d] = na + nb;
    return SBD_OK;
  }
  case EX_AGG_CORR: {
    int64_t na = a->n[d], nb = b->n[s];
    if (!nb)
      return SBD_OK;
    if (!na) {
      a->n[d] = nb;
      for (int m = 0; m < 5; m++)
        a->f[m][d] = b->f[m][s];
      return SBD_OK;
    }
    double n = (double)(na + nb), w = (double)na * (double)nb / n;
    double dx = b->f[0][s] - a->f[0][d], dy = b->f[1][s] - a->f[1][d];
    a->f[0][d] += dx * (double)nb / n;
    a->f[1][d] += dy * (double)nb / n;
    a->f[2][d] += b->f[2][s] + dx * dx * w;
    a->f[3][d] += b->f[3][s] + dy * dy * w;
    a->f[4][d] += b->f[4][s] + dx * dy * w;
    a->n[d] = na + nb;
    return SBD_OK;
  }
  case EX_AGG_QUANTILE: {
    int64_t from = b->qoff[s], cnt = b->qoff[s + 1] - from;
    RETURN_IF_ERROR(qv_reserve(dst, a, cnt));
    for (int64_t k = 0; k < cnt; k++)
      a->qv[a->nqv++] = (agg_qval){d, b->qsorted[from + k]};
    return SBD_OK;
  }
  case EX_AGG_APPROX_DISTINCT:
    if (!b->hll[s])
      return SBD_OK;
    RETURN_IF_ERROR(hll_registers(dst, a, d));
    for (int k = 0; k < AGG_HLL_REGS; k++)
      if (b->hll[s][k] > a->hll[d][k])
        a->hll[d][k] = b->hll[s][k];
    return SBD_OK;
  case EX_AGG_STRING_AGG:
    for (int64_t k = b->head[s]; k >= 0; k = b->pieces[k].next) {
      const agg_piece *p = &b->pieces[k];
      RETURN_IF_ERROR(piece_add(dst, a, d, p->seq, b->sbuf + p->off, (size_t)p->len));
    }
    a->n[d] += b->n[s];
    return SBD_OK;
  }
  return SBD_OK;
}

sbd_status agg_merge_group(agg_table *dst, int64_t dg, agg_table *src, int64_t sg) {
  for (int j = 0; j < dst->naggs; j++)
    RETURN_IF_ERROR(merge_one(dst, j, dg, src, sg));
  return SBD_OK;
}

sbd_status agg_table_prepare(agg_table *t) {
  for (int j = 0; j < t->naggs; j++) {
    ex_agg_kind k = t->aggs[j].kind;
    if (k == EX_AGG_QUANTILE)
      RETURN_IF_ERROR(quantile_prepare(t, &t->cols[j]));
    else if (k == EX_AGG_COUNT_DISTINCT || k == EX_AGG_SUM_DISTINCT || k == EX_AGG_AVG_DISTINCT)
      RETURN_IF_ERROR(distinct_prepare(t, j));
  }
  return SBD_OK;
}

/* ---- results ----------------------------------------------------------------------------------*/

static sbd_status out_of_range(agg_table *t, const ex_agg_spec *spec, const char *what) {
  return sbd_error(&t->tctx, SBD_EINPUT,
                   "SQL: %s is out of range (%s is not a finite number: the input holds NaN or "
                   "infinity, or the values are too large)",
                   spec->text, what);
}

static sbd_status push_string_agg(agg_table *t, const ex_agg_spec *spec, agg_col *c, int64_t g,
                                  sbd_vec *v) {
  size_t total = 0;
  for (int64_t k = c->head[g]; k >= 0; k = c->pieces[k].next)
    total += (size_t)c->pieces[k].len + (k == c->head[g] ? 0 : spec->sep_len);
  RETURN_ERROR_IF(total > SBD_MAX_VALUE_BYTES, &t->tctx, SBD_ELIMIT,
                  "SQL: %s: the result is larger than %u MiB", spec->text,
                  SBD_MAX_VALUE_BYTES >> 20);
  char *buf = sbd_malloc(&t->tctx, total ? total : 1), *p = buf;
  if (!buf)
    return SBD_ENOMEM;
  for (int64_t k = c->head[g]; k >= 0; k = c->pieces[k].next) {
    if (k != c->head[g]) {
      memcpy(p, spec->sep, spec->sep_len);
      p += spec->sep_len;
    }
    memcpy(p, c->sbuf + c->pieces[k].off, (size_t)c->pieces[k].len);
    p += c->pieces[k].len;
  }
  sbd_status st = vec_push_str(&t->tctx, v, buf, total);
  free(buf);
  return st;
}

static void push_typed(sbd_vec *v, const agg_col *c, int64_t g) {
  switch (v->type) {
  case SBD_DOUBLE:
    vec_push_f64(v, c->f[0][g]);
    break;
  case SBD_DATE:
    vec_push_i32(v, (int32_t)c->i64[g]);
    break;
  case SBD_BOOL:
    vec_push_bool(v, c->i64[g] != 0);
    break;
  default:
    vec_push_i64(v, c->i64[g]);
    break;
  }
}

sbd_status agg_col_result(agg_table *t, int j, int64_t from, int64_t n, sbd_vec **out) {
  sbd_ctx *ctx = &t->tctx;
  const ex_agg_spec *spec = &t->aggs[j];
  agg_col *c = &t->cols[j];
  sbd_vec *v = vec_new(ctx, spec->type, n > 0 ? n : 1);
  if (!v)
    return SBD_ENOMEM;
  *out = v;
  for (int64_t g = from; g < from + n; g++) {
    int64_t cnt = c->n ? c->n[g] : 0;
    switch (spec->kind) {
    case EX_AGG_COUNT_STAR:
    case EX_AGG_COUNT:
    case EX_AGG_COUNT_DISTINCT:
      vec_push_i64(v, cnt);
      continue;
    case EX_AGG_APPROX_DISTINCT:
      vec_push_i64(v, hll_estimate(c->hll[g]));
      continue;
    default:
      break;
    }
    bool has = cnt > 0;
    if (spec->kind == EX_AGG_VAR_SAMP || spec->kind == EX_AGG_STDDEV_SAMP)
      has = cnt > 1;
    if ((spec->kind == EX_AGG_FIRST || spec->kind == EX_AGG_LAST) && has && c->isnull[g])
      has = false;
    if (spec->kind == EX_AGG_STRING_AGG && !spec->sep)
      has = false;
    if (spec->kind == EX_AGG_QUANTILE)
      has = c->qoff[g + 1] > c->qoff[g];
    if (!has) {
      RETURN_IF_ERROR(vec_push_null(ctx, v));
      continue;
    }
    switch (spec->kind) {
    case EX_AGG_AVG:
    case EX_AGG_AVG_DISTINCT:
      vec_push_f64(v, c->f[0][g] / (double)cnt);
      break;
    case EX_AGG_VAR_SAMP:
    case EX_AGG_VAR_POP:
    case EX_AGG_STDDEV_SAMP:
    case EX_AGG_STDDEV_POP: {
      bool samp = spec->kind == EX_AGG_VAR_SAMP || spec->kind == EX_AGG_STDDEV_SAMP;
      double var = cnt == 1 && !samp ? 0 : c->f[1][g] / (double)(samp ? cnt - 1 : cnt);
      if (!isfinite(var))
        return out_of_range(t, spec, "the variance");
      bool sd = spec->kind == EX_AGG_STDDEV_SAMP || spec->kind == EX_AGG_STDDEV_POP;
      vec_push_f64(v, sd ? sqrt(var) : var);
      break;
    }
    case EX_AGG_CORR: {
      double nn = (double)cnt;
      double sx = sqrt(c->f[2][g] / nn), sy = sqrt(c->f[3][g] / nn);
      if (!isfinite(sx))
        return out_of_range(t, spec, "the deviation of the second argument");
      if (!isfinite(sy))
        return out_of_range(t, spec, "the deviation of the first argument");
      vec_push_f64(v, (c->f[4][g] / nn) / (sx * sy));
      break;
    }
    case EX_AGG_QUANTILE:
      vec_push_f64(v,
                   quantile_of(c->qsorted + c->qoff[g], c->qoff[g + 1] - c->qoff[g], spec->param));
      break;
    case EX_AGG_STRING_AGG:
      RETURN_IF_ERROR(push_string_agg(t, spec, c, g, v));
      break;
    default: /* sum, min, max, first, last, any_value, sum(DISTINCT) */
      if (spec->type == SBD_STRING)
        RETURN_IF_ERROR(vec_push_str(ctx, v, c->str[g], c->slen[g]));
      else
        push_typed(v, c, g);
      break;
    }
  }
  return SBD_OK;
}

void agg_col_free(agg_table *t, int j) {
  agg_col *c = &t->cols[j];
  if (c->str)
    for (int64_t g = 0; g < t->ngroups; g++)
      free(c->str[g]);
  if (c->hll)
    for (int64_t g = 0; g < t->ngroups; g++)
      free(c->hll[g]);
  if (c->distinct) {
    vec_free(c->distinct->values);
    free(c->distinct->gids);
    free(c->distinct->hashes);
    free(c->distinct->dir);
    free(c->distinct);
  }
  free(c->n);
  free(c->i64);
  for (int m = 0; m < 5; m++)
    free(c->f[m]);
  free(c->str);
  free(c->slen);
  free(c->seq);
  free(c->isnull);
  free(c->hll);
  free(c->head);
  free(c->tail);
  free(c->pieces);
  free(c->sbuf);
  free(c->qv);
  free(c->qoff);
  free(c->qsorted);
  free(c->dorder);
}
