# csv -> jsonl -> csv gives back the same bytes as csv -> csv
sbd convert data/people.csv p.jsonl
sbd convert p.jsonl p2.csv
sbd convert data/people.csv p1.csv
cmp p1.csv p2.csv && echo same
cat p.jsonl
cat p2.csv
ls -A
