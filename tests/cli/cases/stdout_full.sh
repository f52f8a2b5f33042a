# a failed write to stdout (a full disk) is an error, exit 1
sbd count data/people.csv >/dev/full
echo "exit $?"
sbd schema data/people.csv >/dev/full
echo "exit $?"
sbd head --table data/people.csv >/dev/full
echo "exit $?"
sbd head data/people.csv >/dev/full
echo "exit $?"
