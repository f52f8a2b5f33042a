# an input whose extension says nothing needs --format
printf 'a,b\n1,2\n' >data.dat
sbd count data.dat
echo "exit $?"
sbd count --format csv data.dat
