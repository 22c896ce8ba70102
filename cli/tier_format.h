// The tier section of `kvstore stats` (docs/cli.md, "stats").
#ifndef CLI_TIER_FORMAT_H_
#define CLI_TIER_FORMAT_H_

#include <string>

#include "kvstore/tier/tier_stats.h"

namespace kvstore {
namespace cli {

// "tier_FIELD: value" lines. heartbeat_age_ms is "none" without a
// heartbeat.
std::string FormatTierStatsText(const TierStats& stats);

// Adds "tier":{...} as the last member of `json`, a JSON object.
void AppendTierStatsJson(const TierStats& stats, std::string* json);

}  // namespace cli
}  // namespace kvstore

#endif  // CLI_TIER_FORMAT_H_
