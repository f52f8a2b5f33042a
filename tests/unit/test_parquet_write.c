/*
 * test_parquet_write.c — the Thrift compact protocol and the Parquet metadata structs (round
 * trips, unknown fields skipped, corrupt input refused with the offset named), and the Parquet
 * writer checked from the bytes it writes: footer, schema, statistics, every page header, column
 * and offset indexes, dictionary fallback, options. That DuckDB and Polars read the files back
 * value by value is tested in tests/interop/.
 */
#include "io/parquet/pq_int.h"
#include "test.h"

#include <math.h>
#include <stdlib.h>
#include <unistd.h>

/* ---- helpers
 * ------------------------------------------------------------------------------------*/

static bool bytes_eq(pq_bytes b, const char *s) {
  return b.len == strlen(s) && (b.len == 0 || memcmp(b.ptr, s, b.len) == 0);
}

static pq_bytes B(const char *s) {
  return (pq_bytes){(const uint8_t *)s, (uint32_t)strlen(s)};
}

/* A FileMetaData with every field this code models set (two row groups, two columns). */
static void sample_metadata(pq_file_metadata *m, pq_schema_element *schema, pq_row_group *rgs,
                            pq_column_chunk *chunks, pq_key_value *kv, pq_column_order *orders) {
  static int32_t encodings[] = {PQ_ENC_PLAIN, PQ_ENC_RLE, PQ_ENC_RLE_DICTIONARY};
  static pq_bytes path[1];
  static pq_page_encoding_stats es[] = {{PQ_PAGE_DICTIONARY, PQ_ENC_PLAIN, 1},
                                        {PQ_PAGE_DATA, PQ_ENC_RLE_DICTIONARY, 7}};
  static pq_sorting_column sorting[] = {{1, true, false}};
  path[0] = B("amount");
  memset(m, 0, sizeof(*m));
  memset(schema, 0, sizeof(pq_schema_element) * 4);
  schema[0].name = B("schema");
  schema[0].has_num_children = true;
  schema[0].num_children = 3;
  schema[1] = (pq_schema_element){.has_type = true,
                                  .type = PQ_BYTE_ARRAY,
                                  .has_repetition_type = true,
                                  .repetition_type = PQ_OPTIONAL,
                                  .name = B("name"),
                                  .has_converted_type = true,
                                  .converted_type = PQ_CT_UTF8,
                                  .has_field_id = true,
                                  .field_id = -7,
                                  .has_logical_type = true,
                                  .logical_type = {.kind = PQ_LT_STRING}};
  schema[2] = (pq_schema_element){
      .has_type = true,
      .type = PQ_INT64,
      .has_repetition_type = true,
      .repetition_type = PQ_REQUIRED,
      .name = B("ts"),
      .has_logical_type = true,
      .logical_type = {.kind = PQ_LT_TIMESTAMP, .is_adjusted_to_utc = true, .unit = PQ_UNIT_NANOS}};
  schema[3] = (pq_schema_element){
      .has_type = true,
      .type = PQ_FIXED_LEN_BYTE_ARRAY,
      .has_type_length = true,
      .type_length = 9,
      .name = B("amount"),
      .has_scale = true,
      .scale = 2,
      .has_precision = true,
      .precision = 20,
      .has_logical_type = true,
      .logical_type = {.kind = PQ_LT_DECIMAL, .decimal_scale = 2, .decimal_precision = 20}};
  m->version = 2;
  m->schema = schema;
  m->n_schema = 4;
  m->num_rows = 5000000000LL;
  for (int r = 0; r < 2; r++) {
    pq_column_chunk *c = &chunks[r];
    memset(c, 0, sizeof(*c));
    c->file_offset = 0;
    c->has_file_path = r == 1;
    c->file_path = B("other.parquet");
    c->has_meta_data = true;
    pq_column_metadata *cm = &c->meta_data;
    cm->type = PQ_FIXED_LEN_BYTE_ARRAY;
    cm->encodings = encodings;
    cm->n_encodings = 3;
    cm->path_in_schema = path;
    cm->n_path_in_schema = 1;
    cm->codec = PQ_CODEC_ZSTD;
    cm->num_values = 1234567;
    cm->total_uncompressed_size = 1LL << 40;
    cm->total_compressed_size = 99;
    cm->key_value_metadata = kv;
    cm->n_key_value_metadata = 1;
    cm->data_page_offset = 4 + r;
    cm->has_index_page_offset = true;
    cm->index_page_offset = -1;
    cm->has_dictionary_page_offset = true;
    cm->dictionary_page_offset = 4;
    cm->has_statistics = true;
    cm->statistics = (pq_statistics){.has_max = true,
                                     .max = B("zz"),
                                     .has_min = true,
                                     .min = B(""),
                                     .has_null_count = true,
                                     .null_count = 0,
                                     .has_distinct_count = true,
                                     .distinct_count = 3,
                                     .has_max_value = true,
                                     .max_value = B("zzz"),
                                     .has_min_value = true,
                                     .min_value = B("a"),
                                     .has_is_max_value_exact = true,
                                     .is_max_value_exact = false,
                                     .has_is_min_value_exact = true,
                                     .is_min_value_exact = true,
                                     .has_nan_count = true,
                                     .nan_count = 17};
    cm->encoding_stats = es;
    cm->n_encoding_stats = 2;
    cm->has_bloom_filter_offset = true;
    cm->bloom_filter_offset = 77;
    cm->has_bloom_filter_length = true;
    cm->bloom_filter_length = 88;
    c->has_offset_index_offset = c->has_offset_index_length = true;
    c->offset_index_offset = 1000 + r;
    c->offset_index_length = 20;
    c->has_column_index_offset = c->has_column_index_length = r == 0;
    c->column_index_offset = 900;
    c->column_index_length = 30;
    pq_row_group *rg = &rgs[r];
    memset(rg, 0, sizeof(*rg));
    rg->columns = c;
    rg->n_columns = 1;
    rg->total_byte_size = 555;
    rg->num_rows = 2500000000LL;
    rg->sorting_columns = r == 0 ? sorting : NULL;
    rg->n_sorting_columns = r == 0 ? 1 : 0;
    rg->has_file_offset = true;
    rg->file_offset = 4;
    rg->has_total_compressed_size = true;
    rg->total_compressed_size = 444;
    rg->has_ordinal = true;
    rg->ordinal = (int16_t)r;
  }
  m->row_groups = rgs;
  m->n_row_groups = 2;
  kv[0] = (pq_key_value){.key = B("k"), .has_value = true, .value = {(const uint8_t *)"v\0x", 3}};
  kv[1] = (pq_key_value){.key = B("only key")};
  m->key_value_metadata = kv;
  m->n_key_value_metadata = 2;
  m->has_created_by = true;
  m->created_by = B("sbd version 0.1.0 (build test)");
  orders[0].kind = PQ_ORDER_TYPE_DEFINED;
  orders[1].kind = PQ_ORDER_IEEE_754_TOTAL;
  orders[2].kind = PQ_ORDER_TYPE_DEFINED;
  m->column_orders = orders;
  m->n_column_orders = 3;
}

static void encode_sample(pq_tenc *e) {
  pq_file_metadata m;
  pq_schema_element schema[4];
  pq_row_group rgs[2];
  pq_column_chunk chunks[2];
  pq_key_value kv[2];
  pq_column_order orders[3];
  sample_metadata(&m, schema, rgs, chunks, kv, orders);
  pq_tenc_init(e, 1 << 20);
  pq_encode_file_metadata(e, &m);
}

/* ---- Thrift and the metadata structs
 * ------------------------------------------------------------*/

TEST(thrift_file_metadata_round_trip) {
  pq_tenc e;
  encode_sample(&e);
  ASSERT_TRUE(!e.failed);
  arena a;
  arena_init(&a, 0);
  pq_tdec d;
  pq_tdec_init(&d, e.data, e.len, 100, &a);
  pq_file_metadata m;
  bool ok = pq_decode_file_metadata(&d, &m);
  if (!ok)
    test_fail(__FILE__, __LINE__, "decode: %s", d.err);
  ASSERT_TRUE(ok);
  ASSERT_EQ(d.pos, e.len);
  ASSERT_EQ(m.version, 2);
  ASSERT_EQ(m.num_rows, 5000000000LL);
  ASSERT_EQ(m.n_schema, 4);
  ASSERT_TRUE(bytes_eq(m.schema[1].name, "name"));
  ASSERT_EQ(m.schema[1].field_id, -7);
  ASSERT_EQ(m.schema[1].logical_type.kind, PQ_LT_STRING);
  ASSERT_EQ(m.schema[2].logical_type.kind, PQ_LT_TIMESTAMP);
  ASSERT_EQ(m.schema[2].logical_type.unit, PQ_UNIT_NANOS);
  ASSERT_TRUE(m.schema[2].logical_type.is_adjusted_to_utc);
  ASSERT_EQ(m.schema[3].logical_type.decimal_precision, 20);
  ASSERT_EQ(m.schema[3].type_length, 9);
  ASSERT_EQ(m.n_row_groups, 2);
  const pq_column_metadata *cm = &m.row_groups[0].columns[0].meta_data;
  ASSERT_EQ(cm->total_uncompressed_size, 1LL << 40);
  ASSERT_EQ(cm->n_encodings, 3);
  ASSERT_EQ(cm->encodings[2], PQ_ENC_RLE_DICTIONARY);
  ASSERT_TRUE(bytes_eq(cm->statistics.max_value, "zzz"));
  ASSERT_TRUE(cm->statistics.has_min && cm->statistics.min.len == 0);
  ASSERT_EQ(cm->statistics.nan_count, 17);
  ASSERT_TRUE(cm->statistics.is_min_value_exact && !cm->statistics.is_max_value_exact);
  ASSERT_EQ(cm->encoding_stats[1].count, 7);
  ASSERT_EQ(m.row_groups[0].sorting_columns[0].descending, 1);
  ASSERT_TRUE(m.row_groups[1].columns[0].has_file_path);
  ASSERT_TRUE(!m.row_groups[1].columns[0].has_column_index_offset);
  ASSERT_EQ(m.key_value_metadata[0].value.len, 3);
  ASSERT_TRUE(!m.key_value_metadata[1].has_value);
  ASSERT_EQ(m.column_orders[1].kind, PQ_ORDER_IEEE_754_TOTAL);
  ASSERT_TRUE(bytes_eq(m.created_by, "sbd version 0.1.0 (build test)"));

  /* What was decoded encodes to the same bytes: nothing modelled was lost. */
  pq_tenc again;
  pq_tenc_init(&again, 1 << 20);
  pq_encode_file_metadata(&again, &m);
  ASSERT_EQ(again.len, e.len);
  ASSERT_TRUE(memcmp(again.data, e.data, e.len) == 0);
  pq_tenc_free(&again);
  pq_tenc_free(&e);
  arena_free(&a);
}

TEST(thrift_page_headers_and_indexes_round_trip) {
  pq_page_header hs[3];
  memset(hs, 0, sizeof(hs));
  hs[0].type = PQ_PAGE_DATA;
  hs[0].uncompressed_page_size = 1 << 20;
  hs[0].compressed_page_size = 12345;
  hs[0].has_crc = true;
  hs[0].crc = -5;
  hs[0].has_data_page_header = true;
  hs[0].data_page_header = (pq_data_page_header){.num_values = 100,
                                                 .encoding = PQ_ENC_RLE_DICTIONARY,
                                                 .definition_level_encoding = PQ_ENC_RLE,
                                                 .repetition_level_encoding = PQ_ENC_BIT_PACKED,
                                                 .has_statistics = true,
                                                 .statistics = {.has_null_count = true,
                                                                .null_count = 4,
                                                                .has_min_value = true,
                                                                .min_value = B("\x01\x02")}};
  hs[1].type = PQ_PAGE_DATA_V2;
  hs[1].has_data_page_header_v2 = true;
  hs[1].data_page_header_v2 = (pq_data_page_header_v2){.num_values = 10,
                                                       .num_nulls = 3,
                                                       .num_rows = 10,
                                                       .encoding = PQ_ENC_DELTA_BINARY_PACKED,
                                                       .definition_levels_byte_length = 2,
                                                       .has_is_compressed = true,
                                                       .is_compressed = false};
  hs[2].type = PQ_PAGE_DICTIONARY;
  hs[2].has_dictionary_page_header = true;
  hs[2].dictionary_page_header =
      (pq_dictionary_page_header){.num_values = 3, .encoding = PQ_ENC_PLAIN, .has_is_sorted = true};
  for (int i = 0; i < 3; i++) {
    pq_tenc e;
    pq_tenc_init(&e, 4096);
    ASSERT_TRUE(pq_encode_page_header(&e, &hs[i]));
    pq_tdec d;
    pq_tdec_init(&d, e.data, e.len, 0, NULL); /* page headers decode without an arena */
    pq_page_header h;
    bool ok = pq_decode_page_header(&d, &h);
    CHECK(ok, "page header %d: %s", i, d.err);
    pq_tenc again;
    pq_tenc_init(&again, 4096);
    pq_encode_page_header(&again, &h);
    CHECK(again.len == e.len && memcmp(again.data, e.data, e.len) == 0,
          "page header %d re-encodes differently", i);
    pq_tenc_free(&again);
    pq_tenc_free(&e);
  }

  bool null_pages[] = {false, true, false};
  pq_bytes mins[] = {B("a"), B(""), B("c")}, maxs[] = {B("b"), B(""), B("d")};
  int64_t nulls[] = {0, 9, 1}, nans[] = {0, 0, 0}, hist[] = {1, 2, 3, 4, 5, 6};
  pq_column_index ci = {.has_null_counts = true,
                        .has_definition_level_histograms = true,
                        .has_nan_counts = true,
                        .n_pages = 3,
                        .null_pages = null_pages,
                        .min_values = mins,
                        .max_values = maxs,
                        .boundary_order = PQ_ORDER_ASCENDING,
                        .null_counts = nulls,
                        .definition_level_histograms = hist,
                        .n_definition_level_histograms = 6,
                        .nan_counts = nans};
  pq_page_location locs[] = {{4, 100, 0}, {104, 50, 1000}, {154, 70, 1500}};
  int64_t unenc[] = {10, 20, 30};
  pq_offset_index oi = {.page_locations = locs,
                        .n_page_locations = 3,
                        .unencoded_byte_array_data_bytes = unenc,
                        .n_unencoded_byte_array_data_bytes = 3,
                        .has_unencoded_byte_array_data_bytes = true};
  arena a;
  arena_init(&a, 0);
  pq_tenc e;
  pq_tenc_init(&e, 4096);
  ASSERT_TRUE(pq_encode_column_index(&e, &ci));
  size_t ci_len = e.len;
  ASSERT_TRUE(pq_encode_offset_index(&e, &oi));
  pq_tdec d;
  pq_tdec_init(&d, e.data, e.len, 0, &a);
  pq_column_index ci2;
  pq_offset_index oi2;
  ASSERT_TRUE(pq_decode_column_index(&d, &ci2));
  ASSERT_EQ(d.pos, ci_len);
  ASSERT_TRUE(pq_decode_offset_index(&d, &oi2));
  ASSERT_EQ(d.pos, e.len);
  ASSERT_EQ(ci2.n_pages, 3);
  ASSERT_TRUE(ci2.null_pages[1] && !ci2.null_pages[0]);
  ASSERT_TRUE(bytes_eq(ci2.max_values[2], "d"));
  ASSERT_EQ(ci2.null_counts[1], 9);
  ASSERT_EQ(ci2.n_definition_level_histograms, 6);
  ASSERT_EQ(oi2.page_locations[2].first_row_index, 1500);
  ASSERT_EQ(oi2.unencoded_byte_array_data_bytes[1], 20);
  pq_tenc_free(&e);
  arena_free(&a);
}

/* Unknown fields of every wire type, in every struct, before and between known ones. */
static void put_unknown_fields(pq_tenc *e, int16_t first_id) {
  int16_t id = first_id;
  pq_tenc_field_bool(e, id++, true);
  pq_tenc_field_bool(e, id++, false);
  pq_tenc_field_i8(e, id++, -3);
  pq_tenc_field_i16(e, id++, -300);
  pq_tenc_field_i32(e, id++, 1 << 30);
  pq_tenc_field_i64(e, id++, INT64_MIN);
  pq_tenc_field_double(e, id++, 2.5);
  pq_tenc_field_binary(e, id++, "unknown", 7);
  pq_tenc_field_list(e, id++, PQ_T_STRUCT, 2);
  for (int i = 0; i < 2; i++) {
    pq_tenc_struct_begin(e);
    pq_tenc_field_list(e, 1, PQ_T_BOOL_TRUE, 3);
    pq_tenc_bool(e, true);
    pq_tenc_bool(e, false);
    pq_tenc_bool(e, true);
    pq_tenc_field_struct(e, 2);
    pq_tenc_struct_begin(e);
    pq_tenc_field_i32(e, 1, 5);
    pq_tenc_struct_end(e);
    pq_tenc_struct_end(e);
  }
  /* A set of 20 i32 (long-form size), a map<binary, list<i64>>, an empty map, a uuid. */
  pq_tenc_field_header(e, id++, PQ_T_SET);
  pq_tenc_bytes(e, "\xf5\x14", 2);
  for (int i = 0; i < 20; i++)
    pq_tenc_i32(e, i);
  pq_tenc_field_header(e, id++, PQ_T_MAP);
  pq_tenc_bytes(e, "\x02\x89", 2);
  for (int i = 0; i < 2; i++) {
    pq_tenc_binary(e, "key", 3);
    pq_tenc_bytes(e, "\x26", 1); /* list of two i64 */
    pq_tenc_i64(e, -1);
    pq_tenc_i64(e, 1);
  }
  pq_tenc_field_header(e, id++, PQ_T_MAP);
  pq_tenc_bytes(e, "\x00", 1);
  pq_tenc_field_header(e, id++, PQ_T_UUID);
  pq_tenc_bytes(e, "0123456789abcdef", 16);
}

TEST(thrift_skips_unknown_fields) {
  pq_tenc e;
  pq_tenc_init(&e, 1 << 16);
  pq_tenc_struct_begin(&e);
  put_unknown_fields(&e, 100); /* then known ids go back down: long-form headers */
  pq_tenc_field_i32(&e, 1, PQ_PAGE_DATA);
  pq_tenc_field_i32(&e, 2, 64);
  pq_tenc_field_i32(&e, 3, 60);
  pq_tenc_field_struct(&e, 5);
  pq_tenc_struct_begin(&e);
  pq_tenc_field_i32(&e, 1, 8);
  pq_tenc_field_i32(&e, 2, PQ_ENC_PLAIN);
  pq_tenc_field_i32(&e, 3, PQ_ENC_RLE);
  pq_tenc_field_i32(&e, 4, PQ_ENC_RLE);
  pq_tenc_field_struct(&e, 5);
  pq_tenc_struct_begin(&e);
  pq_tenc_field_i64(&e, 3, 2);
  put_unknown_fields(&e, 10);
  pq_tenc_struct_end(&e);
  put_unknown_fields(&e, 6);
  pq_tenc_struct_end(&e);
  pq_tenc_field_struct(&e, 6); /* index_page_header: an empty struct, here with content */
  pq_tenc_struct_begin(&e);
  put_unknown_fields(&e, 1);
  pq_tenc_struct_end(&e);
  put_unknown_fields(&e, 9);
  pq_tenc_struct_end(&e);
  ASSERT_TRUE(!e.failed);

  arena a;
  arena_init(&a, 0);
  pq_tdec d;
  pq_tdec_init(&d, e.data, e.len, 0, &a);
  pq_page_header h;
  bool ok = pq_decode_page_header(&d, &h);
  if (!ok)
    test_fail(__FILE__, __LINE__, "decode: %s", d.err);
  ASSERT_TRUE(ok);
  ASSERT_EQ(d.pos, e.len);
  ASSERT_EQ(h.compressed_page_size, 60);
  ASSERT_EQ(h.data_page_header.num_values, 8);
  ASSERT_EQ(h.data_page_header.statistics.null_count, 2);
  ASSERT_TRUE(h.has_index_page_header);

  /* The same in a FileMetaData, after its required fields. */
  pq_tenc f;
  encode_sample(&f);
  f.len--; /* drop the stop byte: more fields follow */
  f.depth = 1;
  put_unknown_fields(&f, 20);
  pq_tenc_struct_end(&f);
  pq_tdec_init(&d, f.data, f.len, 0, &a);
  pq_file_metadata m;
  ok = pq_decode_file_metadata(&d, &m);
  if (!ok)
    test_fail(__FILE__, __LINE__, "decode: %s", d.err);
  ASSERT_TRUE(ok);
  ASSERT_EQ(m.n_row_groups, 2);
  pq_tenc_free(&f);
  pq_tenc_free(&e);
  arena_free(&a);
}

/* A known field sent with another wire type is skipped, as Thrift-generated code skips it: an
 * optional one is then absent. (parquet-testing's dict-page-offset-zero.parquet has a list in
 * ColumnMetaData field 15, which parquet.thrift now declares as the i32 bloom_filter_length.) */
TEST(thrift_skips_known_fields_of_another_wire_type) {
  pq_tenc e;
  pq_tenc_init(&e, 4096);
  pq_tenc_struct_begin(&e);
  pq_tenc_field_i32(&e, 1, PQ_PAGE_DATA);
  pq_tenc_field_i32(&e, 2, 64);
  pq_tenc_field_i32(&e, 3, 60);
  pq_tenc_field_binary(&e, 4, "crc", 3);  /* crc is an i32 */
  pq_tenc_field_list(&e, 5, PQ_T_I64, 2); /* data_page_header is a struct */
  pq_tenc_i64(&e, 1);
  pq_tenc_i64(&e, 2);
  pq_tenc_field_struct(&e, 7);
  pq_tenc_struct_begin(&e);
  pq_tenc_field_i32(&e, 1, 3);
  pq_tenc_field_i32(&e, 2, PQ_ENC_PLAIN);
  pq_tenc_field_i32(&e, 3, 1); /* is_sorted is a bool */
  pq_tenc_struct_end(&e);
  pq_tenc_struct_end(&e);
  ASSERT_TRUE(!e.failed);
  arena a;
  arena_init(&a, 0);
  pq_tdec d;
  pq_tdec_init(&d, e.data, e.len, 0, &a);
  pq_page_header h;
  bool ok = pq_decode_page_header(&d, &h);
  if (!ok)
    test_fail(__FILE__, __LINE__, "decode: %s", d.err);
  ASSERT_TRUE(ok);
  ASSERT_EQ(d.pos, e.len);
  ASSERT_TRUE(!h.has_crc && !h.has_data_page_header);
  ASSERT_TRUE(h.has_dictionary_page_header && !h.dictionary_page_header.has_is_sorted);
  ASSERT_EQ(h.dictionary_page_header.num_values, 3);
  pq_tenc_free(&e);
  arena_free(&a);
}

/* Every prefix of a valid footer is refused with the offset named; no byte value at any place
 * makes the decoder read outside its input (ASan watches) or loop. */
TEST(thrift_corrupt_input_is_an_error) {
  pq_tenc e;
  encode_sample(&e);
  arena a;
  arena_init(&a, 0);
  for (size_t n = 0; n < e.len; n++) {
    uint8_t *copy = malloc(n ? n : 1); /* exact size, so ASan sees any overread */
    memcpy(copy, e.data, n);
    pq_tdec d;
    pq_tdec_init(&d, copy, n, 1000, &a);
    pq_file_metadata m;
    bool ok = pq_decode_file_metadata(&d, &m);
    CHECK(!ok, "a prefix of %zu bytes decoded", n);
    CHECK(strncmp(d.err, "corrupt Thrift at offset 1", 26) == 0, "prefix %zu: message \"%s\"", n,
          d.err);
    free(copy);
    arena_reset(&a);
  }
  int decoded = 0, refused = 0;
  for (size_t i = 0; i < e.len; i++) {
    for (int v = 0; v < 256; v += 3) {
      uint8_t *copy = malloc(e.len);
      memcpy(copy, e.data, e.len);
      copy[i] = (uint8_t)v;
      pq_tdec d;
      pq_tdec_init(&d, copy, e.len, 0, &a);
      pq_file_metadata m;
      if (pq_decode_file_metadata(&d, &m))
        decoded++;
      else
        refused++;
      free(copy);
      arena_reset(&a);
    }
  }
  CHECK(refused > 0 && decoded > 0, "flips: %d decoded, %d refused", decoded, refused);
  pq_tenc_free(&e);
  arena_free(&a);
}

TEST(thrift_corrupt_cases) {
  static const struct {
    const char *name;
    const char *bytes;
    size_t len;
    const char *err; /* what the message says after "corrupt Thrift at offset N: " */
  } cases[] = {
      {"empty", "", 0, "1 bytes needed, 0 left"},
      {"missing required field", "\x15\x00\x15\x02\x00", 5,
       "PageHeader without its required field compressed_page_size (3)"},
      /* A required field of the wrong wire type is skipped, so it is missing. */
      {"wrong wire type", "\x15\x00\x18\x01x\x00", 6,
       "PageHeader without its required field uncompressed_page_size (2)"},
      {"huge list", "\x15\x02\x19\xfc\xff\xff\xff\xff\x07\x00", 10,
       "list of 2147483647 elements with 1 bytes left"},
      {"binary past the end",
       "\x15\x02\x19\x1c\x48\x10"
       "ab",
       8, "binary of 16 bytes with 2 left"},
      {"varint too long", "\x16\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f", 11,
       "varint longer than 64 bits"},
      {"unknown field type", "\x1e", 1, "unknown field type 14"},
      {"bad bool element", "\x15\x02\x19\x11\x07", 5, "a list of struct was expected, not of bool"},
      {"integer out of range", "\x15\x80\x80\x80\x80\x10", 6,
       "integer 2147483648 is out of range -2147483648..2147483647"},
  };
  arena a;
  arena_init(&a, 0);
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    pq_tdec d;
    pq_tdec_init(&d, (const uint8_t *)cases[i].bytes, cases[i].len, 0, &a);
    bool ok;
    if (i <= 2) {
      pq_page_header h;
      ok = pq_decode_page_header(&d, &h);
    } else {
      pq_file_metadata m;
      ok = pq_decode_file_metadata(&d, &m);
    }
    const char *msg = strstr(d.err, ": ");
    CHECK(!ok && msg && strcmp(msg + 2, cases[i].err) == 0, "case %s: got \"%s\", want \"%s\"",
          cases[i].name, d.err, cases[i].err);
  }
  /* Structs nested past the limit, as an unknown field's value. */
  uint8_t deep[400];
  size_t n = 0;
  deep[n++] = 0x15; /* field 1: i32 0 */
  deep[n++] = 0x00;
  deep[n++] = 0x0c; /* field 100 (long form), unknown: a struct */
  deep[n++] = 0xc8;
  deep[n++] = 0x01;
  for (int k = 0; k < 100; k++)
    deep[n++] = 0x1c; /* field (+1): struct */
  memset(deep + n, 0, 101);
  n += 101;
  pq_tdec d;
  pq_tdec_init(&d, deep, n, 0, &a);
  pq_page_header h;
  ASSERT_TRUE(!pq_decode_page_header(&d, &h));
  CHECK(strstr(d.err, "nested deeper than 64") != NULL, "deep nesting: \"%s\"", d.err);
  arena_free(&a);
}

TEST(thrift_encoder_cap) {
  pq_tenc e;
  pq_tenc_init(&e, 10);
  pq_tenc_struct_begin(&e);
  pq_tenc_field_binary(&e, 1, "0123456789abcdef", 16);
  pq_tenc_struct_end(&e);
  ASSERT_TRUE(e.failed && e.over_cap);
  sbd_ctx *ctx = sbd_ctx_new();
  ASSERT_EQ(pq_tenc_status(ctx, &e, "footer"), SBD_ELIMIT);
  ASSERT_STR_EQ(sbd_errmsg(ctx), "footer: the Parquet metadata is over the cap of 10 bytes");
  sbd_ctx_free(ctx);
  pq_tenc_free(&e);
}

/* ---- the writer
 * ---------------------------------------------------------------------------------*/

/* The table the writer tests write: row r of each column, or null. */
enum { C_ID, C_X, C_S, C_B, C_DT, C_TS, C_NUL, C_NAN, NCOLS };
static const char *test_schema =
    "id:INT64,x:DOUBLE,s:STRING,b:BOOL,dt:DATE,ts:TIMESTAMP,nul:STRING,"
    "nan:DOUBLE";

static bool row_null(int col, int64_t r) {
  switch (col) {
  case C_ID:
    return false;
  case C_X:
    return r % 4 == 1;
  case C_S:
    return r % 5 == 3;
  case C_B:
    return r % 3 == 2;
  case C_DT:
    return r % 7 == 0;
  case C_TS:
    return r >= 100 && r < 200; /* the whole second row group */
  case C_NUL:
    return true;
  default:
    return r % 2 == 0;
  }
}

static int64_t row_int(int col, int64_t r) {
  switch (col) {
  case C_ID:
    return r;
  case C_B:
    return r % 2;
  case C_DT:
    return 19000 - r;
  default:
    return 1600000000000000 + r * 1000;
  }
}

static double row_double(int col, int64_t r) {
  if (col == C_NAN)
    return NAN;
  return r == 6 ? -0.0 : (double)(r % 17) - 8.5;
}

static const char *row_str(int64_t r) {
  static const char *words[] = {"pear", "", "apple", "zebra\xc3\xa9", "fig", "apple"};
  return words[r % 6];
}

static sbd_status write_test_file(sbd_ctx *ctx, const char *path, int64_t nrows,
                                  const char *const *opt_kv) {
  sbd_schema *schema;
  RETURN_IF_ERROR(schema_parse(ctx, test_schema, &schema));
  sbd_options *opts = sbd_options_new();
  for (int i = 0; opt_kv && opt_kv[i]; i += 2)
    sbd_options_set(opts, opt_kv[i], opt_kv[i + 1]);
  sbd_writer *w;
  sbd_status st = sbd_writer_open(ctx, path, schema, opts, &w);
  sbd_options_free(opts);
  for (int64_t r0 = 0; st == SBD_OK && r0 < nrows; r0 += 37) {
    int64_t n = nrows - r0 < 37 ? nrows - r0 : 37;
    sbd_batch *b = batch_new(ctx, schema, n);
    for (int64_t r = r0; r < r0 + n; r++)
      for (int c = 0; c < NCOLS; c++) {
        sbd_vec *v = b->cols[c];
        if (row_null(c, r))
          vec_push_null(ctx, v);
        else if (c == C_X || c == C_NAN)
          vec_push_f64(v, row_double(c, r));
        else if (c == C_S)
          vec_push_str(ctx, v, row_str(r), strlen(row_str(r)));
        else if (c == C_B)
          vec_push_bool(v, row_int(c, r));
        else if (c == C_DT)
          vec_push_i32(v, (int32_t)row_int(c, r));
        else
          vec_push_i64(v, row_int(c, r));
      }
    batch_seal(b);
    st = sbd_writer_write(w, b);
    sbd_batch_free(b);
  }
  if (st == SBD_OK)
    st = sbd_writer_close(w);
  else
    sbd_writer_abort(w);
  schema_unref(schema);
  return st;
}

static uint8_t *slurp(const char *path, size_t *n) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  fseek(f, 0, SEEK_END);
  long len = ftell(f);
  fseek(f, 0, SEEK_SET);
  uint8_t *buf = malloc((size_t)len + 1);
  *n = fread(buf, 1, (size_t)len, f);
  fclose(f);
  return buf;
}

static uint32_t get_u32le(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static bool read_footer(const uint8_t *f, size_t n, arena *a, pq_file_metadata *m) {
  if (n < 12 || memcmp(f, "PAR1", 4) != 0 || memcmp(f + n - 4, "PAR1", 4) != 0)
    return false;
  uint32_t len = get_u32le(f + n - 8);
  if (len > n - 12)
    return false;
  pq_tdec d;
  pq_tdec_init(&d, f + n - 8 - len, len, (int64_t)(n - 8 - len), a);
  bool ok = pq_decode_file_metadata(&d, m) && d.pos == len;
  if (!ok)
    fprintf(stderr, "footer: %s\n", d.err);
  return ok;
}

/* The expected min (which = 0) or max of column col over rows [from, to) as PLAIN bytes; false
 * when there are no values. */
static bool expected_bound(int col, int64_t from, int64_t to, int which, uint8_t *buf,
                           size_t *len) {
  bool any = false;
  int64_t best_i = 0;
  double best_f = 0;
  const char *best_s = NULL;
  for (int64_t r = from; r < to; r++) {
    if (row_null(col, r))
      continue;
    if (col == C_X || col == C_NAN) {
      double x = row_double(col, r);
      if (isnan(x))
        continue;
      if (!any || (which ? x > best_f : x < best_f))
        best_f = x;
    } else if (col == C_S) {
      const char *s = row_str(r);
      if (!any || (which ? strcmp(s, best_s) > 0 : strcmp(s, best_s) < 0))
        best_s = s;
    } else {
      int64_t x = row_int(col, r);
      if (!any || (which ? x > best_i : x < best_i))
        best_i = x;
    }
    any = true;
  }
  if (!any)
    return false;
  if (col == C_X || col == C_NAN) {
    if (best_f == 0)
      best_f = which ? 0.0 : -0.0;
    memcpy(buf, &best_f, 8);
    *len = 8;
  } else if (col == C_S) {
    *len = strlen(best_s);
    memcpy(buf, best_s, *len);
  } else if (col == C_B) {
    buf[0] = (uint8_t)best_i;
    *len = 1;
  } else if (col == C_DT) {
    int32_t x = (int32_t)best_i;
    memcpy(buf, &x, 4);
    *len = 4;
  } else {
    memcpy(buf, &best_i, 8);
    *len = 8;
  }
  return true;
}

static int64_t expected_nulls(int col, int64_t from, int64_t to) {
  int64_t n = 0;
  for (int64_t r = from; r < to; r++)
    n += row_null(col, r);
  return n;
}

/* Checks a Statistics against rows [from, to) of col; returns false after reporting. */
static bool check_stats(const char *where, int col, int64_t from, int64_t to,
                        const pq_statistics *s) {
  uint8_t want[64];
  size_t want_len;
  bool has = expected_bound(col, from, to, 0, want, &want_len);
  bool ok = true;
  if (!s->has_null_count || s->null_count != expected_nulls(col, from, to)) {
    test_fail(__FILE__, __LINE__, "%s: null_count %lld, want %lld", where, (long long)s->null_count,
              (long long)expected_nulls(col, from, to));
    ok = false;
  }
  if (s->has_min_value != has ||
      (has && (s->min_value.len != want_len || memcmp(s->min_value.ptr, want, want_len) != 0))) {
    test_fail(__FILE__, __LINE__, "%s: min_value wrong (present %d, want %d)", where,
              s->has_min_value, has);
    ok = false;
  }
  has = expected_bound(col, from, to, 1, want, &want_len);
  if (s->has_max_value != has ||
      (has && (s->max_value.len != want_len || memcmp(s->max_value.ptr, want, want_len) != 0))) {
    test_fail(__FILE__, __LINE__, "%s: max_value wrong", where);
    ok = false;
  }
  if ((col == C_X || col == C_NAN) != s->has_nan_count) {
    test_fail(__FILE__, __LINE__, "%s: nan_count present %d", where, s->has_nan_count);
    ok = false;
  }
  if (col == C_S && (s->has_min || s->has_max)) {
    test_fail(__FILE__, __LINE__, "%s: deprecated min/max on a string column", where);
    ok = false;
  }
  return ok;
}

/* Walks every page of every chunk and checks them against the footer, the page indexes and the
 * data. Returns the number of data pages seen. */
static int check_file(const char *path, int64_t nrows, int64_t rg_rows, bool v2) {
  size_t n;
  uint8_t *f = slurp(path, &n);
  if (!f) {
    test_fail(__FILE__, __LINE__, "cannot read %s", path);
    return 0;
  }
  arena a;
  arena_init(&a, 0);
  pq_file_metadata m;
  int pages_seen = 0;
  char where[128];
  if (!read_footer(f, n, &a, &m)) {
    test_fail(__FILE__, __LINE__, "%s: no valid footer", path);
    goto done;
  }
  CHECK(m.num_rows == nrows, "num_rows %lld", (long long)m.num_rows);
  CHECK(m.n_schema == NCOLS + 1 && m.schema[0].num_children == NCOLS, "schema of %d", m.n_schema);
  CHECK(m.n_column_orders == NCOLS, "column_orders %d", m.n_column_orders);
  CHECK(m.has_created_by && m.created_by.len > 12 &&
            memcmp(m.created_by.ptr, "sbd version ", 12) == 0,
        "created_by");
  CHECK(m.n_key_value_metadata == 1 && bytes_eq(m.key_value_metadata[0].key, "sbd.schema") &&
            bytes_eq(m.key_value_metadata[0].value, test_schema),
        "sbd.schema key/value");
  CHECK(m.schema[C_TS + 1].logical_type.kind == PQ_LT_TIMESTAMP &&
            m.schema[C_TS + 1].logical_type.unit == PQ_UNIT_MICROS &&
            m.schema[C_TS + 1].logical_type.is_adjusted_to_utc &&
            m.schema[C_TS + 1].converted_type == PQ_CT_TIMESTAMP_MICROS,
        "TIMESTAMP annotation");
  CHECK(m.schema[C_S + 1].type == PQ_BYTE_ARRAY && m.schema[C_S + 1].converted_type == PQ_CT_UTF8,
        "STRING annotation");
  CHECK(m.schema[C_DT + 1].type == PQ_INT32 && m.schema[C_DT + 1].logical_type.kind == PQ_LT_DATE,
        "DATE annotation");
  CHECK(m.schema[C_ID + 1].type == PQ_INT64 && !m.schema[C_ID + 1].has_logical_type, "INT64");
  CHECK(m.schema[C_B + 1].type == PQ_BOOLEAN, "BOOLEAN");
  int64_t want_rgs = (nrows + rg_rows - 1) / rg_rows;
  CHECK(m.n_row_groups == want_rgs, "%d row groups, want %lld", m.n_row_groups,
        (long long)want_rgs);
  int64_t row0 = 0;
  for (int r = 0; r < m.n_row_groups; r++) {
    const pq_row_group *rg = &m.row_groups[r];
    int64_t rows = rg->num_rows;
    CHECK(rows == (nrows - row0 < rg_rows ? nrows - row0 : rg_rows), "row group %d: %lld rows", r,
          (long long)rows);
    CHECK(rg->has_ordinal && rg->ordinal == r, "row group %d ordinal", r);
    for (int c = 0; c < rg->n_columns; c++) {
      const pq_column_chunk *cc = &rg->columns[c];
      const pq_column_metadata *cm = &cc->meta_data;
      snprintf(where, sizeof(where), "row group %d column %d", r, c);
      CHECK(cm->num_values == rows, "%s: num_values", where);
      check_stats(where, c, row0, row0 + rows, &cm->statistics);
      /* The page indexes. */
      pq_offset_index oi;
      memset(&oi, 0, sizeof(oi));
      pq_tdec d;
      CHECK(cc->has_offset_index_offset &&
                cc->offset_index_offset + cc->offset_index_length <= (int64_t)n,
            "%s: offset index", where);
      pq_tdec_init(&d, f + cc->offset_index_offset, (size_t)cc->offset_index_length,
                   cc->offset_index_offset, &a);
      CHECK(pq_decode_offset_index(&d, &oi) && d.pos == (size_t)cc->offset_index_length,
            "%s: offset index decode: %s", where, d.err);
      pq_column_index ci;
      memset(&ci, 0, sizeof(ci));
      bool has_ci = cc->has_column_index_offset;
      if (has_ci) {
        pq_tdec_init(&d, f + cc->column_index_offset, (size_t)cc->column_index_length,
                     cc->column_index_offset, &a);
        CHECK(pq_decode_column_index(&d, &ci) && ci.n_pages == oi.n_page_locations,
              "%s: column index decode: %s", where, d.err);
      }
      /* Every page, from the first. */
      int64_t pos =
          cm->has_dictionary_page_offset ? cm->dictionary_page_offset : cm->data_page_offset;
      int64_t end = pos + cm->total_compressed_size, first_row = 0, uncompressed = 0;
      int page = 0;
      bool saw_dict = false;
      while (pos < end && !test_failed_now()) {
        pq_page_header h;
        pq_tdec_init(&d, f + pos, (size_t)(end - pos), pos, NULL);
        if (!pq_decode_page_header(&d, &h)) {
          test_fail(__FILE__, __LINE__, "%s: page header at %lld: %s", where, (long long)pos,
                    d.err);
          break;
        }
        uncompressed += (int64_t)d.pos + h.uncompressed_page_size;
        if (h.type == PQ_PAGE_DICTIONARY) {
          CHECK(page == 0 && pos == cm->dictionary_page_offset, "%s: dictionary page placement",
                where);
          saw_dict = true;
        } else {
          CHECK(h.type == (v2 ? PQ_PAGE_DATA_V2 : PQ_PAGE_DATA), "%s: page type %d", where, h.type);
          CHECK(page < oi.n_page_locations && oi.page_locations[page].offset == pos &&
                    oi.page_locations[page].compressed_page_size ==
                        (int32_t)d.pos + h.compressed_page_size &&
                    oi.page_locations[page].first_row_index == first_row,
                "%s: page %d and its offset index entry disagree", where, page);
          int32_t nv = v2 ? h.data_page_header_v2.num_values : h.data_page_header.num_values;
          const pq_statistics *ps =
              v2 ? &h.data_page_header_v2.statistics : &h.data_page_header.statistics;
          char pwhere[160];
          snprintf(pwhere, sizeof(pwhere), "%s page %d", where, page);
          check_stats(pwhere, c, row0 + first_row, row0 + first_row + nv, ps);
          if (has_ci && page < ci.n_pages) {
            CHECK(ci.null_pages[page] == !ps->has_min_value, "%s: null_pages", pwhere);
            CHECK(ci.null_counts[page] == ps->null_count, "%s: null_counts", pwhere);
            if (ps->has_min_value)
              CHECK(ci.min_values[page].len == ps->min_value.len &&
                        memcmp(ci.min_values[page].ptr, ps->min_value.ptr, ps->min_value.len) ==
                            0 &&
                        ci.max_values[page].len == ps->max_value.len &&
                        memcmp(ci.max_values[page].ptr, ps->max_value.ptr, ps->max_value.len) == 0,
                    "%s: column index bounds", pwhere);
          }
          if (v2)
            CHECK(h.data_page_header_v2.num_nulls == ps->null_count &&
                      h.data_page_header_v2.num_rows == nv,
                  "%s: v2 counts", pwhere);
          first_row += nv;
          page++;
          pages_seen++;
        }
        pos += (int64_t)d.pos + h.compressed_page_size;
      }
      CHECK(pos == end, "%s: pages end at %lld, chunk at %lld", where, (long long)pos,
            (long long)end);
      CHECK(first_row == rows, "%s: pages hold %lld rows", where, (long long)first_row);
      CHECK(page == oi.n_page_locations, "%s: %d pages, offset index %d", where, page,
            oi.n_page_locations);
      CHECK(uncompressed == cm->total_uncompressed_size, "%s: total_uncompressed_size", where);
      CHECK(saw_dict == cm->has_dictionary_page_offset, "%s: dictionary page", where);
      /* A chunk with a NaN-only page has no column index; the others all have one. */
      bool nan_only_page = c == C_NAN && expected_nulls(c, row0, row0 + rows) < rows;
      CHECK(has_ci == !nan_only_page, "%s: column index present %d", where, has_ci);
    }
    row0 += rows;
  }
done:
  arena_free(&a);
  free(f);
  return pages_seen;
}

static void test_path(char *buf, size_t cap, const char *name) {
  snprintf(buf, cap, "/tmp/sbd-unit-%ld-%s.parquet", (long)getpid(), name);
}

TEST(parquet_writer_layout_and_statistics) {
  static const char *const v1[] = {"row_group_rows", "100", "page_bytes", "64", NULL};
  static const char *const v2[] = {"row_group_rows", "100",  "page_bytes", "64", "data_page", "v2",
                                   "compression",    "zstd", NULL};
  static const char *const plain[] = {
      "row_group_rows", "100", "parquet_encoding", "plain", "compression", "none", NULL};
  static const char *const delta[] = {
      "row_group_rows", "100", "parquet_encoding", "delta", "compression", "gzip", NULL};
  static const char *const bss[] = {
      "row_group_rows", "100", "parquet_encoding", "byte_stream_split", "compression",
      "lz4_raw",        NULL};
  static const struct {
    const char *name;
    const char *const *opts;
    int64_t rows;
    bool v2;
  } cases[] = {{"v1", v1, 250, false},       {"v2", v2, 250, true},    {"plain", plain, 250, false},
               {"delta", delta, 250, false}, {"bss", bss, 250, false}, {"one", v1, 1, false},
               {"empty", v1, 0, false}};
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    sbd_ctx *ctx = sbd_ctx_new();
    char path[128];
    test_path(path, sizeof(path), cases[i].name);
    sbd_status st = write_test_file(ctx, path, cases[i].rows, cases[i].opts);
    CHECK(st == SBD_OK, "case %s: %s", cases[i].name, sbd_errmsg(ctx));
    if (st == SBD_OK) {
      int pages = check_file(path, cases[i].rows, 100, cases[i].v2);
      if (strcmp(cases[i].name, "v1") == 0)
        CHECK(pages > 3 * NCOLS, "case v1: only %d data pages: page_bytes not applied", pages);
    }
    if (test_failed_now())
      fprintf(stderr, "  in case %s (%s kept)\n", cases[i].name, path);
    else
      unlink(path);
    sbd_ctx_free(ctx);
  }
}

TEST(parquet_writer_dictionary_fallback) {
  /* A dictionary limit of 40 bytes: the id column (8 bytes a value) starts with the dictionary
   * and falls back to PLAIN; the string column (few distinct values) keeps it. */
  static const char *const opts[] = {"page_bytes", "40", "parquet_dict_limit", "40", NULL};
  sbd_ctx *ctx = sbd_ctx_new();
  char path[128];
  test_path(path, sizeof(path), "fallback");
  sbd_status st = write_test_file(ctx, path, 90, opts);
  ASSERT_TRUE(st == SBD_OK);
  check_file(path, 90, 1048576, false);
  size_t n;
  uint8_t *f = slurp(path, &n);
  arena a;
  arena_init(&a, 0);
  pq_file_metadata m;
  ASSERT_TRUE(read_footer(f, n, &a, &m));
  const pq_column_metadata *id = &m.row_groups[0].columns[C_ID].meta_data;
  int dict_pages = 0, plain_pages = 0;
  for (int i = 0; i < id->n_encoding_stats; i++) {
    if (id->encoding_stats[i].encoding == PQ_ENC_RLE_DICTIONARY)
      dict_pages += id->encoding_stats[i].count;
    if (id->encoding_stats[i].page_type == PQ_PAGE_DATA &&
        id->encoding_stats[i].encoding == PQ_ENC_PLAIN)
      plain_pages += id->encoding_stats[i].count;
  }
  CHECK(dict_pages > 0 && plain_pages > 0, "id: %d dictionary pages, %d PLAIN pages", dict_pages,
        plain_pages);
  const pq_column_metadata *s = &m.row_groups[0].columns[C_S].meta_data;
  CHECK(s->has_dictionary_page_offset, "the string column lost its dictionary");
  const pq_column_metadata *nul = &m.row_groups[0].columns[C_NUL].meta_data;
  CHECK(!nul->has_dictionary_page_offset, "an all-null column has a dictionary page");
  const pq_column_metadata *b = &m.row_groups[0].columns[C_B].meta_data;
  CHECK(!b->has_dictionary_page_offset, "a BOOLEAN column has a dictionary page");
  arena_free(&a);
  free(f);
  if (!test_failed_now())
    unlink(path);
  sbd_ctx_free(ctx);
}

/* The dictionary is kept while it pays: the id column (every value distinct) costs more as a
 * dictionary plus indices than PLAIN, so a chunk of 20000 ids (160 KB) has none, while one of 2000
 * (16 KB, under the 64 KiB below which the writer does not judge) keeps it; the columns of few
 * distinct values keep theirs either way. */
TEST(parquet_writer_dictionary_pays) {
  sbd_ctx *ctx = sbd_ctx_new();
  char path[128];
  test_path(path, sizeof(path), "pays");
  static const struct {
    int64_t rows;
    bool id_dictionary;
  } cases[] = {{20000, false}, {2000, true}};
  for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
    ASSERT_EQ(write_test_file(ctx, path, cases[k].rows, NULL), SBD_OK);
    check_file(path, cases[k].rows, 1048576, false);
    size_t n;
    uint8_t *f = slurp(path, &n);
    arena a;
    arena_init(&a, 0);
    pq_file_metadata m;
    ASSERT_TRUE(read_footer(f, n, &a, &m));
    const pq_column_chunk *cols = m.row_groups[0].columns;
    CHECK(cols[C_ID].meta_data.has_dictionary_page_offset == cases[k].id_dictionary,
          "%lld rows: the id column %s a dictionary", (long long)cases[k].rows,
          cases[k].id_dictionary ? "lacks" : "has");
    CHECK(cols[C_X].meta_data.has_dictionary_page_offset, "%lld rows: x lost its dictionary",
          (long long)cases[k].rows);
    CHECK(cols[C_S].meta_data.has_dictionary_page_offset, "%lld rows: s lost its dictionary",
          (long long)cases[k].rows);
    arena_free(&a);
    free(f);
  }
  if (!test_failed_now())
    unlink(path);
  sbd_ctx_free(ctx);
}

TEST(parquet_writer_options) {
  static const struct {
    const char *key, *value, *err;
  } cases[] = {
      {"compresion", "zstd",
       "Parquet writer: unknown option 'compresion' (did you mean 'compression'?)"},
      {"compression", "brotli",
       "option compression: 'brotli' is not one sbd writes (snappy, zstd, gzip, lz4_raw, none)"},
      {"compression_level", "3", "option compression_level applies to zstd and gzip, not snappy"},
      {"parquet_encoding", "rle",
       "option parquet_encoding: 'rle' is not one of plain, dictionary, delta, byte_stream_split"},
      {"data_page", "v3", "option data_page: 'v3' is not v1 or v2"},
      {"page_bytes", "2G", "option page_bytes: 2147483648 is out of range 1..1073741824"},
      {"row_group_rows", "0", "option row_group_rows: 0 is out of range 1..9223372036854775807"},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    sbd_ctx *ctx = sbd_ctx_new();
    const char *const opts[] = {cases[i].key, cases[i].value, NULL};
    char path[128];
    test_path(path, sizeof(path), "options");
    sbd_status st = write_test_file(ctx, path, 3, opts);
    CHECK(st == SBD_EUSAGE && strcmp(sbd_errmsg(ctx), cases[i].err) == 0,
          "%s=%s: status %d, \"%s\"", cases[i].key, cases[i].value, st, sbd_errmsg(ctx));
    CHECK(access(path, F_OK) != 0, "%s=%s: a file was left", cases[i].key, cases[i].value);
    sbd_ctx_free(ctx);
  }
  /* Levels within range are taken. */
  static const char *const zstd19[] = {"compression", "zstd", "compression_level", "19", NULL};
  sbd_ctx *ctx = sbd_ctx_new();
  char path[128];
  test_path(path, sizeof(path), "zstd19");
  ASSERT_EQ(write_test_file(ctx, path, 50, zstd19), SBD_OK);
  unlink(path);
  sbd_ctx_free(ctx);
}

/* row_group_bytes cuts the batches (of 37 rows here) where the bytes of values reach it, so a
 * small limit gives small row groups; 1 byte gives a row per row group. */
TEST(parquet_writer_row_group_bytes) {
  static const struct {
    const char *limit;
    int64_t min_groups, max_rows; /* at least min_groups row groups of at most max_rows rows */
  } cases[] = {{"1", 200, 1}, {"1K", 10, 36}, {"1M", 1, 200}};
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    const char *const opts[] = {"row_group_bytes", cases[i].limit, NULL};
    sbd_ctx *ctx = sbd_ctx_new();
    char path[128];
    test_path(path, sizeof(path), "rg-bytes");
    ASSERT_EQ(write_test_file(ctx, path, 200, opts), SBD_OK);
    size_t n;
    uint8_t *f = slurp(path, &n);
    arena a;
    arena_init(&a, 0);
    pq_file_metadata m;
    ASSERT_TRUE(f && read_footer(f, n, &a, &m));
    int64_t rows = 0, most = 0;
    for (int g = 0; g < m.n_row_groups; g++) {
      rows += m.row_groups[g].num_rows;
      if (m.row_groups[g].num_rows > most)
        most = m.row_groups[g].num_rows;
    }
    CHECK(rows == 200 && m.n_row_groups >= cases[i].min_groups && most <= cases[i].max_rows,
          "row_group_bytes=%s: %d row groups of at most %lld rows, %lld rows in all",
          cases[i].limit, m.n_row_groups, (long long)most, (long long)rows);
    arena_free(&a);
    free(f);
    unlink(path);
    sbd_ctx_free(ctx);
  }
}

/* DELTA_BINARY_PACKED on a DATE (INT32) column needs deltas that fit 32 bits: dates that span
 * 2^31 days or more are written PLAIN instead; an ordinary range is delta-encoded. */
TEST(parquet_writer_delta_dates) {
  static const int32_t ranges[][2] = {{-1000, 20000}, {-2000000000, 2000000000}};
  for (int k = 0; k < 2; k++) {
    sbd_ctx *ctx = sbd_ctx_new();
    sbd_schema *schema;
    ASSERT_EQ(schema_parse(ctx, "d:DATE", &schema), SBD_OK);
    sbd_options *opts = sbd_options_new();
    sbd_options_set(opts, "parquet_encoding", "delta");
    char path[128];
    test_path(path, sizeof(path), "delta-dates");
    sbd_writer *w;
    ASSERT_EQ(sbd_writer_open(ctx, path, schema, opts, &w), SBD_OK);
    sbd_batch *b = batch_new(ctx, schema, 3);
    vec_push_i32(b->cols[0], ranges[k][0]);
    vec_push_null(ctx, b->cols[0]);
    vec_push_i32(b->cols[0], ranges[k][1]);
    batch_seal(b);
    ASSERT_EQ(sbd_writer_write(w, b), SBD_OK);
    sbd_batch_free(b);
    ASSERT_EQ(sbd_writer_close(w), SBD_OK);
    size_t n;
    uint8_t *f = slurp(path, &n);
    arena a;
    arena_init(&a, 0);
    pq_file_metadata m;
    ASSERT_TRUE(f && read_footer(f, n, &a, &m));
    const pq_column_metadata *cm = &m.row_groups[0].columns[0].meta_data;
    bool delta = false;
    for (int i = 0; i < cm->n_encodings; i++)
      delta |= cm->encodings[i] == PQ_ENC_DELTA_BINARY_PACKED;
    CHECK(delta == (k == 0), "dates %d..%d: DELTA_BINARY_PACKED used %d", ranges[k][0],
          ranges[k][1], delta);
    int32_t lo, hi;
    memcpy(&lo, cm->statistics.min_value.ptr, 4);
    memcpy(&hi, cm->statistics.max_value.ptr, 4);
    CHECK(lo == ranges[k][0] && hi == ranges[k][1] && cm->statistics.null_count == 1,
          "dates %d..%d: statistics %d..%d", ranges[k][0], ranges[k][1], lo, hi);
    arena_free(&a);
    free(f);
    unlink(path);
    sbd_options_free(opts);
    schema_unref(schema);
    sbd_ctx_free(ctx);
  }
}
