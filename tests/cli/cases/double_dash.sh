# -- ends the flags, so a file may start with a dash
cp data/parts/part-1.csv ./-n.csv
sbd count -- -n.csv
