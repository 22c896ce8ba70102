#include "kvstore/internal/robust_mutex.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
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

absl::Status LockRobust(pthread_mutex_t* mu,
                        absl::FunctionRef<absl::Status()> repair,
                        bool* recovered) {
  *recovered = false;
  // Never pthread_mutex_trylock here: on an unrecoverable mutex glibc 2.36's
  // trylock leaves the futex word owned by the caller.
  int rc = pthread_mutex_lock(mu);
  if (rc == 0) return absl::OkStatus();
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
  if (rc == ENOTRECOVERABLE) {
    return absl::FailedPreconditionError(
        "the store's lock is unrecoverable (left so by an older or faulty "
        "build); run 'kvstore reset-lock' when no other process uses the "
        "store");
  }
  return absl::InternalError(
      absl::StrCat("locking the store failed: ", strerror(rc)));
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
