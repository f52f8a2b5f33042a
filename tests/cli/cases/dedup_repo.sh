# the dedup section of a repository's sbd.yaml: run by sbd dedup with no CONFIG inside the repository or with --repo DIR (paths relative to the repository), errors with sbd.yaml's lines (from the store's check of the section's shape and from the dedup keys), dedup: {config: FILE}, a repository without the section, and CONFIG with --repo
mkdir repo
cp data/dedup/accounts.csv repo/
cat > repo/sbd.yaml <<'YAML'
sources:
  accounts: {path: accounts.csv}
dedup:
  inputs: accounts.csv
  id: record_id
  normalize:
    email: [{email: {strip_plus: true, gmail_dots: true}}]
  placeholders: [n/a]
  rules:
    - {name: email, key: emial}
  output: {golden: golden.csv, mapping: mapping.csv}
YAML
cd repo
sbd dedup
echo "exit $?"
sed -i 's/key: emial/key: email/' sbd.yaml
sbd dedup
echo "exit $?"
cat mapping.csv
cd ..
rm repo/mapping.csv
sbd dedup --repo repo > /dev/null
echo "exit $?"
cat repo/golden.csv
# the rest of sbd.yaml is checked as any repository command checks it, and the store accepts the section
sbd apply --repo repo
echo "exit $?"
# the section as a file of its own
cp data/dedup/dedup.yaml repo/
printf 'sources:\n  accounts: {path: accounts.csv}\ndedup: {config: dedup.yaml}\n' > repo/sbd.yaml
sbd dedup --repo repo | head -2
cat repo/summary.json | head -c 40; echo
# the section's shape
printf 'dedup: {config: dedup.yaml, inputs: x.csv}\n' > repo/sbd.yaml
sbd dedup --repo repo
echo "exit $?"
printf 'dedup: [dedup.yaml]\n' > repo/sbd.yaml
sbd dedup --repo repo
echo "exit $?"
printf 'dedup: {config: nothere.yaml}\n' > repo/sbd.yaml
sbd dedup --repo repo
echo "exit $?"
printf 'sources:\n  accounts: {path: accounts.csv}\n' > repo/sbd.yaml
sbd dedup --repo repo
echo "exit $?"
sbd dedup --repo nowhere
echo "exit $?"
sbd dedup repo/dedup.yaml --repo repo
echo "exit $?"
