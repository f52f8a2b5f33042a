/*
 * cmd_init.c — `sbd init [DIR] [--example]`: a new feature repository (sbd_repo_init).
 */
#include "cli/cli_int.h"

static int run_init(sbd_ctx *ctx, const cli_args *args) {
  if (args->npaths > 1)
    return cli_usage_error(args->cmd, "init takes one folder");
  const char *dir = args->npaths ? args->paths[0] : ".";
  sbd_status st = sbd_repo_init(ctx, dir, args->example);
  if (st != SBD_OK)
    return cli_fail(args->cmd, ctx, st);
  printf("wrote %s/sbd.yaml%s\n", dir,
         args->example ? ", data/customers.csv and data/orders.jsonl" : "");
  return CLI_EXIT_OK;
}

const cli_command cli_cmd_init = {
    "init",
    "start a feature repository (sbd.yaml)",
    "sbd init [DIR] [--example]",
    "Writes DIR/sbd.yaml (DIR defaults to the current folder), a commented template\n"
    "of sources and feature groups. With --example it is a working repository over\n"
    "generated data (data/customers.csv, data/orders.jsonl); then try\n"
    "    sbd calculate --all\n"
    "    sbd get customer --features distance,gender --exclude '*' --filter 'age >= 30'\n"
    "An existing sbd.yaml is never replaced.",
    CLI_FLAGS_INIT,
    run_init,
};
