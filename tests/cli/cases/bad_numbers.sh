# -n and --threads take whole numbers; the library checks the range of --threads
sbd head -n -1 data/people.csv
echo "exit $?"
sbd head -n ten data/people.csv
echo "exit $?"
sbd count --threads many data/people.csv
echo "exit $?"
sbd count --threads 5000 data/people.csv
