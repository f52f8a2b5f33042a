/*
 * agg.c — hash aggregation (GROUP BY, DISTINCT, and aggregates over the whole input).
 *
 * The table. Groups are numbered in order of first appearance. Each group keeps its hash, and its
 * key values in one vector per key column (keys[k], row g = group g), so equal keys are found by
 * comparing typed values, and NULL is a key value like any other. An open-addressing directory
 * of group numbers (linear probing, at most half full) finds a row's group from its hash.
 *
 * Per batch: the key expressions are evaluated into vectors, hashed column by column, and each
 * row is looked up (or added) to give gid[row]; then each aggregate runs one typed loop over the
 * rows updating its state arrays at gid[row]. States: count (int64), sum (int64 with overflow
 * checks, or double), avg (double sum and count), min/max (the value, or a malloc'd copy of a
 * string, with a "has a value" count), count(DISTINCT x) (a second hash table of the (group,
 * value) pairs seen, counting each pair once).
 *
 * Partitions and threads: the target design gives each worker thread its own table over its
 * morsels and merges them at the end, partitioned by the high bits of the stored hashes (so a
 * partition can be merged, or spilled, on its own). This first version runs one table on the
 * calling thread; the stored per-group hashes are what the merge will need.
 */
#include "exec/exec_int.h"

#include <stdlib.h>
#include <string.h>

/* The (group, value) pairs seen by count(DISTINCT x): a second hash table like the groups'. */
typedef struct distinct_set {
  sbd_vec *values; /* pair k's value */
  int64_t *gids;   /* pair k's group */
  uint64_t *hashes;
  int64_t n, cap;
  uint32_t *dir; /* pair + 1, 0 when empty; at most half full */
  uint64_t dir_mask;
} distinct_set;

typedef struct agg_state {
  int64_t *count; /* rows counted (count), or values seen (sum, avg, min, max) */
  int64_t *i64;   /* sum, min, max of INT64, DATE (as int64), TIMESTAMP, BOOL */
  double *f64;    /* sum, avg, min, max of DOUBLE */
  char **str;     /* min, max of STRING */
  size_t *slen;
  distinct_set *distinct; /* count(DISTINCT x) */
} agg_state;

typedef struct agg_op {
  ex_op op;
  ex_expr *const *key_exprs;
  int nkeys;
  const ex_agg_spec *aggs;
  int naggs;
  /* the table */
  sbd_vec **keys;
  uint64_t *hashes;
  int64_t ngroups, cap_groups;
  uint32_t *dir; /* group + 1, 0 when empty */
  uint64_t dir_mask;
  agg_state *states;
  int64_t charged;
  /* output */
  bool done;
  int64_t next_group;
} agg_op;

static sbd_status grow_groups(agg_op *a) {
  sbd_ctx *ctx = a->op.q->ctx;
  int64_t cap = a->cap_groups ? a->cap_groups * 2 : 1024;
  RETURN_ERROR_IF(cap > (int64_t)UINT32_MAX / 2, ctx, SBD_ELIMIT,
                  "query: more than %lld groups in one aggregation", (long long)UINT32_MAX / 2);
  uint64_t *h = sbd_realloc(ctx, a->hashes, sizeof(uint64_t) * (size_t)cap);
  if (!h)
    return SBD_ENOMEM;
  a->hashes = h;
  for (int j = 0; j < a->naggs; j++) {
    agg_state *s = &a->states[j];
#define GROW(field)                                                                                \
  do {                                                                                             \
    void *p = sbd_realloc(ctx, s->field, sizeof(*s->field) * (size_t)cap);                         \
    if (!p)                                                                                        \
      return SBD_ENOMEM;                                                                           \
    s->field = p;                                                                                  \
  } while (0)
    GROW(count);
    GROW(i64);
    GROW(f64);
    if (a->aggs[j].type == SBD_STRING) {
      GROW(str);
      GROW(slen);
    }
#undef GROW
  }
  int64_t per_group = 8 + (int64_t)a->naggs * 24 + 8;
  RETURN_IF_ERROR(ex_mem_charge(a->op.q, (cap - a->cap_groups) * per_group));
  a->charged += (cap - a->cap_groups) * per_group;
  a->cap_groups = cap;
  /* The directory stays at most half full. */
  uint64_t dir_size = 1;
  while (dir_size < (uint64_t)cap * 2)
    dir_size <<= 1;
  uint32_t *dir = sbd_calloc(ctx, dir_size, sizeof(uint32_t));
  if (!dir)
    return SBD_ENOMEM;
  for (int64_t g = 0; g < a->ngroups; g++) {
    uint64_t slot = a->hashes[g] & (dir_size - 1);
    while (dir[slot])
      slot = (slot + 1) & (dir_size - 1);
    dir[slot] = (uint32_t)(g + 1);
  }
  free(a->dir);
  a->dir = dir;
  a->dir_mask = dir_size - 1;
  return SBD_OK;
}

static sbd_status add_group(agg_op *a, sbd_vec **key_vals, int64_t row, uint64_t hash,
                            int64_t *gid) {
  sbd_ctx *ctx = a->op.q->ctx;
  if (a->ngroups == a->cap_groups)
    RETURN_IF_ERROR(grow_groups(a));
  int64_t g = a->ngroups++;
  a->hashes[g] = hash;
  for (int k = 0; k < a->nkeys; k++)
    RETURN_IF_ERROR(ex_vec_append(ctx, a->keys[k], key_vals[k], row, 1));
  for (int j = 0; j < a->naggs; j++) {
    agg_state *s = &a->states[j];
    s->count[g] = 0;
    s->i64[g] = 0;
    s->f64[g] = 0;
    if (s->str) {
      s->str[g] = NULL;
      s->slen[g] = 0;
    }
  }
  uint64_t slot = hash & a->dir_mask;
  while (a->dir[slot])
    slot = (slot + 1) & a->dir_mask;
  a->dir[slot] = (uint32_t)(g + 1);
  *gid = g;
  return SBD_OK;
}

static bool keys_equal(const agg_op *a, sbd_vec **key_vals, int64_t row, int64_t g) {
  for (int k = 0; k < a->nkeys; k++) {
    bool vr = vec_is_valid(key_vals[k], row), vg = vec_is_valid(a->keys[k], g);
    if (vr != vg)
      return false;
    if (vr && ex_vec_compare(key_vals[k], row, a->keys[k], g) != 0)
      return false;
  }
  return true;
}

static sbd_status find_groups(agg_op *a, sbd_vec **key_vals, int64_t n, uint64_t *h, int64_t *gid) {
  for (int64_t i = 0; i < n; i++)
    h[i] = 0x243f6a8885a308d3ull;
  for (int k = 0; k < a->nkeys; k++)
    ex_vec_hash(key_vals[k], h);
  for (int64_t i = 0; i < n; i++) {
    uint64_t slot = h[i] & a->dir_mask;
    for (;;) {
      uint32_t e = a->dir[slot];
      if (!e) {
        RETURN_IF_ERROR(add_group(a, key_vals, i, h[i], &gid[i]));
        break;
      }
      if (a->hashes[e - 1] == h[i] && keys_equal(a, key_vals, i, e - 1)) {
        gid[i] = e - 1;
        break;
      }
      slot = (slot + 1) & a->dir_mask;
    }
  }
  return SBD_OK;
}

static sbd_status distinct_grow(agg_op *a, distinct_set *d) {
  sbd_ctx *ctx = a->op.q->ctx;
  int64_t cap = d->cap ? d->cap * 2 : 1024;
  int64_t *g = sbd_realloc(ctx, d->gids, sizeof(int64_t) * (size_t)cap);
  if (!g)
    return SBD_ENOMEM;
  d->gids = g;
  uint64_t *h = sbd_realloc(ctx, d->hashes, sizeof(uint64_t) * (size_t)cap);
  if (!h)
    return SBD_ENOMEM;
  d->hashes = h;
  RETURN_IF_ERROR(ex_mem_charge(a->op.q, (cap - d->cap) * 24));
  a->charged += (cap - d->cap) * 24;
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

/* count(DISTINCT x): counts a value for its group the first time the pair is seen. */
static sbd_status update_distinct(agg_op *a, agg_state *s, const sbd_vec *v, const int64_t *gid,
                                  int64_t n) {
  sbd_ctx *ctx = a->op.q->ctx;
  distinct_set *d = s->distinct;
  if (!d->values && !(d->values = vec_new(ctx, v->type, 0)))
    return SBD_ENOMEM;
  uint64_t *h = sbd_malloc(ctx, sizeof(uint64_t) * (size_t)(n ? n : 1));
  if (!h)
    return SBD_ENOMEM;
  for (int64_t i = 0; i < n; i++)
    h[i] = hash_u64((uint64_t)gid[i] + 0x632be59bd9b4e019ull);
  ex_vec_hash(v, h);
  sbd_status st = SBD_OK;
  for (int64_t i = 0; i < n && st == SBD_OK; i++) {
    if (!vec_is_valid(v, i))
      continue;
    if (d->n == d->cap && (st = distinct_grow(a, d)) != SBD_OK)
      break;
    uint64_t slot = h[i] & d->dir_mask;
    bool seen = false;
    for (uint32_t e; (e = d->dir[slot]) != 0; slot = (slot + 1) & d->dir_mask)
      if (d->hashes[e - 1] == h[i] && d->gids[e - 1] == gid[i] &&
          ex_vec_compare(d->values, e - 1, v, i) == 0) {
        seen = true;
        break;
      }
    if (seen)
      continue;
    int64_t before = d->values->bytes_cap;
    st = ex_vec_append(ctx, d->values, v, i, 1);
    if (st == SBD_OK && d->values->bytes_cap > before) {
      a->charged += d->values->bytes_cap - before;
      st = ex_mem_charge(a->op.q, d->values->bytes_cap - before);
    }
    d->gids[d->n] = gid[i];
    d->hashes[d->n] = h[i];
    d->dir[slot] = (uint32_t)(++d->n);
    s->count[gid[i]]++;
  }
  free(h);
  return st;
}

static sbd_status update(agg_op *a, int j, const sbd_vec *v, const int64_t *gid, int64_t n) {
  const ex_agg_spec *spec = &a->aggs[j];
  agg_state *s = &a->states[j];
  sbd_ctx *ctx = a->op.q->ctx;
  if (spec->kind == EX_AGG_COUNT_DISTINCT)
    return update_distinct(a, s, v, gid, n);
  if (spec->kind == EX_AGG_COUNT_STAR) {
    for (int64_t i = 0; i < n; i++)
      s->count[gid[i]]++;
    return SBD_OK;
  }
  bool all_valid = v->null_count == 0;
#define VALID(i) (all_valid || vec_is_valid(v, i))
  switch (spec->kind) {
  case EX_AGG_COUNT:
    for (int64_t i = 0; i < n; i++)
      s->count[gid[i]] += VALID(i);
    return SBD_OK;
  case EX_AGG_SUM:
  case EX_AGG_AVG:
    if (v->type == SBD_DOUBLE) {
      const double *x = v->values;
      for (int64_t i = 0; i < n; i++)
        if (VALID(i)) {
          s->f64[gid[i]] += x[i];
          s->count[gid[i]]++;
        }
    } else if (spec->kind == EX_AGG_AVG) {
      const int64_t *x = v->values;
      for (int64_t i = 0; i < n; i++)
        if (VALID(i)) {
          s->f64[gid[i]] += (double)x[i];
          s->count[gid[i]]++;
        }
    } else {
      const int64_t *x = v->values;
      for (int64_t i = 0; i < n; i++)
        if (VALID(i)) {
          int64_t *acc = &s->i64[gid[i]];
          if ((x[i] > 0 && *acc > INT64_MAX - x[i]) || (x[i] < 0 && *acc < INT64_MIN - x[i]))
            return sbd_error(ctx, SBD_EINPUT,
                             "SQL: integer overflow in %s (the sum is outside INT64; cast the "
                             "argument to DOUBLE)",
                             spec->text);
          *acc += x[i];
          s->count[gid[i]]++;
        }
    }
    return SBD_OK;
  default: /* MIN, MAX */
    break;
  }
  bool is_min = spec->kind == EX_AGG_MIN;
  switch (v->type) {
  case SBD_DOUBLE: {
    const double *x = v->values;
    for (int64_t i = 0; i < n; i++) {
      if (!VALID(i))
        continue;
      int64_t g = gid[i];
      if (s->count[g]++ == 0) {
        s->f64[g] = x[i];
        continue;
      }
      /* NaN is the greatest double, as DuckDB orders them. */
      double cur = s->f64[g];
      bool less = x[i] < cur || (cur != cur && x[i] == x[i]);
      bool greater = x[i] > cur || (x[i] != x[i] && cur == cur);
      if (is_min ? less : greater)
        s->f64[g] = x[i];
    }
    return SBD_OK;
  }
  case SBD_STRING:
    for (int64_t i = 0; i < n; i++) {
      if (!VALID(i))
        continue;
      int64_t g = gid[i];
      size_t len;
      const char *str = vec_str(v, i, &len);
      if (s->count[g]++ > 0) {
        size_t m = s->slen[g];
        int c = memcmp(str, s->str[g], len < m ? len : m);
        if (c == 0)
          c = (len > m) - (len < m);
        if (is_min ? c >= 0 : c <= 0)
          continue;
      }
      char *copy = sbd_realloc(ctx, s->str[g], len ? len : 1);
      if (!copy)
        return SBD_ENOMEM;
      memcpy(copy, str, len);
      s->str[g] = copy;
      s->slen[g] = len;
    }
    return SBD_OK;
  default: {
    /* INT64, TIMESTAMP, DATE, BOOL: compared as integers. */
    for (int64_t i = 0; i < n; i++) {
      if (!VALID(i))
        continue;
      int64_t x = v->type == SBD_DATE   ? ((const int32_t *)v->values)[i]
                  : v->type == SBD_BOOL ? ((const uint8_t *)v->values)[i]
                                        : ((const int64_t *)v->values)[i];
      int64_t g = gid[i];
      if (s->count[g]++ == 0 || (is_min ? x < s->i64[g] : x > s->i64[g]))
        s->i64[g] = x;
    }
    return SBD_OK;
  }
  }
#undef VALID
}

static sbd_status consume(agg_op *a) {
  ex_query *q = a->op.q;
  sbd_vec **key_vals = sbd_calloc(q->ctx, (size_t)(a->nkeys + 1), sizeof(sbd_vec *));
  uint64_t *h = sbd_malloc(q->ctx, sizeof(uint64_t) * SBD_BATCH_ROWS);
  int64_t *gid = sbd_malloc(q->ctx, sizeof(int64_t) * SBD_BATCH_ROWS);
  sbd_status st = key_vals && h && gid ? SBD_OK : SBD_ENOMEM;
  while (st == SBD_OK) {
    sbd_batch *b;
    st = ex_op_next(a->op.child, &b);
    if (st != SBD_OK || !b)
      break;
    int64_t n = b->nrows;
    for (int k = 0; k < a->nkeys && st == SBD_OK; k++)
      st = ex_eval(q, a->key_exprs[k], b, &key_vals[k]);
    if (st == SBD_OK && a->nkeys > 0) {
      st = find_groups(a, key_vals, n, h, gid);
    } else if (st == SBD_OK) {
      memset(gid, 0, sizeof(int64_t) * (size_t)n);
    }
    for (int j = 0; j < a->naggs && st == SBD_OK; j++) {
      sbd_vec *v = NULL;
      if (a->aggs[j].arg)
        st = ex_eval(q, a->aggs[j].arg, b, &v);
      if (st == SBD_OK)
        st = update(a, j, v, gid, n);
      vec_free(v);
    }
    for (int k = 0; k < a->nkeys; k++) {
      vec_free(key_vals[k]);
      key_vals[k] = NULL;
    }
    sbd_batch_free(b);
  }
  free(key_vals);
  free(h);
  free(gid);
  return st;
}

/* The result vector of aggregate j for groups [from, from + n). */
static sbd_status result(agg_op *a, int j, int64_t from, int64_t n, sbd_vec **out) {
  sbd_ctx *ctx = a->op.q->ctx;
  const ex_agg_spec *spec = &a->aggs[j];
  const agg_state *s = &a->states[j];
  sbd_vec *v = vec_new(ctx, spec->type, n > 0 ? n : 1);
  if (!v)
    return SBD_ENOMEM;
  *out = v;
  for (int64_t g = from; g < from + n; g++) {
    bool has = spec->kind == EX_AGG_COUNT_STAR || spec->kind == EX_AGG_COUNT ||
               spec->kind == EX_AGG_COUNT_DISTINCT || s->count[g] > 0;
    if (!has) {
      RETURN_IF_ERROR(vec_push_null(ctx, v));
      continue;
    }
    switch (spec->kind) {
    case EX_AGG_COUNT_STAR:
    case EX_AGG_COUNT:
    case EX_AGG_COUNT_DISTINCT:
      vec_push_i64(v, s->count[g]);
      break;
    case EX_AGG_AVG:
      vec_push_f64(v, s->f64[g] / (double)s->count[g]);
      break;
    default:
      switch (spec->type) {
      case SBD_DOUBLE:
        vec_push_f64(v, s->f64[g]);
        break;
      case SBD_STRING:
        RETURN_IF_ERROR(vec_push_str(ctx, v, s->str[g], s->slen[g]));
        break;
      case SBD_DATE:
        vec_push_i32(v, (int32_t)s->i64[g]);
        break;
      case SBD_BOOL:
        vec_push_bool(v, s->i64[g] != 0);
        break;
      default:
        vec_push_i64(v, s->i64[g]);
        break;
      }
      break;
    }
  }
  return SBD_OK;
}

static sbd_status agg_next(ex_op *op, sbd_batch **out) {
  agg_op *a = (agg_op *)op;
  sbd_ctx *ctx = op->q->ctx;
  if (!a->done) {
    a->done = true;
    RETURN_IF_ERROR(consume(a));
  }
  int64_t n = a->ngroups - a->next_group;
  if (n <= 0)
    return SBD_OK;
  if (n > SBD_BATCH_ROWS)
    n = SBD_BATCH_ROWS;
  sbd_batch *b = batch_new(ctx, op->schema, 0);
  if (!b)
    return SBD_ENOMEM;
  sbd_status st = SBD_OK;
  for (int k = 0; k < a->nkeys && st == SBD_OK; k++)
    st = ex_vec_append(ctx, b->cols[k], a->keys[k], a->next_group, n);
  for (int j = 0; j < a->naggs && st == SBD_OK; j++) {
    vec_free(b->cols[a->nkeys + j]);
    b->cols[a->nkeys + j] = NULL;
    st = result(a, j, a->next_group, n, &b->cols[a->nkeys + j]);
  }
  if (st != SBD_OK) {
    sbd_batch_free(b);
    return st;
  }
  b->nrows = n;
  a->next_group += n;
  *out = b;
  return SBD_OK;
}

static void agg_free(ex_op *op) {
  agg_op *a = (agg_op *)op;
  if (a->keys)
    for (int k = 0; k < a->nkeys; k++)
      vec_free(a->keys[k]);
  free(a->keys);
  free(a->hashes);
  free(a->dir);
  if (a->states)
    for (int j = 0; j < a->naggs; j++) {
      agg_state *s = &a->states[j];
      if (s->str)
        for (int64_t g = 0; g < a->ngroups; g++)
          free(s->str[g]);
      if (s->distinct) {
        vec_free(s->distinct->values);
        free(s->distinct->gids);
        free(s->distinct->hashes);
        free(s->distinct->dir);
        free(s->distinct);
      }
      free(s->count);
      free(s->i64);
      free(s->f64);
      free(s->str);
      free(s->slen);
    }
  free(a->states);
  ex_mem_release(op->q, a->charged);
}

static const ex_op_vt agg_vt = {"hash_aggregate", agg_next, agg_free};

sbd_status ex_agg_new(ex_query *q, ex_op *child, ex_expr *const *keys, int nkeys,
                      const ex_agg_spec *aggs, int naggs, const char *const *names, ex_op **out) {
  agg_op *a = sbd_calloc(q->ctx, 1, sizeof(*a));
  if (!a) {
    ex_op_free(child);
    return SBD_ENOMEM;
  }
  a->op.vt = &agg_vt;
  a->op.q = q;
  a->op.child = child;
  a->key_exprs = keys;
  a->nkeys = nkeys;
  a->aggs = aggs;
  a->naggs = naggs;
  a->op.schema = schema_new(q->ctx, nkeys + naggs);
  a->keys = sbd_calloc(q->ctx, (size_t)(nkeys + 1), sizeof(sbd_vec *));
  a->states = sbd_calloc(q->ctx, (size_t)(naggs + 1), sizeof(agg_state));
  sbd_status st = a->op.schema && a->keys && a->states ? SBD_OK : SBD_ENOMEM;
  for (int k = 0; k < nkeys && st == SBD_OK; k++) {
    a->keys[k] = vec_new(q->ctx, keys[k]->type, 0);
    st = a->keys[k] ? schema_set(q->ctx, a->op.schema, k, names[k], keys[k]->type) : SBD_ENOMEM;
  }
  for (int j = 0; j < naggs && st == SBD_OK; j++) {
    st = schema_set(q->ctx, a->op.schema, nkeys + j, names[nkeys + j], aggs[j].type);
    if (st == SBD_OK && aggs[j].kind == EX_AGG_COUNT_DISTINCT &&
        !(a->states[j].distinct = sbd_calloc(q->ctx, 1, sizeof(distinct_set))))
      st = SBD_ENOMEM;
  }
  if (st == SBD_OK)
    st = grow_groups(a);
  if (st == SBD_OK && nkeys == 0) { /* one group, even for no rows */
    int64_t g;
    st = add_group(a, NULL, 0, 0, &g);
  }
  if (st != SBD_OK) {
    ex_op_free(&a->op);
    return st;
  }
  *out = &a->op;
  return SBD_OK;
}
