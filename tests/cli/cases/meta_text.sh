# sbd meta prints what a Parquet file's footer says
sbd meta data/people.parquet
