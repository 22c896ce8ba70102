// The sync process of a host: keeps the host's store coherent with Redis.
// `kvstore sync --redis=URL --prefix=P` runs it; programs may too.
//
//   std::atomic<bool> stop{false};  // Set from a SIGTERM handler.
//   kvstore::SyncOptions options;
//   options.prefix = "app:";
//   absl::Status s = kvstore::RunSync("/appcache", "redis://cache:6379",
//                                     options, stop, std::cerr);
//
// It opens two connections. The second subscribes to
// __redis__:invalidate; the first turns on CLIENT TRACKING in broadcast
// mode for the prefix, redirected to the second (RESP2). For every
// invalidated key it reads the new value from Redis and replaces the
// host's copy in place (SyncOptions::refresh), or, if that cannot be done
// safely, bumps the key's epoch in the companion store (STORE.tier) and
// drops the cached copy. Every heartbeat_interval it
// sends PING on both connections; when the subscriber's PONG comes back
// (after every invalidation Redis queued before it) it writes the PING's
// send time as the heartbeat. Tier handles trust cached copies only while
// the heartbeat is younger than their bound.
//
// Whenever it cannot know what it missed (at start, after a lost or hung
// connection, a Redis restart, or FLUSHALL/FLUSHDB, which Redis reports
// as an invalidation without keys) it raises the generation, which makes
// every cached copy invalid at once, and erases the prefix's entries.
// docs/tier.md has the whole design.
#ifndef KVSTORE_TIER_SYNC_H_
#define KVSTORE_TIER_SYNC_H_

#include <atomic>
#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "kvstore/options.h"

namespace kvstore {

struct SyncOptions {
  // The Redis keys to track (all keys if empty). Tier handles on the host
  // must use the same prefix.
  // Default: "" (all keys)
  std::string prefix;

  // How often the heartbeat is renewed. Keep it well under the tier
  // handles' heartbeat_bound (default 1 s). Positive.
  // Default: 100 ms
  absl::Duration heartbeat_interval = absl::Milliseconds(100);

  // Bounds connecting and each reply; a PING unanswered this long counts
  // as a lost connection.
  // Default: 1 second
  absl::Duration redis_timeout = absl::Seconds(1);

  // The longest pause between attempts to reconnect (they start at 10 ms
  // and double).
  // Default: 1 second
  absl::Duration max_reconnect_delay = absl::Seconds(1);

  // What an invalidation does to a key the host has a copy of. true: the
  // copy keeps being served while the sync process reads the new value
  // (GET, pipelined for every key of a burst), then is replaced by it in
  // place, so readers do not miss (one extra GET per write per host, and
  // the invalidation delay grows by that round trip). false: the copy is
  // dropped at once and the next Get fills it. See docs/tier.md.
  // Default: true
  bool refresh = true;

  // How the data store is opened (and created if missing).
  // Default: Options with create_if_missing set
  Options store_options = [] {
    Options o;
    o.create_if_missing = true;
    return o;
  }();
};

// Runs until `stop` becomes true (checked at least every
// heartbeat_interval), then marks the cache untrusted and returns OK.
// Logs one line per event to `log`. Reconnects to Redis for as long as it
// is unreachable. Returns at once INVALID_ARGUMENT for a bad URL, store
// name or option, UNAUTHENTICATED for a password Redis refuses,
// FAILED_PRECONDITION if another live sync process serves the store, and
// the errors of Store::Open.
absl::Status RunSync(absl::string_view store_name, absl::string_view redis_url,
                     const SyncOptions& options, const std::atomic<bool>& stop,
                     std::ostream& log);

}  // namespace kvstore

#endif  // KVSTORE_TIER_SYNC_H_
