# a flag of another command is unknown here; a flag before the command too
sbd count -n 3 data/people.csv
echo "exit $?"
sbd --delim , count data/people.csv
