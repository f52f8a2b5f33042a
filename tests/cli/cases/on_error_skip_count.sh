# --on-error skip with count: no rejects file unless --rejects says one
sbd count --on-error skip --schema 'id:INT64' data/mixed.csv
sbd count --on-error skip --schema 'id:INT64' --rejects bad.csv data/mixed.csv
cat bad.csv
ls
