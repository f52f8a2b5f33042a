/*
 * fuzz_thrift.c — libFuzzer target for the Thrift compact decoder and the Parquet metadata structs
 * on the wire (thrift.c, meta.c). The first byte picks the struct (FileMetaData, PageHeader,
 * ColumnIndex, OffsetIndex); the rest is its encoding.
 *
 * The decoder must never read out of bounds (ASan) nor report a position past the input. When it
 * succeeds, the struct is encoded and the encoding decoded again; the two decodings must be equal.
 * They are compared through their encodings (the encoder is deterministic and writes every field
 * the decoder keeps, so equal encodings mean equal decodings) and, field by field, on the counts
 * and sizes that steer the reader. Fields the decoder only skips or notes (unknown ids,
 * encryption) are left out of both encodings alike. A violated invariant aborts.
 */
#include "io/parquet/pq_int.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { KIND_FILE_METADATA, KIND_PAGE_HEADER, KIND_COLUMN_INDEX, KIND_OFFSET_INDEX, KIND_COUNT };

/* Any of the four structs, decoded. */
typedef union decoded {
  pq_file_metadata fm;
  pq_page_header ph;
  pq_column_index ci;
  pq_offset_index oi;
} decoded;

static bool decode(int kind, const uint8_t *p, size_t n, arena *a, decoded *out, size_t *used) {
  pq_tdec d;
  pq_tdec_init(&d, p, n, 0, a);
  memset(out, 0, sizeof(*out));
  bool ok = false;
  switch (kind) {
  case KIND_FILE_METADATA:
    ok = pq_decode_file_metadata(&d, &out->fm);
    break;
  case KIND_PAGE_HEADER:
    ok = pq_decode_page_header(&d, &out->ph);
    break;
  case KIND_COLUMN_INDEX:
    ok = pq_decode_column_index(&d, &out->ci);
    break;
  default:
    ok = pq_decode_offset_index(&d, &out->oi);
    break;
  }
  if (d.pos > d.len)
    abort();
  if (ok && (d.failed || d.depth != 0))
    abort();
  if (!ok && !d.failed)
    abort(); /* a failure always leaves its message */
  *used = d.pos;
  return ok;
}

static bool encode(int kind, const decoded *x, pq_tenc *e) {
  switch (kind) {
  case KIND_FILE_METADATA:
    return pq_encode_file_metadata(e, &x->fm);
  case KIND_PAGE_HEADER:
    return pq_encode_page_header(e, &x->ph);
  case KIND_COLUMN_INDEX:
    return pq_encode_column_index(e, &x->ci);
  default:
    return pq_encode_offset_index(e, &x->oi);
  }
}

#define SAME(f)                                                                                    \
  do {                                                                                             \
    if ((a->f) != (b->f))                                                                          \
      abort();                                                                                     \
  } while (0)

static void same_bytes(pq_bytes x, pq_bytes y) {
  if (x.len != y.len || (x.len && memcmp(x.ptr, y.ptr, x.len) != 0))
    abort();
}

static void same_file_metadata(const pq_file_metadata *a, const pq_file_metadata *b) {
  SAME(version);
  SAME(num_rows);
  SAME(n_schema);
  SAME(n_row_groups);
  SAME(n_key_value_metadata);
  SAME(n_column_orders);
  SAME(has_created_by);
  if (a->has_created_by)
    same_bytes(a->created_by, b->created_by);
  for (int i = 0; i < a->n_schema; i++) {
    const pq_schema_element *x = &a->schema[i], *y = &b->schema[i];
    same_bytes(x->name, y->name);
    if (x->has_type != y->has_type || x->type != y->type ||
        x->has_num_children != y->has_num_children || x->num_children != y->num_children ||
        x->has_repetition_type != y->has_repetition_type ||
        x->repetition_type != y->repetition_type || x->has_logical_type != y->has_logical_type ||
        x->logical_type.kind != y->logical_type.kind)
      abort();
  }
  for (int i = 0; i < a->n_row_groups; i++) {
    const pq_row_group *x = &a->row_groups[i], *y = &b->row_groups[i];
    if (x->num_rows != y->num_rows || x->n_columns != y->n_columns ||
        x->total_byte_size != y->total_byte_size)
      abort();
    for (int c = 0; c < x->n_columns; c++) {
      const pq_column_chunk *p = &x->columns[c], *q = &y->columns[c];
      if (p->has_meta_data != q->has_meta_data ||
          p->meta_data.data_page_offset != q->meta_data.data_page_offset ||
          p->meta_data.total_compressed_size != q->meta_data.total_compressed_size ||
          p->meta_data.num_values != q->meta_data.num_values ||
          p->meta_data.codec != q->meta_data.codec ||
          p->meta_data.has_dictionary_page_offset != q->meta_data.has_dictionary_page_offset ||
          p->meta_data.dictionary_page_offset != q->meta_data.dictionary_page_offset ||
          p->offset_index_offset != q->offset_index_offset ||
          p->column_index_offset != q->column_index_offset)
        abort();
    }
  }
}

static void same_page_header(const pq_page_header *a, const pq_page_header *b) {
  SAME(type);
  SAME(uncompressed_page_size);
  SAME(compressed_page_size);
  SAME(has_crc);
  SAME(crc);
  SAME(has_data_page_header);
  SAME(data_page_header.num_values);
  SAME(data_page_header.encoding);
  SAME(has_dictionary_page_header);
  SAME(dictionary_page_header.num_values);
  SAME(dictionary_page_header.encoding);
  SAME(has_data_page_header_v2);
  SAME(data_page_header_v2.num_values);
  SAME(data_page_header_v2.num_nulls);
  SAME(data_page_header_v2.num_rows);
  SAME(data_page_header_v2.encoding);
  SAME(data_page_header_v2.definition_levels_byte_length);
  SAME(data_page_header_v2.repetition_levels_byte_length);
  SAME(data_page_header_v2.is_compressed);
}

static void same_column_index(const pq_column_index *a, const pq_column_index *b) {
  SAME(n_pages);
  SAME(boundary_order);
  SAME(has_null_counts);
  SAME(has_nan_counts);
  for (int i = 0; i < a->n_pages; i++) {
    SAME(null_pages[i]);
    same_bytes(a->min_values[i], b->min_values[i]);
    same_bytes(a->max_values[i], b->max_values[i]);
    if (a->has_null_counts)
      SAME(null_counts[i]);
  }
}

static void same_offset_index(const pq_offset_index *a, const pq_offset_index *b) {
  SAME(n_page_locations);
  SAME(has_unencoded_byte_array_data_bytes);
  SAME(n_unencoded_byte_array_data_bytes);
  for (int i = 0; i < a->n_page_locations; i++) {
    SAME(page_locations[i].offset);
    SAME(page_locations[i].compressed_page_size);
    SAME(page_locations[i].first_row_index);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1)
    return 0;
  int kind = data[0] % KIND_COUNT;
  data++;
  size--;

  arena a1, a2;
  arena_init(&a1, 4096);
  arena_init(&a2, 4096);
  pq_tenc e1, e2;
  pq_tenc_init(&e1, (size_t)1 << 26);
  pq_tenc_init(&e2, (size_t)1 << 26);
  decoded x, y;
  size_t used;
  if (decode(kind, data, size, &a1, &x, &used)) {
    if (used > size)
      abort();
    /* Whatever decodes must encode (the encoder refuses nothing the decoder accepts) ... */
    if (!encode(kind, &x, &e1))
      abort();
    /* ... and decode again, to the same struct, using every byte of its encoding. */
    size_t used2;
    if (!decode(kind, e1.data, e1.len, &a2, &y, &used2) || used2 != e1.len)
      abort();
    if (!encode(kind, &y, &e2) || e1.len != e2.len || memcmp(e1.data, e2.data, e1.len) != 0)
      abort();
    switch (kind) {
    case KIND_FILE_METADATA:
      same_file_metadata(&x.fm, &y.fm);
      break;
    case KIND_PAGE_HEADER:
      same_page_header(&x.ph, &y.ph);
      break;
    case KIND_COLUMN_INDEX:
      same_column_index(&x.ci, &y.ci);
      break;
    default:
      same_offset_index(&x.oi, &y.oi);
      break;
    }
  }
  pq_tenc_free(&e1);
  pq_tenc_free(&e2);
  arena_free(&a1);
  arena_free(&a2);
  return 0;
}
