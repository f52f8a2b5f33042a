# --on-error skip: bad records are left out, written to OUTPUT.rejects, counted on stderr
sbd convert --on-error skip --schema 'id:INT64' data/mixed.csv out.csv
echo "exit $?"
cat out.csv
echo ---
cat out.csv.rejects
