/*
 * operators.c — the streaming operators, which hold at most one batch: scan (a reader), one row
 * (SELECT without FROM), filter, project, concat (UNION ALL) and limit; and the generic next/free
 * of the plan.
 *
 * A limit frees its input as soon as it has handed out its last row, so the readers beneath are
 * closed then (a Parquet reader stops its decoding tasks, the text readers their chunks in flight)
 * instead of decoding ahead until the query is closed.
 */
#include "exec/exec_int.h"

#include <stdlib.h>
#include <string.h>

sbd_status ex_op_next(ex_op *op, sbd_batch **out) {
  *out = NULL;
  return op->vt->next(op, out);
}

void ex_op_free(ex_op *op) {
  while (op) {
    ex_op *child = op->child;
    if (op->vt->free)
      op->vt->free(op);
    schema_unref(op->schema);
    free(op);
    op = child;
  }
}

static void *op_new(ex_query *q, size_t size, const ex_op_vt *vt, ex_op *child) {
  ex_op *op = sbd_calloc(q->ctx, 1, size);
  if (!op)
    return NULL;
  op->vt = vt;
  op->q = q;
  op->child = child;
  return op;
}

sbd_status ex_batch_of(ex_query *q, sbd_schema *s, sbd_vec **cols, int64_t n, sbd_batch **out) {
  sbd_batch *b = sbd_calloc(q->ctx, 1, sizeof(*b));
  sbd_vec **v = sbd_calloc(q->ctx, (size_t)(s->ncols ? s->ncols : 1), sizeof(sbd_vec *));
  if (!b || !v) {
    free(b);
    free(v);
    for (int i = 0; i < s->ncols; i++)
      vec_free(cols[i]);
    return SBD_ENOMEM;
  }
  if (s->ncols)
    memcpy(v, cols, sizeof(sbd_vec *) * (size_t)s->ncols);
  b->refs = 1;
  b->schema = schema_ref(s);
  b->ncols = s->ncols;
  b->cols = v;
  b->nrows = n;
  *out = b;
  return SBD_OK;
}

/* ---- scan -----------------------------------------------------------------------------------*/

typedef struct scan_op {
  ex_op op;
  sbd_reader *reader;
  int *keep; /* NULL: every column */
  int nkeep;
} scan_op;

static sbd_status scan_next(ex_op *op, sbd_batch **out) {
  scan_op *s = (scan_op *)op;
  sbd_batch *b;
  RETURN_IF_ERROR(sbd_reader_next(s->reader, &b));
  if (!b || !s->keep) {
    *out = b;
    return SBD_OK;
  }
  /* Hand on the kept columns, freeing the others. */
  sbd_vec **cols = sbd_calloc(op->q->ctx, (size_t)(s->nkeep ? s->nkeep : 1), sizeof(sbd_vec *));
  if (!cols) {
    sbd_batch_free(b);
    return SBD_ENOMEM;
  }
  for (int i = 0; i < s->nkeep; i++) {
    cols[i] = b->cols[s->keep[i]];
    b->cols[s->keep[i]] = NULL;
  }
  int64_t n = b->nrows;
  sbd_batch_free(b);
  sbd_status st = ex_batch_of(op->q, op->schema, cols, n, out);
  free(cols);
  return st;
}

static void scan_free(ex_op *op) {
  scan_op *s = (scan_op *)op;
  sbd_reader_close(s->reader);
  free(s->keep);
}

static const ex_op_vt scan_vt = {"scan", scan_next, scan_free};

sbd_status ex_scan_new(ex_query *q, sbd_reader *reader, const int *keep, int nkeep, ex_op **out) {
  *out = NULL;
  scan_op *s = op_new(q, sizeof(*s), &scan_vt, NULL);
  if (!s) {
    sbd_reader_close(reader);
    return SBD_ENOMEM;
  }
  s->reader = reader;
  const sbd_schema *rs = sbd_reader_schema(reader);
  if (nkeep < 0) {
    s->op.schema = schema_ref((sbd_schema *)rs);
  } else {
    s->op.schema = schema_new(q->ctx, nkeep);
    s->keep = sbd_malloc(q->ctx, sizeof(int) * (size_t)(nkeep ? nkeep : 1));
    s->nkeep = nkeep;
    if (!s->op.schema || !s->keep) {
      ex_op_free(&s->op);
      return SBD_ENOMEM;
    }
    for (int i = 0; i < nkeep; i++) {
      s->keep[i] = keep[i];
      sbd_status st =
          schema_set(q->ctx, s->op.schema, i, rs->fields[keep[i]].name, rs->fields[keep[i]].type);
      if (st != SBD_OK) {
        ex_op_free(&s->op);
        return st;
      }
    }
  }
  *out = &s->op;
  return SBD_OK;
}

/* ---- one row --------------------------------------------------------------------------------*/

typedef struct one_row_op {
  ex_op op;
  bool done;
} one_row_op;

static sbd_status one_row_next(ex_op *op, sbd_batch **out) {
  one_row_op *o = (one_row_op *)op;
  if (o->done)
    return SBD_OK;
  o->done = true;
  return ex_batch_of(op->q, op->schema, NULL, 1, out);
}

static const ex_op_vt one_row_vt = {"one_row", one_row_next, NULL};

sbd_status ex_one_row_new(ex_query *q, ex_op **out) {
  one_row_op *o = op_new(q, sizeof(*o), &one_row_vt, NULL);
  if (!o)
    return SBD_ENOMEM;
  o->op.schema = schema_new(q->ctx, 0);
  if (!o->op.schema) {
    free(o);
    return SBD_ENOMEM;
  }
  *out = &o->op;
  return SBD_OK;
}

/* ---- filter ---------------------------------------------------------------------------------*/

typedef struct filter_op {
  ex_op op;
  const ex_expr *pred;
  int64_t *sel;
} filter_op;

static sbd_status filter_next(ex_op *op, sbd_batch **out) {
  filter_op *f = (filter_op *)op;
  sbd_ctx *ctx = op->q->ctx;
  /* WHERE false (or NULL) passes nothing: the input is not read at all, so what it would compute
   * (and the errors it would raise) never happens, as in DuckDB, whose optimizer drops it. */
  if (f->pred->kind == EX_CONST && (f->pred->value.is_null || !f->pred->value.b))
    return SBD_OK;
  for (;;) {
    sbd_batch *b;
    RETURN_IF_ERROR(ex_op_next(op->child, &b));
    if (!b)
      return SBD_OK;
    sbd_vec *p;
    sbd_status st = ex_eval(op->q, f->pred, b, &p);
    if (st != SBD_OK) {
      sbd_batch_free(b);
      return st;
    }
    /* The selection: rows where the predicate is true (not false, not NULL). */
    int64_t n = 0;
    const uint8_t *x = p->values;
    if (!p->null_count) {
      for (int64_t i = 0; i < b->nrows; i++) {
        f->sel[n] = i;
        n += x[i] != 0;
      }
    } else {
      for (int64_t i = 0; i < b->nrows; i++) {
        f->sel[n] = i;
        n += x[i] != 0 && vec_is_valid(p, i);
      }
    }
    vec_free(p);
    if (n == b->nrows) {
      *out = b;
      return SBD_OK;
    }
    if (n == 0) {
      sbd_batch_free(b);
      continue;
    }
    sbd_vec **cols = sbd_calloc(ctx, (size_t)(b->ncols ? b->ncols : 1), sizeof(sbd_vec *));
    st = cols ? SBD_OK : SBD_ENOMEM;
    for (int c = 0; c < b->ncols && st == SBD_OK; c++) {
      cols[c] = vec_new(ctx, b->cols[c]->type, n);
      st = cols[c] ? ex_vec_gather(ctx, cols[c], b->cols[c], f->sel, n) : SBD_ENOMEM;
    }
    sbd_schema *s = b->schema;
    int ncols = b->ncols;
    if (st == SBD_OK)
      st = ex_batch_of(op->q, s, cols, n, out);
    else if (cols)
      for (int c = 0; c < ncols; c++)
        vec_free(cols[c]);
    free(cols);
    sbd_batch_free(b);
    return st;
  }
}

static void filter_free(ex_op *op) {
  free(((filter_op *)op)->sel);
}

static const ex_op_vt filter_vt = {"filter", filter_next, filter_free};

sbd_status ex_filter_new(ex_query *q, ex_op *child, const ex_expr *pred, ex_op **out) {
  filter_op *f = op_new(q, sizeof(*f), &filter_vt, child);
  if (!f) {
    ex_op_free(child);
    return SBD_ENOMEM;
  }
  f->pred = pred;
  f->op.schema = schema_ref(child->schema);
  f->sel = sbd_malloc(q->ctx, sizeof(int64_t) * SBD_BATCH_ROWS);
  if (!f->sel) {
    ex_op_free(&f->op);
    return SBD_ENOMEM;
  }
  *out = &f->op;
  return SBD_OK;
}

/* ---- project --------------------------------------------------------------------------------*/

typedef struct project_op {
  ex_op op;
  ex_expr *const *exprs;
  int n;
} project_op;

static sbd_status project_next(ex_op *op, sbd_batch **out) {
  project_op *p = (project_op *)op;
  sbd_batch *b;
  RETURN_IF_ERROR(ex_op_next(op->child, &b));
  if (!b)
    return SBD_OK;
  sbd_vec **cols = sbd_calloc(op->q->ctx, (size_t)(p->n ? p->n : 1), sizeof(sbd_vec *));
  sbd_status st = cols ? SBD_OK : SBD_ENOMEM;
  for (int i = 0; i < p->n && st == SBD_OK; i++)
    st = ex_eval(op->q, p->exprs[i], b, &cols[i]);
  int64_t n = b->nrows;
  sbd_batch_free(b);
  if (st == SBD_OK)
    st = ex_batch_of(op->q, op->schema, cols, n, out);
  else if (cols)
    for (int i = 0; i < p->n; i++)
      vec_free(cols[i]);
  free(cols);
  return st;
}

static const ex_op_vt project_vt = {"project", project_next, NULL};

sbd_status ex_project_new(ex_query *q, ex_op *child, ex_expr *const *exprs,
                          const char *const *names, int n, ex_op **out) {
  project_op *p = op_new(q, sizeof(*p), &project_vt, child);
  if (!p) {
    ex_op_free(child);
    return SBD_ENOMEM;
  }
  p->exprs = exprs;
  p->n = n;
  p->op.schema = schema_new(q->ctx, n);
  sbd_status st = p->op.schema ? SBD_OK : SBD_ENOMEM;
  for (int i = 0; i < n && st == SBD_OK; i++)
    st = schema_set(q->ctx, p->op.schema, i, names[i], exprs[i]->type);
  if (st != SBD_OK) {
    ex_op_free(&p->op);
    return st;
  }
  *out = &p->op;
  return SBD_OK;
}

const ex_expr *ex_project_expr(const ex_op *op, int col) {
  if (!op || op->vt != &project_vt || col < 0 || col >= ((const project_op *)op)->n)
    return NULL;
  return ((const project_op *)op)->exprs[col];
}

/* ---- concat ---------------------------------------------------------------------------------*/

typedef struct concat_op {
  ex_op op; /* child: the first input, read to its end, then set to NULL */
  ex_op *second;
  ex_op *first_done; /* the first input once finished, freed with the operator */
} concat_op;

static sbd_status concat_next(ex_op *op, sbd_batch **out) {
  concat_op *c = (concat_op *)op;
  for (;;) {
    ex_op *from = op->child ? op->child : c->second;
    sbd_batch *b;
    RETURN_IF_ERROR(ex_op_next(from, &b));
    if (!b && op->child) {
      c->first_done = op->child;
      op->child = NULL;
      continue;
    }
    if (b && b->schema != op->schema) {
      /* The second input's names are not the result's: relabel (the types are equal). */
      schema_unref(b->schema);
      b->schema = schema_ref(op->schema);
    }
    *out = b;
    return SBD_OK;
  }
}

static void concat_free(ex_op *op) {
  concat_op *c = (concat_op *)op;
  ex_op_free(c->second);
  ex_op_free(c->first_done);
}

static const ex_op_vt concat_vt = {"concat", concat_next, concat_free};

sbd_status ex_concat_new(ex_query *q, ex_op *first, ex_op *second, ex_op **out) {
  concat_op *c = op_new(q, sizeof(*c), &concat_vt, first);
  if (!c) {
    ex_op_free(first);
    ex_op_free(second);
    return SBD_ENOMEM;
  }
  c->second = second;
  c->op.schema = schema_ref(first->schema);
  *out = &c->op;
  return SBD_OK;
}

/* ---- limit ----------------------------------------------------------------------------------*/

typedef struct limit_op {
  ex_op op;
  int64_t skip, left; /* left < 0: no limit */
} limit_op;

static sbd_status limit_next(ex_op *op, sbd_batch **out) {
  limit_op *l = (limit_op *)op;
  while (l->left != 0) {
    sbd_batch *b;
    RETURN_IF_ERROR(ex_op_next(op->child, &b));
    if (!b)
      return SBD_OK;
    int64_t from = l->skip < b->nrows ? l->skip : b->nrows;
    l->skip -= from;
    int64_t n = b->nrows - from;
    if (l->left >= 0 && n > l->left)
      n = l->left;
    if (n == 0) {
      sbd_batch_free(b);
      continue;
    }
    if (l->left > 0)
      l->left -= n;
    if (l->left == 0) {
      /* Nothing more is wanted from the input: close it now. */
      ex_op_free(op->child);
      op->child = NULL;
    }
    if (from == 0 && n == b->nrows) {
      *out = b;
      return SBD_OK;
    }
    sbd_status st = sbd_batch_slice(op->q->ctx, b, from, n, out);
    sbd_batch_free(b);
    return st;
  }
  return SBD_OK;
}

static const ex_op_vt limit_vt = {"limit", limit_next, NULL};

sbd_status ex_limit_new(ex_query *q, ex_op *child, int64_t limit, int64_t offset, ex_op **out) {
  limit_op *l = op_new(q, sizeof(*l), &limit_vt, child);
  if (!l) {
    ex_op_free(child);
    return SBD_ENOMEM;
  }
  l->skip = offset;
  l->left = limit;
  l->op.schema = schema_ref(child->schema);
  *out = &l->op;
  return SBD_OK;
}
