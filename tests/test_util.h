// Helpers shared by the kvstore tests: unique store names that are removed
// even when a test fails, and running other processes.
#ifndef KVSTORE_TESTS_TEST_UTIL_H_
#define KVSTORE_TESTS_TEST_UTIL_H_

#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace kvstore {
namespace testing {

// A store name no other test (in this or another process) uses:
// "/kvtest_<random>_<pid>_<counter>_<tag>". The store is destroyed when the object
// goes out of scope, whether or not the test passed.
class ScopedStoreName {
 public:
  explicit ScopedStoreName(const std::string& tag = "t");
  ~ScopedStoreName();
  ScopedStoreName(const ScopedStoreName&) = delete;
  ScopedStoreName& operator=(const ScopedStoreName&) = delete;

  const std::string& name() const { return name_; }
  // The object's path under /dev/shm.
  std::string path() const { return "/dev/shm" + name_; }

 private:
  std::string name_;
};

// True if /dev/shm/<name without '/'> exists.
bool ShmExists(const std::string& name);

// Path of a binary in the test's runfiles, e.g. "tests/worker".
std::string RunfilePath(const std::string& relative);

struct ProcessResult {
  int exit_code = -1;   // Exit status, or -1 if killed by a signal.
  int signal = 0;       // Signal that killed it, or 0.
  std::string out;      // Everything written to stdout.
  std::string err;      // Everything written to stderr.
};

// Runs `argv` (argv[0] a path) to completion with extra environment
// entries "NAME=value", capturing its output.
ProcessResult RunProcess(const std::vector<std::string>& argv,
                         const std::vector<std::string>& env = {});

// Starts `argv` in the background; returns its pid.
pid_t StartProcess(const std::vector<std::string>& argv,
                   const std::vector<std::string>& env = {});

// Waits for `pid`; returns the wait status.
int WaitProcess(pid_t pid);

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

}  // namespace testing
}  // namespace kvstore

#endif  // KVSTORE_TESTS_TEST_UTIL_H_
