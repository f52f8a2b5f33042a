/*
 * main.c — runs the registered unit tests (all, or those whose name contains argv[1]) and prints
 * one line per failure and a closing "unit: N passed, N failed".
 */
#include "test.h"

#include <stdarg.h>
#include <stdlib.h>

typedef struct {
  const char *name, *file;
  test_fn fn;
} test_case;

static test_case *tests;
static int ntests, cap_tests;
static int current_failed;

void test_register(const char *name, const char *file, test_fn fn) {
  if (ntests == cap_tests) {
    cap_tests = cap_tests ? cap_tests * 2 : 64;
    tests = realloc(tests, sizeof(*tests) * (size_t)cap_tests);
    if (!tests)
      abort();
  }
  tests[ntests++] = (test_case){name, file, fn};
}

void test_fail(const char *file, int line, const char *fmt, ...) {
  va_list ap;
  fprintf(stderr, "FAIL %s:%d: ", file, line);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  current_failed = 1;
}

int test_failed_now(void) {
  return current_failed;
}

int main(int argc, char **argv) {
  int passed = 0, failed = 0;
  for (int i = 0; i < ntests; i++) {
    if (argc > 1 && !strstr(tests[i].name, argv[1]))
      continue;
    current_failed = 0;
    tests[i].fn();
    if (current_failed) {
      fprintf(stderr, "  in test %s (%s)\n", tests[i].name, tests[i].file);
      failed++;
    } else {
      passed++;
    }
  }
  free(tests);
  printf("unit: %d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
