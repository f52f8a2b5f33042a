# an unknown flag suggests the closest flag of the command, exit 2 with the command's hint
sbd head --nul x data/people.csv
