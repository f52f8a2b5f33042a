/*
 * cmd_browse.c — what the catalog holds: `sbd groups`, `sbd features [GROUP]`, `sbd versions
 * GROUP` (listings printed as sbd query prints a result) and `sbd describe GROUP` (a text).
 */
#include "cli/cli_int.h"

static int listing(sbd_ctx *ctx, const cli_args *args, int min_args, int max_args,
                   const char *usage_msg) {
  if (args->npaths < min_args || args->npaths > max_args)
    return cli_usage_error(args->cmd, "%s", usage_msg);
  sbd_repo *repo;
  int code = cli_open_repo(ctx, args, &repo);
  if (code != CLI_EXIT_OK)
    return code;
  const char *group = args->npaths ? args->paths[0] : NULL;
  const char *name = args->cmd->name;
  sbd_status st;
  if (name[0] == 'd') {
    char *text = NULL;
    st = sbd_repo_describe(repo, group, &text);
    if (st == SBD_OK)
      fputs(text, stdout);
    sbd_free(text);
    code = st == SBD_OK ? CLI_EXIT_OK : cli_fail(args->cmd, ctx, st);
  } else {
    sbd_reader *result = NULL;
    st = name[0] == 'g'   ? sbd_repo_groups(repo, &result)
         : name[0] == 'f' ? sbd_repo_features(repo, group, &result)
                          : sbd_repo_versions(repo, group, &result);
    code = st == SBD_OK ? cli_emit_result(ctx, args, result) : cli_fail(args->cmd, ctx, st);
  }
  sbd_repo_close(repo);
  return code;
}

static int run_groups(sbd_ctx *ctx, const cli_args *args) {
  return listing(ctx, args, 0, 0, "groups takes no argument");
}
static int run_features(sbd_ctx *ctx, const cli_args *args) {
  return listing(ctx, args, 0, 1, "features takes at most one group");
}
static int run_versions(sbd_ctx *ctx, const cli_args *args) {
  return listing(ctx, args, 1, 1, "versions takes one group");
}
static int run_describe(sbd_ctx *ctx, const cli_args *args) {
  return listing(ctx, args, 1, 1, "describe takes one group");
}

const cli_command cli_cmd_groups = {
    "groups",
    "list the feature groups",
    "sbd groups [--format F] [--repo DIR]",
    "Lists the groups registered in the catalog: description, owner, key, latest\n"
    "version, its rows and features, and when it was written.",
    CLI_FLAGS_QUERY | CLI_FLAGS_REPO,
    run_groups,
};

const cli_command cli_cmd_features = {
    "features",
    "list features with their latest statistics",
    "sbd features [GROUP] [--format F] [--repo DIR]",
    "Lists the features of GROUP (or of every group): type, description and the\n"
    "statistics of the latest version (count, nulls, min, max, mean, stddev and an\n"
    "approximate distinct count).",
    CLI_FLAGS_QUERY | CLI_FLAGS_REPO,
    run_features,
};

const cli_command cli_cmd_versions = {
    "versions",
    "list the versions of a group",
    "sbd versions GROUP [--format F] [--repo DIR]",
    "Lists GROUP's versions: when each was written, its rows and bytes, how long it\n"
    "took, the hash of the definition and the fingerprints of the sources it read.",
    CLI_FLAGS_QUERY | CLI_FLAGS_REPO,
    run_versions,
};

const cli_command cli_cmd_describe = {
    "describe",
    "show a group: definition, features, statistics, runs",
    "sbd describe GROUP [--repo DIR]",
    "Prints GROUP's definition (key, queries, what it reads), its features with the\n"
    "latest statistics (histograms of numbers, top values of strings) and its last\n"
    "runs.",
    CLI_FLAGS_REPO,
    run_describe,
};
