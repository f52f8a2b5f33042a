# a line that is not JSON
sbd count data/invalid.jsonl
echo "exit $?"
sbd convert data/invalid.jsonl out.csv
echo "exit $?"
ls -A
