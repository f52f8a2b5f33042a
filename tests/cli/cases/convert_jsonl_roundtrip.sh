# jsonl -> csv -> jsonl gives back the same bytes as jsonl -> jsonl
sbd convert data/people.jsonl p.csv
sbd convert p.csv p2.jsonl
sbd convert data/people.jsonl p1.jsonl
cmp p1.jsonl p2.jsonl && echo same
