// bench/featurestore_duckdb.js: the DuckDB side of bench/featurestore, one task per process so
// that it can be timed and its peak memory read with /usr/bin/time:
//
//   node bench/featurestore_duckdb.js calculate CUSTOMERS.csv ORDERS.jsonl OUTDIR
//       the demo's groups as the same SQL (sbd init --example's sbd.yaml): the two queries of
//       customer outer-joined on id, written with COPY to OUTDIR/customer.parquet, then
//       customer_segment from that file to OUTDIR/customer_segment.parquet; prints the row counts
//   node bench/featurestore_duckdb.js get PART.parquet OUT.csv
//       the feature set from a stored version: id, distance, gender WHERE age >= 30,
//       written to OUT.csv as sbd get -o does; prints the row count
//
//   node bench/featurestore_duckdb.js noop
//       loads node and DuckDB and runs SELECT 1: the fixed cost in the rows above
//
// DuckDB runs with its default threads (one per core).
'use strict';

const path = require('path');
const peers = require(path.join(__dirname, '..', 'tests', 'peers', 'peers.js'));

function q(s) {
  return "'" + s.replace(/'/g, "''") + "'";
}

async function main() {
  const [task, ...args] = process.argv.slice(2);
  let sqls;
  if (task === 'calculate') {
    const [customers, orders, out] = args;
    const customer = path.join(out, 'customer.parquet');
    sqls = [
      `COPY (
         WITH q1 AS (SELECT id, gender, age, city, signup_date FROM read_csv(${q(customers)})),
              q2 AS (SELECT customer_id AS id, round(avg(distance), 2) AS distance,
                            count(*) AS n_orders, round(sum(amount), 2) AS total_amount,
                            max(ts) AS last_order
                     FROM read_json(${q(orders)}, format = 'newline_delimited')
                     GROUP BY customer_id)
         SELECT coalesce(q1.id, q2.id) AS id, gender, age, city, signup_date,
                distance, n_orders, total_amount, last_order
         FROM q1 FULL OUTER JOIN q2 ON q1.id = q2.id
       ) TO ${q(customer)} (FORMAT parquet)`,
      `COPY (SELECT id, CASE WHEN total_amount >= 1000 THEN 'high'
                             WHEN total_amount >= 300 THEN 'medium'
                             ELSE 'low' END AS segment
             FROM read_parquet(${q(customer)}))
       TO ${q(path.join(out, 'customer_segment.parquet'))} (FORMAT parquet)`,
      `SELECT (SELECT count(*) FROM read_parquet(${q(customer)})) AS a,
              (SELECT count(*) FROM read_parquet(${q(path.join(out, 'customer_segment.parquet'))})) AS b`,
    ];
  } else if (task === 'get') {
    const [part, out] = args;
    sqls = [
      `COPY (SELECT id, distance, gender FROM read_parquet(${q(part)}) WHERE age >= 30)
       TO ${q(out)} (FORMAT csv, HEADER)`,
      `SELECT count(*) AS a FROM read_csv(${q(out)})`,
    ];
  } else if (task === 'noop') {
    sqls = ['SELECT 1 AS a'];
  } else {
    throw new Error('usage: featurestore_duckdb.js calculate|get ...');
  }
  let last;
  for (const sql of sqls) last = await peers.duckdbQueryJson(sql);
  console.log(Object.values(last[0]).join(' '));
  await peers.duckdbClose();
}

main().catch((e) => {
  console.error(e.message || e);
  process.exit(1);
});
