# head -n cuts a batch: nulls and empty strings keep their kind, in CSV and in the table
printf 'id,s\n1,""\n2,\n3,x\n4,""\n' >e.csv
sbd head -n 3 e.csv
COLUMNS=80 sbd head --table -n 3 e.csv
