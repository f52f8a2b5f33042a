/*
 * parse.c — the recursive-descent parser: tokens in, the tree of sql_int.h out.
 *
 * Queries, FROM items and clauses are parsed by one function each, following the grammar in
 * docs/sql.md. Expressions use precedence climbing over PostgreSQL's (and so DuckDB's) levels,
 * lowest first:
 *
 *   OR  <  AND  <  NOT  <  IS  <  comparisons  <  [NOT] IN, LIKE, ILIKE, BETWEEN  <  ||  <  + -
 *   <  * / %  <  ^  <  unary -  <  ::
 *
 * Comparisons do not chain (a < b < c is an error, as in DuckDB), nor do LIKE and BETWEEN, nor
 * IS DISTINCT FROM with another IS; the arithmetic operators and || associate to the left, ^
 * too (2^3^2 is 64, as in DuckDB). == is not a comparison in DuckDB's grammar but a generic
 * operator at the level of ||, so it is here too.
 *
 * Errors: the first error ends the parse. It is reported on the context (through sql_error_at,
 * so it carries the caret) and unwinds to sql_parse with longjmp, as Lua's parser does: a parser
 * has hundreds of places that can fail, and checking a status at each would bury the grammar.
 * Nothing needs cleaning up on the way out, since everything is in the arena except the token
 * array, which sql_parse frees.
 *
 * Bounds: every recursion passes through parse_binary, parse_query or parse_from_primary, which
 * count nesting; nodes carry their height. Either passing its cap is an error, so neither this
 * parser nor a later walk of the tree can exhaust the stack. The nesting cap is twice the height
 * cap (plus a margin) because the canonical text adds parentheses, and it must parse again.
 */
#include "sql/sql_int.h"

#include <inttypes.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_NESTING (2 * SQL_MAX_DEPTH + 64)

typedef struct parser {
  sbd_ctx *ctx;
  arena *a;
  const char *sql; /* the arena's copy */
  const sql_token *toks;
  int ntoks;
  int pos;
  int nesting;
  int alias_tok; /* the last token read as an alias without AS (for a hint), or -1 */
  jmp_buf fail;
} parser;

/* ---- tokens -----------------------------------------------------------------------------------*/

static const sql_token *cur(const parser *p) {
  return &p->toks[p->pos];
}

static const sql_token *peek(const parser *p, int k) {
  int i = p->pos + k;
  return &p->toks[i < p->ntoks ? i : p->ntoks - 1];
}

static void advance(parser *p) {
  if (p->toks[p->pos].type != SQL_TK_EOF)
    p->pos++;
}

static bool at(const parser *p, sql_token_type type) {
  return cur(p)->type == type;
}

static bool tok_is_kw(const sql_token *t, sql_keyword kw) {
  return t->type == SQL_TK_WORD && t->kw == kw;
}

static bool at_kw(const parser *p, sql_keyword kw) {
  return tok_is_kw(cur(p), kw);
}

static bool accept(parser *p, sql_token_type type) {
  if (!at(p, type))
    return false;
  advance(p);
  return true;
}

static bool accept_kw(parser *p, sql_keyword kw) {
  if (!at_kw(p, kw))
    return false;
  advance(p);
  return true;
}

/* Where the last consumed token ends: the end of the node being finished. */
static uint32_t prev_end(const parser *p) {
  if (p->pos == 0)
    return 0;
  const sql_token *t = &p->toks[p->pos - 1];
  return t->off + t->len;
}

/* An unquoted name that is not reserved, or a quoted one: what may name a column or table. */
static bool is_name(const sql_token *t) {
  return t->type == SQL_TK_QIDENT || (t->type == SQL_TK_WORD && !sql_keyword_reserved(t->kw));
}

/* Any word, reserved or not, or a quoted name: what may follow AS or a dot. */
static bool is_label(const sql_token *t) {
  return t->type == SQL_TK_QIDENT || t->type == SQL_TK_WORD;
}

/* ---- errors -----------------------------------------------------------------------------------*/

static _Noreturn void bail(parser *p, sbd_status status) {
  longjmp(p->fail, (int)status);
}

static _Noreturn void fail_msg(parser *p, sbd_status status, uint32_t off, const char *headline,
                               const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static _Noreturn void fail_msg(parser *p, sbd_status status, uint32_t off, const char *headline,
                               const char *fmt, ...) {
  char msg[400];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  int line, col;
  sql_line_col(p->sql, off, &line, &col);
  sql_error_at(p->ctx, p->sql, off, "%s at line %d, column %d: %s", headline, line, col, msg);
  bail(p, status);
}

#define fail_syntax(p, off, ...) fail_msg((p), SBD_EINPUT, (off), "syntax error", __VA_ARGS__)

static _Noreturn void fail_oom(parser *p) {
  bail(p, sbd_error(p->ctx, SBD_ENOMEM, "out of memory parsing SQL"));
}

static _Noreturn void fail_deep(parser *p, uint32_t off) {
  fail_msg(p, SBD_ELIMIT, off, "too deeply nested",
           "the limit is %d levels of expressions, subqueries and joins", SQL_MAX_DEPTH);
}

/* Copies at most max bytes of s[0, n), cut at a character boundary, adding "..." when cut. */
static void clip(char *buf, size_t cap, const char *s, size_t n, size_t max) {
  size_t k = n;
  if (k > max) {
    k = max;
    while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
      k--;
  }
  snprintf(buf, cap, "%.*s%s", (int)k, s, k < n ? "..." : "");
}

/* A token as a message names it: FROM, amount, "Amount", 42, the string 'x', ',' or the end. */
static void describe(const parser *p, const sql_token *t, char *buf, size_t cap) {
  const char *text = p->sql + t->off;
  switch (t->type) {
  case SQL_TK_EOF:
    snprintf(buf, cap, "the end of the SQL");
    return;
  case SQL_TK_WORD:
    if (t->kw) {
      snprintf(buf, cap, "%s", sql_keyword_name(t->kw));
      return;
    }
    clip(buf, cap, text, t->len, 40);
    return;
  case SQL_TK_QIDENT:
  case SQL_TK_INT:
  case SQL_TK_DECIMAL:
    clip(buf, cap, text, t->len, 40);
    return;
  case SQL_TK_STRING: {
    char s[64];
    clip(s, sizeof(s), text, t->len, 40);
    snprintf(buf, cap, "the string %s", s);
    return;
  }
  default:
    snprintf(buf, cap, "'%.*s'", (int)t->len, text);
    return;
  }
}

/* The previous token, as "after X" names it; ORDER BY, GROUP BY and PARTITION BY as a pair. */
static void describe_prev(const parser *p, char *buf, size_t cap) {
  const sql_token *t = &p->toks[p->pos - 1];
  if (tok_is_kw(t, SQL_KW_BY) && p->pos >= 2) {
    const sql_token *b = &p->toks[p->pos - 2];
    if (tok_is_kw(b, SQL_KW_ORDER) || tok_is_kw(b, SQL_KW_GROUP) ||
        tok_is_kw(b, SQL_KW_PARTITION)) {
      snprintf(buf, cap, "%s BY", sql_keyword_name(b->kw));
      return;
    }
  }
  describe(p, t, buf, cap);
}

/* The keywords a misspelt word is compared with for "did you mean". */
static const char *const hint_words[] = {
    "SELECT", "FROM",      "WHERE",  "GROUP", "HAVING",    "ORDER",  "LIMIT",    "OFFSET",
    "UNION",  "EXCEPT",    "JOIN",   "INNER", "LEFT",      "RIGHT",  "FULL",     "OUTER",
    "CROSS",  "ASOF",      "USING",  "AND",   "BETWEEN",   "LIKE",   "ILIKE",    "CASE",
    "WHEN",   "THEN",      "ELSE",   "END",   "DISTINCT",  "WITH",   "NULL",     "NULLS",
    "DESC",   "PARTITION", "FILTER", "OVER",  "INTERSECT", "EXISTS", "INTERVAL", "TRY_CAST",
};

/* A hint for a token found where something else was expected, or "". */
static void hint_for(const parser *p, char *buf, size_t cap) {
  const sql_token *t = cur(p);
  int n = (int)(sizeof(hint_words) / sizeof(hint_words[0]));
  buf[0] = 0;
  if (t->type == SQL_TK_WORD && t->kw == SQL_KW_NONE && t->len >= 3 && t->len <= 20) {
    char word[24];
    snprintf(word, sizeof(word), "%.*s", (int)t->len, p->sql + t->off);
    const char *best = sbd_closest(word, hint_words, n);
    if (best) {
      snprintf(buf, cap, " (did you mean %s?)", best);
      return;
    }
  }
  if (p->alias_tok >= 0 && p->alias_tok == p->pos - 1) {
    const sql_token *a = &p->toks[p->alias_tok];
    if (a->type == SQL_TK_WORD && a->len >= 3 && a->len <= 20) {
      char word[24];
      snprintf(word, sizeof(word), "%.*s", (int)a->len, p->sql + a->off);
      const char *best = sbd_closest(word, hint_words, n);
      if (best && strcasecmp(best, word) != 0) {
        snprintf(buf, cap, " (did you mean %s instead of %s?)", best, word);
        return;
      }
    }
  }
  switch (t->type == SQL_TK_WORD ? t->kw : SQL_KW_NONE) {
  case SQL_KW_NATURAL:
  case SQL_KW_POSITIONAL:
  case SQL_KW_SEMI:
  case SQL_KW_ANTI:
  case SQL_KW_LATERAL:
  case SQL_KW_WINDOW:
  case SQL_KW_PIVOT:
  case SQL_KW_UNPIVOT:
  case SQL_KW_ANY:
  case SQL_KW_SOME:
  case SQL_KW_VALUES:
    snprintf(buf, cap, " (sbd does not support %s)", sql_keyword_name(t->kw));
    return;
  default:
    return;
  }
}

/* "expected WHAT but found X", at the current token. */
static _Noreturn void fail_expected(parser *p, const char *what) {
  char found[96], hint[96];
  describe(p, cur(p), found, sizeof(found));
  hint_for(p, hint, sizeof(hint));
  fail_syntax(p, cur(p)->off, "expected %s but found %s%s", what, found, hint);
}

/* "expected WHAT after PREVIOUS but found X". */
static _Noreturn void fail_expected_after(parser *p, const char *what) {
  if (p->pos == 0)
    fail_expected(p, what);
  char found[96], prev[96], hint[96];
  describe(p, cur(p), found, sizeof(found));
  describe_prev(p, prev, sizeof(prev));
  hint_for(p, hint, sizeof(hint));
  fail_syntax(p, cur(p)->off, "expected %s after %s but found %s%s", what, prev, found, hint);
}

static void expect(parser *p, sql_token_type type, const char *what) {
  if (!accept(p, type))
    fail_expected(p, what);
}

static void expect_kw(parser *p, sql_keyword kw) {
  if (!accept_kw(p, kw))
    fail_expected_after(p, sql_keyword_name(kw));
}

/* ---- nesting and heights ----------------------------------------------------------------------*/

static void enter(parser *p) {
  if (++p->nesting > MAX_NESTING)
    fail_deep(p, cur(p)->off);
}

static void leave(parser *p) {
  p->nesting--;
}

static int max_int(int a, int b) {
  return a > b ? a : b;
}
static int h_expr(const sql_expr *e) {
  return e ? e->height : 0;
}

static int check_height(parser *p, int height, uint32_t off) {
  if (height > SQL_MAX_DEPTH)
    fail_deep(p, off);
  return height;
}

/* ---- allocation -------------------------------------------------------------------------------*/

static void *alloc(parser *p, size_t size) {
  void *m = arena_alloc(p->a, size);
  if (!m)
    fail_oom(p);
  memset(m, 0, size);
  return m;
}

static char *copy_text(parser *p, const char *s, size_t n) {
  char *d = arena_strndup(p->a, s, n);
  if (!d)
    fail_oom(p);
  return d;
}

/* A growable array in the arena (the old storage is abandoned when it grows: at most twice the
 * final size is used). */
typedef struct list {
  void *items;
  int n, cap;
  size_t size;
} list;

static void list_push(parser *p, list *l, const void *item) {
  if (l->n == l->cap) {
    int cap = l->cap ? l->cap * 2 : 4;
    void *m = alloc(p, l->size * (size_t)cap);
    if (l->n)
      memcpy(m, l->items, l->size * (size_t)l->n);
    l->items = m;
    l->cap = cap;
  }
  memcpy((char *)l->items + l->size * (size_t)l->n, item, l->size);
  l->n++;
}

#define LIST(type) ((list){NULL, 0, 0, sizeof(type)})

/* ---- names ------------------------------------------------------------------------------------*/

static sql_ident ident_from(parser *p, const sql_token *t) {
  sql_ident id;
  const char *s = p->sql + t->off;
  id.off = t->off;
  id.quoted = t->type == SQL_TK_QIDENT;
  char *name;
  if (id.quoted) {
    name = alloc(p, t->len);
    size_t o = 0;
    for (size_t i = 1; i + 1 < t->len; i++) {
      name[o++] = s[i];
      if (s[i] == '"')
        i++; /* "" is one quote */
    }
    name[o] = 0;
  } else {
    name = copy_text(p, s, t->len);
  }
  size_t n = strlen(name);
  char *lower = copy_text(p, name, n);
  for (size_t i = 0; i < n; i++)
    if (lower[i] >= 'A' && lower[i] <= 'Z')
      lower[i] = (char)(lower[i] - 'A' + 'a');
  id.name = name;
  id.lower = lower;
  return id;
}

/* An identifier made by the parser itself (date_part, to_days). */
static sql_ident ident_make(parser *p, const char *name, uint32_t off) {
  sql_ident id;
  id.name = copy_text(p, name, strlen(name));
  id.lower = id.name;
  id.off = off;
  id.quoted = false;
  return id;
}

static sql_ident expect_name(parser *p, const char *what) {
  if (!is_name(cur(p)))
    fail_expected_after(p, what);
  sql_ident id = ident_from(p, cur(p));
  advance(p);
  return id;
}

static sql_ident *ident_ptr(parser *p, sql_ident id) {
  sql_ident *d = alloc(p, sizeof(*d));
  *d = id;
  return d;
}

/* '(' name, name, ... ')' (the '(' already consumed). */
static sql_ident *parse_name_list(parser *p, int *n, const char *what) {
  list l = LIST(sql_ident);
  do {
    sql_ident id = expect_name(p, what);
    list_push(p, &l, &id);
  } while (accept(p, SQL_TK_COMMA));
  expect(p, SQL_TK_RPAREN, "',' or ')'");
  *n = l.n;
  return l.items;
}

/* ---- literals ---------------------------------------------------------------------------------*/

/* The text of a string token, '' made ', NUL-terminated, in the arena. */
static char *string_value(parser *p, const sql_token *t, size_t *len) {
  const char *s = p->sql + t->off;
  char *v = alloc(p, t->len);
  size_t o = 0;
  for (size_t i = 1; i + 1 < t->len; i++) {
    v[o++] = s[i];
    if (s[i] == '\'')
      i++;
  }
  v[o] = 0;
  *len = o;
  return v;
}

static sql_expr *new_expr(parser *p, sql_expr_kind kind, uint32_t off) {
  sql_expr *e = alloc(p, sizeof(*e));
  e->kind = kind;
  e->off = off;
  e->end = off;
  e->height = 1;
  return e;
}

/* Sets the end (to the last consumed token) and the height (one above the highest child). */
static sql_expr *finish(parser *p, sql_expr *e, int child_height) {
  e->end = prev_end(p);
  e->height = check_height(p, child_height + 1, e->off);
  return e;
}

static sql_expr *new_literal(parser *p, sql_literal_kind kind, const sql_token *t) {
  sql_expr *e = new_expr(p, SQL_EXPR_LITERAL, t->off);
  e->lit.kind = kind;
  e->end = t->off + t->len;
  return e;
}

static sql_expr *parse_number(parser *p) {
  const sql_token *t = cur(p);
  const char *s = p->sql + t->off;
  sql_expr *e;
  int64_t i;
  if (t->type == SQL_TK_INT && num_parse_int64(s, t->len, &i)) {
    e = new_literal(p, SQL_LIT_INT, t);
    e->lit.i = i;
  } else {
    /* Decimals, exponents and integers past INT64 are DOUBLE; 1e999 is infinity, as in
     * DuckDB. */
    double d;
    if (!num_parse_double(s, t->len, &d))
      fail_syntax(p, t->off, "cannot read the number %.*s", (int)(t->len > 60 ? 60 : t->len), s);
    e = new_literal(p, SQL_LIT_DOUBLE, t);
    e->lit.d = d;
  }
  advance(p);
  return e;
}

/* -e: a number literal takes the sign itself, so -9223372036854775808 is an INT64. */
static sql_expr *negate(parser *p, sql_expr *arg, uint32_t op_off) {
  if (arg->kind == SQL_EXPR_LITERAL && arg->lit.kind == SQL_LIT_INT) {
    if (arg->lit.i == INT64_MIN) {
      arg->lit.kind = SQL_LIT_DOUBLE;
      arg->lit.d = 9223372036854775808.0;
    } else {
      arg->lit.i = -arg->lit.i;
    }
    arg->off = op_off;
    return arg;
  }
  if (arg->kind == SQL_EXPR_LITERAL && arg->lit.kind == SQL_LIT_DOUBLE) {
    /* An integer too large for INT64 may fit once negative. */
    const char *s = p->sql + arg->off;
    size_t n = arg->end - arg->off, k = 0;
    while (k < n && s[k] >= '0' && s[k] <= '9')
      k++;
    char buf[48];
    int64_t i;
    if (k == n && n < sizeof(buf) - 1) {
      buf[0] = '-';
      memcpy(buf + 1, s, n);
      if (num_parse_int64(buf, n + 1, &i)) {
        arg->lit.kind = SQL_LIT_INT;
        arg->lit.i = i;
        arg->off = op_off;
        return arg;
      }
    }
    arg->lit.d = -arg->lit.d;
    arg->off = op_off;
    return arg;
  }
  sql_expr *e = new_expr(p, SQL_EXPR_UNARY, op_off);
  e->unary.op = SQL_OP_NEG;
  e->unary.op_off = op_off;
  e->unary.arg = arg;
  e->end = arg->end;
  e->height = check_height(p, arg->height + 1, op_off);
  return e;
}

/* ---- types ------------------------------------------------------------------------------------*/

static const struct {
  const char *lower, *name;
  sql_type_id id;
  int max_mods;
} type_names[] = {
    {"bool", "BOOL", SQL_TYPE_BOOL, 0},
    {"boolean", "BOOLEAN", SQL_TYPE_BOOL, 0},
    {"logical", "LOGICAL", SQL_TYPE_BOOL, 0},
    {"tinyint", "TINYINT", SQL_TYPE_INT64, 0},
    {"smallint", "SMALLINT", SQL_TYPE_INT64, 0},
    {"int", "INT", SQL_TYPE_INT64, 0},
    {"integer", "INTEGER", SQL_TYPE_INT64, 0},
    {"bigint", "BIGINT", SQL_TYPE_INT64, 0},
    {"hugeint", "HUGEINT", SQL_TYPE_INT64, 0},
    {"int1", "INT1", SQL_TYPE_INT64, 0},
    {"int2", "INT2", SQL_TYPE_INT64, 0},
    {"int4", "INT4", SQL_TYPE_INT64, 0},
    {"int8", "INT8", SQL_TYPE_INT64, 0},
    {"int32", "INT32", SQL_TYPE_INT64, 0},
    {"int64", "INT64", SQL_TYPE_INT64, 0},
    {"short", "SHORT", SQL_TYPE_INT64, 0},
    {"long", "LONG", SQL_TYPE_INT64, 0},
    {"signed", "SIGNED", SQL_TYPE_INT64, 0},
    {"utinyint", "UTINYINT", SQL_TYPE_INT64, 0},
    {"usmallint", "USMALLINT", SQL_TYPE_INT64, 0},
    {"uinteger", "UINTEGER", SQL_TYPE_INT64, 0},
    {"ubigint", "UBIGINT", SQL_TYPE_INT64, 0},
    {"double", "DOUBLE", SQL_TYPE_DOUBLE, 0},
    {"float", "FLOAT", SQL_TYPE_DOUBLE, 0},
    {"float4", "FLOAT4", SQL_TYPE_DOUBLE, 0},
    {"float8", "FLOAT8", SQL_TYPE_DOUBLE, 0},
    {"real", "REAL", SQL_TYPE_DOUBLE, 0},
    {"decimal", "DECIMAL", SQL_TYPE_DOUBLE, 2},
    {"numeric", "NUMERIC", SQL_TYPE_DOUBLE, 2},
    {"varchar", "VARCHAR", SQL_TYPE_STRING, 1},
    {"char", "CHAR", SQL_TYPE_STRING, 1},
    {"bpchar", "BPCHAR", SQL_TYPE_STRING, 1},
    {"character", "CHARACTER", SQL_TYPE_STRING, 1},
    {"text", "TEXT", SQL_TYPE_STRING, 0},
    {"string", "STRING", SQL_TYPE_STRING, 0},
    {"date", "DATE", SQL_TYPE_DATE, 0},
    {"timestamp", "TIMESTAMP", SQL_TYPE_TIMESTAMP, 0},
    {"datetime", "DATETIME", SQL_TYPE_TIMESTAMP, 0},
    {"timestamptz", "TIMESTAMPTZ", SQL_TYPE_TIMESTAMP, 0},
    {"interval", "INTERVAL", SQL_TYPE_INTERVAL, 0},
};
#define NTYPE_NAMES ((int)(sizeof(type_names) / sizeof(type_names[0])))

static bool word_is(const parser *p, const sql_token *t, const char *lower) {
  size_t n = strlen(lower);
  if (t->type != SQL_TK_WORD || t->len != n)
    return false;
  const char *s = p->sql + t->off;
  for (size_t i = 0; i < n; i++)
    if ((s[i] | 0x20) != lower[i])
      return false;
  return true;
}

static sql_type parse_type(parser *p) {
  const sql_token *t = cur(p);
  if (t->type != SQL_TK_WORD)
    fail_expected_after(p, "a type name");
  int k = -1;
  for (int i = 0; i < NTYPE_NAMES && k < 0; i++)
    if (word_is(p, t, type_names[i].lower))
      k = i;
  if (k < 0) {
    const char *names[NTYPE_NAMES];
    for (int i = 0; i < NTYPE_NAMES; i++)
      names[i] = type_names[i].name;
    char word[48], hint[64] = "";
    clip(word, sizeof(word), p->sql + t->off, t->len, 40);
    const char *best = t->len < 40 ? sbd_closest(word, names, NTYPE_NAMES) : NULL;
    if (best)
      snprintf(hint, sizeof(hint), " (did you mean %s?)", best);
    fail_syntax(p, t->off, "unknown type %s%s", word, hint);
  }
  sql_type type = {type_names[k].id, type_names[k].name, 0, {0, 0}, t->off};
  int max_mods = type_names[k].max_mods;
  advance(p);
  if (type.id == SQL_TYPE_DOUBLE && word_is(p, t, "double") && word_is(p, cur(p), "precision")) {
    advance(p);
  } else if (type.id == SQL_TYPE_STRING && word_is(p, t, "character") &&
             word_is(p, cur(p), "varying")) {
    type.name = "VARCHAR";
    advance(p);
  } else if (type.id == SQL_TYPE_TIMESTAMP && word_is(p, t, "timestamp") &&
             (at_kw(p, SQL_KW_WITH) || word_is(p, cur(p), "without")) &&
             word_is(p, peek(p, 1), "time") && word_is(p, peek(p, 2), "zone")) {
    if (at_kw(p, SQL_KW_WITH))
      type.name = "TIMESTAMPTZ";
    advance(p);
    advance(p);
    advance(p);
  }
  if (max_mods == 0 && at(p, SQL_TK_LPAREN))
    fail_syntax(p, cur(p)->off, "%s takes no width, precision or length in parentheses", type.name);
  if (max_mods > 0 && at(p, SQL_TK_LPAREN)) {
    advance(p);
    do {
      const sql_token *m = cur(p);
      int64_t v;
      if (m->type != SQL_TK_INT || !num_parse_int64(p->sql + m->off, m->len, &v))
        fail_expected_after(p, "a whole number");
      if (type.nmods == max_mods)
        fail_syntax(p, m->off, "%s takes at most %d modifier%s", type.name, max_mods,
                    max_mods == 1 ? "" : "s");
      type.mods[type.nmods++] = v;
      advance(p);
    } while (accept(p, SQL_TK_COMMA));
    expect(p, SQL_TK_RPAREN, "',' or ')'");
    if (type.id == SQL_TYPE_DOUBLE) {
      if (type.mods[0] < 1 || type.mods[0] > 38)
        fail_syntax(p, type.off, "the width of %s must be between 1 and 38, not %" PRId64,
                    type.name, type.mods[0]);
      if (type.nmods == 2 && type.mods[1] > type.mods[0])
        fail_syntax(p, type.off,
                    "the scale of %s (%" PRId64 ") must not exceed its width (%" PRId64 ")",
                    type.name, type.mods[1], type.mods[0]);
    }
  }
  return type;
}

/* ---- expressions ------------------------------------------------------------------------------*/

enum {
  PREC_NONE = 0,
  PREC_OR,
  PREC_AND,
  PREC_NOT,
  PREC_IS,
  PREC_CMP,
  PREC_IN, /* [NOT] IN, LIKE, ILIKE, BETWEEN */
  PREC_CONCAT,
  PREC_ADD,
  PREC_MUL,
  PREC_POW
};

static sql_expr *parse_binary(parser *p, int min_prec);
static sql_query *parse_query(parser *p);
static sql_query *continue_query(parser *p, sql_query *first);

static sql_expr *parse_expr(parser *p) {
  return parse_binary(p, PREC_OR);
}

static bool at_in_like_between(const sql_token *t) {
  return tok_is_kw(t, SQL_KW_IN) || tok_is_kw(t, SQL_KW_LIKE) || tok_is_kw(t, SQL_KW_ILIKE) ||
         tok_is_kw(t, SQL_KW_BETWEEN);
}

static int infix_prec(const parser *p) {
  const sql_token *t = cur(p);
  switch (t->type) {
  case SQL_TK_CONCAT:
    return PREC_CONCAT;
  case SQL_TK_PLUS:
  case SQL_TK_MINUS:
    return PREC_ADD;
  case SQL_TK_STAR:
  case SQL_TK_SLASH:
  case SQL_TK_PERCENT:
    return PREC_MUL;
  case SQL_TK_CARET:
    return PREC_POW;
  case SQL_TK_EQ:
    /* DuckDB reads == as a generic operator, at the level of ||: 2 == 2 = TRUE is TRUE. */
    return t->len == 2 ? PREC_CONCAT : PREC_CMP;
  case SQL_TK_NE:
  case SQL_TK_LT:
  case SQL_TK_LE:
  case SQL_TK_GT:
  case SQL_TK_GE:
    return PREC_CMP;
  case SQL_TK_WORD:
    switch (t->kw) {
    case SQL_KW_OR:
      return PREC_OR;
    case SQL_KW_AND:
      return PREC_AND;
    case SQL_KW_IS:
      return PREC_IS;
    case SQL_KW_IN:
    case SQL_KW_LIKE:
    case SQL_KW_ILIKE:
    case SQL_KW_BETWEEN:
      return PREC_IN;
    case SQL_KW_NOT:
      return at_in_like_between(peek(p, 1)) ? PREC_IN : PREC_NONE;
    default:
      return PREC_NONE;
    }
  default:
    return PREC_NONE;
  }
}

static sql_op binary_op(sql_token_type type) {
  switch (type) {
  case SQL_TK_CONCAT:
    return SQL_OP_CONCAT;
  case SQL_TK_PLUS:
    return SQL_OP_ADD;
  case SQL_TK_MINUS:
    return SQL_OP_SUB;
  case SQL_TK_STAR:
    return SQL_OP_MUL;
  case SQL_TK_SLASH:
    return SQL_OP_DIV;
  case SQL_TK_PERCENT:
    return SQL_OP_MOD;
  case SQL_TK_CARET:
    return SQL_OP_POW;
  case SQL_TK_EQ:
    return SQL_OP_EQ;
  case SQL_TK_NE:
    return SQL_OP_NE;
  case SQL_TK_LT:
    return SQL_OP_LT;
  case SQL_TK_LE:
    return SQL_OP_LE;
  case SQL_TK_GT:
    return SQL_OP_GT;
  default:
    return SQL_OP_GE;
  }
}

static sql_expr *make_binary(parser *p, sql_op op, uint32_t op_off, sql_expr *l, sql_expr *r) {
  sql_expr *e = new_expr(p, SQL_EXPR_BINARY, l->off);
  e->binary.op = op;
  e->binary.op_off = op_off;
  e->binary.left = l;
  e->binary.right = r;
  e->end = r->end;
  e->height = check_height(p, max_int(l->height, r->height) + 1, op_off);
  return e;
}

/* Tokens after a parenthesised query that continue it as a query: (SELECT ...) UNION ... */
static bool at_query_continuation(const parser *p) {
  return at_kw(p, SQL_KW_UNION) || at_kw(p, SQL_KW_EXCEPT) || at_kw(p, SQL_KW_INTERSECT) ||
         at_kw(p, SQL_KW_ORDER) || at_kw(p, SQL_KW_LIMIT) || at_kw(p, SQL_KW_OFFSET);
}

static bool at_query_start(const parser *p, int k) {
  const sql_token *t = peek(p, k);
  return tok_is_kw(t, SQL_KW_SELECT) || tok_is_kw(t, SQL_KW_WITH);
}

static sql_expr *parse_postfix(parser *p, sql_expr *e);

/* e IS [NOT] NULL | TRUE | FALSE | DISTINCT FROM e. A cast after the forms that end in a keyword
 * or a parenthesis applies to the whole test, as in PostgreSQL: a IS NULL::INT is
 * (a IS NULL)::INT; likewise after IN (...). */
static sql_expr *parse_is(parser *p, sql_expr *left) {
  uint32_t op_off = cur(p)->off;
  advance(p);
  bool negated = accept_kw(p, SQL_KW_NOT);
  if (accept_kw(p, SQL_KW_NULL)) {
    sql_expr *e = new_expr(p, SQL_EXPR_IS_NULL, left->off);
    e->is_null.negated = negated;
    e->is_null.arg = left;
    return parse_postfix(p, finish(p, e, left->height));
  }
  if (at_kw(p, SQL_KW_TRUE) || at_kw(p, SQL_KW_FALSE)) {
    /* x IS TRUE means x IS NOT DISTINCT FROM TRUE. */
    sql_expr *b = new_literal(p, SQL_LIT_BOOL, cur(p));
    b->lit.b = at_kw(p, SQL_KW_TRUE);
    advance(p);
    sql_op op = negated ? SQL_OP_IS_DISTINCT : SQL_OP_IS_NOT_DISTINCT;
    return parse_postfix(p, make_binary(p, op, op_off, left, b));
  }
  if (!accept_kw(p, SQL_KW_DISTINCT))
    fail_expected_after(p, "NULL, TRUE, FALSE or DISTINCT FROM");
  expect_kw(p, SQL_KW_FROM);
  sql_expr *right = parse_binary(p, PREC_IS + 1);
  if (at_kw(p, SQL_KW_IS))
    fail_syntax(p, cur(p)->off, "IS cannot follow IS DISTINCT FROM without parentheses");
  return make_binary(p, negated ? SQL_OP_IS_NOT_DISTINCT : SQL_OP_IS_DISTINCT, op_off, left, right);
}

/* If e is a parenthesised query followed by UNION, ORDER BY, ..., parses the rest of that query
 * and returns it; otherwise NULL. */
static sql_query *maybe_continue_query(parser *p, sql_expr *e) {
  if (e->kind != SQL_EXPR_SUBQUERY || !at_query_continuation(p))
    return NULL;
  return continue_query(p, e->subquery.query);
}

/* e [NOT] IN (...) | [NOT] LIKE p [ESCAPE c] | [NOT] ILIKE ... | [NOT] BETWEEN a AND b */
static sql_expr *parse_in_like_between(parser *p, sql_expr *left) {
  uint32_t op_off = cur(p)->off;
  bool negated = accept_kw(p, SQL_KW_NOT);
  sql_expr *e;
  int h = left->height;
  if (accept_kw(p, SQL_KW_IN)) {
    if (!accept(p, SQL_TK_LPAREN))
      fail_expected_after(p, "'('");
    sql_query *q = NULL;
    if (at_query_start(p, 0)) {
      q = parse_query(p);
    } else {
      sql_expr *first = parse_expr(p);
      q = maybe_continue_query(p, first);
      if (!q) {
        list l = LIST(sql_expr *);
        list_push(p, &l, &first);
        h = max_int(h, first->height);
        while (accept(p, SQL_TK_COMMA)) {
          sql_expr *x = parse_expr(p);
          list_push(p, &l, &x);
          h = max_int(h, x->height);
        }
        expect(p, SQL_TK_RPAREN, "',' or ')'");
        e = new_expr(p, SQL_EXPR_IN_LIST, left->off);
        e->in_list.negated = negated;
        e->in_list.op_off = op_off;
        e->in_list.arg = left;
        e->in_list.list = l.items;
        e->in_list.nlist = l.n;
        return parse_postfix(p, finish(p, e, h));
      }
    }
    expect(p, SQL_TK_RPAREN, "')'");
    e = new_expr(p, SQL_EXPR_IN_QUERY, left->off);
    e->in_query.negated = negated;
    e->in_query.op_off = op_off;
    e->in_query.arg = left;
    e->in_query.query = q;
    return parse_postfix(p, finish(p, e, max_int(h, q->height)));
  }
  if (at_kw(p, SQL_KW_LIKE) || at_kw(p, SQL_KW_ILIKE)) {
    e = new_expr(p, SQL_EXPR_LIKE, left->off);
    e->like.ilike = at_kw(p, SQL_KW_ILIKE);
    advance(p);
    e->like.negated = negated;
    e->like.op_off = op_off;
    e->like.arg = left;
    e->like.pattern = parse_binary(p, PREC_IN + 1);
    if (accept_kw(p, SQL_KW_ESCAPE))
      e->like.escape = parse_binary(p, PREC_IN + 1);
    h = max_int(h, max_int(e->like.pattern->height, h_expr(e->like.escape)));
  } else {
    if (!accept_kw(p, SQL_KW_BETWEEN))
      fail_expected_after(p, "IN, LIKE, ILIKE or BETWEEN");
    e = new_expr(p, SQL_EXPR_BETWEEN, left->off);
    e->between.negated = negated;
    e->between.op_off = op_off;
    e->between.arg = left;
    e->between.low = parse_binary(p, PREC_IN + 1);
    expect_kw(p, SQL_KW_AND);
    e->between.high = parse_binary(p, PREC_IN + 1);
    h = max_int(h, max_int(e->between.low->height, e->between.high->height));
  }
  finish(p, e, h);
  /* Nothing of this level may follow a LIKE or a BETWEEN, as in DuckDB (whose grammar makes
   * them non-associative; IN, which ends in a parenthesis, may be followed). */
  const sql_token *t = cur(p);
  if (at_in_like_between(t) || (tok_is_kw(t, SQL_KW_NOT) && at_in_like_between(peek(p, 1)))) {
    bool not_ = tok_is_kw(t, SQL_KW_NOT);
    fail_syntax(p, t->off, "%s%s cannot follow a LIKE or BETWEEN without parentheses",
                not_ ? "NOT " : "", sql_keyword_name((not_ ? peek(p, 1) : t)->kw));
  }
  return e;
}

static sql_expr *parse_binary(parser *p, int min_prec);
static sql_expr *parse_unary(parser *p);

static sql_expr *parse_binary(parser *p, int min_prec) {
  enter(p);
  sql_expr *left = parse_unary(p);
  for (;;) {
    int prec = infix_prec(p);
    if (prec == PREC_NONE || prec < min_prec)
      break;
    const sql_token *t = cur(p);
    if (prec == PREC_OR || prec == PREC_AND) {
      sql_keyword kw = t->kw;
      list l = LIST(sql_expr *);
      list_push(p, &l, &left);
      int h = left->height;
      while (accept_kw(p, kw)) {
        sql_expr *r = parse_binary(p, prec + 1);
        list_push(p, &l, &r);
        h = max_int(h, r->height);
      }
      sql_expr *e = new_expr(p, kw == SQL_KW_AND ? SQL_EXPR_AND : SQL_EXPR_OR, left->off);
      e->logic.args = l.items;
      e->logic.nargs = l.n;
      left = finish(p, e, h);
    } else if (prec == PREC_IS) {
      left = parse_is(p, left);
    } else if (prec == PREC_IN) {
      left = parse_in_like_between(p, left);
    } else {
      sql_op op = binary_op(t->type);
      uint32_t op_off = t->off;
      advance(p);
      sql_expr *right = parse_binary(p, prec + 1);
      left = make_binary(p, op, op_off, left, right);
      if (prec == PREC_CMP && infix_prec(p) == PREC_CMP) {
        char found[8];
        describe(p, cur(p), found, sizeof(found));
        fail_syntax(p, cur(p)->off, "comparisons do not chain: add parentheses, or AND, before %s",
                    found);
      }
    }
  }
  leave(p);
  return left;
}

static sql_expr *parse_primary(parser *p);

/* e::T, repeatedly. */
static sql_expr *parse_postfix(parser *p, sql_expr *e) {
  while (at(p, SQL_TK_COLONS)) {
    advance(p);
    sql_expr *c = new_expr(p, SQL_EXPR_CAST, e->off);
    c->cast.arg = e;
    c->cast.type = parse_type(p);
    e = finish(p, c, e->height);
  }
  return e;
}

/* Prefix - and + (any number: taken in a loop, not by recursion), NOT, or a primary. */
static sql_expr *parse_unary(parser *p) {
  int first_sign = p->pos;
  while (at(p, SQL_TK_MINUS) || at(p, SQL_TK_PLUS))
    advance(p);
  int after_signs = p->pos;
  sql_expr *e;
  if (at_kw(p, SQL_KW_NOT)) {
    uint32_t off = cur(p)->off;
    advance(p);
    sql_expr *arg = parse_binary(p, PREC_NOT + 1);
    e = new_expr(p, SQL_EXPR_UNARY, off);
    e->unary.op = SQL_OP_NOT;
    e->unary.op_off = off;
    e->unary.arg = arg;
    e = finish(p, e, arg->height);
  } else {
    e = parse_postfix(p, parse_primary(p));
  }
  for (int i = after_signs - 1; i >= first_sign; i--)
    if (p->toks[i].type == SQL_TK_MINUS)
      e = negate(p, e, p->toks[i].off);
  return e;
}

static void parse_order_items(parser *p, sql_order_item **items, int *n, int *height) {
  list l = LIST(sql_order_item);
  int h = 0;
  do {
    sql_order_item it = {parse_expr(p), false, SQL_NULLS_DEFAULT};
    h = max_int(h, it.expr->height);
    if (accept_kw(p, SQL_KW_DESC))
      it.desc = true;
    else
      accept_kw(p, SQL_KW_ASC);
    if (accept_kw(p, SQL_KW_NULLS)) {
      if (accept_kw(p, SQL_KW_FIRST))
        it.nulls = SQL_NULLS_FIRST;
      else if (accept_kw(p, SQL_KW_LAST))
        it.nulls = SQL_NULLS_LAST;
      else
        fail_expected_after(p, "FIRST or LAST");
    }
    list_push(p, &l, &it);
  } while (accept(p, SQL_TK_COMMA));
  *items = l.items;
  *n = l.n;
  *height = max_int(*height, h);
}

static sql_frame_bound parse_frame_bound(parser *p, int *height) {
  sql_frame_bound b = {0, NULL};
  if (accept_kw(p, SQL_KW_UNBOUNDED)) {
    if (accept_kw(p, SQL_KW_PRECEDING))
      b.kind = SQL_BOUND_UNBOUNDED_PRECEDING;
    else if (accept_kw(p, SQL_KW_FOLLOWING))
      b.kind = SQL_BOUND_UNBOUNDED_FOLLOWING;
    else
      fail_expected_after(p, "PRECEDING or FOLLOWING");
  } else if (accept_kw(p, SQL_KW_CURRENT)) {
    expect_kw(p, SQL_KW_ROW);
    b.kind = SQL_BOUND_CURRENT_ROW;
  } else {
    b.offset = parse_expr(p);
    *height = max_int(*height, b.offset->height);
    if (accept_kw(p, SQL_KW_PRECEDING))
      b.kind = SQL_BOUND_PRECEDING;
    else if (accept_kw(p, SQL_KW_FOLLOWING))
      b.kind = SQL_BOUND_FOLLOWING;
    else
      fail_expected_after(p, "PRECEDING or FOLLOWING");
  }
  return b;
}

/* OVER ( [PARTITION BY ...] [ORDER BY ...] [ROWS|RANGE|GROUPS frame] ), at OVER. */
static sql_window *parse_window(parser *p, int *height) {
  sql_window *w = alloc(p, sizeof(*w));
  w->off = cur(p)->off;
  advance(p); /* OVER */
  advance(p); /* ( */
  int h = 0;
  if (accept_kw(p, SQL_KW_PARTITION)) {
    expect_kw(p, SQL_KW_BY);
    list l = LIST(sql_expr *);
    do {
      sql_expr *e = parse_expr(p);
      list_push(p, &l, &e);
      h = max_int(h, e->height);
    } while (accept(p, SQL_TK_COMMA));
    w->partition_by = l.items;
    w->npartition_by = l.n;
  }
  if (accept_kw(p, SQL_KW_ORDER)) {
    expect_kw(p, SQL_KW_BY);
    parse_order_items(p, &w->order_by, &w->norder_by, &h);
  }
  if (at_kw(p, SQL_KW_ROWS) || at_kw(p, SQL_KW_RANGE) || at_kw(p, SQL_KW_GROUPS)) {
    w->frame = at_kw(p, SQL_KW_ROWS)    ? SQL_FRAME_ROWS
               : at_kw(p, SQL_KW_RANGE) ? SQL_FRAME_RANGE
                                        : SQL_FRAME_GROUPS;
    advance(p);
    uint32_t start_off = cur(p)->off, end_off;
    if (accept_kw(p, SQL_KW_BETWEEN)) {
      start_off = cur(p)->off;
      w->start = parse_frame_bound(p, &h);
      expect_kw(p, SQL_KW_AND);
      end_off = cur(p)->off;
      w->end = parse_frame_bound(p, &h);
    } else {
      w->start = parse_frame_bound(p, &h);
      end_off = start_off;
      w->end.kind = SQL_BOUND_CURRENT_ROW;
    }
    if (w->start.kind == SQL_BOUND_UNBOUNDED_FOLLOWING)
      fail_syntax(p, start_off, "a window frame cannot start at UNBOUNDED FOLLOWING");
    if (w->end.kind == SQL_BOUND_UNBOUNDED_PRECEDING)
      fail_syntax(p, end_off, "a window frame cannot end at UNBOUNDED PRECEDING");
    if (w->start.kind == SQL_BOUND_CURRENT_ROW && w->end.kind == SQL_BOUND_PRECEDING)
      fail_syntax(p, end_off,
                  "a window frame that starts at the CURRENT ROW cannot end at a "
                  "PRECEDING row");
    if (w->start.kind == SQL_BOUND_FOLLOWING &&
        (w->end.kind == SQL_BOUND_PRECEDING || w->end.kind == SQL_BOUND_CURRENT_ROW))
      fail_syntax(p, end_off,
                  "a window frame that starts at a FOLLOWING row must end at a "
                  "FOLLOWING row");
  }
  expect(p, SQL_TK_RPAREN, "')' to end the window");
  *height = max_int(*height, h);
  return w;
}

/* name(...) [FILTER (WHERE ...)] [OVER (...)], at the '('. */
static sql_expr *parse_call(parser *p, sql_ident name, uint32_t off) {
  sql_expr *e = new_expr(p, SQL_EXPR_FUNC, off);
  e->func.name = name;
  advance(p); /* ( */
  int h = 0;
  if (at(p, SQL_TK_STAR) && peek(p, 1)->type == SQL_TK_RPAREN) {
    e->func.star = true;
    advance(p);
  } else if (!at(p, SQL_TK_RPAREN)) {
    if (accept_kw(p, SQL_KW_DISTINCT))
      e->func.distinct = true;
    else
      accept_kw(p, SQL_KW_ALL);
    list l = LIST(sql_expr *);
    do {
      sql_expr *a = parse_expr(p);
      list_push(p, &l, &a);
      h = max_int(h, a->height);
    } while (accept(p, SQL_TK_COMMA));
    e->func.args = l.items;
    e->func.nargs = l.n;
    if (accept_kw(p, SQL_KW_ORDER)) {
      expect_kw(p, SQL_KW_BY);
      parse_order_items(p, &e->func.order_by, &e->func.norder_by, &h);
    }
  }
  expect(p, SQL_TK_RPAREN, "',' or ')'");
  if (at_kw(p, SQL_KW_FILTER) && peek(p, 1)->type == SQL_TK_LPAREN) {
    advance(p);
    advance(p);
    expect_kw(p, SQL_KW_WHERE);
    e->func.filter = parse_expr(p);
    h = max_int(h, e->func.filter->height);
    expect(p, SQL_TK_RPAREN, "')'");
  }
  if (at_kw(p, SQL_KW_OVER) && peek(p, 1)->type == SQL_TK_LPAREN)
    e->func.over = parse_window(p, &h);
  else if (at_kw(p, SQL_KW_OVER) && is_name(peek(p, 1)) && !is_name(peek(p, 2)))
    fail_syntax(p, peek(p, 1)->off,
                "expected '(' after OVER: sbd does not support named windows (OVER name)");
  return finish(p, e, h);
}

static sql_expr *parse_case(parser *p) {
  sql_expr *e = new_expr(p, SQL_EXPR_CASE, cur(p)->off);
  advance(p);
  int h = 0;
  if (!at_kw(p, SQL_KW_WHEN)) {
    e->case_when.operand = parse_expr(p);
    h = e->case_when.operand->height;
    if (!at_kw(p, SQL_KW_WHEN))
      fail_expected(p, "WHEN");
  }
  list l = LIST(sql_when);
  while (accept_kw(p, SQL_KW_WHEN)) {
    sql_when w;
    w.when = parse_expr(p);
    expect_kw(p, SQL_KW_THEN);
    w.then = parse_expr(p);
    h = max_int(h, max_int(w.when->height, w.then->height));
    list_push(p, &l, &w);
  }
  e->case_when.whens = l.items;
  e->case_when.nwhens = l.n;
  if (accept_kw(p, SQL_KW_ELSE)) {
    e->case_when.otherwise = parse_expr(p);
    h = max_int(h, e->case_when.otherwise->height);
    if (!accept_kw(p, SQL_KW_END))
      fail_expected(p, "END");
  } else if (!accept_kw(p, SQL_KW_END)) {
    fail_expected(p, "WHEN, ELSE or END");
  }
  return finish(p, e, h);
}

/* CAST(e AS T) and TRY_CAST(e AS T). */
static sql_expr *parse_cast(parser *p) {
  sql_expr *e = new_expr(p, SQL_EXPR_CAST, cur(p)->off);
  e->cast.try_cast = at_kw(p, SQL_KW_TRY_CAST);
  advance(p);
  if (!accept(p, SQL_TK_LPAREN))
    fail_expected_after(p, "'('");
  e->cast.arg = parse_expr(p);
  expect_kw(p, SQL_KW_AS);
  e->cast.type = parse_type(p);
  expect(p, SQL_TK_RPAREN, "')'");
  return finish(p, e, e->cast.arg->height);
}

/* EXTRACT(part FROM e), read as date_part('part', e). */
static sql_expr *parse_extract(parser *p) {
  uint32_t off = cur(p)->off;
  advance(p); /* EXTRACT */
  advance(p); /* ( */
  const sql_token *t = cur(p);
  sql_expr *part = new_literal(p, SQL_LIT_STRING, t);
  if (t->type == SQL_TK_STRING) {
    part->lit.str = string_value(p, t, &part->lit.len);
  } else if (t->type == SQL_TK_WORD) {
    part->lit.str = copy_text(p, p->sql + t->off, t->len);
    part->lit.len = t->len;
  } else {
    fail_expected_after(p, "a date part (year, month, day, hour, ...)");
  }
  for (char *c = (char *)part->lit.str; *c; c++)
    if (*c >= 'A' && *c <= 'Z')
      *c = (char)(*c - 'A' + 'a');
  advance(p);
  expect_kw(p, SQL_KW_FROM);
  sql_expr *arg = parse_expr(p);
  expect(p, SQL_TK_RPAREN, "')'");
  sql_expr *e = new_expr(p, SQL_EXPR_FUNC, off);
  e->func.name = ident_make(p, "date_part", off);
  e->func.args = alloc(p, 2 * sizeof(sql_expr *));
  e->func.args[0] = part;
  e->func.args[1] = arg;
  e->func.nargs = 2;
  return finish(p, e, arg->height);
}

/* DATE '...', TIMESTAMP '...', TIMESTAMPTZ '...', at the keyword. */
static sql_expr *parse_typed_literal(parser *p) {
  const sql_token *kw = cur(p), *s = peek(p, 1);
  size_t n;
  const char *text = string_value(p, s, &n);
  sql_expr *e = new_literal(p, SQL_LIT_DATE, kw);
  char shown[80];
  sbd_quote_value(shown, sizeof(shown), text, n);
  if (kw->kw == SQL_KW_DATE) {
    if (!tm_parse_date(text, n, &e->lit.date))
      fail_msg(p, SBD_EINPUT, s->off, "invalid literal", "cannot read %s as a DATE (YYYY-MM-DD)",
               shown);
  } else {
    e->lit.kind = SQL_LIT_TIMESTAMP;
    e->lit.tz = kw->kw == SQL_KW_TIMESTAMPTZ;
    if (!tm_parse_timestamp(text, n, &e->lit.ts))
      fail_msg(p, SBD_EINPUT, s->off, "invalid literal",
               "cannot read %s as a TIMESTAMP (YYYY-MM-DD hh:mm:ss[.ffffff][+hh:mm])", shown);
  }
  advance(p);
  advance(p);
  e->end = prev_end(p);
  return e;
}

/* The units of INTERVAL n UNIT and INTERVAL (e) UNIT, and the function the second becomes. */
static const struct {
  const char *singular, *plural, *func;
} interval_units[] = {
    {"microsecond", "microseconds", "to_microseconds"},
    {"millisecond", "milliseconds", "to_milliseconds"},
    {"second", "seconds", "to_seconds"},
    {"minute", "minutes", "to_minutes"},
    {"hour", "hours", "to_hours"},
    {"day", "days", "to_days"},
    {"week", "weeks", "to_weeks"},
    {"month", "months", "to_months"},
    {"quarter", "quarters", "to_quarters"},
    {"year", "years", "to_years"},
    {"decade", "decades", "to_decades"},
    {"century", "centuries", "to_centuries"},
    {"millennium", "millennia", "to_millennia"},
};
#define NINTERVAL_UNITS ((int)(sizeof(interval_units) / sizeof(interval_units[0])))

static int interval_unit(const parser *p, const sql_token *t) {
  for (int i = 0; i < NINTERVAL_UNITS; i++)
    if (word_is(p, t, interval_units[i].singular) || word_is(p, t, interval_units[i].plural))
      return i;
  return -1;
}

static int expect_interval_unit(parser *p) {
  int u = interval_unit(p, cur(p));
  if (u < 0)
    fail_expected_after(p, "an interval unit (YEAR, MONTH, DAY, HOUR, MINUTE, SECOND, ...)");
  advance(p);
  return u;
}

/* INTERVAL '3 days' | INTERVAL '3' DAY | INTERVAL 3 DAY | INTERVAL (e) DAY, at INTERVAL. */
static sql_expr *parse_interval(parser *p) {
  const sql_token *kw = cur(p);
  advance(p);
  const sql_token *v = cur(p);
  if (v->type == SQL_TK_LPAREN) {
    advance(p);
    sql_expr *arg = parse_expr(p);
    expect(p, SQL_TK_RPAREN, "')'");
    int u = expect_interval_unit(p);
    sql_expr *e = new_expr(p, SQL_EXPR_FUNC, kw->off);
    e->func.name = ident_make(p, interval_units[u].func, kw->off);
    e->func.args = alloc(p, sizeof(sql_expr *));
    e->func.args[0] = arg;
    e->func.nargs = 1;
    return finish(p, e, arg->height);
  }
  size_t n;
  const char *text;
  if (v->type == SQL_TK_STRING) {
    text = string_value(p, v, &n);
  } else {
    text = p->sql + v->off;
    n = v->len;
  }
  advance(p);
  /* A unit after the value applies to it: '3' DAY and 3 DAY are '3 day'. */
  char *joined = NULL;
  if (v->type != SQL_TK_STRING || interval_unit(p, cur(p)) >= 0) {
    int u = expect_interval_unit(p);
    size_t un = strlen(interval_units[u].singular);
    joined = alloc(p, n + un + 2);
    memcpy(joined, text, n);
    joined[n] = ' ';
    memcpy(joined + n + 1, interval_units[u].singular, un + 1);
    text = joined;
    n += un + 1;
  }
  sql_expr *e = new_literal(p, SQL_LIT_INTERVAL, kw);
  if (!sql_interval_parse(text, n, &e->lit.interval)) {
    char shown[80];
    sbd_quote_value(shown, sizeof(shown), text, n);
    fail_msg(p, SBD_EINPUT, v->off, "invalid literal",
             "cannot read %s as an INTERVAL (such as '3 days', '1 year 2 months', '04:30:00')",
             shown);
  }
  e->end = prev_end(p);
  return e;
}

/* [table.]column, or a function call, from a name at the current token. */
static sql_expr *parse_name_expr(parser *p) {
  const sql_token *t = cur(p);
  sql_ident first = ident_from(p, t);
  advance(p);
  if (at(p, SQL_TK_LPAREN))
    return parse_call(p, first, t->off);
  sql_expr *e = new_expr(p, SQL_EXPR_COLUMN, t->off);
  if (accept(p, SQL_TK_DOT)) {
    if (at(p, SQL_TK_STAR))
      fail_syntax(p, cur(p)->off, "%s.* is only allowed as an item of the select list", first.name);
    if (!is_label(cur(p)))
      fail_expected_after(p, "a column name");
    e->column.table = ident_ptr(p, first);
    e->column.name = ident_from(p, cur(p));
    advance(p);
    if (at(p, SQL_TK_DOT))
      fail_syntax(p, cur(p)->off, "a column is written name or table.name, with one dot at most");
  } else {
    e->column.name = first;
  }
  return finish(p, e, 0);
}

static sql_expr *parse_primary(parser *p) {
  const sql_token *t = cur(p);
  switch (t->type) {
  case SQL_TK_INT:
  case SQL_TK_DECIMAL:
    return parse_number(p);
  case SQL_TK_STRING: {
    sql_expr *e = new_literal(p, SQL_LIT_STRING, t);
    e->lit.str = string_value(p, t, &e->lit.len);
    advance(p);
    return e;
  }
  case SQL_TK_QIDENT:
    return parse_name_expr(p);
  case SQL_TK_LPAREN: {
    advance(p);
    sql_expr *e;
    if (at_query_start(p, 0)) {
      sql_query *q = parse_query(p);
      expect(p, SQL_TK_RPAREN, "')'");
      e = new_expr(p, SQL_EXPR_SUBQUERY, t->off);
      e->subquery.query = q;
      return finish(p, e, q->height);
    }
    e = parse_expr(p);
    sql_query *q = maybe_continue_query(p, e);
    expect(p, SQL_TK_RPAREN, "')'");
    if (q) {
      e = new_expr(p, SQL_EXPR_SUBQUERY, t->off);
      e->subquery.query = q;
      return finish(p, e, q->height);
    }
    return e;
  }
  case SQL_TK_WORD:
    break;
  default:
    fail_expected_after(p, "an expression");
  }
  const sql_token *next = peek(p, 1);
  switch (t->kw) {
  case SQL_KW_NONE:
    return parse_name_expr(p);
  case SQL_KW_NULL:
  case SQL_KW_TRUE:
  case SQL_KW_FALSE: {
    sql_expr *e = new_literal(p, t->kw == SQL_KW_NULL ? SQL_LIT_NULL : SQL_LIT_BOOL, t);
    e->lit.b = t->kw == SQL_KW_TRUE;
    advance(p);
    return e;
  }
  case SQL_KW_CASE:
    return parse_case(p);
  case SQL_KW_CAST:
  case SQL_KW_TRY_CAST:
    return parse_cast(p);
  case SQL_KW_EXISTS: {
    sql_expr *e = new_expr(p, SQL_EXPR_EXISTS, t->off);
    advance(p);
    if (!accept(p, SQL_TK_LPAREN))
      fail_expected_after(p, "'('");
    if (!at_query_start(p, 0) && !at(p, SQL_TK_LPAREN))
      fail_expected_after(p, "SELECT");
    e->subquery.query = parse_query(p);
    expect(p, SQL_TK_RPAREN, "')'");
    return finish(p, e, e->subquery.query->height);
  }
  case SQL_KW_CURRENT_DATE:
  case SQL_KW_CURRENT_TIMESTAMP: {
    sql_expr *e = new_expr(p, SQL_EXPR_FUNC, t->off);
    e->func.name = ident_from(p, t);
    advance(p);
    if (at(p, SQL_TK_LPAREN) && peek(p, 1)->type == SQL_TK_RPAREN) {
      advance(p);
      advance(p);
    }
    return finish(p, e, 0);
  }
  case SQL_KW_LEFT:
  case SQL_KW_RIGHT:
    if (next->type == SQL_TK_LPAREN)
      return parse_name_expr(p);
    break;
  case SQL_KW_EXTRACT:
    if (next->type == SQL_TK_LPAREN)
      return parse_extract(p);
    break;
  case SQL_KW_DATE:
  case SQL_KW_TIMESTAMP:
  case SQL_KW_TIMESTAMPTZ:
    if (next->type == SQL_TK_STRING)
      return parse_typed_literal(p);
    break;
  case SQL_KW_INTERVAL:
    if (next->type == SQL_TK_STRING || next->type == SQL_TK_INT || next->type == SQL_TK_DECIMAL ||
        next->type == SQL_TK_LPAREN)
      return parse_interval(p);
    break;
  default:
    break;
  }
  if (sql_keyword_reserved(t->kw))
    fail_expected_after(p, "an expression");
  return parse_name_expr(p);
}

/* ---- FROM -------------------------------------------------------------------------------------*/

static sql_from *new_from(parser *p, sql_from_kind kind, uint32_t off) {
  sql_from *f = alloc(p, sizeof(*f));
  f->kind = kind;
  f->off = off;
  f->height = 1;
  return f;
}

/* [AS] alias [(col, ...)] after a FROM item. */
static void parse_table_alias(parser *p, sql_from *f) {
  if (accept_kw(p, SQL_KW_AS)) {
    f->alias = ident_ptr(p, expect_name(p, "an alias"));
  } else if (is_name(cur(p))) {
    p->alias_tok = p->pos;
    f->alias = ident_ptr(p, ident_from(p, cur(p)));
    advance(p);
  } else {
    return;
  }
  if (accept(p, SQL_TK_LPAREN)) {
    f->col_aliases = parse_name_list(p, &f->ncol_aliases, "a column name");
    if (p->alias_tok == p->pos - 1)
      p->alias_tok = -1;
  }
}

/* read_csv('x.csv', delim = ';'), at the '('. */
static void parse_table_func_args(parser *p, sql_from *f) {
  advance(p); /* ( */
  list args = LIST(sql_expr *), named = LIST(sql_named_arg);
  int h = 0;
  if (!at(p, SQL_TK_RPAREN)) {
    do {
      if (is_label(cur(p)) && peek(p, 1)->type == SQL_TK_EQ) {
        sql_named_arg a;
        a.name = ident_from(p, cur(p));
        advance(p);
        advance(p);
        a.value = parse_expr(p);
        h = max_int(h, a.value->height);
        list_push(p, &named, &a);
      } else {
        sql_expr *e = parse_expr(p);
        h = max_int(h, e->height);
        list_push(p, &args, &e);
      }
    } while (accept(p, SQL_TK_COMMA));
  }
  expect(p, SQL_TK_RPAREN, "',' or ')'");
  f->func.args = args.items;
  f->func.nargs = args.n;
  f->func.named = named.items;
  f->func.nnamed = named.n;
  f->height = check_height(p, h + 1, f->off);
}

static sql_from *parse_table_ref(parser *p);

static sql_from *parse_from_primary(parser *p) {
  enter(p);
  const sql_token *t = cur(p);
  sql_from *f;
  if (t->type == SQL_TK_STRING) {
    f = new_from(p, SQL_FROM_FILE, t->off);
    f->file.path = string_value(p, t, &f->file.len);
    advance(p);
  } else if (is_name(t)) {
    sql_ident name = ident_from(p, t);
    advance(p);
    if (at(p, SQL_TK_LPAREN)) {
      f = new_from(p, SQL_FROM_FUNC, t->off);
      f->func.name = name;
      parse_table_func_args(p, f);
    } else {
      f = new_from(p, SQL_FROM_TABLE, t->off);
      f->table.name = name;
    }
  } else if (t->type == SQL_TK_LPAREN) {
    advance(p);
    sql_query *q = NULL;
    if (at_query_start(p, 0)) {
      q = parse_query(p);
    } else {
      /* A parenthesised join, or a parenthesised query that continues: ((SELECT ...) UNION
       * ALL (SELECT ...)). */
      sql_from *inner = parse_table_ref(p);
      if (inner->kind == SQL_FROM_SUBQUERY && !inner->alias && at_query_continuation(p)) {
        q = continue_query(p, inner->subquery.query);
      } else {
        expect(p, SQL_TK_RPAREN, "')'");
        if (inner->kind == SQL_FROM_JOIN || inner->alias) {
          leave(p);
          return inner;
        }
        parse_table_alias(p, inner);
        inner->end = prev_end(p);
        leave(p);
        return inner;
      }
    }
    expect(p, SQL_TK_RPAREN, "')'");
    f = new_from(p, SQL_FROM_SUBQUERY, t->off);
    f->subquery.query = q;
    f->height = check_height(p, q->height + 1, t->off);
  } else {
    fail_expected_after(p, "a table name, a 'file path' or a subquery");
  }
  parse_table_alias(p, f);
  f->end = prev_end(p);
  leave(p);
  return f;
}

/* from_primary { [INNER|LEFT|RIGHT|FULL [OUTER]|CROSS|ASOF [LEFT]] JOIN from_primary [ON|USING] }
 */
static sql_from *parse_table_ref(parser *p) {
  sql_from *left = parse_from_primary(p);
  for (;;) {
    uint32_t op_off = cur(p)->off;
    sql_join_type type;
    bool asof = false;
    if (accept_kw(p, SQL_KW_CROSS)) {
      type = SQL_JOIN_CROSS;
    } else if (accept_kw(p, SQL_KW_ASOF)) {
      asof = true;
      type = SQL_JOIN_INNER;
      if (accept_kw(p, SQL_KW_LEFT)) {
        type = SQL_JOIN_LEFT;
        accept_kw(p, SQL_KW_OUTER);
      } else {
        accept_kw(p, SQL_KW_INNER);
      }
    } else if (accept_kw(p, SQL_KW_INNER)) {
      type = SQL_JOIN_INNER;
    } else if (at_kw(p, SQL_KW_LEFT) || at_kw(p, SQL_KW_RIGHT) || at_kw(p, SQL_KW_FULL)) {
      type = at_kw(p, SQL_KW_LEFT)    ? SQL_JOIN_LEFT
             : at_kw(p, SQL_KW_RIGHT) ? SQL_JOIN_RIGHT
                                      : SQL_JOIN_FULL;
      advance(p);
      accept_kw(p, SQL_KW_OUTER);
    } else if (at_kw(p, SQL_KW_JOIN)) {
      type = SQL_JOIN_INNER;
    } else {
      return left;
    }
    expect_kw(p, SQL_KW_JOIN);
    sql_from *right = parse_from_primary(p);
    sql_from *j = new_from(p, SQL_FROM_JOIN, left->off);
    j->join.type = type;
    j->join.asof = asof;
    j->join.op_off = op_off;
    j->join.left = left;
    j->join.right = right;
    int h = max_int(left->height, right->height);
    if (type != SQL_JOIN_CROSS) {
      if (accept_kw(p, SQL_KW_ON)) {
        j->join.on = parse_expr(p);
        h = max_int(h, j->join.on->height);
      } else if (accept_kw(p, SQL_KW_USING)) {
        if (!accept(p, SQL_TK_LPAREN))
          fail_expected_after(p, "'('");
        j->join.using_cols = parse_name_list(p, &j->join.nusing, "a column name");
      } else {
        fail_expected(p, "JOIN condition ON or USING");
      }
    }
    j->end = prev_end(p);
    j->height = check_height(p, h + 1, op_off);
    left = j;
  }
}

/* table_ref {, table_ref}: a comma is a CROSS JOIN (binding more loosely than JOIN). */
static sql_from *parse_from_list(parser *p) {
  sql_from *f = parse_table_ref(p);
  while (at(p, SQL_TK_COMMA)) {
    uint32_t op_off = cur(p)->off;
    advance(p);
    sql_from *right = parse_table_ref(p);
    sql_from *j = new_from(p, SQL_FROM_JOIN, f->off);
    j->join.type = SQL_JOIN_CROSS;
    j->join.op_off = op_off;
    j->join.left = f;
    j->join.right = right;
    j->end = prev_end(p);
    j->height = check_height(p, max_int(f->height, right->height) + 1, op_off);
    f = j;
  }
  return f;
}

/* ---- queries ----------------------------------------------------------------------------------*/

static sql_query *new_query(parser *p, sql_query_kind kind, uint32_t off) {
  sql_query *q = alloc(p, sizeof(*q));
  q->kind = kind;
  q->off = off;
  q->height = 1;
  return q;
}

static void raise_height(parser *p, sql_query *q, int child_height, uint32_t off) {
  q->height = check_height(p, max_int(q->height, child_height + 1), off);
}

/* *, t.*, with EXCLUDE (a, b) or EXCLUDE a. */
static sql_expr *parse_star(parser *p) {
  const sql_token *t = cur(p);
  sql_expr *e = new_expr(p, SQL_EXPR_STAR, t->off);
  if (t->type != SQL_TK_STAR) {
    e->star.table = ident_ptr(p, ident_from(p, t));
    advance(p);
    advance(p); /* . */
  }
  advance(p); /* * */
  if (at_kw(p, SQL_KW_EXCLUDE) && (peek(p, 1)->type == SQL_TK_LPAREN || is_name(peek(p, 1)))) {
    advance(p);
    if (accept(p, SQL_TK_LPAREN)) {
      e->star.exclude = parse_name_list(p, &e->star.nexclude, "a column name");
    } else {
      e->star.exclude = ident_ptr(p, expect_name(p, "a column name"));
      e->star.nexclude = 1;
    }
  }
  return finish(p, e, 0);
}

static sql_select_item parse_select_item(parser *p) {
  sql_select_item it = {NULL, NULL};
  const sql_token *t = cur(p);
  if (t->type == SQL_TK_STAR ||
      (is_name(t) && peek(p, 1)->type == SQL_TK_DOT && peek(p, 2)->type == SQL_TK_STAR))
    return (sql_select_item){parse_star(p), NULL};
  it.expr = parse_expr(p);
  if (accept_kw(p, SQL_KW_AS)) {
    if (!is_label(cur(p)))
      fail_expected_after(p, "an alias");
    it.alias = ident_ptr(p, ident_from(p, cur(p)));
    advance(p);
  } else if (is_name(cur(p))) {
    p->alias_tok = p->pos;
    it.alias = ident_ptr(p, ident_from(p, cur(p)));
    advance(p);
  }
  return it;
}

static sql_query *parse_select(parser *p) {
  sql_query *q = new_query(p, SQL_QUERY_SELECT, cur(p)->off);
  sql_select *s = alloc(p, sizeof(*s));
  q->select = s;
  s->off = cur(p)->off;
  advance(p); /* SELECT */
  if (accept_kw(p, SQL_KW_DISTINCT))
    s->distinct = true;
  else
    accept_kw(p, SQL_KW_ALL);
  int h = 0;
  list items = LIST(sql_select_item);
  do {
    sql_select_item it = parse_select_item(p);
    h = max_int(h, it.expr->height);
    list_push(p, &items, &it);
  } while (accept(p, SQL_TK_COMMA));
  s->items = items.items;
  s->nitems = items.n;
  if (accept_kw(p, SQL_KW_FROM)) {
    s->from = parse_from_list(p);
    h = max_int(h, s->from->height);
  }
  if (accept_kw(p, SQL_KW_WHERE)) {
    s->where = parse_expr(p);
    h = max_int(h, s->where->height);
  }
  if (accept_kw(p, SQL_KW_GROUP)) {
    expect_kw(p, SQL_KW_BY);
    if (accept_kw(p, SQL_KW_ALL)) {
      s->group_by_all = true;
    } else {
      list l = LIST(sql_expr *);
      do {
        sql_expr *e = parse_expr(p);
        h = max_int(h, e->height);
        list_push(p, &l, &e);
      } while (accept(p, SQL_TK_COMMA));
      s->group_by = l.items;
      s->ngroup_by = l.n;
    }
  }
  if (accept_kw(p, SQL_KW_HAVING)) {
    s->having = parse_expr(p);
    h = max_int(h, s->having->height);
  }
  if (accept_kw(p, SQL_KW_QUALIFY)) {
    s->qualify = parse_expr(p);
    h = max_int(h, s->qualify->height);
  }
  q->end = prev_end(p);
  raise_height(p, q, h, q->off);
  return q;
}

/* '(' query ')' | SELECT ... */
static sql_query *parse_query_operand(parser *p) {
  if (accept(p, SQL_TK_LPAREN)) {
    sql_query *q = parse_query(p);
    expect(p, SQL_TK_RPAREN, "')'");
    return q;
  }
  if (!at_kw(p, SQL_KW_SELECT))
    fail_expected_after(p, "SELECT or '('");
  return parse_select(p);
}

static int setop_prec(const parser *p) {
  if (at_kw(p, SQL_KW_UNION) || at_kw(p, SQL_KW_EXCEPT))
    return 1;
  if (at_kw(p, SQL_KW_INTERSECT))
    return 2;
  return 0;
}

/* left { UNION|EXCEPT|INTERSECT [ALL|DISTINCT] operand }, INTERSECT binding tighter. */
static sql_query *parse_setops(parser *p, sql_query *left, int min_prec) {
  for (;;) {
    int prec = setop_prec(p);
    if (prec == 0 || prec < min_prec)
      return left;
    const sql_token *t = cur(p);
    advance(p);
    bool all = accept_kw(p, SQL_KW_ALL);
    if (!all)
      accept_kw(p, SQL_KW_DISTINCT);
    sql_query *right = parse_setops(p, parse_query_operand(p), prec + 1);
    sql_query *q = new_query(p, SQL_QUERY_SETOP, left->off);
    q->setop.type = t->kw == SQL_KW_UNION    ? SQL_SETOP_UNION
                    : t->kw == SQL_KW_EXCEPT ? SQL_SETOP_EXCEPT
                                             : SQL_SETOP_INTERSECT;
    q->setop.all = all;
    q->setop.op_off = t->off;
    q->setop.left = left;
    q->setop.right = right;
    q->end = prev_end(p);
    raise_height(p, q, max_int(left->height, right->height), t->off);
    left = q;
  }
}

/* [ORDER BY ...] [LIMIT e] [OFFSET e] (LIMIT and OFFSET in either order), on q. */
static sql_query *parse_query_clauses(parser *p, sql_query *q) {
  if (at_kw(p, SQL_KW_ORDER)) {
    if (q->norder_by)
      fail_syntax(p, cur(p)->off, "a query may have only one ORDER BY");
    advance(p);
    expect_kw(p, SQL_KW_BY);
    int h = 0;
    parse_order_items(p, &q->order_by, &q->norder_by, &h);
    raise_height(p, q, h, q->off);
  }
  for (int i = 0; i < 2; i++) {
    bool limit = at_kw(p, SQL_KW_LIMIT);
    if (!limit && !at_kw(p, SQL_KW_OFFSET))
      break;
    if (limit ? q->limit != NULL : q->offset != NULL)
      fail_syntax(p, cur(p)->off, "a query may have only one %s", limit ? "LIMIT" : "OFFSET");
    advance(p);
    sql_expr *e = parse_expr(p);
    if (limit)
      q->limit = e;
    else
      q->offset = e;
    raise_height(p, q, e->height, q->off);
  }
  if (prev_end(p) > q->end)
    q->end = prev_end(p);
  return q;
}

static sql_query *continue_query(parser *p, sql_query *first) {
  return parse_query_clauses(p, parse_setops(p, first, 1));
}

/* WITH name [(cols)] AS (query), ... */
static void parse_with(parser *p, sql_cte **ctes, int *n, int *height) {
  advance(p); /* WITH */
  if (at_kw(p, SQL_KW_RECURSIVE) && is_name(peek(p, 1)))
    fail_msg(p, SBD_EUNSUPPORTED, cur(p)->off, "unsupported construct",
             "WITH RECURSIVE is not supported yet");
  list l = LIST(sql_cte);
  do {
    sql_cte c = {0};
    c.name = expect_name(p, "a name for the WITH query");
    if (accept(p, SQL_TK_LPAREN))
      c.cols = parse_name_list(p, &c.ncols, "a column name");
    expect_kw(p, SQL_KW_AS);
    if (!accept(p, SQL_TK_LPAREN))
      fail_expected_after(p, "'('");
    c.query = parse_query(p);
    expect(p, SQL_TK_RPAREN, "')'");
    *height = max_int(*height, c.query->height);
    list_push(p, &l, &c);
  } while (accept(p, SQL_TK_COMMA));
  *ctes = l.items;
  *n = l.n;
}

static sql_query *parse_query(parser *p) {
  enter(p);
  uint32_t off = cur(p)->off;
  sql_cte *ctes = NULL;
  int nctes = 0, h = 0;
  if (at_kw(p, SQL_KW_WITH))
    parse_with(p, &ctes, &nctes, &h);
  sql_query *q = continue_query(p, parse_query_operand(p));
  if (nctes) {
    if (q->nctes)
      fail_syntax(p, off, "a query may have only one WITH");
    q->ctes = ctes;
    q->nctes = nctes;
    q->off = off;
    raise_height(p, q, h, off);
  }
  leave(p);
  return q;
}

/* Whether the current token is the word w (upper case), keyword or not, unquoted. */
static bool at_word(const parser *p, const char *w) {
  const sql_token *t = cur(p);
  return t->type == SQL_TK_WORD && t->len == strlen(w) &&
         strncasecmp(p->sql + t->off, w, t->len) == 0;
}

static bool accept_word(parser *p, const char *w) {
  if (!at_word(p, w))
    return false;
  advance(p);
  return true;
}

/* CREATE [OR REPLACE] [TEMP|TEMPORARY] TABLE name AS query (CREATE already consumed). */
static void parse_create(parser *p, sql_stmt *st) {
  st->kind = SQL_STMT_CREATE_TABLE;
  if (accept_kw(p, SQL_KW_OR)) {
    if (!accept_word(p, "REPLACE"))
      fail_expected_after(p, "REPLACE");
    st->or_replace = true;
  }
  st->temp = accept_word(p, "TEMP") || accept_word(p, "TEMPORARY");
  if (!accept_word(p, "TABLE")) {
    if (is_label(cur(p)))
      fail_msg(p, SBD_EUNSUPPORTED, cur(p)->off, "unsupported construct",
               "CREATE makes tables only (CREATE TABLE name AS query)");
    fail_expected_after(p, "TABLE");
  }
  if (at_word(p, "IF"))
    fail_msg(p, SBD_EUNSUPPORTED, cur(p)->off, "unsupported construct",
             "CREATE TABLE IF NOT EXISTS is not supported yet (CREATE OR REPLACE TABLE is)");
  st->table = expect_name(p, "a table name");
  if (at(p, SQL_TK_DOT))
    fail_msg(p, SBD_EUNSUPPORTED, cur(p)->off, "unsupported construct",
             "a table in a schema or database (name it without a dot)");
  if (at(p, SQL_TK_LPAREN))
    fail_msg(p, SBD_EUNSUPPORTED, cur(p)->off, "unsupported construct",
             "CREATE TABLE with a column list is not supported yet (CREATE TABLE name AS query)");
  if (!accept_kw(p, SQL_KW_AS))
    fail_expected_after(p, "AS and a query");
  if (!at_kw(p, SQL_KW_SELECT) && !at_kw(p, SQL_KW_WITH) && !at(p, SQL_TK_LPAREN))
    fail_expected_after(p, "SELECT or WITH");
  st->query = parse_query(p);
}

/* DROP TABLE [IF EXISTS] name (DROP already consumed). */
static void parse_drop(parser *p, sql_stmt *st) {
  st->kind = SQL_STMT_DROP_TABLE;
  if (!accept_word(p, "TABLE")) {
    if (is_label(cur(p)))
      fail_msg(p, SBD_EUNSUPPORTED, cur(p)->off, "unsupported construct",
               "DROP removes tables only (DROP TABLE name)");
    fail_expected_after(p, "TABLE");
  }
  if (accept_word(p, "IF")) {
    if (!accept_kw(p, SQL_KW_EXISTS))
      fail_expected_after(p, "EXISTS");
    st->if_exists = true;
  }
  st->table = expect_name(p, "a table name");
  if (at(p, SQL_TK_DOT))
    fail_msg(p, SBD_EUNSUPPORTED, cur(p)->off, "unsupported construct",
             "a table in a schema or database (name it without a dot)");
}

/* One statement, up to (not including) its ';' or the end. */
static sql_stmt *parse_one(parser *p) {
  sql_stmt *st = alloc(p, sizeof(*st));
  st->off = cur(p)->off;
  if (accept_word(p, "CREATE")) {
    parse_create(p, st);
  } else if (accept_word(p, "DROP")) {
    parse_drop(p, st);
  } else {
    if (!at_kw(p, SQL_KW_SELECT) && !at_kw(p, SQL_KW_WITH) && !at(p, SQL_TK_LPAREN))
      fail_expected(p, "SELECT or WITH");
    st->kind = SQL_STMT_QUERY;
    st->query = parse_query(p);
  }
  st->end = prev_end(p);
  if (!at(p, SQL_TK_SEMI) && !at(p, SQL_TK_EOF))
    fail_expected(p,
                  st->kind == SQL_STMT_QUERY ? "the end of the query" : "the end of the statement");
  return st;
}

static sql_stmt *parse_statement(parser *p) {
  sql_stmt *st = parse_one(p);
  if (accept(p, SQL_TK_SEMI)) {
    while (accept(p, SQL_TK_SEMI))
      ;
    if (!at(p, SQL_TK_EOF)) {
      char found[96];
      describe(p, cur(p), found, sizeof(found));
      fail_syntax(p, cur(p)->off,
                  "expected the end of the SQL after ';' but found %s (one statement at a time)",
                  found);
    }
  }
  return st;
}

static sql_script *parse_script(parser *p) {
  list l = LIST(sql_stmt *);
  while (accept(p, SQL_TK_SEMI))
    ;
  do {
    sql_stmt *st = parse_one(p);
    list_push(p, &l, &st);
    while (accept(p, SQL_TK_SEMI))
      ;
  } while (!at(p, SQL_TK_EOF));
  sql_script *sc = alloc(p, sizeof(*sc));
  sc->stmts = l.items;
  sc->nstmts = l.n;
  return sc;
}

typedef struct parse_result {
  sql_stmt *stmt;
  sql_script *script;
} parse_result;

/* Parses sql as one statement (out->stmt) or, when script, as a script (out->script). */
static sbd_status parse_text(sbd_ctx *ctx, const char *sql, arena *a, bool script,
                             parse_result *out) {
  size_t len = strlen(sql);
  if (len > SQL_MAX_TEXT_BYTES)
    return sbd_error(ctx, SBD_ELIMIT, "SQL: the text is %zu bytes, over the limit of %u bytes", len,
                     SQL_MAX_TEXT_BYTES);
  char *copy = arena_strndup(a, sql, len);
  if (!copy)
    return sbd_error(ctx, SBD_ENOMEM, "out of memory parsing SQL");
  sql_token *toks;
  int ntoks;
  RETURN_IF_ERROR(sql_lex(ctx, copy, len, &toks, &ntoks));
  parser p = {0};
  p.ctx = ctx;
  p.a = a;
  p.sql = copy;
  p.toks = toks;
  p.ntoks = ntoks;
  p.alias_tok = -1;
  int status = setjmp(p.fail);
  if (status != 0) {
    free(toks);
    return (sbd_status)status;
  }
  if (script) {
    sql_script *sc = parse_script(&p);
    sc->sql = copy;
    sc->sql_len = len;
    for (int i = 0; i < sc->nstmts; i++) {
      sc->stmts[i]->sql = copy;
      sc->stmts[i]->sql_len = len;
    }
    out->script = sc;
  } else {
    sql_stmt *st = parse_statement(&p);
    st->sql = copy;
    st->sql_len = len;
    out->stmt = st;
  }
  free(toks);
  return SBD_OK;
}

sbd_status sql_parse(sbd_ctx *ctx, const char *sql, arena *a, sql_stmt **out) {
  parse_result r = {0};
  sbd_status st = parse_text(ctx, sql, a, false, &r);
  *out = r.stmt;
  return st;
}

sbd_status sql_parse_script(sbd_ctx *ctx, const char *sql, arena *a, sql_script **out) {
  parse_result r = {0};
  sbd_status st = parse_text(ctx, sql, a, true, &r);
  *out = r.script;
  return st;
}
