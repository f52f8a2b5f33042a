# --on-error takes fail or skip; --rejects needs --on-error skip
sbd count --on-error ignore data/people.csv
echo "exit $?"
sbd count --rejects r.csv data/people.csv
