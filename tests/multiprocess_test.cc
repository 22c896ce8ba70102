// Unrelated processes (fork/exec of tests/worker) sharing one store.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "kvstore/store.h"
#include "tests/status_matchers.h"
#include "tests/test_util.h"

namespace kvstore {
namespace {

using ::kvstore::testing::ProcessResult;
using ::kvstore::testing::RunfilePath;
using ::kvstore::testing::RunProcess;
using ::kvstore::testing::ScopedStoreName;
using ::kvstore::testing::StartProcess;
using ::kvstore::testing::StatusIs;
using ::kvstore::testing::WaitProcess;

std::string Worker() { return RunfilePath("tests/worker"); }

TEST(MultiProcessTest, StateSurvivesTheWritersExit) {
  ScopedStoreName name;
  ProcessResult set = RunProcess({Worker(), "set", name.name(), "k", "v1"});
  ASSERT_EQ(set.exit_code, 0) << set.err;
  // The writer has exited; a second process and this one both see it.
  ProcessResult get = RunProcess({Worker(), "get", name.name(), "k"});
  EXPECT_EQ(get.exit_code, 0) << get.err;
  EXPECT_EQ(get.out, "v1\n");
  auto store = Store::Open(name.name());
  ASSERT_OK(store);
  EXPECT_EQ(*(*store)->Get<std::string>("k"), "v1");
}

TEST(MultiProcessTest, WritesOfOneProcessAreSeenByAnother) {
  ScopedStoreName name;
  ASSERT_EQ(RunProcess({Worker(), "create", name.name()}).exit_code, 0);
  auto store = Store::Open(name.name());
  ASSERT_OK(store);
  ASSERT_OK((*store)->Set("from_parent", Value::String("p")));
  EXPECT_EQ(RunProcess({Worker(), "get", name.name(), "from_parent"}).out,
            "p\n");
  ASSERT_EQ(
      RunProcess({Worker(), "erase", name.name(), "from_parent"}).exit_code, 0);
  EXPECT_THAT((*store)->Get("from_parent").status(),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_EQ(RunProcess({Worker(), "get", name.name(), "from_parent"}).exit_code,
            1);
}

TEST(MultiProcessTest, ConcurrentIncrementsAreNeverLost) {
  ScopedStoreName name;
  ASSERT_EQ(RunProcess({Worker(), "create", name.name()}).exit_code, 0);
  constexpr int kProcesses = 4;
  constexpr int kEach = 5000;
  std::vector<pid_t> pids;
  for (int i = 0; i < kProcesses; ++i) {
    pids.push_back(StartProcess(
        {Worker(), "incr", name.name(), "ctr", absl::StrCat(kEach)}));
  }
  for (pid_t pid : pids) EXPECT_EQ(WaitProcess(pid).exit_code, 0);
  auto store = Store::Open(name.name());
  ASSERT_OK(store);
  EXPECT_EQ(*(*store)->Get<int64_t>("ctr"), kProcesses * kEach);
}

TEST(MultiProcessTest, LockFreeReadersNeverSeeTornValues) {
  ScopedStoreName name;
  ASSERT_EQ(RunProcess({Worker(), "create", name.name()}).exit_code, 0);
  std::vector<pid_t> writers, readers;
  for (int i = 0; i < 2; ++i) {
    writers.push_back(StartProcess(
        {Worker(), "pattern-write", name.name(), absl::StrCat(i), "40000"}));
    readers.push_back(
        StartProcess({Worker(), "pattern-read", name.name(), "200000"}));
  }
  for (pid_t pid : writers) EXPECT_EQ(WaitProcess(pid).exit_code, 0);
  for (pid_t pid : readers) EXPECT_EQ(WaitProcess(pid).exit_code, 0);
  auto store = Store::Open(name.name());
  ASSERT_OK(store);
  EXPECT_OK((*store)->Verify());
}

TEST(MultiProcessTest, RacingCreatorsAllGetTheSameStore) {
  ScopedStoreName name;
  std::vector<pid_t> pids;
  for (int i = 0; i < 6; ++i) {
    pids.push_back(StartProcess({Worker(), "incr", name.name(), "ctr", "100"}));
  }
  for (pid_t pid : pids) EXPECT_EQ(WaitProcess(pid).exit_code, 0);
  auto store = Store::Open(name.name());
  ASSERT_OK(store);
  EXPECT_EQ(*(*store)->Get<int64_t>("ctr"), 600);
}

}  // namespace
}  // namespace kvstore
