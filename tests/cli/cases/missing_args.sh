# each command says what it needs when its files are missing
sbd schema
echo "exit $?"
sbd head -n 3
echo "exit $?"
sbd count
echo "exit $?"
sbd convert data/people.csv
