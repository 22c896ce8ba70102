// The commands for time to live and batches: expire, persist, ttl, mget,
// mset, scan.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "cli/command.h"
#include "cli/commands.h"
#include "cli/flags.h"
#include "cli/format.h"
#include "kvstore/internal/json.h"

namespace kvstore {
namespace cli {

using ::kvstore::internal::JsonObject;

namespace {

// Slots `scan` visits per batch unless --count says otherwise (the
// library's default).
constexpr uint64_t kDefaultScanCount = 256;
constexpr uint64_t kMaxScanCount = uint64_t{1} << 20;

// Parses a scan cursor: a decimal uint64.
absl::StatusOr<uint64_t> ParseCursor(absl::string_view text) {
  uint64_t cursor;
  bool digits = !text.empty();
  for (char c : text) digits = digits && c >= '0' && c <= '9';
  if (!digits || !absl::SimpleAtoi(text, &cursor)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "bad CURSOR: '", text,
        "' is not a cursor (0, or a number an earlier scan printed)"));
  }
  return cursor;
}

}  // namespace

int RunExpire(const CommandContext& ctx) {
  absl::StatusOr<absl::Duration> ttl = ParseDuration(ctx.args[1]);
  if (!ttl.ok()) {
    return UsageError(ctx,
                      absl::StrCat("bad DURATION: ", ttl.status().message()));
  }
  absl::StatusOr<AnyStore> store = OpenStore(ctx, /*create_if_missing=*/false);
  if (!store.ok()) return Failure(ctx, store.status());
  if (store->typed) return TypedSetTtl(ctx, *store->typed, *ttl);
  absl::Status status = store->tagged->Expire(ctx.args[0], *ttl);
  if (!status.ok()) return Failure(ctx, status, /*not_found_is_key=*/true);
  return kExitOk;
}

int RunPersist(const CommandContext& ctx) {
  absl::StatusOr<AnyStore> store = OpenStore(ctx, /*create_if_missing=*/false);
  if (!store.ok()) return Failure(ctx, store.status());
  if (store->typed) {
    return TypedSetTtl(ctx, *store->typed, absl::InfiniteDuration());
  }
  absl::Status status = store->tagged->Persist(ctx.args[0]);
  if (!status.ok()) return Failure(ctx, status, /*not_found_is_key=*/true);
  return kExitOk;
}

int RunTtl(const CommandContext& ctx) {
  absl::StatusOr<AnyStore> store = OpenStore(ctx, /*create_if_missing=*/false);
  if (!store.ok()) return Failure(ctx, store.status());
  if (store->typed) return TypedTtl(ctx, *store->typed);
  absl::StatusOr<absl::Duration> ttl = store->tagged->Ttl(ctx.args[0]);
  if (!ttl.ok()) {
    return KeyFailure(ctx, ttl.status(), store->tagged->name(), ctx.args[0]);
  }
  if (ctx.HasFlag("json")) {
    JsonObject o;
    o.AddString("key", ctx.args[0]);
    std::optional<int64_t> ms = TtlMillis(*ttl);
    if (ms) {
      o.AddInt("ttl_ms", *ms);
    } else {
      o.AddNull("ttl_ms");
    }
    *ctx.out << o.Build() << "\n";
  } else {
    *ctx.out << FormatTtlText(*ttl) << "\n";
  }
  return kExitOk;
}

int RunMGet(const CommandContext& ctx) {
  absl::StatusOr<AnyStore> store = OpenStore(ctx, /*create_if_missing=*/false);
  if (!store.ok()) return Failure(ctx, store.status());
  if (store->typed) return NotForTypedStore(ctx, *store->typed, "this command");
  const std::vector<absl::StatusOr<Value>> values =
      store->tagged->MultiGet(ctx.args);
  // Anything but an absent key (an empty or over-long one, damage) fails
  // the whole command before anything is printed.
  for (const absl::StatusOr<Value>& value : values) {
    if (!value.ok() && !absl::IsNotFound(value.status())) {
      return Failure(ctx, value.status());
    }
  }
  const bool json = ctx.HasFlag("json");
  std::string text = json ? "[" : "";
  bool missing = false;
  for (size_t i = 0; i < values.size(); ++i) {
    const Value* value = values[i].ok() ? &*values[i] : nullptr;
    if (value == nullptr) {
      missing = true;
      if (!json) {
        *ctx.err << "kvstore: key '" << EscapeMessage(ctx.args[i])
                 << "' not found in store " << store->tagged->name() << "\n";
      }
    }
    if (json) {
      if (i > 0) text += ",";
      text += FormatFoundJson(ctx.args[i], value);
    } else {
      if (value != nullptr) text += EscapeField(value->ToText());
      text += "\n";
    }
  }
  if (json) text += "]\n";
  *ctx.out << text;
  return missing ? kExitNotFound : kExitOk;
}

int RunMSet(const CommandContext& ctx) {
  if (ctx.args.size() % 2 != 0) {
    return UsageError(
        ctx, absl::StrCat("expected KEY VALUE pairs, got ", ctx.args.size(),
                          " arguments (an odd number)"));
  }
  absl::StatusOr<ValueType> type = ParseValueType(ctx.FlagOr("type", "string"));
  if (!type.ok()) return UsageError(ctx, type.status().message());
  absl::StatusOr<WriteOptions> options = WriteOptionsFromFlags(ctx);
  if (!options.ok()) return UsageError(ctx, options.status().message());
  std::vector<std::pair<std::string, Value>> pairs;
  for (size_t i = 0; i < ctx.args.size(); i += 2) {
    absl::StatusOr<Value> value = Value::Parse(*type, ctx.args[i + 1]);
    if (!value.ok()) {
      return UsageError(ctx, absl::StrCat("value of key '", ctx.args[i],
                                          "': ", value.status().message()));
    }
    pairs.emplace_back(ctx.args[i], *std::move(value));
  }
  absl::StatusOr<AnyStore> store = OpenStore(ctx, /*create_if_missing=*/true);
  if (!store.ok()) return Failure(ctx, store.status());
  if (store->typed) return NotForTypedStore(ctx, *store->typed, "this command");
  absl::Status status = store->tagged->MultiSet(pairs, *options);
  if (!status.ok()) return Failure(ctx, status);
  return kExitOk;
}

int RunScan(const CommandContext& ctx) {
  uint64_t cursor = 0;
  if (!ctx.args.empty()) {
    absl::StatusOr<uint64_t> parsed = ParseCursor(ctx.args[0]);
    if (!parsed.ok()) return UsageError(ctx, parsed.status().message());
    cursor = *parsed;
  }
  uint64_t count = kDefaultScanCount;
  if (ctx.HasFlag("count")) {
    const std::string text = ctx.FlagOr("count", "");
    absl::StatusOr<uint64_t> parsed =
        ParseUnsignedFlag("count", text, 1, kMaxScanCount);
    if (!parsed.ok()) return UsageError(ctx, parsed.status().message());
    count = *parsed;
  }
  absl::StatusOr<AnyStore> store = OpenStore(ctx, /*create_if_missing=*/false);
  if (!store.ok()) return Failure(ctx, store.status());
  if (store->typed) return TypedScan(ctx, *store->typed, cursor, count);
  absl::StatusOr<ScanBatch> batch =
      store->tagged->Scan(cursor, ctx.FlagOr("prefix", ""), count);
  if (!batch.ok()) return Failure(ctx, batch.status());
  std::string text;
  if (ctx.HasFlag("json")) {
    std::string entries = "[";
    for (const auto& [key, value] : batch->entries) {
      if (entries.size() > 1) entries += ",";
      entries += FormatEntryJson(key, value);
    }
    entries += "]";
    JsonObject o;
    o.AddUint("cursor", batch->cursor).AddRaw("entries", entries);
    text = o.Build() + "\n";
  } else {
    text = absl::StrCat(batch->cursor, "\n");
    for (const auto& [key, value] : batch->entries) {
      text += FormatListLine(key, value);
    }
  }
  *ctx.out << text;
  return kExitOk;
}

}  // namespace cli
}  // namespace kvstore
