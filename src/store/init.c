/*
 * init.c — sbd init: a new repository's sbd.yaml, commented so that it documents itself, or with
 * --example a working one over generated data: data/customers.csv (1000 customers: name, e-mail,
 * phone, gender, age, city, signup date) and data/orders.jsonl (5000 orders: timestamp, amount,
 * distance, category). The data come from a fixed-seed generator, so every example is the same
 * and tests can assert on it. Files are written through the atomic writer (outfile.c).
 *
 * sbd_repo_demo (`sbd demo`) writes the same repository at any size, up to 1M customers and 10M
 * orders and beyond: the data files are streamed a 1 MiB chunk at a time, so memory does not grow
 * with the size, and each appears only when complete.
 */
#include "io/io_int.h"
#include "store/store_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char template_yaml[] =
    "# sbd.yaml: a feature repository (docs/store.md).\n"
    "#\n"
    "# catalog: .sbd/catalog.db   # the SQLite catalog (default)\n"
    "# store: store               # where versions are written: store/GROUP/version=N/\n"
    "\n"
    "# Sources: files the feature queries read by name. A path may be a glob; the format\n"
    "# comes from the extension unless given (csv, jsonl, parquet).\n"
    "sources:\n"
    "  # customers:\n"
    "  #   path: data/customers.csv\n"
    "  #   timestamp: signup_date     # optional: the column of the event time\n"
    "  # orders: data/orders/*.jsonl  # the short form: just the path\n"
    "\n"
    "# Groups: each has a key (one column or a list; default id) and feature queries. Every\n"
    "# query returns the key and some features; the results are joined on the key. A query\n"
    "# may read sources and other groups by name.\n"
    "groups:\n"
    "  # customer:\n"
    "  #   key: id\n"
    "  #   description: what we know about a customer\n"
    "  #   owner: data-team\n"
    "  #   tags: [customer]\n"
    "  #   features:\n"
    "  #     - sql: SELECT id, gender, age FROM customers\n"
    "  #       meta:\n"
    "  #         age: {description: age in years, tags: [demographics]}\n"
    "  #     - file: features/orders.sql  # a query in a file of the repository\n";

static const char example_yaml[] =
    "# sbd.yaml: an example feature repository (docs/store.md). Try:\n"
    "#   sbd apply && sbd calculate --all\n"
    "#   sbd get customer --features distance,gender --exclude '*' --filter 'age >= 30'\n"
    "\n"
    "sources:\n"
    "  customers:\n"
    "    path: data/customers.csv\n"
    "    timestamp: signup_date\n"
    "  orders:\n"
    "    path: data/orders.jsonl\n"
    "    timestamp: ts\n"
    "\n"
    "groups:\n"
    "  customer:\n"
    "    key: id\n"
    "    description: profile and order habits of each customer\n"
    "    owner: data-team\n"
    "    tags: [customer, example]\n"
    "    features:\n"
    "      - sql: SELECT id, gender, age, city, signup_date FROM customers\n"
    "        meta:\n"
    "          gender: {description: as the customer gave it, tags: [demographics]}\n"
    "          age: {description: age in years, tags: [demographics]}\n"
    "      - sql: |\n"
    "          SELECT customer_id AS id,\n"
    "                 round(avg(distance), 2) AS distance,\n"
    "                 count(*) AS n_orders,\n"
    "                 round(sum(amount), 2) AS total_amount,\n"
    "                 max(ts) AS last_order\n"
    "          FROM orders\n"
    "          GROUP BY customer_id\n"
    "        meta:\n"
    "          distance: mean delivery distance in km\n"
    "  customer_segment:\n"
    "    key: id\n"
    "    description: a segment computed from the customer group\n"
    "    features:\n"
    "      - sql: |\n"
    "          SELECT id, CASE WHEN total_amount >= 1000 THEN 'high'\n"
    "                          WHEN total_amount >= 300 THEN 'medium'\n"
    "                          ELSE 'low' END AS segment\n"
    "          FROM customer\n";

/* A fixed-seed generator (xorshift64*), so that examples are reproducible. */
static uint64_t next_random(uint64_t *s) {
  *s ^= *s >> 12;
  *s ^= *s << 25;
  *s ^= *s >> 27;
  return *s * UINT64_C(2685821657736338717);
}

static int pick(uint64_t *s, int n) {
  return (int)(next_random(s) % (uint64_t)n);
}

static sbd_status write_text(sbd_ctx *ctx, const char *path, const char *text, size_t len) {
  io_file *f;
  RETURN_IF_ERROR(io_file_create(ctx, path, &f));
  sbd_status st = io_file_write(ctx, f, text, len);
  if (st != SBD_OK) {
    io_file_abort(f);
    return st;
  }
  return io_file_commit(ctx, f);
}

/* The data files are written a chunk at a time, so that memory stays bounded at any size. */
#define CHUNK_BYTES (1u << 20)
#define LINE_BYTES 512

typedef struct chunked {
  io_file *f;
  char *buf;
  size_t len;
} chunked;

static sbd_status chunk_flush(sbd_ctx *ctx, chunked *c) {
  sbd_status st = c->len ? io_file_write(ctx, c->f, c->buf, c->len) : SBD_OK;
  c->len = 0;
  return st;
}

/* Appends one formatted line; flushes the chunk when the next line might not fit. */
static sbd_status chunk_add(sbd_ctx *ctx, chunked *c, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static sbd_status chunk_add(sbd_ctx *ctx, chunked *c, const char *fmt, ...) {
  if (c->len + LINE_BYTES > CHUNK_BYTES)
    RETURN_IF_ERROR(chunk_flush(ctx, c));
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(c->buf + c->len, LINE_BYTES, fmt, ap);
  va_end(ap);
  if (n < 0 || n >= LINE_BYTES)
    return sbd_error(ctx, SBD_EINTERNAL, "example data: a generated line exceeds %d bytes",
                     LINE_BYTES);
  c->len += (size_t)n;
  return SBD_OK;
}

static sbd_status write_customers(sbd_ctx *ctx, chunked *c, int64_t ncustomers, uint64_t *seed) {
  static const char *const first[] = {"Ana",   "Ben",  "Chloe", "David", "Emma", "Felix",
                                      "Grace", "Hugo", "Ines",  "Jonas", "Kira", "Liam"};
  static const char *const last[] = {"Meyer", "Novak", "Olsen",  "Petit", "Quinn",
                                     "Rossi", "Silva", "Tanaka", "Ueda",  "Varga"};
  static const char *const cities[] = {"Berlin", "Lisbon", "Paris", "Prague", "Vienna", "Warsaw"};
  RETURN_IF_ERROR(chunk_add(ctx, c, "id,name,email,phone,gender,age,city,signup_date\n"));
  for (int64_t i = 1; i <= ncustomers; i++) {
    const char *f = first[pick(seed, 12)], *l = last[pick(seed, 10)];
    int g = pick(seed, 20);
    const char *gender = g < 9 ? "female" : g < 18 ? "male" : "";
    /* Drawn in this order so that the example's files stay those of earlier versions. */
    int day = 1 + pick(seed, 28), month = 1 + pick(seed, 12);
    const char *city = cities[pick(seed, 6)];
    int age = 18 + pick(seed, 60), phone = pick(seed, 10000000);
    RETURN_IF_ERROR(chunk_add(ctx, c,
                              "%lld,%s %s,%c%c.%s%lld@example.com,+49 30 %07d,%s,%d,%s,"
                              "2023-%02d-%02d\n",
                              (long long)i, f, l, f[0] + 32, f[1], l, (long long)i, phone, gender,
                              age, city, month, day));
  }
  return SBD_OK;
}

static sbd_status write_orders(sbd_ctx *ctx, chunked *c, int64_t ncustomers, int64_t norders,
                               uint64_t *seed) {
  static const char *const categories[] = {"books", "electronics", "food", "garden", "toys"};
  /* The last twentieth of the customers never order. */
  uint64_t buyers = (uint64_t)(ncustomers - ncustomers / 20);
  for (int64_t i = 1; i <= norders; i++) {
    long long customer = 1 + (long long)(next_random(seed) % buyers);
    const char *category = categories[pick(seed, 5)];
    int tenth = pick(seed, 10), km = pick(seed, 40);
    int cents = pick(seed, 100), euros = 5 + pick(seed, 300);
    int second = pick(seed, 60), minute = pick(seed, 60);
    int hour = pick(seed, 24), day = 1 + pick(seed, 28), month = 1 + pick(seed, 12);
    RETURN_IF_ERROR(chunk_add(ctx, c,
                              "{\"order_id\":%lld,\"customer_id\":%lld,\"ts\":\"2024-%02d-%02d "
                              "%02d:%02d:%02d\",\"amount\":%d.%02d,\"distance\":%d.%d,"
                              "\"category\":\"%s\"}\n",
                              (long long)i, customer, month, day, hour, minute, second, euros,
                              cents, km, tenth, category));
  }
  return SBD_OK;
}

/* Writes dir/data/NAME through the atomic writer: customers.csv (which == 0) or orders.jsonl. */
static sbd_status write_data_file(sbd_ctx *ctx, const char *dir, int which, int64_t ncustomers,
                                  int64_t norders, uint64_t *seed) {
  char path[4096];
  snprintf(path, sizeof(path), "%s/data/%s", dir, which == 0 ? "customers.csv" : "orders.jsonl");
  chunked c = {NULL, malloc(CHUNK_BYTES), 0};
  if (!c.buf)
    return sbd_error(ctx, SBD_ENOMEM, "%s: out of memory", path);
  sbd_status st = io_file_create(ctx, path, &c.f);
  if (st == SBD_OK)
    st = which == 0 ? write_customers(ctx, &c, ncustomers, seed)
                    : write_orders(ctx, &c, ncustomers, norders, seed);
  if (st == SBD_OK)
    st = chunk_flush(ctx, &c);
  if (st == SBD_OK)
    st = io_file_commit(ctx, c.f);
  else
    io_file_abort(c.f);
  free(c.buf);
  return st;
}

/* The generator draws the customers, then the orders, from one fixed-seed stream, so a size
 * always gives the same files (and the example's sizes the example's files). */
static sbd_status write_example_data(sbd_ctx *ctx, const char *dir, int64_t ncustomers,
                                     int64_t norders) {
  uint64_t seed = 0x5bd5bd5bdULL;
  RETURN_IF_ERROR(write_data_file(ctx, dir, 0, ncustomers, norders, &seed));
  return write_data_file(ctx, dir, 1, ncustomers, norders, &seed);
}

static sbd_status make_folders(sbd_ctx *ctx, const char *dir) {
  if (mkdir(dir, 0777) != 0 && errno != EEXIST)
    return sbd_error(ctx, SBD_EIO, "%s: cannot create the folder: %s", dir, strerror(errno));
  char data[4096];
  snprintf(data, sizeof(data), "%s/data", dir);
  if (mkdir(data, 0777) != 0 && errno != EEXIST)
    return sbd_error(ctx, SBD_EIO, "%s: cannot create the folder: %s", data, strerror(errno));
  return SBD_OK;
}

/* Whether the file at path holds exactly text (false when it cannot be read). */
static bool file_is(const char *path, const char *text) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return false;
  size_t len = strlen(text);
  char *buf = malloc(len + 1);
  bool same = buf && fread(buf, 1, len + 1, f) == len && memcmp(buf, text, len) == 0;
  free(buf);
  fclose(f);
  return same;
}

sbd_status sbd_repo_demo(sbd_ctx *ctx, const char *dir, int64_t customers, int64_t orders) {
  if (!dir || !*dir)
    dir = ".";
  if (customers < 1 || customers > SBD_DEMO_MAX_ROWS)
    return sbd_error(ctx, SBD_EUSAGE, "demo: customers must be 1 to %lld, not %lld",
                     (long long)SBD_DEMO_MAX_ROWS, (long long)customers);
  if (orders < 0 || orders > SBD_DEMO_MAX_ROWS)
    return sbd_error(ctx, SBD_EUSAGE, "demo: orders must be 0 to %lld, not %lld",
                     (long long)SBD_DEMO_MAX_ROWS, (long long)orders);
  char path[4096];
  snprintf(path, sizeof(path), "%s/sbd.yaml", dir);
  if (access(path, F_OK) == 0 && !file_is(path, example_yaml))
    return sbd_error(ctx, SBD_EUSAGE,
                     "%s exists and is not the demo's: sbd demo only replaces its own repository",
                     path);
  RETURN_IF_ERROR(make_folders(ctx, dir));
  RETURN_IF_ERROR(write_example_data(ctx, dir, customers, orders));
  return write_text(ctx, path, example_yaml, strlen(example_yaml));
}

sbd_status sbd_repo_init(sbd_ctx *ctx, const char *dir, int example) {
  if (!dir || !*dir)
    dir = ".";
  if (mkdir(dir, 0777) != 0 && errno != EEXIST)
    return sbd_error(ctx, SBD_EIO, "%s: cannot create the folder: %s", dir, strerror(errno));
  char path[4096];
  snprintf(path, sizeof(path), "%s/sbd.yaml", dir);
  if (access(path, F_OK) == 0)
    return sbd_error(ctx, SBD_EUSAGE, "%s already exists: sbd init does not replace it", path);
  if (example) {
    RETURN_IF_ERROR(make_folders(ctx, dir));
    RETURN_IF_ERROR(write_example_data(ctx, dir, SBD_DEMO_CUSTOMERS, SBD_DEMO_ORDERS));
  }
  const char *text = example ? example_yaml : template_yaml;
  return write_text(ctx, path, text, strlen(text));
}
