/*
 * match_int.h — what the files of the dedup engine (src/match/) share: the parsed configuration,
 * the normalizers, string similarity, the record store, the key index, union-find, survivorship
 * and the incremental state.
 *
 * The engine (dedup.c) reads every input record into a record store that keeps each column's
 * value as text (the input's column types are kept beside, for max/min/sum); computes each match
 * rule's normalized key per record; links records that share a key through a key index (64-bit
 * hashes, verified against the key bytes); adds fuzzy links within blocks; takes connected
 * components with union-find; names each component with an entity id (stable across runs with
 * --state); and merges each component into a golden record by per-field survivorship.
 * Record indexes are uint32_t: one run holds at most MT_MAX_RECORDS records.
 */
#ifndef SBD_MATCH_INT_H
#define SBD_MATCH_INT_H

#include "core/core_int.h"

#include <stdbool.h>
#include <stdint.h>

#define MT_MAX_RECORDS 0xfffffff0u
/* A normalized key longer than this is cut there (and stays a key). */
#define MT_MAX_KEY_BYTES 4096
/* Fuzzy fields are compared on their first MT_MAX_FUZZY_CHARS code points. */
#define MT_MAX_FUZZY_CHARS 256

/* ---- growable text (text.c) ------------------------------------------------------------------*/

typedef struct mt_buf {
  char *p;
  size_t len, cap;
} mt_buf;

/* Appends n bytes; false when out of memory. */
bool mt_buf_add(mt_buf *b, const void *s, size_t n);
bool mt_buf_addc(mt_buf *b, char c);
bool mt_buf_printf(mt_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s as a JSON string literal (quotes included). */
bool mt_buf_json_str(mt_buf *b, const char *s, size_t n);
void mt_buf_free(mt_buf *b);

/* A column of text values: value i is bytes[off[i] .. off[i+1]), null when null[i]. */
typedef struct mt_strcol {
  int64_t *off; /* n + 1 */
  uint8_t *null;
  char *bytes;
  size_t n, cap, bytes_cap;
} mt_strcol;

bool mt_strcol_push(mt_strcol *c, const char *s, size_t n, bool is_null);
static inline const char *mt_strcol_get(const mt_strcol *c, size_t i, size_t *n) {
  *n = (size_t)(c->off[i + 1] - c->off[i]);
  return c->null[i] ? NULL : c->bytes + c->off[i];
}
void mt_strcol_free(mt_strcol *c);

/* Keys of all records, as the text columns that the tasks computing them filled: value i is
 * value i % per of segment i / per. */
typedef struct mt_keys {
  mt_strcol *seg;
  int nseg;
  size_t per;
} mt_keys;

static inline const char *mt_keys_get(const mt_keys *k, size_t i, size_t *n) {
  return mt_strcol_get(&k->seg[i / k->per], i % k->per, n);
}
void mt_keys_free(mt_keys *k);

/* ---- the configuration (config.c) ------------------------------------------------------------*/

typedef enum mt_norm_kind {
  MT_NORM_TRIM,
  MT_NORM_LOWERCASE,
  MT_NORM_COLLAPSE_WHITESPACE,
  MT_NORM_STRIP_ACCENTS,
  MT_NORM_EMAIL,
  MT_NORM_PHONE,
  MT_NORM_SQL /* a SQL expression over the record's columns: only as a column's first step */
} mt_norm_kind;

typedef struct mt_norm {
  mt_norm_kind kind;
  bool strip_plus; /* email: drop a +tag of the local part */
  bool gmail_dots; /* email: drop the dots of a gmail.com local part */
  int country;     /* phone: default country code for E.164 (0: digits only) */
  char *sql;       /* sql: the expression */
  int line;        /* sql: the config line, for messages */
} mt_norm;

/* The normalizers of one column, in order. */
typedef struct mt_column_norm {
  char *column;
  int col; /* bound: the input column */
  mt_norm *steps;
  int nsteps;
  int line;
  int sql; /* steps[0] is a SQL expression: its number among the config's (0..nsql), else -1 */
} mt_column_norm;

typedef struct mt_rule {
  char *name;
  char **columns;
  int *cols; /* bound */
  int ncols;
  int line;
} mt_rule;

typedef enum mt_fuzzy_method { MT_JARO_WINKLER, MT_LEVENSHTEIN } mt_fuzzy_method;

typedef struct mt_fuzzy {
  char *name;
  char **block; /* the blocking key's columns */
  int *block_cols;
  int nblock;
  char *field;
  int field_col;
  mt_fuzzy_method method;
  double threshold; /* jaro_winkler: similarity >= threshold links */
  int max_distance; /* levenshtein: distance <= max_distance links */
  int64_t max_block;
  int line;
} mt_fuzzy;

typedef enum mt_survive {
  MT_MOST_RECENT,
  MT_FIRST_NON_NULL,
  MT_MOST_FREQUENT,
  MT_MAX,
  MT_MIN,
  MT_LONGEST,
  MT_UNION,
  MT_SUM
} mt_survive;

typedef struct mt_field_rule {
  char *column;
  mt_survive how;
  int line;
} mt_field_rule;

typedef struct mt_config {
  char *path; /* as given, for messages */
  char *dir;  /* the config file's folder: relative paths are resolved against it */
  char **inputs;
  int ninputs;
  int inputs_line;
  char *format; /* NULL: from the extension */
  char *schema; /* the reader's schema option: types forced by column name, or NULL */
  char *id_col, *source_col, *ts_col;
  int id_line, source_line, ts_line;
  char **source_priority;
  int nsource_priority;
  mt_column_norm *norms;
  int nnorms;
  int nsql; /* columns whose first normalizer is a SQL expression */
  char **placeholders;
  int nplaceholders;
  mt_rule *rules;
  int nrules;
  mt_fuzzy *fuzzy;
  int nfuzzy;
  int64_t max_cluster;
  mt_survive default_how;
  mt_field_rule *fields;
  int nfields;
  char *out_golden, *out_mapping, *out_summary, *out_rejects; /* resolved paths */
  /* bound against the inputs' schema */
  int id_idx, source_idx, ts_idx;
  mt_survive *how;       /* per input column */
  mt_column_norm **norm; /* per input column, or NULL */
} mt_config;

/* Reads and validates CONFIG (YAML). Errors name the file and the line. Owned by the caller:
 * mt_config_free. */
sbd_status mt_config_load(sbd_ctx *ctx, const char *path, mt_config **out);
/* The same from the mapping under key section of the root of path (the dedup section of
 * sbd.yaml); a file without it is an error. */
sbd_status mt_config_load_section(sbd_ctx *ctx, const char *path, const char *section,
                                  mt_config **out);
/* Resolves every column the configuration names against the inputs' schema; an unknown column
 * is an error with the config line and the closest column. */
sbd_status mt_config_bind(sbd_ctx *ctx, mt_config *cfg, const sbd_schema *schema);
void mt_config_free(mt_config *cfg);
const char *mt_survive_name(mt_survive how);

/* ---- normalizers (normalize.c) ---------------------------------------------------------------*/

/* Applies steps[0..n) to s[0..len) (a SQL step copies s: the reading query computed it, and the
 * engine passes its result as s) and writes the result to out (emptied first). False when out
 * of memory. The input is UTF-8 (readers validate it). */
bool mt_normalize(const mt_norm *steps, int n, const char *s, size_t len, mt_buf *out);

/* ---- similarity (similarity.c) ---------------------------------------------------------------*/

/* Decodes UTF-8 into at most cap code points; returns the count. */
size_t mt_utf8_decode(const char *s, size_t n, uint32_t *out, size_t cap);
double mt_jaro_winkler(const uint32_t *a, size_t na, const uint32_t *b, size_t nb);
/* The edit distance of a and b, or max + 1 when it is above max. */
int mt_levenshtein(const uint32_t *a, size_t na, const uint32_t *b, size_t nb, int max);

/* ---- key index (keyindex.c) -----------------------------------------------------------------
 * Open addressing over (64-bit hash, record): the first record that had each key. Equal hashes
 * are verified against the key bytes in keys, so a hash collision never links two records. */
typedef struct mt_keyindex {
  uint64_t *hash;
  uint32_t *rec; /* UINT32_MAX: empty slot */
  size_t cap, len;
  const mt_keys *keys;
} mt_keyindex;

bool mt_keyindex_init(mt_keyindex *ix, const mt_keys *keys, size_t expected);
/* Returns the first record with the key of record r, inserting r when the key is new (then
 * returns r). UINT32_MAX when out of memory. */
uint32_t mt_keyindex_find_or_add(mt_keyindex *ix, uint64_t hash, uint32_t r);
void mt_keyindex_free(mt_keyindex *ix);

/* ---- union-find (unionfind.c) ----------------------------------------------------------------*/

typedef struct mt_uf {
  uint32_t *parent;
  uint32_t *size;
  size_t n;
} mt_uf;

bool mt_uf_init(mt_uf *uf, size_t n);
uint32_t mt_uf_find(mt_uf *uf, uint32_t x);
/* Joins the sets of a and b; true when they were apart. */
bool mt_uf_union(mt_uf *uf, uint32_t a, uint32_t b);
void mt_uf_free(mt_uf *uf);

/* ---- sorting (sort.c) --------------------------------------------------------------------------
 * A stable merge sort of record indexes by a comparator with a context (qsort has none in C11). */
typedef int (*mt_cmp_fn)(const void *ctx, uint32_t a, uint32_t b);
bool mt_sort_u32(uint32_t *a, size_t n, mt_cmp_fn cmp, const void *ctx);

/* ---- records (records.c) -----------------------------------------------------------------------
 * The store the engine reads into: each record's values as one row of bytes, a value being a
 * varint (its length + 1; 0 for null) and its bytes, with one offset per record. Rows cost the
 * text plus about one byte per value and eight per record, where a column per field would cost
 * nine bytes per value. */
typedef struct mt_records {
  int ncols;
  char **names;
  sbd_type *types;
  char *bytes;
  size_t bytes_len, bytes_cap;
  int64_t *row; /* n + 1 offsets into bytes */
  size_t n, row_cap;
  mt_strcol ids;  /* each record's id: the id column's text, or generated "RUN-N" */
  int64_t *known; /* entity id from the state, or -1 */
} mt_records;

/* Appends a value (s NULL: a null) to the row being built in row. */
bool mt_row_put(mt_buf *row, const char *s, size_t n);
/* Appends the row built in row[0..len) as the next record. */
bool mt_records_add(mt_records *r, const char *row, size_t len);
/* Value col of record rec, or NULL for a null; *n is its length. */
const char *mt_records_get(const mt_records *r, size_t rec, int col, size_t *n);
void mt_records_free(mt_records *r);

/* ---- survivorship (survive.c) ----------------------------------------------------------------*/

/* The context survivorship needs: the records, the timestamp and source columns (-1: none) and
 * the source priority list. */
typedef struct mt_survive_ctx {
  const mt_records *recs;
  int ts_idx, source_idx, id_idx;
  char *const *priority;
  int npriority;
  const double *ts; /* per record: mt_survive_timestamp, computed once; NULL: parsed on use */
} mt_survive_ctx;

/* The timestamp of record r as a number for most_recent (-inf when null or unreadable). */
double mt_survive_timestamp(const mt_survive_ctx *sc, uint32_t r);

/* Merges column col of members[0..n) by how into vec out (one value appended: of the column's
 * type, or STRING for union). */
sbd_status mt_survive_column(sbd_ctx *ctx, const mt_survive_ctx *sc, int col, mt_survive how,
                             const uint32_t *members, size_t n, sbd_vec *out, mt_buf *scratch);
/* The type of the golden column for an input column of type t merged by how. */
sbd_type mt_survive_type(sbd_type t, mt_survive how);

/* ---- incremental state (state.c) -------------------------------------------------------------
 * DIR/records.sbdstate holds every record seen so far (all columns as text, with their types) and
 * its entity id; DIR/merges.csv the merges of known entities (old_id,new_id,run). */
typedef struct mt_state {
  int64_t next_id; /* the next entity id to hand out */
  int64_t run;     /* runs so far */
} mt_state;

/* Loads DIR's records into recs (which must be empty; names and types are set from the state)
 * and st. A missing DIR or an empty one is a fresh state. */
sbd_status mt_state_load(sbd_ctx *ctx, const char *dir, mt_records *recs, mt_state *st,
                         bool *found);
/* Writes recs (the alive ones, with their entity ids) and st to DIR atomically, and appends
 * merges (pairs old,new) to DIR/merges.csv. */
sbd_status mt_state_save(sbd_ctx *ctx, const char *dir, const mt_records *recs,
                         const uint8_t *alive, const int64_t *entity, const mt_state *st,
                         const int64_t *merges, size_t nmerges);

#endif
