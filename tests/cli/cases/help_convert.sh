# sbd help convert prints the command's usage and flags
sbd help convert
