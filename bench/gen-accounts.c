/*
 * gen-accounts: writes N customer account records with controlled duplicates and the truth, for
 * the dedup tests and benchmark (issue 7).
 *
 *   gen-accounts N OUT.csv [SEED]
 *
 * Columns: record_id (r1, r2, ... in output order), true_entity (the customer the record belongs
 * to), source (crm, shop, legacy), updated_at (a timestamp in 2020..2024), first_name, last_name,
 * email, phone, zip, spend (an integer).
 *
 * Each customer gets 1 to 5 records (about 1.6 on average). The first is clean; each later one is
 * a variant of an earlier record of the same customer, of one of these kinds:
 *   email   the same e-mail re-cased, padded with spaces, with a +tag, or (gmail) with dots moved;
 *           the phone is new, or missing;
 *   phone   the same phone in another format ("(555) 123-4567", "555.123.4567", "+1 555 ...");
 *           the e-mail is new, or a placeholder;
 *   chain   shares only the key that the previous record introduced, and brings a new one, so
 *           the first and last records connect only transitively;
 *   typo    one letter of the last name changed, same first name and zip, new e-mail, no phone:
 *           only a fuzzy rule (block on zip, similar names) links it.
 * Names also appear with accents and in other cases. About 3% of records carry a placeholder
 * e-mail (n/a, test@test.com, none@none.com, empty) and 2% a placeholder phone (0000000000,
 * empty): they must never link customers. E-mails and phones are distinct across customers (a
 * counter mapped through a bijection), so the truth is exactly: same true_entity.
 *
 * Records are written in a shuffled order: a window of 65536 pending records from which a random
 * one is written as each new one arrives. The random numbers come from xoshiro256** seeded by
 * splitmix64 (SEED, default 42), so the same N and SEED always give the same bytes. The output is
 * written under a temporary name and renamed into place.
 */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static uint64_t rng_s[4];

static uint64_t splitmix64(uint64_t *x) {
  uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k) {
  return (x << k) | (x >> (64 - k));
}

static uint64_t next_u64(void) {
  uint64_t result = rotl(rng_s[1] * 5, 7) * 9, t = rng_s[1] << 17;
  rng_s[2] ^= rng_s[0];
  rng_s[3] ^= rng_s[1];
  rng_s[1] ^= rng_s[2];
  rng_s[0] ^= rng_s[3];
  rng_s[2] ^= t;
  rng_s[3] = rotl(rng_s[3], 45);
  return result;
}

/* Uniform in [0, n). The bias of the modulo is below 2^-40 for the n used here. */
static uint64_t uniform(uint64_t n) {
  return next_u64() % n;
}

static const char *const first_names[] = {
    "James",   "Mary",      "John",     "Patricia", "Robert",  "Jennifer", "Michael",  "Linda",
    "William", "Elizabeth", "David",    "Barbara",  "Richard", "Susan",    "Joseph",   "Jessica",
    "Thomas",  "Sarah",     "Charles",  "Karen",    "Daniel",  "Nancy",    "Matthew",  "Lisa",
    "Anthony", "Betty",     "Mark",     "Margaret", "Donald",  "Sandra",   "Steven",   "Ashley",
    "Paul",    "Kimberly",  "Andrew",   "Emily",    "Joshua",  "Donna",    "Kenneth",  "Michelle",
    "Kevin",   "Carol",     "Brian",    "Amanda",   "George",  "Melissa",  "Edward",   "Deborah",
    "Ronald",  "Stephanie", "Timothy",  "Rebecca",  "Jason",   "Laura",    "Jeffrey",  "Sharon",
    "Ryan",    "Cynthia",   "Jacob",    "Kathleen", "Gary",    "Amy",      "Nicholas", "Shirley",
    "Eric",    "Angela",    "Jonathan", "Helen",    "Stephen", "Anna",     "Larry",    "Brenda",
    "Justin",  "Pamela",    "Scott",    "Nicole",   "Brandon", "Emma",     "Benjamin", "Samantha",
    "José",    "María",     "Zoë",      "André",    "Renée",   "Jürgen",   "Björn",    "François",
    "Chloé",   "Noël",      "Inès",     "Łukasz",   "Søren",   "Åsa",      "Dvořák",   "Élodie"};
static const char *const last_names[] = {
    "Smith",    "Johnson",   "Williams",   "Brown",     "Jones",    "Garcia",   "Miller",
    "Davis",    "Rodriguez", "Martinez",   "Hernandez", "Lopez",    "Gonzalez", "Wilson",
    "Anderson", "Thomas",    "Taylor",     "Moore",     "Jackson",  "Martin",   "Lee",
    "Perez",    "Thompson",  "White",      "Harris",    "Sanchez",  "Clark",    "Ramirez",
    "Lewis",    "Robinson",  "Walker",     "Young",     "Allen",    "King",     "Wright",
    "Scott",    "Torres",    "Nguyen",     "Hill",      "Flores",   "Green",    "Adams",
    "Nelson",   "Baker",     "Hall",       "Rivera",    "Campbell", "Mitchell", "Carter",
    "Roberts",  "Gomez",     "Phillips",   "Evans",     "Turner",   "Diaz",     "Parker",
    "Cruz",     "Edwards",   "Collins",    "Reyes",     "Stewart",  "Morris",   "Morales",
    "Murphy",   "Cook",      "Rogers",     "Gutierrez", "Ortiz",    "Morgan",   "Cooper",
    "Peterson", "Bailey",    "Reed",       "Kelly",     "Howard",   "Ramos",    "Kim",
    "Cox",      "Ward",      "Richardson", "Watson",    "Brooks",   "Chavez",   "Wood",
    "James",    "Bennett",   "Gray",       "Mendoza",   "Ruiz",     "Hughes",   "Price",
    "Alvarez",  "Castillo",  "Sanders",    "Patel",     "Myers",    "Long",     "Ross",
    "Foster",   "Jiménez",   "Müller",     "Schröder",  "Çelik",    "Ødegård",  "Núñez",
    "Lefèvre",  "Håkansson", "Kovač",      "Weiß",      "Dupré",    "Ibáñez",   "Sørensen"};
#define NFIRST (sizeof(first_names) / sizeof(first_names[0]))
#define NLAST (sizeof(last_names) / sizeof(last_names[0]))

/* A customer's keys as generated; variants are spelt from them. */
typedef struct person {
  const char *first, *last;
  char last_typo[64];
  uint64_t email_id, phone_id;
  int gmail;
  unsigned zip;
} person;

static uint64_t next_email_id, next_phone_id;

/* Distinct counters map to distinct 10-digit numbers: multiplication by a constant prime to
 * 8e9 is a bijection of [0, 8e9). */
static uint64_t phone_number(uint64_t id) {
  return 2000000000ull + (id * 2654435761ull) % 8000000000ull;
}

static void ascii_lower(char *dst, const char *src, size_t cap) {
  size_t i = 0;
  for (; src[i] && i + 1 < cap; i++)
    dst[i] = (char)tolower((unsigned char)src[i]);
  dst[i] = 0;
}

/* The canonical e-mail of a person with e-mail counter id: first.last<id>@domain. Accented
 * letters stay as they are in the local part (lowercased as ASCII only). */
static void canonical_email(char *buf, size_t cap, const person *p, uint64_t id, int gmail) {
  char f[64], l[64];
  ascii_lower(f, p->first, sizeof(f));
  ascii_lower(l, p->last, sizeof(l));
  static const char *const domains[] = {"example.com", "mail.org", "corp.net"};
  snprintf(buf, cap, "%s.%s%llu@%s", f, l, (unsigned long long)id,
           gmail ? "gmail.com" : domains[id % 3]);
}

/* A variant spelling of an e-mail that the email normalizer (lowercase, trim, +tag, gmail dots)
 * maps back to the canonical one. */
static void email_variant(char *buf, size_t cap, const person *p, uint64_t id, int gmail) {
  char canon[192];
  canonical_email(canon, sizeof(canon), p, id, gmail);
  char *at = strchr(canon, '@');
  *at = 0;
  const char *local = canon, *domain = at + 1;
  switch (uniform(5)) {
  case 0: /* upper case */
    for (char *c = canon; *c; c++)
      *c = (char)toupper((unsigned char)*c);
    snprintf(buf, cap, "%s@%s", local, domain);
    break;
  case 1:
    snprintf(buf, cap, "  %s@%s ", local, domain);
    break;
  case 2:
    snprintf(buf, cap, "%s+%s@%s", local, uniform(2) ? "shop" : "news", domain);
    break;
  case 3:
    if (gmail) { /* dots removed from the local part */
      char nodot[128];
      size_t j = 0;
      for (const char *c = local; *c && j + 1 < sizeof(nodot); c++)
        if (*c != '.')
          nodot[j++] = *c;
      nodot[j] = 0;
      snprintf(buf, cap, "%s@%s", nodot, domain);
      break;
    }
    /* fall through */
  default:
    snprintf(buf, cap, "%c%s@%s", toupper((unsigned char)local[0]), local + 1, domain);
    break;
  }
}

static void phone_variant(char *buf, size_t cap, uint64_t id) {
  unsigned long long n = (unsigned long long)phone_number(id);
  unsigned a = (unsigned)(n / 10000000), b = (unsigned)(n / 10000 % 1000),
           c = (unsigned)(n % 10000);
  switch (uniform(5)) {
  case 0:
    snprintf(buf, cap, "%llu", n);
    break;
  case 1:
    snprintf(buf, cap, "(%03u) %03u-%04u", a, b, c);
    break;
  case 2:
    snprintf(buf, cap, "%03u.%03u.%04u", a, b, c);
    break;
  case 3:
    snprintf(buf, cap, "+1 %03u %03u %04u", a, b, c);
    break;
  default:
    snprintf(buf, cap, "1-%03u-%03u-%04u", a, b, c);
    break;
  }
}

/* Changes one ASCII letter (not the first) of name into another letter. */
static void make_typo(char *dst, size_t cap, const char *name) {
  snprintf(dst, cap, "%s", name);
  size_t n = strlen(dst);
  for (int tries = 0; tries < 8; tries++) {
    size_t i = 1 + uniform(n > 1 ? n - 1 : 1);
    if (i < n && isalpha((unsigned char)dst[i]) && !(dst[i] & 0x80)) {
      char c = (char)('a' + uniform(26));
      dst[i] = c == dst[i] ? (char)(c == 'z' ? 'a' : c + 1) : c;
      return;
    }
  }
}

/* ---- the shuffling window -------------------------------------------------------------------*/

#define WINDOW 65536
static char *window[WINDOW];
static int window_len;
static uint64_t written;
static FILE *out;

static void emit(char *line) {
  written++;
  fprintf(out, "r%llu,%s\n", (unsigned long long)written, line);
  free(line);
}

static void push(char *line) {
  if (window_len < WINDOW) {
    window[window_len++] = line;
    return;
  }
  int i = (int)uniform(WINDOW);
  emit(window[i]);
  window[i] = line;
}

/* Quotes a field for CSV when it has a comma or a quote (none of the generated values do, but a
 * space-padded e-mail stays unquoted and keeps its spaces, as CSV allows). */
static void record(uint64_t entity, const char *first, const char *last, const char *email,
                   const char *phone, unsigned zip) {
  static const char *const sources[] = {"crm", "shop", "legacy"};
  char buf[512];
  int64_t ts = 1577836800 + (int64_t)uniform(5ull * 365 * 86400);
  int64_t days = ts / 86400, secs = ts % 86400;
  /* civil from days (Howard Hinnant's algorithm) */
  int64_t z = days + 719468, era = z / 146097, doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = yoe + era * 400, doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153, d = doy - (153 * mp + 2) / 5 + 1;
  int64_t m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
  snprintf(
      buf, sizeof(buf), "%llu,%s,%04lld-%02lld-%02lld %02lld:%02lld:%02lld,%s,%s,%s,%s,%05u,%llu",
      (unsigned long long)entity, sources[uniform(3)], (long long)y, (long long)m, (long long)d,
      (long long)(secs / 3600), (long long)(secs / 60 % 60), (long long)(secs % 60), first, last,
      email, phone, zip, (unsigned long long)uniform(1000));
  char *line = strdup(buf);
  if (!line) {
    fprintf(stderr, "gen-accounts: out of memory\n");
    exit(1);
  }
  push(line);
}

static const char *placeholder_email(void) {
  static const char *const p[] = {"n/a", "test@test.com", "none@none.com", ""};
  return p[uniform(4)];
}

/* A name spelt in another case (the normalizers lowercase it). */
static void name_case(char *dst, size_t cap, const char *name, int kind) {
  if (kind == 0) {
    snprintf(dst, cap, "%s", name);
  } else if (kind == 1) {
    ascii_lower(dst, name, cap);
  } else {
    size_t i = 0;
    for (; name[i] && i + 1 < cap; i++)
      dst[i] = (char)toupper((unsigned char)name[i]);
    dst[i] = 0;
  }
}

int main(int argc, char **argv) {
  if (argc < 3 || argc > 4) {
    fprintf(stderr, "usage: gen-accounts N OUT.csv [SEED]\n");
    return 2;
  }
  char *end;
  double nd = strtod(argv[1], &end);
  if (*end || nd < 1 || nd > 1e9) {
    fprintf(stderr, "gen-accounts: N must be a number of records in 1..1e9, not '%s'\n", argv[1]);
    return 2;
  }
  uint64_t n = (uint64_t)nd;
  uint64_t seed = argc == 4 ? strtoull(argv[3], NULL, 10) : 42;
  for (int i = 0; i < 4; i++)
    rng_s[i] = splitmix64(&seed);
  char tmp[4096];
  snprintf(tmp, sizeof(tmp), "%s.tmp-%ld", argv[2], (long)getpid());
  out = fopen(tmp, "w");
  if (!out) {
    perror(tmp);
    return 1;
  }
  fprintf(out, "record_id,true_entity,source,updated_at,first_name,last_name,email,phone,zip,"
               "spend\n");
  /* Zips: about 8 customers per zip, so fuzzy blocks are small but not trivial. */
  unsigned nzip = (unsigned)(n / 8 + 1);
  uint64_t made = 0;
  for (uint64_t entity = 1; made < n; entity++) {
    person p;
    p.first = first_names[uniform(NFIRST)];
    p.last = last_names[uniform(NLAST)];
    p.gmail = uniform(4) == 0;
    p.zip = (unsigned)(10000 + uniform(nzip) % 90000);
    p.email_id = next_email_id++;
    p.phone_id = next_phone_id++;
    uint64_t r = uniform(100);
    int nrec = r < 60 ? 1 : r < 85 ? 2 : r < 95 ? 3 : r < 98 ? 4 : 5;
    if ((uint64_t)nrec > n - made)
      nrec = (int)(n - made);
    /* The keys the previous record introduced, for chains. */
    uint64_t prev_email = p.email_id, prev_phone = p.phone_id;
    for (int k = 0; k < nrec; k++) {
      char email[256], phone[64], first[64], last[64];
      name_case(first, sizeof(first), p.first, k == 0 ? 0 : (int)uniform(3));
      name_case(last, sizeof(last), p.last, k == 0 ? 0 : (int)uniform(3));
      int kind = k == 0 ? -1 : (int)uniform(100);
      if (kind < 0) {
        canonical_email(email, sizeof(email), &p, p.email_id, p.gmail);
        phone_variant(phone, sizeof(phone), p.phone_id);
      } else if (kind < 35) { /* email */
        email_variant(email, sizeof(email), &p, p.email_id, p.gmail);
        prev_phone = next_phone_id++;
        if (uniform(4) == 0)
          phone[0] = 0;
        else
          phone_variant(phone, sizeof(phone), prev_phone);
      } else if (kind < 65) { /* phone */
        phone_variant(phone, sizeof(phone), p.phone_id);
        if (uniform(3) == 0) {
          snprintf(email, sizeof(email), "%s", placeholder_email());
        } else {
          prev_email = next_email_id++;
          canonical_email(email, sizeof(email), &p, prev_email, p.gmail);
        }
      } else if (kind < 93) { /* chain: keep the previous record's newest key, bring a new one */
        if (uniform(2)) {
          email_variant(email, sizeof(email), &p, prev_email, p.gmail);
          prev_phone = next_phone_id++;
          phone_variant(phone, sizeof(phone), prev_phone);
        } else {
          phone_variant(phone, sizeof(phone), prev_phone);
          prev_email = next_email_id++;
          canonical_email(email, sizeof(email), &p, prev_email, p.gmail);
        }
      } else { /* typo: found only by a fuzzy rule */
        make_typo(last, sizeof(last), p.last);
        prev_email = next_email_id++;
        canonical_email(email, sizeof(email), &p, prev_email, p.gmail);
        phone[0] = 0;
      }
      /* Placeholders that must not link, on top of the variants above. */
      if (k > 0 && uniform(100) < 3)
        snprintf(email, sizeof(email), "%s", placeholder_email());
      if (k > 0 && uniform(100) < 2)
        snprintf(phone, sizeof(phone), "%s", uniform(2) ? "0000000000" : "");
      record(entity, first, last, email, phone, p.zip);
      made++;
    }
  }
  /* Empty the window in random order. */
  while (window_len > 0) {
    int i = (int)uniform((uint64_t)window_len);
    emit(window[i]);
    window[i] = window[--window_len];
  }
  if (fclose(out) != 0 || rename(tmp, argv[2]) != 0) {
    perror(argv[2]);
    remove(tmp);
    return 1;
  }
  return 0;
}
