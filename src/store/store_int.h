/*
 * store_int.h — what the files of the feature store share: the repository's definitions as parsed
 * from sbd.yaml (config.c), the SQLite catalog (catalog.c), the lock of a group's calculation
 * (lock.c), the statistics of a version (stats.c), one-batch readers for listings (rows.c) and
 * the repository handle of the public API (repo.c; calculate.c, get.c, browse.c, ddl.c and
 * init.c implement its functions).
 *
 * Invariants: every name that becomes part of a path (a group) or of generated SQL (groups,
 * sources, keys, features) is an identifier [A-Za-z_][A-Za-z0-9_]*, checked by the parser or,
 * for feature names that only a query's result tells, before anything is written. A version
 * folder store/GROUP/version=N exists in the catalog only once it is complete and renamed into
 * place; a folder the catalog does not know is the leftover of a crash, removed under the lock.
 */
#ifndef SBD_STORE_INT_H
#define SBD_STORE_INT_H

#include "core/core_int.h"
#include "sql/sql_int.h"

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

/* Caps on what sbd.yaml may declare: a file beyond them is an error naming the cap. */
#define ST_MAX_CONFIG_BYTES (4u << 20)
#define ST_MAX_NAME 64
#define ST_MAX_SQL_FILE_BYTES (1u << 20)
/* The rows of one Parquet part of a version (sbd.yaml's part_rows): its default and its cap. */
#define ST_DEFAULT_PART_ROWS 1000000
#define ST_MAX_PART_ROWS ((int64_t)1 << 40)

/* ---- definitions (config.c) ------------------------------------------------------------------*/

typedef struct st_meta {
  const char *feature;
  const char *description; /* "" when not given */
  const char *tags;        /* comma-separated, "" when none */
  int line;
} st_meta;

typedef struct st_query {
  const char *sql;    /* the text: inline, or read from file ("" for a Python function) */
  const char *python; /* module:function of a `python:` item, else NULL */
  const char *file;   /* the sql file as written, or NULL for inline sql */
  int line;           /* of the list item */
  st_meta *meta;
  int nmeta;
} st_query;

typedef struct st_source {
  const char *name;
  const char *path; /* as written; relative to the repository */
  const char *format;
  const char *timestamp;
  int line;
} st_source;

typedef struct st_group {
  const char *name;
  const char **keys;
  int nkeys;
  const char *description, *owner, *tags, *timestamp;
  st_query *queries;
  int nqueries;
  const char **deps; /* the groups its queries read, found by name in their FROM clauses */
  int ndeps;
  const char **sources; /* the sources its queries read, found the same way */
  int nsources;
  int line;
} st_group;

typedef struct st_config {
  arena a;             /* every string and array below */
  const char *file;    /* the file's name for messages: "sbd.yaml" */
  const char *catalog; /* as written, default ".sbd/catalog.db" */
  const char *store;   /* default "store" */
  int64_t part_rows;   /* the most rows a part-K.parquet of a version holds */
  st_source *sources;
  int nsources;
  st_group *groups; /* in dependency order once parsed: a group after those it reads */
  int ngroups;
  int dedup_line;           /* the line of the dedup section, 0 when there is none */
  const char *dedup_config; /* dedup: {config: FILE}: FILE as written, or NULL (keys inline) */
} st_config;

/* Parses and validates the text of sbd.yaml (len bytes; file names it in messages, dir is the
 * repository folder that sql files are read from, or NULL to leave them unread). Errors are
 * SBD_EINPUT, "FILE:LINE: message". On success *out is owned by the caller: st_config_free. */
sbd_status st_config_parse(sbd_ctx *ctx, const char *text, size_t len, const char *file,
                           const char *dir, st_config **out);
void st_config_free(st_config *c);
const st_group *st_config_group(const st_config *c, const char *name);
const st_source *st_config_source(const st_config *c, const char *name);
/* Whether s is [A-Za-z_][A-Za-z0-9_]* and at most ST_MAX_NAME bytes. */
bool st_is_identifier(const char *s);
/* A canonical text of a group's definition, for its hash (malloc'd, caller frees). */
char *st_group_definition(const st_group *g);

/* ---- Python feature functions (python.c) ----------------------------------------------------*/

#include <sys/types.h>

/* Whether s is an import string module(.module)*:name(.name)* of identifiers. */
bool st_is_import_string(const char *s);
/* The module's source file of target (module:function), relative to the repository, when it
 * lies there (a.b -> a/b.py or a/b/__init__.py); NULL when not (or out of memory). malloc'd. */
char *st_python_source(sbd_repo *r, const char *target);
/* Starts `$SBD_PYTHON -m sbd._runner REPO target out_path` with its stderr into err_path. */
sbd_status st_python_start(sbd_repo *r, const char *target, const char *out_path,
                           const char *err_path, pid_t *pid);
/* Waits for it; a failure's message is the first line of err_path (sbd._runner names the
 * function there). */
sbd_status st_python_wait(sbd_repo *r, const char *target, pid_t pid, const char *err_path);

/* ---- the catalog (catalog.c) -----------------------------------------------------------------*/

#define ST_CATALOG_SCHEMA_VERSION 1

/* Opens (creating when absent, with its folder) the catalog at path in WAL mode, with a busy
 * timeout. A catalog written by a newer sbd is refused. */
sbd_status st_catalog_open(sbd_ctx *ctx, const char *path, sqlite3 **out);
/* Runs sql (no result rows); errors name the catalog's message. */
sbd_status st_exec(sbd_ctx *ctx, sqlite3 *db, const char *sql);
sbd_status st_prepare(sbd_ctx *ctx, sqlite3 *db, const char *sql, sqlite3_stmt **out);
sbd_status st_db_error(sbd_ctx *ctx, sqlite3 *db, const char *what);
/* The latest version of group, or 0 when it has none. */
sbd_status st_latest_version(sbd_ctx *ctx, sqlite3 *db, const char *group, int64_t *version);
/* Whether the version is registered. */
sbd_status st_version_exists(sbd_ctx *ctx, sqlite3 *db, const char *group, int64_t version,
                             bool *exists);
/* Registers (or updates) a group's definition and its features' metadata, in the caller's
 * transaction. */
sbd_status st_catalog_register(sbd_ctx *ctx, sqlite3 *db, const st_group *g);

/* ---- statistics (stats.c) --------------------------------------------------------------------*/

/* Computes the statistics of every column of the Parquet files glob that is not a key of g and
 * inserts them into the stats table for (group, version), in the caller's transaction. */
sbd_status st_stats_record(sbd_ctx *ctx, sqlite3 *db, const st_group *g, int64_t version,
                           const char *glob);

/* ---- one-batch readers for listings (rows.c) -------------------------------------------------*/

typedef struct st_rows st_rows;
/* A table of ncols columns named names[i] of types types[i]. */
st_rows *st_rows_new(sbd_ctx *ctx, int ncols, const char *const *names, const sbd_type *types);
void st_rows_free(st_rows *r);
/* Appends the next cell (left to right, row by row). NULL text / is_null: a NULL. */
sbd_status st_rows_str(st_rows *r, const char *text);
sbd_status st_rows_int(st_rows *r, int64_t v, bool is_null);
sbd_status st_rows_double(st_rows *r, double v, bool is_null);
/* Appends column col of the current row of stmt as the cell's type (NULL for SQL NULL). */
sbd_status st_rows_column(st_rows *r, sqlite3_stmt *stmt, int col);
/* Turns the rows into a reader (owned by the caller); frees r whatever the result. */
sbd_status st_rows_reader(st_rows *r, sbd_reader **out);

/* ---- the lock of a group's calculation (lock.c) -----------------------------------------------*/

/* Takes an exclusive lock on path (created when absent). When another process holds it, calls
 * waiting(arg) once and waits up to wait_s seconds (< 0: without end); SBD_EIO with a message
 * naming the group when the time runs out. *fd is the lock; st_unlock releases it. */
sbd_status st_lock(sbd_ctx *ctx, const char *path, const char *group, double wait_s,
                   void (*waiting)(void *arg, const char *group), void *arg, int *fd);
void st_unlock(int fd);

/* ---- small helpers (repo.c) ------------------------------------------------------------------*/

/* A growable text with a cap; on overflow or OOM it stays failed and st_text_take says so. */
typedef struct st_text {
  char *s;
  size_t len, cap;
  bool failed;
} st_text;
void st_text_add(st_text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s as a SQL string literal: 'it''s'. */
void st_text_sql_string(st_text *t, const char *s);
/* The text (caller frees) or NULL with SBD_ENOMEM recorded on ctx. */
char *st_text_take(sbd_ctx *ctx, st_text *t);

/* ---- the repository (repo.c) -----------------------------------------------------------------*/

struct sbd_repo {
  sbd_ctx *ctx;
  char *dir;     /* the repository folder */
  char *catalog; /* the catalog's path (dir-relative unless absolute in sbd.yaml) */
  char *store;   /* the store folder's path */
  st_config *cfg;
  sqlite3 *db;
  const char **group_names; /* cfg's groups' names, for sbd_repo_group_names */
  sbd_notice_fn notice;
  void *notice_arg;
};

/* path joined to the repository folder unless absolute (malloc'd, or NULL with ENOMEM). */
char *st_repo_path(sbd_repo *r, const char *path);
/* The tables a query of the repository sees: each source by name, each group with a version by
 * name (its latest) and as GROUP@N (each version). *tables and every string are owned by the
 * caller: st_tables_free. */
sbd_status st_repo_tables(sbd_repo *r, sql_table **tables, int *n);
void st_tables_free(sql_table *tables, int n);
/* The Parquet glob of a group's version: STORE/GROUP/version=N/part-*.parquet (malloc'd). A
 * version is parts part-0 .. part-(n-1), each at most part_rows rows, in key order. */
char *st_version_glob(sbd_repo *r, const char *group, int64_t version);
/* The path of one part: STORE/GROUP/version=N/part-K.parquet (malloc'd). */
char *st_version_part(sbd_repo *r, const char *group, int64_t version, int64_t part);
/* Runs sql through the repository's tables (the SQL engine), the result owned by the caller. */
sbd_status st_repo_sql(sbd_repo *r, const char *sql, sbd_reader **out);
/* st_repo_sql with one more Parquet table, name over path (name NULL: none). */
sbd_status st_repo_sql_with(sbd_repo *r, const char *sql, const char *name, const char *path,
                            sbd_reader **out);
/* "no group 'x' in sbd.yaml (did you mean 'y'?)", SBD_ENOTFOUND (calculate.c). */
sbd_status st_unknown_group(sbd_repo *r, const char *group);
/* Removes the folders of STORE/GROUP that the catalog does not name: temporary folders of an
 * interrupted calculation and versions renamed into place but never committed, or dropped by
 * gc. The caller holds the group's lock. *removed (may be NULL) counts them (calculate.c). */
sbd_status st_remove_orphans(sbd_repo *r, const char *group, int64_t *removed);

#endif
