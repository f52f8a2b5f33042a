# a record longer than --max-line-bytes is an error naming the cap
{
  echo 'id,text'
  echo '1,short'
  printf '2,%s\n' "$(head -c 3000000 /dev/zero | tr '\0' 'y')"
  echo '3,short'
} >long.csv
sbd count --max-line-bytes 1M long.csv
echo "exit $?"
sbd count --max-line-bytes 4M long.csv
