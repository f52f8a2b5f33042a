# two calculations of one group: the second waits for the first; with --wait it gives up in time
sbd init --example repo > /dev/null && cd repo
sbd calculate customer > /dev/null
sbd calculate customer --force > a.out 2> a.err &
sbd calculate customer --force > b.out 2> b.err &
wait
sort a.out b.out
grep -hv '^sbd: waiting for another calculation' a.err b.err
sbd versions customer | cut -d, -f1,3
# Hold the lock as a calculation would: the next one waits --wait seconds, then fails.
flock .sbd/locks/customer.lock sleep 3 &
sleep 0.5
sbd calculate customer --force --wait 0.2
echo "exit $?"
wait
sbd versions customer | cut -d, -f1
