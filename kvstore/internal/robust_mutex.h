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

#include <cstdint>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"

namespace kvstore {
namespace internal {

// Initialises `mu` in shared memory as robust, process-shared and NORMAL.
absl::Status InitRobustMutex(pthread_mutex_t* mu);

// Longest a waiter sleeps in the kernel before it looks at the lock word
// again. A robust futex can strand a sleeper on a free lock: an unlock wakes
// one waiter, that waiter is killed before it runs, and a third thread takes
// the lock on the fast path (which does not set FUTEX_WAITERS), so no later
// unlock wakes anyone. The kernel's robust-list cleanup of the killed
// waiter wakes a replacement only if the lock is free at that instant.
// Waiting in slices bounds how long any waiter can sleep on a free lock.
inline constexpr int64_t kLockWaitSliceNanos = 1000000;  // 1 ms

// Locks `mu`, waiting at most `timeout_ns` (negative: no limit) for a held
// lock; DEADLINE_EXCEEDED when that passes, naming the holder's thread id.
// Sets `*waited_ns` to the time spent waiting (0 if the lock was free).
// If the previous owner died holding it, runs `repair` while
// holding the lock and then marks the mutex consistent; `repair` must be
// idempotent, since a repairer can die too and hand the same state to the
// next locker. `repair` fails only on a damaged journal, which no retry can
// fix: then the mutex is marked consistent (never unlock an inconsistent
// mutex: that makes it unrecoverable for good), unlocked, and the failure
// returned; the damage stays for 'kvstore check'. Sets `*recovered` to
// whether a repair ran. Returns FAILED_PRECONDITION if the mutex is
// unrecoverable (left so by an older or buggy build).
absl::Status LockRobust(pthread_mutex_t* mu, int64_t timeout_ns,
                        absl::FunctionRef<absl::Status()> repair,
                        bool* recovered, int64_t* waited_ns);

// The waiting part of LockRobust, for callers that handle EOWNERDEAD and
// ENOTRECOVERABLE themselves (ResetLock): returns what
// pthread_mutex_lock would, or ETIMEDOUT once `timeout_ns` (negative: no
// limit) has passed. Never sleeps on a free lock for longer than
// kLockWaitSliceNanos.
int LockMutex(pthread_mutex_t* mu, int64_t timeout_ns, int64_t* waited_ns);

// Whether `mu` is free and clean: no thread holds it and no owner died
// holding it (the kernel then clears the owner's thread id but leaves
// FUTEX_OWNER_DIED set until the next locker repairs and unlocks). A plain
// atomic load of the lock word, so it works on a read-only mapping; for
// read-only handles, which cannot lock (table_read_only.cc).
bool LockIsFree(const pthread_mutex_t* mu);

// Unlocks a mutex locked by LockRobust or LockMutex.
void UnlockRobust(pthread_mutex_t* mu);

// Checks once per process that robust process-shared mutexes work here: a
// child process dies holding one and the parent must get EOWNERDEAD.
// Returns UNIMPLEMENTED with an explanation where they do not.
absl::Status RobustMutexSelfTest();

}  // namespace internal
}  // namespace kvstore

#endif  // KVSTORE_INTERNAL_ROBUST_MUTEX_H_
