/*
 * reader.c — the Parquet reader behind sbd_reader: options, projection, row-group pruning and
 * the parallel, ordered decoding of row groups.
 *
 * Options: the common reader options, of which "schema" forces column types (read_cast.c) and
 * "format" may say parquet; sample_rows, max_line_bytes, on_error and rejects concern text
 * formats and change nothing here (a Parquet file has no records to skip: a corrupt page stops the
 * read). "columns" (comma-separated names) projects: only those columns' chunks are read and
 * decompressed, and the batches have them in the order given. The CSV-only options are refused.
 * A nested field (LIST, MAP, struct) or a type sbd does not read is an error when it is read,
 * and nothing when the projection leaves it out.
 *
 * Decoding. Work is one task per (row group, column), run on the context's pool. Row groups go
 * through a ring of slots: a slot's tasks are all submitted at once, and batches are handed out
 * from the oldest slot only, so they come in file order; a slot is refilled with the next row
 * group as soon as its batches are all out. The ring has enough slots for about two tasks per
 * thread plus one (fewer when a row group has many columns), at least 2 and at most 2 * threads,
 * so memory is bounded by the decoded size of that many row groups. Batch k of a row group is
 * made of the k-th vector of each column's task (read_chunk.c), without copying. The first error
 * in file order wins (in a row group, the first failing column in the reader's order), so the
 * message does not depend on the number of threads. Closing the reader early (a `head`) tells
 * the running tasks to stop at their next page.
 *
 * Pruning: a filter set with pq_reader_set_row_group_filter sees every row group's statistics
 * once, on the first sbd_reader_next, and the row groups it rejects are never read.
 */
#include "io/parquet/pq_int.h"

#include <stdlib.h>
#include <string.h>

typedef struct pq_reader pq_reader;
typedef struct rg_slot rg_slot;

typedef struct col_job {
  pq_reader *rd;
  rg_slot *slot;
  pq_chunk_task task;
} col_job;

struct rg_slot {
  int rg;
  int pending; /* tasks still running; guarded by the reader's lock */
  int next_batch, nbatches;
  col_job *jobs; /* one per output column */
};

struct pq_reader {
  pq_file *file;
  int ncols;
  int *field_of;      /* the file's field of each output column */
  sbd_type *out_type; /* the type of each output column */
  pool *pool;
  rg_slot *slots;
  int nslots;
  int *rgs; /* the row groups to read, in file order */
  int nrgs;
  int64_t submitted, delivered;
  bool started;
  sbd_status failed; /* once a read failed, every later next reports it again */
  char *failed_msg;
  pq_row_group_filter filter;
  void *filter_arg;
  int closing; /* atomic: set by close, so that running tasks stop at their next page */
  pthread_mutex_t lock;
  pthread_cond_t done;
};

static sbd_status pq_next(sbd_reader *r, sbd_batch **out);
static void pq_close(sbd_reader *r);
static const io_reader_ops pq_reader_ops = {"parquet", pq_next, pq_close};

/* ---- options and columns ----------------------------------------------------------------------*/

static sbd_status check_options(sbd_ctx *ctx, const char *path, const sbd_options *opts) {
  static const char *const csv_only[] = {"delim", "header", "nulls", "quote"};
  for (size_t i = 0; i < sizeof(csv_only) / sizeof(csv_only[0]); i++)
    RETURN_ERROR_IF(sbd_options_get(opts, csv_only[i]), ctx, SBD_EUSAGE,
                    "%s: option %s applies to CSV files, not to Parquet", path, csv_only[i]);
  static const char *const keys[] = {IO_COMMON_READ_OPTIONS, "columns"};
  return opt_check_known(ctx, opts, "Parquet reader", keys, (int)(sizeof(keys) / sizeof(keys[0])));
}

static sbd_status no_such_column(sbd_ctx *ctx, const pq_file *f, const char *what,
                                 const char *name) {
  const char **names = malloc(sizeof(char *) * (size_t)(f->nfields ? f->nfields : 1));
  const char *near = NULL;
  if (names) {
    for (int i = 0; i < f->nfields; i++)
      names[i] = f->fields[i].name;
    near = sbd_closest(name, names, f->nfields);
  }
  sbd_status st =
      near ? sbd_error(ctx, SBD_ENOTFOUND,
                       "%s: %s names column '%s', which the file does not have (did "
                       "you mean '%s'?)",
                       f->path, what, name, near)
           : sbd_error(ctx, SBD_ENOTFOUND, "%s: %s names column '%s', which the file does not have",
                       f->path, what, name);
  free(names);
  return st;
}

/* The output columns: the option "columns" in its order, or every field. */
static sbd_status choose_columns(sbd_ctx *ctx, pq_reader *rd, const char *list) {
  const pq_file *f = rd->file;
  int cap = f->nfields;
  if (list) {
    cap = 1;
    for (const char *p = list; *p; p++)
      cap += *p == ',';
  }
  rd->field_of = sbd_malloc(ctx, sizeof(int) * (size_t)(cap ? cap : 1));
  rd->out_type = sbd_malloc(ctx, sizeof(sbd_type) * (size_t)(cap ? cap : 1));
  if (!rd->field_of || !rd->out_type)
    return SBD_ENOMEM;
  if (!list) {
    for (int i = 0; i < f->nfields; i++)
      rd->field_of[i] = i;
    rd->ncols = f->nfields;
    return SBD_OK;
  }
  const char *p = list;
  for (;;) {
    const char *end = strchr(p, ',');
    size_t n = end ? (size_t)(end - p) : strlen(p);
    while (n && (*p == ' ' || *p == '\t')) {
      p++;
      n--;
    }
    while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
      n--;
    char *name = sbd_strndup(ctx, p, n);
    if (!name)
      return SBD_ENOMEM;
    sbd_status st = SBD_OK;
    int k = pq_file_find_field(f, name);
    if (n == 0)
      st = sbd_error(ctx, SBD_EUSAGE, "option columns: an empty column name in \"%s\"", list);
    else if (k < 0)
      st = no_such_column(ctx, f, "option columns", name);
    for (int i = 0; st == SBD_OK && i < rd->ncols; i++)
      if (rd->field_of[i] == k)
        st = sbd_error(ctx, SBD_EUSAGE, "option columns: column '%s' is named twice", name);
    free(name);
    RETURN_IF_ERROR(st);
    rd->field_of[rd->ncols++] = k;
    if (!end)
      break;
    p = end + 1;
  }
  return SBD_OK;
}

/* Output types, with the forced ones; refuses unsupported fields and impossible casts. */
static sbd_status choose_types(sbd_ctx *ctx, pq_reader *rd, const sbd_schema *force) {
  const pq_file *f = rd->file;
  for (int i = 0; force && i < force->ncols; i++)
    if (pq_file_find_field(f, force->fields[i].name) < 0)
      return no_such_column(ctx, f, "the schema", force->fields[i].name);
  for (int c = 0; c < rd->ncols; c++) {
    const pq_field *fd = &f->fields[rd->field_of[c]];
    if (fd->nested)
      return sbd_error(ctx, SBD_EUNSUPPORTED,
                       "%s: unsupported type at column '%s' (%s); sbd reads flat columns only in "
                       "this version",
                       f->path, fd->name, fd->unsupported);
    if (fd->unsupported)
      return sbd_error(ctx, SBD_EUNSUPPORTED,
                       "%s: unsupported type at column '%s' (%s); leave it out with the columns "
                       "option",
                       f->path, fd->name, fd->unsupported);
    rd->out_type[c] = fd->type;
    int k = force ? sbd_schema_find(force, fd->name) : -1;
    if (k < 0)
      continue;
    sbd_type want = force->fields[k].type;
    RETURN_ERROR_IF(!pq_can_cast(fd->type, want), ctx, SBD_EUSAGE,
                    "%s: column '%s' is %s in the file and cannot be read as %s", f->path, fd->name,
                    sbd_type_name(fd->type), sbd_type_name(want));
    rd->out_type[c] = want;
  }
  return SBD_OK;
}

/* ---- scheduling -------------------------------------------------------------------------------*/

static void run_job(void *arg) {
  col_job *j = arg;
  pq_chunk_task_run(&j->task);
  pq_reader *rd = j->rd;
  pthread_mutex_lock(&rd->lock);
  if (--j->slot->pending == 0)
    pthread_cond_broadcast(&rd->done);
  pthread_mutex_unlock(&rd->lock);
}

/* The row groups to read: those with rows that the filter keeps. */
static sbd_status plan_row_groups(sbd_reader *r, pq_reader *rd) {
  const pq_file_metadata *m = &rd->file->meta;
  rd->rgs = sbd_malloc(r->ctx, sizeof(int) * (size_t)(m->n_row_groups ? m->n_row_groups : 1));
  pq_column_stats *stats =
      sbd_calloc(r->ctx, (size_t)(rd->ncols ? rd->ncols : 1), sizeof(pq_column_stats));
  if (!rd->rgs || !stats) {
    free(stats);
    return SBD_ENOMEM;
  }
  for (int g = 0; g < m->n_row_groups; g++) {
    if (m->row_groups[g].num_rows == 0)
      continue;
    if (rd->filter) {
      for (int c = 0; c < rd->ncols; c++) {
        pq_file_column_stats(rd->file, g, rd->field_of[c], &stats[c]);
        if (rd->out_type[c] != stats[c].type) {
          stats[c].has_min_max = false;
          stats[c].type = rd->out_type[c];
        }
      }
      if (!rd->filter(rd->filter_arg, g, m->row_groups[g].num_rows, stats, rd->ncols))
        continue;
    }
    rd->rgs[rd->nrgs++] = g;
  }
  free(stats);
  return SBD_OK;
}

/* Submits row groups until the ring is full or none is left. */
static sbd_status top_up(sbd_reader *r, pq_reader *rd) {
  while (rd->submitted < rd->nrgs && rd->submitted - rd->delivered < rd->nslots) {
    rg_slot *s = &rd->slots[rd->submitted % rd->nslots];
    s->rg = rd->rgs[rd->submitted];
    s->next_batch = 0;
    int64_t rows = rd->file->meta.row_groups[s->rg].num_rows;
    s->nbatches = (int)((rows + SBD_BATCH_ROWS - 1) / SBD_BATCH_ROWS);
    pthread_mutex_lock(&rd->lock);
    s->pending = rd->ncols;
    pthread_mutex_unlock(&rd->lock);
    rd->submitted++;
    for (int c = 0; c < rd->ncols; c++) {
      int64_t start, len;
      pq_file_chunk_range(rd->file, s->rg, rd->file->fields[rd->field_of[c]].leaf, &start, &len);
      pq_file_will_need(rd->file, start, len);
    }
    for (int c = 0; c < rd->ncols; c++) {
      col_job *j = &s->jobs[c];
      j->task.rg = s->rg;
      if (!pool_submit(rd->pool, run_job, j)) {
        /* Not queued: run it here, so that the slot still completes. */
        run_job(j);
      }
    }
  }
  return SBD_OK;
}

static sbd_status start(sbd_reader *r, pq_reader *rd) {
  rd->started = true;
  RETURN_IF_ERROR(plan_row_groups(r, rd));
  if (rd->nrgs == 0 || rd->ncols == 0)
    return SBD_OK;
  rd->pool = ctx_pool(r->ctx);
  if (!rd->pool)
    return SBD_ENOMEM;
  /* Enough row groups in flight for about two tasks per thread (a row group gives one task per
   * column), and one more to decode while the oldest is handed out: at least 2, at most
   * 2 * threads, since each holds a decoded row group. */
  int threads = pool_threads(rd->pool);
  rd->nslots = (2 * threads + rd->ncols - 1) / rd->ncols + 1;
  if (rd->nslots > 2 * threads)
    rd->nslots = 2 * threads < 2 ? 2 : 2 * threads;
  if (rd->nslots > rd->nrgs)
    rd->nslots = rd->nrgs;
  rd->slots = sbd_calloc(r->ctx, (size_t)rd->nslots, sizeof(rg_slot));
  if (!rd->slots)
    return SBD_ENOMEM;
  for (int i = 0; i < rd->nslots; i++) {
    rg_slot *s = &rd->slots[i];
    s->jobs = sbd_calloc(r->ctx, (size_t)rd->ncols, sizeof(col_job));
    if (!s->jobs)
      return SBD_ENOMEM;
    for (int c = 0; c < rd->ncols; c++) {
      col_job *j = &s->jobs[c];
      j->rd = rd;
      j->slot = s;
      j->task.file = rd->file;
      j->task.field = &rd->file->fields[rd->field_of[c]];
      j->task.out_type = rd->out_type[c];
      j->task.cancel = &rd->closing;
    }
  }
  return top_up(r, rd);
}

/* Byte offset just past a row group's chunks, for progress. */
static int64_t row_group_end(const pq_file *f, int g) {
  int64_t end = 0;
  for (int l = 0; l < f->nleaves; l++) {
    int64_t s, n;
    pq_file_chunk_range(f, g, l, &s, &n);
    if (s + n > end)
      end = s + n;
  }
  return end;
}

static sbd_status fail_again(sbd_reader *r, pq_reader *rd) {
  return sbd_error(r->ctx, rd->failed, "%s", rd->failed_msg ? rd->failed_msg : "read failed");
}

static sbd_status remember(sbd_reader *r, pq_reader *rd, sbd_status st) {
  if (st != SBD_OK && !rd->failed) {
    rd->failed = st;
    rd->failed_msg = strdup(sbd_errmsg(r->ctx));
  }
  return st;
}

static sbd_status next_batch(sbd_reader *r, pq_reader *rd, sbd_batch **out) {
  if (!rd->started)
    RETURN_IF_ERROR(start(r, rd));
  for (;;) {
    if (rd->delivered == rd->submitted)
      return SBD_OK; /* top_up keeps submitted ahead while row groups are left */
    rg_slot *s = &rd->slots[rd->delivered % rd->nslots];
    if (s->next_batch == 0) {
      pthread_mutex_lock(&rd->lock);
      while (s->pending > 0)
        pthread_cond_wait(&rd->done, &rd->lock);
      pthread_mutex_unlock(&rd->lock);
      for (int c = 0; c < rd->ncols; c++) {
        pq_chunk_task *t = &s->jobs[c].task;
        if (t->status != SBD_OK)
          return sbd_error(r->ctx, t->status, "%s", t->err);
      }
    }
    if (s->next_batch < s->nbatches) {
      int k = s->next_batch++;
      sbd_batch *b = sbd_calloc(r->ctx, 1, sizeof(*b));
      sbd_vec **cols = sbd_calloc(r->ctx, (size_t)rd->ncols, sizeof(sbd_vec *));
      if (!b || !cols) {
        free(b);
        free(cols);
        return SBD_ENOMEM;
      }
      for (int c = 0; c < rd->ncols; c++) {
        cols[c] = s->jobs[c].task.vecs[k];
        s->jobs[c].task.vecs[k] = NULL;
      }
      b->refs = 1;
      b->ncols = rd->ncols;
      b->cols = cols;
      b->schema = schema_ref(r->schema);
      b->nrows = cols[0]->len;
      *out = b;
      return SBD_OK;
    }
    for (int c = 0; c < rd->ncols; c++) {
      int64_t start, len;
      pq_chunk_task_clear(&s->jobs[c].task);
      pq_file_chunk_range(rd->file, s->rg, rd->file->fields[rd->field_of[c]].leaf, &start, &len);
      pq_file_release(rd->file, start, len);
    }
    __atomic_store_n(&r->bytes_done, row_group_end(rd->file, s->rg), __ATOMIC_RELAXED);
    rd->delivered++;
    RETURN_IF_ERROR(top_up(r, rd));
  }
}

static sbd_status pq_next(sbd_reader *r, sbd_batch **out) {
  pq_reader *rd = r->impl;
  *out = NULL;
  if (rd->failed)
    return fail_again(r, rd);
  sbd_status st = remember(r, rd, next_batch(r, rd, out));
  if (st == SBD_OK && !*out)
    __atomic_store_n(&r->bytes_done, r->bytes_total, __ATOMIC_RELAXED);
  return st;
}

static void pq_close(sbd_reader *r) {
  pq_reader *rd = r->impl;
  if (!rd)
    return;
  if (rd->slots) {
    /* Tasks the caller never asked for may still run: tell them to stop, and wait for them. */
    __atomic_store_n(&rd->closing, 1, __ATOMIC_RELAXED);
    pthread_mutex_lock(&rd->lock);
    for (int i = 0; i < rd->nslots; i++)
      while (rd->slots[i].pending > 0)
        pthread_cond_wait(&rd->done, &rd->lock);
    pthread_mutex_unlock(&rd->lock);
    for (int i = 0; i < rd->nslots; i++) {
      for (int c = 0; rd->slots[i].jobs && c < rd->ncols; c++)
        pq_chunk_task_free(&rd->slots[i].jobs[c].task);
      free(rd->slots[i].jobs);
    }
    free(rd->slots);
  }
  pthread_mutex_destroy(&rd->lock);
  pthread_cond_destroy(&rd->done);
  pq_file_close(rd->file);
  free(rd->field_of);
  free(rd->out_type);
  free(rd->rgs);
  free(rd->failed_msg);
  free(rd);
  r->impl = NULL;
}

sbd_status pq_reader_set_row_group_filter(sbd_reader *r, pq_row_group_filter fn, void *arg) {
  RETURN_ERROR_IF(r->ops != &pq_reader_ops, r->ctx, SBD_EUSAGE,
                  "%s: a row-group filter applies to Parquet readers only", r->path);
  pq_reader *rd = r->impl;
  RETURN_ERROR_IF(rd->started, r->ctx, SBD_EUSAGE,
                  "%s: the row-group filter must be set before the first batch is read", r->path);
  rd->filter = fn;
  rd->filter_arg = arg;
  return SBD_OK;
}

/* ---- open
 * ---------------------------------------------------------------------------------------*/

sbd_status pq_reader_open(sbd_ctx *ctx, const char *path, const sbd_options *opts,
                          const sbd_schema *force, sbd_reader **out) {
  *out = NULL;
  RETURN_IF_ERROR(check_options(ctx, path, opts));
  pq_reader *rd = sbd_calloc(ctx, 1, sizeof(*rd));
  if (!rd)
    return SBD_ENOMEM;
  pthread_mutex_init(&rd->lock, NULL);
  pthread_cond_init(&rd->done, NULL);
  sbd_reader *r = io_reader_new(ctx, &pq_reader_ops, path);
  if (!r) {
    pthread_mutex_destroy(&rd->lock);
    pthread_cond_destroy(&rd->done);
    free(rd);
    return SBD_ENOMEM;
  }
  r->impl = rd;
  sbd_status st = pq_file_open(ctx, path, &rd->file);
  if (st == SBD_OK)
    st = choose_columns(ctx, rd, sbd_options_get(opts, "columns"));
  if (st == SBD_OK)
    st = choose_types(ctx, rd, force);
  if (st == SBD_OK) {
    r->schema = schema_new(ctx, rd->ncols);
    if (!r->schema)
      st = SBD_ENOMEM;
    for (int c = 0; st == SBD_OK && c < rd->ncols; c++)
      st = schema_set(ctx, r->schema, c, rd->file->fields[rd->field_of[c]].name, rd->out_type[c]);
  }
  if (st != SBD_OK) {
    sbd_reader_close(r);
    return st;
  }
  r->bytes_total = rd->file->size;
  *out = r;
  return SBD_OK;
}

sbd_status pq_count_rows(sbd_ctx *ctx, const char *path, int64_t *rows) {
  pq_file *f;
  RETURN_IF_ERROR(pq_file_open(ctx, path, &f));
  *rows = f->meta.num_rows;
  pq_file_close(f);
  return SBD_OK;
}
