/*
 * window_topk.c — the per-partition top-k: a window operator for a query that keeps only the
 * first rows of each partition, as in
 *   SELECT ... FROM (SELECT ..., row_number() OVER (PARTITION BY p ORDER BY o) AS rn FROM x)
 *   WHERE rn <= 2
 * or QUALIFY rank() OVER (...) = 1. The general window operator (window.c) holds and sorts all of
 * its input; this one streams it and keeps, per partition, only the rows that can still pass the
 * filter, so its memory is O(partitions x k) and not O(input).
 *
 * Planning (ex_window_topk_plan). A filter (or an aggregation's filter) whose condition is a
 * conjunction with a term `c <= K`, `c < K`, `c = K` (or the same written the other way round,
 * and BETWEEN's x <= K) where c reaches, through projections that pass columns on and other
 * filters, the column of a window call row_number(), rank() or dense_rank(), replaces that window
 * operator with this one, when all of the window's calls are such ranking calls over the same
 * PARTITION BY and ORDER BY. The filter stays above: this operator hands out every row whose
 * bounding call's value is at most K, with every call's value exact, and the filter drops the rest.
 *
 * Why that is exact. The rows kept for a partition are always a prefix of the partition in its
 * sorted order, ties in input order as window.c orders them (each candidate carries its position
 * in the input): the first K (row_number), those whose rank is at most K (the first K and every
 * row tied with the K-th), or those of the first K peer groups (dense_rank). Every row that sorts
 * before a kept row is kept too, so each kept row's numbers counted inside the prefix are its
 * numbers in the whole partition: the answers are the general operator's, row for row.
 *
 * Data. A table (one per worker thread) maps partition keys to dense group numbers (an agg_table
 * without aggregates, agg_int.h) and holds a store: one vector per child column and per order key
 * that is not a plain column, to which the rows a partition accepts are appended. Each group keeps
 * the store rows of its candidates in a small buffer; when the buffer reaches twice what the last
 * cut kept (at least 2K), it is sorted and cut back to the prefix, and the last row kept becomes
 * the group's threshold: a later row is accepted only when it sorts before it (row_number) or not
 * after it (rank, dense_rank), so most rows of a large partition cost one comparison. Rows cut
 * away stay in the store as garbage until it is more than twice the live rows; then the store is
 * compacted (its live rows gathered into new vectors).
 *
 * Threads. The calling thread pulls batches from the child and hands each to the context's pool,
 * as the hash aggregation does: a task takes a free worker table and folds the batch into it.
 * Afterwards the worker tables are merged into the first (groups found by their keys, their
 * candidates offered to the merged group), and the groups are handed out one by one: sorted, cut
 * a last time, and numbered.
 */
#include "exec/agg_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The largest K the operator takes: beyond it the general window operator is as good. */
#define TK_MAX_K 4096

/* A candidate: its row in the store, the prefix of its first order key (ex_sort_prefix), which
 * decides most comparisons without reading the store, and its position in the input (batch
 * number * SBD_BATCH_ROWS + row), which orders ties as the general window operator does. */
typedef struct tk_entry {
  uint64_t pre;
  int64_t seq;
  int64_t row;
} tk_entry;

/* Candidates a group holds in itself before it needs a buffer of its own (row_number() <= 2 never
 * does). */
#define TK_INLINE 4

/* The candidates of one partition: entries(g)[0..n). [0..kept) are sorted as the last cut left
 * them; the rest were accepted since. thr is the position of the threshold row, -1 for none. */
typedef struct tk_group {
  tk_entry *heap; /* NULL: the candidates are in inl */
  int64_t n, cap;
  int64_t kept;
  int64_t thr;
  tk_entry inl[TK_INLINE];
} tk_group;

static inline tk_entry *entries(tk_group *g) {
  return g->heap ? g->heap : g->inl;
}

typedef struct tk_table {
  agg_table *parts; /* partition keys -> group; its query (tq) is this table's for ex_eval */
  tk_group *groups; /* by group number */
  /* By group number: the prefix (ex_sort_prefix of the first order key) of the threshold row,
   * UINT64_MAX when there is none. A row whose prefix is below is accepted and one above is not,
   * without touching the group or the store; only an equal prefix compares the rows. */
  uint64_t *thr_key;
  int64_t cap_groups; /* groups allocated */
  sbd_vec **store;    /* the child's columns, then the order keys that are not columns */
  int64_t nrows;      /* rows in the store */
  int64_t live;       /* candidate rows in the groups' buffers */
  tk_entry *tmp;      /* a sort's scratch */
  int64_t cap_tmp;
  int64_t *sel;        /* per batch: the rows accepted */
  uint64_t *pre;       /* per batch: the rows' prefixes */
  int64_t fixed_bytes; /* held in groups, buffers and scratch */
  int64_t bytes;       /* held in all, the partition table's too */
} tk_table;

typedef struct tk_op {
  ex_op op;
  ex_window_fn *fns; /* the window's calls (all ranking, one spec) */
  int nfns;
  ex_win_kind bound_kind; /* the call the filter bounds */
  int64_t k;
  int nin;       /* child's columns */
  int *okey_col; /* order key k's column in the store */
  int nstore;    /* store columns */
  sbd_type *store_types;
  sbd_type *part_types;
  /* build */
  tk_table **tables;
  int ntables;
  int *free_tables;
  int nfree;
  int64_t *published; /* per table: bytes at the end of its last batch */
  int inflight;
  sbd_status err;
  int64_t err_seq;
  char errmsg[SBD_ERRMSG_MAX];
  pthread_mutex_t lock;
  pthread_cond_t changed;
  bool sync_made;
  int64_t charged;
  /* output */
  bool built;
  int64_t out_group, out_pos; /* the next group to hand out, and the position in it */
} tk_op;

/* ---- comparing rows ---------------------------------------------------------------------------*/

/* Compares row i of the order values x[] with row j of y[] in the window's order (desc, NULLS
 * FIRST/LAST per key); doubles as ex_vec_compare orders them (NaN greatest, -0 equal to 0). */
static int tk_compare(const tk_op *o, sbd_vec *const *x, int64_t i, sbd_vec *const *y, int64_t j) {
  const ex_window_fn *f = &o->fns[0];
  for (int k = 0; k < f->norder; k++) {
    const sbd_vec *a = x[k], *b = y[k];
    bool va = vec_is_valid(a, i), vb = vec_is_valid(b, j);
    const ex_sort_key *flags = &f->order_keys[k];
    if (!va || !vb) {
      if (va == vb)
        continue;
      return (!va) == flags->nulls_first ? -1 : 1;
    }
    int c;
    switch (a->type) {
    case SBD_INT64:
    case SBD_TIMESTAMP: {
      int64_t p = ((const int64_t *)a->values)[i], q = ((const int64_t *)b->values)[j];
      c = (p > q) - (p < q);
      break;
    }
    case SBD_DOUBLE: {
      double p = ((const double *)a->values)[i], q = ((const double *)b->values)[j];
      if (p < q)
        c = -1;
      else if (p > q)
        c = 1;
      else if (p == q)
        c = 0;
      else
        c = isnan(p) ? (isnan(q) ? 0 : 1) : -1;
      break;
    }
    default:
      c = ex_vec_compare(a, i, b, j);
      break;
    }
    if (c)
      return flags->desc ? -c : c;
  }
  return 0;
}

/* The order values of a table's store, indexed by order key. */
static void store_okeys(const tk_op *o, const tk_table *t, sbd_vec **out) {
  for (int k = 0; k < o->fns[0].norder; k++)
    out[k] = t->store[o->okey_col[k]];
}

/* Compares two candidates on the order keys: by their prefixes, and by the store's rows where
 * those are equal. 0 for peers. */
static int entry_peer_compare(const tk_op *o, sbd_vec *const *ov, const tk_entry *a,
                              const tk_entry *b) {
  if (a->pre != b->pre)
    return a->pre < b->pre ? -1 : 1;
  return tk_compare(o, ov, a->row, ov, b->row);
}

/* The order of the candidates: on the order keys, then peers in input order. */
static int entry_compare(const tk_op *o, sbd_vec *const *ov, const tk_entry *a, const tk_entry *b) {
  int c = entry_peer_compare(o, ov, a, b);
  return c ? c : (a->seq > b->seq) - (a->seq < b->seq);
}

/* A stable merge sort of candidates a[0..n) by the order keys, using tmp. */
static void sort_entries(const tk_op *o, sbd_vec *const *ov, tk_entry *a, tk_entry *tmp,
                         int64_t n) {
  const int64_t run = 8;
  for (int64_t lo = 0; lo < n; lo += run) {
    int64_t hi = lo + run < n ? lo + run : n;
    for (int64_t i = lo + 1; i < hi; i++) {
      tk_entry x = a[i];
      int64_t j = i;
      while (j > lo && entry_compare(o, ov, &a[j - 1], &x) > 0) {
        a[j] = a[j - 1];
        j--;
      }
      a[j] = x;
    }
  }
  tk_entry *src = a, *dst = tmp;
  for (int64_t width = run; width < n; width *= 2) {
    for (int64_t lo = 0; lo < n; lo += 2 * width) {
      int64_t mid = lo + width < n ? lo + width : n, hi = lo + 2 * width < n ? lo + 2 * width : n;
      int64_t i = lo, j = mid, k = lo;
      while (i < mid && j < hi)
        dst[k++] = entry_compare(o, ov, &src[j], &src[i]) < 0 ? src[j++] : src[i++];
      while (i < mid)
        dst[k++] = src[i++];
      while (j < hi)
        dst[k++] = src[j++];
    }
    tk_entry *t = src;
    src = dst;
    dst = t;
  }
  if (src != a)
    memcpy(a, src, sizeof(tk_entry) * (size_t)n);
}

/* ---- a table ----------------------------------------------------------------------------------*/

static void table_free(tk_table *t, int nstore) {
  if (!t)
    return;
  for (int64_t g = 0; g < t->cap_groups; g++)
    free(t->groups[g].heap);
  free(t->groups);
  free(t->thr_key);
  free(t->pre);
  if (t->store)
    for (int c = 0; c < nstore; c++)
      vec_free(t->store[c]);
  free(t->store);
  free(t->tmp);
  free(t->sel);
  agg_table_free(t->parts);
  free(t);
}

static tk_table *table_new(tk_op *o) {
  sbd_ctx *ctx = o->op.q->ctx;
  tk_table *t = sbd_calloc(ctx, 1, sizeof(*t));
  if (!t)
    return NULL;
  const ex_window_fn *f = &o->fns[0];
  t->parts = agg_table_new(ctx, o->part_types, f->npartition, NULL, 0);
  t->store = sbd_calloc(ctx, (size_t)o->nstore, sizeof(sbd_vec *));
  t->sel = sbd_malloc(ctx, sizeof(int64_t) * SBD_BATCH_ROWS);
  t->pre = sbd_malloc(ctx, sizeof(uint64_t) * SBD_BATCH_ROWS);
  bool ok = t->parts && t->store && t->sel && t->pre;
  for (int c = 0; c < o->nstore && ok; c++)
    ok = (t->store[c] = vec_new(ctx, o->store_types[c], 0)) != NULL;
  if (!ok) {
    table_free(t, o->nstore);
    return NULL;
  }
  return t;
}

static sbd_ctx *table_ctx(tk_table *t) {
  return &t->parts->tctx;
}

static int64_t store_bytes(const tk_op *o, const tk_table *t) {
  int64_t bytes = 0;
  for (int c = 0; c < o->nstore; c++) {
    const sbd_vec *v = t->store[c];
    bytes += v->cap * (int64_t)type_width(v->type) + v->bytes_cap + (v->validity ? v->cap / 8 : 0);
  }
  return bytes;
}

static sbd_status grow_groups(tk_table *t, int64_t ngroups) {
  if (ngroups <= t->cap_groups)
    return SBD_OK;
  int64_t cap = t->cap_groups ? t->cap_groups : 1024;
  while (cap < ngroups)
    cap *= 2;
  tk_group *v = sbd_realloc(table_ctx(t), t->groups, sizeof(tk_group) * (size_t)cap);
  if (!v)
    return SBD_ENOMEM;
  t->groups = v;
  uint64_t *keys = sbd_realloc(table_ctx(t), t->thr_key, sizeof(uint64_t) * (size_t)cap);
  if (!keys)
    return SBD_ENOMEM;
  t->thr_key = keys;
  memset(v + t->cap_groups, 0, sizeof(tk_group) * (size_t)(cap - t->cap_groups));
  for (int64_t g = t->cap_groups; g < cap; g++) {
    v[g].thr = -1;
    v[g].cap = TK_INLINE;
    keys[g] = UINT64_MAX;
  }
  t->fixed_bytes += (cap - t->cap_groups) * (int64_t)(sizeof(tk_group) + sizeof(uint64_t));
  t->cap_groups = cap;
  return SBD_OK;
}

/* Whether a row may still be among the kept rows, from how it compares with its group's threshold
 * on the order keys (c) and in input order (seq against thr_seq): row_number keeps a prefix of the
 * rows in order, ties in input order; rank and dense_rank keep every peer of the threshold. */
static bool tk_accepts(const tk_op *o, int c, int64_t seq, int64_t thr_seq) {
  if (o->bound_kind != EX_WIN_ROW_NUMBER)
    return c <= 0;
  return c < 0 || (c == 0 && seq < thr_seq);
}

/* Sorts group g's candidates and keeps the prefix the bound allows, setting its threshold when
 * the prefix is full (a row after it could never be kept). */
static sbd_status cut_group(tk_op *o, tk_table *t, tk_group *g) {
  if (g->n > t->cap_tmp) {
    int64_t cap = g->n * 2;
    tk_entry *v = sbd_realloc(table_ctx(t), t->tmp, sizeof(tk_entry) * (size_t)cap);
    if (!v)
      return SBD_ENOMEM;
    t->fixed_bytes += (cap - t->cap_tmp) * (int64_t)sizeof(tk_entry);
    t->tmp = v;
    t->cap_tmp = cap;
  }
  sbd_vec *ov[64];
  store_okeys(o, t, ov);
  tk_entry *e = entries(g);
  sort_entries(o, ov, e, t->tmp, g->n);
  int64_t keep = g->n < o->k ? g->n : o->k;
  bool full = keep == o->k;
  if (o->bound_kind == EX_WIN_RANK) {
    while (keep > 0 && keep < g->n && entry_peer_compare(o, ov, &e[keep - 1], &e[keep]) == 0)
      keep++;
  } else if (o->bound_kind == EX_WIN_DENSE_RANK) {
    int64_t peers = g->n > 0;
    keep = g->n;
    for (int64_t i = 1; i < g->n; i++) {
      if (entry_peer_compare(o, ov, &e[i - 1], &e[i]) != 0 && ++peers > o->k) {
        keep = i;
        break;
      }
    }
    full = peers >= o->k;
  }
  t->live -= g->n - keep;
  g->n = keep;
  g->kept = keep;
  g->thr = full && keep > 0 ? keep - 1 : -1;
  t->thr_key[g - t->groups] = g->thr < 0 ? UINT64_MAX : e[g->thr].pre;
  return SBD_OK;
}

/* Appends a candidate to group g, cutting the candidates when there are enough. */
static sbd_status push_entry(tk_op *o, tk_table *t, tk_group *g, tk_entry x) {
  if (g->n == g->cap) {
    int64_t cap = g->cap * 2 > 2 * o->k ? g->cap * 2 : 2 * o->k;
    tk_entry *v = sbd_realloc(table_ctx(t), g->heap, sizeof(tk_entry) * (size_t)cap);
    if (!v)
      return SBD_ENOMEM;
    if (!g->heap)
      memcpy(v, g->inl, sizeof(g->inl));
    t->fixed_bytes += (cap - (g->heap ? g->cap : 0)) * (int64_t)sizeof(tk_entry);
    g->heap = v;
    g->cap = cap;
  }
  entries(g)[g->n++] = x;
  t->live++;
  int64_t limit = 2 * (g->kept > o->k ? g->kept : o->k);
  if (limit < TK_INLINE)
    limit = TK_INLINE;
  if (g->n >= limit)
    RETURN_IF_ERROR(cut_group(o, t, g));
  return SBD_OK;
}

/* The number of groups of a table: its partition table's, or one without PARTITION BY. */
static int64_t table_groups(const tk_op *o, const tk_table *t) {
  return o->fns[0].npartition ? t->parts->ngroups : 1;
}

/* Gathers the store's live rows into new vectors, renumbering the groups' candidates. */
static sbd_status compact(tk_op *o, tk_table *t) {
  sbd_ctx *ctx = table_ctx(t);
  int64_t *idx = sbd_malloc(ctx, sizeof(int64_t) * (size_t)(t->live ? t->live : 1));
  if (!idx)
    return SBD_ENOMEM;
  int64_t n = 0;
  for (int64_t gi = 0; gi < table_groups(o, t); gi++) {
    tk_entry *e = entries(&t->groups[gi]);
    for (int64_t i = 0; i < t->groups[gi].n; i++) {
      idx[n] = e[i].row;
      e[i].row = n++;
    }
  }
  sbd_status st = SBD_OK;
  for (int c = 0; c < o->nstore && st == SBD_OK; c++) {
    sbd_vec *v = vec_new(ctx, o->store_types[c], n ? n : 1);
    st = v ? ex_vec_gather(ctx, v, t->store[c], idx, n) : SBD_ENOMEM;
    if (st == SBD_OK) {
      vec_free(t->store[c]);
      t->store[c] = v;
    } else {
      vec_free(v);
    }
  }
  free(idx);
  t->nrows = n;
  return st;
}

static sbd_status maybe_compact(tk_op *o, tk_table *t) {
  if (t->nrows > 2 * t->live + SBD_BATCH_ROWS)
    RETURN_IF_ERROR(compact(o, t));
  t->bytes = t->fixed_bytes + store_bytes(o, t) + t->parts->bytes;
  return SBD_OK;
}

/* Evaluates e over b; a column is borrowed from b rather than copied (free_val knows). */
static sbd_status eval_val(tk_table *t, const ex_expr *e, sbd_batch *b, sbd_vec **out) {
  if (e->kind == EX_COLUMN) {
    *out = b->cols[e->col];
    return SBD_OK;
  }
  return ex_eval(&t->parts->tq, e, b, out);
}

static void free_val(const ex_expr *e, sbd_vec *v) {
  if (e->kind != EX_COLUMN)
    vec_free(v);
}

/* Folds one batch into table t: the work of a task (or of the calling thread). */
static sbd_status fold_batch(tk_op *o, tk_table *t, sbd_batch *b, int64_t seq0) {
  const ex_window_fn *f = &o->fns[0];
  int64_t n = b->nrows;
  if (n == 0)
    return SBD_OK;
  sbd_vec *pv[64] = {0}, *ov[64] = {0}, *sov[64];
  uint64_t *h = t->parts->scratch_h;
  int64_t *gid = t->parts->scratch_gid;
  sbd_status st = SBD_OK;
  if (!h) {
    h = t->parts->scratch_h = sbd_malloc(table_ctx(t), sizeof(uint64_t) * SBD_BATCH_ROWS);
    gid = t->parts->scratch_gid = sbd_malloc(table_ctx(t), sizeof(int64_t) * SBD_BATCH_ROWS);
    if (!h || !gid)
      return SBD_ENOMEM;
  }
  for (int k = 0; k < f->npartition && st == SBD_OK; k++)
    st = eval_val(t, f->partition[k], b, &pv[k]);
  for (int k = 0; k < f->norder && st == SBD_OK; k++)
    st = eval_val(t, f->order[k], b, &ov[k]);
  if (st == SBD_OK && f->npartition > 0) {
    agg_hash_keys(pv, f->npartition, n, h);
    st = agg_table_find(t->parts, pv, n, h, gid);
  } else if (st == SBD_OK) {
    memset(gid, 0, sizeof(int64_t) * (size_t)n);
  }
  if (st == SBD_OK)
    st = grow_groups(t, table_groups(o, t));
  /* The rows that beat their group's threshold. */
  int64_t na = 0;
  if (st == SBD_OK) {
    uint64_t *pre = t->pre;
    if (f->norder > 0)
      for (int64_t i = 0; i < n; i++)
        pre[i] = ex_sort_prefix(ov[0], &f->order_keys[0], i);
    else
      memset(pre, 0, sizeof(uint64_t) * (size_t)n);
    store_okeys(o, t, sov);
    for (int64_t i = 0; i < n; i++) {
      uint64_t key = t->thr_key[gid[i]];
      t->sel[na] = i;
      if (pre[i] != key) {
        na += pre[i] < key;
        continue;
      }
      tk_group *g = &t->groups[gid[i]];
      if (g->thr < 0) {
        na++;
        continue;
      }
      const tk_entry *thr = &entries(g)[g->thr];
      na += tk_accepts(o, tk_compare(o, ov, i, sov, thr->row), seq0 + i, thr->seq);
    }
  }
  /* They join the store (the child's columns, then the order keys that are not columns). */
  int64_t base = t->nrows;
  t->nrows += na;
  for (int c = 0; c < o->nstore && st == SBD_OK && na > 0; c++) {
    const sbd_vec *src = c < o->nin ? b->cols[c] : NULL;
    for (int k = 0; k < f->norder && !src; k++)
      if (o->okey_col[k] == c)
        src = ov[k];
    st = ex_vec_gather(table_ctx(t), t->store[c], src, t->sel, na);
  }
  for (int64_t j = 0; j < na && st == SBD_OK; j++)
    st = push_entry(o, t, &t->groups[gid[t->sel[j]]],
                    (tk_entry){t->pre[t->sel[j]], seq0 + t->sel[j], base + j});
  if (st == SBD_OK)
    st = maybe_compact(o, t);
  for (int k = 0; k < f->npartition; k++)
    if (pv[k])
      free_val(f->partition[k], pv[k]);
  for (int k = 0; k < f->norder; k++)
    if (ov[k])
      free_val(f->order[k], ov[k]);
  return st;
}

/* ---- building on the pool ---------------------------------------------------------------------*/

static sbd_status table_error(tk_op *o, tk_table *t, sbd_status st) {
  const char *msg = table_ctx(t)->errmsg;
  return sbd_error(o->op.q->ctx, st, "%s", msg[0] ? msg : "out of memory");
}

static sbd_status charge_to(tk_op *o, int64_t total) {
  int64_t delta = total - o->charged;
  o->charged = total;
  if (delta < 0) {
    ex_mem_release(o->op.q, -delta);
    return SBD_OK;
  }
  return delta ? ex_mem_charge(o->op.q, delta) : SBD_OK;
}

static sbd_status make_tables(tk_op *o, int n) {
  sbd_ctx *ctx = o->op.q->ctx;
  o->tables = sbd_calloc(ctx, (size_t)n, sizeof(tk_table *));
  o->published = sbd_calloc(ctx, (size_t)n, sizeof(int64_t));
  o->free_tables = sbd_calloc(ctx, (size_t)n, sizeof(int));
  if (!o->tables || !o->published || !o->free_tables)
    return SBD_ENOMEM;
  o->ntables = n;
  for (int w = 0; w < n; w++) {
    if (!(o->tables[w] = table_new(o)))
      return SBD_ENOMEM;
    o->free_tables[o->nfree++] = w;
  }
  return SBD_OK;
}

typedef struct tk_task {
  tk_op *o;
  sbd_batch *batch;
  int64_t seq;
} tk_task;

static void build_task(void *arg) {
  tk_task *task = arg;
  tk_op *o = task->o;
  pthread_mutex_lock(&o->lock);
  int w = o->free_tables[--o->nfree];
  bool skip = o->err != SBD_OK;
  pthread_mutex_unlock(&o->lock);
  tk_table *t = o->tables[w];
  sbd_status st = SBD_OK;
  if (!skip) {
    table_ctx(t)->errmsg[0] = 0;
    st = fold_batch(o, t, task->batch, task->seq * SBD_BATCH_ROWS);
  }
  sbd_batch_free(task->batch);
  pthread_mutex_lock(&o->lock);
  if (st != SBD_OK && (o->err == SBD_OK || task->seq < o->err_seq)) {
    o->err = st;
    o->err_seq = task->seq;
    snprintf(o->errmsg, sizeof(o->errmsg), "%s",
             table_ctx(t)->errmsg[0] ? table_ctx(t)->errmsg : "out of memory");
  }
  o->free_tables[o->nfree++] = w;
  o->published[w] = t->bytes;
  o->inflight--;
  pthread_cond_broadcast(&o->changed);
  pthread_mutex_unlock(&o->lock);
  free(task);
}

static int64_t published_bytes(tk_op *o) {
  int64_t total = 0;
  pthread_mutex_lock(&o->lock);
  for (int w = 0; w < o->ntables; w++)
    total += o->published[w];
  pthread_mutex_unlock(&o->lock);
  return total;
}

static void wait_inflight(tk_op *o, int max) {
  pthread_mutex_lock(&o->lock);
  while (o->inflight >= max)
    pthread_cond_wait(&o->changed, &o->lock);
  pthread_mutex_unlock(&o->lock);
}

static sbd_status build_serial(tk_op *o) {
  RETURN_IF_ERROR(make_tables(o, 1));
  tk_table *t = o->tables[0];
  for (int64_t seq = 0;; seq++) {
    sbd_batch *b;
    RETURN_IF_ERROR(ex_op_next(o->op.child, &b));
    if (!b)
      return SBD_OK;
    sbd_status st = fold_batch(o, t, b, seq * SBD_BATCH_ROWS);
    sbd_batch_free(b);
    if (st != SBD_OK)
      return table_error(o, t, st);
    RETURN_IF_ERROR(charge_to(o, t->bytes));
  }
}

static sbd_status build_parallel(tk_op *o, pool *p) {
  sbd_ctx *ctx = o->op.q->ctx;
  RETURN_IF_ERROR(make_tables(o, pool_threads(p)));
  pthread_mutex_init(&o->lock, NULL);
  pthread_cond_init(&o->changed, NULL);
  o->sync_made = true;
  sbd_status st = SBD_OK;
  for (int64_t seq = 0; st == SBD_OK; seq++) {
    wait_inflight(o, 2 * o->ntables);
    pthread_mutex_lock(&o->lock);
    bool failed = o->err != SBD_OK;
    pthread_mutex_unlock(&o->lock);
    if (failed || (st = charge_to(o, published_bytes(o))) != SBD_OK)
      break;
    sbd_batch *b;
    if ((st = ex_op_next(o->op.child, &b)) != SBD_OK || !b)
      break;
    tk_task *task = sbd_malloc(ctx, sizeof(*task));
    if (!task) {
      sbd_batch_free(b);
      st = SBD_ENOMEM;
      break;
    }
    *task = (tk_task){o, b, seq};
    pthread_mutex_lock(&o->lock);
    o->inflight++;
    pthread_mutex_unlock(&o->lock);
    if (!pool_submit(p, build_task, task)) {
      pthread_mutex_lock(&o->lock);
      o->inflight--;
      pthread_mutex_unlock(&o->lock);
      sbd_batch_free(b);
      free(task);
      st = sbd_error(ctx, SBD_ENOMEM, "out of memory");
    }
  }
  wait_inflight(o, 1);
  if (st != SBD_OK)
    return st;
  if (o->err != SBD_OK)
    return sbd_error(ctx, o->err, "%s", o->errmsg);
  return charge_to(o, published_bytes(o));
}

/* Folds table src into dst: src's groups found (or added) in dst by their keys, src's live rows
 * appended to dst's store, and each candidate offered to its group in dst. */
static sbd_status merge_into(tk_op *o, tk_table *dst, tk_table *src) {
  sbd_ctx *ctx = table_ctx(dst);
  int64_t ng = table_groups(o, src);
  if (src->cap_groups == 0)
    return SBD_OK; /* it never saw a row */
  int64_t *map = sbd_malloc(ctx, sizeof(int64_t) * (size_t)(ng ? ng : 1));
  int64_t *idx = sbd_malloc(ctx, sizeof(int64_t) * (size_t)(src->live ? src->live : 1));
  sbd_status st = map && idx ? SBD_OK : SBD_ENOMEM;
  if (st == SBD_OK && o->fns[0].npartition > 0)
    st = agg_table_find(dst->parts, src->parts->keys, ng, src->parts->hashes, map);
  else if (st == SBD_OK)
    map[0] = 0;
  if (st == SBD_OK)
    st = grow_groups(dst, table_groups(o, dst));
  int64_t n = 0;
  for (int64_t g = 0; g < ng && st == SBD_OK; g++)
    for (int64_t i = 0; i < src->groups[g].n; i++)
      idx[n++] = entries(&src->groups[g])[i].row;
  int64_t base = dst->nrows;
  dst->nrows += n;
  for (int c = 0; c < o->nstore && st == SBD_OK; c++)
    st = ex_vec_gather(ctx, dst->store[c], src->store[c], idx, n);
  n = 0;
  sbd_vec *ov[64];
  store_okeys(o, dst, ov);
  for (int64_t g = 0; g < ng && st == SBD_OK; g++) {
    tk_group *d = &dst->groups[map[g]];
    const tk_entry *e = entries(&src->groups[g]);
    for (int64_t i = 0; i < src->groups[g].n && st == SBD_OK; i++, n++) {
      tk_entry x = {e[i].pre, e[i].seq, base + n};
      const tk_entry *thr = d->thr < 0 ? NULL : &entries(d)[d->thr];
      if (!thr || tk_accepts(o, entry_peer_compare(o, ov, &x, thr), x.seq, thr->seq))
        st = push_entry(o, dst, d, x);
    }
  }
  if (st == SBD_OK)
    st = maybe_compact(o, dst);
  free(map);
  free(idx);
  return st;
}

static sbd_status build(tk_op *o) {
  sbd_ctx *ctx = o->op.q->ctx;
  pool *p = ctx->threads > 1 ? ctx_pool(ctx) : NULL;
  if (!p || pool_threads(p) < 2)
    RETURN_IF_ERROR(build_serial(o));
  else
    RETURN_IF_ERROR(build_parallel(o, p));
  tk_table *dst = o->tables[0];
  for (int w = 1; w < o->ntables; w++) {
    sbd_status st = merge_into(o, dst, o->tables[w]);
    if (st != SBD_OK)
      return table_error(o, dst, st);
    table_free(o->tables[w], o->nstore);
    o->tables[w] = NULL;
    o->published[w] = 0;
  }
  o->published[0] = dst->bytes;
  return charge_to(o, dst->bytes);
}

/* ---- output -----------------------------------------------------------------------------------*/

static sbd_status tk_next(ex_op *op, sbd_batch **out) {
  tk_op *o = (tk_op *)op;
  ex_query *q = op->q;
  if (!o->built) {
    o->built = true;
    RETURN_IF_ERROR(build(o));
  }
  tk_table *t = o->tables[0];
  int64_t ng = t->cap_groups ? table_groups(o, t) : 0;
  if (o->out_group >= ng)
    return SBD_OK;
  /* The next rows of the groups, each group cut a last time when it is reached. */
  int64_t *rows = sbd_malloc(q->ctx, sizeof(int64_t) * SBD_BATCH_ROWS);
  int64_t *vals = sbd_malloc(q->ctx, sizeof(int64_t) * SBD_BATCH_ROWS * (size_t)o->nfns);
  sbd_status st = rows && vals ? SBD_OK : SBD_ENOMEM;
  sbd_vec *ov[64];
  store_okeys(o, t, ov);
  int64_t n = 0;
  while (st == SBD_OK && n < SBD_BATCH_ROWS && o->out_group < ng) {
    tk_group *g = &t->groups[o->out_group];
    if (o->out_pos == 0 && (st = cut_group(o, t, g)) != SBD_OK)
      break;
    for (; o->out_pos < g->n && n < SBD_BATCH_ROWS; o->out_pos++, n++) {
      tk_entry *e = entries(g);
      int64_t p = o->out_pos, r = e[p].row;
      rows[n] = r;
      /* Ranks from the previous row of the group (this batch's or, at its start, recomputed). */
      bool tie = p > 0 && entry_peer_compare(o, ov, &e[p - 1], &e[p]) == 0;
      for (int i = 0; i < o->nfns; i++) {
        int64_t *v = &vals[(size_t)i * SBD_BATCH_ROWS];
        int64_t prev;
        if (p == 0) {
          prev = 0;
        } else if (n > 0) {
          prev = v[n - 1];
        } else {
          /* The group goes on from the previous batch: count its ranks again up to p. */
          int64_t rank = 1, dense = 1;
          for (int64_t x = 1; x < p; x++)
            if (entry_peer_compare(o, ov, &e[x - 1], &e[x]) != 0) {
              rank = x + 1;
              dense++;
            }
          prev = o->fns[i].kind == EX_WIN_RANK         ? rank
                 : o->fns[i].kind == EX_WIN_DENSE_RANK ? dense
                                                       : p;
        }
        switch (o->fns[i].kind) {
        case EX_WIN_RANK:
          v[n] = tie ? prev : p + 1;
          break;
        case EX_WIN_DENSE_RANK:
          v[n] = tie ? prev : prev + 1;
          break;
        default:
          v[n] = p + 1;
          break;
        }
      }
    }
    if (o->out_pos >= g->n) {
      o->out_group++;
      o->out_pos = 0;
    }
  }
  sbd_vec **cols =
      st == SBD_OK ? sbd_calloc(q->ctx, (size_t)op->schema->ncols, sizeof(sbd_vec *)) : NULL;
  if (st == SBD_OK && !cols)
    st = SBD_ENOMEM;
  for (int c = 0; c < o->nin && st == SBD_OK; c++) {
    cols[c] = vec_new(q->ctx, o->store_types[c], n ? n : 1);
    st = cols[c] ? ex_vec_gather(q->ctx, cols[c], t->store[c], rows, n) : SBD_ENOMEM;
  }
  for (int i = 0; i < o->nfns && st == SBD_OK; i++) {
    sbd_vec *v = cols[o->nin + i] = vec_new(q->ctx, SBD_INT64, n ? n : 1);
    if (!v) {
      st = SBD_ENOMEM;
      break;
    }
    memcpy(v->values, &vals[(size_t)i * SBD_BATCH_ROWS], sizeof(int64_t) * (size_t)n);
    v->len = n;
  }
  free(rows);
  free(vals);
  if (st == SBD_OK) {
    st = ex_batch_of(q, op->schema, cols, n, out); /* takes the vectors, even on failure */
    free(cols);
    return st;
  }
  if (cols)
    for (int c = 0; c < op->schema->ncols; c++)
      vec_free(cols[c]);
  free(cols);
  return st;
}

static void tk_free(ex_op *op) {
  tk_op *o = (tk_op *)op;
  if (o->tables)
    for (int w = 0; w < o->ntables; w++)
      table_free(o->tables[w], o->nstore);
  free(o->tables);
  free(o->published);
  free(o->free_tables);
  free(o->fns);
  free(o->okey_col);
  free(o->store_types);
  free(o->part_types);
  if (o->sync_made) {
    pthread_mutex_destroy(&o->lock);
    pthread_cond_destroy(&o->changed);
  }
  ex_mem_release(op->q, o->charged);
}

static const ex_op_vt topk_vt = {"window_topk", tk_next, tk_free};

/* ---- planning ---------------------------------------------------------------------------------*/

/* The bound a condition term puts on column col: `col <= K` and the like, as K (the largest
 * value of col that may pass), or -1. */
static int64_t term_bound(const ex_expr *e, int *col) {
  if (e->kind != EX_CMP || e->nargs != 2)
    return -1;
  const ex_expr *a = e->args[0], *b = e->args[1];
  ex_op_code op = e->op;
  if (a->kind == EX_CONST && b->kind == EX_COLUMN) {
    const ex_expr *x = a;
    a = b;
    b = x;
    op = op == EX_GT ? EX_LT : op == EX_GE ? EX_LE : op == EX_LT ? EX_GT : op == EX_LE ? EX_GE : op;
  }
  if (a->kind != EX_COLUMN || b->kind != EX_CONST || a->type != SBD_INT64 || b->type != SBD_INT64 ||
      b->value.is_null)
    return -1;
  int64_t v = b->value.i;
  *col = a->col;
  switch (op) {
  case EX_LE:
  case EX_EQ:
    return v;
  case EX_LT:
    return v > INT64_MIN ? v - 1 : -1;
  default:
    return -1;
  }
}

/* Finds the first term of pred (a conjunction) bounding a column; -1 when none. */
static int64_t find_bound(const ex_expr *pred, int *col) {
  if (pred->kind == EX_AND) {
    for (int i = 0; i < pred->nargs; i++) {
      int64_t k = find_bound(pred->args[i], col);
      if (k >= 0)
        return k;
    }
    return -1;
  }
  return term_bound(pred, col);
}

/* Whether the window's calls allow the top-k with call fn bounded: all ranking calls of one
 * PARTITION BY and ORDER BY, and an ORDER BY when rank or dense_rank is bounded (without one every
 * row ties). */
static bool calls_allow(const ex_window_fn *fns, int nfns, int fn) {
  for (int i = 0; i < nfns; i++) {
    ex_win_kind k = fns[i].kind;
    if ((k != EX_WIN_ROW_NUMBER && k != EX_WIN_RANK && k != EX_WIN_DENSE_RANK) || fns[i].spec != 0)
      return false;
  }
  if (fns[fn].kind != EX_WIN_ROW_NUMBER && fns[0].norder == 0)
    return false;
  return fns[0].npartition <= 64 && fns[0].norder <= 64;
}

sbd_status ex_window_topk_plan(ex_query *q, ex_op *above, const ex_expr *pred) {
  int col;
  int64_t k = find_bound(pred, &col);
  if (k < 1 || k > TK_MAX_K)
    return SBD_OK;
  /* Down through projections that pass the column on, and filters. */
  ex_op **slot = &above->child;
  for (;;) {
    ex_op *op = *slot;
    if (!op)
      return SBD_OK;
    if (strcmp(op->vt->name, "filter") == 0) {
      slot = &op->child;
      continue;
    }
    if (strcmp(op->vt->name, "project") == 0) {
      const ex_expr *e = ex_project_expr(op, col);
      if (!e || e->kind != EX_COLUMN)
        return SBD_OK;
      col = e->col;
      slot = &op->child;
      continue;
    }
    break;
  }
  ex_op *win = *slot;
  const ex_window_fn *fns;
  int nfns;
  if (!ex_window_calls(win, &fns, &nfns))
    return SBD_OK;
  int nin = win->child->schema->ncols, fn = col - nin;
  if (fn < 0 || fn >= nfns || !calls_allow(fns, nfns, fn))
    return SBD_OK;

  tk_op *o = sbd_calloc(q->ctx, 1, sizeof(*o));
  if (!o)
    return SBD_ENOMEM;
  o->op.vt = &topk_vt;
  o->op.q = q;
  o->op.schema = schema_ref(win->schema);
  o->nfns = nfns;
  o->bound_kind = fns[fn].kind;
  o->k = k;
  o->nin = nin;
  const ex_window_fn *f = &fns[0];
  o->fns = sbd_malloc(q->ctx, sizeof(ex_window_fn) * (size_t)nfns);
  o->okey_col = sbd_malloc(q->ctx, sizeof(int) * (size_t)(f->norder + 1));
  o->store_types = sbd_malloc(q->ctx, sizeof(sbd_type) * (size_t)(nin + f->norder + 1));
  o->part_types = sbd_malloc(q->ctx, sizeof(sbd_type) * (size_t)(f->npartition + 1));
  if (!o->fns || !o->okey_col || !o->store_types || !o->part_types) {
    o->op.child = NULL;
    ex_op_free(&o->op);
    return SBD_ENOMEM;
  }
  memcpy(o->fns, fns, sizeof(ex_window_fn) * (size_t)nfns);
  for (int c = 0; c < nin; c++)
    o->store_types[c] = win->child->schema->fields[c].type;
  o->nstore = nin;
  for (int j = 0; j < f->norder; j++) {
    if (f->order[j]->kind == EX_COLUMN) {
      o->okey_col[j] = f->order[j]->col;
    } else {
      o->okey_col[j] = o->nstore;
      o->store_types[o->nstore++] = f->order[j]->type;
    }
  }
  for (int j = 0; j < f->npartition; j++)
    o->part_types[j] = f->partition[j]->type;
  /* The window operator gives its child to this one and goes. */
  o->op.child = win->child;
  win->child = NULL;
  ex_op_free(win);
  *slot = &o->op;
  return SBD_OK;
}
