/*
 * meta.c — the Parquet metadata structs (pq_int.h) on the wire, in the Thrift compact protocol of
 * thrift.c: FileMetaData and everything under it, PageHeader, ColumnIndex and OffsetIndex; and
 * the names of parquet.thrift's enum values, for messages and `sbd meta`.
 *
 * Encoders write fields in increasing id order (so the field headers take their short form) and
 * only the optional fields whose has_ flag is set. Decoders accept fields in any order, skip the
 * ones they do not know (newer parquet.thrift members, encryption) and the known ones sent with
 * another wire type (as Thrift-generated code does), and check at the end of each struct that its
 * required fields came; a missing one is an error naming the struct and the field.
 */
#include "io/parquet/pq_int.h"

#include <string.h>

/* ---- encoding
 * ----------------------------------------------------------------------------------*/

static void enc_bytes_field(pq_tenc *e, int16_t id, pq_bytes b) {
  pq_tenc_field_binary(e, id, b.ptr, b.len);
}

bool pq_encode_statistics(pq_tenc *e, const pq_statistics *s) {
  pq_tenc_struct_begin(e);
  if (s->has_max)
    enc_bytes_field(e, 1, s->max);
  if (s->has_min)
    enc_bytes_field(e, 2, s->min);
  if (s->has_null_count)
    pq_tenc_field_i64(e, 3, s->null_count);
  if (s->has_distinct_count)
    pq_tenc_field_i64(e, 4, s->distinct_count);
  if (s->has_max_value)
    enc_bytes_field(e, 5, s->max_value);
  if (s->has_min_value)
    enc_bytes_field(e, 6, s->min_value);
  if (s->has_is_max_value_exact)
    pq_tenc_field_bool(e, 7, s->is_max_value_exact);
  if (s->has_is_min_value_exact)
    pq_tenc_field_bool(e, 8, s->is_min_value_exact);
  if (s->has_nan_count)
    pq_tenc_field_i64(e, 9, s->nan_count);
  pq_tenc_struct_end(e);
  return !e->failed;
}

/* An empty struct as the value of field id (the members of the unions). */
static void enc_empty_struct_field(pq_tenc *e, int16_t id) {
  pq_tenc_field_struct(e, id);
  pq_tenc_struct_begin(e);
  pq_tenc_struct_end(e);
}

static void enc_logical_type(pq_tenc *e, const pq_logical_type *lt) {
  pq_tenc_struct_begin(e);
  pq_tenc_field_struct(e, (int16_t)lt->kind);
  pq_tenc_struct_begin(e);
  switch (lt->kind) {
  case PQ_LT_DECIMAL:
    pq_tenc_field_i32(e, 1, lt->decimal_scale);
    pq_tenc_field_i32(e, 2, lt->decimal_precision);
    break;
  case PQ_LT_TIME:
  case PQ_LT_TIMESTAMP:
    pq_tenc_field_bool(e, 1, lt->is_adjusted_to_utc);
    pq_tenc_field_struct(e, 2);
    pq_tenc_struct_begin(e);
    enc_empty_struct_field(e, (int16_t)lt->unit);
    pq_tenc_struct_end(e);
    break;
  case PQ_LT_INTEGER:
    pq_tenc_field_i8(e, 1, lt->int_bit_width);
    pq_tenc_field_bool(e, 2, lt->int_is_signed);
    break;
  default:
    break; /* the other members written here are empty structs */
  }
  pq_tenc_struct_end(e);
  pq_tenc_struct_end(e);
}

static void enc_schema_element(pq_tenc *e, const pq_schema_element *se) {
  pq_tenc_struct_begin(e);
  if (se->has_type)
    pq_tenc_field_i32(e, 1, se->type);
  if (se->has_type_length)
    pq_tenc_field_i32(e, 2, se->type_length);
  if (se->has_repetition_type)
    pq_tenc_field_i32(e, 3, se->repetition_type);
  enc_bytes_field(e, 4, se->name);
  if (se->has_num_children)
    pq_tenc_field_i32(e, 5, se->num_children);
  if (se->has_converted_type)
    pq_tenc_field_i32(e, 6, se->converted_type);
  if (se->has_scale)
    pq_tenc_field_i32(e, 7, se->scale);
  if (se->has_precision)
    pq_tenc_field_i32(e, 8, se->precision);
  if (se->has_field_id)
    pq_tenc_field_i32(e, 9, se->field_id);
  if (se->has_logical_type && se->logical_type.kind != PQ_LT_NONE) {
    pq_tenc_field_struct(e, 10);
    enc_logical_type(e, &se->logical_type);
  }
  pq_tenc_struct_end(e);
}

static void enc_key_values(pq_tenc *e, int16_t id, const pq_key_value *kv, int n) {
  pq_tenc_field_list(e, id, PQ_T_STRUCT, (uint32_t)n);
  for (int i = 0; i < n; i++) {
    pq_tenc_struct_begin(e);
    enc_bytes_field(e, 1, kv[i].key);
    if (kv[i].has_value)
      enc_bytes_field(e, 2, kv[i].value);
    pq_tenc_struct_end(e);
  }
}

static void enc_column_metadata(pq_tenc *e, const pq_column_metadata *m) {
  pq_tenc_struct_begin(e);
  pq_tenc_field_i32(e, 1, m->type);
  pq_tenc_field_list(e, 2, PQ_T_I32, (uint32_t)m->n_encodings);
  for (int i = 0; i < m->n_encodings; i++)
    pq_tenc_i32(e, m->encodings[i]);
  pq_tenc_field_list(e, 3, PQ_T_BINARY, (uint32_t)m->n_path_in_schema);
  for (int i = 0; i < m->n_path_in_schema; i++)
    pq_tenc_binary(e, m->path_in_schema[i].ptr, m->path_in_schema[i].len);
  pq_tenc_field_i32(e, 4, m->codec);
  pq_tenc_field_i64(e, 5, m->num_values);
  pq_tenc_field_i64(e, 6, m->total_uncompressed_size);
  pq_tenc_field_i64(e, 7, m->total_compressed_size);
  if (m->n_key_value_metadata > 0)
    enc_key_values(e, 8, m->key_value_metadata, m->n_key_value_metadata);
  pq_tenc_field_i64(e, 9, m->data_page_offset);
  if (m->has_index_page_offset)
    pq_tenc_field_i64(e, 10, m->index_page_offset);
  if (m->has_dictionary_page_offset)
    pq_tenc_field_i64(e, 11, m->dictionary_page_offset);
  if (m->has_statistics) {
    pq_tenc_field_struct(e, 12);
    pq_encode_statistics(e, &m->statistics);
  }
  if (m->n_encoding_stats > 0) {
    pq_tenc_field_list(e, 13, PQ_T_STRUCT, (uint32_t)m->n_encoding_stats);
    for (int i = 0; i < m->n_encoding_stats; i++) {
      pq_tenc_struct_begin(e);
      pq_tenc_field_i32(e, 1, m->encoding_stats[i].page_type);
      pq_tenc_field_i32(e, 2, m->encoding_stats[i].encoding);
      pq_tenc_field_i32(e, 3, m->encoding_stats[i].count);
      pq_tenc_struct_end(e);
    }
  }
  if (m->has_bloom_filter_offset)
    pq_tenc_field_i64(e, 14, m->bloom_filter_offset);
  if (m->has_bloom_filter_length)
    pq_tenc_field_i32(e, 15, m->bloom_filter_length);
  pq_tenc_struct_end(e);
}

static void enc_column_chunk(pq_tenc *e, const pq_column_chunk *c) {
  pq_tenc_struct_begin(e);
  if (c->has_file_path)
    enc_bytes_field(e, 1, c->file_path);
  pq_tenc_field_i64(e, 2, c->file_offset);
  if (c->has_meta_data) {
    pq_tenc_field_struct(e, 3);
    enc_column_metadata(e, &c->meta_data);
  }
  if (c->has_offset_index_offset)
    pq_tenc_field_i64(e, 4, c->offset_index_offset);
  if (c->has_offset_index_length)
    pq_tenc_field_i32(e, 5, c->offset_index_length);
  if (c->has_column_index_offset)
    pq_tenc_field_i64(e, 6, c->column_index_offset);
  if (c->has_column_index_length)
    pq_tenc_field_i32(e, 7, c->column_index_length);
  pq_tenc_struct_end(e);
}

static void enc_row_group(pq_tenc *e, const pq_row_group *rg) {
  pq_tenc_struct_begin(e);
  pq_tenc_field_list(e, 1, PQ_T_STRUCT, (uint32_t)rg->n_columns);
  for (int i = 0; i < rg->n_columns; i++)
    enc_column_chunk(e, &rg->columns[i]);
  pq_tenc_field_i64(e, 2, rg->total_byte_size);
  pq_tenc_field_i64(e, 3, rg->num_rows);
  if (rg->n_sorting_columns > 0) {
    pq_tenc_field_list(e, 4, PQ_T_STRUCT, (uint32_t)rg->n_sorting_columns);
    for (int i = 0; i < rg->n_sorting_columns; i++) {
      pq_tenc_struct_begin(e);
      pq_tenc_field_i32(e, 1, rg->sorting_columns[i].column_idx);
      pq_tenc_field_bool(e, 2, rg->sorting_columns[i].descending);
      pq_tenc_field_bool(e, 3, rg->sorting_columns[i].nulls_first);
      pq_tenc_struct_end(e);
    }
  }
  if (rg->has_file_offset)
    pq_tenc_field_i64(e, 5, rg->file_offset);
  if (rg->has_total_compressed_size)
    pq_tenc_field_i64(e, 6, rg->total_compressed_size);
  if (rg->has_ordinal)
    pq_tenc_field_i16(e, 7, rg->ordinal);
  pq_tenc_struct_end(e);
}

bool pq_encode_file_metadata(pq_tenc *e, const pq_file_metadata *m) {
  pq_tenc_struct_begin(e);
  pq_tenc_field_i32(e, 1, m->version);
  pq_tenc_field_list(e, 2, PQ_T_STRUCT, (uint32_t)m->n_schema);
  for (int i = 0; i < m->n_schema; i++)
    enc_schema_element(e, &m->schema[i]);
  pq_tenc_field_i64(e, 3, m->num_rows);
  pq_tenc_field_list(e, 4, PQ_T_STRUCT, (uint32_t)m->n_row_groups);
  for (int i = 0; i < m->n_row_groups; i++)
    enc_row_group(e, &m->row_groups[i]);
  if (m->n_key_value_metadata > 0)
    enc_key_values(e, 5, m->key_value_metadata, m->n_key_value_metadata);
  if (m->has_created_by)
    enc_bytes_field(e, 6, m->created_by);
  if (m->n_column_orders > 0) {
    pq_tenc_field_list(e, 7, PQ_T_STRUCT, (uint32_t)m->n_column_orders);
    for (int i = 0; i < m->n_column_orders; i++) {
      pq_tenc_struct_begin(e);
      enc_empty_struct_field(e, (int16_t)m->column_orders[i].kind);
      pq_tenc_struct_end(e);
    }
  }
  pq_tenc_struct_end(e);
  return !e->failed;
}

bool pq_encode_page_header(pq_tenc *e, const pq_page_header *h) {
  pq_tenc_struct_begin(e);
  pq_tenc_field_i32(e, 1, h->type);
  pq_tenc_field_i32(e, 2, h->uncompressed_page_size);
  pq_tenc_field_i32(e, 3, h->compressed_page_size);
  if (h->has_crc)
    pq_tenc_field_i32(e, 4, h->crc);
  if (h->has_data_page_header) {
    const pq_data_page_header *p = &h->data_page_header;
    pq_tenc_field_struct(e, 5);
    pq_tenc_struct_begin(e);
    pq_tenc_field_i32(e, 1, p->num_values);
    pq_tenc_field_i32(e, 2, p->encoding);
    pq_tenc_field_i32(e, 3, p->definition_level_encoding);
    pq_tenc_field_i32(e, 4, p->repetition_level_encoding);
    if (p->has_statistics) {
      pq_tenc_field_struct(e, 5);
      pq_encode_statistics(e, &p->statistics);
    }
    pq_tenc_struct_end(e);
  }
  if (h->has_index_page_header)
    enc_empty_struct_field(e, 6);
  if (h->has_dictionary_page_header) {
    const pq_dictionary_page_header *p = &h->dictionary_page_header;
    pq_tenc_field_struct(e, 7);
    pq_tenc_struct_begin(e);
    pq_tenc_field_i32(e, 1, p->num_values);
    pq_tenc_field_i32(e, 2, p->encoding);
    if (p->has_is_sorted)
      pq_tenc_field_bool(e, 3, p->is_sorted);
    pq_tenc_struct_end(e);
  }
  if (h->has_data_page_header_v2) {
    const pq_data_page_header_v2 *p = &h->data_page_header_v2;
    pq_tenc_field_struct(e, 8);
    pq_tenc_struct_begin(e);
    pq_tenc_field_i32(e, 1, p->num_values);
    pq_tenc_field_i32(e, 2, p->num_nulls);
    pq_tenc_field_i32(e, 3, p->num_rows);
    pq_tenc_field_i32(e, 4, p->encoding);
    pq_tenc_field_i32(e, 5, p->definition_levels_byte_length);
    pq_tenc_field_i32(e, 6, p->repetition_levels_byte_length);
    if (p->has_is_compressed)
      pq_tenc_field_bool(e, 7, p->is_compressed);
    if (p->has_statistics) {
      pq_tenc_field_struct(e, 8);
      pq_encode_statistics(e, &p->statistics);
    }
    pq_tenc_struct_end(e);
  }
  pq_tenc_struct_end(e);
  return !e->failed;
}

static void enc_i64_list(pq_tenc *e, int16_t id, const int64_t *v, int n) {
  pq_tenc_field_list(e, id, PQ_T_I64, (uint32_t)n);
  for (int i = 0; i < n; i++)
    pq_tenc_i64(e, v[i]);
}

bool pq_encode_column_index(pq_tenc *e, const pq_column_index *ci) {
  pq_tenc_struct_begin(e);
  pq_tenc_field_list(e, 1, PQ_T_BOOL_TRUE, (uint32_t)ci->n_pages);
  for (int i = 0; i < ci->n_pages; i++)
    pq_tenc_bool(e, ci->null_pages[i]);
  pq_tenc_field_list(e, 2, PQ_T_BINARY, (uint32_t)ci->n_pages);
  for (int i = 0; i < ci->n_pages; i++)
    pq_tenc_binary(e, ci->min_values[i].ptr, ci->min_values[i].len);
  pq_tenc_field_list(e, 3, PQ_T_BINARY, (uint32_t)ci->n_pages);
  for (int i = 0; i < ci->n_pages; i++)
    pq_tenc_binary(e, ci->max_values[i].ptr, ci->max_values[i].len);
  pq_tenc_field_i32(e, 4, ci->boundary_order);
  if (ci->has_null_counts)
    enc_i64_list(e, 5, ci->null_counts, ci->n_pages);
  if (ci->has_repetition_level_histograms)
    enc_i64_list(e, 6, ci->repetition_level_histograms, ci->n_repetition_level_histograms);
  if (ci->has_definition_level_histograms)
    enc_i64_list(e, 7, ci->definition_level_histograms, ci->n_definition_level_histograms);
  if (ci->has_nan_counts)
    enc_i64_list(e, 8, ci->nan_counts, ci->n_pages);
  pq_tenc_struct_end(e);
  return !e->failed;
}

bool pq_encode_offset_index(pq_tenc *e, const pq_offset_index *oi) {
  pq_tenc_struct_begin(e);
  pq_tenc_field_list(e, 1, PQ_T_STRUCT, (uint32_t)oi->n_page_locations);
  for (int i = 0; i < oi->n_page_locations; i++) {
    const pq_page_location *pl = &oi->page_locations[i];
    pq_tenc_struct_begin(e);
    pq_tenc_field_i64(e, 1, pl->offset);
    pq_tenc_field_i32(e, 2, pl->compressed_page_size);
    pq_tenc_field_i64(e, 3, pl->first_row_index);
    pq_tenc_struct_end(e);
  }
  if (oi->has_unencoded_byte_array_data_bytes)
    enc_i64_list(e, 2, oi->unencoded_byte_array_data_bytes, oi->n_unencoded_byte_array_data_bytes);
  pq_tenc_struct_end(e);
  return !e->failed;
}

/* ---- decoding ----------------------------------------------------------------------------------
 * Each struct decoder loops with fields_next over its fields, switching on the id; an id it does
 * not handle falls to the default that skips it. fields_end closes the struct and checks that the
 * required fields (a mask of ids) were all seen.
 *
 * Each decoder also gives the wire type it expects for each field id it knows (a table indexed
 * by id). A known field that arrives with another wire type is skipped, as Thrift-generated code
 * skips it, and counts as absent: an optional one is then simply missing, a required one makes
 * fields_end report it. Writers in the wild have reused field ids with other types (a list in
 * ColumnMetaData field 15, where parquet.thrift now has the i32 bloom_filter_length). Integer
 * fields accept every integer wire type, whose range the reads check. */

/* Wire type classes of the tables; 0 (the default of an id left out) accepts anything. */
enum { W_ANY = 0, W_INT, W_BOOL, W_BINARY, W_LIST, W_STRUCT };

static bool wire_fits(int want, int type) {
  switch (want) {
  case W_INT:
    return type == PQ_T_I8 || type == PQ_T_I16 || type == PQ_T_I32 || type == PQ_T_I64;
  case W_BOOL:
    return type == PQ_T_BOOL_TRUE || type == PQ_T_BOOL_FALSE;
  case W_BINARY:
    return type == PQ_T_BINARY;
  case W_LIST:
    return type == PQ_T_LIST || type == PQ_T_SET;
  case W_STRUCT:
    return type == PQ_T_STRUCT;
  default:
    return true;
  }
}

typedef struct field_iter {
  int16_t last_id;
  int16_t id;
  int type;
  uint32_t seen;       /* bit id per field id 1..31 met */
  const uint8_t *wire; /* the expected wire type class of each known field id */
  size_t nwire;
} field_iter;

static bool fields_begin_typed(pq_tdec *d, field_iter *it, const uint8_t *wire, size_t nwire) {
  memset(it, 0, sizeof(*it));
  it->wire = wire;
  it->nwire = nwire;
  return pq_tdec_struct_begin(d, &it->last_id);
}

/* fields_begin(d, &it, table): table is a static array of W_* by field id. */
#define fields_begin(d, it, table) fields_begin_typed(d, it, table, sizeof(table))

/* The next field into it, skipping known fields of the wrong wire type; false at the stop field
 * or on an error (d->failed tells which). */
static bool fields_next(pq_tdec *d, field_iter *it) {
  for (;;) {
    if (!pq_tdec_field(d, &it->last_id, &it->type, &it->id) || it->type == PQ_T_STOP)
      return false;
    if (it->id >= 0 && (size_t)it->id < it->nwire && !wire_fits(it->wire[it->id], it->type)) {
      if (!pq_tdec_skip(d, it->type))
        return false;
      continue;
    }
    if (it->id > 0 && it->id < 32)
      it->seen |= 1u << it->id;
    return true;
  }
}

#define REQ(...) required_mask((const int[]){__VA_ARGS__, 0})

static uint32_t required_mask(const int *ids) {
  uint32_t m = 0;
  for (; *ids; ids++)
    m |= 1u << *ids;
  return m;
}

/* Closes the struct; names[id] names field id of struct what for the message about a missing
 * required one. */
static bool fields_end(pq_tdec *d, field_iter *it, const char *what, uint32_t required,
                       const char *const *names) {
  if (d->failed)
    return false;
  pq_tdec_struct_end(d);
  uint32_t missing = required & ~it->seen;
  if (!missing)
    return true;
  int id = 0;
  while (!(missing >> id & 1))
    id++;
  return pq_tdec_fail(d, "%s without its required field %s (%d)", what, names[id], id);
}

static bool dec_i32_enum(pq_tdec *d, int type, int32_t *out) {
  return pq_tdec_i32(d, type, out);
}

static bool dec_list_of(pq_tdec *d, int type, int want, uint32_t *n) {
  int et;
  return pq_tdec_list(d, type, &et, n) && pq_tdec_expect_elem(d, et, want);
}

static bool dec_count(pq_tdec *d, uint32_t n, int *out) {
  if (n > INT32_MAX)
    return pq_tdec_fail(d, "list of %u elements", n);
  *out = (int)n;
  return true;
}

static bool dec_i64_list(pq_tdec *d, int type, int64_t **out, int *n_out) {
  uint32_t n;
  if (!dec_list_of(d, type, PQ_T_I64, &n) || !dec_count(d, n, n_out))
    return false;
  int64_t *v = pq_tdec_alloc(d, n, sizeof(int64_t));
  if (!v)
    return false;
  for (uint32_t i = 0; i < n; i++)
    if (!pq_tdec_i64(d, PQ_T_I64, &v[i]))
      return false;
  *out = v;
  return true;
}

bool pq_decode_statistics(pq_tdec *d, pq_statistics *s) {
  static const uint8_t wire[] = {
      [1] = W_BINARY, [2] = W_BINARY, [3] = W_INT,  [4] = W_INT, [5] = W_BINARY,
      [6] = W_BINARY, [7] = W_BOOL,   [8] = W_BOOL, [9] = W_INT};
  memset(s, 0, sizeof(*s));
  field_iter it;
  if (!fields_begin(d, &it, wire))
    return false;
  while (fields_next(d, &it)) {
    int type = it.type;
    bool ok;
    switch (it.id) {
    case 1:
      ok = (s->has_max = pq_tdec_binary(d, type, &s->max));
      break;
    case 2:
      ok = (s->has_min = pq_tdec_binary(d, type, &s->min));
      break;
    case 3:
      ok = (s->has_null_count = pq_tdec_i64(d, type, &s->null_count));
      break;
    case 4:
      ok = (s->has_distinct_count = pq_tdec_i64(d, type, &s->distinct_count));
      break;
    case 5:
      ok = (s->has_max_value = pq_tdec_binary(d, type, &s->max_value));
      break;
    case 6:
      ok = (s->has_min_value = pq_tdec_binary(d, type, &s->min_value));
      break;
    case 7:
      ok = (s->has_is_max_value_exact = pq_tdec_bool(d, type, &s->is_max_value_exact));
      break;
    case 8:
      ok = (s->has_is_min_value_exact = pq_tdec_bool(d, type, &s->is_min_value_exact));
      break;
    case 9:
      ok = (s->has_nan_count = pq_tdec_i64(d, type, &s->nan_count));
      break;
    default:
      ok = pq_tdec_skip(d, type);
      break;
    }
    if (!ok)
      return false;
  }
  return fields_end(d, &it, "Statistics", 0, NULL);
}

/* A union member's field id, its content skipped (TimeUnit, ColumnOrder). */
static bool dec_union_kind(pq_tdec *d, int *kind) {
  *kind = 0;
  field_iter it;
  if (!fields_begin_typed(d, &it, NULL, 0))
    return false;
  while (fields_next(d, &it)) {
    int type = it.type;
    bool ok;
    switch (it.id) {
    case 0: /* never a member id; keeps the switch non-empty */
      ok = pq_tdec_skip(d, type);
      break;
    default:
      *kind = it.id;
      ok = pq_tdec_skip(d, type);
      break;
    }
    if (!ok)
      return false;
  }
  return fields_end(d, &it, "union", 0, NULL);
}

static bool dec_time_type(pq_tdec *d, pq_logical_type *lt, const char *what) {
  static const uint8_t wire[] = {[1] = W_BOOL, [2] = W_STRUCT};
  static const char *const names[] = {"", "isAdjustedToUTC", "unit"};
  field_iter it;
  if (!fields_begin(d, &it, wire))
    return false;
  while (fields_next(d, &it)) {
    int type = it.type;
    bool ok;
    switch (it.id) {
    case 1:
      ok = pq_tdec_bool(d, type, &lt->is_adjusted_to_utc);
      break;
    case 2:
      ok = dec_union_kind(d, &lt->unit);
      break;
    default:
      ok = pq_tdec_skip(d, type);
      break;
    }
    if (!ok)
      return false;
  }
  return fields_end(d, &it, what, REQ(1, 2), names);
}

static bool dec_decimal_type(pq_tdec *d, pq_logical_type *lt) {
  static const uint8_t wire[] = {[1] = W_INT, [2] = W_INT};
  static const char *const names[] = {"", "scale", "precision"};
  field_iter it;
  if (!fields_begin(d, &it, wire))
    return false;
  while (fields_next(d, &it)) {
    int type = it.type;
    bool ok;
    switch (it.id) {
    case 1:
      ok = pq_tdec_i32(d, type, &lt->decimal_scale);
      break;
    case 2:
      ok = pq_tdec_i32(d, type, &lt->decimal_precision);
      break;
    default:
      ok = pq_tdec_skip(d, type);
      break;
    }
    if (!ok)
      return false;
  }
  return fields_end(d, &it, "DecimalType", REQ(1, 2), names);
}

static bool dec_int_type(pq_tdec *d, pq_logical_type *lt) {
  static const uint8_t wire[] = {[1] = W_INT, [2] = W_BOOL};
  static const char *const names[] = {"", "bitWidth", "isSigned"};
  field_iter it;
  if (!fields_begin(d, &it, wire))
    return false;
  while (fields_next(d, &it)) {
    int type = it.type;
    bool ok;
    switch (it.id) {
    case 1: {
      int64_t v;
      ok = pq_tdec_int(d, type, INT8_MIN, INT8_MAX, &v);
      lt->int_bit_width = (int8_t)v;
      break;
    }
    case 2:
      ok = pq_tdec_bool(d, type, &lt->int_is_signed);
      break;
    default:
      ok = pq_tdec_skip(d, type);
      break;
    }
    if (!ok)
      return false;
  }
  return fields_end(d, &it, "IntType", REQ(1, 2), names);
}

static bool dec_logical_type(pq_tdec *d, pq_logical_type *lt) {
  static const uint8_t wire[] = {
      [1] = W_STRUCT,  [2] = W_STRUCT,  [3] = W_STRUCT,  [4] = W_STRUCT,  [5] = W_STRUCT,
      [6] = W_STRUCT,  [7] = W_STRUCT,  [8] = W_STRUCT,  [10] = W_STRUCT, [11] = W_STRUCT,
      [12] = W_STRUCT, [13] = W_STRUCT, [14] = W_STRUCT, [15] = W_STRUCT, [16] = W_STRUCT,
      [17] = W_STRUCT, [18] = W_STRUCT, [19] = W_STRUCT};
  memset(lt, 0, sizeof(*lt));
  field_iter it;
  if (!fields_begin(d, &it, wire))
    return false;
  while (fields_next(d, &it)) {
    int type = it.type;
    bool ok;
    switch (it.id) {
    case PQ_LT_DECIMAL:
      lt->kind = it.id;
      ok = dec_decimal_type(d, lt);
      break;
    case PQ_LT_TIME:
      lt->kind = it.id;
      ok = dec_time_type(d, lt, "TimeType");
      break;
    case PQ_LT_TIMESTAMP:
      lt->kind = it.id;
      ok = dec_time_type(d, lt, "TimestampType");
      break;
    case PQ_LT_INTEGER:
      lt->kind = it.id;
      ok = dec_int_type(d, lt);
      break;
    default:
      /* The other members are empty structs, or ones (VARIANT, GEOMETRY, ...) whose
       * content sbd does not use: their id is enough. */
      lt->kind = it.id;
      ok = pq_tdec_skip(d, type);
      break;
    }
    if (!ok)
      return false;
  }
  return fields_end(d, &it, "LogicalType", 0, NULL);
}

static bool dec_schema_element(pq_tdec *d, pq_schema_element *se) {
  static const uint8_t wire[] = {
      [1] = W_INT, [2] = W_INT, [3] = W_INT, [4] = W_BINARY, [5] = W_INT,
      [6] = W_INT, [7] = W_INT, [8] = W_INT, [9] = W_INT,    [10] = W_STRUCT};
  static const char *const names[] = {"", "type", "type_length", "repetition_type", "name"};
  memset(se, 0, sizeof(*se));
  field_iter it;
  if (!fields_begin(d, &it, wire))
    return false;
  while (fields_next(d, &it)) {
    int type = it.type;
    bool ok;
    switch (it.id) {
    case 1:
      ok = (se->has_type = dec_i32_enum(d, type, &se->type));
      break;
    case 2:
      ok = (se->has_type_length = pq_tdec_i32(d, type, &se->type_length));
      break;
    case 3:
      ok = (se->has_repetition_type = dec_i32_enum(d, type, &se->repetition_type));
      break;
    case 4:
      ok = pq_tdec_binary(d, type, &se->name);
      break;
    case 5:
      ok = (se->has_num_children = pq_tdec_i32(d, type, &se->num_children));
      break;
    case 6:
      ok = (se->has_converted_type = dec_i32_enum(d, type, &se->converted_type));
      break;
    case 7:
      ok = (se->has_scale = pq_tdec_i32(d, type, &se->scale));
      break;
    case 8:
      ok = (se->has_precision = pq_tdec_i32(d, type, &se->precision));
      break;
    case 9:
      ok = (se->has_field_id = pq_tdec_i32(d, type, &se->field_id));
      break;
    case 10:
      /* A LogicalType with no member this code knows (an empty union, or a member newer than
       * this code) is no logical type: the column is read by its physical type. */
      ok = dec_logical_type(d, &se->logical_type);
      se->has_logical_type = ok && se->logical_type.kind != PQ_LT_NONE;
      break;
    default:
      ok = pq_tdec_skip(d, type);
      break;
    }
    if (!ok)
      return false;
  }
  return fields_end(d, &it, "SchemaElement", REQ(4), names);
}

static bool dec_key_value(pq_tdec *d, pq_key_value *kv) {
  static const uint8_t wire[] = {[1] = W_BINARY, [2] = W_BINARY};
  static const char *const names[] = {"", "key"};
  memset(kv, 0, sizeof(*kv));
  field_iter it;
  if (!fields_begin(d, &it, wire))
    return false;
  while (fields_next(d, &it)) {
    int type = it.type;
    bool ok;
    switch (it.id) {
    case 1:
      ok = pq_tdec_binary(d, type, &kv->key);
      break;
    case 2:
      ok = (kv->has_value = pq_tdec_binary(d, type, &kv->value));
      break;
    default:
      ok = pq_tdec_skip(d, type);
      break;
    }
    if (!ok)
      return false;
  }
  return fields_end(d, &it, "KeyValue", REQ(1), names);
}

static bool dec_key_values(pq_tdec *d, int type, pq_key_value **out, int *n_out) {
  uint32_t n;
  if (!dec_list_of(d, type, PQ_T_STRUCT, &n) || !dec_count(d, n, n_out))
    return false;
  pq_key_value *kv = pq_tdec_alloc(d, n, sizeof(*kv));
  if (!kv)
    return false;
  for (uint32_t i = 0; i < n; i++)
    if (!dec_key_value(d, &kv[i]))
      return false;
  *out = kv;
  return true;
}

static bool dec_page_encoding_stats(pq_tdec *d, pq_page_encoding_stats *s) {
  static const uint8_t wire[] = {[1] = W_INT, [2] = W_INT, [3] = W_INT};
  static const char *const names[] = {"", "page_type", "encoding", "count"};
  memset(s, 0, sizeof(*s));
  field_iter it;
  if (!fields_begin(d, &it, wire))
    return false;
  while (fields_next(d, &it)) {
    int type = it.type;
    bool ok;
    switch (it.id) {
    case 1:
      ok = dec_i32_enum(d, type, &s->page_type);
      break;
    case 2:
      ok = dec_i32_enum(d, type, &s->encoding);
      break;
    case 3:
      ok = pq_tdec_i32(d, type, &s->count);
      break;
    default:
      ok = pq_tdec_skip(d, type);
      break;
    }
    if (!ok)
      return false;
  }
  return fields_end(d, &it, "PageEncodingStats", REQ(1, 2, 3), names);
}

static bool dec_column_metadata(pq_tdec *d, pq_column_metadata *m) {
  static const uint8_t wire[] = {
      [1] = W_INT,  [2] = W_LIST,    [3] = W_LIST,  [4] = W_INT,  [5] = W_INT,
      [6] = W_INT,  [7] = W_INT,     [8] = W_LIST,  [9] = W_INT,  [10] = W_INT,
      [11] = W_INT, [12] = W_STRUCT, [13] = W_LIST, [14] = W_INT, [15] = W_INT};
  static const char *const names[] = {"",
                                      "type",
                                      "encodings",
                                      "path_in_schema",
                                      "codec",
                                      "num_values",
                                      "total_uncompressed_size",
                                      "total_compressed_size",
                                      "key_value_metadata",
                                      "data_page_offset"};
  memset(m, 0, sizeof(*m));
  field_iter it;
  if (!fields_begin(d, &it, wire))
    return false;
  while (fields_next(d, &it)) {
    int type = it.type;
    bool ok;
    switch (it.id) {
    case 1:
      ok = dec_i32_enum(d, type, &m->type);
      break;
    case 2: {
      uint32_t n;
      ok = dec_list_of(d, type, PQ_T_I32, &n) && dec_count(d, n, &m->n_encodings) &&
           (m->encodings = pq_tdec_alloc(d, n, sizeof(int32_t))) != NULL;
      for (uint32_t i = 0; ok && i < n; i++)
        ok = dec_i32_enum(d, PQ_T_I32, &m->encodings[i]);
      break;
    }
    case 3: {
      uint32_t n;
      ok = dec_list_of(d, type, PQ_T_BINARY, &n) && dec_count(d, n, &m->n_path_in_schema) &&
           (m->path_in_schema = pq_tdec_alloc(d, n, sizeof(pq_bytes))) != NULL;
      for (uint32_t i = 0; ok && i < n; i++)
        ok = pq_tdec_binary(d, PQ_T_BINARY, &m->path_in_schema[i]);
      break;
    }
    case 4:
      ok = dec_i32_enum(d, type, &m->codec);
      break;
    case 5:
      ok = pq_tdec_i64(d, type, &m->num_values);
      break;
    case 6:
      ok = pq_tdec_i64(d, type, &m->total_uncompressed_size);
      break;
    case 7:
      ok = pq_tdec_i64(d, type, &m->total_compressed_size);
      break;
    case 8:
      ok = dec_key_values(d, type, &m->key_value_metadata, &m->n_key_value_metadata);
      break;
    case 9:
      ok = pq_tdec_i64(d, type, &m->data_page_offset);
      break;
    case 10:
      ok = (m->has_index_page_offset = pq_tdec_i64(d, type, &m->index_page_offset));
      break;
    case 11:
      ok = (m->has_dictionary_page_offset = pq_tdec_i64(d, type, &m->dictionary_page_offset));
      break;
    case 12:
      ok = (m->has_statistics = pq_decode_statistics(d, &m->statistics));
      break;
    case 13: {
      uint32_t n;
      ok = dec_list_of(d, type, PQ_T_STRUCT, &n) && dec_count(d, n, &m->n_encoding_stats) &&
           (m->encoding_stats = pq_tdec_alloc(d, n, sizeof(pq_page_encoding_stats))) != NULL;
      for (uint32_t i = 0; ok && i < n; i++)
        ok = dec_page_encoding_stats(d, &m->encoding_stats[i]);
      break;
    }
    case 14:
      ok = (m->has_bloom_filter_offset = pq_tdec_i64(d, type, &m->bloom_filter_offset));
      break;
    case 15:
      ok = (m->has_bloom_filter_length = pq_tdec_i32(d, type, &m->bloom_filter_length));
      break;
    default:
      ok = pq_tdec_skip(d, type);
      break;
    }
    if (!ok)
      return false;
  }
  return fields_end(d, &it, "ColumnMetaData", REQ(1, 2, 3, 4, 5, 6, 7, 9), names);
}

static bool dec_column_chunk(pq_tdec *d, pq_column_chunk *c) {
  static const uint8_t wire[] = {[1] = W_BINARY, [2] = W_INT, [3] = W_STRUCT, [4] = W_INT,
                                 [5] = W_INT,    [6] = W_INT, [7] = W_INT};
  memset(c, 0, sizeof(*c));
  field_iter it;
  if (!fields_begin(d, &it, wire))
    return false;
  while (fields_next(d, &it)) {
    int type = it.type;
    bool ok;
    switch (it.id) {
    case 1:
      ok = (c->has_file_path = pq_tdec_binary(d, type, &c->file_path));
      break;
    case 2:
      ok = pq_tdec_i64(d, type, &c->file_offset);
      break;
    case 3:
      ok = (c->has_meta_data = dec_column_metadata(d, &c->meta_data));
      break;
    case 4:
      ok = (c->has_offset_index_offset = pq_tdec_i64(d, type, &c->offset_index_offset));
      break;
    case 5:
      ok = (c->has_offset_index_length = pq_tdec_i32(d, type, &c->offset_index_length));
      break;
    case 6:
      ok = (c->has_column_index_offset = pq_tdec_i64(d, type, &c->column_index_offset));
      break;
    case 7:
      ok = (c->has_column_index_length = pq_tdec_i32(d, type, &c->column_index_length));
      break;
    case 8:
      c->has_crypto_metadata = true;
      ok = pq_tdec_skip(d, type);
      break;
    case 9:
      c->has_encrypted_column_metadata = true;
      ok = pq_tdec_skip(d, type);
      break;
    default:
      ok = pq_tdec_skip(d, type);
      break;
    }
    if (!ok)
      return false;
  }
  /* file_offset is required in parquet.thrift but deprecated,
   * and some writers leave it out: its absence is not worth
   * refusing a file. */
  return fields_end(d, &it, "ColumnChunk", 0, NULL);
}

static bool dec_sorting_column(pq_tdec *d, pq_sorting_column *s) {
  static const uint8_t wire[] = {[1] = W_INT, [2] = W_BOOL, [3] = W_BOOL};
  static const char *const names[] = {"", "column_idx", "descending", "nulls_first"};
  memset(s, 0, sizeof(*s));
  field_iter it;
  if (!fields_begin(d, &it, wire))
    return false;
  while (fields_next(d, &it)) {
    int type = it.type;
    bool ok;
    switch (it.id) {
    case 1:
      ok = pq_tdec_i32(d, type, &s->column_idx);
      break;
    case 2:
      ok = pq_tdec_bool(d, type, &s->descending);
      break;
    case 3:
      ok = pq_tdec_bool(d, type, &s->nulls_first);
      break;
    default:
      ok = pq_tdec_skip(d, type);
      break;
    }
    if (!ok)
      return false;
  }
  return fields_end(d, &it, "SortingColumn", REQ(1, 2, 3), names);
}

static bool dec_row_group(pq_tdec *d, pq_row_group *rg) {
  static const uint8_t wire[] = {
      [1] = W_LIST, [2] = W_INT, [3] = W_INT, [4] = W_LIST, [5] = W_INT, [6] = W_INT, [7] = W_INT};
  static const char *const names[] = {"", "columns", "total_byte_size", "num_rows"};
  memset(rg, 0, sizeof(*rg));
  field_iter it;
  if (!fields_begin(d, &it, wire))
    return false;
  while (fields_next(d, &it)) {
    int type = it.type;
    bool ok;
    switch (it.id) {
    case 1: {
      uint32_t n;
      ok = dec_list_of(d, type, PQ_T_STRUCT, &n) && dec_count(d, n, &rg->n_columns) &&
           (rg->columns = pq_tdec_alloc(d, n, sizeof(pq_column_chunk))) != NULL;
      for (uint32_t i = 0; ok && i < n; i++)
        ok = dec_column_chunk(d, &rg->columns[i]);
      break;
    }
    case 2:
      ok = pq_tdec_i64(d, type, &rg->total_byte_size);
      break;
    case 3:
      ok = pq_tdec_i64(d, type, &rg->num_rows);
      break;
    case 4: {
      uint32_t n;
      ok = dec_list_of(d, type, PQ_T_STRUCT, &n) && dec_count(d, n, &rg->n_sorting_columns) &&
           (rg->sorting_columns = pq_tdec_alloc(d, n, sizeof(pq_sorting_column))) != NULL;
      for (uint32_t i = 0; ok && i < n; i++)
        ok = dec_sorting_column(d, &rg->sorting_columns[i]);
      break;
    }
    case 5:
      ok = (rg->has_file_offset = pq_tdec_i64(d, type, &rg->file_offset));
      break;
    case 6:
      ok = (rg->has_total_compressed_size = pq_tdec_i64(d, type, &rg->total_compressed_size));
      break;
    case 7: {
      int64_t v;
      ok = (rg->has_ordinal = pq_tdec_int(d, type, INT16_MIN, INT16_MAX, &v));
      rg->ordinal = (int16_t)v;
      break;
    }
    default:
      ok = pq_tdec_skip(d, type);
      break;
    }
    if (!ok)
      return false;
  }
  return fields_end(d, &it, "RowGroup", REQ(1, 2, 3), names);
}

bool pq_decode_file_metadata(pq_tdec *d, pq_file_metadata *m) {
  static const uint8_t wire[] = {[1] = W_INT,  [2] = W_LIST,   [3] = W_INT, [4] = W_LIST,
                                 [5] = W_LIST, [6] = W_BINARY, [7] = W_LIST};
  static const char *const names[] = {"", "version", "schema", "num_rows", "row_groups"};
  memset(m, 0, sizeof(*m));
  field_iter it;
  if (!fields_begin(d, &it, wire))
    return false;
  while (fields_next(d, &it)) {
    int type = it.type;
    bool ok;
    switch (it.id) {
    case 1:
      ok = pq_tdec_i32(d, type, &m->version);
      break;
    case 2: {
      uint32_t n;
      ok = dec_list_of(d, type, PQ_T_STRUCT, &n) && dec_count(d, n, &m->n_schema) &&
           (m->schema = pq_tdec_alloc(d, n, sizeof(pq_schema_element))) != NULL;
      for (uint32_t i = 0; ok && i < n; i++)
        ok = dec_schema_element(d, &m->schema[i]);
      break;
    }
    case 3:
      ok = pq_tdec_i64(d, type, &m->num_rows);
      break;
    case 4: {
      uint32_t n;
      ok = dec_list_of(d, type, PQ_T_STRUCT, &n) && dec_count(d, n, &m->n_row_groups) &&
           (m->row_groups = pq_tdec_alloc(d, n, sizeof(pq_row_group))) != NULL;
      for (uint32_t i = 0; ok && i < n; i++)
        ok = dec_row_group(d, &m->row_groups[i]);
      break;
    }
    case 5:
      ok = dec_key_values(d, type, &m->key_value_metadata, &m->n_key_value_metadata);
      break;
    case 6:
      ok = (m->has_created_by = pq_tdec_binary(d, type, &m->created_by));
      break;
    case 7: {
      uint32_t n;
      ok = dec_list_of(d, type, PQ_T_STRUCT, &n) && dec_count(d, n, &m->n_column_orders) &&
           (m->column_orders = pq_tdec_alloc(d, n, sizeof(pq_column_order))) != NULL;
      for (uint32_t i = 0; ok && i < n; i++)
        ok = dec_union_kind(d, &m->column_orders[i].kind);
      break;
    }
    case 8:
      m->has_encryption_algorithm = true;
      ok = pq_tdec_skip(d, type);
      break;
    case 9:
      m->has_footer_signing_key_metadata = true;
      ok = pq_tdec_skip(d, type);
      break;
    default:
      ok = pq_tdec_skip(d, type);
      break;
    }
    if (!ok)
      return false;
  }
  return fields_end(d, &it, "FileMetaData", REQ(1, 2, 3, 4), names);
}

static bool dec_data_page_header(pq_tdec *d, pq_data_page_header *p) {
  static const uint8_t wire[] = {
      [1] = W_INT, [2] = W_INT, [3] = W_INT, [4] = W_INT, [5] = W_STRUCT};
  static const char *const names[] = {"", "num_values", "encoding", "definition_level_encoding",
                                      "repetition_level_encoding"};
  memset(p, 0, sizeof(*p));
  field_iter it;
  if (!fields_begin(d, &it, wire))
    return false;
  while (fields_next(d, &it)) {
    int type = it.type;
    bool ok;
    switch (it.id) {
    case 1:
      ok = pq_tdec_i32(d, type, &p->num_values);
      break;
    case 2:
      ok = dec_i32_enum(d, type, &p->encoding);
      break;
    case 3:
      ok = dec_i32_enum(d, type, &p->definition_level_encoding);
      break;
    case 4:
      ok = dec_i32_enum(d, type, &p->repetition_level_encoding);
      break;
    case 5:
      ok = (p->has_statistics = pq_decode_statistics(d, &p->statistics));
      break;
    default:
      ok = pq_tdec_skip(d, type);
      break;
    }
    if (!ok)
      return false;
  }
  return fields_end(d, &it, "DataPageHeader", REQ(1, 2, 3, 4), names);
}

static bool dec_dictionary_page_header(pq_tdec *d, pq_dictionary_page_header *p) {
  static const uint8_t wire[] = {[1] = W_INT, [2] = W_INT, [3] = W_BOOL};
  static const char *const names[] = {"", "num_values", "encoding"};
  memset(p, 0, sizeof(*p));
  field_iter it;
  if (!fields_begin(d, &it, wire))
    return false;
  while (fields_next(d, &it)) {
    int type = it.type;
    bool ok;
    switch (it.id) {
    case 1:
      ok = pq_tdec_i32(d, type, &p->num_values);
      break;
    case 2:
      ok = dec_i32_enum(d, type, &p->encoding);
      break;
    case 3:
      ok = (p->has_is_sorted = pq_tdec_bool(d, type, &p->is_sorted));
      break;
    default:
      ok = pq_tdec_skip(d, type);
      break;
    }
    if (!ok)
      return false;
  }
  return fields_end(d, &it, "DictionaryPageHeader", REQ(1, 2), names);
}

static bool dec_data_page_header_v2(pq_tdec *d, pq_data_page_header_v2 *p) {
  static const uint8_t wire[] = {[1] = W_INT, [2] = W_INT, [3] = W_INT,  [4] = W_INT,
                                 [5] = W_INT, [6] = W_INT, [7] = W_BOOL, [8] = W_STRUCT};
  static const char *const names[] = {"",
                                      "num_values",
                                      "num_nulls",
                                      "num_rows",
                                      "encoding",
                                      "definition_levels_byte_length",
                                      "repetition_levels_byte_length"};
  memset(p, 0, sizeof(*p));
  p->is_compressed = true;
  field_iter it;
  if (!fields_begin(d, &it, wire))
    return false;
  while (fields_next(d, &it)) {
    int type = it.type;
    bool ok;
    switch (it.id) {
    case 1:
      ok = pq_tdec_i32(d, type, &p->num_values);
      break;
    case 2:
      ok = pq_tdec_i32(d, type, &p->num_nulls);
      break;
    case 3:
      ok = pq_tdec_i32(d, type, &p->num_rows);
      break;
    case 4:
      ok = dec_i32_enum(d, type, &p->encoding);
      break;
    case 5:
      ok = pq_tdec_i32(d, type, &p->definition_levels_byte_length);
      break;
    case 6:
      ok = pq_tdec_i32(d, type, &p->repetition_levels_byte_length);
      break;
    case 7:
      ok = (p->has_is_compressed = pq_tdec_bool(d, type, &p->is_compressed));
      break;
    case 8:
      ok = (p->has_statistics = pq_decode_statistics(d, &p->statistics));
      break;
    default:
      ok = pq_tdec_skip(d, type);
      break;
    }
    if (!ok)
      return false;
  }
  return fields_end(d, &it, "DataPageHeaderV2", REQ(1, 2, 3, 4, 5, 6), names);
}

bool pq_decode_page_header(pq_tdec *d, pq_page_header *h) {
  static const uint8_t wire[] = {[1] = W_INT,    [2] = W_INT,    [3] = W_INT,    [4] = W_INT,
                                 [5] = W_STRUCT, [6] = W_STRUCT, [7] = W_STRUCT, [8] = W_STRUCT};
  static const char *const names[] = {"", "type", "uncompressed_page_size", "compressed_page_size"};
  memset(h, 0, sizeof(*h));
  field_iter it;
  if (!fields_begin(d, &it, wire))
    return false;
  while (fields_next(d, &it)) {
    int type = it.type;
    bool ok;
    switch (it.id) {
    case 1:
      ok = dec_i32_enum(d, type, &h->type);
      break;
    case 2:
      ok = pq_tdec_i32(d, type, &h->uncompressed_page_size);
      break;
    case 3:
      ok = pq_tdec_i32(d, type, &h->compressed_page_size);
      break;
    case 4:
      ok = (h->has_crc = pq_tdec_i32(d, type, &h->crc));
      break;
    case 5:
      ok = (h->has_data_page_header = dec_data_page_header(d, &h->data_page_header));
      break;
    case 6:
      ok = (h->has_index_page_header = pq_tdec_skip(d, type));
      break;
    case 7:
      ok = (h->has_dictionary_page_header =
                dec_dictionary_page_header(d, &h->dictionary_page_header));
      break;
    case 8:
      ok = (h->has_data_page_header_v2 = dec_data_page_header_v2(d, &h->data_page_header_v2));
      break;
    default:
      ok = pq_tdec_skip(d, type);
      break;
    }
    if (!ok)
      return false;
  }
  return fields_end(d, &it, "PageHeader", REQ(1, 2, 3), names);
}

/* The lists of a ColumnIndex must
 * all have one entry per page. */
static bool same_pages(pq_tdec *d, pq_column_index *ci, uint32_t n, const char *list) {
  if (ci->n_pages < 0) {
    ci->n_pages = (int)n;
    return true;
  }
  if ((uint32_t)ci->n_pages == n)
    return true;
  return pq_tdec_fail(d,
                      "ColumnIndex.%s has %u "
                      "entries for %d pages",
                      list, n, ci->n_pages);
}

bool pq_decode_column_index(pq_tdec *d, pq_column_index *ci) {
  static const uint8_t wire[] = {[1] = W_LIST, [2] = W_LIST, [3] = W_LIST, [4] = W_INT,
                                 [5] = W_LIST, [6] = W_LIST, [7] = W_LIST, [8] = W_LIST};
  static const char *const names[] = {"", "null_pages", "min_values", "max_values",
                                      "boundary_order"};
  memset(ci, 0, sizeof(*ci));
  ci->n_pages = -1;
  field_iter it;
  if (!fields_begin(d, &it, wire))
    return false;
  while (fields_next(d, &it)) {
    int type = it.type;
    bool ok;
    switch (it.id) {
    case 1: {
      uint32_t n;
      ok = dec_list_of(d, type, PQ_T_BOOL_TRUE, &n) && same_pages(d, ci, n, "null_pages") &&
           (ci->null_pages = pq_tdec_alloc(d, n, sizeof(bool))) != NULL;
      for (uint32_t i = 0; ok && i < n; i++)
        ok = pq_tdec_bool(d, -1, &ci->null_pages[i]);
      break;
    }
    case 2:
    case 3: {
      uint32_t n;
      pq_bytes **list = it.id == 2 ? &ci->min_values : &ci->max_values;
      ok = dec_list_of(d, type, PQ_T_BINARY, &n) &&
           same_pages(d, ci, n, it.id == 2 ? "min_values" : "max_values") &&
           (*list = pq_tdec_alloc(d, n, sizeof(pq_bytes))) != NULL;
      for (uint32_t i = 0; ok && i < n; i++)
        ok = pq_tdec_binary(d, PQ_T_BINARY, &(*list)[i]);
      break;
    }
    case 4:
      ok = dec_i32_enum(d, type, &ci->boundary_order);
      break;
    case 5:
    case 8: {
      int64_t *v = NULL;
      int n = 0;
      ok = dec_i64_list(d, type, &v, &n) &&
           same_pages(d, ci, (uint32_t)n, it.id == 5 ? "null_counts" : "nan_counts");
      if (it.id == 5) {
        ci->null_counts = v;
        ci->has_null_counts = ok;
      } else {
        ci->nan_counts = v;
        ci->has_nan_counts = ok;
      }
      break;
    }
    case 6:
      ok = (ci->has_repetition_level_histograms = dec_i64_list(
                d, type, &ci->repetition_level_histograms, &ci->n_repetition_level_histograms));
      break;
    case 7:
      ok = (ci->has_definition_level_histograms = dec_i64_list(
                d, type, &ci->definition_level_histograms, &ci->n_definition_level_histograms));
      break;
    default:
      ok = pq_tdec_skip(d, type);
      break;
    }
    if (!ok)
      return false;
  }
  if (ci->n_pages < 0)
    ci->n_pages = 0;
  return fields_end(d, &it, "ColumnIndex", REQ(1, 2, 3, 4), names);
}

static bool dec_page_location(pq_tdec *d, pq_page_location *pl) {
  static const uint8_t wire[] = {[1] = W_INT, [2] = W_INT, [3] = W_INT};
  static const char *const names[] = {"", "offset",
                                      "compressed_page_"
                                      "size",
                                      "first_row_index"};
  memset(pl, 0, sizeof(*pl));
  field_iter it;
  if (!fields_begin(d, &it, wire))
    return false;
  while (fields_next(d, &it)) {
    int type = it.type;
    bool ok;
    switch (it.id) {
    case 1:
      ok = pq_tdec_i64(d, type, &pl->offset);
      break;
    case 2:
      ok = pq_tdec_i32(d, type, &pl->compressed_page_size);
      break;
    case 3:
      ok = pq_tdec_i64(d, type, &pl->first_row_index);
      break;
    default:
      ok = pq_tdec_skip(d, type);
      break;
    }
    if (!ok)
      return false;
  }
  return fields_end(d, &it, "PageLocation", REQ(1, 2, 3), names);
}

bool pq_decode_offset_index(pq_tdec *d, pq_offset_index *oi) {
  static const uint8_t wire[] = {[1] = W_LIST, [2] = W_LIST};
  static const char *const names[] = {"", "page_locations"};
  memset(oi, 0, sizeof(*oi));
  field_iter it;
  if (!fields_begin(d, &it, wire))
    return false;
  while (fields_next(d, &it)) {
    int type = it.type;
    bool ok;
    switch (it.id) {
    case 1: {
      uint32_t n;
      ok = dec_list_of(d, type, PQ_T_STRUCT, &n) && dec_count(d, n, &oi->n_page_locations) &&
           (oi->page_locations = pq_tdec_alloc(d, n, sizeof(pq_page_location))) != NULL;
      for (uint32_t i = 0; ok && i < n; i++)
        ok = dec_page_location(d, &oi->page_locations[i]);
      break;
    }
    case 2:
      ok = (oi->has_unencoded_byte_array_data_bytes =
                dec_i64_list(d, type, &oi->unencoded_byte_array_data_bytes,
                             &oi->n_unencoded_byte_array_data_bytes));
      break;
    default:
      ok = pq_tdec_skip(d, type);
      break;
    }
    if (!ok)
      return false;
  }
  return fields_end(d, &it, "OffsetIndex", REQ(1), names);
}

/* ---- names ------------------------------------------------------------------------------------*/

static const char *enum_name(const char *const *names, int n, int v) {
  return v >= 0 && v < n ? names[v] : NULL;
}
#define ENUM_NAME(names, v) enum_name(names, (int)(sizeof(names) / sizeof(names[0])), v)

const char *pq_type_name(int type) {
  static const char *const names[] = {"BOOLEAN", "INT32",  "INT64",      "INT96",
                                      "FLOAT",   "DOUBLE", "BYTE_ARRAY", "FIXED_LEN_BYTE_ARRAY"};
  return ENUM_NAME(names, type);
}

const char *pq_converted_type_name(int ct) {
  static const char *const names[] = {"UTF8",
                                      "MAP",
                                      "MAP_KEY_VALUE",
                                      "LIST",
                                      "ENUM",
                                      "DECIMAL",
                                      "DATE",
                                      "TIME_MILLIS",
                                      "TIME_MICROS",
                                      "TIMESTAMP_MILLIS",
                                      "TIMESTAMP_MICROS",
                                      "UINT_8",
                                      "UINT_16",
                                      "UINT_32",
                                      "UINT_64",
                                      "INT_8",
                                      "INT_16",
                                      "INT_32",
                                      "INT_64",
                                      "JSON",
                                      "BSON",
                                      "INTERVAL"};
  return ENUM_NAME(names, ct);
}

const char *pq_logical_kind_name(int kind) {
  static const char *const names[] = {NULL,      "STRING",  "MAP",      "LIST",      "ENUM",
                                      "DECIMAL", "DATE",    "TIME",     "TIMESTAMP", NULL,
                                      "INTEGER", "UNKNOWN", "JSON",     "BSON",      "UUID",
                                      "FLOAT16", "VARIANT", "GEOMETRY", "GEOGRAPHY", "FILE"};
  return ENUM_NAME(names, kind);
}

const char *pq_time_unit_name(int unit) {
  static const char *const names[] = {NULL, "MILLIS", "MICROS", "NANOS"};
  return ENUM_NAME(names, unit);
}

const char *pq_repetition_name(int rep) {
  static const char *const names[] = {"REQUIRED", "OPTIONAL", "REPEATED"};
  return ENUM_NAME(names, rep);
}

const char *pq_encoding_name(int enc) {
  static const char *const names[] = {"PLAIN",
                                      NULL,
                                      "PLAIN_DICTIONARY",
                                      "RLE",
                                      "BIT_PACKED",
                                      "DELTA_BINARY_PACKED",
                                      "DELTA_LENGTH_BYTE_ARRAY",
                                      "DELTA_BYTE_ARRAY",
                                      "RLE_DICTIONARY",
                                      "BYTE_STREAM_SPLIT"};
  return ENUM_NAME(names, enc);
}

const char *pq_page_type_name(int type) {
  static const char *const names[] = {"DATA_PAGE", "INDEX_PAGE", "DICTIONARY_PAGE", "DATA_PAGE_V2"};
  return ENUM_NAME(names, type);
}

const char *pq_column_order_name(int kind) {
  static const char *const names[] = {NULL, "TYPE_DEFINED_ORDER", "IEEE_754_TOTAL_ORDER",
                                      "INT96_TIMESTAMP_ORDER"};
  return ENUM_NAME(names, kind);
}
