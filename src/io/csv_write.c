/*
 * csv_write.c — the CSV writer: RFC 4180 with LF line ends, a header line (option header,
 * default true) and a delimiter (option delim, default ','; a .tsv name or format=tsv gives
 * tabs).
 *
 * The output reads back as written (csv_read.c): a null is an empty unquoted field; a string is
 * quoted when it would otherwise read back as something else: when it is empty, equals a
 * default null token (NA, NULL, null), holds a quote, a control character (CR, LF, TAB, ...) or
 * any of the delimiters the reader detects (, ; |, so that detection never picks a delimiter
 * from inside values), starts or ends with a space, or starts with a byte order mark. Doubles
 * are the shortest text that reads back exactly (num_format_double, which keeps ".0" on whole
 * numbers so they read back as DOUBLE), dates and timestamps ISO-8601 (time.c), booleans
 * true/false. A one-column file writes a null as an empty line, which the reader reads as a
 * null when there is one column.
 *
 * Speed: rows are formatted straight into a 1 MiB buffer that goes to io_file_write when the
 * next row might not fit (the bound of a row is known from its string lengths), so there is no
 * check per value. Whether a string needs quotes is one SSE2 test of 16 bytes for short values.
 */
#include "io/csv_int.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#if defined(__SSE2__) && !defined(SBD_NO_SIMD)
#include <emmintrin.h>
#define CSV_SSE2 1
#else
#define CSV_SSE2 0
#endif

#define OUT_BYTES ((size_t)1 << 20)
/* The longest text of a non-string value (a timestamp), plus a delimiter. */
#define VALUE_MAX (TM_FMT_MAX > NUM_FMT_MAX ? TM_FMT_MAX : NUM_FMT_MAX)

/* The reader's default null tokens: a string equal to one is quoted. */
static const char *const null_tokens[] = {CSV_DEFAULT_NULLS};

typedef struct csv_writer {
  char delim;
  uint64_t null_len_mask;   /* bit n: a null token has n (< 64) bytes */
  uint8_t needs_quote[256]; /* bytes that make a string quoted */
  int *string_cols;         /* the STRING columns of the schema */
  int nstring_cols;
  char *buf;
  size_t len, cap;
} csv_writer;

static sbd_status flush_out(sbd_writer *w) {
  csv_writer *cw = w->impl;
  sbd_status st = SBD_OK;
  if (cw->len)
    st = io_file_write(w->ctx, w->file, cw->buf, cw->len);
  cw->len = 0;
  return st;
}

/* Room for n more bytes in the buffer. */
static sbd_status room(sbd_writer *w, size_t n) {
  csv_writer *cw = w->impl;
  if (cw->cap - cw->len >= n)
    return SBD_OK;
  RETURN_IF_ERROR(flush_out(w));
  if (cw->cap < n) {
    char *nb = sbd_realloc(w->ctx, cw->buf, n);
    if (!nb)
      return SBD_ENOMEM;
    cw->buf = nb;
    cw->cap = n;
  }
  return SBD_OK;
}

static bool needs_quotes_slow(const csv_writer *cw, const char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (cw->needs_quote[(unsigned char)s[i]])
      return true;
  return false;
}

/* Whether string s[0..n) must be quoted to read back as itself. readable: s[0..16) may be read
 * (it lies inside the vector's buffer). */
static inline bool needs_quotes(const csv_writer *cw, const char *s, size_t n, bool readable) {
  if (n == 0 || s[0] == ' ' || s[n - 1] == ' ' || (unsigned char)s[0] == 0xef)
    return true; /* empty, padded, or perhaps a byte order mark: quoting is always safe */
  if (n < 64 && ((cw->null_len_mask >> n) & 1)) {
    for (size_t i = 0; i < sizeof(null_tokens) / sizeof(null_tokens[0]); i++)
      if (strlen(null_tokens[i]) == n && memcmp(s, null_tokens[i], n) == 0)
        return true;
  }
#if CSV_SSE2
  if (readable && n <= 16) {
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)s);
    /* Control characters (<= 0x0d: TAB, LF, CR, ...), then the quote and the delimiters. */
    __m128i m = _mm_cmpeq_epi8(_mm_max_epu8(v, _mm_set1_epi8(0x0d)), _mm_set1_epi8(0x0d));
    m = _mm_or_si128(m, _mm_cmpeq_epi8(v, _mm_set1_epi8('"')));
    m = _mm_or_si128(m, _mm_cmpeq_epi8(v, _mm_set1_epi8(',')));
    m = _mm_or_si128(m, _mm_cmpeq_epi8(v, _mm_set1_epi8(';')));
    m = _mm_or_si128(m, _mm_cmpeq_epi8(v, _mm_set1_epi8('|')));
    m = _mm_or_si128(m, _mm_cmpeq_epi8(v, _mm_set1_epi8(cw->delim)));
    unsigned mask = (unsigned)_mm_movemask_epi8(m) & ((1u << n) - 1);
    return mask != 0;
  }
#endif
  (void)readable;
  return needs_quotes_slow(cw, s, n);
}

/* Writes a string at o, quoted when needed; returns the end. Room: 2 * n + 16 bytes. */
static inline __attribute__((always_inline)) char *
put_string(const csv_writer *cw, char *o, const char *s, size_t n, bool readable) {
  if (!needs_quotes(cw, s, n, readable)) {
    if (readable && n <= 16)
      memcpy(o, s, 16);
    else
      memcpy(o, s, n);
    return o + n;
  }
  *o++ = '"';
  for (;;) {
    const char *q = memchr(s, '"', n);
    size_t k = q ? (size_t)(q - s) + 1 : n;
    memcpy(o, s, k);
    o += k;
    if (!q)
      break;
    *o++ = '"';
    s += k;
    n -= k;
  }
  *o++ = '"';
  return o;
}

static const char digit_pairs[201] = "00010203040506070809101112131415161718192021222324"
                                     "25262728293031323334353637383940414243444546474849"
                                     "50515253545556575859606162636465666768697071727374"
                                     "75767778798081828384858687888990919293949596979899";

/* Writes an integer at o; returns the end. Values below 10000, the most common in data, are
 * written here; the rest by num_format_int64. */
static inline char *put_int(char *o, int64_t v) {
  uint64_t u = (uint64_t)v;
  if (u < 10) {
    *o = (char)('0' + u);
    return o + 1;
  }
  if (u < 100) {
    memcpy(o, digit_pairs + 2 * u, 2);
    return o + 2;
  }
  if (u < 1000) {
    *o = (char)('0' + u / 100);
    memcpy(o + 1, digit_pairs + 2 * (u % 100), 2);
    return o + 3;
  }
  if (u < 10000) {
    memcpy(o, digit_pairs + 2 * (u / 100), 2);
    memcpy(o + 2, digit_pairs + 2 * (u % 100), 2);
    return o + 4;
  }
  return o + num_format_int64(v, o);
}

static sbd_status write_header(sbd_writer *w) {
  csv_writer *cw = w->impl;
  const sbd_schema *s = w->schema;
  for (int i = 0; i < s->ncols; i++) {
    const char *name = s->fields[i].name;
    size_t n = strlen(name);
    RETURN_IF_ERROR(room(w, 2 * n + 20));
    if (i > 0)
      cw->buf[cw->len++] = cw->delim;
    char *o = put_string(cw, cw->buf + cw->len, name, n, false);
    cw->len = (size_t)(o - cw->buf);
  }
  RETURN_IF_ERROR(room(w, 1));
  cw->buf[cw->len++] = '\n';
  return SBD_OK;
}

/* Formats a batch; called on worker threads, concurrently (see fmtq.c): reads only cw's
 * settings. */
static sbd_status csv_format(const void *impl, const sbd_batch *b, io_text *out, char *err,
                             size_t errcap) {
  const csv_writer *cw = impl;
  const int ncols = b->ncols;
  const char delim = cw->delim;
  const size_t fixed = (size_t)ncols * (VALUE_MAX + 18) + 1;
  for (int64_t row = 0; row < b->nrows; row++) {
    /* A bound on the row's text: quoted strings at most double. */
    size_t need = fixed;
    for (int k = 0; k < cw->nstring_cols; k++) {
      const int64_t *off = b->cols[cw->string_cols[k]]->values;
      need += 2 * (size_t)(off[row + 1] - off[row]);
    }
    if (out->cap - out->len < need && !io_text_reserve(out, need)) {
      sbd_format_msg(err, errcap, "out of memory formatting CSV");
      return SBD_ENOMEM;
    }
    char *o = out->p + out->len;
    for (int col = 0; col < ncols; col++) {
      const sbd_vec *v = b->cols[col];
      if (col > 0)
        *o++ = delim;
      if (v->validity && !vec_is_valid(v, row))
        continue;
      switch (v->type) {
      case SBD_STRING: {
        const int64_t *off = v->values;
        const char *s = v->bytes + off[row];
        size_t n = (size_t)(off[row + 1] - off[row]);
        o = put_string(cw, o, s, n, off[row] + 16 <= v->bytes_cap);
        break;
      }
      case SBD_INT64:
        o = put_int(o, ((const int64_t *)v->values)[row]);
        break;
      case SBD_DOUBLE:
        o += num_format_double(((const double *)v->values)[row], o);
        break;
      case SBD_BOOL:
        if (((const uint8_t *)v->values)[row]) {
          memcpy(o, "true", 4);
          o += 4;
        } else {
          memcpy(o, "false", 5);
          o += 5;
        }
        break;
      case SBD_DATE:
        o += tm_format_date(((const int32_t *)v->values)[row], o);
        break;
      case SBD_TIMESTAMP:
        o += tm_format_timestamp(((const int64_t *)v->values)[row], o);
        break;
      }
    }
    *o++ = '\n';
    out->len = (size_t)(o - out->p);
  }
  return SBD_OK;
}

static sbd_status csv_finish(sbd_writer *w) {
  return flush_out(w);
}

static void csv_free(sbd_writer *w) {
  csv_writer *cw = w->impl;
  if (!cw)
    return;
  free(cw->buf);
  free(cw->string_cols);
  free(cw);
  w->impl = NULL;
}

static const io_writer_ops csv_writer_ops = {"csv", NULL, csv_finish, csv_free, csv_format};

sbd_status csv_writer_init(sbd_writer *w, const sbd_options *opts) {
  static const char *const keys[] = {"format", "delim", "header"};
  sbd_ctx *ctx = w->ctx;
  RETURN_IF_ERROR(
      opt_check_known(ctx, opts, "CSV writer", keys, (int)(sizeof(keys) / sizeof(keys[0]))));
  char delim = ',';
  /* format=tsv, or a .tsv name, defaults to tabs. */
  const char *fmt = sbd_options_get(opts, "format");
  const char *dot = strrchr(io_file_path(w->file), '.');
  if ((fmt && strcasecmp(fmt, "tsv") == 0) || (!fmt && dot && strcasecmp(dot, ".tsv") == 0))
    delim = '\t';
  bool given;
  RETURN_IF_ERROR(csv_delim_option(ctx, opts, &delim, &given));
  RETURN_ERROR_IF(delim == '"', ctx, SBD_EUSAGE,
                  "option delim: the quote '\"' cannot be the delimiter");
  bool header;
  RETURN_IF_ERROR(opt_get_bool(ctx, opts, "header", true, &header));
  csv_writer *cw = sbd_calloc(ctx, 1, sizeof(*cw));
  if (!cw)
    return SBD_ENOMEM;
  w->impl = cw;
  w->ops = &csv_writer_ops; /* from here on, sbd_writer_abort frees cw */
  const sbd_schema *s = w->schema;
  cw->buf = sbd_malloc(ctx, OUT_BYTES);
  cw->string_cols = sbd_malloc(ctx, sizeof(int) * (size_t)(s->ncols ? s->ncols : 1));
  if (!cw->buf || !cw->string_cols)
    return SBD_ENOMEM;
  cw->cap = OUT_BYTES;
  cw->delim = delim;
  for (int i = 0; i < s->ncols; i++)
    if (s->fields[i].type == SBD_STRING)
      cw->string_cols[cw->nstring_cols++] = i;
  for (int c = 0; c <= 0x0d; c++)
    cw->needs_quote[c] = 1;
  static const char quoted[] = {'"', ',', ';', '|'};
  for (size_t i = 0; i < sizeof(quoted); i++)
    cw->needs_quote[(unsigned char)quoted[i]] = 1;
  cw->needs_quote[(unsigned char)delim] = 1;
  for (size_t i = 0; i < sizeof(null_tokens) / sizeof(null_tokens[0]); i++)
    if (strlen(null_tokens[i]) < 64)
      cw->null_len_mask |= UINT64_C(1) << strlen(null_tokens[i]);
  /* The header goes to the file now, before any batch text from the formatting queue. */
  if (!header)
    return SBD_OK;
  RETURN_IF_ERROR(write_header(w));
  return flush_out(w);
}
