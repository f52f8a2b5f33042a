/*
 * fuzz_dedup_config.c — libFuzzer target for the dedup configuration (YAML through libyaml, then
 * validation and binding to a fixed schema). Any input must load and bind, or fail with a
 * message that names the configuration file.
 */
#include "match/match_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static char path[64];
  if (!path[0])
    snprintf(path, sizeof(path), "/tmp/sbd-fuzz-%ld.yaml", (long)getpid());
  FILE *f = fopen(path, "wb");
  if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
    abort();
  sbd_ctx *ctx = sbd_ctx_new();
  mt_config *cfg = NULL;
  sbd_status st = mt_config_load(ctx, path, &cfg);
  if (st == SBD_OK) {
    static const char *const names[] = {"record_id", "source", "updated_at", "name",
                                        "email",     "phone",  "zip",        "spend"};
    static const sbd_type types[] = {SBD_STRING, SBD_STRING, SBD_TIMESTAMP, SBD_STRING,
                                     SBD_STRING, SBD_STRING, SBD_INT64,     SBD_INT64};
    sbd_schema *schema = schema_new(ctx, 8);
    for (int i = 0; schema && i < 8; i++)
      schema_set(ctx, schema, i, names[i], types[i]);
    if (schema && mt_config_bind(ctx, cfg, schema) != SBD_OK && !strstr(sbd_errmsg(ctx), path))
      abort();
    schema_unref(schema);
  } else if (st != SBD_ENOMEM && !strstr(sbd_errmsg(ctx), path)) {
    abort();
  }
  mt_config_free(cfg);
  sbd_ctx_free(ctx);
  return 0;
}
