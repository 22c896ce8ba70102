/* Checks for the C API's tests, written in C: a failed check prints where
 * and what (for a call, the code it returned, its name, and the error's
 * message) and the test goes on; main returns Finish(). Each test gets a
 * unique store name from UniqueName, and removes its stores at exit
 * whether or not a check failed. One translation unit per test. */
#ifndef KVSTORE_TESTS_C_API_C_CHECK_H_
#define KVSTORE_TESTS_C_API_C_CHECK_H_

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kvstore/c_api.h"

static int g_failures = 0;
static int g_checks = 0;

#define CHECK(cond)                                                            \
  do {                                                                         \
    ++g_checks;                                                                \
    if (!(cond)) {                                                             \
      ++g_failures;                                                            \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
    }                                                                          \
  } while (0)

/* Checks that `call` (passing NULL for its error) returned `want`. */
#define CHECK_CODE(want, call)                                                \
  do {                                                                        \
    int32_t got_ = (call);                                                    \
    ++g_checks;                                                               \
    if (got_ != (want)) {                                                     \
      ++g_failures;                                                           \
      fprintf(stderr, "%s:%d: %s returned %s, want %s\n", __FILE__, __LINE__, \
              #call, kvstore_code_name(got_), kvstore_code_name(want));       \
    }                                                                         \
  } while (0)

/* The same with the error object: `call` uses `&err`. */
#define CHECK_ERR(want, call)                                            \
  do {                                                                   \
    int32_t got_ = (call);                                               \
    ++g_checks;                                                          \
    if (got_ != (want)) {                                                \
      ++g_failures;                                                      \
      fprintf(stderr, "%s:%d: %s returned %s (%s), want %s\n", __FILE__, \
              __LINE__, #call, kvstore_code_name(got_),                  \
              kvstore_error_message(err), kvstore_code_name(want));      \
    }                                                                    \
  } while (0)

/* A key or value literal as (pointer, size). */
#define S(str) (str), (uint64_t)strlen(str)

/* Writes "/kvtest_c_<tag>_<pid>_<time>" into `name`. */
static void UniqueName(char* name, size_t size, const char* tag) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  snprintf(name, size, "/kvtest_c_%s_%ld_%ld_%ld", tag, (long)getpid(),
           (long)now.tv_sec, (long)now.tv_nsec);
}

/* The test's store: main fills it with UniqueName and registers
 * DestroyStore with atexit. */
static char g_name[96];

/* Destroys the store named g_name (NOT_FOUND, ignored, if a test already
 * destroyed it). */
static inline void DestroyStore(void) {
  if (g_name[0] != '\0') kvstore_destroy(g_name, NULL);
}

/* Creates the tagged store g_name (256 entries, values up to 64 bytes);
 * NULL, with a failed check, if it cannot. */
static inline kvstore_t* OpenNew(void) {
  kvstore_options_t* options = kvstore_options_create();
  kvstore_t* store = NULL;
  kvstore_error_t* err = NULL;
  kvstore_options_set_create_if_missing(options, 1);
  kvstore_options_set_error_if_exists(options, 1);
  kvstore_options_set_capacity(options, 256);
  kvstore_options_set_max_value_bytes(options, 64);
  CHECK_ERR(KVSTORE_OK, kvstore_open(g_name, options, &store, &err));
  kvstore_error_free(err);
  kvstore_options_free(options);
  return store;
}

/* Prints the tally; main's exit code. */
static int Finish(void) {
  printf("%d checks, %d failed\n", g_checks, g_failures);
  return g_failures == 0 ? 0 : 1;
}

#endif /* KVSTORE_TESTS_C_API_C_CHECK_H_ */
