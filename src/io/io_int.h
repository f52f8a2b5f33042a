/*
 * io_int.h — what the readers and writers of src/io/ share: the reader and writer objects behind
 * the public handles, input sources, atomic output files, the ordered parallel chunk pipeline
 * that the line-oriented readers (CSV, JSON Lines) run on, and type inference.
 */
#ifndef SBD_IO_INT_H
#define SBD_IO_INT_H

#include "core/core_int.h"

#include <stdio.h>

typedef struct io_file io_file;

/* ---- readers
 * ------------------------------------------------------------------------------------*/

typedef struct io_reader_ops {
  const char *format; /* "csv", "jsonl" */
  sbd_status (*next)(sbd_reader *r, sbd_batch **out);
  void (*close)(sbd_reader *r); /* frees impl (not the sbd_reader) */
} io_reader_ops;

struct sbd_reader {
  const io_reader_ops *ops;
  sbd_ctx *ctx;
  sbd_schema *schema;  /* a reference */
  char *path;          /* for messages */
  int64_t bytes_done;  /* atomic */
  int64_t bytes_total; /* -1 when unknown */
  int64_t rejected;
  /* on_error and the rejects file: set by sbd_reader_open after the format's open function, and
   * shared by the files of one stream (owned by the outermost reader). Formats read it in next. */
  struct io_rejects *rejects;
  bool owns_rejects;
  void *impl;
};

/* Per-file reader constructors. force, when not NULL, fixes the type of the columns it names (a
 * --schema override, or the unified schema of several files); the rest are inferred. */
typedef sbd_status (*io_open_fn)(sbd_ctx *ctx, const char *path, const sbd_options *opts,
                                 const sbd_schema *force, sbd_reader **out);
sbd_status csv_reader_open(sbd_ctx *ctx, const char *path, const sbd_options *opts,
                           const sbd_schema *force, sbd_reader **out);
sbd_status jsonl_reader_open(sbd_ctx *ctx, const char *path, const sbd_options *opts,
                             const sbd_schema *force, sbd_reader **out);
/* Parquet (parquet/reader.c): options are the common ones and "columns". */
sbd_status pq_reader_open(sbd_ctx *ctx, const char *path, const sbd_options *opts,
                          const sbd_schema *force, sbd_reader **out);
/* The rows of a Parquet file, from its footer (checked as pq_reader_open checks it). */
sbd_status pq_count_rows(sbd_ctx *ctx, const char *path, int64_t *rows);

/* Filter pushdown: fn is shown statistics of parts of the input before they are read (ncols of
 * them, in the reader's column order) and returns false to skip the part: a Parquet row group
 * (row_group >= 0), or a whole file of a Hive dataset (row_group -1, num_rows 1), whose partition
 * columns have exact statistics and the others none. Formats without statistics ignore it. Set
 * before the first sbd_reader_next. */
struct pq_column_stats;
typedef bool (*io_stats_filter)(void *arg, int row_group, int64_t num_rows,
                                const struct pq_column_stats *cols, int ncols);
sbd_status io_reader_set_filter(sbd_reader *r, io_stats_filter fn, void *arg);

/* The format a reader reads ("csv", "jsonl", "parquet"; for several files, the first one's). */
const char *io_reader_format(const sbd_reader *r);

/* A new sbd_reader with ops and impl set and bytes_total = -1; path is copied. */
sbd_reader *io_reader_new(sbd_ctx *ctx, const io_reader_ops *ops, const char *path);

/* The options every reader accepts, and which the format readers add to their own lists. */
#define IO_COMMON_READ_OPTIONS                                                                     \
  "format", "schema", "sample_rows", "on_error", "rejects", "max_line_bytes"

/* on_error=fail|skip and the rejects file, shared by the line readers. */
typedef struct io_rejects {
  bool skip;     /* on_error=skip */
  char *path;    /* option rejects: a CSV file of file,line,error,record; NULL: only counted */
  io_file *file; /* created on the first reject, committed by io_rejects_close */
} io_rejects;
/* Reads on_error (fail|skip) and rejects from opts. */
sbd_status io_rejects_init(sbd_ctx *ctx, const sbd_options *opts, io_rejects *rj);
/* Records one rejected record. */
sbd_status io_rejects_add(sbd_ctx *ctx, io_rejects *rj, const char *input, int64_t line,
                          const char *reason, const char *text, size_t n);
/* Commits the rejects file (when one was written) and frees. */
sbd_status io_rejects_close(sbd_ctx *ctx, io_rejects *rj);

/* ---- input sources
 * ------------------------------------------------------------------------------*/

typedef struct io_source {
  int fd;
  bool is_stdin;
  char *path;
  int64_t size; /* -1 when unknown (a pipe) */
  int64_t offset;
  bool eof;
} io_source;

/* Opens path ("-" is standard input). An empty regular file is fine here; readers decide. */
sbd_status io_source_open(sbd_ctx *ctx, const char *path, io_source **out);
/* Reads up to n bytes; *got = 0 only at the end. Retries on EINTR. */
sbd_status io_source_read(sbd_ctx *ctx, io_source *src, char *buf, size_t n, size_t *got);
void io_source_close(io_source *src);

/* ---- the ordered parallel chunk pipeline --------------------------------------------------------
 * The reading thread cuts the input into chunks of whole records (the format's cut function sees
 * the bytes in order, so it can track state such as being inside a quoted field across chunk
 * boundaries), hands them to the worker pool and gives their batches back in input order. At most
 * 2 * threads + 1 chunks are in flight, so memory is bounded by the chunk size, not the input.
 * Line numbers: each chunk reports its newline count and the line (relative to the chunk) of its
 * errors and rejects; the pipeline turns them into absolute line numbers in order. */

typedef struct io_reject_rec {
  int64_t line; /* 0-based physical line within the chunk */
  char *reason; /* malloc'd */
  char *text;   /* malloc'd copy of the record */
  size_t len;
} io_reject_rec;

typedef struct io_chunk {
  /* Input, set by the pipeline. */
  const char *data;
  size_t len;
  int64_t offset; /* byte offset of data in the source */
  bool first;     /* the chunk at the start of the input (after the sample, if consumed) */
  /* Output, set by the format's parse function. */
  sbd_batch **batches;
  int nbatches, cap_batches;
  int64_t nlines; /* newlines in data */
  sbd_status status;
  int64_t err_line; /* 0-based line within the chunk of the error */
  char errmsg[512]; /* without the "file:line: " prefix, which the pipeline adds */
  io_reject_rec *rejects;
  int nrejects, cap_rejects;
} io_chunk;

/* Adds a finished batch to a chunk's output; false when out of memory. */
bool io_chunk_add_batch(io_chunk *c, sbd_batch *b);
/* Records an error (first one wins) at a chunk-relative line. */
void io_chunk_error(io_chunk *c, sbd_status status, int64_t line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Records a rejected record; false when out of memory. */
bool io_chunk_reject(io_chunk *c, int64_t line, const char *reason, const char *text, size_t n);

typedef struct io_pipeline_ops {
  /* The offset just past the last complete record in buf[0..len), or 0 when there is none yet.
   * Called on the reading thread with the bytes in input order; eof says nothing follows. */
  size_t (*cut)(void *self, const char *buf, size_t len, bool eof);
  /* Parses whole records into c's batches. Called on worker threads, concurrently. */
  void (*parse)(void *self, io_chunk *c);
} io_pipeline_ops;

typedef struct io_pipeline io_pipeline;

/* Takes ownership of src. prefix[0..prefix_len) are bytes already read from src (the sample)
 * that come first; prefix_lines is the number of lines before the data (a header). */
sbd_status io_pipeline_new(sbd_ctx *ctx, io_source *src, const io_pipeline_ops *ops, void *self,
                           const char *prefix, size_t prefix_len, int64_t prefix_lines,
                           int64_t max_record_bytes, io_pipeline **out);
/* The next batch in input order (owned by the caller) or NULL at the end. Errors are reported
 * as "PATH:LINE: message". Rejects are written to rj and counted in *rejected. */
sbd_status io_pipeline_next(io_pipeline *p, io_rejects *rj, int64_t *rejected, int64_t *bytes_done,
                            sbd_batch **out);
void io_pipeline_free(io_pipeline *p);

/* Reads the head of src for sampling: up to max_bytes (fewer only at the end of the input). */
sbd_status io_read_sample(sbd_ctx *ctx, io_source *src, size_t max_bytes, char **buf, size_t *len);

/* ---- type inference -----------------------------------------------------------------------------
 * A column starts with every candidate type; each non-null sample value removes those it cannot
 * be read as. The result is the first candidate left in the order BOOL, INT64, DOUBLE, DATE,
 * TIMESTAMP, else STRING (a column with no values is STRING). */
typedef struct io_infer {
  unsigned candidates; /* bit (1 << sbd_type) per candidate */
  int64_t values;
} io_infer;

void infer_init(io_infer *in);
void infer_text(io_infer *in, const char *s, size_t n); /* a CSV field or JSON string */
void infer_only(io_infer *in, sbd_type t);              /* a typed JSON value: keeps t if left */
/* A JSON string: keeps only DATE and TIMESTAMP (if it reads as one), so "123" stays a string. */
void infer_json_string(io_infer *in, const char *s, size_t n);
sbd_type infer_result(const io_infer *in);
/* The narrowest type both a and b widen to (INT64 + DOUBLE = DOUBLE, DATE + TIMESTAMP =
 * TIMESTAMP, otherwise STRING). */
sbd_type type_unify(sbd_type a, sbd_type b);

/* ---- output files ------------------------------------------------------------------------------
 * Written under a temporary name beside the target (".NAME.sbd-tmp-PID-N") and renamed into
 * place by io_file_commit after an fsync; io_file_abort (or a signal, see io_file_abort_all)
 * removes the temporary file, so the previous file stays whole. "-" is standard output. */
sbd_status io_file_create(sbd_ctx *ctx, const char *path, io_file **out);
sbd_status io_file_write(sbd_ctx *ctx, io_file *f, const void *data, size_t n);
int64_t io_file_written(const io_file *f);
const char *io_file_path(const io_file *f);
sbd_status io_file_commit(sbd_ctx *ctx, io_file *f); /* frees f */
void io_file_abort(io_file *f);                      /* frees f; accepts NULL */
/* Unlinks every temporary file still open; async-signal-safe (for SIGINT/SIGTERM handlers). */
void io_file_abort_all(void);

/* ---- writers
 * -------------------------------------------------------------------------------------*/

/* A growable byte buffer for formatted text. */
typedef struct io_text {
  char *p;
  size_t len, cap;
} io_text;
/* Room for more bytes after len; false when out of memory. */
bool io_text_reserve(io_text *t, size_t more);

typedef struct io_writer_ops {
  const char *format;
  sbd_status (*write)(sbd_writer *w, const sbd_batch *b);
  sbd_status (*finish)(sbd_writer *w); /* writes any trailer; the file is then committed */
  void (*free)(sbd_writer *w);         /* frees impl */
  /* Optional, for text formats: appends a batch's text to out, reading only the settings fixed at
   * init, so that batches are formatted on the pool in parallel while fmtq.c writes the texts in
   * order (write is then not called). On failure it puts a message in err. */
  sbd_status (*format_batch)(const void *impl, const sbd_batch *b, io_text *out, char *err,
                             size_t errcap);
} io_writer_ops;

/* The ordered parallel formatting of text writers (fmtq.c). */
typedef struct io_fmtq io_fmtq;
/* Queues b for formatting (taking a reference), first writing out texts that are done when the
 * queue is full. */
sbd_status io_fmtq_push(sbd_writer *w, const sbd_batch *b);
/* Waits for every queued batch and writes its text, in order. */
sbd_status io_fmtq_drain(sbd_writer *w);
/* Waits for running tasks and frees the queue; accepts w->fmtq == NULL. */
void io_fmtq_free(sbd_writer *w);

struct sbd_writer {
  const io_writer_ops *ops;
  sbd_ctx *ctx;
  sbd_schema *schema; /* a reference */
  io_file *file;
  void *impl;
  io_fmtq *fmtq; /* created on the first write of a format with a format callback */
};

sbd_status csv_writer_init(sbd_writer *w, const sbd_options *opts);
sbd_status jsonl_writer_init(sbd_writer *w, const sbd_options *opts);
sbd_status pq_writer_init(sbd_writer *w, const sbd_options *opts); /* parquet/writer.c */

/* The format named by option "format" or by path's extension ("csv", "tsv", "jsonl", "json",
 * "ndjson", "parquet"); NULL if neither says. */
const char *io_format_of(const sbd_options *opts, const char *path);

#endif
