/*
 * pq_int.h — what the files of the Parquet subsystem (src/io/parquet/) share: the file metadata
 * model with the field ids of parquet.thrift, the Thrift compact protocol encoder and decoder
 * (thrift.c), the encode/decode of the metadata structs (meta.c), the encodings (encoding.c),
 * the codecs (codec.c) and the writer (writer.c).
 *
 * The metadata structs mirror parquet.thrift: a field that Thrift marks optional has an
 * `has_<field>` flag beside it (or is a NULL pointer / zero-length list). Strings and binaries
 * are (pointer, length) pairs, not NUL-terminated. Decoded metadata lives in a pq_meta_arena;
 * structs built by the writer point at the writer's own memory.
 */
#ifndef SBD_PQ_INT_H
#define SBD_PQ_INT_H

#include "io/io_int.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PQ_MAGIC "PAR1"

/* ---- enums of parquet.thrift (values as the spec gives them) --------------------------------*/

typedef enum pq_type {
  PQ_BOOLEAN = 0,
  PQ_INT32 = 1,
  PQ_INT64 = 2,
  PQ_INT96 = 3,
  PQ_FLOAT = 4,
  PQ_DOUBLE = 5,
  PQ_BYTE_ARRAY = 6,
  PQ_FIXED_LEN_BYTE_ARRAY = 7
} pq_type;

typedef enum pq_converted_type {
  PQ_CT_UTF8 = 0,
  PQ_CT_MAP = 1,
  PQ_CT_MAP_KEY_VALUE = 2,
  PQ_CT_LIST = 3,
  PQ_CT_ENUM = 4,
  PQ_CT_DECIMAL = 5,
  PQ_CT_DATE = 6,
  PQ_CT_TIME_MILLIS = 7,
  PQ_CT_TIME_MICROS = 8,
  PQ_CT_TIMESTAMP_MILLIS = 9,
  PQ_CT_TIMESTAMP_MICROS = 10,
  PQ_CT_UINT_8 = 11,
  PQ_CT_UINT_16 = 12,
  PQ_CT_UINT_32 = 13,
  PQ_CT_UINT_64 = 14,
  PQ_CT_INT_8 = 15,
  PQ_CT_INT_16 = 16,
  PQ_CT_INT_32 = 17,
  PQ_CT_INT_64 = 18,
  PQ_CT_JSON = 19,
  PQ_CT_BSON = 20,
  PQ_CT_INTERVAL = 21
} pq_converted_type;

typedef enum pq_repetition { PQ_REQUIRED = 0, PQ_OPTIONAL = 1, PQ_REPEATED = 2 } pq_repetition;

typedef enum pq_encoding {
  PQ_ENC_PLAIN = 0,
  /* 1 was GROUP_VAR_INT, never used */
  PQ_ENC_PLAIN_DICTIONARY = 2,
  PQ_ENC_RLE = 3,
  PQ_ENC_BIT_PACKED = 4,
  PQ_ENC_DELTA_BINARY_PACKED = 5,
  PQ_ENC_DELTA_LENGTH_BYTE_ARRAY = 6,
  PQ_ENC_DELTA_BYTE_ARRAY = 7,
  PQ_ENC_RLE_DICTIONARY = 8,
  PQ_ENC_BYTE_STREAM_SPLIT = 9
} pq_encoding;

typedef enum pq_codec {
  PQ_CODEC_UNCOMPRESSED = 0,
  PQ_CODEC_SNAPPY = 1,
  PQ_CODEC_GZIP = 2,
  PQ_CODEC_LZO = 3,
  PQ_CODEC_BROTLI = 4,
  PQ_CODEC_LZ4 = 5, /* the Hadoop-framed LZ4, deprecated */
  PQ_CODEC_ZSTD = 6,
  PQ_CODEC_LZ4_RAW = 7
} pq_codec;

typedef enum pq_page_type {
  PQ_PAGE_DATA = 0,
  PQ_PAGE_INDEX = 1,
  PQ_PAGE_DICTIONARY = 2,
  PQ_PAGE_DATA_V2 = 3
} pq_page_type;

typedef enum pq_boundary_order {
  PQ_ORDER_UNORDERED = 0,
  PQ_ORDER_ASCENDING = 1,
  PQ_ORDER_DESCENDING = 2
} pq_boundary_order;

/* ---- the metadata model (parquet.thrift; field ids in the comments)
 * ----------------------------*/

/* A binary or string: not NUL-terminated. Decoded values point into the decoder's arena, or into
 * the input when decoding without one (page headers). */
typedef struct pq_bytes {
  const uint8_t *ptr;
  uint32_t len;
} pq_bytes;

typedef struct pq_statistics {
  bool has_max, has_min, has_null_count, has_distinct_count, has_max_value, has_min_value;
  bool has_is_max_value_exact, has_is_min_value_exact, has_nan_count;
  pq_bytes max;            /* 1: deprecated, signed order */
  pq_bytes min;            /* 2: deprecated, signed order */
  int64_t null_count;      /* 3 */
  int64_t distinct_count;  /* 4 */
  pq_bytes max_value;      /* 5: PLAIN without a length prefix, in the column order */
  pq_bytes min_value;      /* 6 */
  bool is_max_value_exact; /* 7 */
  bool is_min_value_exact; /* 8 */
  int64_t nan_count;       /* 9 */
} pq_statistics;

/* LogicalType is a union: kind is the field id of its member (0 when absent). */
typedef enum pq_logical_kind {
  PQ_LT_NONE = 0,
  PQ_LT_STRING = 1,
  PQ_LT_MAP = 2,
  PQ_LT_LIST = 3,
  PQ_LT_ENUM = 4,
  PQ_LT_DECIMAL = 5,
  PQ_LT_DATE = 6,
  PQ_LT_TIME = 7,
  PQ_LT_TIMESTAMP = 8,
  /* 9 is not used */
  PQ_LT_INTEGER = 10,
  PQ_LT_UNKNOWN = 11, /* NullType: only nulls */
  PQ_LT_JSON = 12,
  PQ_LT_BSON = 13,
  PQ_LT_UUID = 14,
  PQ_LT_FLOAT16 = 15,
  PQ_LT_VARIANT = 16,
  PQ_LT_GEOMETRY = 17,
  PQ_LT_GEOGRAPHY = 18,
  PQ_LT_FILE = 19
} pq_logical_kind;

/* TimeUnit is a union too: the field id of its member. */
typedef enum pq_time_unit {
  PQ_UNIT_NONE = 0,
  PQ_UNIT_MILLIS = 1,
  PQ_UNIT_MICROS = 2,
  PQ_UNIT_NANOS = 3
} pq_time_unit;

typedef struct pq_logical_type {
  int kind;                  /* pq_logical_kind; a member this code does not know keeps its id */
  int32_t decimal_scale;     /* DECIMAL 1 */
  int32_t decimal_precision; /* DECIMAL 2 */
  bool is_adjusted_to_utc;   /* TIME, TIMESTAMP 1 */
  int unit;                  /* TIME, TIMESTAMP 2: pq_time_unit */
  int8_t int_bit_width;      /* INTEGER 1 */
  bool int_is_signed;        /* INTEGER 2 */
} pq_logical_type;

typedef struct pq_schema_element {
  bool has_type, has_type_length, has_repetition_type, has_num_children, has_converted_type;
  bool has_scale, has_precision, has_field_id, has_logical_type;
  int32_t type;                 /* 1: pq_type */
  int32_t type_length;          /* 2 */
  int32_t repetition_type;      /* 3: pq_repetition */
  pq_bytes name;                /* 4: required */
  int32_t num_children;         /* 5 */
  int32_t converted_type;       /* 6: pq_converted_type */
  int32_t scale;                /* 7 */
  int32_t precision;            /* 8 */
  int32_t field_id;             /* 9 */
  pq_logical_type logical_type; /* 10 */
} pq_schema_element;

typedef struct pq_key_value {
  bool has_value;
  pq_bytes key;   /* 1: required */
  pq_bytes value; /* 2 */
} pq_key_value;

typedef struct pq_sorting_column {
  int32_t column_idx; /* 1 */
  bool descending;    /* 2 */
  bool nulls_first;   /* 3 */
} pq_sorting_column;

typedef struct pq_page_encoding_stats {
  int32_t page_type; /* 1: pq_page_type */
  int32_t encoding;  /* 2: pq_encoding */
  int32_t count;     /* 3 */
} pq_page_encoding_stats;

typedef struct pq_column_metadata {
  bool has_index_page_offset, has_dictionary_page_offset, has_statistics;
  bool has_bloom_filter_offset, has_bloom_filter_length;
  int32_t type;       /* 1: pq_type */
  int32_t *encodings; /* 2: pq_encoding */
  int n_encodings;
  pq_bytes *path_in_schema; /* 3 */
  int n_path_in_schema;
  int32_t codec;                    /* 4: pq_codec */
  int64_t num_values;               /* 5: values including nulls */
  int64_t total_uncompressed_size;  /* 6: all pages, headers included */
  int64_t total_compressed_size;    /* 7 */
  pq_key_value *key_value_metadata; /* 8 */
  int n_key_value_metadata;
  int64_t data_page_offset;               /* 9 */
  int64_t index_page_offset;              /* 10 */
  int64_t dictionary_page_offset;         /* 11 */
  pq_statistics statistics;               /* 12 */
  pq_page_encoding_stats *encoding_stats; /* 13 */
  int n_encoding_stats;
  int64_t bloom_filter_offset; /* 14 */
  int32_t bloom_filter_length; /* 15 */
  /* 16 size_statistics and 17 geospatial_statistics are skipped when read, never written. */
} pq_column_metadata;

typedef struct pq_column_chunk {
  bool has_file_path, has_meta_data;
  bool has_offset_index_offset, has_offset_index_length;
  bool has_column_index_offset, has_column_index_length;
  bool has_crypto_metadata, has_encrypted_column_metadata; /* 8, 9: seen (not decoded) */
  pq_bytes file_path;                                      /* 1 */
  int64_t file_offset;                                     /* 2: required, deprecated; 0 */
  pq_column_metadata meta_data;                            /* 3 */
  int64_t offset_index_offset;                             /* 4 */
  int32_t offset_index_length;                             /* 5 */
  int64_t column_index_offset;                             /* 6 */
  int32_t column_index_length;                             /* 7 */
} pq_column_chunk;

typedef struct pq_row_group {
  bool has_file_offset, has_total_compressed_size, has_ordinal;
  pq_column_chunk *columns; /* 1: required */
  int n_columns;
  int64_t total_byte_size;            /* 2: uncompressed */
  int64_t num_rows;                   /* 3 */
  pq_sorting_column *sorting_columns; /* 4 */
  int n_sorting_columns;
  int64_t file_offset;           /* 5 */
  int64_t total_compressed_size; /* 6 */
  int16_t ordinal;               /* 7 */
} pq_row_group;

/* ColumnOrder is a union: kind is the field id of its member. */
typedef enum pq_column_order_kind {
  PQ_ORDER_NONE = 0,
  PQ_ORDER_TYPE_DEFINED = 1,
  PQ_ORDER_IEEE_754_TOTAL = 2,
  PQ_ORDER_INT96_TIMESTAMP = 3
} pq_column_order_kind;

typedef struct pq_column_order {
  int kind; /* pq_column_order_kind; an unknown member keeps its id */
} pq_column_order;

typedef struct pq_file_metadata {
  bool has_created_by, has_encryption_algorithm, has_footer_signing_key_metadata;
  int32_t version;           /* 1 */
  pq_schema_element *schema; /* 2: depth-first, the root first */
  int n_schema;
  int64_t num_rows;         /* 3 */
  pq_row_group *row_groups; /* 4 */
  int n_row_groups;
  pq_key_value *key_value_metadata; /* 5 */
  int n_key_value_metadata;
  pq_bytes created_by;            /* 6 */
  pq_column_order *column_orders; /* 7: one per leaf column */
  int n_column_orders;
  /* 8 encryption_algorithm and 9 footer_signing_key_metadata: seen, not decoded. */
} pq_file_metadata;

typedef struct pq_data_page_header {
  bool has_statistics;
  int32_t num_values;                /* 1: including nulls */
  int32_t encoding;                  /* 2 */
  int32_t definition_level_encoding; /* 3 */
  int32_t repetition_level_encoding; /* 4 */
  pq_statistics statistics;          /* 5 */
} pq_data_page_header;

typedef struct pq_dictionary_page_header {
  bool has_is_sorted;
  int32_t num_values; /* 1 */
  int32_t encoding;   /* 2 */
  bool is_sorted;     /* 3 */
} pq_dictionary_page_header;

typedef struct pq_data_page_header_v2 {
  bool has_is_compressed, has_statistics;
  int32_t num_values;                    /* 1 */
  int32_t num_nulls;                     /* 2 */
  int32_t num_rows;                      /* 3 */
  int32_t encoding;                      /* 4 */
  int32_t definition_levels_byte_length; /* 5 */
  int32_t repetition_levels_byte_length; /* 6 */
  bool is_compressed;                    /* 7: true when absent */
  pq_statistics statistics;              /* 8 */
} pq_data_page_header_v2;

typedef struct pq_page_header {
  bool has_crc, has_data_page_header, has_index_page_header, has_dictionary_page_header;
  bool has_data_page_header_v2;
  int32_t type;                         /* 1: pq_page_type */
  int32_t uncompressed_page_size;       /* 2 */
  int32_t compressed_page_size;         /* 3 */
  int32_t crc;                          /* 4 */
  pq_data_page_header data_page_header; /* 5 */
  /* 6 index_page_header is an empty struct */
  pq_dictionary_page_header dictionary_page_header; /* 7 */
  pq_data_page_header_v2 data_page_header_v2;       /* 8 */
} pq_page_header;

typedef struct pq_page_location {
  int64_t offset;               /* 1: of the page header in the file */
  int32_t compressed_page_size; /* 2: header included */
  int64_t first_row_index;      /* 3 */
} pq_page_location;

typedef struct pq_offset_index {
  pq_page_location *page_locations; /* 1: required */
  int n_page_locations;
  int64_t *unencoded_byte_array_data_bytes; /* 2 */
  int n_unencoded_byte_array_data_bytes;
  bool has_unencoded_byte_array_data_bytes;
} pq_offset_index;

typedef struct pq_column_index {
  bool has_null_counts, has_repetition_level_histograms, has_definition_level_histograms;
  bool has_nan_counts;
  int n_pages;                          /* the length of every list below */
  bool *null_pages;                     /* 1: required */
  pq_bytes *min_values;                 /* 2: required; empty for a null page */
  pq_bytes *max_values;                 /* 3: required */
  int32_t boundary_order;               /* 4: required, pq_boundary_order */
  int64_t *null_counts;                 /* 5 */
  int64_t *repetition_level_histograms; /* 6 */
  int n_repetition_level_histograms;
  int64_t *definition_level_histograms; /* 7 */
  int n_definition_level_histograms;
  int64_t *nan_counts; /* 8 */
} pq_column_index;

/* ---- Thrift compact protocol (thrift.c)
 * --------------------------------------------------------*/

/* Wire types of the compact protocol. */
enum {
  PQ_T_STOP = 0,
  PQ_T_BOOL_TRUE = 1,
  PQ_T_BOOL_FALSE = 2,
  PQ_T_I8 = 3,
  PQ_T_I16 = 4,
  PQ_T_I32 = 5,
  PQ_T_I64 = 6,
  PQ_T_DOUBLE = 7,
  PQ_T_BINARY = 8,
  PQ_T_LIST = 9,
  PQ_T_SET = 10,
  PQ_T_MAP = 11,
  PQ_T_STRUCT = 12,
  PQ_T_UUID = 13
};

/* Nesting deeper than this is refused when reading (the metadata needs 6 levels). */
#define PQ_THRIFT_MAX_DEPTH 64

/* The encoder: a growable buffer with a cap. Errors (out of memory, over the cap) are sticky:
 * calls after one do nothing, and pq_tenc_status reports the first. */
typedef struct pq_tenc {
  uint8_t *data;
  size_t len, cap, max_bytes;
  bool failed;
  bool over_cap; /* else out of memory */
  int depth;
  int16_t last_field[PQ_THRIFT_MAX_DEPTH + 1]; /* per open struct, for field-id deltas */
} pq_tenc;

void pq_tenc_init(pq_tenc *e, size_t max_bytes);
void pq_tenc_free(pq_tenc *e);
/* Empties e, keeping its buffer. */
void pq_tenc_reset(pq_tenc *e);
/* SBD_OK, or an error on ctx naming what (e.g. "footer") and the cap. */
sbd_status pq_tenc_status(sbd_ctx *ctx, const pq_tenc *e, const char *what);
/* Raw bytes, for the writer's own use of the buffer. */
void pq_tenc_bytes(pq_tenc *e, const void *p, size_t n);

void pq_tenc_struct_begin(pq_tenc *e); /* a top-level struct or a list element */
void pq_tenc_struct_end(pq_tenc *e);   /* writes the stop field */
/* A field header of any wire type; the value follows (raw bytes through pq_tenc_bytes for the
 * types without a writer here: set, map, uuid). */
void pq_tenc_field_header(pq_tenc *e, int16_t id, int type);
void pq_tenc_field_struct(pq_tenc *e, int16_t id); /* a struct field: then struct_begin..end */
void pq_tenc_field_bool(pq_tenc *e, int16_t id, bool v);
void pq_tenc_field_i8(pq_tenc *e, int16_t id, int8_t v);
void pq_tenc_field_i16(pq_tenc *e, int16_t id, int16_t v);
void pq_tenc_field_i32(pq_tenc *e, int16_t id, int32_t v);
void pq_tenc_field_i64(pq_tenc *e, int16_t id, int64_t v);
void pq_tenc_field_double(pq_tenc *e, int16_t id, double v);
void pq_tenc_field_binary(pq_tenc *e, int16_t id, const void *p, size_t n);
/* A list field of n elements of wire type elem_type; then write the n elements. */
void pq_tenc_field_list(pq_tenc *e, int16_t id, int elem_type, uint32_t n);
/* List elements. */
void pq_tenc_bool(pq_tenc *e, bool v);
void pq_tenc_i32(pq_tenc *e, int32_t v);
void pq_tenc_i64(pq_tenc *e, int64_t v);
void pq_tenc_binary(pq_tenc *e, const void *p, size_t n);

/* The decoder: every read is bounds-checked. On failure the read returns false and err holds
 * "corrupt Thrift at offset N: ..." (N in the file, base + the position); the first error wins.
 * Binaries are copied into arena when there is one, else they point into the input. */
typedef struct pq_tdec {
  const uint8_t *data;
  size_t len, pos;
  int64_t base; /* file offset of data[0] */
  arena *arena; /* for lists and copies; NULL: binaries point into data and lists fail */
  int depth;
  bool failed;
  char err[256];
} pq_tdec;

void pq_tdec_init(pq_tdec *d, const uint8_t *data, size_t len, int64_t base, arena *a);
/* Records an error at the current position (first one wins); returns false. */
bool pq_tdec_fail(pq_tdec *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Opens a struct: checks the depth and resets the field-id delta base in *last_id. */
bool pq_tdec_struct_begin(pq_tdec *d, int16_t *last_id);
void pq_tdec_struct_end(pq_tdec *d);
/* Reads a field header; *type = PQ_T_STOP at the end of the struct. */
bool pq_tdec_field(pq_tdec *d, int16_t *last_id, int *type, int16_t *id);
/* Reads an integer field value of any integer wire type into [min, max]. */
bool pq_tdec_int(pq_tdec *d, int type, int64_t min, int64_t max, int64_t *out);
bool pq_tdec_i32(pq_tdec *d, int type, int32_t *out);
bool pq_tdec_i64(pq_tdec *d, int type, int64_t *out);
/* A bool field (the value is in its wire type) or, with type = -1, a list element. */
bool pq_tdec_bool(pq_tdec *d, int type, bool *out);
bool pq_tdec_double(pq_tdec *d, int type, double *out);
bool pq_tdec_binary(pq_tdec *d, int type, pq_bytes *out);
/* A list (or set) header; n is checked against the bytes left. */
bool pq_tdec_list(pq_tdec *d, int type, int *elem_type, uint32_t *n);
/* Checks that a list's element type is want (bool lists accept both bool codes). */
bool pq_tdec_expect_elem(pq_tdec *d, int elem_type, int want);
/* Skips a value of any wire type, recursively. */
bool pq_tdec_skip(pq_tdec *d, int type);
/* n elements of size bytes from the arena (zeroed); fails when there is none. */
void *pq_tdec_alloc(pq_tdec *d, size_t n, size_t size);

/* ---- the metadata structs on the wire (meta.c)
 * --------------------------------------------------- Encoders append to e and return !e->failed.
 * Decoders read one struct at d's position, check that its required fields are present, skip fields
 * they do not know, and return false with d->err set on corrupt input. */
bool pq_encode_file_metadata(pq_tenc *e, const pq_file_metadata *m);
bool pq_encode_page_header(pq_tenc *e, const pq_page_header *h);
bool pq_encode_column_index(pq_tenc *e, const pq_column_index *ci);
bool pq_encode_offset_index(pq_tenc *e, const pq_offset_index *oi);
bool pq_encode_statistics(pq_tenc *e, const pq_statistics *s);

bool pq_decode_file_metadata(pq_tdec *d, pq_file_metadata *out);
bool pq_decode_page_header(pq_tdec *d, pq_page_header *out);
bool pq_decode_column_index(pq_tdec *d, pq_column_index *out);
bool pq_decode_offset_index(pq_tdec *d, pq_offset_index *out);
bool pq_decode_statistics(pq_tdec *d, pq_statistics *out);

/* The enum values' names as parquet.thrift spells them ("INT64", "UTF8", "TIMESTAMP", "MICROS",
 * "OPTIONAL", "RLE_DICTIONARY", "DATA_PAGE", "TYPE_DEFINED_ORDER"), or NULL for a value the spec
 * does not define (meta.c). Static storage. */
const char *pq_type_name(int type);
const char *pq_converted_type_name(int converted_type);
const char *pq_logical_kind_name(int kind);
const char *pq_time_unit_name(int unit);
const char *pq_repetition_name(int repetition);
const char *pq_encoding_name(int encoding);
const char *pq_page_type_name(int page_type);
const char *pq_column_order_name(int kind);

/* ---- the encodings (encoding.c) ---------------------------------------------------------------*/

/* RLE/bit-packed hybrid. out must have pq_rle_max_size(n, bit_width) bytes; returns the bytes
 * written, without a length prefix. */
size_t pq_rle_encode(const uint32_t *values, size_t n, int bit_width, uint8_t *out);
size_t pq_rle_max_size(size_t n, int bit_width);
/* Decodes exactly n values or returns false. */
bool pq_rle_decode(const uint8_t *in, size_t in_len, int bit_width, uint32_t *out, size_t n);

/* DELTA_BINARY_PACKED. */
bool pq_delta_binary_decode_i64(const uint8_t *in, size_t in_len, int64_t *out, size_t n,
                                size_t *consumed);
/* out must have pq_delta_binary_max_size(n) bytes. */
size_t pq_delta_binary_encode_i64(const int64_t *v, size_t n, uint8_t *out);
size_t pq_delta_binary_max_size(size_t n);

/* DELTA_LENGTH_BYTE_ARRAY and DELTA_BYTE_ARRAY: offsets has n + 1 entries; *bytes_out is
 * malloc'd and owned by the caller. */
bool pq_delta_length_ba_decode(const uint8_t *in, size_t in_len, size_t n, int64_t *offsets,
                               uint8_t **bytes_out, size_t *consumed);
bool pq_delta_ba_decode(const uint8_t *in, size_t in_len, size_t n, int64_t *offsets,
                        uint8_t **bytes_out, size_t *consumed);

/* BYTE_STREAM_SPLIT of n values of width bytes each. */
void pq_bss_encode(const uint8_t *in, size_t n, int width, uint8_t *out);
bool pq_bss_decode(const uint8_t *in, size_t in_len, size_t n, int width, uint8_t *out);

/* ---- the codecs (codec.c) ---------------------------------------------------------------------
 * codec is a parquet CompressionCodec value; level is used by ZSTD and GZIP (0 = default). */
size_t pq_compress_bound(int codec, size_t n);
sbd_status pq_compress(sbd_ctx *ctx, int codec, int level, const uint8_t *in, size_t n,
                       uint8_t *out, size_t out_cap, size_t *out_len);
/* out_len is the exact uncompressed size. */
sbd_status pq_decompress(sbd_ctx *ctx, int codec, const uint8_t *in, size_t n, uint8_t *out,
                         size_t out_len);
bool pq_codec_from_name(const char *name, int *codec);
/* The name --compression takes ("snappy"), or "unknown". */
const char *pq_codec_name(int codec);
/* The name parquet.thrift gives it ("SNAPPY"), or NULL for a value it does not define. */
const char *pq_codec_thrift_name(int codec);

/* ---- the writer (writer.c) --------------------------------------------------------------------*/

/* Sets up w (file and schema already there) to write Parquet. Options: compression (snappy,
 * zstd, gzip, lz4_raw, none), compression_level (zstd 1..22, gzip 1..9), row_group_rows,
 * row_group_bytes, page_bytes, parquet_encoding (plain, dictionary, delta, byte_stream_split),
 * data_page (v1, v2), parquet_dict_limit; any other key but "format" is refused. Row groups are
 * encoded on ctx's pool while the writing thread waits, so writes must not come from one of the
 * pool's own workers. Also declared in io_int.h, for writer.c. */
sbd_status pq_writer_init(sbd_writer *w, const sbd_options *opts);

/* ==== the reader (reader.c, read_file.c, read_chunk.c, read_cast.c) ==========================
 * pq_file is an open file: its bytes (mapped read-only, or read with pread where mapping fails),
 * its decoded and checked footer, and how each top-level field reads as an sbd column. The
 * reader (reader.c) decodes column chunks on the context's pool, one task per row group and
 * column (read_chunk.c), and hands out batches in file order. */

/* How the values of a field become sbd values. */
typedef enum pq_conv {
  PQ_CONV_NONE = 0,  /* unsupported: see pq_field.unsupported */
  PQ_CONV_BOOL,      /* BOOLEAN -> BOOL */
  PQ_CONV_I32,       /* INT32 -> INT64 */
  PQ_CONV_U32,       /* INT32 holding an unsigned value -> INT64 */
  PQ_CONV_I64,       /* INT64 -> INT64 */
  PQ_CONV_U64,       /* INT64 holding an unsigned value -> INT64 (past INT64_MAX: an error) */
  PQ_CONV_DATE,      /* INT32 days -> DATE */
  PQ_CONV_TS_MILLIS, /* INT64 -> TIMESTAMP (microseconds) */
  PQ_CONV_TS_MICROS, /* INT64 -> TIMESTAMP */
  PQ_CONV_TS_NANOS,  /* rounded toward minus infinity */
  PQ_CONV_INT96,     /* INT96 (nanoseconds of the day, Julian day) -> TIMESTAMP */
  PQ_CONV_F32,       /* FLOAT -> DOUBLE */
  PQ_CONV_F64,       /* DOUBLE -> DOUBLE */
  PQ_CONV_F16,       /* FIXED_LEN_BYTE_ARRAY(2) FLOAT16 -> DOUBLE */
  PQ_CONV_DEC_I32,   /* DECIMAL -> DOUBLE (lossy beyond 15 to 17 significant digits) */
  PQ_CONV_DEC_I64,   /* DECIMAL -> DOUBLE */
  PQ_CONV_DEC_BYTES, /* big-endian two's complement in a (fixed length) byte array */
  PQ_CONV_STRING,    /* BYTE_ARRAY -> STRING, checked to be UTF-8 */
  PQ_CONV_UUID,      /* FIXED_LEN_BYTE_ARRAY(16) -> 8-4-4-4-12 lower-case hex text */
  PQ_CONV_HEX        /* any other FIXED_LEN_BYTE_ARRAY -> lower-case hex text */
} pq_conv;

/* A top-level field of the file's schema. A flat field is one leaf column; a group (LIST, MAP,
 * struct) or a repeated field spans nleaves leaf columns and cannot be read (unsupported). */
typedef struct pq_field {
  char *name;                  /* NUL-terminated, in the file's arena */
  int leaf;                    /* its first leaf: the index of its chunk in a row group */
  int nleaves;                 /* its leaf columns */
  const pq_schema_element *se; /* the leaf's element (flat fields) */
  int32_t phys;                /* pq_type */
  int32_t type_length;         /* FIXED_LEN_BYTE_ARRAY */
  int max_def;                 /* 0 (REQUIRED) or 1 (OPTIONAL) */
  sbd_type type;               /* the type it reads as */
  pq_conv conv;                /* how its values convert */
  int32_t scale;               /* DECIMAL */
  const char *unsupported;     /* NULL, or what it is: "LIST", "MAP", "STRUCT", "TIME", ... */
  bool nested;                 /* unsupported because it is not flat */
} pq_field;

typedef struct pq_file {
  char *path;         /* for messages */
  int fd;             /* open for pread */
  const uint8_t *map; /* the whole file when mapped; NULL: read with pread */
  int64_t size;
  int64_t data_end; /* where the footer starts: every column chunk ends before */
  arena arena;      /* the decoded footer */
  pq_file_metadata meta;
  pq_field *fields;
  int nfields;
  int nleaves;
} pq_file;

/* Opens path, reads and checks its footer (magic at both ends, footer length, schema, every
 * chunk's offsets within the file, row and value counts). "-" is refused: Parquet needs a
 * seekable file. Owned by the caller: pq_file_close. */
sbd_status pq_file_open(sbd_ctx *ctx, const char *path, pq_file **out);
/* True by default; the tests set it false to read with pread where mapping would work. */
extern bool pq_file_use_mmap;
/* The decoded footer, borrowed from f (the CLI's `sbd meta` reads it). */
const pq_file_metadata *pq_file_meta(const pq_file *f);
void pq_file_close(pq_file *f);
/* The index of the field named name, or -1. */
int pq_file_find_field(const pq_file *f, const char *name);
/* The byte range [*start, *start + *len) of leaf column `leaf` of row group rg, checked at open. */
void pq_file_chunk_range(const pq_file *f, int rg, int leaf, int64_t *start, int64_t *len);
/* n bytes at offset off (inside the file): a pointer into the mapping, or read into *buf (grown
 * as needed, owned by the caller). False with err set when the read fails. */
bool pq_file_bytes(const pq_file *f, int64_t off, size_t n, uint8_t **buf, size_t *cap,
                   const uint8_t **out, char *err, size_t err_cap);

/* Tells the system that the mapped bytes [off, off + len) will be read soon (read-ahead). Opening
 * a file reads only its footer; the reader asks for each column chunk as it schedules it. */
void pq_file_will_need(const pq_file *f, int64_t off, int64_t len);
/* Tells the system that the mapped bytes [off, off + len) will not be read again, so that the
 * pages of a file read once do not pile up in the process's resident memory. */
void pq_file_release(const pq_file *f, int64_t off, int64_t len);

/* A column chunk's statistics as a row-group filter sees them, in the column's sbd type. */
typedef struct pq_column_stats {
  sbd_type type;
  int64_t num_values; /* rows in the row group, nulls included */
  bool has_null_count;
  int64_t null_count;
  bool has_min_max;          /* min and max are known: */
  int64_t min_i, max_i;      /* BOOL (0/1), INT64, DATE, TIMESTAMP */
  double min_d, max_d;       /* DOUBLE (never NaN) */
  const char *min_s, *max_s; /* STRING, compared as unsigned bytes; borrowed from the file */
  size_t min_len, max_len;
  /* DOUBLE: NaN is never in min/max; nan_count says how many there are, when known (always 0
   * for a DECIMAL, which has none). */
  bool has_nan_count;
  int64_t nan_count;
} pq_column_stats;
/* The statistics of field `field` in row group rg (has_min_max is false when the file has none
 * that sbd can trust: no column order, an unsigned or INT96 column with only the deprecated
 * fields, a NaN). */
void pq_file_column_stats(const pq_file *f, int rg, int field, pq_column_stats *out);

/* Row-group pruning: called once per row group before it is read, with the statistics of the
 * reader's columns (ncols, in the reader's schema order; has_min_max is false for a column read
 * as another type through the schema option). Returning false skips the row group. */
typedef bool (*pq_row_group_filter)(void *arg, int row_group, int64_t num_rows,
                                    const pq_column_stats *cols, int ncols);
/* Sets the filter of a Parquet reader, before its first sbd_reader_next. */
sbd_status pq_reader_set_row_group_filter(sbd_reader *r, pq_row_group_filter fn, void *arg);

/* One column chunk to decode into batch-sized vectors (read_chunk.c). The task owns its scratch
 * buffers across runs; vecs (nvecs of them, SBD_BATCH_ROWS rows each but the last) is its output
 * until the reader takes the vectors. */
typedef struct pq_chunk_task {
  const pq_file *file;
  const pq_field *field;
  sbd_type out_type; /* field->type, or the type the schema option forces */
  int rg;
  const int *cancel; /* atomic; when set, the task stops at the next page (or NULL) */
  sbd_vec **vecs;
  int nvecs;
  sbd_status status;
  char err[512]; /* the whole message, file and place included */
  struct pq_scratch *scratch;
} pq_chunk_task;

/* Decodes the chunk; sets status and err on failure. Runs on a worker thread. */
void pq_chunk_task_run(pq_chunk_task *t);
/* Frees the outputs still held, keeping the scratch for the next run. */
void pq_chunk_task_clear(pq_chunk_task *t);
/* Frees everything. */
void pq_chunk_task_free(pq_chunk_task *t);

/* Casts v to type `to` for the schema option (read_cast.c): INT64 -> DOUBLE, DATE ->
 * TIMESTAMP, BOOL -> INT64, any type -> STRING, STRING -> any type (parsed). Replaces *v. On
 * failure writes a message (without the file's name) into err. */
sbd_status pq_cast_vec(sbd_vec **v, sbd_type to, int64_t first_row, char *err, size_t err_cap);
/* Whether pq_cast_vec can cast from to `to` (the failures left are values that do not parse). */
bool pq_can_cast(sbd_type from, sbd_type to);

#endif
