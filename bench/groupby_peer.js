// The DuckDB and Polars side of bench/groupby: one process per tool, source and round, so that
// bench/groupby reads that tool's own peak RSS with /usr/bin/time.
//
//   node bench/groupby_peer.js TOOL SOURCE FILE QUESTIONS q1 [q2 ...]
//
//   TOOL       duckdb or polars
//   SOURCE     csv: FILE (a CSV) is loaded into memory first, timed apart ("load"), and the
//                questions run on the table in memory (DuckDB CREATE TABLE x AS SELECT * FROM
//                read_csv(FILE); Polars readCSV(FILE) with db-benchmark's dtypes (id4..id6, v1,
//                v2 Int32, v3 Float64) and id1..id3 cast to Categorical, as its Polars script does)
//              parquet: each question reads FILE itself and its time includes the read (DuckDB
//                FROM read_parquet(FILE); Polars scanParquet(FILE)...collect)
//   QUESTIONS  bench/groupby_questions.tsv: the SQL DuckDB runs and the columns summed for the check
//
// Each question runs once and is timed alone, as db-benchmark does: DuckDB CREATE TABLE ans AS
// <question>, Polars a lazy query collected into a DataFrame. Then, untimed, the check: the
// answer's row count and the sum of each check column. Printed on stdout, one line each:
//   load SECONDS ROWS
//   qN SECONDS ROWS SUM1 [SUM2 ...]
//   qN failed MESSAGE
// A failed question does not stop the others. Both peers use their default threads (one per core).
'use strict';

const fs = require('fs');
const path = require('path');
const peers = require(path.join(__dirname, '..', 'tests', 'peers', 'peers.js'));

function sqlString(s) {
  return "'" + s.replace(/'/g, "''") + "'";
}

// The questions file: name -> { check: [columns], sql }.
function readQuestions(file) {
  const questions = new Map();
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (line === '' || line.startsWith('#')) {
      continue;
    }
    const fields = line.split('\t');
    if (fields.length !== 4) {
      throw new Error(`${file}: a question line needs 4 tab-separated fields: '${line}'`);
    }
    questions.set(fields[0], { check: fields[2].split(','), sql: fields[3] });
  }
  return questions;
}

function seconds(start) {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

// Every number the check prints, as text that keeps a double's digits.
function numberText(v) {
  return v === null || v === undefined ? 'null' : String(Number(v));
}

async function duckdb(source, file, questions, names) {
  // The database opens on the first query: opened here, untimed, so that neither the load nor
  // the first question pays for it.
  await peers.duckdbQuery('SELECT 1');
  let from;
  if (source === 'csv') {
    const start = process.hrtime.bigint();
    await peers.duckdbQuery(`CREATE TABLE x AS SELECT * FROM read_csv(${sqlString(file)})`);
    const took = seconds(start);
    const rows = await peers.duckdbQuery('SELECT count(*) AS n FROM x');
    console.log(`load ${took.toFixed(6)} ${rows[0].n}`);
    from = 'FROM x';
  } else {
    from = `FROM read_parquet(${sqlString(file)})`;
  }
  for (const name of names) {
    const q = questions.get(name);
    try {
      const sql = q.sql.replace(/\bFROM x\b/g, from);
      const start = process.hrtime.bigint();
      await peers.duckdbQuery(`CREATE OR REPLACE TABLE ans AS ${sql}`);
      const took = seconds(start);
      const sums = q.check.map((c) => `sum(${c})::DOUBLE AS "${c}"`).join(', ');
      const chk = await peers.duckdbQuery(`SELECT count(*) AS n, ${sums} FROM ans`);
      const row = chk[0];
      console.log(`${name} ${took.toFixed(6)} ${row.n} ${q.check.map((c) => numberText(row[c])).join(' ')}`);
      await peers.duckdbQuery('DROP TABLE ans');
    } catch (err) {
      console.log(`${name} failed ${String(err.message).split('\n')[0]}`);
    }
  }
}

// Each question as Polars spells it, on a LazyFrame x, after db-benchmark's Polars script.
function polarsQuestions(pl) {
  return {
    q1: (x) => x.groupBy('id1').agg(pl.col('v1').sum().alias('v1')),
    q2: (x) => x.groupBy(['id1', 'id2']).agg(pl.col('v1').sum().alias('v1')),
    q3: (x) => x.groupBy('id3').agg(pl.col('v1').sum().alias('v1'), pl.col('v3').mean().alias('v3')),
    q4: (x) =>
      x.groupBy('id4').agg(pl.col('v1').mean().alias('v1'), pl.col('v2').mean().alias('v2'),
        pl.col('v3').mean().alias('v3')),
    q5: (x) =>
      x.groupBy('id6').agg(pl.col('v1').sum().alias('v1'), pl.col('v2').sum().alias('v2'),
        pl.col('v3').sum().alias('v3')),
    q6: (x) =>
      x.groupBy(['id4', 'id5']).agg(pl.col('v3').median().alias('median_v3'),
        pl.col('v3').std().alias('sd_v3')),
    q7: (x) => x.groupBy('id3').agg(pl.col('v1').max().minus(pl.col('v2').min()).alias('range_v1_v2')),
    // nodejs-polars 0.25 has no topK: the two largest are the head of the values sorted down.
    q8: (x) =>
      x.dropNulls('v3').groupBy('id6')
        .agg(pl.col('v3').sort({ descending: true }).head(2).alias('largest2_v3'))
        .explode('largest2_v3'),
    q9: (x) => x.groupBy(['id2', 'id4']).agg(pl.pearsonCorr('v1', 'v2').pow(2).alias('r2')),
    q10: (x) =>
      x.groupBy(['id1', 'id2', 'id3', 'id4', 'id5', 'id6'])
        .agg(pl.col('v3').sum().alias('v3'), pl.len().alias('count')),
  };
}

function polars(source, file, questions, names) {
  const pl = peers.polars;
  const code = polarsQuestions(pl);
  let table;
  if (source === 'csv') {
    const start = process.hrtime.bigint();
    const df = pl.readCSV(file, {
      dtypes: { id4: pl.Int32, id5: pl.Int32, id6: pl.Int32, v1: pl.Int32, v2: pl.Int32, v3: pl.Float64 },
    }).withColumns(
      pl.col('id1').cast(pl.Categorical), pl.col('id2').cast(pl.Categorical),
      pl.col('id3').cast(pl.Categorical));
    const took = seconds(start);
    console.log(`load ${took.toFixed(6)} ${df.height}`);
    table = () => df.lazy();
  } else {
    table = () => pl.scanParquet(file);
  }
  for (const name of names) {
    const q = questions.get(name);
    try {
      if (!code[name]) {
        throw new Error(`no Polars code for ${name}`);
      }
      const start = process.hrtime.bigint();
      const ans = code[name](table()).collectSync();
      const took = seconds(start);
      const sums = ans.select(...q.check.map((c) => pl.col(c).cast(pl.Float64).sum().alias(c)));
      const values = q.check.map((c) => numberText(sums.getColumn(c).get(0)));
      console.log(`${name} ${took.toFixed(6)} ${ans.height} ${values.join(' ')}`);
    } catch (err) {
      console.log(`${name} failed ${String(err.message).split('\n')[0]}`);
    }
  }
}

async function main() {
  const [tool, source, file, questionsFile, ...names] = process.argv.slice(2);
  if (!['duckdb', 'polars'].includes(tool) || !['csv', 'parquet'].includes(source) ||
      !questionsFile || names.length === 0) {
    throw new Error('usage: node bench/groupby_peer.js duckdb|polars csv|parquet FILE QUESTIONS q1 ...');
  }
  const questions = readQuestions(questionsFile);
  for (const name of names) {
    if (!questions.has(name)) {
      throw new Error(`${questionsFile} has no question '${name}'`);
    }
  }
  if (tool === 'duckdb') {
    await duckdb(source, file, questions, names);
    await peers.duckdbClose();
  } else {
    polars(source, file, questions, names);
  }
}

main().catch((err) => {
  console.error(`bench/groupby_peer.js: ${err.message}`);
  process.exit(1);
});
