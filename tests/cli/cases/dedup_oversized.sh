# a cluster above max_cluster is reported and not merged: its records stay entities of their own
cp data/dedup/accounts.csv .
sed 's/^placeholders:.*/max_cluster: 3/' data/dedup/dedup.yaml > dedup.yaml
sbd dedup dedup.yaml
cat mapping.csv
grep -o '"oversized":\[[^]]*\]' summary.json
