/*
 * progress.c — the progress bar on stderr. Work that has run for more than a second shows one
 * line, redrawn in place with \r at most ten times a second:
 *     1,234,567 rows  152.3 MB/s  41%  ETA 0:07
 * (percent and ETA only when the input size is known, sbd_reader_progress; MB are 10^6 bytes).
 * Nothing is drawn when stderr is not a terminal, nor while data streams to stdout on the same
 * screen (convert to -, head --csv on a terminal), where the bar would garble it. The line is
 * erased when the work ends, and by a fatal signal: whether a line is on screen is kept in a
 * sig_atomic_t for the handler.
 */
#include "cli/cli_int.h"

#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#define PROGRESS_DELAY_S 1.0
#define PROGRESS_INTERVAL_S 0.1

static volatile sig_atomic_t line_on_screen;

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void cli_progress_begin(cli_progress *p, bool streams_to_stdout) {
  memset(p, 0, sizeof(*p));
  p->enabled = isatty(STDERR_FILENO) == 1 && !(streams_to_stdout && isatty(STDOUT_FILENO) == 1);
  p->start_s = now_s();
}

/* 1234567 as "1,234,567". */
static void thousands(int64_t v, char *buf, size_t cap) {
  char digits[32];
  int n = snprintf(digits, sizeof(digits), "%lld", (long long)v);
  size_t o = 0;
  for (int i = 0; i < n && o + 2 < cap; i++) {
    if (i > 0 && (n - i) % 3 == 0 && digits[0] != '-')
      buf[o++] = ',';
    buf[o++] = digits[i];
  }
  buf[o] = 0;
}

static void format_duration(double s, char *buf, size_t cap) {
  long long t = (long long)(s + 0.5);
  if (t >= 3600)
    snprintf(buf, cap, "%lld:%02lld:%02lld", t / 3600, t / 60 % 60, t % 60);
  else
    snprintf(buf, cap, "%lld:%02lld", t / 60, t % 60);
}

static int stderr_width(void) {
  struct winsize ws;
  if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
    return ws.ws_col;
  return 80;
}

void cli_progress_update(cli_progress *p, const sbd_reader *reader, int64_t rows) {
  if (!p->enabled)
    return;
  double t = now_s();
  double elapsed = t - p->start_s;
  if (elapsed < PROGRESS_DELAY_S || t - p->last_draw_s < PROGRESS_INTERVAL_S)
    return;
  p->last_draw_s = t;
  int64_t done, total;
  sbd_reader_progress(reader, &done, &total);
  double rate = (double)done / elapsed; /* bytes per second */
  char nrows[32], line[160];
  thousands(rows, nrows, sizeof(nrows));
  int n = snprintf(line, sizeof(line), "%s rows  %.1f MB/s", nrows, rate / 1e6);
  if (total > 0 && n > 0 && (size_t)n < sizeof(line)) {
    double frac = (double)done / (double)total;
    if (frac > 1)
      frac = 1;
    char eta[32] = "?";
    if (rate > 0)
      format_duration((double)(total - done > 0 ? total - done : 0) / rate, eta, sizeof(eta));
    snprintf(line + n, sizeof(line) - (size_t)n, "  %d%%  ETA %s", (int)(frac * 100), eta);
  }
  /* Never wrap: a wrapped line cannot be redrawn in place. */
  int width = stderr_width() - 1;
  if (width > 0 && strlen(line) > (size_t)width)
    line[width] = 0;
  fprintf(stderr, "\r%s\033[K", line);
  fflush(stderr);
  line_on_screen = 1;
}

void cli_progress_end(cli_progress *p) {
  if (p->enabled && line_on_screen) {
    fputs("\r\033[K", stderr);
    fflush(stderr);
    line_on_screen = 0;
  }
  p->enabled = false;
}

void cli_progress_clear_from_signal(void) {
  if (line_on_screen) {
    static const char clear[] = "\r\033[K";
    ssize_t ignored = write(STDERR_FILENO, clear, sizeof(clear) - 1);
    (void)ignored;
  }
}
