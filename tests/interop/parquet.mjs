// tests/interop/parquet.mjs — Parquet interop with the real peers, both ways.
//
//  A. Files DuckDB and Polars write (their defaults, every codec they offer, several row groups,
//     0 and 1 rows, every type sbd reads, nulls, empty strings, all-null columns) are read by sbd
//     (`sbd convert FILE out.csv`) and compared value by value with what DuckDB reads from the
//     same file. Types sbd refuses (TIME, LIST, STRUCT, MAP) and codecs it does not read (BROTLI)
//     must give their exact error, and a projection that leaves them out must read the rest.
//  B. Files sbd writes (every type, nulls, empty strings, all-null columns, an empty file, one
//     row, three row groups, every codec, dictionary, plain, delta, byte_stream_split, v2 pages)
//     from CSV are read by DuckDB and by Polars and compared with the generated source values.
//  C. The apache/parquet-testing files of tests/interop/data/ are read by sbd and compared with
//     their published expectations (the *_expect.csv files, int96_from_spark.md) or, where there
//     are none, with DuckDB; the nested ones must give the unsupported-type error.
//  D. `sbd meta --json` and `sbd count` of the files of A, B and C agree with DuckDB's
//     parquet_file_metadata() and parquet_metadata(): row groups, rows, every column chunk's
//     path, type, codec, encodings, value count, sizes, page offsets and null count.
//
// sbd is run as users run it, through the CLI: `sbd convert IN OUT` with the reading flags
// (--columns, --schema) and the Parquet writing flags (--compression, --row-group-size, ...).
//
// Values are compared in canonical forms: integers as decimal strings, doubles as numbers (NaN
// equal to NaN, -0 distinct from 0: exact), timestamps as microseconds since the epoch (BigInt),
// dates as YYYY-MM-DD, strings as they are, null as null.
//
// Environment: SBD (the sbd binary), TMP_DIR (a scratch folder). Prints one line per failure and ends with "interop: N passed, N failed".
import { createRequire } from 'node:module';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
const peers = require(path.join(here, '..', 'peers', 'peers.js'));
const { duckdbQueryJson, duckdbClose } = peers;
const pl = peers.polars;

const SBD = process.env.SBD;
const TMP = process.env.TMP_DIR;
let passed = 0;
let failed = 0;

function pass() {
  passed++;
}
function fail(name, msg) {
  failed++;
  console.log(`FAIL ${name}: ${msg}`);
}
const tmp = (name) => path.join(TMP, name);
const sqlStr = (s) => `'${s.replace(/'/g, "''")}'`;

// ---- CSV as sbd writes it ------------------------------------------------------------------------

// RFC 4180, keeping whether a field was quoted: sbd writes null as an empty unquoted field and
// the empty string as "".
function parseCsv(text) {
  const rows = [];
  let row = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    let value = '';
    let quoted = false;
    if (text[i] === '"') {
      quoted = true;
      i++;
      for (;;) {
        const q = text.indexOf('"', i);
        if (q < 0) throw new Error('unterminated quote');
        value += text.slice(i, q);
        if (text[q + 1] === '"') {
          value += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
    } else {
      let j = i;
      while (j < n && text[j] !== ',' && text[j] !== '\n') j++;
      value = text.slice(i, j);
      i = j;
    }
    row.push(quoted || value !== '' ? value : null);
    if (i >= n || text[i] === '\n') {
      rows.push(row);
      row = [];
      i++;
    } else {
      i++; // the comma
      if (i === n) row.push(null);
    }
  }
  return rows;
}

// sbd's reading of file (`sbd convert FILE out.csv FLAGS...`) as {names, rows}, rows being arrays
// of text or null; or {error} with its message.
function sbdRead(file, flags = []) {
  const out = tmp('sbd-out.csv');
  fs.rmSync(out, { force: true });
  const r = spawnSync(SBD, ['convert', file, out, ...flags], { encoding: 'utf8' });
  if (r.status !== 0) return { error: (r.stderr || '').trim() || `exit ${r.status}` };
  const rows = parseCsv(fs.readFileSync(out, 'utf8'));
  const names = rows.length ? rows.shift() : [];
  return { names, rows };
}

// ---- canonical values ---------------------------------------------------------------------------

const MICROS_PER_DAY = 86400000000n;

function daysFromCivil(y, m, d) {
  // Howard Hinnant's days_from_civil, on plain numbers (exact for these ranges).
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

// "YYYY-MM-DD HH:MM:SS[.ffffff]" (years may be signed and longer) as µs since the epoch.
function timestampMicros(text) {
  const m = /^([+-]?\d+)-(\d\d)-(\d\d)[ T](\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?$/.exec(text);
  if (!m) return `unparsable timestamp ${text}`;
  const days = daysFromCivil(Number(m[1]), Number(m[2]), Number(m[3]));
  const secs = Number(m[4]) * 3600 + Number(m[5]) * 60 + Number(m[6]);
  const frac = m[7] ? BigInt((m[7] + '000000').slice(0, 6)) : 0n;
  return (BigInt(days) * MICROS_PER_DAY + BigInt(secs) * 1000000n + frac).toString();
}

function floorDiv(a, b) {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

// sbd's text of a value of canonical kind k.
function fromSbd(k, text) {
  if (text === null) return null;
  switch (k) {
    case 'double':
      if (text === 'nan') return NaN;
      if (text === 'inf') return Infinity;
      if (text === '-inf') return -Infinity;
      return Number(text);
    case 'ts':
      return timestampMicros(text);
    default:
      return text;
  }
}

// The canonical kind of a DuckDB type, and the SQL that gives its canonical value.
function duckKind(type, col) {
  const c = `"${col.replace(/"/g, '""')}"`;
  if (/^(TINYINT|SMALLINT|INTEGER|BIGINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|HUGEINT)$/.test(type))
    return ['int', `CAST(${c} AS VARCHAR)`];
  if (/^(FLOAT|DOUBLE|DECIMAL.*)$/.test(type)) return ['double', `CAST(${c} AS DOUBLE)`];
  if (type === 'BOOLEAN') return ['bool', `CAST(${c} AS VARCHAR)`];
  if (type === 'DATE') return ['date', `strftime(${c}, '%Y-%m-%d')`];
  if (type === 'TIMESTAMP_NS') return ['ts_ns', `CAST(epoch_ns(${c}) AS VARCHAR)`];
  if (type.startsWith('TIMESTAMP')) return ['ts', `CAST(epoch_us(${c}) AS VARCHAR)`];
  if (type === 'BLOB') return ['str', `decode(${c})`];
  if (type === 'UUID' || type === 'VARCHAR' || type.startsWith('ENUM') || type === 'JSON')
    return ['str', `CAST(${c} AS VARCHAR)`];
  return ['unknown', `CAST(${c} AS VARCHAR)`];
}

function fromDuck(k, v) {
  if (v === null || v === undefined) return null;
  switch (k) {
    case 'double':
      if (v === 'NaN' || v === 'nan') return NaN;
      if (v === 'Infinity' || v === 'inf') return Infinity;
      if (v === '-Infinity' || v === '-inf') return -Infinity;
      return Number(v);
    case 'bool':
      return String(v);
    case 'ts_ns':
      return floorDiv(BigInt(v), 1000n).toString();
    default:
      return String(v);
  }
}

function same(a, b) {
  if (typeof a === 'number' && typeof b === 'number') return Object.is(a, b);
  return a === b;
}

const show = (v) => (typeof v === 'number' ? String(Object.is(v, -0) ? '-0' : v) : JSON.stringify(v));

// What DuckDB reads from file: {names, kinds, rows (canonical)}.
async function duckRead(file, columns = null) {
  const described = await duckdbQueryJson(
    `DESCRIBE SELECT * FROM read_parquet(${sqlStr(file)})`,
  );
  const cols = described.filter((d) => !columns || columns.includes(d.column_name));
  const kinds = [];
  const exprs = [];
  for (const d of cols) {
    const [k, e] = duckKind(d.column_type, d.column_name);
    kinds.push(k);
    exprs.push(`${e} AS c${exprs.length}`);
  }
  const rows = exprs.length
    ? await duckdbQueryJson(`SELECT ${exprs.join(', ')} FROM read_parquet(${sqlStr(file)})`)
    : [];
  return {
    names: cols.map((d) => d.column_name),
    types: cols.map((d) => d.column_type),
    kinds,
    rows: rows.map((r) => kinds.map((k, i) => fromDuck(k, r[`c${i}`]))),
  };
}

// Compares sbd's reading of file with DuckDB's (of duckFile, when DuckDB cannot read file but
// reads a copy of the same data); returns a message or null.
async function compareWithDuck(file, flags = [], columns = null, duckFile = file) {
  const s = sbdRead(file, flags);
  if (s.error) return `sbd: ${s.error}`;
  const d = await duckRead(duckFile, columns);
  const order = columns || d.names;
  if (JSON.stringify(s.names) !== JSON.stringify(order))
    return `columns ${JSON.stringify(s.names)} != DuckDB's ${JSON.stringify(order)}`;
  if (s.rows.length !== d.rows.length) return `${s.rows.length} rows != DuckDB's ${d.rows.length}`;
  const idx = order.map((n) => d.names.indexOf(n));
  for (let r = 0; r < d.rows.length; r++) {
    for (let c = 0; c < order.length; c++) {
      const k = d.kinds[idx[c]];
      const want = d.rows[r][idx[c]];
      const got = fromSbd(k === 'ts_ns' ? 'ts' : k, s.rows[r][c]);
      if (!same(want, got))
        return `row ${r} column '${order[c]}' (${d.types[idx[c]]}): sbd ${show(got)} != DuckDB ${show(want)}`;
    }
  }
  return null;
}

async function check(name, fn) {
  try {
    const msg = await fn();
    if (msg) fail(name, msg);
    else pass();
  } catch (e) {
    fail(name, `threw ${e && e.stack ? e.stack.split('\n').slice(0, 3).join(' | ') : e}`);
  }
}

function expectError(name, file, flags, want) {
  const s = sbdRead(file, flags);
  if (!s.error) return fail(name, `read without the error "${want}"`);
  if (!s.error.includes(want)) return fail(name, `error "${s.error}" lacks "${want}"`);
  pass();
}

// ---- A: DuckDB and Polars write, sbd reads -------------------------------------------------------

async function peersWrite() {
  // Every type sbd reads, with nulls, empty strings, extremes and an all-null column.
  await duckdbQueryJson(`CREATE OR REPLACE TABLE src AS
    SELECT
      i::BIGINT AS id,
      CASE WHEN i % 7 = 3 THEN NULL WHEN i % 97 = 1 THEN -9223372036854775808
           WHEN i % 97 = 2 THEN 9223372036854775807 ELSE (i * 7919) % 1000003 - 500000 END::BIGINT AS i64,
      CASE WHEN i % 5 = 0 THEN NULL ELSE (i * 31) % 65536 - 32768 END::INTEGER AS i32,
      ((i * 13) % 200 - 100)::SMALLINT AS i16,
      ((i * 17) % 250 - 125)::TINYINT AS i8,
      (i % 256)::UTINYINT AS u8,
      ((i * 7) % 4294967296)::UINTEGER AS u32,
      (i * 1000003)::UBIGINT AS u64,
      CASE i % 11 WHEN 0 THEN 'nan'::DOUBLE WHEN 1 THEN '-0.0'::DOUBLE WHEN 2 THEN 'inf'::DOUBLE
           WHEN 3 THEN NULL WHEN 4 THEN 5e-324 ELSE (i * 0.37 - 100) / 3 END AS f64,
      CASE WHEN i % 9 = 4 THEN NULL ELSE (i * 0.25 - 7.1)::FLOAT END AS f32,
      ((i * 12345) % 100000000 / 100.0)::DECIMAL(9, 2) AS dec9,
      (((i * 987654321) % 1000000000000) / 1000.0)::DECIMAL(18, 3) AS dec18,
      CASE WHEN i % 4 = 0 THEN NULL ELSE ((i * 98765) % 100000000) / 10000.0 END::DECIMAL(38, 10) AS dec38,
      CASE WHEN i % 6 = 5 THEN NULL ELSE i % 3 = 0 END AS b,
      CASE i % 8 WHEN 0 THEN NULL WHEN 1 THEN '' WHEN 2 THEN 'z' || chr(233) || 'bra'
           WHEN 3 THEN 'a,b "q"' || chr(10) || 'line' WHEN 4 THEN chr(26085) || chr(26412)
           ELSE 'v' || (i % 50)::VARCHAR END AS s,
      CASE WHEN i % 10 = 7 THEN NULL ELSE DATE '1970-01-01' + ((i * 37) % 60000 - 30000)::INTEGER END AS d,
      CASE WHEN i % 10 = 8 THEN NULL ELSE make_timestamp((i * 1234567891234) % 4000000000000000 - 1000000000000000) END AS ts,
      make_timestamp((i * 1234567891) % 400000000000000)::TIMESTAMP_MS AS ts_ms,
      make_timestamp((i * 1234567891) % 400000000000000)::TIMESTAMP_S AS ts_s,
      CASE WHEN i % 3 = 1 THEN NULL ELSE make_timestamp((i * 1234567891) % 4000000000000)::TIMESTAMP_NS + INTERVAL (i % 1000) MICROSECONDS END AS ts_ns,
      make_timestamp((i * 1234567891) % 4000000000000)::TIMESTAMPTZ AS tstz,
      CASE WHEN i % 5 = 2 THEN NULL ELSE md5(i::VARCHAR)::UUID END AS uid,
      CASE WHEN i % 5 = 3 THEN NULL ELSE ('blob' || i::VARCHAR)::BLOB END AS bin,
      CASE i % 3 WHEN 0 THEN 'red' WHEN 1 THEN 'green' ELSE NULL END::ENUM('red', 'green') AS color,
      CASE WHEN i % 4 = 1 THEN NULL ELSE ('{"k": ' || i::VARCHAR || '}')::JSON END AS js,
      NULL::VARCHAR AS null_s,
      NULL::BIGINT AS null_i
    FROM range(5000) t(i)`);
  const duckCases = [
    ['default', ''],
    ['uncompressed', ', COMPRESSION uncompressed'],
    ['snappy', ', COMPRESSION snappy'],
    ['gzip', ', COMPRESSION gzip'],
    ['zstd', ', COMPRESSION zstd'],
    ['lz4', ', COMPRESSION lz4'],
    ['zstd-v2', ', COMPRESSION zstd, PARQUET_VERSION V2'],
    ['snappy-v2', ', PARQUET_VERSION V2'],
  ];
  for (const [name, opts] of duckCases) {
    for (const [rows, rg] of [
      [5000, 1000],
      [1, 1000],
      [0, 1000],
    ]) {
      const f = tmp(`duck-${name}-${rows}.parquet`);
      await duckdbQueryJson(
        `COPY (SELECT * FROM src ORDER BY id LIMIT ${rows}) TO ${sqlStr(f)} (FORMAT parquet, ROW_GROUP_SIZE ${rg}${opts})`,
      );
      await check(`duckdb ${name} ${rows} rows`, async () => {
        if (rows === 5000) {
          const g = await duckdbQueryJson(
            `SELECT count(DISTINCT row_group_id) AS n FROM parquet_metadata(${sqlStr(f)})`,
          );
          if (Number(g[0].n) < 2) return `only ${g[0].n} row group(s)`;
        }
        return compareWithDuck(f);
      });
    }
  }
  // What sbd refuses, and projections around it.
  const odd = tmp('duck-odd.parquet');
  await duckdbQueryJson(`COPY (SELECT i::BIGINT AS id, [i, i + 1] AS l, {'a': i} AS st,
      MAP {'k': i} AS m, TIME '12:34:56' AS t, i::VARCHAR AS s FROM range(10) t(i))
      TO ${sqlStr(odd)} (FORMAT parquet)`);
  for (const [col, kind] of [
    ['l', 'LIST'],
    ['st', 'STRUCT'],
    ['m', 'MAP'],
  ])
    expectError(`duckdb nested ${kind}`, odd, ['--columns', `id,${col}`],
      `${odd}: unsupported type at column '${col}' (${kind}); sbd reads flat columns only in this version`);
  expectError('duckdb TIME', odd, ['--columns', 't'], `${odd}: unsupported type at column 't' (TIME INT64)`);
  await check('duckdb projection around nested columns', () =>
    compareWithDuck(odd, ['--columns', 's,id'], ['s', 'id']),
  );
  const bad = tmp('duck-bad.parquet');
  await duckdbQueryJson(`COPY (SELECT i::BIGINT AS id,
      CASE WHEN i = 5 THEN '\\xFF\\xFEx'::BLOB ELSE 'ok'::BLOB END AS bin,
      CASE WHEN i = 7 THEN 18446744073709551615 ELSE i END::UBIGINT AS u
      FROM range(10) t(i)) TO ${sqlStr(bad)} (FORMAT parquet)`);
  expectError('duckdb BLOB that is not UTF-8', bad, ['--columns', 'bin'],
    `${bad}: row group 0, column 'bin', page 0 (offset 92): the value "\\xff\\xfex" is not valid UTF-8`);
  expectError('duckdb UBIGINT past INT64_MAX', bad, ['--columns', 'u'],
    `${bad}: row group 0, column 'u', page 0 (offset 155): the unsigned value 18446744073709551615 does not fit INT64`);
  await check('duckdb projection around bad values', () => compareWithDuck(bad, ['--columns', 'id'], ['id']));
  const brotli = tmp('duck-brotli.parquet');
  await duckdbQueryJson(
    `COPY (SELECT * FROM src LIMIT 10) TO ${sqlStr(brotli)} (FORMAT parquet, COMPRESSION brotli)`,
  );
  expectError('duckdb brotli', brotli, [], 'BROTLI compression is not supported');

  // Polars: a frame of the types it writes, from the same rows.
  const rows = await duckdbQueryJson(`SELECT CAST(id AS VARCHAR) AS id, CAST(i64 AS VARCHAR) AS i64,
      i32, i16, i8, u8, u32, CAST(u64 AS VARCHAR) AS u64, f64, f32, b, s,
      CAST(d - DATE '1970-01-01' AS INTEGER) AS d, CAST(epoch_us(ts) AS VARCHAR) AS ts,
      CAST(epoch_ms(ts_ms) AS VARCHAR) AS ts_ms, CAST(epoch_ns(ts_ns) AS VARCHAR) AS ts_ns
    FROM src ORDER BY id LIMIT 3000`);
  const col = (k) => rows.map((r) => r[k]);
  const num = (k) =>
    rows.map((r) =>
      r[k] === null ? null : r[k] === 'NaN' ? NaN : r[k] === 'Infinity' ? Infinity : Number(r[k]),
    );
  const frame = (n) =>
    pl.DataFrame([
      pl.Series('id', col('id'), pl.Utf8).cast(pl.Int64),
      pl.Series('i64', col('i64'), pl.Utf8).cast(pl.Int64),
      pl.Series('i32', num('i32'), pl.Int32),
      pl.Series('i16', num('i16'), pl.Int16),
      pl.Series('i8', num('i8'), pl.Int8),
      pl.Series('u8', num('u8'), pl.UInt8),
      pl.Series('u32', num('u32'), pl.UInt32),
      pl.Series('u64', col('u64'), pl.Utf8).cast(pl.UInt64),
      pl.Series('f64', num('f64'), pl.Float64),
      pl.Series('f32', num('f32'), pl.Float32),
      pl.Series('b', col('b'), pl.Bool),
      pl.Series('s', col('s'), pl.Utf8),
      pl.Series('cat', col('s'), pl.Utf8).cast(pl.Categorical),
      pl.Series('d', num('d'), pl.Int32).cast(pl.Date),
      pl.Series('ts', col('ts'), pl.Utf8).cast(pl.Int64).cast(pl.Datetime('us')),
      pl.Series('ts_ms', col('ts_ms'), pl.Utf8).cast(pl.Int64).cast(pl.Datetime('ms')),
      pl.Series('ts_ns', col('ts_ns'), pl.Utf8).cast(pl.Int64).cast(pl.Datetime('ns')),
      pl.Series('null_s', rows.map(() => null), pl.Utf8),
      pl.Series('null_f', rows.map(() => null), pl.Float64),
    ]).head(n);
  for (const comp of ['uncompressed', 'snappy', 'gzip', 'lz4', 'zstd', undefined]) {
    for (const n of [3000, 1, 0]) {
      const f = tmp(`polars-${comp || 'default'}-${n}.parquet`);
      frame(n).writeParquet(f, comp ? { compression: comp } : undefined);
      await check(`polars ${comp || 'default'} ${n} rows`, () => compareWithDuck(f));
    }
  }
  const pb = tmp('polars-brotli.parquet');
  frame(10).writeParquet(pb, { compression: 'brotli' });
  expectError('polars brotli', pb, [], 'BROTLI compression is not supported');
}

// ---- B: sbd writes, DuckDB and Polars read --------------------------------------------------------

const SCHEMA = 'id:INT64,i:INT64,x:DOUBLE,s:STRING,b:BOOL,d:DATE,ts:TIMESTAMP,null_s:STRING,null_i:INT64';

// The source table, as canonical values and as the CSV sbd reads.
function sourceTable(nrows) {
  const words = ['', 'pear', 'z\u00e9bra', '\u65e5\u672c', 'a,b', 'quote"d', 'line\nbreak', '\u{1F600}'];
  const rows = [];
  for (let r = 0; r < nrows; r++) {
    const h = (r * 2654435761) % 4294967296;
    const i =
      r % 7 === 3 ? null : r % 97 === 1 ? '-9223372036854775808' : r % 97 === 2 ? '9223372036854775807' : String(h - 2147483648);
    const special = [NaN, -0, Infinity, -Infinity, 5e-324, 1.7976931348623157e308];
    const x = r % 9 === 4 ? null : r % 13 < special.length ? special[r % 13] : (h % 1000003) / 64 - 7000.5;
    const s = r % 11 === 5 ? null : r % 17 === 0 ? 'long '.repeat(60) + r : words[h % words.length] + (r % 3 ? '' : String(h % 100));
    const b = r % 6 === 5 ? null : h % 2 === 0 ? 'true' : 'false';
    const dDays = (h % 100000) - 50000;
    const d = r % 10 === 7 ? null : dDays;
    const ts = r % 10 === 8 ? null : (BigInt(h) * 12345678n - 20000000000000000n).toString();
    rows.push({ id: String(r), i, x, s, b, d, ts, null_s: null, null_i: null });
  }
  return rows;
}

function civilFromDays(z) {
  z += 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const y = yoe + era * 400;
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp + (mp < 10 ? 3 : -9);
  return [y + (m <= 2 ? 1 : 0), m, d];
}
const pad = (n, w) => String(n).padStart(w, '0');
const dateText = (days) => {
  const [y, m, d] = civilFromDays(days);
  return `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`;
};
function tsText(us) {
  const v = BigInt(us);
  const days = floorDiv(v, MICROS_PER_DAY);
  let rest = v - days * MICROS_PER_DAY;
  const secs = rest / 1000000n;
  const frac = rest % 1000000n;
  const hh = secs / 3600n, mm = (secs / 60n) % 60n, ss = secs % 60n;
  return `${dateText(Number(days))} ${pad(hh, 2)}:${pad(mm, 2)}:${pad(ss, 2)}.${pad(frac, 6)}`;
}
function csvField(v) {
  if (v === null) return '';
  if (v === '' || /[",\n\r]/.test(v)) return '"' + v.replace(/"/g, '""') + '"';
  return v;
}
function doubleText(x) {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (Object.is(x, -0)) return '-0.0';
  return String(x);
}
function writeCsv(file, rows) {
  const cols = ['id', 'i', 'x', 's', 'b', 'd', 'ts', 'null_s', 'null_i'];
  const lines = [cols.join(',')];
  for (const r of rows)
    lines.push(
      [
        r.id,
        r.i,
        r.x === null ? null : doubleText(r.x),
        r.s,
        r.b,
        r.d === null ? null : dateText(r.d),
        r.ts === null ? null : tsText(r.ts),
        null,
        null,
      ]
        .map(csvField)
        .join(','),
    );
  fs.writeFileSync(file, lines.join('\n') + '\n');
}

// Compares a peer's rows (canonical) with the source; returns a message or null.
function compareRows(who, got, want) {
  if (got.length !== want.length) return `${who}: ${got.length} rows, not ${want.length}`;
  const cols = ['id', 'i', 'x', 's', 'b', 'd', 'ts', 'null_s', 'null_i'];
  for (let r = 0; r < want.length; r++)
    for (const c of cols) {
      const w = c === 'd' && want[r].d !== null ? dateText(want[r].d) : want[r][c];
      if (!same(got[r][c], w))
        return `${who}: row ${r} column '${c}': ${show(got[r][c])}, not ${show(w)}`;
    }
  return null;
}

async function duckReadBack(file) {
  const rows = await duckdbQueryJson(`SELECT CAST(id AS VARCHAR) AS id, CAST(i AS VARCHAR) AS i,
      x, s, CAST(b AS VARCHAR) AS b, strftime(d, '%Y-%m-%d') AS d,
      CAST(epoch_us(ts) AS VARCHAR) AS ts, null_s, CAST(null_i AS VARCHAR) AS null_i
    FROM read_parquet(${sqlStr(file)})`);
  return rows.map((r) => ({ ...r, x: fromDuck('double', r.x) }));
}

function polarsReadBack(file) {
  const df = pl.readParquet(file);
  const asText = (name) => df.getColumn(name).cast(pl.Utf8).toArray();
  const id = asText('id'),
    i = asText('i'),
    x = df.getColumn('x').toArray(),
    s = df.getColumn('s').toArray(),
    b = df.getColumn('b').toArray(),
    d = df.getColumn('d').cast(pl.Int32).toArray(),
    ts = df.getColumn('ts').cast(pl.Int64).cast(pl.Utf8).toArray(),
    ns = df.getColumn('null_s').toArray(),
    ni = asText('null_i');
  const types = df.dtypes.map(String).join(',');
  return {
    types,
    rows: id.map((_, r) => ({
      id: id[r],
      i: i[r],
      x: x[r],
      s: s[r],
      b: b[r] === null ? null : String(b[r]),
      d: d[r] === null ? null : dateText(d[r]),
      ts: ts[r],
      null_s: ns[r],
      null_i: ni[r],
    })),
  };
}

async function sbdWrites() {
  const variants = [
    ['default', 3000, []],
    ['snappy-3rg', 3000, ['--row-group-size', '1000']],
    ['zstd-v2', 3000, ['--compression', 'zstd', '--data-page', 'v2', '--page-bytes', '4096']],
    ['gzip-plain', 3000, ['--compression', 'gzip', '--parquet-encoding', 'plain', '--row-group-size', '1000']],
    ['gzip-9-rg-bytes', 3000, ['--compression', 'gzip', '--compression-level', '9', '--row-group-bytes', '16K']],
    ['lz4-delta', 3000, ['--compression', 'lz4_raw', '--parquet-encoding', 'delta']],
    ['none-bss-v2', 3000, ['--compression', 'none', '--parquet-encoding', 'byte_stream_split', '--data-page', 'v2']],
    ['zstd-delta-v2', 3000, ['--compression', 'zstd', '--compression-level', '9', '--parquet-encoding', 'delta', '--data-page', 'v2']],
    ['dict-fallback', 3000, ['--dict-limit', '2000', '--page-bytes', '2000']],
    ['plain-none', 3000, ['--compression', 'none', '--parquet-encoding', 'plain']],
    ['one-row', 1, ['--compression', 'zstd']],
    ['empty', 0, []],
  ];
  for (const [name, n, opts] of variants) {
    const src = sourceTable(n);
    const csv = tmp(`sbd-${name}.csv`);
    const pq = tmp(`sbd-${name}.parquet`);
    writeCsv(csv, src);
    const r = spawnSync(SBD, ['convert', csv, pq, '--schema', SCHEMA, ...opts], { encoding: 'utf8' });
    if (r.status !== 0) {
      fail(`sbd writes ${name}`, (r.stderr || '').trim());
      continue;
    }
    await check(`sbd writes ${name}, DuckDB reads`, async () => {
      const described = await duckdbQueryJson(`DESCRIBE SELECT * FROM read_parquet(${sqlStr(pq)})`);
      const types = described.map((d) => d.column_type).join(',');
      const want = 'BIGINT,BIGINT,DOUBLE,VARCHAR,BOOLEAN,DATE,TIMESTAMP WITH TIME ZONE,VARCHAR,BIGINT';
      if (types !== want) return `DuckDB types ${types}, not ${want}`;
      return compareRows('DuckDB', await duckReadBack(pq), src);
    });
    await check(`sbd writes ${name}, Polars reads`, () => {
      const got = polarsReadBack(pq);
      const want = 'Int64,Int64,Float64,String,Bool,Date,Datetime(us,UTC),String,Int64';
      const types = got.types.replace(/DataType\(/g, '').replace(/\)(,|$)/g, '$1');
      if (types !== want) return `Polars types ${types}, not ${want}`;
      return compareRows('Polars', got.rows, src);
    });
    await check(`sbd writes ${name}, sbd reads`, () => {
      const s = sbdRead(pq);
      if (s.error) return s.error;
      const back = s.rows.map((row) => ({
        id: row[0],
        i: row[1],
        x: fromSbd('double', row[2]),
        s: row[3],
        b: row[4],
        d: row[5],
        ts: row[6] === null ? null : timestampMicros(row[6]),
        null_s: row[7],
        null_i: row[8],
      }));
      return compareRows('sbd', back, src);
    });
  }
}

// ---- C: apache/parquet-testing ---------------------------------------------------------------------

function readExpectCsv(file) {
  // CSV with a header; an empty unquoted field is null.
  const rows = parseCsv(fs.readFileSync(file, 'utf8'));
  return { names: rows.shift(), rows };
}

async function parquetTesting() {
  const dir = path.join(here, 'data');
  const f = (name) => path.join(dir, name);
  const compareDuck = [
    'alltypes_plain.parquet',
    'alltypes_plain.snappy.parquet',
    'alltypes_dictionary.parquet',
    'int32_decimal.parquet',
    'int64_decimal.parquet',
    'fixed_length_decimal.parquet',
    'fixed_length_decimal_legacy.parquet',
    'byte_array_decimal.parquet',
    'delta_length_byte_array.parquet',
    'byte_stream_split.zstd.parquet',
    'single_nan.parquet',
    'nan_in_stats.parquet',
    'rle_boolean_encoding.parquet',
    'lz4_raw_compressed.parquet',
    'concatenated_gzip_members.parquet',
    'datapage_v2_empty_datapage.snappy.parquet',
    'page_v2_empty_compressed.parquet',
    'int32_with_null_pages.parquet',
    'binary.parquet',
    'column_chunk_key_value_metadata.parquet',
    'sort_columns.parquet',
    'rle-dict-snappy-checksum.parquet',
    'plain-dict-uncompressed-checksum.parquet',
    'datapage_v1-snappy-compressed-checksum.parquet',
    'data_index_bloom_encoding_stats.parquet',
    'dict-page-offset-zero.parquet',
  ];
  for (const name of compareDuck)
    await check(`parquet-testing ${name}`, () => compareWithDuck(f(name)));
  // DuckDB does not read the deprecated LZ4 codec: these hold the same rows as the LZ4_RAW file.
  for (const name of ['hadoop_lz4_compressed.parquet', 'non_hadoop_lz4_compressed.parquet'])
    await check(`parquet-testing ${name}`, () =>
      compareWithDuck(f(name), [], null, f('lz4_raw_compressed.parquet')),
    );
  // datapage_v2.snappy.parquet: its LIST column is refused, the flat ones read.
  expectError('parquet-testing datapage_v2.snappy.parquet (LIST)', f('datapage_v2.snappy.parquet'), [],
    "unsupported type at column 'e' (LIST); sbd reads flat columns only in this version");
  await check('parquet-testing datapage_v2.snappy.parquet (flat columns)', () =>
    compareWithDuck(f('datapage_v2.snappy.parquet'), ['--columns', 'a,b,c,d'], ['a', 'b', 'c', 'd']),
  );
  expectError('parquet-testing nested_lists.snappy.parquet', f('nested_lists.snappy.parquet'), [],
    "unsupported type at column 'a' (LIST); sbd reads flat columns only in this version");
  expectError('parquet-testing nulls.snappy.parquet', f('nulls.snappy.parquet'), [],
    "unsupported type at column 'b_struct' (STRUCT); sbd reads flat columns only in this version");
  // The published expectations.
  for (const name of ['delta_binary_packed', 'delta_byte_array', 'delta_encoding_optional_column',
    'delta_encoding_required_column']) {
    await check(`parquet-testing ${name}.parquet (expect.csv)`, () => {
      const s = sbdRead(f(`${name}.parquet`));
      if (s.error) return `sbd: ${s.error}`;
      const e = readExpectCsv(f(`${name}_expect.csv`));
      if (s.rows.length !== e.rows.length) return `${s.rows.length} rows, expected ${e.rows.length}`;
      for (let r = 0; r < e.rows.length; r++)
        for (let c = 0; c < e.names.length; c++)
          if (s.rows[r][c] !== e.rows[r][c])
            return `row ${r} column '${e.names[c]}': ${show(s.rows[r][c])}, expected ${show(e.rows[r][c])}`;
      return null;
    });
  }
  await check('parquet-testing int96_from_spark.parquet (its .md)', () => {
    const s = sbdRead(f('int96_from_spark.parquet'));
    if (s.error) return `sbd: ${s.error}`;
    const want = ['1704141296123456', '1704070800000000', '253402225200000000', '1735599600000000',
      null, '9089380393200000000'];
    const got = s.rows.map((r) => (r[0] === null ? null : timestampMicros(r[0])));
    return JSON.stringify(got) === JSON.stringify(want) ? null : `${JSON.stringify(got)}`;
  });
  await check('parquet-testing fixed_length_byte_array.parquet (hex)', async () => {
    const s = sbdRead(f('fixed_length_byte_array.parquet'));
    if (s.error) return `sbd: ${s.error}`;
    const d = await duckdbQueryJson(`SELECT lower(hex(flba_field)) AS h
      FROM read_parquet(${sqlStr(f('fixed_length_byte_array.parquet'))})`);
    if (s.rows.length !== d.length) return `${s.rows.length} rows != DuckDB's ${d.length}`;
    for (let r = 0; r < d.length; r++)
      if (s.rows[r][0] !== d[r].h) return `row ${r}: ${s.rows[r][0]} != ${d[r].h}`;
    return null;
  });
  await check('parquet-testing float16_nonzeros_and_nans.parquet', () => {
    const s = sbdRead(f('float16_nonzeros_and_nans.parquet'));
    if (s.error) return `sbd: ${s.error}`;
    const got = s.rows.map((r) => r[0]).join(' ');
    const want = ' 1.0 -2.0 nan 0.0 -1.0 -0.0 2.0';
    return got === want ? null : `read "${got}", expected "${want}"`;
  });
}

// ---- D: sbd meta and count against DuckDB's metadata functions ---------------------------------------

const asText = (v) => (v === null || v === undefined ? null : String(v));

// Compares `sbd meta --json FILE` and `sbd count FILE` with DuckDB's reading of the footer;
// returns a message or null.
async function compareMetaWithDuck(file) {
  const r = spawnSync(SBD, ['meta', '--json', file], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) return `sbd meta: ${(r.stderr || '').trim() || `exit ${r.status}`}`;
  let m;
  try {
    m = JSON.parse(r.stdout);
  } catch (e) {
    return `sbd meta --json is not JSON: ${e.message}`;
  }
  const fm = (await duckdbQueryJson(`SELECT * FROM parquet_file_metadata(${sqlStr(file)})`))[0];
  const fileWant = {
    num_rows: fm.num_rows,
    num_row_groups: fm.num_row_groups,
    created_by: fm.created_by,
    version: fm.format_version,
    size: fm.file_size_bytes,
    footer_size: fm.footer_size,
  };
  for (const [k, want] of Object.entries(fileWant))
    if (asText(m[k]) !== asText(want)) return `${k}: sbd ${asText(m[k])}, DuckDB ${asText(want)}`;
  const c = spawnSync(SBD, ['count', file], { encoding: 'utf8' });
  if (c.status !== 0 || c.stdout.trim() !== asText(fm.num_rows))
    return `sbd count: ${c.stdout.trim()}${(c.stderr || '').trim()}, DuckDB ${fm.num_rows} rows`;
  const chunks = await duckdbQueryJson(
    `SELECT * FROM parquet_metadata(${sqlStr(file)}) ORDER BY row_group_id, column_id`,
  );
  const ours = m.row_groups.flatMap((g) => g.columns.map((col) => ({ g, col })));
  if (ours.length !== chunks.length) return `${ours.length} column chunks, DuckDB ${chunks.length}`;
  for (let i = 0; i < chunks.length; i++) {
    const d = chunks[i];
    const { g, col } = ours[i];
    const st = col.statistics || {};
    const pairs = [
      ['row group rows', g.num_rows, d.row_group_num_rows],
      ['row group bytes', g.total_byte_size, d.row_group_bytes],
      ['path', col.path.join(', '), d.path_in_schema],
      ['type', col.physical_type, d.type],
      ['codec', col.codec, d.compression],
      ['encodings', col.encodings.join(', '), d.encodings],
      ['values', col.num_values, d.num_values],
      ['compressed size', col.total_compressed_size, d.total_compressed_size],
      ['uncompressed size', col.total_uncompressed_size, d.total_uncompressed_size],
      ['dictionary page offset', col.dictionary_page_offset, d.dictionary_page_offset],
      ['data page offset', col.data_page_offset, d.data_page_offset],
      ['index page offset', col.index_page_offset, d.index_page_offset],
      ['null count', st.null_count, d.stats_null_count],
      ['distinct count', st.distinct_count, d.stats_distinct_count],
      ['bloom filter offset', col.bloom_filter && col.bloom_filter.offset, d.bloom_filter_offset],
    ];
    for (const [what, got, want] of pairs)
      if (asText(got) !== asText(want))
        return `row group ${g.index} column ${col.path.join('.')}: ${what} sbd ${asText(got)}, DuckDB ${asText(want)}`;
  }
  return null;
}

async function metadataAgrees() {
  const files = [
    ...fs.readdirSync(TMP).filter((n) => n.endsWith('.parquet')).sort().map(tmp),
    ...fs.readdirSync(path.join(here, 'data')).filter((n) => n.endsWith('.parquet')).sort()
      .map((n) => path.join(here, 'data', n)),
  ];
  for (const file of files)
    await check(`meta and count of ${path.basename(file)}`, () => compareMetaWithDuck(file));
}

// ---- main ---------------------------------------------------------------------------------------------

const started = Date.now();
try {
  if (!SBD || !TMP) throw new Error('SBD and TMP_DIR must be set');
  await peersWrite();
  await sbdWrites();
  await parquetTesting();
  await metadataAgrees();
} catch (e) {
  fail('interop', `threw ${e && e.stack ? e.stack : e}`);
}
await duckdbClose();
console.log(`(${((Date.now() - started) / 1000).toFixed(1)} s)`);
console.log(`interop: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
