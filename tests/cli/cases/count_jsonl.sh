# count of a JSON Lines file
sbd count data/people.jsonl
