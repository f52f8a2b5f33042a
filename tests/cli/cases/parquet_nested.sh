# a file with a LIST column: meta shows its tree, count reads the footer, head refuses the column unless projected away
cp "$DATA/../../interop/data/nested_lists.snappy.parquet" n.parquet
sbd meta n.parquet
sbd count n.parquet
sbd head n.parquet
echo "exit $?"
sbd head --columns b n.parquet
