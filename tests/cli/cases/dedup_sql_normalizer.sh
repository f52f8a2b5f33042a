# SQL expressions as normalizers: computed by the engine over the record's columns (other columns too), followed by built-in steps; the normalized values link records, the golden records keep the raw values; a failing expression at run time names the config file
cat > people.csv <<'CSV'
id,first,last,phone,country
p1,Ann,Lee,(555) 123-4567,US
p2,ANN,LEE ,555.123.4567,us
p3,Bob,Stone,+44 20 7946 0958,GB
p4,Rob,Stone,020 7946 0958,gb
p5,Ann,Lee-Smith,,US
CSV
cat > d.yaml <<'YAML'
inputs: people.csv
id: id
normalize:
  # the full name from two columns, letters only, then lowercased by a built-in step
  last: [{sql: "regexp_replace(first || last, '[^A-Za-z]', '', 'g')"}, lowercase]
  # the last ten digits, prefixed by the country (another column)
  phone: [{sql: "upper(country) || ':' || substr(regexp_replace(phone, '[^0-9]', '', 'g'), -9)"}]
rules:
  - {name: name, key: last}
  - {name: phone, key: phone}
output: {golden: golden.csv, mapping: mapping.csv}
YAML
sbd dedup d.yaml
echo "exit $?"
cat mapping.csv golden.csv
# an error in the data of an expression stops the run
sed 's/upper(country)/CAST(country AS INT64)/' d.yaml > bad.yaml
sbd dedup bad.yaml
echo "exit $?"
# two inputs are read as one (a query over both): the same mapping
mkdir two
head -3 people.csv > two/a.csv
(head -1 people.csv; tail -n +4 people.csv) > two/b.csv
sed -e 's/^inputs: people.csv/inputs: [a.csv, b.csv]/' d.yaml > two/d.yaml
sbd dedup two/d.yaml > /dev/null
cmp mapping.csv two/mapping.csv && echo "two inputs, same mapping"
# not with --state yet
sbd dedup d.yaml --state st
echo "exit $?"
# an input that cannot be read is reported as it is, not blamed on an expression
sed 's/^inputs: people.csv/inputs: nothere.csv/' d.yaml > miss.yaml
sbd dedup miss.yaml
echo "exit $?"
