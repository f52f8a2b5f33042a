# a file that does not exist: exit 1, the message names it
sbd count nope.csv
echo "exit $?"
sbd convert nope.csv out.jsonl
echo "exit $?"
ls
