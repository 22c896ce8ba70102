// Helpers shared by the kvstore tests: unique store names that are removed
// even when a test fails, and running other processes.
#ifndef KVSTORE_TESTS_TEST_UTIL_H_
#define KVSTORE_TESTS_TEST_UTIL_H_

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace kvstore {
namespace testing {

// A store name no other test (in this or another process) uses:
// "/kvtest_<random>_<pid>_<counter>_<tag>". The store is destroyed when the
// object goes out of scope, whether or not the test passed.
//
//   ScopedStoreName store;
//   ASSERT_OK_AND_ASSIGN(auto s, Store::Open(store.name(), options));
//   RunBinary({"set", "k", "v", store.flag()});   // the CLI's --store flag
//   EXPECT_TRUE(store.Exists());
class ScopedStoreName {
 public:
  explicit ScopedStoreName(const std::string& tag = "t");
  ~ScopedStoreName();
  ScopedStoreName(const ScopedStoreName&) = delete;
  ScopedStoreName& operator=(const ScopedStoreName&) = delete;

  const std::string& name() const { return name_; }
  // "--store=" + name(), for the kvstore command line.
  std::string flag() const { return "--store=" + name_; }
  // The object's path under /dev/shm.
  std::string path() const { return "/dev/shm" + name_; }
  // Whether the shared-memory object exists.
  bool Exists() const;

 private:
  std::string name_;
};

// True if /dev/shm/<name without '/'> exists.
bool ShmExists(const std::string& name);

// Path of a file in the test's runfiles, `relative` to the workspace, e.g.
// "tests/worker" (found through @bazel_tools//tools/cpp/runfiles).
std::string RunfilePath(const std::string& relative);

// How a child process ended, and what it printed when that was captured.
// Exactly one of three holds:
//   it exited:                      exit_code >= 0,  signal == 0;
//   a signal killed it:             exit_code == -1, signal > 0;
//   it never ran or was not reaped: exit_code == -1, signal == 0.
// Every helper that runs a process (here and in tests/cli/run_binary.h)
// reports through this type.
struct ProcessResult {
  int exit_code = -1;  // The exit status, or -1 if it did not exit.
  int signal = 0;      // The signal that killed it, or 0.
  std::string out;     // Everything written to stdout, if captured.
  std::string err;     // Everything written to stderr, if captured.
};

// "exit 3", "killed by signal 9 (Killed)" or "did not run", then both
// streams: for a failing assertion's message.
std::ostream& operator<<(std::ostream& os, const ProcessResult& r);

// The ending a waitpid() status describes (out and err empty).
ProcessResult FromWaitStatus(int wait_status);

// Runs `argv` (argv[0] a path) to completion with extra environment
// entries "NAME=value", capturing its output.
ProcessResult RunProcess(const std::vector<std::string>& argv,
                         const std::vector<std::string>& env = {});

// Starts `argv` in the background; returns its pid (-1 if it cannot).
pid_t StartProcess(const std::vector<std::string>& argv,
                   const std::vector<std::string>& env = {});

// Waits for the child `pid` (retrying on EINTR) and returns how it ended;
// "did not run" if there is no such child.
ProcessResult WaitProcess(pid_t pid);

// The torture test's large values: the decimal `n`, then a letter derived
// from it up to `len` bytes. Logged as "B<n>.<len>" so that a ledger record
// stays short.
std::string TortureBigValue(int64_t n, size_t len);

// The state letter of `pid` in /proc/PID/stat ('R', 'S', 'T' for stopped,
// 'Z' for exited and not reaped, ...), or 0 if there is no such process.
char ProcessState(pid_t pid);

// Calls `done` every millisecond until it returns true (returns true) or
// `deadline` passes (returns false). For conditions that a slow machine
// reaches late: a test waits for them, never sleeps a fixed time.
bool PollUntil(const std::function<bool()>& done,
               absl::Duration deadline = absl::Seconds(15));

// Now on CLOCK_BOOTTIME in ns: the clock of the store's expiries.
int64_t BootNs();

}  // namespace testing
}  // namespace kvstore

#endif  // KVSTORE_TESTS_TEST_UTIL_H_
