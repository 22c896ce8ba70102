// The commands added for redis-cli users: exists, type, decr, del of
// several keys and by prefix, clear, set --nx/--xx, cas and getdel.
#include <string>
#include <vector>

#include "cli/commands.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/cli/run_cli.h"
#include "tests/cli/test_store.h"

namespace kvstore {
namespace cli {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;

class KeyCommandsTest : public ::testing::Test {
 protected:
  RunResult Run(std::vector<std::string> args) {
    args.insert(args.begin(), store_.flag());
    return RunCli(args);
  }
  std::string Ok(std::vector<std::string> args) {
    RunResult r = Run(args);
    EXPECT_EQ(r.code, kExitOk) << r;
    return r.out;
  }

  TestStore store_;
};

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
  EXPECT_EQ(r.err, "kvstore: key 'nope' not found in store " + store_.name() +
                       "\n");
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

TEST_F(KeyCommandsTest, GetDelPrintsAndDeletes) {
  Ok({"set", "k", "v"});
  EXPECT_EQ(Ok({"getdel", "k"}), "v\n");
  EXPECT_EQ(Run({"getdel", "k"}).code, kExitNotFound);
  EXPECT_EQ(Run({"exists", "k"}).code, kExitNotFound);
}

}  // namespace
}  // namespace cli
}  // namespace kvstore
