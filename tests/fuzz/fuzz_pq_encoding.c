/*
 * fuzz_pq_encoding.c — libFuzzer target for the Parquet encodings and codecs (encoding.c,
 * codec.c). The first byte picks the operation, the second a bit width, codec or value width,
 * the next two a value count (or an uncompressed size); the rest is the encoded input.
 *
 * Decoders must return without reading or writing out of bounds (ASan) and, when they succeed,
 * hand back values that hold their invariants: RLE values fit the bit width, byte-array offsets
 * ascend and stay inside the bytes, consumed stays inside the input. Round-trip operations
 * treat the input as values, encode them and require the decoder to give them back.
 */
#include "io/parquet/pq_int.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Values per call stay small so that DELTA_BYTE_ARRAY outputs (n times the input at most) do. */
#define FUZZ_MAX_VALUES 4096

static void *fuzz_alloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (!p)
    abort();
  return p;
}

static void fuzz_rle_decode(const uint8_t *in, size_t len, int w, size_t n) {
  uint32_t *out = fuzz_alloc(n * sizeof(*out));
  bool ok = pq_rle_decode(in, len, w, out, n);
  if (ok && (w < 0 || w > 32))
    abort();
  if (ok && w < 32)
    for (size_t i = 0; i < n; i++)
      if (out[i] >> w)
        abort();
  free(out);
}

static void fuzz_delta_decode(const uint8_t *in, size_t len, size_t n) {
  int64_t *out = fuzz_alloc(n * sizeof(*out));
  size_t consumed = 0;
  if (pq_delta_binary_decode_i64(in, len, out, n, &consumed) && consumed > len)
    abort();
  free(out);
}

static void fuzz_byte_arrays(const uint8_t *in, size_t len, size_t n, bool prefixed) {
  int64_t *offsets = fuzz_alloc((n + 1) * sizeof(*offsets));
  uint8_t *bytes = NULL;
  size_t consumed = 0;
  bool ok = prefixed ? pq_delta_ba_decode(in, len, n, offsets, &bytes, &consumed)
                     : pq_delta_length_ba_decode(in, len, n, offsets, &bytes, &consumed);
  if (ok) {
    if (consumed > len || offsets[0] != 0)
      abort();
    for (size_t i = 0; i < n; i++)
      if (offsets[i + 1] < offsets[i])
        abort();
    if (!prefixed && (size_t)offsets[n] > len)
      abort();
    /* Touch every byte so that ASan sees the whole output was allocated. */
    volatile uint8_t sum = 0;
    for (int64_t i = 0; i < offsets[n]; i++)
      sum = (uint8_t)(sum + bytes[i]);
    (void)sum;
  } else if (bytes) {
    abort(); /* a failed decode hands nothing back */
  }
  free(bytes);
  free(offsets);
}

static void fuzz_bss(const uint8_t *in, size_t len, int width, size_t n) {
  uint8_t *out = fuzz_alloc(n * (size_t)width);
  if (pq_bss_decode(in, len, n, width, out)) {
    uint8_t *again = fuzz_alloc(n * (size_t)width);
    /* Encoding the decoded values with a stride of n gives back the streams when n fills the
     * input. */
    pq_bss_encode(out, n, width, again);
    if (n * (size_t)width == len && memcmp(again, in, len) != 0)
      abort();
    free(again);
  }
  free(out);
}

static void fuzz_decompress(const uint8_t *in, size_t len, int codec, size_t out_len) {
  sbd_ctx *ctx = sbd_ctx_new();
  uint8_t *out = fuzz_alloc(out_len);
  sbd_status st = pq_decompress(ctx, codec, in, len, out, out_len);
  if (st != SBD_OK && st != SBD_EINPUT && st != SBD_EUNSUPPORTED)
    abort();
  if (st != SBD_OK && !sbd_errmsg(ctx)[0])
    abort();
  free(out);
  sbd_ctx_free(ctx);
}

static void fuzz_compress_round_trip(const uint8_t *in, size_t len, int codec, int level) {
  static const int codecs[] = {PQ_CODEC_UNCOMPRESSED, PQ_CODEC_SNAPPY, PQ_CODEC_GZIP, PQ_CODEC_ZSTD,
                               PQ_CODEC_LZ4_RAW};
  codec = codecs[codec % 5];
  sbd_ctx *ctx = sbd_ctx_new();
  size_t cap = pq_compress_bound(codec, len), clen;
  uint8_t *enc = fuzz_alloc(cap), *dec = fuzz_alloc(len);
  if (pq_compress(ctx, codec, level, in, len, enc, cap, &clen) != SBD_OK || clen > cap)
    abort();
  if (pq_decompress(ctx, codec, enc, clen, dec, len) != SBD_OK || memcmp(dec, in, len) != 0)
    abort();
  free(enc);
  free(dec);
  sbd_ctx_free(ctx);
}

static void fuzz_rle_round_trip(const uint8_t *in, size_t len, int w) {
  /* Each input byte is a value, stretched into a run when its top bit is set, so that both run
   * kinds appear. */
  size_t n = 0;
  uint32_t *v = fuzz_alloc(len * 16 * sizeof(*v));
  uint32_t mask = w == 32 ? 0xffffffffu : (uint32_t)((1ull << w) - 1);
  for (size_t i = 0; i < len; i++) {
    uint32_t x = ((uint32_t)in[i] * 0x9E3779B1u) & mask;
    size_t reps = in[i] & 0x80 ? 1 + (in[i] & 15) : 1;
    for (size_t k = 0; k < reps; k++)
      v[n++] = x;
  }
  size_t cap = pq_rle_max_size(n, w);
  uint8_t *enc = fuzz_alloc(cap);
  size_t elen = pq_rle_encode(v, n, w, enc);
  uint32_t *back = fuzz_alloc(n * sizeof(*back));
  if (elen > cap || !pq_rle_decode(enc, elen, w, back, n) ||
      (n && memcmp(v, back, n * sizeof(*v)) != 0))
    abort();
  free(back);
  free(enc);
  free(v);
}

static void fuzz_delta_round_trip(const uint8_t *in, size_t len) {
  size_t n = len / 8;
  int64_t *v = fuzz_alloc(n * sizeof(*v)), *back = fuzz_alloc(n * sizeof(*back));
  memcpy(v, in, n * sizeof(*v));
  size_t cap = pq_delta_binary_max_size(n), consumed;
  uint8_t *enc = fuzz_alloc(cap);
  size_t elen = pq_delta_binary_encode_i64(v, n, enc);
  if (elen > cap || !pq_delta_binary_decode_i64(enc, elen, back, n, &consumed) ||
      consumed != elen || (n && memcmp(v, back, n * sizeof(*v)) != 0))
    abort();
  free(enc);
  free(v);
  free(back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 4)
    return 0;
  const uint8_t op = data[0], arg = data[1];
  const size_t count = ((size_t)data[2] | (size_t)data[3] << 8) % (FUZZ_MAX_VALUES + 1);
  const uint8_t *in = data + 4;
  const size_t len = size - 4;
  switch (op % 10) {
  case 0:
    /* widths -1..34: the invalid ones must be rejected */
    fuzz_rle_decode(in, len, (int)(arg % 36) - 1, count);
    break;
  case 1:
    fuzz_delta_decode(in, len, count);
    break;
  case 2:
    fuzz_byte_arrays(in, len, count, false);
    break;
  case 3:
    fuzz_byte_arrays(in, len, count, true);
    break;
  case 4:
    fuzz_bss(in, len, arg % 2 ? 8 : 4, count);
    break;
  case 5:
    fuzz_decompress(in, len, arg % 9, ((size_t)data[2] | (size_t)data[3] << 8));
    break;
  case 6:
    fuzz_compress_round_trip(in, len, arg, arg % 2 ? 1 : 0);
    break;
  case 7:
    fuzz_rle_round_trip(in, len, arg % 33);
    break;
  case 8:
    fuzz_delta_round_trip(in, len);
    break;
  default:
    /* the unpadded width-w stream: a bit-packed run header for the whole input, then it */
    if (len > 0) {
      uint8_t *copy = fuzz_alloc(len + 1);
      copy[0] = (uint8_t)(((len / 4 + 1) & 63) << 1 | 1);
      memcpy(copy + 1, in, len);
      fuzz_rle_decode(copy, len + 1, (int)(arg % 33), count % 512);
      free(copy);
    }
  }
  return 0;
}
