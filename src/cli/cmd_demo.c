/*
 * cmd_demo.c — `sbd demo [DIR] [--customers N] [--orders N]`: a first look at the feature store.
 * Writes the example shop of `sbd init --example` at the sizes asked (sbd_repo_demo: customers
 * CSV, orders JSON Lines, sbd.yaml), then runs apply, calculate --all and the get, each
 * shown first as the command a user would type ("+ sbd ..."). The steps run the commands' own
 * code (their argv parsed as the command line would be), so what is shown is what runs. Of the
 * get only the first rows are printed, then how many rows the feature set has.
 */
#include "cli/cli_int.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEMO_DIR "demo/shop"
#define DEMO_SHOWN_ROWS 5

/* Shows "+ sbd NAME ARGS... --repo DIR" and runs the command with that command line. */
static int run_step(sbd_ctx *ctx, const cli_command *cmd, const char *dir, int argc,
                    const char **argv) {
  const char *words[8];
  int n = 0;
  printf("+ sbd %s", cmd->name);
  for (int i = 0; i < argc && n < 6; i++) {
    words[n++] = argv[i];
    printf(strchr(argv[i], ' ') || strchr(argv[i], '*') ? " '%s'" : " %s", argv[i]);
  }
  words[n++] = "--repo";
  words[n++] = dir;
  printf(" --repo %s\n", dir);
  fflush(stdout);
  cli_args args;
  int code = cli_args_parse(cmd, n, (char **)words, &args);
  if (code == CLI_EXIT_OK)
    code = cmd->run(ctx, &args);
  cli_args_free(&args);
  printf("\n");
  fflush(stdout);
  return code;
}

/* The feature set: its first rows (a table on a terminal, CSV otherwise) and its size. */
static int show_feature_set(sbd_ctx *ctx, const cli_args *args, const char *dir) {
  static const char *const features[] = {"distance", "gender"};
  static const char *const exclude[] = {"*"};
  static const char *const filters[] = {"age >= 30"};
  printf("+ sbd get customer --features distance,gender --exclude '*' --filter 'age >= 30' "
         "--repo %s | head -n %d\n",
         dir, DEMO_SHOWN_ROWS + 1);
  fflush(stdout);
  sbd_repo *repo;
  sbd_status st = sbd_repo_open(ctx, dir, &repo);
  if (st != SBD_OK)
    return cli_fail(args->cmd, ctx, st);
  sbd_get_request req = {"customer", features, 2, exclude, 1, filters, 1, 0, -1};
  sbd_reader *result = NULL;
  st = sbd_repo_get(repo, &req, &result);
  cli_table *table = NULL;
  sbd_writer *writer = NULL;
  bool out_of_memory = false;
  if (st == SBD_OK && isatty(STDOUT_FILENO) == 1) {
    table = cli_table_for_schema(sbd_reader_schema(result));
    out_of_memory = !table;
    st = table ? SBD_OK : SBD_ENOMEM;
  } else if (st == SBD_OK) {
    sbd_options *opts = sbd_options_new();
    st = opts ? sbd_options_set(opts, "format", "csv") : SBD_ENOMEM;
    out_of_memory = st != SBD_OK;
    if (st == SBD_OK)
      st = sbd_writer_open(ctx, "-", sbd_reader_schema(result), opts, &writer);
    sbd_options_free(opts);
  }
  int64_t rows = 0;
  while (st == SBD_OK) {
    sbd_batch *b;
    st = sbd_reader_next(result, &b);
    if (st != SBD_OK || !b)
      break;
    int64_t n = sbd_batch_nrows(b);
    if (rows < DEMO_SHOWN_ROWS) {
      sbd_batch *first = NULL;
      int64_t take = n < DEMO_SHOWN_ROWS - rows ? n : DEMO_SHOWN_ROWS - rows;
      st = sbd_batch_slice(ctx, b, 0, take, &first);
      if (st == SBD_OK && table) {
        st = cli_table_add_batch(table, ctx, first);
        out_of_memory = st != SBD_OK;
      } else if (st == SBD_OK) {
        st = sbd_writer_write(writer, first);
      }
      sbd_batch_free(first);
    }
    rows += n;
    sbd_batch_free(b);
  }
  if (writer) {
    if (st == SBD_OK)
      st = sbd_writer_close(writer);
    else
      sbd_writer_abort(writer);
  }
  int code = CLI_EXIT_OK;
  if (st == SBD_OK) {
    if (table)
      cli_table_print(table, stdout, cli_terminal_width());
    printf("(%lld rows in all: customers aged 30 or more)\n", (long long)rows);
  } else {
    code = out_of_memory ? cli_out_of_memory() : cli_fail(args->cmd, ctx, st);
  }
  cli_table_free(table);
  sbd_reader_close(result);
  sbd_repo_close(repo);
  return code;
}

static int run_demo(sbd_ctx *ctx, const cli_args *args) {
  if (args->npaths > 1)
    return cli_usage_error(args->cmd, "demo takes one folder");
  const char *dir = args->npaths ? args->paths[0] : DEMO_DIR;
  /* The default's parent folder (sbd_repo_demo makes DIR itself). */
  if (strcmp(dir, DEMO_DIR) == 0 && mkdir("demo", 0777) != 0 && errno != EEXIST) {
    fprintf(stderr, "sbd: demo: cannot create the folder: %s\n", strerror(errno));
    return CLI_EXIT_FAIL;
  }
  printf("+ sbd demo %s --customers %lld --orders %lld\n", dir, (long long)args->customers,
         (long long)args->orders);
  fflush(stdout);
  sbd_status st = sbd_repo_demo(ctx, dir, args->customers, args->orders);
  if (st != SBD_OK)
    return cli_fail(args->cmd, ctx, st);
  printf("wrote %s/sbd.yaml, data/customers.csv (%lld customers) and data/orders.jsonl (%lld "
         "orders)\n\n",
         dir, (long long)args->customers, (long long)args->orders);
  static const char *const all[] = {"--all"};
  int code = run_step(ctx, &cli_cmd_apply, dir, 0, NULL);
  if (code == CLI_EXIT_OK)
    code = run_step(ctx, &cli_cmd_calculate, dir, 1, (const char **)all);
  if (code == CLI_EXIT_OK)
    code = show_feature_set(ctx, args, dir);
  return code;
}

const cli_command cli_cmd_demo = {
    "demo",
    "make an example shop and run the feature store on it",
    "sbd demo [DIR] [--customers N] [--orders N]",
    "Generates a shop in DIR (default demo/shop): data/customers.csv (name, e-mail,\n"
    "phone, gender, age, city, signup date) and data/orders.jsonl (timestamp, amount,\n"
    "distance, category), from a fixed seed, and the repository's sbd.yaml (as\n"
    "'sbd init --example' writes it). Then runs, showing each command first:\n"
    "    sbd apply\n"
    "    sbd calculate --all\n"
    "    sbd get customer --features distance,gender --exclude '*' --filter 'age >= 30'\n"
    "(its first rows). The large variant: --customers 1000000 --orders 10000000.\n"
    "Run again, it regenerates the data of its own repository; an sbd.yaml that is\n"
    "not the demo's is never replaced.",
    CLI_FLAGS_DEMO,
    run_demo,
};
