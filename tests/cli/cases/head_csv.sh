# head on a pipe writes CSV through the CSV writer
sbd head data/people.csv
