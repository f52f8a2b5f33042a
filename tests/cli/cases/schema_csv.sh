# schema of a CSV file on a pipe: CSV "column,type"
sbd schema data/people.csv
