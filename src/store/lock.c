/*
 * lock.c — one calculation of a group at a time: an exclusive flock on .sbd/locks/GROUP.lock,
 * held for the whole calculation and released by the kernel when the process ends, so a crash
 * never leaves a stale lock. A second calculation first tries without blocking; when the lock is
 * taken it says so once (the caller prints "waiting for ...") and polls every 50 ms until it gets
 * the lock or its wait runs out.
 */
#include "store/store_int.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

sbd_status st_lock(sbd_ctx *ctx, const char *path, const char *group, double wait_s,
                   void (*waiting)(void *arg, const char *group), void *arg, int *fd) {
  *fd = -1;
  int f = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
  if (f < 0)
    return sbd_error(ctx, SBD_EIO, "%s: cannot open the lock file: %s", path, strerror(errno));
  if (flock(f, LOCK_EX | LOCK_NB) == 0) {
    *fd = f;
    return SBD_OK;
  }
  if (errno != EWOULDBLOCK) {
    int e = errno;
    close(f);
    return sbd_error(ctx, SBD_EIO, "%s: cannot lock: %s", path, strerror(e));
  }
  if (waiting)
    waiting(arg, group);
  double deadline = now_s() + wait_s;
  for (;;) {
    if (wait_s >= 0 && now_s() >= deadline) {
      close(f);
      return sbd_error(ctx, SBD_EIO,
                       "group '%s': another calculation still runs after %g s of waiting (--wait)",
                       group, wait_s);
    }
    struct timespec pause = {0, 50 * 1000 * 1000};
    nanosleep(&pause, NULL);
    if (flock(f, LOCK_EX | LOCK_NB) == 0) {
      *fd = f;
      return SBD_OK;
    }
  }
}

void st_unlock(int fd) {
  if (fd >= 0)
    close(fd); /* closing the descriptor releases the flock */
}
