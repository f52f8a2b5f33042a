/*
 * fuzz_jsonl.c — libFuzzer target for the JSON Lines reader. The first byte picks options
 * (on_error, line cap, sample size); the rest is the file. Any input must give batches that hold
 * the invariants of fuzz_util.h or an error with a message, the same with one thread or two.
 */
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1)
    return 0;
  uint8_t sel = data[0];
  const char *path = fuzz_write_input(data + 1, size - 1, ".jsonl");
  sbd_options *opts = sbd_options_new();
  if (sel & 1)
    sbd_options_set(opts, "on_error", "skip");
  if (sel & 2)
    sbd_options_set(opts, "max_line_bytes", "4096");
  if (sel & 4)
    sbd_options_set(opts, "sample_rows", "2");
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
