# files read together must have the same columns
sbd count data/people.csv data/parts/part-1.csv
