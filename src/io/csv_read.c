/*
 * csv_read.c — the CSV reader (RFC 4180), the hot path of sbd.
 *
 * Dialect. Records end with LF or CRLF; a bare CR inside an unquoted field is data. A field that
 * starts with the quote byte is quoted: it ends at a quote that is not doubled, may hold
 * delimiters, CR and LF (kept as they are), and must be followed by a delimiter, a line end or the
 * end of the input. A quote anywhere else in an unquoted field is an error. A UTF-8 byte order
 * mark at the start is skipped. Empty lines (LF or CRLF alone) are skipped, except in a file of
 * one column, where an empty line is a record with one empty field (a null by default): that is
 * how the writer spells a null there, so a written file reads back the same.
 *
 * Header. The first non-empty record names the columns (header=false names them column0,
 * column1, ... as DuckDB does). An empty name becomes columnN (N the 0-based position) and a
 * repeated name gets _1, _2, ... appended until it is unique, again as DuckDB does.
 *
 * Values. An unquoted field equal to a null token (option nulls, a comma-separated list, default
 * "", NA, NULL, null) is null; a quoted field never is, so "" is the empty string and "NA" the
 * two letters. Types are inferred (infer.c) from the first sample_rows records of the sample (the
 * head of the input: 64 KiB, grown to at most 1 MiB while it has fewer records), or forced by the
 * schema the caller passes (option schema, parsed by reader.c). The delimiter, unless given, is
 * the one of , ; TAB | that splits the sample's records into the most fields, the same number in
 * every record (ties in that order; ',' when none does).
 *
 * Parallel parsing. The pipeline (pipeline.c) cuts the input into chunks at record boundaries
 * with csv_cut and parses chunks on the worker threads with csv_parse. csv_cut is stateless:
 * every chunk starts at a record start, so the last record boundary is the last LF with an even
 * number of quote bytes before it in the buffer. It is fast in the common case: with no quote
 * byte in the buffer (one memchr) it is the last LF; otherwise one SSE2 pass computes the quote
 * parity of the buffer and a backward scan from the end finds the last LF outside quotes,
 * usually within one record. A record the parser rejects is resynchronised the same way (the
 * next LF at even quote parity), so the parser and the cutter always agree on record bounds.
 *
 * The parser makes one pass per record with no allocation and no function pointer per field. It
 * relies on one invariant: the bytes it scans always end with LF (a chunk ends after an LF; the
 * final record of an input without a trailing newline is copied with one appended), so the
 * scans for a digit, a delimiter or a line end need no bounds checks: they all stop at that LF.
 * Per field, by the column's kind (a switch):
 *  - STRING: one SSE2 scan for the field's end (16 bytes per step: delimiter, LF, quote), which
 *    also collects the high bits, so that the UTF-8 check only runs on a value with a byte
 *    >= 0x80; a null-token check gated by a bitmask of token lengths; a 16-byte copy for short
 *    values;
 *  - INT64 and DOUBLE: digits are converted while they are scanned; a double of at most 19
 *    significant digits and 22 decimals is one exact division (Clinger's fast path, so correctly
 *    rounded, the same bits as num_parse_double);
 *  - anything else (quotes, exponents, inf, null tokens, junk, BOOL, DATE, TIMESTAMP) takes the
 *    general path: find the field's end, check null tokens, then num.c / time.c.
 * Values are written straight into the batch's vectors, reserved per batch from the sample's
 * average record size (grown if that was too small, never beyond SBD_BATCH_ROWS rows). A record
 * that fails is rolled back (null bits and string bytes of its row) and either stops the read
 * with "FILE:LINE: message" or, with on_error=skip, becomes a reject.
 *
 * Projection. With the option columns (names, as for Parquet; the query engine passes the
 * columns a query names), the other fields are skipped: scanned for their end (quotes included,
 * so records still split and count their fields the same) but never converted nor copied. Their
 * place in the batch being filled is a one-byte placeholder vector that nothing writes, dropped
 * when the batch is sealed; the batches handed out have the named columns, in the order given.
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

#define SAMPLE_MIN_BYTES ((size_t)64 << 10)
#define SAMPLE_MAX_BYTES ((size_t)1 << 20)
#define DEFAULT_SAMPLE_ROWS 20480
#define DEFAULT_MAX_LINE_BYTES ((int64_t)64 << 20)
#define DETECT_RECORDS 1024 /* records of the sample that choose the delimiter */

typedef struct csv_dialect {
  char delim;
  char quote;
  bool quoting; /* false with quote="" */
} csv_dialect;

typedef struct csv_reader {
  csv_dialect d;
  bool header;
  bool skip_blank;   /* skip empty lines (more than one column) */
  bool fast_numbers; /* no null token looks like a number, so digits may be converted at once */
  bool skip;         /* on_error=skip, read from r->rejects on the first next */
  bool started;
  int ncols;
  sbd_schema *schema; /* a reference */
  /* Projection (option columns): out_schema has the columns handed out, out_col[k] being the
   * file column of the k-th; parse_schema types the skipped ones BOOL (placeholders). NULL
   * without the option. */
  sbd_schema *out_schema, *parse_schema;
  int *out_col;
  bool *skipped; /* per file column */
  char **nulls;
  size_t *null_lens;
  int nnulls;
  uint64_t null_len_mask; /* bit min(len, 63) for each token */
  int64_t max_line;       /* max_line_bytes: the longest record accepted */
  double row_bytes;       /* average record bytes in the sample, for reserving */
  double *value_bytes;    /* average string bytes per column in the sample */
  uint8_t special[256];   /* the bytes that end an unquoted field's fast scan */
  io_pipeline *pipe;
} csv_reader;

/* ---- small scanners ------------------------------------------------------------------------*/

static size_t count_newlines(const char *p, size_t n) {
  size_t count = 0;
  const char *end = p + n;
  while (p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
    count++;
    p++;
  }
  return count;
}

/* The parity (1 = odd) of the number of quote bytes in buf[0..n). */
static unsigned quote_parity(const char *buf, size_t n, char quote) {
  unsigned parity = 0;
  size_t i = 0;
#if CSV_SSE2
  const __m128i vq = _mm_set1_epi8(quote);
  unsigned acc = 0;
  for (; i + 16 <= n; i += 16)
    acc ^= (unsigned)_mm_movemask_epi8(
        _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)(buf + i)), vq));
  parity = (unsigned)__builtin_parity(acc);
#endif
  for (; i < n; i++)
    parity ^= buf[i] == quote;
  return parity;
}

/* The offset just past the last LF of buf[0..n) that is outside quotes, or 0. buf starts at a
 * record boundary. */
static size_t last_record_end(const csv_dialect *d, const char *buf, size_t n) {
  const char *first_quote = d->quoting ? memchr(buf, d->quote, n) : NULL;
  bool inside = false;
  if (first_quote)
    inside = quote_parity(first_quote, n - (size_t)(first_quote - buf), d->quote);
  for (size_t i = n; i-- > 0;) {
    char c = buf[i];
    if (c == '\n' && !inside)
      return i + 1;
    if (first_quote && c == d->quote)
      inside = !inside;
  }
  return 0;
}

/* The end of the record that starts at p: just past the first LF at even quote parity, or end.
 * The same rule as last_record_end, so rejected records resynchronise where csv_cut cuts. */
static const char *record_extent(const csv_dialect *d, const char *p, const char *end) {
  bool inside = false;
  for (; p < end; p++) {
    char c = *p;
    if (d->quoting && c == d->quote)
      inside = !inside;
    else if (c == '\n' && !inside)
      return p + 1;
  }
  return end;
}

/* Fields of the record at p, counted by the same parity rule (for "found M" in messages). */
static int count_fields(const csv_dialect *d, const char *p, const char *end) {
  int n = 1;
  bool inside = false;
  for (; p < end; p++) {
    char c = *p;
    if (d->quoting && c == d->quote)
      inside = !inside;
    else if (!inside && c == d->delim)
      n++;
    else if (!inside && c == '\n')
      break;
  }
  return n;
}

static const char *skip_bom(const char *p, const char *end) {
  if (end - p >= 3 && (unsigned char)p[0] == 0xef && (unsigned char)p[1] == 0xbb &&
      (unsigned char)p[2] == 0xbf)
    return p + 3;
  return p;
}

/* Skips empty lines (LF or CRLF), counting them into *lines. */
static const char *skip_blank_lines(const char *p, const char *end, int64_t *lines) {
  for (;;) {
    if (p < end && *p == '\n') {
      p++;
    } else if (end - p >= 2 && p[0] == '\r' && p[1] == '\n') {
      p += 2;
    } else if (end - p == 1 && *p == '\r') {
      return end;
    } else {
      return p;
    }
    (*lines)++;
  }
}

/* ---- one field, bounds-checked (the sample, the header, and the parser's rare cases) ---------*/

enum { TERM_DELIM, TERM_EOL, TERM_END, TERM_ERR };
enum { FIELD_OK, FIELD_UNTERMINATED, FIELD_STRAY_QUOTE, FIELD_AFTER_QUOTE };

typedef struct csv_field {
  const char *s; /* the content: without the enclosing quotes, doubled quotes still doubled */
  size_t n;
  bool quoted, escaped; /* escaped: holds doubled quotes */
  int64_t lines;        /* LFs inside the field */
  const char *next;     /* past the terminator */
  int term, err;
} csv_field;

static void scan_field(const csv_dialect *d, const char *p, const char *end, csv_field *f) {
  f->quoted = f->escaped = false;
  f->lines = 0;
  f->err = FIELD_OK;
  if (d->quoting && p < end && *p == d->quote) {
    const char *s = p + 1, *q = s;
    f->quoted = true;
    for (;;) {
      const char *c = memchr(q, d->quote, (size_t)(end - q));
      if (!c) {
        f->s = s;
        f->n = (size_t)(end - s);
        f->next = end;
        f->term = TERM_ERR;
        f->err = FIELD_UNTERMINATED;
        return;
      }
      if (c + 1 < end && c[1] == d->quote) {
        f->escaped = true;
        q = c + 2;
        continue;
      }
      f->s = s;
      f->n = (size_t)(c - s);
      f->lines = (int64_t)count_newlines(s, f->n);
      p = c + 1;
      break;
    }
    if (p == end || (*p == '\r' && p + 1 == end)) {
      f->term = TERM_END;
      f->next = end;
    } else if (*p == d->delim) {
      f->term = TERM_DELIM;
      f->next = p + 1;
    } else if (*p == '\n') {
      f->term = TERM_EOL;
      f->next = p + 1;
    } else if (*p == '\r' && p[1] == '\n') {
      f->term = TERM_EOL;
      f->next = p + 2;
    } else {
      f->term = TERM_ERR;
      f->err = FIELD_AFTER_QUOTE;
      f->next = p;
    }
    return;
  }
  const char *s = p;
  for (; p < end; p++) {
    char c = *p;
    if (c == d->delim) {
      f->s = s;
      f->n = (size_t)(p - s);
      f->term = TERM_DELIM;
      f->next = p + 1;
      return;
    }
    if (c == '\n') {
      f->s = s;
      f->n = (size_t)(p - s);
      if (f->n && p[-1] == '\r')
        f->n--;
      f->term = TERM_EOL;
      f->next = p + 1;
      return;
    }
    if (d->quoting && c == d->quote) {
      f->s = s;
      f->n = (size_t)(p - s);
      f->term = TERM_ERR;
      f->err = FIELD_STRAY_QUOTE;
      f->next = p;
      return;
    }
  }
  f->s = s;
  f->n = (size_t)(p - s);
  if (f->n && p[-1] == '\r')
    f->n--;
  f->term = TERM_END;
  f->next = end;
}

/* Copies s[0..n) into out with each doubled quote made single; returns the new length. */
static size_t unescape(const char *s, size_t n, char quote, char *out) {
  size_t o = 0;
  for (size_t i = 0; i < n; i++) {
    out[o++] = s[i];
    if (s[i] == quote && i + 1 < n && s[i + 1] == quote)
      i++;
  }
  return o;
}

/* ---- options ---------------------------------------------------------------------------------*/

sbd_status csv_delim_option(sbd_ctx *ctx, const sbd_options *opts, char *out, bool *given) {
  const char *v = sbd_options_get(opts, "delim");
  *given = v != NULL;
  if (!v)
    return SBD_OK;
  if (strcmp(v, "\\t") == 0 || strcasecmp(v, "tab") == 0) {
    *out = '\t';
    return SBD_OK;
  }
  if (strlen(v) != 1 || v[0] == '\n' || v[0] == '\r')
    return sbd_error(ctx, SBD_EUSAGE,
                     "option delim: expected one character (or \\t or tab), not \"%s\"", v);
  *out = v[0];
  return SBD_OK;
}

static bool looks_numeric(const char *s) {
  /* What the parser's fused number paths accept: -?[0-9]+(.[0-9]+)? */
  if (*s == '-')
    s++;
  if (!(*s >= '0' && *s <= '9'))
    return false;
  while (*s >= '0' && *s <= '9')
    s++;
  if (*s == '.') {
    s++;
    if (!(*s >= '0' && *s <= '9'))
      return false;
    while (*s >= '0' && *s <= '9')
      s++;
  }
  return *s == 0;
}

static sbd_status add_null_token(sbd_ctx *ctx, csv_reader *rd, const char *s, size_t n) {
  char **nv = sbd_realloc(ctx, rd->nulls, sizeof(char *) * (size_t)(rd->nnulls + 1));
  if (!nv)
    return SBD_ENOMEM;
  rd->nulls = nv;
  size_t *nl = sbd_realloc(ctx, rd->null_lens, sizeof(size_t) * (size_t)(rd->nnulls + 1));
  if (!nl)
    return SBD_ENOMEM;
  rd->null_lens = nl;
  rd->nulls[rd->nnulls] = sbd_strndup(ctx, s, n);
  if (!rd->nulls[rd->nnulls])
    return SBD_ENOMEM;
  rd->null_lens[rd->nnulls++] = n;
  rd->null_len_mask |= UINT64_C(1) << (n < 63 ? n : 63);
  if (looks_numeric(rd->nulls[rd->nnulls - 1]))
    rd->fast_numbers = false;
  return SBD_OK;
}

static sbd_status parse_null_tokens(sbd_ctx *ctx, csv_reader *rd, const sbd_options *opts) {
  const char *v = sbd_options_get(opts, "nulls");
  rd->fast_numbers = true;
  if (!v) {
    static const char *const defaults[] = {CSV_DEFAULT_NULLS};
    for (size_t i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++)
      RETURN_IF_ERROR(add_null_token(ctx, rd, defaults[i], strlen(defaults[i])));
    return SBD_OK;
  }
  /* A comma-separated list; "" alone is the one empty token. */
  for (const char *s = v;;) {
    const char *comma = strchr(s, ',');
    size_t n = comma ? (size_t)(comma - s) : strlen(s);
    RETURN_IF_ERROR(add_null_token(ctx, rd, s, n));
    if (!comma)
      return SBD_OK;
    s = comma + 1;
  }
}

static inline bool is_null(const csv_reader *rd, const char *s, size_t n) {
  if (!((rd->null_len_mask >> (n < 63 ? n : 63)) & 1))
    return false;
  for (int i = 0; i < rd->nnulls; i++)
    if (rd->null_lens[i] == n && memcmp(rd->nulls[i], s, n) == 0)
      return true;
  return false;
}

/* ---- the parser (worker threads)
 * ---------------------------------------------------------------*/

/* How the parser reads a column: a fast path, or always the general one; or not at all. */
enum { KIND_STRING, KIND_INT64, KIND_DOUBLE, KIND_GENERAL, KIND_SKIP };

/* A column of the batch being filled; the vector's len is only set when the batch is sealed. */
typedef struct col_state {
  int kind;
  int col;
  sbd_vec *v;
  sbd_type type;
  void *values;
  int64_t *offsets; /* STRING */
  char *bytes;
  int64_t bytes_len, bytes_cap;
} col_state;

typedef struct parse_state {
  const csv_reader *rd;
  io_chunk *c;
  col_state *cols;
  sbd_batch *batch;
  int64_t row, cap_rows;
  int64_t line; /* physical line (0-based, in the chunk) of the parse position */
  uint64_t null_len_mask;
  char *scratch;
  size_t scratch_cap;
  sbd_status status; /* of the failed record */
  int64_t err_line;
  char msg[480];
} parse_state;

static bool fail(parse_state *ps, sbd_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static bool fail(parse_state *ps, sbd_status status, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(ps->msg, sizeof(ps->msg), fmt, ap);
  va_end(ap);
  ps->status = status;
  return false;
}

static const char *col_name(const parse_state *ps, int col) {
  return ps->rd->schema->fields[col].name;
}

static bool batch_start(parse_state *ps, size_t bytes_left) {
  const csv_reader *rd = ps->rd;
  double est = (double)bytes_left / rd->row_bytes * 1.1 + 16;
  int64_t rows = est >= SBD_BATCH_ROWS ? SBD_BATCH_ROWS : (int64_t)est;
  ps->batch = batch_new(NULL, rd->parse_schema ? rd->parse_schema : rd->schema, rows);
  if (!ps->batch)
    return fail(ps, SBD_ENOMEM, "out of memory making a batch of %lld rows", (long long)rows);
  ps->row = 0;
  ps->cap_rows = SBD_BATCH_ROWS;
  for (int i = 0; i < rd->ncols; i++) {
    col_state *cs = &ps->cols[i];
    sbd_vec *v = ps->batch->cols[i];
    cs->v = v;
    cs->type = v->type;
    cs->col = i;
    cs->kind = rd->skipped && rd->skipped[i]               ? KIND_SKIP
               : v->type == SBD_STRING                     ? KIND_STRING
               : v->type == SBD_INT64 && rd->fast_numbers  ? KIND_INT64
               : v->type == SBD_DOUBLE && rd->fast_numbers ? KIND_DOUBLE
                                                           : KIND_GENERAL;
    if (v->type == SBD_STRING) {
      int64_t bytes = (int64_t)((double)rows * rd->value_bytes[i] * 1.1) + 256;
      if (vec_reserve(NULL, v, 0, bytes) != SBD_OK)
        return fail(ps, SBD_ENOMEM, "out of memory making a batch");
      cs->offsets = v->values;
      cs->bytes = v->bytes;
      cs->bytes_len = 0;
      cs->bytes_cap = v->bytes_cap;
    }
    cs->values = v->values;
    if (v->cap < ps->cap_rows)
      ps->cap_rows = v->cap;
  }
  return true;
}

/* Sets the vectors' lengths from the parse state, before a reserve or a seal. */
static void batch_sync(parse_state *ps) {
  for (int i = 0; i < ps->rd->ncols; i++) {
    col_state *cs = &ps->cols[i];
    cs->v->len = ps->row;
    if (cs->type == SBD_STRING)
      cs->v->bytes_len = cs->bytes_len;
  }
}

static bool batch_grow(parse_state *ps) {
  int64_t more = ps->cap_rows;
  if (ps->row + more > SBD_BATCH_ROWS)
    more = SBD_BATCH_ROWS - ps->row;
  batch_sync(ps);
  int64_t cap = SBD_BATCH_ROWS;
  for (int i = 0; i < ps->rd->ncols; i++) {
    col_state *cs = &ps->cols[i];
    if (vec_reserve(NULL, cs->v, more, 0) != SBD_OK)
      return fail(ps, SBD_ENOMEM, "out of memory growing a batch");
    cs->values = cs->v->values;
    cs->offsets = cs->v->values;
    if (cs->v->cap < cap)
      cap = cs->v->cap;
  }
  ps->cap_rows = cap;
  return true;
}

/* Projection: b's columns become the named ones, in their order; the placeholders are freed. */
static bool project_batch(parse_state *ps, sbd_batch *b) {
  const csv_reader *rd = ps->rd;
  int n = rd->out_schema->ncols;
  sbd_vec **cols = calloc((size_t)(n ? n : 1), sizeof(sbd_vec *));
  if (!cols)
    return fail(ps, SBD_ENOMEM, "out of memory");
  for (int k = 0; k < n; k++) {
    cols[k] = b->cols[rd->out_col[k]];
    b->cols[rd->out_col[k]] = NULL;
  }
  for (int i = 0; i < b->ncols; i++)
    vec_free(b->cols[i]);
  free(b->cols);
  b->cols = cols;
  b->ncols = n;
  schema_unref(b->schema);
  b->schema = schema_ref(rd->out_schema);
  return true;
}

static bool batch_finish(parse_state *ps) {
  sbd_batch *b = ps->batch;
  ps->batch = NULL;
  if (!b)
    return true;
  batch_sync(ps);
  if (ps->rd->out_schema && !project_batch(ps, b)) {
    sbd_batch_free(b);
    return false;
  }
  batch_seal(b);
  if (b->nrows == 0) {
    sbd_batch_free(b);
    return true;
  }
  if (!io_chunk_add_batch(ps->c, b)) {
    sbd_batch_free(b);
    return fail(ps, SBD_ENOMEM, "out of memory");
  }
  return true;
}

/* Room for one more row: a new batch, a bigger one, or the next one when this one is full. */
static bool make_room(parse_state *ps, size_t bytes_left) {
  if (!ps->batch)
    return batch_start(ps, bytes_left);
  if (ps->row < SBD_BATCH_ROWS)
    return batch_grow(ps);
  return batch_finish(ps) && batch_start(ps, bytes_left);
}

/* Undoes the partial row of a record that failed: its null bits and string bytes. */
static void rollback_row(parse_state *ps) {
  int64_t row = ps->row;
  for (int i = 0; i < ps->rd->ncols; i++) {
    col_state *cs = &ps->cols[i];
    sbd_vec *v = cs->v;
    uint64_t bit = UINT64_C(1) << (row & 63);
    if (v->validity && !(v->validity[row >> 6] & bit)) {
      v->validity[row >> 6] |= bit;
      v->null_count--;
    }
    if (cs->type == SBD_STRING)
      cs->bytes_len = cs->offsets[row];
  }
}

static bool str_grow(parse_state *ps, col_state *cs, size_t n) {
  if (n > SBD_MAX_VALUE_BYTES)
    return fail(ps, SBD_ELIMIT, "column '%s': a value of %zu bytes is over the cap of %u bytes",
                col_name(ps, cs->col), n, SBD_MAX_VALUE_BYTES);
  cs->v->bytes_len = cs->bytes_len;
  if (vec_reserve(NULL, cs->v, 0, (int64_t)n + 16) != SBD_OK)
    return fail(ps, SBD_ENOMEM, "out of memory storing column '%s'", col_name(ps, cs->col));
  cs->bytes = cs->v->bytes;
  cs->bytes_cap = cs->v->bytes_cap;
  return true;
}

/* Room for n string bytes plus 16, so that short values can be copied 16 bytes at a time. */
static inline bool str_room(parse_state *ps, col_state *cs, size_t n) {
  if ((size_t)(cs->bytes_cap - cs->bytes_len) >= n + 16)
    return true;
  return str_grow(ps, cs, n);
}

static bool set_null(parse_state *ps, col_state *cs) {
  int64_t row = ps->row;
  switch (cs->type) {
  case SBD_STRING:
    cs->offsets[row + 1] = cs->bytes_len;
    break;
  case SBD_BOOL:
    ((uint8_t *)cs->values)[row] = 0;
    break;
  case SBD_DATE:
    ((int32_t *)cs->values)[row] = 0;
    break;
  case SBD_DOUBLE:
    ((double *)cs->values)[row] = 0;
    break;
  default:
    ((int64_t *)cs->values)[row] = 0;
    break;
  }
  if (vec_set_null(NULL, cs->v, row) != SBD_OK)
    return fail(ps, SBD_ENOMEM, "out of memory");
  return true;
}

/* Stores the text of a field (general path): null check, UTF-8 check, conversion. */
static bool store_text(parse_state *ps, col_state *cs, const char *s, size_t n, bool quoted,
                       bool check_utf8) {
  if (cs->kind == KIND_SKIP)
    return true; /* a column the projection leaves out */
  const csv_reader *rd = ps->rd;
  int64_t row = ps->row;
  if (!quoted && is_null(rd, s, n))
    return set_null(ps, cs);
  bool ok = false;
  switch (cs->type) {
  case SBD_STRING:
    if (check_utf8 && !str_utf8_valid(s, n))
      return fail(ps, SBD_EINPUT, "invalid UTF-8 in column '%s'", col_name(ps, cs->col));
    if (!str_room(ps, cs, n))
      return false;
    memcpy(cs->bytes + cs->bytes_len, s, n);
    cs->bytes_len += (int64_t)n;
    cs->offsets[row + 1] = cs->bytes_len;
    return true;
  case SBD_INT64:
    ok = num_parse_int64(s, n, &((int64_t *)cs->values)[row]);
    break;
  case SBD_DOUBLE:
    ok = num_parse_double(s, n, &((double *)cs->values)[row]);
    break;
  case SBD_BOOL: {
    bool b = false;
    ok = num_parse_bool(s, n, &b);
    ((uint8_t *)cs->values)[row] = b;
    break;
  }
  case SBD_DATE:
    ok = tm_parse_date(s, n, &((int32_t *)cs->values)[row]);
    break;
  case SBD_TIMESTAMP:
    ok = tm_parse_timestamp(s, n, &((int64_t *)cs->values)[row]);
    break;
  }
  if (!ok) {
    char shown[96];
    sbd_quote_value(shown, sizeof(shown), s, n);
    return fail(ps, SBD_EINPUT, "column '%s': cannot read %s as %s", col_name(ps, cs->col), shown,
                sbd_type_name(cs->type));
  }
  return true;
}

/* The search for the end of an unquoted field: the first delimiter, LF or quote. A CR is data
 * unless it comes just before the LF, which the callers check. */
typedef struct finder {
#if CSV_SSE2
  __m128i delim, lf, quote;
#endif
  const uint8_t *special;
  char quote_byte; /* LF when quoting is off */
} finder;

static void finder_init(finder *fd, const csv_reader *rd) {
#if CSV_SSE2
  fd->delim = _mm_set1_epi8(rd->d.delim);
  fd->lf = _mm_set1_epi8('\n');
  fd->quote = _mm_set1_epi8(rd->d.quoting ? rd->d.quote : '\n');
#endif
  fd->special = rd->special;
  fd->quote_byte = rd->d.quoting ? rd->d.quote : '\n';
}

/* The first delimiter, LF or quote at or after p; there always is one, as the data ends with
 * LF. *high is set (non-zero) when a byte >= 0x80 comes before it: only then does a string need
 * the UTF-8 check. */
static inline const char *find_field_end(const finder *fd, const char *p, const char *end,
                                         unsigned *high) {
  unsigned hi = 0;
#if CSV_SSE2
  while (end - p >= 16) {
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
    __m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, fd->delim), _mm_cmpeq_epi8(v, fd->lf)),
                             _mm_cmpeq_epi8(v, fd->quote));
    unsigned mask = (unsigned)_mm_movemask_epi8(m);
    unsigned bits = (unsigned)_mm_movemask_epi8(v);
    if (mask) {
      *high = hi | (bits & ((mask & (0u - mask)) - 1)); /* the bytes before the first match */
      return p + __builtin_ctz(mask);
    }
    hi |= bits;
    p += 16;
  }
#endif
  unsigned char c;
  while (!fd->special[c = (unsigned char)*p]) {
    hi |= c & 0x80;
    p++;
  }
  *high = hi;
  return p;
}

/* The first quote or LF at or after p (one exists: the data ends with LF), with the high bits
 * before it as find_field_end collects them. */
static inline const char *find_quote_or_lf(const finder *fd, const char *p, const char *end,
                                           unsigned *high) {
  unsigned hi = 0;
#if CSV_SSE2
  while (end - p >= 16) {
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
    __m128i m = _mm_or_si128(_mm_cmpeq_epi8(v, fd->lf), _mm_cmpeq_epi8(v, fd->quote));
    unsigned mask = (unsigned)_mm_movemask_epi8(m);
    unsigned bits = (unsigned)_mm_movemask_epi8(v);
    if (mask) {
      *high = hi | (bits & ((mask & (0u - mask)) - 1));
      return p + __builtin_ctz(mask);
    }
    hi |= bits;
    p += 16;
  }
#endif
  unsigned char c;
  while ((c = (unsigned char)*p) != '\n' && c != (unsigned char)fd->quote_byte) {
    hi |= c & 0x80;
    p++;
  }
  *high = hi;
  return p;
}

/* Exact powers of ten for Clinger's fast path. */
static const double pow10_exact[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                       1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                       1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* [-]digits, 1 to 18 of them (so no overflow), converted while they are found: returns the end
 * of the digits, or NULL when the text at p is not that. A loop beats branch-free SWAR here:
 * most values are short, and their lengths repeat enough for the branch predictor. */
static inline const char *fast_int64(const char *p, int64_t *out) {
  uint64_t neg = *p == '-', acc = 0;
  p += neg;
  const char *digits = p;
  unsigned dg;
  while ((dg = (unsigned)(unsigned char)*p - '0') < 10) {
    acc = acc * 10 + dg;
    p++;
  }
  if ((size_t)(p - digits) - 1 >= 18)
    return NULL;
  *out = (int64_t)((acc ^ (0 - neg)) + neg);
  return p;
}

/* [-]digits[.digits] with at most 19 digits whose integer is at most 2^53 and at most 22
 * decimals: one division of two exact doubles, which IEEE rounds correctly (Clinger), so the
 * same bits as num_parse_double. Returns the end of the number, or NULL. */
static inline const char *fast_double(const char *p, double *out) {
  bool neg = *p == '-';
  p += neg;
  const char *digits = p;
  uint64_t m = 0;
  unsigned dg;
  while ((dg = (unsigned)(unsigned char)*p - '0') < 10) {
    m = m * 10 + dg;
    p++;
  }
  size_t nint = (size_t)(p - digits), nfrac = 0;
  if (*p == '.') {
    const char *frac = ++p;
    while ((dg = (unsigned)(unsigned char)*p - '0') < 10) {
      m = m * 10 + dg;
      p++;
    }
    nfrac = (size_t)(p - frac);
    if (!nfrac)
      return NULL;
  }
  if (nint == 0 || nint + nfrac > 19 || m > (UINT64_C(1) << 53))
    return NULL;
  double x = (double)m / pow10_exact[nfrac];
  *out = neg ? -x : x;
  return p;
}

/* Appends a string value that needs no check: copied 16 bytes at a time when short. */
static inline bool put_string(parse_state *ps, col_state *cs, const char *s, size_t n,
                              const char *end) {
  if (!str_room(ps, cs, n))
    return false;
  char *dst = cs->bytes + cs->bytes_len;
  if (n <= 16 && end - s >= 16)
    memcpy(dst, s, 16);
  else
    memcpy(dst, s, n);
  cs->bytes_len += (int64_t)n;
  cs->offsets[ps->row + 1] = cs->bytes_len;
  return true;
}

/* The content s[0..n) of a quoted field that holds no quote and no LF (never null). */
static inline bool store_quoted(parse_state *ps, col_state *cs, const char *s, size_t n,
                                unsigned high, const char *end) {
  const char *close = s + n;
  switch (cs->kind) {
  case KIND_STRING:
    if (high && !str_utf8_valid(s, n))
      return fail(ps, SBD_EINPUT, "invalid UTF-8 in column '%s'", col_name(ps, cs->col));
    return put_string(ps, cs, s, n, end);
  case KIND_INT64:
    if (fast_int64(s, &((int64_t *)cs->values)[ps->row]) == close)
      return true;
    break;
  case KIND_DOUBLE:
    if (fast_double(s, &((double *)cs->values)[ps->row]) == close)
      return true;
    break;
  default:
    break;
  }
  return store_text(ps, cs, s, n, true, high);
}

/* The general path of one field at *pp: null tokens, the types without a fast path, quoted
 * fields and malformed ones. Stores the value, moves *pp past the terminator and returns it
 * (TERM_DELIM, TERM_EOL, TERM_END), or returns TERM_ERR with ps->msg set. */
static int general_field(parse_state *ps, const finder *fd, col_state *cs, const char **pp,
                         const char *end) {
  const csv_reader *rd = ps->rd;
  const char *p = *pp;
  if (!(rd->d.quoting && *p == rd->d.quote)) {
    unsigned high;
    const char *q = find_field_end(fd, p, end, &high);
    if (*q == rd->d.delim || *q == '\n') {
      size_t n = (size_t)(q - p);
      if (*q == '\n' && n && q[-1] == '\r')
        n--;
      if (!store_text(ps, cs, p, n, false, high))
        return TERM_ERR;
      *pp = q + 1;
      return *q == '\n' ? TERM_EOL : TERM_DELIM;
    }
  }
  if (rd->d.quoting && *p == rd->d.quote) {
    /* A quoted field without quotes or LFs inside, the common case, in one scan. */
    unsigned high;
    const char *q = find_quote_or_lf(fd, p + 1, end, &high);
    char t = *q == rd->d.quote ? q[1] : 0; /* a quote is never the last byte, LF is */
    if (t == rd->d.delim || t == '\n' || (t == '\r' && q[2] == '\n')) {
      if (!store_quoted(ps, cs, p + 1, (size_t)(q - p - 1), high, end))
        return TERM_ERR;
      *pp = q + (t == '\r' ? 3 : 2);
      return t == rd->d.delim ? TERM_DELIM : TERM_EOL;
    }
  }
  csv_field f;
  scan_field(&rd->d, p, end, &f);
  if (f.term == TERM_ERR) {
    if (f.err == FIELD_UNTERMINATED) {
      ps->err_line = ps->line;
      fail(ps, SBD_EINPUT, "unterminated quoted field (it starts on this line)");
      return TERM_ERR;
    }
    if (f.err == FIELD_STRAY_QUOTE)
      fail(ps, SBD_EINPUT,
           "stray quote in unquoted field in column '%s' (quote the field, or set "
           "quote='' to read quotes as text)",
           col_name(ps, cs->col));
    else
      fail(ps, SBD_EINPUT,
           "column '%s': text after the closing quote of a quoted field (a quote inside a "
           "quoted field is written as two quotes)",
           col_name(ps, cs->col));
    return TERM_ERR;
  }
  ps->line += f.lines;
  const char *s = f.s;
  size_t n = f.n;
  if (f.escaped) {
    if (ps->scratch_cap < n) {
      char *nb = realloc(ps->scratch, n);
      if (!nb) {
        fail(ps, SBD_ENOMEM, "out of memory");
        return TERM_ERR;
      }
      ps->scratch = nb;
      ps->scratch_cap = n;
    }
    n = unescape(f.s, f.n, rd->d.quote, ps->scratch);
    s = ps->scratch;
  }
  if (!store_text(ps, cs, s, n, f.quoted, true))
    return TERM_ERR;
  *pp = f.next;
  return f.term;
}

/* A record failed: stops the chunk with its error or, with on_error=skip, rolls its row back,
 * keeps the record as a reject and moves *pp past it. */
static bool record_failed(parse_state *ps, const char *rec, int64_t rec_line, const char **pp,
                          const char *end) {
  const csv_reader *rd = ps->rd;
  int64_t err_line = ps->err_line >= 0 ? ps->err_line : rec_line;
  ps->err_line = -1;
  rollback_row(ps);
  /* Bad data and over-long records can be skipped; running out of memory cannot. */
  if ((ps->status != SBD_EINPUT && ps->status != SBD_ELIMIT) || !rd->skip) {
    io_chunk_error(ps->c, ps->status, err_line, "%s", ps->msg);
    return false;
  }
  const char *rec_end = record_extent(&rd->d, rec, end);
  if (!io_chunk_reject(ps->c, rec_line, ps->msg, rec, (size_t)(rec_end - rec))) {
    io_chunk_error(ps->c, SBD_ENOMEM, rec_line, "out of memory keeping a rejected record");
    return false;
  }
  ps->line = rec_line + (int64_t)count_newlines(rec, (size_t)(rec_end - rec));
  *pp = rec_end;
  return true;
}

/* Parses the records of [p, end), which ends with LF, into rows. One pass per record; the fast
 * paths write their value before checking what follows it: when that is not the end of the
 * field, the general path parses the field again and overwrites the value, or the record fails
 * and its row is rolled back. The loop keeps few values live (no column index, no flags) so that
 * they all stay in registers. */
static bool parse_records(parse_state *ps, const char *p, const char *end) {
  const csv_reader *rd = ps->rd;
  const char delim = rd->d.delim;
  col_state *const cols = ps->cols, *const last = cols + rd->ncols - 1;
  finder fd;
  finder_init(&fd, rd);
  while (p < end) {
    if (rd->skip_blank && (*p == '\n' || (*p == '\r' && p[1] == '\n'))) {
      p += *p == '\r' ? 2 : 1;
      ps->line++;
      continue;
    }
    if (ps->row == ps->cap_rows && !make_room(ps, (size_t)(end - p))) {
      io_chunk_error(ps->c, ps->status, ps->line, "%s", ps->msg);
      return false;
    }
    const char *const rec = p;
    const int64_t rec_line = ps->line, row = ps->row;
    col_state *cs = cols;
    for (;; cs++) {
      const char *q;
      switch (cs->kind) {
      case KIND_STRING: {
        unsigned high;
        q = find_field_end(&fd, p, end, &high);
        if (*q != delim && *q != '\n')
          goto general; /* a quote: a quoted field, or a stray quote */
        size_t n = (size_t)(q - p);
        if (*q == '\n' && n && q[-1] == '\r')
          n--;
        if (((ps->null_len_mask >> (n < 63 ? n : 63)) & 1) && is_null(rd, p, n)) {
          if (!set_null(ps, cs))
            goto failed;
        } else {
          if (high && !str_utf8_valid(p, n)) {
            fail(ps, SBD_EINPUT, "invalid UTF-8 in column '%s'", col_name(ps, cs->col));
            goto failed;
          }
          if (!put_string(ps, cs, p, n, end))
            goto failed;
        }
        p = q + 1;
        if (*q == delim)
          goto next_field;
        goto record_end;
      }
      case KIND_INT64:
        q = fast_int64(p, &((int64_t *)cs->values)[row]);
        if (!q)
          goto general;
        goto number_end;
      case KIND_DOUBLE:
        q = fast_double(p, &((double *)cs->values)[row]);
        if (!q)
          goto general;
        goto number_end;
      case KIND_SKIP: {
        /* Left out by the projection: only find the field's end (a quote: the general path). */
        unsigned high;
        q = find_field_end(&fd, p, end, &high);
        if (*q != delim && *q != '\n')
          goto general;
        p = q + 1;
        if (*q == delim)
          goto next_field;
        goto record_end;
      }
      default:
        goto general;
      }

    number_end:
      /* A number must be followed by a delimiter, LF or CRLF; anything else is the general
       * path's to read or reject. */
      if (*q == delim) {
        p = q + 1;
        goto next_field;
      }
      if (*q == '\n') {
        p = q + 1;
        goto record_end;
      }
      if (*q == '\r' && q[1] == '\n') {
        p = q + 2;
        goto record_end;
      }
      goto general;

    next_field:
      if (cs == last)
        goto too_many;
      continue;

    general:
      switch (general_field(ps, &fd, cs, &p, end)) {
      case TERM_DELIM:
        goto next_field;
      case TERM_EOL:
        goto record_end;
      case TERM_END:
        if (cs != last)
          goto too_few;
        if (p - rec > rd->max_line)
          goto too_long;
        ps->row = row + 1; /* the input ended without LF: no line to count */
        goto next_record;
      default:
        goto failed;
      }
    }
  record_end:
    if (cs != last)
      goto too_few;
    if (p - rec > rd->max_line)
      goto too_long;
    ps->line++;
    ps->row = row + 1;
  next_record:
    continue;

  too_few:
    fail(ps, SBD_EINPUT, "expected %d fields, found %d", rd->ncols, (int)(cs - cols) + 1);
    goto failed;
  too_long:
    fail(ps, SBD_ELIMIT,
         "a record of %lld bytes is longer than the cap of %lld bytes (max_line_bytes)",
         (long long)(p - rec), (long long)rd->max_line);
    goto failed;
  too_many:
    fail(ps, SBD_EINPUT, "expected %d fields, found %d", rd->ncols, count_fields(&rd->d, rec, end));
  failed:
    if (!record_failed(ps, rec, rec_line, &p, end))
      return false;
  }
  return true;
}

/* Skips the header record (and empty lines before it) at the start of the input. */
static const char *skip_header(const csv_reader *rd, const char *p, const char *end,
                               int64_t *lines) {
  p = skip_blank_lines(p, end, lines);
  const char *e = record_extent(&rd->d, p, end);
  *lines += (int64_t)count_newlines(p, (size_t)(e - p));
  return e;
}

static void csv_parse(void *self, io_chunk *c) {
  const csv_reader *rd = self;
  parse_state ps = {.rd = rd, .c = c, .err_line = -1, .null_len_mask = rd->null_len_mask};
  ps.cols = calloc((size_t)rd->ncols, sizeof(col_state));
  if (!ps.cols) {
    io_chunk_error(c, SBD_ENOMEM, 0, "out of memory");
    return;
  }
  const char *p = c->data, *end = c->data + c->len;
  if (c->first) {
    p = skip_bom(p, end);
    if (rd->header)
      p = skip_header(rd, p, end, &ps.line);
  }
  /* Only the end of the input may lack a final LF: parse that last record from a copy that has
   * one, so that every scan stops at an LF. */
  size_t body = (size_t)(end - p);
  if (body && end[-1] != '\n')
    body = last_record_end(&rd->d, p, body);
  bool ok = parse_records(&ps, p, p + body);
  if (ok && p + body < end) {
    size_t tail = (size_t)(end - p) - body;
    char *copy = malloc(tail + 1);
    if (!copy) {
      io_chunk_error(c, SBD_ENOMEM, ps.line, "out of memory");
      ok = false;
    } else {
      memcpy(copy, p + body, tail);
      copy[tail] = '\n';
      ok = parse_records(&ps, copy, copy + tail + 1);
      ps.line--; /* the LF added to the copy */
      free(copy);
    }
  }
  /* After an error too, the rows before it are delivered (the pipeline reports the error
   * after them). */
  if ((ok || ps.row > 0) && !batch_finish(&ps))
    io_chunk_error(c, ps.status, ps.line, "%s", ps.msg);
  sbd_batch_free(ps.batch);
  c->nlines = ps.line;
  free(ps.cols);
  free(ps.scratch);
}

static size_t csv_cut(void *self, const char *buf, size_t len, bool eof) {
  const csv_reader *rd = self;
  if (eof)
    return len;
  return last_record_end(&rd->d, buf, len);
}

static const io_pipeline_ops csv_pipeline_ops = {csv_cut, csv_parse};

/* ---- the reader
 * --------------------------------------------------------------------------------*/

static void csv_reader_free(csv_reader *rd) {
  if (!rd)
    return;
  io_pipeline_free(rd->pipe);
  for (int i = 0; i < rd->nnulls; i++)
    free(rd->nulls[i]);
  free(rd->nulls);
  free(rd->null_lens);
  free(rd->value_bytes);
  schema_unref(rd->schema);
  schema_unref(rd->out_schema);
  schema_unref(rd->parse_schema);
  free(rd->out_col);
  free(rd->skipped);
  free(rd);
}

static void csv_close(sbd_reader *r) {
  csv_reader_free(r->impl);
  r->impl = NULL;
}

static sbd_status csv_next(sbd_reader *r, sbd_batch **out) {
  csv_reader *rd = r->impl;
  *out = NULL;
  if (!rd->pipe)
    return SBD_OK;
  if (!rd->started) {
    /* The workers read this; they start inside io_pipeline_next, after this store. */
    rd->skip = r->rejects && r->rejects->skip;
    rd->started = true;
  }
  return io_pipeline_next(rd->pipe, r->rejects, &r->rejected, &r->bytes_done, out);
}

static const io_reader_ops csv_reader_ops = {"csv", csv_next, csv_close};

/* The fields of one record of the sample. */
typedef struct field_list {
  csv_field *v;
  int n, cap;
} field_list;

/* Splits the record at p into fields; *next is past it. Returns false when the record is
 * malformed (then *next follows the parity rule, and fl holds the fields before the fault). */
static bool split_record(sbd_ctx *ctx, const csv_dialect *d, const char *p, const char *end,
                         field_list *fl, const char **next, csv_field *bad, sbd_status *st) {
  fl->n = 0;
  const char *rec = p;
  for (;;) {
    csv_field f;
    scan_field(d, p, end, &f);
    if (f.term == TERM_ERR) {
      *bad = f;
      *next = record_extent(d, rec, end);
      return false;
    }
    if (fl->n == fl->cap) {
      int cap = fl->cap ? fl->cap * 2 : 64;
      csv_field *nv = sbd_realloc(ctx, fl->v, sizeof(csv_field) * (size_t)cap);
      if (!nv) {
        *st = SBD_ENOMEM;
        *next = end;
        return false;
      }
      fl->v = nv;
      fl->cap = cap;
    }
    fl->v[fl->n++] = f;
    p = f.next;
    if (f.term != TERM_DELIM) {
      *next = p;
      return true;
    }
  }
}

/* Reads the head of the input: at least SAMPLE_MIN_BYTES, grown until it holds sample_rows
 * records or SAMPLE_MAX_BYTES, and beyond that (up to about twice max_line_bytes) until it holds
 * two records (the header and one row). */
static sbd_status read_sample(sbd_ctx *ctx, io_source *src, const csv_dialect *d,
                              int64_t sample_rows, int64_t max_line, char **out, size_t *out_len) {
  char *buf;
  size_t len, cap = SAMPLE_MIN_BYTES;
  RETURN_IF_ERROR(io_read_sample(ctx, src, cap, &buf, &len));
  while (!src->eof) {
    /* Count records by the parity rule, up to what is needed. */
    int64_t records = 0;
    bool inside = false;
    for (size_t i = 0; i < len && records <= sample_rows; i++) {
      if (d->quoting && buf[i] == d->quote)
        inside = !inside;
      else if (buf[i] == '\n' && !inside)
        records++;
    }
    if (records > sample_rows || (cap >= SAMPLE_MAX_BYTES && records >= 2) ||
        (int64_t)cap > 2 * max_line + (int64_t)SAMPLE_MAX_BYTES)
      break;
    cap *= 2;
    char *nb = sbd_realloc(ctx, buf, cap);
    if (!nb) {
      free(buf);
      return SBD_ENOMEM;
    }
    buf = nb;
    size_t got;
    sbd_status st = io_source_read(ctx, src, buf + len, cap - len, &got);
    if (st != SBD_OK) {
      free(buf);
      return st;
    }
    len += got;
  }
  *out = buf;
  *out_len = len;
  return SBD_OK;
}

/* Picks the delimiter among , ; TAB | that splits the sample's records into the same number of
 * fields (more than one), preferring more fields, then that order; ',' when none does. */
static char detect_delim(sbd_ctx *ctx, const csv_dialect *base, const char *p, const char *end,
                         int64_t max_records, sbd_status *st) {
  static const char candidates[] = {',', ';', '\t', '|'};
  char best = ',';
  int64_t best_matches = -1;
  int best_fields = 0;
  bool best_consistent = false;
  field_list fl = {0};
  for (size_t k = 0; k < sizeof(candidates); k++) {
    csv_dialect d = *base;
    d.delim = candidates[k];
    if (d.quoting && d.delim == d.quote)
      continue;
    int64_t records = 0, matches = 0, lines = 0;
    int first = -1;
    const char *q = skip_blank_lines(p, end, &lines);
    while (q < end && records < max_records) {
      const char *next;
      csv_field bad;
      bool ok = split_record(ctx, &d, q, end, &fl, &next, &bad, st);
      if (*st != SBD_OK) {
        free(fl.v);
        return ',';
      }
      if (first < 0)
        first = ok ? fl.n : -2;
      if (ok && fl.n == first)
        matches++;
      records++;
      q = skip_blank_lines(next, end, &lines);
    }
    if (first <= 1)
      continue;
    bool consistent = matches == records;
    if ((consistent && !best_consistent) ||
        (consistent == best_consistent &&
         (consistent ? first > best_fields : matches > best_matches))) {
      best = d.delim;
      best_matches = matches;
      best_fields = first;
      best_consistent = consistent;
    }
  }
  free(fl.v);
  return best;
}

/* Makes the column names unique: an empty name becomes columnN, a repeated one gets _1, _2, ... */
static sbd_status unique_names(sbd_ctx *ctx, char **names, int n) {
  for (int i = 0; i < n; i++) {
    if (!names[i][0]) {
      char buf[32];
      snprintf(buf, sizeof(buf), "column%d", i);
      char *s = sbd_strdup(ctx, buf);
      if (!s)
        return SBD_ENOMEM;
      free(names[i]);
      names[i] = s;
    }
  }
  for (int i = 1; i < n; i++) {
    bool clash = false;
    for (int j = 0; j < i && !clash; j++)
      clash = strcmp(names[i], names[j]) == 0;
    if (!clash)
      continue;
    size_t len = strlen(names[i]);
    char *s = sbd_malloc(ctx, len + 24);
    if (!s)
      return SBD_ENOMEM;
    for (int k = 1;; k++) {
      snprintf(s, len + 24, "%s_%d", names[i], k);
      clash = false;
      for (int j = 0; j < n && !clash; j++)
        clash = j != i && strcmp(s, names[j]) == 0;
      if (!clash)
        break;
    }
    free(names[i]);
    names[i] = s;
  }
  return SBD_OK;
}

static const char *field_error_text(int err) {
  switch (err) {
  case FIELD_UNTERMINATED:
    return "unterminated quoted field (it starts on this line)";
  case FIELD_STRAY_QUOTE:
    return "stray quote in an unquoted field of the header (quote the field, or set quote='' to "
           "read quotes as text)";
  default:
    return "text after the closing quote of a quoted field in the header (a quote inside a "
           "quoted field is written as two quotes)";
  }
}

/* Everything csv_reader_open works out from the sample, freed at once. */
typedef struct open_state {
  char *sample;
  size_t sample_len;
  char **names;
  int nnames;
  io_infer *infer;
  field_list fl;
  char *scratch;
} open_state;

static void open_state_free(open_state *os) {
  free(os->sample);
  for (int i = 0; i < os->nnames; i++)
    free(os->names[i]);
  free(os->names);
  free(os->infer);
  free(os->fl.v);
  free(os->scratch);
}

static sbd_status read_options(sbd_ctx *ctx, const char *path, const sbd_options *opts,
                               csv_reader *rd, bool *delim_given, int64_t *sample_rows,
                               int64_t *max_line) {
  static const char *const keys[] = {
      IO_COMMON_READ_OPTIONS, "delim", "header", "nulls", "quote", "columns"};
  RETURN_IF_ERROR(
      opt_check_known(ctx, opts, "CSV reader", keys, (int)(sizeof(keys) / sizeof(keys[0]))));
  RETURN_IF_ERROR(opt_get_bool(ctx, opts, "header", true, &rd->header));
  /* A .tsv file, or format=tsv, defaults to tabs. */
  const char *fmt = sbd_options_get(opts, "format");
  const char *dot = strrchr(path, '.');
  rd->d.delim = ',';
  if ((fmt && strcasecmp(fmt, "tsv") == 0) || (!fmt && dot && strcasecmp(dot, ".tsv") == 0)) {
    rd->d.delim = '\t';
    *delim_given = true;
  }
  bool given = false;
  RETURN_IF_ERROR(csv_delim_option(ctx, opts, &rd->d.delim, &given));
  *delim_given = *delim_given || given;
  const char *quote = sbd_options_get(opts, "quote");
  rd->d.quote = '"';
  rd->d.quoting = true;
  if (quote) {
    if (!quote[0]) {
      rd->d.quoting = false;
      rd->d.quote = 0;
    } else if (strlen(quote) != 1 || quote[0] == '\n' || quote[0] == '\r') {
      return sbd_error(ctx, SBD_EUSAGE,
                       "option quote: expected one character (or \"\" for no quoting), not \"%s\"",
                       quote);
    } else {
      rd->d.quote = quote[0];
    }
  }
  if (rd->d.quoting && *delim_given && rd->d.quote == rd->d.delim)
    return sbd_error(ctx, SBD_EUSAGE, "options delim and quote are the same character '%c'",
                     rd->d.delim);
  RETURN_IF_ERROR(parse_null_tokens(ctx, rd, opts));
  RETURN_IF_ERROR(
      opt_get_int(ctx, opts, "sample_rows", DEFAULT_SAMPLE_ROWS, 1, INT64_MAX, sample_rows));
  RETURN_IF_ERROR(opt_get_bytes(ctx, opts, "max_line_bytes", DEFAULT_MAX_LINE_BYTES, max_line));
  if (*max_line < 1)
    return sbd_error(ctx, SBD_EUSAGE, "option max_line_bytes: must be at least 1 byte");
  return SBD_OK;
}

/* The column names: from the header record, or column0, column1, ... */
static sbd_status read_names(sbd_ctx *ctx, const char *path, csv_reader *rd, open_state *os,
                             const char **pp, const char *end, bool eof, int64_t max_line,
                             int64_t *line) {
  const char *p = skip_blank_lines(*pp, end, line);
  if (p == end && rd->header) {
    RETURN_ERROR_IF(eof, ctx, SBD_EINPUT, "%s: the file is empty (no header line)", path);
    return sbd_error(ctx, SBD_ELIMIT,
                     "%s:%lld: the header line is longer than the cap of %lld bytes "
                     "(max_line_bytes), or a quoted field in it is never closed",
                     path, (long long)(*line + 1), (long long)max_line);
  }
  if (p == end) {
    *pp = p;
    return SBD_OK; /* header=false and no record: no columns */
  }
  if (!rd->header) {
    os->nnames = count_fields(&rd->d, p, end);
    os->names = sbd_calloc(ctx, (size_t)os->nnames, sizeof(char *));
    if (!os->names) {
      os->nnames = 0;
      return SBD_ENOMEM;
    }
    for (int i = 0; i < os->nnames; i++) {
      char buf[32];
      snprintf(buf, sizeof(buf), "column%d", i);
      if (!(os->names[i] = sbd_strdup(ctx, buf)))
        return SBD_ENOMEM;
    }
    *pp = p;
    return SBD_OK;
  }
  const char *next;
  csv_field bad;
  sbd_status st = SBD_OK;
  if (!split_record(ctx, &rd->d, p, end, &os->fl, &next, &bad, &st)) {
    RETURN_IF_ERROR(st);
    int64_t at = *line + 1;
    if (bad.err == FIELD_UNTERMINATED)
      at += (int64_t)count_newlines(p, (size_t)(bad.s - p));
    return sbd_error(ctx, SBD_EINPUT, "%s:%lld: %s", path, (long long)at,
                     field_error_text(bad.err));
  }
  os->names = sbd_calloc(ctx, (size_t)os->fl.n, sizeof(char *));
  if (!os->names)
    return SBD_ENOMEM;
  for (int i = 0; i < os->fl.n; i++) {
    csv_field *f = &os->fl.v[i];
    char *name = sbd_malloc(ctx, f->n + 1);
    if (!name)
      return SBD_ENOMEM;
    size_t n = f->escaped ? unescape(f->s, f->n, rd->d.quote, name) : f->n;
    if (!f->escaped)
      memcpy(name, f->s, n);
    name[n] = 0;
    os->names[os->nnames++] = name;
    if (!str_utf8_valid(name, n) || memchr(name, 0, n))
      return sbd_error(ctx, SBD_EINPUT,
                       "%s:%lld: invalid UTF-8 or a NUL byte in the header line (column %d)", path,
                       (long long)(*line + 1), i + 1);
  }
  *line += (int64_t)count_newlines(p, (size_t)(next - p));
  *pp = next;
  return unique_names(ctx, os->names, os->nnames);
}

/* Infers the column types from the sample's records in [p, end) and measures their sizes. */
static sbd_status infer_sample(sbd_ctx *ctx, csv_reader *rd, open_state *os, const char *p,
                               const char *end, int64_t sample_rows) {
  int ncols = os->nnames;
  os->infer = sbd_calloc(ctx, (size_t)ncols, sizeof(io_infer));
  rd->value_bytes = sbd_calloc(ctx, (size_t)ncols, sizeof(double));
  if (!os->infer || !rd->value_bytes)
    return SBD_ENOMEM;
  for (int i = 0; i < ncols; i++)
    infer_init(&os->infer[i]);
  size_t scratch_cap = 0;
  int64_t rows = 0, lines = 0;
  size_t rows_bytes = 0;
  p = skip_blank_lines(p, end, &lines);
  while (p < end && rows < sample_rows) {
    const char *next;
    csv_field bad;
    sbd_status st = SBD_OK;
    bool ok = split_record(ctx, &rd->d, p, end, &os->fl, &next, &bad, &st);
    RETURN_IF_ERROR(st);
    /* A malformed record is left to the parser, which reports it at its line. */
    for (int i = 0; ok && i < os->fl.n && i < ncols; i++) {
      csv_field *f = &os->fl.v[i];
      if (!f->quoted && is_null(rd, f->s, f->n))
        continue;
      const char *s = f->s;
      size_t n = f->n;
      if (f->escaped) {
        if (scratch_cap < n) {
          char *nb = sbd_realloc(ctx, os->scratch, n);
          if (!nb)
            return SBD_ENOMEM;
          os->scratch = nb;
          scratch_cap = n;
        }
        n = unescape(f->s, f->n, rd->d.quote, os->scratch);
        s = os->scratch;
      }
      infer_text(&os->infer[i], s, n);
      rd->value_bytes[i] += (double)n;
    }
    rows++;
    rows_bytes += (size_t)(next - p);
    p = skip_blank_lines(next, end, &lines);
  }
  rd->row_bytes = rows ? (double)rows_bytes / (double)rows : 8.0 * ncols + 8;
  if (rd->row_bytes < 2)
    rd->row_bytes = 2;
  for (int i = 0; i < ncols; i++)
    rd->value_bytes[i] = rows ? rd->value_bytes[i] / (double)rows : 16;
  return SBD_OK;
}

/* The schema: the names, with the types of force where it names a column, else inferred. */
static sbd_status build_schema(sbd_ctx *ctx, const char *path, csv_reader *rd, open_state *os,
                               const sbd_schema *force) {
  int ncols = os->nnames;
  if (force) {
    for (int i = 0; i < force->ncols; i++) {
      const char *want = force->fields[i].name;
      bool found = false;
      for (int j = 0; j < ncols && !found; j++)
        found = strcmp(os->names[j], want) == 0;
      if (found)
        continue;
      const char *near = sbd_closest(want, (const char *const *)os->names, ncols);
      if (near)
        return sbd_error(ctx, SBD_EINPUT,
                         "%s: the schema names column '%s', which the file does not have (did "
                         "you mean '%s'?)",
                         path, want, near);
      return sbd_error(ctx, SBD_EINPUT,
                       "%s: the schema names column '%s', which the file does not have", path,
                       want);
    }
  }
  rd->schema = schema_new(ctx, ncols);
  if (!rd->schema)
    return SBD_ENOMEM;
  for (int i = 0; i < ncols; i++) {
    sbd_type t = infer_result(&os->infer[i]);
    int k = force ? sbd_schema_find(force, os->names[i]) : -1;
    if (k >= 0)
      t = force->fields[k].type;
    RETURN_IF_ERROR(schema_set(ctx, rd->schema, i, os->names[i], t));
  }
  return SBD_OK;
}

/* Option columns: the projection (out_schema, out_col, parse_schema, skipped). */
static sbd_status choose_columns(sbd_ctx *ctx, const char *path, csv_reader *rd, const char *list) {
  const sbd_schema *s = rd->schema;
  int cap = 1;
  for (const char *p = list; *p; p++)
    cap += *p == ',';
  rd->out_col = sbd_calloc(ctx, (size_t)cap, sizeof(int));
  rd->skipped = sbd_calloc(ctx, (size_t)(s->ncols ? s->ncols : 1), sizeof(bool));
  rd->out_schema = schema_new(ctx, cap);
  rd->parse_schema = schema_new(ctx, s->ncols);
  if (!rd->out_col || !rd->skipped || !rd->out_schema || !rd->parse_schema)
    return SBD_ENOMEM;
  for (int i = 0; i < s->ncols; i++)
    rd->skipped[i] = true;
  int n = 0;
  for (const char *p = list;;) {
    const char *e = strchr(p, ',');
    size_t len = e ? (size_t)(e - p) : strlen(p);
    while (len && (*p == ' ' || *p == '\t')) {
      p++;
      len--;
    }
    while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
      len--;
    int k = -1;
    for (int i = 0; i < s->ncols && k < 0; i++)
      if (strlen(s->fields[i].name) == len && memcmp(s->fields[i].name, p, len) == 0)
        k = i;
    RETURN_ERROR_IF(len == 0, ctx, SBD_EUSAGE, "option columns: an empty column name in \"%s\"",
                    list);
    RETURN_ERROR_IF(k < 0, ctx, SBD_ENOTFOUND,
                    "%s: option columns names column '%.*s', which the file does not have", path,
                    (int)len, p);
    RETURN_ERROR_IF(!rd->skipped[k], ctx, SBD_EUSAGE,
                    "option columns: column '%.*s' is named twice", (int)len, p);
    rd->skipped[k] = false;
    rd->out_col[n] = k;
    RETURN_IF_ERROR(schema_set(ctx, rd->out_schema, n++, s->fields[k].name, s->fields[k].type));
    if (!e)
      break;
    p = e + 1;
  }
  for (int i = 0; i < s->ncols; i++)
    RETURN_IF_ERROR(schema_set(ctx, rd->parse_schema, i, s->fields[i].name,
                               rd->skipped[i] ? SBD_BOOL : s->fields[i].type));
  return SBD_OK;
}

sbd_status csv_reader_open(sbd_ctx *ctx, const char *path, const sbd_options *opts,
                           const sbd_schema *force, sbd_reader **out) {
  *out = NULL;
  csv_reader *rd = sbd_calloc(ctx, 1, sizeof(*rd));
  if (!rd)
    return SBD_ENOMEM;
  open_state os = {0};
  io_source *src = NULL;
  bool delim_given = false;
  int64_t sample_rows = 0, max_line = 0;
  sbd_status st = read_options(ctx, path, opts, rd, &delim_given, &sample_rows, &max_line);
  rd->max_line = max_line;
  if (st == SBD_OK)
    st = io_source_open(ctx, path, &src);
  if (st == SBD_OK)
    st = read_sample(ctx, src, &rd->d, sample_rows, max_line, &os.sample, &os.sample_len);
  const char *p = NULL, *end = NULL;
  int64_t line = 0;
  if (st == SBD_OK) {
    bool eof = src->eof;
    p = skip_bom(os.sample, os.sample + os.sample_len);
    /* Only whole records: a partial one at the end of the sample is read later in full. */
    end = eof ? os.sample + os.sample_len
              : p + last_record_end(&rd->d, p, (size_t)(os.sample + os.sample_len - p));
    if (!delim_given)
      rd->d.delim =
          detect_delim(ctx, &rd->d, p, end,
                       sample_rows < DETECT_RECORDS ? sample_rows + 1 : DETECT_RECORDS, &st);
    if (st == SBD_OK)
      st = read_names(ctx, path, rd, &os, &p, end, eof, max_line, &line);
  }
  if (st == SBD_OK)
    st = infer_sample(ctx, rd, &os, p, end, sample_rows);
  if (st == SBD_OK)
    st = build_schema(ctx, path, rd, &os, force);
  const char *columns = sbd_options_get(opts, "columns");
  if (st == SBD_OK && columns)
    st = choose_columns(ctx, path, rd, columns);
  sbd_reader *r = NULL;
  if (st == SBD_OK) {
    rd->ncols = os.nnames;
    rd->skip_blank = rd->ncols > 1;
    /* The fused number paths would read a delimiter such as '.' as part of a number. */
    if (strchr("0123456789.-", rd->d.delim) ||
        (rd->d.quoting && strchr("0123456789.-", rd->d.quote)))
      rd->fast_numbers = false;
    memset(rd->special, 0, sizeof(rd->special));
    rd->special[(unsigned char)rd->d.delim] = 1;
    rd->special['\n'] = 1;
    if (rd->d.quoting)
      rd->special[(unsigned char)rd->d.quote] = 1;
    r = io_reader_new(ctx, &csv_reader_ops, path);
    if (!r)
      st = SBD_ENOMEM;
  }
  if (st == SBD_OK) {
    r->bytes_total = src->size;
    r->schema = schema_ref(rd->out_schema ? rd->out_schema : rd->schema);
    r->impl = rd;
    if (rd->ncols > 0) {
      st = io_pipeline_new(ctx, src, &csv_pipeline_ops, rd, os.sample, os.sample_len, 0, max_line,
                           &rd->pipe);
      src = NULL; /* the pipeline owns it now, even when it failed */
    }
  }
  io_source_close(src);
  open_state_free(&os);
  if (st != SBD_OK) {
    if (r)
      sbd_reader_close(r); /* frees rd through csv_close */
    else
      csv_reader_free(rd);
    return st;
  }
  *out = r;
  return SBD_OK;
}
