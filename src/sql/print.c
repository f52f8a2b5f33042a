/*
 * print.c — the canonical text of a tree: what tests compare, what a developer reads when
 * debugging, and the default text of an expression in messages.
 *
 * The text is made to parse back to the same tree (the SQL fuzzer checks this on every input),
 * which decides its shape:
 *  - every operator application is parenthesised, so precedence never has to be re-derived;
 *  - names are quoted when they are not plain ASCII names or when they are keywords (a column
 *    named "date" or "unbounded" would read differently in some places unquoted); function
 *    names only when the keyword would change how the call parses;
 *  - literals are written in one spelling each: a DOUBLE always with a point or an exponent (so
 *    it does not read back as an INT), an infinite one as 1e999; dates, timestamps and intervals
 *    in the forms their parsers read;
 *  - a set operation's operand that is itself a set operation, or has WITH, ORDER BY, LIMIT or
 *    OFFSET, is parenthesised; so is a join on the right of a join.
 */
#include "sql/sql_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- the buffer -------------------------------------------------------------------------------*/

void sql_buf_init(sql_buf *b) {
  memset(b, 0, sizeof(*b));
}

void sql_buf_free(sql_buf *b) {
  free(b->data);
  memset(b, 0, sizeof(*b));
}

void sql_buf_put(sql_buf *b, const char *s, size_t n) {
  if (b->failed)
    return;
  if (b->len + n + 1 > b->cap) {
    if (b->len + n + 1 > SQL_BUF_MAX_BYTES) {
      b->failed = true;
      return;
    }
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + n + 1)
      cap *= 2;
    if (cap > SQL_BUF_MAX_BYTES)
      cap = SQL_BUF_MAX_BYTES;
    char *d = realloc(b->data, cap);
    if (!d) {
      b->failed = true;
      return;
    }
    b->data = d;
    b->cap = cap;
  }
  memcpy(b->data + b->len, s, n);
  b->len += n;
  b->data[b->len] = 0;
}

void sql_buf_puts(sql_buf *b, const char *s) {
  sql_buf_put(b, s, strlen(s));
}

#define PUT(b, lit) sql_buf_put((b), (lit), sizeof(lit) - 1)

/* ---- names and literals -----------------------------------------------------------------------*/

static bool is_plain_name(const char *s) {
  if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_'))
    return false;
  for (s++; *s; s++)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_' ||
          (*s >= '0' && *s <= '9')))
      return false;
  return true;
}

static void put_quoted_name(sql_buf *b, const char *s) {
  PUT(b, "\"");
  for (const char *q; (q = strchr(s, '"')) != NULL; s = q + 1) {
    sql_buf_put(b, s, (size_t)(q - s));
    PUT(b, "\"\"");
  }
  sql_buf_puts(b, s);
  PUT(b, "\"");
}

/* A column, table, alias or argument name. */
static void put_name(sql_buf *b, const sql_ident *id) {
  if (is_plain_name(id->name) && sql_keyword_lookup(id->name, strlen(id->name)) == SQL_KW_NONE)
    sql_buf_puts(b, id->name);
  else
    put_quoted_name(b, id->name);
}

/* A function name: keywords are fine unless they would change how the call parses. */
static void put_func_name(sql_buf *b, const sql_ident *id) {
  bool quote = !is_plain_name(id->name);
  if (!quote) {
    sql_keyword kw = sql_keyword_lookup(id->name, strlen(id->name));
    switch (kw) {
    case SQL_KW_LEFT:
    case SQL_KW_RIGHT:
    case SQL_KW_CURRENT_DATE:
    case SQL_KW_CURRENT_TIMESTAMP:
      break;
    case SQL_KW_EXTRACT:
    case SQL_KW_INTERVAL:
    case SQL_KW_CURRENT:
    case SQL_KW_UNBOUNDED:
      quote = true;
      break;
    default:
      quote = sql_keyword_reserved(kw);
      break;
    }
  }
  if (quote)
    put_quoted_name(b, id->name);
  else
    sql_buf_puts(b, id->name);
}

static void put_string(sql_buf *b, const char *s, size_t n) {
  PUT(b, "'");
  size_t start = 0;
  for (size_t i = 0; i < n; i++) {
    if (s[i] == '\'') {
      sql_buf_put(b, s + start, i + 1 - start);
      PUT(b, "'");
      start = i + 1;
    }
  }
  sql_buf_put(b, s + start, n - start);
  PUT(b, "'");
}

static void put_double(sql_buf *b, double d) {
  if (isinf(d)) {
    sql_buf_puts(b, d < 0 ? "-1e999" : "1e999");
    return;
  }
  char buf[NUM_FMT_MAX + 4];
  size_t n = num_format_double(d, buf);
  buf[n] = 0;
  sql_buf_put(b, buf, n);
  if (!strpbrk(buf, ".eEn"))
    PUT(b, ".0");
}

static void put_literal(sql_buf *b, const sql_literal *l) {
  char buf[SQL_INTERVAL_FMT_MAX > TM_FMT_MAX ? SQL_INTERVAL_FMT_MAX : TM_FMT_MAX];
  switch (l->kind) {
  case SQL_LIT_NULL:
    PUT(b, "NULL");
    return;
  case SQL_LIT_BOOL:
    sql_buf_puts(b, l->b ? "TRUE" : "FALSE");
    return;
  case SQL_LIT_INT: {
    char num[NUM_FMT_MAX];
    sql_buf_put(b, num, num_format_int64(l->i, num));
    return;
  }
  case SQL_LIT_DOUBLE:
    put_double(b, l->d);
    return;
  case SQL_LIT_STRING:
    put_string(b, l->str, l->len);
    return;
  case SQL_LIT_DATE:
    PUT(b, "DATE ");
    put_string(b, buf, tm_format_date(l->date, buf));
    return;
  case SQL_LIT_TIMESTAMP:
    sql_buf_puts(b, l->tz ? "TIMESTAMPTZ " : "TIMESTAMP ");
    put_string(b, buf, tm_format_timestamp(l->ts, buf));
    return;
  case SQL_LIT_INTERVAL:
    PUT(b, "INTERVAL ");
    put_string(b, buf, sql_interval_format(l->interval, buf));
    return;
  }
}

const char *sql_op_text(sql_op op) {
  switch (op) {
  case SQL_OP_NEG:
    return "-";
  case SQL_OP_NOT:
    return "NOT";
  case SQL_OP_ADD:
    return "+";
  case SQL_OP_SUB:
    return "-";
  case SQL_OP_MUL:
    return "*";
  case SQL_OP_DIV:
    return "/";
  case SQL_OP_MOD:
    return "%";
  case SQL_OP_POW:
    return "^";
  case SQL_OP_CONCAT:
    return "||";
  case SQL_OP_EQ:
    return "=";
  case SQL_OP_NE:
    return "<>";
  case SQL_OP_LT:
    return "<";
  case SQL_OP_LE:
    return "<=";
  case SQL_OP_GT:
    return ">";
  case SQL_OP_GE:
    return ">=";
  case SQL_OP_IS_DISTINCT:
    return "IS DISTINCT FROM";
  case SQL_OP_IS_NOT_DISTINCT:
    return "IS NOT DISTINCT FROM";
  }
  return "?";
}

bool sql_print_type(const sql_type *t, sql_buf *b) {
  sql_buf_puts(b, t->name);
  if (t->nmods) {
    char num[NUM_FMT_MAX];
    PUT(b, "(");
    for (int i = 0; i < t->nmods; i++) {
      if (i)
        PUT(b, ", ");
      sql_buf_put(b, num, num_format_int64(t->mods[i], num));
    }
    PUT(b, ")");
  }
  return !b->failed;
}

/* ---- expressions ------------------------------------------------------------------------------*/

static void print_expr(sql_buf *b, const sql_expr *e);
static void print_query(sql_buf *b, const sql_query *q);

static void print_exprs(sql_buf *b, sql_expr *const *list, int n) {
  for (int i = 0; i < n; i++) {
    if (i)
      PUT(b, ", ");
    print_expr(b, list[i]);
  }
}

static void print_names(sql_buf *b, const sql_ident *names, int n) {
  for (int i = 0; i < n; i++) {
    if (i)
      PUT(b, ", ");
    put_name(b, &names[i]);
  }
}

static void print_order(sql_buf *b, const sql_order_item *items, int n) {
  PUT(b, "ORDER BY ");
  for (int i = 0; i < n; i++) {
    if (i)
      PUT(b, ", ");
    print_expr(b, items[i].expr);
    if (items[i].desc)
      PUT(b, " DESC");
    if (items[i].nulls == SQL_NULLS_FIRST)
      PUT(b, " NULLS FIRST");
    else if (items[i].nulls == SQL_NULLS_LAST)
      PUT(b, " NULLS LAST");
  }
}

static void print_bound(sql_buf *b, const sql_frame_bound *f) {
  switch (f->kind) {
  case SQL_BOUND_UNBOUNDED_PRECEDING:
    PUT(b, "UNBOUNDED PRECEDING");
    return;
  case SQL_BOUND_UNBOUNDED_FOLLOWING:
    PUT(b, "UNBOUNDED FOLLOWING");
    return;
  case SQL_BOUND_CURRENT_ROW:
    PUT(b, "CURRENT ROW");
    return;
  case SQL_BOUND_PRECEDING:
  case SQL_BOUND_FOLLOWING:
    print_expr(b, f->offset);
    sql_buf_puts(b, f->kind == SQL_BOUND_PRECEDING ? " PRECEDING" : " FOLLOWING");
    return;
  }
}

static void print_window(sql_buf *b, const sql_window *w) {
  PUT(b, " OVER (");
  bool sep = false;
  if (w->npartition_by) {
    PUT(b, "PARTITION BY ");
    print_exprs(b, w->partition_by, w->npartition_by);
    sep = true;
  }
  if (w->norder_by) {
    if (sep)
      PUT(b, " ");
    print_order(b, w->order_by, w->norder_by);
    sep = true;
  }
  if (w->frame != SQL_FRAME_NONE) {
    if (sep)
      PUT(b, " ");
    sql_buf_puts(b, w->frame == SQL_FRAME_ROWS    ? "ROWS BETWEEN "
                    : w->frame == SQL_FRAME_RANGE ? "RANGE BETWEEN "
                                                  : "GROUPS BETWEEN ");
    print_bound(b, &w->start);
    PUT(b, " AND ");
    print_bound(b, &w->end);
  }
  PUT(b, ")");
}

static void print_expr(sql_buf *b, const sql_expr *e) {
  switch (e->kind) {
  case SQL_EXPR_LITERAL:
    put_literal(b, &e->lit);
    return;
  case SQL_EXPR_COLUMN:
    if (e->column.table) {
      put_name(b, e->column.table);
      PUT(b, ".");
    }
    put_name(b, &e->column.name);
    return;
  case SQL_EXPR_STAR:
    if (e->star.table) {
      put_name(b, e->star.table);
      PUT(b, ".");
    }
    PUT(b, "*");
    if (e->star.nexclude) {
      PUT(b, " EXCLUDE (");
      print_names(b, e->star.exclude, e->star.nexclude);
      PUT(b, ")");
    }
    return;
  case SQL_EXPR_UNARY:
    if (e->unary.op == SQL_OP_NOT)
      PUT(b, "(NOT ");
    else if (e->unary.arg->kind == SQL_EXPR_LITERAL)
      PUT(b, "(- "); /* the parser folds -5, but "--" must never be written: it starts a comment */
    else
      PUT(b, "(-");
    print_expr(b, e->unary.arg);
    PUT(b, ")");
    return;
  case SQL_EXPR_BINARY:
    PUT(b, "(");
    print_expr(b, e->binary.left);
    PUT(b, " ");
    sql_buf_puts(b, sql_op_text(e->binary.op));
    PUT(b, " ");
    print_expr(b, e->binary.right);
    PUT(b, ")");
    return;
  case SQL_EXPR_AND:
  case SQL_EXPR_OR:
    PUT(b, "(");
    for (int i = 0; i < e->logic.nargs; i++) {
      if (i)
        sql_buf_puts(b, e->kind == SQL_EXPR_AND ? " AND " : " OR ");
      print_expr(b, e->logic.args[i]);
    }
    PUT(b, ")");
    return;
  case SQL_EXPR_IS_NULL:
    PUT(b, "(");
    print_expr(b, e->is_null.arg);
    sql_buf_puts(b, e->is_null.negated ? " IS NOT NULL)" : " IS NULL)");
    return;
  case SQL_EXPR_IN_LIST:
    PUT(b, "(");
    print_expr(b, e->in_list.arg);
    sql_buf_puts(b, e->in_list.negated ? " NOT IN (" : " IN (");
    print_exprs(b, e->in_list.list, e->in_list.nlist);
    PUT(b, "))");
    return;
  case SQL_EXPR_IN_QUERY:
    PUT(b, "(");
    print_expr(b, e->in_query.arg);
    sql_buf_puts(b, e->in_query.negated ? " NOT IN (" : " IN (");
    print_query(b, e->in_query.query);
    PUT(b, "))");
    return;
  case SQL_EXPR_BETWEEN:
    PUT(b, "(");
    print_expr(b, e->between.arg);
    sql_buf_puts(b, e->between.negated ? " NOT BETWEEN " : " BETWEEN ");
    print_expr(b, e->between.low);
    PUT(b, " AND ");
    print_expr(b, e->between.high);
    PUT(b, ")");
    return;
  case SQL_EXPR_LIKE:
    PUT(b, "(");
    print_expr(b, e->like.arg);
    sql_buf_puts(b, e->like.negated ? " NOT" : "");
    sql_buf_puts(b, e->like.ilike ? " ILIKE " : " LIKE ");
    print_expr(b, e->like.pattern);
    if (e->like.escape) {
      PUT(b, " ESCAPE ");
      print_expr(b, e->like.escape);
    }
    PUT(b, ")");
    return;
  case SQL_EXPR_CASE:
    PUT(b, "CASE");
    if (e->case_when.operand) {
      PUT(b, " ");
      print_expr(b, e->case_when.operand);
    }
    for (int i = 0; i < e->case_when.nwhens; i++) {
      PUT(b, " WHEN ");
      print_expr(b, e->case_when.whens[i].when);
      PUT(b, " THEN ");
      print_expr(b, e->case_when.whens[i].then);
    }
    if (e->case_when.otherwise) {
      PUT(b, " ELSE ");
      print_expr(b, e->case_when.otherwise);
    }
    PUT(b, " END");
    return;
  case SQL_EXPR_CAST:
    sql_buf_puts(b, e->cast.try_cast ? "TRY_CAST(" : "CAST(");
    print_expr(b, e->cast.arg);
    PUT(b, " AS ");
    sql_print_type(&e->cast.type, b);
    PUT(b, ")");
    return;
  case SQL_EXPR_FUNC:
    put_func_name(b, &e->func.name);
    PUT(b, "(");
    if (e->func.star) {
      PUT(b, "*");
    } else {
      if (e->func.distinct)
        PUT(b, "DISTINCT ");
      print_exprs(b, e->func.args, e->func.nargs);
      if (e->func.norder_by) {
        PUT(b, " ");
        print_order(b, e->func.order_by, e->func.norder_by);
      }
    }
    PUT(b, ")");
    if (e->func.filter) {
      PUT(b, " FILTER (WHERE ");
      print_expr(b, e->func.filter);
      PUT(b, ")");
    }
    if (e->func.over)
      print_window(b, e->func.over);
    return;
  case SQL_EXPR_SUBQUERY:
    PUT(b, "(");
    print_query(b, e->subquery.query);
    PUT(b, ")");
    return;
  case SQL_EXPR_EXISTS:
    PUT(b, "EXISTS (");
    print_query(b, e->subquery.query);
    PUT(b, ")");
    return;
  }
}

/* ---- FROM and queries -------------------------------------------------------------------------*/

static void print_from(sql_buf *b, const sql_from *f) {
  switch (f->kind) {
  case SQL_FROM_TABLE:
    put_name(b, &f->table.name);
    break;
  case SQL_FROM_FILE:
    put_string(b, f->file.path, f->file.len);
    break;
  case SQL_FROM_FUNC:
    put_func_name(b, &f->func.name);
    PUT(b, "(");
    print_exprs(b, f->func.args, f->func.nargs);
    for (int i = 0; i < f->func.nnamed; i++) {
      if (i || f->func.nargs)
        PUT(b, ", ");
      put_name(b, &f->func.named[i].name);
      PUT(b, " = ");
      print_expr(b, f->func.named[i].value);
    }
    PUT(b, ")");
    break;
  case SQL_FROM_SUBQUERY:
    PUT(b, "(");
    print_query(b, f->subquery.query);
    PUT(b, ")");
    break;
  case SQL_FROM_JOIN: {
    static const char *const names[] = {"",           "JOIN",      "LEFT JOIN",
                                        "RIGHT JOIN", "FULL JOIN", "CROSS JOIN"};
    print_from(b, f->join.left);
    PUT(b, " ");
    if (f->join.asof)
      PUT(b, "ASOF ");
    sql_buf_puts(b, names[f->join.type]);
    PUT(b, " ");
    bool paren = f->join.right->kind == SQL_FROM_JOIN;
    if (paren)
      PUT(b, "(");
    print_from(b, f->join.right);
    if (paren)
      PUT(b, ")");
    if (f->join.on) {
      PUT(b, " ON ");
      print_expr(b, f->join.on);
    } else if (f->join.nusing) {
      PUT(b, " USING (");
      print_names(b, f->join.using_cols, f->join.nusing);
      PUT(b, ")");
    }
    return;
  }
  }
  if (f->alias) {
    PUT(b, " AS ");
    put_name(b, f->alias);
    if (f->ncol_aliases) {
      PUT(b, " (");
      print_names(b, f->col_aliases, f->ncol_aliases);
      PUT(b, ")");
    }
  }
}

static void print_select(sql_buf *b, const sql_select *s) {
  sql_buf_puts(b, s->distinct ? "SELECT DISTINCT " : "SELECT ");
  for (int i = 0; i < s->nitems; i++) {
    if (i)
      PUT(b, ", ");
    print_expr(b, s->items[i].expr);
    if (s->items[i].alias) {
      PUT(b, " AS ");
      put_name(b, s->items[i].alias);
    }
  }
  if (s->from) {
    PUT(b, " FROM ");
    print_from(b, s->from);
  }
  if (s->where) {
    PUT(b, " WHERE ");
    print_expr(b, s->where);
  }
  if (s->group_by_all) {
    PUT(b, " GROUP BY ALL");
  } else if (s->ngroup_by) {
    PUT(b, " GROUP BY ");
    print_exprs(b, s->group_by, s->ngroup_by);
  }
  if (s->having) {
    PUT(b, " HAVING ");
    print_expr(b, s->having);
  }
  if (s->qualify) {
    PUT(b, " QUALIFY ");
    print_expr(b, s->qualify);
  }
}

static void print_operand(sql_buf *b, const sql_query *q) {
  bool paren = q->kind == SQL_QUERY_SETOP || q->nctes || q->norder_by || q->limit || q->offset;
  if (paren)
    PUT(b, "(");
  print_query(b, q);
  if (paren)
    PUT(b, ")");
}

static void print_query(sql_buf *b, const sql_query *q) {
  if (q->nctes) {
    PUT(b, "WITH ");
    for (int i = 0; i < q->nctes; i++) {
      const sql_cte *c = &q->ctes[i];
      if (i)
        PUT(b, ", ");
      put_name(b, &c->name);
      if (c->ncols) {
        PUT(b, " (");
        print_names(b, c->cols, c->ncols);
        PUT(b, ")");
      }
      PUT(b, " AS (");
      print_query(b, c->query);
      PUT(b, ")");
    }
    PUT(b, " ");
  }
  if (q->kind == SQL_QUERY_SELECT) {
    print_select(b, q->select);
  } else {
    static const char *const names[] = {"", " UNION ", " EXCEPT ", " INTERSECT "};
    print_operand(b, q->setop.left);
    sql_buf_puts(b, names[q->setop.type]);
    if (q->setop.all)
      PUT(b, "ALL ");
    print_operand(b, q->setop.right);
  }
  if (q->norder_by) {
    PUT(b, " ");
    print_order(b, q->order_by, q->norder_by);
  }
  if (q->limit) {
    PUT(b, " LIMIT ");
    print_expr(b, q->limit);
  }
  if (q->offset) {
    PUT(b, " OFFSET ");
    print_expr(b, q->offset);
  }
}

bool sql_print_expr(const sql_expr *e, sql_buf *b) {
  print_expr(b, e);
  return !b->failed;
}

bool sql_print_query(const sql_query *q, sql_buf *b) {
  print_query(b, q);
  return !b->failed;
}

bool sql_print(const sql_stmt *stmt, sql_buf *b) {
  switch (stmt->kind) {
  case SQL_STMT_CREATE_TABLE:
    PUT(b, "CREATE ");
    if (stmt->or_replace)
      PUT(b, "OR REPLACE ");
    if (stmt->temp)
      PUT(b, "TEMP ");
    PUT(b, "TABLE ");
    put_name(b, &stmt->table);
    PUT(b, " AS ");
    return sql_print_query(stmt->query, b);
  case SQL_STMT_DROP_TABLE:
    PUT(b, "DROP TABLE ");
    if (stmt->if_exists)
      PUT(b, "IF EXISTS ");
    put_name(b, &stmt->table);
    return !b->failed;
  case SQL_STMT_QUERY:
    break;
  }
  return sql_print_query(stmt->query, b);
}

bool sql_print_script(const sql_script *script, sql_buf *b) {
  for (int i = 0; i < script->nstmts; i++) {
    if (i)
      PUT(b, ";\n");
    sql_print(script->stmts[i], b);
  }
  return !b->failed;
}
