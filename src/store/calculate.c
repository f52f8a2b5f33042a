/*
 * calculate.c — a group's calculation, in the order that keeps the store whole:
 *   1. lock the group (lock.c), so a second calculation of it waits; remove the leftovers of an
 *      interrupted one (a folder the catalog does not name);
 *   2. fingerprint its inputs (each file of each source it reads: size, mtime and an XXH3 of the
 *      content, reused from the latest lineage when size and mtime are unchanged; each group it
 *      reads: its latest version) and compare them and the definition's hash with the latest
 *      version's: equal means "up to date", nothing written;
 *   3. plan each feature query alone to check its columns (the key present, feature names that
 *      are identifiers and not returned by two queries, meta naming returned features);
 *   4. run them in parallel, a thread and a context each, into Parquet files of a temporary
 *      folder STORE/GROUP/.version=N.tmp-PID, then join those on the key (FULL JOIN ... USING,
 *      ORDER BY key) into part-0.parquet, part-1.parquet, ... there (one query is written there
 *      directly): the writer starts a new part after each part_rows rows of the key-ordered
 *      stream, so the parts hold consecutive key ranges;
 *   5. rename the folder to version=N, then in one catalog transaction: the version, the
 *      group's latest pointer, the features' types, the statistics (stats.c) and the lineage.
 * Any failure before the commit removes the folder; a crash leaves a folder the catalog does not
 * name, invisible to readers and removed by the next calculation or gc. The run (start, end,
 * rows, bytes, status, error) is recorded whatever the outcome.
 */
#include "store/store_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <xxhash.h>

/* One input of a version: a source file or a group's version. */
typedef struct input {
  char *path;
  int64_t size, mtime_ns;
  char fingerprint[40];
} input;

typedef struct inputs {
  input *v;
  int n, cap;
} inputs;

static void inputs_free(inputs *in) {
  for (int i = 0; i < in->n; i++)
    free(in->v[i].path);
  free(in->v);
  memset(in, 0, sizeof(*in));
}

static input *inputs_add(sbd_ctx *ctx, inputs *in, const char *path) {
  if (in->n == in->cap) {
    int cap = in->cap * 2 + 8;
    input *v = sbd_realloc(ctx, in->v, sizeof(*v) * (size_t)cap);
    if (!v)
      return NULL;
    in->v = v;
    in->cap = cap;
  }
  input *x = &in->v[in->n];
  memset(x, 0, sizeof(*x));
  if (!(x->path = sbd_strdup(ctx, path)))
    return NULL;
  in->n++;
  return x;
}

static int input_cmp(const void *a, const void *b) {
  return strcmp(((const input *)a)->path, ((const input *)b)->path);
}

static sbd_status hash_file(sbd_ctx *ctx, const char *path, char out[40]) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return sbd_error(ctx, SBD_EIO, "%s: cannot read: %s", path, strerror(errno));
  XXH3_state_t *h = XXH3_createState();
  char *buf = malloc(1 << 20);
  sbd_status st = h && buf ? SBD_OK : sbd_error(ctx, SBD_ENOMEM, "out of memory");
  if (st == SBD_OK)
    XXH3_64bits_reset(h);
  while (st == SBD_OK) {
    ssize_t n = read(fd, buf, 1 << 20);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      st = sbd_error(ctx, SBD_EIO, "%s: read failed: %s", path, strerror(errno));
    if (n <= 0)
      break;
    XXH3_64bits_update(h, buf, (size_t)n);
  }
  if (st == SBD_OK)
    snprintf(out, 40, "xxh3:%016llx", (unsigned long long)XXH3_64bits_digest(h));
  XXH3_freeState(h);
  free(buf);
  close(fd);
  return st;
}

/* The recorded fingerprint of path in the latest version when its size and mtime are those. */
static bool recorded_fingerprint(sqlite3 *db, const char *group, int64_t latest, const input *x,
                                 char out[40]) {
  sqlite3_stmt *q;
  if (sqlite3_prepare_v2(db,
                         "SELECT fingerprint FROM lineage WHERE grp = ? AND version = ? AND"
                         " path = ? AND size = ? AND mtime = ?",
                         -1, &q, NULL) != SQLITE_OK)
    return false;
  sqlite3_bind_text(q, 1, group, -1, SQLITE_STATIC);
  sqlite3_bind_int64(q, 2, latest);
  sqlite3_bind_text(q, 3, x->path, -1, SQLITE_STATIC);
  sqlite3_bind_int64(q, 4, x->size);
  sqlite3_bind_int64(q, 5, x->mtime_ns);
  bool found = sqlite3_step(q) == SQLITE_ROW && sqlite3_column_text(q, 0);
  if (found)
    snprintf(out, 40, "%s", (const char *)sqlite3_column_text(q, 0));
  sqlite3_finalize(q);
  return found;
}

static sbd_status gather_inputs(sbd_repo *r, const st_group *g, int64_t latest, inputs *in) {
  for (int i = 0; i < g->nsources; i++) {
    const st_source *s = st_config_source(r->cfg, g->sources[i]);
    char *pattern = st_repo_path(r, s->path);
    if (!pattern)
      return SBD_ENOMEM;
    glob_t gl;
    int rc = glob(pattern, 0, NULL, &gl);
    if (rc == GLOB_NOMATCH) {
      free(pattern);
      return sbd_error(r->ctx, SBD_ENOTFOUND, "%s:%d: source '%s': '%s' matches no file",
                       r->cfg->file, s->line, s->name, s->path);
    }
    free(pattern);
    if (rc != 0)
      return sbd_error(r->ctx, SBD_EIO, "source '%s': cannot list '%s'", s->name, s->path);
    sbd_status st = SBD_OK;
    for (size_t k = 0; k < gl.gl_pathc && st == SBD_OK; k++) {
      struct stat sb;
      if (stat(gl.gl_pathv[k], &sb) != 0) {
        st = sbd_error(r->ctx, SBD_EIO, "%s: %s", gl.gl_pathv[k], strerror(errno));
        break;
      }
      /* Recorded relative to the repository, so that --repo from elsewhere matches. */
      const char *rel = gl.gl_pathv[k];
      size_t dl = strlen(r->dir);
      if (strcmp(r->dir, ".") != 0 && strncmp(rel, r->dir, dl) == 0 && rel[dl] == '/')
        rel += dl + 1;
      input *x = inputs_add(r->ctx, in, rel);
      if (!x) {
        st = SBD_ENOMEM;
        break;
      }
      x->size = sb.st_size;
      x->mtime_ns = (int64_t)sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec;
      if (!(latest && recorded_fingerprint(r->db, g->name, latest, x, x->fingerprint)))
        st = hash_file(r->ctx, gl.gl_pathv[k], x->fingerprint);
    }
    globfree(&gl);
    RETURN_IF_ERROR(st);
  }
  /* A Python function's module, when it lies in the repository: editing it changes the inputs. */
  for (int i = 0; i < g->nqueries; i++) {
    if (!g->queries[i].python)
      continue;
    char *rel = st_python_source(r, g->queries[i].python);
    char *path = rel ? st_repo_path(r, rel) : NULL;
    struct stat sb;
    bool dup = false;
    for (int k = 0; rel && k < in->n; k++)
      dup = dup || strcmp(in->v[k].path, rel) == 0;
    input *x = path && !dup && stat(path, &sb) == 0 ? inputs_add(r->ctx, in, rel) : NULL;
    sbd_status st = SBD_OK;
    if (x) {
      x->size = sb.st_size;
      x->mtime_ns = (int64_t)sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec;
      if (!(latest && recorded_fingerprint(r->db, g->name, latest, x, x->fingerprint)))
        st = hash_file(r->ctx, path, x->fingerprint);
    }
    free(rel);
    free(path);
    RETURN_IF_ERROR(st);
  }
  for (int i = 0; i < g->ndeps; i++) {
    int64_t v;
    RETURN_IF_ERROR(st_latest_version(r->ctx, r->db, g->deps[i], &v));
    if (v == 0)
      return sbd_error(r->ctx, SBD_EINPUT,
                       "%s:%d: group '%s' reads group '%s', which has no version yet: calculate "
                       "'%s' first (or use --all)",
                       r->cfg->file, g->line, g->name, g->deps[i], g->deps[i]);
    char path[256];
    snprintf(path, sizeof(path), "group:%s", g->deps[i]);
    input *x = inputs_add(r->ctx, in, path);
    if (!x)
      return SBD_ENOMEM;
    snprintf(x->fingerprint, sizeof(x->fingerprint), "version:%lld", (long long)v);
  }
  if (in->n > 1) /* qsort needs a non-NULL array even for no items */
    qsort(in->v, (size_t)in->n, sizeof(input), input_cmp);
  return SBD_OK;
}

/* Whether the latest version has definition hash and exactly these inputs. */
static sbd_status is_up_to_date(sbd_repo *r, const char *group, int64_t latest, const char *hash,
                                const inputs *in, bool *fresh) {
  *fresh = false;
  if (!latest)
    return SBD_OK;
  sqlite3_stmt *q;
  RETURN_IF_ERROR(
      st_prepare(r->ctx, r->db, "SELECT def_hash FROM versions WHERE grp = ? AND version = ?", &q));
  sqlite3_bind_text(q, 1, group, -1, SQLITE_STATIC);
  sqlite3_bind_int64(q, 2, latest);
  bool same = sqlite3_step(q) == SQLITE_ROW && sqlite3_column_text(q, 0) &&
              strcmp((const char *)sqlite3_column_text(q, 0), hash) == 0;
  sqlite3_finalize(q);
  if (!same)
    return SBD_OK;
  RETURN_IF_ERROR(st_prepare(r->ctx, r->db,
                             "SELECT path, fingerprint FROM lineage WHERE grp = ? AND version = ?"
                             " ORDER BY path",
                             &q));
  sqlite3_bind_text(q, 1, group, -1, SQLITE_STATIC);
  sqlite3_bind_int64(q, 2, latest);
  int i = 0;
  while (same && sqlite3_step(q) == SQLITE_ROW) {
    const char *path = (const char *)sqlite3_column_text(q, 0);
    const char *fp = (const char *)sqlite3_column_text(q, 1);
    same = i < in->n && path && fp && strcmp(path, in->v[i].path) == 0 &&
           strcmp(fp, in->v[i].fingerprint) == 0;
    i++;
  }
  sqlite3_finalize(q);
  *fresh = same && i == in->n;
  return SBD_OK;
}

/* Removes a folder and the files in it (one level: a version folder holds only files). */
static void remove_folder(const char *path) {
  DIR *d = opendir(path);
  if (d) {
    struct dirent *e;
    while ((e = readdir(d))) {
      if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
        continue;
      char p[4400];
      snprintf(p, sizeof(p), "%s/%s", path, e->d_name);
      unlink(p);
    }
    closedir(d);
  }
  rmdir(path);
}

sbd_status st_remove_orphans(sbd_repo *r, const char *group, int64_t *removed) {
  char dir[4096];
  snprintf(dir, sizeof(dir), "%s/%s", r->store, group);
  DIR *d = opendir(dir);
  if (!d)
    return SBD_OK;
  struct dirent *e;
  sbd_status st = SBD_OK;
  while (st == SBD_OK && (e = readdir(d))) {
    bool orphan = false;
    long long v;
    char tail;
    if (strncmp(e->d_name, ".version=", 9) == 0) {
      orphan = true;
    } else if (sscanf(e->d_name, "version=%lld%c", &v, &tail) == 1) {
      bool exists;
      st = st_version_exists(r->ctx, r->db, group, v, &exists);
      orphan = st == SBD_OK && !exists;
    }
    if (orphan) {
      char p[4400];
      snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
      remove_folder(p);
      if (removed)
        ++*removed;
    }
  }
  closedir(d);
  return st;
}

static sbd_status make_dirs(sbd_ctx *ctx, const char *path) {
  char buf[4096];
  snprintf(buf, sizeof(buf), "%s/", path);
  for (char *s = buf + 1; *s; s++) {
    if (*s != '/')
      continue;
    *s = 0;
    if (mkdir(buf, 0777) != 0 && errno != EEXIST)
      return sbd_error(ctx, SBD_EIO, "%s: cannot create the folder: %s", buf, strerror(errno));
    *s = '/';
  }
  return SBD_OK;
}

/* A query's text for a CTE: trailing blanks and semicolons dropped. */
static void add_query_text(st_text *t, const char *sql) {
  size_t n = strlen(sql);
  while (n && (sql[n - 1] == ';' || sql[n - 1] == ' ' || sql[n - 1] == '\n' || sql[n - 1] == '\t' ||
               sql[n - 1] == '\r'))
    n--;
  st_text_add(t, "%.*s\n", (int)n, sql);
}

/* Prefixes the message on ctx with the place of query q of group g. */
static sbd_status at_query(sbd_repo *r, const st_group *g, const st_query *q, sbd_status st) {
  char msg[SBD_ERRMSG_MAX];
  snprintf(msg, sizeof(msg), "%s", sbd_errmsg(r->ctx));
  return sbd_error(r->ctx, st, "%s:%d: group '%s': %s", r->cfg->file, q->line, g->name, msg);
}

/* Plans each query alone and checks its columns. A Python function's columns are known once it
 * has run: with paths (NULL: skipped) its output paths[i] stands for it. */
static sbd_status check_queries(sbd_repo *r, const st_group *g, const sql_table *tables,
                                int ntables, const char *const *paths) {
  /* The features seen so far and the line of the query returning each. */
  const char *names[1024];
  int lines[1024];
  int nnames = 0;
  for (int i = 0; i < g->nqueries; i++) {
    const st_query *q = &g->queries[i];
    if (q->python && !paths)
      continue;
    sbd_reader *rd;
    sql_table out = {"python_output", paths ? paths[i] : NULL, NULL};
    sbd_status st = q->python
                        ? sql_query_with_tables(r->ctx, "SELECT * FROM python_output", &out, 1, &rd)
                        : sql_query_with_tables(r->ctx, q->sql, tables, ntables, &rd);
    if (st != SBD_OK)
      return at_query(r, g, q, st);
    const sbd_schema *s = sbd_reader_schema(rd);
    for (int k = 0; k < g->nkeys && st == SBD_OK; k++)
      if (sbd_schema_find(s, g->keys[k]) < 0) {
        st_text cols = {0};
        for (int c = 0; c < sbd_schema_ncols(s); c++)
          st_text_add(&cols, "%s%s", c ? ", " : "", sbd_schema_name(s, c));
        char *list = st_text_take(r->ctx, &cols);
        st = sbd_error(r->ctx, SBD_EINPUT,
                       "%s:%d: group '%s': the %s does not return the key column '%s' (it "
                       "returns %s)",
                       r->cfg->file, q->line, g->name, q->python ? "python function" : "query",
                       g->keys[k], list ? list : "");
        free(list);
      }
    for (int c = 0; c < sbd_schema_ncols(s) && st == SBD_OK; c++) {
      const char *name = sbd_schema_name(s, c);
      bool key = false;
      for (int k = 0; k < g->nkeys; k++)
        key = key || strcasecmp(name, g->keys[k]) == 0;
      if (key)
        continue;
      if (!st_is_identifier(name)) {
        st = sbd_error(r->ctx, SBD_EINPUT,
                       "%s:%d: group '%s': the feature name '%s' is not an identifier (letters, "
                       "digits and _, not starting with a digit): rename it with AS",
                       r->cfg->file, q->line, g->name, name);
        break;
      }
      for (int k = 0; k < nnames && st == SBD_OK; k++)
        if (strcasecmp(names[k], name) == 0)
          st = sbd_error(r->ctx, SBD_EINPUT,
                         "%s:%d: group '%s': feature '%s' is returned by two queries (lines %d "
                         "and %d)",
                         r->cfg->file, q->line, g->name, name, lines[k], q->line);
      if (st == SBD_OK && nnames == 1024)
        st = sbd_error(r->ctx, SBD_ELIMIT, "%s:%d: group '%s': more than 1024 features",
                       r->cfg->file, q->line, g->name);
      if (st == SBD_OK) {
        lines[nnames] = q->line;
        /* The name lives in the reader's schema: copy what the next queries compare with. */
        names[nnames] = strdup(name);
        if (!names[nnames])
          st = sbd_error(r->ctx, SBD_ENOMEM, "out of memory");
        else
          nnames++;
      }
    }
    for (int m = 0; m < q->nmeta && st == SBD_OK; m++)
      if (sbd_schema_find(s, q->meta[m].feature) < 0)
        st = sbd_error(r->ctx, SBD_EINPUT,
                       "%s:%d: group '%s': meta names feature '%s', which the query does not "
                       "return",
                       r->cfg->file, q->meta[m].line, g->name, q->meta[m].feature);
    sbd_reader_close(rd);
    if (st != SBD_OK) {
      for (int k = 0; k < nnames; k++)
        free((char *)names[k]);
      return st;
    }
  }
  for (int k = 0; k < nnames; k++)
    free((char *)names[k]);
  return SBD_OK;
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Runs sql into the Parquet file path, counting rows. */
static sbd_status run_into(sbd_ctx *ctx, const char *sql, const sql_table *tables, int ntables,
                           const char *path, int64_t *rows) {
  *rows = 0;
  sbd_reader *rd;
  RETURN_IF_ERROR(sql_query_with_tables(ctx, sql, tables, ntables, &rd));
  sbd_options *opts = sbd_options_new();
  sbd_writer *w = NULL;
  sbd_status st = opts ? sbd_options_set(opts, "format", "parquet") : SBD_ENOMEM;
  if (st == SBD_OK)
    st = sbd_options_set(opts, "compression", "zstd");
  if (st == SBD_OK)
    st = sbd_writer_open(ctx, path, sbd_reader_schema(rd), opts, &w);
  sbd_options_free(opts);
  while (st == SBD_OK) {
    sbd_batch *b;
    st = sbd_reader_next(rd, &b);
    if (st != SBD_OK || !b)
      break;
    *rows += sbd_batch_nrows(b);
    st = sbd_writer_write(w, b);
    sbd_batch_free(b);
  }
  if (w && st == SBD_OK)
    st = sbd_writer_close(w);
  else
    sbd_writer_abort(w);
  sbd_reader_close(rd);
  return st;
}

/* Runs sql into dir/part-0.parquet, part-1.parquet, ..., starting a new part after each
 * part_rows rows (a batch is sliced at the boundary); an empty result is one empty part-0.
 * Counts the rows and the bytes of the parts. */
static sbd_status run_into_parts(sbd_ctx *ctx, const char *sql, const sql_table *tables,
                                 int ntables, const char *dir, int64_t part_rows, int64_t *rows,
                                 int64_t *bytes) {
  *rows = *bytes = 0;
  sbd_reader *rd;
  RETURN_IF_ERROR(sql_query_with_tables(ctx, sql, tables, ntables, &rd));
  sbd_options *opts = sbd_options_new();
  sbd_writer *w = NULL;
  sbd_status st = opts ? sbd_options_set(opts, "format", "parquet") : SBD_ENOMEM;
  if (st == SBD_OK)
    st = sbd_options_set(opts, "compression", "zstd");
  char path[4200];
  int64_t part = 0, in_part = 0;
  snprintf(path, sizeof(path), "%s/part-0.parquet", dir);
  if (st == SBD_OK)
    st = sbd_writer_open(ctx, path, sbd_reader_schema(rd), opts, &w);
  while (st == SBD_OK) {
    sbd_batch *b;
    st = sbd_reader_next(rd, &b);
    if (st != SBD_OK || !b)
      break;
    int64_t n = sbd_batch_nrows(b);
    for (int64_t off = 0; off < n && st == SBD_OK;) {
      if (in_part == part_rows) {
        st = sbd_writer_close(w);
        w = NULL;
        struct stat sb;
        if (st == SBD_OK && stat(path, &sb) == 0)
          *bytes += sb.st_size;
        snprintf(path, sizeof(path), "%s/part-%lld.parquet", dir, (long long)++part);
        if (st == SBD_OK)
          st = sbd_writer_open(ctx, path, sbd_reader_schema(rd), opts, &w);
        in_part = 0;
        if (st != SBD_OK)
          break;
      }
      int64_t take = n - off < part_rows - in_part ? n - off : part_rows - in_part;
      if (off == 0 && take == n) {
        st = sbd_writer_write(w, b);
      } else {
        sbd_batch *slice = NULL;
        st = sbd_batch_slice(ctx, b, off, take, &slice);
        if (st == SBD_OK)
          st = sbd_writer_write(w, slice);
        sbd_batch_free(slice);
      }
      off += take;
      in_part += take;
      *rows += take;
    }
    sbd_batch_free(b);
  }
  sbd_options_free(opts);
  if (w && st == SBD_OK) {
    st = sbd_writer_close(w);
    struct stat sb;
    if (st == SBD_OK && stat(path, &sb) == 0)
      *bytes += sb.st_size;
  } else {
    sbd_writer_abort(w);
  }
  sbd_reader_close(rd);
  return st;
}

/* One feature query run by its own thread, on its own context, into dir/.qI.parquet. */
typedef struct query_job {
  const char *sql;
  const sql_table *tables;
  int ntables;
  int threads;
  char path[4200];
  char err_path[4200]; /* a Python function's stderr */
  sbd_status status;
  char errmsg[SBD_ERRMSG_MAX];
} query_job;

static void *query_job_run(void *arg) {
  query_job *j = arg;
  sbd_ctx *ctx = sbd_ctx_new();
  if (!ctx) {
    j->status = SBD_ENOMEM;
    snprintf(j->errmsg, sizeof(j->errmsg), "out of memory");
    return NULL;
  }
  int64_t rows;
  j->status = sbd_ctx_set_threads(ctx, j->threads);
  if (j->status == SBD_OK)
    j->status = run_into(ctx, j->sql, j->tables, j->ntables, j->path, &rows);
  if (j->status != SBD_OK)
    snprintf(j->errmsg, sizeof(j->errmsg), "%s", sbd_errmsg(ctx));
  sbd_ctx_free(ctx);
  return NULL;
}

/* Checks that the key is unique in the Parquet file path, the result of query q: a feature
 * group has one row per key, and a query without its GROUP BY would multiply the rows of the
 * join. */
static sbd_status check_unique_key(sbd_repo *r, const st_group *g, const st_query *q,
                                   const char *path) {
  st_text t = {0};
  st_text_add(&t, "SELECT ");
  for (int k = 0; k < g->nkeys; k++)
    st_text_add(&t, "\"%s\", ", g->keys[k]);
  st_text_add(&t, "count(*) AS n FROM part GROUP BY ");
  for (int k = 0; k < g->nkeys; k++)
    st_text_add(&t, "%s\"%s\"", k ? ", " : "", g->keys[k]);
  st_text_add(&t, " HAVING count(*) > 1 ORDER BY ");
  for (int k = 0; k < g->nkeys; k++)
    st_text_add(&t, "%s\"%s\"", k ? ", " : "", g->keys[k]);
  st_text_add(&t, " LIMIT 1");
  char *sql = st_text_take(r->ctx, &t);
  if (!sql)
    return SBD_ENOMEM;
  sql_table part = {"part", path, NULL};
  sbd_reader *rd;
  sbd_status st = sql_query_with_tables(r->ctx, sql, &part, 1, &rd);
  free(sql);
  RETURN_IF_ERROR(st);
  sbd_batch *b = NULL;
  st = sbd_reader_next(rd, &b);
  if (st == SBD_OK && b && sbd_batch_nrows(b) > 0) {
    st_text key = {0};
    for (int k = 0; k < g->nkeys; k++) {
      char v[128];
      int64_t n = sbd_batch_value_text(b, k, 0, v, sizeof(v));
      st_text_add(&key, "%s%s = %s", k ? ", " : "", g->keys[k], n < 0 ? "NULL" : v);
    }
    char count[32];
    sbd_batch_value_text(b, g->nkeys, 0, count, sizeof(count));
    char *text = st_text_take(r->ctx, &key);
    st = sbd_error(r->ctx, SBD_EINPUT,
                   "%s:%d: group '%s': the query returns %s key more than once (%s: %s rows); "
                   "a group has one row per key (GROUP BY it?)",
                   r->cfg->file, q->line, g->name, g->nkeys > 1 ? "a" : "its", text ? text : "",
                   count);
    free(text);
  }
  sbd_batch_free(b);
  sbd_reader_close(rd);
  return st;
}

/* Writes the version into dir/part-K.parquet (run_into_parts). One query runs straight into them.
 * Several run in parallel, a thread each, into dir/.qI.parquet, which one more query then joins on
 * the key (FULL JOIN ... USING, so that a key any query returns is kept) and orders by it. */
static sbd_status write_version(sbd_repo *r, const st_group *g, const sql_table *tables,
                                int ntables, const char *dir, int64_t *rows, int64_t *bytes) {
  *rows = *bytes = 0;
  char path[4200];
  snprintf(path, sizeof(path), "%s/part-*.parquet", dir);
  sbd_status st = SBD_OK;
  if (g->nqueries == 1 && !g->queries[0].python) {
    st_text t = {0};
    st_text_add(&t, "WITH q0 AS (\n");
    add_query_text(&t, g->queries[0].sql);
    st_text_add(&t, ") SELECT * FROM q0 ORDER BY ");
    for (int k = 0; k < g->nkeys; k++)
      st_text_add(&t, "%s\"%s\"", k ? ", " : "", g->keys[k]);
    char *sql = st_text_take(r->ctx, &t);
    if (!sql)
      return SBD_ENOMEM;
    st = run_into_parts(r->ctx, sql, tables, ntables, dir, r->cfg->part_rows, rows, bytes);
    free(sql);
    if (st != SBD_OK)
      return at_query(r, g, &g->queries[0], st);
    st = check_unique_key(r, g, &g->queries[0], path);
  } else {
    query_job *jobs = sbd_calloc(r->ctx, (size_t)g->nqueries, sizeof(*jobs));
    pthread_t *tids = sbd_calloc(r->ctx, (size_t)g->nqueries, sizeof(*tids));
    sql_table *parts = sbd_calloc(r->ctx, (size_t)g->nqueries, sizeof(*parts));
    char(*names)[16] = sbd_calloc(r->ctx, (size_t)g->nqueries, sizeof(*names));
    if (!jobs || !tids || !parts || !names)
      st = SBD_ENOMEM;
    pid_t *pids = sbd_calloc(r->ctx, (size_t)g->nqueries, sizeof(*pids));
    const char **paths = sbd_calloc(r->ctx, (size_t)g->nqueries, sizeof(*paths));
    if (!pids || !paths)
      st = SBD_ENOMEM;
    int nsql = 0, npython = 0;
    for (int i = 0; i < g->nqueries; i++)
      nsql += !g->queries[i].python;
    int threads = sbd_ctx_threads(r->ctx) / (nsql ? nsql : 1);
    int started = 0;
    bool *is_thread = sbd_calloc(r->ctx, (size_t)g->nqueries, sizeof(bool));
    if (!is_thread)
      st = SBD_ENOMEM;
    /* The Python functions start first, as processes, so that they run beside the threads. */
    for (int i = 0; i < g->nqueries && st == SBD_OK; i++) {
      query_job *j = &jobs[i];
      snprintf(j->path, sizeof(j->path), "%s/.q%d.parquet", dir, i);
      paths[i] = j->path;
      pids[i] = -1;
      if (!g->queries[i].python)
        continue;
      snprintf(j->err_path, sizeof(j->err_path), "%s/.q%d.err", dir, i);
      st = st_python_start(r, g->queries[i].python, j->path, j->err_path, &pids[i]);
      if (st != SBD_OK)
        st = at_query(r, g, &g->queries[i], st);
      else
        npython++;
    }
    for (int i = 0; i < g->nqueries && st == SBD_OK; i++) {
      query_job *j = &jobs[i];
      if (g->queries[i].python)
        continue;
      j->sql = g->queries[i].sql;
      j->tables = tables;
      j->ntables = ntables;
      j->threads = threads > 0 ? threads : 1;
      if (pthread_create(&tids[i], NULL, query_job_run, j) != 0) {
        st = sbd_error(r->ctx, SBD_EIO, "cannot start a thread for a feature query");
        break;
      }
      is_thread[i] = true;
      started++;
    }
    for (int i = 0; i < g->nqueries; i++)
      if (is_thread && is_thread[i])
        pthread_join(tids[i], NULL);
    /* Every child is waited for, even after a failure, and its error file removed. */
    for (int i = 0; pids && i < g->nqueries; i++) {
      if (pids[i] < 0)
        continue;
      sbd_status pst = st_python_wait(r, g->queries[i].python, pids[i], jobs[i].err_path);
      if (pst != SBD_OK && st == SBD_OK)
        st = at_query(r, g, &g->queries[i], pst);
      unlink(jobs[i].err_path);
    }
    for (int i = 0; i < g->nqueries && st == SBD_OK; i++)
      if (is_thread[i] && jobs[i].status != SBD_OK) {
        sbd_error(r->ctx, jobs[i].status, "%s", jobs[i].errmsg);
        st = at_query(r, g, &g->queries[i], jobs[i].status);
      }
    if (st == SBD_OK && npython)
      st = check_queries(r, g, tables, ntables, paths);
    for (int i = 0; i < g->nqueries && st == SBD_OK; i++)
      st = check_unique_key(r, g, &g->queries[i], jobs[i].path);
    started = jobs ? g->nqueries : 0;
    free(pids);
    free(paths);
    free(is_thread);
    st_text t = {0};
    for (int i = 0; i < g->nqueries && st == SBD_OK; i++) {
      snprintf(names[i], sizeof(names[i]), "q%d", i);
      parts[i] = (sql_table){names[i], jobs[i].path, NULL};
    }
    st_text_add(&t, "SELECT * FROM q0");
    for (int i = 1; i < g->nqueries; i++) {
      st_text_add(&t, " FULL JOIN q%d USING (", i);
      for (int k = 0; k < g->nkeys; k++)
        st_text_add(&t, "%s\"%s\"", k ? ", " : "", g->keys[k]);
      st_text_add(&t, ")");
    }
    st_text_add(&t, " ORDER BY ");
    for (int k = 0; k < g->nkeys; k++)
      st_text_add(&t, "%s\"%s\"", k ? ", " : "", g->keys[k]);
    char *sql = st == SBD_OK ? st_text_take(r->ctx, &t) : NULL;
    free(t.s);
    if (st == SBD_OK && !sql)
      st = SBD_ENOMEM;
    if (st == SBD_OK) {
      st = run_into_parts(r->ctx, sql, parts, g->nqueries, dir, r->cfg->part_rows, rows, bytes);
      if (st != SBD_OK) {
        char msg[SBD_ERRMSG_MAX];
        snprintf(msg, sizeof(msg), "%s", sbd_errmsg(r->ctx));
        st = sbd_error(r->ctx, st, "group '%s': joining its queries on the key: %s", g->name, msg);
      }
    }
    free(sql);
    for (int i = 0; i < started; i++)
      unlink(jobs[i].path);
    free(jobs);
    free(tids);
    free(parts);
    free(names);
  }
  /* The folder's entries are durable before it is renamed into place. */
  int fd = st == SBD_OK ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
  if (fd >= 0) {
    fsync(fd);
    close(fd);
  }
  return st;
}

static sbd_status commit_version(sbd_repo *r, const st_group *g, int64_t version, const char *hash,
                                 const inputs *in, int64_t rows, int64_t bytes, double seconds,
                                 const char *glob) {
  sbd_ctx *ctx = r->ctx;
  RETURN_IF_ERROR(st_exec(ctx, r->db, "BEGIN IMMEDIATE"));
  sbd_status st = st_catalog_register(ctx, r->db, g);
  sqlite3_stmt *q = NULL;
  if (st == SBD_OK)
    st = st_prepare(ctx, r->db,
                    "INSERT INTO versions(grp, version, created, def_hash, rows, bytes,"
                    " duration_ms, path) VALUES (?, ?, strftime('%Y-%m-%d %H:%M:%S', 'now'),"
                    " ?, ?, ?, ?, ?)",
                    &q);
  if (st == SBD_OK) {
    char rel[512];
    snprintf(rel, sizeof(rel), "%s/%s/version=%lld", r->cfg->store, g->name, (long long)version);
    sqlite3_bind_text(q, 1, g->name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 2, version);
    sqlite3_bind_text(q, 3, hash, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 4, rows);
    sqlite3_bind_int64(q, 5, bytes);
    sqlite3_bind_int64(q, 6, (int64_t)(seconds * 1000 + 0.5));
    sqlite3_bind_text(q, 7, rel, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(q) != SQLITE_DONE)
      st = st_db_error(ctx, r->db, "write");
  }
  sqlite3_finalize(q);
  q = NULL;
  if (st == SBD_OK)
    st = st_prepare(ctx, r->db, "UPDATE groups SET latest = ? WHERE name = ?", &q);
  if (st == SBD_OK) {
    sqlite3_bind_int64(q, 1, version);
    sqlite3_bind_text(q, 2, g->name, -1, SQLITE_STATIC);
    if (sqlite3_step(q) != SQLITE_DONE)
      st = st_db_error(ctx, r->db, "write");
  }
  sqlite3_finalize(q);
  q = NULL;
  if (st == SBD_OK)
    st = st_prepare(ctx, r->db,
                    "INSERT INTO lineage(grp, version, path, size, mtime, fingerprint)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    &q);
  for (int i = 0; st == SBD_OK && i < in->n; i++) {
    sqlite3_reset(q);
    sqlite3_bind_text(q, 1, g->name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 2, version);
    sqlite3_bind_text(q, 3, in->v[i].path, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 4, in->v[i].size);
    sqlite3_bind_int64(q, 5, in->v[i].mtime_ns);
    sqlite3_bind_text(q, 6, in->v[i].fingerprint, -1, SQLITE_STATIC);
    if (sqlite3_step(q) != SQLITE_DONE)
      st = st_db_error(ctx, r->db, "write");
  }
  sqlite3_finalize(q);
  if (st == SBD_OK)
    st = st_stats_record(ctx, r->db, g, version, glob);
  if (st == SBD_OK)
    st = st_exec(ctx, r->db, "COMMIT");
  if (st != SBD_OK)
    sqlite3_exec(r->db, "ROLLBACK", NULL, NULL, NULL);
  return st;
}

static sbd_status run_started(sbd_repo *r, const char *group, int64_t *run_id) {
  sqlite3_stmt *q;
  RETURN_IF_ERROR(st_prepare(r->ctx, r->db,
                             "INSERT INTO runs(grp, started, status) VALUES (?,"
                             " strftime('%Y-%m-%d %H:%M:%f', 'now'), 'running')",
                             &q));
  sqlite3_bind_text(q, 1, group, -1, SQLITE_STATIC);
  int rc = sqlite3_step(q);
  sqlite3_finalize(q);
  if (rc != SQLITE_DONE)
    return st_db_error(r->ctx, r->db, "write");
  *run_id = sqlite3_last_insert_rowid(r->db);
  return SBD_OK;
}

static void run_ended(sbd_repo *r, int64_t run_id, sbd_status st, int64_t version, int64_t rows,
                      int64_t bytes) {
  sqlite3_stmt *q;
  if (sqlite3_prepare_v2(r->db,
                         "UPDATE runs SET ended = strftime('%Y-%m-%d %H:%M:%f', 'now'), status = ?,"
                         " error = ?, version = ?, rows = ?, bytes = ? WHERE id = ?",
                         -1, &q, NULL) != SQLITE_OK)
    return;
  sqlite3_bind_text(q, 1, st == SBD_OK ? "ok" : "failed", -1, SQLITE_STATIC);
  if (st != SBD_OK)
    sqlite3_bind_text(q, 2, sbd_errmsg(r->ctx), -1, SQLITE_TRANSIENT);
  if (version)
    sqlite3_bind_int64(q, 3, version);
  sqlite3_bind_int64(q, 4, rows);
  sqlite3_bind_int64(q, 5, bytes);
  sqlite3_bind_int64(q, 6, run_id);
  sqlite3_step(q);
  sqlite3_finalize(q);
}

static void notice_waiting(void *arg, const char *group) {
  sbd_repo *r = arg;
  if (r->notice) {
    char msg[256];
    snprintf(msg, sizeof(msg), "waiting for another calculation of '%s' to finish", group);
    r->notice(r->notice_arg, msg);
  }
}

/* The next version number: one more than any the catalog has had for the group. */
static sbd_status next_version(sbd_repo *r, const char *group, int64_t *version) {
  sqlite3_stmt *q;
  RETURN_IF_ERROR(st_prepare(
      r->ctx, r->db, "SELECT coalesce(max(version), 0) + 1 FROM versions WHERE grp = ?", &q));
  sqlite3_bind_text(q, 1, group, -1, SQLITE_STATIC);
  int rc = sqlite3_step(q);
  *version = rc == SQLITE_ROW ? sqlite3_column_int64(q, 0) : 0;
  sqlite3_finalize(q);
  if (rc != SQLITE_ROW)
    return st_db_error(r->ctx, r->db, "read");
  /* gc may have removed the newest versions' rows; numbers are never reused while runs
   * remember them. */
  RETURN_IF_ERROR(st_prepare(r->ctx, r->db,
                             "SELECT coalesce(max(version), 0) + 1 FROM runs WHERE grp = ?", &q));
  sqlite3_bind_text(q, 1, group, -1, SQLITE_STATIC);
  if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_int64(q, 0) > *version)
    *version = sqlite3_column_int64(q, 0);
  sqlite3_finalize(q);
  return SBD_OK;
}

sbd_status st_unknown_group(sbd_repo *r, const char *group) {
  const char *near = sbd_closest(group, r->group_names, r->cfg->ngroups);
  if (near)
    return sbd_error(r->ctx, SBD_ENOTFOUND, "no group '%s' in %s (did you mean '%s'?)", group,
                     r->cfg->file, near);
  return sbd_error(r->ctx, SBD_ENOTFOUND, "no group '%s' in %s", group, r->cfg->file);
}

sbd_status sbd_repo_calculate(sbd_repo *r, const char *group, int flags, double wait_seconds,
                              int64_t *version, int *written) {
  *version = 0;
  *written = 0;
  const st_group *g = st_config_group(r->cfg, group);
  if (!g)
    return st_unknown_group(r, group);
  char *group_dir = NULL, *lock_dir = NULL;
  st_text t = {0};
  st_text_add(&t, "%s/%s", r->store, g->name);
  group_dir = st_text_take(r->ctx, &t);
  st_text_add(&t, "%s", r->catalog);
  lock_dir = st_text_take(r->ctx, &t);
  if (!group_dir || !lock_dir) {
    free(group_dir);
    free(lock_dir);
    return SBD_ENOMEM;
  }
  char *slash = strrchr(lock_dir, '/');
  if (slash)
    *slash = 0;
  else
    strcpy(lock_dir, ".");
  char lock_path[4096];
  snprintf(lock_path, sizeof(lock_path), "%s/locks/%s.lock", lock_dir, g->name);
  char locks[4096];
  snprintf(locks, sizeof(locks), "%s/locks", lock_dir);
  free(lock_dir);
  int lock_fd = -1;
  sbd_status st = make_dirs(r->ctx, locks);
  if (st == SBD_OK)
    st = make_dirs(r->ctx, group_dir);
  if (st == SBD_OK)
    st = st_lock(r->ctx, lock_path, g->name, wait_seconds, notice_waiting, r, &lock_fd);
  if (st != SBD_OK) {
    free(group_dir);
    return st;
  }
  double start = now_s();
  int64_t latest = 0, run_id = 0, rows = 0, bytes = 0, v = 0;
  inputs in = {0};
  char hash[32] = "";
  char *def = st_group_definition(g);
  if (!def)
    st = sbd_error(r->ctx, SBD_ENOMEM, "out of memory");
  else
    snprintf(hash, sizeof(hash), "%016llx", (unsigned long long)hash_bytes(def, strlen(def), 0));
  free(def);
  if (st == SBD_OK)
    st = st_remove_orphans(r, g->name, NULL);
  if (st == SBD_OK)
    st = st_latest_version(r->ctx, r->db, g->name, &latest);
  if (st == SBD_OK)
    st = gather_inputs(r, g, latest, &in);
  bool fresh = false;
  if (st == SBD_OK)
    st = is_up_to_date(r, g->name, latest, hash, &in, &fresh);
  if (st == SBD_OK && fresh && !(flags & SBD_CALC_FORCE)) {
    *version = latest;
    inputs_free(&in);
    st_unlock(lock_fd);
    free(group_dir);
    return SBD_OK;
  }
  if (st == SBD_OK)
    st = next_version(r, g->name, &v);
  if (st == SBD_OK)
    st = run_started(r, g->name, &run_id);
  sql_table *tables = NULL;
  int ntables = 0;
  char tmp[4096], final[4096];
  snprintf(tmp, sizeof(tmp), "%s/.version=%lld.tmp-%ld", group_dir, (long long)v, (long)getpid());
  snprintf(final, sizeof(final), "%s/version=%lld", group_dir, (long long)v);
  bool made = false, renamed = false;
  if (st == SBD_OK)
    st = st_repo_tables(r, &tables, &ntables);
  if (st == SBD_OK)
    st = check_queries(r, g, tables, ntables, NULL);
  if (st == SBD_OK) {
    if (mkdir(tmp, 0777) != 0)
      st = sbd_error(r->ctx, SBD_EIO, "%s: cannot create the version's folder: %s", tmp,
                     strerror(errno));
    else
      made = true;
  }
  if (st == SBD_OK)
    st = write_version(r, g, tables, ntables, tmp, &rows, &bytes);
  if (st == SBD_OK) {
    if (rename(tmp, final) != 0)
      st = sbd_error(r->ctx, SBD_EIO, "%s: cannot rename into place: %s", final, strerror(errno));
    else
      renamed = true;
  }
  if (st == SBD_OK) {
    char glob_path[4200];
    snprintf(glob_path, sizeof(glob_path), "%s/part-*.parquet", final);
    st = commit_version(r, g, v, hash, &in, rows, bytes, now_s() - start, glob_path);
  }
  if (st != SBD_OK) {
    if (renamed)
      remove_folder(final);
    else if (made)
      remove_folder(tmp);
  }
  if (run_id)
    run_ended(r, run_id, st, st == SBD_OK ? v : 0, rows, bytes);
  st_tables_free(tables, ntables);
  inputs_free(&in);
  st_unlock(lock_fd);
  free(group_dir);
  if (st == SBD_OK) {
    *version = v;
    *written = 1;
  }
  return st;
}
