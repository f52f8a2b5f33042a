# count of a CSV file
sbd count data/people.csv
