# the table of a JSON Lines file matches that of the same CSV data
COLUMNS=120 sbd head --table data/people.jsonl
