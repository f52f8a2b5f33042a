/*
 * writer.c — the public writer: picks the format from the option or the extension, opens an
 * atomic output file (outfile.c) and lets the format write batches into it (text formats through
 * the ordered parallel formatting of fmtq.c). Nothing reaches the target path before
 * sbd_writer_close succeeds.
 */
#include "io/io_int.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

sbd_status sbd_writer_open(sbd_ctx *ctx, const char *path, const sbd_schema *schema,
                           const sbd_options *opts, sbd_writer **out) {
  *out = NULL;
  const char *fmt = io_format_of(opts, path);
  if (!fmt) {
    if (strcmp(path, "-") == 0)
      return sbd_error(ctx, SBD_EUSAGE,
                       "standard output: say its format with option format (csv, jsonl or "
                       "parquet)");
    return sbd_error(ctx, SBD_EUSAGE,
                     "%s: cannot tell the output format from the name; say it with option format "
                     "(csv, jsonl or parquet)",
                     path);
  }
  sbd_status (*init)(sbd_writer *, const sbd_options *) = NULL;
  if (strcasecmp(fmt, "csv") == 0 || strcasecmp(fmt, "tsv") == 0)
    init = csv_writer_init;
  else if (strcasecmp(fmt, "jsonl") == 0 || strcasecmp(fmt, "json") == 0 ||
           strcasecmp(fmt, "ndjson") == 0)
    init = jsonl_writer_init;
  else if (strcasecmp(fmt, "parquet") == 0)
    init = pq_writer_init;
  else
    return sbd_error(ctx, SBD_EUSAGE,
                     "%s: unknown output format '%s' (formats: csv, jsonl, parquet)", path, fmt);
  sbd_writer *w = sbd_calloc(ctx, 1, sizeof(*w));
  if (!w)
    return SBD_ENOMEM;
  w->ctx = ctx;
  w->schema = schema_ref((sbd_schema *)schema);
  sbd_status st = io_file_create(ctx, path, &w->file);
  if (st == SBD_OK)
    st = init(w, opts);
  if (st != SBD_OK) {
    sbd_writer_abort(w);
    return st;
  }
  *out = w;
  return SBD_OK;
}

sbd_status sbd_writer_write(sbd_writer *w, const sbd_batch *b) {
  const sbd_schema *s = b->schema;
  if (s->ncols != w->schema->ncols)
    return sbd_error(w->ctx, SBD_EUSAGE, "writer: a batch of %d columns for a schema of %d",
                     s->ncols, w->schema->ncols);
  for (int i = 0; i < s->ncols; i++)
    if (s->fields[i].type != w->schema->fields[i].type)
      return sbd_error(w->ctx, SBD_EUSAGE,
                       "writer: column '%s' is %s in the batch but %s in the "
                       "output",
                       w->schema->fields[i].name, sbd_type_name(s->fields[i].type),
                       sbd_type_name(w->schema->fields[i].type));
  if (w->ops->format_batch)
    return io_fmtq_push(w, b);
  return w->ops->write(w, b);
}

static void writer_free(sbd_writer *w) {
  io_fmtq_free(w); /* before the format's settings go: tasks may still read them */
  if (w->ops && w->ops->free)
    w->ops->free(w);
  schema_unref(w->schema);
  free(w);
}

sbd_status sbd_writer_close(sbd_writer *w) {
  sbd_status st = io_fmtq_drain(w);
  if (st == SBD_OK && w->ops->finish)
    st = w->ops->finish(w);
  if (st == SBD_OK) {
    st = io_file_commit(w->ctx, w->file);
  } else {
    io_file_abort(w->file);
  }
  w->file = NULL;
  writer_free(w);
  return st;
}

void sbd_writer_abort(sbd_writer *w) {
  if (!w)
    return;
  io_file_abort(w->file);
  w->file = NULL;
  writer_free(w);
}
