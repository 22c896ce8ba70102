// The kvstore binary's tier commands (docs/cli.md, "Redis tier"): exit
// codes, messages, and a sync process that stops cleanly on SIGTERM.
#include <sys/wait.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "kvstore/tier/tier_stats.h"
#include "tests/status_matchers.h"
#include "tests/test_util.h"
#include "tests/tier/redis_fixture.h"

namespace kvstore {
namespace testing {
namespace {

ProcessResult Kvstore(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {KvstoreBinary()};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunProcess(argv);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(CliTierTest, GetSetDelIncrGoThroughTheTier) {
  std::unique_ptr<RedisServer> redis = RedisServer::Start();
  ASSERT_NE(redis, nullptr);
  ScopedTierStoreName store;
  const std::string s = "--store=" + store.name();
  const std::string r = "--redis=" + redis->url();
  ChildProcess sync = StartSync(store.name(), redis->url(), "app:");
  ASSERT_TRUE(WaitForHeartbeat(store.name(), sync.pid()));
  EXPECT_EQ(Kvstore({s, r, "set", "app:k", "v"}).exit_code, 0);
  ProcessResult get = Kvstore({s, r, "get", "app:k"});
  EXPECT_EQ(get.exit_code, 0);
  EXPECT_EQ(get.out, "v\n");
  EXPECT_EQ(Kvstore({s, r, "get", "app:k", "--json"}).out,
            "{\"key\":\"app:k\",\"type\":\"string\",\"value\":\"v\"}\n");
  EXPECT_EQ(Kvstore({s, r, "incr", "app:n", "5"}).out, "5\n");
  EXPECT_EQ(Kvstore({s, r, "del", "app:k"}).exit_code, 0);
  ProcessResult missing = Kvstore({s, r, "get", "app:k"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_TRUE(absl::StrContains(missing.err, "app:k")) << missing.err;
  EXPECT_EQ(Kvstore({s, r, "del", "app:k"}).exit_code, 1);
  // Usage errors: outside the prefix, --type, a bad URL.
  EXPECT_EQ(Kvstore({s, r, "get", "other"}).exit_code, 2);
  EXPECT_EQ(Kvstore({s, r, "set", "app:k", "1", "--type=int64"}).exit_code, 2);
  ProcessResult bad_url = Kvstore({s, "--redis=http://x", "get", "app:k"});
  EXPECT_EQ(bad_url.exit_code, 2);
  EXPECT_TRUE(absl::StrContains(bad_url.err, "bad Redis URL")) << bad_url.err;
  // Failures: unreachable, not an integer.
  EXPECT_EQ(Kvstore({s, "--redis=unix:///nonexistent.sock", "get", "app:k"})
                .exit_code,
            3);
  EXPECT_EQ(Kvstore({s, r, "set", "app:t", "text"}).exit_code, 0);
  EXPECT_EQ(Kvstore({s, r, "incr", "app:t"}).exit_code, 3);
  ProcessResult stats = Kvstore({s, "stats"});
  EXPECT_TRUE(absl::StrContains(stats.out, "tier_prefix: app:\n")) << stats.out;
  EXPECT_TRUE(absl::StrContains(stats.out, "tier_sync_running: yes\n"));
  EXPECT_TRUE(
      absl::StrContains(Kvstore({s, "stats", "--json"}).out, "\"tier\":{"));
  const ProcessResult stopped = sync.Stop();
  EXPECT_EQ(stopped.exit_code, 0) << stopped;
}

TEST(CliTierTest, SyncStopsCleanlyOnSigterm) {
  std::unique_ptr<RedisServer> redis = RedisServer::Start();
  ASSERT_NE(redis, nullptr);
  ScopedTierStoreName store;
  const std::string log = redis->dir() + "/sync.log";
  ChildProcess sync = StartSync(store.name(), redis->url(), "app:", log);
  ASSERT_TRUE(WaitForHeartbeat(store.name(), sync.pid()));
  const ProcessResult stopped = sync.Stop();
  EXPECT_EQ(stopped.exit_code, 0) << stopped;
  EXPECT_TRUE(absl::StrContains(ReadFile(log), "kvstore sync: stopped"));
  absl::StatusOr<TierStats> t = ReadTierStats(store.name());
  ASSERT_OK(t);
  EXPECT_EQ(t->heartbeat_age, absl::InfiniteDuration());  // Untrusted.
  EXPECT_FALSE(t->sync_running);
}

TEST(CliTierTest, SyncRefusesBadInput) {
  std::unique_ptr<RedisServer> redis =
      RedisServer::Start({"--requirepass", "pw"});
  ASSERT_NE(redis, nullptr);
  ScopedTierStoreName store;
  const std::string s = "--store=" + store.name();
  EXPECT_EQ(Kvstore({s, "sync", "--prefix=app:"}).exit_code, 2);
  EXPECT_EQ(Kvstore({s, "sync", "--redis=" + redis->url("pw")}).exit_code, 2);
  EXPECT_EQ(Kvstore({s, "sync", "--redis=redis://h:0", "--prefix=a"}).exit_code,
            2);
  ProcessResult wrong =
      Kvstore({s, "sync", "--redis=" + redis->url("wrong"), "--prefix=app:"});
  EXPECT_EQ(wrong.exit_code, 3);
  EXPECT_TRUE(absl::StrContains(wrong.err, "WRONGPASS")) << wrong.err;
  // A second sync process for one store is refused while the first lives.
  ChildProcess first = StartSync(store.name(), redis->url("pw"), "app:");
  ASSERT_TRUE(WaitForHeartbeat(store.name(), first.pid()));
  ProcessResult second =
      Kvstore({s, "sync", "--redis=" + redis->url("pw"), "--prefix=app:"});
  EXPECT_EQ(second.exit_code, 3);
  EXPECT_TRUE(absl::StrContains(second.err, "already kept in sync"))
      << second.err;
}

}  // namespace
}  // namespace testing
}  // namespace kvstore
