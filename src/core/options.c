/*
 * options.c — key/value options shared by readers, writers, the CLI and (later) SQL reader
 * functions. Keys are compared exactly; each consumer lists the keys it knows, so an option that
 * nobody reads is an error rather than silently ignored.
 */
#include "core/core_int.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

sbd_options *sbd_options_new(void) {
  return calloc(1, sizeof(sbd_options));
}

void sbd_options_free(sbd_options *o) {
  if (!o)
    return;
  for (int i = 0; i < o->n; i++) {
    free(o->keys[i]);
    free(o->values[i]);
  }
  free(o->keys);
  free(o->values);
  free(o);
}

sbd_status sbd_options_set(sbd_options *o, const char *key, const char *value) {
  char *v = strdup(value ? value : "");
  if (!v)
    return SBD_ENOMEM;
  for (int i = 0; i < o->n; i++) {
    if (strcmp(o->keys[i], key) == 0) {
      free(o->values[i]);
      o->values[i] = v;
      return SBD_OK;
    }
  }
  if (o->n == o->cap) {
    int cap = o->cap ? o->cap * 2 : 8;
    char **k = realloc(o->keys, sizeof(char *) * (size_t)cap);
    if (!k) {
      free(v);
      return SBD_ENOMEM;
    }
    o->keys = k;
    char **vs = realloc(o->values, sizeof(char *) * (size_t)cap);
    if (!vs) {
      free(v);
      return SBD_ENOMEM;
    }
    o->values = vs;
    o->cap = cap;
  }
  o->keys[o->n] = strdup(key);
  if (!o->keys[o->n]) {
    free(v);
    return SBD_ENOMEM;
  }
  o->values[o->n++] = v;
  return SBD_OK;
}

const char *sbd_options_get(const sbd_options *o, const char *key) {
  if (!o)
    return NULL;
  for (int i = 0; i < o->n; i++)
    if (strcmp(o->keys[i], key) == 0)
      return o->values[i];
  return NULL;
}

sbd_status opt_check_known(sbd_ctx *ctx, const sbd_options *o, const char *what,
                           const char *const *known, int n) {
  if (!o)
    return SBD_OK;
  for (int i = 0; i < o->n; i++) {
    bool found = false;
    for (int j = 0; j < n && !found; j++)
      found = strcmp(o->keys[i], known[j]) == 0;
    if (!found) {
      const char *near = sbd_closest(o->keys[i], known, n);
      if (near)
        return sbd_error(ctx, SBD_EUSAGE, "%s: unknown option '%s' (did you mean '%s'?)", what,
                         o->keys[i], near);
      return sbd_error(ctx, SBD_EUSAGE, "%s: unknown option '%s'", what, o->keys[i]);
    }
  }
  return SBD_OK;
}

sbd_status opt_get_bool(sbd_ctx *ctx, const sbd_options *o, const char *key, bool dflt, bool *out) {
  const char *v = sbd_options_get(o, key);
  *out = dflt;
  if (!v)
    return SBD_OK;
  if (!strcasecmp(v, "true") || !strcmp(v, "1") || !strcasecmp(v, "yes") || !strcasecmp(v, "on"))
    *out = true;
  else if (!strcasecmp(v, "false") || !strcmp(v, "0") || !strcasecmp(v, "no") ||
           !strcasecmp(v, "off"))
    *out = false;
  else
    return sbd_error(ctx, SBD_EUSAGE, "option %s: expected true or false, not \"%s\"", key, v);
  return SBD_OK;
}

sbd_status opt_get_int(sbd_ctx *ctx, const sbd_options *o, const char *key, int64_t dflt,
                       int64_t min, int64_t max, int64_t *out) {
  const char *v = sbd_options_get(o, key);
  *out = dflt;
  if (!v)
    return SBD_OK;
  int64_t x;
  if (!num_parse_int64(v, strlen(v), &x))
    return sbd_error(ctx, SBD_EUSAGE, "option %s: expected an integer, not \"%s\"", key, v);
  if (x < min || x > max)
    return sbd_error(ctx, SBD_EUSAGE, "option %s: %lld is out of range %lld..%lld", key,
                     (long long)x, (long long)min, (long long)max);
  *out = x;
  return SBD_OK;
}

sbd_status opt_get_bytes(sbd_ctx *ctx, const sbd_options *o, const char *key, int64_t dflt,
                         int64_t *out) {
  const char *v = sbd_options_get(o, key);
  *out = dflt;
  if (!v)
    return SBD_OK;
  size_t n = strlen(v);
  int64_t mult = 1;
  if (n > 0) {
    char last = v[n - 1];
    if (last == 'B' || last == 'b') {
      n--;
      last = n ? v[n - 1] : 0;
    }
    switch (last | 0x20) {
    case 'k':
      mult = 1 << 10;
      n--;
      break;
    case 'm':
      mult = 1 << 20;
      n--;
      break;
    case 'g':
      mult = 1 << 30;
      n--;
      break;
    default:
      break;
    }
  }
  int64_t x;
  if (!num_parse_int64(v, n, &x) || x <= 0 || x > INT64_MAX / mult)
    return sbd_error(ctx, SBD_EUSAGE,
                     "option %s: expected a positive size such as 4096, 64K, 16M or 1G, not \"%s\"",
                     key, v);
  *out = x * mult;
  return SBD_OK;
}
