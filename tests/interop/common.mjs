// tests/interop/common.mjs — what the differential SQL scripts share (sql.mjs, the corpus, and
// random.mjs, the generated queries): the tables t, u and e, generated deterministically and
// written as CSV and Parquet (setup); running sbd; reading its CSV output; the canonical values
// both engines' answers are brought to; and the comparison of two answers.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

// ---- data ------------------------------------------------------------------------------------

let seed = 12345;
function rand() {
  // xorshift32: the same data on every run.
  seed ^= seed << 13;
  seed >>>= 0;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  seed >>>= 0;
  return seed / 4294967296;
}
const pick = (xs) => xs[Math.floor(rand() * xs.length)];
const maybeNull = (p, f) => (rand() < p ? '' : f());
const csvField = (s) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

export const SCHEMA =
  'id:INT64,k1:STRING,k2:INT64,v1:INT64,v2:DOUBLE,s:STRING,b:BOOL,d:DATE,ts:TIMESTAMP';
const HEADER = 'id,k1,k2,v1,v2,s,b,d,ts';

function genT(n) {
  const rows = [HEADER];
  const words = ['apple', 'Banana', 'cherry', 'Date', 'elder', 'fig', 'Grape', 'x', 'a b', 'q,r'];
  for (let i = 1; i <= n; i++) {
    const k1 = rand() < 0.5 ? 'hot' : maybeNull(0.05, () => pick(['a', 'b', 'c', 'd', 'e', 'f']));
    const k2 = maybeNull(0.1, () => String(Math.floor(rand() * 10)));
    const v1 = maybeNull(0.1, () => String(Math.floor(rand() * 2001) - 1000));
    const v2 = maybeNull(0.1, () => String(Math.round((rand() * 200 - 100) * 4) / 4));
    const s = maybeNull(0.1, () => pick(words) + (rand() < 0.3 ? String(i % 7) : ''));
    const b = maybeNull(0.1, () => (rand() < 0.5 ? 'true' : 'false'));
    const day = 1 + Math.floor(rand() * 28);
    const mon = 1 + Math.floor(rand() * 12);
    const d = maybeNull(0.1, () => `202${Math.floor(rand() * 4)}-${String(mon).padStart(2, '0')}-${String(day).padStart(2, '0')}`);
    const ts = maybeNull(0.1, () => `2023-${String(mon).padStart(2, '0')}-${String(day).padStart(2, '0')} ${String(Math.floor(rand() * 24)).padStart(2, '0')}:${String(Math.floor(rand() * 60)).padStart(2, '0')}:00`);
    rows.push([String(i), k1, k2, v1, v2, s, b, d, ts].map(csvField).join(','));
  }
  return rows.join('\n') + '\n';
}

function genU() {
  const rows = [HEADER];
  const data = [
    [1, 'a', 1, 10, 1.5, 'x', 'true', '2024-01-01', '2024-01-01 00:00:00'],
    [2, 'a', 1, 10, 1.5, 'x', 'true', '2024-01-01', '2024-01-01 00:00:00'],
    [3, 'b', '', 20, '', 'y', 'false', '2024-02-01', ''],
    [4, '', '', '', 2.5, '', '', '', '2024-03-01 12:30:00'],
    [5, 'b', 2, -5, -0.5, 'Y', 'true', '2023-12-31', '2023-12-31 23:59:59'],
    [6, 'c', 3, 0, 0, 'z', 'false', '2024-01-01', '2024-01-01 00:00:00'],
  ];
  for (const r of data) rows.push(r.map(String).join(','));
  return rows.join('\n') + '\n';
}

export function sbd(args) {
  const SBD = process.env.SBD;
  const r = spawnSync(SBD, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
  // A failure to run at all (r.error) reads as a failed command with the reason on stderr.
  if (r.error) return { status: -1, stdout: '', stderr: `cannot run ${SBD}: ${r.error.message}` };
  return r;
}

export function setup(TMP) {
  fs.writeFileSync(path.join(TMP, 't.csv'), genT(3000));
  fs.writeFileSync(path.join(TMP, 'u.csv'), genU());
  fs.writeFileSync(path.join(TMP, 'e.csv'), HEADER + '\n');
  for (const name of ['t', 'u', 'e']) {
    // Row groups of 256 rows: the queries over t's Parquet file also test row-group pruning.
    const r = sbd(['convert', '--schema', SCHEMA, '--row-group-size', '256', path.join(TMP, `${name}.csv`), path.join(TMP, `${name}.parquet`)]);
    if (r.status !== 0) throw new Error(`sbd convert ${name}: ${r.stderr}`);
  }
}

// ---- canonical values ------------------------------------------------------------------------

// RFC 4180 with quoting kept: sbd writes NULL as an empty unquoted field, '' as "".
export function parseCsv(text) {
  const rows = [];
  let row = [];
  let i = 0;
  let field = '';
  let quoted = false;
  let any = false;
  while (i < text.length) {
    const c = text[i];
    if (c === '"' && field === '' && !quoted && !any) {
      quoted = true;
      any = true;
      i++;
      while (i < text.length) {
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += text[i++];
      }
      continue;
    }
    if (c === ',' || c === '\n') {
      row.push(quoted || field !== '' ? field : null);
      field = '';
      quoted = false;
      any = false;
      if (c === '\n') {
        rows.push(row);
        row = [];
      }
      i++;
      continue;
    }
    field += c;
    any = true;
    i++;
  }
  if (any || row.length) {
    row.push(quoted || field !== '' ? field : null);
    rows.push(row);
  }
  return rows;
}

const NUM = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
const TS = /^(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d:\d\d)(\.\d+)?(\+00(:00)?)?$/;
export function canon(v) {
  if (v === null || v === undefined) return null;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  const s = String(v);
  if (s === 'true' || s === 'false') return s;
  if (s === 'inf' || s === 'Infinity') return Infinity;
  if (s === '-inf' || s === '-Infinity') return -Infinity;
  if (s === 'nan' || s === 'NaN' || s === '-nan') return NaN;
  if (NUM.test(s)) {
    // Exact for integers beyond 2^53 too: keep them as BigInt-backed strings.
    if (/^-?\d+$/.test(s) && s.replace('-', '').length > 15) return 'i' + BigInt(s).toString();
    return Number(s);
  }
  const m = TS.exec(s);
  if (m) {
    const frac = (m[3] || '').replace(/0+$/, '');
    return `${m[1]} ${m[2]}${frac === '.' ? '' : frac}`;
  }
  return 's' + s;
}

export function sameValue(a, b) {
  if (typeof a === 'number' && typeof b === 'number') {
    if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
    if (a === b) return true;
    return Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
  }
  return a === b;
}

const sortKey = (row) =>
  JSON.stringify(row.map((v) => (typeof v === 'number' ? (Number.isFinite(v) ? Number(v.toPrecision(10)) : String(v)) : v)));

// Compares sbd's rows with DuckDB's (canonical values): null when they agree, else a message.
export function diffRows(got, want, ordered) {
  if (got.length !== want.length)
    return `${got.length} rows, DuckDB has ${want.length}\n  sbd:    ${JSON.stringify(got.slice(0, 5))}\n  duckdb: ${JSON.stringify(want.slice(0, 5))}`;
  if (!ordered) {
    got = [...got].sort((x, y) => (sortKey(x) < sortKey(y) ? -1 : sortKey(x) > sortKey(y) ? 1 : 0));
    want = [...want].sort((x, y) => (sortKey(x) < sortKey(y) ? -1 : sortKey(x) > sortKey(y) ? 1 : 0));
  }
  for (let i = 0; i < got.length; i++) {
    if (got[i].length !== want[i].length)
      return `row ${i}: ${got[i].length} columns, DuckDB has ${want[i].length}`;
    for (let j = 0; j < got[i].length; j++)
      if (!sameValue(got[i][j], want[i][j]))
        return `row ${i} column ${j}: sbd ${String(got[i][j])}, DuckDB ${String(want[i][j])}\n  sbd row:    ${JSON.stringify(got[i])}\n  duckdb row: ${JSON.stringify(want[i])}`;
  }
  return null;
}

// {t}, {u}, {e} in a query name the tables: a table for DuckDB (kind 'duck'), else the file of
// that kind ('csv' or 'parquet') written by setup in TMP. The CSV of e has a header only: its
// types cannot be inferred, so the query gives them.
// {h} is t written by DuckDB as a Hive-partitioned folder (by k1 and k2; see sql.mjs): sbd reads
// the folder (its partition files in CSV are small, so their types are given), DuckDB a table
// loaded from it with hive_partitioning.
const H_SCHEMA = 'id:INT64,v1:INT64,v2:DOUBLE,s:STRING,b:BOOL,d:DATE,ts:TIMESTAMP';
export function fill(sql, kind, TMP) {
  return sql.replace(/\{(t|u|e|h)\}/g, (_, n) => {
    if (kind === 'duck') return n;
    if (n === 'h') {
      const dir = `'${path.join(TMP, `h_${kind}`)}'`;
      return kind === 'csv' ? `read_csv(${dir}, schema = '${H_SCHEMA}')` : dir;
    }
    const file = `'${path.join(TMP, `${n}.${kind}`)}'`;
    return n === 'e' && kind === 'csv' ? `read_csv(${file}, schema = '${SCHEMA}')` : file;
  });
}
