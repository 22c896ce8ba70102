// The commands on typed stores (docs/cli.md, "Typed stores"): records shown
// as JSON through the store's schema, and built from JSON or field=value
// arguments checked against it. Also `schema`, for stores of either kind.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "cli/command.h"
#include "cli/commands.h"
#include "cli/progress.h"
#include "cli/format.h"
#include "cli/typed_format.h"
#include "kvstore/internal/integer_field.h"
#include "kvstore/internal/json.h"
#include "kvstore/record_codec.h"
#include "kvstore/schema.h"
#include "kvstore/typed_store.h"
#include "kvstore/value.h"

namespace kvstore {
namespace cli {

using ::kvstore::internal::JsonObject;

namespace {

// Slots `list` visits per lock acquisition (as for tagged stores).
constexpr size_t kListBatchSlots = 1024;

// The key record for KEY (ctx.args[0]), or the usage error's exit code.
struct KeyOrExit {
  std::string bytes;
  std::optional<int> exit;
};

// ParseRecord's message without the "field '(value)' (TYPE): " it starts
// with for a single-value record (the record's type is named already).
absl::string_view RecordError(const RecordSchema& schema,
                              const absl::Status& status) {
  absl::string_view message = status.message();
  if (schema.scalar() && absl::StartsWith(message, "field '(value)' (")) {
    const size_t end = message.find("): ");
    if (end != absl::string_view::npos) message.remove_prefix(end + 3);
  }
  return message;
}

KeyOrExit ParseKey(const CommandContext& ctx, const TypedStore& store) {
  const RecordSchema& schema = store.schema().key;
  absl::StatusOr<std::string> key = ParseRecord(schema, ctx.args[0]);
  if (key.ok()) return {*std::move(key), std::nullopt};
  return {"", UsageError(
                  ctx, absl::StrCat("bad KEY for typed store ", store.name(),
                                    " (keys ", schema.name,
                                    "): ", RecordError(schema, key.status())))};
}

// Failure() for a status about `key`, with the library's raw key bytes in
// the message replaced by the key as text.
int TypedKeyFailure(const CommandContext& ctx, const TypedStore& store,
                    const absl::Status& status, absl::string_view key) {
  const std::string text = RecordToText(store.schema().key, key);
  if (absl::IsNotFound(status)) {
    return KeyFailure(ctx, status, store.name(), text);
  }
  return Failure(
      ctx, absl::Status(status.code(),
                        absl::StrReplaceAll(status.message(),
                                            {{absl::StrCat("'", key, "'"),
                                              absl::StrCat("'", text, "'")}})));
}

// Sorting `list`: integer and enum keys by number, others by their text.
struct SortKey {
  __int128 number = 0;
  std::string text;
  bool operator<(const SortKey& o) const {
    return number != o.number ? number < o.number : text < o.text;
  }
};

__int128 IntegerAt(FieldType type, const char* p) {
  return internal::WithIntegerType(type, [p](auto v) {
    std::memcpy(&v, p, sizeof(v));
    return static_cast<__int128>(v);
  });
}

SortKey SortKeyOf(const RecordSchema& schema, absl::string_view key) {
  SortKey s;
  const Field& f = schema.fields[0];
  if (schema.scalar() &&
      (IsIntegerFieldType(f.type) || f.type == FieldType::kEnum)) {
    s.number = IntegerAt(f.type == FieldType::kEnum ? f.underlying : f.type,
                         key.data());
  } else {
    s.text = RecordToText(schema, key);
  }
  return s;
}

std::string EntriesText(
    const CommandContext& ctx, const Schema& schema,
    const std::vector<std::pair<std::string, std::string>>& entries) {
  std::string text;
  for (const auto& [key, value] : entries) {
    if (ctx.HasFlag("json")) {
      text += text.empty() ? "" : ",";
      text += RecordEntryJson(schema, key, value);
    } else {
      text += RecordListLine(schema, key, value);
    }
  }
  return text;
}

}  // namespace

int TypedSet(const CommandContext& ctx, TypedStore& store,
             const WriteOptions& options) {
  if (ctx.HasFlag("type")) return NotForTypedStore(ctx, store, "--type");
  if (ctx.HasFlag("nx")) return NotForTypedStore(ctx, store, "--nx");
  if (ctx.HasFlag("xx")) return NotForTypedStore(ctx, store, "--xx");
  KeyOrExit key = ParseKey(ctx, store);
  if (key.exit) return *key.exit;
  const std::vector<std::string> fields(ctx.args.begin() + 1, ctx.args.end());
  absl::StatusOr<std::string> value =
      fields.size() == 1 ? ParseRecord(store.schema().value, fields[0])
                         : ParseRecordFields(store.schema().value, fields);
  if (!value.ok()) {
    return UsageError(
        ctx, absl::StrCat("bad VALUE for typed store ", store.name(),
                          " (values ", store.schema().value.name, "): ",
                          RecordError(store.schema().value, value.status())));
  }
  absl::Status status = store.Set(key.bytes, *value, options);
  if (!status.ok()) return TypedKeyFailure(ctx, store, status, key.bytes);
  return kExitOk;
}

int TypedGet(const CommandContext& ctx, const TypedStore& store) {
  KeyOrExit key = ParseKey(ctx, store);
  if (key.exit) return *key.exit;
  absl::StatusOr<std::string> value = store.Get(key.bytes);
  if (!value.ok())
    return TypedKeyFailure(ctx, store, value.status(), key.bytes);
  if (ctx.HasFlag("json")) {
    *ctx.out << RecordEntryJson(store.schema(), key.bytes, *value) << "\n";
  } else {
    *ctx.out << RecordValueText(store.schema().value, *value)
             << (ctx.HasFlag("raw") ? "" : "\n");
  }
  return kExitOk;
}

int TypedDel(const CommandContext& ctx, TypedStore& store) {
  KeyOrExit key = ParseKey(ctx, store);
  if (key.exit) return *key.exit;
  absl::Status status = store.Erase(key.bytes);
  if (!status.ok()) return TypedKeyFailure(ctx, store, status, key.bytes);
  return kExitOk;
}

int TypedIncr(const CommandContext& ctx, TypedStore& store) {
  const RecordSchema& value = store.schema().value;
  if (value.scalar()) {
    return NotForTypedStore(
        ctx, store,
        absl::StrCat("incr (its values are single ", value.name,
                     "s, with no field to add to; use set)"));
  }
  if (ctx.args.size() < 2) {
    return UsageError(ctx, absl::StrCat("typed store ", store.name(),
                                        " needs KEY FIELD [DELTA], got ",
                                        ctx.args.size(), " argument"));
  }
  const std::string& path = ctx.args[1];
  uint32_t offset = 0;
  const Field* field = value.Find(path, &offset);
  if (field == nullptr || !IsIntegerFieldType(field->type)) {
    return UsageError(
        ctx, absl::StrCat(value.name,
                          field == nullptr ? " has no field '"
                                           : " field is not an integer: '",
                          path, "' (see 'kvstore schema')"));
  }
  int64_t delta = 1;
  if (ctx.args.size() > 2) {
    absl::StatusOr<Value> parsed = Value::Parse(ValueType::kInt64, ctx.args[2]);
    if (!parsed.ok()) {
      return UsageError(ctx,
                        absl::StrCat("bad DELTA: ", parsed.status().message()));
    }
    delta = parsed->AsInt64();
  }
  KeyOrExit key = ParseKey(ctx, store);
  if (key.exit) return *key.exit;
  absl::StatusOr<std::string> after = store.AddToField(key.bytes, path, delta);
  if (!after.ok())
    return TypedKeyFailure(ctx, store, after.status(), key.bytes);
  *ctx.out << FieldValueText(*field, offset, *after) << "\n";
  return kExitOk;
}

int TypedSetTtl(const CommandContext& ctx, TypedStore& store,
                absl::Duration ttl) {
  KeyOrExit key = ParseKey(ctx, store);
  if (key.exit) return *key.exit;
  const absl::Status s = ttl == absl::InfiniteDuration()
                             ? store.Persist(key.bytes)
                             : store.Expire(key.bytes, ttl);
  if (!s.ok()) return TypedKeyFailure(ctx, store, s, key.bytes);
  return kExitOk;
}

int TypedTtl(const CommandContext& ctx, const TypedStore& store) {
  KeyOrExit key = ParseKey(ctx, store);
  if (key.exit) return *key.exit;
  absl::StatusOr<RecordEntry> entry = store.GetEntry(key.bytes);
  if (!entry.ok())
    return TypedKeyFailure(ctx, store, entry.status(), key.bytes);
  if (ctx.HasFlag("json")) {
    JsonObject o;
    o.AddRaw("key", RecordToJson(store.schema().key, key.bytes));
    std::optional<int64_t> ms = TtlMillis(entry->ttl);
    if (ms) {
      o.AddInt("ttl_ms", *ms);
    } else {
      o.AddNull("ttl_ms");
    }
    *ctx.out << o.Build() << "\n";
  } else {
    *ctx.out << FormatTtlText(entry->ttl) << "\n";
  }
  return kExitOk;
}

int TypedList(const CommandContext& ctx, const TypedStore& store) {
  if (ctx.HasFlag("prefix")) return NotForTypedStore(ctx, store, "--prefix");
  std::map<std::string, std::string> latest;  // By raw key: each key once.
  uint64_t cursor = 0;
  {
    ListProgress progress(ctx, store.Stats(), kListBatchSlots);
    do {
      absl::StatusOr<RecordBatch> batch = store.Scan(cursor, kListBatchSlots);
      if (!batch.ok()) return Failure(ctx, batch.status());
      for (auto& [key, value] : batch->entries) {
        latest.insert_or_assign(std::move(key), std::move(value));
      }
      cursor = batch->cursor;
      progress.BatchDone(cursor == 0);
    } while (cursor != 0);
  }
  std::vector<std::pair<SortKey, std::pair<std::string, std::string>>> sorted;
  for (auto& entry : latest) {
    sorted.emplace_back(SortKeyOf(store.schema().key, entry.first),
                        std::move(entry));
  }
  std::sort(sorted.begin(), sorted.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::pair<std::string, std::string>> entries;
  for (auto& s : sorted) entries.push_back(std::move(s.second));
  const std::string text = EntriesText(ctx, store.schema(), entries);
  *ctx.out << (ctx.HasFlag("json") ? absl::StrCat("[", text, "]\n") : text);
  return kExitOk;
}

int TypedScan(const CommandContext& ctx, const TypedStore& store,
              uint64_t cursor, uint64_t count) {
  if (ctx.HasFlag("prefix")) return NotForTypedStore(ctx, store, "--prefix");
  absl::StatusOr<RecordBatch> batch = store.Scan(cursor, count);
  if (!batch.ok()) return Failure(ctx, batch.status());
  const std::string text = EntriesText(ctx, store.schema(), batch->entries);
  if (ctx.HasFlag("json")) {
    JsonObject o;
    o.AddUint("cursor", batch->cursor).AddRaw("entries", "[" + text + "]");
    *ctx.out << o.Build() << "\n";
  } else {
    *ctx.out << batch->cursor << "\n" << text;
  }
  return kExitOk;
}

int RunSchema(const CommandContext& ctx) {
  absl::StatusOr<AnyStore> store = OpenStore(ctx, /*create_if_missing=*/false);
  if (!store.ok()) return Failure(ctx, store.status());
  const bool json = ctx.HasFlag("json");
  if (store->tagged) {
    if (json) {
      JsonObject o;
      o.AddString("store", ctx.store_name).AddString("kind", "tagged");
      *ctx.out << o.Build() << "\n";
    } else {
      *ctx.out << "store " << ctx.store_name
               << " is a tagged store: values carry their own type; it has "
                  "no schema\n";
    }
    return kExitOk;
  }
  const Schema& schema = store->typed->schema();
  *ctx.out << (json ? SchemaJson(ctx.store_name, schema) + "\n"
                    : schema.ToText());
  return kExitOk;
}

}  // namespace cli
}  // namespace kvstore
