/*
 * arrow.c — exports a batch through the Arrow C Data Interface: a struct array whose children
 * are the columns, sharing the vectors' buffers. The export holds a reference to the batch until
 * the consumer releases the array, so the caller may free its own reference at once. BOOL is the
 * one type copied: Arrow booleans are bit-packed, ours are bytes.
 *
 * Formats: b (bool), l (int64), g (double), U (large utf8), tdD (date32), tsu:UTC (timestamp us).
 */
#include "core/core_int.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
  sbd_batch *batch; /* the reference this export holds (on the parent only) */
  const void *buffers[3];
  void *owned; /* a buffer this array allocated (packed booleans) */
} array_private;

static const char *arrow_format(sbd_type t) {
  switch (t) {
  case SBD_BOOL:
    return "b";
  case SBD_INT64:
    return "l";
  case SBD_DOUBLE:
    return "g";
  case SBD_STRING:
    return "U";
  case SBD_DATE:
    return "tdD";
  case SBD_TIMESTAMP:
    return "tsu:UTC";
  }
  return "n";
}

static void release_schema(struct ArrowSchema *s) {
  if (!s->release)
    return;
  for (int64_t i = 0; i < s->n_children; i++) {
    struct ArrowSchema *c = s->children[i];
    if (c->release)
      c->release(c);
    free(c);
  }
  free(s->children);
  free(s->private_data); /* names of the children live in the parent's block */
  s->release = NULL;
}

static void release_child_schema(struct ArrowSchema *s) {
  s->release = NULL;
}

static void release_array(struct ArrowArray *a) {
  if (!a->release)
    return;
  for (int64_t i = 0; i < a->n_children; i++) {
    struct ArrowArray *c = a->children[i];
    if (c->release)
      c->release(c);
    free(c);
  }
  free(a->children);
  array_private *priv = a->private_data;
  if (priv) {
    sbd_batch_free(priv->batch);
    free(priv->owned);
    free(priv);
  }
  a->release = NULL;
}

static sbd_status export_column(sbd_ctx *ctx, sbd_vec *v, struct ArrowArray *out) {
  array_private *priv = sbd_calloc(ctx, 1, sizeof(*priv));
  if (!priv)
    return SBD_ENOMEM;
  memset(out, 0, sizeof(*out));
  out->length = v->len;
  out->null_count = v->null_count;
  out->n_buffers = v->type == SBD_STRING ? 3 : 2;
  priv->buffers[0] = v->null_count ? (const void *)v->validity : NULL;
  if (v->type == SBD_BOOL) {
    size_t words = (size_t)(v->len + 63) / 64;
    uint64_t *bits = sbd_calloc(ctx, words ? words : 1, 8);
    if (!bits) {
      free(priv);
      return SBD_ENOMEM;
    }
    const uint8_t *bytes = v->values;
    for (int64_t i = 0; i < v->len; i++)
      bits[i >> 6] |= (uint64_t)(bytes[i] & 1) << (i & 63);
    priv->owned = bits;
    priv->buffers[1] = bits;
  } else {
    priv->buffers[1] = v->values;
    priv->buffers[2] = v->bytes ? v->bytes : (const void *)"";
  }
  out->buffers = priv->buffers;
  out->private_data = priv;
  out->release = release_array;
  return SBD_OK;
}

sbd_status sbd_batch_export(sbd_ctx *ctx, sbd_batch *b, struct ArrowArray *array,
                            struct ArrowSchema *schema) {
  memset(array, 0, sizeof(*array));
  memset(schema, 0, sizeof(*schema));
  int n = b->ncols;
  /* Schema: the children and their names in one block owned by the parent. */
  size_t names_bytes = 0;
  for (int i = 0; i < n; i++)
    names_bytes += strlen(b->schema->fields[i].name) + 1;
  char *names = sbd_malloc(ctx, names_bytes + 1);
  struct ArrowSchema **schildren = sbd_calloc(ctx, (size_t)(n ? n : 1), sizeof(*schildren));
  if (!names || !schildren) {
    free(names);
    free(schildren);
    return SBD_ENOMEM;
  }
  schema->format = "+s";
  schema->name = "";
  schema->n_children = 0;
  schema->children = schildren;
  schema->private_data = names;
  schema->release = release_schema;
  char *np = names;
  for (int i = 0; i < n; i++) {
    struct ArrowSchema *c = sbd_calloc(ctx, 1, sizeof(*c));
    if (!c) {
      release_schema(schema);
      return SBD_ENOMEM;
    }
    size_t len = strlen(b->schema->fields[i].name);
    memcpy(np, b->schema->fields[i].name, len + 1);
    c->format = arrow_format(b->schema->fields[i].type);
    c->name = np;
    c->flags = ARROW_FLAG_NULLABLE;
    c->release = release_child_schema;
    np += len + 1;
    schildren[schema->n_children++] = c;
  }

  array_private *priv = sbd_calloc(ctx, 1, sizeof(*priv));
  struct ArrowArray **achildren = sbd_calloc(ctx, (size_t)(n ? n : 1), sizeof(*achildren));
  if (!priv || !achildren) {
    free(priv);
    free(achildren);
    release_schema(schema);
    return SBD_ENOMEM;
  }
  priv->batch = batch_ref(b);
  array->length = b->nrows;
  array->n_buffers = 1;
  array->buffers = priv->buffers;
  array->children = achildren;
  array->private_data = priv;
  array->release = release_array;
  for (int i = 0; i < n; i++) {
    struct ArrowArray *c = sbd_calloc(ctx, 1, sizeof(*c));
    if (!c || export_column(ctx, b->cols[i], c) != SBD_OK) {
      free(c);
      release_array(array);
      release_schema(schema);
      return SBD_ENOMEM;
    }
    achildren[array->n_children++] = c;
  }
  return SBD_OK;
}
