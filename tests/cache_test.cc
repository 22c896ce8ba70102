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
#include "tests/test_util.h"

namespace kvstore {
namespace {

using ::kvstore::testing::ScopedStoreName;

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
    EXPECT_TRUE(store.ok()) << store.status();
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
  ASSERT_TRUE(store->Set("k", Value::String("v"), Ttl(absl::Hours(1))).ok());
  EXPECT_TRUE(store->Get("k").ok());
  ASSERT_TRUE(store->Expire("k", absl::Milliseconds(1)).ok());
  absl::SleepFor(absl::Milliseconds(10));
  EXPECT_TRUE(absl::IsNotFound(store->Get("k").status()));
  EXPECT_TRUE(absl::IsNotFound(store->GetEntry("k").status()));
  EXPECT_TRUE(absl::IsNotFound(store->Ttl("k").status()));
  EXPECT_TRUE(absl::IsNotFound(store->MultiGet({"k"})[0].status()));
  int seen = 0;
  ASSERT_TRUE(store
                  ->ForEach([&](absl::string_view, const Value&) {
                    ++seen;
                    return absl::OkStatus();
                  })
                  .ok());
  EXPECT_EQ(seen, 0);
  // Reclaimed on access: the slot is free again and counted.
  EXPECT_EQ(store->Stats()->entry_count, 0u);
  EXPECT_EQ(store->Stats()->expirations, 1u);
}

TEST_F(CacheTest, TtlReportsTimeLeftOrNone) {
  auto store = Make();
  ASSERT_TRUE(store->Set("p", Value::Int64(1)).ok());
  EXPECT_EQ(*store->Ttl("p"), absl::InfiniteDuration());
  ASSERT_TRUE(store->Set("t", Value::Int64(1), Ttl(absl::Seconds(100))).ok());
  absl::Duration left = *store->Ttl("t");
  EXPECT_GT(left, absl::Seconds(90));
  EXPECT_LE(left, absl::Seconds(100));
}

TEST_F(CacheTest, TtlIsKeptInWholeMillisecondsAndNeverCutShort) {
  auto store = Make();
  const absl::Duration ttl = absl::Microseconds(2500);
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(store->Set("k", Value::Int64(1), Ttl(ttl)).ok());
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
  EXPECT_TRUE(
      store->Set("k", Value::Int64(1), Ttl(absl::Hours(24 * 3652))).ok());
  EXPECT_GT(*store->Ttl("k"), absl::Hours(24 * 3651));
  absl::Status longer = store->Set(
      "k", Value::Int64(1), Ttl(absl::Hours(24 * 3652) + absl::Seconds(1)));
  EXPECT_TRUE(absl::IsInvalidArgument(longer)) << longer;
  EXPECT_NE(longer.message().find("10 years"), std::string::npos) << longer;
  EXPECT_TRUE(
      absl::IsInvalidArgument(store->Expire("k", absl::Hours(24 * 3653))));
  EXPECT_GT(*store->Ttl("k"), absl::Hours(24 * 3651));  // Unchanged.
}

TEST_F(CacheTest, ExpireAndPersistChangeTheTtl) {
  auto store = Make();
  ASSERT_TRUE(store->Set("k", Value::Int64(5)).ok());
  ASSERT_TRUE(store->Expire("k", absl::Seconds(50)).ok());
  EXPECT_LE(*store->Ttl("k"), absl::Seconds(50));
  ASSERT_TRUE(store->Persist("k").ok());
  EXPECT_EQ(*store->Ttl("k"), absl::InfiniteDuration());
  EXPECT_EQ(*store->Get<int64_t>("k"), 5);
  EXPECT_TRUE(absl::IsNotFound(store->Expire("nope", absl::Seconds(1))));
  EXPECT_TRUE(absl::IsNotFound(store->Persist("nope")));
  EXPECT_TRUE(
      absl::IsInvalidArgument(store->Expire("k", absl::ZeroDuration())));
  EXPECT_TRUE(absl::IsInvalidArgument(
      store->Set("k", Value::Int64(1), Ttl(-absl::Seconds(1)))));
  EXPECT_TRUE(absl::IsInvalidArgument(
      store->Set("k", Value::Int64(1), Ttl(absl::Hours(24 * 365 * 101)))));
  EXPECT_EQ(*store->Get<int64_t>("k"), 5);
}

TEST_F(CacheTest, SetWithoutTtlClearsAnOldTtlButIncrementKeepsIt) {
  auto store = Make();
  ASSERT_TRUE(store->Set("c", Value::Int64(1), Ttl(absl::Seconds(100))).ok());
  ASSERT_TRUE(store->Increment("c").ok());
  EXPECT_NE(*store->Ttl("c"), absl::InfiniteDuration());
  ASSERT_TRUE(store->Set("c", Value::Int64(1)).ok());
  EXPECT_EQ(*store->Ttl("c"), absl::InfiniteDuration());
}

TEST_F(CacheTest, ConditionalWritesGiveTheEntryTheirOwnTtlLikeSet) {
  auto store = Make();
  const absl::Duration kOld = absl::Seconds(100);
  // Replace, CompareAndSet and CompareVersionAndSet without a ttl drop the
  // old one; with one, the entry gets it.
  ASSERT_TRUE(store->Set("r", Value::Int64(1), Ttl(kOld)).ok());
  ASSERT_TRUE(*store->Replace("r", Value::Int64(2)));
  EXPECT_EQ(*store->Ttl("r"), absl::InfiniteDuration());
  ASSERT_TRUE(*store->Replace("r", Value::Int64(3), Ttl(absl::Hours(1))));
  EXPECT_GT(*store->Ttl("r"), kOld);

  ASSERT_TRUE(store->Set("c", Value::Int64(1), Ttl(kOld)).ok());
  ASSERT_TRUE(*store->CompareAndSet("c", Value::Int64(1), Value::Int64(2)));
  EXPECT_EQ(*store->Ttl("c"), absl::InfiniteDuration());
  ASSERT_TRUE(*store->CompareAndSet("c", Value::Int64(2), Value::Int64(3),
                                    Ttl(absl::Hours(1))));
  EXPECT_GT(*store->Ttl("c"), kOld);

  ASSERT_TRUE(store->Set("v", Value::Int64(1), Ttl(kOld)).ok());
  ASSERT_TRUE(*store->CompareVersionAndSet("v", store->GetEntry("v")->version,
                                           Value::Int64(2)));
  EXPECT_EQ(*store->Ttl("v"), absl::InfiniteDuration());

  // A SetIfAbsent that finds the key leaves its ttl alone.
  ASSERT_TRUE(store->Set("a", Value::Int64(1), Ttl(kOld)).ok());
  ASSERT_FALSE(*store->SetIfAbsent("a", Value::Int64(2)));
  EXPECT_LE(*store->Ttl("a"), kOld);
  EXPECT_GT(*store->Ttl("a"), absl::Seconds(50));
  ASSERT_TRUE(*store->SetIfAbsent("b", Value::Int64(2), Ttl(kOld)));
  EXPECT_LE(*store->Ttl("b"), kOld);
}

TEST_F(CacheTest, WritesSweepExpiredEntriesWithoutBeingAsked) {
  auto store = Make(64);
  for (int i = 0; i < 40; ++i) {
    ASSERT_TRUE(store
                    ->Set(absl::StrCat("e", i), Value::Int64(i),
                          Ttl(absl::Milliseconds(20)))
                    .ok());
  }
  absl::SleepFor(absl::Milliseconds(40));
  // Unrelated writes reclaim a few slots each.
  for (int i = 0; i < 200; ++i) {
    ASSERT_TRUE(store->Set("other", Value::Int64(i)).ok());
  }
  absl::StatusOr<StoreStats> stats = store->Stats();
  EXPECT_EQ(stats->expirations, 40u);
  EXPECT_EQ(stats->entry_count, 1u);
  EXPECT_TRUE(store->Verify().ok());
}

TEST_F(CacheTest, FullStoreWithoutEvictionReclaimsExpiredBeforeRefusing) {
  auto store = Make(4);
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(store
                    ->Set(absl::StrCat("k", i), Value::Int64(i),
                          Ttl(i == 2 ? absl::Milliseconds(10)
                                     : absl::InfiniteDuration()))
                    .ok());
  }
  EXPECT_TRUE(absl::IsResourceExhausted(store->Set("x", Value::Int64(0))));
  absl::SleepFor(absl::Milliseconds(30));
  EXPECT_TRUE(store->Set("x", Value::Int64(0)).ok());
  EXPECT_TRUE(absl::IsResourceExhausted(store->Set("y", Value::Int64(0))));
  EXPECT_EQ(store->Stats()->evictions, 0u);
}

TEST_F(CacheTest, ClockEvictsAColdEntryAndKeepsARecentlyReadOne) {
  auto store = Make(8, Eviction::kClock);
  for (int i = 0; i < 8; ++i) {
    ASSERT_TRUE(store->Set(absl::StrCat("k", i), Value::Int64(i)).ok());
  }
  // k0..k3 are read; k4..k7 are cold.
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 4; ++i) {
      ASSERT_TRUE(store->Get(absl::StrCat("k", i)).ok());
    }
  }
  ASSERT_TRUE(store->Set("new", Value::Int64(100)).ok());
  absl::StatusOr<StoreStats> stats = store->Stats();
  EXPECT_EQ(stats->evictions, 1u);
  EXPECT_EQ(stats->entry_count, 8u);
  EXPECT_EQ(stats->eviction, Eviction::kClock);
  for (int i = 0; i < 4; ++i) {
    EXPECT_TRUE(store->Get(absl::StrCat("k", i)).ok()) << i;
  }
  EXPECT_TRUE(store->Get("new").ok());
  int cold_left = 0;
  for (int i = 4; i < 8; ++i) {
    cold_left += store->Get(absl::StrCat("k", i)).ok();
  }
  EXPECT_EQ(cold_left, 3);
  EXPECT_TRUE(store->Verify().ok());
}

TEST_F(CacheTest, ClockKeepsHotKeysUnderASkewedWorkload) {
  auto store = Make(100, Eviction::kClock);
  // 20 hot keys read between every insert of a stream of cold keys.
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(store->Set(absl::StrCat("hot", i), Value::Int64(i)).ok());
  }
  for (int n = 0; n < 2000; ++n) {
    for (int i = 0; i < 20; ++i) {
      absl::Status s = store->Get(absl::StrCat("hot", i)).status();
      if (absl::IsNotFound(s)) {
        ASSERT_TRUE(store->Set(absl::StrCat("hot", i), Value::Int64(i)).ok());
      }
    }
    ASSERT_TRUE(store->Set(absl::StrCat("cold", n), Value::Int64(n)).ok());
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
  EXPECT_TRUE(absl::IsNotFound(store->Get("k").status()));
  ASSERT_TRUE(store->Set("k", Value::Int64(1)).ok());
  EXPECT_TRUE(*store->Replace("k", Value::Int64(2)));
  EXPECT_EQ(*store->Get<int64_t>("k"), 2);
}

TEST_F(CacheTest, EveryWriteBumpsTheVersion) {
  auto store = Make();
  ASSERT_TRUE(store->Set("a", Value::Int64(1)).ok());
  uint64_t v1 = store->GetEntry("a")->version;
  ASSERT_TRUE(store->Set("b", Value::Int64(1)).ok());
  ASSERT_TRUE(store->Increment("a").ok());
  uint64_t v2 = store->GetEntry("a")->version;
  EXPECT_GT(v2, v1);
  EXPECT_GT(store->GetEntry("b")->version, v1);
  EXPECT_GT(v2, store->GetEntry("b")->version);
}

TEST_F(CacheTest, CompareVersionAndSetFailsAfterAnotherWrite) {
  auto store = Make();
  ASSERT_TRUE(store->Set("k", Value::String("a")).ok());
  uint64_t version = store->GetEntry("k")->version;
  ASSERT_TRUE(store->Set("k", Value::String("a")).ok());  // Same value.
  EXPECT_FALSE(*store->CompareVersionAndSet("k", version, Value::String("b")));
  version = store->GetEntry("k")->version;
  EXPECT_TRUE(*store->CompareVersionAndSet("k", version, Value::String("b")));
  EXPECT_EQ(*store->Get<std::string>("k"), "b");
  EXPECT_TRUE(absl::IsNotFound(
      store->CompareVersionAndSet("nope", 1, Value::String("b")).status()));
}

TEST_F(CacheTest, AStoreMadeAgainUnderItsNameReusesNoVersion) {
  uint64_t first = 0;
  {
    auto store = Make();
    ASSERT_TRUE(store->Set("k", Value::String("a")).ok());
    first = store->GetEntry("k")->version;
  }
  ASSERT_TRUE(Store::Destroy(name_.name()).ok());
  auto store = Make();
  ASSERT_TRUE(store->Set("k", Value::String("a")).ok());
  // Each store starts its versions at a random point: the same first write
  // of a new store gets another version (but by a 2^-47 chance).
  EXPECT_NE(store->GetEntry("k")->version, first);
  absl::StatusOr<bool> stale =
      store->CompareVersionAndSet("k", first, Value::String("b"));
  ASSERT_TRUE(stale.ok()) << stale.status();
  EXPECT_FALSE(*stale);
}

TEST_F(CacheTest, GetAndEraseReturnsTheValueOnce) {
  auto store = Make();
  ASSERT_TRUE(store->Set("k", Value::String("v")).ok());
  EXPECT_EQ(*store->GetAndErase("k"), Value::String("v"));
  EXPECT_TRUE(absl::IsNotFound(store->GetAndErase("k").status()));
  EXPECT_EQ(store->Stats()->deletes, 1u);
}

TEST_F(CacheTest, AddDoubleCreatesAtZeroAndChecksType) {
  auto store = Make();
  EXPECT_EQ(*store->AddDouble("d", 1.5), 1.5);
  EXPECT_EQ(*store->AddDouble("d", -0.25), 1.25);
  ASSERT_TRUE(store->Set("i", Value::Int64(1)).ok());
  EXPECT_TRUE(absl::IsFailedPrecondition(store->AddDouble("i", 1).status()));
  EXPECT_TRUE(absl::IsFailedPrecondition(store->Increment("d").status()));
}

TEST_F(CacheTest, MultiGetReturnsOneResultPerKeyLockFreeOrAsASnapshot) {
  auto store = Make();
  ASSERT_TRUE(store->Set("a", Value::Int64(1)).ok());
  ASSERT_TRUE(store->Set("c", Value::Int64(3)).ok());
  WriteOptions soon;
  soon.ttl = absl::Milliseconds(1);
  ASSERT_TRUE(store->Set("e", Value::Int64(5), soon).ok());
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
    EXPECT_TRUE(absl::IsNotFound(r[1].status())) << snapshot;
    EXPECT_EQ(*r[2], Value::Int64(3)) << snapshot;
    EXPECT_TRUE(absl::IsInvalidArgument(r[3].status())) << snapshot;
    EXPECT_TRUE(absl::IsNotFound(r[4].status())) << snapshot;  // Expired.
    EXPECT_EQ(*r[5], Value::Int64(1)) << snapshot;
    EXPECT_EQ(store->Stats()->hits, hits + 3) << snapshot;
  }
}

TEST_F(CacheTest, MultiSetIsAllOrNothingOnBadInput) {
  auto store = Make(3);
  ASSERT_TRUE(
      store->MultiSet({{"a", Value::Int64(1)}, {"b", Value::Int64(2)}}).ok());
  EXPECT_EQ(*store->Get<int64_t>("b"), 2);
  // One bad value: nothing written.
  EXPECT_TRUE(absl::IsInvalidArgument(store->MultiSet(
      {{"a", Value::Int64(9)}, {"x", Value::String(std::string(65, 'v'))}})));
  EXPECT_EQ(*store->Get<int64_t>("a"), 1);
  // Two new keys do not fit: nothing written.
  EXPECT_TRUE(
      absl::IsResourceExhausted(store->MultiSet({{"a", Value::Int64(9)},
                                                 {"c", Value::Int64(3)},
                                                 {"d", Value::Int64(4)}})));
  EXPECT_EQ(*store->Get<int64_t>("a"), 1);
  EXPECT_TRUE(absl::IsNotFound(store->Get("c").status()));
  // A key repeated in the batch counts once.
  EXPECT_TRUE(
      store->MultiSet({{"c", Value::Int64(3)}, {"c", Value::Int64(4)}}).ok());
  EXPECT_EQ(*store->Get<int64_t>("c"), 4);
}

TEST_F(CacheTest, ScanVisitsEveryEntryInBatches) {
  auto store = Make(500);
  std::set<std::string> all;
  for (int i = 0; i < 400; ++i) {
    std::string k = absl::StrCat(i % 2 ? "odd:" : "even:", i);
    ASSERT_TRUE(store->Set(k, Value::Int64(i)).ok());
    if (i % 2) all.insert(k);
  }
  std::set<std::string> seen;
  uint64_t cursor = 0;
  int batches = 0;
  do {
    absl::StatusOr<ScanBatch> b = store->Scan(cursor, "odd:", 50);
    ASSERT_TRUE(b.ok()) << b.status();
    for (const auto& [k, v] : b->entries) seen.insert(k);
    cursor = b->cursor;
    ++batches;
  } while (cursor != 0);
  EXPECT_EQ(seen, all);
  EXPECT_GT(batches, 5);
  EXPECT_TRUE(absl::IsOutOfRange(store->Scan(1u << 30, "", 10).status()));
}

TEST_F(CacheTest, ScanReturnsEntriesPresentThroughoutDespiteConcurrentErases) {
  auto store = Make(1000);
  for (int i = 0; i < 600; ++i) {
    ASSERT_TRUE(store->Set(absl::StrCat("stay", i), Value::Int64(i)).ok());
  }
  for (int i = 0; i < 300; ++i) {
    ASSERT_TRUE(store->Set(absl::StrCat("go", i), Value::Int64(i)).ok());
  }
  std::set<std::string> seen;
  uint64_t cursor = 0;
  int n = 0;
  do {
    absl::StatusOr<ScanBatch> b = store->Scan(cursor, "", 16);
    ASSERT_TRUE(b.ok());
    for (const auto& [k, v] : b->entries) seen.insert(k);
    cursor = b->cursor;
    // Between batches, erase and add entries: slots shift back.
    if (n < 300) {
      ASSERT_TRUE(store->Erase(absl::StrCat("go", n)).ok());
      ASSERT_TRUE(store->Set(absl::StrCat("new", n), Value::Int64(n)).ok());
    }
    ++n;
  } while (cursor != 0);
  for (int i = 0; i < 600; ++i) {
    EXPECT_TRUE(seen.count(absl::StrCat("stay", i))) << i;
  }
}

TEST_F(CacheTest, StatsCountHitsMissesSetsAndDeletes) {
  auto store = Make();
  ASSERT_TRUE(store->Set("a", Value::Int64(1)).ok());
  ASSERT_TRUE(store->Set("b", Value::Int64(1)).ok());
  ASSERT_TRUE(store->Get("a").ok());
  ASSERT_TRUE(store->Get("a").ok());
  ASSERT_FALSE(store->Get("zz").ok());
  ASSERT_TRUE(store->Erase("b").ok());
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
    EXPECT_TRUE(absl::IsInvalidArgument(r.status())) << lease;
  }
  EXPECT_EQ(calls, 0);
  EXPECT_TRUE(absl::IsNotFound(store->Get("k").status()));
}

// A write that lands while the key is being computed is newer than the
// computation: it wins, and the computed value is returned but not stored
// (as with memcached's leases).
TEST_F(CacheTest, IncrementOfAKeyBeingComputedReusesItsSlotAndWins) {
  Options o;
  o.create_if_missing = true;
  o.capacity = 1;  // The compute marker fills the store.
  auto store = Store::Open(name_.name(), o);
  ASSERT_TRUE(store.ok());
  absl::StatusOr<Value> v =
      (*store)->GetOrCompute("k", [&]() -> absl::StatusOr<Value> {
        absl::StatusOr<int64_t> n = (*store)->Increment("k");
        EXPECT_TRUE(n.ok()) << n.status();
        return Value::Int64(41);
      });
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(*v, Value::Int64(41));
  EXPECT_EQ(*(*store)->Get<int64_t>("k"), 1);
  EXPECT_TRUE((*store)->Verify().ok());
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
        EXPECT_TRUE(taken.ok() && *taken) << taken.status();
        return Value::String("late");
      },
      options);
  ASSERT_TRUE(late.ok()) << late.status();
  EXPECT_EQ(*late, Value::String("late"));
  EXPECT_EQ(*store->Get("k"), Value::String("taker"));
  EXPECT_TRUE(store->Verify().ok());
}

TEST_F(CacheTest, GetOrComputeErrorStoresNothing) {
  auto store = Make();
  absl::StatusOr<Value> r =
      store->GetOrCompute("k", []() -> absl::StatusOr<Value> {
        return absl::UnavailableError("backend down");
      });
  EXPECT_TRUE(absl::IsUnavailable(r.status()));
  EXPECT_TRUE(absl::IsNotFound(store->Get("k").status()));
  EXPECT_EQ(store->Stats()->entry_count, 0u);
  EXPECT_TRUE(store->Verify().ok());
}

}  // namespace
}  // namespace kvstore
