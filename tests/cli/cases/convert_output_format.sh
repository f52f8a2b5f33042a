# the output format must be known before anything is read
sbd convert data/people.csv -
echo "exit $?"
sbd convert data/people.csv out.xyz
echo "exit $?"
sbd convert data/people.csv --output-format xml out.data
echo "exit $?"
sbd convert data/people.csv --output-format jsonl out.data && head -n 1 out.data
ls
