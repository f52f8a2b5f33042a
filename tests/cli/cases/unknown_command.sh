# an unknown command suggests the closest one, with the hint line, exit 2
sbd conver data/people.csv out.jsonl
