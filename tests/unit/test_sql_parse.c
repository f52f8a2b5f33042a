/*
 * test_sql_parse.c — the SQL front end (src/sql/): lexer, parser, canonical printer, caret
 * messages and intervals.
 *
 * The two big tables are (SQL, canonical text) and (SQL, status, exact message). Every canonical
 * text is also parsed again and must print unchanged, the round trip the fuzzer checks on random
 * input. The tests after them look inside the tree: source offsets, identifiers, literal values,
 * the shape of joins, windows and set operations, the desugared forms, the depth caps.
 */
#include "sql/sql_int.h"
#include "test.h"

#include <math.h>
#include <stdlib.h>

/* Parses sql into a; on failure reports the message and returns NULL. */
static sql_stmt *parse_ok(sbd_ctx *ctx, arena *a, const char *sql) {
  sql_stmt *st = NULL;
  if (sql_parse(ctx, sql, a, &st) != SBD_OK) {
    test_fail(__FILE__, __LINE__, "cannot parse %s: %s", sql, sbd_errmsg(ctx));
    return NULL;
  }
  return st;
}

/* The canonical text of a statement, in a static buffer. */
static const char *canonical(const sql_stmt *st) {
  static sql_buf b;
  sql_buf_free(&b);
  if (!sql_print(st, &b))
    return "(print failed)";
  return b.data;
}

static const sql_expr *item(const sql_stmt *st, int i) {
  return st->query->select->items[i].expr;
}

/* ---- (SQL, canonical text)
 * ---------------------------------------------------------------------*/

static const struct {
  const char *sql, *canonical;
} canonical_cases[] = {
    {"SELECT 1", "SELECT 1"},
    {"SELECT -5, +5, - -5, -(5)", "SELECT -5, 5, 5, -5"},
    {"SELECT 9223372036854775807, -9223372036854775808, 9223372036854775808, - "
     "-9223372036854775808",
     "SELECT 9223372036854775807, -9223372036854775808, 9.223372036854776e+18, "
     "9.223372036854776e+18"},
    {"SELECT 1.5, .5, 1., 1e3, 1.5E-3, 2.50", "SELECT 1.5, 0.5, 1.0, 1000.0, 0.0015, 2.5"},
    {"SELECT 1e999, -1e999, 1e-999", "SELECT 1e999, -1e999, 0.0"},
    {"SELECT 'it''s', '', 'héllo'", "SELECT 'it''s', '', 'héllo'"},
    {"SELECT NULL, TRUE, FALSE, true, null", "SELECT NULL, TRUE, FALSE, TRUE, NULL"},
    {"SELECT DATE '2024-01-31', DATE '0001-01-01'", "SELECT DATE '2024-01-31', DATE '0001-01-01'"},
    {"SELECT TIMESTAMP '2024-01-31T12:00:00.250Z', TIMESTAMP '2024-01-31', TIMESTAMP '1969-12-31 "
     "23:59:59.999999'",
     "SELECT TIMESTAMP '2024-01-31 12:00:00.25', TIMESTAMP '2024-01-31 00:00:00', TIMESTAMP "
     "'1969-12-31 23:59:59.999999'"},
    {"SELECT TIMESTAMPTZ '2024-01-01 02:00:00+02'", "SELECT TIMESTAMPTZ '2024-01-01 00:00:00'"},
    {"SELECT INTERVAL '1 year 2 months 3 days 04:05:06.5', INTERVAL '3 DAYS', INTERVAL '0 days'",
     "SELECT INTERVAL '1 year 2 months 3 days 04:05:06.5', INTERVAL '3 days', INTERVAL '00:00:00'"},
    {"SELECT INTERVAL 3 DAY, INTERVAL '3' HOURS, INTERVAL 2 WEEKS, INTERVAL 1 QUARTER, INTERVAL "
     "1.5 DAYS",
     "SELECT INTERVAL '3 days', INTERVAL '03:00:00', INTERVAL '14 days', INTERVAL '3 months', "
     "INTERVAL '1 day 12:00:00'"},
    {"SELECT INTERVAL '-14 months', INTERVAL '1.5 days', INTERVAL '1.5 months', INTERVAL "
     "'-26:00:00'",
     "SELECT INTERVAL '-1 year -2 months', INTERVAL '1 day 12:00:00', INTERVAL '1 month 15 days', "
     "INTERVAL '-26:00:00'"},
    {"SELECT INTERVAL (n + 1) MONTH, INTERVAL (2) YEARS", "SELECT to_months((n + 1)), to_years(2)"},
    {"SELECT INTERVAL '90', INTERVAL '1 day ago', INTERVAL '2 h 30 m', INTERVAL '500 ms 7 us'",
     "SELECT INTERVAL '00:01:30', INTERVAL '-1 day', INTERVAL '02:30:00', INTERVAL "
     "'00:00:00.500007'"},
    {"SELECT 1 + 2 * 3, (1 + 2) * 3", "SELECT (1 + (2 * 3)), ((1 + 2) * 3)"},
    {"SELECT 1 - 2 - 3, 8 / 4 / 2, 7 % 3 * 2",
     "SELECT ((1 - 2) - 3), ((8 / 4) / 2), ((7 % 3) * 2)"},
    {"SELECT 2 ^ 3 ^ 2, -2 ^ 2, -x ^ 2, 2 ^ -x",
     "SELECT ((2 ^ 3) ^ 2), (-2 ^ 2), ((-x) ^ 2), (2 ^ (-x))"},
    {"SELECT 2 * -x, -x::INT, -(x + 1)", "SELECT (2 * (-x)), (-CAST(x AS INT)), (-(x + 1))"},
    {"SELECT a || b || c, a || b + c, a + b || c",
     "SELECT ((a || b) || c), (a || (b + c)), ((a + b) || c)"},
    {"SELECT a = b + c, a < b || c, a + 1 >= b * 2",
     "SELECT (a = (b + c)), (a < (b || c)), ((a + 1) >= (b * 2))"},
    {"SELECT a = b AND c = d OR e, a OR b AND c",
     "SELECT (((a = b) AND (c = d)) OR e), (a OR (b AND c))"},
    {"SELECT a AND b AND c, (a AND b) AND c, a OR b OR c AND d",
     "SELECT (a AND b AND c), ((a AND b) AND c), (a OR b OR (c AND d))"},
    {"SELECT NOT a AND b, NOT a = b, NOT a IS NULL, NOT NOT a",
     "SELECT ((NOT a) AND b), (NOT (a = b)), (NOT (a IS NULL)), (NOT (NOT a))"},
    {"SELECT a = NOT b, a = NOT b AND c", "SELECT (a = (NOT b)), ((a = (NOT b)) AND c)"},
    {"SELECT a IS NULL = b, a = b IS NULL, a IS NULL IS NULL",
     "SELECT ((a IS NULL) = b), ((a = b) IS NULL), ((a IS NULL) IS NULL)"},
    {"SELECT a IS NOT NULL AND b IS NULL", "SELECT ((a IS NOT NULL) AND (b IS NULL))"},
    {"SELECT a BETWEEN 1 AND 2 AND b, a BETWEEN b + 1 AND c * 2, a NOT BETWEEN 1 AND 2",
     "SELECT ((a BETWEEN 1 AND 2) AND b), (a BETWEEN (b + 1) AND (c * 2)), (a NOT BETWEEN 1 AND "
     "2)"},
    {"SELECT a = b BETWEEN 1 AND 2", "SELECT (a = (b BETWEEN 1 AND 2))"},
    {"SELECT a LIKE 'x%' || 'y', a NOT LIKE 'x' ESCAPE '!', a ILIKE 'x', a NOT ILIKE 'y'",
     "SELECT (a LIKE ('x%' || 'y')), (a NOT LIKE 'x' ESCAPE '!'), (a ILIKE 'x'), (a NOT ILIKE "
     "'y')"},
    {"SELECT a IN (1, 2, 3), a NOT IN ('x'), a + 1 IN (1, 2), a IN (1) = b, a IN (1) IN (TRUE)",
     "SELECT (a IN (1, 2, 3)), (a NOT IN ('x')), ((a + 1) IN (1, 2)), ((a IN (1)) = b), ((a IN "
     "(1)) IN (TRUE))"},
    {"SELECT a IN (SELECT b FROM t), a NOT IN (SELECT b FROM t)",
     "SELECT (a IN (SELECT b FROM t)), (a NOT IN (SELECT b FROM t))"},
    {"SELECT a IS DISTINCT FROM b, a IS NOT DISTINCT FROM b + 1",
     "SELECT (a IS DISTINCT FROM b), (a IS NOT DISTINCT FROM (b + 1))"},
    {"SELECT a IS TRUE, a IS NOT FALSE, a IS FALSE, a IS NOT TRUE",
     "SELECT (a IS NOT DISTINCT FROM TRUE), (a IS DISTINCT FROM FALSE), (a IS NOT DISTINCT FROM "
     "FALSE), (a IS DISTINCT FROM TRUE)"},
    {"SELECT a == b, a != b, a <> b, a <= b, a >= b, a < b, a > b",
     "SELECT (a = b), (a <> b), (a <> b), (a <= b), (a >= b), (a < b), (a > b)"},
    {"SELECT x::INT + 1, x::INT::VARCHAR, '2024-01-01'::DATE",
     "SELECT (CAST(x AS INT) + 1), CAST(CAST(x AS INT) AS VARCHAR), CAST('2024-01-01' AS DATE)"},
    {"SELECT t.a, \"T\".\"A b\", \"x\"\"y\" FROM t", "SELECT t.a, T.\"A b\", \"x\"\"y\" FROM t"},
    {"SELECT \"select\", \"date\", date, timestamp, interval FROM t",
     "SELECT \"select\", \"date\", \"date\", \"timestamp\", \"interval\" FROM t"},
    {"SELECT Amount, AMOUNT, amount FROM Orders", "SELECT Amount, AMOUNT, amount FROM Orders"},
    {"SELECT a b, c AS d, e \"F\", f AS \"g h\" FROM t",
     "SELECT a AS b, c AS d, e AS F, f AS \"g h\" FROM t"},
    {"SELECT 1 AS from, 2 AS \"select\", 3 AS date",
     "SELECT 1 AS \"from\", 2 AS \"select\", 3 AS \"date\""},
    {"SELECT year, month, day, value, name, first, last, rows, range, nulls, filter, over FROM t",
     "SELECT year, month, day, value, name, \"first\", \"last\", \"rows\", \"range\", \"nulls\", "
     "\"filter\", \"over\" FROM t"},
    {"SELECT count(*), count(), count(x), count(DISTINCT x), count(ALL x)",
     "SELECT count(*), count(), count(x), count(DISTINCT x), count(x)"},
    {"SELECT sum(v) FILTER (WHERE v > 0), count(*) FILTER (WHERE x)",
     "SELECT sum(v) FILTER (WHERE (v > 0)), count(*) FILTER (WHERE x)"},
    {"SELECT string_agg(s, ',' ORDER BY s DESC), first(v ORDER BY ts NULLS FIRST)",
     "SELECT string_agg(s, ',' ORDER BY s DESC), first(v ORDER BY ts NULLS FIRST)"},
    {"SELECT coalesce(a, b, 0), greatest(1, 2), least(3, 4), nullif(a, b)",
     "SELECT coalesce(a, b, 0), greatest(1, 2), least(3, 4), nullif(a, b)"},
    {"SELECT left(s, 2), right(s, 3), LEFT(s, 1)", "SELECT left(s, 2), right(s, 3), LEFT(s, 1)"},
    {"SELECT lower(s), upper(s), trim(s), length(s), substr(s, 1, 2), replace(s, 'a', 'b'), "
     "concat(a, b)",
     "SELECT lower(s), upper(s), trim(s), length(s), substr(s, 1, 2), replace(s, 'a', 'b'), "
     "concat(a, b)"},
    {"SELECT regexp_matches(s, '^a.*'), regexp_replace(s, 'a', 'b', 'g')",
     "SELECT regexp_matches(s, '^a.*'), regexp_replace(s, 'a', 'b', 'g')"},
    {"SELECT abs(x), round(x, 2), floor(x), ceil(x), sqrt(x), ln(x), exp(x), pow(x, 2)",
     "SELECT abs(x), round(x, 2), floor(x), ceil(x), sqrt(x), ln(x), exp(x), pow(x, 2)"},
    {"SELECT date_trunc('month', ts), now(), strftime(ts, '%Y-%m'), strptime(s, '%Y')",
     "SELECT date_trunc('month', ts), now(), strftime(ts, '%Y-%m'), strptime(s, '%Y')"},
    {"SELECT EXTRACT(year FROM d), EXTRACT('Month' FROM d), EXTRACT(EPOCH FROM ts)",
     "SELECT date_part('year', d), date_part('month', d), date_part('epoch', ts)"},
    {"SELECT current_date, current_timestamp, CURRENT_DATE()",
     "SELECT current_date(), current_timestamp(), CURRENT_DATE()"},
    {"SELECT median(v3), stddev(v3), variance(v), quantile_cont(v, 0.5), corr(v1, v2) ^ 2",
     "SELECT median(v3), stddev(v3), variance(v), quantile_cont(v, 0.5), (corr(v1, v2) ^ 2)"},
    {"SELECT approx_count_distinct(x), any_value(x), max(v1) - min(v2)",
     "SELECT approx_count_distinct(x), any_value(x), (max(v1) - min(v2))"},
    {"SELECT \"my func\"(x), \"interval\"(x), \"extract\"(x), \"select\"(1), date(x)",
     "SELECT \"my func\"(x), \"interval\"(x), \"extract\"(x), \"select\"(1), date(x)"},
    {"SELECT row_number() OVER (ORDER BY x)", "SELECT row_number() OVER (ORDER BY x)"},
    {"SELECT rank() OVER (PARTITION BY a, b ORDER BY c DESC)",
     "SELECT rank() OVER (PARTITION BY a, b ORDER BY c DESC)"},
    {"SELECT lag(v, 1) OVER (PARTITION BY k ORDER BY ts), lead(v) OVER (ORDER BY ts)",
     "SELECT lag(v, 1) OVER (PARTITION BY k ORDER BY ts), lead(v) OVER (ORDER BY ts)"},
    {"SELECT sum(v) OVER ()", "SELECT sum(v) OVER ()"},
    {"SELECT k, sum(v) FROM t GROUP BY k HAVING sum(v) > 1 QUALIFY rank() OVER (ORDER BY k) <= 2",
     "SELECT k, sum(v) FROM t GROUP BY k HAVING (sum(v) > 1) QUALIFY (rank() OVER (ORDER BY k) <= "
     "2)"},
    {"SELECT sum(v) OVER (ORDER BY t ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)",
     "SELECT sum(v) OVER (ORDER BY t ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)"},
    {"SELECT avg(v) OVER (ORDER BY t ROWS BETWEEN 3 PRECEDING AND 3 FOLLOWING)",
     "SELECT avg(v) OVER (ORDER BY t ROWS BETWEEN 3 PRECEDING AND 3 FOLLOWING)"},
    {"SELECT sum(v) OVER (ORDER BY t ROWS 3 PRECEDING), sum(v) OVER (ORDER BY t ROWS UNBOUNDED "
     "PRECEDING)",
     "SELECT sum(v) OVER (ORDER BY t ROWS BETWEEN 3 PRECEDING AND CURRENT ROW), sum(v) OVER (ORDER "
     "BY t ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)"},
    {"SELECT sum(v) OVER (ORDER BY t RANGE BETWEEN INTERVAL 1 DAY PRECEDING AND CURRENT ROW)",
     "SELECT sum(v) OVER (ORDER BY t RANGE BETWEEN INTERVAL '1 day' PRECEDING AND CURRENT ROW)"},
    {"SELECT sum(v) OVER (ORDER BY t GROUPS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING)",
     "SELECT sum(v) OVER (ORDER BY t GROUPS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING)"},
    {"SELECT sum(v) OVER (PARTITION BY k ROWS BETWEEN 1 FOLLOWING AND 2 FOLLOWING)",
     "SELECT sum(v) OVER (PARTITION BY k ROWS BETWEEN 1 FOLLOWING AND 2 FOLLOWING)"},
    {"SELECT count(*) FILTER (WHERE x) OVER (PARTITION BY k)",
     "SELECT count(*) FILTER (WHERE x) OVER (PARTITION BY k)"},
    {"SELECT count(*) over FROM t", "SELECT count(*) AS \"over\" FROM t"},
    {"SELECT CASE WHEN a > 0 THEN 'p' WHEN a < 0 THEN 'n' ELSE 'z' END",
     "SELECT CASE WHEN (a > 0) THEN 'p' WHEN (a < 0) THEN 'n' ELSE 'z' END"},
    {"SELECT CASE a WHEN 1 THEN 'one' END, CASE a + 1 WHEN 2 THEN 'x' ELSE 'y' END",
     "SELECT CASE a WHEN 1 THEN 'one' END, CASE (a + 1) WHEN 2 THEN 'x' ELSE 'y' END"},
    {"SELECT CASE WHEN a THEN CASE WHEN b THEN 1 END END",
     "SELECT CASE WHEN a THEN CASE WHEN b THEN 1 END END"},
    {"SELECT CAST(a AS BIGINT), CAST(a AS DOUBLE PRECISION), CAST(a AS DECIMAL(18, 3)), CAST(a AS "
     "NUMERIC(10))",
     "SELECT CAST(a AS BIGINT), CAST(a AS DOUBLE), CAST(a AS DECIMAL(18, 3)), CAST(a AS "
     "NUMERIC(10))"},
    {"SELECT CAST(a AS VARCHAR(10)), CAST(a AS CHARACTER VARYING(5)), CAST(a AS character(2)), "
     "CAST(a AS text)",
     "SELECT CAST(a AS VARCHAR(10)), CAST(a AS VARCHAR(5)), CAST(a AS CHARACTER(2)), CAST(a AS "
     "TEXT)"},
    {"SELECT CAST(a AS TIMESTAMP WITH TIME ZONE), CAST(a AS timestamp without time zone), CAST(a "
     "AS datetime)",
     "SELECT CAST(a AS TIMESTAMPTZ), CAST(a AS TIMESTAMP), CAST(a AS DATETIME)"},
    {"SELECT CAST(a AS boolean), CAST(a AS bool), CAST(a AS interval), TRY_CAST(a AS date), "
     "a::int8, cast(x as Integer)",
     "SELECT CAST(a AS BOOLEAN), CAST(a AS BOOL), CAST(a AS INTERVAL), TRY_CAST(a AS DATE), CAST(a "
     "AS INT8), CAST(x AS INTEGER)"},
    {"SELECT CAST(a AS TINYINT), CAST(a AS SMALLINT), CAST(a AS HUGEINT), CAST(a AS INT64), CAST(a "
     "AS REAL), CAST(a AS FLOAT)",
     "SELECT CAST(a AS TINYINT), CAST(a AS SMALLINT), CAST(a AS HUGEINT), CAST(a AS INT64), CAST(a "
     "AS REAL), CAST(a AS FLOAT)"},
    {"SELECT (SELECT max(v) FROM t), ((SELECT 1))", "SELECT (SELECT max(v) FROM t), (SELECT 1)"},
    {"SELECT EXISTS (SELECT 1 FROM u WHERE u.id = t.id), NOT EXISTS (SELECT 1)",
     "SELECT EXISTS (SELECT 1 FROM u WHERE (u.id = t.id)), (NOT EXISTS (SELECT 1))"},
    {"SELECT x IN (SELECT y FROM z UNION ALL SELECT w FROM q)",
     "SELECT (x IN (SELECT y FROM z UNION ALL SELECT w FROM q))"},
    {"SELECT ((SELECT 1) UNION ALL (SELECT 2)), x IN ((SELECT 1) UNION ALL SELECT 2)",
     "SELECT (SELECT 1 UNION ALL SELECT 2), (x IN (SELECT 1 UNION ALL SELECT 2))"},
    {"SELECT ((SELECT a FROM t) ORDER BY 1 LIMIT 1)",
     "SELECT (SELECT a FROM t ORDER BY 1 LIMIT 1)"},
    {"SELECT * FROM t", "SELECT * FROM t"},
    {"SELECT t.*, u.a FROM t, u", "SELECT t.*, u.a FROM t CROSS JOIN u"},
    {"SELECT * EXCLUDE (a, b) FROM t", "SELECT * EXCLUDE (a, b) FROM t"},
    {"SELECT * EXCLUDE a FROM t", "SELECT * EXCLUDE (a) FROM t"},
    {"SELECT t.* EXCLUDE (x), * FROM t", "SELECT t.* EXCLUDE (x), * FROM t"},
    {"SELECT DISTINCT a, b FROM t", "SELECT DISTINCT a, b FROM t"},
    {"SELECT ALL a FROM t", "SELECT a FROM t"},
    {"SELECT * FROM t AS x, t y, t z (a, b)",
     "SELECT * FROM t AS x CROSS JOIN t AS y CROSS JOIN t AS z (a, b)"},
    {"SELECT * FROM 'data/*.parquet'", "SELECT * FROM 'data/*.parquet'"},
    {"SELECT * FROM 'it''s.csv' AS f", "SELECT * FROM 'it''s.csv' AS f"},
    {"SELECT * FROM read_csv('x.txt', delim = ';', header = false)",
     "SELECT * FROM read_csv('x.txt', delim = ';', header = FALSE)"},
    {"SELECT * FROM read_csv_auto('x.csv'), read_parquet('p/*.parquet') p",
     "SELECT * FROM read_csv_auto('x.csv') CROSS JOIN read_parquet('p/*.parquet') AS p"},
    {"SELECT * FROM read_jsonl('x.jsonl', escape = '\\', \"quote\" = '\"')",
     "SELECT * FROM read_jsonl('x.jsonl', \"escape\" = '\\', quote = '\"')"},
    {"SELECT * FROM read_csv(delim = ',', 'x.csv')",
     "SELECT * FROM read_csv('x.csv', delim = ',')"},
    {"SELECT * FROM (SELECT 1 AS a) s, (SELECT 1) AS s2 (x), (SELECT 2)",
     "SELECT * FROM (SELECT 1 AS a) AS s CROSS JOIN (SELECT 1) AS s2 (x) CROSS JOIN (SELECT 2)"},
    {"SELECT * FROM ((SELECT 1) UNION ALL (SELECT 2)) AS u",
     "SELECT * FROM (SELECT 1 UNION ALL SELECT 2) AS u"},
    {"SELECT * FROM (t), (t) AS x", "SELECT * FROM t CROSS JOIN t AS x"},
    {"SELECT * FROM a JOIN b ON a.x = b.x", "SELECT * FROM a JOIN b ON (a.x = b.x)"},
    {"SELECT * FROM a INNER JOIN b ON TRUE LEFT JOIN c ON TRUE LEFT OUTER JOIN d ON TRUE",
     "SELECT * FROM a JOIN b ON TRUE LEFT JOIN c ON TRUE LEFT JOIN d ON TRUE"},
    {"SELECT * FROM a RIGHT JOIN b USING (x) RIGHT OUTER JOIN c USING (x, y) FULL JOIN d ON TRUE "
     "FULL OUTER JOIN e ON TRUE",
     "SELECT * FROM a RIGHT JOIN b USING (x) RIGHT JOIN c USING (x, y) FULL JOIN d ON TRUE FULL "
     "JOIN e ON TRUE"},
    {"SELECT * FROM a CROSS JOIN b", "SELECT * FROM a CROSS JOIN b"},
    {"SELECT * FROM trades t ASOF JOIN quotes q ON t.sym = q.sym AND t.ts >= q.ts",
     "SELECT * FROM trades AS t ASOF JOIN quotes AS q ON ((t.sym = q.sym) AND (t.ts >= q.ts))"},
    {"SELECT * FROM trades t ASOF LEFT JOIN quotes q USING (sym, ts)",
     "SELECT * FROM trades AS t ASOF LEFT JOIN quotes AS q USING (sym, ts)"},
    {"SELECT * FROM a, b JOIN c ON x", "SELECT * FROM a CROSS JOIN (b JOIN c ON x)"},
    {"SELECT * FROM a JOIN (b JOIN c ON x) ON y", "SELECT * FROM a JOIN (b JOIN c ON x) ON y"},
    {"SELECT * FROM (a JOIN b ON x) JOIN c ON y", "SELECT * FROM a JOIN b ON x JOIN c ON y"},
    {"SELECT * FROM a JOIN b ON a.x = b.x AND a.y = b.y",
     "SELECT * FROM a JOIN b ON ((a.x = b.x) AND (a.y = b.y))"},
    {"SELECT a FROM t WHERE a > 1", "SELECT a FROM t WHERE (a > 1)"},
    {"SELECT a, b, count(*) FROM t GROUP BY a, b HAVING count(*) > 1",
     "SELECT a, b, count(*) FROM t GROUP BY a, b HAVING (count(*) > 1)"},
    {"SELECT a, sum(b) FROM t GROUP BY ALL", "SELECT a, sum(b) FROM t GROUP BY ALL"},
    {"SELECT a FROM t ORDER BY a, b DESC, c ASC NULLS FIRST, d DESC NULLS LAST",
     "SELECT a FROM t ORDER BY a, b DESC, c NULLS FIRST, d DESC NULLS LAST"},
    {"SELECT a, b FROM t ORDER BY 1, 2 DESC", "SELECT a, b FROM t ORDER BY 1, 2 DESC"},
    {"SELECT a FROM t LIMIT 10", "SELECT a FROM t LIMIT 10"},
    {"SELECT a FROM t LIMIT 10 OFFSET 5", "SELECT a FROM t LIMIT 10 OFFSET 5"},
    {"SELECT a FROM t OFFSET 5 LIMIT 10", "SELECT a FROM t LIMIT 10 OFFSET 5"},
    {"SELECT a FROM t OFFSET 5", "SELECT a FROM t OFFSET 5"},
    {"SELECT a FROM t LIMIT 2 + 3", "SELECT a FROM t LIMIT (2 + 3)"},
    {"SELECT 1 UNION ALL SELECT 2", "SELECT 1 UNION ALL SELECT 2"},
    {"SELECT 1 UNION SELECT 2", "SELECT 1 UNION SELECT 2"},
    {"SELECT 1 UNION DISTINCT SELECT 2", "SELECT 1 UNION SELECT 2"},
    {"SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3",
     "(SELECT 1 UNION ALL SELECT 2) UNION ALL SELECT 3"},
    {"SELECT 1 UNION SELECT 2 INTERSECT SELECT 3", "SELECT 1 UNION (SELECT 2 INTERSECT SELECT 3)"},
    {"SELECT 1 INTERSECT SELECT 2 UNION SELECT 3", "(SELECT 1 INTERSECT SELECT 2) UNION SELECT 3"},
    {"SELECT 1 EXCEPT ALL SELECT 2, 3 EXCEPT SELECT 4",
     "(SELECT 1 EXCEPT ALL SELECT 2, 3) EXCEPT SELECT 4"},
    {"SELECT 1 UNION ALL SELECT 2 ORDER BY 1 LIMIT 1",
     "SELECT 1 UNION ALL SELECT 2 ORDER BY 1 LIMIT 1"},
    {"(SELECT a FROM t ORDER BY a LIMIT 1) UNION ALL (SELECT b FROM u)",
     "(SELECT a FROM t ORDER BY a LIMIT 1) UNION ALL SELECT b FROM u"},
    {"(SELECT 1) ORDER BY 1", "SELECT 1 ORDER BY 1"},
    {"(SELECT 1 LIMIT 1) ORDER BY 1", "SELECT 1 ORDER BY 1 LIMIT 1"},
    {"((SELECT 1))", "SELECT 1"},
    {"SELECT 1 UNION ALL (SELECT 2 UNION ALL SELECT 3)",
     "SELECT 1 UNION ALL (SELECT 2 UNION ALL SELECT 3)"},
    {"WITH a AS (SELECT 1) SELECT * FROM a", "WITH a AS (SELECT 1) SELECT * FROM a"},
    {"WITH a (x, y) AS (SELECT 1, 2), b AS (SELECT x FROM a) SELECT * FROM b",
     "WITH a (x, y) AS (SELECT 1, 2), b AS (SELECT x FROM a) SELECT * FROM b"},
    {"WITH a AS (SELECT 1) SELECT * FROM a UNION ALL SELECT 2",
     "WITH a AS (SELECT 1) SELECT * FROM a UNION ALL SELECT 2"},
    {"WITH a AS (SELECT 1) (SELECT * FROM a)", "WITH a AS (SELECT 1) SELECT * FROM a"},
    {"SELECT * FROM (WITH a AS (SELECT 1) SELECT * FROM a) s",
     "SELECT * FROM (WITH a AS (SELECT 1) SELECT * FROM a) AS s"},
    {"(WITH a AS (SELECT 1) SELECT * FROM a) UNION ALL SELECT 2",
     "(WITH a AS (SELECT 1) SELECT * FROM a) UNION ALL SELECT 2"},
    {"SELECT /* c */ 1 -- x", "SELECT 1"},
    {"SELECT /* a /* b */ c */ 1", "SELECT 1"},
    {"SELECT 1; ;", "SELECT 1"},
    {"select A from T where X = 1", "SELECT A FROM T WHERE (X = 1)"},
    {"SELECT\ta,\n  b\nFROM t", "SELECT a, b FROM t"},
    {"SELECT ä, \"ä\" FROM t", "SELECT \"ä\", \"ä\" FROM t"},
    {"SELECT 123abc, 1e", "SELECT 123 AS abc, 1 AS e"},
    {"SELECT id1, sum(v1) AS v1 FROM 'lake/*.parquet' GROUP BY id1",
     "SELECT id1, sum(v1) AS v1 FROM 'lake/*.parquet' GROUP BY id1"},
    {"SELECT id4, id5, median(v3) AS median_v3, stddev(v3) AS sd_v3 FROM x GROUP BY id4, id5",
     "SELECT id4, id5, median(v3) AS median_v3, stddev(v3) AS sd_v3 FROM x GROUP BY id4, id5"},
    {"SELECT id6, v3 AS largest2_v3 FROM (SELECT id6, v3, row_number() OVER (PARTITION BY id6 "
     "ORDER BY v3 DESC) AS order_v3 FROM x WHERE v3 IS NOT NULL) AS sub_query WHERE order_v3 <= 2",
     "SELECT id6, v3 AS largest2_v3 FROM (SELECT id6, v3, row_number() OVER (PARTITION BY id6 "
     "ORDER BY v3 DESC) AS order_v3 FROM x WHERE (v3 IS NOT NULL)) AS sub_query WHERE (order_v3 <= "
     "2)"},
    {"SELECT id2, id4, pow(corr(v1, v2), 2) AS r2 FROM x GROUP BY id2, id4",
     "SELECT id2, id4, pow(corr(v1, v2), 2) AS r2 FROM x GROUP BY id2, id4"},
    {"SELECT a FROM t WHERE d >= DATE '2024-01-01' AND ts < TIMESTAMP '2024-02-01' + INTERVAL 1 "
     "DAY",
     "SELECT a FROM t WHERE ((d >= DATE '2024-01-01') AND (ts < (TIMESTAMP '2024-02-01 00:00:00' + "
     "INTERVAL '1 day')))"},
    {"SELECT a FROM t WHERE s LIKE '%x' OR s ILIKE 'Y%' AND NOT s IN ('a', 'b')",
     "SELECT a FROM t WHERE ((s LIKE '%x') OR ((s ILIKE 'Y%') AND (NOT (s IN ('a', 'b')))))"},
    {"SELECT x FROM t WHERE x > (SELECT avg(x) FROM t)",
     "SELECT x FROM t WHERE (x > (SELECT avg(x) FROM t))"},
    {"SELECT * FROM ((a JOIN b ON x))", "SELECT * FROM a JOIN b ON x"},
    {"SELECT * FROM a LEFT JOIN (b CROSS JOIN c) ON TRUE",
     "SELECT * FROM a LEFT JOIN (b CROSS JOIN c) ON TRUE"},
    {"SELECT - x, NOT - x, +-+-5", "SELECT (-x), (NOT (-x)), 5"},
    {"SELECT a FROM t WHERE x BETWEEN -1 AND +1", "SELECT a FROM t WHERE (x BETWEEN -1 AND 1)"},
    {"SELECT CASE WHEN a IS NULL THEN b END IS NULL",
     "SELECT (CASE WHEN (a IS NULL) THEN b END IS NULL)"},
    {"SELECT f(x) FILTER (WHERE a) OVER (ORDER BY b ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS w "
     "FROM t",
     "SELECT f(x) FILTER (WHERE a) OVER (ORDER BY b ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS w "
     "FROM t"},
    {"SELECT x AS \"Total Amount\" FROM t ORDER BY \"Total Amount\"",
     "SELECT x AS \"Total Amount\" FROM t ORDER BY \"Total Amount\""},
    {"SELECT COUNT(*) FROM T", "SELECT COUNT(*) FROM T"},
    {"SELECT x FROM t WHERE ts BETWEEN TIMESTAMP '2024-01-01' AND TIMESTAMP '2024-01-02'",
     "SELECT x FROM t WHERE (ts BETWEEN TIMESTAMP '2024-01-01 00:00:00' AND TIMESTAMP '2024-01-02 "
     "00:00:00')"},
    {"SELECT * FROM t WHERE id NOT IN (SELECT id FROM u) AND EXISTS (SELECT 1)",
     "SELECT * FROM t WHERE ((id NOT IN (SELECT id FROM u)) AND EXISTS (SELECT 1))"},
    {"SELECT a FROM t UNION ALL SELECT b FROM u ORDER BY 1 DESC LIMIT 5 OFFSET 1",
     "SELECT a FROM t UNION ALL SELECT b FROM u ORDER BY 1 DESC LIMIT 5 OFFSET 1"},
    {"SELECT a FROM t WHERE x IS NOT DISTINCT FROM NULL",
     "SELECT a FROM t WHERE (x IS NOT DISTINCT FROM NULL)"},
    {"SELECT ((((1))))", "SELECT 1"},
    {"SELECT 1::DOUBLE / 3, 7 / 2", "SELECT (CAST(1 AS DOUBLE) / 3), (7 / 2)"},
    {"SELECT ts - INTERVAL '1' MONTH, d + 7", "SELECT (ts - INTERVAL '1 month'), (d + 7)"},
    {"SELECT a.\"from\", \"from\".b FROM t AS a", "SELECT a.\"from\", \"from\".b FROM t AS a"},
    {"SELECT lag(v) OVER (PARTITION BY k ORDER BY ts) - v AS delta FROM t",
     "SELECT (lag(v) OVER (PARTITION BY k ORDER BY ts) - v) AS delta FROM t"},
    {"SELECT 2 == 2 = TRUE, 'ab' == 'a' || 'b', a = b == c",
     "SELECT ((2 = 2) = TRUE), (('ab' = 'a') || 'b'), (a = (b = c))"},
    {"SELECT a IS NULL::INT, x IN (1, 2)::BIGINT < 3, x NOT IN (SELECT 1)::INT, a IS TRUE::INT",
     "SELECT CAST((a IS NULL) AS INT), (CAST((x IN (1, 2)) AS BIGINT) < 3), CAST((x NOT IN (SELECT "
     "1)) AS INT), CAST((a IS NOT DISTINCT FROM TRUE) AS INT)"},
    {"SELECT a IN (1) LIKE 'x', a IN (1) IN (TRUE), a LIKE 'b'::VARCHAR",
     "SELECT ((a IN (1)) LIKE 'x'), ((a IN (1)) IN (TRUE)), (a LIKE CAST('b' AS VARCHAR))"},
    {"SELECT a IS NULL IS DISTINCT FROM b, a IS TRUE IS NULL",
     "SELECT ((a IS NULL) IS DISTINCT FROM b), ((a IS NOT DISTINCT FROM TRUE) IS NULL)"},
};

TEST(sql_parse_canonical) {
  sbd_ctx *ctx = sbd_ctx_new();
  int n = (int)(sizeof(canonical_cases) / sizeof(canonical_cases[0]));
  for (int i = 0; i < n; i++) {
    arena a;
    arena_init(&a, 0);
    sql_stmt *st = NULL;
    sbd_status s = sql_parse(ctx, canonical_cases[i].sql, &a, &st);
    CHECK(s == SBD_OK, "case %d: %s: %s", i, canonical_cases[i].sql, sbd_errmsg(ctx));
    if (s == SBD_OK) {
      const char *got = canonical(st);
      CHECK(strcmp(got, canonical_cases[i].canonical) == 0,
            "case %d: %s\n  got:      %s\n  expected: %s", i, canonical_cases[i].sql, got,
            canonical_cases[i].canonical);
    }
    /* The canonical text parses to the same tree: it prints unchanged. */
    arena_reset(&a);
    s = sql_parse(ctx, canonical_cases[i].canonical, &a, &st);
    CHECK(s == SBD_OK, "case %d: canonical %s: %s", i, canonical_cases[i].canonical,
          sbd_errmsg(ctx));
    if (s == SBD_OK)
      CHECK(strcmp(canonical(st), canonical_cases[i].canonical) == 0,
            "case %d: canonical %s printed as %s", i, canonical_cases[i].canonical, canonical(st));
    arena_free(&a);
  }
  sbd_ctx_free(ctx);
}

/* ---- (SQL, status, message)
 * --------------------------------------------------------------------*/

static const struct {
  const char *sql;
  sbd_status status;
  const char *message;
} error_cases[] = {
    {"SELECT a, b, FROM t", SBD_EINPUT,
     "SQL: syntax error at line 1, column 14: expected an expression after ',' but found FROM\n"
     "  SELECT a, b, FROM t\n"
     "               ^"},
    {"SELCT 1", SBD_EINPUT,
     "SQL: syntax error at line 1, column 1: expected SELECT or WITH but found SELCT (did you mean "
     "SELECT?)\n"
     "  SELCT 1\n"
     "  ^"},
    {"FROM t SELECT a", SBD_EINPUT,
     "SQL: syntax error at line 1, column 1: expected SELECT or WITH but found FROM\n"
     "  FROM t SELECT a\n"
     "  ^"},
    {"SELECT a FORM t", SBD_EINPUT,
     "SQL: syntax error at line 1, column 15: expected the end of the query but found t (did you "
     "mean FROM instead of FORM?)\n"
     "  SELECT a FORM t\n"
     "                ^"},
    {"SELECT * FROM t WHER a = 1", SBD_EINPUT,
     "SQL: syntax error at line 1, column 22: expected the end of the query but found a (did you "
     "mean WHERE instead of WHER?)\n"
     "  SELECT * FROM t WHER a = 1\n"
     "                       ^"},
    {"SELECT a, b FROM t GROPU BY a", SBD_EINPUT,
     "SQL: syntax error at line 1, column 26: expected the end of the query but found BY (did you "
     "mean GROUP instead of GROPU?)\n"
     "  SELECT a, b FROM t GROPU BY a\n"
     "                           ^"},
    {"SELECT * FROM t WHERE x = 1 ODER BY x", SBD_EINPUT,
     "SQL: syntax error at line 1, column 29: expected the end of the query but found ODER (did "
     "you mean ORDER?)\n"
     "  SELECT * FROM t WHERE x = 1 ODER BY x\n"
     "                              ^"},
    {"SELECT a FROM t LIMIT 10 OFSET 5", SBD_EINPUT,
     "SQL: syntax error at line 1, column 26: expected the end of the query but found OFSET (did "
     "you mean OFFSET?)\n"
     "  SELECT a FROM t LIMIT 10 OFSET 5\n"
     "                           ^"},
    {"SELECT (a + b FROM t", SBD_EINPUT,
     "SQL: syntax error at line 1, column 15: expected ')' but found FROM\n"
     "  SELECT (a + b FROM t\n"
     "                ^"},
    {"SELECT a FROM", SBD_EINPUT,
     "SQL: syntax error at line 1, column 14: expected a table name, a 'file path' or a subquery "
     "after FROM but found the end of the SQL\n"
     "  SELECT a FROM\n"
     "               ^"},
    {"SELECT a FROM WHERE x", SBD_EINPUT,
     "SQL: syntax error at line 1, column 15: expected a table name, a 'file path' or a subquery "
     "after FROM but found WHERE\n"
     "  SELECT a FROM WHERE x\n"
     "                ^"},
    {"SELECT * FROM t JOIN u WHERE x = 1", SBD_EINPUT,
     "SQL: syntax error at line 1, column 24: expected JOIN condition ON or USING but found WHERE\n"
     "  SELECT * FROM t JOIN u WHERE x = 1\n"
     "                         ^"},
    {"SELECT * FROM t LEFT u ON TRUE", SBD_EINPUT,
     "SQL: syntax error at line 1, column 22: expected JOIN after LEFT but found u\n"
     "  SELECT * FROM t LEFT u ON TRUE\n"
     "                       ^"},
    {"SELECT * FROM t CROSS u", SBD_EINPUT,
     "SQL: syntax error at line 1, column 23: expected JOIN after CROSS but found u\n"
     "  SELECT * FROM t CROSS u\n"
     "                        ^"},
    {"SELECT a FROM t WHERE", SBD_EINPUT,
     "SQL: syntax error at line 1, column 22: expected an expression after WHERE but found the end "
     "of the SQL\n"
     "  SELECT a FROM t WHERE\n"
     "                       ^"},
    {"SELECT a FROM t GROUP a", SBD_EINPUT,
     "SQL: syntax error at line 1, column 23: expected BY after GROUP but found a\n"
     "  SELECT a FROM t GROUP a\n"
     "                        ^"},
    {"SELECT a FROM t ORDER a", SBD_EINPUT,
     "SQL: syntax error at line 1, column 23: expected BY after ORDER but found a\n"
     "  SELECT a FROM t ORDER a\n"
     "                        ^"},
    {"SELECT a FROM t ORDER BY", SBD_EINPUT,
     "SQL: syntax error at line 1, column 25: expected an expression after ORDER BY but found the "
     "end of the SQL\n"
     "  SELECT a FROM t ORDER BY\n"
     "                          ^"},
    {"SELECT a FROM t LIMIT", SBD_EINPUT,
     "SQL: syntax error at line 1, column 22: expected an expression after LIMIT but found the end "
     "of the SQL\n"
     "  SELECT a FROM t LIMIT\n"
     "                       ^"},
    {"SELECT 1 < 2 < 3", SBD_EINPUT,
     "SQL: syntax error at line 1, column 14: comparisons do not chain: add parentheses, or AND, "
     "before '<'\n"
     "  SELECT 1 < 2 < 3\n"
     "               ^"},
    {"SELECT a = b = c", SBD_EINPUT,
     "SQL: syntax error at line 1, column 14: comparisons do not chain: add parentheses, or AND, "
     "before '='\n"
     "  SELECT a = b = c\n"
     "               ^"},
    {"SELECT a LIKE b LIKE c", SBD_EINPUT,
     "SQL: syntax error at line 1, column 17: LIKE cannot follow a LIKE or BETWEEN without "
     "parentheses\n"
     "  SELECT a LIKE b LIKE c\n"
     "                  ^"},
    {"SELECT a BETWEEN 1 AND 2 BETWEEN 3 AND 4", SBD_EINPUT,
     "SQL: syntax error at line 1, column 26: BETWEEN cannot follow a LIKE or BETWEEN without "
     "parentheses\n"
     "  SELECT a BETWEEN 1 AND 2 BETWEEN 3 AND 4\n"
     "                           ^"},
    {"SELECT a BETWEEN 1 OR 2", SBD_EINPUT,
     "SQL: syntax error at line 1, column 20: expected AND after 1 but found OR\n"
     "  SELECT a BETWEEN 1 OR 2\n"
     "                     ^"},
    {"SELECT CASE WHEN a THEN 1", SBD_EINPUT,
     "SQL: syntax error at line 1, column 26: expected WHEN, ELSE or END but found the end of the "
     "SQL\n"
     "  SELECT CASE WHEN a THEN 1\n"
     "                           ^"},
    {"SELECT CASE a THEN 1 END", SBD_EINPUT,
     "SQL: syntax error at line 1, column 15: expected WHEN but found THEN\n"
     "  SELECT CASE a THEN 1 END\n"
     "                ^"},
    {"SELECT CASE WHEN a 1 END", SBD_EINPUT,
     "SQL: syntax error at line 1, column 20: expected THEN after a but found 1\n"
     "  SELECT CASE WHEN a 1 END\n"
     "                     ^"},
    {"SELECT CAST(x int)", SBD_EINPUT,
     "SQL: syntax error at line 1, column 15: expected AS after x but found int\n"
     "  SELECT CAST(x int)\n"
     "                ^"},
    {"SELECT CAST(x AS VARCHR)", SBD_EINPUT,
     "SQL: syntax error at line 1, column 18: unknown type VARCHR (did you mean VARCHAR?)\n"
     "  SELECT CAST(x AS VARCHR)\n"
     "                   ^"},
    {"SELECT x::", SBD_EINPUT,
     "SQL: syntax error at line 1, column 11: expected a type name after '::' but found the end of "
     "the SQL\n"
     "  SELECT x::\n"
     "            ^"},
    {"SELECT CAST(x AS DECIMAL(40, 2))", SBD_EINPUT,
     "SQL: syntax error at line 1, column 18: the width of DECIMAL must be between 1 and 38, not "
     "40\n"
     "  SELECT CAST(x AS DECIMAL(40, 2))\n"
     "                   ^"},
    {"SELECT CAST(x AS DECIMAL(10, 12))", SBD_EINPUT,
     "SQL: syntax error at line 1, column 18: the scale of DECIMAL (12) must not exceed its width "
     "(10)\n"
     "  SELECT CAST(x AS DECIMAL(10, 12))\n"
     "                   ^"},
    {"SELECT CAST(x AS INT(3))", SBD_EINPUT,
     "SQL: syntax error at line 1, column 21: INT takes no width, precision or length in "
     "parentheses\n"
     "  SELECT CAST(x AS INT(3))\n"
     "                      ^"},
    {"SELECT 'abc", SBD_EINPUT,
     "SQL: syntax error at line 1, column 8: unterminated string: the quote here is never closed\n"
     "  SELECT 'abc\n"
     "         ^"},
    {"SELECT \"abc", SBD_EINPUT,
     "SQL: syntax error at line 1, column 8: unterminated quoted identifier: the \" here is never "
     "closed\n"
     "  SELECT \"abc\n"
     "         ^"},
    {"SELECT 1 /* never closed", SBD_EINPUT,
     "SQL: syntax error at line 1, column 10: unterminated comment: the /* here is never closed\n"
     "  SELECT 1 /* never closed\n"
     "           ^"},
    {"SELECT a ? b", SBD_EINPUT,
     "SQL: syntax error at line 1, column 10: unexpected character '?'\n"
     "  SELECT a ? b\n"
     "           ^"},
    {"SELECT a ! b", SBD_EINPUT,
     "SQL: syntax error at line 1, column 10: unexpected character '!' (did you mean '!='?)\n"
     "  SELECT a ! b\n"
     "           ^"},
    {"SELECT a | b", SBD_EINPUT,
     "SQL: syntax error at line 1, column 10: unexpected character '|' (did you mean '||'?)\n"
     "  SELECT a | b\n"
     "           ^"},
    {"SELECT a : b", SBD_EINPUT,
     "SQL: syntax error at line 1, column 10: unexpected character ':' (did you mean '::'?)\n"
     "  SELECT a : b\n"
     "           ^"},
    {"SELECT \"\"", SBD_EINPUT,
     "SQL: syntax error at line 1, column 8: zero-length quoted identifier \"\"\n"
     "  SELECT \"\"\n"
     "         ^"},
    {"SELECT DATE '2024-13-01'", SBD_EINPUT,
     "SQL: invalid literal at line 1, column 13: cannot read \"2024-13-01\" as a DATE "
     "(YYYY-MM-DD)\n"
     "  SELECT DATE '2024-13-01'\n"
     "              ^"},
    {"SELECT TIMESTAMP '2024-01-01 25:00'", SBD_EINPUT,
     "SQL: invalid literal at line 1, column 18: cannot read \"2024-01-01 25:00\" as a TIMESTAMP "
     "(YYYY-MM-DD hh:mm:ss[.ffffff][+hh:mm])\n"
     "  SELECT TIMESTAMP '2024-01-01 25:00'\n"
     "                   ^"},
    {"SELECT INTERVAL '3 dayz'", SBD_EINPUT,
     "SQL: invalid literal at line 1, column 17: cannot read \"3 dayz\" as an INTERVAL (such as '3 "
     "days', '1 year 2 months', '04:30:00')\n"
     "  SELECT INTERVAL '3 dayz'\n"
     "                  ^"},
    {"SELECT INTERVAL 3", SBD_EINPUT,
     "SQL: syntax error at line 1, column 18: expected an interval unit (YEAR, MONTH, DAY, HOUR, "
     "MINUTE, SECOND, ...) after 3 but found the end of the SQL\n"
     "  SELECT INTERVAL 3\n"
     "                   ^"},
    {"SELECT INTERVAL 3 fortnights", SBD_EINPUT,
     "SQL: syntax error at line 1, column 19: expected an interval unit (YEAR, MONTH, DAY, HOUR, "
     "MINUTE, SECOND, ...) after 3 but found fortnights\n"
     "  SELECT INTERVAL 3 fortnights\n"
     "                    ^"},
    {"SELECT a FROM t; SELECT b FROM u", SBD_EINPUT,
     "SQL: syntax error at line 1, column 18: expected the end of the SQL after ';' but found "
     "SELECT (one statement at a time)\n"
     "  SELECT a FROM t; SELECT b FROM u\n"
     "                   ^"},
    {"SELECT a FROM t t2 t3", SBD_EINPUT,
     "SQL: syntax error at line 1, column 20: expected the end of the query but found t3\n"
     "  SELECT a FROM t t2 t3\n"
     "                     ^"},
    {"SELECT f(a, b", SBD_EINPUT,
     "SQL: syntax error at line 1, column 14: expected ',' or ')' but found the end of the SQL\n"
     "  SELECT f(a, b\n"
     "               ^"},
    {"SELECT f(a b)", SBD_EINPUT,
     "SQL: syntax error at line 1, column 12: expected ',' or ')' but found b\n"
     "  SELECT f(a b)\n"
     "             ^"},
    {"SELECT x IN 1, 2", SBD_EINPUT,
     "SQL: syntax error at line 1, column 13: expected '(' after IN but found 1\n"
     "  SELECT x IN 1, 2\n"
     "              ^"},
    {"SELECT x IN ()", SBD_EINPUT,
     "SQL: syntax error at line 1, column 14: expected an expression after '(' but found ')'\n"
     "  SELECT x IN ()\n"
     "               ^"},
    {"SELECT count(*) OVER (ORDER BY x ROWS BETWEEN UNBOUNDED FOLLOWING AND CURRENT ROW)",
     SBD_EINPUT,
     "SQL: syntax error at line 1, column 47: a window frame cannot start at UNBOUNDED FOLLOWING\n"
     "  ... count(*) OVER (ORDER BY x ROWS BETWEEN UNBOUNDED FOLLOWING AND CURRENT ROW)\n"
     "                                             ^"},
    {"SELECT count(*) OVER (ORDER BY x ROWS BETWEEN CURRENT ROW AND UNBOUNDED PRECEDING)",
     SBD_EINPUT,
     "SQL: syntax error at line 1, column 63: a window frame cannot end at UNBOUNDED PRECEDING\n"
     "  ... count(*) OVER (ORDER BY x ROWS BETWEEN CURRENT ROW AND UNBOUNDED PRECEDING)\n"
     "                                                             ^"},
    {"SELECT count(*) OVER (ORDER BY x ROWS BETWEEN CURRENT ROW AND 1 PRECEDING)", SBD_EINPUT,
     "SQL: syntax error at line 1, column 63: a window frame that starts at the CURRENT ROW cannot "
     "end at a PRECEDING row\n"
     "  SELECT count(*) OVER (ORDER BY x ROWS BETWEEN CURRENT ROW AND 1 PRECEDING)\n"
     "                                                                ^"},
    {"SELECT count(*) OVER (ORDER BY x ROWS 1 FOLLOWING)", SBD_EINPUT,
     "SQL: syntax error at line 1, column 39: a window frame that starts at a FOLLOWING row must "
     "end at a FOLLOWING row\n"
     "  SELECT count(*) OVER (ORDER BY x ROWS 1 FOLLOWING)\n"
     "                                        ^"},
    {"SELECT count(*) OVER (ORDER BY x ROWS 1)", SBD_EINPUT,
     "SQL: syntax error at line 1, column 40: expected PRECEDING or FOLLOWING after 1 but found "
     "')'\n"
     "  SELECT count(*) OVER (ORDER BY x ROWS 1)\n"
     "                                         ^"},
    {"SELECT count(*) OVER (PARTITION x)", SBD_EINPUT,
     "SQL: syntax error at line 1, column 33: expected BY after PARTITION but found x\n"
     "  SELECT count(*) OVER (PARTITION x)\n"
     "                                  ^"},
    {"SELECT count(*) OVER (ORDER BY x", SBD_EINPUT,
     "SQL: syntax error at line 1, column 33: expected ')' to end the window but found the end of "
     "the SQL\n"
     "  SELECT count(*) OVER (ORDER BY x\n"
     "                                  ^"},
    {"SELECT sum(x) FILTER (x > 1)", SBD_EINPUT,
     "SQL: syntax error at line 1, column 23: expected WHERE after '(' but found x\n"
     "  SELECT sum(x) FILTER (x > 1)\n"
     "                        ^"},
    {"SELECT a FROM t ORDER BY a NULLS", SBD_EINPUT,
     "SQL: syntax error at line 1, column 33: expected FIRST or LAST after NULLS but found the end "
     "of the SQL\n"
     "  SELECT a FROM t ORDER BY a NULLS\n"
     "                                  ^"},
    {"SELECT x IS 1", SBD_EINPUT,
     "SQL: syntax error at line 1, column 13: expected NULL, TRUE, FALSE or DISTINCT FROM after IS "
     "but found 1\n"
     "  SELECT x IS 1\n"
     "              ^"},
    {"WITH RECURSIVE r AS (SELECT 1) SELECT * FROM r", SBD_EUNSUPPORTED,
     "SQL: unsupported construct at line 1, column 6: WITH RECURSIVE is not supported yet\n"
     "  WITH RECURSIVE r AS (SELECT 1) SELECT * FROM r\n"
     "       ^"},
    {"WITH a AS SELECT 1 SELECT * FROM a", SBD_EINPUT,
     "SQL: syntax error at line 1, column 11: expected '(' after AS but found SELECT\n"
     "  WITH a AS SELECT 1 SELECT * FROM a\n"
     "            ^"},
    {"WITH a (SELECT 1) SELECT 1", SBD_EINPUT,
     "SQL: syntax error at line 1, column 9: expected a column name after '(' but found SELECT\n"
     "  WITH a (SELECT 1) SELECT 1\n"
     "          ^"},
    {"WITH a AS (SELECT 1)", SBD_EINPUT,
     "SQL: syntax error at line 1, column 21: expected SELECT or '(' after ')' but found the end "
     "of the SQL\n"
     "  WITH a AS (SELECT 1)\n"
     "                      ^"},
    {"SELECT x FROM t ORDER BY x LIMIT 1 LIMIT 2", SBD_EINPUT,
     "SQL: syntax error at line 1, column 36: a query may have only one LIMIT\n"
     "  SELECT x FROM t ORDER BY x LIMIT 1 LIMIT 2\n"
     "                                     ^"},
    {"(SELECT 1 ORDER BY 1) ORDER BY 2", SBD_EINPUT,
     "SQL: syntax error at line 1, column 23: a query may have only one ORDER BY\n"
     "  (SELECT 1 ORDER BY 1) ORDER BY 2\n"
     "                        ^"},
    {"SELECT 1 UNION ALL FROM t", SBD_EINPUT,
     "SQL: syntax error at line 1, column 20: expected SELECT or '(' after ALL but found FROM\n"
     "  SELECT 1 UNION ALL FROM t\n"
     "                     ^"},
    {"SELECT 1 UNION ALL", SBD_EINPUT,
     "SQL: syntax error at line 1, column 19: expected SELECT or '(' after ALL but found the end "
     "of the SQL\n"
     "  SELECT 1 UNION ALL\n"
     "                    ^"},
    {"SELECT t.* AS x FROM t", SBD_EINPUT,
     "SQL: syntax error at line 1, column 12: expected the end of the query but found AS\n"
     "  SELECT t.* AS x FROM t\n"
     "             ^"},
    {"SELECT count(t.*) FROM t", SBD_EINPUT,
     "SQL: syntax error at line 1, column 16: t.* is only allowed as an item of the select list\n"
     "  SELECT count(t.*) FROM t\n"
     "                 ^"},
    {"SELECT a.b.c FROM t", SBD_EINPUT,
     "SQL: syntax error at line 1, column 11: a column is written name or table.name, with one dot "
     "at most\n"
     "  SELECT a.b.c FROM t\n"
     "            ^"},
    {"SELECT * FROM t NATURAL JOIN u", SBD_EINPUT,
     "SQL: syntax error at line 1, column 17: expected the end of the query but found NATURAL (sbd "
     "does not support NATURAL)\n"
     "  SELECT * FROM t NATURAL JOIN u\n"
     "                  ^"},
    {"SELECT * FROM t WHERE a = ANY (SELECT 1)", SBD_EINPUT,
     "SQL: syntax error at line 1, column 27: expected an expression after '=' but found ANY (sbd "
     "does not support ANY)\n"
     "  SELECT * FROM t WHERE a = ANY (SELECT 1)\n"
     "                            ^"},
    {"SELECT * FROM t WINDOW w AS ()", SBD_EINPUT,
     "SQL: syntax error at line 1, column 17: expected the end of the query but found WINDOW (sbd "
     "does not support WINDOW)\n"
     "  SELECT * FROM t WINDOW w AS ()\n"
     "                  ^"},
    {"SELECT * FROM t JOIN u USING x", SBD_EINPUT,
     "SQL: syntax error at line 1, column 30: expected '(' after USING but found x\n"
     "  SELECT * FROM t JOIN u USING x\n"
     "                               ^"},
    {"SELECT * FROM t AS", SBD_EINPUT,
     "SQL: syntax error at line 1, column 19: expected an alias after AS but found the end of the "
     "SQL\n"
     "  SELECT * FROM t AS\n"
     "                    ^"},
    {"SELECT a AS FROM t", SBD_EINPUT,
     "SQL: syntax error at line 1, column 18: expected the end of the query but found t\n"
     "  SELECT a AS FROM t\n"
     "                   ^"},
    {"SELECT * EXCLUDE () FROM t", SBD_EINPUT,
     "SQL: syntax error at line 1, column 19: expected a column name after '(' but found ')'\n"
     "  SELECT * EXCLUDE () FROM t\n"
     "                    ^"},
    {"SELECT EXISTS 1", SBD_EINPUT,
     "SQL: syntax error at line 1, column 15: expected '(' after EXISTS but found 1\n"
     "  SELECT EXISTS 1\n"
     "                ^"},
    {"SELECT EXISTS (1)", SBD_EINPUT,
     "SQL: syntax error at line 1, column 16: expected SELECT after '(' but found 1\n"
     "  SELECT EXISTS (1)\n"
     "                 ^"},
    {"SELECT EXTRACT(year d)", SBD_EINPUT,
     "SQL: syntax error at line 1, column 21: expected FROM after year but found d\n"
     "  SELECT EXTRACT(year d)\n"
     "                      ^"},
    {"SELECT", SBD_EINPUT,
     "SQL: syntax error at line 1, column 7: expected an expression after SELECT but found the end "
     "of the SQL\n"
     "  SELECT\n"
     "        ^"},
    {"SELECT 1,", SBD_EINPUT,
     "SQL: syntax error at line 1, column 10: expected an expression after ',' but found the end "
     "of the SQL\n"
     "  SELECT 1,\n"
     "           ^"},
    {"x", SBD_EINPUT,
     "SQL: syntax error at line 1, column 1: expected SELECT or WITH but found x\n"
     "  x\n"
     "  ^"},
    {"", SBD_EINPUT,
     "SQL: syntax error at line 1, column 1: expected SELECT or WITH but found the end of the SQL\n"
     "  \n"
     "  ^"},
    {"SELECT a,\n  b,\n  FROM t", SBD_EINPUT,
     "SQL: syntax error at line 3, column 3: expected an expression after ',' but found FROM\n"
     "    FROM t\n"
     "    ^"},
    {"SELECT column_0, column_1, column_2, column_3, column_4, column_5, column_6, column_7, "
     "column_8, column_9, column_10, column_11, column_12, column_13, column_14, column_15, "
     "column_16, column_17, column_18, column_19, column_20, column_21, column_22, column_23, "
     "column_24, column_25, column_26, column_27, column_28, column_29 FROM t WHERE",
     SBD_EINPUT,
     "SQL: syntax error at line 1, column 339: expected an expression after WHERE but found the "
     "end of the SQL\n"
     "  ...olumn_24, column_25, column_26, column_27, column_28, column_29 FROM t WHERE\n"
     "                                                                                 ^"},
    {"SELECT\tx,\t\tFROM t", SBD_EINPUT,
     "SQL: syntax error at line 1, column 12: expected an expression after ',' but found FROM\n"
     "  SELECT x,  FROM t\n"
     "             ^"},
    {"SELECT 'é' || ä ||| 'x'", SBD_EINPUT,
     "SQL: syntax error at line 1, column 19: unexpected character '|' (did you mean '||'?)\n"
     "  SELECT 'é' || ä ||| 'x'\n"
     "                    ^"},
    {"SELECT a LIKE b IN (1)", SBD_EINPUT,
     "SQL: syntax error at line 1, column 17: IN cannot follow a LIKE or BETWEEN without "
     "parentheses\n"
     "  SELECT a LIKE b IN (1)\n"
     "                  ^"},
    {"SELECT a BETWEEN 1 AND 2 NOT IN (1)", SBD_EINPUT,
     "SQL: syntax error at line 1, column 26: NOT IN cannot follow a LIKE or BETWEEN without "
     "parentheses\n"
     "  SELECT a BETWEEN 1 AND 2 NOT IN (1)\n"
     "                           ^"},
    {"SELECT a IS DISTINCT FROM b IS NULL", SBD_EINPUT,
     "SQL: syntax error at line 1, column 29: IS cannot follow IS DISTINCT FROM without "
     "parentheses\n"
     "  SELECT a IS DISTINCT FROM b IS NULL\n"
     "                              ^"},
    {"SELECT a <> b != c", SBD_EINPUT,
     "SQL: syntax error at line 1, column 15: comparisons do not chain: add parentheses, or AND, "
     "before '!='\n"
     "  SELECT a <> b != c\n"
     "                ^"},
};

TEST(sql_parse_errors) {
  sbd_ctx *ctx = sbd_ctx_new();
  int n = (int)(sizeof(error_cases) / sizeof(error_cases[0]));
  for (int i = 0; i < n; i++) {
    arena a;
    arena_init(&a, 0);
    sql_stmt *st = (sql_stmt *)&a;
    sbd_status s = sql_parse(ctx, error_cases[i].sql, &a, &st);
    CHECK(s == error_cases[i].status, "case %d: %s: status %d, expected %d", i, error_cases[i].sql,
          (int)s, (int)error_cases[i].status);
    CHECK(st == NULL, "case %d: %s: *out not NULL on failure", i, error_cases[i].sql);
    CHECK(strcmp(sbd_errmsg(ctx), error_cases[i].message) == 0,
          "case %d: %s\n  got:\n%s\n  expected:\n%s", i, error_cases[i].sql, sbd_errmsg(ctx),
          error_cases[i].message);
    arena_free(&a);
  }
  sbd_ctx_free(ctx);
}

/* ---- inside the tree
 * ---------------------------------------------------------------------------*/

TEST(sql_parse_offsets) {
  sbd_ctx *ctx = sbd_ctx_new();
  arena a;
  arena_init(&a, 0);
  /*                            0         1         2         3
   *                            0123456789012345678901234567890123 */
  sql_stmt *st = parse_ok(ctx, &a, "SELECT a + b AS s FROM t WHERE x");
  ASSERT_TRUE(st);
  const sql_expr *e = item(st, 0);
  ASSERT_EQ(e->kind, SQL_EXPR_BINARY);
  ASSERT_EQ(e->off, 7);
  ASSERT_EQ(e->end, 12);
  ASSERT_EQ(e->binary.op_off, 9);
  ASSERT_EQ(e->binary.right->off, 11);
  ASSERT_EQ(st->query->select->items[0].alias->off, 16);
  ASSERT_EQ(st->query->select->from->off, 23);
  ASSERT_EQ(st->query->select->from->end, 24);
  ASSERT_EQ(st->query->select->where->off, 31);
  ASSERT_EQ(st->query->select->where->end, 32);
  ASSERT_EQ(st->query->off, 0);
  ASSERT_EQ(st->query->end, 32);
  /* Offsets index the statement's own copy of the text. */
  ASSERT_TRUE(strncmp(st->sql + e->off, "a + b", e->end - e->off) == 0);

  arena_reset(&a);
  st = parse_ok(ctx, &a, "SELECT sum(v) OVER (ORDER BY t), -5, x::INT FROM (SELECT 1) AS s");
  ASSERT_TRUE(st);
  e = item(st, 0);
  ASSERT_EQ(e->off, 7);
  ASSERT_EQ(e->end, 31);
  ASSERT_EQ(e->func.over->off, 14);
  e = item(st, 1); /* the folded literal spans the sign */
  ASSERT_EQ(e->kind, SQL_EXPR_LITERAL);
  ASSERT_EQ(e->off, 33);
  ASSERT_EQ(e->end, 35);
  e = item(st, 2);
  ASSERT_EQ(e->kind, SQL_EXPR_CAST);
  ASSERT_EQ(e->off, 37);
  ASSERT_EQ(e->end, 43);
  ASSERT_EQ(st->query->select->from->off, 49);
  ASSERT_EQ(st->query->select->from->end, 64);
  arena_free(&a);
  sbd_ctx_free(ctx);
}

TEST(sql_parse_identifiers) {
  sbd_ctx *ctx = sbd_ctx_new();
  arena a;
  arena_init(&a, 0);
  sql_stmt *st = parse_ok(ctx, &a, "SELECT Amount, \"A \"\"b\"\"\", o.X FROM \"Orders\" o");
  ASSERT_TRUE(st);
  const sql_ident *id = &item(st, 0)->column.name;
  ASSERT_STR_EQ(id->name, "Amount");
  ASSERT_STR_EQ(id->lower, "amount");
  ASSERT_TRUE(!id->quoted);
  ASSERT_EQ(id->off, 7);
  id = &item(st, 1)->column.name;
  ASSERT_STR_EQ(id->name, "A \"b\"");
  ASSERT_STR_EQ(id->lower, "a \"b\"");
  ASSERT_TRUE(id->quoted);
  ASSERT_EQ(id->off, 15);
  ASSERT_STR_EQ(item(st, 2)->column.table->name, "o");
  ASSERT_STR_EQ(item(st, 2)->column.name.lower, "x");
  const sql_from *f = st->query->select->from;
  ASSERT_EQ(f->kind, SQL_FROM_TABLE);
  ASSERT_STR_EQ(f->table.name.name, "Orders");
  ASSERT_STR_EQ(f->table.name.lower, "orders");
  ASSERT_TRUE(f->table.name.quoted);
  ASSERT_STR_EQ(f->alias->name, "o");
  arena_free(&a);
  sbd_ctx_free(ctx);
}

TEST(sql_parse_literal_values) {
  sbd_ctx *ctx = sbd_ctx_new();
  arena a;
  arena_init(&a, 0);
  sql_stmt *st = parse_ok(ctx, &a,
                          "SELECT -9223372036854775808, 9223372036854775808, 1.25, 'it''s', "
                          "DATE '2024-01-31', TIMESTAMP '2024-01-31 12:00:00.5', "
                          "INTERVAL '1 year 2 days 00:00:01', NULL, TRUE, 1e999, 42, "
                          "TIMESTAMPTZ '2024-01-31 14:00:00+02'");
  ASSERT_TRUE(st);
  ASSERT_EQ(item(st, 0)->lit.kind, SQL_LIT_INT);
  ASSERT_TRUE(item(st, 0)->lit.i == INT64_MIN);
  ASSERT_EQ(item(st, 1)->lit.kind, SQL_LIT_DOUBLE);
  ASSERT_TRUE(item(st, 1)->lit.d == 9223372036854775808.0);
  ASSERT_EQ(item(st, 2)->lit.kind, SQL_LIT_DOUBLE);
  ASSERT_TRUE(item(st, 2)->lit.d == 1.25);
  ASSERT_EQ(item(st, 3)->lit.kind, SQL_LIT_STRING);
  ASSERT_STR_EQ(item(st, 3)->lit.str, "it's");
  ASSERT_EQ(item(st, 3)->lit.len, 4);
  ASSERT_EQ(item(st, 4)->lit.kind, SQL_LIT_DATE);
  ASSERT_EQ(item(st, 4)->lit.date, 19753);
  ASSERT_EQ(item(st, 5)->lit.kind, SQL_LIT_TIMESTAMP);
  ASSERT_EQ(item(st, 5)->lit.ts, INT64_C(1706702400500000));
  ASSERT_TRUE(!item(st, 5)->lit.tz);
  ASSERT_EQ(item(st, 6)->lit.kind, SQL_LIT_INTERVAL);
  ASSERT_EQ(item(st, 6)->lit.interval.months, 12);
  ASSERT_EQ(item(st, 6)->lit.interval.days, 2);
  ASSERT_EQ(item(st, 6)->lit.interval.micros, 1000000);
  ASSERT_EQ(item(st, 7)->lit.kind, SQL_LIT_NULL);
  ASSERT_EQ(item(st, 8)->lit.kind, SQL_LIT_BOOL);
  ASSERT_TRUE(item(st, 8)->lit.b);
  ASSERT_TRUE(isinf(item(st, 9)->lit.d) && item(st, 9)->lit.d > 0);
  ASSERT_EQ(item(st, 10)->lit.i, 42);
  ASSERT_EQ(item(st, 11)->lit.kind, SQL_LIT_TIMESTAMP);
  ASSERT_EQ(item(st, 11)->lit.ts, INT64_C(1706702400000000));
  ASSERT_TRUE(item(st, 11)->lit.tz);
  arena_free(&a);
  sbd_ctx_free(ctx);
}

TEST(sql_parse_structure) {
  sbd_ctx *ctx = sbd_ctx_new();
  arena a;
  arena_init(&a, 0);
  sql_stmt *st =
      parse_ok(ctx, &a,
               "WITH c (k) AS (SELECT 1) SELECT DISTINCT count(DISTINCT x) FILTER (WHERE y) AS n, "
               "string_agg(s, ',' ORDER BY s DESC NULLS FIRST), count(*) FROM c ASOF LEFT JOIN q "
               "USING (k) GROUP BY ALL ORDER BY 1 LIMIT 5 OFFSET 2;");
  ASSERT_TRUE(st);
  const sql_query *q = st->query;
  ASSERT_EQ(st->kind, SQL_STMT_QUERY);
  ASSERT_EQ(q->kind, SQL_QUERY_SELECT);
  ASSERT_EQ(q->nctes, 1);
  ASSERT_STR_EQ(q->ctes[0].name.name, "c");
  ASSERT_EQ(q->ctes[0].ncols, 1);
  ASSERT_STR_EQ(q->ctes[0].cols[0].name, "k");
  const sql_select *s = q->select;
  ASSERT_TRUE(s->distinct);
  ASSERT_EQ(s->nitems, 3);
  const sql_expr *e = s->items[0].expr;
  ASSERT_EQ(e->kind, SQL_EXPR_FUNC);
  ASSERT_TRUE(e->func.distinct && e->func.filter && !e->func.over && !e->func.star);
  ASSERT_STR_EQ(s->items[0].alias->name, "n");
  e = s->items[1].expr;
  ASSERT_EQ(e->func.nargs, 2);
  ASSERT_EQ(e->func.norder_by, 1);
  ASSERT_TRUE(e->func.order_by[0].desc);
  ASSERT_EQ(e->func.order_by[0].nulls, SQL_NULLS_FIRST);
  ASSERT_TRUE(s->items[1].alias == NULL);
  e = s->items[2].expr;
  ASSERT_TRUE(e->func.star);
  ASSERT_EQ(e->func.nargs, 0);
  const sql_from *f = s->from;
  ASSERT_EQ(f->kind, SQL_FROM_JOIN);
  ASSERT_EQ(f->join.type, SQL_JOIN_LEFT);
  ASSERT_TRUE(f->join.asof);
  ASSERT_TRUE(f->join.on == NULL);
  ASSERT_EQ(f->join.nusing, 1);
  ASSERT_STR_EQ(f->join.using_cols[0].name, "k");
  ASSERT_TRUE(s->group_by_all);
  ASSERT_EQ(s->ngroup_by, 0);
  ASSERT_EQ(q->norder_by, 1);
  ASSERT_EQ(q->order_by[0].nulls, SQL_NULLS_DEFAULT);
  ASSERT_EQ(q->order_by[0].expr->lit.i, 1);
  ASSERT_EQ(q->limit->lit.i, 5);
  ASSERT_EQ(q->offset->lit.i, 2);

  arena_reset(&a);
  st = parse_ok(ctx, &a,
                "SELECT sum(v) OVER (PARTITION BY a, b ORDER BY t RANGE BETWEEN INTERVAL 1 DAY "
                "PRECEDING AND 2 FOLLOWING), lag(v) OVER (ROWS CURRENT ROW) FROM t");
  ASSERT_TRUE(st);
  const sql_window *w = item(st, 0)->func.over;
  ASSERT_EQ(w->npartition_by, 2);
  ASSERT_EQ(w->norder_by, 1);
  ASSERT_EQ(w->frame, SQL_FRAME_RANGE);
  ASSERT_EQ(w->start.kind, SQL_BOUND_PRECEDING);
  ASSERT_EQ(w->start.offset->lit.interval.days, 1);
  ASSERT_EQ(w->end.kind, SQL_BOUND_FOLLOWING);
  ASSERT_EQ(w->end.offset->lit.i, 2);
  w = item(st, 1)->func.over;
  ASSERT_EQ(w->frame, SQL_FRAME_ROWS);
  ASSERT_EQ(w->start.kind, SQL_BOUND_CURRENT_ROW);
  ASSERT_EQ(w->end.kind, SQL_BOUND_CURRENT_ROW);

  arena_reset(&a);
  st = parse_ok(ctx, &a, "SELECT 1 UNION SELECT 2 INTERSECT ALL SELECT 3");
  ASSERT_TRUE(st);
  q = st->query;
  ASSERT_EQ(q->kind, SQL_QUERY_SETOP);
  ASSERT_EQ(q->setop.type, SQL_SETOP_UNION);
  ASSERT_TRUE(!q->setop.all);
  ASSERT_EQ(q->setop.op_off, 9);
  ASSERT_EQ(q->setop.left->kind, SQL_QUERY_SELECT);
  ASSERT_EQ(q->setop.right->kind, SQL_QUERY_SETOP);
  ASSERT_EQ(q->setop.right->setop.type, SQL_SETOP_INTERSECT);
  ASSERT_TRUE(q->setop.right->setop.all);

  arena_reset(&a);
  st = parse_ok(ctx, &a,
                "SELECT * FROM read_csv('x.txt', delim = ';', header = false) AS r (a, b), "
                "'lake/*.parquet'");
  ASSERT_TRUE(st);
  f = st->query->select->from;
  ASSERT_EQ(f->join.type, SQL_JOIN_CROSS);
  ASSERT_EQ(f->join.op_off, 72);
  const sql_from *r = f->join.left;
  ASSERT_EQ(r->kind, SQL_FROM_FUNC);
  ASSERT_STR_EQ(r->func.name.name, "read_csv");
  ASSERT_EQ(r->func.nargs, 1);
  ASSERT_STR_EQ(r->func.args[0]->lit.str, "x.txt");
  ASSERT_EQ(r->func.nnamed, 2);
  ASSERT_STR_EQ(r->func.named[0].name.name, "delim");
  ASSERT_STR_EQ(r->func.named[1].name.lower, "header");
  ASSERT_TRUE(!r->func.named[1].value->lit.b);
  ASSERT_STR_EQ(r->alias->name, "r");
  ASSERT_EQ(r->ncol_aliases, 2);
  ASSERT_EQ(f->join.right->kind, SQL_FROM_FILE);
  ASSERT_STR_EQ(f->join.right->file.path, "lake/*.parquet");
  ASSERT_EQ(f->join.right->file.len, 14);
  arena_free(&a);
  sbd_ctx_free(ctx);
}

TEST(sql_parse_desugared) {
  sbd_ctx *ctx = sbd_ctx_new();
  arena a;
  arena_init(&a, 0);
  sql_stmt *st = parse_ok(ctx, &a,
                          "SELECT EXTRACT(Year FROM d), x IS NOT TRUE, INTERVAL (n) DAY, "
                          "current_date, x::DECIMAL(18, 3), * EXCLUDE (a, \"B\")");
  ASSERT_TRUE(st);
  const sql_expr *e = item(st, 0);
  ASSERT_EQ(e->kind, SQL_EXPR_FUNC);
  ASSERT_STR_EQ(e->func.name.lower, "date_part");
  ASSERT_EQ(e->func.nargs, 2);
  ASSERT_STR_EQ(e->func.args[0]->lit.str, "year");
  e = item(st, 1);
  ASSERT_EQ(e->kind, SQL_EXPR_BINARY);
  ASSERT_EQ(e->binary.op, SQL_OP_IS_DISTINCT);
  ASSERT_TRUE(e->binary.right->lit.kind == SQL_LIT_BOOL && e->binary.right->lit.b);
  e = item(st, 2);
  ASSERT_STR_EQ(e->func.name.name, "to_days");
  ASSERT_EQ(e->func.nargs, 1);
  e = item(st, 3);
  ASSERT_EQ(e->kind, SQL_EXPR_FUNC);
  ASSERT_STR_EQ(e->func.name.lower, "current_date");
  ASSERT_EQ(e->func.nargs, 0);
  e = item(st, 4);
  ASSERT_EQ(e->kind, SQL_EXPR_CAST);
  ASSERT_EQ(e->cast.type.id, SQL_TYPE_DOUBLE);
  ASSERT_STR_EQ(e->cast.type.name, "DECIMAL");
  ASSERT_EQ(e->cast.type.nmods, 2);
  ASSERT_EQ(e->cast.type.mods[0], 18);
  ASSERT_EQ(e->cast.type.mods[1], 3);
  e = item(st, 5);
  ASSERT_EQ(e->kind, SQL_EXPR_STAR);
  ASSERT_EQ(e->star.nexclude, 2);
  ASSERT_STR_EQ(e->star.exclude[1].lower, "b");
  arena_free(&a);
  sbd_ctx_free(ctx);
}

TEST(sql_parse_types) {
  static const struct {
    const char *sql, *name;
    sql_type_id id;
  } cases[] = {
      {"SELECT x::BOOLEAN", "BOOLEAN", SQL_TYPE_BOOL},
      {"SELECT x::tinyint", "TINYINT", SQL_TYPE_INT64},
      {"SELECT x::Integer", "INTEGER", SQL_TYPE_INT64},
      {"SELECT x::INT64", "INT64", SQL_TYPE_INT64},
      {"SELECT x::double precision", "DOUBLE", SQL_TYPE_DOUBLE},
      {"SELECT x::NUMERIC(10, 2)", "NUMERIC", SQL_TYPE_DOUBLE},
      {"SELECT x::REAL", "REAL", SQL_TYPE_DOUBLE},
      {"SELECT x::character varying", "VARCHAR", SQL_TYPE_STRING},
      {"SELECT x::STRING", "STRING", SQL_TYPE_STRING},
      {"SELECT x::date", "DATE", SQL_TYPE_DATE},
      {"SELECT x::timestamp with time zone", "TIMESTAMPTZ", SQL_TYPE_TIMESTAMP},
      {"SELECT x::TIMESTAMP WITHOUT TIME ZONE", "TIMESTAMP", SQL_TYPE_TIMESTAMP},
      {"SELECT x::DATETIME", "DATETIME", SQL_TYPE_TIMESTAMP},
      {"SELECT x::interval", "INTERVAL", SQL_TYPE_INTERVAL},
  };
  sbd_ctx *ctx = sbd_ctx_new();
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    arena a;
    arena_init(&a, 0);
    sql_stmt *st = parse_ok(ctx, &a, cases[i].sql);
    if (st) {
      const sql_type *t = &item(st, 0)->cast.type;
      CHECK(t->id == cases[i].id && strcmp(t->name, cases[i].name) == 0,
            "%s: type %d %s, expected %d %s", cases[i].sql, (int)t->id, t->name, (int)cases[i].id,
            cases[i].name);
      CHECK(t->off == 10, "%s: type offset %u", cases[i].sql, t->off);
    }
    arena_free(&a);
  }
  sbd_ctx_free(ctx);
}

/* A query of k terms 1+1+...: the sum has height k, the query one more. */
static char *sum_of_ones(int k) {
  char *s = malloc((size_t)k * 2 + 16);
  strcpy(s, "SELECT 1");
  for (int i = 1; i < k; i++)
    strcat(s + strlen(s) - 1, "+1");
  return s;
}

static char *nested_parens(int n) {
  char *s = malloc((size_t)n * 2 + 16);
  size_t o = 0;
  memcpy(s, "SELECT ", 7);
  o = 7;
  for (int i = 0; i < n; i++)
    s[o++] = '(';
  s[o++] = '1';
  for (int i = 0; i < n; i++)
    s[o++] = ')';
  s[o] = 0;
  return s;
}

TEST(sql_parse_depth_caps) {
  sbd_ctx *ctx = sbd_ctx_new();
  arena a;
  arena_init(&a, 0);
  sql_stmt *st;
  char *sql = sum_of_ones(SQL_MAX_DEPTH - 1);
  ASSERT_EQ(sql_parse(ctx, sql, &a, &st), SBD_OK);
  ASSERT_EQ(st->query->height, SQL_MAX_DEPTH);
  free(sql);
  sql = sum_of_ones(SQL_MAX_DEPTH);
  ASSERT_EQ(sql_parse(ctx, sql, &a, &st), SBD_ELIMIT);
  const char *deep = "SQL: too deeply nested at line 1, column 1: the limit is 1000 levels of "
                     "expressions, subqueries and joins\n";
  ASSERT_TRUE(strncmp(sbd_errmsg(ctx), deep, strlen(deep)) == 0);
  free(sql);
  /* Parentheses add no height, but they nest the parser: twice the height cap is allowed (the
   * canonical text of any tree that fits must parse), not much more. */
  sql = nested_parens(2 * SQL_MAX_DEPTH);
  ASSERT_EQ(sql_parse(ctx, sql, &a, &st), SBD_OK);
  ASSERT_STR_EQ(canonical(st), "SELECT 1");
  free(sql);
  sql = nested_parens(2 * SQL_MAX_DEPTH + 100);
  ASSERT_EQ(sql_parse(ctx, sql, &a, &st), SBD_ELIMIT);
  free(sql);
  /* A chain of 100000 minus signs is taken in a loop and folded, never recursed into. */
  size_t n = 100000;
  sql = malloc(n * 2 + 16);
  strcpy(sql, "SELECT ");
  for (size_t i = 0; i < n; i++)
    strcat(sql + 7 + 2 * i, "- ");
  strcat(sql, "5");
  ASSERT_EQ(sql_parse(ctx, sql, &a, &st), SBD_OK);
  ASSERT_STR_EQ(canonical(st), "SELECT 5");
  free(sql);
  arena_free(&a);
  sbd_ctx_free(ctx);
}

TEST(sql_error_at_format) {
  sbd_ctx *ctx = sbd_ctx_new();
  ASSERT_EQ(sql_error_at(ctx, "SELECT ammount\nFROM orders", 7,
                         "no column '%s' in '%s' (did you mean '%s'?)", "ammount", "orders",
                         "amount"),
            SBD_EINPUT);
  ASSERT_STR_EQ(sbd_errmsg(ctx), "SQL: no column 'ammount' in 'orders' (did you mean 'amount'?)\n"
                                 "  SELECT ammount\n"
                                 "         ^");
  /* The second line, a tab shown as a space, a caret past the end, UTF-8 counted in characters. */
  sql_error_at(ctx, "SELECT a,\n  b\nFROM t", 12, "x");
  ASSERT_STR_EQ(sbd_errmsg(ctx), "SQL: x\n    b\n    ^");
  sql_error_at(ctx, "SELECT\ta", 7, "x");
  ASSERT_STR_EQ(sbd_errmsg(ctx), "SQL: x\n  SELECT a\n         ^");
  sql_error_at(ctx, "SELECT", 6, "x");
  ASSERT_STR_EQ(sbd_errmsg(ctx), "SQL: x\n  SELECT\n        ^");
  sql_error_at(ctx, "SELECT '\xc3\xa9', zz\r\nFROM t", 13, "x");
  ASSERT_STR_EQ(sbd_errmsg(ctx), "SQL: x\n  SELECT '\xc3\xa9', zz\n              ^");
  int line, col;
  sql_line_col("SELECT '\xc3\xa9',\n  zz", 15, &line, &col);
  ASSERT_EQ(line, 2);
  ASSERT_EQ(col, 3);
  /* A long line: a window around the place, "..." where cut. */
  char sql[400];
  strcpy(sql, "SELECT ");
  for (int i = 0; i < 40; i++)
    strcat(sql, "col_xx, ");
  strcat(sql, "y FROM t");
  sql_error_at(ctx, sql, (uint32_t)(strstr(sql, "y FROM") - sql), "here");
  ASSERT_STR_EQ(sbd_errmsg(ctx),
                "SQL: here\n"
                "  ...xx, col_xx, col_xx, col_xx, col_xx, col_xx, col_xx, col_xx, col_xx, y FROM "
                "t\n"
                "                                                                         ^");
  sql_error_at(ctx, sql, 100, "mid");
  ASSERT_STR_EQ(sbd_errmsg(ctx),
                "SQL: mid\n"
                "  ... col_xx, col_xx, col_xx, col_xx, col_xx, col_xx, col_xx, col_xx, col_xx, "
                "col...\n"
                "                                           ^");
  /* "found the end" points just past the last token, not at trailing blanks. */
  arena a;
  arena_init(&a, 0);
  sql_stmt *st;
  ASSERT_EQ(sql_parse(ctx, "SELECT a FROM t WHERE  \n\n  -- nothing\n", &a, &st), SBD_EINPUT);
  ASSERT_STR_EQ(sbd_errmsg(ctx), "SQL: syntax error at line 1, column 22: expected an expression "
                                 "after WHERE but found the end of the SQL\n"
                                 "  SELECT a FROM t WHERE  \n"
                                 "                       ^");
  arena_free(&a);
  sbd_ctx_free(ctx);
}

TEST(sql_interval_text) {
  static const struct {
    const char *text;
    bool ok;
    int32_t months, days;
    int64_t micros;
    const char *formatted;
  } cases[] = {
      {"3 days", true, 0, 3, 0, "3 days"},
      {"1 day", true, 0, 1, 0, "1 day"},
      {"1 year 2 months 3 days 04:05:06.5", true, 14, 3, INT64_C(14706500000),
       "1 year 2 months 3 days 04:05:06.5"},
      {"-14 months", true, -14, 0, 0, "-1 year -2 months"},
      {"1.5 days", true, 0, 1, INT64_C(43200000000), "1 day 12:00:00"},
      {"1.5 months", true, 1, 15, 0, "1 month 15 days"},
      {"1.5 years", true, 18, 0, 0, "1 year 6 months"},
      {"1.5 weeks", true, 0, 10, INT64_C(43200000000), "10 days 12:00:00"},
      {"0.5 seconds", true, 0, 0, 500000, "00:00:00.5"},
      {"90", true, 0, 0, INT64_C(90000000), "00:01:30"},
      {"1:2", true, 0, 0, INT64_C(3720000000), "01:02:00"},
      {"1 day -01:00", true, 0, 1, -INT64_C(3600000000), "1 day -01:00:00"},
      {"1 day ago", true, 0, -1, 0, "-1 day"},
      {"2 h 3 m 4 s 5 ms 6 us", true, 0, 0, INT64_C(7384005006), "02:03:04.005006"},
      {"1 mon 2 y 3 d 1 w", true, 25, 10, 0, "2 years 1 month 10 days"},
      {"3DAYS", true, 0, 3, 0, "3 days"},
      {"  3   days  ", true, 0, 3, 0, "3 days"},
      {"12:34:56.1234567", true, 0, 0, INT64_C(45296123456), "12:34:56.123456"},
      {"1 decade 2 centuries 1 millennium 1 quarter", true, 14523, 0, 0, "1210 years 3 months"},
      {"0 days", true, 0, 0, 0, "00:00:00"},
      {"-26:00:00", true, 0, 0, -INT64_C(93600000000), "-26:00:00"},
      {"2562047788:00:54.775807", true, 0, 0, INT64_MAX, "2562047788:00:54.775807"},
      {"-2562047788:00:54.775808", false, 0, 0, 0, NULL},
      {"178956970 years 7 months", true, INT32_MAX, 0, 0, "178956970 years 7 months"},
      {"178956970 years 8 months", false, 0, 0, 0, NULL},
      {"", false, 0, 0, 0, NULL},
      {"x", false, 0, 0, 0, NULL},
      {"3 dayz", false, 0, 0, 0, NULL},
      {"1 minutes 1", false, 0, 0, 0, NULL},
      {"1 day ago ago", false, 0, 0, 0, NULL},
      {"ago", false, 0, 0, 0, NULL},
      {"-", false, 0, 0, 0, NULL},
      {"1:60", false, 0, 0, 0, NULL},
      {"1234567890123456789 us", false, 0, 0, 0, NULL},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    sql_interval iv = {0, 0, 0};
    bool ok = sql_interval_parse(cases[i].text, strlen(cases[i].text), &iv);
    CHECK(ok == cases[i].ok, "'%s': parse %d, expected %d", cases[i].text, ok, cases[i].ok);
    if (!ok || !cases[i].ok)
      continue;
    CHECK(iv.months == cases[i].months && iv.days == cases[i].days && iv.micros == cases[i].micros,
          "'%s': %d months %d days %" PRId64 " us", cases[i].text, iv.months, iv.days, iv.micros);
    char buf[SQL_INTERVAL_FMT_MAX];
    sql_interval_format(iv, buf);
    CHECK(strcmp(buf, cases[i].formatted) == 0, "'%s': formatted '%s', expected '%s'",
          cases[i].text, buf, cases[i].formatted);
    sql_interval back;
    CHECK(sql_interval_parse(buf, strlen(buf), &back) && back.months == iv.months &&
              back.days == iv.days && back.micros == iv.micros,
          "'%s': '%s' does not read back", cases[i].text, buf);
  }
}

TEST(sql_keywords) {
  for (int kw = 1; kw < SQL_KW_COUNT; kw++) {
    const char *name = sql_keyword_name((sql_keyword)kw);
    char lower[32];
    size_t n = strlen(name);
    for (size_t i = 0; i <= n; i++)
      lower[i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ? name[i] - 'A' + 'a' : name[i]);
    /* Found by bisection: the table is in order. */
    CHECK(sql_keyword_lookup(name, n) == (sql_keyword)kw, "keyword %s not found", name);
    CHECK(sql_keyword_lookup(lower, n) == (sql_keyword)kw, "keyword %s not found", lower);
  }
  ASSERT_EQ(sql_keyword_lookup("selectx", 7), SQL_KW_NONE);
  ASSERT_EQ(sql_keyword_lookup("select", 5), SQL_KW_NONE);
  ASSERT_EQ(sql_keyword_lookup("", 0), SQL_KW_NONE);
  ASSERT_EQ(sql_keyword_lookup("amount", 6), SQL_KW_NONE);
  ASSERT_TRUE(sql_keyword_reserved(SQL_KW_SELECT));
  ASSERT_TRUE(!sql_keyword_reserved(SQL_KW_DATE));
  ASSERT_TRUE(!sql_keyword_reserved(SQL_KW_NONE));
}

TEST(sql_lex_tokens) {
  sbd_ctx *ctx = sbd_ctx_new();
  const char *sql = "a.b::INT <= 1.5e3 -- c\n/* d /* e */ */ 'x''y' \"q\" != || ; 7  ";
  sql_token *t;
  int n;
  ASSERT_EQ(sql_lex(ctx, sql, strlen(sql), &t, &n), SBD_OK);
  static const sql_token_type types[] = {SQL_TK_WORD,   SQL_TK_DOT, SQL_TK_WORD,    SQL_TK_COLONS,
                                         SQL_TK_WORD,   SQL_TK_LE,  SQL_TK_DECIMAL, SQL_TK_STRING,
                                         SQL_TK_QIDENT, SQL_TK_NE,  SQL_TK_CONCAT,  SQL_TK_SEMI,
                                         SQL_TK_INT,    SQL_TK_EOF};
  ASSERT_EQ(n, (int)(sizeof(types) / sizeof(types[0])));
  for (int i = 0; i < n; i++)
    CHECK(t[i].type == types[i], "token %d: type %d, expected %d", i, (int)t[i].type,
          (int)types[i]);
  ASSERT_EQ(t[6].off, 12);
  ASSERT_EQ(t[6].len, 5);
  ASSERT_EQ(t[7].len, 6);
  ASSERT_EQ(t[12].off, 58);
  ASSERT_EQ(t[13].off, 59); /* the end: just past the last token */
  free(t);
  sbd_ctx_free(ctx);
}

TEST(sql_print_pieces) {
  sbd_ctx *ctx = sbd_ctx_new();
  arena a;
  arena_init(&a, 0);
  sql_stmt *st = parse_ok(ctx, &a, "SELECT a FROM t WHERE x + 1 > 2 * y");
  ASSERT_TRUE(st);
  sql_buf b;
  sql_buf_init(&b);
  ASSERT_TRUE(sql_print_expr(st->query->select->where, &b));
  ASSERT_STR_EQ(b.data, "((x + 1) > (2 * y))");
  sql_buf_free(&b);
  sql_type t = {SQL_TYPE_DOUBLE, "DECIMAL", 2, {18, 3}, 0};
  ASSERT_TRUE(sql_print_type(&t, &b));
  ASSERT_STR_EQ(b.data, "DECIMAL(18, 3)");
  sql_buf_free(&b);
  ASSERT_STR_EQ(sql_op_text(SQL_OP_IS_NOT_DISTINCT), "IS NOT DISTINCT FROM");
  ASSERT_STR_EQ(sql_op_text(SQL_OP_NE), "<>");
  arena_free(&a);
  sbd_ctx_free(ctx);
}
