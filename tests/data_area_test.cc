// Memory that follows the bytes stored: entries that fit a slot (80 bytes
// of key and value) stay in it; larger ones take a block of the data area
// (Options::memory) and give it back when they go. A full area refuses or
// evicts, saying which limit was hit.
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "kvstore/store.h"
#include "tests/data_area_fixture.h"
#include "tests/status_matchers.h"
#include "tests/test_util.h"

namespace kvstore {
namespace {

using ::kvstore::testing::IsOkAndHolds;
using ::kvstore::testing::StatusIs;

using DataAreaTest = ::kvstore::testing::DataAreaFixture;

TEST_F(DataAreaTest, SmallEntriesStayInTheirSlotsAndCostNoDataBytes) {
  auto store = Make(1 << 20);
  // The benchmark's entries: 14-byte keys, 64-byte values.
  for (int i = 0; i < 100; ++i) {
    ASSERT_OK(store->Set(absl::StrFormat("key%011d", i),
                         Value::String(std::string(64, 'v'))));
  }
  const StoreStats s = Stats(*store);
  EXPECT_EQ(s.slot_bytes, 96u);
  EXPECT_EQ(s.data_entries, 0u);
  EXPECT_EQ(s.data_used_bytes, 0u);
  EXPECT_EQ(s.data_free_bytes, uint64_t{1} << 20);
}

TEST_F(DataAreaTest, LargeValuesAndLongKeysRoundTrip) {
  auto store = Make(72 << 20);
  const std::string huge(64 << 20, 'h');  // The default max_value_bytes.
  ASSERT_OK(store->Set("huge", Value::Bytes(huge)));
  const std::string long_key(4096, 'k');  // The default max_key_bytes.
  ASSERT_OK(store->Set(long_key, Value::Int64(42)));
  absl::StatusOr<Bytes> got = store->Get<Bytes>("huge");
  ASSERT_OK(got);
  EXPECT_TRUE(got->data == huge);
  EXPECT_THAT(store->Get<int64_t>(long_key), IsOkAndHolds(42));
  EXPECT_EQ(*store->Increment(long_key, 1), 43);  // Counters work there too.
  EXPECT_EQ(Stats(*store).data_entries, 2u);
  EXPECT_OK(store->Verify());
  // Over the limits: refused, nothing changed.
  absl::Status too_long =
      store->Set(std::string(4097, 'k'), Value::String("x"));
  EXPECT_THAT(too_long, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(Stats(*store).data_entries, 2u);
}

TEST_F(DataAreaTest, OverwritesAndDeletesGiveTheirBlocksBack) {
  auto store = Make(1 << 16);
  ASSERT_OK(store->Set("k", Value::String(std::string(1000, 'a'))));
  const StoreStats one = Stats(*store);
  EXPECT_EQ(one.data_entries, 1u);
  // Key and value (1 + 1000 bytes) and the 8-byte header, rounded up to 16.
  EXPECT_EQ(one.data_used_bytes, 1024u);
  EXPECT_EQ(one.rounding_bytes, 1024u - 1001u);
  ASSERT_OK(store->Set("k", Value::String(std::string(3000, 'b'))));
  EXPECT_EQ(Stats(*store).data_entries, 1u);
  ASSERT_OK(store->Set("k", Value::String("small")));
  EXPECT_EQ(Stats(*store).data_used_bytes, 0u);
  ASSERT_OK(store->Set("k", Value::String(std::string(500, 'c'))));
  ASSERT_OK(store->Erase("k"));
  const StoreStats none = Stats(*store);
  EXPECT_EQ(none.data_used_bytes, 0u);
  EXPECT_EQ(none.largest_storable, (uint64_t{1} << 16) - 8);
  EXPECT_EQ(none.fragmented_bytes, 0u);
  EXPECT_OK(store->Verify());
}

TEST_F(DataAreaTest, AFullAreaWithoutEvictionSaysWhichLimitAndChangesNothing) {
  auto store = Make(4096);
  ASSERT_OK(store->Set("a", Value::String(std::string(3000, 'a'))));
  ASSERT_OK(store->Set("b", Value::String("kept")));
  const StoreStats before = Stats(*store);
  absl::Status full = store->Set("b", Value::String(std::string(2000, 'b')));
  EXPECT_THAT(full, StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_NE(full.message().find("data area"), std::string::npos) << full;
  EXPECT_NE(full.message().find("memory"), std::string::npos) << full;
  EXPECT_NE(full.message().find("2001 bytes"), std::string::npos) << full;
  EXPECT_THAT(store->Get<std::string>("b"), IsOkAndHolds("kept"));
  const StoreStats after = Stats(*store);
  EXPECT_EQ(after.data_used_bytes, before.data_used_bytes);
  EXPECT_EQ(after.entry_count, before.entry_count);
  // A value larger than the whole area is refused the same way.
  EXPECT_THAT(store->Set("c", Value::String(std::string(5000, 'c'))),
              StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_OK(store->Verify());
}

TEST_F(DataAreaTest, ExpiredEntriesAreReclaimedBeforeAFullAreaRefuses) {
  // In both policies the allocation's own sweep reclaims the expired entry:
  // nothing reads it first, and no live entry is evicted for the new one.
  for (Eviction eviction : {Eviction::kNone, Eviction::kClock}) {
    SCOPED_TRACE(eviction == Eviction::kNone ? "none" : "clock");
    auto store = Make(4096, eviction, /*capacity=*/16);
    ASSERT_NE(store, nullptr);
    ASSERT_OK(store->Set("live", Value::String(std::string(1000, 'l'))));
    WriteOptions soon;
    soon.ttl = absl::Milliseconds(1);
    ASSERT_OK(store->Set("old", Value::String(std::string(2000, 'o')), soon));
    ASSERT_LT(Stats(*store).largest_storable, 2500u) << "the area has room";
    ASSERT_TRUE(WaitOutTtlUnread(1));
    ASSERT_EQ(Stats(*store).entry_count, 2u);
    EXPECT_OK(store->Set("new", Value::String(std::string(2500, 'n'))));
    const StoreStats s = Stats(*store);
    EXPECT_EQ(s.expirations, 1u);
    EXPECT_EQ(s.evictions, 0u);
    EXPECT_THAT(store->Get("old").status(),
                StatusIs(absl::StatusCode::kNotFound));
    EXPECT_THAT(store->Get<std::string>("live"),
                IsOkAndHolds(std::string(1000, 'l')));
    EXPECT_OK(store->Verify());
    store.reset();
    ASSERT_OK(Store::Destroy(name_.name()));
  }
}

TEST_F(DataAreaTest, OverwritingAnExpiredKeyOfAFullClockStoreEvictsNoOther) {
  // Four 3000-byte values fill the area. The expired one's block is what
  // its overwrite reuses: no live entry is evicted for it. (Many slots, so
  // that the bounded sweep of a full store would rarely reach it: the
  // write's own lookup must reclaim it.)
  auto store = Make(4 * 3024, Eviction::kClock, /*capacity=*/8192);
  for (const char* key : {"a", "b", "c"}) {
    ASSERT_OK(store->Set(key, Value::String(std::string(3000, key[0]))));
  }
  WriteOptions soon;
  soon.ttl = absl::Milliseconds(1);
  ASSERT_OK(store->Set("x", Value::String(std::string(3000, 'x')), soon));
  ASSERT_LT(Stats(*store).largest_storable, 3001u) << "the area is not full";
  ASSERT_TRUE(WaitOutTtlUnread(1));
  ASSERT_EQ(Stats(*store).entry_count, 4u);
  ASSERT_OK(store->Set("x", Value::String(std::string(3000, 'y'))));
  EXPECT_EQ(Stats(*store).evictions, 0u);
  for (const char* key : {"a", "b", "c"}) {
    EXPECT_THAT(store->Get<std::string>(key),
                IsOkAndHolds(std::string(3000, key[0])))
        << key;
  }
  EXPECT_THAT(store->Get<std::string>("x"),
              IsOkAndHolds(std::string(3000, 'y')));
  EXPECT_OK(store->Verify());
}

TEST_F(DataAreaTest, ClockEvictsUntilTheNewValueFits) {
  auto store = Make(16384, Eviction::kClock);
  for (int i = 0; i < 100; ++i) {
    const std::string v(500 + (i * 997) % 3000,
                        static_cast<char>('a' + i % 26));
    absl::Status s = store->Set(absl::StrCat("k", i), Value::String(v));
    ASSERT_OK(s) << i;
    ASSERT_THAT(store->Get<std::string>(absl::StrCat("k", i)), IsOkAndHolds(v));
  }
  const StoreStats s = Stats(*store);
  EXPECT_GT(s.evictions, 0u);
  EXPECT_LE(s.data_used_bytes, s.data_bytes);
  EXPECT_OK(store->Verify());
}

TEST_F(DataAreaTest, ClockMakingRoomForBytesEvictsOnlyEntriesWithBlocks) {
  auto store = Make(8192, Eviction::kClock);
  // Small entries, kept in their slots, before and after the large ones,
  // so that the hand passes them whichever way it turns.
  for (int i = 0; i < 20; ++i) {
    ASSERT_OK(store->Set(absl::StrCat("small", i), Value::Int64(i)));
  }
  for (int i = 0; i < 40; ++i) {
    ASSERT_OK(store->Set(absl::StrCat("large", i),
                         Value::String(std::string(1000, 'L'))))
        << i;
    ASSERT_OK(store->Set(absl::StrCat("tiny", i), Value::Int64(i)));
  }
  const StoreStats s = Stats(*store);
  EXPECT_GT(s.evictions, 0u);  // 40 KB of large values in an 8 KiB area.
  EXPECT_EQ(s.evictions, 40u - s.data_entries);
  for (int i = 0; i < 20; ++i) {
    EXPECT_THAT(store->Get<int64_t>(absl::StrCat("small", i)), IsOkAndHolds(i));
  }
  for (int i = 0; i < 40; ++i) {
    EXPECT_THAT(store->Get<int64_t>(absl::StrCat("tiny", i)), IsOkAndHolds(i));
  }
  EXPECT_OK(store->Verify());
}

TEST_F(DataAreaTest, FragmentationIsReported) {
  auto store = Make(8192);
  // Eight 1 KiB blocks fill the area; every other one freed leaves holes.
  for (int i = 0; i < 8; ++i) {
    ASSERT_OK(store->Set(absl::StrCat("k", i),
                         Value::String(std::string(1000, 'f'))));
  }
  for (int i = 0; i < 8; i += 2) ASSERT_OK(store->Erase(absl::StrCat("k", i)));
  const StoreStats s = Stats(*store);
  EXPECT_EQ(s.data_used_bytes + s.data_free_bytes, s.data_bytes);
  EXPECT_GT(s.fragmented_bytes, 0u);
  EXPECT_EQ(s.fragmented_bytes + s.largest_storable + 8, s.data_free_bytes);
  EXPECT_EQ(s.largest_storable, 1024u - 8);
  // Freeing a neighbour coalesces: three holes become one.
  ASSERT_OK(store->Erase("k1"));
  const StoreStats merged = Stats(*store);
  EXPECT_EQ(merged.largest_storable, 3072u - 8);
  EXPECT_LT(merged.fragmented_bytes, s.fragmented_bytes);
  EXPECT_OK(store->Verify());
}

TEST_F(DataAreaTest, AStoreWithoutADataAreaRefusesLargeEntriesClearly) {
  auto store = Make(0);
  EXPECT_OK(store->Set("small", Value::String(std::string(70, 's'))));
  absl::Status big = store->Set("big", Value::String(std::string(100, 'b')));
  EXPECT_THAT(big, StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_NE(big.message().find("no data area"), std::string::npos) << big;
  EXPECT_EQ(Stats(*store).data_bytes, 0u);
  EXPECT_OK(store->Verify());
}

TEST_F(DataAreaTest, EveryWriteKindWorksOnLargeEntries) {
  auto store = Make(1 << 20);
  const std::string a(300, 'a'), b(400, 'b');
  ASSERT_TRUE(*store->SetIfAbsent("k", Value::String(a)));
  EXPECT_FALSE(*store->SetIfAbsent("k", Value::String(b)));
  ASSERT_TRUE(*store->CompareAndSet("k", Value::String(a), Value::String(b)));
  absl::StatusOr<Entry> e = store->GetEntry("k");
  ASSERT_OK(e);
  ASSERT_TRUE(*store->CompareVersionAndSet("k", e->version, Value::String(a)));
  ASSERT_TRUE(*store->Replace("k", Value::String(b)));
  ASSERT_OK(store->Expire("k", absl::Hours(1)));
  EXPECT_LE(*store->Ttl("k"), absl::Hours(1));
  ASSERT_OK(store->Persist("k"));
  EXPECT_EQ(*store->Ttl("k"), absl::InfiniteDuration());
  EXPECT_THAT(store->Get<std::string>("k"), IsOkAndHolds(b));
  std::vector<std::pair<std::string, Value>> batch = {
      {"m1", Value::String(a)}, {"m2", Value::String("tiny")}};
  ASSERT_OK(store->MultiSet(batch));
  std::vector<absl::StatusOr<Value>> got = store->MultiGet({"m1", "m2", "k"});
  ASSERT_OK(got[0]);
  ASSERT_OK(got[1]);
  ASSERT_OK(got[2]);
  EXPECT_EQ(got[0]->AsString(), a);
  int seen = 0;
  ASSERT_OK(store->ForEach([&](absl::string_view, const Value&) {
    ++seen;
    return absl::OkStatus();
  }));
  EXPECT_EQ(seen, 3);
  absl::StatusOr<ScanBatch> scan = store->Scan(0, "m", 1000);
  ASSERT_OK(scan);
  EXPECT_EQ(scan->entries.size(), 2u);
  absl::StatusOr<Value> taken = store->GetAndErase("k");
  ASSERT_OK(taken);
  EXPECT_EQ(taken->AsString(), b);
  absl::StatusOr<Value> computed = store->GetOrCompute(
      std::string(200, 'g'),
      [&]() -> absl::StatusOr<Value> { return Value::String(a); });
  ASSERT_OK(computed);
  EXPECT_EQ(Stats(*store).data_entries, 2u);  // m1 and the computed key.
  EXPECT_OK(store->Verify());
}

}  // namespace
}  // namespace kvstore
