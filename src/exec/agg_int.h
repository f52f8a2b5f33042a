/*
 * agg_int.h — what the hash aggregation's files share: the group table (agg.c) and the states of
 * the aggregates (agg_state.c).
 *
 * A table numbers its groups densely (0, 1, ... in order of first appearance) and keeps, per
 * group, its hash and its key values (one vector per key column). Each aggregate keeps its state
 * as arrays indexed by group number (agg_col), so an update is one typed loop over a batch's rows
 * and a merge combines group g of one table into group d of another. Every state can be merged:
 * sums and counts add, moments combine with Chan's formulas, first/last keep the row with the
 * smaller/larger sequence number (batch index * SBD_BATCH_ROWS + row), string_agg keeps its
 * pieces in sequence order, quantiles keep the values, approx_count_distinct keeps HyperLogLog
 * registers and the DISTINCT aggregates keep the set of (group, value) pairs seen.
 *
 * A flush buffer (append_only) is a table without a directory: the groups a worker flushed, in
 * chunks of a fixed number of groups linked by next, merged into a partition's table later.
 *
 * A table belongs to one thread at a time and reports errors on its own query (tq), whose context
 * is private to the table, so worker threads never touch the caller's context. bytes is the
 * memory the table holds; the operator accounts it (ex_mem_charge) on the calling thread.
 */
#ifndef SBD_AGG_INT_H
#define SBD_AGG_INT_H

#include "exec/exec_int.h"

/* The (group, value) pairs seen by a DISTINCT aggregate: a hash table like the groups'. */
typedef struct agg_distinct {
  sbd_vec *values; /* pair k's value */
  int64_t *gids;   /* pair k's group */
  uint64_t *hashes;
  int64_t n, cap;
  uint32_t *dir; /* pair + 1, 0 when empty; at most half full */
  uint64_t dir_mask;
} agg_distinct;

/* One piece of a string_agg: a value, its row's sequence number, the next piece of its group. */
typedef struct agg_piece {
  int64_t seq;
  int64_t next; /* -1 at the end */
  int64_t off, len;
} agg_piece;

/* A value kept by median / quantile_cont, with its group. */
typedef struct agg_qval {
  int64_t g;
  double v;
} agg_qval;

/* The partitions of the merge: the top AGG_PART_BITS bits of a group's hash. After a flush (many
 * groups) there are more of them, so that one partition of millions of groups is some tens of
 * thousands, whose directory and keys stay near the caches while the partition is aggregated. */
#define AGG_PART_BITS 4
#define AGG_FLUSH_PART_BITS 8
#define AGG_FLUSH_PARTS (1 << AGG_FLUSH_PART_BITS)
#define AGG_PARTS (1 << AGG_PART_BITS)

#define AGG_HLL_BITS 10
#define AGG_HLL_REGS (1 << AGG_HLL_BITS)

/* The state of one aggregate over all the groups of a table. Which arrays exist depends on the
 * kind (agg_col_grow allocates them). */
typedef struct agg_col {
  int64_t *n;   /* rows counted, values seen, or "has a value" */
  int64_t *i64; /* integer sum, min, max, first, last */
  double *f[5]; /* double sum, min, max; mean and moments (Welford; corr uses all five) */
  char **str;   /* min, max, first, last of STRING: malloc'd copies */
  size_t *slen;
  int64_t *seq;    /* first, last, any_value: the sequence number of the kept row */
  uint8_t *isnull; /* first, last: the kept value is NULL */
  uint8_t **hll;   /* approx_count_distinct: AGG_HLL_REGS registers, made on the first value */
  int64_t *head;   /* string_agg: the group's first and last piece, -1 for none */
  int64_t *tail;
  agg_piece *pieces; /* string_agg */
  int64_t npieces, cap_pieces;
  char *sbuf; /* string_agg: the pieces' bytes */
  int64_t sbuf_len, sbuf_cap;
  agg_qval *qv; /* median, quantile_cont: the values of all groups */
  int64_t nqv, cap_qv;
  int64_t *qoff; /* after agg_table_prepare: group g's values are qsorted[qoff[g]..qoff[g+1]) */
  double *qsorted;
  int64_t *dorder;        /* after agg_table_prepare: the DISTINCT pairs of group g are
                           * dorder[qoff[g]..qoff[g + 1]) */
  agg_distinct *distinct; /* the DISTINCT aggregates */
} agg_col;

typedef struct agg_table {
  ex_query tq; /* this table's query: its own context (messages) and no memory limit */
  sbd_ctx tctx;
  const ex_agg_spec *aggs;
  int naggs;
  int nkeys;
  sbd_vec **keys; /* keys[k] row g: group g's key k */
  uint64_t *hashes;
  int64_t ngroups, cap_groups;
  uint64_t *dir; /* (high 32 bits of the hash) << 32 | (group + 1); 0 when empty; <= half full */
  uint64_t dir_mask;
  agg_col *cols;
  bool append_only;       /* no directory: groups are appended, never looked up (a flush buffer) */
  struct agg_table *next; /* a flush buffer: the next (older) chunk of the same partition */
  int64_t bytes;          /* memory held, for the operator's accounting */
  /* for merging: the groups by partition, partition p's at porder[poff[p]..poff[p + 1]) */
  int64_t *porder;
  int64_t poff[AGG_PARTS + 2];
  /* per morsel: the rows' hashes and groups */
  uint64_t *scratch_h;
  int64_t *scratch_gid;
} agg_table;

/* A table for aggregates aggs[0..naggs) grouped by keys of key_types[0..nkeys). NULL when out of
 * memory (the message on ctx). */
agg_table *agg_table_new(sbd_ctx *ctx, const sbd_type *key_types, int nkeys,
                         const ex_agg_spec *aggs, int naggs);
void agg_table_free(agg_table *t);
/* Empties t (no groups), keeping its directory and key buffers for the next rows. */
sbd_status agg_table_clear(agg_table *t);
/* Finds (or adds) the groups of rows [0, n) of key_vals whose hashes are h; gid[i] is row i's. */
sbd_status agg_table_find(agg_table *t, sbd_vec **key_vals, int64_t n, const uint64_t *h,
                          int64_t *gid);
/* Hashes rows [0, n) of the key vectors into h. */
void agg_hash_keys(sbd_vec **key_vals, int nkeys, int64_t n, uint64_t *h);

/* Makes room for groups [0, cap) in the states of every aggregate (new groups are empty). */
sbd_status agg_col_grow(agg_table *t, int j, int64_t old_cap, int64_t cap);
/* Sets up group g as empty in every state. */
void agg_col_init_group(agg_table *t, int64_t g);
/* Updates aggregate j with rows [0, n): arg (and arg2) are its argument vectors, gid[i] the
 * groups, seq0 + i the rows' sequence numbers. */
sbd_status agg_col_update(agg_table *t, int j, const sbd_vec *arg, const sbd_vec *arg2,
                          const int64_t *gid, int64_t n, int64_t seq0);
/* Sorts the quantile values by group (before merging from this table or emitting it). */
sbd_status agg_table_prepare(agg_table *t);
/* Combines group sg of src into group dg of dst, for every aggregate. src is prepared. */
sbd_status agg_merge_group(agg_table *dst, int64_t dg, agg_table *src, int64_t sg);
/* The result of aggregate j for groups [from, from + n), as a new vector. t is prepared. */
sbd_status agg_col_result(agg_table *t, int j, int64_t from, int64_t n, sbd_vec **out);
void agg_col_free(agg_table *t, int j);

#endif
