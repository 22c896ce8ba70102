#include "kvstore/internal/robust_mutex.h"

#include <errno.h>
#include <linux/futex.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>

#include "absl/base/optimization.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "kvstore/internal/fault_injection.h"

namespace kvstore {
namespace internal {

absl::Status InitRobustMutex(pthread_mutex_t* mu) {
  pthread_mutexattr_t attr;
  int rc = pthread_mutexattr_init(&attr);
  if (rc == 0) rc = pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
  if (rc == 0) rc = pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
  if (rc == 0) rc = pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_NORMAL);
  if (rc == 0) rc = pthread_mutex_init(mu, &attr);
  pthread_mutexattr_destroy(&attr);
  if (rc != 0) {
    return absl::UnimplementedError(absl::StrCat(
        "cannot create a robust process-shared mutex: ", strerror(rc)));
  }
  return absl::OkStatus();
}

namespace {

// Pauses a locker spends waiting for a held lock before it sleeps: writers
// hold the lock for about a hundred nanoseconds, and a futex wait and wake
// cost microseconds.
constexpr int kLockSpins = 64;

// glibc's robust clocklock returns ETIMEDOUT for a negative deadline before
// it touches the lock word, so this deadline makes an attempt that never
// sleeps. Unlike pthread_mutex_trylock (which on glibc 2.36 leaves an
// unrecoverable mutex owned by the caller), it reports EOWNERDEAD and
// ENOTRECOVERABLE as pthread_mutex_lock does.
constexpr struct timespec kNoWait = {-1, 0};

inline void CpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

int64_t MonotonicNanos() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

// The futex word of a glibc mutex: the owner's thread id, FUTEX_WAITERS and
// FUTEX_OWNER_DIED.
std::atomic<uint32_t>* Word(pthread_mutex_t* mu) {
  static_assert(offsetof(pthread_mutex_t, __data.__lock) == 0, "glibc");
  return reinterpret_cast<std::atomic<uint32_t>*>(mu);
}

// Waits for a lock that a no-wait attempt found held.
int WaitForLock(pthread_mutex_t* mu, int64_t timeout_ns, int64_t* waited_ns) {
  std::atomic<uint32_t>* word = Word(mu);
  const int64_t start = MonotonicNanos();
  for (int i = 0; i < kLockSpins && word->load(std::memory_order_relaxed);
       ++i) {
    CpuRelax();
  }
  int rc = pthread_mutex_clocklock(mu, CLOCK_MONOTONIC, &kNoWait);
  // Sleep in slices: whatever woke or failed to wake us, the word is looked
  // at again within one slice (see kLockWaitSliceNanos).
  while (rc == ETIMEDOUT) {
    const int64_t now = MonotonicNanos();
    int64_t until = now + kLockWaitSliceNanos;
    if (timeout_ns >= 0) {
      if (now - start >= timeout_ns) break;
      until = std::min(until, start + timeout_ns);
    }
    const struct timespec ts = {static_cast<time_t>(until / 1000000000),
                                static_cast<long>(until % 1000000000)};
    rc = pthread_mutex_clocklock(mu, CLOCK_MONOTONIC, &ts);
  }
  *waited_ns = std::max<int64_t>(1, MonotonicNanos() - start);
  if (rc == 0 || rc == EOWNERDEAD) {
    // A retry after a slice takes a free lock with a plain compare-and-swap
    // that drops FUTEX_WAITERS, though other waiters may sleep on the
    // futex; put it back so that our unlock wakes one of them (glibc does
    // the same for a waiter that slept).
    word->fetch_or(FUTEX_WAITERS, std::memory_order_relaxed);
  }
  return rc;
}

}  // namespace

int LockMutex(pthread_mutex_t* mu, int64_t timeout_ns, int64_t* waited_ns) {
  *waited_ns = 0;
  const int rc = pthread_mutex_clocklock(mu, CLOCK_MONOTONIC, &kNoWait);
  if (ABSL_PREDICT_TRUE(rc != ETIMEDOUT)) return rc;
  return WaitForLock(mu, timeout_ns, waited_ns);
}

absl::Status LockRobust(pthread_mutex_t* mu, int64_t timeout_ns,
                        absl::FunctionRef<absl::Status()> repair,
                        bool* recovered, int64_t* waited_ns) {
  *recovered = false;
  const int rc = LockMutex(mu, timeout_ns, waited_ns);
  if (ABSL_PREDICT_TRUE(rc == 0)) return absl::OkStatus();
  if (rc == EOWNERDEAD) {
    // The owner died inside a write. Finish or undo it from the journal;
    // this runs again (idempotently) if we die here too.
    KVSTORE_FAULT_POINT("recover.begin");
    absl::Status repaired = repair();
    if (!repaired.ok()) {
      // The journal itself is damaged (repair is deterministic, so retrying
      // or aborting would only fail again in every process). Keep the lock
      // usable, leave the damage in place for 'kvstore check', and refuse.
      pthread_mutex_consistent(mu);
      pthread_mutex_unlock(mu);
      return repaired;
    }
    KVSTORE_FAULT_POINT("recover.before_consistent");
    pthread_mutex_consistent(mu);
    *recovered = true;
    return absl::OkStatus();
  }
  if (rc == ETIMEDOUT) {
    return absl::DeadlineExceededError(absl::StrCat(
        "gave up waiting for the lock after ",
        absl::FormatDuration(absl::Nanoseconds(*waited_ns)),
        " (Options::lock_timeout); it is held by thread ",
        Word(mu)->load(std::memory_order_relaxed) & FUTEX_TID_MASK));
  }
  if (rc == ENOTRECOVERABLE) {
    return absl::FailedPreconditionError(
        "the store's lock is unrecoverable (left so by an older or faulty "
        "build); run 'kvstore reset-lock' when no other process uses the "
        "store");
  }
  return absl::InternalError(
      absl::StrCat("locking the store failed: ", strerror(rc)));
}

bool LockIsFree(const pthread_mutex_t* mu) {
  return Word(const_cast<pthread_mutex_t*>(mu))
             ->load(std::memory_order_acquire) == 0;
}

void UnlockRobust(pthread_mutex_t* mu) { pthread_mutex_unlock(mu); }

absl::Status RobustMutexSelfTest() {
  static const absl::Status* const result = [] {
    void* p = mmap(nullptr, sizeof(pthread_mutex_t), PROT_READ | PROT_WRITE,
                   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
      return new absl::Status(absl::InternalError(
          absl::StrCat("robust mutex self-test: mmap: ", strerror(errno))));
    }
    auto* mu = static_cast<pthread_mutex_t*>(p);
    absl::Status status = InitRobustMutex(mu);
    if (status.ok()) {
      pid_t child = fork();
      if (child == 0) {
        pthread_mutex_lock(mu);
        _exit(0);  // Dies holding the lock.
      }
      int wstatus;
      if (child < 0 || waitpid(child, &wstatus, 0) != child) {
        status = absl::InternalError("robust mutex self-test: fork failed");
      } else {
        int rc = pthread_mutex_lock(mu);
        if (rc == EOWNERDEAD) {
          pthread_mutex_consistent(mu);
          pthread_mutex_unlock(mu);
        } else {
          if (rc == 0) pthread_mutex_unlock(mu);
          status = absl::UnimplementedError(absl::StrCat(
              "robust mutexes do not work on this system (a dead owner "
              "gave ",
              rc == 0 ? "success" : strerror(rc),
              " instead of EOWNERDEAD); kvstore cannot run safely here"));
        }
      }
    }
    munmap(p, sizeof(pthread_mutex_t));
    return new absl::Status(status);
  }();
  return *result;
}

}  // namespace internal
}  // namespace kvstore
