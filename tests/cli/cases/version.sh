# sbd --version prints the version
sbd --version
