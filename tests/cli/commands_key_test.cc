// The commands added for redis-cli users: exists, type, decr, del of
// several keys and by prefix, clear, set --nx/--xx, cas (by value and by
// version) and getdel.
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
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
using ::testing::HasSubstr;
using ::testing::IsEmpty;

class KeyCommandsTest : public CliTest {};

TEST_F(KeyCommandsTest, ExistsExitsZeroOrOneAndPrintsNothing) {
  Ok({"set", "k", "v"});
  RunResult r = Run({"exists", "k"});
  EXPECT_EQ(r.code, kExitOk);
  EXPECT_THAT(r.out, IsEmpty());
  r = Run({"exists", "nope"});
  EXPECT_EQ(r.code, kExitNotFound);
  EXPECT_THAT(r.out + r.err, IsEmpty());
}

TEST_F(KeyCommandsTest, TypePrintsTheTypeName) {
  Ok({"set", "s", "x"});
  Ok({"set", "i", "1", "--type=int64"});
  Ok({"set", "d", "1.5", "--type=double"});
  Ok({"set", "b", "true", "--type=bool"});
  Ok({"set", "y", "x", "--type=bytes"});
  EXPECT_EQ(Ok({"type", "s"}), "string\n");
  EXPECT_EQ(Ok({"type", "i"}), "int64\n");
  EXPECT_EQ(Ok({"type", "d"}), "double\n");
  EXPECT_EQ(Ok({"type", "b"}), "bool\n");
  EXPECT_EQ(Ok({"type", "y"}), "bytes\n");
  EXPECT_EQ(Run({"type", "nope"}).code, kExitNotFound);
}

TEST_F(KeyCommandsTest, DecrSubtracts) {
  EXPECT_EQ(Ok({"decr", "n"}), "-1\n");
  EXPECT_EQ(Ok({"decr", "n", "10"}), "-11\n");
  EXPECT_EQ(Ok({"decr", "n", "-1"}), "-10\n");
  EXPECT_EQ(Run({"decr", "n", "-9223372036854775808"}).code, kExitUsage);
  EXPECT_EQ(Run({"decr", "n", "x"}).code, kExitUsage);
  EXPECT_EQ(Ok({"get", "n"}), "-10\n");
}

TEST_F(KeyCommandsTest, DelTakesSeveralKeysAndReportsTheMissingOnes) {
  Ok({"mset", "a", "1", "b", "2", "c", "3"});
  RunResult r = Run({"del", "a", "nope", "b"});
  EXPECT_EQ(r.code, kExitNotFound);
  EXPECT_EQ(r.err,
            "kvstore: key 'nope' not found in store " + store_.name() + "\n");
  EXPECT_EQ(Ok({"list"}), "c\tstring\t3\n");
  EXPECT_EQ(Run({"del"}).code, kExitUsage);
}

TEST_F(KeyCommandsTest, DelByPrefixPrintsTheCount) {
  Ok({"mset", "user:1", "a", "user:2", "b", "other", "c"});
  EXPECT_EQ(Ok({"del", "--prefix=user:"}), "2\n");
  EXPECT_EQ(Ok({"list"}), "other\tstring\tc\n");
  EXPECT_EQ(Ok({"del", "--prefix=user:"}), "0\n");
  EXPECT_EQ(Run({"del", "k", "--prefix=user:"}).code, kExitUsage);
}

TEST_F(KeyCommandsTest, DelOfTheWholeStoreNeedsYes) {
  Ok({"mset", "a", "1", "b", "2"});
  RunResult r = Run({"del", "--prefix="});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_THAT(r.err, HasSubstr("add --yes"));
  EXPECT_EQ(Ok({"list"}), "a\tstring\t1\nb\tstring\t2\n");
  EXPECT_EQ(Ok({"del", "--prefix=", "--yes"}), "2\n");
  EXPECT_THAT(Ok({"list"}), IsEmpty());
}

TEST_F(KeyCommandsTest, ClearEmptiesTheStoreAndKeepsIt) {
  Ok({"create", "--capacity=77"});
  Ok({"mset", "a", "1", "b", "2", "c", "3"});
  EXPECT_EQ(Ok({"clear"}), "3\n");
  EXPECT_THAT(Ok({"list"}), IsEmpty());
  EXPECT_THAT(Ok({"stats"}), HasSubstr("capacity: 77\n"));
}

TEST_F(KeyCommandsTest, SetNxWritesOnlyAnAbsentKey) {
  Ok({"set", "k", "first", "--nx"});
  RunResult r = Run({"set", "k", "second", "--nx"});
  EXPECT_EQ(r.code, kExitNotFound);
  EXPECT_THAT(r.err, HasSubstr("exists; nothing written"));
  EXPECT_EQ(Ok({"get", "k"}), "first\n");
  EXPECT_EQ(Run({"set", "k", "x", "--nx", "--xx"}).code, kExitUsage);
}

TEST_F(KeyCommandsTest, SetXxWritesOnlyAPresentKey) {
  Ok({"create"});
  RunResult r = Run({"set", "k", "v", "--xx"});
  EXPECT_EQ(r.code, kExitNotFound);
  EXPECT_THAT(r.err, HasSubstr("does not exist; nothing written"));
  EXPECT_EQ(Run({"exists", "k"}).code, kExitNotFound);
  Ok({"set", "k", "v"});
  Ok({"set", "k", "w", "--xx"});
  EXPECT_EQ(Ok({"get", "k"}), "w\n");
}

TEST_F(KeyCommandsTest, CasReplacesOnlyTheExpectedValue) {
  Ok({"set", "n", "5", "--type=int64"});
  RunResult r = Run({"cas", "n", "4", "9", "--type=int64"});
  EXPECT_EQ(r.code, kExitNotFound);
  EXPECT_THAT(r.err, HasSubstr("does not hold the expected value"));
  Ok({"cas", "n", "5", "9", "--type=int64"});
  EXPECT_EQ(Ok({"get", "n"}), "9\n");
  // "9" as a string is not the int64 9.
  EXPECT_EQ(Run({"cas", "n", "9", "10"}).code, kExitNotFound);
  EXPECT_EQ(Run({"cas", "nope", "a", "b"}).code, kExitNotFound);
  EXPECT_EQ(Run({"cas", "n", "x", "1", "--type=int64"}).code, kExitUsage);
}

TEST_F(KeyCommandsTest, GetWithVersionPrintsTheVersionBeforeTheValue) {
  Ok({"set", "k", "v"});
  const std::string out = Ok({"get", "k", "--with-version"});
  const std::vector<std::string> lines = absl::StrSplit(out, '\n');
  ASSERT_EQ(lines.size(), 3u) << out;
  uint64_t version = 0;
  ASSERT_TRUE(absl::SimpleAtoi(lines[0], &version)) << out;
  EXPECT_GT(version, 0u);
  EXPECT_EQ(lines[1], "v");
  // Unchanged by reads; changed by a write of the same value.
  EXPECT_EQ(Ok({"get", "k", "--with-version"}), out);
  Ok({"set", "k", "v"});
  EXPECT_NE(Ok({"get", "k", "--with-version"}), out);
  EXPECT_EQ(Run({"get", "nope", "--with-version"}).code, kExitNotFound);
}

TEST_F(KeyCommandsTest, GetWithVersionAndJsonAddsAVersionMember) {
  Ok({"set", "n", "3", "--type=int64"});
  const std::string plain = Ok({"get", "n", "--with-version"});
  const std::string version = plain.substr(0, plain.find('\n'));
  EXPECT_EQ(Ok({"get", "n", "--with-version", "--json"}),
            absl::StrCat(R"({"key":"n","type":"int64","value":3,"version":)",
                         version, "}\n"));
}

TEST_F(KeyCommandsTest, CasIfVersionReplacesOnlyAnUnchangedEntry) {
  Ok({"set", "k", "a"});
  std::string out = Ok({"get", "k", "--with-version"});
  const std::string read = out.substr(0, out.find('\n'));
  Ok({"set", "k", "b"});  // Another writer comes first.
  RunResult r = Run({"cas", "k", "c", absl::StrCat("--if-version=", read)});
  EXPECT_EQ(r.code, kExitNotFound) << r;
  EXPECT_THAT(r.err, HasSubstr("was written since version " + read));
  EXPECT_EQ(Ok({"get", "k"}), "b\n");
  out = Ok({"get", "k", "--with-version"});
  const std::string now = out.substr(0, out.find('\n'));
  Ok({"cas", "k", "7", "--if-version", now, "--type=int64", "--ttl=1h"});
  EXPECT_EQ(Ok({"type", "k"}), "int64\n");
  EXPECT_EQ(Ok({"get", "k"}), "7\n");
  // The version is used up by the write it allowed.
  EXPECT_EQ(Run({"cas", "k", "8", "--if-version=" + now}).code, kExitNotFound);
  EXPECT_EQ(Run({"cas", "nope", "x", "--if-version=" + now}).code,
            kExitNotFound);
}

TEST_F(KeyCommandsTest, CasIfVersionRefusesBadInputAndChangesNothing) {
  Ok({"set", "k", "a"});
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{
           {"cas", "k", "a", "b", "--if-version=1"},  // EXPECTED too.
           {"cas", "k", "b", "--if-version=0"},
           {"cas", "k", "b", "--if-version=x"},
           {"cas", "k", "b", "--if-version=281474976710656"},  // 2^48.
           {"cas", "k", "x", "--if-version=1", "--type=int64"},
           {"cas", "k", "b"},  // Neither EXPECTED nor --if-version.
       }) {
    RunResult r = Run(args);
    EXPECT_EQ(r.code, kExitUsage) << absl::StrJoin(args, " ") << "\n" << r;
  }
  EXPECT_EQ(Ok({"get", "k"}), "a\n");
}

TEST_F(KeyCommandsTest, GetDelPrintsAndDeletes) {
  Ok({"set", "k", "v"});
  EXPECT_EQ(Ok({"getdel", "k"}), "v\n");
  EXPECT_EQ(Run({"getdel", "k"}).code, kExitNotFound);
  EXPECT_EQ(Run({"exists", "k"}).code, kExitNotFound);
}

}  // namespace
}  // namespace cli
}  // namespace kvstore
