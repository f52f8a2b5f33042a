# the result does not depend on --threads
seq 1 150000 | awk '{ print $1 "," $1 * 2 ",t" $1 }' | { echo a,b,c; cat; } >t.csv
sbd count --threads 1 t.csv
sbd count --threads=3 t.csv
sbd count --threads 0 t.csv
sbd convert --threads 1 t.csv one.jsonl
sbd convert --threads 4 t.csv four.jsonl
cmp one.jsonl four.jsonl && echo same
