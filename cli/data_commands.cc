// The commands that read and write entries: set, get, del, incr, list.
#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "cli/command.h"
#include "cli/commands.h"
#include "cli/format.h"

namespace kvstore {
namespace cli {

int RunSet(const CommandContext& ctx) {
  absl::StatusOr<ValueType> type = ParseValueType(ctx.FlagOr("type", "string"));
  if (!type.ok()) return UsageError(ctx, type.status().message());
  absl::StatusOr<Value> value = Value::Parse(*type, ctx.args[1]);
  if (!value.ok()) return UsageError(ctx, value.status().message());
  absl::StatusOr<std::unique_ptr<Store>> store =
      OpenStore(ctx, /*create_if_missing=*/true);
  if (!store.ok()) return Failure(ctx, store.status());
  absl::Status status = (*store)->Set(ctx.args[0], *value);
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
  std::vector<std::pair<std::string, Value>> entries;
  absl::Status status = (*store)->ForEach(
      [&](absl::string_view key, const Value& value) {
        entries.emplace_back(std::string(key), value);
        return absl::OkStatus();
      },
      ctx.FlagOr("prefix", ""));
  if (!status.ok()) return Failure(ctx, status);
  std::sort(entries.begin(), entries.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string text;
  if (ctx.HasFlag("json")) {
    text = "[";
    for (size_t i = 0; i < entries.size(); ++i) {
      if (i > 0) text += ",";
      text += FormatEntryJson(entries[i].first, entries[i].second);
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
