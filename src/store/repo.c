/*
 * repo.c — the repository handle: sbd.yaml parsed and checked, the catalog opened, the paths of
 * the store resolved against the repository folder; the tables a query of the repository sees
 * (sources by name, groups by name and GROUP@N); and the small text buffer the store's files
 * build SQL and reports with.
 *
 * GROUP@N is not SQL: before a repository query is parsed, an unquoted name followed by @ and
 * digits, outside strings, quoted identifiers and comments, is quoted ("customer@3"), which the
 * tables then resolve.
 */
#include "sql/sql_int.h"
#include "store/store_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The longest text st_text builds (generated SQL, reports): beyond it an error names the cap. */
#define ST_MAX_TEXT_BYTES (64u << 20)

void st_text_add(st_text *t, const char *fmt, ...) {
  if (t->failed)
    return;
  for (;;) {
    va_list ap;
    va_start(ap, fmt);
    size_t room = t->cap - t->len;
    int n = vsnprintf(t->s ? t->s + t->len : NULL, t->s ? room : 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
      t->failed = true;
      return;
    }
    if (t->s && (size_t)n < room) {
      t->len += (size_t)n;
      return;
    }
    size_t want = t->len + (size_t)n + 1;
    size_t cap = t->cap ? t->cap : 256;
    while (cap < want)
      cap *= 2;
    char *s = cap <= ST_MAX_TEXT_BYTES ? realloc(t->s, cap) : NULL;
    if (!s) {
      t->failed = true;
      return;
    }
    t->s = s;
    t->cap = cap;
  }
}

void st_text_sql_string(st_text *t, const char *s) {
  st_text_add(t, "'");
  for (const char *q; (q = strchr(s, '\'')); s = q + 1)
    st_text_add(t, "%.*s''", (int)(q - s), s);
  st_text_add(t, "%s'", s);
}

char *st_text_take(sbd_ctx *ctx, st_text *t) {
  if (t->failed || !t->s) {
    if (t->failed || !t->s)
      sbd_error(ctx, SBD_ENOMEM, "out of memory building a text (at most %u bytes)",
                ST_MAX_TEXT_BYTES);
    free(t->s);
    memset(t, 0, sizeof(*t));
    return NULL;
  }
  char *s = t->s;
  memset(t, 0, sizeof(*t));
  return s;
}

void sbd_free(void *p) {
  free(p);
}

char *st_repo_path(sbd_repo *r, const char *path) {
  st_text t = {0};
  if (path[0] == '/' || strcmp(r->dir, ".") == 0)
    st_text_add(&t, "%s", path);
  else
    st_text_add(&t, "%s/%s", r->dir, path);
  return st_text_take(r->ctx, &t);
}

char *st_version_part(sbd_repo *r, const char *group, int64_t version, int64_t part) {
  st_text t = {0};
  st_text_add(&t, "%s/%s/version=%lld/part-%lld.parquet", r->store, group, (long long)version,
              (long long)part);
  return st_text_take(r->ctx, &t);
}

char *st_version_glob(sbd_repo *r, const char *group, int64_t version) {
  st_text t = {0};
  st_text_add(&t, "%s/%s/version=%lld/part-*.parquet", r->store, group, (long long)version);
  return st_text_take(r->ctx, &t);
}

static sbd_status read_file(sbd_ctx *ctx, const char *path, char **text, size_t *len) {
  *text = NULL;
  FILE *f = fopen(path, "rb");
  if (!f)
    return sbd_error(ctx, errno == ENOENT ? SBD_ENOTFOUND : SBD_EIO,
                     "%s: cannot read the repository file: %s%s", path, strerror(errno),
                     errno == ENOENT ? " (run 'sbd init' to make one)" : "");
  char *buf = sbd_malloc(ctx, ST_MAX_CONFIG_BYTES + 1);
  size_t got = buf ? fread(buf, 1, ST_MAX_CONFIG_BYTES + 1, f) : 0;
  bool bad = ferror(f);
  fclose(f);
  if (!buf)
    return SBD_ENOMEM;
  if (bad) {
    free(buf);
    return sbd_error(ctx, SBD_EIO, "%s: read failed", path);
  }
  buf[got < ST_MAX_CONFIG_BYTES + 1 ? got : ST_MAX_CONFIG_BYTES] = 0;
  *text = buf;
  *len = got;
  return SBD_OK;
}

sbd_status sbd_repo_open(sbd_ctx *ctx, const char *dir, sbd_repo **out) {
  *out = NULL;
  sbd_repo *r = sbd_calloc(ctx, 1, sizeof(*r));
  if (!r)
    return SBD_ENOMEM;
  r->ctx = ctx;
  r->dir = sbd_strdup(ctx, dir && *dir ? dir : ".");
  if (!r->dir) {
    sbd_repo_close(r);
    return SBD_ENOMEM;
  }
  char *yaml_path = st_repo_path(r, "sbd.yaml");
  char *text = NULL;
  size_t len = 0;
  sbd_status st = yaml_path ? read_file(ctx, yaml_path, &text, &len) : SBD_ENOMEM;
  if (st == SBD_OK)
    st = st_config_parse(ctx, text, len, yaml_path, r->dir, &r->cfg);
  free(text);
  free(yaml_path);
  if (st == SBD_OK) {
    r->catalog = st_repo_path(r, r->cfg->catalog);
    r->store = st_repo_path(r, r->cfg->store);
    r->group_names = sbd_calloc(ctx, (size_t)r->cfg->ngroups + 1, sizeof(char *));
    if (!r->catalog || !r->store || !r->group_names)
      st = SBD_ENOMEM;
  }
  for (int i = 0; st == SBD_OK && i < r->cfg->ngroups; i++)
    r->group_names[i] = r->cfg->groups[i].name;
  if (st == SBD_OK)
    st = st_catalog_open(ctx, r->catalog, &r->db);
  if (st != SBD_OK) {
    sbd_repo_close(r);
    return st;
  }
  *out = r;
  return SBD_OK;
}

void sbd_repo_close(sbd_repo *r) {
  if (!r)
    return;
  sqlite3_close(r->db);
  st_config_free(r->cfg);
  free(r->group_names);
  free(r->dir);
  free(r->catalog);
  free(r->store);
  free(r);
}

void sbd_repo_set_notice(sbd_repo *r, sbd_notice_fn fn, void *arg) {
  r->notice = fn;
  r->notice_arg = arg;
}

sbd_status sbd_repo_group_names(sbd_repo *r, const char *const **names, int *n) {
  *names = r->group_names;
  *n = r->cfg->ngroups;
  return SBD_OK;
}

void st_tables_free(sql_table *tables, int n) {
  if (!tables)
    return;
  for (int i = 0; i < n; i++) {
    free((char *)tables[i].name);
    free((char *)tables[i].path);
    sbd_options_free((sbd_options *)tables[i].opts);
  }
  free(tables);
}

static sbd_status add_table(sbd_repo *r, sql_table **v, int *n, int *cap, char *name, char *path,
                            const char *format, bool version) {
  sbd_options *opts = NULL;
  /* A version's folder is version=N: the store's own layout, not a partition column of the
   * group (the sources keep Hive partitioning, as in sbd query). */
  if (name && path && format && (opts = sbd_options_new()) &&
      (sbd_options_set(opts, "format", format) != SBD_OK ||
       (version && sbd_options_set(opts, "hive_partitioning", "false") != SBD_OK))) {
    sbd_options_free(opts);
    opts = NULL;
  }
  if (!name || !path || (format && !opts) ||
      (*n == *cap && !(*v = realloc(*v, sizeof(**v) * (size_t)(*cap = *cap * 2 + 8))))) {
    free(name);
    free(path);
    sbd_options_free(opts);
    return sbd_error(r->ctx, SBD_ENOMEM, "out of memory");
  }
  (*v)[(*n)++] = (sql_table){name, path, opts};
  return SBD_OK;
}

sbd_status st_repo_tables(sbd_repo *r, sql_table **tables, int *ntables) {
  *tables = NULL;
  *ntables = 0;
  sql_table *v = NULL;
  int n = 0, cap = 0;
  sbd_status st = SBD_OK;
  for (int i = 0; st == SBD_OK && i < r->cfg->nsources; i++) {
    const st_source *s = &r->cfg->sources[i];
    st = add_table(r, &v, &n, &cap, sbd_strdup(r->ctx, s->name), st_repo_path(r, s->path),
                   s->format, false);
  }
  sqlite3_stmt *q = NULL;
  if (st == SBD_OK)
    st = st_prepare(r->ctx, r->db,
                    "SELECT v.grp, v.version, g.latest FROM versions v JOIN groups g"
                    " ON g.name = v.grp ORDER BY v.grp, v.version",
                    &q);
  int rc;
  while (st == SBD_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
    const char *group = (const char *)sqlite3_column_text(q, 0);
    int64_t version = sqlite3_column_int64(q, 1);
    if (!st_config_group(r->cfg, group))
      continue; /* a group no longer defined is not a table */
    st_text name = {0};
    st_text_add(&name, "%s@%lld", group, (long long)version);
    st = add_table(r, &v, &n, &cap, st_text_take(r->ctx, &name), st_version_glob(r, group, version),
                   "parquet", true);
    if (st == SBD_OK && version == sqlite3_column_int64(q, 2))
      st = add_table(r, &v, &n, &cap, sbd_strdup(r->ctx, group), st_version_glob(r, group, version),
                     "parquet", true);
  }
  if (st == SBD_OK && rc != SQLITE_DONE)
    st = st_db_error(r->ctx, r->db, "read");
  sqlite3_finalize(q);
  if (st != SBD_OK) {
    st_tables_free(v, n);
    return st;
  }
  *tables = v;
  *ntables = n;
  return SBD_OK;
}

static bool is_word_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

/* sql with each unquoted NAME@DIGITS quoted (malloc'd). */
static char *quote_pins(sbd_ctx *ctx, const char *sql) {
  st_text t = {0};
  const char *s = sql;
  while (*s) {
    if (*s == '\'' || *s == '"') { /* a string or quoted name: copied whole */
      char q = *s;
      const char *e = s + 1;
      while (*e && !(*e == q && e[1] != q))
        e += *e == q ? 2 : 1;
      if (*e)
        e++;
      st_text_add(&t, "%.*s", (int)(e - s), s);
      s = e;
    } else if (s[0] == '-' && s[1] == '-') {
      const char *e = strchr(s, '\n');
      e = e ? e : s + strlen(s);
      st_text_add(&t, "%.*s", (int)(e - s), s);
      s = e;
    } else if (s[0] == '/' && s[1] == '*') {
      const char *e = strstr(s + 2, "*/");
      e = e ? e + 2 : s + strlen(s);
      st_text_add(&t, "%.*s", (int)(e - s), s);
      s = e;
    } else if (is_word_char(*s) && (s == sql || !is_word_char(s[-1]))) {
      const char *e = s;
      while (is_word_char(*e))
        e++;
      const char *d = e;
      if (*d == '@' && d[1] >= '0' && d[1] <= '9') {
        d++;
        while (*d >= '0' && *d <= '9')
          d++;
        st_text_add(&t, "\"%.*s\"", (int)(d - s), s);
        s = d;
      } else {
        st_text_add(&t, "%.*s", (int)(e - s), s);
        s = e;
      }
    } else {
      st_text_add(&t, "%c", *s);
      s++;
    }
  }
  if (!t.s)
    st_text_add(&t, "%s", "");
  return st_text_take(ctx, &t);
}

sbd_status st_repo_sql(sbd_repo *r, const char *sql, sbd_reader **out) {
  return st_repo_sql_with(r, sql, NULL, NULL, out);
}

sbd_status st_repo_sql_with(sbd_repo *r, const char *sql, const char *name, const char *path,
                            sbd_reader **out) {
  sql_table *tables;
  int n, cap;
  RETURN_IF_ERROR(st_repo_tables(r, &tables, &n));
  cap = n;
  sbd_status st = SBD_OK;
  if (name)
    st = add_table(r, &tables, &n, &cap, sbd_strdup(r->ctx, name), sbd_strdup(r->ctx, path),
                   "parquet", true);
  if (st == SBD_OK)
    st = sql_query_with_tables(r->ctx, sql, tables, n, out);
  st_tables_free(tables, n);
  return st;
}

sbd_status sbd_repo_script_open(sbd_repo *r, const char *sql, sbd_script **out) {
  *out = NULL;
  char *text = quote_pins(r->ctx, sql);
  if (!text)
    return SBD_ENOMEM;
  sql_table *tables;
  int n;
  sbd_status st = st_repo_tables(r, &tables, &n);
  if (st == SBD_OK)
    st = sql_script_open_with_tables(r->ctx, text, tables, n, out);
  st_tables_free(tables, n);
  free(text);
  return st;
}

sbd_status sbd_repo_query(sbd_repo *r, const char *sql, sbd_reader **out) {
  *out = NULL;
  char *text = quote_pins(r->ctx, sql);
  if (!text)
    return SBD_ENOMEM;
  sbd_status st = st_repo_sql(r, text, out);
  free(text);
  return st;
}
