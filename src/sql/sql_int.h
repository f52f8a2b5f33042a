/*
 * sql_int.h — the SQL front end: lexer, parser and the abstract syntax tree (AST) that the binder,
 * planner and executor consume; the canonical printer; the caret error messages.
 *
 * One statement (a query) is parsed by sql_parse into a tree allocated entirely in the caller's
 * arena: nodes, names, string values and a copy of the SQL text, all freed together by
 * arena_free. The tree is never modified after sql_parse returns, so it may be read by several
 * threads.
 *
 * What the tree says, and what it leaves to the binder:
 *  - It is syntax only: no name is resolved, no type is checked, no function is known. ORDER BY 2
 *    and ORDER BY alias are ordinary expressions (an INT literal, a column) that the binder
 *    reinterprets; so are GROUP BY ordinals and aliases.
 *  - A few constructs are desugared, so consumers see fewer shapes:
 *      EXTRACT(part FROM e)      -> FUNC date_part('part', e)       (part lower-cased)
 *      INTERVAL (e) DAY          -> FUNC to_days(e)                 (to_years, to_hours, ...)
 *      x IS TRUE                 -> BINARY x IS NOT DISTINCT FROM TRUE (IS NOT TRUE: IS
 *                                   DISTINCT FROM TRUE; FALSE alike)
 *      CURRENT_DATE              -> FUNC current_date()             (and CURRENT_TIMESTAMP)
 *      e::T                      -> CAST(e AS T)
 *      a, b  (in FROM)           -> a CROSS JOIN b
 *      -5 (minus a number)       -> the literal -5 (so -9223372036854775808 is an INT)
 *      +e                        -> e
 *  - AND and OR are n-ary (a AND b AND c is one node of three arguments, as written; parentheses
 *    keep their nesting: (a AND b) AND c is an AND inside an AND).
 *  - Literals are converted and checked: integers are INT64 (one beyond INT64 is a DOUBLE, as
 *    DuckDB widens it), decimals and exponents are DOUBLE, DATE '...', TIMESTAMP '...' and
 *    INTERVAL '...' are parsed into values here, so a bad one is reported, with a caret, by
 *    sql_parse (SBD_EINPUT, "invalid literal").
 *
 * Every node records where it came from: off and end delimit its source text (sql[off, end)),
 * op_off points at an operator's token. Messages about a node use sql_error_at with one of them.
 *
 * Every expression, FROM item and query records its height (1 for a leaf, else one more than its
 * highest child). sql_parse rejects a tree higher than SQL_MAX_DEPTH, so recursive walks over the
 * tree (printing, binding, planning) are bounded and cannot exhaust the stack.
 *
 * Identifiers keep their spelling (name) for output column names and messages, and a lower-cased
 * copy (lower) for comparisons: like DuckDB, sbd matches identifiers case-insensitively whether
 * or not they were quoted.
 */
#ifndef SBD_SQL_INT_H
#define SBD_SQL_INT_H

#include "core/core_int.h"

#include <stdarg.h>

/* The highest tree sql_parse accepts (DuckDB's max_expression_depth is also 1000). */
#define SQL_MAX_DEPTH 1000
/* The longest SQL text sql_parse accepts. */
#define SQL_MAX_TEXT_BYTES (64u << 20)

typedef struct sql_expr sql_expr;
typedef struct sql_query sql_query;
typedef struct sql_from sql_from;

/* ---- names and types --------------------------------------------------------------------------*/

typedef struct sql_ident {
  const char *name;  /* as written; a quoted one without its quotes and with "" made " */
  const char *lower; /* name with ASCII letters lowered: compare and hash this */
  uint32_t off;      /* where the identifier starts (its opening quote when quoted) */
  bool quoted;
} sql_ident;

/* A type as written in CAST and ::. The ids that exist as column types share sbd_type's values;
 * INTERVAL is a value type of expressions only. */
typedef enum sql_type_id {
  SQL_TYPE_BOOL = SBD_BOOL,
  SQL_TYPE_INT64 = SBD_INT64,   /* TINYINT, SMALLINT, INT, INTEGER, BIGINT, INT64, HUGEINT, ... */
  SQL_TYPE_DOUBLE = SBD_DOUBLE, /* DOUBLE, FLOAT, REAL, DECIMAL(p,s), NUMERIC(p,s) */
  SQL_TYPE_STRING = SBD_STRING, /* VARCHAR(n), TEXT, STRING, CHAR(n) */
  SQL_TYPE_DATE = SBD_DATE,
  SQL_TYPE_TIMESTAMP = SBD_TIMESTAMP, /* TIMESTAMP, DATETIME, TIMESTAMPTZ, ... WITH TIME ZONE */
  SQL_TYPE_INTERVAL = 100
} sql_type_id;

typedef struct sql_type {
  sql_type_id id;
  /* The name as written, upper-cased and in one word: "INTEGER", "TINYINT", "DECIMAL",
   * "TIMESTAMPTZ" (for TIMESTAMP WITH TIME ZONE), "DOUBLE" (for DOUBLE PRECISION). Static. The
   * engine needs it where the family member matters: CAST(300 AS TINYINT) is an error. */
  const char *name;
  int nmods;       /* 0, or 1 (VARCHAR(10), DECIMAL(18)) or 2 (DECIMAL(18,3)) */
  int64_t mods[2]; /* DECIMAL: width (1..38) and scale (0..width); VARCHAR: length */
  uint32_t off;
} sql_type;

/* ---- literals ---------------------------------------------------------------------------------*/

/* An interval as DuckDB keeps one: months, days and microseconds, each with its own sign. */
typedef struct sql_interval {
  int32_t months;
  int32_t days;
  int64_t micros;
} sql_interval;

typedef enum sql_literal_kind {
  SQL_LIT_NULL = 1,
  SQL_LIT_BOOL,
  SQL_LIT_INT,       /* i */
  SQL_LIT_DOUBLE,    /* d: 1.5, 1e3, 1., .5, and integers beyond INT64; may be +-inf (1e999) */
  SQL_LIT_STRING,    /* str, len: the bytes between the quotes, '' made ', NUL-terminated */
  SQL_LIT_DATE,      /* date: days since 1970-01-01 */
  SQL_LIT_TIMESTAMP, /* ts: microseconds since the epoch, UTC; tz when written TIMESTAMPTZ */
  SQL_LIT_INTERVAL   /* interval */
} sql_literal_kind;

typedef struct sql_literal {
  sql_literal_kind kind;
  bool tz; /* TIMESTAMP: written TIMESTAMPTZ '...' */
  union {
    bool b;
    int64_t i;
    double d;
    struct {
      const char *str;
      size_t len;
    };
    int32_t date;
    int64_t ts;
    sql_interval interval;
  };
} sql_literal;

/* ---- expressions ------------------------------------------------------------------------------*/

typedef enum sql_op {
  SQL_OP_NEG = 1, /* unary - */
  SQL_OP_NOT,     /* unary NOT */
  SQL_OP_ADD,
  SQL_OP_SUB,
  SQL_OP_MUL,
  SQL_OP_DIV, /* / is floating division, as in DuckDB */
  SQL_OP_MOD,
  SQL_OP_POW,    /* ^ */
  SQL_OP_CONCAT, /* || */
  SQL_OP_EQ,     /* = and == */
  SQL_OP_NE,     /* <> and != */
  SQL_OP_LT,
  SQL_OP_LE,
  SQL_OP_GT,
  SQL_OP_GE,
  SQL_OP_IS_DISTINCT,    /* IS DISTINCT FROM */
  SQL_OP_IS_NOT_DISTINCT /* IS NOT DISTINCT FROM */
} sql_op;

typedef enum sql_nulls_order {
  SQL_NULLS_DEFAULT = 0, /* not written: DuckDB puts NULLs last, ascending or descending */
  SQL_NULLS_FIRST,
  SQL_NULLS_LAST
} sql_nulls_order;

typedef struct sql_order_item {
  sql_expr *expr; /* may be an ordinal (INT literal) or an alias (a COLUMN): the binder decides */
  bool desc;
  sql_nulls_order nulls;
} sql_order_item;

typedef enum sql_frame_unit {
  SQL_FRAME_NONE = 0, /* no frame written: the function's default */
  SQL_FRAME_ROWS,
  SQL_FRAME_RANGE,
  SQL_FRAME_GROUPS
} sql_frame_unit;

typedef enum sql_bound_kind {
  SQL_BOUND_UNBOUNDED_PRECEDING = 1,
  SQL_BOUND_PRECEDING, /* offset PRECEDING */
  SQL_BOUND_CURRENT_ROW,
  SQL_BOUND_FOLLOWING, /* offset FOLLOWING */
  SQL_BOUND_UNBOUNDED_FOLLOWING
} sql_bound_kind;

typedef struct sql_frame_bound {
  sql_bound_kind kind;
  sql_expr *offset; /* PRECEDING and FOLLOWING only */
} sql_frame_bound;

/* OVER (PARTITION BY ... ORDER BY ... frame). A frame written with one bound (ROWS 3 PRECEDING)
 * has end CURRENT ROW, as SQL defines it. The parser rejects the frames SQL forbids (a start of
 * UNBOUNDED FOLLOWING, an end of UNBOUNDED PRECEDING, an end before the start). */
typedef struct sql_window {
  uint32_t off; /* OVER */
  sql_expr **partition_by;
  int npartition_by;
  sql_order_item *order_by;
  int norder_by;
  sql_frame_unit frame; /* SQL_FRAME_NONE: start and end are unset */
  sql_frame_bound start, end;
} sql_window;

typedef struct sql_when {
  sql_expr *when, *then;
} sql_when;

typedef enum sql_expr_kind {
  SQL_EXPR_LITERAL = 1,
  SQL_EXPR_COLUMN,   /* a, t.a, "A b" */
  SQL_EXPR_STAR,     /* *, t.*, * EXCLUDE (a, b): only as a select item */
  SQL_EXPR_UNARY,    /* -e, NOT e */
  SQL_EXPR_BINARY,   /* arithmetic, ||, comparisons, IS [NOT] DISTINCT FROM */
  SQL_EXPR_AND,      /* logic: two or more arguments */
  SQL_EXPR_OR,       /* logic: two or more arguments */
  SQL_EXPR_IS_NULL,  /* e IS [NOT] NULL */
  SQL_EXPR_IN_LIST,  /* e [NOT] IN (a, b, ...) */
  SQL_EXPR_IN_QUERY, /* e [NOT] IN (SELECT ...) */
  SQL_EXPR_BETWEEN,  /* e [NOT] BETWEEN low AND high */
  SQL_EXPR_LIKE,     /* e [NOT] LIKE|ILIKE pattern [ESCAPE c] */
  SQL_EXPR_CASE,     /* CASE [operand] WHEN ... THEN ... [ELSE ...] END */
  SQL_EXPR_CAST,     /* CAST(e AS T), TRY_CAST(e AS T), e::T */
  SQL_EXPR_FUNC,     /* f(...), aggregates, window functions */
  SQL_EXPR_SUBQUERY, /* (SELECT ...) as a value */
  SQL_EXPR_EXISTS    /* EXISTS (SELECT ...) */
} sql_expr_kind;

struct sql_expr {
  sql_expr_kind kind;
  uint32_t off, end; /* the source text of the expression is sql[off, end) */
  int height;
  union {
    sql_literal lit;
    struct {
      sql_ident *table; /* NULL when unqualified */
      sql_ident name;
    } column;
    struct {
      sql_ident *table; /* t.*; NULL for * */
      sql_ident *exclude;
      int nexclude;
    } star;
    struct {
      sql_op op; /* SQL_OP_NEG or SQL_OP_NOT */
      uint32_t op_off;
      sql_expr *arg;
    } unary;
    struct {
      sql_op op;
      uint32_t op_off;
      sql_expr *left, *right;
    } binary;
    struct {
      sql_expr **args;
      int nargs;
    } logic;
    struct {
      bool negated;
      sql_expr *arg;
    } is_null;
    struct {
      bool negated;
      uint32_t op_off; /* IN (or the NOT before it) */
      sql_expr *arg;
      sql_expr **list;
      int nlist; /* >= 1 */
    } in_list;
    struct {
      bool negated;
      uint32_t op_off;
      sql_expr *arg;
      sql_query *query;
    } in_query;
    struct {
      bool negated;
      uint32_t op_off;
      sql_expr *arg, *low, *high;
    } between;
    struct {
      bool negated, ilike;
      uint32_t op_off;
      sql_expr *arg, *pattern;
      sql_expr *escape; /* NULL when not written */
    } like;
    struct {
      sql_expr *operand; /* CASE x WHEN 1 ...: x; NULL for CASE WHEN cond ... */
      sql_when *whens;
      int nwhens;          /* >= 1 */
      sql_expr *otherwise; /* ELSE; NULL when not written */
    } case_when;
    struct {
      bool try_cast;
      sql_expr *arg;
      sql_type type;
    } cast;
    struct {
      sql_ident name;
      sql_expr **args;
      int nargs;
      bool star;                /* count(*): no args */
      bool distinct;            /* count(DISTINCT x) */
      sql_order_item *order_by; /* string_agg(x, ',' ORDER BY y) */
      int norder_by;
      sql_expr *filter; /* FILTER (WHERE ...); NULL when not written */
      sql_window *over; /* OVER (...); NULL for a plain call */
    } func;
    struct {
      sql_query *query;
    } subquery; /* SUBQUERY and EXISTS */
  };
};

/* ---- FROM -------------------------------------------------------------------------------------*/

typedef enum sql_join_type {
  SQL_JOIN_INNER = 1,
  SQL_JOIN_LEFT,
  SQL_JOIN_RIGHT,
  SQL_JOIN_FULL,
  SQL_JOIN_CROSS /* also a comma in FROM */
} sql_join_type;

typedef enum sql_from_kind {
  SQL_FROM_TABLE = 1, /* a name: a CTE, or a table the engine knows */
  SQL_FROM_FILE,      /* 'orders.csv', 'lake/2024-*.parquet': a path or glob written as a string */
  SQL_FROM_FUNC,      /* read_csv('x.txt', delim = ';', header = false) */
  SQL_FROM_SUBQUERY,  /* (SELECT ...) */
  SQL_FROM_JOIN
} sql_from_kind;

typedef struct sql_named_arg {
  sql_ident name;
  sql_expr *value;
} sql_named_arg;

struct sql_from {
  sql_from_kind kind;
  uint32_t off, end;
  int height;
  /* [AS] alias [(col, ...)]: every kind but JOIN. alias NULL when not written. */
  sql_ident *alias;
  sql_ident *col_aliases;
  int ncol_aliases;
  union {
    struct {
      sql_ident name;
    } table;
    struct {
      const char *path; /* NUL-terminated, '' made ' */
      size_t len;
    } file;
    struct {
      sql_ident name;
      sql_expr **args; /* positional, in order */
      int nargs;
      sql_named_arg *named; /* key = value, in order */
      int nnamed;
    } func;
    struct {
      sql_query *query;
    } subquery;
    struct {
      sql_join_type type;
      bool asof;       /* ASOF JOIN (type INNER) and ASOF LEFT JOIN (type LEFT) */
      uint32_t op_off; /* the JOIN keyword (or the comma) */
      sql_from *left, *right;
      sql_expr *on; /* ON e; NULL with USING and for CROSS */
      sql_ident *using_cols;
      int nusing; /* USING (a, b): > 0 */
    } join;
  };
};

/* ---- queries ----------------------------------------------------------------------------------*/

typedef struct sql_select_item {
  sql_expr *expr;   /* may be SQL_EXPR_STAR */
  sql_ident *alias; /* NULL when not written */
} sql_select_item;

/* SELECT [DISTINCT] items [FROM ...] [WHERE ...] [GROUP BY ...] [HAVING ...] [QUALIFY ...] */
typedef struct sql_select {
  uint32_t off;
  bool distinct;
  sql_select_item *items;
  int nitems;     /* >= 1 */
  sql_from *from; /* NULL: SELECT without FROM */
  sql_expr *where;
  sql_expr **group_by;
  int ngroup_by;
  bool group_by_all; /* GROUP BY ALL (then ngroup_by is 0) */
  sql_expr *having;
  sql_expr *qualify; /* QUALIFY (filters on window functions); NULL when not written */
} sql_select;

/* WITH name [(cols)] AS (query) */
typedef struct sql_cte {
  sql_ident name;
  sql_ident *cols;
  int ncols;
  sql_query *query;
} sql_cte;

typedef enum sql_query_kind {
  SQL_QUERY_SELECT = 1,
  SQL_QUERY_SETOP /* left UNION|EXCEPT|INTERSECT [ALL] right */
} sql_query_kind;

typedef enum sql_setop_type {
  SQL_SETOP_UNION = 1,
  SQL_SETOP_EXCEPT,
  SQL_SETOP_INTERSECT /* binds tighter than UNION and EXCEPT */
} sql_setop_type;

/* A query: a SELECT or a set operation, with the clauses that apply to its result. A
 * parenthesised query that already has one of these clauses cannot get a second one: as in
 * PostgreSQL and DuckDB, (SELECT ... LIMIT 1) LIMIT 2 is an error, while (SELECT ... LIMIT 1)
 * ORDER BY x gives the inner SELECT its ORDER BY. */
struct sql_query {
  sql_query_kind kind;
  uint32_t off, end;
  int height;
  sql_cte *ctes; /* WITH, visible to the whole query; NULL when none */
  int nctes;
  sql_select *select; /* SQL_QUERY_SELECT */
  struct {
    sql_setop_type type;
    bool all; /* UNION ALL; a plain UNION removes duplicates */
    uint32_t op_off;
    sql_query *left, *right;
  } setop; /* SQL_QUERY_SETOP */
  sql_order_item *order_by;
  int norder_by;
  sql_expr *limit;  /* NULL when not written */
  sql_expr *offset; /* NULL when not written */
};

typedef enum sql_stmt_kind {
  SQL_STMT_QUERY = 1,
  SQL_STMT_CREATE_TABLE, /* CREATE [OR REPLACE] [TEMP|TEMPORARY] TABLE table AS query */
  SQL_STMT_DROP_TABLE    /* DROP TABLE [IF EXISTS] table */
} sql_stmt_kind;

/* CREATE, TABLE, DROP, REPLACE, TEMP, TEMPORARY and IF are not keywords of the lexer: they are
 * recognised by their spelling at the start of a statement only, so they stay ordinary names
 * (a column called table, the function replace) everywhere else. */
typedef struct sql_stmt {
  sql_stmt_kind kind;
  const char *sql; /* a copy of the whole text (a script's), in the arena: offsets point into it */
  size_t sql_len;
  uint32_t off, end; /* the statement's own text, sql[off, end), without its ';' */
  sql_query *query;  /* QUERY, CREATE_TABLE; NULL for DROP_TABLE */
  sql_ident table;   /* CREATE_TABLE, DROP_TABLE */
  bool or_replace;   /* CREATE OR REPLACE */
  bool temp;         /* TEMP or TEMPORARY written (every table is in memory anyway) */
  bool if_exists;    /* DROP TABLE IF EXISTS */
} sql_stmt;

/* A script: statements separated by ';' (empty ones, ;;, are skipped), sharing one text. */
typedef struct sql_script {
  const char *sql; /* the arena's copy */
  size_t sql_len;
  sql_stmt **stmts;
  int nstmts; /* >= 1 */
} sql_script;

/* ---- parsing ----------------------------------------------------------------------------------*/

/* Parses one statement (a query, optionally followed by semicolons) from the NUL-terminated text
 * sql. On success *out is the statement, allocated in a (as is everything it points to: free it
 * with arena_free or arena_reset). On failure *out is NULL, the arena may hold garbage until
 * freed, and the message on ctx shows the SQL with a caret (see sql_error_at). Returns
 * SBD_EINPUT for a syntax error, SBD_EUNSUPPORTED for a construct sbd recognises but does not
 * support (WITH RECURSIVE), SBD_ELIMIT for a text over SQL_MAX_TEXT_BYTES, SBD_ENOMEM. */
sbd_status sql_parse(sbd_ctx *ctx, const char *sql, arena *a, sql_stmt **out);
/* Parses a script of one or more statements separated by semicolons, as sql_parse parses one
 * (the same errors; a text with no statement is a syntax error). Every statement is parsed
 * before any runs, so a syntax error anywhere runs nothing. */
sbd_status sql_parse_script(sbd_ctx *ctx, const char *sql, arena *a, sql_script **out);

/* ---- messages ---------------------------------------------------------------------------------*/

/* Records on ctx a message about the SQL text sql at byte offset off, and returns SBD_EINPUT:
 *
 *   SQL: no column 'ammount' in 'orders' (did you mean 'amount'?)
 *     SELECT ammount FROM orders
 *            ^
 *
 * "SQL: " and the formatted message, then the line that holds off and a caret under it (a
 * window around off when the line is long). Syntax errors say "syntax error at line L, column
 * C: ..."; others may use sql_line_col to say where, when it helps. off may equal strlen(sql)
 * (the end). */
sbd_status sql_error_at(sbd_ctx *ctx, const char *sql, uint32_t off, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
sbd_status sql_verror_at(sbd_ctx *ctx, sbd_status status, const char *sql, uint32_t off,
                         const char *fmt, va_list ap);
/* 1-based line and column (in characters, a tab counting one) of byte offset off. */
void sql_line_col(const char *sql, uint32_t off, int *line, int *col);

/* ---- printing ---------------------------------------------------------------------------------*/

/* A growing text buffer for the printer, capped at SQL_BUF_MAX_BYTES. Zero-initialise it (or
 * sql_buf_init), then sql_buf_free. data is NUL-terminated unless failed. */
#define SQL_BUF_MAX_BYTES (256u << 20)
typedef struct sql_buf {
  char *data;
  size_t len, cap;
  bool failed; /* out of memory or over the cap: data is unusable */
} sql_buf;

void sql_buf_init(sql_buf *b);
void sql_buf_free(sql_buf *b);
void sql_buf_put(sql_buf *b, const char *s, size_t n);
void sql_buf_puts(sql_buf *b, const char *s);

/* Appends the canonical text of a statement, a query, an expression or a type: keywords in
 * upper case, every operator application in parentheses ((a + (b * c)), (x IS NULL)), casts as
 * CAST(x AS T), literals in one spelling (DATE '2024-01-31', INTERVAL '1 day 02:00:00'),
 * identifiers quoted only when they must be. Parsing the canonical text gives the same tree,
 * so printing it again gives the same text. Returns false when b failed. */
bool sql_print(const sql_stmt *stmt, sql_buf *b);
/* The statements' canonical texts joined by ";\n". */
bool sql_print_script(const sql_script *script, sql_buf *b);
bool sql_print_query(const sql_query *q, sql_buf *b);
bool sql_print_expr(const sql_expr *e, sql_buf *b);
bool sql_print_type(const sql_type *t, sql_buf *b);
const char *sql_op_text(sql_op op); /* "+", "IS DISTINCT FROM", "NOT"; static */

/* ---- intervals --------------------------------------------------------------------------------*/

/* Parses an interval as DuckDB writes and reads them: "3 days", "1 year 2 months", "-1 day
 * 04:05:06.5", "1.5 hours", "2 h 30 m", "1 day ago", "90" (seconds). Units: microsecond(s)
 * (us), millisecond(s) (ms), second(s) (s, sec), minute(s) (m, min), hour(s) (h, hr), day(s)
 * (d), week(s) (w), month(s) (mon), quarter(s), year(s) (y, yr), decade(s), century,
 * centuries, millennium, millennia. Fractions spill into the smaller parts (1.5 months is 1
 * month 15 days). False when malformed or out of range. */
bool sql_interval_parse(const char *s, size_t n, sql_interval *out);
/* DuckDB's spelling: "1 year 2 months 3 days 04:05:06.5", "-1 day", "00:00:00". Writes a NUL;
 * returns the length. */
#define SQL_INTERVAL_FMT_MAX 96
size_t sql_interval_format(sql_interval iv, char *buf);

/* ---- the lexer (shared by the parser's files) -------------------------------------------------*/

/* Keywords, in alphabetical order (sql_keyword_lookup searches them by bisection). R: reserved,
 * never an unquoted column, table or alias name (LEFT and RIGHT may still name functions); U:
 * unreserved, a keyword only where the grammar expects it (DATE '...', NULLS FIRST, OVER (...)),
 * an ordinary name elsewhere. */
#define SQL_KEYWORDS(X)                                                                            \
  X(ALL, R)                                                                                        \
  X(AND, R)                                                                                        \
  X(ANTI, R)                                                                                       \
  X(ANY, R)                                                                                        \
  X(AS, R)                                                                                         \
  X(ASC, R)                                                                                        \
  X(ASOF, R)                                                                                       \
  X(BETWEEN, R)                                                                                    \
  X(BY, U)                                                                                         \
  X(CASE, R)                                                                                       \
  X(CAST, R)                                                                                       \
  X(CROSS, R)                                                                                      \
  X(CURRENT, U)                                                                                    \
  X(CURRENT_DATE, R)                                                                               \
  X(CURRENT_TIMESTAMP, R)                                                                          \
  X(DATE, U)                                                                                       \
  X(DESC, R)                                                                                       \
  X(DISTINCT, R)                                                                                   \
  X(ELSE, R)                                                                                       \
  X(END, R)                                                                                        \
  X(ESCAPE, U)                                                                                     \
  X(EXCEPT, R)                                                                                     \
  X(EXCLUDE, U)                                                                                    \
  X(EXISTS, R)                                                                                     \
  X(EXTRACT, U)                                                                                    \
  X(FALSE, R)                                                                                      \
  X(FILTER, U)                                                                                     \
  X(FIRST, U)                                                                                      \
  X(FOLLOWING, U)                                                                                  \
  X(FROM, R)                                                                                       \
  X(FULL, R)                                                                                       \
  X(GROUP, R)                                                                                      \
  X(GROUPS, U)                                                                                     \
  X(HAVING, R)                                                                                     \
  X(ILIKE, R)                                                                                      \
  X(IN, R)                                                                                         \
  X(INNER, R)                                                                                      \
  X(INTERSECT, R)                                                                                  \
  X(INTERVAL, U)                                                                                   \
  X(IS, R)                                                                                         \
  X(JOIN, R)                                                                                       \
  X(LAST, U)                                                                                       \
  X(LATERAL, R)                                                                                    \
  X(LEFT, R)                                                                                       \
  X(LIKE, R)                                                                                       \
  X(LIMIT, R)                                                                                      \
  X(NATURAL, R)                                                                                    \
  X(NOT, R)                                                                                        \
  X(NULL, R)                                                                                       \
  X(NULLS, U)                                                                                      \
  X(OFFSET, R)                                                                                     \
  X(ON, R)                                                                                         \
  X(OR, R)                                                                                         \
  X(ORDER, R)                                                                                      \
  X(OUTER, R)                                                                                      \
  X(OVER, U)                                                                                       \
  X(PARTITION, U)                                                                                  \
  X(PIVOT, R)                                                                                      \
  X(POSITIONAL, R)                                                                                 \
  X(PRECEDING, U)                                                                                  \
  X(QUALIFY, R)                                                                                    \
  X(RANGE, U)                                                                                      \
  X(RECURSIVE, U)                                                                                  \
  X(RIGHT, R)                                                                                      \
  X(ROW, U)                                                                                        \
  X(ROWS, U)                                                                                       \
  X(SELECT, R)                                                                                     \
  X(SEMI, R)                                                                                       \
  X(SOME, R)                                                                                       \
  X(THEN, R)                                                                                       \
  X(TIMESTAMP, U)                                                                                  \
  X(TIMESTAMPTZ, U)                                                                                \
  X(TRUE, R)                                                                                       \
  X(TRY_CAST, R)                                                                                   \
  X(UNBOUNDED, U)                                                                                  \
  X(UNION, R)                                                                                      \
  X(UNPIVOT, R)                                                                                    \
  X(USING, R)                                                                                      \
  X(VALUES, R)                                                                                     \
  X(WHEN, R)                                                                                       \
  X(WHERE, R)                                                                                      \
  X(WINDOW, R)                                                                                     \
  X(WITH, R)

typedef enum sql_keyword {
  SQL_KW_NONE = 0,
#define SQL_KW_ENUM(name, cls) SQL_KW_##name,
  SQL_KEYWORDS(SQL_KW_ENUM)
#undef SQL_KW_ENUM
      SQL_KW_COUNT
} sql_keyword;

typedef enum sql_token_type {
  SQL_TK_EOF = 0,
  SQL_TK_WORD,    /* an unquoted identifier or keyword (kw tells which) */
  SQL_TK_QIDENT,  /* "quoted identifier" */
  SQL_TK_INT,     /* digits only */
  SQL_TK_DECIMAL, /* digits with a point or an exponent */
  SQL_TK_STRING,  /* 'string' */
  SQL_TK_PLUS,
  SQL_TK_MINUS,
  SQL_TK_STAR,
  SQL_TK_SLASH,
  SQL_TK_PERCENT,
  SQL_TK_CARET,
  SQL_TK_CONCAT, /* || */
  SQL_TK_EQ,     /* = or == (len 2: binds as || does, as in DuckDB) */
  SQL_TK_NE,     /* <> or != */
  SQL_TK_LT,
  SQL_TK_LE,
  SQL_TK_GT,
  SQL_TK_GE,
  SQL_TK_COLONS, /* :: */
  SQL_TK_DOT,
  SQL_TK_COMMA,
  SQL_TK_LPAREN,
  SQL_TK_RPAREN,
  SQL_TK_SEMI
} sql_token_type;

typedef struct sql_token {
  sql_token_type type;
  sql_keyword kw;    /* SQL_TK_WORD: the keyword, or SQL_KW_NONE for a plain identifier */
  uint32_t off, len; /* the token's bytes, quotes included */
} sql_token;

/* Splits sql[0, len) into tokens, ending with one SQL_TK_EOF (whose offset is just past the last
 * token, so that "found the end" points there). *out is owned by the caller (free). Errors
 * (an unterminated string, quoted identifier or comment, a stray character, invalid UTF-8) are
 * syntax errors with a caret, SBD_EINPUT. */
sbd_status sql_lex(sbd_ctx *ctx, const char *sql, size_t len, sql_token **out, int *ntokens);
/* The keyword spelt s[0, n) in any case, or SQL_KW_NONE. */
sql_keyword sql_keyword_lookup(const char *s, size_t n);
const char *sql_keyword_name(sql_keyword kw); /* "SELECT"; static */
bool sql_keyword_reserved(sql_keyword kw);

/* ---- binding and planning (bind.c) ------------------------------------------------------------*/

struct ex_query;
struct ex_op;
/* Binds a parsed statement (allocated in q's arena, as everything the plan points to) and plans
 * it as a tree of executor operators. On success *out is the plan's root, owned by the caller
 * (ex_op_free), its schema the result's columns. Errors show the SQL with a caret: SBD_EINPUT for
 * an unknown name or a type error, SBD_EUNSUPPORTED ("not supported yet: ...") for a construct
 * the engine does not run yet; a failure to open a file keeps the reader's status. */
sbd_status sql_plan(struct ex_query *q, const sql_stmt *stmt, struct ex_op **out);

/* ---- named tables (query.c) -------------------------------------------------------------------
 * A caller (the feature store) may let a query name files as tables: FROM customers reads
 * path with opts as FROM read_csv('data/customers.csv', ...) would. Names match
 * case-insensitively, as SQL names do; a CTE of the same name wins. */
typedef struct sql_table {
  const char *name;        /* the table name ("customers", "customer@3") */
  const char *path;        /* the file, glob or folder glob to read */
  const sbd_options *opts; /* reader options (format, ...), may be NULL */
} sql_table;

/* sbd_query with tables[0..ntables) visible by name. tables is read only while the query is
 * planned (before this returns). */
sbd_status sql_query_with_tables(sbd_ctx *ctx, const char *sql, const sql_table *tables,
                                 int ntables, sbd_reader **out);
/* sbd_script_open with tables[0..ntables) visible by name to every statement (copied). */
sbd_status sql_script_open_with_tables(sbd_ctx *ctx, const char *sql, const sql_table *tables,
                                       int ntables, sbd_script **out);

#endif
