# a narrow terminal: columns that do not fit are left out and counted
COLUMNS=40 sbd head --table data/people.csv
echo ---
COLUMNS=5 sbd head --table -n 1 data/people.csv
