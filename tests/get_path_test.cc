// The get path's promises that a test can check: no allocation once the
// caller's Value is large enough, and no lock (a get succeeds while another
// process holds the lock); TryGet never waits.
#include <signal.h>
#include <sys/wait.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "kvstore/store.h"
#include "tests/status_matchers.h"
#include "tests/test_util.h"

namespace {
std::atomic<long> g_allocations{0};
}  // namespace

void* operator new(size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }

namespace kvstore {
namespace {

using ::kvstore::testing::PollUntil;
using ::kvstore::testing::RunfilePath;
using ::kvstore::testing::ScopedStoreName;
using ::kvstore::testing::StartProcess;
using ::kvstore::testing::StatusIs;

TEST(GetPathTest, AGetIntoAWarmValueAllocatesNothing) {
  ScopedStoreName name;
  Options o;
  o.create_if_missing = true;
  o.capacity = 1000;
  o.max_key_bytes = 16;
  o.max_value_bytes = 64;
  auto store = Store::Open(name.name(), o);
  ASSERT_OK(store);
  std::vector<std::string> keys;
  for (int i = 0; i < 1000; ++i) {
    keys.push_back(absl::StrCat("key:", i));
    ASSERT_OK((*store)->Set(keys.back(), Value::String(std::string(64, 'v'))));
  }
  Value out;
  ASSERT_OK((*store)->Get(keys[0], &out));  // Sizes the buffer.
  const long before = g_allocations.load();
  for (int round = 0; round < 10; ++round) {
    for (const std::string& k : keys) {
      if (!(*store)->Get(k, &out).ok()) FAIL() << k;
    }
  }
  EXPECT_EQ(g_allocations.load() - before, 0);
}

TEST(GetPathTest, AMissAllocatesNothing) {
  ScopedStoreName name;
  Options o;
  o.create_if_missing = true;
  o.capacity = 1000;
  o.max_key_bytes = 16;
  auto store = Store::Open(name.name(), o);
  ASSERT_OK(store);
  for (int i = 0; i < 500; ++i) {
    ASSERT_OK((*store)->Set(absl::StrCat("key:", i), Value::Int64(i)));
  }
  std::vector<std::string> absent;
  for (int i = 500; i < 1000; ++i) absent.push_back(absl::StrCat("key:", i));
  Value out;
  const long before = g_allocations.load();
  for (const std::string& k : absent) {
    absl::Status s = (*store)->Get(k, &out);
    if (!absl::IsNotFound(s)) FAIL() << k << ": " << s;
  }
  EXPECT_EQ(g_allocations.load() - before, 0);
}

TEST(GetPathTest, AGetSucceedsWhileAnotherProcessHoldsTheLock) {
  ScopedStoreName name;
  const std::string worker = RunfilePath("tests/worker");
  ASSERT_EQ(
      ::kvstore::testing::RunProcess({worker, "set", name.name(), "k", "v"})
          .exit_code,
      0);
  // A writer stops itself holding the lock (before touching any slot).
  pid_t writer = StartProcess(
      {worker, "set", name.name(), "other", "x"},
      {"KVSTORE_CRASH_AT=write.image_filled", "KVSTORE_CRASH_SIGNAL=STOP"});
  int status;
  ASSERT_EQ(waitpid(writer, &status, WUNTRACED), writer);
  ASSERT_TRUE(WIFSTOPPED(status));
  auto store = Store::Open(name.name());
  ASSERT_OK(store);
  // Would block forever if a get took the lock.
  EXPECT_EQ(*(*store)->Get<std::string>("k"), "v");
  EXPECT_THAT((*store)->Get("absent").status(),
              StatusIs(absl::StatusCode::kNotFound));
  kill(writer, SIGKILL);
  waitpid(writer, &status, 0);
}

TEST(GetPathTest, TryGetNeverWaitsAndDefersToGetWhereTheLockIsNeeded) {
  ScopedStoreName name;
  const std::string worker = RunfilePath("tests/worker");
  ASSERT_EQ(
      ::kvstore::testing::RunProcess({worker, "set", name.name(), "k", "v"})
          .exit_code,
      0);
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> store, Store::Open(name.name()));
  WriteOptions brief;
  brief.ttl = absl::Milliseconds(20);
  ASSERT_OK(store->Set("brief", Value::Int64(1), brief));
  ASSERT_OK_AND_ASSIGN(StoreStats before, store->Stats());
  // A writer stops itself holding the lock: a Get that needed the lock
  // would wait for ever, a TryGet must not.
  pid_t writer = StartProcess(
      {worker, "set", name.name(), "other", "x"},
      {"KVSTORE_CRASH_AT=write.image_filled", "KVSTORE_CRASH_SIGNAL=STOP"});
  int status;
  ASSERT_EQ(waitpid(writer, &status, WUNTRACED), writer);
  ASSERT_TRUE(WIFSTOPPED(status));
  Value out;
  EXPECT_OK(store->TryGet("k", &out));
  EXPECT_EQ(out, Value::String("v"));
  EXPECT_THAT(store->TryGet("absent", &out),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(store->TryGet("", &out),
              StatusIs(absl::StatusCode::kInvalidArgument));
  // Once "brief" expires, reclaiming it needs the lock: UNAVAILABLE, at
  // once, and not counted as a miss.
  absl::Status got;
  EXPECT_TRUE(PollUntil([&] {
    got = store->TryGet("brief", &out);
    return !got.ok();
  }));
  EXPECT_THAT(got, StatusIs(absl::StatusCode::kUnavailable));
  kill(writer, SIGKILL);
  waitpid(writer, &status, 0);
  ASSERT_OK_AND_ASSIGN(StoreStats after, store->Stats());
  EXPECT_EQ(after.misses, before.misses + 1);
  // Get, taking the lock, reclaims it.
  EXPECT_THAT(store->Get("brief", &out), StatusIs(absl::StatusCode::kNotFound));
}

TEST(GetPathTest, TryGetDefersToGetAfterAResize) {
  ScopedStoreName name;
  Options o;
  o.create_if_missing = true;
  o.capacity = 100;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> store,
                       Store::Open(name.name(), o));
  ASSERT_OK(store->Set("k", Value::String("v")));
  ASSERT_OK(Store::Resize(name.name(), 1000, 0));
  Value out;
  EXPECT_THAT(store->TryGet("k", &out),
              StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_OK(store->Get("k", &out));  // Follows the resize.
  EXPECT_OK(store->TryGet("k", &out));
  EXPECT_EQ(out, Value::String("v"));
}

}  // namespace
}  // namespace kvstore
