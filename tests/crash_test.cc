// Kill-anywhere crash safety: a worker process is killed with SIGKILL at
// every numbered step of every write path (KVSTORE_CRASH_AT), and the store
// must afterwards hold every earlier write, the interrupted one wholly or
// not at all, and verify clean. Nobody may hang.
#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "kvstore/internal/fault_injection.h"
#include "kvstore/internal/layout.h"
#include "kvstore/store.h"
#include "tests/status_matchers.h"
#include "tests/store_contents.h"
#include "tests/test_util.h"

namespace kvstore {
namespace {

using ::kvstore::testing::ProcessResult;
using ::kvstore::testing::RunfilePath;
using ::kvstore::testing::RunProcess;
using ::kvstore::testing::ScopedStoreName;
using ::kvstore::testing::StartProcess;

std::string Worker() { return RunfilePath("tests/worker"); }

using ::kvstore::testing::Contents;
using ::kvstore::testing::ReadAll;
using ::kvstore::testing::StatusIs;

// 44 keys in a 64-entry store (86 slots): long clusters, so that erasing
// moves other entries back.
Contents Seed(const std::string& name) {
  EXPECT_EQ(RunProcess({Worker(), "create", name}).exit_code, 0);
  auto store = Store::Open(name);
  EXPECT_OK(store);
  Contents seeded;
  for (int i = 0; i < 44; ++i) {
    std::string k = absl::StrCat("key", i);
    EXPECT_OK((*store)->Set(k, Value::String(absl::StrCat("v", i))));
    seeded[k] = absl::StrCat("v", i);
  }
  EXPECT_OK((*store)->Set("ctr", Value::Int64(10)));
  seeded["ctr"] = "10";
  return seeded;
}

struct Operation {
  std::string label;
  std::vector<std::string> args;  // After "worker".
  std::string key;
  bool erases;        // Result: key absent.
  std::string after;  // Result value otherwise.
};

// Values too large for a slot (80 bytes of key and value), kept in a
// block of the data area.
std::string Big(char c, size_t n = 200) { return std::string(n, c); }

std::vector<Operation> Operations(const std::string& name) {
  return {
      {"set-new", {"set", name, "fresh", "new"}, "fresh", false, "new"},
      {"set-overwrite",
       {"set", name, "key7", "changed"},
       "key7",
       false,
       "changed"},
      {"incr", {"incr", name, "ctr", "1"}, "ctr", false, "11"},
      {"cas", {"cas", name, "key3", "v3", "swapped"}, "key3", false, "swapped"},
      // The data area: a new block, inline to block, block to block,
      // block to inline, and erasing a block's entry.
      {"set-big-new", {"set", name, "big", Big('a')}, "big", false, Big('a')},
      {"set-inline-to-big",
       {"set", name, "key8", Big('b', 150)},
       "key8",
       false,
       Big('b', 150)},
      {"set-big-to-big",
       {"set", name, "big", Big('c', 250)},
       "big",
       false,
       Big('c', 250)},
      {"set-big-to-inline",
       {"set", name, "key8", "small"},
       "key8",
       false,
       "small"},
      {"erase-big", {"erase", name, "big"}, "big", true, ""},
  };
}

// Checks that `now` equals `before` except that `key` holds either its old
// state or `after` (absent if `erases`). Returns which one it holds.
bool CheckAtomic(const Contents& before, const Contents& now,
                 const std::string& key, bool erases, const std::string& after,
                 bool* applied) {
  Contents expect_old = before;
  Contents expect_new = before;
  if (erases) {
    expect_new.erase(key);
  } else {
    expect_new[key] = after;
  }
  *applied = now == expect_new;
  return now == expect_old || now == expect_new;
}

TEST(CrashTest, EveryCrashPointOfEveryWriteLeavesOldOrNewState) {
  std::set<std::string> points_hit;
  int kills = 0;
  for (const char* point : internal::kFaultPoints) {
    ScopedStoreName name;
    Contents before = Seed(name.name());
    std::vector<Operation> ops = Operations(name.name());
    // Erase keys in turn so that shifts happen. Whether an erase shifts
    // depends on the store's random hash seed; for the point inside the
    // shift, erase every key, so that some erase surely shifts.
    const int step = std::string(point) == "erase.shifted" ? 1 : 3;
    for (int i = 0; i < 44; i += step) {
      std::string k = absl::StrCat("key", i);
      ops.push_back({"erase-" + k, {"erase", name.name(), k}, k, true, ""});
    }
    for (const Operation& op : ops) {
      std::vector<std::string> argv = {Worker()};
      argv.insert(argv.end(), op.args.begin(), op.args.end());
      ProcessResult r =
          RunProcess(argv, {absl::StrCat("KVSTORE_CRASH_AT=", point)});
      if (r.signal == SIGKILL) {
        points_hit.insert(point);
        ++kills;
      } else if (op.erases && before.count(op.key) == 0) {
        // An earlier kill left nothing to erase.
        ASSERT_EQ(r.exit_code, 1) << op.label << " " << point << r.err;
      } else {
        ASSERT_EQ(r.exit_code, 0) << op.label << " " << point << r.err;
      }
      auto store = Store::Open(name.name());
      ASSERT_OK(store);
      Contents now = ReadAll(**store);
      bool applied = false;
      EXPECT_TRUE(
          CheckAtomic(before, now, op.key, op.erases, op.after, &applied))
          << op.label << " killed at " << point;
      if (r.signal == 0) {
        EXPECT_TRUE(applied) << op.label << " " << point;
      }
      EXPECT_OK((*store)->Verify()) << op.label << " " << point;
      before = now;
    }
  }
  // Every point inside a write path was reached by some operation.
  for (const char* point : internal::kFaultPoints) {
    std::string p = point;
    if (p.rfind("recover.", 0) == 0 || p.rfind("create.", 0) == 0 ||
        p.rfind("dump.", 0) == 0 || p.rfind("restore.", 0) == 0 ||
        p.rfind("resize.", 0) == 0) {
      continue;  // Not on a write path: tests/snapshot_test.cc kills there.
    }
    if (p.rfind("compact.", 0) == 0) continue;  // The test below.
    EXPECT_TRUE(points_hit.count(p)) << "never reached: " << p;
  }
  EXPECT_GT(kills, 20);
}

TEST(CrashTest, EvictionInterruptedAnywhereIsRepaired) {
  for (const char* point : internal::kFaultPoints) {
    ScopedStoreName name;
    Options o;
    o.create_if_missing = true;
    o.capacity = 64;
    o.max_key_bytes = 32;
    o.max_value_bytes = 256;
    o.eviction = Eviction::kClock;
    auto store = Store::Open(name.name(), o);
    ASSERT_OK(store);
    Contents before;
    for (int i = 0; i < 64; ++i) {
      std::string k = absl::StrCat("key", i);
      ASSERT_OK((*store)->Set(k, Value::String(k)));
      before[k] = k;
    }
    ProcessResult r = RunProcess({Worker(), "set", name.name(), "fresh", "x"},
                                 {absl::StrCat("KVSTORE_CRASH_AT=", point)});
    ASSERT_TRUE(r.signal == SIGKILL || r.exit_code == 0) << point << r.err;
    Contents now = ReadAll(**store);
    // At most one entry was evicted, and the new key is there or not.
    int missing = 0;
    for (const auto& [k, v] : before) {
      auto it = now.find(k);
      if (it == now.end()) {
        ++missing;
      } else {
        EXPECT_EQ(it->second, v) << point;
      }
    }
    EXPECT_LE(missing, 1) << point;
    EXPECT_EQ(now.size(), before.size() - missing + now.count("fresh"))
        << point;
    if (r.exit_code == 0) {
      EXPECT_EQ(missing, 1);
      EXPECT_EQ(now["fresh"], "x");
    }
    EXPECT_OK((*store)->Verify()) << point;
  }
}

TEST(CrashTest, AFullDataAreaEvictingAnywhereIsRepaired) {
  // A store whose data area holds about four 200-byte values: each new one
  // evicts (CLOCK) until its block fits.
  for (const char* point : internal::kFaultPoints) {
    ScopedStoreName name;
    Options o;
    o.create_if_missing = true;
    o.capacity = 64;
    o.max_key_bytes = 32;
    o.max_value_bytes = 256;
    o.memory = 1024;
    o.eviction = Eviction::kClock;
    auto store = Store::Open(name.name(), o);
    ASSERT_OK(store);
    Contents before;
    for (int i = 0; i < 6; ++i) {
      const std::string k = absl::StrCat("big", i);
      ASSERT_OK((*store)->Set(k, Value::String(Big('a' + i))));
      before[k] = Big('a' + i);
    }
    before = ReadAll(**store);  // What eviction left.
    ProcessResult r =
        RunProcess({Worker(), "set", name.name(), "fresh", Big('z')},
                   {absl::StrCat("KVSTORE_CRASH_AT=", point)});
    ASSERT_TRUE(r.signal == SIGKILL || r.exit_code == 0) << point << r.err;
    Contents now = ReadAll(**store);
    // Entries were only evicted, never changed, and the new key is there
    // whole or not at all.
    for (const auto& [k, v] : now) {
      if (k == "fresh") {
        EXPECT_EQ(v, Big('z')) << point;
      } else {
        ASSERT_TRUE(before.count(k)) << point << " " << k;
        EXPECT_EQ(before[k], v) << point;
      }
    }
    if (r.exit_code == 0) {
      EXPECT_EQ(now["fresh"], Big('z')) << point;
    }
    EXPECT_OK((*store)->Verify()) << point;
    // The area is whole again: a write that needs it works.
    EXPECT_OK((*store)->Set("after", Value::String(Big('y')))) << point;
    EXPECT_OK((*store)->Verify()) << point;
  }
}

// A write that must compact the data area (no eviction; free bytes enough
// but in holes) is killed at every step of every write path, at its first,
// second and third passage: inside the compaction's moves (each a
// journaled rewrite of a slot) as well as in the write itself. Every other
// entry keeps its value, the new one is whole or absent, the area verifies
// and a write that needs it works.
TEST(CrashTest, ACompactionKilledAtAnyStepLosesNothing) {
  std::set<std::string> points_hit;
  for (const char* point : internal::kFaultPoints) {
    for (int passage = 1; passage <= 3; ++passage) {
      ScopedStoreName name;
      Options o;
      o.create_if_missing = true;
      o.capacity = 64;
      o.memory = 8192;
      auto store = Store::Open(name.name(), o);
      ASSERT_OK(store);
      // Eight 1 KiB blocks, every other one erased: 4 KiB free in holes.
      for (int i = 0; i < 8; ++i) {
        ASSERT_OK((*store)->Set(absl::StrCat("k", i),
                                Value::String(Big('a' + i, 1000))));
      }
      for (int i = 0; i < 8; i += 2) {
        ASSERT_OK((*store)->Erase(absl::StrCat("k", i)));
      }
      ASSERT_OK((*store)->Set("small", Value::String("s")));
      const Contents before = ReadAll(**store);
      ProcessResult r =
          RunProcess({Worker(), "set", name.name(), "big", Big('z', 3000)},
                     {absl::StrCat("KVSTORE_CRASH_AT=", point, ":", passage)});
      ASSERT_TRUE(r.signal == SIGKILL || r.exit_code == 0)
          << point << ":" << passage << r;
      if (r.signal == SIGKILL) points_hit.insert(point);
      bool applied = false;
      EXPECT_TRUE(CheckAtomic(before, ReadAll(**store), "big", false,
                              Big('z', 3000), &applied))
          << point << ":" << passage;
      if (r.exit_code == 0) EXPECT_TRUE(applied) << point << ":" << passage;
      EXPECT_OK((*store)->Verify()) << point << ":" << passage;
      // The area is whole again: a write that needs all of it works.
      absl::Status erased = (*store)->Erase("big");
      EXPECT_TRUE(erased.ok() || absl::IsNotFound(erased)) << erased;
      ASSERT_OK((*store)->Set("big", Value::String(Big('y', 3000))))
          << point << ":" << passage;
      EXPECT_OK((*store)->Verify()) << point << ":" << passage;
    }
  }
  for (const char* p :
       {"compact.taken", "compact.copied", "compact.moved", "write.committed",
        "write.slot_half_copied", "arena.free_merged", "alloc.filled"}) {
    EXPECT_TRUE(points_hit.count(p)) << "never reached: " << p;
  }
}

// The increment of an existing inline counter changes its 8 bytes in place
// (Table::PatchValueLocked, journaled as a patch): killed at every step of
// that path, the counter holds the old or the new sum, a lock-free read
// sees it, its version changed if and only if the sum did, and counting
// goes on from it. Once the patch is committed, the next locker finishes
// it.
TEST(CrashTest, AnInPlaceIncrementKilledAtEachStepIsWhollyDoneOrNot) {
  const char* const kSteps[] = {"write.image_filled", "write.committed",
                                "write.slot_odd",     "write.slot_half_copied",
                                "write.slot_copied",  "write.applied",
                                "write.done"};
  for (const char* point : kSteps) {
    ScopedStoreName name;
    Seed(name.name());
    uint64_t version_before = 0;
    {
      auto store = Store::Open(name.name());
      ASSERT_OK(store);
      absl::StatusOr<Entry> e = (*store)->GetEntry("ctr");
      ASSERT_OK(e);
      version_before = e->version;
    }
    ProcessResult r = RunProcess({Worker(), "incr", name.name(), "ctr", "1"},
                                 {absl::StrCat("KVSTORE_CRASH_AT=", point)});
    // The path passes through every step: the worker died at this one.
    ASSERT_EQ(r.signal, SIGKILL) << point << " " << r.err;
    auto store = Store::Open(name.name());
    ASSERT_OK(store);
    // Verify takes the lock, so a committed patch is finished first.
    EXPECT_OK((*store)->Verify()) << point;
    absl::StatusOr<Entry> e = (*store)->GetEntry("ctr");
    ASSERT_OK(e) << point;
    ASSERT_EQ(e->value.type(), ValueType::kInt64) << point;
    const int64_t got = e->value.AsInt64();
    // Committed (the journal state published) means done.
    const bool committed = std::string(point) != "write.image_filled";
    EXPECT_EQ(got, committed ? 11 : 10) << point;
    EXPECT_EQ(e->version != version_before, committed) << point;
    absl::StatusOr<int64_t> next = (*store)->Increment("ctr", 1);
    ASSERT_OK(next) << point;
    EXPECT_EQ(*next, got + 1) << point;
  }
}

TEST(CrashTest, CommittedWriteIsFinishedByTheNextLocker) {
  ScopedStoreName name;
  Seed(name.name());
  ProcessResult r = RunProcess({Worker(), "set", name.name(), "key1", "new"},
                               {"KVSTORE_CRASH_AT=write.slot_half_copied"});
  ASSERT_EQ(r.signal, SIGKILL);
  auto store = Store::Open(name.name());
  ASSERT_OK(store);
  // Committed before the kill: redone, never half-applied.
  EXPECT_EQ(*(*store)->Get<std::string>("key1"), "new");
  absl::StatusOr<StoreStats> stats = (*store)->Stats();
  EXPECT_EQ(stats->recoveries, 1u);
  EXPECT_NE(stats->last_recovery, absl::InfinitePast());
  EXPECT_GT(stats->longest_repair, absl::ZeroDuration());
}

TEST(CrashTest, UncommittedWriteLeavesNoTrace) {
  ScopedStoreName name;
  Seed(name.name());
  ProcessResult r = RunProcess({Worker(), "set", name.name(), "key1", "new"},
                               {"KVSTORE_CRASH_AT=write.image_filled"});
  ASSERT_EQ(r.signal, SIGKILL);
  auto store = Store::Open(name.name());
  ASSERT_OK(store);
  EXPECT_EQ(*(*store)->Get<std::string>("key1"), "v1");
  EXPECT_OK((*store)->Verify());
}

TEST(CrashTest, ARecovererKilledWhileRepairingIsItselfRecovered) {
  ScopedStoreName name;
  Contents before = Seed(name.name());
  // Erase keys until one erase has to move another entry back, and is
  // killed right after the first move.
  std::string victim;
  for (int i = 0; i < 44 && victim.empty(); ++i) {
    std::string k = absl::StrCat("key", i);
    ProcessResult r = RunProcess({Worker(), "erase", name.name(), k},
                                 {"KVSTORE_CRASH_AT=erase.shifted"});
    if (r.signal == SIGKILL) victim = k;
    before.erase(k);  // Done, or committed before the kill.
  }
  ASSERT_FALSE(victim.empty());
  // Two recoverers die in turn, at the start and at the end of the repair.
  for (const char* point : {"recover.begin", "recover.before_consistent"}) {
    ProcessResult r = RunProcess({Worker(), "get", name.name(), "key9"},
                                 {absl::StrCat("KVSTORE_CRASH_AT=", point)});
    EXPECT_EQ(r.signal, SIGKILL) << point << r.err;
  }
  auto store = Store::Open(name.name());
  ASSERT_OK(store);
  Contents now = ReadAll(**store);
  EXPECT_EQ(now, before);
  EXPECT_OK((*store)->Verify());
}

TEST(CrashTest, ARecovererKilledRebuildingTheDataAreaIsItselfRecovered) {
  ScopedStoreName name;
  Contents before = Seed(name.name());
  {
    auto store = Store::Open(name.name());
    ASSERT_OK(store);
    for (int i = 0; i < 6; ++i) {
      const std::string k = absl::StrCat("big", i);
      ASSERT_OK((*store)->Set(k, Value::String(Big('a' + i))));
      before[k] = Big('a' + i);
    }
    ASSERT_OK((*store)->Erase("big2"));  // A hole among the blocks.
    before.erase("big2");
  }
  // A writer dies holding the lock with the data area marked dirty (its
  // new block filled, not yet named by a slot: not acknowledged).
  ProcessResult writer =
      RunProcess({Worker(), "set", name.name(), "big9", Big('z')},
                 {"KVSTORE_CRASH_AT=alloc.filled"});
  ASSERT_EQ(writer.signal, SIGKILL) << writer.err;
  // The recoverer (a writer: a lock-free get would not take the lock) dies
  // halfway through rebuilding the free lists, twice.
  for (int i = 0; i < 2; ++i) {
    ProcessResult r = RunProcess({Worker(), "set", name.name(), "key9", "v9"},
                                 {"KVSTORE_CRASH_AT=recover.arena_rebuilding"});
    EXPECT_EQ(r.signal, SIGKILL) << i << r.err;
  }
  auto store = Store::Open(name.name());
  ASSERT_OK(store);
  EXPECT_EQ(ReadAll(**store), before);
  EXPECT_OK((*store)->Verify());
  // The rebuilt area serves new blocks.
  EXPECT_OK((*store)->Set("big2", Value::String(Big('q'))));
  EXPECT_OK((*store)->Verify());
}

TEST(CrashTest, CreatorKilledMidCreationGivesAClearErrorNotAHang) {
  ScopedStoreName name;
  ProcessResult r = RunProcess({Worker(), "create", name.name()},
                               {"KVSTORE_CRASH_AT=create.before_ready"});
  ASSERT_EQ(r.signal, SIGKILL);
  Options o;
  o.create_if_missing = true;
  absl::Status s = Store::Open(name.name(), o).status();
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_NE(s.message().find("half-created"), std::string::npos) << s;
  EXPECT_OK(Store::Destroy(name.name()));
  EXPECT_OK(Store::Open(name.name(), o));
}

TEST(CrashTest, ReaderWaitingOnAWriterThatIsKilledGetsTheRightAnswer) {
  ScopedStoreName name;
  Seed(name.name());
  // The writer stops itself mid-copy, holding the lock with the slot odd.
  pid_t writer = StartProcess(
      {Worker(), "set", name.name(), "key2", "after"},
      {"KVSTORE_CRASH_AT=write.slot_half_copied", "KVSTORE_CRASH_SIGNAL=STOP"});
  int status;
  ASSERT_EQ(waitpid(writer, &status, WUNTRACED), writer);
  ASSERT_TRUE(WIFSTOPPED(status));
  // A reader spins on the odd slot, falls back to the lock and blocks.
  ProcessResult reader_result;
  std::thread reader([&] {
    reader_result = RunProcess({Worker(), "get", name.name(), "key2"});
  });
  {
    // Wait until the reader sleeps on the lock (FUTEX_WAITERS is set).
    const int fd = shm_open(name.name().c_str(), O_RDONLY, 0);
    void* p =
        mmap(nullptr, internal::kHeaderBytes, PROT_READ, MAP_SHARED, fd, 0);
    close(fd);
    ASSERT_NE(p, MAP_FAILED);
    const auto* word = reinterpret_cast<const std::atomic<uint32_t>*>(
        &static_cast<internal::Header*>(p)->mutex);
    const absl::Time deadline = absl::Now() + absl::Seconds(30);
    while ((word->load() & FUTEX_WAITERS) == 0 && absl::Now() < deadline) {
      absl::SleepFor(absl::Milliseconds(1));
    }
    EXPECT_NE(word->load() & FUTEX_WAITERS, 0u) << "the reader never waited";
    munmap(p, internal::kHeaderBytes);
  }
  kill(writer, SIGKILL);
  waitpid(writer, &status, 0);
  reader.join();  // Returns only if the reader did not hang.
  EXPECT_EQ(reader_result.exit_code, 0) << reader_result.err;
  EXPECT_EQ(reader_result.out, "after\n");
  // The reader found the lock held and waited for it: counted in stats.
  auto store = Store::Open(name.name());
  ASSERT_OK(store);
  absl::StatusOr<StoreStats> stats = (*store)->Stats();
  EXPECT_GE(stats->lock_waits, 1u);
  EXPECT_GT(stats->lock_wait_time, absl::ZeroDuration());
  EXPECT_GT(stats->longest_lock_wait, absl::ZeroDuration());
  EXPECT_EQ(stats->recoveries, 1u);
  printf("longest lock wait: %s (the reader, behind the stopped writer)\n",
         absl::FormatDuration(stats->longest_lock_wait).c_str());
}

TEST(CrashTest, UnrecoverableLockIsRevivedByResetLockKeepingData) {
  ScopedStoreName name;
  Contents before = Seed(name.name());
  {
    // Simulate an older, faulty build: a process dies holding the lock and
    // the next owner unlocks without marking it consistent.
    int fd = shm_open(name.name().c_str(), O_RDWR, 0);
    void* p = mmap(nullptr, internal::kHeaderBytes, PROT_READ | PROT_WRITE,
                   MAP_SHARED, fd, 0);
    auto* h = static_cast<internal::Header*>(p);
    pid_t child = fork();
    if (child == 0) {
      pthread_mutex_lock(&h->mutex);
      _exit(0);
    }
    int status;
    waitpid(child, &status, 0);
    ASSERT_EQ(pthread_mutex_lock(&h->mutex), EOWNERDEAD);
    pthread_mutex_unlock(&h->mutex);
    munmap(p, internal::kHeaderBytes);
    close(fd);
  }
  auto store = Store::Open(name.name());
  ASSERT_OK(store);
  absl::Status s = (*store)->Set("x", Value::Int64(1));
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_NE(s.message().find("reset-lock"), std::string::npos);
  EXPECT_EQ(*(*store)->Get<std::string>("key1"), "v1");  // Reads still work.
  ASSERT_OK(Store::ResetLock(name.name()));
  EXPECT_OK((*store)->Set("x", Value::Int64(1)));
  before["x"] = "1";
  EXPECT_EQ(ReadAll(**store), before);
  EXPECT_EQ((*store)->Stats()->lock_resets, 1u);
  EXPECT_THAT(Store::ResetLock(name.name()),
              StatusIs(absl::StatusCode::kFailedPrecondition));
}

}  // namespace
}  // namespace kvstore
