/*
 * csv_write.c — the CSV writer: RFC 4180 with LF line ends, a header line (option header,
 * default true) and a delimiter (option delim, default ',').
 *
 * The output reads back as written (csv_read.c): a null is an empty unquoted field; a string is
 * quoted when it would otherwise read back as something else: when it is empty, equals a
 * default null token (NA, NULL, null), holds a quote, CR, LF or any of the delimiters the reader
 * detects (, ; TAB |, so that detection never picks a delimiter from inside values), starts or
 * ends with a space or tab, or starts with a byte order mark. Doubles are the shortest text that
 * reads back exactly (num_format_double, which keeps a ".0" on whole numbers so they read back
 * as DOUBLE), dates and timestamps ISO-8601 (time.c), booleans true/false. A one-column file
 * writes a null as an empty line, which the reader reads as a null for one column.
 *
 * Rows are formatted into a 1 MiB buffer, reserved per value from a bound on its formatted
 * size, and handed to io_file_write when full.
 */
#include "io/csv_int.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define OUT_BYTES ((size_t)1 << 20)

typedef struct csv_writer {
  char delim;
  bool header;
  uint8_t needs_quote[256]; /* bytes that make a string quoted */
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
static inline sbd_status room(sbd_writer *w, size_t n) {
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

static bool string_needs_quotes(const csv_writer *cw, const char *s, size_t n) {
  if (n == 0)
    return true;
  if (s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' || s[n - 1] == '\t')
    return true;
  if ((n == 2 && memcmp(s, "NA", 2) == 0) ||
      (n == 4 && (memcmp(s, "NULL", 4) == 0 || memcmp(s, "null", 4) == 0)))
    return true;
  if (n >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
    return true;
  for (size_t i = 0; i < n; i++)
    if (cw->needs_quote[(unsigned char)s[i]])
      return true;
  return false;
}

/* Appends a string, quoted when needed. The caller reserved 2 * n + 2 bytes. */
static void put_string(csv_writer *cw, const char *s, size_t n) {
  char *o = cw->buf + cw->len;
  if (!string_needs_quotes(cw, s, n)) {
    memcpy(o, s, n);
    cw->len += n;
    return;
  }
  char *start = o;
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
  cw->len += (size_t)(o - start);
}

static sbd_status write_header(sbd_writer *w) {
  csv_writer *cw = w->impl;
  const sbd_schema *s = w->schema;
  for (int i = 0; i < s->ncols; i++) {
    const char *name = s->fields[i].name;
    size_t n = strlen(name);
    RETURN_IF_ERROR(room(w, 2 * n + 4));
    if (i > 0)
      cw->buf[cw->len++] = cw->delim;
    put_string(cw, name, n);
  }
  RETURN_IF_ERROR(room(w, 1));
  cw->buf[cw->len++] = '\n';
  return SBD_OK;
}

static sbd_status csv_write(sbd_writer *w, const sbd_batch *b) {
  csv_writer *cw = w->impl;
  const int ncols = b->ncols;
  for (int64_t row = 0; row < b->nrows; row++) {
    for (int col = 0; col < ncols; col++) {
      const sbd_vec *v = b->cols[col];
      size_t need = NUM_FMT_MAX + TM_FMT_MAX + 2;
      size_t n = 0;
      const char *s = NULL;
      if (v->type == SBD_STRING) {
        s = vec_str(v, row, &n);
        need = 2 * n + 4;
      }
      if (cw->cap - cw->len < need)
        RETURN_IF_ERROR(room(w, need));
      if (col > 0)
        cw->buf[cw->len++] = cw->delim;
      if (!vec_is_valid(v, row))
        continue;
      char *o = cw->buf + cw->len;
      switch (v->type) {
      case SBD_STRING:
        put_string(cw, s, n);
        break;
      case SBD_INT64:
        cw->len += num_format_int64(((const int64_t *)v->values)[row], o);
        break;
      case SBD_DOUBLE:
        cw->len += num_format_double(((const double *)v->values)[row], o);
        break;
      case SBD_BOOL:
        if (((const uint8_t *)v->values)[row]) {
          memcpy(o, "true", 4);
          cw->len += 4;
        } else {
          memcpy(o, "false", 5);
          cw->len += 5;
        }
        break;
      case SBD_DATE:
        cw->len += tm_format_date(((const int32_t *)v->values)[row], o);
        break;
      case SBD_TIMESTAMP:
        cw->len += tm_format_timestamp(((const int64_t *)v->values)[row], o);
        break;
      }
    }
    if (cw->len == cw->cap)
      RETURN_IF_ERROR(room(w, 1));
    cw->buf[cw->len++] = '\n';
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
  free(cw);
  w->impl = NULL;
}

static const io_writer_ops csv_writer_ops = {"csv", csv_write, csv_finish, csv_free};

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
                  "option delim: the quote '\"' cannot be the "
                  "delimiter");
  bool header;
  RETURN_IF_ERROR(opt_get_bool(ctx, opts, "header", true, &header));
  csv_writer *cw = sbd_calloc(ctx, 1, sizeof(*cw));
  if (!cw)
    return SBD_ENOMEM;
  cw->buf = sbd_malloc(ctx, OUT_BYTES);
  if (!cw->buf) {
    free(cw);
    return SBD_ENOMEM;
  }
  cw->cap = OUT_BYTES;
  cw->delim = delim;
  cw->header = header;
  static const char quoted[] = {'"', '\r', '\n', ',', ';', '\t', '|'};
  for (size_t i = 0; i < sizeof(quoted); i++)
    cw->needs_quote[(unsigned char)quoted[i]] = 1;
  cw->needs_quote[(unsigned char)delim] = 1;
  w->impl = cw;
  w->ops = &csv_writer_ops;
  if (header)
    return write_header(w);
  return SBD_OK;
}
