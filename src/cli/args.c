/*
 * args.c — the flags of the sbd command: one table that both the parser and the help text read,
 * so a flag cannot be documented without being accepted or the other way round.
 *
 * Each flag accepts `--flag value` and `--flag=value`; short flags (-n, -h) also `-n5`. Flags may
 * come before, between or after the positional arguments; `--` ends the flags, and a lone `-` is
 * a positional argument (standard input). A reading or writing flag is stored under its
 * sbd_options key (in the reader's or the writer's options), so the library checks its value and
 * names the option in any message. A flag that concerns some formats only (--delim: CSV,
 * --compression: Parquet) says so in the table, and using it with a file of another format is a
 * usage error naming the flag, found before anything is read.
 */
#include "cli/cli_int.h"
#include "io/io_int.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

enum flag_id {
  FLAG_READ_OPTION,  /* sets a reader option (cli_args.read_opts) */
  FLAG_WRITE_OPTION, /* sets a writer option (cli_args.write_opts) */
  FLAG_THREADS,
  FLAG_TABLE,
  FLAG_CSV,
  FLAG_ROWS,
  FLAG_JSON,
  FLAG_OUTPUT_FILE,
  FLAG_QUERY_FORMAT,
  FLAG_STATS,
  FLAG_HELP,
  FLAG_STORE, /* the feature store's commands: stored by apply_store_flag */
  FLAG_SCRIPT_FILE,
  FLAG_TIMER
};

typedef struct flag_spec {
  const char *name; /* "--delim" */
  char short_name;  /* 'n', or 0 */
  unsigned group;   /* CLI_FLAGS_*; 0 for flags every command accepts */
  enum flag_id id;
  const char *option; /* FLAG_*_OPTION: the sbd_options key */
  const char *fixed;  /* FLAG_*_OPTION without a value: the value it sets */
  const char *arg;    /* the value's name in the help, or NULL when the flag takes none */
  unsigned formats;   /* CLI_FMT_*: the formats the flag applies to; 0 for all */
  const char *help;
} flag_spec;

#define CSV CLI_FMT_CSV
#define PQ CLI_FMT_PARQUET

static const flag_spec flags[] = {
    {"--rows", 'n', CLI_FLAGS_ROWS, FLAG_ROWS, NULL, NULL, "N", 0, "rows to print (default 10)"},
    {"--table", 0, CLI_FLAGS_OUTPUT, FLAG_TABLE, NULL, NULL, NULL, 0,
     "print a table even when stdout is not a terminal"},
    {"--csv", 0, CLI_FLAGS_OUTPUT, FLAG_CSV, NULL, NULL, NULL, 0, "print CSV even on a terminal"},
    {"--json", 0, CLI_FLAGS_JSON, FLAG_JSON, NULL, NULL, NULL, 0, "print JSON instead of text"},
    /* sbd query (its --format is the result's, so it does not take the reading flags). */
    {"--output", 'o', CLI_FLAGS_QUERY, FLAG_OUTPUT_FILE, NULL, NULL, "FILE", 0,
     "write the result to FILE (csv, jsonl or parquet by its extension), atomically"},
    {"--format", 0, CLI_FLAGS_QUERY, FLAG_QUERY_FORMAT, NULL, NULL, "F", 0,
     "table, csv, jsonl or parquet (default: table on a terminal, else CSV)"},
    {"--threads", 0, CLI_FLAGS_QUERY, FLAG_THREADS, NULL, NULL, "N", 0,
     "worker threads (default 0: one per core)"},
    {"--stats", 0, CLI_FLAGS_STATS, FLAG_STATS, NULL, NULL, NULL, 0,
     "print on stderr the row groups and files the filters skipped"},
    {"--file", 'f', CLI_FLAGS_FILE, FLAG_SCRIPT_FILE, NULL, NULL, "FILE", 0,
     "read the SQL script from FILE (- for standard input) instead of the argument"},
    {"--timer", 0, CLI_FLAGS_FILE, FLAG_TIMER, NULL, NULL, NULL, 0,
     "print each statement's wall time on stderr (Run Time: 0.123 s)"},
    /* Reading. */
    {"--format", 0, CLI_FLAGS_READ, FLAG_READ_OPTION, "format", NULL, "F", 0,
     "csv, jsonl or parquet (default: by the extension)"},
    {"--schema", 0, CLI_FLAGS_READ, FLAG_READ_OPTION, "schema", NULL, "S", 0,
     "column types, e.g. 'id:INT64,ts:TIMESTAMP'"},
    {"--columns", 0, CLI_FLAGS_READ, FLAG_READ_OPTION, "columns", NULL, "LIST", PQ,
     "Parquet: read only these columns, in this order"},
    {"--delim", 0, CLI_FLAGS_READ, FLAG_READ_OPTION, "delim", NULL, "C", CSV,
     "CSV delimiter (default: detected)"},
    {"--no-header", 0, CLI_FLAGS_READ, FLAG_READ_OPTION, "header", "false", NULL, CSV,
     "no header row: columns are column0, ..."},
    {"--nulls", 0, CLI_FLAGS_READ, FLAG_READ_OPTION, "nulls", NULL, "LIST", CSV,
     "texts read as NULL (default: '',NA,NULL,null)"},
    {"--quote", 0, CLI_FLAGS_READ, FLAG_READ_OPTION, "quote", NULL, "C", CSV,
     "CSV quote, '' for none (default \")"},
    {"--sample-rows", 0, CLI_FLAGS_READ, FLAG_READ_OPTION, "sample_rows", NULL, "N", 0,
     "rows read to infer types (default 20480)"},
    {"--max-line-bytes", 0, CLI_FLAGS_READ, FLAG_READ_OPTION, "max_line_bytes", NULL, "SIZE", 0,
     "longest record allowed (default 64M)"},
    {"--on-error", 0, CLI_FLAGS_READ, FLAG_READ_OPTION, "on_error", NULL, "MODE", 0,
     "fail (default) or skip bad records"},
    {"--rejects", 0, CLI_FLAGS_READ, FLAG_READ_OPTION, "rejects", NULL, "FILE", 0,
     "with --on-error skip: write them to FILE"},
    {"--threads", 0, CLI_FLAGS_READ, FLAG_THREADS, NULL, NULL, "N", 0,
     "worker threads (default 0: one per core)"},
    /* Writing: every format, then CSV, then Parquet (the help prints Parquet's apart). */
    {"--output-format", 0, CLI_FLAGS_WRITE, FLAG_WRITE_OPTION, "format", NULL, "F", 0,
     "csv, jsonl or parquet (default: by OUTPUT's extension)"},
    {"--output-delim", 0, CLI_FLAGS_WRITE, FLAG_WRITE_OPTION, "delim", NULL, "C", CSV,
     "CSV delimiter (default ',', tab for .tsv)"},
    {"--no-output-header", 0, CLI_FLAGS_WRITE, FLAG_WRITE_OPTION, "header", "false", NULL, CSV,
     "CSV without a header row"},
    {"--compression", 0, CLI_FLAGS_WRITE, FLAG_WRITE_OPTION, "compression", NULL, "NAME", PQ,
     "snappy (default), zstd, gzip, lz4_raw or none"},
    {"--compression-level", 0, CLI_FLAGS_WRITE, FLAG_WRITE_OPTION, "compression_level", NULL, "N",
     PQ, "zstd 1..22, gzip 1..9 (default: the codec's)"},
    {"--row-group-size", 0, CLI_FLAGS_WRITE, FLAG_WRITE_OPTION, "row_group_rows", NULL, "N", PQ,
     "rows per row group at most (default 1048576)"},
    {"--row-group-bytes", 0, CLI_FLAGS_WRITE, FLAG_WRITE_OPTION, "row_group_bytes", NULL, "SIZE",
     PQ, "bytes of values per row group, uncompressed (default 128M)"},
    {"--page-bytes", 0, CLI_FLAGS_WRITE, FLAG_WRITE_OPTION, "page_bytes", NULL, "SIZE", PQ,
     "bytes of values per data page (default 1M)"},
    {"--parquet-encoding", 0, CLI_FLAGS_WRITE, FLAG_WRITE_OPTION, "parquet_encoding", NULL, "E", PQ,
     "dictionary (default), plain, delta or byte_stream_split"},
    {"--data-page", 0, CLI_FLAGS_WRITE, FLAG_WRITE_OPTION, "data_page", NULL, "V", PQ,
     "data page version: v1 (default) or v2"},
    {"--dict-limit", 0, CLI_FLAGS_WRITE, FLAG_WRITE_OPTION, "parquet_dict_limit", NULL, "SIZE", PQ,
     "dictionary bytes per column chunk before it falls back to plain (default 1M)"},
    /* The feature store's commands (the option field names the flag for apply_store_flag). */
    {"--example", 0, CLI_FLAGS_INIT, FLAG_STORE, "example", NULL, NULL, 0,
     "write a working example with generated data"},
    {"--all", 0, CLI_FLAGS_CALC, FLAG_STORE, "all", NULL, NULL, 0,
     "every group, in dependency order"},
    {"--force", 0, CLI_FLAGS_CALC, FLAG_STORE, "force", NULL, NULL, 0,
     "write a new version even when nothing changed"},
    {"--wait", 0, CLI_FLAGS_CALC, FLAG_STORE, "wait", NULL, "SECONDS", 0,
     "give up after waiting this long for another calculation of the group (default: wait)"},
    {"--features", 0, CLI_FLAGS_GET, FLAG_STORE, "features", NULL, "NAMES", 0,
     "features or globs, comma-separated; GROUP:NAME from another group (default: all)"},
    {"--exclude", 0, CLI_FLAGS_GET, FLAG_STORE, "exclude", NULL, "GLOBS", 0,
     "drop the features matching these globs, except those named in --features"},
    {"--filter", 0, CLI_FLAGS_GET, FLAG_STORE, "filter", NULL, "SQL", 0,
     "keep the rows where this predicate holds (repeatable; ANDed)"},
    {"--version", 0, CLI_FLAGS_GET, FLAG_STORE, "version", NULL, "N", 0,
     "read version N (default: the latest)"},
    {"--keep", 0, CLI_FLAGS_GC, FLAG_STORE, "keep", NULL, "N", 0,
     "versions to keep per group (the latest among them)"},
    {"--engine", 0, CLI_FLAGS_DDL, FLAG_STORE, "engine", NULL, "E", 0,
     "athena, trino, spark or duckdb"},
    {"--location", 0, CLI_FLAGS_DDL, FLAG_STORE, "location", NULL, "URL", 0,
     "where the store is for that engine (default: its absolute path)"},
    {"--database", 0, CLI_FLAGS_DDL, FLAG_STORE, "database", NULL, "DB", 0,
     "the database (schema) of the tables"},
    {"--customers", 0, CLI_FLAGS_DEMO, FLAG_STORE, "customers", NULL, "N", 0,
     "customers to generate (default 1000)"},
    {"--orders", 0, CLI_FLAGS_DEMO, FLAG_STORE, "orders", NULL, "N", 0,
     "orders to generate (default 5000)"},
    {"--repo", 0, CLI_FLAGS_REPO, FLAG_STORE, "repo", NULL, "DIR", 0,
     "the repository folder (default: the current folder)"},
    {"--state", 0, CLI_FLAGS_DEDUP, FLAG_READ_OPTION, "state", NULL, "DIR", 0,
     "keep records and entity ids in DIR between runs"},
    {"--memory-limit", 0, CLI_FLAGS_DEDUP, FLAG_READ_OPTION, "memory_limit", NULL, "SIZE", 0,
     "memory for records and key index (default: half the RAM); keys spill when over"},
    {"--threads", 0, CLI_FLAGS_DEDUP, FLAG_THREADS, NULL, NULL, "N", 0,
     "worker threads (default: one per core)"},
    {"--help", 'h', 0, FLAG_HELP, NULL, NULL, NULL, 0, "show this help"},
};
#define NFLAGS ((int)(sizeof(flags) / sizeof(flags[0])))
#undef CSV
#undef PQ

_Static_assert(sizeof(flags) / sizeof(flags[0]) <= 64, "cli_args.given has a bit per flag");

static bool accepts(const cli_command *cmd, const flag_spec *f) {
  return f->group == 0 || (cmd->flags & f->group) != 0;
}

static int unknown_flag(const cli_command *cmd, const char *word, size_t len) {
  const char *names[NFLAGS];
  int n = 0;
  for (int i = 0; i < NFLAGS; i++)
    if (accepts(cmd, &flags[i]))
      names[n++] = flags[i].name;
  char given[128];
  snprintf(given, sizeof(given), "%.*s", (int)(len < 100 ? len : 100), word);
  const char *near = given[1] == '-' ? sbd_closest(given, names, n) : NULL;
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

/* A flag of the feature store's commands, by its option name. */
static int apply_store_flag(const cli_command *cmd, const flag_spec *f, const char *shown,
                            const char *value, cli_args *args) {
  const char *o = f->option;
  long long n;
  if (strcmp(o, "example") == 0) {
    args->example = true;
  } else if (strcmp(o, "all") == 0) {
    args->all = true;
  } else if (strcmp(o, "force") == 0) {
    args->force = true;
  } else if (strcmp(o, "wait") == 0) {
    char *end;
    errno = 0;
    double w = strtod(value, &end);
    if (!*value || *end || errno || !(w >= 0) || w > 1e9)
      return cli_usage_error(cmd, "%s: expected a number of seconds, not '%s'", shown, value);
    args->wait_s = w;
  } else if (strcmp(o, "features") == 0) {
    args->features = value;
  } else if (strcmp(o, "exclude") == 0) {
    args->exclude = value;
  } else if (strcmp(o, "filter") == 0) {
    args->filters[args->nfilters++] = value;
  } else if (strcmp(o, "version") == 0) {
    if (!parse_count(value, 1, INT64_MAX, &n))
      return cli_usage_error(cmd, "%s: expected a version number (1 or more), not '%s'", shown,
                             value);
    args->version = n;
  } else if (strcmp(o, "keep") == 0) {
    if (!parse_count(value, 1, INT_MAX, &n))
      return cli_usage_error(cmd, "%s: expected a number of versions (1 or more), not '%s'", shown,
                             value);
    args->keep = (int)n;
  } else if (strcmp(o, "engine") == 0) {
    args->engine = value;
  } else if (strcmp(o, "location") == 0) {
    args->location = value;
  } else if (strcmp(o, "database") == 0) {
    args->database = value;
  } else if (strcmp(o, "repo") == 0) {
    args->repo = value;
  } else if (strcmp(o, "customers") == 0 || strcmp(o, "orders") == 0) {
    bool customers = o[0] == 'c';
    if (!parse_count(value, customers ? 1 : 0, SBD_DEMO_MAX_ROWS, &n))
      return cli_usage_error(cmd, "%s: expected a number of rows (%d to %lld), not '%s'", shown,
                             customers ? 1 : 0, (long long)SBD_DEMO_MAX_ROWS, value);
    *(customers ? &args->customers : &args->orders) = n;
  }
  return CLI_EXIT_OK;
}

static int apply_flag(const cli_command *cmd, const flag_spec *f, const char *shown,
                      const char *value, cli_args *args) {
  long long n;
  args->given |= UINT64_C(1) << (f - flags);
  switch (f->id) {
  case FLAG_READ_OPTION:
  case FLAG_WRITE_OPTION: {
    sbd_options *opts = f->id == FLAG_READ_OPTION ? args->read_opts : args->write_opts;
    if (sbd_options_set(opts, f->option, f->fixed ? f->fixed : value) != SBD_OK)
      return cli_out_of_memory();
    return CLI_EXIT_OK;
  }
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
  case FLAG_JSON:
    args->json = true;
    return CLI_EXIT_OK;
  case FLAG_OUTPUT_FILE:
    args->output_path = value;
    return CLI_EXIT_OK;
  case FLAG_QUERY_FORMAT:
    args->query_format = value;
    return CLI_EXIT_OK;
  case FLAG_STATS:
    args->stats = true;
    return CLI_EXIT_OK;
  case FLAG_HELP:
    args->help = true;
    return CLI_EXIT_OK;
  case FLAG_STORE:
    return apply_store_flag(cmd, f, shown, value, args);
  case FLAG_SCRIPT_FILE:
    args->script_path = value;
    return CLI_EXIT_OK;
  case FLAG_TIMER:
    args->timer = true;
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
  args->write_opts = sbd_options_new();
  args->paths = malloc(sizeof(char *) * (size_t)(argc > 0 ? argc : 1));
  args->filters = malloc(sizeof(char *) * (size_t)(argc > 0 ? argc : 1));
  args->wait_s = -1;
  args->customers = SBD_DEMO_CUSTOMERS;
  args->orders = SBD_DEMO_ORDERS;
  if (!args->read_opts || !args->write_opts || !args->paths || !args->filters)
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
  sbd_options_free(args->write_opts);
  free(args->paths);
  free(args->filters);
  args->filters = NULL;
  args->read_opts = NULL;
  args->write_opts = NULL;
  args->paths = NULL;
}

static void print_flag(FILE *out, const cli_command *cmd, const flag_spec *f) {
  if (!accepts(cmd, f))
    return;
  char left[64];
  snprintf(left, sizeof(left), "%c%c%c %s%s%s", f->short_name ? '-' : ' ',
           f->short_name ? f->short_name : ' ', f->short_name ? ',' : ' ', f->name,
           f->arg ? " " : "", f->arg ? f->arg : "");
  /* The help goes in a column from HELP_COLUMN, wrapped at a space to stay within 80. */
  enum { HELP_COLUMN = 30, LINE_WIDTH = 80 };
  fprintf(out, "  %-*s", HELP_COLUMN - 2, left);
  const char *h = f->help;
  while (strlen(h) > LINE_WIDTH - HELP_COLUMN) {
    const char *cut = h + (LINE_WIDTH - HELP_COLUMN);
    while (cut > h && *cut != ' ')
      cut--;
    if (cut == h)
      break;
    fprintf(out, "%.*s\n%*s", (int)(cut - h), h, HELP_COLUMN, "");
    h = cut + 1;
  }
  fprintf(out, "%s\n", h);
}

/* A section of the help: the flags the command accepts that keep(f) selects, under title. */
static void print_section(FILE *out, const cli_command *cmd, const char *title,
                          bool (*keep)(const flag_spec *f)) {
  bool any = false;
  for (int i = 0; i < NFLAGS && !any; i++)
    any = accepts(cmd, &flags[i]) && keep(&flags[i]);
  if (!any)
    return;
  fprintf(out, "\n%s:\n", title);
  for (int i = 0; i < NFLAGS; i++)
    if (keep(&flags[i]))
      print_flag(out, cmd, &flags[i]);
}

static bool is_own(const flag_spec *f) {
  return f->group != 0 && f->group != CLI_FLAGS_READ && f->group != CLI_FLAGS_WRITE;
}
static bool is_reading(const flag_spec *f) {
  return f->group == CLI_FLAGS_READ;
}
static bool is_writing(const flag_spec *f) {
  return f->group == CLI_FLAGS_WRITE && f->formats != CLI_FMT_PARQUET;
}
static bool is_parquet_writing(const flag_spec *f) {
  return f->group == CLI_FLAGS_WRITE && f->formats == CLI_FMT_PARQUET;
}
static bool is_other(const flag_spec *f) {
  return f->group == 0;
}

void cli_print_command_help(const cli_command *cmd, FILE *out) {
  fprintf(out, "Usage: %s\n\n%s\n", cmd->usage, cmd->help);
  print_section(out, cmd, "Flags", is_own);
  print_section(out, cmd, "Reading flags", is_reading);
  print_section(out, cmd, "Writing flags", is_writing);
  print_section(out, cmd, "Parquet writing flags", is_parquet_writing);
  print_section(out, cmd, "Other flags", is_other);
}

/* ---- applying the command line --------------------------------------------------------------*/

unsigned cli_format_bit(const char *format) {
  if (!format)
    return 0;
  if (strcasecmp(format, "csv") == 0 || strcasecmp(format, "tsv") == 0)
    return CLI_FMT_CSV;
  if (strcasecmp(format, "jsonl") == 0 || strcasecmp(format, "json") == 0 ||
      strcasecmp(format, "ndjson") == 0)
    return CLI_FMT_JSONL;
  if (strcasecmp(format, "parquet") == 0)
    return CLI_FMT_PARQUET;
  return 0;
}

static const char *format_title(unsigned bit) {
  return bit == CLI_FMT_CSV ? "CSV" : bit == CLI_FMT_JSONL ? "JSON Lines" : "Parquet";
}

int cli_check_flag_formats(const cli_args *args, unsigned group, const char *path,
                           const char *format) {
  unsigned bit = cli_format_bit(format);
  if (!bit)
    return CLI_EXIT_OK; /* unknown: the library names the format in its message */
  bool output = group == CLI_FLAGS_WRITE;
  for (int i = 0; i < NFLAGS; i++) {
    const flag_spec *f = &flags[i];
    if (!(args->given >> i & 1) || f->group != group || !f->formats || (f->formats & bit))
      continue;
    const char *who = strcmp(path, "-") != 0 ? path : output ? "standard output" : "standard input";
    /* Every flag limited to some formats is limited to one of them. */
    return cli_usage_error(args->cmd, "%s applies to %s %s only (%s is %s)", f->name,
                           format_title(f->formats), output ? "output" : "input", who,
                           format_title(bit));
  }
  return CLI_EXIT_OK;
}

int cli_check_inputs(const cli_args *args, int npaths) {
  for (int i = 0; i < npaths; i++) {
    int code = cli_check_flag_formats(args, CLI_FLAGS_READ, args->paths[i],
                                      io_format_of(args->read_opts, args->paths[i]));
    if (code != CLI_EXIT_OK)
      return code;
  }
  return CLI_EXIT_OK;
}

int cli_open_reader(sbd_ctx *ctx, const cli_args *args, int npaths, sbd_reader **out) {
  *out = NULL;
  int code = cli_check_inputs(args, npaths);
  if (code != CLI_EXIT_OK)
    return code;
  sbd_status st = SBD_OK;
  if (args->threads >= 0)
    st = sbd_ctx_set_threads(ctx, args->threads);
  if (st == SBD_OK)
    st = sbd_reader_open(ctx, args->paths, npaths, args->read_opts, out);
  return st == SBD_OK ? CLI_EXIT_OK : cli_fail(args->cmd, ctx, st);
}

bool cli_wants_table(const cli_args *args) {
  if (args->output != CLI_OUT_AUTO)
    return args->output == CLI_OUT_TABLE;
  return isatty(STDOUT_FILENO) == 1;
}
