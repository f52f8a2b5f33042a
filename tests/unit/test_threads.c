/*
 * test_threads.c — the parallel paths of the engine on 4 worker threads, whatever the machine's
 * core count: the CSV chunk pipeline, the hash aggregation's per-worker tables and their
 * parallel merge, the window operator's parallel sort and chunks, the sort and the hash join.
 * Each query runs on 1 thread and on 4, over a generated CSV file large enough for every
 * operator to split its work, and the two answers (every row, in an order the query fixes) must
 * be equal. Under ThreadSanitizer (make SANITIZE=thread test) this is the run that has to show
 * every interleaving of these operators, so it does not rely on SBD_THREADS.
 */
#include "test.h"

#include "sbd.h"

#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

#define THREADS_ROWS 150000

/* A CSV file of THREADS_ROWS rows (k, g, v, s) in a new temporary folder; path receives it. */
static bool write_input(char *dir, char *path, size_t cap) {
  strcpy(dir, "/tmp/sbd_test_threads_XXXXXX");
  if (!mkdtemp(dir))
    return false;
  snprintf(path, cap, "%s/t.csv", dir);
  FILE *f = fopen(path, "w");
  if (!f)
    return false;
  fputs("k,g,v,s\n", f);
  for (long i = 0; i < THREADS_ROWS; i++)
    fprintf(f, "%ld,%ld,%ld,s%ld\n", i * 7919 % 1000, i % 37, i % 101, i % 13);
  return fclose(f) == 0;
}

/* Every row of sql's result on a context of threads workers, as "a|b\n" lines, in out (NULL
 * when the query fails: the message goes to err). The caller frees out. */
static char *run_text(const char *sql, int threads, char *err, size_t errcap) {
  sbd_ctx *ctx = sbd_ctx_new();
  sbd_reader *r = NULL;
  size_t len = 0, cap = 4096;
  char *out = malloc(cap);
  sbd_status st =
      out && sbd_ctx_set_threads(ctx, threads) == SBD_OK ? sbd_query(ctx, sql, &r) : SBD_ENOMEM;
  while (st == SBD_OK && out) {
    sbd_batch *b = NULL;
    st = sbd_reader_next(r, &b);
    if (st != SBD_OK || !b)
      break;
    for (int64_t row = 0; row < sbd_batch_nrows(b) && out; row++) {
      for (int c = 0; c < sbd_batch_ncols(b); c++) {
        char v[128];
        int64_t n = sbd_batch_value_text(b, c, row, v, sizeof(v));
        if (len + sizeof(v) + 8 > cap) {
          char *grown = realloc(out, cap * 2);
          if (!grown) {
            free(out);
            out = NULL;
            break;
          }
          out = grown;
          cap *= 2;
        }
        len += (size_t)snprintf(out + len, cap - len, "%s%s", c ? "|" : "", n < 0 ? "NULL" : v);
      }
      if (out)
        out[len++] = '\n';
    }
    sbd_batch_free(b);
  }
  if (out)
    out[len] = 0;
  if (st != SBD_OK || !out) {
    snprintf(err, errcap, "%s", st != SBD_OK ? sbd_errmsg(ctx) : "out of memory");
    free(out);
    out = NULL;
  }
  sbd_reader_close(r);
  sbd_ctx_free(ctx);
  return out;
}

TEST(threads_same_answers_as_one_thread) {
  char dir[64], path[128];
  ASSERT_TRUE(write_input(dir, path, sizeof(path)));
  /* Each query with the start of its answer, so that two equally wrong runs still fail. */
  static const struct {
    const char *sql, *starts;
  } cases[] = {
      {"SELECT count(*), sum(v), count(DISTINCT k), min(s), max(g) FROM '%s'",
       "150000|7499355|1000|s0|36\n"},
      {"SELECT k, count(*), sum(v), min(s), max(v), count(DISTINCT g), avg(v), median(v) "
       "FROM '%s' GROUP BY k ORDER BY k",
       "0|150|"},
      {"SELECT g, s, string_agg(CAST(v AS VARCHAR), ','), first(k), last(v) FROM '%s' "
       "WHERE k < 50 GROUP BY g, s ORDER BY g, s",
       "0|s0|"},
      {"SELECT count(*), sum(r), sum(c), max(d) FROM (SELECT row_number() OVER (PARTITION BY g "
       "ORDER BY v, k, s) AS r, sum(v) OVER (ORDER BY k, v, g, s ROWS BETWEEN 3 PRECEDING AND "
       "CURRENT ROW) AS c, dense_rank() OVER (ORDER BY v DESC) AS d FROM '%s')",
       "150000|"},
      {"SELECT k, g, v, s FROM '%s' ORDER BY v DESC, k, g, s LIMIT 20", "0|17|100|s0\n"},
      {"SELECT count(*), sum(a.v) FROM '%s' a JOIN (SELECT g, max(v) AS m FROM '%s' GROUP BY g) "
       "b ON a.g = b.g AND a.v = b.m",
       "1485|148500\n"},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    char sql[1024], err[512];
    snprintf(sql, sizeof(sql), cases[i].sql, path, path);
    char *one = run_text(sql, 1, err, sizeof(err));
    CHECK(one != NULL, "%s on 1 thread: %s", sql, err);
    char *four = run_text(sql, 4, err, sizeof(err));
    CHECK(four != NULL, "%s on 4 threads: %s", sql, err);
    if (one && four) {
      CHECK(strncmp(one, cases[i].starts, strlen(cases[i].starts)) == 0,
            "%s: the answer starts %.60s, not %s", sql, one, cases[i].starts);
      CHECK(strcmp(one, four) == 0, "%s: 1 thread gives\n%.300s\nbut 4 give\n%.300s", sql, one,
            four);
    }
    free(one);
    free(four);
  }
  unlink(path);
  rmdir(dir);
}
