/*
 * join.c — the hash join: INNER, LEFT, RIGHT and FULL, and CROSS (a join without keys).
 *
 * The build input is read whole first, its key expressions evaluated and hashed a batch at a
 * time (ex_vec_hash, xxHash3), and its rows (keys and columns) appended to one of
 * JOIN_PARTITIONS partitions chosen by the top bits of the hash. Each partition is a set
 * of column vectors with its own chained hash table (heads per bucket, next per row) over its
 * rows, so a later issue can write a partition to disk and join it back in a second pass; the
 * bytes of every partition are charged to the query (ex_mem_charge) as they grow. The binder
 * builds on the right side, as DuckDB's plan does when it cannot tell sizes, or on the left when
 * Parquet footers say it is smaller (then build_first keeps the output's columns in SQL order and
 * the join type is mirrored: a LEFT join keeps the build side's unmatched rows).
 *
 * The probe input is streamed: the keys of a whole batch are evaluated and hashed at once, then
 * each row walks its bucket's chain comparing hashes, then keys by type (ex_vec_compare: -0 equals
 * 0 and NaN equals NaN, as in DuckDB). Rows with a NULL key never match (and, on the build side,
 * are not put in the chains). Candidate pairs are gathered into an output batch of at most
 * SBD_BATCH_ROWS rows (a row with many matches continues in the next batch: the probe position is
 * kept between calls), the residual condition is evaluated over that batch, and only pairs where it
 * is true count as matches: this is how an outer join's ON treats conditions beyond the keys. After
 * a probe batch, LEFT and FULL emit its unmatched rows with NULLs for the build columns; at the
 * end, RIGHT and FULL emit the build rows that never matched with NULLs for the probe columns.
 *
 * A MARK join (ex_hash_join_mark) is how the binder runs IN (SELECT ...) and EXISTS: it hands out
 * every probe row once, with one BOOL column saying whether it found a match. Rows are marked in
 * pmatched as they are probed (FLAG_MATCHED; FLAG_MAYBE when the residual was NULL for some pair,
 * which three-valued IN turns into NULL) and the batch is emitted whole once probed. Without a
 * residual a row stops at its first match, so EXISTS over a large group costs one comparison.
 */
#include "exec/exec_int.h"

#include <stdlib.h>
#include <string.h>

#define JOIN_PARTITIONS 16
#define JOIN_HASH_SEED 0x9e3779b97f4a7c15ull
#define FLAG_MATCHED 1
#define FLAG_NO_KEY 2 /* a NULL key: kept only to be emitted by RIGHT and FULL */
#define FLAG_MAYBE 4  /* MARK: the residual was NULL for some pair of this probe row */

typedef struct join_part {
  sbd_vec **keys; /* nkeys vectors, the build keys' values */
  sbd_vec **cols; /* the build side's columns */
  uint64_t *hashes;
  uint8_t *flags;
  int64_t n, cap;
  int64_t *heads; /* nbuckets (a power of two), -1 for empty; after the build */
  int64_t *next;  /* n rows, -1 ends a chain */
  int64_t mask;
} join_part;

typedef struct join_op {
  ex_op op; /* child: the probe side */
  ex_op *build;
  ex_join_type type;
  ex_expr *const *probe_keys;
  ex_expr *const *build_keys;
  int nkeys;       /* the equalities, hashed */
  int nstore;      /* the key values kept: the equalities', then ASOF's inequality's */
  ex_op_code asof; /* 0, or EX_GE, EX_GT, EX_LE, EX_LT: probe value op build value */
  const ex_expr *residual;
  int nprobe, nbuild; /* columns */
  bool build_first;   /* the output has the build side's columns first */
  join_part parts[JOIN_PARTITIONS];
  int64_t build_rows;
  int64_t charged;
  bool built, probe_done;
  /* The probe batch being joined and where its row prow stands. */
  sbd_batch *pb;
  sbd_vec **pkeys;
  uint64_t *ph;
  uint8_t *pmatched;
  int64_t prow;
  bool in_chain;
  int cur_part;
  int64_t cur_row;
  /* The emission of unmatched build rows. */
  int emit_part;
  int64_t emit_row;
  /* Pairs of the output batch being made, and a sorting buffer. */
  int64_t *pair_probe, *pair_build, *sort_probe, *sort_build, *sel;
  int *pair_part;
  /* MARK joins: pairs are made (for the residual) in pair_schema, the output is op.schema. */
  bool mark, null_aware;
  bool build_any, build_null; /* the build side had rows; one of them with a NULL key */
  sbd_schema *pair_schema;
} join_op;

/* Where probe column c and build column c are in the output. */
static int probe_pos(const join_op *j, int c) {
  return j->build_first ? j->nbuild + c : c;
}

static int build_pos(const join_op *j, int c) {
  return j->build_first ? c : j->nprobe + c;
}

static int64_t vec_bytes(const sbd_vec *v) {
  return v->cap * (int64_t)type_width(v->type) + v->bytes_cap +
         (v->validity ? (v->cap + 63) / 64 * 8 : 0);
}

static sbd_status charge(join_op *j, int64_t bytes) {
  j->charged += bytes;
  return ex_mem_charge(j->op.q, bytes);
}

/* A vector of n NULLs. */
static sbd_status null_vec(sbd_ctx *ctx, sbd_type type, int64_t n, sbd_vec **out) {
  sbd_vec *v = vec_new(ctx, type, n ? n : 1);
  if (!v)
    return SBD_ENOMEM;
  sbd_status st = vec_reserve(ctx, v, n, 0);
  for (int64_t i = 0; i < n && st == SBD_OK; i++)
    st = vec_push_null(ctx, v);
  if (st != SBD_OK) {
    vec_free(v);
    return st;
  }
  *out = v;
  return SBD_OK;
}

/* Hashes the key vectors keys[0..nhash) (each of rows rows) into h; sets nokey[i] when one of
 * keys[0..nkeys) is NULL in row i. */
static void hash_keys(sbd_vec **keys, int nhash, int nkeys, int64_t rows, uint64_t *h,
                      uint8_t *nokey) {
  for (int64_t i = 0; i < rows; i++) {
    h[i] = JOIN_HASH_SEED;
    nokey[i] = 0;
  }
  for (int k = 0; k < nkeys; k++) {
    if (k < nhash)
      ex_vec_hash(keys[k], h);
    if (keys[k]->null_count)
      for (int64_t i = 0; i < rows; i++)
        nokey[i] |= !vec_is_valid(keys[k], i);
  }
  for (int64_t i = 0; i < rows; i++)
    h[i] = hash_u64(h[i]);
}

static int part_of(uint64_t h) {
  return (int)(h >> 60) & (JOIN_PARTITIONS - 1);
}

static sbd_status eval_keys(ex_query *q, ex_expr *const *exprs, int n, const sbd_batch *b,
                            sbd_vec **out) {
  for (int k = 0; k < n; k++) {
    sbd_status st = ex_eval(q, exprs[k], b, &out[k]);
    if (st != SBD_OK) {
      for (int i = 0; i < k; i++) {
        vec_free(out[i]);
        out[i] = NULL;
      }
      return st;
    }
  }
  return SBD_OK;
}

static sbd_status part_grow(join_op *j, join_part *p, int64_t need) {
  if (p->n + need <= p->cap)
    return SBD_OK;
  int64_t cap = p->cap ? p->cap * 2 : 1024;
  while (cap < p->n + need)
    cap *= 2;
  uint64_t *h = realloc(p->hashes, sizeof(uint64_t) * (size_t)cap);
  if (h)
    p->hashes = h;
  uint8_t *f = h ? realloc(p->flags, (size_t)cap) : NULL;
  if (f)
    p->flags = f;
  if (!h || !f)
    return sbd_error(j->op.q->ctx, SBD_ENOMEM, "out of memory");
  RETURN_IF_ERROR(charge(j, (cap - p->cap) * 9));
  p->cap = cap;
  return SBD_OK;
}

/* Appends the rows idx[0..n) of a build batch (its keys in keys) to partition p. */
static sbd_status part_append(join_op *j, join_part *p, const sbd_batch *b, sbd_vec **keys,
                              const int64_t *idx, int64_t n, const uint64_t *h,
                              const uint8_t *nokey) {
  sbd_ctx *ctx = j->op.q->ctx;
  RETURN_IF_ERROR(part_grow(j, p, n));
  for (int64_t i = 0; i < n; i++) {
    p->hashes[p->n + i] = h[idx[i]];
    p->flags[p->n + i] = nokey[idx[i]] ? FLAG_NO_KEY : 0;
  }
  int64_t before = 0, after = 0;
  for (int k = 0; k < j->nstore; k++) {
    before += vec_bytes(p->keys[k]);
    RETURN_IF_ERROR(ex_vec_gather(ctx, p->keys[k], keys[k], idx, n));
    after += vec_bytes(p->keys[k]);
  }
  for (int c = 0; c < j->nbuild; c++) {
    before += vec_bytes(p->cols[c]);
    RETURN_IF_ERROR(ex_vec_gather(ctx, p->cols[c], b->cols[c], idx, n));
    after += vec_bytes(p->cols[c]);
  }
  p->n += n;
  return charge(j, after - before);
}

/* Chains the rows of a partition into its hash table. */
static sbd_status part_index(join_op *j, join_part *p) {
  int64_t nb = 16;
  while (nb < 2 * p->n)
    nb *= 2;
  p->heads = malloc(sizeof(int64_t) * (size_t)nb);
  p->next = malloc(sizeof(int64_t) * (size_t)(p->n ? p->n : 1));
  if (!p->heads || !p->next)
    return sbd_error(j->op.q->ctx, SBD_ENOMEM, "out of memory");
  RETURN_IF_ERROR(charge(j, 8 * (nb + p->n)));
  p->mask = nb - 1;
  for (int64_t i = 0; i < nb; i++)
    p->heads[i] = -1;
  for (int64_t r = 0; r < p->n; r++) {
    p->next[r] = -1;
    if (p->flags[r] & FLAG_NO_KEY)
      continue;
    int64_t bkt = (int64_t)(p->hashes[r] & (uint64_t)p->mask);
    p->next[r] = p->heads[bkt];
    p->heads[bkt] = r;
  }
  return SBD_OK;
}

/* Reads the whole build side into the partitions and indexes them. */
static sbd_status build_all(join_op *j) {
  ex_query *q = j->op.q;
  sbd_ctx *ctx = q->ctx;
  const sbd_schema *bs = j->build->schema;
  for (int p = 0; p < JOIN_PARTITIONS; p++) {
    join_part *pt = &j->parts[p];
    pt->keys = sbd_calloc(ctx, (size_t)(j->nstore ? j->nstore : 1), sizeof(sbd_vec *));
    pt->cols = sbd_calloc(ctx, (size_t)(j->nbuild ? j->nbuild : 1), sizeof(sbd_vec *));
    if (!pt->keys || !pt->cols)
      return SBD_ENOMEM;
    for (int k = 0; k < j->nstore; k++)
      if (!(pt->keys[k] = vec_new(ctx, j->build_keys[k]->type, 16)))
        return SBD_ENOMEM;
    for (int c = 0; c < j->nbuild; c++)
      if (!(pt->cols[c] = vec_new(ctx, bs->fields[c].type, 16)))
        return SBD_ENOMEM;
  }
  bool keep_nokey = j->type == EX_JOIN_RIGHT || j->type == EX_JOIN_FULL;
  sbd_vec **keys = sbd_calloc(ctx, (size_t)(j->nstore ? j->nstore : 1), sizeof(sbd_vec *));
  uint64_t *h = sbd_malloc(ctx, sizeof(uint64_t) * SBD_BATCH_ROWS);
  uint8_t *nokey = sbd_malloc(ctx, SBD_BATCH_ROWS);
  int64_t *idx = sbd_malloc(ctx, sizeof(int64_t) * SBD_BATCH_ROWS);
  int64_t counts[JOIN_PARTITIONS + 1];
  sbd_status st = keys && h && nokey && idx ? SBD_OK : SBD_ENOMEM;
  while (st == SBD_OK) {
    sbd_batch *b;
    st = ex_op_next(j->build, &b);
    if (st != SBD_OK || !b)
      break;
    int64_t rows = b->nrows;
    if (rows > SBD_BATCH_ROWS) {
      sbd_batch_free(b);
      st = sbd_error(ctx, SBD_EINTERNAL, "join: a batch of %lld rows", (long long)rows);
      break;
    }
    st = eval_keys(q, j->build_keys, j->nstore, b, keys);
    if (st == SBD_OK) {
      hash_keys(keys, j->nkeys, j->nstore, rows, h, nokey);
      j->build_any |= rows > 0;
      for (int64_t i = 0; i < rows && j->mark && !j->build_null; i++)
        j->build_null = nokey[i];
      /* Counting sort of the rows by partition, dropping NULL keys nobody will emit. */
      memset(counts, 0, sizeof(counts));
      for (int64_t i = 0; i < rows; i++)
        if (!nokey[i] || keep_nokey)
          counts[part_of(h[i]) + 1]++;
      for (int p = 0; p < JOIN_PARTITIONS; p++)
        counts[p + 1] += counts[p];
      int64_t at[JOIN_PARTITIONS];
      memcpy(at, counts, sizeof(at));
      for (int64_t i = 0; i < rows; i++)
        if (!nokey[i] || keep_nokey)
          idx[at[part_of(h[i])]++] = i;
      for (int p = 0; p < JOIN_PARTITIONS && st == SBD_OK; p++)
        if (counts[p + 1] > counts[p])
          st = part_append(j, &j->parts[p], b, keys, idx + counts[p], counts[p + 1] - counts[p], h,
                           nokey);
      j->build_rows += counts[JOIN_PARTITIONS];
      for (int k = 0; k < j->nstore; k++) {
        vec_free(keys[k]);
        keys[k] = NULL;
      }
    }
    sbd_batch_free(b);
  }
  free(keys);
  free(h);
  free(nokey);
  free(idx);
  for (int p = 0; p < JOIN_PARTITIONS && st == SBD_OK; p++)
    st = part_index(j, &j->parts[p]);
  j->built = true;
  return st;
}

static void drop_probe_batch(join_op *j) {
  sbd_batch_free(j->pb);
  j->pb = NULL;
  for (int k = 0; k < j->nstore; k++) {
    vec_free(j->pkeys[k]);
    j->pkeys[k] = NULL;
  }
}

static bool keys_equal(const join_op *j, const join_part *p, int64_t prow, int64_t brow) {
  for (int k = 0; k < j->nkeys; k++)
    if (ex_vec_compare(j->pkeys[k], prow, p->keys[k], brow) != 0)
      return false;
  return true;
}

/* ASOF: each probe row of the batch with the one build row of equal keys whose inequality value
 * is the closest that satisfies the inequality (the greatest for >= and >, the least for <= and
 * <). */
static int64_t collect_asof_pairs(join_op *j) {
  int64_t n = 0;
  const sbd_vec *pv = j->pkeys[j->nkeys];
  for (; j->prow < j->pb->nrows; j->prow++) {
    int64_t r = j->prow;
    if (j->pmatched[r] & FLAG_NO_KEY)
      continue;
    int part = part_of(j->ph[r]);
    const join_part *p = &j->parts[part];
    const sbd_vec *bv = p->keys[j->nkeys];
    bool greatest = j->asof == EX_GE || j->asof == EX_GT;
    int64_t best = -1;
    for (int64_t b = p->heads[j->ph[r] & (uint64_t)p->mask]; b >= 0; b = p->next[b]) {
      if (p->hashes[b] != j->ph[r] || !keys_equal(j, p, r, b))
        continue;
      int c = ex_vec_compare(pv, r, bv, b);
      bool ok = j->asof == EX_GE   ? c >= 0
                : j->asof == EX_GT ? c > 0
                : j->asof == EX_LE ? c <= 0
                                   : c < 0;
      if (!ok)
        continue;
      if (best < 0 ||
          (greatest ? ex_vec_compare(bv, b, bv, best) > 0 : ex_vec_compare(bv, b, bv, best) < 0))
        best = b;
    }
    if (best >= 0) {
      j->pair_probe[n] = r;
      j->pair_build[n] = best;
      j->pair_part[n] = part;
      n++;
    }
  }
  return n;
}

/* MARK without a residual: marks each row of the probe batch that has a match, stopping at the
 * first one. Makes no pairs. */
static int64_t mark_first_matches(join_op *j) {
  for (; j->prow < j->pb->nrows; j->prow++) {
    int64_t r = j->prow;
    if (j->pmatched[r] & FLAG_NO_KEY)
      continue;
    const join_part *p = &j->parts[part_of(j->ph[r])];
    for (int64_t b = p->heads[j->ph[r] & (uint64_t)p->mask]; b >= 0; b = p->next[b])
      if (p->hashes[b] == j->ph[r] && keys_equal(j, p, r, b)) {
        j->pmatched[r] |= FLAG_MATCHED;
        break;
      }
  }
  return 0;
}

/* Collects up to SBD_BATCH_ROWS candidate pairs from where the probe batch stands. */
static int64_t collect_pairs(join_op *j) {
  int64_t n = 0;
  if (j->asof)
    return collect_asof_pairs(j);
  if (j->mark && !j->residual)
    return mark_first_matches(j);
  while (j->prow < j->pb->nrows && n < SBD_BATCH_ROWS) {
    int64_t r = j->prow;
    if (!j->in_chain) {
      if (j->pmatched[r] & FLAG_NO_KEY) {
        j->prow++;
        continue;
      }
      j->cur_part = part_of(j->ph[r]);
      const join_part *p = &j->parts[j->cur_part];
      j->cur_row = p->heads[j->ph[r] & (uint64_t)p->mask];
      j->in_chain = true;
    }
    const join_part *p = &j->parts[j->cur_part];
    while (j->cur_row >= 0 && n < SBD_BATCH_ROWS) {
      int64_t b = j->cur_row;
      j->cur_row = p->next[b];
      if (p->hashes[b] == j->ph[r] && keys_equal(j, p, r, b)) {
        j->pair_probe[n] = r;
        j->pair_build[n] = b;
        j->pair_part[n] = j->cur_part;
        n++;
      }
    }
    if (j->cur_row < 0) {
      j->in_chain = false;
      j->prow++;
    }
  }
  return n;
}

/* Keeps the rows sel[0..n) of *b (when fewer than all of them). */
static sbd_status select_rows(ex_query *q, sbd_batch **b, const int64_t *sel, int64_t n) {
  sbd_batch *in = *b;
  if (n == in->nrows)
    return SBD_OK;
  sbd_vec **cols = sbd_calloc(q->ctx, (size_t)(in->ncols ? in->ncols : 1), sizeof(sbd_vec *));
  sbd_status st = cols ? SBD_OK : SBD_ENOMEM;
  for (int c = 0; c < in->ncols && st == SBD_OK; c++) {
    cols[c] = vec_new(q->ctx, in->cols[c]->type, n ? n : 1);
    st = cols[c] ? ex_vec_gather(q->ctx, cols[c], in->cols[c], sel, n) : SBD_ENOMEM;
  }
  if (st == SBD_OK)
    st = ex_batch_of(q, in->schema, cols, n, b);
  else if (cols)
    for (int c = 0; c < in->ncols; c++)
      vec_free(cols[c]);
  free(cols);
  sbd_batch_free(in);
  if (st != SBD_OK)
    *b = NULL;
  return st;
}

/* Makes the output batch of the n pairs collected, keeps those the residual accepts and marks
 * them matched. *out is NULL when none is left. */
static sbd_status emit_pairs(join_op *j, int64_t n, sbd_batch **out) {
  ex_query *q = j->op.q;
  sbd_ctx *ctx = q->ctx;
  int64_t starts[JOIN_PARTITIONS + 1] = {0};
  for (int64_t i = 0; i < n; i++)
    starts[j->pair_part[i] + 1]++;
  for (int p = 0; p < JOIN_PARTITIONS; p++)
    starts[p + 1] += starts[p];
  int64_t at[JOIN_PARTITIONS];
  memcpy(at, starts, sizeof(at));
  for (int64_t i = 0; i < n; i++) {
    int64_t k = at[j->pair_part[i]]++;
    j->sort_probe[k] = j->pair_probe[i];
    j->sort_build[k] = j->pair_build[i];
  }
  int ncols = j->nprobe + j->nbuild;
  sbd_vec **cols = sbd_calloc(ctx, (size_t)(ncols ? ncols : 1), sizeof(sbd_vec *));
  sbd_status st = cols ? SBD_OK : SBD_ENOMEM;
  for (int c = 0; c < j->nprobe && st == SBD_OK; c++) {
    cols[probe_pos(j, c)] = vec_new(ctx, j->pb->cols[c]->type, n);
    st = cols[probe_pos(j, c)]
             ? ex_vec_gather(ctx, cols[probe_pos(j, c)], j->pb->cols[c], j->sort_probe, n)
             : SBD_ENOMEM;
  }
  for (int c = 0; c < j->nbuild && st == SBD_OK; c++) {
    sbd_vec *v = cols[build_pos(j, c)] = vec_new(ctx, j->build->schema->fields[c].type, n);
    st = v ? SBD_OK : SBD_ENOMEM;
    for (int p = 0; p < JOIN_PARTITIONS && st == SBD_OK; p++)
      st = ex_vec_gather(ctx, v, j->parts[p].cols[c], j->sort_build + starts[p],
                         starts[p + 1] - starts[p]);
  }
  sbd_batch *b = NULL;
  if (st == SBD_OK)
    st = ex_batch_of(q, j->pair_schema ? j->pair_schema : j->op.schema, cols, n, &b);
  else if (cols)
    for (int c = 0; c < ncols; c++)
      vec_free(cols[c]);
  free(cols);
  RETURN_IF_ERROR(st);
  int64_t nsel = 0;
  if (j->residual) {
    sbd_vec *r;
    st = ex_eval(q, j->residual, b, &r);
    if (st != SBD_OK) {
      sbd_batch_free(b);
      return st;
    }
    const uint8_t *x = r->values;
    for (int64_t i = 0; i < n; i++) {
      j->sel[nsel] = i;
      nsel += x[i] != 0 && vec_is_valid(r, i);
      if (j->mark && !vec_is_valid(r, i))
        j->pmatched[j->sort_probe[i]] |= FLAG_MAYBE;
    }
    vec_free(r);
  } else {
    for (int64_t i = 0; i < n; i++)
      j->sel[i] = i;
    nsel = n;
  }
  /* The pairs are in partition order: find each selected row's partition by its start. */
  int p = 0;
  for (int64_t s = 0; s < nsel; s++) {
    int64_t i = j->sel[s];
    while (i >= starts[p + 1])
      p++;
    j->pmatched[j->sort_probe[i]] |= FLAG_MATCHED;
    j->parts[p].flags[j->sort_build[i]] |= FLAG_MATCHED;
  }
  if (nsel == 0 || j->mark) {
    sbd_batch_free(b);
    return SBD_OK;
  }
  RETURN_IF_ERROR(select_rows(q, &b, j->sel, nsel));
  *out = b;
  return SBD_OK;
}

/* The probe rows of the batch without a match, NULL-extended (LEFT and FULL). */
static sbd_status emit_unmatched_probe(join_op *j, sbd_batch **out) {
  ex_query *q = j->op.q;
  int64_t n = 0;
  for (int64_t i = 0; i < j->pb->nrows; i++) {
    j->sel[n] = i;
    n += !(j->pmatched[i] & FLAG_MATCHED);
  }
  if (n == 0)
    return SBD_OK;
  int ncols = j->nprobe + j->nbuild;
  sbd_vec **cols = sbd_calloc(q->ctx, (size_t)(ncols ? ncols : 1), sizeof(sbd_vec *));
  sbd_status st = cols ? SBD_OK : SBD_ENOMEM;
  for (int c = 0; c < j->nprobe && st == SBD_OK; c++) {
    cols[probe_pos(j, c)] = vec_new(q->ctx, j->pb->cols[c]->type, n);
    st = cols[probe_pos(j, c)]
             ? ex_vec_gather(q->ctx, cols[probe_pos(j, c)], j->pb->cols[c], j->sel, n)
             : SBD_ENOMEM;
  }
  for (int c = 0; c < j->nbuild && st == SBD_OK; c++)
    st = null_vec(q->ctx, j->build->schema->fields[c].type, n, &cols[build_pos(j, c)]);
  if (st == SBD_OK)
    st = ex_batch_of(q, j->op.schema, cols, n, out);
  else if (cols)
    for (int c = 0; c < ncols; c++)
      vec_free(cols[c]);
  free(cols);
  return st;
}

/* MARK: the whole probe batch (its vectors taken from it) and the mark column: true when
 * matched; else NULL when a residual was NULL, or, null-aware (x IN (SELECT y)), when the build
 * side has rows and x or one of the ys is NULL; else false. */
static sbd_status emit_marked_probe(join_op *j, sbd_batch **out) {
  ex_query *q = j->op.q;
  int64_t n = j->pb->nrows;
  sbd_vec *m = vec_new(q->ctx, SBD_BOOL, n);
  sbd_vec **cols = sbd_calloc(q->ctx, (size_t)j->nprobe + 1, sizeof(sbd_vec *));
  if (!m || !cols) {
    vec_free(m);
    free(cols);
    return SBD_ENOMEM;
  }
  sbd_status st = SBD_OK;
  for (int64_t i = 0; i < n && st == SBD_OK; i++) {
    uint8_t f = j->pmatched[i];
    bool unknown = !(f & FLAG_MATCHED) &&
                   ((f & FLAG_MAYBE) ||
                    (j->null_aware && j->build_any && ((f & FLAG_NO_KEY) || j->build_null)));
    if (unknown)
      st = vec_push_null(q->ctx, m);
    else
      vec_push_bool(m, (f & FLAG_MATCHED) != 0);
  }
  if (st != SBD_OK) {
    vec_free(m);
    free(cols);
    return st;
  }
  for (int c = 0; c < j->nprobe; c++) {
    cols[c] = j->pb->cols[c];
    j->pb->cols[c] = NULL;
  }
  cols[j->nprobe] = m;
  st = ex_batch_of(q, j->op.schema, cols, n, out);
  free(cols);
  return st;
}

/* The next build rows that never matched, NULL-extended (RIGHT and FULL). */
static sbd_status emit_unmatched_build(join_op *j, sbd_batch **out) {
  ex_query *q = j->op.q;
  for (; j->emit_part < JOIN_PARTITIONS; j->emit_part++, j->emit_row = 0) {
    join_part *p = &j->parts[j->emit_part];
    int64_t n = 0;
    while (j->emit_row < p->n && n < SBD_BATCH_ROWS) {
      j->sel[n] = j->emit_row;
      n += !(p->flags[j->emit_row++] & FLAG_MATCHED);
    }
    if (n == 0)
      continue;
    int ncols = j->nprobe + j->nbuild;
    sbd_vec **cols = sbd_calloc(q->ctx, (size_t)(ncols ? ncols : 1), sizeof(sbd_vec *));
    sbd_status st = cols ? SBD_OK : SBD_ENOMEM;
    for (int c = 0; c < j->nprobe && st == SBD_OK; c++)
      st = null_vec(q->ctx, j->op.child->schema->fields[c].type, n, &cols[probe_pos(j, c)]);
    for (int c = 0; c < j->nbuild && st == SBD_OK; c++) {
      sbd_vec *v = cols[build_pos(j, c)] = vec_new(q->ctx, p->cols[c]->type, n);
      st = v ? ex_vec_gather(q->ctx, v, p->cols[c], j->sel, n) : SBD_ENOMEM;
    }
    if (st == SBD_OK)
      st = ex_batch_of(q, j->op.schema, cols, n, out);
    else if (cols)
      for (int c = 0; c < ncols; c++)
        vec_free(cols[c]);
    free(cols);
    return st;
  }
  return SBD_OK;
}

/* Takes the next probe batch: evaluates and hashes its keys. False at the end. */
static sbd_status next_probe_batch(join_op *j) {
  ex_query *q = j->op.q;
  for (;;) {
    sbd_batch *b;
    RETURN_IF_ERROR(ex_op_next(j->op.child, &b));
    if (!b) {
      j->probe_done = true;
      return SBD_OK;
    }
    if (b->nrows == 0) {
      sbd_batch_free(b);
      continue;
    }
    if (b->nrows > SBD_BATCH_ROWS) {
      sbd_batch_free(b);
      return sbd_error(q->ctx, SBD_EINTERNAL, "join: a batch of %lld rows", (long long)b->nrows);
    }
    sbd_status st = eval_keys(q, j->probe_keys, j->nstore, b, j->pkeys);
    if (st != SBD_OK) {
      sbd_batch_free(b);
      return st;
    }
    j->pb = b;
    hash_keys(j->pkeys, j->nkeys, j->nstore, b->nrows, j->ph, j->pmatched);
    for (int64_t i = 0; i < b->nrows; i++)
      j->pmatched[i] = j->pmatched[i] ? FLAG_NO_KEY : 0;
    j->prow = 0;
    j->in_chain = false;
    return SBD_OK;
  }
}

static sbd_status join_next(ex_op *op, sbd_batch **out) {
  join_op *j = (join_op *)op;
  if (!j->built) {
    RETURN_IF_ERROR(build_all(j));
    /* Without build rows an INNER or RIGHT join has nothing to find. */
    if (j->build_rows == 0 && (j->type == EX_JOIN_INNER || j->type == EX_JOIN_RIGHT))
      j->probe_done = true;
  }
  bool left_outer = j->type == EX_JOIN_LEFT || j->type == EX_JOIN_FULL;
  while (!j->probe_done) {
    if (!j->pb) {
      RETURN_IF_ERROR(next_probe_batch(j));
      continue;
    }
    if (j->prow < j->pb->nrows) {
      int64_t n = collect_pairs(j);
      if (n > 0) {
        RETURN_IF_ERROR(emit_pairs(j, n, out));
        if (*out)
          return SBD_OK;
      }
      continue;
    }
    sbd_status st = j->mark      ? emit_marked_probe(j, out)
                    : left_outer ? emit_unmatched_probe(j, out)
                                 : SBD_OK;
    drop_probe_batch(j);
    RETURN_IF_ERROR(st);
    if (*out)
      return SBD_OK;
  }
  if (j->type == EX_JOIN_RIGHT || j->type == EX_JOIN_FULL)
    return emit_unmatched_build(j, out);
  return SBD_OK;
}

static void join_free(ex_op *op) {
  join_op *j = (join_op *)op;
  drop_probe_batch(j);
  ex_op_free(j->build);
  for (int p = 0; p < JOIN_PARTITIONS; p++) {
    join_part *pt = &j->parts[p];
    for (int k = 0; pt->keys && k < j->nstore; k++)
      vec_free(pt->keys[k]);
    for (int c = 0; pt->cols && c < j->nbuild; c++)
      vec_free(pt->cols[c]);
    free(pt->keys);
    free(pt->cols);
    free(pt->hashes);
    free(pt->flags);
    free(pt->heads);
    free(pt->next);
  }
  free(j->pkeys);
  free(j->ph);
  free(j->pmatched);
  free(j->pair_probe);
  free(j->pair_build);
  free(j->pair_part);
  free(j->sort_probe);
  free(j->sort_build);
  free(j->sel);
  schema_unref(j->pair_schema);
  ex_mem_release(op->q, j->charged);
}

static const ex_op_vt join_vt = {"hash_join", join_next, join_free};

void ex_hash_join_asof(ex_op *op, ex_op_code cmp) {
  join_op *j = (join_op *)op;
  j->asof = cmp;
  j->nkeys = j->nstore - 1;
}

sbd_status ex_hash_join_mark(ex_op *op, bool null_aware, const char *name) {
  join_op *j = (join_op *)op;
  sbd_ctx *ctx = op->q->ctx;
  sbd_schema *s = schema_new(ctx, j->nprobe + 1);
  sbd_status st = s ? SBD_OK : SBD_ENOMEM;
  for (int c = 0; c < j->nprobe && st == SBD_OK; c++)
    st =
        schema_set(ctx, s, c, op->child->schema->fields[c].name, op->child->schema->fields[c].type);
  if (st == SBD_OK)
    st = schema_set(ctx, s, j->nprobe, name, SBD_BOOL);
  if (st != SBD_OK) {
    schema_unref(s);
    return st;
  }
  j->pair_schema = op->schema;
  op->schema = s;
  j->mark = true;
  j->null_aware = null_aware;
  return SBD_OK;
}

sbd_status ex_hash_join_new(ex_query *q, ex_op *probe, ex_op *build, ex_join_type type,
                            ex_expr *const *probe_keys, ex_expr *const *build_keys, int nkeys,
                            const ex_expr *residual, bool build_first, ex_op **out) {
  *out = NULL;
  sbd_ctx *ctx = q->ctx;
  join_op *j = sbd_calloc(ctx, 1, sizeof(*j));
  if (!j) {
    ex_op_free(probe);
    ex_op_free(build);
    return SBD_ENOMEM;
  }
  j->op.vt = &join_vt;
  j->op.q = q;
  j->op.child = probe;
  j->build = build;
  j->type = type;
  j->probe_keys = probe_keys;
  j->build_keys = build_keys;
  j->nkeys = j->nstore = nkeys;
  j->residual = residual;
  j->nprobe = probe->schema->ncols;
  j->nbuild = build->schema->ncols;
  j->build_first = build_first;
  size_t rows = SBD_BATCH_ROWS;
  j->pkeys = sbd_calloc(ctx, (size_t)(nkeys ? nkeys : 1), sizeof(sbd_vec *));
  j->ph = sbd_malloc(ctx, sizeof(uint64_t) * rows);
  j->pmatched = sbd_malloc(ctx, rows);
  j->pair_probe = sbd_malloc(ctx, sizeof(int64_t) * rows);
  j->pair_build = sbd_malloc(ctx, sizeof(int64_t) * rows);
  j->pair_part = sbd_malloc(ctx, sizeof(int) * rows);
  j->sort_probe = sbd_malloc(ctx, sizeof(int64_t) * rows);
  j->sort_build = sbd_malloc(ctx, sizeof(int64_t) * rows);
  j->sel = sbd_malloc(ctx, sizeof(int64_t) * rows);
  j->op.schema = schema_new(ctx, j->nprobe + j->nbuild);
  sbd_status st = j->pkeys && j->ph && j->pmatched && j->pair_probe && j->pair_build &&
                          j->pair_part && j->sort_probe && j->sort_build && j->sel && j->op.schema
                      ? SBD_OK
                      : SBD_ENOMEM;
  for (int c = 0; c < j->nprobe && st == SBD_OK; c++)
    st = schema_set(ctx, j->op.schema, probe_pos(j, c), probe->schema->fields[c].name,
                    probe->schema->fields[c].type);
  for (int c = 0; c < j->nbuild && st == SBD_OK; c++)
    st = schema_set(ctx, j->op.schema, build_pos(j, c), build->schema->fields[c].name,
                    build->schema->fields[c].type);
  if (st != SBD_OK) {
    ex_op_free(&j->op);
    return st;
  }
  *out = &j->op;
  return SBD_OK;
}
