/*
 * agg.c — hash aggregation (GROUP BY, DISTINCT, and aggregates over the whole input), on all the
 * context's threads.
 *
 * The table (agg_table, agg_int.h). Groups are numbered in order of first appearance; each keeps
 * its hash and its key values (keys[k] row g), so equal keys are found by comparing typed values,
 * and NULL is a key value like any other. An open-addressing directory (linear probing, at most
 * half full) maps a hash to a group; each slot holds the group number and the high 32 bits of its
 * hash as a tag, so most probes that do not match are rejected without touching the groups.
 *
 * Phases. (1) Build: the calling thread pulls batches from the child and hands each one (a
 * morsel) with its index to the pool; a task takes a free worker table (there is one per pool
 * thread, and no more tasks run than threads), applies the filter below the aggregation if the
 * plan gave it one (ex_agg_set_filter), evaluates the key and argument expressions, finds the
 * rows' groups and updates the states. At most two morsels per thread are in flight. With one
 * thread the calling thread does this itself, with the same code. (2) Merge: each worker table
 * lists its groups by partition (the top AGG_PART_BITS bits of the hash); then one task per
 * partition builds that partition's table from the worker tables' groups of the partition, in
 * worker order. (3) Emit: the partitions' groups in turn. Partitions are independent, which is
 * what a later issue needs to spill one to disk.
 *
 * Many groups. A worker table that reaches AGG_FLUSH_GROUPS groups while most rows of its last
 * morsel made new groups reduces little and would only grow to hold (nearly) every group once
 * per worker: instead it is flushed, its groups (hash, keys, partial states) appended to the
 * worker's per-partition buffers (append-only tables in fixed-size chunks, so nothing is ever
 * moved), and it starts again empty, staying near the caches. A table that mostly finds its groups
 * grows instead (flush_at doubles). When any worker flushed, the merge flushes every worker's
 * table, and each partition is built from its buffers only when the output reaches it, a pool's
 * worth of partitions at once, its buffers freed as they are merged and the partition freed once
 * emitted: the memory holds about one copy of the groups, not one per worker plus the merge.
 *
 * Order. first/last/any_value/string_agg carry each row's sequence number (morsel index *
 * SBD_BATCH_ROWS + row) and keep what the sequence order says, so their answers do not depend on
 * the number of threads. Only the order of the groups does.
 *
 * Errors and memory. Worker tables report on their own contexts; the first error in input order
 * (smallest morsel index) is copied to the query's context. The tables and buffers count the bytes
 * they hold; the calling thread charges the growth with ex_mem_charge between morsels, after the
 * flush and after each round of partitions, and releases a partition's bytes once emitted.
 */
#include "exec/agg_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the table --------------------------------------------------------------------------------*/

/* A hint to load a cache line soon; nothing where the compiler has no such builtin. */
#if defined(__GNUC__) || defined(__clang__)
#define AGG_PREFETCH(addr) __builtin_prefetch(addr)
#else
#define AGG_PREFETCH(addr) ((void)(addr))
#endif
#define AGG_PREFETCH_AHEAD 16
#define AGG_PREFETCH_MIN_SLOTS (1u << 16)
/* The groups a worker's table holds before it decides between flushing and growing: a table of
 * this size (directory, hashes, a few keys and states) is a few megabytes, near the caches. */
#define AGG_FLUSH_GROUPS (1 << 16)
/* The groups of one chunk of a partition buffer. */
#define AGG_BUFFER_GROUPS 1024

static sbd_status grow_groups(agg_table *t);

/* A table, or an append-only buffer of flushed groups (no directory). */
static agg_table *new_table(sbd_ctx *ctx, const sbd_type *key_types, int nkeys,
                            const ex_agg_spec *aggs, int naggs, bool append_only) {
  agg_table *t = sbd_calloc(ctx, 1, sizeof(*t));
  if (!t)
    return NULL;
  t->append_only = append_only;
  t->tctx.threads = 1;
  pthread_mutex_init(&t->tctx.lock, NULL);
  t->tq.ctx = &t->tctx;
  arena_init(&t->tq.arena, 4096);
  t->aggs = aggs;
  t->naggs = naggs;
  t->nkeys = nkeys;
  t->keys = sbd_calloc(ctx, (size_t)(nkeys + 1), sizeof(sbd_vec *));
  t->cols = sbd_calloc(ctx, (size_t)(naggs + 1), sizeof(agg_col));
  bool ok = t->keys && t->cols;
  for (int k = 0; k < nkeys && ok; k++)
    ok = (t->keys[k] = vec_new(ctx, key_types[k], 0)) != NULL;
  /* Every state exists from the start, even in a table that never sees a row. */
  if (ok && grow_groups(t) != SBD_OK) {
    sbd_error(ctx, SBD_ENOMEM, "%s", t->tctx.errmsg);
    ok = false;
  }
  if (!ok) {
    agg_table_free(t);
    return NULL;
  }
  return t;
}

agg_table *agg_table_new(sbd_ctx *ctx, const sbd_type *key_types, int nkeys,
                         const ex_agg_spec *aggs, int naggs) {
  return new_table(ctx, key_types, nkeys, aggs, naggs, false);
}

void agg_table_free(agg_table *t) {
  if (!t)
    return;
  if (t->keys)
    for (int k = 0; k < t->nkeys; k++)
      vec_free(t->keys[k]);
  if (t->cols)
    for (int j = 0; j < t->naggs; j++)
      agg_col_free(t, j);
  free(t->keys);
  free(t->cols);
  free(t->hashes);
  free(t->dir);
  free(t->porder);
  free(t->scratch_h);
  free(t->scratch_gid);
  arena_free(&t->tq.arena);
  pthread_mutex_destroy(&t->tctx.lock);
  free(t);
}

/* Makes room for cap groups (more than cap_groups). A table with a directory rebuilds it at
 * twice the next power of two, so it stays at most half full; an append-only table has none. */
static sbd_status grow_groups_to(agg_table *t, int64_t cap) {
  sbd_ctx *ctx = &t->tctx;
  int64_t old_cap = t->cap_groups;
  RETURN_ERROR_IF(cap > (int64_t)UINT32_MAX / 2, ctx, SBD_ELIMIT,
                  "query: more than %lld groups in one aggregation", (long long)UINT32_MAX / 2);
  uint64_t *h = sbd_realloc(ctx, t->hashes, sizeof(uint64_t) * (size_t)cap);
  if (!h)
    return SBD_ENOMEM;
  t->hashes = h;
  int64_t key_bytes_before = 0, key_bytes_after = 0;
  for (int k = 0; k < t->nkeys; k++) {
    key_bytes_before += t->keys[k]->cap * 8;
    RETURN_IF_ERROR(vec_reserve(ctx, t->keys[k], cap - t->keys[k]->len, 0));
    key_bytes_after += t->keys[k]->cap * 8;
  }
  for (int j = 0; j < t->naggs; j++)
    RETURN_IF_ERROR(agg_col_grow(t, j, old_cap, cap));
  t->bytes += (cap - old_cap) * 8 + key_bytes_after - key_bytes_before;
  t->cap_groups = cap;
  if (t->append_only)
    return SBD_OK;
  uint64_t dir_size = 2;
  while (dir_size < (uint64_t)cap * 2)
    dir_size *= 2;
  if (dir_size == t->dir_mask + 1 && t->dir)
    return SBD_OK;
  uint64_t *dir = sbd_calloc(ctx, dir_size, sizeof(uint64_t));
  if (!dir)
    return SBD_ENOMEM;
  for (int64_t g = 0; g < t->ngroups; g++) {
    uint64_t slot = t->hashes[g] & (dir_size - 1);
    while (dir[slot])
      slot = (slot + 1) & (dir_size - 1);
    dir[slot] = (t->hashes[g] >> 32 << 32) | (uint64_t)(g + 1);
  }
  t->bytes += (int64_t)(dir_size - (t->dir ? t->dir_mask + 1 : 0)) * 8;
  free(t->dir);
  t->dir = dir;
  t->dir_mask = dir_size - 1;
  return SBD_OK;
}

/* Room for more groups: twice as many (half as many again for an append-only buffer, whose
 * slack is pure waste since it is never probed). */
static sbd_status grow_groups(agg_table *t) {
  int64_t old_cap = t->cap_groups;
  if (!old_cap)
    return grow_groups_to(t, t->append_only ? AGG_BUFFER_GROUPS : 256);
  return grow_groups_to(t, t->append_only ? old_cap + old_cap / 2 : old_cap * 2);
}

sbd_status agg_table_clear(agg_table *t) {
  for (int j = 0; j < t->naggs; j++) {
    agg_col_free(t, j);
    memset(&t->cols[j], 0, sizeof(t->cols[j]));
  }
  int64_t cap = t->cap_groups;
  t->bytes = cap * 8 + (t->dir ? (int64_t)(t->dir_mask + 1) * 8 : 0);
  for (int k = 0; k < t->nkeys; k++) {
    vec_reset(t->keys[k]);
    t->bytes += t->keys[k]->cap * 8 + t->keys[k]->bytes_cap;
  }
  if (t->dir)
    memset(t->dir, 0, sizeof(uint64_t) * (size_t)(t->dir_mask + 1));
  t->ngroups = 0;
  free(t->porder);
  t->porder = NULL;
  for (int j = 0; j < t->naggs; j++)
    RETURN_IF_ERROR(agg_col_grow(t, j, 0, cap));
  return SBD_OK;
}

/* Appends row `row` of v to the key vector dst (whose rows grow_groups reserved). */
static sbd_status append_key(agg_table *t, sbd_vec *dst, const sbd_vec *v, int64_t row) {
  if (!vec_is_valid(v, row))
    return vec_push_null(&t->tctx, dst);
  switch (v->type) {
  case SBD_STRING: {
    size_t len;
    const char *str = vec_str(v, row, &len);
    if (len <= 16 && dst->bytes_len + 16 <= dst->bytes_cap && str + 16 <= v->bytes + v->bytes_cap) {
      /* A short key (most are): a fixed 16-byte copy the compiler inlines, where both buffers
       * have the room, instead of a call per value. */
      memcpy(dst->bytes + dst->bytes_len, str, 16);
      dst->bytes_len += (int64_t)len;
      ((int64_t *)dst->values)[++dst->len] = dst->bytes_len;
      break;
    }
    int64_t before = dst->bytes_cap;
    RETURN_IF_ERROR(vec_push_str(&t->tctx, dst, str, len));
    t->bytes += dst->bytes_cap - before;
    break;
  }
  case SBD_DOUBLE:
    vec_push_f64(dst, ((const double *)v->values)[row]);
    break;
  case SBD_DATE:
    vec_push_i32(dst, ((const int32_t *)v->values)[row]);
    break;
  case SBD_BOOL:
    vec_push_bool(dst, ((const uint8_t *)v->values)[row] != 0);
    break;
  default:
    vec_push_i64(dst, ((const int64_t *)v->values)[row]);
    break;
  }
  return SBD_OK;
}

static sbd_status add_group(agg_table *t, sbd_vec **key_vals, int64_t row, uint64_t hash,
                            int64_t *gid) {
  if (t->ngroups == t->cap_groups)
    RETURN_IF_ERROR(grow_groups(t));
  int64_t g = t->ngroups++;
  t->hashes[g] = hash;
  for (int k = 0; k < t->nkeys; k++)
    RETURN_IF_ERROR(append_key(t, t->keys[k], key_vals[k], row));
  agg_col_init_group(t, g);
  if (t->append_only) {
    *gid = g;
    return SBD_OK;
  }
  uint64_t slot = hash & t->dir_mask;
  while (t->dir[slot])
    slot = (slot + 1) & t->dir_mask;
  t->dir[slot] = (hash >> 32 << 32) | (uint64_t)(g + 1);
  *gid = g;
  return SBD_OK;
}

/* Whether the first n (<= 8) bytes at x and y are equal, reading 8 from each. In memory order
 * the first bytes are the low ones of a word on a little-endian machine, the high ones on a
 * big-endian one. */
static inline bool word_prefix_equal(const char *x, const char *y, int64_t n) {
  uint64_t wx, wy;
  memcpy(&wx, x, 8);
  memcpy(&wy, y, 8);
  if (n >= 8)
    return wx == wy;
  const uint16_t probe = 1;
  unsigned char little;
  memcpy(&little, &probe, 1);
  uint64_t mask = little ? (UINT64_C(1) << (n * 8)) - 1 : ~(~UINT64_C(0) >> (n * 8));
  return ((wx ^ wy) & mask) == 0;
}

/* Whether row i of string vector a equals row j of b. Keys of at most 16 bytes (most are), with
 * 16 bytes readable in both buffers, are compared as two words rather than through memcmp. */
static inline bool str_equal(const sbd_vec *a, int64_t i, const sbd_vec *b, int64_t j) {
  const int64_t *ao = a->values, *bo = b->values;
  int64_t len = ao[i + 1] - ao[i];
  if (len != bo[j + 1] - bo[j])
    return false;
  const char *x = a->bytes + ao[i], *y = b->bytes + bo[j];
  if (len <= 16 && ao[i] + 16 <= a->bytes_cap && bo[j] + 16 <= b->bytes_cap)
    return len <= 8 ? word_prefix_equal(x, y, len)
                    : word_prefix_equal(x, y, 8) && word_prefix_equal(x + 8, y + 8, len - 8);
  return memcmp(x, y, (size_t)len) == 0;
}

static bool keys_equal(const agg_table *t, sbd_vec **key_vals, int64_t row, int64_t g) {
  for (int k = 0; k < t->nkeys; k++) {
    const sbd_vec *v = key_vals[k], *kv = t->keys[k];
    bool vr = vec_is_valid(v, row), vg = vec_is_valid(kv, g);
    if (vr != vg)
      return false;
    if (!vr)
      continue;
    switch (v->type) {
    case SBD_INT64:
    case SBD_TIMESTAMP:
      if (((const int64_t *)v->values)[row] != ((const int64_t *)kv->values)[g])
        return false;
      break;
    case SBD_STRING:
      if (!str_equal(v, row, kv, g))
        return false;
      break;
    default:
      if (ex_vec_compare(v, row, kv, g) != 0)
        return false;
      break;
    }
  }
  return true;
}

/* The group of row `row` of key_vals (hash h), added if new. */
static sbd_status find_row(agg_table *t, sbd_vec **key_vals, int64_t row, uint64_t h,
                           int64_t *gid) {
  if (t->ngroups == t->cap_groups)
    RETURN_IF_ERROR(grow_groups(t));
  uint64_t tag = h >> 32 << 32;
  for (uint64_t slot = h & t->dir_mask;; slot = (slot + 1) & t->dir_mask) {
    uint64_t e = t->dir[slot];
    if (!e)
      return add_group(t, key_vals, row, h, gid);
    int64_t g = (int64_t)(uint32_t)e - 1;
    if ((e >> 32 << 32) == tag && keys_equal(t, key_vals, row, g)) {
      *gid = g;
      return SBD_OK;
    }
  }
}

/* Mixes a value into a running hash: a 64-bit finalizer (murmur3's) over their combination, inline
 * because it runs once per key and row. Strings go through xxHash3 seeded with the running hash. */
static inline uint64_t mix_u64(uint64_t h, uint64_t x) {
  x ^= h + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdull;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ull;
  x ^= x >> 33;
  return x;
}

/* The bits of a valid value, with -0 as 0 and every NaN alike (equal keys hash equally). */
static inline uint64_t key_bits(const sbd_vec *v, int64_t i) {
  switch (v->type) {
  case SBD_DOUBLE: {
    double d = ((const double *)v->values)[i];
    uint64_t bits;
    if (d == 0)
      d = 0;
    if (d != d)
      return 0x7ff8000000000000ull;
    memcpy(&bits, &d, 8);
    return bits;
  }
  case SBD_DATE:
    return (uint64_t)(int64_t)((const int32_t *)v->values)[i];
  case SBD_BOOL:
    return ((const uint8_t *)v->values)[i];
  default:
    return (uint64_t)((const int64_t *)v->values)[i];
  }
}

/* Asks for the key values of group g (the first cache line of each). */
static void prefetch_keys(const agg_table *t, int64_t g) {
  for (int k = 0; k < t->nkeys; k++) {
    const sbd_vec *v = t->keys[k];
    if (v->type == SBD_STRING) {
      const int64_t *off = v->values;
      AGG_PREFETCH(&off[g]);
      if (g < v->len)
        AGG_PREFETCH(v->bytes + off[g]);
    } else {
      AGG_PREFETCH((const char *)v->values + (size_t)g * type_width(v->type));
    }
  }
}

/* The first n (<= 8) bytes at p as a word, the others zero: read as 8 bytes when the buffer has
 * them, else copied. */
static inline uint64_t word_prefix(const char *p, int64_t n, bool room) {
  uint64_t w = 0;
  if (!room) {
    memcpy(&w, p, (size_t)n);
    return w;
  }
  memcpy(&w, p, 8);
  if (n >= 8)
    return w;
  const uint16_t probe = 1;
  unsigned char little;
  memcpy(&little, &probe, 1);
  return w & (little ? (UINT64_C(1) << (n * 8)) - 1 : ~(~UINT64_C(0) >> (n * 8)));
}

/* Mixes the string at v->bytes + off (len bytes) into h. One of at most 16 bytes (most keys) is
 * one or two words and its length through the integer mixer, instead of a call to xxHash; the
 * words are the same whatever follows the string in its buffer, so equal strings hash equally. */
static inline uint64_t hash_str(const sbd_vec *v, int64_t off, int64_t len, uint64_t h) {
  const char *p = v->bytes + off;
  if (len > 16)
    return hash_bytes(p, (size_t)len, h);
  bool room = off + 16 <= v->bytes_cap;
  uint64_t w0 = word_prefix(p, len < 8 ? len : 8, room);
  if (len <= 8)
    return mix_u64(h, w0 ^ ((uint64_t)len << 56));
  return mix_u64(mix_u64(h, w0), word_prefix(p + 8, len - 8, room) ^ ((uint64_t)len << 56));
}

void agg_hash_keys(sbd_vec **key_vals, int nkeys, int64_t n, uint64_t *h) {
  for (int64_t i = 0; i < n; i++)
    h[i] = 0x243f6a8885a308d3ull;
  for (int k = 0; k < nkeys; k++) {
    const sbd_vec *v = key_vals[k];
    bool all_valid = v->null_count == 0;
    if (v->type == SBD_STRING) {
      const int64_t *off = v->values;
      for (int64_t i = 0; i < n; i++)
        h[i] = all_valid || vec_is_valid(v, i) ? hash_str(v, off[i], off[i + 1] - off[i], h[i])
                                               : mix_u64(h[i], 0x6e756c6c5bd1e995ull);
    } else if ((v->type == SBD_INT64 || v->type == SBD_TIMESTAMP) && all_valid) {
      const int64_t *x = v->values;
      for (int64_t i = 0; i < n; i++)
        h[i] = mix_u64(h[i], (uint64_t)x[i]);
    } else {
      for (int64_t i = 0; i < n; i++)
        h[i] =
            mix_u64(h[i], all_valid || vec_is_valid(v, i) ? key_bits(v, i) : 0x6e756c6c5bd1e995ull);
    }
  }
}

sbd_status agg_table_find(agg_table *t, sbd_vec **key_vals, int64_t n, const uint64_t *h,
                          int64_t *gid) {
  /* With many groups the directory is far bigger than the caches: asking for the slot of a row
   * some rows ahead overlaps the misses instead of waiting for each in turn. */
  int64_t i = 0;
  const sbd_vec *v = key_vals[0];
  if (t->nkeys == 1 && v->null_count == 0 && t->keys[0]->null_count == 0 &&
      (v->type == SBD_INT64 || v->type == SBD_TIMESTAMP) && t->dir_mask < AGG_PREFETCH_MIN_SLOTS) {
    /* One integer key without NULLs in a small table: the probe compares the values inline. */
    const int64_t *x = v->values;
    for (; i < n; i++) {
      if (t->ngroups == t->cap_groups)
        RETURN_IF_ERROR(grow_groups(t));
      const int64_t *kx = t->keys[0]->values;
      uint64_t tag = h[i] >> 32 << 32;
      for (uint64_t slot = h[i] & t->dir_mask;; slot = (slot + 1) & t->dir_mask) {
        uint64_t e = t->dir[slot];
        if (!e) {
          RETURN_IF_ERROR(add_group(t, key_vals, i, h[i], &gid[i]));
          break;
        }
        if ((e >> 32 << 32) == tag && kx[(uint32_t)e - 1] == x[i]) {
          gid[i] = (int64_t)(uint32_t)e - 1;
          break;
        }
      }
    }
  }
  if (t->nkeys == 1 && v->null_count == 0 && t->keys[0]->null_count == 0 && v->type == SBD_STRING &&
      t->dir_mask < AGG_PREFETCH_MIN_SLOTS) {
    /* One string key without NULLs in a small table: the same, comparing the strings inline. */
    for (; i < n; i++) {
      if (t->ngroups == t->cap_groups)
        RETURN_IF_ERROR(grow_groups(t));
      const sbd_vec *kv = t->keys[0];
      uint64_t tag = h[i] >> 32 << 32;
      for (uint64_t slot = h[i] & t->dir_mask;; slot = (slot + 1) & t->dir_mask) {
        uint64_t e = t->dir[slot];
        if (!e) {
          RETURN_IF_ERROR(add_group(t, key_vals, i, h[i], &gid[i]));
          break;
        }
        if ((e >> 32 << 32) == tag && str_equal(v, i, kv, (int64_t)(uint32_t)e - 1)) {
          gid[i] = (int64_t)(uint32_t)e - 1;
          break;
        }
      }
    }
  }
  if (t->dir_mask < AGG_PREFETCH_MIN_SLOTS) /* a small table stays in the caches */
    for (; i < n; i++)
      RETURN_IF_ERROR(find_row(t, key_vals, i, h[i], &gid[i]));
  for (; i < n; i++) {
    if (i + AGG_PREFETCH_AHEAD < n)
      AGG_PREFETCH(&t->dir[h[i + AGG_PREFETCH_AHEAD] & t->dir_mask]);
    /* Half as far ahead the slot is (likely) loaded: ask for the keys of the group it names. */
    if (i + AGG_PREFETCH_AHEAD / 2 < n) {
      uint64_t e = t->dir[h[i + AGG_PREFETCH_AHEAD / 2] & t->dir_mask];
      if (e)
        prefetch_keys(t, (int64_t)(uint32_t)e - 1);
    }
    RETURN_IF_ERROR(find_row(t, key_vals, i, h[i], &gid[i]));
  }
  return SBD_OK;
}

/* ---- the operator -----------------------------------------------------------------------------*/

typedef struct agg_op {
  ex_op op;
  ex_expr *const *key_exprs;
  sbd_type *key_types;
  int nkeys;
  const ex_agg_spec *aggs;
  int naggs;
  const ex_expr *filter; /* evaluated by the workers; NULL for none */
  /* build */
  agg_table **tables; /* one per worker */
  int ntables;
  int64_t *published; /* worker w's bytes at the end of its last task, under the lock */
  /* High cardinality: bufs[w * AGG_FLUSH_PARTS + p] holds worker w's flushed groups of partition p
   * (append-only, NULL until the first), buf_bytes[w] their memory; flush_at[w] is the number of
   * groups at which worker w's table is flushed or, if its last morsel mostly found groups it
   * had, grown. */
  agg_table **bufs;
  int64_t *buf_bytes;
  int64_t *flush_at;
  int *free_tables; /* a stack of the tables no task holds */
  int nfree;
  int inflight;
  sbd_status err;
  int64_t err_seq;
  char errmsg[SBD_ERRMSG_MAX];
  pthread_mutex_t lock;
  pthread_cond_t changed;
  bool sync_made;
  /* result: the partitions' tables (or the single worker table) */
  agg_table **parts;
  int nparts;
  int parts_built; /* after a flush: partitions [0, parts_built) are built from their buffers */
  pool *pool;      /* the pool the merge runs on (NULL: the calling thread) */
  int64_t charged; /* bytes charged with ex_mem_charge now */
  /* output */
  bool done;
  int out_part;
  int64_t out_group;
} agg_op;

/* Records a task's failure: the one of the earliest morsel wins. Called under the lock. */
static void note_error(agg_op *a, sbd_status st, int64_t seq, const char *msg) {
  if (a->err != SBD_OK && seq >= a->err_seq)
    return;
  a->err = st;
  a->err_seq = seq;
  snprintf(a->errmsg, sizeof(a->errmsg), "%s", msg[0] ? msg : "out of memory");
}

/* The rows of b for which the filter is true, as a new batch in *out (b itself when all are). */
static sbd_status apply_filter(agg_op *a, agg_table *t, sbd_batch *b, sbd_batch **out) {
  sbd_vec *p;
  RETURN_IF_ERROR(ex_eval(&t->tq, a->filter, b, &p));
  int64_t *sel = sbd_malloc(&t->tctx, sizeof(int64_t) * (size_t)(b->nrows ? b->nrows : 1));
  if (!sel) {
    vec_free(p);
    return SBD_ENOMEM;
  }
  int64_t n = 0;
  const uint8_t *x = p->values;
  for (int64_t i = 0; i < b->nrows; i++) {
    sel[n] = i;
    n += x[i] != 0 && (!p->null_count || vec_is_valid(p, i));
  }
  vec_free(p);
  if (n == b->nrows) {
    free(sel);
    *out = b;
    return SBD_OK;
  }
  sbd_vec **cols = sbd_calloc(&t->tctx, (size_t)(b->ncols + 1), sizeof(sbd_vec *));
  sbd_status st = cols ? SBD_OK : SBD_ENOMEM;
  for (int c = 0; c < b->ncols && st == SBD_OK; c++) {
    cols[c] = vec_new(&t->tctx, b->cols[c]->type, n ? n : 1);
    st = cols[c] ? ex_vec_gather(&t->tctx, cols[c], b->cols[c], sel, n) : SBD_ENOMEM;
  }
  free(sel);
  if (st == SBD_OK) {
    st = ex_batch_of(&t->tq, b->schema, cols, n, out);
  } else if (cols) {
    for (int c = 0; c < b->ncols; c++)
      vec_free(cols[c]);
  }
  free(cols);
  return st;
}

/* Evaluates e over b; a column is borrowed from b rather than copied (free_arg knows). */
static sbd_status eval_arg(agg_table *t, const ex_expr *e, sbd_batch *b, sbd_vec **out) {
  if (e->kind == EX_COLUMN) {
    *out = b->cols[e->col];
    return SBD_OK;
  }
  return ex_eval(&t->tq, e, b, out);
}

static void free_arg(const ex_expr *e, sbd_vec *v) {
  if (e && e->kind != EX_COLUMN)
    vec_free(v);
}

/* Moves the groups of worker w's table into its partition buffers and empties the table: the
 * groups keep their hashes and partial states, and are combined with the other buffers' groups
 * of the same keys when the partition is aggregated (merge_buffers). */
static sbd_status flush_table(agg_op *a, int w) {
  agg_table *t = a->tables[w];
  RETURN_IF_ERROR(agg_table_prepare(t));
  agg_table **bufs = &a->bufs[(size_t)w * AGG_FLUSH_PARTS];
  for (int64_t g = 0; g < t->ngroups; g++) {
    int p = (int)(t->hashes[g] >> (64 - AGG_FLUSH_PART_BITS));
    if (!bufs[p] || bufs[p]->ngroups == bufs[p]->cap_groups) {
      /* A new chunk, so that a buffer never moves what it holds. */
      agg_table *chunk = new_table(&t->tctx, a->key_types, a->nkeys, a->aggs, a->naggs, true);
      if (!chunk)
        return SBD_ENOMEM;
      chunk->next = bufs[p];
      bufs[p] = chunk;
      a->buf_bytes[w] += chunk->bytes;
    }
    agg_table *b = bufs[p];
    int64_t bytes_before = b->bytes;
    int64_t d;
    if (add_group(b, t->keys, g, t->hashes[g], &d) != SBD_OK ||
        agg_merge_group(b, d, t, g) != SBD_OK) {
      snprintf(t->tctx.errmsg, sizeof(t->tctx.errmsg), "%s",
               b->tctx.errmsg[0] ? b->tctx.errmsg : "out of memory");
      return SBD_ENOMEM;
    }
    a->buf_bytes[w] += b->bytes - bytes_before;
  }
  return agg_table_clear(t);
}

/* After a morsel that added `added` groups to worker w's table out of `rows` rows: a table that
 * has reached its flush size is flushed when most of the morsel's rows made new groups (little
 * reduction: the groups are many, and a big table would only hold them all twice over), and
 * grown otherwise. So few groups stay in one table per worker, and many go through small,
 * cache-sized tables into the partition buffers. */
static sbd_status flush_or_grow(agg_op *a, int w, int64_t added, int64_t rows) {
  agg_table *t = a->tables[w];
  if (a->nkeys == 0 || t->ngroups < a->flush_at[w])
    return SBD_OK;
  if (added * 2 < rows) {
    a->flush_at[w] *= 2;
    return SBD_OK;
  }
  return flush_table(a, w);
}

/* Aggregates one morsel into worker w's table: the work of a task (or of the calling thread). */
static sbd_status aggregate_batch(agg_op *a, int w, sbd_batch *in, int64_t seq0) {
  agg_table *t = a->tables[w];
  int64_t groups_before = t->ngroups;
  sbd_batch *b = in;
  if (a->filter)
    RETURN_IF_ERROR(apply_filter(a, t, in, &b));
  sbd_status st = SBD_OK;
  int64_t n = b->nrows;
  sbd_vec *key_vals[16] = {0}, **kv = key_vals;
  if (a->nkeys > 16 && !(kv = sbd_calloc(&t->tctx, (size_t)a->nkeys, sizeof(sbd_vec *))))
    st = SBD_ENOMEM;
  if (n == 0)
    goto done;
  if (!t->scratch_gid) {
    t->scratch_gid = sbd_malloc(&t->tctx, sizeof(int64_t) * SBD_BATCH_ROWS);
    t->scratch_h = sbd_malloc(&t->tctx, sizeof(uint64_t) * SBD_BATCH_ROWS);
    if (!t->scratch_gid || !t->scratch_h)
      st = SBD_ENOMEM;
  }
  for (int k = 0; k < a->nkeys && st == SBD_OK; k++)
    st = eval_arg(t, a->key_exprs[k], b, &kv[k]);
  if (st == SBD_OK && a->nkeys > 0) {
    agg_hash_keys(kv, a->nkeys, n, t->scratch_h);
    st = agg_table_find(t, kv, n, t->scratch_h, t->scratch_gid);
  } else if (st == SBD_OK) {
    memset(t->scratch_gid, 0, sizeof(int64_t) * (size_t)n);
  }
  for (int j = 0; j < a->naggs && st == SBD_OK; j++) {
    sbd_vec *v = NULL, *v2 = NULL;
    if (a->aggs[j].arg)
      st = eval_arg(t, a->aggs[j].arg, b, &v);
    if (st == SBD_OK && a->aggs[j].arg2)
      st = eval_arg(t, a->aggs[j].arg2, b, &v2);
    if (st == SBD_OK)
      st = agg_col_update(t, j, v, v2, t->scratch_gid, n, seq0);
    free_arg(a->aggs[j].arg, v);
    free_arg(a->aggs[j].arg2, v2);
  }
  if (st == SBD_OK)
    st = flush_or_grow(a, w, t->ngroups - groups_before, n);
done:
  for (int k = 0; k < a->nkeys; k++)
    free_arg(a->key_exprs[k], kv[k]);
  if (kv != key_vals)
    free(kv);
  if (b != in)
    sbd_batch_free(b);
  return st;
}

typedef struct agg_task {
  agg_op *a;
  sbd_batch *batch;
  int64_t seq;
} agg_task;

static void build_task(void *arg) {
  agg_task *task = arg;
  agg_op *a = task->a;
  pthread_mutex_lock(&a->lock);
  int w = a->free_tables[--a->nfree];
  bool skip = a->err != SBD_OK && a->err_seq < task->seq;
  pthread_mutex_unlock(&a->lock);
  agg_table *t = a->tables[w];
  sbd_status st = SBD_OK;
  if (!skip) {
    t->tctx.errmsg[0] = 0;
    st = aggregate_batch(a, w, task->batch, task->seq * SBD_BATCH_ROWS);
  }
  sbd_batch_free(task->batch);
  pthread_mutex_lock(&a->lock);
  if (st != SBD_OK)
    note_error(a, st, task->seq, t->tctx.errmsg);
  a->free_tables[a->nfree++] = w;
  a->published[w] = t->bytes + a->buf_bytes[w];
  a->inflight--;
  pthread_cond_broadcast(&a->changed);
  pthread_mutex_unlock(&a->lock);
  free(task);
}

/* Brings the bytes charged for this operator to total (on the calling thread). */
static sbd_status charge_to(agg_op *a, int64_t total) {
  int64_t delta = total - a->charged;
  a->charged = total;
  if (delta < 0) {
    ex_mem_release(a->op.q, -delta);
    return SBD_OK;
  }
  return delta ? ex_mem_charge(a->op.q, delta) : SBD_OK;
}

/* The bytes the worker tables held at the end of their last morsels. */
static int64_t published_bytes(agg_op *a) {
  int64_t total = 0;
  pthread_mutex_lock(&a->lock);
  for (int w = 0; w < a->ntables; w++)
    total += a->published[w];
  pthread_mutex_unlock(&a->lock);
  return total;
}

static sbd_status make_tables(agg_op *a, int n) {
  sbd_ctx *ctx = a->op.q->ctx;
  a->tables = sbd_calloc(ctx, (size_t)n, sizeof(agg_table *));
  a->published = sbd_calloc(ctx, (size_t)n, sizeof(int64_t));
  a->free_tables = sbd_calloc(ctx, (size_t)n, sizeof(int));
  a->bufs = sbd_calloc(ctx, (size_t)n * AGG_FLUSH_PARTS, sizeof(agg_table *));
  a->buf_bytes = sbd_calloc(ctx, (size_t)n, sizeof(int64_t));
  a->flush_at = sbd_calloc(ctx, (size_t)n, sizeof(int64_t));
  if (!a->tables || !a->published || !a->free_tables || !a->bufs || !a->buf_bytes || !a->flush_at)
    return SBD_ENOMEM;
  a->ntables = n;
  for (int w = 0; w < n; w++) {
    agg_table *t = agg_table_new(ctx, a->key_types, a->nkeys, a->aggs, a->naggs);
    if (!t)
      return SBD_ENOMEM;
    a->tables[w] = t;
    a->free_tables[a->nfree++] = w;
    a->flush_at[w] = AGG_FLUSH_GROUPS;
    if (a->nkeys == 0) { /* one group, even for no rows */
      int64_t g;
      if (add_group(t, NULL, 0, 0, &g) != SBD_OK)
        return sbd_error(ctx, SBD_ENOMEM, "%s", t->tctx.errmsg);
    }
  }
  return SBD_OK;
}

static sbd_status table_error(agg_op *a, agg_table *t, sbd_status st) {
  return sbd_error(a->op.q->ctx, st, "%s", t->tctx.errmsg[0] ? t->tctx.errmsg : "out of memory");
}

/* Phase 1 on the calling thread alone. */
static sbd_status build_serial(agg_op *a) {
  RETURN_IF_ERROR(make_tables(a, 1));
  agg_table *t = a->tables[0];
  sbd_status st = SBD_OK;
  for (int64_t seq = 0; st == SBD_OK; seq++) {
    sbd_batch *b;
    RETURN_IF_ERROR(ex_op_next(a->op.child, &b));
    if (!b)
      break;
    st = aggregate_batch(a, 0, b, seq * SBD_BATCH_ROWS);
    sbd_batch_free(b);
    if (st != SBD_OK)
      return table_error(a, t, st);
    st = charge_to(a, t->bytes + a->buf_bytes[0]);
  }
  return st;
}

/* Waits until fewer than max tasks are in flight. */
static void wait_inflight(agg_op *a, int max) {
  pthread_mutex_lock(&a->lock);
  while (a->inflight >= max)
    pthread_cond_wait(&a->changed, &a->lock);
  pthread_mutex_unlock(&a->lock);
}

static sbd_status build_parallel(agg_op *a, pool *p) {
  sbd_ctx *ctx = a->op.q->ctx;
  RETURN_IF_ERROR(make_tables(a, pool_threads(p)));
  sbd_status st = SBD_OK;
  for (int64_t seq = 0; st == SBD_OK; seq++) {
    wait_inflight(a, 2 * a->ntables);
    pthread_mutex_lock(&a->lock);
    bool failed = a->err != SBD_OK;
    pthread_mutex_unlock(&a->lock);
    if (failed || (st = charge_to(a, published_bytes(a))) != SBD_OK)
      break;
    sbd_batch *b;
    if ((st = ex_op_next(a->op.child, &b)) != SBD_OK || !b)
      break;
    agg_task *task = sbd_malloc(ctx, sizeof(*task));
    if (!task) {
      sbd_batch_free(b);
      st = SBD_ENOMEM;
      break;
    }
    *task = (agg_task){a, b, seq};
    pthread_mutex_lock(&a->lock);
    a->inflight++;
    pthread_mutex_unlock(&a->lock);
    if (!pool_submit(p, build_task, task)) {
      pthread_mutex_lock(&a->lock);
      a->inflight--;
      pthread_mutex_unlock(&a->lock);
      sbd_batch_free(b);
      free(task);
      st = sbd_error(ctx, SBD_ENOMEM, "out of memory");
    }
  }
  wait_inflight(a, 1);
  if (st != SBD_OK)
    return st;
  if (a->err != SBD_OK)
    return sbd_error(ctx, a->err, "%s", a->errmsg);
  return charge_to(a, published_bytes(a));
}

/* ---- merge ------------------------------------------------------------------------------------*/

/* What a merge task does with its index. */
typedef enum merge_kind {
  MERGE_PREPARE, /* prepare worker table index for merging (prepare_worker) */
  MERGE_TABLES,  /* build partition index from the worker tables (merge_partition) */
  MERGE_FLUSH,   /* flush worker table index into its buffers (flush_table) */
  MERGE_BUFFERS  /* build partition index from the buffers (merge_buffers) */
} merge_kind;

typedef struct merge_task {
  agg_op *a;
  int index; /* a worker table or a partition, as kind says */
  merge_kind kind;
  sbd_status st;
  char errmsg[SBD_ERRMSG_MAX];
  int *pending; /* tasks not finished, under a->lock */
} merge_task;

/* Prepares worker table t for merging: its states (agg_table_prepare) and its groups listed by
 * partition (porder, with partition p's at [poff[p], poff[p + 1])). */
static sbd_status prepare_worker(agg_table *t) {
  RETURN_IF_ERROR(agg_table_prepare(t));
  t->porder = sbd_malloc(&t->tctx, sizeof(int64_t) * (size_t)(t->ngroups ? t->ngroups : 1));
  if (!t->porder)
    return SBD_ENOMEM;
  memset(t->poff, 0, sizeof(t->poff));
  for (int64_t g = 0; g < t->ngroups; g++)
    t->poff[(t->hashes[g] >> (64 - AGG_PART_BITS)) + 2]++;
  for (int p = 0; p < AGG_PARTS; p++)
    t->poff[p + 2] += t->poff[p + 1];
  for (int64_t g = 0; g < t->ngroups; g++)
    t->porder[t->poff[(t->hashes[g] >> (64 - AGG_PART_BITS)) + 1]++] = g;
  return SBD_OK;
}

/* Builds partition p's table from the worker tables' groups of the partition. */
static sbd_status merge_partition(agg_op *a, int p, agg_table *dst) {
  /* Room for every group of the partition first (the keys may be shared), so the table is not
   * rehashed while it fills. */
  int64_t total = 0;
  for (int w = 0; w < a->ntables; w++)
    total += a->tables[w]->poff[p + 1] - a->tables[w]->poff[p];
  while (dst->cap_groups < total)
    RETURN_IF_ERROR(grow_groups(dst));
  for (int w = 0; w < a->ntables; w++) {
    agg_table *src = a->tables[w];
    int64_t end = src->poff[p + 1];
    for (int64_t k = src->poff[p]; k < end; k++) {
      if (k + AGG_PREFETCH_AHEAD < end) {
        int64_t ahead = src->porder[k + AGG_PREFETCH_AHEAD];
        AGG_PREFETCH(&dst->dir[src->hashes[ahead] & dst->dir_mask]);
        prefetch_keys(src, ahead);
      }
      int64_t g = src->porder[k], d;
      RETURN_IF_ERROR(find_row(dst, src->keys, g, src->hashes[g], &d));
      RETURN_IF_ERROR(agg_merge_group(dst, d, src, g));
    }
  }
  return agg_table_prepare(dst);
}

static int popcount64(uint64_t x) {
#if defined(__GNUC__) || defined(__clang__)
  return __builtin_popcountll(x);
#else
  int n = 0;
  for (; x; x &= x - 1)
    n++;
  return n;
#endif
}

/* The number of distinct hashes among the groups of partition p's buffers, estimated by linear
 * counting over a bitmap (a few bits per group, one sequential pass), so that the partition's
 * table is made the right size at once: neither rehashed while it fills nor, when the buffers
 * repeat groups, as large as all of them. */
static int64_t estimate_groups(agg_op *a, int p, int64_t total, uint64_t *bitmap, int64_t bits) {
  memset(bitmap, 0, (size_t)bits / 8);
  for (int w = 0; w < a->ntables; w++) {
    for (const agg_table *b = a->bufs[(size_t)w * AGG_FLUSH_PARTS + p]; b; b = b->next)
      for (int64_t g = 0; g < b->ngroups; g++) {
        uint64_t bit = b->hashes[g] & (uint64_t)(bits - 1);
        bitmap[bit >> 6] |= UINT64_C(1) << (bit & 63);
      }
  }
  int64_t set = 0;
  for (int64_t k = 0; k < bits / 64; k++)
    set += popcount64(bitmap[k]);
  if (set >= bits)
    return total;
  double est = -(double)bits * log1p(-(double)set / (double)bits);
  int64_t n = (int64_t)(est * 1.02) + 16;
  return n < total ? n : total;
}

/* Builds partition p's table from the workers' buffers of the partition, freeing each buffer as
 * soon as it is merged. */
static sbd_status merge_buffers(agg_op *a, int p, agg_table *dst) {
  int64_t total = 0;
  for (int w = 0; w < a->ntables; w++)
    for (const agg_table *b = a->bufs[(size_t)w * AGG_FLUSH_PARTS + p]; b; b = b->next)
      total += b->ngroups;
  if (total > dst->cap_groups) {
    int64_t bits = 1 << 12;
    while (bits < total * 8 && bits < (INT64_C(1) << 30))
      bits *= 2;
    uint64_t *bitmap = sbd_malloc(&dst->tctx, (size_t)bits / 8);
    if (!bitmap)
      return SBD_ENOMEM;
    int64_t want = estimate_groups(a, p, total, bitmap, bits);
    free(bitmap);
    if (want > dst->cap_groups)
      RETURN_IF_ERROR(grow_groups_to(dst, want));
  }
  /* The chunks of a worker are listed newest first: they are merged oldest first, so that a
   * string_agg's pieces mostly arrive in sequence order and are appended (the states do not
   * depend on the order, the ordered aggregates compare sequence numbers). */
  for (int w = 0; w < a->ntables; w++) {
    agg_table **head = &a->bufs[(size_t)w * AGG_FLUSH_PARTS + p], *oldest = NULL;
    while (*head) {
      agg_table *next = (*head)->next;
      (*head)->next = oldest;
      oldest = *head;
      *head = next;
    }
    *head = oldest;
    while (*head) {
      agg_table *src = *head;
      if (agg_table_prepare(src) != SBD_OK) {
        snprintf(dst->tctx.errmsg, sizeof(dst->tctx.errmsg), "%s", src->tctx.errmsg);
        return SBD_ENOMEM;
      }
      int64_t end = src->ngroups;
      for (int64_t g = 0; g < end; g++) {
        if (g + AGG_PREFETCH_AHEAD < end)
          AGG_PREFETCH(&dst->dir[src->hashes[g + AGG_PREFETCH_AHEAD] & dst->dir_mask]);
        if (g + AGG_PREFETCH_AHEAD / 2 < end) {
          uint64_t e = dst->dir[src->hashes[g + AGG_PREFETCH_AHEAD / 2] & dst->dir_mask];
          if (e)
            prefetch_keys(dst, (int64_t)(uint32_t)e - 1);
        }
        int64_t d;
        RETURN_IF_ERROR(find_row(dst, src->keys, g, src->hashes[g], &d));
        RETURN_IF_ERROR(agg_merge_group(dst, d, src, g));
      }
      *head = src->next;
      agg_table_free(src);
    }
  }
  return agg_table_prepare(dst);
}

static void merge_task_run(void *arg) {
  merge_task *m = arg;
  agg_op *a = m->a;
  bool part = m->kind == MERGE_TABLES || m->kind == MERGE_BUFFERS;
  agg_table *t = part ? a->parts[m->index] : a->tables[m->index];
  t->tctx.errmsg[0] = 0;
  switch (m->kind) {
  case MERGE_PREPARE:
    m->st = prepare_worker(t);
    break;
  case MERGE_TABLES:
    m->st = merge_partition(a, m->index, t);
    break;
  case MERGE_FLUSH:
    m->st = t->ngroups ? flush_table(a, m->index) : SBD_OK;
    break;
  case MERGE_BUFFERS:
    m->st = merge_buffers(a, m->index, t);
    break;
  }
  if (m->st != SBD_OK)
    snprintf(m->errmsg, sizeof(m->errmsg), "%s",
             t->tctx.errmsg[0] ? t->tctx.errmsg : "out of memory");
  pthread_mutex_lock(&a->lock);
  (*m->pending)--;
  pthread_cond_broadcast(&a->changed);
  pthread_mutex_unlock(&a->lock);
}

/* Runs n tasks of one kind on the pool (on the calling thread when there is none) and waits for
 * them; the first failure (by index) is reported. */
static sbd_status run_merge_tasks(agg_op *a, pool *p, int first, int n, merge_kind kind) {
  sbd_ctx *ctx = a->op.q->ctx;
  merge_task *tasks = sbd_calloc(ctx, (size_t)n, sizeof(merge_task));
  if (!tasks)
    return SBD_ENOMEM;
  int pending = 0;
  sbd_status st = SBD_OK;
  for (int i = 0; i < n; i++) {
    tasks[i] = (merge_task){.a = a, .index = first + i, .kind = kind, .pending = &pending};
    pthread_mutex_lock(&a->lock);
    pending++;
    pthread_mutex_unlock(&a->lock);
    if (!p) {
      merge_task_run(&tasks[i]);
    } else if (!pool_submit(p, merge_task_run, &tasks[i])) {
      pthread_mutex_lock(&a->lock);
      pending--;
      pthread_mutex_unlock(&a->lock);
      st = sbd_error(ctx, SBD_ENOMEM, "out of memory");
      break;
    }
  }
  pthread_mutex_lock(&a->lock);
  while (pending > 0)
    pthread_cond_wait(&a->changed, &a->lock);
  pthread_mutex_unlock(&a->lock);
  for (int i = 0; i < n && st == SBD_OK; i++)
    if (tasks[i].st != SBD_OK)
      st = sbd_error(ctx, tasks[i].st, "%s", tasks[i].errmsg);
  free(tasks);
  return st;
}

static sbd_status merge_parallel(agg_op *a, pool *p) {
  sbd_ctx *ctx = a->op.q->ctx;
  RETURN_IF_ERROR(run_merge_tasks(a, p, 0, a->ntables, MERGE_PREPARE));
  a->parts = sbd_calloc(ctx, AGG_PARTS, sizeof(agg_table *));
  if (!a->parts)
    return SBD_ENOMEM;
  a->nparts = a->parts_built = AGG_PARTS;
  for (int i = 0; i < AGG_PARTS; i++)
    if (!(a->parts[i] = agg_table_new(ctx, a->key_types, a->nkeys, a->aggs, a->naggs)))
      return SBD_ENOMEM;
  sbd_status st = run_merge_tasks(a, p, 0, AGG_PARTS, MERGE_TABLES);
  /* The worker tables are merged: their memory goes back. */
  for (int w = 0; w < a->ntables; w++) {
    agg_table_free(a->tables[w]);
    a->tables[w] = NULL;
  }
  a->ntables = 0;
  int64_t total = 0;
  for (int i = 0; i < AGG_PARTS; i++)
    total += a->parts[i]->bytes;
  sbd_status st2 = charge_to(a, total);
  return st != SBD_OK ? st : st2;
}

/* The memory of the buffers not merged yet and of the partitions not emitted yet. */
static int64_t flushed_bytes(const agg_op *a) {
  int64_t total = 0;
  for (int k = 0; k < a->ntables * AGG_FLUSH_PARTS; k++)
    for (const agg_table *b = a->bufs[k]; b; b = b->next)
      total += b->bytes;
  for (int i = 0; i < a->nparts; i++)
    total += a->parts[i] ? a->parts[i]->bytes : 0;
  return total;
}

/* The merge after some worker flushed: the workers' tables are flushed too. The partitions are
 * then built from their buffers as the output reaches them (build_partitions), a few at a time,
 * so that the memory holds the buffers and a few partitions rather than all of the groups
 * twice. */
static sbd_status merge_flushed(agg_op *a, pool *p) {
  sbd_ctx *ctx = a->op.q->ctx;
  RETURN_IF_ERROR(run_merge_tasks(a, p, 0, a->ntables, MERGE_FLUSH));
  for (int w = 0; w < a->ntables; w++) {
    agg_table_free(a->tables[w]);
    a->tables[w] = NULL;
  }
  a->pool = p;
  a->parts = sbd_calloc(ctx, AGG_FLUSH_PARTS, sizeof(agg_table *));
  if (!a->parts)
    return SBD_ENOMEM;
  a->nparts = AGG_FLUSH_PARTS;
  return charge_to(a, flushed_bytes(a));
}

/* Builds the partitions from `first` on, as many at once as the pool has threads. */
static sbd_status build_partitions(agg_op *a, int first) {
  sbd_ctx *ctx = a->op.q->ctx;
  int n = a->pool ? pool_threads(a->pool) : 1;
  if (n > a->nparts - first)
    n = a->nparts - first;
  for (int i = first; i < first + n; i++)
    if (!(a->parts[i] = agg_table_new(ctx, a->key_types, a->nkeys, a->aggs, a->naggs)))
      return SBD_ENOMEM;
  a->parts_built = first + n;
  sbd_status st = run_merge_tasks(a, a->pool, first, n, MERGE_BUFFERS);
  sbd_status st2 = charge_to(a, flushed_bytes(a));
  return st != SBD_OK ? st : st2;
}

static bool any_flushed(const agg_op *a) {
  for (int w = 0; w < a->ntables; w++)
    for (int p = 0; p < AGG_FLUSH_PARTS; p++)
      if (a->bufs[(size_t)w * AGG_FLUSH_PARTS + p])
        return true;
  return false;
}

static sbd_status consume(agg_op *a) {
  sbd_ctx *ctx = a->op.q->ctx;
  pool *p = ctx->threads > 1 ? ctx_pool(ctx) : NULL;
  if (ctx->threads > 1 && !p)
    return SBD_ENOMEM;
  pthread_mutex_init(&a->lock, NULL);
  pthread_cond_init(&a->changed, NULL);
  a->sync_made = true;
  if (!p || pool_threads(p) < 2) {
    p = NULL;
    RETURN_IF_ERROR(build_serial(a));
  } else {
    RETURN_IF_ERROR(build_parallel(a, p));
  }
  if (any_flushed(a))
    return merge_flushed(a, p);
  if (a->ntables > 1)
    return merge_parallel(a, p);
  /* One table: it is the result. */
  a->parts = a->tables;
  a->nparts = a->parts_built = 1;
  a->tables = NULL;
  a->ntables = 0;
  sbd_status st = agg_table_prepare(a->parts[0]);
  if (st != SBD_OK)
    return table_error(a, a->parts[0], st);
  return charge_to(a, a->parts[0]->bytes);
}

static sbd_status agg_next(ex_op *op, sbd_batch **out) {
  agg_op *a = (agg_op *)op;
  sbd_ctx *ctx = op->q->ctx;
  if (!a->done) {
    a->done = true;
    RETURN_IF_ERROR(consume(a));
  }
  for (;;) {
    if (a->out_part >= a->nparts)
      return SBD_OK;
    if (a->out_part >= a->parts_built)
      RETURN_IF_ERROR(build_partitions(a, a->out_part));
    if (a->out_group < a->parts[a->out_part]->ngroups)
      break;
    /* The partition is emitted: its memory goes back at once. */
    int64_t bytes = a->parts[a->out_part]->bytes;
    agg_table_free(a->parts[a->out_part]);
    a->parts[a->out_part] = NULL;
    RETURN_IF_ERROR(charge_to(a, a->charged > bytes ? a->charged - bytes : 0));
    a->out_part++;
    a->out_group = 0;
  }
  agg_table *t = a->parts[a->out_part];
  int64_t n = t->ngroups - a->out_group;
  if (n > SBD_BATCH_ROWS)
    n = SBD_BATCH_ROWS;
  sbd_batch *b = batch_new(ctx, op->schema, 0);
  if (!b)
    return SBD_ENOMEM;
  sbd_status st = SBD_OK;
  for (int k = 0; k < a->nkeys && st == SBD_OK; k++)
    st = ex_vec_append(ctx, b->cols[k], t->keys[k], a->out_group, n);
  for (int j = 0; j < a->naggs && st == SBD_OK; j++) {
    vec_free(b->cols[a->nkeys + j]);
    b->cols[a->nkeys + j] = NULL;
    st = agg_col_result(t, j, a->out_group, n, &b->cols[a->nkeys + j]);
    if (st != SBD_OK)
      st = table_error(a, t, st);
  }
  if (st != SBD_OK) {
    sbd_batch_free(b);
    return st;
  }
  b->nrows = n;
  a->out_group += n;
  *out = b;
  return SBD_OK;
}

static void agg_free(ex_op *op) {
  agg_op *a = (agg_op *)op;
  for (int w = 0; w < a->ntables; w++)
    agg_table_free(a->tables[w]);
  for (int p = 0; p < a->nparts; p++)
    agg_table_free(a->parts[p]);
  if (a->bufs)
    for (int k = 0; k < a->ntables * AGG_FLUSH_PARTS; k++)
      while (a->bufs[k]) {
        agg_table *next = a->bufs[k]->next;
        agg_table_free(a->bufs[k]);
        a->bufs[k] = next;
      }
  free(a->bufs);
  free(a->buf_bytes);
  free(a->flush_at);
  free(a->tables);
  free(a->published);
  free(a->free_tables);
  free(a->parts);
  free(a->key_types);
  if (a->sync_made) {
    pthread_mutex_destroy(&a->lock);
    pthread_cond_destroy(&a->changed);
  }
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
  a->key_types = sbd_calloc(q->ctx, (size_t)(nkeys + 1), sizeof(sbd_type));
  sbd_status st = a->op.schema && a->key_types ? SBD_OK : SBD_ENOMEM;
  for (int k = 0; k < nkeys && st == SBD_OK; k++) {
    a->key_types[k] = keys[k]->type;
    st = schema_set(q->ctx, a->op.schema, k, names[k], keys[k]->type);
  }
  for (int j = 0; j < naggs && st == SBD_OK; j++)
    st = schema_set(q->ctx, a->op.schema, nkeys + j, names[nkeys + j], aggs[j].type);
  if (st != SBD_OK) {
    ex_op_free(&a->op);
    return st;
  }
  *out = &a->op;
  return SBD_OK;
}

void ex_agg_set_filter(ex_op *op, const ex_expr *pred) {
  ((agg_op *)op)->filter = pred;
}
