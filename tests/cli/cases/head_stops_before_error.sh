# head reads only what it prints: a bad record after the first rows is never reached, while
# count, which reads everything, reports it
sbd head -n 1 data/ragged.csv
echo "exit $?"
sbd head -n 2 data/badtail.jsonl
echo "exit $?"
sbd count data/badtail.jsonl
echo "exit $?"
