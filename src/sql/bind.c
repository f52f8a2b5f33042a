/*
 * bind.c — the binder and planner: turns a parsed query into a plan of executor operators
 * (exec_int.h), resolving names against the columns of the FROM item, checking and coercing
 * types, and separating aggregates from the expressions over their results.
 *
 * The plan of one SELECT, bottom to top:
 *   scan (a reader; only the columns the query names: Parquet is asked for them with the option
 *   "columns", the text formats drop the others) or a subquery/CTE plan, or one row (no FROM),
 *   or a tree of hash joins over such leaves (bind_join: ON split into hash keys and a residual
 *   condition, USING's columns merged, WHERE's equalities lent to inner and cross joins as keys)
 *   -> filter (WHERE) -> hash aggregate (GROUP BY keys, aggregates) -> filter (HAVING)
 *   -> project (the select list, plus hidden ORDER BY keys) -> hash aggregate (DISTINCT)
 *   -> sort (ORDER BY) -> limit (LIMIT/OFFSET) -> project (drops the hidden keys).
 *
 * Binding an expression has two modes. Over the input (WHERE, GROUP BY keys, aggregate
 * arguments, and the select list of a query without aggregation) a column names a column of the
 * FROM item. Over the aggregation's output (the select list, HAVING and ORDER BY of a query with
 * GROUP BY or aggregates) an expression whose canonical text (sql_print_expr) is a GROUP BY key's
 * is that key's column, an aggregate call is its aggregate's column (equal calls are computed
 * once), and any other column is an error.
 *
 * Types follow DuckDB's implicit casts: INT64 mixes with DOUBLE as DOUBLE, DATE with TIMESTAMP
 * as TIMESTAMP, a string literal takes the type of the other side (checked here), NULL takes any
 * type. Anything else is a type error naming the expression and both types.
 *
 * Everything not yet executed is refused here with "not supported yet: ...", never run wrongly.
 */
#include "exec/exec_int.h"
#include "io/io_int.h"
#include "sql/sql_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- the binder's state -----------------------------------------------------------------------*/

#define TYPE_NULL ((sbd_type)0) /* the type of a bare NULL until something gives it one */

typedef struct scope_col {
  const char *name;
  sbd_type type;
  bool used;
  const char *table;       /* the FROM item it comes from, for messages */
  const char *table_lower; /* what t.col must say to name it (alias or CTE name), or NULL */
  bool hidden;             /* a USING column of one side: only t.col names it, * skips it */
} scope_col;

/* The columns a FROM item gives: one table's, or a join's (its left side's, then its right
 * side's, then one merged column per USING name). */
typedef struct scope {
  scope_col *cols;
  int n;
  const char *table;       /* the FROM item's name for messages: its alias, path or CTE name */
  const char *table_lower; /* what t.col must say (alias or CTE name), or NULL; NULL for a join */
  int *star;               /* the columns * gives, in order; NULL: every column not hidden */
  int nstar;
} scope;

typedef struct cte_frame {
  const sql_cte *ctes;
  int n;
  struct cte_frame *up;
} cte_frame;

typedef struct binder {
  ex_query *q;
  sbd_ctx *ctx;
  arena *a;
  const char *sql;
  cte_frame *ctes;
  /* Equalities of the WHERE of the SELECT whose FROM is being bound, which inner and cross
   * joins beneath it may also use as hash keys (FROM a, b WHERE a.id = b.id); NULL inside the
   * side of an outer join that NULLs may extend. */
  const sql_expr **pushed;
  int npushed;
  /* The columns the SELECT whose FROM is being bound names: a join's sides read only those. */
  const struct name_refs *refs;
  int select_depth; /* SELECTs being bound inside one another */
  bool no_prune;    /* the second pass over a query that failed: every column in sight */
} binder;

/* What an expression is bound against. */
typedef struct bind_mode {
  scope *in;
  const char *clause; /* "WHERE", ... for messages about aggregates */
  /* Over the aggregation's output (post_agg): the keys' texts and the aggregates found so far. */
  bool post_agg;
  const char **key_texts;
  const sbd_type *key_types;
  int nkeys;
  ex_agg_spec *aggs;
  const char **agg_texts;
  int naggs, cap_aggs;
  /* Column nodes bound over the input, renumbered once the scan's columns are chosen. */
  ex_expr ***input_cols;
  int *ninput_cols, *cap_input_cols;
} bind_mode;

static sbd_status err_at(binder *b, sbd_status status, uint32_t off, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static sbd_status err_at(binder *b, sbd_status status, uint32_t off, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  sbd_status st = sql_verror_at(b->ctx, status, b->sql, off, fmt, ap);
  va_end(ap);
  return st;
}

static sbd_status unsupported(binder *b, uint32_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static sbd_status unsupported(binder *b, uint32_t off, const char *fmt, ...) {
  char msg[300];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  return err_at(b, SBD_EUNSUPPORTED, off, "not supported yet: %s", msg);
}

static void *alloc(binder *b, size_t size) {
  void *p = arena_alloc(b->a, size ? size : 1);
  if (p)
    memset(p, 0, size ? size : 1);
  return p;
}

static const char *dup_range(binder *b, uint32_t off, uint32_t end) {
  return arena_strndup(b->a, b->sql + off, end - off);
}

static const char *type_name(sbd_type t) {
  return t == TYPE_NULL ? "NULL" : sbd_type_name(t);
}

/* The canonical text of an expression (for matching GROUP BY keys), in the arena. */
static const char *canonical(binder *b, const sql_expr *e) {
  sql_buf buf;
  sql_buf_init(&buf);
  const char *s = sql_print_expr(e, &buf) ? arena_strndup(b->a, buf.data, buf.len) : NULL;
  sql_buf_free(&buf);
  return s;
}

/* ---- expression nodes -------------------------------------------------------------------------*/

static ex_expr *node(binder *b, ex_expr_kind kind, sbd_type type, int nargs, const char *text) {
  ex_expr *e = alloc(b, sizeof(*e));
  if (!e)
    return NULL;
  e->kind = kind;
  e->type = type;
  e->nargs = nargs;
  e->text = text;
  if (nargs > 0 && !(e->args = alloc(b, sizeof(ex_expr *) * (size_t)nargs)))
    return NULL;
  return e;
}

static sbd_status oom(binder *b) {
  return sbd_error(b->ctx, SBD_ENOMEM, "out of memory");
}

/* Records a column node bound over the input, to be renumbered. */
static sbd_status note_input_col(binder *b, bind_mode *m, ex_expr *e) {
  if (*m->ninput_cols == *m->cap_input_cols) {
    int cap = *m->cap_input_cols ? *m->cap_input_cols * 2 : 16;
    ex_expr **v = alloc(b, sizeof(ex_expr *) * (size_t)cap);
    if (!v)
      return oom(b);
    if (*m->ninput_cols)
      memcpy(v, *m->input_cols, sizeof(ex_expr *) * (size_t)*m->ninput_cols);
    *m->input_cols = v;
    *m->cap_input_cols = cap;
  }
  (*m->input_cols)[(*m->ninput_cols)++] = e;
  return SBD_OK;
}

/* Coerces e to type t where the rules allow it silently: NULL takes t; INT64 widens to DOUBLE;
 * DATE to TIMESTAMP; a string literal is read as t. Returns false when they do not apply. */
static bool coerce(binder *b, ex_expr **pe, sbd_type t, sbd_status *st) {
  ex_expr *e = *pe;
  *st = SBD_OK;
  if (e->type == t)
    return true;
  if (e->type == TYPE_NULL && e->kind == EX_CONST) {
    e->type = t;
    e->value.type = t;
    return true;
  }
  if (e->kind == EX_CONST && e->type == SBD_STRING && !e->value.is_null) {
    ex_value v;
    if (!ex_parse_value(t, e->value.str, e->value.len, &v))
      return false;
    e->type = t;
    e->value = v;
    return true;
  }
  if ((e->type == SBD_INT64 && t == SBD_DOUBLE) || (e->type == SBD_DATE && t == SBD_TIMESTAMP)) {
    ex_expr *c = node(b, EX_CAST, t, 1, e->text);
    if (!c) {
      *st = oom(b);
      return false;
    }
    c->args[0] = e;
    *pe = c;
    return true;
  }
  return false;
}

/* The common type of two expressions under the implicit casts, or 0 when there is none. */
static sbd_type common_type(const ex_expr *x, const ex_expr *y) {
  sbd_type a = x->type, c = y->type;
  if (a == c)
    return a;
  if (a == TYPE_NULL)
    return c;
  if (c == TYPE_NULL)
    return a;
  bool xs = x->kind == EX_CONST && a == SBD_STRING, ys = y->kind == EX_CONST && c == SBD_STRING;
  if (xs && !ys)
    return c;
  if (ys && !xs)
    return a;
  if ((a == SBD_INT64 && c == SBD_DOUBLE) || (a == SBD_DOUBLE && c == SBD_INT64))
    return SBD_DOUBLE;
  if ((a == SBD_DATE && c == SBD_TIMESTAMP) || (a == SBD_TIMESTAMP && c == SBD_DATE))
    return SBD_TIMESTAMP;
  return (sbd_type)-1;
}

/* Brings x and y to one type, or reports a type error about what at off. */
static sbd_status unify2(binder *b, ex_expr **x, ex_expr **y, const char *verb, const char *what,
                         uint32_t off) {
  sbd_type t = common_type(*x, *y);
  sbd_status st = SBD_OK;
  if (t != (sbd_type)-1 && coerce(b, x, t, &st) && coerce(b, y, t, &st))
    return SBD_OK;
  RETURN_IF_ERROR(st);
  if ((*x)->kind == EX_CONST && (*x)->type == SBD_STRING && t != (sbd_type)-1)
    return sql_error_at(b->ctx, b->sql, off, "cannot read '%s' as %s in %s", (*x)->value.str,
                        type_name(t), what);
  if ((*y)->kind == EX_CONST && (*y)->type == SBD_STRING && t != (sbd_type)-1)
    return sql_error_at(b->ctx, b->sql, off, "cannot read '%s' as %s in %s", (*y)->value.str,
                        type_name(t), what);
  return sql_error_at(b->ctx, b->sql, off, "cannot %s %s and %s in %s", verb, type_name((*x)->type),
                      type_name((*y)->type), what);
}

/* Makes e a BOOL condition (NULL becomes a BOOL NULL) or reports a type error. */
static sbd_status need_bool(binder *b, ex_expr **e, const char *what, uint32_t off) {
  sbd_status st;
  if (coerce(b, e, SBD_BOOL, &st) && (*e)->type == SBD_BOOL)
    return SBD_OK;
  RETURN_IF_ERROR(st);
  return sql_error_at(b->ctx, b->sql, off, "%s must be BOOL, not %s: %s", what,
                      type_name((*e)->type), (*e)->text);
}

/* ---- names ------------------------------------------------------------------------------------*/

/* Checks that some column of s can be named t.col; else an error naming the closest table. */
static sbd_status check_table(binder *b, const scope *s, const sql_ident *t) {
  const char **names = alloc(b, sizeof(char *) * (size_t)(s->n ? s->n : 1));
  if (!names)
    return oom(b);
  int n = 0;
  for (int i = 0; i < s->n; i++) {
    const char *tl = s->cols[i].table_lower;
    if (!tl)
      continue;
    if (strcmp(tl, t->lower) == 0)
      return SBD_OK;
    if (n == 0 || strcmp(names[n - 1], tl) != 0)
      names[n++] = tl;
  }
  const char *near = n == 1 ? names[0] : sbd_closest(t->name, names, n);
  return sql_error_at(b->ctx, b->sql, t->off, "no table '%s' in this query%s%s%s", t->name,
                      near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
}

static sbd_status resolve_column(binder *b, bind_mode *m, const sql_expr *e, ex_expr **out) {
  scope *s = m->in;
  const sql_ident *id = &e->column.name;
  const sql_ident *t = e->column.table;
  const char *where = s->table;
  if (t) {
    RETURN_IF_ERROR(check_table(b, s, t));
    for (int i = 0; i < s->n; i++)
      if (s->cols[i].table_lower && strcmp(s->cols[i].table_lower, t->lower) == 0)
        where = s->cols[i].table;
  }
  int found = -1;
  for (int i = 0; i < s->n; i++) {
    const scope_col *c = &s->cols[i];
    if (t ? !c->table_lower || strcmp(c->table_lower, t->lower) != 0 : c->hidden)
      continue;
    if (strcasecmp(c->name, id->lower) == 0) {
      if (found >= 0 && s->cols[found].table != c->table && s->cols[found].table && c->table)
        return sql_error_at(b->ctx, b->sql, id->off,
                            "column '%s' is ambiguous: it is in '%s' and '%s'", id->name,
                            s->cols[found].table, c->table);
      if (found >= 0)
        return sql_error_at(b->ctx, b->sql, id->off, "column '%s' is ambiguous in '%s'", id->name,
                            where);
      found = i;
    }
  }
  if (found < 0) {
    const char **names = alloc(b, sizeof(char *) * (size_t)(s->n ? s->n : 1));
    if (!names)
      return oom(b);
    int nnames = 0;
    for (int i = 0; i < s->n; i++)
      if (!t || (s->cols[i].table_lower && strcmp(s->cols[i].table_lower, t->lower) == 0))
        names[nnames++] = s->cols[i].name;
    const char *near = sbd_closest(id->name, names, nnames);
    if (!where)
      return sql_error_at(b->ctx, b->sql, id->off, "no column '%s' (the query has no FROM)",
                          id->name);
    if (near)
      return sql_error_at(b->ctx, b->sql, id->off, "no column '%s' in '%s' (did you mean '%s'?)",
                          id->name, where, near);
    return sql_error_at(b->ctx, b->sql, id->off, "no column '%s' in '%s'", id->name, where);
  }
  if (m->post_agg)
    return sql_error_at(b->ctx, b->sql, id->off,
                        "column '%s' must appear in the GROUP BY clause or be used in an aggregate "
                        "function",
                        id->name);
  ex_expr *c = node(b, EX_COLUMN, s->cols[found].type, 0, dup_range(b, e->off, e->end));
  if (!c)
    return oom(b);
  c->col = found;
  s->cols[found].used = true;
  RETURN_IF_ERROR(note_input_col(b, m, c));
  *out = c;
  return SBD_OK;
}

/* ---- expressions ------------------------------------------------------------------------------*/

static sbd_status bind_expr(binder *b, bind_mode *m, const sql_expr *e, ex_expr **out);

/* The aggregate functions, with the kind each name computes (count, sum, avg, min and max are
 * resolved in bind_agg, which looks at DISTINCT and the argument). */
static const struct {
  const char *name;
  ex_agg_kind kind;
} agg_names[] = {
    {"count", EX_AGG_COUNT},
    {"sum", EX_AGG_SUM},
    {"avg", EX_AGG_AVG},
    {"mean", EX_AGG_AVG},
    {"min", EX_AGG_MIN},
    {"max", EX_AGG_MAX},
    {"stddev", EX_AGG_STDDEV_SAMP},
    {"stddev_samp", EX_AGG_STDDEV_SAMP},
    {"stddev_pop", EX_AGG_STDDEV_POP},
    {"variance", EX_AGG_VAR_SAMP},
    {"var_samp", EX_AGG_VAR_SAMP},
    {"var_pop", EX_AGG_VAR_POP},
    {"median", EX_AGG_QUANTILE},
    {"quantile_cont", EX_AGG_QUANTILE},
    {"corr", EX_AGG_CORR},
    {"first", EX_AGG_FIRST},
    {"last", EX_AGG_LAST},
    {"any_value", EX_AGG_ANY_VALUE},
    {"approx_count_distinct", EX_AGG_APPROX_DISTINCT},
    {"string_agg", EX_AGG_STRING_AGG},
};

static ex_agg_kind agg_kind_of(const char *lower) {
  for (size_t i = 0; i < sizeof(agg_names) / sizeof(agg_names[0]); i++)
    if (strcmp(lower, agg_names[i].name) == 0)
      return agg_names[i].kind;
  return 0;
}

static bool is_agg_name(const char *lower) {
  return agg_kind_of(lower) != 0;
}

/* Whether e has an aggregate call outside any subquery. */
static bool has_agg(const sql_expr *e) {
  if (!e)
    return false;
  switch (e->kind) {
  case SQL_EXPR_FUNC:
    if (!e->func.over && is_agg_name(e->func.name.lower))
      return true;
    for (int i = 0; i < e->func.nargs; i++)
      if (has_agg(e->func.args[i]))
        return true;
    return false;
  case SQL_EXPR_UNARY:
    return has_agg(e->unary.arg);
  case SQL_EXPR_BINARY:
    return has_agg(e->binary.left) || has_agg(e->binary.right);
  case SQL_EXPR_AND:
  case SQL_EXPR_OR:
    for (int i = 0; i < e->logic.nargs; i++)
      if (has_agg(e->logic.args[i]))
        return true;
    return false;
  case SQL_EXPR_IS_NULL:
    return has_agg(e->is_null.arg);
  case SQL_EXPR_IN_LIST:
    for (int i = 0; i < e->in_list.nlist; i++)
      if (has_agg(e->in_list.list[i]))
        return true;
    return has_agg(e->in_list.arg);
  case SQL_EXPR_BETWEEN:
    return has_agg(e->between.arg) || has_agg(e->between.low) || has_agg(e->between.high);
  case SQL_EXPR_LIKE:
    return has_agg(e->like.arg) || has_agg(e->like.pattern);
  case SQL_EXPR_CASE:
    for (int i = 0; i < e->case_when.nwhens; i++)
      if (has_agg(e->case_when.whens[i].when) || has_agg(e->case_when.whens[i].then))
        return true;
    return has_agg(e->case_when.operand) || has_agg(e->case_when.otherwise);
  case SQL_EXPR_CAST:
    return has_agg(e->cast.arg);
  default:
    return false;
  }
}

static sbd_status bind_literal(binder *b, const sql_expr *e, ex_expr **out) {
  const sql_literal *l = &e->lit;
  ex_expr *c = node(b, EX_CONST, TYPE_NULL, 0, dup_range(b, e->off, e->end));
  if (!c)
    return oom(b);
  ex_value *v = &c->value;
  switch (l->kind) {
  case SQL_LIT_NULL:
    v->is_null = true;
    break;
  case SQL_LIT_BOOL:
    c->type = SBD_BOOL;
    v->b = l->b;
    break;
  case SQL_LIT_INT:
    c->type = SBD_INT64;
    v->i = l->i;
    break;
  case SQL_LIT_DOUBLE:
    c->type = SBD_DOUBLE;
    v->d = l->d;
    break;
  case SQL_LIT_STRING:
    c->type = SBD_STRING;
    v->str = l->str;
    v->len = l->len;
    break;
  case SQL_LIT_DATE:
    c->type = SBD_DATE;
    v->date = l->date;
    break;
  case SQL_LIT_TIMESTAMP:
    if (l->tz)
      return unsupported(b, e->off, "TIMESTAMPTZ");
    c->type = SBD_TIMESTAMP;
    v->i = l->ts;
    break;
  case SQL_LIT_INTERVAL:
    return unsupported(b, e->off, "INTERVAL values");
  }
  v->type = c->type;
  *out = c;
  return SBD_OK;
}

static sbd_status bind_binary(binder *b, bind_mode *m, const sql_expr *e, ex_expr **out) {
  ex_expr *x, *y;
  RETURN_IF_ERROR(bind_expr(b, m, e->binary.left, &x));
  RETURN_IF_ERROR(bind_expr(b, m, e->binary.right, &y));
  const char *text = dup_range(b, e->off, e->end);
  sql_op op = e->binary.op;
  uint32_t off = e->binary.op_off;
  if (op >= SQL_OP_EQ && op <= SQL_OP_IS_NOT_DISTINCT) {
    RETURN_IF_ERROR(unify2(b, &x, &y, "compare", text, off));
    if (x->type == TYPE_NULL) { /* NULL = NULL */
      sbd_status st;
      coerce(b, &x, SBD_INT64, &st);
      coerce(b, &y, SBD_INT64, &st);
    }
    ex_expr *c = node(b, EX_CMP, SBD_BOOL, 2, text);
    if (!c)
      return oom(b);
    static const ex_op_code codes[] = {EX_EQ, EX_NE, EX_LT,       EX_LE,
                                       EX_GT, EX_GE, EX_DISTINCT, EX_NOT_DISTINCT};
    c->op = codes[op - SQL_OP_EQ];
    c->args[0] = x;
    c->args[1] = y;
    *out = c;
    return SBD_OK;
  }
  if (op == SQL_OP_CONCAT) {
    ex_expr *c = node(b, EX_FUNC, SBD_STRING, 2, text);
    if (!c)
      return oom(b);
    c->fn = EX_FN_CONCAT_OP;
    ex_expr *args[2] = {x, y};
    for (int i = 0; i < 2; i++) {
      sbd_status st;
      if (args[i]->type != SBD_STRING && !coerce(b, &args[i], SBD_STRING, &st)) {
        RETURN_IF_ERROR(st);
        ex_expr *cast = node(b, EX_CAST, SBD_STRING, 1, args[i]->text);
        if (!cast)
          return oom(b);
        cast->args[0] = args[i];
        args[i] = cast;
      }
      c->args[i] = args[i];
    }
    *out = c;
    return SBD_OK;
  }
  if (op == SQL_OP_POW) { /* x ^ y is pow(x, y): DOUBLE, as in DuckDB */
    ex_expr *c = node(b, EX_FUNC, SBD_DOUBLE, 2, text);
    if (!c)
      return oom(b);
    c->fn = EX_FN_POW;
    ex_expr *args[2] = {x, y};
    for (int i = 0; i < 2; i++) {
      sbd_status st;
      bool number = args[i]->type == SBD_INT64 || args[i]->type == SBD_DOUBLE ||
                    args[i]->type == TYPE_NULL;
      if (!number || !coerce(b, &args[i], SBD_DOUBLE, &st))
        return sql_error_at(b->ctx, b->sql, off, "cannot raise %s to %s in %s",
                            type_name(x->type), type_name(y->type), text);
      c->args[i] = args[i];
    }
    *out = c;
    return SBD_OK;
  }
  /* + - * / % */
  static const char *const verbs[] = {"add", "subtract", "multiply", "divide",
                                      "take the modulo of"};
  const char *verb = verbs[op - SQL_OP_ADD];
  sbd_type t = common_type(x, y);
  if (t == TYPE_NULL)
    t = SBD_INT64;
  if (t == SBD_DATE || t == SBD_TIMESTAMP || x->type == SBD_DATE || x->type == SBD_TIMESTAMP ||
      y->type == SBD_DATE || y->type == SBD_TIMESTAMP)
    return unsupported(b, off, "date and time arithmetic (%s)", text);
  if (t != SBD_INT64 && t != SBD_DOUBLE) {
    sbd_type xt = x->type == SBD_STRING && x->kind == EX_CONST ? y->type : x->type;
    sbd_type yt = y->type == SBD_STRING && y->kind == EX_CONST ? x->type : y->type;
    return sql_error_at(b->ctx, b->sql, off, "cannot %s %s and %s in %s", verb, type_name(xt),
                        type_name(yt), text);
  }
  if (op == SQL_OP_DIV)
    t = SBD_DOUBLE; /* / is floating division */
  sbd_status st = SBD_OK;
  if (!coerce(b, &x, t, &st) || !coerce(b, &y, t, &st)) {
    RETURN_IF_ERROR(st);
    const ex_expr *lit = x->kind == EX_CONST && x->type == SBD_STRING ? x : y;
    if (lit->kind == EX_CONST && lit->type == SBD_STRING)
      return sql_error_at(b->ctx, b->sql, off, "cannot read '%s' as %s in %s", lit->value.str,
                          type_name(t), text);
    return sql_error_at(b->ctx, b->sql, off, "cannot %s %s and %s in %s", verb, type_name(x->type),
                        type_name(y->type), text);
  }
  ex_expr *c = node(b, EX_ARITH, t, 2, text);
  if (!c)
    return oom(b);
  static const ex_op_code codes[] = {EX_ADD, EX_SUB, EX_MUL, EX_DIV, EX_MOD};
  c->op = codes[op - SQL_OP_ADD];
  c->args[0] = x;
  c->args[1] = y;
  *out = c;
  return SBD_OK;
}

static sbd_status bind_logic(binder *b, bind_mode *m, ex_expr_kind kind, sql_expr *const *args,
                             int nargs, const char *text, uint32_t off, ex_expr **out) {
  ex_expr *c = node(b, kind, SBD_BOOL, nargs, text);
  if (!c)
    return oom(b);
  for (int i = 0; i < nargs; i++) {
    RETURN_IF_ERROR(bind_expr(b, m, args[i], &c->args[i]));
    RETURN_IF_ERROR(need_bool(b, &c->args[i],
                              kind == EX_AND  ? "an operand of AND"
                              : kind == EX_OR ? "an operand of OR"
                                              : "the operand of NOT",
                              args[i]->off));
  }
  *out = c;
  return SBD_OK;
}

static ex_expr *negate(binder *b, ex_expr *e, const char *text) {
  ex_expr *n = node(b, EX_NOT, SBD_BOOL, 1, text);
  if (n)
    n->args[0] = e;
  return n;
}

/* x = y over bound expressions, unified. */
static sbd_status make_cmp(binder *b, ex_op_code op, ex_expr *x, ex_expr *y, const char *text,
                           uint32_t off, ex_expr **out) {
  RETURN_IF_ERROR(unify2(b, &x, &y, "compare", text, off));
  if (x->type == TYPE_NULL) {
    sbd_status st;
    coerce(b, &x, SBD_INT64, &st);
    coerce(b, &y, SBD_INT64, &st);
  }
  ex_expr *c = node(b, EX_CMP, SBD_BOOL, 2, text);
  if (!c)
    return oom(b);
  c->op = op;
  c->args[0] = x;
  c->args[1] = y;
  *out = c;
  return SBD_OK;
}

/* Brings values[0..n) to one type (for CASE results, COALESCE, IN lists, BETWEEN): the typed
 * values decide it (INT64 and DOUBLE make DOUBLE, DATE and TIMESTAMP make TIMESTAMP), string
 * literals and NULLs follow. */
static sbd_status unify_n(binder *b, ex_expr **values, int n, const char *what, uint32_t off) {
  sbd_type t = TYPE_NULL;
  bool typed = false, strings = false;
  for (int i = 0; i < n; i++) {
    sbd_type u = values[i]->type;
    if (values[i]->kind == EX_CONST && u == SBD_STRING) {
      strings = true;
      continue;
    }
    if (u == TYPE_NULL)
      continue;
    if (!typed) {
      t = u;
      typed = true;
    } else if (t != u) {
      bool num = (t == SBD_INT64 || t == SBD_DOUBLE) && (u == SBD_INT64 || u == SBD_DOUBLE);
      bool tm = (t == SBD_DATE || t == SBD_TIMESTAMP) && (u == SBD_DATE || u == SBD_TIMESTAMP);
      if (!num && !tm)
        return sql_error_at(b->ctx, b->sql, off, "cannot mix %s and %s in %s", type_name(t),
                            type_name(u), what);
      t = num ? SBD_DOUBLE : SBD_TIMESTAMP;
    }
  }
  if (!typed)
    t = strings ? SBD_STRING : SBD_INT64;
  for (int i = 0; i < n; i++) {
    sbd_status st;
    if (!coerce(b, &values[i], t, &st)) {
      RETURN_IF_ERROR(st);
      if (values[i]->kind == EX_CONST && values[i]->type == SBD_STRING)
        return sql_error_at(b->ctx, b->sql, off, "cannot read '%s' as %s in %s",
                            values[i]->value.str, type_name(t), what);
      return sql_error_at(b->ctx, b->sql, off, "cannot mix %s and %s in %s",
                          type_name(values[i]->type), type_name(t), what);
    }
  }
  return SBD_OK;
}

static sbd_status bind_case(binder *b, bind_mode *m, const sql_expr *e, ex_expr **out) {
  const char *text = dup_range(b, e->off, e->end);
  int nw = e->case_when.nwhens;
  ex_expr *c = node(b, EX_CASE, TYPE_NULL, 2 * nw + 1, text);
  ex_expr **values = alloc(b, sizeof(ex_expr *) * (size_t)(nw + 1));
  if (!c || !values)
    return oom(b);
  ex_expr *operand = NULL;
  if (e->case_when.operand)
    RETURN_IF_ERROR(bind_expr(b, m, e->case_when.operand, &operand));
  for (int i = 0; i < nw; i++) {
    const sql_when *w = &e->case_when.whens[i];
    ex_expr *cond;
    RETURN_IF_ERROR(bind_expr(b, m, w->when, &cond));
    if (operand)
      RETURN_IF_ERROR(make_cmp(b, EX_EQ, operand, cond, text, w->when->off, &cond));
    else
      RETURN_IF_ERROR(need_bool(b, &cond, "a WHEN condition", w->when->off));
    c->args[2 * i] = cond;
    RETURN_IF_ERROR(bind_expr(b, m, w->then, &values[i]));
  }
  if (e->case_when.otherwise) {
    RETURN_IF_ERROR(bind_expr(b, m, e->case_when.otherwise, &values[nw]));
  } else {
    values[nw] = node(b, EX_CONST, TYPE_NULL, 0, "NULL");
    if (!values[nw])
      return oom(b);
    values[nw]->value.is_null = true;
  }
  RETURN_IF_ERROR(unify_n(b, values, nw + 1, text, e->off));
  for (int i = 0; i < nw; i++)
    c->args[2 * i + 1] = values[i];
  c->args[2 * nw] = values[nw];
  c->type = values[0]->type;
  *out = c;
  return SBD_OK;
}

/* The width of an integer type as written, 0 for 64 bits, -1 for one sbd does not cast to. */
static int int_bits(const char *name) {
  static const struct {
    const char *name;
    int bits;
  } t[] = {{"TINYINT", 8}, {"INT1", 8},     {"SMALLINT", 16}, {"INT2", 16},  {"SHORT", 16},
           {"INT", 32},    {"INTEGER", 32}, {"INT4", 32},     {"INT32", 32}, {"SIGNED", 32},
           {"BIGINT", 0},  {"INT8", 0},     {"INT64", 0},     {"LONG", 0}};
  for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
    if (strcmp(name, t[i].name) == 0)
      return t[i].bits;
  return -1;
}

static bool castable(sbd_type from, sbd_type to) {
  if (from == to || from == TYPE_NULL || from == SBD_STRING || to == SBD_STRING)
    return true;
  bool fn = from == SBD_BOOL || from == SBD_INT64 || from == SBD_DOUBLE;
  bool tn = to == SBD_BOOL || to == SBD_INT64 || to == SBD_DOUBLE;
  if (fn && tn)
    return true;
  return (from == SBD_DATE && to == SBD_TIMESTAMP) || (from == SBD_TIMESTAMP && to == SBD_DATE);
}

static sbd_status bind_cast(binder *b, bind_mode *m, const sql_expr *e, ex_expr **out) {
  const sql_type *t = &e->cast.type;
  const char *text = dup_range(b, e->off, e->end);
  int bits = 0;
  if (t->id == SQL_TYPE_INTERVAL)
    return unsupported(b, t->off, "INTERVAL values");
  if (t->id == SQL_TYPE_INT64 && (bits = int_bits(t->name)) < 0)
    return unsupported(b, t->off, "CAST to %s (use BIGINT)", t->name);
  if (t->id == SQL_TYPE_DOUBLE && strcmp(t->name, "DOUBLE") != 0 && strcmp(t->name, "FLOAT8") != 0)
    return unsupported(b, t->off, "CAST to %s (use DOUBLE)", t->name);
  if (t->id == SQL_TYPE_TIMESTAMP && strcmp(t->name, "TIMESTAMPTZ") == 0)
    return unsupported(b, t->off, "TIMESTAMPTZ");
  ex_expr *arg;
  RETURN_IF_ERROR(bind_expr(b, m, e->cast.arg, &arg));
  sbd_type to = (sbd_type)t->id;
  if (!castable(arg->type, to))
    return sql_error_at(b->ctx, b->sql, t->off, "cannot cast %s to %s in %s", type_name(arg->type),
                        t->name, text);
  if (arg->type == TYPE_NULL) {
    sbd_status st;
    coerce(b, &arg, to, &st);
  }
  /* DuckDB reads 2.5 (no exponent) as a DECIMAL, which casts to an integer rounding half away
   * from zero, where a DOUBLE rounds half to even: round such a literal here to match. */
  const sql_expr *lit = e->cast.arg;
  if (to == SBD_INT64 && arg->kind == EX_CONST && arg->type == SBD_DOUBLE &&
      lit->kind == SQL_EXPR_LITERAL && lit->lit.kind == SQL_LIT_DOUBLE &&
      !memchr(b->sql + lit->off, 'e', lit->end - lit->off) &&
      !memchr(b->sql + lit->off, 'E', lit->end - lit->off))
    arg->value.d = round(arg->value.d);
  ex_expr *c = node(b, EX_CAST, to, 1, text);
  if (!c)
    return oom(b);
  c->args[0] = arg;
  c->try_cast = e->cast.try_cast;
  c->cast_bits = bits;
  *out = c;
  return SBD_OK;
}

/* A constant argument of an aggregate (quantile_cont's fraction, string_agg's separator). */
static sbd_status agg_const_arg(binder *b, bind_mode *inner, const sql_expr *e, const char *fname,
                                const char *what, ex_expr **out) {
  RETURN_IF_ERROR(bind_expr(b, inner, e, out));
  if ((*out)->kind != EX_CONST)
    return sql_error_at(b->ctx, b->sql, e->off, "%s: %s must be a constant", fname, what);
  return SBD_OK;
}

/* Binds the arguments of an aggregate call (all but count(*)) and sets the spec's kind and
 * result type. */
static sbd_status bind_agg_args(binder *b, bind_mode *m, const sql_expr *e, ex_agg_kind kind,
                                ex_agg_spec *spec) {
  const char *fname = e->func.name.name;
  int want = kind == EX_AGG_CORR                                                  ? 2
             : kind == EX_AGG_QUANTILE && strcmp(e->func.name.lower, "median") != 0 ? 2
                                                                                  : 1;
  bool ok = e->func.nargs == want || (kind == EX_AGG_STRING_AGG && e->func.nargs == 2);
  if (!ok || e->func.star)
    return sql_error_at(b->ctx, b->sql, e->off, "%s takes %s", fname,
                        kind == EX_AGG_STRING_AGG ? "one or two arguments"
                        : want == 2               ? "two arguments"
                                                  : "one argument");
  /* The arguments are over the input: nested aggregates are an error there. */
  bind_mode inner = *m;
  inner.post_agg = false;
  inner.clause = "the argument of an aggregate";
  ex_expr *arg;
  RETURN_IF_ERROR(bind_expr(b, &inner, e->func.args[0], &arg));
  if (arg->type == TYPE_NULL) {
    sbd_status st;
    coerce(b, &arg, kind == EX_AGG_STRING_AGG ? SBD_STRING : SBD_INT64, &st);
  }
  spec->arg = arg;
  sbd_type at = arg->type;
  bool numeric = at == SBD_INT64 || at == SBD_DOUBLE;
  bool distinct = e->func.distinct;
  switch (kind) {
  case EX_AGG_COUNT:
    spec->kind = distinct ? EX_AGG_COUNT_DISTINCT : EX_AGG_COUNT;
    spec->type = SBD_INT64;
    return SBD_OK;
  case EX_AGG_MIN:
  case EX_AGG_MAX: /* DISTINCT changes nothing */
  case EX_AGG_FIRST:
  case EX_AGG_LAST:
  case EX_AGG_ANY_VALUE:
    spec->kind = kind;
    spec->type = at;
    return SBD_OK;
  case EX_AGG_APPROX_DISTINCT:
    spec->kind = kind;
    spec->type = SBD_INT64;
    return SBD_OK;
  case EX_AGG_STRING_AGG: {
    if (at != SBD_STRING) {
      ex_expr *cast = node(b, EX_CAST, SBD_STRING, 1, arg->text);
      if (!cast)
        return oom(b);
      cast->args[0] = arg;
      spec->arg = cast;
    }
    spec->kind = kind;
    spec->type = SBD_STRING;
    spec->sep = ",";
    spec->sep_len = 1;
    if (e->func.nargs == 2) {
      ex_expr *sep;
      RETURN_IF_ERROR(agg_const_arg(b, &inner, e->func.args[1], fname, "the separator", &sep));
      if (sep->value.is_null || sep->type == TYPE_NULL) {
        spec->sep = NULL;
        spec->sep_len = 0;
      } else if (sep->type != SBD_STRING) {
        return sql_error_at(b->ctx, b->sql, e->func.args[1]->off,
                            "%s: the separator must be a string, not %s", fname,
                            type_name(sep->type));
      } else {
        spec->sep = sep->value.str;
        spec->sep_len = sep->value.len;
      }
    }
    return SBD_OK;
  }
  default:
    break;
  }
  /* The rest take numbers. */
  if (!numeric && kind == EX_AGG_QUANTILE)
    return unsupported(b, e->off, "%s of %s", fname, type_name(at));
  if (!numeric)
    return sql_error_at(b->ctx, b->sql, e->off, "%s needs a number, not %s: %s", fname,
                        type_name(at), spec->text);
  spec->kind = kind;
  spec->type = SBD_DOUBLE;
  switch (kind) {
  case EX_AGG_SUM:
    spec->kind = distinct ? EX_AGG_SUM_DISTINCT : EX_AGG_SUM;
    spec->type = at;
    break;
  case EX_AGG_AVG:
    spec->kind = distinct ? EX_AGG_AVG_DISTINCT : EX_AGG_AVG;
    break;
  case EX_AGG_CORR: {
    ex_expr *x;
    RETURN_IF_ERROR(bind_expr(b, &inner, e->func.args[1], &x));
    if (x->type == TYPE_NULL) {
      sbd_status st;
      coerce(b, &x, SBD_INT64, &st);
    }
    if (x->type != SBD_INT64 && x->type != SBD_DOUBLE)
      return sql_error_at(b->ctx, b->sql, e->func.args[1]->off, "%s needs a number, not %s: %s",
                          fname, type_name(x->type), spec->text);
    spec->arg2 = x;
    break;
  }
  case EX_AGG_QUANTILE:
    spec->param = 0.5;
    if (e->func.nargs == 2) {
      ex_expr *q;
      RETURN_IF_ERROR(agg_const_arg(b, &inner, e->func.args[1], fname, "the fraction", &q));
      double f = q->type == SBD_DOUBLE ? q->value.d : q->type == SBD_INT64 ? (double)q->value.i : -1;
      if (q->value.is_null || !(f >= 0 && f <= 1))
        return sql_error_at(b->ctx, b->sql, e->func.args[1]->off,
                            "%s: the fraction must be a number between 0 and 1", fname);
      spec->param = f;
    }
    break;
  default:
    break;
  }
  return SBD_OK;
}

/* Registers (or finds) an aggregate call in post-agg mode and returns its output column. */
static sbd_status bind_agg(binder *b, bind_mode *m, const sql_expr *e, ex_expr **out) {
  const char *name = e->func.name.lower;
  if (!m->post_agg)
    return sql_error_at(b->ctx, b->sql, e->off, "aggregate functions are not allowed in %s",
                        m->clause);
  ex_agg_kind kind = agg_kind_of(name);
  if (e->func.distinct && kind != EX_AGG_COUNT && kind != EX_AGG_SUM && kind != EX_AGG_AVG &&
      kind != EX_AGG_MIN && kind != EX_AGG_MAX)
    return unsupported(b, e->off, "%s(DISTINCT ...)", e->func.name.name);
  if (e->func.filter)
    return unsupported(b, e->func.filter->off, "FILTER (WHERE ...)");
  if (e->func.norder_by)
    return unsupported(b, e->off, "ORDER BY inside an aggregate");
  const char *text = canonical(b, e);
  if (!text)
    return oom(b);
  for (int j = 0; j < m->naggs; j++)
    if (strcmp(m->agg_texts[j], text) == 0) {
      ex_expr *c = node(b, EX_COLUMN, m->aggs[j].type, 0, m->aggs[j].text);
      if (!c)
        return oom(b);
      c->col = m->nkeys + j;
      *out = c;
      return SBD_OK;
    }
  ex_agg_spec spec = {0};
  spec.text = dup_range(b, e->off, e->end);
  bool star = e->func.star;
  if (strcmp(name, "count") == 0 && (star || e->func.nargs == 0)) {
    spec.kind = EX_AGG_COUNT_STAR;
    spec.type = SBD_INT64;
  } else {
    RETURN_IF_ERROR(bind_agg_args(b, m, e, kind, &spec));
  }
  if (m->naggs == m->cap_aggs) {
    int cap = m->cap_aggs ? m->cap_aggs * 2 : 8;
    ex_agg_spec *v = alloc(b, sizeof(ex_agg_spec) * (size_t)cap);
    const char **t = alloc(b, sizeof(char *) * (size_t)cap);
    if (!v || !t)
      return oom(b);
    if (m->naggs) {
      memcpy(v, m->aggs, sizeof(ex_agg_spec) * (size_t)m->naggs);
      memcpy(t, m->agg_texts, sizeof(char *) * (size_t)m->naggs);
    }
    m->aggs = v;
    m->agg_texts = t;
    m->cap_aggs = cap;
  }
  m->aggs[m->naggs] = spec;
  m->agg_texts[m->naggs] = text;
  ex_expr *c = node(b, EX_COLUMN, spec.type, 0, spec.text);
  if (!c)
    return oom(b);
  c->col = m->nkeys + m->naggs++;
  *out = c;
  return SBD_OK;
}

/* Brings a numeric argument of a function to INT64 or DOUBLE (to DOUBLE when to_double); a NULL
 * becomes a NULL of INT64 (DOUBLE). */
static sbd_status need_number(binder *b, ex_expr **arg, bool to_double, const sql_expr *e,
                              const char *text) {
  sbd_status st;
  sbd_type t = (*arg)->type;
  if (t == TYPE_NULL || (to_double && t == SBD_INT64))
    t = to_double ? SBD_DOUBLE : SBD_INT64;
  if (!coerce(b, arg, t, &st) || (t != SBD_INT64 && t != SBD_DOUBLE)) {
    RETURN_IF_ERROR(st);
    return sql_error_at(b->ctx, b->sql, e->off, "%s() needs a number, not %s: %s",
                        e->func.name.name, type_name((*arg)->type), text);
  }
  return SBD_OK;
}

/* Brings an integer argument of a function (a count, a position) to INT64. */
static sbd_status need_integer(binder *b, ex_expr **arg, const sql_expr *e, const char *text) {
  sbd_status st;
  if (!coerce(b, arg, SBD_INT64, &st)) {
    RETURN_IF_ERROR(st);
    return sql_error_at(b->ctx, b->sql, e->off, "%s() needs an integer, not %s: %s",
                        e->func.name.name, type_name((*arg)->type), text);
  }
  return SBD_OK;
}

/* nullif(a, b) is CASE WHEN a = b THEN NULL ELSE a END, of a's type: a is bound twice (once
 * for the comparison, where it may be widened to b's type, once for the result). */
static sbd_status bind_nullif(binder *b, bind_mode *m, const sql_expr *e, ex_expr **out) {
  const char *text = dup_range(b, e->off, e->end);
  if (e->func.nargs != 2)
    return sql_error_at(b->ctx, b->sql, e->off, "%s() takes 2 arguments, not %d", e->func.name.name,
                        e->func.nargs);
  ex_expr *x, *y, *value, *cond;
  RETURN_IF_ERROR(bind_expr(b, m, e->func.args[0], &x));
  RETURN_IF_ERROR(bind_expr(b, m, e->func.args[1], &y));
  RETURN_IF_ERROR(bind_expr(b, m, e->func.args[0], &value));
  RETURN_IF_ERROR(make_cmp(b, EX_EQ, x, y, text, e->off, &cond));
  ex_expr *c = node(b, EX_CASE, value->type, 3, text);
  ex_expr *null = node(b, EX_CONST, value->type, 0, "NULL");
  if (!c || !null)
    return oom(b);
  if (value->type == TYPE_NULL) {
    sbd_status st;
    coerce(b, &value, SBD_INT64, &st);
    c->type = null->type = SBD_INT64;
  }
  null->value.type = null->type;
  null->value.is_null = true;
  c->args[0] = cond;
  c->args[1] = null;
  c->args[2] = value;
  *out = c;
  return SBD_OK;
}

static sbd_status bind_func(binder *b, bind_mode *m, const sql_expr *e, ex_expr **out) {
  const char *name = e->func.name.lower;
  if (e->func.over)
    return unsupported(b, e->func.over->off, "window functions (OVER)");
  if (is_agg_name(name))
    return bind_agg(b, m, e, out);
  const char *text = dup_range(b, e->off, e->end);
  int n = e->func.nargs;
  if (e->func.distinct || e->func.star || e->func.filter || e->func.norder_by)
    return sql_error_at(b->ctx, b->sql, e->off, "%s is not an aggregate function",
                        e->func.name.name);
  static const struct {
    const char *name;
    ex_fn fn;
    int min, max;
  } fns[] = {{"lower", EX_FN_LOWER, 1, 1},
             {"lcase", EX_FN_LOWER, 1, 1},
             {"upper", EX_FN_UPPER, 1, 1},
             {"ucase", EX_FN_UPPER, 1, 1},
             {"length", EX_FN_LENGTH, 1, 1},
             {"char_length", EX_FN_LENGTH, 1, 1},
             {"concat", EX_FN_CONCAT, 1, 1000000},
             {"abs", EX_FN_ABS, 1, 1},
             {"coalesce", 0, 1, 1000000},
             {"trim", EX_FN_TRIM, 1, 1},
             {"ltrim", EX_FN_LTRIM, 1, 1},
             {"rtrim", EX_FN_RTRIM, 1, 1},
             {"substr", EX_FN_SUBSTR, 2, 3},
             {"substring", EX_FN_SUBSTR, 2, 3},
             {"replace", EX_FN_REPLACE, 3, 3},
             {"round", EX_FN_ROUND, 1, 2},
             {"floor", EX_FN_FLOOR, 1, 1},
             {"ceil", EX_FN_CEIL, 1, 1},
             {"ceiling", EX_FN_CEIL, 1, 1},
             {"sqrt", EX_FN_SQRT, 1, 1},
             {"ln", EX_FN_LN, 1, 1},
             {"log10", EX_FN_LOG10, 1, 1},
             {"log", EX_FN_LOG10, 1, 2},
             {"exp", EX_FN_EXP, 1, 1},
             {"pow", EX_FN_POW, 2, 2},
             {"power", EX_FN_POW, 2, 2},
             {"sign", EX_FN_SIGN, 1, 1},
             {"greatest", EX_FN_GREATEST, 1, 1000000},
             {"least", EX_FN_LEAST, 1, 1000000}};
  int k = -1;
  for (size_t i = 0; i < sizeof(fns) / sizeof(fns[0]); i++)
    if (strcmp(name, fns[i].name) == 0)
      k = (int)i;
  if (k < 0 && strcmp(name, "nullif") == 0)
    return bind_nullif(b, m, e, out);
  if (k < 0)
    return unsupported(b, e->off, "the function %s()", e->func.name.name);
  if (n == 2 && strcmp(name, "log") == 0)
    return unsupported(b, e->off, "log(base, x) (use ln(x) / ln(base))");
  if (n == 2 && (fns[k].fn == EX_FN_TRIM || fns[k].fn == EX_FN_LTRIM || fns[k].fn == EX_FN_RTRIM))
    return unsupported(b, e->off, "%s() with a set of characters to remove", e->func.name.name);
  if (n < fns[k].min || n > fns[k].max)
    return sql_error_at(b->ctx, b->sql, e->off, "%s() takes %s%d argument%s, not %d",
                        e->func.name.name, fns[k].max > fns[k].min ? "at least " : "", fns[k].min,
                        fns[k].min == 1 ? "" : "s", n);
  ex_expr *c = node(b, fns[k].fn ? EX_FUNC : EX_COALESCE, TYPE_NULL, n, text);
  if (!c)
    return oom(b);
  c->fn = fns[k].fn;
  for (int i = 0; i < n; i++)
    RETURN_IF_ERROR(bind_expr(b, m, e->func.args[i], &c->args[i]));
  if (c->kind == EX_COALESCE) {
    RETURN_IF_ERROR(unify_n(b, c->args, n, text, e->off));
    c->type = c->args[0]->type;
    *out = c;
    return SBD_OK;
  }
  sbd_status st;
  switch (c->fn) {
  case EX_FN_ABS:
    if (!coerce(b, &c->args[0], c->args[0]->type == TYPE_NULL ? SBD_INT64 : c->args[0]->type,
                &st) ||
        (c->args[0]->type != SBD_INT64 && c->args[0]->type != SBD_DOUBLE))
      return sql_error_at(b->ctx, b->sql, e->off, "abs() needs a number, not %s: %s",
                          type_name(c->args[0]->type), text);
    c->type = c->args[0]->type;
    break;
  case EX_FN_ROUND:
  case EX_FN_SIGN:
    RETURN_IF_ERROR(need_number(b, &c->args[0], false, e, text));
    if (n > 1)
      RETURN_IF_ERROR(need_integer(b, &c->args[1], e, text));
    c->type = c->fn == EX_FN_SIGN ? SBD_INT64 : c->args[0]->type;
    break;
  case EX_FN_FLOOR:
  case EX_FN_CEIL:
  case EX_FN_SQRT:
  case EX_FN_LN:
  case EX_FN_LOG10:
  case EX_FN_EXP:
  case EX_FN_POW:
    for (int i = 0; i < n; i++)
      RETURN_IF_ERROR(need_number(b, &c->args[i], true, e, text));
    c->type = SBD_DOUBLE;
    break;
  case EX_FN_GREATEST:
  case EX_FN_LEAST:
    RETURN_IF_ERROR(unify_n(b, c->args, n, text, e->off));
    c->type = c->args[0]->type;
    break;
  case EX_FN_SUBSTR:
  case EX_FN_REPLACE:
    for (int i = 0; i < n; i++) {
      if (c->fn == EX_FN_SUBSTR && i > 0) {
        RETURN_IF_ERROR(need_integer(b, &c->args[i], e, text));
      } else if (!coerce(b, &c->args[i], SBD_STRING, &st)) {
        RETURN_IF_ERROR(st);
        return sql_error_at(b->ctx, b->sql, e->off, "%s() needs a STRING, not %s: %s",
                            e->func.name.name, type_name(c->args[i]->type), text);
      }
    }
    c->type = SBD_STRING;
    break;
  case EX_FN_CONCAT:
    for (int i = 0; i < n; i++)
      if (c->args[i]->type != SBD_STRING && !coerce(b, &c->args[i], SBD_STRING, &st)) {
        ex_expr *cast = node(b, EX_CAST, SBD_STRING, 1, c->args[i]->text);
        if (!cast)
          return oom(b);
        cast->args[0] = c->args[i];
        c->args[i] = cast;
      }
    c->type = SBD_STRING;
    break;
  default: /* lower, upper, length */
    if (!coerce(b, &c->args[0], SBD_STRING, &st))
      return sql_error_at(b->ctx, b->sql, e->off, "%s() needs a STRING, not %s: %s",
                          e->func.name.name, type_name(c->args[0]->type), text);
    c->type = c->fn == EX_FN_LENGTH ? SBD_INT64 : SBD_STRING;
    break;
  }
  *out = c;
  return SBD_OK;
}

/* x [NOT] LIKE|ILIKE 'pattern' [ESCAPE 'c']: the pattern and escape must be literals. */
static sbd_status bind_like(binder *b, bind_mode *m, const sql_expr *e, ex_expr **out) {
  const char *text = dup_range(b, e->off, e->end);
  const char *op = e->like.ilike ? "ILIKE" : "LIKE";
  ex_expr *c = node(b, EX_FUNC, SBD_BOOL, 1, text);
  if (!c)
    return oom(b);
  c->fn = EX_FN_LIKE;
  c->ilike = e->like.ilike;
  c->like_escape = -1;
  RETURN_IF_ERROR(bind_expr(b, m, e->like.arg, &c->args[0]));
  sbd_status st;
  if (!coerce(b, &c->args[0], SBD_STRING, &st))
    return sql_error_at(b->ctx, b->sql, e->like.op_off, "%s needs a STRING, not %s: %s", op,
                        type_name(c->args[0]->type), text);
  const sql_expr *p = e->like.pattern;
  if (p->kind == SQL_EXPR_LITERAL && p->lit.kind == SQL_LIT_NULL) {
    ex_expr *null = node(b, EX_CONST, SBD_BOOL, 0, text); /* LIKE NULL is NULL */
    if (!null)
      return oom(b);
    null->value.type = SBD_BOOL;
    null->value.is_null = true;
    *out = null;
    return SBD_OK;
  }
  if (p->kind != SQL_EXPR_LITERAL || p->lit.kind != SQL_LIT_STRING)
    return unsupported(b, p->off, "%s with a pattern that is not a string literal", op);
  c->value.type = SBD_STRING;
  c->value.str = p->lit.str;
  c->value.len = p->lit.len;
  if (e->like.escape) {
    const sql_expr *x = e->like.escape;
    if (x->kind != SQL_EXPR_LITERAL || x->lit.kind != SQL_LIT_STRING || x->lit.len > 1)
      return sql_error_at(b->ctx, b->sql, x->off, "ESCAPE needs one character in quotes");
    c->like_escape = x->lit.len ? (unsigned char)x->lit.str[0] : -1;
  }
  if (c->ilike)
    for (size_t k = 0; k < c->value.len; k++)
      if ((unsigned char)c->value.str[k] >= 0x80)
        return unsupported(b, p->off, "ILIKE with a non-ASCII pattern");
  *out = e->like.negated ? negate(b, c, text) : c;
  return *out ? SBD_OK : oom(b);
}

static sbd_status bind_expr(binder *b, bind_mode *m, const sql_expr *e, ex_expr **out) {
  *out = NULL;
  if (m->post_agg && e->kind != SQL_EXPR_LITERAL) {
    const char *text = canonical(b, e);
    if (!text)
      return oom(b);
    for (int k = 0; k < m->nkeys; k++)
      if (strcmp(m->key_texts[k], text) == 0) {
        ex_expr *c = node(b, EX_COLUMN, m->key_types[k], 0, dup_range(b, e->off, e->end));
        if (!c)
          return oom(b);
        c->col = k;
        *out = c;
        return SBD_OK;
      }
  }
  const char *text;
  switch (e->kind) {
  case SQL_EXPR_LITERAL:
    return bind_literal(b, e, out);
  case SQL_EXPR_COLUMN:
    return resolve_column(b, m, e, out);
  case SQL_EXPR_STAR:
    return sql_error_at(b->ctx, b->sql, e->off, "* is only allowed as a select item");
  case SQL_EXPR_UNARY: {
    text = dup_range(b, e->off, e->end);
    if (e->unary.op == SQL_OP_NOT) {
      sql_expr *arg = e->unary.arg;
      RETURN_IF_ERROR(bind_logic(b, m, EX_NOT, &arg, 1, text, e->unary.op_off, out));
      return SBD_OK;
    }
    ex_expr *x;
    RETURN_IF_ERROR(bind_expr(b, m, e->unary.arg, &x));
    sbd_status st;
    if (x->type == TYPE_NULL)
      coerce(b, &x, SBD_INT64, &st);
    if (x->type != SBD_INT64 && x->type != SBD_DOUBLE)
      return sql_error_at(b->ctx, b->sql, e->unary.op_off, "cannot negate %s in %s",
                          type_name(x->type), text);
    ex_expr *c = node(b, EX_NEG, x->type, 1, text);
    if (!c)
      return oom(b);
    c->args[0] = x;
    *out = c;
    return SBD_OK;
  }
  case SQL_EXPR_BINARY:
    return bind_binary(b, m, e, out);
  case SQL_EXPR_AND:
  case SQL_EXPR_OR:
    return bind_logic(b, m, e->kind == SQL_EXPR_AND ? EX_AND : EX_OR, e->logic.args, e->logic.nargs,
                      dup_range(b, e->off, e->end), e->off, out);
  case SQL_EXPR_IS_NULL: {
    ex_expr *c = node(b, EX_IS_NULL, SBD_BOOL, 1, dup_range(b, e->off, e->end));
    if (!c)
      return oom(b);
    c->negated = e->is_null.negated;
    RETURN_IF_ERROR(bind_expr(b, m, e->is_null.arg, &c->args[0]));
    *out = c;
    return SBD_OK;
  }
  case SQL_EXPR_BETWEEN: {
    /* x BETWEEN lo AND hi is x >= lo AND x <= hi, also under three-valued logic. */
    text = dup_range(b, e->off, e->end);
    ex_expr *x, *lo, *hi, *c = node(b, EX_AND, SBD_BOOL, 2, text);
    if (!c)
      return oom(b);
    RETURN_IF_ERROR(bind_expr(b, m, e->between.arg, &x));
    RETURN_IF_ERROR(bind_expr(b, m, e->between.low, &lo));
    RETURN_IF_ERROR(bind_expr(b, m, e->between.high, &hi));
    ex_expr *vals[3] = {x, lo, hi};
    RETURN_IF_ERROR(unify_n(b, vals, 3, text, e->between.op_off));
    RETURN_IF_ERROR(make_cmp(b, EX_GE, vals[0], vals[1], text, e->between.op_off, &c->args[0]));
    RETURN_IF_ERROR(make_cmp(b, EX_LE, vals[0], vals[2], text, e->between.op_off, &c->args[1]));
    *out = e->between.negated ? negate(b, c, text) : c;
    return *out ? SBD_OK : oom(b);
  }
  case SQL_EXPR_IN_LIST: {
    /* x IN (a, b) is x = a OR x = b, also under three-valued logic. */
    text = dup_range(b, e->off, e->end);
    int n = e->in_list.nlist;
    ex_expr **vals = alloc(b, sizeof(ex_expr *) * (size_t)(n + 1));
    ex_expr *c = node(b, EX_OR, SBD_BOOL, n, text);
    if (!vals || !c)
      return oom(b);
    RETURN_IF_ERROR(bind_expr(b, m, e->in_list.arg, &vals[0]));
    for (int i = 0; i < n; i++)
      RETURN_IF_ERROR(bind_expr(b, m, e->in_list.list[i], &vals[i + 1]));
    RETURN_IF_ERROR(unify_n(b, vals, n + 1, text, e->in_list.op_off));
    for (int i = 0; i < n; i++)
      RETURN_IF_ERROR(
          make_cmp(b, EX_EQ, vals[0], vals[i + 1], text, e->in_list.op_off, &c->args[i]));
    *out = e->in_list.negated ? negate(b, c, text) : c;
    return *out ? SBD_OK : oom(b);
  }
  case SQL_EXPR_CASE:
    return bind_case(b, m, e, out);
  case SQL_EXPR_CAST:
    return bind_cast(b, m, e, out);
  case SQL_EXPR_FUNC:
    return bind_func(b, m, e, out);
  case SQL_EXPR_LIKE:
    return bind_like(b, m, e, out);
  case SQL_EXPR_IN_QUERY:
  case SQL_EXPR_SUBQUERY:
  case SQL_EXPR_EXISTS:
    return unsupported(b, e->off, "subqueries in expressions");
  }
  return sbd_error(b->ctx, SBD_EINTERNAL, "SQL: internal error: expression kind %d", e->kind);
}

/* Binds in post-agg mode (or over the input when the query has no aggregation). */
static sbd_status bind_post(binder *b, bind_mode *m, const sql_expr *e, ex_expr **out) {
  return bind_expr(b, m, e, out);
}

/* ---- FROM -------------------------------------------------------------------------------------*/

typedef struct source {
  ex_op *op; /* a subquery's plan; NULL for a file (opened in reader) */
  sbd_reader *reader;
  char *path;        /* files: the path or glob (malloc'd) */
  sbd_options *opts; /* files: reader options (owned) */
  bool parquet;
} source;

static void source_free(source *s) {
  ex_op_free(s->op);
  sbd_reader_close(s->reader);
  free(s->path);
  sbd_options_free(s->opts);
  memset(s, 0, sizeof(*s));
}

static sbd_status bind_query(binder *b, const sql_query *q, ex_op **out);

/* The text of a named argument's value as a reader option. */
static sbd_status option_text(binder *b, const sql_named_arg *na, char *buf, size_t cap) {
  const sql_expr *v = na->value;
  if (v->kind == SQL_EXPR_LITERAL) {
    switch (v->lit.kind) {
    case SQL_LIT_STRING:
      snprintf(buf, cap, "%s", v->lit.str);
      return SBD_OK;
    case SQL_LIT_BOOL:
      snprintf(buf, cap, "%s", v->lit.b ? "true" : "false");
      return SBD_OK;
    case SQL_LIT_INT:
      snprintf(buf, cap, "%lld", (long long)v->lit.i);
      return SBD_OK;
    default:
      break;
    }
  }
  return sql_error_at(b->ctx, b->sql, v->off,
                      "the option %s needs a string, number or boolean literal", na->name.name);
}

static sbd_status open_file(binder *b, const sql_from *f, const char *path, const char *format,
                            source *src) {
  src->path = sbd_strdup(b->ctx, path);
  src->opts = sbd_options_new();
  if (!src->path || !src->opts)
    return oom(b);
  if (format)
    RETURN_IF_ERROR(sbd_options_set(src->opts, "format", format));
  if (f->kind == SQL_FROM_FUNC) {
    for (int i = 0; i < f->func.nnamed; i++) {
      const sql_named_arg *na = &f->func.named[i];
      char value[4096];
      RETURN_IF_ERROR(option_text(b, na, value, sizeof(value)));
      const char *key = na->name.lower;
      if (strcmp(key, "sep") == 0)
        key = "delim";
      if (strcmp(key, "columns") == 0 || strcmp(key, "format") == 0)
        return unsupported(b, na->name.off, "the option %s of %s", na->name.name,
                           f->func.name.name);
      RETURN_IF_ERROR(sbd_options_set(src->opts, key, value));
    }
  }
  const char *fmt = io_format_of(src->opts, path);
  src->parquet = fmt && strcasecmp(fmt, "parquet") == 0;
  const char *paths[1] = {path};
  sbd_status st = sbd_reader_open(b->ctx, paths, 1, src->opts, &src->reader);
  if (st != SBD_OK) {
    /* Say where in the SQL the table came from, keeping the reader's message. */
    char msg[SBD_ERRMSG_MAX];
    snprintf(msg, sizeof(msg), "%s", sbd_errmsg(b->ctx));
    err_at(b, st, f->off, "%s", msg);
  }
  return st;
}

static sbd_status bind_join(binder *b, const sql_from *f, source *src, scope *s);

static sbd_status bind_from(binder *b, const sql_from *f, source *src, scope *s) {
  const char *name = NULL;
  const char *alias_lower = f->alias ? f->alias->lower : NULL;
  const sbd_schema *schema = NULL;
  switch (f->kind) {
  case SQL_FROM_FILE:
    RETURN_IF_ERROR(open_file(b, f, f->file.path, NULL, src));
    name = f->file.path;
    schema = sbd_reader_schema(src->reader);
    break;
  case SQL_FROM_FUNC: {
    const char *fn = f->func.name.lower;
    const char *format = strcmp(fn, "read_csv") == 0 || strcmp(fn, "read_csv_auto") == 0 ? "csv"
                         : strcmp(fn, "read_jsonl") == 0 || strcmp(fn, "read_ndjson") == 0 ||
                                 strcmp(fn, "read_json") == 0 || strcmp(fn, "read_json_auto") == 0
                             ? "jsonl"
                         : strcmp(fn, "read_parquet") == 0 || strcmp(fn, "parquet_scan") == 0
                             ? "parquet"
                             : NULL;
    if (!format)
      return unsupported(b, f->off,
                         "the table function %s() (use read_csv, read_jsonl or "
                         "read_parquet)",
                         f->func.name.name);
    if (f->func.nargs != 1 || f->func.args[0]->kind != SQL_EXPR_LITERAL ||
        f->func.args[0]->lit.kind != SQL_LIT_STRING)
      return sql_error_at(b->ctx, b->sql, f->off,
                          "%s() takes one path, a string, and options "
                          "as name = value",
                          f->func.name.name);
    RETURN_IF_ERROR(open_file(b, f, f->func.args[0]->lit.str, format, src));
    name = f->func.args[0]->lit.str;
    schema = sbd_reader_schema(src->reader);
    break;
  }
  case SQL_FROM_TABLE: {
    /* A CTE sees the ones before it (and those of enclosing queries), never itself. */
    const sql_cte *cte = NULL;
    cte_frame visible = {0};
    for (cte_frame *fr = b->ctes; fr && !cte; fr = fr->up)
      for (int i = fr->n - 1; i >= 0 && !cte; i--)
        if (strcmp(fr->ctes[i].name.lower, f->table.name.lower) == 0) {
          cte = &fr->ctes[i];
          visible = (cte_frame){fr->ctes, i, fr->up};
        }
    if (!cte)
      return sql_error_at(b->ctx, b->sql, f->off,
                          "no table '%s' (tables are files: write FROM '%s.csv' or "
                          "read_csv('...'), or define it in WITH)",
                          f->table.name.name, f->table.name.name);
    cte_frame *saved = b->ctes;
    b->ctes = &visible;
    sbd_status st = bind_query(b, cte->query, &src->op);
    b->ctes = saved;
    RETURN_IF_ERROR(st);
    name = cte->name.name;
    if (!alias_lower)
      alias_lower = cte->name.lower;
    schema = src->op->schema;
    if (cte->ncols > schema->ncols)
      return sql_error_at(b->ctx, b->sql, cte->name.off,
                          "the WITH query '%s' has %d columns, but %d names are given",
                          cte->name.name, schema->ncols, cte->ncols);
    s->n = schema->ncols;
    s->cols = alloc(b, sizeof(scope_col) * (size_t)(s->n ? s->n : 1));
    if (!s->cols)
      return oom(b);
    for (int i = 0; i < s->n; i++) {
      s->cols[i].name = i < cte->ncols ? cte->cols[i].name : schema->fields[i].name;
      s->cols[i].type = schema->fields[i].type;
    }
    schema = NULL;
    break;
  }
  case SQL_FROM_SUBQUERY:
    RETURN_IF_ERROR(bind_query(b, f->subquery.query, &src->op));
    name = f->alias ? f->alias->name : "(subquery)";
    schema = src->op->schema;
    break;
  case SQL_FROM_JOIN:
    return bind_join(b, f, src, s);
  }
  if (schema) {
    s->n = schema->ncols;
    s->cols = alloc(b, sizeof(scope_col) * (size_t)(s->n ? s->n : 1));
    if (!s->cols)
      return oom(b);
    for (int i = 0; i < s->n; i++) {
      s->cols[i].name = arena_strndup(b->a, schema->fields[i].name, strlen(schema->fields[i].name));
      s->cols[i].type = schema->fields[i].type;
    }
  }
  if (f->ncol_aliases > s->n)
    return sql_error_at(b->ctx, b->sql, f->off, "'%s' has %d columns, but %d names are given", name,
                        s->n, f->ncol_aliases);
  for (int i = 0; i < f->ncol_aliases; i++)
    s->cols[i].name = f->col_aliases[i].name;
  s->table = f->alias ? f->alias->name : name;
  s->table_lower = alias_lower;
  for (int i = 0; i < s->n; i++) {
    s->cols[i].table = s->table;
    s->cols[i].table_lower = s->table_lower;
  }
  return SBD_OK;
}

/* Makes the leaf operator of a SELECT over src, keeping only the used columns, and renumbers the
 * column nodes bound over the input. */
static sbd_status make_leaf(binder *b, source *src, scope *s, ex_expr **cols, int ncols,
                            ex_op **out) {
  if (src->op) {
    *out = src->op;
    src->op = NULL;
    return SBD_OK;
  }
  if (!src->reader)
    return ex_one_row_new(b->q, out);
  /* Keep the used columns (at least one, so batches still count rows). */
  int *keep = alloc(b, sizeof(int) * (size_t)(s->n ? s->n : 1));
  int *map = alloc(b, sizeof(int) * (size_t)(s->n ? s->n : 1));
  if (!keep || !map)
    return oom(b);
  int nkeep = 0;
  for (int i = 0; i < s->n; i++)
    if (s->cols[i].used) {
      map[i] = nkeep;
      keep[nkeep++] = i;
    }
  if (nkeep == 0 && s->n > 0)
    keep[nkeep++] = 0;
  for (int i = 0; i < ncols; i++)
    cols[i]->col = map[cols[i]->col];
  const sbd_schema *rs = sbd_reader_schema(src->reader);
  bool comma = false;
  for (int i = 0; i < nkeep; i++)
    comma |= strchr(rs->fields[keep[i]].name, ',') != NULL;
  if (src->parquet && nkeep < s->n && !comma) {
    /* Parquet reads only the columns named: reopen with the projection. */
    sql_buf list;
    sql_buf_init(&list);
    for (int i = 0; i < nkeep; i++) {
      if (i)
        sql_buf_put(&list, ",", 1);
      sql_buf_puts(&list, rs->fields[keep[i]].name);
    }
    sbd_status st = list.failed ? oom(b) : sbd_options_set(src->opts, "columns", list.data);
    sql_buf_free(&list);
    RETURN_IF_ERROR(st);
    sbd_reader_close(src->reader);
    src->reader = NULL;
    const char *paths[1] = {src->path};
    RETURN_IF_ERROR(sbd_reader_open(b->ctx, paths, 1, src->opts, &src->reader));
    sbd_reader *r = src->reader;
    src->reader = NULL;
    return ex_scan_new(b->q, r, NULL, -1, out);
  }
  sbd_reader *r = src->reader;
  src->reader = NULL;
  return ex_scan_new(b->q, r, nkeep == s->n ? NULL : keep, nkeep == s->n ? -1 : nkeep, out);
}

/* ---- the columns a SELECT names ---------------------------------------------------------------*/

/* The names (lower-cased) a SELECT's clauses use, whatever table they qualify, so that each side
 * of a join reads only those columns; all when * or a subquery (which may name any) is used. */
typedef struct name_refs {
  const char **names;
  int n, cap;
  const char **star_tables; /* t.* */
  int nstar, cap_star;
  bool all;
} name_refs;

static bool refs_add(binder *b, const char ***v, int *n, int *cap, const char *name) {
  for (int i = 0; i < *n; i++)
    if (strcmp((*v)[i], name) == 0)
      return true;
  if (*n == *cap) {
    int nc = *cap ? *cap * 2 : 16;
    const char **w = alloc(b, sizeof(char *) * (size_t)nc);
    if (!w)
      return false;
    if (*n)
      memcpy(w, *v, sizeof(char *) * (size_t)*n);
    *v = w;
    *cap = nc;
  }
  (*v)[(*n)++] = name;
  return true;
}

static bool collect_refs(binder *b, const sql_expr *e, name_refs *r) {
  if (!e || r->all)
    return true;
  bool ok = true;
  switch (e->kind) {
  case SQL_EXPR_LITERAL:
    return true;
  case SQL_EXPR_COLUMN:
    return refs_add(b, &r->names, &r->n, &r->cap, e->column.name.lower);
  case SQL_EXPR_STAR:
    if (!e->star.table)
      r->all = true;
    else
      ok = refs_add(b, &r->star_tables, &r->nstar, &r->cap_star, e->star.table->lower);
    return ok;
  case SQL_EXPR_UNARY:
    return collect_refs(b, e->unary.arg, r);
  case SQL_EXPR_BINARY:
    return collect_refs(b, e->binary.left, r) && collect_refs(b, e->binary.right, r);
  case SQL_EXPR_AND:
  case SQL_EXPR_OR:
    for (int i = 0; i < e->logic.nargs && ok; i++)
      ok = collect_refs(b, e->logic.args[i], r);
    return ok;
  case SQL_EXPR_IS_NULL:
    return collect_refs(b, e->is_null.arg, r);
  case SQL_EXPR_IN_LIST:
    for (int i = 0; i < e->in_list.nlist && ok; i++)
      ok = collect_refs(b, e->in_list.list[i], r);
    return ok && collect_refs(b, e->in_list.arg, r);
  case SQL_EXPR_BETWEEN:
    return collect_refs(b, e->between.arg, r) && collect_refs(b, e->between.low, r) &&
           collect_refs(b, e->between.high, r);
  case SQL_EXPR_LIKE:
    return collect_refs(b, e->like.arg, r) && collect_refs(b, e->like.pattern, r) &&
           collect_refs(b, e->like.escape, r);
  case SQL_EXPR_CASE:
    for (int i = 0; i < e->case_when.nwhens && ok; i++)
      ok = collect_refs(b, e->case_when.whens[i].when, r) &&
           collect_refs(b, e->case_when.whens[i].then, r);
    return ok && collect_refs(b, e->case_when.operand, r) &&
           collect_refs(b, e->case_when.otherwise, r);
  case SQL_EXPR_CAST:
    return collect_refs(b, e->cast.arg, r);
  case SQL_EXPR_FUNC:
    for (int i = 0; i < e->func.nargs && ok; i++)
      ok = collect_refs(b, e->func.args[i], r);
    for (int i = 0; i < e->func.norder_by && ok; i++)
      ok = collect_refs(b, e->func.order_by[i].expr, r);
    ok = ok && collect_refs(b, e->func.filter, r);
    if (e->func.over) {
      const sql_window *w = e->func.over;
      for (int i = 0; i < w->npartition_by && ok; i++)
        ok = collect_refs(b, w->partition_by[i], r);
      for (int i = 0; i < w->norder_by && ok; i++)
        ok = collect_refs(b, w->order_by[i].expr, r);
      ok = ok && collect_refs(b, w->start.offset, r) && collect_refs(b, w->end.offset, r);
    }
    return ok;
  default: /* subqueries may name any column of the query */
    r->all = true;
    return true;
  }
}

static bool collect_from_refs(binder *b, const sql_from *f, name_refs *r) {
  if (f->kind != SQL_FROM_JOIN)
    return true;
  bool ok = collect_from_refs(b, f->join.left, r) && collect_from_refs(b, f->join.right, r) &&
            collect_refs(b, f->join.on, r);
  for (int i = 0; i < f->join.nusing && ok; i++)
    ok = refs_add(b, &r->names, &r->n, &r->cap, f->join.using_cols[i].lower);
  return ok;
}

/* The names of the columns a SELECT (with its query's ORDER BY) uses; NULL when out of memory. */
static name_refs *select_refs(binder *b, const sql_query *q) {
  const sql_select *sel = q->select;
  name_refs *r = alloc(b, sizeof(*r));
  bool ok = r != NULL;
  for (int i = 0; ok && i < sel->nitems; i++)
    ok = collect_refs(b, sel->items[i].expr, r);
  for (int i = 0; ok && i < sel->ngroup_by; i++)
    ok = collect_refs(b, sel->group_by[i], r);
  for (int i = 0; ok && i < q->norder_by; i++)
    ok = collect_refs(b, q->order_by[i].expr, r);
  ok = ok && collect_refs(b, sel->where, r) && collect_refs(b, sel->having, r) &&
       collect_from_refs(b, sel->from, r);
  if (ok && sel->group_by_all)
    r->all = true;
  return ok ? r : NULL;
}

/* ---- joins ------------------------------------------------------------------------------------*/

/* Which sides of a join the columns of e come from: bit 1 the left (columns < nleft), bit 2 the
 * right. */
static int expr_sides(const ex_expr *e, int nleft) {
  if (e->kind == EX_COLUMN)
    return e->col < nleft ? 1 : 2;
  int sides = 0;
  for (int i = 0; i < e->nargs; i++)
    sides |= expr_sides(e->args[i], nleft);
  return sides;
}

/* Renumbers the columns of e (bound over the joined row) to count from the right side's first. */
static void shift_columns(ex_expr *e, int nleft) {
  if (e->kind == EX_COLUMN)
    e->col -= nleft;
  for (int i = 0; i < e->nargs; i++)
    shift_columns(e->args[i], nleft);
}

typedef struct join_conds {
  ex_expr **lkeys, **rkeys;
  int nkeys;
  ex_expr **rest;
  int nrest;
} join_conds;

/* Splits an ON condition into key pairs (left expr = right expr) and the rest. */
static void split_on(ex_expr *e, int nleft, join_conds *jc) {
  if (e->kind == EX_AND) {
    for (int i = 0; i < e->nargs; i++)
      split_on(e->args[i], nleft, jc);
    return;
  }
  if (e->kind == EX_CMP && e->op == EX_EQ) {
    int x = expr_sides(e->args[0], nleft), y = expr_sides(e->args[1], nleft);
    if ((x == 1 && y == 2) || (x == 2 && y == 1)) {
      ex_expr *l = x == 1 ? e->args[0] : e->args[1], *r = x == 1 ? e->args[1] : e->args[0];
      shift_columns(r, nleft);
      jc->lkeys[jc->nkeys] = l;
      jc->rkeys[jc->nkeys++] = r;
      return;
    }
  }
  jc->rest[jc->nrest++] = e;
}

static int count_conjuncts(const ex_expr *e) {
  if (e->kind != EX_AND)
    return 1;
  int n = 0;
  for (int i = 0; i < e->nargs; i++)
    n += count_conjuncts(e->args[i]);
  return n;
}

/* Adds to jc the equalities of WHERE that bind over this join's two sides and compare an
 * expression of one side with one of the other. WHERE still filters by them after the join:
 * this only lets an inner or cross join find its matches by hashing instead of pairing every
 * row. An equality that does not bind here (it names a column of another table) is left alone,
 * and the message its failure left on the context is cleared. */
static sbd_status use_where_keys(binder *b, scope *s, int nl, int nr, const sql_expr **pushed,
                                 int npushed, join_conds *jc) {
  if (!jc->lkeys) {
    jc->lkeys = alloc(b, sizeof(ex_expr *) * (size_t)npushed);
    jc->rkeys = alloc(b, sizeof(ex_expr *) * (size_t)npushed);
    jc->rest = alloc(b, sizeof(ex_expr *) * (size_t)npushed);
    if (!jc->lkeys || !jc->rkeys || !jc->rest)
      return oom(b);
  }
  int n = s->n;
  s->n = nl + nr;
  for (int i = 0; i < npushed; i++) {
    ex_expr **cols = NULL, *e = NULL;
    int ncols = 0, cap = 0;
    bind_mode m = {0};
    m.in = s;
    m.clause = "WHERE";
    m.input_cols = &cols;
    m.ninput_cols = &ncols;
    m.cap_input_cols = &cap;
    sbd_status st = bind_expr(b, &m, pushed[i], &e);
    if (st == SBD_ENOMEM) {
      s->n = n;
      return st;
    }
    if (st != SBD_OK) {
      sbd_error(b->ctx, SBD_OK, "%s", "");
      continue;
    }
    if (e->kind != EX_CMP || e->op != EX_EQ)
      continue;
    int x = expr_sides(e->args[0], nl), y = expr_sides(e->args[1], nl);
    if ((x == 1 && y == 2) || (x == 2 && y == 1))
      split_on(e, nl, jc);
  }
  s->n = n;
  return SBD_OK;
}

/* ASOF JOIN: its ON must be equalities (already the keys of jc) and one inequality between the
 * two sides, which becomes the last key pair, as "left op right" (*cmp). */
static sbd_status asof_condition(binder *b, const sql_expr *on, int nleft, join_conds *jc,
                                 ex_op_code *cmp) {
  ex_expr *e = jc->nrest == 1 ? jc->rest[0] : NULL;
  int x = e ? expr_sides(e->args ? e->args[0] : e, nleft) : 0;
  int y = e && e->nargs == 2 ? expr_sides(e->args[1], nleft) : 0;
  if (!e || e->kind != EX_CMP || e->op < EX_LT || e->op > EX_GE ||
      !((x == 1 && y == 2) || (x == 2 && y == 1)))
    return sql_error_at(b->ctx, b->sql, on->off,
                        "ASOF JOIN needs ON with equalities and one inequality (>=, >, <=, <) "
                        "between the two sides");
  ex_op_code op = e->op;
  ex_expr *l = e->args[0], *r = e->args[1];
  if (x == 2) {
    /* right op left: turn it around */
    l = e->args[1];
    r = e->args[0];
    op = op == EX_LT ? EX_GT : op == EX_LE ? EX_GE : op == EX_GT ? EX_LT : EX_LE;
  }
  shift_columns(r, nleft);
  jc->lkeys[jc->nkeys] = l;
  jc->rkeys[jc->nkeys++] = r;
  jc->nrest = 0;
  *cmp = op;
  return SBD_OK;
}

/* Binds one side of a join into a plan of its own (every column of it read); *rows is its
 * row count when the files record it (Parquet footers), else -1. */
static sbd_status bind_join_side(binder *b, const sql_from *f, scope *s, ex_op **out,
                                 int64_t *rows) {
  source src = {0};
  *rows = -1;
  sbd_status st = bind_from(b, f, &src, s);
  if (st == SBD_OK && src.reader && src.parquet) {
    const char *paths[1] = {src.path};
    st = sbd_row_count(b->ctx, paths, 1, src.opts, rows);
  }
  /* A file reads the columns the query names (by name, whichever table qualifies them); other
   * items give all theirs. */
  const name_refs *r = b->refs;
  int nused = 0;
  for (int i = 0; st == SBD_OK && i < s->n; i++) {
    scope_col *c = &s->cols[i];
    c->used = !src.reader || !r || r->all;
    for (int k = 0; r && !c->used && k < r->n; k++)
      c->used = strcasecmp(c->name, r->names[k]) == 0;
    for (int k = 0; r && !c->used && c->table_lower && k < r->nstar; k++)
      c->used = strcmp(c->table_lower, r->star_tables[k]) == 0;
    nused += c->used;
  }
  if (st == SBD_OK && nused == 0 && s->n > 0)
    s->cols[0].used = true; /* batches still count rows */
  if (st == SBD_OK)
    st = make_leaf(b, &src, s, NULL, 0, out);
  source_free(&src);
  if (st == SBD_OK) {
    /* The side's columns are now those kept, in order. */
    int n = 0;
    for (int i = 0; i < s->n; i++)
      if (s->cols[i].used)
        s->cols[n++] = s->cols[i];
    s->n = n;
  }
  return st;
}

/* The unhidden column of s named name (as USING names it), or an error. */
static sbd_status using_column(binder *b, const scope *s, const sql_ident *name, const char *side,
                               int *out) {
  *out = -1;
  for (int i = 0; i < s->n; i++)
    if (!s->cols[i].hidden && strcasecmp(s->cols[i].name, name->lower) == 0) {
      if (*out >= 0)
        return sql_error_at(b->ctx, b->sql, name->off,
                            "column '%s' of USING is ambiguous on the %s side of the join",
                            name->name, side);
      *out = i;
    }
  if (*out < 0)
    return sql_error_at(b->ctx, b->sql, name->off,
                        "column '%s' of USING is not on the %s side of the join", name->name, side);
  return SBD_OK;
}

/* A join: both sides planned, the ON condition split into hash keys and a residual condition
 * (or USING's names made keys), and the hash join over them; src->op is the plan and s its
 * columns: the left side's, the right side's, then USING's merged columns. The build side is
 * the right one, as in DuckDB's plan when sizes are unknown (CSV, JSON Lines, subqueries),
 * unless both sides are files whose footers give row counts (Parquet) and the left has fewer
 * rows. */
static sbd_status bind_join(binder *b, const sql_from *f, source *src, scope *s) {
  if (f->join.asof && !f->join.on)
    return unsupported(b, f->join.op_off, "ASOF JOIN with USING (write ON)");
  scope ls = {0}, rs = {0};
  ex_op *left = NULL, *right = NULL;
  /* WHERE's equalities may reach a join below only through the sides no NULLs extend. */
  const sql_expr **pushed = b->pushed;
  int npushed = b->npushed;
  sql_join_type jt = f->join.type;
  if (jt == SQL_JOIN_RIGHT || jt == SQL_JOIN_FULL)
    b->pushed = NULL, b->npushed = 0;
  int64_t left_rows, right_rows = -1;
  sbd_status st = bind_join_side(b, f->join.left, &ls, &left, &left_rows);
  bool right_nulls = jt == SQL_JOIN_LEFT || jt == SQL_JOIN_FULL || f->join.asof;
  b->pushed = right_nulls ? NULL : pushed;
  b->npushed = right_nulls ? 0 : npushed;
  if (st == SBD_OK)
    st = bind_join_side(b, f->join.right, &rs, &right, &right_rows);
  b->pushed = pushed;
  b->npushed = npushed;
  int nl = ls.n, nr = rs.n, nu = f->join.nusing;
  /* The joined row's columns (and, after them, the merged USING columns). */
  s->n = nl + nr + nu;
  s->cols = alloc(b, sizeof(scope_col) * (size_t)(s->n ? s->n : 1));
  s->star = alloc(b, sizeof(int) * (size_t)(s->n ? s->n : 1));
  if (st == SBD_OK && (!s->cols || !s->star))
    st = oom(b);
  if (st != SBD_OK) {
    ex_op_free(left);
    ex_op_free(right);
    return st;
  }
  memcpy(s->cols, ls.cols, sizeof(scope_col) * (size_t)nl);
  memcpy(s->cols + nl, rs.cols, sizeof(scope_col) * (size_t)nr);
  for (int i = 0; i < nl + nr; i++)
    s->cols[i].used = false;
  char *name = arena_alloc(b->a, strlen(ls.table) + strlen(rs.table) + 3);
  if (name)
    sprintf(name, "%s, %s", ls.table, rs.table);
  s->table = name;
  s->table_lower = NULL;

  static const ex_join_type types[] = {
      0, EX_JOIN_INNER, EX_JOIN_LEFT, EX_JOIN_RIGHT, EX_JOIN_FULL, EX_JOIN_INNER};
  ex_join_type type = types[f->join.type];
  join_conds jc = {0};
  ex_expr *residual = NULL;
  ex_expr **merged = NULL;
  int *using_left = NULL; /* the left column of each USING name */
  ex_op_code asof_cmp = 0;
  if (f->join.on) {
    ex_expr *on = NULL;
    ex_expr **cols = NULL;
    int ncols = 0, cap = 0;
    bind_mode m = {0};
    m.in = s;
    m.clause = "ON";
    m.input_cols = &cols;
    m.ninput_cols = &ncols;
    m.cap_input_cols = &cap;
    s->n = nl + nr; /* ON sees the two sides' columns, not USING's */
    if (has_agg(f->join.on))
      st = sql_error_at(b->ctx, b->sql, f->join.on->off,
                        "aggregate functions are not allowed in ON");
    if (st == SBD_OK)
      st = bind_expr(b, &m, f->join.on, &on);
    if (st == SBD_OK)
      st = need_bool(b, &on, "the ON condition", f->join.on->off);
    s->n = nl + nr + nu;
    if (st == SBD_OK) {
      int n = count_conjuncts(on) + npushed;
      jc.lkeys = alloc(b, sizeof(ex_expr *) * (size_t)n);
      jc.rkeys = alloc(b, sizeof(ex_expr *) * (size_t)n);
      jc.rest = alloc(b, sizeof(ex_expr *) * (size_t)n);
      if (!jc.lkeys || !jc.rkeys || !jc.rest)
        st = oom(b);
      else
        split_on(on, nl, &jc);
    }
    if (st == SBD_OK && f->join.asof)
      st = asof_condition(b, f->join.on, nl, &jc, &asof_cmp);
    if (st == SBD_OK && jc.nrest == 1) {
      residual = jc.rest[0];
    } else if (st == SBD_OK && jc.nrest > 1) {
      residual = node(b, EX_AND, SBD_BOOL, jc.nrest, "ON");
      if (!residual)
        st = oom(b);
      else
        memcpy(residual->args, jc.rest, sizeof(ex_expr *) * (size_t)jc.nrest);
    }
  } else if (nu > 0) {
    jc.lkeys = alloc(b, sizeof(ex_expr *) * (size_t)nu);
    jc.rkeys = alloc(b, sizeof(ex_expr *) * (size_t)nu);
    merged = alloc(b, sizeof(ex_expr *) * (size_t)nu);
    using_left = alloc(b, sizeof(int) * (size_t)nu);
    if (!jc.lkeys || !jc.rkeys || !merged || !using_left)
      st = oom(b);
    for (int u = 0; u < nu && st == SBD_OK; u++) {
      const sql_ident *id = &f->join.using_cols[u];
      int li, ri;
      st = using_column(b, &ls, id, "left", &li);
      if (st == SBD_OK)
        st = using_column(b, &rs, id, "right", &ri);
      if (st != SBD_OK)
        break;
      ex_expr *lk = node(b, EX_COLUMN, ls.cols[li].type, 0, ls.cols[li].name);
      ex_expr *rk = node(b, EX_COLUMN, rs.cols[ri].type, 0, rs.cols[ri].name);
      ex_expr *lc = node(b, EX_COLUMN, ls.cols[li].type, 0, ls.cols[li].name);
      ex_expr *rc = node(b, EX_COLUMN, rs.cols[ri].type, 0, rs.cols[ri].name);
      if (!lk || !rk || !lc || !rc) {
        st = oom(b);
        break;
      }
      lk->col = lc->col = li;
      rk->col = ri;
      rc->col = nl + ri;
      st = unify2(b, &lk, &rk, "compare", id->name, id->off);
      if (st == SBD_OK)
        st = unify2(b, &lc, &rc, "compare", id->name, id->off);
      if (st != SBD_OK)
        break;
      jc.lkeys[u] = lk;
      jc.rkeys[u] = rk;
      jc.nkeys++;
      /* The merged column: the left value, or the right one where the left is missing (the
       * two are equal wherever both are present). */
      ex_expr *c = node(b, EX_COALESCE, lc->type, 2, ls.cols[li].name);
      if (!c) {
        st = oom(b);
        break;
      }
      c->args[0] = lc;
      c->args[1] = rc;
      merged[u] = c;
      using_left[u] = li;
      s->cols[li].hidden = true;
      s->cols[nl + ri].hidden = true;
      scope_col *mc = &s->cols[nl + nr + u];
      mc->name = ls.cols[li].name;
      mc->type = lc->type;
      mc->table = ls.cols[li].table;
      mc->table_lower = NULL;
    }
  }
  if (st == SBD_OK && (jt == SQL_JOIN_INNER || jt == SQL_JOIN_CROSS) && !f->join.asof &&
      npushed > 0)
    st = use_where_keys(b, s, nl, nr, pushed, npushed, &jc);
  /* What * gives: the left side's columns (a USING column as its merged one), then the right
   * side's but USING's. */
  if (st == SBD_OK) {
    s->nstar = 0;
    int nls = ls.star ? ls.nstar : nl;
    for (int k = 0; k < nls; k++) {
      int c = ls.star ? ls.star[k] : k;
      if (!ls.star && ls.cols[c].hidden)
        continue;
      for (int u = 0; u < nu; u++)
        if (using_left && using_left[u] == c)
          c = nl + nr + u;
      s->star[s->nstar++] = c;
    }
    int nrs = rs.star ? rs.nstar : nr;
    for (int k = 0; k < nrs; k++) {
      int c = rs.star ? rs.star[k] : k;
      if ((!rs.star && rs.cols[c].hidden) || s->cols[nl + c].hidden)
        continue;
      s->star[s->nstar++] = nl + c;
    }
  }
  if (st != SBD_OK) {
    ex_op_free(left);
    ex_op_free(right);
    return st;
  }
  ex_op *op;
  if (left_rows >= 0 && right_rows >= 0 && left_rows < right_rows && !f->join.asof) {
    /* The left side is known to be smaller: build on it, and stream the right side. */
    type = type == EX_JOIN_LEFT ? EX_JOIN_RIGHT : type == EX_JOIN_RIGHT ? EX_JOIN_LEFT : type;
    RETURN_IF_ERROR(ex_hash_join_new(b->q, right, left, type, jc.rkeys, jc.lkeys, jc.nkeys,
                                     residual, true, &op));
  } else {
    RETURN_IF_ERROR(ex_hash_join_new(b->q, left, right, type, jc.lkeys, jc.rkeys, jc.nkeys,
                                     residual, false, &op));
    if (asof_cmp)
      ex_hash_join_asof(op, asof_cmp);
  }
  if (nu > 0) {
    ex_expr **exprs = alloc(b, sizeof(ex_expr *) * (size_t)s->n);
    const char **names = alloc(b, sizeof(char *) * (size_t)s->n);
    if (!exprs || !names) {
      ex_op_free(op);
      return oom(b);
    }
    for (int i = 0; i < s->n; i++) {
      names[i] = s->cols[i].name;
      if (i >= nl + nr) {
        exprs[i] = merged[i - nl - nr];
      } else if (!(exprs[i] = node(b, EX_COLUMN, s->cols[i].type, 0, names[i]))) {
        ex_op_free(op);
        return oom(b);
      } else {
        exprs[i]->col = i;
      }
    }
    RETURN_IF_ERROR(ex_project_new(b->q, op, exprs, names, s->n, &op));
  }
  src->op = op;
  return SBD_OK;
}

/* ---- SELECT -----------------------------------------------------------------------------------*/

typedef struct out_col {
  ex_expr *expr;
  const char *name;
  const char *text; /* canonical, for ORDER BY matching */
  const char *alias_lower;
} out_col;

static sbd_status add_out(binder *b, out_col **v, int *n, int *cap, out_col c) {
  if (*n == *cap) {
    int nc = *cap ? *cap * 2 : 16;
    out_col *w = alloc(b, sizeof(out_col) * (size_t)nc);
    if (!w)
      return oom(b);
    if (*n)
      memcpy(w, *v, sizeof(out_col) * (size_t)*n);
    *v = w;
    *cap = nc;
  }
  (*v)[(*n)++] = c;
  return SBD_OK;
}

static bool int_literal(const sql_expr *e, int64_t *v) {
  if (e->kind != SQL_EXPR_LITERAL || e->lit.kind != SQL_LIT_INT)
    return false;
  *v = e->lit.i;
  return true;
}

static sbd_status bind_limit(binder *b, const sql_expr *e, const char *what, int64_t *out) {
  if (!e)
    return SBD_OK;
  if (e->kind == SQL_EXPR_LITERAL && e->lit.kind == SQL_LIT_NULL)
    return SBD_OK;
  int64_t v;
  if (!int_literal(e, &v))
    return unsupported(b, e->off, "%s with an expression (write a whole number)", what);
  if (v < 0)
    return sql_error_at(b->ctx, b->sql, e->off, "%s must not be negative", what);
  *out = v;
  return SBD_OK;
}

/* Binds and plans a SELECT; prune: the sides of a join read only the columns it names. */
static sbd_status bind_select_once(binder *b, const sql_query *q, bool prune, ex_op **out) {
  const sql_select *sel = q->select;
  source src = {0};
  scope in = {0};
  ex_expr **input_cols = NULL;
  int ninput = 0, cap_input = 0;
  bind_mode m = {0};
  m.in = &in;
  m.input_cols = &input_cols;
  m.ninput_cols = &ninput;
  m.cap_input_cols = &cap_input;
  ex_op *op = NULL;
  sbd_status st = SBD_OK;

#define CHECK(expr)                                                                                \
  do {                                                                                             \
    st = (expr);                                                                                   \
    if (st != SBD_OK)                                                                              \
      goto done;                                                                                   \
  } while (0)

  if (sel->from) {
    const sql_expr **pushed = b->pushed;
    int npushed = b->npushed;
    const name_refs *refs = b->refs;
    b->pushed = NULL;
    b->npushed = 0;
    b->refs = NULL;
    if (prune && sel->from->kind == SQL_FROM_JOIN && !(b->refs = select_refs(b, q)))
      CHECK(oom(b));
    if (sel->where && sel->from->kind == SQL_FROM_JOIN) {
      const sql_expr *w = sel->where;
      int n = w->kind == SQL_EXPR_AND ? w->logic.nargs : 1;
      b->pushed = alloc(b, sizeof(sql_expr *) * (size_t)n);
      if (!b->pushed)
        CHECK(oom(b));
      for (int i = 0; i < n; i++) {
        const sql_expr *c = w->kind == SQL_EXPR_AND ? w->logic.args[i] : w;
        if (c->kind == SQL_EXPR_BINARY && c->binary.op == SQL_OP_EQ && !has_agg(c))
          b->pushed[b->npushed++] = c;
      }
    }
    st = bind_from(b, sel->from, &src, &in);
    b->pushed = pushed;
    b->npushed = npushed;
    b->refs = refs;
    CHECK(st);
  }

  /* WHERE, over the input. */
  ex_expr *where = NULL;
  if (sel->where) {
    m.clause = "WHERE";
    CHECK(bind_expr(b, &m, sel->where, &where));
    CHECK(need_bool(b, &where, "the WHERE condition", sel->where->off));
  }

  bool agg = sel->ngroup_by > 0 || sel->having || sel->group_by_all;
  for (int i = 0; i < sel->nitems && !agg; i++)
    agg = has_agg(sel->items[i].expr);
  for (int i = 0; i < q->norder_by && !agg; i++)
    agg = has_agg(q->order_by[i].expr);
  if (sel->group_by_all)
    CHECK(unsupported(b, sel->off, "GROUP BY ALL (name the columns)"));

  /* GROUP BY keys, over the input: ordinals and aliases name select items. */
  ex_expr **keys = NULL;
  sbd_type *key_types = NULL;
  const char **key_names = NULL;
  if (agg) {
    int nk = sel->ngroup_by;
    keys = alloc(b, sizeof(ex_expr *) * (size_t)(nk + 1));
    key_types = alloc(b, sizeof(sbd_type) * (size_t)(nk + 1));
    m.key_texts = alloc(b, sizeof(char *) * (size_t)(nk + 1));
    if (!keys || !key_types || !m.key_texts)
      CHECK(oom(b));
    m.clause = "GROUP BY";
    for (int k = 0; k < nk; k++) {
      const sql_expr *g = sel->group_by[k];
      int64_t ord;
      if (int_literal(g, &ord)) {
        if (ord < 1 || ord > sel->nitems)
          CHECK(sql_error_at(b->ctx, b->sql, g->off,
                             "GROUP BY term out of range - should be between 1 and %d",
                             sel->nitems));
        g = sel->items[ord - 1].expr;
        if (g->kind == SQL_EXPR_STAR)
          CHECK(unsupported(b, g->off, "GROUP BY a * item"));
      } else if (g->kind == SQL_EXPR_COLUMN && !g->column.table) {
        bool is_col = false;
        for (int i = 0; i < in.n; i++)
          is_col |= strcasecmp(in.cols[i].name, g->column.name.lower) == 0;
        for (int i = 0; i < sel->nitems && !is_col; i++)
          if (sel->items[i].alias &&
              strcmp(sel->items[i].alias->lower, g->column.name.lower) == 0) {
            g = sel->items[i].expr;
            break;
          }
      }
      if (has_agg(g))
        CHECK(sql_error_at(b->ctx, b->sql, g->off,
                           "aggregate functions are not allowed in GROUP BY"));
      CHECK(bind_expr(b, &m, g, &keys[k]));
      if (keys[k]->type == TYPE_NULL) {
        sbd_status s2;
        coerce(b, &keys[k], SBD_INT64, &s2);
      }
      key_types[k] = keys[k]->type;
      m.key_texts[k] = canonical(b, g);
      if (!m.key_texts[k])
        CHECK(oom(b));
    }
    m.nkeys = nk;
    m.key_types = key_types;
    key_names = m.key_texts;
  }

  /* The select list. */
  out_col *outs = NULL;
  int nouts = 0, cap_outs = 0;
  m.post_agg = agg;
  m.clause = "the select list";
  for (int i = 0; i < sel->nitems; i++) {
    const sql_select_item *it = &sel->items[i];
    if (it->expr->kind == SQL_EXPR_STAR) {
      if (agg)
        CHECK(unsupported(b, it->expr->off, "* with GROUP BY or aggregates"));
      const sql_ident *t = it->expr->star.table;
      if (!sel->from)
        CHECK(sql_error_at(b->ctx, b->sql, it->expr->off, "SELECT * needs a FROM"));
      if (t)
        CHECK(check_table(b, &in, t));
      /* The columns of t.*, or of *: every one not hidden, or the join's order. */
      int *star = alloc(b, sizeof(int) * (size_t)(in.n ? in.n : 1));
      int nstar = 0;
      if (!star)
        CHECK(oom(b));
      if (t) {
        for (int c = 0; c < in.n; c++)
          if (in.cols[c].table_lower && strcmp(in.cols[c].table_lower, t->lower) == 0)
            star[nstar++] = c;
      } else if (in.star) {
        memcpy(star, in.star, sizeof(int) * (size_t)in.nstar);
        nstar = in.nstar;
      } else {
        for (int c = 0; c < in.n; c++)
          if (!in.cols[c].hidden)
            star[nstar++] = c;
      }
      for (int x = 0; x < it->expr->star.nexclude; x++) {
        bool found = false;
        for (int c = 0; c < in.n; c++)
          found |= strcasecmp(in.cols[c].name, it->expr->star.exclude[x].lower) == 0;
        if (!found)
          CHECK(sql_error_at(b->ctx, b->sql, it->expr->star.exclude[x].off,
                             "no column '%s' in '%s' to exclude", it->expr->star.exclude[x].name,
                             in.table));
      }
      for (int si = 0; si < nstar; si++) {
        int c = star[si];
        bool excluded = false;
        for (int x = 0; x < it->expr->star.nexclude; x++)
          excluded |= strcasecmp(in.cols[c].name, it->expr->star.exclude[x].lower) == 0;
        if (excluded)
          continue;
        ex_expr *col = node(b, EX_COLUMN, in.cols[c].type, 0, in.cols[c].name);
        if (!col)
          CHECK(oom(b));
        col->col = c;
        in.cols[c].used = true;
        CHECK(note_input_col(b, &m, col));
        out_col oc = {col, in.cols[c].name, NULL, NULL};
        size_t len = strlen(in.cols[c].name);
        char *lower = arena_strndup(b->a, in.cols[c].name, len);
        if (!lower)
          CHECK(oom(b));
        for (size_t k = 0; k < len; k++)
          if (lower[k] >= 'A' && lower[k] <= 'Z')
            lower[k] = (char)(lower[k] + 32);
        oc.alias_lower = lower;
        CHECK(add_out(b, &outs, &nouts, &cap_outs, oc));
      }
      continue;
    }
    out_col oc = {0};
    CHECK(bind_post(b, &m, it->expr, &oc.expr));
    if (oc.expr->type == TYPE_NULL) {
      sbd_status s2;
      coerce(b, &oc.expr, SBD_INT64, &s2);
    }
    oc.text = canonical(b, it->expr);
    if (it->alias) {
      oc.name = it->alias->name;
      oc.alias_lower = it->alias->lower;
    } else if (it->expr->kind == SQL_EXPR_COLUMN) {
      oc.name = it->expr->column.name.name;
      oc.alias_lower = it->expr->column.name.lower;
    } else {
      oc.name = dup_range(b, it->expr->off, it->expr->end);
    }
    if (!oc.text || !oc.name)
      CHECK(oom(b));
    CHECK(add_out(b, &outs, &nouts, &cap_outs, oc));
  }
  int nvisible = nouts;

  /* HAVING, over the aggregation's output. */
  ex_expr *having = NULL;
  if (sel->having) {
    m.clause = "HAVING";
    CHECK(bind_post(b, &m, sel->having, &having));
    CHECK(need_bool(b, &having, "the HAVING condition", sel->having->off));
  }

  /* ORDER BY: an ordinal, an output name, an output's expression, or a hidden column. */
  ex_sort_key *sort_keys = NULL;
  if (q->norder_by) {
    sort_keys = alloc(b, sizeof(ex_sort_key) * (size_t)q->norder_by);
    if (!sort_keys)
      CHECK(oom(b));
  }
  m.clause = "ORDER BY";
  for (int i = 0; i < q->norder_by; i++) {
    const sql_order_item *o = &q->order_by[i];
    int col = -1;
    int64_t ord;
    if (int_literal(o->expr, &ord)) {
      if (ord < 1 || ord > nvisible)
        CHECK(sql_error_at(b->ctx, b->sql, o->expr->off,
                           "ORDER BY term out of range - should be between 1 and %d", nvisible));
      col = (int)ord - 1;
    } else if (o->expr->kind == SQL_EXPR_COLUMN && !o->expr->column.table) {
      for (int c = 0; c < nvisible && col < 0; c++)
        if (outs[c].alias_lower && strcmp(outs[c].alias_lower, o->expr->column.name.lower) == 0)
          col = c;
    }
    if (col < 0) {
      const char *text = canonical(b, o->expr);
      if (!text)
        CHECK(oom(b));
      for (int c = 0; c < nvisible && col < 0; c++)
        if (outs[c].text && strcmp(outs[c].text, text) == 0)
          col = c;
    }
    if (col < 0) {
      if (sel->distinct)
        CHECK(sql_error_at(b->ctx, b->sql, o->expr->off,
                           "for SELECT DISTINCT, ORDER BY expressions must appear in the select "
                           "list"));
      out_col oc = {0};
      CHECK(bind_post(b, &m, o->expr, &oc.expr));
      oc.name = "__order";
      col = nouts;
      CHECK(add_out(b, &outs, &nouts, &cap_outs, oc));
    }
    sort_keys[i].col = col;
    sort_keys[i].desc = o->desc;
    sort_keys[i].nulls_first = o->nulls == SQL_NULLS_FIRST;
  }
  int64_t limit = -1, offset = 0;
  CHECK(bind_limit(b, q->limit, "LIMIT", &limit));
  CHECK(bind_limit(b, q->offset, "OFFSET", &offset));

  /* The plan. */
  CHECK(make_leaf(b, &src, &in, input_cols, ninput, &op));
  if (where && !agg)
    CHECK(ex_filter_new(b->q, op, where, &op));
  if (agg) {
    const char **names = alloc(b, sizeof(char *) * (size_t)(m.nkeys + m.naggs + 1));
    if (!names)
      CHECK(oom(b));
    for (int k = 0; k < m.nkeys; k++)
      names[k] = key_names[k];
    for (int j = 0; j < m.naggs; j++)
      names[m.nkeys + j] = m.aggs[j].text;
    CHECK(ex_agg_new(b->q, op, keys, m.nkeys, m.aggs, m.naggs, names, &op));
    if (where) /* evaluated by the aggregation's workers */
      ex_agg_set_filter(op, where);
    if (having)
      CHECK(ex_filter_new(b->q, op, having, &op));
  }
  ex_expr **exprs = alloc(b, sizeof(ex_expr *) * (size_t)(nouts + 1));
  const char **names = alloc(b, sizeof(char *) * (size_t)(nouts + 1));
  if (!exprs || !names)
    CHECK(oom(b));
  for (int i = 0; i < nouts; i++) {
    exprs[i] = outs[i].expr;
    names[i] = outs[i].name;
  }
  CHECK(ex_project_new(b->q, op, exprs, names, nouts, &op));
  if (sel->distinct) {
    ex_expr **cols = alloc(b, sizeof(ex_expr *) * (size_t)(nouts + 1));
    if (!cols)
      CHECK(oom(b));
    for (int i = 0; i < nouts; i++) {
      cols[i] = node(b, EX_COLUMN, exprs[i]->type, 0, names[i]);
      if (!cols[i])
        CHECK(oom(b));
      cols[i]->col = i;
    }
    CHECK(ex_agg_new(b->q, op, cols, nouts, NULL, 0, names, &op));
  }
  if (q->norder_by)
    CHECK(ex_sort_new(b->q, op, sort_keys, q->norder_by, &op));
  if (limit >= 0 || offset > 0)
    CHECK(ex_limit_new(b->q, op, limit, offset, &op));
  if (nouts > nvisible) {
    ex_expr **cols = alloc(b, sizeof(ex_expr *) * (size_t)(nvisible + 1));
    if (!cols)
      CHECK(oom(b));
    for (int i = 0; i < nvisible; i++) {
      cols[i] = node(b, EX_COLUMN, exprs[i]->type, 0, names[i]);
      if (!cols[i])
        CHECK(oom(b));
      cols[i]->col = i;
    }
    CHECK(ex_project_new(b->q, op, cols, names, nvisible, &op));
  }
#undef CHECK
done:
  source_free(&src);
  if (st != SBD_OK) {
    ex_op_free(op);
    return st;
  }
  *out = op;
  return SBD_OK;
}

static sbd_status bind_select(binder *b, const sql_query *q, ex_op **out) {
  b->select_depth++;
  sbd_status st = bind_select_once(b, q, !b->no_prune, out);
  b->select_depth--;
  /* An error over a join's pruned columns could miss the closest name to suggest: the outermost
   * SELECT says it again, once, with every column in sight. */
  if (st == SBD_EINPUT && b->select_depth == 0 && !b->no_prune) {
    b->no_prune = true;
    st = bind_select_once(b, q, false, out);
    b->no_prune = false;
  }
  return st;
}

/* Wraps op in a projection that casts its columns to types (where they differ). */
static sbd_status cast_columns(binder *b, ex_op *op, const sbd_type *types, ex_op **out) {
  const sbd_schema *s = op->schema;
  bool same = true;
  for (int i = 0; i < s->ncols; i++)
    same &= s->fields[i].type == types[i];
  *out = op;
  if (same)
    return SBD_OK;
  ex_expr **exprs = alloc(b, sizeof(ex_expr *) * (size_t)s->ncols);
  const char **names = alloc(b, sizeof(char *) * (size_t)s->ncols);
  if (!exprs || !names) {
    ex_op_free(op);
    return oom(b);
  }
  for (int i = 0; i < s->ncols; i++) {
    names[i] = arena_strndup(b->a, s->fields[i].name, strlen(s->fields[i].name));
    ex_expr *col = node(b, EX_COLUMN, s->fields[i].type, 0, names[i]);
    ex_expr *cast = node(b, EX_CAST, types[i], 1, names[i]);
    if (!names[i] || !col || !cast) {
      ex_op_free(op);
      return oom(b);
    }
    col->col = i;
    cast->args[0] = col;
    exprs[i] = s->fields[i].type == types[i] ? col : cast;
  }
  return ex_project_new(b->q, op, exprs, names, s->ncols, out);
}

/* ORDER BY (ordinals and output names) and LIMIT/OFFSET over a set operation's result. */
static sbd_status order_and_limit(binder *b, const sql_query *q, ex_op *op, ex_op **out) {
  *out = NULL;
  sbd_status st = SBD_OK;
  const sbd_schema *s = op->schema;
  ex_sort_key *keys = q->norder_by ? alloc(b, sizeof(ex_sort_key) * (size_t)q->norder_by) : NULL;
  if (q->norder_by && !keys)
    st = oom(b);
  for (int i = 0; i < q->norder_by && st == SBD_OK; i++) {
    const sql_order_item *o = &q->order_by[i];
    int64_t ord;
    int col = -1;
    if (int_literal(o->expr, &ord)) {
      if (ord < 1 || ord > s->ncols)
        st = sql_error_at(b->ctx, b->sql, o->expr->off,
                          "ORDER BY term out of range - should be between 1 and %d", s->ncols);
      col = (int)ord - 1;
    } else if (o->expr->kind == SQL_EXPR_COLUMN && !o->expr->column.table) {
      for (int c = 0; c < s->ncols && col < 0; c++)
        if (strcasecmp(s->fields[c].name, o->expr->column.name.lower) == 0)
          col = c;
      if (col < 0)
        st = sql_error_at(b->ctx, b->sql, o->expr->off, "no column '%s' in the result of UNION ALL",
                          o->expr->column.name.name);
    } else {
      st = unsupported(b, o->expr->off,
                       "ORDER BY an expression over UNION ALL (order by a column name or number)");
    }
    if (st == SBD_OK) {
      keys[i].col = col;
      keys[i].desc = o->desc;
      keys[i].nulls_first = o->nulls == SQL_NULLS_FIRST;
    }
  }
  int64_t limit = -1, offset = 0;
  if (st == SBD_OK)
    st = bind_limit(b, q->limit, "LIMIT", &limit);
  if (st == SBD_OK)
    st = bind_limit(b, q->offset, "OFFSET", &offset);
  if (st != SBD_OK) {
    ex_op_free(op);
    return st;
  }
  if (q->norder_by)
    RETURN_IF_ERROR(ex_sort_new(b->q, op, keys, q->norder_by, &op));
  if (limit >= 0 || offset > 0)
    RETURN_IF_ERROR(ex_limit_new(b->q, op, limit, offset, &op));
  *out = op;
  return SBD_OK;
}

/* UNION ALL: both sides' rows, their column types unified as DuckDB does (INT64 and DOUBLE make
 * DOUBLE, DATE and TIMESTAMP make TIMESTAMP), named by the left side. */
static sbd_status bind_union_all(binder *b, const sql_query *q, ex_op **out) {
  static const char *const names[] = {"", "UNION", "EXCEPT", "INTERSECT"};
  if (q->setop.type != SQL_SETOP_UNION || !q->setop.all)
    return unsupported(b, q->setop.op_off, "%s%s", names[q->setop.type],
                       q->setop.all ? " ALL" : "");
  ex_op *left = NULL, *right = NULL;
  RETURN_IF_ERROR(bind_query(b, q->setop.left, &left));
  sbd_status st = bind_query(b, q->setop.right, &right);
  const sbd_schema *ls = left->schema, *rs = right ? right->schema : NULL;
  sbd_type *types = NULL;
  if (st == SBD_OK && ls->ncols != rs->ncols)
    st = sql_error_at(b->ctx, b->sql, q->setop.op_off,
                      "UNION ALL: the left query has %d columns, the right one %d", ls->ncols,
                      rs->ncols);
  if (st == SBD_OK && !(types = alloc(b, sizeof(sbd_type) * (size_t)(ls->ncols + 1))))
    st = oom(b);
  for (int i = 0; st == SBD_OK && i < ls->ncols; i++) {
    sbd_type x = ls->fields[i].type, y = rs->fields[i].type;
    bool num = (x == SBD_INT64 || x == SBD_DOUBLE) && (y == SBD_INT64 || y == SBD_DOUBLE);
    bool tm = (x == SBD_DATE || x == SBD_TIMESTAMP) && (y == SBD_DATE || y == SBD_TIMESTAMP);
    if (x == y)
      types[i] = x;
    else if (num || tm)
      types[i] = num ? SBD_DOUBLE : SBD_TIMESTAMP;
    else
      st = sql_error_at(b->ctx, b->sql, q->setop.op_off,
                        "UNION ALL: cannot mix %s and %s in column %d ('%s')", type_name(x),
                        type_name(y), i + 1, ls->fields[i].name);
  }
  if (st != SBD_OK) {
    ex_op_free(left);
    ex_op_free(right);
    return st;
  }
  st = cast_columns(b, left, types, &left);
  if (st != SBD_OK) {
    ex_op_free(right);
    return st;
  }
  st = cast_columns(b, right, types, &right);
  if (st != SBD_OK) {
    ex_op_free(left);
    return st;
  }
  ex_op *op;
  RETURN_IF_ERROR(ex_concat_new(b->q, left, right, &op));
  return order_and_limit(b, q, op, out);
}

static sbd_status bind_query(binder *b, const sql_query *q, ex_op **out) {
  *out = NULL;
  cte_frame frame = {q->ctes, q->nctes, b->ctes};
  if (q->nctes)
    b->ctes = &frame;
  sbd_status st;
  if (q->kind == SQL_QUERY_SETOP) {
    st = bind_union_all(b, q, out);
  } else {
    st = bind_select(b, q, out);
  }
  b->ctes = frame.up;
  return st;
}

sbd_status sql_plan(ex_query *q, const sql_stmt *stmt, ex_op **out) {
  binder b = {q, q->ctx, &q->arena, stmt->sql, NULL, NULL, 0, NULL, 0, false};
  return bind_query(&b, stmt->query, out);
}
