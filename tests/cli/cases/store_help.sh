# the help of the feature store's commands lists their flags
sbd help get
sbd calculate --help
sbd get customer --keep 2
echo "exit $?"
