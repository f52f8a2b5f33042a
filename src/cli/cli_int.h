/*
 * cli_int.h — what the files of the sbd command share: the command table, the parsed command
 * line, error reporting with the exit-code convention, the TTY table and the progress bar.
 *
 * The command uses the public API (sbd.h), plus io_file_abort_all (signal handlers) and
 * io_format_of (checking formats before any work starts) from io_int.h, and for `sbd meta` the
 * Parquet footer reader of io/parquet/pq_int.h (pq_file_open and what it decodes), which the
 * public API does not show.
 *
 * Exit codes: 0 success, 1 bad input or a failed read or write (any error other than usage), 2 bad
 * usage (an unknown command or flag, a missing argument, SBD_EUSAGE from the library).
 */
#ifndef SBD_CLI_INT_H
#define SBD_CLI_INT_H

#include "sbd.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum { CLI_EXIT_OK = 0, CLI_EXIT_FAIL = 1, CLI_EXIT_USAGE = 2 };

/* Values are truncated to this many display columns in a table. */
#define CLI_TABLE_MAX_WIDTH 32

/* ---- the command line ----------------------------------------------------------------------*/

/* Groups of flags; a command accepts the union of its groups. */
enum {
  CLI_FLAGS_READ = 1u << 0,   /* --format, --schema, --delim, ... and --threads */
  CLI_FLAGS_OUTPUT = 1u << 1, /* --table, --csv */
  CLI_FLAGS_ROWS = 1u << 2,   /* -n, --rows */
  CLI_FLAGS_WRITE = 1u << 3,  /* --output-format, --compression, ... */
  CLI_FLAGS_JSON = 1u << 4,   /* --json */
  CLI_FLAGS_QUERY = 1u << 5,  /* sbd query: -o, --format (of the result), --threads */
  CLI_FLAGS_REPO = 1u << 6,   /* the feature store's commands: --repo */
  CLI_FLAGS_INIT = 1u << 7,   /* sbd init: --example */
  CLI_FLAGS_CALC = 1u << 8,   /* sbd calculate: --all, --force, --wait */
  CLI_FLAGS_GET = 1u << 9,    /* sbd get: --features, --exclude, --filter, --version */
  CLI_FLAGS_GC = 1u << 10,    /* sbd gc: --keep */
  CLI_FLAGS_DDL = 1u << 11,   /* sbd export-ddl: --engine, --location, --database */
  CLI_FLAGS_STATS = 1u << 12, /* sbd query: --stats */
  CLI_FLAGS_DEDUP = 1u << 13, /* sbd dedup: --state (in read_opts), --threads */
  CLI_FLAGS_DEMO = 1u << 14,  /* sbd demo: --customers, --orders */
  CLI_FLAGS_FILE = 1u << 15,  /* sbd query: -f FILE (the SQL script), --timer */
};

/* File formats, as bits: the formats a flag applies to. */
enum { CLI_FMT_CSV = 1u << 0, CLI_FMT_JSONL = 1u << 1, CLI_FMT_PARQUET = 1u << 2 };

typedef enum cli_output { CLI_OUT_AUTO, CLI_OUT_TABLE, CLI_OUT_CSV } cli_output;

struct cli_command;

/* A parsed command line. Strings are borrowed from argv. */
typedef struct cli_args {
  const struct cli_command *cmd;
  const char **paths; /* the positional arguments, in order (malloc'd array) */
  int npaths;
  sbd_options *read_opts;  /* reading flags as sbd_options keys */
  sbd_options *write_opts; /* writing flags (--output-format is "format") */
  int threads;             /* --threads, or -1 when not given */
  int64_t rows;            /* -n; 10 when not given */
  cli_output output;
  bool json;                /* --json */
  const char *output_path;  /* -o FILE (sbd query), or NULL */
  const char *query_format; /* --format of sbd query's result, or NULL */
  bool stats;               /* --stats (sbd query) */
  const char *script_path;  /* -f FILE (sbd query): the script's file, "-" standard input */
  bool timer;               /* --timer (sbd query): each statement's time on stderr */
  bool help;
  uint64_t given; /* bit i: the flag of row i of the flag table was given */
  /* The feature store's commands. */
  const char *repo; /* --repo, or NULL: the current folder */
  bool example, all, force;
  double wait_s;        /* --wait, or -1: without end */
  const char *features; /* --features, --exclude: comma-separated, or NULL */
  const char *exclude;
  const char **filters; /* each --filter (malloc'd array) */
  int nfilters;
  int64_t version; /* --version, or 0: the latest */
  int keep;        /* --keep, or 0 when not given */
  const char *engine, *location, *database;
  int64_t customers, orders; /* sbd demo's sizes (defaults: the example's) */
} cli_args;

typedef struct cli_command {
  const char *name;
  const char *summary; /* one line for `sbd --help` */
  const char *usage;   /* "sbd head FILE... [-n N] [FLAGS]" */
  const char *help;    /* the description and the command's own flags */
  unsigned flags;      /* CLI_FLAGS_* */
  int (*run)(sbd_ctx *ctx, const cli_args *args);
} cli_command;

extern const cli_command cli_cmd_schema, cli_cmd_head, cli_cmd_count, cli_cmd_convert, cli_cmd_meta,
    cli_cmd_query, cli_cmd_dedup;
/* The feature store's commands (cmd_init.c, cmd_apply.c, cmd_calculate.c, cmd_get.c,
 * cmd_browse.c, cmd_gc.c, cmd_export_ddl.c). */
extern const cli_command cli_cmd_init, cli_cmd_apply, cli_cmd_plan, cli_cmd_calculate, cli_cmd_get,
    cli_cmd_groups, cli_cmd_features, cli_cmd_versions, cli_cmd_describe, cli_cmd_gc,
    cli_cmd_export_ddl;
/* sbd demo (cmd_demo.c): the example shop at any size, then the store's commands on it. */
extern const cli_command cli_cmd_demo;

/* ---- the feature store's commands (store_out.c) ----------------------------------------------*/

/* Opens the repository of --repo (or the current folder); prints the error and returns its exit
 * code on failure. */
int cli_open_repo(sbd_ctx *ctx, const cli_args *args, sbd_repo **out);
/* Prints or writes a result as sbd query does: -o FILE / --format, else a table on a terminal
 * and CSV otherwise. Closes reader. */
int cli_emit_result(sbd_ctx *ctx, const cli_args *args, sbd_reader *reader);
/* The result's format for -o/--format (checked; a usage error otherwise), as cli_emit_result
 * uses it: commands call it before running anything. */
int cli_result_format(const cli_args *args, const char **format);

/* Parses argv[0..argc) (the words after the command name) into args. On a usage error prints it
 * with the hint and returns CLI_EXIT_USAGE; otherwise CLI_EXIT_OK. Free with cli_args_free. */
int cli_args_parse(const cli_command *cmd, int argc, char **argv, cli_args *args);
void cli_args_free(cli_args *args);
/* Prints a command's full help to out. */
void cli_print_command_help(const cli_command *cmd, FILE *out);

/* ---- errors and exit codes -------------------------------------------------------------------*/

/* Prints "sbd: <message>" and, for usage errors, "Try 'sbd help CMD'." (cmd may be NULL: "Try 'sbd
 * help'."). Returns the exit code for status (1 or 2). */
int cli_fail(const cli_command *cmd, sbd_ctx *ctx, sbd_status status);
/* A usage error of the command line itself: prints the formatted message and the hint, returns
 * CLI_EXIT_USAGE. */
int cli_usage_error(const cli_command *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* For the command's own allocations, which leave no message on a context: prints "sbd: out of
 * memory" and returns CLI_EXIT_FAIL. */
int cli_out_of_memory(void);
/* True when standard output is a pipe whose reader has gone (EPIPE): writing stopped early because
 * the consumer had enough, as with `sbd head big.csv | head -1`, which is not an error. */
bool cli_stdout_closed(void);
/* Prints "N records rejected (see FILE)" to stderr when n > 0; file may be NULL or "". */
void cli_report_rejects(int64_t n, const char *file);

/* The CLI_FMT_* bit of a format name as io_format_of gives it ("csv", "tsv", "jsonl", "json",
 * "ndjson", "parquet"; any case), or 0 for NULL or a name sbd does not know. */
unsigned cli_format_bit(const char *format);
/* Checks that the flags of group (CLI_FLAGS_READ or CLI_FLAGS_WRITE) given on the command line
 * apply to format (of file path, "-" for standard input or output). Otherwise prints a usage error
 * such as "--compression applies to Parquet output only (out.csv is CSV)" and returns
 * CLI_EXIT_USAGE. An unknown or NULL format passes (the library reports it). */
int cli_check_flag_formats(const cli_args *args, unsigned group, const char *path,
                           const char *format);
/* Checks the reading flags against the formats of the inputs paths[0..npaths) (by option format
 * or extension; a glob by its pattern's). Returns CLI_EXIT_OK or the exit code of the error it
 * printed. */
int cli_check_inputs(const cli_args *args, int npaths);
/* Shared steps of the reading commands: checks the reading flags against the inputs' formats,
 * applies --threads to ctx and opens the reader over the positional arguments paths[0..npaths).
 * Returns CLI_EXIT_OK, or the exit code of the error it printed. */
int cli_open_reader(sbd_ctx *ctx, const cli_args *args, int npaths, sbd_reader **out);
/* Whether a table is printed: --table, --csv, or else whether stdout is a terminal. */
bool cli_wants_table(const cli_args *args);
/* The width of the terminal on stdout: $COLUMNS, else TIOCGWINSZ, else 80. */
int cli_terminal_width(void);
/* The length of the valid UTF-8 sequence at s[0..n) (n > 0) and its code point, or 0 if it is
 * not valid UTF-8 (table.c). */
size_t cli_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);

/* ---- the table (table.c) ---------------------------------------------------------------------
 * An aligned text table for a terminal: a header row of names, an optional row of types, a rule,
 * then the cells. Cells are kept escaped (control characters and invalid UTF-8 as \n, \xNN) and
 * truncated to CLI_TABLE_MAX_WIDTH display columns with '…' when printed. Columns that do not fit
 * the width are left out, and a closing line says how many. */
typedef struct cli_table cli_table;

/* A table of ncols columns; names[i] and types[i] (types may be NULL) are copied; right[i] says
 * whether column i is right-aligned (numbers). NULL when out of memory. */
cli_table *cli_table_new(int ncols, const char *const *names, const char *const *types,
                         const bool *right);
void cli_table_free(cli_table *t);
/* Appends one cell, filling rows left to right; text NULL is a NULL value. */
bool cli_table_add(cli_table *t, const char *text, size_t len);
/* Appends every row of a batch whose columns are the table's. */
sbd_status cli_table_add_batch(cli_table *t, sbd_ctx *ctx, const sbd_batch *batch);
/* A table for a schema: names, types, numbers right-aligned. */
cli_table *cli_table_for_schema(const sbd_schema *schema);
/* Prints the table to out within width display columns. Returns false on a write error. */
bool cli_table_print(const cli_table *t, FILE *out, int width);

/* ---- the progress bar (progress.c) -----------------------------------------------------------
 * Shown on stderr when it is a terminal and the work has run for more than a second: rows, MB/s,
 * and, when the input size is known, percent and ETA. Redrawn at most ten times a second and
 * cleared by cli_progress_end (or by a fatal signal). */
typedef struct cli_progress {
  bool enabled;
  double start_s, last_draw_s;
} cli_progress;

/* streams_to_stdout says that data is written to stdout while the work runs: the bar is then not
 * shown when stdout is a terminal too, where it would garble the data. */
void cli_progress_begin(cli_progress *p, bool streams_to_stdout);
/* Called after each batch with the rows read so far. */
void cli_progress_update(cli_progress *p, const sbd_reader *reader, int64_t rows);
void cli_progress_end(cli_progress *p);
/* Clears a bar that is on screen; async-signal-safe. */
void cli_progress_clear_from_signal(void);

#endif
