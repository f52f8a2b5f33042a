/*
 * pqconv.c — a small driver for the interop tests: converts INPUT to OUTPUT through the public
 * API with any reader and writer options, which `sbd convert` does not all have as flags.
 *
 *   pqconv INPUT OUTPUT [KEY=VALUE...]
 *
 * KEY=VALUE goes to the writer; r.KEY=VALUE to the reader (r.schema=..., r.columns=...). Errors
 * are printed as `pqconv: MESSAGE` on stderr with exit status 1.
 */
#include "sbd.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static int fail(sbd_ctx *ctx) {
  fprintf(stderr, "pqconv: %s\n", sbd_errmsg(ctx));
  return 1;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: pqconv INPUT OUTPUT [KEY=VALUE | r.KEY=VALUE]...\n");
    return 2;
  }
  sbd_ctx *ctx = sbd_ctx_new();
  sbd_options *ropts = sbd_options_new(), *wopts = sbd_options_new();
  for (int i = 3; i < argc; i++) {
    char *eq = strchr(argv[i], '=');
    if (!eq) {
      fprintf(stderr, "pqconv: expected KEY=VALUE, not '%s'\n", argv[i]);
      return 2;
    }
    *eq = 0;
    bool reader = strncmp(argv[i], "r.", 2) == 0;
    sbd_options_set(reader ? ropts : wopts, reader ? argv[i] + 2 : argv[i], eq + 1);
  }
  const char *paths[] = {argv[1]};
  sbd_reader *r;
  if (sbd_reader_open(ctx, paths, 1, ropts, &r) != SBD_OK)
    return fail(ctx);
  sbd_writer *w;
  if (sbd_writer_open(ctx, argv[2], sbd_reader_schema(r), wopts, &w) != SBD_OK)
    return fail(ctx);
  for (;;) {
    sbd_batch *b;
    if (sbd_reader_next(r, &b) != SBD_OK) {
      sbd_writer_abort(w);
      return fail(ctx);
    }
    if (!b)
      break;
    sbd_status st = sbd_writer_write(w, b);
    sbd_batch_free(b);
    if (st != SBD_OK) {
      sbd_writer_abort(w);
      return fail(ctx);
    }
  }
  if (sbd_writer_close(w) != SBD_OK)
    return fail(ctx);
  sbd_reader_close(r);
  sbd_options_free(ropts);
  sbd_options_free(wopts);
  sbd_ctx_free(ctx);
  return 0;
}
