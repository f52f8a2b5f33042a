# OUTPUT - writes to stdout, in the --output-format given
sbd convert data/parts/part-1.csv --output-format jsonl -
sbd convert --output-format=csv data/parts/part-2.csv -
