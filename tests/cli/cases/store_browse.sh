# sbd groups, features, versions and describe over the example after two calculations
sbd init --example repo > /dev/null && cd repo
sbd calculate --all > /dev/null
sbd calculate customer --force
sbd groups --format csv | cut -d, -f1-7
sbd features customer
sbd versions customer | cut -d, -f1,3,6,7
sbd describe customer_segment | grep -v '^  run '
sbd versions nope
echo "exit $?"
