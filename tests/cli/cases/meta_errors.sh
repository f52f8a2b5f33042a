# meta reads one Parquet file; other input is a clear error naming the file
sbd meta data/people.csv
echo "exit $?"
sbd meta
echo "exit $?"
sbd meta data/people.parquet data/people.parquet
echo "exit $?"
sbd meta missing.parquet
echo "exit $?"
sbd meta - <data/people.parquet
echo "exit $?"
sbd meta data/parts
echo "exit $?"
sbd meta --columns id data/people.parquet
echo "exit $?"
