/*
 * test_time.c — dates and timestamps (src/core/time.c): the calendar against a day-by-day count,
 * table-driven parsing and formatting (expected values from Python's datetime), and read-back of
 * formatted values over the whole int32 / int64 range.
 */
#include "core/core_int.h"
#include "test.h"

static uint64_t rng_state = 0x2545F4914F6CDD1Dull;
static uint64_t rng_next(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return rng_state;
}

TEST(time_calendar_day_by_day) {
  /* Walk about 2200 years on either side of 1970 one day at a time, with a calendar kept by
   * counting, and compare both conversions. */
  static const unsigned month_days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int64_t y = -230, days = tm_days_from_civil(-230, 1, 1);
  unsigned m = 1, d = 1;
  for (int i = 0; i < 1600000; i++, days++) {
    int64_t gy;
    unsigned gm, gd;
    tm_civil_from_days(days, &gy, &gm, &gd);
    int64_t back = tm_days_from_civil(y, m, d);
    if (gy != y || gm != m || gd != d || back != days) {
      test_fail(__FILE__, __LINE__,
                "day %" PRId64 ": expected %" PRId64 "-%u-%u, civil_from_days gives %" PRId64
                "-%u-%u, days_from_civil gives %" PRId64,
                days, y, m, d, gy, gm, gd, back);
      return;
    }
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    unsigned len = m == 2 && leap ? 29 : month_days[m - 1];
    if (++d > len) {
      d = 1;
      if (++m > 12) {
        m = 1;
        y++;
      }
    }
  }
  ASSERT_EQ(tm_days_from_civil(1970, 1, 1), 0);
  ASSERT_EQ(tm_days_from_civil(0, 1, 1), -719528);
  ASSERT_EQ(tm_days_from_civil(-1, 12, 31), -719529);
}

TEST(time_parse_date_cases) {
  static const struct {
    const char *text;
    bool ok;
    int32_t days;
  } cases[] = {
      {"1970-01-01", true, 0},
      {"1969-12-31", true, -1},
      {"2000-02-29", true, 11016},
      {"2000-03-01", true, 11017},
      {"2024-02-29", true, 19782},
      {"1900-02-28", true, -25509},
      {"1900-03-01", true, -25508},
      {"1600-02-29", true, -135081},
      {"0001-01-01", true, -719162},
      {"0000-01-01", true, -719528},
      {"9999-12-31", true, 2932896},
      {"2038-01-19", true, 24855},
      {"+10000-01-01", true, 2932897},
      {"+1970-01-01", true, 0},
      {"-0001-12-31", true, -719529},
      {"1900-02-29", false, 0},
      {"2023-02-29", false, 0},
      {"2100-02-29", false, 0},
      {"2023-04-31", false, 0},
      {"2023-00-10", false, 0},
      {"2023-13-01", false, 0},
      {"2023-01-00", false, 0},
      {"2023-01-32", false, 0},
      {"2023-1-01", false, 0},
      {"2023-01-1", false, 0},
      {"23-01-01", false, 0},
      {"20230-01-01", false, 0},
      {"+999-01-01", false, 0},
      {"+99999999-01-01", false, 0},
      {"+5881580-07-11", true, INT32_MAX},
      {"+5881580-07-12", false, 0}, /* past the int32 range of days */
      {"-5877641-06-23", true, INT32_MIN},
      {"-5877641-06-22", false, 0},
      {"2023/01/01", false, 0},
      {"20230101", false, 0},
      {"2023-01-01 ", false, 0},
      {" 2023-01-01", false, 0},
      {"2023-01-01T00:00", false, 0},
      {"", false, 0},
      {"2023-01-0a", false, 0},
      {"2023-0\xb1-01", false, 0},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    int32_t days = 12345;
    bool ok = tm_parse_date(cases[i].text, strlen(cases[i].text), &days);
    CHECK(ok == cases[i].ok && (!ok || days == cases[i].days),
          "tm_parse_date(\"%s\"): ok %d days %d, expected ok %d days %d", cases[i].text, ok, days,
          cases[i].ok, cases[i].days);
  }
  int32_t days;
  ASSERT_TRUE(tm_parse_date("2023-01-015", 10, &days)); /* never reads past n */
  ASSERT_EQ(days, 19358);
}

TEST(time_parse_timestamp_cases) {
  static const struct {
    const char *text;
    bool ok;
    int64_t us;
  } cases[] = {
      {"1970-01-01", true, 0},
      {"1970-01-01T00:00:00", true, 0},
      {"1970-01-01 00:00:01", true, 1000000},
      {"2023-06-15 12:34", true, 1686832440000000},
      {"2023-06-15T12:34:56.789+02:00", true, 1686825296789000},
      {"2023-06-15T12:34:56.789+0200", true, 1686825296789000},
      {"2023-06-15T12:34:56.789+02", true, 1686825296789000},
      {"2023-06-15T10:34:56.789Z", true, 1686825296789000},
      {"2023-06-15T10:34:56.789z", true, 1686825296789000},
      {"2023-06-15T10:34:56.789000000Z", true, 1686825296789000},
      {"1969-12-31T23:59:59.999999", true, -1},
      {"1969-12-31T23:59:59.9999999", true, -1}, /* the seventh digit is dropped */
      {"1969-12-31T23:59:59.999999999", true, -1},
      {"1970-01-01T00:00:00.000000999", true, 0},
      {"1970-01-01T00:00:00.5", true, 500000},
      {"1900-01-01T00:00:00-05:30", true, -2208969000000000},
      {"2000-01-01T00:00:00+14:00", true, 946634400000000},
      {"0001-01-01T00:00:00", true, -62135596800000000},
      {"9999-12-31T23:59:59.999999", true, 253402300799999999},
      {"1970-01-01T00:00+23:59", true, -86340000000},
      {"1970-01-01T00:00-23:59", true, 86340000000},
      {"-290308-12-21 19:59:05.224192", true, INT64_MIN},
      {"+294247-01-10 04:00:54.775807", true, INT64_MAX},
      {"+294247-01-10T04:00:54.775807+00:00", true, INT64_MAX},
      {"+294247-01-10 04:00:54.775808", false, 0},
      {"-290308-12-21 19:59:05.224191", false, 0},
      {"+294247-01-10T04:00:54.775807-00:01", false, 0},
      {"+294248-01-01", false, 0},
      {"1970-01-01T24:00:00", false, 0},
      {"1970-01-01T23:60:00", false, 0},
      {"1970-01-01T23:59:60", false, 0},
      {"1970-01-01T1:00:00", false, 0},
      {"1970-01-01T01:00:0", false, 0},
      {"1970-01-01T01", false, 0},
      {"1970-01-01T01:", false, 0},
      {"1970-01-01T", false, 0},
      {"1970-01-01 ", false, 0},
      {"1970-01-01t00:00", false, 0},
      {"1970-01-01_00:00", false, 0},
      {"1970-01-01T00:00:00.", false, 0},
      {"1970-01-01T00:00:00.1234567890", false, 0},
      {"1970-01-01T00:00.5", false, 0},
      {"1970-01-01T00:00:00+24:00", false, 0},
      {"1970-01-01T00:00:00+01:60", false, 0},
      {"1970-01-01T00:00:00+1", false, 0},
      {"1970-01-01T00:00:00+01:", false, 0},
      {"1970-01-01T00:00:00+01:0", false, 0},
      {"1970-01-01T00:00:00+010", false, 0},
      {"1970-01-01T00:00:00+01000", false, 0},
      {"1970-01-01T00:00:00ZZ", false, 0},
      {"1970-01-01T00:00:00 Z", false, 0},
      {"1970-01-01T00:00:00 UTC", false, 0},
      {"1970-01-01Z", false, 0},
      {"1970-02-30T00:00:00", false, 0},
      {"", false, 0},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    int64_t us = 12345;
    bool ok = tm_parse_timestamp(cases[i].text, strlen(cases[i].text), &us);
    CHECK(ok == cases[i].ok && (!ok || us == cases[i].us),
          "tm_parse_timestamp(\"%s\"): ok %d us %" PRId64 ", expected ok %d us %" PRId64,
          cases[i].text, ok, us, cases[i].ok, cases[i].us);
  }
  int64_t us;
  ASSERT_TRUE(tm_parse_timestamp("1970-01-01T00:00:01.55", 21, &us)); /* never reads past n */
  ASSERT_EQ(us, 1500000);
}

TEST(time_format_cases) {
  static const struct {
    int32_t days;
    const char *text;
  } dates[] = {
      {0, "1970-01-01"},
      {-1, "1969-12-31"},
      {11016, "2000-02-29"},
      {-719162, "0001-01-01"},
      {-719528, "0000-01-01"},
      {-719529, "-0001-12-31"},
      {2932896, "9999-12-31"},
      {2932897, "+10000-01-01"},
      {INT32_MAX, "+5881580-07-11"},
      {INT32_MIN, "-5877641-06-23"},
  };
  char buf[TM_FMT_MAX];
  for (size_t i = 0; i < sizeof(dates) / sizeof(dates[0]); i++) {
    size_t n = tm_format_date(dates[i].days, buf);
    CHECK(n == strlen(dates[i].text) && strcmp(buf, dates[i].text) == 0,
          "tm_format_date(%d) = \"%s\", expected \"%s\"", dates[i].days, buf, dates[i].text);
  }
  static const struct {
    int64_t us;
    const char *text;
  } stamps[] = {
      {0, "1970-01-01 00:00:00"},
      {1, "1970-01-01 00:00:00.000001"},
      {-1, "1969-12-31 23:59:59.999999"},
      {500000, "1970-01-01 00:00:00.5"},
      {-500000, "1969-12-31 23:59:59.5"},
      {123456, "1970-01-01 00:00:00.123456"},
      {120000, "1970-01-01 00:00:00.12"},
      {1686825296789000, "2023-06-15 10:34:56.789"},
      {-2208969000000000, "1900-01-01 05:30:00"},
      {253402300799999999, "9999-12-31 23:59:59.999999"},
      {-62135596800000000, "0001-01-01 00:00:00"},
      {INT64_MAX, "+294247-01-10 04:00:54.775807"},
      {INT64_MIN, "-290308-12-21 19:59:05.224192"},
  };
  for (size_t i = 0; i < sizeof(stamps) / sizeof(stamps[0]); i++) {
    size_t n = tm_format_timestamp(stamps[i].us, buf);
    CHECK(n == strlen(stamps[i].text) && strcmp(buf, stamps[i].text) == 0,
          "tm_format_timestamp(%" PRId64 ") = \"%s\", expected \"%s\"", stamps[i].us, buf,
          stamps[i].text);
  }
}

TEST(time_round_trip) {
  char buf[TM_FMT_MAX];
  for (int i = 0; i < 300000; i++) {
    int32_t days = (int32_t)(uint32_t)rng_next();
    if (i & 1)
      days = (int32_t)(rng_next() % 6000000) - 3000000;
    if (i == 0)
      days = INT32_MIN;
    if (i == 1)
      days = INT32_MAX;
    size_t n = tm_format_date(days, buf);
    int32_t back = 0;
    if (n >= TM_FMT_MAX || !tm_parse_date(buf, n, &back) || back != days) {
      test_fail(__FILE__, __LINE__, "date %d formats as \"%s\", reads back as %d", days, buf, back);
      return;
    }
  }
  for (int i = 0; i < 300000; i++) {
    int64_t us = (int64_t)rng_next();
    switch (i % 4) {
    case 1: /* whole seconds, 1900..2100 */
      us = ((int64_t)(rng_next() % 6311433600u) - 2208988800) * 1000000;
      break;
    case 2: /* milliseconds */
      us = ((int64_t)(rng_next() % 6311433600000u) - 2208988800000) * 1000;
      break;
    case 3:
      us = (int64_t)(rng_next() >> (rng_next() % 63 + 1)) * ((rng_next() & 1) ? -1 : 1);
      break;
    }
    if (i == 0)
      us = INT64_MIN;
    if (i == 4)
      us = INT64_MAX;
    size_t n = tm_format_timestamp(us, buf);
    int64_t back = 0;
    if (n >= TM_FMT_MAX || !tm_parse_timestamp(buf, n, &back) || back != us) {
      test_fail(__FILE__, __LINE__,
                "timestamp %" PRId64 " formats as \"%s\", reads back as %" PRId64, us, buf, back);
      return;
    }
    /* The same instant written with an offset and a 'T' reads back the same. */
    if (i % 16 == 1 && n == 19) {
      char shifted[TM_FMT_MAX + 8];
      int64_t local = us + 5400 * INT64_C(1000000); /* +01:30 */
      size_t m = tm_format_timestamp(local, shifted);
      shifted[10] = 'T';
      memcpy(shifted + m, "+01:30", 7);
      CHECK(tm_parse_timestamp(shifted, m + 6, &back) && back == us,
            "\"%s\" reads back as %" PRId64 ", expected %" PRId64, shifted, back, us);
    }
  }
}
