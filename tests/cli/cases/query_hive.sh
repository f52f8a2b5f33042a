# a folder of key=value/ folders: the keys become columns (INT64, DATE or STRING from their
# values; __HIVE_DEFAULT_PARTITION__ is NULL), after the files' own, in name order; a WHERE on them
# skips whole files (--stats), in CSV and JSON Lines as in Parquet
mkdir -p orders/year=2023/day=2023-12-31 orders/year=2024/day=2024-01-01 \
  orders/year=__HIVE_DEFAULT_PARTITION__/day=2024-01-02 orders/_tmp
printf 'id,amount\n1,10.5\n2,20\n' >orders/year=2023/day=2023-12-31/part-0.csv
printf 'id,amount\n3,30\n' >orders/year=2024/day=2024-01-01/part-0.csv
printf 'id,amount\n4,40\n5,\n' >orders/year=__HIVE_DEFAULT_PARTITION__/day=2024-01-02/part-0.csv
printf 'not,read\n' >orders/_tmp/ignored.csv
sbd query "SELECT * FROM 'orders/' ORDER BY id" --format csv
sbd query "SELECT id, year * 10 AS y10 FROM 'orders' WHERE day = DATE '2024-01-01'" --format csv
sbd query "SELECT id, year FROM 'orders/*/*/*.csv' WHERE year = 2024 OR year IS NULL ORDER BY id" \
  --format csv --stats
sbd query "SELECT day, sum(amount) FROM 'orders' WHERE day >= '2024-01-01' GROUP BY day ORDER BY day" \
  --format csv --stats
sbd query "SELECT count(*) FROM 'orders' WHERE year = 1999" --format csv --stats
# hive_partitioning=false: the folders are only folders
sbd query "SELECT * FROM read_csv('orders', hive_partitioning = false) ORDER BY id" --format csv
# JSON Lines, and a string key whose values are not all numbers
mkdir -p events/src=web events/src=42
printf '{"n": 1}\n' >events/src=web/a.jsonl
printf '{"n": 2}\n' >events/src=42/a.jsonl
sbd query "SELECT n, src FROM 'events' WHERE src = '42'" --format csv --stats
# values are percent-decoded, as writers encode them ('2024-01-01 10%3A00' is 2024-01-01 10:00)
mkdir -p 'enc/at=2024-01-01 10%3A00%3A00' 'enc/at=50%25 off' enc/at=bad%zz
printf 'n\n1\n' >'enc/at=2024-01-01 10%3A00%3A00/f.csv'
printf 'n\n2\n' >'enc/at=50%25 off/f.csv'
printf 'n\n3\n' >enc/at=bad%zz/f.csv
sbd query "SELECT n, at FROM 'enc' WHERE at IN ('2024-01-01 10:00:00', '50% off') ORDER BY n" --format csv --stats
# a partition key replaces the file column of the same name, as in DuckDB
mkdir -p dup/id=7
printf 'id,x\n1,a\n' >dup/id=7/f.csv
sbd query "SELECT * FROM 'dup'" --format csv
# the schema option may type a key; a value that does not read as that type is an error naming
# the file (inferred, the key would be a string)
mkdir -p typed/year=2023 typed/year=20x4
printf 'a\n1\n' >typed/year=2023/f.csv
printf 'a\n2\n' >typed/year=20x4/f.csv
sbd query "SELECT a, year FROM 'typed' ORDER BY a" --format csv
sbd query "SELECT a, year / 2 AS half FROM read_csv('typed/year=2023', schema = 'year:DOUBLE')" --format csv
sbd query "SELECT * FROM read_csv('typed', schema = 'year:INT64')"
echo "exit $?"
# errors: a glob that matches nothing, an empty folder, files whose partition folders differ, a
# bad option value
sbd query "SELECT * FROM 'orders/*/*.parquet'"
echo "exit $?"
mkdir -p nothing/_skip
sbd query "SELECT * FROM 'nothing'"
echo "exit $?"
mkdir -p uneven/a=1 uneven/b=2
printf 'x\n1\n' >uneven/a=1/f.csv
printf 'x\n2\n' >uneven/b=2/f.csv
sbd query "SELECT * FROM 'uneven'"
echo "exit $?"
sbd query "SELECT * FROM read_csv('orders', hive_partitioning = 'maybe')"
echo "exit $?"
