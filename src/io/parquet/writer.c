/*
 * writer.c — the Parquet writer (apache/parquet-format README, Encodings.md, PageIndex.md).
 *
 * File layout: "PAR1", the row groups (each a column chunk per column: an optional dictionary
 * page, then data pages), the column indexes of every chunk, the offset indexes of every chunk,
 * the footer (FileMetaData), its length (4 bytes, little-endian) and "PAR1".
 *
 * Every column is written OPTIONAL (max definition level 1, no repetition levels), so each data
 * page carries RLE/bit-packed definition levels: prefixed by their 4-byte length in a v1 page,
 * uncompressed and counted in the header in a v2 page. Values are PLAIN, RLE_DICTIONARY (with
 * a PLAIN dictionary page; when the dictionary would pass parquet_dict_limit, or would stop
 * paying for itself (dict_pays), the page where that happens and every later page of the chunk
 * are PLAIN, and the dictionary keeps only the entries of the pages that use it),
 * DELTA_BINARY_PACKED (INT64, TIMESTAMP, DATE) or BYTE_STREAM_SPLIT (DOUBLE), as option
 * parquet_encoding says; under delta and byte_stream_split the other columns keep the dictionary,
 * BOOLEAN is always PLAIN (bit-packed), a page of nulls only is PLAIN (so an all-null chunk has no
 * dictionary page), and DATE chunks whose values span 2^31 days or more, whose INT32 deltas would
 * not fit 32 bits, fall back from delta to PLAIN.
 *
 * The writer buffers one row group: the batches' vectors are appended to one vector per column
 * until row_group_rows rows or row_group_bytes bytes of values are held (a batch is cut where
 * either limit falls; a row group holds at least one row). The columns of a full row group are
 * then encoded and compressed in parallel on the context's pool, one task per column, while the
 * caller goes on filling the next row group; the chunks are written in column order when that
 * one is full or the file is finished (flush_row_group, finish_flight). Memory is thus two
 * buffered row groups plus the encoded chunks of one. What the footer and the page indexes need
 * (chunk metadata and statistics, serialized column and offset indexes) is kept until the end; it
 * is small beside the data.
 *
 * Statistics: per page header and per column chunk, min_value and max_value in the column's
 * type-defined order (signed for numbers, false < true, unsigned bytes for strings; full values,
 * not truncated), null_count always, and for DOUBLE nan_count with NaN left out of min and max
 * (+0.0 / -0.0 normalised as parquet.thrift asks). The deprecated min/max (signed order) are
 * also set, except for strings, whose order they would get wrong.
 */
#include "io/parquet/pq_int.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the Parquet writer copies values in host order, which must be little-endian"
#endif

#ifndef SBD_BUILD
#define SBD_BUILD "dev"
#endif

#define PQ_CREATED_BY "sbd version " SBD_VERSION " (build " SBD_BUILD ")"

#define DEFAULT_ROW_GROUP_ROWS 1048576
#define DEFAULT_ROW_GROUP_BYTES ((int64_t)128 << 20)
#define DEFAULT_PAGE_BYTES ((int64_t)1 << 20)
#define DEFAULT_DICT_LIMIT ((int64_t)1 << 20)
/* Pages and dictionaries stay well under the 2 GiB that the i32 sizes of a page header allow
 * (a page may pass page_bytes by one value, which is at most SBD_MAX_VALUE_BYTES). */
#define MAX_PAGE_BYTES ((int64_t)1 << 30)
#define MAX_DICT_LIMIT ((int64_t)1 << 30)
#define MAX_FOOTER_BYTES ((size_t)1 << 30)
/* The cap of one encoded column chunk; a row group is bounded by row_group_bytes well before. */
#define MAX_CHUNK_BYTES (SIZE_MAX / 4)

typedef enum enc_mode { MODE_PLAIN, MODE_DICTIONARY, MODE_DELTA, MODE_BSS } enc_mode;

typedef struct wopts {
  int codec;
  int level;
  int64_t row_group_rows, row_group_bytes, page_bytes, dict_limit;
  enc_mode mode;
  bool v2;
} wopts;

/* How one sbd column is stored. */
typedef struct col_desc {
  const char *name;
  sbd_type type;
  int32_t ptype;     /* pq_type */
  int width;         /* bytes per PLAIN value; 0 for BYTE_ARRAY and BOOLEAN */
  bool dictionary;   /* try RLE_DICTIONARY */
  int32_t value_enc; /* the encoding of data pages without the dictionary */
} col_desc;

/* Statistics of a page or a chunk. "values" counts the non-null values that are not NaN; min and
 * max are over those. Strings point into the vector being written. */
typedef struct stat_acc {
  int64_t nulls, nans, values;
  int64_t imin, imax; /* BOOL, INT64, DATE, TIMESTAMP */
  double fmin, fmax;  /* DOUBLE */
  const uint8_t *smin, *smax;
  size_t smin_len, smax_len;
} stat_acc;

typedef struct page_rec {
  int64_t offset; /* of the page header, from the start of the data pages */
  int32_t size;   /* header and body */
  int64_t first_row;
  stat_acc st;
} page_rec;

/* An insert-only hash table of distinct values, in first-seen order. */
typedef struct dict {
  uint32_t *slots; /* entry + 1; 0 is empty */
  uint32_t mask;
  uint32_t count, cap;
  uint64_t *keys;   /* fixed-width values: their bits; strings: their hash */
  uint32_t *stamp;  /* strings: the last page (chunk_job.page_stamp) that used the entry */
  int64_t *str_off; /* strings: count + 1 offsets into bytes */
  uint8_t *bytes;
  size_t bytes_len, bytes_cap;
  size_t plain_bytes; /* the PLAIN size of the entries */
} dict;

typedef struct job_group {
  pthread_mutex_t lock;
  pthread_cond_t done;
  int pending;
} job_group;

/* One column chunk being encoded: the input, the output and the scratch buffers of a task. */
typedef struct chunk_job {
  const wopts *o;
  const col_desc *desc;
  const sbd_vec *vec;
  job_group *group;
  sbd_ctx *ctx; /* private to the task: for the messages of the codecs */
  sbd_status status;
  int32_t value_enc; /* this chunk's encoding without the dictionary (desc's, or PLAIN) */

  pq_tenc dict_page; /* header and body; empty when no page uses the dictionary */
  pq_tenc pages;     /* the data pages, headers included */
  pq_tenc header;    /* scratch for one page header */
  pq_tenc column_index;
  bool has_column_index;
  page_rec *recs;
  int npages, cap_recs;
  stat_acc st;
  int64_t uncompressed_bytes; /* every page, headers included */
  int dict_pages_used;        /* data pages encoded with the dictionary */
  uint32_t page_stamp;        /* counts the pages given to dict_add_page, from 1 */
  int64_t dict_values;        /* the values of those pages */
  int64_t dict_values_plain;  /* their PLAIN size in bytes */
  int pages_by_enc[10];       /* data pages by encoding */
  bool enc_used[10];

  dict d;
  uint32_t *levels, *indices;
  size_t cap_levels, cap_indices;
  int64_t *i64s;
  size_t cap_i64s;
  uint8_t *body, *values, *comp;
  size_t cap_body, cap_values, cap_comp;
} chunk_job;

/* Where a chunk's indexes are in the writer's index buffers. */
typedef struct chunk_index_ref {
  bool has_ci;
  size_t ci_off, ci_len, oi_off, oi_len;
} chunk_index_ref;

typedef struct pq_writer {
  wopts o;
  int ncols;
  col_desc *cols;
  sbd_vec **buf; /* the row group being filled */
  int64_t buf_rows, buf_bytes;
  int64_t total_rows;
  chunk_job *jobs;
  int *order; /* the order in which the columns are handed to the pool */
  bool failed;

  /* The row group being encoded on the pool while the next one fills buf: its vectors, its row
   * count, and the group its tasks count down. At most one is in flight. */
  sbd_vec **flight;
  int64_t flight_rows;
  bool in_flight;
  job_group group;
  bool group_ready; /* its lock and condition are initialised */

  arena meta; /* copies the footer keeps: statistics, encodings, chunk lists */
  pq_row_group *rgs;
  int nrgs, cap_rgs;
  chunk_index_ref *refs; /* nrgs * ncols */
  pq_tenc ci_buf, oi_buf;
  char *schema_text;
} pq_writer;

/* ---- small helpers
 * ------------------------------------------------------------------------------*/

static bool grow_bytes(uint8_t **p, size_t *cap, size_t need) {
  if (need <= *cap)
    return true;
  size_t c = *cap ? *cap : 4096;
  while (c < need)
    c = c > SIZE_MAX / 2 ? need : c * 2;
  uint8_t *q = realloc(*p, c);
  if (!q)
    return false;
  *p = q;
  *cap = c;
  return true;
}

static bool grow_array(void **p, size_t *cap, size_t need, size_t elem) {
  if (need <= *cap)
    return true;
  size_t c = *cap ? *cap : 1024;
  while (c < need)
    c *= 2;
  if (c > SIZE_MAX / elem)
    return false;
  void *q = realloc(*p, c * elem);
  if (!q)
    return false;
  *p = q;
  *cap = c;
  return true;
}

static void put_u32le(uint8_t *p, uint32_t v) {
  for (int i = 0; i < 4; i++)
    p[i] = (uint8_t)(v >> (8 * i));
}

static int bits_for(uint32_t max_value) {
  int w = 0;
  while (w < 32 && (max_value >> w) != 0)
    w++;
  return w;
}

/* String i of v; never a null pointer, even when v holds no bytes at all. */
static const uint8_t *str_at(const sbd_vec *v, int64_t i, size_t *n) {
  const int64_t *off = v->values;
  *n = (size_t)(off[i + 1] - off[i]);
  return v->bytes ? (const uint8_t *)v->bytes + off[i] : (const uint8_t *)"";
}

static int bytes_cmp(const uint8_t *a, size_t an, const uint8_t *b, size_t bn) {
  int c = memcmp(a, b, an < bn ? an : bn);
  if (c)
    return c;
  return an < bn ? -1 : an > bn;
}

static sbd_status job_fail(chunk_job *j, sbd_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static sbd_status job_fail(chunk_job *j, sbd_status st, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  sbd_verror(j->ctx, st, fmt, ap);
  va_end(ap);
  return st;
}

/* The non-null rows of v in [from, to). */
static int64_t count_valid(const sbd_vec *v, int64_t from, int64_t to) {
  if (!v->validity)
    return to - from;
  int64_t k = 0;
  for (int64_t i = from; i < to; i++)
    k += vec_is_valid(v, i);
  return k;
}

/* ---- statistics
 * ---------------------------------------------------------------------------------*/

static void stat_init(stat_acc *s) {
  memset(s, 0, sizeof(*s));
}

/* Adds rows [from, to) of v. */
static void stat_rows(const col_desc *c, const sbd_vec *v, int64_t from, int64_t to, stat_acc *s) {
  for (int64_t i = from; i < to; i++) {
    if (!vec_is_valid(v, i)) {
      s->nulls++;
      continue;
    }
    switch (c->type) {
    case SBD_DOUBLE: {
      double x = ((const double *)v->values)[i];
      if (x != x) {
        s->nans++;
        continue;
      }
      if (!s->values || x < s->fmin)
        s->fmin = x;
      if (!s->values || x > s->fmax)
        s->fmax = x;
      break;
    }
    case SBD_STRING: {
      size_t n;
      const uint8_t *p = str_at(v, i, &n);
      if (!s->values || bytes_cmp(p, n, s->smin, s->smin_len) < 0) {
        s->smin = p;
        s->smin_len = n;
      }
      if (!s->values || bytes_cmp(p, n, s->smax, s->smax_len) > 0) {
        s->smax = p;
        s->smax_len = n;
      }
      break;
    }
    default: {
      int64_t x = c->type == SBD_BOOL   ? ((const uint8_t *)v->values)[i]
                  : c->type == SBD_DATE ? ((const int32_t *)v->values)[i]
                                        : ((const int64_t *)v->values)[i];
      if (!s->values || x < s->imin)
        s->imin = x;
      if (!s->values || x > s->imax)
        s->imax = x;
      break;
    }
    }
    s->values++;
  }
}

/* Orders the minimums (which = 0) or maximums (1) of two statistics with values. */
static int stat_cmp(const col_desc *c, const stat_acc *a, const stat_acc *b, int which) {
  switch (c->type) {
  case SBD_DOUBLE: {
    double x = which ? a->fmax : a->fmin, y = which ? b->fmax : b->fmin;
    return x < y ? -1 : x > y;
  }
  case SBD_STRING:
    return which ? bytes_cmp(a->smax, a->smax_len, b->smax, b->smax_len)
                 : bytes_cmp(a->smin, a->smin_len, b->smin, b->smin_len);
  default: {
    int64_t x = which ? a->imax : a->imin, y = which ? b->imax : b->imin;
    return x < y ? -1 : x > y;
  }
  }
}

static void stat_merge(const col_desc *c, stat_acc *into, const stat_acc *s) {
  into->nulls += s->nulls;
  into->nans += s->nans;
  if (s->values) {
    if (!into->values) {
      int64_t nulls = into->nulls, nans = into->nans, values = into->values;
      *into = *s;
      into->nulls = nulls;
      into->nans = nans;
      into->values = values;
    } else {
      if (stat_cmp(c, s, into, 0) < 0) {
        into->imin = s->imin;
        into->fmin = s->fmin;
        into->smin = s->smin;
        into->smin_len = s->smin_len;
      }
      if (stat_cmp(c, s, into, 1) > 0) {
        into->imax = s->imax;
        into->fmax = s->fmax;
        into->smax = s->smax;
        into->smax_len = s->smax_len;
      }
    }
  }
  into->values += s->values;
}

/* The PLAIN bytes (without a length prefix) of the minimum (which = 0) or maximum; buf has 8
 * bytes for the fixed-width types. */
static pq_bytes stat_value(const col_desc *c, const stat_acc *s, int which, uint8_t *buf) {
  pq_bytes b = {buf, 0};
  switch (c->type) {
  case SBD_STRING:
    b.ptr = which ? s->smax : s->smin;
    b.len = (uint32_t)(which ? s->smax_len : s->smin_len);
    if (!b.ptr)
      b.ptr = buf; /* an empty string */
    return b;
  case SBD_DOUBLE: {
    double x = which ? s->fmax : s->fmin;
    if (x == 0)
      x = which ? 0.0 : -0.0;
    memcpy(buf, &x, 8);
    b.len = 8;
    return b;
  }
  case SBD_BOOL:
    buf[0] = (uint8_t)(which ? s->imax : s->imin);
    b.len = 1;
    return b;
  case SBD_DATE: {
    int32_t x = (int32_t)(which ? s->imax : s->imin);
    memcpy(buf, &x, 4);
    b.len = 4;
    return b;
  }
  default: {
    int64_t x = which ? s->imax : s->imin;
    memcpy(buf, &x, 8);
    b.len = 8;
    return b;
  }
  }
}

/* Fills a Statistics struct; minbuf and maxbuf (8 bytes each) back the fixed-width values. */
static void stat_fill(const col_desc *c, const stat_acc *s, bool exact, pq_statistics *out,
                      uint8_t *minbuf, uint8_t *maxbuf) {
  memset(out, 0, sizeof(*out));
  out->has_null_count = true;
  out->null_count = s->nulls;
  if (c->type == SBD_DOUBLE) {
    out->has_nan_count = true;
    out->nan_count = s->nans;
  }
  if (!s->values)
    return;
  out->has_min_value = out->has_max_value = true;
  out->min_value = stat_value(c, s, 0, minbuf);
  out->max_value = stat_value(c, s, 1, maxbuf);
  if (c->ptype != PQ_BYTE_ARRAY) {
    out->has_min = out->has_max = true;
    out->min = out->min_value;
    out->max = out->max_value;
  }
  if (exact) {
    out->has_is_min_value_exact = out->has_is_max_value_exact = true;
    out->is_min_value_exact = out->is_max_value_exact = true;
  }
}

/* ---- the dictionary
 * ------------------------------------------------------------------------------*/

static void dict_free(dict *d) {
  free(d->slots);
  free(d->keys);
  free(d->stamp);
  free(d->str_off);
  free(d->bytes);
  memset(d, 0, sizeof(*d));
}

/* Empties d for the next chunk, keeping its memory. */
static void dict_clear(dict *d) {
  if (d->slots)
    memset(d->slots, 0, ((size_t)d->mask + 1) * sizeof(uint32_t));
  d->count = 0;
  d->bytes_len = 0;
  d->plain_bytes = 0;
  if (d->str_off)
    d->str_off[0] = 0;
}

static uint64_t dict_hash_of(const dict *d, bool strings, uint32_t e) {
  return strings ? d->keys[e] : hash_u64(d->keys[e]);
}

/* Makes room for one more entry; false when out of memory. */
static bool dict_reserve(dict *d, bool strings) {
  if (d->count + 1 > d->cap) {
    size_t cap = d->cap ? (size_t)d->cap * 2 : 1024;
    if (cap > UINT32_MAX)
      return false;
    uint64_t *keys = realloc(d->keys, cap * sizeof(uint64_t));
    if (!keys)
      return false;
    d->keys = keys;
    if (strings) {
      uint32_t *stamp = realloc(d->stamp, cap * sizeof(uint32_t));
      if (!stamp)
        return false;
      d->stamp = stamp;
      int64_t *off = realloc(d->str_off, (cap + 1) * sizeof(int64_t));
      if (!off)
        return false;
      if (!d->str_off)
        off[0] = 0;
      d->str_off = off;
    }
    d->cap = (uint32_t)cap;
  }
  if (!d->slots || ((size_t)d->count + 1) * 2 > (size_t)d->mask + 1) {
    size_t n = d->slots ? ((size_t)d->mask + 1) * 2 : 1024;
    if (n > UINT32_MAX)
      return false;
    uint32_t *slots = calloc(n, sizeof(uint32_t));
    if (!slots)
      return false;
    uint32_t mask = (uint32_t)(n - 1);
    for (uint32_t e = 0; e < d->count; e++) {
      uint32_t i = (uint32_t)dict_hash_of(d, strings, e) & mask;
      while (slots[i])
        i = (i + 1) & mask;
      slots[i] = e + 1;
    }
    free(d->slots);
    d->slots = slots;
    d->mask = mask;
  }
  return true;
}

/* The entry of a fixed-width value (its bits), added when new; -1 when out of memory. */
static int64_t dict_fixed(dict *d, uint64_t bits, int width) {
  uint32_t i = (uint32_t)hash_u64(bits) & d->mask;
  for (; d->slots[i]; i = (i + 1) & d->mask)
    if (d->keys[d->slots[i] - 1] == bits)
      return d->slots[i] - 1;
  if (!dict_reserve(d, false))
    return -1;
  /* A rehash moved the slots. */
  i = (uint32_t)hash_u64(bits) & d->mask;
  while (d->slots[i])
    i = (i + 1) & d->mask;
  d->keys[d->count] = bits;
  d->slots[i] = ++d->count;
  d->plain_bytes += (size_t)width;
  return d->count - 1;
}

static int64_t dict_string(dict *d, const uint8_t *p, size_t n) {
  uint64_t h = hash_bytes(p, n, 0);
  uint32_t i = (uint32_t)h & d->mask;
  for (; d->slots[i]; i = (i + 1) & d->mask) {
    uint32_t e = d->slots[i] - 1;
    if (d->keys[e] == h && (size_t)(d->str_off[e + 1] - d->str_off[e]) == n &&
        memcmp(d->bytes + d->str_off[e], p, n) == 0)
      return e;
  }
  if (!dict_reserve(d, true) || !grow_bytes(&d->bytes, &d->bytes_cap, d->bytes_len + n + 1))
    return -1;
  i = (uint32_t)h & d->mask;
  while (d->slots[i])
    i = (i + 1) & d->mask;
  if (n)
    memcpy(d->bytes + d->bytes_len, p, n);
  d->bytes_len += n;
  d->keys[d->count] = h;
  d->stamp[d->count] = 0;
  d->str_off[d->count + 1] = (int64_t)d->bytes_len;
  d->slots[i] = ++d->count;
  d->plain_bytes += 4 + n;
  return d->count - 1;
}

/* ---- value encodings
 * ----------------------------------------------------------------------------*/

/* The PLAIN values of the non-null rows [from, to) into out; returns the bytes written. The
 * caller sized out with plain_bound. */
static size_t plain_bound(const col_desc *c, const sbd_vec *v, int64_t from, int64_t to) {
  int64_t rows = to - from;
  if (c->type == SBD_STRING) {
    const int64_t *off = v->values;
    return (size_t)(4 * rows + (off[to] - off[from]));
  }
  if (c->type == SBD_BOOL)
    return (size_t)(rows + 7) / 8;
  return (size_t)rows * (size_t)c->width;
}

static size_t encode_plain(const col_desc *c, const sbd_vec *v, int64_t from, int64_t to,
                           uint8_t *out) {
  size_t pos = 0;
  if (c->type == SBD_STRING) {
    for (int64_t i = from; i < to; i++) {
      if (!vec_is_valid(v, i))
        continue;
      size_t n;
      const uint8_t *s = str_at(v, i, &n);
      put_u32le(out + pos, (uint32_t)n);
      memcpy(out + pos + 4, s, n);
      pos += 4 + n;
    }
    return pos;
  }
  if (c->type == SBD_BOOL) {
    const uint8_t *b = v->values;
    size_t k = 0;
    for (int64_t i = from; i < to; i++) {
      if (!vec_is_valid(v, i))
        continue;
      if ((k & 7) == 0)
        out[k >> 3] = 0;
      out[k >> 3] |= (uint8_t)((b[i] & 1) << (k & 7));
      k++;
    }
    return (k + 7) / 8;
  }
  size_t w = (size_t)c->width;
  const uint8_t *src = v->values;
  if (!v->validity) {
    memcpy(out, src + (size_t)from * w, (size_t)(to - from) * w);
    return (size_t)(to - from) * w;
  }
  for (int64_t i = from; i < to; i++) {
    if (!vec_is_valid(v, i))
      continue;
    memcpy(out + pos, src + (size_t)i * w, w);
    pos += w;
  }
  return pos;
}

/* The non-null values of rows [from, to) as int64 (DATE widened) into j->i64s. */
static bool gather_i64(chunk_job *j, int64_t from, int64_t to, size_t *n_out) {
  if (!grow_array((void **)&j->i64s, &j->cap_i64s, (size_t)(to - from) + 1, sizeof(int64_t)))
    return false;
  const sbd_vec *v = j->vec;
  size_t n = 0;
  for (int64_t i = from; i < to; i++) {
    if (!vec_is_valid(v, i))
      continue;
    j->i64s[n++] =
        v->type == SBD_DATE ? ((const int32_t *)v->values)[i] : ((const int64_t *)v->values)[i];
  }
  *n_out = n;
  return true;
}

/* ---- pages
 * --------------------------------------------------------------------------------------*/

/* The end of the page that starts at row from: rows until their PLAIN size reaches page_bytes. */
static int64_t page_end(const chunk_job *j, int64_t from) {
  const sbd_vec *v = j->vec;
  int64_t n = v->len, limit = j->o->page_bytes;
  /* Page headers count rows in an i32. */
  int64_t max_rows = INT32_MAX / 2;
  if (j->desc->type == SBD_STRING) {
    const int64_t *off = v->values;
    int64_t i = from;
    while (i < n && i - from < max_rows && 4 * (i - from) + (off[i] - off[from]) < limit)
      i++;
    return i > from ? i : from + 1;
  }
  int64_t per = j->desc->width ? j->desc->width : 1;
  int64_t rows = (limit + per - 1) / per;
  if (rows > max_rows)
    rows = max_rows;
  return n - from < rows ? n : from + rows;
}

/* Compresses in[0..n) into j->comp unless the codec is none; *out is what to write. */
static sbd_status compress_into(chunk_job *j, const uint8_t *in, size_t n, const uint8_t **out,
                                size_t *out_len) {
  if (j->o->codec == PQ_CODEC_UNCOMPRESSED) {
    *out = in;
    *out_len = n;
    return SBD_OK;
  }
  size_t bound = pq_compress_bound(j->o->codec, n);
  if (bound == 0 && n > 0)
    return job_fail(j, SBD_ELIMIT, "a page of %zu bytes is too large for %s", n,
                    pq_codec_name(j->o->codec));
  if (!grow_bytes(&j->comp, &j->cap_comp, bound + 1))
    return job_fail(j, SBD_ENOMEM, "out of memory for a compressed page of %zu bytes", bound);
  RETURN_IF_ERROR(
      pq_compress(j->ctx, j->o->codec, j->o->level, in, n, j->comp, bound + 1, out_len));
  *out = j->comp;
  return SBD_OK;
}

/* Appends a page: its header h (sizes filled in here) and body. */
static sbd_status append_page(chunk_job *j, pq_tenc *to, pq_page_header *h, size_t uncompressed,
                              const uint8_t *body, size_t body_len, const uint8_t *body2,
                              size_t body2_len) {
  size_t total = body_len + body2_len;
  if (uncompressed > INT32_MAX || total > INT32_MAX)
    return job_fail(j, SBD_ELIMIT, "a page of %zu bytes is over the 2 GiB limit of Parquet",
                    uncompressed > total ? uncompressed : total);
  h->uncompressed_page_size = (int32_t)uncompressed;
  h->compressed_page_size = (int32_t)total;
  pq_tenc_reset(&j->header);
  if (!pq_encode_page_header(&j->header, h))
    return pq_tenc_status(j->ctx, &j->header, "page header");
  pq_tenc_bytes(to, j->header.data, j->header.len);
  pq_tenc_bytes(to, body, body_len);
  pq_tenc_bytes(to, body2, body2_len);
  if (to->failed)
    return pq_tenc_status(j->ctx, to, "column chunk");
  j->uncompressed_bytes += (int64_t)(j->header.len + uncompressed);
  return SBD_OK;
}

/* Encodes the values of rows [from, to) of a data page into j->values; *enc says how. */
static sbd_status encode_values(chunk_job *j, int64_t from, int64_t to, bool use_dict, size_t nidx,
                                int32_t *enc, size_t *len) {
  const col_desc *c = j->desc;
  const sbd_vec *v = j->vec;
  if (use_dict) {
    int bw = bits_for(j->d.count ? j->d.count - 1 : 0);
    if (bw < 1)
      bw = 1;
    if (!grow_bytes(&j->values, &j->cap_values, 1 + pq_rle_max_size(nidx, bw)))
      return job_fail(j, SBD_ENOMEM, "out of memory encoding a page");
    j->values[0] = (uint8_t)bw;
    *len = 1 + pq_rle_encode(j->indices, nidx, bw, j->values + 1);
    *enc = PQ_ENC_RLE_DICTIONARY;
    return SBD_OK;
  }
  *enc = j->value_enc;
  if (j->value_enc == PQ_ENC_DELTA_BINARY_PACKED) {
    size_t n;
    if (!gather_i64(j, from, to, &n) ||
        !grow_bytes(&j->values, &j->cap_values, pq_delta_binary_max_size(n)))
      return job_fail(j, SBD_ENOMEM, "out of memory encoding a page");
    *len = pq_delta_binary_encode_i64(j->i64s, n, j->values);
    return SBD_OK;
  }
  size_t bound = plain_bound(c, v, from, to);
  if (j->value_enc == PQ_ENC_BYTE_STREAM_SPLIT) {
    /* PLAIN into the compression scratch first, then split into j->values. */
    if (!grow_bytes(&j->comp, &j->cap_comp, bound + 1) ||
        !grow_bytes(&j->values, &j->cap_values, bound + 1))
      return job_fail(j, SBD_ENOMEM, "out of memory encoding a page");
    size_t n = encode_plain(c, v, from, to, j->comp);
    pq_bss_encode(j->comp, n / (size_t)c->width, c->width, j->values);
    *len = n;
    return SBD_OK;
  }
  if (!grow_bytes(&j->values, &j->cap_values, bound + 1))
    return job_fail(j, SBD_ENOMEM, "out of memory encoding a page");
  *len = encode_plain(c, v, from, to, j->values);
  return SBD_OK;
}

/* Whether a dictionary of d_bytes (PLAIN entries) and the indices of `values` values, at the bit
 * width of `entries` entries, pays against the `plain` bytes of those values written PLAIN. Below
 * DICT_JUDGE_BYTES of values the dictionary is kept whatever it costs: either choice then costs a
 * few KiB at most, and readers that work on dictionaries gain from one. */
#define DICT_JUDGE_BYTES ((int64_t)64 << 10)
static bool dict_pays(size_t d_bytes, uint32_t entries, int64_t values, int64_t plain) {
  if (plain < DICT_JUDGE_BYTES)
    return true;
  int bw = bits_for(entries ? entries - 1 : 0);
  if (bw < 1)
    bw = 1;
  return (int64_t)d_bytes + (values * bw + 7) / 8 < plain;
}

/* Adds the non-null values of rows [from, to) to the dictionary and their entries to j->indices
 * (*nidx of them). When they would take it past the limit, or the dictionary would no longer pay
 * (dict_pays), *fits is false and the dictionary is left as it was before the page.
 *
 * With st (strings only), also the page's min and max: a string is compared only the first time
 * its entry appears in the page, which spares most comparisons when values repeat; st->values is
 * set to the page's values. st is only complete when *fits. */
static sbd_status dict_add_page(chunk_job *j, int64_t from, int64_t to, bool *fits, size_t *nidx,
                                stat_acc *st) {
  dict *d = &j->d;
  const sbd_vec *v = j->vec;
  const col_desc *c = j->desc;
  uint32_t count_before = d->count;
  size_t plain_before = d->plain_bytes, bytes_before = d->bytes_len;
  if (!grow_array((void **)&j->indices, &j->cap_indices, (size_t)(to - from) + 1, sizeof(uint32_t)))
    return job_fail(j, SBD_ENOMEM, "out of memory for dictionary indices");
  if (!d->slots && !dict_reserve(d, c->type == SBD_STRING))
    return job_fail(j, SBD_ENOMEM, "out of memory for a dictionary");
  size_t n = 0;
  int64_t page_plain = 0;
  uint32_t stamp = ++j->page_stamp;
  *fits = true;
  for (int64_t i = from; i < to; i++) {
    if (!vec_is_valid(v, i))
      continue;
    int64_t e;
    if (c->type == SBD_STRING) {
      size_t len;
      const uint8_t *p = str_at(v, i, &len);
      e = dict_string(d, p, len);
      page_plain += 4 + (int64_t)len;
      if (st && e >= 0 && d->stamp[e] != stamp) {
        d->stamp[e] = stamp;
        if (!st->smin || bytes_cmp(p, len, st->smin, st->smin_len) < 0) {
          st->smin = p;
          st->smin_len = len;
        }
        if (!st->smax || bytes_cmp(p, len, st->smax, st->smax_len) > 0) {
          st->smax = p;
          st->smax_len = len;
        }
      }
    } else if (c->type == SBD_DATE) {
      e = dict_fixed(d, (uint32_t)((const int32_t *)v->values)[i], 4);
      page_plain += 4;
    } else {
      uint64_t bits;
      memcpy(&bits, (const uint8_t *)v->values + (size_t)i * 8, 8);
      e = dict_fixed(d, bits, 8);
      page_plain += 8;
    }
    if (e < 0)
      return job_fail(j, SBD_ENOMEM, "out of memory for a dictionary");
    if (d->plain_bytes > (size_t)j->o->dict_limit || d->count >= INT32_MAX / 2) {
      *fits = false;
      break;
    }
    j->indices[n++] = (uint32_t)e;
  }
  if (*fits && !dict_pays(d->plain_bytes, d->count, j->dict_values + (int64_t)n,
                          j->dict_values_plain + page_plain))
    *fits = false;
  if (!*fits) {
    /* Entries past count_before are left unreferenced; the table is not used again. */
    d->count = count_before;
    d->plain_bytes = plain_before;
    d->bytes_len = bytes_before;
    return SBD_OK;
  }
  j->dict_values += (int64_t)n;
  j->dict_values_plain += page_plain;
  *nidx = n;
  if (st)
    st->values = (int64_t)n;
  return SBD_OK;
}

/* Writes the data page of rows [from, to). */
static sbd_status write_data_page(chunk_job *j, int64_t from, int64_t to, bool use_dict,
                                  size_t nidx, const stat_acc *st) {
  const col_desc *c = j->desc;
  const sbd_vec *v = j->vec;
  size_t rows = (size_t)(to - from);

  /* Definition levels: 1 for a value, 0 for a null. */
  if (!grow_array((void **)&j->levels, &j->cap_levels, rows + 1, sizeof(uint32_t)))
    return job_fail(j, SBD_ENOMEM, "out of memory for definition levels");
  for (size_t i = 0; i < rows; i++)
    j->levels[i] = vec_is_valid(v, from + (int64_t)i);
  size_t levels_bound = pq_rle_max_size(rows, 1);

  int32_t enc = PQ_ENC_PLAIN;
  size_t values_len = 0;
  RETURN_IF_ERROR(encode_values(j, from, to, use_dict, nidx, &enc, &values_len));

  if (!grow_bytes(&j->body, &j->cap_body, 4 + levels_bound + values_len))
    return job_fail(j, SBD_ENOMEM, "out of memory for a page");
  size_t prefix = j->o->v2 ? 0 : 4;
  size_t levels_len = pq_rle_encode(j->levels, rows, 1, j->body + prefix);
  if (!j->o->v2)
    put_u32le(j->body, (uint32_t)levels_len);

  uint8_t minbuf[8], maxbuf[8];
  pq_page_header h;
  memset(&h, 0, sizeof(h));
  pq_statistics *stats;
  const uint8_t *out;
  size_t out_len;
  size_t page_offset = j->pages.len;
  if (!j->o->v2) {
    /* v1: levels and values, compressed together. */
    memcpy(j->body + 4 + levels_len, j->values, values_len);
    size_t body_len = 4 + levels_len + values_len;
    h.type = PQ_PAGE_DATA;
    h.has_data_page_header = true;
    pq_data_page_header *p = &h.data_page_header;
    p->num_values = (int32_t)rows;
    p->encoding = enc;
    p->definition_level_encoding = PQ_ENC_RLE;
    p->repetition_level_encoding = PQ_ENC_RLE;
    p->has_statistics = true;
    stats = &p->statistics;
    stat_fill(c, st, false, stats, minbuf, maxbuf);
    RETURN_IF_ERROR(compress_into(j, j->body, body_len, &out, &out_len));
    RETURN_IF_ERROR(append_page(j, &j->pages, &h, body_len, out, out_len, NULL, 0));
  } else {
    /* v2: the levels stay uncompressed before the compressed values. */
    h.type = PQ_PAGE_DATA_V2;
    h.has_data_page_header_v2 = true;
    pq_data_page_header_v2 *p = &h.data_page_header_v2;
    p->num_values = (int32_t)rows;
    p->num_nulls = (int32_t)st->nulls;
    p->num_rows = (int32_t)rows;
    p->encoding = enc;
    p->definition_levels_byte_length = (int32_t)levels_len;
    p->repetition_levels_byte_length = 0;
    p->has_is_compressed = true;
    p->is_compressed = j->o->codec != PQ_CODEC_UNCOMPRESSED;
    p->has_statistics = true;
    stats = &p->statistics;
    stat_fill(c, st, false, stats, minbuf, maxbuf);
    RETURN_IF_ERROR(compress_into(j, j->values, values_len, &out, &out_len));
    RETURN_IF_ERROR(
        append_page(j, &j->pages, &h, levels_len + values_len, j->body, levels_len, out, out_len));
  }

  if (j->npages == j->cap_recs) {
    size_t cap = (size_t)j->cap_recs;
    if (!grow_array((void **)&j->recs, &cap, (size_t)j->npages + 1, sizeof(page_rec)))
      return job_fail(j, SBD_ENOMEM, "out of memory for page records");
    j->cap_recs = (int)cap;
  }
  page_rec *r = &j->recs[j->npages++];
  r->offset = (int64_t)page_offset;
  r->size = (int32_t)(j->pages.len - page_offset);
  r->first_row = from;
  r->st = *st;
  j->pages_by_enc[enc]++;
  j->enc_used[enc] = true;
  if (use_dict)
    j->dict_pages_used++;
  return SBD_OK;
}

/* The dictionary page: the entries, PLAIN. */
static sbd_status write_dictionary_page(chunk_job *j) {
  const dict *d = &j->d;
  const col_desc *c = j->desc;
  size_t n = d->plain_bytes;
  if (!grow_bytes(&j->body, &j->cap_body, n + 1))
    return job_fail(j, SBD_ENOMEM, "out of memory for a dictionary page of %zu bytes", n);
  uint8_t *p = j->body;
  for (uint32_t e = 0; e < d->count; e++) {
    if (c->type == SBD_STRING) {
      size_t len = (size_t)(d->str_off[e + 1] - d->str_off[e]);
      put_u32le(p, (uint32_t)len);
      memcpy(p + 4, d->bytes + d->str_off[e], len);
      p += 4 + len;
    } else if (c->type == SBD_DATE) {
      int32_t x = (int32_t)(uint32_t)d->keys[e];
      memcpy(p, &x, 4);
      p += 4;
    } else {
      memcpy(p, &d->keys[e], 8);
      p += 8;
    }
  }
  pq_page_header h;
  memset(&h, 0, sizeof(h));
  h.type = PQ_PAGE_DICTIONARY;
  h.has_dictionary_page_header = true;
  h.dictionary_page_header.num_values = (int32_t)d->count;
  h.dictionary_page_header.encoding = PQ_ENC_PLAIN;
  const uint8_t *out;
  size_t out_len;
  RETURN_IF_ERROR(compress_into(j, j->body, n, &out, &out_len));
  return append_page(j, &j->dict_page, &h, n, out, out_len, NULL, 0);
}

/* The chunk's ColumnIndex, unless a page holds only NaNs (parquet.thrift forbids one then). */
static sbd_status build_column_index(chunk_job *j) {
  const col_desc *c = j->desc;
  int n = j->npages;
  for (int i = 0; i < n; i++)
    if (j->recs[i].st.values == 0 && j->recs[i].st.nans > 0)
      return SBD_OK;
  pq_column_index ci;
  memset(&ci, 0, sizeof(ci));
  ci.n_pages = n;
  ci.null_pages = calloc((size_t)n + 1, sizeof(bool));
  ci.min_values = calloc((size_t)n + 1, sizeof(pq_bytes));
  ci.max_values = calloc((size_t)n + 1, sizeof(pq_bytes));
  ci.null_counts = calloc((size_t)n + 1, sizeof(int64_t));
  ci.nan_counts = calloc((size_t)n + 1, sizeof(int64_t));
  uint8_t *fixed = calloc((size_t)n + 1, 16);
  sbd_status st = SBD_OK;
  if (!ci.null_pages || !ci.min_values || !ci.max_values || !ci.null_counts || !ci.nan_counts ||
      !fixed) {
    st = job_fail(j, SBD_ENOMEM, "out of memory for a column index");
    goto done;
  }
  bool asc = true, desc = true;
  const stat_acc *prev = NULL;
  for (int i = 0; i < n; i++) {
    const stat_acc *s = &j->recs[i].st;
    ci.null_counts[i] = s->nulls;
    ci.nan_counts[i] = s->nans;
    if (!s->values) {
      ci.null_pages[i] = true;
      ci.min_values[i] = ci.max_values[i] = (pq_bytes){fixed, 0};
      continue;
    }
    ci.min_values[i] = stat_value(c, s, 0, fixed + 16 * i);
    ci.max_values[i] = stat_value(c, s, 1, fixed + 16 * i + 8);
    if (prev) {
      int cmin = stat_cmp(c, s, prev, 0), cmax = stat_cmp(c, s, prev, 1);
      if (cmin < 0 || cmax < 0)
        asc = false;
      if (cmin > 0 || cmax > 0)
        desc = false;
    }
    prev = s;
  }
  ci.boundary_order = asc ? PQ_ORDER_ASCENDING : desc ? PQ_ORDER_DESCENDING : PQ_ORDER_UNORDERED;
  ci.has_null_counts = true;
  ci.has_nan_counts = c->type == SBD_DOUBLE;
  if (!pq_encode_column_index(&j->column_index, &ci)) {
    st = pq_tenc_status(j->ctx, &j->column_index, "column index");
    goto done;
  }
  j->has_column_index = true;
done:
  free(ci.null_pages);
  free(ci.min_values);
  free(ci.max_values);
  free(ci.null_counts);
  free(ci.nan_counts);
  free(fixed);
  return st;
}

static void job_reset(chunk_job *j) {
  pq_tenc_reset(&j->dict_page);
  pq_tenc_reset(&j->pages);
  pq_tenc_reset(&j->column_index);
  j->has_column_index = false;
  j->npages = 0;
  stat_init(&j->st);
  j->uncompressed_bytes = 0;
  j->dict_pages_used = 0;
  j->dict_values = j->dict_values_plain = 0;
  memset(j->pages_by_enc, 0, sizeof(j->pages_by_enc));
  memset(j->enc_used, 0, sizeof(j->enc_used));
  dict_clear(&j->d);
  j->status = SBD_OK;
}

static void job_free(chunk_job *j) {
  pq_tenc_free(&j->dict_page);
  pq_tenc_free(&j->pages);
  pq_tenc_free(&j->header);
  pq_tenc_free(&j->column_index);
  dict_free(&j->d);
  free(j->recs);
  free(j->levels);
  free(j->indices);
  free(j->i64s);
  free(j->body);
  free(j->values);
  free(j->comp);
  sbd_ctx_free(j->ctx);
}

/* Encodes the whole column chunk j->vec. */
static sbd_status encode_chunk(chunk_job *j) {
  job_reset(j);
  const col_desc *c = j->desc;
  const sbd_vec *v = j->vec;
  int64_t n = v->len;
  bool use_dict = c->dictionary;
  j->value_enc = c->value_enc;
  if (c->value_enc == PQ_ENC_DELTA_BINARY_PACKED && c->type == SBD_DATE) {
    /* The deltas of an INT32 column must fit 32 bits, which they do when its values span less
     * than 2^31; dates further apart (thousands of millennia) are written PLAIN. */
    stat_acc all;
    stat_init(&all);
    stat_rows(c, v, 0, n, &all);
    if (all.values && all.imax - all.imin >= INT32_MAX)
      j->value_enc = PQ_ENC_PLAIN;
  }
  for (int64_t from = 0; from < n;) {
    int64_t to = page_end(j, from);
    stat_acc st;
    stat_init(&st);
    /* The min and max of a string page that goes to the dictionary come from dict_add_page,
     * which compares each distinct string once; the nulls are counted here. */
    bool dict_stats = use_dict && c->type == SBD_STRING;
    if (dict_stats)
      st.nulls = (to - from) - count_valid(v, from, to);
    else
      stat_rows(c, v, from, to, &st);
    size_t nidx = 0;
    /* A page of nulls only is PLAIN (it has no values), so that an all-null chunk has no empty
     * dictionary page. */
    bool page_dict = use_dict && st.nulls < to - from;
    if (page_dict) {
      bool fits;
      RETURN_IF_ERROR(dict_add_page(j, from, to, &fits, &nidx, dict_stats ? &st : NULL));
      use_dict = page_dict = fits;
    }
    if (dict_stats && !page_dict) {
      stat_init(&st);
      stat_rows(c, v, from, to, &st);
    }
    RETURN_IF_ERROR(write_data_page(j, from, to, page_dict, nidx, &st));
    stat_merge(c, &j->st, &st);
    from = to;
  }
  if (j->dict_pages_used > 0)
    RETURN_IF_ERROR(write_dictionary_page(j));
  return build_column_index(j);
}

static void run_job(void *arg) {
  chunk_job *j = arg;
  j->status = encode_chunk(j);
  pthread_mutex_lock(&j->group->lock);
  if (--j->group->pending == 0)
    pthread_cond_broadcast(&j->group->done);
  pthread_mutex_unlock(&j->group->lock);
}

/* ---- buffering
 * ----------------------------------------------------------------------------------*/

/* Appends rows [from, from + n) of src to dst. */
static sbd_status vec_append(sbd_ctx *ctx, sbd_vec *dst, const sbd_vec *src, int64_t from,
                             int64_t n) {
  int64_t start = dst->len;
  if (src->type == SBD_STRING) {
    const int64_t *so = src->values;
    int64_t bytes = so[from + n] - so[from];
    RETURN_IF_ERROR(vec_reserve(ctx, dst, n, bytes));
    int64_t *dofs = dst->values;
    int64_t shift = dst->bytes_len - so[from];
    for (int64_t i = 1; i <= n; i++)
      dofs[start + i] = so[from + i] + shift;
    if (bytes)
      memcpy(dst->bytes + dst->bytes_len, src->bytes + so[from], (size_t)bytes);
    dst->bytes_len += bytes;
  } else {
    RETURN_IF_ERROR(vec_reserve(ctx, dst, n, 0));
    size_t w = type_width(src->type);
    memcpy((uint8_t *)dst->values + (size_t)start * w, (const uint8_t *)src->values + from * w,
           (size_t)n * w);
  }
  dst->len += n;
  if (src->validity)
    for (int64_t i = 0; i < n; i++)
      if (!vec_is_valid(src, from + i))
        RETURN_IF_ERROR(vec_set_null(ctx, dst, start + i));
  return SBD_OK;
}

/* ---- the file
 * -----------------------------------------------------------------------------------*/

static sbd_status write_bytes(sbd_writer *w, const void *p, size_t n) {
  return n ? io_file_write(w->ctx, w->file, p, n) : SBD_OK;
}

static void *meta_copy(pq_writer *pw, const void *p, size_t n) {
  void *q = arena_alloc(&pw->meta, n ? n : 1);
  if (q && n)
    memcpy(q, p, n);
  return q;
}

/* Copies the bytes of a Statistics into the footer's arena. */
static bool stats_keep(pq_writer *pw, pq_statistics *s) {
  pq_bytes *fields[] = {&s->min, &s->max, &s->min_value, &s->max_value};
  bool has[] = {s->has_min, s->has_max, s->has_min_value, s->has_max_value};
  for (int i = 0; i < 4; i++) {
    if (!has[i])
      continue;
    const uint8_t *p = meta_copy(pw, fields[i]->ptr, fields[i]->len);
    if (!p)
      return false;
    fields[i]->ptr = p;
  }
  return true;
}

/* Writes the chunk that job j encoded and records its metadata in cc. */
static sbd_status write_chunk(sbd_writer *w, pq_writer *pw, chunk_job *j, pq_column_chunk *cc,
                              chunk_index_ref *ref) {
  const col_desc *c = j->desc;
  int64_t start = io_file_written(w->file);
  RETURN_IF_ERROR(write_bytes(w, j->dict_page.data, j->dict_page.len));
  RETURN_IF_ERROR(write_bytes(w, j->pages.data, j->pages.len));
  int64_t data_start = start + (int64_t)j->dict_page.len;

  memset(cc, 0, sizeof(*cc));
  cc->file_offset = 0;
  cc->has_meta_data = true;
  pq_column_metadata *m = &cc->meta_data;
  m->type = c->ptype;

  /* Encodings in increasing order: the levels' RLE, the dictionary page's PLAIN, the pages'. */
  bool used[10];
  memcpy(used, j->enc_used, sizeof(used));
  used[PQ_ENC_RLE] = true;
  if (j->dict_page.len)
    used[PQ_ENC_PLAIN] = true;
  int32_t encs[10];
  int nenc = 0;
  for (int e = 0; e < 10; e++)
    if (used[e])
      encs[nenc++] = e;
  m->encodings = meta_copy(pw, encs, sizeof(int32_t) * (size_t)nenc);
  m->n_encodings = nenc;

  pq_page_encoding_stats es[11];
  int nes = 0;
  if (j->dict_page.len)
    es[nes++] = (pq_page_encoding_stats){PQ_PAGE_DICTIONARY, PQ_ENC_PLAIN, 1};
  for (int e = 0; e < 10; e++)
    if (j->pages_by_enc[e])
      es[nes++] = (pq_page_encoding_stats){pw->o.v2 ? PQ_PAGE_DATA_V2 : PQ_PAGE_DATA, e,
                                           j->pages_by_enc[e]};
  m->encoding_stats = meta_copy(pw, es, sizeof(es[0]) * (size_t)nes);
  m->n_encoding_stats = nes;

  m->path_in_schema = arena_alloc(&pw->meta, sizeof(pq_bytes));
  if (!m->encodings || !m->encoding_stats || !m->path_in_schema)
    return sbd_error(w->ctx, SBD_ENOMEM, "out of memory for the Parquet footer");
  m->path_in_schema[0] = (pq_bytes){(const uint8_t *)c->name, (uint32_t)strlen(c->name)};
  m->n_path_in_schema = 1;
  m->codec = pw->o.codec;
  m->num_values = j->vec->len;
  m->total_uncompressed_size = j->uncompressed_bytes;
  m->total_compressed_size = (int64_t)(j->dict_page.len + j->pages.len);
  m->data_page_offset = data_start;
  if (j->dict_page.len) {
    m->has_dictionary_page_offset = true;
    m->dictionary_page_offset = start;
  }
  uint8_t minbuf[8], maxbuf[8];
  m->has_statistics = true;
  stat_fill(c, &j->st, true, &m->statistics, minbuf, maxbuf);
  if (!stats_keep(pw, &m->statistics))
    return sbd_error(w->ctx, SBD_ENOMEM, "out of memory for the Parquet footer");

  /* The offset index: the data pages' places in the file. */
  pq_offset_index oi;
  memset(&oi, 0, sizeof(oi));
  oi.n_page_locations = j->npages;
  oi.page_locations = calloc((size_t)j->npages + 1, sizeof(pq_page_location));
  if (!oi.page_locations)
    return sbd_error(w->ctx, SBD_ENOMEM, "out of memory for an offset index");
  for (int i = 0; i < j->npages; i++)
    oi.page_locations[i] =
        (pq_page_location){data_start + j->recs[i].offset, j->recs[i].size, j->recs[i].first_row};
  ref->oi_off = pw->oi_buf.len;
  pq_encode_offset_index(&pw->oi_buf, &oi);
  free(oi.page_locations);
  ref->oi_len = pw->oi_buf.len - ref->oi_off;
  ref->has_ci = j->has_column_index;
  ref->ci_off = pw->ci_buf.len;
  pq_tenc_bytes(&pw->ci_buf, j->column_index.data, j->column_index.len);
  ref->ci_len = j->column_index.len;
  RETURN_IF_ERROR(pq_tenc_status(w->ctx, &pw->oi_buf, "offset index"));
  return pq_tenc_status(w->ctx, &pw->ci_buf, "column index");
}

/* The bytes of values a buffered column holds. */
static int64_t column_bytes(const sbd_vec *v) {
  return v->len * (int64_t)type_width(v->type) + v->bytes_len;
}

/* Waits for the row group in flight, if any, and writes it. */
static sbd_status finish_flight(sbd_writer *w, pq_writer *pw) {
  if (!pw->in_flight)
    return SBD_OK;
  int ncols = pw->ncols;
  job_group *g = &pw->group;
  pthread_mutex_lock(&g->lock);
  while (g->pending > 0)
    pthread_cond_wait(&g->done, &g->lock);
  pthread_mutex_unlock(&g->lock);
  pw->in_flight = false;

  for (int i = 0; i < ncols; i++)
    if (pw->jobs[i].status != SBD_OK)
      return sbd_error(w->ctx, pw->jobs[i].status, "%s: column '%s', row group %d: %s",
                       io_file_path(w->file), pw->cols[i].name, pw->nrgs,
                       sbd_errmsg(pw->jobs[i].ctx));

  if (pw->nrgs == pw->cap_rgs) {
    int cap = pw->cap_rgs ? pw->cap_rgs * 2 : 8;
    pq_row_group *rgs = sbd_realloc(w->ctx, pw->rgs, sizeof(*rgs) * (size_t)cap);
    if (!rgs)
      return SBD_ENOMEM;
    pw->rgs = rgs;
    chunk_index_ref *refs =
        sbd_realloc(w->ctx, pw->refs, sizeof(*refs) * (size_t)cap * (size_t)ncols);
    if (!refs)
      return SBD_ENOMEM;
    pw->refs = refs;
    pw->cap_rgs = cap;
  }
  pq_row_group *rg = &pw->rgs[pw->nrgs];
  memset(rg, 0, sizeof(*rg));
  rg->columns = arena_alloc(&pw->meta, sizeof(pq_column_chunk) * (size_t)ncols);
  if (!rg->columns)
    return sbd_error(w->ctx, SBD_ENOMEM, "out of memory for the Parquet footer");
  rg->n_columns = ncols;
  rg->num_rows = pw->flight_rows;
  rg->has_file_offset = true;
  rg->file_offset = io_file_written(w->file);
  rg->has_total_compressed_size = true;
  if (pw->nrgs <= INT16_MAX) {
    rg->has_ordinal = true;
    rg->ordinal = (int16_t)pw->nrgs;
  }
  for (int i = 0; i < ncols; i++) {
    RETURN_IF_ERROR(write_chunk(w, pw, &pw->jobs[i], &rg->columns[i],
                                &pw->refs[(size_t)pw->nrgs * (size_t)ncols + (size_t)i]));
    rg->total_byte_size += rg->columns[i].meta_data.total_uncompressed_size;
    rg->total_compressed_size += rg->columns[i].meta_data.total_compressed_size;
  }
  pw->nrgs++;
  pw->total_rows += pw->flight_rows;
  for (int i = 0; i < ncols; i++)
    vec_reset(pw->flight[i]);
  pw->flight_rows = 0;
  return SBD_OK;
}

/* Hands the buffered row group to the pool, one task per column, after writing the previous
 * one. The tasks run while the caller fills the next row group, so that reading the input and
 * encoding overlap; the chunks are written, in column order, when the next row group is handed
 * over or the file is finished. Memory is thus two row groups of values plus one of encoded
 * chunks. */
static sbd_status flush_row_group(sbd_writer *w, pq_writer *pw) {
  RETURN_IF_ERROR(finish_flight(w, pw));
  if (pw->buf_rows == 0)
    return SBD_OK;
  int ncols = pw->ncols;
  sbd_vec **t = pw->flight;
  pw->flight = pw->buf;
  pw->buf = t;
  pw->flight_rows = pw->buf_rows;
  pw->buf_rows = pw->buf_bytes = 0;
  pw->group.pending = ncols;
  pw->in_flight = true;
  pool *p = ctx_pool(w->ctx);
  /* The largest columns go first, so that no big one starts last and keeps the others
   * waiting. */
  for (int i = 0; i < ncols; i++) {
    pw->order[i] = i;
    pw->jobs[i].vec = pw->flight[i];
    pw->jobs[i].group = &pw->group;
  }
  for (int i = 1; i < ncols; i++)
    for (int k = i; k > 0 && column_bytes(pw->flight[pw->order[k]]) >
                                 column_bytes(pw->flight[pw->order[k - 1]]);
         k--) {
      int tmp = pw->order[k];
      pw->order[k] = pw->order[k - 1];
      pw->order[k - 1] = tmp;
    }
  for (int i = 0; i < ncols; i++) {
    chunk_job *j = &pw->jobs[pw->order[i]];
    if (!p || !pool_submit(p, run_job, j))
      run_job(j);
  }
  return SBD_OK;
}

/* The bytes of values that rows [off, off + k) of b add to the buffered row group, counted as
 * pq_write counts them. */
static int64_t rows_bytes(const sbd_batch *b, int64_t off, int64_t k) {
  int64_t n = 0;
  for (int i = 0; i < b->ncols; i++) {
    const sbd_vec *v = b->cols[i];
    n += (int64_t)type_width(v->type) * k;
    if (v->type == SBD_STRING) {
      const int64_t *offsets = v->values;
      n += offsets[off + k] - offsets[off];
    }
  }
  return n;
}

/* How many of the max_rows rows of b from off fit in the bytes left to the row group (at least
 * one): the bytes of k rows grow with k, so a binary search finds the most. This cuts a batch
 * where row_group_bytes falls, so that a small limit gives small row groups. */
static int64_t rows_that_fit(const pq_writer *pw, const sbd_batch *b, int64_t off,
                             int64_t max_rows) {
  int64_t room = pw->o.row_group_bytes - pw->buf_bytes;
  if (rows_bytes(b, off, max_rows) <= room)
    return max_rows;
  int64_t lo = 1, hi = max_rows; /* the answer is in [lo, hi) */
  while (hi - lo > 1) {
    int64_t mid = lo + (hi - lo) / 2;
    if (rows_bytes(b, off, mid) <= room)
      lo = mid;
    else
      hi = mid;
  }
  return lo;
}

static sbd_status pq_write(sbd_writer *w, const sbd_batch *b) {
  pq_writer *pw = w->impl;
  RETURN_ERROR_IF(pw->failed, w->ctx, SBD_EUSAGE,
                  "%s: an earlier write failed; the Parquet file cannot be continued",
                  io_file_path(w->file));
  sbd_status st = SBD_OK;
  for (int64_t off = 0; off < b->nrows && st == SBD_OK;) {
    int64_t take = b->nrows - off;
    if (take > pw->o.row_group_rows - pw->buf_rows)
      take = pw->o.row_group_rows - pw->buf_rows;
    take = rows_that_fit(pw, b, off, take);
    for (int i = 0; i < pw->ncols && st == SBD_OK; i++) {
      const sbd_vec *v = b->cols[i];
      int64_t before = pw->buf[i]->bytes_len;
      st = vec_append(w->ctx, pw->buf[i], v, off, take);
      pw->buf_bytes += (int64_t)type_width(v->type) * take + (pw->buf[i]->bytes_len - before);
    }
    pw->buf_rows += take;
    off += take;
    if (st == SBD_OK &&
        (pw->buf_rows >= pw->o.row_group_rows || pw->buf_bytes >= pw->o.row_group_bytes))
      st = flush_row_group(w, pw);
  }
  if (st != SBD_OK)
    pw->failed = true;
  return st;
}

static sbd_status build_schema_text(sbd_writer *w, pq_writer *pw) {
  size_t cap = 1;
  for (int i = 0; i < pw->ncols; i++)
    cap += strlen(pw->cols[i].name) + 16;
  pw->schema_text = sbd_malloc(w->ctx, cap);
  if (!pw->schema_text)
    return SBD_ENOMEM;
  size_t len = 0;
  for (int i = 0; i < pw->ncols; i++)
    len += (size_t)snprintf(pw->schema_text + len, cap - len, "%s%s:%s", i ? "," : "",
                            pw->cols[i].name, sbd_type_name(pw->cols[i].type));
  return SBD_OK;
}

static sbd_status write_footer(sbd_writer *w, pq_writer *pw) {
  int ncols = pw->ncols;
  /* The page indexes: every column index, then every offset index. */
  int64_t ci_base = io_file_written(w->file);
  RETURN_IF_ERROR(write_bytes(w, pw->ci_buf.data, pw->ci_buf.len));
  int64_t oi_base = io_file_written(w->file);
  RETURN_IF_ERROR(write_bytes(w, pw->oi_buf.data, pw->oi_buf.len));
  for (int r = 0; r < pw->nrgs; r++)
    for (int i = 0; i < ncols; i++) {
      pq_column_chunk *cc = &pw->rgs[r].columns[i];
      const chunk_index_ref *ref = &pw->refs[(size_t)r * (size_t)ncols + (size_t)i];
      cc->has_offset_index_offset = cc->has_offset_index_length = true;
      cc->offset_index_offset = oi_base + (int64_t)ref->oi_off;
      cc->offset_index_length = (int32_t)ref->oi_len;
      if (ref->has_ci) {
        cc->has_column_index_offset = cc->has_column_index_length = true;
        cc->column_index_offset = ci_base + (int64_t)ref->ci_off;
        cc->column_index_length = (int32_t)ref->ci_len;
      }
    }

  pq_file_metadata fm;
  memset(&fm, 0, sizeof(fm));
  fm.version = pw->o.v2 || pw->o.mode == MODE_DELTA || pw->o.mode == MODE_BSS ? 2 : 1;
  fm.n_schema = ncols + 1;
  fm.schema = arena_alloc(&pw->meta, sizeof(pq_schema_element) * (size_t)(ncols + 1));
  fm.column_orders = arena_alloc(&pw->meta, sizeof(pq_column_order) * (size_t)(ncols + 1));
  pq_key_value kv;
  if (!fm.schema || !fm.column_orders)
    return sbd_error(w->ctx, SBD_ENOMEM, "out of memory for the Parquet footer");
  memset(fm.schema, 0, sizeof(pq_schema_element) * (size_t)(ncols + 1));
  pq_schema_element *root = &fm.schema[0];
  root->name = (pq_bytes){(const uint8_t *)"schema", 6};
  root->has_num_children = true;
  root->num_children = ncols;
  for (int i = 0; i < ncols; i++) {
    const col_desc *c = &pw->cols[i];
    pq_schema_element *se = &fm.schema[i + 1];
    se->has_type = true;
    se->type = c->ptype;
    se->has_repetition_type = true;
    se->repetition_type = PQ_OPTIONAL;
    se->name = (pq_bytes){(const uint8_t *)c->name, (uint32_t)strlen(c->name)};
    switch (c->type) {
    case SBD_STRING:
      se->has_converted_type = se->has_logical_type = true;
      se->converted_type = PQ_CT_UTF8;
      se->logical_type.kind = PQ_LT_STRING;
      break;
    case SBD_DATE:
      se->has_converted_type = se->has_logical_type = true;
      se->converted_type = PQ_CT_DATE;
      se->logical_type.kind = PQ_LT_DATE;
      break;
    case SBD_TIMESTAMP:
      se->has_converted_type = se->has_logical_type = true;
      se->converted_type = PQ_CT_TIMESTAMP_MICROS;
      se->logical_type.kind = PQ_LT_TIMESTAMP;
      se->logical_type.unit = PQ_UNIT_MICROS;
      se->logical_type.is_adjusted_to_utc = true;
      break;
    default:
      break;
    }
    fm.column_orders[i].kind = PQ_ORDER_TYPE_DEFINED;
  }
  fm.n_column_orders = ncols;
  fm.num_rows = pw->total_rows;
  fm.row_groups = pw->rgs;
  fm.n_row_groups = pw->nrgs;
  kv.has_value = true;
  kv.key = (pq_bytes){(const uint8_t *)"sbd.schema", 10};
  kv.value = (pq_bytes){(const uint8_t *)pw->schema_text, (uint32_t)strlen(pw->schema_text)};
  fm.key_value_metadata = &kv;
  fm.n_key_value_metadata = 1;
  fm.has_created_by = true;
  fm.created_by = (pq_bytes){(const uint8_t *)PQ_CREATED_BY, (uint32_t)strlen(PQ_CREATED_BY)};

  pq_tenc e;
  pq_tenc_init(&e, MAX_FOOTER_BYTES);
  pq_encode_file_metadata(&e, &fm);
  uint8_t tail[8];
  put_u32le(tail, (uint32_t)e.len);
  memcpy(tail + 4, PQ_MAGIC, 4);
  sbd_status st = pq_tenc_status(w->ctx, &e, io_file_path(w->file));
  if (st == SBD_OK)
    st = write_bytes(w, e.data, e.len);
  if (st == SBD_OK)
    st = write_bytes(w, tail, 8);
  pq_tenc_free(&e);
  return st;
}

static sbd_status pq_finish(sbd_writer *w) {
  pq_writer *pw = w->impl;
  RETURN_ERROR_IF(pw->failed, w->ctx, SBD_EUSAGE,
                  "%s: an earlier write failed; the Parquet file is not finished",
                  io_file_path(w->file));
  sbd_status st = flush_row_group(w, pw);
  if (st == SBD_OK)
    st = finish_flight(w, pw);
  if (st == SBD_OK)
    st = write_footer(w, pw);
  if (st != SBD_OK)
    pw->failed = true;
  return st;
}

static void pq_free(sbd_writer *w) {
  pq_writer *pw = w->impl;
  if (!pw)
    return;
  if (pw->in_flight) {
    /* After a failure elsewhere the tasks may still be running on our buffers. */
    pthread_mutex_lock(&pw->group.lock);
    while (pw->group.pending > 0)
      pthread_cond_wait(&pw->group.done, &pw->group.lock);
    pthread_mutex_unlock(&pw->group.lock);
  }
  if (pw->group_ready) {
    pthread_mutex_destroy(&pw->group.lock);
    pthread_cond_destroy(&pw->group.done);
  }
  if (pw->jobs)
    for (int i = 0; i < pw->ncols; i++)
      job_free(&pw->jobs[i]);
  free(pw->jobs);
  free(pw->order);
  if (pw->buf)
    for (int i = 0; i < pw->ncols; i++)
      vec_free(pw->buf[i]);
  free(pw->buf);
  if (pw->flight)
    for (int i = 0; i < pw->ncols; i++)
      vec_free(pw->flight[i]);
  free(pw->flight);
  free(pw->cols);
  free(pw->rgs);
  free(pw->refs);
  arena_free(&pw->meta);
  pq_tenc_free(&pw->ci_buf);
  pq_tenc_free(&pw->oi_buf);
  free(pw->schema_text);
  free(pw);
  w->impl = NULL;
}

static const io_writer_ops pq_writer_ops = {"parquet", pq_write, pq_finish, pq_free, NULL};

/* ---- options
 * ------------------------------------------------------------------------------------*/

static sbd_status read_options(sbd_ctx *ctx, const sbd_options *opts, wopts *o) {
  static const char *const known[] = {"format",           "compression",     "compression_level",
                                      "row_group_rows",   "row_group_bytes", "page_bytes",
                                      "parquet_encoding", "data_page",       "parquet_dict_limit"};
  RETURN_IF_ERROR(
      opt_check_known(ctx, opts, "Parquet writer", known, (int)(sizeof(known) / sizeof(known[0]))));
  const char *comp = sbd_options_get(opts, "compression");
  o->codec = PQ_CODEC_SNAPPY;
  if (comp && !pq_codec_from_name(comp, &o->codec))
    o->codec = -1;
  if (o->codec != PQ_CODEC_UNCOMPRESSED && o->codec != PQ_CODEC_SNAPPY &&
      o->codec != PQ_CODEC_GZIP && o->codec != PQ_CODEC_ZSTD && o->codec != PQ_CODEC_LZ4_RAW)
    return sbd_error(ctx, SBD_EUSAGE,
                     "option compression: '%s' is not one sbd writes (snappy, zstd, gzip, lz4_raw, "
                     "none)",
                     comp);
  int64_t level;
  RETURN_IF_ERROR(opt_get_int(ctx, opts, "compression_level", 0, 0, 22, &level));
  if (sbd_options_get(opts, "compression_level")) {
    RETURN_ERROR_IF(o->codec != PQ_CODEC_ZSTD && o->codec != PQ_CODEC_GZIP, ctx, SBD_EUSAGE,
                    "option compression_level applies to zstd and gzip, not %s",
                    pq_codec_name(o->codec));
    RETURN_ERROR_IF(o->codec == PQ_CODEC_GZIP && (level < 1 || level > 9), ctx, SBD_EUSAGE,
                    "option compression_level: gzip levels are 1..9, not %lld", (long long)level);
    RETURN_ERROR_IF(o->codec == PQ_CODEC_ZSTD && level < 1, ctx, SBD_EUSAGE,
                    "option compression_level: zstd levels are 1..22, not %lld", (long long)level);
  }
  o->level = (int)level;
  RETURN_IF_ERROR(opt_get_int(ctx, opts, "row_group_rows", DEFAULT_ROW_GROUP_ROWS, 1, INT64_MAX,
                              &o->row_group_rows));
  RETURN_IF_ERROR(
      opt_get_bytes(ctx, opts, "row_group_bytes", DEFAULT_ROW_GROUP_BYTES, &o->row_group_bytes));
  RETURN_ERROR_IF(o->row_group_bytes < 1, ctx, SBD_EUSAGE,
                  "option row_group_bytes: must be at least 1 byte");
  RETURN_IF_ERROR(opt_get_bytes(ctx, opts, "page_bytes", DEFAULT_PAGE_BYTES, &o->page_bytes));
  RETURN_ERROR_IF(o->page_bytes < 1 || o->page_bytes > MAX_PAGE_BYTES, ctx, SBD_EUSAGE,
                  "option page_bytes: %lld is out of range 1..%lld", (long long)o->page_bytes,
                  (long long)MAX_PAGE_BYTES);
  RETURN_IF_ERROR(
      opt_get_bytes(ctx, opts, "parquet_dict_limit", DEFAULT_DICT_LIMIT, &o->dict_limit));
  RETURN_ERROR_IF(o->dict_limit < 0 || o->dict_limit > MAX_DICT_LIMIT, ctx, SBD_EUSAGE,
                  "option parquet_dict_limit: %lld is out of range 0..%lld",
                  (long long)o->dict_limit, (long long)MAX_DICT_LIMIT);
  const char *enc = sbd_options_get(opts, "parquet_encoding");
  if (!enc || strcasecmp(enc, "dictionary") == 0)
    o->mode = MODE_DICTIONARY;
  else if (strcasecmp(enc, "plain") == 0)
    o->mode = MODE_PLAIN;
  else if (strcasecmp(enc, "delta") == 0)
    o->mode = MODE_DELTA;
  else if (strcasecmp(enc, "byte_stream_split") == 0)
    o->mode = MODE_BSS;
  else
    return sbd_error(ctx, SBD_EUSAGE,
                     "option parquet_encoding: '%s' is not one of plain, dictionary, delta, "
                     "byte_stream_split",
                     enc);
  const char *dp = sbd_options_get(opts, "data_page");
  if (!dp || strcasecmp(dp, "v1") == 0 || strcmp(dp, "1") == 0)
    o->v2 = false;
  else if (strcasecmp(dp, "v2") == 0 || strcmp(dp, "2") == 0)
    o->v2 = true;
  else
    return sbd_error(ctx, SBD_EUSAGE, "option data_page: '%s' is not v1 or v2", dp);
  return SBD_OK;
}

/* How column type t is stored under the options. */
static void describe_column(const wopts *o, const char *name, sbd_type t, col_desc *c) {
  c->name = name;
  c->type = t;
  c->value_enc = PQ_ENC_PLAIN;
  c->dictionary = o->mode != MODE_PLAIN && t != SBD_BOOL;
  switch (t) {
  case SBD_BOOL:
    c->ptype = PQ_BOOLEAN;
    c->width = 0;
    break;
  case SBD_INT64:
  case SBD_TIMESTAMP:
    c->ptype = PQ_INT64;
    c->width = 8;
    break;
  case SBD_DATE:
    c->ptype = PQ_INT32;
    c->width = 4;
    break;
  case SBD_DOUBLE:
    c->ptype = PQ_DOUBLE;
    c->width = 8;
    break;
  default:
    c->ptype = PQ_BYTE_ARRAY;
    c->width = 0;
    break;
  }
  if (o->mode == MODE_DELTA && (t == SBD_INT64 || t == SBD_TIMESTAMP || t == SBD_DATE)) {
    c->value_enc = PQ_ENC_DELTA_BINARY_PACKED;
    c->dictionary = false;
  }
  if (o->mode == MODE_BSS && t == SBD_DOUBLE) {
    c->value_enc = PQ_ENC_BYTE_STREAM_SPLIT;
    c->dictionary = false;
  }
}

sbd_status pq_writer_init(sbd_writer *w, const sbd_options *opts) {
  sbd_ctx *ctx = w->ctx;
  const sbd_schema *s = w->schema;
  wopts o;
  RETURN_IF_ERROR(read_options(ctx, opts, &o));
  RETURN_ERROR_IF(s->ncols < 1, ctx, SBD_EUSAGE, "%s: a Parquet file needs at least one column",
                  io_file_path(w->file));
  pq_writer *pw = sbd_calloc(ctx, 1, sizeof(*pw));
  if (!pw)
    return SBD_ENOMEM;
  w->ops = &pq_writer_ops;
  w->impl = pw;
  pw->o = o;
  pw->ncols = s->ncols;
  arena_init(&pw->meta, 64 * 1024);
  pq_tenc_init(&pw->ci_buf, MAX_FOOTER_BYTES);
  pq_tenc_init(&pw->oi_buf, MAX_FOOTER_BYTES);
  pw->cols = sbd_calloc(ctx, (size_t)s->ncols, sizeof(col_desc));
  pw->buf = sbd_calloc(ctx, (size_t)s->ncols, sizeof(sbd_vec *));
  pw->flight = sbd_calloc(ctx, (size_t)s->ncols, sizeof(sbd_vec *));
  pw->jobs = sbd_calloc(ctx, (size_t)s->ncols, sizeof(chunk_job));
  pw->order = sbd_calloc(ctx, (size_t)s->ncols, sizeof(int));
  if (!pw->cols || !pw->buf || !pw->flight || !pw->jobs || !pw->order)
    return SBD_ENOMEM;
  pthread_mutex_init(&pw->group.lock, NULL);
  pthread_cond_init(&pw->group.done, NULL);
  pw->group_ready = true;
  for (int i = 0; i < s->ncols; i++) {
    describe_column(&pw->o, s->fields[i].name, s->fields[i].type, &pw->cols[i]);
    pw->buf[i] = vec_new(ctx, s->fields[i].type, 0);
    pw->flight[i] = vec_new(ctx, s->fields[i].type, 0);
    chunk_job *j = &pw->jobs[i];
    j->o = &pw->o;
    j->desc = &pw->cols[i];
    j->ctx = sbd_ctx_new();
    pq_tenc_init(&j->dict_page, MAX_CHUNK_BYTES);
    pq_tenc_init(&j->pages, MAX_CHUNK_BYTES);
    pq_tenc_init(&j->header, MAX_FOOTER_BYTES);
    pq_tenc_init(&j->column_index, MAX_FOOTER_BYTES);
    if (!pw->buf[i] || !pw->flight[i] || !j->ctx)
      return sbd_error(ctx, SBD_ENOMEM, "out of memory");
  }
  RETURN_IF_ERROR(build_schema_text(w, pw));
  return write_bytes(w, PQ_MAGIC, 4);
}
