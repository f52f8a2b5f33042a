/*
 * catalog.c — the SQLite catalog of a repository (.sbd/catalog.db by default): WAL mode, so
 * readers (sbd get, sbd groups) never wait for a calculation's commit, and a busy timeout, so two
 * writers queue instead of failing. Tables:
 *   meta(key, value)                          schema_version: refused when newer than ours
 *   groups(name, definition, hash, keys, description, owner, tags, timestamp, latest, applied)
 *   versions(grp, version, created, def_hash, rows, bytes, duration_ms, path)
 *   features(grp, name, type, description, tags, position)     type: of the latest version
 *   stats(grp, version, feature, type, count, nulls, min, max, mean, stddev, distinct_approx,
 *         histogram, top)                      histogram and top: JSON arrays
 *   runs(id, grp, started, ended, rows, bytes, status, error, version)
 *   lineage(grp, version, path, size, mtime, fingerprint)   the definition's hash is in versions
 * A version row and the group's latest pointer are written in one transaction with the stats and
 * the lineage (calculate.c), so the catalog never names a version that is not whole.
 */
#include "store/store_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char schema_sql[] =
    "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);"
    "CREATE TABLE IF NOT EXISTS groups(name TEXT PRIMARY KEY, definition TEXT, hash TEXT,"
    " keys TEXT, description TEXT, owner TEXT, tags TEXT, timestamp TEXT,"
    " latest INTEGER NOT NULL DEFAULT 0, applied TEXT);"
    "CREATE TABLE IF NOT EXISTS versions(grp TEXT NOT NULL, version INTEGER NOT NULL,"
    " created TEXT, def_hash TEXT, rows INTEGER, bytes INTEGER, duration_ms INTEGER, path TEXT,"
    " PRIMARY KEY(grp, version));"
    "CREATE TABLE IF NOT EXISTS features(grp TEXT NOT NULL, name TEXT NOT NULL, type TEXT,"
    " description TEXT, tags TEXT, position INTEGER, PRIMARY KEY(grp, name));"
    "CREATE TABLE IF NOT EXISTS stats(grp TEXT NOT NULL, version INTEGER NOT NULL,"
    " feature TEXT NOT NULL, type TEXT, count INTEGER, nulls INTEGER, min TEXT, max TEXT,"
    " mean REAL, stddev REAL, distinct_approx INTEGER, histogram TEXT, top TEXT,"
    " PRIMARY KEY(grp, version, feature));"
    "CREATE TABLE IF NOT EXISTS runs(id INTEGER PRIMARY KEY, grp TEXT NOT NULL, started TEXT,"
    " ended TEXT, rows INTEGER, bytes INTEGER, status TEXT, error TEXT, version INTEGER);"
    "CREATE TABLE IF NOT EXISTS lineage(grp TEXT NOT NULL, version INTEGER NOT NULL,"
    " path TEXT NOT NULL, size INTEGER, mtime INTEGER, fingerprint TEXT,"
    " PRIMARY KEY(grp, version, path));";

sbd_status st_db_error(sbd_ctx *ctx, sqlite3 *db, const char *what) {
  int code = sqlite3_errcode(db);
  sbd_status st = code == SQLITE_NOMEM ? SBD_ENOMEM : SBD_EIO;
  if (code == SQLITE_BUSY)
    return sbd_error(ctx, SBD_EIO, "catalog %s: the catalog is locked by another sbd (%s)", what,
                     sqlite3_errmsg(db));
  return sbd_error(ctx, st, "catalog %s: %s", sqlite3_db_filename(db, "main"), sqlite3_errmsg(db));
}

sbd_status st_exec(sbd_ctx *ctx, sqlite3 *db, const char *sql) {
  char *err = NULL;
  if (sqlite3_exec(db, sql, NULL, NULL, &err) == SQLITE_OK)
    return SBD_OK;
  sbd_status st = sbd_error(ctx, SBD_EIO, "catalog %s: %s", sqlite3_db_filename(db, "main"),
                            err ? err : sqlite3_errmsg(db));
  sqlite3_free(err);
  return st;
}

sbd_status st_prepare(sbd_ctx *ctx, sqlite3 *db, const char *sql, sqlite3_stmt **out) {
  if (sqlite3_prepare_v2(db, sql, -1, out, NULL) != SQLITE_OK)
    return st_db_error(ctx, db, "query");
  return SBD_OK;
}

/* Creates the folders of path's parent (like mkdir -p). */
static sbd_status make_parent(sbd_ctx *ctx, const char *path) {
  char buf[4096];
  snprintf(buf, sizeof(buf), "%s", path);
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

sbd_status st_catalog_open(sbd_ctx *ctx, const char *path, sqlite3 **out) {
  *out = NULL;
  RETURN_IF_ERROR(make_parent(ctx, path));
  sqlite3 *db = NULL;
  if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                      NULL) != SQLITE_OK) {
    sbd_status st =
        sbd_error(ctx, SBD_EIO, "catalog %s: %s", path, db ? sqlite3_errmsg(db) : "out of memory");
    sqlite3_close(db);
    return st;
  }
  sqlite3_busy_timeout(db, 60000);
  sbd_status st = st_exec(ctx, db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
  if (st == SBD_OK)
    st = st_exec(ctx, db, "BEGIN IMMEDIATE");
  if (st == SBD_OK) {
    st = st_exec(ctx, db, schema_sql);
    sqlite3_stmt *q = NULL;
    if (st == SBD_OK)
      st = st_prepare(ctx, db, "SELECT value FROM meta WHERE key = 'schema_version'", &q);
    int version = 0;
    if (st == SBD_OK && sqlite3_step(q) == SQLITE_ROW)
      version = sqlite3_column_int(q, 0);
    sqlite3_finalize(q);
    if (st == SBD_OK && version > ST_CATALOG_SCHEMA_VERSION)
      st = sbd_error(ctx, SBD_EUNSUPPORTED,
                     "catalog %s was written by a newer sbd (catalog version %d; this sbd %s "
                     "reads version %d)",
                     path, version, SBD_VERSION, ST_CATALOG_SCHEMA_VERSION);
    if (st == SBD_OK && version == 0) {
      char sql[128];
      snprintf(sql, sizeof(sql), "INSERT INTO meta(key, value) VALUES ('schema_version', '%d')",
               ST_CATALOG_SCHEMA_VERSION);
      st = st_exec(ctx, db, sql);
    }
    if (st == SBD_OK)
      st = st_exec(ctx, db, "COMMIT");
    else
      sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
  }
  if (st != SBD_OK) {
    sqlite3_close(db);
    return st;
  }
  *out = db;
  return SBD_OK;
}

sbd_status st_latest_version(sbd_ctx *ctx, sqlite3 *db, const char *group, int64_t *version) {
  *version = 0;
  sqlite3_stmt *q;
  RETURN_IF_ERROR(st_prepare(ctx, db, "SELECT latest FROM groups WHERE name = ?", &q));
  sqlite3_bind_text(q, 1, group, -1, SQLITE_STATIC);
  int rc = sqlite3_step(q);
  if (rc == SQLITE_ROW)
    *version = sqlite3_column_int64(q, 0);
  sqlite3_finalize(q);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return st_db_error(ctx, db, "read");
  return SBD_OK;
}

sbd_status st_version_exists(sbd_ctx *ctx, sqlite3 *db, const char *group, int64_t version,
                             bool *exists) {
  sqlite3_stmt *q;
  RETURN_IF_ERROR(st_prepare(ctx, db, "SELECT 1 FROM versions WHERE grp = ? AND version = ?", &q));
  sqlite3_bind_text(q, 1, group, -1, SQLITE_STATIC);
  sqlite3_bind_int64(q, 2, version);
  int rc = sqlite3_step(q);
  *exists = rc == SQLITE_ROW;
  sqlite3_finalize(q);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return st_db_error(ctx, db, "read");
  return SBD_OK;
}

sbd_status st_catalog_register(sbd_ctx *ctx, sqlite3 *db, const st_group *g) {
  char *def = st_group_definition(g);
  if (!def)
    return sbd_error(ctx, SBD_ENOMEM, "out of memory");
  char hash[32];
  snprintf(hash, sizeof(hash), "%016llx", (unsigned long long)hash_bytes(def, strlen(def), 0));
  st_text keys = {0};
  for (int i = 0; i < g->nkeys; i++)
    st_text_add(&keys, "%s%s", i ? "," : "", g->keys[i]);
  char *keys_text = st_text_take(ctx, &keys);
  sqlite3_stmt *q = NULL;
  sbd_status st = keys_text ? SBD_OK : SBD_ENOMEM;
  if (st == SBD_OK)
    st = st_prepare(ctx, db,
                    "INSERT INTO groups(name, definition, hash, keys, description, owner, tags,"
                    " timestamp, applied) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8,"
                    " strftime('%Y-%m-%d %H:%M:%S', 'now'))"
                    " ON CONFLICT(name) DO UPDATE SET definition = ?2, hash = ?3, keys = ?4,"
                    " description = ?5, owner = ?6, tags = ?7, timestamp = ?8,"
                    " applied = strftime('%Y-%m-%d %H:%M:%S', 'now')",
                    &q);
  if (st == SBD_OK) {
    sqlite3_bind_text(q, 1, g->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, def, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, hash, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 4, keys_text, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 5, g->description, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 6, g->owner, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 7, g->tags, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 8, g->timestamp ? g->timestamp : "", -1, SQLITE_STATIC);
    if (sqlite3_step(q) != SQLITE_DONE)
      st = st_db_error(ctx, db, "write");
  }
  sqlite3_finalize(q);
  q = NULL;
  /* Feature metadata from the definition; their types come with the first version. */
  if (st == SBD_OK)
    st = st_prepare(ctx, db,
                    "INSERT INTO features(grp, name, description, tags) VALUES (?1, ?2, ?3, ?4)"
                    " ON CONFLICT(grp, name) DO UPDATE SET description = ?3, tags = ?4",
                    &q);
  for (int i = 0; st == SBD_OK && i < g->nqueries; i++)
    for (int m = 0; st == SBD_OK && m < g->queries[i].nmeta; m++) {
      const st_meta *meta = &g->queries[i].meta[m];
      sqlite3_reset(q);
      sqlite3_bind_text(q, 1, g->name, -1, SQLITE_STATIC);
      sqlite3_bind_text(q, 2, meta->feature, -1, SQLITE_STATIC);
      sqlite3_bind_text(q, 3, meta->description, -1, SQLITE_STATIC);
      sqlite3_bind_text(q, 4, meta->tags, -1, SQLITE_STATIC);
      if (sqlite3_step(q) != SQLITE_DONE)
        st = st_db_error(ctx, db, "write");
    }
  sqlite3_finalize(q);
  free(keys_text);
  free(def);
  return st;
}
