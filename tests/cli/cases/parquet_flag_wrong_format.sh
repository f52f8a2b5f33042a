# a Parquet writing flag with a CSV or JSON Lines output, or a CSV one with Parquet, is a usage error found before reading
sbd convert data/types.csv out.csv --compression zstd
echo "exit $?"
sbd convert data/types.csv out.jsonl --row-group-size 10
echo "exit $?"
sbd convert data/types.csv --output-format csv - --data-page v2
echo "exit $?"
sbd convert data/types.csv out.parquet --output-delim ';'
echo "exit $?"
sbd convert data/types.csv out.jsonl --no-output-header
echo "exit $?"
sbd head data/types.csv --compression zstd
echo "exit $?"
ls
