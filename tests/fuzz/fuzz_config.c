/*
 * fuzz_config.c — libFuzzer target for the sbd.yaml parser (store/config.c). Any input must either
 * parse into a configuration whose names are identifiers and whose groups come after the groups
 * they read, or fail with SBD_EINPUT / SBD_ELIMIT and a message that names the file ("t.yaml").
 * Query files are not read (no repository folder), so the input is the only thing parsed. A
 * violation aborts, which libFuzzer and the replayer report.
 */
#include "store/store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static sbd_ctx *ctx;

static void fail(const char *what, const char *detail) {
  fprintf(stderr, "fuzz_config: %s: %s\n", what, detail);
  abort();
}

static void check_config(const st_config *c) {
  for (int i = 0; i < c->nsources; i++)
    if (!st_is_identifier(c->sources[i].name) || !c->sources[i].path)
      fail("bad source", c->sources[i].name);
  for (int i = 0; i < c->ngroups; i++) {
    const st_group *g = &c->groups[i];
    if (!st_is_identifier(g->name) || g->nkeys < 1 || g->nqueries < 1)
      fail("bad group", g->name);
    for (int k = 0; k < g->nkeys; k++)
      if (!st_is_identifier(g->keys[k]))
        fail("bad key", g->keys[k]);
    /* Dependency order: each group read comes earlier. */
    for (int d = 0; d < g->ndeps; d++) {
      int at = -1;
      for (int j = 0; j < c->ngroups; j++)
        if (c->groups[j].name == g->deps[d])
          at = j;
      if (at < 0 || at >= i)
        fail("group before one it reads", g->name);
    }
    char *def = st_group_definition(g);
    if (!def)
      fail("definition", g->name);
    free(def);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > 100000)
    return 0;
  if (!ctx)
    ctx = sbd_ctx_new();
  if (!ctx)
    abort();
  char *text = malloc(size + 1);
  if (!text)
    abort();
  memcpy(text, data, size);
  text[size] = 0;
  st_config *c = NULL;
  sbd_status st = st_config_parse(ctx, text, size, "t.yaml", NULL, &c);
  if (st == SBD_OK) {
    check_config(c);
  } else {
    if (st != SBD_EINPUT && st != SBD_ELIMIT)
      fail("unexpected status", sbd_errmsg(ctx));
    if (strncmp(sbd_errmsg(ctx), "t.yaml", 6) != 0)
      fail("message without the file", sbd_errmsg(ctx));
  }
  st_config_free(c);
  free(text);
  return 0;
}
