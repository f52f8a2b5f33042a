# a missing sbd.yaml, a catalog from a newer sbd, a catalog path that cannot be made: clear errors, nothing changed
sbd groups
echo "exit $?"
sbd init --example repo > /dev/null && cd repo
sbd calculate customer > /dev/null
sqlite3 .sbd/catalog.db "UPDATE meta SET value = '99' WHERE key = 'schema_version'"
sbd get customer
echo "exit $?"
sqlite3 .sbd/catalog.db "UPDATE meta SET value = '1' WHERE key = 'schema_version'"
sbd get customer | wc -l
touch blocker
sed -i '1i catalog: blocker/catalog.db' sbd.yaml
sbd groups
echo "exit $?"
