/*
 * pq_scan.c — the decode-only scan of bench/parquet: reads every column of a Parquet file through
 * the public reader (decompression, decoding, nulls, vectors), as a query's scan would, and does
 * nothing with the batches but count their rows, which it prints. bench/parquet compiles it
 * against build/libsbd.a; it is no part of the sbd command.
 *
 *   pq_scan FILE.parquet
 */
#include "sbd.h"

#include <inttypes.h>
#include <stdio.h>

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: pq_scan FILE.parquet\n");
    return 2;
  }
  sbd_ctx *ctx = sbd_ctx_new();
  if (!ctx) {
    fprintf(stderr, "pq_scan: out of memory\n");
    return 1;
  }
  const char *paths[] = {argv[1]};
  sbd_reader *r = NULL;
  int64_t rows = 0;
  sbd_status st = sbd_reader_open(ctx, paths, 1, NULL, &r);
  while (st == SBD_OK) {
    sbd_batch *b = NULL;
    st = sbd_reader_next(r, &b);
    if (st != SBD_OK || !b)
      break;
    rows += sbd_batch_nrows(b);
    sbd_batch_free(b);
  }
  if (st != SBD_OK)
    fprintf(stderr, "pq_scan: %s\n", sbd_errmsg(ctx));
  else
    printf("%" PRId64 "\n", rows);
  sbd_reader_close(r);
  sbd_ctx_free(ctx);
  return st == SBD_OK ? 0 : 1;
}
