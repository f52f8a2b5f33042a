/*
 * arena.c — a bump allocator for many small allocations freed together (per query, per batch).
 * Blocks are chained; an allocation larger than the block size gets a block of its own.
 */
#include "core/core_int.h"

#include <stdlib.h>
#include <string.h>

struct arena_block {
  arena_block *next;
  size_t used, size;
  _Alignas(16) unsigned char data[];
};

void arena_init(arena *a, size_t block_bytes) {
  a->head = NULL;
  a->block_bytes = block_bytes ? block_bytes : 64 * 1024;
  a->total_bytes = 0;
}

void *arena_alloc(arena *a, size_t size) {
  size = (size + 15) & ~(size_t)15;
  arena_block *b = a->head;
  if (!b || b->size - b->used < size) {
    size_t bsize = size > a->block_bytes ? size : a->block_bytes;
    b = malloc(sizeof(arena_block) + bsize);
    if (!b)
      return NULL;
    b->used = 0;
    b->size = bsize;
    b->next = a->head;
    a->head = b;
    a->total_bytes += bsize;
  }
  void *p = b->data + b->used;
  b->used += size;
  return p;
}

char *arena_strndup(arena *a, const char *s, size_t n) {
  char *d = arena_alloc(a, n + 1);
  if (d) {
    memcpy(d, s, n);
    d[n] = 0;
  }
  return d;
}

void arena_reset(arena *a) {
  arena_block *b = a->head;
  if (!b)
    return;
  /* Keep the oldest block: it is the usual working size. */
  while (b->next) {
    arena_block *next = b->next;
    a->total_bytes -= b->size;
    free(b);
    b = next;
  }
  b->used = 0;
  a->head = b;
}

void arena_free(arena *a) {
  arena_block *b = a->head;
  while (b) {
    arena_block *next = b->next;
    free(b);
    b = next;
  }
  a->head = NULL;
  a->total_bytes = 0;
}
