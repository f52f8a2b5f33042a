# head and schema read Parquet files like any other
sbd schema data/people.parquet
sbd head -n 3 data/people.parquet
sbd head --table data/people.parquet
sbd head data/people.parquet data/people.csv
