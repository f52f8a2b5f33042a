# sbd init --example writes a working repository; a second init refuses to replace sbd.yaml
sbd init --example repo
head -3 repo/data/customers.csv
head -2 repo/data/orders.jsonl
wc -l < repo/data/customers.csv
sbd init repo
echo "exit $?"
sbd init empty
sbd plan --repo empty
sbd groups --repo empty
