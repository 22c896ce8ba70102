// The time-to-live and batch commands (set --ttl, set -, expire, persist,
// ttl, mget, mset) run in-process against real stores.
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
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
using ::testing::MatchesRegex;
using ::testing::StartsWith;

// Long enough past any short TTL used here for expiry to have happened
// however loaded the machine is: expiry follows the clock, not scheduling.
constexpr absl::Duration kPastExpiry = absl::Milliseconds(600);

class CacheCommandsTest : public CliTest {
 protected:
  // Expects a usage error naming `command` that printed nothing on stdout.
  void ExpectUsage(const std::vector<std::string>& args) {
    RunResult r = Run(args);
    EXPECT_EQ(r.code, kExitUsage) << r;
    EXPECT_THAT(r.out, IsEmpty());
    EXPECT_THAT(r.err, StartsWith("kvstore: " + args[0] + ": ")) << r;
  }
  // The time to live `ttl KEY --json` reports, in milliseconds; -1 for
  // none.
  double TtlMs(const std::string& key) {
    absl::StatusOr<JsonValue> v = ParseJson(Ok({"ttl", key, "--json"}));
    EXPECT_OK(v);
    if (!v.ok()) return -2;
    EXPECT_EQ(v->Find("key")->text, key);
    const JsonValue* ms = v->Find("ttl_ms");
    return ms->kind == JsonValue::Kind::kNull ? -1 : ms->number;
  }
};

TEST_F(CacheCommandsTest, SetWithTtlGivesTheEntryATimeToLive) {
  Ok({"set", "k", "v", "--ttl=1h"});
  const double ms = TtlMs("k");
  EXPECT_GT(ms, 3500 * 1000);
  EXPECT_LE(ms, 3600 * 1000);
  EXPECT_THAT(Ok({"ttl", "k"}), MatchesRegex("3[56][0-9][0-9]\\.[0-9]{3}\n"));
  Ok({"set", "d", "1", "--ttl", "1d12h", "--type=int64"});
  EXPECT_GT(TtlMs("d"), 35.9 * 3600 * 1000);
}

TEST_F(CacheCommandsTest, SetWithoutTtlHasNoneAndRemovesAnEarlierOne) {
  Ok({"set", "k", "v"});
  EXPECT_EQ(Ok({"ttl", "k"}), "none\n");
  EXPECT_EQ(Ok({"ttl", "k", "--json"}), R"({"key":"k","ttl_ms":null})"
                                        "\n");
  Ok({"set", "k", "v", "--ttl=1h"});
  Ok({"set", "k", "w"});
  EXPECT_EQ(Ok({"ttl", "k"}), "none\n");
}

TEST_F(CacheCommandsTest, AnEntryIsGoneAfterItsTtl) {
  Ok({"set", "short", "v", "--ttl=100ms"});
  Ok({"set", "long", "v", "--ttl=1h"});
  absl::SleepFor(kPastExpiry);
  RunResult get = Run({"get", "short"});
  EXPECT_EQ(get.code, kExitNotFound);
  EXPECT_THAT(get.err, HasSubstr("key 'short' not found"));
  EXPECT_EQ(Run({"ttl", "short"}).code, kExitNotFound);
  EXPECT_EQ(Ok({"list"}), "long\tstring\tv\n");
}

TEST_F(CacheCommandsTest, BadTtlIsAUsageErrorAndChangesNothing) {
  for (const char* ttl : {"0", "0s", "-5s", "30", "5x", "abc", "", "1h 1m"}) {
    RunResult r = Run({"set", "k", "v", std::string("--ttl=") + ttl});
    EXPECT_EQ(r.code, kExitUsage) << ttl;
    EXPECT_THAT(r.err, StartsWith("kvstore: set: bad --ttl: '")) << ttl;
  }
  EXPECT_FALSE(store_.Exists());
  Ok({"set", "k", "old"});
  ExpectUsage({"set", "k", "new", "--ttl=0s"});
  ExpectUsage({"mset", "k", "new", "--ttl=-1m"});
  EXPECT_EQ(Ok({"get", "k"}), "old\n");
  EXPECT_EQ(Ok({"ttl", "k"}), "none\n");
}

TEST_F(CacheCommandsTest, ExpireSetsAndReplacesTheTimeToLive) {
  Ok({"set", "k", "v"});
  EXPECT_THAT(Ok({"expire", "k", "2h"}), IsEmpty());
  EXPECT_GT(TtlMs("k"), 7100 * 1000);
  Ok({"expire", "k", "90s"});
  EXPECT_LE(TtlMs("k"), 90 * 1000);
  Ok({"expire", "k", "100ms"});
  absl::SleepFor(kPastExpiry);
  EXPECT_EQ(Run({"get", "k"}).code, kExitNotFound);
}

TEST_F(CacheCommandsTest, ExpireOrPersistOrTtlOfAnAbsentKeyExitsOne) {
  Ok({"set", "other", "v"});
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"expire", "nope", "5s"},
                                             {"persist", "nope"},
                                             {"ttl", "nope"},
                                             {"ttl", "nope", "--json"}}) {
    RunResult r = Run(args);
    EXPECT_EQ(r.code, kExitNotFound) << args[0];
    EXPECT_THAT(r.out, IsEmpty());
    EXPECT_EQ(r.err,
              "kvstore: key 'nope' not found in store " + store_.name() + "\n");
  }
  EXPECT_EQ(Ok({"list"}), "other\tstring\tv\n");
}

TEST_F(CacheCommandsTest,
       ExpireWithABadDurationIsAUsageErrorAndChangesNothing) {
  Ok({"set", "k", "v", "--ttl=1h"});
  for (const char* d : {"0", "0ms", "soon", "1y", "--", "36501d"}) {
    RunResult r = Run({"expire", "k", "--", d});
    EXPECT_EQ(r.code, kExitUsage) << d << "\n" << r;
    EXPECT_THAT(r.err, StartsWith("kvstore: expire: bad DURATION: ")) << d;
  }
  EXPECT_GT(TtlMs("k"), 3500 * 1000);
  // A negative one, like any token starting with '-', needs '--'.
  EXPECT_EQ(Run({"expire", "k", "-5s"}).code, kExitUsage);
  RunResult r = Run({"expire", "k", "--", "-5s"});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_THAT(r.err,
              HasSubstr("'-5s' is not a valid duration: it is negative"));
  EXPECT_GT(TtlMs("k"), 3500 * 1000);
}

TEST_F(CacheCommandsTest, PersistRemovesTheTimeToLive) {
  Ok({"set", "k", "v", "--ttl=100ms"});
  EXPECT_THAT(Ok({"persist", "k"}), IsEmpty());
  EXPECT_EQ(Ok({"ttl", "k"}), "none\n");
  absl::SleepFor(kPastExpiry);
  EXPECT_EQ(Ok({"get", "k"}), "v\n");
  EXPECT_THAT(Ok({"persist", "k"}), IsEmpty());  // Already none: fine.
}

TEST_F(CacheCommandsTest, IncrKeepsTheTimeToLive) {
  Ok({"set", "n", "1", "--type=int64", "--ttl=1h"});
  EXPECT_EQ(Ok({"incr", "n"}), "2\n");
  EXPECT_GT(TtlMs("n"), 3500 * 1000);
}

TEST_F(CacheCommandsTest, SetDashReadsStandardInputExactly) {
  const std::string data("a\0b\nline\n\n", 11);
  RunResult r = RunCliWithInput(
      {"set", "blob", "-", "--type=bytes", store_.flag()}, data);
  ASSERT_EQ(r.code, kExitOk) << r;
  EXPECT_EQ(Ok({"get", "blob"}), data);
  ASSERT_EQ(RunCliWithInput({"set", "s", "-", store_.flag()}, "text\n").code,
            kExitOk);
  EXPECT_EQ(Ok({"get", "s", "--raw"}), "text\n");
  ASSERT_EQ(RunCliWithInput({"set", "e", "-", store_.flag()}, "").code,
            kExitOk);
  EXPECT_EQ(Ok({"get", "e", "--json"}),
            R"({"key":"e","type":"string","value":""})"
            "\n");
}

TEST_F(CacheCommandsTest, SetDashWithANumericTypeIsAUsageError) {
  for (const char* type : {"int64", "double", "bool"}) {
    RunResult r = RunCliWithInput(
        {"set", "n", "-", std::string("--type=") + type, store_.flag()}, "1");
    EXPECT_EQ(r.code, kExitUsage) << type;
    EXPECT_THAT(r.err, HasSubstr("needs --type=string or --type=bytes"));
  }
  EXPECT_FALSE(store_.Exists());
}

TEST_F(CacheCommandsTest, SetDashOfTooMuchInputExitsThreeAndChangesNothing) {
  ASSERT_EQ(Run({"create", "--max-value-bytes=8"}).code, kExitOk);
  Ok({"set", "k", "old"});
  RunResult r = RunCliWithInput({"set", "k", "-", store_.flag()}, "123456789");
  EXPECT_EQ(r.code, kExitFailure);
  EXPECT_THAT(r.err, HasSubstr("longer than store"));
  EXPECT_EQ(Ok({"get", "k"}), "old\n");
}

TEST_F(CacheCommandsTest, MGetPrintsOneEscapedLinePerKeyInOrder) {
  Ok({"mset", "a", "1", "b", "two\nlines", "c", ""});
  Ok({"set", "n", "5", "--type=int64"});
  EXPECT_EQ(Ok({"mget", "n", "b", "a", "c", "a"}), "5\ntwo\\nlines\n1\n\n1\n");
}

TEST_F(CacheCommandsTest, MGetOfAbsentKeysPrintsEmptyLinesAndExitsOne) {
  Ok({"set", "a", "1"});
  RunResult r = Run({"mget", "x", "a", "y"});
  EXPECT_EQ(r.code, kExitNotFound);
  EXPECT_EQ(r.out, "\n1\n\n");
  EXPECT_EQ(r.err, "kvstore: key 'x' not found in store " + store_.name() +
                       "\nkvstore: key 'y' not found in store " +
                       store_.name() + "\n");
}

TEST_F(CacheCommandsTest, MGetJsonMarksEachKeyFoundOrNot) {
  Ok({"set", "a", "1", "--type=int64"});
  Ok({"set", "x", "foo", "--type=bytes"});
  EXPECT_EQ(Ok({"mget", "a", "x", "--json"}),
            R"([{"key":"a","found":true,"type":"int64","value":1},)"
            R"({"key":"x","found":true,"type":"bytes","value":"Zm9v",)"
            R"("encoding":"base64"}])"
            "\n");
  RunResult r = Run({"mget", "a", "gone", "--json"});
  EXPECT_EQ(r.code, kExitNotFound);
  EXPECT_THAT(r.err, IsEmpty());
  absl::StatusOr<JsonValue> v = ParseJson(r.out);
  ASSERT_OK(v);
  ASSERT_EQ(v->array.size(), 2u);
  EXPECT_TRUE(v->array[0].Find("found")->boolean);
  EXPECT_FALSE(v->array[1].Find("found")->boolean);
  EXPECT_EQ(v->array[1].Find("key")->text, "gone");
  EXPECT_EQ(v->array[1].Find("value"), nullptr);
}

TEST_F(CacheCommandsTest, MGetOfAKeyTheStoreRefusesExitsThreePrintingNothing) {
  ASSERT_EQ(Run({"create", "--max-key-bytes=4"}).code, kExitOk);
  Ok({"set", "a", "1"});
  for (const std::string& bad : {std::string("12345"), std::string()}) {
    RunResult r = Run({"mget", "a", bad});
    EXPECT_EQ(r.code, kExitFailure) << r;
    EXPECT_THAT(r.out, IsEmpty());
    EXPECT_THAT(r.err, StartsWith("kvstore: "));
  }
}

TEST_F(CacheCommandsTest, MSetStoresEveryPairWithTypeAndTtl) {
  EXPECT_THAT(Ok({"mset", "a", "1", "b", "2", "--type=int64", "--ttl=1h"}),
              IsEmpty());
  EXPECT_TRUE(store_.Exists());
  EXPECT_EQ(Ok({"list"}), "a\tint64\t1\nb\tint64\t2\n");
  EXPECT_GT(TtlMs("a"), 3500 * 1000);
  EXPECT_GT(TtlMs("b"), 3500 * 1000);
  Ok({"mset", "a", "-", "c", "x"});  // Only set reads stdin: '-' is literal.
  EXPECT_EQ(Ok({"mget", "a", "b", "c"}), "-\n2\nx\n");
  EXPECT_EQ(Ok({"ttl", "a"}), "none\n");
}

TEST_F(CacheCommandsTest, MSetOfAKeyTwiceKeepsTheLaterPair) {
  Ok({"mset", "a", "1", "b", "2", "a", "3"});
  EXPECT_EQ(Ok({"list"}), "a\tstring\t3\nb\tstring\t2\n");
}

TEST_F(CacheCommandsTest, MSetWithAnOddArgumentCountIsAUsageError) {
  Ok({"set", "a", "old"});
  ExpectUsage({"mset", "a", "1", "b"});
  ExpectUsage({"mset", "a"});
  EXPECT_EQ(Ok({"list"}), "a\tstring\told\n");
}

TEST_F(CacheCommandsTest, MSetWithAValueThatDoesNotParseWritesNothing) {
  RunResult r = Run({"mset", "a", "1", "b", "x", "--type=int64"});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_THAT(
      r.err,
      StartsWith("kvstore: mset: value of key 'b': 'x' is not an int64"));
  EXPECT_FALSE(store_.Exists());
  Ok({"set", "a", "0", "--type=int64"});
  EXPECT_EQ(Run({"mset", "a", "1", "b", "x", "--type=int64"}).code, kExitUsage);
  EXPECT_EQ(Run({"mset", "a", "1", "--type=float"}).code, kExitUsage);
  EXPECT_EQ(Ok({"list"}), "a\tint64\t0\n");
}

TEST_F(CacheCommandsTest, MSetThatTheStoreRefusesWritesNothing) {
  ASSERT_EQ(Run({"create", "--capacity=3", "--max-key-bytes=4",
                 "--max-value-bytes=8"})
                .code,
            kExitOk);
  Ok({"set", "a", "old"});
  const std::vector<std::string> refused[] = {
      {"mset", "a", "new", "b", "123456789"},              // Value too long.
      {"mset", "a", "new", "12345", "v"},                  // Key too long.
      {"mset", "a", "new", "", "v"},                       // Empty key.
      {"mset", "a", "new", "b", "1", "c", "2", "d", "3"},  // No room.
  };
  for (const std::vector<std::string>& args : refused) {
    RunResult r = Run(args);
    EXPECT_EQ(r.code, kExitFailure) << args.size() << "\n" << r;
    EXPECT_THAT(r.err, StartsWith("kvstore: "));
    EXPECT_EQ(Ok({"list"}), "a\tstring\told\n");
  }
}

}  // namespace
}  // namespace cli
}  // namespace kvstore
