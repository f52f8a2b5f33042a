/*
 * interval.c — reading and writing interval text as DuckDB does ("1 year 2 months 3 days
 * 04:05:06.5"), for INTERVAL '...' literals now and for casts between strings and intervals in
 * the engine later.
 *
 * An interval keeps months, days and microseconds apart (a month is not a fixed number of days,
 * nor a day of microseconds across a clock change), each with its own sign, as DuckDB's does.
 * The parser keeps microseconds within +-INT64_MAX and months and days within +-INT32_MAX, so that
 * every interval it returns can be formatted and read back unchanged.
 */
#include "sql/sql_int.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define US_PER_SEC INT64_C(1000000)
#define US_PER_DAY (INT64_C(86400) * US_PER_SEC)

typedef enum { PART_MONTHS, PART_DAYS, PART_MICROS } part;

static const struct {
  const char *name;
  part part;
  int64_t mult;
} units[] = {
    {"us", PART_MICROS, 1},
    {"usec", PART_MICROS, 1},
    {"usecs", PART_MICROS, 1},
    {"microsecond", PART_MICROS, 1},
    {"microseconds", PART_MICROS, 1},
    {"ms", PART_MICROS, 1000},
    {"msec", PART_MICROS, 1000},
    {"msecs", PART_MICROS, 1000},
    {"millisecond", PART_MICROS, 1000},
    {"milliseconds", PART_MICROS, 1000},
    {"s", PART_MICROS, US_PER_SEC},
    {"sec", PART_MICROS, US_PER_SEC},
    {"secs", PART_MICROS, US_PER_SEC},
    {"second", PART_MICROS, US_PER_SEC},
    {"seconds", PART_MICROS, US_PER_SEC},
    {"m", PART_MICROS, 60 * US_PER_SEC},
    {"min", PART_MICROS, 60 * US_PER_SEC},
    {"mins", PART_MICROS, 60 * US_PER_SEC},
    {"minute", PART_MICROS, 60 * US_PER_SEC},
    {"minutes", PART_MICROS, 60 * US_PER_SEC},
    {"h", PART_MICROS, 3600 * US_PER_SEC},
    {"hr", PART_MICROS, 3600 * US_PER_SEC},
    {"hrs", PART_MICROS, 3600 * US_PER_SEC},
    {"hour", PART_MICROS, 3600 * US_PER_SEC},
    {"hours", PART_MICROS, 3600 * US_PER_SEC},
    {"d", PART_DAYS, 1},
    {"day", PART_DAYS, 1},
    {"days", PART_DAYS, 1},
    {"w", PART_DAYS, 7},
    {"week", PART_DAYS, 7},
    {"weeks", PART_DAYS, 7},
    {"mon", PART_MONTHS, 1},
    {"mons", PART_MONTHS, 1},
    {"month", PART_MONTHS, 1},
    {"months", PART_MONTHS, 1},
    {"quarter", PART_MONTHS, 3},
    {"quarters", PART_MONTHS, 3},
    {"y", PART_MONTHS, 12},
    {"yr", PART_MONTHS, 12},
    {"yrs", PART_MONTHS, 12},
    {"year", PART_MONTHS, 12},
    {"years", PART_MONTHS, 12},
    {"decade", PART_MONTHS, 120},
    {"decades", PART_MONTHS, 120},
    {"century", PART_MONTHS, 1200},
    {"centuries", PART_MONTHS, 1200},
    {"millennium", PART_MONTHS, 12000},
    {"millennia", PART_MONTHS, 12000},
    {"millenniums", PART_MONTHS, 12000},
};

static bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
static bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
static bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int find_unit(const char *s, size_t n) {
  for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
    const char *u = units[i].name;
    if (strlen(u) != n)
      continue;
    size_t k = 0;
    while (k < n && (s[k] | 0x20) == u[k])
      k++;
    if (k == n)
      return (int)i;
  }
  return -1;
}

/* a += b, false on overflow past +-INT64_MAX. */
static bool add_checked(int64_t *a, int64_t b) {
  if ((b > 0 && *a > INT64_MAX - b) || (b < 0 && *a < -INT64_MAX - b))
    return false;
  *a += b;
  return true;
}

/* a * b for a >= 0, b > 0; false past INT64_MAX. */
static bool mul_checked(int64_t a, int64_t b, int64_t *out) {
  if (a > INT64_MAX / b)
    return false;
  *out = a * b;
  return true;
}

/* Digits at s[*i...] as an int64 (at most 18 of them, so no overflow); false when there are
 * none or too many. */
static bool read_int(const char *s, size_t n, size_t *i, int64_t *out) {
  size_t start = *i;
  int64_t v = 0;
  while (*i < n && is_digit(s[*i])) {
    if (*i - start >= 18)
      return false;
    v = v * 10 + (s[*i] - '0');
    (*i)++;
  }
  *out = v;
  return *i > start;
}

typedef struct {
  int64_t months, days, micros;
} acc;

/* Adds sign * (whole + frac / frac_scale) units of unit u. */
static bool add_amount(acc *a, int u, int sign, int64_t whole, int64_t frac, int64_t frac_scale) {
  int64_t mult = units[u].mult, v;
  if (!mul_checked(whole, mult, &v))
    return false;
  /* The fraction, frac / frac_scale < 1 with frac_scale <= 10^9, spills into smaller parts. */
  int64_t f = frac * mult; /* < 10^9 * 3.6e9: fits */
  int64_t spill_days = 0, spill_micros = 0;
  switch (units[u].part) {
  case PART_MONTHS: {
    int64_t whole_months = f / frac_scale, rem = f % frac_scale;
    v += whole_months;
    int64_t d = rem * 30;
    spill_days = d / frac_scale;
    spill_micros = (int64_t)llround((double)(d % frac_scale) / (double)frac_scale * US_PER_DAY);
    break;
  }
  case PART_DAYS:
    v += f / frac_scale;
    spill_micros = (int64_t)llround((double)(f % frac_scale) / (double)frac_scale * US_PER_DAY);
    break;
  case PART_MICROS:
    v += f / frac_scale;
    break;
  }
  int64_t *target = units[u].part == PART_MONTHS ? &a->months
                    : units[u].part == PART_DAYS ? &a->days
                                                 : &a->micros;
  return add_checked(target, sign * v) && add_checked(&a->days, sign * spill_days) &&
         add_checked(&a->micros, sign * spill_micros);
}

/* hh:mm[:ss[.ffffff]] from s[*i] (after the hours, at the first colon). */
static bool read_time(const char *s, size_t n, size_t *i, int64_t hours, int sign, acc *a) {
  int64_t minutes, seconds = 0, micros = 0;
  (*i)++; /* ':' */
  if (!read_int(s, n, i, &minutes) || minutes > 59)
    return false;
  if (*i < n && s[*i] == ':') {
    (*i)++;
    if (!read_int(s, n, i, &seconds) || seconds > 59)
      return false;
    if (*i < n && s[*i] == '.') {
      (*i)++;
      int digits = 0;
      while (*i < n && is_digit(s[*i])) {
        if (digits < 6) {
          micros = micros * 10 + (s[*i] - '0');
          digits++;
        }
        (*i)++;
      }
      while (digits++ < 6)
        micros *= 10;
    }
  }
  int64_t total;
  if (!mul_checked(hours, 3600 * US_PER_SEC, &total))
    return false;
  return add_checked(&total, (minutes * 60 + seconds) * US_PER_SEC + micros) &&
         add_checked(&a->micros, sign * total);
}

bool sql_interval_parse(const char *s, size_t n, sql_interval *out) {
  acc a = {0, 0, 0};
  size_t i = 0;
  int terms = 0;
  bool ago = false, bare = false;
  for (;;) {
    while (i < n && is_space(s[i]))
      i++;
    if (i == n)
      break;
    if (ago || bare)
      return false; /* nothing may follow "ago" or a number without a unit */
    if (n - i >= 3 && (s[i] | 0x20) == 'a' && (s[i + 1] | 0x20) == 'g' &&
        (s[i + 2] | 0x20) == 'o' && (i + 3 == n || !is_alpha(s[i + 3])) && terms > 0) {
      ago = true;
      i += 3;
      continue;
    }
    int sign = 1;
    if (s[i] == '-' || s[i] == '+')
      sign = s[i++] == '-' ? -1 : 1;
    int64_t whole = 0, frac = 0, frac_scale = 1;
    bool any = read_int(s, n, &i, &whole);
    if (!any && i < n && is_digit(s[i]))
      return false; /* too many digits */
    if (i < n && s[i] == ':') {
      if (!any || !read_time(s, n, &i, whole, sign, &a))
        return false;
      terms++;
      continue;
    }
    if (i < n && s[i] == '.') {
      i++;
      while (i < n && is_digit(s[i])) {
        if (frac_scale < INT64_C(1000000000)) {
          frac = frac * 10 + (s[i] - '0');
          frac_scale *= 10;
        }
        any = true;
        i++;
      }
    }
    if (!any)
      return false;
    while (i < n && is_space(s[i]))
      i++;
    size_t u0 = i;
    while (i < n && is_alpha(s[i]))
      i++;
    int u;
    if (i == u0) {
      /* A number alone is seconds, as in DuckDB, but only as the whole interval. */
      if (terms > 0)
        return false;
      bare = true;
      u = find_unit("seconds", 7);
    } else {
      u = find_unit(s + u0, i - u0);
      if (u < 0)
        return false;
    }
    if (!add_amount(&a, u, sign, whole, frac, frac_scale))
      return false;
    terms++;
  }
  if (terms == 0)
    return false;
  if (ago) {
    a.months = -a.months;
    a.days = -a.days;
    a.micros = -a.micros;
  }
  if (a.months > INT32_MAX || a.months < -INT32_MAX || a.days > INT32_MAX || a.days < -INT32_MAX)
    return false;
  out->months = (int32_t)a.months;
  out->days = (int32_t)a.days;
  out->micros = a.micros;
  return true;
}

static size_t put_part(char *buf, size_t o, int64_t v, const char *unit) {
  return o + (size_t)snprintf(buf + o, SQL_INTERVAL_FMT_MAX - o, "%s%" PRId64 " %s%s", o ? " " : "",
                              v, unit, v == 1 || v == -1 ? "" : "s");
}

size_t sql_interval_format(sql_interval iv, char *buf) {
  size_t o = 0;
  buf[0] = 0;
  int64_t years = iv.months / 12, months = iv.months % 12;
  if (years)
    o = put_part(buf, o, years, "year");
  if (months)
    o = put_part(buf, o, months, "month");
  if (iv.days)
    o = put_part(buf, o, iv.days, "day");
  if (iv.micros || o == 0) {
    uint64_t m = iv.micros < 0 ? (uint64_t)0 - (uint64_t)iv.micros : (uint64_t)iv.micros;
    uint64_t hours = m / 3600000000u, rest = m % 3600000000u;
    unsigned minutes = (unsigned)(rest / 60000000u), secs = (unsigned)(rest / 1000000u % 60u);
    unsigned frac = (unsigned)(rest % 1000000u);
    o += (size_t)snprintf(buf + o, SQL_INTERVAL_FMT_MAX - o, "%s%s%02" PRIu64 ":%02u:%02u",
                          o ? " " : "", iv.micros < 0 ? "-" : "", hours, minutes, secs);
    if (frac) {
      char digits[8];
      snprintf(digits, sizeof(digits), "%06u", frac);
      size_t nd = 6;
      while (digits[nd - 1] == '0')
        nd--;
      digits[nd] = 0;
      o += (size_t)snprintf(buf + o, SQL_INTERVAL_FMT_MAX - o, ".%s", digits);
    }
  }
  return o;
}
