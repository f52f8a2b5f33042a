/*
 * lex.c — splits SQL text into tokens for the parser, and knows the keywords.
 *
 * The whole text is tokenised up front into an array, so the parser can look ahead freely. A
 * token only delimits its bytes (offset and length) and says what it is; the parser converts
 * numbers and unescapes strings and identifiers when it builds the tree. Whitespace and comments
 * (from -- to the end of the line, and block comments between slash-star and star-slash, which
 * nest as in PostgreSQL and DuckDB) are dropped.
 *
 * The text must be valid UTF-8: the engine hands string literals and names to outputs that
 * promise UTF-8, so a bad byte is reported here, with a caret, rather than downstream.
 */
#include "sql/sql_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- keywords ---------------------------------------------------------------------------------*/

#define R true
#define U false
static const struct {
  const char *name;
  bool reserved;
} keywords[] = {{"", false}, /* SQL_KW_NONE */
#define SQL_KW_ENTRY(name, cls) {#name, cls},
                SQL_KEYWORDS(SQL_KW_ENTRY)
#undef SQL_KW_ENTRY
};
#undef R
#undef U

static int compare_nocase(const char *s, size_t n, const char *upper) {
  size_t i = 0;
  for (; i < n && upper[i]; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c >= 'a' && c <= 'z')
      c = (unsigned char)(c - 'a' + 'A');
    if (c != (unsigned char)upper[i])
      return c < (unsigned char)upper[i] ? -1 : 1;
  }
  if (i < n)
    return 1;
  return upper[i] ? -1 : 0;
}

sql_keyword sql_keyword_lookup(const char *s, size_t n) {
  if (n == 0 || n > 20)
    return SQL_KW_NONE;
  int lo = 1, hi = SQL_KW_COUNT - 1;
  while (lo <= hi) {
    int mid = (lo + hi) / 2;
    int c = compare_nocase(s, n, keywords[mid].name);
    if (c == 0)
      return (sql_keyword)mid;
    if (c < 0)
      hi = mid - 1;
    else
      lo = mid + 1;
  }
  return SQL_KW_NONE;
}

const char *sql_keyword_name(sql_keyword kw) {
  return kw > SQL_KW_NONE && kw < SQL_KW_COUNT ? keywords[kw].name : "";
}

bool sql_keyword_reserved(sql_keyword kw) {
  return kw > SQL_KW_NONE && kw < SQL_KW_COUNT && keywords[kw].reserved;
}

/* ---- characters -------------------------------------------------------------------------------*/

static bool is_digit(unsigned char c) {
  return c >= '0' && c <= '9';
}

/* Bytes of a multi-byte UTF-8 character may appear in names, as DuckDB allows. */
static bool is_ident_start(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}

static bool is_ident_char(unsigned char c) {
  return is_ident_start(c) || is_digit(c) || c == '$';
}

/* The length of the valid UTF-8 character at s[0] (of at most n bytes), or 0. */
static size_t utf8_char_len(const unsigned char *s, size_t n) {
  unsigned char c = s[0];
  if (c < 0x80)
    return 1;
  size_t len;
  uint32_t cp;
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
    cp = c & 0x1F;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    cp = c & 0x0F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (len > n)
    return 0;
  for (size_t i = 1; i < len; i++) {
    if ((s[i] & 0xC0) != 0x80)
      return 0;
    cp = (cp << 6) | (s[i] & 0x3F);
  }
  /* Overlong forms, surrogates and code points past U+10FFFF. */
  if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
      (cp >= 0xD800 && cp <= 0xDFFF))
    return 0;
  return len;
}

/* ---- the lexer --------------------------------------------------------------------------------*/

typedef struct lexer {
  sbd_ctx *ctx;
  const char *sql;
  size_t len;
  sql_token *toks;
  int n, cap;
} lexer;

static sbd_status lex_error(lexer *lx, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static sbd_status lex_error(lexer *lx, size_t off, const char *fmt, ...) {
  int line, col;
  sql_line_col(lx->sql, (uint32_t)off, &line, &col);
  char msg[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  return sql_error_at(lx->ctx, lx->sql, (uint32_t)off, "syntax error at line %d, column %d: %s",
                      line, col, msg);
}

static sbd_status push(lexer *lx, sql_token_type type, sql_keyword kw, size_t off, size_t len) {
  if (lx->n == lx->cap) {
    int cap = lx->cap ? lx->cap * 2 : 64;
    sql_token *t = sbd_realloc(lx->ctx, lx->toks, sizeof(sql_token) * (size_t)cap);
    if (!t)
      return SBD_ENOMEM;
    lx->toks = t;
    lx->cap = cap;
  }
  lx->toks[lx->n++] = (sql_token){type, kw, (uint32_t)off, (uint32_t)len};
  return SBD_OK;
}

/* Skips whitespace and comments from i; returns the next token's start, or (size_t)-1 after
 * reporting an unterminated comment. */
static size_t skip_space(lexer *lx, size_t i) {
  const char *s = lx->sql;
  for (;;) {
    while (i < lx->len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r' ||
                           s[i] == '\f' || s[i] == '\v'))
      i++;
    if (i + 1 < lx->len && s[i] == '-' && s[i + 1] == '-') {
      while (i < lx->len && s[i] != '\n')
        i++;
      continue;
    }
    if (i + 1 < lx->len && s[i] == '/' && s[i + 1] == '*') {
      size_t start = i;
      int depth = 0;
      while (i < lx->len) {
        if (i + 1 < lx->len && s[i] == '/' && s[i + 1] == '*') {
          depth++;
          i += 2;
        } else if (i + 1 < lx->len && s[i] == '*' && s[i + 1] == '/') {
          i += 2;
          if (--depth == 0)
            break;
        } else {
          i++;
        }
      }
      if (depth != 0) {
        lex_error(lx, start, "unterminated comment: the /* here is never closed");
        return (size_t)-1;
      }
      continue;
    }
    return i;
  }
}

/* A quoted token ('string' or "identifier") from the quote at i; doubled quotes stay inside. */
static size_t scan_quoted(lexer *lx, size_t i) {
  char q = lx->sql[i];
  for (size_t j = i + 1; j < lx->len; j++) {
    if (lx->sql[j] == q) {
      if (j + 1 < lx->len && lx->sql[j + 1] == q) {
        j++;
        continue;
      }
      return j + 1;
    }
  }
  return (size_t)-1;
}

/* A number from i: digits [. digits] [e [+-] digits], or . digits [exponent]. An 'e' not followed
 * by digits is not part of the number (DuckDB reads 1e as 1 AS e). */
static size_t scan_number(lexer *lx, size_t i, bool *decimal) {
  const char *s = lx->sql;
  size_t n = lx->len;
  *decimal = false;
  while (i < n && is_digit((unsigned char)s[i]))
    i++;
  if (i < n && s[i] == '.') {
    *decimal = true;
    i++;
    while (i < n && is_digit((unsigned char)s[i]))
      i++;
  }
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    size_t j = i + 1;
    if (j < n && (s[j] == '+' || s[j] == '-'))
      j++;
    if (j < n && is_digit((unsigned char)s[j])) {
      while (j < n && is_digit((unsigned char)s[j]))
        j++;
      *decimal = true;
      i = j;
    }
  }
  return i;
}

static sbd_status lex_all(lexer *lx) {
  const char *s = lx->sql;
  size_t n = lx->len;
  size_t last_end = 0;
  for (size_t i = 0; i < n;) {
    size_t len = utf8_char_len((const unsigned char *)s + i, n - i);
    if (len == 0)
      return lex_error(lx, i, "the SQL is not valid UTF-8 (byte 0x%02x)", (unsigned char)s[i]);
    i += len;
  }
  size_t i = 0;
  for (;;) {
    i = skip_space(lx, i);
    if (i == (size_t)-1)
      return SBD_EINPUT;
    if (i >= n)
      break;
    unsigned char c = (unsigned char)s[i];
    unsigned char d = i + 1 < n ? (unsigned char)s[i + 1] : 0;
    size_t start = i;
    sql_token_type type;
    sql_keyword kw = SQL_KW_NONE;
    if (is_ident_start(c)) {
      while (i < n && is_ident_char((unsigned char)s[i]))
        i++;
      type = SQL_TK_WORD;
      kw = sql_keyword_lookup(s + start, i - start);
    } else if (is_digit(c) || (c == '.' && is_digit(d))) {
      bool decimal;
      i = scan_number(lx, i, &decimal);
      type = decimal ? SQL_TK_DECIMAL : SQL_TK_INT;
    } else if (c == '\'' || c == '"') {
      i = scan_quoted(lx, i);
      if (i == (size_t)-1)
        return c == '\''
                   ? lex_error(lx, start, "unterminated string: the quote here is never closed")
                   : lex_error(lx, start,
                               "unterminated quoted identifier: the \" here is never closed");
      if (c == '"' && i - start == 2)
        return lex_error(lx, start, "zero-length quoted identifier \"\"");
      type = c == '\'' ? SQL_TK_STRING : SQL_TK_QIDENT;
    } else {
      i++;
      switch (c) {
      case '+':
        type = SQL_TK_PLUS;
        break;
      case '-':
        type = SQL_TK_MINUS;
        break;
      case '*':
        type = SQL_TK_STAR;
        break;
      case '/':
        type = SQL_TK_SLASH;
        break;
      case '%':
        type = SQL_TK_PERCENT;
        break;
      case '^':
        type = SQL_TK_CARET;
        break;
      case ',':
        type = SQL_TK_COMMA;
        break;
      case '(':
        type = SQL_TK_LPAREN;
        break;
      case ')':
        type = SQL_TK_RPAREN;
        break;
      case ';':
        type = SQL_TK_SEMI;
        break;
      case '.':
        type = SQL_TK_DOT;
        break;
      case '=':
        type = SQL_TK_EQ;
        i += d == '=';
        break;
      case '<':
        type = d == '=' ? SQL_TK_LE : d == '>' ? SQL_TK_NE : SQL_TK_LT;
        i += d == '=' || d == '>';
        break;
      case '>':
        type = d == '=' ? SQL_TK_GE : SQL_TK_GT;
        i += d == '=';
        break;
      case '!':
        if (d != '=')
          return lex_error(lx, start, "unexpected character '!' (did you mean '!='?)");
        type = SQL_TK_NE;
        i++;
        break;
      case '|':
        if (d != '|')
          return lex_error(lx, start, "unexpected character '|' (did you mean '||'?)");
        type = SQL_TK_CONCAT;
        i++;
        break;
      case ':':
        if (d != ':')
          return lex_error(lx, start, "unexpected character ':' (did you mean '::'?)");
        type = SQL_TK_COLONS;
        i++;
        break;
      default:
        if (c < 0x20 || c == 0x7f)
          return lex_error(lx, start, "unexpected character 0x%02x", c);
        return lex_error(lx, start, "unexpected character '%c'", c);
      }
    }
    RETURN_IF_ERROR(push(lx, type, kw, start, i - start));
    last_end = i;
  }
  return push(lx, SQL_TK_EOF, SQL_KW_NONE, last_end, 0);
}

sbd_status sql_lex(sbd_ctx *ctx, const char *sql, size_t len, sql_token **out, int *ntokens) {
  lexer lx = {ctx, sql, len, NULL, 0, 0};
  *out = NULL;
  *ntokens = 0;
  sbd_status st = lex_all(&lx);
  if (st != SBD_OK) {
    free(lx.toks);
    return st;
  }
  *out = lx.toks;
  *ntokens = lx.n;
  return SBD_OK;
}
