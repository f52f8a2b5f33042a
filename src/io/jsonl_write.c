/*
 * jsonl_write.c — the JSON Lines writer: one object per row, keys in schema order, formatted a
 * batch at a time into one buffer and handed to the output file in one write.
 *
 * Spelling, chosen so that the JSON Lines reader reads back the same columns and values:
 *  - every column is written, a null as `"key":null`;
 *  - a column name is written as it is, dots included: address.city gives {"address.city":...},
 *    which the reader maps back to the column address.city (it reads the nested spelling too);
 *  - BOOL true/false; INT64 digits; DOUBLE the shortest text that reads back exactly (always
 *    with a '.' or an exponent, so it reads back as DOUBLE); NaN and infinities, which JSON
 *    cannot spell, as null;
 *  - DATE "YYYY-MM-DD" and TIMESTAMP "YYYY-MM-DD HH:MM:SS[.ffffff]" (UTC) as strings;
 *  - strings with '"', '\\' and control characters escaped (\n \r \t \b \f, else \u00XX) and
 *    other UTF-8 written as it is; a byte that is not valid UTF-8 becomes U+FFFD, since JSON
 *    text must be UTF-8.
 * What JSON loses: a STRING value that reads as a date ("2024-01-31") reads back as DATE, and a
 * column of nulls only reads back as STRING.
 */
#include "io/io_int.h"
#include "io/json_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct jsonl_writer {
  char **keys; /* per column: `"name":`, escaped, with a leading ',' after the first column */
  size_t *key_len;
  int ncols;
} jsonl_writer;

/* Bytes of JSON text per input byte at most: "\u00XX" for a control character. */
#define ESCAPE_MAX 6

/* Writes s[0..n) escaped (without quotes) at o, which has room for ESCAPE_MAX * n bytes; returns
 * the end. */
static char *escape_into(char *o, const char *s, size_t n) {
  static const char hex[] = "0123456789abcdef";
  const unsigned char *p = (const unsigned char *)s, *end = p + n;
  while (p < end) {
    const unsigned char *run = p;
    while (p < end && *p >= 0x20 && *p < 0x80 && *p != '"' && *p != '\\')
      p++;
    if (p > run) {
      memcpy(o, run, (size_t)(p - run));
      o += p - run;
    }
    if (p == end)
      break;
    unsigned char c = *p;
    if (c >= 0x80) {
      size_t k = json_utf8_seq(p, end);
      if (k) {
        memcpy(o, p, k);
        o += k;
        p += k;
      } else {
        memcpy(o, "\xef\xbf\xbd", 3); /* U+FFFD */
        o += 3;
        p++;
      }
      continue;
    }
    *o++ = '\\';
    switch (c) {
    case '"':
    case '\\':
      *o++ = (char)c;
      break;
    case '\n':
      *o++ = 'n';
      break;
    case '\r':
      *o++ = 'r';
      break;
    case '\t':
      *o++ = 't';
      break;
    case '\b':
      *o++ = 'b';
      break;
    case '\f':
      *o++ = 'f';
      break;
    default:
      memcpy(o, "u00", 3);
      o[3] = hex[c >> 4];
      o[4] = hex[c & 15];
      o += 5;
      break;
    }
    p++;
  }
  return o;
}

/* Formats a batch; called on worker threads, concurrently (see fmtq.c): reads only j's
 * settings. */
static sbd_status jsonl_format(const void *impl, const sbd_batch *b, io_text *out, char *err,
                               size_t errcap) {
  const jsonl_writer *j = impl;
  /* Room for a row's keys, braces and fixed-width values; strings reserve their own. */
  size_t row_fixed = 3;
  for (int c = 0; c < j->ncols; c++)
    row_fixed += j->key_len[c] + TM_FMT_MAX + 2;
  for (int64_t row = 0; row < b->nrows; row++) {
    if (!io_text_reserve(out, row_fixed)) {
      sbd_format_msg(err, errcap, "out of memory formatting JSON Lines");
      return SBD_ENOMEM;
    }
    char *o = out->p + out->len;
    *o++ = '{';
    for (int c = 0; c < j->ncols; c++) {
      const sbd_vec *v = b->cols[c];
      memcpy(o, j->keys[c], j->key_len[c]);
      o += j->key_len[c];
      if (!vec_is_valid(v, row)) {
        memcpy(o, "null", 4);
        o += 4;
        continue;
      }
      switch (v->type) {
      case SBD_BOOL:
        if (((const uint8_t *)v->values)[row]) {
          memcpy(o, "true", 4);
          o += 4;
        } else {
          memcpy(o, "false", 5);
          o += 5;
        }
        break;
      case SBD_INT64:
        o += num_format_int64(((const int64_t *)v->values)[row], o);
        break;
      case SBD_DOUBLE: {
        double d = ((const double *)v->values)[row];
        if (isfinite(d)) {
          o += num_format_double(d, o);
        } else {
          memcpy(o, "null", 4);
          o += 4;
        }
        break;
      }
      case SBD_DATE:
        *o++ = '"';
        o += tm_format_date(((const int32_t *)v->values)[row], o);
        *o++ = '"';
        break;
      case SBD_TIMESTAMP:
        *o++ = '"';
        o += tm_format_timestamp(((const int64_t *)v->values)[row], o);
        *o++ = '"';
        break;
      case SBD_STRING: {
        size_t n;
        const char *s = vec_str(v, row, &n);
        if (n > (SIZE_MAX - row_fixed) / ESCAPE_MAX) {
          sbd_format_msg(err, errcap, "a string of %zu bytes is too long to write", n);
          return SBD_ELIMIT;
        }
        /* The rest of the row's fixed part must stay reserved after the string. */
        out->len = (size_t)(o - out->p);
        if (!io_text_reserve(out, ESCAPE_MAX * n + 2 + row_fixed)) {
          sbd_format_msg(err, errcap, "out of memory formatting JSON Lines");
          return SBD_ENOMEM;
        }
        o = out->p + out->len;
        *o++ = '"';
        o = escape_into(o, s, n);
        *o++ = '"';
        break;
      }
      }
    }
    *o++ = '}';
    *o++ = '\n';
    out->len = (size_t)(o - out->p);
  }
  return SBD_OK;
}

static sbd_status jsonl_finish(sbd_writer *w) {
  return SBD_OK;
}

static void jsonl_writer_free(sbd_writer *w) {
  jsonl_writer *j = w->impl;
  if (!j)
    return;
  for (int c = 0; c < j->ncols; c++)
    free(j->keys ? j->keys[c] : NULL);
  free(j->keys);
  free(j->key_len);
  free(j);
  w->impl = NULL;
}

static const io_writer_ops jsonl_writer_ops = {"jsonl", NULL, jsonl_finish, jsonl_writer_free,
                                               jsonl_format};

sbd_status jsonl_writer_init(sbd_writer *w, const sbd_options *opts) {
  static const char *const keys[] = {"format"};
  RETURN_IF_ERROR(opt_check_known(w->ctx, opts, "JSON Lines writer", keys, 1));
  jsonl_writer *j = sbd_calloc(w->ctx, 1, sizeof(*j));
  if (!j)
    return SBD_ENOMEM;
  w->ops = &jsonl_writer_ops;
  w->impl = j;
  const sbd_schema *s = w->schema;
  int n = s->ncols;
  j->keys = sbd_calloc(w->ctx, (size_t)(n ? n : 1), sizeof(char *));
  j->key_len = sbd_calloc(w->ctx, (size_t)(n ? n : 1), sizeof(size_t));
  if (!j->keys || !j->key_len)
    return SBD_ENOMEM;
  j->ncols = n;
  for (int c = 0; c < n; c++) {
    const char *name = s->fields[c].name;
    size_t len = strlen(name);
    char *k = sbd_malloc(w->ctx, ESCAPE_MAX * len + 4);
    if (!k)
      return SBD_ENOMEM;
    char *o = k;
    if (c > 0)
      *o++ = ',';
    *o++ = '"';
    o = escape_into(o, name, len);
    *o++ = '"';
    *o++ = ':';
    j->keys[c] = k;
    j->key_len[c] = (size_t)(o - k);
  }
  return SBD_OK;
}
