/*
 * report.c — how the sbd command reports: "sbd: <message>" on stderr, the exit code that goes
 * with a status (2 for usage, 1 for everything else), the hint that follows a usage error, the
 * count of rejected records, and telling a closed stdout pipe (a normal early end) from a failed
 * write.
 */
#include "cli/cli_int.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void print_hint(const cli_command *cmd) {
  if (cmd)
    fprintf(stderr, "Try 'sbd help %s'.\n", cmd->name);
  else
    fprintf(stderr, "Try 'sbd help'.\n");
}

static const char *fallback_message(sbd_status status) {
  switch (status) {
  case SBD_ENOMEM:
    return "out of memory";
  case SBD_EIO:
    return "input or output error";
  case SBD_EUSAGE:
    return "bad usage";
  default:
    return "failed (no message; this is a bug in sbd: please report it)";
  }
}

int cli_fail(const cli_command *cmd, sbd_ctx *ctx, sbd_status status) {
  const char *msg = ctx ? sbd_errmsg(ctx) : "";
  fprintf(stderr, "sbd: %s\n", *msg ? msg : fallback_message(status));
  if (status == SBD_EUSAGE) {
    print_hint(cmd);
    return CLI_EXIT_USAGE;
  }
  return CLI_EXIT_FAIL;
}

int cli_usage_error(const cli_command *cmd, const char *fmt, ...) {
  va_list ap;
  fputs("sbd: ", stderr);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  print_hint(cmd);
  return CLI_EXIT_USAGE;
}

int cli_out_of_memory(void) {
  fprintf(stderr, "sbd: out of memory\n");
  return CLI_EXIT_FAIL;
}

bool cli_stdout_closed(void) {
  if (errno == EPIPE)
    return true;
  /* The library reports a failed write as a message; ask the pipe itself. A pipe or socket whose
   * reading end is closed polls as an error. */
  struct stat st;
  if (fstat(STDOUT_FILENO, &st) != 0 || !(S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)))
    return false;
  struct pollfd p = {.fd = STDOUT_FILENO, .events = POLLOUT};
  return poll(&p, 1, 0) == 1 && (p.revents & (POLLERR | POLLHUP)) != 0;
}

void cli_report_rejects(int64_t n, const char *file) {
  if (n <= 0)
    return;
  const char *noun = n == 1 ? "record" : "records";
  if (file && *file)
    fprintf(stderr, "%lld %s rejected (see %s)\n", (long long)n, noun, file);
  else
    fprintf(stderr, "%lld %s rejected\n", (long long)n, noun);
}
