/*
 * window.c — window functions: f(...) OVER (PARTITION BY ... ORDER BY ... frame) for every row of
 * the child, with DuckDB's semantics.
 *
 * The operator reads its child whole: the batches are kept as they came (accounted as query
 * memory), and the expressions the calls need (partition keys, order keys, arguments) are
 * evaluated batch by batch into one vector each over all rows, indexed by the global row number
 * (the rows of batch 0, then of batch 1, ...). For each distinct (PARTITION BY, ORDER BY) a
 * permutation of the row numbers is sorted so that each partition's rows are together and in the
 * order keys' order (a stable merge sort: rows that tie keep their input order), and arrays mark
 * where each row's partition and peer group (rows equal on every order key) start and end in it.
 * With PARTITION BY, the rows are first spread over buckets by a hash of the partition keys and
 * each bucket (whole partitions) is sorted on its own; partitions come out in no set order.
 *
 * Each call is then computed partition by partition in one pass: ranks from the peer groups;
 * lag/lead, first/last/nth_value as the row number whose argument is the answer (a "pick"); the
 * aggregates over their frame with a segment tree of the partition (sum and non-null count per
 * node for sum, avg and count; the row holding the least or greatest value for min and max), so
 * any frame, sliding or running, costs O(log n) per row and never O(frame).
 *
 * The result of each call is one vector over all rows; the output hands out the child's batches
 * in their order, each with the slices of the result vectors appended as columns.
 *
 * Threads. The buckets, or the runs of a large sort without PARTITION BY (then merged pairwise),
 * are sorted on the context's pool, and each call is computed in chunks of whole partitions on
 * the pool (par_run). The calling thread claims chunks too, so the work finishes even when no
 * worker is free. Chunks write results by row number (never the same place twice) and keep NULLs
 * and errors in their own slots.
 */
#include "exec/exec_int.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A frame offset beyond this is as good as unbounded, and i +- offset cannot overflow. */
#define WIN_MAX_OFFSET (INT64_C(1) << 60)

/* The sort shared by the calls with one (PARTITION BY, ORDER BY). */
typedef struct win_sort {
  sbd_vec **pkeys, **okeys; /* over all rows */
  int npkeys, nokeys;
  const ex_sort_key *okey_flags;
  int64_t *perm;     /* positions -> row numbers */
  int64_t *part_end; /* position -> the end (exclusive) of its partition */
  int64_t *part_lo;  /* position -> the start of its partition */
  int64_t *peer_lo;  /* position -> the start of its peer group */
  int64_t *peer_hi;  /* position -> the end (exclusive) of its peer group */
} win_sort;

typedef struct win_op {
  ex_op op;
  ex_window_fn *fns;
  int nfns;
  sbd_batch **batches;
  int nbatches, cap_batches;
  int64_t nrows;
  win_sort *sorts;   /* one per call; only those with spec == index are filled */
  sbd_vec ***args;   /* per call, its arguments over all rows */
  sbd_vec **results; /* per call, over all rows */
  bool computed;
  int next_batch;
  int64_t next_base;
  int64_t charged;
} win_op;

static sbd_status charge(win_op *w, int64_t bytes) {
  w->charged += bytes;
  return ex_mem_charge(w->op.q, bytes);
}

static int64_t vec_bytes(const sbd_vec *v) {
  return v->cap * (int64_t)type_width(v->type) + v->bytes_cap + (v->validity ? v->cap / 8 : 0);
}

/* ---- input ----------------------------------------------------------------------------------*/

static sbd_status gather_input(win_op *w) {
  sbd_ctx *ctx = w->op.q->ctx;
  for (;;) {
    sbd_batch *b;
    RETURN_IF_ERROR(ex_op_next(w->op.child, &b));
    if (!b)
      return SBD_OK;
    if (b->nrows == 0) {
      sbd_batch_free(b);
      continue;
    }
    if (w->nbatches == w->cap_batches) {
      int cap = w->cap_batches ? w->cap_batches * 2 : 16;
      sbd_batch **v = sbd_realloc(ctx, w->batches, sizeof(sbd_batch *) * (size_t)cap);
      if (!v) {
        sbd_batch_free(b);
        return SBD_ENOMEM;
      }
      w->batches = v;
      w->cap_batches = cap;
    }
    w->batches[w->nbatches++] = b;
    w->nrows += b->nrows;
    int64_t bytes = 0;
    for (int c = 0; c < b->ncols; c++)
      bytes += vec_bytes(b->cols[c]);
    RETURN_IF_ERROR(charge(w, bytes));
  }
}

/* e over every row of the input, as one vector. */
static sbd_status eval_all(win_op *w, const ex_expr *e, sbd_vec **out) {
  ex_query *q = w->op.q;
  sbd_vec *all = vec_new(q->ctx, e->type, w->nrows);
  if (!all)
    return SBD_ENOMEM;
  sbd_status st = SBD_OK;
  for (int k = 0; k < w->nbatches && st == SBD_OK; k++) {
    sbd_vec *v;
    st = ex_eval(q, e, w->batches[k], &v);
    if (st == SBD_OK) {
      st = ex_vec_append(q->ctx, all, v, 0, v->len);
      vec_free(v);
    }
  }
  if (st == SBD_OK)
    st = charge(w, vec_bytes(all));
  if (st != SBD_OK) {
    vec_free(all);
    return st;
  }
  *out = all;
  return SBD_OK;
}

/* ---- sorting --------------------------------------------------------------------------------*/

/* Compares rows i and j on keys[0..n); NULLs equal to each other. flags NULL: ascending, NULLs
 * last (any consistent order separates partitions). */
static int compare_keys(sbd_vec *const *keys, const ex_sort_key *flags, int n, int64_t i,
                        int64_t j) {
  for (int k = 0; k < n; k++) {
    const sbd_vec *v = keys[k];
    bool vi = vec_is_valid(v, i), vj = vec_is_valid(v, j);
    bool nulls_first = flags && flags[k].nulls_first;
    if (!vi || !vj) {
      if (vi == vj)
        continue;
      return (!vi) == nulls_first ? -1 : 1;
    }
    int c;
    if (v->type == SBD_INT64 || v->type == SBD_TIMESTAMP) { /* the common keys, without a call */
      int64_t a = ((const int64_t *)v->values)[i], b = ((const int64_t *)v->values)[j];
      c = (a > b) - (a < b);
    } else {
      c = ex_vec_compare(v, i, v, j);
    }
    if (c)
      return flags && flags[k].desc ? -c : c;
  }
  return 0;
}

static int compare_rows(const win_sort *s, int64_t i, int64_t j) {
  int c = compare_keys(s->pkeys, NULL, s->npkeys, i, j);
  return c ? c : compare_keys(s->okeys, s->okey_flags, s->nokeys, i, j);
}

/* What the sort moves: a row with a hash of its partition keys and an order-preserving 64-bit
 * prefix of its first order key, so that most comparisons read these and not the key vectors
 * at random rows. The order is (hash, prefix, partition keys, order keys): a valid order that
 * keeps each partition together unless two partitions' hashes collide (build_sort checks). */
typedef struct win_item {
  uint64_t hash, prefix;
  int64_t row;
} win_item;

static int compare_items(const win_sort *s, const win_item *x, const win_item *y) {
  if (x->hash != y->hash)
    return x->hash < y->hash ? -1 : 1;
  if (x->prefix != y->prefix)
    return x->prefix < y->prefix ? -1 : 1;
  return compare_rows(s, x->row, y->row);
}

uint64_t ex_sort_prefix(const sbd_vec *v, const ex_sort_key *flags, int64_t i) {
  const uint64_t sign = UINT64_C(1) << 63;
  if (!vec_is_valid(v, i))
    return flags->nulls_first ? 0 : UINT64_MAX;
  uint64_t u;
  switch (v->type) {
  case SBD_BOOL:
    u = ((const uint8_t *)v->values)[i];
    break;
  case SBD_DATE:
    u = (uint64_t)(int64_t)((const int32_t *)v->values)[i] ^ sign;
    break;
  case SBD_DOUBLE: {
    double d = ((const double *)v->values)[i];
    if (d == 0)
      d = 0; /* -0 sorts as 0 */
    if (isnan(d))
      d = NAN; /* every NaN alike, above every number */
    memcpy(&u, &d, sizeof(u));
    u = u & sign ? ~u : u | sign;
    break;
  }
  case SBD_STRING: {
    size_t len;
    const unsigned char *str = (const unsigned char *)vec_str(v, i, &len);
    u = 0;
    for (size_t k = 0; k < 8; k++)
      u = u << 8 | (k < len ? str[k] : 0);
    break;
  }
  case SBD_INT64:
  case SBD_TIMESTAMP:
    u = (uint64_t)((const int64_t *)v->values)[i] ^ sign;
    break;
  default:
    return 0; /* no prefix: the full comparison decides */
  }
  return flags->desc ? ~u : u;
}

/* Merges the sorted runs src[lo, mid) and src[mid, hi) into dst[lo, hi), stably. */
static void merge_runs(const win_sort *s, const win_item *src, win_item *dst, int64_t lo,
                       int64_t mid, int64_t hi) {
  int64_t i = lo, j = mid, k = lo;
  while (i < mid && j < hi)
    dst[k++] = compare_items(s, &src[j], &src[i]) < 0 ? src[j++] : src[i++];
  while (i < mid)
    dst[k++] = src[i++];
  while (j < hi)
    dst[k++] = src[j++];
}

/* A stable merge sort of a[0..n) using tmp[0..n). */
static void merge_sort(const win_sort *s, win_item *a, win_item *tmp, int64_t n) {
  /* Insertion sort of runs of 16, then bottom-up merges. */
  const int64_t run = 16;
  for (int64_t lo = 0; lo < n; lo += run) {
    int64_t hi = lo + run < n ? lo + run : n;
    for (int64_t i = lo + 1; i < hi; i++) {
      win_item x = a[i];
      int64_t j = i;
      while (j > lo && compare_items(s, &a[j - 1], &x) > 0) {
        a[j] = a[j - 1];
        j--;
      }
      a[j] = x;
    }
  }
  win_item *src = a, *dst = tmp;
  for (int64_t width = run; width < n; width *= 2) {
    for (int64_t lo = 0; lo < n; lo += 2 * width) {
      int64_t mid = lo + width < n ? lo + width : n, hi = lo + 2 * width < n ? lo + 2 * width : n;
      merge_runs(s, src, dst, lo, mid, hi);
    }
    win_item *t = src;
    src = dst;
    dst = t;
  }
  if (src != a)
    memcpy(a, src, sizeof(win_item) * (size_t)n);
}

/* ---- running chunks on the pool ---------------------------------------------------------------*/

/* Chunks 0..n-1 of a job are claimed one at a time, by the calling thread and by helpers queued
 * on the context's pool. The caller claims too and waits only for chunks that a running helper
 * has claimed, so a job finishes even when every worker is busy (or the caller is one). A helper
 * that starts after the job is over finds nothing to claim; the state is freed by whichever of
 * the caller and the helpers lets go of it last. Chunks report errors through their own slots,
 * never on the context. */
typedef void (*win_chunk_fn)(void *arg, int64_t k);

typedef struct win_par {
  win_chunk_fn fn;
  void *arg;
  int64_t n;
  int64_t next;     /* the next chunk to claim (atomic) */
  int64_t finished; /* under lock */
  int refs;         /* atomic */
  pthread_mutex_t lock;
  pthread_cond_t all_done;
} win_par;

static void par_release(win_par *p) {
  if (__atomic_sub_fetch(&p->refs, 1, __ATOMIC_ACQ_REL) == 0) {
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->all_done);
    free(p);
  }
}

static void par_work(win_par *p) {
  for (;;) {
    int64_t k = __atomic_fetch_add(&p->next, 1, __ATOMIC_ACQ_REL);
    if (k >= p->n)
      return;
    p->fn(p->arg, k);
    pthread_mutex_lock(&p->lock);
    if (++p->finished == p->n)
      pthread_cond_broadcast(&p->all_done);
    pthread_mutex_unlock(&p->lock);
  }
}

static void par_task(void *arg) {
  win_par *p = arg;
  par_work(p);
  par_release(p);
}

/* Runs fn(arg, k) for every k < n, in parallel when there are several chunks and threads. */
static sbd_status par_run(sbd_ctx *ctx, win_chunk_fn fn, void *arg, int64_t n) {
  if (n <= 1 || ctx->threads <= 1) {
    for (int64_t k = 0; k < n; k++)
      fn(arg, k);
    return SBD_OK;
  }
  win_par *p = sbd_calloc(ctx, 1, sizeof(*p));
  if (!p)
    return SBD_ENOMEM;
  p->fn = fn;
  p->arg = arg;
  p->n = n;
  p->refs = 1;
  pthread_mutex_init(&p->lock, NULL);
  pthread_cond_init(&p->all_done, NULL);
  pool *pl = ctx_pool(ctx);
  int64_t helpers = n - 1 < ctx->threads - 1 ? n - 1 : ctx->threads - 1;
  for (int64_t h = 0; pl && h < helpers; h++) {
    __atomic_add_fetch(&p->refs, 1, __ATOMIC_ACQ_REL);
    if (!pool_submit(pl, par_task, p)) {
      __atomic_sub_fetch(&p->refs, 1, __ATOMIC_ACQ_REL);
      break; /* the caller does the rest */
    }
  }
  par_work(p);
  pthread_mutex_lock(&p->lock);
  while (p->finished < p->n)
    pthread_cond_wait(&p->all_done, &p->lock);
  pthread_mutex_unlock(&p->lock);
  par_release(p);
  return SBD_OK;
}

/* The parallel sort: runs sorted one per chunk, then merged pairwise, a round at a time. */
typedef struct sort_job {
  const win_sort *s;
  win_item *src, *dst;
  const int64_t *cuts;  /* run k is [cuts[k], cuts[k + 1]) */
  int64_t nruns, width; /* a merge round joins groups of 2 * width runs */
} sort_job;

static void sort_run(void *arg, int64_t k) {
  sort_job *j = arg;
  merge_sort(j->s, j->src + j->cuts[k], j->dst + j->cuts[k], j->cuts[k + 1] - j->cuts[k]);
}

static void merge_group(void *arg, int64_t k) {
  sort_job *j = arg;
  int64_t a = 2 * k * j->width, m = a + j->width, z = a + 2 * j->width;
  m = m < j->nruns ? m : j->nruns;
  z = z < j->nruns ? z : j->nruns;
  merge_runs(j->s, j->src, j->dst, j->cuts[a], j->cuts[m], j->cuts[z]);
}

/* Sorts items[0..n) using tmp[0..n); on the pool when it is large. */
static sbd_status sort_items(sbd_ctx *ctx, const win_sort *s, win_item *items, win_item *tmp,
                             int64_t n) {
  /* Runs of at least 16 Ki rows: below that one thread sorts faster than several merge. */
  int64_t nruns = n / 16384 < 4 * (int64_t)ctx->threads ? n / 16384 : 4 * (int64_t)ctx->threads;
  if (ctx->threads <= 1 || nruns < 2) {
    merge_sort(s, items, tmp, n);
    return SBD_OK;
  }
  int64_t cuts[4 * 1024 + 1];
  if (nruns > 4 * 1024)
    nruns = 4 * 1024;
  for (int64_t k = 0; k <= nruns; k++)
    cuts[k] = n / nruns * k + (k == nruns ? n % nruns : 0);
  sort_job j = {s, items, tmp, cuts, nruns, 1};
  RETURN_IF_ERROR(par_run(ctx, sort_run, &j, nruns));
  for (j.width = 1; j.width < nruns; j.width *= 2) {
    RETURN_IF_ERROR(par_run(ctx, merge_group, &j, (nruns + 2 * j.width - 1) / (2 * j.width)));
    win_item *t = j.src;
    j.src = j.dst;
    j.dst = t;
  }
  if (j.src != items)
    memcpy(items, j.src, sizeof(win_item) * (size_t)n);
  return SBD_OK;
}

/* Sorting with PARTITION BY: the items are first spread over buckets by their hash's top bits (a
 * counting sort, which keeps the input order inside a bucket), so that each bucket holds whole
 * partitions and is sorted on its own: small enough to stay in the cache, and one bucket per
 * chunk on the pool. */
typedef struct bucket_job {
  const win_sort *s;
  win_item *items, *tmp;
  const int64_t *start; /* bucket k is items[start[k], start[k + 1]) */
} bucket_job;

static void sort_bucket(void *arg, int64_t k) {
  bucket_job *j = arg;
  int64_t lo = j->start[k], hi = j->start[k + 1];
  merge_sort(j->s, j->items + lo, j->tmp + lo, hi - lo);
}

static sbd_status sort_by_buckets(sbd_ctx *ctx, const win_sort *s, win_item *items, win_item *tmp,
                                  int64_t n) {
  int bits = 0;
  while (bits < 16 && (n >> bits) > 4096)
    bits++;
  if (bits == 0)
    return sort_items(ctx, s, items, tmp, n);
  int64_t nb = INT64_C(1) << bits;
  int64_t *start = sbd_calloc(ctx, (size_t)nb + 1, sizeof(int64_t));
  int64_t *next = sbd_malloc(ctx, sizeof(int64_t) * (size_t)nb);
  if (!start || !next) {
    free(start);
    free(next);
    return SBD_ENOMEM;
  }
  for (int64_t i = 0; i < n; i++)
    start[(items[i].hash >> (64 - bits)) + 1]++;
  for (int64_t b = 0; b < nb; b++)
    start[b + 1] += start[b];
  memcpy(next, start, sizeof(int64_t) * (size_t)nb);
  for (int64_t i = 0; i < n; i++)
    tmp[next[items[i].hash >> (64 - bits)]++] = items[i];
  memcpy(items, tmp, sizeof(win_item) * (size_t)n);
  free(next);
  bucket_job j = {s, items, tmp, start};
  sbd_status st = par_run(ctx, sort_bucket, &j, nb);
  free(start);
  return st;
}

/* Sorts the items and marks the partitions and peer groups. False when two partitions' hashes
 * collide and their rows interleave (the caller sorts again without prefixes). */
static sbd_status sort_and_mark(sbd_ctx *ctx, win_sort *s, win_item *items, win_item *tmp,
                                int64_t n, bool *collision) {
  *collision = false;
  if (s->npkeys > 0)
    RETURN_IF_ERROR(sort_by_buckets(ctx, s, items, tmp, n));
  else if (s->nokeys > 0)
    RETURN_IF_ERROR(sort_items(ctx, s, items, tmp, n));
  for (int64_t p = 0; p < n; p++)
    s->perm[p] = items[p].row;
  /* Partitions and peer groups: runs of equal keys in the sorted order. */
  int64_t part = 0, peer = 0;
  for (int64_t p = 1; p <= n; p++) {
    /* Different hashes are different partitions, and different prefixes different peer groups
     * (equal keys have equal hashes and prefixes): only equal ones need the key vectors, read at
     * rows scattered over the input. */
    bool new_part = p == n || items[p - 1].hash != items[p].hash ||
                    compare_keys(s->pkeys, NULL, s->npkeys, s->perm[p - 1], s->perm[p]);
    if (new_part && p < n && items[p - 1].hash == items[p].hash &&
        items[p - 1].prefix != items[p].prefix) {
      *collision = true;
      return SBD_OK;
    }
    bool new_peer =
        new_part || items[p - 1].prefix != items[p].prefix ||
        compare_keys(s->okeys, s->okey_flags, s->nokeys, s->perm[p - 1], s->perm[p]) != 0;
    if (new_peer) {
      for (int64_t x = peer; x < p; x++) {
        s->peer_lo[x] = peer;
        s->peer_hi[x] = p;
      }
      peer = p;
    }
    if (new_part) {
      for (int64_t x = part; x < p; x++) {
        s->part_lo[x] = part;
        s->part_end[x] = p;
      }
      part = p;
    }
  }
  return SBD_OK;
}

static sbd_status build_sort(win_op *w, const ex_window_fn *f, win_sort *s) {
  sbd_ctx *ctx = w->op.q->ctx;
  int64_t n = w->nrows;
  s->npkeys = f->npartition;
  s->nokeys = f->norder;
  s->okey_flags = f->order_keys;
  s->pkeys = sbd_calloc(ctx, (size_t)(f->npartition + 1), sizeof(sbd_vec *));
  s->okeys = sbd_calloc(ctx, (size_t)(f->norder + 1), sizeof(sbd_vec *));
  if (!s->pkeys || !s->okeys)
    return SBD_ENOMEM;
  for (int k = 0; k < f->npartition; k++)
    RETURN_IF_ERROR(eval_all(w, f->partition[k], &s->pkeys[k]));
  for (int k = 0; k < f->norder; k++)
    RETURN_IF_ERROR(eval_all(w, f->order[k], &s->okeys[k]));
  size_t rows = (size_t)(n ? n : 1), bytes = sizeof(int64_t) * rows;
  RETURN_IF_ERROR(charge(w, (int64_t)(bytes * 5 + sizeof(win_item) * rows * 2)));
  s->perm = sbd_malloc(ctx, bytes);
  s->part_lo = sbd_malloc(ctx, bytes);
  s->part_end = sbd_malloc(ctx, bytes);
  s->peer_lo = sbd_malloc(ctx, bytes);
  s->peer_hi = sbd_malloc(ctx, bytes);
  win_item *items = sbd_malloc(ctx, sizeof(win_item) * rows);
  win_item *tmp = sbd_malloc(ctx, sizeof(win_item) * rows);
  /* The hashes of the partition keys, in tmp's memory until the items are made. */
  uint64_t *h = (uint64_t *)tmp;
  sbd_status st = s->perm && s->part_lo && s->part_end && s->peer_lo && s->peer_hi && items && tmp
                      ? SBD_OK
                      : SBD_ENOMEM;
  if (st == SBD_OK) {
    for (int64_t i = 0; i < n; i++)
      h[i] = s->npkeys ? 0x9e3779b97f4a7c15ull : 0;
    for (int k = 0; k < s->npkeys; k++)
      ex_vec_hash(s->pkeys[k], h);
    for (int64_t i = 0; i < n; i++) {
      win_item it = {h[i], s->nokeys ? ex_sort_prefix(s->okeys[0], &s->okey_flags[0], i) : 0, i};
      items[i] = it;
    }
  }
  bool collision = false;
  if (st == SBD_OK)
    st = sort_and_mark(ctx, s, items, tmp, n, &collision);
  if (st == SBD_OK && collision) {
    for (int64_t i = 0; i < n; i++)
      items[i].prefix = 0;
    st = sort_and_mark(ctx, s, items, tmp, n, &collision);
  }
  free(items);
  free(tmp);
  return st;
}

static void free_sort(win_sort *s) {
  if (s->pkeys)
    for (int k = 0; k < s->npkeys; k++)
      vec_free(s->pkeys[k]);
  if (s->okeys)
    for (int k = 0; k < s->nokeys; k++)
      vec_free(s->okeys[k]);
  free(s->pkeys);
  free(s->okeys);
  free(s->perm);
  free(s->part_lo);
  free(s->part_end);
  free(s->peer_lo);
  free(s->peer_hi);
}

/* ---- frames ---------------------------------------------------------------------------------*/

/* The frame of the row at position p of a partition [lo, hi), as positions [*fs, *fe) (empty
 * when *fs >= *fe). */
static void frame_of(const ex_window_fn *f, const win_sort *s, int64_t p, int64_t lo, int64_t hi,
                     int64_t *fs, int64_t *fe) {
  int64_t a, b;
  switch (f->start) {
  case EX_BOUND_UNBOUNDED_PRECEDING:
    a = lo;
    break;
  case EX_BOUND_PRECEDING:
    a = p - f->start_offset;
    break;
  case EX_BOUND_CURRENT_ROW:
    a = f->unit == EX_FRAME_ROWS ? p : s->peer_lo[p];
    break;
  case EX_BOUND_FOLLOWING:
    a = p + f->start_offset;
    break;
  default:
    a = hi;
    break;
  }
  switch (f->end) {
  case EX_BOUND_UNBOUNDED_FOLLOWING:
    b = hi;
    break;
  case EX_BOUND_PRECEDING:
    b = p - f->end_offset + 1;
    break;
  case EX_BOUND_CURRENT_ROW:
    b = f->unit == EX_FRAME_ROWS ? p + 1 : s->peer_hi[p];
    break;
  case EX_BOUND_FOLLOWING:
    b = p + f->end_offset + 1;
    break;
  default:
    b = lo;
    break;
  }
  if (a < lo)
    a = lo;
  if (b > hi)
    b = hi;
  if (b < a)
    b = a;
  *fs = a;
  *fe = b;
}

/* ---- the segment tree for frame aggregates ----------------------------------------------------*/

/* Over the m positions of one partition: leaves at m..2m-1, node i combines 2i and 2i+1. */
typedef struct seg_tree {
  int64_t m;
  int64_t *count; /* non-null values */
  int64_t *isum;
  double *dsum;
  int64_t *best; /* the row of the least (greatest) value, or -1 */
} seg_tree;

typedef struct seg_acc {
  int64_t count, isum, best;
  double dsum;
  bool overflow;
} seg_acc;

static bool add_i64(int64_t *acc, int64_t x) {
  if ((x > 0 && *acc > INT64_MAX - x) || (x < 0 && *acc < INT64_MIN - x))
    return false;
  *acc += x;
  return true;
}

/* Whether row y's value beats row x's for min (max when want_max); -1 loses to everything. */
static bool better(const sbd_vec *v, int64_t x, int64_t y, bool want_max) {
  if (y < 0)
    return false;
  if (x < 0)
    return true;
  int c = ex_vec_compare(v, y, v, x);
  return want_max ? c > 0 : c < 0;
}

static void seg_node(const ex_window_fn *f, const sbd_vec *v, seg_tree *t, int64_t i, int64_t l,
                     int64_t r, bool *overflow) {
  t->count[i] = t->count[l] + t->count[r];
  switch (f->kind) {
  case EX_WIN_SUM:
  case EX_WIN_AVG:
    if (v->type == SBD_DOUBLE || f->kind == EX_WIN_AVG) {
      t->dsum[i] = t->dsum[l] + t->dsum[r];
    } else {
      t->isum[i] = t->isum[l];
      if (!add_i64(&t->isum[i], t->isum[r]))
        *overflow = true;
    }
    break;
  case EX_WIN_MIN:
  case EX_WIN_MAX:
    t->best[i] = better(v, t->best[l], t->best[r], f->kind == EX_WIN_MAX) ? t->best[r] : t->best[l];
    break;
  default:
    break;
  }
}

static void seg_build(const ex_window_fn *f, const sbd_vec *v, const int64_t *rows, int64_t m,
                      seg_tree *t, bool *overflow) {
  t->m = m;
  bool dbl = v->type == SBD_DOUBLE;
  for (int64_t k = 0; k < m; k++) {
    int64_t r = rows[k], i = m + k;
    bool valid = vec_is_valid(v, r);
    t->count[i] = valid;
    t->best[i] = valid ? r : -1;
    t->isum[i] = 0;
    t->dsum[i] = 0;
    if (valid && (f->kind == EX_WIN_SUM || f->kind == EX_WIN_AVG)) {
      if (dbl)
        t->dsum[i] = ((const double *)v->values)[r];
      else if (f->kind == EX_WIN_AVG)
        t->dsum[i] = (double)((const int64_t *)v->values)[r];
      else
        t->isum[i] = ((const int64_t *)v->values)[r];
    }
  }
  for (int64_t i = m - 1; i >= 1; i--)
    seg_node(f, v, t, i, 2 * i, 2 * i + 1, overflow);
}

static void seg_add(const ex_window_fn *f, const sbd_vec *v, const seg_tree *t, int64_t i,
                    seg_acc *a) {
  a->count += t->count[i];
  switch (f->kind) {
  case EX_WIN_SUM:
  case EX_WIN_AVG:
    if (v->type == SBD_DOUBLE || f->kind == EX_WIN_AVG)
      a->dsum += t->dsum[i];
    else if (!add_i64(&a->isum, t->isum[i]))
      a->overflow = true;
    break;
  case EX_WIN_MIN:
  case EX_WIN_MAX:
    if (better(v, a->best, t->best[i], f->kind == EX_WIN_MAX))
      a->best = t->best[i];
    break;
  default:
    break;
  }
}

/* Combines the positions [l, r) of the partition (relative to its start). */
static void seg_query(const ex_window_fn *f, const sbd_vec *v, const seg_tree *t, int64_t l,
                      int64_t r, seg_acc *a) {
  memset(a, 0, sizeof(*a));
  a->best = -1;
  for (l += t->m, r += t->m; l < r; l >>= 1, r >>= 1) {
    if (l & 1)
      seg_add(f, v, t, l++, a);
    if (r & 1)
      seg_add(f, v, t, --r, a);
  }
}

/* ---- computing one call -----------------------------------------------------------------------*/

/* A result vector of n rows of type t, all valid, its values to be written by index. */
static sbd_vec *result_new(win_op *w, sbd_type t) {
  sbd_vec *v = vec_new(w->op.q->ctx, t, w->nrows ? w->nrows : 1);
  if (v)
    v->len = w->nrows;
  return v;
}

/* The vector of row r = pick[r] of src (-1: NULL; -2: row r of dflt). */
static sbd_status build_picked(win_op *w, sbd_type type, const sbd_vec *src, const sbd_vec *dflt,
                               const int64_t *pick, sbd_vec **out) {
  sbd_ctx *ctx = w->op.q->ctx;
  int64_t n = w->nrows;
  sbd_vec *v = vec_new(ctx, type, n ? n : 1);
  if (!v)
    return SBD_ENOMEM;
  sbd_status st = SBD_OK;
  size_t width = type_width(type);
  for (int64_t r = 0; r < n && st == SBD_OK; r++) {
    const sbd_vec *from = pick[r] == -2 ? dflt : pick[r] >= 0 ? src : NULL;
    int64_t i = pick[r] == -2 ? r : pick[r];
    if (!from || !vec_is_valid(from, i)) {
      st = vec_push_null(ctx, v);
    } else if (type == SBD_STRING) {
      size_t len;
      const char *s = vec_str(from, i, &len);
      st = vec_push_str(ctx, v, s, len);
    } else {
      memcpy((char *)v->values + (size_t)v->len * width,
             (const char *)from->values + (size_t)i * width, width);
      v->len++;
    }
  }
  if (st == SBD_OK)
    st = charge(w, vec_bytes(v));
  if (st != SBD_OK) {
    vec_free(v);
    return st;
  }
  *out = v;
  return SBD_OK;
}

static int64_t arg_i64(const sbd_vec *v, int64_t r, bool *valid) {
  *valid = vec_is_valid(v, r);
  return *valid ? ((const int64_t *)v->values)[r] : 0;
}

/* One call computed over chunks of whole partitions (in parallel when there are several): chunk
 * k is the positions [cuts[k], cuts[k + 1]). Results are written by row number, so chunks never
 * write the same place; NULLs go to a byte per row and are set on the vector afterwards. */
typedef struct win_job {
  const ex_window_fn *f;
  const win_sort *s;
  sbd_vec *const *args;
  sbd_vec *res;   /* fixed-width results, written by row */
  int64_t *pick;  /* value functions, min and max: the row holding the answer */
  uint8_t *nulls; /* rows whose result is NULL */
  const int64_t *cuts;
  sbd_status *status; /* per chunk */
  char (*msg)[300];   /* per chunk */
} win_job;

static void job_fail(win_job *j, int64_t k, sbd_status st, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void job_fail(win_job *j, int64_t k, sbd_status st, const char *fmt, ...) {
  if (j->status[k] != SBD_OK)
    return;
  j->status[k] = st;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(j->msg[k], sizeof(j->msg[k]), fmt, ap);
  va_end(ap);
}

static void chunk_ranks(win_job *j, int64_t k) {
  const ex_window_fn *f = j->f;
  const win_sort *s = j->s;
  int64_t *iv = j->res->values;
  double *dv = j->res->values;
  int64_t dense = 0;
  for (int64_t p = j->cuts[k]; p < j->cuts[k + 1]; p++) {
    int64_t lo = s->part_lo[p], hi = s->part_end[p], m = hi - lo, r = s->perm[p];
    int64_t rank = s->peer_lo[p] - lo + 1;
    if (p == lo)
      dense = 0;
    if (p == s->peer_lo[p])
      dense++;
    switch (f->kind) {
    case EX_WIN_ROW_NUMBER:
      iv[r] = p - lo + 1;
      break;
    case EX_WIN_RANK:
      iv[r] = rank;
      break;
    case EX_WIN_DENSE_RANK:
      iv[r] = dense;
      break;
    case EX_WIN_PERCENT_RANK:
      dv[r] = m > 1 ? (double)(rank - 1) / (double)(m - 1) : 0;
      break;
    case EX_WIN_CUME_DIST:
      dv[r] = (double)(s->peer_hi[p] - lo) / (double)m;
      break;
    default: { /* NTILE: the buckets as DuckDB (and SQLite) deal them */
      bool valid;
      int64_t nt = arg_i64(j->args[0], r, &valid);
      if (!valid) {
        j->nulls[r] = 1;
        break;
      }
      if (nt < 1) {
        job_fail(j, k, SBD_EINPUT,
                 "SQL: the argument of ntile must be greater than zero, not %lld: %.120s",
                 (long long)nt, f->text);
        return;
      }
      if (nt > m)
        nt = m;
      int64_t size = m / nt, large = m - nt * size, small_end = large * (size + 1), i = p - lo;
      iv[r] = i < small_end ? 1 + i / (size + 1) : 1 + large + (i - small_end) / size;
      break;
    }
    }
  }
}

/* lag, lead, first_value, last_value, nth_value: the row whose argument is each row's answer
 * (-1: NULL; -2: the row's default). */
static void chunk_picks(win_job *j, int64_t k) {
  const ex_window_fn *f = j->f;
  const win_sort *s = j->s;
  int64_t *pick = j->pick;
  for (int64_t p = j->cuts[k]; p < j->cuts[k + 1]; p++) {
    int64_t lo = s->part_lo[p], hi = s->part_end[p], r = s->perm[p];
    int64_t fs, fe;
    bool valid = true;
    pick[r] = -1;
    switch (f->kind) {
    case EX_WIN_LAG:
    case EX_WIN_LEAD: {
      int64_t off = f->nargs > 1 ? arg_i64(j->args[1], r, &valid) : 1;
      if (!valid)
        break;
      if (off > WIN_MAX_OFFSET)
        off = WIN_MAX_OFFSET;
      if (off < -WIN_MAX_OFFSET)
        off = -WIN_MAX_OFFSET;
      int64_t q = f->kind == EX_WIN_LAG ? p - off : p + off;
      pick[r] = q >= lo && q < hi ? s->perm[q] : f->nargs > 2 ? -2 : -1;
      break;
    }
    case EX_WIN_FIRST_VALUE:
    case EX_WIN_LAST_VALUE:
      frame_of(f, s, p, lo, hi, &fs, &fe);
      if (fs < fe)
        pick[r] = s->perm[f->kind == EX_WIN_FIRST_VALUE ? fs : fe - 1];
      break;
    default: { /* NTH_VALUE */
      int64_t nth = arg_i64(j->args[1], r, &valid);
      frame_of(f, s, p, lo, hi, &fs, &fe);
      if (valid && nth >= 1 && nth <= fe - fs)
        pick[r] = s->perm[fs + nth - 1];
      break;
    }
    }
  }
}

/* count, sum, avg, min, max over each row's frame, with a segment tree per partition. */
static void chunk_aggs(win_job *j, int64_t k) {
  const ex_window_fn *f = j->f;
  const win_sort *s = j->s;
  int64_t a = j->cuts[k], z = j->cuts[k + 1];
  const sbd_vec *v = f->nargs ? j->args[0] : NULL;
  seg_tree t = {0};
  if (v) {
    int64_t maxm = 0;
    for (int64_t p = a; p < z; p = s->part_end[p])
      if (s->part_end[p] - p > maxm)
        maxm = s->part_end[p] - p;
    size_t cells = (size_t)(2 * maxm + 1);
    t.count = malloc(cells * sizeof(int64_t));
    t.isum = malloc(cells * sizeof(int64_t));
    t.dsum = malloc(cells * sizeof(double));
    t.best = malloc(cells * sizeof(int64_t));
    if (!t.count || !t.isum || !t.dsum || !t.best) {
      job_fail(j, k, SBD_ENOMEM, "out of memory");
      goto done;
    }
  }
  bool overflow = false;
  for (int64_t lo = a; lo < z; lo = s->part_end[lo]) {
    int64_t hi = s->part_end[lo];
    if (v)
      seg_build(f, v, s->perm + lo, hi - lo, &t, &overflow);
    for (int64_t p = lo; p < hi; p++) {
      int64_t r = s->perm[p], fs, fe;
      frame_of(f, s, p, lo, hi, &fs, &fe);
      if (f->kind == EX_WIN_COUNT_STAR) {
        ((int64_t *)j->res->values)[r] = fe - fs;
        continue;
      }
      seg_acc acc;
      seg_query(f, v, &t, fs - lo, fe - lo, &acc);
      switch (f->kind) {
      case EX_WIN_COUNT:
        ((int64_t *)j->res->values)[r] = acc.count;
        break;
      case EX_WIN_MIN:
      case EX_WIN_MAX:
        j->pick[r] = acc.best;
        break;
      default:
        if (acc.count == 0) {
          j->nulls[r] = 1;
        } else if (f->kind == EX_WIN_AVG) {
          ((double *)j->res->values)[r] = acc.dsum / (double)acc.count;
        } else if (f->type == SBD_DOUBLE) {
          ((double *)j->res->values)[r] = acc.dsum;
        } else if (overflow || acc.overflow) {
          job_fail(j, k, SBD_EINPUT,
                   "SQL: integer overflow in %.100s (the sum is outside INT64; cast the argument "
                   "to DOUBLE)",
                   f->text);
          goto done;
        } else {
          ((int64_t *)j->res->values)[r] = acc.isum;
        }
        break;
      }
    }
  }
done:
  free(t.count);
  free(t.isum);
  free(t.dsum);
  free(t.best);
}

static void run_chunk(void *arg, int64_t k) {
  win_job *j = arg;
  switch (j->f->kind) {
  case EX_WIN_ROW_NUMBER:
  case EX_WIN_RANK:
  case EX_WIN_DENSE_RANK:
  case EX_WIN_PERCENT_RANK:
  case EX_WIN_CUME_DIST:
  case EX_WIN_NTILE:
    chunk_ranks(j, k);
    break;
  case EX_WIN_LAG:
  case EX_WIN_LEAD:
  case EX_WIN_FIRST_VALUE:
  case EX_WIN_LAST_VALUE:
  case EX_WIN_NTH_VALUE:
    chunk_picks(j, k);
    break;
  default:
    chunk_aggs(j, k);
    break;
  }
}

/* Cuts the positions into chunks of whole partitions, about 1/4 of a thread's share each (but
 * not tiny), so that threads balance skewed partitions. Returns the number of chunks. */
static int64_t cut_chunks(const win_sort *s, int64_t n, int threads, int64_t *cuts) {
  int64_t target = n / ((int64_t)threads * 4);
  if (target < 4096)
    target = 4096;
  int64_t nchunks = 0;
  cuts[0] = 0;
  for (int64_t p = 0; p < n;) {
    int64_t end = p;
    while (end < n && end - p < target)
      end = s->part_end[end];
    cuts[++nchunks] = end;
    p = end;
  }
  return nchunks;
}

static sbd_status compute_call(win_op *w, const ex_window_fn *f, const win_sort *s,
                               sbd_vec *const *args, sbd_vec **out) {
  sbd_ctx *ctx = w->op.q->ctx;
  int64_t n = w->nrows;
  bool picks = f->kind == EX_WIN_LAG || f->kind == EX_WIN_LEAD || f->kind == EX_WIN_FIRST_VALUE ||
               f->kind == EX_WIN_LAST_VALUE || f->kind == EX_WIN_NTH_VALUE ||
               f->kind == EX_WIN_MIN || f->kind == EX_WIN_MAX;
  size_t rows = (size_t)(n ? n : 1);
  RETURN_IF_ERROR(charge(w, (int64_t)(rows * (sizeof(int64_t) * 2 + 1))));
  win_job j = {f, s, args, NULL, NULL, NULL, NULL, NULL, NULL};
  int64_t *cuts = sbd_malloc(ctx, sizeof(int64_t) * (rows + 1));
  j.nulls = sbd_calloc(ctx, rows, 1);
  sbd_status st = cuts && j.nulls ? SBD_OK : SBD_ENOMEM;
  int64_t nchunks = 0;
  if (st == SBD_OK) {
    nchunks = cut_chunks(s, n, ctx->threads, cuts);
    j.cuts = cuts;
    j.status = sbd_calloc(ctx, (size_t)(nchunks + 1), sizeof(sbd_status));
    j.msg = sbd_calloc(ctx, (size_t)(nchunks + 1), sizeof(*j.msg));
    if (picks)
      j.pick = sbd_malloc(ctx, sizeof(int64_t) * rows);
    else
      j.res = result_new(w, f->type);
    if (!j.status || !j.msg || (picks ? !j.pick : !j.res))
      st = SBD_ENOMEM;
  }
  if (st == SBD_OK)
    st = par_run(ctx, run_chunk, &j, nchunks);
  for (int64_t k = 0; k < nchunks && st == SBD_OK; k++)
    if (j.status[k] != SBD_OK)
      st = sbd_error(ctx, j.status[k], "%s", j.msg[k]);
  if (st == SBD_OK && picks)
    st = build_picked(w, f->type, args[0],
                      f->nargs > 2 && f->kind != EX_WIN_NTH_VALUE ? args[2] : NULL, j.pick, &j.res);
  else if (st == SBD_OK)
    st = charge(w, vec_bytes(j.res));
  for (int64_t r = 0; r < n && st == SBD_OK && !picks; r++)
    if (j.nulls[r])
      st = vec_set_null(ctx, j.res, r);
  free(cuts);
  free(j.nulls);
  free(j.status);
  free(j.msg);
  free(j.pick);
  if (st != SBD_OK) {
    vec_free(j.res);
    return st;
  }
  *out = j.res;
  return SBD_OK;
}

static sbd_status compute(win_op *w) {
  sbd_ctx *ctx = w->op.q->ctx;
  RETURN_IF_ERROR(gather_input(w));
  for (int i = 0; i < w->nfns; i++) {
    const ex_window_fn *f = &w->fns[i];
    if (f->spec == i)
      RETURN_IF_ERROR(build_sort(w, f, &w->sorts[i]));
    w->args[i] = sbd_calloc(ctx, 3, sizeof(sbd_vec *));
    if (!w->args[i])
      return SBD_ENOMEM;
    for (int a = 0; a < f->nargs; a++)
      RETURN_IF_ERROR(eval_all(w, f->args[a], &w->args[i][a]));
    RETURN_IF_ERROR(compute_call(w, f, &w->sorts[f->spec], w->args[i], &w->results[i]));
    /* The arguments are no longer needed: give their memory back early. */
    for (int a = 0; a < f->nargs; a++) {
      vec_free(w->args[i][a]);
      w->args[i][a] = NULL;
    }
  }
  return SBD_OK;
}

/* ---- the operator -----------------------------------------------------------------------------*/

static sbd_status window_next(ex_op *op, sbd_batch **out) {
  win_op *w = (win_op *)op;
  sbd_ctx *ctx = op->q->ctx;
  if (!w->computed) {
    w->computed = true;
    RETURN_IF_ERROR(compute(w));
  }
  if (w->next_batch >= w->nbatches)
    return SBD_OK;
  sbd_batch *in = w->batches[w->next_batch];
  w->batches[w->next_batch++] = NULL;
  int64_t n = in->nrows, base = w->next_base;
  w->next_base += n;
  int nin = in->ncols, ncols = op->schema->ncols;
  sbd_vec **cols = sbd_calloc(ctx, (size_t)ncols, sizeof(sbd_vec *));
  if (!cols) {
    sbd_batch_free(in);
    return SBD_ENOMEM;
  }
  for (int c = 0; c < nin; c++) {
    cols[c] = in->cols[c];
    in->cols[c] = NULL;
  }
  sbd_batch_free(in);
  sbd_status st = SBD_OK;
  for (int i = 0; i < w->nfns && st == SBD_OK; i++) {
    cols[nin + i] = vec_new(ctx, w->fns[i].type, n);
    st = cols[nin + i] ? ex_vec_append(ctx, cols[nin + i], w->results[i], base, n) : SBD_ENOMEM;
  }
  if (st != SBD_OK) {
    for (int c = 0; c < ncols; c++)
      vec_free(cols[c]);
    free(cols);
    return st;
  }
  st = ex_batch_of(op->q, op->schema, cols, n, out);
  free(cols);
  return st;
}

static void window_free(ex_op *op) {
  win_op *w = (win_op *)op;
  for (int k = 0; k < w->nbatches; k++)
    sbd_batch_free(w->batches[k]);
  free(w->batches);
  for (int i = 0; i < w->nfns; i++) {
    if (w->sorts)
      free_sort(&w->sorts[i]);
    if (w->args && w->args[i]) {
      for (int a = 0; a < 3; a++)
        vec_free(w->args[i][a]);
      free(w->args[i]);
    }
    if (w->results)
      vec_free(w->results[i]);
  }
  free(w->sorts);
  free(w->args);
  free(w->results);
  free(w->fns);
  ex_mem_release(op->q, w->charged);
}

static const ex_op_vt window_vt = {"window", window_next, window_free};

bool ex_window_calls(const ex_op *op, const ex_window_fn **fns, int *nfns) {
  if (!op || op->vt != &window_vt)
    return false;
  *fns = ((const win_op *)op)->fns;
  *nfns = ((const win_op *)op)->nfns;
  return true;
}

sbd_status ex_window_new(ex_query *q, ex_op *child, const ex_window_fn *fns, int nfns,
                         const char *const *names, ex_op **out) {
  *out = NULL;
  win_op *w = sbd_calloc(q->ctx, 1, sizeof(*w));
  if (!w) {
    ex_op_free(child);
    return SBD_ENOMEM;
  }
  w->op.vt = &window_vt;
  w->op.q = q;
  w->op.child = child;
  w->nfns = nfns;
  int nin = child->schema->ncols;
  w->op.schema = schema_new(q->ctx, nin + nfns);
  w->fns = sbd_malloc(q->ctx, sizeof(ex_window_fn) * (size_t)(nfns ? nfns : 1));
  w->sorts = sbd_calloc(q->ctx, (size_t)(nfns ? nfns : 1), sizeof(win_sort));
  w->args = sbd_calloc(q->ctx, (size_t)(nfns ? nfns : 1), sizeof(sbd_vec **));
  w->results = sbd_calloc(q->ctx, (size_t)(nfns ? nfns : 1), sizeof(sbd_vec *));
  sbd_status st = w->op.schema && w->fns && w->sorts && w->args && w->results ? SBD_OK : SBD_ENOMEM;
  for (int c = 0; c < nin && st == SBD_OK; c++)
    st = schema_set(q->ctx, w->op.schema, c, child->schema->fields[c].name,
                    child->schema->fields[c].type);
  for (int i = 0; i < nfns && st == SBD_OK; i++)
    st = schema_set(q->ctx, w->op.schema, nin + i, names[i], fns[i].type);
  if (st != SBD_OK) {
    ex_op_free(&w->op);
    return st;
  }
  memcpy(w->fns, fns, sizeof(ex_window_fn) * (size_t)nfns);
  *out = &w->op;
  return SBD_OK;
}
