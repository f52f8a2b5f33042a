/*
 * dedup.c — the dedup engine behind `sbd dedup CONFIG` and sbd_dedup_run: read, link, cluster,
 * name, merge, write.
 *
 *  1. Read: the inputs stream through one reader (any format; malformed records are skipped
 *     into the rejects file and counted). Every value is kept as text in the record store, with
 *     the column types beside it. With --state, the records of earlier runs come first, each
 *     with its entity id; a new record with the id of a stored one replaces it. With SQL
 *     normalizers the inputs are read through a query (sql_query_with_tables) that adds each
 *     expression's value as a last column, kept beside the store (sqlvals), not in it.
 *  2. Link: for each match rule, each record's key (its columns normalized, joined by U+001F; a
 *     null, empty or placeholder component means no key) is computed on the pool, in ranges of
 *     records, and hashed to 64 bits; the key index (keyindex.c) finds the first record with the
 *     same key, verifying the bytes, and the two are joined in the union-find (when the keys
 *     would not fit in the memory limit beside the records, they spill to partitions on disk
 *     first). Fuzzy rules group
 *     records by their blocking key, skip (and report) blocks above max_block, and join the
 *     pairs of a block whose field is similar enough.
 *  3. Cluster: the connected components. A component above max_cluster is reported and not
 *     merged: its records stay entities of their own (rule "oversized").
 *  4. Name: components are taken in the order of their smallest record id. One that holds
 *     records of known entities keeps the oldest (smallest) of their ids, and the others merge
 *     into it (recorded old -> new); a new component gets the next id. Every tie is broken by
 *     record id, so the result is the same whatever the input order or thread count.
 *  5. Merge and write: golden records by survivorship (survive.c), the mapping (record id ->
 *     entity id and the rule that linked the record: the first rule, in configuration order,
 *     under which it shares a key with another record), the summary, and the state.
 */
#include "io/io_int.h"
#include "match/match_int.h"
#include "sql/sql_int.h"
#include "store/store_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RULE_NONE (-1)
#define RULE_OVERSIZED (-2)
/* Lists in the summary (oversized clusters, skipped blocks, merges) show at most this many. */
#define SUMMARY_LIST_MAX 100
#define NBUCKETS 8

static const char *const bucket_names[NBUCKETS] = {"1",   "2",     "3",       "4",
                                                   "5-9", "10-99", "100-999", "1000+"};

typedef struct dd_run {
  sbd_ctx *ctx;
  mt_config *cfg;
  const char *state_dir;
  mt_records recs;
  mt_strcol *sqlvals; /* per SQL normalizer: its value for each record (inputs read by a query) */
  int nsql;
  mt_state st;
  size_t nold; /* records that came from the state */
  uint8_t *alive;
  int16_t *rule;
  mt_uf uf;
  int64_t *links; /* per rule, exact then fuzzy */
  int64_t records_read, rejected, replaced;
  mt_buf skipped_json;
  int64_t nskipped;
  mt_buf oversized_json;
  int64_t noversized, oversized_records;
  uint32_t *order; /* alive records by id */
  size_t nalive;
  uint32_t *comp; /* per record */
  size_t ncomp;
  uint32_t *comp_start, *members;
  int64_t *comp_entity;
  int64_t *merges;
  size_t nmerges, merges_cap;
  int64_t new_entities;
  int64_t hist[NBUCKETS];
  int64_t memory_limit; /* bytes: the record store must fit, the key index adapts */
  int *key_partitions;  /* per exact rule: 1 in memory, more when spilled */
} dd_run;

/* ---- reading ----------------------------------------------------------------------------------*/

/* The record store's columns: the schema's but the SQL normalizers' values (the last nsql). */
static sbd_status init_store(dd_run *d, const sbd_schema *schema) {
  mt_records *r = &d->recs;
  r->ncols = schema->ncols - d->nsql;
  r->names = sbd_calloc(d->ctx, (size_t)r->ncols + 1, sizeof(char *));
  r->types = sbd_calloc(d->ctx, (size_t)r->ncols + 1, sizeof(sbd_type));
  if (!r->names || !r->types)
    return SBD_ENOMEM;
  for (int i = 0; i < r->ncols; i++) {
    r->types[i] = schema->fields[i].type;
    r->names[i] = sbd_strdup(d->ctx, schema->fields[i].name);
    if (!r->names[i])
      return SBD_ENOMEM;
  }
  return SBD_OK;
}

/* The state's columns must be the inputs' columns, in the same order and of the same types. */
static sbd_status check_state_columns(dd_run *d, const sbd_schema *schema) {
  const mt_records *r = &d->recs;
  for (int i = 0; i < schema->ncols || i < r->ncols; i++) {
    if (i >= r->ncols)
      return sbd_error(d->ctx, SBD_EUSAGE,
                       "dedup: the inputs have a column '%s' that the state in %s does not have",
                       schema->fields[i].name, d->state_dir);
    if (i >= schema->ncols)
      return sbd_error(d->ctx, SBD_EUSAGE,
                       "dedup: the state in %s has a column '%s' that the inputs do not have",
                       d->state_dir, r->names[i]);
    if (strcmp(r->names[i], schema->fields[i].name) != 0 || r->types[i] != schema->fields[i].type)
      return sbd_error(d->ctx, SBD_EUSAGE,
                       "dedup: column %d of the inputs is '%s' %s, but '%s' %s in the state in %s",
                       i + 1, schema->fields[i].name, sbd_type_name(schema->fields[i].type),
                       r->names[i], sbd_type_name(r->types[i]), d->state_dir);
  }
  return SBD_OK;
}

static sbd_status grow_known(dd_run *d, size_t *cap) {
  if (d->recs.n < *cap)
    return SBD_OK;
  size_t c = *cap ? *cap * 2 : 4096;
  int64_t *k = sbd_realloc(d->ctx, d->recs.known, c * sizeof(int64_t));
  if (!k)
    return SBD_ENOMEM;
  d->recs.known = k;
  *cap = c;
  return SBD_OK;
}

static sbd_status add_batch(dd_run *d, sbd_batch *b, mt_buf *text, mt_buf *row, size_t *known_cap) {
  mt_records *r = &d->recs;
  int64_t nrows = sbd_batch_nrows(b);
  for (int64_t i = 0; i < nrows; i++) {
    RETURN_ERROR_IF(r->n >= MT_MAX_RECORDS, d->ctx, SBD_ELIMIT,
                    "dedup: more than %u records in one run", MT_MAX_RECORDS);
    RETURN_IF_ERROR(grow_known(d, known_cap));
    row->len = 0;
    for (int c = 0; c < r->ncols + d->nsql; c++) {
      int64_t n = sbd_batch_value_text(b, c, i, text->p, text->cap);
      if (n >= 0 && (size_t)n >= text->cap) {
        size_t cap = text->cap;
        while (cap <= (size_t)n)
          cap *= 2;
        char *p = sbd_realloc(d->ctx, text->p, cap);
        if (!p)
          return SBD_ENOMEM;
        text->p = p;
        text->cap = cap;
        n = sbd_batch_value_text(b, c, i, text->p, text->cap);
      }
      if (c >= r->ncols) {
        if (!mt_strcol_push(&d->sqlvals[c - r->ncols], n < 0 ? "" : text->p, n < 0 ? 0 : (size_t)n,
                            n < 0))
          return sbd_error(d->ctx, SBD_ENOMEM, "out of memory");
        continue;
      }
      if (!mt_row_put(row, n < 0 ? NULL : text->p, n < 0 ? 0 : (size_t)n))
        return sbd_error(d->ctx, SBD_ENOMEM, "out of memory");
      if (c == d->cfg->id_idx) {
        RETURN_ERROR_IF(n < 0, d->ctx, SBD_EINPUT,
                        "dedup: record %lld of the inputs has no id (column '%s' is empty)",
                        (long long)d->records_read + 1, d->cfg->id_col);
        if (!mt_strcol_push(&r->ids, text->p, (size_t)n, false))
          return sbd_error(d->ctx, SBD_ENOMEM, "out of memory");
      }
    }
    if (!mt_records_add(r, row->p, row->len))
      return sbd_error(d->ctx, SBD_ENOMEM, "out of memory");
    d->records_read++;
    if (d->cfg->id_idx < 0) {
      char id[64];
      int n =
          snprintf(id, sizeof(id), "%lld-%lld", (long long)d->st.run, (long long)d->records_read);
      if (!mt_strcol_push(&r->ids, id, (size_t)n, false))
        return sbd_error(d->ctx, SBD_ENOMEM, "out of memory");
    }
    r->known[r->n - 1] = -1;
  }
  return SBD_OK;
}

#define QUERY_ALL (-1)  /* the columns and every SQL normalizer */
#define QUERY_NONE (-2) /* the columns alone */

/* The SQL that reads the inputs with the SQL normalizers' values as extra last columns: one
 * SELECT per input (each a table named for the query), joined by UNION ALL. only is QUERY_ALL,
 * QUERY_NONE, or the number of one SQL normalizer (then without the columns). */
static bool query_text(const mt_config *cfg, int only, mt_buf *q) {
  bool ok = true;
  q->len = 0;
  for (int i = 0; ok && i < cfg->ninputs; i++) {
    ok = mt_buf_printf(q, "%sSELECT %s", i ? " UNION ALL " : "", only >= 0 ? "" : "*");
    int k = 0;
    for (int j = 0; ok && j < cfg->nnorms; j++) {
      const mt_column_norm *cn = &cfg->norms[j];
      if (cn->sql < 0 || only == QUERY_NONE || (only >= 0 && cn->sql != only))
        continue;
      ok = mt_buf_printf(q, "%s(%s) AS \"__sbd_norm_%d\"", only >= 0 && k == 0 ? "" : ", ",
                         cn->steps[0].sql, cn->sql);
      k++;
    }
    ok = ok && mt_buf_printf(q, " FROM input_%d", i + 1);
  }
  return ok && mt_buf_addc(q, '\0');
}

/* Opens the inputs through a query that computes the SQL normalizers. The normalizers are
 * numbered in configuration order, as the columns of the query. A bad expression is an error
 * naming its config line and the SQL message. */
static sbd_status open_query(dd_run *d, const sbd_options *o, sbd_reader **out) {
  mt_config *cfg = d->cfg;
  RETURN_ERROR_IF(d->state_dir, d->ctx, SBD_EUNSUPPORTED,
                  "%s: SQL normalizers with --state are not supported yet", cfg->path);
  RETURN_ERROR_IF(cfg->ninputs > 64, d->ctx, SBD_ELIMIT,
                  "%s: SQL normalizers read at most 64 inputs, not %d", cfg->path, cfg->ninputs);
  sql_table tables[64];
  char names[64][32];
  for (int i = 0; i < cfg->ninputs; i++) {
    snprintf(names[i], sizeof(names[i]), "input_%d", i + 1);
    tables[i] = (sql_table){names[i], cfg->inputs[i], o};
  }
  mt_buf q = {0};
  if (!query_text(cfg, QUERY_ALL, &q))
    return sbd_error(d->ctx, SBD_ENOMEM, "out of memory");
  sbd_status st = sql_query_with_tables(d->ctx, q.p, tables, cfg->ninputs, out);
  if (st != SBD_OK && st != SBD_ENOMEM) {
    /* An input that cannot be read is no expression's fault: its error stands as it is. */
    sbd_reader *plain = NULL;
    sbd_status st0 = query_text(cfg, QUERY_NONE, &q)
                         ? sql_query_with_tables(d->ctx, q.p, tables, cfg->ninputs, &plain)
                         : SBD_ENOMEM;
    if (plain)
      sbd_reader_close(plain);
    if (st0 != SBD_OK) {
      mt_buf_free(&q);
      return st0 == SBD_ENOMEM ? sbd_error(d->ctx, st0, "out of memory") : st0;
    }
  }
  for (int j = 0; st != SBD_OK && st != SBD_ENOMEM && j < cfg->nnorms; j++) {
    /* Which expression: the first that fails alone. */
    const mt_column_norm *cn = &cfg->norms[j];
    sbd_reader *one = NULL;
    if (cn->sql < 0)
      continue;
    if (!query_text(cfg, cn->sql, &q)) {
      st = SBD_ENOMEM;
      break;
    }
    sbd_status st1 = sql_query_with_tables(d->ctx, q.p, tables, cfg->ninputs, &one);
    if (one)
      sbd_reader_close(one);
    if (st1 != SBD_OK && st1 != SBD_ENOMEM) {
      char msg[2048];
      snprintf(msg, sizeof(msg), "%s", sbd_errmsg(d->ctx));
      st = sbd_error(d->ctx, st1, "%s:%d: normalize '%s': sql: %s", cfg->path, cn->steps[0].line,
                     cn->column, msg);
      break;
    }
  }
  mt_buf_free(&q);
  if (st == SBD_OK) {
    d->sqlvals = sbd_calloc(d->ctx, (size_t)cfg->nsql, sizeof(mt_strcol));
    d->nsql = cfg->nsql;
    if (!d->sqlvals) {
      sbd_reader_close(*out);
      *out = NULL;
      st = SBD_ENOMEM;
    }
  }
  return st;
}

static sbd_status read_inputs(dd_run *d) {
  mt_config *cfg = d->cfg;
  sbd_options *o = sbd_options_new();
  if (!o)
    return sbd_error(d->ctx, SBD_ENOMEM, "out of memory");
  sbd_status st = SBD_OK;
  if (cfg->format)
    st = sbd_options_set(o, "format", cfg->format);
  /* Through a query (SQL normalizers), a malformed record stops the run: the rejects of the
   * readers beneath a query are not counted. */
  if (st == SBD_OK && cfg->nsql == 0)
    st = sbd_options_set(o, "on_error", "skip");
  if (st == SBD_OK && cfg->out_rejects && cfg->nsql == 0)
    st = sbd_options_set(o, "rejects", cfg->out_rejects);
  if (st == SBD_OK && d->recs.names) {
    /* With a state, the inputs are read with the state's column types, so that an input whose
     * sample would infer another type (or an empty one) still fits. */
    mt_buf types = {0};
    bool ok = true;
    for (int i = 0; ok && i < d->recs.ncols; i++)
      ok = mt_buf_printf(&types, "%s%s:%s", i ? "," : "", d->recs.names[i],
                         sbd_type_name(d->recs.types[i]));
    st = ok ? sbd_options_set(o, "schema", types.p ? types.p : "") : SBD_ENOMEM;
    mt_buf_free(&types);
  } else if (st == SBD_OK && cfg->schema) {
    st = sbd_options_set(o, "schema", cfg->schema);
  }
  sbd_reader *reader = NULL;
  if (st == SBD_OK && cfg->nsql > 0)
    st = open_query(d, o, &reader);
  else if (st == SBD_OK)
    st = sbd_reader_open(d->ctx, (const char *const *)cfg->inputs, cfg->ninputs, o, &reader);
  sbd_options_free(o);
  if (st != SBD_OK)
    return st == SBD_ENOMEM ? sbd_error(d->ctx, st, "out of memory") : st;
  const sbd_schema *schema = sbd_reader_schema(reader);
  st = mt_config_bind(d->ctx, cfg, schema);
  if (st == SBD_OK)
    st = d->recs.names ? check_state_columns(d, schema) : init_store(d, schema);
  mt_buf text = {0}, row = {0};
  size_t known_cap = d->recs.n;
  if (st == SBD_OK) {
    text.p = sbd_malloc(d->ctx, 256);
    text.cap = 256;
    if (!text.p)
      st = SBD_ENOMEM;
  }
  while (st == SBD_OK) {
    sbd_batch *b;
    st = sbd_reader_next(reader, &b);
    if (st != SBD_OK && st != SBD_ENOMEM && cfg->nsql > 0) {
      /* An error in the data of a SQL normalizer (or of the reading query's inputs). */
      char msg[2048];
      snprintf(msg, sizeof(msg), "%s", sbd_errmsg(d->ctx));
      st = sbd_error(d->ctx, st, "%s: reading the inputs with the SQL normalizers: %s", cfg->path,
                     msg);
    }
    if (st != SBD_OK || !b)
      break;
    st = add_batch(d, b, &text, &row, &known_cap);
    sbd_batch_free(b);
  }
  d->rejected = sbd_reader_rejected(reader);
  sbd_reader_close(reader);
  mt_buf_free(&text);
  mt_buf_free(&row);
  return st;
}

/* Marks replaced records dead; a new record with a stored record's id takes its entity. Two new
 * records with one id are an error. */
static sbd_status check_ids(dd_run *d) {
  mt_records *r = &d->recs;
  d->alive = sbd_malloc(d->ctx, r->n + 1);
  if (!d->alive)
    return SBD_ENOMEM;
  memset(d->alive, 1, r->n + 1);
  mt_keys ids = {&r->ids, 1, r->n ? r->n : 1};
  mt_keyindex ix;
  if (!mt_keyindex_init(&ix, &ids, r->n))
    return sbd_error(d->ctx, SBD_ENOMEM, "out of memory");
  sbd_status st = SBD_OK;
  for (size_t i = 0; i < r->n && st == SBD_OK; i++) {
    size_t n;
    const char *id = mt_strcol_get(&r->ids, i, &n);
    uint32_t first = mt_keyindex_find_or_add(&ix, hash_bytes(id, n, 0), (uint32_t)i);
    if (first == UINT32_MAX) {
      st = sbd_error(d->ctx, SBD_ENOMEM, "out of memory");
    } else if (first != i) {
      char q[96];
      if (first < d->nold && i >= d->nold && d->alive[first]) {
        d->alive[first] = 0;
        r->known[i] = r->known[first];
        d->replaced++;
      } else {
        st = sbd_error(d->ctx, SBD_EINPUT, "dedup: record id %s appears twice in the inputs",
                       sbd_quote_value(q, sizeof(q), id, n));
      }
    }
  }
  mt_keyindex_free(&ix);
  return st;
}

/* ---- keys
 * ---------------------------------------------------------------------------------------*/

/* The normalized placeholders of each column (computed once per column that a key uses). */
typedef struct placeholders {
  mt_strcol *per_col; /* ncols; n == 0 until computed */
  uint8_t *done;
} placeholders;

static sbd_status prepare_placeholders(dd_run *d, placeholders *ph, const int *cols, int ncols) {
  mt_buf b = {0};
  for (int j = 0; j < ncols; j++) {
    int c = cols[j];
    if (ph->done[c])
      continue;
    ph->done[c] = 1;
    const mt_column_norm *cn = d->cfg->norm[c];
    for (int i = 0; i < d->cfg->nplaceholders; i++) {
      const char *p = d->cfg->placeholders[i];
      if (!mt_normalize(cn ? cn->steps : NULL, cn ? cn->nsteps : 0, p, strlen(p), &b) ||
          !mt_strcol_push(&ph->per_col[c], b.p ? b.p : "", b.len, false)) {
        mt_buf_free(&b);
        return sbd_error(d->ctx, SBD_ENOMEM, "out of memory");
      }
    }
  }
  mt_buf_free(&b);
  return SBD_OK;
}

static bool is_placeholder(const mt_strcol *ph, const char *s, size_t n) {
  for (size_t i = 0; i < ph->n; i++) {
    size_t pn;
    const char *p = mt_strcol_get(ph, i, &pn);
    if (pn == n && memcmp(p, s, n) == 0)
      return true;
  }
  return false;
}

typedef struct latch {
  pthread_mutex_t lock;
  pthread_cond_t done;
  int left;
} latch;

typedef struct key_task {
  dd_run *d;
  const int *cols;
  int ncols;
  const placeholders *ph;
  size_t lo, hi;
  mt_strcol out;
  uint64_t *hash;
  FILE **spill; /* npart files: keys go there by hash instead of to out and hash */
  int npart;
  bool oom, io_error;
  latch *l;
} key_task;

/* A spilled key: record, hash, length, then the key bytes. */
typedef struct spill_head {
  uint32_t rec, len;
  uint64_t hash;
} spill_head;

/* Computes the keys of records [lo, hi) into the task's own column. */
static void key_task_run(void *arg) {
  key_task *t = arg;
  const mt_records *r = &t->d->recs;
  mt_buf key = {0}, part = {0};
  for (size_t i = t->lo; i < t->hi && !t->oom && !t->io_error; i++) {
    bool has = t->d->alive[i];
    key.len = 0;
    for (int j = 0; has && j < t->ncols; j++) {
      int c = t->cols[j];
      size_t n;
      const mt_column_norm *cn = t->d->cfg->norm[c];
      const char *v = cn && cn->sql >= 0 ? mt_strcol_get(&t->d->sqlvals[cn->sql], i, &n)
                                         : mt_records_get(r, i, c, &n);
      if (!v) {
        has = false;
        break;
      }
      if (!mt_normalize(cn ? cn->steps : NULL, cn ? cn->nsteps : 0, v, n, &part)) {
        t->oom = true;
        break;
      }
      if (part.len == 0 || is_placeholder(&t->ph->per_col[c], part.p, part.len)) {
        has = false;
        break;
      }
      if ((j > 0 && !mt_buf_addc(&key, '\x1f')) || !mt_buf_add(&key, part.p, part.len))
        t->oom = true;
    }
    size_t klen = key.len > MT_MAX_KEY_BYTES ? MT_MAX_KEY_BYTES : key.len;
    uint64_t h = has ? hash_bytes(key.p, klen, 0) : 0;
    if (t->spill) {
      if (has && !t->oom) {
        /* The top bits pick the partition; the index uses the low ones. */
        FILE *f = t->spill[(h >> 40) % (uint64_t)t->npart];
        spill_head head = {(uint32_t)i, (uint32_t)klen, h};
        if (fwrite(&head, sizeof(head), 1, f) != 1 || fwrite(key.p, 1, klen, f) != klen)
          t->io_error = true;
      }
      continue;
    }
    if (!t->oom && !mt_strcol_push(&t->out, key.p, has ? klen : 0, !has))
      t->oom = true;
    t->hash[i] = h;
  }
  mt_buf_free(&key);
  mt_buf_free(&part);
  if (t->l) {
    pthread_mutex_lock(&t->l->lock);
    if (--t->l->left == 0)
      pthread_cond_signal(&t->l->done);
    pthread_mutex_unlock(&t->l->lock);
  }
}

/* Runs key tasks over all records, in ranges on the context's pool. */
static sbd_status run_key_tasks(dd_run *d, key_task *tasks, int ntasks, pool *p) {
  latch l;
  pthread_mutex_init(&l.lock, NULL);
  pthread_cond_init(&l.done, NULL);
  l.left = 0;
  if (p) {
    l.left = ntasks;
    for (int i = 0; i < ntasks; i++) {
      tasks[i].l = &l;
      if (!pool_submit(p, key_task_run, &tasks[i])) {
        /* Not queued: run it here, and count it down as a worker would. */
        key_task_run(&tasks[i]);
      }
    }
    pthread_mutex_lock(&l.lock);
    while (l.left > 0)
      pthread_cond_wait(&l.done, &l.lock);
    pthread_mutex_unlock(&l.lock);
  } else {
    for (int i = 0; i < ntasks; i++)
      key_task_run(&tasks[i]);
  }
  pthread_mutex_destroy(&l.lock);
  pthread_cond_destroy(&l.done);
  return SBD_OK;
}

/* How the records are cut into tasks: several per thread when the pool is worth it. */
static int plan_tasks(dd_run *d, pool **p) {
  int threads = sbd_ctx_threads(d->ctx);
  *p = threads > 1 && d->recs.n > 8192 ? ctx_pool(d->ctx) : NULL;
  return *p ? threads * 4 : 1;
}

/* The key of every record over cols (null where a record has none) and its hash. */
static sbd_status compute_keys(dd_run *d, placeholders *ph, const int *cols, int ncols,
                               mt_keys *out, uint64_t **hash_out) {
  RETURN_IF_ERROR(prepare_placeholders(d, ph, cols, ncols));
  size_t n = d->recs.n;
  uint64_t *hash = sbd_malloc(d->ctx, (n + 1) * sizeof(uint64_t));
  if (!hash)
    return SBD_ENOMEM;
  pool *p;
  int ntasks = plan_tasks(d, &p);
  key_task *tasks = sbd_calloc(d->ctx, (size_t)ntasks, sizeof(key_task));
  if (!tasks) {
    free(hash);
    return SBD_ENOMEM;
  }
  size_t per = n / (size_t)ntasks + 1;
  for (int i = 0; i < ntasks; i++) {
    key_task *t = &tasks[i];
    t->d = d, t->cols = cols, t->ncols = ncols, t->ph = ph, t->hash = hash;
    t->lo = (size_t)i * per < n ? (size_t)i * per : n;
    t->hi = t->lo + per < n ? t->lo + per : n;
  }
  run_key_tasks(d, tasks, ntasks, p);
  /* The tasks' columns become the segments of the keys, without a copy. */
  bool oom = false;
  out->seg = sbd_calloc(d->ctx, (size_t)ntasks, sizeof(mt_strcol));
  out->nseg = out->seg ? ntasks : 0;
  out->per = per;
  for (int i = 0; i < ntasks; i++) {
    oom = oom || tasks[i].oom || !out->seg;
    if (out->seg)
      out->seg[i] = tasks[i].out;
    else
      mt_strcol_free(&tasks[i].out);
  }
  free(tasks);
  if (oom) {
    mt_keys_free(out);
    free(hash);
    return sbd_error(d->ctx, SBD_ENOMEM, "out of memory computing match keys");
  }
  *hash_out = hash;
  return SBD_OK;
}

static void attribute(dd_run *d, uint32_t a, uint32_t b, int rule) {
  if (d->rule[a] == RULE_NONE)
    d->rule[a] = (int16_t)rule;
  if (d->rule[b] == RULE_NONE)
    d->rule[b] = (int16_t)rule;
}

/* ---- the key index in partitions spilled to temporary files ------------------------------------
 * When the keys of a rule would not fit in what the memory limit leaves beside the records, each
 * task writes its records' keys to one of npart temporary files by hash; then each partition (the
 * same key always lands in the same one) is read back alone, indexed and linked. The links are
 * those of the in-memory index, as a key's records all meet in its partition. */

/* The bytes the record store holds (it stays in memory). */
static int64_t records_bytes(const dd_run *d) {
  const mt_records *r = &d->recs;
  return (int64_t)(r->bytes_cap + r->row_cap * sizeof(int64_t) + r->ids.bytes_cap +
                   r->ids.cap * (sizeof(int64_t) + 1) + r->n * sizeof(int64_t));
}

/* The bytes an in-memory key index for cols needs, estimated from a sample of records: keys,
 * offsets and hashes (about 17 bytes a record beyond the key), the table (24 bytes a record), the
 * union-find and rule marks already held. */
static sbd_status estimate_key_bytes(dd_run *d, placeholders *ph, const int *cols, int ncols,
                                     int64_t *out) {
  RETURN_IF_ERROR(prepare_placeholders(d, ph, cols, ncols));
  size_t n = d->recs.n, sample = n < 4096 ? n : 4096;
  key_task t;
  memset(&t, 0, sizeof(t));
  uint64_t *hash = sbd_malloc(d->ctx, (n + 1) * sizeof(uint64_t));
  if (!hash)
    return SBD_ENOMEM;
  int64_t key_bytes = 0;
  /* Evenly spread sample ranges of 64 records. */
  size_t step = sample ? n / (sample / 64 + 1) + 1 : 1;
  size_t seen = 0;
  for (size_t lo = 0; lo < n && !t.oom; lo += step) {
    t.d = d, t.cols = cols, t.ncols = ncols, t.ph = ph, t.hash = hash;
    t.lo = lo;
    t.hi = lo + 64 < n ? lo + 64 : n;
    key_task_run(&t);
    seen += t.hi - t.lo;
  }
  key_bytes = t.out.n ? (int64_t)t.out.off[t.out.n] : 0;
  bool oom = t.oom;
  mt_strcol_free(&t.out);
  free(hash);
  if (oom)
    return sbd_error(d->ctx, SBD_ENOMEM, "out of memory");
  double per_record = seen ? (double)key_bytes / (double)seen : 0;
  *out = (int64_t)((per_record + 17 + 24) * (double)n);
  return SBD_OK;
}

static sbd_status link_partition(dd_run *d, int k, FILE **files, int nfiles) {
  mt_strcol keys = {0};
  uint32_t *recs = NULL;
  uint64_t *hash = NULL;
  size_t n = 0, cap = 0;
  sbd_status st = SBD_OK;
  for (int f = 0; f < nfiles && st == SBD_OK; f++) {
    rewind(files[f]);
    spill_head head;
    while (st == SBD_OK && fread(&head, sizeof(head), 1, files[f]) == 1) {
      char *buf = sbd_malloc(d->ctx, head.len + 1);
      if (!buf) {
        st = SBD_ENOMEM;
        break;
      }
      if (fread(buf, 1, head.len, files[f]) != head.len) {
        free(buf);
        st = sbd_error(d->ctx, SBD_EIO, "dedup: a spilled key partition is truncated");
        break;
      }
      if (n == cap) {
        cap = cap ? cap * 2 : 4096;
        uint32_t *r2 = realloc(recs, cap * sizeof(uint32_t));
        uint64_t *h2 = r2 ? realloc(hash, cap * sizeof(uint64_t)) : NULL;
        if (r2)
          recs = r2;
        if (h2)
          hash = h2;
        if (!r2 || !h2) {
          free(buf);
          st = sbd_error(d->ctx, SBD_ENOMEM, "out of memory");
          break;
        }
      }
      recs[n] = head.rec;
      hash[n] = head.hash;
      bool ok = mt_strcol_push(&keys, buf, head.len, false);
      free(buf);
      if (!ok) {
        st = sbd_error(d->ctx, SBD_ENOMEM, "out of memory");
        break;
      }
      n++;
    }
    if (st == SBD_OK && ferror(files[f]))
      st = sbd_error(d->ctx, SBD_EIO, "dedup: cannot read back a spilled key partition");
  }
  if (st == SBD_OK && n > 0) {
    mt_keys kk = {&keys, 1, n};
    mt_keyindex ix;
    if (!mt_keyindex_init(&ix, &kk, n / 2)) {
      st = sbd_error(d->ctx, SBD_ENOMEM, "out of memory");
    } else {
      for (size_t i = 0; i < n; i++) {
        uint32_t first = mt_keyindex_find_or_add(&ix, hash[i], (uint32_t)i);
        if (first == UINT32_MAX) {
          st = sbd_error(d->ctx, SBD_ENOMEM, "out of memory");
          break;
        }
        if (first != i) {
          d->links[k]++;
          mt_uf_union(&d->uf, recs[first], recs[i]);
          attribute(d, recs[first], recs[i], k);
        }
      }
      mt_keyindex_free(&ix);
    }
  }
  mt_strcol_free(&keys);
  free(recs);
  free(hash);
  return st;
}

static sbd_status link_exact_spilled(dd_run *d, placeholders *ph, int k, int npart) {
  const mt_rule *rule = &d->cfg->rules[k];
  pool *p;
  int ntasks = plan_tasks(d, &p);
  size_t n = d->recs.n;
  key_task *tasks = sbd_calloc(d->ctx, (size_t)ntasks, sizeof(key_task));
  FILE **files = sbd_calloc(d->ctx, (size_t)ntasks * (size_t)npart, sizeof(FILE *));
  uint64_t *hash = sbd_malloc(d->ctx, sizeof(uint64_t) * (n + 1));
  sbd_status st = tasks && files && hash ? SBD_OK : SBD_ENOMEM;
  for (int i = 0; st == SBD_OK && i < ntasks * npart; i++) {
    files[i] = tmpfile();
    if (!files[i])
      st = sbd_error(d->ctx, SBD_EIO, "dedup: cannot create a temporary file to spill keys: %s",
                     strerror(errno));
  }
  size_t per = n / (size_t)ntasks + 1;
  if (st == SBD_OK) {
    for (int i = 0; i < ntasks; i++) {
      key_task *t = &tasks[i];
      t->d = d, t->cols = rule->cols, t->ncols = rule->ncols, t->ph = ph, t->hash = hash;
      t->lo = (size_t)i * per < n ? (size_t)i * per : n;
      t->hi = t->lo + per < n ? t->lo + per : n;
      t->spill = files + (size_t)i * (size_t)npart;
      t->npart = npart;
    }
    run_key_tasks(d, tasks, ntasks, p);
    for (int i = 0; i < ntasks && st == SBD_OK; i++) {
      if (tasks[i].oom)
        st = sbd_error(d->ctx, SBD_ENOMEM, "out of memory computing match keys");
      else if (tasks[i].io_error)
        st = sbd_error(d->ctx, SBD_EIO, "dedup: cannot write spilled keys: %s", strerror(errno));
      mt_strcol_free(&tasks[i].out);
    }
  }
  /* Partition q is file q of every task, in task order. */
  FILE **mine = st == SBD_OK ? sbd_calloc(d->ctx, (size_t)ntasks, sizeof(FILE *)) : NULL;
  if (st == SBD_OK && !mine)
    st = SBD_ENOMEM;
  for (int q = 0; q < npart && st == SBD_OK; q++) {
    for (int i = 0; i < ntasks; i++)
      mine[i] = files[(size_t)i * (size_t)npart + (size_t)q];
    st = link_partition(d, k, mine, ntasks);
  }
  free(mine);
  for (int i = 0; files && i < ntasks * npart; i++)
    if (files[i])
      fclose(files[i]);
  free(files);
  free(tasks);
  free(hash);
  return st;
}

static sbd_status link_exact(dd_run *d, placeholders *ph, int k) {
  const mt_rule *rule = &d->cfg->rules[k];
  int64_t need = 0, left = d->memory_limit - records_bytes(d);
  RETURN_IF_ERROR(estimate_key_bytes(d, ph, rule->cols, rule->ncols, &need));
  if (need > left) {
    /* Enough partitions that one fits in half of what is left (a power of two, at most 4096). */
    int npart = 2;
    int64_t room = left / 2 > (1 << 20) ? left / 2 : (1 << 20);
    while (npart < 4096 && need / npart > room)
      npart *= 2;
    d->key_partitions[k] = npart;
    return link_exact_spilled(d, ph, k, npart);
  }
  d->key_partitions[k] = 1;
  mt_keys keys = {0};
  uint64_t *hash = NULL;
  RETURN_IF_ERROR(compute_keys(d, ph, rule->cols, rule->ncols, &keys, &hash));
  mt_keyindex ix;
  sbd_status st = SBD_OK;
  if (!mt_keyindex_init(&ix, &keys, d->recs.n / 2)) {
    st = sbd_error(d->ctx, SBD_ENOMEM, "out of memory");
  } else {
    for (size_t r = 0; r < d->recs.n; r++) {
      size_t kn;
      if (!mt_keys_get(&keys, r, &kn))
        continue;
      uint32_t first = mt_keyindex_find_or_add(&ix, hash[r], (uint32_t)r);
      if (first == UINT32_MAX) {
        st = sbd_error(d->ctx, SBD_ENOMEM, "out of memory in the key index of rule '%s'",
                       rule->name);
        break;
      }
      if (first != r) {
        d->links[k]++;
        mt_uf_union(&d->uf, first, (uint32_t)r);
        attribute(d, first, (uint32_t)r, k);
      }
    }
    mt_keyindex_free(&ix);
  }
  mt_keys_free(&keys);
  free(hash);
  return st;
}

typedef struct block_order {
  const mt_keys *keys;
  const uint64_t *hash;
} block_order;

static int cmp_block(const void *ctx, uint32_t a, uint32_t b) {
  const block_order *o = ctx;
  if (o->hash[a] != o->hash[b])
    return o->hash[a] < o->hash[b] ? -1 : 1;
  size_t na, nb;
  const char *ka = mt_keys_get(o->keys, a, &na), *kb = mt_keys_get(o->keys, b, &nb);
  int c = memcmp(ka, kb, na < nb ? na : nb);
  if (c)
    return c;
  if (na != nb)
    return na < nb ? -1 : 1;
  return (a > b) - (a < b);
}

static bool same_block(const block_order *o, uint32_t a, uint32_t b) {
  if (o->hash[a] != o->hash[b])
    return false;
  size_t na, nb;
  const char *ka = mt_keys_get(o->keys, a, &na), *kb = mt_keys_get(o->keys, b, &nb);
  return na == nb && memcmp(ka, kb, na) == 0;
}

static sbd_status note_skipped_block(dd_run *d, const mt_fuzzy *f, const char *key, size_t n,
                                     size_t size) {
  d->nskipped++;
  if (d->nskipped > SUMMARY_LIST_MAX)
    return SBD_OK;
  mt_buf *j = &d->skipped_json;
  bool ok = mt_buf_add(j, d->nskipped > 1 ? "," : "", d->nskipped > 1) &&
            mt_buf_add(j, "{\"rule\":", 8) && mt_buf_json_str(j, f->name, strlen(f->name)) &&
            mt_buf_add(j, ",\"block\":", 9) && mt_buf_json_str(j, key, n) &&
            mt_buf_printf(j, ",\"size\":%zu}", size);
  return ok ? SBD_OK : sbd_error(d->ctx, SBD_ENOMEM, "out of memory");
}

static bool fuzzy_match(const mt_fuzzy *f, const uint32_t *a, size_t na, const uint32_t *b,
                        size_t nb) {
  if (f->method == MT_JARO_WINKLER)
    return mt_jaro_winkler(a, na, b, nb) >= f->threshold;
  return mt_levenshtein(a, na, b, nb, f->max_distance) <= f->max_distance;
}

static sbd_status link_fuzzy(dd_run *d, placeholders *ph, int k) {
  const mt_fuzzy *f = &d->cfg->fuzzy[k];
  int rule_no = d->cfg->nrules + k;
  mt_keys blocks = {0}, fields = {0};
  uint64_t *bhash = NULL, *fhash = NULL;
  uint32_t *recs = NULL, *cps = NULL;
  size_t *lens = NULL;
  sbd_status st = compute_keys(d, ph, f->block_cols, f->nblock, &blocks, &bhash);
  if (st == SBD_OK)
    st = compute_keys(d, ph, &f->field_col, 1, &fields, &fhash);
  size_t n = 0;
  if (st == SBD_OK) {
    recs = sbd_malloc(d->ctx, (d->recs.n + 1) * sizeof(uint32_t));
    st = recs ? SBD_OK : SBD_ENOMEM;
  }
  if (st == SBD_OK) {
    for (size_t r = 0; r < d->recs.n; r++) {
      size_t bn, fn;
      if (mt_keys_get(&blocks, r, &bn) && mt_keys_get(&fields, r, &fn))
        recs[n++] = (uint32_t)r;
    }
    block_order o = {&blocks, bhash};
    if (!mt_sort_u32(recs, n, cmp_block, &o))
      st = sbd_error(d->ctx, SBD_ENOMEM, "out of memory");
    size_t cap_members = 0;
    for (size_t i = 0; st == SBD_OK && i < n;) {
      size_t j = i + 1;
      while (j < n && same_block(&o, recs[i], recs[j]))
        j++;
      size_t m = j - i;
      if (m > (size_t)f->max_block) {
        size_t kn;
        const char *kv = mt_keys_get(&blocks, recs[i], &kn);
        st = note_skipped_block(d, f, kv, kn, m);
        i = j;
        continue;
      }
      if (m > cap_members) {
        free(cps);
        free(lens);
        cap_members = m;
        cps = malloc(m * MT_MAX_FUZZY_CHARS * sizeof(uint32_t));
        lens = malloc(m * sizeof(size_t));
        if (!cps || !lens) {
          st = sbd_error(d->ctx, SBD_ENOMEM, "out of memory");
          break;
        }
      }
      for (size_t a = 0; a < m; a++) {
        size_t vn;
        const char *v = mt_keys_get(&fields, recs[i + a], &vn);
        lens[a] = mt_utf8_decode(v, vn, cps + a * MT_MAX_FUZZY_CHARS, MT_MAX_FUZZY_CHARS);
      }
      for (size_t a = 0; a < m; a++) {
        for (size_t b = a + 1; b < m; b++) {
          if (fuzzy_match(f, cps + a * MT_MAX_FUZZY_CHARS, lens[a], cps + b * MT_MAX_FUZZY_CHARS,
                          lens[b])) {
            d->links[rule_no]++;
            mt_uf_union(&d->uf, recs[i + a], recs[i + b]);
            attribute(d, recs[i + a], recs[i + b], rule_no);
          }
        }
      }
      i = j;
    }
  }
  free(cps);
  free(lens);
  free(recs);
  mt_keys_free(&blocks);
  mt_keys_free(&fields);
  free(bhash);
  free(fhash);
  return st;
}

/* ---- clusters and entity ids ------------------------------------------------------------------*/

static int cmp_id(const void *ctx, uint32_t a, uint32_t b) {
  const mt_strcol *ids = ctx;
  size_t na, nb;
  const char *ia = mt_strcol_get(ids, a, &na), *ib = mt_strcol_get(ids, b, &nb);
  int c = memcmp(ia, ib, na < nb ? na : nb);
  if (c)
    return c;
  return (na > nb) - (na < nb);
}

static sbd_status note_oversized(dd_run *d, uint32_t first, uint32_t size) {
  d->noversized++;
  d->oversized_records += size;
  if (d->noversized > SUMMARY_LIST_MAX)
    return SBD_OK;
  size_t n;
  const char *id = mt_strcol_get(&d->recs.ids, first, &n);
  mt_buf *j = &d->oversized_json;
  bool ok = mt_buf_add(j, d->noversized > 1 ? "," : "", d->noversized > 1) &&
            mt_buf_printf(j, "{\"size\":%u,\"first_record\":", size) && mt_buf_json_str(j, id, n) &&
            mt_buf_addc(j, '}');
  return ok ? SBD_OK : sbd_error(d->ctx, SBD_ENOMEM, "out of memory");
}

static sbd_status build_components(dd_run *d) {
  size_t n = d->recs.n;
  d->order = sbd_malloc(d->ctx, (n + 1) * sizeof(uint32_t));
  d->comp = sbd_malloc(d->ctx, (n + 1) * sizeof(uint32_t));
  uint32_t *comp_of_root = sbd_malloc(d->ctx, (n + 1) * sizeof(uint32_t));
  if (!d->order || !d->comp || !comp_of_root) {
    free(comp_of_root);
    return SBD_ENOMEM;
  }
  d->nalive = 0;
  for (size_t r = 0; r < n; r++)
    if (d->alive[r])
      d->order[d->nalive++] = (uint32_t)r;
  if (!mt_sort_u32(d->order, d->nalive, cmp_id, &d->recs.ids)) {
    free(comp_of_root);
    return sbd_error(d->ctx, SBD_ENOMEM, "out of memory");
  }
  memset(comp_of_root, 0xff, (n + 1) * sizeof(uint32_t));
  sbd_status st = SBD_OK;
  d->ncomp = 0;
  for (size_t i = 0; i < d->nalive && st == SBD_OK; i++) {
    uint32_t r = d->order[i], root = mt_uf_find(&d->uf, r);
    if (d->uf.size[root] > (uint64_t)d->cfg->max_cluster) {
      if (comp_of_root[root] == UINT32_MAX) {
        comp_of_root[root] = 0;
        st = note_oversized(d, r, d->uf.size[root]);
      }
      d->rule[r] = RULE_OVERSIZED;
      d->comp[r] = (uint32_t)d->ncomp++;
      continue;
    }
    if (comp_of_root[root] == UINT32_MAX)
      comp_of_root[root] = (uint32_t)d->ncomp++;
    d->comp[r] = comp_of_root[root];
  }
  free(comp_of_root);
  RETURN_IF_ERROR(st);
  /* Members of each component, in id order (a counting sort over the id order). */
  d->comp_start = sbd_calloc(d->ctx, d->ncomp + 1, sizeof(uint32_t));
  d->members = sbd_malloc(d->ctx, (d->nalive + 1) * sizeof(uint32_t));
  if (!d->comp_start || !d->members)
    return SBD_ENOMEM;
  for (size_t i = 0; i < d->nalive; i++)
    d->comp_start[d->comp[d->order[i]] + 1]++;
  for (size_t c = 0; c < d->ncomp; c++)
    d->comp_start[c + 1] += d->comp_start[c];
  uint32_t *fill = sbd_malloc(d->ctx, (d->ncomp + 1) * sizeof(uint32_t));
  if (!fill)
    return SBD_ENOMEM;
  memcpy(fill, d->comp_start, (d->ncomp + 1) * sizeof(uint32_t));
  for (size_t i = 0; i < d->nalive; i++) {
    uint32_t r = d->order[i];
    d->members[fill[d->comp[r]]++] = r;
  }
  free(fill);
  for (size_t c = 0; c < d->ncomp; c++) {
    uint32_t size = d->comp_start[c + 1] - d->comp_start[c];
    int b = size <= 4 ? (int)size - 1 : size < 10 ? 4 : size < 100 ? 5 : size < 1000 ? 6 : 7;
    d->hist[b]++;
  }
  return SBD_OK;
}

static sbd_status add_merge(dd_run *d, int64_t old_id, int64_t new_id) {
  if (d->nmerges == d->merges_cap) {
    size_t cap = d->merges_cap ? d->merges_cap * 2 : 64;
    int64_t *m = sbd_realloc(d->ctx, d->merges, cap * 2 * sizeof(int64_t));
    if (!m)
      return SBD_ENOMEM;
    d->merges = m;
    d->merges_cap = cap;
  }
  d->merges[2 * d->nmerges] = old_id;
  d->merges[2 * d->nmerges + 1] = new_id;
  d->nmerges++;
  return SBD_OK;
}

static sbd_status assign_entities(dd_run *d) {
  d->comp_entity = sbd_malloc(d->ctx, (d->ncomp + 1) * sizeof(int64_t));
  uint8_t *claimed = sbd_calloc(d->ctx, (size_t)d->st.next_id + 1, 1);
  if (!d->comp_entity || !claimed) {
    free(claimed);
    return SBD_ENOMEM;
  }
  sbd_status st = SBD_OK;
  for (size_t c = 0; c < d->ncomp && st == SBD_OK; c++) {
    int64_t best = -1;
    for (uint32_t i = d->comp_start[c]; i < d->comp_start[c + 1]; i++) {
      int64_t k = d->recs.known[d->members[i]];
      if (k > 0 && k < d->st.next_id && !claimed[k] && (best < 0 || k < best))
        best = k;
    }
    if (best < 0) {
      d->comp_entity[c] = d->st.next_id++;
      d->new_entities++;
      continue;
    }
    claimed[best] = 1;
    d->comp_entity[c] = best;
    for (uint32_t i = d->comp_start[c]; i < d->comp_start[c + 1] && st == SBD_OK; i++) {
      int64_t k = d->recs.known[d->members[i]];
      if (k > 0 && k < (int64_t)d->st.next_id && !claimed[k]) {
        claimed[k] = 1;
        st = add_merge(d, k, best);
      }
    }
  }
  free(claimed);
  return st;
}

/* ---- outputs
 * ------------------------------------------------------------------------------------*/

static int cmp_comp_entity(const void *ctx, uint32_t a, uint32_t b) {
  const int64_t *e = ctx;
  return (e[a] > e[b]) - (e[a] < e[b]);
}

typedef struct out_stream {
  sbd_ctx *ctx;
  sbd_schema *schema;
  sbd_writer *w;
  sbd_batch *b;
} out_stream;

static sbd_status out_open(sbd_ctx *ctx, out_stream *o, const char *path, sbd_schema *schema) {
  o->ctx = ctx;
  o->schema = schema;
  o->b = NULL;
  sbd_options *opts = sbd_options_new();
  if (!opts)
    return sbd_error(ctx, SBD_ENOMEM, "out of memory");
  sbd_status st = sbd_writer_open(ctx, path, schema, opts, &o->w);
  sbd_options_free(opts);
  return st;
}

/* The batch to append one row to (flushing a full one first). */
static sbd_status out_row(out_stream *o, sbd_batch **b) {
  if (o->b && o->b->cols[0]->len >= SBD_BATCH_ROWS) {
    batch_seal(o->b);
    sbd_status st = sbd_writer_write(o->w, o->b);
    sbd_batch_free(o->b);
    o->b = NULL;
    RETURN_IF_ERROR(st);
  }
  if (!o->b) {
    o->b = batch_new(o->ctx, o->schema, 1024);
    if (!o->b)
      return SBD_ENOMEM;
  }
  *b = o->b;
  return SBD_OK;
}

static sbd_status out_close(out_stream *o, sbd_status st) {
  if (st == SBD_OK && o->b && o->b->cols[0]->len > 0) {
    batch_seal(o->b);
    st = sbd_writer_write(o->w, o->b);
  }
  sbd_batch_free(o->b);
  o->b = NULL;
  if (st == SBD_OK)
    return sbd_writer_close(o->w);
  sbd_writer_abort(o->w);
  return st;
}

static sbd_status write_golden(dd_run *d) {
  const mt_records *r = &d->recs;
  int ncols = 2;
  for (int c = 0; c < r->ncols; c++) {
    RETURN_ERROR_IF(strcmp(r->names[c], "entity_id") == 0 || strcmp(r->names[c], "n_records") == 0,
                    d->ctx, SBD_EUSAGE,
                    "dedup: the inputs have a column '%s', a name the golden records use for "
                    "their own column",
                    r->names[c]);
    ncols += c != d->cfg->id_idx;
  }
  sbd_schema *schema = schema_new(d->ctx, ncols);
  if (!schema)
    return SBD_ENOMEM;
  sbd_status st = schema_set(d->ctx, schema, 0, "entity_id", SBD_INT64);
  int k = 1;
  for (int c = 0; c < r->ncols && st == SBD_OK; c++)
    if (c != d->cfg->id_idx)
      st = schema_set(d->ctx, schema, k++, r->names[c],
                      mt_survive_type(r->types[c], d->cfg->how[c]));
  if (st == SBD_OK)
    st = schema_set(d->ctx, schema, k, "n_records", SBD_INT64);
  uint32_t *by_entity = NULL;
  out_stream o = {0};
  if (st == SBD_OK) {
    by_entity = sbd_malloc(d->ctx, (d->ncomp + 1) * sizeof(uint32_t));
    st = by_entity ? SBD_OK : SBD_ENOMEM;
  }
  if (st == SBD_OK) {
    for (size_t c = 0; c < d->ncomp; c++)
      by_entity[c] = (uint32_t)c;
    if (!mt_sort_u32(by_entity, d->ncomp, cmp_comp_entity, d->comp_entity))
      st = sbd_error(d->ctx, SBD_ENOMEM, "out of memory");
  }
  if (st == SBD_OK)
    st = out_open(d->ctx, &o, d->cfg->out_golden, schema);
  if (st != SBD_OK) {
    free(by_entity);
    schema_unref(schema);
    return st;
  }
  mt_survive_ctx sc = {r,
                       d->cfg->ts_idx,
                       d->cfg->source_idx,
                       d->cfg->id_idx,
                       d->cfg->source_priority,
                       d->cfg->nsource_priority,
                       NULL};
  /* Each record's timestamp, parsed once rather than once per field. */
  double *ts = NULL;
  if (sc.ts_idx >= 0) {
    ts = sbd_malloc(d->ctx, (r->n + 1) * sizeof(double));
    if (!ts) {
      free(by_entity);
      schema_unref(schema);
      sbd_writer_abort(o.w);
      return SBD_ENOMEM;
    }
    for (size_t i = 0; i < r->n; i++)
      ts[i] = mt_survive_timestamp(&sc, (uint32_t)i);
    sc.ts = ts;
  }
  mt_buf scratch = {0};
  for (size_t i = 0; i < d->ncomp && st == SBD_OK; i++) {
    uint32_t c = by_entity[i];
    const uint32_t *m = d->members + d->comp_start[c];
    size_t nm = d->comp_start[c + 1] - d->comp_start[c];
    sbd_batch *b;
    st = out_row(&o, &b);
    if (st != SBD_OK)
      break;
    st = vec_reserve(d->ctx, b->cols[0], 1, 0);
    if (st == SBD_OK)
      vec_push_i64(b->cols[0], d->comp_entity[c]);
    k = 1;
    for (int col = 0; col < r->ncols && st == SBD_OK; col++)
      if (col != d->cfg->id_idx)
        st = mt_survive_column(d->ctx, &sc, col, d->cfg->how[col], m, nm, b->cols[k++], &scratch);
    if (st == SBD_OK)
      st = vec_reserve(d->ctx, b->cols[k], 1, 0);
    if (st == SBD_OK)
      vec_push_i64(b->cols[k], (int64_t)nm);
  }
  mt_buf_free(&scratch);
  free(ts);
  free(by_entity);
  st = out_close(&o, st);
  schema_unref(schema);
  return st;
}

static const char *rule_name(const dd_run *d, int rule) {
  if (rule == RULE_OVERSIZED)
    return "oversized";
  if (rule < d->cfg->nrules)
    return d->cfg->rules[rule].name;
  return d->cfg->fuzzy[rule - d->cfg->nrules].name;
}

static sbd_status write_mapping(dd_run *d) {
  sbd_schema *schema = schema_new(d->ctx, 3);
  if (!schema)
    return SBD_ENOMEM;
  sbd_status st = schema_set(d->ctx, schema, 0, "record_id", SBD_STRING);
  if (st == SBD_OK)
    st = schema_set(d->ctx, schema, 1, "entity_id", SBD_INT64);
  if (st == SBD_OK)
    st = schema_set(d->ctx, schema, 2, "rule", SBD_STRING);
  out_stream o = {0};
  if (st == SBD_OK)
    st = out_open(d->ctx, &o, d->cfg->out_mapping, schema);
  if (st != SBD_OK) {
    schema_unref(schema);
    return st;
  }
  for (size_t i = 0; i < d->nalive && st == SBD_OK; i++) {
    uint32_t r = d->order[i];
    sbd_batch *b;
    st = out_row(&o, &b);
    size_t n;
    const char *id = mt_strcol_get(&d->recs.ids, r, &n);
    if (st == SBD_OK)
      st = vec_push_str(d->ctx, b->cols[0], id, n);
    if (st == SBD_OK)
      st = vec_reserve(d->ctx, b->cols[1], 1, 0);
    if (st == SBD_OK)
      vec_push_i64(b->cols[1], d->comp_entity[d->comp[r]]);
    if (st == SBD_OK && d->rule[r] == RULE_NONE) {
      st = vec_reserve(d->ctx, b->cols[2], 1, 0);
      if (st == SBD_OK)
        st = vec_push_null(d->ctx, b->cols[2]);
    } else if (st == SBD_OK) {
      const char *name = rule_name(d, d->rule[r]);
      st = vec_push_str(d->ctx, b->cols[2], name, strlen(name));
    }
  }
  st = out_close(&o, st);
  schema_unref(schema);
  return st;
}

static bool summary_json(const dd_run *d, mt_buf *j) {
  const mt_config *c = d->cfg;
  bool ok = mt_buf_printf(j,
                          "{\"records_read\":%lld,\"rejected\":%lld,\"replaced\":%lld,"
                          "\"records\":%zu,\"entities\":%zu,\"new_entities\":%lld,\"links\":{",
                          (long long)d->records_read, (long long)d->rejected,
                          (long long)d->replaced, d->nalive, d->ncomp, (long long)d->new_entities);
  for (int k = 0; ok && k < c->nrules + c->nfuzzy; k++) {
    const char *name = rule_name(d, k);
    ok = (k == 0 || mt_buf_addc(j, ',')) && mt_buf_json_str(j, name, strlen(name)) &&
         mt_buf_printf(j, ":%lld", (long long)d->links[k]);
  }
  ok = ok && mt_buf_printf(j, "},\"key_partitions\":{");
  for (int k = 0; ok && k < c->nrules; k++)
    ok = (k == 0 || mt_buf_addc(j, ',')) &&
         mt_buf_json_str(j, c->rules[k].name, strlen(c->rules[k].name)) &&
         mt_buf_printf(j, ":%d", d->key_partitions[k]);
  ok = ok && mt_buf_add(j, "},\"cluster_sizes\":{", 19);
  for (int b = 0; ok && b < NBUCKETS; b++)
    ok = mt_buf_printf(j, "%s\"%s\":%lld", b ? "," : "", bucket_names[b], (long long)d->hist[b]);
  ok = ok && mt_buf_printf(j,
                           "},\"oversized_clusters\":%lld,\"oversized_records\":%lld,"
                           "\"oversized\":[",
                           (long long)d->noversized, (long long)d->oversized_records);
  ok = ok && mt_buf_add(j, d->oversized_json.p, d->oversized_json.len);
  ok = ok && mt_buf_printf(j, "],\"skipped_blocks\":%lld,\"skipped\":[", (long long)d->nskipped);
  ok = ok && mt_buf_add(j, d->skipped_json.p, d->skipped_json.len);
  ok = ok && mt_buf_printf(j, "],\"merges\":%zu,\"merged\":[", d->nmerges);
  for (size_t i = 0; ok && i < d->nmerges && i < SUMMARY_LIST_MAX; i++)
    ok = mt_buf_printf(j, "%s{\"old\":%lld,\"new\":%lld}", i ? "," : "",
                       (long long)d->merges[2 * i], (long long)d->merges[2 * i + 1]);
  ok = ok && mt_buf_printf(j, "],\"run\":%lld}\n", (long long)d->st.run);
  return ok;
}

static bool summary_text(const dd_run *d, mt_buf *t) {
  const mt_config *c = d->cfg;
  bool ok = mt_buf_printf(t, "records:   %lld read", (long long)d->records_read);
  if (d->rejected)
    ok = ok && mt_buf_printf(t, ", %lld rejected", (long long)d->rejected);
  if (d->nold)
    ok = ok &&
         mt_buf_printf(t, ", %zu from the state (%lld replaced)", d->nold, (long long)d->replaced);
  ok = ok && mt_buf_printf(t, "\nentities:  %zu (%lld new)\nlinks:    ", d->ncomp,
                           (long long)d->new_entities);
  for (int k = 0; ok && k < c->nrules + c->nfuzzy; k++)
    ok = mt_buf_printf(t, "%s %s %lld", k ? "," : "", rule_name(d, k), (long long)d->links[k]);
  ok = ok && mt_buf_add(t, "\nclusters: ", 11);
  bool first = true;
  for (int b = 0; ok && b < NBUCKETS; b++) {
    if (!d->hist[b])
      continue;
    ok = mt_buf_printf(t, "%s %s: %lld", first ? "" : ",", bucket_names[b], (long long)d->hist[b]);
    first = false;
  }
  ok = ok && mt_buf_addc(t, '\n');
  if (d->noversized)
    ok = ok && mt_buf_printf(t,
                             "oversized: %lld clusters above max_cluster %lld (%lld records) "
                             "were not merged\n",
                             (long long)d->noversized, (long long)c->max_cluster,
                             (long long)d->oversized_records);
  for (int k = 0; ok && k < c->nrules; k++)
    if (d->key_partitions[k] > 1)
      ok = mt_buf_printf(t, "spilled:   the keys of rule %s, in %d partitions (memory limit)\n",
                         c->rules[k].name, d->key_partitions[k]);
  if (d->nskipped)
    ok = ok &&
         mt_buf_printf(t, "skipped:   %lld fuzzy blocks above max_block\n", (long long)d->nskipped);
  if (d->nmerges)
    ok = ok &&
         mt_buf_printf(t, "merges:    %zu known entities merged into older ones\n", d->nmerges);
  return ok;
}

static sbd_status write_text_file(sbd_ctx *ctx, const char *path, const mt_buf *b) {
  io_file *f;
  RETURN_IF_ERROR(io_file_create(ctx, path, &f));
  sbd_status st = io_file_write(ctx, f, b->p, b->len);
  if (st != SBD_OK) {
    io_file_abort(f);
    return st;
  }
  return io_file_commit(ctx, f);
}

/* ---- the run
 * ------------------------------------------------------------------------------------*/

static void run_free(dd_run *d) {
  mt_records_free(&d->recs);
  for (int i = 0; d->sqlvals && i < d->nsql; i++)
    mt_strcol_free(&d->sqlvals[i]);
  free(d->sqlvals);
  free(d->alive);
  free(d->rule);
  mt_uf_free(&d->uf);
  free(d->links);
  free(d->key_partitions);
  mt_buf_free(&d->skipped_json);
  mt_buf_free(&d->oversized_json);
  free(d->order);
  free(d->comp);
  free(d->comp_start);
  free(d->members);
  free(d->comp_entity);
  free(d->merges);
  mt_config_free(d->cfg);
}

static sbd_status run(dd_run *d, mt_buf *json, mt_buf *text) {
  if (d->state_dir) {
    bool found;
    RETURN_IF_ERROR(mt_state_load(d->ctx, d->state_dir, &d->recs, &d->st, &found));
    d->nold = d->recs.n;
  } else {
    d->st.next_id = 1;
  }
  d->st.run++;
  RETURN_IF_ERROR(read_inputs(d));
  RETURN_ERROR_IF(records_bytes(d) > d->memory_limit, d->ctx, SBD_ELIMIT,
                  "dedup: the records alone take %lld MiB, above the memory limit of %lld MiB "
                  "(--memory-limit)",
                  (long long)(records_bytes(d) >> 20), (long long)(d->memory_limit >> 20));
  RETURN_IF_ERROR(check_ids(d));
  size_t n = d->recs.n;
  const mt_config *c = d->cfg;
  d->rule = sbd_malloc(d->ctx, (n + 1) * sizeof(int16_t));
  d->links = sbd_calloc(d->ctx, (size_t)(c->nrules + c->nfuzzy) + 1, sizeof(int64_t));
  d->key_partitions = sbd_calloc(d->ctx, (size_t)c->nrules + 1, sizeof(int));
  if (!d->rule || !d->links || !d->key_partitions)
    return SBD_ENOMEM;
  RETURN_ERROR_IF(c->nrules + c->nfuzzy > 30000, d->ctx, SBD_ELIMIT,
                  "dedup: more than 30000 rules");
  for (size_t i = 0; i < n; i++)
    d->rule[i] = RULE_NONE;
  if (!mt_uf_init(&d->uf, n))
    return sbd_error(d->ctx, SBD_ENOMEM, "out of memory");
  placeholders ph;
  ph.per_col = sbd_calloc(d->ctx, (size_t)d->recs.ncols + 1, sizeof(mt_strcol));
  ph.done = sbd_calloc(d->ctx, (size_t)d->recs.ncols + 1, 1);
  sbd_status st = ph.per_col && ph.done ? SBD_OK : SBD_ENOMEM;
  for (int k = 0; k < c->nrules && st == SBD_OK; k++)
    st = link_exact(d, &ph, k);
  for (int k = 0; k < c->nfuzzy && st == SBD_OK; k++)
    st = link_fuzzy(d, &ph, k);
  for (int i = 0; ph.per_col && i < d->recs.ncols; i++)
    mt_strcol_free(&ph.per_col[i]);
  free(ph.per_col);
  free(ph.done);
  RETURN_IF_ERROR(st);
  RETURN_IF_ERROR(build_components(d));
  RETURN_IF_ERROR(assign_entities(d));
  RETURN_IF_ERROR(write_golden(d));
  RETURN_IF_ERROR(write_mapping(d));
  if (!summary_json(d, json) || !summary_text(d, text))
    return sbd_error(d->ctx, SBD_ENOMEM, "out of memory");
  if (c->out_summary)
    RETURN_IF_ERROR(write_text_file(d->ctx, c->out_summary, json));
  if (d->state_dir) {
    int64_t *entity = sbd_malloc(d->ctx, (n + 1) * sizeof(int64_t));
    if (!entity)
      return SBD_ENOMEM;
    for (size_t i = 0; i < n; i++)
      entity[i] = d->alive[i] ? d->comp_entity[d->comp[i]] : -1;
    st = mt_state_save(d->ctx, d->state_dir, &d->recs, d->alive, entity, &d->st, d->merges,
                       d->nmerges);
    free(entity);
  }
  return st;
}

/* Runs the configuration in config_path, or in its section when section is not NULL. */
static sbd_status dedup_main(sbd_ctx *ctx, const char *config_path, const char *section,
                             const sbd_options *opts, char **summary_json, char **summary_text) {
  if (summary_json)
    *summary_json = NULL;
  if (summary_text)
    *summary_text = NULL;
  static const char *const known[] = {"state", "memory_limit"};
  if (opts)
    RETURN_IF_ERROR(opt_check_known(ctx, opts, "dedup", known, 2));
  dd_run d;
  memset(&d, 0, sizeof(d));
  d.ctx = ctx;
  long pages = sysconf(_SC_PHYS_PAGES), page_bytes = sysconf(_SC_PAGE_SIZE);
  int64_t half_ram =
      pages > 0 && page_bytes > 0 ? (int64_t)pages * page_bytes / 2 : INT64_C(1) << 32;
  RETURN_IF_ERROR(opt_get_bytes(ctx, opts, "memory_limit", half_ram, &d.memory_limit));
  RETURN_ERROR_IF(d.memory_limit < (1 << 20), ctx, SBD_EUSAGE,
                  "dedup: the memory limit must be at least 1M, not %lld bytes",
                  (long long)d.memory_limit);
  d.state_dir = opts ? sbd_options_get(opts, "state") : NULL;
  if (d.state_dir && !*d.state_dir)
    return sbd_error(ctx, SBD_EUSAGE, "dedup: the state folder is an empty path");
  RETURN_IF_ERROR(section ? mt_config_load_section(ctx, config_path, section, &d.cfg)
                          : mt_config_load(ctx, config_path, &d.cfg));
  mt_buf json = {0}, text = {0};
  sbd_status st = run(&d, &json, &text);
  if (st == SBD_ENOMEM && !sbd_errmsg(ctx)[0])
    sbd_error(ctx, st, "out of memory");
  run_free(&d);
  if (st == SBD_OK && summary_json) {
    *summary_json = json.p;
    json.p = NULL;
  }
  if (st == SBD_OK && summary_text) {
    *summary_text = text.p;
    text.p = NULL;
  }
  mt_buf_free(&json);
  mt_buf_free(&text);
  return st;
}

sbd_status sbd_dedup_run(sbd_ctx *ctx, const char *config_path, const sbd_options *opts,
                         char **summary_json, char **summary_text) {
  return dedup_main(ctx, config_path, NULL, opts, summary_json, summary_text);
}

/* Reads all of path (at most max bytes) into *out, NUL-terminated. */
static sbd_status read_text(sbd_ctx *ctx, const char *path, size_t max, char **out, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return sbd_error(ctx, errno == ENOENT ? SBD_ENOTFOUND : SBD_EIO, "%s: cannot open: %s%s", path,
                     strerror(errno),
                     errno == ENOENT ? " (not a repository: run sbd init, or give --repo DIR)"
                                     : "");
  char *buf = sbd_malloc(ctx, max + 2);
  size_t got = buf ? fread(buf, 1, max + 1, f) : 0;
  bool bad = ferror(f);
  fclose(f);
  if (!buf)
    return SBD_ENOMEM;
  if (bad || got > max) {
    free(buf);
    return bad ? sbd_error(ctx, SBD_EIO, "%s: read failed", path)
               : sbd_error(ctx, SBD_ELIMIT, "%s: larger than %zu bytes", path, max);
  }
  buf[got] = 0;
  *out = buf;
  *len = got;
  return SBD_OK;
}

sbd_status sbd_dedup_run_repo(sbd_ctx *ctx, const char *dir, const sbd_options *opts,
                              char **summary_json, char **summary_text) {
  if (summary_json)
    *summary_json = NULL;
  if (summary_text)
    *summary_text = NULL;
  dir = dir && *dir ? dir : ".";
  bool here = strcmp(dir, ".") == 0; /* messages say sbd.yaml, not ./sbd.yaml */
  mt_buf yaml_path = {0}, path = {0};
  if (!(here ? mt_buf_printf(&yaml_path, "sbd.yaml")
             : mt_buf_printf(&yaml_path, "%s/sbd.yaml", dir)))
    return sbd_error(ctx, SBD_ENOMEM, "out of memory");
  char *text = NULL;
  size_t len = 0;
  st_config *sc = NULL;
  sbd_status st = read_text(ctx, yaml_path.p, ST_MAX_CONFIG_BYTES, &text, &len);
  /* The whole file is checked as any repository command checks it. */
  if (st == SBD_OK)
    st = st_config_parse(ctx, text, len, yaml_path.p, dir, &sc);
  free(text);
  if (st == SBD_OK && !sc->dedup_line)
    st = sbd_error(ctx, SBD_EUSAGE,
                   "%s: no dedup section (add one, or run sbd dedup CONFIG.yaml; see "
                   "docs/dedup.md)",
                   yaml_path.p);
  if (st == SBD_OK && sc->dedup_config) {
    /* dedup: {config: FILE}, FILE relative to the repository. */
    bool ok = sc->dedup_config[0] == '/' || here
                  ? mt_buf_printf(&path, "%s", sc->dedup_config)
                  : mt_buf_printf(&path, "%s/%s", dir, sc->dedup_config);
    st = ok ? dedup_main(ctx, path.p, NULL, opts, summary_json, summary_text)
            : sbd_error(ctx, SBD_ENOMEM, "out of memory");
  } else if (st == SBD_OK) {
    st = dedup_main(ctx, yaml_path.p, "dedup", opts, summary_json, summary_text);
  }
  st_config_free(sc);
  mt_buf_free(&yaml_path);
  mt_buf_free(&path);
  return st;
}

void sbd_dedup_text_free(char *text) {
  free(text);
}
