# sbd query aggregates: the same answers (first/last/string_agg included; doubles rounded, their last bits depend on the order of the merges) on 1 and 4 threads over many batches, with and without WHERE; input order kept; approx_count_distinct within 5% of the exact count; errors
awk 'BEGIN { print "i,k,g,x,y,s"; for (i = 0; i < 150000; i++) printf "%d,%d,%d,%d,%.2f,w%d\n", i, (i * 7) % 1000, i % 7, (i * 7919) % 10007, (i % 97) / 4.0, i % 13 }' > big.csv
q="SELECT k, count(*), sum(x), round(avg(y), 9), min(s), max(x), round(stddev(y), 9), round(sqrt(var_pop(x)), 6), median(x), quantile_cont(y, 0.9), round(corr(x, y), 12), first(i), last(i), any_value(s), string_agg(s, ''), count(DISTINCT g), sum(DISTINCT x % 10), approx_count_distinct(x) FROM 'big.csv' GROUP BY k ORDER BY k"
sbd query --threads 1 --format csv "$q" > one.csv
sbd query --threads 4 --format csv "$q" > four.csv
cmp one.csv four.csv && echo "GROUP BY k: same on 1 and 4 threads ($(wc -l < one.csv) lines)"
q="SELECT g, count(*), first(i), last(i), any_value(y), length(string_agg(s)), median(y), round(stddev_pop(x), 9) FROM 'big.csv' WHERE i % 3 <> 0 AND x > 100 GROUP BY g ORDER BY g"
sbd query --threads 1 --format csv "$q" > one.csv
sbd query --threads 4 --format csv "$q" > four.csv
cmp one.csv four.csv && cat one.csv
sbd query --threads 3 "SELECT g, string_agg(i, ' ') AS ids FROM 'big.csv' WHERE i % 20000 = 7 GROUP BY g ORDER BY g"
sbd query --threads 3 "SELECT count(*), first(s), last(s), sum(x) FROM 'big.csv' WHERE i < 0"
sbd query --threads 4 "SELECT count(*) AS groups, sum(CASE WHEN abs(a - n) <= 0.05 * n THEN 1 ELSE 0 END) AS within_5pct FROM (SELECT g, approx_count_distinct(x) AS a, count(DISTINCT x) AS n FROM 'big.csv' GROUP BY g) t"
sbd query --threads 4 "SELECT abs(approx_count_distinct(i) - 150000) <= 7500 AS close FROM 'big.csv'"
printf 'x,s\n1.5,a\nnan,b\n2.5,c\n' > nan.csv
sbd query "SELECT stddev(x) FROM 'nan.csv'"
echo "exit $?"
sbd query "SELECT corr(x, x) FROM 'nan.csv'"
echo "exit $?"
sbd query "SELECT median(x), quantile_cont(x, 0.9), stddev_pop(x) FROM 'nan.csv' WHERE s = 'b'"
sbd query "SELECT quantile_cont(x, 2) FROM 'nan.csv'"
echo "exit $?"
sbd query "SELECT quantile_cont(x, x) FROM 'nan.csv'"
echo "exit $?"
sbd query "SELECT string_agg(s, s) FROM 'nan.csv'"
echo "exit $?"
sbd query "SELECT corr(s, x) FROM 'nan.csv'"
echo "exit $?"
sbd query "SELECT median(s) FROM 'nan.csv'"
echo "exit $?"
sbd query "SELECT string_agg(DISTINCT s) FROM 'nan.csv'"
echo "exit $?"
sbd query --threads 4 "SELECT g, sum(x * 10000000000000000) FROM 'big.csv' GROUP BY g"
echo "exit $?"
