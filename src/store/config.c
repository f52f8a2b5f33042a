/*
 * config.c — sbd.yaml: parsed with libyaml's document loader into nodes that carry their line,
 * then walked into an st_config and validated, each error naming the file and line:
 *   sbd.yaml:7: unknown key 'fetures' in group 'customer' (did you mean 'features'?)
 * Checks made here: unknown keys (with the closest valid one), required keys, value kinds (a
 * mapping, a list, a scalar), identifiers ([A-Za-z_][A-Za-z0-9_]*) for source, group, key and
 * feature names, a source and a group of one name, a `file:` that cannot be read, and a cycle
 * among groups (named: "customer -> orders -> customer"). A group reads another when one of its
 * queries names it after FROM or JOIN (or after a comma of a FROM list); the SQL lexer finds
 * them, so a name in a string or a comment does not count. Checks that need a query's result
 * columns (the key column, duplicate feature names) are made at calculate time.
 *
 * The dedup section is only checked for its shape here ({config: FILE} or a mapping): its keys
 * are the dedup engine's, checked with their lines when sbd dedup runs it.
 *
 * Everything parsed lives in the config's arena and is freed by st_config_free.
 */
#include "sql/sql_int.h"
#include "store/store_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

typedef struct parser {
  sbd_ctx *ctx;
  yaml_document_t doc;
  st_config *c;
  const char *dir;
} parser;

static int line_of(const yaml_node_t *n) {
  return (int)n->start_mark.line + 1;
}

static sbd_status err_line(parser *p, const yaml_node_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static sbd_status err_line(parser *p, const yaml_node_t *n, const char *fmt, ...) {
  char msg[SBD_ERRMSG_MAX];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  return sbd_error(p->ctx, SBD_EINPUT, "%s:%d: %s", p->c->file, line_of(n), msg);
}

static sbd_status oom(parser *p) {
  return sbd_error(p->ctx, SBD_ENOMEM, "out of memory reading %s", p->c->file);
}

static const char *kind_name(const yaml_node_t *n) {
  return n->type == YAML_MAPPING_NODE    ? "a mapping"
         : n->type == YAML_SEQUENCE_NODE ? "a list"
                                         : "a value";
}

static sbd_status need_kind(parser *p, const yaml_node_t *n, yaml_node_type_t kind,
                            const char *what) {
  if (n->type == kind)
    return SBD_OK;
  const char *want = kind == YAML_MAPPING_NODE    ? "a mapping"
                     : kind == YAML_SEQUENCE_NODE ? "a list"
                                                  : "a value";
  return err_line(p, n, "%s must be %s, not %s", what, want, kind_name(n));
}

/* The scalar's text, copied into the config's arena. */
static sbd_status scalar(parser *p, const yaml_node_t *n, const char *what, const char **out) {
  RETURN_IF_ERROR(need_kind(p, n, YAML_SCALAR_NODE, what));
  *out = arena_strndup(&p->c->a, (const char *)n->data.scalar.value, n->data.scalar.length);
  if (!*out)
    return oom(p);
  if (strlen(*out) != n->data.scalar.length)
    return err_line(p, n, "%s contains a NUL byte", what);
  return SBD_OK;
}

bool st_is_identifier(const char *s) {
  if (!s || !((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || *s == '_'))
    return false;
  size_t n = 0;
  for (; s[n]; n++)
    if (!((s[n] >= 'A' && s[n] <= 'Z') || (s[n] >= 'a' && s[n] <= 'z') ||
          (s[n] >= '0' && s[n] <= '9') || s[n] == '_'))
      return false;
  return n <= ST_MAX_NAME;
}

static sbd_status identifier(parser *p, const yaml_node_t *n, const char *what, const char **out) {
  RETURN_IF_ERROR(scalar(p, n, what, out));
  if (!st_is_identifier(*out)) {
    char q[96];
    sbd_quote_value(q, sizeof(q), *out, strlen(*out));
    return err_line(p, n,
                    "%s %s is not an identifier (letters, digits and _, not starting with a "
                    "digit, at most %d bytes)",
                    what, q, ST_MAX_NAME);
  }
  return SBD_OK;
}

/* Checks that every key of the mapping n is one of known[0..nknown) (where names the mapping in
 * messages) and that no key repeats. */
static sbd_status check_keys(parser *p, const yaml_node_t *n, const char *const *known, int nknown,
                             const char *where) {
  for (yaml_node_pair_t *a = n->data.mapping.pairs.start; a < n->data.mapping.pairs.top; a++) {
    yaml_node_t *k = yaml_document_get_node(&p->doc, a->key);
    const char *key;
    RETURN_IF_ERROR(scalar(p, k, "a key", &key));
    bool ok = false;
    for (int i = 0; i < nknown && !ok; i++)
      ok = strcmp(key, known[i]) == 0;
    if (!ok) {
      const char *near = sbd_closest(key, known, nknown);
      if (near)
        return err_line(p, k, "unknown key '%s' in %s (did you mean '%s'?)", key, where, near);
      return err_line(p, k, "unknown key '%s' in %s", key, where);
    }
    for (yaml_node_pair_t *b = n->data.mapping.pairs.start; b < a; b++) {
      yaml_node_t *kb = yaml_document_get_node(&p->doc, b->key);
      if (kb->type == YAML_SCALAR_NODE && strcmp((const char *)kb->data.scalar.value, key) == 0)
        return err_line(p, k, "key '%s' given twice in %s (first on line %d)", key, where,
                        line_of(kb));
    }
  }
  return SBD_OK;
}

/* Whether n is YAML's null: an empty plain value, ~ or null (a key given without a value). */
static bool is_null(const yaml_node_t *n) {
  if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
    return false;
  const char *v = (const char *)n->data.scalar.value;
  return !*v || strcmp(v, "~") == 0 || strcmp(v, "null") == 0;
}

/* The value of key in mapping n, or NULL (also for a key whose value is null). */
static yaml_node_t *get(parser *p, const yaml_node_t *n, const char *key) {
  for (yaml_node_pair_t *a = n->data.mapping.pairs.start; a < n->data.mapping.pairs.top; a++) {
    yaml_node_t *k = yaml_document_get_node(&p->doc, a->key);
    if (k->type == YAML_SCALAR_NODE && strcmp((const char *)k->data.scalar.value, key) == 0) {
      yaml_node_t *v = yaml_document_get_node(&p->doc, a->value);
      return v && !is_null(v) ? v : NULL;
    }
  }
  return NULL;
}

/* Tags: a list of scalars, or one scalar; joined with commas. */
static sbd_status tags(parser *p, const yaml_node_t *n, const char **out) {
  if (!n) {
    *out = "";
    return SBD_OK;
  }
  if (n->type == YAML_SCALAR_NODE)
    return scalar(p, n, "tags", out);
  RETURN_IF_ERROR(need_kind(p, n, YAML_SEQUENCE_NODE, "tags"));
  size_t total = 1;
  for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
    yaml_node_t *t = yaml_document_get_node(&p->doc, *it);
    RETURN_IF_ERROR(need_kind(p, t, YAML_SCALAR_NODE, "a tag"));
    total += t->data.scalar.length + 1;
  }
  char *s = arena_alloc(&p->c->a, total);
  if (!s)
    return oom(p);
  s[0] = 0;
  size_t len = 0;
  for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
    yaml_node_t *t = yaml_document_get_node(&p->doc, *it);
    if (len)
      s[len++] = ',';
    memcpy(s + len, t->data.scalar.value, t->data.scalar.length);
    len += t->data.scalar.length;
    s[len] = 0;
  }
  *out = s;
  return SBD_OK;
}

static sbd_status optional_scalar(parser *p, const yaml_node_t *map, const char *key,
                                  const char *dflt, const char **out) {
  yaml_node_t *v = get(p, map, key);
  *out = dflt;
  return v ? scalar(p, v, key, out) : SBD_OK;
}

/* part_rows: a whole number of rows in [1, ST_MAX_PART_ROWS], ST_DEFAULT_PART_ROWS when absent. */
static sbd_status part_rows(parser *p, const yaml_node_t *n, int64_t *out) {
  *out = ST_DEFAULT_PART_ROWS;
  if (!n)
    return SBD_OK;
  const char *text;
  RETURN_IF_ERROR(scalar(p, n, "part_rows", &text));
  char *end;
  errno = 0;
  long long v = strtoll(text, &end, 10);
  if (end == text || *end || errno || v < 1 || v > ST_MAX_PART_ROWS)
    return err_line(p, n, "part_rows '%s' is not a whole number of rows from 1 to %lld", text,
                    (long long)ST_MAX_PART_ROWS);
  *out = v;
  return SBD_OK;
}

static sbd_status parse_source(parser *p, yaml_node_t *k, yaml_node_t *v, st_source *s) {
  memset(s, 0, sizeof(*s));
  s->line = line_of(k);
  RETURN_IF_ERROR(identifier(p, k, "the source name", &s->name));
  char where[128];
  snprintf(where, sizeof(where), "source '%s'", s->name);
  if (v->type == YAML_SCALAR_NODE) /* customers: data/customers.csv */
    return scalar(p, v, "path", &s->path);
  RETURN_IF_ERROR(need_kind(p, v, YAML_MAPPING_NODE, where));
  static const char *const known[] = {"path", "format", "timestamp", "description"};
  RETURN_IF_ERROR(check_keys(p, v, known, 4, where));
  yaml_node_t *path = get(p, v, "path");
  if (!path)
    return err_line(p, v, "%s needs a path", where);
  RETURN_IF_ERROR(scalar(p, path, "path", &s->path));
  if (!s->path[0])
    return err_line(p, path, "%s: the path is empty", where);
  RETURN_IF_ERROR(optional_scalar(p, v, "format", NULL, &s->format));
  if (s->format) {
    static const char *const formats[] = {"csv", "tsv", "jsonl", "json", "ndjson", "parquet"};
    bool ok = false;
    for (int i = 0; i < 6 && !ok; i++)
      ok = strcmp(s->format, formats[i]) == 0;
    if (!ok) {
      const char *near = sbd_closest(s->format, formats, 6);
      return err_line(p, get(p, v, "format"), "%s: unknown format '%s'%s%s%s", where, s->format,
                      near ? " (did you mean '" : " (formats: csv, jsonl, parquet)",
                      near ? near : "", near ? "'?)" : "");
    }
  }
  yaml_node_t *ts = get(p, v, "timestamp");
  if (ts)
    RETURN_IF_ERROR(identifier(p, ts, "the timestamp column", &s->timestamp));
  return SBD_OK;
}

static sbd_status read_sql_file(parser *p, const yaml_node_t *n, const char *file,
                                const char **out) {
  if (strstr(file, "..") || file[0] == '/')
    return err_line(p, n, "file '%s': a query file is a path inside the repository", file);
  char path[4096];
  snprintf(path, sizeof(path), "%s/%s", p->dir, file);
  FILE *f = fopen(path, "rb");
  if (!f)
    return err_line(p, n, "cannot read the query file '%s': %s", file, strerror(errno));
  char *buf = arena_alloc(&p->c->a, ST_MAX_SQL_FILE_BYTES + 1);
  if (!buf) {
    fclose(f);
    return oom(p);
  }
  size_t got = fread(buf, 1, ST_MAX_SQL_FILE_BYTES + 1, f);
  bool bad = ferror(f);
  fclose(f);
  if (bad)
    return err_line(p, n, "cannot read the query file '%s'", file);
  if (got > ST_MAX_SQL_FILE_BYTES)
    return err_line(p, n, "the query file '%s' is larger than %u bytes", file,
                    ST_MAX_SQL_FILE_BYTES);
  buf[got] = 0;
  *out = buf;
  return SBD_OK;
}

static sbd_status parse_meta(parser *p, yaml_node_t *n, st_query *q) {
  RETURN_IF_ERROR(need_kind(p, n, YAML_MAPPING_NODE, "meta"));
  int count = (int)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
  q->meta = arena_alloc(&p->c->a, sizeof(st_meta) * (size_t)(count ? count : 1));
  if (!q->meta)
    return oom(p);
  for (yaml_node_pair_t *a = n->data.mapping.pairs.start; a < n->data.mapping.pairs.top; a++) {
    yaml_node_t *k = yaml_document_get_node(&p->doc, a->key);
    yaml_node_t *v = yaml_document_get_node(&p->doc, a->value);
    st_meta *m = &q->meta[q->nmeta++];
    memset(m, 0, sizeof(*m));
    m->line = line_of(k);
    RETURN_IF_ERROR(identifier(p, k, "the feature name", &m->feature));
    for (int i = 0; i < q->nmeta - 1; i++)
      if (strcmp(q->meta[i].feature, m->feature) == 0)
        return err_line(p, k, "meta of feature '%s' given twice", m->feature);
    m->description = "";
    m->tags = "";
    if (v->type == YAML_SCALAR_NODE) { /* distance: km to the nearest store */
      RETURN_IF_ERROR(scalar(p, v, "description", &m->description));
      continue;
    }
    char where[128];
    snprintf(where, sizeof(where), "the meta of feature '%s'", m->feature);
    RETURN_IF_ERROR(need_kind(p, v, YAML_MAPPING_NODE, where));
    static const char *const known[] = {"description", "tags"};
    RETURN_IF_ERROR(check_keys(p, v, known, 2, where));
    RETURN_IF_ERROR(optional_scalar(p, v, "description", "", &m->description));
    RETURN_IF_ERROR(tags(p, get(p, v, "tags"), &m->tags));
  }
  return SBD_OK;
}

static sbd_status parse_query(parser *p, const st_group *g, yaml_node_t *n, st_query *q) {
  memset(q, 0, sizeof(*q));
  q->line = line_of(n);
  char where[128];
  snprintf(where, sizeof(where), "a feature query of group '%s'", g->name);
  if (n->type == YAML_SCALAR_NODE) /* - SELECT id, ... */
    return scalar(p, n, "sql", &q->sql);
  RETURN_IF_ERROR(need_kind(p, n, YAML_MAPPING_NODE, where));
  static const char *const known[] = {"sql", "file", "python", "meta", "description"};
  RETURN_IF_ERROR(check_keys(p, n, known, 5, where));
  yaml_node_t *sql = get(p, n, "sql"), *file = get(p, n, "file"), *python = get(p, n, "python");
  if ((sql != NULL) + (file != NULL) + (python != NULL) != 1)
    return err_line(p, n, "%s needs one of sql, file or python", where);
  if (python) {
    RETURN_IF_ERROR(scalar(p, python, "python", &q->python));
    if (!st_is_import_string(q->python))
      return err_line(p, python,
                      "python '%s' is not MODULE:FUNCTION (e.g. features.orders:order_stats, "
                      "the module found beside sbd.yaml)",
                      q->python);
    q->sql = "";
  }
  if (sql)
    RETURN_IF_ERROR(scalar(p, sql, "sql", &q->sql));
  if (file) {
    RETURN_IF_ERROR(scalar(p, file, "file", &q->file));
    if (p->dir)
      RETURN_IF_ERROR(read_sql_file(p, file, q->file, &q->sql));
    else
      q->sql = "";
  }
  yaml_node_t *meta = get(p, n, "meta");
  if (meta)
    RETURN_IF_ERROR(parse_meta(p, meta, q));
  return SBD_OK;
}

static sbd_status parse_group(parser *p, yaml_node_t *k, yaml_node_t *v, st_group *g) {
  memset(g, 0, sizeof(*g));
  g->line = line_of(k);
  RETURN_IF_ERROR(identifier(p, k, "the group name", &g->name));
  char where[128];
  snprintf(where, sizeof(where), "group '%s'", g->name);
  RETURN_IF_ERROR(need_kind(p, v, YAML_MAPPING_NODE, where));
  static const char *const known[] = {"key",  "description", "owner",
                                      "tags", "timestamp",   "features"};
  RETURN_IF_ERROR(check_keys(p, v, known, 6, where));
  yaml_node_t *key = get(p, v, "key");
  if (!key || key->type == YAML_SCALAR_NODE) {
    g->keys = arena_alloc(&p->c->a, sizeof(char *));
    if (!g->keys)
      return oom(p);
    g->nkeys = 1;
    g->keys[0] = "id";
    if (key)
      RETURN_IF_ERROR(identifier(p, key, "the key column", &g->keys[0]));
  } else {
    RETURN_IF_ERROR(need_kind(p, key, YAML_SEQUENCE_NODE, "key"));
    int count = (int)(key->data.sequence.items.top - key->data.sequence.items.start);
    if (count == 0)
      return err_line(p, key, "%s: the key lists no column", where);
    g->keys = arena_alloc(&p->c->a, sizeof(char *) * (size_t)count);
    if (!g->keys)
      return oom(p);
    for (yaml_node_item_t *it = key->data.sequence.items.start; it < key->data.sequence.items.top;
         it++) {
      yaml_node_t *kn = yaml_document_get_node(&p->doc, *it);
      RETURN_IF_ERROR(identifier(p, kn, "the key column", &g->keys[g->nkeys]));
      for (int i = 0; i < g->nkeys; i++)
        if (strcasecmp(g->keys[i], g->keys[g->nkeys]) == 0)
          return err_line(p, kn, "%s: key column '%s' given twice", where, g->keys[i]);
      g->nkeys++;
    }
  }
  RETURN_IF_ERROR(optional_scalar(p, v, "description", "", &g->description));
  RETURN_IF_ERROR(optional_scalar(p, v, "owner", "", &g->owner));
  RETURN_IF_ERROR(tags(p, get(p, v, "tags"), &g->tags));
  yaml_node_t *ts = get(p, v, "timestamp");
  if (ts)
    RETURN_IF_ERROR(identifier(p, ts, "the timestamp column", &g->timestamp));
  yaml_node_t *features = get(p, v, "features");
  if (!features)
    return err_line(p, v, "%s needs features (a list of queries)", where);
  RETURN_IF_ERROR(need_kind(p, features, YAML_SEQUENCE_NODE, "features"));
  int count = (int)(features->data.sequence.items.top - features->data.sequence.items.start);
  if (count == 0)
    return err_line(p, features, "%s: features lists no query", where);
  g->queries = arena_alloc(&p->c->a, sizeof(st_query) * (size_t)count);
  if (!g->queries)
    return oom(p);
  for (yaml_node_item_t *it = features->data.sequence.items.start;
       it < features->data.sequence.items.top; it++)
    RETURN_IF_ERROR(
        parse_query(p, g, yaml_document_get_node(&p->doc, *it), &g->queries[g->nqueries++]));
  return SBD_OK;
}

/* ---- dependencies
 * -------------------------------------------------------------------------------*/

static bool word_is(const sql_token *t, sql_keyword kw) {
  return t->type == SQL_TK_WORD && t->kw == kw;
}

/* Adds to g->deps the groups that query text sql names as tables. A text the lexer refuses adds
 * none: the error is reported when the query runs, with its caret. */
static sbd_status find_deps(parser *p, st_group *g, const char *sql) {
  sql_token *toks = NULL;
  int n = 0;
  sbd_status st = sql_lex(p->ctx, sql, strlen(sql), &toks, &n);
  if (st != SBD_OK) {
    sbd_error(p->ctx, SBD_OK, "%s", ""); /* the message is not this file's to report */
    return st == SBD_ENOMEM ? st : SBD_OK;
  }
  /* in_from[d]: at parenthesis depth d, the last clause keyword was FROM (a comma there
   * separates tables). */
  bool in_from[64] = {false};
  int depth = 0;
  for (int i = 0; i < n && st == SBD_OK; i++) {
    const sql_token *t = &toks[i];
    if (t->type == SQL_TK_LPAREN) {
      if (depth < 63)
        in_from[++depth] = false;
      continue;
    }
    if (t->type == SQL_TK_RPAREN) {
      if (depth > 0)
        depth--;
      continue;
    }
    if (t->type == SQL_TK_WORD && t->kw != SQL_KW_NONE) {
      if (word_is(t, SQL_KW_FROM))
        in_from[depth] = true;
      else if (word_is(t, SQL_KW_WHERE) || word_is(t, SQL_KW_GROUP) || word_is(t, SQL_KW_HAVING) ||
               word_is(t, SQL_KW_ORDER) || word_is(t, SQL_KW_LIMIT) || word_is(t, SQL_KW_SELECT) ||
               word_is(t, SQL_KW_ON) || word_is(t, SQL_KW_USING) || word_is(t, SQL_KW_QUALIFY) ||
               word_is(t, SQL_KW_UNION))
        in_from[depth] = false;
      continue;
    }
    if ((t->type != SQL_TK_WORD && t->type != SQL_TK_QIDENT) || i == 0)
      continue;
    const sql_token *prev = &toks[i - 1];
    bool table_place = word_is(prev, SQL_KW_FROM) || word_is(prev, SQL_KW_JOIN) ||
                       (prev->type == SQL_TK_COMMA && in_from[depth]);
    if (!table_place)
      continue;
    const char *name = sql + t->off + (t->type == SQL_TK_QIDENT);
    size_t len = t->len - (t->type == SQL_TK_QIDENT ? 2 : 0);
    for (int k = 0; k < p->c->nsources; k++) {
      const char *sn = p->c->sources[k].name;
      if (strlen(sn) != len || strncasecmp(sn, name, len) != 0)
        continue;
      bool seen = false;
      for (int d = 0; d < g->nsources && !seen; d++)
        seen = g->sources[d] == sn;
      if (!seen && g->nsources < p->c->nsources)
        g->sources[g->nsources++] = sn;
    }
    for (int k = 0; k < p->c->ngroups; k++) {
      const char *gn = p->c->groups[k].name;
      if (strlen(gn) != len || strncasecmp(gn, name, len) != 0)
        continue;
      bool seen = false;
      for (int d = 0; d < g->ndeps && !seen; d++)
        seen = g->deps[d] == gn;
      if (!seen && g->ndeps < p->c->ngroups)
        g->deps[g->ndeps++] = gn;
    }
  }
  free(toks);
  return st;
}

/* Orders the groups so that each comes after those it reads; a cycle is an error naming it. */
static sbd_status order_groups(parser *p) {
  st_config *c = p->c;
  int n = c->ngroups;
  if (n == 0)
    return SBD_OK;
  st_group *sorted = arena_alloc(&c->a, sizeof(st_group) * (size_t)n);
  int *state = calloc((size_t)n, sizeof(int)); /* 0 new, 1 on the path, 2 done */
  int *path = calloc((size_t)n, sizeof(int));
  if (!sorted || !state || !path) {
    free(state);
    free(path);
    return oom(p);
  }
  int nsorted = 0;
  sbd_status st = SBD_OK;
  for (int root = 0; root < n && st == SBD_OK; root++) {
    if (state[root])
      continue;
    /* An explicit depth-first walk: path[0..depth] are the groups being visited, next[] the
     * index of the dependency each will look at next (kept in state's high bits). */
    int depth = 0;
    path[0] = root;
    state[root] = 1;
    int *next = calloc((size_t)n, sizeof(int));
    if (!next) {
      st = oom(p);
      break;
    }
    while (depth >= 0 && st == SBD_OK) {
      int gi = path[depth];
      st_group *g = &c->groups[gi];
      if (next[gi] < g->ndeps) {
        int di = 0;
        while (di < n && c->groups[di].name != g->deps[next[gi]])
          di++;
        next[gi]++;
        if (di == n || state[di] == 2)
          continue;
        if (state[di] == 1) {
          char cycle[1024] = "";
          size_t len = 0;
          int from = 0;
          while (path[from] != di)
            from++;
          for (int k = from; k <= depth; k++)
            len += (size_t)snprintf(cycle + len, sizeof(cycle) - len < 1 ? 0 : sizeof(cycle) - len,
                                    "%s -> ", c->groups[path[k]].name);
          if (len < sizeof(cycle))
            snprintf(cycle + len, sizeof(cycle) - len, "%s", c->groups[di].name);
          st = sbd_error(p->ctx, SBD_EINPUT, "%s:%d: groups read each other in a cycle: %s",
                         c->file, c->groups[di].line, cycle);
          break;
        }
        state[di] = 1;
        path[++depth] = di;
        continue;
      }
      state[gi] = 2;
      sorted[nsorted++] = *g;
      depth--;
    }
    free(next);
  }
  free(state);
  free(path);
  if (st == SBD_OK)
    c->groups = sorted;
  return st;
}

/* The dedup section: {config: FILE} (the only key), or the keys of a dedup configuration, which
 * the dedup engine checks when it runs (sbd dedup in the repository; src/match/config.c). */
static sbd_status parse_dedup(parser *p, yaml_node_t *n) {
  if (!n)
    return SBD_OK;
  RETURN_IF_ERROR(need_kind(p, n, YAML_MAPPING_NODE, "dedup"));
  p->c->dedup_line = line_of(n);
  yaml_node_t *file = get(p, n, "config");
  if (!file)
    return SBD_OK;
  if (n->data.mapping.pairs.top - n->data.mapping.pairs.start != 1)
    return err_line(p, n, "dedup: config names a dedup file, and takes no other key beside it");
  RETURN_IF_ERROR(scalar(p, file, "dedup: config", &p->c->dedup_config));
  return p->c->dedup_config[0] ? SBD_OK : err_line(p, file, "dedup: config is empty");
}

static sbd_status parse_document(parser *p) {
  st_config *c = p->c;
  yaml_node_t *root = yaml_document_get_root_node(&p->doc);
  if (!root)
    return sbd_error(p->ctx, SBD_EINPUT, "%s: the file is empty (it declares sources and groups)",
                     c->file);
  RETURN_IF_ERROR(need_kind(p, root, YAML_MAPPING_NODE, "the file"));
  static const char *const known[] = {"catalog", "store",  "part_rows",
                                      "sources", "groups", "dedup"};
  RETURN_IF_ERROR(check_keys(p, root, known, 6, "the file"));
  RETURN_IF_ERROR(part_rows(p, get(p, root, "part_rows"), &c->part_rows));
  RETURN_IF_ERROR(parse_dedup(p, get(p, root, "dedup")));
  RETURN_IF_ERROR(optional_scalar(p, root, "catalog", ".sbd/catalog.db", &c->catalog));
  RETURN_IF_ERROR(optional_scalar(p, root, "store", "store", &c->store));
  if (!c->catalog[0] || !c->store[0])
    return err_line(p, get(p, root, c->catalog[0] ? "store" : "catalog"), "%s is empty",
                    c->catalog[0] ? "store" : "catalog");

  yaml_node_t *sources = get(p, root, "sources");
  if (sources) {
    RETURN_IF_ERROR(need_kind(p, sources, YAML_MAPPING_NODE, "sources"));
    int count = (int)(sources->data.mapping.pairs.top - sources->data.mapping.pairs.start);
    c->sources = arena_alloc(&c->a, sizeof(st_source) * (size_t)(count ? count : 1));
    if (!c->sources)
      return oom(p);
    for (yaml_node_pair_t *a = sources->data.mapping.pairs.start;
         a < sources->data.mapping.pairs.top; a++) {
      yaml_node_t *k = yaml_document_get_node(&p->doc, a->key);
      st_source *s = &c->sources[c->nsources];
      RETURN_IF_ERROR(parse_source(p, k, yaml_document_get_node(&p->doc, a->value), s));
      for (int i = 0; i < c->nsources; i++)
        if (strcasecmp(c->sources[i].name, s->name) == 0)
          return err_line(p, k, "source '%s' declared twice (first on line %d)", s->name,
                          c->sources[i].line);
      c->nsources++;
    }
  }
  yaml_node_t *groups = get(p, root, "groups");
  if (groups) {
    RETURN_IF_ERROR(need_kind(p, groups, YAML_MAPPING_NODE, "groups"));
    int count = (int)(groups->data.mapping.pairs.top - groups->data.mapping.pairs.start);
    c->groups = arena_alloc(&c->a, sizeof(st_group) * (size_t)(count ? count : 1));
    if (!c->groups)
      return oom(p);
    for (yaml_node_pair_t *a = groups->data.mapping.pairs.start; a < groups->data.mapping.pairs.top;
         a++) {
      yaml_node_t *k = yaml_document_get_node(&p->doc, a->key);
      st_group *g = &c->groups[c->ngroups];
      RETURN_IF_ERROR(parse_group(p, k, yaml_document_get_node(&p->doc, a->value), g));
      for (int i = 0; i < c->ngroups; i++)
        if (strcasecmp(c->groups[i].name, g->name) == 0)
          return err_line(p, k, "group '%s' declared twice (first on line %d)", g->name,
                          c->groups[i].line);
      for (int i = 0; i < c->nsources; i++)
        if (strcasecmp(c->sources[i].name, g->name) == 0)
          return err_line(p, k, "group '%s' has the name of a source (line %d)", g->name,
                          c->sources[i].line);
      c->ngroups++;
    }
  }
  for (int i = 0; i < c->ngroups; i++) {
    st_group *g = &c->groups[i];
    g->deps = arena_alloc(&c->a, sizeof(char *) * (size_t)c->ngroups);
    g->sources = arena_alloc(&c->a, sizeof(char *) * (size_t)(c->nsources + 1));
    if (!g->deps || !g->sources)
      return oom(p);
    for (int q = 0; q < g->nqueries; q++)
      RETURN_IF_ERROR(find_deps(p, g, g->queries[q].sql));
  }
  return order_groups(p);
}

sbd_status st_config_parse(sbd_ctx *ctx, const char *text, size_t len, const char *file,
                           const char *dir, st_config **out) {
  *out = NULL;
  if (len > ST_MAX_CONFIG_BYTES)
    return sbd_error(ctx, SBD_ELIMIT, "%s: larger than %u bytes", file, ST_MAX_CONFIG_BYTES);
  st_config *c = sbd_calloc(ctx, 1, sizeof(*c));
  if (!c)
    return SBD_ENOMEM;
  arena_init(&c->a, 16 * 1024);
  c->file = arena_strndup(&c->a, file, strlen(file));
  if (!c->file) {
    st_config_free(c);
    return sbd_error(ctx, SBD_ENOMEM, "out of memory");
  }
  parser p;
  memset(&p, 0, sizeof(p));
  p.ctx = ctx;
  p.c = c;
  p.dir = dir;
  yaml_parser_t yp;
  if (!yaml_parser_initialize(&yp)) {
    st_config_free(c);
    return sbd_error(ctx, SBD_ENOMEM, "out of memory");
  }
  yaml_parser_set_input_string(&yp, (const unsigned char *)text, len);
  sbd_status st;
  if (!yaml_parser_load(&yp, &p.doc)) {
    int line = (int)(yp.problem_mark.line + 1);
    st = sbd_error(ctx, SBD_EINPUT, "%s:%d: not valid YAML: %s%s%s", file, line,
                   yp.problem ? yp.problem : "unknown error", yp.context ? " " : "",
                   yp.context ? yp.context : "");
    yaml_parser_delete(&yp);
    st_config_free(c);
    return st;
  }
  st = parse_document(&p);
  yaml_document_delete(&p.doc);
  yaml_parser_delete(&yp);
  if (st != SBD_OK) {
    st_config_free(c);
    return st;
  }
  *out = c;
  return SBD_OK;
}

void st_config_free(st_config *c) {
  if (!c)
    return;
  arena_free(&c->a);
  free(c);
}

const st_group *st_config_group(const st_config *c, const char *name) {
  for (int i = 0; i < c->ngroups; i++)
    if (strcasecmp(c->groups[i].name, name) == 0)
      return &c->groups[i];
  return NULL;
}

const st_source *st_config_source(const st_config *c, const char *name) {
  for (int i = 0; i < c->nsources; i++)
    if (strcasecmp(c->sources[i].name, name) == 0)
      return &c->sources[i];
  return NULL;
}

char *st_group_definition(const st_group *g) {
  st_text t = {0};
  st_text_add(&t, "group %s\nkey", g->name);
  for (int i = 0; i < g->nkeys; i++)
    st_text_add(&t, " %s", g->keys[i]);
  st_text_add(&t, "\ntimestamp %s\n", g->timestamp ? g->timestamp : "");
  for (int q = 0; q < g->nqueries; q++) {
    if (g->queries[q].python)
      st_text_add(&t, "python %d\n%s\n", q, g->queries[q].python);
    else
      st_text_add(&t, "query %d\n%s\n", q, g->queries[q].sql);
  }
  return st_text_take(NULL, &t);
}
