# column names that need quoting in the CSV of sbd schema
printf '"a,b","say ""hi""",plain\n1,2,3\n' >odd.csv
sbd schema odd.csv
