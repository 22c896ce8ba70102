// The commands that save, restore and upgrade a whole store: dump, restore,
// upgrade.
#include <ostream>

#include "absl/strings/str_cat.h"
#include "cli/command.h"
#include "cli/commands.h"
#include "cli/flags.h"
#include "kvstore/snapshot.h"

namespace kvstore {
namespace cli {
namespace {

// A progress line on stderr, only when stderr is a terminal.
SnapshotProgress ProgressLine(const CommandContext& ctx,
                              absl::string_view verb) {
  if (!ctx.progress) return nullptr;
  return [&ctx, verb = std::string(verb)](uint64_t entries) {
    *ctx.err << "\r" << verb << " " << entries << " entries" << std::flush;
  };
}

void EndProgressLine(const CommandContext& ctx, const SnapshotProgress& p) {
  if (p) *ctx.err << "\n";
}

}  // namespace

int RunDump(const CommandContext& ctx) {
  const std::string file = ctx.args.empty() ? "-" : ctx.args[0];
  const SnapshotProgress progress = ProgressLine(ctx, "dumped");
  absl::StatusOr<SnapshotStats> dumped =
      file == "-" ? DumpStoreToStream(ctx.store_name, *ctx.out, progress)
                  : DumpStore(ctx.store_name, file, progress);
  EndProgressLine(ctx, progress);
  if (!dumped.ok()) return Failure(ctx, dumped.status());
  return kExitOk;
}

int RunRestore(const CommandContext& ctx) {
  RestoreOptions options;
  options.replace = ctx.HasFlag("replace");
  options.progress = ProgressLine(ctx, "restored");
  const std::string& file = ctx.args[0];
  absl::StatusOr<SnapshotStats> restored =
      file == "-" ? RestoreStoreFromStream(ctx.store_name, *ctx.in, options)
                  : RestoreStore(ctx.store_name, file, options);
  EndProgressLine(ctx, options.progress);
  if (!restored.ok()) {
    return Failure(ctx,
                   absl::Status(restored.status().code(),
                                absl::StrCat("restore ", file, ": ",
                                             restored.status().message())));
  }
  if (restored->skipped > 0) {
    *ctx.err << "kvstore: restore: skipped " << restored->skipped
             << " entries past their time to live\n";
  }
  return kExitOk;
}

int RunResize(const CommandContext& ctx) {
  if (!ctx.HasFlag("capacity") && !ctx.HasFlag("memory")) {
    return UsageError(ctx, "give --capacity, --memory or both");
  }
  absl::StatusOr<AnyStore> store = OpenStore(ctx, /*create_if_missing=*/false);
  if (!store.ok()) return Failure(ctx, store.status());
  absl::StatusOr<StoreStats> stats =
      store->typed ? store->typed->Stats() : store->tagged->Stats();
  if (!stats.ok()) return Failure(ctx, stats.status());
  uint64_t capacity = stats->capacity, memory = stats->data_bytes;
  if (ctx.HasFlag("capacity")) {
    absl::StatusOr<uint64_t> v = ParseUnsignedFlag(
        "capacity", ctx.FlagOr("capacity", ""), uint64_t{1} << 31);
    if (!v.ok()) return UsageError(ctx, v.status().message());
    capacity = *v;
  }
  if (ctx.HasFlag("memory")) {
    absl::StatusOr<uint64_t> v =
        ParseSizeFlag("memory", ctx.FlagOr("memory", ""), uint64_t{1} << 40);
    if (!v.ok()) return UsageError(ctx, v.status().message());
    memory = *v;
  }
  absl::Duration pause;
  absl::Status resized =
      Store::Resize(ctx.store_name, capacity, memory, &pause);
  if (absl::IsInvalidArgument(resized)) {
    return UsageError(ctx, resized.message());
  }
  if (!resized.ok()) return Failure(ctx, resized);
  *ctx.err << "kvstore: resized store " << ctx.store_name << " to " << capacity
           << " entries and " << memory << " bytes of memory (writers waited "
           << absl::FormatDuration(pause) << ")\n";
  return kExitOk;
}

int RunUpgrade(const CommandContext& ctx) {
  absl::StatusOr<SnapshotStats> upgraded = UpgradeStore(ctx.store_name);
  if (!upgraded.ok()) return Failure(ctx, upgraded.status());
  *ctx.err << "kvstore: upgraded store " << ctx.store_name << " ("
           << upgraded->entries << " entries)\n";
  return kExitOk;
}

}  // namespace cli
}  // namespace kvstore
