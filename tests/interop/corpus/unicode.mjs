// tests/interop/corpus/unicode.mjs — case mapping of non-ASCII text against DuckDB: lower, upper
// (and their names lcase, ucase), ILIKE and NOT ILIKE with constant and per-row patterns, over
// accented Latin, Greek, Cyrillic, German ß and ẞ, Turkish İ, digraphs (ǅ) and ligatures (ﬁ),
// whose simple case mappings both engines take from utf8proc. The words are a small inline table
// {w} (a UNION ALL of literals, with a NULL), joined with {u} to mix in the file tables' rows.
const WORDS = ['Straße', 'STRASSE', 'straẞe', 'Ärger', 'ÄRGER', 'crème brûlée', 'CRÈME BRÛLÉE', 'Σίσυφος', 'ΣΊΣΥΦΟΣ', 'Москва', 'МОСКВА', 'İstanbul', 'ǅemal', 'ﬁnal', 'ŉ', 'plain', 'hot', ''];
const W = `(SELECT 0 AS n, CAST(NULL AS VARCHAR) AS w ${WORDS.map((x, i) => `UNION ALL SELECT ${i + 1}, '${x}'`).join(' ')})`;
const fillW = (q) => q.replaceAll('{w}', W);

export const queries = [
  { q: 'SELECT n, w, lower(w), upper(w), lcase(w), ucase(w), length(lower(w)), length(upper(w)) FROM {w} x ORDER BY n', o: true },
  { q: 'SELECT n, upper(lower(w)), lower(upper(w)), lower(w) = lower(upper(w)) FROM {w} x ORDER BY n', o: true },
  { q: "SELECT n, w ILIKE 'straße', w ILIKE 'STRASSE', w ILIKE '%ẞ%', w ILIKE 'ä%', w NOT ILIKE '%rger' FROM {w} x ORDER BY n", o: true },
  { q: "SELECT n, w ILIKE 'σίσυφος', w ILIKE 'ΣΊΣ%', w ILIKE '%ΦΟΣ', w ILIKE 'моск__', w ILIKE '_ОСКВА' FROM {w} x ORDER BY n", o: true },
  { q: "SELECT n, w ILIKE '%BRÛLÉE', w ILIKE 'crème%', w ILIKE 'i%', w ILIKE 'ǆ%', w ILIKE 'FI%', w ILIKE '' FROM {w} x ORDER BY n", o: true },
  { q: "SELECT n, w LIKE 'Str%', w LIKE '%ẞ%', w LIKE 'Ä%', w ILIKE 'a!%' ESCAPE '!' FROM {w} x ORDER BY n", o: true },
  // a pattern per row: every word against every word
  { q: 'SELECT x.n, y.n, x.w ILIKE y.w, x.w ILIKE upper(y.w), lower(x.w) ILIKE y.w FROM {w} x, {w} y ORDER BY 1, 2', o: true },
  { q: "SELECT x.n, y.n FROM {w} x JOIN {w} y ON x.w ILIKE y.w || '%' AND x.n <> y.n ORDER BY 1, 2", o: true },
  // grouping and comparing by the mapped text
  { q: 'SELECT lower(w) AS l, count(*), min(n), max(n) FROM {w} x GROUP BY lower(w) ORDER BY l', o: true },
  { q: 'SELECT upper(w) AS l, count(*) FROM {w} x GROUP BY upper(w) ORDER BY l', o: true },
  { q: 'SELECT DISTINCT upper(w) AS l FROM {w} x ORDER BY l', o: true },
  { q: 'SELECT n FROM {w} x WHERE upper(w) = upper(lower(w)) ORDER BY n', o: true },
  { q: "SELECT n, lower(w || ' ' || 'ÉTÉ'), upper(concat(w, 'ﬀ', n)), upper(substr(w, 2, 3)) FROM {w} x ORDER BY n", o: true },
  { q: 'SELECT n, lower(replace(w, \'ß\', \'SS\')), upper(trim(w)), upper(CASE WHEN n % 2 = 0 THEN w END) FROM {w} x ORDER BY n', o: true },
  // mixed with a file table
  { q: 'SELECT u.id, x.n, upper(u.s || x.w) FROM {u} u JOIN {w} x ON x.n = u.id ORDER BY 1', o: true },
  { q: "SELECT u.id, lower(u.k1), upper(u.s), u.s ILIKE 'Y', u.s ILIKE x.w FROM {u} u LEFT JOIN {w} x ON x.n = u.id + 10 ORDER BY 1", o: true },
  { q: "SELECT id, upper(s), lower(s) FROM {t} WHERE s ILIKE '%AN%' ORDER BY id LIMIT 30", o: true },
  "SELECT count(*) FROM {t} WHERE lower(s) <> s OR upper(k1) = 'HOT'",
].map((e) => (typeof e === 'string' ? fillW(e) : { ...e, q: fillW(e.q) }));
