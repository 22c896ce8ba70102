// The commands that read and write one entry, and list: set, get, del,
// incr, list (each handing a typed store to typed_commands.cc).
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
#include "cli/progress.h"

namespace kvstore {
namespace cli {

namespace {

// Slots `list` visits per lock acquisition.
constexpr size_t kListBatchSlots = 1024;

// The most `set KEY -` reads: one byte more than any store accepts, so an
// over-long input is refused by the store rather than read without end.
constexpr size_t kMaxStdinBytes = (size_t{1} << 30) + 1;

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
  if (ctx.HasFlag("redis")) return TierSet(ctx);
  if (ctx.args.size() < 2) {
    return UsageError(
        ctx, absl::StrCat("expected 2 arguments, got ", ctx.args.size()));
  }
  absl::StatusOr<WriteOptions> options = WriteOptionsFromFlags(ctx);
  if (!options.ok()) return UsageError(ctx, options.status().message());
  if (ctx.HasFlag("nx") && ctx.HasFlag("xx")) {
    return UsageError(ctx, "--nx and --xx exclude each other");
  }
  // A typed store takes its own VALUE syntax; anything else (a tagged
  // store, a missing one, one that cannot be opened) has its command line
  // checked before the store is created or its error reported.
  absl::StatusOr<AnyStore> store = OpenStore(ctx, /*create_if_missing=*/false);
  if (store.ok() && store->typed) return TypedSet(ctx, *store->typed, *options);
  if (ctx.args.size() != 2) {
    return UsageError(
        ctx, absl::StrCat("expected 2 arguments, got ", ctx.args.size()));
  }
  absl::StatusOr<ValueType> type = ParseValueType(ctx.FlagOr("type", "string"));
  if (!type.ok()) return UsageError(ctx, type.status().message());
  const bool from_stdin = ctx.args[1] == "-";
  if (from_stdin && *type != ValueType::kString && *type != ValueType::kBytes) {
    return UsageError(ctx,
                      "VALUE '-' (read standard input) needs --type=string "
                      "or --type=bytes");
  }
  absl::StatusOr<Value> value =
      Value::Parse(*type, from_stdin ? ReadAll(*ctx.in) : ctx.args[1]);
  if (!value.ok()) return UsageError(ctx, value.status().message());
  if (absl::IsNotFound(store.status())) {
    store = OpenStore(ctx, /*create_if_missing=*/true);
  }
  if (!store.ok()) return Failure(ctx, store.status());
  if (store->typed) return TypedSet(ctx, *store->typed, *options);
  if (ctx.HasFlag("nx") || ctx.HasFlag("xx")) {
    return ConditionalSet(ctx, *store->tagged, *value, *options);
  }
  absl::Status status = store->tagged->Set(ctx.args[0], *value, *options);
  if (!status.ok()) return Failure(ctx, status);
  return kExitOk;
}

int RunGet(const CommandContext& ctx) {
  if (ctx.HasFlag("redis")) {
    if (ctx.HasFlag("with-version")) {
      return UsageError(ctx, "--with-version does not apply with --redis");
    }
    return TierGet(ctx);
  }
  absl::StatusOr<AnyStore> store = OpenStore(ctx, /*create_if_missing=*/false);
  if (!store.ok()) return Failure(ctx, store.status());
  if (store->typed) {
    if (ctx.HasFlag("with-version")) {
      return NotForTypedStore(ctx, *store->typed, "--with-version");
    }
    return TypedGet(ctx, *store->typed);
  }
  if (ctx.HasFlag("with-version")) {
    // The value and its version from one read.
    absl::StatusOr<Entry> entry = store->tagged->GetEntry(ctx.args[0]);
    if (!entry.ok()) {
      return KeyFailure(ctx, entry.status(), store->tagged->name(),
                        ctx.args[0]);
    }
    if (ctx.HasFlag("json")) {
      *ctx.out << FormatEntryJson(ctx.args[0], entry->value, entry->version)
               << "\n";
    } else {
      *ctx.out << entry->version << "\n"
               << FormatGetOutput(entry->value, ctx.HasFlag("raw"));
    }
    return kExitOk;
  }
  absl::StatusOr<Value> value = store->tagged->Get(ctx.args[0]);
  if (!value.ok()) {
    return KeyFailure(ctx, value.status(), store->tagged->name(), ctx.args[0]);
  }
  if (ctx.HasFlag("json")) {
    *ctx.out << FormatEntryJson(ctx.args[0], *value) << "\n";
  } else {
    *ctx.out << FormatGetOutput(*value, ctx.HasFlag("raw"));
  }
  return kExitOk;
}

int RunIncr(const CommandContext& ctx) {
  if (ctx.HasFlag("redis")) return TierIncr(ctx);
  // As for set: a typed store takes KEY FIELD [DELTA].
  absl::StatusOr<AnyStore> store = OpenStore(ctx, /*create_if_missing=*/false);
  if (store.ok() && store->typed) return TypedIncr(ctx, *store->typed);
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
  if (absl::IsNotFound(store.status())) {
    store = OpenStore(ctx, /*create_if_missing=*/true);
  }
  if (!store.ok()) return Failure(ctx, store.status());
  if (store->typed) return TypedIncr(ctx, *store->typed);
  absl::StatusOr<int64_t> result = store->tagged->Increment(ctx.args[0], delta);
  if (!result.ok()) return Failure(ctx, result.status());
  *ctx.out << *result << "\n";
  return kExitOk;
}

int RunList(const CommandContext& ctx) {
  absl::StatusOr<AnyStore> store = OpenStore(ctx, /*create_if_missing=*/false);
  if (!store.ok()) return Failure(ctx, store.status());
  if (store->typed) return TypedList(ctx, *store->typed);
  // Scan batch by batch (the lock is held for one batch at a time, never
  // for the whole store); a key the scan returns twice is listed once,
  // with its later value.
  std::map<std::string, Value> entries;
  const std::string prefix = ctx.FlagOr("prefix", "");
  uint64_t cursor = 0;
  {
    ListProgress progress(ctx, store->tagged->Stats(), kListBatchSlots);
    do {
      absl::StatusOr<ScanBatch> batch =
          store->tagged->Scan(cursor, prefix, kListBatchSlots);
      if (!batch.ok()) return Failure(ctx, batch.status());
      for (auto& [key, value] : batch->entries) {
        entries.insert_or_assign(std::move(key), std::move(value));
      }
      cursor = batch->cursor;
      progress.BatchDone(cursor == 0);
    } while (cursor != 0);
  }
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
