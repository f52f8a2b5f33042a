/*
 * test_csv.c — the CSV reader and writer: dialect (quotes, line ends, BOM, blank lines), options,
 * delimiter detection, type inference, error messages with their file:line, on_error=skip with
 * its rejects file, records that straddle chunk boundaries across threads, many batches, and a
 * writer round trip. Inputs are written to temporary files and read through the public API.
 *
 * A read is rendered as text: the schema ("a:INT64,b:STRING"), then one line per row with the
 * values separated by '|' (nulls as <null>), or the error message with the file's path as %s.
 */
#include "test.h"

#include "core/core_int.h"
#include "io/io_int.h"

#include <math.h>
#include <stdlib.h>
#include <unistd.h>

/* ---- helpers ---------------------------------------------------------------------------------*/

typedef struct text {
  char *s;
  size_t len, cap;
} text;

static void text_add(text *t, const char *s, size_t n) {
  if (t->len + n + 1 > t->cap) {
    size_t cap = t->cap ? t->cap : 256;
    while (cap < t->len + n + 1)
      cap *= 2;
    t->s = realloc(t->s, cap);
    if (!t->s)
      abort();
    t->cap = cap;
  }
  memcpy(t->s + t->len, s, n);
  t->len += n;
  t->s[t->len] = 0;
}

static void text_str(text *t, const char *s) {
  text_add(t, s, strlen(s));
}

/* Writes data to a new temporary file; returns its path (malloc'd). */
static char *temp_file(const char *data, size_t n) {
  char *path = strdup("/tmp/sbd_test_csv_XXXXXX");
  int fd = mkstemp(path);
  if (fd < 0)
    abort();
  size_t off = 0;
  while (off < n) {
    ssize_t w = write(fd, data + off, n - off);
    if (w <= 0)
      abort();
    off += (size_t)w;
  }
  close(fd);
  return path;
}

static char *temp_path(void) {
  char *path = strdup("/tmp/sbd_test_csv_XXXXXX");
  int fd = mkstemp(path);
  if (fd < 0)
    abort();
  close(fd);
  return path;
}

static char *slurp(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  text t = {0};
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
    text_add(&t, buf, n);
  fclose(f);
  if (!t.s)
    text_add(&t, "", 0);
  return t.s;
}

/* Options from "k=v&k=v" (format=csv is always set, as the temporary names have no
 * extension). */
static sbd_options *make_options(const char *spec) {
  sbd_options *o = sbd_options_new();
  sbd_options_set(o, "format", "csv");
  if (!spec)
    return o;
  char *copy = strdup(spec), *save = NULL;
  for (char *kv = strtok_r(copy, "&", &save); kv; kv = strtok_r(NULL, "&", &save)) {
    char *eq = strchr(kv, '=');
    if (!eq)
      abort();
    *eq = 0;
    sbd_options_set(o, kv, eq + 1);
  }
  free(copy);
  return o;
}

static void render_schema(text *t, const sbd_schema *s) {
  for (int i = 0; i < sbd_schema_ncols(s); i++) {
    if (i)
      text_str(t, ",");
    text_str(t, sbd_schema_name(s, i));
    text_str(t, ":");
    text_str(t, sbd_type_name(sbd_schema_type(s, i)));
  }
  text_str(t, "\n");
}

static void render_batch(text *t, const sbd_batch *b) {
  for (int64_t r = 0; r < sbd_batch_nrows(b); r++) {
    for (int c = 0; c < sbd_batch_ncols(b); c++) {
      if (c)
        text_str(t, "|");
      char buf[256];
      int64_t n = sbd_batch_value_text(b, c, r, buf, sizeof(buf));
      if (n < 0) {
        text_str(t, "<null>");
      } else if ((size_t)n < sizeof(buf)) {
        text_add(t, buf, (size_t)n);
      } else {
        size_t len;
        const char *s = vec_str(b->cols[c], r, &len);
        text_add(t, s, len);
      }
    }
    text_str(t, "\n");
  }
}

/* Reads path with opts on threads threads and renders it (or "error: MESSAGE"). Malloc'd. */
static char *read_render(const char *path, const char *opts, int threads, int64_t *rejected) {
  sbd_ctx *ctx = sbd_ctx_new();
  sbd_ctx_set_threads(ctx, threads);
  sbd_options *o = make_options(opts);
  sbd_reader *r = NULL;
  text t = {0};
  const char *paths[] = {path};
  sbd_status st = sbd_reader_open(ctx, paths, 1, o, &r);
  if (st == SBD_OK) {
    render_schema(&t, sbd_reader_schema(r));
    for (;;) {
      sbd_batch *b;
      st = sbd_reader_next(r, &b);
      if (st != SBD_OK || !b)
        break;
      if (!schema_equal(sbd_batch_schema(b), sbd_reader_schema(r)))
        text_str(&t, "(batch schema differs)\n");
      render_batch(&t, b);
      sbd_batch_free(b);
    }
    if (rejected)
      *rejected = sbd_reader_rejected(r);
  }
  if (st != SBD_OK) {
    t.len = 0;
    text_str(&t, "error: ");
    text_str(&t, sbd_errmsg(ctx));
  }
  sbd_reader_close(r);
  sbd_options_free(o);
  sbd_ctx_free(ctx);
  if (!t.s)
    text_add(&t, "", 0);
  return t.s;
}

/* The expected text with %s replaced by path. */
static char *expand_path(const char *expect, const char *path) {
  text t = {0};
  for (const char *p = expect; *p; p++) {
    if (p[0] == '%' && p[1] == 's') {
      text_str(&t, path);
      p++;
    } else {
      text_add(&t, p, 1);
    }
  }
  if (!t.s)
    text_add(&t, "", 0);
  return t.s;
}

typedef struct read_case {
  const char *name;
  const char *input;
  const char *opts;
  const char *expect;
} read_case;

static void run_cases(const read_case *cases, size_t n) {
  for (size_t i = 0; i < n; i++) {
    const read_case *c = &cases[i];
    char *path = temp_file(c->input, strlen(c->input));
    char *want = expand_path(c->expect, path);
    for (int threads = 1; threads <= 2; threads++) {
      char *got = read_render(path, c->opts, threads, NULL);
      CHECK(strcmp(got, want) == 0, "case %s (threads %d):\n--- got:\n%s\n--- expected:\n%s",
            c->name, threads, got, want);
      free(got);
    }
    unlink(path);
    free(path);
    free(want);
  }
}

#define RUN(cases) run_cases(cases, sizeof(cases) / sizeof(cases[0]))

/* ---- the dialect ------------------------------------------------------------------------------*/

TEST(csv_dialect) {
  static const read_case cases[] = {
      {"plain", "a,b\n1,x\n2,y\n", NULL, "a:INT64,b:STRING\n1|x\n2|y\n"},
      {"quoted fields", "a,b\n\"1\",\"x,y\"\n\"2\",\"\"\n", NULL, "a:INT64,b:STRING\n1|x,y\n2|\n"},
      {"doubled quotes", "a,b\n\"say \"\"hi\"\"\",\"\"\"\"\n", NULL,
       "a:STRING,b:STRING\nsay \"hi\"|\"\n"},
      {"embedded LF and CRLF", "a,b\r\n1,\"x\r\ny\"\r\n2,\"p\nq\"\r\n3,\"r\rs\"\r\n", NULL,
       "a:INT64,b:STRING\n1|x\r\ny\n2|p\nq\n3|r\rs\n"},
      {"CRLF line ends", "a,b\r\n1,x\r\n2,y\r\n", NULL, "a:INT64,b:STRING\n1|x\n2|y\n"},
      {"bare CR is data", "a,b\n1,x\ry\n", NULL, "a:INT64,b:STRING\n1|x\ry\n"},
      {"BOM",
       "\xef\xbb\xbf"
       "a,b\n1,2\n",
       NULL, "a:INT64,b:INT64\n1|2\n"},
      {"no trailing newline", "a,b\n1,x\n2,y", NULL, "a:INT64,b:STRING\n1|x\n2|y\n"},
      {"no trailing newline, CRLF", "a,b\r\n1,x\r\n2,y", NULL, "a:INT64,b:STRING\n1|x\n2|y\n"},
      {"no trailing newline, quoted", "a,b\n1,\"x\ny\"", NULL, "a:INT64,b:STRING\n1|x\ny\n"},
      {"blank lines skipped", "a,b\n\n1,2\n\r\n3,4\n\n", NULL, "a:INT64,b:INT64\n1|2\n3|4\n"},
      {"blank lines before the header", "\n\na,b\n1,2\n", NULL, "a:INT64,b:INT64\n1|2\n"},
      {"one column: an empty line is a null", "a\n1\n\n2\n", NULL, "a:INT64\n1\n<null>\n2\n"},
      {"header=false", "1,x\n2,y\n", "header=false", "column0:INT64,column1:STRING\n1|x\n2|y\n"},
      {"empty and repeated names", "a,,a,a_1\n1,2,3,4\n", NULL,
       "a:INT64,column1:INT64,a_2:INT64,a_1:INT64\n1|2|3|4\n"},
      {"quoted header names", "\"x,y\",\"q\"\"\"\n1,2\n", NULL, "x,y:INT64,q\":INT64\n1|2\n"},
      {"header only", "a,b\n", NULL, "a:STRING,b:STRING\n"},
      {"header only, no newline", "a,b", NULL, "a:STRING,b:STRING\n"},
      {"quote='' reads quotes as text", "a,b\n1,x\"y\n2,\"z\"\n",
       "quote=", "a:INT64,b:STRING\n1|x\"y\n2|\"z\"\n"},
      {"quote=' ", "a,b\n1,'x,y'\n", "quote='", "a:INT64,b:STRING\n1|x,y\n"},
      {"UTF-8 text", "name\nJos\xc3\xa9\n\xe6\x97\xa5\xe6\x9c\xac\n", NULL,
       "name:STRING\nJos\xc3\xa9\n\xe6\x97\xa5\xe6\x9c\xac\n"},
      {"spaces are kept", "a,b\n x , y \n", NULL, "a:STRING,b:STRING\n x | y \n"},
  };
  RUN(cases);
}

/* Option columns: the other fields are skipped, never converted, but still delimit records. */
TEST(csv_projection) {
  static const read_case cases[] = {
      {"reordered", "a,b,c\n1,x,2.5\n2,y,3\n", "columns=c,a", "c:DOUBLE,a:INT64\n2.5|1\n3.0|2\n"},
      {"quoted skipped fields", "a,b,c\n1,\"x,\ny\",3\n2,\"\",4\n3,\"q\"\"\",5\n", "columns=a,c",
       "a:INT64,c:INT64\n1|3\n2|4\n3|5\n"},
      {"a skipped field is not converted", "a,b\n1,zz\n", "columns=a&schema=b:INT64",
       "a:INT64\n1\n"},
      {"CRLF after a skipped last field", "a,b\r\n1,x\r\n2,\"y\"\r\n", "columns=a",
       "a:INT64\n1\n2\n"},
      {"strings kept", "a,b,c\n1,x,y\n2,,z\n", "columns=b", "b:STRING\nx\n<null>\n"},
      {"fields still counted", "a,b\n1,2,3\n", "columns=a",
       "error: %s:2: expected 2 fields, found 3"},
      {"a stray quote in a skipped field", "a,b\n1,x\"y\n", "columns=a",
       "error: %s:2: stray quote in unquoted field in column 'b' (quote the field, or set quote='' "
       "to read quotes as text)"},
      {"unknown column", "a,b\n1,2\n", "columns=a,zz",
       "error: %s: option columns names column 'zz', which the file does not have"},
      {"named twice", "a,b\n1,2\n", "columns=a,a",
       "error: option columns: column 'a' is named twice"},
  };
  RUN(cases);
}

TEST(csv_delimiters) {
  static const read_case cases[] = {
      {"comma", "a,b,c\n1,2,3\n", NULL, "a:INT64,b:INT64,c:INT64\n1|2|3\n"},
      {"semicolon", "a;b\n1,5;2\n3,5;4\n", NULL, "a:STRING,b:INT64\n1,5|2\n3,5|4\n"},
      {"tab", "a\tb\n1\tx y\n", NULL, "a:INT64,b:STRING\n1|x y\n"},
      {"pipe", "a|b|c\n1|2|3\n", NULL, "a:INT64,b:INT64,c:INT64\n1|2|3\n"},
      {"more fields win", "a,b;c;d\n1,2;3;4\n", NULL, "a,b:STRING,c:INT64,d:INT64\n1,2|3|4\n"},
      {"commas inside quotes", "a;b\n\"1,5\";2\n\"x,y,z\";3\n", NULL,
       "a:STRING,b:INT64\n1,5|2\nx,y,z|3\n"},
      {"override", "a;b\n1;2\n", "delim=,", "a;b:STRING\n1;2\n"},
      {"override tab by name", "a\tb\n1\t2\n", "delim=tab", "a:INT64,b:INT64\n1|2\n"},
      {"override tab by escape", "a\tb\n1\t2\n", "delim=\\t", "a:INT64,b:INT64\n1|2\n"},
      {"single column", "a\n1\n2\n", NULL, "a:INT64\n1\n2\n"},
      {"bad delim option", "a\n", "delim=ab",
       "error: option delim: expected one character (or \\t or tab), not \"ab\""},
  };
  RUN(cases);
}

TEST(csv_nulls) {
  static const read_case cases[] = {
      {"default tokens", "a,b\n,x\nNA,y\nNULL,z\nnull,w\n1,v\n", NULL,
       "a:INT64,b:STRING\n<null>|x\n<null>|y\n<null>|z\n<null>|w\n1|v\n"},
      {"quoted is never null", "a,b\n\"\",1\n\"NA\",2\nNA,3\n,4\n", NULL,
       "a:STRING,b:INT64\n|1\nNA|2\n<null>|3\n<null>|4\n"},
      {"nulls option", "a,b\n-,x\n1,\nNA,y\n", "nulls=-",
       "a:STRING,b:STRING\n<null>|x\n1|\nNA|y\n"},
      {"numeric null token", "a\n-1\n5\n", "nulls=-1", "a:INT64\n<null>\n5\n"},
      {"several tokens", "a,b\nn/a,1\n?,2\n3,3\n", "nulls=n/a,?",
       "a:INT64,b:INT64\n<null>|1\n<null>|2\n3|3\n"},
      {"all null is STRING", "a,b\n,1\nNA,2\n", NULL, "a:STRING,b:INT64\n<null>|1\n<null>|2\n"},
  };
  RUN(cases);
}

TEST(csv_inference) {
  static const read_case cases[] = {
      {"bool", "a\ntrue\nFALSE\n", NULL, "a:BOOL\ntrue\nfalse\n"},
      {"int", "a\n1\n-20\n+3\n007\n", NULL, "a:INT64\n1\n-20\n3\n7\n"},
      {"big ints", "a\n9223372036854775807\n-9223372036854775808\n1234567890123456\n", NULL,
       "a:INT64\n9223372036854775807\n-9223372036854775808\n1234567890123456\n"},
      {"int overflow is DOUBLE", "a\n9223372036854775808\n", NULL,
       "a:DOUBLE\n9.223372036854776e+18\n"},
      {"double", "a\n1.5\n-0.25\n1e3\n.5\n", NULL, "a:DOUBLE\n1.5\n-0.25\n1000.0\n0.5\n"},
      {"int and double widen", "a\n1\n2.5\n", NULL, "a:DOUBLE\n1.0\n2.5\n"},
      {"date", "a\n2024-01-31\n1969-12-31\n", NULL, "a:DATE\n2024-01-31\n1969-12-31\n"},
      {"timestamp", "a\n2024-01-31 12:00:00\n2024-01-31T01:02:03.5Z\n", NULL,
       "a:TIMESTAMP\n2024-01-31 12:00:00\n2024-01-31 01:02:03.5\n"},
      {"date and timestamp widen", "a\n2024-01-31\n2024-02-01 10:00:00\n", NULL,
       "a:TIMESTAMP\n2024-01-31 00:00:00\n2024-02-01 10:00:00\n"},
      {"mixed is STRING", "a\n1\nx\n2024-01-01\n", NULL, "a:STRING\n1\nx\n2024-01-01\n"},
      {"bool and int is STRING", "a\ntrue\n1\n", NULL, "a:STRING\ntrue\n1\n"},
      {"quoted numbers are numbers", "a\n\"1\"\n\"2\"\n", NULL, "a:INT64\n1\n2\n"},
      {"long double text", "a\n3.14159265358979323846\n0.1\n", NULL,
       "a:DOUBLE\n3.141592653589793\n0.1\n"},
      {"doubles many decimals", "a\n83.6498\n-0.000001\n1234567.1234567\n", NULL,
       "a:DOUBLE\n83.6498\n-1e-06\n1234567.1234567\n"},
      {"schema override", "a,b\n1,2\n", "schema=a:STRING", "a:STRING,b:INT64\n1|2\n"},
      {"schema override to DOUBLE", "a,b\n1,2\n", "schema=b:DOUBLE", "a:INT64,b:DOUBLE\n1|2.0\n"},
      {"schema unknown column", "alpha,b\n1,2\n", "schema=alpah:INT64",
       "error: %s: the schema names column 'alpah', which the file does not have (did you "
       "mean 'alpha'?)"},
      {"schema unknown column, nothing close", "a,b\n1,2\n", "schema=zzzzzz:INT64",
       "error: %s: the schema names column 'zzzzzz', which the file does not have"},
      {"sample_rows limits inference", "a\n1\nx\n", "sample_rows=1",
       "error: %s:3: column 'a': cannot read \"x\" as INT64"},
  };
  RUN(cases);
}

TEST(csv_errors) {
  static const read_case cases[] = {
      {"too few fields", "a,b\n1,2\n3\n", NULL, "error: %s:3: expected 2 fields, found 1"},
      {"too many fields", "a,b\n1,2,3\n", NULL, "error: %s:2: expected 2 fields, found 3"},
      {"too many, quoted", "a,b\n1,\"x,y\",\"z\"\n", NULL,
       "error: %s:2: expected 2 fields, found 3"},
      {"line after a multi-line field", "a,b\n1,\"x\ny\"\n2\n", NULL,
       "error: %s:4: expected 2 fields, found 1"},
      {"line after blank lines", "a,b\n\n1,2\n\n3\n", NULL,
       "error: %s:5: expected 2 fields, found 1"},
      {"bad value", "a,b\n1,2\n3,x\n", "schema=b:INT64",
       "error: %s:3: column 'b': cannot read \"x\" as INT64"},
      {"bad double", "a\n1.5\n1.5.5\n", "schema=a:DOUBLE",
       "error: %s:3: column 'a': cannot read \"1.5.5\" as DOUBLE"},
      {"bad date", "a\n2024-02-30\n", "schema=a:DATE",
       "error: %s:2: column 'a': cannot read \"2024-02-30\" as DATE"},
      {"bad bool", "a\nyes\n", "schema=a:BOOL",
       "error: %s:2: column 'a': cannot read \"yes\" as BOOL"},
      {"quoted empty is not null", "a\n1\n\"\"\n", "schema=a:INT64",
       "error: %s:3: column 'a': cannot read \"\" as INT64"},
      {"unterminated quote", "a,b\n1,2\n3,\"xx\nyy\n", NULL,
       "error: %s:3: unterminated quoted field (it starts on this line)"},
      {"unterminated quote at the very end", "a,b\n1,\"x", NULL,
       "error: %s:2: unterminated quoted field (it starts on this line)"},
      {"a lone quote", "\"", "header=false",
       "error: %s:1: unterminated quoted field (it starts on this line)"},
      {"unterminated quote in the header", "a,\"b\n", NULL,
       "error: %s:1: unterminated quoted field (it starts on this line)"},
      {"stray quote", "a,b\n1,x\"y\n", NULL,
       "error: %s:2: stray quote in unquoted field in column 'b' (quote the field, or set "
       "quote='' to read quotes as text)"},
      {"text after a closing quote", "a,b\n1,\"x\"y\n", NULL,
       "error: %s:2: column 'b': text after the closing quote of a quoted field (a quote "
       "inside a quoted field is written as two quotes)"},
      {"invalid UTF-8", "a,b\n1,ok\n2,\xff\xfe\n", NULL,
       "error: %s:3: invalid UTF-8 in column 'b'"},
      {"invalid UTF-8, quoted", "a,b\n1,\"\xc3\x28\"\n", NULL,
       "error: %s:2: invalid UTF-8 in column 'b'"},
      {"overlong UTF-8", "a\n\xc0\xaf\n", NULL, "error: %s:2: invalid UTF-8 in column 'a'"},
      {"surrogate", "a\n\xed\xa0\x80\n", NULL, "error: %s:2: invalid UTF-8 in column 'a'"},
      {"empty file", "", NULL, "error: %s: the file is empty (no header line)"},
      {"only blank lines", "\n\r\n\n", NULL, "error: %s: the file is empty (no header line)"},
      {"empty file, header=false", "", "header=false", "\n"},
      {"unknown option", "a\n", "delm=;",
       "error: reader: unknown option 'delm' (did you mean 'delim'?)"},
  };
  RUN(cases);
}

/* ---- on_error=skip ----------------------------------------------------------------------------*/

TEST(csv_skip_and_rejects) {
  const char *input = "a,b\n1,2\n3\n4,x\n5,\"6\n7\"\n8,9,10\n11,\"bad\"q\n12,13\n14,\xff\n";
  char *path = temp_file(input, strlen(input));
  char *rejects = temp_path();
  char opts[512];
  snprintf(opts, sizeof(opts), "on_error=skip&rejects=%s&schema=a:INT64,b:INT64", rejects);
  for (int threads = 1; threads <= 2; threads++) {
    int64_t rejected = -1;
    char *got = read_render(path, opts, threads, &rejected);
    CHECK(strcmp(got, "a:INT64,b:INT64\n1|2\n12|13\n") == 0, "threads %d: rows:\n%s", threads, got);
    CHECK(rejected == 6, "threads %d: rejected %lld", threads, (long long)rejected);
    free(got);
    char *file = slurp(rejects);
    char *want = expand_path(
        "file,line,error,record\n"
        "\"%s\",3,\"expected 2 fields, found 1\",\"3\"\n"
        "\"%s\",4,\"column 'b': cannot read \"\"x\"\" as INT64\",\"4,x\"\n"
        "\"%s\",5,\"column 'b': cannot read \"\"6\\n7\"\" as INT64\",\"5,\"\"6\n7\"\"\"\n"
        "\"%s\",7,\"expected 2 fields, found 3\",\"8,9,10\"\n"
        "\"%s\",8,\"column 'b': text after the closing quote of a quoted field (a quote inside "
        "a quoted field is written as two quotes)\",\"11,\"\"bad\"\"q\"\n"
        "\"%s\",10,\"column 'b': cannot read \"\"\xff\"\" as INT64\",\"14,\xff\"\n",
        path);
    CHECK(file && strcmp(file, want) == 0, "threads %d: rejects file:\n%s\n--- expected:\n%s",
          threads, file ? file : "(missing)", want);
    free(file);
    free(want);
  }
  unlink(rejects);
  unlink(path);
  free(rejects);
  free(path);
}

TEST(csv_skip_string_errors) {
  /* Rejected rows leave no trace in the batch: string bytes and null bits are rolled back. */
  const char *input = "s,t,n\nx,,1\nyy,NA,oops\nzzz,q,3\n\xff,w,4\n,v,5\n";
  char *path = temp_file(input, strlen(input));
  int64_t rejected = -1;
  char *got = read_render(path, "on_error=skip&schema=n:INT64", 2, &rejected);
  ASSERT_STR_EQ(got, "s:STRING,t:STRING,n:INT64\nx|<null>|1\nzzz|q|3\n<null>|v|5\n");
  ASSERT_EQ(rejected, 2);
  free(got);
  unlink(path);
  free(path);
}

/* ---- chunks, threads and batches
 * ---------------------------------------------------------------*/

TEST(csv_quoted_fields_across_chunks) {
  /* About 3 MB of records whose quoted fields hold LFs, CRLFs, delimiters and doubled quotes,
   * so that chunk boundaries fall inside them whatever the chunk size. */
  text in = {0}, want = {0};
  text_str(&in, "id,note,x\r\n");
  text_str(&want, "id:INT64,note:STRING,x:DOUBLE\n");
  unsigned seed = 12345;
  for (int i = 0; i < 40000; i++) {
    char note[200], shown[200], line[300];
    seed = seed * 1103515245u + 12345u;
    int lines = (int)(seed >> 16) % 4;
    size_t n = 0, m = 0;
    for (int k = 0; k <= lines; k++) {
      n += (size_t)snprintf(note + n, sizeof(note) - n, "part %d, \"\"q\"\" of %d", k, i);
      m += (size_t)snprintf(shown + m, sizeof(shown) - m, "part %d, \"q\" of %d", k, i);
      if (k < lines) {
        const char *sep = k % 2 ? "\r\n" : "\n";
        n += (size_t)snprintf(note + n, sizeof(note) - n, "%s", sep);
        m += (size_t)snprintf(shown + m, sizeof(shown) - m, "%s", sep);
      }
    }
    snprintf(line, sizeof(line), "%d,\"%s\",%d.25\r\n", i, note, i);
    text_str(&in, line);
    snprintf(line, sizeof(line), "%d|%s|%d.25\n", i, shown, i);
    text_str(&want, line);
  }
  char *path = temp_file(in.s, in.len);
  for (int threads = 1; threads <= 3; threads++) {
    for (int s = 0; s < 2; s++) {
      const char *opts = s ? "sample_rows=10" : NULL;
      char *got = read_render(path, opts, threads, NULL);
      size_t k = 0;
      while (got[k] && got[k] == want.s[k])
        k++;
      CHECK(strcmp(got, want.s) == 0, "threads %d, sample %d: differs at byte %zu: ...%.60s",
            threads, s, k, got + (k > 20 ? k - 20 : 0));
      free(got);
    }
  }
  /* An error late in the file is reported at the same line whatever the threads. */
  text_str(&in, "40000,\"x\",oops\r\n");
  unlink(path);
  free(path);
  path = temp_file(in.s, in.len);
  int64_t nl = 0;
  for (size_t i = 0; i < in.len; i++)
    nl += in.s[i] == '\n';
  char want_err[256];
  snprintf(want_err, sizeof(want_err), "error: %s:%lld: column 'x': cannot read \"oops\" as DOUBLE",
           path, (long long)nl);
  for (int threads = 1; threads <= 2; threads++) {
    char *got = read_render(path, "sample_rows=10", threads, NULL);
    CHECK(strcmp(got, want_err) == 0, "threads %d: %s", threads, got);
    free(got);
  }
  unlink(path);
  free(path);
  free(in.s);
  free(want.s);
}

TEST(csv_many_batches_in_order) {
  const int rows = 200003;
  text in = {0};
  text_str(&in, "i,s,d\n");
  for (int i = 0; i < rows; i++) {
    char line[64];
    snprintf(line, sizeof(line), "%d,v%d,%d.5\n", i, i % 97, i);
    text_str(&in, line);
  }
  char *path = temp_file(in.s, in.len);
  for (int threads = 1; threads <= 2; threads++) {
    sbd_ctx *ctx = sbd_ctx_new();
    sbd_ctx_set_threads(ctx, threads);
    sbd_options *o = make_options("sample_rows=100");
    sbd_reader *r;
    const char *paths[] = {path};
    ASSERT_EQ(sbd_reader_open(ctx, paths, 1, o, &r), SBD_OK);
    int64_t next = 0, batches = 0;
    bool ok = true;
    for (;;) {
      sbd_batch *b;
      ASSERT_EQ(sbd_reader_next(r, &b), SBD_OK);
      if (!b)
        break;
      batches++;
      CHECK(sbd_batch_nrows(b) <= SBD_BATCH_ROWS, "batch of %lld rows",
            (long long)sbd_batch_nrows(b));
      const int64_t *iv = b->cols[0]->values;
      const double *dv = b->cols[2]->values;
      for (int64_t k = 0; k < b->nrows && ok; k++, next++) {
        size_t n;
        const char *s = vec_str(b->cols[1], k, &n);
        char want[16];
        snprintf(want, sizeof(want), "v%d", (int)(next % 97));
        ok = iv[k] == next && dv[k] == (double)next + 0.5 && n == strlen(want) &&
             memcmp(s, want, n) == 0;
        CHECK(ok, "threads %d: row %lld: %lld", threads, (long long)next, (long long)iv[k]);
      }
      sbd_batch_free(b);
    }
    CHECK(next == rows, "threads %d: %lld rows", threads, (long long)next);
    CHECK(batches >= 4, "threads %d: %lld batches", threads, (long long)batches);
    int64_t done, total;
    sbd_reader_progress(r, &done, &total);
    CHECK(done == total && total == (int64_t)in.len, "progress %lld of %lld", (long long)done,
          (long long)total);
    sbd_reader_close(r);
    sbd_options_free(o);
    sbd_ctx_free(ctx);
  }
  unlink(path);
  free(path);
  free(in.s);
}

TEST(csv_binary_garbage) {
  /* Random bytes must give a clear error, never a crash or a hang. */
  for (unsigned seed = 1; seed <= 6; seed++) {
    size_t n = 200000;
    char *data = malloc(n);
    unsigned x = seed;
    for (size_t i = 0; i < n; i++) {
      x = x * 1103515245u + 12345u;
      data[i] = (char)(x >> 16);
    }
    if (seed % 2 == 0) /* a valid header line, then garbage */
      memcpy(data, "a,b,c\n", 6);
    char *path = temp_file(data, n);
    for (int h = 0; h < 2; h++) {
      char *got = read_render(path, h ? "header=false" : NULL, 2, NULL);
      CHECK(strncmp(got, "error: ", 7) == 0 && strlen(got) > 20, "seed %u header %d: %.200s", seed,
            h, got);
      free(got);
    }
    unlink(path);
    free(path);
    free(data);
  }
}

/* ---- the writer ------------------------------------------------------------------------------*/

static sbd_batch *round_trip_batch(sbd_ctx *ctx, sbd_schema **schema_out) {
  sbd_schema *s = schema_new(ctx, 6);
  schema_set(ctx, s, 0, "s", SBD_STRING);
  schema_set(ctx, s, 1, "i", SBD_INT64);
  schema_set(ctx, s, 2, "d", SBD_DOUBLE);
  schema_set(ctx, s, 3, "b", SBD_BOOL);
  schema_set(ctx, s, 4, "dt", SBD_DATE);
  schema_set(ctx, s, 5, "ts", SBD_TIMESTAMP);
  static const char *const strings[] = {"plain",
                                        "",
                                        NULL,
                                        "a,b",
                                        "say \"hi\"",
                                        "line\nbreak",
                                        "cr\r\nlf",
                                        "NA",
                                        "NULL",
                                        "null",
                                        " lead",
                                        "trail ",
                                        "semi;colon",
                                        "tab\there",
                                        "pipe|x",
                                        "\"",
                                        "\xef\xbb\xbf"
                                        "bom",
                                        "caf\xc3\xa9",
                                        "x"};
  static const double doubles[] = {0.1,
                                   1e300,
                                   -0.0,
                                   5e-324,
                                   1.0,
                                   -2.5,
                                   123456789.125,
                                   1e-7,
                                   0.3,
                                   1e16,
                                   2.2250738585072014e-308,
                                   17.0,
                                   1e22,
                                   -1e-300,
                                   0.0,
                                   9007199254740993.0,
                                   3.0,
                                   4.0,
                                   6.5};
  const int n = (int)(sizeof(strings) / sizeof(strings[0]));
  sbd_batch *b = batch_new(ctx, s, n);
  for (int r = 0; r < n; r++) {
    sbd_vec **c = b->cols;
    if (strings[r])
      vec_push_str(ctx, c[0], strings[r], strlen(strings[r]));
    else
      vec_push_null(ctx, c[0]);
    if (r == 4)
      vec_push_null(ctx, c[1]);
    else
      vec_push_i64(c[1], r == 5 ? INT64_MIN : r == 6 ? INT64_MAX : (int64_t)r * 1000 - 7);
    if (r == 9)
      vec_push_null(ctx, c[2]);
    else
      vec_push_f64(c[2], doubles[r]);
    if (r == 3)
      vec_push_null(ctx, c[3]);
    else
      vec_push_bool(c[3], r % 2);
    if (r == 7)
      vec_push_null(ctx, c[4]);
    else
      vec_push_i32(c[4], (int32_t)(r * 4000 - 40000)); /* 1860 .. 2078 */
    if (r == 8)
      vec_push_null(ctx, c[5]);
    else
      vec_push_i64(c[5], (int64_t)(r - 9) * 86400123456 + 1);
  }
  batch_seal(b);
  *schema_out = s;
  return b;
}

TEST(csv_writer_round_trip) {
  sbd_ctx *ctx = sbd_ctx_new();
  sbd_schema *s;
  sbd_batch *b = round_trip_batch(ctx, &s);
  ASSERT_TRUE(b);
  char *base = temp_path();
  char path[256];
  snprintf(path, sizeof(path), "%s.csv", base);
  sbd_writer *w;
  ASSERT_EQ(sbd_writer_open(ctx, path, s, NULL, &w), SBD_OK);
  ASSERT_EQ(sbd_writer_write(w, b), SBD_OK);
  ASSERT_EQ(sbd_writer_write(w, b), SBD_OK);
  ASSERT_EQ(sbd_writer_close(w), SBD_OK);
  for (int threads = 1; threads <= 2; threads++) {
    sbd_ctx_set_threads(ctx, threads);
    sbd_reader *r;
    const char *paths[] = {path};
    ASSERT_EQ(sbd_reader_open(ctx, paths, 1, NULL, &r), SBD_OK);
    ASSERT_TRUE(schema_equal(sbd_reader_schema(r), s));
    int64_t row = 0;
    for (;;) {
      sbd_batch *got;
      ASSERT_EQ(sbd_reader_next(r, &got), SBD_OK);
      if (!got)
        break;
      for (int64_t k = 0; k < got->nrows; k++, row++) {
        int64_t src = row % b->nrows;
        for (int c = 0; c < b->ncols; c++) {
          const sbd_vec *x = b->cols[c], *y = got->cols[c];
          bool same = vec_is_valid(x, src) == vec_is_valid(y, k);
          if (same && vec_is_valid(x, src)) {
            switch (x->type) {
            case SBD_STRING: {
              size_t nx, ny;
              const char *px = vec_str(x, src, &nx), *py = vec_str(y, k, &ny);
              same = nx == ny && memcmp(px, py, nx) == 0;
              break;
            }
            case SBD_DOUBLE: {
              double dx = ((const double *)x->values)[src], dy = ((const double *)y->values)[k];
              same = memcmp(&dx, &dy, sizeof(dx)) == 0;
              break;
            }
            case SBD_BOOL:
              same = ((const uint8_t *)x->values)[src] == ((const uint8_t *)y->values)[k];
              break;
            case SBD_DATE:
              same = ((const int32_t *)x->values)[src] == ((const int32_t *)y->values)[k];
              break;
            default:
              same = ((const int64_t *)x->values)[src] == ((const int64_t *)y->values)[k];
              break;
            }
          }
          char tx[128], ty[128];
          sbd_batch_value_text(b, c, src, tx, sizeof(tx));
          sbd_batch_value_text(got, c, k, ty, sizeof(ty));
          CHECK(same, "threads %d: row %lld column %s: wrote \"%s\", read \"%s\"", threads,
                (long long)row, s->fields[c].name, tx, ty);
        }
      }
      sbd_batch_free(got);
    }
    CHECK(row == 2 * b->nrows, "rows %lld", (long long)row);
    sbd_reader_close(r);
  }
  unlink(path);
  unlink(base);
  free(base);
  sbd_batch_free(b);
  schema_unref(s);
  sbd_ctx_free(ctx);
}

TEST(csv_writer_text) {
  static const struct {
    const char *opts;
    const char *expect;
  } cases[] = {
      {NULL, "s,n\nplain,1\n\"\",\n,3\n\"a,b\",4\n\"q\"\"x\",5\n\"NA\",6\n\" lead\",7\n"
             "\"x\ny\",8\n"},
      {"header=false", "plain,1\n\"\",\n,3\n\"a,b\",4\n\"q\"\"x\",5\n\"NA\",6\n\" lead\",7\n"
                       "\"x\ny\",8\n"},
      {"delim=;", "s;n\nplain;1\n\"\";\n;3\n\"a,b\";4\n\"q\"\"x\";5\n\"NA\";6\n\" lead\";7\n"
                  "\"x\ny\";8\n"},
      {"delim=xy", "error: option delim: expected one character (or \\t or tab), not \"xy\""},
      {"quote=\"", "error: CSV writer: unknown option 'quote'"},
  };
  static const char *const strings[] = {"plain", "", NULL, "a,b", "q\"x", "NA", " lead", "x\ny"};
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    sbd_ctx *ctx = sbd_ctx_new();
    sbd_schema *s = schema_new(ctx, 2);
    schema_set(ctx, s, 0, "s", SBD_STRING);
    schema_set(ctx, s, 1, "n", SBD_INT64);
    sbd_batch *b = batch_new(ctx, s, 8);
    for (int r = 0; r < 8; r++) {
      if (strings[r])
        vec_push_str(ctx, b->cols[0], strings[r], strlen(strings[r]));
      else
        vec_push_null(ctx, b->cols[0]);
      if (r == 1)
        vec_push_null(ctx, b->cols[1]);
      else
        vec_push_i64(b->cols[1], r + 1);
    }
    batch_seal(b);
    char *base = temp_path();
    char path[256];
    snprintf(path, sizeof(path), "%s.csv", base);
    sbd_options *o = sbd_options_new();
    if (cases[i].opts) {
      char *copy = strdup(cases[i].opts), *eq = strchr(copy, '=');
      *eq = 0;
      sbd_options_set(o, copy, eq + 1);
      free(copy);
    }
    sbd_writer *w;
    sbd_status st = sbd_writer_open(ctx, path, s, o, &w);
    if (st == SBD_OK) {
      st = sbd_writer_write(w, b);
      sbd_status st2 = sbd_writer_close(w);
      if (st == SBD_OK)
        st = st2;
    }
    char *got;
    if (st == SBD_OK) {
      got = slurp(path);
    } else {
      text t = {0};
      text_str(&t, "error: ");
      text_str(&t, sbd_errmsg(ctx));
      got = t.s;
    }
    const char *want = cases[i].expect;
    CHECK(got && strcmp(got, want) == 0, "case %s:\n--- got:\n%s\n--- expected:\n%s",
          cases[i].opts ? cases[i].opts : "(default)", got ? got : "(null)", want);
    free(got);
    unlink(path);
    unlink(base);
    free(base);
    sbd_options_free(o);
    sbd_batch_free(b);
    schema_unref(s);
    sbd_ctx_free(ctx);
  }
}

TEST(csv_writer_one_column_nulls) {
  /* A one-column file spells a null as an empty line; it reads back as a null. */
  sbd_ctx *ctx = sbd_ctx_new();
  sbd_schema *s = schema_new(ctx, 1);
  schema_set(ctx, s, 0, "v", SBD_INT64);
  sbd_batch *b = batch_new(ctx, s, 4);
  vec_push_i64(b->cols[0], 1);
  vec_push_null(ctx, b->cols[0]);
  vec_push_i64(b->cols[0], 3);
  vec_push_null(ctx, b->cols[0]);
  batch_seal(b);
  char *base = temp_path();
  char path[256];
  snprintf(path, sizeof(path), "%s.csv", base);
  sbd_writer *w;
  ASSERT_EQ(sbd_writer_open(ctx, path, s, NULL, &w), SBD_OK);
  ASSERT_EQ(sbd_writer_write(w, b), SBD_OK);
  ASSERT_EQ(sbd_writer_close(w), SBD_OK);
  char *file = slurp(path);
  ASSERT_STR_EQ(file, "v\n1\n\n3\n\n");
  free(file);
  char *got = read_render(path, NULL, 1, NULL);
  ASSERT_STR_EQ(got, "v:INT64\n1\n<null>\n3\n<null>\n");
  free(got);
  unlink(path);
  unlink(base);
  free(base);
  sbd_batch_free(b);
  schema_unref(s);
  sbd_ctx_free(ctx);
}

TEST(csv_unusual_delimiters) {
  static const read_case cases[] = {
      {"dot", "a.b\n1.5\n2.25\n", "delim=.", "a:INT64,b:INT64\n1|5\n2|25\n"},
      {"minus", "a-b\n1-5\n", "delim=-", "a:INT64,b:INT64\n1|5\n"},
      {"digit", "a7b\n175\n", "delim=7", "a:INT64,b:INT64\n1|5\n"},
      {"space", "a b\n1 x\n", "delim= ", "a:INT64,b:STRING\n1|x\n"},
  };
  RUN(cases);
}

TEST(csv_rows_before_an_error_come_first) {
  /* The rows before a bad record are delivered, then its error (so that a consumer that stops
   * early never sees an error beyond what it read); the bad record's partial row is not. */
  const char *input = "s,t,n\nx,,1\ny,NA,2\nzz,,bad\nw,q,4\n";
  char *path = temp_file(input, strlen(input));
  for (int threads = 1; threads <= 2; threads++) {
    sbd_ctx *ctx = sbd_ctx_new();
    sbd_ctx_set_threads(ctx, threads);
    sbd_options *o = make_options("schema=n:INT64");
    sbd_reader *r;
    const char *paths[] = {path};
    ASSERT_EQ(sbd_reader_open(ctx, paths, 1, o, &r), SBD_OK);
    sbd_batch *b;
    ASSERT_EQ(sbd_reader_next(r, &b), SBD_OK);
    ASSERT_TRUE(b != NULL);
    ASSERT_EQ(sbd_batch_nrows(b), 2);
    ASSERT_EQ(b->cols[0]->bytes_len, 2); /* "x", "y": nothing of "zz" */
    ASSERT_EQ(b->cols[1]->null_count, 2);
    ASSERT_EQ(b->cols[2]->null_count, 0);
    sbd_batch_free(b);
    ASSERT_EQ(sbd_reader_next(r, &b), SBD_EINPUT);
    char want[256];
    snprintf(want, sizeof(want), "%s:4: column 'n': cannot read \"bad\" as INT64", path);
    ASSERT_STR_EQ(sbd_errmsg(ctx), want);
    sbd_reader_close(r);
    sbd_options_free(o);
    sbd_ctx_free(ctx);
  }
  unlink(path);
  free(path);
}
