// The commands that read and write one entry, and list: set, get, del,
// incr, list.
#include <algorithm>
#include <istream>
#include <map>
#include <string>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "cli/command.h"
#include "cli/commands.h"
#include "cli/format.h"

namespace kvstore {
namespace cli {

namespace {

// Slots `list` visits per lock acquisition.
constexpr size_t kListBatchSlots = 1024;

// The most `set KEY -` reads: one byte more than any store accepts, so an
// over-long input is refused by the store rather than read without end.
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

}  // namespace

int RunSet(const CommandContext& ctx) {
  absl::StatusOr<ValueType> type = ParseValueType(ctx.FlagOr("type", "string"));
  if (!type.ok()) return UsageError(ctx, type.status().message());
  absl::StatusOr<WriteOptions> options = WriteOptionsFromFlags(ctx);
  if (!options.ok()) return UsageError(ctx, options.status().message());
  const bool from_stdin = ctx.args[1] == "-";
  if (from_stdin && *type != ValueType::kString && *type != ValueType::kBytes) {
    return UsageError(ctx,
                      "VALUE '-' (read standard input) needs --type=string "
                      "or --type=bytes");
  }
  absl::StatusOr<Value> value =
      Value::Parse(*type, from_stdin ? ReadAll(*ctx.in) : ctx.args[1]);
  if (!value.ok()) return UsageError(ctx, value.status().message());
  absl::StatusOr<std::unique_ptr<Store>> store =
      OpenStore(ctx, /*create_if_missing=*/true);
  if (!store.ok()) return Failure(ctx, store.status());
  absl::Status status = (*store)->Set(ctx.args[0], *value, *options);
  if (!status.ok()) return Failure(ctx, status);
  return kExitOk;
}

int RunGet(const CommandContext& ctx) {
  absl::StatusOr<std::unique_ptr<Store>> store =
      OpenStore(ctx, /*create_if_missing=*/false);
  if (!store.ok()) return Failure(ctx, store.status());
  absl::StatusOr<Value> value = (*store)->Get(ctx.args[0]);
  if (!value.ok()) {
    return Failure(ctx, value.status(), /*not_found_is_key=*/true);
  }
  if (ctx.HasFlag("json")) {
    *ctx.out << FormatEntryJson(ctx.args[0], *value) << "\n";
  } else {
    *ctx.out << FormatGetOutput(*value, ctx.HasFlag("raw"));
  }
  return kExitOk;
}

int RunDel(const CommandContext& ctx) {
  absl::StatusOr<std::unique_ptr<Store>> store =
      OpenStore(ctx, /*create_if_missing=*/false);
  if (!store.ok()) return Failure(ctx, store.status());
  absl::Status status = (*store)->Erase(ctx.args[0]);
  if (!status.ok()) return Failure(ctx, status, /*not_found_is_key=*/true);
  return kExitOk;
}

int RunIncr(const CommandContext& ctx) {
  int64_t delta = 1;
  if (ctx.args.size() > 1) {
    absl::StatusOr<Value> parsed = Value::Parse(ValueType::kInt64, ctx.args[1]);
    if (!parsed.ok()) {
      return UsageError(ctx,
                        absl::StrCat("bad DELTA: ", parsed.status().message()));
    }
    delta = parsed->AsInt64();
  }
  absl::StatusOr<std::unique_ptr<Store>> store =
      OpenStore(ctx, /*create_if_missing=*/true);
  if (!store.ok()) return Failure(ctx, store.status());
  absl::StatusOr<int64_t> result = (*store)->Increment(ctx.args[0], delta);
  if (!result.ok()) return Failure(ctx, result.status());
  *ctx.out << *result << "\n";
  return kExitOk;
}

int RunList(const CommandContext& ctx) {
  absl::StatusOr<std::unique_ptr<Store>> store =
      OpenStore(ctx, /*create_if_missing=*/false);
  if (!store.ok()) return Failure(ctx, store.status());
  // Scan batch by batch (the lock is held for one batch at a time, never
  // for the whole store); a key the scan returns twice is listed once,
  // with its later value.
  std::map<std::string, Value> entries;
  const std::string prefix = ctx.FlagOr("prefix", "");
  uint64_t cursor = 0;
  do {
    absl::StatusOr<ScanBatch> batch =
        (*store)->Scan(cursor, prefix, kListBatchSlots);
    if (!batch.ok()) return Failure(ctx, batch.status());
    for (auto& [key, value] : batch->entries) {
      entries.insert_or_assign(std::move(key), std::move(value));
    }
    cursor = batch->cursor;
  } while (cursor != 0);
  std::string text;
  if (ctx.HasFlag("json")) {
    text = "[";
    for (const auto& [key, value] : entries) {
      if (text.size() > 1) text += ",";
      text += FormatEntryJson(key, value);
    }
    text += "]\n";
  } else {
    for (const auto& [key, value] : entries) {
      text += FormatListLine(key, value);
    }
  }
  *ctx.out << text;
  return kExitOk;
}

}  // namespace cli
}  // namespace kvstore
