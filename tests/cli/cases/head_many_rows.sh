# head -n larger than a batch (65536 rows) prints exactly N rows
seq 1 200000 | sed 's/^/v/' | { echo n; cat; } >big.csv
sbd head -n 70000 big.csv | tail -n 2
sbd head -n 70000 big.csv | wc -l
