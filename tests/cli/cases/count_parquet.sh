# count of Parquet files comes from their footers: a file whose pages are corrupt still counts
sbd count data/people.parquet
sbd count data/people.parquet data/people.parquet
sbd convert data/types.csv t.parquet
# Overwrite every byte between the leading magic and the footer: the pages are garbage now.
size=$(stat -c %s t.parquet)
footer=$(sbd meta --json t.parquet | sed -n 's/^  "footer_size": \([0-9]*\),$/\1/p')
head -c 4 t.parquet >bad.parquet
head -c $((size - footer - 12)) /dev/zero | tr '\0' '\377' >>bad.parquet
tail -c $((footer + 8)) t.parquet >>bad.parquet
cmp -s t.parquet bad.parquet || echo corrupted
sbd count bad.parquet
sbd head bad.parquet
echo "exit $?"
sbd count --format parquet - <t.parquet
echo "exit $?"
