// The store commands (create, stats, check, destroy, reset-lock) and
// behaviour on a missing store, run in-process.
#include <string>
#include <vector>

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
using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;

class AdminCommandsTest : public CliTest {};

TEST_F(AdminCommandsTest, CreateUsesTheGivenLimitsAndMode) {
  RunResult r = Run({"create", "--capacity=10", "--max-key-bytes=16",
                     "--max-value-bytes", "64", "--mode=0640", "--memory=64K"});
  ASSERT_EQ(r.code, kExitOk) << r;
  EXPECT_THAT(r.out, IsEmpty());
  EXPECT_THAT(r.err, IsEmpty());
  std::string stats = Run({"stats"}).out;
  EXPECT_THAT(stats, HasSubstr("\ncapacity: 10\n"));
  EXPECT_THAT(stats, HasSubstr("\nmax_key_bytes: 16\n"));
  EXPECT_THAT(stats, HasSubstr("\nmax_value_bytes: 64\n"));
  EXPECT_THAT(stats, HasSubstr("\nmode: 0640\n"));
  EXPECT_THAT(stats, HasSubstr("\ndata_bytes: 65536\n"));
}

TEST_F(AdminCommandsTest, CreateRefusesABadMemorySizeAndCreatesNothing) {
  RunResult r = Run({"create", "--memory=4X"});
  EXPECT_EQ(r.code, kExitUsage) << r;
  EXPECT_THAT(r.err, HasSubstr("--memory='4X' is not a size"));
  r = Run({"create", "--memory=2T"});
  EXPECT_EQ(r.code, kExitUsage) << r;
  EXPECT_NE(Run({"stats"}).code, kExitOk);  // Nothing was created.
}

TEST_F(AdminCommandsTest, AValueThatFindsNoMemoryExitsThreeNamingTheLimit) {
  ASSERT_EQ(Run({"create", "--memory=4K"}).code, kExitOk);
  ASSERT_EQ(Run({"set", "a", std::string(3000, 'a')}).code, kExitOk);
  RunResult r = Run({"set", "b", std::string(3000, 'b')});
  EXPECT_EQ(r.code, kExitFailure) << r;
  EXPECT_THAT(r.err, HasSubstr("memory limit, not the entry limit"));
  EXPECT_EQ(Run({"get", "b"}).code, kExitNotFound);
}

TEST_F(AdminCommandsTest, CreateDefaultsMatchTheLibrary) {
  ASSERT_EQ(Run({"create"}).code, kExitOk);
  std::string stats = Run({"stats"}).out;
  EXPECT_THAT(stats, HasSubstr("\ncapacity: 4096\n"));
  EXPECT_THAT(stats, HasSubstr("\nmax_key_bytes: 4096\n"));
  EXPECT_THAT(stats, HasSubstr("\nmax_value_bytes: 67108864\n"));
  EXPECT_THAT(stats, HasSubstr("\ndata_bytes: 4194304\n"));
  EXPECT_THAT(stats, HasSubstr("\nmode: 0600\n"));
  EXPECT_THAT(stats, HasSubstr("\neviction: none\n"));
}

TEST_F(AdminCommandsTest, CreateWithClockEvictionMakesRoomInAFullStore) {
  ASSERT_EQ(Run({"create", "--capacity=1", "--eviction=clock"}).code, kExitOk);
  EXPECT_THAT(Run({"stats"}).out, HasSubstr("\neviction: clock\n"));
  ASSERT_EQ(Run({"set", "a", "1"}).code, kExitOk);
  RunResult r = Run({"set", "b", "2"});
  EXPECT_EQ(r.code, kExitOk) << r;
  EXPECT_EQ(Run({"get", "b"}).out, "2\n");
  EXPECT_THAT(Run({"stats"}).out, HasSubstr("\nentries: 1\n"));
}

TEST_F(AdminCommandsTest, CreateOfAnExistingStoreExitsThreeAndKeepsIt) {
  ASSERT_EQ(Run({"create"}).code, kExitOk);
  ASSERT_EQ(Run({"set", "k", "v"}).code, kExitOk);
  RunResult r = Run({"create", "--capacity=5"});
  EXPECT_EQ(r.code, kExitFailure);
  EXPECT_EQ(r.err,
            "kvstore: create store " + store_.name() + ": it already exists\n");
  EXPECT_EQ(Run({"get", "k"}).out, "v\n");
  EXPECT_THAT(Run({"stats"}).out, HasSubstr("\ncapacity: 4096\n"));
}

TEST_F(AdminCommandsTest, CreateWithBadFlagValuesIsAUsageErrorAndMakesNothing) {
  const std::vector<std::string> bad[] = {
      {"--capacity=abc"},      {"--capacity=-1"},
      {"--capacity=0"},        {"--capacity=4294967296000"},
      {"--max-key-bytes=0"},   {"--max-key-bytes=70000"},
      {"--max-value-bytes=4"}, {"--max-value-bytes=99999999999"},
      {"--mode=999"},          {"--mode=rw"},
      {"--mode=0400"},         {"--capacity="},
      {"--eviction=lru"},
  };
  for (const std::vector<std::string>& flags : bad) {
    std::vector<std::string> args = {"create"};
    args.insert(args.end(), flags.begin(), flags.end());
    RunResult r = Run(args);
    EXPECT_EQ(r.code, kExitUsage) << flags[0] << "\n" << r;
    EXPECT_THAT(r.err, StartsWith("kvstore: create: ")) << flags[0];
    EXPECT_FALSE(store_.Exists()) << flags[0];
  }
}

TEST_F(AdminCommandsTest, GroupWritableStoreWarnsOnEveryOpen) {
  const std::string warning = "kvstore: warning: store " + store_.name() +
                              " is writable by other users (mode 0660); "
                              "anyone who can write it can corrupt it\n";
  RunResult create = Run({"create", "--mode=0660"});
  EXPECT_EQ(create.code, kExitOk);
  EXPECT_EQ(create.err, warning);
  RunResult set = Run({"set", "k", "v"});
  EXPECT_EQ(set.code, kExitOk);
  EXPECT_EQ(set.err, warning);
  RunResult get = Run({"get", "k"});
  EXPECT_EQ(get.code, kExitOk);
  EXPECT_EQ(get.out, "v\n");
  EXPECT_EQ(get.err, warning);
}

TEST_F(AdminCommandsTest, GroupReadableStoreDoesNotWarn) {
  EXPECT_THAT(Run({"create", "--mode=0644"}).err, IsEmpty());
  EXPECT_THAT(Run({"set", "k", "v"}).err, IsEmpty());
}

TEST_F(AdminCommandsTest, StatsTextHasOneLinePerField) {
  ASSERT_EQ(Run({"create", "--capacity=3"}).code, kExitOk);
  ASSERT_EQ(Run({"set", "k", "v"}).code, kExitOk);
  RunResult r = Run({"stats"});
  ASSERT_EQ(r.code, kExitOk);
  EXPECT_THAT(r.out, StartsWith("name: " + store_.name() + "\n"));
  EXPECT_THAT(r.out, ContainsRegex("\nsize_bytes: [0-9]+\n"));
  EXPECT_THAT(r.out, ContainsRegex("\nowner_uid: [0-9]+\nowner_gid: [0-9]+\n"));
  EXPECT_THAT(r.out, HasSubstr("\ncapacity: 3\nslots: 4\n"));
  EXPECT_THAT(r.out, ContainsRegex("\nslot_bytes: [0-9]+\n"));
  EXPECT_THAT(r.out, HasSubstr("\nentries: 1\nload_factor: 0.2500\n"));
  EXPECT_THAT(r.out, ContainsRegex("\ncreated: [0-9]{4}-[0-9]{2}-[0-9]{2}T"
                                   "[0-9]{2}:[0-9]{2}:[0-9]{2}Z\n"));
  EXPECT_THAT(r.out, HasSubstr("\nrecoveries: 0\nlast_recovery: never\n"));
}

TEST_F(AdminCommandsTest, StatsJsonIsOneObject) {
  ASSERT_EQ(Run({"set", "k", "v"}).code, kExitOk);
  RunResult r = Run({"stats", "--json"});
  ASSERT_EQ(r.code, kExitOk);
  absl::StatusOr<JsonValue> v = ParseJson(r.out);
  ASSERT_OK(v) << "\n" << r.out;
  ASSERT_EQ(v->kind, JsonValue::Kind::kObject);
  for (const char* field :
       {"size_bytes", "owner_uid", "owner_gid", "capacity", "slots",
        "slot_bytes", "max_key_bytes", "max_value_bytes", "entries",
        "load_factor", "recoveries"}) {
    const JsonValue* f = v->Find(field);
    ASSERT_NE(f, nullptr) << field;
    EXPECT_EQ(f->kind, JsonValue::Kind::kNumber) << field;
  }
  EXPECT_EQ(v->Find("name")->text, store_.name());
  EXPECT_EQ(v->Find("mode")->text, "0600");
  EXPECT_EQ(v->Find("entries")->number, 1);
  EXPECT_EQ(v->Find("created")->kind, JsonValue::Kind::kString);
  EXPECT_EQ(v->Find("last_recovery")->kind, JsonValue::Kind::kNull);
}

TEST_F(AdminCommandsTest, CheckOfASoundStorePrintsOk) {
  ASSERT_EQ(Run({"set", "k", "v"}).code, kExitOk);
  RunResult r = Run({"check"});
  EXPECT_EQ(r.code, kExitOk);
  EXPECT_EQ(r.out, "ok\n");
}

TEST_F(AdminCommandsTest, DestroyRemovesTheStore) {
  ASSERT_EQ(Run({"set", "k", "v"}).code, kExitOk);
  RunResult r = Run({"destroy"});
  EXPECT_EQ(r.code, kExitOk);
  EXPECT_THAT(r.out, IsEmpty());
  EXPECT_FALSE(store_.Exists());
}

TEST_F(AdminCommandsTest, DestroyOfAMissingStoreExitsThree) {
  RunResult r = Run({"destroy"});
  EXPECT_EQ(r.code, kExitFailure);
  EXPECT_EQ(r.err, "kvstore: store " + store_.name() +
                       " does not exist; nothing to destroy\n");
}

TEST_F(AdminCommandsTest, ResetLockOfAHealthyLockExitsThree) {
  ASSERT_EQ(Run({"set", "k", "v"}).code, kExitOk);
  RunResult r = Run({"reset-lock"});
  EXPECT_EQ(r.code, kExitFailure);
  EXPECT_THAT(r.err, HasSubstr("is healthy; nothing to reset"));
  EXPECT_EQ(Run({"get", "k"}).out, "v\n");
}

TEST_F(AdminCommandsTest, CommandsOnAMissingStoreFailAndCreateNothing) {
  const std::vector<std::string> commands[] = {
      {"get", "k"},        {"get", "k", "--json"},
      {"del", "k"},        {"list"},
      {"list", "--json"},  {"stats"},
      {"stats", "--json"}, {"check"},
      {"reset-lock"},
  };
  for (const std::vector<std::string>& args : commands) {
    RunResult r = Run(args);
    EXPECT_EQ(r.code, kExitFailure) << args[0];
    EXPECT_THAT(r.out, IsEmpty()) << args[0];
    EXPECT_THAT(r.err, StartsWith("kvstore: store " + store_.name() +
                                  " does not exist"))
        << args[0];
    EXPECT_FALSE(store_.Exists()) << args[0];
  }
}

}  // namespace
}  // namespace cli
}  // namespace kvstore
