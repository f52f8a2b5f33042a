/*
 * infer.c — type inference over sample values (the lattice is described in io_int.h). Every
 * candidate is checked with the same parser that later converts the column, so a type inferred
 * from the sample reads the sampled values back without error.
 */
#include "io/io_int.h"

#define BIT(t) (1u << (t))
#define ALL_CANDIDATES                                                                             \
  (BIT(SBD_BOOL) | BIT(SBD_INT64) | BIT(SBD_DOUBLE) | BIT(SBD_DATE) | BIT(SBD_TIMESTAMP))

void infer_init(io_infer *in) {
  in->candidates = ALL_CANDIDATES;
  in->values = 0;
}

void infer_text(io_infer *in, const char *s, size_t n) {
  in->values++;
  unsigned c = in->candidates;
  if (!c)
    return;
  if (c & BIT(SBD_BOOL)) {
    bool b;
    if (!num_parse_bool(s, n, &b))
      c &= ~BIT(SBD_BOOL);
  }
  if (c & BIT(SBD_INT64)) {
    int64_t i;
    if (!num_parse_int64(s, n, &i))
      c &= ~BIT(SBD_INT64);
  }
  if (c & BIT(SBD_DOUBLE)) {
    double d;
    if (!num_parse_double(s, n, &d))
      c &= ~BIT(SBD_DOUBLE);
  }
  if (c & BIT(SBD_DATE)) {
    int32_t d;
    if (!tm_parse_date(s, n, &d))
      c &= ~BIT(SBD_DATE);
  }
  if (c & BIT(SBD_TIMESTAMP)) {
    int64_t t;
    if (!tm_parse_timestamp(s, n, &t))
      c &= ~BIT(SBD_TIMESTAMP);
  }
  in->candidates = c;
}

void infer_json_string(io_infer *in, const char *s, size_t n) {
  in->values++;
  unsigned c = in->candidates & (BIT(SBD_DATE) | BIT(SBD_TIMESTAMP));
  if (c & BIT(SBD_DATE)) {
    int32_t d;
    if (!tm_parse_date(s, n, &d))
      c &= ~BIT(SBD_DATE);
  }
  if (c & BIT(SBD_TIMESTAMP)) {
    int64_t t;
    if (!tm_parse_timestamp(s, n, &t))
      c &= ~BIT(SBD_TIMESTAMP);
  }
  in->candidates = c;
}

void infer_only(io_infer *in, sbd_type t) {
  in->values++;
  /* A typed value keeps its own type and the types it widens to. */
  unsigned keep = BIT(t);
  if (t == SBD_INT64)
    keep |= BIT(SBD_DOUBLE);
  if (t == SBD_DATE)
    keep |= BIT(SBD_TIMESTAMP);
  in->candidates &= keep;
}

sbd_type infer_result(const io_infer *in) {
  static const sbd_type order[] = {SBD_BOOL, SBD_INT64, SBD_DOUBLE, SBD_DATE, SBD_TIMESTAMP};
  if (in->values == 0)
    return SBD_STRING;
  for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
    if (in->candidates & BIT(order[i]))
      return order[i];
  return SBD_STRING;
}

sbd_type type_unify(sbd_type a, sbd_type b) {
  if (a == b)
    return a;
  if ((a == SBD_INT64 && b == SBD_DOUBLE) || (a == SBD_DOUBLE && b == SBD_INT64))
    return SBD_DOUBLE;
  if ((a == SBD_DATE && b == SBD_TIMESTAMP) || (a == SBD_TIMESTAMP && b == SBD_DATE))
    return SBD_TIMESTAMP;
  return SBD_STRING;
}
