# sbd help meta prints the command's usage and flags
sbd help meta
