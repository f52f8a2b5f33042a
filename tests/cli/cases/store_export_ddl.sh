# sbd export-ddl: the statements for each engine, checked as text; unknown engines and a missing --engine
sbd init --example repo > /dev/null && cd repo
sbd export-ddl --engine athena
sbd calculate --all > /dev/null
for engine in athena trino spark duckdb; do
  sbd export-ddl --engine $engine --location s3://bucket/features/store/ --database fs
done
sbd export-ddl --engine duckdb | grep -c "$PWD/store/customer/version=\*/\*.parquet"
sbd export-ddl --engine postgres
echo "exit $?"
sbd export-ddl
echo "exit $?"
sbd export-ddl --engine spark --database 'a b'
echo "exit $?"
