# sbd query: a script of CREATE TABLE, queries over the in-memory table and files, DROP TABLE; -f FILE and -f - (stdin); -o with one query
sbd query "CREATE TABLE p AS SELECT * FROM 'data/people.csv'; SELECT member, count(*) AS n FROM p GROUP BY member ORDER BY member; SELECT max(age) AS oldest FROM p WHERE member; DROP TABLE p"
cat > script.sql <<'SQL'
-- the same table read twice in one query, and a table made of another
CREATE OR REPLACE TEMP TABLE p AS SELECT id, name, age FROM read_csv('data/people.csv');
CREATE TABLE adults AS SELECT * FROM p WHERE age >= 30;;
SELECT a.name, b.name AS other FROM adults a JOIN p b ON a.id = b.id + 1 ORDER BY a.name;
CREATE OR REPLACE TABLE p AS SELECT count(*) AS n FROM p;
SELECT n FROM p;
SQL
sbd query -f script.sql --format jsonl
echo "CREATE TABLE t AS SELECT 1 AS a; SELECT a + 1 AS b FROM t" | sbd query -f -
sbd query "CREATE TABLE t AS SELECT 41 AS a; SELECT a + 1 AS b FROM t" -o out.csv && cat out.csv
sbd query "CREATE TABLE d AS SELECT 1 AS a, 2 AS A, 3 AS a_1, 4 AS a; SELECT * FROM d; SELECT a_2 FROM d"
# in a feature repository, a script's tables sit beside its sources
sbd init --example repo >/dev/null && cd repo && sbd query "CREATE TABLE c AS SELECT id, age FROM customers WHERE age >= 30; SELECT count(*) > 0 AS some, min(age) >= 30 AS ok FROM c; DROP TABLE c"
