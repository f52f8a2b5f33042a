// One benchmark task of a peer, run as its own process so that bench/scan and bench/parquet can
// time it and read its peak memory with /usr/bin/time:
//
//   node bench/peer.js TOOL TASK IN [OUT [CODEC]]
//
//   duckdb count   IN.csv        SELECT count(*) FROM read_csv(IN)
//   duckdb load    IN.csv        CREATE TABLE t AS SELECT * FROM read_csv(IN)  (every value typed)
//   duckdb convert IN.csv OUT    COPY (SELECT * FROM read_csv(IN)) TO OUT
//   duckdb count   IN.jsonl      SELECT count(*) FROM read_json(IN, format = 'newline_delimited')
//   duckdb load    IN.jsonl      CREATE TABLE t AS SELECT * FROM read_json(IN, ...)
//   duckdb convert IN.csv OUT.parquet CODEC
//                                COPY (SELECT * FROM read_csv(IN)) TO OUT
//                                (FORMAT parquet, COMPRESSION CODEC)
//   duckdb count   IN.parquet    SELECT count(*) FROM read_parquet(IN)  (from the footers)
//   duckdb load    IN.parquet    CREATE TABLE t AS SELECT * FROM read_parquet(IN)  (every value)
//   duckdb convert IN.parquet OUT.csv   COPY (SELECT * FROM read_parquet(IN)) TO OUT
//   polars count   IN.csv        pl.readCSV(IN).height
//   polars convert IN.csv OUT.parquet CODEC   pl.readCSV(IN).writeParquet(OUT, { compression })
//   polars count   IN.parquet    pl.scanParquet(IN).select(pl.len()) (from the footers)
//   polars load    IN.parquet    pl.readParquet(IN).height  (every value)
//   polars convert IN.parquet OUT.csv   pl.readParquet(IN).writeCSV(OUT)
//   polars convert IN.csv OUT    pl.readCSV(IN).writeCSV(OUT)
//   polars count   IN.jsonl      pl.scanJson(IN).collectSync().height (see polarsRead)
//   duckdb|polars  noop          loads the library and does nothing: the fixed cost of the above
//
// Each prints the row count it saw (count, load) so that bench/scan can check it. Both peers run
// with their default number of threads, one per core.
'use strict';

const path = require('path');
const peers = require(path.join(__dirname, '..', 'tests', 'peers', 'peers.js'));

function sqlString(s) {
  return "'" + s.replace(/'/g, "''") + "'";
}

function duckdbReader(file) {
  if (file.endsWith('.parquet')) {
    return `read_parquet(${sqlString(file)})`;
  }
  if (file.endsWith('.jsonl')) {
    return `read_json(${sqlString(file)}, format = 'newline_delimited')`;
  }
  return `read_csv(${sqlString(file)})`;
}

// The COPY options for OUT: Parquet with the codec asked for, or DuckDB's default (CSV).
function duckdbCopyOptions(output, codec) {
  if (!output.endsWith('.parquet')) {
    return '';
  }
  if (!/^[a-z0-9_]+$/.test(codec || '')) {
    throw new Error(`duckdb: a Parquet output needs a codec, not '${codec}'`);
  }
  return ` (FORMAT parquet, COMPRESSION ${codec})`;
}

async function duckdb(task, input, output, codec) {
  switch (task) {
    case 'noop':
      await peers.duckdbQuery('SELECT 1');
      return;
    case 'count': {
      const rows = await peers.duckdbQuery(`SELECT count(*) AS n FROM ${duckdbReader(input)}`);
      console.log(String(rows[0].n));
      return;
    }
    case 'load': {
      await peers.duckdbQuery(`CREATE TABLE t AS SELECT * FROM ${duckdbReader(input)}`);
      const rows = await peers.duckdbQuery('SELECT count(*) AS n FROM t');
      console.log(String(rows[0].n));
      return;
    }
    case 'convert':
      await peers.duckdbQuery(`COPY (SELECT * FROM ${duckdbReader(input)}) TO ${sqlString(output)}` +
        duckdbCopyOptions(output, codec));
      return;
  }
  throw new Error(`duckdb: unknown task '${task}'`);
}

// nodejs-polars 0.25.2's readJSON(path, { format: 'lines' }) fails with "method is not a
// function" (its binding has no readJsonLines), and readJSON of a Buffer would first hold the
// whole file in memory; scanJson runs Polars' own newline-delimited JSON reader on the path.
function polarsRead(file) {
  const pl = peers.polars;
  if (file.endsWith('.parquet')) {
    return pl.readParquet(file);
  }
  if (file.endsWith('.jsonl')) {
    return pl.scanJson(file).collectSync();
  }
  return pl.readCSV(file);
}

function polars(task, input, output, codec) {
  const pl = peers.polars;
  switch (task) {
    case 'noop':
      return pl.DataFrame({ a: [1] }).height;
    case 'count':
      if (input.endsWith('.parquet')) {
        // A count from the footers, as Polars plans it for a scan that reads no column.
        const df = pl.scanParquet(input).select(pl.len().alias('n')).collectSync();
        console.log(String(df.getColumn('n').get(0)));
        return;
      }
      console.log(String(polarsRead(input).height));
      return;
    case 'load':
      console.log(String(polarsRead(input).height));
      return;
    case 'convert':
      if (output.endsWith('.parquet')) {
        if (!codec) {
          throw new Error('polars: a Parquet output needs a codec');
        }
        polarsRead(input).writeParquet(output, { compression: codec });
        return;
      }
      polarsRead(input).writeCSV(output);
      return;
  }
  throw new Error(`polars: unknown task '${task}'`);
}

async function main() {
  const [tool, task, input, output, codec] = process.argv.slice(2);
  if (tool === 'duckdb') {
    await duckdb(task, input, output, codec);
    await peers.duckdbClose();
  } else if (tool === 'polars') {
    polars(task, input, output, codec);
  } else {
    throw new Error('usage: node bench/peer.js duckdb|polars TASK IN [OUT [CODEC]]');
  }
}

main().catch((err) => {
  console.error(`bench/peer.js: ${err.message}`);
  process.exit(1);
});
