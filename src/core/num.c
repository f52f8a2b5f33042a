/*
 * num.c — numbers as text: parsing of INT64, DOUBLE and BOOL values from byte ranges (the hot path
 * of the CSV and JSON readers) and their shortest exact formatting.
 *
 * Parsing. Every parser takes (s, n), never reads s[n], accepts the whole range or fails, and uses
 * no locale, no allocation and no errno.
 *  - Doubles are correctly rounded (the bits strtod gives: nearest, ties to even). The grammar is
 *    [+-] (digits [. [digits]] | . digits) [(e|E) [+-] digits], or [+-] inf, infinity or nan in
 *    any case. The first 19 significant digits go into a 64-bit integer w, so the value is
 *    w * 10^q. Three paths, fastest first:
 *     1. Clinger: w <= 2^53 and |q| <= 22 (or w * 10^(q-22) still exact): one exact product or
 *        quotient of two exact doubles, which IEEE arithmetic rounds correctly.
 *     2. Eisel-Lemire: w times a 128-bit truncation of 5^q, with checks that the truncation
 *        cannot change the rounding; it declines the rare cases it cannot decide, and it handles
 *        normal results only. With more than 19 digits, w and w + 1 must agree.
 *     3. strtod on a canonical copy ("<digits>e<exponent>", no decimal point, so no locale) in a
 *        stack buffer: digits past the 800th are replaced by one sticky '1', which cannot change
 *        the rounding because a halfway point between two doubles has at most 767 significant
 *        digits.
 *
 * Formatting. num_format_double writes the shortest decimal that reads back to exactly the same
 * double, and of the shortest candidates the one closest to the exact value (ties to even). The
 * digits come from an interval algorithm of our own (in the spirit of Schubfach): the rounding
 * interval of v is scaled by 10^-k, k chosen so that the interval is at least one and less than
 * ten units wide; a multiple of ten inside gives the shortest digits, else the integer nearest v.
 * The scaled values are computed as 64.64 fixed point from the same 128-bit powers of five; they
 * lie below the exact ones by less than two units of 2^-64 (one from the final shift, under 2^-7
 * from the table's truncation times a multiplier below 2^55, as the shift is always 62 to 65
 * bits). When a decision falls inside that error, exact divisibility tests say whether the value
 * is an integer or a half; only a value that is neither, yet within 2^-63 of one, takes the slow
 * exact path (printf at increasing precision, read back), which 10^7 random doubles never did.
 * Layout, with value = 0.d1..dk * 10^e:
 *  - nan -> "nan", inf -> "inf", -inf -> "-inf", 0.0 -> "0.0", -0.0 -> "-0.0";
 *  - -5 < e <= 17: plain notation with at least one digit after the point: "0.0001", "123.456",
 *    "3.0", "10000000000000000.0" (1e16);
 *  - otherwise scientific, d1[.d2..dk]e(+|-)XX with at least two exponent digits: "1.5e-07",
 *    "1e+20", "5e-324".
 * Formatted text is at most 24 bytes and is always followed by a NUL.
 *
 * The table of powers of five (truncated 128-bit mantissas of 5^j for j in [-342, 324]) is built
 * at first use from exact integer arithmetic, once, under pthread_once.
 */
#include "core/core_int.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- 64-bit helpers ---------------------------------------------------------------------------*/

/* Returns the low 64 bits of a * b and stores the high 64 bits in *hi. */
static inline uint64_t mul_64x64(uint64_t a, uint64_t b, uint64_t *hi) {
#ifdef __SIZEOF_INT128__
  __extension__ typedef unsigned __int128 u128_t;
  u128_t p = (u128_t)a * b;
  *hi = (uint64_t)(p >> 64);
  return (uint64_t)p;
#else
  uint64_t a0 = (uint32_t)a, a1 = a >> 32, b0 = (uint32_t)b, b1 = b >> 32;
  uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
  uint64_t mid = (p00 >> 32) + (uint32_t)p01 + (uint32_t)p10;
  *hi = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
  return (mid << 32) | (uint32_t)p00;
#endif
}

static inline int count_leading_zeros(uint64_t x) { /* x != 0 */
#if defined(__GNUC__) || defined(__clang__)
  return __builtin_clzll(x);
#else
  int n = 0;
  while (!(x >> 63)) {
    x <<= 1;
    n++;
  }
  return n;
#endif
}

static inline int count_trailing_zeros(uint64_t x) { /* x != 0 */
#if defined(__GNUC__) || defined(__clang__)
  return __builtin_ctzll(x);
#else
  int n = 0;
  while (!(x & 1)) {
    x >>= 1;
    n++;
  }
  return n;
#endif
}

static inline uint64_t double_bits(double d) {
  uint64_t u;
  memcpy(&u, &d, sizeof(u));
  return u;
}

static inline double bits_double(uint64_t u) {
  double d;
  memcpy(&d, &u, sizeof(d));
  return d;
}

/* ---- powers of five ---------------------------------------------------------------------------*/

#define POW5_MIN (-342)
#define POW5_MAX 324

/* 5^j = (pow5_hi:pow5_lo + delta) * 2^pow5_exp2 with 0 <= delta < 1 and the top bit of pow5_hi
 * set: the mantissa is truncated (exact for 0 <= j <= 55). */
static uint64_t pow5_hi[POW5_MAX - POW5_MIN + 1];
static uint64_t pow5_lo[POW5_MAX - POW5_MIN + 1];
static int16_t pow5_exp2[POW5_MAX - POW5_MIN + 1];
static pthread_once_t pow5_once = PTHREAD_ONCE_INIT;
static atomic_bool pow5_ready;

/* A big number in 32-bit little-endian limbs, enough for 2^1024. */
#define BIG_LIMBS 34

static int big_bit_length(const uint32_t *a, int na) {
  while (na > 0 && a[na - 1] == 0)
    na--;
  if (na == 0)
    return 0;
  return 32 * (na - 1) + (64 - count_leading_zeros(a[na - 1]));
}

/* Stores the 128 bits of a that start at its top bit (zeros past bit 0) as slot's mantissa. */
static void big_top_128(const uint32_t *a, int bits, int slot) {
  uint64_t hi = 0, lo = 0;
  for (int i = 0; i < 128; i++) {
    int pos = bits - 1 - i;
    uint64_t bit = pos >= 0 ? (a[pos / 32] >> (pos % 32)) & 1 : 0;
    hi = (hi << 1) | (lo >> 63);
    lo = (lo << 1) | bit;
  }
  pow5_hi[slot] = hi;
  pow5_lo[slot] = lo;
}

static void pow5_build(void) {
  /* 5^j for j >= 0, exactly: repeated multiplication by five. */
  uint32_t a[BIG_LIMBS] = {1};
  int na = 1;
  for (int j = 0; j <= POW5_MAX; j++) {
    if (j > 0) {
      uint64_t carry = 0;
      for (int i = 0; i < na; i++) {
        uint64_t t = (uint64_t)a[i] * 5 + carry;
        a[i] = (uint32_t)t;
        carry = t >> 32;
      }
      if (carry)
        a[na++] = (uint32_t)carry;
    }
    int bits = big_bit_length(a, na);
    big_top_128(a, bits, j - POW5_MIN);
    pow5_exp2[j - POW5_MIN] = (int16_t)(bits - 128);
  }
  /* 5^-j as floor(2^1024 / 5^j): repeated floor division by five is exact, because
   * floor(floor(x / a) / b) = floor(x / (a * b)), and taking the top 128 bits floors again. */
  uint32_t r[BIG_LIMBS] = {0};
  r[32] = 1;
  for (int j = 1; j <= -POW5_MIN; j++) {
    uint64_t rem = 0;
    for (int i = 32; i >= 0; i--) {
      uint64_t t = (rem << 32) | r[i];
      r[i] = (uint32_t)(t / 5);
      rem = t % 5;
    }
    int bits = big_bit_length(r, 33);
    big_top_128(r, bits, -j - POW5_MIN);
    pow5_exp2[-j - POW5_MIN] = (int16_t)(bits - 128 - 1024);
  }
  atomic_store_explicit(&pow5_ready, true, memory_order_release);
}

static inline void pow5_init(void) {
  if (!atomic_load_explicit(&pow5_ready, memory_order_acquire))
    pthread_once(&pow5_once, pow5_build);
}

/* ---- integers and booleans -------------------------------------------------------------------*/

bool num_parse_int64(const char *s, size_t n, int64_t *out) {
  const char *p = s, *end = s + n;
  bool neg = false;
  if (p < end && (*p == '+' || *p == '-'))
    neg = *p++ == '-';
  if (p == end)
    return false;
  while (p < end && *p == '0')
    p++;
  /* Nineteen digits always fit in a uint64_t (10^19 - 1 < 2^64); a twentieth never fits. */
  if (end - p > 19)
    return false;
  uint64_t u = 0;
  for (; p < end; p++) {
    unsigned d = (unsigned)(unsigned char)*p - '0';
    if (d > 9)
      return false;
    u = u * 10 + d;
  }
  if (u > (uint64_t)INT64_MAX + neg)
    return false;
  *out = neg ? (int64_t)(0 - u) : (int64_t)u;
  return true;
}

/* 'pattern' is lower case letters: OR-ing 0x20 folds exactly the upper case letter onto it. */
static bool equal_nocase(const char *s, const char *pattern, size_t n) {
  for (size_t i = 0; i < n; i++)
    if ((s[i] | 0x20) != pattern[i])
      return false;
  return true;
}

bool num_parse_bool(const char *s, size_t n, bool *out) {
  if (n == 4 && equal_nocase(s, "true", 4)) {
    *out = true;
    return true;
  }
  if (n == 5 && equal_nocase(s, "false", 5)) {
    *out = false;
    return true;
  }
  return false;
}

static const char digit_pairs[201] = "00010203040506070809"
                                     "10111213141516171819"
                                     "20212223242526272829"
                                     "30313233343536373839"
                                     "40414243444546474849"
                                     "50515253545556575859"
                                     "60616263646566676869"
                                     "70717273747576777879"
                                     "80818283848586878889"
                                     "90919293949596979899";

/* Writes the eight digits of v < 10^8 ending just before end: two independent halves, each two
 * pairs from the table, in 32-bit arithmetic. */
static inline void write_eight_digits(uint32_t v, char *end) {
  uint32_t hi = v / 10000, lo = v % 10000;
  memcpy(end - 8, digit_pairs + 2 * (hi / 100), 2);
  memcpy(end - 6, digit_pairs + 2 * (hi % 100), 2);
  memcpy(end - 4, digit_pairs + 2 * (lo / 100), 2);
  memcpy(end - 2, digit_pairs + 2 * (lo % 100), 2);
}

/* Writes the decimal digits of u ending just before end; returns where they start. */
static char *write_digits_backwards(uint64_t u, char *end) {
  char *p = end;
  while (u >= 100000000) {
    write_eight_digits((uint32_t)(u % 100000000), p);
    u /= 100000000;
    p -= 8;
  }
  uint32_t v = (uint32_t)u;
  while (v >= 100) {
    p -= 2;
    memcpy(p, digit_pairs + 2 * (v % 100), 2);
    v /= 100;
  }
  if (v >= 10) {
    p -= 2;
    memcpy(p, digit_pairs + 2 * v, 2);
  } else {
    *--p = (char)('0' + v);
  }
  return p;
}

size_t num_format_int64(int64_t v, char *buf) {
  char tmp[24];
  uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
  char *p = write_digits_backwards(u, tmp + sizeof(tmp));
  if (v < 0)
    *--p = '-';
  size_t len = (size_t)(tmp + sizeof(tmp) - p);
  memcpy(buf, p, len);
  buf[len] = '\0';
  return len;
}

/* ---- parsing doubles -------------------------------------------------------------------------*/

static const double exact_pow10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                       1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                       1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

static const uint64_t pow10_u64[20] = {1ull,
                                       10ull,
                                       100ull,
                                       1000ull,
                                       10000ull,
                                       100000ull,
                                       1000000ull,
                                       10000000ull,
                                       100000000ull,
                                       1000000000ull,
                                       10000000000ull,
                                       100000000000ull,
                                       1000000000000ull,
                                       10000000000000ull,
                                       100000000000000ull,
                                       1000000000000000ull,
                                       10000000000000000ull,
                                       100000000000000000ull,
                                       1000000000000000000ull,
                                       10000000000000000000ull};

static inline bool is_digit(char c) {
  return (unsigned)((unsigned char)c - '0') <= 9;
}

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/* Eight ASCII digits at once (SWAR): the first character is the lowest byte of the word. */
static inline bool eight_digits(uint64_t v) {
  /* Every byte is 0x3X, and adding 6 keeps it 0x3X exactly when X <= 9. */
  const uint64_t high = 0xF0F0F0F0F0F0F0F0ull, threes = 0x3030303030303030ull;
  return (v & high) == threes && ((v + 0x0606060606060606ull) & high) == threes;
}

static inline uint32_t eight_digits_value(uint64_t v) {
  v -= 0x3030303030303030ull;
  /* Neighbouring lanes combine without carries: 10 * 9 + 9 < 2^8, 100 * 99 + 99 < 2^16,
   * 10000 * 9999 + 9999 < 2^32. */
  v = (v * 10 + (v >> 8)) & 0x00FF00FF00FF00FFull;
  v = (v * 100 + (v >> 16)) & 0x0000FFFF0000FFFFull;
  return (uint32_t)(v * 10000 + (v >> 32));
}
#endif

/* Appends up to max digits from p to *w; returns the first character not taken. */
static inline const char *accumulate_digits(const char *p, const char *end, int max, uint64_t *w) {
  const char *lim = end - p > max ? p + max : end;
  uint64_t x = *w;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  while (lim - p >= 8) {
    uint64_t v;
    memcpy(&v, p, 8);
    if (!eight_digits(v))
      break;
    x = x * 100000000 + eight_digits_value(v);
    p += 8;
  }
#endif
  for (; p < lim; p++) {
    unsigned d = (unsigned)(unsigned char)*p - '0';
    if (d > 9)
      break;
    x = x * 10 + d;
  }
  *w = x;
  return p;
}

/* Skips the digits that no longer fit, noting whether any of them is not zero. */
static inline const char *skip_digits(const char *p, const char *end, bool *nonzero) {
  for (; p < end && is_digit(*p); p++)
    *nonzero |= *p != '0';
  return p;
}

/* Clinger's fast path: exact when both operands are exact doubles and the arithmetic rounds
 * once (no x87 excess precision). */
static inline bool clinger(uint64_t w, int64_t q, double *out) {
#if FLT_EVAL_METHOD == 0
  if (w > (1ull << 53))
    return false;
  if (q >= 0 && q <= 22) {
    *out = (double)w * exact_pow10[q];
    return true;
  }
  if (q < 0 && q >= -22) {
    *out = (double)w / exact_pow10[-q];
    return true;
  }
  /* 12e30 = 12000000000 * 1e22: move the excess power into w while w stays exact. */
  if (q > 22 && q <= 22 + 15 && w <= (1ull << 53) / pow10_u64[q - 22]) {
    *out = (double)(w * pow10_u64[q - 22]) * 1e22;
    return true;
  }
#else
  (void)w;
  (void)q;
  (void)out;
#endif
  return false;
}

/* Eisel-Lemire: w != 0, q within the table. The product of w (normalised) and the truncated
 * 128-bit 5^q lies below the exact product by less than w units of its 64-bit word (first step)
 * or 2 units (second step); when that slack could carry into the bits that decide the result,
 * or the result could be an exact tie, or it is subnormal or infinite, it declines. */
static bool eisel_lemire(uint64_t w, int64_t q, double *out) {
  int slot = (int)(q - POW5_MIN);
  int lz = count_leading_zeros(w);
  w <<= lz;
  uint64_t hi, lo = mul_64x64(w, pow5_hi[slot], &hi);
  if ((hi & 0x1FF) == 0x1FF && lo + w < w) {
    uint64_t hi2, lo2 = mul_64x64(w, pow5_lo[slot], &hi2);
    uint64_t merged_lo = lo + hi2;
    uint64_t merged_hi = hi + (merged_lo < lo);
    if ((merged_hi & 0x1FF) == 0x1FF && merged_lo + 1 == 0 && lo2 + w < w)
      return false;
    hi = merged_hi;
    lo = merged_lo;
  }
  /* hi is in [2^62, 2^64); keep 54 bits: 53 and a rounding bit. */
  int msb = (int)(hi >> 63);
  uint64_t mant = hi >> (msb + 9);
  if (lo == 0 && (hi & 0x1FF) == 0 && (mant & 3) == 1)
    return false; /* maybe exactly halfway, to be rounded to even (down) */
  /* value = (hi / 2^(62 + msb)) * 2^(62 + msb + 128 + exp2(5^q) + q - lz) */
  int64_t biased = 62 + msb + 128 + pow5_exp2[slot] + q - lz + 1023;
  mant = (mant + (mant & 1)) >> 1;
  if (mant >> 53) {
    mant >>= 1;
    biased++;
  }
  if (biased < 1 || biased > 2046)
    return false;
  *out = bits_double((uint64_t)biased << 52 | (mant & ((1ull << 52) - 1)));
  return true;
}

/* w * 10^q for -27 <= q < 0 when 5^-q divides w, as (w / 5^-q) * 2^q: exact when the quotient
 * has at most 53 bits. These exact binary fractions ("2686394020099081.5") are the inputs that
 * Eisel-Lemire declines, because the truncated 5^q makes their product fall just short. */
static bool exact_binary_fraction(uint64_t w, int64_t q, double *out) {
  if (q >= 0 || q < -27)
    return false;
  uint64_t p5 = 1;
  for (int64_t i = 0; i < -q; i++)
    p5 *= 5;
  if (w % p5 != 0 || w / p5 > (1ull << 53))
    return false;
  *out = (double)(w / p5) * bits_double((uint64_t)(1023 + q) << 52);
  return true;
}

/* The table-driven path for w * 10^q (w != 0); false when it cannot decide. With digits dropped
 * from w, the value lies between w and w + 1, which must round alike. */
static bool parse_double_table(uint64_t w, int64_t q, bool dropped, double *out) {
  if (q < POW5_MIN || q > POW5_MAX)
    return false;
  if (!dropped)
    return eisel_lemire(w, q, out) || exact_binary_fraction(w, q, out);
  double upper;
  return eisel_lemire(w, q, out) && eisel_lemire(w + 1, q, &upper) && upper == *out;
}

#define SLOW_DIGITS 800

/* The exact path: strtod on "<digits>e<exponent>". s..end holds a mantissa already validated by
 * the caller (digits and at most one point), exp10 the explicit exponent. */
static double parse_double_slow(const char *s, const char *end, int64_t exp10) {
  char buf[SLOW_DIGITS + 32];
  size_t nb = 0;
  bool after_point = false, sticky = false;
  for (const char *p = s; p < end; p++) {
    if (*p == '.') {
      after_point = true;
      continue;
    }
    if (nb == 0 && *p == '0') {
      exp10 -= after_point;
      continue;
    }
    if (nb < SLOW_DIGITS) {
      buf[nb++] = *p;
      exp10 -= after_point;
    } else {
      exp10 += !after_point;
      sticky |= *p != '0';
    }
  }
  if (nb == 0)
    return 0.0;
  if (sticky) {
    buf[nb++] = '1';
    exp10--;
  }
  /* At most 801 digits: beyond these bounds the value is 0 or infinite either way. */
  if (exp10 < -100000)
    exp10 = -100000;
  if (exp10 > 100000)
    exp10 = 100000;
  snprintf(buf + nb, sizeof(buf) - nb, "e%d", (int)exp10);
  int saved = errno;
  double d = strtod(buf, NULL);
  errno = saved;
  return d;
}

static bool parse_special(const char *p, size_t n, bool neg, double *out) {
  double v;
  if ((n == 3 && equal_nocase(p, "inf", 3)) || (n == 8 && equal_nocase(p, "infinity", 8)))
    v = HUGE_VAL;
  else if (n == 3 && equal_nocase(p, "nan", 3))
    v = NAN;
  else
    return false;
  *out = neg ? -v : v;
  return true;
}

bool num_parse_double(const char *s, size_t n, double *out) {
  const char *p = s, *end = s + n;
  bool neg = false;
  if (p < end && (*p == '+' || *p == '-'))
    neg = *p++ == '-';
  if (p == end)
    return false;
  if (!is_digit(*p) && *p != '.')
    return parse_special(p, (size_t)(end - p), neg, out);

  const char *mant_start = p;
  uint64_t w = 0;
  int nd = 0;           /* significant digits in w, at most 19 (which always fit) */
  int64_t exp_adj = 0;  /* the value is w * 10^exp_adj (before the explicit exponent) */
  bool dropped = false; /* a non-zero digit did not fit in w */
  while (p < end && *p == '0')
    p++;
  const char *taken = p;
  p = accumulate_digits(p, end, 19, &w);
  nd = (int)(p - taken);
  if (nd == 19) {
    taken = p;
    p = skip_digits(p, end, &dropped);
    exp_adj = p - taken;
  }
  bool any_digit = p > mant_start;
  if (p < end && *p == '.') {
    p++;
    const char *frac_start = p;
    if (nd == 0) {
      while (p < end && *p == '0')
        p++;
      exp_adj = -(p - frac_start);
    }
    taken = p;
    p = accumulate_digits(p, end, 19 - nd, &w);
    nd += (int)(p - taken);
    exp_adj -= p - taken;
    if (nd == 19)
      p = skip_digits(p, end, &dropped);
    any_digit |= p > frac_start;
  }
  if (!any_digit)
    return false;
  const char *mant_end = p;
  int64_t exp10 = 0;
  if (p < end && (*p | 0x20) == 'e') {
    p++;
    bool exp_neg = false;
    if (p < end && (*p == '+' || *p == '-'))
      exp_neg = *p++ == '-';
    const char *exp_digits = p;
    while (p < end && is_digit(*p)) {
      if (exp10 < 100000000)
        exp10 = exp10 * 10 + (*p - '0');
      p++;
    }
    if (p == exp_digits)
      return false;
    if (exp_neg)
      exp10 = -exp10;
  }
  if (p != end)
    return false;

  double v;
  if (w == 0) {
    v = 0.0;
  } else {
    int64_t q = exp_adj + exp10;
    if (!dropped && clinger(w, q, &v)) {
      /* done */
    } else if (q + nd <= -325) {
      v = 0.0; /* below 10^-325, under half the smallest subnormal */
    } else if (q + nd > 310) {
      v = HUGE_VAL;
    } else {
      pow5_init();
      if (!parse_double_table(w, q, dropped, &v))
        v = parse_double_slow(mant_start, mant_end, exp10);
    }
  }
  *out = neg ? -v : v;
  return true;
}

/* ---- formatting doubles ----------------------------------------------------------------------*/

/* floor(a / 2^s) for either sign, without relying on the right shift of negative numbers. */
static inline int64_t floor_shift(int64_t a, int s) {
  return a >= 0 ? a >> s : -((-a + ((int64_t)1 << s) - 1) >> s);
}

/* floor(log10(2^q)) and floor(log10(3/4 * 2^q)), for the exponents of doubles (compared with
 * log10 in long double for every q in [-1074, 971] when written; the unit tests format every
 * binary exponent). */
static inline int floor_log10_pow2(int q) {
  return (int)floor_shift((int64_t)q * 78913, 18);
}
static inline int floor_log10_three_quarters_pow2(int q) {
  return (int)floor_shift((int64_t)q * 1262611 - 524031, 22);
}

/* Removes the trailing decimal zeros of d (> 0, at most 19 digits), counting them in *exp10:
 * eight at a time, then four, two and one, rather than one division per zero. */
static inline uint64_t strip_trailing_zeros(uint64_t d, int *exp10) {
  while (d % 100000000 == 0) {
    d /= 100000000;
    *exp10 += 8;
  }
  if (d % 10000 == 0) {
    d /= 10000;
    *exp10 += 4;
  }
  if (d % 100 == 0) {
    d /= 100;
    *exp10 += 2;
  }
  if (d % 10 == 0) {
    d /= 10;
    *exp10 += 1;
  }
  return d;
}

/* The number of decimal digits of d > 0: log10 estimated from the bit length, then corrected. */
static inline int decimal_length(uint64_t d) {
  int t = ((64 - count_leading_zeros(d)) * 1233) >> 12; /* 1233 / 4096 ~ log10(2) */
  return t + (d >= pow10_u64[t]);
}

/* Writes value = digits * 10^exp10 (digits > 0) in the layout of the design comment. The digits
 * go straight to their place; a decimal point inside them is made room for by moving the digits
 * before it one place left. */
static size_t write_double(char *buf, bool neg, uint64_t digits, int exp10) {
  int nd = decimal_length(digits);
  int e = exp10 + nd; /* value = 0.d1..dnd * 10^e */
  char *p = buf;
  if (neg)
    *p++ = '-';
  if (e > -5 && e <= 17) {
    if (e <= 0) {
      memcpy(p, "0.0000", 6); /* 2 - e <= 6 bytes used, the rest overwritten */
      p += 2 - e;
      write_digits_backwards(digits, p + nd);
      p += nd;
    } else if (e < nd) {
      write_digits_backwards(digits, p + nd + 1);
      for (int i = 0; i < e; i++)
        p[i] = p[i + 1];
      p[e] = '.';
      p += nd + 1;
    } else {
      write_digits_backwards(digits, p + nd);
      p += nd;
      memset(p, '0', (size_t)(e - nd));
      p += e - nd;
      memcpy(p, ".0", 2);
      p += 2;
    }
  } else {
    write_digits_backwards(digits, p + nd + 1);
    p[0] = p[1];
    if (nd > 1) {
      p[1] = '.';
      p += nd + 1;
    } else {
      p += 1;
    }
    int x = e - 1;
    *p++ = 'e';
    *p++ = x < 0 ? '-' : '+';
    if (x < 0)
      x = -x;
    if (x >= 100) {
      *p++ = (char)('0' + x / 100);
      x %= 100;
    }
    memcpy(p, digit_pairs + 2 * x, 2);
    p += 2;
  }
  *p = '\0';
  return (size_t)(p - buf);
}

/* The exact slow path for the rare doubles whose scaled interval bounds fall within the error of
 * the fast computation: the shortest printf precision that reads back. */
static size_t format_double_slow(double v, char *buf) {
  bool neg = v < 0;
  double a = neg ? -v : v;
  uint64_t digits = 0;
  int exp10 = 0;
  for (int prec = 1; prec <= 17; prec++) {
    char tmp[64], canon[40];
    snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, a);
    /* Rebuild "<digits>e<exp>" so that the locale's decimal point does not matter. */
    uint64_t dg = 0;
    const char *t = tmp;
    for (; *t && (*t | 0x20) != 'e'; t++)
      if ((unsigned)(*t - '0') <= 9)
        dg = dg * 10 + (uint64_t)(*t - '0');
    int x = *t ? atoi(t + 1) : 0;
    digits = dg;
    exp10 = x - (prec - 1);
    int len = snprintf(canon, sizeof(canon), "%llue%d", (unsigned long long)dg, exp10);
    double back;
    if (num_parse_double(canon, (size_t)len, &back) && back == a)
      break;
  }
  digits = strip_trailing_zeros(digits, &exp10);
  return write_double(buf, neg, digits, exp10);
}

/* Is x * 2^e * 10^-k an integer, or an integer plus one half? Only two shapes occur (see
 * num_format_double): e >= k >= 0, where the value is x * 2^(e-k) / 5^k, an integer exactly when
 * 5^k divides x (impossible for k > 23, as 0 < x < 2^55 < 5^24) and never a half; and e < 0,
 * k <= 0, k - e > 0, where it is x * 5^-k / 2^(k-e), decided by the trailing zero bits of x. */
static bool scaled_is_integer(uint64_t x, int e, int k) {
  if (e >= 0) {
    if (k > 23)
      return false;
    uint64_t p5 = 1;
    for (int i = 0; i < k; i++)
      p5 *= 5;
    return x % p5 == 0;
  }
  return count_trailing_zeros(x) >= k - e;
}

static bool scaled_is_half(uint64_t x, int e, int k) {
  return e < 0 && count_trailing_zeros(x) == k - e - 1;
}

/* Exact 192-bit products of a 64-bit and a 128-bit integer. */
typedef struct {
  uint64_t w0, w1, w2; /* little-endian words */
} u192;

static inline u192 mul_64x128(uint64_t x, uint64_t hi, uint64_t lo) {
  u192 r;
  uint64_t c0, c1;
  r.w0 = mul_64x64(x, lo, &c0);
  uint64_t m = mul_64x64(x, hi, &c1);
  r.w1 = m + c0;
  r.w2 = c1 + (r.w1 < m);
  return r;
}

static inline u192 add_192(u192 a, u192 b) {
  u192 r;
  r.w0 = a.w0 + b.w0;
  uint64_t c = r.w0 < a.w0;
  uint64_t t = a.w1 + c;
  c = t < c;
  r.w1 = t + b.w1;
  c += r.w1 < t;
  r.w2 = a.w2 + b.w2 + c;
  return r;
}

static inline u192 sub_192(u192 a, u192 b) {
  u192 r;
  r.w0 = a.w0 - b.w0;
  uint64_t borrow = a.w0 < b.w0;
  uint64_t t = a.w1 - b.w1;
  uint64_t borrow2 = a.w1 < b.w1;
  r.w1 = t - borrow;
  borrow2 |= t < borrow;
  r.w2 = a.w2 - b.w2 - borrow2;
  return r;
}

/* (a >> sh) as integer part and 64-bit fraction, for 0 < sh < 128 when the integer part fits. */
static inline uint64_t shift_192(u192 a, int sh, uint64_t *frac) {
  if (sh < 64) {
    *frac = (a.w0 >> sh) | (a.w1 << (64 - sh));
    return (a.w1 >> sh) | (a.w2 << (64 - sh));
  }
  if (sh == 64) {
    *frac = a.w1;
    return a.w2;
  }
  *frac = (a.w1 >> (sh - 64)) | (a.w2 << (128 - sh));
  return a.w2 >> (sh - 64);
}

/* floor(Y) of a scaled bound Y = x * 2^e * 10^-k computed as C = ip.frac (64.64) with
 * C <= Y < C + 2^-63. Sets *exact when Y is an integer; returns false when it cannot tell. */
static inline bool scaled_floor(uint64_t ip, uint64_t frac, uint64_t x, int e, int k,
                                uint64_t *floor_out, bool *exact) {
  *floor_out = ip;
  *exact = false;
  if (frac != 0 && frac < (uint64_t)0 - 2)
    return true;
  if (scaled_is_integer(x, e, k)) {
    *exact = true;
    *floor_out = frac == 0 ? ip : ip + 1;
    return true;
  }
  return frac == 0; /* a fraction just above zero is fine; just below one is not */
}

size_t num_format_double(double v, char *buf) {
  uint64_t bits = double_bits(v);
  bool neg = bits >> 63;
  int be = (int)(bits >> 52) & 0x7FF;
  uint64_t f = bits & ((1ull << 52) - 1);
  if (be == 0x7FF) {
    if (f) {
      memcpy(buf, "nan", 4);
      return 3;
    }
    if (neg) {
      memcpy(buf, "-inf", 5);
      return 4;
    }
    memcpy(buf, "inf", 4);
    return 3;
  }
  if (be == 0 && f == 0) {
    if (neg) {
      memcpy(buf, "-0.0", 5);
      return 4;
    }
    memcpy(buf, "0.0", 4);
    return 3;
  }
  uint64_t m = be ? f | (1ull << 52) : f;
  int q = be ? be - 1075 : -1074; /* v = m * 2^q */

  /* Integers below 2^53: the interval around v is at most one unit wide, so v itself, less its
   * trailing zeros, is the shortest. */
  if (q <= 0 && q >= -52 && (m & ((1ull << -q) - 1)) == 0) {
    int exp10 = 0;
    uint64_t u = strip_trailing_zeros(m >> -q, &exp10);
    return write_double(buf, neg, u, exp10);
  }

  /* The rounding interval, in units of 2^e: [mm, mp] around mv = 4m, closed when m is even
   * (strtod rounds a tie to the even mantissa). Its width is 2^q, or 3/4 2^q when m is a power
   * of two whose lower neighbour is closer. k makes the scaled width in [1, 10). */
  bool boundary = f == 0 && be > 1;
  uint64_t mv = 4 * m, mp = mv + 2, mm = mv - 2 + boundary;
  int e = q - 2;
  int k = boundary ? floor_log10_three_quarters_pow2(q) : floor_log10_pow2(q);
  bool closed = (m & 1) == 0;

  pow5_init();
  int slot = -k - POW5_MIN;
  uint64_t thi = pow5_hi[slot], tlo = pow5_lo[slot];
  /* Y * 2^64 = x * 5^-k * 2^(e - k + 64) = x * T * 2^-sh with T the table's mantissa. */
  int sh = -(pow5_exp2[slot] + e - k + 64);
  u192 pv = mul_64x128(mv, thi, tlo);
  u192 t2 = {tlo << 1, (thi << 1) | (tlo >> 63), thi >> 63};
  u192 pp = add_192(pv, t2);
  u192 pm = sub_192(pv, boundary ? (u192){tlo, thi, 0} : t2);
  uint64_t fv, fp, fm;
  uint64_t iv = shift_192(pv, sh, &fv), ip = shift_192(pp, sh, &fp), im = shift_192(pm, sh, &fm);

  uint64_t lo_floor, hi_floor, v_floor;
  bool lo_exact, hi_exact, v_exact;
  if (!scaled_floor(im, fm, mm, e, k, &lo_floor, &lo_exact) ||
      !scaled_floor(ip, fp, mp, e, k, &hi_floor, &hi_exact) ||
      !scaled_floor(iv, fv, mv, e, k, &v_floor, &v_exact))
    return format_double_slow(v, buf);
  /* The integers inside the scaled interval. */
  uint64_t lo_int = lo_exact && closed ? lo_floor : lo_floor + 1;
  uint64_t hi_int = hi_exact && !closed ? hi_floor - 1 : hi_floor;

  /* A multiple of ten inside (there is at most one) has the fewest digits. */
  uint64_t tens = hi_int / 10;
  if (tens * 10 >= lo_int && tens != 0) {
    int exp10 = k + 1;
    tens = strip_trailing_zeros(tens, &exp10);
    return write_double(buf, neg, tens, exp10);
  }
  /* Otherwise the integer nearest the scaled v, which lies in [v_floor, v_floor + 1]. */
  uint64_t c = v_floor;
  if (!v_exact) {
    const uint64_t half = 1ull << 63;
    bool up;
    if (fv >= half - 2 && fv <= half && scaled_is_half(mv, e, k))
      up = v_floor & 1; /* a tie: to even */
    else if (fv >= half)
      up = true;
    else if (fv <= half - 2)
      up = false; /* below fv + 2 <= half */
    else
      return format_double_slow(v, buf);
    c += up;
  }
  if (c < lo_int)
    c++;
  else if (c > hi_int)
    c--;
  return write_double(buf, neg, c, k);
}
