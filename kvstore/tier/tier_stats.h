// The tier section of `kvstore stats`: what the tier handles and the sync
// process of a host have counted, read from the store's companion.
//
//   absl::StatusOr<kvstore::TierStats> t = kvstore::ReadTierStats("/app");
//   if (t.ok()) std::cout << t->local_hits << "\n";
#ifndef KVSTORE_TIER_TIER_STATS_H_
#define KVSTORE_TIER_TIER_STATS_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace kvstore {

// Counts since the companion was created, summed over every process.
// A process adds its counts every 100 ms and when its handle closes, so a
// killed process loses at most its last 100 ms.
struct TierStats {
  std::string prefix;         // Tracked by the sync process ("" if none ran).
  std::string endpoint;       // Its Redis, password hidden ("" if none ran).
  bool sync_running = false;  // A sync process is registered and alive.
  int64_t sync_pid = 0;       // Its pid, 0 if none.
  // Age of the heartbeat; absl::InfiniteDuration() if there is none.
  absl::Duration heartbeat_age = absl::InfiniteDuration();
  uint64_t generation = 0;
  int64_t local_hits = 0;       // Gets served from shared memory.
  int64_t fills = 0;            // Misses filled from Redis.
  int64_t fills_discarded = 0;  // Fills dropped: an invalidation raced them.
  int64_t read_throughs = 0;    // Gets sent to Redis: heartbeat too old.
  int64_t stale_served = 0;     // Stale copies served on request (Redis down).
  int64_t invalidations = 0;    // Keys the sync process invalidated.
  int64_t flushes = 0;          // Times it dropped every cached key.
  int64_t redis_errors = 0;     // Failed Redis calls and lost connections.
  // Copies replaced in place with the value a write stored or the sync
  // process read back, instead of being dropped.
  int64_t refreshes = 0;
};

// NOT_FOUND if `store_name` has no tier companion (no tier ever used it);
// the errors of Store::Open otherwise.
absl::StatusOr<TierStats> ReadTierStats(absl::string_view store_name);

}  // namespace kvstore

#endif  // KVSTORE_TIER_TIER_STATS_H_
