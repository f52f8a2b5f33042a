/*
 * cmd_apply.c — `sbd plan` (what apply would change) and `sbd apply` (register the definitions of
 * sbd.yaml in the catalog).
 */
#include "cli/cli_int.h"

static int run(sbd_ctx *ctx, const cli_args *args, bool apply) {
  if (args->npaths)
    return cli_usage_error(args->cmd, "%s takes no argument", apply ? "apply" : "plan");
  sbd_repo *repo;
  int code = cli_open_repo(ctx, args, &repo);
  if (code != CLI_EXIT_OK)
    return code;
  char *text = NULL;
  sbd_status st = apply ? sbd_repo_apply(repo, &text) : sbd_repo_plan(repo, &text);
  if (st != SBD_OK)
    code = cli_fail(args->cmd, ctx, st);
  else if (!*text)
    printf("%s\n", apply ? "nothing to apply: the catalog is up to date"
                         : "no changes: the catalog matches sbd.yaml");
  else
    printf("%s%s", text, apply ? "applied\n" : "");
  sbd_free(text);
  sbd_repo_close(repo);
  return code;
}

static int run_plan(sbd_ctx *ctx, const cli_args *args) {
  return run(ctx, args, false);
}

static int run_apply(sbd_ctx *ctx, const cli_args *args) {
  return run(ctx, args, true);
}

const cli_command cli_cmd_plan = {
    "plan",
    "show what apply would change in the catalog",
    "sbd plan [--repo DIR]",
    "Compares the groups of sbd.yaml with those registered in the catalog and\n"
    "prints one line per difference: + new, ~ changed, - no longer defined.",
    CLI_FLAGS_REPO,
    run_plan,
};

const cli_command cli_cmd_apply = {
    "apply",
    "register sbd.yaml's definitions in the catalog",
    "sbd apply [--repo DIR]",
    "Registers the groups of sbd.yaml and their features' descriptions in the\n"
    "catalog (.sbd/catalog.db), in one transaction, printing what changed as\n"
    "'sbd plan' does. sbd calculate registers the groups it calculates too.",
    CLI_FLAGS_REPO,
    run_apply,
};
