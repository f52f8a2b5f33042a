# a quoted field that never ends
sbd count data/unterminated.csv
