// Runs the real //cli:kvstore binary for the time-to-live, batch and scan
// commands and the stats counters: every new command's exit codes, expiry
// seen by another process, bytes from stdin, and scans across processes.
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/cli/json_checker.h"
#include "tests/cli/run_binary.h"
#include "tests/status_matchers.h"
#include "tests/test_util.h"

namespace kvstore {
namespace cli {
namespace {

using ::kvstore::testing::ProcessResult;
using ::kvstore::testing::ScopedStoreName;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::MatchesRegex;
using ::testing::StartsWith;

TEST(KvstoreBinaryCacheTest, NewCommandsExitZeroOneTwoThree) {
  ScopedStoreName store, missing;
  const std::string s = store.flag();
  ASSERT_EQ(RunBinary({"set", "k", "v", s}).exit_code, 0);
  const struct {
    std::vector<std::string> args;
    int code;
  } cases[] = {
      {{"expire", "k", "1h", s}, 0},
      {{"ttl", "k", s}, 0},
      {{"persist", "k", s}, 0},
      {{"mget", "k", s}, 0},
      {{"mset", "a", "1", "b", "2", s}, 0},
      {{"scan", s}, 0},
      {{"set", "t", "v", "--ttl=5m", s}, 0},
      {{"expire", "nope", "1h", s}, 1},
      {{"persist", "nope", s}, 1},
      {{"ttl", "nope", s}, 1},
      {{"mget", "k", "nope", s}, 1},
      {{"expire", "k", "0s", s}, 2},
      {{"set", "k", "v", "--ttl=soon", s}, 2},
      {{"mset", "a", "1", "b", s}, 2},
      {{"scan", "x", s}, 2},
      {{"mget", s}, 2},
      {{"ttl", "k", missing.flag()}, 3},
      {{"expire", "k", "1h", missing.flag()}, 3},
      {{"persist", "k", missing.flag()}, 3},
      {{"mget", "k", missing.flag()}, 3},
      {{"scan", missing.flag()}, 3},
      {{"scan", "999999", s}, 3},
      {{"mset", "a", "1", "", "2", s}, 3},
  };
  for (const auto& c : cases) {
    ProcessResult r = RunBinary(c.args);
    EXPECT_EQ(r.exit_code, c.code) << absl::StrJoin(c.args, " ") << "\n" << r;
    if (c.code >= 2) {
      EXPECT_THAT(r.out, IsEmpty()) << c.args[0];
      EXPECT_THAT(r.err, StartsWith("kvstore: ")) << c.args[0];
    }
  }
  EXPECT_FALSE(missing.Exists());
  EXPECT_EQ(RunBinary({"get", "k", s}).out, "v\n");
  EXPECT_EQ(RunBinary({"mget", "a", "b", s}).out, "1\n2\n");
}

TEST(KvstoreBinaryCacheTest, TtlIsSeenAndExpiryHappensAcrossProcesses) {
  ScopedStoreName store;
  ASSERT_EQ(RunBinary({"set", "k", "v", "--ttl=1h", store.flag()}).exit_code,
            0);
  // Another process sees the time to live the first one set.
  ProcessResult ttl = RunBinary({"ttl", "k", "--json", store.flag()});
  ASSERT_EQ(ttl.exit_code, 0) << ttl;
  absl::StatusOr<JsonValue> v = ParseJson(ttl.out);
  ASSERT_OK(v);
  EXPECT_GT(v->Find("ttl_ms")->number, 3500 * 1000);
  EXPECT_LE(v->Find("ttl_ms")->number, 3600 * 1000);
  EXPECT_THAT(RunBinary({"ttl", "k", store.flag()}).out,
              MatchesRegex("3[56][0-9][0-9]\\.[0-9]{3}\n"));

  // A third shortens it; after waiting well past it, a fourth finds the
  // key gone.
  ASSERT_EQ(RunBinary({"expire", "k", "200ms", store.flag()}).exit_code, 0);
  ASSERT_EQ(RunBinary({"set", "j", "v", "--ttl=200ms", store.flag()}).exit_code,
            0);
  absl::SleepFor(absl::Seconds(1));
  for (const char* key : {"k", "j"}) {
    ProcessResult get = RunBinary({"get", key, store.flag()});
    EXPECT_EQ(get.exit_code, 1) << get;
    EXPECT_THAT(get.err, HasSubstr("not found"));
    EXPECT_EQ(RunBinary({"ttl", key, store.flag()}).exit_code, 1);
  }
  EXPECT_EQ(RunBinary({"list", store.flag()}).out, "");
}

TEST(KvstoreBinaryCacheTest, PersistFromAnotherProcessKeepsTheKey) {
  ScopedStoreName store;
  // A time to live no slow machine outlives before the persist runs (a
  // short one made a slow machine skip the test); the persist removes it.
  // That an entry without a time to live never expires is the library's
  // tested promise (cache_test).
  ASSERT_EQ(RunBinary({"set", "k", "v", "--ttl=1h", store.flag()}).exit_code,
            0);
  ProcessResult persist = RunBinary({"persist", "k", store.flag()});
  ASSERT_EQ(persist.exit_code, 0) << persist;
  EXPECT_EQ(RunBinary({"ttl", "k", store.flag()}).out, "none\n");
  EXPECT_EQ(RunBinary({"get", "k", store.flag()}).out, "v\n");
}

TEST(KvstoreBinaryCacheTest, SetDashStoresStandardInputByteForByte) {
  ScopedStoreName store;
  const std::string data("\0\x01zero\nand\xff\n", 12);
  ProcessResult set = RunBinaryWithInput(
      {"set", "blob", "-", "--type=bytes", store.flag()}, data);
  ASSERT_EQ(set.exit_code, 0) << set;
  EXPECT_EQ(RunBinary({"get", "blob", store.flag()}).out, data);
  ASSERT_EQ(
      RunBinaryWithInput({"set", "s", "-", store.flag()}, "two\n\n").exit_code,
      0);
  EXPECT_EQ(RunBinary({"get", "s", "--raw", store.flag()}).out, "two\n\n");
  ProcessResult bad =
      RunBinaryWithInput({"set", "n", "-", "--type=int64", store.flag()}, "5");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_EQ(RunBinary({"get", "n", store.flag()}).exit_code, 1);
}

TEST(KvstoreBinaryCacheTest, MSetIsAllOrNothing) {
  ScopedStoreName store;
  ASSERT_EQ(
      RunBinary({"create", "--capacity=2", "--max-value-bytes=8", store.flag()})
          .exit_code,
      0);
  ASSERT_EQ(RunBinary({"set", "a", "old", store.flag()}).exit_code, 0);
  // Too long a value, no room for two new keys, a value that does not parse.
  EXPECT_EQ(
      RunBinary({"mset", "a", "new", "b", "123456789", store.flag()}).exit_code,
      3);
  EXPECT_EQ(RunBinary({"mset", "a", "new", "b", "1", "c", "2", store.flag()})
                .exit_code,
            3);
  EXPECT_EQ(
      RunBinary({"mset", "a", "1", "b", "x", "--type=int64", store.flag()})
          .exit_code,
      2);
  EXPECT_EQ(RunBinary({"list", store.flag()}).out, "a\tstring\told\n");
  EXPECT_EQ(RunBinary({"mset", "a", "new", "b", "1", store.flag()}).exit_code,
            0);
  EXPECT_EQ(RunBinary({"list", store.flag()}).out,
            "a\tstring\tnew\nb\tstring\t1\n");
}

TEST(KvstoreBinaryCacheTest, ScanInManyProcessesReturnsEveryKey) {
  ScopedStoreName store;
  ASSERT_EQ(RunBinary({"create", "--capacity=300", store.flag()}).exit_code, 0);
  std::vector<std::string> mset = {"mset", store.flag()};
  for (int i = 0; i < 250; ++i) {
    mset.push_back(absl::StrFormat("key%03d", i));
    mset.push_back(absl::StrCat(i));
  }
  ASSERT_EQ(RunBinary(mset).exit_code, 0);
  std::map<std::string, int> seen;
  std::string cursor = "0";
  int batches = 0;
  do {
    ProcessResult r =
        RunBinary({"scan", cursor, "--count=40", "--json", store.flag()});
    ASSERT_EQ(r.exit_code, 0) << r;
    absl::StatusOr<JsonValue> v = ParseJson(r.out);
    ASSERT_OK(v) << r.out;
    cursor = v->Find("cursor")->text;
    for (const JsonValue& e : v->Find("entries")->array) {
      ++seen[e.Find("key")->text];
    }
  } while (cursor != "0" && ++batches < 1000);
  EXPECT_GT(batches, 1);
  ASSERT_EQ(seen.size(), 250u);
  for (const auto& [key, n] : seen) EXPECT_GE(n, 1) << key;
}

TEST(KvstoreBinaryCacheTest, StatsJsonCountsAcrossProcesses) {
  ScopedStoreName store;
  ASSERT_EQ(RunBinary({"create", "--eviction=clock", store.flag()}).exit_code,
            0);
  ASSERT_EQ(RunBinary({"set", "k", "v", store.flag()}).exit_code, 0);
  ASSERT_EQ(RunBinary({"get", "k", store.flag()}).exit_code, 0);
  ASSERT_EQ(RunBinary({"get", "k", store.flag()}).exit_code, 0);
  ASSERT_EQ(RunBinary({"get", "nope", store.flag()}).exit_code, 1);
  ProcessResult stats = RunBinary({"stats", "--json", store.flag()});
  ASSERT_EQ(stats.exit_code, 0) << stats;
  absl::StatusOr<JsonValue> v = ParseJson(stats.out);
  ASSERT_OK(v);
  EXPECT_EQ(v->Find("hits")->number, 2);
  EXPECT_EQ(v->Find("misses")->number, 1);
  EXPECT_EQ(v->Find("sets")->number, 1);
  EXPECT_EQ(v->Find("deletes")->number, 0);
  EXPECT_EQ(v->Find("eviction")->text, "clock");
  EXPECT_EQ(v->Find("tombstones")->number, 0);
  for (const char* field :
       {"expirations", "evictions", "lock_waits", "lock_wait_time_us",
        "longest_repair_us", "lock_resets", "recoveries"}) {
    ASSERT_NE(v->Find(field), nullptr) << field;
  }
  EXPECT_THAT(RunBinary({"stats", store.flag()}).out,
              HasSubstr("\nhits: 2\nmisses: 1\n"));
}

}  // namespace
}  // namespace cli
}  // namespace kvstore
