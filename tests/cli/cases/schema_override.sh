# --schema fixes the types of the columns it names; the others are inferred
sbd schema --schema 'id:STRING,age:DOUBLE' data/people.csv
sbd head -n 2 --schema 'id:STRING,age:DOUBLE' data/people.csv
