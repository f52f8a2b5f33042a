# --schema with an unknown type, and a value its type cannot read
sbd schema --schema 'id:NUMBER' data/people.csv
echo "exit $?"
sbd count --schema 'name:INT64' data/people.csv
