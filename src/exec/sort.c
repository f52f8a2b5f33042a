/*
 * sort.c — ORDER BY: gathers the child's rows into one vector per column (accounted as query
 * memory), sorts a permutation of row numbers with a stable merge sort, and hands the rows out in
 * that order, SBD_BATCH_ROWS at a time.
 *
 * Keys compare by ex_vec_compare (strings by bytes, NaN greatest) with NULLs first or last as
 * each key says.
 *
 * Sorting. Each row gets a 64-bit prefix of its first key (ex_sort_prefix: NULLs, DESC and NaN
 * folded in, so that unsigned order is the key's order wherever prefixes differ), and the (prefix,
 * row) pairs are sorted by an LSD radix sort on the prefix, one pass per byte that is not the same
 * in every row: stable, so rows of equal prefixes stay in input order. Only the runs of equal
 * prefixes are then ordered further (order_run): a run whose rows are equal on the key (always so
 * for a numeric key without NULLs; checked for strings, whose prefix is their first 8 bytes) is
 * radix sorted by the next key's prefix in turn; any other run (long strings that differ after 8
 * bytes, a NULL sharing a prefix with an extreme value) by the full comparison (a stable merge
 * sort). Numeric keys and short strings are thus sorted by radix passes with few comparisons.
 *
 * Top-N. Under ORDER BY ... LIMIT n OFFSET m the binder sets a bound (ex_sort_set_limit: n + m
 * rows); only those rows can reach the output. The buffer then never holds much more than the
 * bound: whenever it reaches bound + max(bound, SBD_BATCH_ROWS) rows it is sorted and cut to its
 * first bound rows. This keeps ties in input order, as the full sort does: the rows kept are in
 * sorted (stable) order and all come before the rows appended after them, so a stable sort of the
 * buffer orders equal keys by input position again. After a cut, the last row kept is a threshold:
 * an input row that does not sort strictly before it can never be among the first bound rows (an
 * equal one comes later in the input), so it is not even buffered, and most rows of a large input
 * cost one comparison.
 *
 * A later version will sort runs of a bounded size and merge them, so that a run can be spilled
 * to disk; the permutation sort over whole columns is that run's sort.
 */
#include "exec/exec_int.h"

#include <stdlib.h>
#include <string.h>

typedef struct sort_op {
  ex_op op;
  ex_sort_key *keys;
  int nkeys;
  sbd_vec **cols; /* all rows of the child, one vector per column */
  int64_t nrows;
  int64_t *perm;
  int64_t next_row; /* the next position in perm to hand out */
  bool sorted;
  int64_t charged;
  int64_t bound;     /* at most this many rows are handed out; -1: no bound */
  int64_t peak_rows; /* the most rows buffered at once (for tests) */
  int64_t threshold; /* top-N: the buffer's row every new row must beat; -1: none yet */
  int64_t *sel;      /* top-N: the rows of an input batch that beat it */
} sort_op;

/* Compares rows i and j on key k alone. */
static int compare_key(const sort_op *s, int k, int64_t i, int64_t j) {
  const ex_sort_key *key = &s->keys[k];
  const sbd_vec *v = s->cols[key->col];
  bool vi = vec_is_valid(v, i), vj = vec_is_valid(v, j);
  if (!vi || !vj) {
    if (vi == vj)
      return 0;
    /* NULL first: the NULL is smaller, whatever the direction. */
    return (!vi) == key->nulls_first ? -1 : 1;
  }
  int c = ex_vec_compare(v, i, v, j);
  return key->desc ? -c : c;
}

static int compare_rows(const sort_op *s, int64_t i, int64_t j) {
  for (int k = 0; k < s->nkeys; k++) {
    int c = compare_key(s, k, i, j);
    if (c)
      return c;
  }
  return 0;
}

/* Compares row i of batch b with buffered row j, as compare_rows does. */
static int compare_input(const sort_op *s, const sbd_batch *b, int64_t i, int64_t j) {
  for (int k = 0; k < s->nkeys; k++) {
    const ex_sort_key *key = &s->keys[k];
    const sbd_vec *x = b->cols[key->col], *y = s->cols[key->col];
    bool vi = vec_is_valid(x, i), vj = vec_is_valid(y, j);
    if (!vi || !vj) {
      if (vi == vj)
        continue;
      return (!vi) == key->nulls_first ? -1 : 1;
    }
    int c = ex_vec_compare(x, i, y, j);
    if (c)
      return key->desc ? -c : c;
  }
  return 0;
}

/* A stable merge sort of a[0..n) using tmp[0..n). */
static void merge_sort(const sort_op *s, int64_t *a, int64_t *tmp, int64_t n) {
  /* Insertion sort of runs of 16, then bottom-up merges. */
  const int64_t run = 16;
  for (int64_t lo = 0; lo < n; lo += run) {
    int64_t hi = lo + run < n ? lo + run : n;
    for (int64_t i = lo + 1; i < hi; i++) {
      int64_t x = a[i], j = i;
      while (j > lo && compare_rows(s, a[j - 1], x) > 0) {
        a[j] = a[j - 1];
        j--;
      }
      a[j] = x;
    }
  }
  int64_t *src = a, *dst = tmp;
  for (int64_t width = run; width < n; width *= 2) {
    for (int64_t lo = 0; lo < n; lo += 2 * width) {
      int64_t mid = lo + width < n ? lo + width : n, hi = lo + 2 * width < n ? lo + 2 * width : n;
      int64_t i = lo, j = mid, k = lo;
      while (i < mid && j < hi)
        dst[k++] = compare_rows(s, src[j], src[i]) < 0 ? src[j++] : src[i++];
      while (i < mid)
        dst[k++] = src[i++];
      while (j < hi)
        dst[k++] = src[j++];
    }
    int64_t *t = src;
    src = dst;
    dst = t;
  }
  if (src != a)
    memcpy(a, src, sizeof(int64_t) * (size_t)n);
}

static int64_t buffer_bytes(const sort_op *s) {
  int64_t bytes = 0;
  for (int c = 0; c < s->op.schema->ncols; c++)
    bytes += s->cols[c]->cap * (int64_t)type_width(s->cols[c]->type) + s->cols[c]->bytes_cap;
  return bytes;
}

/* A row to sort: its first key's prefix and its row number. */
typedef struct sort_item {
  uint64_t prefix;
  int64_t row;
} sort_item;

/* A stable LSD radix sort of a[0..n) by prefix, using tmp[0..n); the result is in a. */
static void radix_sort(sort_item *a, sort_item *tmp, int64_t n) {
  int64_t count[256];
  sort_item *src = a, *dst = tmp;
  for (int shift = 0; shift < 64; shift += 8) {
    memset(count, 0, sizeof(count));
    for (int64_t i = 0; i < n; i++)
      count[(src[i].prefix >> shift) & 0xff]++;
    if (count[(src[0].prefix >> shift) & 0xff] == n)
      continue; /* the same byte in every row: nothing to do */
    int64_t at = 0;
    for (int b = 0; b < 256; b++) {
      int64_t c = count[b];
      count[b] = at;
      at += c;
    }
    for (int64_t i = 0; i < n; i++)
      dst[count[(src[i].prefix >> shift) & 0xff]++] = src[i];
    sort_item *t = src;
    src = dst;
    dst = t;
  }
  if (src != a)
    memcpy(a, src, sizeof(sort_item) * (size_t)n);
}

/* Whether equal prefixes of key k mean equal values: a fixed-width type without NULLs. */
static bool prefix_exact(const sort_op *s, int k) {
  const sbd_vec *v = s->cols[s->keys[k].col];
  return v->null_count == 0 &&
         (v->type == SBD_INT64 || v->type == SBD_DOUBLE || v->type == SBD_DATE ||
          v->type == SBD_TIMESTAMP || v->type == SBD_BOOL);
}

/* Orders items[lo, hi), which have equal prefixes of key k and are in input order. When the run
 * is equal on key k, it is radix sorted by the next key's prefix and each of its runs ordered the
 * same way; otherwise (a string longer than its prefix, a NULL beside an extreme value) it is
 * merge sorted by the full comparison. */
static void order_run(const sort_op *s, sort_item *items, sort_item *itmp, int64_t *tmp, int64_t lo,
                      int64_t hi, int k) {
  int64_t n = hi - lo;
  bool equal = prefix_exact(s, k);
  for (int64_t i = lo + 1; i < hi && !equal; i++)
    if (compare_key(s, k, items[lo].row, items[i].row) != 0)
      break;
    else if (i == hi - 1)
      equal = true;
  if (equal && k + 1 == s->nkeys)
    return; /* every key equal: input order is the order */
  if (!equal || n < 64) {
    int64_t *rows = tmp + n; /* tmp has room for 2n */
    for (int64_t i = 0; i < n; i++)
      rows[i] = items[lo + i].row;
    merge_sort(s, rows, tmp, n);
    for (int64_t i = 0; i < n; i++)
      items[lo + i].row = rows[i];
    return;
  }
  const sbd_vec *v = s->cols[s->keys[k + 1].col];
  for (int64_t i = lo; i < hi; i++)
    items[i].prefix = ex_sort_prefix(v, &s->keys[k + 1], items[i].row);
  radix_sort(items + lo, itmp + lo, n);
  for (int64_t a = lo; a < hi;) {
    int64_t b = a + 1;
    while (b < hi && items[b].prefix == items[a].prefix)
      b++;
    if (b - a > 1 && !(k + 2 == s->nkeys && prefix_exact(s, k + 1)))
      order_run(s, items, itmp, tmp, a, b, k + 1);
    a = b;
  }
}

/* Sorts the buffered rows into a new permutation s->perm (stable). */
static sbd_status sort_buffer(sort_op *s) {
  sbd_ctx *ctx = s->op.q->ctx;
  int64_t n = s->nrows;
  size_t rows = (size_t)(n ? n : 1);
  free(s->perm);
  s->perm = sbd_malloc(ctx, sizeof(int64_t) * rows);
  int64_t *tmp = sbd_malloc(ctx, sizeof(int64_t) * rows * 2);
  sort_item *items = s->nkeys ? sbd_malloc(ctx, sizeof(sort_item) * rows) : NULL;
  sort_item *itmp = s->nkeys ? sbd_malloc(ctx, sizeof(sort_item) * rows) : NULL;
  if (!s->perm || !tmp || (s->nkeys && (!items || !itmp))) {
    free(tmp);
    free(items);
    free(itmp);
    return SBD_ENOMEM;
  }
  if (s->nkeys == 0 || n < 2) {
    for (int64_t i = 0; i < n; i++)
      s->perm[i] = i;
  } else {
    const sbd_vec *v = s->cols[s->keys[0].col];
    for (int64_t i = 0; i < n; i++)
      items[i] = (sort_item){ex_sort_prefix(v, &s->keys[0], i), i};
    radix_sort(items, itmp, n);
    /* Runs of equal prefixes that the prefix does not order completely. */
    bool exact = s->nkeys == 1 && prefix_exact(s, 0);
    for (int64_t lo = 0; lo < n && !exact;) {
      int64_t hi = lo + 1;
      while (hi < n && items[hi].prefix == items[lo].prefix)
        hi++;
      if (hi - lo > 1)
        order_run(s, items, itmp, tmp, lo, hi, 0);
      lo = hi;
    }
    for (int64_t i = 0; i < n; i++)
      s->perm[i] = items[i].row;
  }
  free(tmp);
  free(items);
  free(itmp);
  return SBD_OK;
}

/* Top-N: sorts the buffer and keeps its first s->bound rows, in sorted order. */
static sbd_status cut_to_bound(sort_op *s) {
  ex_query *q = s->op.q;
  int ncols = s->op.schema->ncols;
  RETURN_IF_ERROR(sort_buffer(s));
  int64_t keep = s->bound < s->nrows ? s->bound : s->nrows;
  for (int c = 0; c < ncols; c++) {
    sbd_vec *v = vec_new(q->ctx, s->cols[c]->type, keep);
    sbd_status st = v ? ex_vec_gather(q->ctx, v, s->cols[c], s->perm, keep) : SBD_ENOMEM;
    if (st != SBD_OK) {
      vec_free(v);
      return st;
    }
    vec_free(s->cols[c]);
    s->cols[c] = v;
  }
  s->nrows = keep;
  s->threshold = keep == s->bound && keep > 0 ? keep - 1 : -1;
  free(s->perm);
  s->perm = NULL;
  int64_t now = buffer_bytes(s);
  ex_mem_release(q, s->charged);
  s->charged = 0;
  RETURN_IF_ERROR(ex_mem_charge(q, now));
  s->charged = now;
  return SBD_OK;
}

static sbd_status gather_input(sort_op *s) {
  ex_query *q = s->op.q;
  int64_t slack = s->bound > SBD_BATCH_ROWS ? s->bound : SBD_BATCH_ROWS;
  for (;;) {
    if (s->bound >= 0 && s->nrows >= s->bound + slack)
      RETURN_IF_ERROR(cut_to_bound(s));
    sbd_batch *b;
    RETURN_IF_ERROR(ex_op_next(s->op.child, &b));
    if (!b)
      return SBD_OK;
    /* Top-N: only the rows that beat the threshold (none when nothing is wanted). */
    int64_t n = b->nrows;
    if (s->bound == 0) {
      n = 0;
    } else if (s->threshold >= 0 && s->sel) {
      n = 0;
      for (int64_t i = 0; i < b->nrows; i++) {
        s->sel[n] = i;
        n += compare_input(s, b, i, s->threshold) < 0;
      }
    }
    sbd_status st = SBD_OK;
    int64_t bytes = 0;
    for (int c = 0; c < b->ncols && st == SBD_OK && n > 0; c++) {
      int64_t before =
          s->cols[c]->cap * (int64_t)type_width(s->cols[c]->type) + s->cols[c]->bytes_cap;
      st = n == b->nrows ? ex_vec_append(q->ctx, s->cols[c], b->cols[c], 0, n)
                         : ex_vec_gather(q->ctx, s->cols[c], b->cols[c], s->sel, n);
      bytes +=
          s->cols[c]->cap * (int64_t)type_width(s->cols[c]->type) + s->cols[c]->bytes_cap - before;
    }
    s->nrows += n;
    if (s->nrows > s->peak_rows)
      s->peak_rows = s->nrows;
    sbd_batch_free(b);
    RETURN_IF_ERROR(st);
    s->charged += bytes;
    RETURN_IF_ERROR(ex_mem_charge(q, bytes));
  }
}

static sbd_status sort_next(ex_op *op, sbd_batch **out) {
  sort_op *s = (sort_op *)op;
  sbd_ctx *ctx = op->q->ctx;
  if (!s->sorted) {
    RETURN_IF_ERROR(gather_input(s));
    s->sorted = true;
    RETURN_IF_ERROR(sort_buffer(s));
    if (s->bound >= 0 && s->nrows > s->bound)
      s->nrows = s->bound; /* the rows past the bound are never handed out */
  }
  int64_t n = s->nrows - s->next_row;
  if (n <= 0)
    return SBD_OK;
  if (n > SBD_BATCH_ROWS)
    n = SBD_BATCH_ROWS;
  sbd_batch *b = batch_new(ctx, op->schema, n);
  if (!b)
    return SBD_ENOMEM;
  for (int c = 0; c < b->ncols; c++) {
    sbd_status st = ex_vec_gather(ctx, b->cols[c], s->cols[c], s->perm + s->next_row, n);
    if (st != SBD_OK) {
      sbd_batch_free(b);
      return st;
    }
  }
  b->nrows = n;
  s->next_row += n;
  *out = b;
  return SBD_OK;
}

static void sort_free(ex_op *op) {
  sort_op *s = (sort_op *)op;
  if (s->cols)
    for (int c = 0; c < op->schema->ncols; c++)
      vec_free(s->cols[c]);
  free(s->cols);
  free(s->keys);
  free(s->perm);
  free(s->sel);
  ex_mem_release(op->q, s->charged);
}

static const ex_op_vt sort_vt = {"sort", sort_next, sort_free};

sbd_status ex_sort_new(ex_query *q, ex_op *child, const ex_sort_key *keys, int nkeys, ex_op **out) {
  sort_op *s = sbd_calloc(q->ctx, 1, sizeof(*s));
  if (!s) {
    ex_op_free(child);
    return SBD_ENOMEM;
  }
  s->op.vt = &sort_vt;
  s->op.q = q;
  s->op.child = child;
  s->op.schema = schema_ref(child->schema);
  int ncols = child->schema->ncols;
  s->cols = sbd_calloc(q->ctx, (size_t)(ncols ? ncols : 1), sizeof(sbd_vec *));
  s->keys = sbd_malloc(q->ctx, sizeof(ex_sort_key) * (size_t)(nkeys ? nkeys : 1));
  sbd_status st = s->cols && s->keys ? SBD_OK : SBD_ENOMEM;
  for (int c = 0; c < ncols && st == SBD_OK; c++) {
    s->cols[c] = vec_new(q->ctx, child->schema->fields[c].type, 0);
    st = s->cols[c] ? SBD_OK : SBD_ENOMEM;
  }
  if (st != SBD_OK) {
    ex_op_free(&s->op);
    return st;
  }
  memcpy(s->keys, keys, sizeof(ex_sort_key) * (size_t)nkeys);
  s->nkeys = nkeys;
  s->bound = -1;
  s->threshold = -1;
  *out = &s->op;
  return SBD_OK;
}

void ex_sort_set_limit(ex_op *op, int64_t rows) {
  if (op->vt != &sort_vt || rows < 0)
    return;
  sort_op *s = (sort_op *)op;
  free(s->sel);
  s->sel = malloc(sizeof(int64_t) * SBD_BATCH_ROWS);
  /* Without room for the selection, the buffer is still bounded, only without the threshold. */
  s->bound = rows;
}

int64_t ex_sort_buffered_peak(const ex_op *op) {
  return op->vt == &sort_vt ? ((const sort_op *)op)->peak_rows : -1;
}
