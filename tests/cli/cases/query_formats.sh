# sbd query --format table|jsonl|csv; read_csv options, read_parquet, globs, UNION ALL, LIKE
sbd query --format table "SELECT id, name, score FROM read_parquet('data/people.parquet') ORDER BY score DESC NULLS FIRST"
sbd query --format jsonl "SELECT label, amount FROM read_csv('data/semicolon.csv', delim = ';') ORDER BY amount"
sbd query --format csv --threads 1 "WITH m AS (SELECT * FROM 'data/people.jsonl' WHERE member) SELECT count(*) AS members FROM m"
sbd query "SELECT count(*) AS n, min(id) AS first FROM 'data/parts/*.csv' UNION ALL SELECT count(*), min(id) FROM 'data/people.csv' ORDER BY n"
sbd query "SELECT name FROM 'data/people.csv' WHERE name LIKE '%a%' AND name NOT ILIKE 'dan%' ORDER BY 1"
