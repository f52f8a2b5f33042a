# sbd meta --json prints the same as one JSON object with stable keys (here: its head, and the first column chunk)
sbd meta --json data/people.parquet >m.json
head -n 28 m.json
sed -n '/"row_groups"/,/"key_value_metadata": \[\]/p' m.json
grep -c '"num_values"' m.json
grep -E '^ *"(min|max)":' m.json | head -n 14
tail -n 5 m.json
