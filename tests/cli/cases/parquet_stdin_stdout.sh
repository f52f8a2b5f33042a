# Parquet cannot be read from standard input (it needs a seekable file); it can be written to a pipe
sbd head --format parquet - <data/people.parquet
echo "exit $?"
cat data/people.parquet | sbd schema --format parquet -
echo "exit $?"
sbd convert data/people.csv --output-format parquet - | cat >piped.parquet
sbd head -n 1 piped.parquet
