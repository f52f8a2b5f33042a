/*
 * fuzz_csv.c — libFuzzer target for the CSV reader. The first byte picks options (header,
 * delimiter, on_error, threads); the rest is the file. Any input must give batches that hold the
 * invariants of fuzz_util.h or an error with a message; and the row count must not depend on the
 * number of threads.
 */
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1)
    return 0;
  uint8_t sel = data[0];
  const char *path = fuzz_write_input(data + 1, size - 1, ".csv");
  sbd_options *opts = sbd_options_new();
  if (sel & 1)
    sbd_options_set(opts, "header", "false");
  static const char *const delims[] = {NULL, ",", ";", "|"};
  if (delims[(sel >> 1) & 3])
    sbd_options_set(opts, "delim", delims[(sel >> 1) & 3]);
  if (sel & 8)
    sbd_options_set(opts, "on_error", "skip");
  if (sel & 16)
    sbd_options_set(opts, "nulls", "x,");
  if (sel & 32)
    sbd_options_set(opts, "max_line_bytes", "4096");
  sbd_ctx *one = sbd_ctx_new(), *two = sbd_ctx_new();
  sbd_ctx_set_threads(one, 1);
  sbd_ctx_set_threads(two, 2);
  int64_t a = fuzz_read_all(one, path, opts);
  int64_t b = fuzz_read_all(two, path, opts);
  if (a != b || (a < 0 && strcmp(sbd_errmsg(one), sbd_errmsg(two)) != 0))
    abort();
  sbd_ctx_free(one);
  sbd_ctx_free(two);
  sbd_options_free(opts);
  return 0;
}
