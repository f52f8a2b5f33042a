# a ragged row: exit 1 with file:line; no output file is left behind
sbd convert data/ragged.csv out.jsonl
echo "exit $?"
ls -A
sbd count data/ragged.csv
