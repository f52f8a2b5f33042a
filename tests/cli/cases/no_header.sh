# --no-header: every line is a record
sbd schema --no-header data/noheader.csv
sbd head --no-header data/noheader.csv
sbd count --no-header data/noheader.csv
