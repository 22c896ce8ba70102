// The commands that save, restore and upgrade a whole store: dump, restore,
// upgrade.
#include <unistd.h>

#include <iostream>

#include "absl/strings/str_cat.h"
#include "cli/command.h"
#include "cli/commands.h"
#include "kvstore/snapshot.h"

namespace kvstore {
namespace cli {
namespace {

// A progress line on stderr, only when stderr is a terminal.
SnapshotProgress ProgressLine(const CommandContext& ctx,
                              absl::string_view verb) {
  if (ctx.err != &std::cerr || !isatty(STDERR_FILENO)) return nullptr;
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
    return Failure(ctx, absl::Status(restored.status().code(),
                                     absl::StrCat("restore ", file, ": ",
                                                  restored.status().message())));
  }
  if (restored->skipped > 0) {
    *ctx.err << "kvstore: restore: skipped " << restored->skipped
             << " entries past their time to live\n";
  }
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
