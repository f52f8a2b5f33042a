# --quote C sets the quote character
printf "id,text\n1,'a,b'\n2,'it''s'\n" >q.csv
sbd head --quote "'" q.csv
