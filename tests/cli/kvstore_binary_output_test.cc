// Output errors through the real binary: a full disk or a closed stdout is
// a failure (exit 3 with a message) for every command that prints, never a
// silent success with truncated output.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/cli/run_binary.h"
#include "tests/test_util.h"

namespace kvstore {
namespace cli {
namespace {

using ::kvstore::testing::ProcessResult;
using ::kvstore::testing::ScopedStoreName;
using ::testing::HasSubstr;

class OutputErrorTest : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    ASSERT_EQ(RunBinary({"set", "k", "v", store_.flag()}).exit_code, 0);
    ASSERT_EQ(
        RunBinary({"set", "n", "5", "--type=int64", store_.flag()}).exit_code,
        0);
  }

  // Commands that print something on success.
  std::vector<std::vector<std::string>> PrintingCommands() const {
    return {
        {"get", "k"},       {"get", "k", "--json"},
        {"list"},           {"list", "--json"},
        {"stats"},          {"stats", "--json"},
        {"mget", "k", "n"}, {"scan"},
        {"ttl", "k"},       {"incr", "n"},
        {"check"},          {"schema"},
        {"--help"},         {"get", "--help"},
        {"--version"},      {"help", "set"},
    };
  }

  ScopedStoreName store_;
};

TEST_P(OutputErrorTest, EveryPrintingCommandExits3WithAMessage) {
  const std::string target = GetParam();
  for (std::vector<std::string> args : PrintingCommands()) {
    args.push_back(store_.flag());
    const ProcessResult r = RunBinaryWithStdout(args, target);
    EXPECT_EQ(r.exit_code, 3) << args[0] << " " << args[1] << "\n" << r;
    EXPECT_THAT(r.err, HasSubstr("kvstore: error writing standard output"))
        << args[0];
  }
}

TEST_P(OutputErrorTest, CommandsThatPrintNothingStillSucceed) {
  const ProcessResult r =
      RunBinaryWithStdout({"set", "a", "b", store_.flag()}, GetParam());
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(RunBinary({"get", "a", store_.flag()}).out, "b\n");
}

TEST(OutputErrorTest, FullDiskNamesTheReason) {
  ScopedStoreName store;
  ASSERT_EQ(RunBinary({"set", "k", "v", store.flag()}).exit_code, 0);
  const ProcessResult r =
      RunBinaryWithStdout({"get", "k", store.flag()}, "/dev/full");
  EXPECT_EQ(r.err,
            "kvstore: error writing standard output: No space left on "
            "device\n");
}

TEST(OutputErrorTest, ClosedStdoutNeverLandsInTheStore) {
  // With fd 1 closed, the store would be opened as fd 1; the tool must not
  // write its output into the store.
  ScopedStoreName store;
  ASSERT_EQ(RunBinary({"set", "k", "v", store.flag()}).exit_code, 0);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(RunBinaryWithStdout({"get", "k", store.flag()}, "").exit_code, 3);
  }
  const ProcessResult check = RunBinary({"check", store.flag()});
  EXPECT_EQ(check.exit_code, 0) << check;
  EXPECT_EQ(RunBinary({"get", "k", store.flag()}).out, "v\n");
}

INSTANTIATE_TEST_SUITE_P(FullDiskAndClosedStdout, OutputErrorTest,
                         ::testing::Values("/dev/full", ""));

}  // namespace
}  // namespace cli
}  // namespace kvstore
