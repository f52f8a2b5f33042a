/*
 * repeat.c — the repeat operator: hands on each row of its child as many times as an INT64
 * column of the row says, keeping the columns before it. INTERSECT ALL and EXCEPT ALL are a
 * grouping that counts each distinct row on both sides, then this operator, which emits the row
 * min(left, right) or left - right times.
 *
 * It holds one child batch and where it stands in it (row, and copies of that row already
 * emitted), so that a row repeated more than SBD_BATCH_ROWS times continues in the next output
 * batch; an output batch never exceeds SBD_BATCH_ROWS rows.
 */
#include "exec/exec_int.h"

#include <stdlib.h>
#include <string.h>

typedef struct repeat_op {
  ex_op op;
  int count_col, nkeep;
  sbd_batch *in;
  int64_t row, done; /* the row of in being repeated, and the copies of it already emitted */
  int64_t *idx;      /* SBD_BATCH_ROWS row numbers of the output batch being made */
} repeat_op;

static int64_t count_of(const sbd_vec *v, int64_t i) {
  return vec_is_valid(v, i) ? ((const int64_t *)v->values)[i] : 0;
}

static sbd_status repeat_next(ex_op *op, sbd_batch **out) {
  repeat_op *r = (repeat_op *)op;
  for (;;) {
    if (!r->in) {
      RETURN_IF_ERROR(ex_op_next(op->child, &r->in));
      if (!r->in)
        return SBD_OK;
      r->row = r->done = 0;
    }
    const sbd_vec *counts = r->in->cols[r->count_col];
    int64_t n = 0;
    while (r->row < r->in->nrows && n < SBD_BATCH_ROWS) {
      int64_t c = count_of(counts, r->row);
      while (r->done < c && n < SBD_BATCH_ROWS) {
        r->idx[n++] = r->row;
        r->done++;
      }
      if (r->done >= c) {
        r->row++;
        r->done = 0;
      }
    }
    if (n > 0) {
      sbd_vec **cols = sbd_calloc(op->q->ctx, (size_t)(r->nkeep ? r->nkeep : 1), sizeof(sbd_vec *));
      sbd_status st = cols ? SBD_OK : SBD_ENOMEM;
      for (int c = 0; c < r->nkeep && st == SBD_OK; c++) {
        cols[c] = vec_new(op->q->ctx, r->in->cols[c]->type, n);
        st = cols[c] ? ex_vec_gather(op->q->ctx, cols[c], r->in->cols[c], r->idx, n) : SBD_ENOMEM;
      }
      if (st == SBD_OK)
        st = ex_batch_of(op->q, op->schema, cols, n, out);
      else if (cols)
        for (int c = 0; c < r->nkeep; c++)
          vec_free(cols[c]);
      free(cols);
      return st;
    }
    sbd_batch_free(r->in);
    r->in = NULL;
  }
}

static void repeat_free(ex_op *op) {
  repeat_op *r = (repeat_op *)op;
  sbd_batch_free(r->in);
  free(r->idx);
}

static const ex_op_vt repeat_vt = {"repeat", repeat_next, repeat_free};

sbd_status ex_repeat_new(ex_query *q, ex_op *child, int count_col, int nkeep, ex_op **out) {
  *out = NULL;
  repeat_op *r = sbd_calloc(q->ctx, 1, sizeof(*r));
  if (!r) {
    ex_op_free(child);
    return SBD_ENOMEM;
  }
  r->op.vt = &repeat_vt;
  r->op.q = q;
  r->op.child = child;
  r->count_col = count_col;
  r->nkeep = nkeep;
  r->idx = sbd_malloc(q->ctx, sizeof(int64_t) * SBD_BATCH_ROWS);
  r->op.schema = schema_new(q->ctx, nkeep);
  sbd_status st = r->idx && r->op.schema ? SBD_OK : SBD_ENOMEM;
  for (int c = 0; c < nkeep && st == SBD_OK; c++)
    st = schema_set(q->ctx, r->op.schema, c, child->schema->fields[c].name,
                    child->schema->fields[c].type);
  if (st != SBD_OK) {
    ex_op_free(&r->op);
    return st;
  }
  *out = &r->op;
  return SBD_OK;
}
