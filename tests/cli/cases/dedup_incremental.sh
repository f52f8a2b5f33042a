# sbd dedup --state: a second run links new records to known entities, ids stay, and a record joining two known entities merges them under the older id (recorded in merges.csv)
cp data/dedup/dedup.yaml .
cp data/dedup/part1.csv accounts.csv
sbd dedup dedup.yaml --state state
cat mapping.csv
cp data/dedup/part2.csv accounts.csv
sbd dedup dedup.yaml --state state
cat mapping.csv golden.csv state/merges.csv
# a third run with nothing new keeps everything
head -1 data/dedup/part2.csv > accounts.csv
sbd dedup dedup.yaml --state state
cat mapping.csv state/merges.csv
# a state made for other columns is refused
printf 'record_id,email\nz1,z@z.org\n' > accounts.csv
sed -e 's/^source.*//' -e 's/^timestamp.*//' -e 's/^source_priority.*//' -e '/^  phone:/d' -e '/^  name:/d' -e '/^  spend:/d' -e '/^  updated_at:/d' -e '/^fuzzy:/,/threshold/d' -e '/^  - name: phone/,+1d' dedup.yaml > small.yaml
sbd dedup small.yaml --state state
echo "exit $?"
