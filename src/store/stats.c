/*
 * stats.c — the statistics of a version, per feature: count (non-null values), nulls, min, max,
 * mean and standard deviation (numbers), an approximate distinct count, and a 20-bin histogram
 * between min and max (numbers) or the 20 most frequent values (strings, booleans). They are
 * computed with the SQL engine over the version's Parquet files, one aggregate query for every
 * feature at once and one query per histogram or top list, and stored as text (min, max) and
 * JSON (histogram: {"min":..,"max":..,"counts":[...]}, top: [["value",count],...]).
 */
#include "store/store_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define ST_HIST_BINS 20
#define ST_TOP_VALUES 20

static bool is_number(sbd_type t) {
  return t == SBD_INT64 || t == SBD_DOUBLE;
}

static sbd_status run_one(sbd_ctx *ctx, const char *sql, const char *glob, sbd_reader **rd) {
  sql_table t = {"v", glob, NULL};
  sbd_options *opts = sbd_options_new();
  if (!opts || sbd_options_set(opts, "format", "parquet") != SBD_OK ||
      sbd_options_set(opts, "hive_partitioning", "false") != SBD_OK) {
    sbd_options_free(opts);
    return sbd_error(ctx, SBD_ENOMEM, "out of memory");
  }
  t.opts = opts;
  sbd_status st = sql_query_with_tables(ctx, sql, &t, 1, rd);
  sbd_options_free(opts);
  return st;
}

/* Appends s as a JSON string. */
static void json_string(st_text *t, const char *s, size_t n) {
  st_text_add(t, "\"");
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '"' || c == '\\')
      st_text_add(t, "\\%c", c);
    else if (c < 0x20)
      st_text_add(t, "\\u%04x", c);
    else
      st_text_add(t, "%c", c);
  }
  st_text_add(t, "\"");
}

static sbd_status histogram(sbd_ctx *ctx, const char *col, const char *glob, double lo, double hi,
                            char **json) {
  *json = NULL;
  st_text q = {0};
  double width = hi > lo ? (hi - lo) / ST_HIST_BINS : 1;
  st_text_add(&q,
              "SELECT CASE WHEN b >= %d THEN %d ELSE b END AS bin, count(*) AS n FROM (SELECT "
              "CAST(floor((CAST(\"%s\" AS DOUBLE) - %.17g) / %.17g) AS BIGINT) AS b FROM v WHERE "
              "\"%s\" IS NOT NULL) GROUP BY bin ORDER BY bin",
              ST_HIST_BINS - 1, ST_HIST_BINS - 1, col, lo, width, col);
  char *sql = st_text_take(ctx, &q);
  if (!sql)
    return SBD_ENOMEM;
  sbd_reader *rd;
  sbd_status st = run_one(ctx, sql, glob, &rd);
  free(sql);
  RETURN_IF_ERROR(st);
  int64_t counts[ST_HIST_BINS] = {0};
  while (st == SBD_OK) {
    sbd_batch *b;
    st = sbd_reader_next(rd, &b);
    if (st != SBD_OK || !b)
      break;
    const sbd_vec *bins = b->cols[0], *ns = b->cols[1];
    for (int64_t i = 0; i < b->nrows; i++) {
      int64_t bin = ((const int64_t *)bins->values)[i];
      if (bin >= 0 && bin < ST_HIST_BINS)
        counts[bin] += ((const int64_t *)ns->values)[i];
    }
    sbd_batch_free(b);
  }
  sbd_reader_close(rd);
  RETURN_IF_ERROR(st);
  st_text j = {0};
  st_text_add(&j, "{\"min\":%.15g,\"max\":%.15g,\"counts\":[", lo, hi);
  for (int i = 0; i < ST_HIST_BINS; i++)
    st_text_add(&j, "%s%lld", i ? "," : "", (long long)counts[i]);
  st_text_add(&j, "]}");
  *json = st_text_take(ctx, &j);
  return *json ? SBD_OK : SBD_ENOMEM;
}

/* The sample standard deviation of col around mean (count > 1 values), in a second pass. */
static sbd_status stddev_of(sbd_ctx *ctx, const char *col, const char *glob, double mean,
                            int64_t count, double *out) {
  st_text q = {0};
  st_text_add(&q,
              "SELECT sum((CAST(\"%s\" AS DOUBLE) - %.17g) * (CAST(\"%s\" AS DOUBLE) - %.17g)) "
              "FROM v",
              col, mean, col, mean);
  char *sql = st_text_take(ctx, &q);
  if (!sql)
    return SBD_ENOMEM;
  sbd_reader *rd;
  sbd_status st = run_one(ctx, sql, glob, &rd);
  free(sql);
  RETURN_IF_ERROR(st);
  sbd_batch *b = NULL;
  st = sbd_reader_next(rd, &b);
  *out = NAN;
  if (st == SBD_OK && b && b->nrows == 1 && vec_is_valid(b->cols[0], 0))
    *out = sqrt(((const double *)b->cols[0]->values)[0] / (double)(count - 1));
  sbd_batch_free(b);
  sbd_reader_close(rd);
  return st;
}

static sbd_status top_values(sbd_ctx *ctx, const char *col, const char *glob, char **json) {
  *json = NULL;
  st_text q = {0};
  st_text_add(&q,
              "SELECT \"%s\" AS value, count(*) AS n FROM v WHERE \"%s\" IS NOT NULL GROUP BY "
              "\"%s\" ORDER BY n DESC, value LIMIT %d",
              col, col, col, ST_TOP_VALUES);
  char *sql = st_text_take(ctx, &q);
  if (!sql)
    return SBD_ENOMEM;
  sbd_reader *rd;
  sbd_status st = run_one(ctx, sql, glob, &rd);
  free(sql);
  RETURN_IF_ERROR(st);
  st_text j = {0};
  st_text_add(&j, "[");
  int n = 0;
  while (st == SBD_OK) {
    sbd_batch *b;
    st = sbd_reader_next(rd, &b);
    if (st != SBD_OK || !b)
      break;
    for (int64_t i = 0; i < b->nrows; i++) {
      char buf[256];
      int64_t len = sbd_batch_value_text(b, 0, i, buf, sizeof(buf));
      st_text_add(&j, "%s[", n++ ? "," : "");
      json_string(&j, buf, len < (int64_t)sizeof(buf) ? (size_t)len : sizeof(buf) - 1);
      st_text_add(&j, ",%lld]", (long long)((const int64_t *)b->cols[1]->values)[i]);
    }
    sbd_batch_free(b);
  }
  sbd_reader_close(rd);
  st_text_add(&j, "]");
  *json = st_text_take(ctx, &j);
  if (st == SBD_OK && !*json)
    st = SBD_ENOMEM;
  return st;
}

sbd_status st_stats_record(sbd_ctx *ctx, sqlite3 *db, const st_group *g, int64_t version,
                           const char *glob) {
  /* The version's columns, from a query that reads none of its rows. */
  sbd_reader *rd;
  RETURN_IF_ERROR(run_one(ctx, "SELECT * FROM v", glob, &rd));
  const sbd_schema *schema = sbd_reader_schema(rd);
  int ncols = sbd_schema_ncols(schema);
  char **names = calloc((size_t)ncols + 1, sizeof(char *));
  sbd_type *types = calloc((size_t)ncols + 1, sizeof(sbd_type));
  int nfeat = 0;
  sbd_status st = names && types ? SBD_OK : sbd_error(ctx, SBD_ENOMEM, "out of memory");
  for (int c = 0; c < ncols && st == SBD_OK; c++) {
    const char *name = sbd_schema_name(schema, c);
    bool key = false;
    for (int k = 0; k < g->nkeys; k++)
      key = key || strcasecmp(name, g->keys[k]) == 0;
    if (key)
      continue;
    if (!(names[nfeat] = strdup(name)))
      st = sbd_error(ctx, SBD_ENOMEM, "out of memory");
    types[nfeat++] = sbd_schema_type(schema, c);
  }
  sbd_reader_close(rd);

  /* One aggregate query: per feature count, nulls, min, max, mean, stddev, distinct. */
  st_text q = {0};
  st_text_add(&q, "SELECT count(*)");
  for (int i = 0; i < nfeat; i++) {
    const char *c = names[i];
    bool num = is_number(types[i]);
    st_text_add(&q, ", count(\"%s\"), min(\"%s\"), max(\"%s\")", c, c, c);
    /* The standard deviation takes a second pass, over the deviations from the mean. */
    if (num)
      st_text_add(&q, ", avg(\"%s\"), CAST(NULL AS DOUBLE)", c);
    else
      st_text_add(&q, ", CAST(NULL AS DOUBLE), CAST(NULL AS DOUBLE)");
    st_text_add(&q, ", count(DISTINCT \"%s\")", c);
  }
  st_text_add(&q, " FROM v");
  char *sql = st == SBD_OK ? st_text_take(ctx, &q) : NULL;
  if (st == SBD_OK && !sql)
    st = SBD_ENOMEM;
  free(q.s);
  sbd_batch *row = NULL;
  if (st == SBD_OK)
    st = run_one(ctx, sql, glob, &rd);
  free(sql);
  if (st == SBD_OK) {
    st = sbd_reader_next(rd, &row);
    sbd_reader_close(rd);
  }
  sqlite3_stmt *ins = NULL;
  if (st == SBD_OK)
    st = st_prepare(ctx, db,
                    "INSERT OR REPLACE INTO stats(grp, version, feature, type, count, nulls, min,"
                    " max, mean, stddev, distinct_approx, histogram, top)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    &ins);
  sqlite3_stmt *feat = NULL;
  if (st == SBD_OK)
    st = st_prepare(ctx, db,
                    "INSERT INTO features(grp, name, type, description, tags, position)"
                    " VALUES (?1, ?2, ?3, '', '', ?4)"
                    " ON CONFLICT(grp, name) DO UPDATE SET type = ?3, position = ?4",
                    &feat);
  if (st == SBD_OK) {
    sqlite3_stmt *del = NULL;
    st =
        st_prepare(ctx, db, "UPDATE features SET position = NULL, type = NULL WHERE grp = ?", &del);
    if (st == SBD_OK) {
      sqlite3_bind_text(del, 1, g->name, -1, SQLITE_STATIC);
      if (sqlite3_step(del) != SQLITE_DONE)
        st = st_db_error(ctx, db, "write");
    }
    sqlite3_finalize(del);
  }
  int64_t total = row && row->nrows ? ((const int64_t *)row->cols[0]->values)[0] : 0;
  for (int i = 0; i < nfeat && st == SBD_OK; i++) {
    int base = 1 + i * 6;
    int64_t count = ((const int64_t *)row->cols[base]->values)[0];
    char minb[256], maxb[256];
    int64_t lmin = sbd_batch_value_text(row, base + 1, 0, minb, sizeof(minb));
    int64_t lmax = sbd_batch_value_text(row, base + 2, 0, maxb, sizeof(maxb));
    const sbd_vec *mean = row->cols[base + 3], *sd = row->cols[base + 4];
    int64_t distinct = ((const int64_t *)row->cols[base + 5]->values)[0];
    char *extra = NULL;
    bool hist = false;
    if (count > 0 && is_number(types[i])) {
      const sbd_vec *mn = row->cols[base + 1], *mx = row->cols[base + 2];
      double lo = mn->type == SBD_INT64 ? (double)((const int64_t *)mn->values)[0]
                                        : ((const double *)mn->values)[0];
      double hi = mx->type == SBD_INT64 ? (double)((const int64_t *)mx->values)[0]
                                        : ((const double *)mx->values)[0];
      if (isfinite(lo) && isfinite(hi)) {
        st = histogram(ctx, names[i], glob, lo, hi, &extra);
        hist = true;
      }
    } else if (count > 0 && (types[i] == SBD_STRING || types[i] == SBD_BOOL)) {
      st = top_values(ctx, names[i], glob, &extra);
    }
    if (st != SBD_OK)
      break;
    sqlite3_reset(ins);
    sqlite3_bind_text(ins, 1, g->name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(ins, 2, version);
    sqlite3_bind_text(ins, 3, names[i], -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 4, sbd_type_name(types[i]), -1, SQLITE_STATIC);
    sqlite3_bind_int64(ins, 5, count);
    sqlite3_bind_int64(ins, 6, total - count);
    if (lmin >= 0)
      sqlite3_bind_text(ins, 7, minb, -1, SQLITE_TRANSIENT);
    else
      sqlite3_bind_null(ins, 7);
    if (lmax >= 0)
      sqlite3_bind_text(ins, 8, maxb, -1, SQLITE_TRANSIENT);
    else
      sqlite3_bind_null(ins, 8);
    if (vec_is_valid(mean, 0) && mean->type == SBD_DOUBLE)
      sqlite3_bind_double(ins, 9, ((const double *)mean->values)[0]);
    else
      sqlite3_bind_null(ins, 9);
    double sdev = NAN;
    (void)sd;
    if (count > 1 && vec_is_valid(mean, 0) && mean->type == SBD_DOUBLE &&
        isfinite(((const double *)mean->values)[0]))
      st = stddev_of(ctx, names[i], glob, ((const double *)mean->values)[0], count, &sdev);
    if (isfinite(sdev))
      sqlite3_bind_double(ins, 10, sdev);
    else
      sqlite3_bind_null(ins, 10);
    sqlite3_bind_int64(ins, 11, distinct);
    if (extra && hist) {
      sqlite3_bind_text(ins, 12, extra, -1, SQLITE_TRANSIENT);
      sqlite3_bind_null(ins, 13);
    } else if (extra) {
      sqlite3_bind_null(ins, 12);
      sqlite3_bind_text(ins, 13, extra, -1, SQLITE_TRANSIENT);
    } else {
      sqlite3_bind_null(ins, 12);
      sqlite3_bind_null(ins, 13);
    }
    free(extra);
    if (sqlite3_step(ins) != SQLITE_DONE)
      st = st_db_error(ctx, db, "write");
    sqlite3_reset(feat);
    sqlite3_bind_text(feat, 1, g->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(feat, 2, names[i], -1, SQLITE_STATIC);
    sqlite3_bind_text(feat, 3, sbd_type_name(types[i]), -1, SQLITE_STATIC);
    sqlite3_bind_int(feat, 4, i);
    if (st == SBD_OK && sqlite3_step(feat) != SQLITE_DONE)
      st = st_db_error(ctx, db, "write");
  }
  if (st == SBD_OK) {
    sqlite3_stmt *del = NULL;
    st = st_prepare(ctx, db, "DELETE FROM features WHERE grp = ? AND position IS NULL", &del);
    if (st == SBD_OK) {
      sqlite3_bind_text(del, 1, g->name, -1, SQLITE_STATIC);
      if (sqlite3_step(del) != SQLITE_DONE)
        st = st_db_error(ctx, db, "write");
    }
    sqlite3_finalize(del);
  }
  sqlite3_finalize(ins);
  sqlite3_finalize(feat);
  sbd_batch_free(row);
  for (int i = 0; names && i < nfeat; i++)
    free(names[i]);
  free(names);
  free(types);
  return st;
}
