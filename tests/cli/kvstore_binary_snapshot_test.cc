// dump, restore and upgrade through the real binary: files, pipes, exit
// codes, and what a bad file or an existing store leaves behind.
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/cli/run_binary.h"
#include "tests/cli/test_store.h"

namespace kvstore {
namespace cli {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;

TEST(SnapshotCommandsTest, DumpToAFileAndRestoreIt) {
  TestStore from, to;
  ASSERT_EQ(RunBinary({"set", "k", "v", from.flag()}).code, 0);
  ASSERT_EQ(RunBinary({"set", "n", "5", "--type=int64", from.flag()}).code, 0);
  const std::string file = ::testing::TempDir() + "/cli.kvdump";
  Result dumped = RunBinary({"dump", file, from.flag()});
  ASSERT_EQ(dumped.code, 0) << dumped;
  EXPECT_THAT(dumped.out, IsEmpty());
  Result restored = RunBinary({"restore", file, to.flag()});
  ASSERT_EQ(restored.code, 0) << restored;
  EXPECT_EQ(RunBinary({"list", to.flag()}).out,
            RunBinary({"list", from.flag()}).out);
  // An existing store: refused, then replaced when asked.
  Result again = RunBinary({"restore", file, to.flag()});
  EXPECT_EQ(again.code, 3) << again;
  EXPECT_THAT(again.err, HasSubstr("exists"));
  ASSERT_EQ(RunBinary({"set", "extra", "x", to.flag()}).code, 0);
  ASSERT_EQ(RunBinary({"restore", file, "--replace", to.flag()}).code, 0);
  EXPECT_EQ(RunBinary({"get", "extra", to.flag()}).code, 1);
}

TEST(SnapshotCommandsTest, DumpToStdoutRestoresFromStdin) {
  TestStore from, to;
  ASSERT_EQ(RunBinary({"set", "k", "v", from.flag()}).code, 0);
  Result dumped = RunBinary({"dump", "-", from.flag()});
  ASSERT_EQ(dumped.code, 0) << dumped;
  EXPECT_EQ(dumped.out.substr(0, 6), "KVDUMP");
  Result restored = RunBinaryWithInput({"restore", "-", to.flag()}, dumped.out);
  ASSERT_EQ(restored.code, 0) << restored;
  EXPECT_EQ(RunBinary({"get", "k", to.flag()}).out, "v\n");
}

TEST(SnapshotCommandsTest, AForeignOrDamagedFileIsRefusedAndCreatesNothing) {
  TestStore from, to;
  ASSERT_EQ(RunBinary({"set", "k", "v", from.flag()}).code, 0);
  Result foreign = RunBinaryWithInput({"restore", "-", to.flag()}, "hello\n");
  EXPECT_EQ(foreign.code, 3) << foreign;
  EXPECT_THAT(foreign.err, HasSubstr("not a kvstore dump"));
  std::string dump = RunBinary({"dump", from.flag()}).out;
  dump.resize(dump.size() - 5);
  Result cut = RunBinaryWithInput({"restore", "-", to.flag()}, dump);
  EXPECT_EQ(cut.code, 3) << cut;
  EXPECT_THAT(cut.err, HasSubstr("truncated"));
  EXPECT_FALSE(to.Exists());
  Result usage = RunBinary({"restore", to.flag()});
  EXPECT_EQ(usage.code, 2) << usage;
}

TEST(SnapshotCommandsTest, ResizeGrowsAStoreInUseAndKeepsItsEntries) {
  TestStore store;
  ASSERT_EQ(RunBinary({"create", "--capacity=1", store.flag()}).code, 0);
  ASSERT_EQ(RunBinary({"set", "a", "1", store.flag()}).code, 0);
  EXPECT_EQ(RunBinary({"set", "b", "2", store.flag()}).code, 3);  // Full.
  Result r = RunBinary({"resize", "--capacity=10", store.flag()});
  ASSERT_EQ(r.code, 0) << r;
  EXPECT_THAT(r.err, HasSubstr("writers waited"));
  EXPECT_EQ(RunBinary({"set", "b", "2", store.flag()}).code, 0);
  EXPECT_EQ(RunBinary({"get", "a", store.flag()}).out, "1\n");
  EXPECT_THAT(RunBinary({"stats", store.flag()}).out,
              HasSubstr("\ncapacity: 10\n"));
  Result shrink = RunBinary({"resize", "--capacity=1", store.flag()});
  EXPECT_EQ(shrink.code, 3) << shrink;
  EXPECT_EQ(RunBinary({"resize", store.flag()}).code, 2);
}

TEST(SnapshotCommandsTest, UpgradeOfACurrentStoreSaysSo) {
  TestStore store;
  ASSERT_EQ(RunBinary({"set", "k", "v", store.flag()}).code, 0);
  Result r = RunBinary({"upgrade", store.flag()});
  EXPECT_EQ(r.code, 3) << r;
  EXPECT_THAT(r.err, HasSubstr("already of format 3"));
}

}  // namespace
}  // namespace cli
}  // namespace kvstore
