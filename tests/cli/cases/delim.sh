# --delim C and --delim=C
sbd head --delim ';' data/semicolon.csv
sbd schema --delim=';' data/semicolon.csv
