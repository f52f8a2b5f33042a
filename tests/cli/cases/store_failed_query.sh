# a feature query that fails mid-run leaves the previous version the latest and no folder behind
sbd init --example repo > /dev/null && cd repo
sbd calculate customer > /dev/null
sbd get customer > before.csv
cat >> sbd.yaml <<'YAML'
  broken:
    features:
      - sql: SELECT id, CAST(city AS BIGINT) AS bad FROM customers
YAML
sed -i 's/SELECT id, gender, age, city, signup_date FROM customers/SELECT id, gender, age, city, signup_date, CAST(CASE WHEN id < 900 THEN CAST(age AS VARCHAR) ELSE city END AS BIGINT) AS boom FROM customers/' sbd.yaml
sbd calculate customer
echo "exit $?"
ls -A store/customer
sbd versions customer | cut -d, -f1,3
sbd get customer > after.csv
cmp before.csv after.csv && echo "previous version intact"
sbd describe customer | grep -c 'failed'
sbd calculate broken
echo "exit $?"
ls -A store/broken
