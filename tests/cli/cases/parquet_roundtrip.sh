# csv -> parquet -> csv gives back the same bytes: every type, nulls, empty strings, NaN, extremes
sbd convert data/types.csv t.parquet
sbd convert t.parquet back.csv
cmp data/types.csv back.csv && echo same
sbd schema t.parquet
sbd convert data/types.csv t.csv
sbd convert t.parquet t2.parquet
sbd convert t2.parquet t2.csv
cmp t.csv t2.csv && echo same after parquet to parquet
