# malformed records go to the rejects file (with their line and reason) and are counted; an id that appears twice is an error
cp data/dedup/dedup.yaml .
(cat data/dedup/accounts.csv; echo 'x1,crm,2024-01-01 00:00:00,Bad Row'; echo 'x2,crm,2024-01-01 00:00:00,"unterminated,a@b.c,,1,1') > accounts.csv
printf 'output:\n  golden: golden.csv\n  mapping: mapping.csv\n  rejects: rejects.csv\n' > out.yaml
sed '/^output:/,$d' dedup.yaml > head.yaml
cat head.yaml out.yaml > dedup.yaml
sbd dedup dedup.yaml
echo "exit $?"
cat rejects.csv
wc -l < mapping.csv
(cat data/dedup/accounts.csv; tail -1 data/dedup/accounts.csv) > accounts.csv
sbd dedup dedup.yaml
echo "exit $?"
