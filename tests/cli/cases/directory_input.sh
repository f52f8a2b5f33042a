# a directory is not a file
sbd count data/parts
echo "exit $?"
sbd count --format csv data/parts
