// How the tool reads values and reports them back: the one double grammar,
// the one bool rule, keys escaped in every error message, and messages that
// say what is true (issue 16, defects 4 to 7).
#include <string>
#include <vector>

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
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

class InputTest : public CliTest {};

TEST_F(InputTest, DoublesFollowOneGrammar) {
  const struct {
    const char* text;
    const char* printed;
  } good[] = {
      {"2.5", "2.5"}, {"-1e9", "-1000000000"}, {"+3", "3"},    {".5", "0.5"},
      {"5.", "5"},    {"1E-3", "0.001"},       {"inf", "inf"}, {"-inf", "-inf"},
      {"nan", "nan"}, {"1e-310", "1e-310"},  // The shortest text that reads
                                             // back.
  };
  for (const auto& c : good) {
    SCOPED_TRACE(c.text);
    RunResult set = Run({"set", "--type=double", "--", "d", c.text});
    ASSERT_EQ(set.code, kExitOk) << set;
    EXPECT_EQ(Run({"get", "d"}).out, std::string(c.printed) + "\n");
  }
  const char* bad[] = {"1e400",    "-1e400", "1e-400", "0x10", "0x1p3",
                       "infinity", "NaN",    "Inf",    " 1",   "1 ",
                       "1e",       "e5",     ".",      "",     "1.2.3",
                       "--1",      "+inf",   "-nan",   "1_000"};
  ASSERT_EQ(Run({"set", "d", "7", "--type=double"}).code, kExitOk);
  for (const char* text : bad) {
    SCOPED_TRACE(text);
    RunResult r = Run({"set", "--type=double", "--", "d", text});
    EXPECT_EQ(r.code, kExitUsage) << r;
    EXPECT_THAT(r.err, HasSubstr("double")) << r;
  }
  EXPECT_EQ(Run({"get", "d"}).out, "7\n");  // Nothing changed.
}

TEST_F(InputTest, OutOfRangeDoublesSayOutOfRange) {
  RunResult r = Run({"set", "d", "1e400", "--type=double"});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_THAT(r.err, HasSubstr("'1e400' is out of the range of a double"));
  r = Run({"set", "d", "1e-400", "--type=double"});
  EXPECT_THAT(r.err, HasSubstr("'1e-400' is out of the range of a double"));
  // An out-of-range negative number is an argument, not an unknown flag.
  r = Run({"mset", "d", "-1e400", "--type=double"});
  EXPECT_THAT(r.err, HasSubstr("'-1e400' is out of the range"));
}

TEST_F(InputTest, BoolsAreTrueOrFalseOnly) {
  EXPECT_EQ(Run({"set", "b", "true", "--type=bool"}).code, kExitOk);
  EXPECT_EQ(Run({"set", "b", "false", "--type=bool"}).code, kExitOk);
  for (const char* text : {"1", "0", "yes", "TRUE", "True"}) {
    RunResult r = Run({"set", "b", text, "--type=bool"});
    EXPECT_EQ(r.code, kExitUsage) << text;
    EXPECT_THAT(r.err, HasSubstr("is not a bool (expected true or false)"));
  }
  EXPECT_EQ(Run({"get", "b"}).out, "false\n");
}

TEST_F(InputTest, KeysInErrorMessagesStayOnOneLine) {
  ASSERT_EQ(Run({"set", "k", "v"}).code, kExitOk);
  const std::string key =
      "a\nb\x1b[31m\xff\xc2\x9b"
      "end";
  const std::string shown = "a\\nb\\x1b[31m\\xff\\xc2\\x9bend";
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"get", key},
                                             {"del", key},
                                             {"ttl", key},
                                             {"expire", key, "5s"},
                                             {"persist", key},
                                             {"mget", key},
                                             {"incr", key, "x"}}) {
    RunResult r = Run(args);
    EXPECT_NE(r.code, kExitOk) << args[0];
    EXPECT_THAT(r.err, Not(HasSubstr("a\nb"))) << args[0];
    EXPECT_THAT(r.err, Not(HasSubstr("\x1b"))) << args[0];
    EXPECT_THAT(r.err, Not(HasSubstr("\xff"))) << args[0];
  }
  RunResult get = Run({"get", key});
  EXPECT_EQ(get.err, "kvstore: key '" + shown + "' not found in store " +
                         store_.name() + "\n");
  // Valid UTF-8 stays as it is.
  EXPECT_THAT(Run({"get", "caf\xc3\xa9"}).err, HasSubstr("'caf\xc3\xa9'"));
}

TEST_F(InputTest, LimitFlagsQuoteTheRealRanges) {
  EXPECT_THAT(Run({"create", "--capacity=abc"}).err,
              HasSubstr("--capacity='abc' is not a whole number from 1 to "
                        "2147483648"));
  EXPECT_THAT(Run({"create", "--capacity=0"}).err,
              HasSubstr("from 1 to 2147483648"));
  EXPECT_THAT(Run({"create", "--max-key-bytes=x"}).err,
              HasSubstr("from 1 to 65535"));
  // One range for --max-value-bytes, whatever is wrong with it.
  for (const char* bad : {"abc", "4", "99999999999", "4294967295"}) {
    RunResult r = Run({"create", std::string("--max-value-bytes=") + bad});
    EXPECT_EQ(r.code, kExitUsage) << bad;
    EXPECT_THAT(r.err, HasSubstr("from 8 to 1073741824")) << bad;
  }
  EXPECT_FALSE(store_.Exists());
}

TEST_F(InputTest, ALargeValueFromStdinIsReportedWithItsSize) {
  RunResult r = RunWithInput({"set", "big", "-"}, std::string(20000000, 'x'));
  EXPECT_EQ(r.code, kExitFailure) << r;
  EXPECT_THAT(r.err, HasSubstr("20000003 bytes of key and value"));
  EXPECT_THAT(r.err, Not(HasSubstr("16777217")));
}

TEST_F(InputTest, FlagSyntaxErrorsShowTheCommandsUsage) {
  RunResult r = Run({"get", "k", "--json=1"});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_EQ(r.err,
            "kvstore: get: flag --json takes no value\n"
            "Usage: kvstore get KEY [--raw|-n] [--json] [--with-version]\n"
            "Try 'kvstore get --help' for more information.\n");
  r = RunCli({"--store", "/x", "ttl", "k", "--ttl"});
  EXPECT_THAT(r.err, HasSubstr("kvstore: ttl: flag --ttl needs a value"));
  // No command on the line: the general usage.
  r = RunCli({"--json=1"});
  EXPECT_THAT(r.err, HasSubstr("Usage: kvstore [--store=/NAME] COMMAND"));
}

}  // namespace
}  // namespace cli
}  // namespace kvstore
