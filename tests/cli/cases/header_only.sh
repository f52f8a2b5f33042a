# a CSV with a header and no rows
printf 'a,b\n' >h.csv
sbd count h.csv
sbd schema h.csv
sbd head h.csv
sbd convert h.csv h.jsonl && wc -c <h.jsonl
