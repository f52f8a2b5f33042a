/*
 * sort.c — a stable merge sort of uint32_t record indexes with a comparator that takes a context
 * (C11's qsort has none, and the comparators here need the record store). Bottom-up, with one
 * scratch array of n elements; runs below 16 are sorted by insertion first.
 */
#include "match/match_int.h"

#include <stdlib.h>
#include <string.h>

bool mt_sort_u32(uint32_t *a, size_t n, mt_cmp_fn cmp, const void *ctx) {
  if (n < 2)
    return true;
  const size_t run = 16;
  for (size_t lo = 0; lo < n; lo += run) {
    size_t hi = lo + run < n ? lo + run : n;
    for (size_t i = lo + 1; i < hi; i++) {
      uint32_t x = a[i];
      size_t j = i;
      while (j > lo && cmp(ctx, a[j - 1], x) > 0) {
        a[j] = a[j - 1];
        j--;
      }
      a[j] = x;
    }
  }
  if (n <= run)
    return true;
  uint32_t *tmp = malloc(n * sizeof(uint32_t));
  if (!tmp)
    return false;
  uint32_t *src = a, *dst = tmp;
  for (size_t width = run; width < n; width *= 2) {
    for (size_t lo = 0; lo < n; lo += 2 * width) {
      size_t mid = lo + width < n ? lo + width : n, hi = lo + 2 * width < n ? lo + 2 * width : n;
      size_t i = lo, j = mid, k = lo;
      while (i < mid && j < hi)
        dst[k++] = cmp(ctx, src[j], src[i]) < 0 ? src[j++] : src[i++];
      while (i < mid)
        dst[k++] = src[i++];
      while (j < hi)
        dst[k++] = src[j++];
    }
    uint32_t *t = src;
    src = dst;
    dst = t;
  }
  if (src != a)
    memcpy(a, src, n * sizeof(uint32_t));
  free(tmp);
  return true;
}
