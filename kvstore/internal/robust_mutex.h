// The store's lock: a robust, process-shared pthread mutex of type NORMAL.
//
// Robust: when its owner dies the kernel hands the next locker EOWNERDEAD
// instead of leaving everyone blocked. NORMAL (not ERRORCHECK or RECURSIVE)
// because those compare thread ids, which collide across PID namespaces.
// Boost.Interprocess 1.74's mutex is not robust, so pthreads are used
// directly.
#ifndef KVSTORE_INTERNAL_ROBUST_MUTEX_H_
#define KVSTORE_INTERNAL_ROBUST_MUTEX_H_

#include <pthread.h>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"

namespace kvstore {
namespace internal {

// Initialises `mu` in shared memory as robust, process-shared and NORMAL.
absl::Status InitRobustMutex(pthread_mutex_t* mu);

// Locks `mu`. If the previous owner died holding it, runs `repair` while
// holding the lock and then marks the mutex consistent; `repair` must be
// idempotent, since a repairer can die too and hand the same state to the
// next locker. `repair` fails only on a damaged journal, which no retry can
// fix: then the mutex is marked consistent (never unlock an inconsistent
// mutex: that makes it unrecoverable for good), unlocked, and the failure
// returned; the damage stays for 'kvstore check'. Sets `*recovered` to
// whether a repair ran. Returns FAILED_PRECONDITION if the mutex is
// unrecoverable (left so by an older or buggy build).
absl::Status LockRobust(pthread_mutex_t* mu,
                        absl::FunctionRef<absl::Status()> repair,
                        bool* recovered);

// Unlocks a mutex locked by LockRobust.
void UnlockRobust(pthread_mutex_t* mu);

// Checks once per process that robust process-shared mutexes work here: a
// child process dies holding one and the parent must get EOWNERDEAD.
// Returns UNIMPLEMENTED with an explanation where they do not.
absl::Status RobustMutexSelfTest();

}  // namespace internal
}  // namespace kvstore

#endif  // KVSTORE_INTERNAL_ROBUST_MUTEX_H_
