/*
 * test.h — the unit-test harness: TEST(name) defines a test that registers itself; ASSERT_*
 * macros print what they compared and fail the current test (the run goes on with the next one).
 * Table-driven cases loop over a static array and name the case in the message.
 */
#ifndef SBD_TEST_H
#define SBD_TEST_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

typedef void (*test_fn)(void);
void test_register(const char *name, const char *file, test_fn fn);
void test_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int test_failed_now(void);

#define TEST(name)                                                                                 \
  static void test_##name(void);                                                                   \
  __attribute__((constructor)) static void register_##name(void) {                                 \
    test_register(#name, __FILE__, test_##name);                                                   \
  }                                                                                                \
  static void test_##name(void)

#define ASSERT_TRUE(c)                                                                             \
  do {                                                                                             \
    if (!(c)) {                                                                                    \
      test_fail(__FILE__, __LINE__, "expected true: %s", #c);                                      \
      return;                                                                                      \
    }                                                                                              \
  } while (0)
#define ASSERT_EQ(a, b)                                                                            \
  do {                                                                                             \
    long long a__ = (long long)(a), b__ = (long long)(b);                                          \
    if (a__ != b__) {                                                                              \
      test_fail(__FILE__, __LINE__, "%s == %s: %lld != %lld", #a, #b, a__, b__);                   \
      return;                                                                                      \
    }                                                                                              \
  } while (0)
#define ASSERT_STR_EQ(a, b)                                                                        \
  do {                                                                                             \
    const char *a__ = (a), *b__ = (b);                                                             \
    if (!a__ || !b__ || strcmp(a__, b__) != 0) {                                                   \
      test_fail(__FILE__, __LINE__, "%s == %s: \"%s\" != \"%s\"", #a, #b, a__ ? a__ : "(null)",    \
                b__ ? b__ : "(null)");                                                             \
      return;                                                                                      \
    }                                                                                              \
  } while (0)
/* For table-driven cases: the message names the case. */
#define CHECK(c, ...)                                                                              \
  do {                                                                                             \
    if (!(c))                                                                                      \
      test_fail(__FILE__, __LINE__, __VA_ARGS__);                                                  \
  } while (0)

#endif
