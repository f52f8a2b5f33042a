# an INT64 sum that overflows is an error naming the column and a record of the cluster, and no output is left behind
printf 'id,email,spend\n1,a@x.org,9223372036854775807\n2,A@x.org,1\n3,b@x.org,5\n' > in.csv
printf 'inputs: in.csv\nid: id\nnormalize: {email: [lowercase]}\nrules: [{key: email}]\nfields: {spend: sum}\noutput: {golden: g.csv, mapping: m.csv}\n' > c.yaml
sbd dedup c.yaml
echo "exit $?"
ls
