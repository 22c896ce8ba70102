// The read side of typed stores, in-process: schema, get, list, scan, ttl,
// stats, check and destroy on stores created through TypedMap, and how keys
// of each kind are written and printed.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
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

using ::kvstore::testing::ScopedStoreName;
using ::kvstore_cli_test::Ann;
using ::kvstore_cli_test::Bob;
using ::kvstore_cli_test::kAnnJson;
using ::kvstore_cli_test::kBobJson;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;

using TypedReadTest = TypedStoreTest;

TEST_F(TypedReadTest, SchemaPrintsTheStoredSchema) {
  RunResult r = Run({"schema"});
  ASSERT_EQ(r.code, kExitOk) << r;
  EXPECT_THAT(r.err, IsEmpty());
  EXPECT_EQ(r.out, players_->schema().ToText());
  EXPECT_THAT(r.out, HasSubstr("key: uint64 (8 bytes, align 8)\n"
                               "value: Player (32 bytes, align 8)\n"
                               "  score            uint32             offset 0"
                               "     size 4\n"));
  EXPECT_THAT(r.out, HasSubstr("\n    y              int32              "
                               "offset 28    size 4\n"));
}

TEST_F(TypedReadTest, SchemaJsonDescribesEveryField) {
  RunResult r = Run({"schema", "--json"});
  ASSERT_EQ(r.code, kExitOk) << r;
  absl::StatusOr<JsonValue> v = ParseJson(r.out);
  ASSERT_OK(v) << r.out;
  EXPECT_EQ(v->Find("store")->text, store_.name());
  EXPECT_EQ(v->Find("kind")->text, "typed");
  EXPECT_EQ(v->Find("key")->Find("name")->text, "uint64");
  const JsonValue& fields = *v->Find("value")->Find("fields");
  ASSERT_EQ(fields.array.size(), 7u);
  EXPECT_EQ(fields.array[5].Find("type")->text, "FixedString<8>");
  const JsonValue& pos = fields.array[6];
  EXPECT_EQ(pos.Find("offset")->number, 24);
  EXPECT_EQ(pos.Find("fields")->array[1].Find("name")->text, "y");
  EXPECT_EQ(v->Find("fingerprint")->text.size(), 16u);
}

TEST(TypedSchemaTest, TaggedStoreSaysSoAndExitsZero) {
  ScopedStoreName store;
  ASSERT_EQ(RunCli({"set", "k", "v", store.flag()}).code, kExitOk);
  RunResult r = RunCli({"schema", store.flag()});
  EXPECT_EQ(r.code, kExitOk) << r;
  EXPECT_EQ(r.out, absl::StrCat("store ", store.name(),
                                " is a tagged store: values carry their own "
                                "type; it has no schema\n"));
  r = RunCli({"schema", "--json", store.flag()});
  EXPECT_EQ(r.code, kExitOk) << r;
  EXPECT_EQ(r.out, absl::StrCat(R"({"store":")", store.name(),
                                R"(","kind":"tagged"})", "\n"));
}

TEST(TypedSchemaTest, MissingStoreIsExitThree) {
  ScopedStoreName store;
  RunResult r = RunCli({"schema", store.flag()});
  EXPECT_EQ(r.code, kExitFailure) << r;
  EXPECT_THAT(r.err, HasSubstr("does not exist"));
  EXPECT_FALSE(store.Exists());
}

TEST_F(TypedReadTest, GetPrintsTheRecordAsJson) {
  RunResult r = Run({"get", "1"});
  EXPECT_EQ(r.code, kExitOk) << r;
  EXPECT_EQ(r.out, absl::StrCat(kAnnJson, "\n"));
  EXPECT_EQ(Run({"get", "2", "-n"}).out, kBobJson);
  r = Run({"get", "1", "--json"});
  EXPECT_EQ(r.out, absl::StrCat(R"({"key":1,"type":"Player","value":)",
                                kAnnJson, "}\n"));
  absl::StatusOr<JsonValue> v = ParseJson(r.out);
  ASSERT_OK(v);
  EXPECT_EQ(v->Find("value")->kind, JsonValue::Kind::kObject);  // Not text.
  EXPECT_EQ(v->Find("value")->Find("pos")->Find("y")->number, -2);
}

TEST_F(TypedReadTest, GetOfAbsentKeyIsExitOneWithTheKeyAsText) {
  RunResult r = Run({"get", "9"});
  EXPECT_EQ(r.code, kExitNotFound) << r;
  EXPECT_THAT(r.out, IsEmpty());
  EXPECT_EQ(r.err, absl::StrCat("kvstore: key '9' not found in store ",
                                store_.name(), "\n"));
}

TEST_F(TypedReadTest, KeyThatDoesNotParseIsUsageError) {
  for (const char* key : {"abc", "-1", "1.5", "18446744073709551616", ""}) {
    RunResult r = Run({"get", key});
    EXPECT_EQ(r.code, kExitUsage) << key << "\n" << r;
    EXPECT_THAT(r.err, HasSubstr("get: bad KEY for typed store")) << key;
  }
  EXPECT_THAT(Run({"get", "abc"}).err,
              StartsWith(absl::StrCat("kvstore: get: bad KEY for typed store ",
                                      store_.name(),
                                      " (keys uint64): 'abc' is not an "
                                      "integer\n")));
}

TEST_F(TypedReadTest, ListSortsIntegerKeysByNumber) {
  ASSERT_OK(players_->Set(10, Ann()));
  RunResult r = Run({"list"});
  EXPECT_EQ(r.code, kExitOk) << r;
  EXPECT_EQ(r.out,
            absl::StrCat("1\tPlayer\t", kAnnJson, "\n", "2\tPlayer\t", kBobJson,
                         "\n", "10\tPlayer\t", kAnnJson, "\n"));
  r = Run({"list", "--json"});
  absl::StatusOr<JsonValue> v = ParseJson(r.out);
  ASSERT_OK(v) << r.out;
  ASSERT_EQ(v->array.size(), 3u);
  EXPECT_EQ(v->array[2].Find("key")->number, 10);
  EXPECT_EQ(v->array[1].Find("value")->Find("name")->text, "bob");
}

TEST_F(TypedReadTest, ScanVisitsEveryEntry) {
  for (uint64_t id = 3; id <= 50; ++id) {
    ASSERT_OK(players_->Set(id, Bob()));
  }
  std::vector<int> seen(51, 0);
  std::string cursor = "0";
  int batches = 0;
  do {
    RunResult r = Run({"scan", cursor, "--count=16", "--json"});
    ASSERT_EQ(r.code, kExitOk) << r;
    absl::StatusOr<JsonValue> v = ParseJson(r.out);
    ASSERT_OK(v) << r.out;
    cursor = v->Find("cursor")->text;
    for (const JsonValue& e : v->Find("entries")->array) {
      EXPECT_EQ(e.Find("value")->kind, JsonValue::Kind::kObject);
      ++seen[static_cast<int>(e.Find("key")->number)];
    }
  } while (cursor != "0" && ++batches < 1000);
  for (int id = 1; id <= 50; ++id) {  // At least once; twice at most.
    EXPECT_GE(seen[id], 1) << id;
    EXPECT_LE(seen[id], 2) << id;
  }
  // Text: the cursor, then lines as list prints them.
  RunResult r = Run({"scan", "--count=100000"});
  std::vector<std::string> lines = absl::StrSplit(r.out, '\n');
  EXPECT_EQ(lines[0], "0");
  EXPECT_EQ(lines.size(), 52u);  // Cursor, 50 entries, "" after the last.
}

TEST_F(TypedReadTest, ScanPastTheTableIsExitThree) {
  RunResult r = Run({"scan", "99999999"});
  EXPECT_EQ(r.code, kExitFailure) << r;
  EXPECT_THAT(r.out, IsEmpty());
}

TEST(TypedKeysTest, StructKeyIsGivenAsJsonOrAssignments) {
  ScopedStoreName store;
  auto map = CreateTyped<kvstore_cli_test::PlayersByTeam>(store);
  ASSERT_NE(map, nullptr);
  const std::string s = store.flag();
  EXPECT_EQ(RunCli({"set", R"({"team":1,"id":2})", kAnnJson, s}).code, 0);
  EXPECT_EQ(RunCli({"set", "team=1,id=3", kBobJson, s}).code, 0);
  EXPECT_EQ(RunCli({"set", "team=2 id=1", kBobJson, s}).code, 0);
  absl::StatusOr<kvstore_cli_test::Player> p = map->Get({1, 2});
  ASSERT_OK(p);
  EXPECT_TRUE(*p == Ann());
  EXPECT_EQ(RunCli({"get", "id=3,team=1", s}).out,
            absl::StrCat(kBobJson, "\n"));
  RunResult r = RunCli({"list", s});
  EXPECT_EQ(r.out,
            absl::StrCat(R"({"team":1,"id":2})", "\tPlayer\t", kAnnJson, "\n",
                         R"({"team":1,"id":3})", "\tPlayer\t", kBobJson, "\n",
                         R"({"team":2,"id":1})", "\tPlayer\t", kBobJson, "\n"));
  r = RunCli({"get", "team=1,id=3", "--json", s});
  absl::StatusOr<JsonValue> v = ParseJson(r.out);
  ASSERT_OK(v);
  EXPECT_EQ(v->Find("key")->Find("id")->number, 3);
  r = RunCli({"get", "team=1", s});
  EXPECT_EQ(r.code, kExitUsage) << r;
  EXPECT_THAT(r.err, HasSubstr("missing field 'id'"));
  r = RunCli({"del", "team=9,id=9", s});
  EXPECT_EQ(r.code, kExitNotFound) << r;
  EXPECT_THAT(r.err, HasSubstr(R"(key '{"team":9,"id":9}' not found)"));
}

TEST(TypedKeysTest, FixedStringKeyIsPlainText) {
  ScopedStoreName store;
  auto map = CreateTyped<kvstore_cli_test::PlayersByName>(store);
  ASSERT_NE(map, nullptr);
  const std::string s = store.flag();
  EXPECT_EQ(RunCli({"set", "ann smith", kAnnJson, s}).code, kExitOk);
  ASSERT_OK(map->Get("ann smith"));
  EXPECT_EQ(RunCli({"list", s}).out,
            absl::StrCat("ann smith\tPlayer\t", kAnnJson, "\n"));
  EXPECT_EQ(RunCli({"list", "--json", s}).out,
            absl::StrCat(R"([{"key":"ann smith","type":"Player","value":)",
                         kAnnJson, "}]\n"));
  RunResult r = RunCli({"get", "a-name-of-17-byte", s});
  EXPECT_EQ(r.code, kExitUsage) << r;
}

TEST(TypedKeysTest, ScalarValuesPrintAsText) {
  ScopedStoreName store;
  auto map = CreateTyped<kvstore_cli_test::Counts>(store);
  ASSERT_NE(map, nullptr);
  const std::string s = store.flag();
  EXPECT_EQ(RunCli({"set", "5", "42", s}).code, kExitOk);
  EXPECT_EQ(RunCli({"set", "-5", "-7", s}).code, kExitOk);
  EXPECT_EQ(*map->Get(5), 42);
  EXPECT_EQ(RunCli({"get", "-5", s}).out, "-7\n");
  EXPECT_EQ(RunCli({"list", s}).out, "-5\tint64\t-7\n5\tint64\t42\n");
  EXPECT_EQ(RunCli({"get", "5", "--json", s}).out,
            R"({"key":5,"type":"int64","value":42})"
            "\n");
  RunResult r = RunCli({"set", "5", "x", s});
  EXPECT_EQ(r.code, kExitUsage) << r;
  EXPECT_THAT(r.err, HasSubstr("(values int64): 'x' is not an integer\n"));
  r = RunCli({"set", "5", "1", "2", s});
  EXPECT_EQ(r.code, kExitUsage) << r;
  EXPECT_THAT(r.err, HasSubstr("int64 is a single value"));
  r = RunCli({"incr", "5", s});
  EXPECT_EQ(r.code, kExitUsage) << r;
  EXPECT_THAT(r.err, HasSubstr("no field to add to; use set"));
  EXPECT_EQ(*map->Get(5), 42);
}

TEST_F(TypedReadTest, TtlStatsCheckAndDestroyWork) {
  EXPECT_EQ(Run({"ttl", "1"}).out, "none\n");
  EXPECT_EQ(Run({"ttl", "1", "--json"}).out, R"({"key":1,"ttl_ms":null})"
                                             "\n");
  EXPECT_EQ(Run({"ttl", "9"}).code, kExitNotFound);
  absl::StatusOr<JsonValue> stats = ParseJson(Run({"stats", "--json"}).out);
  ASSERT_OK(stats);
  EXPECT_EQ(stats->Find("entries")->number, 2);
  EXPECT_EQ(stats->Find("max_value_bytes")->number, 32);
  EXPECT_EQ(Run({"check"}).out, "ok\n");
  players_.reset();
  EXPECT_EQ(Run({"destroy"}).code, kExitOk);
  EXPECT_FALSE(store_.Exists());
}

TEST(TypedWarningTest, StoreWritableByOthersIsWarnedAbout) {
  ScopedStoreName store;
  Options options;
  options.mode = 0666;
  auto map = CreateTyped<kvstore_cli_test::Counts>(store, options);
  ASSERT_NE(map, nullptr);
  RunResult r = RunCli({"list", store.flag()});
  EXPECT_EQ(r.code, kExitOk) << r;
  EXPECT_THAT(r.err, HasSubstr("is writable by other users (mode 0666)"));
}

}  // namespace
}  // namespace cli
}  // namespace kvstore
