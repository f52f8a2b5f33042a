# schema of a JSON Lines file on a pipe
sbd schema data/people.jsonl
