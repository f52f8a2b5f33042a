# a failed convert leaves an existing output untouched and no temporary file
echo "previous contents" >out.csv
sbd convert data/ragged.csv out.csv
echo "exit $?"
cat out.csv
ls -A
