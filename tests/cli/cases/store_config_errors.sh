# sbd.yaml errors name the file and the line: unknown keys, identifiers, cycles, kinds, files, YAML syntax
check() {
  printf '%b' "$1" > sbd.yaml
  sbd plan
  echo "exit $?"
}
check 'sources:\n  c: data/c.csv\ngroups:\n  g:\n    fetures:\n      - sql: SELECT 1 AS id\n'
check 'sourcs: {}\n'
check 'sources:\n  c:\n    path: c.csv\n    fromat: csv\n'
check 'groups:\n  g:\n    features:\n      - sql: SELECT 1 AS id\n        mta: {}\n'
check 'groups:\n  g:\n    features:\n      - sql: SELECT 1 AS id\n        meta:\n          x: {descripton: d}\n'
check 'groups:\n  bad-name:\n    features:\n      - sql: SELECT 1 AS id\n'
check 'groups:\n  ../etc:\n    features:\n      - sql: SELECT 1 AS id\n'
check 'sources:\n  2c: c.csv\n'
check 'groups:\n  g:\n    key: [id, "x y"]\n    features:\n      - sql: SELECT 1 AS id\n'
check 'groups:\n  g:\n    features:\n      - sql: SELECT 1 AS id\n        meta:\n          1x: hi\n'
check 'groups:\n  a:\n    features:\n      - sql: SELECT id FROM b\n  b:\n    features:\n      - sql: SELECT b.id FROM c JOIN a USING (id)\n  c:\n    features:\n      - sql: SELECT 1 AS id\n'
check 'groups:\n  a:\n    features:\n      - sql: SELECT id FROM a\n'
check 'groups:\n  a:\n    features: [x\n'
check 'groups:\n  a:\n    key: [id, id]\n    features:\n      - sql: SELECT 1 AS id\n'
check 'groups:\n  a:\n    features:\n      - file: nope.sql\n'
check 'groups:\n  a:\n    features:\n      - file: ../secret.sql\n'
check 'groups:\n  a:\n    features:\n      - sql: SELECT 1 AS id\n        file: x.sql\n'
check 'groups:\n  a:\n    features: SELECT 1 AS id\n'
check 'groups:\n  a:\n    features: []\n'
check 'groups:\n  a:\n    description: x\n'
check 'sources:\n  c:\n    path: data/c.csv\n    format: csvv\n'
check 'sources:\n  c:\n    format: csv\n'
check 'sources:\n  c: c.csv\n  C: d.csv\n'
check 'sources:\n  c: c.csv\ngroups:\n  c:\n    features:\n      - sql: SELECT 1 AS id\n'
check 'groups:\n  a:\n    key: id\n    key: id2\n    features:\n      - sql: SELECT 1 AS id\n'
check ''
check '- a\n- b\n'
