/*
 * error.c — messages about a place in the SQL text: "SQL: <message>", then the line that holds
 * the place and a caret under it. The parser reports syntax errors this way, and the binder
 * reuses it for unknown names and type errors.
 *
 * Columns count characters, not bytes, so the caret lines up under UTF-8 text on a terminal
 * (wide characters excepted). Tabs and other control characters are shown as one space each so
 * the caret line can be made of spaces. A line longer than EXCERPT_WIDTH characters is shown as a
 * window around the place, with "..." where it was cut.
 */
#include "sql/sql_int.h"

#include <stdio.h>
#include <string.h>

#define EXCERPT_WIDTH 76

static bool is_continuation(unsigned char c) {
  return (c & 0xC0) == 0x80;
}

void sql_line_col(const char *sql, uint32_t off, int *line, int *col) {
  int l = 1, c = 1;
  for (uint32_t i = 0; i < off && sql[i]; i++) {
    if (sql[i] == '\n') {
      l++;
      c = 1;
    } else if (!is_continuation((unsigned char)sql[i])) {
      c++;
    }
  }
  *line = l;
  *col = c;
}

/* The bytes of the character at s (at most 4), or 1 for a byte that does not start a valid
 * sequence (shown as '?'). */
static size_t char_bytes(const char *s, size_t avail) {
  unsigned char c = (unsigned char)s[0];
  size_t len = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
  if (len > avail)
    return 1;
  for (size_t i = 1; i < len; i++)
    if (!is_continuation((unsigned char)s[i]))
      return 1;
  return len;
}

/* Writes the excerpt's two lines (the text and the caret) into text and caret. */
static void excerpt(const char *sql, size_t off, char *text, size_t text_cap, char *caret,
                    size_t caret_cap) {
  size_t len = strlen(sql);
  if (off > len)
    off = len;
  size_t start = off;
  while (start > 0 && sql[start - 1] != '\n')
    start--;
  size_t end = off;
  while (end < len && sql[end] != '\n')
    end++;
  if (end > start && sql[end - 1] == '\r')
    end--;

  /* Count the characters of the line and the caret's position among them. */
  size_t nchars = 0, at = 0;
  bool at_set = false;
  for (size_t i = start; i < end;) {
    if (!at_set && i >= off) {
      at = nchars;
      at_set = true;
    }
    i += char_bytes(sql + i, end - i);
    nchars++;
  }
  if (!at_set)
    at = nchars;

  size_t from = 0, to = nchars;
  if (nchars > EXCERPT_WIDTH) {
    from = at > EXCERPT_WIDTH / 2 ? at - EXCERPT_WIDTH / 2 : 0;
    to = from + EXCERPT_WIDTH;
    if (to > nchars) {
      to = nchars;
      from = to - EXCERPT_WIDTH;
    }
  }

  size_t o = 0;
  if (from > 0) {
    memcpy(text, "...", 3);
    o = 3;
  }
  size_t k = 0;
  for (size_t i = start; i < end && k < to;) {
    size_t cb = char_bytes(sql + i, end - i);
    if (k >= from && o + 8 < text_cap) {
      unsigned char c = (unsigned char)sql[i];
      if (cb == 1 && (c < 0x20 || c == 0x7f))
        text[o++] = ' ';
      else if (cb == 1 && c >= 0x80)
        text[o++] = '?';
      else {
        memcpy(text + o, sql + i, cb);
        o += cb;
      }
    }
    i += cb;
    k++;
  }
  if (to < nchars && o + 4 < text_cap) {
    memcpy(text + o, "...", 3);
    o += 3;
  }
  text[o] = 0;

  size_t pad = at - from + (from > 0 ? 3 : 0);
  if (pad + 2 > caret_cap)
    pad = caret_cap - 2;
  memset(caret, ' ', pad);
  caret[pad] = '^';
  caret[pad + 1] = 0;
}

sbd_status sql_verror_at(sbd_ctx *ctx, sbd_status status, const char *sql, uint32_t off,
                         const char *fmt, va_list ap) {
  char msg[512];
  vsnprintf(msg, sizeof(msg), fmt, ap);
  char text[EXCERPT_WIDTH * 4 + 16], caret[EXCERPT_WIDTH + 16];
  excerpt(sql, off, text, sizeof(text), caret, sizeof(caret));
  return sbd_error(ctx, status, "SQL: %s\n  %s\n  %s", msg, text, caret);
}

sbd_status sql_error_at(sbd_ctx *ctx, const char *sql, uint32_t off, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  sbd_status st = sql_verror_at(ctx, SBD_EINPUT, sql, off, fmt, ap);
  va_end(ap);
  return st;
}
