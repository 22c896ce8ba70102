// Cache guarantees across real processes (fork/exec of tests/worker).
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "kvstore/store.h"
#include "tests/status_matchers.h"
#include "tests/test_util.h"

namespace kvstore {
namespace {

using ::kvstore::testing::PollUntil;
using ::kvstore::testing::ProcessResult;
using ::kvstore::testing::ProcessState;
using ::kvstore::testing::RunfilePath;
using ::kvstore::testing::RunProcess;
using ::kvstore::testing::ScopedStoreName;
using ::kvstore::testing::StartProcess;
using ::kvstore::testing::StatusIs;
using ::kvstore::testing::WaitProcess;

std::string Worker() { return RunfilePath("tests/worker"); }

int CountLines(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) ++n;
  return n;
}

TEST(CacheMultiProcessTest, ExactlyOneRacingSetIfAbsentWins) {
  for (int trial = 0; trial < 5; ++trial) {
    ScopedStoreName name;
    ASSERT_EQ(RunProcess({Worker(), "create", name.name()}).exit_code, 0);
    std::vector<pid_t> pids;
    for (int i = 0; i < 6; ++i) {
      pids.push_back(StartProcess(
          {Worker(), "setnx", name.name(), "lock", absl::StrCat("p", i)}));
    }
    int winners = 0;
    for (pid_t pid : pids) {
      int code = WaitProcess(pid).exit_code;
      ASSERT_TRUE(code == 0 || code == 1);
      winners += code == 0;
    }
    EXPECT_EQ(winners, 1);
  }
}

TEST(CacheMultiProcessTest, ExactlyOneRacingGetAndEraseGetsTheValue) {
  ScopedStoreName name;
  ASSERT_EQ(RunProcess({Worker(), "set", name.name(), "job", "42"}).exit_code,
            0);
  std::vector<pid_t> pids;
  for (int i = 0; i < 6; ++i) {
    pids.push_back(StartProcess({Worker(), "getdel", name.name(), "job"}));
  }
  int got = 0;
  for (pid_t pid : pids) got += WaitProcess(pid).exit_code == 0;
  EXPECT_EQ(got, 1);
}

TEST(CacheMultiProcessTest, OnlyOneOfManyProcessesComputesAMissingKey) {
  ScopedStoreName name;
  ASSERT_EQ(RunProcess({Worker(), "create", name.name()}).exit_code, 0);
  const std::string log = ::testing::TempDir() + "/compute_once_log";
  std::remove(log.c_str());
  std::vector<pid_t> pids;
  for (int i = 0; i < 5; ++i) {
    pids.push_back(StartProcess(
        {Worker(), "compute", name.name(), "k", "result", "300", log}));
  }
  for (pid_t pid : pids) EXPECT_EQ(WaitProcess(pid).exit_code, 0);
  EXPECT_EQ(CountLines(log), 1);
  auto store = Store::Open(name.name());
  ASSERT_OK(store);
  EXPECT_EQ(*(*store)->Get<std::string>("k"), "result");
}

TEST(CacheMultiProcessTest, AWaiterTakesOverWhenTheComputingProcessDies) {
  ScopedStoreName name;
  ASSERT_EQ(RunProcess({Worker(), "create", name.name()}).exit_code, 0);
  const std::string log = ::testing::TempDir() + "/compute_takeover_log";
  std::remove(log.c_str());
  // The first computer hangs inside its computation.
  pid_t hung = StartProcess(
      {Worker(), "compute", name.name(), "k", "from_hung", "-1", log});
  ASSERT_TRUE(PollUntil([&] { return CountLines(log) != 0; }));
  ASSERT_EQ(CountLines(log), 1);
  pid_t waiter = StartProcess(
      {Worker(), "compute", name.name(), "k", "from_waiter", "0", log});
  absl::SleepFor(absl::Milliseconds(100));
  EXPECT_EQ(CountLines(log), 1) << "the waiter must not compute yet";
  kill(hung, SIGKILL);
  WaitProcess(hung);
  EXPECT_EQ(WaitProcess(waiter).exit_code, 0);
  EXPECT_EQ(CountLines(log), 2);
  auto store = Store::Open(name.name());
  ASSERT_OK(store);
  EXPECT_EQ(*(*store)->Get<std::string>("k"), "from_waiter");
  EXPECT_OK((*store)->Verify());
}

TEST(CacheMultiProcessTest, AWaiterTakesOverFromAKilledComputerNotYetReaped) {
  ScopedStoreName name;
  ASSERT_EQ(RunProcess({Worker(), "create", name.name()}).exit_code, 0);
  const std::string log = ::testing::TempDir() + "/compute_zombie_log";
  std::remove(log.c_str());
  pid_t hung = StartProcess(
      {Worker(), "compute", name.name(), "k", "from_hung", "-1", log});
  ASSERT_TRUE(
      PollUntil([&] { return CountLines(log) != 0; }, absl::Seconds(30)));
  ASSERT_EQ(CountLines(log), 1);
  // Killed, and this parent does not reap it: it stays a zombie, which
  // kill(pid, 0) still finds.
  kill(hung, SIGKILL);
  ASSERT_TRUE(PollUntil([&] { return ProcessState(hung) == 'Z'; }))
      << "state " << ProcessState(hung);
  // The waiter (wait 10 s, lease 30 s) must take over at once, not time out.
  ProcessResult waiter = RunProcess(
      {Worker(), "compute", name.name(), "k", "from_waiter", "0", log});
  EXPECT_EQ(ProcessState(hung), 'Z') << "the computer was reaped meanwhile";
  WaitProcess(hung);
  EXPECT_EQ(waiter.exit_code, 0) << waiter.err;
  EXPECT_EQ(waiter.out, "from_waiter\n");
  EXPECT_EQ(CountLines(log), 2);
}

TEST(CacheMultiProcessTest, ExpiryIsSeenIdenticallyByTwoProcesses) {
  ScopedStoreName name;
  ASSERT_EQ(RunProcess({Worker(), "create", name.name()}).exit_code, 0);
  auto store = Store::Open(name.name());
  ASSERT_OK(store);
  // A time to live no slow machine outlives, then a short one whose end a
  // sleep passes for sure: no timing decides the outcome.
  WriteOptions o;
  o.ttl = absl::Hours(1);
  ASSERT_OK((*store)->Set("k", Value::String("v"), o));
  // Another process sees the same deadline (to within scheduling).
  ProcessResult ttl = RunProcess({Worker(), "ttl", name.name(), "k"});
  ASSERT_EQ(ttl.exit_code, 0);
  int64_t other_ms = 0;
  ASSERT_TRUE(
      absl::SimpleAtoi(ttl.out.substr(0, ttl.out.size() - 1), &other_ms));
  int64_t own_ms = absl::ToInt64Milliseconds(*(*store)->Ttl("k"));
  EXPECT_LE(other_ms, 3600000);
  EXPECT_GE(other_ms, own_ms);  // Read before ours: at least as much left.
  EXPECT_EQ(RunProcess({Worker(), "get", name.name(), "k"}).out, "v\n");
  ASSERT_OK((*store)->Expire("k", absl::Milliseconds(1)));
  absl::SleepFor(absl::Milliseconds(10));
  // Expired for both; the writer process is long gone.
  EXPECT_EQ(RunProcess({Worker(), "get", name.name(), "k"}).exit_code, 1);
  EXPECT_THAT((*store)->Get("k").status(),
              StatusIs(absl::StatusCode::kNotFound));
}

TEST(CacheMultiProcessTest, StatsAreSummedOverProcesses) {
  ScopedStoreName name;
  ASSERT_EQ(RunProcess({Worker(), "set", name.name(), "k", "v"}).exit_code, 0);
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(RunProcess({Worker(), "get", name.name(), "k"}).exit_code, 0);
  }
  ASSERT_EQ(RunProcess({Worker(), "get", name.name(), "nope"}).exit_code, 1);
  auto store = Store::Open(name.name());
  ASSERT_OK(store);
  absl::StatusOr<StoreStats> s = (*store)->Stats();
  EXPECT_EQ(s->hits, 3u);
  EXPECT_EQ(s->misses, 1u);
  EXPECT_EQ(s->sets, 1u);
}

}  // namespace
}  // namespace kvstore
