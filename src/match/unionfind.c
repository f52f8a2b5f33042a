/*
 * unionfind.c — disjoint sets over record indexes, for the clusters: union by size and path
 * halving, so a sequence of n unions and finds costs O(n α(n)). The partition does not depend on
 * the order of the unions; which element is a set's root does, so nothing outside uses roots as
 * names (entity ids are chosen from the members, in dedup.c).
 */
#include "match/match_int.h"

#include <stdlib.h>

bool mt_uf_init(mt_uf *uf, size_t n) {
  uf->n = n;
  uf->parent = malloc((n ? n : 1) * sizeof(uint32_t));
  uf->size = malloc((n ? n : 1) * sizeof(uint32_t));
  if (!uf->parent || !uf->size) {
    mt_uf_free(uf);
    return false;
  }
  for (size_t i = 0; i < n; i++) {
    uf->parent[i] = (uint32_t)i;
    uf->size[i] = 1;
  }
  return true;
}

uint32_t mt_uf_find(mt_uf *uf, uint32_t x) {
  while (uf->parent[x] != x) {
    uf->parent[x] = uf->parent[uf->parent[x]];
    x = uf->parent[x];
  }
  return x;
}

bool mt_uf_union(mt_uf *uf, uint32_t a, uint32_t b) {
  a = mt_uf_find(uf, a);
  b = mt_uf_find(uf, b);
  if (a == b)
    return false;
  if (uf->size[a] < uf->size[b]) {
    uint32_t t = a;
    a = b;
    b = t;
  }
  uf->parent[b] = a;
  uf->size[a] += uf->size[b];
  return true;
}

void mt_uf_free(mt_uf *uf) {
  free(uf->parent);
  free(uf->size);
  uf->parent = uf->size = NULL;
}
