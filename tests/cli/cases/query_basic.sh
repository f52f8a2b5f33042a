# sbd query: filter, group, aggregate and order over a CSV file; CSV in a pipe
sbd query "SELECT member, count(*) AS n, sum(age) AS ages, avg(score) AS mean FROM 'data/people.csv' GROUP BY member ORDER BY member"
sbd query "SELECT id, name, age * 2 AS twice FROM 'data/people.csv' WHERE age IS NOT NULL AND name <> 'Alice' ORDER BY id DESC LIMIT 2"
sbd query "SELECT 7 / 2 AS q, 7 % 0 AS m, 1 / 0 AS inf, CAST('12' AS BIGINT) + 1 AS n, NULL IS NULL AS t, 'a' || 'b' AS s"
