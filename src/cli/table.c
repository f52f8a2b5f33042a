/*
 * table.c — the aligned table the sbd command prints on a terminal:
 *
 *     id  name         amount  day
 *  INT64  STRING       DOUBLE  DATE
 *  ─────  ───────────  ──────  ──────────
 *      1  alice           1.5  2024-01-31
 *      2  NULL           NULL  NULL
 *
 * Cells are stored as display text: control characters, C1 controls and bytes that are not
 * UTF-8 are escaped (\n, \t, \r, \xNN, \u0085) so a value can neither break the layout nor
 * drive the terminal. Only the first CLI_TABLE_MAX_WIDTH + 1 display columns of a value are
 * kept: enough to know it must be cut, which printing does with '…'. Display width counts a code
 * point as one column, East Asian wide ones as two and combining marks as none.
 *
 * Columns are shown from the left while they fit the width; the others are left out and a last
 * line says how many. A first column wider than the whole width is cut to it.
 */
#include "cli/cli_int.h"

#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define ELLIPSIS "\xe2\x80\xa6" /* U+2026, one column */
#define RULE "\xe2\x94\x80"     /* U+2500, one column */

typedef struct cell {
  size_t off; /* in the table's text buffer */
  size_t len;
  int width; /* display columns, at most CLI_TABLE_MAX_WIDTH + a few */
} cell;

struct cli_table {
  int ncols;
  cell *head; /* ncols names, then ncols types (when has_types) */
  bool has_types;
  bool *right;
  cell *cells; /* row-major */
  size_t ncells, cap_cells;
  char *text;
  size_t text_len, text_cap;
};

/* ---- display text -----------------------------------------------------------------------------*/

static bool is_wide(uint32_t c) {
  return (c >= 0x1100 && c <= 0x115f) || (c >= 0x2e80 && c <= 0xa4cf && c != 0x303f) ||
         (c >= 0xac00 && c <= 0xd7a3) || (c >= 0xf900 && c <= 0xfaff) ||
         (c >= 0xfe30 && c <= 0xfe4f) || (c >= 0xff00 && c <= 0xff60) ||
         (c >= 0xffe0 && c <= 0xffe6) || (c >= 0x1f300 && c <= 0x1f64f) ||
         (c >= 0x1f900 && c <= 0x1f9ff) || (c >= 0x20000 && c <= 0x3fffd);
}

static bool is_combining(uint32_t c) {
  return (c >= 0x0300 && c <= 0x036f) || (c >= 0x1ab0 && c <= 0x1aff) ||
         (c >= 0x1dc0 && c <= 0x1dff) || (c >= 0x20d0 && c <= 0x20ff) ||
         (c >= 0xfe20 && c <= 0xfe2f) || c == 0x200b || c == 0x200c || c == 0x200d;
}

size_t cli_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp) {
  unsigned char c = s[0];
  size_t len;
  uint32_t v, min;
  if (c < 0x80) {
    *cp = c;
    return 1;
  } else if (c >= 0xc2 && c <= 0xdf) {
    len = 2, v = c & 0x1f, min = 0x80;
  } else if (c >= 0xe0 && c <= 0xef) {
    len = 3, v = c & 0x0f, min = 0x800;
  } else if (c >= 0xf0 && c <= 0xf4) {
    len = 4, v = c & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (n < len)
    return 0;
  for (size_t i = 1; i < len; i++) {
    if ((s[i] & 0xc0) != 0x80)
      return 0;
    v = (v << 6) | (s[i] & 0x3f);
  }
  if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
    return 0;
  *cp = v;
  return len;
}

/* Appends n bytes to the table's text; false when out of memory. */
static bool text_put(cli_table *t, const char *s, size_t n) {
  if (t->text_len + n > t->text_cap) {
    size_t cap = t->text_cap ? t->text_cap : 4096;
    while (cap < t->text_len + n)
      cap *= 2;
    char *p = realloc(t->text, cap);
    if (!p)
      return false;
    t->text = p;
    t->text_cap = cap;
  }
  memcpy(t->text + t->text_len, s, n);
  t->text_len += n;
  return true;
}

/* Stores the display text of s[0..n) as *c. */
static bool make_cell(cli_table *t, const char *s, size_t n, cell *c) {
  static const char hex[] = "0123456789abcdef";
  const unsigned char *u = (const unsigned char *)s;
  c->off = t->text_len;
  c->width = 0;
  for (size_t i = 0; i < n && c->width <= CLI_TABLE_MAX_WIDTH;) {
    uint32_t cp;
    size_t len = cli_utf8_decode(u + i, n - i, &cp);
    char esc[8];
    size_t esc_len = 0;
    if (len == 0) {
      esc_len = 4;
      memcpy(esc, "\\x", 2);
      esc[2] = hex[u[i] >> 4];
      esc[3] = hex[u[i] & 15];
      len = 1;
    } else if (cp == '\n' || cp == '\t' || cp == '\r') {
      esc_len = 2;
      esc[0] = '\\';
      esc[1] = cp == '\n' ? 'n' : cp == '\t' ? 't' : 'r';
    } else if (cp < 0x20 || cp == 0x7f) {
      esc_len = 4;
      memcpy(esc, "\\x", 2);
      esc[2] = hex[cp >> 4];
      esc[3] = hex[cp & 15];
    } else if (cp >= 0x80 && cp <= 0x9f) {
      esc_len = 6;
      memcpy(esc, "\\u00", 4);
      esc[4] = hex[cp >> 4];
      esc[5] = hex[cp & 15];
    }
    bool ok = esc_len ? text_put(t, esc, esc_len) : text_put(t, s + i, len);
    if (!ok)
      return false;
    c->width += esc_len ? (int)esc_len : is_combining(cp) ? 0 : is_wide(cp) ? 2 : 1;
    i += len;
  }
  c->len = t->text_len - c->off;
  return true;
}

static bool is_hex(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

/* The length of an escape made by make_cell at u[0..n): \n \t \r (2), \xNN (4), \u00NN (6);
 * 0 if there is none. A value's own backslash may look like one: the text is then all ASCII, so
 * its width is its length and only where a cut falls can differ. */
static size_t escape_len(const unsigned char *u, size_t n) {
  if (n < 2 || u[0] != '\\')
    return 0;
  if (u[1] == 'n' || u[1] == 't' || u[1] == 'r')
    return 2;
  if (u[1] == 'x' && n >= 4 && is_hex(u[2]) && is_hex(u[3]))
    return 4;
  if (u[1] == 'u' && n >= 6 && u[2] == '0' && u[3] == '0' && is_hex(u[4]) && is_hex(u[5]))
    return 6;
  return 0;
}

/* The number of bytes of c's text that fit in width columns (escapes are kept whole); *used is
 * their width. */
static size_t fit_bytes(const cli_table *t, const cell *c, int width, int *used) {
  const unsigned char *u = (const unsigned char *)t->text + c->off;
  size_t i = 0;
  int w = 0;
  while (i < c->len) {
    uint32_t cp;
    int cw;
    size_t len = escape_len(u + i, c->len - i);
    if (len) {
      cw = (int)len;
    } else {
      len = cli_utf8_decode(u + i, c->len - i, &cp);
      if (len == 0) /* cannot happen: make_cell stores valid UTF-8 */
        len = 1, cp = '?';
      cw = is_combining(cp) ? 0 : is_wide(cp) ? 2 : 1;
    }
    if (w + cw > width)
      break;
    w += cw;
    i += len;
  }
  *used = w;
  return i;
}

/* ---- building --------------------------------------------------------------------------------*/

cli_table *cli_table_new(int ncols, const char *const *names, const char *const *types,
                         const bool *right) {
  cli_table *t = calloc(1, sizeof(*t));
  if (!t)
    return NULL;
  t->ncols = ncols;
  t->has_types = types != NULL;
  t->head = calloc((size_t)(ncols ? ncols : 1) * 2, sizeof(cell));
  t->right = calloc((size_t)(ncols ? ncols : 1), sizeof(bool));
  bool ok = t->head && t->right;
  for (int i = 0; ok && i < ncols; i++) {
    t->right[i] = right[i];
    ok = make_cell(t, names[i], strlen(names[i]), &t->head[i]);
    if (ok && types)
      ok = make_cell(t, types[i], strlen(types[i]), &t->head[ncols + i]);
  }
  if (!ok) {
    cli_table_free(t);
    return NULL;
  }
  return t;
}

void cli_table_free(cli_table *t) {
  if (!t)
    return;
  free(t->head);
  free(t->right);
  free(t->cells);
  free(t->text);
  free(t);
}

bool cli_table_add(cli_table *t, const char *text, size_t len) {
  if (t->ncells == t->cap_cells) {
    size_t cap = t->cap_cells ? t->cap_cells * 2 : 256;
    cell *p = realloc(t->cells, cap * sizeof(cell));
    if (!p)
      return false;
    t->cells = p;
    t->cap_cells = cap;
  }
  if (!text)
    text = "NULL", len = 4;
  if (!make_cell(t, text, len, &t->cells[t->ncells]))
    return false;
  t->ncells++;
  return true;
}

cli_table *cli_table_for_schema(const sbd_schema *schema) {
  int n = sbd_schema_ncols(schema);
  const char **names = calloc((size_t)(n ? n : 1), sizeof(char *));
  const char **types = calloc((size_t)(n ? n : 1), sizeof(char *));
  bool *right = calloc((size_t)(n ? n : 1), sizeof(bool));
  cli_table *t = NULL;
  if (names && types && right) {
    for (int i = 0; i < n; i++) {
      sbd_type type = sbd_schema_type(schema, i);
      names[i] = sbd_schema_name(schema, i);
      types[i] = sbd_type_name(type);
      right[i] = type == SBD_INT64 || type == SBD_DOUBLE;
    }
    t = cli_table_new(n, names, types, right);
  }
  free(names);
  free(types);
  free(right);
  return t;
}

sbd_status cli_table_add_batch(cli_table *t, sbd_ctx *ctx, const sbd_batch *b) {
  /* Enough bytes for the CLI_TABLE_MAX_WIDTH + 1 columns a cell keeps, at four bytes a column. */
  char buf[(CLI_TABLE_MAX_WIDTH + 1) * 4 + 1];
  int64_t nrows = sbd_batch_nrows(b);
  int ncols = sbd_batch_ncols(b);
  for (int64_t r = 0; r < nrows; r++) {
    for (int c = 0; c < ncols; c++) {
      int64_t n = sbd_batch_value_text(b, c, r, buf, sizeof(buf));
      size_t len = n < 0 ? 0 : n < (int64_t)sizeof(buf) ? (size_t)n : sizeof(buf) - 1;
      if (!cli_table_add(t, n < 0 ? NULL : buf, len))
        return SBD_ENOMEM;
    }
  }
  return SBD_OK;
}

/* ---- printing
 * ----------------------------------------------------------------------------------*/

int cli_terminal_width(void) {
  const char *env = getenv("COLUMNS");
  if (env && *env) {
    char *end;
    long v = strtol(env, &end, 10);
    if (!*end && v > 0 && v < 100000)
      return (int)v;
  }
  struct winsize ws;
  if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
    return ws.ws_col;
  return 80;
}

/* Writes one line at a time; spaces are held back until something follows them, so that no
 * line ends in spaces. */
typedef struct line_out {
  FILE *out;
  int spaces;
} line_out;

static void put_spaces(line_out *o, int n) {
  o->spaces += n > 0 ? n : 0;
}

static void put_text(line_out *o, const char *s, size_t n) {
  if (n == 0)
    return;
  for (; o->spaces > 0; o->spaces--)
    fputc(' ', o->out);
  fwrite(s, 1, n, o->out);
}

static void end_line(line_out *o) {
  o->spaces = 0;
  fputc('\n', o->out);
}

/* Prints c within width columns: cut with '…' when longer, padded to the width. */
static void put_cell(line_out *o, const cli_table *t, const cell *c, int width, bool right) {
  int used;
  bool cut = c->width > width;
  size_t n = fit_bytes(t, c, cut ? width - 1 : width, &used);
  int pad = width - used - (cut ? 1 : 0);
  if (right)
    put_spaces(o, pad);
  put_text(o, t->text + c->off, n);
  if (cut)
    put_text(o, ELLIPSIS, strlen(ELLIPSIS));
  if (!right)
    put_spaces(o, pad);
}

bool cli_table_print(const cli_table *t, FILE *out, int width) {
  if (t->ncols == 0)
    return !ferror(out);
  int *w = calloc((size_t)t->ncols, sizeof(int));
  if (!w)
    return false;
  size_t nrows = t->ncells / (size_t)t->ncols;
  for (int c = 0; c < t->ncols; c++) {
    w[c] = t->head[c].width;
    if (t->has_types && t->head[t->ncols + c].width > w[c])
      w[c] = t->head[t->ncols + c].width;
    for (size_t r = 0; r < nrows; r++)
      if (t->cells[r * (size_t)t->ncols + (size_t)c].width > w[c])
        w[c] = t->cells[r * (size_t)t->ncols + (size_t)c].width;
    if (w[c] > CLI_TABLE_MAX_WIDTH)
      w[c] = CLI_TABLE_MAX_WIDTH;
    if (w[c] < 1)
      w[c] = 1;
  }
  int shown = 0, total = 0;
  while (shown < t->ncols && total + (shown ? 2 : 0) + w[shown] <= width) {
    total += (shown ? 2 : 0) + w[shown];
    shown++;
  }
  if (shown == 0) {
    w[0] = width > 1 ? width : 1;
    shown = 1;
  }
  line_out o = {out, 0};
  size_t head_lines = t->has_types ? 2 : 1;
  for (size_t line = 0; line < nrows + head_lines + 1; line++) {
    for (int c = 0; c < shown; c++) {
      if (c > 0)
        put_spaces(&o, 2);
      if (line == head_lines) {
        for (int k = 0; k < w[c]; k++)
          put_text(&o, RULE, strlen(RULE));
      } else if (line < head_lines) {
        put_cell(&o, t, &t->head[line * (size_t)t->ncols + (size_t)c], w[c], t->right[c]);
      } else {
        size_t r = line - head_lines - 1;
        put_cell(&o, t, &t->cells[r * (size_t)t->ncols + (size_t)c], w[c], t->right[c]);
      }
    }
    end_line(&o);
  }
  int hidden = t->ncols - shown;
  if (hidden > 0)
    fprintf(out, "(%d more column%s not shown: widen the terminal, or use --csv)\n", hidden,
            hidden == 1 ? "" : "s");
  free(w);
  return !ferror(out);
}
