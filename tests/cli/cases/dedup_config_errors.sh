# configuration errors name the file and the line: unknown keys (with the closest), missing columns, unknown normalizers and survivorships, SQL normalizers (not first, naming no column, empty), YAML syntax, a key given twice, a missing file
cp data/dedup/accounts.csv .
try() {
  printf '%s\n' "$1" > c.yaml
  sbd dedup c.yaml
  echo "exit $?"
}
base='inputs: accounts.csv
id: record_id
output: {golden: g.csv, mapping: m.csv}'
try "$base
rulez:
  - key: email"
try "$base
rules:
  - key: [emial, phone]"
try "$base
rules:
  - key: email
normalize:
  email: [trim, lowercse]"
try "$base
rules:
  - key: email
normalize:
  email: [trim, soundex]"
try "$base
rules:
  - key: email
normalize:
  email: [trim, {sql: \"lower(email)\"}]"
try "$base
rules:
  - key: email
normalize:
  email: [{sql: \"lower(emial)\"}]"
try "$base
rules:
  - key: email
normalize:
  email: [{sql: \"\"}]"
try "$base
rules:
  - key: email
normalize:
  phone: [{phone: {contry: 1}}]"
try "$base
rules:
  - key: email
fields:
  spend: average"
try "$base
rules:
  - key: email
fields:
  name: sum"
try "$base
rules:
  - key: email
fuzzy:
  - {block: zip, field: name, method: jaro, threshold: 0.9}"
try "$base
rules:
  - key: email
fuzzy:
  - {block: zip, field: name, method: levenshtein, threshold: 0.9}"
try "$base
rules: [ {key: email"
try "$base"
try "inputs: accounts.csv
rules: [{key: email}]"
try "inputs: accounts.csv
id: recordid
output: {golden: g.csv, mapping: m.csv}
rules: [{key: email}]"
try "$base
rules: [{key: email}]
id: email"
try "$base
max_cluster: 1
rules: [{key: email}]"
sbd dedup missing.yaml
echo "exit $?"
sbd dedup
echo "exit $?"
