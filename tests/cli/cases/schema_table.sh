# schema forced to a table
sbd schema --table data/people.csv
