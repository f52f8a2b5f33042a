# --row-group-size and --row-group-bytes cut the rows into several row groups
sbd convert data/types.csv t.parquet --row-group-size 4
sbd meta --json t.parquet | grep -E '"num_row_groups"|^      "num_rows"'
sbd convert t.parquet back.csv && cmp data/types.csv back.csv && echo same
sbd convert data/types.csv t.parquet --row-group-size 1
sbd meta --json t.parquet | grep -c '^      "index"'
sbd count t.parquet
sbd convert data/types.csv t.parquet --row-group-bytes 1
sbd meta --json t.parquet | grep '"num_row_groups"'
sbd convert data/types.csv t.parquet
sbd meta --json t.parquet | grep '"num_row_groups"'
