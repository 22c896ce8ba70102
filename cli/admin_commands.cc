// The commands that manage a whole store: create, stats, check, destroy,
// reset-lock.
#include "absl/strings/str_cat.h"
#include "cli/command.h"
#include "cli/commands.h"
#include "cli/flags.h"
#include "cli/format.h"
#include "cli/progress.h"
#include "cli/tier_format.h"
#include "kvstore/tier/tier_stats.h"

namespace kvstore {
namespace cli {

int RunCreate(const CommandContext& ctx) {
  Options options;
  options.create_if_missing = true;
  options.error_if_exists = true;
  // The library's ranges (kvstore/options.h), quoted by every message
  // about these flags.
  struct {
    absl::string_view flag;
    uint64_t min;
    uint64_t max;
    uint64_t* out64;
    uint32_t* out32;
  } const limits[] = {
      {"capacity", 1, uint64_t{1} << 31, &options.capacity, nullptr},
      {"max-key-bytes", 1, 65535, nullptr, &options.max_key_bytes},
      {"max-value-bytes", 8, uint64_t{1} << 30, nullptr,
       &options.max_value_bytes},
  };
  for (const auto& limit : limits) {
    if (!ctx.HasFlag(limit.flag)) continue;
    absl::StatusOr<uint64_t> v = ParseUnsignedFlag(
        limit.flag, ctx.FlagOr(limit.flag, ""), limit.min, limit.max);
    if (!v.ok()) return UsageError(ctx, v.status().message());
    if (limit.out64 != nullptr) *limit.out64 = *v;
    if (limit.out32 != nullptr) *limit.out32 = static_cast<uint32_t>(*v);
  }
  if (ctx.HasFlag("memory")) {
    absl::StatusOr<uint64_t> memory =
        ParseSizeFlag("memory", ctx.FlagOr("memory", ""), uint64_t{1} << 40);
    if (!memory.ok()) return UsageError(ctx, memory.status().message());
    options.memory = *memory;
  }
  if (ctx.HasFlag("mode")) {
    absl::StatusOr<uint32_t> mode = ParseOctalMode(ctx.FlagOr("mode", ""));
    if (!mode.ok()) return UsageError(ctx, mode.status().message());
    options.mode = static_cast<mode_t>(*mode);
  }
  if (ctx.HasFlag("eviction")) {
    absl::StatusOr<Eviction> eviction =
        ParseEviction(ctx.FlagOr("eviction", ""));
    if (!eviction.ok()) return UsageError(ctx, eviction.status().message());
    options.eviction = *eviction;
  }
  ProgressLine progress(ctx, "create", "bytes");
  options.creation_progress = progress.Callback();
  absl::StatusOr<std::unique_ptr<Store>> store =
      Store::Open(ctx.store_name, options);
  options.creation_progress = nullptr;
  // The name is valid, so INVALID_ARGUMENT is about a limit or the mode.
  if (absl::IsInvalidArgument(store.status())) {
    return UsageError(ctx, store.status().message());
  }
  if (absl::IsAlreadyExists(store.status())) {
    // Say what is there: a half-created store of a dead creator would have
    // been replaced, so this one is being created, or is not a store.
    absl::StatusOr<ObjectInfo> info = Store::Inspect(ctx.store_name);
    if (info.ok() && info->kind == ObjectKind::kHalfCreated) {
      return Failure(ctx, absl::AlreadyExistsError(absl::StrCat(
                              "create store ", ctx.store_name,
                              ": it already exists, being created by process ",
                              info->creator_pid)));
    }
    if (info.ok() && info->kind != ObjectKind::kStore) {
      return Failure(ctx, absl::AlreadyExistsError(absl::StrCat(
                              "create store ", ctx.store_name,
                              ": the name is taken by a shared-memory object "
                              "that is not a kvstore store")));
    }
  }
  if (!store.ok()) return Failure(ctx, store.status());
  WarnIfWritableByOthers((*store)->Stats(), *ctx.err);
  return kExitOk;
}

int RunStats(const CommandContext& ctx) {
  absl::StatusOr<AnyStore> store = OpenStore(ctx, /*create_if_missing=*/false);
  if (!store.ok()) return Failure(ctx, store.status());
  absl::StatusOr<StoreStats> stats =
      store->typed ? store->typed->Stats() : store->tagged->Stats();
  if (!stats.ok()) return Failure(ctx, stats.status());
  // A store a tier uses has a companion with the tier's counters.
  absl::StatusOr<TierStats> tier = ReadTierStats(ctx.store_name);
  if (ctx.HasFlag("json")) {
    std::string json = FormatStatsJson(*stats);
    if (tier.ok()) AppendTierStatsJson(*tier, &json);
    *ctx.out << json << "\n";
  } else {
    *ctx.out << FormatStatsText(*stats);
    if (tier.ok()) *ctx.out << FormatTierStatsText(*tier);
  }
  return kExitOk;
}

int RunCheck(const CommandContext& ctx) {
  absl::StatusOr<AnyStore> store = OpenStore(ctx, /*create_if_missing=*/false);
  if (!store.ok()) return Failure(ctx, store.status());
  absl::Status status;
  {
    ProgressLine progress(ctx, "check", "slots");
    status = store->typed ? store->typed->Verify(progress.Callback())
                          : store->tagged->Verify(progress.Callback());
  }
  if (!status.ok()) return Failure(ctx, status);
  *ctx.out << "ok\n";
  return kExitOk;
}

int RunDestroy(const CommandContext& ctx) {
  // Refuse another program's shared memory: a typo must not delete it.
  absl::StatusOr<ObjectInfo> info = Store::Inspect(ctx.store_name);
  if (info.ok() && !ctx.HasFlag("force") &&
      (info->kind == ObjectKind::kForeign ||
       info->kind == ObjectKind::kEmpty)) {
    return Failure(
        ctx, absl::FailedPreconditionError(absl::StrCat(
                 ctx.store_name, " is not a kvstore store (",
                 info->kind == ObjectKind::kEmpty
                     ? "it is empty"
                     : "its first bytes are not a kvstore header",
                 "); not destroyed. If nothing else uses that shared-memory "
                 "object, 'kvstore destroy --force' removes it")));
  }
  absl::Status status = Store::Destroy(ctx.store_name);
  if (absl::IsNotFound(status)) {
    return Failure(ctx, absl::NotFoundError(absl::StrCat(
                            "store ", ctx.store_name,
                            " does not exist; nothing to destroy")));
  }
  if (!status.ok()) return Failure(ctx, status);
  return kExitOk;
}

int RunResetLock(const CommandContext& ctx) {
  absl::Status status = Store::ResetLock(ctx.store_name);
  if (!status.ok()) return Failure(ctx, status);
  *ctx.out << "lock of store " << ctx.store_name << " reset\n";
  return kExitOk;
}

}  // namespace cli
}  // namespace kvstore
