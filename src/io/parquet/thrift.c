/*
 * thrift.c — the Thrift compact protocol, as Parquet uses it for its metadata (written from
 * apache/thrift doc/specs/thrift-compact-protocol.md).
 *
 * Encoder: a growable byte buffer with a cap. A struct is a run of field headers (a 4-bit delta
 * from the previous field id and a 4-bit wire type, or the type alone followed by the zigzag id
 * when the delta does not fit) ending in a stop byte; each open struct keeps its last field id on
 * a small stack. Bool fields carry their value in the wire type; i16/i32/i64 are zigzag varints;
 * binaries are a varint length and the bytes; lists are a header (size in the high nibble, or 15
 * and a varint) and the elements. Errors are sticky, so callers write straight down and check
 * once at the end.
 *
 * Decoder: reads from a byte range that it never leaves. Every read checks the bytes left; list
 * sizes are checked against them too (an element takes at least one byte), so a corrupt length
 * cannot make the caller allocate more than the input could hold. Unknown fields of any type are
 * skipped recursively, with nesting capped at PQ_THRIFT_MAX_DEPTH. The first error is kept with
 * the file offset where it happened.
 */
#include "io/parquet/pq_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- encoder
 * -----------------------------------------------------------------------------------*/

void pq_tenc_init(pq_tenc *e, size_t max_bytes) {
  memset(e, 0, sizeof(*e));
  e->max_bytes = max_bytes;
}

void pq_tenc_free(pq_tenc *e) {
  if (!e)
    return;
  free(e->data);
  memset(e, 0, sizeof(*e));
}

void pq_tenc_reset(pq_tenc *e) {
  e->len = 0;
  e->failed = false;
  e->over_cap = false;
  e->depth = 0;
}

sbd_status pq_tenc_status(sbd_ctx *ctx, const pq_tenc *e, const char *what) {
  if (!e->failed)
    return SBD_OK;
  if (e->over_cap)
    return sbd_error(ctx, SBD_ELIMIT, "%s: the Parquet metadata is over the cap of %zu bytes", what,
                     e->max_bytes);
  return sbd_error(ctx, SBD_ENOMEM, "%s: out of memory encoding the Parquet metadata", what);
}

static bool tenc_reserve(pq_tenc *e, size_t n) {
  if (e->failed)
    return false;
  if (n > e->max_bytes || e->len > e->max_bytes - n) {
    e->failed = true;
    e->over_cap = true;
    return false;
  }
  if (e->len + n <= e->cap)
    return true;
  size_t cap = e->cap ? e->cap : 256;
  while (cap < e->len + n)
    cap = cap > SIZE_MAX / 2 ? e->len + n : cap * 2;
  uint8_t *p = realloc(e->data, cap);
  if (!p) {
    e->failed = true;
    return false;
  }
  e->data = p;
  e->cap = cap;
  return true;
}

void pq_tenc_bytes(pq_tenc *e, const void *p, size_t n) {
  if (n == 0 || !tenc_reserve(e, n))
    return;
  memcpy(e->data + e->len, p, n);
  e->len += n;
}

static void tenc_byte(pq_tenc *e, uint8_t b) {
  if (!tenc_reserve(e, 1))
    return;
  e->data[e->len++] = b;
}

static void tenc_varint(pq_tenc *e, uint64_t v) {
  uint8_t buf[10];
  size_t n = 0;
  while (v >= 0x80) {
    buf[n++] = (uint8_t)(v | 0x80);
    v >>= 7;
  }
  buf[n++] = (uint8_t)v;
  pq_tenc_bytes(e, buf, n);
}

static uint64_t zigzag(int64_t v) {
  return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

void pq_tenc_field_header(pq_tenc *e, int16_t id, int type) {
  int16_t *last = &e->last_field[e->depth];
  int delta = id - *last;
  if (delta > 0 && delta <= 15) {
    tenc_byte(e, (uint8_t)(delta << 4 | type));
  } else {
    tenc_byte(e, (uint8_t)type);
    tenc_varint(e, zigzag(id));
  }
  *last = id;
}

void pq_tenc_struct_begin(pq_tenc *e) {
  if (e->depth >= PQ_THRIFT_MAX_DEPTH) {
    /* Our own structs never nest this deep: a bug, reported as a failed encode. */
    e->failed = true;
    return;
  }
  e->last_field[++e->depth] = 0;
}

void pq_tenc_struct_end(pq_tenc *e) {
  tenc_byte(e, PQ_T_STOP);
  if (e->depth > 0)
    e->depth--;
}

void pq_tenc_field_struct(pq_tenc *e, int16_t id) {
  pq_tenc_field_header(e, id, PQ_T_STRUCT);
}

void pq_tenc_field_bool(pq_tenc *e, int16_t id, bool v) {
  pq_tenc_field_header(e, id, v ? PQ_T_BOOL_TRUE : PQ_T_BOOL_FALSE);
}

void pq_tenc_field_i8(pq_tenc *e, int16_t id, int8_t v) {
  pq_tenc_field_header(e, id, PQ_T_I8);
  tenc_byte(e, (uint8_t)v);
}

void pq_tenc_field_i16(pq_tenc *e, int16_t id, int16_t v) {
  pq_tenc_field_header(e, id, PQ_T_I16);
  tenc_varint(e, zigzag(v));
}

void pq_tenc_field_i32(pq_tenc *e, int16_t id, int32_t v) {
  pq_tenc_field_header(e, id, PQ_T_I32);
  tenc_varint(e, zigzag(v));
}

void pq_tenc_field_i64(pq_tenc *e, int16_t id, int64_t v) {
  pq_tenc_field_header(e, id, PQ_T_I64);
  tenc_varint(e, zigzag(v));
}

void pq_tenc_field_double(pq_tenc *e, int16_t id, double v) {
  pq_tenc_field_header(e, id, PQ_T_DOUBLE);
  uint64_t bits;
  memcpy(&bits, &v, 8);
  uint8_t buf[8];
  for (int i = 0; i < 8; i++)
    buf[i] = (uint8_t)(bits >> (8 * i));
  pq_tenc_bytes(e, buf, 8);
}

void pq_tenc_field_binary(pq_tenc *e, int16_t id, const void *p, size_t n) {
  pq_tenc_field_header(e, id, PQ_T_BINARY);
  pq_tenc_binary(e, p, n);
}

void pq_tenc_field_list(pq_tenc *e, int16_t id, int elem_type, uint32_t n) {
  pq_tenc_field_header(e, id, PQ_T_LIST);
  if (n < 15) {
    tenc_byte(e, (uint8_t)(n << 4 | (uint32_t)elem_type));
  } else {
    tenc_byte(e, (uint8_t)(0xf0 | elem_type));
    tenc_varint(e, n);
  }
}

/* A bool list element is one byte: 1 for true, 2 for false (what the reference implementations
 * write; the decoder also accepts 0 for false). */
void pq_tenc_bool(pq_tenc *e, bool v) {
  tenc_byte(e, v ? 1 : 2);
}
void pq_tenc_i32(pq_tenc *e, int32_t v) {
  tenc_varint(e, zigzag(v));
}
void pq_tenc_i64(pq_tenc *e, int64_t v) {
  tenc_varint(e, zigzag(v));
}

void pq_tenc_binary(pq_tenc *e, const void *p, size_t n) {
  if (n > UINT32_MAX) {
    e->failed = true;
    e->over_cap = true;
    return;
  }
  tenc_varint(e, n);
  pq_tenc_bytes(e, p, n);
}

/* ---- decoder
 * -----------------------------------------------------------------------------------*/

static const char *wire_type_name(int type) {
  static const char *const names[] = {"stop",   "bool",   "bool", "i8",  "i16", "i32",    "i64",
                                      "double", "binary", "list", "set", "map", "struct", "uuid"};
  return type >= 0 && type <= PQ_T_UUID ? names[type] : "unknown";
}

void pq_tdec_init(pq_tdec *d, const uint8_t *data, size_t len, int64_t base, arena *a) {
  memset(d, 0, sizeof(*d));
  d->data = data;
  d->len = len;
  d->base = base;
  d->arena = a;
}

bool pq_tdec_fail(pq_tdec *d, const char *fmt, ...) {
  if (d->failed)
    return false;
  d->failed = true;
  int n = snprintf(d->err, sizeof(d->err),
                   "corrupt Thrift at offset %lld: ", (long long)(d->base + (int64_t)d->pos));
  if (n < 0 || (size_t)n >= sizeof(d->err))
    return false;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(d->err + n, sizeof(d->err) - (size_t)n, fmt, ap);
  va_end(ap);
  return false;
}

static bool tdec_need(pq_tdec *d, size_t n) {
  if (d->failed)
    return false;
  if (n > d->len - d->pos)
    return pq_tdec_fail(d, "%zu bytes needed, %zu left", n, d->len - d->pos);
  return true;
}

static bool tdec_byte(pq_tdec *d, uint8_t *out) {
  if (!tdec_need(d, 1))
    return false;
  *out = d->data[d->pos++];
  return true;
}

static bool tdec_varint(pq_tdec *d, uint64_t *out) {
  uint64_t v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    uint8_t b;
    if (!tdec_byte(d, &b))
      return false;
    if (shift == 63 && b > 1)
      return pq_tdec_fail(d, "varint longer than 64 bits");
    v |= (uint64_t)(b & 0x7f) << shift;
    if (!(b & 0x80)) {
      *out = v;
      return true;
    }
  }
  return pq_tdec_fail(d, "varint longer than 10 bytes");
}

static int64_t unzigzag(uint64_t v) {
  return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

static bool tdec_zigzag(pq_tdec *d, int64_t *out) {
  uint64_t v;
  if (!tdec_varint(d, &v))
    return false;
  *out = unzigzag(v);
  return true;
}

void *pq_tdec_alloc(pq_tdec *d, size_t n, size_t size) {
  if (d->failed)
    return NULL;
  if (!d->arena) {
    pq_tdec_fail(d, "a list where none is expected");
    return NULL;
  }
  if (n == 0)
    n = 1;
  if (size && n > SIZE_MAX / size) {
    pq_tdec_fail(d, "list of %zu elements is too long", n);
    return NULL;
  }
  void *p = arena_alloc(d->arena, n * size);
  if (!p) {
    pq_tdec_fail(d, "out of memory for %zu bytes", n * size);
    return NULL;
  }
  memset(p, 0, n * size);
  return p;
}

bool pq_tdec_struct_begin(pq_tdec *d, int16_t *last_id) {
  if (d->failed)
    return false;
  if (d->depth >= PQ_THRIFT_MAX_DEPTH)
    return pq_tdec_fail(d, "structs nested deeper than %d", PQ_THRIFT_MAX_DEPTH);
  d->depth++;
  *last_id = 0;
  return true;
}

void pq_tdec_struct_end(pq_tdec *d) {
  if (d->depth > 0)
    d->depth--;
}

bool pq_tdec_field(pq_tdec *d, int16_t *last_id, int *type, int16_t *id) {
  uint8_t b;
  if (!tdec_byte(d, &b))
    return false;
  *type = b & 0x0f;
  if (*type == PQ_T_STOP) {
    if (b != 0)
      return pq_tdec_fail(d, "stop field with bits 0x%02x", b);
    *id = 0;
    return true;
  }
  if (*type > PQ_T_UUID)
    return pq_tdec_fail(d, "unknown field type %d", *type);
  int delta = b >> 4;
  if (delta) {
    int next = *last_id + delta;
    if (next > INT16_MAX)
      return pq_tdec_fail(d, "field id past 32767");
    *id = (int16_t)next;
  } else {
    int64_t v;
    if (!tdec_zigzag(d, &v))
      return false;
    if (v < INT16_MIN || v > INT16_MAX)
      return pq_tdec_fail(d, "field id %lld is not an i16", (long long)v);
    *id = (int16_t)v;
  }
  *last_id = *id;
  return true;
}

bool pq_tdec_int(pq_tdec *d, int type, int64_t min, int64_t max, int64_t *out) {
  int64_t v;
  if (type == PQ_T_I8) {
    uint8_t b;
    if (!tdec_byte(d, &b))
      return false;
    v = (int8_t)b;
  } else if (type == PQ_T_I16 || type == PQ_T_I32 || type == PQ_T_I64) {
    if (!tdec_zigzag(d, &v))
      return false;
  } else {
    return pq_tdec_fail(d, "an integer was expected, not a %s", wire_type_name(type));
  }
  if (v < min || v > max)
    return pq_tdec_fail(d, "integer %lld is out of range %lld..%lld", (long long)v, (long long)min,
                        (long long)max);
  *out = v;
  return true;
}

bool pq_tdec_i32(pq_tdec *d, int type, int32_t *out) {
  int64_t v;
  if (!pq_tdec_int(d, type, INT32_MIN, INT32_MAX, &v))
    return false;
  *out = (int32_t)v;
  return true;
}

bool pq_tdec_i64(pq_tdec *d, int type, int64_t *out) {
  return pq_tdec_int(d, type, INT64_MIN, INT64_MAX, out);
}

bool pq_tdec_bool(pq_tdec *d, int type, bool *out) {
  if (type == PQ_T_BOOL_TRUE || type == PQ_T_BOOL_FALSE) {
    if (d->failed)
      return false;
    *out = type == PQ_T_BOOL_TRUE;
    return true;
  }
  if (type != -1)
    return pq_tdec_fail(d, "a bool was expected, not a %s", wire_type_name(type));
  uint8_t b;
  if (!tdec_byte(d, &b))
    return false;
  if (b > 2)
    return pq_tdec_fail(d, "bool element with value %u", b);
  *out = b == 1;
  return true;
}

bool pq_tdec_double(pq_tdec *d, int type, double *out) {
  if (type != PQ_T_DOUBLE)
    return pq_tdec_fail(d, "a double was expected, not a %s", wire_type_name(type));
  if (!tdec_need(d, 8))
    return false;
  uint64_t bits = 0;
  for (int i = 0; i < 8; i++)
    bits |= (uint64_t)d->data[d->pos + (size_t)i] << (8 * i);
  d->pos += 8;
  memcpy(out, &bits, 8);
  return true;
}

bool pq_tdec_binary(pq_tdec *d, int type, pq_bytes *out) {
  if (type != PQ_T_BINARY)
    return pq_tdec_fail(d, "a binary was expected, not a %s", wire_type_name(type));
  uint64_t n;
  if (!tdec_varint(d, &n))
    return false;
  if (n > d->len - d->pos)
    return pq_tdec_fail(d, "binary of %llu bytes with %zu left", (unsigned long long)n,
                        d->len - d->pos);
  if (n > UINT32_MAX)
    return pq_tdec_fail(d, "binary of %llu bytes", (unsigned long long)n);
  const uint8_t *src = d->data + d->pos;
  if (d->arena && n > 0) {
    uint8_t *copy = arena_alloc(d->arena, (size_t)n);
    if (!copy)
      return pq_tdec_fail(d, "out of memory for %llu bytes", (unsigned long long)n);
    memcpy(copy, src, (size_t)n);
    src = copy;
  }
  out->ptr = src;
  out->len = (uint32_t)n;
  d->pos += (size_t)n;
  return true;
}

bool pq_tdec_list(pq_tdec *d, int type, int *elem_type, uint32_t *n) {
  if (type != PQ_T_LIST && type != PQ_T_SET)
    return pq_tdec_fail(d, "a list was expected, not a %s", wire_type_name(type));
  uint8_t b;
  if (!tdec_byte(d, &b))
    return false;
  *elem_type = b & 0x0f;
  uint64_t size = b >> 4;
  if (size == 15) {
    if (!tdec_varint(d, &size))
      return false;
    if (size > INT32_MAX)
      return pq_tdec_fail(d, "list of %llu elements", (unsigned long long)size);
  }
  if (*elem_type == PQ_T_STOP || *elem_type > PQ_T_UUID)
    return pq_tdec_fail(d, "list of unknown element type %d", *elem_type);
  /* Every element takes at least one byte (a uuid 16, a double 8). */
  size_t min_bytes = *elem_type == PQ_T_UUID ? 16 : *elem_type == PQ_T_DOUBLE ? 8 : 1;
  if (size > (d->len - d->pos) / min_bytes)
    return pq_tdec_fail(d, "list of %llu elements with %zu bytes left", (unsigned long long)size,
                        d->len - d->pos);
  *n = (uint32_t)size;
  return true;
}

bool pq_tdec_expect_elem(pq_tdec *d, int elem_type, int want) {
  if (elem_type == want)
    return true;
  if ((want == PQ_T_BOOL_TRUE || want == PQ_T_BOOL_FALSE) &&
      (elem_type == PQ_T_BOOL_TRUE || elem_type == PQ_T_BOOL_FALSE))
    return true;
  return pq_tdec_fail(d, "a list of %s was expected, not of %s", wire_type_name(want),
                      wire_type_name(elem_type));
}

/* Skips one value; elem says it is a list, set or map element (a bool then takes a byte). */
static bool tdec_skip(pq_tdec *d, int type, bool elem) {
  if (d->failed)
    return false;
  uint64_t n;
  int64_t ignored;
  switch (type) {
  case PQ_T_BOOL_TRUE:
  case PQ_T_BOOL_FALSE:
    if (elem) {
      uint8_t b;
      return tdec_byte(d, &b);
    }
    return true;
  case PQ_T_I8:
    return tdec_need(d, 1) && (d->pos++, true);
  case PQ_T_I16:
  case PQ_T_I32:
  case PQ_T_I64:
    return tdec_zigzag(d, &ignored);
  case PQ_T_DOUBLE:
    return tdec_need(d, 8) && (d->pos += 8, true);
  case PQ_T_UUID:
    return tdec_need(d, 16) && (d->pos += 16, true);
  case PQ_T_BINARY:
    if (!tdec_varint(d, &n))
      return false;
    if (n > d->len - d->pos)
      return pq_tdec_fail(d, "binary of %llu bytes with %zu left", (unsigned long long)n,
                          d->len - d->pos);
    d->pos += (size_t)n;
    return true;
  case PQ_T_LIST:
  case PQ_T_SET: {
    int et;
    uint32_t count;
    if (!pq_tdec_list(d, type, &et, &count))
      return false;
    if (d->depth >= PQ_THRIFT_MAX_DEPTH)
      return pq_tdec_fail(d, "values nested deeper than %d", PQ_THRIFT_MAX_DEPTH);
    d->depth++;
    for (uint32_t i = 0; i < count; i++)
      if (!tdec_skip(d, et, true))
        return false;
    d->depth--;
    return true;
  }
  case PQ_T_MAP: {
    if (!tdec_varint(d, &n))
      return false;
    if (n == 0)
      return true;
    uint8_t kv;
    if (!tdec_byte(d, &kv))
      return false;
    int kt = kv >> 4, vt = kv & 0x0f;
    if (kt == PQ_T_STOP || kt > PQ_T_UUID || vt == PQ_T_STOP || vt > PQ_T_UUID)
      return pq_tdec_fail(d, "map of unknown key or value type 0x%02x", kv);
    if (n > (d->len - d->pos) / 2)
      return pq_tdec_fail(d, "map of %llu entries with %zu bytes left", (unsigned long long)n,
                          d->len - d->pos);
    if (d->depth >= PQ_THRIFT_MAX_DEPTH)
      return pq_tdec_fail(d, "values nested deeper than %d", PQ_THRIFT_MAX_DEPTH);
    d->depth++;
    for (uint64_t i = 0; i < n; i++)
      if (!tdec_skip(d, kt, true) || !tdec_skip(d, vt, true))
        return false;
    d->depth--;
    return true;
  }
  case PQ_T_STRUCT: {
    int16_t last;
    if (!pq_tdec_struct_begin(d, &last))
      return false;
    for (;;) {
      int ft;
      int16_t id;
      if (!pq_tdec_field(d, &last, &ft, &id))
        return false;
      if (ft == PQ_T_STOP)
        break;
      if (!tdec_skip(d, ft, false))
        return false;
    }
    pq_tdec_struct_end(d);
    return true;
  }
  default:
    return pq_tdec_fail(d, "cannot skip a value of type %d", type);
  }
}

bool pq_tdec_skip(pq_tdec *d, int type) {
  return tdec_skip(d, type, false);
}
