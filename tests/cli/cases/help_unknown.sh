# sbd help of an unknown command suggests the closest one
sbd help haed
