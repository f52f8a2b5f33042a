# --nulls: the texts listed (here n/a, - and the empty field) read as NULL
sbd schema data/nulls.csv
sbd schema --nulls 'n/a,-,' data/nulls.csv
COLUMNS=80 sbd head --table --nulls 'n/a,-,' data/nulls.csv
sbd head --nulls 'n/a,-,' data/nulls.csv
