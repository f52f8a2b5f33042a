# bad values of the writing flags are usage errors naming the option
sbd convert data/types.csv t.parquet --compression lzo
echo "exit $?"
sbd convert data/types.csv t.parquet --compression-level 3
echo "exit $?"
sbd convert data/types.csv t.parquet --compression zstd --compression-level 23
echo "exit $?"
sbd convert data/types.csv t.parquet --compression gzip --compression-level 0
echo "exit $?"
sbd convert data/types.csv t.parquet --row-group-size 0
echo "exit $?"
sbd convert data/types.csv t.parquet --row-group-bytes 12x
echo "exit $?"
sbd convert data/types.csv t.parquet --page-bytes 0
echo "exit $?"
sbd convert data/types.csv t.parquet --parquet-encoding rle
echo "exit $?"
sbd convert data/types.csv t.parquet --data-page v3
echo "exit $?"
sbd convert data/types.csv t.parquet --dict-limit -1
echo "exit $?"
sbd convert data/types.csv t.parquet --compresion zstd
echo "exit $?"
ls
