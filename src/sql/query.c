/*
 * query.c — sbd_query: parses, plans and runs one query, handing its result out as an sbd_reader
 * whose next pulls a batch from the root of the plan. The reader owns the query: its arena (the
 * syntax tree, the bound expressions, the plan's names) and the plan, freed by sbd_reader_close.
 */
#include "exec/exec_int.h"
#include "io/io_int.h"
#include "sql/sql_int.h"

#include <stdlib.h>
#include <string.h>

typedef struct query_stream {
  ex_query q;
  ex_op *root;
} query_stream;

static sbd_status query_next(sbd_reader *r, sbd_batch **out) {
  query_stream *qs = r->impl;
  return ex_op_next(qs->root, out);
}

static void query_stream_free(query_stream *qs) {
  if (!qs)
    return;
  ex_op_free(qs->root);
  arena_free(&qs->q.arena);
  free(qs);
}

static void query_close(sbd_reader *r) {
  query_stream_free(r->impl);
}

static const io_reader_ops query_ops = {"query", query_next, query_close};

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
  qs->q.tables = tables;
  qs->q.ntables = ntables;
  if (st == SBD_OK)
    st = sql_plan(&qs->q, stmt, &qs->root);
  qs->q.tables = NULL; /* the caller's: not kept past planning */
  qs->q.ntables = 0;
  sbd_reader *r = NULL;
  if (st == SBD_OK && !(r = io_reader_new(ctx, &query_ops, "query")))
    st = SBD_ENOMEM;
  if (st != SBD_OK) {
    query_stream_free(qs);
    return st;
  }
  r->impl = qs;
  r->schema = schema_ref(qs->root->schema);
  *out = r;
  return SBD_OK;
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
