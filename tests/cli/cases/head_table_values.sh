# long values are cut at 32 columns with '…'; control characters are escaped; wide characters
# take two columns
printf 'id,text,n\n1,"%s",1\n2,"tab\there",2\n3,"two\nlines",3\n4,"caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac",4\n5,"bell\x07",5\n' \
  "$(printf 'x%.0s' $(seq 1 40))" >values.csv
COLUMNS=80 sbd head --table values.csv
