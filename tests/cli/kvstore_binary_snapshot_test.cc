// dump, restore and upgrade through the real binary: files, pipes, exit
// codes, and what a bad file or an existing store leaves behind.
#include <string>

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
using ::testing::IsEmpty;

TEST(SnapshotCommandsTest, DumpToAFileAndRestoreIt) {
  ScopedStoreName from, to;
  ASSERT_EQ(RunBinary({"set", "k", "v", from.flag()}).exit_code, 0);
  ASSERT_EQ(RunBinary({"set", "n", "5", "--type=int64", from.flag()}).exit_code,
            0);
  const std::string file = ::testing::TempDir() + "/cli.kvdump";
  ProcessResult dumped = RunBinary({"dump", file, from.flag()});
  ASSERT_EQ(dumped.exit_code, 0) << dumped;
  EXPECT_THAT(dumped.out, IsEmpty());
  ProcessResult restored = RunBinary({"restore", file, to.flag()});
  ASSERT_EQ(restored.exit_code, 0) << restored;
  EXPECT_EQ(RunBinary({"list", to.flag()}).out,
            RunBinary({"list", from.flag()}).out);
  // An existing store: refused, then replaced when asked.
  ProcessResult again = RunBinary({"restore", file, to.flag()});
  EXPECT_EQ(again.exit_code, 3) << again;
  EXPECT_THAT(again.err, HasSubstr("exists"));
  ASSERT_EQ(RunBinary({"set", "extra", "x", to.flag()}).exit_code, 0);
  ASSERT_EQ(RunBinary({"restore", file, "--replace", to.flag()}).exit_code, 0);
  EXPECT_EQ(RunBinary({"get", "extra", to.flag()}).exit_code, 1);
}

TEST(SnapshotCommandsTest, DumpToStdoutRestoresFromStdin) {
  ScopedStoreName from, to;
  ASSERT_EQ(RunBinary({"set", "k", "v", from.flag()}).exit_code, 0);
  ProcessResult dumped = RunBinary({"dump", "-", from.flag()});
  ASSERT_EQ(dumped.exit_code, 0) << dumped;
  EXPECT_EQ(dumped.out.substr(0, 6), "KVDUMP");
  ProcessResult restored =
      RunBinaryWithInput({"restore", "-", to.flag()}, dumped.out);
  ASSERT_EQ(restored.exit_code, 0) << restored;
  EXPECT_EQ(RunBinary({"get", "k", to.flag()}).out, "v\n");
}

TEST(SnapshotCommandsTest, AForeignOrDamagedFileIsRefusedAndCreatesNothing) {
  ScopedStoreName from, to;
  ASSERT_EQ(RunBinary({"set", "k", "v", from.flag()}).exit_code, 0);
  ProcessResult foreign =
      RunBinaryWithInput({"restore", "-", to.flag()}, "hello\n");
  EXPECT_EQ(foreign.exit_code, 3) << foreign;
  EXPECT_THAT(foreign.err, HasSubstr("not a kvstore dump"));
  std::string dump = RunBinary({"dump", from.flag()}).out;
  dump.resize(dump.size() - 5);
  ProcessResult cut = RunBinaryWithInput({"restore", "-", to.flag()}, dump);
  EXPECT_EQ(cut.exit_code, 3) << cut;
  EXPECT_THAT(cut.err, HasSubstr("truncated"));
  EXPECT_FALSE(to.Exists());
  ProcessResult usage = RunBinary({"restore", to.flag()});
  EXPECT_EQ(usage.exit_code, 2) << usage;
}

TEST(SnapshotCommandsTest, ResizeGrowsAStoreInUseAndKeepsItsEntries) {
  ScopedStoreName store;
  ASSERT_EQ(RunBinary({"create", "--capacity=1", store.flag()}).exit_code, 0);
  ASSERT_EQ(RunBinary({"set", "a", "1", store.flag()}).exit_code, 0);
  EXPECT_EQ(RunBinary({"set", "b", "2", store.flag()}).exit_code, 3);  // Full.
  ProcessResult r = RunBinary({"resize", "--capacity=10", store.flag()});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.err, HasSubstr("writers waited"));
  EXPECT_EQ(RunBinary({"set", "b", "2", store.flag()}).exit_code, 0);
  EXPECT_EQ(RunBinary({"get", "a", store.flag()}).out, "1\n");
  EXPECT_THAT(RunBinary({"stats", store.flag()}).out,
              HasSubstr("\ncapacity: 10\n"));
  ProcessResult shrink = RunBinary({"resize", "--capacity=1", store.flag()});
  EXPECT_EQ(shrink.exit_code, 3) << shrink;
  EXPECT_EQ(RunBinary({"resize", store.flag()}).exit_code, 2);
}

TEST(SnapshotCommandsTest, UpgradeOfACurrentStoreSaysSo) {
  ScopedStoreName store;
  ASSERT_EQ(RunBinary({"set", "k", "v", store.flag()}).exit_code, 0);
  ProcessResult r = RunBinary({"upgrade", store.flag()});
  EXPECT_EQ(r.exit_code, 3) << r;
  EXPECT_THAT(r.err, HasSubstr("already of format 3"));
}

}  // namespace
}  // namespace cli
}  // namespace kvstore
