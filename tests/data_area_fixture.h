// A test fixture for stores with a data area (Options::memory): each test
// gets a fresh store name, removed at its end, and helpers that fail the
// test with the status when the store refuses. Header only; a test brings
// its own kvstore library.
#ifndef KVSTORE_TESTS_DATA_AREA_FIXTURE_H_
#define KVSTORE_TESTS_DATA_AREA_FIXTURE_H_

#include <cstdint>
#include <memory>
#include <utility>

#include "absl/status/statusor.h"
#include "gtest/gtest.h"
#include "kvstore/options.h"
#include "kvstore/store.h"
#include "tests/status_matchers.h"
#include "tests/test_util.h"

namespace kvstore {
namespace testing {

class DataAreaFixture : public ::testing::Test {
 protected:
  // Creates the test's store with `memory` data bytes (null on failure).
  std::unique_ptr<Store> Make(uint64_t memory,
                              Eviction eviction = Eviction::kNone,
                              uint64_t capacity = 256) {
    Options options;
    options.create_if_missing = true;
    options.capacity = capacity;
    options.memory = memory;
    options.eviction = eviction;
    auto store = Store::Open(name_.name(), options);
    EXPECT_OK(store);
    return store.ok() ? *std::move(store) : nullptr;
  }
  // Waits until a time to live of `ttl_ms` set just before has run out on
  // the store's clock (CLOCK_BOOTTIME), with a margin, without reading the
  // entry: a read would reclaim it. False if the clock never got there.
  static bool WaitOutTtlUnread(int64_t ttl_ms) {
    const int64_t until = ::kvstore::testing::BootNs() + (ttl_ms + 2) * 1000000;
    return ::kvstore::testing::PollUntil(
        [&] { return ::kvstore::testing::BootNs() > until; });
  }
  StoreStats Stats(const Store& store) {
    absl::StatusOr<StoreStats> stats = store.Stats();
    EXPECT_OK(stats);
    return stats.ok() ? *stats : StoreStats();
  }

  ScopedStoreName name_;
};

}  // namespace testing
}  // namespace kvstore

#endif  // KVSTORE_TESTS_DATA_AREA_FIXTURE_H_
