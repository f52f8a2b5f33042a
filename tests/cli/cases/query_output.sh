# sbd query -o FILE writes atomically: a failed query leaves an existing FILE as it was
sbd query -o out.parquet "SELECT id, upper(name) AS name FROM 'data/people.csv' WHERE id <= 2"
echo "exit $?"
sbd head out.parquet
sbd query -o out.parquet "SELECT CAST(name AS BIGINT) FROM 'data/people.csv'"
echo "exit $?"
sbd count out.parquet
ls -A
