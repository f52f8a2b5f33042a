# convert standard input
sbd convert --format csv - out.jsonl <data/parts/part-1.csv
cat out.jsonl
