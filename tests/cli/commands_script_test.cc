// Many commands in one process: `kvstore` with no command runs the command
// lines of standard input, each answered as the command alone would be.
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/script.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/cli/run_binary.h"
#include "tests/cli/run_cli.h"
#include "tests/status_matchers.h"
#include "tests/test_util.h"

namespace kvstore {
namespace cli {
namespace {

using ::kvstore::testing::ProcessResult;
using ::kvstore::testing::ScopedStoreName;
using ::kvstore::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

Env Piped() {
  Env env;
  env.stdin_is_terminal = false;
  return env;
}

TEST(SplitWordsTest, SplitsAsAShellWouldWithoutExpansions) {
  EXPECT_THAT(*SplitWords("  set  k   v "), ElementsAre("set", "k", "v"));
  EXPECT_THAT(*SplitWords(R"(set 'a b' "c \"d\" \\ $x" e\ f)"),
              ElementsAre("set", "a b", "c \"d\" \\ $x", "e f"));
  EXPECT_THAT(*SplitWords("set k ''"), ElementsAre("set", "k", ""));
  EXPECT_TRUE(SplitWords("").value().empty());
  EXPECT_THAT(SplitWords("set 'k").status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(SplitWords("set \"k").status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(SplitWords("set k\\").status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(ScriptTest, EachLineIsAnsweredInOrderWithTheGlobalFlags) {
  ScopedStoreName store;
  RunResult r = RunCliWithInput({store.flag()},
                                "set n 5 --type=int64\n"
                                "# a comment, then a blank line\n"
                                "\n"
                                "incr n\n"
                                "get n\n"
                                "set 'two words' \"x y\"\n"
                                "get 'two words'\n",
                                Piped());
  EXPECT_EQ(r.code, kExitOk) << r;
  EXPECT_EQ(r.out, "6\n6\nx y\n");
  EXPECT_EQ(r.err, "");
}

TEST(ScriptTest, AFailingLineSaysItsNumberAndTheRestStillRun) {
  ScopedStoreName store;
  RunResult r = RunCliWithInput({store.flag()},
                                "set k v\n"
                                "get missing\n"
                                "'unterminated\n"
                                "set k -\n"
                                "get k\n",
                                Piped());
  EXPECT_EQ(r.code, kExitUsage) << r;  // The worst of 0, 1, 2, 2, 0.
  EXPECT_EQ(r.out, "v\n");
  EXPECT_THAT(r.err, HasSubstr("kvstore: line 2: key 'missing' not found"));
  EXPECT_THAT(r.err, HasSubstr("kvstore: line 3: unterminated ' quote"));
  EXPECT_THAT(r.err, HasSubstr("kvstore: line 4: '-' (standard input)"));
  EXPECT_THAT(r.err, ::testing::Not(HasSubstr("line 1")));
}

TEST(ScriptTest, OnATerminalNoCommandStartsASessionInstead) {
  ScopedStoreName store;
  // Env(): a terminal. Prompts, and exits 0 whatever the lines did.
  RunResult r = RunCliWithInput({store.flag()}, "get k\n");
  EXPECT_EQ(r.code, kExitOk) << r;
  EXPECT_EQ(r.out, "kvstore> kvstore> \n");
  EXPECT_THAT(r.err, HasSubstr("kvstore: store "));
  EXPECT_THAT(r.err, ::testing::Not(HasSubstr("line 1")));
}

TEST(ScriptTest, TheBinaryReadsCommandsFromAPipe) {
  ScopedStoreName store;
  ProcessResult r = RunBinaryWithInput(
      {store.flag()}, "set greeting hello\nget greeting\nexists x\n");
  EXPECT_EQ(r.exit_code, 1) << r;  // `exists x`: absent.
  EXPECT_EQ(r.out, "hello\n");
}

}  // namespace
}  // namespace cli
}  // namespace kvstore
