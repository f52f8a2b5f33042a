/*
 * csv_int.h — what the CSV reader (csv_read.c) and writer (csv_write.c) share: the delimiter
 * option and the default null tokens. The writer quotes every string that equals a default null
 * token, because the reader never reads a quoted field as null: that pair of rules is what makes
 * a written file read back with the same nulls and strings.
 */
#ifndef SBD_CSV_INT_H
#define SBD_CSV_INT_H

#include "io/io_int.h"

/* The null tokens when option nulls is not given (the empty field is one of them). */
#define CSV_DEFAULT_NULLS "", "NA", "NULL", "null"

/* Reads option delim: one byte, or "\t" (backslash, t) or "tab" for a tab. Sets *given when the
 * option is present; leaves *out alone when it is not. */
sbd_status csv_delim_option(sbd_ctx *ctx, const sbd_options *opts, char *out, bool *given);

#endif
