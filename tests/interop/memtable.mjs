// tests/interop/memtable.mjs — in-memory tables against DuckDB: each case is a script that
// creates tables (CREATE TABLE ... AS over the corpus tables of common.mjs, CREATE OR REPLACE,
// DROP) and then queries them several times. sbd runs the whole case as one script (one process,
// `sbd query -f -`), so the later queries read the very batches the earlier ones read: a query
// that changed a shared batch in place (a filter, a projection, a join, the aggregation's filter
// on its workers, a sort, a window) would change the answers after it, and the last query of each
// case reads the whole table back. DuckDB runs the same statements; every query's answer must
// agree (as multisets of rows, or in order with o: true), doubles to 1e-9 relative.
//
// Environment: SBD (the sbd binary), TMP_DIR (a scratch folder). Prints one line per failure and
// ends with "memtable: N passed, N failed".
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
const { duckdbQueryJson, duckdbClose } = require(path.join(here, '..', 'peers', 'peers.js'));
import { setup as writeTables, parseCsv, canon, diffRows, fill as fillTables } from './common.mjs';

const TMP = process.env.TMP_DIR;
let passed = 0;
let failed = 0;
function fail(name, msg) {
  failed++;
  console.log(`FAIL ${name}: ${msg}`);
}

// Each case: setup statements (CREATE/DROP), then queries ({t}, {u} are the corpus tables; the
// tables made here are m_* so they never meet DuckDB's t, u, e).
const CASES = [
  {
    name: 'one table, many readers',
    setup: ['CREATE TABLE m_t AS SELECT * FROM {t}'],
    queries: [
      'SELECT id, v1, s FROM m_t WHERE v1 > 100',
      'SELECT id, v1 + 1 AS w, upper(s) AS s FROM m_t WHERE v1 <= 100 OR v1 IS NULL',
      'SELECT k1, count(*), sum(v1), avg(v2), min(s), max(d) FROM m_t WHERE v2 > 0 GROUP BY k1',
      'SELECT k1, k2, count(v1), sum(v2) FROM m_t WHERE k2 IS NOT NULL AND s IS NULL GROUP BY k1, k2',
      'SELECT count(*), count(v1), sum(v1), count(s), count(b) FROM m_t',
      { q: 'SELECT id, s, v2 FROM m_t ORDER BY s DESC NULLS FIRST, v2, id', o: true },
      'SELECT id, row_number() OVER (PARTITION BY k1 ORDER BY v1 DESC NULLS LAST, id) AS rn, sum(v2) OVER (PARTITION BY k1 ORDER BY id) AS run FROM m_t',
      'SELECT a.id, b.id, a.v1 FROM m_t a JOIN m_t b ON a.v1 = b.k2 AND a.id < b.id WHERE a.id < 300',
      'SELECT a.id, b.s FROM m_t a LEFT JOIN m_t b ON a.id = b.id + 1 WHERE a.v2 < 0',
      'SELECT id, coalesce(v1, -1), CASE WHEN b THEN s ELSE k1 END FROM m_t WHERE id % 7 = 0',
      'SELECT id FROM m_t WHERE v1 IS NULL UNION ALL SELECT id FROM m_t WHERE s IS NULL',
      'SELECT DISTINCT k1, b FROM m_t',
      'SELECT k1, v1 FROM m_t WHERE v1 IN (SELECT k2 FROM m_t WHERE k2 > 2)',
      'SELECT * FROM m_t',
    ],
  },
  {
    name: 'tables made of tables, replaced and dropped',
    setup: [
      'CREATE TABLE m_a AS SELECT id, k1, v1, v2 FROM {t} WHERE id <= 1000',
      'CREATE TABLE m_b AS SELECT k1, sum(v1) AS sv, count(*) AS n FROM m_a GROUP BY k1',
      'CREATE OR REPLACE TABLE m_a AS SELECT * FROM m_a WHERE v1 IS NOT NULL',
      'CREATE TEMPORARY TABLE m_c AS SELECT * FROM {u}',
      'CREATE TABLE m_d AS SELECT 1 AS x',
      'DROP TABLE m_d',
      'DROP TABLE IF EXISTS m_d',
    ],
    queries: [
      'SELECT count(*), sum(v1), min(id), max(id) FROM m_a',
      'SELECT * FROM m_b',
      'SELECT m_a.k1, m_b.n, sum(m_a.v2) FROM m_a JOIN m_b USING (k1) GROUP BY m_a.k1, m_b.n',
      'SELECT c.*, b.sv FROM m_c c LEFT JOIN m_b b ON c.k1 = b.k1',
      'WITH m_b AS (SELECT 42 AS shadow) SELECT * FROM m_b',
      { q: 'SELECT id, v1 FROM m_a ORDER BY v1 DESC, id LIMIT 5', o: true },
      'SELECT * FROM m_a',
    ],
  },
  {
    name: 'an empty table and a table of constants',
    setup: [
      'CREATE TABLE m_e AS SELECT * FROM {t} WHERE false',
      "CREATE TABLE m_k AS SELECT 1 AS i, 'x' AS s, 2.5 AS d UNION ALL SELECT 2, CAST(NULL AS VARCHAR), CAST(NULL AS DOUBLE)",
    ],
    queries: [
      'SELECT count(*), sum(v1) FROM m_e',
      'SELECT * FROM m_e',
      'SELECT k.i, k.s, e.id FROM m_k k LEFT JOIN m_e e ON k.i = e.id',
      'SELECT * FROM m_k',
    ],
  },
];

const SEP = "SELECT '@@' AS \"@@\"";

function runSbd(script) {
  const r = spawnSync(process.env.SBD, ['query', '--format', 'csv', '-f', '-'], {
    input: script,
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  if (r.error) return { status: -1, stdout: '', stderr: r.error.message };
  return r;
}

async function main() {
  writeTables(TMP);
  for (const n of ['t', 'u'])
    await duckdbQueryJson(`CREATE TABLE ${n} AS SELECT * FROM read_parquet('${path.join(TMP, `${n}.parquet`)}')`);
  for (const c of CASES) {
    for (const kind of ['csv', 'parquet']) {
      const name = `[${kind}] ${c.name}`;
      const qs = c.queries.map((e) => (typeof e === 'string' ? { q: e, o: false } : e));
      // sbd: the setup, then each query followed by a separator query.
      const stmts = c.setup.map((s) => fillTables(s, kind, TMP));
      for (const e of qs) stmts.push(e.q, SEP);
      const r = runSbd(stmts.join(';\n') + ';\n');
      if (r.status !== 0) {
        fail(name, `exit ${r.status}: ${r.stderr.trim()}`);
        continue;
      }
      const answers = [];
      let cur = null;
      for (const row of parseCsv(r.stdout)) {
        if (row.length === 1 && row[0] === '@@') {
          if (cur) answers.push(cur);
          cur = null;
        } else if (cur === null) {
          cur = []; // the header
        } else {
          cur.push(row.map(canon));
        }
      }
      if (answers.length !== qs.length) {
        fail(name, `sbd printed ${answers.length} answers for ${qs.length} queries`);
        continue;
      }
      // DuckDB: the same statements on its own tables.
      for (const s of c.setup) await duckdbQueryJson(fillTables(s, 'duck', TMP));
      for (let i = 0; i < qs.length; i++) {
        let want;
        try {
          want = (await duckdbQueryJson(qs[i].q)).map((row) => Object.values(row).map(canon));
        } catch (err) {
          fail(`${name}: ${qs[i].q}`, `DuckDB refused it: ${err.message}`);
          continue;
        }
        const msg = diffRows(answers[i], want, qs[i].o);
        if (msg) fail(`${name}: ${qs[i].q}`, msg);
        else passed++;
      }
      for (const n of ['m_t', 'm_a', 'm_b', 'm_c', 'm_d', 'm_e', 'm_k'])
        await duckdbQueryJson(`DROP TABLE IF EXISTS ${n}`);
    }
  }
  await duckdbClose();
  console.log(`memtable: ${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

main().catch((err) => {
  console.log(`FAIL memtable.mjs: ${err.stack}`);
  console.log(`memtable: ${passed} passed, ${failed + 1} failed`);
  process.exit(1);
});
