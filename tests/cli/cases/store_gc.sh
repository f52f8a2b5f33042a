# sbd gc --keep N removes the older versions from the catalog and the disk, never the latest
sbd init --example repo > /dev/null && cd repo
sbd calculate customer > /dev/null
sbd calculate customer --force > /dev/null
sbd calculate customer --force > /dev/null
ls store/customer
sbd gc --keep 1
ls store/customer
sbd versions customer | cut -d, -f1,3
sbd get customer --version 1
echo "exit $?"
sbd gc
echo "exit $?"
