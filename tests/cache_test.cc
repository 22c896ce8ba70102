// Cache behaviour in one process: expiry, eviction, conditional writes,
// batches, scans, counters and get-or-compute.
#include <chrono>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "kvstore/store.h"
#include "tests/status_matchers.h"
#include "tests/test_util.h"

namespace kvstore {
namespace {

using ::kvstore::testing::IsOk;
using ::kvstore::testing::IsOkAndHolds;
using ::kvstore::testing::ScopedStoreName;
using ::kvstore::testing::StatusIs;
using ::testing::Not;

class CacheTest : public ::testing::Test {
 protected:
  std::unique_ptr<Store> Make(uint64_t capacity = 64,
                              Eviction eviction = Eviction::kNone) {
    Options options;
    options.create_if_missing = true;
    options.capacity = capacity;
    options.max_key_bytes = 32;
    options.max_value_bytes = 64;
    options.eviction = eviction;
    auto store = Store::Open(name_.name(), options);
    EXPECT_OK(store);
    return store.ok() ? *std::move(store) : nullptr;
  }
  static WriteOptions Ttl(absl::Duration d) {
    WriteOptions o;
    o.ttl = d;
    return o;
  }

  ScopedStoreName name_;
};

TEST_F(CacheTest, ExpiredEntryIsNeverReturned) {
  auto store = Make();
  // Live under a time to live no slow machine outlives; then a short one
  // whose end the sleep passes for sure.
  ASSERT_OK(store->Set("k", Value::String("v"), Ttl(absl::Hours(1))));
  EXPECT_OK(store->Get("k"));
  ASSERT_OK(store->Expire("k", absl::Milliseconds(1)));
  absl::SleepFor(absl::Milliseconds(10));
  EXPECT_THAT(store->Get("k").status(), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(store->GetEntry("k").status(),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(store->Ttl("k").status(), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(store->MultiGet({"k"})[0].status(),
              StatusIs(absl::StatusCode::kNotFound));
  int seen = 0;
  ASSERT_OK(store->ForEach([&](absl::string_view, const Value&) {
    ++seen;
    return absl::OkStatus();
  }));
  EXPECT_EQ(seen, 0);
  // Reclaimed on access: the slot is free again and counted.
  EXPECT_EQ(store->Stats()->entry_count, 0u);
  EXPECT_EQ(store->Stats()->expirations, 1u);
}

TEST_F(CacheTest, TtlReportsTimeLeftOrNone) {
  auto store = Make();
  ASSERT_OK(store->Set("p", Value::Int64(1)));
  EXPECT_EQ(*store->Ttl("p"), absl::InfiniteDuration());
  ASSERT_OK(store->Set("t", Value::Int64(1), Ttl(absl::Seconds(100))));
  absl::Duration left = *store->Ttl("t");
  EXPECT_GT(left, absl::Seconds(90));
  EXPECT_LE(left, absl::Seconds(100));
}

TEST_F(CacheTest, TtlIsKeptInWholeMillisecondsAndNeverCutShort) {
  auto store = Make();
  const absl::Duration ttl = absl::Microseconds(2500);
  const auto start = std::chrono::steady_clock::now();
  ASSERT_OK(store->Set("k", Value::Int64(1), Ttl(ttl)));
  // Reported in whole milliseconds, never above the ttl rounded up to one.
  const absl::Duration left = *store->Ttl("k");
  EXPECT_LE(left, absl::Milliseconds(3));
  EXPECT_EQ(left % absl::Milliseconds(1), absl::ZeroDuration()) << left;
  // The entry lives at least the ttl (its expiry is rounded up).
  while (store->Get("k").ok()) {
  }
  EXPECT_GE(absl::FromChrono(std::chrono::steady_clock::now() - start), ttl);
}

TEST_F(CacheTest, TtlsUpToTenYearsAreAccepted) {
  auto store = Make();
  EXPECT_OK(store->Set("k", Value::Int64(1), Ttl(absl::Hours(24 * 3652))));
  EXPECT_GT(*store->Ttl("k"), absl::Hours(24 * 3651));
  absl::Status longer = store->Set(
      "k", Value::Int64(1), Ttl(absl::Hours(24 * 3652) + absl::Seconds(1)));
  EXPECT_THAT(longer, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_NE(longer.message().find("10 years"), std::string::npos) << longer;
  EXPECT_THAT(store->Expire("k", absl::Hours(24 * 3653)),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_GT(*store->Ttl("k"), absl::Hours(24 * 3651));  // Unchanged.
}

TEST_F(CacheTest, ExpireAndPersistChangeTheTtl) {
  auto store = Make();
  ASSERT_OK(store->Set("k", Value::Int64(5)));
  ASSERT_OK(store->Expire("k", absl::Seconds(50)));
  EXPECT_LE(*store->Ttl("k"), absl::Seconds(50));
  ASSERT_OK(store->Persist("k"));
  EXPECT_EQ(*store->Ttl("k"), absl::InfiniteDuration());
  EXPECT_THAT(store->Get<int64_t>("k"), IsOkAndHolds(5));
  EXPECT_THAT(store->Expire("nope", absl::Seconds(1)),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(store->Persist("nope"), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(store->Expire("k", absl::ZeroDuration()),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(store->Set("k", Value::Int64(1), Ttl(-absl::Seconds(1))),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(
      store->Set("k", Value::Int64(1), Ttl(absl::Hours(24 * 365 * 101))),
      StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(store->Get<int64_t>("k"), IsOkAndHolds(5));
}

TEST_F(CacheTest, SetWithoutTtlClearsAnOldTtlButIncrementKeepsIt) {
  auto store = Make();
  ASSERT_OK(store->Set("c", Value::Int64(1), Ttl(absl::Seconds(100))));
  ASSERT_OK(store->Increment("c"));
  EXPECT_NE(*store->Ttl("c"), absl::InfiniteDuration());
  ASSERT_OK(store->Set("c", Value::Int64(1)));
  EXPECT_EQ(*store->Ttl("c"), absl::InfiniteDuration());
}

TEST_F(CacheTest, ConditionalWritesGiveTheEntryTheirOwnTtlLikeSet) {
  auto store = Make();
  const absl::Duration kOld = absl::Seconds(100);
  // Replace, CompareAndSet and CompareVersionAndSet without a ttl drop the
  // old one; with one, the entry gets it.
  ASSERT_OK(store->Set("r", Value::Int64(1), Ttl(kOld)));
  ASSERT_TRUE(*store->Replace("r", Value::Int64(2)));
  EXPECT_EQ(*store->Ttl("r"), absl::InfiniteDuration());
  ASSERT_TRUE(*store->Replace("r", Value::Int64(3), Ttl(absl::Hours(1))));
  EXPECT_GT(*store->Ttl("r"), kOld);

  ASSERT_OK(store->Set("c", Value::Int64(1), Ttl(kOld)));
  ASSERT_TRUE(*store->CompareAndSet("c", Value::Int64(1), Value::Int64(2)));
  EXPECT_EQ(*store->Ttl("c"), absl::InfiniteDuration());
  ASSERT_TRUE(*store->CompareAndSet("c", Value::Int64(2), Value::Int64(3),
                                    Ttl(absl::Hours(1))));
  EXPECT_GT(*store->Ttl("c"), kOld);

  ASSERT_OK(store->Set("v", Value::Int64(1), Ttl(kOld)));
  ASSERT_TRUE(*store->CompareVersionAndSet("v", store->GetEntry("v")->version,
                                           Value::Int64(2)));
  EXPECT_EQ(*store->Ttl("v"), absl::InfiniteDuration());

  // A SetIfAbsent that finds the key leaves its ttl alone.
  ASSERT_OK(store->Set("a", Value::Int64(1), Ttl(kOld)));
  ASSERT_FALSE(*store->SetIfAbsent("a", Value::Int64(2)));
  EXPECT_LE(*store->Ttl("a"), kOld);
  EXPECT_GT(*store->Ttl("a"), absl::Seconds(50));
  ASSERT_TRUE(*store->SetIfAbsent("b", Value::Int64(2), Ttl(kOld)));
  EXPECT_LE(*store->Ttl("b"), kOld);
}

TEST_F(CacheTest, WritesSweepExpiredEntriesWithoutBeingAsked) {
  auto store = Make(64);
  for (int i = 0; i < 40; ++i) {
    ASSERT_OK(store->Set(absl::StrCat("e", i), Value::Int64(i),
                         Ttl(absl::Milliseconds(20))));
  }
  absl::SleepFor(absl::Milliseconds(40));
  // Unrelated writes reclaim a few slots each.
  for (int i = 0; i < 200; ++i) {
    ASSERT_OK(store->Set("other", Value::Int64(i)));
  }
  absl::StatusOr<StoreStats> stats = store->Stats();
  EXPECT_EQ(stats->expirations, 40u);
  EXPECT_EQ(stats->entry_count, 1u);
  EXPECT_OK(store->Verify());
}

TEST_F(CacheTest, FullStoreWithoutEvictionReclaimsExpiredBeforeRefusing) {
  auto store = Make(4);
  for (int i = 0; i < 4; ++i) {
    ASSERT_OK(store->Set(
        absl::StrCat("k", i), Value::Int64(i),
        Ttl(i == 2 ? absl::Milliseconds(10) : absl::InfiniteDuration())));
  }
  EXPECT_THAT(store->Set("x", Value::Int64(0)),
              StatusIs(absl::StatusCode::kResourceExhausted));
  absl::SleepFor(absl::Milliseconds(30));
  EXPECT_OK(store->Set("x", Value::Int64(0)));
  EXPECT_THAT(store->Set("y", Value::Int64(0)),
              StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_EQ(store->Stats()->evictions, 0u);
}

TEST_F(CacheTest, ClockEvictsAColdEntryAndKeepsARecentlyReadOne) {
  auto store = Make(8, Eviction::kClock);
  for (int i = 0; i < 8; ++i) {
    ASSERT_OK(store->Set(absl::StrCat("k", i), Value::Int64(i)));
  }
  // k0..k3 are read; k4..k7 are cold.
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 4; ++i) {
      ASSERT_OK(store->Get(absl::StrCat("k", i)));
    }
  }
  ASSERT_OK(store->Set("new", Value::Int64(100)));
  absl::StatusOr<StoreStats> stats = store->Stats();
  EXPECT_EQ(stats->evictions, 1u);
  EXPECT_EQ(stats->entry_count, 8u);
  EXPECT_EQ(stats->eviction, Eviction::kClock);
  for (int i = 0; i < 4; ++i) {
    EXPECT_OK(store->Get(absl::StrCat("k", i))) << i;
  }
  EXPECT_OK(store->Get("new"));
  int cold_left = 0;
  for (int i = 4; i < 8; ++i) {
    cold_left += store->Get(absl::StrCat("k", i)).ok();
  }
  EXPECT_EQ(cold_left, 3);
  EXPECT_OK(store->Verify());
}

TEST_F(CacheTest, ClockKeepsHotKeysUnderASkewedWorkload) {
  auto store = Make(100, Eviction::kClock);
  // 20 hot keys read between every insert of a stream of cold keys.
  for (int i = 0; i < 20; ++i) {
    ASSERT_OK(store->Set(absl::StrCat("hot", i), Value::Int64(i)));
  }
  for (int n = 0; n < 2000; ++n) {
    for (int i = 0; i < 20; ++i) {
      absl::Status s = store->Get(absl::StrCat("hot", i)).status();
      if (absl::IsNotFound(s)) {
        ASSERT_OK(store->Set(absl::StrCat("hot", i), Value::Int64(i)));
      }
    }
    ASSERT_OK(store->Set(absl::StrCat("cold", n), Value::Int64(n)));
  }
  int hot = 0;
  for (int i = 0; i < 20; ++i) hot += store->Get(absl::StrCat("hot", i)).ok();
  EXPECT_EQ(hot, 20);
  absl::StatusOr<StoreStats> stats = store->Stats();
  EXPECT_GE(stats->evictions, 1900u);
  // Nearly every hot read hit: misses only before a hot key was re-added.
  EXPECT_GT(stats->hits, 39000u);
}

TEST_F(CacheTest, ReplaceWritesOnlyExistingKeys) {
  auto store = Make();
  EXPECT_FALSE(*store->Replace("k", Value::Int64(1)));
  EXPECT_THAT(store->Get("k").status(), StatusIs(absl::StatusCode::kNotFound));
  ASSERT_OK(store->Set("k", Value::Int64(1)));
  EXPECT_TRUE(*store->Replace("k", Value::Int64(2)));
  EXPECT_THAT(store->Get<int64_t>("k"), IsOkAndHolds(2));
}

TEST_F(CacheTest, EveryWriteBumpsTheVersion) {
  auto store = Make();
  ASSERT_OK(store->Set("a", Value::Int64(1)));
  uint64_t v1 = store->GetEntry("a")->version;
  ASSERT_OK(store->Set("b", Value::Int64(1)));
  ASSERT_OK(store->Increment("a"));
  uint64_t v2 = store->GetEntry("a")->version;
  EXPECT_GT(v2, v1);
  EXPECT_GT(store->GetEntry("b")->version, v1);
  EXPECT_GT(v2, store->GetEntry("b")->version);
}

TEST_F(CacheTest, CompareVersionAndSetFailsAfterAnotherWrite) {
  auto store = Make();
  ASSERT_OK(store->Set("k", Value::String("a")));
  uint64_t version = store->GetEntry("k")->version;
  ASSERT_OK(store->Set("k", Value::String("a")));  // Same value.
  EXPECT_FALSE(*store->CompareVersionAndSet("k", version, Value::String("b")));
  version = store->GetEntry("k")->version;
  EXPECT_TRUE(*store->CompareVersionAndSet("k", version, Value::String("b")));
  EXPECT_THAT(store->Get<std::string>("k"), IsOkAndHolds("b"));
  EXPECT_THAT(
      store->CompareVersionAndSet("nope", 1, Value::String("b")).status(),
      StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(CacheTest, AStoreMadeAgainUnderItsNameReusesNoVersion) {
  uint64_t first = 0;
  {
    auto store = Make();
    ASSERT_OK(store->Set("k", Value::String("a")));
    first = store->GetEntry("k")->version;
  }
  ASSERT_OK(Store::Destroy(name_.name()));
  auto store = Make();
  ASSERT_OK(store->Set("k", Value::String("a")));
  // Each store starts its versions at a random point: the same first write
  // of a new store gets another version (but by a 2^-47 chance).
  EXPECT_NE(store->GetEntry("k")->version, first);
  absl::StatusOr<bool> stale =
      store->CompareVersionAndSet("k", first, Value::String("b"));
  ASSERT_OK(stale);
  EXPECT_FALSE(*stale);
}

TEST_F(CacheTest, GetAndEraseReturnsTheValueOnce) {
  auto store = Make();
  ASSERT_OK(store->Set("k", Value::String("v")));
  EXPECT_EQ(*store->GetAndErase("k"), Value::String("v"));
  EXPECT_THAT(store->GetAndErase("k").status(),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_EQ(store->Stats()->deletes, 1u);
}

TEST_F(CacheTest, AddDoubleCreatesAtZeroAndChecksType) {
  auto store = Make();
  EXPECT_EQ(*store->AddDouble("d", 1.5), 1.5);
  EXPECT_EQ(*store->AddDouble("d", -0.25), 1.25);
  ASSERT_OK(store->Set("i", Value::Int64(1)));
  EXPECT_THAT(store->AddDouble("i", 1).status(),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(store->Increment("d").status(),
              StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST_F(CacheTest, MultiGetReturnsOneResultPerKeyLockFreeOrAsASnapshot) {
  auto store = Make();
  ASSERT_OK(store->Set("a", Value::Int64(1)));
  ASSERT_OK(store->Set("c", Value::Int64(3)));
  WriteOptions soon;
  soon.ttl = absl::Milliseconds(1);
  ASSERT_OK(store->Set("e", Value::Int64(5), soon));
  while (!absl::IsNotFound(store->Get("e").status())) {
    absl::SleepFor(absl::Milliseconds(1));  // Until it has expired.
  }
  for (bool snapshot : {false, true}) {
    MultiGetOptions options;
    options.snapshot = snapshot;
    const uint64_t hits = store->Stats()->hits;
    std::vector<absl::StatusOr<Value>> r = store->MultiGet(
        {"a", "b", "c", std::string(40, 'x'), "e", "a"}, options);
    ASSERT_EQ(r.size(), 6u);
    EXPECT_EQ(*r[0], Value::Int64(1)) << snapshot;
    EXPECT_THAT(r[1].status(), StatusIs(absl::StatusCode::kNotFound))
        << snapshot;
    EXPECT_EQ(*r[2], Value::Int64(3)) << snapshot;
    EXPECT_THAT(r[3].status(), StatusIs(absl::StatusCode::kInvalidArgument))
        << snapshot;
    EXPECT_THAT(r[4].status(), StatusIs(absl::StatusCode::kNotFound))
        << snapshot;  // Expired.
    EXPECT_EQ(*r[5], Value::Int64(1)) << snapshot;
    EXPECT_EQ(store->Stats()->hits, hits + 3) << snapshot;
  }
}

TEST_F(CacheTest, MultiSetIsAllOrNothingOnBadInput) {
  auto store = Make(3);
  ASSERT_OK(store->MultiSet({{"a", Value::Int64(1)}, {"b", Value::Int64(2)}}));
  EXPECT_THAT(store->Get<int64_t>("b"), IsOkAndHolds(2));
  // One bad value: nothing written.
  EXPECT_THAT(store->MultiSet({{"a", Value::Int64(9)},
                               {"x", Value::String(std::string(65, 'v'))}}),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(store->Get<int64_t>("a"), IsOkAndHolds(1));
  // Two new keys do not fit: nothing written.
  EXPECT_THAT(store->MultiSet({{"a", Value::Int64(9)},
                               {"c", Value::Int64(3)},
                               {"d", Value::Int64(4)}}),
              StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_THAT(store->Get<int64_t>("a"), IsOkAndHolds(1));
  EXPECT_THAT(store->Get("c").status(), StatusIs(absl::StatusCode::kNotFound));
  // A key repeated in the batch counts once.
  EXPECT_OK(store->MultiSet({{"c", Value::Int64(3)}, {"c", Value::Int64(4)}}));
  EXPECT_THAT(store->Get<int64_t>("c"), IsOkAndHolds(4));
}

TEST_F(CacheTest, ScanVisitsEveryEntryInBatches) {
  auto store = Make(500);
  std::set<std::string> all;
  for (int i = 0; i < 400; ++i) {
    std::string k = absl::StrCat(i % 2 ? "odd:" : "even:", i);
    ASSERT_OK(store->Set(k, Value::Int64(i)));
    if (i % 2) all.insert(k);
  }
  std::set<std::string> seen;
  uint64_t cursor = 0;
  int batches = 0;
  do {
    absl::StatusOr<ScanBatch> b = store->Scan(cursor, "odd:", 50);
    ASSERT_OK(b);
    for (const auto& [k, v] : b->entries) seen.insert(k);
    cursor = b->cursor;
    ++batches;
  } while (cursor != 0);
  EXPECT_EQ(seen, all);
  EXPECT_GT(batches, 5);
  EXPECT_THAT(store->Scan(1u << 30, "", 10).status(),
              StatusIs(absl::StatusCode::kOutOfRange));
}

TEST_F(CacheTest, ScanReturnsEntriesPresentThroughoutDespiteConcurrentErases) {
  auto store = Make(1000);
  for (int i = 0; i < 600; ++i) {
    ASSERT_OK(store->Set(absl::StrCat("stay", i), Value::Int64(i)));
  }
  for (int i = 0; i < 300; ++i) {
    ASSERT_OK(store->Set(absl::StrCat("go", i), Value::Int64(i)));
  }
  std::set<std::string> seen;
  uint64_t cursor = 0;
  int n = 0;
  do {
    absl::StatusOr<ScanBatch> b = store->Scan(cursor, "", 16);
    ASSERT_OK(b);
    for (const auto& [k, v] : b->entries) seen.insert(k);
    cursor = b->cursor;
    // Between batches, erase and add entries: slots shift back.
    if (n < 300) {
      ASSERT_OK(store->Erase(absl::StrCat("go", n)));
      ASSERT_OK(store->Set(absl::StrCat("new", n), Value::Int64(n)));
    }
    ++n;
  } while (cursor != 0);
  for (int i = 0; i < 600; ++i) {
    EXPECT_TRUE(seen.count(absl::StrCat("stay", i))) << i;
  }
}

TEST_F(CacheTest, StatsCountHitsMissesSetsAndDeletes) {
  auto store = Make();
  ASSERT_OK(store->Set("a", Value::Int64(1)));
  ASSERT_OK(store->Set("b", Value::Int64(1)));
  ASSERT_OK(store->Get("a"));
  ASSERT_OK(store->Get("a"));
  ASSERT_THAT(store->Get("zz"), Not(IsOk()));
  ASSERT_OK(store->Erase("b"));
  absl::StatusOr<StoreStats> s = store->Stats();
  EXPECT_EQ(s->hits, 2u);
  EXPECT_EQ(s->misses, 1u);
  EXPECT_EQ(s->sets, 2u);
  EXPECT_EQ(s->deletes, 1u);
  EXPECT_EQ(s->tombstones, 0u);
  EXPECT_DOUBLE_EQ(s->load_factor, 1.0 / s->slot_count);
}

TEST_F(CacheTest, GetOrComputeComputesOnceAndCaches) {
  auto store = Make();
  int calls = 0;
  auto compute = [&]() -> absl::StatusOr<Value> {
    ++calls;
    return Value::String("computed");
  };
  EXPECT_EQ(*store->GetOrCompute("k", compute), Value::String("computed"));
  EXPECT_EQ(*store->GetOrCompute("k", compute), Value::String("computed"));
  EXPECT_EQ(calls, 1);
}

TEST_F(CacheTest, GetOrComputeRefusesALeaseOutOfRange) {
  auto store = Make();
  int calls = 0;
  auto compute = [&]() -> absl::StatusOr<Value> {
    ++calls;
    return Value::Int64(1);
  };
  for (absl::Duration lease : {absl::ZeroDuration(), absl::Hours(24 * 3653),
                               absl::InfiniteDuration()}) {
    ComputeOptions options;
    options.lease = lease;
    absl::StatusOr<Value> r = store->GetOrCompute("k", compute, options);
    EXPECT_THAT(r.status(), StatusIs(absl::StatusCode::kInvalidArgument))
        << lease;
  }
  EXPECT_EQ(calls, 0);
  EXPECT_THAT(store->Get("k").status(), StatusIs(absl::StatusCode::kNotFound));
}

// A write that lands while the key is being computed is newer than the
// computation: it wins, and the computed value is returned but not stored
// (as with memcached's leases).
TEST_F(CacheTest, IncrementOfAKeyBeingComputedReusesItsSlotAndWins) {
  Options o;
  o.create_if_missing = true;
  o.capacity = 1;  // The compute marker fills the store.
  auto store = Store::Open(name_.name(), o);
  ASSERT_OK(store);
  absl::StatusOr<Value> v =
      (*store)->GetOrCompute("k", [&]() -> absl::StatusOr<Value> {
        absl::StatusOr<int64_t> n = (*store)->Increment("k");
        EXPECT_OK(n);
        return Value::Int64(41);
      });
  ASSERT_OK(v);
  EXPECT_EQ(*v, Value::Int64(41));
  EXPECT_EQ(*(*store)->Get<int64_t>("k"), 1);
  EXPECT_OK((*store)->Verify());
}

TEST_F(CacheTest, AComputationTakenOverDoesNotOverwriteTheTakersValue) {
  auto store = Make();
  ComputeOptions options;
  options.lease = absl::Milliseconds(1);
  absl::StatusOr<Value> late = store->GetOrCompute(
      "k",
      [&]() -> absl::StatusOr<Value> {
        // Once the lease has run out the marker no longer holds the key,
        // and another writer takes it (polled, not slept on).
        const absl::Time deadline = absl::Now() + absl::Seconds(30);
        absl::StatusOr<bool> taken = false;
        while (absl::Now() < deadline) {
          taken = store->SetIfAbsent("k", Value::String("taker"));
          if (!taken.ok() || *taken) break;
        }
        EXPECT_THAT(taken, IsOkAndHolds(true));
        return Value::String("late");
      },
      options);
  ASSERT_OK(late);
  EXPECT_EQ(*late, Value::String("late"));
  EXPECT_EQ(*store->Get("k"), Value::String("taker"));
  EXPECT_OK(store->Verify());
}

TEST_F(CacheTest, GetOrComputeErrorStoresNothing) {
  auto store = Make();
  absl::StatusOr<Value> r =
      store->GetOrCompute("k", []() -> absl::StatusOr<Value> {
        return absl::UnavailableError("backend down");
      });
  EXPECT_THAT(r.status(), StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(store->Get("k").status(), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_EQ(store->Stats()->entry_count, 0u);
  EXPECT_OK(store->Verify());
}

}  // namespace
}  // namespace kvstore
