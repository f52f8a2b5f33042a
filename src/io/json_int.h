/*
 * json_int.h — what the JSON Lines reader and writer share: strict UTF-8 validation (RFC 3629:
 * no overlong forms, no surrogates, nothing above U+10FFFF), used by the reader to reject
 * invalid input and by the writer to replace invalid bytes in strings it did not read itself.
 */
#ifndef SBD_JSON_INT_H
#define SBD_JSON_INT_H

#include <stddef.h>
#include <stdint.h>

/* The length (2 to 4) of the valid multi-byte UTF-8 sequence at p, which starts with a byte
 * >= 0x80, or 0 when the bytes at p (up to end) are not one. */
static inline size_t json_utf8_seq(const unsigned char *p, const unsigned char *end) {
  unsigned c = p[0];
  size_t n = (size_t)(end - p);
  if (c >= 0xc2 && c <= 0xdf)
    return n >= 2 && (p[1] & 0xc0) == 0x80 ? 2 : 0;
  if (c >= 0xe0 && c <= 0xef) {
    if (n < 3 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80)
      return 0;
    if (c == 0xe0 && p[1] < 0xa0) /* overlong */
      return 0;
    if (c == 0xed && p[1] >= 0xa0) /* a surrogate, U+D800..U+DFFF */
      return 0;
    return 3;
  }
  if (c >= 0xf0 && c <= 0xf4) {
    if (n < 4 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80 || (p[3] & 0xc0) != 0x80)
      return 0;
    if (c == 0xf0 && p[1] < 0x90) /* overlong */
      return 0;
    if (c == 0xf4 && p[1] >= 0x90) /* above U+10FFFF */
      return 0;
    return 4;
  }
  return 0; /* a continuation byte, 0xc0, 0xc1 or 0xf5..0xff */
}

#endif
