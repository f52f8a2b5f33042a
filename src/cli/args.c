/*
 * args.c — the flags of the sbd command: one table that both the parser and the help text read,
 * so a flag cannot be documented without being accepted or the other way round.
 *
 * Each flag accepts `--flag value` and `--flag=value`; short flags (-n, -h) also `-n5`. Flags may
 * come before, between or after the positional arguments; `--` ends the flags, and a lone `-` is
 * a positional argument (standard input). A reading flag is stored under its sbd_options key, so
 * the library checks its value and names the option in any message.
 */
#include "cli/cli_int.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum flag_id {
  FLAG_OPTION,
  FLAG_THREADS,
  FLAG_TABLE,
  FLAG_CSV,
  FLAG_ROWS,
  FLAG_OUTPUT_FORMAT,
  FLAG_HELP
};

typedef struct flag_spec {
  const char *name; /* "--delim" */
  char short_name;  /* 'n', or 0 */
  unsigned group;   /* CLI_FLAGS_*; 0 for flags every command accepts */
  enum flag_id id;
  const char *option; /* FLAG_OPTION: the sbd_options key */
  const char *fixed;  /* FLAG_OPTION without a value: the value it sets */
  const char *arg;    /* the value's name in the help, or NULL when the flag takes none */
  const char *help;
} flag_spec;

static const flag_spec flags[] = {
    {"--rows", 'n', CLI_FLAGS_ROWS, FLAG_ROWS, NULL, NULL, "N", "rows to print (default 10)"},
    {"--table", 0, CLI_FLAGS_OUTPUT, FLAG_TABLE, NULL, NULL, NULL,
     "print a table even when stdout is not a terminal"},
    {"--csv", 0, CLI_FLAGS_OUTPUT, FLAG_CSV, NULL, NULL, NULL, "print CSV even on a terminal"},
    {"--output-format", 0, CLI_FLAGS_CONVERT, FLAG_OUTPUT_FORMAT, NULL, NULL, "F",
     "csv or jsonl (default: from OUTPUT's extension)"},
    {"--format", 0, CLI_FLAGS_READ, FLAG_OPTION, "format", NULL, "F",
     "csv or jsonl (default: from the extension)"},
    {"--schema", 0, CLI_FLAGS_READ, FLAG_OPTION, "schema", NULL, "S",
     "column types, e.g. 'id:INT64,ts:TIMESTAMP'"},
    {"--delim", 0, CLI_FLAGS_READ, FLAG_OPTION, "delim", NULL, "C",
     "CSV delimiter (default: detected)"},
    {"--no-header", 0, CLI_FLAGS_READ, FLAG_OPTION, "header", "false", NULL,
     "no header row: columns are column0, ..."},
    {"--nulls", 0, CLI_FLAGS_READ, FLAG_OPTION, "nulls", NULL, "LIST",
     "texts read as NULL (default: '',NA,NULL,null)"},
    {"--quote", 0, CLI_FLAGS_READ, FLAG_OPTION, "quote", NULL, "C",
     "CSV quote, '' for none (default \")"},
    {"--sample-rows", 0, CLI_FLAGS_READ, FLAG_OPTION, "sample_rows", NULL, "N",
     "rows read to infer types (default 20480)"},
    {"--max-line-bytes", 0, CLI_FLAGS_READ, FLAG_OPTION, "max_line_bytes", NULL, "SIZE",
     "longest record allowed (default 64M)"},
    {"--on-error", 0, CLI_FLAGS_READ, FLAG_OPTION, "on_error", NULL, "MODE",
     "fail (default) or skip bad records"},
    {"--rejects", 0, CLI_FLAGS_READ, FLAG_OPTION, "rejects", NULL, "FILE",
     "with --on-error skip: write them to FILE"},
    {"--threads", 0, CLI_FLAGS_READ, FLAG_THREADS, NULL, NULL, "N",
     "worker threads (default 0: one per core)"},
    {"--help", 'h', 0, FLAG_HELP, NULL, NULL, NULL, "show this help"},
};
#define NFLAGS ((int)(sizeof(flags) / sizeof(flags[0])))

static bool accepts(const cli_command *cmd, const flag_spec *f) {
  return f->group == 0 || (cmd->flags & f->group) != 0;
}

/* Edit distance for suggestions, case-sensitive (flags are lower case). */
static size_t distance(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b);
  if (la > 64 || lb > 64)
    return (size_t)-1;
  size_t row[65];
  for (size_t j = 0; j <= lb; j++)
    row[j] = j;
  for (size_t i = 1; i <= la; i++) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= lb; j++) {
      size_t up = row[j];
      size_t best = diag + (a[i - 1] == b[j - 1] ? 0 : 1);
      if (up + 1 < best)
        best = up + 1;
      if (row[j - 1] + 1 < best)
        best = row[j - 1] + 1;
      row[j] = best;
      diag = up;
    }
  }
  return row[lb];
}

const char *cli_closest(const char *word, const char *const *candidates, int n) {
  const char *best = NULL;
  size_t best_d = (size_t)-1;
  for (int i = 0; i < n; i++) {
    size_t d = distance(word, candidates[i]);
    if (d < best_d) {
      best_d = d;
      best = candidates[i];
    }
  }
  /* A suggestion must be closer than a wholesale rewrite of the word. */
  size_t len = strlen(word);
  size_t limit = len <= 3 ? 1 : len <= 6 ? 2 : 3;
  return best_d <= limit ? best : NULL;
}

static int unknown_flag(const cli_command *cmd, const char *word, size_t len) {
  const char *names[NFLAGS];
  int n = 0;
  for (int i = 0; i < NFLAGS; i++)
    if (accepts(cmd, &flags[i]))
      names[n++] = flags[i].name;
  char given[128];
  snprintf(given, sizeof(given), "%.*s", (int)(len < 100 ? len : 100), word);
  const char *near = given[1] == '-' ? cli_closest(given, names, n) : NULL;
  if (near)
    return cli_usage_error(cmd, "unknown flag '%s' (did you mean '%s'?)", given, near);
  return cli_usage_error(cmd, "unknown flag '%s'", given);
}

/* Parses a whole number in [min, max]; false if text is anything else. */
static bool parse_count(const char *text, long long min, long long max, long long *out) {
  if (!*text || *text == '+' || *text == ' ')
    return false;
  char *end;
  errno = 0;
  long long v = strtoll(text, &end, 10);
  if (errno || *end || v < min || v > max)
    return false;
  *out = v;
  return true;
}

static int apply_flag(const cli_command *cmd, const flag_spec *f, const char *shown,
                      const char *value, cli_args *args) {
  long long n;
  switch (f->id) {
  case FLAG_OPTION:
    if (sbd_options_set(args->read_opts, f->option, f->fixed ? f->fixed : value) != SBD_OK)
      return cli_out_of_memory();
    return CLI_EXIT_OK;
  case FLAG_THREADS:
    if (!parse_count(value, INT_MIN, INT_MAX, &n))
      return cli_usage_error(cmd, "%s: expected a whole number, not '%s'", shown, value);
    args->threads = (int)n;
    return CLI_EXIT_OK;
  case FLAG_ROWS:
    if (!parse_count(value, 0, INT64_MAX, &n))
      return cli_usage_error(cmd, "%s: expected a number of rows (0 or more), not '%s'", shown,
                             value);
    args->rows = n;
    return CLI_EXIT_OK;
  case FLAG_TABLE:
    args->output = CLI_OUT_TABLE;
    return CLI_EXIT_OK;
  case FLAG_CSV:
    args->output = CLI_OUT_CSV;
    return CLI_EXIT_OK;
  case FLAG_OUTPUT_FORMAT:
    args->output_format = value;
    return CLI_EXIT_OK;
  case FLAG_HELP:
    args->help = true;
    return CLI_EXIT_OK;
  }
  return CLI_EXIT_OK;
}

int cli_args_parse(const cli_command *cmd, int argc, char **argv, cli_args *args) {
  memset(args, 0, sizeof(*args));
  args->cmd = cmd;
  args->threads = -1;
  args->rows = 10;
  args->read_opts = sbd_options_new();
  args->paths = malloc(sizeof(char *) * (size_t)(argc > 0 ? argc : 1));
  if (!args->read_opts || !args->paths)
    return cli_out_of_memory();
  bool flags_done = false;
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i];
    if (flags_done || a[0] != '-' || a[1] == 0) {
      args->paths[args->npaths++] = a;
      continue;
    }
    if (strcmp(a, "--") == 0) {
      flags_done = true;
      continue;
    }
    const flag_spec *f = NULL;
    const char *value = NULL;
    if (a[1] == '-') {
      const char *eq = strchr(a, '=');
      size_t len = eq ? (size_t)(eq - a) : strlen(a);
      for (int k = 0; k < NFLAGS && !f; k++)
        if (accepts(cmd, &flags[k]) && strlen(flags[k].name) == len &&
            memcmp(flags[k].name, a, len) == 0)
          f = &flags[k];
      if (!f)
        return unknown_flag(cmd, a, len);
      if (eq)
        value = eq + 1;
      if (!f->arg && value)
        return cli_usage_error(cmd, "flag '%s' takes no value", f->name);
    } else {
      for (int k = 0; k < NFLAGS && !f; k++)
        if (accepts(cmd, &flags[k]) && flags[k].short_name == a[1])
          f = &flags[k];
      if (!f)
        return unknown_flag(cmd, a, 2);
      if (a[2])
        value = a + 2;
      if (!f->arg && value)
        return cli_usage_error(cmd, "flag '-%c' takes no value", f->short_name);
    }
    /* Messages name the flag as it was written: -n or --rows. */
    char short_form[3] = {'-', f->short_name, 0};
    const char *shown = a[1] == '-' ? f->name : short_form;
    if (f->arg && !value) {
      if (i + 1 == argc)
        return cli_usage_error(cmd, "flag '%s' needs a value (%s %s)", shown, shown, f->arg);
      value = argv[++i];
    }
    int rc = apply_flag(cmd, f, shown, value, args);
    if (rc != CLI_EXIT_OK)
      return rc;
  }
  return CLI_EXIT_OK;
}

void cli_args_free(cli_args *args) {
  sbd_options_free(args->read_opts);
  free(args->paths);
  args->read_opts = NULL;
  args->paths = NULL;
}

static void print_flag(FILE *out, const cli_command *cmd, const flag_spec *f) {
  if (!accepts(cmd, f))
    return;
  char left[64];
  snprintf(left, sizeof(left), "%c%c%c %s%s%s", f->short_name ? '-' : ' ',
           f->short_name ? f->short_name : ' ', f->short_name ? ',' : ' ', f->name,
           f->arg ? " " : "", f->arg ? f->arg : "");
  fprintf(out, "  %-27s%s\n", left, f->help);
}

static void print_flags(FILE *out, const cli_command *cmd, unsigned group) {
  for (int i = 0; i < NFLAGS; i++)
    if (flags[i].group == group)
      print_flag(out, cmd, &flags[i]);
}

void cli_print_command_help(const cli_command *cmd, FILE *out) {
  fprintf(out, "Usage: %s\n\n%s\n", cmd->usage, cmd->help);
  bool own = false;
  for (int i = 0; i < NFLAGS; i++)
    own =
        own || (flags[i].group != 0 && flags[i].group != CLI_FLAGS_READ && accepts(cmd, &flags[i]));
  if (own) {
    fprintf(out, "\nFlags:\n");
    for (int i = 0; i < NFLAGS; i++)
      if (flags[i].group != 0 && flags[i].group != CLI_FLAGS_READ)
        print_flag(out, cmd, &flags[i]);
  }
  if (cmd->flags & CLI_FLAGS_READ) {
    fprintf(out, "\nReading flags:\n");
    print_flags(out, cmd, CLI_FLAGS_READ);
  }
  fprintf(out, "\nOther flags:\n");
  print_flags(out, cmd, 0);
}

/* ---- applying the command line --------------------------------------------------------------*/

sbd_status cli_open_reader(sbd_ctx *ctx, const cli_args *args, int npaths, sbd_reader **out) {
  *out = NULL;
  if (args->threads >= 0) {
    sbd_status st = sbd_ctx_set_threads(ctx, args->threads);
    if (st != SBD_OK)
      return st;
  }
  return sbd_reader_open(ctx, args->paths, npaths, args->read_opts, out);
}

bool cli_wants_table(const cli_args *args) {
  if (args->output != CLI_OUT_AUTO)
    return args->output == CLI_OUT_TABLE;
  return isatty(STDOUT_FILENO) == 1;
}
