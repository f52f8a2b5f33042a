/*
 * jsonl_read.c — the JSON Lines reader: one JSON object per line (RFC 8259 syntax, UTF-8; blank
 * lines skipped, CRLF and a leading byte order mark accepted), read into typed columns on the
 * ordered parallel chunk pipeline (pipeline.c).
 *
 * Columns. The first sample_rows records (from the first MiB or so of the input, at most 64 MiB)
 * are parsed once to find the columns: the union of their keys, in order of first appearance,
 * with the keys of a nested object kept together. A key whose values are objects becomes one
 * column per key inside them, named with dots ({"address":{"city":"X"}} gives the column
 * address.city), recursively. A key whose values are arrays, or objects in some records and other
 * values in others, or objects with more than MAX_OBJECT_KEYS distinct keys (keys that are data),
 * is one STRING column holding the JSON text of those values: the original text with the
 * whitespace outside strings removed (escapes and number spellings are kept as written). Types
 * come from io_infer over the sampled values: integer literals are INT64 (DOUBLE beyond int64),
 * other numbers DOUBLE, true/false BOOL, strings DATE or TIMESTAMP when every one reads as such
 * and STRING otherwise ("123" stays a string), and any mix of these STRING, where numbers and
 * booleans keep their JSON spelling. A column forced by the schema option keeps its type; a
 * forced name that the sample does not have is added after the sampled columns. A bad record in
 * the sample is left out of the inference and reported (or, with on_error=skip, rejected) when the
 * stream reaches it; only when the sample has no good record is it reported at open.
 *
 * Records. A key missing from a record, or JSON null, is a null. When a key occurs twice in one
 * object the last value wins. A top-level key with dots reaches the same column as the nested
 * form ({"address.city":"X"} is read like {"address":{"city":"X"}}, which is how the writer
 * spells nested columns). A key that the sample did not have is an error (or, with
 * on_error=skip, a rejected record) naming the key: the columns are fixed once batches flow. A
 * record that fails is rolled back out of the vectors (values, string bytes, null bits), so the
 * batch never holds part of it.
 *
 * Parsing is one pass per line, without allocation per value. Every line handed to the parser
 * ends with its '\n' (a copy is made for a last line without one), and the parser treats that
 * byte as the end of its input: it is not JSON whitespace here and stops every token, so token
 * scans need no separate bounds checks. Strings are scanned eight bytes at a time for a quote, a
 * backslash, a control character or a non-ASCII byte, and unescaped only when they hold a
 * backslash. A key is first compared, as two masked 16-byte words, with the entry that followed
 * the previous key in the previous record of the chunk (records usually repeat their key order);
 * otherwise it is scanned and looked up in the hash table of full dotted paths. Numbers are
 * validated and computed in the same pass (doubles by Clinger's exact fast path when it applies,
 * else by num_parse_double).
 */
#include "io/io_int.h"
#include "io/json_int.h"

#include <stdlib.h>
#include <string.h>

#define JSON_MAX_DEPTH 512
#define DEFAULT_SAMPLE_ROWS 20480
#define DEFAULT_MAX_LINE_BYTES (64 << 20)
/* Sample bytes per sampled record asked for, within the bounds below. */
#define SAMPLE_BYTES_PER_ROW 64
#define SAMPLE_MIN_BYTES (1u << 20)
#define SAMPLE_MAX_BYTES (64u << 20)
/* An object with more distinct keys than this in the sample is one STRING column of JSON text:
 * its keys are data (ids, dates), not fields. */
#define MAX_OBJECT_KEYS 1000
/* Bounds on what the sample may create: distinct key paths, and columns. */
#define MAX_SAMPLE_KEYS 100000
#define MAX_COLUMNS 10000

/* ---- the parsing cursor and its errors --------------------------------------------------------*/

typedef struct jcur {
  const char *line;    /* the line's first byte (columns in messages count from it) */
  const char *eol;     /* its terminating '\n' */
  const char *buf_end; /* word-at-a-time scans may read bytes up to here (> eol) */
  int depth;
  sbd_status status;
  char msg[384];
} jcur;

static bool cur_fail(jcur *C, sbd_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static bool cur_fail(jcur *C, sbd_status st, const char *fmt, ...) {
  if (C->status == SBD_OK) {
    C->status = st;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(C->msg, sizeof(C->msg), fmt, ap);
    va_end(ap);
  }
  return false;
}

static int cur_col(const jcur *C, const char *p) {
  return (int)(p - C->line) + 1;
}

/* A syntax error at p: invalid UTF-8 when that is what p holds, else what was expected. */
static bool syntax_error(jcur *C, const char *p, const char *expected) {
  unsigned char c = (unsigned char)*p;
  if (c >= 0x80 && !json_utf8_seq((const unsigned char *)p, (const unsigned char *)C->eol))
    return cur_fail(C, SBD_EINPUT, "invalid UTF-8 at column %d", cur_col(C, p));
  if (p == C->eol)
    return cur_fail(C, SBD_EINPUT,
                    "invalid JSON at column %d: expected %s before the end of the line",
                    cur_col(C, p), expected);
  return cur_fail(C, SBD_EINPUT, "invalid JSON at column %d: expected %s", cur_col(C, p), expected);
}

/* JSON whitespace except '\n', which ends the line. */
static inline const char *skip_ws(const char *p) {
  while (*p == ' ' || *p == '\t' || *p == '\r')
    p++;
  return p;
}

/* Writes the JSON text [s, e) for a message: at most 60 bytes (cut at a character boundary)
 * and "..." when cut. */
static const char *value_text(char *buf, size_t cap, const char *s, const char *e) {
  size_t n = (size_t)(e - s), limit = 60;
  bool cut = n > limit;
  if (cut) {
    n = limit;
    while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
      n--;
  }
  snprintf(buf, cap, "%.*s%s", (int)n, s, cut ? "..." : "");
  return buf;
}

/* ---- tokens -----------------------------------------------------------------------------------*/

/* The high bit of every byte of w that is a quote, a backslash, a control character or >= 0x80
 * is set in the result (bytes after the first such byte may be flagged falsely, by borrows: the
 * first flagged byte is exact). */
static inline uint64_t swar_special(uint64_t w) {
  const uint64_t ones = 0x0101010101010101u, high = 0x8080808080808080u;
  uint64_t q = w ^ (ones * '"'), b = w ^ (ones * '\\');
  uint64_t t = ((q - ones) & ~q) | ((b - ones) & ~b) | ((w - ones * 0x20) & ~w) | w;
  return t & high;
}

/* The index of the first byte in memory order flagged in a swar_special mask (not 0). */
static inline unsigned swar_first(uint64_t mask) {
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  return (unsigned)__builtin_ctzll(mask) >> 3;
#else
  (void)mask;
  return 0; /* the byte loop finds it */
#endif
}

static inline int hex_digit(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
    return (c | 0x20) - 'a' + 10;
  return -1;
}

/* The value of the 4 hex digits at p, or -1. Stops at the first non-digit (the '\n' at the end
 * of the line is one), so it never reads past the line. */
static inline long hex4(const char *p) {
  long v = 0;
  for (int i = 0; i < 4; i++) {
    int d = hex_digit(p[i]);
    if (d < 0)
      return -1;
    v = v * 16 + d;
  }
  return v;
}

/* Validates the escape at *pp (a backslash) and moves past it. */
static bool scan_escape(jcur *C, const char **pp) {
  const char *p = *pp;
  switch (p[1]) {
  case '"':
  case '\\':
  case '/':
  case 'b':
  case 'f':
  case 'n':
  case 'r':
  case 't':
    *pp = p + 2;
    return true;
  case 'u': {
    long u = hex4(p + 2);
    if (u < 0)
      return cur_fail(C, SBD_EINPUT, "invalid JSON at column %d: expected 4 hex digits after \\u",
                      cur_col(C, p));
    if (u >= 0xd800 && u <= 0xdbff) {
      long lo = p[6] == '\\' && p[7] == 'u' ? hex4(p + 8) : -1;
      if (lo < 0xdc00 || lo > 0xdfff)
        return cur_fail(C, SBD_EINPUT,
                        "invalid JSON at column %d: lone surrogate \\u%.4s (a high surrogate "
                        "must be followed by a low one)",
                        cur_col(C, p), p + 2);
      *pp = p + 12;
      return true;
    }
    if (u >= 0xdc00 && u <= 0xdfff)
      return cur_fail(C, SBD_EINPUT, "invalid JSON at column %d: lone surrogate \\u%.4s",
                      cur_col(C, p), p + 2);
    *pp = p + 6;
    return true;
  }
  default:
    if (p + 1 == C->eol)
      return cur_fail(C, SBD_EINPUT, "invalid JSON at column %d: unterminated string",
                      cur_col(C, p));
    if ((unsigned char)p[1] >= 0x80 || (unsigned char)p[1] < 0x20)
      return cur_fail(C, SBD_EINPUT, "invalid JSON at column %d: invalid escape", cur_col(C, p));
    return cur_fail(C, SBD_EINPUT, "invalid JSON at column %d: invalid escape '\\%c'",
                    cur_col(C, p), p[1]);
  }
}

/* p is at an opening quote. Validates the string (escapes, surrogate pairs, UTF-8, no raw
 * control characters) and returns the position after its closing quote, or NULL. *s and *n are
 * the raw bytes between the quotes; *esc says whether they hold a backslash. */
static const char *scan_string(jcur *C, const char *p, const char **s, size_t *n, bool *esc) {
  const char *open = p;
  const char *start = ++p;
  bool e = false;
  for (;;) {
    if (C->buf_end - p >= 8) {
      uint64_t w;
      memcpy(&w, p, 8);
      uint64_t special = swar_special(w);
      if (!special) {
        p += 8;
        continue;
      }
      p += swar_first(special);
    }
    unsigned char c = (unsigned char)*p;
    if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
      p++;
      continue;
    }
    if (c == '"')
      break;
    if (c == '\\') {
      e = true;
      if (!scan_escape(C, &p))
        return NULL;
      continue;
    }
    if (c >= 0x80) {
      size_t k = json_utf8_seq((const unsigned char *)p, (const unsigned char *)C->eol);
      if (!k) {
        cur_fail(C, SBD_EINPUT, "invalid UTF-8 at column %d", cur_col(C, p));
        return NULL;
      }
      p += k;
      continue;
    }
    if (p == C->eol)
      cur_fail(C, SBD_EINPUT, "invalid JSON at column %d: unterminated string", cur_col(C, open));
    else
      cur_fail(C, SBD_EINPUT,
               "invalid JSON at column %d: control character 0x%02x in a string (write it as "
               "\\u%04x)",
               cur_col(C, p), c, c);
    return NULL;
  }
  *s = start;
  *n = (size_t)(p - start);
  *esc = e;
  return p + 1;
}

static size_t put_utf8(char *o, unsigned long cp) {
  if (cp < 0x80) {
    o[0] = (char)cp;
    return 1;
  }
  if (cp < 0x800) {
    o[0] = (char)(0xc0 | (cp >> 6));
    o[1] = (char)(0x80 | (cp & 0x3f));
    return 2;
  }
  if (cp < 0x10000) {
    o[0] = (char)(0xe0 | (cp >> 12));
    o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
    o[2] = (char)(0x80 | (cp & 0x3f));
    return 3;
  }
  o[0] = (char)(0xf0 | (cp >> 18));
  o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
  o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
  o[3] = (char)(0x80 | (cp & 0x3f));
  return 4;
}

/* Decodes the validated string body s[0..n) into dst (room for n bytes: decoding never
 * lengthens) and returns the decoded length. */
static size_t unescape(const char *s, size_t n, char *dst) {
  const char *end = s + n;
  char *o = dst;
  while (s < end) {
    const char *bs = memchr(s, '\\', (size_t)(end - s));
    size_t run = (size_t)((bs ? bs : end) - s);
    if (run) {
      memcpy(o, s, run);
      o += run;
    }
    if (!bs)
      break;
    s = bs;
    char c = s[1];
    s += 2;
    switch (c) {
    case 'b':
      *o++ = '\b';
      break;
    case 'f':
      *o++ = '\f';
      break;
    case 'n':
      *o++ = '\n';
      break;
    case 'r':
      *o++ = '\r';
      break;
    case 't':
      *o++ = '\t';
      break;
    case 'u': {
      unsigned long cp = (unsigned long)hex4(s);
      s += 4;
      if (cp >= 0xd800 && cp <= 0xdbff) {
        unsigned long lo = (unsigned long)hex4(s + 2);
        s += 6;
        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
      }
      o += put_utf8(o, cp);
      break;
    }
    default: /* '"', '\\', '/' */
      *o++ = c;
      break;
    }
  }
  return (size_t)(o - dst);
}

static inline bool is_digit(char c) {
  return (unsigned)(c - '0') <= 9;
}

/* A scanned JSON number. */
typedef struct jnum {
  bool is_int; /* no fraction and no exponent */
  bool fits;   /* is_int, and ival holds the value */
  bool exact;  /* dval holds the value, computed exactly (else num_parse_double must) */
  int64_t ival;
  double dval;
} jnum;

/* Powers of ten that doubles hold exactly. */
static const double exact_pow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                     1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                     1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* p is at '-' or a digit. Validates the number and returns the position after it, or NULL.
 * Integers of up to 18 digits are computed on the way; so are doubles whose digits fit in 2^53
 * and whose decimal exponent is within +-22, as one exact product or quotient of two exact
 * doubles, which IEEE arithmetic rounds correctly (Clinger's fast path). */
static const char *scan_number(jcur *C, const char *p, jnum *num) {
  const char *start = p;
  bool neg = *p == '-';
  if (neg)
    p++;
  const char *digits = p;
  uint64_t u = 0; /* the significant digits; wraps past 19, when nd says it is unused */
  if (*p == '0') {
    p++;
  } else if (is_digit(*p)) {
    while (is_digit(*p))
      u = u * 10 + (uint64_t)(*p++ - '0');
  } else {
    cur_fail(C, SBD_EINPUT, "invalid JSON at column %d: invalid number", cur_col(C, start));
    return NULL;
  }
  size_t nd = (size_t)(p - digits);
  int64_t exp10 = 0;
  bool integer = true;
  if (*p == '.') {
    const char *frac = ++p;
    while (is_digit(*p))
      u = u * 10 + (uint64_t)(*p++ - '0');
    if (p == frac) {
      cur_fail(C, SBD_EINPUT, "invalid JSON at column %d: invalid number", cur_col(C, start));
      return NULL;
    }
    nd += (size_t)(p - frac);
    exp10 = -(int64_t)(p - frac);
    integer = false;
  }
  if ((*p | 0x20) == 'e') {
    p++;
    bool eneg = *p == '-';
    if (*p == '+' || *p == '-')
      p++;
    if (!is_digit(*p)) {
      cur_fail(C, SBD_EINPUT, "invalid JSON at column %d: invalid number", cur_col(C, start));
      return NULL;
    }
    int64_t e = 0;
    while (is_digit(*p)) {
      if (e < 100000)
        e = e * 10 + (*p - '0');
      p++;
    }
    exp10 += eneg ? -e : e;
    integer = false;
  }
  /* "01", "1.5.2", "2x": a number runs into something that cannot follow it. */
  unsigned char c = (unsigned char)*p;
  if (is_digit((char)c) || c == '.' || c == '+' || c == '-' ||
      ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')) {
    cur_fail(C, SBD_EINPUT, "invalid JSON at column %d: invalid number", cur_col(C, start));
    return NULL;
  }
  num->is_int = integer;
  num->fits = false;
  num->exact = false;
  if (integer) {
    if (nd <= 18) {
      num->ival = neg ? -(int64_t)u : (int64_t)u;
      num->fits = true;
    } else {
      num->fits = num_parse_int64(start, (size_t)(p - start), &num->ival);
    }
  } else if (nd <= 19 && u <= (UINT64_C(1) << 53) && exp10 >= -22 && exp10 <= 22) {
    double d = (double)u;
    d = exp10 < 0 ? d / exact_pow10[-exp10] : d * exact_pow10[exp10];
    num->dval = neg ? -d : d;
    num->exact = true;
  }
  return p;
}

/* Whether the literal lit (n bytes) is at p; compares byte by byte, so it stops at the line's
 * '\n' and never reads past it. */
static inline bool match_literal(const char *p, const char *lit, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (p[i] != lit[i])
      return false;
  return true;
}

/* Validates the value at *pp and moves past it. */
static bool skip_value(jcur *C, const char **pp) {
  const char *p = *pp;
  switch (*p) {
  case '"': {
    const char *s;
    size_t n;
    bool esc;
    p = scan_string(C, p, &s, &n, &esc);
    if (!p)
      return false;
    break;
  }
  case '{':
  case '[': {
    bool obj = *p == '{';
    char close = obj ? '}' : ']';
    if (++C->depth > JSON_MAX_DEPTH)
      return cur_fail(C, SBD_EINPUT, "invalid JSON at column %d: nested deeper than %d levels",
                      cur_col(C, p), JSON_MAX_DEPTH);
    p = skip_ws(p + 1);
    if (*p == close) {
      p++;
    } else {
      for (;;) {
        if (obj) {
          const char *s;
          size_t n;
          bool esc;
          if (*p != '"')
            return syntax_error(C, p, "'\"' (a key)");
          p = scan_string(C, p, &s, &n, &esc);
          if (!p)
            return false;
          p = skip_ws(p);
          if (*p != ':')
            return syntax_error(C, p, "':'");
          p = skip_ws(p + 1);
        }
        if (!skip_value(C, &p))
          return false;
        p = skip_ws(p);
        if (*p == ',') {
          p = skip_ws(p + 1);
          continue;
        }
        if (*p == close) {
          p++;
          break;
        }
        return syntax_error(C, p, obj ? "',' or '}'" : "',' or ']'");
      }
    }
    C->depth--;
    break;
  }
  case 't':
    if (!match_literal(p, "true", 4))
      return syntax_error(C, p, "a value");
    p += 4;
    break;
  case 'f':
    if (!match_literal(p, "false", 5))
      return syntax_error(C, p, "a value");
    p += 5;
    break;
  case 'n':
    if (!match_literal(p, "null", 4))
      return syntax_error(C, p, "a value");
    p += 4;
    break;
  default: {
    if (*p != '-' && !is_digit(*p))
      return syntax_error(C, p, "a value");
    jnum num;
    p = scan_number(C, p, &num);
    if (!p)
      return false;
    break;
  }
  }
  *pp = p;
  return true;
}

/* Copies the validated JSON text s[0..n) into dst without the whitespace outside strings, and
 * returns the copied length. */
static size_t minify(const char *s, size_t n, char *dst) {
  char *o = dst;
  bool in_str = false;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (in_str) {
      *o++ = c;
      if (c == '\\')
        *o++ = s[++i];
      else if (c == '"')
        in_str = false;
    } else if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
      *o++ = c;
      in_str = c == '"';
    }
  }
  return (size_t)(o - dst);
}

/* ---- the table of keys ---------------------------------------------------------------------*/

/* A node is a full dotted path seen as a key: an object whose keys are columns, or a column. The
 * sample grows a tree of them; the reader then keeps the live ones in depth-first order, with a
 * hash table of their paths. */

enum { NODE_LEAF, NODE_OBJECT };

typedef struct jnode {
  char *path;       /* full dotted name, NUL-terminated */
  uint32_t len;     /* strlen(path) */
  uint32_t key_off; /* where the last key starts in path */
  int parent;       /* the enclosing object's node, -1 at the top */
  int kind;         /* NODE_LEAF or NODE_OBJECT (set when the reader is built) */
  int col;          /* NODE_LEAF: the column */
  bool plain_key;   /* the key's JSON spelling is its bytes (no quote, backslash or control) */
  /* Sampling. */
  int first_child, last_child, next_sibling;
  bool seen_object, seen_other, has_child, hoisted;
  int nchildren;
  sbd_type forced; /* 0, or the schema option's type */
  io_infer infer;
} jnode;

typedef struct jtree {
  jnode *v;
  int n, cap;
  int top_first, top_last;
  int32_t *slots; /* open addressing over paths: node index + 1, 0 when empty */
  uint32_t mask;
} jtree;

static void tree_free(jtree *t) {
  for (int i = 0; i < t->n; i++)
    free(t->v[i].path);
  free(t->v);
  free(t->slots);
  memset(t, 0, sizeof(*t));
}

static int tree_find(const jtree *t, const char *path, size_t len) {
  if (!t->slots)
    return -1;
  uint32_t h = (uint32_t)hash_bytes(path, len, 0) & t->mask;
  for (;;) {
    int32_t s = t->slots[h];
    if (!s)
      return -1;
    const jnode *nd = &t->v[s - 1];
    if (nd->len == len && memcmp(nd->path, path, len) == 0)
      return s - 1;
    h = (h + 1) & t->mask;
  }
}

static sbd_status tree_rehash(sbd_ctx *ctx, jtree *t, uint32_t size) {
  int32_t *slots = sbd_calloc(ctx, size, sizeof(int32_t));
  if (!slots)
    return SBD_ENOMEM;
  free(t->slots);
  t->slots = slots;
  t->mask = size - 1;
  for (int i = 0; i < t->n; i++) {
    uint32_t h = (uint32_t)hash_bytes(t->v[i].path, t->v[i].len, 0) & t->mask;
    while (t->slots[h])
      h = (h + 1) & t->mask;
    t->slots[h] = i + 1;
  }
  return SBD_OK;
}

/* Adds the node path[0..len) (not yet present) as the last child of parent (-1: the top). */
static sbd_status tree_add(sbd_ctx *ctx, jtree *t, const char *path, size_t len, size_t key_off,
                           int parent, int *out) {
  RETURN_ERROR_IF(len > UINT32_MAX / 2, ctx, SBD_ELIMIT, "a key of %zu bytes is too long", len);
  if (t->n == t->cap) {
    int cap = t->cap ? t->cap * 2 : 16;
    jnode *v = sbd_realloc(ctx, t->v, sizeof(*v) * (size_t)cap);
    if (!v)
      return SBD_ENOMEM;
    t->v = v;
    t->cap = cap;
  }
  jnode *nd = &t->v[t->n];
  memset(nd, 0, sizeof(*nd));
  nd->path = sbd_strndup(ctx, path, len);
  if (!nd->path)
    return SBD_ENOMEM;
  nd->len = (uint32_t)len;
  nd->key_off = (uint32_t)key_off;
  nd->parent = parent;
  nd->col = -1;
  nd->first_child = nd->last_child = nd->next_sibling = -1;
  nd->plain_key = true;
  for (size_t i = key_off; i < len; i++) {
    unsigned char c = (unsigned char)path[i];
    if (c < 0x20 || c == '"' || c == '\\')
      nd->plain_key = false;
  }
  infer_init(&nd->infer);
  int id = t->n++;
  if (parent >= 0) {
    if (t->v[parent].last_child >= 0)
      t->v[t->v[parent].last_child].next_sibling = id;
    else
      t->v[parent].first_child = id;
    t->v[parent].last_child = id;
  } else {
    if (t->top_last >= 0)
      t->v[t->top_last].next_sibling = id;
    else
      t->top_first = id;
    t->top_last = id;
  }
  if ((uint32_t)t->n * 2 > (t->slots ? t->mask + 1 : 0)) {
    uint32_t size = t->slots ? (t->mask + 1) * 2 : 64;
    RETURN_IF_ERROR(tree_rehash(ctx, t, size));
  } else {
    uint32_t h = (uint32_t)hash_bytes(path, len, 0) & t->mask;
    while (t->slots[h])
      h = (h + 1) & t->mask;
    t->slots[h] = id + 1;
  }
  *out = id;
  return SBD_OK;
}

/* A growable byte buffer for keys and paths. */
typedef struct jbuf {
  char *p;
  size_t cap;
} jbuf;

static bool buf_reserve(jbuf *b, size_t n) {
  if (n <= b->cap)
    return true;
  size_t cap = b->cap ? b->cap : 256;
  while (cap < n)
    cap *= 2;
  char *p = realloc(b->p, cap);
  if (!p)
    return false;
  b->p = p;
  b->cap = cap;
  return true;
}

/* Writes parent's path, a dot and key into b; returns the length (or SIZE_MAX out of memory). */
static size_t build_path(jbuf *b, const jtree *t, int parent, const char *key, size_t kn) {
  size_t plen = parent >= 0 ? t->v[parent].len + 1 : 0;
  if (!buf_reserve(b, plen + kn + 1))
    return SIZE_MAX;
  if (parent >= 0) {
    memcpy(b->p, t->v[parent].path, plen - 1);
    b->p[plen - 1] = '.';
  }
  if (kn)
    memcpy(b->p + plen, key, kn);
  b->p[plen + kn] = 0;
  return plen + kn;
}

/* ---- the reader -------------------------------------------------------------------------------*/

/* What the parser needs of an entry to match the expected key: the key and its closing quote as
 * they appear after the opening quote, in two masked words (keys of up to 15 bytes whose JSON
 * spelling is their bytes), compared 16 bytes at once instead of scanning the key. */
typedef struct jfast {
  uint64_t word[2], mask[2];
  uint32_t key_len;
  bool fast;
  int parent;
  int col; /* -1 for an object */
} jfast;

typedef struct jsonl_reader {
  jtree ents;  /* live nodes in depth-first order; read-only once batches flow */
  jfast *fast; /* per entry */
  sbd_schema *schema;
  int ncols;
  int64_t sampled;     /* records in the sample */
  size_t record_bytes; /* their average size, for sizing batches */
  int64_t max_line;    /* max_line_bytes */
  bool skip;           /* on_error=skip, from the reader's rejects (set before the first chunk) */
  bool started;
  io_pipeline *pipe;
} jsonl_reader;

/* ---- sampling ---------------------------------------------------------------------------------*/

typedef struct sampler {
  sbd_ctx *ctx;
  const char *input; /* the file, for messages */
  jtree *t;
  jbuf key, path, text;
  sbd_status status; /* a failure other than bad input (out of memory) */
} sampler;

static bool sample_object(sampler *S, jcur *C, const char **pp, int parent);

/* Records the value at *pp (already validated) for node id. */
static bool sample_value(sampler *S, jcur *C, const char **pp, int id) {
  const char *p = *pp;
  jnode *nd = &S->t->v[id];
  switch (*p) {
  case '{':
    infer_only(&nd->infer, SBD_STRING); /* as JSON text, should the key turn out a column */
    if (nd->nchildren > MAX_OBJECT_KEYS)
      return skip_value(C, pp); /* already a column of JSON text */
    nd->seen_object = true;
    return sample_object(S, C, pp, id);
  case '[':
    nd->seen_other = true;
    infer_only(&nd->infer, SBD_STRING);
    return skip_value(C, pp);
  case '"': {
    const char *s;
    size_t n;
    bool esc;
    p = scan_string(C, p, &s, &n, &esc);
    if (!p)
      return false;
    if (esc) {
      if (!buf_reserve(&S->text, n + 1)) {
        S->status = sbd_error(S->ctx, SBD_ENOMEM, "out of memory");
        return false;
      }
      n = unescape(s, n, S->text.p);
      s = S->text.p;
    }
    nd = &S->t->v[id];
    nd->seen_other = true;
    infer_json_string(&nd->infer, s, n);
    break;
  }
  case 't':
  case 'f':
    nd->seen_other = true;
    infer_only(&nd->infer, SBD_BOOL);
    p += *p == 't' ? 4 : 5;
    break;
  case 'n':
    p += 4;
    break;
  default: {
    jnum num;
    p = scan_number(C, p, &num);
    if (!p)
      return false;
    nd->seen_other = true;
    infer_only(&nd->infer, num.fits ? SBD_INT64 : SBD_DOUBLE);
    break;
  }
  }
  *pp = p;
  return true;
}

static bool sample_object(sampler *S, jcur *C, const char **pp, int parent) {
  const char *p = skip_ws(*pp + 1);
  if (*p == '}') {
    *pp = p + 1;
    return true;
  }
  for (;;) {
    const char *k;
    size_t kn;
    bool esc;
    p = scan_string(C, p, &k, &kn, &esc);
    if (!p)
      return false;
    if (esc) {
      if (!buf_reserve(&S->key, kn + 1)) {
        S->status = sbd_error(S->ctx, SBD_ENOMEM, "out of memory");
        return false;
      }
      kn = unescape(k, kn, S->key.p);
      k = S->key.p;
    }
    size_t len = build_path(&S->path, S->t, parent, k, kn);
    if (len == SIZE_MAX) {
      S->status = SBD_ENOMEM;
      return false;
    }
    int id = tree_find(S->t, S->path.p, len);
    if (id < 0) {
      if (S->t->n >= MAX_SAMPLE_KEYS) {
        S->status = sbd_error(S->ctx, SBD_ELIMIT,
                              "%s: the sampled records have more than %d distinct keys; are keys "
                              "data here (ids, dates)? Such an object can be read as one STRING "
                              "column of JSON text by naming it in the schema option",
                              S->input, MAX_SAMPLE_KEYS);
        return false;
      }
      sbd_status st = tree_add(S->ctx, S->t, S->path.p, len, len - kn, parent, &id);
      if (st != SBD_OK) {
        S->status = st;
        return false;
      }
      if (parent >= 0 && ++S->t->v[parent].nchildren > MAX_OBJECT_KEYS)
        S->t->v[parent].seen_other = true; /* keys are data: the object becomes JSON text */
    }
    if (parent >= 0)
      S->t->v[parent].has_child = true;
    p = skip_ws(skip_ws(p) + 1); /* past ':' */
    if (!sample_value(S, C, &p, id))
      return false;
    p = skip_ws(p);
    if (*p == '}') {
      *pp = p + 1;
      return true;
    }
    p = skip_ws(p + 1); /* past ',' */
  }
}

/* Validates one line as one JSON object; returns the position of its '{' in *obj, or sets
 * *blank for a line of whitespace only. */
static bool check_line(jcur *C, const char *p, const char **obj, bool *blank) {
  p = skip_ws(p);
  *blank = p == C->eol;
  if (*blank)
    return true;
  if (*p != '{')
    return syntax_error(C, p, "'{' (each line must be one JSON object)");
  *obj = p;
  if (!skip_value(C, &p))
    return false;
  p = skip_ws(p);
  if (p != C->eol)
    return syntax_error(C, p, "the end of the line after the object");
  return true;
}

static const char *line_cap_msg(char *buf, size_t cap, int64_t max_line) {
  snprintf(buf, cap, "a record is longer than the cap of %lld bytes (max_line_bytes)",
           (long long)max_line);
  return buf;
}

static bool has_bom(const char *p, const char *end) {
  return end - p >= 3 && (unsigned char)p[0] == 0xef && (unsigned char)p[1] == 0xbb &&
         (unsigned char)p[2] == 0xbf;
}

/* Parses the sample's records into the tree. In fail mode a bad record is an error here already
 * (with its line); with skip it is left out of the inference and rejected when read. */
static sbd_status sample_input(sbd_ctx *ctx, const char *path, const char *buf, size_t len,
                               bool eof, int64_t max_records, int64_t max_line, bool skip, jtree *t,
                               int64_t *records, size_t *bytes_used, char *first_err,
                               size_t err_cap) {
  sampler S = {.ctx = ctx, .input = path, .t = t};
  t->top_first = t->top_last = -1;
  char *tail = NULL;
  int64_t line = 0, nrec = 0;
  const char *p = buf, *end = buf + len;
  sbd_status st = SBD_OK, first_status = SBD_EINPUT;
  first_err[0] = 0;
  if (has_bom(p, end))
    p += 3;
  while (p < end && nrec < max_records) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    jcur C = {0};
    if (nl) {
      C.line = p;
      C.eol = nl;
      C.buf_end = end;
    } else {
      if (!eof)
        break; /* a partial last line: the rest of it is not in the sample */
      size_t n = (size_t)(end - p);
      tail = sbd_malloc(ctx, n + 1);
      if (!tail) {
        st = SBD_ENOMEM;
        break;
      }
      memcpy(tail, p, n);
      tail[n] = '\n';
      C.line = tail;
      C.eol = tail + n;
      C.buf_end = tail + n + 1;
    }
    if (C.eol - C.line > max_line) {
      if (!first_err[0]) {
        first_status = SBD_ELIMIT;
        snprintf(first_err, err_cap, "%s:%lld: %s", path, (long long)line + 1,
                 line_cap_msg(C.msg, sizeof(C.msg), max_line));
      }
      line++;
      p = nl ? nl + 1 : end;
      continue;
    }
    const char *obj = NULL;
    bool blank;
    bool ok = check_line(&C, C.line, &obj, &blank);
    if (ok && !blank) {
      C.depth = 0;
      ok = sample_object(&S, &C, &obj, -1);
      if (!ok && S.status != SBD_OK) {
        st = S.status;
        break;
      }
      nrec++;
    }
    if (!ok) {
      if (!first_err[0]) {
        first_status = C.status;
        snprintf(first_err, err_cap, "%s:%lld: %s", path, (long long)line + 1, C.msg);
      }
    }
    line++;
    p = nl ? nl + 1 : end;
  }
  /* A bad record is left out of the inference in both modes and reported (or rejected) when the
   * stream reaches it, so a consumer that stops earlier, like head, never sees it. With no good
   * record there is nothing to infer from: then it is reported now. */
  if (st == SBD_OK && !skip && nrec == 0 && first_err[0])
    st = sbd_error(ctx, first_status, "%s", first_err);
  *records = nrec;
  *bytes_used = (size_t)(p - buf);
  free(tail);
  free(S.key.p);
  free(S.path.p);
  free(S.text.p);
  return st;
}

/* An object whose keys become columns: seen as objects only, with keys, not forced. */
static bool node_is_object(const jnode *nd) {
  return nd->seen_object && !nd->seen_other && nd->has_child && !nd->forced;
}

/* A forced name that the sample lacks: added under its prefixes when they are (or can become)
 * objects, else as a top-level key with dots. */
static sbd_status add_forced(sbd_ctx *ctx, jtree *t, const char *name, sbd_type type) {
  size_t len = strlen(name);
  int parent = -1;
  bool nested = true;
  for (size_t i = 0; i < len && nested; i++) {
    if (name[i] != '.')
      continue;
    int id = tree_find(t, name, i);
    if (id >= 0 && (t->v[id].seen_other || t->v[id].forced)) {
      nested = false;
      break;
    }
    if (id < 0) {
      size_t key_off = parent >= 0 ? t->v[parent].len + 1 : 0;
      RETURN_IF_ERROR(tree_add(ctx, t, name, i, key_off, parent, &id));
    }
    t->v[id].seen_object = true;
    t->v[id].has_child = true;
    parent = id;
  }
  int id;
  if (nested) {
    size_t key_off = parent >= 0 ? t->v[parent].len + 1 : 0;
    RETURN_IF_ERROR(tree_add(ctx, t, name, len, key_off, parent, &id));
  } else {
    RETURN_IF_ERROR(tree_add(ctx, t, name, len, 0, -1, &id));
  }
  t->v[id].forced = type;
  return SBD_OK;
}

/* Copies node id of the sample tree (and, for an object, its subtree) into the reader's
 * depth-first table. */
static sbd_status build_visit(sbd_ctx *ctx, const jtree *t, int id, int parent, jtree *out,
                              int *ncols) {
  const jnode *src = &t->v[id];
  int key_off = src->hoisted ? 0 : (int)src->key_off;
  int e;
  RETURN_IF_ERROR(tree_add(ctx, out, src->path, src->len, (size_t)key_off, parent, &e));
  jnode *dst = &out->v[e];
  dst->forced = src->forced;
  dst->infer = src->infer;
  if (node_is_object(src)) {
    dst->kind = NODE_OBJECT;
    for (int c = src->first_child; c >= 0; c = t->v[c].next_sibling)
      if (!t->v[c].hoisted)
        RETURN_IF_ERROR(build_visit(ctx, t, c, e, out, ncols));
  } else {
    dst->kind = NODE_LEAF;
    dst->col = (*ncols)++;
  }
  return SBD_OK;
}

/* Builds the reader's table and schema from the sample tree and the forced types. */
static sbd_status build_columns(sbd_ctx *ctx, const char *path, jtree *t, const sbd_schema *force,
                                jsonl_reader *j) {
  if (force) {
    for (int i = 0; i < force->ncols; i++) {
      int id = tree_find(t, force->fields[i].name, strlen(force->fields[i].name));
      if (id >= 0)
        t->v[id].forced = force->fields[i].type;
    }
    for (int i = 0; i < force->ncols; i++)
      if (tree_find(t, force->fields[i].name, strlen(force->fields[i].name)) < 0)
        RETURN_IF_ERROR(add_forced(ctx, t, force->fields[i].name, force->fields[i].type));
    /* A forced column inside a value that is kept as JSON text is read from its dotted
     * top-level spelling only. */
    for (int i = 0; i < t->n; i++) {
      if (!t->v[i].forced)
        continue;
      for (int a = t->v[i].parent; a >= 0; a = t->v[a].parent)
        if (!node_is_object(&t->v[a]))
          t->v[i].hoisted = true;
    }
  }
  jtree *out = &j->ents;
  out->top_first = out->top_last = -1;
  int ncols = 0;
  for (int id = t->top_first; id >= 0; id = t->v[id].next_sibling)
    if (!t->v[id].hoisted)
      RETURN_IF_ERROR(build_visit(ctx, t, id, -1, out, &ncols));
  for (int id = 0; id < t->n; id++)
    if (t->v[id].hoisted)
      RETURN_IF_ERROR(build_visit(ctx, t, id, -1, out, &ncols));
  j->ncols = ncols;
  RETURN_ERROR_IF(ncols > MAX_COLUMNS, ctx, SBD_ELIMIT,
                  "%s: the sampled records have %d distinct keys, over the limit of %d columns; "
                  "are keys data here (ids, dates)?",
                  path, ncols, MAX_COLUMNS);
  j->schema = schema_new(ctx, ncols);
  if (!j->schema)
    return SBD_ENOMEM;
  for (int e = 0; e < out->n; e++) {
    const jnode *nd = &out->v[e];
    if (nd->kind != NODE_LEAF)
      continue;
    sbd_type type = nd->forced ? nd->forced : infer_result(&nd->infer);
    RETURN_IF_ERROR(schema_set(ctx, j->schema, nd->col, nd->path, type));
  }
  j->fast = sbd_calloc(ctx, (size_t)(out->n ? out->n : 1), sizeof(jfast));
  if (!j->fast)
    return SBD_ENOMEM;
  for (int e = 0; e < out->n; e++) {
    const jnode *nd = &out->v[e];
    jfast *f = &j->fast[e];
    f->key_len = nd->len - nd->key_off;
    f->parent = nd->parent;
    f->col = nd->kind == NODE_LEAF ? nd->col : -1;
    f->fast = nd->plain_key && f->key_len + 1 <= 16;
    if (f->fast) {
      unsigned char bytes[16] = {0}, mask[16] = {0};
      memcpy(bytes, nd->path + nd->key_off, f->key_len);
      bytes[f->key_len] = '"';
      memset(mask, 0xff, f->key_len + 1);
      memcpy(f->word, bytes, 16);
      memcpy(f->mask, mask, 16);
    }
  }
  return SBD_OK;
}

/* ---- loading records into batches -------------------------------------------------------------*/

typedef struct jload {
  jcur C;
  const jsonl_reader *r;
  const jnode *ents;
  const jfast *fast;
  sbd_batch *b;
  sbd_vec **cols;
  int64_t rows;     /* complete rows in b */
  int64_t cap_rows; /* every vector of b has room for this many */
  int64_t tag;      /* the current record's number */
  int64_t *stamp;   /* per column: the tag of the record that set it */
  int nset;         /* columns set by the current record */
  int *hint;        /* hint[e + 1]: the entry that followed e in the previous record */
  int prev;         /* the previous entry of the current record, -1 at its start */
  jbuf key, path, text;
} jload;

static bool load_oom(jload *L) {
  return cur_fail(&L->C, SBD_ENOMEM, "out of memory");
}

/* Removes the current record's value of v (its last). */
static void pop_value(sbd_vec *v) {
  v->len--;
  if (v->type == SBD_STRING)
    v->bytes_len = ((int64_t *)v->values)[v->len];
  if (v->validity && !vec_is_valid(v, v->len)) {
    v->validity[v->len >> 6] |= UINT64_C(1) << (v->len & 63);
    v->null_count--;
  }
}

/* Called just before the current record's value of col is appended; a value that a duplicate
 * key set earlier in the record is dropped (the last one wins). */
static inline void set_begin(jload *L, int col) {
  if (L->stamp[col] == L->tag) {
    pop_value(L->cols[col]);
  } else {
    L->stamp[col] = L->tag;
    L->nset++;
  }
}

/* Appends string bytes to v: raw, unescaped (esc) or minified (min). */
static bool push_bytes(jload *L, sbd_vec *v, const char *s, size_t n, bool esc, bool min) {
  if (n > SBD_MAX_VALUE_BYTES)
    return cur_fail(&L->C, SBD_ELIMIT, "a string of %zu bytes is over the cap of %u bytes", n,
                    SBD_MAX_VALUE_BYTES);
  if ((int64_t)n > v->bytes_cap - v->bytes_len && vec_reserve(NULL, v, 0, (int64_t)n) != SBD_OK)
    return load_oom(L);
  size_t m = n;
  if (esc)
    m = unescape(s, n, v->bytes + v->bytes_len);
  else if (min)
    m = minify(s, n, v->bytes + v->bytes_len);
  else if (n)
    memcpy(v->bytes + v->bytes_len, s, n);
  v->bytes_len += (int64_t)m;
  ((int64_t *)v->values)[++v->len] = v->bytes_len;
  return true;
}

static bool convert_error(jload *L, int col, const char *s, const char *e) {
  char text[80];
  return cur_fail(&L->C, SBD_EINPUT, "column '%s': cannot read %s as %s",
                  L->r->schema->fields[col].name, value_text(text, sizeof(text), s, e),
                  sbd_type_name(L->cols[col]->type));
}

/* A JSON string for a DATE or TIMESTAMP column. */
static bool load_time(jload *L, int col, const char *open, const char *close, const char *s,
                      size_t n, bool esc) {
  sbd_vec *v = L->cols[col];
  if (esc) {
    if (!buf_reserve(&L->text, n + 1))
      return load_oom(L);
    n = unescape(s, n, L->text.p);
    s = L->text.p;
  }
  if (v->type == SBD_DATE) {
    int32_t d;
    if (!tm_parse_date(s, n, &d))
      return convert_error(L, col, open, close);
    set_begin(L, col);
    vec_push_i32(v, d);
  } else {
    int64_t us;
    if (!tm_parse_timestamp(s, n, &us))
      return convert_error(L, col, open, close);
    set_begin(L, col);
    vec_push_i64(v, us);
  }
  return true;
}

/* Reads the value at *pp into column col. */
static bool load_value(jload *L, const char **pp, int col) {
  sbd_vec *v = L->cols[col];
  const char *p = *pp;
  switch (*p) {
  case '"': {
    const char *s;
    size_t n;
    bool esc;
    const char *q = scan_string(&L->C, p, &s, &n, &esc);
    if (!q)
      return false;
    if (v->type == SBD_STRING) {
      set_begin(L, col);
      if (!push_bytes(L, v, s, n, esc, false))
        return false;
    } else if (v->type == SBD_DATE || v->type == SBD_TIMESTAMP) {
      if (!load_time(L, col, p, q, s, n, esc))
        return false;
    } else {
      return convert_error(L, col, p, q);
    }
    *pp = q;
    return true;
  }
  case 't':
  case 'f': {
    bool val = *p == 't';
    size_t n = val ? 4 : 5;
    if (!match_literal(p, val ? "true" : "false", n))
      return syntax_error(&L->C, p, "a value");
    if (v->type == SBD_BOOL) {
      set_begin(L, col);
      vec_push_bool(v, val);
    } else if (v->type == SBD_STRING) {
      set_begin(L, col);
      if (!push_bytes(L, v, p, n, false, false))
        return false;
    } else {
      return convert_error(L, col, p, p + n);
    }
    *pp = p + n;
    return true;
  }
  case 'n':
    if (!match_literal(p, "null", 4))
      return syntax_error(&L->C, p, "a value");
    set_begin(L, col);
    if (vec_push_null(NULL, v) != SBD_OK)
      return load_oom(L);
    *pp = p + 4;
    return true;
  case '{':
  case '[': {
    const char *q = p;
    if (!skip_value(&L->C, &q))
      return false;
    if (v->type != SBD_STRING)
      return convert_error(L, col, p, q);
    set_begin(L, col);
    if (!push_bytes(L, v, p, (size_t)(q - p), false, true))
      return false;
    *pp = q;
    return true;
  }
  default: {
    if (*p != '-' && !is_digit(*p))
      return syntax_error(&L->C, p, "a value");
    jnum num;
    const char *q = scan_number(&L->C, p, &num);
    if (!q)
      return false;
    switch (v->type) {
    case SBD_INT64:
      if (!num.fits)
        return convert_error(L, col, p, q);
      set_begin(L, col);
      vec_push_i64(v, num.ival);
      break;
    case SBD_DOUBLE: {
      double d = num.dval;
      if (num.fits)
        d = (double)num.ival;
      else if (!num.exact && !num_parse_double(p, (size_t)(q - p), &d))
        return convert_error(L, col, p, q);
      set_begin(L, col);
      vec_push_f64(v, d);
      break;
    }
    case SBD_STRING:
      set_begin(L, col);
      if (!push_bytes(L, v, p, (size_t)(q - p), false, false))
        return false;
      break;
    default:
      return convert_error(L, col, p, q);
    }
    *pp = q;
    return true;
  }
  }
}

/* The entry of key k[0..kn) (raw JSON bytes, esc: with escapes) inside the object of entry
 * parent, or -1 with the error set. */
static int find_entry(jload *L, int parent, const char *k, size_t kn, bool esc) {
  const jtree *t = &L->r->ents;
  if (esc) {
    if (!buf_reserve(&L->key, kn + 1))
      return load_oom(L), -1;
    kn = unescape(k, kn, L->key.p);
    k = L->key.p;
  }
  int h = L->hint[L->prev + 1];
  if (h >= 0) {
    const jnode *e = &L->ents[h];
    if (e->parent == parent && e->len - e->key_off == kn &&
        memcmp(e->path + e->key_off, k, kn) == 0)
      return h;
  }
  size_t len = build_path(&L->path, t, parent, k, kn);
  if (len == SIZE_MAX)
    return load_oom(L), -1;
  h = tree_find(t, L->path.p, len);
  if (h < 0) {
    char text[80];
    cur_fail(&L->C, SBD_EINPUT,
             "unknown key '%s': it is not in the %lld records sampled to find the columns (raise "
             "sample_rows, or pass a schema naming it)",
             value_text(text, sizeof(text), L->path.p, L->path.p + len), (long long)L->r->sampled);
  }
  return h;
}

static bool load_object(jload *L, const char **pp, int parent) {
  const char *p = skip_ws(*pp + 1);
  if (++L->C.depth > JSON_MAX_DEPTH)
    return cur_fail(&L->C, SBD_EINPUT, "invalid JSON at column %d: nested deeper than %d levels",
                    cur_col(&L->C, *pp), JSON_MAX_DEPTH);
  if (*p == '}') {
    L->C.depth--;
    *pp = p + 1;
    return true;
  }
  /* The entry expected next, loaded while the previous value is parsed. */
  int expect = L->hint[L->prev + 1];
  for (;;) {
    if (*p != '"')
      return syntax_error(&L->C, p, "'\"' (a key)");
    int h = expect;
    const jfast *f = h >= 0 ? &L->fast[h] : NULL;
    uint64_t a, b;
    if (f && f->fast && f->parent == parent && L->C.buf_end - p >= 17 &&
        (memcpy(&a, p + 1, 8), memcpy(&b, p + 9, 8),
         (((a & f->mask[0]) ^ f->word[0]) | ((b & f->mask[1]) ^ f->word[1])) == 0)) {
      /* The expected key and its closing quote: no need to scan it. None of the bytes compared
       * is the '\n' at the end of the line, so they are all inside it. */
      p += f->key_len + 2;
    } else {
      const char *k;
      size_t kn;
      bool esc;
      p = scan_string(&L->C, p, &k, &kn, &esc);
      if (!p)
        return false;
      h = find_entry(L, parent, k, kn, esc);
      if (h < 0)
        return false;
      f = &L->fast[h];
    }
    L->hint[L->prev + 1] = h;
    L->prev = h;
    expect = L->hint[h + 1];
    p = skip_ws(p);
    if (*p != ':')
      return syntax_error(&L->C, p, "':'");
    p = skip_ws(p + 1);
    if (f->col >= 0) {
      if (!load_value(L, &p, f->col))
        return false;
    } else if (*p == '{') {
      if (!load_object(L, &p, h))
        return false;
      expect = L->hint[L->prev + 1];
    } else if (*p == 'n' && match_literal(p, "null", 4)) {
      p += 4; /* every column inside stays null */
    } else {
      const char *q = p;
      if (!skip_value(&L->C, &q))
        return false;
      const jnode *e = &L->ents[h];
      char text[80], key[80];
      return cur_fail(&L->C, SBD_EINPUT,
                      "key '%s': cannot read %s as an object (its keys are columns, from the "
                      "sampled records)",
                      value_text(key, sizeof(key), e->path, e->path + e->len),
                      value_text(text, sizeof(text), p, q));
    }
    p = skip_ws(p);
    if (*p == ',') {
      p = skip_ws(p + 1);
      continue;
    }
    if (*p == '}') {
      L->C.depth--;
      *pp = p + 1;
      return true;
    }
    return syntax_error(&L->C, p, "',' or '}'");
  }
}

/* A new batch with room for about the rows that rest bytes hold. */
static bool new_batch(jload *L, size_t rest) {
  int64_t est =
      (int64_t)(rest / L->r->record_bytes) + (int64_t)(rest / L->r->record_bytes) / 8 + 64;
  if (est > SBD_BATCH_ROWS)
    est = SBD_BATCH_ROWS;
  L->b = batch_new(NULL, L->r->schema, est);
  if (!L->b)
    return load_oom(L);
  L->cols = L->b->cols;
  /* String payloads start with room for short values (so their buffers exist even when every
   * value is empty) and grow by doubling. */
  for (int i = 0; i < L->r->ncols; i++)
    if (L->cols[i]->type == SBD_STRING && vec_reserve(NULL, L->cols[i], 0, est * 8) != SBD_OK)
      return load_oom(L);
  L->rows = 0;
  L->cap_rows = est;
  return true;
}

static bool flush_batch(jload *L, io_chunk *c) {
  if (!L->b)
    return true;
  if (L->rows == 0) {
    sbd_batch_free(L->b);
    L->b = NULL;
    return true;
  }
  batch_seal(L->b);
  L->b->nrows = L->rows;
  if (!io_chunk_add_batch(c, L->b)) {
    sbd_batch_free(L->b);
    L->b = NULL;
    return load_oom(L);
  }
  L->b = NULL;
  return true;
}

/* Parses one line (ending at C.eol) into the current batch. */
static bool load_line(jload *L, io_chunk *c, const char *p, size_t rest) {
  p = skip_ws(p);
  if (p == L->C.eol)
    return true;
  if (*p != '{')
    return syntax_error(&L->C, p, "'{' (each line must be one JSON object)");
  if (L->b && L->rows == SBD_BATCH_ROWS && !flush_batch(L, c))
    return false;
  if (!L->b && !new_batch(L, rest))
    return false;
  if (L->rows == L->cap_rows) {
    int64_t want = L->cap_rows * 2 < SBD_BATCH_ROWS ? L->cap_rows * 2 : SBD_BATCH_ROWS;
    for (int i = 0; i < L->r->ncols; i++)
      if (vec_reserve(NULL, L->cols[i], want - L->rows, 0) != SBD_OK)
        return load_oom(L);
    L->cap_rows = want;
  }
  L->tag++;
  L->nset = 0;
  L->prev = -1;
  L->C.depth = 0;
  if (!load_object(L, &p, -1))
    return false;
  p = skip_ws(p);
  if (p != L->C.eol)
    return syntax_error(&L->C, p, "the end of the line after the object");
  if (L->nset < L->r->ncols) {
    for (int i = 0; i < L->r->ncols; i++)
      if (L->stamp[i] != L->tag && vec_push_null(NULL, L->cols[i]) != SBD_OK)
        return load_oom(L);
  }
  L->rows++;
  return true;
}

/* Undoes the values a failed record appended: every vector had L->rows values before it, and
 * the record appended at most one to each (a duplicate key replaces its first value). */
static void rollback(jload *L) {
  if (!L->b)
    return;
  for (int i = 0; i < L->r->ncols; i++)
    if (L->cols[i]->len > L->rows)
      pop_value(L->cols[i]);
}

static void jsonl_parse(void *self, io_chunk *c) {
  const jsonl_reader *r = self;
  jload L = {.r = r, .ents = r->ents.v, .fast = r->fast};
  L.stamp = calloc((size_t)(r->ncols ? r->ncols : 1), sizeof(int64_t));
  L.hint = malloc(sizeof(int) * ((size_t)r->ents.n + 1));
  char *tail = NULL;
  if (!L.stamp || !L.hint) {
    io_chunk_error(c, SBD_ENOMEM, 0, "out of memory");
    goto done;
  }
  for (int i = 0; i <= r->ents.n; i++)
    L.hint[i] = i < r->ents.n ? i : -1;
  const char *p = c->data, *end = c->data + c->len;
  int64_t line = 0;
  if (c->offset == 0 && has_bom(p, end))
    p += 3;
  while (p < end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    L.C.status = SBD_OK;
    if (nl) {
      L.C.line = p;
      L.C.eol = nl;
      L.C.buf_end = end;
    } else {
      size_t n = (size_t)(end - p);
      tail = malloc(n + 1);
      if (!tail) {
        io_chunk_error(c, SBD_ENOMEM, line, "out of memory");
        break;
      }
      memcpy(tail, p, n);
      tail[n] = '\n';
      L.C.line = tail;
      L.C.eol = tail + n;
      L.C.buf_end = tail + n + 1;
    }
    if (L.C.eol - L.C.line > r->max_line) {
      line_cap_msg(L.C.msg, sizeof(L.C.msg), r->max_line);
      if (!r->skip) {
        io_chunk_error(c, SBD_ELIMIT, line, "%s", L.C.msg);
        break;
      }
      if (!io_chunk_reject(c, line, L.C.msg, p, (size_t)((nl ? nl : end) - p))) {
        io_chunk_error(c, SBD_ENOMEM, line, "out of memory");
        break;
      }
      if (!nl)
        break;
      line++;
      p = nl + 1;
      continue;
    }
    if (!load_line(&L, c, L.C.line, (size_t)(end - p))) {
      if (L.C.status == SBD_EINPUT) {
        /* A malformed line is reported as such even when loading stopped earlier on a value or
         * key that does not fit: syntax and UTF-8 come first, whatever the columns are. */
        jcur V = {.line = L.C.line, .eol = L.C.eol, .buf_end = L.C.buf_end};
        const char *obj;
        bool blank;
        if (!check_line(&V, V.line, &obj, &blank) && V.status == SBD_EINPUT)
          memcpy(L.C.msg, V.msg, sizeof(V.msg));
      }
      if (L.C.status == SBD_EINPUT && r->skip) {
        rollback(&L);
        size_t n = (size_t)((nl ? nl : end) - p);
        if (!io_chunk_reject(c, line, L.C.msg, p, n)) {
          io_chunk_error(c, SBD_ENOMEM, line, "out of memory");
          break;
        }
      } else {
        /* The records before this one are still delivered, ahead of the error. */
        rollback(&L);
        io_chunk_error(c, L.C.status, line, "%s", L.C.msg);
        break;
      }
    }
    if (!nl)
      break;
    line++;
    p = nl + 1;
  }
  c->nlines = line;
  if (c->status != SBD_ENOMEM && !flush_batch(&L, c))
    io_chunk_error(c, L.C.status, line, "%s", L.C.msg);
done:
  sbd_batch_free(L.b);
  free(tail);
  free(L.stamp);
  free(L.hint);
  free(L.key.p);
  free(L.path.p);
  free(L.text.p);
}

/* The end of the last whole line: JSON strings hold no raw newline, so every '\n' ends one. */
static size_t jsonl_cut(void *self, const char *buf, size_t len, bool eof) {
  if (eof)
    return len;
  size_t i = len;
  while (i > 0 && buf[i - 1] != '\n')
    i--;
  return i;
}

static const io_pipeline_ops jsonl_pipeline_ops = {jsonl_cut, jsonl_parse};

/* ---- the reader object ------------------------------------------------------------------------*/

static sbd_status jsonl_next(sbd_reader *r, sbd_batch **out) {
  jsonl_reader *j = r->impl;
  if (!j->started) {
    /* Set before the first chunk is handed to a worker, never after. */
    j->skip = r->rejects && r->rejects->skip;
    j->started = true;
  }
  return io_pipeline_next(j->pipe, r->rejects, &r->rejected, &r->bytes_done, out);
}

static void jsonl_reader_free(jsonl_reader *j) {
  if (!j)
    return;
  io_pipeline_free(j->pipe);
  free(j->fast);
  tree_free(&j->ents);
  schema_unref(j->schema);
  free(j);
}

static void jsonl_close(sbd_reader *r) {
  jsonl_reader_free(r->impl);
  r->impl = NULL;
}

static const io_reader_ops jsonl_reader_ops = {"jsonl", jsonl_next, jsonl_close};

/* Reads the head of src: about want bytes, and on until it holds a whole line (or the input
 * ends) within the line cap. */
static sbd_status read_head(sbd_ctx *ctx, io_source *src, size_t want, int64_t max_line, char **out,
                            size_t *out_len) {
  char *buf;
  size_t len;
  RETURN_IF_ERROR(io_read_sample(ctx, src, want, &buf, &len));
  size_t cap = want;
  while (!src->eof && !memchr(buf, '\n', len)) {
    if ((int64_t)len >= max_line) {
      free(buf);
      return sbd_error(ctx, SBD_ELIMIT,
                       "%s:1: a record is longer than the cap of %lld bytes (max_line_bytes)",
                       src->path, (long long)max_line);
    }
    size_t ncap = cap * 2;
    char *nb = sbd_realloc(ctx, buf, ncap);
    if (!nb) {
      free(buf);
      return SBD_ENOMEM;
    }
    buf = nb;
    cap = ncap;
    size_t got;
    sbd_status st = io_source_read(ctx, src, buf + len, cap - len, &got);
    if (st != SBD_OK) {
      free(buf);
      return st;
    }
    len += got;
  }
  *out = buf;
  *out_len = len;
  return SBD_OK;
}

static const char *const jsonl_read_keys[] = {IO_COMMON_READ_OPTIONS};

sbd_status jsonl_reader_open(sbd_ctx *ctx, const char *path, const sbd_options *opts,
                             const sbd_schema *force, sbd_reader **out) {
  *out = NULL;
  RETURN_IF_ERROR(opt_check_known(ctx, opts, "JSON Lines reader", jsonl_read_keys,
                                  (int)(sizeof(jsonl_read_keys) / sizeof(jsonl_read_keys[0]))));
  int64_t sample_rows, max_line;
  RETURN_IF_ERROR(
      opt_get_int(ctx, opts, "sample_rows", DEFAULT_SAMPLE_ROWS, 1, INT64_MAX, &sample_rows));
  RETURN_IF_ERROR(opt_get_bytes(ctx, opts, "max_line_bytes", DEFAULT_MAX_LINE_BYTES, &max_line));
  const char *mode = sbd_options_get(opts, "on_error");
  bool skip = mode && strcmp(mode, "skip") == 0;

  uint64_t want = (uint64_t)sample_rows * SAMPLE_BYTES_PER_ROW;
  if (sample_rows > (int64_t)(SAMPLE_MAX_BYTES / SAMPLE_BYTES_PER_ROW))
    want = SAMPLE_MAX_BYTES;
  if (want < SAMPLE_MIN_BYTES)
    want = SAMPLE_MIN_BYTES;

  io_source *src;
  RETURN_IF_ERROR(io_source_open(ctx, path, &src));
  int64_t size = src->size;
  char *head = NULL;
  size_t head_len = 0;
  sbd_status st = read_head(ctx, src, (size_t)want, max_line, &head, &head_len);
  if (st != SBD_OK) {
    io_source_close(src);
    return st;
  }
  jsonl_reader *j = sbd_calloc(ctx, 1, sizeof(*j));
  jtree sample = {0};
  sbd_reader *r = NULL;
  char first_err[SBD_ERRMSG_MAX];
  int64_t records = 0;
  size_t used = 0;
  bool forced = force && force->ncols > 0;
  if (!j)
    st = SBD_ENOMEM;
  if (st == SBD_OK)
    st = sample_input(ctx, path, head, head_len, src->eof, sample_rows, max_line, skip, &sample,
                      &records, &used, first_err, sizeof(first_err));
  if (st == SBD_OK && records == 0 && !forced) {
    if (first_err[0])
      st = sbd_error(ctx, SBD_EINPUT, "%s", first_err);
    else if (src->eof && head_len == used)
      st = sbd_error(ctx, SBD_EINPUT, "%s: the file is empty (no records)", path);
    else
      st = sbd_error(ctx, SBD_EINPUT, "%s: no records in the first %zu bytes", path, head_len);
  }
  if (st == SBD_OK) {
    j->sampled = records;
    j->max_line = max_line;
    j->record_bytes = records ? used / (size_t)records : 128;
    if (j->record_bytes < 8)
      j->record_bytes = 8;
    st = build_columns(ctx, path, &sample, force, j);
  }
  if (st == SBD_OK && j->ncols == 0)
    st = sbd_error(ctx, SBD_EINPUT,
                   "%s: the sampled records have no keys (every object is empty), so there are "
                   "no columns",
                   path);
  tree_free(&sample);
  if (st == SBD_OK) {
    st = io_pipeline_new(ctx, src, &jsonl_pipeline_ops, j, head, head_len, 0, max_line, &j->pipe);
    src = NULL; /* the pipeline owns it now, even on failure */
  }
  if (st == SBD_OK) {
    r = io_reader_new(ctx, &jsonl_reader_ops, path);
    if (!r)
      st = SBD_ENOMEM;
  }
  free(head);
  io_source_close(src);
  if (st != SBD_OK) {
    jsonl_reader_free(j);
    return st;
  }
  r->impl = j;
  r->schema = schema_ref(j->schema);
  r->bytes_total = size;
  *out = r;
  return SBD_OK;
}
