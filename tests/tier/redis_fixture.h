// Helpers for the tier tests: a redis-server of the test's own, child
// processes that never outlive the test, the host's sync process, and
// polling with a deadline.
//
//   std::unique_ptr<RedisServer> redis = RedisServer::Start();
//   ASSERT_NE(redis, nullptr);
//   ChildProcess sync = StartSync(store.name(), redis->url(), "app:");
//   ASSERT_TRUE(WaitForHeartbeat(store.name(), sync.pid()));
#ifndef KVSTORE_TESTS_TIER_REDIS_FIXTURE_H_
#define KVSTORE_TESTS_TIER_REDIS_FIXTURE_H_

#include <signal.h>
#include <sys/types.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "kvstore/tier/internal/redis_client.h"
#include "tests/test_util.h"

namespace kvstore {
namespace testing {

// A child process. It gets SIGKILL if the test process dies first
// (PR_SET_PDEATHSIG), and is killed and reaped when the object is
// destroyed, whether or not the test passed. Only ever signals its own pid.
class ChildProcess {
 public:
  ChildProcess() = default;
  // Starts `argv` (argv[0] a path) with stdout and stderr appended to
  // `log_path` (/dev/null if empty).
  static ChildProcess Start(const std::vector<std::string>& argv,
                            const std::string& log_path = "");
  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ~ChildProcess();

  pid_t pid() const { return pid_; }
  bool started() const { return pid_ > 0; }
  // Sends `signal` and reaps the process; returns how it ended ("did not
  // run" if it was not started).
  ProcessResult Kill(int signal = SIGKILL);
  // SIGTERM, then SIGKILL if it has not exited after `grace`. Returns how
  // it ended.
  ProcessResult Stop(absl::Duration grace = absl::Seconds(10));
  // Waits for it to exit by itself, up to `deadline`, and returns how it
  // ended; if it did not end, exit_code -1 and signal 0 (it still runs).
  ProcessResult WaitFor(absl::Duration deadline);

 private:
  pid_t pid_ = -1;
};

// A redis-server started by the test: unix socket only (port 0), no
// persistence, files in a temporary directory removed at the end.
class RedisServer {
 public:
  // Starts one and waits (polling, 10 s deadline) until it answers PING.
  // `extra_args` are appended (e.g. {"--requirepass", "pw"}). nullptr if
  // redis-server is missing or does not come up (a message is printed).
  static std::unique_ptr<RedisServer> Start(
      std::vector<std::string> extra_args = {});
  ~RedisServer();

  // unix:///.../redis.sock (with a password if `password` is not empty).
  std::string url(const std::string& password = "") const;
  const std::string& dir() const { return dir_; }
  pid_t pid() const { return process_.pid(); }

  // SIGKILL (a crash).
  void Kill();
  // Starts it again on the same socket (empty: no data survives).
  bool Restart();
  // Runs a command over a fresh connection.
  absl::StatusOr<tier_internal::Reply> Command(
      const std::vector<std::string>& args) const;

 private:
  RedisServer() = default;
  bool Launch();

  std::string dir_;
  std::string socket_;
  std::vector<std::string> extra_args_;
  std::string password_;
  ChildProcess process_;
};

// The kvstore binary in the test's runfiles.
std::string KvstoreBinary();

// Starts `kvstore --store=STORE sync --redis=URL --prefix=PREFIX`
// (with --no-refresh unless `refresh`), its log in `log_path` (appended).
ChildProcess StartSync(const std::string& store, const std::string& url,
                       const std::string& prefix,
                       const std::string& log_path = "", bool refresh = true);

// Polls until sync process `pid` has a heartbeat in `store` younger than
// half a second. False after the deadline.
bool WaitForHeartbeat(const std::string& store, pid_t pid,
                      absl::Duration deadline = absl::Seconds(15));

// A unique store name whose store and tier companion (NAME.tier) are both
// removed when the object dies, whether or not the test passed.
class ScopedTierStoreName {
 public:
  explicit ScopedTierStoreName(const std::string& tag = "tier");
  ~ScopedTierStoreName();
  const std::string& name() const { return name_.name(); }

 private:
  ScopedStoreName name_;
};

// A temporary directory for the test (TEST_TMPDIR when set).
std::string TestTmpDir();

}  // namespace testing
}  // namespace kvstore

#endif  // KVSTORE_TESTS_TIER_REDIS_FIXTURE_H_
