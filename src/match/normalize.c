/*
 * normalize.c — the normalizers applied to a column before matching. Each step reads the text
 * the previous one wrote (two buffers, swapped), so a pipeline of steps costs one pass each.
 *
 *   trim                 ASCII white space and U+00A0 at both ends
 *   lowercase            ASCII, Latin-1 Supplement and Latin Extended-A letters (U+00C0..U+017F)
 *                        by their simple lowercase mapping; other letters are left as they are
 *   collapse_whitespace  each run of white space (ASCII, U+00A0) becomes one space
 *   strip_accents        NFKD then removal of combining marks, for the Latin letters of Latin-1
 *                        and Latin Extended-A (é -> e, Å -> A, ĳ -> ij, ſ -> s), U+00A0 -> space,
 *                        the Latin ligatures U+FB00..U+FB06 (ﬁ -> fi) and the fullwidth ASCII
 *                        forms U+FF01..U+FF5E; combining marks U+0300..U+036F are dropped.
 *                        Letters that NFKD does not decompose stay (ß, æ, ø, ł, đ, þ, œ), as
 *                        do other scripts.
 *   email                trim and lowercase (ASCII); strip_plus drops "+tag" from the local
 *                        part; gmail_dots drops the dots of the local part of gmail.com and
 *                        googlemail.com addresses (and spells the domain gmail.com)
 *   phone                digits only; with country N, E.164: "+" kept from the input or "00"
 *                        as the international prefix keep the number as it is; a number that
 *                        already starts with N and has more than 10 digits gets "+"; otherwise
 *                        a leading trunk 0 is dropped and "+N" prefixed. No digits: empty.
 */
#include "match/match_int.h"

#include <stdio.h>
#include <string.h>

/* Latin-1 Supplement and Latin Extended-A, U+00C0..U+017F: the base letter of the canonical
 * decomposition, '-' for none, '?' for the compatibility ligatures Ĳ/ĳ (two letters). */
static const char latin_base[192 + 1] = "AAAAAA-CEEEEIIII-NOOOOO--UUUUY--"
                                        "aaaaaa-ceeeeiiii-nooooo--uuuuy-y"
                                        "AaAaAaCcCcCcCcDd"
                                        "--EeEeEeEeEeGgGg"
                                        "GgGgHh--IiIiIiIi"
                                        "I-??JjKk-LlLlLlL"
                                        "l--NnNnNnn--OoOo"
                                        "Oo--RrRrRrSsSsSs"
                                        "SsTtTt--UuUuUuUu"
                                        "UuUuWwYyYZzZzZzs";

static size_t decode1(const unsigned char *s, size_t n, uint32_t *cp) {
  unsigned c = s[0];
  size_t len = c < 0x80             ? 1
               : (c & 0xe0) == 0xc0 ? 2
               : (c & 0xf0) == 0xe0 ? 3
               : (c & 0xf8) == 0xf0 ? 4
                                    : 1;
  if (len > n)
    len = 1;
  uint32_t v = len == 1 ? c : len == 2 ? c & 0x1f : len == 3 ? c & 0x0f : c & 0x07;
  for (size_t i = 1; i < len; i++)
    v = (v << 6) | (s[i] & 0x3f);
  *cp = v;
  return len;
}

static bool add_cp(mt_buf *b, uint32_t cp) {
  char e[4];
  size_t n;
  if (cp < 0x80) {
    e[0] = (char)cp, n = 1;
  } else if (cp < 0x800) {
    e[0] = (char)(0xc0 | (cp >> 6)), e[1] = (char)(0x80 | (cp & 0x3f)), n = 2;
  } else if (cp < 0x10000) {
    e[0] = (char)(0xe0 | (cp >> 12)), e[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
    e[2] = (char)(0x80 | (cp & 0x3f)), n = 3;
  } else {
    e[0] = (char)(0xf0 | (cp >> 18)), e[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    e[2] = (char)(0x80 | ((cp >> 6) & 0x3f)), e[3] = (char)(0x80 | (cp & 0x3f)), n = 4;
  }
  return mt_buf_add(b, e, n);
}

static bool is_space_cp(uint32_t cp) {
  return cp == ' ' || (cp >= 0x09 && cp <= 0x0d) || cp == 0xa0;
}

static uint32_t lower_cp(uint32_t c) {
  if (c >= 'A' && c <= 'Z')
    return c + 32;
  if (c < 0xc0 || c > 0x17f)
    return c;
  if (c <= 0xde)
    return c == 0xd7 ? c : c + 0x20;
  if (c < 0x100)
    return c;
  if (c == 0x130)
    return 'i';
  if (c == 0x178)
    return 0xff;
  if ((c >= 0x100 && c <= 0x137) || (c >= 0x14a && c <= 0x177))
    return (c & 1) ? c : c + 1;
  if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17e))
    return (c & 1) ? c + 1 : c;
  return c;
}

static bool trim(const char *s, size_t n, mt_buf *out) {
  const unsigned char *p = (const unsigned char *)s;
  size_t a = 0, b = n;
  for (;;) {
    if (a < b && (p[a] == ' ' || (p[a] >= 0x09 && p[a] <= 0x0d)))
      a++;
    else if (a + 1 < b && p[a] == 0xc2 && p[a + 1] == 0xa0)
      a += 2;
    else
      break;
  }
  for (;;) {
    if (b > a && (p[b - 1] == ' ' || (p[b - 1] >= 0x09 && p[b - 1] <= 0x0d)))
      b--;
    else if (b >= a + 2 && p[b - 2] == 0xc2 && p[b - 1] == 0xa0)
      b -= 2;
    else
      break;
  }
  return mt_buf_add(out, s + a, b - a);
}

static bool lowercase(const char *s, size_t n, mt_buf *out) {
  const unsigned char *p = (const unsigned char *)s;
  for (size_t i = 0; i < n;) {
    if (p[i] < 0x80) {
      if (!mt_buf_addc(out, (char)(p[i] >= 'A' && p[i] <= 'Z' ? p[i] + 32 : p[i])))
        return false;
      i++;
      continue;
    }
    uint32_t cp;
    size_t len = decode1(p + i, n - i, &cp);
    bool ok = len == 1 ? mt_buf_add(out, s + i, 1) : add_cp(out, lower_cp(cp));
    if (!ok)
      return false;
    i += len;
  }
  return true;
}

static bool collapse(const char *s, size_t n, mt_buf *out) {
  const unsigned char *p = (const unsigned char *)s;
  bool in_space = false;
  for (size_t i = 0; i < n;) {
    uint32_t cp;
    size_t len = decode1(p + i, n - i, &cp);
    if (is_space_cp(cp)) {
      if (!in_space && !mt_buf_addc(out, ' '))
        return false;
      in_space = true;
    } else {
      if (!mt_buf_add(out, s + i, len))
        return false;
      in_space = false;
    }
    i += len;
  }
  return true;
}

static bool strip_accents(const char *s, size_t n, mt_buf *out) {
  static const char *const ligatures[] = {"ff", "fi", "fl", "ffi", "ffl", "st", "st"};
  const unsigned char *p = (const unsigned char *)s;
  for (size_t i = 0; i < n;) {
    uint32_t cp;
    size_t len = decode1(p + i, n - i, &cp);
    bool ok = true;
    if (cp >= 0x300 && cp <= 0x36f) {
      /* a combining mark: dropped */
    } else if (cp >= 0xc0 && cp <= 0x17f && latin_base[cp - 0xc0] != '-') {
      char base = latin_base[cp - 0xc0];
      ok = base == '?' ? mt_buf_add(out, cp == 0x132 ? "IJ" : "ij", 2) : mt_buf_addc(out, base);
    } else if (cp == 0xa0) {
      ok = mt_buf_addc(out, ' ');
    } else if (cp >= 0xfb00 && cp <= 0xfb06) {
      ok = mt_buf_add(out, ligatures[cp - 0xfb00], strlen(ligatures[cp - 0xfb00]));
    } else if (cp >= 0xff01 && cp <= 0xff5e) {
      ok = mt_buf_addc(out, (char)(cp - 0xff01 + 0x21));
    } else {
      ok = mt_buf_add(out, s + i, len);
    }
    if (!ok)
      return false;
    i += len;
  }
  return true;
}

static bool email(const mt_norm *st, const char *s, size_t n, mt_buf *out) {
  mt_buf t = {0};
  bool ok = trim(s, n, &t);
  mt_buf l = {0};
  ok = ok && lowercase(t.p ? t.p : "", t.len, &l);
  mt_buf_free(&t);
  if (!ok) {
    mt_buf_free(&l);
    return false;
  }
  const char *v = l.p ? l.p : "";
  const char *at = memchr(v, '@', l.len);
  if (!at) {
    ok = mt_buf_add(out, v, l.len);
    mt_buf_free(&l);
    return ok;
  }
  const char *domain = at + 1;
  size_t dlen = l.len - (size_t)(domain - v);
  bool gmail = (dlen == 9 && memcmp(domain, "gmail.com", 9) == 0) ||
               (dlen == 14 && memcmp(domain, "googlemail.com", 14) == 0);
  size_t local_len = (size_t)(at - v);
  if (st->strip_plus) {
    const char *plus = memchr(v, '+', local_len);
    if (plus && plus > v)
      local_len = (size_t)(plus - v);
  }
  for (size_t i = 0; ok && i < local_len; i++)
    if (!(st->gmail_dots && gmail && v[i] == '.'))
      ok = mt_buf_addc(out, v[i]);
  ok = ok && mt_buf_addc(out, '@');
  if (st->gmail_dots && gmail)
    ok = ok && mt_buf_add(out, "gmail.com", 9);
  else
    ok = ok && mt_buf_add(out, domain, dlen);
  mt_buf_free(&l);
  return ok;
}

static bool phone(const mt_norm *st, const char *s, size_t n, mt_buf *out) {
  char digits[64];
  size_t nd = 0;
  bool plus = false, seen_digit = false;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (c == '+' && !seen_digit)
      plus = true;
    if (c >= '0' && c <= '9') {
      seen_digit = true;
      if (nd < sizeof(digits))
        digits[nd++] = c;
    }
  }
  if (nd == 0)
    return true;
  if (st->country <= 0)
    return mt_buf_add(out, digits, nd);
  char cc[16];
  int ncc = snprintf(cc, sizeof(cc), "%d", st->country);
  const char *d = digits;
  if (plus)
    return mt_buf_addc(out, '+') && mt_buf_add(out, d, nd);
  if (nd > 2 && d[0] == '0' && d[1] == '0')
    return mt_buf_addc(out, '+') && mt_buf_add(out, d + 2, nd - 2);
  if (nd > 10 && nd > (size_t)ncc && memcmp(d, cc, (size_t)ncc) == 0)
    return mt_buf_addc(out, '+') && mt_buf_add(out, d, nd);
  if (d[0] == '0') {
    d++;
    nd--;
  }
  return mt_buf_addc(out, '+') && mt_buf_add(out, cc, (size_t)ncc) && mt_buf_add(out, d, nd);
}

bool mt_normalize(const mt_norm *steps, int n, const char *s, size_t len, mt_buf *out) {
  out->len = 0;
  if (n == 0)
    return mt_buf_add(out, s, len);
  mt_buf tmp = {0};
  mt_buf *src = &tmp, *dst = out;
  /* The steps alternate between out and tmp so that the last one writes out. */
  if (n % 2 == 0) {
    src = out;
    dst = &tmp;
  }
  const char *in = s;
  size_t in_len = len;
  bool ok = true;
  for (int i = 0; ok && i < n; i++) {
    dst->len = 0;
    if (!mt_buf_add(dst, "", 0)) {
      ok = false;
      break;
    }
    dst->len = 0;
    switch (steps[i].kind) {
    case MT_NORM_TRIM:
      ok = trim(in, in_len, dst);
      break;
    case MT_NORM_LOWERCASE:
      ok = lowercase(in, in_len, dst);
      break;
    case MT_NORM_COLLAPSE_WHITESPACE:
      ok = collapse(in, in_len, dst);
      break;
    case MT_NORM_STRIP_ACCENTS:
      ok = strip_accents(in, in_len, dst);
      break;
    case MT_NORM_EMAIL:
      ok = email(&steps[i], in, in_len, dst);
      break;
    case MT_NORM_PHONE:
      ok = phone(&steps[i], in, in_len, dst);
      break;
    /* The reading query computed it: the value given is its result. */
    case MT_NORM_SQL:
      ok = mt_buf_add(dst, in, in_len);
      break;
    }
    in = dst->p;
    in_len = dst->len;
    mt_buf *t = src;
    src = dst;
    dst = t;
  }
  mt_buf_free(&tmp);
  return ok;
}
