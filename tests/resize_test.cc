// Online growth: a store resized while processes use it keeps every entry
// and every acknowledged write; open handles move to the new segment on
// their next call; a resize killed anywhere leaves one complete store.
#include <signal.h>
#include <sys/wait.h>

#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "kvstore/internal/fault_injection.h"
#include "kvstore/store.h"
#include "kvstore/typed_map.h"
#include "tests/status_matchers.h"
#include "tests/test_util.h"

namespace kvstore {

struct Counter {
  int64_t n;
};
KVSTORE_FIELDS(Counter, n);

namespace {

using ::kvstore::testing::IsOkAndHolds;
using ::kvstore::testing::ProcessResult;
using ::kvstore::testing::RunfilePath;
using ::kvstore::testing::RunProcess;
using ::kvstore::testing::ScopedStoreName;
using ::kvstore::testing::StartProcess;
using ::kvstore::testing::WaitProcess;

using Contents = std::map<std::string, std::string>;
using ::kvstore::testing::StatusIs;

Contents ReadAll(Store& store) {
  Contents all;
  EXPECT_OK(store.ForEach([&](absl::string_view k, const Value& v) {
    all[std::string(k)] = v.ToText();
    return absl::OkStatus();
  }));
  return all;
}

std::unique_ptr<Store> Make(const std::string& name, uint64_t capacity,
                            uint64_t memory = 1 << 16) {
  Options o;
  o.create_if_missing = true;
  o.capacity = capacity;
  o.memory = memory;
  o.max_key_bytes = 32;
  o.max_value_bytes = 4096;
  auto store = Store::Open(name, o);
  EXPECT_OK(store);
  return store.ok() ? *std::move(store) : nullptr;
}

TEST(ResizeTest, AFullStoreGrowsAndAnOpenHandleMovesWithIt) {
  ScopedStoreName name;
  auto store = Make(name.name(), 20);
  for (int i = 0; i < 19; ++i) {
    ASSERT_OK(store->Set(absl::StrCat("k", i), Value::Int64(i)));
  }
  ASSERT_OK(store->Set("big", Value::String(std::string(2000, 'b'))));
  EXPECT_THAT(store->Set("new", Value::Int64(1)),
              StatusIs(absl::StatusCode::kResourceExhausted));
  const Contents before = ReadAll(*store);
  absl::Duration pause;
  absl::Status resized = Store::Resize(name.name(), 1000, 1 << 20, &pause);
  ASSERT_OK(resized);
  EXPECT_GT(pause, absl::ZeroDuration());
  // The handle opened before: reads, writes and stats are the new store's.
  EXPECT_EQ(ReadAll(*store), before);
  ASSERT_OK(store->Set("new", Value::Int64(1)));
  EXPECT_EQ(store->Stats()->capacity, 1000u);
  EXPECT_EQ(store->Stats()->data_bytes, uint64_t{1} << 20);
  auto reopened = Store::Open(name.name());
  ASSERT_OK(reopened);
  EXPECT_EQ(*(*reopened)->Get<int64_t>("new"), 1);
  EXPECT_OK((*reopened)->Verify());
}

TEST(ResizeTest, AShrinkThatDoesNotFitIsRefusedAndChangesNothing) {
  ScopedStoreName name;
  auto store = Make(name.name(), 100);
  for (int i = 0; i < 30; ++i) {
    ASSERT_OK(
        store->Set(absl::StrCat("k", i), Value::String(std::string(500, 'v'))));
  }
  absl::Status few = Store::Resize(name.name(), 10, 1 << 16);
  EXPECT_THAT(few, StatusIs(absl::StatusCode::kFailedPrecondition));
  absl::Status small = Store::Resize(name.name(), 100, 4096);
  EXPECT_THAT(small, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(store->Stats()->capacity, 100u);
  EXPECT_EQ(ReadAll(*store).size(), 30u);
  // A shrink that fits works.
  ASSERT_OK(Store::Resize(name.name(), 40, 1 << 15));
  EXPECT_EQ(store->Stats()->capacity, 40u);
  EXPECT_EQ(ReadAll(*store).size(), 30u);
  EXPECT_THAT(Store::Resize("/kvstore-no-such", 10, 0),
              StatusIs(absl::StatusCode::kNotFound));
}

TEST(ResizeTest, AVersionReadBeforeAResizeMatchesNoEntryAfterIt) {
  ScopedStoreName name;
  auto store = Make(name.name(), 20);
  ASSERT_NE(store, nullptr);
  ASSERT_OK(store->Set("k", Value::String("a")));
  const uint64_t read = store->GetEntry("k")->version;
  ASSERT_OK(store->Set("k", Value::String("b")));  // Another writer.
  const uint64_t last = store->GetEntry("k")->version;
  absl::Status resized = Store::Resize(name.name(), 40, 1 << 16);
  ASSERT_OK(resized);
  // The new segment goes on from the old one's versions: "k", copied
  // first, does not get the version "read" had in the old one.
  absl::StatusOr<Entry> moved = store->GetEntry("k");
  ASSERT_OK(moved);
  EXPECT_GT(moved->version, last);
  absl::StatusOr<bool> stale =
      store->CompareVersionAndSet("k", read, Value::String("lost"));
  ASSERT_OK(stale);
  EXPECT_FALSE(*stale);
  EXPECT_FALSE(*store->CompareVersionAndSet("k", last, Value::String("c")));
  EXPECT_THAT(store->Get<std::string>("k"), IsOkAndHolds("b"));
  EXPECT_TRUE(
      *store->CompareVersionAndSet("k", moved->version, Value::String("c")));
}

TEST(ResizeTest, WritersInOtherProcessesLoseNothingAcrossResizes) {
  ScopedStoreName name;
  auto store = Make(name.name(), 64);
  ASSERT_NE(store, nullptr);
  const std::string worker = RunfilePath("tests/worker");
  std::vector<pid_t> writers;
  for (int w = 0; w < 3; ++w) {
    writers.push_back(
        StartProcess({worker, "incr", name.name(), "ctr", "20000"}));
  }
  for (int i = 0; i < 6; ++i) {
    absl::Status s = Store::Resize(name.name(), 64 + 32 * (i + 1), 1 << 16);
    ASSERT_OK(s);
  }
  for (pid_t pid : writers) {
    EXPECT_EQ(WaitProcess(pid).exit_code, 0);
  }
  EXPECT_THAT(store->Get<int64_t>("ctr"), IsOkAndHolds(60000));
  EXPECT_EQ(store->Stats()->capacity, 64u + 32 * 6);
}

TEST(ResizeTest, AResizeKilledAtAnyStepLeavesOneCompleteStoreInUse) {
  for (const char* point :
       {"resize.copied", "resize.moved", "resize.renamed"}) {
    ScopedStoreName name;
    auto store = Make(name.name(), 50);
    for (int i = 0; i < 40; ++i) {
      ASSERT_OK(store->Set(absl::StrCat("k", i),
                           Value::String(std::string(i * 10, 'v'))));
    }
    const Contents before = ReadAll(*store);
    ProcessResult r = RunProcess(
        {RunfilePath("tests/worker"), "resize", name.name(), "500", "1000000"},
        {absl::StrCat("KVSTORE_CRASH_AT=", point)});
    ASSERT_EQ(r.signal, SIGKILL) << point << " " << r.err;
    // The handle opened before and a new one agree, and both can write.
    EXPECT_EQ(ReadAll(*store), before) << point;
    ASSERT_OK(store->Set("after", Value::Int64(1))) << point;
    auto reopened = Store::Open(name.name());
    ASSERT_OK(reopened) << point;
    EXPECT_EQ(*(*reopened)->Get<int64_t>("after"), 1) << point;
    EXPECT_EQ(ReadAll(**reopened).size(), before.size() + 1) << point;
    EXPECT_OK((*reopened)->Verify()) << point;
    const uint64_t capacity = (*reopened)->Stats()->capacity;
    EXPECT_EQ(capacity, std::string(point) == "resize.renamed" ? 500u : 50u)
        << point;
    // And the store can be resized again.
    ASSERT_OK(Store::Resize(name.name(), 600, 1 << 20)) << point;
    EXPECT_EQ(store->Stats()->capacity, 600u) << point;
  }
}

TEST(ResizeTest, ATypedStoreMovesToo) {
  ScopedStoreName name;
  using Counters = TypedMap<FixedString<8>, Counter>;
  Options o;
  o.create_if_missing = true;
  o.capacity = 4;
  auto counters = Counters::Open(name.name(), o);
  ASSERT_OK(counters);
  ASSERT_OK((*counters)->Set("a", Counter{5}));
  ASSERT_OK(Store::Resize(name.name(), 100, 0));
  EXPECT_EQ((*counters)->Get("a")->n, 5);
  ASSERT_OK((*counters)->Set("b", Counter{6}));
  EXPECT_EQ((*counters)->Stats()->capacity, 100u);
}

}  // namespace
}  // namespace kvstore
