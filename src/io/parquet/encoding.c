/*
 * encoding.c — the Parquet value encodings that are more than a memcpy, written from
 * apache/parquet-format Encodings.md:
 *  - the RLE/bit-packed hybrid (definition levels, dictionary indices, booleans), encode and
 *    decode, for bit widths 0..32;
 *  - DELTA_BINARY_PACKED (INT32 and INT64), encode and decode;
 *  - DELTA_LENGTH_BYTE_ARRAY and DELTA_BYTE_ARRAY, decode;
 *  - BYTE_STREAM_SPLIT, encode and decode.
 *
 * Every decoder takes untrusted bytes: it checks each length against what is left of the input
 * before it reads, rejects bit widths past the spec's limits, and finishes in time proportional
 * to its input and output (every run or block header consumes at least one byte). The bit
 * unpackers read eight values per step with 64-bit little-endian loads; near the end of the input,
 * where such a load could run past it, the last bytes are first copied into a zero-padded buffer.
 *
 * Arithmetic on deltas is done on uint64_t so that overflow wraps in two's complement, as the spec
 * requires. INT32 columns are decoded through the INT64 decoder: truncating the results to 32 bits
 * gives the right values, because wrapping arithmetic modulo 2^64 agrees with it modulo 2^32.
 */
#include "io/parquet/pq_int.h"

#include <stdlib.h>
#include <string.h>

/* DELTA_BYTE_ARRAY repeats prefixes, so a small page can expand to a large output: a page may
 * not decode to more than this many bytes. */
#define PQ_DELTA_BA_MAX_BYTES ((size_t)1 << 30)
/* Limits on the DELTA_BINARY_PACKED header, far above what any writer uses (128 or 1024). */
#define PQ_DELTA_MAX_BLOCK_VALUES ((uint64_t)1 << 20)

/* ---- little-endian loads and varints ----------------------------------------------------------*/

static inline uint64_t load_le64(const uint8_t *p) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  uint64_t v;
  memcpy(&v, p, 8);
  return v;
#else
  return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24 |
         (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 | (uint64_t)p[6] << 48 | (uint64_t)p[7] << 56;
#endif
}

/* Reads a ULEB128 of at most max_bits bits at in[*pos]; false when truncated or too large. */
static bool read_uleb(const uint8_t *in, size_t in_len, size_t *pos, int max_bits, uint64_t *out) {
  uint64_t v = 0;
  int shift = 0;
  size_t p = *pos;
  for (;;) {
    if (p >= in_len || shift >= max_bits)
      return false;
    uint8_t b = in[p++];
    uint64_t part = (uint64_t)(b & 0x7f);
    /* The last byte that fits may only carry the bits that are left. */
    if (max_bits - shift < 7 && (part >> (max_bits - shift)) != 0)
      return false;
    v |= part << shift;
    shift += 7;
    if (!(b & 0x80))
      break;
  }
  *pos = p;
  *out = v;
  return true;
}

static size_t write_uleb(uint64_t v, uint8_t *out) {
  size_t n = 0;
  while (v >= 0x80) {
    out[n++] = (uint8_t)(v | 0x80);
    v >>= 7;
  }
  out[n++] = (uint8_t)v;
  return n;
}

static inline uint64_t zigzag_encode(int64_t v) {
  return ((uint64_t)v << 1) ^ (uint64_t)(v < 0 ? -1 : 0);
}

static inline uint64_t zigzag_decode(uint64_t v) {
  return (v >> 1) ^ (0 - (v & 1));
}

/* ---- bit unpacking ---------------------------------------------------------------------------
 * Eight values of width w occupy exactly w bytes; value i starts at bit i * w. One 64-bit load
 * at byte (i * w) / 8 holds all of value i when w <= 56 (the shift is at most 7); wider values
 * may take one more byte. The group bodies are macros expanded once per constant width in the
 * switches below, so that shifts and masks become immediates whatever the inliner decides.
 */

#define PQ_MASK64(w) ((w) >= 64 ? ~(uint64_t)0 : ((uint64_t)1 << ((w)&63)) - 1)

#define PQ_GET32(in, i, w)                                                                         \
  (uint32_t)((load_le64((in) + ((i) * (w) >> 3)) >> ((i) * (w)&7)) & PQ_MASK64(w))

#define PQ_GET64(in, i, w)                                                                         \
  (((load_le64((in) + ((i) * (w) >> 3)) >> ((i) * (w)&7)) |                                        \
    ((w) > 56 && ((i) * (w)&7)                                                                     \
         ? (uint64_t)(in)[((i) * (w) >> 3) + 8] << ((64 - ((i) * (w)&7)) & 63)                     \
         : 0)) &                                                                                   \
   PQ_MASK64(w))

#define PQ_UNPACK8(get, in, out, w)                                                                \
  do {                                                                                             \
    (out)[0] = get(in, 0, w);                                                                      \
    (out)[1] = get(in, 1, w);                                                                      \
    (out)[2] = get(in, 2, w);                                                                      \
    (out)[3] = get(in, 3, w);                                                                      \
    (out)[4] = get(in, 4, w);                                                                      \
    (out)[5] = get(in, 5, w);                                                                      \
    (out)[6] = get(in, 6, w);                                                                      \
    (out)[7] = get(in, 7, w);                                                                      \
  } while (0)

/* clang-format off */
#define PQ_CASES_1_32(X)                                                                           \
  X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11) X(12) X(13) X(14) X(15) X(16)           \
  X(17) X(18) X(19) X(20) X(21) X(22) X(23) X(24) X(25) X(26) X(27) X(28) X(29) X(30) X(31) X(32)
#define PQ_CASES_33_64(X)                                                                          \
  X(33) X(34) X(35) X(36) X(37) X(38) X(39) X(40) X(41) X(42) X(43) X(44) X(45) X(46) X(47) X(48)  \
  X(49) X(50) X(51) X(52) X(53) X(54) X(55) X(56) X(57) X(58) X(59) X(60) X(61) X(62) X(63) X(64)
/* clang-format on */

/* groups * 8 values from in, which must be readable for groups * w + 8 bytes (9 when w > 56). */
static void unpack_groups_u32(const uint8_t *in, uint32_t *out, size_t groups, int w) {
  switch (w) {
#define PQ_CASE(W)                                                                                 \
  case W:                                                                                          \
    for (size_t g = 0; g < groups; g++)                                                            \
      PQ_UNPACK8(PQ_GET32, in + g * W, out + g * 8, W);                                            \
    break;
    PQ_CASES_1_32(PQ_CASE)
#undef PQ_CASE
  default:
    memset(out, 0, groups * 8 * sizeof(*out));
  }
}

static void unpack_groups_u64(const uint8_t *in, uint64_t *out, size_t groups, int w) {
  switch (w) {
#define PQ_CASE(W)                                                                                 \
  case W:                                                                                          \
    for (size_t g = 0; g < groups; g++)                                                            \
      PQ_UNPACK8(PQ_GET64, in + g * W, out + g * 8, W);                                            \
    break;
    PQ_CASES_1_32(PQ_CASE)
    PQ_CASES_33_64(PQ_CASE)
#undef PQ_CASE
  default:
    memset(out, 0, groups * 8 * sizeof(*out));
  }
}

/* Unpacks count values of width w (0..32) from in, of which avail bytes may be read; the caller
 * has checked that avail >= ceil(count * w / 8). */
static void unpack_u32(const uint8_t *in, size_t avail, int w, uint32_t *out, size_t count) {
  if (w == 0) {
    memset(out, 0, count * sizeof(*out));
    return;
  }
  size_t groups = count / 8;
  /* Groups whose 8-byte loads stay inside avail: g * w + w + 8 <= avail. */
  size_t fast = groups;
  if (groups * (size_t)w + 8 > avail)
    fast = avail >= (size_t)w + 8 ? (avail - 8 - (size_t)w) / (size_t)w + 1 : 0;
  unpack_groups_u32(in, out, fast, w);
  for (size_t g = fast; g * 8 < count; g++) {
    uint8_t tmp[32 + 8] = {0};
    uint32_t vals[8];
    size_t off = g * (size_t)w, have = avail - off < (size_t)w ? avail - off : (size_t)w;
    memcpy(tmp, in + off, have);
    unpack_groups_u32(tmp, vals, 1, w);
    size_t k = count - g * 8 < 8 ? count - g * 8 : 8;
    memcpy(out + g * 8, vals, k * sizeof(*out));
  }
}

/* As unpack_u32 for widths 0..64. */
static void unpack_u64(const uint8_t *in, size_t avail, int w, uint64_t *out, size_t count) {
  if (w == 0) {
    memset(out, 0, count * sizeof(*out));
    return;
  }
  size_t groups = count / 8;
  size_t fast = groups;
  if (groups * (size_t)w + 9 > avail)
    fast = avail >= (size_t)w + 9 ? (avail - 9 - (size_t)w) / (size_t)w + 1 : 0;
  unpack_groups_u64(in, out, fast, w);
  for (size_t g = fast; g * 8 < count; g++) {
    uint8_t tmp[64 + 16] = {0};
    uint64_t vals[8];
    size_t off = g * (size_t)w, have = avail - off < (size_t)w ? avail - off : (size_t)w;
    memcpy(tmp, in + off, have);
    unpack_groups_u64(tmp, vals, 1, w);
    size_t k = count - g * 8 < 8 ? count - g * 8 : 8;
    memcpy(out + g * 8, vals, k * sizeof(*out));
  }
}

/* ---- bit packing ------------------------------------------------------------------------------*/

/* Stores the first nbytes bytes of little-endian words. */
static inline void store_words_le(uint8_t *out, const uint64_t *words, size_t nbytes) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  memcpy(out, words, nbytes);
#else
  for (size_t b = 0; b < nbytes; b++)
    out[b] = (uint8_t)(words[b >> 3] >> (8 * (b & 7)));
#endif
}

/* Value i of width w goes to bit i * w of a row of 64-bit words, spilling into the next word when
 * it crosses a word boundary. */
#define PQ_PUT32(words, v, i, w)                                                                   \
  do {                                                                                             \
    const unsigned bit_ = (unsigned)((i) * (w));                                                   \
    const uint64_t x_ = (uint64_t)(v)[i] & PQ_MASK64(w);                                           \
    (words)[bit_ >> 6] |= x_ << (bit_ & 63);                                                       \
    if ((bit_ & 63) + (w) > 64)                                                                    \
      (words)[(bit_ >> 6) + 1] |= x_ >> ((64 - (bit_ & 63)) & 63);                                 \
  } while (0)

/* Packs groups * 8 values of width w (0..32) into exactly groups * w bytes. */
static void pack_groups_u32(const uint32_t *v, size_t groups, int w, uint8_t *out) {
  switch (w) {
#define PQ_CASE(W)                                                                                 \
  case W:                                                                                          \
    for (size_t g = 0; g < groups; g++) {                                                          \
      uint64_t words[5] = {0};                                                                     \
      const uint32_t *vg = v + g * 8;                                                              \
      PQ_PUT32(words, vg, 0, W);                                                                   \
      PQ_PUT32(words, vg, 1, W);                                                                   \
      PQ_PUT32(words, vg, 2, W);                                                                   \
      PQ_PUT32(words, vg, 3, W);                                                                   \
      PQ_PUT32(words, vg, 4, W);                                                                   \
      PQ_PUT32(words, vg, 5, W);                                                                   \
      PQ_PUT32(words, vg, 6, W);                                                                   \
      PQ_PUT32(words, vg, 7, W);                                                                   \
      store_words_le(out + g * W, words, W);                                                       \
    }                                                                                              \
    break;
    PQ_CASES_1_32(PQ_CASE)
#undef PQ_CASE
  default:
    break; /* width 0: no bytes */
  }
}

/* Packs 8 values of width w (0..64) into exactly w bytes. */
static void pack8_u64(const uint64_t *v, int w, uint8_t *out) {
  const uint64_t mask = w == 64 ? ~(uint64_t)0 : ((uint64_t)1 << w) - 1;
  memset(out, 0, (size_t)w);
  for (int i = 0; i < 8 && w > 0; i++) {
    uint64_t x = v[i] & mask;
    unsigned bit = (unsigned)(i * w), s = bit & 7;
    uint8_t *p = out + (bit >> 3);
    *p++ |= (uint8_t)(x << s);
    x >>= 8 - s;
    for (int left = w - (int)(8 - s); left > 0; left -= 8) {
      *p++ |= (uint8_t)x;
      x >>= 8;
    }
  }
}

/* ---- RLE / bit-packed hybrid ------------------------------------------------------------------*/

/* Bit-packed runs are cut at 63 groups (504 values) so that every run header is one byte. */
#define PQ_RLE_MAX_GROUPS 63
/* A run shorter than this is bit-packed: at eight values a repeated run is never larger. */
#define PQ_RLE_MIN_REPEAT 8
#define PQ_RLE_MAX_RUN (((size_t)1 << 31) - 1)

size_t pq_rle_max_size(size_t n, int bit_width) {
  /* Per eight values at most: a bit-packed group (w bytes, plus its share of a header) or a
   * repeated run covering them (a header of at most 5 bytes and a value of at most 4). */
  size_t w = bit_width < 0 ? 0 : (size_t)bit_width;
  return (n / 8 + 2) * (w + 10) + 16;
}

static size_t run_length(const uint32_t *v, size_t i, size_t n, size_t limit) {
  size_t j = i + 1;
  while (j < n && j - i < limit && v[j] == v[i])
    j++;
  return j - i;
}

size_t pq_rle_encode(const uint32_t *values, size_t n, int bit_width, uint8_t *out) {
  if (bit_width < 0 || bit_width > 32)
    return 0;
  const int w = bit_width;
  const uint32_t mask = w == 32 ? 0xffffffffu : (uint32_t)(((uint64_t)1 << w) - 1);
  const int value_bytes = (w + 7) / 8;
  size_t pos = 0, i = 0;
  while (i < n) {
    size_t run = run_length(values, i, n, PQ_RLE_MAX_RUN);
    if (run >= PQ_RLE_MIN_REPEAT) {
      pos += write_uleb((uint64_t)run << 1, out + pos);
      uint32_t v = values[i] & mask;
      for (int b = 0; b < value_bytes; b++)
        out[pos++] = (uint8_t)(v >> (8 * b));
      i += run;
      continue;
    }
    /* A bit-packed run: whole groups of eight, ending where a long repeat begins on a group
     * boundary, at the group limit or at the end (the last group is padded with zeros). */
    size_t groups = 0, end = i;
    do {
      groups++;
      end += 8;
    } while (end < n && groups < PQ_RLE_MAX_GROUPS &&
             run_length(values, end, n, PQ_RLE_MIN_REPEAT) < PQ_RLE_MIN_REPEAT);
    out[pos++] = (uint8_t)(groups << 1 | 1);
    size_t full = end <= n ? groups : groups - 1;
    pack_groups_u32(values + i, full, w, out + pos);
    pos += full * (size_t)w;
    if (full < groups) {
      uint32_t last[8] = {0};
      memcpy(last, values + i + full * 8, (n - i - full * 8) * sizeof(*last));
      pack_groups_u32(last, 1, w, out + pos);
      pos += (size_t)w;
    }
    i = end < n ? end : n;
  }
  return pos;
}

bool pq_rle_decode(const uint8_t *in, size_t in_len, int bit_width, uint32_t *out, size_t n) {
  if (bit_width < 0 || bit_width > 32)
    return false;
  const int w = bit_width;
  const size_t value_bytes = ((size_t)w + 7) / 8;
  size_t pos = 0, done = 0;
  while (done < n) {
    uint64_t header;
    if (!read_uleb(in, in_len, &pos, 32, &header))
      return false;
    uint64_t count = header >> 1;
    size_t want = n - done;
    if (header & 1) {
      /* Bit-packed: count groups of eight values. A last run cut short after the values still
       * wanted is accepted, as some writers leave its padding out. */
      uint64_t run_values = count * 8, run_bytes = count * (uint64_t)w;
      size_t take = run_values < want ? (size_t)run_values : want;
      size_t avail = in_len - pos;
      uint64_t need = ((uint64_t)take * (uint64_t)w + 7) / 8;
      if (need > avail)
        return false;
      unpack_u32(in + pos, avail, w, out + done, take);
      done += take;
      pos += run_bytes < avail ? (size_t)run_bytes : avail;
    } else {
      if (in_len - pos < value_bytes)
        return false;
      uint32_t v = 0;
      for (size_t b = 0; b < value_bytes; b++)
        v |= (uint32_t)in[pos + b] << (8 * b);
      pos += value_bytes;
      if (w < 32 && (v >> w) != 0)
        return false;
      size_t take = count < want ? (size_t)count : want;
      uint32_t *o = out + done;
      for (size_t k = 0; k < take; k++)
        o[k] = v;
      done += take;
    }
  }
  return true;
}

/* ---- DELTA_BINARY_PACKED ----------------------------------------------------------------------*/

#define PQ_DELTA_BLOCK 128
#define PQ_DELTA_MINIBLOCKS 4
#define PQ_DELTA_MINI (PQ_DELTA_BLOCK / PQ_DELTA_MINIBLOCKS)
/* Decoding unpacks this many values (a multiple of 8) at a time into a buffer on the stack. */
#define PQ_DELTA_CHUNK 256

size_t pq_delta_binary_max_size(size_t n) {
  /* The header: four varints of at most 10 bytes. A block: the min delta (10), the widths (4) and
   * at most 64 bits for each of its 128 values. */
  return 40 + (n / PQ_DELTA_BLOCK + 1) * (10 + PQ_DELTA_MINIBLOCKS + PQ_DELTA_BLOCK * 8);
}

static int bit_width_u64(uint64_t v) {
  int w = 0;
  while (v) {
    w++;
    v >>= 1;
  }
  return w;
}

size_t pq_delta_binary_encode_i64(const int64_t *v, size_t n, uint8_t *out) {
  size_t pos = 0;
  pos += write_uleb(PQ_DELTA_BLOCK, out + pos);
  pos += write_uleb(PQ_DELTA_MINIBLOCKS, out + pos);
  pos += write_uleb(n, out + pos);
  pos += write_uleb(zigzag_encode(n ? v[0] : 0), out + pos);
  uint64_t deltas[PQ_DELTA_BLOCK];
  for (size_t i = 1; i < n; i += PQ_DELTA_BLOCK) {
    size_t count = n - i < PQ_DELTA_BLOCK ? n - i : PQ_DELTA_BLOCK;
    int64_t min_delta = INT64_MAX;
    for (size_t k = 0; k < count; k++) {
      int64_t d = (int64_t)((uint64_t)v[i + k] - (uint64_t)v[i + k - 1]);
      deltas[k] = (uint64_t)d;
      if (d < min_delta)
        min_delta = d;
    }
    for (size_t k = 0; k < count; k++)
      deltas[k] -= (uint64_t)min_delta;
    for (size_t k = count; k < PQ_DELTA_BLOCK; k++)
      deltas[k] = 0;
    pos += write_uleb(zigzag_encode(min_delta), out + pos);
    int widths[PQ_DELTA_MINIBLOCKS];
    for (int m = 0; m < PQ_DELTA_MINIBLOCKS; m++) {
      uint64_t all = 0;
      for (size_t k = (size_t)m * PQ_DELTA_MINI; k < (size_t)(m + 1) * PQ_DELTA_MINI; k++)
        all |= deltas[k];
      widths[m] = (size_t)m * PQ_DELTA_MINI < count ? bit_width_u64(all) : 0;
      out[pos++] = (uint8_t)widths[m];
    }
    for (int m = 0; m < PQ_DELTA_MINIBLOCKS && (size_t)m * PQ_DELTA_MINI < count; m++) {
      for (int g = 0; g < PQ_DELTA_MINI / 8; g++) {
        pack8_u64(deltas + m * PQ_DELTA_MINI + g * 8, widths[m], out + pos);
        pos += (size_t)widths[m];
      }
    }
  }
  return pos;
}

bool pq_delta_binary_decode_i64(const uint8_t *in, size_t in_len, int64_t *out, size_t n,
                                size_t *consumed) {
  *consumed = 0;
  if (n == 0 && in_len == 0)
    return true; /* an empty values section, as some writers leave for all-null pages */
  size_t pos = 0;
  uint64_t block_size, miniblocks, total, first;
  if (!read_uleb(in, in_len, &pos, 64, &block_size) ||
      !read_uleb(in, in_len, &pos, 64, &miniblocks) || !read_uleb(in, in_len, &pos, 64, &total) ||
      !read_uleb(in, in_len, &pos, 64, &first))
    return false;
  if (block_size == 0 || block_size % 128 != 0 || block_size > PQ_DELTA_MAX_BLOCK_VALUES ||
      miniblocks == 0 || block_size % miniblocks != 0 || (block_size / miniblocks) % 32 != 0)
    return false;
  if (total < n)
    return false;
  const size_t per_mini = (size_t)(block_size / miniblocks);
  uint64_t prev = zigzag_decode(first);
  size_t done = 0;
  if (total > 0 && n > 0)
    out[done++] = (int64_t)prev;
  /* Values after the first; those past n are skipped but must be present, so that *consumed
   * tells where the encoded data ends. */
  uint64_t left = total > 0 ? total - 1 : 0;
  while (left > 0) {
    uint64_t zz;
    if (!read_uleb(in, in_len, &pos, 64, &zz))
      return false;
    const uint64_t min_delta = zigzag_decode(zz);
    if (in_len - pos < miniblocks)
      return false;
    const uint8_t *widths = in + pos;
    pos += (size_t)miniblocks;
    for (size_t m = 0; m < miniblocks && left > 0; m++) {
      int w = widths[m];
      if (w > 64)
        return false;
      size_t count = left < per_mini ? (size_t)left : per_mini;
      size_t avail = in_len - pos;
      size_t mini_bytes = per_mini / 8 * (size_t)w;
      size_t need = (count * (size_t)w + 7) / 8;
      /* The last miniblock may lack its padding when it ends the input. */
      if (mini_bytes > avail && (need > avail || count != left))
        return false;
      size_t take = done < n ? (n - done < count ? n - done : count) : 0;
      /* Unpacked in chunks that stay in L1, then added up into out. */
      for (size_t at = 0; at < take; at += PQ_DELTA_CHUNK) {
        uint64_t chunk[PQ_DELTA_CHUNK];
        size_t k_end = take - at < PQ_DELTA_CHUNK ? take - at : PQ_DELTA_CHUNK;
        size_t off = at / 8 * (size_t)w;
        unpack_u64(in + pos + off, avail - off, w, chunk, k_end);
        for (size_t k = 0; k < k_end; k++) {
          prev += min_delta + chunk[k];
          out[done + at + k] = (int64_t)prev;
        }
      }
      done += take;
      pos += mini_bytes < avail ? mini_bytes : avail;
      left -= count;
    }
  }
  *consumed = pos;
  return true;
}

/* ---- DELTA_LENGTH_BYTE_ARRAY and DELTA_BYTE_ARRAY ---------------------------------------------*/

/* Lengths for n values into offsets[1..n], turned into offsets (offsets[0] = 0) whose total fits
 * in the avail bytes that follow the lengths. */
static bool decode_lengths(const uint8_t *in, size_t in_len, size_t n, int64_t *offsets,
                           size_t *used) {
  offsets[0] = 0;
  if (!pq_delta_binary_decode_i64(in, in_len, offsets + 1, n, used))
    return false;
  uint64_t avail = in_len - *used, total = 0;
  for (size_t i = 1; i <= n; i++) {
    int64_t len = offsets[i];
    if (len < 0 || (uint64_t)len > avail - total)
      return false;
    total += (uint64_t)len;
    offsets[i] = (int64_t)total;
  }
  return true;
}

bool pq_delta_length_ba_decode(const uint8_t *in, size_t in_len, size_t n, int64_t *offsets,
                               uint8_t **bytes_out, size_t *consumed) {
  *bytes_out = NULL;
  *consumed = 0;
  size_t used;
  if (!decode_lengths(in, in_len, n, offsets, &used))
    return false;
  size_t total = (size_t)offsets[n];
  uint8_t *bytes = malloc(total ? total : 1);
  if (!bytes)
    return false;
  if (total)
    memcpy(bytes, in + used, total);
  *bytes_out = bytes;
  *consumed = used + total;
  return true;
}

bool pq_delta_ba_decode(const uint8_t *in, size_t in_len, size_t n, int64_t *offsets,
                        uint8_t **bytes_out, size_t *consumed) {
  *bytes_out = NULL;
  *consumed = 0;
  if (n > SIZE_MAX / sizeof(int64_t) - 1)
    return false;
  bool ok = false;
  uint8_t *bytes = NULL;
  int64_t *prefix = malloc((n ? n : 1) * sizeof(*prefix));
  int64_t *suffix = malloc((n + 1) * sizeof(*suffix));
  size_t used_prefix, used_suffix;
  if (!prefix || !suffix)
    goto done;
  if (!pq_delta_binary_decode_i64(in, in_len, prefix, n, &used_prefix))
    goto done;
  if (!decode_lengths(in + used_prefix, in_len - used_prefix, n, suffix, &used_suffix))
    goto done;
  /* Sizes first: a prefix may not be longer than the value before it. */
  uint64_t total = 0, prev_len = 0;
  for (size_t i = 0; i < n; i++) {
    int64_t p = prefix[i];
    if (p < 0 || (uint64_t)p > prev_len)
      goto done;
    prev_len = (uint64_t)p + (uint64_t)(suffix[i + 1] - suffix[i]);
    total += prev_len;
    if (total > PQ_DELTA_BA_MAX_BYTES)
      goto done;
  }
  bytes = malloc(total ? (size_t)total : 1);
  if (!bytes)
    goto done;
  const uint8_t *suffix_bytes = in + used_prefix + used_suffix;
  size_t at = 0;
  offsets[0] = 0;
  for (size_t i = 0; i < n; i++) {
    size_t p = (size_t)prefix[i], s = (size_t)(suffix[i + 1] - suffix[i]);
    if (p)
      memcpy(bytes + at, bytes + offsets[i - 1], p);
    if (s)
      memcpy(bytes + at + p, suffix_bytes + suffix[i], s);
    at += p + s;
    offsets[i + 1] = (int64_t)at;
  }
  *bytes_out = bytes;
  bytes = NULL;
  *consumed = used_prefix + used_suffix + (size_t)suffix[n];
  ok = true;
done:
  free(bytes);
  free(prefix);
  free(suffix);
  return ok;
}

/* ---- BYTE_STREAM_SPLIT ------------------------------------------------------------------------*/

void pq_bss_encode(const uint8_t *in, size_t n, int width, uint8_t *out) {
  if (width <= 0)
    return;
  const size_t k = (size_t)width;
  for (size_t b = 0; b < k; b++) {
    uint8_t *stream = out + b * n;
    for (size_t i = 0; i < n; i++)
      stream[i] = in[i * k + b];
  }
}

bool pq_bss_decode(const uint8_t *in, size_t in_len, size_t n, int width, uint8_t *out) {
  /* The streams fill the whole input, so their length is in_len / width; n may be less. */
  if (width <= 0 || in_len % (size_t)width != 0)
    return false;
  const size_t k = (size_t)width, stride = in_len / k;
  if (n > stride)
    return false;
  if (k == 4) {
    for (size_t i = 0; i < n; i++) {
      out[4 * i] = in[i];
      out[4 * i + 1] = in[stride + i];
      out[4 * i + 2] = in[2 * stride + i];
      out[4 * i + 3] = in[3 * stride + i];
    }
  } else if (k == 8) {
    for (size_t i = 0; i < n; i++)
      for (size_t b = 0; b < 8; b++)
        out[8 * i + b] = in[b * stride + i];
  } else {
    for (size_t b = 0; b < k; b++)
      for (size_t i = 0; i < n; i++)
        out[i * k + b] = in[b * stride + i];
  }
  return true;
}
