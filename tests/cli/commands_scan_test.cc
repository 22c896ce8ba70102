// scan, list over many batches, the stats counters, and usage errors of
// the newer commands, run in-process against real stores.
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "cli/commands.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/cli/cli_fixture.h"
#include "tests/cli/json_checker.h"
#include "tests/cli/run_cli.h"
#include "tests/status_matchers.h"
#include "tests/test_util.h"

namespace kvstore {
namespace cli {
namespace {

using ::kvstore::testing::ScopedStoreName;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;

class ScanCommandsTest : public CliTest {
 protected:
  // Stores keys "k0000" .. with values "v0", "v1", ...
  void Fill(int n) {
    std::vector<std::string> args = {"mset"};
    for (int i = 0; i < n; ++i) {
      args.push_back(absl::StrFormat("k%04d", i));
      args.push_back(absl::StrCat("v", i));
    }
    Ok(args);
  }
  // Runs a whole scan with `flags`; returns how often each key came back
  // and sets *batches to the number of batches.
  std::map<std::string, int> ScanAll(const std::vector<std::string>& flags,
                                     int* batches) {
    std::map<std::string, int> seen;
    std::string cursor = "0";
    *batches = 0;
    do {
      std::vector<std::string> args = {"scan", cursor};
      args.insert(args.end(), flags.begin(), flags.end());
      std::vector<std::string> lines =
          absl::StrSplit(Ok(args), '\n', absl::SkipEmpty());
      if (lines.empty()) break;
      cursor = lines[0];
      for (size_t i = 1; i < lines.size(); ++i) {
        std::vector<std::string> fields = absl::StrSplit(lines[i], '\t');
        EXPECT_EQ(fields.size(), 3u) << lines[i];
        ++seen[fields[0]];
      }
      ++*batches;
    } while (cursor != "0" && *batches < 10000);
    return seen;
  }
  // The number `stats --json` reports for `field`.
  double Stat(const std::string& field) {
    absl::StatusOr<JsonValue> v = ParseJson(Ok({"stats", "--json"}));
    EXPECT_OK(v);
    if (!v.ok() || v->Find(field) == nullptr) return -1;
    return v->Find(field)->number;
  }
};

TEST_F(ScanCommandsTest, ScanOverManyBatchesReturnsEveryKeyAtLeastOnce) {
  ASSERT_EQ(Run({"create", "--capacity=500"}).code, kExitOk);
  Fill(400);
  int batches = 0;
  std::map<std::string, int> seen = ScanAll({"--count=16"}, &batches);
  EXPECT_GT(batches, 1);
  EXPECT_EQ(seen.size(), 400u);
  for (int i = 0; i < 400; ++i) {
    EXPECT_GE(seen[absl::StrFormat("k%04d", i)], 1) << i;
  }
}

TEST_F(ScanCommandsTest, ScanPrintsTheCursorThenListLines) {
  ASSERT_EQ(Run({"create", "--capacity=10"}).code, kExitOk);
  Ok({"set", "k", "a\tb"});
  // Default cursor 0 and count 256 cover this small store in one batch.
  EXPECT_EQ(Ok({"scan"}), "0\nk\tstring\ta\\tb\n");
  EXPECT_EQ(Ok({"scan", "0", "--prefix=x"}), "0\n");
}

TEST_F(ScanCommandsTest, ABatchMayBeEmptyButItsCursorGoesOn) {
  ASSERT_EQ(Run({"create"}).code, kExitOk);  // 5462 slots.
  std::string out = Ok({"scan", "--count=100"});
  EXPECT_THAT(out, ::testing::MatchesRegex("[1-9][0-9]*\n"));
  out.pop_back();
  EXPECT_THAT(Ok({"scan", out, "--count=100"}),
              ::testing::MatchesRegex("[1-9][0-9]*\n"));
}

TEST_F(ScanCommandsTest, ScanPrefixSelectsKeys) {
  Fill(50);
  Ok({"set", "other", "x"});
  int batches = 0;
  std::map<std::string, int> seen =
      ScanAll({"--prefix=k001", "--count=8"}, &batches);
  EXPECT_EQ(seen.size(), 10u);
  EXPECT_EQ(seen.count("other"), 0u);
}

TEST_F(ScanCommandsTest, ScanJsonIsOneObjectWithCursorAndEntries) {
  ASSERT_EQ(Run({"create", "--capacity=10"}).code, kExitOk);
  Ok({"set", "n", "3", "--type=int64"});
  EXPECT_EQ(Ok({"scan", "--json"}),
            R"({"cursor":0,"entries":[{"key":"n","type":"int64","value":3}]})"
            "\n");
  ASSERT_EQ(Run({"del", "n"}).code, kExitOk);
  EXPECT_EQ(Ok({"scan", "--json"}), R"({"cursor":0,"entries":[]})"
                                    "\n");
}

TEST_F(ScanCommandsTest, ScanWithABadCursorOrCountIsAUsageError) {
  Ok({"set", "k", "v"});
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"scan", "abc"},
                                             {"scan", "--", "-1"},
                                             {"scan", "1.5"},
                                             {"scan", "99999999999999999999"},
                                             {"scan", "--count=0"},
                                             {"scan", "--count=abc"},
                                             {"scan", "--count=1048577"},
                                             {"scan", "0", "1"}}) {
    RunResult r = Run(args);
    EXPECT_EQ(r.code, kExitUsage) << args.back() << "\n" << r;
    EXPECT_THAT(r.err, StartsWith("kvstore: scan: "));
    EXPECT_THAT(r.out, IsEmpty());
  }
}

TEST_F(ScanCommandsTest, ScanWithACursorPastTheTableExitsThree) {
  ASSERT_EQ(Run({"create", "--capacity=3"}).code, kExitOk);
  RunResult r = Run({"scan", "4"});
  EXPECT_EQ(r.code, kExitFailure);
  EXPECT_THAT(r.err, HasSubstr("scan cursor 4 is past the end of store"));
  EXPECT_THAT(r.out, IsEmpty());
}

TEST_F(ScanCommandsTest, ListOfAStoreLargerThanOneBatchHasEveryKeyOnce) {
  ASSERT_EQ(Run({"create", "--capacity=3000"}).code, kExitOk);
  Fill(2500);
  std::vector<std::string> lines =
      absl::StrSplit(Ok({"list"}), '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 2500u);
  for (int i = 0; i < 2500; ++i) {
    EXPECT_EQ(lines[i], absl::StrFormat("k%04d\tstring\tv%d", i, i));
  }
  absl::StatusOr<JsonValue> json = ParseJson(Ok({"list", "--json"}));
  ASSERT_OK(json);
  EXPECT_EQ(json->array.size(), 2500u);
}

TEST_F(ScanCommandsTest, StatsCountsHitsMissesSetsAndDeletes) {
  ASSERT_EQ(Run({"create"}).code, kExitOk);
  Ok({"set", "a", "1"});
  Ok({"get", "a"});
  Ok({"get", "a"});
  EXPECT_EQ(Run({"get", "b"}).code, kExitNotFound);
  EXPECT_EQ(Stat("hits"), 2);
  EXPECT_EQ(Stat("misses"), 1);
  EXPECT_EQ(Stat("sets"), 1);
  Ok({"mset", "b", "2", "c", "3"});
  Ok({"del", "a"});
  EXPECT_EQ(Stat("sets"), 3);
  EXPECT_EQ(Stat("deletes"), 1);
  std::string text = Ok({"stats"});
  EXPECT_THAT(text, HasSubstr("\nhits: 2\nmisses: 1\nsets: 3\ndeletes: 1\n"));
  // ttl and each key of mget read an entry; incr writes one.
  Ok({"ttl", "b"});
  EXPECT_EQ(Run({"mget", "b", "c", "a"}).code, kExitNotFound);
  Ok({"incr", "n"});
  EXPECT_EQ(Stat("hits"), 5);
  EXPECT_EQ(Stat("misses"), 2);
  EXPECT_EQ(Stat("sets"), 4);
  EXPECT_THAT(text, HasSubstr("\ntombstones: 0\n"));
}

TEST_F(ScanCommandsTest, StatsCountsExpirationsAndEvictions) {
  ASSERT_EQ(Run({"create", "--capacity=1", "--eviction=clock"}).code, kExitOk);
  Ok({"set", "a", "1"});
  Ok({"set", "b", "2"});
  EXPECT_EQ(Stat("evictions"), 1);
  Ok({"set", "b", "3", "--ttl=100ms"});
  absl::SleepFor(absl::Milliseconds(600));
  EXPECT_EQ(Run({"get", "b"}).code, kExitNotFound);
  EXPECT_EQ(Stat("expirations"), 1);
  EXPECT_THAT(Ok({"stats"}), HasSubstr("\nevictions: 1\n"));
}

TEST_F(ScanCommandsTest, StatsJsonHasEveryField) {
  ASSERT_EQ(Run({"create", "--eviction=clock"}).code, kExitOk);
  absl::StatusOr<JsonValue> v = ParseJson(Ok({"stats", "--json"}));
  ASSERT_OK(v);
  for (const char* field : {"tombstones",
                            "hits",
                            "misses",
                            "sets",
                            "deletes",
                            "expirations",
                            "evictions",
                            "recoveries",
                            "longest_repair_us",
                            "lock_resets",
                            "lock_waits",
                            "lock_wait_time_us",
                            "long_lock_waits",
                            "data_bytes",
                            "data_used_bytes",
                            "data_free_bytes",
                            "data_entries",
                            "largest_storable_bytes",
                            "rounding_bytes",
                            "fragmented_bytes",
                            "compactions",
                            "compacted_bytes",
                            "longest_lock_wait_us",
                            "load_factor"}) {
    const JsonValue* f = v->Find(field);
    ASSERT_NE(f, nullptr) << field;
    EXPECT_EQ(f->kind, JsonValue::Kind::kNumber) << field;
    EXPECT_GE(f->number, 0) << field;
  }
  EXPECT_EQ(v->Find("eviction")->text, "clock");
  EXPECT_EQ(v->Find("writable_by_others")->kind, JsonValue::Kind::kBool);
  EXPECT_FALSE(v->Find("writable_by_others")->boolean);
}

TEST_F(ScanCommandsTest, StatsFlagsAStoreOthersCanWrite) {
  ASSERT_EQ(Run({"create", "--mode=0660"}).code, kExitOk);
  RunResult r = Run({"stats"});
  EXPECT_EQ(r.code, kExitOk);
  EXPECT_THAT(r.out, HasSubstr("\nmode: 0660\nwritable_by_others: yes\n"));
  absl::StatusOr<JsonValue> v = ParseJson(Run({"stats", "--json"}).out);
  ASSERT_OK(v);
  EXPECT_TRUE(v->Find("writable_by_others")->boolean);
}

TEST_F(ScanCommandsTest, NewCommandsCheckTheirArgumentsAndFlags) {
  Ok({"set", "k", "v"});
  const std::vector<std::string> bad[] = {
      {"expire", "k"},
      {"expire", "k", "5s", "x"},
      {"persist"},
      {"persist", "k", "x"},
      {"ttl"},
      {"ttl", "k", "--raw"},
      {"mget"},
      {"mget", "k", "--raw"},
      {"mset"},
      {"mset", "k", "v", "--json"},
      {"expire", "k", "5s", "--ttl=1s"},
      {"persist", "k", "--json"},
      {"get", "k", "--ttl=5s"},
      {"scan", "--type=int64"},
      {"list", "--count=5"},
  };
  for (const std::vector<std::string>& args : bad) {
    RunResult r = Run(args);
    EXPECT_EQ(r.code, kExitUsage) << args[0] << "\n" << r;
    EXPECT_THAT(r.err, StartsWith("kvstore: " + args[0] + ": "));
    EXPECT_THAT(r.err, HasSubstr("Usage: kvstore " + args[0]));
  }
  EXPECT_EQ(Ok({"list"}), "k\tstring\tv\n");
  EXPECT_EQ(Ok({"ttl", "k"}), "none\n");
}

TEST_F(ScanCommandsTest, NewCommandsOnAMissingStoreExitThreeAndCreateNothing) {
  const std::vector<std::string> commands[] = {
      {"expire", "k", "5s"}, {"persist", "k"}, {"ttl", "k"},
      {"mget", "k"},         {"scan"},         {"scan", "--json"},
  };
  for (const std::vector<std::string>& args : commands) {
    RunResult r = Run(args);
    EXPECT_EQ(r.code, kExitFailure) << args[0];
    EXPECT_THAT(r.out, IsEmpty());
    EXPECT_THAT(r.err, StartsWith("kvstore: store " + store_.name() +
                                  " does not exist"));
    EXPECT_FALSE(store_.Exists());
  }
}

TEST_F(ScanCommandsTest, EveryCommandHasHelp) {
  for (const char* command :
       {"expire", "persist", "ttl", "mget", "mset", "scan"}) {
    RunResult r = RunCli({command, "--help"});
    EXPECT_EQ(r.code, kExitOk);
    EXPECT_THAT(r.out, StartsWith(std::string("Usage: kvstore ") + command));
    EXPECT_THAT(RunCli({"--help"}).out,
                HasSubstr(std::string("\n  ") + command));
  }
}

}  // namespace
}  // namespace cli
}  // namespace kvstore
