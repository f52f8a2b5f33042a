/*
 * exec_int.h — the executor: a physical plan of operators that pull batches from their children,
 * and expressions compiled into trees of vectorized kernels.
 *
 * Operators. Each one has next(op, &batch), which returns a batch owned by the caller (NULL at
 * the end), and free, which frees the operator and its children. A plan is a tree of them whose
 * root the query's stream pulls: scan (any sbd_reader) -> filter -> hash aggregate -> project ->
 * sort -> limit, with hash joins (join.c) of two such trees below the filter. Batches are never
 * shared between operators: an operator consumes its input batch and hands out a new one (or the
 * same one, modified), so no reference counting is needed.
 *
 * Expressions. ex_eval evaluates an expression tree over a whole batch and returns a new vector:
 * each node is one kernel, a typed loop over the rows of its children's vectors (a switch on the
 * node's kind and types chooses the loop once per batch, never per value); nulls travel in the
 * validity bitmaps. Semantics follow DuckDB: / is floating division (x / 0 is +-inf or NaN),
 * x % 0 is NULL, + - * of INT64 that overflow are an error, AND/OR/NOT are three-valued, doubles
 * order NaN above every number and equal to itself.
 *
 * Memory. A query (ex_query) owns an arena for its plan and expressions, and accounts the bytes
 * of operator state (hash tables, sort buffers) against an optional limit; over the limit is an
 * SBD_ELIMIT error naming it (a later issue will spill instead: the aggregation keeps a hash per
 * group and the sort keeps its rows in whole batches so both can be partitioned to disk).
 *
 * Threads. A plan runs on the calling thread; the readers beneath it decode on the context's
 * pool, and the hash aggregate (agg.c) hands its input batches to the pool too: each worker
 * aggregates into its own table (with the filter below the aggregate, ex_agg_set_filter), and
 * the tables are merged by partitions of the group hashes, in parallel.
 */
#ifndef SBD_EXEC_INT_H
#define SBD_EXEC_INT_H

#include "core/core_int.h"

/* ---- queries and memory ---------------------------------------------------------------------*/

typedef struct ex_query {
  sbd_ctx *ctx;
  arena arena;       /* plan nodes, expressions, names: freed with the query */
  int64_t mem_bytes; /* operator state accounted now */
  int64_t mem_peak;
  int64_t mem_limit; /* 0: no limit */
} ex_query;

/* Accounts bytes more of operator state; SBD_ELIMIT (with a message) when over the limit. */
sbd_status ex_mem_charge(ex_query *q, int64_t bytes);
void ex_mem_release(ex_query *q, int64_t bytes);

/* ---- vectors ----------------------------------------------------------------------------------*/

/* Appends src[from, from + n) to dst (same type). */
sbd_status ex_vec_append(sbd_ctx *ctx, sbd_vec *dst, const sbd_vec *src, int64_t from, int64_t n);
/* Appends src[idx[0]], ..., src[idx[n - 1]] to dst (same type). */
sbd_status ex_vec_gather(sbd_ctx *ctx, sbd_vec *dst, const sbd_vec *src, const int64_t *idx,
                         int64_t n);
/* A new vector holding a copy of src. */
sbd_vec *ex_vec_copy(sbd_ctx *ctx, const sbd_vec *src);
/* Compares row i of a with row j of b (same type, both valid): <0, 0, >0. Strings by bytes,
 * doubles with NaN greatest and equal to itself, -0 equal to 0. */
int ex_vec_compare(const sbd_vec *a, int64_t i, const sbd_vec *b, int64_t j);
/* Mixes the hash of each row of v into h[0..v->len) (NULL hashes as a fixed value; -0 as 0 and
 * every NaN alike, so that equal values hash equally). */
void ex_vec_hash(const sbd_vec *v, uint64_t *h);

/* ---- scalar values ----------------------------------------------------------------------------*/

typedef struct ex_value {
  sbd_type type;
  bool is_null;
  union {
    bool b;
    int64_t i; /* INT64, TIMESTAMP */
    int32_t date;
    double d;
    struct {
      const char *str; /* in the query's arena */
      size_t len;
    };
  };
} ex_value;

/* ---- expressions ------------------------------------------------------------------------------*/

typedef enum ex_expr_kind {
  EX_COLUMN = 1, /* col: a column of the input batch */
  EX_CONST,      /* value */
  EX_ARITH,      /* op: EX_ADD..EX_MOD over args[0], args[1]; both INT64 or both DOUBLE */
  EX_NEG,        /* - args[0] (INT64 or DOUBLE) */
  EX_CMP,        /* op: EX_EQ..EX_NOT_DISTINCT over two args of one type; BOOL */
  EX_AND,        /* args[0..nargs), BOOL, three-valued */
  EX_OR,
  EX_NOT,
  EX_IS_NULL,  /* negated: IS NOT NULL */
  EX_CASE,     /* args: when0, then0, when1, then1, ..., else (always present: a NULL const) */
  EX_CAST,     /* args[0] to type; try_cast makes a failure NULL instead of an error */
  EX_COALESCE, /* args of one type */
  EX_FUNC      /* fn over args */
} ex_expr_kind;

typedef enum ex_op_code {
  EX_ADD = 1,
  EX_SUB,
  EX_MUL,
  EX_DIV,
  EX_MOD,
  EX_EQ,
  EX_NE,
  EX_LT,
  EX_LE,
  EX_GT,
  EX_GE,
  EX_DISTINCT,    /* IS DISTINCT FROM: never NULL */
  EX_NOT_DISTINCT /* IS NOT DISTINCT FROM */
} ex_op_code;

typedef enum ex_fn {
  EX_FN_LOWER = 1, /* ASCII letters */
  EX_FN_UPPER,
  EX_FN_LENGTH,    /* in code points */
  EX_FN_CONCAT,    /* concat(a, b, ...): NULLs count as '' */
  EX_FN_CONCAT_OP, /* a || b: NULL when either is */
  EX_FN_ABS,
  EX_FN_LIKE, /* args[0] LIKE the pattern in value (a constant); ilike, like_escape */
  EX_FN_TRIM, /* spaces (only ' ', as DuckDB) off both ends */
  EX_FN_LTRIM,
  EX_FN_RTRIM,
  EX_FN_SUBSTR,  /* substr(s, start[, len]) in code points, DuckDB's rules for start <= 0 and
                  * len < 0 */
  EX_FN_REPLACE, /* replace(s, from, to): every occurrence; an empty from changes nothing */
  EX_FN_ROUND,   /* round(x[, digits]): half away from zero; INT64 x stays INT64 */
  EX_FN_FLOOR,   /* DOUBLE */
  EX_FN_CEIL,    /* DOUBLE */
  EX_FN_SQRT,    /* a negative argument is an error, as in DuckDB */
  EX_FN_LN,      /* zero or a negative argument is an error */
  EX_FN_LOG10,
  EX_FN_EXP,
  EX_FN_POW,      /* DOUBLE: pow(x, y) as C's pow */
  EX_FN_SIGN,     /* INT64 -1, 0 or 1 (0 for NaN and -0.0) */
  EX_FN_GREATEST, /* args of one type; NULLs ignored, NULL only when all are */
  EX_FN_LEAST
} ex_fn;

typedef struct ex_expr ex_expr;
struct ex_expr {
  ex_expr_kind kind;
  sbd_type type;   /* of the result */
  int col;         /* EX_COLUMN */
  ex_value value;  /* EX_CONST */
  ex_op_code op;   /* EX_ARITH, EX_CMP */
  ex_fn fn;        /* EX_FUNC */
  bool negated;    /* EX_IS_NULL */
  bool try_cast;   /* EX_CAST */
  int cast_bits;   /* EX_CAST to INT64: the width of the type written (8, 16, 32), or 0 for 64 */
  bool ilike;      /* EX_FN_LIKE: ILIKE (ASCII case folding) */
  int like_escape; /* EX_FN_LIKE: the escape byte, or -1 for none (DuckDB has no default) */
  ex_expr **args;
  int nargs;
  const char *text; /* the SQL text of the expression, for runtime messages */
};

/* Evaluates e over the rows of in; *out is a new vector of in->nrows rows, owned by the caller
 * (vec_free). Errors (overflow, a failed CAST) are on q->ctx. */
sbd_status ex_eval(ex_query *q, const ex_expr *e, const sbd_batch *in, sbd_vec **out);

/* Casts one string to a type as CAST does (false when it does not read as one). */
bool ex_parse_value(sbd_type type, const char *s, size_t n, ex_value *out);

/* ---- operators --------------------------------------------------------------------------------*/

typedef struct ex_op ex_op;
typedef struct ex_op_vt {
  const char *name;
  sbd_status (*next)(ex_op *op, sbd_batch **out);
  void (*free)(ex_op *op); /* frees what the operator owns besides its child and itself */
} ex_op_vt;

struct ex_op {
  const ex_op_vt *vt;
  ex_query *q;
  sbd_schema *schema; /* of the batches it hands out (a reference) */
  ex_op *child;       /* NULL for a leaf */
};

/* The next batch (owned by the caller), or *out = NULL at the end. */
sbd_status ex_op_next(ex_op *op, sbd_batch **out);
/* Frees op and its children. Accepts NULL. */
void ex_op_free(ex_op *op);
/* A new batch of schema s (referenced) made of the vectors cols[0..s->ncols) (taken, freed on
 * failure too) and n rows. */
sbd_status ex_batch_of(ex_query *q, sbd_schema *s, sbd_vec **cols, int64_t n, sbd_batch **out);

/* Reads a reader (owned by the operator from now on; closed even on failure). keep[0..nkeep)
 * are the reader's columns handed on, in that order; nkeep -1 hands on all of them. */
sbd_status ex_scan_new(ex_query *q, sbd_reader *reader, const int *keep, int nkeep, ex_op **out);
/* One row of no columns: SELECT without FROM. */
sbd_status ex_one_row_new(ex_query *q, ex_op **out);
/* The rows of child for which pred (BOOL) is true. Takes child. */
sbd_status ex_filter_new(ex_query *q, ex_op *child, const ex_expr *pred, ex_op **out);
/* exprs[0..n) over child's batches, named names[0..n). Takes child. */
sbd_status ex_project_new(ex_query *q, ex_op *child, ex_expr *const *exprs,
                          const char *const *names, int n, ex_op **out);
/* The rows of first, then those of second (UNION ALL): both with the same column types; the
 * batches carry first's schema (its names). Takes both. */
sbd_status ex_concat_new(ex_query *q, ex_op *first, ex_op *second, ex_op **out);
/* Skips offset rows, then hands on at most limit rows (-1: all). Takes child. */
sbd_status ex_limit_new(ex_query *q, ex_op *child, int64_t limit, int64_t offset, ex_op **out);

typedef struct ex_sort_key {
  int col; /* a column of the child */
  bool desc;
  bool nulls_first;
} ex_sort_key;
/* Sorts child's rows by keys (stable: ties keep their input order). Takes child. */
sbd_status ex_sort_new(ex_query *q, ex_op *child, const ex_sort_key *keys, int nkeys, ex_op **out);

typedef enum ex_join_type {
  EX_JOIN_INNER = 1, /* also CROSS: no keys, every pair is a candidate */
  EX_JOIN_LEFT,      /* probe rows without a match, NULL-extended */
  EX_JOIN_RIGHT,     /* build rows without a match, NULL-extended, at the end */
  EX_JOIN_FULL       /* both */
} ex_join_type;

/* A hash join of probe (streamed) and build (read whole first): a pair matches when
 * probe_keys[k] (over probe's batches) equals build_keys[k] (over build's batches) for every
 * k < nkeys (the pairs of one type; NULL never matches) and residual (over the pair's output
 * row; NULL for none) is true. The output row is probe's columns then build's, or build's then
 * probe's when build_first (so a join can build on its left side and keep its column order).
 * type says which side's unmatched rows are kept: LEFT the probe's, RIGHT the build's. nkeys 0
 * is a cross product (filtered by residual). Takes probe and build. */
sbd_status ex_hash_join_new(ex_query *q, ex_op *probe, ex_op *build, ex_join_type type,
                            ex_expr *const *probe_keys, ex_expr *const *build_keys, int nkeys,
                            const ex_expr *residual, bool build_first, ex_op **out);
/* Makes a hash join an ASOF join: its last key pair is not an equality but the inequality
 * "probe value cmp build value" (EX_GE, EX_GT, EX_LE or EX_LT), and each probe row pairs with at
 * most one build row: of equal keys, the one whose value is the closest satisfying it. NULLs
 * never match. Only INNER and LEFT, never build_first. Call before the first next. */
void ex_hash_join_asof(ex_op *op, ex_op_code cmp);

typedef enum ex_agg_kind {
  EX_AGG_COUNT_STAR = 1,
  EX_AGG_COUNT,
  EX_AGG_SUM, /* INT64 (overflow is an error) or DOUBLE */
  EX_AGG_AVG, /* DOUBLE */
  EX_AGG_MIN,
  EX_AGG_MAX,
  EX_AGG_COUNT_DISTINCT, /* count(DISTINCT x) */
  EX_AGG_SUM_DISTINCT,   /* sum(DISTINCT x) */
  EX_AGG_AVG_DISTINCT,   /* avg(DISTINCT x) */
  EX_AGG_VAR_SAMP,       /* variance, var_samp: DOUBLE; NULL below 2 values */
  EX_AGG_VAR_POP,
  EX_AGG_STDDEV_SAMP, /* stddev, stddev_samp */
  EX_AGG_STDDEV_POP,
  EX_AGG_QUANTILE, /* quantile_cont(x, param) and median (param 0.5): DOUBLE, interpolated */
  EX_AGG_CORR,     /* corr(arg, arg2): over the rows where both are not NULL */
  EX_AGG_FIRST,    /* the value (NULL or not) of the first row in input order */
  EX_AGG_LAST,
  EX_AGG_ANY_VALUE,      /* the first value that is not NULL */
  EX_AGG_APPROX_DISTINCT, /* approx_count_distinct: HyperLogLog */
  EX_AGG_STRING_AGG       /* string_agg(arg, sep): in input order */
} ex_agg_kind;

typedef struct ex_agg_spec {
  ex_agg_kind kind;
  const ex_expr *arg;  /* NULL for count(*) */
  const ex_expr *arg2; /* corr's second argument */
  double param;        /* quantile_cont's fraction */
  const char *sep;     /* string_agg's separator (NULL: the result is NULL) */
  size_t sep_len;
  sbd_type type; /* of the result */
  const char *text;
} ex_agg_spec;

/* Groups child's rows by keys[0..nkeys) (values of any type, NULL a group of its own) and
 * computes aggs[0..naggs) per group. The output has the keys, then the aggregates, named
 * names[0..nkeys + naggs). With no keys there is exactly one group, even for no rows. Takes
 * child. */
sbd_status ex_agg_new(ex_query *q, ex_op *child, ex_expr *const *keys, int nkeys,
                      const ex_agg_spec *aggs, int naggs, const char *const *names, ex_op **out);
/* Makes the aggregation evaluate pred (BOOL) over child's batches itself and keep only the rows
 * for which it is true, so that the filter runs on the worker threads with the aggregation. Call
 * before the first next. */
void ex_agg_set_filter(ex_op *op, const ex_expr *pred);

#endif
