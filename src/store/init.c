/*
 * init.c — sbd init: a new repository's sbd.yaml, commented so that it documents itself, or with
 * --example a working one over generated data: data/customers.csv (1000 customers: name, e-mail,
 * phone, gender, age, city, signup date) and data/orders.jsonl (5000 orders: timestamp, amount,
 * distance, category). The data come from a fixed-seed generator, so every example is the same
 * and tests can assert on it. Files are written through the atomic writer (outfile.c).
 */
#include "io/io_int.h"
#include "store/store_int.h"

#include <errno.h>
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

#define EXAMPLE_CUSTOMERS 1000
#define EXAMPLE_ORDERS 5000

static sbd_status write_example_data(sbd_ctx *ctx, const char *dir) {
  static const char *const first[] = {"Ana",   "Ben",  "Chloe", "David", "Emma", "Felix",
                                      "Grace", "Hugo", "Ines",  "Jonas", "Kira", "Liam"};
  static const char *const last[] = {"Meyer", "Novak", "Olsen",  "Petit", "Quinn",
                                     "Rossi", "Silva", "Tanaka", "Ueda",  "Varga"};
  static const char *const cities[] = {"Berlin", "Lisbon", "Paris", "Prague", "Vienna", "Warsaw"};
  static const char *const categories[] = {"books", "electronics", "food", "garden", "toys"};
  uint64_t seed = 0x5bd5bd5bdULL;
  st_text t = {0};
  st_text_add(&t, "id,name,email,phone,gender,age,city,signup_date\n");
  for (int i = 1; i <= EXAMPLE_CUSTOMERS; i++) {
    const char *f = first[pick(&seed, 12)], *l = last[pick(&seed, 10)];
    int g = pick(&seed, 20);
    const char *gender = g < 9 ? "female" : g < 18 ? "male" : "";
    st_text_add(&t, "%d,%s %s,%c%c.%s%d@example.com,+49 30 %07d,%s,%d,%s,2023-%02d-%02d\n", i, f, l,
                f[0] + 32, f[1], l, i, pick(&seed, 10000000), gender, 18 + pick(&seed, 60),
                cities[pick(&seed, 6)], 1 + pick(&seed, 12), 1 + pick(&seed, 28));
  }
  char *csv = st_text_take(ctx, &t);
  if (!csv)
    return SBD_ENOMEM;
  char path[4096];
  snprintf(path, sizeof(path), "%s/data/customers.csv", dir);
  sbd_status st = write_text(ctx, path, csv, strlen(csv));
  free(csv);
  RETURN_IF_ERROR(st);
  for (int i = 1; i <= EXAMPLE_ORDERS; i++) {
    int customer = 1 + pick(&seed, EXAMPLE_CUSTOMERS - 50); /* the last 50 never order */
    st_text_add(&t,
                "{\"order_id\":%d,\"customer_id\":%d,\"ts\":\"2024-%02d-%02d %02d:%02d:%02d\","
                "\"amount\":%d.%02d,\"distance\":%d.%d,\"category\":\"%s\"}\n",
                i, customer, 1 + pick(&seed, 12), 1 + pick(&seed, 28), pick(&seed, 24),
                pick(&seed, 60), pick(&seed, 60), 5 + pick(&seed, 300), pick(&seed, 100),
                pick(&seed, 40), pick(&seed, 10), categories[pick(&seed, 5)]);
  }
  char *jsonl = st_text_take(ctx, &t);
  if (!jsonl)
    return SBD_ENOMEM;
  snprintf(path, sizeof(path), "%s/data/orders.jsonl", dir);
  st = write_text(ctx, path, jsonl, strlen(jsonl));
  free(jsonl);
  return st;
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
    char data[4096];
    snprintf(data, sizeof(data), "%s/data", dir);
    if (mkdir(data, 0777) != 0 && errno != EEXIST)
      return sbd_error(ctx, SBD_EIO, "%s: cannot create the folder: %s", data, strerror(errno));
    RETURN_IF_ERROR(write_example_data(ctx, dir));
  }
  const char *text = example ? example_yaml : template_yaml;
  return write_text(ctx, path, text, strlen(text));
}
