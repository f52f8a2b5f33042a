# a glob that matches nothing is an error naming the pattern
sbd count 'data/parts/*.tsv'
