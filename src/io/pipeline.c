/*
 * pipeline.c — the ordered parallel chunk pipeline of the line-oriented readers (see io_int.h).
 *
 * Slots form a ring. The reading thread (the caller of io_pipeline_next) fills the slot after the
 * newest with the carry (bytes after the previous cut) plus fresh input, asks the format where the
 * last complete record ends, and submits the slot to the pool; the bytes past the cut become the
 * next carry. Every chunk therefore starts at a record boundary, which is what lets the format's
 * cut function be stateless: a quoted field with newlines that straddles a read boundary simply
 * stays in the carry until its record is whole.
 *
 * Batches are handed out from the oldest slot only, so they come in input order; the oldest
 * slot's line count turns chunk-relative line numbers into absolute ones. Invariant: at most
 * nslots chunks are alive, each at most max_record_bytes + chunk_bytes, which bounds memory.
 */
#include "io/io_int.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

enum { SLOT_FREE, SLOT_BUSY, SLOT_DONE };

/* Input bytes in flight across all chunks, whatever the number of threads. */
#define PIPELINE_BUDGET_BYTES (40u << 20)

typedef struct slot {
  struct io_pipeline *p;
  char *buf;
  size_t cap;
  io_chunk chunk;
  int state; /* guarded by p->lock */
  int next_batch;
  bool rejects_done; /* the chunk's rejects were written */
} slot;

struct io_pipeline {
  sbd_ctx *ctx;
  io_source *src;
  const io_pipeline_ops *ops;
  void *self;
  pool *pool;
  slot *slots;
  int nslots;
  int64_t submitted, delivered; /* chunk counters; slot index = counter % nslots */
  char *carry;
  size_t carry_len, carry_cap;
  size_t chunk_bytes;
  int64_t max_record_bytes;
  int64_t lines_before; /* absolute lines before the oldest undelivered chunk */
  bool input_done;
  bool first_pending; /* the next chunk is the first of the input */
  pthread_mutex_t lock;
  pthread_cond_t done;
};

bool io_chunk_add_batch(io_chunk *c, sbd_batch *b) {
  if (c->nbatches == c->cap_batches) {
    int cap = c->cap_batches ? c->cap_batches * 2 : 4;
    sbd_batch **nb = realloc(c->batches, sizeof(*nb) * (size_t)cap);
    if (!nb)
      return false;
    c->batches = nb;
    c->cap_batches = cap;
  }
  c->batches[c->nbatches++] = b;
  return true;
}

void io_chunk_error(io_chunk *c, sbd_status status, int64_t line, const char *fmt, ...) {
  if (c->status != SBD_OK)
    return;
  c->status = status;
  c->err_line = line;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(c->errmsg, sizeof(c->errmsg), fmt, ap);
  va_end(ap);
}

bool io_chunk_reject(io_chunk *c, int64_t line, const char *reason, const char *text, size_t n) {
  if (c->nrejects == c->cap_rejects) {
    int cap = c->cap_rejects ? c->cap_rejects * 2 : 8;
    io_reject_rec *nr = realloc(c->rejects, sizeof(*nr) * (size_t)cap);
    if (!nr)
      return false;
    c->rejects = nr;
    c->cap_rejects = cap;
  }
  io_reject_rec *r = &c->rejects[c->nrejects];
  r->reason = strdup(reason);
  r->text = malloc(n + 1);
  if (!r->reason || !r->text) {
    free(r->reason);
    free(r->text);
    return false;
  }
  memcpy(r->text, text, n);
  r->text[n] = 0;
  r->len = n;
  r->line = line;
  c->nrejects++;
  return true;
}

static void chunk_clear(io_chunk *c) {
  for (int i = 0; i < c->nbatches; i++)
    sbd_batch_free(c->batches[i]);
  free(c->batches);
  for (int i = 0; i < c->nrejects; i++) {
    free(c->rejects[i].reason);
    free(c->rejects[i].text);
  }
  free(c->rejects);
  memset(c, 0, sizeof(*c));
}

static void parse_task(void *arg) {
  slot *s = arg;
  io_pipeline *p = s->p;
  p->ops->parse(p->self, &s->chunk);
  pthread_mutex_lock(&p->lock);
  s->state = SLOT_DONE;
  pthread_cond_broadcast(&p->done);
  pthread_mutex_unlock(&p->lock);
}

sbd_status io_pipeline_new(sbd_ctx *ctx, io_source *src, const io_pipeline_ops *ops, void *self,
                           const char *prefix, size_t prefix_len, int64_t prefix_lines,
                           int64_t max_record_bytes, io_pipeline **out) {
  *out = NULL;
  io_pipeline *p = sbd_calloc(ctx, 1, sizeof(*p));
  if (!p) {
    io_source_close(src);
    return SBD_ENOMEM;
  }
  p->ctx = ctx;
  p->src = src;
  p->ops = ops;
  p->self = self;
  p->max_record_bytes = max_record_bytes;
  p->lines_before = prefix_lines;
  p->first_pending = true;
  pthread_mutex_init(&p->lock, NULL);
  pthread_cond_init(&p->done, NULL);
  p->pool = ctx_pool(ctx);
  if (!p->pool) {
    io_pipeline_free(p);
    return SBD_ENOMEM;
  }
  int threads = pool_threads(p->pool);
  p->nslots = 2 * threads + 1;
  p->slots = sbd_calloc(ctx, (size_t)p->nslots, sizeof(slot));
  if (!p->slots) {
    io_pipeline_free(p);
    return SBD_ENOMEM;
  }
  for (int i = 0; i < p->nslots; i++)
    p->slots[i].p = p;
  /* Chunks of 4 MiB amortise the per-chunk work, but all chunks in flight together stay within
   * a budget (each chunk also becomes about as many bytes of batches), so that memory does not
   * grow with the core count; smaller inputs get smaller chunks so that every core still has
   * several to parse. */
  size_t chunk = 4u << 20;
  size_t budget = PIPELINE_BUDGET_BYTES / (size_t)p->nslots;
  if (budget < chunk)
    chunk = budget < (256u << 10) ? (256u << 10) : budget;
  if (src->size >= 0) {
    size_t share = (size_t)src->size / (size_t)(threads * 4);
    if (share < chunk)
      chunk = share < (64u << 10) ? (64u << 10) : share;
  }
  p->chunk_bytes = chunk;
  if (prefix_len) {
    p->carry = sbd_malloc(ctx, prefix_len);
    if (!p->carry) {
      io_pipeline_free(p);
      return SBD_ENOMEM;
    }
    memcpy(p->carry, prefix, prefix_len);
    p->carry_len = p->carry_cap = prefix_len;
  }
  *out = p;
  return SBD_OK;
}

/* Fills slot s with the next chunk of whole records. Sets *empty when the input is exhausted. */
static sbd_status fill_slot(io_pipeline *p, slot *s, bool *empty) {
  sbd_ctx *ctx = p->ctx;
  *empty = false;
  size_t want = p->carry_len + p->chunk_bytes;
  if (s->cap < want) {
    char *nb = sbd_realloc(ctx, s->buf, want);
    if (!nb)
      return SBD_ENOMEM;
    s->buf = nb;
    s->cap = want;
  }
  if (p->carry_len) /* carry is NULL until the first one */
    memcpy(s->buf, p->carry, p->carry_len);
  size_t len = p->carry_len;
  int64_t start_offset = p->src->offset - (int64_t)p->carry_len;
  size_t cut = 0;
  for (;;) {
    size_t got = 0;
    if (!p->src->eof && len < s->cap)
      RETURN_IF_ERROR(io_source_read(ctx, p->src, s->buf + len, s->cap - len, &got));
    len += got;
    bool eof = p->src->eof;
    if (len == 0 && eof) {
      *empty = true;
      p->carry_len = 0;
      return SBD_OK;
    }
    cut = p->ops->cut(p->self, s->buf, len, eof);
    if (cut > 0 || eof)
      break;
    if ((int64_t)len >= p->max_record_bytes) {
      /* No record boundary within the cap: report it in order, at the record's line. */
      s->chunk.status = SBD_ELIMIT;
      s->chunk.err_line = 0;
      snprintf(s->chunk.errmsg, sizeof(s->chunk.errmsg),
               "a record is longer than the cap of %lld bytes (max_line_bytes), or a quoted "
               "field is never closed",
               (long long)p->max_record_bytes);
      p->input_done = true;
      p->carry_len = 0;
      return SBD_OK;
    }
    size_t ncap = s->cap * 2;
    char *nb = sbd_realloc(ctx, s->buf, ncap);
    if (!nb)
      return SBD_ENOMEM;
    s->buf = nb;
    s->cap = ncap;
  }
  if (cut == 0)
    cut = len; /* at the end of the input the rest is the last record, whole or not */
  size_t rest = len - cut;
  if (rest > p->carry_cap) {
    char *nc = sbd_realloc(ctx, p->carry, rest);
    if (!nc)
      return SBD_ENOMEM;
    p->carry = nc;
    p->carry_cap = rest;
  }
  memcpy(p->carry, s->buf + cut, rest);
  p->carry_len = rest;
  if (rest == 0 && p->src->eof)
    p->input_done = true;
  s->chunk.data = s->buf;
  s->chunk.len = cut;
  s->chunk.offset = start_offset;
  s->chunk.first = p->first_pending;
  p->first_pending = false;
  return SBD_OK;
}

/* Submits chunks until the ring is full or the input is done. */
static sbd_status top_up(io_pipeline *p) {
  while (!p->input_done && p->submitted - p->delivered < p->nslots) {
    slot *s = &p->slots[p->submitted % p->nslots];
    bool empty;
    RETURN_IF_ERROR(fill_slot(p, s, &empty));
    if (empty) {
      p->input_done = true;
      break;
    }
    p->submitted++;
    if (s->chunk.status != SBD_OK) {
      s->state = SLOT_DONE; /* an oversized record: nothing to parse */
      continue;
    }
    s->state = SLOT_BUSY;
    if (!pool_submit(p->pool, parse_task, s)) {
      s->state = SLOT_FREE;
      p->submitted--;
      return sbd_error(p->ctx, SBD_ENOMEM, "out of memory queueing work");
    }
  }
  return SBD_OK;
}

sbd_status io_pipeline_next(io_pipeline *p, io_rejects *rj, int64_t *rejected, int64_t *bytes_done,
                            sbd_batch **out) {
  *out = NULL;
  for (;;) {
    if (p->delivered < p->submitted) {
      slot *s = &p->slots[p->delivered % p->nslots];
      pthread_mutex_lock(&p->lock);
      bool ready = s->state == SLOT_DONE;
      pthread_mutex_unlock(&p->lock);
      if (!ready) {
        /* Keep the workers fed before waiting. */
        RETURN_IF_ERROR(top_up(p));
        pthread_mutex_lock(&p->lock);
        while (s->state != SLOT_DONE)
          pthread_cond_wait(&p->done, &p->lock);
        pthread_mutex_unlock(&p->lock);
      }
      io_chunk *c = &s->chunk;
      if (s->next_batch == 0 && !s->rejects_done) {
        /* First look at this chunk: its rejects, in input order. */
        for (int i = 0; i < c->nrejects; i++) {
          io_reject_rec *r = &c->rejects[i];
          RETURN_IF_ERROR(io_rejects_add(p->ctx, rj, p->src->path, p->lines_before + r->line + 1,
                                         r->reason, r->text, r->len));
          (*rejected)++;
        }
        s->rejects_done = true;
      }
      /* The records before an error come first, so a consumer that stops early (head) never
       * sees an error that lies beyond what it read. */
      if (s->next_batch < c->nbatches) {
        *out = c->batches[s->next_batch];
        c->batches[s->next_batch++] = NULL;
        return SBD_OK;
      }
      if (c->status != SBD_OK)
        return sbd_error(p->ctx, c->status, "%s:%lld: %s", p->src->path,
                         (long long)(p->lines_before + c->err_line + 1), c->errmsg);
      p->lines_before += c->nlines;
      *bytes_done = c->offset + (int64_t)c->len;
      chunk_clear(c);
      s->next_batch = 0;
      s->rejects_done = false;
      s->state = SLOT_FREE;
      p->delivered++;
      continue;
    }
    if (p->input_done)
      return SBD_OK;
    RETURN_IF_ERROR(top_up(p));
    if (p->delivered == p->submitted && p->input_done)
      return SBD_OK;
  }
}

void io_pipeline_free(io_pipeline *p) {
  if (!p)
    return;
  /* Workers may still be parsing chunks the caller never asked for: wait for them. */
  if (p->slots) {
    pthread_mutex_lock(&p->lock);
    for (int i = 0; i < p->nslots; i++)
      while (p->slots[i].state == SLOT_BUSY)
        pthread_cond_wait(&p->done, &p->lock);
    pthread_mutex_unlock(&p->lock);
    for (int i = 0; i < p->nslots; i++) {
      chunk_clear(&p->slots[i].chunk);
      free(p->slots[i].buf);
    }
    free(p->slots);
  }
  pthread_mutex_destroy(&p->lock);
  pthread_cond_destroy(&p->done);
  free(p->carry);
  io_source_close(p->src);
  free(p);
}
