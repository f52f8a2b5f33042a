/*
 * browse.c — what the catalog tells: plan and apply (sbd.yaml against the registered groups),
 * the listings of groups, features and versions (as readers, rows.c), describe (a text) and gc.
 *
 * gc keeps the newest N versions of each group (never the latest): it deletes the older
 * versions' rows, statistics and lineage in one transaction first, and only then their folders,
 * so a reader never finds a registered version without its files. It takes each group's lock,
 * so it does not race a calculation, and removes the leftovers of interrupted ones.
 */
#include "store/store_int.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- plan and apply ---------------------------------------------------------------------------*/

static sbd_status plan_text(sbd_repo *r, st_text *t) {
  sqlite3_stmt *q;
  RETURN_IF_ERROR(st_prepare(r->ctx, r->db,
                             "SELECT hash, description, owner, tags, keys FROM groups WHERE"
                             " name = ?",
                             &q));
  for (int i = 0; i < r->cfg->ngroups; i++) {
    const st_group *g = &r->cfg->groups[i];
    char *def = st_group_definition(g);
    if (!def) {
      sqlite3_finalize(q);
      return SBD_ENOMEM;
    }
    char hash[32];
    snprintf(hash, sizeof(hash), "%016llx", (unsigned long long)hash_bytes(def, strlen(def), 0));
    free(def);
    sqlite3_reset(q);
    sqlite3_bind_text(q, 1, g->name, -1, SQLITE_STATIC);
    if (sqlite3_step(q) != SQLITE_ROW) {
      st_text_add(t, "+ group %s: new (%d feature %s)\n", g->name, g->nqueries,
                  g->nqueries == 1 ? "query" : "queries");
      continue;
    }
#define COL(i)                                                                                     \
  ((const char *)sqlite3_column_text(q, i) ? (const char *)sqlite3_column_text(q, i) : "")
    if (strcmp(COL(0), hash) != 0)
      st_text_add(t, "~ group %s: definition changed (the next calculate writes a new version)\n",
                  g->name);
    if (strcmp(COL(1), g->description) != 0 || strcmp(COL(2), g->owner) != 0 ||
        strcmp(COL(3), g->tags) != 0)
      st_text_add(t, "~ group %s: description, owner or tags changed\n", g->name);
#undef COL
  }
  sqlite3_finalize(q);
  RETURN_IF_ERROR(st_prepare(r->ctx, r->db, "SELECT name FROM groups ORDER BY name", &q));
  while (sqlite3_step(q) == SQLITE_ROW) {
    const char *name = (const char *)sqlite3_column_text(q, 0);
    if (name && !st_config_group(r->cfg, name))
      st_text_add(t, "- group %s: no longer in %s (its versions stay until removed by hand)\n",
                  name, r->cfg->file);
  }
  sqlite3_finalize(q);
  return SBD_OK;
}

sbd_status sbd_repo_plan(sbd_repo *r, char **text) {
  *text = NULL;
  st_text t = {0};
  sbd_status st = plan_text(r, &t);
  if (st == SBD_OK)
    st_text_add(&t, "%s", "");
  if (st != SBD_OK) {
    free(t.s);
    return st;
  }
  *text = st_text_take(r->ctx, &t);
  return *text ? SBD_OK : SBD_ENOMEM;
}

sbd_status sbd_repo_apply(sbd_repo *r, char **text) {
  *text = NULL;
  RETURN_IF_ERROR(st_exec(r->ctx, r->db, "BEGIN IMMEDIATE"));
  st_text t = {0};
  sbd_status st = plan_text(r, &t);
  for (int i = 0; st == SBD_OK && i < r->cfg->ngroups; i++)
    st = st_catalog_register(r->ctx, r->db, &r->cfg->groups[i]);
  if (st == SBD_OK)
    st = st_exec(r->ctx, r->db, "COMMIT");
  if (st != SBD_OK) {
    sqlite3_exec(r->db, "ROLLBACK", NULL, NULL, NULL);
    free(t.s);
    return st;
  }
  st_text_add(&t, "%s", "");
  *text = st_text_take(r->ctx, &t);
  return *text ? SBD_OK : SBD_ENOMEM;
}

/* ---- listings ---------------------------------------------------------------------------------*/

/* The rows of a catalog query as a reader; params bound as text (NULL entries skipped). */
static sbd_status listing(sbd_repo *r, const char *sql, const char *const *params, int nparams,
                          int ncols, const char *const *names, const sbd_type *types,
                          sbd_reader **out) {
  *out = NULL;
  st_rows *rows = st_rows_new(r->ctx, ncols, names, types);
  if (!rows)
    return sbd_error(r->ctx, SBD_ENOMEM, "out of memory");
  sqlite3_stmt *q;
  sbd_status st = st_prepare(r->ctx, r->db, sql, &q);
  if (st != SBD_OK) {
    st_rows_free(rows);
    return st;
  }
  for (int i = 0; i < nparams; i++)
    sqlite3_bind_text(q, i + 1, params[i], -1, SQLITE_STATIC);
  int rc;
  while (st == SBD_OK && (rc = sqlite3_step(q)) == SQLITE_ROW)
    for (int c = 0; c < ncols && st == SBD_OK; c++)
      st = st_rows_column(rows, q, c);
  if (st == SBD_OK && rc != SQLITE_DONE)
    st = st_db_error(r->ctx, r->db, "read");
  sqlite3_finalize(q);
  if (st != SBD_OK) {
    st_rows_free(rows);
    return st;
  }
  return st_rows_reader(rows, out);
}

sbd_status sbd_repo_groups(sbd_repo *r, sbd_reader **out) {
  static const char *const names[] = {"group",  "description", "owner",    "key",
                                      "latest", "rows",        "features", "created"};
  static const sbd_type types[] = {SBD_STRING, SBD_STRING, SBD_STRING, SBD_STRING,
                                   SBD_INT64,  SBD_INT64,  SBD_INT64,  SBD_STRING};
  return listing(r,
                 "SELECT g.name, g.description, g.owner, g.keys, nullif(g.latest, 0), v.rows,"
                 " (SELECT count(*) FROM features f WHERE f.grp = g.name AND f.type IS NOT NULL),"
                 " v.created FROM groups g LEFT JOIN versions v ON v.grp = g.name AND"
                 " v.version = g.latest ORDER BY g.name",
                 NULL, 0, 8, names, types, out);
}

sbd_status sbd_repo_features(sbd_repo *r, const char *group, sbd_reader **out) {
  if (group && !st_config_group(r->cfg, group))
    return st_unknown_group(r, group);
  static const char *const names[] = {"group", "feature", "type", "description", "count",   "nulls",
                                      "min",   "max",     "mean", "stddev",      "distinct"};
  static const sbd_type types[] = {SBD_STRING, SBD_STRING, SBD_STRING, SBD_STRING,
                                   SBD_INT64,  SBD_INT64,  SBD_STRING, SBD_STRING,
                                   SBD_DOUBLE, SBD_DOUBLE, SBD_INT64};
  const char *params[1] = {group};
  return listing(
      r,
      "SELECT f.grp, f.name, f.type, f.description, s.count, s.nulls, s.min, s.max,"
      " round(s.mean, 6), round(s.stddev, 6), s.distinct_approx"
      " FROM features f JOIN groups g ON g.name = f.grp"
      " LEFT JOIN stats s ON s.grp = f.grp AND s.version = g.latest AND s.feature = f.name"
      " WHERE (?1 IS NULL OR f.grp = ?1) AND f.type IS NOT NULL"
      " ORDER BY f.grp, f.position",
      params, 1, 11, names, types, out);
}

sbd_status sbd_repo_versions(sbd_repo *r, const char *group, sbd_reader **out) {
  if (!st_config_group(r->cfg, group))
    return st_unknown_group(r, group);
  static const char *const names[] = {"version",    "created",    "rows",   "bytes",
                                      "duration_s", "definition", "sources"};
  static const sbd_type types[] = {SBD_INT64,  SBD_STRING, SBD_INT64, SBD_INT64,
                                   SBD_DOUBLE, SBD_STRING, SBD_STRING};
  const char *params[1] = {group};
  return listing(r,
                 "SELECT v.version, v.created, v.rows, v.bytes, round(v.duration_ms / 1000.0, 3),"
                 " v.def_hash, (SELECT group_concat(l.path || ' ' || l.fingerprint, '; ') FROM"
                 " (SELECT path, fingerprint FROM lineage WHERE grp = v.grp AND version ="
                 " v.version ORDER BY path) l) FROM versions v WHERE v.grp = ?1 ORDER BY"
                 " v.version",
                 params, 1, 7, names, types, out);
}

sbd_status sbd_repo_describe(sbd_repo *r, const char *group, char **text) {
  *text = NULL;
  const st_group *g = st_config_group(r->cfg, group);
  if (!g)
    return st_unknown_group(r, group);
  int64_t latest;
  RETURN_IF_ERROR(st_latest_version(r->ctx, r->db, g->name, &latest));
  st_text t = {0};
  st_text_add(&t, "group:       %s\n", g->name);
  st_text_add(&t, "description: %s\nowner:       %s\ntags:        %s\nkey:        ", g->description,
              g->owner, g->tags);
  for (int k = 0; k < g->nkeys; k++)
    st_text_add(&t, " %s", g->keys[k]);
  st_text_add(&t, "\nreads:      ");
  for (int i = 0; i < g->nsources; i++)
    st_text_add(&t, " %s", g->sources[i]);
  for (int i = 0; i < g->ndeps; i++)
    st_text_add(&t, " %s", g->deps[i]);
  if (latest)
    st_text_add(&t, "\nlatest:      version %lld\n", (long long)latest);
  else
    st_text_add(&t, "\nlatest:      none (run 'sbd calculate %s')\n", g->name);
  st_text_add(&t, "\nqueries:\n");
  for (int i = 0; i < g->nqueries; i++) {
    const st_query *q = &g->queries[i];
    st_text_add(&t, "  %s:%d%s%s\n", r->cfg->file, q->line, q->file ? " file " : "",
                q->file ? q->file : "");
    if (q->python)
      st_text_add(&t, "    python: %s\n", q->python);
    const char *s = q->sql;
    while (*s) {
      const char *nl = strchr(s, '\n');
      size_t n = nl ? (size_t)(nl - s) : strlen(s);
      st_text_add(&t, "    %.*s\n", (int)n, s);
      s += n + (nl != NULL);
    }
  }
  sqlite3_stmt *q;
  sbd_status st = st_prepare(r->ctx, r->db,
                             "SELECT f.name, f.type, f.description, f.tags, s.count, s.nulls,"
                             " s.min, s.max, s.mean, s.stddev, s.distinct_approx, s.histogram,"
                             " s.top FROM features f LEFT JOIN stats s ON s.grp = f.grp AND"
                             " s.version = ?2 AND s.feature = f.name WHERE f.grp = ?1 AND"
                             " f.type IS NOT NULL ORDER BY f.position",
                             &q);
  if (st == SBD_OK) {
    sqlite3_bind_text(q, 1, g->name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 2, latest);
    st_text_add(&t, "\nfeatures (statistics of version %lld):\n", (long long)latest);
    while (sqlite3_step(q) == SQLITE_ROW) {
#define TXT(i) (sqlite3_column_text(q, i) ? (const char *)sqlite3_column_text(q, i) : "")
      st_text_add(&t, "  %s %s", TXT(0), TXT(1));
      if (*TXT(2))
        st_text_add(&t, ": %s", TXT(2));
      if (*TXT(3))
        st_text_add(&t, " [%s]", TXT(3));
      st_text_add(&t, "\n");
      st_text_add(&t, "    count %lld, nulls %lld, min %s, max %s", sqlite3_column_int64(q, 4),
                  sqlite3_column_int64(q, 5), TXT(6), TXT(7));
      if (sqlite3_column_type(q, 8) != SQLITE_NULL)
        st_text_add(&t, ", mean %.6g", sqlite3_column_double(q, 8));
      if (sqlite3_column_type(q, 9) != SQLITE_NULL)
        st_text_add(&t, ", stddev %.6g", sqlite3_column_double(q, 9));
      st_text_add(&t, ", distinct %lld\n", sqlite3_column_int64(q, 10));
      if (*TXT(11))
        st_text_add(&t, "    histogram %s\n", TXT(11));
      if (*TXT(12))
        st_text_add(&t, "    top %s\n", TXT(12));
#undef TXT
    }
    sqlite3_finalize(q);
  }
  if (st == SBD_OK)
    st = st_prepare(r->ctx, r->db,
                    "SELECT id, started, ended, status, coalesce(version, ''), coalesce(rows, 0),"
                    " coalesce(error, '') FROM runs WHERE grp = ? ORDER BY id DESC LIMIT 5",
                    &q);
  if (st == SBD_OK) {
    sqlite3_bind_text(q, 1, g->name, -1, SQLITE_STATIC);
    st_text_add(&t, "\nlast runs:\n");
    while (sqlite3_step(q) == SQLITE_ROW) {
      const char *err = (const char *)sqlite3_column_text(q, 6);
      const char *nl = err ? strchr(err, '\n') : NULL;
      st_text_add(&t, "  run %lld: %s, %s, version %s, %lld rows%s%.*s\n",
                  sqlite3_column_int64(q, 0), (const char *)sqlite3_column_text(q, 1),
                  (const char *)sqlite3_column_text(q, 3), (const char *)sqlite3_column_text(q, 4),
                  sqlite3_column_int64(q, 5), err && *err ? ": " : "",
                  err ? (int)(nl ? nl - err : (long)strlen(err)) : 0, err ? err : "");
    }
    sqlite3_finalize(q);
  }
  if (st != SBD_OK) {
    free(t.s);
    return st;
  }
  *text = st_text_take(r->ctx, &t);
  return *text ? SBD_OK : SBD_ENOMEM;
}

/* ---- gc ---------------------------------------------------------------------------------------*/

sbd_status sbd_repo_gc(sbd_repo *r, int keep, int64_t *removed) {
  *removed = 0;
  if (keep < 1)
    return sbd_error(r->ctx, SBD_EUSAGE, "gc keeps at least 1 version (--keep %d)", keep);
  sbd_status st = SBD_OK;
  for (int i = 0; i < r->cfg->ngroups && st == SBD_OK; i++) {
    const char *group = r->cfg->groups[i].name;
    char lock_path[4096];
    char *slash = strrchr(r->catalog, '/');
    snprintf(lock_path, sizeof(lock_path), "%.*s/locks/%s.lock",
             slash ? (int)(slash - r->catalog) : 1, slash ? r->catalog : ".", group);
    char locks[4096];
    snprintf(locks, sizeof(locks), "%.*s/locks", slash ? (int)(slash - r->catalog) : 1,
             slash ? r->catalog : ".");
    if (access(locks, F_OK) != 0)
      continue; /* never calculated */
    int fd;
    st = st_lock(r->ctx, lock_path, group, -1, NULL, NULL, &fd);
    if (st != SBD_OK)
      break;
    /* The versions to drop, newest first. */
    int64_t old[4096];
    int nold = 0;
    sqlite3_stmt *q = NULL;
    st = st_prepare(r->ctx, r->db,
                    "SELECT version FROM versions WHERE grp = ?1 AND version <> (SELECT latest"
                    " FROM groups WHERE name = ?1) ORDER BY version DESC LIMIT -1 OFFSET ?2",
                    &q);
    if (st == SBD_OK) {
      sqlite3_bind_text(q, 1, group, -1, SQLITE_STATIC);
      sqlite3_bind_int(q, 2, keep - 1);
      while (sqlite3_step(q) == SQLITE_ROW && nold < 4096)
        old[nold++] = sqlite3_column_int64(q, 0);
    }
    sqlite3_finalize(q);
    if (st == SBD_OK && nold)
      st = st_exec(r->ctx, r->db, "BEGIN IMMEDIATE");
    static const char *const tables[] = {"versions", "stats", "lineage"};
    for (int t = 0; t < 3 && st == SBD_OK && nold; t++) {
      char sql[128];
      snprintf(sql, sizeof(sql), "DELETE FROM %s WHERE grp = ? AND version = ?", tables[t]);
      st = st_prepare(r->ctx, r->db, sql, &q);
      for (int k = 0; k < nold && st == SBD_OK; k++) {
        sqlite3_reset(q);
        sqlite3_bind_text(q, 1, group, -1, SQLITE_STATIC);
        sqlite3_bind_int64(q, 2, old[k]);
        if (sqlite3_step(q) != SQLITE_DONE)
          st = st_db_error(r->ctx, r->db, "write");
      }
      sqlite3_finalize(q);
    }
    if (nold) {
      if (st == SBD_OK)
        st = st_exec(r->ctx, r->db, "COMMIT");
      else
        sqlite3_exec(r->db, "ROLLBACK", NULL, NULL, NULL);
    }
    /* The folders go after the commit: st_remove_orphans removes what the catalog no longer
     * names, and the leftovers of interrupted calculations with them. */
    if (st == SBD_OK)
      st = st_remove_orphans(r, group, NULL);
    if (st == SBD_OK)
      *removed += nold;
    st_unlock(fd);
  }
  return st;
}
