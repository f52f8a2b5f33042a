// Subqueries in expressions (scalar, IN, EXISTS; uncorrelated and correlated by equality), set
// operations (UNION, INTERSECT, EXCEPT and their ALL forms) and GROUP BY ALL, against DuckDB.
// u has NULL keys and duplicates, e is empty: they make the NULL and empty-set rules of IN,
// NOT IN and EXISTS visible.
export const queries = [
  // uncorrelated scalar subqueries: run once, a constant
  'SELECT id, v1 FROM {t} WHERE v1 > (SELECT avg(v1) FROM {t}) AND id < 200',
  'SELECT id, v1 - (SELECT min(v1) FROM {u}) AS d FROM {u}',
  'SELECT (SELECT max(id) FROM {t}), (SELECT count(*) FROM {e}), (SELECT sum(v1) FROM {e})',
  'SELECT k1, sum(v1) * 1.0 / (SELECT sum(v1) FROM {t}) AS share FROM {t} GROUP BY k1',
  "SELECT id FROM {u} WHERE k1 = (SELECT k1 FROM {u} WHERE id = 3)",
  'SELECT id FROM {u} WHERE v1 = (SELECT v1 FROM {u} WHERE id = 99)',
  'SELECT (SELECT s FROM {u} WHERE id = 5) AS s, (SELECT d FROM {u} WHERE id = 5) AS d, (SELECT ts FROM {u} WHERE id = 5) AS ts',
  'SELECT k2, count(*) FROM {t} GROUP BY k2 HAVING count(*) > (SELECT count(*) / 12 FROM {t})',
  // IN and NOT IN: NULL on either side makes NULL, an empty set makes false
  'SELECT id FROM {t} WHERE id IN (SELECT id * 10 FROM {u})',
  'SELECT id FROM {t} WHERE k2 NOT IN (SELECT k2 FROM {u} WHERE k2 IS NOT NULL) AND id < 100',
  'SELECT id, k2 IN (SELECT k2 FROM {u}) AS a, k2 NOT IN (SELECT k2 FROM {u}) AS b FROM {t} WHERE id < 60',
  'SELECT id, v1 IN (SELECT v1 FROM {e}) AS a, v1 NOT IN (SELECT v1 FROM {e}) AS b FROM {u}',
  'SELECT id, NULL IN (SELECT k2 FROM {u}) AS a, 1 IN (SELECT NULL::INT FROM {u}) AS b FROM {u}',
  'SELECT count(*) FROM {t} WHERE k1 IN (SELECT k1 FROM {u})',
  'SELECT count(*) FROM {t} WHERE k1 NOT IN (SELECT k1 FROM {u})',
  'SELECT count(*) FROM {t} WHERE v2 IN (SELECT v1 FROM {u})',
  'SELECT count(*) FROM {t} WHERE d IN (SELECT d FROM {u}) OR ts IN (SELECT ts FROM {u})',
  'SELECT k1, count(*) FROM {t} WHERE k2 IN (SELECT k2 FROM {t} WHERE v1 > 900) GROUP BY k1',
  'SELECT k2 IN (SELECT k2 FROM {u}) AS m, count(*) FROM {t} GROUP BY 1',
  'SELECT k1, max(v1) FROM {t} GROUP BY k1 HAVING max(v1) IN (SELECT max(v1) FROM {t} GROUP BY k2)',
  'SELECT id FROM {u} WHERE id IN (SELECT id FROM {u} WHERE v1 IN (SELECT v1 FROM {u} WHERE k1 = \'a\'))',
  // EXISTS, uncorrelated: run once
  'SELECT count(*) FROM {t} WHERE EXISTS (SELECT 1 FROM {u} WHERE v1 > 10)',
  'SELECT count(*) FROM {t} WHERE NOT EXISTS (SELECT * FROM {e})',
  'SELECT EXISTS (SELECT 1 FROM {e}) AS a, EXISTS (SELECT 1 FROM {u}) AS b',
  // correlated EXISTS and NOT EXISTS: a MARK join on the equalities
  'SELECT id FROM {t} a WHERE EXISTS (SELECT 1 FROM {u} b WHERE b.k1 = a.k1) AND a.id < 100',
  'SELECT id FROM {u} a WHERE NOT EXISTS (SELECT 1 FROM {u} b WHERE b.k2 = a.k2 AND b.id <> a.id)',
  'SELECT id FROM {u} a WHERE EXISTS (SELECT 1 FROM {u} b WHERE a.k1 = b.k1 AND a.k2 = b.k2 AND b.v1 > 5)',
  'SELECT count(*) FROM {t} a WHERE EXISTS (SELECT 1 FROM {t} b WHERE b.id = a.id + 1 AND b.v1 > a.id)',
  'SELECT a.id, EXISTS (SELECT 1 FROM {e} b WHERE b.id = a.id) AS x FROM {u} a',
  'SELECT a.k1, count(*) FROM {t} a WHERE NOT EXISTS (SELECT 1 FROM {u} b WHERE b.v1 = a.v1) GROUP BY a.k1',
  // other conditions naming both sides: the join's residual (a NULL condition drops the pair)
  'SELECT a.id, EXISTS (SELECT 1 FROM {u} b WHERE b.k1 = a.k1 AND b.v1 > a.v1) AS x FROM {u} a',
  'SELECT a.id FROM {u} a WHERE NOT EXISTS (SELECT 1 FROM {u} b WHERE b.v1 > a.v1 + 5)',
  'SELECT a.id, a.k2 IN (SELECT b.k2 FROM {u} b WHERE b.v1 < a.v1) AS x FROM {u} a',
  'SELECT a.id, a.k2 NOT IN (SELECT b.k2 FROM {u} b WHERE b.k1 = a.k1 AND b.v2 <> a.v2) AS x FROM {u} a',
  // correlated IN: NULLs of the group make NULL
  'SELECT a.id, a.v1 IN (SELECT b.v1 FROM {u} b WHERE b.k1 = a.k1) AS x FROM {u} a',
  'SELECT a.id, a.k2 NOT IN (SELECT b.k2 FROM {u} b WHERE b.k1 = a.k1) AS x FROM {u} a',
  'SELECT count(*) FROM {t} a WHERE a.k2 IN (SELECT b.k2 FROM {t} b WHERE b.k1 = a.k1 AND b.v1 > 950)',
  // correlated scalar subqueries: grouped, LEFT joined; count of a missing group is 0
  'SELECT id, v1 FROM {t} t1 WHERE v1 > (SELECT avg(v1) FROM {t} t2 WHERE t2.k1 = t1.k1) AND id < 300',
  'SELECT a.id, (SELECT count(*) FROM {u} b WHERE b.k1 = a.k1) AS n FROM {u} a',
  'SELECT a.id, (SELECT count(b.v1) + 1 FROM {u} b WHERE b.k2 = a.k2) AS n FROM {u} a',
  'SELECT a.id, (SELECT coalesce(sum(b.v1), -1) FROM {u} b WHERE b.k2 = a.k2) AS n FROM {u} a',
  'SELECT a.id, (SELECT max(b.s) FROM {t} b WHERE b.k2 = a.k2 AND b.id < 50) AS m FROM {u} a',
  'SELECT a.id, (SELECT min(b.id) FROM {t} b WHERE b.k1 = a.k1 AND b.k2 = a.k2) AS m FROM {u} a',
  'SELECT a.k1, count(*) FROM {t} a WHERE a.v2 < (SELECT avg(b.v2) FROM {t} b WHERE b.k2 = a.k2) GROUP BY a.k1',
  'SELECT a.id, (SELECT count(*) FROM {e} b WHERE b.id = a.id) AS n FROM {u} a',
  'SELECT a.id, (SELECT max(b.v1) FROM {u} b WHERE b.v2 = a.v1) AS n FROM {u} a',
  { q: 'SELECT a.id, (SELECT count(*) FROM {t} b WHERE b.k2 = a.k2) AS n FROM {t} a ORDER BY n DESC, a.id LIMIT 10', o: true },
  // set operations: rows compare as in GROUP BY (NULL equals NULL)
  'SELECT k1 FROM {t} UNION SELECT k1 FROM {u}',
  'SELECT k2, k1 FROM {u} UNION SELECT k2, k1 FROM {u}',
  'SELECT k1 FROM {t} INTERSECT SELECT k1 FROM {u}',
  'SELECT k2 FROM {u} EXCEPT SELECT k2 FROM {t} WHERE k2 > 2',
  'SELECT k2 FROM {t} EXCEPT SELECT k2 FROM {u}',
  'SELECT k1, k2 FROM {u} INTERSECT ALL SELECT k1, k2 FROM {u} WHERE id <> 2',
  'SELECT k1 FROM {u} EXCEPT ALL SELECT k1 FROM {u} WHERE id > 4',
  'SELECT k2 FROM {t} INTERSECT ALL SELECT k2 FROM {t} WHERE v1 > 0',
  'SELECT v1 FROM {u} UNION SELECT v2 FROM {u}',
  'SELECT d FROM {u} UNION SELECT ts FROM {u}',
  'SELECT k1 FROM {u} INTERSECT SELECT k1 FROM {e}',
  'SELECT k1 FROM {u} EXCEPT SELECT k1 FROM {e}',
  { q: 'SELECT k2 FROM {t} UNION SELECT id FROM {u} ORDER BY k2 DESC LIMIT 5', o: true },
  'SELECT k1 FROM {u} UNION ALL SELECT k1 FROM {u} EXCEPT SELECT k1 FROM {u} WHERE id = 5',
  'SELECT count(*) FROM (SELECT k1, k2 FROM {t} UNION SELECT k1, k2 FROM {t})',
  // GROUP BY ALL: the select items without aggregates are the keys
  'SELECT k1, count(*), sum(v1) FROM {t} GROUP BY ALL',
  'SELECT k1, k2 % 3 AS m, max(v2) FROM {t} GROUP BY ALL',
];

export const unsupported = [
  ['SELECT id FROM {u} a WHERE v1 > (SELECT max(v1) FROM {u} b WHERE b.id < a.id)', 'not supported yet: a correlated scalar subquery condition other than inner = outer'],
  ['SELECT id, (SELECT b.v1 FROM {u} b WHERE b.id = a.id) FROM {u} a', 'not supported yet: a correlated scalar subquery without an aggregate'],
  ['SELECT a.id FROM {u} a JOIN {u} b ON a.id IN (SELECT id FROM {u})', 'not supported yet: subqueries in a join\'s ON condition'],
];
