/*
 * test_num.c — parsing and formatting of INT64, DOUBLE and BOOL values (src/core/num.c):
 * table-driven edge cases, then random cases checked against the C library (strtod for parsing;
 * for formatting, the read back through strtod and the shortest printf precision that reads
 * back).
 */
#include "core/core_int.h"
#include "test.h"

#include <math.h>
#include <stdlib.h>

/* A small xorshift generator, so that a failure repeats. */
static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint64_t rng_next(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return rng_state;
}

static uint64_t bits_of(double d) {
  uint64_t u;
  memcpy(&u, &d, sizeof(u));
  return u;
}

static double double_of(uint64_t u) {
  double d;
  memcpy(&d, &u, sizeof(d));
  return d;
}

/* ---- integers and booleans
 * ----------------------------------------------------------------------*/

TEST(num_parse_int64_cases) {
  static const struct {
    const char *text;
    bool ok;
    int64_t value;
  } cases[] = {
      {"0", true, 0},
      {"-0", true, 0},
      {"+7", true, 7},
      {"123", true, 123},
      {"-123", true, -123},
      {"007", true, 7},
      {"000000000000000000000000000042", true, 42},
      {"9223372036854775807", true, INT64_MAX},
      {"-9223372036854775808", true, INT64_MIN},
      {"+09223372036854775807", true, INT64_MAX},
      {"9223372036854775808", false, 0},
      {"-9223372036854775809", false, 0},
      {"18446744073709551616", false, 0},
      {"99999999999999999999", false, 0},
      {"", false, 0},
      {"-", false, 0},
      {"+", false, 0},
      {" 1", false, 0},
      {"1 ", false, 0},
      {"1.0", false, 0},
      {"1e3", false, 0},
      {"0x10", false, 0},
      {"--1", false, 0},
      {"+-1", false, 0},
      {"12a", false, 0},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    int64_t v = -1;
    bool ok = num_parse_int64(cases[i].text, strlen(cases[i].text), &v);
    CHECK(ok == cases[i].ok, "num_parse_int64(\"%s\"): ok %d, expected %d", cases[i].text, ok,
          cases[i].ok);
    if (ok && cases[i].ok)
      CHECK(v == cases[i].value, "num_parse_int64(\"%s\") = %" PRId64 ", expected %" PRId64,
            cases[i].text, v, cases[i].value);
  }
  /* The range ends at n: the byte after it is never part of the number. */
  int64_t v;
  ASSERT_TRUE(num_parse_int64("12345", 3, &v));
  ASSERT_EQ(v, 123);
  ASSERT_TRUE(!num_parse_int64("12345", 0, &v));
}

TEST(num_int64_round_trip) {
  char buf[NUM_FMT_MAX];
  static const int64_t fixed[] = {0,
                                  1,
                                  -1,
                                  9,
                                  10,
                                  99,
                                  100,
                                  -100,
                                  12345,
                                  INT64_MAX,
                                  INT64_MIN,
                                  INT64_MAX - 1,
                                  INT64_MIN + 1,
                                  1000000000000000000};
  for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
    char expect[32];
    snprintf(expect, sizeof(expect), "%" PRId64, fixed[i]);
    size_t n = num_format_int64(fixed[i], buf);
    CHECK(n == strlen(expect) && memcmp(buf, expect, n) == 0,
          "num_format_int64(%" PRId64 ") = \"%.*s\"", fixed[i], (int)n, buf);
  }
  for (int i = 0; i < 100000; i++) {
    int64_t x = (int64_t)(rng_next() >> (rng_next() % 64));
    if ((i & 1) && x != INT64_MIN)
      x = -x;
    char expect[32];
    snprintf(expect, sizeof(expect), "%" PRId64, x);
    size_t n = num_format_int64(x, buf);
    int64_t back = 0;
    bool ok = num_parse_int64(buf, n, &back);
    if (n != strlen(expect) || memcmp(buf, expect, n) != 0 || !ok || back != x) {
      test_fail(__FILE__, __LINE__, "%" PRId64 ": formatted \"%.*s\", read back %" PRId64, x,
                (int)n, buf, back);
      return;
    }
  }
}

TEST(num_parse_bool_cases) {
  static const struct {
    const char *text;
    bool ok, value;
  } cases[] = {
      {"true", true, true},   {"TRUE", true, true},      {"True", true, true},
      {"tRuE", true, true},   {"false", true, false},    {"FALSE", true, false},
      {"False", true, false}, {"t", false, false},       {"f", false, false},
      {"1", false, false},    {"0", false, false},       {"yes", false, false},
      {"", false, false},     {"true ", false, false},   {"truee", false, false},
      {"fals", false, false}, {"tru\xc5", false, false}, {"TRU\x05", false, false},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    bool v = !cases[i].value;
    bool ok = num_parse_bool(cases[i].text, strlen(cases[i].text), &v);
    CHECK(ok == cases[i].ok && (!ok || v == cases[i].value),
          "num_parse_bool(\"%s\"): ok %d value %d", cases[i].text, ok, v);
  }
}

/* ---- parsing doubles
 * ----------------------------------------------------------------------------*/

/* Parses text both ways and compares the bits; returns false (after reporting) on a mismatch. */
static bool parse_matches_strtod(const char *text, size_t n, int line) {
  char copy[2048];
  if (n >= sizeof(copy))
    return true;
  memcpy(copy, text, n);
  copy[n] = '\0';
  double expect = strtod(copy, NULL), got = -12345.0;
  bool ok = num_parse_double(text, n, &got);
  if (!ok || bits_of(got) != bits_of(expect)) {
    test_fail(__FILE__, line, "num_parse_double(\"%s\"): ok %d, %a, strtod gives %a", copy, ok, got,
              expect);
    return false;
  }
  return true;
}

TEST(num_parse_double_cases) {
  /* Accepted: compared with strtod bit for bit. */
  static const char *const good[] = {
      "0",
      "-0",
      "+0",
      "0.0",
      "-0.0",
      "1",
      "-1",
      "+1.5",
      ".5",
      "5.",
      "-.5",
      "+5.",
      "0.1",
      "0.30000000000000004",
      "3.14159",
      "1e10",
      "1E10",
      "1e+10",
      "1e-10",
      "1.5e300",
      "-2.5E-300",
      "00000.00001",
      "123456789012345678901234567890",
      "0.000000000000000000000000000001234",
      "1.7976931348623157e308",
      "1.7976931348623158e308",
      "1.7976931348623159e308",
      "1e309",
      "-1e400",
      "2.2250738585072014e-308",
      "2.2250738585072011e-308",
      "4.9406564584124654e-324",
      "2.4703282292062327e-324",
      "2.4703282292062328e-324",
      "1e-400",
      "0e999999999999",
      "1e-999999999999",
      "1e999999999999",
      "9007199254740993",
      "9007199254740992.5",
      "9007199254740993.0000000000000000000000001",
      "123456789e-22",
      "123456789e22",
      "12e30",
      "2686394020099081.5",
      "0.1e-5",
      "4503599627370496.5",
      "4503599627370497.5",
      "1.00000000000000011102230246251565404236316680908203125",
      "1.00000000000000011102230246251565404236316680908203124",
      "1.00000000000000011102230246251565404236316680908203126",
      "7.3177701707893310e+15",
      "8.988465674311579e307",
      "1448997445238699",
      "89255e-22",
      "2.225073858507201e-308",
      "0.000001",
      "42.123456",
      "99.999999",
  };
  for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
    parse_matches_strtod(good[i], strlen(good[i]), __LINE__);

  static const char *const bad[] = {
      "",      "+",    "-",       ".",         "-.",   "e5",    ".e5",    "1e",   "1e+",
      "1e-",   "1.5e", " 1",      "1 ",        "1..2", "1.2.3", "0x1p3",  "0x10", "1,5",
      "1e5.5", "inf ", "infinit", "infinityy", "nana", "na",    "in",     "--1",  "+-1",
      "1f",    "1d",   "1_000",   "e",         "E",    "1e 5",  "nan(1)", "+ 1",
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    double v;
    CHECK(!num_parse_double(bad[i], strlen(bad[i]), &v), "num_parse_double(\"%s\") accepted: %g",
          bad[i], v);
  }

  static const struct {
    const char *text;
    int kind; /* 1: +inf, -1: -inf, 2: nan */
  } special[] = {{"inf", 1},      {"INF", 1},        {"+Inf", 1},     {"-inf", -1},
                 {"Infinity", 1}, {"-INFINITY", -1}, {"infinity", 1}, {"nan", 2},
                 {"NaN", 2},      {"NAN", 2},        {"-nan", 2}};
  for (size_t i = 0; i < sizeof(special) / sizeof(special[0]); i++) {
    double v = 0;
    bool ok = num_parse_double(special[i].text, strlen(special[i].text), &v);
    bool right = special[i].kind == 2 ? isnan(v) : isinf(v) && (v > 0) == (special[i].kind > 0);
    CHECK(ok && right, "num_parse_double(\"%s\"): ok %d, %g", special[i].text, ok, v);
  }

  /* Signed zeros keep their sign. */
  double z;
  ASSERT_TRUE(num_parse_double("-0.000", 6, &z));
  ASSERT_TRUE(z == 0 && signbit(z));
  ASSERT_TRUE(num_parse_double("-1e-999", 7, &z));
  ASSERT_TRUE(z == 0 && signbit(z));

  /* The range ends at n: "1.5" taken from "1.5e3", "12" from "123". */
  ASSERT_TRUE(num_parse_double("1.5e3", 3, &z));
  ASSERT_TRUE(z == 1.5);
  ASSERT_TRUE(num_parse_double("123", 2, &z));
  ASSERT_TRUE(z == 12);
  ASSERT_TRUE(!num_parse_double("1.5e3", 4, &z));

  /* Over-long input: thousands of digits, decided by the exact path. */
  static char longtext[1900];
  memset(longtext, '3', sizeof(longtext));
  longtext[1] = '.';
  parse_matches_strtod(longtext, sizeof(longtext), __LINE__);
  memset(longtext, '0', sizeof(longtext));
  memcpy(longtext, "0.", 2);
  longtext[sizeof(longtext) - 1] = '7';
  parse_matches_strtod(longtext, sizeof(longtext), __LINE__);
  /* Exactly halfway between 1 and its successor (2^-53 = 1.1102...e-16), with a last 1 far past
   * the 800th digit deciding the rounding. */
  const char *half = "1.00000000000000011102230246251565404236316680908203125";
  memset(longtext, '0', sizeof(longtext));
  memcpy(longtext, half, strlen(half));
  longtext[sizeof(longtext) - 1] = '1';
  parse_matches_strtod(longtext, sizeof(longtext), __LINE__);
}

TEST(num_parse_double_random) {
  char text[128];
  for (int i = 0; i < 200000; i++) {
    int len;
    double d = double_of(rng_next());
    switch (i % 5) {
    case 0:
      len = snprintf(text, sizeof(text), "%.17g", d);
      break;
    case 1:
      len = snprintf(text, sizeof(text), "%.*g", (int)(rng_next() % 17) + 1, d);
      break;
    case 2: /* the CSV case: fixed decimals */
      len = snprintf(text, sizeof(text), "%.6f", (double)(rng_next() % 100000000) / 1e6);
      break;
    case 3: { /* random digits, point and exponent */
      int nd = (int)(rng_next() % 30) + 1, dot = (int)(rng_next() % (unsigned)(nd + 1));
      len = 0;
      if (rng_next() & 1)
        text[len++] = '-';
      for (int j = 0; j < nd; j++) {
        if (j == dot)
          text[len++] = '.';
        text[len++] = (char)('0' + rng_next() % 10);
      }
      if (rng_next() & 1)
        len +=
            snprintf(text + len, sizeof(text) - (size_t)len, "e%d", (int)(rng_next() % 660) - 330);
      break;
    }
    default: { /* halfway between two doubles, written exactly enough to be a tie or next to one */
      double a = double_of(rng_next() & 0x7FEFFFFFFFFFFFFFull);
      long double mid = ((long double)a + (long double)nextafter(a, INFINITY)) / 2;
      len = snprintf(text, sizeof(text), "%.*Le", (int)(rng_next() % 30) + 15, mid);
      break;
    }
    }
    if (isnan(d) || isinf(d) || len <= 0)
      continue;
    if (!parse_matches_strtod(text, (size_t)len, __LINE__))
      return;
  }
}

/* ---- formatting doubles
 * -------------------------------------------------------------------------*/

TEST(num_format_double_cases) {
  static const struct {
    double value;
    const char *text;
  } cases[] = {
      {0.0, "0.0"},
      {-0.0, "-0.0"},
      {1.0, "1.0"},
      {-1.0, "-1.0"},
      {3.0, "3.0"},
      {100.0, "100.0"},
      {0.1, "0.1"},
      {0.3, "0.3"},
      {0.1 + 0.2, "0.30000000000000004"},
      {1.5, "1.5"},
      {123.456, "123.456"},
      {-42.125, "-42.125"},
      {0.0001, "0.0001"},
      {0.00001, "0.00001"},
      {0.000001, "1e-06"},
      {1.5e-7, "1.5e-07"},
      {1e16, "10000000000000000.0"},
      {1.2345e16, "12345000000000000.0"},
      {9007199254740993.0, "9007199254740992.0"},
      {1e17, "1e+17"},
      {1.5e17, "1.5e+17"},
      {1e20, "1e+20"},
      {1e21, "1e+21"},
      {1e22, "1e+22"},
      {1e23, "1e+23"},
      {123456789012345680.0, "1.2345678901234568e+17"},
      {5e-324, "5e-324"},
      {-5e-324, "-5e-324"},
      {1e-323, "1e-323"},
      {2.2250738585072014e-308, "2.2250738585072014e-308"},
      {2.225073858507201e-308, "2.225073858507201e-308"},
      {1.7976931348623157e308, "1.7976931348623157e+308"},
      {-1.7976931348623157e308, "-1.7976931348623157e+308"},
      {1e100, "1e+100"},
      {1e-100, "1e-100"},
      {2.5, "2.5"},
      {0.5, "0.5"},
      {1.0 / 3.0, "0.3333333333333333"},
      {2.0 / 3.0, "0.6666666666666666"},
      {6.189700196426902e26, "6.189700196426902e+26"}, /* 2^89: shorter than %.17g */
      {9007199254740992.0, "9007199254740992.0"},
      {2251799813685248.5, "2251799813685248.5"},
      {1234567890123456.8, "1234567890123456.8"},
      {HUGE_VAL, "inf"},
      {-HUGE_VAL, "-inf"},
      {NAN, "nan"},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    char buf[NUM_FMT_MAX];
    size_t n = num_format_double(cases[i].value, buf);
    CHECK(n == strlen(cases[i].text) && memcmp(buf, cases[i].text, n) == 0 && buf[n] == '\0',
          "num_format_double(%a) = \"%.*s\", expected \"%s\"", cases[i].value, (int)n, buf,
          cases[i].text);
  }
}

/* The significant digits of a formatted double, without leading or trailing zeros. */
static int significant_digits(const char *s, uint64_t *digits) {
  int n = 0, trailing_zeros = 0;
  uint64_t d = 0;
  for (; *s && *s != 'e'; s++) {
    if (*s < '0' || *s > '9' || (n == 0 && *s == '0'))
      continue;
    d = d * 10 + (uint64_t)(*s - '0');
    n++;
    trailing_zeros = *s == '0' ? trailing_zeros + 1 : 0;
  }
  for (int i = 0; i < trailing_zeros; i++)
    d /= 10;
  *digits = d;
  return n - trailing_zeros;
}

/* The shortest precision at which printf's correctly rounded digits read back to a. */
static int shortest_printf_digits(double a, uint64_t *digits) {
  char text[64];
  for (int prec = 1; prec < 17; prec++) {
    snprintf(text, sizeof(text), "%.*e", prec - 1, a);
    if (strtod(text, NULL) == a)
      return significant_digits(text, digits);
  }
  snprintf(text, sizeof(text), "%.16e", a);
  return significant_digits(text, digits);
}

/* Formats d and checks: reads back exactly (strtod and num_parse_double), no longer than the
 * shortest printf precision and, at the same length, the same digits. */
static bool format_checks(double d, bool compare_shortest, int line) {
  char buf[NUM_FMT_MAX];
  size_t n = num_format_double(d, buf);
  double back = strtod(buf, NULL), back2 = 0;
  bool ok = num_parse_double(buf, n, &back2);
  if (n > 24 || buf[n] != '\0' || bits_of(back) != bits_of(d) || !ok ||
      bits_of(back2) != bits_of(d)) {
    test_fail(__FILE__, line, "num_format_double(%a) = \"%s\" reads back as %a / %a", d, buf, back,
              back2);
    return false;
  }
  if (compare_shortest && d != 0) {
    uint64_t ours, theirs;
    int nd = significant_digits(buf, &ours), nref = shortest_printf_digits(fabs(d), &theirs);
    if (nd > nref || (nd == nref && ours != theirs)) {
      test_fail(__FILE__, line, "num_format_double(%a) = \"%s\", printf: %" PRIu64 " (%d digits)",
                d, buf, theirs, nref);
      return false;
    }
  }
  return true;
}

TEST(num_format_double_exponents) {
  /* Every binary exponent, at a power of two (the asymmetric interval) and just above it; every
   * subnormal width. This covers each decimal scale the algorithm can choose. */
  for (uint64_t be = 0; be < 0x7FF; be++) {
    for (int sign = 0; sign < 2; sign++) {
      uint64_t top = (uint64_t)sign << 63 | be << 52;
      if (!format_checks(double_of(top), true, __LINE__) ||
          !format_checks(double_of(top | 1), true, __LINE__) ||
          !format_checks(double_of(top | 0xFFFFFFFFFFFFFull), true, __LINE__) ||
          !format_checks(double_of(top | (rng_next() & 0xFFFFFFFFFFFFFull)), true, __LINE__))
        return;
    }
  }
  for (int i = 0; i < 52; i++)
    if (!format_checks(double_of(1ull << i), true, __LINE__) ||
        !format_checks(double_of((1ull << i) - 1), true, __LINE__))
      return;
}

TEST(num_format_double_random) {
  for (int i = 0; i < 200000; i++) {
    uint64_t b = rng_next();
    if (i % 4 == 1) /* near 1, where decimal data lives */
      b = (b & 0x800FFFFFFFFFFFFFull) | (uint64_t)(1023 + (int)(rng_next() % 80) - 40) << 52;
    else if (i % 4 == 2) /* short mantissas: integers, halves, decimal-looking values */
      b &= ~((1ull << (rng_next() % 52)) - 1);
    double d = double_of(b);
    if (isnan(d) || isinf(d))
      continue;
    /* The comparison with printf is slower: every 8th case. */
    if (!format_checks(d, i % 8 == 0, __LINE__))
      return;
  }
  /* Decimal values as a CSV holds them, and integers. */
  for (int i = 0; i < 50000; i++) {
    double d = (double)(int64_t)(rng_next() % 2000000000 - 1000000000) / 1000.0;
    if (!format_checks(d, i % 8 == 0, __LINE__) ||
        !format_checks((double)(int64_t)(rng_next() >> (rng_next() % 64)), i % 8 == 0, __LINE__))
      return;
  }
}
