/*
 * test_pq_encoding.c — the Parquet encodings (encoding.c) and codecs (codec.c): round trips over
 * every bit width and run shape, the worked examples of Encodings.md checked byte for byte, and
 * malformed inputs that must be rejected without reading past the buffer (run under ASan).
 */
#include "io/parquet/pq_int.h"
#include "test.h"

#include <stdlib.h>

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint64_t rng(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return rng_state;
}

/* Buffers of exactly the size asked for, so that ASan catches a write one byte past. */
static void *xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (!p)
    abort();
  return p;
}

/* ---- RLE / bit-packed hybrid ------------------------------------------------------------------*/

enum { SHAPE_EQUAL, SHAPE_RANDOM, SHAPE_RUNS, SHAPE_ALTERNATE, SHAPE_COUNT };
static const char *const shape_names[] = {"all-equal", "random", "mixed runs", "alternating"};

static void fill_shape(uint32_t *v, size_t n, int shape, int w) {
  uint32_t mask = w == 32 ? 0xffffffffu : (uint32_t)((1ull << w) - 1);
  uint32_t x = (uint32_t)rng() & mask;
  for (size_t i = 0; i < n;) {
    switch (shape) {
    case SHAPE_EQUAL:
      v[i++] = mask; /* the largest value of the width */
      break;
    case SHAPE_RANDOM:
      v[i++] = (uint32_t)rng() & mask;
      break;
    case SHAPE_RUNS: {
      /* runs of 1 to 24 equal values: some repeated, some bit-packed, misaligned */
      size_t len = 1 + rng() % 24;
      x = (uint32_t)rng() & mask;
      for (size_t k = 0; k < len && i < n; k++)
        v[i++] = x;
      break;
    }
    default:
      v[i] = (i & 1) ? mask : 0;
      i++;
    }
  }
}

TEST(pq_rle_round_trip_every_width_and_shape) {
  static const size_t lengths[] = {0, 1, 7, 8, 9, 15, 16, 17, 100, 1000, 5000};
  for (int w = 0; w <= 32; w++) {
    for (int shape = 0; shape < SHAPE_COUNT; shape++) {
      for (size_t li = 0; li < sizeof(lengths) / sizeof(lengths[0]); li++) {
        size_t n = lengths[li];
        uint32_t *v = xmalloc(n * sizeof(*v));
        uint32_t *back = xmalloc((n + 1) * sizeof(*back));
        fill_shape(v, n, shape, w);
        size_t cap = pq_rle_max_size(n, w);
        uint8_t *enc = xmalloc(cap);
        size_t len = pq_rle_encode(v, n, w, enc);
        CHECK(len <= cap, "width %d %s n=%zu: %zu bytes > max %zu", w, shape_names[shape], n, len,
              cap);
        /* The encoded length alone must be enough: decode from an exact-size copy. */
        uint8_t *exact = xmalloc(len);
        memcpy(exact, enc, len);
        bool ok = pq_rle_decode(exact, len, w, back, n);
        CHECK(ok, "width %d %s n=%zu: decode failed", w, shape_names[shape], n);
        if (ok && n)
          CHECK(memcmp(v, back, n * sizeof(*v)) == 0, "width %d %s n=%zu: values differ", w,
                shape_names[shape], n);
        /* One repeated run has no padding: one value more than was written fails. */
        if (shape == SHAPE_EQUAL && n >= 8)
          CHECK(!pq_rle_decode(exact, len, w, back, n + 1), "width %d %s n=%zu: decoded n+1 values",
                w, shape_names[shape], n);
        if (shape == SHAPE_EQUAL && n >= 8)
          CHECK(len <= 5 + ((size_t)w + 7) / 8, "width %d all-equal n=%zu: %zu bytes", w, n, len);
        free(v);
        free(back);
        free(enc);
        free(exact);
      }
    }
  }
}

/* Encodings.md: 0..7 at width 3 bit-pack to 10001000 11000110 11111010. */
TEST(pq_rle_spec_example_bytes) {
  uint32_t v[8] = {0, 1, 2, 3, 4, 5, 6, 7};
  uint8_t out[64];
  size_t len = pq_rle_encode(v, 8, 3, out);
  const uint8_t want[] = {0x03, 0x88, 0xC6, 0xFA}; /* header (1 group << 1 | 1) + packed */
  ASSERT_EQ(len, sizeof(want));
  ASSERT_TRUE(memcmp(out, want, len) == 0);
  uint32_t back[8];
  ASSERT_TRUE(pq_rle_decode(want, sizeof(want), 3, back, 8));
  ASSERT_TRUE(memcmp(back, v, sizeof(v)) == 0);
}

/* Hand-made streams as other writers produce them. */
TEST(pq_rle_decode_vectors) {
  static const struct {
    const char *name;
    uint8_t in[16];
    size_t in_len;
    int w;
    size_t n;
    uint32_t want[20];
    bool ok;
  } cases[] = {
      {"repeated run of 5 ones", {0x0A, 0x01}, 2, 1, 5, {1, 1, 1, 1, 1}, true},
      {"run then packed",
       {0x04, 0x02, 0x03, 0x1B, 0x00},
       5,
       2,
       10,
       {2, 2, 3, 2, 1, 0, 0, 0, 0, 0},
       true},
      {"16-bit repeated value", {0x06, 0x34, 0x12}, 3, 13, 3, {0x1234, 0x1234, 0x1234}, true},
      {"width 0 needs no bytes", {0x10}, 1, 0, 8, {0}, true},
      {"packed run without padding", {0x03, 0xFF}, 2, 1, 8, {1, 1, 1, 1, 1, 1, 1, 1}, true},
      {"last packed run cut short", {0x07, 0xFF, 0x01}, 3, 1, 9, {1, 1, 1, 1, 1, 1, 1, 1, 1}, true},
      {"zero-length run is skipped", {0x00, 0x01, 0x04, 0x01}, 4, 1, 2, {1, 1}, true},
      {"truncated value", {0x0A}, 1, 1, 5, {0}, false},
      {"truncated packed run", {0x05, 0xFF}, 2, 1, 9, {0}, false},
      {"too few values", {0x0A, 0x01}, 2, 1, 6, {0}, false},
      {"value wider than the width", {0x0A, 0x02}, 2, 1, 5, {0}, false},
      {"header varint truncated", {0x80}, 1, 1, 1, {0}, false},
      {"header varint over 32 bits", {0xFF, 0xFF, 0xFF, 0xFF, 0x1F, 0x01}, 6, 1, 1, {0}, false},
      {"header varint of 6 bytes", {0x80, 0x80, 0x80, 0x80, 0x80, 0x00}, 6, 1, 1, {0}, false},
      {"empty input", {0}, 0, 1, 1, {0}, false},
      {"empty input, no values", {0}, 0, 1, 0, {0}, true},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    uint32_t out[20];
    uint8_t *in = xmalloc(cases[i].in_len);
    memcpy(in, cases[i].in, cases[i].in_len);
    bool ok = pq_rle_decode(in, cases[i].in_len, cases[i].w, out, cases[i].n);
    CHECK(ok == cases[i].ok, "%s: decode returned %d", cases[i].name, ok);
    if (ok && cases[i].ok)
      for (size_t k = 0; k < cases[i].n; k++)
        CHECK(out[k] == cases[i].want[k], "%s: value %zu is %u, want %u", cases[i].name, k, out[k],
              cases[i].want[k]);
    free(in);
  }
  uint32_t out[1];
  const uint8_t one[] = {0x02, 0x01};
  CHECK(!pq_rle_decode(one, 2, 33, out, 1), "width 33 accepted");
  CHECK(!pq_rle_decode(one, 2, -1, out, 1), "width -1 accepted");
}

/* Every prefix of a valid stream either fails or yields the right values. */
TEST(pq_rle_truncations) {
  for (int w = 1; w <= 32; w += 5) {
    uint32_t v[300], back[300];
    fill_shape(v, 300, SHAPE_RUNS, w);
    uint8_t enc[2048];
    size_t len = pq_rle_encode(v, 300, w, enc);
    for (size_t cut = 0; cut < len; cut++) {
      uint8_t *in = xmalloc(cut);
      memcpy(in, enc, cut);
      if (pq_rle_decode(in, cut, w, back, 300))
        CHECK(memcmp(v, back, sizeof(v)) == 0, "width %d cut %zu: wrong values", w, cut);
      free(in);
    }
  }
}

/* ---- DELTA_BINARY_PACKED ----------------------------------------------------------------------*/

static bool delta_round_trip(const int64_t *v, size_t n, const char *what) {
  size_t cap = pq_delta_binary_max_size(n);
  uint8_t *enc = xmalloc(cap);
  size_t len = pq_delta_binary_encode_i64(v, n, enc);
  bool good = len <= cap;
  CHECK(len <= cap, "%s n=%zu: %zu bytes > max %zu", what, n, len, cap);
  uint8_t *exact = xmalloc(len);
  memcpy(exact, enc, len);
  int64_t *back = xmalloc(n * sizeof(*back));
  size_t consumed = 0;
  bool ok = pq_delta_binary_decode_i64(exact, len, back, n, &consumed);
  CHECK(ok, "%s n=%zu: decode failed", what, n);
  if (ok) {
    CHECK(consumed == len, "%s n=%zu: consumed %zu of %zu", what, n, consumed, len);
    for (size_t i = 0; i < n; i++) {
      if (back[i] != v[i]) {
        CHECK(0, "%s n=%zu: value %zu is %" PRId64 ", want %" PRId64, what, n, i, back[i], v[i]);
        good = false;
        break;
      }
    }
  }
  /* Decoding fewer values than were written still reports the end of the whole stream. */
  if (ok && n > 3) {
    ok = pq_delta_binary_decode_i64(exact, len, back, n / 2, &consumed);
    CHECK(ok && consumed == len && memcmp(back, v, n / 2 * sizeof(*v)) == 0,
          "%s n=%zu: partial decode", what, n);
  }
  free(enc);
  free(exact);
  free(back);
  return good && ok;
}

TEST(pq_delta_round_trips) {
  static const size_t lengths[] = {0, 1, 2, 7, 8, 9, 31, 32, 33, 127, 128, 129, 130, 1000, 4097};
  enum { ASCENDING, CONSTANT, RANDOM, SMALL_SIGNED, EXTREMES, RANDOM_WIDTHS, KINDS };
  static const char *const kind_names[] = {"ascending",     "constant",
                                           "random 64-bit", "small with negatives",
                                           "INT64_MIN/MAX", "random widths"};
  for (int kind = 0; kind < KINDS; kind++) {
    for (size_t li = 0; li < sizeof(lengths) / sizeof(lengths[0]); li++) {
      size_t n = lengths[li];
      int64_t *v = xmalloc(n * sizeof(*v));
      for (size_t i = 0; i < n; i++) {
        switch (kind) {
        case ASCENDING:
          v[i] = 1000 + (int64_t)i * 3;
          break;
        case CONSTANT:
          v[i] = -42;
          break;
        case RANDOM:
          v[i] = (int64_t)rng();
          break;
        case SMALL_SIGNED:
          v[i] = (int64_t)(rng() % 2001) - 1000;
          break;
        case EXTREMES: {
          static const int64_t ext[] = {INT64_MIN, INT64_MAX, 0, -1, INT64_MIN + 1, 1};
          v[i] = ext[rng() % 6];
          break;
        }
        default: {
          int w = (int)(rng() % 65);
          v[i] = w == 64 ? (int64_t)rng() : (int64_t)(rng() & ((1ull << w) - 1));
        }
        }
      }
      delta_round_trip(v, n, kind_names[kind]);
      free(v);
    }
  }
}

/* Encodings.md's examples, with the block size a real file must use (128 values in 4 miniblocks)
 * in place of the examples' 8, which the spec itself calls invalid. */
TEST(pq_delta_spec_examples) {
  /* Example 1: 1, 2, 3, 4, 5 -> deltas all 1, min delta 1, bit width 0, no data. */
  static const int64_t ex1[] = {1, 2, 3, 4, 5};
  static const uint8_t want1[] = {0x80, 0x01, 0x04, 0x05, 0x02,  /* header: 128, 4, 5, zigzag(1) */
                                  0x02, 0x00, 0x00, 0x00, 0x00}; /* min delta zigzag(1), 4 widths */
  /* Example 2: 7, 5, 3, 1, 2, 3, 4, 5 -> min delta -2, relative 0,0,0,3,3,3,3 on 2 bits. */
  static const int64_t ex2[] = {7, 5, 3, 1, 2, 3, 4, 5};
  static const uint8_t want2[] = {0x80, 0x01, 0x04, 0x08, 0x0E, /* header: 128, 4, 8, zigzag(7) */
                                  0x03, 0x02, 0x00, 0x00, 0x00, /* zigzag(-2), widths 2,0,0,0 */
                                  0xC0, 0x3F, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}; /* 32 x 2 bits */
  const struct {
    const int64_t *v;
    size_t n;
    const uint8_t *want;
    size_t want_len;
  } cases[] = {{ex1, 5, want1, sizeof(want1)}, {ex2, 8, want2, sizeof(want2)}};
  for (size_t c = 0; c < 2; c++) {
    uint8_t out[2048];
    size_t len = pq_delta_binary_encode_i64(cases[c].v, cases[c].n, out);
    CHECK(len == cases[c].want_len && memcmp(out, cases[c].want, len) == 0,
          "example %zu: encoded bytes differ (%zu bytes)", c + 1, len);
    int64_t back[8];
    size_t consumed;
    bool ok =
        pq_delta_binary_decode_i64(cases[c].want, cases[c].want_len, back, cases[c].n, &consumed);
    CHECK(ok && consumed == cases[c].want_len &&
              memcmp(back, cases[c].v, cases[c].n * sizeof(int64_t)) == 0,
          "example %zu: decode", c + 1);
  }
  /* The examples exactly as printed (block size 8, one miniblock) are rejected. */
  const uint8_t printed1[] = {0x08, 0x01, 0x05, 0x02, 0x02, 0x00};
  int64_t back[5];
  size_t consumed;
  ASSERT_TRUE(!pq_delta_binary_decode_i64(printed1, sizeof(printed1), back, 5, &consumed));
}

/* Writers of INT32 columns subtract in 32 bits: INT32_MIN then INT32_MAX is a delta of -1 there.
 * Decoded in 64 bits and truncated, the values come back. */
TEST(pq_delta_int32_wraps) {
  const uint8_t in[] = {0x80, 0x01, 0x04, 0x02, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, /* zigzag(MIN) */
                        0x01, 0x00, 0x00, 0x00, 0x00};                        /* min delta -1 */
  int64_t out[2];
  size_t consumed;
  ASSERT_TRUE(pq_delta_binary_decode_i64(in, sizeof(in), out, 2, &consumed));
  ASSERT_EQ(consumed, sizeof(in));
  ASSERT_EQ((int32_t)out[0], INT32_MIN);
  ASSERT_EQ((int32_t)out[1], INT32_MAX);
}

TEST(pq_delta_malformed) {
  static const struct {
    const char *name;
    uint8_t in[24];
    size_t in_len;
    size_t n;
    bool ok;
  } cases[] = {
      {"empty input, no values", {0}, 0, 0, true},
      {"header only, one value", {0x80, 0x01, 0x04, 0x01, 0x02}, 5, 1, true},
      {"empty input, one value", {0}, 0, 1, false},
      {"block size 0", {0x00, 0x04, 0x01, 0x02}, 4, 1, false},
      {"block size 64", {0x40, 0x02, 0x01, 0x02}, 4, 1, false},
      {"miniblocks 0", {0x80, 0x01, 0x00, 0x01, 0x02}, 5, 1, false},
      {"miniblock of 24 values", {0x80, 0x03, 0x10, 0x01, 0x02}, 5, 1, false},
      {"huge block size", {0x80, 0x80, 0x80, 0x80, 0x10, 0x04, 0x01, 0x02}, 8, 1, false},
      {"fewer values than asked", {0x80, 0x01, 0x04, 0x01, 0x02}, 5, 2, false},
      {"missing block", {0x80, 0x01, 0x04, 0x02, 0x02}, 5, 2, false},
      {"missing widths", {0x80, 0x01, 0x04, 0x02, 0x02, 0x02, 0x00}, 7, 2, false},
      {"width 65", {0x80, 0x01, 0x04, 0x02, 0x02, 0x02, 0x41, 0, 0, 0}, 10, 2, false},
      {"miniblock data missing", {0x80, 0x01, 0x04, 0x03, 0x02, 0x02, 0x08, 0, 0, 0}, 10, 3, false},
      {"first value varint over 64 bits",
       {0x80, 0x01, 0x04, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F},
       14,
       1,
       false},
      {"unused widths may be anything",
       {0x80, 0x01, 0x04, 0x02, 0x02, 0x02, 0x00, 0xEE, 0xFF, 0x99},
       10,
       2,
       true},
      {"last miniblock without padding",
       {0x80, 0x01, 0x04, 0x03, 0x02, 0x00, 0x08, 0, 0, 0, 0x07, 0x09},
       12,
       3,
       true},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    int64_t out[4];
    size_t consumed;
    uint8_t *in = xmalloc(cases[i].in_len);
    memcpy(in, cases[i].in, cases[i].in_len);
    bool ok = pq_delta_binary_decode_i64(in, cases[i].in_len, out, cases[i].n, &consumed);
    CHECK(ok == cases[i].ok, "%s: decode returned %d", cases[i].name, ok);
    free(in);
  }
  /* Every prefix of a valid stream fails or gives the right values. */
  int64_t v[300], back[300];
  for (size_t i = 0; i < 300; i++)
    v[i] = (int64_t)(rng() % 100000) - 50000;
  uint8_t enc[8192];
  size_t len = pq_delta_binary_encode_i64(v, 300, enc);
  for (size_t cut = 0; cut < len; cut++) {
    uint8_t *in = xmalloc(cut);
    memcpy(in, enc, cut);
    size_t consumed;
    if (pq_delta_binary_decode_i64(in, cut, back, 300, &consumed))
      CHECK(memcmp(v, back, sizeof(v)) == 0 && consumed <= cut, "cut %zu: wrong values", cut);
    free(in);
  }
}

/* ---- DELTA_LENGTH_BYTE_ARRAY and DELTA_BYTE_ARRAY ---------------------------------------------*/

/* Encodings.md: "Hello", "World", "Foobar", "ABCDEF" -> DeltaEncoding(5, 5, 6, 6) then the bytes.
 */
static const uint8_t dlba_example[] = {
    0x80, 0x01, 0x04, 0x04, 0x0A, /* header: 128, 4, 4 values, first zigzag(5) */
    0x00, 0x01, 0x00, 0x00, 0x00, /* min delta 0; deltas 0,1,0 on 1 bit */
    0x02, 0x00, 0x00, 0x00,       /* 32 x 1 bit */
    'H',  'e',  'l',  'l',  'o',  'W', 'o', 'r', 'l', 'd', 'F',
    'o',  'o',  'b',  'a',  'r',  'A', 'B', 'C', 'D', 'E', 'F'};

TEST(pq_delta_length_ba_spec_example) {
  int64_t offsets[5];
  uint8_t *bytes;
  size_t consumed;
  uint8_t *in = xmalloc(sizeof(dlba_example));
  memcpy(in, dlba_example, sizeof(dlba_example));
  ASSERT_TRUE(pq_delta_length_ba_decode(in, sizeof(dlba_example), 4, offsets, &bytes, &consumed));
  ASSERT_EQ(consumed, sizeof(dlba_example));
  const int64_t want[] = {0, 5, 10, 16, 22};
  for (int i = 0; i < 5; i++)
    CHECK(offsets[i] == want[i], "offset %d is %" PRId64, i, offsets[i]);
  ASSERT_TRUE(memcmp(bytes, "HelloWorldFoobarABCDEF", 22) == 0);
  free(bytes);
  /* Our encoder writes the same lengths section. */
  const int64_t lens[] = {5, 5, 6, 6};
  uint8_t enc[2048];
  size_t len = pq_delta_binary_encode_i64(lens, 4, enc);
  ASSERT_EQ(len, 14);
  ASSERT_TRUE(memcmp(enc, dlba_example, 14) == 0);
  /* A payload shorter than the lengths say, and a negative length, are rejected. */
  for (size_t cut = 0; cut < sizeof(dlba_example); cut++)
    CHECK(!pq_delta_length_ba_decode(in, cut, 4, offsets, &bytes, &consumed), "cut %zu accepted",
          cut);
  const int64_t neg[] = {5, -1, 6, 6};
  len = pq_delta_binary_encode_i64(neg, 4, enc);
  memcpy(enc + len, "HelloWorldFoobarABCDEF", 22);
  ASSERT_TRUE(!pq_delta_length_ba_decode(enc, len + 22, 4, offsets, &bytes, &consumed));
  free(in);
}

/* Encodings.md: "axis", "axle", "babble", "babyhood" -> prefixes (0, 2, 0, 3), suffix lengths
 * (4, 2, 6, 5), "axislebabbleyhood". */
static const uint8_t dba_example[] = {
    /* prefix lengths: first 0, deltas 2,-2,3: min -2, relative 4,0,5 on 3 bits */
    0x80, 0x01, 0x04, 0x04, 0x00, 0x03, 0x03, 0x00, 0x00, 0x00, 0x44, 0x01, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    /* suffix lengths: first 4, deltas -2,4,-1: min -2, relative 0,6,1 on 3 bits */
    0x80, 0x01, 0x04, 0x04, 0x08, 0x03, 0x03, 0x00, 0x00, 0x00, 0x70, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    /* suffixes */
    'a', 'x', 'i', 's', 'l', 'e', 'b', 'a', 'b', 'b', 'l', 'e', 'y', 'h', 'o', 'o', 'd'};

TEST(pq_delta_ba_spec_example) {
  int64_t offsets[5];
  uint8_t *bytes;
  size_t consumed;
  uint8_t *in = xmalloc(sizeof(dba_example));
  memcpy(in, dba_example, sizeof(dba_example));
  ASSERT_TRUE(pq_delta_ba_decode(in, sizeof(dba_example), 4, offsets, &bytes, &consumed));
  ASSERT_EQ(consumed, sizeof(dba_example));
  const int64_t want[] = {0, 4, 8, 14, 22};
  for (int i = 0; i < 5; i++)
    CHECK(offsets[i] == want[i], "offset %d is %" PRId64, i, offsets[i]);
  ASSERT_TRUE(memcmp(bytes, "axisaxlebabblebabyhood", 22) == 0);
  free(bytes);
  /* Both length sections are what our encoder writes. */
  const int64_t prefixes[] = {0, 2, 0, 3}, suffixes[] = {4, 2, 6, 5};
  uint8_t enc[2048];
  ASSERT_EQ(pq_delta_binary_encode_i64(prefixes, 4, enc), 22);
  ASSERT_TRUE(memcmp(enc, dba_example, 22) == 0);
  ASSERT_EQ(pq_delta_binary_encode_i64(suffixes, 4, enc), 22);
  ASSERT_TRUE(memcmp(enc, dba_example + 22, 22) == 0);
  for (size_t cut = 0; cut < sizeof(dba_example); cut++)
    CHECK(!pq_delta_ba_decode(in, cut, 4, offsets, &bytes, &consumed), "cut %zu accepted", cut);
  free(in);
}

/* Builds a DELTA_BYTE_ARRAY stream from prefix and suffix lengths and the suffix bytes. */
static size_t build_dba(const int64_t *prefix, const int64_t *suffix, size_t n, const char *bytes,
                        size_t nbytes, uint8_t *out) {
  size_t len = pq_delta_binary_encode_i64(prefix, n, out);
  len += pq_delta_binary_encode_i64(suffix, n, out + len);
  memcpy(out + len, bytes, nbytes);
  return len + nbytes;
}

TEST(pq_delta_ba_malformed) {
  uint8_t buf[4096];
  int64_t offsets[4];
  uint8_t *bytes;
  size_t consumed;
  /* A first prefix must be 0; a prefix may not outgrow the value before it. */
  static const struct {
    const char *name;
    int64_t prefix[3], suffix[3];
    bool ok;
  } cases[] = {
      {"valid", {0, 1, 2}, {2, 1, 0}, true},
      {"first prefix 1", {1, 0, 0}, {1, 1, 1}, false},
      {"prefix longer than previous", {0, 3, 0}, {2, 1, 0}, false},
      {"negative prefix", {0, -1, 0}, {1, 1, 1}, false},
      {"negative suffix", {0, 0, 0}, {2, -1, 2}, false},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    size_t len = build_dba(cases[i].prefix, cases[i].suffix, 3, "abc", 3, buf);
    bool ok = pq_delta_ba_decode(buf, len, 3, offsets, &bytes, &consumed);
    CHECK(ok == cases[i].ok, "%s: decode returned %d", cases[i].name, ok);
    if (ok) {
      CHECK(offsets[3] == 2 + 2 + 2 && memcmp(bytes, "abacac", 6) == 0, "%s: values",
            cases[i].name);
      free(bytes);
    }
  }
}

/* ---- BYTE_STREAM_SPLIT ------------------------------------------------------------------------*/

TEST(pq_bss_spec_example_and_round_trip) {
  const uint8_t in[] = {0xAA, 0xBB, 0xCC, 0xDD, 0x00, 0x11, 0x22, 0x33, 0xA3, 0xB4, 0xC5, 0xD6};
  const uint8_t want[] = {0xAA, 0x00, 0xA3, 0xBB, 0x11, 0xB4, 0xCC, 0x22, 0xC5, 0xDD, 0x33, 0xD6};
  uint8_t out[12], back[12];
  pq_bss_encode(in, 3, 4, out);
  ASSERT_TRUE(memcmp(out, want, 12) == 0);
  ASSERT_TRUE(pq_bss_decode(out, 12, 3, 4, back));
  ASSERT_TRUE(memcmp(back, in, 12) == 0);
  static const size_t lengths[] = {0, 1, 7, 1000};
  static const int widths[] = {4, 8, 2, 16};
  for (size_t wi = 0; wi < 4; wi++) {
    for (size_t li = 0; li < 4; li++) {
      size_t n = lengths[li], k = (size_t)widths[wi];
      uint8_t *v = xmalloc(n * k), *enc = xmalloc(n * k), *dec = xmalloc(n * k);
      for (size_t i = 0; i < n * k; i++)
        v[i] = (uint8_t)rng();
      pq_bss_encode(v, n, widths[wi], enc);
      bool ok = pq_bss_decode(enc, n * k, n, widths[wi], dec);
      CHECK(ok && (n == 0 || memcmp(v, dec, n * k) == 0), "width %d n=%zu", widths[wi], n);
      if (n)
        CHECK(!pq_bss_decode(enc, n * k - 1, n, widths[wi], dec), "width %d n=%zu: short input",
              widths[wi], n);
      free(v);
      free(enc);
      free(dec);
    }
  }
  ASSERT_TRUE(!pq_bss_decode(out, 12, 4, 4, back)); /* more values than the streams hold */
  ASSERT_TRUE(!pq_bss_decode(out, 12, 1, 0, back));
}

/* ---- codecs -----------------------------------------------------------------------------------*/

static const int write_codecs[] = {PQ_CODEC_UNCOMPRESSED, PQ_CODEC_SNAPPY, PQ_CODEC_GZIP,
                                   PQ_CODEC_ZSTD, PQ_CODEC_LZ4_RAW};

static uint8_t *compress_or_die(sbd_ctx *ctx, int codec, int level, const uint8_t *in, size_t n,
                                size_t *len) {
  size_t cap = pq_compress_bound(codec, n);
  uint8_t *out = xmalloc(cap);
  sbd_status st = pq_compress(ctx, codec, level, in, n, out, cap, len);
  if (st != SBD_OK) {
    test_fail(__FILE__, __LINE__, "%s n=%zu: %s", pq_codec_name(codec), n, sbd_errmsg(ctx));
    free(out);
    return NULL;
  }
  uint8_t *exact = xmalloc(*len);
  memcpy(exact, out, *len);
  free(out);
  return exact;
}

TEST(pq_codec_round_trips) {
  sbd_ctx *ctx = sbd_ctx_new();
  static const size_t sizes[] = {0, 1, 100, 100000, 1 << 20};
  for (size_t si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++) {
    size_t n = sizes[si];
    uint8_t *random = xmalloc(n), *text = xmalloc(n);
    for (size_t i = 0; i < n; i++) {
      random[i] = (uint8_t)rng();
      text[i] = (uint8_t)("customer,order,amount\n"[i % 22] + (i % 1000 == 0));
    }
    const uint8_t *inputs[] = {random, text};
    for (size_t c = 0; c < sizeof(write_codecs) / sizeof(write_codecs[0]); c++) {
      int codec = write_codecs[c];
      for (int kind = 0; kind < 2; kind++) {
        for (int level = 0; level <= 9; level += 9) {
          size_t len;
          uint8_t *enc = compress_or_die(ctx, codec, level, inputs[kind], n, &len);
          if (!enc)
            continue;
          if (kind == 1 && n >= 100000 && codec != PQ_CODEC_UNCOMPRESSED)
            CHECK(len < n / 4, "%s: %zu bytes of text compress to %zu", pq_codec_name(codec), n,
                  len);
          uint8_t *dec = xmalloc(n);
          sbd_status st = pq_decompress(ctx, codec, enc, len, dec, n);
          CHECK(st == SBD_OK, "%s n=%zu kind %d: %s", pq_codec_name(codec), n, kind,
                sbd_errmsg(ctx));
          if (st == SBD_OK && n)
            CHECK(memcmp(dec, inputs[kind], n) == 0, "%s n=%zu kind %d: bytes differ",
                  pq_codec_name(codec), n, kind);
          /* The header's size must be exact: one byte less or more is an input error. */
          if (n) {
            st = pq_decompress(ctx, codec, enc, len, dec, n - 1);
            CHECK(st == SBD_EINPUT, "%s n=%zu: short output gave %d", pq_codec_name(codec), n, st);
          }
          uint8_t *big = xmalloc(n + 1);
          st = pq_decompress(ctx, codec, enc, len, big, n + 1);
          CHECK(st == SBD_EINPUT, "%s n=%zu: long output gave %d", pq_codec_name(codec), n, st);
          free(big);
          free(dec);
          free(enc);
        }
      }
    }
    free(random);
    free(text);
  }
  sbd_ctx_free(ctx);
}

TEST(pq_codec_corrupt_input) {
  sbd_ctx *ctx = sbd_ctx_new();
  size_t n = 50000;
  uint8_t *text = xmalloc(n), *dec = xmalloc(n);
  for (size_t i = 0; i < n; i++)
    text[i] = (uint8_t)('a' + (i * 7 % 13) + (i % 333 == 0));
  static const char *const prefix[] = {"", "SNAPPY:", "GZIP:", "", "", "", "ZSTD:", "LZ4_RAW:"};
  for (size_t c = 1; c < sizeof(write_codecs) / sizeof(write_codecs[0]); c++) {
    int codec = write_codecs[c];
    size_t len;
    uint8_t *enc = compress_or_die(ctx, codec, 0, text, n, &len);
    if (!enc)
      continue;
    /* Truncated at several points. */
    for (size_t cut = 0; cut < len; cut += 1 + len / 7) {
      sbd_status st = pq_decompress(ctx, codec, enc, cut, dec, n);
      CHECK(st == SBD_EINPUT, "%s cut at %zu of %zu: status %d", pq_codec_name(codec), cut, len,
            st);
      CHECK(strncmp(sbd_errmsg(ctx), prefix[codec], strlen(prefix[codec])) == 0,
            "%s: message \"%s\"", pq_codec_name(codec), sbd_errmsg(ctx));
    }
    /* Garbage, and flipped bytes: an error or some output, never a crash. */
    uint8_t *junk = xmalloc(len);
    for (size_t i = 0; i < len; i++)
      junk[i] = (uint8_t)rng();
    CHECK(pq_decompress(ctx, codec, junk, len, dec, n) == SBD_EINPUT, "%s: garbage accepted",
          pq_codec_name(codec));
    for (int round = 0; round < 200; round++) {
      memcpy(junk, enc, len);
      junk[rng() % len] ^= (uint8_t)(1 + rng() % 255);
      sbd_status st = pq_decompress(ctx, codec, junk, len, dec, n);
      CHECK(st == SBD_OK || st == SBD_EINPUT, "%s: flipped byte gave %d", pq_codec_name(codec), st);
    }
    free(junk);
    free(enc);
  }
  free(text);
  free(dec);
  sbd_ctx_free(ctx);
}

TEST(pq_codec_gzip_members_and_framing) {
  sbd_ctx *ctx = sbd_ctx_new();
  const uint8_t a[] = "first member, ", b[] = "second member";
  size_t la, lb;
  uint8_t *ea = compress_or_die(ctx, PQ_CODEC_GZIP, 0, a, sizeof(a) - 1, &la);
  uint8_t *eb = compress_or_die(ctx, PQ_CODEC_GZIP, 9, b, sizeof(b) - 1, &lb);
  ASSERT_TRUE(ea && eb);
  /* RFC 1952: the magic 1f 8b and method 8 (deflate). */
  ASSERT_EQ(ea[0], 0x1f);
  ASSERT_EQ(ea[1], 0x8b);
  ASSERT_EQ(ea[2], 8);
  uint8_t *both = xmalloc(la + lb);
  memcpy(both, ea, la);
  memcpy(both + la, eb, lb);
  uint8_t out[27];
  ASSERT_EQ(pq_decompress(ctx, PQ_CODEC_GZIP, both, la + lb, out, sizeof(out)), SBD_OK);
  ASSERT_TRUE(memcmp(out, "first member, second member", 27) == 0);
  /* Trailing garbage after the members is corrupt. */
  uint8_t *tail = xmalloc(la + 3);
  memcpy(tail, ea, la);
  memcpy(tail + la, "xyz", 3);
  ASSERT_EQ(pq_decompress(ctx, PQ_CODEC_GZIP, tail, la + 3, out, sizeof(a) - 1), SBD_EINPUT);
  free(tail);
  free(both);
  free(ea);
  free(eb);
  sbd_ctx_free(ctx);
}

TEST(pq_codec_hadoop_lz4) {
  sbd_ctx *ctx = sbd_ctx_new();
  size_t n = 3000;
  uint8_t *text = xmalloc(n);
  for (size_t i = 0; i < n; i++)
    text[i] = (uint8_t)("hadoop lz4 framing "[i % 19]);
  /* Two blocks: [BE uncompressed length][BE compressed length][raw LZ4 block]. */
  size_t l1, l2, half = 1000;
  uint8_t *r1 = compress_or_die(ctx, PQ_CODEC_LZ4_RAW, 0, text, half, &l1);
  uint8_t *r2 = compress_or_die(ctx, PQ_CODEC_LZ4_RAW, 0, text + half, n - half, &l2);
  ASSERT_TRUE(r1 && r2);
  size_t framed_len = 16 + l1 + l2, at = 0;
  uint8_t *framed = xmalloc(framed_len);
  const size_t parts[2][2] = {{half, l1}, {n - half, l2}};
  const uint8_t *raws[2] = {r1, r2};
  for (int p = 0; p < 2; p++) {
    for (int k = 0; k < 2; k++) {
      uint32_t x = (uint32_t)parts[p][k];
      framed[at++] = (uint8_t)(x >> 24);
      framed[at++] = (uint8_t)(x >> 16);
      framed[at++] = (uint8_t)(x >> 8);
      framed[at++] = (uint8_t)x;
    }
    memcpy(framed + at, raws[p], parts[p][1]);
    at += parts[p][1];
  }
  uint8_t *out = xmalloc(n);
  ASSERT_EQ(pq_decompress(ctx, PQ_CODEC_LZ4, framed, framed_len, out, n), SBD_OK);
  ASSERT_TRUE(memcmp(out, text, n) == 0);
  /* A raw block under the LZ4 codec is read too. */
  size_t lr;
  uint8_t *raw = compress_or_die(ctx, PQ_CODEC_LZ4_RAW, 0, text, n, &lr);
  ASSERT_TRUE(raw != NULL);
  ASSERT_EQ(pq_decompress(ctx, PQ_CODEC_LZ4, raw, lr, out, n), SBD_OK);
  ASSERT_TRUE(memcmp(out, text, n) == 0);
  /* A framing whose lengths lie is corrupt. */
  framed[3] ^= 1;
  ASSERT_EQ(pq_decompress(ctx, PQ_CODEC_LZ4, framed, framed_len, out, n), SBD_EINPUT);
  ASSERT_STR_EQ(sbd_errmsg(ctx), "LZ4: corrupt page data");
  free(framed);
  free(raw);
  free(r1);
  free(r2);
  free(out);
  free(text);
  sbd_ctx_free(ctx);
}

TEST(pq_codec_names_levels_unsupported) {
  static const struct {
    const char *name;
    int codec;
  } names[] = {{"none", 0}, {"uncompressed", 0}, {"snappy", 1}, {"SNAPPY", 1},
               {"gzip", 2}, {"lzo", 3},          {"brotli", 4}, {"lz4", 5},
               {"zstd", 6}, {"Zstd", 6},         {"lz4_raw", 7}};
  for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
    int c = -1;
    CHECK(pq_codec_from_name(names[i].name, &c) && c == names[i].codec, "name %s gave %d",
          names[i].name, c);
  }
  int c;
  ASSERT_TRUE(!pq_codec_from_name("lz5", &c));
  ASSERT_TRUE(!pq_codec_from_name("", &c));
  for (int k = 0; k <= 7; k++) {
    ASSERT_TRUE(pq_codec_from_name(pq_codec_name(k), &c));
    ASSERT_EQ(c, k);
  }
  ASSERT_STR_EQ(pq_codec_name(99), "unknown");

  sbd_ctx *ctx = sbd_ctx_new();
  uint8_t in[4] = {1, 2, 3, 4}, out[64];
  size_t len;
  ASSERT_EQ(pq_decompress(ctx, PQ_CODEC_BROTLI, in, 4, out, 4), SBD_EUNSUPPORTED);
  ASSERT_TRUE(strstr(sbd_errmsg(ctx), "BROTLI") != NULL);
  ASSERT_EQ(pq_decompress(ctx, PQ_CODEC_LZO, in, 4, out, 4), SBD_EUNSUPPORTED);
  ASSERT_TRUE(strstr(sbd_errmsg(ctx), "LZO") != NULL);
  ASSERT_EQ(pq_decompress(ctx, 42, in, 4, out, 4), SBD_EUNSUPPORTED);
  ASSERT_EQ(pq_compress(ctx, PQ_CODEC_BROTLI, 0, in, 4, out, 64, &len), SBD_EUNSUPPORTED);
  ASSERT_EQ(pq_compress(ctx, PQ_CODEC_ZSTD, 23, in, 4, out, 64, &len), SBD_EUSAGE);
  ASSERT_STR_EQ(sbd_errmsg(ctx), "ZSTD compression level must be between 1 and 22, not 23");
  ASSERT_EQ(pq_compress(ctx, PQ_CODEC_GZIP, 10, in, 4, out, 64, &len), SBD_EUSAGE);
  ASSERT_EQ(pq_compress(ctx, PQ_CODEC_ZSTD, 22, in, 4, out, 64, &len), SBD_OK);
  ASSERT_EQ(pq_compress(ctx, PQ_CODEC_GZIP, 1, in, 4, out, 64, &len), SBD_OK);
  ASSERT_EQ(pq_decompress(ctx, PQ_CODEC_UNCOMPRESSED, in, 4, out, 3), SBD_EINPUT);
  /* A NULL ctx is allowed (worker threads): only the status comes back. */
  ASSERT_EQ(pq_decompress(NULL, PQ_CODEC_ZSTD, in, 4, out, 4), SBD_EINPUT);
  sbd_ctx_free(ctx);
}
