// The write side of typed stores, in-process: set from JSON and from
// field=value arguments checked against the schema (every malformed record
// refused with exit 2, changing nothing), incr of a field, del, expire and
// persist, and the commands and flags that do not apply to typed stores.
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli/commands.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/cli/json_checker.h"
#include "tests/cli/run_cli.h"
#include "tests/cli/typed_fixture.h"
#include "tests/cli/typed_test_types.h"
#include "tests/status_matchers.h"
#include "tests/test_util.h"

namespace kvstore {
namespace cli {
namespace {

using ::kvstore_cli_test::Ann;
using ::kvstore_cli_test::Bob;
using ::kvstore_cli_test::kAnnJson;
using ::kvstore_cli_test::Player;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;

using TypedSetTest = TypedStoreTest;
using ::kvstore::testing::IsOk;
using ::kvstore::testing::ScopedStoreName;
using ::kvstore::testing::StatusIs;
using ::testing::Not;

// Fields of a valid Player (Cy), as separate field=value arguments.
std::vector<std::string> CyFields() {
  return {"score=4",      "level=-3",   "lives=255", "active=true",
          "ratio=-0.125", "name=cy cy", "pos.x=-7",  "pos.y=2147483647"};
}

Player Cy() {
  return Player{4, -3, 255, true, -0.125, "cy cy", {-7, 2147483647}};
}

TEST_F(TypedSetTest, JsonObjectRoundTripsThroughTypedMap) {
  RunResult r = Run({"set", "3", kAnnJson});
  ASSERT_EQ(r.code, kExitOk) << r;
  EXPECT_THAT(r.out, IsEmpty());
  EXPECT_THAT(r.err, IsEmpty());
  absl::StatusOr<Player> p = players_->Get(3);
  ASSERT_OK(p);
  EXPECT_TRUE(*p == Ann());
  EXPECT_EQ(Run({"get", "3"}).out, absl::StrCat(kAnnJson, "\n"));
}

TEST_F(TypedSetTest, FieldArgumentsRoundTripThroughTypedMap) {
  std::vector<std::string> args = {"set", "1"};
  for (const std::string& f : CyFields()) args.push_back(f);
  RunResult r = Run(args);
  ASSERT_EQ(r.code, kExitOk) << r;
  absl::StatusOr<Player> p = players_->Get(1);
  ASSERT_OK(p);
  EXPECT_TRUE(*p == Cy());
  EXPECT_TRUE(*players_->Get(2) == Bob());  // Others untouched.
}

TEST_F(TypedSetTest, FieldArgumentsTakeJsonStringsAndObjects) {
  ASSERT_EQ(
      Run({"set", "6", "score=4", "level=-3", "lives=255", "active=true",
           "ratio=-0.125", "name=\"cy cy\"", "pos={\"x\":-7,\"y\":2147483647}"})
          .code,
      kExitOk);
  EXPECT_TRUE(*players_->Get(6) == Cy());
}

TEST_F(TypedSetTest, OneArgumentWithAssignmentsWorksToo) {
  ASSERT_EQ(Run({"set", "4",
                 "score=4,level=-3,lives=255,active=true,ratio=-0.125,"
                 "name=\"cy cy\",pos={\"x\":-7,\"y\":2147483647}"})
                .code,
            kExitOk);
  EXPECT_TRUE(*players_->Get(4) == Cy());
  ASSERT_EQ(Run({"set", "5",
                 "score=4 level=-3 lives=255 active=true ratio=-0.125 "
                 "name=\"cy cy\" pos.x=-7 pos.y=2147483647"})
                .code,
            kExitOk);
  EXPECT_TRUE(*players_->Get(5) == Cy());
}

TEST_F(TypedSetTest, TtlFlagApplies) {
  ASSERT_EQ(Run({"set", "3", kAnnJson, "--ttl=1h"}).code, kExitOk);
  auto entry = players_->GetEntry(3);
  ASSERT_OK(entry);
  EXPECT_GT(entry->ttl, absl::Minutes(59));
  EXPECT_LE(entry->ttl, absl::Hours(1));
}

TEST_F(TypedSetTest, EveryMalformedRecordIsRefusedChangingNothing) {
  const auto before = Dump();
  auto with = [](std::vector<std::string> extra, const char* drop) {
    std::vector<std::string> args = {"set", "1"};
    for (const std::string& f : CyFields()) {
      if (drop == nullptr || !absl::StartsWith(f, drop)) args.push_back(f);
    }
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  };
  const struct {
    std::vector<std::string> args;
    const char* error;
  } cases[] = {
      {with({}, "lives="), "missing field 'lives'"},
      {with({}, "pos.y="), "missing field 'pos.y'"},
      {with({"bogus=1"}, nullptr), "unknown field 'bogus'"},
      {with({"pos.z=1"}, nullptr), "unknown field 'pos.z'"},
      {with({"score=5"}, nullptr), "'score'"},  // Given twice.
      {with({"lives=256"}, "lives="), "256 is out of range (0 to 255)"},
      {with({"level=40000"}, "level="), "out of range"},
      {with({"score=-1"}, "score="), "out of range"},
      {with({"pos.x=2147483648"}, "pos.x="), "out of range"},
      {with({"score=1.5"}, "score="), "is not an integer"},
      {with({"score=abc"}, "score="), "is not an integer"},
      {with({"active=maybe"}, "active="), "active"},
      {with({"ratio=fast"}, "ratio="), "ratio"},
      {with({"name=far-too-long"}, "name="), "name"},
      {with({"score"}, "score="), "score"},
      {{"set", "1", R"({"score":)"}, "bad JSON"},
      {{"set", "1", R"({"score":1,})"}, "bad JSON"},
      {{"set", "1", "[1,2]"}, "Player"},
      {{"set", "1", "5"}, "Player"},
      {{"set", "1", R"({"score":1})"}, "missing field 'level'"},
      {{"set", "1", absl::StrCat(R"({"extra":1,)", kAnnJson + 1)},
       "unknown field 'extra'"},
      {{"set", "1",
        R"({"score":"10","level":2,"lives":3,"active":true,)"
        R"("ratio":0.5,"name":"ann","pos":{"x":1,"y":-2}})"},
       "score"},
      {{"set", "1",
        R"({"score":10,"level":2,"lives":3,"active":1,)"
        R"("ratio":0.5,"name":"ann","pos":{"x":1,"y":-2}})"},
       "active"},
      {{"set", "1", ""}, "expected a JSON object"},
      {{"set", "x", kAnnJson}, "bad KEY"},
      {{"set", "-1", kAnnJson}, "bad KEY"},
  };
  for (const auto& c : cases) {
    RunResult r = Run(c.args);
    EXPECT_EQ(r.code, kExitUsage) << absl::StrJoin(c.args, " ") << "\n" << r;
    EXPECT_THAT(r.out, IsEmpty());
    EXPECT_THAT(r.err, StartsWith("kvstore: set: bad "));
    EXPECT_THAT(r.err, HasSubstr(c.error)) << absl::StrJoin(c.args, " ");
    EXPECT_EQ(Dump(), before) << absl::StrJoin(c.args, " ");
  }
  absl::StatusOr<JsonValue> stats = ParseJson(Run({"stats", "--json"}).out);
  ASSERT_OK(stats);
  EXPECT_EQ(stats->Find("sets")->number, 2);  // The fixture's two.
}

TEST_F(TypedSetTest, IncrAddsToAFieldAndPrintsIt) {
  RunResult r = Run({"incr", "1", "score", "5"});
  EXPECT_EQ(r.code, kExitOk) << r;
  EXPECT_EQ(r.out, "15\n");
  EXPECT_EQ(Run({"incr", "1", "score"}).out, "16\n");
  EXPECT_EQ(Run({"incr", "1", "pos.y", "-3"}).out, "-5\n");
  absl::StatusOr<Player> p = players_->Get(1);
  ASSERT_OK(p);
  EXPECT_EQ(p->score, 16u);
  EXPECT_EQ(p->pos.y, -5);
  EXPECT_EQ(p->name, Ann().name);
}

TEST_F(TypedSetTest, IncrRefusalsChangeNothing) {
  const auto before = Dump();
  const struct {
    std::vector<std::string> args;
    int code;
    const char* error;
  } cases[] = {
      {{"incr", "1", "lives", "300"}, kExitFailure, "'lives'"},
      {{"incr", "1", "score", "-11"}, kExitFailure, "'score'"},
      {{"incr", "1", "name"}, kExitUsage, "field is not an integer: 'name'"},
      {{"incr", "1", "ratio"}, kExitUsage, "field is not an integer"},
      {{"incr", "1", "active"}, kExitUsage, "field is not an integer"},
      {{"incr", "1", "bogus"}, kExitUsage, "has no field 'bogus'"},
      {{"incr", "1", "pos"}, kExitUsage, "field is not an integer: 'pos'"},
      {{"incr", "1"}, kExitUsage, "needs KEY FIELD [DELTA]"},
      {{"incr", "1", "score", "x"}, kExitUsage, "bad DELTA"},
      {{"incr", "x", "score"}, kExitUsage, "bad KEY"},
      {{"incr", "9", "score"}, kExitNotFound, "key '9' not found"},
  };
  for (const auto& c : cases) {
    RunResult r = Run(c.args);
    EXPECT_EQ(r.code, c.code) << absl::StrJoin(c.args, " ") << "\n" << r;
    EXPECT_THAT(r.out, IsEmpty());
    EXPECT_THAT(r.err, HasSubstr(c.error)) << r;
  }
  EXPECT_EQ(Dump(), before);
  EXPECT_THAT(players_->Get(9), Not(IsOk()));  // incr creates no record.
}

TEST_F(TypedSetTest, DelRemovesTheRecord) {
  EXPECT_EQ(Run({"del", "2"}).code, kExitOk);
  EXPECT_THAT(players_->Get(2).status(), StatusIs(absl::StatusCode::kNotFound));
  RunResult r = Run({"del", "2"});
  EXPECT_EQ(r.code, kExitNotFound) << r;
  EXPECT_THAT(r.err, HasSubstr("key '2' not found"));
}

TEST_F(TypedSetTest, ExpireAndPersistKeepTheRecord) {
  ASSERT_EQ(Run({"expire", "1", "30m"}).code, kExitOk);
  auto entry = players_->GetEntry(1);
  ASSERT_OK(entry);
  EXPECT_GT(entry->ttl, absl::Minutes(29));
  EXPECT_LE(entry->ttl, absl::Minutes(30));
  EXPECT_TRUE(entry->value == Ann());
  double seconds = 0;
  std::string text = Run({"ttl", "1"}).out;
  ASSERT_TRUE(absl::SimpleAtod(text, &seconds)) << text;
  EXPECT_GT(seconds, 1700);
  ASSERT_EQ(Run({"persist", "1"}).code, kExitOk);
  EXPECT_EQ(players_->GetEntry(1)->ttl, absl::InfiniteDuration());
  EXPECT_EQ(Run({"ttl", "1"}).out, "none\n");
  const auto before = Dump();
  EXPECT_EQ(Run({"persist", "1"}).code, kExitOk);  // No TTL: no write.
  EXPECT_EQ(Run({"expire", "9", "1h"}).code, kExitNotFound);
  EXPECT_EQ(Run({"persist", "9"}).code, kExitNotFound);
  EXPECT_EQ(Run({"expire", "1", "0s"}).code, kExitUsage);
  EXPECT_EQ(Dump(), before);
  EXPECT_EQ(players_->GetEntry(1)->ttl, absl::InfiniteDuration());
}

TEST_F(TypedSetTest, TaggedOnlyCommandsAndFlagsAreRefused) {
  const auto before = Dump();
  const struct {
    std::vector<std::string> args;
    const char* error;
  } cases[] = {
      {{"set", "1", "5", "--type=int64"}, "set: --type does not apply"},
      {{"set", "1", kAnnJson, "--type=string"}, "--type does not apply"},
      {{"mget", "1", "2"}, "does not apply to typed store"},
      {{"mset", "1", "x"}, "does not apply to typed store"},
      {{"list", "--prefix=1"}, "--prefix does not apply"},
      {{"scan", "--prefix=1"}, "--prefix does not apply"},
  };
  for (const auto& c : cases) {
    RunResult r = Run(c.args);
    EXPECT_EQ(r.code, kExitUsage) << absl::StrJoin(c.args, " ") << "\n" << r;
    EXPECT_THAT(r.out, IsEmpty());
    EXPECT_THAT(r.err, HasSubstr(c.error)) << r;
    EXPECT_THAT(r.err, HasSubstr(absl::StrCat("typed store ", store_.name(),
                                              " (keys uint64, values "
                                              "Player;")));
  }
  EXPECT_EQ(Dump(), before);
}

TEST(TypedSetFullTest, FullStoreNamesTheKeyAsText) {
  ScopedStoreName store;
  Options options;
  options.capacity = 1;
  auto map = CreateTyped<kvstore_cli_test::Counts>(store, options);
  ASSERT_NE(map, nullptr);
  ASSERT_EQ(RunCli({"set", "1", "1", store.flag()}).code, kExitOk);
  RunResult r = RunCli({"set", "2", "2", store.flag()});
  EXPECT_EQ(r.code, kExitFailure) << r;
  EXPECT_THAT(r.err, HasSubstr("cannot add key '2'"));
}

TEST(TypedSetTaggedTest, TaggedSetAndIncrStillCountArguments) {
  ScopedStoreName store;
  RunResult r = RunCli({"set", "a", "b", "c", store.flag()});
  EXPECT_EQ(r.code, kExitUsage) << r;
  EXPECT_THAT(r.err, StartsWith("kvstore: set: expected 2 arguments, got 3"));
  r = RunCli({"incr", "a", "1", "2", store.flag()});
  EXPECT_EQ(r.code, kExitUsage) << r;
  EXPECT_THAT(r.err,
              StartsWith("kvstore: incr: expected 1 to 2 arguments, got 3"));
  EXPECT_FALSE(store.Exists());  // Neither created the store.
  ASSERT_EQ(RunCli({"set", "a", "b", store.flag()}).code, kExitOk);
  r = RunCli({"set", "a", "b", "c", store.flag()});
  EXPECT_EQ(r.code, kExitUsage) << r;
  EXPECT_EQ(RunCli({"get", "a", store.flag()}).out, "b\n");
}

}  // namespace
}  // namespace cli
}  // namespace kvstore
