# a flag that needs a value, given none, is a usage error; so is a value for a flag without one
sbd head data/people.csv --delim
echo "exit $?"
sbd head --no-header=yes data/people.csv
echo "exit $?"
sbd head -n
