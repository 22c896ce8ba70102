// A tiered handle: the host's shared-memory store as a near cache in front
// of Redis, which holds the truth. One process per host runs
// `kvstore sync` (kvstore/tier/sync.h), which keeps the cache coherent with
// Redis's invalidation messages; every other process uses a Tier.
//
//   kvstore::TierOptions options;
//   options.prefix = "app:";
//   absl::StatusOr<std::unique_ptr<kvstore::Tier>> tier =
//       kvstore::Tier::Open("/appcache", "redis://cache.local:6379/0",
//                           options);
//   if (!tier.ok()) return tier.status();
//   absl::Status s = (*tier)->Set("app:greeting", "hi");  // Redis, then here
//   absl::StatusOr<std::string> v = (*tier)->Get("app:greeting");
//
// Reads. A Get served from shared memory costs a few hundred nanoseconds.
// A miss is filled from Redis; of the processes of one host that miss one
// key at once only one asks Redis, the others wait for its answer
// (Store::GetOrCompute). A cached copy is served only while the host's
// sync process vouches for the cache (its heartbeat is younger than
// TierOptions::heartbeat_bound); otherwise every Get reads through to
// Redis and caches nothing.
//
// Writes (Set, SetIfAbsent, Replace, CompareAndSet, Erase, Increment,
// Expire) go to Redis first. Once Redis has acknowledged one, the host's
// copy of the key is replaced with the value written (or dropped, for
// Erase and Expire, or when a concurrent change makes that unsafe) before
// the call returns, so a read on this host that begins after it returns
// sees the write (or a later one). Other hosts' sync processes refresh
// their copies within their invalidation delay: docs/tier.md states the
// guarantee exactly.
//
// Values are Redis strings: any bytes. A value too long for the store
// (store limit less the 24-byte tag) is served but never cached.
//
// Thread safety: a Tier may be used from many threads; its Redis calls
// are serialised over one connection per handle.
//
// Errors:
//   NOT_FOUND            the key is absent in Redis
//   INVALID_ARGUMENT     a bad URL, a key that is empty, too long for the
//                        store or outside the prefix, a bad ttl
//   UNAVAILABLE          Redis cannot be reached, or the connection broke
//                        (a write may or may not have happened: Redis alone
//                        knows; nothing local changed)
//   UNAUTHENTICATED      Redis refused the password (or needs one)
//   FAILED_PRECONDITION  the key holds a non-string value in Redis, or is
//                        not an integer (Increment); the store is tracked
//                        by a sync process with another prefix
//   OUT_OF_RANGE         an increment would overflow int64
//   DEADLINE_EXCEEDED    another process's fill of the key outlived
//                        TierOptions::fill_wait
//   and the statuses of Store::Open for the store and its companion.
#ifndef KVSTORE_TIER_TIER_H_
#define KVSTORE_TIER_TIER_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "kvstore/options.h"
#include "kvstore/store.h"
#include "kvstore/tier/redis_url.h"
#include "kvstore/tier/tier_stats.h"

namespace kvstore {

namespace tier_internal {
class CopyUpdate;
class CounterBatch;
class RedisSession;
struct Control;
}  // namespace tier_internal

struct TierOptions {
  // -------------------------------------------------------------------
  // Parameters that affect behaviour

  // The key space this handle serves: every key must start with it (all
  // keys if empty). Must equal the prefix of the host's sync process; if
  // unset, the handle takes the sync process's (all keys if none ran yet).
  // Default: unset
  std::optional<std::string> prefix;

  // Cached copies are trusted only while the sync process's heartbeat is
  // at most this old; beyond it every read goes to Redis. This bounds how
  // stale a read can be when the sync process dies, hangs or loses Redis.
  // Positive.
  // Default: 1 second
  absl::Duration heartbeat_bound = absl::Seconds(1);

  // Bounds connecting to Redis and each reply.
  // Default: 1 second
  absl::Duration redis_timeout = absl::Seconds(1);

  // How long a Get waits for another process's fill of the same key
  // before giving up with DEADLINE_EXCEEDED. A dead filler is noticed at
  // once; a hung one after twice redis_timeout.
  // Default: 5 seconds
  absl::Duration fill_wait = absl::Seconds(5);

  // The most a cached copy lives in shared memory (it also ends with the
  // key's Redis TTL). Positive.
  // Default: absl::InfiniteDuration()
  absl::Duration local_ttl = absl::InfiniteDuration();

  // How the data store is opened (and created if missing).
  // Default: Options with create_if_missing set
  Options store_options = [] {
    Options o;
    o.create_if_missing = true;
    return o;
  }();

  // For tests: called by a fill after it read Redis and before it stores
  // the value.
  std::function<void(absl::string_view key)> TEST_after_fetch;
};

struct TierReadOptions {
  // If Redis cannot be reached and the sync process's heartbeat is too old
  // to trust the cache, a Get may still serve the cached copy if that copy
  // was known fresh at most this long ago. Zero: never serve a copy the
  // heartbeat does not vouch for (return UNAVAILABLE).
  // Default: absl::ZeroDuration()
  absl::Duration max_staleness = absl::ZeroDuration();
};

class Tier {
 public:
  // Opens (creating if options.store_options says so) the data store
  // `store_name` and its companion `store_name`.tier, and connects to the
  // Redis at `redis_url` (see kvstore/tier/redis_url.h).
  static absl::StatusOr<std::unique_ptr<Tier>> Open(
      absl::string_view store_name, absl::string_view redis_url,
      const TierOptions& options = TierOptions());

  ~Tier();
  Tier(const Tier&) = delete;
  Tier& operator=(const Tier&) = delete;

  // The value of `key`: from shared memory if the host holds a copy the
  // sync process vouches for, else from Redis (caching it).
  absl::StatusOr<std::string> Get(absl::string_view key,
                                  const TierReadOptions& options = {});

  // SET (with PX for a finite options.ttl).
  absl::Status Set(absl::string_view key, absl::string_view value,
                   const WriteOptions& options = WriteOptions());
  // SET NX: true if stored, false if the key existed (nothing changed).
  absl::StatusOr<bool> SetIfAbsent(
      absl::string_view key, absl::string_view value,
      const WriteOptions& options = WriteOptions());
  // SET XX: true if replaced, false if the key was absent.
  absl::StatusOr<bool> Replace(absl::string_view key, absl::string_view value,
                               const WriteOptions& options = WriteOptions());
  // Replaces the value with `desired` only if it is `expected`, atomically
  // in Redis (a script). True if replaced, false if the value differs,
  // NOT_FOUND if the key is absent.
  absl::StatusOr<bool> CompareAndSet(
      absl::string_view key, absl::string_view expected,
      absl::string_view desired, const WriteOptions& options = WriteOptions());
  // DEL. NOT_FOUND if the key was absent.
  absl::Status Erase(absl::string_view key);
  // INCRBY: the new value. Keeps the key's TTL. FAILED_PRECONDITION if the
  // value is not a decimal int64, OUT_OF_RANGE on overflow.
  absl::StatusOr<int64_t> Increment(absl::string_view key, int64_t delta = 1);
  // PEXPIRE. NOT_FOUND if absent.
  absl::Status Expire(absl::string_view key, absl::Duration ttl);
  // PTTL, from Redis: absl::InfiniteDuration() if none, NOT_FOUND if absent.
  absl::StatusOr<absl::Duration> Ttl(absl::string_view key);

  // What this handle counted since it was opened: the counters of
  // TierStats that handles keep (local_hits, fills, fills_discarded,
  // read_throughs, stale_served, redis_errors, refreshes). The other
  // fields are left empty; ReadTierStats has the host's sums.
  TierStats Counts() const;

  // Adds this handle's counts to the companion store now (they are added
  // every 100 ms anyway, and when the handle is destroyed).
  void FlushCounters();

  // The prefix served, the data store.
  const std::string& prefix() const { return prefix_; }
  Store& store() { return *data_; }

 private:
  Tier(TierOptions options, std::unique_ptr<Store> data,
       std::unique_ptr<Store> meta, std::string prefix,
       std::unique_ptr<tier_internal::RedisSession> redis);

  absl::Status CheckKey(absl::string_view key) const;
  // The cached copy of `key` if it is valid under `control` now; else
  // nullopt (an invalid copy is erased).
  std::optional<std::string> LocalCopy(absl::string_view key,
                                       const tier_internal::Control& control,
                                       int64_t now_ns);
  absl::StatusOr<std::string> Fill(absl::string_view key);
  absl::StatusOr<std::string> ReadThrough(absl::string_view key,
                                          const TierReadOptions& options,
                                          int64_t now_ns);
  // After Redis acknowledged a write of `key`: bump its epoch, drop it.
  void InvalidateLocal(absl::string_view key);
  // Runs a Redis command whose reply is an integer (counting a Redis error
  // as such); INTERNAL for any other reply.
  absl::StatusOr<int64_t> RunInteger(
      const std::vector<absl::string_view>& args);
  // NOT_FOUND for a key absent in Redis.
  absl::Status NotInRedis(absl::string_view key) const;
  // After Redis acknowledged a write that left `value` under `key`:
  // replaces the host's copy in place if `before` (prepared before the
  // write was sent) still describes it, else drops it. The copy expires at
  // `expiry_ns` (0: never).
  void UpdateLocal(absl::string_view key,
                   const tier_internal::CopyUpdate* before,
                   absl::string_view value, int64_t expiry_ns);
  absl::StatusOr<bool> SetConditional(absl::string_view key,
                                      absl::string_view value,
                                      const WriteOptions& options,
                                      absl::string_view condition);

  const TierOptions options_;
  std::unique_ptr<Store> data_;
  std::unique_ptr<Store> meta_;
  const std::string prefix_;
  size_t max_payload_ = 0;
  size_t max_key_bytes_ = 0;
  std::unique_ptr<tier_internal::CounterBatch> counters_;
  std::unique_ptr<tier_internal::RedisSession> redis_;
};

}  // namespace kvstore

#endif  // KVSTORE_TIER_TIER_H_
