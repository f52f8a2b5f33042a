// tests/interop/corpus/aggregates.mjs — the aggregate functions against DuckDB: variance and
// standard deviation, median and quantile_cont, corr, first/last/any_value, string_agg,
// approx_count_distinct on small counts (where both engines are exact), and count/sum/avg/min/max
// with DISTINCT; over nulls, the empty table, all-NULL and one-value groups, the skewed key k1,
// GROUP BY and global, WHERE below and HAVING above, and in expressions over their results.
// (first/last/string_agg depend on input order: the tables are small enough that DuckDB reads them
// in order, and sbd keeps input order whatever its number of threads.)
export const queries = [
  // variance and standard deviation
  'SELECT stddev(v1), stddev_samp(v2), stddev_pop(v1), variance(v2), var_samp(v1), var_pop(v2) FROM {t}',
  { q: 'SELECT k1, stddev(v1), stddev_pop(v2), variance(v1), var_pop(v1) FROM {t} GROUP BY k1 ORDER BY k1', o: true },
  { q: 'SELECT k2, stddev(v2), var_samp(v2), stddev_pop(v1) FROM {t} GROUP BY k2 ORDER BY k2', o: true },
  'SELECT stddev(v1), stddev_pop(v1), variance(v2), var_pop(v2) FROM {e}',
  'SELECT k1, stddev(v1), var_pop(v2) FROM {e} GROUP BY k1',
  { q: 'SELECT id, stddev(v1), stddev_pop(v1), variance(v2), var_pop(v2) FROM {t} GROUP BY id ORDER BY id LIMIT 40', o: true },
  { q: 'SELECT k2, stddev(v1), stddev_pop(v2) FROM {t} WHERE v1 IS NULL GROUP BY k2 ORDER BY k2', o: true },
  { q: 'SELECT k1, stddev(v1), var_pop(v1) FROM {u} GROUP BY k1 ORDER BY k1', o: true },
  'SELECT stddev(x), var_pop(x) FROM (SELECT 5 AS x FROM {t}) s',
  // median and quantile_cont
  'SELECT median(v1), median(v2), quantile_cont(v1, 0.25), quantile_cont(v2, 0.9) FROM {t}',
  { q: 'SELECT k1, median(v1), median(v2), quantile_cont(v2, 0.1), quantile_cont(v1, 0), quantile_cont(v1, 1) FROM {t} GROUP BY k1 ORDER BY k1', o: true },
  { q: 'SELECT k2, quantile_cont(v1, 0.75), quantile_cont(v2, 0.5), median(id) FROM {t} GROUP BY k2 ORDER BY k2', o: true },
  'SELECT median(v1), quantile_cont(v2, 0.3) FROM {e}',
  { q: 'SELECT k1, median(v1), median(v2) FROM {u} GROUP BY k1 ORDER BY k1', o: true },
  { q: 'SELECT id % 7 AS m, median(id), quantile_cont(id, 0.33) FROM {t} GROUP BY id % 7 ORDER BY m', o: true },
  // corr
  'SELECT corr(v1, v2), corr(v2, v1), corr(v1, id), corr(id, id) FROM {t}',
  { q: 'SELECT k1, corr(v1, v2), corr(v2, id) FROM {t} GROUP BY k1 ORDER BY k1', o: true },
  { q: 'SELECT k2, corr(v1, v2) ^ 2 AS r2 FROM {t} GROUP BY k2 ORDER BY k2', o: true },
  'SELECT corr(v1, v2) FROM {e}',
  { q: 'SELECT id, corr(v1, v2) FROM {t} GROUP BY id ORDER BY id LIMIT 20', o: true },
  // first, last, any_value
  { q: 'SELECT k1, first(v1), last(v1), any_value(v1), first(s), last(s), any_value(s) FROM {t} GROUP BY k1 ORDER BY k1', o: true },
  { q: 'SELECT k2, first(d), last(ts), first(b), last(v2), any_value(d) FROM {t} GROUP BY k2 ORDER BY k2', o: true },
  'SELECT first(id), last(id), first(v1), last(v2), any_value(v2), any_value(s) FROM {t}',
  { q: 'SELECT k1, first(v2), last(v2), any_value(v2) FROM {u} GROUP BY k1 ORDER BY k1', o: true },
  'SELECT first(v1), last(s), any_value(d) FROM {e}',
  // string_agg
  'SELECT string_agg(s), string_agg(s, \' | \'), string_agg(k1, \'\') FROM {u}',
  { q: 'SELECT k1, string_agg(s, \';\'), string_agg(v1) FROM {u} GROUP BY k1 ORDER BY k1', o: true },
  { q: 'SELECT k2, length(string_agg(s)), string_agg(k1, \'-\') FROM {t} GROUP BY k2 ORDER BY k2', o: true },
  'SELECT string_agg(s), string_agg(v1, \',\') FROM {e}',
  { q: 'SELECT k1, string_agg(s) FROM {t} WHERE id <= 60 GROUP BY k1 ORDER BY k1', o: true },
  // approx_count_distinct on few distinct values
  { q: 'SELECT k2, approx_count_distinct(b), approx_count_distinct(k1) FROM {t} GROUP BY k2 ORDER BY k2', o: true },
  'SELECT approx_count_distinct(k1), approx_count_distinct(k2), approx_count_distinct(v1) FROM {u}',
  'SELECT approx_count_distinct(v1) FROM {e}',
  // DISTINCT
  'SELECT count(DISTINCT v1), sum(DISTINCT v1), avg(DISTINCT v1), min(DISTINCT v1), max(DISTINCT v1) FROM {t}',
  { q: 'SELECT k1, sum(DISTINCT v1), avg(DISTINCT v2), sum(DISTINCT v2), count(DISTINCT s) FROM {t} GROUP BY k1 ORDER BY k1', o: true },
  { q: 'SELECT k2, min(DISTINCT s), max(DISTINCT d), count(DISTINCT ts), sum(DISTINCT k2) FROM {t} GROUP BY k2 ORDER BY k2', o: true },
  'SELECT sum(DISTINCT v1), avg(DISTINCT v2), count(DISTINCT v1) FROM {e}',
  { q: 'SELECT k1, sum(DISTINCT v1), avg(DISTINCT v1), sum(v1) FROM {u} GROUP BY k1 ORDER BY k1', o: true },
  // WHERE below, HAVING above, expressions over aggregates
  { q: 'SELECT k1, sum(v1), median(v2), stddev(v1) FROM {t} WHERE v1 > 0 AND k2 < 5 GROUP BY k1 ORDER BY k1', o: true },
  'SELECT count(*), stddev(v1), median(v2), first(id), string_agg(s) FROM {t} WHERE id < 0',
  { q: 'SELECT k1, stddev(v1) FROM {t} GROUP BY k1 HAVING stddev(v1) > 570 ORDER BY k1', o: true },
  { q: 'SELECT k2, median(v2) FROM {t} GROUP BY k2 HAVING median(v2) > 0 OR median(v2) IS NULL ORDER BY k2', o: true },
  { q: 'SELECT k1, count(DISTINCT v1) AS n FROM {t} GROUP BY k1 HAVING count(DISTINCT v1) > 50 ORDER BY k1', o: true },
  { q: 'SELECT k1, max(v1) - min(v2) AS spread, round(stddev(v2), 3) AS sd, median(v1) + 1 AS m1 FROM {t} GROUP BY k1 ORDER BY k1', o: true },
  { q: 'SELECT k2, corr(v1, v2) * corr(v1, v2) AS r2, var_pop(v1) / nullif(variance(v1), 0) AS ratio FROM {t} GROUP BY k2 ORDER BY k2', o: true },
  { q: 'SELECT k1, k2, sum(v2), avg(v1), median(v1), count(*) FROM {t} GROUP BY k1, k2 ORDER BY k1, k2', o: true },
  { q: 'SELECT b, mean(v1), stddev_pop(v1) FROM {t} GROUP BY b ORDER BY b', o: true },
  { q: 'SELECT k1, string_agg(s, \',\') IS NULL AS none, count(s) FROM {t} GROUP BY k1 ORDER BY k1', o: true },
];

export const unsupported = [
  ['SELECT median(s) FROM {t}', 'not supported yet: median of STRING'],
];
