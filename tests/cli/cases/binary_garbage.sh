# binary garbage fails with a message and exit 1, never a crash
printf '\x00\x01\x02\xff\xfe\x00garbage\x00\n\x89PNG\r\n\x1a\n\x00\x00' >garbage.csv
cp garbage.csv garbage.jsonl
sbd count garbage.csv
echo "exit $?"
sbd count garbage.jsonl
echo "exit $?"
