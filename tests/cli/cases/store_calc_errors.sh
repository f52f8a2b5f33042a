# errors found when a group is calculated: the key column, duplicate features, meta of a missing feature, names, sources
mkdir in
printf 'id,a,b\n1,2,3\n' > in/t.csv
check() {
  printf '%b' "sources:\n  t: in/t.csv\n  none: in/none*.csv\ngroups:\n$1" > sbd.yaml
  sbd calculate g
  echo "exit $?"
}
check '  g:\n    features:\n      - sql: SELECT a, b FROM t\n'
check '  g:\n    key: [id, a]\n    features:\n      - sql: SELECT id, b FROM t\n'
check '  g:\n    features:\n      - sql: SELECT id, a FROM t\n      - sql: SELECT id, a, b FROM t\n'
check '  g:\n    features:\n      - sql: SELECT id, a FROM t\n        meta:\n          b: not returned\n'
check '  g:\n    features:\n      - sql: SELECT id, a + b FROM t\n'
check '  g:\n    features:\n      - sql: SELECT id FROM none\n'
check '  g:\n    features:\n      - sql: SELECT id, nope FROM t\n'
check '  g:\n    features:\n      - sql: SELECT id FROM h\n  h:\n    features:\n      - sql: SELECT id FROM t\n'
check '  g:\n    features:\n      - sql: SELECT id, a FROM t\n'
sbd calculate nope
echo "exit $?"
sbd calculate
echo "exit $?"
sbd calculate g --all
echo "exit $?"
sbd calculate g --wait soon
echo "exit $?"
# A key returned twice by a query (a missing GROUP BY), with one query and with several.
printf 'id,a,b\n1,2,3\n2,2,3\n2,5,6\n' > in/t.csv
check '  g:\n    features:\n      - sql: SELECT id, a FROM t\n'
check '  g:\n    key: [id, a]\n    features:\n      - sql: SELECT id, a FROM t\n      - sql: SELECT id, a, b FROM t\n'
check '  g:\n    features:\n      - sql: SELECT id, max(a) AS a FROM t GROUP BY id\n      - sql: SELECT 2 AS id, b FROM t\n'
ls -A store/g
