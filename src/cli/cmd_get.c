/*
 * cmd_get.c — `sbd get GROUP [--features NAMES] [--exclude GLOBS] [--filter SQL]... [--version N]
 * [-o FILE] [--format F]`: a feature set (sbd_repo_get), printed or written as sbd query does.
 */
#include "cli/cli_int.h"

#include <stdlib.h>
#include <string.h>

/* Splits a comma-separated list into words (in the copy *buf); NULL text gives none. */
static bool split(const char *text, char **buf, const char ***words, int *n) {
  *buf = NULL;
  *words = NULL;
  *n = 0;
  if (!text)
    return true;
  size_t len = strlen(text);
  *buf = malloc(len + 1);
  *words = malloc(sizeof(char *) * (len + 1));
  if (!*buf || !*words)
    return false;
  memcpy(*buf, text, len + 1);
  for (char *s = *buf; s;) {
    char *comma = strchr(s, ',');
    if (comma)
      *comma = 0;
    while (*s == ' ')
      s++;
    size_t l = strlen(s);
    while (l && s[l - 1] == ' ')
      s[--l] = 0;
    if (*s)
      (*words)[(*n)++] = s;
    s = comma ? comma + 1 : NULL;
  }
  return true;
}

static int run_get(sbd_ctx *ctx, const cli_args *args) {
  if (args->npaths != 1)
    return cli_usage_error(args->cmd, args->npaths ? "get takes one group (name others in "
                                                     "--features as GROUP:NAME)"
                                                   : "get needs a group");
  char *fbuf, *ebuf;
  const char **features, **exclude;
  int nfeatures, nexclude;
  bool ok = split(args->features, &fbuf, &features, &nfeatures);
  ok = split(args->exclude, &ebuf, &exclude, &nexclude) && ok;
  int code = ok ? CLI_EXIT_OK : cli_out_of_memory();
  sbd_repo *repo = NULL;
  if (code == CLI_EXIT_OK)
    code = cli_open_repo(ctx, args, &repo);
  if (code == CLI_EXIT_OK) {
    sbd_get_request req = {args->paths[0], features,       nfeatures,     exclude, nexclude,
                           args->filters,  args->nfilters, args->version, -1};
    sbd_reader *result;
    sbd_status st = sbd_repo_get(repo, &req, &result);
    code = st == SBD_OK ? cli_emit_result(ctx, args, result) : cli_fail(args->cmd, ctx, st);
  }
  sbd_repo_close(repo);
  free(fbuf);
  free(ebuf);
  free(features);
  free(exclude);
  return code;
}

const cli_command cli_cmd_get = {
    "get",
    "read a feature set from the store",
    "sbd get GROUP [--features NAMES] [--exclude GLOBS] [--filter SQL]... [--version N]\n"
    "               [-o FILE] [--format F] [--repo DIR]",
    "Prints the key and the features of GROUP's latest version (or --version N):\n"
    "all of them, or those --features names (names or globs, comma-separated;\n"
    "GROUP:NAME joins another group on the key), less those matching --exclude\n"
    "unless named exactly. Each --filter is a SQL predicate over any feature of\n"
    "the groups, returned or not; rows must pass them all.\n"
    "    sbd get customer --features distance,gender --exclude '*' --filter 'age >= 30'\n"
    "    sbd get customer --features 'customer:*,customer_segment:segment'",
    CLI_FLAGS_GET | CLI_FLAGS_QUERY | CLI_FLAGS_REPO,
    run_get,
};
