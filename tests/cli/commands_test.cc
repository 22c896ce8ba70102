// The entry commands (set, get, del, incr, list) run in-process against
// real stores.
#include "cli/commands.h"

#include <string>
#include <vector>

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

class CommandsTest : public CliTest {};

TEST_F(CommandsTest, SetThenGetPrintsValueAndNewline) {
  EXPECT_THAT(Ok({"set", "greeting", "hello world"}), IsEmpty());
  EXPECT_EQ(Ok({"get", "greeting"}), "hello world\n");
}

TEST_F(CommandsTest, GetRawOmitsNewline) {
  Ok({"set", "k", "v"});
  EXPECT_EQ(Ok({"get", "k", "--raw"}), "v");
  EXPECT_EQ(Ok({"get", "-n", "k"}), "v");
}

TEST_F(CommandsTest, SetStoresEachTypeAndGetPrintsItAsText) {
  const struct {
    const char* type;
    const char* input;
    const char* printed;
  } cases[] = {
      {"string", "42", "42\n"},    {"int64", "-42", "-42\n"},
      {"double", "2.50", "2.5\n"}, {"double", "-inf", "-inf\n"},
      {"bool", "true", "true\n"},  {"bool", "false", "false\n"},
  };
  for (const auto& c : cases) {
    Ok({"set", "k", c.input, std::string("--type=") + c.type});
    EXPECT_EQ(Ok({"get", "k"}), c.printed) << c.type << " " << c.input;
  }
}

TEST_F(CommandsTest, SetReplacesAValueOfAnotherType) {
  Ok({"set", "k", "7", "--type=int64"});
  Ok({"set", "k", "seven"});
  EXPECT_EQ(Ok({"get", "k", "--json"}),
            "{\"key\":\"k\",\"type\":\"string\",\"value\":\"seven\"}\n");
}

TEST_F(CommandsTest, BytesValueIsPrintedWithoutNewline) {
  Ok({"set", "blob", "raw\tdata", "--type=bytes"});
  EXPECT_EQ(Ok({"get", "blob"}), "raw\tdata");
}

TEST_F(CommandsTest, GetJsonIsOneObjectPerType) {
  Ok({"set", "s", "say \"hi\"\n"});
  Ok({"set", "i", "-5", "--type=int64"});
  Ok({"set", "d", "nan", "--type=double"});
  Ok({"set", "b", "true", "--type=bool"});
  Ok({"set", "x", "foo", "--type=bytes"});
  EXPECT_EQ(Ok({"get", "s", "--json"}),
            R"({"key":"s","type":"string","value":"say \"hi\"\n"})"
            "\n");
  EXPECT_EQ(Ok({"get", "i", "--json"}),
            R"({"key":"i","type":"int64","value":-5})"
            "\n");
  EXPECT_EQ(Ok({"get", "d", "--json"}),
            R"({"key":"d","type":"double","value":"nan"})"
            "\n");
  EXPECT_EQ(Ok({"get", "b", "--json"}),
            R"({"key":"b","type":"bool","value":true})"
            "\n");
  EXPECT_EQ(Ok({"get", "x", "--json"}),
            R"({"key":"x","type":"bytes","value":"Zm9v","encoding":"base64"})"
            "\n");
}

TEST_F(CommandsTest, GetMissingKeyExitsOne) {
  Ok({"set", "other", "v"});
  RunResult r = Run({"get", "nope"});
  EXPECT_EQ(r.code, kExitNotFound);
  EXPECT_THAT(r.out, IsEmpty());
  EXPECT_EQ(r.err,
            "kvstore: key 'nope' not found in store " + store_.name() + "\n");
}

TEST_F(CommandsTest, GetJsonMissingKeyLeavesStdoutEmpty) {
  Ok({"set", "other", "v"});
  RunResult r = Run({"get", "nope", "--json"});
  EXPECT_EQ(r.code, kExitNotFound);
  EXPECT_THAT(r.out, IsEmpty());
  EXPECT_THAT(r.err, StartsWith("kvstore: key 'nope' not found"));
}

TEST_F(CommandsTest, DelRemovesTheKey) {
  Ok({"set", "k", "v"});
  EXPECT_THAT(Ok({"del", "k"}), IsEmpty());
  EXPECT_EQ(Run({"get", "k"}).code, kExitNotFound);
}

TEST_F(CommandsTest, DelMissingKeyExitsOne) {
  Ok({"set", "other", "v"});
  RunResult r = Run({"del", "nope"});
  EXPECT_EQ(r.code, kExitNotFound);
  EXPECT_THAT(r.err, HasSubstr("key 'nope' not found"));
}

TEST_F(CommandsTest, IncrStartsAtZeroAndPrintsTheNewValue) {
  EXPECT_EQ(Ok({"incr", "hits"}), "1\n");
  EXPECT_EQ(Ok({"incr", "hits"}), "2\n");
  EXPECT_EQ(Ok({"incr", "hits", "10"}), "12\n");
  EXPECT_EQ(Ok({"get", "hits", "--json"}),
            R"({"key":"hits","type":"int64","value":12})"
            "\n");
}

TEST_F(CommandsTest, IncrTakesANegativeDelta) {
  EXPECT_EQ(Ok({"incr", "k", "-3"}), "-3\n");
  EXPECT_EQ(Ok({"incr", "k", "--", "-4"}), "-7\n");
}

TEST_F(CommandsTest, IncrBadDeltaIsAUsageErrorAndChangesNothing) {
  Ok({"incr", "k", "5"});
  for (const char* delta : {"abc", "1.5", "", "99999999999999999999"}) {
    RunResult r = Run({"incr", "k", delta});
    EXPECT_EQ(r.code, kExitUsage) << delta;
    EXPECT_THAT(r.err, StartsWith("kvstore: incr: bad DELTA: '")) << delta;
    EXPECT_THAT(r.out, IsEmpty());
  }
  EXPECT_EQ(Ok({"get", "k"}), "5\n");
}

TEST_F(CommandsTest, IncrOfAnotherTypeExitsThreeAndChangesNothing) {
  Ok({"set", "k", "text"});
  RunResult r = Run({"incr", "k"});
  EXPECT_EQ(r.code, kExitFailure);
  EXPECT_THAT(r.err, HasSubstr("has type string, not int64"));
  EXPECT_EQ(Ok({"get", "k"}), "text\n");
}

TEST_F(CommandsTest, IncrOverflowExitsThreeAndChangesNothing) {
  Ok({"set", "k", "9223372036854775807", "--type=int64"});
  RunResult r = Run({"incr", "k"});
  EXPECT_EQ(r.code, kExitFailure);
  EXPECT_THAT(r.err, HasSubstr("overflow"));
  EXPECT_EQ(Ok({"get", "k"}), "9223372036854775807\n");
}

TEST_F(CommandsTest, SetAndIncrCreateAMissingStore) {
  Ok({"set", "k", "v"});
  EXPECT_TRUE(store_.Exists());
  ScopedStoreName other;
  EXPECT_EQ(RunCli({"incr", "n", other.flag()}).code, kExitOk);
  EXPECT_TRUE(other.Exists());
}

TEST_F(CommandsTest, SetValueThatDoesNotParseIsAUsageErrorAndChangesNothing) {
  RunResult r = Run({"set", "n", "abc", "--type=int64"});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_THAT(r.err, StartsWith("kvstore: set: 'abc' is not an int64"));
  EXPECT_FALSE(store_.Exists());  // Not even the store was created.

  Ok({"set", "n", "1", "--type=int64"});
  for (const auto& [value, type] :
       std::vector<std::pair<std::string, std::string>>{{"abc", "int64"},
                                                        {"1.5", "int64"},
                                                        {"x", "double"},
                                                        {"yes", "bool"}}) {
    EXPECT_EQ(Run({"set", "n", value, "--type=" + type}).code, kExitUsage);
  }
  EXPECT_EQ(Ok({"get", "n"}), "1\n");
}

TEST_F(CommandsTest, SetUnknownTypeIsAUsageError) {
  RunResult r = Run({"set", "k", "v", "--type=float"});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_THAT(r.err, StartsWith("kvstore: set: unknown type 'float'"));
  EXPECT_FALSE(store_.Exists());
}

TEST_F(CommandsTest, OverlongOrEmptyKeyOrValueExitsThreeAndChangesNothing) {
  ASSERT_EQ(Run({"create", "--max-key-bytes=4", "--max-value-bytes=8"}).code,
            kExitOk);
  Ok({"set", "k", "old"});
  const std::vector<std::string> refused[] = {
      {"set", "k", "123456789"}, {"set", "12345", "v"}, {"set", "", "v"},
      {"get", "12345"},          {"incr", "12345"},
  };
  for (const std::vector<std::string>& args : refused) {
    RunResult r = Run(args);
    EXPECT_EQ(r.code, kExitFailure) << args[0] << " " << args[1];
    EXPECT_THAT(r.err, StartsWith("kvstore: "));
  }
  EXPECT_EQ(Ok({"get", "k"}), "old\n");
  EXPECT_EQ(Ok({"list"}), "k\tstring\told\n");
}

TEST_F(CommandsTest, FullStoreRefusesNewKeysButTakesOverwrites) {
  ASSERT_EQ(Run({"create", "--capacity=1"}).code, kExitOk);
  Ok({"set", "a", "1"});
  RunResult r = Run({"set", "b", "2"});
  EXPECT_EQ(r.code, kExitFailure);
  EXPECT_THAT(r.err, HasSubstr("is full"));
  EXPECT_EQ(Run({"incr", "c"}).code, kExitFailure);
  Ok({"set", "a", "3"});
  EXPECT_EQ(Ok({"list"}), "a\tstring\t3\n");
}

TEST_F(CommandsTest, ListPrintsSortedTabSeparatedLines) {
  Ok({"set", "b", "2", "--type=int64"});
  Ok({"set", "a", "one"});
  Ok({"set", "c", "true", "--type=bool"});
  EXPECT_EQ(Ok({"list"}), "a\tstring\tone\nb\tint64\t2\nc\tbool\ttrue\n");
}

TEST_F(CommandsTest, ListEscapesTabsNewlinesAndBackslashes) {
  Ok({"set", "k\tx", "l1\nl2\\"});
  EXPECT_EQ(Ok({"list"}), "k\\tx\tstring\tl1\\nl2\\\\\n");
}

TEST_F(CommandsTest, ListPrefixSelectsKeys) {
  Ok({"set", "user:1", "ann"});
  Ok({"set", "user:2", "bob"});
  Ok({"set", "session", "x"});
  EXPECT_EQ(Ok({"list", "--prefix=user:"}),
            "user:1\tstring\tann\nuser:2\tstring\tbob\n");
  EXPECT_EQ(Ok({"list", "--prefix", "none"}), "");
}

TEST_F(CommandsTest, ListJsonIsOneArray) {
  Ok({"set", "b", "2", "--type=int64"});
  Ok({"set", "a", "one"});
  std::string out = Ok({"list", "--json"});
  EXPECT_EQ(out, R"([{"key":"a","type":"string","value":"one"},)"
                 R"({"key":"b","type":"int64","value":2}])"
                 "\n");
  absl::StatusOr<JsonValue> v = ParseJson(out);
  ASSERT_OK(v);
  EXPECT_EQ(v->array.size(), 2u);
}

TEST_F(CommandsTest, ListOfAnEmptyStore) {
  ASSERT_EQ(Run({"create"}).code, kExitOk);
  EXPECT_EQ(Ok({"list"}), "");
  EXPECT_EQ(Ok({"list", "--json"}), "[]\n");
}

}  // namespace
}  // namespace cli
}  // namespace kvstore
