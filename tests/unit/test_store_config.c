/*
 * test_store_config.c — the sbd.yaml parser and its checks (store/config.c): a table of files and
 * the exact message each gives, and the structure parsed from a valid one (defaults, tags, the
 * dependency order of groups, the sources and groups each reads).
 */
#include "store/store_int.h"
#include "test.h"

#include <stdlib.h>

static const struct {
  const char *yaml;
  const char *error; /* NULL: valid */
} config_cases[] = {
    {"groups:\n  g:\n    features:\n      - SELECT 1 AS id\n", NULL},
    {"sources:\n  s: x.csv\n", NULL},
    {"groups:\n  g:\n    feature:\n      - SELECT 1 AS id\n",
     "t.yaml:3: unknown key 'feature' in group 'g' (did you mean 'features'?)"},
    {"groups:\n  g:\n    zzzzzz: 1\n", "t.yaml:3: unknown key 'zzzzzz' in group 'g'"},
    {"catalog: ''\n", "t.yaml:1: catalog is empty"},
    {"groups:\n  _ok9:\n    features: [SELECT 1 AS id]\n", NULL},
    {"groups:\n  9no:\n    features: [SELECT 1 AS id]\n",
     "t.yaml:2: the group name \"9no\" is not an identifier (letters, digits and _, not starting "
     "with a digit, at most 64 bytes)"},
    {"groups:\n  a/b:\n    features: [SELECT 1 AS id]\n",
     "t.yaml:2: the group name \"a/b\" is not an identifier (letters, digits and _, not starting "
     "with a digit, at most 64 bytes)"},
    {"groups:\n  a:\n    features: [SELECT id FROM b]\n  b:\n    features: [SELECT id FROM a]\n",
     "t.yaml:2: groups read each other in a cycle: a -> b -> a"},
    /* A name in a string, a comment or a column does not make a dependency. */
    {"groups:\n  a:\n    features: [\"SELECT 'b' AS b, id FROM t -- FROM b\"]\n  b:\n    features: "
     "[SELECT id FROM a]\n",
     NULL},
    {"groups: [a]\n", "t.yaml:1: groups must be a mapping, not a list"},
    {"groups:\n  g:\n    key: {a: 1}\n    features: [SELECT 1 AS id]\n",
     "t.yaml:3: key must be a list, not a mapping"},
    {"groups:\n  g:\n    key: []\n    features: [SELECT 1 AS id]\n",
     "t.yaml:3: group 'g': the key lists no column"},
    {"a: [\n", "t.yaml:2: not valid YAML: did not find expected node content while parsing a "
               "flow node"},
};

TEST(store_config_cases) {
  sbd_ctx *ctx = sbd_ctx_new();
  for (size_t i = 0; i < sizeof(config_cases) / sizeof(config_cases[0]); i++) {
    st_config *c = NULL;
    sbd_status st = st_config_parse(ctx, config_cases[i].yaml, strlen(config_cases[i].yaml),
                                    "t.yaml", NULL, &c);
    if (!config_cases[i].error) {
      if (st != SBD_OK)
        test_fail(__FILE__, __LINE__, "case %zu: expected valid, got: %s", i, sbd_errmsg(ctx));
    } else if (st == SBD_OK) {
      test_fail(__FILE__, __LINE__, "case %zu: expected \"%s\", got valid", i,
                config_cases[i].error);
    } else if (strcmp(sbd_errmsg(ctx), config_cases[i].error) != 0) {
      test_fail(__FILE__, __LINE__, "case %zu: expected \"%s\", got \"%s\"", i,
                config_cases[i].error, sbd_errmsg(ctx));
    }
    st_config_free(c);
  }
  sbd_ctx_free(ctx);
}

TEST(store_config_structure) {
  static const char yaml[] = "catalog: cat.db\n"
                             "sources:\n"
                             "  orders: {path: o/*.jsonl, format: jsonl, timestamp: ts}\n"
                             "  people: p.csv\n"
                             "groups:\n"
                             "  top:\n"
                             "    key: [a, b]\n"
                             "    tags: [x, y]\n"
                             "    features:\n"
                             "      - sql: SELECT a, b, n FROM base JOIN people USING (a)\n"
                             "  base:\n"
                             "    owner: me\n"
                             "    features:\n"
                             "      - sql: SELECT id, count(*) AS n FROM orders GROUP BY id\n"
                             "        meta:\n"
                             "          n: {description: orders, tags: [count]}\n";
  sbd_ctx *ctx = sbd_ctx_new();
  st_config *c = NULL;
  sbd_status st = st_config_parse(ctx, yaml, strlen(yaml), "t.yaml", NULL, &c);
  if (st != SBD_OK)
    test_fail(__FILE__, __LINE__, "parse: %s", sbd_errmsg(ctx));
  ASSERT_EQ(st, SBD_OK);
  ASSERT_STR_EQ(c->catalog, "cat.db");
  ASSERT_STR_EQ(c->store, "store");
  ASSERT_EQ(c->nsources, 2);
  ASSERT_STR_EQ(c->sources[0].path, "o/*.jsonl");
  ASSERT_STR_EQ(c->sources[0].format, "jsonl");
  ASSERT_STR_EQ(c->sources[0].timestamp, "ts");
  ASSERT_EQ(c->ngroups, 2);
  /* base comes first: top reads it. */
  ASSERT_STR_EQ(c->groups[0].name, "base");
  ASSERT_STR_EQ(c->groups[1].name, "top");
  ASSERT_EQ(c->groups[0].nkeys, 1);
  ASSERT_STR_EQ(c->groups[0].keys[0], "id");
  ASSERT_STR_EQ(c->groups[0].owner, "me");
  ASSERT_EQ(c->groups[0].nsources, 1);
  ASSERT_STR_EQ(c->groups[0].sources[0], "orders");
  ASSERT_EQ(c->groups[0].queries[0].nmeta, 1);
  ASSERT_STR_EQ(c->groups[0].queries[0].meta[0].tags, "count");
  ASSERT_EQ(c->groups[0].queries[0].line, 14);
  ASSERT_EQ(c->groups[1].nkeys, 2);
  ASSERT_STR_EQ(c->groups[1].keys[1], "b");
  ASSERT_STR_EQ(c->groups[1].tags, "x,y");
  ASSERT_EQ(c->groups[1].ndeps, 1);
  ASSERT_STR_EQ(c->groups[1].deps[0], "base");
  ASSERT_EQ(c->groups[1].nsources, 1);
  ASSERT_STR_EQ(c->groups[1].sources[0], "people");
  st_config_free(c);
  sbd_ctx_free(ctx);
}

TEST(store_identifiers) {
  static const struct {
    const char *s;
    bool ok;
  } cases[] = {{"a", true},    {"_", true},    {"A_9", true}, {"", false},    {"9a", false},
               {"a-b", false}, {"a b", false}, {"..", false}, {"a/b", false}, {"é", false}};
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
    if (st_is_identifier(cases[i].s) != cases[i].ok)
      test_fail(__FILE__, __LINE__, "st_is_identifier(\"%s\") != %d", cases[i].s, cases[i].ok);
  char long_name[80];
  memset(long_name, 'a', 65);
  long_name[65] = 0;
  ASSERT_TRUE(!st_is_identifier(long_name));
  long_name[64] = 0;
  ASSERT_TRUE(st_is_identifier(long_name));
}

/* The dedup section: its shape is checked here, its keys by the dedup engine. */
TEST(store_config_dedup) {
  sbd_ctx *ctx = sbd_ctx_new();
  static const char *const texts[] = {
      "dedup:\n  config: d.yaml\n",
      "sources:\n  s: x.csv\ndedup:\n  inputs: x.csv\n  rules: [{key: email}]\n",
      "sources:\n  s: x.csv\n",
      "dedup: [d.yaml]\n",
      "dedup: {config: d.yaml, inputs: x.csv}\n",
      "dedup: {config: ''}\n",
  };
  st_config *c = NULL;
  ASSERT_EQ(st_config_parse(ctx, texts[0], strlen(texts[0]), "t.yaml", NULL, &c), SBD_OK);
  ASSERT_EQ(c->dedup_line, 2); /* where its mapping starts */
  ASSERT_STR_EQ(c->dedup_config, "d.yaml");
  st_config_free(c);
  ASSERT_EQ(st_config_parse(ctx, texts[1], strlen(texts[1]), "t.yaml", NULL, &c), SBD_OK);
  ASSERT_EQ(c->dedup_line, 4);
  ASSERT_TRUE(c->dedup_config == NULL);
  st_config_free(c);
  ASSERT_EQ(st_config_parse(ctx, texts[2], strlen(texts[2]), "t.yaml", NULL, &c), SBD_OK);
  ASSERT_EQ(c->dedup_line, 0);
  st_config_free(c);
  ASSERT_TRUE(st_config_parse(ctx, texts[3], strlen(texts[3]), "t.yaml", NULL, &c) != SBD_OK);
  ASSERT_STR_EQ(sbd_errmsg(ctx), "t.yaml:1: dedup must be a mapping, not a list");
  ASSERT_TRUE(st_config_parse(ctx, texts[4], strlen(texts[4]), "t.yaml", NULL, &c) != SBD_OK);
  ASSERT_STR_EQ(sbd_errmsg(ctx),
                "t.yaml:1: dedup: config names a dedup file, and takes no other key beside it");
  ASSERT_TRUE(st_config_parse(ctx, texts[5], strlen(texts[5]), "t.yaml", NULL, &c) != SBD_OK);
  ASSERT_STR_EQ(sbd_errmsg(ctx), "t.yaml:1: dedup: config is empty");
  sbd_ctx_free(ctx);
}
