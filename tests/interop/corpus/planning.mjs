// tests/interop/corpus/planning.mjs — queries whose answer (or whether they fail at all) depends on
// how the plan simplifies them, as DuckDB's optimizer does: constant parts computed once (a CAST
// that cannot be, left to fail over rows: none here), NULL operands of arithmetic and comparisons,
// AND false and OR true, CASE branches with constant conditions, a WHERE that is constant false
// (nothing read: an aggregate without GROUP BY still gives its row), INTERSECT and EXCEPT with
// such a side (the other side not run), and WHERE conditions on one side of a join filtering that
// side before the join (the answers of all join kinds, and conditions on the side NULLs extend
// staying above the join).
const INF = "CAST('inf'::DOUBLE AS BIGINT)";
export const queries = [
  // constants and NULL operands
  `SELECT id, NULL BETWEEN v1 AND ${INF}, NULL::BIGINT + ${INF}, NULL::BIGINT < ${INF} FROM {t} ORDER BY id LIMIT 5`,
  `SELECT count(*) FROM {t} WHERE NULL::BIGINT BETWEEN v1 AND ${INF} OR v1 > 990`,
  `SELECT id, length(NULL::VARCHAR) * ${INF}, false AND (${INF} > v1), true OR (${INF} > v1) FROM {u} ORDER BY id`,
  `SELECT id, (CASE 100 WHEN 0 THEN 5 WHEN 7 THEN k2 END + (v1 % ${INF})) FROM {u} ORDER BY id`,
  `SELECT id, CASE WHEN false THEN ${INF} WHEN 1 > 2 THEN v1 ELSE k2 END, CASE WHEN id > 3 THEN 'big' WHEN true THEN 'small' ELSE s END FROM {u} ORDER BY id`,
  "SELECT id, 2 * 3 + v1, lower('AB') || s, DATE '2024-01-01' + 1 FROM {u} ORDER BY id",
  `SELECT ${INF} FROM {e}`,
  // a WHERE that is always false or NULL
  `SELECT id, v1 % ${INF} FROM {t} WHERE 'inf'::DOUBLE IS NULL`,
  `SELECT count(*), sum(v1 % ${INF}) FROM {t} WHERE NULL`,
  `SELECT k1, count(*) FROM {t} WHERE false AND v1 > 0 GROUP BY k1`,
  `SELECT 1 AS c0 FROM {t} a RIGHT JOIN {u} b ON a.k1 = b.k1 WHERE a.s <> substr(a.k1, greatest(4611686018427387904, 0)) INTERSECT ALL SELECT v1 FROM {t} WHERE false`,
  `SELECT v1 % ${INF} FROM {t} WHERE false INTERSECT SELECT v1 % ${INF} FROM {u}`,
  `SELECT v1 FROM {t} WHERE false EXCEPT ALL SELECT v1 % ${INF} FROM {u}`,
  { q: 'SELECT v1 FROM {u} EXCEPT SELECT v1 FROM {t} WHERE false ORDER BY 1', o: true },
  { q: 'SELECT k1 FROM {u} WHERE false UNION SELECT k1 FROM {u} ORDER BY 1', o: true },
  // WHERE conditions below joins
  { q: 'SELECT a.id, b.id FROM {t} a JOIN {u} b ON a.k1 = b.k1 WHERE a.v1 > 900 AND b.v2 > 0 AND a.id < 400 ORDER BY 1, 2', o: true },
  { q: 'SELECT a.id, b.id FROM {u} a LEFT JOIN {u} b ON a.k2 = b.k2 WHERE a.v1 >= 0 AND b.s IS NULL ORDER BY 1, 2', o: true },
  { q: 'SELECT a.id, b.id FROM {u} a RIGHT JOIN {u} b ON a.k2 = b.k2 WHERE b.v1 >= 0 AND a.id IS NULL ORDER BY 1, 2', o: true },
  { q: 'SELECT a.id, b.id FROM {u} a FULL JOIN {u} b ON a.k2 = b.k2 WHERE a.v1 IS NULL OR b.v1 IS NULL ORDER BY 1, 2', o: true },
  { q: 'SELECT a.id, b.id FROM {u} a LEFT JOIN {u} b ON a.k1 = b.k1 AND b.v1 > 5 WHERE coalesce(b.v1, 0) < 15 ORDER BY 1, 2', o: true },
  { q: 'SELECT a.id, b.id, c.id FROM {u} a JOIN {u} b ON a.k1 = b.k1 LEFT JOIN {u} c ON b.k2 = c.k2 WHERE a.id > 1 AND b.id < 6 AND c.v1 IS NOT NULL ORDER BY 1, 2, 3', o: true },
  { q: 'SELECT k1, a.id, b.id FROM {u} a JOIN {u} b USING (k1) WHERE k1 <> \'b\' AND a.id <> b.id ORDER BY 1, 2, 3', o: true },
  { q: 'SELECT a.id, b.id FROM {u} a, {u} b WHERE a.k1 = b.k1 AND a.v1 > 0 AND b.v2 IS NOT NULL ORDER BY 1, 2', o: true },
  { q: 'SELECT a.k1, count(*), sum(b.v1) FROM {t} a JOIN {t} b ON a.id = b.v1 WHERE a.k2 > 3 AND b.k1 = \'hot\' GROUP BY a.k1 ORDER BY 1', o: true },
  { q: `SELECT a.id, b.id FROM {u} a JOIN {u} b ON a.id = b.id WHERE a.v2 = 'nan'::DOUBLE OR CAST(a.v2 AS BIGINT) > 0 ORDER BY 1`, o: true },
];
