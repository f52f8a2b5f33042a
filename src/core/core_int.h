/*
 * core_int.h — what the core's files share with the rest of sbd: the context, errors, column
 * vectors, batches, schemas, arenas, the thread pool, hashing and the parsing and formatting of
 * values.
 *
 * Column vectors follow the Arrow C Data Interface layout so they export without copying:
 *  - validity: a bitmap, bit i set when row i is valid; NULL when the vector has no nulls;
 *  - values: int64_t (INT64, TIMESTAMP), int32_t (DATE), double (DOUBLE), uint8_t 0/1 (BOOL; the
 *    only difference from Arrow, whose booleans are bit-packed: export packs them);
 *  - STRING: offsets (int64_t, len + 1 entries, offsets[0] = 0) into bytes (Arrow "large utf8").
 * A batch holds at most SBD_BATCH_ROWS rows of equal-length vectors and one schema reference.
 */
#ifndef SBD_CORE_INT_H
#define SBD_CORE_INT_H

#include "sbd.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SBD_BATCH_ROWS 65536
/* A single string value larger than this is an error naming the cap, not an OOM. */
#define SBD_MAX_VALUE_BYTES (256u << 20)

/* ---- errors ---------------------------------------------------------------------------------*/

#define SBD_ERRMSG_MAX 1024

struct sbd_ctx {
  char errmsg[SBD_ERRMSG_MAX];
  int threads;       /* resolved: >= 1 */
  struct pool *pool; /* created on first use, sized threads */
  pthread_mutex_t lock;
  /* The session's in-memory tables (CREATE TABLE; exec/memtable.c), freed with the context by
   * tables_free. NULL until the first CREATE TABLE. */
  void *tables;
  void (*tables_free)(void *tables);
};

/* Records a formatted message on ctx and returns status (so `return sbd_error(...)` reads well).
 * ctx may be NULL, in which case only the status is returned. */
sbd_status sbd_error(sbd_ctx *ctx, sbd_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
sbd_status sbd_verror(sbd_ctx *ctx, sbd_status status, const char *fmt, va_list ap);
/* Writes a message into a caller's buffer; used by worker threads that cannot touch the ctx. */
void sbd_format_msg(char *buf, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Check-and-return, so the happy path reads straight down. */
#define RETURN_IF_ERROR(expr)                                                                      \
  do {                                                                                             \
    sbd_status status__ = (expr);                                                                  \
    if (status__ != SBD_OK)                                                                        \
      return status__;                                                                             \
  } while (0)
#define RETURN_ERROR_IF(cond, ctx, status, ...)                                                    \
  do {                                                                                             \
    if (cond)                                                                                      \
      return sbd_error((ctx), (status), __VA_ARGS__);                                              \
  } while (0)

/* malloc that reports on ctx. */
void *sbd_malloc(sbd_ctx *ctx, size_t size);
void *sbd_calloc(sbd_ctx *ctx, size_t n, size_t size);
void *sbd_realloc(sbd_ctx *ctx, void *p, size_t size);
char *sbd_strdup(sbd_ctx *ctx, const char *s);
char *sbd_strndup(sbd_ctx *ctx, const char *s, size_t n);

/* Quotes a value for an error message: at most 60 bytes, control characters escaped, written into
 * buf (cap >= 80). Returns buf. */
char *sbd_quote_value(char *buf, size_t cap, const char *s, size_t n);

/* The closest of candidates[0..n) to word by edit distance, or NULL if none is close. */
const char *sbd_closest(const char *word, const char *const *candidates, int n);

/* ---- options ----------------------------------------------------------------------------------*/

struct sbd_options {
  int n, cap;
  char **keys;
  char **values;
};

/* Fails with a message naming the first key of opts that is not in known[0..n) (and the closest
 * known one). what names the consumer in the message, e.g. "CSV reader". */
sbd_status opt_check_known(sbd_ctx *ctx, const sbd_options *opts, const char *what,
                           const char *const *known, int n);
/* Typed getters; a malformed value is an error naming the key and the value. */
sbd_status opt_get_bool(sbd_ctx *ctx, const sbd_options *opts, const char *key, bool dflt,
                        bool *out);
sbd_status opt_get_int(sbd_ctx *ctx, const sbd_options *opts, const char *key, int64_t dflt,
                       int64_t min, int64_t max, int64_t *out);
/* Parses a byte size such as "64M", "1G", "4096". */
sbd_status opt_get_bytes(sbd_ctx *ctx, const sbd_options *opts, const char *key, int64_t dflt,
                         int64_t *out);

/* ---- schemas
 * -----------------------------------------------------------------------------------*/

typedef struct sbd_field {
  char *name;
  sbd_type type;
} sbd_field;

struct sbd_schema {
  int ncols;
  sbd_field *fields;
  int refs; /* atomic */
};

/* A schema of ncols columns with NULL names; fill fields with schema_set. */
sbd_schema *schema_new(sbd_ctx *ctx, int ncols);
sbd_status schema_set(sbd_ctx *ctx, sbd_schema *s, int col, const char *name, sbd_type type);
sbd_schema *schema_ref(sbd_schema *s);
void schema_unref(sbd_schema *s);
bool schema_equal(const sbd_schema *a, const sbd_schema *b);
/* Parses "id:INT64,ts:TIMESTAMP" (type names case-insensitive; also BOOLEAN, BIGINT, INTEGER,
 * INT, FLOAT, REAL, DOUBLE, VARCHAR, TEXT, STRING, DATE, TIMESTAMP, DATETIME). The result lists
 * the named columns only, in the order given. */
sbd_status schema_parse(sbd_ctx *ctx, const char *text, sbd_schema **out);
/* Parses a type name as above; returns 0 if unknown. */
sbd_type type_from_name(const char *name, size_t n);

/* ---- vectors
 * -------------------------------------------------------------------------------------*/

typedef struct sbd_vec {
  sbd_type type;
  int64_t len;
  int64_t cap;        /* rows allocated in values (and validity) */
  uint64_t *validity; /* NULL: all valid */
  int64_t null_count;
  void *values; /* see the layout above; for STRING: int64_t offsets[len + 1] */
  char *bytes;  /* STRING payload */
  int64_t bytes_len, bytes_cap;
  /* Non-NULL: a view (vec_view) whose buffers belong to a column of this batch, which the view
   * holds a reference to. The buffers are never written through a view: vec_reserve,
   * vec_set_null and vec_reset first give it buffers of its own (copy on write). */
  struct sbd_batch *owner;
} sbd_vec;

size_t type_width(sbd_type type); /* bytes per value; 8 for STRING offsets */

sbd_vec *vec_new(sbd_ctx *ctx, sbd_type type, int64_t cap_rows);
/* A view of column col of batch b: the same rows without copying them (it takes a reference to
 * b, released by vec_free). The in-memory tables (exec/memtable.c) hand out their batches this
 * way, so that the many queries reading a table share its buffers and none can change them. */
sbd_vec *vec_view(sbd_ctx *ctx, struct sbd_batch *b, int col);
/* Gives a view buffers of its own (a copy), so it may be written; no-op for other vectors. */
sbd_status vec_unshare(sbd_ctx *ctx, sbd_vec *v);
void vec_free(sbd_vec *v);
/* Empties v keeping its buffers. */
void vec_reset(sbd_vec *v);
/* Makes room for at least rows more rows (and, for STRING, bytes more payload). */
sbd_status vec_reserve(sbd_ctx *ctx, sbd_vec *v, int64_t rows, int64_t bytes);
/* Appends; the caller has reserved room (the bitmap is made on the first null). */
sbd_status vec_push_null(sbd_ctx *ctx, sbd_vec *v);
static inline bool vec_is_valid(const sbd_vec *v, int64_t i) {
  return !v->validity || (v->validity[i >> 6] >> (i & 63)) & 1;
}
/* Marks row i (< len) null, creating the bitmap on first use. */
sbd_status vec_set_null(sbd_ctx *ctx, sbd_vec *v, int64_t i);
static inline void vec_push_i64(sbd_vec *v, int64_t x) {
  ((int64_t *)v->values)[v->len++] = x;
}
static inline void vec_push_i32(sbd_vec *v, int32_t x) {
  ((int32_t *)v->values)[v->len++] = x;
}
static inline void vec_push_f64(sbd_vec *v, double x) {
  ((double *)v->values)[v->len++] = x;
}
static inline void vec_push_bool(sbd_vec *v, bool x) {
  ((uint8_t *)v->values)[v->len++] = x;
}
/* Appends a string; reserves itself (may fail on a huge value). */
sbd_status vec_push_str(sbd_ctx *ctx, sbd_vec *v, const char *s, size_t n);
static inline const char *vec_str(const sbd_vec *v, int64_t i, size_t *n) {
  const int64_t *off = (const int64_t *)v->values;
  *n = (size_t)(off[i + 1] - off[i]);
  return v->bytes + off[i];
}

/* ---- batches
 * ---------------------------------------------------------------------------------------*/

struct sbd_batch {
  int64_t nrows;
  int ncols;
  sbd_schema *schema; /* a reference */
  sbd_vec **cols;
  int refs; /* atomic; batches are shared only when an operator hands one to several consumers */
};

/* A batch with fresh empty vectors of the schema's types, each with room for cap_rows rows. */
sbd_batch *batch_new(sbd_ctx *ctx, sbd_schema *schema, int64_t cap_rows);
sbd_batch *batch_ref(sbd_batch *b);
/* Sets nrows from the columns, checking that they agree. */
void batch_seal(sbd_batch *b);

/* ---- arena
 * -----------------------------------------------------------------------------------------*/

/* A bump allocator: many small allocations, freed at once. Not thread-safe. */
typedef struct arena_block arena_block;
typedef struct arena {
  arena_block *head;
  size_t block_bytes;
  size_t total_bytes;
} arena;

void arena_init(arena *a, size_t block_bytes);
void *arena_alloc(arena *a, size_t size); /* 16-byte aligned; NULL when out of memory */
char *arena_strndup(arena *a, const char *s, size_t n);
void arena_reset(arena *a); /* frees all but the first block */
void arena_free(arena *a);

/* ---- thread pool
 * ----------------------------------------------------------------------------------*/

typedef struct pool pool;
typedef void (*pool_fn)(void *arg);

/* threads workers (>= 1). */
pool *pool_new(int threads);
void pool_free(pool *p); /* waits for queued tasks to finish */
/* Queues fn(arg); returns false when out of memory. */
bool pool_submit(pool *p, pool_fn fn, void *arg);
int pool_threads(const pool *p);
/* The context's pool, created on first use. NULL when out of memory (message set). */
pool *ctx_pool(sbd_ctx *ctx);
/* The number of online cores. */
int sys_cores(void);
/* The default number of worker threads: $SBD_THREADS when it is a whole number from 1 to 1024 (so
 * that tests can run more threads than the machine has cores), else sys_cores(). */
int sys_default_threads(void);

/* ---- hashing (xxHash3)
 * -------------------------------------------------------------------------*/

uint64_t hash_bytes(const void *p, size_t n, uint64_t seed);
uint64_t hash_u64(uint64_t x);

/* ---- text -------------------------------------------------------------------------------------*/

/* Strict UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF (utf8.c). */
bool str_utf8_valid(const char *s, size_t n);

/* ---- values: parsing and formatting ------------------------------------------------------------
 * Parsers take a byte range (not NUL-terminated), accept the whole range or nothing, and return
 * true on success. No locale, no allocation. */

bool num_parse_int64(const char *s, size_t n, int64_t *out); /* [+-]digits, overflow fails */
bool num_parse_double(const char *s, size_t n, double *out); /* correctly rounded; inf, nan */
bool num_parse_bool(const char *s, size_t n, bool *out);     /* true/false, any case */
/* Formatting writes into buf (no NUL unless room) and returns the length. */
#define NUM_FMT_MAX 32
size_t num_format_int64(int64_t v, char *buf); /* buf >= NUM_FMT_MAX */
size_t num_format_double(double v, char *buf); /* shortest text that reads back exactly */

/* ISO-8601. Dates: YYYY-MM-DD. Timestamps: date, 'T' or ' ', hh:mm[:ss[.f{1,9}]], optional 'Z' or
 * ±hh[:mm] offset; normalised to UTC microseconds (digits past µs are rounded toward zero... see
 * time.c). A date alone is accepted as a timestamp at midnight. */
bool tm_parse_date(const char *s, size_t n, int32_t *days);
bool tm_parse_timestamp(const char *s, size_t n, int64_t *micros);
#define TM_FMT_MAX 40
size_t tm_format_date(int32_t days, char *buf);    /* YYYY-MM-DD */
size_t tm_format_timestamp(int64_t us, char *buf); /* YYYY-MM-DD HH:MM:SS[.ffffff] (UTC) */
int64_t tm_days_from_civil(int64_t y, unsigned m, unsigned d);
void tm_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d);

#endif
