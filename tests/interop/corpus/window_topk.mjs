// The per-partition top-k (src/exec/window_topk.c): a filter that keeps the rows whose
// row_number(), rank() or dense_rank() is at most a small constant, written as an outer WHERE over
// a subquery or CTE, or as QUALIFY. row_number() numbers ties in no promised order, so those
// queries return only what is determined: the partition keys, the order keys' values and the
// numbers (the multiset of those is the same whichever tied row takes which number); rank() and
// dense_rank() are exact with ties, so their queries return the rows themselves (id).
export const queries = [
  // the db-benchmark's q8, small
  'SELECT k1, v2 AS largest2_v2 FROM (SELECT k1, v2, row_number() OVER (PARTITION BY k1 ORDER BY v2 DESC) AS rn FROM {t} WHERE v2 IS NOT NULL) sub WHERE rn <= 2',
  'SELECT k2, v1, rn FROM (SELECT k2, v1, row_number() OVER (PARTITION BY k2 ORDER BY v1) AS rn FROM {t}) sub WHERE rn = 1',
  'SELECT k2, v1, rn FROM (SELECT k2, v1, row_number() OVER (PARTITION BY k2 ORDER BY v1 DESC) AS rn FROM {t}) sub WHERE rn <= 5',
  'SELECT k1, v1, rn FROM (SELECT k1, v1, row_number() OVER (PARTITION BY k1 ORDER BY v1 NULLS FIRST) AS rn FROM {t}) sub WHERE rn < 3',
  'SELECT k1, v1, rn FROM (SELECT k1, v1, row_number() OVER (PARTITION BY k1 ORDER BY v1 DESC NULLS FIRST) AS rn FROM {t}) sub WHERE rn BETWEEN 1 AND 4',
  'SELECT k1, v2, rn FROM (SELECT k1, v2, row_number() OVER (PARTITION BY k1 ORDER BY v2 ASC NULLS LAST) AS rn FROM {t}) sub WHERE 2 >= rn',
  // QUALIFY
  'SELECT k1, v1, row_number() OVER (PARTITION BY k1 ORDER BY v1 NULLS FIRST) AS rn FROM {t} QUALIFY rn <= 3',
  'SELECT k1, v2 FROM {t} QUALIFY row_number() OVER (PARTITION BY k1 ORDER BY v2 DESC NULLS FIRST) = 1',
  'SELECT k2, v2, row_number() OVER (PARTITION BY k2 ORDER BY v2) AS rn FROM {t} QUALIFY rn <= 2 AND v2 < 0',
  // rank and dense_rank: exact, with ties
  'SELECT id, k1, v1, r FROM (SELECT id, k1, v1, rank() OVER (PARTITION BY k1 ORDER BY v1) AS r FROM {t}) sub WHERE r <= 2',
  'SELECT id, k2, v1, dr FROM (SELECT id, k2, v1, dense_rank() OVER (PARTITION BY k2 ORDER BY v1 DESC) AS dr FROM {t}) sub WHERE dr <= 3',
  'SELECT id, k1, k2, rank() OVER (PARTITION BY k1 ORDER BY k2 DESC NULLS FIRST) AS r FROM {t} QUALIFY r < 3',
  'SELECT id, b, k2, rank() OVER (PARTITION BY b ORDER BY k2) AS r FROM {t} QUALIFY r = 1',
  'SELECT id, k1, s, dense_rank() OVER (PARTITION BY k1 ORDER BY s NULLS FIRST) AS dr FROM {t} QUALIFY dr <= 2',
  'SELECT id, k1, d, dense_rank() OVER (PARTITION BY k1 ORDER BY d DESC NULLS LAST) AS dr FROM {t} QUALIFY dr = 1',
  // several calls of one window; other conditions beside the bound
  'SELECT k1, v1, rn, r, dr FROM (SELECT k1, v1, row_number() OVER (PARTITION BY k1 ORDER BY v1) AS rn, rank() OVER (PARTITION BY k1 ORDER BY v1) AS r, dense_rank() OVER (PARTITION BY k1 ORDER BY v1) AS dr FROM {t}) sub WHERE rn <= 3',
  'SELECT id, k1, v1, r, dr FROM (SELECT id, k1, v1, rank() OVER (PARTITION BY k1 ORDER BY v1 DESC) AS r, dense_rank() OVER (PARTITION BY k1 ORDER BY v1 DESC) AS dr FROM {t}) sub WHERE dr <= 2',
  'SELECT k1, v1, r, rn FROM (SELECT k1, v1, rank() OVER (PARTITION BY k1 ORDER BY v1) AS r, row_number() OVER (PARTITION BY k1 ORDER BY v1) AS rn FROM {t}) sub WHERE r <= 2',
  'SELECT k2, v1, rn FROM (SELECT k2, v1, row_number() OVER (PARTITION BY k2 ORDER BY v1 DESC) AS rn FROM {t}) sub WHERE rn <= 3 AND v1 > 0',
  // several partition keys, several order keys, expressions, strings, dates, timestamps
  'SELECT k1, k2, v2, rn FROM (SELECT k1, k2, v2, row_number() OVER (PARTITION BY k1, k2 ORDER BY v2) AS rn FROM {t}) sub WHERE rn <= 2',
  'SELECT id, k1, v1, v2, r FROM (SELECT id, k1, v1, v2, rank() OVER (PARTITION BY k1 ORDER BY v1 DESC, v2 NULLS FIRST) AS r FROM {t}) sub WHERE r <= 4',
  'SELECT k2, s, rn FROM (SELECT k2, s, row_number() OVER (PARTITION BY k2 ORDER BY s DESC) AS rn FROM {t}) sub WHERE rn <= 2',
  'SELECT s, d, rn FROM (SELECT s, d, row_number() OVER (PARTITION BY s ORDER BY d) AS rn FROM {t}) sub WHERE rn = 1',
  'SELECT b, ts, rn FROM (SELECT b, ts, row_number() OVER (PARTITION BY b ORDER BY ts DESC) AS rn FROM {t}) sub WHERE rn <= 5',
  'SELECT p, o, rn FROM (SELECT k2 % 3 AS p, v1 % 7 AS o, row_number() OVER (PARTITION BY k2 % 3 ORDER BY v1 % 7 DESC, abs(v2)) AS rn FROM {t}) sub WHERE rn <= 4',
  "SELECT k1, x, rn FROM (SELECT k1, CASE WHEN v1 > 20 THEN 'NaN'::DOUBLE WHEN v1 < -20 THEN -0.0 ELSE v2 END AS x, row_number() OVER (PARTITION BY k1 ORDER BY CASE WHEN v1 > 20 THEN 'NaN'::DOUBLE WHEN v1 < -20 THEN -0.0 ELSE v2 END DESC) AS rn FROM {t}) sub WHERE rn <= 3",
  // no PARTITION BY: one partition
  'SELECT v2, rn FROM (SELECT v2, row_number() OVER (ORDER BY v2 DESC) AS rn FROM {t}) sub WHERE rn <= 10',
  'SELECT id, v1, rank() OVER (ORDER BY v1 NULLS FIRST) AS r FROM {t} QUALIFY r <= 3',
  // CTEs, renamed columns, a bound larger than every partition
  'WITH w AS (SELECT k1, v1, row_number() OVER (PARTITION BY k1 ORDER BY v1 DESC) AS rn FROM {t}) SELECT k1 AS key, v1 AS top FROM w WHERE rn <= 2',
  'WITH w AS (SELECT id, k2, rank() OVER (PARTITION BY k2 ORDER BY id) AS r FROM {t}) SELECT * FROM w WHERE r <= 1000',
  'SELECT id, k1, k2, v1, v2, s, b, d, ts, rn FROM (SELECT *, row_number() OVER (PARTITION BY id ORDER BY v1) AS rn FROM {t}) sub WHERE rn = 1',
  'SELECT k2, v1, rn FROM (SELECT k2, v1, row_number() OVER (PARTITION BY k2 ORDER BY v1, id) AS rn FROM {u}) sub WHERE rn <= 2',
  // nothing passes, no input, no ORDER BY
  'SELECT k1, v1 FROM (SELECT k1, v1, row_number() OVER (PARTITION BY k1 ORDER BY v1) AS rn FROM {t}) sub WHERE rn <= 0',
  'SELECT k1, v1, rn FROM (SELECT k1, v1, row_number() OVER (PARTITION BY k1 ORDER BY v1) AS rn FROM {e}) sub WHERE rn <= 2',
  'SELECT id, rank() OVER (ORDER BY v1) AS r FROM {e} QUALIFY r = 1',
  'SELECT k1, count(*) AS n FROM (SELECT k1, row_number() OVER (PARTITION BY k1) AS rn FROM {t}) sub WHERE rn <= 2 GROUP BY k1',
  // the general window operator still runs what the top-k does not take
  'SELECT k1, v1, rn, total FROM (SELECT k1, v1, row_number() OVER (PARTITION BY k1 ORDER BY v1, id) AS rn, sum(v1) OVER (PARTITION BY k1) AS total FROM {t}) sub WHERE rn <= 2',
  'SELECT id, rank() OVER (PARTITION BY k1) AS r FROM {u} QUALIFY r = 1',
];
