# --columns reads only the named Parquet columns, in the order given
sbd head --columns name,id data/people.parquet
sbd schema --columns 'last_seen, age' data/people.parquet
sbd convert data/people.parquet --columns joined out.jsonl && cat out.jsonl
sbd count --columns id data/people.parquet
sbd head --columns nme data/people.parquet
echo "exit $?"
sbd head --columns id,id data/people.parquet
echo "exit $?"
sbd head --columns id data/people.csv
echo "exit $?"
sbd head --columns id --format jsonl - <data/people.jsonl
echo "exit $?"
sbd head --delim , data/people.parquet
echo "exit $?"
