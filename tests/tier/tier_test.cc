// The tier against a real redis-server: two "hosts" (two stores, each with
// its own `kvstore sync` process) and one Redis. Visibility is polled for
// with deadlines; no sleep decides a test.
#include "kvstore/tier/tier.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "kvstore/store.h"
#include "kvstore/tier/internal/meta.h"
#include "kvstore/tier/tier_stats.h"
#include "tests/status_matchers.h"
#include "tests/test_util.h"
#include "tests/tier/redis_fixture.h"

namespace kvstore {
namespace testing {
namespace {

using ::kvstore::testing::StatusIs;

constexpr char kPrefix[] = "app:";
constexpr absl::Duration kBound = absl::Seconds(1);

// One host: a store, its sync process and a tier handle.
struct Host {
  explicit Host(const std::string& tag) : name(tag) {}
  ScopedTierStoreName name;
  ChildProcess sync;
  std::unique_ptr<Tier> tier;
};

class TierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    redis_ = RedisServer::Start();
    ASSERT_NE(redis_, nullptr);
    StartHost(a_);
    StartHost(b_);
  }

  void TearDown() override {
    for (Host* h : {&a_, &b_}) {
      h->tier.reset();
      h->sync.Stop();
    }
  }

  void StartSync(Host& h) {
    h.sync = testing::StartSync(h.name.name(), redis_->url(), kPrefix,
                                redis_->dir() + "/sync.log");
    ASSERT_TRUE(WaitForHeartbeat(h.name.name(), h.sync.pid()));
  }

  void StartHost(Host& h) {
    StartSync(h);
    TierOptions options;
    options.prefix = kPrefix;
    options.heartbeat_bound = kBound;
    absl::StatusOr<std::unique_ptr<Tier>> tier =
        Tier::Open(h.name.name(), redis_->url(), options);
    ASSERT_OK(tier);
    h.tier = *std::move(tier);
  }

  void RedisSet(const std::string& key, const std::string& value) {
    ASSERT_OK(redis_->Command({"SET", key, value}));
  }

  // Sets `key` in Redis and waits until both hosts have applied the
  // invalidation (so that a copy cached from now on stays cached).
  void RedisSetAndSettle(const std::string& key, const std::string& value) {
    // A sync process counts an invalidation once it has applied it (and
    // adds its counts with each heartbeat).
    const int64_t a = Stats(a_).invalidations;
    const int64_t b = Stats(b_).invalidations;
    RedisSet(key, value);
    ASSERT_TRUE(SyncCounted(a_, &TierStats::invalidations, a + 1));
    ASSERT_TRUE(SyncCounted(b_, &TierStats::invalidations, b + 1));
  }

  // Get's value, "<absent>" for NOT_FOUND, or "<CODE: message>".
  static std::string Read(Host& h, const std::string& key,
                          const TierReadOptions& options = {}) {
    absl::StatusOr<std::string> v = h.tier->Get(key, options);
    if (v.ok()) return *v;
    if (absl::IsNotFound(v.status())) return "<absent>";
    return absl::StrCat("<", v.status().ToString(), ">");
  }

  // Polls `h` until Get(key) reads `want` (as Read prints it).
  bool Sees(Host& h, const std::string& key, const std::string& want) {
    return PollUntil([&] { return Read(h, key) == want; });
  }

  // The epoch of `key`'s bucket on host `h`.
  int64_t EpochOf(Host& h, const std::string& key) {
    absl::StatusOr<std::unique_ptr<Store>> meta =
        Store::Open(*tier_internal::MetaStoreName(h.name.name()));
    if (!meta.ok()) return -1;
    absl::StatusOr<int64_t> epoch = tier_internal::ReadEpoch(**meta, key);
    return epoch.ok() ? *epoch : -1;
  }

  // Polls until host `h`'s sync process has counted `field` up to `want`
  // (it adds its counts with each heartbeat).
  bool SyncCounted(Host& h, int64_t TierStats::*field, int64_t want) {
    return PollUntil([&] { return Stats(h).*field >= want; });
  }

  TierStats Stats(Host& h) {
    h.tier->FlushCounters();
    absl::StatusOr<TierStats> t = ReadTierStats(h.name.name());
    EXPECT_OK(t);
    return t.ok() ? *t : TierStats();
  }

  // Destroyed last: Redis outlives the hosts.
  std::unique_ptr<RedisServer> redis_;
  Host a_{"a"};
  Host b_{"b"};
};

TEST_F(TierTest, AWriteOnOneHostIsSeenOnTheOther) {
  ASSERT_OK(a_.tier->Set("app:k", "v1"));
  EXPECT_EQ(Read(b_, "app:k"), "v1");
  ASSERT_OK(a_.tier->Set("app:k", "v2"));
  // The writer's host sees its write at once.
  EXPECT_EQ(Read(a_, "app:k"), "v2");
  EXPECT_TRUE(Sees(b_, "app:k", "v2"));
  ASSERT_OK(b_.tier->Erase("app:k"));
  EXPECT_THAT(b_.tier->Get("app:k").status(),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_TRUE(Sees(a_, "app:k", "<absent>"));
}

TEST_F(TierTest, APlainRedisWriteIsSeenOnBothHosts) {
  RedisSetAndSettle("app:k", "old");
  EXPECT_EQ(Read(a_, "app:k"), "old");
  EXPECT_EQ(Read(b_, "app:k"), "old");
  RedisSet("app:k", "new");
  EXPECT_TRUE(Sees(a_, "app:k", "new"));
  EXPECT_TRUE(Sees(b_, "app:k", "new"));
  EXPECT_TRUE(SyncCounted(a_, &TierStats::invalidations, 2));
}

TEST_F(TierTest, ARepeatedGetIsServedFromSharedMemory) {
  RedisSetAndSettle("app:k", "v");
  EXPECT_EQ(Read(a_, "app:k"), "v");
  for (int i = 0; i < 10; ++i) EXPECT_EQ(Read(a_, "app:k"), "v");
  const TierStats t = Stats(a_);
  EXPECT_EQ(t.fills, 1);
  EXPECT_GE(t.local_hits, 10);
  // The copy sits in the store, tagged.
  absl::StatusOr<Value> raw = a_.tier->store().Get("app:k");
  ASSERT_OK(raw);
  EXPECT_EQ(raw->type(), ValueType::kBytes);
}

TEST_F(TierTest, WritesGoToRedisAndKeepTtls) {
  WriteOptions ttl;
  ttl.ttl = absl::Seconds(100);
  ASSERT_OK(a_.tier->Set("app:t", "v", ttl));
  absl::StatusOr<absl::Duration> left = b_.tier->Ttl("app:t");
  ASSERT_OK(left);
  EXPECT_GT(*left, absl::Seconds(90));
  EXPECT_EQ(Read(a_, "app:t"), "v");
  ASSERT_OK(a_.tier->Expire("app:t", absl::Milliseconds(50)));
  // Redis's TTL ends the local copy too.
  EXPECT_TRUE(Sees(a_, "app:t", "<absent>"));

  EXPECT_EQ(*a_.tier->SetIfAbsent("app:n", "1"), true);
  EXPECT_EQ(*b_.tier->SetIfAbsent("app:n", "2"), false);
  EXPECT_EQ(*b_.tier->Increment("app:n", 41), 42);
  EXPECT_EQ(Read(a_, "app:n"), "42");
  EXPECT_EQ(*a_.tier->CompareAndSet("app:n", "41", "x"), false);
  EXPECT_EQ(*a_.tier->CompareAndSet("app:n", "42", "x"), true);
  EXPECT_EQ(Read(a_, "app:n"), "x");
  EXPECT_TRUE(Sees(b_, "app:n", "x"));
  EXPECT_EQ(*a_.tier->Replace("app:none", "v"), false);
  EXPECT_THAT(a_.tier->CompareAndSet("app:none", "a", "b").status(),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(a_.tier->Erase("app:none"),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(a_.tier->Ttl("app:none").status(),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(a_.tier->Get("app:none").status(),
              StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(TierTest, BadKeysAreInvalidArgumentAndChangeNothing) {
  EXPECT_THAT(a_.tier->Set("other:k", "v"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(a_.tier->Set("", "v"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(a_.tier->Get("other:k").status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(a_.tier->Set("app:" + std::string(5000, 'k'), "v"),
              StatusIs(absl::StatusCode::kInvalidArgument));  // > 4096.
  WriteOptions bad_ttl;
  bad_ttl.ttl = absl::ZeroDuration();
  EXPECT_THAT(a_.tier->Set("app:k", "v", bad_ttl),
              StatusIs(absl::StatusCode::kInvalidArgument));
  absl::StatusOr<tier_internal::Reply> size = redis_->Command({"DBSIZE"});
  ASSERT_OK(size);
  EXPECT_EQ((*size)->integer, 0);
}

TEST_F(TierTest, ANonStringValueIsFailedPreconditionAndChangesNothing) {
  ASSERT_OK(redis_->Command({"RPUSH", "app:list", "x"}));
  EXPECT_THAT(a_.tier->Get("app:list").status(),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(a_.tier->Increment("app:list").status(),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  RedisSet("app:text", "abc");
  EXPECT_THAT(a_.tier->Increment("app:text").status(),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ((*redis_->Command({"LLEN", "app:list"}))->integer, 1);
  EXPECT_EQ(Read(a_, "app:text"), "abc");
  absl::StatusOr<Value> local = a_.tier->store().Get("app:list");
  EXPECT_THAT(local.status(), StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(TierTest, AFillThatAWriteOvertakesIsDiscarded) {
  RedisSetAndSettle("app:k", "old");
  // Host A's fill reads "old", then (before it stores) the value changes
  // in Redis and A's sync process applies the invalidation.
  absl::StatusOr<std::string> meta_name =
      tier_internal::MetaStoreName(a_.name.name());
  ASSERT_OK(meta_name);
  absl::StatusOr<std::unique_ptr<Store>> meta = Store::Open(*meta_name);
  ASSERT_OK(meta);
  TierOptions options;
  options.prefix = kPrefix;
  bool raced = false;
  options.TEST_after_fetch = [&](absl::string_view key) {
    if (raced) return;
    raced = true;
    const int64_t before = *tier_internal::ReadEpoch(**meta, key);
    RedisSet("app:k", "new");
    EXPECT_TRUE(PollUntil(
        [&] { return *tier_internal::ReadEpoch(**meta, key) != before; }));
  };
  absl::StatusOr<std::unique_ptr<Tier>> racer =
      Tier::Open(a_.name.name(), redis_->url(), options);
  ASSERT_OK(racer);
  // The value read is returned (it was read after the Get began) ...
  EXPECT_EQ((*racer)->Get("app:k").value_or("<error>"), "old");
  // ... but never served again.
  EXPECT_EQ((*racer)->Get("app:k").value_or("<error>"), "new");
  EXPECT_EQ(Read(a_, "app:k"), "new");
  (*racer)->FlushCounters();
  EXPECT_EQ(Stats(a_).fills_discarded, 1);
}

TEST_F(TierTest, ADeadSyncProcessMakesReadsGoToRedisWithinTheBound) {
  RedisSetAndSettle("app:k", "v1");
  EXPECT_EQ(Read(b_, "app:k"), "v1");
  b_.sync.Kill(SIGKILL);
  RedisSet("app:k", "v2");  // B hears nothing of this.
  const int64_t acked = BootNs();
  bool stale_past_bound = false;
  EXPECT_TRUE(PollUntil([&] {
    const int64_t begin = BootNs();
    absl::StatusOr<std::string> v = b_.tier->Get("app:k");
    if (v.ok() && *v == "v1" &&
        begin > acked + absl::ToInt64Nanoseconds(kBound)) {
      stale_past_bound = true;
    }
    return v.ok() && *v == "v2";
  }));
  EXPECT_FALSE(stale_past_bound);
  EXPECT_GE(Stats(b_).read_throughs, 1);
  // A new sync process drops what it cannot vouch for, and trusts again.
  StartSync(b_);
  EXPECT_EQ(Read(b_, "app:k"), "v2");
  EXPECT_EQ(Read(b_, "app:k"), "v2");
  EXPECT_GE(Stats(b_).local_hits, 1);
}

TEST_F(TierTest, AWriteReplacesTheCopiesInPlaceSoNoHostMisses) {
  RedisSetAndSettle("app:k", "v1");
  EXPECT_EQ(Read(a_, "app:k"), "v1");
  EXPECT_EQ(Read(b_, "app:k"), "v1");
  const int64_t a_fills = a_.tier->Counts().fills;
  const int64_t b_fills = b_.tier->Counts().fills;
  ASSERT_EQ(a_fills, 1);
  ASSERT_EQ(b_fills, 1);
  // The writer's host serves the write at once, from its copy.
  ASSERT_OK(a_.tier->Set("app:k", "v2"));
  EXPECT_EQ(Read(a_, "app:k"), "v2");
  // The other host serves v1 until its sync process has read v2, then v2:
  // never a miss.
  EXPECT_TRUE(Sees(b_, "app:k", "v2"));
  // A plain Redis write, and an increment through the tier, likewise.
  RedisSet("app:k", "7");
  EXPECT_TRUE(Sees(a_, "app:k", "7"));
  EXPECT_TRUE(Sees(b_, "app:k", "7"));
  absl::StatusOr<int64_t> n = b_.tier->Increment("app:k", 3);
  ASSERT_OK(n);
  EXPECT_EQ(*n, 10);
  EXPECT_EQ(Read(b_, "app:k"), "10");
  EXPECT_TRUE(Sees(a_, "app:k", "10"));
  EXPECT_EQ(a_.tier->Counts().fills, a_fills);
  EXPECT_EQ(b_.tier->Counts().fills, b_fills);
  EXPECT_GE(a_.tier->Counts().refreshes + b_.tier->Counts().refreshes, 2);
  // The sync processes count their refreshes too.
  EXPECT_TRUE(SyncCounted(a_, &TierStats::refreshes, 3));
  EXPECT_TRUE(SyncCounted(b_, &TierStats::refreshes, 3));
}

TEST_F(TierTest, AKeyDeletedInRedisIsDroppedNotRefreshed) {
  RedisSetAndSettle("app:k", "v1");
  EXPECT_EQ(Read(a_, "app:k"), "v1");
  EXPECT_EQ(Read(b_, "app:k"), "v1");
  ASSERT_OK(redis_->Command({"DEL", "app:k"}));
  EXPECT_TRUE(Sees(a_, "app:k", "<absent>"));
  EXPECT_TRUE(Sees(b_, "app:k", "<absent>"));
  EXPECT_THAT(a_.tier->store().Get("app:k").status(),
              StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(TierTest, WithNoRefreshAnInvalidationDropsTheCopy) {
  b_.sync.Stop();
  b_.sync = testing::StartSync(b_.name.name(), redis_->url(), kPrefix,
                               redis_->dir() + "/sync.log",
                               /*refresh=*/false);
  ASSERT_TRUE(WaitForHeartbeat(b_.name.name(), b_.sync.pid()));
  RedisSetAndSettle("app:k", "v1");
  EXPECT_EQ(Read(b_, "app:k"), "v1");
  ASSERT_EQ(b_.tier->Counts().fills, 1);
  RedisSet("app:k", "v2");
  // B's copy is dropped; B's next Get after that fills from Redis.
  EXPECT_TRUE(PollUntil([&] {
    return absl::IsNotFound(b_.tier->store().Get("app:k").status());
  }));
  EXPECT_EQ(Read(b_, "app:k"), "v2");
  EXPECT_EQ(b_.tier->Counts().fills, 2);
}

// The primitive behind every refresh: a new value goes in only over the
// very copy that was there before Redis was asked.
TEST_F(TierTest, ARefreshWhoseCopyChangedMeanwhileStoresNothing) {
  RedisSetAndSettle("app:k", "v1");
  EXPECT_EQ(Read(a_, "app:k"), "v1");
  absl::StatusOr<std::string> meta_name =
      tier_internal::MetaStoreName(a_.name.name());
  ASSERT_OK(meta_name);
  absl::StatusOr<std::unique_ptr<Store>> meta = Store::Open(*meta_name);
  ASSERT_OK(meta);
  tier_internal::CopyUpdate stale;
  ASSERT_TRUE(stale.Prepare(a_.tier->store(), **meta, "app:k"));
  // A write on this host replaces the copy after the refresh read Redis.
  ASSERT_OK(a_.tier->Set("app:k", "v2"));
  EXPECT_FALSE(stale.Commit(a_.tier->store(), "app:k", "v1-read-earlier", 0,
                            absl::InfiniteDuration()));
  EXPECT_EQ(Read(a_, "app:k"), "v2");
  // Nothing to update when there is no copy.
  tier_internal::CopyUpdate none;
  EXPECT_FALSE(none.Prepare(a_.tier->store(), **meta, "app:absent"));
}

TEST_F(TierTest, FlushAllDropsEveryCachedCopy) {
  RedisSet("app:k", "v");
  EXPECT_EQ(Read(a_, "app:k"), "v");
  EXPECT_EQ(Read(b_, "app:k"), "v");
  ASSERT_OK(redis_->Command({"FLUSHALL"}));
  EXPECT_TRUE(Sees(a_, "app:k", "<absent>"));
  EXPECT_TRUE(Sees(b_, "app:k", "<absent>"));
  // Tracking on, then FLUSHALL.
  EXPECT_TRUE(SyncCounted(a_, &TierStats::flushes, 2));
}

TEST_F(TierTest, ARedisRestartDropsEveryCachedCopy) {
  RedisSetAndSettle("app:k", "v");
  EXPECT_EQ(Read(a_, "app:k"), "v");
  redis_->Kill();
  const int64_t killed = BootNs();
  // Down: a cached copy lives at most the bound, then reads fail.
  EXPECT_TRUE(PollUntil(
      [&] { return absl::IsUnavailable(a_.tier->Get("app:k").status()); }));
  EXPECT_GE(BootNs(), killed);
  // Unless the caller accepts a stale copy.
  TierReadOptions stale;
  stale.max_staleness = absl::Hours(1);
  EXPECT_EQ(Read(a_, "app:k", stale), "v");
  EXPECT_THAT(a_.tier->Set("app:k", "w"),
              StatusIs(absl::StatusCode::kUnavailable));
  ASSERT_TRUE(redis_->Restart());
  // Back, empty: the sync process reconnects and drops everything.
  EXPECT_TRUE(Sees(a_, "app:k", "<absent>"));
  ASSERT_TRUE(WaitForHeartbeat(a_.name.name(), a_.sync.pid()));
  EXPECT_THAT(a_.tier->Get("app:k").status(),
              StatusIs(absl::StatusCode::kNotFound));
  const TierStats t = Stats(a_);
  EXPECT_GE(t.redis_errors, 1);
  EXPECT_GE(t.stale_served, 1);
}

TEST_F(TierTest, AWorkerKilledInTheMiddleOfAFillBlocksNobody) {
  RedisSet("app:k", "v1");
  const std::string marker = redis_->dir() + "/stalled";
  ChildProcess worker =
      ChildProcess::Start({RunfilePath("tests/tier/tier_worker"), "stall",
                           a_.name.name(), redis_->url(), "app:k", marker},
                          redis_->dir() + "/worker.log");
  ASSERT_TRUE(PollUntil([&] { return access(marker.c_str(), F_OK) == 0; }));
  worker.Kill(SIGKILL);
  // Its compute marker names a dead process: the next reader takes over.
  EXPECT_EQ(Read(a_, "app:k"), "v1");
  RedisSet("app:k", "v2");
  EXPECT_TRUE(Sees(a_, "app:k", "v2"));
}

TEST(TierOpenTest, BadInputGivesAClearErrorAndChangesNothing) {
  std::unique_ptr<RedisServer> redis =
      RedisServer::Start({"--requirepass", "right"});
  ASSERT_NE(redis, nullptr);
  ScopedTierStoreName name;
  EXPECT_THAT(Tier::Open(name.name(), "http://nowhere").status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(Tier::Open(name.name(), "redis://localhost:99999").status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_FALSE(ShmExists(name.name()));
  EXPECT_THAT(
      Tier::Open(name.name(), "unix:///nonexistent/redis.sock").status(),
      StatusIs(absl::StatusCode::kUnavailable));
  absl::StatusOr<std::unique_ptr<Tier>> wrong =
      Tier::Open(name.name(), redis->url("wrong"));
  EXPECT_THAT(wrong.status(), StatusIs(absl::StatusCode::kUnauthenticated));
  absl::StatusOr<std::unique_ptr<Tier>> none =
      Tier::Open(name.name(), redis->url());
  EXPECT_THAT(none.status(), StatusIs(absl::StatusCode::kUnauthenticated));
  absl::StatusOr<std::unique_ptr<Tier>> right =
      Tier::Open(name.name(), redis->url("right"));
  ASSERT_OK(right);
  ASSERT_OK((*right)->Set("k", "v"));
  EXPECT_EQ(*(*right)->Get("k"), "v");
  TierOptions other;
  other.prefix = "other:";
  ScopedTierStoreName synced;
  ChildProcess sync = StartSync(synced.name(), redis->url("right"), "app:");
  ASSERT_TRUE(WaitForHeartbeat(synced.name(), sync.pid()));
  EXPECT_THAT(Tier::Open(synced.name(), redis->url("right"), other).status(),
              StatusIs(absl::StatusCode::kFailedPrecondition));
}

}  // namespace
}  // namespace testing
}  // namespace kvstore
