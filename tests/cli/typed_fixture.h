// A typed store for in-process CLI tests: a PlayersById store holding
// players 1 (Ann) and 2 (Bob), created by this process through TypedMap as
// a program would, and removed when the test ends.
//
//   class MyTest : public TypedStoreTest {};
//   TEST_F(MyTest, Get) { EXPECT_EQ(Run({"get", "1"}).out, ...); }
#ifndef TESTS_CLI_TYPED_FIXTURE_H_
#define TESTS_CLI_TYPED_FIXTURE_H_

#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "kvstore/typed_map.h"
#include "tests/cli/cli_fixture.h"
#include "tests/cli/run_cli.h"
#include "tests/cli/typed_test_types.h"
#include "tests/status_matchers.h"
#include "tests/test_util.h"

namespace kvstore {
namespace cli {

using ::kvstore::testing::ScopedStoreName;

// Opens (creating) a typed store of type Map called `store`.
template <typename Map>
std::unique_ptr<Map> CreateTyped(const ScopedStoreName& store,
                                 Options options = Options()) {
  options.create_if_missing = true;
  absl::StatusOr<std::unique_ptr<Map>> map = Map::Open(store.name(), options);
  EXPECT_OK(map);
  return map.ok() ? *std::move(map) : nullptr;
}

class TypedStoreTest : public CliTest {
 protected:
  void SetUp() override {
    players_ = CreateTyped<kvstore_cli_test::PlayersById>(store_);
    ASSERT_NE(players_, nullptr);
    ASSERT_OK(players_->Set(1, kvstore_cli_test::Ann()));
    ASSERT_OK(players_->Set(2, kvstore_cli_test::Bob()));
  }

  // Every entry's raw key and value bytes, sorted: to check that a refused
  // command changed nothing.
  std::vector<std::pair<std::string, std::string>> Dump() {
    auto entries = players_->store().Snapshot();
    EXPECT_OK(entries);
    if (!entries.ok()) return {};
    std::sort(entries->begin(), entries->end());
    return *entries;
  }

  std::unique_ptr<kvstore_cli_test::PlayersById> players_;
};

}  // namespace cli
}  // namespace kvstore

#endif  // TESTS_CLI_TYPED_FIXTURE_H_
