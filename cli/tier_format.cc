#include "cli/tier_format.h"

#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "kvstore/internal/json.h"

namespace kvstore {
namespace cli {

using ::kvstore::internal::JsonObject;

namespace {

std::optional<int64_t> HeartbeatAgeMs(const TierStats& t) {
  if (t.heartbeat_age == absl::InfiniteDuration()) return std::nullopt;
  return absl::ToInt64Milliseconds(t.heartbeat_age);
}

std::vector<std::pair<absl::string_view, int64_t>> Counters(
    const TierStats& t) {
  return {
      {"local_hits", t.local_hits},
      {"fills", t.fills},
      {"fills_discarded", t.fills_discarded},
      {"read_throughs", t.read_throughs},
      {"stale_served", t.stale_served},
      {"invalidations", t.invalidations},
      {"flushes", t.flushes},
      {"redis_errors", t.redis_errors},
      {"refreshes", t.refreshes},
  };
}

}  // namespace

std::string FormatTierStatsText(const TierStats& t) {
  const std::optional<int64_t> age = HeartbeatAgeMs(t);
  std::string out = absl::StrCat(
      "tier_prefix: ", t.prefix, "\n", "tier_redis: ", t.endpoint, "\n",
      "tier_sync_running: ", t.sync_running ? "yes" : "no", "\n",
      "tier_sync_pid: ", t.sync_pid, "\n",
      "tier_heartbeat_age_ms: ", age ? absl::StrCat(*age) : "none", "\n");
  for (const auto& [name, value] : Counters(t)) {
    absl::StrAppend(&out, "tier_", name, ": ", value, "\n");
  }
  return out;
}

void AppendTierStatsJson(const TierStats& t, std::string* json) {
  JsonObject o;
  o.AddString("prefix", t.prefix)
      .AddString("redis", t.endpoint)
      .AddBool("sync_running", t.sync_running)
      .AddInt("sync_pid", t.sync_pid);
  const std::optional<int64_t> age = HeartbeatAgeMs(t);
  if (age) {
    o.AddInt("heartbeat_age_ms", *age);
  } else {
    o.AddNull("heartbeat_age_ms");
  }
  for (const auto& [name, value] : Counters(t)) o.AddInt(name, value);
  if (json->empty() || json->back() != '}') return;
  json->pop_back();
  absl::StrAppend(json, json->size() > 1 ? "," : "", "\"tier\":", o.Build(),
                  "}");
}

}  // namespace cli
}  // namespace kvstore
