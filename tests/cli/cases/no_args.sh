# sbd without a command prints the help on stderr and exits 2
sbd
