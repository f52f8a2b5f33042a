# a closed pipe on stdout ends the command quietly with exit 0
seq 1 300000 | sed 's/^/v/' | { echo n; cat; } >big.csv
set -o pipefail
sbd head -n 300000 big.csv | head -n 2
echo "exit $?"
sbd convert big.csv --output-format jsonl - | head -n 1
echo "exit $?"
sbd head --table -n 300000 big.csv | head -n 1
echo "exit $?"
