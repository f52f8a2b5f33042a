# convert with --rejects FILE, and --rejects '' for none
sbd convert --on-error=skip --schema 'id:INT64' --rejects=r.csv data/mixed.csv out.jsonl
sbd convert --on-error=skip --schema 'id:INT64' --rejects '' data/mixed.csv out2.jsonl
ls
