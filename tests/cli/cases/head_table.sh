# head --table: names, types, a rule; numbers right-aligned; NULL shown as NULL
COLUMNS=120 sbd head --table data/people.csv
