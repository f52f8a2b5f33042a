# sbd dedup on a small file: e-mails and phones normalized, placeholders that never link, a chain (a1-a3 by phone, a3-a4 by e-mail), a fuzzy name, survivorship per field
cp data/dedup/accounts.csv data/dedup/dedup.yaml .
sbd dedup dedup.yaml
echo "exit $?"
cat golden.csv mapping.csv summary.json
sbd dedup dedup.yaml --json --threads 1
ls
