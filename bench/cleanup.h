// Removal of everything the benchmark creates (shared-memory objects,
// files, directories, child processes), at exit and on SIGINT, SIGTERM and
// SIGHUP. Only the process that installed the handlers cleans up; forked
// children that catch a signal just exit.
//
//   InstallCleanupHandlers();
//   int h = RegisterShm("/kvstore-bench-1234");
//   ...                       // Create and use the object.
//   Unregister(h);            // After removing it normally.
//
// Paths are kept in fixed buffers so that the signal handler needs only
// async-signal-safe calls (kill, waitpid, unlink, rmdir, shm_unlink).
#ifndef BENCH_CLEANUP_H_
#define BENCH_CLEANUP_H_

#include <sys/types.h>

namespace kvstore_bench {

// Installs the signal handlers and an atexit hook. Call once, early.
void InstallCleanupHandlers();

// Each returns a handle for Unregister, or -1 if the table is full (then
// the item is not cleaned up on interruption).
int RegisterChild(pid_t pid);        // SIGTERM, then waitpid.
int RegisterFile(const char* path);  // unlink.
int RegisterDir(const char* path);   // rmdir (register its files too).
int RegisterShm(const char* name);   // shm_unlink.

void Unregister(int handle);

// Kills children, then unlinks files, directories and shared-memory
// objects, in that order. Idempotent; does nothing in a forked child.
void RunCleanup();

}  // namespace kvstore_bench

#endif  // BENCH_CLEANUP_H_
