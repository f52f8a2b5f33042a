# sbd query in a repository: sources and groups are tables, GROUP@N pins a version; strings and comments are left alone
sbd init --example repo > /dev/null && cd repo
sbd calculate --all > /dev/null
printf '1001,Zoe Quinn,z@example.com,+49 30 1,female,31,Paris,2023-06-01\n' >> data/customers.csv
sbd calculate customer
sbd calculate --all
sbd query "SELECT count(*) AS n FROM customer"
sbd query "SELECT count(*) AS n FROM customer@1"
sbd query "SELECT segment, count(*) AS n FROM customer_segment JOIN customer@2 c USING (id) WHERE c.age >= 30 GROUP BY segment ORDER BY segment"
sbd query "SELECT 'customer@1' AS s, count(*) AS n FROM orders -- customer@1"
sbd query "SELECT * FROM customer@3"
echo "exit $?"
