#include "kvstore/tier/tier_stats.h"

#include <errno.h>
#include <signal.h>

#include "kvstore/store.h"
#include "kvstore/tier/internal/meta.h"

namespace kvstore {

using tier_internal::Counter;

absl::StatusOr<TierStats> ReadTierStats(absl::string_view store_name) {
  absl::StatusOr<std::string> meta_name =
      tier_internal::MetaStoreName(store_name);
  if (!meta_name.ok()) return meta_name.status();
  Options options = tier_internal::MetaStoreOptions();
  options.create_if_missing = false;
  absl::StatusOr<std::unique_ptr<Store>> meta =
      Store::Open(*meta_name, options);
  if (!meta.ok()) return meta.status();
  TierStats t;
  absl::StatusOr<std::string> prefix =
      (*meta)->Get<std::string>(tier_internal::kPrefixKey);
  if (prefix.ok()) t.prefix = *prefix;
  absl::StatusOr<std::string> endpoint =
      (*meta)->Get<std::string>(tier_internal::kEndpointKey);
  if (endpoint.ok()) t.endpoint = *endpoint;
  absl::StatusOr<tier_internal::Control> control =
      tier_internal::ReadControl(**meta);
  if (control.ok()) {
    t.generation = control->generation;
    t.sync_pid = control->sync_pid;
    t.sync_running =
        control->sync_pid > 0 &&
        (kill(static_cast<pid_t>(control->sync_pid), 0) == 0 || errno == EPERM);
    if (control->heartbeat_ns > 0) {
      t.heartbeat_age =
          absl::Nanoseconds(tier_internal::NowNs() - control->heartbeat_ns);
    }
  }
  struct {
    Counter counter;
    int64_t* field;
  } const fields[] = {
      {Counter::kLocalHits, &t.local_hits},
      {Counter::kFills, &t.fills},
      {Counter::kFillsDiscarded, &t.fills_discarded},
      {Counter::kReadThroughs, &t.read_throughs},
      {Counter::kStaleServed, &t.stale_served},
      {Counter::kInvalidations, &t.invalidations},
      {Counter::kFlushes, &t.flushes},
      {Counter::kRedisErrors, &t.redis_errors},
      {Counter::kRefreshes, &t.refreshes},
  };
  for (const auto& f : fields) {
    absl::StatusOr<int64_t> v =
        (*meta)->Get<int64_t>(tier_internal::CounterKey(f.counter));
    if (v.ok()) *f.field = *v;
  }
  return t;
}

}  // namespace kvstore
