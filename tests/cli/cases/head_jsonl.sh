# head of JSON Lines on a pipe is CSV, so head x.jsonl > y.csv works
sbd head data/people.jsonl >y.csv
cat y.csv
