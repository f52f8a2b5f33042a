/*
 * read_chunk.c — decodes one column chunk (one flat column of one row group) into batch-sized
 * vectors: vector k holds rows [k * SBD_BATCH_ROWS, (k + 1) * SBD_BATCH_ROWS) of the row group,
 * so the reader makes batch k from the k-th vector of every column without copying.
 *
 * A chunk is a run of pages, each a Thrift page header and a body. Per page:
 *  1. the body is decompressed (v1: all of it; v2: the values only, the levels being stored
 *     uncompressed before them) into a scratch buffer, or used in place when uncompressed;
 *  2. definition levels (max level 1) are decoded into one byte per row, and counted: the rows
 *     with level 1 have a value;
 *  3. the values are decoded by the page's encoding into a "physical" form: fixed-width values
 *     (PLAIN ones are used in place), bytes for booleans, (offset, length) references for byte
 *     arrays, or dictionary indices (the whole page's at once, checked against the dictionary
 *     four at a time); PLAIN strings of a STRING column are left in the page, to be copied from
 *     it in step 4 with each length checked as it is read;
 *  4. for each stretch of the page that falls in one output vector, the values are converted to
 *     the sbd type (INT32 -> INT64, millis -> micros, DECIMAL -> DOUBLE, ...) or gathered from
 *     the dictionary, straight into the vector when the stretch has no null, else into a scratch
 *     array that is then spread out by the levels.
 * A dictionary page is decoded once per chunk and converted to the sbd type at once (strings
 * checked for UTF-8, UUIDs formatted, laid end to end with 16 bytes of slack, their longest length
 * noted), so data pages only gather: a string entry is copied as a fixed 8 or 16 bytes whatever its
 * length, and a stretch reserves (values * longest entry) bytes without summing lengths. No inner
 * loop calls through a pointer: each conversion is its own loop, chosen once per stretch. Levels
 * that are one run of 1s (a page without nulls) are not spread out.
 *
 * Memory: the scratch buffers (decompressed page, levels, indices, dictionary) belong to the task
 * and are reused for every page and row group it decodes; the output vectors belong to the
 * consumer once handed out (it frees them), so they are new per row group, their string bytes
 * reserved ahead for the rows left so that they grow once or twice rather than per page.
 *
 * Every size comes from the file and is checked before it is used: a page header's sizes against
 * the chunk and a cap, the uncompressed size against what the codec could produce from the
 * compressed one (before any allocation), levels and values against the page, value counts
 * against the rows left, dictionary indices against the dictionary. A failure stops the chunk with
 * a message naming the file, the row group, the column, the page and its offset.
 */
#include "io/parquet/pq_int.h"

#include <math.h>
#include <snappy-c.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the Parquet reader loads values in host order, which must be little-endian"
#endif

/* A page's uncompressed size may not pass this (the writer's own cap is 1 GiB). */
#define PQ_MAX_PAGE_BYTES ((int64_t)1 << 30)
/* The string bytes of one output vector (SBD_BATCH_ROWS rows) may not pass this. */
#define PQ_MAX_VEC_BYTES ((int64_t)2 << 30)
/* A string of at most this many bytes is copied as two 8-byte words, whatever its length: the
 * source may be read that far past its start, and the vector has that much slack. */
#define PQ_SHORT_STRING 16
/* A dictionary-encoded stretch reserves (values * the longest entry) bytes without summing the
 * lengths, unless that passes this. */
#define PQ_DICT_BOUND_BYTES ((uint64_t)16 << 20)
/* A vector's string bytes grow at most this much beyond what a page needs now. */
#define PQ_RESERVE_AHEAD_BYTES ((uint64_t)16 << 20)
/* The Julian day number of 1970-01-01. */
#define PQ_JULIAN_EPOCH 2440588

typedef struct pq_sref {
  uint32_t off, len;
} pq_sref;

struct pq_scratch {
  uint8_t *chunk;
  size_t chunk_cap; /* the chunk's bytes when the file is not mapped */
  uint8_t *page;
  size_t page_cap; /* a decompressed page */
  uint8_t *levels;
  size_t levels_cap; /* one byte per row of a page */
  uint32_t *idx;
  size_t idx_cap; /* dictionary indices */
  uint8_t *vals;
  size_t vals_cap; /* decoded values: booleans, DELTA, BYTE_STREAM_SPLIT */
  pq_sref *srefs;
  size_t srefs_cap;
  int64_t *offs;
  size_t offs_cap; /* DELTA_(LENGTH_)BYTE_ARRAY offsets */
  uint8_t *conv;
  size_t conv_cap; /* converted values of a stretch with nulls */
  uint8_t *text;
  size_t text_cap; /* formatted UUIDs and hex */
  /* The chunk's dictionary, converted to the sbd type. */
  bool has_dict;
  uint32_t dict_n;
  uint8_t *dict;
  size_t dict_cap; /* fixed-width values */
  pq_sref *dict_srefs;
  size_t dict_srefs_cap;
  uint8_t *dict_bytes;
  size_t dict_bytes_cap; /* string bytes, with PQ_SHORT_STRING bytes of slack past the last */
  uint32_t dict_max_len; /* the longest string entry */
};

/* A page's values before conversion. */
typedef struct pvals {
  const uint8_t *fixed; /* width-byte values, or 0/1 bytes for BOOLEAN */
  int width;
  const uint8_t *base; /* BYTE_ARRAY: srefs into base, of which base_len bytes may be read */
  size_t base_len;
  const pq_sref *srefs;
  const uint32_t *idx; /* dictionary indices */
  uint8_t *owned;      /* malloc'd by a DELTA decoder; freed after the page */
  /* PLAIN strings of a STRING field are not split into srefs: append_plain_strings reads them
   * from base at plain_pos on, checking each length as it goes; plain_ascii says the whole page
   * is ASCII, so that no value needs a UTF-8 check. */
  bool plain_text, plain_ascii;
  size_t plain_pos, plain_k, plain_n; /* the read position, values read, values in the page */
} pvals;

/* The state of one chunk's decoding. */
typedef struct rd {
  pq_chunk_task *t;
  struct pq_scratch *s;
  const pq_field *fd;
  int codec;
  int page;         /* index of the page in the chunk; -1 before the first */
  int64_t page_off; /* file offset of its header */
  int64_t row;      /* rows of the chunk decoded so far */
  int64_t nrows;
  int out_width; /* bytes per value in the vectors (8 for STRING offsets) */
} rd;

static bool fail(rd *r, sbd_status st, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static bool fail(rd *r, sbd_status st, const char *fmt, ...) {
  pq_chunk_task *t = r->t;
  if (t->status != SBD_OK)
    return false;
  char what[400];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof(what), fmt, ap);
  va_end(ap);
  if (r->page >= 0)
    snprintf(t->err, sizeof(t->err), "%s: row group %d, column '%s', page %d (offset %lld): %s",
             t->file->path, t->rg, r->fd->name, r->page, (long long)r->page_off, what);
  else
    snprintf(t->err, sizeof(t->err), "%s: row group %d, column '%s': %s", t->file->path, t->rg,
             r->fd->name, what);
  t->status = st;
  return false;
}

static bool grow(rd *r, void *pp, size_t *cap, size_t need) {
  void **p = pp;
  if (need <= *cap && *p)
    return true;
  size_t c = *cap ? *cap : 4096;
  while (c < need)
    c = c > SIZE_MAX / 2 ? need : c * 2;
  void *q = realloc(*p, c);
  if (!q)
    return fail(r, SBD_ENOMEM, "out of memory (allocating %zu bytes)", c);
  *p = q;
  *cap = c;
  return true;
}

static inline uint32_t load_u32(const uint8_t *p) {
  uint32_t v;
  memcpy(&v, p, 4);
  return v;
}

/* ---- UTF-8 ------------------------------------------------------------------------------------*/

static bool ascii_only(const uint8_t *s, size_t n) {
  uint64_t any = 0;
  size_t i = 0;
#if defined(__SSE2__)
  __m128i acc = _mm_setzero_si128();
  for (; i + 64 <= n; i += 64) {
    __m128i a = _mm_loadu_si128((const __m128i *)(s + i));
    __m128i b = _mm_loadu_si128((const __m128i *)(s + i + 16));
    __m128i c = _mm_loadu_si128((const __m128i *)(s + i + 32));
    __m128i d = _mm_loadu_si128((const __m128i *)(s + i + 48));
    acc = _mm_or_si128(acc, _mm_or_si128(_mm_or_si128(a, b), _mm_or_si128(c, d)));
  }
  any = _mm_movemask_epi8(acc) ? 0x80 : 0; /* a top bit set, where the test below looks */
#endif
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    memcpy(&w, s + i, 8);
    any |= w;
  }
  for (; i < n; i++)
    any |= s[i];
  return !(any & 0x8080808080808080ull);
}

static bool bad_utf8(rd *r, const uint8_t *s, size_t n) {
  /* Quoted with every byte outside printable ASCII as \xNN, so the message itself is text. */
  char q[300];
  size_t o = 0;
  q[o++] = '"';
  for (size_t i = 0; i < n && o + 8 < sizeof(q); i++) {
    if (i == 60) {
      memcpy(q + o, "...", 3);
      o += 3;
      break;
    }
    if (s[i] >= 0x20 && s[i] < 0x7f && s[i] != '"' && s[i] != '\\')
      q[o++] = (char)s[i];
    else
      o += (size_t)snprintf(q + o, sizeof(q) - o, "\\x%02x", s[i]);
  }
  q[o++] = '"';
  q[o] = 0;
  return fail(r, SBD_EINPUT,
              "the value %s is not valid UTF-8 (sbd reads a BYTE_ARRAY column as STRING only when "
              "its values are text)",
              q);
}

/* ---- bits and levels --------------------------------------------------------------------------*/

/* Eight 0/1 bytes for each byte of LSB-first bits. */
static uint64_t bit_bytes[256];
static pthread_once_t bit_bytes_once = PTHREAD_ONCE_INIT;

static void bit_bytes_init(void) {
  for (int b = 0; b < 256; b++) {
    uint64_t v = 0;
    for (int k = 0; k < 8; k++)
      v |= (uint64_t)((b >> k) & 1) << (8 * k);
    bit_bytes[b] = v;
  }
}

/* n LSB-first bits from in (at least (n + 7) / 8 bytes) as 0/1 bytes. */
static void unpack_bits(const uint8_t *in, size_t n, uint8_t *out) {
  size_t full = n / 8;
  for (size_t i = 0; i < full; i++)
    memcpy(out + 8 * i, &bit_bytes[in[i]], 8);
  for (size_t i = full * 8; i < n; i++)
    out[i] = (in[i / 8] >> (i % 8)) & 1;
}

static bool read_uleb32(const uint8_t *in, size_t len, size_t *pos, uint32_t *out) {
  uint64_t v = 0;
  for (int shift = 0; shift < 35; shift += 7) {
    if (*pos >= len)
      return false;
    uint8_t b = in[(*pos)++];
    v |= (uint64_t)(b & 0x7f) << shift;
    if (!(b & 0x80)) {
      if (v > UINT32_MAX)
        return false;
      *out = (uint32_t)v;
      return true;
    }
  }
  return false;
}

static size_t count_ones(const uint8_t *lv, size_t n) {
  /* Bytes are 0 or 1, so the eight of a word add up in its top byte. */
  size_t c = 0, i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    memcpy(&w, lv + i, 8);
    c += (size_t)((w * 0x0101010101010101ull) >> 56);
  }
  for (; i < n; i++)
    c += lv[i];
  return c;
}

/* The RLE/bit-packed hybrid of bit width 1 (levels of max 1, RLE booleans): exactly n 0/1
 * bytes, and *ones of them are 1; or false. */
static bool rle1_decode(const uint8_t *in, size_t len, size_t n, uint8_t *out, size_t *ones) {
  size_t pos = 0, done = 0;
  *ones = 0;
  while (done < n) {
    uint32_t header;
    if (!read_uleb32(in, len, &pos, &header))
      return false;
    size_t count = header >> 1, want = n - done;
    if (header & 1) {
      size_t values = count * 8, take = values < want ? values : want;
      size_t need = (take + 7) / 8;
      if (need > len - pos)
        return false;
      unpack_bits(in + pos, take, out + done);
      *ones += count_ones(out + done, take);
      pos += count < len - pos ? count : len - pos;
      done += take;
    } else {
      if (pos >= len || in[pos] > 1)
        return false;
      size_t take = count < want ? count : want;
      memset(out + done, in[pos], take);
      *ones += in[pos] ? take : 0;
      pos++;
      done += take;
    }
  }
  return true;
}

/* Whether levels of bit width 1 (as rle1_decode reads them) open with a run of at least n 1s,
 * as a writer encodes a page without nulls: then all n rows have a value, and the levels need not
 * be spread out and counted. */
static bool levels_all_ones(const uint8_t *in, size_t len, size_t n) {
  size_t pos = 0;
  uint32_t header;
  if (!read_uleb32(in, len, &pos, &header) || (header & 1))
    return false;
  return (header >> 1) >= n && pos < len && in[pos] == 1;
}

/* ---- codecs -----------------------------------------------------------------------------------*/

/* The page's data uncompressed: in place when the codec is UNCOMPRESSED, else in the scratch. */
static const uint8_t *decompress(rd *r, const uint8_t *in, size_t clen, size_t ulen) {
  struct pq_scratch *s = r->s;
  if (ulen == 0)
    return in;
  if (r->codec == PQ_CODEC_UNCOMPRESSED) {
    if (clen != ulen) {
      fail(r, SBD_EINPUT, "an uncompressed page of %zu bytes says it holds %zu", clen, ulen);
      return NULL;
    }
    return in;
  }
  /* What the compressed bytes could possibly expand to, checked before allocating. */
  bool plausible = true;
  switch (r->codec) {
  case PQ_CODEC_SNAPPY: {
    /* Snappy data begins with its uncompressed length: say which of the two is wrong. */
    size_t n;
    if (snappy_uncompressed_length((const char *)in, clen, &n) != SNAPPY_OK) {
      fail(r, SBD_EINPUT, "SNAPPY: corrupt page data");
      return NULL;
    }
    if (n != ulen) {
      fail(r, SBD_EINPUT, "SNAPPY: page data decompresses to %zu bytes, but its header says %zu", n,
           ulen);
      return NULL;
    }
    break;
  }
  case PQ_CODEC_ZSTD: {
    unsigned long long n = ZSTD_getFrameContentSize(in, clen);
    if (n == ZSTD_CONTENTSIZE_ERROR)
      plausible = false;
    else if (n != ZSTD_CONTENTSIZE_UNKNOWN)
      plausible = n <= ulen;
    else
      plausible = ulen / 32768 <= clen;
    break;
  }
  case PQ_CODEC_GZIP:
    plausible = ulen / 1032 <= clen;
    break;
  case PQ_CODEC_LZ4:
  case PQ_CODEC_LZ4_RAW:
    plausible = ulen / 255 <= clen;
    break;
  default:
    break; /* the codec refuses it below */
  }
  if (!plausible) {
    static const char *const names[] = {"UNCOMPRESSED", "SNAPPY", "GZIP", "LZO",
                                        "BROTLI",       "LZ4",    "ZSTD", "LZ4_RAW"};
    fail(r, SBD_EINPUT, "%s: %zu compressed bytes cannot hold the %zu bytes the page header says",
         names[r->codec], clen, ulen);
    return NULL;
  }
  if (!grow(r, &s->page, &s->page_cap, ulen))
    return NULL;
  sbd_status st = pq_decompress(NULL, r->codec, in, clen, s->page, ulen);
  if (st != SBD_OK) {
    /* Once more with a context, for the codec's message (a context costs more than a page). */
    sbd_ctx *ectx = sbd_ctx_new();
    if (ectx)
      pq_decompress(ectx, r->codec, in, clen, s->page, ulen);
    fail(r, st, "%s", ectx ? sbd_errmsg(ectx) : "corrupt page data");
    sbd_ctx_free(ectx);
    return NULL;
  }
  return s->page;
}

/* ---- values: decoding by encoding -------------------------------------------------------------*/

static int phys_width(const pq_field *fd) {
  switch (fd->phys) {
  case PQ_BOOLEAN:
    return 1;
  case PQ_INT32:
  case PQ_FLOAT:
    return 4;
  case PQ_INT64:
  case PQ_DOUBLE:
    return 8;
  case PQ_INT96:
    return 12;
  case PQ_FIXED_LEN_BYTE_ARRAY:
    return fd->type_length;
  default:
    return 0; /* BYTE_ARRAY */
  }
}

static const char *encoding_name(int enc) {
  static const char *const names[] = {
      "PLAIN",          "GROUP_VAR_INT",       "PLAIN_DICTIONARY",        "RLE",
      "BIT_PACKED",     "DELTA_BINARY_PACKED", "DELTA_LENGTH_BYTE_ARRAY", "DELTA_BYTE_ARRAY",
      "RLE_DICTIONARY", "BYTE_STREAM_SPLIT"};
  return enc >= 0 && enc < 10 ? names[enc] : "an unknown encoding";
}

static bool truncated(rd *r, const char *enc, size_t n) {
  return fail(r, SBD_EINPUT, "the %s values of %zu rows run past the end of the page", enc, n);
}

/* Whether every one of the n values is below bound; four lanes at a time where SSE2 is there. */
static bool all_below(const uint32_t *v, size_t n, uint32_t bound) {
  size_t i = 0;
  uint32_t over = 0;
#if defined(__SSE2__)
  /* SSE2 compares signed: flipping the top bit orders unsigned values the same way. */
  const __m128i flip = _mm_set1_epi32((int)0x80000000u);
  const __m128i last = _mm_set1_epi32((int)((bound - 1) ^ 0x80000000u));
  __m128i acc = _mm_setzero_si128();
  for (; i + 16 <= n; i += 16) {
    __m128i a = _mm_loadu_si128((const __m128i *)(v + i));
    __m128i b = _mm_loadu_si128((const __m128i *)(v + i + 4));
    __m128i c = _mm_loadu_si128((const __m128i *)(v + i + 8));
    __m128i d = _mm_loadu_si128((const __m128i *)(v + i + 12));
    acc = _mm_or_si128(acc, _mm_cmpgt_epi32(_mm_xor_si128(a, flip), last));
    acc = _mm_or_si128(acc, _mm_cmpgt_epi32(_mm_xor_si128(b, flip), last));
    acc = _mm_or_si128(acc, _mm_cmpgt_epi32(_mm_xor_si128(c, flip), last));
    acc = _mm_or_si128(acc, _mm_cmpgt_epi32(_mm_xor_si128(d, flip), last));
  }
  over = (uint32_t)_mm_movemask_epi8(acc);
#endif
  for (; i < n; i++)
    over |= v[i] >= bound;
  return bound > 0 ? over == 0 : n == 0;
}

/* PLAIN: n values from p[0..len). */
static bool decode_plain(rd *r, const uint8_t *p, size_t len, size_t n, pvals *pv) {
  struct pq_scratch *s = r->s;
  const pq_field *fd = r->fd;
  if (fd->phys == PQ_BOOLEAN) {
    if ((n + 7) / 8 > len)
      return truncated(r, "PLAIN", n);
    if (!grow(r, &s->vals, &s->vals_cap, n + 8))
      return false;
    unpack_bits(p, n, s->vals);
    pv->fixed = s->vals;
    pv->width = 1;
    return true;
  }
  if (fd->phys == PQ_BYTE_ARRAY) {
    if (n > len / 4)
      return truncated(r, "PLAIN", n);
    if (!grow(r, &s->srefs, &s->srefs_cap, n * sizeof(pq_sref)))
      return false;
    size_t pos = 0;
    for (size_t i = 0; i < n; i++) {
      if (len - pos < 4)
        return truncated(r, "PLAIN", n);
      uint32_t l = load_u32(p + pos);
      pos += 4;
      if (l > len - pos)
        return fail(r, SBD_EINPUT, "value %zu: a string of %u bytes runs past the end of the page",
                    i, l);
      s->srefs[i] = (pq_sref){(uint32_t)pos, l};
      pos += l;
    }
    pv->base = p;
    pv->base_len = len;
    pv->srefs = s->srefs;
    return true;
  }
  int w = phys_width(fd);
  if (n > len / (size_t)w)
    return truncated(r, "PLAIN", n);
  pv->fixed = p;
  pv->width = w;
  return true;
}

/* Byte-array offsets (n + 1 of them) into references. */
static bool offsets_to_srefs(rd *r, size_t n, const int64_t *offs) {
  struct pq_scratch *s = r->s;
  if (!grow(r, &s->srefs, &s->srefs_cap, (n ? n : 1) * sizeof(pq_sref)))
    return false;
  for (size_t i = 0; i < n; i++)
    s->srefs[i] = (pq_sref){(uint32_t)offs[i], (uint32_t)(offs[i + 1] - offs[i])};
  return true;
}

static bool decode_values(rd *r, int enc, const uint8_t *p, size_t len, size_t n, pvals *pv) {
  struct pq_scratch *s = r->s;
  const pq_field *fd = r->fd;
  const int phys = fd->phys;
  memset(pv, 0, sizeof(*pv));
  switch (enc) {
  case PQ_ENC_PLAIN:
    if (phys == PQ_BYTE_ARRAY && fd->conv == PQ_CONV_STRING) {
      if (n > len / 4)
        return truncated(r, "PLAIN", n);
      pv->plain_text = true;
      pv->plain_ascii = ascii_only(p, len);
      pv->base = p;
      pv->base_len = len;
      pv->plain_n = n;
      return true;
    }
    return decode_plain(r, p, len, n, pv);
  case PQ_ENC_PLAIN_DICTIONARY:
  case PQ_ENC_RLE_DICTIONARY: {
    if (!s->has_dict)
      return fail(r, SBD_EINPUT, "a dictionary-encoded page without a dictionary page");
    if (len < 1 || p[0] > 32)
      return fail(r, SBD_EINPUT, "bad bit width %d of the dictionary indices", len ? p[0] : -1);
    if (!grow(r, &s->idx, &s->idx_cap, n * sizeof(uint32_t)))
      return false;
    if (!pq_rle_decode(p + 1, len - 1, p[0], s->idx, n))
      return fail(r, SBD_EINPUT, "corrupt dictionary indices (RLE/bit-packed, width %d)", p[0]);
    /* Indices of a width whose every value is in the dictionary need no check. */
    if (n && (p[0] >= 32 || ((uint64_t)1 << p[0]) > s->dict_n) &&
        !all_below(s->idx, n, s->dict_n)) {
      uint32_t max = 0;
      for (size_t i = 0; i < n; i++)
        max = s->idx[i] > max ? s->idx[i] : max;
      return fail(r, SBD_EINPUT,
                  "dictionary index %u is out of range (the dictionary has %u "
                  "entries)",
                  max, s->dict_n);
    }
    pv->idx = s->idx;
    return true;
  }
  case PQ_ENC_RLE:
    if (phys != PQ_BOOLEAN)
      break;
    if (len < 4 || load_u32(p) > len - 4)
      return fail(r, SBD_EINPUT, "the RLE booleans' length runs past the end of the page");
    if (!grow(r, &s->vals, &s->vals_cap, n + 8))
      return false;
    size_t ones;
    if (!rle1_decode(p + 4, load_u32(p), n, s->vals, &ones))
      return fail(r, SBD_EINPUT, "corrupt RLE booleans");
    pv->fixed = s->vals;
    pv->width = 1;
    return true;
  case PQ_ENC_DELTA_BINARY_PACKED: {
    if (phys != PQ_INT32 && phys != PQ_INT64)
      break;
    if (!grow(r, &s->vals, &s->vals_cap, (n ? n : 1) * 8))
      return false;
    int64_t *v = (int64_t *)s->vals;
    size_t used;
    if (!pq_delta_binary_decode_i64(p, len, v, n, &used))
      return fail(r, SBD_EINPUT, "corrupt DELTA_BINARY_PACKED values");
    if (phys == PQ_INT32) {
      int32_t *o = (int32_t *)s->vals;
      for (size_t i = 0; i < n; i++) {
        int64_t x = v[i]; /* read before the narrower write that may overlap it */
        o[i] = (int32_t)(uint32_t)(uint64_t)x;
      }
      pv->width = 4;
    } else {
      pv->width = 8;
    }
    pv->fixed = s->vals;
    return true;
  }
  case PQ_ENC_DELTA_LENGTH_BYTE_ARRAY:
  case PQ_ENC_DELTA_BYTE_ARRAY: {
    if (phys != PQ_BYTE_ARRAY &&
        !(phys == PQ_FIXED_LEN_BYTE_ARRAY && enc == PQ_ENC_DELTA_BYTE_ARRAY))
      break;
    if (!grow(r, &s->offs, &s->offs_cap, (n + 1) * sizeof(int64_t)))
      return false;
    size_t used;
    bool ok = enc == PQ_ENC_DELTA_BYTE_ARRAY
                  ? pq_delta_ba_decode(p, len, n, s->offs, &pv->owned, &used)
                  : pq_delta_length_ba_decode(p, len, n, s->offs, &pv->owned, &used);
    if (!ok)
      return fail(r, SBD_EINPUT, "corrupt %s values", encoding_name(enc));
    if (phys == PQ_FIXED_LEN_BYTE_ARRAY) {
      for (size_t i = 0; i < n; i++)
        if (s->offs[i + 1] - s->offs[i] != fd->type_length)
          return fail(r, SBD_EINPUT, "value %zu has %lld bytes, not the column's %d", i,
                      (long long)(s->offs[i + 1] - s->offs[i]), (int)fd->type_length);
      pv->fixed = pv->owned;
      pv->width = fd->type_length;
      return true;
    }
    if (!offsets_to_srefs(r, n, s->offs))
      return false;
    pv->base = pv->owned;
    pv->base_len = (size_t)s->offs[n];
    pv->srefs = s->srefs;
    return true;
  }
  case PQ_ENC_BYTE_STREAM_SPLIT: {
    if (phys == PQ_BOOLEAN || phys == PQ_BYTE_ARRAY || phys == PQ_INT96)
      break;
    int w = phys_width(fd);
    if (!grow(r, &s->vals, &s->vals_cap, (n ? n : 1) * (size_t)w))
      return false;
    if (!pq_bss_decode(p, len, n, w, s->vals))
      return fail(r, SBD_EINPUT,
                  "corrupt BYTE_STREAM_SPLIT values (%zu bytes for %zu values of %d)", len, n, w);
    pv->fixed = s->vals;
    pv->width = w;
    return true;
  }
  default:
    break;
  }
  static const char *const phys_names[] = {
      "BOOLEAN", "INT32",  "INT64",      "INT96",
      "FLOAT",   "DOUBLE", "BYTE_ARRAY", "FIXED_LEN_BYTE_ARRAY"};
  return fail(r, SBD_EUNSUPPORTED, "encoding %s (%d) of a %s column is not supported",
              encoding_name(enc), enc, phys_names[phys]);
}

/* ---- values: conversion to sbd types
 * ------------------------------------------------------------*/

static const double pow10_exact[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                     1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                     1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

static double decimal_divisor(int scale) {
  return scale < 23 ? pow10_exact[scale] : pow(10.0, scale);
}

/* A big-endian two's complement integer as a double, the way DuckDB turns its 128-bit decimals
 * into one (upper * 2^64 + lower), so that both agree. */
static double be_int_to_double(const uint8_t *p, size_t n) {
  if (n == 0)
    return 0;
  if (n <= 8) {
    uint64_t v = (p[0] & 0x80) ? ~(uint64_t)0 : 0;
    for (size_t i = 0; i < n; i++)
      v = v << 8 | p[i];
    return (double)(int64_t)v;
  }
  if (n <= 16) {
    uint64_t hi = (p[0] & 0x80) ? ~(uint64_t)0 : 0, lo = 0;
    size_t split = n - 8;
    for (size_t i = 0; i < split; i++)
      hi = hi << 8 | p[i];
    for (size_t i = split; i < n; i++)
      lo = lo << 8 | p[i];
    if ((int64_t)hi == -1)
      return -(double)(UINT64_MAX - lo) - 1;
    return (double)lo + (double)(int64_t)hi * 18446744073709551615.0;
  }
  bool neg = p[0] & 0x80;
  double d = 0;
  for (size_t i = 0; i < n; i++)
    d = d * 256 + (neg ? 255 - p[i] : p[i]);
  return neg ? -d - 1 : d;
}

static double half_to_double(uint16_t h) {
  int sign = h >> 15, exp = (h >> 10) & 0x1f, man = h & 0x3ff;
  double v;
  if (exp == 0)
    v = ldexp(man, -24);
  else if (exp == 31)
    v = man ? NAN : INFINITY;
  else
    v = ldexp(man + 1024, exp - 25);
  return sign ? -v : v;
}

static bool out_of_range(rd *r, const char *what, long long v) {
  return fail(r, SBD_EINPUT, "%s %lld is out of range", what, v);
}

/* Converts values [k, k + n) of pv to the field's sbd type into dst (n slots of out_width). */
static bool convert(rd *r, const pvals *pv, size_t k, size_t n, void *dst) {
  const pq_field *fd = r->fd;
  if (n == 0)
    return true;
  const uint8_t *in = pv->fixed ? pv->fixed + k * (size_t)pv->width : NULL;
  switch (fd->conv) {
  case PQ_CONV_BOOL:
  case PQ_CONV_DATE:
  case PQ_CONV_I64:
  case PQ_CONV_TS_MICROS:
  case PQ_CONV_F64:
    if (n)
      memcpy(dst, in, n * (size_t)pv->width);
    return true;
  case PQ_CONV_I32: {
    int64_t *o = dst;
    for (size_t i = 0; i < n; i++)
      o[i] = (int32_t)load_u32(in + 4 * i);
    return true;
  }
  case PQ_CONV_U32: {
    int64_t *o = dst;
    for (size_t i = 0; i < n; i++)
      o[i] = load_u32(in + 4 * i);
    return true;
  }
  case PQ_CONV_U64: {
    int64_t *o = dst;
    memcpy(o, in, n * 8);
    int64_t neg = 0;
    for (size_t i = 0; i < n; i++)
      neg |= o[i];
    if (neg < 0)
      for (size_t i = 0; i < n; i++)
        if (o[i] < 0)
          return fail(r, SBD_EINPUT, "the unsigned value %llu does not fit INT64",
                      (unsigned long long)o[i]);
    return true;
  }
  case PQ_CONV_TS_MILLIS: {
    int64_t *o = dst;
    memcpy(o, in, n * 8);
    bool bad = false;
    for (size_t i = 0; i < n; i++) {
      bad |= o[i] > INT64_MAX / 1000 || o[i] < INT64_MIN / 1000;
      o[i] = (int64_t)((uint64_t)o[i] * 1000u);
    }
    if (bad)
      for (size_t i = 0; i < n; i++) {
        int64_t ms;
        memcpy(&ms, in + 8 * i, 8);
        if (ms > INT64_MAX / 1000 || ms < INT64_MIN / 1000)
          return out_of_range(r, "the timestamp (milliseconds)", (long long)ms);
      }
    return true;
  }
  case PQ_CONV_TS_NANOS: {
    int64_t *o = dst;
    memcpy(o, in, n * 8);
    for (size_t i = 0; i < n; i++)
      o[i] = o[i] / 1000 - (o[i] % 1000 < 0);
    return true;
  }
  case PQ_CONV_INT96: {
    /* As Spark reads it back (DateTimeUtils.fromJulianDay): wrapping 64-bit arithmetic and a
     * division that truncates, so that the timestamps Spark writes past the year 2262 (whose
     * day and nanoseconds it computed with the same wrap-around) come back whole. */
    int64_t *o = dst;
    for (size_t i = 0; i < n; i++) {
      int64_t nanos;
      memcpy(&nanos, in + 12 * i, 8);
      int64_t day = (int64_t)(int32_t)load_u32(in + 12 * i + 8) - PQ_JULIAN_EPOCH;
      o[i] = (int64_t)((uint64_t)day * 86400000000u + (uint64_t)(nanos / 1000));
    }
    return true;
  }
  case PQ_CONV_F32: {
    double *o = dst;
    for (size_t i = 0; i < n; i++) {
      float x;
      memcpy(&x, in + 4 * i, 4);
      o[i] = x;
    }
    return true;
  }
  case PQ_CONV_F16: {
    double *o = dst;
    for (size_t i = 0; i < n; i++)
      o[i] = half_to_double((uint16_t)(in[2 * i] | in[2 * i + 1] << 8));
    return true;
  }
  case PQ_CONV_DEC_I32: {
    double *o = dst, div = decimal_divisor(fd->scale);
    for (size_t i = 0; i < n; i++)
      o[i] = (double)(int32_t)load_u32(in + 4 * i) / div;
    return true;
  }
  case PQ_CONV_DEC_I64: {
    double *o = dst, div = decimal_divisor(fd->scale);
    for (size_t i = 0; i < n; i++) {
      int64_t v;
      memcpy(&v, in + 8 * i, 8);
      o[i] = (double)v / div;
    }
    return true;
  }
  case PQ_CONV_DEC_BYTES: {
    double *o = dst, div = decimal_divisor(fd->scale);
    if (in) {
      for (size_t i = 0; i < n; i++)
        o[i] = be_int_to_double(in + i * (size_t)pv->width, (size_t)pv->width) / div;
    } else {
      for (size_t i = 0; i < n; i++) {
        pq_sref sr = pv->srefs[k + i];
        o[i] = be_int_to_double(pv->base + sr.off, sr.len) / div;
      }
    }
    return true;
  }
  default:
    return fail(r, SBD_EINTERNAL, "conversion %d reached the fixed-width path", (int)fd->conv);
  }
}

/* For string-typed fields: turns pv's values [0, n) into references to text (checked UTF-8, or
 * formatted UUIDs and hex), into *base / *srefs. */
static bool to_text(rd *r, const pvals *pv, size_t n, uint8_t **text, size_t *text_cap,
                    pq_sref **srefs, size_t *srefs_cap, bool copy) {
  const pq_field *fd = r->fd;
  static const char hex[] = "0123456789abcdef";
  if (fd->conv == PQ_CONV_STRING) {
    /* The references come in order (PLAIN, DELTA), so [first, last) spans every value: when it
     * is all ASCII (length prefixes below 128 included), so is each value. */
    bool ascii =
        n > 0 && ascii_only(pv->base + pv->srefs[0].off,
                            (size_t)pv->srefs[n - 1].off + pv->srefs[n - 1].len - pv->srefs[0].off);
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
      pq_sref sr = pv->srefs[i];
      if (!ascii && !str_utf8_valid((const char *)pv->base + sr.off, sr.len))
        return bad_utf8(r, pv->base + sr.off, sr.len);
      total += sr.len;
    }
    if (!copy)
      return true;
    if (!grow(r, text, text_cap, total ? total : 1) ||
        !grow(r, srefs, srefs_cap, (n ? n : 1) * sizeof(pq_sref)))
      return false;
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
      pq_sref sr = pv->srefs[i];
      if (sr.len)
        memcpy(*text + at, pv->base + sr.off, sr.len);
      (*srefs)[i] = (pq_sref){(uint32_t)at, sr.len};
      at += sr.len;
    }
    return true;
  }
  /* UUID or hex from fixed-length values. */
  const size_t w = (size_t)pv->width;
  const size_t tl = fd->conv == PQ_CONV_UUID ? 36 : 2 * w;
  if (n && tl > UINT32_MAX / n)
    return fail(r, SBD_ELIMIT, "%zu values of %zu characters are too many for one page", n, tl);
  if (!grow(r, text, text_cap, (n ? n : 1) * tl) ||
      !grow(r, srefs, srefs_cap, (n ? n : 1) * sizeof(pq_sref)))
    return false;
  for (size_t i = 0; i < n; i++) {
    const uint8_t *v = pv->fixed + i * w;
    uint8_t *o = *text + i * tl;
    size_t at = 0;
    for (size_t b = 0; b < w; b++) {
      if (fd->conv == PQ_CONV_UUID && (b == 4 || b == 6 || b == 8 || b == 10))
        o[at++] = '-';
      o[at++] = (uint8_t)hex[v[b] >> 4];
      o[at++] = (uint8_t)hex[v[b] & 15];
    }
    (*srefs)[i] = (pq_sref){(uint32_t)(i * tl), (uint32_t)tl};
  }
  return true;
}

/* ---- output: spreading values over the vectors
 * --------------------------------------------------*/

/* Dictionary gather of n values into dst. */
static void gather(const struct pq_scratch *s, int width, const uint32_t *idx, size_t n,
                   void *dst) {
  switch (width) {
  case 1: {
    const uint8_t *d = s->dict;
    uint8_t *o = dst;
    for (size_t i = 0; i < n; i++)
      o[i] = d[idx[i]];
    break;
  }
  case 4: {
    const uint32_t *d = (const uint32_t *)s->dict;
    uint32_t *o = dst;
    for (size_t i = 0; i < n; i++)
      o[i] = d[idx[i]];
    break;
  }
  default: {
    /* Four a step: the loop's own count and test are a third of a one-value step. */
    const uint64_t *d = (const uint64_t *)s->dict;
    uint64_t *o = dst;
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
      uint64_t a = d[idx[i]], b = d[idx[i + 1]], c = d[idx[i + 2]], e = d[idx[i + 3]];
      o[i] = a;
      o[i + 1] = b;
      o[i + 2] = c;
      o[i + 3] = e;
    }
    for (; i < n; i++)
      o[i] = d[idx[i]];
    break;
  }
  }
}

/* Spreads the dense values src over n rows by their levels; a null row gets a zero. */
static void expand(const uint8_t *lv, size_t n, const void *src, void *dst, int width) {
  size_t k = 0;
  switch (width) {
  case 1: {
    const uint8_t *in = src;
    uint8_t *o = dst;
    for (size_t i = 0; i < n; i++) {
      o[i] = lv[i] ? in[k] : 0;
      k += lv[i];
    }
    break;
  }
  case 4: {
    const uint32_t *in = src;
    uint32_t *o = dst;
    for (size_t i = 0; i < n; i++) {
      o[i] = lv[i] ? in[k] : 0;
      k += lv[i];
    }
    break;
  }
  default: {
    const uint64_t *in = src;
    uint64_t *o = dst;
    for (size_t i = 0; i < n; i++) {
      o[i] = lv[i] ? in[k] : 0;
      k += lv[i];
    }
    break;
  }
  }
}

/* Clears the validity bits of the null rows among rows [at, at + n) of v. */
static bool mark_nulls(rd *r, sbd_vec *v, int64_t at, const uint8_t *lv, size_t n) {
  if (!v->validity) {
    size_t words = (size_t)(v->cap + 63) / 64;
    v->validity = malloc((words ? words : 1) * 8);
    if (!v->validity)
      return fail(r, SBD_ENOMEM, "out of memory");
    memset(v->validity, 0xff, (words ? words : 1) * 8);
  }
  for (size_t i = 0; i < n; i++) {
    if (!lv[i]) {
      int64_t row = at + (int64_t)i;
      v->validity[row >> 6] &= ~(UINT64_C(1) << (row & 63));
      v->null_count++;
    }
  }
  return true;
}

/* Makes room for need more string bytes in v, PQ_SHORT_STRING of slack included. When v must
 * grow, it grows for the `later` bytes its remaining rows are expected to need too, so that a
 * vector is reallocated once or twice rather than once per page. */
static bool reserve_bytes(rd *r, sbd_vec *v, uint64_t need, uint64_t later) {
  if ((int64_t)need > PQ_MAX_VEC_BYTES - v->bytes_len)
    return fail(r, SBD_ELIMIT, "the strings of one batch of %d rows pass the cap of %lld bytes",
                SBD_BATCH_ROWS, (long long)PQ_MAX_VEC_BYTES);
  need += PQ_SHORT_STRING;
  if (v->bytes_len + (int64_t)need <= v->bytes_cap)
    return true;
  /* An estimate from the first values only: a vector whose first strings are long grows by
   * doubling past this rather than reserving gigabytes at once. */
  if (later > PQ_RESERVE_AHEAD_BYTES)
    later = PQ_RESERVE_AHEAD_BYTES;
  uint64_t want = need + later;
  if ((int64_t)want > PQ_MAX_VEC_BYTES - v->bytes_len)
    want = need;
  if (vec_reserve(NULL, v, 0, (int64_t)want) != SBD_OK)
    return fail(r, SBD_ENOMEM, "out of memory (strings of %llu bytes)", (unsigned long long)want);
  return true;
}

/* Appends n rows of strings to v, the row at index `at_row` first. The values come in order from
 * srefs into base (of which base_len bytes may be read): references in increasing order that do
 * not overlap, so the bytes they span bound the bytes they hold. Rows whose level in lv is 0 (lv
 * NULL: none) get no value; valid rows have one. */
static bool append_strings(rd *r, sbd_vec *v, int64_t at_row, const uint8_t *lv, size_t n,
                           const uint8_t *base, size_t base_len, const pq_sref *srefs,
                           size_t valid) {
  if (valid == 0) {
    int64_t *off = (int64_t *)v->values + at_row;
    for (size_t i = 0; i < n; i++)
      off[i + 1] = v->bytes_len;
    return true;
  }
  uint64_t span = (uint64_t)srefs[valid - 1].off + srefs[valid - 1].len - srefs[0].off;
  if (span > SBD_MAX_VALUE_BYTES)
    for (size_t j = 0; j < valid; j++)
      if (srefs[j].len > SBD_MAX_VALUE_BYTES)
        return fail(r, SBD_ELIMIT, "a string of %u bytes is over the cap of %u bytes", srefs[j].len,
                    SBD_MAX_VALUE_BYTES);
  uint64_t rows_after = (uint64_t)(v->cap - at_row) - n;
  if (!reserve_bytes(r, v, span, span / valid * rows_after))
    return false;
  int64_t *off = (int64_t *)v->values + at_row;
  char *out = v->bytes;
  int64_t at = v->bytes_len;
  /* A reference that starts at or before short_end can be read as 16 bytes. */
  const size_t short_end = base_len >= PQ_SHORT_STRING ? base_len - PQ_SHORT_STRING : 0;
  const bool any_short = base_len >= PQ_SHORT_STRING;
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    if (!lv || lv[i]) {
      pq_sref sr = srefs[k++];
      if (sr.len <= PQ_SHORT_STRING && any_short && sr.off <= short_end) {
        uint64_t w[2];
        memcpy(w, base + sr.off, 16);
        memcpy(out + at, w, 16);
      } else if (sr.len) {
        memcpy(out + at, base + sr.off, sr.len);
      }
      at += sr.len;
    }
    off[i + 1] = at;
  }
  v->bytes_len = at;
  return true;
}

/* Appends n rows of PLAIN strings to v, as append_strings does, reading the valid rows' values
 * (each a 4-byte length and its bytes) from pv->base at pv->plain_pos on, and moving plain_pos
 * past them. Each length is checked against the page as it is read. The values take at most the
 * rest of the page, which may be far more than these rows need when the page is long: v is given
 * that much room up to a cap, and grows past it when a value does not fit. */
static bool append_plain_strings(rd *r, sbd_vec *v, int64_t at_row, const uint8_t *lv, size_t n,
                                 pvals *pv, size_t valid) {
  const uint8_t *p = pv->base;
  const size_t len = pv->base_len;
  size_t pos = pv->plain_pos;
  uint64_t bound = len - pos > 4 * (uint64_t)valid ? len - pos - 4 * (uint64_t)valid : 0;
  if (bound > PQ_RESERVE_AHEAD_BYTES)
    bound = PQ_RESERVE_AHEAD_BYTES;
  uint64_t rows_after = (uint64_t)(v->cap - at_row) - n;
  if (!reserve_bytes(r, v, bound, valid ? bound / valid * rows_after : 0))
    return false;
  const bool check_cap = len > SBD_MAX_VALUE_BYTES, ascii = pv->plain_ascii;
  int64_t *off = (int64_t *)v->values + at_row;
  char *out = v->bytes;
  int64_t at = v->bytes_len;
  /* A value of l bytes fits when at + l <= room (the slack is kept out of room). */
  int64_t room = v->bytes_cap - PQ_SHORT_STRING;
  size_t k = pv->plain_k;
#define PQ_PLAIN_VALUE(VALUE_INDEX)                                                                \
  do {                                                                                             \
    if (len - pos < 4)                                                                             \
      return truncated(r, "PLAIN", pv->plain_n);                                                   \
    uint32_t l = load_u32(p + pos);                                                                \
    pos += 4;                                                                                      \
    if (l > len - pos)                                                                             \
      return fail(r, SBD_EINPUT, "value %zu: a string of %u bytes runs past the end of the page",  \
                  (size_t)(VALUE_INDEX), l);                                                       \
    if (check_cap && l > SBD_MAX_VALUE_BYTES)                                                      \
      return fail(r, SBD_ELIMIT, "a string of %u bytes is over the cap of %u bytes", l,            \
                  SBD_MAX_VALUE_BYTES);                                                            \
    if (!ascii && !str_utf8_valid((const char *)p + pos, l))                                       \
      return bad_utf8(r, p + pos, l);                                                              \
    if (at + (int64_t)l > room) {                                                                  \
      v->bytes_len = at;                                                                           \
      if (!reserve_bytes(r, v, l, (uint64_t)(len - pos)))                                          \
        return false;                                                                              \
      out = v->bytes;                                                                              \
      room = v->bytes_cap - PQ_SHORT_STRING;                                                       \
    }                                                                                              \
    if (l <= PQ_SHORT_STRING && len - pos >= PQ_SHORT_STRING) {                                    \
      uint64_t w_[2];                                                                              \
      memcpy(w_, p + pos, 16);                                                                     \
      memcpy(out + at, w_, 16);                                                                    \
    } else if (l) {                                                                                \
      memcpy(out + at, p + pos, l);                                                                \
    }                                                                                              \
    at += l;                                                                                       \
    pos += l;                                                                                      \
  } while (0)
  if (!lv && ascii && !check_cap) {
    /* The common case: the tests of ascii and check_cap in the loop are constant false, and go. */
    for (size_t i = 0; i < n; i++) {
      PQ_PLAIN_VALUE(k + i);
      off[i + 1] = at;
    }
    k += n;
  } else {
    for (size_t i = 0; i < n; i++) {
      if (!lv || lv[i]) {
        PQ_PLAIN_VALUE(k);
        k++;
      }
      off[i + 1] = at;
    }
  }
#undef PQ_PLAIN_VALUE
  v->bytes_len = at;
  pv->plain_pos = pos;
  pv->plain_k = k;
  return true;
}

/* The copy loops of append_dict_strings: value k of row i is entry idx[k] of the dictionary
 * (entries ds into the bytes db); COPY copies entry e to out + at. */
#define PQ_DICT_LOOP(COPY)                                                                         \
  do {                                                                                             \
    if (!lv) {                                                                                     \
      for (size_t i = 0; i < n; i++) {                                                             \
        pq_sref e = ds[idx[i]];                                                                    \
        COPY;                                                                                      \
        at += e.len;                                                                               \
        off[i + 1] = at;                                                                           \
      }                                                                                            \
    } else {                                                                                       \
      size_t k = 0;                                                                                \
      for (size_t i = 0; i < n; i++) {                                                             \
        if (lv[i]) {                                                                               \
          pq_sref e = ds[idx[k++]];                                                                \
          COPY;                                                                                    \
          at += e.len;                                                                             \
        }                                                                                          \
        off[i + 1] = at;                                                                           \
      }                                                                                            \
    }                                                                                              \
  } while (0)

#define PQ_COPY8                                                                                   \
  do {                                                                                             \
    uint64_t w_;                                                                                   \
    memcpy(&w_, db + e.off, 8);                                                                    \
    memcpy(out + at, &w_, 8);                                                                      \
  } while (0)
#define PQ_COPY16                                                                                  \
  do {                                                                                             \
    uint64_t w_[2];                                                                                \
    memcpy(w_, db + e.off, 16);                                                                    \
    memcpy(out + at, w_, 16);                                                                      \
  } while (0)
#define PQ_COPY_ANY                                                                                \
  do {                                                                                             \
    if (e.len <= PQ_SHORT_STRING)                                                                  \
      PQ_COPY16;                                                                                   \
    else                                                                                           \
      memcpy(out + at, db + e.off, e.len);                                                         \
  } while (0)

/* Appends n rows of dictionary strings to v, as append_strings does, the valid ones taking
 * entries idx[0..valid) in turn (checked to be in the dictionary). The dictionary was converted
 * once (dictionary_page): its entries' bytes have PQ_SHORT_STRING bytes of slack and its longest
 * entry is known, so the loops copy a fixed 8 or 16 bytes per value, with no test of the length,
 * and the bytes to reserve need not be summed when (values * longest entry) is small. */
static bool append_dict_strings(rd *r, sbd_vec *v, int64_t at_row, const uint8_t *lv, size_t n,
                                const uint32_t *idx, size_t valid) {
  const struct pq_scratch *s = r->s;
  const pq_sref *ds = s->dict_srefs;
  const uint8_t *db = s->dict_bytes;
  const uint32_t max_len = s->dict_max_len;
  uint64_t bytes = (uint64_t)valid * max_len;
  if (max_len > SBD_MAX_VALUE_BYTES || bytes > PQ_DICT_BOUND_BYTES) {
    bytes = 0;
    for (size_t j = 0; j < valid; j++) {
      uint32_t len = ds[idx[j]].len;
      if (len > SBD_MAX_VALUE_BYTES)
        return fail(r, SBD_ELIMIT, "a string of %u bytes is over the cap of %u bytes", len,
                    SBD_MAX_VALUE_BYTES);
      bytes += len;
    }
  }
  uint64_t rows_after = (uint64_t)(v->cap - at_row) - n;
  if (!reserve_bytes(r, v, bytes, valid ? bytes / valid * rows_after : 0))
    return false;
  int64_t *off = (int64_t *)v->values + at_row;
  char *out = v->bytes;
  int64_t at = v->bytes_len;
  if (max_len <= 8)
    PQ_DICT_LOOP(PQ_COPY8);
  else if (max_len <= PQ_SHORT_STRING)
    PQ_DICT_LOOP(PQ_COPY16);
  else
    PQ_DICT_LOOP(PQ_COPY_ANY);
  v->bytes_len = at;
  return true;
}

#undef PQ_DICT_LOOP
#undef PQ_COPY8
#undef PQ_COPY16
#undef PQ_COPY_ANY

/* Puts a page of n rows (levels lv, or NULL when every row has a value) with nn values pv into
 * the vectors, from chunk row r->row on. */
static bool emit(rd *r, const uint8_t *lv, size_t n, size_t nn, pvals *pv) {
  struct pq_scratch *s = r->s;
  pq_chunk_task *t = r->t;
  const bool is_text = r->fd->type == SBD_STRING;
  const uint8_t *tbase = NULL;
  size_t tlen = 0;
  const pq_sref *trefs = NULL;
  if (is_text && !pv->idx && !pv->plain_text) { /* the others read their values themselves */
    if (r->fd->conv == PQ_CONV_STRING) {
      if (!to_text(r, pv, nn, NULL, NULL, NULL, NULL, false))
        return false;
      tbase = pv->base;
      tlen = pv->base_len;
      trefs = pv->srefs;
    } else {
      if (!to_text(r, pv, nn, &s->text, &s->text_cap, &s->srefs, &s->srefs_cap, true))
        return false;
      tbase = s->text;
      tlen = s->text_cap;
      trefs = s->srefs;
    }
  }
  const int w = r->out_width;
  size_t i = 0, k = 0;
  while (i < n) {
    int64_t row = r->row + (int64_t)i;
    sbd_vec *v = t->vecs[row / SBD_BATCH_ROWS];
    int64_t at = row % SBD_BATCH_ROWS;
    size_t seg = (size_t)(SBD_BATCH_ROWS - at) < n - i ? (size_t)(SBD_BATCH_ROWS - at) : n - i;
    const uint8_t *slv = lv ? lv + i : NULL;
    size_t valid = slv ? count_ones(slv, seg) : seg;
    if (valid != seg && !mark_nulls(r, v, at, slv, seg))
      return false;
    if (is_text && pv->idx) {
      if (!append_dict_strings(r, v, at, valid == seg ? NULL : slv, seg, pv->idx + k, valid))
        return false;
    } else if (is_text && pv->plain_text) {
      if (!append_plain_strings(r, v, at, valid == seg ? NULL : slv, seg, pv, valid))
        return false;
    } else if (is_text) {
      if (!append_strings(r, v, at, valid == seg ? NULL : slv, seg, tbase, tlen,
                          trefs ? trefs + k : NULL, valid))
        return false;
    } else {
      uint8_t *dst = (uint8_t *)v->values + (size_t)at * (size_t)w;
      uint8_t *out = dst;
      if (valid != seg) {
        if (!grow(r, &s->conv, &s->conv_cap, (valid ? valid : 1) * (size_t)w))
          return false;
        out = s->conv;
      }
      if (pv->idx)
        gather(s, w, pv->idx + k, valid, out);
      else if (!convert(r, pv, k, valid, out))
        return false;
      if (valid != seg)
        expand(slv, seg, s->conv, dst, w);
    }
    v->len = at + (int64_t)seg;
    k += valid;
    i += seg;
  }
  return true;
}

/* ---- pages ------------------------------------------------------------------------------------*/

static bool dictionary_page(rd *r, const pq_page_header *h, const uint8_t *body) {
  struct pq_scratch *s = r->s;
  const pq_dictionary_page_header *dh = &h->dictionary_page_header;
  if (!h->has_dictionary_page_header)
    return fail(r, SBD_EINPUT, "a dictionary page without its header");
  if (s->has_dict)
    return fail(r, SBD_EINPUT, "a second dictionary page");
  if (r->row > 0)
    return fail(r, SBD_EINPUT, "a dictionary page after data pages");
  if (dh->encoding != PQ_ENC_PLAIN && dh->encoding != PQ_ENC_PLAIN_DICTIONARY)
    return fail(r, SBD_EUNSUPPORTED, "a dictionary page in encoding %s",
                encoding_name(dh->encoding));
  if (dh->num_values < 0)
    return fail(r, SBD_EINPUT, "a dictionary of %d entries", (int)dh->num_values);
  size_t n = (size_t)dh->num_values, ulen = (size_t)h->uncompressed_page_size;
  const uint8_t *data = decompress(r, body, (size_t)h->compressed_page_size, ulen);
  if (!data)
    return false;
  pvals pv;
  memset(&pv, 0, sizeof(pv));
  if (!decode_plain(r, data, ulen, n, &pv))
    return false;
  if (r->fd->type == SBD_STRING) {
    if (!to_text(r, &pv, n, &s->dict_bytes, &s->dict_bytes_cap, &s->dict_srefs, &s->dict_srefs_cap,
                 true))
      return false;
    /* The entries lie end to end from 0 (to_text copied them): the slack goes past the last. */
    size_t total = n ? (size_t)s->dict_srefs[n - 1].off + s->dict_srefs[n - 1].len : 0;
    if (!grow(r, &s->dict_bytes, &s->dict_bytes_cap, total + PQ_SHORT_STRING))
      return false;
    memset(s->dict_bytes + total, 0, PQ_SHORT_STRING);
    uint32_t max_len = 0;
    for (size_t i = 0; i < n; i++)
      max_len = s->dict_srefs[i].len > max_len ? s->dict_srefs[i].len : max_len;
    s->dict_max_len = max_len;
  } else {
    if (!grow(r, &s->dict, &s->dict_cap, (n ? n : 1) * (size_t)r->out_width))
      return false;
    if (!convert(r, &pv, 0, n, s->dict))
      return false;
  }
  s->dict_n = (uint32_t)n;
  s->has_dict = true;
  return true;
}

static bool check_page_values(rd *r, int32_t num_values) {
  if (num_values < 0)
    return fail(r, SBD_EINPUT, "corrupt page header: num_values is %d", (int)num_values);
  if (num_values > r->nrows - r->row)
    return fail(r, SBD_EINPUT, "the page has %d values but only %lld rows are left in the chunk",
                (int)num_values, (long long)(r->nrows - r->row));
  return true;
}

/* The values of a page of n rows, nn of which (those whose level in lv is 1) have one. */
static bool values_of(rd *r, const uint8_t *lv, size_t n, size_t nn, int enc, const uint8_t *p,
                      size_t len) {
  if (nn == n)
    lv = NULL; /* no null: the levels need not be looked at again */
  pvals pv;
  memset(&pv, 0, sizeof(pv));
  bool ok = true;
  if (nn > 0)
    ok = decode_values(r, enc, p, len, nn, &pv) && emit(r, lv, n, nn, &pv);
  else
    ok = emit(r, lv, n, 0, &pv);
  free(pv.owned);
  return ok;
}

static bool data_page_v1(rd *r, const pq_page_header *h, const uint8_t *body) {
  struct pq_scratch *s = r->s;
  if (!h->has_data_page_header)
    return fail(r, SBD_EINPUT, "a data page without its header");
  const pq_data_page_header *dh = &h->data_page_header;
  if (!check_page_values(r, dh->num_values))
    return false;
  size_t n = (size_t)dh->num_values, len = (size_t)h->uncompressed_page_size;
  const uint8_t *p = decompress(r, body, (size_t)h->compressed_page_size, len);
  if (!p)
    return false;
  const uint8_t *lv = NULL;
  size_t nn = n;
  bool lv_all = false;
  if (r->fd->max_def > 0) {
    if (!grow(r, &s->levels, &s->levels_cap, n + 8))
      return false;
    if (dh->definition_level_encoding == PQ_ENC_RLE) {
      if (len < 4 || load_u32(p) > len - 4)
        return fail(r, SBD_EINPUT, "the definition levels' length runs past the end of the page");
      size_t l = load_u32(p);
      if (levels_all_ones(p + 4, l, n))
        lv_all = true;
      else if (!rle1_decode(p + 4, l, n, s->levels, &nn))
        return fail(r, SBD_EINPUT, "corrupt definition levels");
      p += 4 + l;
      len -= 4 + l;
    } else if (dh->definition_level_encoding == PQ_ENC_BIT_PACKED) {
      size_t l = (n + 7) / 8;
      if (l > len)
        return fail(r, SBD_EINPUT, "the definition levels run past the end of the page");
      for (size_t i = 0; i < n; i++) /* the deprecated BIT_PACKED is most significant bit first */
        s->levels[i] = (p[i / 8] >> (7 - i % 8)) & 1;
      nn = count_ones(s->levels, n);
      p += l;
      len -= l;
    } else {
      return fail(r, SBD_EUNSUPPORTED, "definition levels in encoding %s",
                  encoding_name(dh->definition_level_encoding));
    }
    lv = lv_all ? NULL : s->levels;
  }
  if (!values_of(r, lv, n, nn, dh->encoding, p, len))
    return false;
  r->row += (int64_t)n;
  return true;
}

static bool data_page_v2(rd *r, const pq_page_header *h, const uint8_t *body) {
  struct pq_scratch *s = r->s;
  if (!h->has_data_page_header_v2)
    return fail(r, SBD_EINPUT, "a data page v2 without its header");
  const pq_data_page_header_v2 *dh = &h->data_page_header_v2;
  if (!check_page_values(r, dh->num_values))
    return false;
  size_t n = (size_t)dh->num_values;
  int64_t clen = h->compressed_page_size, ulen = h->uncompressed_page_size;
  int64_t dl = dh->definition_levels_byte_length, rl = dh->repetition_levels_byte_length;
  if (dl < 0 || rl < 0 || dl + rl > clen || dl + rl > ulen)
    return fail(r, SBD_EINPUT, "levels of %lld + %lld bytes do not fit in a page of %lld",
                (long long)rl, (long long)dl, (long long)clen);
  if (dh->num_nulls < 0 || dh->num_nulls > dh->num_values)
    return fail(r, SBD_EINPUT, "the page says %d of its %d values are null", (int)dh->num_nulls,
                (int)dh->num_values);
  /* A flat column's repetition levels are all zero: skipped. */
  const uint8_t *lv = NULL;
  size_t nn = n;
  if (r->fd->max_def > 0) {
    if (!grow(r, &s->levels, &s->levels_cap, n + 8))
      return false;
    if (levels_all_ones(body + rl, (size_t)dl, n))
      lv = NULL;
    else if (!rle1_decode(body + rl, (size_t)dl, n, s->levels, &nn))
      return fail(r, SBD_EINPUT, "corrupt definition levels");
    else
      lv = s->levels;
    size_t nulls = n - nn;
    if (nulls != (size_t)dh->num_nulls)
      return fail(r, SBD_EINPUT, "the page says %d nulls but its levels hold %zu",
                  (int)dh->num_nulls, nulls);
  } else if (dh->num_nulls != 0) {
    return fail(r, SBD_EINPUT, "%d nulls in a required column", (int)dh->num_nulls);
  }
  const uint8_t *vp = body + rl + dl;
  size_t vclen = (size_t)(clen - rl - dl), vulen = (size_t)(ulen - rl - dl);
  const uint8_t *p;
  if (dh->is_compressed) {
    p = decompress(r, vp, vclen, vulen);
    if (!p)
      return false;
  } else {
    if (vclen != vulen)
      return fail(r, SBD_EINPUT, "uncompressed values of %zu bytes, but the header says %zu", vclen,
                  vulen);
    p = vp;
  }
  if (!values_of(r, lv, n, nn, dh->encoding, p, vulen))
    return false;
  r->row += (int64_t)n;
  return true;
}

static bool read_pages(rd *r, const uint8_t *data, int64_t start, int64_t len) {
  int64_t pos = 0;
  while (r->row < r->nrows) {
    if (r->t->cancel && __atomic_load_n(r->t->cancel, __ATOMIC_RELAXED))
      return fail(r, SBD_EINTERNAL, "cancelled");
    /* Values missing at the end are laid at the last page's door (the chunk's, with none). */
    if (pos >= len)
      return fail(r, SBD_EINPUT, "the chunk ends after %lld of its %lld values", (long long)r->row,
                  (long long)r->nrows);
    r->page++;
    r->page_off = start + pos;
    pq_tdec d;
    pq_tdec_init(&d, data + pos, (size_t)(len - pos), start + pos, NULL);
    pq_page_header h;
    if (!pq_decode_page_header(&d, &h))
      return fail(r, SBD_EINPUT, "corrupt page header: %s", d.err);
    int64_t body_at = pos + (int64_t)d.pos;
    if (h.compressed_page_size < 0 || h.compressed_page_size > len - body_at)
      return fail(r, SBD_EINPUT,
                  "a page of %d bytes runs past the end of the chunk (%lld bytes "
                  "left)",
                  (int)h.compressed_page_size, (long long)(len - body_at));
    if (h.uncompressed_page_size < 0 || h.uncompressed_page_size > PQ_MAX_PAGE_BYTES)
      return fail(r, SBD_EINPUT, "a page of %d uncompressed bytes (the cap is %lld)",
                  (int)h.uncompressed_page_size, (long long)PQ_MAX_PAGE_BYTES);
    const uint8_t *body = data + body_at;
    pos = body_at + h.compressed_page_size;
    bool ok = true;
    switch (h.type) {
    case PQ_PAGE_DICTIONARY:
      ok = dictionary_page(r, &h, body);
      break;
    case PQ_PAGE_DATA:
      ok = data_page_v1(r, &h, body);
      break;
    case PQ_PAGE_DATA_V2:
      ok = data_page_v2(r, &h, body);
      break;
    default:
      break; /* index pages and page types of later versions carry no rows */
    }
    if (!ok)
      return false;
  }
  return true;
}

/* ---- the task ---------------------------------------------------------------------------------*/

static bool make_vectors(rd *r) {
  pq_chunk_task *t = r->t;
  int64_t nvecs = (r->nrows + SBD_BATCH_ROWS - 1) / SBD_BATCH_ROWS;
  t->vecs = calloc((size_t)(nvecs ? nvecs : 1), sizeof(sbd_vec *));
  if (!t->vecs)
    return fail(r, SBD_ENOMEM, "out of memory");
  t->nvecs = (int)nvecs;
  for (int64_t k = 0; k < nvecs; k++) {
    int64_t rows = r->nrows - k * SBD_BATCH_ROWS;
    t->vecs[k] = vec_new(NULL, r->fd->type, rows < SBD_BATCH_ROWS ? rows : SBD_BATCH_ROWS);
    if (!t->vecs[k])
      return fail(r, SBD_ENOMEM, "out of memory");
  }
  return true;
}

void pq_chunk_task_run(pq_chunk_task *t) {
  pthread_once(&bit_bytes_once, bit_bytes_init);
  const pq_file *f = t->file;
  const pq_field *fd = t->field;
  rd r = {0};
  r.t = t;
  r.fd = fd;
  r.page = -1;
  pq_chunk_task_clear(t);
  t->status = SBD_OK;
  t->err[0] = 0;
  if (!t->scratch && !(t->scratch = calloc(1, sizeof(struct pq_scratch)))) {
    fail(&r, SBD_ENOMEM, "out of memory");
    return;
  }
  r.s = t->scratch;
  r.s->has_dict = false;
  r.s->dict_n = 0;
  const pq_row_group *rg = &f->meta.row_groups[t->rg];
  const pq_column_metadata *cm = &rg->columns[fd->leaf].meta_data;
  r.codec = cm->codec;
  r.nrows = rg->num_rows;
  r.out_width = (int)type_width(fd->type);
  if (!make_vectors(&r))
    return;
  if (r.nrows == 0)
    return;
  int64_t start, len;
  pq_file_chunk_range(f, t->rg, fd->leaf, &start, &len);
  const uint8_t *data;
  char err[300];
  if (!pq_file_bytes(f, start, (size_t)len, &r.s->chunk, &r.s->chunk_cap, &data, err,
                     sizeof(err))) {
    fail(&r, SBD_EIO, "%s", err);
    return;
  }
  if (!read_pages(&r, data, start, len))
    return;
  if (t->out_type != fd->type) {
    r.page = -1;
    for (int k = 0; k < t->nvecs; k++) {
      if (pq_cast_vec(&t->vecs[k], t->out_type, (int64_t)k * SBD_BATCH_ROWS, err, sizeof(err)) !=
          SBD_OK) {
        fail(&r, SBD_EINPUT, "%s", err);
        return;
      }
    }
  }
}

void pq_chunk_task_clear(pq_chunk_task *t) {
  for (int k = 0; k < t->nvecs; k++)
    vec_free(t->vecs[k]);
  free(t->vecs);
  t->vecs = NULL;
  t->nvecs = 0;
}

void pq_chunk_task_free(pq_chunk_task *t) {
  if (!t)
    return;
  pq_chunk_task_clear(t);
  struct pq_scratch *s = t->scratch;
  if (s) {
    free(s->chunk);
    free(s->page);
    free(s->levels);
    free(s->idx);
    free(s->vals);
    free(s->srefs);
    free(s->offs);
    free(s->conv);
    free(s->text);
    free(s->dict);
    free(s->dict_srefs);
    free(s->dict_bytes);
    free(s);
  }
  t->scratch = NULL;
}
