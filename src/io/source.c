/*
 * source.c — input byte sources: a regular file or standard input, read sequentially. The size is
 * known for regular files (for progress and chunk sizing) and -1 for pipes.
 */
#include "io/io_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

sbd_status io_source_open(sbd_ctx *ctx, const char *path, io_source **out) {
  *out = NULL;
  io_source *s = sbd_calloc(ctx, 1, sizeof(*s));
  if (!s)
    return SBD_ENOMEM;
  s->path = sbd_strdup(ctx, path);
  if (!s->path) {
    free(s);
    return SBD_ENOMEM;
  }
  s->size = -1;
  if (strcmp(path, "-") == 0) {
    s->fd = STDIN_FILENO;
    s->is_stdin = true;
  } else {
    s->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (s->fd < 0) {
      int e = errno;
      free(s->path);
      free(s);
      return sbd_error(ctx, e == ENOENT ? SBD_ENOTFOUND : SBD_EIO, "%s: cannot open: %s", path,
                       strerror(e));
    }
    struct stat st;
    if (fstat(s->fd, &st) == 0) {
      if (S_ISDIR(st.st_mode)) {
        close(s->fd);
        free(s->path);
        free(s);
        return sbd_error(ctx, SBD_EUSAGE, "%s: is a directory, not a file", path);
      }
      if (S_ISREG(st.st_mode))
        s->size = (int64_t)st.st_size;
    }
#ifdef POSIX_FADV_SEQUENTIAL
    posix_fadvise(s->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
  }
  *out = s;
  return SBD_OK;
}

sbd_status io_source_read(sbd_ctx *ctx, io_source *s, char *buf, size_t n, size_t *got) {
  size_t total = 0;
  while (total < n && !s->eof) {
    ssize_t r = read(s->fd, buf + total, n - total);
    if (r < 0) {
      if (errno == EINTR)
        continue;
      return sbd_error(ctx, SBD_EIO, "%s: read failed at byte %lld: %s", s->path,
                       (long long)(s->offset + (int64_t)total), strerror(errno));
    }
    if (r == 0) {
      s->eof = true;
      break;
    }
    total += (size_t)r;
  }
  s->offset += (int64_t)total;
  *got = total;
  return SBD_OK;
}

void io_source_close(io_source *s) {
  if (!s)
    return;
  if (!s->is_stdin && s->fd >= 0)
    close(s->fd);
  free(s->path);
  free(s);
}

sbd_status io_read_sample(sbd_ctx *ctx, io_source *src, size_t max_bytes, char **buf, size_t *len) {
  /* The sample is just the first bytes: the format ignores a partial last record unless the
   * input ended, and the pipeline parses these bytes again as the start of the data. */
  char *b = sbd_malloc(ctx, max_bytes ? max_bytes : 1);
  if (!b)
    return SBD_ENOMEM;
  size_t got;
  sbd_status st = io_source_read(ctx, src, b, max_bytes, &got);
  if (st != SBD_OK) {
    free(b);
    return st;
  }
  *buf = b;
  *len = got;
  return SBD_OK;
}
