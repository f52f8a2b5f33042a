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
 *   -> window (window function calls, as columns after its input's) -> filter (QUALIFY)
 *   -> project (the select list, plus hidden ORDER BY keys) -> hash aggregate (DISTINCT)
 *   -> sort (ORDER BY) -> limit (LIMIT/OFFSET) -> project (drops the hidden keys).
 * Subqueries in expressions add joins beneath the WHERE filter or over the aggregation, and set
 * operations other than UNION ALL are a grouping (see their sections near the end).
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
#include <time.h>

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

/* A join that a subquery in an expression of the SELECT being bound places beneath it (see the
 * section "subqueries"): a MARK join (IN, EXISTS) or a LEFT join with a grouped subquery (a
 * correlated scalar subquery). Its columns follow the probe side's, so the column nodes that
 * name them (fix) are numbered when it is placed: the probe's column count plus fix_rel. */
typedef struct subq_join {
  ex_op *build; /* the subquery's plan, owned until placed */
  bool mark, null_aware;
  ex_expr **probe_keys, **build_keys;
  int nkeys;
  ex_expr *residual;
  ex_expr **fix;
  int *fix_rel, nfix, cap_fix;
  const char *name;
} subq_join;

/* The subquery joins of one SELECT: beneath its WHERE (pre), or over its aggregation (post) for
 * subqueries in the select list, HAVING or ORDER BY of an aggregating query. */
typedef struct subq_state {
  bool active; /* false while its FROM is bound: ON cannot hold subqueries yet */
  subq_join *pre, *post;
  int npre, cap_pre, npost, cap_post;
} subq_state;

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
  bool *pushed_done; /* per pushed conjunct: already filters a join's side beneath */
  /* The columns the SELECT whose FROM is being bound names: a join's sides read only those. */
  const struct name_refs *refs;
  int select_depth; /* SELECTs being bound inside one another */
  bool no_prune;    /* the second pass over a query that failed: every column in sight */
  /* The expression being bound may be an INTERVAL (its parent takes one); see bind_expr. */
  bool interval_ok;
  int64_t now_us;  /* now() and current_date: read once per query, 0 until then */
  subq_state *sub; /* the subquery joins of the SELECT being bound */
  /* The query bind_query bound last is empty whatever its input (WHERE false, LIMIT 0, an
   * INTERSECT with such a side): set by bind_select_once and the set operations, read by the
   * set operations, which then run neither side (as DuckDB's plan does not). */
  bool empty;
  int expr_depth; /* bind_expr calls under way: 0 again when a whole expression is bound */
  /* While a correlated subquery's condition is bound over the enclosing SELECT: its references
   * to the subquery's columns, which name columns of the join (inner_join) instead. */
  const sql_expr **inner_refs;
  int ninner_refs;
  subq_join *inner_join;
  int inner_rel; /* the join column of inner_refs[0] */
} binder;

/* What an expression is bound against. */
typedef struct bind_mode {
  scope *in;
  const char *clause; /* "WHERE", ... for messages about aggregates */
  /* Over the aggregation's output (post_agg): the keys' texts and the aggregates found so far. */
  bool post_agg;
  const char **key_texts;
  const sql_expr **key_exprs; /* the keys as written (ordinals and aliases replaced) */
  const sbd_type *key_types;
  int nkeys;
  ex_agg_spec *aggs;
  const char **agg_texts;
  int naggs, cap_aggs;
  /* Column nodes bound over the input, renumbered once the scan's columns are chosen. */
  ex_expr ***input_cols;
  int *ninput_cols, *cap_input_cols;
  struct win_state *win;     /* the window calls of the SELECT; NULL where none may be */
  const sql_select *aliases; /* QUALIFY: the select items, whose aliases it may name */
} bind_mode;

/* Subqueries and set operations (their sections are near the end). */
static sbd_status bind_subquery(binder *b, bind_mode *m, const sql_expr *e, ex_expr **out);
static sbd_status subq_apply(binder *b, subq_state *sq, bool post, ex_op **op);
static void subq_state_free(subq_state *sq);
static sbd_status bind_setop(binder *b, const sql_query *q, ex_op **out);
static const sql_query *expand_group_by_all(binder *b, const sql_query *q);
static sbd_status inner_ref(binder *b, int i, ex_expr **out);

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
  if (t == EX_INTERVAL)
    return "INTERVAL";
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
  if (e->kind == EX_CONST && e->type == SBD_STRING && !e->value.is_null && t == EX_INTERVAL) {
    sql_interval iv;
    if (!sql_interval_parse(e->value.str, e->value.len, &iv))
      return false;
    e->type = EX_INTERVAL;
    e->value.type = EX_INTERVAL;
    e->value.iv.months = iv.months;
    e->value.iv.days = iv.days;
    e->value.iv.micros = iv.micros;
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

static sbd_status bind_expr(binder *b, bind_mode *m, const sql_expr *e, ex_expr **out);
/* The column of s that the column reference col names, or -1 (none, or more than one). */
static int scope_find(const scope *s, const sql_expr *col) {
  const sql_ident *t = col->column.table;
  int found = -1;
  for (int i = 0; i < s->n; i++) {
    const scope_col *c = &s->cols[i];
    if (t ? !c->table_lower || strcmp(c->table_lower, t->lower) != 0 : c->hidden)
      continue;
    if (strcasecmp(c->name, col->column.name.lower) == 0) {
      if (found >= 0)
        return -1;
      found = i;
    }
  }
  return found;
}

static sbd_status resolve_column(binder *b, bind_mode *m, const sql_expr *e, ex_expr **out) {
  for (int i = 0; i < b->ninner_refs; i++)
    if (b->inner_refs[i] == e)
      return inner_ref(b, i, out);
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
  for (int i = 0; found < 0 && !t && m->aliases && i < m->aliases->nitems; i++) {
    const sql_select_item *it = &m->aliases->items[i];
    if (it->alias && strcmp(it->alias->lower, id->lower) == 0) {
      /* QUALIFY rn = 1: the item's expression, which cannot name its own alias again. */
      const sql_select *aliases = m->aliases;
      m->aliases = NULL;
      sbd_status st = bind_expr(b, m, it->expr, out);
      m->aliases = aliases;
      return st;
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
static sbd_status bind_expr_iv(binder *b, bind_mode *m, const sql_expr *e, ex_expr **out);
static sbd_status bind_time_arith(binder *b, sql_op op, ex_expr *x, ex_expr *y, const char *text,
                                  uint32_t off, ex_expr **out);
static sbd_status time_node(binder *b, ex_fn fn, sbd_type type, const char *text, ex_expr **out,
                            int nargs, ...);

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
    if (e->func.over) /* rank() OVER (ORDER BY sum(x)) is over an aggregation */
      for (int i = 0; i < e->func.over->npartition_by + e->func.over->norder_by; i++)
        if (has_agg(i < e->func.over->npartition_by
                        ? e->func.over->partition_by[i]
                        : e->func.over->order_by[i - e->func.over->npartition_by].expr))
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
    c->type = EX_INTERVAL;
    v->iv.months = l->interval.months;
    v->iv.days = l->interval.days;
    v->iv.micros = l->interval.micros;
    break;
  }
  v->type = c->type;
  *out = c;
  return SBD_OK;
}

static sbd_status bind_binary(binder *b, bind_mode *m, const sql_expr *e, ex_expr **out) {
  ex_expr *x, *y;
  sql_op op = e->binary.op;
  bool iv_ok = op != SQL_OP_CONCAT && op != SQL_OP_POW && op != SQL_OP_MOD;
  RETURN_IF_ERROR(iv_ok ? bind_expr_iv(b, m, e->binary.left, &x)
                        : bind_expr(b, m, e->binary.left, &x));
  RETURN_IF_ERROR(iv_ok ? bind_expr_iv(b, m, e->binary.right, &y)
                        : bind_expr(b, m, e->binary.right, &y));
  const char *text = dup_range(b, e->off, e->end);
  uint32_t off = e->binary.op_off;
  if (op >= SQL_OP_EQ && op <= SQL_OP_IS_NOT_DISTINCT &&
      ((x->type == EX_INTERVAL) != (y->type == EX_INTERVAL))) {
    ex_expr **other = x->type == EX_INTERVAL ? &y : &x;
    sbd_status st;
    if (!coerce(b, other, EX_INTERVAL, &st)) {
      RETURN_IF_ERROR(st);
      if ((*other)->kind == EX_CONST && (*other)->type == SBD_STRING)
        return sql_error_at(b->ctx, b->sql, off, "cannot read '%s' as INTERVAL in %s",
                            (*other)->value.str, text);
      return sql_error_at(b->ctx, b->sql, off, "cannot compare %s and %s in %s", type_name(x->type),
                          type_name(y->type), text);
    }
  }
  if (op >= SQL_OP_EQ && op <= SQL_OP_IS_NOT_DISTINCT) {
    RETURN_IF_ERROR(unify2(b, &x, &y, "compare", text, off));
    if (x->type == TYPE_NULL) { /* NULL = NULL */
      sbd_status st;
      coerce(b, &x, SBD_INT64, &st);
      coerce(b, &y, SBD_INT64, &st);
    }
    /* Intervals compare in a function, not an EX_CMP: their equality is not one of bytes, so it
     * must not become a hash join key. */
    bool iv = x->type == EX_INTERVAL;
    ex_expr *c = node(b, iv ? EX_FUNC : EX_CMP, SBD_BOOL, 2, text);
    if (!c)
      return oom(b);
    c->fn = iv ? EX_FN_INTERVAL_CMP : (ex_fn)0;
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
      bool number =
          args[i]->type == SBD_INT64 || args[i]->type == SBD_DOUBLE || args[i]->type == TYPE_NULL;
      if (!number || !coerce(b, &args[i], SBD_DOUBLE, &st))
        return sql_error_at(b->ctx, b->sql, off, "cannot raise %s to %s in %s", type_name(x->type),
                            type_name(y->type), text);
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
  if (t == SBD_DATE || t == SBD_TIMESTAMP || t == EX_INTERVAL || x->type == SBD_DATE ||
      x->type == SBD_TIMESTAMP || x->type == EX_INTERVAL || y->type == SBD_DATE ||
      y->type == SBD_TIMESTAMP || y->type == EX_INTERVAL)
    return bind_time_arith(b, op, x, y, text, off, out);
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
  bool iv = x->type == EX_INTERVAL; /* as in bind_binary */
  ex_expr *c = node(b, iv ? EX_FUNC : EX_CMP, SBD_BOOL, 2, text);
  if (!c)
    return oom(b);
  c->fn = iv ? EX_FN_INTERVAL_CMP : (ex_fn)0;
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
  ex_expr *arg = NULL; /* bound once: binding it again would be exponential in nested casts */
  if (t->id == SQL_TYPE_INTERVAL || t->id == SQL_TYPE_STRING) {
    /* CAST('1 day' AS INTERVAL), and an INTERVAL to VARCHAR as DuckDB writes it. */
    RETURN_IF_ERROR(bind_expr_iv(b, m, e->cast.arg, &arg));
    sbd_status st;
    if (t->id == SQL_TYPE_STRING && arg->type == EX_INTERVAL)
      return time_node(b, EX_FN_INTERVAL_TEXT, SBD_STRING, text, out, 1, arg);
    if (t->id == SQL_TYPE_INTERVAL) {
      if (arg->type != EX_INTERVAL && !coerce(b, &arg, EX_INTERVAL, &st)) {
        RETURN_IF_ERROR(st);
        if (arg->kind == EX_CONST && arg->type == SBD_STRING)
          return sql_error_at(b->ctx, b->sql, e->cast.arg->off,
                              "cannot read '%s' as an INTERVAL (such as '3 days', '1 year 2 "
                              "months', '04:30:00')",
                              arg->value.str);
        return unsupported(b, t->off, "CAST of %s to INTERVAL", type_name(arg->type));
      }
      *out = arg;
      return SBD_OK;
    }
  }
  if (t->id == SQL_TYPE_INT64 && (bits = int_bits(t->name)) < 0)
    return unsupported(b, t->off, "CAST to %s (use BIGINT)", t->name);
  if (t->id == SQL_TYPE_DOUBLE && strcmp(t->name, "DOUBLE") != 0 && strcmp(t->name, "FLOAT8") != 0)
    return unsupported(b, t->off, "CAST to %s (use DOUBLE)", t->name);
  if (t->id == SQL_TYPE_TIMESTAMP && strcmp(t->name, "TIMESTAMPTZ") == 0)
    return unsupported(b, t->off, "TIMESTAMPTZ");
  if (!arg)
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
  int want = kind == EX_AGG_CORR                                                    ? 2
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
      double f = q->type == SBD_DOUBLE  ? q->value.d
                 : q->type == SBD_INT64 ? (double)q->value.i
                                        : -1;
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

/* ---- dates, times, intervals and regular expressions
 * -------------------------------------------*/

/* A node of a function of expr_time.c or expr_regex.c over the nargs expressions that follow. */
static sbd_status time_node(binder *b, ex_fn fn, sbd_type type, const char *text, ex_expr **out,
                            int nargs, ...) {
  ex_expr *c = node(b, EX_FUNC, type, nargs, text);
  if (!c)
    return oom(b);
  c->fn = fn;
  va_list ap;
  va_start(ap, nargs);
  for (int i = 0; i < nargs; i++)
    c->args[i] = va_arg(ap, ex_expr *);
  va_end(ap);
  *out = c;
  return SBD_OK;
}

/* e as a TIMESTAMP (a DATE widened, a NULL typed, a string literal read), or false. */
static bool as_timestamp(binder *b, ex_expr **e, sbd_status *st) {
  if ((*e)->type == SBD_DATE || (*e)->type == SBD_TIMESTAMP || (*e)->type == TYPE_NULL ||
      ((*e)->kind == EX_CONST && (*e)->type == SBD_STRING))
    return coerce(b, e, SBD_TIMESTAMP, st);
  *st = SBD_OK;
  return false;
}

/* + - * / where a side is a DATE, TIMESTAMP or INTERVAL, with DuckDB's rules: DATE +- INTEGER
 * is a DATE, DATE - DATE an INT64 of days, DATE or TIMESTAMP +- INTERVAL a TIMESTAMP, TIMESTAMP -
 * TIMESTAMP an INTERVAL, INTERVAL +- INTERVAL and INTERVAL * INTEGER intervals. A NULL takes the
 * type that makes sense beside the other side. */
static sbd_status bind_time_arith(binder *b, sql_op op, ex_expr *x, ex_expr *y, const char *text,
                                  uint32_t off, ex_expr **out) {
  sbd_type xt = x->type, yt = y->type;
  sbd_status st = SBD_OK;
  bool xtime = xt == SBD_DATE || xt == SBD_TIMESTAMP, ytime = yt == SBD_DATE || yt == SBD_TIMESTAMP;
  /* A NULL takes the type that makes the operator mean what it does beside a value: beside a
   * DATE an INTEGER (a DATE when subtracted from), beside a TIMESTAMP an INTERVAL (a TIMESTAMP
   * when subtracted from), beside an INTERVAL an INTERVAL (an INTEGER when multiplied). */
  if (xt == TYPE_NULL || yt == TYPE_NULL) {
    ex_expr **null = xt == TYPE_NULL ? &x : &y;
    sbd_type other = xt == TYPE_NULL ? yt : xt;
    bool left = null == &x;
    sbd_type t = EX_INTERVAL;
    if (op == SQL_OP_MUL && other == EX_INTERVAL)
      t = SBD_INT64;
    else if (op == SQL_OP_SUB && left) /* NULL - date is date - date, NULL - interval ts - iv */
      t = other == EX_INTERVAL ? SBD_TIMESTAMP : other;
    else if (other == SBD_DATE)
      t = SBD_INT64;
    coerce(b, null, t, &st);
    xt = x->type;
    yt = y->type;
    xtime = xt == SBD_DATE || xt == SBD_TIMESTAMP;
    ytime = yt == SBD_DATE || yt == SBD_TIMESTAMP;
  }
  /* A string literal beside a date or interval reads as what the operator needs. */
  if (x->kind == EX_CONST && xt == SBD_STRING && (ytime || yt == EX_INTERVAL)) {
    if (!coerce(b, &x,
                op == SQL_OP_ADD || yt == EX_INTERVAL ? (ytime ? EX_INTERVAL : SBD_TIMESTAMP) : yt,
                &st))
      RETURN_IF_ERROR(st);
    xt = x->type;
    xtime = xt == SBD_DATE || xt == SBD_TIMESTAMP;
  }
  if (y->kind == EX_CONST && yt == SBD_STRING && (xtime || xt == EX_INTERVAL)) {
    if (!coerce(b, &y, op == SQL_OP_SUB && xtime ? xt : EX_INTERVAL, &st))
      RETURN_IF_ERROR(st);
    yt = y->type;
    ytime = yt == SBD_DATE || yt == SBD_TIMESTAMP;
  }
  switch (op) {
  case SQL_OP_ADD:
    if (xt == SBD_DATE && yt == SBD_INT64)
      return time_node(b, EX_FN_DATE_ADD_DAYS, SBD_DATE, text, out, 2, x, y);
    if (xt == SBD_INT64 && yt == SBD_DATE)
      return time_node(b, EX_FN_DATE_ADD_DAYS, SBD_DATE, text, out, 2, y, x);
    if (ytime && xt == EX_INTERVAL) { /* INTERVAL + date: the same sum */
      ex_expr *t = x;
      x = y;
      y = t;
      xt = x->type;
      yt = y->type;
      xtime = true;
    }
    if (xtime && yt == EX_INTERVAL && as_timestamp(b, &x, &st))
      return time_node(b, EX_FN_TS_ADD, SBD_TIMESTAMP, text, out, 2, x, y);
    if (xt == EX_INTERVAL && yt == EX_INTERVAL)
      return time_node(b, EX_FN_INTERVAL_ADD, EX_INTERVAL, text, out, 2, x, y);
    break;
  case SQL_OP_SUB:
    if (xt == SBD_DATE && yt == SBD_INT64) {
      RETURN_IF_ERROR(time_node(b, EX_FN_DATE_ADD_DAYS, SBD_DATE, text, out, 2, x, y));
      (*out)->op = EX_SUB;
      return SBD_OK;
    }
    if (xt == SBD_DATE && yt == SBD_DATE)
      return time_node(b, EX_FN_DATE_DIFF, SBD_INT64, text, out, 2, x, y);
    if (xtime && ytime && as_timestamp(b, &x, &st) && as_timestamp(b, &y, &st))
      return time_node(b, EX_FN_TS_DIFF, EX_INTERVAL, text, out, 2, x, y);
    if (xtime && yt == EX_INTERVAL && as_timestamp(b, &x, &st)) {
      RETURN_IF_ERROR(time_node(b, EX_FN_TS_ADD, SBD_TIMESTAMP, text, out, 2, x, y));
      (*out)->op = EX_SUB;
      return SBD_OK;
    }
    if (xt == EX_INTERVAL && yt == EX_INTERVAL) {
      RETURN_IF_ERROR(time_node(b, EX_FN_INTERVAL_ADD, EX_INTERVAL, text, out, 2, x, y));
      (*out)->op = EX_SUB;
      return SBD_OK;
    }
    break;
  case SQL_OP_MUL:
    if (xt == EX_INTERVAL && yt == SBD_INT64)
      return time_node(b, EX_FN_INTERVAL_MUL, EX_INTERVAL, text, out, 2, x, y);
    if (xt == SBD_INT64 && yt == EX_INTERVAL)
      return time_node(b, EX_FN_INTERVAL_MUL, EX_INTERVAL, text, out, 2, y, x);
    if ((xt == EX_INTERVAL && yt == SBD_DOUBLE) || (xt == SBD_DOUBLE && yt == EX_INTERVAL))
      return unsupported(b, off, "an INTERVAL times a DOUBLE (%s): multiply by an integer", text);
    break;
  case SQL_OP_DIV:
    if (xt == EX_INTERVAL && (yt == SBD_INT64 || yt == SBD_DOUBLE))
      return unsupported(b, off, "dividing an INTERVAL (%s)", text);
    break;
  default:
    break;
  }
  RETURN_IF_ERROR(st);
  static const char *const verbs[] = {"add", "subtract", "multiply", "divide",
                                      "take the modulo of"};
  return sql_error_at(b->ctx, b->sql, off, "cannot %s %s and %s in %s", verbs[op - SQL_OP_ADD],
                      type_name(xt), type_name(yt), text);
}

/* The part named by a date_part/date_trunc argument, which must be a string literal. */
static sbd_status part_arg(binder *b, const sql_expr *e, const sql_expr *arg, ex_part *part) {
  if (arg->kind != SQL_EXPR_LITERAL || arg->lit.kind != SQL_LIT_STRING)
    return unsupported(b, arg->off, "%s() with a part that is not a string literal",
                       e->func.name.name);
  char lower[32];
  size_t n = arg->lit.len < sizeof(lower) - 1 ? arg->lit.len : sizeof(lower) - 1;
  for (size_t i = 0; i < n; i++) {
    char c = arg->lit.str[i];
    lower[i] = c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
  }
  lower[n] = 0;
  *part = arg->lit.len < sizeof(lower) - 1 ? ex_part_lookup(lower) : (ex_part)0;
  if (!*part)
    return sql_error_at(b->ctx, b->sql, arg->off,
                        "%s(): '%s' is not a date part (year, quarter, month, week, day, hour, "
                        "minute, second, millisecond, microsecond, dow, isodow, doy, epoch, ...)",
                        e->func.name.name, arg->lit.str);
  return SBD_OK;
}

/* The current time, read once per query. */
static int64_t query_now(binder *b) {
  if (!b->now_us) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    b->now_us = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
    if (!b->now_us)
      b->now_us = 1;
  }
  return b->now_us;
}

static int64_t floor_days(int64_t us) {
  int64_t d = us / 86400000000LL;
  return us % 86400000000LL < 0 ? d - 1 : d;
}

/* The functions of dates, times and regular expressions: SBD_OK with *out set, SBD_OK with *out
 * NULL when name is none of them, or an error. */
static sbd_status bind_time_func(binder *b, bind_mode *m, const sql_expr *e, const char *text,
                                 ex_expr **out) {
  static const struct {
    const char *name;
    ex_part part;
  } part_fns[] = {{"year", EX_PART_YEAR},
                  {"quarter", EX_PART_QUARTER},
                  {"month", EX_PART_MONTH},
                  {"week", EX_PART_WEEK},
                  {"weekofyear", EX_PART_WEEK},
                  {"day", EX_PART_DAY},
                  {"dayofmonth", EX_PART_DAY},
                  {"hour", EX_PART_HOUR},
                  {"minute", EX_PART_MINUTE},
                  {"second", EX_PART_SECOND},
                  {"millisecond", EX_PART_MILLISECOND},
                  {"microsecond", EX_PART_MICROSECOND},
                  {"decade", EX_PART_DECADE},
                  {"century", EX_PART_CENTURY},
                  {"millennium", EX_PART_MILLENNIUM},
                  {"dayofweek", EX_PART_DOW},
                  {"weekday", EX_PART_DOW},
                  {"isodow", EX_PART_ISODOW},
                  {"dayofyear", EX_PART_DOY},
                  {"isoyear", EX_PART_ISOYEAR},
                  {"yearweek", EX_PART_YEARWEEK},
                  {"era", EX_PART_ERA},
                  {"epoch", EX_PART_EPOCH},
                  {"julian", EX_PART_JULIAN}};
  static const struct {
    const char *name;
    ex_part part;
  } interval_fns[] = {{"to_microseconds", EX_PART_MICROSECOND},
                      {"to_milliseconds", EX_PART_MILLISECOND},
                      {"to_seconds", EX_PART_SECOND},
                      {"to_minutes", EX_PART_MINUTE},
                      {"to_hours", EX_PART_HOUR},
                      {"to_days", EX_PART_DAY},
                      {"to_weeks", EX_PART_WEEK},
                      {"to_months", EX_PART_MONTH},
                      {"to_quarters", EX_PART_QUARTER},
                      {"to_years", EX_PART_YEAR},
                      {"to_decades", EX_PART_DECADE},
                      {"to_centuries", EX_PART_CENTURY},
                      {"to_millennia", EX_PART_MILLENNIUM}};
  const char *name = e->func.name.lower;
  int n = e->func.nargs;
  *out = NULL;
  sbd_status st = SBD_OK;
  ex_part part = (ex_part)0;
  int min = 1, max = 1;
  enum {
    K_PART,
    K_TRUNC,
    K_TO_IV,
    K_NOW,
    K_TODAY,
    K_AGE,
    K_MAKE_DATE,
    K_STRFTIME,
    K_STRPTIME,
    K_EPOCH_MS,
    K_TO_TS,
    K_REGEX
  } kind;
  bool try_ = false;
  ex_fn regex_fn = (ex_fn)0;
  for (size_t i = 0; i < sizeof(part_fns) / sizeof(part_fns[0]) && !part; i++)
    if (strcmp(name, part_fns[i].name) == 0)
      part = part_fns[i].part;
  if (part) {
    kind = K_PART;
  } else if (strcmp(name, "date_part") == 0 || strcmp(name, "datepart") == 0) {
    kind = K_PART;
    min = max = 2;
  } else if (strcmp(name, "date_trunc") == 0 || strcmp(name, "datetrunc") == 0) {
    kind = K_TRUNC;
    min = max = 2;
  } else if (strcmp(name, "now") == 0 || strcmp(name, "current_timestamp") == 0 ||
             strcmp(name, "get_current_timestamp") == 0 ||
             strcmp(name, "transaction_timestamp") == 0) {
    kind = K_NOW;
    min = max = 0;
  } else if (strcmp(name, "current_date") == 0 || strcmp(name, "today") == 0) {
    kind = K_TODAY;
    min = max = 0;
  } else if (strcmp(name, "age") == 0) {
    kind = K_AGE;
    max = 2;
  } else if (strcmp(name, "make_date") == 0) {
    kind = K_MAKE_DATE;
    min = max = 3;
  } else if (strcmp(name, "strftime") == 0) {
    kind = K_STRFTIME;
    min = max = 2;
  } else if (strcmp(name, "strptime") == 0 || strcmp(name, "try_strptime") == 0) {
    kind = K_STRPTIME;
    try_ = name[0] == 't';
    min = max = 2;
  } else if (strcmp(name, "epoch_ms") == 0) {
    kind = K_EPOCH_MS;
  } else if (strcmp(name, "to_timestamp") == 0) {
    kind = K_TO_TS;
  } else if (strcmp(name, "regexp_matches") == 0 || strcmp(name, "regexp_full_match") == 0) {
    kind = K_REGEX;
    regex_fn = name[7] == 'm' ? EX_FN_REGEXP_MATCHES : EX_FN_REGEXP_FULL_MATCH;
    min = 2;
    max = 3;
  } else if (strcmp(name, "regexp_replace") == 0) {
    kind = K_REGEX;
    regex_fn = EX_FN_REGEXP_REPLACE;
    min = 3;
    max = 4;
  } else if (strcmp(name, "regexp_extract") == 0) {
    kind = K_REGEX;
    regex_fn = EX_FN_REGEXP_EXTRACT;
    min = 2;
    max = 3;
  } else {
    for (size_t i = 0; i < sizeof(interval_fns) / sizeof(interval_fns[0]) && !part; i++)
      if (strcmp(name, interval_fns[i].name) == 0)
        part = interval_fns[i].part;
    if (!part)
      return SBD_OK; /* not one of these */
    kind = K_TO_IV;
  }
  if (n < min || n > max)
    return sql_error_at(b->ctx, b->sql, e->off, "%s() takes %s%d argument%s, not %d",
                        e->func.name.name, max > min ? "at least " : "", min, min == 1 ? "" : "s",
                        n);
  if (kind == K_NOW || kind == K_TODAY) {
    ex_expr *c = node(b, EX_CONST, kind == K_NOW ? SBD_TIMESTAMP : SBD_DATE, 0, text);
    if (!c)
      return oom(b);
    c->value.type = c->type;
    if (kind == K_NOW)
      c->value.i = query_now(b);
    else
      c->value.date = (int32_t)floor_days(query_now(b));
    *out = c;
    return SBD_OK;
  }
  if (kind == K_PART || kind == K_TRUNC) {
    if (n == 2)
      RETURN_IF_ERROR(part_arg(b, e, e->func.args[0], &part));
    ex_expr *x;
    RETURN_IF_ERROR(bind_expr_iv(b, m, e->func.args[n - 1], &x));
    if (x->type == TYPE_NULL || (x->kind == EX_CONST && x->type == SBD_STRING))
      coerce(b, &x, SBD_TIMESTAMP, &st);
    RETURN_IF_ERROR(st);
    bool ok = x->type == SBD_DATE || x->type == SBD_TIMESTAMP ||
              (kind == K_PART && x->type == EX_INTERVAL);
    if (!ok)
      return sql_error_at(b->ctx, b->sql, e->off, "%s() needs a DATE or TIMESTAMP%s, not %s: %s",
                          e->func.name.name, kind == K_PART ? " or INTERVAL" : "",
                          type_name(x->type), text);
    if (kind == K_TRUNC) {
      if (part == EX_PART_DOW || part == EX_PART_ISODOW || part == EX_PART_DOY ||
          part == EX_PART_YEARWEEK || part == EX_PART_ERA || part == EX_PART_EPOCH ||
          part == EX_PART_JULIAN)
        return sql_error_at(b->ctx, b->sql, e->func.args[0]->off,
                            "date_trunc() cannot truncate to '%s'", e->func.args[0]->lit.str);
      RETURN_IF_ERROR(time_node(b, EX_FN_DATE_TRUNC, SBD_TIMESTAMP, text, out, 1, x));
    } else {
      if (x->type == EX_INTERVAL &&
          (part == EX_PART_WEEK || part == EX_PART_DOW || part == EX_PART_ISODOW ||
           part == EX_PART_DOY || part == EX_PART_ISOYEAR || part == EX_PART_YEARWEEK ||
           part == EX_PART_ERA || part == EX_PART_JULIAN))
        return unsupported(b, e->off, "%s of an INTERVAL (%s)", e->func.name.name, text);
      bool dbl = part == EX_PART_EPOCH || part == EX_PART_JULIAN;
      RETURN_IF_ERROR(time_node(b, EX_FN_DATE_PART, dbl ? SBD_DOUBLE : SBD_INT64, text, out, 1, x));
    }
    (*out)->part = part;
    return SBD_OK;
  }
  ex_expr *args[4] = {0};
  for (int i = 0; i < n; i++)
    RETURN_IF_ERROR(bind_expr(b, m, e->func.args[i], &args[i]));
  switch (kind) {
  case K_TO_IV:
    RETURN_IF_ERROR(need_integer(b, &args[0], e, text));
    RETURN_IF_ERROR(time_node(b, EX_FN_TO_INTERVAL, EX_INTERVAL, text, out, 1, args[0]));
    (*out)->part = part;
    return SBD_OK;
  case K_AGE:
    if (n == 1) { /* from today's midnight, as DuckDB */
      args[1] = args[0];
      args[0] = node(b, EX_CONST, SBD_TIMESTAMP, 0, "current_date");
      if (!args[0])
        return oom(b);
      args[0]->value.type = SBD_TIMESTAMP;
      args[0]->value.i = floor_days(query_now(b)) * 86400000000LL;
    }
    for (int i = 0; i < 2; i++)
      if (!as_timestamp(b, &args[i], &st)) {
        RETURN_IF_ERROR(st);
        return sql_error_at(b->ctx, b->sql, e->off, "age() needs a TIMESTAMP or DATE, not %s: %s",
                            type_name(args[i]->type), text);
      }
    return time_node(b, EX_FN_AGE, EX_INTERVAL, text, out, 2, args[0], args[1]);
  case K_MAKE_DATE:
    for (int i = 0; i < 3; i++)
      RETURN_IF_ERROR(need_integer(b, &args[i], e, text));
    return time_node(b, EX_FN_MAKE_DATE, SBD_DATE, text, out, 3, args[0], args[1], args[2]);
  case K_STRFTIME:
  case K_STRPTIME: {
    /* strftime also takes (format, value), as DuckDB does. */
    if (kind == K_STRFTIME && args[0]->type == SBD_STRING &&
        (args[1]->type == SBD_DATE || args[1]->type == SBD_TIMESTAMP)) {
      ex_expr *t = args[0];
      args[0] = args[1];
      args[1] = t;
    }
    if (kind == K_STRFTIME ? !as_timestamp(b, &args[0], &st)
                           : !coerce(b, &args[0], SBD_STRING, &st)) {
      RETURN_IF_ERROR(st);
      return sql_error_at(b->ctx, b->sql, e->off, "%s() needs a %s, not %s: %s", e->func.name.name,
                          kind == K_STRFTIME ? "DATE or TIMESTAMP" : "STRING",
                          type_name(args[0]->type), text);
    }
    if (!coerce(b, &args[1], SBD_STRING, &st)) {
      RETURN_IF_ERROR(st);
      return sql_error_at(b->ctx, b->sql, e->off, "%s() needs a STRING format, not %s: %s",
                          e->func.name.name, type_name(args[1]->type), text);
    }
    RETURN_IF_ERROR(time_node(b, kind == K_STRFTIME ? EX_FN_STRFTIME : EX_FN_STRPTIME,
                              kind == K_STRFTIME ? SBD_STRING : SBD_TIMESTAMP, text, out, 2,
                              args[0], args[1]));
    (*out)->try_cast = try_;
    return SBD_OK;
  }
  case K_EPOCH_MS:
    if (args[0]->type == SBD_INT64 || args[0]->type == TYPE_NULL) {
      coerce(b, &args[0], SBD_INT64, &st);
      return time_node(b, EX_FN_MS_TO_TS, SBD_TIMESTAMP, text, out, 1, args[0]);
    }
    if (!as_timestamp(b, &args[0], &st)) {
      RETURN_IF_ERROR(st);
      return sql_error_at(b->ctx, b->sql, e->off,
                          "epoch_ms() needs a TIMESTAMP or an INTEGER, not %s: %s",
                          type_name(args[0]->type), text);
    }
    return time_node(b, EX_FN_EPOCH_MS, SBD_INT64, text, out, 1, args[0]);
  case K_TO_TS:
    RETURN_IF_ERROR(need_number(b, &args[0], true, e, text));
    return time_node(b, EX_FN_SEC_TO_TS, SBD_TIMESTAMP, text, out, 1, args[0]);
  default: /* K_REGEX */
    break;
  }
  bool has_group = regex_fn == EX_FN_REGEXP_EXTRACT;
  int nstr = regex_fn == EX_FN_REGEXP_REPLACE ? 3 : 2;
  for (int i = 0; i < nstr; i++)
    if (!coerce(b, &args[i], SBD_STRING, &st)) {
      RETURN_IF_ERROR(st);
      return sql_error_at(b->ctx, b->sql, e->func.args[i]->off, "%s() needs a STRING, not %s: %s",
                          e->func.name.name, type_name(args[i]->type), text);
    }
  if (has_group && n == 3) {
    RETURN_IF_ERROR(need_integer(b, &args[2], e, text));
    if (args[2]->kind != EX_CONST)
      return unsupported(b, e->func.args[2]->off,
                         "regexp_extract() with a group that is not a "
                         "constant");
  }
  uint32_t flags = 0;
  bool global = false;
  if (!has_group && n == max) {
    const sql_expr *o = e->func.args[n - 1];
    if (o->kind != SQL_EXPR_LITERAL || o->lit.kind != SQL_LIT_STRING)
      return unsupported(b, o->off, "%s() with options that are not a string literal",
                         e->func.name.name);
    char bad = 0;
    if (!ex_regex_options(o->lit.str, o->lit.len, regex_fn == EX_FN_REGEXP_REPLACE, &flags, &global,
                          &bad))
      return sql_error_at(b->ctx, b->sql, o->off,
                          bad == 'g' ? "%s(): option 'g' (every match) is only for regexp_replace"
                                     : "%s(): unknown regular expression option '%c' (i, c, s, "
                                       "m, n, p, l, g)",
                          e->func.name.name, bad);
    n--; /* the options are not an argument of the kernel */
  }
  ex_expr *c = node(b, EX_FUNC,
                    regex_fn == EX_FN_REGEXP_REPLACE || has_group ? SBD_STRING : SBD_BOOL, n, text);
  if (!c)
    return oom(b);
  c->fn = regex_fn;
  for (int i = 0; i < n; i++)
    c->args[i] = args[i];
  c->regex_flags = flags;
  c->regex_global = global;
  if (args[1]->kind == EX_CONST && !args[1]->value.is_null) {
    c->regex = ex_regex_compile(b->q, args[1]->value.str, args[1]->value.len, flags, text);
    if (!c->regex)
      return SBD_EINPUT;
  }
  *out = c;
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

/* ---- window functions -------------------------------------------------------------------------*/

/* The window function calls of one SELECT: computed by one window operator between the
 * aggregation (or the WHERE filter) and the select list's projection, whose output is its
 * child's columns and then one column per call. A call is bound where it is written (the select
 * list or ORDER BY) as a column node whose number is fixed once the child's width is known. */
typedef struct win_state {
  ex_window_fn *fns;
  const char **names;     /* the output column of each call */
  const char **texts;     /* canonical text of each call: equal calls are computed once */
  const char **spec_keys; /* canonical PARTITION BY and ORDER BY: equal ones share a sort */
  int n, cap;
  ex_expr **refs; /* column nodes naming a call: col is the call's index until planned */
  int nrefs, cap_refs;
} win_state;

static const struct {
  const char *name;
  ex_win_kind kind;
  int min, max; /* arguments */
} win_fns[] = {{"row_number", EX_WIN_ROW_NUMBER, 0, 0},
               {"rank", EX_WIN_RANK, 0, 0},
               {"dense_rank", EX_WIN_DENSE_RANK, 0, 0},
               {"percent_rank", EX_WIN_PERCENT_RANK, 0, 0},
               {"cume_dist", EX_WIN_CUME_DIST, 0, 0},
               {"ntile", EX_WIN_NTILE, 1, 1},
               {"lag", EX_WIN_LAG, 1, 3},
               {"lead", EX_WIN_LEAD, 1, 3},
               {"first_value", EX_WIN_FIRST_VALUE, 1, 1},
               {"last_value", EX_WIN_LAST_VALUE, 1, 1},
               {"nth_value", EX_WIN_NTH_VALUE, 2, 2},
               {"count", EX_WIN_COUNT, 0, 1},
               {"sum", EX_WIN_SUM, 1, 1},
               {"avg", EX_WIN_AVG, 1, 1},
               {"mean", EX_WIN_AVG, 1, 1},
               {"min", EX_WIN_MIN, 1, 1},
               {"max", EX_WIN_MAX, 1, 1}};

/* Binds an expression inside a window call (arguments, PARTITION BY, ORDER BY), where another
 * window call is an error. */
static sbd_status bind_in_window(binder *b, bind_mode *m, const sql_expr *e, ex_expr **out) {
  const char *clause = m->clause;
  m->clause = "a window function";
  sbd_status st = bind_expr(b, m, e, out);
  m->clause = clause;
  if (st == SBD_OK && (*out)->type == TYPE_NULL) {
    sbd_status s2;
    coerce(b, out, SBD_INT64, &s2);
  }
  return st;
}

/* Brings a window call's argument to type t: the implicit casts, or an explicit CAST where
 * DuckDB casts (a DOUBLE offset is rounded; lag's default takes the value's type). */
static sbd_status win_arg_to(binder *b, ex_expr **arg, sbd_type t, const sql_expr *e,
                             const char *text) {
  sbd_status st;
  if (coerce(b, arg, t, &st))
    return SBD_OK;
  RETURN_IF_ERROR(st);
  if (!castable((*arg)->type, t) || (*arg)->type == SBD_STRING)
    return sql_error_at(b->ctx, b->sql, e->off, "%s() needs %s, not %s: %s", e->func.name.name,
                        t == SBD_INT64 ? "an integer" : type_name(t), type_name((*arg)->type),
                        text);
  /* DuckDB reads 2.5 as a DECIMAL, whose cast to an integer rounds half away from zero. */
  if (t == SBD_INT64 && (*arg)->kind == EX_CONST && (*arg)->type == SBD_DOUBLE)
    (*arg)->value.d = round((*arg)->value.d);
  ex_expr *c = node(b, EX_CAST, t, 1, (*arg)->text);
  if (!c)
    return oom(b);
  c->args[0] = *arg;
  *arg = c;
  return SBD_OK;
}

/* A frame bound's offset: a constant number of rows (DuckDB rounds a DOUBLE). */
static sbd_status win_offset(binder *b, bind_mode *m, const sql_frame_bound *fb,
                             ex_bound_kind *kind, int64_t *offset) {
  static const ex_bound_kind kinds[] = {0,
                                        EX_BOUND_UNBOUNDED_PRECEDING,
                                        EX_BOUND_PRECEDING,
                                        EX_BOUND_CURRENT_ROW,
                                        EX_BOUND_FOLLOWING,
                                        EX_BOUND_UNBOUNDED_FOLLOWING};
  *kind = kinds[fb->kind];
  *offset = 0;
  if (!fb->offset)
    return SBD_OK;
  ex_expr *x;
  RETURN_IF_ERROR(bind_in_window(b, m, fb->offset, &x));
  if (x->kind == EX_CONST && !x->value.is_null && x->type == SBD_INT64) {
    *offset = x->value.i;
  } else if (x->kind == EX_CONST && !x->value.is_null && x->type == SBD_DOUBLE &&
             fabs(x->value.d) < 9e18) {
    *offset = (int64_t)round(x->value.d);
  } else {
    return unsupported(b, fb->offset->off, "a frame offset that is not a constant number");
  }
  /* Farther than any partition reaches: the same as UNBOUNDED, and safe from overflow. */
  const int64_t far = INT64_C(1) << 60;
  *offset = *offset > far ? far : *offset < -far ? -far : *offset;
  return SBD_OK;
}

static sbd_status win_ref(binder *b, win_state *ws, int k, const char *text, ex_expr **out) {
  ex_expr *c = node(b, EX_COLUMN, ws->fns[k].type, 0, text);
  if (!c)
    return oom(b);
  c->col = k;
  if (ws->nrefs == ws->cap_refs) {
    int cap = ws->cap_refs ? ws->cap_refs * 2 : 8;
    ex_expr **v = alloc(b, sizeof(ex_expr *) * (size_t)cap);
    if (!v)
      return oom(b);
    if (ws->nrefs)
      memcpy(v, ws->refs, sizeof(ex_expr *) * (size_t)ws->nrefs);
    ws->refs = v;
    ws->cap_refs = cap;
  }
  ws->refs[ws->nrefs++] = c;
  *out = c;
  return SBD_OK;
}

/* f(...) OVER (...): registers the call (or finds an equal one) and returns its column. */
static sbd_status bind_window(binder *b, bind_mode *m, const sql_expr *e, ex_expr **out) {
  const sql_window *wd = e->func.over;
  win_state *ws = m->win;
  const char *clause = m->clause ? m->clause : "this clause";
  if (strcmp(clause, "the argument of an aggregate") == 0)
    return sql_error_at(b->ctx, b->sql, e->off,
                        "aggregate function calls cannot contain window function calls");
  if (strcmp(clause, "a window function") == 0)
    return sql_error_at(b->ctx, b->sql, e->off, "window function calls cannot be nested");
  if (!ws || (strcmp(clause, "the select list") != 0 && strcmp(clause, "ORDER BY") != 0 &&
              strcmp(clause, "QUALIFY") != 0))
    return sql_error_at(b->ctx, b->sql, e->off, "window functions are not allowed in %s", clause);
  const char *text = dup_range(b, e->off, e->end), *canon = canonical(b, e);
  if (!text || !canon)
    return oom(b);
  for (int k = 0; k < ws->n; k++)
    if (strcmp(ws->texts[k], canon) == 0)
      return win_ref(b, ws, k, text, out);
  int kind = -1;
  for (size_t i = 0; i < sizeof(win_fns) / sizeof(win_fns[0]); i++)
    if (strcmp(e->func.name.lower, win_fns[i].name) == 0)
      kind = (int)i;
  if (kind < 0)
    return unsupported(b, e->off, "the window function %s()", e->func.name.name);
  if (e->func.distinct)
    return unsupported(b, e->off, "%s(DISTINCT ...) OVER (...)", e->func.name.name);
  if (e->func.filter)
    return unsupported(b, e->func.filter->off, "FILTER (WHERE ...) in a window function");
  if (e->func.norder_by)
    return unsupported(b, e->off, "ORDER BY inside the arguments of a window function");
  int n = e->func.nargs;
  if (e->func.star && win_fns[kind].kind != EX_WIN_COUNT)
    return sql_error_at(b->ctx, b->sql, e->off, "%s(*) is not a function", e->func.name.name);
  if (n > 0 && win_fns[kind].max == 0)
    return sql_error_at(b->ctx, b->sql, e->off, "%s() takes no arguments, not %d",
                        e->func.name.name, n);
  if (n < win_fns[kind].min || n > win_fns[kind].max) {
    int lim = n < win_fns[kind].min ? win_fns[kind].min : win_fns[kind].max;
    const char *how = win_fns[kind].min == win_fns[kind].max ? ""
                      : n < win_fns[kind].min                ? "at least "
                                                             : "at most ";
    return sql_error_at(b->ctx, b->sql, e->off, "%s() takes %s%d argument%s, not %d",
                        e->func.name.name, how, lim, lim == 1 ? "" : "s", n);
  }
  ex_window_fn f = {0};
  f.kind = win_fns[kind].kind;
  f.text = text;
  f.nargs = n;
  if (f.kind == EX_WIN_COUNT && n == 0)
    f.kind = EX_WIN_COUNT_STAR;
  for (int i = 0; i < n; i++) {
    ex_expr *x;
    RETURN_IF_ERROR(bind_in_window(b, m, e->func.args[i], &x));
    f.args[i] = x;
  }
  ex_expr **args = (ex_expr **)f.args;
  sbd_type at = n ? args[0]->type : SBD_INT64;
  switch (f.kind) {
  case EX_WIN_PERCENT_RANK:
  case EX_WIN_CUME_DIST:
    f.type = SBD_DOUBLE;
    break;
  case EX_WIN_NTILE:
    RETURN_IF_ERROR(win_arg_to(b, &args[0], SBD_INT64, e, text));
    f.type = SBD_INT64;
    break;
  case EX_WIN_LAG:
  case EX_WIN_LEAD:
  case EX_WIN_NTH_VALUE:
    if (n > 1)
      RETURN_IF_ERROR(win_arg_to(b, &args[1], SBD_INT64, e, text));
    if (n > 2)
      RETURN_IF_ERROR(win_arg_to(b, &args[2], at, e, text));
    f.type = at;
    break;
  case EX_WIN_FIRST_VALUE:
  case EX_WIN_LAST_VALUE:
  case EX_WIN_MIN:
  case EX_WIN_MAX:
    f.type = at;
    break;
  case EX_WIN_SUM:
  case EX_WIN_AVG:
    if (at != SBD_INT64 && at != SBD_DOUBLE)
      return sql_error_at(b->ctx, b->sql, e->off, "%s needs a number, not %s: %s",
                          e->func.name.name, type_name(at), text);
    f.type = f.kind == EX_WIN_SUM ? at : SBD_DOUBLE;
    break;
  default: /* row_number, rank, dense_rank, count */
    f.type = SBD_INT64;
    break;
  }

  /* PARTITION BY and ORDER BY, and the key that says which calls can share a sort. */
  sql_buf key;
  sql_buf_init(&key);
  ex_expr **part = alloc(b, sizeof(ex_expr *) * (size_t)(wd->npartition_by + 1));
  ex_expr **order = alloc(b, sizeof(ex_expr *) * (size_t)(wd->norder_by + 1));
  ex_sort_key *flags = alloc(b, sizeof(ex_sort_key) * (size_t)(wd->norder_by + 1));
  sbd_status st = part && order && flags ? SBD_OK : oom(b);
  for (int i = 0; i < wd->npartition_by && st == SBD_OK; i++) {
    st = bind_in_window(b, m, wd->partition_by[i], &part[i]);
    sql_print_expr(wd->partition_by[i], &key);
    sql_buf_puts(&key, ", ");
  }
  sql_buf_puts(&key, "ORDER BY ");
  for (int i = 0; i < wd->norder_by && st == SBD_OK; i++) {
    const sql_order_item *o = &wd->order_by[i];
    st = bind_in_window(b, m, o->expr, &order[i]);
    flags[i].desc = o->desc;
    flags[i].nulls_first = o->nulls == SQL_NULLS_FIRST;
    sql_print_expr(o->expr, &key);
    sql_buf_puts(&key, o->desc ? " DESC" : " ASC");
    sql_buf_puts(&key, flags[i].nulls_first ? " NULLS FIRST, " : " NULLS LAST, ");
  }
  const char *spec_key =
      st == SBD_OK && !key.failed ? arena_strndup(b->a, key.data, key.len) : NULL;
  sql_buf_free(&key);
  RETURN_IF_ERROR(st);
  if (!spec_key)
    return oom(b);
  f.partition = (const ex_expr *const *)part;
  f.npartition = wd->npartition_by;
  f.order = (const ex_expr *const *)order;
  f.order_keys = flags;
  f.norder = wd->norder_by;

  /* The frame. Without one, RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW. */
  f.unit = EX_FRAME_RANGE;
  f.start = EX_BOUND_UNBOUNDED_PRECEDING;
  f.end = EX_BOUND_CURRENT_ROW;
  if (wd->frame == SQL_FRAME_GROUPS)
    return unsupported(b, wd->off, "GROUPS frames (use ROWS)");
  if (wd->frame == SQL_FRAME_RANGE && (wd->start.offset || wd->end.offset))
    return unsupported(b, wd->off, "RANGE frames with an offset (use ROWS)");
  if (wd->frame != SQL_FRAME_NONE) {
    f.unit = wd->frame == SQL_FRAME_ROWS ? EX_FRAME_ROWS : EX_FRAME_RANGE;
    RETURN_IF_ERROR(win_offset(b, m, &wd->start, &f.start, &f.start_offset));
    RETURN_IF_ERROR(win_offset(b, m, &wd->end, &f.end, &f.end_offset));
  }

  if (ws->n == ws->cap) {
    int cap = ws->cap ? ws->cap * 2 : 8;
    ex_window_fn *v = alloc(b, sizeof(ex_window_fn) * (size_t)cap);
    const char **nm = alloc(b, sizeof(char *) * (size_t)cap);
    const char **tx = alloc(b, sizeof(char *) * (size_t)cap);
    const char **sk = alloc(b, sizeof(char *) * (size_t)cap);
    if (!v || !nm || !tx || !sk)
      return oom(b);
    if (ws->n) {
      memcpy(v, ws->fns, sizeof(ex_window_fn) * (size_t)ws->n);
      memcpy(nm, ws->names, sizeof(char *) * (size_t)ws->n);
      memcpy(tx, ws->texts, sizeof(char *) * (size_t)ws->n);
      memcpy(sk, ws->spec_keys, sizeof(char *) * (size_t)ws->n);
    }
    ws->fns = v;
    ws->names = nm;
    ws->texts = tx;
    ws->spec_keys = sk;
    ws->cap = cap;
  }
  int k = ws->n++;
  f.spec = k;
  for (int j = 0; j < k && f.spec == k; j++)
    if (strcmp(ws->spec_keys[j], spec_key) == 0)
      f.spec = ws->fns[j].spec;
  ws->fns[k] = f;
  ws->names[k] = text;
  ws->texts[k] = canon;
  ws->spec_keys[k] = spec_key;
  return win_ref(b, ws, k, text, out);
}

/* The window operator over op, its call columns numbered after op's columns. Takes op. */
static sbd_status plan_windows(binder *b, win_state *ws, ex_op *op, ex_op **out) {
  int nin = op->schema->ncols;
  for (int i = 0; i < ws->nrefs; i++)
    ws->refs[i]->col += nin;
  return ex_window_new(b->q, op, ws->fns, ws->n, ws->names, out);
}

/* A call of a function sbd does not know. A name close to one it knows (fns, the scalar
 * functions of bind_func, and the others below) is a misspelling: "unknown function 'lenght'
 * (did you mean 'length'?)"; any other (and the DuckDB functions sbd lacks that are close to one
 * it has, such as left and lead) is one sbd does not run yet. */
static sbd_status unknown_function(binder *b, const sql_expr *e, const char **fns, int nfns) {
  static const char *const others[] = {"nullif",
                                       "age",
                                       "current_date",
                                       "current_timestamp",
                                       "date_part",
                                       "date_trunc",
                                       "datepart",
                                       "datetrunc",
                                       "epoch_ms",
                                       "get_current_timestamp",
                                       "make_date",
                                       "now",
                                       "regexp_extract",
                                       "regexp_full_match",
                                       "regexp_matches",
                                       "regexp_replace",
                                       "strftime",
                                       "strptime",
                                       "to_timestamp",
                                       "today",
                                       "transaction_timestamp",
                                       "try_strptime",
                                       "year",
                                       "quarter",
                                       "month",
                                       "week",
                                       "weekofyear",
                                       "day",
                                       "dayofmonth",
                                       "hour",
                                       "minute",
                                       "second",
                                       "millisecond",
                                       "microsecond",
                                       "decade",
                                       "century",
                                       "millennium",
                                       "dayofweek",
                                       "weekday",
                                       "isodow",
                                       "dayofyear",
                                       "isoyear",
                                       "yearweek",
                                       "era",
                                       "epoch",
                                       "julian",
                                       "to_microseconds",
                                       "to_milliseconds",
                                       "to_seconds",
                                       "to_minutes",
                                       "to_hours",
                                       "to_days",
                                       "to_weeks",
                                       "to_months",
                                       "to_quarters",
                                       "to_years",
                                       "to_decades",
                                       "to_centuries",
                                       "to_millennia"};
  static const char *const not_yet[] = {
      "left",  "right", "lpad", "rpad", "repeat", "reverse", "instr",   "strpos",    "position",
      "ascii", "chr",   "hash", "md5",  "mode",   "list",    "initcap", "split_part"};
  const char *name = e->func.name.lower;
  int nagg = (int)(sizeof(agg_names) / sizeof(agg_names[0]));
  int nwin = (int)(sizeof(win_fns) / sizeof(win_fns[0]));
  int nothers = (int)(sizeof(others) / sizeof(others[0]));
  const char **all = alloc(b, sizeof(char *) * (size_t)(nfns + nagg + nwin + nothers));
  if (!all)
    return oom(b);
  int n = 0;
  for (int i = 0; i < nfns; i++)
    all[n++] = fns[i];
  for (int i = 0; i < nagg; i++)
    all[n++] = agg_names[i].name;
  for (int i = 0; i < nwin; i++)
    all[n++] = win_fns[i].name;
  for (int i = 0; i < nothers; i++)
    all[n++] = others[i];
  bool lacking = false;
  for (size_t i = 0; i < sizeof(not_yet) / sizeof(not_yet[0]); i++)
    lacking |= strcmp(name, not_yet[i]) == 0;
  const char *near = lacking ? NULL : sbd_closest(name, all, n);
  if (near)
    return sql_error_at(b->ctx, b->sql, e->off, "unknown function '%s' (did you mean '%s'?)",
                        e->func.name.name, near);
  return unsupported(b, e->off, "the function %s()", e->func.name.name);
}

static sbd_status bind_func(binder *b, bind_mode *m, const sql_expr *e, ex_expr **out) {
  const char *name = e->func.name.lower;
  if (e->func.over)
    return bind_window(b, m, e, out);
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
  if (k < 0) {
    RETURN_IF_ERROR(bind_time_func(b, m, e, text, out));
    if (*out)
      return SBD_OK;
  }
  if (k < 0) {
    const char **names = alloc(b, sizeof(char *) * (sizeof(fns) / sizeof(fns[0])));
    if (!names)
      return oom(b);
    for (size_t i = 0; i < sizeof(fns) / sizeof(fns[0]); i++)
      names[i] = fns[i].name;
    return unknown_function(b, e, names, (int)(sizeof(fns) / sizeof(fns[0])));
  }
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
  if (p->kind != SQL_EXPR_LITERAL || p->lit.kind != SQL_LIT_STRING) {
    /* A pattern per row: matched as it comes, by the same rules. */
    ex_expr *pat;
    RETURN_IF_ERROR(bind_expr(b, m, p, &pat));
    if (!coerce(b, &pat, SBD_STRING, &st))
      return sql_error_at(b->ctx, b->sql, p->off, "%s needs a STRING pattern, not %s: %s", op,
                          type_name(pat->type), text);
    ex_expr *d = node(b, EX_FUNC, SBD_BOOL, 2, text);
    if (!d)
      return oom(b);
    d->fn = EX_FN_LIKE_DYN;
    d->ilike = c->ilike;
    d->like_escape = -1;
    d->args[0] = c->args[0];
    d->args[1] = pat;
    if (e->like.escape) {
      const sql_expr *x = e->like.escape;
      if (x->kind != SQL_EXPR_LITERAL || x->lit.kind != SQL_LIT_STRING || x->lit.len > 1)
        return sql_error_at(b->ctx, b->sql, x->off, "ESCAPE needs one character in quotes");
      d->like_escape = x->lit.len ? (unsigned char)x->lit.str[0] : -1;
    }
    *out = e->like.negated ? negate(b, d, text) : d;
    return *out ? SBD_OK : oom(b);
  }
  c->value.type = SBD_STRING;
  c->value.str = p->lit.str;
  c->value.len = p->lit.len;
  if (e->like.escape) {
    const sql_expr *x = e->like.escape;
    if (x->kind != SQL_EXPR_LITERAL || x->lit.kind != SQL_LIT_STRING || x->lit.len > 1)
      return sql_error_at(b->ctx, b->sql, x->off, "ESCAPE needs one character in quotes");
    c->like_escape = x->lit.len ? (unsigned char)x->lit.str[0] : -1;
  }
  *out = e->like.negated ? negate(b, c, text) : c;
  return *out ? SBD_OK : oom(b);
}

static sbd_status bind_expr_inner(binder *b, bind_mode *m, const sql_expr *e, ex_expr **out) {
  *out = NULL;
  if (m->post_agg && e->kind != SQL_EXPR_LITERAL) {
    const char *text = canonical(b, e);
    if (!text)
      return oom(b);
    /* A column also matches a key naming the same column otherwise (a.k and GROUP BY k). */
    int col = e->kind == SQL_EXPR_COLUMN && m->key_exprs ? scope_find(m->in, e) : -1;
    for (int k = 0; k < m->nkeys; k++)
      if (strcmp(m->key_texts[k], text) == 0 ||
          (col >= 0 && m->key_exprs[k]->kind == SQL_EXPR_COLUMN &&
           scope_find(m->in, m->key_exprs[k]) == col)) {
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
    RETURN_IF_ERROR(bind_expr_iv(b, m, e->unary.arg, &x));
    sbd_status st;
    if (x->type == EX_INTERVAL)
      return time_node(b, EX_FN_INTERVAL_NEG, EX_INTERVAL, text, out, 1, x);
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
    RETURN_IF_ERROR(bind_expr_iv(b, m, e->between.arg, &x));
    RETURN_IF_ERROR(bind_expr_iv(b, m, e->between.low, &lo));
    RETURN_IF_ERROR(bind_expr_iv(b, m, e->between.high, &hi));
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
    return bind_subquery(b, m, e, out);
  }
  return sbd_error(b->ctx, SBD_EINTERNAL, "SQL: internal error: expression kind %d", e->kind);
}

/* Binds one expression. An INTERVAL is a value inside expressions only (date arithmetic,
 * comparisons, date_part, CAST to VARCHAR): those parents bind their arguments with
 * bind_expr_iv; anywhere else (a result column, a GROUP BY key, an aggregate's argument, a CASE
 * branch) an INTERVAL is refused here, once, with a caret at it. */
/* ---- constant folding -------------------------------------------------------------------------
 * A bound expression is simplified as DuckDB's optimizer simplifies it before running, so that
 * the two raise the same errors: a part that names no column is evaluated once here and becomes
 * its value (when that fails, say a CAST out of range, it is left to fail where it runs, over
 * rows, as in DuckDB); arithmetic and comparisons with a NULL constant operand are NULL (the other
 * operand is not run); AND with a false operand is false, OR with a true one true. */

static bool names_a_column(const ex_expr *e);
static sbd_status value_of(binder *b, const sbd_vec *v, int64_t i, ex_value *out);

/* The value of e, which names no column, over one row; false (the message cleared) when it
 * cannot be computed. */
static bool eval_const(binder *b, const ex_expr *e, ex_value *out) {
  ex_op *one = NULL;
  sbd_batch *row = NULL;
  sbd_vec *v = NULL;
  bool ok = ex_one_row_new(b->q, &one) == SBD_OK && ex_op_next(one, &row) == SBD_OK && row &&
            ex_eval(b->q, e, row, &v) == SBD_OK && value_of(b, v, 0, out) == SBD_OK;
  vec_free(v);
  sbd_batch_free(row);
  ex_op_free(one);
  if (!ok)
    sbd_error(b->ctx, SBD_OK, "%s", "");
  return ok;
}

static ex_expr *const_of(binder *b, const ex_expr *e, const ex_value *v) {
  ex_expr *c = node(b, EX_CONST, e->type, 0, e->text);
  if (!c)
    return NULL;
  c->value = *v;
  c->value.type = e->type;
  return c;
}

/* CASE (args when0, then0, ..., else) without the branches whose condition is a constant false
 * or NULL, and ending at the first whose condition is a constant true (its THEN becomes the
 * ELSE); the ELSE alone when no branch is left; then folded whole when it names no column. */
static ex_expr *fold_case(binder *b, ex_expr *e) {
  int nw = (e->nargs - 1) / 2, nk = 0;
  ex_expr **args = alloc(b, sizeof(ex_expr *) * (size_t)e->nargs);
  if (!args)
    return NULL;
  ex_expr *otherwise = e->args[e->nargs - 1];
  for (int i = 0; i < nw; i++) {
    const ex_expr *w = e->args[2 * i];
    if (w->kind == EX_CONST && (w->value.is_null || !w->value.b))
      continue;
    if (w->kind == EX_CONST) {
      otherwise = e->args[2 * i + 1];
      break;
    }
    args[2 * nk] = e->args[2 * i];
    args[2 * nk + 1] = e->args[2 * i + 1];
    nk++;
  }
  if (nk == 0)
    return otherwise;
  ex_expr *c = e;
  if (nk < nw || otherwise != e->args[e->nargs - 1]) {
    if (!(c = node(b, EX_CASE, e->type, 2 * nk + 1, e->text)))
      return NULL;
    memcpy(c->args, args, sizeof(ex_expr *) * (size_t)(2 * nk));
    c->args[2 * nk] = otherwise;
  }
  ex_value v = {0};
  if (!names_a_column(c) && eval_const(b, c, &v))
    return const_of(b, c, &v);
  return c;
}

/* e folded (new nodes where it changes: a node may be shared, as BETWEEN's operand is). The
 * root of a whole expression stays as it is when it is a STRING, since a STRING constant would
 * read as a literal to the callers that coerce it; NULL when out of memory. */
static ex_expr *fold(binder *b, ex_expr *e, bool root) {
  if (e->kind == EX_CONST || e->kind == EX_COLUMN)
    return e;
  for (int i = 0; i < e->nargs; i++)
    if (!(e->args[i] = fold(b, e->args[i], false)))
      return NULL;
  bool simple = e->type == SBD_BOOL || e->type == SBD_INT64 || e->type == SBD_DOUBLE ||
                e->type == SBD_DATE || e->type == SBD_TIMESTAMP || (e->type == SBD_STRING && !root);
  if (!simple)
    return e;
  ex_value v = {0};
  bool strict = e->kind == EX_ARITH || e->kind == EX_NEG ||
                (e->kind == EX_CMP && e->op != EX_DISTINCT && e->op != EX_NOT_DISTINCT);
  for (int i = 0; i < e->nargs; i++) {
    const ex_expr *a = e->args[i];
    if (a->kind != EX_CONST)
      continue;
    if (strict && a->value.is_null) {
      v.is_null = true;
      return const_of(b, e, &v);
    }
    if ((e->kind == EX_AND || e->kind == EX_OR) && !a->value.is_null &&
        a->value.b == (e->kind == EX_OR)) {
      v.b = a->value.b;
      return const_of(b, e, &v);
    }
  }
  if (e->kind == EX_CASE)
    return fold_case(b, e);
  if (!names_a_column(e) && eval_const(b, e, &v))
    return const_of(b, e, &v);
  return e;
}

static sbd_status bind_expr(binder *b, bind_mode *m, const sql_expr *e, ex_expr **out) {
  bool interval_ok = b->interval_ok;
  b->interval_ok = false;
  b->expr_depth++;
  sbd_status st = bind_expr_inner(b, m, e, out);
  b->expr_depth--;
  RETURN_IF_ERROR(st);
  if (b->expr_depth == 0 && (*out)->type != EX_INTERVAL && !(*out = fold(b, *out, true)))
    return oom(b);
  if ((*out)->type == EX_INTERVAL && !interval_ok)
    return unsupported(b, e->off,
                       "an INTERVAL value here (%s): intervals may be used in date arithmetic, "
                       "comparisons, extract/date_part and CAST(... AS VARCHAR), not as a "
                       "result, key or argument elsewhere",
                       (*out)->text);
  return SBD_OK;
}

static sbd_status bind_expr_iv(binder *b, bind_mode *m, const sql_expr *e, ex_expr **out) {
  b->interval_ok = true;
  return bind_expr(b, m, e, out);
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
  bool projectable;     /* files: Parquet or CSV, which take the option columns */
  const ex_expr *where; /* files: the WHERE over them, pushed into the reader (prune.c) */
  ex_memtable *mem;     /* an in-memory table (reader is a scan of all its columns); borrowed */
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
  const char *paths[1] = {path};
  sbd_status st = sbd_reader_open(b->ctx, paths, 1, src->opts, &src->reader);
  if (st == SBD_OK) {
    /* From the reader, which knows the format of a folder's files too. */
    const char *fmt = io_reader_format(src->reader);
    src->parquet = fmt && strcasecmp(fmt, "parquet") == 0;
    src->projectable = src->parquet || (fmt && strcasecmp(fmt, "csv") == 0);
  }
  if (st != SBD_OK) {
    /* Say where in the SQL the table came from, keeping the reader's message. */
    char msg[SBD_ERRMSG_MAX];
    snprintf(msg, sizeof(msg), "%s", sbd_errmsg(b->ctx));
    err_at(b, st, f->off, "%s", msg);
  }
  return st;
}

static sbd_status bind_join(binder *b, const sql_from *f, source *src, scope *s);

/* A bare table name the caller named (sql_query_with_tables): opened as a file with the caller's
 * reader options. *found says whether the name is one of them. */
static sbd_status open_named_table(binder *b, const sql_from *f, source *src, bool *found) {
  *found = false;
  /* A table of the session (CREATE TABLE) before the caller's files of the same name. */
  ex_memtable *mem = ex_memtable_find(b->ctx, f->table.name.name);
  if (mem) {
    *found = true;
    src->mem = mem;
    return ex_memtable_reader(b->ctx, mem, NULL, -1, &src->reader);
  }
  const sql_table *t = NULL;
  for (int i = 0; i < b->q->ntables && !t; i++)
    if (strcasecmp(b->q->tables[i].name, f->table.name.name) == 0)
      t = &b->q->tables[i];
  if (!t)
    return SBD_OK;
  *found = true;
  src->path = sbd_strdup(b->ctx, t->path);
  src->opts = sbd_options_new();
  if (!src->path || !src->opts)
    return oom(b);
  for (int i = 0; t->opts && i < t->opts->n; i++)
    RETURN_IF_ERROR(sbd_options_set(src->opts, t->opts->keys[i], t->opts->values[i]));
  const char *fmt = io_format_of(src->opts, t->path);
  src->parquet = fmt && strcasecmp(fmt, "parquet") == 0;
  const char *paths[1] = {t->path};
  sbd_status st = sbd_reader_open(b->ctx, paths, 1, src->opts, &src->reader);
  if (st != SBD_OK) {
    char msg[SBD_ERRMSG_MAX];
    snprintf(msg, sizeof(msg), "%s", sbd_errmsg(b->ctx));
    err_at(b, st, f->off, "%s", msg);
  }
  return st;
}

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
    bool named = false;
    if (!cte)
      RETURN_IF_ERROR(open_named_table(b, f, src, &named));
    if (named) {
      name = f->table.name.name;
      if (!alias_lower)
        alias_lower = f->table.name.lower;
      schema = sbd_reader_schema(src->reader);
      break;
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
  if (src->mem) {
    /* An in-memory table hands out views of the kept columns alone, in order. */
    sbd_reader *r;
    RETURN_IF_ERROR(ex_memtable_reader(b->ctx, src->mem, keep, nkeep, &r));
    return ex_scan_new(b->q, r, NULL, -1, out);
  }
  const sbd_schema *rs = sbd_reader_schema(src->reader);
  bool comma = false;
  for (int i = 0; i < nkeep; i++)
    comma |= strchr(rs->fields[keep[i]].name, ',') != NULL;
  if (src->projectable && nkeep < s->n && !comma) {
    /* Parquet reads only the columns named, CSV converts only those: reopen with the
     * projection. */
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
    for (int i = 0; i < nkeep; i++)
      map[i] = i; /* the reader gives the kept columns, in order */
    st = src->where ? ex_prune_attach(b->q, r, src->where, map, nkeep) : SBD_OK;
    if (st != SBD_OK) {
      sbd_reader_close(r);
      return st;
    }
    return ex_scan_new(b->q, r, NULL, -1, out);
  }
  sbd_reader *r = src->reader;
  src->reader = NULL;
  /* Filter pushdown: row groups and partition files where WHERE cannot hold are not read. */
  sbd_status st = src->where ? ex_prune_attach(b->q, r, src->where, keep, nkeep) : SBD_OK;
  if (st != SBD_OK) {
    sbd_reader_close(r);
    return st;
  }
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
       collect_refs(b, sel->qualify, r) && collect_from_refs(b, sel->from, r);
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

/* Binds a WHERE conjunct (pushed) over scope s, for planning a join: *e is NULL when it does not
 * bind there (it names another table's columns, say), and that error's message is cleared, since
 * WHERE still holds the conjunct and reports it in its own place. Only running out of memory
 * fails. */
static sbd_status bind_pushed(binder *b, scope *s, const sql_expr *pushed, ex_expr **e) {
  ex_expr **cols = NULL;
  int ncols = 0, cap = 0;
  bind_mode m = {0};
  m.in = s;
  m.clause = "WHERE";
  m.input_cols = &cols;
  m.ninput_cols = &ncols;
  m.cap_input_cols = &cap;
  *e = NULL;
  sbd_status st = bind_expr(b, &m, pushed, e);
  if (st == SBD_ENOMEM)
    return st;
  if (st != SBD_OK) {
    *e = NULL;
    sbd_error(b->ctx, SBD_OK, "%s", "");
  }
  return SBD_OK;
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
    if (pushed[i]->kind != SQL_EXPR_BINARY || pushed[i]->binary.op != SQL_OP_EQ)
      continue;
    ex_expr *e;
    sbd_status st = bind_pushed(b, s, pushed[i], &e);
    if (st != SBD_OK) {
      s->n = n;
      return st;
    }
    if (!e || e->kind != EX_CMP || e->op != EX_EQ)
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

/* Whether a WHERE conjunct may filter one side of a join before the join: it holds no
 * subquery, aggregate or window call (which the SELECT places itself). */
static bool sql_pushable(const sql_expr *e) {
  if (!e)
    return true;
  switch (e->kind) {
  case SQL_EXPR_IN_QUERY:
  case SQL_EXPR_SUBQUERY:
  case SQL_EXPR_EXISTS:
  case SQL_EXPR_STAR:
    return false;
  case SQL_EXPR_FUNC:
    if (e->func.over || is_agg_name(e->func.name.lower))
      return false;
    for (int i = 0; i < e->func.nargs; i++)
      if (!sql_pushable(e->func.args[i]))
        return false;
    return true;
  case SQL_EXPR_UNARY:
    return sql_pushable(e->unary.arg);
  case SQL_EXPR_BINARY:
    return sql_pushable(e->binary.left) && sql_pushable(e->binary.right);
  case SQL_EXPR_AND:
  case SQL_EXPR_OR:
    for (int i = 0; i < e->logic.nargs; i++)
      if (!sql_pushable(e->logic.args[i]))
        return false;
    return true;
  case SQL_EXPR_IS_NULL:
    return sql_pushable(e->is_null.arg);
  case SQL_EXPR_IN_LIST:
    for (int i = 0; i < e->in_list.nlist; i++)
      if (!sql_pushable(e->in_list.list[i]))
        return false;
    return sql_pushable(e->in_list.arg);
  case SQL_EXPR_BETWEEN:
    return sql_pushable(e->between.arg) && sql_pushable(e->between.low) &&
           sql_pushable(e->between.high);
  case SQL_EXPR_LIKE:
    return sql_pushable(e->like.arg) && sql_pushable(e->like.pattern);
  case SQL_EXPR_CASE:
    for (int i = 0; i < e->case_when.nwhens; i++)
      if (!sql_pushable(e->case_when.whens[i].when) || !sql_pushable(e->case_when.whens[i].then))
        return false;
    return sql_pushable(e->case_when.operand) && sql_pushable(e->case_when.otherwise);
  case SQL_EXPR_CAST:
    return sql_pushable(e->cast.arg);
  default:
    return true;
  }
}

static bool names_a_column(const ex_expr *e) {
  if (e->kind == EX_COLUMN)
    return true;
  for (int i = 0; i < e->nargs; i++)
    if (names_a_column(e->args[i]))
      return true;
  return false;
}

/* Filters one side of a join (its plan *op, its columns side) by the WHERE conjuncts (pushed)
 * that name columns of that side only, before the join, as DuckDB plans them: the join hashes
 * and probes fewer rows, and a conjunct runs over every row of the side, also over rows the join
 * then drops (so an error it raises there is raised, as in DuckDB). The caller passes only the
 * conjuncts a side may take: none into a side that NULLs may extend. A conjunct that does not
 * bind over the side (it names the other side's columns) is left alone, and its message
 * cleared; WHERE itself still holds every conjunct, true again over the joined rows. */
static sbd_status filter_join_side(binder *b, scope *side, const sql_expr **pushed, int npushed,
                                   ex_op **op) {
  if (b->ninner_refs > 0)
    return SBD_OK; /* a correlated condition's names mean other columns here */
  for (int i = 0; i < npushed; i++) {
    if (b->pushed_done[i] || !sql_pushable(pushed[i]))
      continue;
    ex_expr *e;
    sbd_status st = bind_pushed(b, side, pushed[i], &e);
    if (st != SBD_OK)
      return st;
    if (!e || !names_a_column(e) || !coerce(b, &e, SBD_BOOL, &st))
      continue;
    RETURN_IF_ERROR(ex_filter_new(b->q, *op, e, op));
    b->pushed_done[i] = true;
  }
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
  /* WHERE's one-sided conjuncts filter the sides that NULLs do not extend (an ASOF join's right
   * side not at all: filtering it would change which row matches). */
  if (npushed > 0 && jt != SQL_JOIN_RIGHT && jt != SQL_JOIN_FULL)
    st = filter_join_side(b, &ls, pushed, npushed, &left);
  if (st == SBD_OK && npushed > 0 && !right_nulls)
    st = filter_join_side(b, &rs, pushed, npushed, &right);
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
  win_state win = {0};
  m.win = &win;
  m.in = &in;
  m.input_cols = &input_cols;
  m.ninput_cols = &ninput;
  m.cap_input_cols = &cap_input;
  ex_op *op = NULL;
  sbd_status st = SBD_OK;
  subq_state sq = {0}, *outer_sq = b->sub;
  b->sub = &sq;

#define CHECK(expr)                                                                                \
  do {                                                                                             \
    st = (expr);                                                                                   \
    if (st != SBD_OK)                                                                              \
      goto done;                                                                                   \
  } while (0)

  if (sel->from) {
    const sql_expr **pushed = b->pushed;
    int npushed = b->npushed;
    bool *pushed_done = b->pushed_done;
    const name_refs *refs = b->refs;
    b->pushed = NULL;
    b->npushed = 0;
    b->refs = NULL;
    if (prune && sel->from->kind == SQL_FROM_JOIN && !(b->refs = select_refs(b, q)))
      CHECK(oom(b));
    if (sel->where && sel->from->kind == SQL_FROM_JOIN) {
      /* Every conjunct: equalities between the sides become hash keys (use_where_keys), the
       * one-sided ones filter a side (filter_join_side). */
      const sql_expr *w = sel->where;
      int n = w->kind == SQL_EXPR_AND ? w->logic.nargs : 1;
      b->pushed = alloc(b, sizeof(sql_expr *) * (size_t)n);
      b->pushed_done = alloc(b, sizeof(bool) * (size_t)n);
      if (!b->pushed || !b->pushed_done)
        CHECK(oom(b));
      for (int i = 0; i < n; i++) {
        const sql_expr *c = w->kind == SQL_EXPR_AND ? w->logic.args[i] : w;
        b->pushed_done[b->npushed] = false;
        if (!has_agg(c))
          b->pushed[b->npushed++] = c;
      }
    }
    st = bind_from(b, sel->from, &src, &in);
    b->pushed = pushed;
    b->npushed = npushed;
    b->pushed_done = pushed_done;
    b->refs = refs;
    CHECK(st);
  }
  sq.active = true;

  /* WHERE, over the input. */
  ex_expr *where = NULL;
  if (sel->where) {
    m.clause = "WHERE";
    CHECK(bind_expr(b, &m, sel->where, &where));
    CHECK(need_bool(b, &where, "the WHERE condition", sel->where->off));
  }

  bool agg = sel->ngroup_by > 0 || sel->having || sel->group_by_all || has_agg(sel->qualify);
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
    m.key_exprs = alloc(b, sizeof(sql_expr *) * (size_t)(nk + 1));
    if (!keys || !key_types || !m.key_texts || !m.key_exprs)
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
      m.key_exprs[k] = g;
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

  /* QUALIFY, over the window functions' output (and the select list's aliases). */
  ex_expr *qualify = NULL;
  if (sel->qualify) {
    m.clause = "QUALIFY";
    m.aliases = sel;
    CHECK(bind_post(b, &m, sel->qualify, &qualify));
    m.aliases = NULL;
    CHECK(need_bool(b, &qualify, "the QUALIFY condition", sel->qualify->off));
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

  /* The plan. A WHERE that is false or NULL whatever the row (a constant) reads nothing. */
  bool never = where && where->kind == EX_CONST && (where->value.is_null || !where->value.b);
  src.where = where;
  CHECK(make_leaf(b, &src, &in, input_cols, ninput, &op));
  CHECK(subq_apply(b, &sq, false, &op));
  if (never)
    CHECK(ex_limit_new(b->q, op, 0, 0, &op));
  if (where && !agg) {
    CHECK(ex_filter_new(b->q, op, where, &op));
    CHECK(ex_window_topk_plan(b->q, op, where)); /* WHERE rn <= k over a subquery's window */
  }
  if (agg) {
    const char **names = alloc(b, sizeof(char *) * (size_t)(m.nkeys + m.naggs + 1));
    if (!names)
      CHECK(oom(b));
    for (int k = 0; k < m.nkeys; k++)
      names[k] = key_names[k];
    for (int j = 0; j < m.naggs; j++)
      names[m.nkeys + j] = m.aggs[j].text;
    CHECK(ex_agg_new(b->q, op, keys, m.nkeys, m.aggs, m.naggs, names, &op));
    if (where) { /* evaluated by the aggregation's workers */
      ex_agg_set_filter(op, where);
      CHECK(ex_window_topk_plan(b->q, op, where));
    }
    CHECK(subq_apply(b, &sq, true, &op));
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
  if (win.n)
    CHECK(plan_windows(b, &win, op, &op));
  if (qualify) {
    CHECK(ex_filter_new(b->q, op, qualify, &op));
    CHECK(ex_window_topk_plan(b->q, op, qualify));
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
  if (q->norder_by) {
    CHECK(ex_sort_new(b->q, op, sort_keys, q->norder_by, &op));
    if (limit >= 0 && limit <= INT64_MAX - offset)
      ex_sort_set_limit(op, limit + offset); /* top-N */
  }
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
  b->sub = outer_sq;
  subq_state_free(&sq);
  if (st != SBD_OK) {
    ex_op_free(op);
    return st;
  }
  /* Empty: no input row and grouped (an aggregate without GROUP BY still gives its one row), or
   * LIMIT 0. */
  b->empty = (never && (!agg || sel->ngroup_by > 0)) || limit == 0;
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

/* ---- subqueries -------------------------------------------------------------------------------*/
/*
 * A subquery in an expression is planned one of three ways, with DuckDB's semantics:
 *  - An uncorrelated (SELECT ...) or EXISTS (SELECT ...) runs once, while binding, and becomes a
 *    constant (an init plan): more than one row is an error, none is NULL.
 *  - x [NOT] IN (SELECT y ...) is a null-aware MARK join (exec_int.h) of the SELECT's rows with the
 *    subquery's: true on a match; NULL when there is none but x or some y is NULL; false when the
 *    subquery has no rows.
 *  - A correlated one is decorrelated when the enclosing SELECT's columns appear only in
 *    conjuncts "inner = outer" of its WHERE (the inner side naming only the subquery's columns,
 *    the outer side only the enclosing SELECT's): those sides become join keys. EXISTS is a MARK
 *    join on them; x IN a MARK join whose residual is x = y (so NULLs make NULL as above); the
 *    other conjuncts naming both queries join the residual of EXISTS and IN (bind_residual). A
 *    scalar subquery must aggregate: it is grouped by the inner sides and LEFT joined, and a row
 *    without a group takes the value of the aggregate over no rows (count is 0), computed once.
 *    Other shapes are refused.
 * The joins are placed by subq_apply beneath the SELECT's WHERE filter, or over its aggregation
 * for subqueries in the select list, HAVING or ORDER BY of an aggregating query.
 */

static sbd_status subq_add(binder *b, bool post, subq_join **out) {
  subq_state *sq = b->sub;
  subq_join **v = post ? &sq->post : &sq->pre;
  int *n = post ? &sq->npost : &sq->npre, *cap = post ? &sq->cap_post : &sq->cap_pre;
  if (*n == *cap) {
    int nc = *cap ? *cap * 2 : 4;
    subq_join *w = alloc(b, sizeof(subq_join) * (size_t)nc);
    if (!w)
      return oom(b);
    if (*n)
      memcpy(w, *v, sizeof(subq_join) * (size_t)*n);
    *v = w;
    *cap = nc;
  }
  *out = &(*v)[(*n)++];
  memset(*out, 0, sizeof(**out));
  return SBD_OK;
}

static void subq_state_free(subq_state *sq) {
  for (int i = 0; i < sq->npre; i++)
    ex_op_free(sq->pre[i].build);
  for (int i = 0; i < sq->npost; i++)
    ex_op_free(sq->post[i].build);
  memset(sq, 0, sizeof(*sq));
}

/* Places the joins of sq (those beneath or over the aggregation) over *op, in the order they
 * were bound (a subquery's join may use the columns of one bound inside its operand). On failure
 * *op has been freed and is NULL. */
static sbd_status subq_apply(binder *b, subq_state *sq, bool post, ex_op **op) {
  subq_join *v = post ? sq->post : sq->pre;
  int n = post ? sq->npost : sq->npre;
  for (int i = 0; i < n; i++) {
    subq_join *j = &v[i];
    int base = (*op)->schema->ncols;
    for (int f = 0; f < j->nfix; f++)
      j->fix[f]->col = base + j->fix_rel[f];
    ex_op *build = j->build;
    j->build = NULL;
    sbd_status st = ex_hash_join_new(b->q, *op, build, EX_JOIN_LEFT, j->probe_keys, j->build_keys,
                                     j->nkeys, j->residual, false, op);
    if (st != SBD_OK) {
      *op = NULL;
      return st == SBD_ENOMEM ? oom(b) : st;
    }
    if (j->mark)
      RETURN_IF_ERROR(ex_hash_join_mark(*op, j->null_aware, j->name));
  }
  return SBD_OK;
}

/* Whether s has a column that the column reference col names. */
static bool scope_names(const scope *s, const sql_expr *col) {
  const sql_ident *t = col->column.table;
  for (int i = 0; i < s->n; i++) {
    const scope_col *c = &s->cols[i];
    if (t ? !c->table_lower || strcmp(c->table_lower, t->lower) != 0 : c->hidden)
      continue;
    if (strcasecmp(c->name, col->column.name.lower) == 0)
      return true;
  }
  return false;
}

/* Where the columns of an expression come from (mask: 1 the subquery's FROM, the inner side;
 * also a name neither has, for the binder to report; 2 the enclosing SELECT's, the outer side),
 * and, when refs is set, the inner column references themselves. */
typedef struct sides {
  const scope *inner, *outer;
  int mask;
  const sql_expr **refs;
  int nrefs, cap_refs;
  bool failed; /* out of memory collecting refs */
} sides;

static void note_side(binder *b, sides *x, const sql_expr *col) {
  bool inner = scope_names(x->inner, col) || !scope_names(x->outer, col);
  x->mask |= inner ? 1 : 2;
  if (!inner || !x->refs)
    return;
  if (x->nrefs == x->cap_refs) {
    int cap = x->cap_refs * 2;
    const sql_expr **v = alloc(b, sizeof(sql_expr *) * (size_t)cap);
    if (!v) {
      x->failed = true;
      return;
    }
    memcpy(v, x->refs, sizeof(sql_expr *) * (size_t)x->nrefs);
    x->refs = v;
    x->cap_refs = cap;
  }
  x->refs[x->nrefs++] = col;
}

/* Walks e (not entering nested subqueries: a reference from one of them to the enclosing SELECT
 * is reported as an unknown column). */
static void column_sides(binder *b, const sql_expr *e, sides *x) {
  if (!e)
    return;
  switch (e->kind) {
  case SQL_EXPR_COLUMN:
    note_side(b, x, e);
    return;
  case SQL_EXPR_UNARY:
    column_sides(b, e->unary.arg, x);
    return;
  case SQL_EXPR_BINARY:
    column_sides(b, e->binary.left, x);
    column_sides(b, e->binary.right, x);
    return;
  case SQL_EXPR_AND:
  case SQL_EXPR_OR:
    for (int i = 0; i < e->logic.nargs; i++)
      column_sides(b, e->logic.args[i], x);
    return;
  case SQL_EXPR_IS_NULL:
    column_sides(b, e->is_null.arg, x);
    return;
  case SQL_EXPR_IN_LIST:
    column_sides(b, e->in_list.arg, x);
    for (int i = 0; i < e->in_list.nlist; i++)
      column_sides(b, e->in_list.list[i], x);
    return;
  case SQL_EXPR_IN_QUERY:
    column_sides(b, e->in_query.arg, x);
    return;
  case SQL_EXPR_BETWEEN:
    column_sides(b, e->between.arg, x);
    column_sides(b, e->between.low, x);
    column_sides(b, e->between.high, x);
    return;
  case SQL_EXPR_LIKE:
    column_sides(b, e->like.arg, x);
    column_sides(b, e->like.pattern, x);
    column_sides(b, e->like.escape, x);
    return;
  case SQL_EXPR_CASE:
    column_sides(b, e->case_when.operand, x);
    column_sides(b, e->case_when.otherwise, x);
    for (int i = 0; i < e->case_when.nwhens; i++) {
      column_sides(b, e->case_when.whens[i].when, x);
      column_sides(b, e->case_when.whens[i].then, x);
    }
    return;
  case SQL_EXPR_CAST:
    column_sides(b, e->cast.arg, x);
    return;
  case SQL_EXPR_FUNC:
    for (int i = 0; i < e->func.nargs; i++)
      column_sides(b, e->func.args[i], x);
    column_sides(b, e->func.filter, x);
    return;
  default:
    return;
  }
}

static int side_mask(binder *b, const sql_expr *e, const scope *inner, const scope *outer) {
  sides x = {inner, outer, 0, NULL, 0, 0, false};
  column_sides(b, e, &x);
  return x.mask;
}

/* The correlation of a subquery: the conjuncts inner = outer of its WHERE (join keys), the other
 * conjuncts that name both sides (a residual condition of the join; refs: their references to
 * the subquery's columns), and the rest. */
typedef struct corr {
  int n;
  sql_expr **inner;
  const sql_expr **outer;
  const sql_expr **resid;
  int nresid;
  const sql_expr **refs;
  int nrefs;
  sql_expr *rest; /* the conjuncts naming only the subquery's columns (NULL: none) */
} corr;

static sbd_status classify_conjuncts(binder *b, bind_mode *m, const sql_query *sub, scope *inner,
                                     corr *c);

/* Finds the correlation of sub with the SELECT whose input is m->in (no conjuncts: none). The
 * subquery's FROM is bound here to learn its columns, and closed again once they are classified
 * (its scope may name its plan's columns). */
static sbd_status find_correlation(binder *b, bind_mode *m, const sql_query *sub, corr *c) {
  memset(c, 0, sizeof(*c));
  if (sub->kind != SQL_QUERY_SELECT || !sub->select->from || !m->in || m->in->n == 0)
    return SBD_OK;
  const sql_select *sel = sub->select;
  source src = {0};
  scope in = {0};
  cte_frame frame = {sub->ctes, sub->nctes, b->ctes}, *saved_ctes = b->ctes;
  const sql_expr **pushed = b->pushed;
  int npushed = b->npushed;
  const name_refs *refs = b->refs;
  subq_state *sq = b->sub;
  if (sub->nctes)
    b->ctes = &frame;
  b->pushed = NULL;
  b->npushed = 0;
  b->refs = NULL;
  b->sub = NULL;
  sbd_status st = bind_from(b, sel->from, &src, &in);
  b->ctes = saved_ctes;
  b->pushed = pushed;
  b->npushed = npushed;
  b->refs = refs;
  b->sub = sq;
  if (st == SBD_OK)
    st = classify_conjuncts(b, m, sub, &in, c);
  source_free(&src);
  return st;
}

/* Sorts the conjuncts of sub's WHERE into c by the sides (inner: the scope of its FROM) they
 * name. */
static sbd_status classify_conjuncts(binder *b, bind_mode *m, const sql_query *sub, scope *inner,
                                     corr *c) {
  const sql_select *sel = sub->select;
  scope in = *inner;
  const sql_expr *w = sel->where;
  int nw = !w ? 0 : w->kind == SQL_EXPR_AND ? w->logic.nargs : 1;
  sql_expr **rest = alloc(b, sizeof(sql_expr *) * (size_t)(nw + 1));
  c->inner = alloc(b, sizeof(sql_expr *) * (size_t)(nw + 1));
  c->outer = alloc(b, sizeof(sql_expr *) * (size_t)(nw + 1));
  c->resid = alloc(b, sizeof(sql_expr *) * (size_t)(nw + 1));
  sides resid = {&in, m->in, 0, alloc(b, sizeof(sql_expr *) * 8), 0, 8, false};
  if (!rest || !c->inner || !c->outer || !c->resid || !resid.refs)
    return oom(b);
  int nrest = 0;
  for (int i = 0; i < nw; i++) {
    sql_expr *x = w->kind == SQL_EXPR_AND ? w->logic.args[i] : (sql_expr *)w;
    if (!(side_mask(b, x, &in, m->in) & 2)) {
      rest[nrest++] = x;
      continue;
    }
    int l = 0, r = 0;
    if (x->kind == SQL_EXPR_BINARY && x->binary.op == SQL_OP_EQ) {
      l = side_mask(b, x->binary.left, &in, m->in);
      r = side_mask(b, x->binary.right, &in, m->in);
    }
    if (l == 1 && r == 2) {
      c->inner[c->n] = x->binary.left;
      c->outer[c->n++] = x->binary.right;
    } else if (l == 2 && r == 1) {
      c->inner[c->n] = x->binary.right;
      c->outer[c->n++] = x->binary.left;
    } else {
      c->resid[c->nresid++] = x;
      column_sides(b, x, &resid);
    }
  }
  if (resid.failed)
    return oom(b);
  c->refs = resid.refs;
  c->nrefs = resid.nrefs;
  if (c->n + c->nresid == 0)
    return SBD_OK;
  int mask = 0;
  for (int i = 0; i < sel->nitems; i++)
    mask |= side_mask(b, sel->items[i].expr, &in, m->in);
  for (int i = 0; i < sel->ngroup_by; i++)
    mask |= side_mask(b, sel->group_by[i], &in, m->in);
  mask |= side_mask(b, sel->having, &in, m->in);
  if (mask & 2)
    return unsupported(b, sub->off,
                       "a correlated subquery naming the enclosing query's columns outside its "
                       "WHERE");
  if (nrest == 1) {
    c->rest = rest[0];
  } else if (nrest > 1) {
    c->rest = alloc(b, sizeof(sql_expr));
    if (!c->rest)
      return oom(b);
    *c->rest = *w;
    c->rest->logic.args = rest;
    c->rest->logic.nargs = nrest;
  }
  return SBD_OK;
}

static sql_expr *sql_true(binder *b, uint32_t off, bool value) {
  sql_expr *e = alloc(b, sizeof(sql_expr));
  if (e) {
    e->kind = SQL_EXPR_LITERAL;
    e->off = e->end = off;
    e->height = 1;
    e->lit.kind = SQL_LIT_BOOL;
    e->lit.b = value;
  }
  return e;
}

/* The subquery sub decorrelated: SELECT inner sides [, its item] [, the columns the residual
 * names] [, TRUE] FROM ... WHERE the other conjuncts [GROUP BY the inner sides]. NULL when out of
 * memory. */
static sql_query *decorrelate(binder *b, const sql_query *sub, const corr *c, bool item,
                              bool grouped) {
  sql_query *nq = alloc(b, sizeof(sql_query));
  sql_select *ns = alloc(b, sizeof(sql_select));
  int n = c->n + (item ? 1 : 0) + c->nrefs + (grouped ? 1 : 0);
  sql_select_item *items = alloc(b, sizeof(sql_select_item) * (size_t)n);
  if (!nq || !ns || !items)
    return NULL;
  *nq = *sub;
  *ns = *sub->select;
  nq->select = ns;
  nq->order_by = NULL;
  nq->norder_by = 0;
  ns->where = c->rest;
  ns->items = items;
  ns->nitems = n;
  int k = 0;
  for (int i = 0; i < c->n; i++)
    items[k++].expr = c->inner[i];
  if (item)
    items[k++] = sub->select->items[0];
  for (int i = 0; i < c->nrefs; i++)
    items[k++].expr = (sql_expr *)c->refs[i];
  if (grouped) {
    if (!(items[k].expr = sql_true(b, sub->off, true)))
      return NULL;
    ns->group_by = c->inner;
    ns->ngroup_by = c->n;
  }
  return nq;
}

/* Row i of v as a value (strings copied into the arena). */
static sbd_status value_of(binder *b, const sbd_vec *v, int64_t i, ex_value *out) {
  memset(out, 0, sizeof(*out));
  out->type = v->type;
  out->is_null = !vec_is_valid(v, i);
  if (out->is_null)
    return SBD_OK;
  switch (v->type) {
  case SBD_BOOL:
    out->b = ((const uint8_t *)v->values)[i] != 0;
    break;
  case SBD_INT64:
  case SBD_TIMESTAMP:
    out->i = ((const int64_t *)v->values)[i];
    break;
  case SBD_DATE:
    out->date = ((const int32_t *)v->values)[i];
    break;
  case SBD_DOUBLE:
    out->d = ((const double *)v->values)[i];
    break;
  case SBD_STRING: {
    const int64_t *offs = v->values;
    out->len = (size_t)(offs[i + 1] - offs[i]);
    if (!(out->str = arena_strndup(b->a, v->bytes + offs[i], out->len)))
      return oom(b);
    break;
  }
  default:
    return sbd_error(b->ctx, SBD_EINTERNAL, "SQL: internal error: a value of type %d", v->type);
  }
  return SBD_OK;
}

/* Runs an uncorrelated subquery now: its one value (exists: whether it has a row) as a constant. */
static sbd_status run_subquery(binder *b, const sql_query *sub, const sql_expr *e, bool exists,
                               const char *text, ex_expr **out) {
  ex_op *plan;
  RETURN_IF_ERROR(bind_query(b, sub, &plan));
  int ncols = plan->schema->ncols;
  if (!exists && ncols != 1) {
    ex_op_free(plan);
    return sql_error_at(b->ctx, b->sql, e->off, "the subquery returns %d columns - expected 1",
                        ncols);
  }
  sbd_type type = exists ? SBD_BOOL : plan->schema->fields[0].type;
  ex_expr *c = node(b, EX_CONST, type, 0, text);
  if (!c) {
    ex_op_free(plan);
    return oom(b);
  }
  c->value.type = type;
  c->value.is_null = !exists;
  int64_t rows = 0;
  sbd_status st = SBD_OK;
  while (st == SBD_OK) {
    sbd_batch *bt;
    st = ex_op_next(plan, &bt);
    if (st != SBD_OK || !bt)
      break;
    if (bt->nrows > 0 && rows == 0 && !exists)
      st = value_of(b, bt->cols[0], 0, &c->value);
    rows += bt->nrows;
    sbd_batch_free(bt);
    if (exists && rows > 0)
      break;
    if (st == SBD_OK && rows > 1)
      st = sql_error_at(b->ctx, b->sql, e->off,
                        "more than one row returned by a subquery used as an expression");
  }
  ex_op_free(plan);
  RETURN_IF_ERROR(st);
  if (exists)
    c->value.b = rows > 0;
  *out = c;
  return SBD_OK;
}

/* A column node of a subquery join's output, numbered when the join is placed. */
static ex_expr *join_col(binder *b, subq_join *j, sbd_type type, int rel, const char *text) {
  if (j->nfix == j->cap_fix) {
    int cap = j->cap_fix ? j->cap_fix * 2 : 4;
    ex_expr **v = alloc(b, sizeof(ex_expr *) * (size_t)cap);
    int *r = alloc(b, sizeof(int) * (size_t)cap);
    if (!v || !r)
      return NULL;
    if (j->nfix) {
      memcpy(v, j->fix, sizeof(ex_expr *) * (size_t)j->nfix);
      memcpy(r, j->fix_rel, sizeof(int) * (size_t)j->nfix);
    }
    j->fix = v;
    j->fix_rel = r;
    j->cap_fix = cap;
  }
  ex_expr *c = node(b, EX_COLUMN, type, 0, text);
  if (c) {
    j->fix[j->nfix] = c;
    j->fix_rel[j->nfix++] = rel;
  }
  return c;
}

/* A reference of a correlated subquery's residual condition to the subquery's column: the
 * join's column that the decorrelated subquery hands it on in. */
static sbd_status inner_ref(binder *b, int i, ex_expr **out) {
  subq_join *j = b->inner_join;
  const sbd_schema *s = j->build->schema;
  int rel = b->inner_rel + i;
  const sql_expr *e = b->inner_refs[i];
  *out = join_col(b, j, s->fields[rel].type, rel, dup_range(b, e->off, e->end));
  return *out ? SBD_OK : oom(b);
}

/* Registers plan (taken) as the build side of a new subquery join of the current SELECT. */
static sbd_status add_join(binder *b, bind_mode *m, ex_op *plan, subq_join **out) {
  sbd_status st = subq_add(b, m->post_agg, out);
  if (st != SBD_OK) {
    ex_op_free(plan);
    return st;
  }
  (*out)->build = plan;
  return SBD_OK;
}

/* x [NOT] IN (SELECT y ...), uncorrelated: a null-aware MARK join. */
static sbd_status bind_in_query(binder *b, bind_mode *m, const sql_expr *e, const char *text,
                                ex_expr **out) {
  ex_expr *x;
  ex_op *plan;
  RETURN_IF_ERROR(bind_expr(b, m, e->in_query.arg, &x));
  RETURN_IF_ERROR(bind_query(b, e->in_query.query, &plan));
  if (plan->schema->ncols != 1) {
    int ncols = plan->schema->ncols;
    ex_op_free(plan);
    return sql_error_at(b->ctx, b->sql, e->in_query.op_off,
                        "the subquery of IN returns %d columns - expected 1", ncols);
  }
  subq_join *j;
  RETURN_IF_ERROR(add_join(b, m, plan, &j));
  ex_expr *y = node(b, EX_COLUMN, plan->schema->fields[0].type, 0, text);
  j->probe_keys = alloc(b, sizeof(ex_expr *));
  j->build_keys = alloc(b, sizeof(ex_expr *));
  ex_expr *mark = join_col(b, j, SBD_BOOL, 0, text);
  if (!y || !j->probe_keys || !j->build_keys || !mark)
    return oom(b);
  RETURN_IF_ERROR(unify2(b, &x, &y, "compare", text, e->in_query.op_off));
  j->probe_keys[0] = x;
  j->build_keys[0] = y;
  j->nkeys = 1;
  j->mark = j->null_aware = true;
  j->name = text;
  *out = e->in_query.negated ? negate(b, mark, text) : mark;
  return *out ? SBD_OK : oom(b);
}

static bool is_bare_agg_null_on_empty(const sql_expr *e) {
  if (e->kind != SQL_EXPR_FUNC || e->func.over)
    return false;
  const char *n = e->func.name.lower;
  return strcmp(n, "sum") == 0 || strcmp(n, "avg") == 0 || strcmp(n, "mean") == 0 ||
         strcmp(n, "min") == 0 || strcmp(n, "max") == 0;
}

/* The conjuncts of a correlated EXISTS or IN that are not inner = outer, bound over the pair of
 * the enclosing SELECT's row (m) and the decorrelated subquery's row (j's build side, whose
 * column rel onwards hold the subquery columns they name). They must be true for a pair to count:
 * the residual of EXISTS is "conditions IS TRUE", that of IN "CASE WHEN conditions THEN x = y
 * ELSE false END", so that a NULL condition drops the pair as WHERE would. */
static sbd_status bind_residual(binder *b, bind_mode *m, const corr *c, subq_join *j, int rel,
                                const char *text) {
  ex_expr *cond = node(b, EX_AND, SBD_BOOL, c->nresid, text);
  ex_expr *pick = node(b, EX_CASE, SBD_BOOL, 3, text);
  ex_expr *no = node(b, EX_CONST, SBD_BOOL, 0, "false");
  if (!cond || !pick || !no)
    return oom(b);
  no->value.type = SBD_BOOL;
  b->inner_refs = c->refs;
  b->ninner_refs = c->nrefs;
  b->inner_join = j;
  b->inner_rel = rel;
  b->sub->active = false;
  sbd_status st = SBD_OK;
  for (int i = 0; i < c->nresid && st == SBD_OK; i++) {
    st = bind_expr(b, m, c->resid[i], &cond->args[i]);
    if (st == SBD_OK)
      st = need_bool(b, &cond->args[i], "a subquery condition", c->resid[i]->off);
  }
  b->inner_refs = NULL;
  b->ninner_refs = 0;
  b->inner_join = NULL;
  b->sub->active = true;
  RETURN_IF_ERROR(st);
  ex_expr *then = j->residual;
  if (!then) {
    if (!(then = node(b, EX_CONST, SBD_BOOL, 0, "true")))
      return oom(b);
    then->value.type = SBD_BOOL;
    then->value.b = true;
  }
  pick->args[0] = c->nresid == 1 ? cond->args[0] : cond;
  pick->args[1] = then;
  pick->args[2] = no;
  j->residual = pick;
  return SBD_OK;
}

/* A correlated EXISTS, IN or scalar subquery (c: its correlation), decorrelated into a join. */
static sbd_status bind_correlated(binder *b, bind_mode *m, const sql_expr *e, const sql_query *sub,
                                  const corr *c, const char *text, ex_expr **out) {
  const sql_select *sel = sub->select;
  bool scalar = e->kind == SQL_EXPR_SUBQUERY, in = e->kind == SQL_EXPR_IN_QUERY;
  if (sub->limit || sub->offset)
    return unsupported(b, sub->off, "LIMIT or OFFSET in a correlated subquery");
  if (sel->ngroup_by || sel->group_by_all || sel->having)
    return unsupported(b, sub->off, "GROUP BY or HAVING in a correlated subquery");
  if ((scalar || in) && (sel->nitems != 1 || sel->items[0].expr->kind == SQL_EXPR_STAR))
    return unsupported(b, sub->off, "a correlated subquery of more than one column");
  bool agg = false;
  for (int i = 0; i < sel->nitems; i++)
    agg |= has_agg(sel->items[i].expr);
  if (scalar && !agg)
    return unsupported(b, sub->off,
                       "a correlated scalar subquery without an aggregate (write min(...) or "
                       "max(...) if it has one row per key)");
  if (!scalar && agg)
    return unsupported(b, sub->off, "aggregates in a correlated %s subquery", in ? "IN" : "EXISTS");
  if (c->nresid && (scalar || m->post_agg))
    return unsupported(b, c->resid[0]->off,
                       "a correlated %s condition other than inner = outer (subquery column = "
                       "enclosing query column): %s",
                       scalar ? "scalar subquery" : "subquery over an aggregation",
                       dup_range(b, c->resid[0]->off, c->resid[0]->end));
  /* The enclosing query's sides first: they may add joins of their own, placed before ours. */
  ex_expr **pk = alloc(b, sizeof(ex_expr *) * (size_t)c->n);
  ex_expr **bk = alloc(b, sizeof(ex_expr *) * (size_t)c->n);
  if (!pk || !bk)
    return oom(b);
  for (int i = 0; i < c->n; i++)
    RETURN_IF_ERROR(bind_expr(b, m, c->outer[i], &pk[i]));
  ex_expr *x = NULL;
  if (in)
    RETURN_IF_ERROR(bind_expr(b, m, e->in_query.arg, &x));
  ex_expr *empty = NULL;
  if (scalar && !is_bare_agg_null_on_empty(sel->items[0].expr)) {
    /* The value of a missing group: the subquery's aggregate over no rows. */
    sql_query *none = alloc(b, sizeof(sql_query));
    sql_select *ns = alloc(b, sizeof(sql_select));
    if (!none || !ns)
      return oom(b);
    *none = *sub;
    *ns = *sel;
    none->select = ns;
    if (!(ns->where = sql_true(b, sub->off, false)))
      return oom(b);
    RETURN_IF_ERROR(run_subquery(b, none, e, false, text, &empty));
  }
  sql_query *nq = decorrelate(b, sub, c, !(e->kind == SQL_EXPR_EXISTS), scalar);
  if (!nq)
    return oom(b);
  ex_op *plan;
  RETURN_IF_ERROR(bind_query(b, nq, &plan));
  subq_join *j;
  RETURN_IF_ERROR(add_join(b, m, plan, &j));
  const sbd_schema *ps = plan->schema;
  for (int i = 0; i < c->n; i++) {
    if (!(bk[i] = node(b, EX_COLUMN, ps->fields[i].type, 0, text)))
      return oom(b);
    bk[i]->col = i;
    RETURN_IF_ERROR(unify2(b, &pk[i], &bk[i], "compare", text, c->outer[i]->off));
  }
  j->probe_keys = pk;
  j->build_keys = bk;
  j->nkeys = c->n;
  j->name = text;
  if (!scalar) {
    j->mark = true;
    ex_expr *mark = join_col(b, j, SBD_BOOL, 0, text);
    if (!mark)
      return oom(b);
    if (in) {
      ex_expr *y = join_col(b, j, ps->fields[c->n].type, c->n, text);
      if (!y)
        return oom(b);
      RETURN_IF_ERROR(make_cmp(b, EX_EQ, x, y, text, e->in_query.op_off, &j->residual));
      if (e->in_query.negated && !(mark = negate(b, mark, text)))
        return oom(b);
    }
    if (c->nresid)
      RETURN_IF_ERROR(bind_residual(b, m, c, j, in ? c->n + 1 : c->n, text));
    *out = mark;
    return SBD_OK;
  }
  sbd_type type = ps->fields[c->n].type;
  ex_expr *v = join_col(b, j, type, c->n, text);
  if (!v)
    return oom(b);
  *out = v;
  if (!empty)
    return SBD_OK;
  ex_expr *matched = join_col(b, j, SBD_BOOL, c->n + 1, text);
  ex_expr *missing = node(b, EX_IS_NULL, SBD_BOOL, 1, text);
  ex_expr *pick = node(b, EX_CASE, type, 3, text);
  if (!matched || !missing || !pick)
    return oom(b);
  missing->args[0] = matched;
  empty->type = empty->value.type = type;
  pick->args[0] = missing;
  pick->args[1] = empty;
  pick->args[2] = v;
  *out = pick;
  return SBD_OK;
}

static sbd_status bind_subquery(binder *b, bind_mode *m, const sql_expr *e, ex_expr **out) {
  const char *text = dup_range(b, e->off, e->end);
  if (!text)
    return oom(b);
  if (!b->sub || !b->sub->active)
    return unsupported(b, e->off, "subqueries in a join's ON condition");
  const sql_query *sub = e->kind == SQL_EXPR_IN_QUERY ? e->in_query.query : e->subquery.query;
  corr c;
  RETURN_IF_ERROR(find_correlation(b, m, sub, &c));
  if (c.n + c.nresid > 0)
    return bind_correlated(b, m, e, sub, &c, text, out);
  if (e->kind == SQL_EXPR_IN_QUERY)
    return bind_in_query(b, m, e, text, out);
  return run_subquery(b, sub, e, e->kind == SQL_EXPR_EXISTS, text, out);
}

/* GROUP BY ALL: grouped by every select item without an aggregate, written as ordinals. NULL when
 * out of memory; q itself when an item is * (which the binder then refuses). */
static const sql_query *expand_group_by_all(binder *b, const sql_query *q) {
  const sql_select *sel = q->select;
  for (int i = 0; i < sel->nitems; i++)
    if (sel->items[i].expr->kind == SQL_EXPR_STAR)
      return q;
  sql_query *nq = alloc(b, sizeof(sql_query));
  sql_select *ns = alloc(b, sizeof(sql_select));
  sql_expr **keys = alloc(b, sizeof(sql_expr *) * (size_t)sel->nitems);
  if (!nq || !ns || !keys)
    return NULL;
  *nq = *q;
  *ns = *sel;
  nq->select = ns;
  nq->ctes = NULL; /* bind_query has made them visible already */
  nq->nctes = 0;
  ns->group_by_all = false;
  ns->group_by = keys;
  ns->ngroup_by = 0;
  for (int i = 0; i < sel->nitems; i++) {
    if (has_agg(sel->items[i].expr))
      continue;
    sql_expr *k = alloc(b, sizeof(sql_expr));
    if (!k)
      return NULL;
    k->kind = SQL_EXPR_LITERAL;
    k->off = sel->items[i].expr->off;
    k->end = sel->items[i].expr->end;
    k->height = 1;
    k->lit.kind = SQL_LIT_INT;
    k->lit.i = i + 1;
    keys[ns->ngroup_by++] = k;
  }
  return nq;
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
  if (q->norder_by) {
    RETURN_IF_ERROR(ex_sort_new(b->q, op, keys, q->norder_by, &op));
    if (limit >= 0 && limit <= INT64_MAX - offset)
      ex_sort_set_limit(op, limit + offset); /* top-N */
  }
  if (limit >= 0 || offset > 0)
    RETURN_IF_ERROR(ex_limit_new(b->q, op, limit, offset, &op));
  *out = op;
  return SBD_OK;
}

/* UNION ALL: both sides' rows, their column types unified as DuckDB does (INT64 and DOUBLE make
 * DOUBLE, DATE and TIMESTAMP make TIMESTAMP), named by the left side. */
static sbd_status bind_union_all(binder *b, const sql_query *q, ex_op **out) {
  if (q->setop.type != SQL_SETOP_UNION || !q->setop.all)
    return bind_setop(b, q, out);
  ex_op *left = NULL, *right = NULL;
  RETURN_IF_ERROR(bind_query(b, q->setop.left, &left));
  bool left_empty = b->empty;
  sbd_status st = bind_query(b, q->setop.right, &right);
  bool both_empty = left_empty && b->empty;
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
  st = order_and_limit(b, q, op, out);
  b->empty = both_empty;
  return st;
}

/* ---- set operations ---------------------------------------------------------------------------*/

/* A column node of an operator's output. */
static ex_expr *out_column(binder *b, const sbd_schema *s, int col) {
  ex_expr *c = node(b, EX_COLUMN, s->fields[col].type, 0, s->fields[col].name);
  if (c)
    c->col = col;
  return c;
}

/* op's columns followed by two INT64 constants, left and right: the side a row comes from. */
static sbd_status tag_side(binder *b, ex_op *op, int64_t left, ex_op **out) {
  const sbd_schema *s = op->schema;
  int n = s->ncols;
  ex_expr **exprs = alloc(b, sizeof(ex_expr *) * (size_t)(n + 2));
  const char **names = alloc(b, sizeof(char *) * (size_t)(n + 2));
  bool ok = exprs && names;
  for (int i = 0; i < n && ok; i++) {
    ok = (exprs[i] = out_column(b, s, i)) != NULL;
    names[i] = s->fields[i].name;
  }
  for (int i = 0; i < 2 && ok; i++) {
    ok = (exprs[n + i] = node(b, EX_CONST, SBD_INT64, 0, i ? "__right" : "__left")) != NULL;
    if (ok) {
      exprs[n + i]->value.type = SBD_INT64;
      exprs[n + i]->value.i = i ? 1 - left : left;
      names[n + i] = exprs[n + i]->text;
    }
  }
  if (!ok) {
    ex_op_free(op);
    return oom(b);
  }
  return ex_project_new(b->q, op, exprs, names, n + 2, out);
}

/* UNION, INTERSECT, EXCEPT, INTERSECT ALL and EXCEPT ALL (UNION ALL is bind_union_all), with
 * DuckDB's semantics: rows compare as in GROUP BY (NULL equals NULL). Both sides are tagged with
 * the side they come from, concatenated and grouped by every column, counting each side's rows;
 * the counts decide which rows are kept (INTERSECT: both non-zero; EXCEPT: only the left's), or
 * how many times a row is repeated (INTERSECT ALL: the smaller count; EXCEPT ALL: left minus
 * right). A plain UNION is the grouping alone. */
static sbd_status bind_setop(binder *b, const sql_query *q, ex_op **out) {
  static const char *const names[] = {"", "UNION", "EXCEPT", "INTERSECT"};
  sql_setop_type type = q->setop.type;
  bool all = q->setop.all, tagged = type != SQL_SETOP_UNION;
  char what[24];
  snprintf(what, sizeof(what), "%s%s", names[type], all ? " ALL" : "");
  ex_op *left = NULL, *right = NULL, *op = NULL;
  RETURN_IF_ERROR(bind_query(b, q->setop.left, &left));
  bool left_empty = b->empty;
  sbd_status st = bind_query(b, q->setop.right, &right);
  bool right_empty = b->empty;
  /* Known empty without running a side: an INTERSECT with an empty side, an EXCEPT whose left
   * side is, a UNION of two; then neither side runs (its errors are not raised). */
  bool empty = type == SQL_SETOP_INTERSECT ? left_empty || right_empty
               : type == SQL_SETOP_EXCEPT  ? left_empty
                                           : left_empty && right_empty;
  if (st == SBD_OK && empty) {
    st = ex_limit_new(b->q, left, 0, 0, &left);
    left = st == SBD_OK ? left : NULL;
    if (st == SBD_OK) {
      st = ex_limit_new(b->q, right, 0, 0, &right);
      right = st == SBD_OK ? right : NULL;
    }
  }
  const sbd_schema *ls = left ? left->schema : NULL, *rs = right ? right->schema : NULL;
  int n = ls ? ls->ncols : 0;
  sbd_type *types = NULL;
  if (st == SBD_OK && n != rs->ncols)
    st = sql_error_at(b->ctx, b->sql, q->setop.op_off,
                      "%s: the left query has %d columns, the right one %d", what, n, rs->ncols);
  if (st == SBD_OK && !(types = alloc(b, sizeof(sbd_type) * (size_t)(n + 1))))
    st = oom(b);
  for (int i = 0; st == SBD_OK && i < n; i++) {
    sbd_type x = ls->fields[i].type, y = rs->fields[i].type;
    bool num = (x == SBD_INT64 || x == SBD_DOUBLE) && (y == SBD_INT64 || y == SBD_DOUBLE);
    bool tm = (x == SBD_DATE || x == SBD_TIMESTAMP) && (y == SBD_DATE || y == SBD_TIMESTAMP);
    if (x == y)
      types[i] = x;
    else if (num || tm)
      types[i] = num ? SBD_DOUBLE : SBD_TIMESTAMP;
    else
      st = sql_error_at(b->ctx, b->sql, q->setop.op_off,
                        "%s: cannot mix %s and %s in column %d ('%s')", what, type_name(x),
                        type_name(y), i + 1, ls->fields[i].name);
  }
  if (st == SBD_OK) {
    st = cast_columns(b, left, types, &left);
    if (st != SBD_OK)
      left = NULL;
  }
  if (st == SBD_OK) {
    st = cast_columns(b, right, types, &right);
    if (st != SBD_OK)
      right = NULL;
  }
  if (st == SBD_OK && tagged) {
    st = tag_side(b, left, 1, &left);
    left = st == SBD_OK ? left : NULL;
    if (st == SBD_OK) {
      st = tag_side(b, right, 0, &right);
      right = st == SBD_OK ? right : NULL;
    }
  }
  if (st != SBD_OK) {
    ex_op_free(left);
    ex_op_free(right);
    return st;
  }
  RETURN_IF_ERROR(ex_concat_new(b->q, left, right, &op));
  /* Group by every column (the tags aside), counting each side's rows. */
  const sbd_schema *cs = op->schema;
  ex_expr **keys = alloc(b, sizeof(ex_expr *) * (size_t)(n + 1));
  const char **colnames = alloc(b, sizeof(char *) * (size_t)(n + 3));
  ex_agg_spec *aggs = alloc(b, sizeof(ex_agg_spec) * 2);
  bool ok = keys && colnames && aggs;
  for (int i = 0; i < n && ok; i++) {
    ok = (keys[i] = out_column(b, cs, i)) &&
         (colnames[i] = arena_strndup(b->a, cs->fields[i].name, strlen(cs->fields[i].name)));
  }
  for (int i = 0; i < 2 && ok && tagged; i++) {
    aggs[i].kind = EX_AGG_SUM;
    aggs[i].type = SBD_INT64;
    aggs[i].text = colnames[n + i] = i ? "__right" : "__left";
    ok = (aggs[i].arg = out_column(b, cs, n + i)) != NULL;
  }
  if (!ok) {
    ex_op_free(op);
    return oom(b);
  }
  RETURN_IF_ERROR(ex_agg_new(b->q, op, keys, n, aggs, tagged ? 2 : 0, colnames, &op));
  if (tagged) {
    const sbd_schema *as = op->schema;
    ex_expr *l = out_column(b, as, n), *r = out_column(b, as, n + 1);
    ex_expr *zero = node(b, EX_CONST, SBD_INT64, 0, "0");
    ex_expr **exprs = alloc(b, sizeof(ex_expr *) * (size_t)(n + 1));
    ok = l && r && zero && exprs;
    for (int i = 0; i < n && ok; i++)
      ok = (exprs[i] = out_column(b, as, i)) != NULL;
    if (ok)
      zero->value.type = SBD_INT64;
    ex_expr *count = NULL, *keep = NULL;
    if (ok && all) {
      /* How many copies of the row: min(left, right), or left - right (below one: none). */
      count = node(b, type == SQL_SETOP_INTERSECT ? EX_FUNC : EX_ARITH, SBD_INT64, 2, what);
      ok = count != NULL;
      if (ok) {
        count->fn = EX_FN_LEAST;
        count->op = EX_SUB;
        count->args[0] = l;
        count->args[1] = r;
        exprs[n] = count;
      }
    } else if (ok) {
      /* Kept when the left side has it and the right one has (INTERSECT) or has not (EXCEPT). */
      ex_expr *has_left = node(b, EX_CMP, SBD_BOOL, 2, what);
      ex_expr *right_test = node(b, EX_CMP, SBD_BOOL, 2, what);
      keep = node(b, EX_AND, SBD_BOOL, 2, what);
      ok = has_left && right_test && keep;
      if (ok) {
        has_left->op = EX_GT;
        has_left->args[0] = l;
        has_left->args[1] = zero;
        right_test->op = type == SQL_SETOP_INTERSECT ? EX_GT : EX_EQ;
        right_test->args[0] = r;
        right_test->args[1] = zero;
        keep->args[0] = has_left;
        keep->args[1] = right_test;
      }
    }
    if (!ok) {
      ex_op_free(op);
      return oom(b);
    }
    if (keep)
      RETURN_IF_ERROR(ex_filter_new(b->q, op, keep, &op));
    RETURN_IF_ERROR(ex_project_new(b->q, op, exprs, colnames, all ? n + 1 : n, &op));
    if (all)
      RETURN_IF_ERROR(ex_repeat_new(b->q, op, n, n, &op));
  }
  st = order_and_limit(b, q, op, out);
  b->empty = empty;
  return st;
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
    const sql_query *expanded = q->select->group_by_all ? expand_group_by_all(b, q) : q;
    st = expanded ? bind_select(b, expanded, out) : oom(b);
  }
  b->ctes = frame.up;
  return st;
}

sbd_status sql_plan(ex_query *q, const sql_stmt *stmt, ex_op **out) {
  binder b = {.q = q, .ctx = q->ctx, .a = &q->arena, .sql = stmt->sql};
  return bind_query(&b, stmt->query, out);
}
