// tests/interop/store.mjs — the feature store seen from DuckDB: an example repository
// (`sbd init --example`) is calculated, `sbd export-ddl --engine duckdb` is executed by DuckDB,
// and each feature set `sbd get` returns (written to Parquet and read back by DuckDB, so both
// sides are DuckDB values) must equal, row by row and in order, the same selection made in
// DuckDB over the registered views: the columns, their types and every value.
//
// Environment: SBD (the sbd binary), TMP_DIR (a scratch folder). Prints one line per failure and
// ends with "store: N passed, N failed".
import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
const { duckdbQueryJson, duckdbClose } = require(path.join(here, '..', 'peers', 'peers.js'));

const SBD = process.env.SBD;
const TMP = process.env.TMP_DIR;
const repo = path.join(TMP, 'repo');
let passed = 0;
let failed = 0;
function fail(name, msg) {
  failed++;
  console.log(`FAIL ${name}: ${msg}`);
}

function sbd(args) {
  const r = spawnSync(SBD, [...args, '--repo', repo], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`sbd ${args.join(' ')}: exit ${r.status}: ${r.stderr}`);
  return r.stdout;
}

const quote = (s) => `'${s.replaceAll("'", "''")}'`;

// sbd get ARGS written to Parquet, against DuckDB's sql over the views.
async function compare(name, getArgs, sql) {
  const out = path.join(TMP, `get-${passed + failed}.parquet`);
  sbd(['get', ...getArgs, '-o', out]);
  const mine = await duckdbQueryJson(`SELECT * FROM read_parquet(${quote(out)})`);
  const types = await duckdbQueryJson(`DESCRIBE SELECT * FROM read_parquet(${quote(out)})`);
  const theirs = await duckdbQueryJson(sql);
  const theirTypes = await duckdbQueryJson(`DESCRIBE ${sql}`);
  const t1 = JSON.stringify(types.map((c) => [c.column_name, c.column_type]));
  const t2 = JSON.stringify(theirTypes.map((c) => [c.column_name, c.column_type]));
  if (t1 !== t2) return fail(name, `columns differ: sbd get ${t1}, DuckDB ${t2}`);
  if (mine.length !== theirs.length)
    return fail(name, `sbd get returned ${mine.length} rows, DuckDB ${theirs.length}`);
  if (mine.length === 0) return fail(name, 'no rows: the comparison would prove nothing');
  for (let i = 0; i < mine.length; i++) {
    const a = JSON.stringify(mine[i]);
    const b = JSON.stringify(theirs[i]);
    if (a !== b) return fail(name, `row ${i}: sbd get ${a}, DuckDB ${b}`);
  }
  passed++;
}

async function main() {
  spawnSync(SBD, ['init', '--example', repo], { encoding: 'utf8' });
  sbd(['calculate', '--all']);
  // A changed source makes version 2 (with one more customer), so the views hold two versions
  // that differ.
  fs.appendFileSync(path.join(repo, 'data', 'customers.csv'),
    '1001,Zoe Quinn,zo.Quinn1001@example.com,+49 30 1234567,female,31,Paris,2023-06-01\n');
  const again = sbd(['calculate', 'customer']);
  if (again !== 'customer: wrote version 2\n') fail('a changed source', `calculate said ${again}`);
  await duckdbQueryJson(sbd(['export-ddl', '--engine', 'duckdb', '--database', 'fs']));

  await compare('all features of the latest version', ['customer'],
    'SELECT * EXCLUDE (version) FROM fs.customer WHERE version = 2 ORDER BY id');
  await compare('the issue\'s selection', ['customer', '--features', 'distance,gender',
    '--exclude', '*', '--filter', 'age >= 30'],
    'SELECT id, distance, gender FROM fs.customer WHERE version = 2 AND age >= 30 ORDER BY id');
  await compare('a pinned version, globs, two filters', ['customer', '--version', '1',
    '--features', 'n_*,signup_date,last_order', '--filter', "city = 'Paris'", '--filter',
    'total_amount > 500'],
    "SELECT id, n_orders, signup_date, last_order FROM fs.customer WHERE version = 1 AND " +
    "city = 'Paris' AND total_amount > 500 ORDER BY id");
  await compare('two groups joined on the key', ['customer', '--features',
    'gender,customer_segment:segment', '--filter', "segment <> 'low'"],
    'SELECT c.id, c.gender, s.segment FROM fs.customer c LEFT JOIN fs.customer_segment s ' +
    "ON s.id = c.id AND s.version = 1 WHERE c.version = 2 AND s.segment <> 'low' ORDER BY c.id");
  await compare('a group that reads another group', ['customer_segment'],
    'SELECT * EXCLUDE (version) FROM fs.customer_segment WHERE version = 1 ORDER BY id');

  await duckdbClose();
  console.log(`store: ${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

main().catch((err) => {
  console.log(`FAIL store.mjs: ${err.stack}`);
  console.log(`store: ${passed} passed, ${failed + 1} failed`);
  process.exit(1);
});
