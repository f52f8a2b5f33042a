/*
 * read_file.c — an open Parquet file for reading: its bytes, its footer and its fields.
 *
 * The file is mapped read-only when the system allows it; otherwise (a file system or device
 * that cannot be mapped) every read is a pread, so the readers on worker threads never share a
 * file position. Standard input and pipes are refused: the footer is at the end. (As with any
 * mapped file, one truncated by another process while it is read can end this one with SIGBUS;
 * the pread path reports it as an error instead.)
 *
 * Opening reads the last 8 bytes (footer length, "PAR1"), decodes the footer (FileMetaData)
 * into an arena and checks everything the decoders will later trust: the schema tree (every
 * group's children exist, nesting is bounded), one chunk per leaf column in every row group, each
 * chunk's type matching its leaf, each chunk's byte range inside the data region (after the
 * leading magic, before the footer), a flat column's value count equal to its row group's rows,
 * and the row groups' rows adding up to the file's. A file that fails any check is refused with
 * a message naming the file, the row group and the column, so that nothing past this point can be
 * led outside the file by a lying footer.
 *
 * Fields. Each top-level element of the schema is a field. A primitive that is not repeated is a
 * flat field, read as one sbd column; how its physical type and annotations (logical type, or
 * the legacy converted type when there is no logical type) map to an sbd type is decided here
 * once (pq_conv). A group (LIST, MAP, struct) or a repeated primitive is a nested field: it spans
 * several leaf columns and is refused when read, but only when it is read, so a projection that
 * leaves it out reads the rest of the file.
 */
#include "io/parquet/pq_int.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* The footer of a file with thousands of row groups and columns is a few MiB. */
#define PQ_MAX_FOOTER_BYTES ((int64_t)1 << 30)
#define PQ_MAX_SCHEMA_DEPTH 64
/* A FIXED_LEN_BYTE_ARRAY wider than this is taken for corruption. */
#define PQ_MAX_TYPE_LENGTH (1 << 20)
/* DECIMAL scales sbd turns into a DOUBLE. */
#define PQ_MAX_DECIMAL_SCALE 300

/* ---- bytes ----------------------------------------------------------------------------------*/

bool pq_file_use_mmap = true;

static bool pread_all(int fd, int64_t off, size_t n, uint8_t *buf, int *err) {
  size_t done = 0;
  while (done < n) {
    ssize_t r = pread(fd, buf + done, n - done, (off_t)(off + (int64_t)done));
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0) {
      *err = r < 0 ? errno : 0;
      return false;
    }
    done += (size_t)r;
  }
  return true;
}

bool pq_file_bytes(const pq_file *f, int64_t off, size_t n, uint8_t **buf, size_t *cap,
                   const uint8_t **out, char *err, size_t err_cap) {
  if (f->map) {
    *out = f->map + off;
    return true;
  }
  if (*cap < n || !*buf) {
    uint8_t *nb = realloc(*buf, n ? n : 1);
    if (!nb) {
      sbd_format_msg(err, err_cap, "out of memory reading %zu bytes", n);
      return false;
    }
    *buf = nb;
    *cap = n ? n : 1;
  }
  int e = 0;
  if (!pread_all(f->fd, off, n, *buf, &e)) {
    sbd_format_msg(err, err_cap, "read failed at byte %lld: %s", (long long)off,
                   e ? strerror(e) : "the file is shorter than when it was opened");
    return false;
  }
  *out = *buf;
  return true;
}

void pq_file_will_need(const pq_file *f, int64_t off, int64_t len) {
#ifdef POSIX_MADV_WILLNEED
  if (!f->map || len <= 0)
    return;
  long page = sysconf(_SC_PAGESIZE);
  if (page <= 0)
    return;
  int64_t start = off / page * page;
  posix_madvise((void *)(f->map + start), (size_t)(off + len - start), POSIX_MADV_WILLNEED);
#else
  (void)f;
  (void)off;
  (void)len;
#endif
}

void pq_file_release(const pq_file *f, int64_t off, int64_t len) {
#ifdef MADV_DONTNEED
  if (!f->map || len <= 0)
    return;
  long page = sysconf(_SC_PAGESIZE);
  if (page <= 0)
    return;
  /* Only the pages wholly inside the range: a page shared with a neighbour stays. */
  int64_t start = (off + page - 1) / page * page, end = (off + len) / page * page;
  if (end > start)
    madvise((void *)(f->map + start), (size_t)(end - start), MADV_DONTNEED);
#else
  (void)f;
  (void)off;
  (void)len;
#endif
}

/* ---- fields ---------------------------------------------------------------------------------*/

static const char *logical_name(arena *a, int kind) {
  const char *name = pq_logical_kind_name(kind);
  if (name)
    return name;
  char buf[48];
  int n = snprintf(buf, sizeof(buf), "unknown logical type %d", kind);
  const char *s = arena_strndup(a, buf, (size_t)n);
  return s ? s : "unknown logical type";
}

static const char *converted_name(int ct) {
  const char *name = pq_converted_type_name(ct);
  return name ? name : "an unknown converted type";
}

/* Decides how a flat field reads. Returns false (with err) when its element is corrupt; an
 * annotation sbd does not read sets f->unsupported instead. */
static bool plan_flat(arena *a, pq_field *f, char *err, size_t err_cap) {
  const pq_schema_element *se = f->se;
  const int lt = se->has_logical_type ? se->logical_type.kind : PQ_LT_NONE;
  const int ct = se->has_converted_type ? se->converted_type : -1;
  /* The logical type wins; the converted type speaks only where there is none. */
  const bool plain = lt == PQ_LT_NONE && ct < 0;
  const bool is_decimal = lt == PQ_LT_DECIMAL || (lt == PQ_LT_NONE && ct == PQ_CT_DECIMAL);
  const char *annot = lt != PQ_LT_NONE ? logical_name(a, lt) : ct >= 0 ? converted_name(ct) : "";
  f->phys = se->type;
  f->type_length = se->has_type_length ? se->type_length : 0;
  f->conv = PQ_CONV_NONE;
  if (is_decimal) {
    f->scale =
        lt == PQ_LT_DECIMAL ? se->logical_type.decimal_scale : (se->has_scale ? se->scale : 0);
    if (f->scale < 0 || f->scale > PQ_MAX_DECIMAL_SCALE) {
      sbd_format_msg(err, err_cap, "column '%s': DECIMAL scale %d is out of range 0..%d", f->name,
                     (int)f->scale, PQ_MAX_DECIMAL_SCALE);
      return false;
    }
  }
  switch (se->type) {
  case PQ_BOOLEAN:
    f->type = SBD_BOOL;
    f->conv = PQ_CONV_BOOL;
    break;
  case PQ_INT32:
    if (lt == PQ_LT_DATE || (lt == PQ_LT_NONE && ct == PQ_CT_DATE)) {
      f->type = SBD_DATE;
      f->conv = PQ_CONV_DATE;
    } else if (is_decimal) {
      f->type = SBD_DOUBLE;
      f->conv = PQ_CONV_DEC_I32;
    } else if ((lt == PQ_LT_INTEGER && !se->logical_type.int_is_signed) ||
               (lt == PQ_LT_NONE &&
                (ct == PQ_CT_UINT_8 || ct == PQ_CT_UINT_16 || ct == PQ_CT_UINT_32))) {
      f->type = SBD_INT64;
      f->conv = PQ_CONV_U32;
    } else if (plain || lt == PQ_LT_INTEGER || lt == PQ_LT_UNKNOWN ||
               (lt == PQ_LT_NONE &&
                (ct == PQ_CT_INT_8 || ct == PQ_CT_INT_16 || ct == PQ_CT_INT_32))) {
      f->type = SBD_INT64;
      f->conv = PQ_CONV_I32;
    }
    break;
  case PQ_INT64:
    if (lt == PQ_LT_TIMESTAMP) {
      f->type = SBD_TIMESTAMP;
      int unit = se->logical_type.unit;
      f->conv = unit == PQ_UNIT_MILLIS   ? PQ_CONV_TS_MILLIS
                : unit == PQ_UNIT_MICROS ? PQ_CONV_TS_MICROS
                : unit == PQ_UNIT_NANOS  ? PQ_CONV_TS_NANOS
                                         : PQ_CONV_NONE;
    } else if (lt == PQ_LT_NONE && (ct == PQ_CT_TIMESTAMP_MILLIS || ct == PQ_CT_TIMESTAMP_MICROS)) {
      f->type = SBD_TIMESTAMP;
      f->conv = ct == PQ_CT_TIMESTAMP_MILLIS ? PQ_CONV_TS_MILLIS : PQ_CONV_TS_MICROS;
    } else if (is_decimal) {
      f->type = SBD_DOUBLE;
      f->conv = PQ_CONV_DEC_I64;
    } else if ((lt == PQ_LT_INTEGER && !se->logical_type.int_is_signed) ||
               (lt == PQ_LT_NONE && ct == PQ_CT_UINT_64)) {
      f->type = SBD_INT64;
      f->conv = PQ_CONV_U64;
    } else if (plain || lt == PQ_LT_INTEGER || lt == PQ_LT_UNKNOWN ||
               (lt == PQ_LT_NONE && ct == PQ_CT_INT_64)) {
      f->type = SBD_INT64;
      f->conv = PQ_CONV_I64;
    }
    break;
  case PQ_INT96:
    f->type = SBD_TIMESTAMP;
    f->conv = PQ_CONV_INT96;
    break;
  case PQ_FLOAT:
    f->type = SBD_DOUBLE;
    f->conv = PQ_CONV_F32;
    break;
  case PQ_DOUBLE:
    f->type = SBD_DOUBLE;
    f->conv = PQ_CONV_F64;
    break;
  case PQ_BYTE_ARRAY:
    if (is_decimal) {
      f->type = SBD_DOUBLE;
      f->conv = PQ_CONV_DEC_BYTES;
    } else if (plain || lt == PQ_LT_STRING || lt == PQ_LT_ENUM || lt == PQ_LT_JSON ||
               lt == PQ_LT_UNKNOWN ||
               (lt == PQ_LT_NONE && (ct == PQ_CT_UTF8 || ct == PQ_CT_ENUM || ct == PQ_CT_JSON))) {
      f->type = SBD_STRING;
      f->conv = PQ_CONV_STRING;
    }
    break;
  case PQ_FIXED_LEN_BYTE_ARRAY:
    if (!se->has_type_length || se->type_length < 1 || se->type_length > PQ_MAX_TYPE_LENGTH) {
      sbd_format_msg(err, err_cap,
                     "column '%s': FIXED_LEN_BYTE_ARRAY has no valid type_length (%d)", f->name,
                     se->has_type_length ? (int)se->type_length : -1);
      return false;
    }
    if (lt == PQ_LT_UUID && se->type_length == 16) {
      f->type = SBD_STRING;
      f->conv = PQ_CONV_UUID;
    } else if (is_decimal) {
      f->type = SBD_DOUBLE;
      f->conv = PQ_CONV_DEC_BYTES;
    } else if (lt == PQ_LT_FLOAT16 && se->type_length == 2) {
      f->type = SBD_DOUBLE;
      f->conv = PQ_CONV_F16;
    } else if (plain || lt == PQ_LT_UNKNOWN) {
      f->type = SBD_STRING;
      f->conv = PQ_CONV_HEX;
    }
    break;
  default:
    sbd_format_msg(err, err_cap, "column '%s': unknown physical type %d", f->name, (int)se->type);
    return false;
  }
  if (f->conv == PQ_CONV_NONE) {
    char buf[96];
    int n = snprintf(buf, sizeof(buf), "%s %s", annot, pq_type_name(se->type));
    f->unsupported = arena_strndup(a, buf, (size_t)n);
    if (!f->unsupported)
      f->unsupported = annot;
    f->type = SBD_STRING;
  }
  return true;
}

/* Moves *i past the subtree at schema[*i], counting its leaves; false when the tree is corrupt. */
static bool walk_subtree(const pq_file_metadata *m, int *i, int depth, int *leaves,
                         const pq_schema_element **leaf_se, int cap_leaves) {
  if (*i >= m->n_schema || depth > PQ_MAX_SCHEMA_DEPTH)
    return false;
  const pq_schema_element *se = &m->schema[(*i)++];
  if (se->has_type) {
    if (*leaves < cap_leaves)
      leaf_se[*leaves] = se;
    (*leaves)++;
    return true;
  }
  int n = se->has_num_children ? se->num_children : 0;
  if (n < 0 || n > m->n_schema - *i)
    return false;
  for (int c = 0; c < n; c++)
    if (!walk_subtree(m, i, depth + 1, leaves, leaf_se, cap_leaves))
      return false;
  return true;
}

static const char *nested_kind(const pq_schema_element *se) {
  int lt = se->has_logical_type ? se->logical_type.kind : PQ_LT_NONE;
  int ct = se->has_converted_type ? se->converted_type : -1;
  if (lt == PQ_LT_LIST || ct == PQ_CT_LIST)
    return "LIST";
  if (lt == PQ_LT_MAP || ct == PQ_CT_MAP || ct == PQ_CT_MAP_KEY_VALUE)
    return "MAP";
  if (se->has_type || (se->has_repetition_type && se->repetition_type == PQ_REPEATED))
    return "LIST"; /* a repeated field is a list of its element */
  if (lt == PQ_LT_VARIANT)
    return "VARIANT";
  return "STRUCT";
}

/* Builds f->fields from the schema; leaf_se gets the element of every leaf column. */
static bool plan_fields(pq_file *f, const pq_schema_element ***leaf_se_out, int **leaf_field_out,
                        char *err, size_t err_cap) {
  const pq_file_metadata *m = &f->meta;
  if (m->n_schema < 1 || m->schema[0].has_type) {
    sbd_format_msg(err, err_cap, "the schema has no root group");
    return false;
  }
  const pq_schema_element *root = &m->schema[0];
  int nfields = root->has_num_children ? root->num_children : 0;
  if (nfields < 0 || nfields > m->n_schema - 1) {
    sbd_format_msg(err, err_cap,
                   "the schema's root claims %d fields but the schema has %d elements", nfields,
                   m->n_schema);
    return false;
  }
  f->fields = arena_alloc(&f->arena, sizeof(pq_field) * (size_t)(nfields ? nfields : 1));
  const pq_schema_element **leaf_se =
      arena_alloc(&f->arena, sizeof(*leaf_se) * (size_t)(m->n_schema ? m->n_schema : 1));
  int *leaf_field = arena_alloc(&f->arena, sizeof(int) * (size_t)(m->n_schema ? m->n_schema : 1));
  if (!f->fields || !leaf_se || !leaf_field) {
    sbd_format_msg(err, err_cap, "out of memory");
    return false;
  }
  memset(f->fields, 0, sizeof(pq_field) * (size_t)(nfields ? nfields : 1));
  int i = 1, leaves = 0;
  for (int k = 0; k < nfields; k++) {
    pq_field *fd = &f->fields[k];
    if (i >= m->n_schema) {
      sbd_format_msg(err, err_cap, "the schema ends after %d of its %d fields", k, nfields);
      return false;
    }
    const pq_schema_element *se = &m->schema[i];
    fd->name = arena_strndup(&f->arena, (const char *)se->name.ptr, se->name.len);
    if (!fd->name) {
      sbd_format_msg(err, err_cap, "out of memory");
      return false;
    }
    fd->leaf = leaves;
    if (!walk_subtree(m, &i, 1, &leaves, leaf_se, m->n_schema)) {
      sbd_format_msg(err, err_cap, "the schema of column '%s' is corrupt (children past its end)",
                     fd->name);
      return false;
    }
    fd->nleaves = leaves - fd->leaf;
    for (int l = fd->leaf; l < leaves; l++)
      leaf_field[l] = k;
    bool repeated = se->has_repetition_type && se->repetition_type == PQ_REPEATED;
    if (!se->has_type || repeated) {
      fd->nested = true;
      fd->unsupported = nested_kind(se);
      fd->type = SBD_STRING;
      continue;
    }
    fd->se = se;
    fd->max_def = se->has_repetition_type && se->repetition_type == PQ_OPTIONAL ? 1 : 0;
    if (!plan_flat(&f->arena, fd, err, err_cap))
      return false;
  }
  if (i != m->n_schema) {
    sbd_format_msg(err, err_cap, "the schema has %d elements but its tree uses %d", m->n_schema, i);
    return false;
  }
  f->nfields = nfields;
  f->nleaves = leaves;
  *leaf_se_out = leaf_se;
  *leaf_field_out = leaf_field;
  return true;
}

/* ---- chunks ---------------------------------------------------------------------------------*/

static void chunk_range(const pq_column_metadata *cm, int64_t *start, int64_t *len) {
  /* Some writers set dictionary_page_offset to 0 when there is no dictionary page, and
   * data_page_offset to 0 when there is no data page. */
  int64_t s = cm->data_page_offset;
  if (cm->has_dictionary_page_offset && cm->dictionary_page_offset > 0 &&
      (cm->dictionary_page_offset < s || s <= 0))
    s = cm->dictionary_page_offset;
  *start = s;
  *len = cm->total_compressed_size;
}

void pq_file_chunk_range(const pq_file *f, int rg, int leaf, int64_t *start, int64_t *len) {
  chunk_range(&f->meta.row_groups[rg].columns[leaf].meta_data, start, len);
}

static bool check_chunks(pq_file *f, const pq_schema_element **leaf_se, const int *leaf_field,
                         sbd_status *st, char *err, size_t err_cap) {
  const pq_file_metadata *m = &f->meta;
  int64_t total_rows = 0;
  *st = SBD_EINPUT;
  if (m->num_rows < 0) {
    sbd_format_msg(err, err_cap, "the footer says the file has %lld rows", (long long)m->num_rows);
    return false;
  }
  for (int r = 0; r < m->n_row_groups; r++) {
    const pq_row_group *rg = &m->row_groups[r];
    if (rg->num_rows < 0 || rg->num_rows > m->num_rows - total_rows) {
      sbd_format_msg(err, err_cap, "row group %d: %lld rows do not fit in the file's %lld rows", r,
                     (long long)rg->num_rows, (long long)m->num_rows);
      return false;
    }
    total_rows += rg->num_rows;
    if (rg->n_columns != f->nleaves) {
      sbd_format_msg(err, err_cap, "row group %d has %d column chunks but the schema has %d", r,
                     rg->n_columns, f->nleaves);
      return false;
    }
    for (int l = 0; l < rg->n_columns; l++) {
      const pq_column_chunk *cc = &rg->columns[l];
      const pq_field *fd = &f->fields[leaf_field[l]];
      char where[160];
      snprintf(where, sizeof(where), "row group %d, column '%s'", r, fd->name);
      if (cc->has_file_path) {
        *st = SBD_EUNSUPPORTED;
        sbd_format_msg(err, err_cap,
                       "%s: the chunk is in another file (%.*s), which sbd does not "
                       "read",
                       where, (int)(cc->file_path.len > 200 ? 200 : cc->file_path.len),
                       (const char *)cc->file_path.ptr);
        return false;
      }
      if (!cc->has_meta_data) {
        *st = cc->has_crypto_metadata ? SBD_EUNSUPPORTED : SBD_EINPUT;
        sbd_format_msg(err, err_cap, "%s: the chunk has no metadata%s", where,
                       cc->has_crypto_metadata ? " (it is encrypted, which sbd does not read)"
                                               : "");
        return false;
      }
      const pq_column_metadata *cm = &cc->meta_data;
      if (cm->type != leaf_se[l]->type) {
        sbd_format_msg(err, err_cap, "%s: the chunk's type %d differs from the schema's %d", where,
                       (int)cm->type, (int)leaf_se[l]->type);
        return false;
      }
      if (!fd->nested && cm->num_values != rg->num_rows) {
        sbd_format_msg(err, err_cap, "%s: the chunk has %lld values for %lld rows", where,
                       (long long)cm->num_values, (long long)rg->num_rows);
        return false;
      }
      int64_t start, len;
      chunk_range(cm, &start, &len);
      if (rg->num_rows == 0)
        continue; /* nothing is read (some writers leave data_page_offset at 0 then) */
      if (start < 4 || start >= f->data_end || len < 0 || len > f->data_end - start ||
          (len == 0 && rg->num_rows > 0)) {
        sbd_format_msg(err, err_cap,
                       "%s: the chunk's bytes %lld..%lld are outside the data, which is bytes "
                       "4..%lld",
                       where, (long long)start, (long long)start + (long long)len,
                       (long long)f->data_end);
        return false;
      }
    }
  }
  if (total_rows != m->num_rows) {
    sbd_format_msg(err, err_cap, "the footer says %lld rows but the row groups hold %lld",
                   (long long)m->num_rows, (long long)total_rows);
    return false;
  }
  *st = SBD_OK;
  return true;
}

/* ---- open and close ---------------------------------------------------------------------------*/

static uint32_t load_le32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

void pq_file_close(pq_file *f) {
  if (!f)
    return;
  if (f->map)
    munmap((void *)f->map, (size_t)f->size);
  if (f->fd >= 0)
    close(f->fd);
  arena_free(&f->arena);
  free(f->path);
  free(f);
}

const pq_file_metadata *pq_file_meta(const pq_file *f) {
  return &f->meta;
}

int pq_file_find_field(const pq_file *f, const char *name) {
  for (int i = 0; i < f->nfields; i++)
    if (strcmp(f->fields[i].name, name) == 0)
      return i;
  return -1;
}

/* Maps or prepares to pread the file; checks that it is a seekable file of a plausible size. */
static sbd_status open_bytes(sbd_ctx *ctx, pq_file *f) {
  const char *path = f->path;
  f->fd = open(path, O_RDONLY | O_CLOEXEC);
  if (f->fd < 0) {
    int e = errno;
    return sbd_error(ctx, e == ENOENT ? SBD_ENOTFOUND : SBD_EIO, "%s: cannot open: %s", path,
                     strerror(e));
  }
  struct stat st;
  if (fstat(f->fd, &st) != 0)
    return sbd_error(ctx, SBD_EIO, "%s: cannot stat: %s", path, strerror(errno));
  if (S_ISDIR(st.st_mode))
    return sbd_error(ctx, SBD_EUSAGE, "%s: is a directory, not a file", path);
  off_t end = S_ISREG(st.st_mode) ? st.st_size : lseek(f->fd, 0, SEEK_END);
  if (end < 0 || S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode) || S_ISCHR(st.st_mode))
    return sbd_error(ctx, SBD_EUSAGE,
                     "%s: Parquet needs a seekable file; write the data to a file first", path);
  f->size = (int64_t)end;
  if (f->size == 0)
    return sbd_error(ctx, SBD_EINPUT, "%s: not a Parquet file (it is empty)", path);
  if (f->size < 12)
    return sbd_error(ctx, SBD_EINPUT,
                     "%s: not a Parquet file (%lld bytes; the smallest Parquet file has 12)", path,
                     (long long)f->size);
  if (pq_file_use_mmap && (uint64_t)f->size <= SIZE_MAX) {
    void *p = mmap(NULL, (size_t)f->size, PROT_READ, MAP_PRIVATE, f->fd, 0);
    if (p != MAP_FAILED)
      f->map = p; /* no read-ahead here: `count`, `schema` and `meta` read the footer only */
  }
  return SBD_OK;
}

static sbd_status read_footer(sbd_ctx *ctx, pq_file *f) {
  const char *path = f->path;
  uint8_t head[4], tail[8];
  uint8_t *buf = NULL;
  size_t cap = 0;
  const uint8_t *p;
  char err[256];
  if (!pq_file_bytes(f, 0, 4, &buf, &cap, &p, err, sizeof(err)))
    goto io_error;
  memcpy(head, p, 4);
  if (!pq_file_bytes(f, f->size - 8, 8, &buf, &cap, &p, err, sizeof(err)))
    goto io_error;
  memcpy(tail, p, 8);
  if (memcmp(tail + 4, "PARE", 4) == 0) {
    free(buf);
    return sbd_error(ctx, SBD_EUNSUPPORTED,
                     "%s: the file is encrypted (it ends with PARE), which sbd does not read",
                     path);
  }
  if (memcmp(head, PQ_MAGIC, 4) != 0) {
    free(buf);
    return sbd_error(ctx, SBD_EINPUT, "%s: not a Parquet file (it does not start with PAR1)", path);
  }
  if (memcmp(tail + 4, PQ_MAGIC, 4) != 0) {
    free(buf);
    return sbd_error(ctx, SBD_EINPUT,
                     "%s: not a Parquet file, or a truncated one (it does not end with PAR1)",
                     path);
  }
  uint32_t footer_len = load_le32(tail);
  if ((int64_t)footer_len > f->size - 12 || (int64_t)footer_len > PQ_MAX_FOOTER_BYTES ||
      footer_len == 0) {
    free(buf);
    return sbd_error(ctx, SBD_EINPUT,
                     "%s: corrupt Parquet footer: its length %u does not fit in the %lld bytes "
                     "between the magic numbers",
                     path, footer_len, (long long)(f->size - 12));
  }
  f->data_end = f->size - 8 - (int64_t)footer_len;
  if (!pq_file_bytes(f, f->data_end, footer_len, &buf, &cap, &p, err, sizeof(err)))
    goto io_error;
  pq_tdec d;
  pq_tdec_init(&d, p, footer_len, f->data_end, &f->arena);
  bool ok = pq_decode_file_metadata(&d, &f->meta);
  free(buf); /* the decoder copied what it keeps into the arena */
  if (!ok)
    return sbd_error(ctx, SBD_EINPUT, "%s: corrupt Parquet footer: %s", path, d.err);
  if (f->meta.has_encryption_algorithm)
    return sbd_error(ctx, SBD_EUNSUPPORTED,
                     "%s: the file is encrypted (plaintext footer), which sbd does not read", path);
  return SBD_OK;
io_error:
  free(buf);
  return sbd_error(ctx, SBD_EIO, "%s: %s", path, err);
}

sbd_status pq_file_open(sbd_ctx *ctx, const char *path, pq_file **out) {
  *out = NULL;
  if (strcmp(path, "-") == 0)
    return sbd_error(ctx, SBD_EUSAGE,
                     "standard input: Parquet needs a seekable file; write stdin to a file first");
  pq_file *f = sbd_calloc(ctx, 1, sizeof(*f));
  if (!f)
    return SBD_ENOMEM;
  f->fd = -1;
  arena_init(&f->arena, 64 * 1024);
  f->path = sbd_strdup(ctx, path);
  sbd_status st = f->path ? open_bytes(ctx, f) : SBD_ENOMEM;
  if (st == SBD_OK)
    st = read_footer(ctx, f);
  if (st == SBD_OK) {
    char err[400];
    const pq_schema_element **leaf_se = NULL;
    int *leaf_field = NULL;
    if (!plan_fields(f, &leaf_se, &leaf_field, err, sizeof(err)))
      st = sbd_error(ctx, SBD_EINPUT, "%s: corrupt Parquet footer: %s", path, err);
    else if (!check_chunks(f, leaf_se, leaf_field, &st, err, sizeof(err)))
      st = sbd_error(ctx, st, "%s: %s%s", path, st == SBD_EINPUT ? "corrupt Parquet footer: " : "",
                     err);
  }
  if (st != SBD_OK) {
    pq_file_close(f);
    return st;
  }
  *out = f;
  return SBD_OK;
}

/* ---- statistics -----------------------------------------------------------------------------*/

static int64_t load_i64(const uint8_t *p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; i--)
    v = v << 8 | p[i];
  return (int64_t)v;
}

/* One statistics value in the field's sbd type; false when it cannot be trusted. */
static bool stat_value(const pq_field *fd, pq_bytes b, int64_t *i, double *d) {
  switch (fd->conv) {
  case PQ_CONV_BOOL:
    if (b.len != 1)
      return false;
    *i = b.ptr[0] != 0;
    return true;
  case PQ_CONV_I32:
  case PQ_CONV_DATE:
  case PQ_CONV_DEC_I32:
  case PQ_CONV_U32:
    if (b.len != 4)
      return false;
    *i = fd->conv == PQ_CONV_U32 ? (int64_t)load_le32(b.ptr) : (int64_t)(int32_t)load_le32(b.ptr);
    if (fd->conv == PQ_CONV_DEC_I32)
      *d = (double)*i / pow(10.0, fd->scale);
    return true;
  case PQ_CONV_I64:
  case PQ_CONV_U64:
  case PQ_CONV_TS_MICROS:
  case PQ_CONV_TS_MILLIS:
  case PQ_CONV_TS_NANOS:
  case PQ_CONV_DEC_I64:
    if (b.len != 8)
      return false;
    *i = load_i64(b.ptr);
    if (fd->conv == PQ_CONV_U64 && *i < 0)
      return false;
    if (fd->conv == PQ_CONV_TS_MILLIS) {
      if (*i > INT64_MAX / 1000 || *i < INT64_MIN / 1000)
        return false;
      *i *= 1000;
    } else if (fd->conv == PQ_CONV_TS_NANOS) {
      *i = *i / 1000 - (*i % 1000 < 0);
    } else if (fd->conv == PQ_CONV_DEC_I64) {
      *d = (double)*i / pow(10.0, fd->scale);
    }
    return true;
  case PQ_CONV_F32: {
    if (b.len != 4)
      return false;
    uint32_t u = load_le32(b.ptr);
    float x;
    memcpy(&x, &u, 4);
    *d = x;
    return !isnan(*d);
  }
  case PQ_CONV_F64: {
    if (b.len != 8)
      return false;
    int64_t u = load_i64(b.ptr);
    memcpy(d, &u, 8);
    return !isnan(*d);
  }
  default:
    return false;
  }
}

void pq_file_column_stats(const pq_file *f, int rg, int field, pq_column_stats *out) {
  const pq_field *fd = &f->fields[field];
  const pq_row_group *g = &f->meta.row_groups[rg];
  memset(out, 0, sizeof(*out));
  out->type = fd->type;
  out->num_values = g->num_rows;
  if (fd->nested || fd->unsupported)
    return;
  const pq_column_metadata *cm = &g->columns[fd->leaf].meta_data;
  if (!cm->has_statistics)
    return;
  const pq_statistics *s = &cm->statistics;
  out->has_null_count = s->has_null_count && s->null_count >= 0;
  out->null_count = s->null_count;
  if (fd->conv == PQ_CONV_F32 || fd->conv == PQ_CONV_F64) {
    out->has_nan_count = s->has_nan_count && s->nan_count >= 0;
    out->nan_count = s->nan_count;
  } else if (fd->conv == PQ_CONV_DEC_I32 || fd->conv == PQ_CONV_DEC_I64) {
    out->has_nan_count = true; /* a decimal is never NaN */
  }
  /* min_value / max_value are in the column order; an order sbd does not know voids them. */
  bool ordered = fd->leaf >= f->meta.n_column_orders ||
                 f->meta.column_orders[fd->leaf].kind == PQ_ORDER_TYPE_DEFINED;
  pq_bytes lo, hi;
  if (ordered && s->has_min_value && s->has_max_value) {
    lo = s->min_value;
    hi = s->max_value;
  } else if (s->has_min && s->has_max && fd->conv != PQ_CONV_U32 && fd->conv != PQ_CONV_U64 &&
             fd->type != SBD_STRING && fd->conv != PQ_CONV_DEC_BYTES) {
    /* The deprecated fields are in signed order: right for signed numbers only. */
    lo = s->min;
    hi = s->max;
  } else {
    return;
  }
  if (fd->type == SBD_STRING) {
    if (fd->conv != PQ_CONV_STRING)
      return;
    out->min_s = (const char *)lo.ptr;
    out->min_len = lo.len;
    out->max_s = (const char *)hi.ptr;
    out->max_len = hi.len;
    out->has_min_max = true;
    return;
  }
  out->has_min_max =
      stat_value(fd, lo, &out->min_i, &out->min_d) && stat_value(fd, hi, &out->max_i, &out->max_d);
  if (fd->type == SBD_DOUBLE && (fd->conv == PQ_CONV_F32 || fd->conv == PQ_CONV_F64)) {
    out->min_d = out->min_d == 0 ? -0.0 : out->min_d; /* parquet.thrift: -0.0 and +0.0 alike */
    out->max_d = out->max_d == 0 ? 0.0 : out->max_d;
  }
}
