# a value that its column's type cannot read (the type comes from a sample of 2 rows)
sbd count --sample-rows 2 data/badvalue.csv
echo "exit $?"
sbd convert --sample-rows 2 data/badvalue.csv out.csv
echo "exit $?"
ls -A
