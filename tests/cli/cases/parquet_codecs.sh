# every codec, level, encoding and page flag writes a file that reads back the same
for args in "--compression snappy" "--compression zstd" "--compression zstd --compression-level 19" \
  "--compression gzip" "--compression gzip --compression-level 1" "--compression lz4_raw" \
  "--compression none" "--compression ZSTD"; do
  sbd convert data/types.csv t.parquet $args || echo "failed: $args"
  sbd convert t.parquet back.csv && cmp -s data/types.csv back.csv || echo "differs: $args"
  echo "$args: $(sbd meta --json t.parquet | grep '"codec"' | sort -u | tr -d ' ,')"
done
for args in "--parquet-encoding plain" "--parquet-encoding dictionary" "--parquet-encoding delta" \
  "--parquet-encoding byte_stream_split" "--data-page v2" "--data-page v1" "--dict-limit 1" \
  "--page-bytes 16" "--data-page v2 --parquet-encoding delta --compression zstd --page-bytes 1K"; do
  sbd convert data/types.csv t.parquet $args || echo "failed: $args"
  sbd convert t.parquet back.csv && cmp -s data/types.csv back.csv || echo "differs: $args"
  echo "$args:"
  sbd meta t.parquet | grep -E '^  column [^ ]|encodings' | paste -d ' ' - - | sed 's/ *codec [A-Z]*,//'
  sbd meta t.parquet | grep -m 1 'pages:' | sed 's/.*; /  first column: /'
done
