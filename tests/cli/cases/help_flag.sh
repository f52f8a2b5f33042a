# COMMAND --help is the same as help COMMAND, even after other arguments
sbd head --help >a
sbd help head >b
sbd head x.csv -n 3 --help >c
cmp a b && cmp a c && echo same
sbd schema -h | head -n 1
