/*
 * state.c — the incremental state of `sbd dedup --state DIR`.
 *
 * DIR/records.sbdstate holds every record seen so far, with its entity id, so that a later run
 * links new records to known entities and merges golden records from all of a customer's
 * records. Layout (integers little-endian):
 *   "SBDMTST1"                          magic and format version
 *   i64 next_id, i64 runs, i64 nrecords, i32 ncols
 *   ncols x (u8 type, u32 name length, name bytes)
 *   nrecords x (i64 entity, u32 id length, id bytes, ncols x (u32 length or 0xffffffff for
 *   null, bytes))
 * DIR/merges.csv lists the merges of known entities, one "old_id,new_id,run" line each, so that
 * anything that points at an old id can be moved to the surviving one.
 * Both files are written under temporary names and renamed into place (io_file), the records
 * file last, so a crash leaves the previous state readable. The key index is not stored: it is
 * rebuilt from the records in each run (which also lets a changed configuration apply to all
 * records).
 */
#include "io/io_int.h"
#include "match/match_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define STATE_MAGIC "SBDMTST1"
#define STATE_FILE "records.sbdstate"
#define MERGES_FILE "merges.csv"
#define NULL_LEN 0xffffffffu

typedef struct reader {
  FILE *f;
  const char *path;
  bool bad;
} reader;

static uint64_t get_le(reader *r, int bytes) {
  unsigned char b[8];
  if (r->bad || fread(b, 1, (size_t)bytes, r->f) != (size_t)bytes) {
    r->bad = true;
    return 0;
  }
  uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; i--)
    v = (v << 8) | b[i];
  return v;
}

static bool get_bytes(reader *r, mt_buf *b, uint32_t n) {
  b->len = 0;
  if (n > SBD_MAX_VALUE_BYTES) {
    r->bad = true;
    return true;
  }
  if (b->cap < (size_t)n + 1) {
    char *p = realloc(b->p, (size_t)n + 1);
    if (!p)
      return false;
    b->p = p;
    b->cap = (size_t)n + 1;
  }
  if (n && fread(b->p, 1, n, r->f) != n)
    r->bad = true;
  b->len = n;
  b->p[n] = 0;
  return true;
}

static char *join_path(sbd_ctx *ctx, const char *dir, const char *name) {
  size_t n = strlen(dir) + strlen(name) + 2;
  char *p = sbd_malloc(ctx, n);
  if (p)
    snprintf(p, n, "%s/%s", dir, name);
  return p;
}

sbd_status mt_state_load(sbd_ctx *ctx, const char *dir, mt_records *recs, mt_state *st,
                         bool *found) {
  st->next_id = 1;
  st->run = 0;
  *found = false;
  char *path = join_path(ctx, dir, STATE_FILE);
  if (!path)
    return SBD_ENOMEM;
  FILE *f = fopen(path, "rb");
  if (!f) {
    int e = errno;
    sbd_status s = SBD_OK;
    if (e != ENOENT)
      s = sbd_error(ctx, SBD_EIO, "%s: cannot open: %s", path, strerror(e));
    free(path);
    return s;
  }
  *found = true;
  reader r = {f, path, false};
  char magic[8];
  sbd_status s = SBD_OK;
  mt_buf b = {0}, row = {0};
  if (fread(magic, 1, 8, f) != 8 || memcmp(magic, STATE_MAGIC, 8) != 0) {
    s = sbd_error(ctx, SBD_EINPUT, "%s: not a dedup state file (or of another version)", path);
    goto done;
  }
  st->next_id = (int64_t)get_le(&r, 8);
  st->run = (int64_t)get_le(&r, 8);
  uint64_t nrec = get_le(&r, 8);
  uint32_t ncols = (uint32_t)get_le(&r, 4);
  if (r.bad || ncols > 100000 || nrec > MT_MAX_RECORDS) {
    s = sbd_error(ctx, SBD_EINPUT, "%s: corrupt header", path);
    goto done;
  }
  recs->ncols = (int)ncols;
  recs->names = sbd_calloc(ctx, ncols + 1, sizeof(char *));
  recs->types = sbd_calloc(ctx, ncols + 1, sizeof(sbd_type));
  if (!recs->names || !recs->types) {
    s = SBD_ENOMEM;
    goto done;
  }
  for (uint32_t i = 0; i < ncols && !r.bad; i++) {
    recs->types[i] = (sbd_type)get_le(&r, 1);
    uint32_t n = (uint32_t)get_le(&r, 4);
    if (!get_bytes(&r, &b, n)) {
      s = sbd_error(ctx, SBD_ENOMEM, "out of memory");
      goto done;
    }
    recs->names[i] = sbd_strndup(ctx, b.p, b.len);
    if (!recs->names[i]) {
      s = SBD_ENOMEM;
      goto done;
    }
  }
  recs->known = sbd_malloc(ctx, (nrec ? nrec : 1) * sizeof(int64_t));
  if (!recs->known) {
    s = SBD_ENOMEM;
    goto done;
  }
  for (uint64_t k = 0; k < nrec && !r.bad; k++) {
    recs->known[k] = (int64_t)get_le(&r, 8);
    uint32_t n = (uint32_t)get_le(&r, 4);
    bool ok = get_bytes(&r, &b, n) && mt_strcol_push(&recs->ids, b.p, b.len, false);
    row.len = 0;
    for (uint32_t i = 0; ok && i < ncols && !r.bad; i++) {
      n = (uint32_t)get_le(&r, 4);
      if (n == NULL_LEN)
        ok = mt_row_put(&row, NULL, 0);
      else
        ok = get_bytes(&r, &b, n) && mt_row_put(&row, b.p, b.len);
    }
    ok = ok && (r.bad || mt_records_add(recs, row.p ? row.p : "", row.len));
    if (!ok) {
      s = sbd_error(ctx, SBD_ENOMEM, "out of memory reading %s", path);
      goto done;
    }
  }
  if (r.bad || fgetc(f) != EOF)
    s = sbd_error(ctx, SBD_EINPUT, "%s: corrupt or truncated (after %zu records)", path, recs->n);
done:
  mt_buf_free(&b);
  mt_buf_free(&row);
  fclose(f);
  free(path);
  return s;
}

static sbd_status put_le(sbd_ctx *ctx, io_file *f, uint64_t v, int bytes) {
  unsigned char b[8];
  for (int i = 0; i < bytes; i++)
    b[i] = (unsigned char)(v >> (8 * i));
  return io_file_write(ctx, f, b, (size_t)bytes);
}

static sbd_status put_str(sbd_ctx *ctx, io_file *f, const char *s, size_t n) {
  RETURN_IF_ERROR(put_le(ctx, f, s ? (uint64_t)n : NULL_LEN, 4));
  return s && n ? io_file_write(ctx, f, s, n) : SBD_OK;
}

static sbd_status write_records(sbd_ctx *ctx, io_file *f, const mt_records *recs,
                                const uint8_t *alive, const int64_t *entity, const mt_state *st) {
  size_t nalive = 0;
  for (size_t i = 0; i < recs->n; i++)
    nalive += alive[i];
  RETURN_IF_ERROR(io_file_write(ctx, f, STATE_MAGIC, 8));
  RETURN_IF_ERROR(put_le(ctx, f, (uint64_t)st->next_id, 8));
  RETURN_IF_ERROR(put_le(ctx, f, (uint64_t)st->run, 8));
  RETURN_IF_ERROR(put_le(ctx, f, nalive, 8));
  RETURN_IF_ERROR(put_le(ctx, f, (uint64_t)recs->ncols, 4));
  for (int i = 0; i < recs->ncols; i++) {
    RETURN_IF_ERROR(put_le(ctx, f, (uint64_t)recs->types[i], 1));
    RETURN_IF_ERROR(put_str(ctx, f, recs->names[i], strlen(recs->names[i])));
  }
  for (size_t r = 0; r < recs->n; r++) {
    if (!alive[r])
      continue;
    RETURN_IF_ERROR(put_le(ctx, f, (uint64_t)entity[r], 8));
    size_t n;
    const char *s = mt_strcol_get(&recs->ids, r, &n);
    RETURN_IF_ERROR(put_str(ctx, f, s, n));
    for (int i = 0; i < recs->ncols; i++) {
      s = mt_records_get(recs, r, i, &n);
      RETURN_IF_ERROR(put_str(ctx, f, s, n));
    }
  }
  return SBD_OK;
}

/* Copies the previous merges file (if any) and appends this run's merges. */
static sbd_status write_merges(sbd_ctx *ctx, io_file *f, const char *old_path,
                               const int64_t *merges, size_t nmerges, int64_t run) {
  FILE *old = fopen(old_path, "rb");
  if (old) {
    char buf[65536];
    size_t n;
    sbd_status s = SBD_OK;
    while (s == SBD_OK && (n = fread(buf, 1, sizeof(buf), old)) > 0)
      s = io_file_write(ctx, f, buf, n);
    fclose(old);
    RETURN_IF_ERROR(s);
  } else {
    static const char header[] = "old_id,new_id,run\n";
    RETURN_IF_ERROR(io_file_write(ctx, f, header, sizeof(header) - 1));
  }
  for (size_t i = 0; i < nmerges; i++) {
    char line[96];
    int n = snprintf(line, sizeof(line), "%lld,%lld,%lld\n", (long long)merges[2 * i],
                     (long long)merges[2 * i + 1], (long long)run);
    RETURN_IF_ERROR(io_file_write(ctx, f, line, (size_t)n));
  }
  return SBD_OK;
}

sbd_status mt_state_save(sbd_ctx *ctx, const char *dir, const mt_records *recs,
                         const uint8_t *alive, const int64_t *entity, const mt_state *st,
                         const int64_t *merges, size_t nmerges) {
  if (mkdir(dir, 0777) != 0 && errno != EEXIST)
    return sbd_error(ctx, SBD_EIO, "%s: cannot create the state folder: %s", dir, strerror(errno));
  char *rpath = join_path(ctx, dir, STATE_FILE), *mpath = join_path(ctx, dir, MERGES_FILE);
  sbd_status s = SBD_OK;
  io_file *mf = NULL, *rf = NULL;
  if (!rpath || !mpath) {
    s = SBD_ENOMEM;
    goto done;
  }
  s = io_file_create(ctx, mpath, &mf);
  if (s == SBD_OK)
    s = write_merges(ctx, mf, mpath, merges, nmerges, st->run);
  if (s == SBD_OK) {
    s = io_file_create(ctx, rpath, &rf);
    if (s == SBD_OK)
      s = write_records(ctx, rf, recs, alive, entity, st);
  }
  if (s == SBD_OK) {
    s = io_file_commit(ctx, mf);
    mf = NULL;
  }
  if (s == SBD_OK) {
    s = io_file_commit(ctx, rf);
    rf = NULL;
  }
done:
  io_file_abort(mf);
  io_file_abort(rf);
  free(rpath);
  free(mpath);
  return s;
}
