/*
 * utf8.c — validation of UTF-8 text, shared by every reader that takes strings from outside
 * (CSV fields, Parquet byte arrays). ASCII, the common case, goes eight bytes at a time.
 */
#include "core/core_int.h"

#include <string.h>

/* Strict UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF), eight ASCII bytes at a
 * time. */
bool str_utf8_valid(const char *str, size_t n) {
  const unsigned char *s = (const unsigned char *)str, *end = s + n;
  while (s < end) {
    if (end - s >= 8) {
      uint64_t w;
      memcpy(&w, s, 8);
      if (!(w & UINT64_C(0x8080808080808080))) {
        s += 8;
        continue;
      }
    }
    unsigned c = *s;
    if (c < 0x80) {
      s++;
      continue;
    }
    size_t left = (size_t)(end - s);
    if (c >= 0xc2 && c <= 0xdf) {
      if (left < 2 || (s[1] & 0xc0) != 0x80)
        return false;
      s += 2;
    } else if (c >= 0xe0 && c <= 0xef) {
      if (left < 3 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
        return false;
      if ((c == 0xe0 && s[1] < 0xa0) || (c == 0xed && s[1] >= 0xa0))
        return false; /* overlong, or a surrogate */
      s += 3;
    } else if (c >= 0xf0 && c <= 0xf4) {
      if (left < 4 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 || (s[3] & 0xc0) != 0x80)
        return false;
      if ((c == 0xf0 && s[1] < 0x90) || (c == 0xf4 && s[1] >= 0x90))
        return false; /* overlong, or above U+10FFFF */
      s += 4;
    } else {
      return false;
    }
  }
  return true;
}
