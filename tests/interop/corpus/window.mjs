// Window functions: f(...) OVER ([PARTITION BY ...] [ORDER BY ...] [frame]). Every function whose
// answer depends on the order of rows inside a partition is given a total order (id breaks the
// ties), or is one DuckDB defines over peers (rank, dense_rank, percent_rank, cume_dist, and the
// aggregates with the default RANGE frame, which includes the current row's peers).
export const queries = [
  // ranking
  'SELECT id, row_number() OVER (ORDER BY id) AS rn FROM {t}',
  'SELECT id, row_number() OVER (PARTITION BY k1 ORDER BY v1, id) AS rn FROM {t}',
  'SELECT id, rank() OVER (ORDER BY v1) AS r FROM {t}',
  'SELECT id, rank() OVER (PARTITION BY k1 ORDER BY v1 DESC) AS r FROM {t}',
  'SELECT id, dense_rank() OVER (PARTITION BY k2 ORDER BY v2) AS r FROM {t}',
  'SELECT id, rank() OVER (ORDER BY k1 DESC NULLS FIRST, k2 NULLS FIRST) AS r FROM {t}',
  'SELECT id, dense_rank() OVER (ORDER BY s NULLS FIRST) AS r, rank() OVER (ORDER BY s DESC NULLS LAST) AS r2 FROM {t}',
  'SELECT id, percent_rank() OVER (PARTITION BY k1 ORDER BY v1) AS p FROM {t}',
  'SELECT id, cume_dist() OVER (PARTITION BY k1 ORDER BY v1) AS c FROM {t}',
  'SELECT id, cume_dist() OVER (ORDER BY b) AS c, percent_rank() OVER (ORDER BY d DESC) AS p FROM {t}',
  'SELECT id, rank() OVER () AS r, dense_rank() OVER () AS dr, percent_rank() OVER () AS p, cume_dist() OVER () AS c FROM {u}',
  'SELECT id, ntile(4) OVER (ORDER BY id) AS n FROM {t}',
  'SELECT id, ntile(7) OVER (PARTITION BY k1 ORDER BY v2, id) AS n FROM {t}',
  'SELECT id, ntile(100) OVER (PARTITION BY k2 ORDER BY id) AS n FROM {u}',
  'SELECT id, ntile(2.6) OVER (ORDER BY id) AS n FROM {u}',
  'SELECT id, row_number() OVER (PARTITION BY id ORDER BY id) AS one FROM {t}',
  // lag and lead
  'SELECT id, lag(v1) OVER (ORDER BY id) AS x FROM {t}',
  'SELECT id, lead(v1) OVER (ORDER BY id) AS x FROM {t}',
  'SELECT id, lag(v2, 3) OVER (PARTITION BY k1 ORDER BY id) AS x FROM {t}',
  'SELECT id, lead(s, 2, \'none\') OVER (PARTITION BY k2 ORDER BY id DESC) AS x FROM {t}',
  'SELECT id, lag(v1, 1, 0) OVER (PARTITION BY k1 ORDER BY v1 NULLS FIRST, id) AS x FROM {t}',
  'SELECT id, lag(v1, -2) OVER (ORDER BY id) AS x, lead(v1, 0) OVER (ORDER BY id) AS y FROM {t}',
  'SELECT id, lag(d, 1, DATE \'2000-01-01\') OVER (ORDER BY id) AS x, lead(ts) OVER (ORDER BY id) AS y FROM {t}',
  'SELECT id, lead(b, 1, true) OVER (PARTITION BY k1 ORDER BY id) AS x FROM {t}',
  'SELECT id, lag(v1, 1, 0.5) OVER (ORDER BY id) AS x FROM {u}',
  'SELECT id, lag(v1, k2) OVER (ORDER BY id) AS x FROM {u}',
  'SELECT id, v1 - lag(v1) OVER (PARTITION BY k1 ORDER BY id) AS delta FROM {t}',
  'SELECT id, coalesce(lead(v2) OVER (ORDER BY id), -1) / 2 AS x FROM {t}',
  // first_value, last_value, nth_value
  'SELECT id, first_value(v1) OVER (PARTITION BY k1 ORDER BY id) AS f FROM {t}',
  'SELECT id, last_value(v1) OVER (PARTITION BY k1 ORDER BY id) AS l FROM {t}',
  'SELECT id, last_value(s) OVER (PARTITION BY k1 ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS l FROM {t}',
  'SELECT id, first_value(v2) OVER (ORDER BY id ROWS BETWEEN 2 FOLLOWING AND 5 FOLLOWING) AS f FROM {t}',
  'SELECT id, nth_value(s, 3) OVER (PARTITION BY k2 ORDER BY id) AS n FROM {t}',
  'SELECT id, nth_value(v1, 2) OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING) AS n FROM {t}',
  'SELECT id, first_value(d) OVER (PARTITION BY k1 ORDER BY d NULLS FIRST, id) AS f FROM {t}',
  // aggregates: running (RANGE, peers included), whole partition, ROWS frames
  'SELECT id, sum(v1) OVER (ORDER BY id) AS s FROM {t}',
  'SELECT id, sum(v1) OVER (ORDER BY v1) AS s FROM {t}',
  'SELECT id, sum(v1) OVER (PARTITION BY k1 ORDER BY k2) AS s, count(*) OVER (PARTITION BY k1 ORDER BY k2) AS c FROM {t}',
  'SELECT id, count(v1) OVER (PARTITION BY k2 ORDER BY v2 DESC NULLS FIRST) AS c FROM {t}',
  'SELECT id, avg(v2) OVER (PARTITION BY k1) AS a, count(*) OVER (PARTITION BY k1) AS n FROM {t}',
  'SELECT id, min(s) OVER (PARTITION BY k2) AS lo, max(s) OVER (PARTITION BY k2) AS hi FROM {t}',
  'SELECT id, min(v1) OVER (ORDER BY id ROWS BETWEEN 3 PRECEDING AND 3 FOLLOWING) AS lo, max(v1) OVER (ORDER BY id ROWS BETWEEN 3 PRECEDING AND 3 FOLLOWING) AS hi FROM {t}',
  'SELECT id, sum(v1) OVER (ORDER BY id ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS s FROM {t}',
  'SELECT id, avg(v2) OVER (PARTITION BY k1 ORDER BY id ROWS 5 PRECEDING) AS a FROM {t}',
  'SELECT id, sum(v2) OVER (PARTITION BY k1 ORDER BY id ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) AS s FROM {t}',
  'SELECT id, count(*) OVER (ORDER BY id ROWS BETWEEN 2 FOLLOWING AND 1 FOLLOWING) AS c, sum(v1) OVER (ORDER BY id ROWS BETWEEN 2 FOLLOWING AND 1 FOLLOWING) AS s FROM {u}',
  'SELECT id, max(d) OVER (PARTITION BY k1 ORDER BY id ROWS BETWEEN 10 PRECEDING AND 2 PRECEDING) AS m FROM {t}',
  'SELECT id, min(ts) OVER (ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 FOLLOWING) AS m FROM {t}',
  'SELECT id, max(b) OVER (PARTITION BY k2 ORDER BY id ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING) AS m FROM {t}',
  'SELECT id, sum(v1) OVER (ORDER BY v1 RANGE BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) AS s FROM {t}',
  'SELECT id, count(*) OVER (ORDER BY k2 RANGE BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS c FROM {t}',
  'SELECT id, sum(v1) OVER (ORDER BY k1 RANGE CURRENT ROW) AS s FROM {t}',
  'SELECT id, sum(v1) OVER (ORDER BY id ROWS BETWEEN -1 PRECEDING AND 2 FOLLOWING) AS s FROM {t}',
  'SELECT id, sum(v1) OVER (ORDER BY id ROWS BETWEEN 1.6 PRECEDING AND CURRENT ROW) AS s FROM {u}',
  'SELECT id, sum(NULL) OVER () AS s, count(NULL) OVER () AS c FROM {u}',
  'SELECT id, sum(v1) OVER () AS total, v1 * 100.0 / sum(v1) OVER () AS pct FROM {t}',
  // several specs, shared specs, repeated calls
  'SELECT id, row_number() OVER (ORDER BY id) AS a, row_number() OVER (ORDER BY id DESC) AS b, rank() OVER (PARTITION BY k1 ORDER BY v1) AS c, sum(v1) OVER (PARTITION BY k1 ORDER BY v1) AS d FROM {t}',
  'SELECT id, lag(v1) OVER (ORDER BY id) AS a, lag(v1) OVER (ORDER BY id) + 1 AS b FROM {t}',
  // empty input, one-row partitions, NULL partition keys
  'SELECT id, row_number() OVER (ORDER BY id) AS rn, sum(v1) OVER () AS s, lag(s) OVER (ORDER BY id) AS l FROM {e}',
  'SELECT k1, id, count(*) OVER (PARTITION BY k1) AS n FROM {t} WHERE k1 IS NULL OR k1 = \'a\'',
  'SELECT id, sum(v1) OVER (PARTITION BY k1, k2) AS s FROM {t}',
  'SELECT id, rank() OVER (PARTITION BY s ORDER BY v1 DESC NULLS LAST) AS r FROM {u}',
  // with WHERE, over aggregates, in ORDER BY, with LIMIT and DISTINCT
  'SELECT id, row_number() OVER (ORDER BY id) AS rn FROM {t} WHERE v1 > 500',
  'SELECT k1, sum(v1) AS s, rank() OVER (ORDER BY sum(v1) DESC) AS r FROM {t} GROUP BY k1',
  'SELECT k2, count(*) AS n, sum(count(*)) OVER (ORDER BY k2) AS running FROM {t} GROUP BY k2',
  'SELECT k1, k2, avg(v2) AS a, dense_rank() OVER (PARTITION BY k1 ORDER BY avg(v2)) AS r FROM {t} GROUP BY k1, k2 HAVING count(*) > 5',
  'SELECT rank() OVER (ORDER BY sum(v1)) AS r FROM {t}',
  { q: 'SELECT id, v1 FROM {t} ORDER BY row_number() OVER (ORDER BY v1 DESC, id) LIMIT 20', o: true },
  { q: 'SELECT id, rank() OVER (PARTITION BY k1 ORDER BY v1 DESC) AS r FROM {t} ORDER BY r, id LIMIT 30', o: true },
  { q: 'SELECT k1, id, lag(id) OVER (PARTITION BY k1 ORDER BY id) AS prev FROM {t} ORDER BY k1 NULLS FIRST, id LIMIT 40', o: true },
  'SELECT DISTINCT k1, count(*) OVER (PARTITION BY k1) AS n FROM {t}',
  'SELECT x, rank() OVER (ORDER BY x) AS r FROM (SELECT v1 % 7 AS x FROM {t}) AS q',
  'SELECT * FROM (SELECT id, row_number() OVER (PARTITION BY k1 ORDER BY v2 DESC NULLS LAST, id) AS rn FROM {t}) AS q WHERE rn <= 3',
  'SELECT a.id, sum(b.v1) OVER (PARTITION BY a.k1 ORDER BY a.id) AS s FROM {u} a JOIN {t} b ON a.id = b.id',
];

export const unsupported = [
  ['SELECT id, sum(v1) OVER (ORDER BY id RANGE BETWEEN 1 PRECEDING AND CURRENT ROW) FROM {t}', 'not supported yet: RANGE frames with an offset'],
  ['SELECT id, sum(v1) OVER (ORDER BY id GROUPS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM {t}', 'not supported yet: GROUPS frames'],
  ['SELECT id, count(DISTINCT v1) OVER () FROM {t}', 'not supported yet: count(DISTINCT ...) OVER'],
  ['SELECT id, median(v1) OVER () FROM {t}', 'not supported yet: the window function median()'],
  ['SELECT id, sum(v1) OVER (ORDER BY id ROWS BETWEEN v1 PRECEDING AND CURRENT ROW) FROM {t}', 'not supported yet: a frame offset that is not a constant number'],
];

// QUALIFY: a filter on the window functions, which may name the select list's aliases.
queries.push(
  'SELECT id, k1 FROM {t} QUALIFY row_number() OVER (PARTITION BY k1 ORDER BY v1 DESC NULLS LAST, id) <= 2',
  'SELECT id, rank() OVER (PARTITION BY k2 ORDER BY v2) AS r FROM {t} QUALIFY r = 1',
  'SELECT k1, count(*) AS n FROM {t} GROUP BY k1 QUALIFY rank() OVER (ORDER BY count(*) DESC) > 1',
  'SELECT id, v1 FROM {t} WHERE v1 > 0 QUALIFY v1 > avg(v1) OVER (PARTITION BY k1)',
  { q: 'SELECT id, lag(v1) OVER (ORDER BY id) AS p FROM {t} QUALIFY p IS NULL ORDER BY id', o: true },
);

// 60000 rows in 20 partitions (and 1000s of small ones): the sort and the calls run in chunks on
// the pool; the outer query keeps the answer small.
queries.push(
  'SELECT bid, count(*) AS n, sum(rn) AS rn, sum(r) AS r, sum(s) AS s, sum(l) AS l, sum(m) AS m FROM (SELECT b.id AS bid, row_number() OVER (PARTITION BY b.id, a.k1 ORDER BY a.v1 DESC, a.id) AS rn, rank() OVER (PARTITION BY b.id ORDER BY a.k2) AS r, sum(a.v2) OVER (PARTITION BY b.id ORDER BY a.id ROWS 3 PRECEDING) AS s, lag(a.v1, 2, 0) OVER (PARTITION BY a.id ORDER BY b.id) AS l, max(a.v1) OVER (PARTITION BY a.k2 % 3 ORDER BY a.id, b.id ROWS BETWEEN 50 PRECEDING AND 10 FOLLOWING) AS m FROM {t} a CROSS JOIN (SELECT id FROM {t} WHERE id <= 20) b) q GROUP BY bid',
);

// Order keys of every type, including strings that agree on their first 8 bytes (the sort
// compares a 64-bit prefix first) and negative doubles.
queries.push(
  'SELECT id, rank() OVER (PARTITION BY k1 ORDER BY ts DESC NULLS FIRST) AS r, dense_rank() OVER (ORDER BY \'prefix__\' || s DESC) AS d FROM {t}',
  'SELECT id, row_number() OVER (PARTITION BY k2 ORDER BY \'same8byt\' || s NULLS FIRST, v2 DESC, id) AS rn FROM {t}',
  'SELECT id, rank() OVER (ORDER BY -v2 NULLS FIRST) AS r, rank() OVER (ORDER BY v2 * 0) AS z FROM {t}',
);
