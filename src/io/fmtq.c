/*
 * fmtq.c — ordered parallel formatting for the text writers (CSV, JSON Lines). Formatting numbers
 * and escaping strings costs more than reading them, so a writer whose ops have a format callback
 * gets its batches formatted on the pool, several at once, while the caller's thread writes the
 * finished texts to the file in the order the batches came.
 *
 * Slots form a ring of 2 * threads entries; each holds a reference to its batch until its text is
 * written. Invariant: at most nslots batches and texts are alive, which bounds memory by the
 * batch size, not the output. The first failure (in batch order) is the one reported.
 */
#include "io/io_int.h"

#include <stdlib.h>
#include <string.h>

typedef struct fmt_slot {
  struct io_fmtq *q;
  sbd_batch *batch;
  io_text text;
  sbd_status status;
  char err[256];
  bool busy; /* guarded by q->lock */
} fmt_slot;

struct io_fmtq {
  sbd_writer *w;
  pool *pool;
  fmt_slot *slots;
  int nslots;
  int64_t submitted, written;
  pthread_mutex_t lock;
  pthread_cond_t done;
};

bool io_text_reserve(io_text *t, size_t more) {
  if (t->cap - t->len >= more)
    return true;
  size_t cap = t->cap ? t->cap : 4096;
  while (cap - t->len < more) {
    if (cap > SIZE_MAX / 2)
      return false;
    cap *= 2;
  }
  char *p = realloc(t->p, cap);
  if (!p)
    return false;
  t->p = p;
  t->cap = cap;
  return true;
}

static void format_task(void *arg) {
  fmt_slot *s = arg;
  io_fmtq *q = s->q;
  s->text.len = 0;
  s->err[0] = 0;
  s->status = q->w->ops->format_batch(q->w->impl, s->batch, &s->text, s->err, sizeof(s->err));
  pthread_mutex_lock(&q->lock);
  s->busy = false;
  pthread_cond_broadcast(&q->done);
  pthread_mutex_unlock(&q->lock);
}

static sbd_status fmtq_new(sbd_writer *w) {
  sbd_ctx *ctx = w->ctx;
  pool *p = ctx_pool(ctx);
  if (!p)
    return SBD_ENOMEM;
  io_fmtq *q = sbd_calloc(ctx, 1, sizeof(*q));
  if (!q)
    return SBD_ENOMEM;
  q->nslots = 2 * pool_threads(p);
  q->slots = sbd_calloc(ctx, (size_t)q->nslots, sizeof(fmt_slot));
  if (!q->slots) {
    free(q);
    return SBD_ENOMEM;
  }
  for (int i = 0; i < q->nslots; i++)
    q->slots[i].q = q;
  q->w = w;
  q->pool = p;
  pthread_mutex_init(&q->lock, NULL);
  pthread_cond_init(&q->done, NULL);
  w->fmtq = q;
  return SBD_OK;
}

/* Waits for the oldest queued batch, writes its text and frees its slot. */
static sbd_status write_oldest(io_fmtq *q) {
  fmt_slot *s = &q->slots[q->written % q->nslots];
  pthread_mutex_lock(&q->lock);
  while (s->busy)
    pthread_cond_wait(&q->done, &q->lock);
  pthread_mutex_unlock(&q->lock);
  sbd_status st = s->status;
  if (st != SBD_OK)
    sbd_error(q->w->ctx, st, "%s", s->err[0] ? s->err : "cannot format a batch");
  else if (s->text.len)
    st = io_file_write(q->w->ctx, q->w->file, s->text.p, s->text.len);
  sbd_batch_free(s->batch);
  s->batch = NULL;
  q->written++;
  return st;
}

sbd_status io_fmtq_push(sbd_writer *w, const sbd_batch *b) {
  if (!w->fmtq)
    RETURN_IF_ERROR(fmtq_new(w));
  io_fmtq *q = w->fmtq;
  if (q->submitted - q->written == q->nslots)
    RETURN_IF_ERROR(write_oldest(q));
  fmt_slot *s = &q->slots[q->submitted % q->nslots];
  /* The batch is shared read-only with the task: nobody changes a batch once it is handed on. */
  s->batch = batch_ref((sbd_batch *)b);
  s->busy = true;
  if (!pool_submit(q->pool, format_task, s)) {
    s->busy = false;
    sbd_batch_free(s->batch);
    s->batch = NULL;
    return sbd_error(w->ctx, SBD_ENOMEM, "out of memory queueing work");
  }
  q->submitted++;
  return SBD_OK;
}

sbd_status io_fmtq_drain(sbd_writer *w) {
  io_fmtq *q = w->fmtq;
  /* After a failure the output is abandoned: io_fmtq_free releases what is left. */
  while (q && q->written < q->submitted)
    RETURN_IF_ERROR(write_oldest(q));
  return SBD_OK;
}

void io_fmtq_free(sbd_writer *w) {
  io_fmtq *q = w->fmtq;
  if (!q)
    return;
  pthread_mutex_lock(&q->lock);
  for (int i = 0; i < q->nslots; i++)
    while (q->slots[i].busy)
      pthread_cond_wait(&q->done, &q->lock);
  pthread_mutex_unlock(&q->lock);
  for (int i = 0; i < q->nslots; i++) {
    sbd_batch_free(q->slots[i].batch);
    free(q->slots[i].text.p);
  }
  free(q->slots);
  pthread_mutex_destroy(&q->lock);
  pthread_cond_destroy(&q->done);
  free(q);
  w->fmtq = NULL;
}
