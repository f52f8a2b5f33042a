# sbd query GROUP BY with more groups than a worker's table keeps before it flushes them into partition buffers (high cardinality): the same answers on 1 and 4 threads, first/last/string_agg in input order, the group count and sums equal to awk's, string keys of 0 to 24 bytes that differ only in their last bytes
awk 'BEGIN { print "i,k,s,x,y,t"; for (i = 0; i < 140000; i++) printf "%d,%d,s%d,%d,%.2f,%s%d\n", i, (i * 7919) % 70000, i % 2, i % 997, (i % 89) / 4.0, substr("abcdefghijklmnopqrstuvw", 1, i % 23), i % 5 }' > many.csv
q="SELECT k, s, count(*) AS c, sum(x) AS sx, min(s) AS ms, first(i) AS fi, last(i) AS li, string_agg(i, '/') AS sa, count(DISTINCT x) AS cd, median(y) AS md FROM 'many.csv' GROUP BY k, s ORDER BY k, s"
sbd query --threads 1 --format csv "$q" > one.csv
sbd query --threads 4 --format csv "$q" > four.csv
cmp one.csv four.csv && echo "same on 1 and 4 threads ($(wc -l < one.csv) lines)"
sbd query --format csv "SELECT count(*), sum(c), sum(sx), sum(cd), max(length(sa)) FROM 'four.csv'"
awk -F, 'NR > 1 { key = $2 "," $3; if (!(key in c)) groups++; c[key]++; sx += $4; if (!((key, $4) in d)) { d[key, $4] = 1; cd++ } }
  END { printf "%d,%d,%d,%d\n", groups, NR - 1, sx, cd }' many.csv
sed -n '2,4p' four.csv
sbd query --threads 2 --format csv "SELECT k, string_agg(i, ' ') FROM 'many.csv' WHERE k = 7919 OR k = 3 GROUP BY k ORDER BY k"
awk -F, '$2 == 7919 || $2 == 3 { print $2, $1 }' many.csv
sbd query --threads 3 --format csv "SELECT count(*), sum(c) FROM (SELECT t, count(*) AS c FROM 'many.csv' GROUP BY t) g"
sbd query --threads 3 --format csv "SELECT count(*), sum(c) FROM (SELECT t, k, count(*) AS c FROM 'many.csv' GROUP BY t, k) g"
awk -F, 'NR > 1 { if (!($6 in a)) { a[$6] = 1; n++ } if (!(($6, $2) in b)) { b[$6, $2] = 1; m++ } } END { print n; print m }' many.csv
