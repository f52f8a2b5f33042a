/*
 * test_window_topk.c — the per-partition top-k (window_topk.c) against the general window
 * operator: a filter `call <= k` over a window of row_number(), rank() and dense_rank() is planned
 * as the top-k, hands out exactly what the general plan hands out (row_number numbering ties in
 * input order in both), on one thread and on several (the worker tables merged), and holds far
 * less memory.
 */
#include "exec/exec_int.h"
#include "test.h"

#include <stdlib.h>
#include <string.h>

/* Rows (part, val, seq): part = seq * 7919 % parts, val = seq * 104729 % modulo, NULL on every
 * 13th row, in batches of 40000 rows. */
typedef struct tk_gen {
  ex_op op;
  int64_t next, rows, parts, modulo;
} tk_gen;

static sbd_status tk_gen_next(ex_op *op, sbd_batch **out) {
  tk_gen *g = (tk_gen *)op;
  if (g->next == g->rows)
    return SBD_OK;
  int64_t n = g->rows - g->next < 40000 ? g->rows - g->next : 40000;
  sbd_batch *b = batch_new(op->q->ctx, op->schema, n);
  if (!b)
    return SBD_ENOMEM;
  for (int64_t i = 0; i < n; i++, g->next++) {
    vec_push_i64(b->cols[0], (g->next * 7919) % g->parts);
    if (g->next % 13 == 5)
      vec_push_null(op->q->ctx, b->cols[1]);
    else
      vec_push_i64(b->cols[1], (g->next * 104729) % g->modulo);
    vec_push_i64(b->cols[2], g->next);
  }
  b->nrows = n;
  *out = b;
  return SBD_OK;
}

static const ex_op_vt tk_gen_vt = {"gen", tk_gen_next, NULL};

static ex_op *tk_gen_new(ex_query *q, int64_t rows, int64_t parts, int64_t modulo) {
  tk_gen *g = calloc(1, sizeof(*g));
  g->op.vt = &tk_gen_vt;
  g->op.q = q;
  g->op.schema = schema_new(q->ctx, 3);
  schema_set(q->ctx, g->op.schema, 0, "part", SBD_INT64);
  schema_set(q->ctx, g->op.schema, 1, "val", SBD_INT64);
  schema_set(q->ctx, g->op.schema, 2, "seq", SBD_INT64);
  g->rows = rows;
  g->parts = parts;
  g->modulo = modulo;
  return &g->op;
}

/* Output rows: part, val, seq, row_number, rank, dense_rank (seq -1 when not compared). */
typedef struct tk_row {
  int64_t v[6];
} tk_row;

static int row_cmp(const void *a, const void *b) {
  const tk_row *x = a, *y = b;
  for (int i = 0; i < 6; i++)
    if (x->v[i] != y->v[i])
      return x->v[i] < y->v[i] ? -1 : 1;
  return 0;
}

/* Drains op into rows (NULL val as INT64_MIN), sorted. */
static sbd_status tk_drain(ex_op *op, tk_row **rows, int64_t *n) {
  int64_t cap = 1024;
  *rows = malloc(sizeof(tk_row) * (size_t)cap);
  *n = 0;
  for (;;) {
    sbd_batch *b;
    RETURN_IF_ERROR(ex_op_next(op, &b));
    if (!b)
      break;
    for (int64_t i = 0; i < b->nrows; i++) {
      if (*n == cap) {
        cap *= 2;
        *rows = realloc(*rows, sizeof(tk_row) * (size_t)cap);
      }
      tk_row r;
      for (int c = 0; c < 6; c++)
        r.v[c] = vec_is_valid(b->cols[c], i) ? ((const int64_t *)b->cols[c]->values)[i] : INT64_MIN;
      (*rows)[(*n)++] = r;
    }
    sbd_batch_free(b);
  }
  qsort(*rows, (size_t)*n, sizeof(tk_row), row_cmp);
  return SBD_OK;
}

static ex_expr col_part = {.kind = EX_COLUMN, .type = SBD_INT64, .col = 0};
static ex_expr col_val = {.kind = EX_COLUMN, .type = SBD_INT64, .col = 1};

/* The plan filter(call bound <= k) over window(row_number, rank, dense_rank) over the generator;
 * rewritten to the top-k when topk. */
static ex_op *tk_plan(ex_query *q, int64_t rows, int64_t parts, int64_t modulo, int bound,
                      int64_t k, bool desc, bool nulls_first, bool topk) {
  static const ex_expr *part[1] = {&col_part};
  static const ex_expr *order[1] = {&col_val};
  ex_sort_key *flags = arena_alloc(&q->arena, sizeof(ex_sort_key));
  *flags = (ex_sort_key){0, desc, nulls_first};
  ex_window_fn fns[3];
  static const ex_win_kind kinds[3] = {EX_WIN_ROW_NUMBER, EX_WIN_RANK, EX_WIN_DENSE_RANK};
  for (int i = 0; i < 3; i++)
    fns[i] = (ex_window_fn){.kind = kinds[i],
                            .partition = part,
                            .npartition = parts > 0,
                            .order = order,
                            .order_keys = flags,
                            .norder = 1,
                            .start = EX_BOUND_UNBOUNDED_PRECEDING,
                            .end = EX_BOUND_CURRENT_ROW,
                            .type = SBD_INT64,
                            .text = "f"};
  static const char *names[3] = {"rn", "r", "dr"};
  ex_op *op;
  if (ex_window_new(q, tk_gen_new(q, rows, parts > 0 ? parts : 1, modulo), fns, 3, names, &op))
    return NULL;
  ex_expr *c = arena_alloc(&q->arena, sizeof(ex_expr));
  ex_expr *kc = arena_alloc(&q->arena, sizeof(ex_expr));
  ex_expr *cmp = arena_alloc(&q->arena, sizeof(ex_expr));
  ex_expr **args = arena_alloc(&q->arena, 2 * sizeof(ex_expr *));
  *c = (ex_expr){.kind = EX_COLUMN, .type = SBD_INT64, .col = 3 + bound};
  *kc = (ex_expr){.kind = EX_CONST, .type = SBD_INT64, .value = {.type = SBD_INT64, .i = k}};
  args[0] = c;
  args[1] = kc;
  *cmp = (ex_expr){.kind = EX_CMP, .type = SBD_BOOL, .op = EX_LE, .args = args, .nargs = 2};
  if (ex_filter_new(q, op, cmp, &op))
    return NULL;
  if (topk && ex_window_topk_plan(q, op, cmp))
    return NULL;
  return op;
}

TEST(window_topk_equals_the_window_operator) {
  static const struct {
    int64_t rows, parts, modulo;
    int bound; /* 0 row_number, 1 rank, 2 dense_rank */
    int64_t k;
    bool desc, nulls_first;
    int threads;
  } cases[] = {
      {300000, 1000, 1000003, 0, 2, true, false, 2}, /* q8's shape: distinct values */
      {300000, 1000, 1000003, 0, 2, true, false, 1},
      {300000, 1000, 7, 0, 3, false, false, 2},         /* many ties: row_number numbers them */
      {300000, 1000, 7, 1, 2, false, true, 2},          /* rank keeps every tie of the k-th */
      {300000, 1000, 7, 2, 2, true, true, 2},           /* dense_rank: whole peer groups */
      {200000, 50, 1000003, 1, 5, false, false, 2},     /* large partitions */
      {200000, 0, 1000003, 0, 10, true, false, 2},      /* no PARTITION BY */
      {200000, 100000, 1000003, 0, 1, false, false, 2}, /* partitions of two rows */
      {1000, 100, 5, 2, 1000, false, false, 2},         /* a bound larger than every partition */
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    sbd_ctx *ctx = sbd_ctx_new();
    ctx->threads = cases[i].threads;
    ex_query qa = {.ctx = ctx}, qb = {.ctx = ctx};
    arena_init(&qa.arena, 4096);
    arena_init(&qb.arena, 4096);
    ex_op *general = tk_plan(&qa, cases[i].rows, cases[i].parts, cases[i].modulo, cases[i].bound,
                             cases[i].k, cases[i].desc, cases[i].nulls_first, false);
    ex_op *topk = tk_plan(&qb, cases[i].rows, cases[i].parts, cases[i].modulo, cases[i].bound,
                          cases[i].k, cases[i].desc, cases[i].nulls_first, true);
    ASSERT_TRUE(general && topk);
    CHECK(strcmp(topk->child->vt->name, "window_topk") == 0, "case %zu: planned as %s", i,
          topk->child->vt->name);
    tk_row *a, *b;
    int64_t na, nb;
    ASSERT_EQ(tk_drain(general, &a, &na), 0);
    ASSERT_EQ(tk_drain(topk, &b, &nb), 0);
    CHECK(na == nb, "case %zu: %lld rows, the window operator gives %lld", i, (long long)nb,
          (long long)na);
    for (int64_t r = 0; r < na && r < nb && !test_failed_now(); r++)
      CHECK(row_cmp(&a[r], &b[r]) == 0,
            "case %zu: row %lld is (%lld, %lld, %lld, %lld, %lld, %lld), expected (%lld, %lld, "
            "%lld, %lld, %lld, %lld)",
            i, (long long)r, (long long)b[r].v[0], (long long)b[r].v[1], (long long)b[r].v[2],
            (long long)b[r].v[3], (long long)b[r].v[4], (long long)b[r].v[5], (long long)a[r].v[0],
            (long long)a[r].v[1], (long long)a[r].v[2], (long long)a[r].v[3], (long long)a[r].v[4],
            (long long)a[r].v[5]);
    /* The top-k holds a fraction of what the general operator holds (its whole input). */
    if (cases[i].rows >= 200000 && cases[i].parts <= 1000)
      CHECK(qb.mem_peak * 4 < qa.mem_peak, "case %zu: the top-k held %lld bytes, the window %lld",
            i, (long long)qb.mem_peak, (long long)qa.mem_peak);
    free(a);
    free(b);
    ex_op_free(general);
    ex_op_free(topk);
    ASSERT_EQ(qa.mem_bytes, 0);
    ASSERT_EQ(qb.mem_bytes, 0);
    arena_free(&qa.arena);
    arena_free(&qb.arena);
    sbd_ctx_free(ctx);
  }
}

TEST(window_topk_declines_what_it_cannot_do) {
  sbd_ctx *ctx = sbd_ctx_new();
  ex_query q = {.ctx = ctx};
  arena_init(&q.arena, 4096);
  /* A bound of 0 passes nothing, and a bound far too large saves nothing: both stay general. */
  static const int64_t ks[] = {0, 1000000};
  for (size_t i = 0; i < sizeof(ks) / sizeof(ks[0]); i++) {
    ex_op *op = tk_plan(&q, 1000, 10, 7, 0, ks[i], false, false, true);
    ASSERT_TRUE(op != NULL);
    CHECK(strcmp(op->child->vt->name, "window") == 0, "k %lld: planned as %s", (long long)ks[i],
          op->child->vt->name);
    ex_op_free(op);
  }
  arena_free(&q.arena);
  sbd_ctx_free(ctx);
}
