// bench/dedup_duckdb.js ACCOUNTS.csv MAPPING.csv: the exact-key clustering of bench/dedup in
// DuckDB SQL (pinned @duckdb/node-api from tests/peers): the same e-mail and phone normalizers
// as sbd's (SQL macros), the same placeholders, then label propagation iterated to convergence
// (each record takes the smallest label of the records that share one of its keys, until no
// label changes), and the mapping record_id,entity_id written with COPY. Prints the number of
// iterations on stdout.
'use strict';
const path = require('path');
const { duckdbQuery, duckdbClose } = require(path.join(__dirname, '..', 'tests', 'peers', 'peers.js'));

function quote(s) {
  return "'" + s.replace(/'/g, "''") + "'";
}

async function main() {
  const [input, output] = process.argv.slice(2);
  if (!input || !output) {
    console.error('usage: node bench/dedup_duckdb.js ACCOUNTS.csv MAPPING.csv');
    process.exit(2);
  }
  // email: trim, lowercase, drop a +tag of the local part, drop the dots of gmail local parts.
  await duckdbQuery(`
    CREATE MACRO mt_local(e) AS regexp_replace(substr(e, 1, position('@' IN e) - 1), '^(.+?)\\+.*$', '\\1');
    CREATE MACRO mt_domain(e) AS substr(e, position('@' IN e) + 1);
    CREATE MACRO mt_email0(e) AS CASE
      WHEN position('@' IN e) = 0 THEN e
      WHEN mt_domain(e) IN ('gmail.com', 'googlemail.com') THEN replace(mt_local(e), '.', '') || '@gmail.com'
      ELSE mt_local(e) || '@' || mt_domain(e) END;
    CREATE MACRO norm_email(x) AS nullif(mt_email0(lower(trim(x))), '');
    CREATE MACRO mt_digits(x) AS regexp_replace(x, '[^0-9]', '', 'g');
    CREATE MACRO norm_phone(x) AS CASE
      WHEN x IS NULL OR mt_digits(x) = '' THEN NULL
      WHEN regexp_matches(x, '^[^0-9]*\\+') THEN '+' || mt_digits(x)
      WHEN length(mt_digits(x)) > 2 AND starts_with(mt_digits(x), '00') THEN '+' || substr(mt_digits(x), 3)
      WHEN length(mt_digits(x)) > 10 AND starts_with(mt_digits(x), '1') THEN '+' || mt_digits(x)
      WHEN starts_with(mt_digits(x), '0') THEN '+1' || substr(mt_digits(x), 2)
      ELSE '+1' || mt_digits(x) END;
    CREATE TABLE placeholders AS SELECT * FROM (VALUES ('n/a'), ('test@test.com'), ('none@none.com'), ('0000000000')) t(p);
  `);
  await duckdbQuery(`
    CREATE TABLE lab_a AS
    SELECT row_number() OVER () AS lbl, record_id,
           CASE WHEN ek IN (SELECT norm_email(p) FROM placeholders) THEN NULL ELSE ek END AS ek,
           CASE WHEN pk IN (SELECT norm_phone(p) FROM placeholders) THEN NULL ELSE pk END AS pk
    FROM (SELECT record_id, norm_email(email) AS ek, norm_phone(phone) AS pk
          FROM read_csv(${quote(input)}, header = true, all_varchar = true));
  `);
  let iterations = 0;
  let from = 'lab_a', to = 'lab_b';
  for (;;) {
    iterations++;
    await duckdbQuery(`
      CREATE OR REPLACE TABLE ${to} AS
      SELECT record_id, ek, pk, lbl AS old,
             least(lbl,
                   CASE WHEN ek IS NULL THEN lbl ELSE min(lbl) OVER (PARTITION BY ek) END,
                   CASE WHEN pk IS NULL THEN lbl ELSE min(lbl) OVER (PARTITION BY pk) END) AS lbl
      FROM ${from};`);
    const rows = await duckdbQuery(`SELECT count(*) AS changed FROM ${to} WHERE lbl <> old`);
    [from, to] = [to, from];
    if (rows[0].changed === 0n)
      break;
  }
  await duckdbQuery(`COPY (SELECT record_id, lbl AS entity_id FROM ${from}) TO ${quote(output)} (HEADER, DELIMITER ',')`);
  await duckdbClose();
  console.log(iterations);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
