// The test and benchmark peers, shared by tests/interop and bench/: DuckDB and Polars, at the
// versions pinned by package-lock.json next to this file (install them with scripts/deps).
//
//   const { duckdbQuery, duckdbQueryJson, polars } = require('../peers/peers.js');
//   const rows = await duckdbQuery("SELECT count(*) AS n FROM read_csv('x.csv')");  // [{ n: 10n }]
//   const df = polars.readCSV('x.csv');
//
// duckdbQuery(sql) returns the rows of the last statement in sql as an array of plain objects
// keyed by column name, with values converted to plain JS:
//   BIGINT, UBIGINT, HUGEINT  -> BigInt (kept exact; compare with 10n, or Number(x) when small)
//   TINYINT..INTEGER, DOUBLE, FLOAT, DECIMAL -> Number (NaN and +-Infinity kept)
//   VARCHAR -> string, BOOLEAN -> boolean, NULL -> null, LIST -> array, STRUCT -> object
//   DATE, TIMESTAMP -> Date (UTC; note a JS Date keeps milliseconds, not microseconds)
// duckdbQueryJson(sql) returns the same rows with JSON-safe values instead, exact for every
// type: BIGINT as a decimal string, DATE as 'YYYY-MM-DD', TIMESTAMP as
// 'YYYY-MM-DD HH:MM:SS.ffffff', NaN as 'NaN'. Use it to compare timestamps to the microsecond.
//
// All queries run on one in-memory database, opened on first use, with DuckDB's default
// threads (one per core); tables created by one call are seen by the next. Each library is
// loaded on first use, so a benchmark of one peer does not pay for loading the other.
'use strict';

let instance = null;
let connection = null; // a promise, so that queries started together share one database

function duckdbConnection() {
  if (connection === null) {
    const { DuckDBInstance } = require('@duckdb/node-api');
    connection = DuckDBInstance.create(':memory:').then((created) => {
      instance = created;
      return created.connect();
    });
  }
  return connection;
}

async function duckdbQuery(sql) {
  const con = await duckdbConnection();
  const reader = await con.runAndReadAll(sql);
  return reader.getRowObjectsJS();
}

async function duckdbQueryJson(sql) {
  const con = await duckdbConnection();
  const reader = await con.runAndReadAll(sql);
  return reader.getRowObjectsJson();
}

// Closes the shared database (await it), so that a script can end without waiting for the
// garbage collector; the next query opens a fresh one.
async function duckdbClose() {
  if (connection !== null) {
    const con = await connection;
    con.closeSync();
    instance.closeSync();
    connection = null;
    instance = null;
  }
}

module.exports = {
  duckdbQuery,
  duckdbQueryJson,
  duckdbClose,
  get polars() {
    return require('nodejs-polars');
  },
};
