/*
 * replay_main.c — runs a fuzz target's LLVMFuzzerTestOneInput over saved inputs without libFuzzer,
 * so every `make test` (and the sanitizer run) replays the corpus. Arguments are files or folders;
 * prints "NAME: N passed, 0 failed" (a failing input crashes under the sanitizers, or aborts).
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "replay: cannot open %s\n", path);
    return -1;
  }
  size_t cap = 1 << 16, n = 0;
  uint8_t *buf = malloc(cap);
  size_t got;
  while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
    n += got;
    if (n == cap) {
      cap *= 2;
      uint8_t *nb = realloc(buf, cap);
      if (!nb) {
        free(buf);
        buf = NULL;
      }
      buf = nb;
    }
  }
  fclose(f);
  if (!buf)
    return -1;
  LLVMFuzzerTestOneInput(buf, n);
  free(buf);
  return 0;
}

static int cmp_names(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv) {
  const char *name = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
  int passed = 0, failed = 0;
  for (int i = 1; i < argc; i++) {
    struct stat st;
    if (stat(argv[i], &st) != 0)
      continue;
    if (!S_ISDIR(st.st_mode)) {
      replay_file(argv[i]) == 0 ? passed++ : failed++;
      continue;
    }
    DIR *d = opendir(argv[i]);
    if (!d)
      continue;
    char **names = NULL;
    size_t nn = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
      if (e->d_name[0] == '.')
        continue;
      char **nv = realloc(names, sizeof(char *) * (nn + 1));
      if (!nv)
        break;
      names = nv;
      names[nn++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, nn, sizeof(char *), cmp_names);
    for (size_t j = 0; j < nn; j++) {
      char path[4096];
      snprintf(path, sizeof(path), "%s/%s", argv[i], names[j]);
      replay_file(path) == 0 ? passed++ : failed++;
      free(names[j]);
    }
    free(names);
  }
  printf("%s: %d passed, %d failed\n", name, passed, failed);
  return failed ? 1 : 0;
}
