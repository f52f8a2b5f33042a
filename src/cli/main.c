/*
 * main.c — the sbd command: global flags (--help, --version), `sbd help COMMAND`, dispatch to a
 * command, the signal handlers and the exit status.
 *
 * Signals: SIGINT, SIGTERM and SIGHUP unlink the temporary files of outputs being written
 * (io_file_abort_all), clear the progress bar, and re-raise the signal with its default action,
 * so an interrupted convert leaves neither a temporary file nor a half-written output. SIGPIPE is
 * ignored: a write to a closed pipe then fails with EPIPE, which the commands treat as an early,
 * successful end (`sbd head big.csv | head -1`).
 *
 * Memory. Readers hand out batches of large vectors (half a MiB and more per column) that the
 * consumer frees while the next ones are decoded on other threads. With glibc's default malloc
 * such blocks come from fresh mappings, or from heap top handed back to the system as soon as it
 * is free, so each batch lands on fresh zeroed pages (a page fault and a page clear per 4 KiB: a
 * third of a Parquet scan's time). The command therefore raises malloc's mmap and trim thresholds
 * (32 MiB, 64 MiB) at start, so freed vectors are reused by the next batches; the process keeps at
 * most the trim threshold of free heap per malloc arena. This is the process owner's choice, so it
 * is made here and not in libsbd: a program embedding the library (Python) keeps its own settings.
 */
#include "cli/cli_int.h"
#include "io/io_int.h"

#include <errno.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <signal.h>
#include <stdlib.h>
#include <string.h>

static const cli_command *const commands[] = {
    &cli_cmd_schema, &cli_cmd_head, &cli_cmd_count, &cli_cmd_convert, &cli_cmd_meta, &cli_cmd_query,
    &cli_cmd_dedup,
    /* the feature store */
    &cli_cmd_init, &cli_cmd_plan, &cli_cmd_apply, &cli_cmd_calculate, &cli_cmd_get, &cli_cmd_groups,
    &cli_cmd_features, &cli_cmd_versions, &cli_cmd_describe, &cli_cmd_gc, &cli_cmd_export_ddl,
    &cli_cmd_demo};
#define NCOMMANDS ((int)(sizeof(commands) / sizeof(commands[0])))

static void print_main_help(FILE *out) {
  fprintf(out,
          "sbd %s - small big data: read, check and convert data files on one machine.\n\n"
          "Usage: sbd COMMAND [FLAGS] ARGS...\n\n"
          "Commands:\n",
          SBD_VERSION);
  for (int i = 0; i < NCOMMANDS; i++)
    fprintf(out, "  %-11s%s\n", commands[i]->name, commands[i]->summary);
  fprintf(out, "  %-11s%s\n", "help", "show the help of a command");
  fprintf(out, "\n"
               "Flags:\n"
               "  -h, --help     show this help (after a command: the command's help)\n"
               "      --version  print the version\n"
               "\n"
               "Files may be globs ('logs/*.csv', quoted so that sbd expands them) and - is\n"
               "standard input. Exit status: 0 success, 1 bad input or a failed read or write,\n"
               "2 bad usage. Run 'sbd help COMMAND' for a command's flags.\n");
}

static const cli_command *find_command(const char *name) {
  for (int i = 0; i < NCOMMANDS; i++)
    if (strcmp(commands[i]->name, name) == 0)
      return commands[i];
  return NULL;
}

static int unknown_command(const char *name) {
  const char *names[NCOMMANDS + 1];
  for (int i = 0; i < NCOMMANDS; i++)
    names[i] = commands[i]->name;
  names[NCOMMANDS] = "help";
  const char *near = sbd_closest(name, names, NCOMMANDS + 1);
  if (near)
    return cli_usage_error(NULL, "unknown command '%s' (did you mean '%s'?)", name, near);
  return cli_usage_error(NULL, "unknown command '%s'", name);
}

static void on_fatal_signal(int sig) {
  io_file_abort_all();
  cli_progress_clear_from_signal();
  signal(sig, SIG_DFL);
  raise(sig);
}

static void install_signals(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = on_fatal_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  static const int fatal[] = {SIGINT, SIGTERM, SIGHUP};
  for (size_t i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++) {
    /* A signal ignored by whoever started us (nohup) stays ignored. */
    struct sigaction old;
    if (sigaction(fatal[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
      continue;
    sigaction(fatal[i], &sa, NULL);
  }
  signal(SIGPIPE, SIG_IGN);
}

/* Flushes stdout; a failed write there is an error unless the reader of a pipe has gone. */
static int finish_stdout(int code) {
  errno = 0;
  if (fflush(stdout) != 0 || ferror(stdout)) {
    if (cli_stdout_closed())
      return code;
    fprintf(stderr, "sbd: standard output: write failed: %s\n", strerror(errno ? errno : EIO));
    return code ? code : CLI_EXIT_FAIL;
  }
  return code;
}

static int run_command(const cli_command *cmd, int argc, char **argv) {
  cli_args args;
  int code = cli_args_parse(cmd, argc, argv, &args);
  if (code == CLI_EXIT_OK && args.help) {
    cli_print_command_help(cmd, stdout);
  } else if (code == CLI_EXIT_OK) {
    sbd_ctx *ctx = sbd_ctx_new();
    if (!ctx) {
      code = cli_out_of_memory();
    } else {
      code = cmd->run(ctx, &args);
      sbd_ctx_free(ctx);
    }
  }
  cli_args_free(&args);
  return code;
}

#define CLI_MALLOC_MMAP_THRESHOLD (32 << 20)
#define CLI_MALLOC_TRIM_THRESHOLD (64 << 20)

/* See "Memory" above; only where malloc is glibc's (elsewhere nothing changes). */
static void tune_malloc(void) {
#if defined(__GLIBC__) && defined(M_MMAP_THRESHOLD) && defined(M_TRIM_THRESHOLD)
  mallopt(M_MMAP_THRESHOLD, CLI_MALLOC_MMAP_THRESHOLD);
  mallopt(M_TRIM_THRESHOLD, CLI_MALLOC_TRIM_THRESHOLD);
#endif
}

int main(int argc, char **argv) {
  tune_malloc();
  install_signals();
  if (argc < 2) {
    print_main_help(stderr);
    return CLI_EXIT_USAGE;
  }
  const char *first = argv[1];
  int code;
  if (strcmp(first, "--help") == 0 || strcmp(first, "-h") == 0) {
    print_main_help(stdout);
    code = CLI_EXIT_OK;
  } else if (strcmp(first, "--version") == 0) {
    printf("sbd %s\n", SBD_VERSION);
    code = CLI_EXIT_OK;
  } else if (strcmp(first, "help") == 0) {
    if (argc == 2) {
      print_main_help(stdout);
      code = CLI_EXIT_OK;
    } else if (argc > 3) {
      code = cli_usage_error(NULL, "help takes one command name");
    } else if (find_command(argv[2])) {
      cli_print_command_help(find_command(argv[2]), stdout);
      code = CLI_EXIT_OK;
    } else if (strcmp(argv[2], "help") == 0) {
      print_main_help(stdout);
      code = CLI_EXIT_OK;
    } else {
      code = unknown_command(argv[2]);
    }
  } else if (first[0] == '-') {
    code = cli_usage_error(NULL, "unknown flag '%s' (a command comes first: sbd COMMAND [FLAGS])",
                           first);
  } else if (find_command(first)) {
    code = run_command(find_command(first), argc - 2, argv + 2);
  } else {
    code = unknown_command(first);
  }
  return finish_stdout(code);
}
