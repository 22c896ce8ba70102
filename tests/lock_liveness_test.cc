// Nobody hangs on the store's lock: a waiter is never stranded on a free
// lock, however processes die, and a caller can bound its wait.
//
// The stranding interleaving (a robust futex's lost wake-up) is made
// deterministic by scheduling, not by timing: the holder and the waiter to
// be killed share one CPU, and that waiter runs at SCHED_IDLE, which never
// preempts the holder. So between the holder's unlock (which wakes it) and
// the holder's next lock, the woken waiter cannot run, and is killed there.
#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "kvstore/internal/layout.h"
#include "kvstore/store.h"
#include "tests/status_matchers.h"
#include "tests/test_util.h"

namespace kvstore {
namespace {

using ::kvstore::testing::ProcessState;
using ::kvstore::testing::RunfilePath;
using ::kvstore::testing::RunProcess;
using ::kvstore::testing::ScopedStoreName;
using ::kvstore::testing::StartProcess;
using ::kvstore::testing::StatusIs;
using ::kvstore::testing::WaitProcess;

std::string Worker() { return RunfilePath("tests/worker"); }

// The store's header, mapped by the test to hold the lock itself.
class MappedHeader {
 public:
  explicit MappedHeader(const std::string& name) {
    const int fd = shm_open(name.c_str(), O_RDWR, 0);
    if (fd < 0) return;
    void* p = mmap(nullptr, internal::kHeaderBytes, PROT_READ | PROT_WRITE,
                   MAP_SHARED, fd, 0);
    close(fd);
    if (p != MAP_FAILED) header_ = static_cast<internal::Header*>(p);
  }
  ~MappedHeader() {
    if (header_ != nullptr) munmap(header_, internal::kHeaderBytes);
  }
  internal::Header* get() const { return header_; }
  uint32_t word() const {
    return reinterpret_cast<std::atomic<uint32_t>*>(&header_->mutex)->load();
  }

 private:
  internal::Header* header_ = nullptr;
};

// Pins the calling thread to its current CPU; restores its mask on exit.
class PinnedToOneCpu {
 public:
  PinnedToOneCpu() {
    sched_getaffinity(0, sizeof(saved_), &saved_);
    cpu_ = sched_getcpu();
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(cpu_, &one);
    sched_setaffinity(0, sizeof(one), &one);
  }
  ~PinnedToOneCpu() { sched_setaffinity(0, sizeof(saved_), &saved_); }
  const cpu_set_t& saved() const { return saved_; }
  // The other CPUs of the saved mask (all of it if there are none), so
  // that a process there never preempts the pinned one.
  cpu_set_t others() const {
    cpu_set_t rest = saved_;
    CPU_CLR(cpu_, &rest);
    return CPU_COUNT(&rest) > 0 ? rest : saved_;
  }

 private:
  cpu_set_t saved_;
  int cpu_ = 0;
};

// Starts `argv` (fork/exec). With `idle`, the child runs at SCHED_IDLE on
// the parent's (pinned) CPU; otherwise on every CPU of `all`.
pid_t StartWorker(const std::vector<std::string>& args, bool idle,
                  const cpu_set_t& all) {
  std::vector<char*> argv;
  for (const std::string& a : args)
    argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {
    if (idle) {
      struct sched_param param = {};
      if (sched_setscheduler(0, SCHED_IDLE, &param) != 0) _exit(120);
    } else {
      sched_setaffinity(0, sizeof(all), &all);
    }
    execv(argv[0], argv.data());
    _exit(127);
  }
  return pid;
}

// True once `pid` sleeps in the futex system call (its lock wait).
bool InFutexWait(pid_t pid) {
  std::ifstream f(absl::StrCat("/proc/", pid, "/syscall"));
  long nr = -1;
  return f >> nr && nr == SYS_futex;
}

// Polls `done` every millisecond until it holds or `limit` passes.
template <typename Fn>
bool PollUntil(Fn done, absl::Duration limit) {
  const absl::Time deadline = absl::Now() + limit;
  while (!done()) {
    if (absl::Now() >= deadline) return false;
    absl::SleepFor(absl::Milliseconds(1));
  }
  return true;
}

// Reaps `pid` if it has exited; returns its wait status or -1.
// How `pid` ended, if it has; nullopt while it runs.
std::optional<testing::ProcessResult> TryReap(pid_t pid) {
  int status = 0;
  if (waitpid(pid, &status, WNOHANG) != pid) return std::nullopt;
  return testing::FromWaitStatus(status);
}

TEST(LockLivenessTest, AWokenWaiterKilledBeforeItRunsStrandsNoOtherWaiter) {
  ScopedStoreName name;
  ASSERT_EQ(RunProcess({Worker(), "create", name.name()}).exit_code, 0);
  MappedHeader header(name.name());
  ASSERT_NE(header.get(), nullptr);
  PinnedToOneCpu pinned;
  pthread_mutex_t* mu = &header.get()->mutex;

  // This process holds the lock; two writers come to wait for it, the
  // first (to be killed) queued first on the futex.
  ASSERT_EQ(pthread_mutex_lock(mu), 0);
  const pid_t doomed = StartWorker(
      {Worker(), "set", name.name(), "doomed", "x"}, true, pinned.saved());
  bool queued = PollUntil(
      [&] {
        return InFutexWait(doomed) && (header.word() & FUTEX_WAITERS) != 0;
      },
      absl::Seconds(30));
  const pid_t stranded = StartWorker(
      {Worker(), "set", name.name(), "stranded", "y"}, false, pinned.others());
  queued = queued &&
           PollUntil([&] { return InFutexWait(stranded); }, absl::Seconds(30));
  if (!queued) {
    pthread_mutex_unlock(mu);
    kill(doomed, SIGKILL);
    kill(stranded, SIGKILL);
    WaitProcess(doomed);
    WaitProcess(stranded);
    FAIL() << "the writers never slept on the lock";
  }

  // Unlock (waking the doomed waiter, which cannot run on this CPU yet),
  // kill it, and take the free lock on the fast path: the word loses
  // FUTEX_WAITERS while the stranded writer still sleeps.
  pthread_mutex_unlock(mu);
  kill(doomed, SIGKILL);
  ASSERT_EQ(pthread_mutex_lock(mu), 0);
  // On a loaded machine this process can still be preempted between the
  // unlock and the kill, and the doomed writer finish first; then the
  // interleaving did not happen, but the stranded writer must finish all
  // the same.
  const testing::ProcessResult doomed_end = WaitProcess(doomed);
  const bool killed = doomed_end.signal == SIGKILL;
  EXPECT_TRUE(killed || doomed_end.exit_code == 0) << doomed_end;
  const bool waiters_flag_lost = (header.word() & FUTEX_WAITERS) == 0;
  pthread_mutex_unlock(mu);

  // The stranded writer must now get the free lock. Before the fix it
  // slept until another caller came (here: never).
  const absl::Time unlocked = absl::Now();
  std::optional<testing::ProcessResult> stranded_end;
  const bool finished =
      PollUntil([&] { return (stranded_end = TryReap(stranded)).has_value(); },
                absl::Seconds(20));
  if (!finished) {
    kill(stranded, SIGKILL);
    WaitProcess(stranded);
  }
  ASSERT_TRUE(finished) << "a writer slept on a free lock for 20 s"
                        << (waiters_flag_lost ? " (FUTEX_WAITERS was lost)"
                                              : "");
  printf("stranded writer got the lock %s after the unlock%s\n",
         absl::FormatDuration(absl::Now() - unlocked).c_str(),
         waiters_flag_lost ? " (FUTEX_WAITERS had been lost)" : "");
  EXPECT_EQ(stranded_end->exit_code, 0) << *stranded_end;
  auto store = Store::Open(name.name());
  ASSERT_OK(store);
  absl::StatusOr<std::string> value = (*store)->Get<std::string>("stranded");
  ASSERT_OK(value);
  EXPECT_EQ(*value, "y");
  if (killed) {
    EXPECT_THAT((*store)->Get("doomed").status(),
                StatusIs(absl::StatusCode::kNotFound));
  }
  EXPECT_OK((*store)->Verify());
  // The stranded writer's wait is in the statistics.
  absl::StatusOr<StoreStats> stats = (*store)->Stats();
  ASSERT_OK(stats);
  EXPECT_GT(stats->longest_lock_wait, absl::ZeroDuration());
}

TEST(LockLivenessTest, ALockTimeoutBoundsAWaitBehindAStoppedHolder) {
  ScopedStoreName name;
  ASSERT_EQ(RunProcess({Worker(), "create", name.name()}).exit_code, 0);
  ASSERT_EQ(RunProcess({Worker(), "set", name.name(), "k", "old"}).exit_code,
            0);
  // A writer stops itself (SIGSTOP) at a step where it holds the lock.
  const pid_t holder = StartProcess(
      {Worker(), "set", name.name(), "k", "new"},
      {"KVSTORE_CRASH_AT=write.applied", "KVSTORE_CRASH_SIGNAL=STOP"});
  ASSERT_TRUE(PollUntil([&] { return ProcessState(holder) == 'T'; },
                        absl::Seconds(30)));

  Options options;
  options.lock_timeout = absl::Milliseconds(20);
  auto store = Store::Open(name.name(), options);
  ASSERT_OK(store);
  absl::Status set = (*store)->Set("other", Value::String("v"));
  EXPECT_THAT(set, StatusIs(absl::StatusCode::kDeadlineExceeded));
  EXPECT_NE(set.message().find(name.name()), std::string::npos) << set;
  // Lock-free reads still answer (the stopped writer's value is applied
  // but not yet released, so either value may show).
  absl::StatusOr<std::string> k = (*store)->Get<std::string>("k");
  ASSERT_OK(k);
  EXPECT_TRUE(*k == "old" || *k == "new") << *k;
  // So does a batch read without the lock; a snapshot needs the lock.
  std::vector<absl::StatusOr<Value>> batch = (*store)->MultiGet({"k", "k"});
  EXPECT_OK(batch[0]);
  EXPECT_OK(batch[1]);
  MultiGetOptions snapshot;
  snapshot.snapshot = true;
  batch = (*store)->MultiGet({"k"}, snapshot);
  EXPECT_THAT(batch[0].status(), StatusIs(absl::StatusCode::kDeadlineExceeded));

  // The holder dies: its death is noticed at once, timeout or not.
  kill(holder, SIGKILL);
  WaitProcess(holder);
  set = (*store)->Set("other", Value::String("v"));
  EXPECT_OK(set);
  EXPECT_EQ(*(*store)->Get<std::string>("k"), "new");
  EXPECT_THAT((*store)->Get("never").status(),
              StatusIs(absl::StatusCode::kNotFound));
  absl::StatusOr<StoreStats> stats = (*store)->Stats();
  ASSERT_OK(stats);
  EXPECT_EQ(stats->recoveries, 1u);
}

TEST(LockLivenessTest, ANegativeLockTimeoutIsRefused) {
  ScopedStoreName name;
  Options options;
  options.create_if_missing = true;
  options.lock_timeout = -absl::Milliseconds(1);
  auto store = Store::Open(name.name(), options);
  EXPECT_THAT(store.status(), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_FALSE(::kvstore::testing::ShmExists(name.name()));
}

}  // namespace
}  // namespace kvstore
