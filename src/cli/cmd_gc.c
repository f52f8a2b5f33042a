/*
 * cmd_gc.c — `sbd gc --keep N`: removes all but the N newest versions of each group.
 */
#include "cli/cli_int.h"

static int run_gc(sbd_ctx *ctx, const cli_args *args) {
  if (args->npaths)
    return cli_usage_error(args->cmd, "gc takes no argument");
  if (args->keep < 1)
    return cli_usage_error(args->cmd, "gc needs --keep N (the versions to keep per group)");
  sbd_repo *repo;
  int code = cli_open_repo(ctx, args, &repo);
  if (code != CLI_EXIT_OK)
    return code;
  int64_t removed;
  sbd_status st = sbd_repo_gc(repo, args->keep, &removed);
  if (st != SBD_OK)
    code = cli_fail(args->cmd, ctx, st);
  else
    printf("removed %lld version%s\n", (long long)removed, removed == 1 ? "" : "s");
  sbd_repo_close(repo);
  return code;
}

const cli_command cli_cmd_gc = {
    "gc",
    "remove old versions of feature groups",
    "sbd gc --keep N [--repo DIR]",
    "Keeps the N newest versions of each group (the latest always among them) and\n"
    "removes the others: from the catalog first, then their folders, so a reader\n"
    "never sees a registered version without its files. Also removes what an\n"
    "interrupted calculation left behind.",
    CLI_FLAGS_GC | CLI_FLAGS_REPO,
    run_gc,
};
