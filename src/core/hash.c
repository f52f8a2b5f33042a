/*
 * hash.c — hashing with libxxhash (XXH3, 64 bits). One place so the engine can change the
 * function without touching its callers.
 */
#include "core/core_int.h"

#define XXH_INLINE_ALL
#include <xxhash.h>

uint64_t hash_bytes(const void *p, size_t n, uint64_t seed) {
  return XXH3_64bits_withSeed(p, n, seed);
}

uint64_t hash_u64(uint64_t x) {
  return XXH3_64bits(&x, sizeof(x));
}
