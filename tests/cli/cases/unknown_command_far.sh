# an unknown command far from every command gets no suggestion
sbd frobnicate
