/*
 * test_core.c — the core: options, schema text, vectors and batches, arena, thread pool, Arrow
 * export, and the helpers of error messages.
 */
#include "test.h"

#include "core/core_int.h"

#include <stdlib.h>

TEST(options_set_get_replace) {
  sbd_options *o = sbd_options_new();
  ASSERT_EQ(sbd_options_set(o, "delim", ";"), SBD_OK);
  ASSERT_EQ(sbd_options_set(o, "header", "false"), SBD_OK);
  ASSERT_EQ(sbd_options_set(o, "delim", "|"), SBD_OK);
  ASSERT_STR_EQ(sbd_options_get(o, "delim"), "|");
  ASSERT_STR_EQ(sbd_options_get(o, "header"), "false");
  ASSERT_TRUE(sbd_options_get(o, "nope") == NULL);
  sbd_options_free(o);
}

TEST(options_unknown_key_suggests) {
  sbd_ctx *ctx = sbd_ctx_new();
  sbd_options *o = sbd_options_new();
  sbd_options_set(o, "delimter", ",");
  static const char *const known[] = {"delim", "header", "nulls"};
  ASSERT_EQ(opt_check_known(ctx, o, "CSV reader", known, 3), SBD_EUSAGE);
  ASSERT_STR_EQ(sbd_errmsg(ctx), "CSV reader: unknown option 'delimter' (did you mean 'delim'?)");
  sbd_options_set(o, "delimter", NULL);
  sbd_options_free(o);
  o = sbd_options_new();
  sbd_options_set(o, "zzzzzzzzzz", "1");
  ASSERT_EQ(opt_check_known(ctx, o, "CSV reader", known, 3), SBD_EUSAGE);
  ASSERT_STR_EQ(sbd_errmsg(ctx), "CSV reader: unknown option 'zzzzzzzzzz'");
  sbd_options_free(o);
  sbd_ctx_free(ctx);
}

TEST(options_typed_getters) {
  static const struct {
    const char *value;
    sbd_status status;
    int64_t bytes;
  } cases[] = {
      {"4096", SBD_OK, 4096},  {"64K", SBD_OK, 65536},   {"16M", SBD_OK, 16 << 20},
      {"1G", SBD_OK, 1 << 30}, {"2mb", SBD_OK, 2 << 20}, {"0", SBD_EUSAGE, 0},
      {"-5", SBD_EUSAGE, 0},   {"12x", SBD_EUSAGE, 0},   {"", SBD_EUSAGE, 0},
  };
  sbd_ctx *ctx = sbd_ctx_new();
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    sbd_options *o = sbd_options_new();
    sbd_options_set(o, "max_line_bytes", cases[i].value);
    int64_t got = -1;
    sbd_status st = opt_get_bytes(ctx, o, "max_line_bytes", 7, &got);
    CHECK(st == cases[i].status, "bytes \"%s\": status %d, expected %d", cases[i].value, st,
          cases[i].status);
    if (st == SBD_OK)
      CHECK(got == cases[i].bytes, "bytes \"%s\": %lld", cases[i].value, (long long)got);
    sbd_options_free(o);
  }
  sbd_options *o = sbd_options_new();
  bool b;
  ASSERT_EQ(opt_get_bool(ctx, o, "header", true, &b), SBD_OK);
  ASSERT_TRUE(b);
  sbd_options_set(o, "header", "maybe");
  ASSERT_EQ(opt_get_bool(ctx, o, "header", true, &b), SBD_EUSAGE);
  ASSERT_STR_EQ(sbd_errmsg(ctx), "option header: expected true or false, not \"maybe\"");
  sbd_options_free(o);
  sbd_ctx_free(ctx);
}

TEST(schema_parse_table) {
  static const struct {
    const char *text;
    const char *expect; /* "name:TYPE,..." or the error message */
  } cases[] = {
      {"id:INT64,ts:TIMESTAMP", "id:INT64,ts:TIMESTAMP"},
      {" a : bigint , b:varchar,c:Double ", "a:INT64,b:STRING,c:DOUBLE"},
      {"d:date,f:boolean", "d:DATE,f:BOOL"},
      {"id", "schema \"id\": expected name:TYPE pairs separated by commas, such as "
             "'id:INT64,ts:TIMESTAMP'"},
      {"id:NUMBER", "schema: unknown type 'NUMBER' for column 'id' (types: BOOL, INT64, DOUBLE, "
                    "STRING, DATE, TIMESTAMP)"},
      {"a:INT64,a:DOUBLE", "schema: column 'a' is named twice"},
      {":INT64", "schema \":INT64\": expected name:TYPE pairs separated by commas, such as "
                 "'id:INT64,ts:TIMESTAMP'"},
  };
  sbd_ctx *ctx = sbd_ctx_new();
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    sbd_schema *s = NULL;
    char got[512] = "";
    if (schema_parse(ctx, cases[i].text, &s) == SBD_OK) {
      size_t o = 0;
      for (int c = 0; c < s->ncols; c++)
        o += (size_t)snprintf(got + o, sizeof(got) - o, "%s%s:%s", c ? "," : "", s->fields[c].name,
                              sbd_type_name(s->fields[c].type));
      schema_unref(s);
    } else {
      snprintf(got, sizeof(got), "%s", sbd_errmsg(ctx));
    }
    CHECK(strcmp(got, cases[i].expect) == 0, "schema \"%s\": got \"%s\", expected \"%s\"",
          cases[i].text, got, cases[i].expect);
  }
  sbd_ctx_free(ctx);
}

TEST(vec_push_and_nulls) {
  sbd_ctx *ctx = sbd_ctx_new();
  sbd_vec *v = vec_new(ctx, SBD_STRING, 2);
  ASSERT_TRUE(v != NULL);
  for (int i = 0; i < 1000; i++) {
    ASSERT_EQ(vec_reserve(ctx, v, 1, 8), SBD_OK);
    if (i % 3 == 0)
      ASSERT_EQ(vec_push_null(ctx, v), SBD_OK);
    else
      ASSERT_EQ(vec_push_str(ctx, v, "abcdefgh", (size_t)(i % 8)), SBD_OK);
  }
  ASSERT_EQ(v->len, 1000);
  ASSERT_EQ(v->null_count, 334);
  for (int i = 0; i < 1000; i++) {
    size_t n;
    const char *s = vec_str(v, i, &n);
    if (i % 3 == 0) {
      CHECK(!vec_is_valid(v, i) && n == 0, "row %d should be null", i);
    } else {
      CHECK(vec_is_valid(v, i) && n == (size_t)(i % 8) && memcmp(s, "abcdefgh", n) == 0,
            "row %d: %.*s", i, (int)n, s);
    }
  }
  vec_free(v);
  sbd_vec *d = vec_new(ctx, SBD_DOUBLE, 0);
  ASSERT_EQ(vec_reserve(ctx, d, 100, 0), SBD_OK);
  for (int i = 0; i < 100; i++)
    vec_push_f64(d, i * 0.5);
  ASSERT_TRUE(d->validity == NULL);
  ASSERT_EQ(vec_set_null(ctx, d, 99), SBD_OK);
  ASSERT_EQ(vec_set_null(ctx, d, 99), SBD_OK);
  ASSERT_EQ(d->null_count, 1);
  ASSERT_TRUE(vec_is_valid(d, 98) && !vec_is_valid(d, 99));
  vec_free(d);
  sbd_ctx_free(ctx);
}

TEST(string_value_cap) {
  sbd_ctx *ctx = sbd_ctx_new();
  sbd_vec *v = vec_new(ctx, SBD_STRING, 1);
  ASSERT_EQ(vec_push_str(ctx, v, "x", (size_t)SBD_MAX_VALUE_BYTES + 1), SBD_ELIMIT);
  ASSERT_STR_EQ(sbd_errmsg(ctx), "a string of 268435457 bytes is over the cap of 268435456 bytes");
  vec_free(v);
  sbd_ctx_free(ctx);
}

TEST(arena_alloc_reset) {
  arena a;
  arena_init(&a, 1024);
  char *first = arena_alloc(&a, 10);
  ASSERT_TRUE(first && ((uintptr_t)first & 15) == 0);
  for (int i = 0; i < 1000; i++) {
    char *p = arena_alloc(&a, (size_t)i);
    ASSERT_TRUE(p && ((uintptr_t)p & 15) == 0);
    memset(p, 0xab, (size_t)i);
  }
  char *big = arena_alloc(&a, 1 << 20);
  ASSERT_TRUE(big != NULL);
  ASSERT_STR_EQ(arena_strndup(&a, "hello world", 5), "hello");
  arena_reset(&a);
  ASSERT_TRUE(a.total_bytes <= (1 << 20));
  arena_free(&a);
}

typedef struct {
  pthread_mutex_t lock;
  pthread_cond_t cond;
  int done;
  int64_t sum;
} pool_probe;

static void add_task(void *arg) {
  pool_probe *p = arg;
  pthread_mutex_lock(&p->lock);
  p->sum += 1;
  p->done++;
  pthread_cond_signal(&p->cond);
  pthread_mutex_unlock(&p->lock);
}

TEST(pool_runs_every_task) {
  pool *p = pool_new(3);
  ASSERT_TRUE(p != NULL);
  pool_probe probe = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0};
  for (int i = 0; i < 5000; i++)
    ASSERT_TRUE(pool_submit(p, add_task, &probe));
  pthread_mutex_lock(&probe.lock);
  while (probe.done < 5000)
    pthread_cond_wait(&probe.cond, &probe.lock);
  pthread_mutex_unlock(&probe.lock);
  ASSERT_EQ(probe.sum, 5000);
  pool_free(p);
}

TEST(ctx_threads) {
  sbd_ctx *ctx = sbd_ctx_new();
  ASSERT_EQ(sbd_ctx_threads(ctx), sys_default_threads());
  ASSERT_EQ(sbd_ctx_set_threads(ctx, 3), SBD_OK);
  ASSERT_EQ(sbd_ctx_threads(ctx), 3);
  ASSERT_EQ(pool_threads(ctx_pool(ctx)), 3);
  ASSERT_EQ(sbd_ctx_set_threads(ctx, -1), SBD_EUSAGE);
  ASSERT_STR_EQ(sbd_errmsg(ctx), "threads must be between 0 (one per core) and 1024, not -1");
  ASSERT_EQ(sbd_ctx_set_threads(ctx, 0), SBD_OK);
  ASSERT_EQ(sbd_ctx_threads(ctx), sys_default_threads());
  sbd_ctx_free(ctx);
}

/* SBD_THREADS replaces the core count as the default (the TSan run uses it to have more threads
 * than cores); anything but a whole number from 1 to 1024 leaves the core count. */
TEST(default_threads_env) {
  const char *was = getenv("SBD_THREADS");
  char *saved = was ? strdup(was) : NULL;
  setenv("SBD_THREADS", "7", 1);
  ASSERT_EQ(sys_default_threads(), 7);
  sbd_ctx *ctx = sbd_ctx_new();
  ASSERT_EQ(sbd_ctx_threads(ctx), 7);
  ASSERT_EQ(sbd_ctx_set_threads(ctx, 2), SBD_OK);
  ASSERT_EQ(sbd_ctx_threads(ctx), 2);
  ASSERT_EQ(sbd_ctx_set_threads(ctx, 0), SBD_OK);
  ASSERT_EQ(sbd_ctx_threads(ctx), 7);
  sbd_ctx_free(ctx);
  const char *ignored[] = {"0", "-3", "1025", "4x", "", "99999999999999999999"};
  for (size_t i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++) {
    setenv("SBD_THREADS", ignored[i], 1);
    CHECK(sys_default_threads() == sys_cores(), "SBD_THREADS=\"%s\" was not ignored", ignored[i]);
  }
  if (saved)
    setenv("SBD_THREADS", saved, 1);
  else
    unsetenv("SBD_THREADS");
  free(saved);
}

TEST(arrow_export_layout) {
  sbd_ctx *ctx = sbd_ctx_new();
  sbd_schema *s = NULL;
  ASSERT_EQ(schema_parse(ctx, "b:BOOL,i:INT64,d:DOUBLE,s:STRING,dt:DATE,ts:TIMESTAMP", &s), SBD_OK);
  sbd_batch *b = batch_new(ctx, s, 4);
  ASSERT_TRUE(b != NULL);
  for (int r = 0; r < 3; r++) {
    vec_push_bool(b->cols[0], r != 1);
    vec_push_i64(b->cols[1], r * 10);
    vec_push_f64(b->cols[2], r + 0.5);
    ASSERT_EQ(vec_push_str(ctx, b->cols[3], "xyz", (size_t)r), SBD_OK);
    vec_push_i32(b->cols[4], r);
    vec_push_i64(b->cols[5], r * 1000000);
  }
  ASSERT_EQ(vec_set_null(ctx, b->cols[1], 2), SBD_OK);
  batch_seal(b);
  ASSERT_EQ(sbd_batch_nrows(b), 3);
  struct ArrowArray arr;
  struct ArrowSchema sch;
  ASSERT_EQ(sbd_batch_export(ctx, b, &arr, &sch), SBD_OK);
  sbd_batch_free(b); /* the export keeps its own reference */
  schema_unref(s);
  ASSERT_STR_EQ(sch.format, "+s");
  ASSERT_EQ(sch.n_children, 6);
  static const char *const formats[] = {"b", "l", "g", "U", "tdD", "tsu:UTC"};
  static const char *const names[] = {"b", "i", "d", "s", "dt", "ts"};
  for (int i = 0; i < 6; i++) {
    CHECK(strcmp(sch.children[i]->format, formats[i]) == 0, "column %d format %s", i,
          sch.children[i]->format);
    CHECK(strcmp(sch.children[i]->name, names[i]) == 0, "column %d name %s", i,
          sch.children[i]->name);
  }
  ASSERT_EQ(arr.length, 3);
  ASSERT_EQ(arr.n_children, 6);
  const uint8_t *bits = arr.children[0]->buffers[1];
  ASSERT_EQ(bits[0] & 7, 5); /* true, false, true */
  ASSERT_EQ(arr.children[1]->null_count, 1);
  const uint8_t *valid = arr.children[1]->buffers[0];
  ASSERT_EQ(valid[0] & 7, 3);
  const int64_t *off = arr.children[3]->buffers[1];
  ASSERT_EQ(off[3], 3);
  ASSERT_EQ(memcmp(arr.children[3]->buffers[2], "xxy", 3), 0);
  arr.release(&arr);
  sch.release(&sch);
  ASSERT_TRUE(arr.release == NULL && sch.release == NULL);
  sbd_ctx_free(ctx);
}

TEST(quote_value_and_closest) {
  char buf[128];
  ASSERT_STR_EQ(sbd_quote_value(buf, sizeof(buf), "12,5x", 5), "\"12,5x\"");
  ASSERT_STR_EQ(sbd_quote_value(buf, sizeof(buf), "a\"b\n\x01", 5), "\"a\\\"b\\n\\x01\"");
  char longv[100];
  memset(longv, 'a', sizeof(longv));
  sbd_quote_value(buf, sizeof(buf), longv, sizeof(longv));
  ASSERT_EQ(strlen(buf), 65); /* quote, 60 bytes, "...", quote */
  static const char *const cols[] = {"amount", "id", "customer_name"};
  ASSERT_STR_EQ(sbd_closest("ammount", cols, 3), "amount");
  ASSERT_STR_EQ(sbd_closest("customer_nme", cols, 3), "customer_name");
  ASSERT_TRUE(sbd_closest("zzzz", cols, 3) == NULL);
}

TEST(utf8_validation_table) {
  static const struct {
    const char *s;
    size_t n;
    bool valid;
  } cases[] = {
      {"plain ascii, longer than eight bytes", 36, true},
      {"caf\xc3\xa9", 5, true},
      {"\xe2\x82\xac and \xf0\x9f\x98\x80", 12, true},
      {"\xc0\xaf", 2, false},         /* overlong */
      {"\xe0\x80\xaf", 3, false},     /* overlong */
      {"\xed\xa0\x80", 3, false},     /* surrogate */
      {"\xf4\x90\x80\x80", 4, false}, /* above U+10FFFF */
      {"\xe2\x82", 2, false},         /* truncated */
      {"abcdefgh\xff", 9, false},     /* after an ASCII word */
      {"", 0, true},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
    CHECK(str_utf8_valid(cases[i].s, cases[i].n) == cases[i].valid, "case %zu: expected %s", i,
          cases[i].valid ? "valid" : "invalid");
}
