# sbd --help prints the commands on stdout and exits 0
sbd --help
