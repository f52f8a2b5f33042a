# a folder stands for every file beneath it (sorted; names starting with '.' or '_' left out)
sbd count data/parts
echo "exit $?"
sbd count --format csv data/parts
# a folder without files is an error
mkdir -p empty_folder/_temp
sbd count empty_folder
echo "exit $?"
