# SIGTERM or SIGINT during convert removes the temporary file and kills sbd with the signal
for sig in TERM INT; do
  mkfifo in.csv
  (
    echo a,b
    seq 1 400000 | sed 's/$/,x/'
    exec sleep 30
  ) >in.csv &
  feeder=$!
  # A background job of a script starts with SIGINT ignored; sbd keeps an ignored signal ignored.
  env --default-signal=INT sbd convert in.csv out.jsonl &
  pid=$!
  for _ in $(seq 1 200); do
    ls -A | grep -q 'sbd-tmp' && break
    sleep 0.05
  done
  ls -A | grep -q 'sbd-tmp' && echo "temporary file seen"
  kill -$sig $pid
  wait $pid
  echo "exit $? (SIG$sig)"
  kill $feeder 2>/dev/null
  wait $feeder 2>/dev/null
  rm -f in.csv
  ls -A
done
