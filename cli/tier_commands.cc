// The commands that use Redis, the shared tier: sync, and get, set, del
// and incr with --redis (docs/tier.md).
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <istream>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "cli/command.h"
#include "cli/commands.h"
#include "cli/format.h"
#include "kvstore/tier/redis_url.h"
#include "kvstore/tier/sync.h"
#include "kvstore/tier/tier.h"

namespace kvstore {
namespace cli {
namespace {

std::atomic<bool> g_stop_sync{false};

void StopSync(int) { g_stop_sync.store(true); }

// The most `set KEY -` reads (as for a store).
constexpr size_t kMaxStdinBytes = (size_t{1} << 24) + 1;

std::string ReadAll(std::istream& in) {
  std::string data;
  char buffer[64 * 1024];
  while (data.size() < kMaxStdinBytes && in) {
    in.read(buffer, std::min(sizeof(buffer), kMaxStdinBytes - data.size()));
    data.append(buffer, static_cast<size_t>(in.gcount()));
  }
  return data;
}

// Checks --redis (a usage error if bad) and opens the tier.
int OpenTier(const CommandContext& ctx, std::unique_ptr<Tier>* tier) {
  const std::string url = ctx.FlagOr("redis", "");
  absl::StatusOr<RedisEndpoint> endpoint = ParseRedisUrl(url);
  if (!endpoint.ok()) return UsageError(ctx, endpoint.status().message());
  TierOptions options;
  if (ctx.HasFlag("prefix")) options.prefix = ctx.FlagOr("prefix", "");
  absl::StatusOr<std::unique_ptr<Tier>> opened =
      Tier::Open(ctx.store_name, url, options);
  if (!opened.ok()) return Failure(ctx, opened.status());
  *tier = *std::move(opened);
  return kExitOk;
}

}  // namespace

int RunSync(const CommandContext& ctx) {
  if (!ctx.HasFlag("redis")) return UsageError(ctx, "--redis=URL is required");
  if (!ctx.HasFlag("prefix")) {
    return UsageError(ctx,
                      "--prefix=P is required (--prefix= tracks every key)");
  }
  const std::string url = ctx.FlagOr("redis", "");
  absl::StatusOr<RedisEndpoint> endpoint = ParseRedisUrl(url);
  if (!endpoint.ok()) return UsageError(ctx, endpoint.status().message());
  struct sigaction action = {};
  action.sa_handler = StopSync;  // No SA_RESTART: poll() returns at once.
  sigemptyset(&action.sa_mask);
  sigaction(SIGTERM, &action, nullptr);
  sigaction(SIGINT, &action, nullptr);
  SyncOptions options;
  options.prefix = ctx.FlagOr("prefix", "");
  options.refresh = !ctx.HasFlag("no-refresh");
  absl::Status s = RunSync(ctx.store_name, url, options, g_stop_sync, *ctx.err);
  if (!s.ok()) return Failure(ctx, s);
  return kExitOk;
}

int TierSet(const CommandContext& ctx) {
  if (ctx.args.size() != 2) {
    return UsageError(
        ctx, absl::StrCat("expected 2 arguments, got ", ctx.args.size()));
  }
  if (ctx.HasFlag("type")) {
    return UsageError(ctx,
                      "--type does not apply with --redis (Redis values "
                      "are strings)");
  }
  absl::StatusOr<WriteOptions> options = WriteOptionsFromFlags(ctx);
  if (!options.ok()) return UsageError(ctx, options.status().message());
  std::unique_ptr<Tier> tier;
  if (int code = OpenTier(ctx, &tier); code != kExitOk) return code;
  const std::string value = ctx.args[1] == "-" ? ReadAll(*ctx.in) : ctx.args[1];
  absl::Status s = tier->Set(ctx.args[0], value, *options);
  if (absl::IsInvalidArgument(s)) return UsageError(ctx, s.message());
  if (!s.ok()) return Failure(ctx, s);
  return kExitOk;
}

int TierGet(const CommandContext& ctx) {
  std::unique_ptr<Tier> tier;
  if (int code = OpenTier(ctx, &tier); code != kExitOk) return code;
  absl::StatusOr<std::string> value = tier->Get(ctx.args[0]);
  if (absl::IsInvalidArgument(value.status())) {
    return UsageError(ctx, value.status().message());
  }
  if (!value.ok()) {
    return Failure(ctx, value.status(), /*not_found_is_key=*/true);
  }
  if (ctx.HasFlag("json")) {
    *ctx.out << FormatEntryJson(ctx.args[0], Value::String(*value)) << "\n";
  } else {
    *ctx.out << FormatGetOutput(Value::String(*value), ctx.HasFlag("raw"));
  }
  return kExitOk;
}

int TierDel(const CommandContext& ctx) {
  std::unique_ptr<Tier> tier;
  if (int code = OpenTier(ctx, &tier); code != kExitOk) return code;
  absl::Status s = tier->Erase(ctx.args[0]);
  if (absl::IsInvalidArgument(s)) return UsageError(ctx, s.message());
  if (!s.ok()) return Failure(ctx, s, /*not_found_is_key=*/true);
  return kExitOk;
}

int TierIncr(const CommandContext& ctx) {
  if (ctx.args.size() > 2) {
    return UsageError(
        ctx, absl::StrCat("expected 1 to 2 arguments, got ", ctx.args.size()));
  }
  int64_t delta = 1;
  if (ctx.args.size() > 1) {
    absl::StatusOr<Value> parsed = Value::Parse(ValueType::kInt64, ctx.args[1]);
    if (!parsed.ok()) {
      return UsageError(ctx,
                        absl::StrCat("bad DELTA: ", parsed.status().message()));
    }
    delta = parsed->AsInt64();
  }
  std::unique_ptr<Tier> tier;
  if (int code = OpenTier(ctx, &tier); code != kExitOk) return code;
  absl::StatusOr<int64_t> result = tier->Increment(ctx.args[0], delta);
  if (absl::IsInvalidArgument(result.status())) {
    return UsageError(ctx, result.status().message());
  }
  if (!result.ok()) return Failure(ctx, result.status());
  *ctx.out << *result << "\n";
  return kExitOk;
}

}  // namespace cli
}  // namespace kvstore
