// Deleting: del of several keys or of every key with a prefix, and clear.
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cli/command.h"
#include "cli/commands.h"
#include "cli/format.h"

namespace kvstore {
namespace cli {
namespace {

// Slots visited per lock acquisition while collecting keys.
constexpr size_t kDeleteBatchSlots = 1024;

// Deletes every key that starts with `prefix`, batch by batch; returns how
// many this process deleted (a key deleted meanwhile by another is not
// counted, one added meanwhile may survive).
absl::StatusOr<uint64_t> DeletePrefix(Store& store, const std::string& prefix) {
  uint64_t deleted = 0;
  uint64_t cursor = 0;
  do {
    absl::StatusOr<ScanBatch> batch =
        store.Scan(cursor, prefix, kDeleteBatchSlots);
    if (!batch.ok()) return batch.status();
    for (const auto& entry : batch->entries) {
      absl::Status erased = store.Erase(entry.first);
      if (erased.ok()) {
        ++deleted;
      } else if (!absl::IsNotFound(erased)) {
        return erased;
      }
    }
    cursor = batch->cursor;
  } while (cursor != 0);
  return deleted;
}

}  // namespace

int RunDel(const CommandContext& ctx) {
  // Through the tier, --prefix is the tier's key prefix (docs/tier.md).
  if (ctx.HasFlag("redis")) {
    if (ctx.args.size() != 1) {
      return UsageError(ctx, "with --redis, del takes one KEY");
    }
    return TierDel(ctx);
  }
  const bool by_prefix = ctx.HasFlag("prefix");
  if (by_prefix != ctx.args.empty()) {
    return UsageError(ctx, by_prefix ? "give KEYs or --prefix, not both"
                                     : "expected at least 1 argument, got 0");
  }
  const std::string prefix = ctx.FlagOr("prefix", "");
  if (by_prefix && prefix.empty() && !ctx.HasFlag("yes")) {
    return UsageError(ctx,
                      "--prefix='' deletes every key: add --yes to confirm "
                      "(or use 'kvstore clear')");
  }
  absl::StatusOr<AnyStore> store = OpenStore(ctx, /*create_if_missing=*/false);
  if (!store.ok()) return Failure(ctx, store.status());
  if (store->typed) {
    if (by_prefix) return NotForTypedStore(ctx, *store->typed, "--prefix");
    if (ctx.args.size() > 1) {
      return NotForTypedStore(ctx, *store->typed, "more than one KEY");
    }
    return TypedDel(ctx, *store->typed);
  }
  if (by_prefix) {
    absl::StatusOr<uint64_t> deleted = DeletePrefix(*store->tagged, prefix);
    if (!deleted.ok()) return Failure(ctx, deleted.status());
    *ctx.out << *deleted << "\n";
    return kExitOk;
  }
  int code = kExitOk;
  for (const std::string& key : ctx.args) {
    absl::Status status = store->tagged->Erase(key);
    if (status.ok()) continue;
    if (absl::IsNotFound(status)) {
      *ctx.err << "kvstore: key '" << EscapeMessage(key)
               << "' not found in store " << ctx.store_name << "\n";
      code = std::max(code, static_cast<int>(kExitNotFound));
    } else {
      code = std::max(code, Failure(ctx, status));
    }
  }
  return code;
}

int RunClear(const CommandContext& ctx) {
  absl::StatusOr<AnyStore> store = OpenStore(ctx, /*create_if_missing=*/false);
  if (!store.ok()) return Failure(ctx, store.status());
  if (store->typed) return NotForTypedStore(ctx, *store->typed, "clear");
  absl::StatusOr<uint64_t> deleted = DeletePrefix(*store->tagged, "");
  if (!deleted.ok()) return Failure(ctx, deleted.status());
  *ctx.out << *deleted << "\n";
  return kExitOk;
}

}  // namespace cli
}  // namespace kvstore
