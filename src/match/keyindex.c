/*
 * keyindex.c — the key index of one match rule: for each distinct normalized key, the first
 * record that had it. Open addressing with linear probing over two parallel arrays (hash, record),
 * kept at most half full. Keys are hashed to 64 bits; a probe that meets an equal hash compares
 * the key bytes of the two records (in the rule's key column), so two different keys with the
 * same hash stay two entries and never link their records.
 */
#include "match/match_int.h"

#include <stdlib.h>
#include <string.h>

bool mt_keyindex_init(mt_keyindex *ix, const mt_keys *keys, size_t expected) {
  memset(ix, 0, sizeof(*ix));
  size_t cap = 1024;
  while (cap < expected * 2)
    cap *= 2;
  ix->hash = malloc(cap * sizeof(uint64_t));
  ix->rec = malloc(cap * sizeof(uint32_t));
  if (!ix->hash || !ix->rec) {
    mt_keyindex_free(ix);
    return false;
  }
  memset(ix->rec, 0xff, cap * sizeof(uint32_t));
  ix->cap = cap;
  ix->keys = keys;
  return true;
}

static bool grow(mt_keyindex *ix) {
  size_t cap = ix->cap * 2;
  uint64_t *hash = malloc(cap * sizeof(uint64_t));
  uint32_t *rec = malloc(cap * sizeof(uint32_t));
  if (!hash || !rec) {
    free(hash);
    free(rec);
    return false;
  }
  memset(rec, 0xff, cap * sizeof(uint32_t));
  for (size_t i = 0; i < ix->cap; i++) {
    if (ix->rec[i] == UINT32_MAX)
      continue;
    size_t j = ix->hash[i] & (cap - 1);
    while (rec[j] != UINT32_MAX)
      j = (j + 1) & (cap - 1);
    hash[j] = ix->hash[i];
    rec[j] = ix->rec[i];
  }
  free(ix->hash);
  free(ix->rec);
  ix->hash = hash;
  ix->rec = rec;
  ix->cap = cap;
  return true;
}

uint32_t mt_keyindex_find_or_add(mt_keyindex *ix, uint64_t hash, uint32_t r) {
  if ((ix->len + 1) * 2 > ix->cap && !grow(ix))
    return UINT32_MAX;
  size_t rn;
  const char *rk = mt_keys_get(ix->keys, r, &rn);
  size_t j = hash & (ix->cap - 1);
  while (ix->rec[j] != UINT32_MAX) {
    if (ix->hash[j] == hash) {
      size_t on;
      const char *ok = mt_keys_get(ix->keys, ix->rec[j], &on);
      if (on == rn && memcmp(ok, rk, rn) == 0)
        return ix->rec[j];
    }
    j = (j + 1) & (ix->cap - 1);
  }
  ix->hash[j] = hash;
  ix->rec[j] = r;
  ix->len++;
  return r;
}

void mt_keyindex_free(mt_keyindex *ix) {
  free(ix->hash);
  free(ix->rec);
  ix->hash = NULL;
  ix->rec = NULL;
}
