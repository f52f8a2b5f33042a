/*
 * exec_int.h — the executor: a physical plan of operators that pull batches from their children,
 * and expressions compiled into trees of vectorized kernels.
 *
 * Operators. Each one has next(op, &batch), which returns a batch owned by the caller (NULL at
 * the end), and free, which frees the operator and its children. A plan is a tree of them whose
 * root the query's stream pulls: scan (any sbd_reader) -> filter -> hash aggregate -> project ->
 * sort -> limit, with hash joins (join.c) of two such trees below the filter. Batches are never
 * shared between operators: an operator consumes its input batch and hands out a new one (or the
 * same one, modified), so no reference counting is needed. The one exception is the scan of an
 * in-memory table (memtable.c), whose batches hold views of the table's columns: a view is
 * copied before anything is written into it (vec_unshare), so operators need not know.
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
  /* Tables the caller names (the feature store's sources and groups), looked up by the binder
   * for a bare table name that is not a CTE; NULL when none. Read only while planning. */
  const struct sql_table *tables;
  int ntables;
  /* Filter pushdown: the parts of the inputs read and skipped by statistics (prune.c). */
  int64_t scan_row_groups_read, scan_row_groups_skipped;
  int64_t scan_files_read, scan_files_skipped;
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

/* INTERVAL is a value type of expressions only: a vector of it holds ex_interval values (16
 * bytes), never leaves an expression, and is refused as a column of a query's result. Made by
 * ex_interval_vec. */
#define EX_INTERVAL ((sbd_type)16)

typedef struct ex_interval {
  int32_t months;
  int32_t days;
  int64_t micros;
} ex_interval;

/* ---- scalar values ----------------------------------------------------------------------------*/

typedef struct ex_value {
  sbd_type type;
  bool is_null;
  union {
    bool b;
    int64_t i; /* INT64, TIMESTAMP */
    int32_t date;
    double d;
    ex_interval iv; /* EX_INTERVAL */
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
  EX_FN_LOWER = 1, /* utf8proc's simple case mapping */
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
  EX_FN_LEAST,
  /* Regular expressions (expr_regex.c): the pattern is compiled once, at bind time, into regex
   * when it is a constant; else per row. regex_flags holds the options (PCRE2 bits). */
  EX_FN_REGEXP_MATCHES,    /* (s, pattern): BOOL, a match anywhere */
  EX_FN_REGEXP_FULL_MATCH, /* (s, pattern): BOOL, the whole string */
  EX_FN_REGEXP_REPLACE,    /* (s, pattern, replacement): the first match, all when regex_global */
  EX_FN_REGEXP_EXTRACT,    /* (s, pattern[, group]): the group of the first match, '' if none */
  EX_FN_LIKE_DYN,          /* (s, pattern[, escape]) LIKE with a pattern per row; ilike */
  /* Dates, times and intervals (expr_time.c). part is an ex_part. */
  EX_FN_DATE_PART,     /* (x): INT64 (DOUBLE for epoch and julian) of a DATE, TIMESTAMP, INTERVAL */
  EX_FN_DATE_TRUNC,    /* (x): TIMESTAMP, x truncated to part */
  EX_FN_DATE_ADD_DAYS, /* (DATE, INT64) or, op EX_SUB, DATE - INT64: DATE */
  EX_FN_DATE_DIFF,     /* (DATE, DATE): INT64 days */
  EX_FN_TS_ADD,        /* (TIMESTAMP, INTERVAL), op EX_ADD or EX_SUB: TIMESTAMP */
  EX_FN_TS_DIFF,       /* (TIMESTAMP, TIMESTAMP): INTERVAL of days and microseconds */
  EX_FN_INTERVAL_ADD,  /* (INTERVAL, INTERVAL), op EX_ADD or EX_SUB */
  EX_FN_INTERVAL_MUL,  /* (INTERVAL, INT64) */
  EX_FN_INTERVAL_NEG,  /* (INTERVAL) */
  EX_FN_INTERVAL_CMP,  /* (INTERVAL, INTERVAL): BOOL, op EX_EQ..EX_NOT_DISTINCT as EX_CMP's */
  EX_FN_TO_INTERVAL,   /* (INT64): an interval of that many parts (to_days, INTERVAL (x) DAY) */
  EX_FN_INTERVAL_TEXT, /* (INTERVAL): STRING as DuckDB writes it */
  EX_FN_AGE,           /* (TIMESTAMP, TIMESTAMP): INTERVAL in years, months, days, time */
  EX_FN_MAKE_DATE,     /* (INT64, INT64, INT64): DATE; a date not in the calendar is an error */
  EX_FN_STRFTIME,      /* (TIMESTAMP, STRING format): STRING */
  EX_FN_STRPTIME,      /* (STRING, STRING format): TIMESTAMP; try_cast: NULL instead of error */
  EX_FN_EPOCH_MS,      /* (TIMESTAMP): INT64 milliseconds */
  EX_FN_MS_TO_TS,      /* (INT64 milliseconds): TIMESTAMP */
  EX_FN_SEC_TO_TS      /* (DOUBLE seconds): TIMESTAMP (to_timestamp) */
} ex_fn;

/* The parts of date_part, date_trunc and INTERVAL (x) UNIT. */
typedef enum ex_part {
  EX_PART_YEAR = 1,
  EX_PART_QUARTER,
  EX_PART_MONTH,
  EX_PART_WEEK, /* ISO 8601 week number; date_trunc: the Monday */
  EX_PART_DAY,
  EX_PART_HOUR,
  EX_PART_MINUTE,
  EX_PART_SECOND,
  EX_PART_MILLISECOND, /* date_part: seconds * 1000 + milliseconds */
  EX_PART_MICROSECOND, /* date_part: seconds * 1000000 + microseconds */
  EX_PART_DECADE,
  EX_PART_CENTURY,
  EX_PART_MILLENNIUM,
  EX_PART_DOW,    /* 0 Sunday .. 6 Saturday */
  EX_PART_ISODOW, /* 1 Monday .. 7 Sunday */
  EX_PART_DOY,
  EX_PART_ISOYEAR,
  EX_PART_YEARWEEK, /* isoyear * 100 + week */
  EX_PART_ERA,
  EX_PART_EPOCH,  /* DOUBLE seconds */
  EX_PART_JULIAN, /* DOUBLE Julian day */
  EX_PART_NONE
} ex_part;

/* A part named as DuckDB names it (year, yr, y, years, dow, isodow, ...; lower case), or 0. */
ex_part ex_part_lookup(const char *name);

/* Compares two intervals as DuckDB does: normalised to months (of 30 days), days (of 24 hours)
 * and microseconds, so INTERVAL '30 days' = INTERVAL '1 month'. */
int ex_interval_compare(ex_interval a, ex_interval b);

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
  const char *text;     /* the SQL text of the expression, for runtime messages */
  ex_part part;         /* EX_FN_DATE_PART, EX_FN_DATE_TRUNC, EX_FN_TO_INTERVAL */
  const void *regex;    /* EX_FN_REGEXP_*: the compiled constant pattern (pcre2_code), or NULL */
  uint32_t regex_flags; /* EX_FN_REGEXP_*: PCRE2 compile options */
  bool regex_global;    /* EX_FN_REGEXP_REPLACE: every match, not the first */
};

/* The kernels of expr_time.c and expr_regex.c, called by ex_eval with the arguments evaluated. */
sbd_status ex_eval_time(ex_query *q, const ex_expr *e, sbd_vec **args, int64_t n, sbd_vec **out);
sbd_status ex_eval_regex(ex_query *q, const ex_expr *e, sbd_vec **args, int64_t n, sbd_vec **out);
/* A vector of n intervals, values uninitialised, all valid. */
sbd_status ex_interval_vec(ex_query *q, int64_t n, sbd_vec **out);
/* Compiles a pattern for the regexp functions with PCRE2 options flags, its memory in the
 * query's arena (so it lives as long as the plan and needs no free). NULL with an error naming
 * the pattern and PCRE2's message on ctx. */
const void *ex_regex_compile(ex_query *q, const char *pattern, size_t len, uint32_t flags,
                             const char *text);
/* Reads the options of a regexp function ("i", "c", "s", "m", "n", "p", "l", and "g" when
 * allow_global) into PCRE2 compile flags and *global; false with the bad letter in *bad. */
bool ex_regex_options(const char *opts, size_t n, bool allow_global, uint32_t *flags, bool *global,
                      char *bad);

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
/* An order-preserving 64-bit prefix of row i of a sort key v: where the prefixes of two rows
 * differ, they order the rows as the key does (desc and nulls_first folded in); equal prefixes say
 * nothing. Exact for BOOL, DATE, INT64, TIMESTAMP and DOUBLE values (but a NULL may share the
 * prefix of an extreme value); a STRING's first 8 bytes. */
uint64_t ex_sort_prefix(const sbd_vec *v, const ex_sort_key *flags, int64_t i);
/* Sorts child's rows by keys (stable: ties keep their input order). Takes child. */
sbd_status ex_sort_new(ex_query *q, ex_op *child, const ex_sort_key *keys, int nkeys, ex_op **out);
/* Top-N: only the first rows (>= 0) rows of the sorted order are wanted (ORDER BY ... LIMIT n
 * OFFSET m gives n + m), so the sort buffers about that many instead of all its input. Call
 * before the first next; op must come from ex_sort_new. */
void ex_sort_set_limit(ex_op *op, int64_t rows);
/* The most rows a sort held at once, or -1 when op is not a sort (for tests). */
int64_t ex_sort_buffered_peak(const ex_op *op);

/* ---- filter pushdown (prune.c) ----------------------------------------------------------------
 * Whether a part of a table (a row group, a partition's file) may hold a row for which a WHERE
 * condition is true, from its columns' statistics; false only when certainly none does. */
struct pq_column_stats;
/* pred is bound over columns 0..ncols), and cols[i] holds column i's statistics (has_min_max and
 * has_null_count false where nothing is known). */
bool ex_prune_may_match(const ex_expr *pred, const struct pq_column_stats *cols, int ncols);
/* `column op value` (op EX_EQ..EX_GE) compared in type want (the column's type, or DOUBLE for an
 * INT64 column, TIMESTAMP for a DATE column); value is of type want. */
bool ex_prune_cmp_may_match(const struct pq_column_stats *st, ex_op_code op, sbd_type want,
                            const ex_value *value);
/* `column IS NULL` (negated: IS NOT NULL). */
bool ex_prune_null_may_match(const struct pq_column_stats *st, bool negated);
/* A scan's pruning: pred over the scan's columns 0..n), column i being the reader's column
 * reader_col[i] (-1: none). */
typedef struct ex_prune {
  ex_query *q;
  const ex_expr *pred;
  int n;
  int *reader_col;
  struct pq_column_stats *stats; /* room for n */
} ex_prune;
/* Makes reader skip the parts (row groups, partition files) where pred cannot be true, counting
 * them in q. The reader must not have been read yet. */
sbd_status ex_prune_attach(ex_query *q, sbd_reader *reader, const ex_expr *pred,
                           const int *reader_col, int n);

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
  EX_AGG_ANY_VALUE,       /* the first value that is not NULL */
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

/* ---- window functions (window.c) -------------------------------------------------------------*/

typedef enum ex_win_kind {
  EX_WIN_ROW_NUMBER = 1,
  EX_WIN_RANK,
  EX_WIN_DENSE_RANK,
  EX_WIN_PERCENT_RANK, /* DOUBLE: (rank - 1) / (rows - 1), 0 for one row */
  EX_WIN_CUME_DIST,    /* DOUBLE: rows up to the last peer / rows */
  EX_WIN_NTILE,        /* args[0]: the number of buckets (INT64, per row) */
  EX_WIN_LAG,          /* args: value, offset (INT64; NULL: 1), default (the value's type) */
  EX_WIN_LEAD,
  EX_WIN_FIRST_VALUE, /* args[0] over the frame */
  EX_WIN_LAST_VALUE,
  EX_WIN_NTH_VALUE, /* args[0], args[1] (INT64, 1-based) */
  EX_WIN_COUNT_STAR,
  EX_WIN_COUNT,
  EX_WIN_SUM, /* INT64 (overflow is an error) or DOUBLE */
  EX_WIN_AVG, /* DOUBLE */
  EX_WIN_MIN,
  EX_WIN_MAX
} ex_win_kind;

typedef enum ex_frame_unit {
  EX_FRAME_RANGE = 0, /* bounds are peer groups: only UNBOUNDED and CURRENT ROW */
  EX_FRAME_ROWS
} ex_frame_unit;

typedef enum ex_bound_kind {
  EX_BOUND_UNBOUNDED_PRECEDING = 1,
  EX_BOUND_PRECEDING, /* offset rows before (ROWS only) */
  EX_BOUND_CURRENT_ROW,
  EX_BOUND_FOLLOWING, /* offset rows after (ROWS only) */
  EX_BOUND_UNBOUNDED_FOLLOWING
} ex_bound_kind;

/* One window function call: kind(args) OVER (PARTITION BY partition ORDER BY order frame). The
 * expressions are over the window operator's child. The default frame (no frame written) is
 * RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW, which without ORDER BY is the whole
 * partition. Calls with the same partition and order share one sort: spec is the index of the
 * first call with the same PARTITION BY and ORDER BY (itself when none before). */
typedef struct ex_window_fn {
  ex_win_kind kind;
  const ex_expr *args[3];
  int nargs;
  const ex_expr *const *partition;
  int npartition;
  const ex_expr *const *order;
  const ex_sort_key *order_keys; /* desc and nulls_first of each order expression (col unused) */
  int norder;
  ex_frame_unit unit;
  ex_bound_kind start, end;
  int64_t start_offset, end_offset; /* PRECEDING and FOLLOWING: rows (may be negative) */
  int spec;
  sbd_type type; /* of the result */
  const char *text;
} ex_window_fn;

/* Computes fns[0..nfns) over all of child's rows: the output has child's columns, then one
 * column per call, named names[0..nfns), with the rows in child's order. Takes child. */
sbd_status ex_window_new(ex_query *q, ex_op *child, const ex_window_fn *fns, int nfns,
                         const char *const *names, ex_op **out);

/* The calls of a window operator (fns[0..nfns) as ex_window_new took them); false when op is not
 * one. */
bool ex_window_calls(const ex_op *op, const ex_window_fn **fns, int *nfns);
/* The expression a projection computes its column col with, or NULL when op is not a projection
 * (or has no such column). */
const ex_expr *ex_project_expr(const ex_op *op, int col);
/* The per-partition top-k (window_topk.c): when pred, a condition that op (a filter, or an
 * aggregation given it with ex_agg_set_filter) applies to its child's rows, bounds a row_number(),
 * rank() or dense_rank() call's column by a small constant (`rn <= k`, `rn < k`, `rn = k`,
 * BETWEEN's `rn <= k`), the call comes from a window operator beneath op (perhaps through
 * projections and filters) and the window's calls allow it, replaces that window operator with one
 * that keeps only each partition's first rows. Leaves the plan as it is otherwise. */
sbd_status ex_window_topk_plan(ex_query *q, ex_op *op, const ex_expr *pred);

/* Makes a hash join a MARK join (call before the first next; never build_first): it hands out
 * each probe row once, followed by one BOOL column named name: true when a build row matches it
 * (keys equal, residual true); else NULL when the residual was NULL for one of its candidates, or,
 * when null_aware (x IN (SELECT y): one key), when the build side has rows and x or some y is
 * NULL; else false. The binder's IN (SELECT ...) and EXISTS are mark joins and a filter. */
sbd_status ex_hash_join_mark(ex_op *op, bool null_aware, const char *name);

/* Hands on each row of child count times, count being its INT64 column count_col (NULL or less
 * than one: not at all), keeping its first nkeep columns (INTERSECT ALL and EXCEPT ALL). Takes
 * child. */
sbd_status ex_repeat_new(ex_query *q, ex_op *child, int count_col, int nkeep, ex_op **out);

/* ---- in-memory tables (memtable.c) ------------------------------------------------------------
 * CREATE TABLE name AS query keeps the query's result batches in memory, in a registry on the
 * context, for the later statements of a session to read by name. */
typedef struct ex_memtable ex_memtable;

/* A new empty table (one reference, the caller's) of schema (referenced), named name (copied). */
ex_memtable *ex_memtable_new(sbd_ctx *ctx, const char *name, sbd_schema *schema);
/* Appends b (taken, never changed afterwards; a batch of no rows is dropped); *bytes says what
 * it adds to the table. */
sbd_status ex_memtable_append(sbd_ctx *ctx, ex_memtable *t, sbd_batch *b, int64_t *bytes);
void ex_memtable_unref(ex_memtable *t); /* accepts NULL */
const char *ex_memtable_name(const ex_memtable *t);
const sbd_schema *ex_memtable_schema(const ex_memtable *t);
int64_t ex_memtable_rows(const ex_memtable *t);
int64_t ex_memtable_bytes(const ex_memtable *t);
/* The context's table named name (any case), or NULL. Borrowed: valid until it is dropped or
 * replaced (a reader takes its own reference). */
ex_memtable *ex_memtable_find(sbd_ctx *ctx, const char *name);
/* Registers t (the caller's reference, taken even on failure) under its name, replacing a table
 * of that name. */
sbd_status ex_memtable_put(sbd_ctx *ctx, ex_memtable *t);
/* Removes the table named name; false when there is none. */
bool ex_memtable_drop(sbd_ctx *ctx, const char *name);
/* The context's tables, in the order they were first created: i in [0, count). Borrowed. */
int ex_memtable_count(sbd_ctx *ctx);
ex_memtable *ex_memtable_at(sbd_ctx *ctx, int i);
int64_t ex_memtable_total_bytes(sbd_ctx *ctx);
/* A reader of t's columns keep[0..nkeep) (nkeep -1: all), one batch per stored batch, whose
 * columns are views of the stored ones (no copy). Owned by the caller: sbd_reader_close. */
sbd_status ex_memtable_reader(sbd_ctx *ctx, ex_memtable *t, const int *keep, int nkeep,
                              sbd_reader **out);

#endif
