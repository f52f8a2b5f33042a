/*
 * time.c — DATE and TIMESTAMP values as ISO 8601 text, and the proleptic Gregorian calendar.
 *
 * A DATE is an int32 count of days since 1970-01-01; a TIMESTAMP an int64 count of microseconds
 * since 1970-01-01 00:00:00 UTC. Both may be negative; days and times of day are split by floor
 * division, so an instant before 1970 still has a time of day in [00:00:00, 24:00:00).
 *
 * Text accepted (the whole byte range or nothing; s[n] is never read):
 *  - date: YYYY-MM-DD with a four-digit year, or an ISO 8601 expanded year, a sign and four to
 *    seven digits ("+10000-01-01", "-0044-03-15"; year 0 is 1 BC), which is what the formatters
 *    write outside 0..9999 so that every formatted value reads back. Months and days are checked
 *    against the calendar, leap years included.
 *  - timestamp: a date alone (midnight), or date, 'T' or ' ', hh:mm[:ss[.f]] with one to nine
 *    fraction digits, then optionally 'Z', 'z' or an offset +hh:mm, +hhmm or +hh (or '-').
 *    Hours 0-23, minutes 0-59, seconds 0-59 (no leap second), offsets up to 23:59. The result is
 *    UTC: the offset is subtracted. Fraction digits past the sixth are dropped, which gives the
 *    microsecond at or before the instant written (nanoseconds are not kept).
 * Text written: tm_format_date "YYYY-MM-DD" (expanded years as above outside 0..9999);
 * tm_format_timestamp "YYYY-MM-DD HH:MM:SS" and, when the microseconds are not zero, '.' and
 * up to six digits without trailing zeros ("...:05.5"); no zone suffix, the value is UTC.
 *
 * The calendar conversions count days in 400-year eras of 146097 days with years starting on
 * 1 March, so that the leap day is the last day of a year (Howard Hinnant's well-known public
 * domain method, written here anew). They are exact for |year| < 2^40.
 */
#include "core/core_int.h"

#include <string.h>

#define US_PER_SEC INT64_C(1000000)
#define US_PER_DAY INT64_C(86400000000)
/* The days of the int64 microsecond range: INT64_MIN lies in day -106751992, INT64_MAX in day
 * 106751991. */
#define TS_DAY_MIN INT64_C(-106751992)
#define TS_DAY_MAX INT64_C(106751991)

int64_t tm_days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2; /* the year starts on 1 March */
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  unsigned year_of_era = (unsigned)(y - era * 400);                       /* [0, 399] */
  unsigned day_of_year = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; /* [0, 365] */
  unsigned day_of_era =
      year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year; /* [0, 146096] */
  return era * 146097 + (int64_t)day_of_era - 719468; /* 719468: 0000-03-01 to 1970-01-01 */
}

void tm_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d) {
  days += 719468;
  int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  unsigned day_of_era = (unsigned)(days - era * 146097); /* [0, 146096] */
  unsigned year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  unsigned day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  unsigned mp = (5 * day_of_year + 2) / 153; /* month from March: [0, 11] */
  *d = day_of_year - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = (int64_t)year_of_era + era * 400 + (*m <= 2);
}

static bool is_leap_year(int64_t y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned days_in_month(int64_t y, unsigned m) {
  static const unsigned char days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap_year(y) ? 29 : days[m - 1];
}

static inline bool is_digit(char c) {
  return (unsigned)((unsigned char)c - '0') <= 9;
}

/* Two ASCII digits at p (the caller checked that they are in range). */
static inline bool two_digits(const char *p, unsigned *v) {
  unsigned a = (unsigned)((unsigned char)p[0] - '0'), b = (unsigned)((unsigned char)p[1] - '0');
  if (a > 9 || b > 9)
    return false;
  *v = a * 10 + b;
  return true;
}

/* Parses the date that starts s[0..n); returns the bytes it took, 0 when there is none. */
static size_t parse_date_prefix(const char *s, size_t n, int64_t *days) {
  size_t i = 0;
  bool sign = n > 0 && (s[0] == '+' || s[0] == '-');
  bool neg = sign && s[0] == '-';
  i += sign;
  size_t year_start = i;
  int64_t y = 0;
  while (i < n && is_digit(s[i]) && i - year_start < 7)
    y = y * 10 + (s[i++] - '0');
  size_t year_digits = i - year_start;
  if (sign ? year_digits < 4 : year_digits != 4)
    return 0;
  unsigned m, d;
  if (n - i < 6 || s[i] != '-' || !two_digits(s + i + 1, &m) || s[i + 3] != '-' ||
      !two_digits(s + i + 4, &d))
    return 0;
  if (neg)
    y = -y;
  if (m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
    return 0;
  *days = tm_days_from_civil(y, m, d);
  return i + 6;
}

bool tm_parse_date(const char *s, size_t n, int32_t *days) {
  int64_t d;
  if (n == 0 || parse_date_prefix(s, n, &d) != n || d < INT32_MIN || d > INT32_MAX)
    return false;
  *days = (int32_t)d;
  return true;
}

/* days * US_PER_DAY + us, or false when it leaves the int64 range. |us| < 3 days. */
static bool combine_micros(int64_t days, int64_t us, int64_t *out) {
  if (days < TS_DAY_MIN || days > TS_DAY_MAX)
    return false;
  if (days < 0) { /* TS_DAY_MIN * US_PER_DAY itself does not fit */
    days++;
    us -= US_PER_DAY;
  }
  int64_t base = days * US_PER_DAY;
  if ((us > 0 && base > INT64_MAX - us) || (us < 0 && base < INT64_MIN - us))
    return false;
  *out = base + us;
  return true;
}

bool tm_parse_timestamp(const char *s, size_t n, int64_t *micros) {
  int64_t days;
  size_t i = parse_date_prefix(s, n, &days);
  if (i == 0)
    return false;
  if (i == n)
    return combine_micros(days, 0, micros);
  if (s[i] != 'T' && s[i] != ' ')
    return false;
  i++;
  unsigned hour, minute, second = 0;
  if (n - i < 5 || !two_digits(s + i, &hour) || s[i + 2] != ':' || !two_digits(s + i + 3, &minute))
    return false;
  i += 5;
  int64_t fraction_us = 0;
  if (i < n && s[i] == ':') {
    if (n - i < 3 || !two_digits(s + i + 1, &second))
      return false;
    i += 3;
    if (i < n && s[i] == '.') {
      size_t start = ++i;
      while (i < n && is_digit(s[i]) && i - start < 9) {
        if (i - start < 6)
          fraction_us = fraction_us * 10 + (s[i] - '0');
        i++;
      }
      if (i == start)
        return false;
      for (size_t k = i - start; k < 6; k++)
        fraction_us *= 10;
    }
  }
  if (hour > 23 || minute > 59 || second > 59)
    return false;
  int64_t offset_s = 0;
  if (i < n && (s[i] == 'Z' || s[i] == 'z')) {
    i++;
  } else if (i < n && (s[i] == '+' || s[i] == '-')) {
    bool neg = s[i++] == '-';
    unsigned oh, om = 0;
    if (n - i < 2 || !two_digits(s + i, &oh))
      return false;
    i += 2;
    if (i < n && s[i] == ':') {
      if (n - i < 3 || !two_digits(s + i + 1, &om))
        return false;
      i += 3;
    } else if (n - i >= 2 && is_digit(s[i])) {
      if (!two_digits(s + i, &om))
        return false;
      i += 2;
    }
    if (oh > 23 || om > 59)
      return false;
    offset_s = (int64_t)oh * 3600 + om * 60;
    if (neg)
      offset_s = -offset_s;
  }
  if (i != n)
    return false;
  int64_t time_us = ((int64_t)hour * 3600 + minute * 60 + second - offset_s) * US_PER_SEC;
  return combine_micros(days, time_us + fraction_us, micros);
}

static char *write_two_digits(char *p, unsigned v) {
  p[0] = (char)('0' + v / 10);
  p[1] = (char)('0' + v % 10);
  return p + 2;
}

static char *write_date(char *p, int64_t days) {
  int64_t y;
  unsigned m, d;
  tm_civil_from_days(days, &y, &m, &d);
  if (y < 0 || y > 9999)
    *p++ = y < 0 ? '-' : '+';
  uint64_t year = y < 0 ? 0 - (uint64_t)y : (uint64_t)y;
  char tmp[24], *t = tmp + sizeof(tmp);
  do {
    *--t = (char)('0' + year % 10);
    year /= 10;
  } while (year);
  while (tmp + sizeof(tmp) - t < 4)
    *--t = '0';
  size_t len = (size_t)(tmp + sizeof(tmp) - t);
  memcpy(p, t, len);
  p += len;
  *p++ = '-';
  p = write_two_digits(p, m);
  *p++ = '-';
  return write_two_digits(p, d);
}

size_t tm_format_date(int32_t days, char *buf) {
  char *p = write_date(buf, days);
  *p = '\0';
  return (size_t)(p - buf);
}

size_t tm_format_timestamp(int64_t us, char *buf) {
  int64_t days = us / US_PER_DAY, rem = us % US_PER_DAY;
  if (rem < 0) {
    rem += US_PER_DAY;
    days--;
  }
  char *p = write_date(buf, days);
  unsigned secs = (unsigned)(rem / US_PER_SEC), frac = (unsigned)(rem % US_PER_SEC);
  *p++ = ' ';
  p = write_two_digits(p, secs / 3600);
  *p++ = ':';
  p = write_two_digits(p, secs / 60 % 60);
  *p++ = ':';
  p = write_two_digits(p, secs % 60);
  if (frac) {
    *p++ = '.';
    for (unsigned div = 100000; frac; div /= 10) {
      *p++ = (char)('0' + frac / div);
      frac %= div;
    }
  }
  *p = '\0';
  return (size_t)(p - buf);
}
