// Resource limits: a /dev/shm too small for the store, and many processes
// hammering one store at once.
#include <sys/statvfs.h>
#include <sys/wait.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "kvstore/store.h"
#include "tests/status_matchers.h"
#include "tests/test_util.h"

namespace kvstore {
namespace {

using ::kvstore::testing::RunfilePath;
using ::kvstore::testing::RunProcess;
using ::kvstore::testing::ScopedStoreName;
using ::kvstore::testing::ShmExists;
using ::kvstore::testing::StartProcess;
using ::kvstore::testing::StatusIs;
using ::kvstore::testing::WaitProcess;

TEST(LimitsTest, StoreLargerThanDevShmFailsUpFrontWithSizesAndAHint) {
  struct statvfs vfs;
  ASSERT_EQ(statvfs("/dev/shm", &vfs), 0);
  const uint64_t total = uint64_t{vfs.f_blocks} * vfs.f_frsize;
  ScopedStoreName name;
  Options o;
  o.create_if_missing = true;
  // A data area twice the size of the whole filesystem: posix_fallocate
  // refuses it before touching a page (no SIGBUS later, nothing left
  // behind).
  o.memory = 2 * total;
  absl::Status s = Store::Open(name.name(), o).status();
  ASSERT_THAT(s, StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_NE(s.message().find("bytes needed"), std::string::npos) << s;
  EXPECT_NE(s.message().find("free in /dev/shm"), std::string::npos) << s;
  EXPECT_NE(s.message().find("--shm-size"), std::string::npos) << s;
  EXPECT_FALSE(ShmExists(name.name()));
}

TEST(LimitsTest, AStoreLargerThanDevShmFailsUpFrontAlsoWithProgress) {
  struct statvfs vfs;
  ASSERT_EQ(statvfs("/dev/shm", &vfs), 0);
  const uint64_t total = uint64_t{vfs.f_blocks} * vfs.f_frsize;
  ScopedStoreName name;
  Options o;
  o.create_if_missing = true;
  o.memory = 2 * total;
  // Reserving in steps for progress must not fill /dev/shm step by step.
  uint64_t reported = 0;
  o.creation_progress = [&](uint64_t done, uint64_t) { reported = done; };
  absl::Status s = Store::Open(name.name(), o).status();
  ASSERT_THAT(s, StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_NE(s.message().find("free in /dev/shm"), std::string::npos) << s;
  EXPECT_EQ(reported, 0u);
  EXPECT_FALSE(ShmExists(name.name()));
}

TEST(LimitsTest, ThirtyTwoProcessesHammeringOneStoreKeepEveryInvariant) {
  ScopedStoreName name;
  const std::string worker = RunfilePath("tests/worker");
  ASSERT_EQ(RunProcess({worker, "create", name.name()}).exit_code, 0);
  constexpr int kIncrementers = 16, kEach = 2000;
  std::vector<pid_t> pids;
  for (int i = 0; i < kIncrementers; ++i) {
    pids.push_back(StartProcess(
        {worker, "incr", name.name(), "ctr", absl::StrCat(kEach)}));
  }
  for (int i = 0; i < 8; ++i) {
    pids.push_back(StartProcess(
        {worker, "pattern-write", name.name(), absl::StrCat(i), "5000"}));
    pids.push_back(
        StartProcess({worker, "pattern-read", name.name(), "20000"}));
  }
  ASSERT_EQ(pids.size(), 32u);
  for (pid_t pid : pids) {
    EXPECT_EQ(WaitProcess(pid).exit_code, 0);
  }
  auto store = Store::Open(name.name());
  ASSERT_OK(store);
  EXPECT_EQ(*(*store)->Get<int64_t>("ctr"), kIncrementers * kEach);
  EXPECT_OK((*store)->Verify());
  absl::StatusOr<StoreStats> stats = (*store)->Stats();
  EXPECT_EQ(stats->recoveries, 0u);
}

}  // namespace
}  // namespace kvstore
