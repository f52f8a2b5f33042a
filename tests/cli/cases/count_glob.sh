# a glob and several files are one stream: one total
sbd count 'data/parts/*.csv'
sbd count data/parts/part-1.csv data/parts/part-3.csv
sbd schema 'data/parts/part-[12].csv'
