/*
 * bench-gen: writes the groupby table of the db-benchmark (h2oai/db-benchmark, groupby-datagen.R
 * with K = 100, no NAs, random order) as CSV and as JSON Lines, for sbd's benchmarks. v2 and v3
 * follow sbd's issue (v2 in 1..15, v3 with 6 decimals) rather than the current R script (v2 in
 * 1..5, v3 with 4), which makes the values a little harder to parse.
 *
 *   bench-gen N DIR      writes DIR/G1_<N>.csv and DIR/G1_<N>.jsonl
 *
 * N is a row count, written 10000000 or 1e7; the file name spells it the short way (1e7, 1e5,
 * 2500000 stays as it is). The columns, as in the R script:
 *   id1, id2  string "id%03d" of a uniform draw from 1..K        (large groups)
 *   id3       string "id%010d" of a uniform draw from 1..N/K     (small groups)
 *   id4, id5  integer uniform in 1..K
 *   id6       integer uniform in 1..N/K
 *   v1        integer uniform in 1..5
 *   v2        integer uniform in 1..15
 *   v3        double uniform in [0, 100) rounded to 6 decimals, printed with exactly 6 ("%.6f")
 * The random numbers come from xoshiro256** seeded by splitmix64 from a fixed seed, so the same N
 * always gives the same bytes; they are not R's numbers, only the same distributions.
 *
 * Both files are written in one pass, each under a temporary name renamed into place at the end,
 * so a reader never sees half a file. Numbers are formatted by hand into large buffers: printf
 * would make 1e7 rows take tens of seconds instead of a few.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define K 100
#define SEED 108
#define OUT_BUFFER_BYTES (1 << 20)
#define MAX_ROW_BYTES 256

/* xoshiro256** (Blackman and Vigna), state seeded by splitmix64. */
static uint64_t rng_state[4];

static uint64_t splitmix64(uint64_t *x) {
  uint64_t z = (*x += 0x9e3779b97f4a7c15u);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
  return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k) {
  return (x << k) | (x >> (64 - k));
}

static uint64_t rng_next(void) {
  uint64_t *s = rng_state;
  uint64_t result = rotl(s[1] * 5, 7) * 9;
  uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return result;
}

/* A uniform integer in 1..n for n < 2^32, by multiply-and-shift of 32 random bits. Its bias is
 * below n / 2^32, far under what a benchmark's group sizes could show. */
static uint64_t rng_upto(uint64_t n) {
  return ((rng_next() >> 32) * n >> 32) + 1;
}

/* v3 in units of 1e-6: round(runif(0, 100), 6) * 1e6, so 0..100000000. */
static uint64_t rng_v3(void) {
  double u = (double)(rng_next() >> 11) * 0x1.0p-53;
  return (uint64_t)llround(u * 100000000.0);
}

/* An output file: written through a buffer to <path>.<pid>.tmp, renamed to <path> when done. */
typedef struct {
  char path[4096];
  char tmp_path[4200];
  int fd;
  char *buf;
  size_t len;
} out_file;

/* The files being written, whose temporary names die() removes. */
static out_file *open_files[2];
static int n_open_files;

static _Noreturn void die(const char *what, const char *path) {
  fprintf(stderr, "bench-gen: %s %s: %s\n", what, path, strerror(errno));
  for (int i = 0; i < n_open_files; i++)
    unlink(open_files[i]->tmp_path);
  exit(1);
}

static void out_open(out_file *f, const char *dir, const char *name) {
  snprintf(f->path, sizeof f->path, "%s/%s", dir, name);
  snprintf(f->tmp_path, sizeof f->tmp_path, "%s.%ld.tmp", f->path, (long)getpid());
  f->fd = open(f->tmp_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (f->fd < 0)
    die("cannot create", f->tmp_path);
  open_files[n_open_files++] = f;
  f->buf = malloc(OUT_BUFFER_BYTES);
  if (f->buf == NULL)
    die("out of memory for", f->tmp_path);
  f->len = 0;
}

static void out_flush(out_file *f) {
  size_t done = 0;
  while (done < f->len) {
    ssize_t n = write(f->fd, f->buf + done, f->len - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      die("cannot write", f->tmp_path);
    done += (size_t)n;
  }
  f->len = 0;
}

/* Makes room for one more row. */
static char *out_reserve(out_file *f) {
  if (f->len + MAX_ROW_BYTES > OUT_BUFFER_BYTES)
    out_flush(f);
  return f->buf + f->len;
}

static void out_close(out_file *f) {
  out_flush(f);
  if (close(f->fd) != 0)
    die("cannot close", f->tmp_path);
  if (rename(f->tmp_path, f->path) != 0)
    die("cannot rename to", f->path);
  free(f->buf);
}

static char *put_str(char *p, const char *s) {
  size_t n = strlen(s);
  memcpy(p, s, n);
  return p + n;
}

static char *put_uint(char *p, uint64_t v) {
  char tmp[24];
  int n = 0;
  do {
    tmp[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v != 0);
  while (n > 0)
    *p++ = tmp[--n];
  return p;
}

/* v zero-padded to width digits (v has at most width digits here). */
static char *put_uint_padded(char *p, uint64_t v, int width) {
  for (int i = width - 1; i >= 0; i--) {
    p[i] = (char)('0' + v % 10);
    v /= 10;
  }
  return p + width;
}

/* v3, given in units of 1e-6, as "%.6f" would print it. */
static char *put_v3(char *p, uint64_t v3) {
  p = put_uint(p, v3 / 1000000);
  *p++ = '.';
  return put_uint_padded(p, v3 % 1000000, 6);
}

/* Parses "10000000", "1e7" or "2.5e6" into a positive row count; 0 when it is not one. */
static uint64_t parse_rows(const char *s) {
  char *end;
  errno = 0;
  double d = strtod(s, &end);
  if (errno != 0 || end == s || *end != '\0' || !(d >= 1) || d > 4e9 || d != floor(d))
    return 0;
  return (uint64_t)d;
}

/* The short name of n: "1e7" for 10000000, "5e5" for 500000, the digits otherwise. */
static void rows_name(uint64_t n, char *out, size_t cap) {
  int exp = 0;
  uint64_t m = n;
  while (m >= 10 && m % 10 == 0) {
    m /= 10;
    exp++;
  }
  if (m < 10 && exp > 0)
    snprintf(out, cap, "%de%d", (int)m, exp);
  else
    snprintf(out, cap, "%llu", (unsigned long long)n);
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: bench-gen N DIR   (N rows, e.g. 1e7; writes DIR/G1_<N>.csv, .jsonl)\n");
    return 2;
  }
  uint64_t n_rows = parse_rows(argv[1]);
  if (n_rows == 0) {
    fprintf(stderr, "bench-gen: N must be a whole number of rows from 1 to 4e9, not '%s'\n",
            argv[1]);
    return 2;
  }
  const char *dir = argv[2];
  uint64_t small_groups = n_rows / K > 0 ? n_rows / K : 1;

  char short_name[32], csv_name[64], jsonl_name[64];
  rows_name(n_rows, short_name, sizeof short_name);
  snprintf(csv_name, sizeof csv_name, "G1_%s.csv", short_name);
  snprintf(jsonl_name, sizeof jsonl_name, "G1_%s.jsonl", short_name);

  uint64_t seed = SEED;
  for (int i = 0; i < 4; i++)
    rng_state[i] = splitmix64(&seed);

  out_file csv, jsonl;
  out_open(&csv, dir, csv_name);
  out_open(&jsonl, dir, jsonl_name);
  {
    char *p = out_reserve(&csv);
    char *q = put_str(p, "id1,id2,id3,id4,id5,id6,v1,v2,v3\n");
    csv.len += (size_t)(q - p);
  }

  for (uint64_t row = 0; row < n_rows; row++) {
    uint64_t id1 = rng_upto(K), id2 = rng_upto(K), id3 = rng_upto(small_groups);
    uint64_t id4 = rng_upto(K), id5 = rng_upto(K), id6 = rng_upto(small_groups);
    uint64_t v1 = rng_upto(5), v2 = rng_upto(15), v3 = rng_v3();

    char *p = out_reserve(&csv), *q = p;
    q = put_str(q, "id");
    q = put_uint_padded(q, id1, 3);
    q = put_str(q, ",id");
    q = put_uint_padded(q, id2, 3);
    q = put_str(q, ",id");
    q = put_uint_padded(q, id3, 10);
    *q++ = ',';
    q = put_uint(q, id4);
    *q++ = ',';
    q = put_uint(q, id5);
    *q++ = ',';
    q = put_uint(q, id6);
    *q++ = ',';
    q = put_uint(q, v1);
    *q++ = ',';
    q = put_uint(q, v2);
    *q++ = ',';
    q = put_v3(q, v3);
    *q++ = '\n';
    csv.len += (size_t)(q - p);

    p = out_reserve(&jsonl);
    q = p;
    q = put_str(q, "{\"id1\":\"id");
    q = put_uint_padded(q, id1, 3);
    q = put_str(q, "\",\"id2\":\"id");
    q = put_uint_padded(q, id2, 3);
    q = put_str(q, "\",\"id3\":\"id");
    q = put_uint_padded(q, id3, 10);
    q = put_str(q, "\",\"id4\":");
    q = put_uint(q, id4);
    q = put_str(q, ",\"id5\":");
    q = put_uint(q, id5);
    q = put_str(q, ",\"id6\":");
    q = put_uint(q, id6);
    q = put_str(q, ",\"v1\":");
    q = put_uint(q, v1);
    q = put_str(q, ",\"v2\":");
    q = put_uint(q, v2);
    q = put_str(q, ",\"v3\":");
    q = put_v3(q, v3);
    q = put_str(q, "}\n");
    jsonl.len += (size_t)(q - p);
  }

  out_close(&csv);
  out_close(&jsonl);
  return 0;
}
