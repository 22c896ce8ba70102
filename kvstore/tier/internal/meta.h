// Internal to //kvstore/tier: the companion store that a tier keeps next to
// the host's data store, and the format of a cached entry.
//
// For data store NAME the companion is NAME.tier: a store without eviction
// and without TTLs, so nothing in it disappears behind the tier's back.
// It holds (docs/tier.md, "State in shared memory"):
//   "ctl"        the control record, written only by the sync process:
//                generation, heartbeat and the sync process's pid
//   "prefix"     the prefix the sync process tracks (string)
//   "endpoint"   the Redis it tracks, password hidden (string)
//   "e/XXXX"     int64 invalidation epoch of hash bucket XXXX (hex); absent
//                means 0. Only ever incremented.
//   "n/NAME"     int64 counters of the tier section of `kvstore stats`
//
// A cached entry in the data store is a kBytes value: a 24-byte tag
//   generation (uint64) | bucket epoch (int64) | expiry (int64,
//   CLOCK_BOOTTIME ns, 0 for none), each in host byte order,
// followed by the Redis value's bytes.
#ifndef KVSTORE_TIER_INTERNAL_META_H_
#define KVSTORE_TIER_INTERNAL_META_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "kvstore/options.h"
#include "kvstore/store.h"

namespace kvstore {
namespace tier_internal {

// Hash buckets of invalidation epochs. Part of the companion's format.
inline constexpr uint32_t kEpochBuckets = 65536;
inline constexpr size_t kTagBytes = 24;

inline constexpr absl::string_view kControlKey = "ctl";
inline constexpr absl::string_view kPrefixKey = "prefix";
inline constexpr absl::string_view kEndpointKey = "endpoint";

// NAME + ".tier", or INVALID_ARGUMENT if that is not a valid store name.
absl::StatusOr<std::string> MetaStoreName(absl::string_view data_store);

// How every process opens (and if need be creates) the companion.
Options MetaStoreOptions();

// The host's data store and its companion, as every tier process opens
// them: the data store with `data_options`, the companion with
// MetaStoreOptions() (created if need be).
struct TierStores {
  std::unique_ptr<Store> data;
  std::unique_ptr<Store> meta;
};
absl::StatusOr<TierStores> OpenTierStores(absl::string_view data_store,
                                          const Options& data_options);

// A copy of a Redis value read at `read_ns` (NowNs()) whose PTTL was
// `pttl_ms` (negative: the key has no TTL): the expiry of its tag (0 for
// none), and how long the local entry may live within `cap` (a millisecond
// past Redis's expiry, so that the tag hides the copy first).
int64_t ExpiryFromPttl(int64_t read_ns, int64_t pttl_ms);
absl::Duration LocalTtl(absl::Duration cap, int64_t pttl_ms);

// Now on CLOCK_BOOTTIME, in nanoseconds: one clock for every process on
// the host, never set back.
int64_t NowNs();

struct Control {
  // Changes (always upwards: it is max(old + 1, NowNs())) whenever the sync
  // process drops everything it may have missed. A cached entry is valid
  // only under the generation it was filled in.
  uint64_t generation = 0;
  // NowNs() when the sync process last sent a PING that came back: every
  // invalidation of a write acknowledged before then has been applied.
  // 0 when no sync process vouches for the cache.
  int64_t heartbeat_ns = 0;
  int64_t sync_pid = 0;
};

std::string EncodeControl(const Control& c);
// NOT_FOUND if no sync process ever ran; DATA_LOSS if malformed.
absl::StatusOr<Control> ReadControl(const Store& meta);

// The bucket of a Redis key, and the companion key of its epoch.
uint32_t BucketOf(absl::string_view key);
std::string EpochKey(uint32_t bucket);
// The epoch of `key`'s bucket: 0 if absent, an error if unreadable.
absl::StatusOr<int64_t> ReadEpoch(const Store& meta, absl::string_view key);
// Increments it.
absl::Status BumpEpoch(Store& meta, absl::string_view key);

struct Tag {
  uint64_t generation = 0;
  int64_t epoch = 0;
  int64_t expiry_ns = 0;  // 0: none.
};

Value EncodeEntry(const Tag& tag, absl::string_view payload);
// False if `v` is not a tier entry (another type, too short).
bool DecodeEntry(const Value& v, Tag* tag, absl::string_view* payload);

// A copy replaced in place (docs/tier.md, "Refresh instead of drop"). The
// state of `key`'s copy is read before Redis is asked (Prepare); once
// Redis has answered, Commit stores the new value only if the copy is
// still the very entry Prepare saw (same version). While that entry holds
// the key's slot no fill can be in flight for the key (a fill needs the
// slot for its marker), so the new copy keeps the tag Prepare read.
class CopyUpdate {
 public:
  // Reads the copy and its tag's state. False if there is no tier entry
  // for `key` (absent, a compute marker, another type): then there is
  // nothing to update in place.
  bool Prepare(const Store& data, const Store& meta, absl::string_view key);
  // Replaces the copy with `payload`, to be reclaimed after `ttl` and
  // served until `expiry_ns` (0: no expiry). True if stored.
  bool Commit(Store& data, absl::string_view key, absl::string_view payload,
              int64_t expiry_ns, absl::Duration ttl) const;
  // The expiry in the tag Prepare read (0: none), and the time the entry
  // had left to live then.
  int64_t expiry_ns() const { return expiry_ns_; }
  absl::Duration ttl() const { return ttl_; }

 private:
  int64_t expiry_ns_ = 0;
  absl::Duration ttl_ = absl::InfiniteDuration();
  uint64_t version_ = 0;
  uint64_t generation_ = 0;
  int64_t epoch_ = 0;
};

// The counters of the tier section of `kvstore stats`.
enum class Counter : int {
  kLocalHits = 0,
  kFills,
  kFillsDiscarded,
  kReadThroughs,
  kStaleServed,
  kInvalidations,
  kFlushes,
  kRedisErrors,
  kRefreshes,
  kCount,  // Not a counter.
};
absl::string_view CounterKey(Counter c);

// Counts in process memory and adds them to the companion store now and
// then, so that a read does not take the store's lock to count itself.
// Thread-safe. Counts not yet flushed are lost if the process dies.
class CounterBatch {
 public:
  void Add(Counter c, int64_t n = 1) {
    pending_[static_cast<int>(c)].fetch_add(n, std::memory_order_relaxed);
    total_[static_cast<int>(c)].fetch_add(n, std::memory_order_relaxed);
  }
  // Everything added since construction.
  int64_t Total(Counter c) const {
    return total_[static_cast<int>(c)].load(std::memory_order_relaxed);
  }
  // Flushes if the last flush is `interval_ns` old.
  void MaybeFlush(Store& meta, int64_t now_ns, int64_t interval_ns);
  void Flush(Store& meta);

 private:
  std::atomic<int64_t> pending_[static_cast<int>(Counter::kCount)] = {};
  std::atomic<int64_t> total_[static_cast<int>(Counter::kCount)] = {};
  std::atomic<int64_t> last_flush_ns_{0};
};

}  // namespace tier_internal
}  // namespace kvstore

#endif  // KVSTORE_TIER_INTERNAL_META_H_
