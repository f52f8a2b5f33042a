# sbd demo on a tiny shop: data at the sizes asked, apply, calculate, the get (first rows and count); rerun; refusals
sbd demo shop --customers 40 --orders 300
echo "exit $?"
wc -l < shop/data/customers.csv
wc -l < shop/data/orders.jsonl
# The last twentieth of the customers never order.
sbd query "SELECT count(DISTINCT customer_id), max(customer_id) FROM 'shop/data/orders.jsonl'"
# The count the demo printed, computed another way.
sbd query "SELECT count(*) FROM 'shop/data/customers.csv' WHERE age >= 30"
# A rerun regenerates its own repository; the data are the same, so the groups are up to date.
sbd demo shop --customers 40 --orders 300 | grep -A2 'calculate'
# The default folder, at the example's size: the same files as sbd init --example.
sbd demo > /dev/null
sbd init --example ex > /dev/null
cmp demo/shop/data/customers.csv ex/data/customers.csv && cmp demo/shop/data/orders.jsonl ex/data/orders.jsonl && echo same
# An sbd.yaml that is not the demo's is not replaced; sizes are checked.
sbd init mine > /dev/null
sbd demo mine
echo "exit $?"
sbd demo shop --orders -1
echo "exit $?"
sbd demo a b
echo "exit $?"
