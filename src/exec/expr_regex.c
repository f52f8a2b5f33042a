/*
 * expr_regex.c — regexp_matches, regexp_full_match, regexp_replace and regexp_extract over
 * PCRE2 (8-bit code units, UTF mode: a pattern's '.' is one code point).
 *
 * A constant pattern is compiled once, when the query is bound (ex_regex_compile), with PCRE2's
 * allocator pointed at the query's arena: the compiled code then lives exactly as long as the
 * plan and needs no free (which is also why it is not JIT-compiled: JIT memory would need
 * pcre2_code_free). A pattern that is a column is compiled per row, reusing the last compiled
 * one while the pattern repeats. Match data is made once per batch.
 *
 * Semantics are DuckDB's, whose engine is RE2: a match anywhere for regexp_matches; the first
 * match replaced (every one with option 'g'; an empty match right after the previous match is
 * skipped, as RE2's GlobalReplace does); \0..\9 in the replacement are the groups, \\ a
 * backslash, and a replacement that names a group the pattern does not have, or ends in a lone
 * backslash, leaves the string unchanged (RE2 refuses such a rewrite); regexp_extract gives ''
 * when there is no match or the group did not take part. Options: i (case-insensitive), c (case-
 * sensitive), s (. matches a newline), m n p (the default: it does not), l (the pattern is a
 * literal), g (regexp_replace only). Where PCRE2 and RE2 differ (PCRE2 accepts backreferences and
 * lookaround, which RE2 refuses), sbd accepts more patterns than DuckDB.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "exec/exec_int.h"

#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

static void *arena_malloc(size_t size, void *data) {
  return arena_alloc((arena *)data, size);
}

static void arena_nofree(void *p, void *data) {
  (void)p;
  (void)data;
}

/* Compiles with the given memory (ccontext NULL: malloc); NULL and an error on q->ctx. */
static pcre2_code *compile(ex_query *q, const char *pattern, size_t len, uint32_t flags,
                           const char *text, pcre2_compile_context *cc) {
  int code;
  PCRE2_SIZE at;
  /* $ only at the very end, as RE2's: PCRE2 would also match before a final newline. */
  if (flags & PCRE2_LITERAL) /* which takes no option about metacharacters */
    flags &= ~(uint32_t)PCRE2_DOTALL;
  else
    flags |= PCRE2_DOLLAR_ENDONLY;
  pcre2_code *re =
      pcre2_compile((PCRE2_SPTR)(len ? pattern : ""), len, flags | PCRE2_UTF, &code, &at, cc);
  if (re)
    return re;
  PCRE2_UCHAR msg[256];
  pcre2_get_error_message(code, msg, sizeof(msg));
  char shown[128];
  sbd_quote_value(shown, sizeof(shown), pattern, len);
  sbd_error(q->ctx, SBD_EINPUT, "SQL: %s: bad regular expression %s: %s (at byte %zu)", text, shown,
            (const char *)msg, (size_t)at);
  return NULL;
}

const void *ex_regex_compile(ex_query *q, const char *pattern, size_t len, uint32_t flags,
                             const char *text) {
  pcre2_general_context *gc = pcre2_general_context_create(arena_malloc, arena_nofree, &q->arena);
  pcre2_compile_context *cc = gc ? pcre2_compile_context_create(gc) : NULL;
  if (!cc) {
    sbd_error(q->ctx, SBD_ENOMEM, "out of memory");
    return NULL;
  }
  return compile(q, pattern, len, flags, text, cc);
}

bool ex_regex_options(const char *opts, size_t n, bool allow_global, uint32_t *flags, bool *global,
                      char *bad) {
  *flags = 0;
  *global = false;
  for (size_t i = 0; i < n; i++) {
    switch (opts[i]) {
    case 'i':
      *flags |= PCRE2_CASELESS;
      break;
    case 'c':
      *flags &= ~(uint32_t)PCRE2_CASELESS;
      break;
    case 's':
      *flags |= PCRE2_DOTALL;
      break;
    case 'm':
    case 'n':
    case 'p':
      *flags &= ~(uint32_t)PCRE2_DOTALL;
      break;
    case 'l':
      *flags |= PCRE2_LITERAL;
      break;
    case 'g':
      if (!allow_global) {
        *bad = 'g';
        return false;
      }
      *global = true;
      break;
    default:
      *bad = opts[i];
      return false;
    }
  }
  return true;
}

/* The pattern of row i: the constant one, or row i's compiled (cached while it repeats). */
typedef struct pattern_cache {
  pcre2_code *code; /* malloc'd, for column patterns */
  char *text;
  size_t len;
} pattern_cache;

static sbd_status row_pattern(ex_query *q, const ex_expr *e, const sbd_vec *p, int64_t i,
                              pattern_cache *c, const pcre2_code **out) {
  if (e->regex) {
    *out = e->regex;
    return SBD_OK;
  }
  size_t len;
  const char *s = vec_str(p, i, &len);
  if (c->code && c->len == len && memcmp(c->text, s, len) == 0) {
    *out = c->code;
    return SBD_OK;
  }
  pcre2_code_free(c->code);
  free(c->text);
  c->code = NULL;
  c->text = malloc(len ? len : 1);
  if (!c->text)
    return sbd_error(q->ctx, SBD_ENOMEM, "out of memory");
  memcpy(c->text, s, len);
  c->len = len;
  c->code = compile(q, s, len, e->regex_flags, e->text, NULL);
  if (!c->code)
    return SBD_EINPUT;
  *out = c->code;
  return SBD_OK;
}

static sbd_status match_error(ex_query *q, const ex_expr *e, int rc) {
  PCRE2_UCHAR msg[256];
  pcre2_get_error_message(rc, msg, sizeof(msg));
  return sbd_error(q->ctx, SBD_EINPUT, "SQL: %s: regular expression failed: %s", e->text,
                   (const char *)msg);
}

/* Appends the replacement rep with \0..\9 made the groups of ov (rc groups set). False when rep
 * names a group beyond ngroups or ends in a lone backslash: RE2 refuses such a rewrite. */
static bool rewrite_ok(const char *rep, size_t rlen, uint32_t ngroups) {
  for (size_t k = 0; k < rlen; k++) {
    if (rep[k] != '\\')
      continue;
    if (++k >= rlen)
      return false;
    if (rep[k] >= '0' && rep[k] <= '9') {
      if ((uint32_t)(rep[k] - '0') > ngroups)
        return false;
    } else if (rep[k] != '\\') {
      return false;
    }
  }
  return true;
}

/* A growable output buffer with the value cap. */
typedef struct outbuf {
  char *data;
  size_t len, cap;
} outbuf;

static bool out_put(outbuf *o, const char *s, size_t n) {
  if (o->len + n > o->cap) {
    size_t cap = o->cap ? o->cap : 256;
    while (cap < o->len + n)
      cap *= 2;
    char *d = realloc(o->data, cap);
    if (!d)
      return false;
    o->data = d;
    o->cap = cap;
  }
  if (n)
    memcpy(o->data + o->len, s, n);
  o->len += n;
  return true;
}

static bool put_rewrite(outbuf *o, const char *s, const char *rep, size_t rlen,
                        const PCRE2_SIZE *ov, int rc) {
  for (size_t k = 0; k < rlen; k++) {
    if (rep[k] == '\\' && k + 1 < rlen && rep[k + 1] >= '0' && rep[k + 1] <= '9') {
      int g = rep[++k] - '0';
      if (g < rc && ov[2 * g] != PCRE2_UNSET &&
          !out_put(o, s + ov[2 * g], ov[2 * g + 1] - ov[2 * g]))
        return false;
      continue;
    }
    if (rep[k] == '\\')
      k++; /* \\ */
    if (!out_put(o, rep + k, 1))
      return false;
  }
  return true;
}

static inline size_t utf8_char_len(unsigned char c) {
  return c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
}

/* regexp_replace of one string into o; *changed false when nothing matched. */
static sbd_status replace_one(ex_query *q, const ex_expr *e, const pcre2_code *re,
                              pcre2_match_data *md, const char *s, size_t len, const char *rep,
                              size_t rlen, outbuf *o, bool *changed) {
  *changed = false;
  uint32_t ngroups = 0;
  pcre2_pattern_info(re, PCRE2_INFO_CAPTURECOUNT, &ngroups);
  if (!rewrite_ok(rep, rlen, ngroups))
    return SBD_OK;
  PCRE2_SPTR subject = (PCRE2_SPTR)(len ? s : "");
  size_t p = 0, last_end = (size_t)-1;
  int count = 0;
  o->len = 0;
  while (p <= len) {
    int rc = pcre2_match(re, subject, len, p, 0, md, NULL);
    if (rc == PCRE2_ERROR_NOMATCH)
      break;
    if (rc < 0)
      return match_error(q, e, rc);
    const PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
    if (ov[0] > p && !out_put(o, s + p, ov[0] - p))
      return sbd_error(q->ctx, SBD_ENOMEM, "out of memory");
    if (ov[0] == last_end && ov[1] == ov[0]) {
      /* An empty match where the last one ended: step over one character instead. */
      if (ov[0] >= len)
        break;
      size_t step = utf8_char_len((unsigned char)s[ov[0]]);
      if (step > len - ov[0])
        step = len - ov[0];
      if (!out_put(o, s + ov[0], step))
        return sbd_error(q->ctx, SBD_ENOMEM, "out of memory");
      p = ov[0] + step;
      continue;
    }
    if (!put_rewrite(o, s, rep, rlen, ov, rc))
      return sbd_error(q->ctx, SBD_ENOMEM, "out of memory");
    p = ov[1];
    last_end = ov[1];
    count++;
    RETURN_ERROR_IF(o->len > SBD_MAX_VALUE_BYTES, q->ctx, SBD_ELIMIT,
                    "SQL: %s: a string of more than %u bytes is over the cap", e->text,
                    SBD_MAX_VALUE_BYTES);
    if (!e->regex_global)
      break;
    if (ov[1] == ov[0]) { /* an empty match: the next one must start further on */
      if (p >= len)
        break;
      size_t step = utf8_char_len((unsigned char)s[p]);
      if (step > len - p)
        step = len - p;
      if (!out_put(o, s + p, step))
        return sbd_error(q->ctx, SBD_ENOMEM, "out of memory");
      p += step;
    }
  }
  if (count == 0)
    return SBD_OK;
  if (p < len && !out_put(o, s + p, len - p))
    return sbd_error(q->ctx, SBD_ENOMEM, "out of memory");
  RETURN_ERROR_IF(o->len > SBD_MAX_VALUE_BYTES, q->ctx, SBD_ELIMIT,
                  "SQL: %s: a string of more than %u bytes is over the cap", e->text,
                  SBD_MAX_VALUE_BYTES);
  *changed = true;
  return SBD_OK;
}

static sbd_status eval_rows(ex_query *q, const ex_expr *e, sbd_vec **args, int64_t n, sbd_vec *r,
                            pcre2_match_data **md, pattern_cache *cache, outbuf *o,
                            pcre2_general_context *malloc_context) {
  bool boolean = e->fn == EX_FN_REGEXP_MATCHES || e->fn == EX_FN_REGEXP_FULL_MATCH;
  const sbd_vec *a = args[0], *p = args[1];
  for (int64_t i = 0; i < n; i++) {
    bool null = false;
    for (int k = 0; k < e->nargs; k++)
      null |= !vec_is_valid(args[k], i);
    if (null) {
      if (boolean)
        RETURN_IF_ERROR(vec_set_null(q->ctx, r, i));
      else
        RETURN_IF_ERROR(vec_push_null(q->ctx, r));
      continue;
    }
    const pcre2_code *re;
    RETURN_IF_ERROR(row_pattern(q, e, p, i, cache, &re));
    if (!e->regex || !*md) {
      pcre2_match_data_free(*md);
      /* Match data (and the frames pcre2_match keeps in it) come from malloc, never from the
       * pattern's arena: this kernel runs on several workers at once (parallel aggregation),
       * and an arena is not thread-safe. */
      *md = pcre2_match_data_create_from_pattern(re, malloc_context);
      if (!*md)
        return sbd_error(q->ctx, SBD_ENOMEM, "out of memory");
    }
    size_t len;
    const char *s = vec_str(a, i, &len);
    PCRE2_SPTR subject = (PCRE2_SPTR)(len ? s : "");
    if (e->fn == EX_FN_REGEXP_REPLACE) {
      size_t rlen;
      const char *rep = vec_str(args[2], i, &rlen);
      bool changed;
      RETURN_IF_ERROR(replace_one(q, e, re, *md, s, len, rep, rlen, o, &changed));
      if (!changed) {
        s = vec_str(a, i, &len);
        RETURN_IF_ERROR(vec_push_str(q->ctx, r, s, len));
      } else {
        RETURN_IF_ERROR(vec_push_str(q->ctx, r, o->data, o->len));
      }
      continue;
    }
    uint32_t opts = e->fn == EX_FN_REGEXP_FULL_MATCH ? PCRE2_ANCHORED | PCRE2_ENDANCHORED : 0;
    int rc = pcre2_match(re, subject, len, 0, opts, *md, NULL);
    if (rc < 0 && rc != PCRE2_ERROR_NOMATCH)
      return match_error(q, e, rc);
    if (boolean) {
      ((uint8_t *)r->values)[i] = rc >= 0;
      continue;
    }
    /* regexp_extract */
    int64_t g = e->nargs > 2 ? ((const int64_t *)args[2]->values)[i] : 0;
    if (g < 0 || g > 9)
      return sbd_error(q->ctx, SBD_EINPUT, "SQL: %s: the group must be between 0 and 9, not %lld",
                       e->text, (long long)g);
    const PCRE2_SIZE *ov = pcre2_get_ovector_pointer(*md);
    if (rc < 0 || g >= rc || ov[2 * g] == PCRE2_UNSET)
      RETURN_IF_ERROR(vec_push_str(q->ctx, r, "", 0));
    else
      RETURN_IF_ERROR(vec_push_str(q->ctx, r, s + ov[2 * g], ov[2 * g + 1] - ov[2 * g]));
  }
  return SBD_OK;
}

sbd_status ex_eval_regex(ex_query *q, const ex_expr *e, sbd_vec **args, int64_t n, sbd_vec **out) {
  bool boolean = e->fn == EX_FN_REGEXP_MATCHES || e->fn == EX_FN_REGEXP_FULL_MATCH;
  sbd_vec *r = vec_new(q->ctx, boolean ? SBD_BOOL : SBD_STRING, n > 0 ? n : 1);
  if (!r)
    return SBD_ENOMEM;
  *out = r;
  if (boolean) {
    r->len = n;
    memset(r->values, 0, (size_t)(n > 0 ? n : 1));
  }
  pcre2_match_data *md = NULL;
  pattern_cache cache = {0};
  outbuf o = {0};
  pcre2_general_context *malloc_context = pcre2_general_context_create(NULL, NULL, NULL);
  sbd_status st = malloc_context ? eval_rows(q, e, args, n, r, &md, &cache, &o, malloc_context)
                                 : sbd_error(q->ctx, SBD_ENOMEM, "out of memory");
  pcre2_match_data_free(md);
  pcre2_general_context_free(malloc_context);
  pcre2_code_free(cache.code);
  free(cache.text);
  free(o.data);
  return st;
}
