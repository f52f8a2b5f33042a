/*
 * rows.c — listings as readers: the catalog's answers (sbd groups, features, versions) are
 * gathered cell by cell into one batch and handed out through the reader API, so the CLI prints
 * them as it prints a query and the Python binding reads them as it reads any result. A listing
 * is small (a row per group, feature or version), so one batch of at most SBD_BATCH_ROWS rows is
 * the cap; a listing beyond it is an error naming the cap.
 */
#include "io/io_int.h"
#include "store/store_int.h"

#include <stdlib.h>
#include <string.h>

struct st_rows {
  sbd_ctx *ctx;
  sbd_batch *batch;
  int col; /* the column of the next cell */
  sbd_status failed;
};

st_rows *st_rows_new(sbd_ctx *ctx, int ncols, const char *const *names, const sbd_type *types) {
  sbd_schema *schema = schema_new(ctx, ncols);
  if (!schema)
    return NULL;
  for (int i = 0; i < ncols; i++)
    if (schema_set(ctx, schema, i, names[i], types[i]) != SBD_OK) {
      schema_unref(schema);
      return NULL;
    }
  st_rows *r = sbd_calloc(ctx, 1, sizeof(*r));
  if (r)
    r->batch = batch_new(ctx, schema, 64);
  schema_unref(schema);
  if (r && !r->batch) {
    free(r);
    return NULL;
  }
  if (r)
    r->ctx = ctx;
  return r;
}

void st_rows_free(st_rows *r) {
  if (!r)
    return;
  sbd_batch_free(r->batch);
  free(r);
}

/* The vector of the next cell, with room for one more row. */
static sbd_vec *next_cell(st_rows *r) {
  if (r->failed)
    return NULL;
  sbd_vec *v = r->batch->cols[r->col];
  if (v->len >= SBD_BATCH_ROWS) {
    r->failed = sbd_error(r->ctx, SBD_ELIMIT, "a listing of more than %d rows", SBD_BATCH_ROWS);
    return NULL;
  }
  if ((r->failed = vec_reserve(r->ctx, v, 1, 0)) != SBD_OK)
    return NULL;
  r->col = (r->col + 1) % r->batch->ncols;
  return v;
}

sbd_status st_rows_str(st_rows *r, const char *text) {
  sbd_vec *v = next_cell(r);
  if (!v)
    return r->failed;
  if (!text)
    return r->failed = vec_push_null(r->ctx, v);
  return r->failed = vec_push_str(r->ctx, v, text, strlen(text));
}

sbd_status st_rows_int(st_rows *r, int64_t x, bool is_null) {
  sbd_vec *v = next_cell(r);
  if (!v)
    return r->failed;
  if (is_null)
    return r->failed = vec_push_null(r->ctx, v);
  vec_push_i64(v, x);
  return SBD_OK;
}

sbd_status st_rows_double(st_rows *r, double x, bool is_null) {
  sbd_vec *v = next_cell(r);
  if (!v)
    return r->failed;
  if (is_null)
    return r->failed = vec_push_null(r->ctx, v);
  vec_push_f64(v, x);
  return SBD_OK;
}

sbd_status st_rows_column(st_rows *r, sqlite3_stmt *stmt, int col) {
  bool null = sqlite3_column_type(stmt, col) == SQLITE_NULL;
  switch (r->batch->cols[r->col]->type) {
  case SBD_INT64:
    return st_rows_int(r, sqlite3_column_int64(stmt, col), null);
  case SBD_DOUBLE:
    return st_rows_double(r, sqlite3_column_double(stmt, col), null);
  default:
    return st_rows_str(r, null ? NULL : (const char *)sqlite3_column_text(stmt, col));
  }
}

typedef struct rows_stream {
  sbd_batch *batch; /* handed out by the first next */
} rows_stream;

static sbd_status rows_next(sbd_reader *reader, sbd_batch **out) {
  rows_stream *s = reader->impl;
  *out = s->batch;
  s->batch = NULL;
  return SBD_OK;
}

static void rows_close(sbd_reader *reader) {
  rows_stream *s = reader->impl;
  if (s)
    sbd_batch_free(s->batch);
  free(s);
}

static const io_reader_ops rows_ops = {"listing", rows_next, rows_close};

sbd_status st_rows_reader(st_rows *r, sbd_reader **out) {
  *out = NULL;
  sbd_status st = r->failed;
  if (st == SBD_OK && r->col != 0)
    st = sbd_error(r->ctx, SBD_EINTERNAL, "a listing's last row is incomplete");
  rows_stream *s = NULL;
  sbd_reader *reader = NULL;
  if (st == SBD_OK && !(s = sbd_calloc(r->ctx, 1, sizeof(*s))))
    st = SBD_ENOMEM;
  if (st == SBD_OK && !(reader = io_reader_new(r->ctx, &rows_ops, "listing")))
    st = SBD_ENOMEM;
  if (st != SBD_OK) {
    free(s);
    st_rows_free(r);
    return st;
  }
  batch_seal(r->batch);
  reader->impl = s;
  reader->schema = schema_ref(r->batch->schema);
  s->batch = r->batch->nrows ? r->batch : NULL;
  if (!s->batch)
    sbd_batch_free(r->batch);
  r->batch = NULL;
  st_rows_free(r);
  *out = reader;
  return SBD_OK;
}
