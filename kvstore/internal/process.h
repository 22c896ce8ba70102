// Whether another process is still alive, for the places that trust a pid
// recorded in the segment: a store's creator and a get-or-compute owner.
#ifndef KVSTORE_INTERNAL_PROCESS_H_
#define KVSTORE_INTERNAL_PROCESS_H_

#include <sys/types.h>

namespace kvstore {
namespace internal {

// True if `pid` names no running process: it does not exist, or it has
// exited and waits to be reaped (a zombie, which kill(pid, 0) still finds).
// False when in doubt (the process exists but /proc does not say its
// state): a live process must never be taken for dead.
bool ProcessIsGone(pid_t pid);

}  // namespace internal
}  // namespace kvstore

#endif  // KVSTORE_INTERNAL_PROCESS_H_
