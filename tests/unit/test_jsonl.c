/*
 * test_jsonl.c — the JSON Lines reader and writer: syntax, escapes and UTF-8, columns from nested
 * objects and arrays, type inference, errors and their exact texts, on_error=skip and its
 * rejects file, parallel reading equal to serial reading, and write-then-read round trips.
 *
 * Most cases are rows of a table: an input, options, and the expected table rendered as text
 * (a "name:TYPE,..." header line, then one line per row with '|' between values, strings in
 * quotes with control characters escaped) or the expected error, where "F" stands for the path
 * of the input file.
 */
#include "test.h"

#include "io/io_int.h"

#include <dirent.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <unistd.h>

/* ---- helpers ----------------------------------------------------------------------------------*/

typedef struct tbuf {
  char *p;
  size_t len, cap;
} tbuf;

static void tb_put(tbuf *b, const char *s, size_t n) {
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + n + 1)
      cap *= 2;
    b->p = realloc(b->p, cap);
    if (!b->p)
      abort();
    b->cap = cap;
  }
  memcpy(b->p + b->len, s, n);
  b->len += n;
  b->p[b->len] = 0;
}

static void tb_puts(tbuf *b, const char *s) {
  tb_put(b, s, strlen(s));
}

static void tb_printf(tbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void tb_printf(tbuf *b, const char *fmt, ...) {
  char tmp[512];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
  va_end(ap);
  tb_put(b, tmp, (size_t)n);
}

static char test_dir_path[64];

/* Removes the test directory and the files the tests wrote in it. */
static void remove_test_dir(void) {
  DIR *d = opendir(test_dir_path);
  if (!d)
    return;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    char path[400];
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
      continue;
    snprintf(path, sizeof(path), "%s/%s", test_dir_path, e->d_name);
    unlink(path);
  }
  closedir(d);
  rmdir(test_dir_path);
}

static const char *test_dir(void) {
  if (!test_dir_path[0]) {
    strcpy(test_dir_path, "/tmp/sbd_test_jsonl_XXXXXX");
    if (!mkdtemp(test_dir_path))
      abort();
    atexit(remove_test_dir);
  }
  return test_dir_path;
}

/* Writes data to a file of the test directory and returns its path (static storage, one of a
 * few rotating buffers). */
static const char *put_file(const char *name, const char *data, size_t n) {
  static char paths[4][256];
  static int next;
  char *path = paths[next++ % 4];
  snprintf(path, 256, "%s/%s", test_dir(), name);
  FILE *f = fopen(path, "wb");
  if (!f)
    abort();
  if (n && fwrite(data, 1, n, f) != n)
    abort();
  fclose(f);
  return path;
}

static char *slurp(const char *path, size_t *n) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  tbuf b = {0};
  char tmp[4096];
  size_t got;
  while ((got = fread(tmp, 1, sizeof(tmp), f)) > 0)
    tb_put(&b, tmp, got);
  fclose(f);
  if (!b.p)
    tb_put(&b, "", 0);
  *n = b.len;
  return b.p;
}

/* Replaces every occurrence of path in s by "F" (in place). */
static void path_to_f(char *s, const char *path) {
  size_t pl = strlen(path);
  char *hit;
  while ((hit = strstr(s, path)) != NULL) {
    hit[0] = 'F';
    memmove(hit + 1, hit + pl, strlen(hit + pl) + 1);
  }
}

static void render_string(tbuf *b, const char *s, size_t n) {
  tb_puts(b, "\"");
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '"' || c == '\\') {
      char e[2] = {'\\', (char)c};
      tb_put(b, e, 2);
    } else if (c == '\n') {
      tb_puts(b, "\\n");
    } else if (c == '\t') {
      tb_puts(b, "\\t");
    } else if (c == '\r') {
      tb_puts(b, "\\r");
    } else if (c < 0x20) {
      tb_printf(b, "\\x%02x", c);
    } else {
      tb_put(b, (const char *)&s[i], 1);
    }
  }
  tb_puts(b, "\"");
}

static void render_schema(tbuf *b, const sbd_schema *s) {
  for (int c = 0; c < s->ncols; c++)
    tb_printf(b, "%s%s:%s", c ? "," : "", s->fields[c].name, sbd_type_name(s->fields[c].type));
  tb_puts(b, "\n");
}

static void render_batch(tbuf *b, const sbd_batch *batch) {
  char tmp[64];
  for (int64_t r = 0; r < batch->nrows; r++) {
    for (int c = 0; c < batch->ncols; c++) {
      const sbd_vec *v = batch->cols[c];
      if (c)
        tb_puts(b, "|");
      if (!vec_is_valid(v, r)) {
        tb_puts(b, "null");
        continue;
      }
      switch (v->type) {
      case SBD_BOOL:
        tb_puts(b, ((const uint8_t *)v->values)[r] ? "true" : "false");
        break;
      case SBD_INT64:
        tb_put(b, tmp, num_format_int64(((const int64_t *)v->values)[r], tmp));
        break;
      case SBD_DOUBLE:
        tb_put(b, tmp, num_format_double(((const double *)v->values)[r], tmp));
        break;
      case SBD_DATE:
        tb_put(b, tmp, tm_format_date(((const int32_t *)v->values)[r], tmp));
        break;
      case SBD_TIMESTAMP:
        tb_put(b, tmp, tm_format_timestamp(((const int64_t *)v->values)[r], tmp));
        break;
      case SBD_STRING: {
        size_t n;
        const char *s = vec_str(v, r, &n);
        render_string(b, s, n);
        break;
      }
      }
    }
    tb_puts(b, "\n");
  }
}

/* Options from "key=value;key=value" (NULL or "" for none). */
static sbd_options *make_opts(const char *spec) {
  sbd_options *o = sbd_options_new();
  if (!spec)
    return o;
  char *copy = strdup(spec);
  for (char *save = NULL, *kv = strtok_r(copy, ";", &save); kv; kv = strtok_r(NULL, ";", &save)) {
    char *eq = strchr(kv, '=');
    if (!eq)
      continue;
    *eq = 0;
    sbd_options_set(o, kv, eq + 1);
  }
  free(copy);
  return o;
}

typedef struct read_result {
  sbd_status status;
  char *text; /* the rendered table, or "ERR:" and the message with the path as F */
  int64_t rows, rejected;
  int64_t max_batch_rows;
} read_result;

/* Reads path with the options and threads given and renders everything it read. */
static read_result read_path(const char *path, const char *opts_spec, int threads) {
  read_result res = {0};
  sbd_ctx *ctx = sbd_ctx_new();
  sbd_ctx_set_threads(ctx, threads);
  sbd_options *o = make_opts(opts_spec);
  tbuf b = {0};
  sbd_reader *r = NULL;
  res.status = sbd_reader_open(ctx, &path, 1, o, &r);
  if (res.status == SBD_OK) {
    render_schema(&b, sbd_reader_schema(r));
    for (;;) {
      sbd_batch *batch;
      res.status = sbd_reader_next(r, &batch);
      if (res.status != SBD_OK || !batch)
        break;
      res.rows += batch->nrows;
      if (batch->nrows > res.max_batch_rows)
        res.max_batch_rows = batch->nrows;
      render_batch(&b, batch);
      sbd_batch_free(batch);
    }
    res.rejected = sbd_reader_rejected(r);
    sbd_reader_close(r);
  }
  if (res.status != SBD_OK) {
    b.len = 0;
    tb_puts(&b, "ERR:");
    tb_puts(&b, sbd_errmsg(ctx));
    path_to_f(b.p, path);
  }
  if (!b.p)
    tb_puts(&b, "");
  res.text = b.p;
  sbd_options_free(o);
  sbd_ctx_free(ctx);
  return res;
}

static read_result read_text(const char *input, size_t n, const char *opts_spec, int threads) {
  const char *path = put_file("in.jsonl", input, n);
  return read_path(path, opts_spec, threads);
}

typedef struct read_case {
  const char *name;
  const char *input;
  const char *opts;
  const char *expected;
} read_case;

static void run_cases(const read_case *cases, size_t n) {
  for (size_t i = 0; i < n; i++) {
    read_result r = read_text(cases[i].input, strlen(cases[i].input), cases[i].opts, 2);
    CHECK(strcmp(r.text, cases[i].expected) == 0, "case %s:\n  got      [%s]\n  expected [%s]",
          cases[i].name, r.text, cases[i].expected);
    free(r.text);
  }
}

/* ---- strings, escapes, UTF-8 ------------------------------------------------------------------*/

TEST(jsonl_escapes_and_utf8) {
  static const read_case cases[] = {
      {"simple escapes", "{\"s\":\"a\\nb\\\"c\\\\d\\/e\\tf\\bg\\fh\\ri\"}\n", NULL,
       "s:STRING\n\"a\\nb\\\"c\\\\d/e\\tf\\x08g\\x0ch\\ri\"\n"},
      {"unicode escapes", "{\"s\":\"\\u00e9\\u20AC\\ud83d\\ude00\\u0041\"}\n", NULL,
       "s:STRING\n\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"
       "A\"\n"},
      {"raw UTF-8 kept", "{\"s\":\"\xc3\xa9t\xc3\xa9 \xf0\x9f\x98\x80\"}\n", NULL,
       "s:STRING\n\"\xc3\xa9t\xc3\xa9 \xf0\x9f\x98\x80\"\n"},
      {"escaped NUL", "{\"s\":\"a\\u0000b\"}\n", NULL, "s:STRING\n\"a\\x00b\"\n"},
      {"escaped key", "{\"k\\u0065y\":1}\n", NULL, "key:INT64\n1\n"},
      {"lone high surrogate", "{\"s\":\"\\ud83d\"}\n", NULL,
       "ERR:F:1: invalid JSON at column 7: lone surrogate \\ud83d (a high surrogate must be "
       "followed by a low one)"},
      {"high surrogate then not low", "{\"s\":\"\\ud83d\\u0041\"}\n", NULL,
       "ERR:F:1: invalid JSON at column 7: lone surrogate \\ud83d (a high surrogate must be "
       "followed by a low one)"},
      {"lone low surrogate", "{\"s\":\"x\\ude00\"}\n", NULL,
       "ERR:F:1: invalid JSON at column 8: lone surrogate \\ude00"},
      {"bad hex", "{\"s\":\"\\u12g4\"}\n", NULL,
       "ERR:F:1: invalid JSON at column 7: expected 4 hex digits after \\u"},
      {"bad escape", "{\"s\":\"\\x\"}\n", NULL,
       "ERR:F:1: invalid JSON at column 7: invalid escape '\\x'"},
      {"invalid UTF-8 in a string",
       "{\"a\":1}\n{\"s\":\"ab\xff"
       "c\"}\n",
       NULL, "ERR:F:2: invalid UTF-8 at column 9"},
      {"overlong UTF-8", "{\"s\":\"\xc0\xaf\"}\n", NULL, "ERR:F:1: invalid UTF-8 at column 7"},
      {"UTF-8 surrogate", "{\"s\":\"\xed\xa0\x80\"}\n", NULL, "ERR:F:1: invalid UTF-8 at column 7"},
      {"truncated UTF-8", "{\"s\":\"\xe2\x82\"}\n", NULL, "ERR:F:1: invalid UTF-8 at column 7"},
      {"invalid UTF-8 outside strings", "{\"s\":1}\xff\n", NULL,
       "ERR:F:1: invalid UTF-8 at column 8"},
      {"invalid UTF-8 in a key", "{\"\xfe\":1}\n", NULL, "ERR:F:1: invalid UTF-8 at column 3"},
      {"raw tab in a string", "{\"s\":\"a\tb\"}\n", NULL,
       "ERR:F:1: invalid JSON at column 8: control character 0x09 in a string (write it as "
       "\\u0009)"},
      {"raw CR in a string", "{\"s\":\"a\rb\"}\n", NULL,
       "ERR:F:1: invalid JSON at column 8: control character 0x0d in a string (write it as "
       "\\u000d)"},
      {"unterminated string", "{\"s\":\"abc\n", NULL,
       "ERR:F:1: invalid JSON at column 6: unterminated string"},
      {"long strings", "{\"s\":\"0123456789abcdef0123456789\\\"abcdef\"}\n", NULL,
       "s:STRING\n\"0123456789abcdef0123456789\\\"abcdef\"\n"},
  };
  run_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

/* ---- columns ----------------------------------------------------------------------------------*/

TEST(jsonl_columns) {
  static const read_case cases[] = {
      {"nested objects",
       "{\"id\":1,\"address\":{\"city\":\"X\",\"zip\":\"123\"},\"n\":2}\n"
       "{\"id\":2,\"address\":{\"zip\":\"9\"},\"n\":3}\n",
       NULL,
       "id:INT64,address.city:STRING,address.zip:STRING,n:INT64\n1|\"X\"|\"123\"|2\n"
       "2|null|\"9\"|3\n"},
      {"deeper nesting and a null object",
       "{\"a\":{\"b\":{\"c\":true}}}\n{\"a\":null}\n{\"a\":{\"b\":null}}\n", NULL,
       "a.b.c:BOOL\ntrue\nnull\nnull\n"},
      {"nested keys kept together",
       "{\"a\":{\"x\":1},\"b\":2}\n{\"a\":{\"x\":3,\"y\":4},\"b\":5}\n", NULL,
       "a.x:INT64,a.y:INT64,b:INT64\n1|null|2\n3|4|5\n"},
      {"arrays as minified JSON text",
       "{\"a\":[1, 2, {\"x\" : \"y z\", \"e\": \"\\u00e9\"}],\"b\":[ ]}\n", NULL,
       "a:STRING,b:STRING\n\"[1,2,{\\\"x\\\":\\\"y z\\\",\\\"e\\\":\\\"\\\\u00e9\\\"}]\"|\"[]\"\n"},
      {"object mixed with scalars",
       "{\"a\":{\"x\": 1}}\n{\"a\":5}\n{\"a\":\"s\"}\n{\"a\":[true]}\n", NULL,
       "a:STRING\n\"{\\\"x\\\":1}\"\n\"5\"\n\"s\"\n\"[true]\"\n"},
      {"empty object", "{\"a\":{},\"b\":1}\n", NULL, "a:STRING,b:INT64\n\"{}\"|1\n"},
      {"missing keys and nulls",
       "{\"a\":1,\"b\":\"x\"}\n{\"b\":\"y\"}\n{\"a\":3}\n{\"a\":null,\"b\":null}\n", NULL,
       "a:INT64,b:STRING\n1|\"x\"\nnull|\"y\"\n3|null\nnull|null\n"},
      {"union in order of appearance", "{\"a\":1}\n{\"c\":2,\"a\":3,\"b\":4}\n{}\n", NULL,
       "a:INT64,c:INT64,b:INT64\n1|null|null\n3|2|4\nnull|null|null\n"},
      {"duplicate key: the last wins",
       "{\"a\":1,\"s\":\"x\",\"a\":2,\"s\":\"yy\"}\n{\"a\":null,\"a\":3,\"s\":\"z\",\"s\":null}\n",
       NULL, "a:INT64,s:STRING\n2|\"yy\"\n3|null\n"},
      {"dotted key reaches the nested column", "{\"a\":{\"b\":1}}\n{\"a.b\":2}\n", NULL,
       "a.b:INT64\n1\n2\n"},
      {"keys in another order", "{\"a\":1,\"b\":2,\"c\":3}\n{\"c\":6,\"b\":5,\"a\":4}\n", NULL,
       "a:INT64,b:INT64,c:INT64\n1|2|3\n4|5|6\n"},
      {"whitespace everywhere", " { \"a\" : 1 , \"b\" : [ 1 , 2 ] } \t\n", NULL,
       "a:INT64,b:STRING\n1|\"[1,2]\"\n"},
      {"only empty objects", "{}\n{}\n", NULL,
       "ERR:F: the sampled records have no keys (every object is empty), so there are no "
       "columns"},
  };
  run_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

/* ---- inference --------------------------------------------------------------------------------*/

TEST(jsonl_inference) {
  static const read_case cases[] = {
      {"each type",
       "{\"i\":1,\"d\":1.5,\"e\":1e3,\"b\":true,\"s\":\"x\",\"dt\":\"2024-01-31\","
       "\"ts\":\"2024-01-31T12:00:00.25Z\",\"n\":null}\n",
       NULL,
       "i:INT64,d:DOUBLE,e:DOUBLE,b:BOOL,s:STRING,dt:DATE,ts:TIMESTAMP,n:STRING\n"
       "1|1.5|1000.0|true|\"x\"|2024-01-31|2024-01-31 12:00:00.25|null\n"},
      {"int and double widen to DOUBLE", "{\"a\":1}\n{\"a\":-2.5}\n{\"a\":-0}\n", NULL,
       "a:DOUBLE\n1.0\n-2.5\n0.0\n"},
      {"int beyond int64 is DOUBLE", "{\"a\":1}\n{\"a\":123456789012345678901}\n", NULL,
       "a:DOUBLE\n1.0\n1.2345678901234568e+20\n"},
      {"int64 limits", "{\"a\":-9223372036854775808}\n{\"a\":9223372036854775807}\n", NULL,
       "a:INT64\n-9223372036854775808\n9223372036854775807\n"},
      {"number and string are STRING", "{\"a\":1}\n{\"a\":\"x\"}\n{\"a\":1.50}\n{\"a\":true}\n",
       NULL, "a:STRING\n\"1\"\n\"x\"\n\"1.50\"\n\"true\"\n"},
      {"bool and number are STRING", "{\"a\":false}\n{\"a\":0}\n", NULL,
       "a:STRING\n\"false\"\n\"0\"\n"},
      {"strings that look like numbers stay STRING",
       "{\"a\":\"123\",\"b\":\"true\",\"c\":\"1.5\",\"d\":\"\"}\n", NULL,
       "a:STRING,b:STRING,c:STRING,d:STRING\n\"123\"|\"true\"|\"1.5\"|\"\"\n"},
      {"dates in strings", "{\"a\":\"2024-01-31\"}\n{\"a\":\"1999-12-31\"}\n", NULL,
       "a:DATE\n2024-01-31\n1999-12-31\n"},
      {"date and timestamp widen to TIMESTAMP",
       "{\"a\":\"2024-01-31\"}\n{\"a\":\"2024-02-01 10:00:00+02:00\"}\n", NULL,
       "a:TIMESTAMP\n2024-01-31 00:00:00\n2024-02-01 08:00:00\n"},
      {"date and other string is STRING", "{\"a\":\"2024-01-31\"}\n{\"a\":\"soon\"}\n", NULL,
       "a:STRING\n\"2024-01-31\"\n\"soon\"\n"},
      {"escaped date", "{\"a\":\"2024\\u002d01-31\"}\n", NULL, "a:DATE\n2024-01-31\n"},
      {"only nulls is STRING", "{\"a\":null}\n", NULL, "a:STRING\nnull\n"},
      {"exponent forms", "{\"a\":1E2,\"b\":-1.25e-2,\"c\":0.1}\n", NULL,
       "a:DOUBLE,b:DOUBLE,c:DOUBLE\n100.0|-0.0125|0.1\n"},
  };
  run_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

/* ---- options and forced types -----------------------------------------------------------------*/

TEST(jsonl_options_and_schema) {
  static const read_case cases[] = {
      {"forced types and an absent column", "{\"a\":1,\"b\":\"2024-01-01\"}\n{\"a\":2.5}\n",
       "schema=a:DOUBLE,c:STRING",
       "a:DOUBLE,b:DATE,c:STRING\n1.0|2024-01-01|null\n2.5|null|null\n"},
      {"forced STRING keeps an object as text", "{\"o\":{\"x\":1},\"n\":1}\n", "schema=o:STRING",
       "o:STRING,n:INT64\n\"{\\\"x\\\":1}\"|1\n"},
      {"forced nested column after the sample", "{\"a\":1}\n{\"a\":2,\"p\":{\"q\":5}}\n",
       "schema=p.q:INT64;sample_rows=1", "a:INT64,p.q:INT64\n1|null\n2|5\n"},
      {"forced INT64 on strings", "{\"a\":\"x\"}\n", "schema=a:INT64",
       "ERR:F:1: column 'a': cannot read \"x\" as INT64"},
      {"forced STRING on numbers", "{\"a\":12.50}\n{\"a\":true}\n", "schema=a:STRING",
       "a:STRING\n\"12.50\"\n\"true\"\n"},
      {"empty file with a schema", "", "schema=a:INT64", "a:INT64\n"},
      {"unknown option", "{\"a\":1}\n", "delim=;", "ERR:JSON Lines reader: unknown option 'delim'"},
      {"bad sample_rows", "{\"a\":1}\n", "sample_rows=0",
       "ERR:option sample_rows: 0 is out of range 1..9223372036854775807"},
      {"sample_rows limits the sample", "{\"a\":1}\n{\"a\":2.5}\n", "sample_rows=1",
       "ERR:F:2: column 'a': cannot read 2.5 as INT64"},
      {"line over max_line_bytes", "{\"a\":1}\n{\"a\":\"0123456789012345678901234567890123\"}\n",
       "max_line_bytes=32",
       "ERR:F:2: a record is longer than the cap of 32 bytes (max_line_bytes)"},
  };
  run_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

/* ---- errors -----------------------------------------------------------------------------------*/

/* Each bad line is tried as the first line (found while sampling) and after a good line beyond
 * the sample (found by the parallel parser): both must give the same message. */
TEST(jsonl_syntax_errors) {
  static const struct {
    const char *line;
    const char *message;
  } cases[] = {
      {"{\"a\":1 \"b\":2}", "invalid JSON at column 8: expected ',' or '}'"},
      {"{\"a\":1,}", "invalid JSON at column 8: expected '\"' (a key)"},
      {"{\"a\" 1}", "invalid JSON at column 6: expected ':'"},
      {"{\"a\":}", "invalid JSON at column 6: expected a value"},
      {"{a:1}", "invalid JSON at column 2: expected '\"' (a key)"},
      {"[1,2]", "invalid JSON at column 1: expected '{' (each line must be one JSON object)"},
      {"\"a\"", "invalid JSON at column 1: expected '{' (each line must be one JSON object)"},
      {"{\"a\":1}}", "invalid JSON at column 8: expected the end of the line after the object"},
      {"{\"a\":1} {\"a\":2}",
       "invalid JSON at column 9: expected the end of the line after the object"},
      {"{\"a\":01}", "invalid JSON at column 6: invalid number"},
      {"{\"a\":1.}", "invalid JSON at column 6: invalid number"},
      {"{\"a\":-}", "invalid JSON at column 6: invalid number"},
      {"{\"a\":1e}", "invalid JSON at column 6: invalid number"},
      {"{\"a\":.5}", "invalid JSON at column 6: expected a value"},
      {"{\"a\":+1}", "invalid JSON at column 6: expected a value"},
      {"{\"a\":NaN}", "invalid JSON at column 6: expected a value"},
      {"{\"a\":tru}", "invalid JSON at column 6: expected a value"},
      {"{\"a\":[1,]}", "invalid JSON at column 9: expected a value"},
      {"{\"a\":[1 2]}", "invalid JSON at column 9: expected ',' or ']'"},
      {"{\"a\":1", "invalid JSON at column 7: expected ',' or '}' before the end of the line"},
      {"{\"a\":\"x", "invalid JSON at column 6: unterminated string"},
      {"{\"a\":'x'}", "invalid JSON at column 6: expected a value"},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    for (int after = 0; after < 2; after++) {
      tbuf in = {0}, want = {0};
      if (after)
        tb_puts(&in, "{\"a\":1}\n");
      tb_puts(&in, cases[i].line);
      tb_puts(&in, "\n");
      tb_printf(&want, "ERR:F:%d: %s", after + 1, cases[i].message);
      read_result r = read_text(in.p, in.len, after ? "sample_rows=1" : NULL, 2);
      CHECK(strcmp(r.text, want.p) == 0, "line %s (%s):\n  got      [%s]\n  expected [%s]",
            cases[i].line, after ? "after the sample" : "in the sample", r.text, want.p);
      free(r.text);
      free(in.p);
      free(want.p);
    }
  }
}

TEST(jsonl_value_errors) {
  static const read_case cases[] = {
      {"unknown key after the sample", "{\"a\":1}\n{\"a\":2,\"zz\":3}\n", "sample_rows=1",
       "ERR:F:2: unknown key 'zz': it is not in the 1 records sampled to find the columns (raise "
       "sample_rows, or pass a schema naming it)"},
      {"unknown nested key", "{\"a\":{\"x\":1}}\n{\"a\":{\"y\":2}}\n", "sample_rows=1",
       "ERR:F:2: unknown key 'a.y': it is not in the 1 records sampled to find the columns "
       "(raise sample_rows, or pass a schema naming it)"},
      {"string in INT64", "{\"a\":1}\n{\"a\":\"abc\"}\n", "sample_rows=1",
       "ERR:F:2: column 'a': cannot read \"abc\" as INT64"},
      {"fraction in INT64", "{\"a\":1}\n{\"a\":3.5}\n", "sample_rows=1",
       "ERR:F:2: column 'a': cannot read 3.5 as INT64"},
      {"overflow in INT64", "{\"a\":1}\n{\"a\":9223372036854775808}\n", "sample_rows=1",
       "ERR:F:2: column 'a': cannot read 9223372036854775808 as INT64"},
      {"string in DOUBLE", "{\"a\":1.5}\n{\"a\":\"1.5\"}\n", "sample_rows=1",
       "ERR:F:2: column 'a': cannot read \"1.5\" as DOUBLE"},
      {"number in BOOL", "{\"a\":true}\n{\"a\":1}\n", "sample_rows=1",
       "ERR:F:2: column 'a': cannot read 1 as BOOL"},
      {"bad date", "{\"a\":\"2024-01-01\"}\n{\"a\":\"2024-02-30\"}\n", "sample_rows=1",
       "ERR:F:2: column 'a': cannot read \"2024-02-30\" as DATE"},
      {"array in INT64", "{\"a\":1}\n{\"a\":[1, 2]}\n", "sample_rows=1",
       "ERR:F:2: column 'a': cannot read [1, 2] as INT64"},
      {"scalar for an object", "{\"a\":{\"x\":1}}\n{\"a\":7}\n", "sample_rows=1",
       "ERR:F:2: key 'a': cannot read 7 as an object (its keys are columns, from the sampled "
       "records)"},
      {"long value is cut",
       "{\"a\":1}\n{\"a\":\"0123456789012345678901234567890123456789012345678901234567890123\"}\n",
       "sample_rows=1",
       "ERR:F:2: column 'a': cannot read \"012345678901234567890123456789012345678901234567890123"
       "45678... as INT64"},
  };
  run_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

TEST(jsonl_lines_blank_crlf_empty) {
  static const read_case cases[] = {
      {"blank lines", "\n  \n{\"a\":1}\n\t\n{\"a\":2}\n\n", NULL, "a:INT64\n1\n2\n"},
      {"blank lines count", "\n{\"a\":1}\n\n{\"a\":x}\n", NULL,
       "ERR:F:4: invalid JSON at column 6: expected a value"},
      {"CRLF", "{\"a\":1,\"b\":\"x\"}\r\n{\"a\":2,\"b\":\"y\"}\r\n\r\n", NULL,
       "a:INT64,b:STRING\n1|\"x\"\n2|\"y\"\n"},
      {"no final newline", "{\"a\":1}\n{\"a\":2}", NULL, "a:INT64\n1\n2\n"},
      {"no final newline, bad", "{\"a\":1}\n{\"a\":2", NULL,
       "ERR:F:2: invalid JSON at column 7: expected ',' or '}' before the end of the line"},
      {"byte order mark", "\xef\xbb\xbf{\"a\":1}\n", NULL, "a:INT64\n1\n"},
      {"empty file", "", NULL, "ERR:F: the file is empty (no records)"},
      {"blank file", "\n \n\r\n", NULL, "ERR:F: the file is empty (no records)"},
  };
  run_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

/* Objects whose keys are data: one JSON text column past 1000 keys; an error past the caps. */
TEST(jsonl_keys_that_are_data) {
  tbuf in = {0};
  for (int row = 0; row < 3; row++) {
    tb_printf(&in, "{\"id\":%d,\"scores\":{", row);
    for (int k = 0; k < 1200; k++)
      tb_printf(&in, "%s\"u%d\":%d", k ? "," : "", k * 3 + row, k);
    tb_puts(&in, "}}\n");
  }
  read_result r = read_text(in.p, in.len, NULL, 2);
  ASSERT_EQ(r.status, SBD_OK);
  CHECK(strncmp(r.text, "id:INT64,scores:STRING\n0|\"{\\\"u0\\\":0,\\\"u3\\\":1,", 40) == 0,
        "got %.80s", r.text);
  ASSERT_EQ(r.rows, 3);
  free(r.text);
  in.len = 0;
  for (int row = 0; row < 12; row++) {
    tb_puts(&in, "{");
    for (int k = 0; k < 1000; k++)
      tb_printf(&in, "%s\"k%d\":1", k ? "," : "", row * 1000 + k);
    tb_puts(&in, "}\n");
  }
  r = read_text(in.p, in.len, NULL, 2);
  ASSERT_STR_EQ(r.text, "ERR:F: the sampled records have 12000 distinct keys, over the limit of "
                        "10000 columns; are keys data here (ids, dates)?");
  free(r.text);
  free(in.p);
}

TEST(jsonl_garbage_and_depth) {
  /* Random bytes (with newlines here and there): an error, never a crash or a hang. */
  char *junk = malloc(300000);
  uint64_t x = 88172645463325252u;
  for (size_t i = 0; i < 300000; i++) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    junk[i] = (char)(x >> 24);
  }
  read_result r = read_text(junk, 300000, NULL, 2);
  CHECK(r.status == SBD_EINPUT && strncmp(r.text, "ERR:F:1: ", 9) == 0, "garbage: %s", r.text);
  free(r.text);
  r = read_text(junk, 300000, "on_error=skip", 2);
  CHECK(r.status == SBD_EINPUT, "garbage with skip: %s", r.text);
  free(r.text);
  /* Garbage after good records, read by the parallel parser with skip. */
  tbuf in = {0};
  tb_puts(&in, "{\"a\":1}\n");
  tb_put(&in, junk, 300000);
  tb_puts(&in, "\n{\"a\":2}\n");
  r = read_text(in.p, in.len, "on_error=skip;sample_rows=1", 2);
  CHECK(r.status == SBD_OK && r.rows == 2, "garbage after records with skip: %s", r.text);
  free(r.text);
  free(in.p);
  free(junk);

  /* Nesting deeper than the parser's limit, inside a value and as objects. */
  tbuf deep = {0};
  tb_puts(&deep, "{\"a\":");
  for (int i = 0; i < 100000; i++)
    tb_puts(&deep, "[");
  tb_puts(&deep, "\n");
  r = read_text(deep.p, deep.len, NULL, 1);
  ASSERT_STR_EQ(r.text, "ERR:F:1: invalid JSON at column 517: nested deeper than 512 levels");
  free(r.text);
  deep.len = 0;
  tb_puts(&deep, "{\"a\":1}\n{\"a\":");
  for (int i = 0; i < 1000; i++)
    tb_puts(&deep, "{\"a\":");
  tb_puts(&deep, "\n");
  r = read_text(deep.p, deep.len, "sample_rows=1", 1);
  ASSERT_STR_EQ(r.text, "ERR:F:2: invalid JSON at column 2561: nested deeper than 512 levels");
  free(r.text);
  free(deep.p);
}

/* ---- on_error=skip ----------------------------------------------------------------------------*/

TEST(jsonl_skip_with_rejects_file) {
  const char *input = "{\"a\":1,\"s\":\"one\",\"b\":true}\n"
                      "{\"a\":2,\"s\":\"partial\",\"b\":3}\n" /* BOOL gets a number */
                      "{\"a\":3,\"s\":\"x\",\"zz\":1}\n"      /* unknown key */
                      "{\"a\":4,\"s\":\"tw\\u00f6\",\"b\":false}\n"
                      "{\"a\":5,\"s\":\"bad\" \"b\":true}\n"     /* syntax */
                      "{\"a\":null,\"a\":\"x\",\"s\":\"dup\"}\n" /* duplicate, then bad */
                      "{\"b\":null,\"s\":\"last\"}\n"
                      "{\"a\":8,\"s\":\"z\",\"b\":true}\n";
  char rej_path[256];
  snprintf(rej_path, sizeof(rej_path), "%s/rejects.csv", test_dir());
  unlink(rej_path);
  char opts[400];
  snprintf(opts, sizeof(opts), "on_error=skip;rejects=%s;sample_rows=1", rej_path);
  const char *path = put_file("skip.jsonl", input, strlen(input));
  read_result r = read_path(path, opts, 2);
  ASSERT_STR_EQ(r.text, "a:INT64,s:STRING,b:BOOL\n1|\"one\"|true\n4|\"tw\xc3\xb6\"|false\n"
                        "null|\"last\"|null\n8|\"z\"|true\n");
  ASSERT_EQ(r.rejected, 4);
  free(r.text);
  size_t n;
  char *rej = slurp(rej_path, &n);
  ASSERT_TRUE(rej != NULL);
  path_to_f(rej, path);
  ASSERT_STR_EQ(
      rej, "file,line,error,record\n"
           "\"F\",2,\"column 'b': cannot read 3 as BOOL\",\"{\"\"a\"\":2,\"\"s\"\":\"\"partial\"\","
           "\"\"b\"\":3}\"\n"
           "\"F\",3,\"unknown key 'zz': it is not in the 1 records sampled to find the columns "
           "(raise sample_rows, or pass a schema naming it)\",\"{\"\"a\"\":3,\"\"s\"\":\"\"x\"\","
           "\"\"zz\"\":1}\"\n"
           "\"F\",5,\"invalid JSON at column 18: expected ',' or '}'\",\"{\"\"a\"\":5,\"\"s\"\":"
           "\"\"bad\"\" \"\"b\"\":true}\"\n"
           "\"F\",6,\"column 'a': cannot read \"\"x\"\" as INT64\",\"{\"\"a\"\":null,\"\"a\"\":"
           "\"\"x\"\",\"\"s\"\":\"\"dup\"\"}\"\n");
  free(rej);

  /* A bad line inside the sample is left out of the inference, and rejected. */
  r = read_text("{\"a\":1}\n{\"a\":\n{\"a\":2.5}\n", 24, "on_error=skip", 1);
  ASSERT_STR_EQ(r.text, "a:DOUBLE\n1.0\n2.5\n");
  ASSERT_EQ(r.rejected, 1);
  free(r.text);
}

/* ---- many rows, several chunks, threads -------------------------------------------------------*/

static tbuf make_big(int64_t rows, int64_t bad_line) {
  tbuf b = {0};
  uint64_t x = 12345;
  for (int64_t i = 1; i <= rows; i++) {
    x = x * 6364136223846793005u + 1442695040888963407u;
    unsigned r = (unsigned)(x >> 33);
    if (i == bad_line) {
      tb_puts(&b, "{\"id\":oops}\n");
      continue;
    }
    tb_printf(&b, "{\"id\":%lld", (long long)i);
    if (r % 7)
      tb_printf(&b, ",\"name\":\"n%u\\t\\u00e9\"", r % 1000);
    tb_printf(&b, ",\"v\":%u.%02u", r % 100, r % 97);
    if (r % 5 == 0)
      tb_puts(&b, ",\"flag\":null");
    else
      tb_printf(&b, ",\"flag\":%s", r % 2 ? "true" : "false");
    tb_printf(&b, ",\"o\":{\"d\":\"2024-%02u-%02u\",\"t\":[%u]}}\n", r % 12 + 1, r % 28 + 1, r);
    if (r % 11 == 0)
      tb_puts(&b, "\n");
  }
  return b;
}

TEST(jsonl_parallel_equals_serial) {
  tbuf big = make_big(200000, 0);
  read_result one = read_text(big.p, big.len, NULL, 1);
  read_result two = read_text(big.p, big.len, NULL, 2);
  read_result four = read_text(big.p, big.len, NULL, 4);
  ASSERT_EQ(one.status, SBD_OK);
  ASSERT_EQ(one.rows, 200000);
  ASSERT_TRUE(one.max_batch_rows <= SBD_BATCH_ROWS);
  ASSERT_TRUE(strncmp(one.text, "id:INT64,name:STRING,v:DOUBLE,flag:BOOL,o.d:DATE,o.t:STRING\n1|",
                      62) == 0);
  ASSERT_EQ(two.rows, 200000);
  ASSERT_TRUE(strcmp(one.text, two.text) == 0);
  ASSERT_TRUE(strcmp(one.text, four.text) == 0);
  free(one.text);
  free(two.text);
  free(four.text);
  free(big.p);

  /* A bad line far into the input is reported with its absolute line number. */
  big = make_big(150000, 149999);
  size_t lines = 0;
  for (size_t i = 0; i < big.len; i++)
    lines += big.p[i] == '\n';
  /* Blank lines shift the physical line: find it. */
  const char *bad = strstr(big.p, "{\"id\":oops}");
  int64_t line = 1;
  for (const char *q = big.p; q < bad; q++)
    line += *q == '\n';
  read_result err = read_text(big.p, big.len, NULL, 2);
  char want[128];
  snprintf(want, sizeof(want), "ERR:F:%lld: invalid JSON at column 7: expected a value",
           (long long)line);
  ASSERT_STR_EQ(err.text, want);
  free(err.text);
  read_result skip = read_text(big.p, big.len, "on_error=skip", 2);
  ASSERT_EQ(skip.rows, 149999);
  ASSERT_EQ(skip.rejected, 1);
  free(skip.text);
  free(big.p);
  (void)lines;
}

/* ---- the writer -------------------------------------------------------------------------------*/

static char *write_batch_file(const sbd_batch *b, const char *name, const char *opts_spec,
                              char *err, size_t err_cap) {
  sbd_ctx *ctx = sbd_ctx_new();
  char path[256];
  snprintf(path, sizeof(path), "%s/%s", test_dir(), name);
  sbd_options *o = make_opts(opts_spec);
  sbd_writer *w = NULL;
  sbd_status st = sbd_writer_open(ctx, path, b->schema, o, &w);
  if (st == SBD_OK)
    st = sbd_writer_write(w, b);
  if (st == SBD_OK)
    st = sbd_writer_close(w);
  else
    sbd_writer_abort(w);
  snprintf(err, err_cap, "%s", st == SBD_OK ? "" : sbd_errmsg(ctx));
  sbd_options_free(o);
  sbd_ctx_free(ctx);
  if (st != SBD_OK)
    return NULL;
  size_t n;
  return slurp(path, &n);
}

TEST(jsonl_writer_text) {
  sbd_schema *s = schema_new(NULL, 7);
  schema_set(NULL, s, 0, "b", SBD_BOOL);
  schema_set(NULL, s, 1, "i", SBD_INT64);
  schema_set(NULL, s, 2, "d", SBD_DOUBLE);
  schema_set(NULL, s, 3, "s", SBD_STRING);
  schema_set(NULL, s, 4, "dt", SBD_DATE);
  schema_set(NULL, s, 5, "address.city", SBD_TIMESTAMP);
  schema_set(NULL, s, 6, "we\"ird\n", SBD_STRING);
  sbd_batch *b = batch_new(NULL, s, 4);
  sbd_vec **c = b->cols;
  vec_push_bool(c[0], true);
  vec_push_i64(c[1], -42);
  vec_push_f64(c[2], 3.0);
  vec_push_str(NULL, c[3], "q\"b\\s\n\x01\x1f\x7f\xc3\xa9\xf0\x9f\x98\x80", 15);
  vec_push_i32(c[4], 19753);
  vec_push_i64(c[5], INT64_C(1706702400250000));
  vec_push_str(NULL, c[6], "x", 1);
  vec_push_null(NULL, c[0]);
  vec_push_null(NULL, c[1]);
  vec_push_f64(c[2], NAN);
  vec_push_str(NULL, c[3], "bad \xff utf8 \xe2\x82", 13);
  vec_push_null(NULL, c[4]);
  vec_push_null(NULL, c[5]);
  vec_push_null(NULL, c[6]);
  vec_push_bool(c[0], false);
  vec_push_i64(c[1], 0);
  vec_push_f64(c[2], -INFINITY);
  vec_push_null(NULL, c[3]);
  vec_push_i32(c[4], -1);
  vec_push_i64(c[5], 0);
  vec_push_str(NULL, c[6], "", 0);
  batch_seal(b);
  char err[512];
  char *text = write_batch_file(b, "w.jsonl", NULL, err, sizeof(err));
  ASSERT_STR_EQ(err, "");
  ASSERT_STR_EQ(text,
                "{\"b\":true,\"i\":-42,\"d\":3.0,\"s\":\"q\\\"b\\\\s\\n\\u0001\\u001f\x7f\xc3\xa9"
                "\xf0\x9f\x98\x80\",\"dt\":\"2024-01-31\",\"address.city\":\"2024-01-31 "
                "12:00:00.25\",\"we\\\"ird\\n\":\"x\"}\n"
                "{\"b\":null,\"i\":null,\"d\":null,\"s\":\"bad \xef\xbf\xbd utf8 \xef\xbf\xbd"
                "\xef\xbf\xbd\",\"dt\":null,\"address.city\":null,\"we\\\"ird\\n\":null}\n"
                "{\"b\":false,\"i\":0,\"d\":null,\"s\":null,\"dt\":\"1969-12-31\","
                "\"address.city\":\"1970-01-01 00:00:00\",\"we\\\"ird\\n\":\"\"}\n");
  free(text);
  text = write_batch_file(b, "w2.jsonl", "delim=;", err, sizeof(err));
  ASSERT_TRUE(text == NULL);
  ASSERT_STR_EQ(err, "JSON Lines writer: unknown option 'delim'");
  sbd_batch_free(b);
  schema_unref(s);
}

TEST(jsonl_writer_round_trip) {
  const char *input =
      "{\"b\":true,\"i\":1,\"d\":0.1,\"s\":\"plain\",\"dt\":\"2024-01-31\","
      "\"ts\":\"2024-01-31 12:00:00.123456\",\"o\":{\"x\":\"\\u00e9\\ud83d\\ude00\"},"
      "\"arr\":[1,{\"k\":\"v\"}]}\n"
      "{\"b\":false,\"i\":-9223372036854775808,\"d\":1e300,\"s\":\"q\\\"uo\\\\te\\n\\t\\u0001\","
      "\"dt\":\"1900-03-01\",\"ts\":\"1969-12-31T23:59:59.5Z\",\"o\":{\"x\":null},\"arr\":[]}\n"
      "{\"b\":null,\"i\":null,\"d\":-0.0,\"s\":null,\"dt\":null,\"ts\":null,\"o\":null,"
      "\"arr\":null}\n"
      "{\"d\":5e-324,\"s\":\"\"}\n";
  read_result first = read_text(input, strlen(input), NULL, 2);
  ASSERT_EQ(first.status, SBD_OK);
  ASSERT_STR_EQ(first.text,
                "b:BOOL,i:INT64,d:DOUBLE,s:STRING,dt:DATE,ts:TIMESTAMP,o.x:STRING,arr:STRING\n"
                "true|1|0.1|\"plain\"|2024-01-31|2024-01-31 12:00:00.123456|\"\xc3\xa9\xf0\x9f"
                "\x98\x80\"|\"[1,{\\\"k\\\":\\\"v\\\"}]\"\n"
                "false|-9223372036854775808|1e+300|\"q\\\"uo\\\\te\\n\\t\\x01\"|1900-03-01|"
                "1969-12-31 23:59:59.5|null|\"[]\"\n"
                "null|null|-0.0|null|null|null|null|null\n"
                "null|null|5e-324|\"\"|null|null|null|null\n");
  /* Write what was read, read that back, and compare. */
  sbd_ctx *ctx = sbd_ctx_new();
  const char *in_path = put_file("rt_in.jsonl", input, strlen(input));
  char out_path[256];
  snprintf(out_path, sizeof(out_path), "%s/rt_out.jsonl", test_dir());
  sbd_reader *r;
  ASSERT_EQ(sbd_reader_open(ctx, &in_path, 1, NULL, &r), SBD_OK);
  sbd_writer *w;
  ASSERT_EQ(sbd_writer_open(ctx, out_path, sbd_reader_schema(r), NULL, &w), SBD_OK);
  for (;;) {
    sbd_batch *b;
    ASSERT_EQ(sbd_reader_next(r, &b), SBD_OK);
    if (!b)
      break;
    ASSERT_EQ(sbd_writer_write(w, b), SBD_OK);
    sbd_batch_free(b);
  }
  ASSERT_EQ(sbd_writer_close(w), SBD_OK);
  sbd_reader_close(r);
  sbd_ctx_free(ctx);
  read_result second = read_path(out_path, NULL, 2);
  ASSERT_STR_EQ(second.text, first.text);
  free(first.text);
  free(second.text);

  /* Many rows through several batches. */
  tbuf big = make_big(150000, 0);
  first = read_text(big.p, big.len, NULL, 2);
  ctx = sbd_ctx_new();
  in_path = put_file("rt_big.jsonl", big.p, big.len);
  ASSERT_EQ(sbd_reader_open(ctx, &in_path, 1, NULL, &r), SBD_OK);
  ASSERT_EQ(sbd_writer_open(ctx, out_path, sbd_reader_schema(r), NULL, &w), SBD_OK);
  for (;;) {
    sbd_batch *b;
    ASSERT_EQ(sbd_reader_next(r, &b), SBD_OK);
    if (!b)
      break;
    ASSERT_EQ(sbd_writer_write(w, b), SBD_OK);
    sbd_batch_free(b);
  }
  ASSERT_EQ(sbd_writer_close(w), SBD_OK);
  sbd_reader_close(r);
  sbd_ctx_free(ctx);
  second = read_path(out_path, NULL, 2);
  ASSERT_EQ(second.rows, 150000);
  ASSERT_TRUE(strcmp(first.text, second.text) == 0);
  free(first.text);
  free(second.text);
  free(big.p);
}
