# empty inputs
sbd count data/empty.csv
echo "exit $?"
sbd schema data/empty.csv
echo "exit $?"
sbd head data/empty.csv
echo "exit $?"
sbd count data/empty.jsonl
echo "exit $?"
sbd convert data/empty.jsonl out.csv
echo "exit $?"
ls -A
