/*
 * schema.c — column names and types. A schema is shared by a reader and every batch it makes, so
 * it is reference-counted (atomically: batches travel between threads) and immutable once a
 * reader hands it out.
 */
#include "core/core_int.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

sbd_schema *schema_new(sbd_ctx *ctx, int ncols) {
  sbd_schema *s = sbd_calloc(ctx, 1, sizeof(*s));
  if (!s)
    return NULL;
  s->fields = sbd_calloc(ctx, (size_t)(ncols > 0 ? ncols : 1), sizeof(sbd_field));
  if (!s->fields) {
    free(s);
    return NULL;
  }
  s->ncols = ncols;
  s->refs = 1;
  return s;
}

sbd_status schema_set(sbd_ctx *ctx, sbd_schema *s, int col, const char *name, sbd_type type) {
  char *copy = sbd_strdup(ctx, name);
  if (!copy)
    return SBD_ENOMEM;
  free(s->fields[col].name);
  s->fields[col].name = copy;
  s->fields[col].type = type;
  return SBD_OK;
}

sbd_schema *schema_ref(sbd_schema *s) {
  if (s)
    __atomic_add_fetch(&s->refs, 1, __ATOMIC_RELAXED);
  return s;
}

void schema_unref(sbd_schema *s) {
  if (!s || __atomic_sub_fetch(&s->refs, 1, __ATOMIC_ACQ_REL) != 0)
    return;
  for (int i = 0; i < s->ncols; i++)
    free(s->fields[i].name);
  free(s->fields);
  free(s);
}

bool schema_equal(const sbd_schema *a, const sbd_schema *b) {
  if (a->ncols != b->ncols)
    return false;
  for (int i = 0; i < a->ncols; i++)
    if (a->fields[i].type != b->fields[i].type || strcmp(a->fields[i].name, b->fields[i].name))
      return false;
  return true;
}

int sbd_schema_ncols(const sbd_schema *s) {
  return s->ncols;
}
const char *sbd_schema_name(const sbd_schema *s, int col) {
  return s->fields[col].name;
}
sbd_type sbd_schema_type(const sbd_schema *s, int col) {
  return s->fields[col].type;
}

int sbd_schema_find(const sbd_schema *s, const char *name) {
  for (int i = 0; i < s->ncols; i++)
    if (strcmp(s->fields[i].name, name) == 0)
      return i;
  return -1;
}

static const struct {
  const char *name;
  sbd_type type;
} type_names[] = {
    {"BOOL", SBD_BOOL},     {"BOOLEAN", SBD_BOOL},        {"INT64", SBD_INT64},
    {"BIGINT", SBD_INT64},  {"INTEGER", SBD_INT64},       {"INT", SBD_INT64},
    {"DOUBLE", SBD_DOUBLE}, {"FLOAT", SBD_DOUBLE},        {"REAL", SBD_DOUBLE},
    {"STRING", SBD_STRING}, {"VARCHAR", SBD_STRING},      {"TEXT", SBD_STRING},
    {"DATE", SBD_DATE},     {"TIMESTAMP", SBD_TIMESTAMP}, {"DATETIME", SBD_TIMESTAMP},
};

sbd_type type_from_name(const char *name, size_t n) {
  for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++)
    if (strlen(type_names[i].name) == n && strncasecmp(type_names[i].name, name, n) == 0)
      return type_names[i].type;
  return 0;
}

static bool is_space(char c) {
  return c == ' ' || c == '\t';
}

sbd_status schema_parse(sbd_ctx *ctx, const char *text, sbd_schema **out) {
  *out = NULL;
  int ncols = 1;
  for (const char *p = text; *p; p++)
    ncols += *p == ',';
  sbd_schema *s = schema_new(ctx, ncols);
  if (!s)
    return SBD_ENOMEM;
  const char *p = text;
  for (int col = 0; col < ncols; col++) {
    const char *end = strchr(p, ',');
    if (!end)
      end = p + strlen(p);
    const char *colon = memchr(p, ':', (size_t)(end - p));
    const char *a = p, *b = colon ? colon : end;
    while (a < b && is_space(*a))
      a++;
    while (b > a && is_space(b[-1]))
      b--;
    if (!colon || a == b) {
      schema_unref(s);
      return sbd_error(ctx, SBD_EUSAGE,
                       "schema \"%s\": expected name:TYPE pairs separated by commas, such as "
                       "'id:INT64,ts:TIMESTAMP'",
                       text);
    }
    const char *t = colon + 1, *te = end;
    while (t < te && is_space(*t))
      t++;
    while (te > t && is_space(te[-1]))
      te--;
    sbd_type type = type_from_name(t, (size_t)(te - t));
    if (!type) {
      schema_unref(s);
      return sbd_error(ctx, SBD_EUSAGE,
                       "schema: unknown type '%.*s' for column '%.*s' (types: BOOL, INT64, "
                       "DOUBLE, STRING, DATE, TIMESTAMP)",
                       (int)(te - t), t, (int)(b - a), a);
    }
    char *name = sbd_strndup(ctx, a, (size_t)(b - a));
    if (!name) {
      schema_unref(s);
      return SBD_ENOMEM;
    }
    for (int j = 0; j < col; j++) {
      if (strcmp(s->fields[j].name, name) == 0) {
        sbd_error(ctx, SBD_EUSAGE, "schema: column '%s' is named twice", name);
        free(name);
        schema_unref(s);
        return SBD_EUSAGE;
      }
    }
    s->fields[col].name = name;
    s->fields[col].type = type;
    p = *end ? end + 1 : end;
  }
  *out = s;
  return SBD_OK;
}
