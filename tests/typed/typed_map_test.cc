// TypedMap<K, V>: round trips of every field type, the operations of the
// untyped API on typed entries, and refusal of stores of another kind or
// schema.
#include "kvstore/typed_map.h"

#include <cstring>
#include <limits>
#include <set>
#include <string>

#include "absl/status/status.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kvstore/store.h"
#include "tests/status_matchers.h"
#include "tests/test_util.h"
#include "tests/typed/test_types.h"

namespace kvstore_test {
namespace {

using ::kvstore::FixedString;
using ::kvstore::Options;
using ::kvstore::TypedMap;
using ::kvstore::testing::ScopedStoreName;
using ::kvstore::testing::StatusIs;
using ::testing::HasSubstr;

template <typename T>
bool SameBytes(const T& a, const T& b) {
  return std::memcmp(&a, &b, sizeof(T)) == 0;
}

AllTypes Sample(int seed) {
  AllTypes v;
  std::memset(static_cast<void*>(&v), 0, sizeof(v));
  v.i8 = static_cast<int8_t>(-seed);
  v.i16 = -1616;
  v.i32 = -323232;
  v.i64 = std::numeric_limits<int64_t>::min() + seed;
  v.u8 = 200;
  v.u16 = 60000;
  v.u32 = 4000000000u;
  v.u64 = std::numeric_limits<uint64_t>::max() - seed;
  v.f = 1.5f;
  v.d = -2.25;
  v.b = true;
  v.color = Color::kGreen;
  v.name = "sixteen chars!!!";
  v.pos = {seed, -seed};
  return v;
}

template <typename K, typename V>
void ExpectRoundTrip(const K& key, const V& value) {
  ScopedStoreName name("rt");
  auto map = TypedMap<K, V>::Open(name.name(), Create());
  ASSERT_OK(map);
  ASSERT_OK((*map)->Set(key, value));
  absl::StatusOr<V> got = (*map)->Get(key);
  ASSERT_OK(got);
  EXPECT_TRUE(SameBytes(*got, value));
}

TEST(TypedMapTest, EveryScalarTypeRoundTripsAsKeyAndValue) {
  ExpectRoundTrip<int8_t, int8_t>(-1, -128);
  ExpectRoundTrip<int16_t, int16_t>(-2, -32768);
  ExpectRoundTrip<int32_t, int32_t>(-3, -2147483647);
  ExpectRoundTrip<int64_t, int64_t>(-4, std::numeric_limits<int64_t>::min());
  ExpectRoundTrip<uint8_t, uint8_t>(1, 255);
  ExpectRoundTrip<uint16_t, uint16_t>(2, 65535);
  ExpectRoundTrip<uint32_t, uint32_t>(3, 4294967295u);
  ExpectRoundTrip<uint64_t, uint64_t>(4, std::numeric_limits<uint64_t>::max());
  ExpectRoundTrip<bool, bool>(true, true);
  ExpectRoundTrip<Color, Color>(Color::kRed, Color::kBlue);
  ExpectRoundTrip<FixedString<16>, FixedString<16>>("key", "0123456789abcdef");
  ExpectRoundTrip<uint32_t, float>(5, -0.0f);
  ExpectRoundTrip<uint32_t, double>(6, std::numeric_limits<double>::max());
}

TEST(TypedMapTest, StructsRoundTripAsKeyAndValue) {
  ExpectRoundTrip<UserKey, AllTypes>(UserKey{7, 8}, Sample(3));
  ExpectRoundTrip<UserKey, Point>(UserKey{1, 2}, Point{-1, 1});
  ExpectRoundTrip<Point, UserKey>(Point{3, 4}, UserKey{5, 6});
}

TEST(TypedMapTest, ValuePaddingIsZeroedBeforeStoring) {
  ScopedStoreName name;
  auto map = TypedMap<uint64_t, AllTypes>::Open(name.name(), Create());
  ASSERT_OK(map);
  AllTypes dirty;
  std::memset(static_cast<void*>(&dirty), 0xab, sizeof(dirty));
  const AllTypes clean = Sample(1);
  dirty = clean;  // Copies fields; padding may stay 0xab.
  std::memset(reinterpret_cast<char*>(&dirty) + 1, 0xab, 1);  // After i8.
  ASSERT_OK((*map)->Set(1, dirty));
  const uint64_t key = 1;
  absl::StatusOr<std::string> raw = (*map)->store().Get(
      absl::string_view(reinterpret_cast<const char*>(&key), sizeof(key)));
  ASSERT_OK(raw);
  EXPECT_EQ(*raw,
            std::string(reinterpret_cast<const char*>(&clean), sizeof(clean)));
  // A compare-and-set sees equal fields as equal, whatever the padding.
  EXPECT_EQ((*map)->CompareAndSet(1, dirty, Sample(2)).value(), true);
}

TEST(TypedMapTest, GetEraseAndConditionalWrites) {
  ScopedStoreName name;
  auto map = TypedMap<UserKey, Point>::Open(name.name(), Create());
  ASSERT_OK(map);
  TypedMap<UserKey, Point>& m = **map;
  const UserKey k{1, 1};
  EXPECT_THAT(m.Get(k).status(), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(m.Erase(k), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(m.CompareAndSet(k, {0, 0}, {1, 1}).status(),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_EQ(m.SetIfAbsent(k, {1, 2}).value(), true);
  EXPECT_EQ(m.SetIfAbsent(k, {9, 9}).value(), false);
  EXPECT_EQ(m.CompareAndSet(k, {9, 9}, {3, 3}).value(), false);
  EXPECT_EQ(m.CompareAndSet(k, {1, 2}, {3, 4}).value(), true);
  EXPECT_TRUE(SameBytes(m.Get(k).value(), Point{3, 4}));
  absl::StatusOr<kvstore::TypedEntry<Point>> e = m.GetEntry(k);
  ASSERT_OK(e);
  EXPECT_EQ(e->ttl, absl::InfiniteDuration());
  EXPECT_EQ(m.CompareVersionAndSet(k, e->version, {5, 6}).value(), true);
  EXPECT_EQ(m.CompareVersionAndSet(k, e->version, {7, 8}).value(), false);
  EXPECT_TRUE(SameBytes(m.GetAndErase(k).value(), Point{5, 6}));
  EXPECT_THAT(m.Get(k).status(), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_OK(m.Verify());
}

TEST(TypedMapTest, EntriesExpireAfterTheirTimeToLive) {
  ScopedStoreName name;
  auto map = TypedMap<uint32_t, Counter>::Open(name.name(), Create());
  ASSERT_OK(map);
  kvstore::WriteOptions ttl;
  ttl.ttl = absl::Hours(1);  // No slow machine outlives it.
  ASSERT_OK((*map)->Set(1, Counter{1, 0}, ttl));
  ASSERT_OK((*map)->Set(2, Counter{2, 0}));
  auto entry = (*map)->GetEntry(1);
  ASSERT_OK(entry);
  EXPECT_GT(entry->ttl, absl::Minutes(59));
  EXPECT_LE(entry->ttl, absl::Hours(1));
  // A field add keeps the time to live.
  absl::StatusOr<uint64_t> hits = (*map)->AddToField(1, &Counter::hits, 1);
  ASSERT_OK(hits);
  EXPECT_EQ(*hits, 2u);
  entry = (*map)->GetEntry(1);
  ASSERT_OK(entry);
  EXPECT_GT(entry->ttl, absl::Minutes(59));
  // A short time to live, whose end the sleep passes for sure.
  ttl.ttl = absl::Milliseconds(1);
  ASSERT_OK((*map)->Set(1, Counter{2, 0}, ttl));
  absl::SleepFor(absl::Milliseconds(10));
  EXPECT_THAT((*map)->Get(1).status(), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_OK((*map)->Get(2));
  ttl.ttl = absl::ZeroDuration();
  EXPECT_THAT((*map)->Set(3, Counter{}, ttl),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(TypedMapTest, AddToFieldAddsToOneIntegerFieldAndChecksItsRange) {
  ScopedStoreName name;
  auto map = TypedMap<uint64_t, AllTypes>::Open(name.name(), Create());
  ASSERT_OK(map);
  TypedMap<uint64_t, AllTypes>& m = **map;
  EXPECT_THAT(m.AddToField(1, &AllTypes::i32, 1).status(),
              StatusIs(absl::StatusCode::kNotFound));
  ASSERT_OK(m.Set(1, Sample(0)));
  EXPECT_EQ(m.AddToField(1, &AllTypes::i32, 32).value(), -323200);
  EXPECT_EQ(m.AddToField(1, &AllTypes::u8, 55).value(), 255);
  absl::Status overflow = m.AddToField(1, &AllTypes::u8, 1).status();
  EXPECT_THAT(overflow, StatusIs(absl::StatusCode::kOutOfRange));
  EXPECT_THAT(overflow.message(), HasSubstr("field 'u8' (255)"));
  EXPECT_THAT(m.AddToField(1, &AllTypes::u32, -4000000001LL).status(),
              StatusIs(absl::StatusCode::kOutOfRange));
  EXPECT_THAT(m.AddToField(1, &AllTypes::i64, -1).status(),
              StatusIs(absl::StatusCode::kOutOfRange));
  EXPECT_EQ(m.AddToField(1, &AllTypes::u64, -5).value(),
            std::numeric_limits<uint64_t>::max() - 5);
  absl::StatusOr<AllTypes> v = m.AddToField(1, "pos.y", -10);
  ASSERT_OK(v);
  EXPECT_EQ(v->pos.y, -10);
  EXPECT_EQ(v->u8, 255);  // Unchanged by the refused add.
  EXPECT_EQ(v->i32, -323200);
  EXPECT_EQ(v->name, FixedString<16>("sixteen chars!!!"));
  for (const char* bad : {"f", "d", "b", "color", "name", "pos", "nope"}) {
    EXPECT_THAT(m.AddToField(1, bad, 1).status(),
                StatusIs(absl::StatusCode::kInvalidArgument))
        << bad;
  }
}

TEST(TypedMapTest, ScanAndForEachVisitEveryEntryOnce) {
  ScopedStoreName name;
  auto map = TypedMap<UserKey, Counter>::Open(name.name(), Create(512));
  ASSERT_OK(map);
  for (uint32_t i = 0; i < 300; ++i) {
    ASSERT_OK((*map)->Set(UserKey{i % 3, i}, Counter{i, -int64_t{i}}));
  }
  std::set<uint32_t> seen;
  uint64_t cursor = 0;
  do {
    auto batch = (*map)->Scan(cursor, 16);
    ASSERT_OK(batch);
    for (const auto& [k, v] : batch->entries) {
      EXPECT_EQ(k.tenant, k.user % 3);
      EXPECT_EQ(v.hits, k.user);
      seen.insert(k.user);
    }
    cursor = batch->cursor;
  } while (cursor != 0);
  EXPECT_EQ(seen.size(), 300u);
  int count = 0;
  ASSERT_OK((*map)->ForEach([&](const UserKey& k, const Counter& v) {
    ++count;
    return absl::OkStatus();
  }));
  EXPECT_EQ(count, 300);
}

TEST(TypedMapTest, ScanByKeyPrefixVisitsOnlyTheKeysThatStartWithIt) {
  ScopedStoreName name;
  auto map = TypedMap<UserKey, Counter>::Open(name.name(), Create(512));
  ASSERT_OK(map);
  for (uint32_t i = 0; i < 300; ++i) {
    ASSERT_OK((*map)->Set(UserKey{i % 3, i}, Counter{i, 0}));
  }
  // UserKey's first field is the tenant: its 4 bytes are the prefix.
  const uint32_t tenant = 1;
  const std::string prefix(reinterpret_cast<const char*>(&tenant),
                           sizeof(tenant));
  std::set<uint32_t> seen;
  uint64_t cursor = 0;
  do {
    auto batch = (*map)->Scan(cursor, prefix, 16);
    ASSERT_OK(batch);
    for (const auto& [k, v] : batch->entries) {
      EXPECT_EQ(k.tenant, tenant);
      seen.insert(k.user);
    }
    cursor = batch->cursor;
  } while (cursor != 0);
  EXPECT_EQ(seen.size(), 100u);
  auto too_long = (*map)->Scan(0, std::string(sizeof(UserKey) + 1, 'x'), 16);
  EXPECT_THAT(too_long.status(), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(TypedMapTest, MultiGetReturnsOneResultPerKeyLockFreeOrAsASnapshot) {
  ScopedStoreName name;
  auto map = TypedMap<uint64_t, Counter>::Open(name.name(), Create());
  ASSERT_OK(map);
  ASSERT_OK((*map)->Set(1, Counter{10, 1}));
  ASSERT_OK((*map)->Set(3, Counter{30, 3}));
  for (bool snapshot : {false, true}) {
    kvstore::MultiGetOptions options;
    options.snapshot = snapshot;
    std::vector<absl::StatusOr<Counter>> got =
        (*map)->MultiGet({1, 2, 3}, options);
    ASSERT_EQ(got.size(), 3u);
    ASSERT_OK(got[0]);
    EXPECT_EQ(got[0]->hits, 10u);
    EXPECT_THAT(got[1].status(), StatusIs(absl::StatusCode::kNotFound));
    ASSERT_OK(got[2]);
    EXPECT_EQ(got[2]->hits, 30u);
  }
}

TEST(TypedMapTest, ExpirePersistAndTtlKeepTheValue) {
  ScopedStoreName name;
  auto map = TypedMap<uint64_t, Counter>::Open(name.name(), Create());
  ASSERT_OK(map);
  ASSERT_OK((*map)->Set(1, Counter{5, 0}));
  EXPECT_EQ(*(*map)->Ttl(1), absl::InfiniteDuration());
  absl::Status s = (*map)->Expire(1, absl::Hours(1));
  ASSERT_OK(s);
  absl::StatusOr<absl::Duration> ttl = (*map)->Ttl(1);
  ASSERT_OK(ttl);
  EXPECT_GT(*ttl, absl::Minutes(59));
  EXPECT_LE(*ttl, absl::Hours(1));
  EXPECT_EQ((*map)->Get(1)->hits, 5u);
  s = (*map)->Persist(1);
  ASSERT_OK(s);
  EXPECT_EQ(*(*map)->Ttl(1), absl::InfiniteDuration());
  EXPECT_EQ((*map)->Get(1)->hits, 5u);
  // Bad input changes nothing.
  EXPECT_THAT((*map)->Expire(2, absl::Hours(1)),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT((*map)->Persist(2), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT((*map)->Ttl(2).status(), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT((*map)->Expire(1, absl::ZeroDuration()),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT((*map)->Expire(1, absl::InfiniteDuration()),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(*(*map)->Ttl(1), absl::InfiniteDuration());
  // A short time to live, whose end the poll waits for.
  ASSERT_OK((*map)->Expire(1, absl::Milliseconds(1)));
  EXPECT_TRUE(kvstore::testing::PollUntil(
      [&] { return absl::IsNotFound((*map)->Get(1).status()); }));
}

TEST(TypedMapTest, FullStoreRefusesNewKeysAndLimitsComeFromTheTypes) {
  ScopedStoreName name;
  Options o = Create(4);
  o.max_key_bytes = 1000;  // Ignored.
  o.max_value_bytes = 3;   // Ignored.
  auto map = TypedMap<uint64_t, AllTypes>::Open(name.name(), o);
  ASSERT_OK(map);
  for (uint64_t i = 0; i < 4; ++i) ASSERT_OK((*map)->Set(i, Sample(1)));
  EXPECT_THAT((*map)->Set(9, Sample(1)),
              StatusIs(absl::StatusCode::kResourceExhausted));
  kvstore::StoreStats stats = (*map)->Stats().value();
  EXPECT_EQ(stats.max_key_bytes, sizeof(uint64_t));
  EXPECT_EQ(stats.max_value_bytes, sizeof(AllTypes));
}

}  // namespace
}  // namespace kvstore_test
