# a calculation killed mid-write leaves the previous version whole and the latest; the next one cleans up
sbd init --example repo > /dev/null && cd repo
# A larger source, so that a calculation lasts long enough to be caught mid-write.
awk 'BEGIN { print "id,name,email,phone,gender,age,city,signup_date";
  for (i = 1; i <= 100000; i++) printf "%d,n%d,e%d@x.org,%d,%s,%d,c%d,2023-01-%02d\n", i, i, i, i, (i % 2 ? "female" : "male"), 18 + i % 60, i % 7, 1 + i % 28 }' > data/customers.csv
sbd calculate customer > /dev/null
latest=$(sbd versions customer --format csv | tail -1 | cut -d, -f1)
sbd get customer --features age --filter 'id % 1000 = 0' > before.csv
caught=0
for attempt in $(seq 1 10); do
  sbd calculate customer --force > /dev/null 2>&1 &
  pid=$!
  # Watch until the temporary folder shows (then kill) or the calculation ends by itself.
  while kill -0 $pid 2> /dev/null; do
    if compgen -G 'store/customer/.version=*' > /dev/null; then
      kill -9 $pid
      caught=1
      break
    fi
  done
  wait $pid 2> /dev/null
  [ $caught = 1 ] && break
  latest=$(sbd versions customer --format csv | tail -1 | cut -d, -f1)
done
echo "caught mid-write: $caught"
now=$(sbd versions customer --format csv | tail -1 | cut -d, -f1)
[ "$now" = "$latest" ] && echo "latest version unchanged"
sbd get customer --features age --filter 'id % 1000 = 0' > after.csv
cmp before.csv after.csv && echo "previous version intact"
ls -A store/customer | grep -c '^\.version=' || true
sbd calculate customer --force | sed 's/version [0-9]*/version N/'
ls -A store/customer | grep -c '^\.version=' || true
