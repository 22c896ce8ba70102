// The C++ API's contract, one behaviour per test.
#include "kvstore/store.h"

#include <sys/stat.h>

#include <cmath>
#include <limits>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "gtest/gtest.h"
#include "tests/status_matchers.h"
#include "tests/test_util.h"

namespace kvstore {
namespace {

using ::kvstore::testing::IsOkAndHolds;
using ::kvstore::testing::ScopedStoreName;
using ::kvstore::testing::StatusIs;

class StoreTest : public ::testing::Test {
 protected:
  std::unique_ptr<Store> Make(uint64_t capacity = 64, uint32_t key = 32,
                              uint32_t value = 64) {
    Options options;
    options.create_if_missing = true;
    options.capacity = capacity;
    options.max_key_bytes = key;
    options.max_value_bytes = value;
    absl::StatusOr<std::unique_ptr<Store>> store =
        Store::Open(name_.name(), options);
    EXPECT_OK(store);
    return store.ok() ? *std::move(store) : nullptr;
  }

  ScopedStoreName name_;
};

TEST_F(StoreTest, CreationReportsTheBytesReservedOnlyWhenItCreates) {
  std::vector<std::pair<uint64_t, uint64_t>> calls;
  Options options;
  options.create_if_missing = true;
  options.capacity = 1 << 20;  // About 128 MiB: more than one 64 MiB step.
  options.memory = 0;
  options.creation_progress = [&](uint64_t done, uint64_t total) {
    calls.emplace_back(done, total);
  };
  absl::StatusOr<std::unique_ptr<Store>> store =
      Store::Open(name_.name(), options);
  ASSERT_OK(store);
  const uint64_t size = (*store)->Stats()->segment_bytes;
  ASSERT_GE(calls.size(), 2u);
  for (size_t i = 0; i < calls.size(); ++i) {
    EXPECT_EQ(calls[i].second, size);
    if (i > 0) {
      EXPECT_GT(calls[i].first, calls[i - 1].first);
    }
  }
  EXPECT_EQ(calls.back().first, size);
  calls.clear();
  ASSERT_OK(Store::Open(name_.name(), options));  // Exists now.
  EXPECT_TRUE(calls.empty());
}

TEST_F(StoreTest, VerifyReportsTheSlotsWalked) {
  auto store = Make(100000);
  ASSERT_OK(store->Set("k", Value::Int64(1)));
  std::vector<uint64_t> done;
  uint64_t total = 0;
  absl::Status verified = store->Verify([&](uint64_t d, uint64_t t) {
    done.push_back(d);
    total = t;
  });
  ASSERT_OK(verified);
  EXPECT_EQ(total, store->Stats()->slot_count);
  ASSERT_GE(done.size(), 2u);
  EXPECT_EQ(done.front(), 65536u);
  EXPECT_EQ(done.back(), total);
}

TEST_F(StoreTest, SetThenGetEachType) {
  auto store = Make();
  ASSERT_OK(store->Set("s", Value::String("hello")));
  ASSERT_OK(store->Set("b", Value::Bytes(std::string("\0\1\2", 3))));
  ASSERT_OK(store->Set("i", Value::Int64(-42)));
  ASSERT_OK(store->Set("d", Value::Double(2.5)));
  ASSERT_OK(store->Set("t", Value::Bool(true)));
  EXPECT_THAT(store->Get<std::string>("s"), IsOkAndHolds("hello"));
  EXPECT_THAT(
      store->Get<Bytes>("b"),
      IsOkAndHolds(::testing::Field(&Bytes::data, std::string("\0\1\2", 3))));
  EXPECT_THAT(store->Get<int64_t>("i"), IsOkAndHolds(-42));
  EXPECT_THAT(store->Get<double>("d"), IsOkAndHolds(2.5));
  EXPECT_THAT(store->Get<bool>("t"), IsOkAndHolds(true));
  EXPECT_THAT(store->Get("i"), IsOkAndHolds(::testing::Property(
                                   &Value::type, ValueType::kInt64)));
}

TEST_F(StoreTest, ExtremeNumbersRoundTrip) {
  auto store = Make();
  for (int64_t v : {std::numeric_limits<int64_t>::min(), int64_t{0},
                    std::numeric_limits<int64_t>::max()}) {
    ASSERT_OK(store->Set("i", Value::Int64(v)));
    EXPECT_THAT(store->Get<int64_t>("i"), IsOkAndHolds(v));
  }
  ASSERT_OK(store->Set("d", Value::Double(-0.0)));
  EXPECT_THAT(
      store->Get<double>("d"),
      IsOkAndHolds(::testing::Truly([](double d) { return std::signbit(d); })));
  ASSERT_OK(store->Set("d", Value::Double(std::nan(""))));
  EXPECT_THAT(store->Get<double>("d"), IsOkAndHolds(::testing::IsNan()));
}

TEST_F(StoreTest, GetMissingKeyIsNotFound) {
  auto store = Make();
  absl::StatusOr<Value> v = store->Get("nope");
  EXPECT_THAT(v.status(), StatusIs(absl::StatusCode::kNotFound));
  // The miss status is shared by every miss: it names the store.
  EXPECT_EQ(v.status().message(), "key not found in store " + store->name());
}

TEST_F(StoreTest, GetWithWrongTypeIsFailedPrecondition) {
  auto store = Make();
  ASSERT_OK(store->Set("n", Value::Int64(1)));
  absl::StatusOr<std::string> s = store->Get<std::string>("n");
  EXPECT_THAT(s.status(), StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_NE(s.status().message().find("int64"), std::string::npos);
  EXPECT_THAT(store->Get<Bytes>("n").status(),
              StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST_F(StoreTest, OverwriteChangesTypeAndValue) {
  auto store = Make();
  ASSERT_OK(store->Set("k", Value::Int64(1)));
  ASSERT_OK(store->Set("k", Value::String("one")));
  EXPECT_THAT(store->Get<std::string>("k"), IsOkAndHolds("one"));
  EXPECT_EQ(store->Stats()->entry_count, 1u);
}

TEST_F(StoreTest, BadKeysAndValuesAreRefusedAndChangeNothing) {
  auto store = Make(8, 4, 8);
  ASSERT_OK(store->Set("k", Value::String("old")));
  EXPECT_THAT(store->Set("", Value::Int64(1)),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(store->Set("12345", Value::Int64(1)),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(store->Set("k", Value::String("123456789")),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(store->Get("12345").status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(store->Erase(""), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(store->Get<std::string>("k"), IsOkAndHolds("old"));
  EXPECT_EQ(store->Stats()->entry_count, 1u);
  // Limits are exact: a key of exactly max_key_bytes is accepted.
  EXPECT_OK(store->Set("1234", Value::String("12345678")));
}

TEST_F(StoreTest, FullStoreRefusesNewKeysButOverwrites) {
  auto store = Make(3);
  for (std::string k : {"a", "b", "c"}) {
    ASSERT_OK(store->Set(k, Value::Int64(1)));
  }
  absl::Status full = store->Set("d", Value::Int64(1));
  EXPECT_THAT(full, StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_THAT(store->Increment("d").status(),
              StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_OK(store->Set("a", Value::Int64(2)));
  EXPECT_THAT(store->Get<int64_t>("a"), IsOkAndHolds(2));
  ASSERT_OK(store->Erase("b"));
  EXPECT_OK(store->Set("d", Value::Int64(1)));
}

TEST_F(StoreTest, IncrementCreatesAtZeroAndAdds) {
  auto store = Make();
  EXPECT_EQ(*store->Increment("c"), 1);
  EXPECT_EQ(*store->Increment("c", 10), 11);
  EXPECT_EQ(*store->Increment("c", -20), -9);
  EXPECT_THAT(store->Get<int64_t>("c"), IsOkAndHolds(-9));
}

TEST_F(StoreTest, IncrementOverflowIsOutOfRangeAndChangesNothing) {
  auto store = Make();
  ASSERT_OK(store->Set("c", Value::Int64(std::numeric_limits<int64_t>::max())));
  EXPECT_THAT(store->Increment("c").status(),
              StatusIs(absl::StatusCode::kOutOfRange));
  EXPECT_THAT(store->Get<int64_t>("c"),
              IsOkAndHolds(std::numeric_limits<int64_t>::max()));
}

TEST_F(StoreTest, IncrementOfNonIntegerIsFailedPrecondition) {
  auto store = Make();
  ASSERT_OK(store->Set("s", Value::String("x")));
  EXPECT_THAT(store->Increment("s").status(),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(store->Get<std::string>("s"), IsOkAndHolds("x"));
}

TEST_F(StoreTest, SetIfAbsentStoresOnlyOnce) {
  auto store = Make();
  EXPECT_TRUE(*store->SetIfAbsent("k", Value::String("first")));
  EXPECT_FALSE(*store->SetIfAbsent("k", Value::String("second")));
  EXPECT_THAT(store->Get<std::string>("k"), IsOkAndHolds("first"));
}

TEST_F(StoreTest, CompareAndSetSwapsOnlyOnEqualTypeAndBytes) {
  auto store = Make();
  EXPECT_THAT(
      store->CompareAndSet("k", Value::Int64(1), Value::Int64(2)).status(),
      StatusIs(absl::StatusCode::kNotFound));
  ASSERT_OK(store->Set("k", Value::Int64(1)));
  EXPECT_FALSE(*store->CompareAndSet("k", Value::Int64(5), Value::Int64(2)));
  // Same bytes, other type: not equal.
  EXPECT_FALSE(*store->CompareAndSet(
      "k", Value::Bytes(Value::Int64(1).encoded()), Value::Int64(2)));
  EXPECT_THAT(store->Get<int64_t>("k"), IsOkAndHolds(1));
  EXPECT_TRUE(*store->CompareAndSet("k", Value::Int64(1), Value::Int64(2)));
  EXPECT_THAT(store->Get<int64_t>("k"), IsOkAndHolds(2));
}

TEST_F(StoreTest, EraseRemovesAndReportsMissing) {
  auto store = Make();
  ASSERT_OK(store->Set("k", Value::Int64(1)));
  EXPECT_OK(store->Erase("k"));
  EXPECT_THAT(store->Get("k").status(), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(store->Erase("k"), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_EQ(store->Stats()->entry_count, 0u);
}

TEST_F(StoreTest, ForEachVisitsEntriesWithPrefix) {
  auto store = Make();
  ASSERT_OK(store->Set("user:1", Value::String("ann")));
  ASSERT_OK(store->Set("user:2", Value::String("bob")));
  ASSERT_OK(store->Set("other", Value::Int64(3)));
  std::map<std::string, std::string> seen;
  ASSERT_OK(store->ForEach(
      [&](absl::string_view k, const Value& v) {
        seen[std::string(k)] = v.ToText();
        return absl::OkStatus();
      },
      "user:"));
  EXPECT_EQ(seen, (std::map<std::string, std::string>{{"user:1", "ann"},
                                                      {"user:2", "bob"}}));
  int all = 0;
  ASSERT_OK(store->ForEach([&](absl::string_view, const Value&) {
    ++all;
    return absl::OkStatus();
  }));
  EXPECT_EQ(all, 3);
}

TEST_F(StoreTest, ForEachStopsAtCallbackError) {
  auto store = Make();
  ASSERT_OK(store->Set("a", Value::Int64(1)));
  ASSERT_OK(store->Set("b", Value::Int64(2)));
  int calls = 0;
  absl::Status s = store->ForEach([&](absl::string_view, const Value&) {
    ++calls;
    return absl::CancelledError("stop");
  });
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kCancelled));
  EXPECT_EQ(calls, 1);
}

TEST_F(StoreTest, ForEachCallbackMayWriteTheStore) {
  auto store = Make();
  ASSERT_OK(store->Set("a", Value::Int64(1)));
  ASSERT_OK(store->ForEach([&](absl::string_view k, const Value&) {
    return store->Increment(k).status();
  }));
  EXPECT_THAT(store->Get<int64_t>("a"), IsOkAndHolds(2));
}

TEST_F(StoreTest, StatsReportLimitsCountsAndOwnership) {
  auto store = Make(100, 16, 32);
  ASSERT_OK(store->Set("a", Value::Int64(1)));
  absl::StatusOr<StoreStats> stats = store->Stats();
  ASSERT_OK(stats);
  EXPECT_EQ(stats->name, name_.name());
  EXPECT_EQ(stats->capacity, 100u);
  EXPECT_GT(stats->slot_count, stats->capacity);
  EXPECT_EQ(stats->max_key_bytes, 16u);
  EXPECT_EQ(stats->max_value_bytes, 32u);
  // Slots have a fixed size: the limits are limits, not sizes.
  EXPECT_EQ(stats->slot_bytes, 96u);
  EXPECT_EQ(stats->entry_count, 1u);
  EXPECT_EQ(stats->mode, 0600u);
  EXPECT_EQ(stats->owner_uid, geteuid());
  EXPECT_EQ(stats->recoveries, 0u);
  EXPECT_EQ(stats->last_recovery, absl::InfinitePast());
  EXPECT_LT(absl::Now() - stats->created, absl::Minutes(1));
  struct stat st;
  ASSERT_EQ(stat(name_.path().c_str(), &st), 0);
  EXPECT_EQ(static_cast<uint64_t>(st.st_size), stats->segment_bytes);
}

TEST_F(StoreTest, VerifyPassesOnAHealthyStore) {
  auto store = Make(200);
  for (int i = 0; i < 200; ++i) {
    ASSERT_OK(store->Set("k" + std::to_string(i), Value::Int64(i)));
  }
  for (int i = 0; i < 200; i += 3) {
    ASSERT_OK(store->Erase("k" + std::to_string(i)));
  }
  EXPECT_OK(store->Verify());
  for (int i = 0; i < 200; ++i) {
    absl::StatusOr<int64_t> v = store->Get<int64_t>("k" + std::to_string(i));
    if (i % 3 == 0) {
      EXPECT_THAT(v.status(), StatusIs(absl::StatusCode::kNotFound)) << i;
    } else {
      EXPECT_EQ(*v, i);
    }
  }
}

TEST_F(StoreTest, GetIntoReusesTheCallersValue) {
  auto store = Make();
  ASSERT_OK(store->Set("k", Value::String("abc")));
  Value out;
  ASSERT_OK(store->Get("k", &out));
  EXPECT_EQ(out, Value::String("abc"));
  EXPECT_THAT(store->Get("missing", &out),
              StatusIs(absl::StatusCode::kNotFound));
}

TEST(ValueTest, ParseAcceptsEachTypeAndRefusesGarbage) {
  EXPECT_EQ(*Value::Parse(ValueType::kInt64, "-12"), Value::Int64(-12));
  EXPECT_EQ(*Value::Parse(ValueType::kDouble, "1e3"), Value::Double(1000));
  EXPECT_EQ(*Value::Parse(ValueType::kBool, "false"), Value::Bool(false));
  EXPECT_EQ(*Value::Parse(ValueType::kString, " x "), Value::String(" x "));
  for (const char* bad : {"", "12a", " 1", "1 ", "99999999999999999999"}) {
    EXPECT_THAT(Value::Parse(ValueType::kInt64, bad).status(),
                StatusIs(absl::StatusCode::kInvalidArgument))
        << bad;
  }
  EXPECT_THAT(Value::Parse(ValueType::kDouble, "x").status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(Value::Parse(ValueType::kBool, "yes").status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseValueType("float").status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(*ParseValueType("bytes"), ValueType::kBytes);
}

TEST(ValueTest, ToTextPrintsShortestRoundTrip) {
  EXPECT_EQ(Value::Double(0.1).ToText(), "0.1");
  EXPECT_EQ(Value::Double(1.0 / 3).ToText(), "0.3333333333333333");
  EXPECT_EQ(Value::Int64(-5).ToText(), "-5");
  EXPECT_EQ(Value::Bool(true).ToText(), "true");
}

}  // namespace
}  // namespace kvstore
