/*
 * cmd_meta.c — `sbd meta FILE.parquet [--json]`: what a Parquet file's footer says, as
 * parquet-tools shows it: the file's size, created_by, rows, row groups and key/value metadata;
 * the schema (every element, with its physical, logical and converted types and repetition, and
 * the sbd type of each top-level column); and, per row group and column chunk, the codec, the
 * encodings, the sizes, the value count, the statistics, the page offsets and whether there are
 * a column index, an offset index and a bloom filter.
 *
 * Only the footer is read (pq_file_open, which also checks it): no page is. Statistics are shown
 * in the column's sbd type (a DATE as 2024-01-31, a string quoted) when sbd reads the column and
 * trusts them (pq_file_column_stats); for a column sbd does not read (nested, or of a type it
 * refuses) min_value and max_value are shown by physical type, byte arrays as strings and fixed
 * length ones in hex.
 *
 * Text goes to a terminal: one block per row group, five lines or so per column chunk, long
 * key/value values cut. --json prints the same, whole, as one JSON object with stable keys (an
 * absent optional field is null); strings are escaped, and bytes that are not UTF-8 appear as the
 * text \xNN.
 */
#include "cli/cli_int.h"
#include "io/parquet/pq_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Key/value values longer than this are cut in the text output. */
#define META_TEXT_VALUE_MAX 120

/* ---- the footer, walked
 * ------------------------------------------------------------------------*/

/* A schema element with its place in the tree. */
typedef struct elem_info {
  const pq_schema_element *se;
  int depth;  /* 1 for a top-level column */
  int parent; /* index in the element list of its parent, -1 for a top-level column */
  int field;  /* the top-level field it belongs to */
  int leaf;   /* its leaf column index, or -1 for a group */
} elem_info;

typedef struct meta_view {
  const pq_file *f;
  const pq_file_metadata *m;
  elem_info *elems; /* schema[1..], n_schema - 1 of them */
  int nelems;
  int *leaf_elem; /* the element of each leaf column */
} meta_view;

/* Walks the schema, which pq_file_open has checked (children within bounds, depth bounded). */
static bool view_init(meta_view *v, const pq_file *f) {
  memset(v, 0, sizeof(*v));
  v->f = f;
  v->m = pq_file_meta(f);
  int n = v->m->n_schema - 1;
  v->elems = calloc((size_t)(n > 0 ? n : 1), sizeof(elem_info));
  v->leaf_elem = calloc((size_t)(f->nleaves > 0 ? f->nleaves : 1), sizeof(int));
  if (!v->elems || !v->leaf_elem)
    return false;
  v->nelems = n;
  /* A stack of open groups: the element index and the children still to come. */
  int stack_elem[PQ_THRIFT_MAX_DEPTH + 2], stack_left[PQ_THRIFT_MAX_DEPTH + 2];
  int depth = 0, field = -1, leaves = 0;
  for (int i = 0; i < n; i++) {
    while (depth > 0 && stack_left[depth - 1] == 0)
      depth--;
    const pq_schema_element *se = &v->m->schema[i + 1];
    elem_info *e = &v->elems[i];
    e->se = se;
    e->depth = depth + 1;
    e->parent = depth > 0 ? stack_elem[depth - 1] : -1;
    if (depth > 0)
      stack_left[depth - 1]--;
    else
      field++;
    e->field = field;
    e->leaf = -1;
    if (se->has_type) {
      if (leaves < f->nleaves)
        v->leaf_elem[leaves] = i;
      e->leaf = leaves++;
    } else if (se->has_num_children && se->num_children > 0 && depth < PQ_THRIFT_MAX_DEPTH) {
      stack_elem[depth] = i;
      stack_left[depth] = se->num_children;
      depth++;
    }
  }
  return true;
}

static void view_free(meta_view *v) {
  free(v->elems);
  free(v->leaf_elem);
}

/* ---- values
 * ------------------------------------------------------------------------------------*/

typedef enum mval_kind {
  MV_NONE,
  MV_BOOL,
  MV_INT,
  MV_UINT,
  MV_DOUBLE,
  MV_TEXT,  /* a DATE or TIMESTAMP, formatted */
  MV_BYTES, /* a string */
  MV_HEX    /* bytes shown in hex */
} mval_kind;

typedef struct mval {
  mval_kind kind;
  int64_t i;
  double d;
  char text[TM_FMT_MAX];
  const uint8_t *p;
  size_t n;
} mval;

static uint64_t load_le(const uint8_t *p, int n) {
  uint64_t v = 0;
  for (int i = n - 1; i >= 0; i--)
    v = v << 8 | p[i];
  return v;
}

/* A value in the column's sbd type, from pq_file_column_stats. */
static void typed_value(const pq_column_stats *cs, bool is_min, mval *out) {
  int64_t i = is_min ? cs->min_i : cs->max_i;
  out->i = i;
  switch (cs->type) {
  case SBD_BOOL:
    out->kind = MV_BOOL;
    break;
  case SBD_INT64:
    out->kind = MV_INT;
    break;
  case SBD_DOUBLE:
    out->kind = MV_DOUBLE;
    out->d = is_min ? cs->min_d : cs->max_d;
    break;
  case SBD_DATE:
    out->kind = MV_TEXT;
    tm_format_date((int32_t)i, out->text);
    break;
  case SBD_TIMESTAMP:
    out->kind = MV_TEXT;
    tm_format_timestamp(i, out->text);
    break;
  default:
    out->kind = MV_BYTES;
    out->p = (const uint8_t *)(is_min ? cs->min_s : cs->max_s);
    out->n = is_min ? cs->min_len : cs->max_len;
    break;
  }
}

static bool is_unsigned(const pq_schema_element *se) {
  if (se->has_logical_type && se->logical_type.kind == PQ_LT_INTEGER)
    return !se->logical_type.int_is_signed;
  if (se->has_logical_type && se->logical_type.kind != PQ_LT_NONE)
    return false;
  return se->has_converted_type &&
         (se->converted_type == PQ_CT_UINT_8 || se->converted_type == PQ_CT_UINT_16 ||
          se->converted_type == PQ_CT_UINT_32 || se->converted_type == PQ_CT_UINT_64);
}

/* A min_value or max_value by physical type, for a column sbd does not read. */
static void raw_value(const pq_schema_element *se, pq_bytes b, mval *out) {
  bool u = is_unsigned(se);
  switch (se->type) {
  case PQ_BOOLEAN:
    if (b.len == 1) {
      out->kind = MV_BOOL;
      out->i = b.ptr[0] != 0;
      return;
    }
    break;
  case PQ_INT32:
    if (b.len == 4) {
      out->kind = MV_INT;
      out->i = u ? (int64_t)(uint32_t)load_le(b.ptr, 4) : (int64_t)(int32_t)load_le(b.ptr, 4);
      return;
    }
    break;
  case PQ_INT64:
    if (b.len == 8) {
      out->kind = u ? MV_UINT : MV_INT;
      out->i = (int64_t)load_le(b.ptr, 8);
      return;
    }
    break;
  case PQ_FLOAT:
    if (b.len == 4) {
      uint32_t bits = (uint32_t)load_le(b.ptr, 4);
      float x;
      memcpy(&x, &bits, 4);
      out->kind = MV_DOUBLE;
      out->d = x;
      return;
    }
    break;
  case PQ_DOUBLE:
    if (b.len == 8) {
      uint64_t bits = load_le(b.ptr, 8);
      out->kind = MV_DOUBLE;
      memcpy(&out->d, &bits, 8);
      return;
    }
    break;
  case PQ_BYTE_ARRAY:
    out->kind = MV_BYTES;
    out->p = b.ptr;
    out->n = b.len;
    return;
  default:
    break;
  }
  out->kind = MV_HEX;
  out->p = b.ptr;
  out->n = b.len;
}

/* The min and max of leaf column `leaf` in row group rg (MV_NONE when unknown). */
static void leaf_min_max(const meta_view *v, int rg, int leaf, mval *lo, mval *hi) {
  memset(lo, 0, sizeof(*lo));
  memset(hi, 0, sizeof(*hi));
  const elem_info *e = &v->elems[v->leaf_elem[leaf]];
  const pq_field *fd = &v->f->fields[e->field];
  if (!fd->nested && !fd->unsupported) {
    pq_column_stats cs;
    pq_file_column_stats(v->f, rg, e->field, &cs);
    if (cs.has_min_max) {
      typed_value(&cs, true, lo);
      typed_value(&cs, false, hi);
    }
    return;
  }
  const pq_column_metadata *cm = &v->m->row_groups[rg].columns[leaf].meta_data;
  const pq_statistics *s = &cm->statistics;
  if (cm->has_statistics && s->has_min_value && s->has_max_value) {
    raw_value(e->se, s->min_value, lo);
    raw_value(e->se, s->max_value, hi);
  }
}

/* ---- escaped text
 * ------------------------------------------------------------------------------*/

/* Writes p[0..n) escaped, without quotes: for JSON (RFC 8259 escapes) or for a terminal
 * (\n, \t, \r, \", \\, other controls as \xNN). Bytes that are not UTF-8 become the text \xNN in
 * both; at most max bytes of input are written (then "…"), max 0 meaning all. */
static void put_escaped(FILE *o, const uint8_t *p, size_t n, bool json, size_t max) {
  static const char hex[] = "0123456789abcdef";
  size_t end = max && n > max ? max : n;
  for (size_t i = 0; i < end;) {
    uint32_t cp;
    size_t len = cli_utf8_decode(p + i, n - i, &cp);
    if (len == 0) {
      fprintf(o, json ? "\\\\x%c%c" : "\\x%c%c", hex[p[i] >> 4], hex[p[i] & 15]);
      i++;
      continue;
    }
    if (cp == '"' || cp == '\\')
      fprintf(o, "\\%c", (char)cp);
    else if (cp == '\n')
      fputs("\\n", o);
    else if (cp == '\t')
      fputs("\\t", o);
    else if (cp == '\r')
      fputs("\\r", o);
    else if (cp < 0x20 || (!json && (cp == 0x7f || (cp >= 0x80 && cp <= 0x9f))))
      fprintf(o, json ? "\\u%04x" : "\\x%02x", (unsigned)cp);
    else
      fwrite(p + i, 1, len, o);
    i += len;
  }
  if (end < n)
    fputs("…", o);
}

static void put_quoted(FILE *o, const uint8_t *p, size_t n, bool json, size_t max) {
  fputc('"', o);
  put_escaped(o, p, n, json, max);
  fputc('"', o);
}

static void put_cstr(FILE *o, const char *s, bool json) {
  if (json)
    put_quoted(o, (const uint8_t *)s, strlen(s), true, 0);
  else
    fputs(s, o);
}

static void put_mval(FILE *o, const mval *v, bool json) {
  char buf[NUM_FMT_MAX + 1];
  static const char hex[] = "0123456789abcdef";
  switch (v->kind) {
  case MV_NONE:
    fputs(json ? "null" : "?", o);
    return;
  case MV_BOOL:
    fputs(v->i ? "true" : "false", o);
    return;
  case MV_INT:
    fprintf(o, "%lld", (long long)v->i);
    return;
  case MV_UINT:
    fprintf(o, "%llu", (unsigned long long)(uint64_t)v->i);
    return;
  case MV_DOUBLE:
    buf[num_format_double(v->d, buf)] = '\0';
    if (json && !isfinite(v->d))
      put_cstr(o, buf, true); /* JSON has no infinity or NaN */
    else
      fputs(buf, o);
    return;
  case MV_TEXT:
    put_cstr(o, v->text, json);
    return;
  case MV_BYTES:
    put_quoted(o, v->p, v->n, json, 0);
    return;
  case MV_HEX:
    if (json)
      fputc('"', o);
    for (size_t i = 0; i < v->n; i++)
      fprintf(o, "%c%c", hex[v->p[i] >> 4], hex[v->p[i] & 15]);
    if (json)
      fputc('"', o);
    return;
  }
}

/* ---- names
 * -------------------------------------------------------------------------------------*/

/* name, or "KIND(v)" for a value the spec does not name. */
static const char *or_number(const char *name, const char *kind, int v, char *buf, size_t cap) {
  if (name)
    return name;
  snprintf(buf, cap, "%s(%d)", kind, v);
  return buf;
}

/* "DECIMAL(9,2)", "TIMESTAMP(MICROS,UTC)", "INTEGER(8,signed)", "STRING"; false when none. */
static bool logical_text(const pq_schema_element *se, char *buf, size_t cap) {
  if (!se->has_logical_type || se->logical_type.kind == PQ_LT_NONE)
    return false;
  const pq_logical_type *lt = &se->logical_type;
  const char *name = pq_logical_kind_name(lt->kind);
  char unit_buf[24];
  switch (lt->kind) {
  case PQ_LT_DECIMAL:
    snprintf(buf, cap, "DECIMAL(%d,%d)", (int)lt->decimal_precision, (int)lt->decimal_scale);
    break;
  case PQ_LT_TIME:
  case PQ_LT_TIMESTAMP:
    snprintf(buf, cap, "%s(%s,%s)", name,
             or_number(pq_time_unit_name(lt->unit), "unit", lt->unit, unit_buf, sizeof(unit_buf)),
             lt->is_adjusted_to_utc ? "UTC" : "local");
    break;
  case PQ_LT_INTEGER:
    snprintf(buf, cap, "INTEGER(%d,%s)", (int)lt->int_bit_width,
             lt->int_is_signed ? "signed" : "unsigned");
    break;
  default:
    snprintf(buf, cap, "%s", or_number(name, "logical", lt->kind, unit_buf, sizeof(unit_buf)));
    break;
  }
  return true;
}

/* "UTF8", "DECIMAL(9,2)"; false when none. */
static bool converted_text(const pq_schema_element *se, char *buf, size_t cap) {
  if (!se->has_converted_type)
    return false;
  const char *name = pq_converted_type_name(se->converted_type);
  if (se->converted_type == PQ_CT_DECIMAL)
    snprintf(buf, cap, "DECIMAL(%d,%d)", se->has_precision ? (int)se->precision : 0,
             se->has_scale ? (int)se->scale : 0);
  else if (name)
    snprintf(buf, cap, "%s", name);
  else
    snprintf(buf, cap, "converted(%d)", (int)se->converted_type);
  return true;
}

static const char *physical_text(const pq_schema_element *se, char *buf, size_t cap) {
  if (!se->has_type)
    return "group";
  const char *name = or_number(pq_type_name(se->type), "type", se->type, buf, cap);
  if (se->type == PQ_FIXED_LEN_BYTE_ARRAY && se->has_type_length && name != buf &&
      snprintf(buf, cap, "%s(%d)", name, (int)se->type_length) < (int)cap)
    return buf;
  return name;
}

static const char *repetition_text(const pq_schema_element *se, char *buf, size_t cap) {
  if (!se->has_repetition_type)
    return NULL;
  return or_number(pq_repetition_name(se->repetition_type), "repetition", se->repetition_type, buf,
                   cap);
}

/* What a top-level column reads as: "INT64", or "unsupported (LIST)". */
static void sbd_type_text(const pq_field *fd, char *buf, size_t cap) {
  if (fd->unsupported)
    snprintf(buf, cap, "unsupported (%s)", fd->unsupported);
  else
    snprintf(buf, cap, "%s", sbd_type_name(fd->type));
}

static void put_path(FILE *o, const pq_column_metadata *cm, bool json) {
  if (json)
    fputc('[', o);
  for (int i = 0; i < cm->n_path_in_schema; i++) {
    if (i)
      fputs(json ? ", " : ".", o);
    if (json)
      put_quoted(o, cm->path_in_schema[i].ptr, cm->path_in_schema[i].len, true, 0);
    else
      put_escaped(o, cm->path_in_schema[i].ptr, cm->path_in_schema[i].len, false, 0);
  }
  if (json)
    fputc(']', o);
}

/* ---- text
 * --------------------------------------------------------------------------------------*/

/* The columns of the schema listing. */
enum { SC_NAME, SC_PHYS, SC_LOGICAL, SC_CONVERTED, SC_REP, SC_SBD, SC_COUNT };

static void schema_cells(const meta_view *v, int i, char cells[SC_COUNT][80]) {
  const elem_info *e = &v->elems[i];
  const pq_schema_element *se = e->se;
  char buf[80];
  snprintf(cells[SC_PHYS], 80, "%s", physical_text(se, buf, sizeof(buf)));
  if (!logical_text(se, cells[SC_LOGICAL], 80))
    snprintf(cells[SC_LOGICAL], 80, "-");
  if (!converted_text(se, cells[SC_CONVERTED], 80))
    snprintf(cells[SC_CONVERTED], 80, "-");
  const char *rep = repetition_text(se, buf, sizeof(buf));
  snprintf(cells[SC_REP], 80, "%s", rep ? rep : "-");
  cells[SC_SBD][0] = 0;
  if (e->depth == 1)
    sbd_type_text(&v->f->fields[e->field], cells[SC_SBD], 80);
}

/* The display width of a name indented by depth, as put_escaped writes it for a terminal (wide
 * characters count as one column: they only shift the alignment). */
static size_t name_width(const pq_schema_element *se, int depth) {
  size_t w = 2 * (size_t)(depth - 1);
  for (uint32_t i = 0; i < se->name.len;) {
    uint32_t cp;
    size_t len = cli_utf8_decode(se->name.ptr + i, se->name.len - i, &cp);
    if (len == 0 || cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f))
      w += len != 0 && (cp == '\n' || cp == '\t' || cp == '\r') ? 2 : 4;
    else
      w += cp == '"' || cp == '\\' ? 2 : 1;
    i += len ? (uint32_t)len : 1;
  }
  return w;
}

static void print_schema_text(FILE *o, const meta_view *v) {
  static const char *const heads[SC_COUNT] = {"column",    "physical",   "logical",
                                              "converted", "repetition", "sbd type"};
  size_t width[SC_COUNT];
  for (int c = 0; c < SC_COUNT; c++)
    width[c] = strlen(heads[c]);
  for (int i = 0; i < v->nelems; i++) {
    char cells[SC_COUNT][80];
    schema_cells(v, i, cells);
    size_t w = name_width(v->elems[i].se, v->elems[i].depth);
    if (w > width[SC_NAME] && w < 60)
      width[SC_NAME] = w;
    for (int c = 1; c < SC_COUNT; c++)
      if (strlen(cells[c]) > width[c])
        width[c] = strlen(cells[c]);
  }
  fprintf(o, "schema (%d column%s", v->f->nfields, v->f->nfields == 1 ? "" : "s");
  if (v->f->nleaves != v->f->nfields)
    fprintf(o, ", %d leaf column%s", v->f->nleaves, v->f->nleaves == 1 ? "" : "s");
  fputs("):\n ", o);
  for (int c = 0; c < SC_COUNT; c++)
    fprintf(o, " %-*s", c + 1 < SC_COUNT ? (int)width[c] : 0, heads[c]);
  fputc('\n', o);
  for (int i = 0; i < v->nelems; i++) {
    const elem_info *e = &v->elems[i];
    char cells[SC_COUNT][80];
    schema_cells(v, i, cells);
    fprintf(o, "  %*s", 2 * (e->depth - 1), "");
    put_escaped(o, e->se->name.ptr, e->se->name.len, false, 0);
    size_t w = name_width(e->se, e->depth);
    /* The last column is empty below the top level: no trailing spaces. */
    int last = e->depth == 1 ? SC_COUNT - 1 : SC_COUNT - 2;
    for (int c = 1; c <= last; c++) {
      size_t pad = c == 1 ? (w < width[0] ? width[0] - w : 0) : 0;
      fprintf(o, "%*s %-*s", (int)pad, "", c < last ? (int)width[c] : 0, cells[c]);
    }
    fputc('\n', o);
  }
}

static void print_stats_text(FILE *o, const meta_view *v, int rg, int leaf) {
  const pq_column_metadata *cm = &v->m->row_groups[rg].columns[leaf].meta_data;
  if (!cm->has_statistics) {
    fputs("    statistics: none\n", o);
    return;
  }
  const pq_statistics *s = &cm->statistics;
  mval lo, hi;
  leaf_min_max(v, rg, leaf, &lo, &hi);
  fputs("    statistics:", o);
  const char *sep = " ";
  if (lo.kind != MV_NONE) {
    fputs(" min ", o);
    put_mval(o, &lo, false);
    fputs(", max ", o);
    put_mval(o, &hi, false);
    sep = ", ";
  }
  if (s->has_null_count) {
    fprintf(o, "%snull count %lld", sep, (long long)s->null_count);
    sep = ", ";
  }
  if (s->has_distinct_count) {
    fprintf(o, "%sdistinct count %lld", sep, (long long)s->distinct_count);
    sep = ", ";
  }
  if (s->has_nan_count) {
    fprintf(o, "%sNaN count %lld", sep, (long long)s->nan_count);
    sep = ", ";
  }
  if (strcmp(sep, " ") == 0)
    fputs(" no min, max or counts sbd can show", o);
  fputc('\n', o);
}

static void print_chunk_text(FILE *o, const meta_view *v, int rg, int leaf) {
  const pq_column_chunk *cc = &v->m->row_groups[rg].columns[leaf];
  const pq_column_metadata *cm = &cc->meta_data;
  char buf[64];
  fputs("  column ", o);
  put_path(o, cm, false);
  fprintf(o, " (%s)\n", or_number(pq_type_name(cm->type), "type", cm->type, buf, sizeof(buf)));
  fprintf(o, "    codec %s, encodings",
          or_number(pq_codec_thrift_name(cm->codec), "codec", cm->codec, buf, sizeof(buf)));
  for (int i = 0; i < cm->n_encodings; i++)
    fprintf(o, "%s%s", i ? ", " : " ",
            or_number(pq_encoding_name(cm->encodings[i]), "encoding", cm->encodings[i], buf,
                      sizeof(buf)));
  fprintf(o, "\n    %lld value%s, %lld bytes compressed, %lld uncompressed\n",
          (long long)cm->num_values, cm->num_values == 1 ? "" : "s",
          (long long)cm->total_compressed_size, (long long)cm->total_uncompressed_size);
  fputs("    pages:", o);
  if (cm->has_dictionary_page_offset)
    fprintf(o, " dictionary at %lld,", (long long)cm->dictionary_page_offset);
  fprintf(o, " data at %lld", (long long)cm->data_page_offset);
  if (cm->has_index_page_offset)
    fprintf(o, ", index at %lld", (long long)cm->index_page_offset);
  for (int i = 0; i < cm->n_encoding_stats; i++) {
    const pq_page_encoding_stats *es = &cm->encoding_stats[i];
    char b2[64];
    fprintf(o, "%s%d %s %s", i ? ", " : "; ", (int)es->count,
            or_number(pq_page_type_name(es->page_type), "page", es->page_type, buf, sizeof(buf)),
            or_number(pq_encoding_name(es->encoding), "encoding", es->encoding, b2, sizeof(b2)));
  }
  fputc('\n', o);
  print_stats_text(o, v, rg, leaf);
  fputs("    column index ", o);
  if (cc->has_column_index_offset)
    fprintf(o, "at %lld (%d bytes)", (long long)cc->column_index_offset,
            cc->has_column_index_length ? (int)cc->column_index_length : 0);
  else
    fputs("none", o);
  fputs(", offset index ", o);
  if (cc->has_offset_index_offset)
    fprintf(o, "at %lld (%d bytes)", (long long)cc->offset_index_offset,
            cc->has_offset_index_length ? (int)cc->offset_index_length : 0);
  else
    fputs("none", o);
  fputs(", bloom filter ", o);
  if (cm->has_bloom_filter_offset) {
    fprintf(o, "at %lld", (long long)cm->bloom_filter_offset);
    if (cm->has_bloom_filter_length)
      fprintf(o, " (%d bytes)", (int)cm->bloom_filter_length);
  } else {
    fputs("none", o);
  }
  fputc('\n', o);
  for (int i = 0; i < cm->n_key_value_metadata; i++) {
    const pq_key_value *kv = &cm->key_value_metadata[i];
    fputs("    metadata ", o);
    put_escaped(o, kv->key.ptr, kv->key.len, false, META_TEXT_VALUE_MAX);
    fputs(": ", o);
    if (kv->has_value)
      put_escaped(o, kv->value.ptr, kv->value.len, false, META_TEXT_VALUE_MAX);
    fputc('\n', o);
  }
}

static void print_text(FILE *o, const meta_view *v) {
  const pq_file *f = v->f;
  const pq_file_metadata *m = v->m;
  fputs("file:          ", o);
  put_escaped(o, (const uint8_t *)f->path, strlen(f->path), false, 0);
  fprintf(o, "\nsize:          %lld bytes (footer %lld)\n", (long long)f->size,
          (long long)(f->size - 8 - f->data_end));
  fputs("created by:    ", o);
  if (m->has_created_by)
    put_escaped(o, m->created_by.ptr, m->created_by.len, false, 0);
  else
    fputs("(not said)", o);
  fprintf(o, "\nversion:       %d\n", (int)m->version);
  fprintf(o, "rows:          %lld\n", (long long)m->num_rows);
  fprintf(o, "row groups:    %d\n", m->n_row_groups);
  if (m->n_column_orders > 0) {
    bool same = true;
    for (int i = 1; i < m->n_column_orders; i++)
      same = same && m->column_orders[i].kind == m->column_orders[0].kind;
    char buf[48];
    fputs("column orders: ", o);
    for (int i = 0; i < (same ? 1 : m->n_column_orders); i++)
      fprintf(o, "%s%s", i ? ", " : "",
              or_number(pq_column_order_name(m->column_orders[i].kind), "order",
                        m->column_orders[i].kind, buf, sizeof(buf)));
    fputs(same ? " (every column)\n" : "\n", o);
  }
  fprintf(o, "key/value metadata:%s\n", m->n_key_value_metadata ? "" : " none");
  for (int i = 0; i < m->n_key_value_metadata; i++) {
    const pq_key_value *kv = &m->key_value_metadata[i];
    fputs("  ", o);
    put_escaped(o, kv->key.ptr, kv->key.len, false, META_TEXT_VALUE_MAX);
    fputs(": ", o);
    if (kv->has_value) {
      put_escaped(o, kv->value.ptr, kv->value.len, false, META_TEXT_VALUE_MAX);
      if (kv->value.len > META_TEXT_VALUE_MAX)
        fprintf(o, " (%u bytes)", kv->value.len);
    } else {
      fputs("(no value)", o);
    }
    fputc('\n', o);
  }
  fputc('\n', o);
  print_schema_text(o, v);
  for (int g = 0; g < m->n_row_groups; g++) {
    const pq_row_group *rg = &m->row_groups[g];
    fprintf(o, "\nrow group %d: %lld row%s, %lld bytes uncompressed", g, (long long)rg->num_rows,
            rg->num_rows == 1 ? "" : "s", (long long)rg->total_byte_size);
    if (rg->has_total_compressed_size)
      fprintf(o, ", %lld compressed", (long long)rg->total_compressed_size);
    if (rg->has_file_offset)
      fprintf(o, ", at offset %lld", (long long)rg->file_offset);
    fputc('\n', o);
    for (int l = 0; l < rg->n_columns; l++)
      print_chunk_text(o, v, g, l);
  }
}

/* ---- JSON
 * --------------------------------------------------------------------------------------*/

/* A JSON writer with indentation: containers open with jw_begin and close with jw_end; jw_key
 * starts each member or element. */
typedef struct jw {
  FILE *o;
  int depth;
  bool first[16];
} jw;

static void jw_key(jw *w, const char *key) {
  if (w->depth > 0) {
    fputs(w->first[w->depth] ? "\n" : ",\n", w->o);
    w->first[w->depth] = false;
    fprintf(w->o, "%*s", 2 * w->depth, "");
  }
  if (key)
    fprintf(w->o, "\"%s\": ", key);
}

static void jw_begin(jw *w, const char *key, char brace) {
  jw_key(w, key);
  fputc(brace, w->o);
  w->depth++;
  w->first[w->depth] = true;
}

static void jw_end(jw *w, char brace) {
  if (!w->first[w->depth])
    fprintf(w->o, "\n%*s", 2 * (w->depth - 1), "");
  w->depth--;
  fputc(brace, w->o);
}

static void jw_int(jw *w, const char *key, int64_t v) {
  jw_key(w, key);
  fprintf(w->o, "%lld", (long long)v);
}

/* An optional integer: null when absent. */
static void jw_opt_int(jw *w, const char *key, bool has, int64_t v) {
  jw_key(w, key);
  if (has)
    fprintf(w->o, "%lld", (long long)v);
  else
    fputs("null", w->o);
}

static void jw_str(jw *w, const char *key, const char *s) {
  jw_key(w, key);
  if (s)
    put_cstr(w->o, s, true);
  else
    fputs("null", w->o);
}

static void jw_bytes(jw *w, const char *key, bool has, pq_bytes b) {
  jw_key(w, key);
  if (has)
    put_quoted(w->o, b.ptr, b.len, true, 0);
  else
    fputs("null", w->o);
}

static void jw_key_values(jw *w, const char *key, const pq_key_value *kv, int n) {
  jw_begin(w, key, '[');
  for (int i = 0; i < n; i++) {
    jw_begin(w, NULL, '{');
    jw_bytes(w, "key", true, kv[i].key);
    jw_bytes(w, "value", kv[i].has_value, kv[i].value);
    jw_end(w, '}');
  }
  jw_end(w, ']');
}

static void print_schema_json(jw *w, const meta_view *v) {
  jw_begin(w, "schema", '[');
  for (int i = 0; i < v->nelems; i++) {
    const elem_info *e = &v->elems[i];
    const pq_schema_element *se = e->se;
    char buf[80];
    jw_begin(w, NULL, '{');
    /* The path from the top-level column down: walk up, then print in order. */
    int chain[PQ_THRIFT_MAX_DEPTH + 2], n = 0;
    for (int k = i; k >= 0 && n < PQ_THRIFT_MAX_DEPTH + 2; k = v->elems[k].parent)
      chain[n++] = k;
    jw_key(w, "path");
    fputc('[', w->o);
    for (int k = n - 1; k >= 0; k--) {
      const pq_schema_element *pe = v->elems[chain[k]].se;
      put_quoted(w->o, pe->name.ptr, pe->name.len, true, 0);
      if (k)
        fputs(", ", w->o);
    }
    fputc(']', w->o);
    jw_int(w, "depth", e->depth);
    jw_str(w, "physical_type",
           se->has_type ? or_number(pq_type_name(se->type), "type", se->type, buf, sizeof(buf))
                        : NULL);
    jw_opt_int(w, "type_length", se->has_type_length, se->type_length);
    jw_str(w, "logical_type", logical_text(se, buf, sizeof(buf)) ? buf : NULL);
    jw_str(w, "converted_type", converted_text(se, buf, sizeof(buf)) ? buf : NULL);
    jw_str(w, "repetition", repetition_text(se, buf, sizeof(buf)));
    jw_opt_int(w, "num_children", se->has_num_children, se->num_children);
    jw_opt_int(w, "field_id", se->has_field_id, se->field_id);
    const char *order = NULL;
    if (e->leaf >= 0 && e->leaf < v->m->n_column_orders) {
      int kind = v->m->column_orders[e->leaf].kind;
      order = or_number(pq_column_order_name(kind), "order", kind, buf, sizeof(buf));
    }
    jw_str(w, "column_order", order);
    const pq_field *fd = &v->f->fields[e->field];
    jw_str(w, "sbd_type", e->depth == 1 && !fd->unsupported ? sbd_type_name(fd->type) : NULL);
    jw_str(w, "unsupported", e->depth == 1 ? fd->unsupported : NULL);
    jw_end(w, '}');
  }
  jw_end(w, ']');
}

static void print_chunk_json(jw *w, const meta_view *v, int rg, int leaf) {
  const pq_column_chunk *cc = &v->m->row_groups[rg].columns[leaf];
  const pq_column_metadata *cm = &cc->meta_data;
  char buf[64];
  jw_begin(w, NULL, '{');
  jw_key(w, "path");
  put_path(w->o, cm, true);
  jw_str(w, "physical_type", or_number(pq_type_name(cm->type), "type", cm->type, buf, sizeof(buf)));
  jw_str(w, "codec",
         or_number(pq_codec_thrift_name(cm->codec), "codec", cm->codec, buf, sizeof(buf)));
  jw_key(w, "encodings");
  fputc('[', w->o);
  for (int i = 0; i < cm->n_encodings; i++) {
    if (i)
      fputs(", ", w->o);
    put_cstr(w->o,
             or_number(pq_encoding_name(cm->encodings[i]), "encoding", cm->encodings[i], buf,
                       sizeof(buf)),
             true);
  }
  fputc(']', w->o);
  jw_int(w, "num_values", cm->num_values);
  jw_int(w, "total_compressed_size", cm->total_compressed_size);
  jw_int(w, "total_uncompressed_size", cm->total_uncompressed_size);
  jw_opt_int(w, "dictionary_page_offset", cm->has_dictionary_page_offset,
             cm->dictionary_page_offset);
  jw_int(w, "data_page_offset", cm->data_page_offset);
  jw_opt_int(w, "index_page_offset", cm->has_index_page_offset, cm->index_page_offset);
  jw_begin(w, "encoding_stats", '[');
  for (int i = 0; i < cm->n_encoding_stats; i++) {
    const pq_page_encoding_stats *es = &cm->encoding_stats[i];
    jw_begin(w, NULL, '{');
    jw_str(w, "page_type",
           or_number(pq_page_type_name(es->page_type), "page", es->page_type, buf, sizeof(buf)));
    jw_str(w, "encoding",
           or_number(pq_encoding_name(es->encoding), "encoding", es->encoding, buf, sizeof(buf)));
    jw_int(w, "count", es->count);
    jw_end(w, '}');
  }
  jw_end(w, ']');
  if (cm->has_statistics) {
    const pq_statistics *s = &cm->statistics;
    mval lo, hi;
    leaf_min_max(v, rg, leaf, &lo, &hi);
    jw_begin(w, "statistics", '{');
    jw_key(w, "min");
    put_mval(w->o, &lo, true);
    jw_key(w, "max");
    put_mval(w->o, &hi, true);
    jw_opt_int(w, "null_count", s->has_null_count, s->null_count);
    jw_opt_int(w, "distinct_count", s->has_distinct_count, s->distinct_count);
    jw_opt_int(w, "nan_count", s->has_nan_count, s->nan_count);
    jw_end(w, '}');
  } else {
    jw_key(w, "statistics");
    fputs("null", w->o);
  }
  const struct {
    const char *key;
    bool has_offset, has_length;
    int64_t offset, length;
  } refs[] = {
      {"column_index", cc->has_column_index_offset, cc->has_column_index_length,
       cc->column_index_offset, cc->column_index_length},
      {"offset_index", cc->has_offset_index_offset, cc->has_offset_index_length,
       cc->offset_index_offset, cc->offset_index_length},
      {"bloom_filter", cm->has_bloom_filter_offset, cm->has_bloom_filter_length,
       cm->bloom_filter_offset, cm->bloom_filter_length},
  };
  for (size_t i = 0; i < sizeof(refs) / sizeof(refs[0]); i++) {
    if (!refs[i].has_offset) {
      jw_key(w, refs[i].key);
      fputs("null", w->o);
      continue;
    }
    jw_begin(w, refs[i].key, '{');
    jw_int(w, "offset", refs[i].offset);
    jw_opt_int(w, "length", refs[i].has_length, refs[i].length);
    jw_end(w, '}');
  }
  jw_key_values(w, "key_value_metadata", cm->key_value_metadata, cm->n_key_value_metadata);
  jw_end(w, '}');
}

static void print_json(FILE *o, const meta_view *v) {
  const pq_file *f = v->f;
  const pq_file_metadata *m = v->m;
  jw w = {.o = o};
  jw_begin(&w, NULL, '{');
  jw_str(&w, "file", f->path);
  jw_int(&w, "size", f->size);
  jw_int(&w, "footer_size", f->size - 8 - f->data_end);
  jw_int(&w, "version", m->version);
  jw_bytes(&w, "created_by", m->has_created_by, m->created_by);
  jw_int(&w, "num_rows", m->num_rows);
  jw_int(&w, "num_row_groups", m->n_row_groups);
  jw_key_values(&w, "key_value_metadata", m->key_value_metadata, m->n_key_value_metadata);
  print_schema_json(&w, v);
  jw_begin(&w, "row_groups", '[');
  for (int g = 0; g < m->n_row_groups; g++) {
    const pq_row_group *rg = &m->row_groups[g];
    jw_begin(&w, NULL, '{');
    jw_int(&w, "index", g);
    jw_int(&w, "num_rows", rg->num_rows);
    jw_int(&w, "total_byte_size", rg->total_byte_size);
    jw_opt_int(&w, "total_compressed_size", rg->has_total_compressed_size,
               rg->total_compressed_size);
    jw_opt_int(&w, "file_offset", rg->has_file_offset, rg->file_offset);
    jw_begin(&w, "columns", '[');
    for (int l = 0; l < rg->n_columns; l++)
      print_chunk_json(&w, v, g, l);
    jw_end(&w, ']');
    jw_end(&w, '}');
  }
  jw_end(&w, ']');
  jw_end(&w, '}');
  fputc('\n', o);
}

/* ---- the command
 * -------------------------------------------------------------------------------*/

static int run_meta(sbd_ctx *ctx, const cli_args *args) {
  if (args->npaths < 1)
    return cli_usage_error(args->cmd, "meta needs a FILE");
  if (args->npaths > 1)
    return cli_usage_error(args->cmd, "meta takes one FILE, not %d", args->npaths);
  pq_file *f;
  sbd_status st = pq_file_open(ctx, args->paths[0], &f);
  if (st != SBD_OK)
    return cli_fail(args->cmd, ctx, st);
  meta_view v;
  int code = CLI_EXIT_OK;
  if (!view_init(&v, f))
    code = cli_out_of_memory();
  else if (args->json)
    print_json(stdout, &v);
  else
    print_text(stdout, &v);
  view_free(&v);
  pq_file_close(f);
  return code;
}

const cli_command cli_cmd_meta = {
    "meta",
    "show what a Parquet file's footer says",
    "sbd meta FILE.parquet [--json]",
    "Prints a Parquet file's metadata, as read from its footer alone: its size,\n"
    "the writer (created_by), rows, row groups and key/value metadata; the schema,\n"
    "with each column's physical, logical and converted types, repetition and the\n"
    "type sbd reads it as; and for every row group and column chunk the codec,\n"
    "encodings, sizes, number of values, statistics (min and max in the column's\n"
    "type, null and distinct counts), page offsets, and where the column index,\n"
    "offset index and bloom filter are. --json prints the same as one JSON object\n"
    "with stable keys, for scripts.",
    CLI_FLAGS_JSON,
    run_meta,
};
