/*
 * memtable.c — the in-memory tables of a session: what CREATE TABLE name AS query makes and
 * later statements read by name, like a file or a store table.
 *
 * A table is the result of its query kept as it came: a list of column batches (at most
 * SBD_BATCH_ROWS rows each) of one schema, in memory, counted in bytes. The tables of a context
 * live in a registry hung on the sbd_ctx (ctx->tables, freed with the context), looked up by name
 * case-insensitively as SQL names are.
 *
 * Sharing. A table's batches are never copied and never changed once stored. A scan of the
 * table (ex_memtable_reader) hands out, for each stored batch, a new batch whose columns are
 * views (vec_view) of the kept columns only: the view holds a reference to the stored batch, and
 * any operator that would write into a column (append to it, mark a NULL) gets a private copy
 * first (vec_unshare, from vec_reserve and vec_set_null). So several queries, or several scans in
 * one query, may read a table at once, and dropping or replacing it while a reader is open only
 * drops the registry's reference: the reader keeps what it reads alive.
 *
 * Parallelism. The scan itself does no work beyond making the views; the batches it hands out
 * are the morsels the operators above give to the pool (the hash aggregate runs each on a
 * worker, with its filter), as a file scan's decoded batches are.
 *
 * Threads: a table's batches are read-only and reference-counted atomically, so readers may run
 * on any thread; the registry is changed only by the thread using the context (one at a time,
 * as sbd.h requires).
 */
#include "exec/exec_int.h"
#include "io/io_int.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct ex_memtable {
  char *name; /* as written in CREATE TABLE */
  sbd_schema *schema;
  sbd_batch **batches;
  int64_t nbatches, cap;
  int64_t nrows, bytes;
  int refs; /* atomic: the registry's (or the creator's) and each open reader's */
};

typedef struct ex_tables {
  ex_memtable **v;
  int n, cap;
} ex_tables;

/* The most tables a session holds: a name lookup is a linear scan. */
#define EX_MAX_TABLES 4096

/* The bytes a batch's columns take, as counted against memory. */
static int64_t batch_bytes(const sbd_batch *b) {
  int64_t n = 0;
  for (int c = 0; c < b->ncols; c++) {
    const sbd_vec *v = b->cols[c];
    n += (v->len + (v->type == SBD_STRING)) * (int64_t)type_width(v->type) + v->bytes_len;
    if (v->validity)
      n += (v->len + 63) / 64 * 8;
  }
  return n;
}

ex_memtable *ex_memtable_new(sbd_ctx *ctx, const char *name, sbd_schema *schema) {
  ex_memtable *t = sbd_calloc(ctx, 1, sizeof(*t));
  if (!t)
    return NULL;
  t->name = sbd_strdup(ctx, name);
  if (!t->name) {
    free(t);
    return NULL;
  }
  t->schema = schema_ref(schema);
  t->refs = 1;
  return t;
}

void ex_memtable_unref(ex_memtable *t) {
  if (!t || __atomic_sub_fetch(&t->refs, 1, __ATOMIC_ACQ_REL) != 0)
    return;
  for (int64_t i = 0; i < t->nbatches; i++)
    sbd_batch_free(t->batches[i]);
  free(t->batches);
  schema_unref(t->schema);
  free(t->name);
  free(t);
}

static ex_memtable *memtable_ref(ex_memtable *t) {
  __atomic_add_fetch(&t->refs, 1, __ATOMIC_RELAXED);
  return t;
}

sbd_status ex_memtable_append(sbd_ctx *ctx, ex_memtable *t, sbd_batch *b, int64_t *bytes) {
  *bytes = 0;
  if (b->nrows == 0) {
    sbd_batch_free(b);
    return SBD_OK;
  }
  if (t->nbatches == t->cap) {
    int64_t cap = t->cap ? t->cap * 2 : 16;
    sbd_batch **v = sbd_realloc(ctx, t->batches, sizeof(*v) * (size_t)cap);
    if (!v) {
      sbd_batch_free(b);
      return SBD_ENOMEM;
    }
    t->batches = v;
    t->cap = cap;
  }
  /* The batch keeps the query's column names; the table's schema is the one that counts. */
  t->batches[t->nbatches++] = b;
  t->nrows += b->nrows;
  *bytes = batch_bytes(b);
  t->bytes += *bytes;
  return SBD_OK;
}

const char *ex_memtable_name(const ex_memtable *t) {
  return t->name;
}
const sbd_schema *ex_memtable_schema(const ex_memtable *t) {
  return t->schema;
}
int64_t ex_memtable_rows(const ex_memtable *t) {
  return t->nrows;
}
int64_t ex_memtable_bytes(const ex_memtable *t) {
  return t->bytes;
}

/* ---- the registry -----------------------------------------------------------------------------*/

static void tables_free(void *p) {
  ex_tables *ts = p;
  if (!ts)
    return;
  for (int i = 0; i < ts->n; i++)
    ex_memtable_unref(ts->v[i]);
  free(ts->v);
  free(ts);
}

static int find_index(const ex_tables *ts, const char *name) {
  for (int i = 0; ts && i < ts->n; i++)
    if (strcasecmp(ts->v[i]->name, name) == 0)
      return i;
  return -1;
}

ex_memtable *ex_memtable_find(sbd_ctx *ctx, const char *name) {
  ex_tables *ts = ctx->tables;
  int i = find_index(ts, name);
  return i < 0 ? NULL : ts->v[i];
}

sbd_status ex_memtable_put(sbd_ctx *ctx, ex_memtable *t) {
  if (!ctx->tables) {
    ex_tables *ts = sbd_calloc(ctx, 1, sizeof(*ts));
    if (!ts) {
      ex_memtable_unref(t);
      return SBD_ENOMEM;
    }
    ctx->tables = ts;
    ctx->tables_free = tables_free;
  }
  ex_tables *ts = ctx->tables;
  int i = find_index(ts, t->name);
  if (i >= 0) {
    ex_memtable_unref(ts->v[i]);
    ts->v[i] = t;
    return SBD_OK;
  }
  if (ts->n >= EX_MAX_TABLES) {
    ex_memtable_unref(t);
    return sbd_error(ctx, SBD_ELIMIT, "SQL: a session holds at most %d tables", EX_MAX_TABLES);
  }
  if (ts->n == ts->cap) {
    int cap = ts->cap ? ts->cap * 2 : 8;
    ex_memtable **v = sbd_realloc(ctx, ts->v, sizeof(*v) * (size_t)cap);
    if (!v) {
      ex_memtable_unref(t);
      return SBD_ENOMEM;
    }
    ts->v = v;
    ts->cap = cap;
  }
  ts->v[ts->n++] = t;
  return SBD_OK;
}

bool ex_memtable_drop(sbd_ctx *ctx, const char *name) {
  ex_tables *ts = ctx->tables;
  int i = find_index(ts, name);
  if (i < 0)
    return false;
  ex_memtable_unref(ts->v[i]);
  memmove(&ts->v[i], &ts->v[i + 1], sizeof(*ts->v) * (size_t)(ts->n - i - 1));
  ts->n--;
  return true;
}

int ex_memtable_count(sbd_ctx *ctx) {
  ex_tables *ts = ctx->tables;
  return ts ? ts->n : 0;
}

ex_memtable *ex_memtable_at(sbd_ctx *ctx, int i) {
  ex_tables *ts = ctx->tables;
  return ts && i >= 0 && i < ts->n ? ts->v[i] : NULL;
}

int64_t ex_memtable_total_bytes(sbd_ctx *ctx) {
  int64_t n = 0;
  for (int i = 0; i < ex_memtable_count(ctx); i++)
    n += ex_memtable_at(ctx, i)->bytes;
  return n;
}

/* ---- the scan ---------------------------------------------------------------------------------*/

typedef struct mem_scan {
  ex_memtable *t; /* a reference */
  int *keep;      /* the table's columns handed out, in order */
  int nkeep;
  int64_t next; /* the next batch */
} mem_scan;

static sbd_status mem_next(sbd_reader *r, sbd_batch **out) {
  mem_scan *m = r->impl;
  *out = NULL;
  if (m->next >= m->t->nbatches)
    return SBD_OK;
  sbd_batch *src = m->t->batches[m->next++];
  sbd_batch *b = sbd_calloc(r->ctx, 1, sizeof(*b));
  sbd_vec **cols = sbd_calloc(r->ctx, (size_t)(m->nkeep ? m->nkeep : 1), sizeof(sbd_vec *));
  if (!b || !cols) {
    free(b);
    free(cols);
    return SBD_ENOMEM;
  }
  b->refs = 1;
  b->schema = schema_ref(r->schema);
  b->ncols = m->nkeep;
  b->cols = cols;
  b->nrows = src->nrows;
  for (int i = 0; i < m->nkeep; i++) {
    if (!(cols[i] = vec_view(r->ctx, src, m->keep[i]))) {
      sbd_batch_free(b);
      return SBD_ENOMEM;
    }
  }
  __atomic_add_fetch(&r->bytes_done, batch_bytes(src), __ATOMIC_RELAXED);
  *out = b;
  return SBD_OK;
}

static void mem_close(sbd_reader *r) {
  mem_scan *m = r->impl;
  if (!m)
    return;
  ex_memtable_unref(m->t);
  free(m->keep);
  free(m);
}

static const io_reader_ops mem_ops = {"memory", mem_next, mem_close};

sbd_status ex_memtable_reader(sbd_ctx *ctx, ex_memtable *t, const int *keep, int nkeep,
                              sbd_reader **out) {
  *out = NULL;
  int n = nkeep < 0 ? t->schema->ncols : nkeep;
  mem_scan *m = sbd_calloc(ctx, 1, sizeof(*m));
  int *k = sbd_malloc(ctx, sizeof(int) * (size_t)(n ? n : 1));
  sbd_schema *s = schema_new(ctx, n);
  sbd_reader *r = io_reader_new(ctx, &mem_ops, t->name);
  sbd_status st = m && k && s && r ? SBD_OK : SBD_ENOMEM;
  for (int i = 0; i < n && st == SBD_OK; i++) {
    k[i] = nkeep < 0 ? i : keep[i];
    st = schema_set(ctx, s, i, t->schema->fields[k[i]].name, t->schema->fields[k[i]].type);
  }
  if (st != SBD_OK) {
    free(m);
    free(k);
    schema_unref(s);
    if (r) {
      free(r->path);
      free(r);
    }
    return st;
  }
  m->t = memtable_ref(t);
  m->keep = k;
  m->nkeep = n;
  r->impl = m;
  r->schema = s;
  r->bytes_total = t->bytes;
  *out = r;
  return SBD_OK;
}
