/*
 * outfile.c — atomic output files. Data goes to ".NAME.sbd-tmp-PID-N" in the target's folder
 * through a 1 MiB buffer; commit flushes, fsyncs and renames over the target, so a reader of the
 * target sees the old file or the new one, never half of one. The temporary names of open files
 * are kept in a fixed table that a signal handler can walk to unlink them.
 */
#include "io/io_int.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define OUT_BUF_BYTES (1u << 20)
#define MAX_OPEN_TMP 64

struct io_file {
  int fd;
  bool is_stdout;
  char *path;
  char *tmp_path;
  char *buf;
  size_t len;
  int64_t written;
  int slot; /* index in open_tmp, or -1 */
};

/* Temporary paths of open files, for io_file_abort_all. Slots are claimed with a CAS so that a
 * handler never sees a half-written pointer. */
static char *volatile open_tmp[MAX_OPEN_TMP];
static int tmp_counter;

static int claim_slot(char *path) {
  for (int i = 0; i < MAX_OPEN_TMP; i++) {
    char *expected = NULL;
    if (__atomic_compare_exchange_n(&open_tmp[i], &expected, path, false, __ATOMIC_SEQ_CST,
                                    __ATOMIC_SEQ_CST))
      return i;
  }
  return -1;
}

static void release_slot(int slot) {
  if (slot >= 0)
    __atomic_store_n(&open_tmp[slot], NULL, __ATOMIC_SEQ_CST);
}

void io_file_abort_all(void) {
  for (int i = 0; i < MAX_OPEN_TMP; i++) {
    char *p = __atomic_load_n(&open_tmp[i], __ATOMIC_SEQ_CST);
    if (p)
      unlink(p);
  }
}

sbd_status io_file_create(sbd_ctx *ctx, const char *path, io_file **out) {
  *out = NULL;
  io_file *f = sbd_calloc(ctx, 1, sizeof(*f));
  if (!f)
    return SBD_ENOMEM;
  f->slot = -1;
  f->path = sbd_strdup(ctx, path);
  f->buf = sbd_malloc(ctx, OUT_BUF_BYTES);
  if (!f->path || !f->buf) {
    io_file_abort(f);
    return SBD_ENOMEM;
  }
  if (strcmp(path, "-") == 0) {
    f->fd = STDOUT_FILENO;
    f->is_stdout = true;
    *out = f;
    return SBD_OK;
  }
  const char *slash = strrchr(path, '/');
  size_t dir_len = slash ? (size_t)(slash - path + 1) : 0;
  const char *base = path + dir_len;
  size_t cap = strlen(path) + 64;
  f->tmp_path = sbd_malloc(ctx, cap);
  if (!f->tmp_path) {
    io_file_abort(f);
    return SBD_ENOMEM;
  }
  int n = __atomic_add_fetch(&tmp_counter, 1, __ATOMIC_RELAXED);
  snprintf(f->tmp_path, cap, "%.*s.%s.sbd-tmp-%ld-%d", (int)dir_len, path, base, (long)getpid(), n);
  f->fd = open(f->tmp_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (f->fd < 0) {
    int e = errno;
    sbd_status st = sbd_error(ctx, SBD_EIO, "%s: cannot create: %s", path, strerror(e));
    free(f->tmp_path);
    f->tmp_path = NULL;
    io_file_abort(f);
    return st;
  }
  f->slot = claim_slot(f->tmp_path);
  *out = f;
  return SBD_OK;
}

/* The file as messages name it. */
static const char *file_name(const io_file *f) {
  return f->is_stdout ? "standard output" : f->path;
}

static sbd_status flush_buf(sbd_ctx *ctx, io_file *f) {
  size_t off = 0;
  while (off < f->len) {
    ssize_t w = write(f->fd, f->buf + off, f->len - off);
    if (w < 0) {
      if (errno == EINTR)
        continue;
      return sbd_error(ctx, SBD_EIO, "%s: write failed: %s", file_name(f), strerror(errno));
    }
    off += (size_t)w;
  }
  f->len = 0;
  return SBD_OK;
}

sbd_status io_file_write(sbd_ctx *ctx, io_file *f, const void *data, size_t n) {
  f->written += (int64_t)n;
  if (f->len + n > OUT_BUF_BYTES) {
    RETURN_IF_ERROR(flush_buf(ctx, f));
    if (n >= OUT_BUF_BYTES) {
      const char *p = data;
      size_t off = 0;
      while (off < n) {
        ssize_t w = write(f->fd, p + off, n - off);
        if (w < 0) {
          if (errno == EINTR)
            continue;
          return sbd_error(ctx, SBD_EIO, "%s: write failed: %s", file_name(f), strerror(errno));
        }
        off += (size_t)w;
      }
      return SBD_OK;
    }
  }
  memcpy(f->buf + f->len, data, n);
  f->len += n;
  return SBD_OK;
}

int64_t io_file_written(const io_file *f) {
  return f->written;
}
const char *io_file_path(const io_file *f) {
  return f->path;
}

static void file_free(io_file *f) {
  release_slot(f->slot);
  free(f->tmp_path);
  free(f->path);
  free(f->buf);
  free(f);
}

sbd_status io_file_commit(sbd_ctx *ctx, io_file *f) {
  sbd_status st = flush_buf(ctx, f);
  if (f->is_stdout) {
    file_free(f);
    return st;
  }
  if (st == SBD_OK && fsync(f->fd) != 0)
    st = sbd_error(ctx, SBD_EIO, "%s: fsync failed: %s", f->path, strerror(errno));
  if (close(f->fd) != 0 && st == SBD_OK)
    st = sbd_error(ctx, SBD_EIO, "%s: close failed: %s", f->path, strerror(errno));
  f->fd = -1;
  if (st == SBD_OK && rename(f->tmp_path, f->path) != 0)
    st = sbd_error(ctx, SBD_EIO, "%s: cannot rename the finished file into place: %s", f->path,
                   strerror(errno));
  if (st != SBD_OK)
    unlink(f->tmp_path);
  file_free(f);
  return st;
}

void io_file_abort(io_file *f) {
  if (!f)
    return;
  if (!f->is_stdout) {
    if (f->fd > 0)
      close(f->fd);
    if (f->tmp_path)
      unlink(f->tmp_path);
  } else {
    /* What reached standard output cannot be taken back; flush nothing more. */
  }
  file_free(f);
}
