/*
 * pool.c — a fixed pool of worker threads (one per core by default) taking tasks from a FIFO
 * queue. Tasks report results through their own argument; the pool knows nothing about them.
 * pool_free drains the queue before joining, so no queued task is lost.
 */
#include "core/core_int.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

typedef struct task {
  pool_fn fn;
  void *arg;
  struct task *next;
} task;

struct pool {
  pthread_mutex_t lock;
  pthread_cond_t wake;
  task *head, *tail;
  bool stopping;
  int nthreads;
  pthread_t *threads;
};

static void *worker_main(void *arg) {
  pool *p = arg;
  for (;;) {
    pthread_mutex_lock(&p->lock);
    while (!p->head && !p->stopping)
      pthread_cond_wait(&p->wake, &p->lock);
    task *t = p->head;
    if (!t) {
      pthread_mutex_unlock(&p->lock);
      return NULL;
    }
    p->head = t->next;
    if (!p->head)
      p->tail = NULL;
    pthread_mutex_unlock(&p->lock);
    t->fn(t->arg);
    free(t);
  }
}

pool *pool_new(int threads) {
  pool *p = calloc(1, sizeof(*p));
  if (!p)
    return NULL;
  p->threads = calloc((size_t)threads, sizeof(pthread_t));
  if (!p->threads) {
    free(p);
    return NULL;
  }
  pthread_mutex_init(&p->lock, NULL);
  pthread_cond_init(&p->wake, NULL);
  for (int i = 0; i < threads; i++) {
    if (pthread_create(&p->threads[i], NULL, worker_main, p) != 0)
      break;
    p->nthreads++;
  }
  if (p->nthreads == 0) {
    pool_free(p);
    return NULL;
  }
  return p;
}

void pool_free(pool *p) {
  if (!p)
    return;
  pthread_mutex_lock(&p->lock);
  p->stopping = true;
  pthread_cond_broadcast(&p->wake);
  pthread_mutex_unlock(&p->lock);
  for (int i = 0; i < p->nthreads; i++)
    pthread_join(p->threads[i], NULL);
  pthread_mutex_destroy(&p->lock);
  pthread_cond_destroy(&p->wake);
  free(p->threads);
  free(p);
}

bool pool_submit(pool *p, pool_fn fn, void *arg) {
  task *t = malloc(sizeof(*t));
  if (!t)
    return false;
  t->fn = fn;
  t->arg = arg;
  t->next = NULL;
  pthread_mutex_lock(&p->lock);
  if (p->tail)
    p->tail->next = t;
  else
    p->head = t;
  p->tail = t;
  pthread_cond_signal(&p->wake);
  pthread_mutex_unlock(&p->lock);
  return true;
}

int pool_threads(const pool *p) {
  return p->nthreads;
}

pool *ctx_pool(sbd_ctx *ctx) {
  if (!ctx->pool) {
    ctx->pool = pool_new(ctx->threads);
    if (!ctx->pool)
      sbd_error(ctx, SBD_ENOMEM, "cannot start %d worker threads", ctx->threads);
  }
  return ctx->pool;
}

int sys_cores(void) {
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n < 1 ? 1 : n > 1024 ? 1024 : (int)n;
}

int sys_default_threads(void) {
  const char *env = getenv("SBD_THREADS");
  if (env && *env) {
    char *end;
    errno = 0;
    long n = strtol(env, &end, 10);
    if (!*end && errno == 0 && n >= 1 && n <= 1024)
      return (int)n;
  }
  return sys_cores();
}
