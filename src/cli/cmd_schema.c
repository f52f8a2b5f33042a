/*
 * cmd_schema.c — `sbd schema FILE...`: the columns and their types, as the reader infers them
 * from a sample (or as --schema fixes them). Several files are read as one stream, so this is
 * their unified schema. On a terminal: an aligned table; otherwise CSV with the header
 * "column,type", quoted as RFC 4180 asks.
 */
#include "cli/cli_int.h"

#include <string.h>

/* Writes s as one CSV field, quoted when it holds a comma, a quote, a line break, or is empty. */
static void put_csv_field(FILE *out, const char *s) {
  if (*s && !strpbrk(s, ",\"\r\n")) {
    fputs(s, out);
    return;
  }
  fputc('"', out);
  for (; *s; s++) {
    if (*s == '"')
      fputc('"', out);
    fputc(*s, out);
  }
  fputc('"', out);
}

static int run_schema(sbd_ctx *ctx, const cli_args *args) {
  if (args->npaths < 1)
    return cli_usage_error(args->cmd, "schema needs at least one FILE");
  sbd_reader *reader;
  int code = cli_open_reader(ctx, args, args->npaths, &reader);
  if (code != CLI_EXIT_OK)
    return code;
  const sbd_schema *schema = sbd_reader_schema(reader);
  if (cli_wants_table(args)) {
    static const char *const names[] = {"column", "type"};
    static const bool right[] = {false, false};
    cli_table *t = cli_table_new(2, names, NULL, right);
    bool ok = t != NULL;
    for (int i = 0; ok && i < sbd_schema_ncols(schema); i++) {
      const char *name = sbd_schema_name(schema, i);
      const char *type = sbd_type_name(sbd_schema_type(schema, i));
      ok = cli_table_add(t, name, strlen(name)) && cli_table_add(t, type, strlen(type));
    }
    if (!ok) {
      code = cli_out_of_memory();
    } else {
      cli_table_print(t, stdout, cli_terminal_width());
    }
    cli_table_free(t);
  } else {
    fputs("column,type\n", stdout);
    for (int i = 0; i < sbd_schema_ncols(schema); i++) {
      put_csv_field(stdout, sbd_schema_name(schema, i));
      fprintf(stdout, ",%s\n", sbd_type_name(sbd_schema_type(schema, i)));
    }
  }
  sbd_reader_close(reader);
  return code;
}

const cli_command cli_cmd_schema = {
    "schema",
    "print the columns of files and their types",
    "sbd schema FILE... [FLAGS]",
    "Prints each column's name and type (BOOL, INT64, DOUBLE, STRING, DATE or\n"
    "TIMESTAMP), inferred from the first rows (--sample-rows) or fixed by\n"
    "--schema. Several files are read as one stream: they must have the same\n"
    "column names, and a column's types are unified (INT64 and DOUBLE give\n"
    "DOUBLE, DATE and TIMESTAMP give TIMESTAMP, any other mix STRING).\n"
    "On a terminal the columns are shown as a table; otherwise as CSV with the\n"
    "header \"column,type\".",
    CLI_FLAGS_READ | CLI_FLAGS_OUTPUT,
    run_schema,
};
