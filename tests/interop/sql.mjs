// tests/interop/sql.mjs — differential SQL: every query of the corpus below runs on sbd
// (`sbd query --format csv`, over the CSV file and over the Parquet file of the same data) and on
// DuckDB (over a table loaded from the Parquet file, so both engines see the same typed values),
// and the answers must agree: as multisets of rows, or in order when the query has an ORDER BY
// (every ordered query here orders its rows completely, so the order is unique); doubles to 1e-9
// relative, NaN equal to NaN.
//
// The data (common.mjs) is generated deterministically: a table t of 3000 rows with nulls in every
// column but id, skewed string keys (half the rows share one key), ties, negative numbers, NaN-free
// doubles, dates and timestamps; an empty table e with the same columns; a small table u with
// duplicates and a key that is null in some rows.
//
// Queries for constructs the engine refuses ("not supported yet") are checked for that error.
//
// Environment: SBD (the sbd binary), TMP_DIR (a scratch folder). Prints one line per failure and
// ends with "sql: N passed, N failed".
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
const { duckdbQueryJson, duckdbClose } = require(path.join(here, '..', 'peers', 'peers.js'));
import { sbd, setup as writeTables, parseCsv, canon, diffRows, fill as fillTables } from './common.mjs';

const TMP = process.env.TMP_DIR;
let passed = 0;
let failed = 0;
function fail(name, msg) {
  failed++;
  console.log(`FAIL ${name}: ${msg}`);
}

// The tables, running sbd and comparing answers are in common.mjs.
function compareRows(name, got, want, ordered) {
  const msg = diffRows(got, want, ordered);
  if (msg) fail(name, msg);
  return !msg;
}

// ---- the corpus ------------------------------------------------------------------------------
// {t}, {u}, {e} name the tables: a file path for sbd, a table for DuckDB. A query is ordered when
// it has a top-level ORDER BY (the corpus marks them with o: true).

const Q = [
  // scans, projection, literals
  'SELECT * FROM {t}',
  'SELECT id, k1 FROM {t}',
  'SELECT v2, id FROM {t}',
  'SELECT 1 AS one, id FROM {u}',
  'SELECT 1 + 2, 7 / 2, 7 % 3, -7 % 3, 2 * 3 - 1',
  "SELECT 'a' || 'b', NULL IS NULL, 1 = 1",
  'SELECT * FROM {e}',
  'SELECT id FROM {t} WHERE false',
  // arithmetic with nulls and mixed types
  'SELECT id, v1 + k2, v1 - k2, v1 * k2 FROM {t}',
  'SELECT id, v1 + v2, v2 * 2, v2 - v1 FROM {t}',
  'SELECT id, v1 / k2, v1 % k2 FROM {t}',
  'SELECT id, v2 / 0, v1 / 0, v1 % 0, v2 % 0 FROM {t}',
  'SELECT id, -v1, -v2, abs(v1), abs(v2) FROM {t}',
  'SELECT id, v2 % 3.5, v1 % -7 FROM {t}',
  'SELECT id, (v1 + 1) * (k2 - 2) FROM {t}',
  // comparisons
  'SELECT id FROM {t} WHERE v1 > 100',
  'SELECT id FROM {t} WHERE v1 >= 0 AND v2 < 0',
  'SELECT id FROM {t} WHERE v1 = k2',
  'SELECT id FROM {t} WHERE v1 <> 5 OR v2 <> 1.5',
  'SELECT id FROM {t} WHERE v2 > v1',
  "SELECT id FROM {t} WHERE k1 = 'hot'",
  "SELECT id FROM {t} WHERE k1 <> 'hot'",
  "SELECT id FROM {t} WHERE s < 'b'",
  "SELECT id FROM {t} WHERE s >= 'Date'",
  "SELECT id FROM {t} WHERE d > '2022-06-01'",
  "SELECT id FROM {t} WHERE d = DATE '2021-03-04' OR d < DATE '2020-02-01'",
  "SELECT id FROM {t} WHERE ts >= TIMESTAMP '2023-06-01 00:00:00'",
  "SELECT id FROM {t} WHERE ts < '2023-02-01'",
  'SELECT id FROM {t} WHERE d < ts',
  'SELECT id FROM {t} WHERE b',
  'SELECT id FROM {t} WHERE NOT b',
  'SELECT id FROM {t} WHERE b = true',
  'SELECT id, v1 = 10 FROM {t}',
  'SELECT id, v1 IS DISTINCT FROM k2, v1 IS NOT DISTINCT FROM k2 FROM {t}',
  // three-valued logic
  'SELECT id, b AND v1 > 0, b OR v1 > 0, NOT (b AND v1 > 0) FROM {t}',
  'SELECT id FROM {t} WHERE NOT (v1 > 0 OR v2 > 0)',
  'SELECT id FROM {t} WHERE (v1 > 0 AND v2 > 0) OR k2 = 3',
  'SELECT id, NULL AND false, NULL AND true, NULL OR true, NULL OR false FROM {u}',
  'SELECT id FROM {t} WHERE v1 > 0 AND b AND k2 < 5 AND s IS NOT NULL',
  // IS NULL, BETWEEN, IN
  'SELECT id FROM {t} WHERE v1 IS NULL',
  'SELECT id FROM {t} WHERE v2 IS NOT NULL AND s IS NULL',
  'SELECT id, v1 IS NULL, ts IS NOT NULL FROM {t}',
  'SELECT id FROM {t} WHERE v1 BETWEEN -10 AND 10',
  'SELECT id FROM {t} WHERE v2 NOT BETWEEN -50 AND 50',
  "SELECT id FROM {t} WHERE d BETWEEN '2021-01-01' AND '2021-12-31'",
  'SELECT id FROM {t} WHERE k2 IN (1, 3, 5)',
  'SELECT id FROM {t} WHERE k2 NOT IN (1, 3, 5)',
  'SELECT id FROM {t} WHERE k2 NOT IN (1, NULL)',
  "SELECT id FROM {t} WHERE k1 IN ('a', 'b', 'zz')",
  'SELECT id, k2 IN (2, NULL) FROM {t}',
  'SELECT id FROM {t} WHERE v2 IN (1.5, 2, -0.25)',
  // CASE, CAST, COALESCE
  "SELECT id, CASE WHEN v1 > 0 THEN 'pos' WHEN v1 < 0 THEN 'neg' ELSE 'zero or null' END FROM {t}",
  'SELECT id, CASE WHEN v1 > 0 THEN v1 END FROM {t}',
  'SELECT id, CASE k2 WHEN 1 THEN 10 WHEN 2 THEN 20.5 ELSE -1 END FROM {t}',
  "SELECT id, CASE WHEN b THEN s ELSE k1 END FROM {t}",
  'SELECT id, CAST(v1 AS DOUBLE), CAST(v2 AS BIGINT), v2::INTEGER FROM {t}',
  'SELECT id, CAST(v1 AS VARCHAR), CAST(d AS VARCHAR), CAST(b AS VARCHAR) FROM {t}',
  'SELECT id, CAST(d AS TIMESTAMP), CAST(ts AS DATE) FROM {t}',
  "SELECT CAST('42' AS BIGINT), CAST(' 7 ' AS INTEGER), CAST('2.5' AS DOUBLE), CAST('2024-02-29' AS DATE), CAST('true' AS BOOLEAN)",
  'SELECT id, CAST(b AS INTEGER), CAST(v1 AS BOOLEAN) FROM {t}',
  "SELECT id, TRY_CAST(s AS BIGINT), TRY_CAST(k1 AS DATE) FROM {t}",
  'SELECT id, COALESCE(v1, k2, 0), COALESCE(v2, v1) FROM {t}',
  "SELECT id, COALESCE(s, k1, 'none') FROM {t}",
  // string functions
  'SELECT id, lower(s), upper(s), length(s) FROM {t}',
  "SELECT id, s || '-' || k1, concat(s, '-', k1), concat(k1, v1, b) FROM {t}",
  "SELECT id FROM {t} WHERE length(s) > 5",
  "SELECT id FROM {t} WHERE lower(s) = 'banana'",
  // trim, substr, replace, concat: nulls, empty strings, positions past either end
  "SELECT id, trim('  ' || s || ' '), ltrim('  ' || s || ' '), rtrim('  ' || s || ' ') FROM {t}",
  "SELECT id, length(trim(concat(' ', k1, ' ', s, ' '))), trim(''), trim('   '), ltrim(NULL), rtrim(k1) FROM {t}",
  "SELECT id FROM {t} WHERE trim(s) <> s OR ltrim(s) = 'a b'",
  'SELECT id, substr(s, 2), substr(s, 2, 3), substring(s, 1, 1), substr(s, -2), substr(s, -3, 2) FROM {t}',
  'SELECT id, substr(s, 0), substr(s, 0, 2), substr(s, 0, -1), substr(s, 10), substr(s, -10, 3), substr(s, -10) FROM {t}',
  'SELECT id, substr(s, k2 - 4, v1 % 5), substr(s, k2), substr(k1, v1 % 4, k2 - 5) FROM {t}',
  'SELECT id, substr(s, 3, -1), substr(s, -1, -2), substr(s, 7, -4), substr(s, 2, 0), substr(s, NULL), substr(s, 1, NULL) FROM {t}',
  "SELECT substr('héllo wörld', 2, 4), substr('héllo', -3), length('héllo wörld'), substr('', 1, 2), substr('abc', -1, 5)",
  "SELECT id, replace(s, 'a', ''), replace(s, 'e', 'EE'), replace(s, '', 'x'), replace(k1, 'hot', NULL) FROM {t}",
  "SELECT id, replace(s, 'an', 'AN'), replace(replace(s, ' ', '_'), ',', ';'), replace(s, s, k1) FROM {t}",
  "SELECT replace('aaa', 'a', 'bb'), replace('aaaa', 'aa', 'b'), replace('abc', 'abcd', 'x'), replace(NULL, 'a', 'b')",
  "SELECT id, concat(NULL, s), concat(s, NULL, k1, NULL), concat(v2, '|', d), concat(NULL, NULL) FROM {t}",
  'SELECT k1, count(*), max(substr(s, 1, 3)), min(replace(s, \'a\', \'z\')) FROM {t} GROUP BY k1',
  "SELECT substr(s, 1, 1) AS c, count(*) FROM {t} GROUP BY substr(s, 1, 1)",
  "SELECT id, length(replace(s, 'a', 'αβ')), substr(replace(s, 'a', 'é'), 2, 3), substr(replace(s, 'a', 'é'), -2) FROM {t}",
  'SELECT k1, greatest(max(v1), min(k2)), least(sum(v2), 0), nullif(count(*), 1) FROM {t} GROUP BY k1',
  // numeric functions: NULLs, negatives, halves (v2 holds quarters, so x.5 ties occur)
  'SELECT id, round(v2), round(v2, 1), round(v2, 0), round(v2, -1), round(v2, -2), round(v2, 5) FROM {t}',
  'SELECT id, round(v1), round(v1, -1), round(v1, -2), round(v1, 2), round(v1, -3), round(v1, -20) FROM {t}',
  'SELECT id, round(v2, CAST(k2 - 5 AS INTEGER)), round(v1, CAST(k2 - 5 AS INTEGER)), round(v2, NULL) FROM {t}',
  'SELECT round(2.5e0), round(-2.5e0), round(0.5e0), round(-0.5e0), round(1234.5e0, -2), round(12.5e0, -1), round(15, -1), round(-25, -1), round(123, -20)',
  'SELECT id, floor(v2), ceil(v2), ceiling(v2), floor(v1), ceil(v1) FROM {t}',
  "SELECT floor(-2.5e0), ceil(-2.5e0), ceiling(2.1e0), floor('inf'::DOUBLE), ceil('-inf'::DOUBLE), floor('nan'::DOUBLE), round('inf'::DOUBLE, 2), round('nan'::DOUBLE)",
  'SELECT id, abs(v1), abs(v2), sign(v1), sign(v2), sign(k2) FROM {t}',
  "SELECT sign(-0.0e0), sign('nan'::DOUBLE), sign(0), sign(-7), sign(3.5e0), abs(-0.0e0), abs(NULL)",
  'SELECT id, sqrt(abs(v2)), sqrt(k2), sqrt(abs(v1)) FROM {t}',
  'SELECT id, ln(abs(v2) + 1), log10(abs(v1) + 1), log(k2 + 1), ln(k2 + 0.5) FROM {t}',
  'SELECT id, exp(v2 / 100), exp(k2), exp(v1 / 10) FROM {t}',
  'SELECT id, pow(v2, 2), power(k2, 3), pow(abs(v2), 0.5), pow(v1, k2), pow(2, v2) FROM {t}',
  "SELECT sqrt(0), sqrt('inf'::DOUBLE), sqrt('nan'::DOUBLE), ln('inf'::DOUBLE), exp(1000), exp(-1000), pow(10, 400), pow(0, -1), pow(-8, 1.0e0 / 3), pow(0, 0)",
  'SELECT id FROM {t} WHERE round(v2) = v2 AND sqrt(abs(v1)) > 20',
  'SELECT k1, round(avg(v2), 2), round(sum(v2)), floor(avg(v1)), ceil(max(v2)) FROM {t} GROUP BY k1',
  'SELECT round(v2) AS r, count(*) FROM {t} GROUP BY round(v2)',
  { q: 'SELECT id, round(v2, 1) AS r FROM {t} ORDER BY r DESC NULLS LAST, id LIMIT 20', o: true },
  // greatest, least (NULLs ignored), nullif
  'SELECT id, greatest(v1, k2), least(v1, k2), greatest(v1, k2, id), least(v1, NULL, k2) FROM {t}',
  'SELECT id, greatest(v1, v2), least(v2, v1), greatest(v2, 0), least(v2, -0.5) FROM {t}',
  "SELECT id, greatest(s, k1), least(s, k1), greatest(s, 'm'), least(k1, 'b', s) FROM {t}",
  'SELECT id, greatest(d, ts), least(d, ts), greatest(b, false), least(b, true) FROM {t}',
  'SELECT greatest(1, NULL, 3), least(NULL, NULL), greatest(1, 2.5), least(2, 1.5), greatest(NULL, 7), least(5)',
  'SELECT id, greatest(v1) FROM {t} WHERE greatest(v1, k2) > 900 OR least(v2, v1) < -990',
  "SELECT id, nullif(k1, 'hot'), nullif(v1, k2), nullif(v2, 0), nullif(k2, NULL), nullif(NULL, k2) FROM {t}",
  "SELECT nullif(1, 1), nullif(1, 2), nullif('a', 'a'), nullif(2, 2.0), nullif(NULL, NULL)",
  "SELECT nullif(k1, 'hot') AS k, count(*), sum(v1) FROM {t} GROUP BY nullif(k1, 'hot')",
  'SELECT id, coalesce(nullif(v1, 0), greatest(k2, 1)), abs(least(v1, k2)) FROM {t}',
  // the new functions over an empty table and over a table with duplicates
  'SELECT trim(s), substr(s, 2), replace(s, \'a\', \'b\'), round(v2, 1), sqrt(abs(v2)), greatest(v1, k2), nullif(k1, \'a\') FROM {e}',
  'SELECT id, trim(s), substr(s, -1), round(v2), floor(v2), greatest(v1, v2), least(k2, v1), nullif(k1, \'a\'), sign(v2) FROM {u}',
  // LIKE, ILIKE
  "SELECT id FROM {t} WHERE s LIKE 'a%'",
  "SELECT id FROM {t} WHERE s LIKE '%e%' AND s NOT LIKE '%4'",
  "SELECT id, s LIKE '_a%', s ILIKE 'b%', s NOT ILIKE '%E%' FROM {t}",
  "SELECT id FROM {t} WHERE s LIKE 'q,r%' OR s LIKE 'a b_'",
  "SELECT k1, count(*) FROM {t} WHERE s ILIKE '%a%a%' GROUP BY k1",
  // aggregates without GROUP BY
  'SELECT count(*) FROM {t}',
  'SELECT count(*), count(v1), count(s), count(ts) FROM {t}',
  'SELECT sum(v1), sum(v2), avg(v1), avg(v2), min(v1), max(v1), min(v2), max(v2) FROM {t}',
  'SELECT min(s), max(s), min(d), max(d), min(ts), max(ts), min(b), max(b) FROM {t}',
  'SELECT count(*), sum(v1), avg(v2), min(s), max(d) FROM {e}',
  'SELECT count(*), sum(v1) FROM {t} WHERE v1 > 2000',
  'SELECT sum(v1) + 1, count(*) * 2, max(v1) - min(v1) FROM {t}',
  'SELECT sum(v1 * k2), avg(v1 + v2), count(v1 + k2) FROM {t}',
  'SELECT sum(CASE WHEN b THEN 1 ELSE 0 END), count(*) FROM {t}',
  // GROUP BY
  'SELECT k1, count(*) FROM {t} GROUP BY k1',
  'SELECT k1, sum(v1), avg(v2), min(s), max(ts) FROM {t} GROUP BY k1',
  'SELECT k2, count(*), count(v1) FROM {t} GROUP BY k2',
  'SELECT k1, k2, count(*), sum(v2) FROM {t} GROUP BY k1, k2',
  'SELECT b, count(*) FROM {t} GROUP BY b',
  'SELECT d, count(*) FROM {t} GROUP BY d',
  'SELECT ts, count(*) FROM {t} GROUP BY ts',
  'SELECT v2, count(*) FROM {t} GROUP BY v2',
  'SELECT s, b, k2, count(*) FROM {t} GROUP BY s, b, k2',
  'SELECT k1, count(*) FROM {e} GROUP BY k1',
  'SELECT k2 % 3, count(*) FROM {t} GROUP BY k2 % 3',
  'SELECT k2 % 3 AS m, sum(v1) FROM {t} GROUP BY m',
  'SELECT k1, k2, sum(v1) FROM {t} GROUP BY 1, 2',
  'SELECT count(*) FROM {t} GROUP BY k1',
  'SELECT k1, sum(v1) / count(v1), avg(v1) FROM {t} GROUP BY k1',
  'SELECT k1, max(v1) - min(v1), sum(v1) + k1_len FROM (SELECT k1, v1, length(k1) AS k1_len FROM {t}) GROUP BY k1, k1_len',
  "SELECT k1 || '!', count(*) FROM {t} GROUP BY k1 || '!'",
  'SELECT lower(s), count(*) FROM {t} GROUP BY lower(s)',
  'SELECT k1, count(*) FROM {t} WHERE v1 > 0 GROUP BY k1',
  'SELECT CASE WHEN v1 > 0 THEN 1 ELSE 0 END AS pos, count(*), sum(v1) FROM {t} GROUP BY pos',
  // count(DISTINCT x)
  'SELECT count(DISTINCT k1), count(DISTINCT v1), count(DISTINCT v2), count(DISTINCT s) FROM {t}',
  'SELECT count(DISTINCT b), count(DISTINCT d), count(DISTINCT ts), count(*) FROM {t}',
  'SELECT k1, count(DISTINCT k2), count(DISTINCT v1), count(v1) FROM {t} GROUP BY k1',
  'SELECT k2, count(DISTINCT s), count(DISTINCT s) + 1 FROM {t} GROUP BY k2 HAVING count(DISTINCT s) > 3',
  'SELECT count(DISTINCT k1), count(DISTINCT v2) FROM {e}',
  'SELECT count(DISTINCT id) FROM {u}',
  { q: 'SELECT k1, count(DISTINCT d) AS n FROM {t} GROUP BY k1 ORDER BY n DESC, k1', o: true },
  // HAVING
  'SELECT k1, count(*) FROM {t} GROUP BY k1 HAVING count(*) > 100',
  'SELECT k2, sum(v1) FROM {t} GROUP BY k2 HAVING sum(v1) > 0 AND k2 IS NOT NULL',
  'SELECT k1, k2 FROM {t} GROUP BY k1, k2 HAVING max(v2) > 90',
  // DISTINCT
  'SELECT DISTINCT k1 FROM {t}',
  'SELECT DISTINCT k1, k2 FROM {t}',
  'SELECT DISTINCT b, d FROM {t}',
  'SELECT DISTINCT * FROM {u}',
  'SELECT DISTINCT v2 FROM {u}',
  'SELECT DISTINCT k1 FROM {e}',
  // ORDER BY (complete orders), LIMIT, OFFSET
  { q: 'SELECT id, v1 FROM {t} ORDER BY v1, id', o: true },
  { q: 'SELECT id, v1 FROM {t} ORDER BY v1 DESC, id', o: true },
  { q: 'SELECT id, v1 FROM {t} ORDER BY v1 NULLS FIRST, id DESC', o: true },
  { q: 'SELECT id, v1 FROM {t} ORDER BY v1 DESC NULLS FIRST, id', o: true },
  { q: 'SELECT id, v2 FROM {t} ORDER BY v2 DESC NULLS LAST, id', o: true },
  { q: 'SELECT id, s FROM {t} ORDER BY s, id LIMIT 50', o: true },
  { q: 'SELECT id, d, ts FROM {t} ORDER BY d DESC, ts, id LIMIT 20 OFFSET 10', o: true },
  { q: 'SELECT id, b FROM {t} ORDER BY b, id DESC LIMIT 30', o: true },
  { q: 'SELECT id FROM {t} ORDER BY id LIMIT 0', o: true },
  { q: 'SELECT id FROM {t} ORDER BY id LIMIT 5 OFFSET 2998', o: true },
  { q: 'SELECT id FROM {t} ORDER BY id OFFSET 2990', o: true },
  { q: 'SELECT id, v1 + k2 AS x FROM {t} ORDER BY x, id', o: true },
  { q: 'SELECT id, v1 FROM {t} ORDER BY 2 DESC, 1', o: true },
  { q: 'SELECT id FROM {t} ORDER BY v2, id', o: true },
  { q: 'SELECT id FROM {t} ORDER BY -id LIMIT 7', o: true },
  { q: 'SELECT k1, count(*) AS n FROM {t} GROUP BY k1 ORDER BY n DESC, k1', o: true },
  { q: 'SELECT k1, sum(v1) FROM {t} GROUP BY k1 ORDER BY sum(v1), k1', o: true },
  { q: 'SELECT k1, k2, count(*) FROM {t} GROUP BY k1, k2 ORDER BY k1 NULLS FIRST, k2 DESC', o: true },
  { q: 'SELECT k1 FROM {t} GROUP BY k1 ORDER BY max(v1) DESC, k1', o: true },
  { q: 'SELECT DISTINCT k2 FROM {t} ORDER BY k2', o: true },
  { q: 'SELECT DISTINCT k1, b FROM {t} ORDER BY k1 DESC, b NULLS FIRST', o: true },
  { q: 'SELECT * FROM {u} ORDER BY id DESC', o: true },
  { q: 'SELECT id, k1 FROM {u} ORDER BY k1, id', o: true },
  { q: 'SELECT * FROM {e} ORDER BY id', o: true },
  'SELECT id FROM {t} LIMIT 0',
  'SELECT count(*) FROM (SELECT id FROM {t} LIMIT 100)',
  // subqueries in FROM and WITH
  'SELECT x, count(*) FROM (SELECT k2 % 2 AS x FROM {t}) GROUP BY x',
  'SELECT * FROM (SELECT id, v1 * 2 AS w FROM {t}) AS q WHERE w > 100',
  'WITH big AS (SELECT * FROM {t} WHERE v1 > 500) SELECT k1, count(*) FROM big GROUP BY k1',
  'WITH a AS (SELECT k1, sum(v1) AS s1 FROM {t} GROUP BY k1), b AS (SELECT * FROM a WHERE s1 > 0) SELECT count(*), sum(s1) FROM b',
  'WITH c (key, n) AS (SELECT k2, count(*) FROM {t} GROUP BY k2) SELECT key, n FROM c WHERE n > 250',
  { q: 'WITH r AS (SELECT id, v1 FROM {t} ORDER BY v1 DESC, id LIMIT 10) SELECT * FROM r ORDER BY id', o: true },
  'SELECT q.id FROM (SELECT id FROM {u}) q WHERE q.id > 3',
  'SELECT t.id, t.k1 FROM {t} AS t WHERE t.v1 < -990',
  'SELECT * EXCLUDE (ts, s) FROM {u}',
  // UNION ALL
  'SELECT id, k1 FROM {t} UNION ALL SELECT id, k1 FROM {u}',
  'SELECT v1 FROM {t} WHERE v1 > 900 UNION ALL SELECT v2 FROM {u}',
  'SELECT d FROM {u} UNION ALL SELECT ts FROM {u}',
  'SELECT k1, count(*) FROM {t} GROUP BY k1 UNION ALL SELECT k1, count(*) FROM {u} GROUP BY k1 UNION ALL SELECT k1, count(*) FROM {e} GROUP BY k1',
  { q: 'SELECT id, s FROM {u} UNION ALL SELECT id, s FROM {u} ORDER BY 1, 2 DESC', o: true },
  { q: '(SELECT id FROM {t} ORDER BY id LIMIT 3) UNION ALL (SELECT id FROM {u} ORDER BY id DESC LIMIT 2) ORDER BY id LIMIT 4', o: true },
  'SELECT k, sum(n) FROM (SELECT k2 AS k, 1 AS n FROM {t} UNION ALL SELECT k2, 10 FROM {u}) GROUP BY k',
  'WITH a AS (SELECT id FROM {u} UNION ALL SELECT id FROM {e}) SELECT count(*), sum(id) FROM a',
  // skew and ties
  "SELECT k1, count(*), min(id), max(id) FROM {t} WHERE k1 = 'hot' GROUP BY k1",
  'SELECT v1, count(*) FROM {t} GROUP BY v1 HAVING count(*) > 2',
  'SELECT k2, v2, count(*) FROM {t} GROUP BY k2, v2',
  // joins: every type, keys, residuals, NULL keys, duplicates on both sides, empty sides, skew
  'SELECT a.id, b.id AS bid, b.k1 FROM {t} a JOIN {u} b ON a.id = b.id',
  'SELECT a.id, b.id AS bid FROM {t} a INNER JOIN {u} b ON a.k2 = b.k2',
  'SELECT a.id, a.k2, b.id AS bid FROM {u} a JOIN {u} b ON a.k2 = b.k2',
  'SELECT a.id, b.id AS bid FROM {u} a JOIN {u} b ON a.k1 = b.k1 AND a.k2 = b.k2',
  'SELECT a.id, b.id AS bid, b.v1 FROM {u} a LEFT JOIN {u} b ON a.k1 = b.k1 AND a.id < b.id',
  'SELECT a.id, b.id AS bid FROM {u} a RIGHT JOIN {u} b ON a.k2 = b.k2 AND a.id <> b.id',
  'SELECT a.id, b.id AS bid FROM {u} a FULL JOIN {u} b ON a.k2 = b.k2 AND a.v1 > b.v1',
  'SELECT a.id, b.id AS bid FROM {u} a FULL OUTER JOIN {u} b ON a.k1 = b.k1',
  'SELECT a.id, b.id AS bid FROM {u} a LEFT OUTER JOIN {u} b ON a.k2 = b.k2',
  'SELECT a.id, b.id AS bid FROM {u} a RIGHT OUTER JOIN {u} b ON a.k1 = b.k1',
  'SELECT a.id, b.id AS bid FROM {u} a CROSS JOIN {u} b',
  'SELECT a.id, b.id AS bid FROM {u} a, {u} b WHERE a.id + 1 = b.id',
  'SELECT a.id, b.id AS bid, c.id AS cid FROM {u} a, {u} b, {u} c WHERE a.k1 = b.k1 AND b.k2 = c.k2',
  'SELECT count(*) FROM {t} a JOIN {t} b ON a.k1 = b.k1',
  "SELECT a.k1, count(*) AS n, sum(b.v1) AS s FROM {t} a JOIN {t} b ON a.k1 = b.k1 AND a.k2 = b.k2 GROUP BY a.k1",
  'SELECT count(*), count(b.id) FROM {t} a LEFT JOIN {u} b ON a.k2 = b.k2',
  'SELECT count(*), count(a.id) FROM {t} a RIGHT JOIN {u} b ON a.id = b.v1',
  'SELECT count(*), count(a.id), count(b.id) FROM {t} a FULL JOIN {u} b ON a.v1 = b.v1',
  'SELECT a.id, b.id AS bid FROM {t} a JOIN {u} b ON a.v1 = b.v2',
  'SELECT a.id, b.id AS bid FROM {u} a JOIN {t} b ON a.v2 = b.v1 AND b.id < 500',
  'SELECT a.id, b.id AS bid FROM {u} a JOIN {u} b ON a.d = b.d',
  'SELECT a.id, b.id AS bid FROM {u} a JOIN {u} b ON a.ts = b.ts',
  'SELECT a.id, b.id AS bid FROM {u} a JOIN {u} b ON a.b = b.b AND a.s = b.s',
  'SELECT a.id, b.id AS bid FROM {u} a JOIN {u} b ON a.d = b.ts',
  'SELECT a.id, b.id AS bid FROM {u} a JOIN {u} b ON lower(a.s) = lower(b.s)',
  'SELECT a.id, b.id AS bid FROM {u} a JOIN {u} b ON a.v1 * 2 = b.v1 + b.v1',
  'SELECT a.id, b.id AS bid FROM {u} a JOIN {u} b ON a.id < b.id',
  'SELECT a.id, b.id AS bid FROM {u} a LEFT JOIN {u} b ON a.id < b.id AND b.k1 IS NOT NULL',
  'SELECT a.id, b.id AS bid FROM {u} a LEFT JOIN {u} b ON a.k1 = b.k1 AND a.k1 IS NULL',
  'SELECT a.id, b.id AS bid FROM {u} a LEFT JOIN {u} b ON FALSE',
  'SELECT a.id, b.id AS bid FROM {u} a FULL JOIN {u} b ON a.id = b.id AND b.id > 3',
  'SELECT a.id, b.id AS bid FROM {t} a JOIN {e} b ON a.id = b.id',
  'SELECT a.id, b.id AS bid FROM {u} a LEFT JOIN {e} b ON a.id = b.id',
  'SELECT a.id, b.id AS bid FROM {e} a RIGHT JOIN {u} b ON a.id = b.id',
  'SELECT a.id, b.id AS bid FROM {e} a FULL JOIN {u} b ON a.k1 = b.k1',
  'SELECT a.id, b.id AS bid FROM {u} a CROSS JOIN {e} b',
  'SELECT count(*) FROM {e} a JOIN {t} b ON a.id = b.id',
  'SELECT * FROM {u} a JOIN {u} b USING (id)',
  'SELECT * FROM {u} a LEFT JOIN {u} b USING (k1, k2)',
  'SELECT * FROM {u} a FULL JOIN {u} b USING (k2)',
  'SELECT k2, a.id, b.id AS bid FROM {u} a RIGHT JOIN {u} b USING (k2)',
  'SELECT k1, count(*) FROM {u} a JOIN {u} b USING (k1) GROUP BY k1',
  'SELECT a.*, b.v1 AS bv1 FROM {u} a JOIN {u} b USING (id)',
  'SELECT x.id, y.id AS yid FROM {u} x JOIN {u} y ON x.id = y.id + 1',
  'SELECT a.id, b.id AS bid, c.id AS cid FROM {u} a JOIN {u} b ON a.k1 = b.k1 JOIN {u} c ON b.k2 = c.k2',
  'SELECT a.id, b.id AS bid, c.id AS cid FROM {u} a LEFT JOIN {u} b ON a.k2 = b.k2 FULL JOIN {u} c ON b.id = c.v1',
  'SELECT a.id, c.id AS cid FROM {u} a JOIN ({u} b JOIN {u} c ON b.k1 = c.k1) ON a.id = b.id',
  'SELECT count(*), sum(a.v1), sum(c.v1) FROM {t} a JOIN {u} b ON a.k2 = b.k2 JOIN {t} c ON c.id = a.id + 1',
  'WITH w AS (SELECT k1, count(*) AS n FROM {t} GROUP BY k1) SELECT a.id, w.n FROM {u} a JOIN w ON a.k1 = w.k1',
  'WITH w AS (SELECT k2, max(v1) AS m FROM {t} GROUP BY k2) SELECT w.k2, w.m, b.id FROM w LEFT JOIN {u} b ON w.k2 = b.k2',
  'SELECT s.id, b.id AS bid FROM (SELECT id, k1 FROM {t} WHERE id <= 10) s JOIN {u} b ON s.id = b.id',
  'SELECT s.k2, s.n, b.id AS bid FROM (SELECT k2, count(*) AS n FROM {t} GROUP BY k2) s FULL JOIN {u} b USING (k2)',
  { q: 'SELECT a.id, b.id AS bid FROM {u} a JOIN {u} b ON a.k1 = b.k1 ORDER BY a.id, b.id', o: true },
  { q: 'SELECT a.id, b.id AS bid FROM {u} a LEFT JOIN {u} b ON a.k2 = b.k2 ORDER BY a.id DESC, bid NULLS FIRST', o: true },
  { q: 'SELECT a.k1, count(*) AS n FROM {t} a JOIN {u} b ON a.k2 = b.k2 GROUP BY a.k1 ORDER BY n DESC, a.k1 LIMIT 3', o: true },
  { q: 'SELECT a.id, b.v2 FROM {t} a JOIN {t} b ON a.id = b.id AND a.v2 < b.v2 ORDER BY a.id LIMIT 20', o: true },
  'SELECT DISTINCT a.k1, b.k2 FROM {t} a JOIN {u} b ON a.k1 = b.k1',
  'SELECT a.id, b.id AS bid FROM {t} a JOIN {t} b ON a.id = b.id WHERE a.v1 > 900',
  'SELECT a.id, b.id AS bid FROM {t} a JOIN {t} b ON a.id = b.id + 2000 AND a.s = b.s',
  'SELECT a.k1, b.k1 AS bk FROM {u} a, {u} b WHERE a.k1 IS NULL OR b.k1 IS NULL',
  // WHERE's equalities become the keys of inner and cross joins, never of an outer join's NULL side
  'SELECT count(*), sum(a.v1) FROM {t} a, {t} b WHERE a.id = b.id AND a.k1 = b.k1',
  'SELECT count(*) FROM {t} a, {t} b WHERE a.id = b.id + 1 AND a.v2 = b.v2',
  'SELECT a.id, c.id AS cid FROM {u} a, {u} b, {u} c WHERE a.id = b.id AND b.k2 = c.k2 AND a.v1 = c.v1',
  'SELECT a.id, b.id AS bid, c.id AS cid FROM {u} a LEFT JOIN ({u} b CROSS JOIN {u} c) ON a.id = b.id WHERE b.k2 = c.k2',
  'SELECT a.id, b.id AS bid, c.id AS cid FROM {u} a LEFT JOIN ({u} b CROSS JOIN {u} c) ON a.id = b.id AND b.k2 = c.k2',
  'SELECT a.id, b.id AS bid FROM {u} a LEFT JOIN {u} b ON a.k1 = b.k1 WHERE a.id = b.id',
  'SELECT a.id, b.id AS bid FROM {u} a JOIN {u} b ON a.k1 = b.k1 WHERE a.k2 = b.k2 AND a.id = 1 + 0',
  "SELECT count(*) FROM {t} a, {u} b WHERE a.k1 = b.k1 AND a.s = 'x'",
  // a smaller left side (Parquet footers tell): built on the left, the right side streamed
  'SELECT a.id, b.id AS bid, b.v1 FROM {u} a JOIN {t} b ON a.id = b.id',
  'SELECT a.id, b.id AS bid FROM {u} a LEFT JOIN {t} b ON a.k2 = b.k2 AND b.id < 100 AND a.v1 < b.v1',
  'SELECT count(*), count(a.id), sum(b.v1) FROM {u} a RIGHT JOIN {t} b ON a.k2 = b.k2 AND a.id < b.id',
  'SELECT count(*), count(a.id), count(b.id) FROM {u} a FULL JOIN {t} b ON a.v1 = b.v1 AND a.k1 = b.k1',
  'SELECT k2, a.id, b.id AS bid FROM {u} a FULL JOIN {t} b USING (k2) WHERE b.id < 50 OR b.id IS NULL',
  'SELECT a.id, b.id AS bid FROM {e} a RIGHT JOIN {u} b ON a.id = b.id',
  'SELECT count(*) FROM {u} a CROSS JOIN {t} b WHERE a.id = b.k2',
  // each side reads only the columns the query names
  'SELECT b.*, a.id AS aid FROM {u} a JOIN {t} b ON a.id = b.id',
  'SELECT count(*) FROM {t} a JOIN {u} b USING (k1)',
  'SELECT r.x, b.id AS bid FROM {u} AS r (x, y) JOIN {u} b ON r.y = b.k1',
  'SELECT a.s, b.d FROM {t} a JOIN {u} b ON a.id = b.id ORDER BY a.s',
  // CTEs joined with themselves, UNION ALL and unaliased subqueries as sides, LIMIT stopping a join
  'WITH c AS (SELECT k1, k2, id FROM {u}) SELECT x.id, y.id AS yid FROM c x JOIN c y ON x.k1 = y.k1 AND x.id <> y.id',
  'WITH j AS (SELECT a.id, b.k2 FROM {u} a JOIN {u} b USING (id)) SELECT j.id, j.k2, c.id AS cid FROM j LEFT JOIN {u} c ON j.k2 = c.k2',
  'SELECT a.id, n FROM {u} a JOIN (SELECT k1 AS kk, count(*) AS n FROM {t} GROUP BY k1) ON a.k1 = kk',
  'SELECT a.id, w.x FROM {u} a JOIN (SELECT 1 AS x UNION ALL SELECT 2 UNION ALL SELECT 2) w ON a.id = w.x',
  'SELECT count(*) FROM (SELECT a.id FROM {t} a JOIN {t} b ON a.k1 = b.k1 LIMIT 10)',
  'SELECT count(*) FROM (SELECT a.id FROM {t} a FULL JOIN {t} b ON a.k2 = b.k2 LIMIT 70000)',
  // ASOF: each left row with the closest right row of equal keys that satisfies the inequality
  'SELECT a.id, b.id AS bid FROM {u} a ASOF JOIN {t} b ON a.k2 = b.k2 AND a.id * 100 >= b.id',
  'SELECT a.id, b.id AS bid, b.v1 FROM {t} a ASOF LEFT JOIN {u} b ON a.k1 = b.k1 AND a.id > b.id',
  'SELECT a.id, b.id AS bid FROM {t} a ASOF JOIN {t} b ON a.k2 = b.k2 AND a.k1 = b.k1 AND a.id <= b.id - 3',
  'SELECT a.id, b.id AS bid FROM {t} a ASOF LEFT JOIN {t} b ON a.id < b.id * 2 AND a.k2 = b.k2',
  'SELECT a.id, b.id AS bid FROM {u} a ASOF JOIN {t} b ON b.id <= a.id * 7',
  // (a NULL left value never matches; DuckDB's sort-based ASOF pairs it with the last right row)
  'SELECT count(*), count(b.id), sum(b.id) FROM {t} a ASOF LEFT JOIN {t} b ON a.k1 = b.k1 AND a.v1 >= b.id WHERE a.v1 IS NOT NULL',
  'SELECT a.id, b.id AS bid, b.v2 FROM {u} a ASOF LEFT JOIN {t} b ON a.k1 = b.k1 AND a.v2 * 20 + 1000.5 <= b.id WHERE a.v2 IS NOT NULL',
  'SELECT a.id, b.id AS bid FROM {u} a ASOF LEFT JOIN {e} b ON a.k1 = b.k1 AND a.id >= b.id',
];

// Constructs the engine refuses today, with the words its message must contain.
const UNSUPPORTED = [
  ['SELECT a.id FROM {t} a ASOF JOIN {u} b USING (k1, id)', 'not supported yet: ASOF JOIN with USING'],
  ['SELECT string_agg(DISTINCT s) FROM {t}', 'not supported yet: string_agg(DISTINCT'],
  ["SELECT trim(s, 'a') FROM {t}", 'not supported yet: trim() with a set of characters to remove'],
  ['SELECT log(2, v2) FROM {t}', 'not supported yet: log(base, x)'],
];

function fill(sql, kind) {
  return fillTables(sql, kind, TMP);
}

// More corpora: every tests/interop/corpus/*.mjs exports `queries` (entries as in Q) and may
// export `unsupported` (pairs as in UNSUPPORTED), so each area of the engine keeps its own file.
async function loadCorpora() {
  const dir = path.join(here, 'corpus');
  if (!fs.existsSync(dir)) return;
  for (const f of fs.readdirSync(dir).filter((f) => f.endsWith('.mjs')).sort()) {
    const m = await import(path.join(dir, f));
    for (const entry of m.queries || []) Q.push(entry);
    for (const pair of m.unsupported || []) UNSUPPORTED.push(pair);
  }
}

async function main() {
  await loadCorpora();
  writeTables(TMP);
  for (const n of ['t', 'u', 'e'])
    await duckdbQueryJson(`CREATE TABLE ${n} AS SELECT * FROM read_parquet('${path.join(TMP, `${n}.parquet`)}')`);
  for (const fmt of ['parquet', 'csv'])
    await duckdbQueryJson(`COPY t TO '${path.join(TMP, `h_${fmt}`)}' (FORMAT ${fmt}, PARTITION_BY (k1, k2))`);
  await duckdbQueryJson(`CREATE TABLE h AS SELECT * FROM read_parquet('${path.join(TMP, 'h_parquet', '*', '*', '*.parquet')}', hive_partitioning = true)`);
  let queries = 0;
  for (const entry of Q) {
    const q = typeof entry === 'string' ? entry : entry.q;
    queries++;
    const ordered = typeof entry === 'object' && entry.o;
    let want;
    try {
      want = (await duckdbQueryJson(fill(q, 'duck'))).map((r) => Object.values(r).map(canon));
    } catch (err) {
      fail(q, `DuckDB refused it: ${err.message}`);
      continue;
    }
    for (const kind of ['csv', 'parquet']) {
      const name = `[${kind}] ${q}`;
      const r = sbd(['query', '--format', 'csv', fill(q, kind)]);
      if (r.status !== 0) {
        fail(name, `exit ${r.status}: ${r.stderr.trim()}`);
        continue;
      }
      const rows = parseCsv(r.stdout).slice(1).map((row) => row.map(canon));
      if (compareRows(name, rows, want, ordered)) passed++;
    }
  }
  for (const [q, words] of UNSUPPORTED) {
    const r = sbd(['query', '--format', 'csv', fill(q, 'csv')]);
    if (r.status === 1 && r.stderr.includes(words) && r.stdout === '') passed++;
    else fail(q, `expected "${words}" and exit 1, got exit ${r.status}: ${r.stderr.trim()}`);
  }
  await duckdbClose();
  console.log(`sql: ${queries} queries compared with DuckDB over CSV and Parquet, ${UNSUPPORTED.length} refusals checked`);
  console.log(`sql: ${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

main().catch((err) => {
  console.log(`FAIL sql.mjs: ${err.stack}`);
  console.log(`sql: ${passed} passed, ${failed + 1} failed`);
  process.exit(1);
});
