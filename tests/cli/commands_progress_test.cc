// Progress lines: check, create and list (and dump) show one on stderr
// only when stderr is a terminal (Env::stderr_is_terminal, set here as a
// real terminal would set it), overwrite it in place with '\r', and erase
// it when done; otherwise, and in scripts, stderr stays silent.
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "cli/commands.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/cli/cli_fixture.h"
#include "tests/cli/run_cli.h"
#include "tests/test_util.h"

namespace kvstore {
namespace cli {
namespace {

using ::kvstore::testing::ScopedStoreName;
using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;

constexpr char kErase[] = "\r\x1b[K";

Env Terminal() {
  Env env;
  env.stderr_is_terminal = true;
  return env;
}

// The progress lines shown, in order.
std::vector<std::string> Lines(const std::string& err) {
  std::vector<std::string> lines;
  for (absl::string_view part : absl::StrSplit(err, '\r')) {
    if (absl::StartsWith(part, "kvstore: ")) lines.emplace_back(part);
  }
  return lines;
}

class ProgressTest : public CliTest {};

TEST_F(ProgressTest, CheckShowsSlotsWalkedOnATerminalAndErasesTheLine) {
  // More than 65536 slots: Verify reports every 65536.
  ASSERT_EQ(Run({"create", "--capacity=70000"}, Env()).code, kExitOk);
  ASSERT_EQ(Run({"set", "k", "v"}, Env()).code, kExitOk);
  RunResult r = Run({"check"}, Terminal());
  ASSERT_EQ(r.code, kExitOk) << r;
  EXPECT_EQ(r.out, "ok\n");
  EXPECT_THAT(r.err, StartsWith("\rkvstore: check: "));
  EXPECT_THAT(r.err, EndsWith(kErase));
  const std::vector<std::string> lines = Lines(r.err);
  ASSERT_GE(lines.size(), 2u) << r;
  EXPECT_THAT(lines[0], HasSubstr("% (65536 of "));
  EXPECT_THAT(lines.back(), HasSubstr("check: 100% ("));
  EXPECT_THAT(lines.back(), HasSubstr(" slots)"));
}

TEST_F(ProgressTest, CreateShowsBytesReservedOnATerminal) {
  RunResult r = Run({"create", "--capacity=1000"}, Terminal());
  ASSERT_EQ(r.code, kExitOk) << r;
  const std::vector<std::string> lines = Lines(r.err);
  ASSERT_FALSE(lines.empty()) << r;
  EXPECT_THAT(lines.back(), HasSubstr("create: 100% ("));
  EXPECT_THAT(lines.back(), HasSubstr(" bytes)"));
  EXPECT_THAT(r.err, EndsWith(kErase));
}

TEST_F(ProgressTest, ListShowsSlotsScannedOnATerminalAndPrintsTheSameData) {
  ASSERT_EQ(Run({"create", "--capacity=5000"}, Env()).code, kExitOk);
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(Run({"set", absl::StrCat("k", i), "v"}, Env()).code, kExitOk);
  }
  RunResult quiet = Run({"list"}, Env());
  RunResult r = Run({"list"}, Terminal());
  ASSERT_EQ(r.code, kExitOk) << r;
  EXPECT_EQ(r.out, quiet.out);
  const std::vector<std::string> lines = Lines(r.err);
  ASSERT_GE(lines.size(), 2u) << r;  // Several batches of 1024 slots.
  EXPECT_THAT(lines[0], HasSubstr("list: "));
  EXPECT_THAT(lines.back(), HasSubstr("list: 100% ("));
  EXPECT_THAT(r.err, EndsWith(kErase));
}

TEST_F(ProgressTest, NothingIsShownWhenStderrIsNotATerminal) {
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"create", "--capacity=70000"},
                                             {"set", "k", "v"},
                                             {"check"},
                                             {"list"},
                                             {"dump", "-"}}) {
    RunResult r = Run(args, Env());
    EXPECT_EQ(r.code, kExitOk) << r;
    EXPECT_THAT(r.err, IsEmpty()) << absl::StrJoin(args, " ");
  }
}

TEST_F(ProgressTest, AScriptShowsNoProgressEvenOnATerminal) {
  Env env = Terminal();
  env.stdin_is_terminal = false;
  RunResult r = RunCliWithInput({store_.flag()},
                                "create --capacity=70000\ncheck\nlist\n", env);
  EXPECT_EQ(r.code, kExitOk) << r;
  EXPECT_EQ(r.out, "ok\n");
  EXPECT_THAT(r.err, IsEmpty());
}

}  // namespace
}  // namespace cli
}  // namespace kvstore
