/*
 * test_expr_time.c — the calendar math of dates, times and intervals (expr_time.c) and the
 * regular expressions (expr_regex.c), through SQL: month ends, leap years, ISO weeks at year
 * boundaries, instants before 1970, negative intervals, age's borrows, strftime/strptime, and the
 * errors a user sees. Every expected value is DuckDB's answer to the same query.
 */
#include "sbd.h"
#include "test.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* The first row of sql's result as "v1|v2|..." (NULL for nulls), or "error: <message>". */
static void first_row(const char *sql, char *out, size_t cap) {
  sbd_ctx *ctx = sbd_ctx_new();
  sbd_reader *r = NULL;
  sbd_batch *b = NULL;
  sbd_status st = sbd_query(ctx, sql, &r);
  if (st == SBD_OK)
    st = sbd_reader_next(r, &b);
  if (st != SBD_OK) {
    snprintf(out, cap, "error: %s", sbd_errmsg(ctx));
  } else if (!b) {
    snprintf(out, cap, "no rows");
  } else {
    size_t len = 0;
    out[0] = 0;
    for (int c = 0; c < sbd_batch_ncols(b) && len < cap; c++) {
      char v[128];
      int64_t n = sbd_batch_value_text(b, c, 0, v, sizeof(v));
      len += (size_t)snprintf(out + len, cap - len, "%s%s", c ? "|" : "", n < 0 ? "NULL" : v);
    }
  }
  sbd_batch_free(b);
  sbd_reader_close(r);
  sbd_ctx_free(ctx);
}

typedef struct sql_case {
  const char *sql, *want; /* want "error: ..." matches a message that starts so */
} sql_case;

static void run_cases(const sql_case *cases, size_t n) {
  for (size_t i = 0; i < n; i++) {
    char got[1024];
    first_row(cases[i].sql, got, sizeof(got));
    size_t len = strlen(cases[i].want);
    bool error = strncmp(cases[i].want, "error: ", 7) == 0;
    bool ok = error ? strncmp(got, cases[i].want, len) == 0 : strcmp(got, cases[i].want) == 0;
    CHECK(ok, "%s\n    got:  %s\n    want: %s%s", cases[i].sql, got, cases[i].want,
          error ? "..." : "");
  }
}

TEST(time_arithmetic) {
  static const sql_case cases[] = {
      /* month ends and leap years */
      {"SELECT DATE '2024-02-29' + INTERVAL '1 year', DATE '2024-01-31' + INTERVAL '1 month', "
       "DATE '2023-01-31' + INTERVAL '1 month', TIMESTAMP '2024-03-31 00:00:00' - INTERVAL "
       "'1 month'",
       "2025-02-28 00:00:00|2024-02-29 00:00:00|2023-02-28 00:00:00|2024-02-29 00:00:00"},
      {"SELECT DATE '2000-02-28' + 1, DATE '1900-02-28' + 1, DATE '2024-03-01' - DATE "
       "'2023-03-01', DATE '1969-12-31' - DATE '1970-01-01', 3 + DATE '2024-01-01'",
       "2000-02-29|1900-03-01|366|-1|2024-01-04"},
      /* before 1970: days and times of day by floor division */
      {"SELECT TIMESTAMP '1969-12-31 23:59:59.5' + INTERVAL '1 second', date_part('hour', "
       "TIMESTAMP '1969-12-31 23:59:59'), date_trunc('hour', TIMESTAMP '1969-12-31 23:59:59.5'), "
       "date_trunc('second', TIMESTAMP '1969-12-31 23:59:59.5'), date_part('dow', DATE "
       "'1969-12-31')",
       "1970-01-01 00:00:00.5|23|1969-12-31 23:00:00|1969-12-31 23:59:59|3"},
      /* intervals: arithmetic, text, comparison after normalising */
      {"SELECT CAST(TIMESTAMP '2024-01-01 00:00:00' - TIMESTAMP '2024-03-01 10:00:00' AS VARCHAR), "
       "CAST(INTERVAL '1 month' * -2 AS VARCHAR), CAST(-INTERVAL '1 day' AS VARCHAR), "
       "CAST(INTERVAL '1 day' - INTERVAL '1 month' AS VARCHAR), CAST(TIMESTAMP '2024-01-01' - "
       "TIMESTAMP '2024-01-01 00:00:00.000001' AS VARCHAR)",
       "-60 days -10:00:00|-2 months|-1 day|-1 month 1 day|-00:00:00.000001"},
      {"SELECT INTERVAL '30 days' = INTERVAL '1 month', INTERVAL '1 year' > INTERVAL '364 days', "
       "INTERVAL '-1 day' < INTERVAL '1 hour', INTERVAL '1 month' = INTERVAL '720 hours', "
       "INTERVAL '1 day' < '2 days'",
       "true|false|true|true|true"},
      {"SELECT extract(epoch FROM INTERVAL '1 year'), extract(epoch FROM INTERVAL '1 month 1 "
       "day'), "
       "date_part('minute', INTERVAL '-90 minutes'), date_part('hour', INTERVAL '30 hours')",
       "31557600.0|2678400.0|-30|30"},
      /* age borrows a month of the earlier date's length; a < b is minus age(b, a) */
      {"SELECT CAST(age(TIMESTAMP '2024-03-31', TIMESTAMP '2024-02-29') AS VARCHAR), "
       "CAST(age(TIMESTAMP '2024-02-29', TIMESTAMP '2024-03-31') AS VARCHAR), "
       "CAST(age(TIMESTAMP '2023-03-01', TIMESTAMP '2023-01-31 12:00:00') AS VARCHAR), "
       "CAST(age(TIMESTAMP '2023-01-31 12:00:00', TIMESTAMP '2023-03-01') AS VARCHAR)",
       "1 month 2 days|-1 month -2 days|1 month 12:00:00|-1 month -12:00:00"},
      /* NULLs */
      {"SELECT DATE '2024-01-01' + NULL, NULL - DATE '2024-01-01', TIMESTAMP '2024-01-01' + NULL, "
       "year(NULL), strftime(NULL, '%Y')",
       "NULL|NULL|NULL|NULL|NULL"},
      /* errors */
      {"SELECT TIMESTAMP '2024-01-01' + 1",
       "error: SQL: cannot add TIMESTAMP and INT64 in TIMESTAMP '2024-01-01' + 1"},
      {"SELECT TIMESTAMP '2024-01-01' + INTERVAL '300000 years'",
       "error: SQL: TIMESTAMP '2024-01-01' + INTERVAL '300000 years': the result is outside the "
       "range of TIMESTAMP"},
      /* a DATE beyond the TIMESTAMP range still has parts; a TIMESTAMP made of it is an error */
      {"SELECT year(DATE '+5000000-03-01'), date_part('epoch', DATE '+5000000-03-01')",
       "5000000|157722597964800.0"},
      {"SELECT date_trunc('month', DATE '+5000000-03-01')",
       "error: SQL: date_trunc('month', DATE '+5000000-03-01'): the result is outside the range "
       "of TIMESTAMP"},
      {"SELECT DATE '+5000000-03-01' + INTERVAL 1 DAY",
       "error: SQL: DATE '+5000000-03-01': cannot cast \"+5000000-03-01\" from DATE to "
       "TIMESTAMP"},
      {"SELECT make_date(2024, 2, 30)",
       "error: SQL: make_date(2024, 2, 30): 2024-2-30 is not a date in the calendar"},
      {"SELECT TIMESTAMP '2024-01-02' - TIMESTAMP '2024-01-01'",
       "error: SQL: not supported yet: an INTERVAL value here"},
  };
  run_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

TEST(time_parts) {
  static const sql_case cases[] = {
      /* ISO weeks at year boundaries */
      {"SELECT date_part('week', DATE '2020-12-31'), date_part('week', DATE '2021-01-03'), "
       "date_part('week', DATE '2021-01-04'), date_part('isoyear', DATE '2021-01-03'), "
       "date_part('week', DATE '2024-12-30'), date_part('isoyear', DATE '2024-12-30'), "
       "date_part('yearweek', DATE '2021-01-01')",
       "53|53|1|2020|1|2025|202053"},
      {"SELECT date_trunc('isoyear', DATE '2021-01-03'), date_trunc('week', DATE '2024-05-19'), "
       "date_trunc('quarter', TIMESTAMP '2024-05-17 10:11:12'), date_trunc('decade', DATE "
       "'2024-05-17'), date_trunc('century', DATE '2024-05-17')",
       "2019-12-30 00:00:00|2024-05-13 00:00:00|2024-04-01 00:00:00|2020-01-01 00:00:00|2000-01-01 "
       "00:00:00"},
      {"SELECT date_part('dow', DATE '2024-05-19'), date_part('isodow', DATE '2024-05-19'), "
       "date_part('doy', DATE '2024-12-31'), date_part('century', DATE '2000-12-31'), "
       "date_part('millennium', DATE '2001-01-01'), date_part('julian', DATE '2001-01-01')",
       "0|7|366|20|3|2451911.0"},
      {"SELECT extract(second FROM TIMESTAMP '2024-03-01 10:00:07.5'), date_part('millisecond', "
       "TIMESTAMP '2024-01-01 00:00:07.123456'), date_part('microsecond', TIMESTAMP '2024-01-01 "
       "00:00:07.123456'), date_part('epoch', TIMESTAMP '2024-03-01 10:00:00.5')",
       "7|7123|7123456|1709287200.5"},
      {"SELECT date_part('fortnight', DATE '2024-01-01')",
       "error: SQL: date_part(): 'fortnight' is not a date part"},
      {"SELECT date_trunc('dow', DATE '2024-01-01')",
       "error: SQL: date_trunc() cannot truncate to 'dow'"},
  };
  run_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

TEST(time_format_and_parse) {
  static const sql_case cases[] = {
      {"SELECT strftime(TIMESTAMP '2024-01-07 05:04:03.012345', "
       "'%a|%A|%w|%u|%d|%-d|%b|%B|%m|%y|%Y|%H|%I|%p|%M|%S|%g|%f|%z|%Z|%j|%U|%W|%V|%%')",
       "Sun|Sunday|0|7|07|7|Jan|January|01|24|2024|05|05|AM|04|03|012|012345|+00||007|01|01|01|%"},
      {"SELECT strftime(TIMESTAMP '1969-07-20 20:17:40', '%Y-%m-%d %H:%M:%S %p %I %j %a'), "
       "strftime(DATE '2024-12-30', '%G-W%V-%u'), strftime('%Y', DATE '2024-01-01')",
       "1969-07-20 20:17:40 PM 08 201 Sun|2025-W01-1|2024"},
      {"SELECT strptime('20/07/1969 08:17:40 PM', '%d/%m/%Y %I:%M:%S %p'), "
       "strptime('07/Jan/2024:05:04:03.5', '%d/%b/%Y:%H:%M:%S.%f'), strptime('2024-001', "
       "'%Y-%j'), strptime('68', '%y'), strptime('69', '%y')",
       "1969-07-20 20:17:40|2024-01-07 05:04:03.5|2024-01-01 00:00:00|2068-01-01 "
       "00:00:00|1969-01-01 00:00:00"},
      {"SELECT strptime('2024-01-07 05:00 +0130', '%Y-%m-%d %H:%M %z'), try_strptime('x', '%Y'), "
       "try_strptime('2024-02-30', '%Y-%m-%d')",
       "2024-01-07 03:30:00|NULL|NULL"},
      {"SELECT epoch_ms(TIMESTAMP '1969-12-31 23:59:59.9995'), epoch_ms(1704067201500), "
       "to_timestamp(-1.5), make_date(1, 1, 1)",
       "0|2024-01-01 00:00:01.5|1969-12-31 23:59:58.5|0001-01-01"},
      {"SELECT strptime('2024-01-07x', '%Y-%m-%d')",
       "error: SQL: strptime('2024-01-07x', '%Y-%m-%d'): cannot read \"2024-01-07x\" with the "
       "format \"%Y-%m-%d\" (the text goes on after the format ends)"},
      {"SELECT strptime('2024-13-01', '%Y-%m-%d')",
       "error: SQL: strptime('2024-13-01', '%Y-%m-%d'): cannot read \"2024-13-01\" with the "
       "format \"%Y-%m-%d\" (the date is not in the calendar)"},
      {"SELECT strftime(DATE '2024-01-01', 'x%qy')",
       "error: SQL: strftime(DATE '2024-01-01', 'x%qy'): the format \"x%qy\" has an unknown "
       "specifier '%q' at byte 2"},
  };
  run_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

TEST(regexp_functions) {
  static const sql_case cases[] = {
      {"SELECT regexp_matches('abc', '^b'), regexp_matches('abc', 'B', 'i'), "
       "regexp_full_match('abc', 'a.c'), regexp_full_match('abc', 'b')",
       "false|true|true|false"},
      {"SELECT regexp_replace('aaa', 'a', 'b'), regexp_replace('aaa', 'a', 'b', 'g'), "
       "regexp_replace('abc', '(b)', '[\\1\\0]'), regexp_replace('abc', 'x*', '-', 'g'), "
       "regexp_replace('abc', 'b*', '-', 'g'), regexp_replace('abc', '(b)', '\\2')",
       "baa|bbb|a[bb]c|-a-b-c-|-a-c-|abc"},
      {"SELECT regexp_extract('abc123', '[0-9]+'), regexp_extract('abc', '[0-9]+'), "
       "regexp_extract('abc123', '([a-z]+)([0-9]+)', 2), regexp_extract('héllo', 'h(.)', 1)",
       "123||123|é"},
      {"SELECT regexp_matches('a' || chr_missing, 'a')", "error: SQL: no column 'chr_missing'"},
      {"SELECT regexp_matches('abc', '(')",
       "error: SQL: regexp_matches('abc', '('): bad regular expression \"(\": missing closing "
       "parenthesis (at byte 1)"},
      {"SELECT regexp_matches('abc', 'a', 'g')",
       "error: SQL: regexp_matches(): option 'g' (every match) is only for regexp_replace"},
      {"SELECT regexp_matches('abc', 'a', 'x')",
       "error: SQL: regexp_matches(): unknown regular expression option 'x'"},
      {"SELECT regexp_extract('abc', 'b', -1)",
       "error: SQL: regexp_extract('abc', 'b', -1): the group must be between 0 and 9, not -1"},
  };
  run_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

/* A CAST to VARCHAR binds its argument once (it first looks for an INTERVAL): 40 nested casts
 * bind in 40 steps, not 2^40. */
TEST(time_nested_casts_bind_once) {
  char sql[2048] = "SELECT ";
  for (int i = 0; i < 40; i++)
    strcat(sql, "CAST(");
  strcat(sql, "1");
  for (int i = 0; i < 40; i++)
    strcat(sql, " AS VARCHAR)");
  char got[256];
  first_row(sql, got, sizeof(got));
  ASSERT_STR_EQ(got, "1");
}
