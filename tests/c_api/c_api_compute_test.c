/* The C API's get-or-compute, from C (compiled as C): compute callbacks
 * and each of their error paths, and processes racing to compute one key
 * (real processes, fork). Uses its own uniquely named store, destroyed at
 * exit. */
#define _POSIX_C_SOURCE 200809L

#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kvstore/c_api.h"
#include "tests/c_api/c_check.h"

static int64_t NowMs(void) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

static void SleepMs(long ms) {
  struct timespec t;
  t.tv_sec = 0;
  t.tv_nsec = ms * 1000000L;
  nanosleep(&t, NULL);
}

/* ---- Get or compute, in one process ---- */

/* What the in-process callbacks do, and how often they ran. */
struct Plan {
  int32_t code;        /* Returned by the callback. */
  int32_t type;        /* Set with kvstore_computed_set_value, unless 0. */
  const char* value;   /* Its data (a string). */
  const char* message; /* Set with kvstore_computed_set_message, if any. */
  int calls;
  int32_t set_code; /* What kvstore_computed_set_value returned. */
};

static int32_t Compute(void* ctx, const char* key, uint64_t key_size,
                       kvstore_computed_t* computed) {
  struct Plan* plan = (struct Plan*)ctx;
  (void)key;
  (void)key_size;
  ++plan->calls;
  if (plan->type != 0) {
    plan->set_code = kvstore_computed_set_value(
        computed, plan->type, plan->value, strlen(plan->value));
  }
  if (plan->message != NULL)
    kvstore_computed_set_message(computed, plan->message);
  return plan->code;
}

static int32_t GetOrCompute(kvstore_t* store, const char* key,
                            struct Plan* plan, int64_t wait_ms, char* buf,
                            uint64_t buf_size, uint64_t* size,
                            kvstore_error_t** err) {
  int32_t type = 0;
  return kvstore_get_or_compute(
      store, key, strlen(key), Compute, plan, KVSTORE_NO_TTL, wait_ms,
      KVSTORE_COMPUTE_LEASE_MS, &type, buf, buf_size, size, err);
}

static void GetOrComputeComputesOnceThenReads(kvstore_t* store) {
  struct Plan plan = {KVSTORE_OK, KVSTORE_TYPE_STRING, "fresh", NULL, 0, 0};
  char buf[64];
  uint64_t size = 0;
  int32_t type = 0;
  kvstore_error_t* err = NULL;
  CHECK_ERR(KVSTORE_OK,
            GetOrCompute(store, "goc", &plan, KVSTORE_COMPUTE_WAIT_MS, buf,
                         sizeof buf, &size, &err));
  CHECK(plan.calls == 1 && size == 5 && memcmp(buf, "fresh", 5) == 0);
  CHECK_ERR(KVSTORE_OK,
            GetOrCompute(store, "goc", &plan, KVSTORE_COMPUTE_WAIT_MS, buf,
                         sizeof buf, &size, &err));
  CHECK(plan.calls == 1 && size == 5 && memcmp(buf, "fresh", 5) == 0);
  /* Too small a buffer: OUT_OF_RANGE with the size, and the value stays
   * stored for the second call. */
  plan.value = "computed anyway";
  CHECK_CODE(KVSTORE_OUT_OF_RANGE,
             GetOrCompute(store, "goc_small", &plan, KVSTORE_COMPUTE_WAIT_MS,
                          buf, 4, &size, NULL));
  CHECK(plan.calls == 2 && size == 15);
  CHECK_CODE(KVSTORE_OK, kvstore_get(store, S("goc_small"), &type, buf,
                                     sizeof buf, &size, NULL));
  CHECK(size == 15 && memcmp(buf, "computed anyway", 15) == 0);
}

static void GetOrComputeReportsCallbackErrorsAndStoresNothing(
    kvstore_t* store) {
  struct Plan fail = {KVSTORE_UNAVAILABLE, 0, NULL, "backend down", 0, 0};
  struct Plan ok = {KVSTORE_OK, KVSTORE_TYPE_STRING, "late", NULL, 0, 0};
  struct Plan no_value = {KVSTORE_OK, 0, NULL, NULL, 0, 0};
  struct Plan bad_value = {KVSTORE_OK, 99, "x", NULL, 0, 0};
  struct Plan odd_code = {1000, 0, NULL, NULL, 0, 0};
  char buf[64];
  uint64_t size = 0;
  int32_t type = 0;
  kvstore_error_t* err = NULL;

  CHECK_ERR(KVSTORE_UNAVAILABLE,
            GetOrCompute(store, "goc_err", &fail, KVSTORE_COMPUTE_WAIT_MS, buf,
                         sizeof buf, &size, &err));
  CHECK(err != NULL && strcmp(kvstore_error_message(err), "backend down") == 0);
  kvstore_error_free(err);
  err = NULL;
  CHECK_CODE(KVSTORE_NOT_FOUND, kvstore_get(store, S("goc_err"), &type, buf,
                                            sizeof buf, &size, NULL));
  /* The failure freed the key at once: even without waiting, the next call
   * computes (a claim left behind would make it DEADLINE_EXCEEDED). */
  CHECK_ERR(KVSTORE_OK, GetOrCompute(store, "goc_err", &ok, 0, buf, sizeof buf,
                                     &size, &err));
  CHECK(ok.calls == 1 && size == 4 && memcmp(buf, "late", 4) == 0);

  CHECK_ERR(KVSTORE_INVALID_ARGUMENT,
            GetOrCompute(store, "goc_none", &no_value, 0, buf, sizeof buf,
                         &size, &err));
  CHECK(err != NULL &&
        strstr(kvstore_error_message(err), "kvstore_computed_set_value"));
  kvstore_error_free(err);
  err = NULL;
  CHECK_CODE(KVSTORE_INVALID_ARGUMENT,
             GetOrCompute(store, "goc_bad", &bad_value, 0, buf, sizeof buf,
                          &size, NULL));
  CHECK(bad_value.set_code == KVSTORE_INVALID_ARGUMENT);
  CHECK_CODE(KVSTORE_UNKNOWN, GetOrCompute(store, "goc_odd", &odd_code, 0, buf,
                                           sizeof buf, &size, NULL));
  CHECK_CODE(KVSTORE_NOT_FOUND, kvstore_get(store, S("goc_none"), &type, buf,
                                            sizeof buf, &size, NULL));
  CHECK_CODE(KVSTORE_NOT_FOUND, kvstore_get(store, S("goc_bad"), &type, buf,
                                            sizeof buf, &size, NULL));
  CHECK_CODE(KVSTORE_NOT_FOUND, kvstore_get(store, S("goc_odd"), &type, buf,
                                            sizeof buf, &size, NULL));

  /* Bad arguments: nothing is computed. */
  ok.calls = 0;
  CHECK_CODE(
      KVSTORE_INVALID_ARGUMENT,
      kvstore_get_or_compute(store, S("goc_args"), NULL, &ok, KVSTORE_NO_TTL, 0,
                             1000, &type, buf, sizeof buf, &size, NULL));
  CHECK_CODE(
      KVSTORE_INVALID_ARGUMENT,
      kvstore_get_or_compute(store, S("goc_args"), Compute, &ok, KVSTORE_NO_TTL,
                             0, 0, &type, buf, sizeof buf, &size, NULL));
  CHECK_CODE(
      KVSTORE_INVALID_ARGUMENT,
      kvstore_get_or_compute(store, S("goc_args"), Compute, &ok, KVSTORE_NO_TTL,
                             -1, 1000, &type, buf, sizeof buf, &size, NULL));
  CHECK_CODE(KVSTORE_INVALID_ARGUMENT,
             kvstore_get_or_compute(store, S("goc_args"), Compute, &ok, 0, 0,
                                    1000, &type, buf, sizeof buf, &size, NULL));
  CHECK(ok.calls == 0);
}

/* ---- Get or compute, across processes ---- */

/* A child's part in a race: see RaceToCompute. */
struct Racer {
  kvstore_t* store;
  const char* attempts_key;
  int started_fd; /* Written when a computation starts. */
  int release_fd; /* Read before a computation finishes. */
  int fail_first; /* The first attempt (over all racers) fails. */
  int computed;
};

/* Reads one byte from `fd`, waiting up to `ms`. */
static int ReadByte(int fd, int ms) {
  struct pollfd p;
  char byte;
  p.fd = fd;
  p.events = POLLIN;
  if (poll(&p, 1, ms) != 1) return 0;
  return read(fd, &byte, 1) == 1;
}

static int32_t RacerCompute(void* ctx, const char* key, uint64_t key_size,
                            kvstore_computed_t* computed) {
  struct Racer* r = (struct Racer*)ctx;
  int64_t attempt = 0;
  (void)key;
  (void)key_size;
  r->computed = 1;
  if (kvstore_increment(r->store, r->attempts_key, strlen(r->attempts_key), 1,
                        &attempt, NULL) != KVSTORE_OK ||
      write(r->started_fd, "c", 1) != 1) {
    return KVSTORE_INTERNAL;
  }
  if (!ReadByte(r->release_fd, 20000)) {
    kvstore_computed_set_message(computed, "never released");
    return KVSTORE_DEADLINE_EXCEEDED;
  }
  if (r->fail_first && attempt == 1) {
    kvstore_computed_set_message(computed, "first attempt fails");
    return KVSTORE_UNAVAILABLE;
  }
  return kvstore_computed_set_value(computed, KVSTORE_TYPE_STRING,
                                    S("computed"));
}

/* The child: exits 10 if it computed the value, 11 if it read the value
 * another process computed, 20 if its computation failed as planned, 1
 * otherwise. */
static void RunRacer(struct Racer* r, const char* key) {
  char buf[64];
  uint64_t size = 0;
  int32_t type = 0, code;
  kvstore_error_t* err = NULL;
  if (kvstore_open(g_name, NULL, &r->store, &err) != KVSTORE_OK) {
    fprintf(stderr, "racer: open: %s\n", kvstore_error_message(err));
    _exit(1);
  }
  code = kvstore_get_or_compute(r->store, key, strlen(key), RacerCompute, r,
                                KVSTORE_NO_TTL, 30000, 30000, &type, buf,
                                sizeof buf, &size, &err);
  if (code == KVSTORE_UNAVAILABLE && r->computed) _exit(20);
  if (code != KVSTORE_OK) {
    fprintf(stderr, "racer %ld: %s: %s\n", (long)getpid(),
            kvstore_code_name(code), kvstore_error_message(err));
    _exit(1);
  }
  if (size != 8 || memcmp(buf, "computed", 8) != 0) _exit(1);
  _exit(r->computed ? 10 : 11); /* _exit: the parent's atexit is not ours. */
}

static uint64_t Misses(kvstore_t* store) {
  kvstore_stats_t stats;
  memset(&stats, 0, sizeof stats);
  kvstore_stats(store, &stats, sizeof stats, NULL);
  return stats.misses;
}

/* Two processes ask for `key` at once. Once one is computing and the other
 * has been turned away and looked again (three misses since the start: the
 * computer's, then at least two of the waiter's, the second after its claim
 * was refused), the computation is released. With
 * fail_first, the first computation fails and the waiter must take over.
 * Returns the children's exit codes, sorted, in *low and *high. */
static void RaceToCompute(kvstore_t* store, const char* key,
                          const char* attempts_key, int fail_first, int* low,
                          int* high) {
  int started[2], release[2], i, rounds = fail_first ? 2 : 1, ok = 1;
  pid_t pids[2] = {-1, -1};
  int codes[2] = {-1, -1};
  const uint64_t before = Misses(store);
  struct Racer r;
  if (pipe(started) != 0 || pipe(release) != 0) {
    CHECK(!"pipe");
    return;
  }
  r.store = NULL;
  r.attempts_key = attempts_key;
  r.started_fd = started[1];
  r.release_fd = release[0];
  r.fail_first = fail_first;
  r.computed = 0;
  for (i = 0; i < 2; ++i) {
    pids[i] = fork();
    if (pids[i] == 0) RunRacer(&r, key);
    CHECK(pids[i] > 0);
  }
  for (i = 0; i < rounds && ok; ++i) {
    int64_t deadline;
    ok = ReadByte(started[0], 20000);
    CHECK(ok); /* A computation started. */
    deadline = NowMs() + 20000;
    /* In the first round the other racer must be waiting. In the second
     * the failed racer has returned, and the computation only has to
     * start. */
    while (ok && i == 0 && Misses(store) < before + 3 && NowMs() < deadline) {
      SleepMs(1);
    }
    CHECK(i > 0 || Misses(store) >= before + 3);
    CHECK(write(release[1], "r", 1) == 1);
  }
  for (i = 0; i < 2; ++i) {
    int status = 0;
    if (pids[i] <= 0) continue;
    if (!ok) kill(pids[i], SIGKILL); /* Only the children started here. */
    if (waitpid(pids[i], &status, 0) == pids[i] && WIFEXITED(status)) {
      codes[i] = WEXITSTATUS(status);
    }
  }
  close(started[0]);
  close(started[1]);
  close(release[0]);
  close(release[1]);
  *low = codes[0] < codes[1] ? codes[0] : codes[1];
  *high = codes[0] < codes[1] ? codes[1] : codes[0];
}

static void OnlyOneOfTwoProcessesComputes(kvstore_t* store) {
  int low = 0, high = 0;
  int64_t attempts = 0;
  RaceToCompute(store, "race", "race_attempts", 0, &low, &high);
  CHECK(low == 10 && high == 11); /* One computed, one read its value. */
  CHECK_CODE(KVSTORE_OK,
             kvstore_get_int64(store, S("race_attempts"), &attempts, NULL));
  CHECK(attempts == 1);
}

static void AWaiterComputesWhenTheComputationFails(kvstore_t* store) {
  int low = 0, high = 0;
  int64_t attempts = 0;
  RaceToCompute(store, "race_fail", "race_fail_attempts", 1, &low, &high);
  CHECK(low == 10 && high == 20); /* One failed, the other then computed. */
  CHECK_CODE(KVSTORE_OK, kvstore_get_int64(store, S("race_fail_attempts"),
                                           &attempts, NULL));
  CHECK(attempts == 2);
}

int main(void) {
  kvstore_t* store;
  UniqueName(g_name, sizeof g_name, "compute");
  atexit(DestroyStore);
  store = OpenNew();
  if (store == NULL) return 1;

  GetOrComputeComputesOnceThenReads(store);
  GetOrComputeReportsCallbackErrorsAndStoresNothing(store);
  OnlyOneOfTwoProcessesComputes(store);
  AWaiterComputesWhenTheComputationFails(store);

  kvstore_close(store);
  return Finish();
}
