// Store::IsCurrent: a TryGet hit's ReadStamp stays current exactly while
// the entry it read is still its key's live value, whichever process
// changes it. (That a current stamp marks the entry for CLOCK as a read
// does: tests/hostile_test.cc, which looks at the slot's bit.)
#include <sys/wait.h>
#include <unistd.h>

#include <map>
#include <memory>
#include <random>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "kvstore/store.h"
#include "tests/status_matchers.h"
#include "tests/test_util.h"

namespace kvstore {
namespace {

using ::kvstore::testing::FromWaitStatus;
using ::kvstore::testing::PollUntil;
using ::kvstore::testing::RunfilePath;
using ::kvstore::testing::RunProcess;
using ::kvstore::testing::ScopedStoreName;
using ::kvstore::testing::StatusIs;

class ReadStampTest : public ::testing::Test {
 protected:
  // This test's store, created with `capacity` entries (default limits
  // otherwise), or opened again, read-only if asked.
  std::unique_ptr<Store> Make(uint64_t capacity = 64) {
    Options options;
    options.create_if_missing = true;
    options.capacity = capacity;
    return Open(options);
  }
  std::unique_ptr<Store> Reopen(bool read_only = false) {
    Options options;
    options.read_only = read_only;
    return Open(options);
  }
  std::unique_ptr<Store> Open(const Options& options) {
    absl::StatusOr<std::unique_ptr<Store>> store =
        Store::Open(name_.name(), options);
    EXPECT_OK(store);
    return store.ok() ? *std::move(store) : nullptr;
  }
  // Runs the test worker in its own process, to completion, on this
  // test's store: `args` is the command, then its arguments after the
  // store's name.
  void Worker(std::vector<std::string> args) {
    args.insert(args.begin() + 1, name_.name());
    args.insert(args.begin(), RunfilePath("tests/worker"));
    ::kvstore::testing::ProcessResult r = RunProcess(args);
    ASSERT_EQ(r.exit_code, 0) << r;
  }
  static ReadStamp Stamp(const Store& store, const std::string& key) {
    Value v;
    ReadStamp stamp;
    EXPECT_OK(store.TryGet(key, &v, &stamp));
    return stamp;
  }

  ScopedStoreName name_;
};

TEST_F(ReadStampTest, AHitsStampIsCurrentAndCountsAHitEachTime) {
  auto store = Make();
  ASSERT_OK(store->Set("k", Value::String("v")));
  Value v;
  ReadStamp stamp;
  ASSERT_OK(store->TryGet("k", &v, &stamp));
  EXPECT_EQ(v, Value::String("v"));
  const uint64_t hits = store->Stats()->hits;
  EXPECT_TRUE(store->IsCurrent(stamp));
  EXPECT_TRUE(store->IsCurrent(stamp));
  EXPECT_EQ(store->Stats()->hits, hits + 2);
}

TEST_F(ReadStampTest, ADefaultStampOrAMissIsNeverCurrent) {
  auto store = Make();
  EXPECT_FALSE(store->IsCurrent(ReadStamp()));
  Value v;
  ReadStamp stamp;
  EXPECT_THAT(store->TryGet("absent", &v, &stamp),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_FALSE(store->IsCurrent(stamp));
  const uint64_t hits = store->Stats()->hits;
  EXPECT_FALSE(store->IsCurrent(stamp));
  EXPECT_EQ(store->Stats()->hits, hits);  // A false counts nothing.
}

TEST_F(ReadStampTest, EveryChangeOfTheEntryByAnotherProcessEndsIt) {
  auto store = Make();
  ASSERT_OK(store->Set("k", Value::String("v")));
  ASSERT_OK(store->Set("other", Value::String("o")));
  ReadStamp stamp = Stamp(*store, "k");

  Worker({"set", "other", "changed"});  // Another key: still current.
  EXPECT_TRUE(store->IsCurrent(stamp));

  Worker({"set", "k", "v"});  // The same bytes written again: a new entry.
  EXPECT_FALSE(store->IsCurrent(stamp));
  stamp = Stamp(*store, "k");
  EXPECT_TRUE(store->IsCurrent(stamp));

  Worker({"erase", "k"});
  EXPECT_FALSE(store->IsCurrent(stamp));
  Worker({"set", "k", "back"});  // Back, in the same slot or another.
  EXPECT_FALSE(store->IsCurrent(stamp));
}

TEST_F(ReadStampTest, ExpireAndPersistEndIt) {
  auto store = Make();
  ASSERT_OK(store->Set("k", Value::String("v")));
  ReadStamp stamp = Stamp(*store, "k");
  ASSERT_OK(store->Expire("k", absl::Hours(1)));
  EXPECT_FALSE(store->IsCurrent(stamp));
  stamp = Stamp(*store, "k");
  ASSERT_OK(store->Persist("k"));
  EXPECT_FALSE(store->IsCurrent(stamp));
}

TEST_F(ReadStampTest, AnEntryThatExpiresIsNoLongerCurrent) {
  auto store = Make();
  WriteOptions brief;
  brief.ttl = absl::Milliseconds(30);
  ASSERT_OK(store->Set("k", Value::String("v"), brief));
  Value v;
  ReadStamp stamp;
  absl::Status read = store->TryGet("k", &v, &stamp);
  if (!read.ok()) GTEST_SKIP() << "expired before the first read: " << read;
  EXPECT_TRUE(PollUntil([&] { return !store->IsCurrent(stamp); }));
  EXPECT_THAT(store->TryGet("k", &v), StatusIs(absl::StatusCode::kUnavailable));
}

TEST_F(ReadStampTest, AStampOfAnotherStoreObjectIsNeverCurrent) {
  auto store = Make();
  auto other = Reopen();
  ASSERT_OK(store->Set("k", Value::String("v")));
  const ReadStamp stamp = Stamp(*store, "k");
  EXPECT_TRUE(store->IsCurrent(stamp));
  EXPECT_FALSE(other->IsCurrent(stamp));
}

TEST_F(ReadStampTest, AResizeEndsEveryStamp) {
  auto store = Make(16);
  ASSERT_OK(store->Set("k", Value::String("v")));
  const ReadStamp stamp = Stamp(*store, "k");
  Worker({"resize", "64", "0"});
  EXPECT_FALSE(store->IsCurrent(stamp));
  // A new read follows the name to the new segment.
  ASSERT_OK_AND_ASSIGN(Value v, store->Get("k"));
  EXPECT_EQ(v, Value::String("v"));
  EXPECT_TRUE(store->IsCurrent(Stamp(*store, "k")));
}

TEST_F(ReadStampTest, AReadOnlyHandleChecksStampsAndCountsNothing) {
  auto store = Make();
  ASSERT_OK(store->Set("k", Value::String("v")));
  auto reader = Reopen(/*read_only=*/true);
  const ReadStamp stamp = Stamp(*reader, "k");
  const uint64_t hits = store->Stats()->hits;
  EXPECT_TRUE(reader->IsCurrent(stamp));
  EXPECT_EQ(store->Stats()->hits, hits);
  ASSERT_OK(store->Set("k", Value::String("w")));
  EXPECT_FALSE(reader->IsCurrent(stamp));
}

// The promise itself, against every kind of change another process makes
// (writes, deletes that move other entries back, increments, expiry
// changes), in a table small enough that keys collide: whenever a stamp is
// current, reading its key gives the value it was made from.
TEST_F(ReadStampTest, ACurrentStampAlwaysMeansTheValueItReadInAnotherProcess) {
  auto store = Make(48);
  constexpr int kKeys = 40;
  for (int i = 0; i < kKeys; ++i) {
    ASSERT_OK(store->Set(absl::StrCat("k", i), Value::String("0")));
  }
  std::mt19937 rng(12345);
  int checked_current = 0, checked_changed = 0;
  for (int round = 0; round < 60; ++round) {
    std::map<std::string, std::pair<ReadStamp, Value>> seen;
    for (int i = 0; i < kKeys; ++i) {
      const std::string key = absl::StrCat("k", i);
      Value v;
      ReadStamp stamp;
      if (store->TryGet(key, &v, &stamp).ok()) seen[key] = {stamp, v};
    }
    const unsigned seed = rng();
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      // A few changes from another process, then exit.
      absl::StatusOr<std::unique_ptr<Store>> child = Store::Open(name_.name());
      if (!child.ok()) _exit(3);
      std::mt19937 r(seed);
      for (int n = 0; n < 5; ++n) {
        const std::string key = absl::StrCat("k", r() % kKeys);
        absl::Status s;
        switch (r() % 4) {
          case 0:
            s = (*child)->Set(key, Value::String(absl::StrCat(seed, "/", n)));
            break;
          case 1:
            s = (*child)->Erase(key);
            break;
          case 2:
            s = (*child)->Expire(key, absl::Hours(1));
            break;
          default:
            s = (*child)->Set(key, Value::String("0"));
            break;
        }
        if (!s.ok() && !absl::IsNotFound(s)) _exit(4);
      }
      _exit(0);
    }
    int wait_status = 0;
    ASSERT_EQ(waitpid(pid, &wait_status, 0), pid);
    ASSERT_EQ(FromWaitStatus(wait_status).exit_code, 0);
    for (const auto& [key, stamp_value] : seen) {
      if (!store->IsCurrent(stamp_value.first)) {
        ++checked_changed;
        continue;
      }
      ++checked_current;
      ASSERT_OK_AND_ASSIGN(Value now, store->Get(key));
      EXPECT_EQ(now, stamp_value.second) << key << " in round " << round;
    }
  }
  // Both answers were exercised.
  EXPECT_GT(checked_current, 0);
  EXPECT_GT(checked_changed, 0);
}

}  // namespace
}  // namespace kvstore
