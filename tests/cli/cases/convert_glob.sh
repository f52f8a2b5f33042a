# convert a glob of inputs to one output
sbd convert 'data/parts/*.csv' all.jsonl
cat all.jsonl
