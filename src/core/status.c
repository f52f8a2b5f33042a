/*
 * status.c — the context and its error messages, allocation that reports failures, and the small
 * helpers every error message uses (quoting a value, suggesting the closest name).
 *
 * A context is used by one thread at a time; worker threads never write its message. They format
 * into their own buffers (sbd_format_msg) and the thread that owns the context copies the first
 * error in input order.
 */
#include "core/core_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

sbd_ctx *sbd_ctx_new(void) {
  sbd_ctx *ctx = calloc(1, sizeof(*ctx));
  if (!ctx)
    return NULL;
  ctx->threads = sys_default_threads();
  pthread_mutex_init(&ctx->lock, NULL);
  return ctx;
}

void sbd_ctx_free(sbd_ctx *ctx) {
  if (!ctx)
    return;
  if (ctx->tables_free)
    ctx->tables_free(ctx->tables);
  pool_free(ctx->pool);
  pthread_mutex_destroy(&ctx->lock);
  free(ctx);
}

const char *sbd_errmsg(const sbd_ctx *ctx) {
  return ctx ? ctx->errmsg : "";
}

sbd_status sbd_ctx_set_threads(sbd_ctx *ctx, int threads) {
  RETURN_ERROR_IF(threads < 0 || threads > 1024, ctx, SBD_EUSAGE,
                  "threads must be between 0 (one per core) and 1024, not %d", threads);
  int want = threads ? threads : sys_default_threads();
  if (ctx->pool && pool_threads(ctx->pool) != want) {
    pool_free(ctx->pool);
    ctx->pool = NULL;
  }
  ctx->threads = want;
  return SBD_OK;
}

int sbd_ctx_threads(const sbd_ctx *ctx) {
  return ctx->threads;
}

sbd_status sbd_verror(sbd_ctx *ctx, sbd_status status, const char *fmt, va_list ap) {
  if (ctx)
    vsnprintf(ctx->errmsg, sizeof(ctx->errmsg), fmt, ap);
  return status;
}

sbd_status sbd_error(sbd_ctx *ctx, sbd_status status, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  sbd_verror(ctx, status, fmt, ap);
  va_end(ap);
  return status;
}

void sbd_format_msg(char *buf, size_t cap, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, cap, fmt, ap);
  va_end(ap);
}

void *sbd_malloc(sbd_ctx *ctx, size_t size) {
  void *p = malloc(size ? size : 1);
  if (!p)
    sbd_error(ctx, SBD_ENOMEM, "out of memory (allocating %zu bytes)", size);
  return p;
}

void *sbd_calloc(sbd_ctx *ctx, size_t n, size_t size) {
  void *p = calloc(n ? n : 1, size ? size : 1);
  if (!p)
    sbd_error(ctx, SBD_ENOMEM, "out of memory (allocating %zu x %zu bytes)", n, size);
  return p;
}

void *sbd_realloc(sbd_ctx *ctx, void *p, size_t size) {
  void *q = realloc(p, size ? size : 1);
  if (!q)
    sbd_error(ctx, SBD_ENOMEM, "out of memory (allocating %zu bytes)", size);
  return q;
}

char *sbd_strndup(sbd_ctx *ctx, const char *s, size_t n) {
  char *d = sbd_malloc(ctx, n + 1);
  if (d) {
    memcpy(d, s, n);
    d[n] = 0;
  }
  return d;
}

char *sbd_strdup(sbd_ctx *ctx, const char *s) {
  return sbd_strndup(ctx, s, strlen(s));
}

char *sbd_quote_value(char *buf, size_t cap, const char *s, size_t n) {
  static const char hex[] = "0123456789abcdef";
  size_t o = 0, limit = 60;
  if (cap < 16) {
    if (cap)
      buf[0] = 0;
    return buf;
  }
  buf[o++] = '"';
  for (size_t i = 0; i < n && o + 8 < cap; i++) {
    unsigned char c = (unsigned char)s[i];
    if (i >= limit) {
      memcpy(buf + o, "...", 3);
      o += 3;
      break;
    }
    if (c == '"' || c == '\\') {
      buf[o++] = '\\';
      buf[o++] = (char)c;
    } else if (c == '\n') {
      buf[o++] = '\\';
      buf[o++] = 'n';
    } else if (c == '\r') {
      buf[o++] = '\\';
      buf[o++] = 'r';
    } else if (c == '\t') {
      buf[o++] = '\\';
      buf[o++] = 't';
    } else if (c < 0x20 || c == 0x7f) {
      buf[o++] = '\\';
      buf[o++] = 'x';
      buf[o++] = hex[c >> 4];
      buf[o++] = hex[c & 15];
    } else {
      buf[o++] = (char)c;
    }
  }
  buf[o++] = '"';
  buf[o] = 0;
  return buf;
}

static size_t edit_distance(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b);
  if (la > 64 || lb > 64)
    return (size_t)-1;
  size_t row[65];
  for (size_t j = 0; j <= lb; j++)
    row[j] = j;
  for (size_t i = 1; i <= la; i++) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= lb; j++) {
      size_t up = row[j];
      size_t cost = (a[i - 1] | 0x20) == (b[j - 1] | 0x20) ? 0 : 1;
      size_t best = diag + cost;
      if (row[j] + 1 < best)
        best = row[j] + 1;
      if (row[j - 1] + 1 < best)
        best = row[j - 1] + 1;
      row[j] = best;
      diag = up;
    }
  }
  return row[lb];
}

const char *sbd_closest(const char *word, const char *const *candidates, int n) {
  const char *best = NULL;
  size_t best_d = (size_t)-1;
  for (int i = 0; i < n; i++) {
    size_t d = edit_distance(word, candidates[i]);
    if (d < best_d) {
      best_d = d;
      best = candidates[i];
    }
  }
  /* A suggestion must be closer than a wholesale rewrite of the word. */
  size_t len = strlen(word);
  size_t limit = len <= 3 ? 1 : len <= 6 ? 2 : 3;
  return best_d <= limit ? best : NULL;
}

const char *sbd_type_name(sbd_type type) {
  switch (type) {
  case SBD_BOOL:
    return "BOOL";
  case SBD_INT64:
    return "INT64";
  case SBD_DOUBLE:
    return "DOUBLE";
  case SBD_STRING:
    return "STRING";
  case SBD_DATE:
    return "DATE";
  case SBD_TIMESTAMP:
    return "TIMESTAMP";
  }
  return "UNKNOWN";
}
