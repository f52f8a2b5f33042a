# part_rows: a version is written as parts of at most part_rows rows in key order; get reads them all
sbd init --example repo > /dev/null && cd repo
printf 'part_rows: 400\n' >> sbd.yaml
sbd calculate --all
ls store/customer/version=1
sbd count 'store/customer/version=1/part-0.parquet' 'store/customer/version=1/part-2.parquet'
sbd query "SELECT min(id), max(id) FROM 'store/customer/version=1/part-1.parquet'"
sbd get customer --features age | sbd count --format csv -
sbd get customer --features age | head -3
