# - is standard input; its format must be given
sbd count --format csv - <data/people.csv
sbd head --format jsonl -n 1 - <data/people.jsonl
cat data/people.csv | sbd schema --format=csv -
cat data/people.csv | sbd count -
