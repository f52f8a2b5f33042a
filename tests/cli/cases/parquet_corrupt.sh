# a truncated Parquet file, a bad magic, an empty file or a text file named .parquet: exit 1 naming the file
head -c 2000 data/people.parquet >truncated.parquet
sbd head truncated.parquet
echo "exit $?"
sbd count truncated.parquet
echo "exit $?"
sbd meta truncated.parquet
echo "exit $?"
{ printf 'PAR2'; tail -c +5 data/people.parquet; } >magic.parquet
sbd head magic.parquet
echo "exit $?"
: >empty.parquet
sbd schema empty.parquet
echo "exit $?"
cp data/people.csv text.parquet
sbd count text.parquet
echo "exit $?"
head -c 10 data/people.parquet >tiny.parquet
sbd meta tiny.parquet
echo "exit $?"
