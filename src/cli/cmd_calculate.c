/*
 * cmd_calculate.c — `sbd calculate GROUP... | --all [--force] [--wait SECONDS]`: writes a new
 * version of each group (sbd_repo_calculate), in dependency order, stopping at the first failure.
 */
#include "cli/cli_int.h"

#include <stdlib.h>
#include <string.h>

static void on_notice(void *arg, const char *message) {
  (void)arg;
  fprintf(stderr, "sbd: %s\n", message);
}

static int run_calculate(sbd_ctx *ctx, const cli_args *args) {
  if (!args->all && args->npaths == 0)
    return cli_usage_error(args->cmd, "calculate needs group names or --all");
  if (args->all && args->npaths)
    return cli_usage_error(args->cmd, "--all calculates every group: name none with it");
  sbd_repo *repo;
  int code = cli_open_repo(ctx, args, &repo);
  if (code != CLI_EXIT_OK)
    return code;
  sbd_repo_set_notice(repo, on_notice, NULL);
  const char *const *order;
  int n;
  sbd_repo_group_names(repo, &order, &n);
  /* Named groups are run in dependency order too; an unknown name fails first. */
  const char **todo = malloc(sizeof(char *) * (size_t)(n + args->npaths + 1));
  int ntodo = 0;
  if (!todo) {
    sbd_repo_close(repo);
    return cli_out_of_memory();
  }
  for (int i = 0; i < args->npaths; i++) {
    bool known = false;
    for (int k = 0; k < n && !known; k++)
      known = strcmp(order[k], args->paths[i]) == 0;
    if (!known)
      todo[ntodo++] = args->paths[i];
  }
  for (int k = 0; k < n; k++) {
    bool wanted = args->all;
    for (int i = 0; i < args->npaths && !wanted; i++)
      wanted = strcmp(order[k], args->paths[i]) == 0;
    if (wanted)
      todo[ntodo++] = order[k];
  }
  for (int i = 0; i < ntodo && code == CLI_EXIT_OK; i++) {
    int64_t version;
    int written;
    sbd_status st = sbd_repo_calculate(repo, todo[i], args->force ? SBD_CALC_FORCE : 0,
                                       args->wait_s, &version, &written);
    if (st != SBD_OK)
      code = cli_fail(args->cmd, ctx, st);
    else if (written)
      printf("%s: wrote version %lld\n", todo[i], (long long)version);
    else
      printf("%s: up to date (version %lld)\n", todo[i], (long long)version);
    fflush(stdout);
  }
  free(todo);
  sbd_repo_close(repo);
  return code;
}

const cli_command cli_cmd_calculate = {
    "calculate",
    "compute feature groups into new versions",
    "sbd calculate GROUP... | --all [--force] [--wait SECONDS] [--repo DIR]",
    "Runs each group's feature queries, joins them on the key and writes a new\n"
    "version, store/GROUP/version=N/part-K.parquet, with its statistics and lineage\n"
    "in the catalog. A group whose definition and sources did not change is 'up to\n"
    "date' and nothing is written (unless --force). Groups run in dependency order.\n"
    "A calculation of a group that another process is calculating waits for it.",
    CLI_FLAGS_CALC | CLI_FLAGS_REPO,
    run_calculate,
};
