/*
 * reader.c — the public reader: expands globs, picks each file's format, and reads several files
 * as one stream. With several files, every file is first opened once to infer its schema; the
 * types are unified by column name (INT64 + DOUBLE = DOUBLE, ...) and each file is then read with
 * the unified types forced, its columns put in the first file's order. Files must have the same
 * column names.
 */
#include "io/io_int.h"

#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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
  /* A projection needs a columnar format: the text readers would have to parse every field
   * anyway, so they do not take the option (a query selects columns instead). */
  RETURN_ERROR_IF(sbd_options_get(opts, "columns"), ctx, SBD_EUSAGE,
                  "%s: option columns applies to Parquet files only", path);
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

static sbd_status expand(sbd_ctx *ctx, const char *const *paths, int npaths, path_list *out) {
  for (int i = 0; i < npaths; i++) {
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

typedef struct multi {
  path_list paths;
  int next_path;
  sbd_reader *cur;
  int *perm; /* cur's column of each unified column */
  sbd_options *opts;
  int64_t done_bytes;    /* bytes of finished files */
  int64_t done_rejected; /* rejects of finished files */
} multi;

static void multi_close(sbd_reader *r) {
  multi *m = r->impl;
  if (!m)
    return;
  sbd_reader_close(m->cur);
  list_free(&m->paths);
  free(m->perm);
  sbd_options_free(m->opts);
  free(m);
}

static sbd_status multi_open_next(sbd_reader *r) {
  multi *m = r->impl;
  sbd_ctx *ctx = r->ctx;
  const char *path = m->paths.v[m->next_path];
  RETURN_IF_ERROR(open_one(ctx, path, m->opts, r->schema, &m->cur));
  m->cur->rejects = r->rejects;
  const sbd_schema *s = m->cur->schema;
  const sbd_schema *want = r->schema;
  bool same = s->ncols == want->ncols;
  for (int i = 0; same && i < want->ncols; i++) {
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
  m->next_path++;
  return SBD_OK;
}

static sbd_status multi_next(sbd_reader *r, sbd_batch **out) {
  multi *m = r->impl;
  *out = NULL;
  for (;;) {
    if (!m->cur) {
      if (m->next_path == m->paths.n)
        return SBD_OK;
      RETURN_IF_ERROR(multi_open_next(r));
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
    bool identity = true;
    for (int i = 0; i < r->schema->ncols; i++)
      identity = identity && m->perm[i] == i;
    if (!identity) {
      sbd_vec **cols = sbd_malloc(r->ctx, sizeof(sbd_vec *) * (size_t)r->schema->ncols);
      if (!cols) {
        sbd_batch_free(b);
        return SBD_ENOMEM;
      }
      for (int i = 0; i < r->schema->ncols; i++)
        cols[i] = b->cols[m->perm[i]];
      free(b->cols);
      b->cols = cols;
    }
    schema_unref(b->schema);
    b->schema = schema_ref(r->schema);
    *out = b;
    return SBD_OK;
  }
}

static const io_reader_ops multi_ops = {"multi", multi_next, multi_close};

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
    IO_COMMON_READ_OPTIONS, "delim", "header", "nulls", "quote", "columns"};

sbd_status sbd_reader_open(sbd_ctx *ctx, const char *const *paths, int npaths,
                           const sbd_options *opts, sbd_reader **out) {
  *out = NULL;
  RETURN_ERROR_IF(npaths < 1, ctx, SBD_EUSAGE, "no input file given");
  RETURN_IF_ERROR(opt_check_known(ctx, opts, "reader", reader_keys,
                                  (int)(sizeof(reader_keys) / sizeof(reader_keys[0]))));
  io_rejects *rj = sbd_calloc(ctx, 1, sizeof(*rj));
  if (!rj)
    return SBD_ENOMEM;
  sbd_status st = io_rejects_init(ctx, opts, rj);
  if (st != SBD_OK) {
    free(rj);
    return st;
  }
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
  sbd_reader *r = NULL;
  if (st == SBD_OK && pl.n == 1) {
    st = open_one(ctx, pl.v[0], opts, force, &r);
  } else if (st == SBD_OK) {
    sbd_schema *unified = NULL;
    st = unify_schemas(ctx, &pl, opts, force, &unified);
    multi *m = NULL;
    if (st == SBD_OK) {
      r = io_reader_new(ctx, &multi_ops, pl.v[0]);
      m = r ? sbd_calloc(ctx, 1, sizeof(*m)) : NULL;
      if (m)
        m->perm = sbd_calloc(ctx, (size_t)(unified->ncols ? unified->ncols : 1), sizeof(int));
      if (m && m->perm)
        m->opts = sbd_options_new();
      if (!m || !m->perm || !m->opts) {
        st = SBD_ENOMEM;
        if (m) {
          free(m->perm);
          free(m);
        }
        free(r ? r->path : NULL);
        free(r);
        r = NULL;
      }
    }
    if (st == SBD_OK) {
      /* The files are read with the unified types: pass them as the schema option. */
      for (int i = 0; opts && i < opts->n && st == SBD_OK; i++)
        if (strcmp(opts->keys[i], "schema") != 0)
          st = sbd_options_set(m->opts, opts->keys[i], opts->values[i]);
      m->paths = pl;
      pl = (path_list){0};
      r->impl = m;
      r->schema = schema_ref(unified);
      r->bytes_total = 0;
      for (int i = 0; i < m->paths.n; i++) {
        io_source *src;
        if (io_source_open(ctx, m->paths.v[i], &src) == SBD_OK) {
          if (src->size > 0)
            r->bytes_total += src->size;
          io_source_close(src);
        }
      }
    }
    schema_unref(unified);
  }
  list_free(&pl);
  schema_unref(force);
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
