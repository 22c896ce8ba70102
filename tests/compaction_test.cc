// Compaction of the data area (stores without eviction): a write that has
// the free bytes it needs, but not in one free block, moves other entries'
// blocks to join them, and succeeds. Moves change no entry's key, value,
// type, expiry or CLOCK bit; readers in other processes never see a value
// torn by one; a compaction that cannot make room changes nothing anyone
// can read. Crashes at every step: tests/crash_test.cc.
#include <sys/wait.h>
#include <unistd.h>

#include <map>
#include <random>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "kvstore/store.h"
#include "tests/data_area_fixture.h"
#include "tests/status_matchers.h"
#include "tests/store_contents.h"
#include "tests/test_util.h"

namespace kvstore {
namespace {

using ::kvstore::testing::Contents;
using ::kvstore::testing::FromWaitStatus;
using ::kvstore::testing::PollUntil;
using ::kvstore::testing::ReadAll;
using ::kvstore::testing::StatusIs;
using ::kvstore::testing::TortureBigValue;

class CompactionTest : public ::kvstore::testing::DataAreaFixture {
 protected:
  // Eight entries of 1 KiB blocks fill an 8 KiB area; every other one
  // erased leaves four 1 KiB holes: 4 KiB free, at most 1 KiB together.
  Contents FillAndFragment(Store& store) {
    Contents kept;
    for (int i = 0; i < 8; ++i) {
      const std::string key = absl::StrCat("k", i);
      const std::string value = TortureBigValue(i, 1000);
      EXPECT_OK(store.Set(key, Value::String(value)));
      kept[key] = value;
    }
    for (int i = 0; i < 8; i += 2) {
      EXPECT_OK(store.Erase(absl::StrCat("k", i)));
      kept.erase(absl::StrCat("k", i));
    }
    return kept;
  }
};

TEST_F(CompactionTest, AWriteThatFitsOnlyTheFreeBytesTogetherMovesBlocks) {
  auto store = Make(8192);
  Contents want = FillAndFragment(*store);
  const StoreStats before = Stats(*store);
  ASSERT_EQ(before.data_free_bytes, 4096u);
  ASSERT_EQ(before.largest_storable, 1024u - 8);
  // 3 KiB of key and value: more than any hole, less than all of them.
  const std::string big = TortureBigValue(99, 3000);
  ASSERT_OK(store->Set("big", Value::String(big)));
  want["big"] = big;
  EXPECT_EQ(ReadAll(*store), want);
  const StoreStats after = Stats(*store);
  EXPECT_EQ(after.compactions, 1u);
  EXPECT_GE(after.compacted_bytes, 1024u);  // At least one block moved.
  EXPECT_EQ(after.data_entries, 5u);
  EXPECT_OK(store->Verify());
}

TEST_F(CompactionTest, AMoveKeepsTypeExpiryAndValueAndGivesANewVersion) {
  auto store = Make(8192);
  // Blocks of 1 KiB at 0, 1024, ..., with a hole before and after k1.
  for (int i = 0; i < 8; ++i) {
    WriteOptions w;
    if (i == 1) w.ttl = absl::Hours(1);
    const Value v = i == 3 ? Value::Bytes(std::string(1000, '\xff'))
                           : Value::String(TortureBigValue(i, 1000));
    ASSERT_OK(store->Set(absl::StrCat("k", i), v, w));
  }
  for (int i = 0; i < 8; i += 2) ASSERT_OK(store->Erase(absl::StrCat("k", i)));
  std::map<std::string, Entry> before;
  for (int i = 1; i < 8; i += 2) {
    absl::StatusOr<Entry> e = store->GetEntry(absl::StrCat("k", i));
    ASSERT_OK(e);
    before[absl::StrCat("k", i)] = *e;
  }
  ASSERT_OK(store->Set("big", Value::String(std::string(3000, 'b'))));
  ASSERT_GE(Stats(*store).compactions, 1u);
  int moved = 0;
  for (const auto& [key, old] : before) {
    absl::StatusOr<Entry> now = store->GetEntry(key);
    ASSERT_OK(now) << key;
    EXPECT_EQ(now->value, old.value) << key;
    EXPECT_EQ(now->value.type(), old.value.type()) << key;
    EXPECT_EQ(now->ttl != absl::InfiniteDuration(), key == "k1") << key;
    EXPECT_LE(now->ttl, old.ttl) << key;
    if (now->version != old.version) ++moved;
  }
  // Each move is a rewrite of the same bytes: readers and compare-and-set
  // by version see a new version, as after any write.
  EXPECT_GE(moved, 1);
  EXPECT_OK(store->Verify());
}

TEST_F(CompactionTest, ACompactionThatCannotMakeRoomRefusesAndLosesNothing) {
  auto store = Make(8192);
  // Blocks of 1, 2, 1, 2, 1 and 1 KiB; the three 1 KiB ones at 0, 3 and
  // 6 KiB erased: 3 KiB free in 1 KiB holes. Every 3 KiB stretch holds a
  // 2 KiB block, which no hole can take.
  const size_t sizes[] = {1000, 2030, 1000, 2030, 1000, 1000};
  Contents want;
  for (int i = 0; i < 6; ++i) {
    const std::string key = absl::StrCat("k", i);
    ASSERT_OK(store->Set(key, Value::String(TortureBigValue(i, sizes[i]))));
    want[key] = TortureBigValue(i, sizes[i]);
  }
  for (int i : {0, 2, 4}) {
    ASSERT_OK(store->Erase(absl::StrCat("k", i)));
    want.erase(absl::StrCat("k", i));
  }
  ASSERT_EQ(Stats(*store).data_free_bytes, 3072u);
  absl::Status full = store->Set("big", Value::String(std::string(3000, 'x')));
  EXPECT_THAT(full, StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_NE(full.message().find("largest free block"), std::string::npos)
      << full;
  EXPECT_EQ(ReadAll(*store), want);
  const StoreStats s = Stats(*store);
  EXPECT_EQ(s.data_free_bytes, 3072u);
  EXPECT_EQ(s.largest_storable, 1024u - 8);
  EXPECT_EQ(s.compacted_bytes, 0u);
  EXPECT_OK(store->Verify());
  // Room that exists is still found after the refusal.
  EXPECT_OK(store->Set("fits", Value::String(std::string(900, 'f'))));
  EXPECT_OK(store->Verify());
}

TEST_F(CompactionTest, AStoreThatEvictsMakesRoomByEvictingNotByMoving) {
  auto store = Make(8192, Eviction::kClock);
  FillAndFragment(*store);
  ASSERT_OK(store->Set("big", Value::String(std::string(3000, 'b'))));
  const StoreStats s = Stats(*store);
  EXPECT_EQ(s.compactions, 0u);
  EXPECT_GE(s.evictions, 1u);
  EXPECT_OK(store->Verify());
}

// A value of key `i`, generation `gen`: its own proof of being whole.
std::string Stamped(int i, int gen, size_t len) {
  return TortureBigValue(int64_t{i} * 1000000 + gen, len);
}

// True if `value` is some whole Stamped(i, _, _).
bool IsWholeValueOf(int i, const std::string& value) {
  size_t digits = 0;
  while (digits < value.size() && value[digits] >= '0' &&
         value[digits] <= '9') {
    ++digits;
  }
  int64_t n = 0;
  if (!absl::SimpleAtoi(value.substr(0, digits), &n)) return false;
  return n / 1000000 == i && value == TortureBigValue(n, value.size());
}

// Churn by this process through a small area, compacting often, while a
// forked process reads every key lock-free in a loop: every value it reads
// is whole (a move under a reader is retried, never returned torn).
TEST_F(CompactionTest, ReadersInAnotherProcessNeverSeeAMovedValueTorn) {
  constexpr int kKeys = 48;
  auto store = Make(64 << 10);
  ASSERT_OK(store->Set("passes", Value::Int64(0)));
  const pid_t reader = fork();
  ASSERT_GE(reader, 0);
  if (reader == 0) {
    absl::StatusOr<std::unique_ptr<Store>> s = Store::Open(name_.name());
    if (!s.ok()) _exit(3);
    const absl::Time deadline = absl::Now() + absl::Seconds(120);
    while (absl::Now() < deadline) {
      for (int i = 0; i < kKeys; ++i) {
        absl::StatusOr<Value> v = (*s)->Get(absl::StrCat("k", i));
        if (absl::IsNotFound(v.status())) continue;
        if (!v.ok()) _exit(4);
        if (!IsWholeValueOf(i, v->ToText())) _exit(5);
      }
      if (!(*s)->Increment("passes").ok()) _exit(6);
      if ((*s)->Get("stop").ok()) _exit(0);
    }
    _exit(7);  // Never told to stop.
  }
  std::mt19937 rng(42);
  int gen = 0;
  auto passes = [&] {
    absl::StatusOr<int64_t> n = store->Get<int64_t>("passes");
    return n.ok() ? *n : 0;
  };
  const bool enough = PollUntil(
      [&] {
        for (int n = 0; n < 50; ++n) {
          const int i = static_cast<int>(rng() % kKeys);
          const std::string key = absl::StrCat("k", i);
          absl::Status s = store->Set(
              key, Value::String(Stamped(i, ++gen, 100 + rng() % 3000)));
          if (absl::IsResourceExhausted(s)) {
            // Full: make room, as a user without eviction would.
            s = store->Erase(absl::StrCat("k", rng() % kKeys));
            if (absl::IsNotFound(s)) s = absl::OkStatus();
          }
          EXPECT_OK(s);
        }
        return Stats(*store).compactions >= 200 && passes() >= 50;
      },
      absl::Seconds(100));
  ASSERT_OK(store->Set("stop", Value::Int64(1)));
  int wait_status = 0;
  ASSERT_EQ(waitpid(reader, &wait_status, 0), reader);
  EXPECT_EQ(FromWaitStatus(wait_status).exit_code, 0)
      << FromWaitStatus(wait_status);
  EXPECT_TRUE(enough) << "compactions " << Stats(*store).compactions
                      << ", reader passes " << passes();
  EXPECT_OK(store->Verify());
}

}  // namespace
}  // namespace kvstore
