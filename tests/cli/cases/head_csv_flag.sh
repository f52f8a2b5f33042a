# --csv forces CSV; the last of --table and --csv wins
sbd head --csv -n 1 data/people.csv
sbd head --csv --table -n 1 data/parts/part-1.csv
