# sbd -h and sbd help print the same help as --help
sbd -h >a
sbd help >b
sbd --help >c
cmp a c && cmp b c && echo same
