// The documented example builds (it is a target) and runs as documented.
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/test_util.h"

namespace kvstore_test {
namespace {

using ::kvstore::testing::ProcessResult;
using ::kvstore::testing::RunfilePath;
using ::kvstore::testing::RunProcess;
using ::kvstore::testing::ScopedStoreName;
using ::kvstore::testing::ShmExists;

TEST(ReadmeExampleTest, PrintsTheViewCountAndRemovesItsStore) {
  ScopedStoreName name("readme");
  ProcessResult r =
      RunProcess({RunfilePath("tests/typed/readme_example"), name.name()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "Home: 1 view(s)\n");
  EXPECT_FALSE(ShmExists(name.name()));
}

}  // namespace
}  // namespace kvstore_test
