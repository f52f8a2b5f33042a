/*
 * codec.c — page compression for Parquet (apache/parquet-format Compression.md) over the packaged
 * libraries: snappy, zlib (GZIP, RFC 1952 framing), zstd and lz4 (LZ4_RAW, the raw block format;
 * and, for reading only, the deprecated Hadoop-framed LZ4). BROTLI and LZO are named but not
 * read or written.
 *
 * Decompression is told the exact uncompressed size (from the page header) and fails when the
 * data decompresses to anything else. Every failure on input data is SBD_EINPUT with a message
 * that names the codec; ctx may be NULL (worker threads that keep their own messages), in which
 * case only the status is returned.
 *
 * zstd contexts are kept per thread (a pthread key whose destructor frees them at thread exit),
 * because creating one per page costs more than decoding a small page.
 */
#include "io/parquet/pq_int.h"

#include <limits.h>
#include <lz4.h>
#include <snappy-c.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

/* The names the CLI takes (--compression) and shows; upper case in messages, as parquet.thrift
 * spells the enum. */
static const char *const codec_names[] = {"uncompressed", "snappy", "gzip", "lzo",
                                          "brotli",       "lz4",    "zstd", "lz4_raw"};
static const char *const codec_upper[] = {"UNCOMPRESSED", "SNAPPY", "GZIP", "LZO",
                                          "BROTLI",       "LZ4",    "ZSTD", "LZ4_RAW"};
#define CODEC_COUNT ((int)(sizeof(codec_names) / sizeof(codec_names[0])))

const char *pq_codec_name(int codec) {
  return codec >= 0 && codec < CODEC_COUNT ? codec_names[codec] : "unknown";
}

const char *pq_codec_thrift_name(int codec) {
  return codec >= 0 && codec < CODEC_COUNT ? codec_upper[codec] : NULL;
}

bool pq_codec_from_name(const char *name, int *codec) {
  if (!name)
    return false;
  if (strcasecmp(name, "none") == 0) {
    *codec = PQ_CODEC_UNCOMPRESSED;
    return true;
  }
  for (int c = 0; c < CODEC_COUNT; c++) {
    if (strcasecmp(name, codec_names[c]) == 0) {
      *codec = c;
      return true;
    }
  }
  return false;
}

/* ---- per-thread zstd contexts -----------------------------------------------------------------*/

typedef struct zstd_tls {
  ZSTD_CCtx *cctx;
  ZSTD_DCtx *dctx;
} zstd_tls;

static pthread_key_t zstd_key;
static pthread_once_t zstd_once = PTHREAD_ONCE_INIT;
static bool zstd_key_ok;

static void zstd_tls_free(void *p) {
  zstd_tls *t = p;
  ZSTD_freeCCtx(t->cctx);
  ZSTD_freeDCtx(t->dctx);
  free(t);
}

static void zstd_key_init(void) {
  zstd_key_ok = pthread_key_create(&zstd_key, zstd_tls_free) == 0;
}

/* This thread's contexts, created on first use; NULL when out of memory. */
static zstd_tls *zstd_contexts(void) {
  pthread_once(&zstd_once, zstd_key_init);
  if (!zstd_key_ok)
    return NULL;
  zstd_tls *t = pthread_getspecific(zstd_key);
  if (!t) {
    t = calloc(1, sizeof(*t));
    if (!t)
      return NULL;
    if (pthread_setspecific(zstd_key, t) != 0) {
      free(t);
      return NULL;
    }
  }
  return t;
}

static ZSTD_CCtx *zstd_cctx(void) {
  zstd_tls *t = zstd_contexts();
  if (t && !t->cctx)
    t->cctx = ZSTD_createCCtx();
  return t ? t->cctx : NULL;
}

static ZSTD_DCtx *zstd_dctx(void) {
  zstd_tls *t = zstd_contexts();
  if (t && !t->dctx)
    t->dctx = ZSTD_createDCtx();
  return t ? t->dctx : NULL;
}

/* ---- compression ------------------------------------------------------------------------------*/

size_t pq_compress_bound(int codec, size_t n) {
  switch (codec) {
  case PQ_CODEC_UNCOMPRESSED:
    return n;
  case PQ_CODEC_SNAPPY:
    return snappy_max_compressed_length(n);
  case PQ_CODEC_GZIP:
    /* compressBound allows for the zlib wrapper (6 bytes); gzip's is 18. */
    return n > UINT_MAX ? 0 : (size_t)compressBound((uLong)n) + 18;
  case PQ_CODEC_ZSTD:
    return ZSTD_compressBound(n);
  case PQ_CODEC_LZ4_RAW:
    return n > LZ4_MAX_INPUT_SIZE ? 0 : (size_t)LZ4_compressBound((int)n);
  default:
    return 0;
  }
}

static sbd_status gzip_compress(sbd_ctx *ctx, int level, const uint8_t *in, size_t n, uint8_t *out,
                                size_t out_cap, size_t *out_len) {
  RETURN_ERROR_IF(n > UINT_MAX, ctx, SBD_ELIMIT, "GZIP: a page of %zu bytes is over the 4 GiB cap",
                  n);
  z_stream zs;
  memset(&zs, 0, sizeof(zs));
  /* windowBits 15 + 16: a gzip header and trailer (RFC 1952) around the deflate stream. */
  int rc = deflateInit2(&zs, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  RETURN_ERROR_IF(rc == Z_MEM_ERROR, ctx, SBD_ENOMEM, "GZIP: out of memory");
  RETURN_ERROR_IF(rc != Z_OK, ctx, SBD_EINTERNAL, "GZIP: deflateInit2 failed (%d)", rc);
  zs.next_in = (Bytef *)in;
  zs.avail_in = (uInt)n;
  zs.next_out = out;
  zs.avail_out = out_cap > UINT_MAX ? UINT_MAX : (uInt)out_cap;
  rc = deflate(&zs, Z_FINISH);
  size_t written = zs.total_out;
  deflateEnd(&zs);
  RETURN_ERROR_IF(rc != Z_STREAM_END, ctx, SBD_EINTERNAL,
                  "GZIP: compressing %zu bytes did not fit in %zu (%d)", n, out_cap, rc);
  *out_len = written;
  return SBD_OK;
}

sbd_status pq_compress(sbd_ctx *ctx, int codec, int level, const uint8_t *in, size_t n,
                       uint8_t *out, size_t out_cap, size_t *out_len) {
  *out_len = 0;
  switch (codec) {
  case PQ_CODEC_UNCOMPRESSED:
    RETURN_ERROR_IF(out_cap < n, ctx, SBD_EINTERNAL,
                    "UNCOMPRESSED: %zu bytes do not fit in a buffer of %zu", n, out_cap);
    if (n)
      memcpy(out, in, n);
    *out_len = n;
    return SBD_OK;
  case PQ_CODEC_SNAPPY: {
    size_t len = out_cap;
    snappy_status st = snappy_compress((const char *)in, n, (char *)out, &len);
    RETURN_ERROR_IF(st != SNAPPY_OK, ctx, SBD_EINTERNAL,
                    "SNAPPY: compressing %zu bytes failed (status %d)", n, (int)st);
    *out_len = len;
    return SBD_OK;
  }
  case PQ_CODEC_GZIP:
    RETURN_ERROR_IF(level < 0 || level > 9, ctx, SBD_EUSAGE,
                    "GZIP compression level must be between 1 and 9, not %d", level);
    return gzip_compress(ctx, level ? level : 6, in, n, out, out_cap, out_len);
  case PQ_CODEC_ZSTD: {
    RETURN_ERROR_IF(level < 0 || level > ZSTD_maxCLevel(), ctx, SBD_EUSAGE,
                    "ZSTD compression level must be between 1 and %d, not %d", ZSTD_maxCLevel(),
                    level);
    ZSTD_CCtx *cctx = zstd_cctx();
    RETURN_ERROR_IF(!cctx, ctx, SBD_ENOMEM, "ZSTD: out of memory");
    size_t rc = ZSTD_compressCCtx(cctx, out, out_cap, in, n, level ? level : 3);
    RETURN_ERROR_IF(ZSTD_isError(rc), ctx, SBD_EINTERNAL, "ZSTD: compressing %zu bytes failed: %s",
                    n, ZSTD_getErrorName(rc));
    *out_len = rc;
    return SBD_OK;
  }
  case PQ_CODEC_LZ4_RAW: {
    RETURN_ERROR_IF(n > LZ4_MAX_INPUT_SIZE, ctx, SBD_ELIMIT,
                    "LZ4_RAW: a page of %zu bytes is over the cap of %d", n, LZ4_MAX_INPUT_SIZE);
    int cap = out_cap > INT_MAX ? INT_MAX : (int)out_cap;
    int rc = LZ4_compress_default((const char *)in, (char *)out, (int)n, cap);
    RETURN_ERROR_IF(rc <= 0, ctx, SBD_EINTERNAL,
                    "LZ4_RAW: compressing %zu bytes did not fit in %zu", n, out_cap);
    *out_len = (size_t)rc;
    return SBD_OK;
  }
  case PQ_CODEC_LZ4:
    return sbd_error(ctx, SBD_EUNSUPPORTED,
                     "LZ4 (the deprecated Hadoop-framed codec) is read but not written; use "
                     "lz4_raw");
  case PQ_CODEC_LZO:
  case PQ_CODEC_BROTLI:
    return sbd_error(ctx, SBD_EUNSUPPORTED, "%s compression is not supported", codec_upper[codec]);
  default:
    return sbd_error(ctx, SBD_EUNSUPPORTED, "unknown compression codec %d", codec);
  }
}

/* ---- decompression ----------------------------------------------------------------------------*/

static sbd_status size_mismatch(sbd_ctx *ctx, const char *codec, size_t got, size_t want) {
  return sbd_error(ctx, SBD_EINPUT,
                   "%s: page data decompresses to %zu bytes, but its header says %zu", codec, got,
                   want);
}

/* A GZIP page may hold several members one after another (Compression.md): their outputs are
 * concatenated. windowBits 15 + 32 also accepts a zlib stream, which some writers put there. */
static sbd_status gzip_decompress(sbd_ctx *ctx, const uint8_t *in, size_t n, uint8_t *out,
                                  size_t out_len) {
  RETURN_ERROR_IF(n > UINT_MAX || out_len > UINT_MAX, ctx, SBD_EINPUT,
                  "GZIP: corrupt page data (a page of over 4 GiB)");
  z_stream zs;
  memset(&zs, 0, sizeof(zs));
  int rc = inflateInit2(&zs, 15 + 32);
  RETURN_ERROR_IF(rc == Z_MEM_ERROR, ctx, SBD_ENOMEM, "GZIP: out of memory");
  RETURN_ERROR_IF(rc != Z_OK, ctx, SBD_EINTERNAL, "GZIP: inflateInit2 failed (%d)", rc);
  uint8_t dummy;
  zs.next_in = (Bytef *)in;
  zs.avail_in = (uInt)n;
  zs.next_out = out_len ? out : &dummy;
  zs.avail_out = (uInt)out_len;
  sbd_status st = SBD_OK;
  for (;;) {
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc == Z_OK)
      continue;
    if (rc == Z_STREAM_END) {
      if (zs.avail_in == 0)
        break;
      if (inflateReset(&zs) != Z_OK) {
        st = sbd_error(ctx, SBD_EINTERNAL, "GZIP: inflateReset failed");
        break;
      }
      continue;
    }
    if (rc == Z_BUF_ERROR && zs.avail_out == 0)
      st = sbd_error(ctx, SBD_EINPUT,
                     "GZIP: page data decompresses to more than the %zu bytes its header says",
                     out_len);
    else if (rc == Z_BUF_ERROR)
      st = sbd_error(ctx, SBD_EINPUT, "GZIP: corrupt page data (truncated)");
    else if (rc == Z_MEM_ERROR)
      st = sbd_error(ctx, SBD_ENOMEM, "GZIP: out of memory");
    else
      st = sbd_error(ctx, SBD_EINPUT, "GZIP: corrupt page data (%s)", zs.msg ? zs.msg : "error");
    break;
  }
  size_t produced = out_len - zs.avail_out;
  inflateEnd(&zs);
  if (st == SBD_OK && produced != out_len)
    st = size_mismatch(ctx, "GZIP", produced, out_len);
  return st;
}

static uint32_t load_be32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The Hadoop framing of the deprecated LZ4 codec: blocks of [uncompressed length, big-endian
 * 32-bit] followed by chunks of [compressed length][raw LZ4 block] that together decompress to
 * that length. True when in is exactly such a sequence decompressing to out_len bytes. */
static bool lz4_hadoop_decompress(const uint8_t *in, size_t n, uint8_t *out, size_t out_len) {
  size_t ip = 0, op = 0;
  while (ip < n) {
    if (n - ip < 4)
      return false;
    size_t block = load_be32(in + ip);
    ip += 4;
    if (block > out_len - op)
      return false;
    size_t block_end = op + block;
    while (op < block_end) {
      if (n - ip < 4)
        return false;
      size_t clen = load_be32(in + ip);
      ip += 4;
      if (clen > n - ip || clen > INT_MAX)
        return false;
      int got = LZ4_decompress_safe((const char *)in + ip, (char *)out + op, (int)clen,
                                    (int)(block_end - op));
      if (got <= 0)
        return false;
      ip += clen;
      op += (size_t)got;
    }
  }
  return op == out_len;
}

sbd_status pq_decompress(sbd_ctx *ctx, int codec, const uint8_t *in, size_t n, uint8_t *out,
                         size_t out_len) {
  if (codec == PQ_CODEC_LZO || codec == PQ_CODEC_BROTLI)
    return sbd_error(ctx, SBD_EUNSUPPORTED,
                     "%s compression is not supported (the page's codec is %s)", codec_upper[codec],
                     codec_upper[codec]);
  if (codec < 0 || codec >= CODEC_COUNT)
    return sbd_error(ctx, SBD_EUNSUPPORTED, "unknown compression codec %d", codec);
  if (n == 0 && out_len == 0)
    return SBD_OK;
  switch (codec) {
  case PQ_CODEC_UNCOMPRESSED:
    if (n != out_len)
      return sbd_error(ctx, SBD_EINPUT,
                       "UNCOMPRESSED: page data has %zu bytes, but its header says %zu", n,
                       out_len);
    memcpy(out, in, n);
    return SBD_OK;
  case PQ_CODEC_SNAPPY: {
    size_t len;
    RETURN_ERROR_IF(snappy_uncompressed_length((const char *)in, n, &len) != SNAPPY_OK, ctx,
                    SBD_EINPUT, "SNAPPY: corrupt page data");
    if (len != out_len)
      return size_mismatch(ctx, "SNAPPY", len, out_len);
    RETURN_ERROR_IF(snappy_uncompress((const char *)in, n, (char *)out, &len) != SNAPPY_OK ||
                        len != out_len,
                    ctx, SBD_EINPUT, "SNAPPY: corrupt page data");
    return SBD_OK;
  }
  case PQ_CODEC_GZIP:
    return gzip_decompress(ctx, in, n, out, out_len);
  case PQ_CODEC_ZSTD: {
    ZSTD_DCtx *dctx = zstd_dctx();
    RETURN_ERROR_IF(!dctx, ctx, SBD_ENOMEM, "ZSTD: out of memory");
    uint8_t dummy;
    size_t rc = ZSTD_decompressDCtx(dctx, out_len ? out : &dummy, out_len, in, n);
    if (ZSTD_isError(rc)) {
      if (ZSTD_getErrorCode(rc) == ZSTD_error_dstSize_tooSmall)
        return sbd_error(ctx, SBD_EINPUT,
                         "ZSTD: page data decompresses to more than the %zu bytes its header says",
                         out_len);
      return sbd_error(ctx, SBD_EINPUT, "ZSTD: corrupt page data (%s)", ZSTD_getErrorName(rc));
    }
    if (rc != out_len)
      return size_mismatch(ctx, "ZSTD", rc, out_len);
    return SBD_OK;
  }
  case PQ_CODEC_LZ4_RAW:
  case PQ_CODEC_LZ4: {
    const char *name = codec_upper[codec];
    RETURN_ERROR_IF(n > INT_MAX || out_len > INT_MAX, ctx, SBD_EINPUT,
                    "%s: corrupt page data (a page of over 2 GiB)", name);
    /* The Hadoop framing is tried first for LZ4: its lengths must match exactly, so raw data
     * is practically never taken for it, while the reverse is less certain. */
    if (codec == PQ_CODEC_LZ4 && lz4_hadoop_decompress(in, n, out, out_len))
      return SBD_OK;
    uint8_t dummy;
    int got = LZ4_decompress_safe((const char *)in, out_len ? (char *)out : (char *)&dummy, (int)n,
                                  (int)out_len);
    RETURN_ERROR_IF(got < 0, ctx, SBD_EINPUT, "%s: corrupt page data", name);
    if ((size_t)got != out_len)
      return size_mismatch(ctx, name, (size_t)got, out_len);
    return SBD_OK;
  }
  }
  return sbd_error(ctx, SBD_EINTERNAL, "codec %d fell through", codec);
}
