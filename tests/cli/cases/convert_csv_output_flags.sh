# --output-delim and --no-output-header shape the CSV output
sbd convert data/people.csv out.csv --output-delim ';' --no-output-header
cat out.csv
sbd convert data/people.parquet --output-format csv --output-delim tab -
sbd convert data/people.csv out.tsv
head -n 2 out.tsv
