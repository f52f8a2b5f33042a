/*
 * cmd_dedup.c — `sbd dedup [CONFIG.yaml | --repo DIR] [--state DIR] [--threads N] [--json]`: runs
 * the dedup that the configuration describes (sbd_dedup_run; docs/dedup.md), or without CONFIG
 * the dedup section of the repository's sbd.yaml (sbd_dedup_run_repo), and prints its summary, as
 * lines or, with --json, as the JSON the summary file holds.
 */
#include "cli/cli_int.h"

#include <stdio.h>
#include <unistd.h>

static int run_dedup(sbd_ctx *ctx, const cli_args *args) {
  if (args->npaths > 1)
    return cli_usage_error(args->cmd, "dedup takes one CONFIG file");
  if (args->npaths == 1 && args->repo)
    return cli_usage_error(args->cmd, "dedup takes a CONFIG file or --repo DIR, not both");
  if (args->npaths == 0 && !args->repo && access("sbd.yaml", F_OK) != 0)
    return cli_usage_error(args->cmd, "dedup needs a CONFIG file, or runs the dedup section of "
                                      "the repository here (no sbd.yaml) or in --repo DIR");
  sbd_status st = SBD_OK;
  if (args->threads >= 0)
    st = sbd_ctx_set_threads(ctx, args->threads);
  char *json = NULL, *text = NULL;
  if (st == SBD_OK)
    st = args->npaths == 1 ? sbd_dedup_run(ctx, args->paths[0], args->read_opts, &json, &text)
                           : sbd_dedup_run_repo(ctx, args->repo, args->read_opts, &json, &text);
  if (st != SBD_OK)
    return cli_fail(args->cmd, ctx, st);
  fputs(args->json ? json : text, stdout);
  sbd_dedup_text_free(json);
  sbd_dedup_text_free(text);
  return CLI_EXIT_OK;
}

const cli_command cli_cmd_dedup = {
    "dedup",
    "find the records of one customer and merge them",
    "sbd dedup [CONFIG.yaml | --repo DIR] [--state DIR] [--threads N] [--json]",
    "Reads the inputs that CONFIG.yaml names, links records that share a match\n"
    "key (after normalization; placeholder values never link) or that are\n"
    "similar within a block (fuzzy rules), takes the connected clusters, and\n"
    "writes one golden record per cluster (entity_id, the merged fields,\n"
    "n_records), the mapping of record ids to entity ids with the rule that\n"
    "linked each record, and a summary (printed; written as JSON when the\n"
    "configuration names a file). With --state DIR, records and entity ids are\n"
    "kept in DIR: a later run links new records to the known entities, which\n"
    "keep their ids, and records merges of known entities in DIR/merges.csv.\n"
    "Without CONFIG.yaml, runs the dedup section of sbd.yaml in the repository\n"
    "(the current folder, or --repo DIR).\n"
    "See docs/dedup.md for the configuration.",
    CLI_FLAGS_DEDUP | CLI_FLAGS_JSON | CLI_FLAGS_REPO,
    run_dedup,
};
