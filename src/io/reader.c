/*
 * reader.c — the public reader: expands globs, picks each file's format, and reads several files
 * as one stream. With several files, every file is first opened once to infer its schema; the
 * types are unified by column name (INT64 + DOUBLE = DOUBLE, ...) and each file is then read with
 * the unified types forced, its columns put in the first file's order. Files must have the same
 * column names.
 *
 * Folders and Hive partitions. A path naming a folder stands for every file beneath it (sorted,
 * names starting with '.' or '_' left out). When the files' folders hold `key=value` segments
 * (orders/year=2024/month=1/part-0.parquet), each key becomes a column after the files' own
 * (keys in name order; a file column of the same name is replaced, as DuckDB does), typed by its
 * values across all files: INT64 if every value reads as one, else DATE if every value does, else
 * STRING (or the type the schema option gives the key); `__HIVE_DEFAULT_PARTITION__` is NULL;
 * %XX escapes are decoded. The option hive_partitioning=false turns this
 * off. A Hive dataset takes its file columns and their types from its first file, and the other
 * files are read with those types forced, so that a file a filter skips (io_reader_set_filter: the
 * partition values are exact statistics) is never opened.
 */
#include "io/io_int.h"
#include "io/parquet/pq_int.h"

#include <dirent.h>
#include <glob.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

sbd_reader *io_reader_new(sbd_ctx *ctx, const io_reader_ops *ops, const char *path) {
  sbd_reader *r = sbd_calloc(ctx, 1, sizeof(*r));
  if (!r)
    return NULL;
  r->ops = ops;
  r->ctx = ctx;
  r->bytes_total = -1;
  r->path = sbd_strdup(ctx, path);
  if (!r->path) {
    free(r);
    return NULL;
  }
  return r;
}

const char *io_format_of(const sbd_options *opts, const char *path) {
  const char *f = sbd_options_get(opts, "format");
  if (f && *f)
    return f;
  const char *dot = strrchr(path, '.');
  const char *slash = strrchr(path, '/');
  if (!dot || (slash && dot < slash))
    return NULL;
  static const char *const map[][2] = {
      {".csv", "csv"},      {".tsv", "csv"},    {".txt", "csv"},        {".jsonl", "jsonl"},
      {".ndjson", "jsonl"}, {".json", "jsonl"}, {".parquet", "parquet"}};
  for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
    if (strcasecmp(dot, map[i][0]) == 0)
      return map[i][1];
  return NULL;
}

static sbd_status open_one(sbd_ctx *ctx, const char *path, const sbd_options *opts,
                           const sbd_schema *force, sbd_reader **out) {
  const char *fmt = io_format_of(opts, path);
  if (!fmt) {
    if (strcmp(path, "-") == 0)
      return sbd_error(ctx, SBD_EUSAGE,
                       "standard input: say its format with --format csv or --format jsonl");
    return sbd_error(ctx, SBD_EUSAGE,
                     "%s: cannot tell the format from the name; use --format csv, jsonl or "
                     "parquet",
                     path);
  }
  if (strcasecmp(fmt, "parquet") == 0)
    return pq_reader_open(ctx, path, opts, force, out);
  bool csv = strcasecmp(fmt, "csv") == 0 || strcasecmp(fmt, "tsv") == 0;
  bool jsonl = strcasecmp(fmt, "jsonl") == 0 || strcasecmp(fmt, "json") == 0 ||
               strcasecmp(fmt, "ndjson") == 0;
  if (!csv && !jsonl)
    return sbd_error(ctx, SBD_EUSAGE, "%s: unknown format '%s' (formats: csv, jsonl, parquet)",
                     path, fmt);
  /* Parquet reads only the chunks named; CSV skips the other fields without converting them;
   * JSON Lines has no projection yet (a query drops the columns it does not name). */
  RETURN_ERROR_IF(jsonl && sbd_options_get(opts, "columns"), ctx, SBD_EUSAGE,
                  "%s: option columns applies to Parquet and CSV files only", path);
  return csv ? csv_reader_open(ctx, path, opts, force, out)
             : jsonl_reader_open(ctx, path, opts, force, out);
}

static bool has_glob(const char *p) {
  return strpbrk(p, "*?[") != NULL;
}

typedef struct path_list {
  char **v;
  int n, cap;
} path_list;

static sbd_status list_add(sbd_ctx *ctx, path_list *l, const char *p) {
  if (l->n == l->cap) {
    int cap = l->cap ? l->cap * 2 : 8;
    char **nv = sbd_realloc(ctx, l->v, sizeof(char *) * (size_t)cap);
    if (!nv)
      return SBD_ENOMEM;
    l->v = nv;
    l->cap = cap;
  }
  l->v[l->n] = sbd_strdup(ctx, p);
  if (!l->v[l->n])
    return SBD_ENOMEM;
  l->n++;
  return SBD_OK;
}

static void list_free(path_list *l) {
  for (int i = 0; i < l->n; i++)
    free(l->v[i]);
  free(l->v);
}

static int by_name(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Adds every file beneath folder dir (depth-first, each folder's entries sorted by name), leaving
 * out names that start with '.' or '_' (hidden files, _SUCCESS markers). */
static sbd_status list_folder(sbd_ctx *ctx, const char *dir, int depth, path_list *out) {
  RETURN_ERROR_IF(depth > 64, ctx, SBD_EINPUT, "%s: folders nested too deep", dir);
  DIR *d = opendir(dir);
  RETURN_ERROR_IF(!d, ctx, SBD_EIO, "cannot read folder '%s'", dir);
  path_list names = {0};
  sbd_status st = SBD_OK;
  struct dirent *e;
  while (st == SBD_OK && (e = readdir(d)) != NULL)
    if (e->d_name[0] != '.' && e->d_name[0] != '_')
      st = list_add(ctx, &names, e->d_name);
  closedir(d);
  if (st == SBD_OK && names.n > 1)
    qsort(names.v, (size_t)names.n, sizeof(char *), by_name);
  size_t dl = strlen(dir);
  bool slash = dl > 0 && dir[dl - 1] == '/';
  for (int i = 0; st == SBD_OK && i < names.n; i++) {
    size_t n = dl + 1 + strlen(names.v[i]) + 1;
    char *p = sbd_malloc(ctx, n);
    if (!p) {
      st = SBD_ENOMEM;
      break;
    }
    snprintf(p, n, "%s%s%s", dir, slash ? "" : "/", names.v[i]);
    struct stat sb;
    if (stat(p, &sb) == 0 && S_ISDIR(sb.st_mode))
      st = list_folder(ctx, p, depth + 1, out);
    else if (stat(p, &sb) == 0 && S_ISREG(sb.st_mode))
      st = list_add(ctx, out, p);
    free(p);
  }
  list_free(&names);
  return st;
}

static bool is_folder(const char *p) {
  struct stat sb;
  return strcmp(p, "-") != 0 && stat(p, &sb) == 0 && S_ISDIR(sb.st_mode);
}

static sbd_status expand(sbd_ctx *ctx, const char *const *paths, int npaths, path_list *out) {
  for (int i = 0; i < npaths; i++) {
    if (!has_glob(paths[i]) && is_folder(paths[i])) {
      int before = out->n;
      RETURN_IF_ERROR(list_folder(ctx, paths[i], 0, out));
      RETURN_ERROR_IF(out->n == before, ctx, SBD_ENOTFOUND, "no file in folder '%s'", paths[i]);
      continue;
    }
    if (!has_glob(paths[i])) {
      RETURN_IF_ERROR(list_add(ctx, out, paths[i]));
      continue;
    }
    glob_t g;
    int rc = glob(paths[i], 0, NULL, &g);
    if (rc == GLOB_NOMATCH)
      return sbd_error(ctx, SBD_ENOTFOUND, "no file matches '%s'", paths[i]);
    if (rc != 0)
      return sbd_error(ctx, SBD_EIO, "cannot expand '%s'", paths[i]);
    sbd_status st = SBD_OK;
    for (size_t j = 0; j < g.gl_pathc && st == SBD_OK; j++)
      st = list_add(ctx, out, g.gl_pathv[j]);
    globfree(&g);
    RETURN_IF_ERROR(st);
  }
  return SBD_OK;
}

/* ---- several files as one stream
 * ---------------------------------------------------------------*/

/* A Hive partition value of one file. */
typedef struct hive_val {
  bool null;
  int64_t i; /* INT64, TIMESTAMP; DATE (days); BOOL (0 or 1) */
  double d;  /* DOUBLE */
  const char *s;
  size_t n;
} hive_val;

typedef struct multi {
  path_list paths;
  int next_path;
  sbd_reader *cur;
  int *perm; /* cur's column of each output column; -1 - k for Hive key k */
  sbd_options *opts;
  sbd_schema *force;     /* the types the files are read with (file columns only) */
  int nfile_cols;        /* the columns each file must give */
  int64_t done_bytes;    /* bytes of finished files */
  int64_t done_rejected; /* rejects of finished files */
  /* Hive partitions: keys[k] of type key_types[k]; vals[file * nkeys + k]. */
  int nkeys;
  char **keys;
  sbd_type *key_types;
  hive_val *vals;
  path_list decoded; /* values that were percent-encoded, decoded (vals point into them) */
  /* Filter pushdown (io_reader_set_filter), and room for the statistics it is shown. */
  io_stats_filter filter;
  void *filter_arg;
  pq_column_stats *stats;
  int file; /* the path index of cur */
} multi;

static void multi_close(sbd_reader *r) {
  multi *m = r->impl;
  if (!m)
    return;
  sbd_reader_close(m->cur);
  list_free(&m->paths);
  free(m->perm);
  sbd_options_free(m->opts);
  schema_unref(m->force);
  for (int k = 0; k < m->nkeys; k++)
    free(m->keys[k]);
  free(m->keys);
  free(m->key_types);
  free(m->vals);
  list_free(&m->decoded);
  free(m->stats);
  free(m);
}

/* The statistics of output column c that a partition's value gives: exact. */
static void partition_stats(const multi *m, int file, int k, pq_column_stats *st) {
  const hive_val *v = &m->vals[file * m->nkeys + k];
  memset(st, 0, sizeof(*st));
  st->type = m->key_types[k];
  st->num_values = 1;
  st->has_null_count = true;
  st->null_count = v->null ? 1 : 0;
  if (v->null)
    return;
  st->has_min_max = true;
  st->min_i = st->max_i = v->i;
  st->min_d = st->max_d = v->d;
  st->has_nan_count = st->type == SBD_DOUBLE && !isnan(v->d); /* a NaN bound is never used */
  st->min_s = st->max_s = v->s;
  st->min_len = st->max_len = v->n;
}

/* The row-group filter of a Parquet file of several: shows the filter the statistics in the
 * output's columns, with the file's partition values. */
static bool multi_row_group_filter(void *arg, int row_group, int64_t num_rows,
                                   const pq_column_stats *cols, int ncols) {
  sbd_reader *r = arg;
  multi *m = r->impl;
  for (int i = 0; i < r->schema->ncols; i++) {
    if (m->perm[i] < 0) {
      partition_stats(m, m->file, -1 - m->perm[i], &m->stats[i]);
      m->stats[i].num_values = num_rows;
      m->stats[i].null_count = m->stats[i].null_count ? num_rows : 0;
    } else if (m->perm[i] < ncols) {
      m->stats[i] = cols[m->perm[i]];
    } else {
      memset(&m->stats[i], 0, sizeof(m->stats[i]));
    }
  }
  return m->filter(m->filter_arg, row_group, num_rows, m->stats, r->schema->ncols);
}

/* Whether the filter keeps file i, from its partition values alone. */
static bool keep_file(sbd_reader *r, int i) {
  multi *m = r->impl;
  if (!m->filter || !m->nkeys)
    return true;
  for (int c = 0; c < r->schema->ncols; c++) {
    if (m->perm[c] < 0) {
      partition_stats(m, i, -1 - m->perm[c], &m->stats[c]);
    } else {
      memset(&m->stats[c], 0, sizeof(m->stats[c]));
      m->stats[c].type = r->schema->fields[c].type;
    }
  }
  return m->filter(m->filter_arg, -1, 1, m->stats, r->schema->ncols);
}

/* Opens the next file the filter keeps; m->cur stays NULL when none is left. */
static sbd_status multi_open_next(sbd_reader *r) {
  multi *m = r->impl;
  sbd_ctx *ctx = r->ctx;
  while (m->next_path < m->paths.n && !keep_file(r, m->next_path))
    m->next_path++;
  if (m->next_path == m->paths.n)
    return SBD_OK;
  const char *path = m->paths.v[m->next_path];
  RETURN_IF_ERROR(open_one(ctx, path, m->opts, m->force, &m->cur));
  m->cur->rejects = r->rejects;
  const sbd_schema *s = m->cur->schema;
  const sbd_schema *want = r->schema;
  bool same = s->ncols == m->nfile_cols;
  for (int i = 0; same && i < want->ncols; i++) {
    if (m->perm[i] < 0)
      continue; /* a partition key */
    int j = sbd_schema_find(s, want->fields[i].name);
    same = j >= 0;
    if (same)
      m->perm[i] = j;
  }
  if (!same) {
    sbd_status st = sbd_error(ctx, SBD_EINPUT,
                              "%s: its columns differ from those of %s (the files read together "
                              "must have the same column names)",
                              path, m->paths.v[0]);
    sbd_reader_close(m->cur);
    m->cur = NULL;
    return st;
  }
  m->file = m->next_path;
  m->next_path++;
  if (m->filter && strcmp(m->cur->ops->format, "parquet") == 0)
    RETURN_IF_ERROR(pq_reader_set_row_group_filter(m->cur, multi_row_group_filter, r));
  return SBD_OK;
}

/* A column of n copies of partition key k's value in file `file`. */
static sbd_vec *partition_column(sbd_ctx *ctx, const multi *m, int file, int k, int64_t n) {
  const hive_val *v = &m->vals[file * m->nkeys + k];
  sbd_vec *c = vec_new(ctx, m->key_types[k], n);
  if (!c)
    return NULL;
  for (int64_t i = 0; i < n; i++) {
    sbd_status st = SBD_OK;
    if (v->null)
      st = vec_push_null(ctx, c);
    else if (m->key_types[k] == SBD_INT64 || m->key_types[k] == SBD_TIMESTAMP)
      vec_push_i64(c, v->i);
    else if (m->key_types[k] == SBD_DATE)
      vec_push_i32(c, (int32_t)v->i);
    else if (m->key_types[k] == SBD_DOUBLE)
      vec_push_f64(c, v->d);
    else if (m->key_types[k] == SBD_BOOL)
      vec_push_bool(c, v->i != 0);
    else
      st = vec_push_str(ctx, c, v->s, v->n);
    if (st != SBD_OK) {
      vec_free(c);
      return NULL;
    }
  }
  return c;
}

static sbd_status multi_next(sbd_reader *r, sbd_batch **out) {
  multi *m = r->impl;
  *out = NULL;
  for (;;) {
    if (!m->cur) {
      RETURN_IF_ERROR(multi_open_next(r));
      if (!m->cur)
        return SBD_OK;
    }
    sbd_batch *b;
    RETURN_IF_ERROR(m->cur->ops->next(m->cur, &b));
    r->rejected = m->done_rejected + m->cur->rejected;
    if (!b) {
      m->done_bytes += m->cur->bytes_total > 0 ? m->cur->bytes_total : m->cur->bytes_done;
      m->done_rejected += m->cur->rejected;
      sbd_reader_close(m->cur);
      m->cur = NULL;
      continue;
    }
    r->bytes_done = m->done_bytes + m->cur->bytes_done;
    bool identity = r->schema->ncols == b->ncols;
    for (int i = 0; identity && i < r->schema->ncols; i++)
      identity = m->perm[i] == i;
    if (!identity) {
      int ncols = r->schema->ncols;
      sbd_vec **cols = sbd_calloc(r->ctx, (size_t)(ncols ? ncols : 1), sizeof(sbd_vec *));
      sbd_status st = cols ? SBD_OK : SBD_ENOMEM;
      for (int i = 0; i < ncols && st == SBD_OK; i++) {
        if (m->perm[i] >= 0) {
          cols[i] = b->cols[m->perm[i]];
          b->cols[m->perm[i]] = NULL;
        } else {
          cols[i] = partition_column(r->ctx, m, m->file, -1 - m->perm[i], b->nrows);
          st = cols[i] ? SBD_OK : SBD_ENOMEM;
        }
      }
      /* The file columns not handed on (a partition key's namesake, a column read only to
       * count rows). */
      for (int j = 0; j < b->ncols; j++)
        vec_free(b->cols[j]);
      free(b->cols);
      b->cols = cols;
      b->ncols = ncols;
      if (st != SBD_OK) {
        for (int i = 0; cols && i < ncols; i++)
          vec_free(cols[i]);
        b->ncols = 0;
        sbd_batch_free(b);
        return st;
      }
    }
    schema_unref(b->schema);
    b->schema = schema_ref(r->schema);
    *out = b;
    return SBD_OK;
  }
}

static const io_reader_ops multi_ops = {"multi", multi_next, multi_close};

sbd_status io_reader_set_filter(sbd_reader *r, io_stats_filter fn, void *arg) {
  if (r->ops == &multi_ops) {
    multi *m = r->impl;
    RETURN_ERROR_IF(m->cur || m->next_path > 0, r->ctx, SBD_EUSAGE,
                    "%s: the filter must be set before the first batch is read", r->path);
    m->stats = sbd_calloc(r->ctx, (size_t)(r->schema->ncols ? r->schema->ncols : 1),
                          sizeof(pq_column_stats));
    if (!m->stats)
      return SBD_ENOMEM;
    m->filter = fn;
    m->filter_arg = arg;
    return SBD_OK;
  }
  if (strcmp(r->ops->format, "parquet") == 0)
    return pq_reader_set_row_group_filter(r, fn, arg);
  return SBD_OK; /* the text formats have no statistics to prune by */
}

const char *io_reader_format(const sbd_reader *r) {
  if (r->ops != &multi_ops)
    return r->ops->format;
  const multi *m = r->impl;
  return io_format_of(m->opts, m->paths.v[0]);
}

/* ---- Hive partitions -------------------------------------------------------------------------*/

#define HIVE_NULL "__HIVE_DEFAULT_PARTITION__"

/* Calls fn for each key=value folder segment of path (not its file name). */
static sbd_status hive_segments(const char *path,
                                sbd_status (*fn)(void *arg, const char *key, size_t keylen,
                                                 const char *value, size_t valuelen),
                                void *arg) {
  const char *end = strrchr(path, '/');
  for (const char *p = path; end && p < end;) {
    const char *slash = memchr(p, '/', (size_t)(end - p) + 1);
    const char *eq = memchr(p, '=', (size_t)(slash - p));
    /* A hidden folder (".version=3.tmp-12") is never a partition: writers keep their
     * unfinished output there. */
    if (eq && eq > p && *p != '.')
      RETURN_IF_ERROR(fn(arg, p, (size_t)(eq - p), eq + 1, (size_t)(slash - eq - 1)));
    p = slash + 1;
  }
  return SBD_OK;
}

typedef struct hive_scan {
  sbd_ctx *ctx;
  multi *m;
  int file;
  const char *path;
  bool collect; /* first pass: collect the keys */
  int seen;
} hive_scan;

static sbd_status hive_collect(void *arg, const char *key, size_t kl, const char *v, size_t vl) {
  hive_scan *h = arg;
  multi *m = h->m;
  for (int k = 0; k < m->nkeys; k++)
    if (strlen(m->keys[k]) == kl && strncasecmp(m->keys[k], key, kl) == 0)
      return SBD_OK;
  char **nk = sbd_realloc(h->ctx, m->keys, sizeof(char *) * (size_t)(m->nkeys + 1));
  if (!nk)
    return SBD_ENOMEM;
  m->keys = nk;
  m->keys[m->nkeys] = sbd_strndup(h->ctx, key, kl);
  if (!m->keys[m->nkeys])
    return SBD_ENOMEM;
  m->nkeys++;
  return SBD_OK;
}

static int hex_digit(char c) {
  return c >= '0' && c <= '9'   ? c - '0'
         : c >= 'a' && c <= 'f' ? c - 'a' + 10
         : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                : -1;
}

/* A value with %XX escapes (writers encode ':', '/', ' ' ... so, as DuckDB reads them) decoded
 * into m->decoded; the text as it is when it has none, or decodes to no valid UTF-8 text. */
static sbd_status hive_decode(sbd_ctx *ctx, multi *m, const char **v, size_t *vl) {
  if (!memchr(*v, '%', *vl))
    return SBD_OK;
  char *buf = sbd_malloc(ctx, *vl + 1);
  if (!buf)
    return SBD_ENOMEM;
  size_t n = 0;
  const char *t = *v;
  for (size_t i = 0; i < *vl; i++) {
    int hi = t[i] == '%' && i + 2 < *vl ? hex_digit(t[i + 1]) : -1;
    int lo = hi >= 0 ? hex_digit(t[i + 2]) : -1;
    if (hi >= 0 && lo >= 0) {
      buf[n++] = (char)(hi * 16 + lo);
      i += 2;
    } else {
      buf[n++] = t[i];
    }
  }
  buf[n] = 0;
  sbd_status st = SBD_OK;
  if (strlen(buf) == n && str_utf8_valid(buf, n)) {
    st = list_add(ctx, &m->decoded, buf);
    if (st == SBD_OK) {
      *v = m->decoded.v[m->decoded.n - 1];
      *vl = n;
    }
  }
  free(buf);
  return st;
}

static sbd_status hive_value(void *arg, const char *key, size_t kl, const char *v, size_t vl) {
  hive_scan *h = arg;
  multi *m = h->m;
  bool null = vl == strlen(HIVE_NULL) && memcmp(v, HIVE_NULL, vl) == 0;
  if (!null)
    RETURN_IF_ERROR(hive_decode(h->ctx, m, &v, &vl));
  for (int k = 0; k < m->nkeys; k++)
    if (strlen(m->keys[k]) == kl && strncasecmp(m->keys[k], key, kl) == 0) {
      hive_val *hv = &m->vals[h->file * m->nkeys + k];
      if (!hv->s)
        h->seen++;
      hv->s = v;
      hv->n = vl;
      hv->null = null;
      return SBD_OK;
    }
  return sbd_error(h->ctx, SBD_EINPUT,
                   "%s: its partition folders differ from those of %s (no '%.*s=' there)", h->path,
                   m->paths.v[0], (int)kl, key);
}

/* Reads a partition value as type t; false when it does not read as one. */
static bool hive_parse(sbd_type t, hive_val *v) {
  int32_t days;
  bool b;
  switch (t) {
  case SBD_INT64:
    return num_parse_int64(v->s, v->n, &v->i);
  case SBD_DOUBLE:
    return num_parse_double(v->s, v->n, &v->d);
  case SBD_DATE:
    if (!tm_parse_date(v->s, v->n, &days))
      return false;
    v->i = days;
    return true;
  case SBD_TIMESTAMP:
    return tm_parse_timestamp(v->s, v->n, &v->i);
  case SBD_BOOL:
    if (!num_parse_bool(v->s, v->n, &b))
      return false;
    v->i = b;
    return true;
  default:
    return true; /* STRING: the text itself */
  }
}

/* Finds the partition keys of m->paths (names sorted), their values and types: those the schema
 * option (force) gives, else inferred. */
static sbd_status hive_plan(sbd_ctx *ctx, multi *m, const sbd_schema *force) {
  hive_scan h = {ctx, m, 0, NULL, true, 0};
  for (int i = 0; i < m->paths.n; i++)
    RETURN_IF_ERROR(hive_segments(m->paths.v[i], hive_collect, &h));
  if (!m->nkeys)
    return SBD_OK;
  qsort(m->keys, (size_t)m->nkeys, sizeof(char *), by_name);
  m->vals = sbd_calloc(ctx, (size_t)m->paths.n * (size_t)m->nkeys, sizeof(hive_val));
  m->key_types = sbd_calloc(ctx, (size_t)m->nkeys, sizeof(sbd_type));
  if (!m->vals || !m->key_types)
    return SBD_ENOMEM;
  for (int i = 0; i < m->paths.n; i++) {
    h.file = i;
    h.path = m->paths.v[i];
    h.seen = 0;
    RETURN_IF_ERROR(hive_segments(m->paths.v[i], hive_value, &h));
    for (int k = 0; h.seen < m->nkeys && k < m->nkeys; k++)
      RETURN_ERROR_IF(!m->vals[i * m->nkeys + k].s, ctx, SBD_EINPUT,
                      "%s: has no partition folder '%s=' (the other files have)", h.path,
                      m->keys[k]);
  }
  /* Types: INT64 if every value reads as one, else DATE if every value does, else STRING. */
  for (int k = 0; k < m->nkeys; k++) {
    int given = force ? sbd_schema_find(force, m->keys[k]) : -1;
    if (given >= 0) {
      m->key_types[k] = force->fields[given].type;
      for (int i = 0; i < m->paths.n; i++) {
        hive_val *v = &m->vals[i * m->nkeys + k];
        RETURN_ERROR_IF(!v->null && !hive_parse(m->key_types[k], v), ctx, SBD_EINPUT,
                        "%s: partition '%s': cannot read \"%.*s\" as %s", m->paths.v[i], m->keys[k],
                        (int)v->n, v->s, sbd_type_name(m->key_types[k]));
      }
      continue;
    }
    bool ints = true, dates = true;
    for (int i = 0; i < m->paths.n; i++) {
      hive_val *v = &m->vals[i * m->nkeys + k];
      int64_t x;
      int32_t d;
      if (v->null)
        continue;
      ints = ints && num_parse_int64(v->s, v->n, &x);
      dates = dates && v->n == 10 && tm_parse_date(v->s, v->n, &d);
    }
    m->key_types[k] = ints ? SBD_INT64 : dates ? SBD_DATE : SBD_STRING;
    for (int i = 0; i < m->paths.n; i++)
      if (!m->vals[i * m->nkeys + k].null)
        hive_parse(m->key_types[k], &m->vals[i * m->nkeys + k]);
  }
  return SBD_OK;
}

static int hive_key_of(const multi *m, const char *name) {
  for (int k = 0; k < m->nkeys; k++)
    if (strcasecmp(m->keys[k], name) == 0)
      return k;
  return -1;
}

/* The schema option's columns that are not partition keys (those type the keys). */
static sbd_status without_keys(sbd_ctx *ctx, const multi *m, const sbd_schema *force,
                               sbd_schema **out) {
  int n = 0;
  for (int i = 0; i < force->ncols; i++)
    n += hive_key_of(m, force->fields[i].name) < 0;
  sbd_schema *s = schema_new(ctx, n);
  if (!s)
    return SBD_ENOMEM;
  int j = 0;
  for (int i = 0; i < force->ncols; i++) {
    if (hive_key_of(m, force->fields[i].name) >= 0)
      continue;
    sbd_status st = schema_set(ctx, s, j++, force->fields[i].name, force->fields[i].type);
    if (st != SBD_OK) {
      schema_unref(s);
      return st;
    }
  }
  *out = s;
  return SBD_OK;
}

/* Sets up a Hive dataset: the output columns (the option columns, else the first file's columns
 * but partition keys' namesakes, then the keys), and what each file is asked for. */
static sbd_status hive_open(sbd_ctx *ctx, sbd_reader *r, multi *m, const sbd_options *fopts,
                            const sbd_schema *force) {
  const char *columns = sbd_options_get(fopts, "columns");
  sbd_options *probe = sbd_options_new();
  if (!probe)
    return SBD_ENOMEM;
  sbd_status st = SBD_OK;
  for (int i = 0; fopts && i < fopts->n && st == SBD_OK; i++)
    if (strcmp(fopts->keys[i], "columns") != 0)
      st = sbd_options_set(probe, fopts->keys[i], fopts->values[i]);
  sbd_reader *first = NULL;
  if (st == SBD_OK)
    st = open_one(ctx, m->paths.v[0], probe, force, &first);
  sbd_options_free(probe);
  RETURN_IF_ERROR(st);
  const sbd_schema *fs = first->schema;
  /* The output names, in order. */
  path_list names = {0};
  if (columns) {
    const char *p = columns;
    for (;;) {
      const char *end = strchr(p, ',');
      size_t n = end ? (size_t)(end - p) : strlen(p);
      char *name = sbd_strndup(ctx, p, n);
      st = name ? list_add(ctx, &names, name) : SBD_ENOMEM;
      free(name);
      if (st != SBD_OK || !end)
        break;
      p = end + 1;
    }
  } else {
    for (int c = 0; c < fs->ncols && st == SBD_OK; c++)
      if (hive_key_of(m, fs->fields[c].name) < 0)
        st = list_add(ctx, &names, fs->fields[c].name);
    for (int k = 0; k < m->nkeys && st == SBD_OK; k++)
      st = list_add(ctx, &names, m->keys[k]);
  }
  /* The schema, the map to file columns, the types files are read with and the projection. */
  /* Parquet and CSV files take the projection; JSON Lines files give all their columns. */
  bool parquet =
      strcmp(first->ops->format, "parquet") == 0 || strcmp(first->ops->format, "csv") == 0;
  char *file_cols = NULL;
  size_t file_cols_len = 0;
  int nfile = 0;
  if (st == SBD_OK) {
    r->schema = schema_new(ctx, names.n);
    m->perm = sbd_calloc(ctx, (size_t)(names.n ? names.n : 1), sizeof(int));
    m->force = schema_new(ctx, fs->ncols);
    if (!r->schema || !m->perm || !m->force)
      st = SBD_ENOMEM;
  }
  for (int i = 0; i < names.n && st == SBD_OK; i++) {
    int k = hive_key_of(m, names.v[i]);
    if (k >= 0) {
      m->perm[i] = -1 - k;
      st = schema_set(ctx, r->schema, i, m->keys[k], m->key_types[k]);
      continue;
    }
    int j = sbd_schema_find(fs, names.v[i]);
    if (j < 0) {
      st = sbd_error(ctx, SBD_ENOTFOUND, "%s: no column '%s' in the file or its partitions",
                     m->paths.v[0], names.v[i]);
      break;
    }
    m->perm[i] = j;
    st = schema_set(ctx, r->schema, i, fs->fields[j].name, fs->fields[j].type);
    if (st == SBD_OK)
      st = schema_set(ctx, m->force, nfile, fs->fields[j].name, fs->fields[j].type);
    size_t add = strlen(fs->fields[j].name) + 2;
    char *grown = st == SBD_OK ? sbd_realloc(ctx, file_cols, file_cols_len + add) : NULL;
    if (st == SBD_OK && !grown)
      st = SBD_ENOMEM;
    if (st == SBD_OK) {
      file_cols = grown;
      snprintf(file_cols + file_cols_len, add, "%s%s", file_cols_len ? "," : "",
               fs->fields[j].name);
      file_cols_len += strlen(file_cols + file_cols_len);
      nfile++;
    }
  }
  if (st == SBD_OK && nfile == 0 && fs->ncols > 0) {
    /* Only partition keys are wanted: read one file column to count the rows. */
    st = schema_set(ctx, m->force, nfile++, fs->fields[0].name, fs->fields[0].type);
    free(file_cols);
    file_cols = sbd_strdup(ctx, fs->fields[0].name);
    if (st == SBD_OK && !file_cols)
      st = SBD_ENOMEM;
  }
  if (st == SBD_OK)
    m->force->ncols = nfile;
  /* A text file gives all its columns (the text readers take no projection). */
  m->nfile_cols = parquet ? nfile : fs->ncols;
  if (!parquet && st == SBD_OK) {
    schema_unref(m->force);
    m->force = schema_new(ctx, fs->ncols);
    for (int c = 0; m->force && c < fs->ncols && st == SBD_OK; c++)
      st = schema_set(ctx, m->force, c, fs->fields[c].name, fs->fields[c].type);
    if (!m->force)
      st = SBD_ENOMEM;
  }
  m->opts = sbd_options_new();
  if (!m->opts && st == SBD_OK)
    st = SBD_ENOMEM;
  for (int i = 0; fopts && i < fopts->n && st == SBD_OK; i++)
    if (strcmp(fopts->keys[i], "schema") != 0 && strcmp(fopts->keys[i], "columns") != 0)
      st = sbd_options_set(m->opts, fopts->keys[i], fopts->values[i]);
  if (st == SBD_OK && parquet && file_cols)
    st = sbd_options_set(m->opts, "columns", file_cols);
  free(file_cols);
  list_free(&names);
  sbd_reader_close(first);
  return st;
}

/* Infers each file's schema and unifies the types by name, in the first file's column order. */
static sbd_status unify_schemas(sbd_ctx *ctx, path_list *paths, const sbd_options *opts,
                                const sbd_schema *force, sbd_schema **out) {
  sbd_schema *u = NULL;
  for (int i = 0; i < paths->n; i++) {
    sbd_reader *one;
    RETURN_IF_ERROR(open_one(ctx, paths->v[i], opts, force, &one));
    const sbd_schema *s = one->schema;
    sbd_status st = SBD_OK;
    if (!u) {
      u = schema_new(ctx, s->ncols);
      for (int c = 0; u && c < s->ncols && st == SBD_OK; c++)
        st = schema_set(ctx, u, c, s->fields[c].name, s->fields[c].type);
      if (!u)
        st = SBD_ENOMEM;
    } else if (s->ncols != u->ncols) {
      st = sbd_error(ctx, SBD_EINPUT,
                     "%s: has %d columns but %s has %d (the files read together must have the "
                     "same column names)",
                     paths->v[i], s->ncols, paths->v[0], u->ncols);
    } else {
      for (int c = 0; c < u->ncols && st == SBD_OK; c++) {
        int j = sbd_schema_find(s, u->fields[c].name);
        if (j < 0)
          st = sbd_error(ctx, SBD_EINPUT, "%s: has no column '%s', which %s has", paths->v[i],
                         u->fields[c].name, paths->v[0]);
        else
          u->fields[c].type = type_unify(u->fields[c].type, s->fields[j].type);
      }
    }
    sbd_reader_close(one);
    if (st != SBD_OK) {
      schema_unref(u);
      return st;
    }
  }
  *out = u;
  return SBD_OK;
}

static const char *const reader_keys[] = {
    IO_COMMON_READ_OPTIONS, "delim", "header", "nulls", "quote", "columns", "hive_partitioning"};

static bool has_hive_segment(const char *path) {
  const char *end = strrchr(path, '/');
  for (const char *p = path; end && p < end;) {
    const char *slash = memchr(p, '/', (size_t)(end - p) + 1);
    const char *eq = memchr(p, '=', (size_t)(slash - p));
    if (eq && eq > p)
      return true;
    p = slash + 1;
  }
  return false;
}

/* The bytes of the files, for progress. */
static int64_t total_bytes(sbd_ctx *ctx, const path_list *paths) {
  int64_t total = 0;
  for (int i = 0; i < paths->n; i++) {
    io_source *src;
    if (io_source_open(ctx, paths->v[i], &src) == SBD_OK) {
      if (src->size > 0)
        total += src->size;
      io_source_close(src);
    }
  }
  return total;
}

/* A multi-file reader over paths (taken), its schema not yet set. */
static sbd_status multi_new(sbd_ctx *ctx, path_list *paths, sbd_reader **out) {
  sbd_reader *r = io_reader_new(ctx, &multi_ops, paths->v[0]);
  multi *m = r ? sbd_calloc(ctx, 1, sizeof(*m)) : NULL;
  if (!m) {
    if (r) {
      free(r->path);
      free(r);
    }
    return SBD_ENOMEM;
  }
  m->paths = *paths;
  *paths = (path_list){0};
  r->impl = m;
  *out = r;
  return SBD_OK;
}

sbd_status sbd_reader_open(sbd_ctx *ctx, const char *const *paths, int npaths,
                           const sbd_options *opts, sbd_reader **out) {
  *out = NULL;
  RETURN_ERROR_IF(npaths < 1, ctx, SBD_EUSAGE, "no input file given");
  RETURN_IF_ERROR(opt_check_known(ctx, opts, "reader", reader_keys,
                                  (int)(sizeof(reader_keys) / sizeof(reader_keys[0]))));
  const char *hp = sbd_options_get(opts, "hive_partitioning");
  bool hive_off = hp && (strcasecmp(hp, "false") == 0 || strcmp(hp, "0") == 0);
  RETURN_ERROR_IF(hp && !hive_off && strcasecmp(hp, "true") != 0 && strcmp(hp, "1") != 0, ctx,
                  SBD_EUSAGE, "option hive_partitioning: expected true or false, not \"%s\"", hp);
  io_rejects *rj = sbd_calloc(ctx, 1, sizeof(*rj));
  if (!rj)
    return SBD_ENOMEM;
  sbd_status st = io_rejects_init(ctx, opts, rj);
  if (st != SBD_OK) {
    free(rj);
    return st;
  }
  /* The options the files are opened with: all but hive_partitioning. */
  sbd_options *fopts = sbd_options_new();
  if (!fopts)
    st = SBD_ENOMEM;
  for (int i = 0; opts && st == SBD_OK && i < opts->n; i++)
    if (strcmp(opts->keys[i], "hive_partitioning") != 0)
      st = sbd_options_set(fopts, opts->keys[i], opts->values[i]);
  path_list pl = {0};
  sbd_schema *force = NULL;
  const char *schema_text = sbd_options_get(opts, "schema");
  if (st == SBD_OK && schema_text)
    st = schema_parse(ctx, schema_text, &force);
  if (st == SBD_OK)
    st = expand(ctx, paths, npaths, &pl);
  for (int i = 0; st == SBD_OK && pl.n > 1 && i < pl.n; i++)
    if (strcmp(pl.v[i], "-") == 0)
      st = sbd_error(ctx, SBD_EUSAGE,
                     "standard input ('-') cannot be read together with other files");
  bool hive = false;
  for (int i = 0; st == SBD_OK && !hive_off && !hive && i < pl.n; i++)
    hive = has_hive_segment(pl.v[i]);
  sbd_reader *r = NULL;
  if (st == SBD_OK && pl.n == 1 && !hive) {
    st = open_one(ctx, pl.v[0], fopts, force, &r);
  } else if (st == SBD_OK && hive) {
    st = multi_new(ctx, &pl, &r);
    if (st == SBD_OK)
      st = hive_plan(ctx, r->impl, force);
    sbd_schema *file_force = NULL;
    if (st == SBD_OK && force)
      st = without_keys(ctx, r->impl, force, &file_force);
    if (st == SBD_OK)
      st = hive_open(ctx, r, r->impl, fopts, file_force);
    schema_unref(file_force);
    if (st == SBD_OK)
      r->bytes_total = total_bytes(ctx, &((multi *)r->impl)->paths);
  } else if (st == SBD_OK) {
    sbd_schema *unified = NULL;
    st = unify_schemas(ctx, &pl, fopts, force, &unified);
    if (st == SBD_OK)
      st = multi_new(ctx, &pl, &r);
    multi *m = st == SBD_OK ? r->impl : NULL;
    if (m) {
      m->perm = sbd_calloc(ctx, (size_t)(unified->ncols ? unified->ncols : 1), sizeof(int));
      m->opts = sbd_options_new();
      if (!m->perm || !m->opts)
        st = SBD_ENOMEM;
    }
    if (st == SBD_OK) {
      /* The files are read with the unified types: passed as the schema option. */
      for (int i = 0; i < fopts->n && st == SBD_OK; i++)
        if (strcmp(fopts->keys[i], "schema") != 0)
          st = sbd_options_set(m->opts, fopts->keys[i], fopts->values[i]);
      r->schema = schema_ref(unified);
      m->force = schema_ref(unified);
      m->nfile_cols = unified->ncols;
      r->bytes_total = total_bytes(ctx, &m->paths);
    }
    schema_unref(unified);
  }
  list_free(&pl);
  schema_unref(force);
  sbd_options_free(fopts);
  if (st != SBD_OK) {
    if (r) {
      r->rejects = rj;
      r->owns_rejects = true;
      sbd_reader_close(r);
    } else {
      io_rejects_close(ctx, rj);
      free(rj);
    }
    return st;
  }
  r->rejects = rj;
  r->owns_rejects = true;
  *out = r;
  return SBD_OK;
}

sbd_status sbd_row_count(sbd_ctx *ctx, const char *const *paths, int npaths,
                         const sbd_options *opts, int64_t *rows) {
  *rows = -1;
  RETURN_ERROR_IF(npaths < 1, ctx, SBD_EUSAGE, "no input file given");
  RETURN_IF_ERROR(opt_check_known(ctx, opts, "reader", reader_keys,
                                  (int)(sizeof(reader_keys) / sizeof(reader_keys[0]))));
  path_list pl = {0};
  sbd_status st = expand(ctx, paths, npaths, &pl);
  int64_t total = 0;
  for (int i = 0; st == SBD_OK && total >= 0 && i < pl.n; i++) {
    const char *fmt = io_format_of(opts, pl.v[i]);
    int64_t n = -1;
    if (fmt && strcasecmp(fmt, "parquet") == 0)
      st = pq_count_rows(ctx, pl.v[i], &n);
    if (st == SBD_OK && n >= 0 && n <= INT64_MAX - total)
      total += n;
    else
      total = -1; /* a format that records no count (or an impossible sum): reading tells */
  }
  list_free(&pl);
  if (st == SBD_OK)
    *rows = total;
  return st;
}

const sbd_schema *sbd_reader_schema(const sbd_reader *r) {
  return r->schema;
}

sbd_status sbd_reader_next(sbd_reader *r, sbd_batch **out) {
  return r->ops->next(r, out);
}

int64_t sbd_reader_rejected(const sbd_reader *r) {
  return r->rejected;
}

void sbd_reader_progress(const sbd_reader *r, int64_t *bytes_done, int64_t *bytes_total) {
  *bytes_done = __atomic_load_n(&r->bytes_done, __ATOMIC_RELAXED);
  *bytes_total = r->bytes_total;
}

void sbd_reader_close(sbd_reader *r) {
  if (!r)
    return;
  if (r->ops && r->ops->close)
    r->ops->close(r);
  if (r->owns_rejects && r->rejects) {
    io_rejects_close(r->ctx, r->rejects);
    free(r->rejects);
  }
  schema_unref(r->schema);
  free(r->path);
  free(r);
}

/* ---- rejects
 * -------------------------------------------------------------------------------------*/

sbd_status io_rejects_init(sbd_ctx *ctx, const sbd_options *opts, io_rejects *rj) {
  memset(rj, 0, sizeof(*rj));
  const char *mode = sbd_options_get(opts, "on_error");
  if (mode && strcmp(mode, "skip") == 0)
    rj->skip = true;
  else if (mode && strcmp(mode, "fail") != 0)
    return sbd_error(ctx, SBD_EUSAGE, "option on_error: expected fail or skip, not \"%s\"", mode);
  const char *path = sbd_options_get(opts, "rejects");
  if (path && *path) {
    RETURN_ERROR_IF(!rj->skip, ctx, SBD_EUSAGE, "option rejects needs on_error=skip");
    rj->path = sbd_strdup(ctx, path);
    if (!rj->path)
      return SBD_ENOMEM;
  }
  return SBD_OK;
}

static sbd_status put_csv_field(sbd_ctx *ctx, io_file *f, const char *s, size_t n) {
  RETURN_IF_ERROR(io_file_write(ctx, f, "\"", 1));
  size_t start = 0;
  for (size_t i = 0; i < n; i++) {
    if (s[i] == '"') {
      RETURN_IF_ERROR(io_file_write(ctx, f, s + start, i - start + 1));
      RETURN_IF_ERROR(io_file_write(ctx, f, "\"", 1));
      start = i + 1;
    }
  }
  RETURN_IF_ERROR(io_file_write(ctx, f, s + start, n - start));
  return io_file_write(ctx, f, "\"", 1);
}

sbd_status io_rejects_add(sbd_ctx *ctx, io_rejects *rj, const char *input, int64_t line,
                          const char *reason, const char *text, size_t n) {
  if (!rj->path)
    return SBD_OK;
  if (!rj->file) {
    RETURN_IF_ERROR(io_file_create(ctx, rj->path, &rj->file));
    static const char header[] = "file,line,error,record\n";
    RETURN_IF_ERROR(io_file_write(ctx, rj->file, header, sizeof(header) - 1));
  }
  /* The record without its line terminator. */
  while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\r'))
    n--;
  char num[NUM_FMT_MAX];
  size_t nl = num_format_int64(line, num);
  RETURN_IF_ERROR(put_csv_field(ctx, rj->file, input, strlen(input)));
  RETURN_IF_ERROR(io_file_write(ctx, rj->file, ",", 1));
  RETURN_IF_ERROR(io_file_write(ctx, rj->file, num, nl));
  RETURN_IF_ERROR(io_file_write(ctx, rj->file, ",", 1));
  RETURN_IF_ERROR(put_csv_field(ctx, rj->file, reason, strlen(reason)));
  RETURN_IF_ERROR(io_file_write(ctx, rj->file, ",", 1));
  RETURN_IF_ERROR(put_csv_field(ctx, rj->file, text, n));
  return io_file_write(ctx, rj->file, "\n", 1);
}

sbd_status io_rejects_close(sbd_ctx *ctx, io_rejects *rj) {
  sbd_status st = SBD_OK;
  if (rj->file)
    st = io_file_commit(ctx, rj->file);
  rj->file = NULL;
  free(rj->path);
  rj->path = NULL;
  return st;
}
