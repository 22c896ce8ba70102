// The README's promise: two shells share a store through the CLI, and the
// C++ example program sees what the CLI wrote.
#include <string>

#include "gtest/gtest.h"
#include "tests/test_util.h"

namespace kvstore {
namespace {

using ::kvstore::testing::ProcessResult;
using ::kvstore::testing::RunfilePath;
using ::kvstore::testing::RunProcess;
using ::kvstore::testing::ScopedStoreName;

TEST(ReadmeTest, TheCppExampleSeesWhatTheCliWrote) {
  ScopedStoreName name;
  const std::string env = "KVSTORE_STORE=" + name.name();
  const std::string cli = RunfilePath("cli/kvstore");
  ProcessResult set = RunProcess({cli, "set", "greeting", "hello"}, {env});
  ASSERT_EQ(set.exit_code, 0) << set.err;
  // A second "shell".
  EXPECT_EQ(RunProcess({cli, "get", "greeting"}, {env}).out, "hello\n");
  ProcessResult hello = RunProcess({RunfilePath("examples/hello")}, {env});
  EXPECT_EQ(hello.exit_code, 0) << hello.err;
  EXPECT_EQ(hello.out, "greeting: hello\nruns: 1\n");
  // And the CLI sees what the program wrote.
  EXPECT_EQ(RunProcess({cli, "get", "hello:runs"}, {env}).out, "1\n");
}

}  // namespace
}  // namespace kvstore
