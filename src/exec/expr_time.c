/*
 * expr_time.c — the kernels of dates, times and intervals: date_part (EXTRACT), date_trunc, the
 * arithmetic of DATE, TIMESTAMP and INTERVAL, age, make_date, strftime, strptime and the epoch
 * conversions. ex_eval calls ex_eval_time with the arguments already evaluated.
 *
 * Values: a DATE is int32 days since 1970-01-01, a TIMESTAMP int64 microseconds since the epoch
 * (UTC, no zone), an INTERVAL an ex_interval (months, days, microseconds, each with its own sign,
 * as DuckDB keeps them). Days and times of day are split by floor division, so 1969 has times of
 * day too. The calendar is the proleptic Gregorian one of core/time.c.
 *
 * Semantics are DuckDB's (the reference the tests compare with):
 *  - timestamp + interval adds the months first (a day past the new month's end becomes its last
 *    day: 2024-01-31 + 1 month is 2024-02-29), then the days, then the microseconds; minus an
 *    interval adds its negation. DATE + INTEGER is a DATE; DATE - DATE an INT64 count of days.
 *  - timestamp - timestamp is an interval of whole days and the microseconds left, both with the
 *    sign of the difference (no months).
 *  - intervals compare normalised: 30 days make a month, 24 hours a day.
 *  - date_part counts ISO weeks (week, isoyear, yearweek), dow 0 = Sunday, isodow 7 = Sunday; of an
 *    interval, hour is the whole hours of its microseconds and minute and second what is left.
 *  - a result out of the TIMESTAMP range is an error naming the expression, never a wrap.
 */
#include "exec/exec_int.h"
#include "sql/sql_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define US_PER_SEC INT64_C(1000000)
#define US_PER_MIN (60 * US_PER_SEC)
#define US_PER_HOUR (3600 * US_PER_SEC)
#define US_PER_DAY (86400 * US_PER_SEC)

/* ---- the calendar -----------------------------------------------------------------------------*/

static inline int64_t floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static inline int64_t floor_mod(int64_t a, int64_t b) {
  return a - floor_div(a, b) * b;
}

static bool is_leap(int64_t y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned month_days(int64_t y, unsigned m) {
  static const unsigned char days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* A date broken into the fields date_part and strftime need. */
typedef struct civil {
  int64_t year;
  unsigned month, day;
  unsigned dow; /* 0 Sunday .. 6 Saturday */
  unsigned doy; /* 1 .. 366 */
  int64_t isoyear;
  unsigned week; /* ISO 8601 week, 1 .. 53 */
} civil;

static void civil_of(int64_t days, civil *c) {
  tm_civil_from_days(days, &c->year, &c->month, &c->day);
  c->dow = (unsigned)floor_mod(days + 4, 7); /* 1970-01-01 was a Thursday */
  c->doy = (unsigned)(days - tm_days_from_civil(c->year, 1, 1) + 1);
  /* The ISO year is the year of the Thursday of the date's week (weeks start on Monday). */
  unsigned isodow = c->dow ? c->dow : 7;
  int64_t thursday = days - (isodow - 1) + 3;
  int64_t ty;
  unsigned tm, td;
  tm_civil_from_days(thursday, &ty, &tm, &td);
  c->isoyear = ty;
  c->week = (unsigned)((thursday - tm_days_from_civil(ty, 1, 1)) / 7 + 1);
}

/* Splits microseconds since the epoch into days and the microseconds of the day. */
static inline void split_ts(int64_t us, int64_t *days, int64_t *time_us) {
  *days = floor_div(us, US_PER_DAY);
  *time_us = us - *days * US_PER_DAY;
}

/* days * US_PER_DAY + time_us, false when outside int64 (time_us may be any value). */
static bool join_ts(int64_t days, int64_t time_us, int64_t *out) {
  int64_t base;
  if (__builtin_mul_overflow(days, US_PER_DAY, &base))
    return false;
  return !__builtin_add_overflow(base, time_us, out);
}

/* The day months after days, the day of the month kept or, past the new month's end, its last. */
static bool add_months(int64_t days, int64_t months, int64_t *out) {
  if (months == 0) {
    *out = days;
    return true;
  }
  int64_t y;
  unsigned m, d;
  tm_civil_from_days(days, &y, &m, &d);
  int64_t total = y * 12 + (m - 1) + months;
  if (total > INT64_C(12) * 300000000 || total < -INT64_C(12) * 300000000)
    return false;
  int64_t ny = floor_div(total, 12);
  unsigned nm = (unsigned)floor_mod(total, 12) + 1, last = month_days(ny, nm);
  *out = tm_days_from_civil(ny, nm, d > last ? last : d);
  return true;
}

static bool ts_add_interval(int64_t ts, ex_interval iv, int64_t *out) {
  int64_t days, time_us;
  split_ts(ts, &days, &time_us);
  if (!add_months(days, iv.months, &days))
    return false;
  days += iv.days;
  int64_t t;
  return join_ts(days, time_us, &t) && !__builtin_add_overflow(t, iv.micros, out);
}

static ex_interval interval_negate(ex_interval iv) {
  ex_interval r = {-iv.months, -iv.days, -iv.micros};
  return r;
}

/* Normalises to (months, days, micros) with days < 30 and micros < a day, in wide integers. */
static void interval_norm(ex_interval v, int64_t *months, int64_t *days, int64_t *micros) {
  int64_t us_per_month = 30 * US_PER_DAY;
  int64_t m = v.months, d = v.days, us = v.micros;
  m += d / 30 + us / us_per_month;
  d %= 30;
  us %= us_per_month;
  d += us / US_PER_DAY;
  us %= US_PER_DAY;
  *months = m;
  *days = d;
  *micros = us;
}

int ex_interval_compare(ex_interval a, ex_interval b) {
  int64_t am, ad, au, bm, bd, bu;
  interval_norm(a, &am, &ad, &au);
  interval_norm(b, &bm, &bd, &bu);
  if (am != bm)
    return am < bm ? -1 : 1;
  if (ad != bd)
    return ad < bd ? -1 : 1;
  return (au > bu) - (au < bu);
}

/* ---- parts ------------------------------------------------------------------------------------*/

ex_part ex_part_lookup(const char *name) {
  static const struct {
    const char *name;
    ex_part part;
  } names[] = {
      {"year", EX_PART_YEAR},
      {"years", EX_PART_YEAR},
      {"y", EX_PART_YEAR},
      {"yr", EX_PART_YEAR},
      {"yrs", EX_PART_YEAR},
      {"quarter", EX_PART_QUARTER},
      {"quarters", EX_PART_QUARTER},
      {"month", EX_PART_MONTH},
      {"months", EX_PART_MONTH},
      {"mon", EX_PART_MONTH},
      {"mons", EX_PART_MONTH},
      {"week", EX_PART_WEEK},
      {"weeks", EX_PART_WEEK},
      {"w", EX_PART_WEEK},
      {"weekofyear", EX_PART_WEEK},
      {"day", EX_PART_DAY},
      {"days", EX_PART_DAY},
      {"d", EX_PART_DAY},
      {"dayofmonth", EX_PART_DAY},
      {"hour", EX_PART_HOUR},
      {"hours", EX_PART_HOUR},
      {"h", EX_PART_HOUR},
      {"hr", EX_PART_HOUR},
      {"hrs", EX_PART_HOUR},
      {"minute", EX_PART_MINUTE},
      {"minutes", EX_PART_MINUTE},
      {"m", EX_PART_MINUTE},
      {"min", EX_PART_MINUTE},
      {"mins", EX_PART_MINUTE},
      {"second", EX_PART_SECOND},
      {"seconds", EX_PART_SECOND},
      {"s", EX_PART_SECOND},
      {"sec", EX_PART_SECOND},
      {"secs", EX_PART_SECOND},
      {"millisecond", EX_PART_MILLISECOND},
      {"milliseconds", EX_PART_MILLISECOND},
      {"ms", EX_PART_MILLISECOND},
      {"msec", EX_PART_MILLISECOND},
      {"msecs", EX_PART_MILLISECOND},
      {"microsecond", EX_PART_MICROSECOND},
      {"microseconds", EX_PART_MICROSECOND},
      {"us", EX_PART_MICROSECOND},
      {"usec", EX_PART_MICROSECOND},
      {"usecs", EX_PART_MICROSECOND},
      {"decade", EX_PART_DECADE},
      {"decades", EX_PART_DECADE},
      {"dec", EX_PART_DECADE},
      {"century", EX_PART_CENTURY},
      {"centuries", EX_PART_CENTURY},
      {"cent", EX_PART_CENTURY},
      {"c", EX_PART_CENTURY},
      {"millennium", EX_PART_MILLENNIUM},
      {"millennia", EX_PART_MILLENNIUM},
      {"millenniums", EX_PART_MILLENNIUM},
      {"mil", EX_PART_MILLENNIUM},
      {"dow", EX_PART_DOW},
      {"dayofweek", EX_PART_DOW},
      {"weekday", EX_PART_DOW},
      {"isodow", EX_PART_ISODOW},
      {"doy", EX_PART_DOY},
      {"dayofyear", EX_PART_DOY},
      {"isoyear", EX_PART_ISOYEAR},
      {"yearweek", EX_PART_YEARWEEK},
      {"era", EX_PART_ERA},
      {"epoch", EX_PART_EPOCH},
      {"julian", EX_PART_JULIAN},
  };
  for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
    if (strcmp(name, names[i].name) == 0)
      return names[i].part;
  return (ex_part)0;
}

/* Row i of a DATE or TIMESTAMP vector as days and microseconds of the day (a date is its
 * midnight), without going through microseconds: a DATE may lie beyond the TIMESTAMP range. */
static inline void days_at(const sbd_vec *v, int64_t i, int64_t *days, int64_t *t) {
  if (v->type == SBD_DATE) {
    *days = ((const int32_t *)v->values)[i];
    *t = 0;
  } else {
    split_ts(((const int64_t *)v->values)[i], days, t);
  }
}

/* date_part of the instant t microseconds into day days. */
static int64_t part_of_ts(ex_part part, int64_t days, int64_t t) {
  civil c;
  civil_of(days, &c);
  int64_t y = c.year;
  switch (part) {
  case EX_PART_YEAR:
    return y;
  case EX_PART_QUARTER:
    return (c.month - 1) / 3 + 1;
  case EX_PART_MONTH:
    return c.month;
  case EX_PART_WEEK:
    return c.week;
  case EX_PART_DAY:
    return c.day;
  case EX_PART_HOUR:
    return t / US_PER_HOUR;
  case EX_PART_MINUTE:
    return t / US_PER_MIN % 60;
  case EX_PART_SECOND:
    return t / US_PER_SEC % 60;
  case EX_PART_MILLISECOND:
    return t % US_PER_MIN / 1000;
  case EX_PART_MICROSECOND:
    return t % US_PER_MIN;
  case EX_PART_DECADE:
    return y / 10;
  case EX_PART_CENTURY:
    return y > 0 ? (y - 1) / 100 + 1 : -((-y) / 100 + 1);
  case EX_PART_MILLENNIUM:
    return y > 0 ? (y - 1) / 1000 + 1 : -((-y) / 1000 + 1);
  case EX_PART_DOW:
    return c.dow;
  case EX_PART_ISODOW:
    return c.dow ? c.dow : 7;
  case EX_PART_DOY:
    return c.doy;
  case EX_PART_ISOYEAR:
    return c.isoyear;
  case EX_PART_YEARWEEK:
    return c.isoyear * 100 + (c.isoyear > 0 ? (int64_t)c.week : -(int64_t)c.week);
  case EX_PART_ERA:
    return y > 0 ? 1 : 0;
  default:
    return 0;
  }
}

/* date_part of an interval: years and months from its months, days from its days, the rest
 * from its microseconds (hour: all of their whole hours). */
static int64_t part_of_interval(ex_part part, ex_interval v) {
  switch (part) {
  case EX_PART_YEAR:
    return v.months / 12;
  case EX_PART_QUARTER:
    return v.months % 12 / 3 + 1;
  case EX_PART_MONTH:
    return v.months % 12;
  case EX_PART_DAY:
    return v.days;
  case EX_PART_HOUR:
    return v.micros / US_PER_HOUR;
  case EX_PART_MINUTE:
    return v.micros % US_PER_HOUR / US_PER_MIN;
  case EX_PART_SECOND:
    return v.micros % US_PER_MIN / US_PER_SEC;
  case EX_PART_MILLISECOND:
    return v.micros % US_PER_MIN / 1000;
  case EX_PART_MICROSECOND:
    return v.micros % US_PER_MIN;
  case EX_PART_DECADE:
    return v.months / 120;
  case EX_PART_CENTURY:
    return v.months / 1200;
  case EX_PART_MILLENNIUM:
    return v.months / 12000;
  default:
    return 0;
  }
}

/* An interval's length in seconds: a year is 365.25 days, a month (of what years leave) 30. */
static double interval_epoch(ex_interval v) {
  double days = (double)(v.months / 12) * 365.25 + (double)(v.months % 12) * 30 + (double)v.days;
  return days * 86400.0 + (double)v.micros / 1e6;
}

static sbd_status eval_date_part(ex_query *q, const ex_expr *e, const sbd_vec *a, int64_t n,
                                 sbd_vec **out) {
  bool dbl = e->part == EX_PART_EPOCH || e->part == EX_PART_JULIAN;
  *out = vec_new(q->ctx, dbl ? SBD_DOUBLE : SBD_INT64, n > 0 ? n : 1);
  if (!*out)
    return SBD_ENOMEM;
  (*out)->len = n;
  for (int64_t i = 0; i < n; i++) {
    if (!vec_is_valid(a, i)) {
      RETURN_IF_ERROR(vec_set_null(q->ctx, *out, i));
      ((int64_t *)(*out)->values)[i] = 0;
      continue;
    }
    if (a->type == EX_INTERVAL) {
      ex_interval v = ((const ex_interval *)a->values)[i];
      if (dbl)
        ((double *)(*out)->values)[i] = interval_epoch(v);
      else
        ((int64_t *)(*out)->values)[i] = part_of_interval(e->part, v);
      continue;
    }
    int64_t days, t;
    days_at(a, i, &days, &t);
    if (e->part == EX_PART_EPOCH)
      ((double *)(*out)->values)[i] = a->type == SBD_DATE
                                          ? (double)days * 86400.0
                                          : (double)((const int64_t *)a->values)[i] / 1e6;
    else if (e->part == EX_PART_JULIAN) /* Julian day number of the date, plus the day's fraction */
      ((double *)(*out)->values)[i] = (double)days + (double)t / (double)US_PER_DAY + 2440588.0;
    else
      ((int64_t *)(*out)->values)[i] = part_of_ts(e->part, days, t);
  }
  return SBD_OK;
}

/* ---- date_trunc -------------------------------------------------------------------------------*/

/* The day and time of day that date_trunc makes of (days, t); the caller joins them. */
static void trunc_day(ex_part part, int64_t *days, int64_t *t) {
  civil c;
  int64_t y;
  switch (part) {
  case EX_PART_MICROSECOND:
    return;
  case EX_PART_MILLISECOND:
    *t -= *t % 1000;
    return;
  case EX_PART_SECOND:
    *t -= *t % US_PER_SEC;
    return;
  case EX_PART_MINUTE:
    *t -= *t % US_PER_MIN;
    return;
  case EX_PART_HOUR:
    *t -= *t % US_PER_HOUR;
    return;
  default:
    break;
  }
  *t = 0;
  switch (part) {
  case EX_PART_DAY:
    return;
  case EX_PART_WEEK:
    civil_of(*days, &c);
    *days -= c.dow ? c.dow - 1 : 6;
    return;
  case EX_PART_ISOYEAR: {
    civil_of(*days, &c);
    /* The Monday of ISO week 1: the week of 4 January. */
    int64_t jan4 = tm_days_from_civil(c.isoyear, 1, 4);
    civil j;
    civil_of(jan4, &j);
    *days = jan4 - (j.dow ? j.dow - 1 : 6);
    return;
  }
  default:
    break;
  }
  civil_of(*days, &c);
  y = c.year;
  unsigned m = 1;
  switch (part) {
  case EX_PART_MONTH:
    m = c.month;
    break;
  case EX_PART_QUARTER:
    m = (c.month - 1) / 3 * 3 + 1;
    break;
  case EX_PART_DECADE: /* DuckDB truncates towards zero, before year 0 too */
    y = y / 10 * 10;
    break;
  case EX_PART_CENTURY:
    y = y / 100 * 100;
    break;
  case EX_PART_MILLENNIUM:
    y = y / 1000 * 1000;
    break;
  default: /* year */
    break;
  }
  *days = tm_days_from_civil(y, m, 1);
}

/* ---- interval text ----------------------------------------------------------------------------*/

static sbd_status eval_interval_text(ex_query *q, const sbd_vec *a, int64_t n, sbd_vec **out) {
  sbd_vec *r = vec_new(q->ctx, SBD_STRING, n > 0 ? n : 1);
  if (!r)
    return SBD_ENOMEM;
  *out = r;
  char buf[SQL_INTERVAL_FMT_MAX];
  for (int64_t i = 0; i < n; i++) {
    if (!vec_is_valid(a, i)) {
      RETURN_IF_ERROR(vec_push_null(q->ctx, r));
      continue;
    }
    ex_interval v = ((const ex_interval *)a->values)[i];
    sql_interval s = {v.months, v.days, v.micros};
    size_t len = sql_interval_format(s, buf);
    RETURN_IF_ERROR(vec_push_str(q->ctx, r, buf, len));
  }
  return SBD_OK;
}

/* ---- age --------------------------------------------------------------------------------------*/

/* age(a, b): a - b in years, months, days and time of day when a >= b: each field of a minus
 * b's, a negative one borrowing from the next (a borrowed month has the length of b's month);
 * when a < b, minus age(b, a). DuckDB's results, checked case by case. */
static ex_interval age_of(int64_t a, int64_t b) {
  if (a < b) {
    ex_interval r = age_of(b, a);
    return interval_negate(r);
  }
  int64_t da, ta, db, tb;
  split_ts(a, &da, &ta);
  split_ts(b, &db, &tb);
  int64_t ya, yb;
  unsigned ma, mb, dda, ddb;
  tm_civil_from_days(da, &ya, &ma, &dda);
  tm_civil_from_days(db, &yb, &mb, &ddb);
  int64_t years = ya - yb, months = (int64_t)ma - mb, days = (int64_t)dda - ddb;
  int64_t us = ta - tb;
  if (us < 0) {
    us += US_PER_DAY;
    days--;
  }
  while (days < 0) {
    days += month_days(yb, mb);
    months--;
  }
  while (months < 0) {
    months += 12;
    years--;
  }
  ex_interval r = {(int32_t)(years * 12 + months), (int32_t)days, us};
  return r;
}

/* ---- strftime ---------------------------------------------------------------------------------*/

static const char *const day_names[7] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                         "Thursday", "Friday", "Saturday"};
static const char *const month_names[12] = {"January",   "February", "March",    "April",
                                            "May",       "June",     "July",     "August",
                                            "September", "October",  "November", "December"};

/* The longest text one specifier writes. */
#define SPEC_MAX 48

/* Writes v in at least width digits (0: no padding), a '-' first when negative. */
static char *put_num(char *p, int64_t v, int width) {
  char tmp[24];
  int k = 0;
  uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
  do {
    tmp[k++] = (char)('0' + u % 10);
    u /= 10;
  } while (u);
  while (k < width)
    tmp[k++] = '0';
  if (v < 0)
    *p++ = '-';
  while (k)
    *p++ = tmp[--k];
  return p;
}

/* Formats ts by fmt into buf (room for fmt_len * SPEC_MAX bytes); the length, or -1 with the
 * offending specifier's offset in *bad. */
static int64_t format_ts(int64_t ts, const char *fmt, size_t fmt_len, char *buf, size_t *bad) {
  int64_t days, t;
  split_ts(ts, &days, &t);
  civil c;
  civil_of(days, &c);
  int64_t hour = t / US_PER_HOUR, minute = t / US_PER_MIN % 60, second = t / US_PER_SEC % 60;
  int64_t frac = t % US_PER_SEC;
  int64_t hour12 = hour % 12 ? hour % 12 : 12;
  unsigned yday0 = c.doy - 1;
  char *p = buf;
  for (size_t i = 0; i < fmt_len; i++) {
    if (fmt[i] != '%') {
      *p++ = fmt[i];
      continue;
    }
    size_t at = i;
    if (++i >= fmt_len) {
      *bad = at;
      return -1;
    }
    bool pad = true;
    if (fmt[i] == '-') {
      pad = false;
      if (++i >= fmt_len) {
        *bad = at;
        return -1;
      }
    }
    char s = fmt[i];
    if (!pad && !strchr("dmyHIMSj", s)) {
      *bad = at;
      return -1;
    }
    int w2 = pad ? 2 : 0;
    switch (s) {
    case 'a':
      memcpy(p, day_names[c.dow], 3);
      p += 3;
      break;
    case 'A':
      p += strlen(strcpy(p, day_names[c.dow]));
      break;
    case 'w':
      p = put_num(p, c.dow, 0);
      break;
    case 'u':
      p = put_num(p, c.dow ? c.dow : 7, 0);
      break;
    case 'd':
      p = put_num(p, c.day, w2);
      break;
    case 'b':
    case 'h':
      memcpy(p, month_names[c.month - 1], 3);
      p += 3;
      break;
    case 'B':
      p += strlen(strcpy(p, month_names[c.month - 1]));
      break;
    case 'm':
      p = put_num(p, c.month, w2);
      break;
    case 'y':
      p = put_num(p, floor_mod(c.year, 100), w2);
      break;
    case 'Y':
      p = put_num(p, c.year, 4);
      break;
    case 'G':
      p = put_num(p, c.isoyear, 4);
      break;
    case 'H':
      p = put_num(p, hour, w2);
      break;
    case 'I':
      p = put_num(p, hour12, w2);
      break;
    case 'p':
      memcpy(p, hour < 12 ? "AM" : "PM", 2);
      p += 2;
      break;
    case 'M':
      p = put_num(p, minute, w2);
      break;
    case 'S':
      p = put_num(p, second, w2);
      break;
    case 'g':
      p = put_num(p, frac / 1000, 3);
      break;
    case 'f':
      p = put_num(p, frac, 6);
      break;
    case 'n':
      p = put_num(p, frac * 1000, 9);
      break;
    case 'z':
      memcpy(p, "+00", 3); /* a TIMESTAMP is UTC */
      p += 3;
      break;
    case 'Z':
      break;
    case 'j':
      p = put_num(p, c.doy, pad ? 3 : 0);
      break;
    case 'U':
      p = put_num(p, (yday0 + 7 - c.dow) / 7, 2);
      break;
    case 'W':
      p = put_num(p, (yday0 + 7 - (c.dow + 6) % 7) / 7, 2);
      break;
    case 'V':
      p = put_num(p, c.week, 2);
      break;
    case 'c':
    case 'x':
    case 'X':
      if (s != 'X') {
        p = put_num(p, c.year, 4);
        *p++ = '-';
        p = put_num(p, c.month, 2);
        *p++ = '-';
        p = put_num(p, c.day, 2);
      }
      if (s == 'c')
        *p++ = ' ';
      if (s != 'x') {
        p = put_num(p, hour, 2);
        *p++ = ':';
        p = put_num(p, minute, 2);
        *p++ = ':';
        p = put_num(p, second, 2);
      }
      break;
    case '%':
      *p++ = '%';
      break;
    default:
      *bad = at;
      return -1;
    }
  }
  return p - buf;
}

static sbd_status eval_strftime(ex_query *q, const ex_expr *e, sbd_vec **args, int64_t n,
                                sbd_vec **out) {
  const sbd_vec *a = args[0], *f = args[1];
  sbd_vec *r = vec_new(q->ctx, SBD_STRING, n > 0 ? n : 1);
  if (!r)
    return SBD_ENOMEM;
  *out = r;
  char *buf = NULL;
  size_t buf_cap = 0;
  sbd_status st = SBD_OK;
  for (int64_t i = 0; i < n && st == SBD_OK; i++) {
    if (!vec_is_valid(a, i) || !vec_is_valid(f, i)) {
      st = vec_push_null(q->ctx, r);
      continue;
    }
    size_t flen;
    const char *fmt = vec_str(f, i, &flen);
    if (flen > 4096) {
      st = sbd_error(q->ctx, SBD_ELIMIT,
                     "SQL: %s: a format of %zu bytes is over the cap of 4096 bytes", e->text, flen);
      break;
    }
    size_t need = flen * SPEC_MAX + 1;
    if (need > buf_cap) {
      char *nb = realloc(buf, need);
      if (!nb) {
        st = sbd_error(q->ctx, SBD_ENOMEM, "out of memory");
        break;
      }
      buf = nb;
      buf_cap = need;
    }
    int64_t ts = ((const int64_t *)a->values)[i]; /* the binder made it a TIMESTAMP */
    size_t bad = 0;
    int64_t len = format_ts(ts, fmt, flen, buf, &bad);
    if (len < 0) {
      char shown[96];
      sbd_quote_value(shown, sizeof(shown), fmt, flen);
      int spec_len = bad + 1 < flen && fmt[bad + 1] == '-' ? 3 : 2;
      if ((size_t)spec_len > flen - bad)
        spec_len = (int)(flen - bad);
      st = sbd_error(q->ctx, SBD_EINPUT,
                     "SQL: %s: the format %s has an unknown specifier '%.*s' at byte %zu (known: "
                     "%%a %%A %%w %%u %%d %%b %%B %%m %%y %%Y %%G %%H %%I %%p %%M %%S %%g %%f %%n "
                     "%%z %%Z %%j %%U %%W %%V %%c %%x %%X %%%%, and %%-d %%-m %%-y %%-H %%-I %%-M "
                     "%%-S %%-j)",
                     e->text, shown, spec_len, fmt + bad, bad + 1);
      break;
    }
    st = vec_push_str(q->ctx, r, buf, (size_t)len);
  }
  free(buf);
  return st;
}

/* ---- strptime ---------------------------------------------------------------------------------*/

static bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* Reads 1..max digits (after spaces) at s[*i]. */
static bool read_num(const char *s, size_t n, size_t *i, int max, int64_t *v) {
  while (*i < n && is_space(s[*i]))
    (*i)++;
  int k = 0;
  int64_t x = 0;
  while (*i < n && k < max && s[*i] >= '0' && s[*i] <= '9') {
    x = x * 10 + (s[(*i)++] - '0');
    k++;
  }
  *v = x;
  return k > 0;
}

/* Reads one of names (matching their first 3 letters, or the whole name), case-insensitive. */
static bool read_name(const char *s, size_t n, size_t *i, const char *const *names, int count,
                      bool full, int *which) {
  for (int k = 0; k < count; k++) {
    size_t len = full ? strlen(names[k]) : 3;
    if (n - *i >= len && strncasecmp(s + *i, names[k], len) == 0) {
      *i += len;
      *which = k;
      return true;
    }
  }
  return false;
}

/* Parses s by fmt as DuckDB's strptime: a space in the format matches any run of white space,
 * numbers may have fewer digits than their width and leading spaces, names are matched without
 * regard to case. Returns false when s does not match (*why says how) or is not a valid time. */
static bool parse_ts(const char *s, size_t n, const char *fmt, size_t fn, int64_t *out,
                     const char **why) {
  int64_t year = 1900, month = 1, day = 1, hour = 0, minute = 0, second = 0, micros = 0;
  int64_t doy = -1, offset_min = 0;
  bool pm = false, has_ampm = false, year_set = false;
  size_t i = 0;
  *why = "the text does not match the format";
  for (size_t j = 0; j < fn; j++) {
    char fc = fmt[j];
    if (is_space(fc)) {
      while (i < n && is_space(s[i]))
        i++;
      continue;
    }
    if (fc != '%') {
      if (i >= n || s[i] != fc)
        return false;
      i++;
      continue;
    }
    if (++j >= fn) {
      *why = "the format ends in a lone %";
      return false;
    }
    if (fmt[j] == '-' && ++j >= fn) {
      *why = "the format ends in %-";
      return false;
    }
    int64_t v;
    int which;
    switch (fmt[j]) {
    case 'd':
      if (!read_num(s, n, &i, 2, &day))
        return false;
      break;
    case 'm':
      if (!read_num(s, n, &i, 2, &month))
        return false;
      break;
    case 'Y':
      if (!read_num(s, n, &i, 9, &year))
        return false;
      year_set = true;
      break;
    case 'y':
      if (!read_num(s, n, &i, 2, &v))
        return false;
      year = v < 69 ? 2000 + v : 1900 + v;
      year_set = true;
      break;
    case 'H':
    case 'I':
      if (!read_num(s, n, &i, 2, &hour))
        return false;
      break;
    case 'M':
      if (!read_num(s, n, &i, 2, &minute))
        return false;
      break;
    case 'S':
      if (!read_num(s, n, &i, 2, &second))
        return false;
      break;
    case 'j':
      if (!read_num(s, n, &i, 3, &doy))
        return false;
      break;
    case 'f':
    case 'g':
    case 'n': {
      int width = fmt[j] == 'g' ? 3 : fmt[j] == 'f' ? 6 : 9;
      size_t start = i;
      if (!read_num(s, n, &i, width, &v))
        return false;
      int digits = (int)(i - start);
      for (int k = digits; k < width; k++)
        v *= 10;
      micros = width == 3 ? v * 1000 : width == 6 ? v : v / 1000;
      break;
    }
    case 'p':
      if (n - i >= 2 && (strncasecmp(s + i, "AM", 2) == 0 || strncasecmp(s + i, "PM", 2) == 0)) {
        pm = s[i] == 'P' || s[i] == 'p';
        has_ampm = true;
        i += 2;
      } else {
        return false;
      }
      break;
    case 'a':
    case 'A':
      if (!read_name(s, n, &i, day_names, 7, fmt[j] == 'A', &which))
        return false;
      break;
    case 'b':
    case 'h':
    case 'B':
      if (!read_name(s, n, &i, month_names, 12, fmt[j] == 'B', &which))
        return false;
      month = which + 1;
      break;
    case 'w':
    case 'u':
      if (!read_num(s, n, &i, 1, &v))
        return false;
      break;
    case 'z': {
      if (i < n && (s[i] == 'Z' || s[i] == 'z')) {
        i++;
        break;
      }
      if (i >= n || (s[i] != '+' && s[i] != '-'))
        return false;
      bool neg = s[i++] == '-';
      int64_t oh, om = 0;
      size_t start = i;
      if (!read_num(s, n, &i, 2, &oh) || i - start != 2)
        return false;
      if (i < n && s[i] == ':')
        i++;
      if (i < n && s[i] >= '0' && s[i] <= '9' && !read_num(s, n, &i, 2, &om))
        return false;
      offset_min = (oh * 60 + om) * (neg ? -1 : 1);
      break;
    }
    case 'Z': /* a zone name: letters */
      while (i < n && ((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z')))
        i++;
      break;
    case '%':
      if (i >= n || s[i] != '%')
        return false;
      i++;
      break;
    default:
      *why = "the format has an unknown specifier";
      return false;
    }
  }
  if (i != n) {
    *why = "the text goes on after the format ends";
    return false;
  }
  if (has_ampm) {
    if (hour < 1 || hour > 12) {
      *why = "the hour is not 1-12";
      return false;
    }
    hour = hour % 12 + (pm ? 12 : 0);
  }
  if (hour > 23 || minute > 59 || second > 59) {
    *why = "the time of day is out of range";
    return false;
  }
  int64_t days;
  if (doy >= 0) {
    (void)year_set;
    if (doy < 1 || doy > (is_leap(year) ? 366 : 365)) {
      *why = "the day of the year is out of range";
      return false;
    }
    days = tm_days_from_civil(year, 1, 1) + doy - 1;
  } else {
    if (month < 1 || month > 12 || day < 1 || day > month_days(year, (unsigned)month)) {
      *why = "the date is not in the calendar";
      return false;
    }
    days = tm_days_from_civil(year, (unsigned)month, (unsigned)day);
  }
  int64_t t = hour * US_PER_HOUR + minute * US_PER_MIN + second * US_PER_SEC + micros -
              offset_min * US_PER_MIN;
  if (!join_ts(days, t, out)) {
    *why = "the result is outside the TIMESTAMP range";
    return false;
  }
  return true;
}

static sbd_status eval_strptime(ex_query *q, const ex_expr *e, sbd_vec **args, int64_t n,
                                sbd_vec **out) {
  const sbd_vec *a = args[0], *f = args[1];
  *out = vec_new(q->ctx, SBD_TIMESTAMP, n > 0 ? n : 1);
  if (!*out)
    return SBD_ENOMEM;
  sbd_vec *r = *out;
  r->len = n;
  int64_t *z = r->values;
  for (int64_t i = 0; i < n; i++) {
    z[i] = 0;
    if (!vec_is_valid(a, i) || !vec_is_valid(f, i)) {
      RETURN_IF_ERROR(vec_set_null(q->ctx, r, i));
      continue;
    }
    size_t len, flen;
    const char *s = vec_str(a, i, &len), *fmt = vec_str(f, i, &flen);
    const char *why;
    if (parse_ts(s, len, fmt, flen, &z[i], &why))
      continue;
    if (e->try_cast) {
      RETURN_IF_ERROR(vec_set_null(q->ctx, r, i));
      continue;
    }
    char shown[96], fshown[96];
    sbd_quote_value(shown, sizeof(shown), s, len);
    sbd_quote_value(fshown, sizeof(fshown), fmt, flen);
    return sbd_error(q->ctx, SBD_EINPUT, "SQL: %s: cannot read %s with the format %s (%s)", e->text,
                     shown, fshown, why);
  }
  return SBD_OK;
}

/* ---- the kernels ------------------------------------------------------------------------------*/

sbd_status ex_interval_vec(ex_query *q, int64_t n, sbd_vec **out) {
  /* Two INT64 slots per interval: the buffer, the bitmap and vec_free work unchanged. */
  *out = vec_new(q->ctx, SBD_INT64, 2 * (n > 0 ? n : 1));
  if (!*out)
    return SBD_ENOMEM;
  (*out)->type = EX_INTERVAL;
  (*out)->len = n;
  return SBD_OK;
}

static sbd_status range_error(ex_query *q, const ex_expr *e) {
  return sbd_error(q->ctx, SBD_EINPUT, "SQL: %s: the result is outside the range of %s", e->text,
                   e->type == SBD_DATE      ? "DATE"
                   : e->type == EX_INTERVAL ? "INTERVAL"
                                            : "TIMESTAMP");
}

/* A result of e's type with the validity of the arguments ANDed (NULL in, NULL out). */
static sbd_status new_result(ex_query *q, const ex_expr *e, sbd_vec **args, int nargs, int64_t n,
                             sbd_vec **out) {
  if (e->type == EX_INTERVAL) {
    RETURN_IF_ERROR(ex_interval_vec(q, n, out));
  } else {
    *out = vec_new(q->ctx, e->type, n > 0 ? n : 1);
    if (!*out)
      return SBD_ENOMEM;
    (*out)->len = n;
  }
  memset((*out)->values, 0,
         (size_t)(n > 0 ? n : 1) * (e->type == EX_INTERVAL ? 16 : type_width(e->type)));
  for (int k = 0; k < nargs; k++)
    if (args[k]->null_count)
      for (int64_t i = 0; i < n; i++)
        if (!vec_is_valid(args[k], i))
          RETURN_IF_ERROR(vec_set_null(q->ctx, *out, i));
  return SBD_OK;
}

/* Row i of a TIMESTAMP vector (the binder casts DATE arguments of these kernels). */
static inline int64_t ts_at(const sbd_vec *v, int64_t i) {
  return ((const int64_t *)v->values)[i];
}

static inline const ex_interval *iv_at(const sbd_vec *v, int64_t i) {
  return &((const ex_interval *)v->values)[i];
}

static bool fits_i32(int64_t v) {
  return v >= INT32_MIN && v <= INT32_MAX;
}

/* Interval comparisons: as EX_CMP's, NULL when either side is, except IS [NOT] DISTINCT FROM. */
static sbd_status eval_interval_cmp(ex_query *q, const ex_expr *e, sbd_vec **args, int64_t n,
                                    sbd_vec **out) {
  const sbd_vec *a = args[0], *b = args[1];
  bool distinct = e->op == EX_DISTINCT || e->op == EX_NOT_DISTINCT;
  *out = vec_new(q->ctx, SBD_BOOL, n > 0 ? n : 1);
  if (!*out)
    return SBD_ENOMEM;
  (*out)->len = n;
  uint8_t *z = (*out)->values;
  for (int64_t i = 0; i < n; i++) {
    bool va = vec_is_valid(a, i), vb = vec_is_valid(b, i);
    if (!va || !vb) {
      z[i] = distinct && (va == vb) == (e->op == EX_NOT_DISTINCT);
      if (!distinct)
        RETURN_IF_ERROR(vec_set_null(q->ctx, *out, i));
      continue;
    }
    int c = ex_interval_compare(*iv_at(a, i), *iv_at(b, i));
    switch (e->op) {
    case EX_EQ:
    case EX_NOT_DISTINCT:
      z[i] = c == 0;
      break;
    case EX_NE:
    case EX_DISTINCT:
      z[i] = c != 0;
      break;
    case EX_LT:
      z[i] = c < 0;
      break;
    case EX_LE:
      z[i] = c <= 0;
      break;
    case EX_GT:
      z[i] = c > 0;
      break;
    default:
      z[i] = c >= 0;
      break;
    }
  }
  return SBD_OK;
}

sbd_status ex_eval_time(ex_query *q, const ex_expr *e, sbd_vec **args, int64_t n, sbd_vec **out) {
  switch (e->fn) {
  case EX_FN_INTERVAL_CMP:
    return eval_interval_cmp(q, e, args, n, out);
  case EX_FN_DATE_PART:
    return eval_date_part(q, e, args[0], n, out);
  case EX_FN_INTERVAL_TEXT:
    return eval_interval_text(q, args[0], n, out);
  case EX_FN_STRFTIME:
    return eval_strftime(q, e, args, n, out);
  case EX_FN_STRPTIME:
    return eval_strptime(q, e, args, n, out);
  default:
    break;
  }
  RETURN_IF_ERROR(new_result(q, e, args, e->nargs, n, out));
  sbd_vec *r = *out;
  const sbd_vec *a = args[0], *b = e->nargs > 1 ? args[1] : NULL;
  for (int64_t i = 0; i < n; i++) {
    if (!vec_is_valid(r, i))
      continue;
    bool ok = true;
    switch (e->fn) {
    case EX_FN_DATE_TRUNC: {
      int64_t days, t;
      days_at(a, i, &days, &t);
      trunc_day(e->part, &days, &t);
      ok = join_ts(days, t, &((int64_t *)r->values)[i]);
      break;
    }
    case EX_FN_DATE_ADD_DAYS: {
      int64_t d = ((const int32_t *)a->values)[i], k = ((const int64_t *)b->values)[i];
      int64_t v = e->op == EX_SUB ? d - k : d + k;
      ok = k > INT32_MIN * INT64_C(2) && k < INT32_MAX * INT64_C(2) && fits_i32(v);
      ((int32_t *)r->values)[i] = ok ? (int32_t)v : 0;
      break;
    }
    case EX_FN_DATE_DIFF:
      ((int64_t *)r->values)[i] =
          (int64_t)((const int32_t *)a->values)[i] - ((const int32_t *)b->values)[i];
      break;
    case EX_FN_TS_ADD: {
      ex_interval v = *iv_at(b, i);
      if (e->op == EX_SUB) {
        ok = v.micros != INT64_MIN;
        v = interval_negate(v);
      }
      ok = ok && ts_add_interval(ts_at(a, i), v, &((int64_t *)r->values)[i]);
      break;
    }
    case EX_FN_TS_DIFF: {
      int64_t d;
      ok = !__builtin_sub_overflow(ts_at(a, i), ts_at(b, i), &d);
      ex_interval v = {0, (int32_t)(d / US_PER_DAY), d % US_PER_DAY};
      ((ex_interval *)r->values)[i] = v;
      break;
    }
    case EX_FN_INTERVAL_ADD: {
      ex_interval x = *iv_at(a, i), y = *iv_at(b, i);
      int sign = e->op == EX_SUB ? -1 : 1;
      int64_t months = (int64_t)x.months + sign * (int64_t)y.months;
      int64_t days = (int64_t)x.days + sign * (int64_t)y.days, us;
      ok = fits_i32(months) && fits_i32(days) &&
           !(sign > 0 ? __builtin_add_overflow(x.micros, y.micros, &us)
                      : __builtin_sub_overflow(x.micros, y.micros, &us));
      ex_interval v = {(int32_t)months, (int32_t)days, ok ? us : 0};
      ((ex_interval *)r->values)[i] = v;
      break;
    }
    case EX_FN_INTERVAL_MUL: {
      ex_interval x = *iv_at(a, i);
      int64_t k = ((const int64_t *)b->values)[i], months, days, us;
      ok = !__builtin_mul_overflow((int64_t)x.months, k, &months) && fits_i32(months) &&
           !__builtin_mul_overflow((int64_t)x.days, k, &days) && fits_i32(days) &&
           !__builtin_mul_overflow(x.micros, k, &us);
      ex_interval v = {ok ? (int32_t)months : 0, ok ? (int32_t)days : 0, ok ? us : 0};
      ((ex_interval *)r->values)[i] = v;
      break;
    }
    case EX_FN_INTERVAL_NEG: {
      ex_interval x = *iv_at(a, i);
      ok = x.months != INT32_MIN && x.days != INT32_MIN && x.micros != INT64_MIN;
      ((ex_interval *)r->values)[i] = ok ? interval_negate(x) : x;
      break;
    }
    case EX_FN_TO_INTERVAL: {
      int64_t k = ((const int64_t *)a->values)[i], v;
      ex_interval iv = {0, 0, 0};
      switch (e->part) {
      case EX_PART_MILLENNIUM:
      case EX_PART_CENTURY:
      case EX_PART_DECADE:
      case EX_PART_YEAR:
      case EX_PART_QUARTER:
      case EX_PART_MONTH: {
        int64_t per = e->part == EX_PART_MILLENNIUM ? 12000
                      : e->part == EX_PART_CENTURY  ? 1200
                      : e->part == EX_PART_DECADE   ? 120
                      : e->part == EX_PART_YEAR     ? 12
                      : e->part == EX_PART_QUARTER  ? 3
                                                    : 1;
        ok = !__builtin_mul_overflow(k, per, &v) && fits_i32(v);
        iv.months = ok ? (int32_t)v : 0;
        break;
      }
      case EX_PART_WEEK:
      case EX_PART_DAY:
        ok = !__builtin_mul_overflow(k, e->part == EX_PART_WEEK ? 7 : 1, &v) && fits_i32(v);
        iv.days = ok ? (int32_t)v : 0;
        break;
      default: {
        int64_t per = e->part == EX_PART_HOUR          ? US_PER_HOUR
                      : e->part == EX_PART_MINUTE      ? US_PER_MIN
                      : e->part == EX_PART_SECOND      ? US_PER_SEC
                      : e->part == EX_PART_MILLISECOND ? 1000
                                                       : 1;
        ok = !__builtin_mul_overflow(k, per, &iv.micros);
        break;
      }
      }
      ((ex_interval *)r->values)[i] = iv;
      break;
    }
    case EX_FN_AGE:
      ((ex_interval *)r->values)[i] = age_of(ts_at(a, i), ts_at(b, i));
      break;
    case EX_FN_MAKE_DATE: {
      int64_t y = ((const int64_t *)a->values)[i], m = ((const int64_t *)b->values)[i];
      int64_t d = ((const int64_t *)args[2]->values)[i];
      if (y < -290000 || y > 290000 || m < 1 || m > 12 || d < 1 || d > month_days(y, (unsigned)m))
        return sbd_error(q->ctx, SBD_EINPUT,
                         "SQL: %s: %lld-%lld-%lld is not a date in the calendar", e->text,
                         (long long)y, (long long)m, (long long)d);
      ((int32_t *)r->values)[i] = (int32_t)tm_days_from_civil(y, (unsigned)m, (unsigned)d);
      break;
    }
    case EX_FN_EPOCH_MS:
      ((int64_t *)r->values)[i] = ts_at(a, i) / 1000;
      break;
    case EX_FN_MS_TO_TS:
      ok = !__builtin_mul_overflow(((const int64_t *)a->values)[i], 1000,
                                   &((int64_t *)r->values)[i]);
      break;
    case EX_FN_SEC_TO_TS: {
      double us = nearbyint(((const double *)a->values)[i] * 1e6);
      ok = us >= -9223372036854775808.0 && us < 9223372036854775808.0;
      ((int64_t *)r->values)[i] = ok ? (int64_t)us : 0;
      break;
    }
    default:
      return sbd_error(q->ctx, SBD_EINTERNAL, "SQL: internal error: time function %d", e->fn);
    }
    if (!ok)
      return range_error(q, e);
  }
  return SBD_OK;
}
