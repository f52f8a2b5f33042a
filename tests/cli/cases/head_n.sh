# head -n N, -nN, --rows N, --rows=N; -n 0 prints the header only
sbd head -n 2 data/people.csv
sbd head -n1 data/people.jsonl
sbd head --rows 1 data/parts/part-3.csv
sbd head --rows=3 'data/parts/*.csv'
sbd head -n 0 data/people.csv
