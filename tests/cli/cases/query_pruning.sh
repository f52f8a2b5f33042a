# WHERE skips Parquet row groups by their min/max/null-count statistics (--stats counts them); the
# rows of the row groups read are still filtered, so the answers are those of the CSV
awk 'BEGIN { print "id,v,s,d"; for (i = 1; i <= 1000; i++)
  printf "%d,%s,s%04d,2024-%02d-01\n", i, (i % 7 == 0 ? "" : i * 0.5), i, 1 + int((i - 1) / 100) }' >p.csv
sbd convert p.csv p.parquet --row-group-size 100
for w in "id BETWEEN 250 AND 420" "id IN (5, 999)" "id > 950.5" "s >= 's0901'" "v < 10" \
  "v > 490" "d = DATE '2024-03-01'" "d < TIMESTAMP '2024-02-01 00:00:00'" "v IS NULL" \
  "id = 2000 OR id < 0" "NOT id < 900"; do
  echo "WHERE $w"
  sbd query "SELECT count(*), sum(id), min(s), max(s) FROM 'p.parquet' WHERE $w" --format csv --stats 2>&1
  sbd query "SELECT count(*), sum(id), min(s), max(s) FROM 'p.csv' WHERE $w" --format csv
done
# NaN is above every number (NaN > 100 is true) but never in min/max: a DOUBLE row group is
# skipped by > only when its statistics count no NaN (row groups of 2 rows here)
printf 'id,v\n1,1.5\n2,nan\n3,2.5\n4,3\n5,4\n6,inf\n7,-inf\n8,NaN\n' >nan.csv
sbd convert nan.csv nan.parquet --row-group-size 2
for w in "v > 100" "v > 3.5" "v <> 1.5" "v < 2" "v = 'NaN'"; do
  echo "WHERE $w"
  sbd query "SELECT count(*), sum(id) FROM 'nan.parquet' WHERE $w" --format csv --stats 2>&1
  sbd query "SELECT count(*), sum(id) FROM 'nan.csv' WHERE $w" --format csv
done
# several files through a glob: each file's row groups are pruned
head -501 p.csv >p1.csv
(head -1 p.csv; tail -500 p.csv) >p2.csv
sbd convert p1.csv parts-1.parquet --row-group-size 100
sbd convert p2.csv parts-2.parquet --row-group-size 100
sbd query "SELECT count(*), sum(id) FROM 'parts-*.parquet' WHERE id BETWEEN 480 AND 520" --format csv \
  --stats
