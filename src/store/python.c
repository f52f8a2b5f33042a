/*
 * python.c — a group's Python feature functions (`- python: module:function` in sbd.yaml), each
 * run as a child process while the group's SQL queries run on threads:
 *   $SBD_PYTHON -m sbd._runner REPO module:function OUT.parquet
 * ($SBD_PYTHON defaults to /usr/bin/python3, found on PATH when it has no slash). The child's
 * PYTHONPATH is the repository folder (where the module lives), then the folder holding the sbd
 * package ($SBD_PYTHONPATH, else the python/ folder of the source tree libsbd was built from),
 * then the PYTHONPATH it would have had; the rest of the environment, SBD_LIBRARY included, is
 * passed through. Its stdout goes to our stderr (a function's prints stay visible); its stderr
 * goes to a file beside OUT whose first line, written by sbd._runner, becomes the error.
 *
 * The module's source file, when it lies in the repository, is an input of the version
 * (st_python_source), so editing it makes the group out of date.
 */
#include "store/store_int.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SBD_PYTHON_DIR
#define SBD_PYTHON_DIR ""
#endif

extern char **environ;

/* The longest first line of a function's stderr kept for the error message. */
#define PY_MAX_ERROR_LINE 1024

bool st_is_import_string(const char *s) {
  /* module(.module)*:name(.name)* with each part an identifier */
  const char *colon = strchr(s, ':');
  if (!colon || strchr(colon + 1, ':'))
    return false;
  for (const char *p = s; p <= s + strlen(s);) {
    const char *end = p;
    while (*end && *end != '.' && *end != ':')
      end++;
    char part[ST_MAX_NAME + 1];
    size_t len = (size_t)(end - p);
    if (len == 0 || len > ST_MAX_NAME)
      return false;
    memcpy(part, p, len);
    part[len] = 0;
    if (!st_is_identifier(part))
      return false;
    if (!*end)
      break;
    p = end + 1;
  }
  return true;
}

char *st_python_source(sbd_repo *r, const char *target) {
  const char *colon = strchr(target, ':');
  st_text t = {0};
  st_text_add(&t, "%.*s", (int)(colon - target), target);
  char *module = st_text_take(r->ctx, &t);
  if (!module)
    return NULL;
  for (char *p = module; *p; p++)
    if (*p == '.')
      *p = '/';
  static const char *const forms[] = {"%s.py", "%s/__init__.py"};
  for (int i = 0; i < 2; i++) {
    st_text rel = {0};
    st_text_add(&rel, forms[i], module);
    char *relpath = st_text_take(r->ctx, &rel);
    char *path = relpath ? st_repo_path(r, relpath) : NULL;
    struct stat sb;
    bool found = path && stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
    free(path);
    if (found) {
      free(module);
      return relpath;
    }
    free(relpath);
  }
  free(module);
  return NULL;
}

sbd_status st_python_start(sbd_repo *r, const char *target, const char *out_path,
                           const char *err_path, pid_t *pid) {
  *pid = -1;
  sbd_ctx *ctx = r->ctx;
  const char *python = getenv("SBD_PYTHON");
  if (!python || !*python)
    python = "/usr/bin/python3";
  const char *pkg = getenv("SBD_PYTHONPATH");
  if (!pkg || !*pkg)
    pkg = SBD_PYTHON_DIR;
  char *repo = realpath(r->dir, NULL);
  if (!repo)
    return sbd_error(ctx, SBD_EIO, "%s: cannot resolve the repository folder: %s", r->dir,
                     strerror(errno));
  const char *old = getenv("PYTHONPATH");
  st_text t = {0};
  st_text_add(&t, "PYTHONPATH=%s", repo);
  if (*pkg)
    st_text_add(&t, ":%s", pkg);
  if (old && *old)
    st_text_add(&t, ":%s", old);
  char *pythonpath = st_text_take(ctx, &t);
  size_t nenv = 0;
  while (environ[nenv])
    nenv++;
  char **env = pythonpath ? sbd_calloc(ctx, nenv + 2, sizeof(char *)) : NULL;
  if (!env) {
    free(repo);
    free(pythonpath);
    return SBD_ENOMEM;
  }
  size_t k = 0;
  for (size_t i = 0; i < nenv; i++)
    if (strncmp(environ[i], "PYTHONPATH=", 11) != 0)
      env[k++] = environ[i];
  env[k++] = pythonpath;
  env[k] = NULL;
  char *argv[] = {(char *)python,   "-m", "sbd._runner", repo, (char *)target,
                  (char *)out_path, NULL};
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, 2, 1);
  posix_spawn_file_actions_addopen(&fa, 2, err_path, O_WRONLY | O_CREAT | O_TRUNC, 0666);
  int rc = strchr(python, '/') ? posix_spawn(pid, python, &fa, NULL, argv, env)
                               : posix_spawnp(pid, python, &fa, NULL, argv, env);
  posix_spawn_file_actions_destroy(&fa);
  free(env);
  free(pythonpath);
  free(repo);
  if (rc != 0) {
    *pid = -1;
    return sbd_error(ctx, SBD_EIO,
                     "cannot start %s for python feature function %s: %s (set "
                     "SBD_PYTHON to a Python with pandas)",
                     python, target, strerror(rc));
  }
  return SBD_OK;
}

sbd_status st_python_wait(sbd_repo *r, const char *target, pid_t pid, const char *err_path) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR)
      return sbd_error(r->ctx, SBD_EIO, "python feature function %s: cannot wait for it: %s",
                       target, strerror(errno));
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
    return SBD_OK;
  char line[PY_MAX_ERROR_LINE] = "";
  FILE *f = fopen(err_path, "r");
  if (f) {
    if (!fgets(line, sizeof(line), f))
      line[0] = 0;
    fclose(f);
  }
  line[strcspn(line, "\n")] = 0;
  if (line[0])
    return sbd_error(r->ctx, SBD_EINPUT, "%s", line);
  if (WIFSIGNALED(status))
    return sbd_error(r->ctx, SBD_EINPUT, "python feature function %s: killed by signal %d", target,
                     WTERMSIG(status));
  return sbd_error(r->ctx, SBD_EINPUT, "python feature function %s: exited with status %d", target,
                   WEXITSTATUS(status));
}
