// Argument handling, store selection, help and usage errors, in-process.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "cli/commands.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/cli/run_cli.h"
#include "tests/test_util.h"

namespace kvstore {
namespace cli {
namespace {

using ::kvstore::testing::ScopedStoreName;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;

const char* const kCommands[] = {"create", "set",     "get",        "del",
                                 "incr",   "list",    "schema",     "stats",
                                 "check",  "destroy", "reset-lock", "help"};

Env EnvWithStore(const std::string& name) {
  Env env;
  env.kvstore_store = name;
  return env;
}

void ExpectUsageError(const RunResult& r, absl::string_view message) {
  EXPECT_EQ(r.code, kExitUsage) << r;
  EXPECT_THAT(r.out, IsEmpty());
  EXPECT_THAT(r.err, StartsWith(absl::StrCat("kvstore: ", message)));
  EXPECT_THAT(r.err, HasSubstr("Usage: kvstore"));
  EXPECT_THAT(r.err, HasSubstr("--help' for more information."));
}

TEST(UsageTest, HelpPrintsUsageOnStdout) {
  for (std::vector<std::string> args :
       std::vector<std::vector<std::string>>{{"--help"}, {"-h"}, {"help"}}) {
    RunResult r = RunCli(args);
    EXPECT_EQ(r.code, kExitOk) << args[0];
    EXPECT_THAT(r.out, StartsWith("Usage: kvstore [--store=/NAME] COMMAND"));
    EXPECT_THAT(r.err, IsEmpty());
  }
}

TEST(UsageTest, GeneralHelpListsEveryCommand) {
  std::string help = RunCli({"--help"}).out;
  for (const char* command : kCommands) {
    EXPECT_THAT(help, HasSubstr(absl::StrCat("\n  ", command, " "))) << command;
  }
}

TEST(UsageTest, EveryCommandHasItsOwnHelp) {
  for (const char* command : kCommands) {
    const std::string usage = absl::StrCat("Usage: kvstore ", command);
    for (std::vector<std::string> args : std::vector<std::vector<std::string>>{
             {command, "--help"}, {"-h", command}, {"help", command}}) {
      RunResult r = RunCli(args);
      EXPECT_EQ(r.code, kExitOk) << command;
      EXPECT_THAT(r.out, StartsWith(usage)) << command;
      EXPECT_THAT(r.err, IsEmpty());
    }
  }
}

TEST(UsageTest, HelpWinsOverOtherMistakes) {
  RunResult r = RunCli({"get", "--bogus", "a", "b", "--help"});
  EXPECT_EQ(r.code, kExitOk);
  EXPECT_THAT(r.out, StartsWith("Usage: kvstore get KEY"));
}

TEST(UsageTest, VersionPrintsTheVersion) {
  RunResult r = RunCli({"--version"});
  EXPECT_EQ(r.code, kExitOk);
  EXPECT_EQ(r.out, "kvstore 0.1.0\n");
  EXPECT_THAT(r.err, IsEmpty());
}

TEST(UsageTest, MisuseIsAUsageErrorOnStderr) {
  ExpectUsageError(RunCli({"frobnicate"}), "unknown command 'frobnicate'");
  ExpectUsageError(RunCli({"--bogus"}), "unknown flag '--bogus'");
  ExpectUsageError(RunCli({"get", "k", "--bogus"}),
                   "get: unknown flag '--bogus'");
  ExpectUsageError(RunCli({"get", "k", "-x"}), "get: unknown flag '-x'");
  ExpectUsageError(RunCli({"get"}), "get: expected 1 argument, got 0");
  ExpectUsageError(RunCli({"get", "a", "b"}),
                   "get: expected 1 argument, got 2");
  ExpectUsageError(RunCli({"set", "k"}), "set: expected 2 arguments, got 1");
  ExpectUsageError(RunCli({"incr", "a", "1", "2"}),
                   "incr: expected 1 to 2 arguments, got 3");
  ExpectUsageError(RunCli({"list", "extra"}),
                   "list: expected 0 arguments, got 1");
  ExpectUsageError(RunCli({"get", "k", "--type=int64"}),
                   "get: flag --type does not apply to this command");
  ExpectUsageError(RunCli({"get", "k", "--store"}),
                   "get: flag --store needs a value");
  ExpectUsageError(RunCli({"get", "k", "--json=yes"}),
                   "get: flag --json takes no value");
  ExpectUsageError(RunCli({"help", "frobnicate"}),
                   "help: no such command 'frobnicate'");
}

TEST(UsageTest, FlagsMayComeBeforeOrAfterTheCommand) {
  ScopedStoreName store;
  EXPECT_EQ(RunCli({"--store", store.name(), "set", "k", "v"}).code, kExitOk);
  EXPECT_EQ(RunCli({"get", "k", "--store", store.name()}).out, "v\n");
  EXPECT_EQ(RunCli({store.flag(), "get", "--json", "k"}).code, kExitOk);
}

TEST(UsageTest, DoubleDashLetsArgumentsStartWithADash) {
  ScopedStoreName store;
  EXPECT_EQ(RunCli({store.flag(), "set", "--", "--key", "-value"}).code,
            kExitOk);
  EXPECT_EQ(RunCli({store.flag(), "get", "--", "--key"}).out, "-value\n");
}

TEST(UsageTest, NegativeNumbersNeedNoDoubleDash) {
  ScopedStoreName store;
  EXPECT_EQ(RunCli({store.flag(), "set", "n", "-5", "--type=int64"}).code,
            kExitOk);
  EXPECT_EQ(RunCli({store.flag(), "incr", "n", "-3"}).out, "-8\n");
  EXPECT_EQ(RunCli({store.flag(), "set", "d", "-1.5e3", "--type=double"}).code,
            kExitOk);
  EXPECT_EQ(RunCli({store.flag(), "get", "d"}).out, "-1500\n");
}

TEST(UsageTest, LastOfARepeatedFlagWins) {
  ScopedStoreName a, b;
  EXPECT_EQ(RunCli({a.flag(), "set", "k", "v", b.flag()}).code, kExitOk);
  EXPECT_FALSE(a.Exists());
  EXPECT_TRUE(b.Exists());
}

TEST(StoreSelectionTest, EnvironmentVariableSelectsTheStore) {
  ScopedStoreName store;
  EXPECT_EQ(RunCli({"set", "k", "v"}, EnvWithStore(store.name())).code,
            kExitOk);
  EXPECT_EQ(RunCli({"get", "k", store.flag()}).out, "v\n");
}

TEST(StoreSelectionTest, FlagWinsOverEnvironmentVariable) {
  ScopedStoreName from_env, from_flag;
  EXPECT_EQ(
      RunCli({"set", "k", "v", from_flag.flag()}, EnvWithStore(from_env.name()))
          .code,
      kExitOk);
  EXPECT_TRUE(from_flag.Exists());
  EXPECT_FALSE(from_env.Exists());
}

TEST(StoreSelectionTest, DefaultStoreIsSlashKvstore) {
  // Read-only, so it is safe whether or not /kvstore exists here: either
  // the store or the key is reported missing, naming /kvstore.
  for (const Env& env : {Env(), EnvWithStore("")}) {
    RunResult r = RunCli({"get", "kvcli-test-key-that-is-never-set"}, env);
    EXPECT_NE(r.code, kExitOk);
    EXPECT_THAT(r.err, HasSubstr(" /kvstore"));
  }
}

TEST(StoreSelectionTest, BadStoreNameIsAUsageError) {
  ExpectUsageError(RunCli({"set", "k", "v", "--store=noslash"}),
                   "set: bad store name 'noslash': must start with '/'");
  ExpectUsageError(RunCli({"get", "k", "--store=/a/b"}),
                   "get: bad store name '/a/b'");
  RunResult r = RunCli({"get", "k"}, EnvWithStore("/bad name"));
  ExpectUsageError(r, "get: bad store name '/bad name'");
  EXPECT_THAT(r.err, HasSubstr("(from KVSTORE_STORE)"));
}

}  // namespace
}  // namespace cli
}  // namespace kvstore
