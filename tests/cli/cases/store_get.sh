# sbd get: globs, excludes, several filters, features of another group, a pinned version, -o, errors
sbd init --example repo > /dev/null && cd repo
sbd calculate --all > /dev/null
sbd get customer --features 'n_*,total_amount' --filter 'age < 25' --filter "city = 'Paris'" | head -4
sbd get customer --exclude 'sign*,city,n_*,total*' | head -3
sbd get customer --features 'gender,customer_segment:segment' --filter "segment = 'high'" | head -3
sbd get customer_segment --version 1 -o seg.parquet
sbd count seg.parquet
sbd get customer --features gendr
echo "exit $?"
sbd get customer --version 7
echo "exit $?"
sbd get custmer
echo "exit $?"
sbd get customer --filter 'nope > 1' 2>&1 | head -1
