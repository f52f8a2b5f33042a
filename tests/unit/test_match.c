/*
 * test_match.c — the pieces of the dedup engine (src/match/): normalizers, string similarity,
 * the key index (including a forced hash collision), union-find, the sort and survivorship.
 */
#include "test.h"

#include "match/match_int.h"

#include <stdlib.h>

static const char *norm1(mt_norm_kind kind, const char *in) {
  static mt_buf out;
  mt_norm st = {kind, false, false, 0, NULL, 0};
  if (!mt_normalize(&st, 1, in, strlen(in), &out))
    return "(oom)";
  mt_buf_add(&out, "", 0);
  return out.p;
}

TEST(match_normalizers_table) {
  static const struct {
    mt_norm_kind kind;
    const char *in, *want;
  } cases[] = {
      {MT_NORM_TRIM, "  a b \t", "a b"},
      {MT_NORM_TRIM, "\xc2\xa0x\xc2\xa0", "x"},
      {MT_NORM_TRIM, "   ", ""},
      {MT_NORM_LOWERCASE, "AbC", "abc"},
      {MT_NORM_LOWERCASE, "ÉLODIE ÅSA", "élodie åsa"},
      {MT_NORM_LOWERCASE, "ŁUKASZ DVOŘÁK Ÿ", "łukasz dvořák ÿ"},
      {MT_NORM_LOWERCASE, "ΣΑΣ", "ΣΑΣ"}, /* outside the covered blocks: unchanged */
      {MT_NORM_COLLAPSE_WHITESPACE, "a  \t b\n\nc", "a b c"},
      {MT_NORM_COLLAPSE_WHITESPACE, " a ", " a "},
      {MT_NORM_STRIP_ACCENTS, "José Müller Ærø", "Jose Muller Ærø"},
      {MT_NORM_STRIP_ACCENTS, "Dvořák Łódź", "Dvorak Łodz"},
      {MT_NORM_STRIP_ACCENTS, "ĳssel ſtraße", "ijssel straße"},
      {MT_NORM_STRIP_ACCENTS, "e\xcc\x81", "e"},                 /* e + combining acute */
      {MT_NORM_STRIP_ACCENTS, "\xef\xac\x81n", "fin"},           /* U+FB01 ligature fi */
      {MT_NORM_STRIP_ACCENTS, "\xef\xbc\xa1\xef\xbc\x91", "A1"}, /* fullwidth A, 1 */
      {MT_NORM_EMAIL, "  John.Smith+news@Example.COM ", "john.smith+news@example.com"},
      {MT_NORM_EMAIL, "n/a", "n/a"},
      {MT_NORM_PHONE, "(555) 123-4567", "5551234567"},
      {MT_NORM_PHONE, "no phone", ""},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    const char *got = norm1(cases[i].kind, cases[i].in);
    CHECK(strcmp(got, cases[i].want) == 0, "case %zu: normalize '%s' gave '%s', want '%s'", i,
          cases[i].in, got, cases[i].want);
  }
}

TEST(match_email_options) {
  static const struct {
    bool plus, dots;
    const char *in, *want;
  } cases[] = {
      {true, false, "A.B+tag@gmail.com", "a.b@gmail.com"},
      {false, true, "A.B+tag@gmail.com", "ab+tag@gmail.com"},
      {true, true, "A.B+tag@GoogleMail.com", "ab@gmail.com"},
      {true, true, "a.b+x@example.com", "a.b@example.com"}, /* dots only for gmail */
      {true, true, "+x@example.com", "+x@example.com"},     /* no local part left: kept */
  };
  mt_buf out = {0};
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    mt_norm st = {MT_NORM_EMAIL, cases[i].plus, cases[i].dots, 0, NULL, 0};
    ASSERT_TRUE(mt_normalize(&st, 1, cases[i].in, strlen(cases[i].in), &out));
    mt_buf_add(&out, "", 0);
    CHECK(strcmp(out.p, cases[i].want) == 0, "case %zu: '%s' gave '%s', want '%s'", i, cases[i].in,
          out.p, cases[i].want);
  }
  mt_buf_free(&out);
}

TEST(match_phone_e164) {
  static const struct {
    int country;
    const char *in, *want;
  } cases[] = {
      {1, "(555) 123-4567", "+15551234567"},    {1, "1-555-123-4567", "+15551234567"},
      {1, "+1 555 123 4567", "+15551234567"},   {44, "07700 900123", "+447700900123"},
      {44, "+44 7700 900123", "+447700900123"}, {44, "0044 7700 900123", "+447700900123"},
      {33, "01 23 45 67 89", "+33123456789"},   {1, "", ""},
  };
  mt_buf out = {0};
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    mt_norm st = {MT_NORM_PHONE, false, false, cases[i].country, NULL, 0};
    ASSERT_TRUE(mt_normalize(&st, 1, cases[i].in, strlen(cases[i].in), &out));
    mt_buf_add(&out, "", 0);
    CHECK(strcmp(out.p, cases[i].want) == 0, "case %zu: '%s' gave '%s', want '%s'", i, cases[i].in,
          out.p, cases[i].want);
  }
  mt_buf_free(&out);
}

TEST(match_pipeline_of_steps) {
  mt_norm steps[] = {{MT_NORM_TRIM, 0, 0, 0, NULL, 0},
                     {MT_NORM_COLLAPSE_WHITESPACE, 0, 0, 0, NULL, 0},
                     {MT_NORM_STRIP_ACCENTS, 0, 0, 0, NULL, 0},
                     {MT_NORM_LOWERCASE, 0, 0, 0, NULL, 0}};
  mt_buf out = {0};
  const char *in = "  MARÍA   José  ";
  for (int n = 1; n <= 4; n++)
    ASSERT_TRUE(mt_normalize(steps, n, in, strlen(in), &out));
  mt_buf_add(&out, "", 0);
  ASSERT_STR_EQ(out.p, "maria jose");
  mt_buf_free(&out);
}

/* A SQL step passes on the value it is given (the query's result for it), in any position of an
 * odd or even pipeline, so the steps after it apply to that value. */
TEST(match_sql_step_passes_its_value) {
  mt_norm steps[] = {{MT_NORM_SQL, 0, 0, 0, (char *)"lower(x)", 3},
                     {MT_NORM_TRIM, 0, 0, 0, NULL, 0},
                     {MT_NORM_LOWERCASE, 0, 0, 0, NULL, 0}};
  mt_buf out = {0};
  ASSERT_TRUE(mt_normalize(steps, 1, " AB C ", 6, &out));
  ASSERT_EQ(out.len, 6);
  ASSERT_TRUE(memcmp(out.p, " AB C ", 6) == 0);
  ASSERT_TRUE(mt_normalize(steps, 2, " AB C ", 6, &out));
  mt_buf_add(&out, "", 0);
  ASSERT_STR_EQ(out.p, "AB C");
  ASSERT_TRUE(mt_normalize(steps, 3, " AB C ", 6, &out));
  mt_buf_add(&out, "", 0);
  ASSERT_STR_EQ(out.p, "ab c");
  mt_buf_free(&out);
}

static double jw(const char *a, const char *b) {
  uint32_t x[MT_MAX_FUZZY_CHARS], y[MT_MAX_FUZZY_CHARS];
  size_t nx = mt_utf8_decode(a, strlen(a), x, MT_MAX_FUZZY_CHARS);
  size_t ny = mt_utf8_decode(b, strlen(b), y, MT_MAX_FUZZY_CHARS);
  return mt_jaro_winkler(x, nx, y, ny);
}

static int lev(const char *a, const char *b, int max) {
  uint32_t x[MT_MAX_FUZZY_CHARS], y[MT_MAX_FUZZY_CHARS];
  size_t nx = mt_utf8_decode(a, strlen(a), x, MT_MAX_FUZZY_CHARS);
  size_t ny = mt_utf8_decode(b, strlen(b), y, MT_MAX_FUZZY_CHARS);
  return mt_levenshtein(x, nx, y, ny, max);
}

TEST(match_jaro_winkler_known_values) {
  /* The classic examples of Winkler's paper, rounded to 3 decimals. */
  static const struct {
    const char *a, *b;
    double want;
  } cases[] = {{"MARTHA", "MARHTA", 0.961},
               {"DWAYNE", "DUANE", 0.840},
               {"DIXON", "DICKSONX", 0.813},
               {"abc", "abc", 1.0},
               {"abc", "xyz", 0.0},
               {"", "", 1.0},
               {"é", "é", 1.0}};
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    double got = jw(cases[i].a, cases[i].b);
    CHECK(got > cases[i].want - 0.0006 && got < cases[i].want + 0.0006,
          "case %zu: jaro_winkler(%s, %s) = %.4f, want %.3f", i, cases[i].a, cases[i].b, got,
          cases[i].want);
  }
}

TEST(match_levenshtein_with_cap) {
  static const struct {
    const char *a, *b;
    int max, want;
  } cases[] = {{"kitten", "sitting", 3, 3}, {"kitten", "sitting", 2, 3}, {"", "abc", 5, 3},
               {"abc", "abc", 0, 0},        {"Müller", "Muller", 1, 1},  {"flaw", "lawn", 2, 2},
               {"abcdef", "ab", 2, 3},      {"ab", "ba", 2, 2}};
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    int got = lev(cases[i].a, cases[i].b, cases[i].max);
    CHECK(got == cases[i].want, "case %zu: levenshtein(%s, %s, max %d) = %d, want %d", i,
          cases[i].a, cases[i].b, cases[i].max, got, cases[i].want);
  }
}

TEST(match_keyindex_verifies_bytes_on_collision) {
  mt_strcol keys = {0};
  const char *vals[] = {"alpha", "beta", "alpha", "gamma", "beta"};
  for (int i = 0; i < 5; i++)
    ASSERT_TRUE(mt_strcol_push(&keys, vals[i], strlen(vals[i]), false));
  mt_keys kk = {&keys, 1, 5};
  mt_keyindex ix;
  ASSERT_TRUE(mt_keyindex_init(&ix, &kk, 2));
  /* Every key gets the same hash: only the bytes can tell them apart. */
  uint32_t want[] = {0, 1, 0, 3, 1};
  for (uint32_t r = 0; r < 5; r++)
    ASSERT_EQ(mt_keyindex_find_or_add(&ix, 42, r), want[r]);
  /* Growth keeps what was there. */
  mt_strcol many = {0};
  char buf[32];
  for (int i = 0; i < 5000; i++) {
    int n = snprintf(buf, sizeof(buf), "k%d", i % 2500);
    ASSERT_TRUE(mt_strcol_push(&many, buf, (size_t)n, false));
  }
  /* Two segments, as the tasks that compute keys leave them. */
  mt_strcol halves[2] = {{0}, {0}};
  for (size_t i = 0; i < many.n; i++) {
    size_t n;
    const char *k = mt_strcol_get(&many, i, &n);
    ASSERT_TRUE(mt_strcol_push(&halves[i / 2500], k, n, false));
  }
  mt_keys mk = {halves, 2, 2500};
  mt_keyindex big;
  ASSERT_TRUE(mt_keyindex_init(&big, &mk, 1));
  for (uint32_t r = 0; r < 5000; r++) {
    size_t n;
    const char *k = mt_strcol_get(&many, r, &n);
    ASSERT_EQ(mt_keyindex_find_or_add(&big, hash_bytes(k, n, 0), r), r % 2500);
  }
  ASSERT_EQ(big.len, 2500);
  mt_keyindex_free(&big);
  mt_strcol_free(&halves[0]);
  mt_strcol_free(&halves[1]);
  mt_keyindex_free(&ix);
  mt_strcol_free(&many);
  mt_strcol_free(&keys);
}

TEST(match_union_find_components) {
  mt_uf uf;
  ASSERT_TRUE(mt_uf_init(&uf, 10));
  ASSERT_TRUE(mt_uf_union(&uf, 0, 1));
  ASSERT_TRUE(mt_uf_union(&uf, 2, 3));
  ASSERT_TRUE(mt_uf_union(&uf, 1, 3));
  ASSERT_TRUE(!mt_uf_union(&uf, 0, 2));
  ASSERT_TRUE(mt_uf_union(&uf, 7, 8));
  ASSERT_EQ(mt_uf_find(&uf, 0), mt_uf_find(&uf, 3));
  ASSERT_EQ(uf.size[mt_uf_find(&uf, 2)], 4);
  ASSERT_TRUE(mt_uf_find(&uf, 4) != mt_uf_find(&uf, 0));
  ASSERT_EQ(mt_uf_find(&uf, 8), mt_uf_find(&uf, 7));
  mt_uf_free(&uf);
}

static int cmp_desc(const void *ctx, uint32_t a, uint32_t b) {
  const int *v = ctx;
  return (v[a] < v[b]) - (v[a] > v[b]);
}

TEST(match_sort_is_stable) {
  enum { N = 1000 };
  static int v[N];
  static uint32_t idx[N];
  for (int i = 0; i < N; i++) {
    v[i] = (i * 7919) % 13;
    idx[i] = (uint32_t)i;
  }
  ASSERT_TRUE(mt_sort_u32(idx, N, cmp_desc, v));
  for (int i = 1; i < N; i++) {
    ASSERT_TRUE(v[idx[i - 1]] >= v[idx[i]]);
    if (v[idx[i - 1]] == v[idx[i]])
      ASSERT_TRUE(idx[i - 1] < idx[i]);
  }
}

/* Survivorship over three records: id, source, ts, a number and a name column. */
TEST(match_survivorship_rules) {
  mt_records r;
  memset(&r, 0, sizeof(r));
  r.ncols = 4;
  char *names[] = {"source", "ts", "amount", "name"};
  sbd_type types[] = {SBD_STRING, SBD_TIMESTAMP, SBD_INT64, SBD_STRING};
  r.names = names;
  r.types = types;
  const char *rows[3][4] = {{"shop", "2024-01-02 00:00:00", "5", "Ann"},
                            {"crm", "2023-01-01 00:00:00", "10", "Annabel"},
                            {"web", "2024-06-01 00:00:00", NULL, "Ann"}};
  for (int i = 0; i < 3; i++) {
    mt_buf row = {0};
    for (int c = 0; c < 4; c++) {
      const char *v = rows[i][c];
      ASSERT_TRUE(mt_row_put(&row, v, v ? strlen(v) : 0));
    }
    ASSERT_TRUE(mt_records_add(&r, row.p, row.len));
    mt_buf_free(&row);
    char id[8];
    snprintf(id, sizeof(id), "r%d", i);
    ASSERT_TRUE(mt_strcol_push(&r.ids, id, strlen(id), false));
  }
  char *prio[] = {"crm", "shop"};
  mt_survive_ctx sc = {&r, 1, 0, -1, prio, 2, NULL};
  uint32_t members[] = {0, 1, 2};
  sbd_ctx *ctx = sbd_ctx_new();
  mt_buf scratch = {0};
  static const struct {
    int col;
    mt_survive how;
    const char *want; /* NULL: a null value */
  } cases[] = {
      {3, MT_MOST_RECENT, "Ann"},
      {2, MT_MOST_RECENT, "5"}, /* the latest non-null */
      {3, MT_FIRST_NON_NULL, "Annabel"},
      {2, MT_SUM, "15"},
      {2, MT_MAX, "10"},
      {2, MT_MIN, "5"},
      {3, MT_LONGEST, "Annabel"},
      {3, MT_MOST_FREQUENT, "Ann"},
      {3, MT_UNION, "[\"Ann\",\"Annabel\"]"},
      {0, MT_MAX, "web"},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    sbd_type t = mt_survive_type(types[cases[i].col], cases[i].how);
    sbd_vec *v = vec_new(ctx, t, 1);
    ASSERT_TRUE(v != NULL);
    ASSERT_EQ(mt_survive_column(ctx, &sc, cases[i].col, cases[i].how, members, 3, v, &scratch),
              SBD_OK);
    char got[64] = "(null)";
    if (vec_is_valid(v, 0)) {
      if (t == SBD_INT64) {
        snprintf(got, sizeof(got), "%lld", (long long)((int64_t *)v->values)[0]);
      } else {
        size_t n;
        const char *s = vec_str(v, 0, &n);
        snprintf(got, sizeof(got), "%.*s", (int)n, s);
      }
    }
    CHECK(strcmp(got, cases[i].want) == 0, "case %zu: %s of %s gave %s, want %s", i,
          mt_survive_name(cases[i].how), names[cases[i].col], got, cases[i].want);
    vec_free(v);
  }
  mt_buf_free(&scratch);
  free(r.bytes);
  free(r.row);
  mt_strcol_free(&r.ids);
  sbd_ctx_free(ctx);
}
