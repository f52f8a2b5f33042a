/*
 * query.c — sbd_query and scripts: parses, plans and runs statements, handing a query's result
 * out as an sbd_reader whose next pulls a batch from the root of the plan.
 *
 * A query's reader owns it: the plan and its arena (bound expressions, names), freed by
 * sbd_reader_close. For sbd_query the arena also holds the syntax tree. A script (sbd_script)
 * parses all its statements into one arena of its own, which the readers of its queries share by
 * reference, since their plans point into the tree: the script and every reader it handed out
 * hold a reference, and the last to go frees the tree.
 *
 * CREATE TABLE runs its query to the end and keeps the batches in the context's registry
 * (exec/memtable.c), where the binder finds them by name; DROP TABLE removes one. Both take
 * effect at once, so the next statement sees them.
 */
#include "exec/exec_int.h"
#include "io/io_int.h"
#include "sql/sql_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct sbd_script {
  sbd_ctx *ctx;
  arena arena; /* the syntax tree and the copy of the text */
  sql_script *parsed;
  sql_table *tables; /* the caller's named files (sbd_repo_script_open), copied; may be NULL */
  int ntables;
  int refs; /* the caller's and each open reader's; one thread at a time, as the context */
};

static void script_unref(sbd_script *s) {
  if (!s || --s->refs > 0)
    return;
  for (int i = 0; i < s->ntables; i++) {
    free((char *)s->tables[i].name);
    free((char *)s->tables[i].path);
    sbd_options_free((sbd_options *)s->tables[i].opts);
  }
  free(s->tables);
  arena_free(&s->arena);
  free(s);
}

typedef struct query_stream {
  ex_query q;
  ex_op *root;
  sbd_script *script; /* a reference when the query is a script's; NULL for sbd_query */
  int stmt_no;        /* its statement's number (from 1) in a script of several; else 0 */
} query_stream;

/* Names the statement in the message on ctx: "SQL: statement 2: no table 'x' ..." or
 * "statement 2: orders.csv:12: ...". Returns st. */
static sbd_status name_statement(sbd_ctx *ctx, sbd_status st, int stmt_no) {
  if (stmt_no <= 0 || st == SBD_OK)
    return st;
  char msg[SBD_ERRMSG_MAX];
  snprintf(msg, sizeof(msg), "%s", sbd_errmsg(ctx));
  bool sql = strncmp(msg, "SQL: ", 5) == 0;
  return sbd_error(ctx, st, "%sstatement %d: %s", sql ? "SQL: " : "", stmt_no, sql ? msg + 5 : msg);
}

static sbd_status query_next(sbd_reader *r, sbd_batch **out) {
  query_stream *qs = r->impl;
  return name_statement(r->ctx, ex_op_next(qs->root, out), qs->stmt_no);
}

static void query_stream_free(query_stream *qs) {
  if (!qs)
    return;
  ex_op_free(qs->root);
  arena_free(&qs->q.arena);
  script_unref(qs->script);
  free(qs);
}

static void query_close(sbd_reader *r) {
  query_stream_free(r->impl);
}

static const io_reader_ops query_ops = {"query", query_next, query_close};

/* A reader over the plan of qs (taken, freed on failure too). */
static sbd_status stream_reader(sbd_ctx *ctx, query_stream *qs, sbd_reader **out) {
  sbd_reader *r = io_reader_new(ctx, &query_ops, "query");
  if (!r) {
    query_stream_free(qs);
    return SBD_ENOMEM;
  }
  r->impl = qs;
  r->schema = schema_ref(qs->root->schema);
  *out = r;
  return SBD_OK;
}

sbd_status sbd_query(sbd_ctx *ctx, const char *sql, sbd_reader **out) {
  return sql_query_with_tables(ctx, sql, NULL, 0, out);
}

sbd_status sql_query_with_tables(sbd_ctx *ctx, const char *sql, const sql_table *tables,
                                 int ntables, sbd_reader **out) {
  *out = NULL;
  query_stream *qs = sbd_calloc(ctx, 1, sizeof(*qs));
  if (!qs)
    return SBD_ENOMEM;
  qs->q.ctx = ctx;
  arena_init(&qs->q.arena, 64 * 1024);
  sql_stmt *stmt;
  sbd_status st = sql_parse(ctx, sql, &qs->q.arena, &stmt);
  if (st == SBD_OK && stmt->kind != SQL_STMT_QUERY)
    st = sql_error_at(ctx, stmt->sql, stmt->off,
                      "%s runs in a script (sbd query, or sbd_script_open in C), not as a query",
                      stmt->kind == SQL_STMT_CREATE_TABLE ? "CREATE TABLE" : "DROP TABLE");
  qs->q.tables = tables;
  qs->q.ntables = ntables;
  if (st == SBD_OK)
    st = sql_plan(&qs->q, stmt, &qs->root);
  qs->q.tables = NULL; /* the caller's: not kept past planning */
  qs->q.ntables = 0;
  if (st != SBD_OK) {
    query_stream_free(qs);
    return st;
  }
  return stream_reader(ctx, qs, out);
}

void sbd_query_scan_stats(const sbd_reader *query, sbd_scan_stats *out) {
  memset(out, 0, sizeof(*out));
  if (!query || query->ops != &query_ops || !query->impl)
    return;
  const ex_query *q = &((const query_stream *)query->impl)->q;
  out->row_groups_read = q->scan_row_groups_read;
  out->row_groups_skipped = q->scan_row_groups_skipped;
  out->files_read = q->scan_files_read;
  out->files_skipped = q->scan_files_skipped;
}

/* ---- scripts ----------------------------------------------------------------------------------*/

sbd_status sql_script_open_with_tables(sbd_ctx *ctx, const char *sql, const sql_table *tables,
                                       int ntables, sbd_script **out) {
  *out = NULL;
  sbd_script *s = sbd_calloc(ctx, 1, sizeof(*s));
  if (!s)
    return SBD_ENOMEM;
  s->ctx = ctx;
  s->refs = 1;
  arena_init(&s->arena, 64 * 1024);
  sbd_status st = SBD_OK;
  if (ntables > 0) {
    s->tables = sbd_calloc(ctx, (size_t)ntables, sizeof(*s->tables));
    st = s->tables ? SBD_OK : SBD_ENOMEM;
    for (int i = 0; i < ntables && st == SBD_OK; i++) {
      s->ntables++;
      s->tables[i].name = sbd_strdup(ctx, tables[i].name);
      s->tables[i].path = sbd_strdup(ctx, tables[i].path);
      sbd_options *o = sbd_options_new();
      s->tables[i].opts = o;
      st = s->tables[i].name && s->tables[i].path && o ? SBD_OK : SBD_ENOMEM;
      for (int k = 0; st == SBD_OK && tables[i].opts && k < tables[i].opts->n; k++)
        st = sbd_options_set(o, tables[i].opts->keys[k], tables[i].opts->values[k]);
    }
  }
  if (st == SBD_OK)
    st = sql_parse_script(ctx, sql, &s->arena, &s->parsed);
  if (st != SBD_OK) {
    script_unref(s);
    return st;
  }
  *out = s;
  return SBD_OK;
}

sbd_status sbd_script_open(sbd_ctx *ctx, const char *sql, sbd_script **out) {
  return sql_script_open_with_tables(ctx, sql, NULL, 0, out);
}

void sbd_script_close(sbd_script *script) {
  script_unref(script);
}

int sbd_script_count(const sbd_script *script) {
  return script->parsed->nstmts;
}

int sbd_script_is_query(const sbd_script *script, int i) {
  return i >= 0 && i < script->parsed->nstmts && script->parsed->stmts[i]->kind == SQL_STMT_QUERY;
}

/* Plans the query of stmt (a query, or a CREATE TABLE's AS query) into a new stream. */
static sbd_status plan_stmt(sbd_script *s, const sql_stmt *stmt, query_stream **out) {
  *out = NULL;
  query_stream *qs = sbd_calloc(s->ctx, 1, sizeof(*qs));
  if (!qs)
    return SBD_ENOMEM;
  qs->q.ctx = s->ctx;
  arena_init(&qs->q.arena, 64 * 1024);
  qs->script = s;
  s->refs++;
  qs->q.tables = s->tables;
  qs->q.ntables = s->ntables;
  sbd_status st = sql_plan(&qs->q, stmt, &qs->root);
  qs->q.tables = NULL;
  qs->q.ntables = 0;
  if (st != SBD_OK) {
    query_stream_free(qs);
    return st;
  }
  *out = qs;
  return SBD_OK;
}

/* The schema of a table made from a query's result s: as DuckDB does, a name that repeats an
 * earlier one (in any case) gets the first free suffix _1, _2, ..., so every column of the table
 * can be named. *out is a new reference. */
static sbd_status table_schema(sbd_ctx *ctx, const sbd_schema *s, sbd_schema **out) {
  sbd_schema *t = schema_new(ctx, s->ncols);
  if (!t)
    return SBD_ENOMEM;
  sbd_status st = SBD_OK;
  for (int i = 0; i < s->ncols && st == SBD_OK; i++) {
    char name[256];
    snprintf(name, sizeof(name), "%s", s->fields[i].name);
    for (int k = 1;; k++) {
      bool taken = false;
      for (int j = 0; j < i && !taken; j++)
        taken = strcasecmp(t->fields[j].name, name) == 0;
      if (!taken)
        break;
      snprintf(name, sizeof(name), "%.200s_%d", s->fields[i].name, k);
    }
    st = schema_set(ctx, t, i, name, s->fields[i].type);
  }
  if (st != SBD_OK) {
    schema_unref(t);
    return st;
  }
  *out = t;
  return SBD_OK;
}

/* CREATE [OR REPLACE] TABLE name AS query: runs the query to its end and keeps its batches. */
static sbd_status run_create(sbd_script *s, const sql_stmt *stmt) {
  sbd_ctx *ctx = s->ctx;
  if (!stmt->or_replace && ex_memtable_find(ctx, stmt->table.name))
    return sql_error_at(ctx, stmt->sql, stmt->table.off,
                        "the table '%s' exists already (CREATE OR REPLACE TABLE replaces it, or "
                        "DROP TABLE it first)",
                        stmt->table.name);
  query_stream *qs;
  RETURN_IF_ERROR(plan_stmt(s, stmt, &qs));
  sbd_schema *schema = NULL;
  sbd_status st = table_schema(ctx, qs->root->schema, &schema);
  ex_memtable *t = st == SBD_OK ? ex_memtable_new(ctx, stmt->table.name, schema) : NULL;
  schema_unref(schema);
  if (st == SBD_OK && !t)
    st = SBD_ENOMEM;
  while (st == SBD_OK) {
    sbd_batch *b;
    if ((st = ex_op_next(qs->root, &b)) != SBD_OK || !b)
      break;
    int64_t bytes;
    st = ex_memtable_append(ctx, t, b, &bytes);
    /* The table's memory is the query's while it is made (a --memory-limit applies). */
    if (st == SBD_OK)
      st = ex_mem_charge(&qs->q, bytes);
  }
  query_stream_free(qs);
  if (st != SBD_OK) {
    ex_memtable_unref(t);
    return st;
  }
  return ex_memtable_put(ctx, t);
}

static sbd_status run_stmt(sbd_script *script, int i, sbd_reader **out) {
  sbd_ctx *ctx = script->ctx;
  const sql_stmt *stmt = script->parsed->stmts[i];
  switch (stmt->kind) {
  case SQL_STMT_QUERY: {
    query_stream *qs;
    RETURN_IF_ERROR(plan_stmt(script, stmt, &qs));
    qs->stmt_no = script->parsed->nstmts > 1 ? i + 1 : 0;
    return stream_reader(ctx, qs, out);
  }
  case SQL_STMT_CREATE_TABLE:
    return run_create(script, stmt);
  case SQL_STMT_DROP_TABLE:
    if (!ex_memtable_drop(ctx, stmt->table.name) && !stmt->if_exists)
      return sql_error_at(ctx, stmt->sql, stmt->table.off,
                          "no table '%s' to drop (DROP TABLE IF EXISTS ignores a missing one)",
                          stmt->table.name);
    return SBD_OK;
  }
  return sbd_error(ctx, SBD_EINTERNAL, "script: statement kind %d", (int)stmt->kind);
}

sbd_status sbd_script_run(sbd_script *script, int i, sbd_reader **out) {
  *out = NULL;
  sbd_ctx *ctx = script->ctx;
  RETURN_ERROR_IF(i < 0 || i >= script->parsed->nstmts, ctx, SBD_EUSAGE,
                  "script: no statement %d (it has %d)", i, script->parsed->nstmts);
  return name_statement(ctx, run_stmt(script, i, out), script->parsed->nstmts > 1 ? i + 1 : 0);
}
