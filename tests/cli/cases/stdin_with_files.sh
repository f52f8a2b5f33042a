# standard input cannot be combined with other inputs: it would be consumed while the schema of
# the files is inferred
printf 'a,b\n1,2\n' | sbd count data/people.csv -
echo "exit $?"
