/*
 * similarity.c — string similarity for fuzzy rules, on Unicode code points (so "é" is one
 * character, as a reader would count it): Jaro-Winkler (prefix scale 0.1, prefix up to 4) and
 * Levenshtein distance with a cap (only a band of width 2*max+1 is filled, and the computation
 * stops once every cell of a row is above the cap).
 */
#include "match/match_int.h"

#include <string.h>

size_t mt_utf8_decode(const char *s, size_t n, uint32_t *out, size_t cap) {
  const unsigned char *p = (const unsigned char *)s;
  size_t i = 0, k = 0;
  while (i < n && k < cap) {
    unsigned c = p[i];
    uint32_t cp;
    size_t len;
    if (c < 0x80) {
      cp = c, len = 1;
    } else if ((c & 0xe0) == 0xc0) {
      cp = c & 0x1f, len = 2;
    } else if ((c & 0xf0) == 0xe0) {
      cp = c & 0x0f, len = 3;
    } else if ((c & 0xf8) == 0xf0) {
      cp = c & 0x07, len = 4;
    } else {
      cp = c, len = 1; /* not UTF-8: a byte is a character */
    }
    if (i + len > n)
      len = n - i;
    for (size_t j = 1; j < len; j++)
      cp = (cp << 6) | (p[i + j] & 0x3f);
    out[k++] = cp;
    i += len;
  }
  return k;
}

double mt_jaro_winkler(const uint32_t *a, size_t na, const uint32_t *b, size_t nb) {
  if (na == 0 && nb == 0)
    return 1.0;
  if (na == 0 || nb == 0)
    return 0.0;
  size_t window = (na > nb ? na : nb) / 2;
  window = window > 0 ? window - 1 : 0;
  uint8_t ma[MT_MAX_FUZZY_CHARS] = {0}, mb[MT_MAX_FUZZY_CHARS] = {0};
  size_t matches = 0;
  for (size_t i = 0; i < na; i++) {
    size_t lo = i > window ? i - window : 0, hi = i + window + 1 < nb ? i + window + 1 : nb;
    for (size_t j = lo; j < hi; j++) {
      if (!mb[j] && a[i] == b[j]) {
        ma[i] = mb[j] = 1;
        matches++;
        break;
      }
    }
  }
  if (matches == 0)
    return 0.0;
  size_t transpositions = 0, j = 0;
  for (size_t i = 0; i < na; i++) {
    if (!ma[i])
      continue;
    while (!mb[j])
      j++;
    if (a[i] != b[j])
      transpositions++;
    j++;
  }
  double m = (double)matches;
  double jaro = (m / (double)na + m / (double)nb + (m - (double)transpositions / 2.0) / m) / 3.0;
  size_t prefix = 0;
  while (prefix < 4 && prefix < na && prefix < nb && a[prefix] == b[prefix])
    prefix++;
  return jaro + (double)prefix * 0.1 * (1.0 - jaro);
}

int mt_levenshtein(const uint32_t *a, size_t na, const uint32_t *b, size_t nb, int max) {
  size_t diff = na > nb ? na - nb : nb - na;
  if (diff > (size_t)max)
    return max + 1;
  int prev[MT_MAX_FUZZY_CHARS + 1], cur[MT_MAX_FUZZY_CHARS + 1];
  const int big = max + 1;
  for (size_t j = 0; j <= nb; j++)
    prev[j] = j <= (size_t)max ? (int)j : big;
  for (size_t i = 1; i <= na; i++) {
    size_t lo = i > (size_t)max ? i - (size_t)max : 1;
    size_t hi = i + (size_t)max < nb ? i + (size_t)max : nb;
    int row_min = big;
    cur[0] = i <= (size_t)max ? (int)i : big;
    if (lo > 1)
      cur[lo - 1] = big;
    for (size_t j = lo; j <= hi; j++) {
      int cost = a[i - 1] == b[j - 1] ? 0 : 1;
      int v = prev[j - 1] + cost;
      if (prev[j] + 1 < v)
        v = prev[j] + 1;
      if (cur[j - 1] + 1 < v)
        v = cur[j - 1] + 1;
      if (v > big)
        v = big;
      cur[j] = v;
      if (v < row_min)
        row_min = v;
    }
    if (hi < nb)
      cur[hi + 1] = big;
    if (row_min > max)
      return big;
    memcpy(prev, cur, sizeof(int) * (nb + 1));
  }
  return prev[nb] > max ? big : prev[nb];
}
