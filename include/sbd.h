/*
 * sbd.h — the whole public C API of sbd ("small big data").
 *
 * Conventions:
 *  - Functions return sbd_status; SBD_OK (0) is success. On failure the message is kept on the
 *    context and read with sbd_errmsg(); it names the input, the place and the value at fault.
 *  - Every _new/_open has a matching _free/_close that accepts NULL.
 *  - Each doc comment says who owns what is returned. "Borrowed" means valid until the owner named
 *    is freed or changed; "owned by the caller" means the caller frees it with the function named.
 *  - A context is used by one thread at a time; separate contexts are independent.
 */
#ifndef SBD_H
#define SBD_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SBD_VERSION "0.1.0"

/* Status codes. Stable once published: new codes are only ever appended. */
typedef enum sbd_status {
  SBD_OK = 0,
  SBD_EINPUT = 1,       /* bad input data: a malformed record, a value that does not fit */
  SBD_EUSAGE = 2,       /* bad usage: an unknown option, a bad argument */
  SBD_EIO = 3,          /* the operating system refused a read, write or rename */
  SBD_ENOMEM = 4,       /* out of memory */
  SBD_ELIMIT = 5,       /* a configured cap was passed: line length, batch bytes */
  SBD_EUNSUPPORTED = 6, /* a feature of the input that sbd does not read */
  SBD_ENOTFOUND = 7,    /* a file, column or object that does not exist */
  SBD_EINTERNAL = 8     /* a bug in sbd: please report it */
} sbd_status;

/* Column types. Values: BOOL one byte 0/1 internally (bit-packed on Arrow export), INT64, DOUBLE,
 * STRING (UTF-8), DATE (int32 days since 1970-01-01), TIMESTAMP (int64 microseconds since the
 * epoch, UTC). */
typedef enum sbd_type {
  SBD_BOOL = 1,
  SBD_INT64 = 2,
  SBD_DOUBLE = 3,
  SBD_STRING = 4,
  SBD_DATE = 5,
  SBD_TIMESTAMP = 6
} sbd_type;

/* The type's name as written in schemas: "BOOL", "INT64", ... Static storage. */
const char *sbd_type_name(sbd_type type);

/* ---------------------------------------------------------------------------------------------
 * Context: error messages, thread count, limits.
 */
typedef struct sbd_ctx sbd_ctx;

/* A new context with one worker thread per core. Owned by the caller: sbd_ctx_free. Returns NULL
 * only when out of memory. */
sbd_ctx *sbd_ctx_new(void);
void sbd_ctx_free(sbd_ctx *ctx);

/* The message of the last failed call on this context ("" if none). Borrowed from ctx. */
const char *sbd_errmsg(const sbd_ctx *ctx);

/* Worker threads for parallel work; 0 means one per core (or $SBD_THREADS, a whole number from
 * 1 to 1024, when it is set: a new context starts with that default too). Takes effect for
 * readers and writers opened afterwards. */
sbd_status sbd_ctx_set_threads(sbd_ctx *ctx, int threads);
int sbd_ctx_threads(const sbd_ctx *ctx);

/* ---------------------------------------------------------------------------------------------
 * Options: key/value strings given to readers and writers, the same keys the CLI flags and the
 * SQL reader functions use. Readers: format, schema, sample_rows, on_error, rejects,
 * max_line_bytes, hive_partitioning; delim, header, nulls, quote (CSV); columns (Parquet, CSV).
 * Writers: format; delim, header (CSV); compression, compression_level, row_group_rows,
 * row_group_bytes, page_bytes, parquet_encoding, data_page, parquet_dict_limit (Parquet). A
 * reader or writer rejects a key it does not know.
 */
typedef struct sbd_options sbd_options;

sbd_options *sbd_options_new(void);
void sbd_options_free(sbd_options *opts);
/* Sets key to value (both copied); a later set of the same key replaces it. */
sbd_status sbd_options_set(sbd_options *opts, const char *key, const char *value);
/* The value of key, or NULL. Borrowed from opts. */
const char *sbd_options_get(const sbd_options *opts, const char *key);

/* ---------------------------------------------------------------------------------------------
 * Schemas and batches.
 */
typedef struct sbd_schema sbd_schema;
typedef struct sbd_batch sbd_batch;

int sbd_schema_ncols(const sbd_schema *schema);
/* Column name; borrowed from the schema. */
const char *sbd_schema_name(const sbd_schema *schema, int col);
sbd_type sbd_schema_type(const sbd_schema *schema, int col);
/* Index of the column named name, or -1. */
int sbd_schema_find(const sbd_schema *schema, const char *name);

/* Rows in a batch (at most 65536). */
int64_t sbd_batch_nrows(const sbd_batch *batch);
int sbd_batch_ncols(const sbd_batch *batch);
/* Borrowed from the batch. */
const sbd_schema *sbd_batch_schema(const sbd_batch *batch);
/* Releases the caller's reference. Accepts NULL. */
void sbd_batch_free(sbd_batch *batch);
/* A new batch holding a copy of rows [offset, offset + nrows) of batch (for instance the first
 * rows of a LIMIT or of `sbd head`). Owned by the caller: sbd_batch_free. */
sbd_status sbd_batch_slice(sbd_ctx *ctx, const sbd_batch *batch, int64_t offset, int64_t nrows,
                           sbd_batch **out);
/* The value at row of column col (both in range) as text, spelt as the CSV writer spells it
 * before quoting: true/false, 42, 1.5, 2024-01-31, 2024-01-31 12:00:00.25, a string's bytes.
 * Writes at most cap - 1 bytes and a NUL into buf (nothing when cap is 0) and returns the length
 * of the whole text, as snprintf does; returns -1, writing "", when the value is NULL. */
int64_t sbd_batch_value_text(const sbd_batch *batch, int col, int64_t row, char *buf, size_t cap);

/* The Arrow C Data Interface structures, as the Arrow project publishes them. */
#ifndef ARROW_C_DATA_INTERFACE
#define ARROW_C_DATA_INTERFACE
#define ARROW_FLAG_DICTIONARY_ORDERED 1
#define ARROW_FLAG_NULLABLE 2
#define ARROW_FLAG_MAP_KEYS_SORTED 4
struct ArrowSchema {
  const char *format;
  const char *name;
  const char *metadata;
  int64_t flags;
  int64_t n_children;
  struct ArrowSchema **children;
  struct ArrowSchema *dictionary;
  void (*release)(struct ArrowSchema *);
  void *private_data;
};
struct ArrowArray {
  int64_t length;
  int64_t null_count;
  int64_t offset;
  int64_t n_buffers;
  int64_t n_children;
  const void **buffers;
  struct ArrowArray **children;
  struct ArrowArray *dictionary;
  void (*release)(struct ArrowArray *);
  void *private_data;
};
#endif

/* Exports a batch as an Arrow struct array and its schema, sharing the batch's buffers (BOOL is
 * bit-packed into a new buffer). Both outputs are owned by the caller and released through their
 * release callbacks; the batch may be freed before them. */
sbd_status sbd_batch_export(sbd_ctx *ctx, sbd_batch *batch, struct ArrowArray *array,
                            struct ArrowSchema *schema);

/* A new batch holding a copy of rows [offset, offset + nrows) (nrows at most 65536) of an Arrow
 * struct array and its schema, one column per child: bool; 8- to 64-bit integers (unsigned 64-bit
 * only when the values fit) as INT64; half, float and double as DOUBLE; utf8 and large utf8
 * (checked to be valid UTF-8) as STRING; date32 and date64 as DATE; timestamps of any unit and
 * zone as TIMESTAMP (microseconds, UTC). Other formats are SBD_EUNSUPPORTED naming the column.
 * The array and schema stay the caller's (released by the caller); the batch is owned by the
 * caller: sbd_batch_free. */
sbd_status sbd_batch_import(sbd_ctx *ctx, const struct ArrowArray *array,
                            const struct ArrowSchema *schema, int64_t offset, int64_t nrows,
                            sbd_batch **out);

/* ---------------------------------------------------------------------------------------------
 * Readers: CSV, JSON Lines and Parquet. A reader streams batches in file order from one or more
 * files (globs are expanded; "-" is standard input, except for Parquet, which needs a seekable
 * file).
 */
typedef struct sbd_reader sbd_reader;

/* Opens paths[0..npaths). The format comes from option "format" or from the extension. A folder
 * stands for the files beneath it, and key=value folders add columns (Hive partitions; option
 * hive_partitioning=false turns that off). The reader is owned by the caller: sbd_reader_close. */
sbd_status sbd_reader_open(sbd_ctx *ctx, const char *const *paths, int npaths,
                           const sbd_options *opts, sbd_reader **out);
/* The number of rows of paths[0..npaths) (globs expanded, the format from option "format" or the
 * extension) when every file records it: the footers of Parquet files, read without any data
 * page or a look at the columns (a file with columns sbd does not read is counted too). *rows is
 * -1 when some file does not record it (CSV, JSON Lines): only reading tells, with a reader. */
sbd_status sbd_row_count(sbd_ctx *ctx, const char *const *paths, int npaths,
                         const sbd_options *opts, int64_t *rows);
/* Borrowed from the reader. */
const sbd_schema *sbd_reader_schema(const sbd_reader *reader);
/* The next batch, owned by the caller (sbd_batch_free), or *out = NULL at the end. */
sbd_status sbd_reader_next(sbd_reader *reader, sbd_batch **out);
/* Records skipped so far under on_error=skip. */
int64_t sbd_reader_rejected(const sbd_reader *reader);
/* Input bytes consumed so far and in total (total is -1 when unknown, as for a pipe). */
void sbd_reader_progress(const sbd_reader *reader, int64_t *bytes_done, int64_t *bytes_total);
void sbd_reader_close(sbd_reader *reader);

/* ---------------------------------------------------------------------------------------------
 * Queries. The result of a query is a stream of batches read through the reader API: the same
 * sbd_reader_schema, sbd_reader_next (batches owned by the caller, exportable with
 * sbd_batch_export) and sbd_reader_close, so whatever consumes a file consumes a query.
 */

/* Parses, binds and plans the SQL text sql (one query; docs/sql.md says what runs) and returns
 * its result as a reader, owned by the caller: sbd_reader_close. Errors are found before any
 * row is read where they can be (syntax, names, types, "not supported yet"), and shown with the
 * SQL and a caret; errors in the data (a failed CAST, an integer overflow) come from
 * sbd_reader_next. The query runs as it is read, with the context's threads for the readers
 * beneath it; the context must outlive the reader. */
sbd_status sbd_query(sbd_ctx *ctx, const char *sql, sbd_reader **out);

/* What a query's scans skipped by filter pushdown, so far: Parquet row groups whose statistics
 * show that WHERE cannot hold (counted where a WHERE was pushed into a Parquet scan), and files of
 * Hive-partitioned folders whose partition values show the same. */
typedef struct sbd_scan_stats {
  int64_t row_groups_read, row_groups_skipped;
  int64_t files_read, files_skipped;
} sbd_scan_stats;
/* Fills *out for query, a reader from sbd_query (all zeros for any other reader). */
void sbd_query_scan_stats(const sbd_reader *query, sbd_scan_stats *out);

/* ---------------------------------------------------------------------------------------------
 * Scripts and in-memory tables. A script is statements separated by ';': queries (SELECT,
 * WITH), CREATE [OR REPLACE] [TEMP|TEMPORARY] TABLE name AS query and DROP TABLE [IF EXISTS]
 * name. A table made by CREATE TABLE is the query's result kept in memory, in the context: it
 * lives until dropped, replaced or the context is freed, and every later statement on the
 * context (sbd_query, sbd_repo_query and scripts alike) reads it by name, like a file. Its
 * batches are shared, never copied, by the queries that read it; a reader still open when the
 * table is dropped keeps what it reads alive.
 */
typedef struct sbd_script sbd_script;

/* Parses every statement of sql (a syntax error anywhere fails here, before any runs). Owned by
 * the caller: sbd_script_close. The context must outlive it. */
sbd_status sbd_script_open(sbd_ctx *ctx, const char *sql, sbd_script **out);
/* The number of statements (>= 1), and whether statement i (from 0) is a query. */
int sbd_script_count(const sbd_script *script);
int sbd_script_is_query(const sbd_script *script, int i);
/* Runs statement i. A query is planned and *out is its result, as from sbd_query (owned by the
 * caller: sbd_reader_close; it may outlive the script). CREATE TABLE runs its query to the end
 * before returning; it and DROP TABLE set *out to NULL. Run the statements in order: each sees
 * the tables the ones before it made. Errors carry a caret into the whole script's text. */
sbd_status sbd_script_run(sbd_script *script, int i, sbd_reader **out);
void sbd_script_close(sbd_script *script);

/* ---------------------------------------------------------------------------------------------
 * Writers. Output goes to a temporary file beside path and is renamed into place only by a
 * successful sbd_writer_close; sbd_writer_abort (or a crash) leaves any previous file whole.
 * The path "-" writes to standard output.
 */
typedef struct sbd_writer sbd_writer;

sbd_status sbd_writer_open(sbd_ctx *ctx, const char *path, const sbd_schema *schema,
                           const sbd_options *opts, sbd_writer **out);
/* Appends a batch whose schema has the writer's column types. The batch stays the caller's. */
sbd_status sbd_writer_write(sbd_writer *writer, const sbd_batch *batch);
/* Flushes, syncs and renames into place; frees the writer whatever the result. */
sbd_status sbd_writer_close(sbd_writer *writer);
/* Removes the temporary file and frees the writer. Accepts NULL. */
void sbd_writer_abort(sbd_writer *writer);

/* ---------------------------------------------------------------------------------------------
 * The feature store (docs/store.md). A repository is a folder with sbd.yaml: sources (files) and
 * feature groups, each a list of SQL queries returning the group's key and some features. A
 * calculation writes an immutable version, store/GROUP/version=N/part-K.parquet (K = 0, 1, ...:
 * at most sbd.yaml's part_rows rows each, consecutive in key order), and records it
 * in the catalog (SQLite, .sbd/catalog.db) with its statistics and lineage. All functions report
 * errors on the repository's context (sbd_errmsg); a repository is used by one thread at a time.
 */
typedef struct sbd_repo sbd_repo;

/* Writes dir/sbd.yaml (dir is created when absent): a commented template, or with example != 0
 * a working example with generated data (data/customers.csv, data/orders.jsonl) and the groups
 * customer and customer_orders. Refuses to replace an existing sbd.yaml (SBD_EUSAGE). */
sbd_status sbd_repo_init(sbd_ctx *ctx, const char *dir, int example);

/* The example's sizes, and the most rows sbd_repo_demo generates per file. */
#define SBD_DEMO_CUSTOMERS 1000
#define SBD_DEMO_ORDERS 5000
#define SBD_DEMO_MAX_ROWS INT64_C(1000000000)
/* Writes the example repository of sbd_repo_init at a chosen size: dir/sbd.yaml and customers
 * (>= 1) and orders (>= 0) rows of generated data, streamed in bounded memory, each file written
 * atomically. An existing dir/sbd.yaml is replaced only if it is the example's own. */
sbd_status sbd_repo_demo(sbd_ctx *ctx, const char *dir, int64_t customers, int64_t orders);

/* Opens the repository in dir (NULL: "."): parses and checks dir/sbd.yaml and opens (creating)
 * its catalog. Owned by the caller: sbd_repo_close. ctx must outlive the repository. */
sbd_status sbd_repo_open(sbd_ctx *ctx, const char *dir, sbd_repo **out);
void sbd_repo_close(sbd_repo *repo);

/* Frees text returned by the functions below (plan, apply, describe, export_ddl). Accepts NULL. */
void sbd_free(void *p);

/* What sbd_repo_apply would change in the catalog, one line per change ("" when nothing).
 * *text is owned by the caller: sbd_free. */
sbd_status sbd_repo_plan(sbd_repo *repo, char **text);
/* Registers the definitions of sbd.yaml in the catalog (one transaction) and describes what
 * changed, as sbd_repo_plan does. *text is owned by the caller: sbd_free. */
sbd_status sbd_repo_apply(sbd_repo *repo, char **text);

/* A function called with messages a long operation gives while it runs ("waiting for another
 * calculation of 'customer'"); message is borrowed for the call. NULL: none. */
typedef void (*sbd_notice_fn)(void *arg, const char *message);
void sbd_repo_set_notice(sbd_repo *repo, sbd_notice_fn fn, void *arg);

#define SBD_CALC_FORCE 1 /* write a new version even when nothing changed */

/* Calculates group: runs its queries, outer-joins them on the key and writes a new version,
 * unless neither its definition nor its sources changed since the latest (and flags lacks
 * SBD_CALC_FORCE). Waits up to wait_seconds (< 0: without end) for a calculation of the same
 * group in another process. *version is the new or the unchanged latest version; *written is 1
 * when a version was written, 0 when the group was up to date. A failure leaves the previous
 * version the latest and no folder behind. */
sbd_status sbd_repo_calculate(sbd_repo *repo, const char *group, int flags, double wait_seconds,
                              int64_t *version, int *written);
/* The groups of the repository in dependency order (a group after those it reads). Borrowed
 * from repo: names[0..*n). */
sbd_status sbd_repo_group_names(sbd_repo *repo, const char *const **names, int *n);

/* A feature set: the key and the features of group selected by names or globs (features; NULL
 * or none: all), less those matching an exclude glob unless named exactly; rows where every
 * filter (a SQL predicate over any feature of the groups) holds. A feature written GROUP:NAME
 * or GROUP:GLOB comes from another group, joined on the key. version 0 is the latest. part < 0
 * reads every part of the main group's version; part K >= 0 only its part-K.parquet (the other
 * groups are joined in full), so the parts of sbd_repo_parts can be read apart, in parallel. */
typedef struct sbd_get_request {
  const char *group;
  const char *const *features;
  int nfeatures;
  const char *const *exclude;
  int nexclude;
  const char *const *filters;
  int nfilters;
  int64_t version;
  int64_t part;
} sbd_get_request;
/* The feature set as a reader, owned by the caller: sbd_reader_close (before sbd_repo_close). */
sbd_status sbd_repo_get(sbd_repo *repo, const sbd_get_request *req, sbd_reader **out);
/* The number of parts of group's version (0: the latest), and that version's number. */
sbd_status sbd_repo_parts(sbd_repo *repo, const char *group, int64_t version, int64_t *version_out,
                          int64_t *nparts);
/* sbd_query where the sources and groups of the repository are tables: a group is its latest
 * version, GROUP@N its version N. The reader is owned by the caller: sbd_reader_close. */
sbd_status sbd_repo_query(sbd_repo *repo, const char *sql, sbd_reader **out);
/* sbd_script_open where the sources and groups of the repository are tables too (as in
 * sbd_repo_query). The script is owned by the caller: sbd_script_close (the repository may be
 * closed first). */
sbd_status sbd_repo_script_open(sbd_repo *repo, const char *sql, sbd_script **out);

/* Listings as readers, owned by the caller (sbd_reader_close):
 *  groups:   group, description, owner, key, latest, rows, features, created
 *  features: group, feature, type, description, count, nulls, min, max, mean, stddev, distinct
 *            (of the latest version; group NULL: every group)
 *  versions: version, created, rows, bytes, duration_s, definition, sources */
sbd_status sbd_repo_groups(sbd_repo *repo, sbd_reader **out);
sbd_status sbd_repo_features(sbd_repo *repo, const char *group, sbd_reader **out);
sbd_status sbd_repo_versions(sbd_repo *repo, const char *group, sbd_reader **out);
/* A text describing group: its definition, features with the latest statistics (histograms
 * and top values too), versions and runs. *text is owned by the caller: sbd_free. */
sbd_status sbd_repo_describe(sbd_repo *repo, const char *group, char **text);
/* Removes all but the keep (>= 1) newest versions of every group, from the catalog first and
 * then from disk, and leftovers of interrupted calculations. *removed counts the versions. */
sbd_status sbd_repo_gc(sbd_repo *repo, int keep, int64_t *removed);
/* The statements registering every group as a table of its Parquet versions in engine
 * ("athena", "trino", "spark" or "duckdb"), the version a partition column. location replaces
 * the store's path (s3://bucket/store; NULL: the store's absolute path); database (NULL: none)
 * qualifies the tables. *text is owned by the caller: sbd_free. */
sbd_status sbd_repo_export_ddl(sbd_repo *repo, const char *engine, const char *location,
                               const char *database, char **text);

/* ---------------------------------------------------------------------------------------------
 * Dedup: find the records that describe one entity (a customer) and merge each cluster into a
 * golden record. docs/dedup.md describes the configuration.
 */

/* Runs the dedup described by the YAML file config_path: reads its inputs, links records by its
 * match and fuzzy rules, clusters them, and writes the golden records, the mapping and (when the
 * configuration names it) the summary, each atomically. Option "state" names a folder that
 * keeps the records and entity ids between runs, so that ids stay stable. On success
 * *summary_json and *summary_text (either may be NULL) receive the summary as JSON and as
 * lines for a terminal, owned by the caller: sbd_dedup_text_free. */
sbd_status sbd_dedup_run(sbd_ctx *ctx, const char *config_path, const sbd_options *opts,
                         char **summary_json, char **summary_text);
/* The same for the dedup section of the repository in dir (NULL: "."): sbd.yaml's `dedup:`
 * holds the keys of a dedup configuration (paths relative to dir, errors naming sbd.yaml's
 * lines) or {config: FILE}, a dedup file relative to dir. */
sbd_status sbd_dedup_run_repo(sbd_ctx *ctx, const char *dir, const sbd_options *opts,
                              char **summary_json, char **summary_text);
void sbd_dedup_text_free(char *text);

#ifdef __cplusplus
}
#endif
#endif
