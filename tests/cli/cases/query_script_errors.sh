# sbd query: script errors name the statement and stop the script after the output of the statements before it (exit 1)
sbd query "CREATE TABLE t AS SELECT 1 AS a; SELECT a FROM t; DROP TABLE t; SELECT a FROM t"
echo "exit $?"
sbd query "CREATE TABLE t AS SELECT 1 AS a; CREATE TABLE T AS SELECT 2 AS a"
echo "exit $?"
sbd query "SELECT 1 AS one;
DROP TABLE nope"
echo "exit $?"
sbd query "SELECT 1 AS one; SELECT CAST('x' AS INT) AS bad; SELECT 3"
echo "exit $?"
sbd query "SELECT 1; SELECT 2" -o out.csv
echo "exit $?"
sbd query "SELECT 1; SELEC 2"
echo "exit $?"
sbd query -f missing.sql
echo "exit $?"
sbd query "SELECT 1" -f x.sql
echo "exit $?"
