// The interactive session: `kvstore` with no command on a terminal prompts
// "kvstore> ", runs each line as a script line, prints a failing line's
// errors as the command alone would and goes on, and ends at quit, exit or
// the end of input, exiting 0. In-process, with the terminal's lines as
// the input stream; tests/cli/session_pty_test.cc drives the binary
// through a pseudo-terminal.
#include <string>
#include <vector>

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

class SessionTest : public ::testing::Test {
 protected:
  // Env(): standard input is a terminal.
  RunResult Session(const std::string& lines) {
    return RunCliWithInput({store_.flag()}, lines, Env());
  }

  ScopedStoreName store_;
};

TEST_F(SessionTest, RunsEachLineAfterAPromptAndEndsAtEndOfInput) {
  RunResult r = Session("set n 5 --type=int64\nincr n\nget n --json\n");
  EXPECT_EQ(r.code, kExitOk) << r;
  EXPECT_EQ(r.out,
            "kvstore> kvstore> 6\nkvstore> "
            "{\"key\":\"n\",\"type\":\"int64\",\"value\":6}\nkvstore> \n");
  EXPECT_THAT(r.err, IsEmpty());
}

TEST_F(SessionTest, AFailingLineSaysWhyAndTheSessionGoesOn) {
  RunResult r =
      Session("get missing\n'unterminated\nset k -\nbogus\nset k v\nget k\n");
  EXPECT_EQ(r.code, kExitOk) << r;
  EXPECT_EQ(r.out,
            "kvstore> kvstore> kvstore> kvstore> kvstore> kvstore> v\n"
            "kvstore> \n");
  EXPECT_THAT(r.err,
              HasSubstr("kvstore: store " + store_.name() + " does not exist"));
  EXPECT_THAT(r.err, HasSubstr("kvstore: unterminated ' quote\n"));
  EXPECT_THAT(r.err, HasSubstr("'-' (standard input) cannot be used"));
  EXPECT_THAT(r.err, HasSubstr("kvstore: unknown command 'bogus'"));
}

TEST_F(SessionTest, QuitAndExitEndTheSessionAndLaterLinesDoNotRun) {
  for (const std::string word : {"quit", "exit", "  quit  "}) {
    RunResult r = Session("set k v\n" + word + "\nset after x\n");
    EXPECT_EQ(r.code, kExitOk) << r;
    EXPECT_EQ(r.out, "kvstore> kvstore> ") << word;
    EXPECT_EQ(RunCli({store_.flag(), "exists", "after"}).code, kExitNotFound);
  }
}

TEST_F(SessionTest, BlankAndCommentLinesOnlyPromptAgain) {
  RunResult r = Session("\n   \n# a comment\n");
  EXPECT_EQ(r.code, kExitOk) << r;
  EXPECT_EQ(r.out, "kvstore> kvstore> kvstore> kvstore> \n");
  EXPECT_THAT(r.err, IsEmpty());
}

TEST_F(SessionTest, ALineEditorReadsTheLinesWhenThereIsOne) {
  std::vector<std::string> lines = {"set k v", "get k"};
  std::vector<std::string> prompts;
  Env env;
  env.read_line = [&](const std::string& prompt, std::string* line) {
    prompts.push_back(prompt);
    if (lines.empty()) return false;
    *line = lines.front();
    lines.erase(lines.begin());
    return true;
  };
  RunResult r = RunCliWithInput({store_.flag()}, "", env);
  EXPECT_EQ(r.code, kExitOk) << r;
  EXPECT_EQ(r.out, "v\n");  // The editor shows the prompt.
  EXPECT_EQ(prompts, std::vector<std::string>(3, "kvstore> "));
}

}  // namespace
}  // namespace cli
}  // namespace kvstore
