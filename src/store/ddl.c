/*
 * ddl.c — sbd export-ddl: the statements that register every group with a version as a table of
 * its Parquet files in another engine, the version folder (version=N, Hive layout) a partition
 * column. The columns are those of the latest version, typed the way each engine reads sbd's
 * Parquet: INT64 as BIGINT, DOUBLE, STRING as STRING/VARCHAR, BOOL as BOOLEAN, DATE (the DATE
 * logical type) as DATE, TIMESTAMP (microseconds, adjusted to UTC) as TIMESTAMP, TIMESTAMP(6) in
 * Trino.
 *   duckdb  CREATE OR REPLACE VIEW over read_parquet of LOCATION/GROUP/version=N/part-K.parquet (a
 * glob) hive_partitioning = true) athena  CREATE EXTERNAL TABLE ... PARTITIONED BY (version BIGINT)
 * STORED AS PARQUET LOCATION, then MSCK REPAIR TABLE to find the partitions spark   CREATE TABLE
 * ... USING PARQUET PARTITIONED BY (version) LOCATION, MSCK REPAIR TABLE trino   CREATE TABLE (Hive
 * connector) WITH (external_location, format, partitioned_by), then system.sync_partition_metadata
 * Old versions stay readable (WHERE version = N); the latest is the catalog's pointer, which
 * sbd get reads and the comment atop each statement names.
 */
#include "store/store_int.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum engine { ENG_DUCKDB, ENG_ATHENA, ENG_SPARK, ENG_TRINO } engine;

static const char *type_for(engine e, sbd_type t) {
  switch (t) {
  case SBD_BOOL:
    return "BOOLEAN";
  case SBD_INT64:
    return "BIGINT";
  case SBD_DOUBLE:
    return "DOUBLE";
  case SBD_STRING:
    return e == ENG_TRINO || e == ENG_DUCKDB ? "VARCHAR" : "STRING";
  case SBD_DATE:
    return "DATE";
  case SBD_TIMESTAMP:
    return e == ENG_TRINO ? "TIMESTAMP(6)" : "TIMESTAMP";
  }
  return "VARCHAR";
}

/* An identifier quoted for the engine: `x` for Athena and Spark, "x" for the others. */
static void ident(st_text *t, engine e, const char *name) {
  if (e == ENG_ATHENA || e == ENG_SPARK)
    st_text_add(t, "`%s`", name);
  else
    st_text_add(t, "\"%s\"", name);
}

static void table_name(st_text *t, engine e, const char *database, const char *group) {
  if (database) {
    ident(t, e, database);
    st_text_add(t, ".");
  }
  ident(t, e, group);
}

static sbd_status group_ddl(sbd_repo *r, engine e, const char *location, const char *database,
                            const char *group, int64_t latest, st_text *t) {
  char sql[256];
  snprintf(sql, sizeof(sql), "SELECT * FROM \"%s@%lld\"", group, (long long)latest);
  sbd_reader *probe;
  RETURN_IF_ERROR(st_repo_sql(r, sql, &probe));
  const sbd_schema *s = sbd_reader_schema(probe);
  st_text_add(t, "-- %s: latest version %lld\n", group, (long long)latest);
  if (e == ENG_DUCKDB) {
    st_text_add(t, "CREATE OR REPLACE VIEW ");
    table_name(t, e, database, group);
    st_text_add(t, " AS SELECT * FROM read_parquet(");
    char glob[PATH_MAX + 300];
    snprintf(glob, sizeof(glob), "%s/%s/version=*/*.parquet", location, group);
    st_text_sql_string(t, glob);
    st_text_add(t, ", hive_partitioning = true);\n\n");
    sbd_reader_close(probe);
    return SBD_OK;
  }
  st_text_add(t, "%s ",
              e == ENG_ATHENA ? "CREATE EXTERNAL TABLE IF NOT EXISTS"
                              : "CREATE TABLE IF NOT EXISTS");
  table_name(t, e, database, group);
  st_text_add(t, " (\n");
  for (int c = 0; c < sbd_schema_ncols(s); c++) {
    st_text_add(t, "  ");
    ident(t, e, sbd_schema_name(s, c));
    st_text_add(t, " %s%s\n", type_for(e, sbd_schema_type(s, c)),
                c + 1 < sbd_schema_ncols(s) || e == ENG_TRINO ? "," : "");
  }
  if (e == ENG_TRINO)
    st_text_add(t, "  \"version\" BIGINT\n");
  char dir[PATH_MAX + 300];
  snprintf(dir, sizeof(dir), "%s/%s", location, group);
  switch (e) {
  case ENG_ATHENA:
    st_text_add(t, ")\nPARTITIONED BY (`version` BIGINT)\nSTORED AS PARQUET\nLOCATION ");
    st_text_sql_string(t, dir);
    st_text_add(t, ";\nMSCK REPAIR TABLE ");
    table_name(t, e, database, group);
    st_text_add(t, ";\n\n");
    break;
  case ENG_SPARK:
    st_text_add(t, ")\nUSING PARQUET\nPARTITIONED BY (`version`)\nLOCATION ");
    st_text_sql_string(t, dir);
    st_text_add(t, ";\nMSCK REPAIR TABLE ");
    table_name(t, e, database, group);
    st_text_add(t, ";\n\n");
    break;
  case ENG_TRINO:
    st_text_add(t, ")\nWITH (external_location = ");
    st_text_sql_string(t, dir);
    st_text_add(t, ", format = 'PARQUET', partitioned_by = ARRAY['version']);\n");
    st_text_add(t, "CALL system.sync_partition_metadata(");
    st_text_sql_string(t, database ? database : "default");
    st_text_add(t, ", ");
    st_text_sql_string(t, group);
    st_text_add(t, ", 'FULL');\n\n");
    break;
  case ENG_DUCKDB:
    break;
  }
  sbd_reader_close(probe);
  return SBD_OK;
}

sbd_status sbd_repo_export_ddl(sbd_repo *r, const char *engine_name, const char *location,
                               const char *database, char **text) {
  *text = NULL;
  static const char *const engines[] = {"duckdb", "athena", "spark", "trino"};
  int e = -1;
  for (int i = 0; i < 4 && engine_name; i++)
    if (strcmp(engine_name, engines[i]) == 0)
      e = i;
  if (e < 0) {
    const char *near = engine_name ? sbd_closest(engine_name, engines, 4) : NULL;
    if (!engine_name)
      return sbd_error(r->ctx, SBD_EUSAGE,
                       "export-ddl needs an engine: athena, trino, spark or "
                       "duckdb");
    if (near)
      return sbd_error(r->ctx, SBD_EUSAGE, "unknown engine '%s' (did you mean '%s'?)", engine_name,
                       near);
    return sbd_error(r->ctx, SBD_EUSAGE,
                     "unknown engine '%s' (engines: athena, trino, spark, duckdb)", engine_name);
  }
  if (database && !st_is_identifier(database))
    return sbd_error(r->ctx, SBD_EUSAGE, "the database '%s' is not an identifier", database);
  char resolved[PATH_MAX];
  if (!location) {
    if (!realpath(r->store, resolved))
      return sbd_error(r->ctx, SBD_ENOTFOUND,
                       "%s: the store does not exist yet: calculate a group first", r->store);
    location = resolved;
  }
  char loc[PATH_MAX + 1];
  snprintf(loc, sizeof(loc), "%s", location);
  size_t n = strlen(loc);
  while (n > 1 && loc[n - 1] == '/')
    loc[--n] = 0;
  st_text t = {0};
  sbd_status st = SBD_OK;
  int written = 0;
  if (e == ENG_DUCKDB && database) {
    st_text_add(&t, "CREATE SCHEMA IF NOT EXISTS ");
    ident(&t, ENG_DUCKDB, database);
    st_text_add(&t, ";\n\n");
  }
  for (int i = 0; i < r->cfg->ngroups && st == SBD_OK; i++) {
    int64_t latest;
    st = st_latest_version(r->ctx, r->db, r->cfg->groups[i].name, &latest);
    if (st == SBD_OK && latest) {
      st = group_ddl(r, (engine)e, loc, database, r->cfg->groups[i].name, latest, &t);
      written++;
    }
  }
  if (st == SBD_OK && !written)
    st_text_add(&t, "-- no group has a version yet: nothing to register\n");
  if (st != SBD_OK) {
    free(t.s);
    return st;
  }
  *text = st_text_take(r->ctx, &t);
  return *text ? SBD_OK : SBD_ENOMEM;
}
