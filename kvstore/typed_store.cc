#include "kvstore/typed_store.h"

#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "kvstore/internal/integer_field.h"
#include "kvstore/internal/layout.h"
#include "kvstore/internal/segment.h"
#include "kvstore/internal/table.h"
#include "kvstore/internal/table_handle.h"

namespace kvstore {
namespace {

using internal::Table;
using internal::WriteSpec;

constexpr uint32_t kMaxKeyRecordBytes = internal::kMaxKeyLen;
constexpr uint32_t kMaxValueRecordBytes = internal::kMaxValueLen;

absl::StatusOr<bool> Conditional(Table& table, absl::string_view key,
                                 const Value& value, WriteSpec spec,
                                 absl::Duration ttl) {
  absl::StatusOr<int64_t> expires = internal::ExpiryFor(ttl);
  if (!expires.ok()) return expires.status();
  spec.expires_ms = *expires;
  bool written = false;
  absl::Status status = table.Write(key, value, spec, &written);
  if (!status.ok()) return status;
  return written;
}

template <typename T>
absl::Status AddTo(char* p, int64_t delta, absl::string_view path) {
  T current;
  std::memcpy(&current, p, sizeof(T));
  T result;
  if (__builtin_add_overflow(current, delta, &result)) {
    return absl::OutOfRangeError(
        absl::StrCat("adding ", delta, " to field '", path, "' (", current,
                     ") would leave its type's range"));
  }
  std::memcpy(p, &result, sizeof(T));
  return absl::OkStatus();
}

absl::Status AddToField(FieldType type, char* p, int64_t delta,
                        absl::string_view path) {
  return internal::WithIntegerType(type, [&](auto zero) {
    return AddTo<decltype(zero)>(p, delta, path);
  });
}

// Reopening after a resize: the typed layer checked the schema, which a
// resize keeps.
internal::StoreKind AnyKind() {
  internal::StoreKind any;
  any.kind = internal::kKindAny;
  return any;
}

absl::Status CheckLimits(const Table& table, const Schema& schema) {
  if (table.max_key_bytes() != schema.key.size ||
      table.max_value_bytes() != schema.value.size) {
    return absl::DataLossError(absl::StrFormat(
        "typed store %s has key and value limits %d and %d, but its schema "
        "says %d and %d",
        table.name(), table.max_key_bytes(), table.max_value_bytes(),
        schema.key.size, schema.value.size));
  }
  return absl::OkStatus();
}

}  // namespace

TypedStore::TypedStore(std::unique_ptr<Table> table, const Options& options,
                       Schema schema)
    : handle_(std::make_unique<internal::TableHandle>(std::move(table), options,
                                                      AnyKind())),
      schema_(std::move(schema)) {}

TypedStore::~TypedStore() = default;

absl::StatusOr<std::unique_ptr<TypedStore>> TypedStore::Open(
    absl::string_view name, const Options& options, const Schema& schema) {
  const std::string encoded = schema.Encode();
  if (encoded.size() > internal::kMaxSchemaBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the schema of store ", name, " encodes to ", encoded.size(),
        " bytes; a store records at most ", internal::kMaxSchemaBytes));
  }
  absl::StatusOr<Schema> valid = Schema::Decode(encoded);
  if (!valid.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot create store ", name,
                     " with an invalid schema: ", valid.status().message()));
  }
  if (schema.key.size > kMaxKeyRecordBytes ||
      schema.value.size > kMaxValueRecordBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "records of ", schema.key.size, " and ", schema.value.size,
        " bytes are too large for store ", name, " (keys at most ",
        kMaxKeyRecordBytes, ", values at most ", kMaxValueRecordBytes, ")"));
  }
  Options sized = options;
  sized.max_key_bytes = schema.key.size;
  sized.max_value_bytes = schema.value.size;
  internal::StoreKind kind;
  kind.kind = internal::kKindTyped;
  kind.schema = encoded;
  absl::StatusOr<std::unique_ptr<Table>> table = Table::Open(name, sized, kind);
  if (!table.ok()) return table.status();
  if ((*table)->schema() != encoded) {
    absl::StatusOr<Schema> stored = Schema::Decode((*table)->schema());
    if (!stored.ok()) {
      return absl::DataLossError(
          absl::StrCat("store ", name, ": ", stored.status().message()));
    }
    return absl::FailedPreconditionError(absl::StrCat(
        "store ", name,
        " holds records of another schema; refusing to reinterpret them "
        "(lines marked ! differ):\n",
        SideBySide(*stored, "in the store", schema, "this program")));
  }
  absl::Status limits = CheckLimits(**table, schema);
  if (!limits.ok()) return limits;
  return std::unique_ptr<TypedStore>(
      new TypedStore(*std::move(table), options, schema));
}

absl::StatusOr<std::unique_ptr<TypedStore>> TypedStore::OpenAny(
    absl::string_view name, const Options& options) {
  Options existing = options;
  existing.create_if_missing = false;
  internal::StoreKind any;
  any.kind = internal::kKindAny;
  absl::StatusOr<std::unique_ptr<Table>> table =
      Table::Open(name, existing, any);
  if (!table.ok()) return table.status();
  if ((*table)->kind() != internal::kKindTyped) {
    return absl::FailedPreconditionError(absl::StrCat(
        "store ", name,
        " is a tagged store (values carry their type), not a typed one; "
        "open it as a kvstore::Store"));
  }
  absl::StatusOr<Schema> schema = Schema::Decode((*table)->schema());
  if (!schema.ok()) {
    return absl::DataLossError(
        absl::StrCat("store ", name, ": ", schema.status().message()));
  }
  absl::Status limits = CheckLimits(**table, *schema);
  if (!limits.ok()) return limits;
  return std::unique_ptr<TypedStore>(
      new TypedStore(*std::move(table), existing, *std::move(schema)));
}

const std::string& TypedStore::name() const {
  return handle_->current().name();
}

absl::Status TypedStore::CheckKey(absl::string_view key) const {
  if (key.size() == schema_.key.size) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrFormat(
      "key of %d bytes for typed store %s, whose keys (%s) are %d bytes",
      key.size(), name(), schema_.key.name, schema_.key.size));
}

absl::Status TypedStore::CheckValue(absl::string_view value) const {
  if (value.size() == schema_.value.size) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrFormat(
      "value of %d bytes for typed store %s, whose values (%s) are %d bytes",
      value.size(), name(), schema_.value.name, schema_.value.size));
}

absl::Status TypedStore::CheckSizes(absl::string_view key,
                                    absl::string_view value) const {
  if (key.size() == schema_.key.size && value.size() == schema_.value.size) {
    return absl::OkStatus();
  }
  return absl::DataLossError(absl::StrCat("typed store ", name(),
                                          " holds an entry of the wrong size"));
}

absl::Status TypedStore::Get(absl::string_view key, void* out) const {
  absl::Status status = CheckKey(key);
  if (!status.ok()) return status;
  thread_local Value buffer;  // Reused: no allocation once large enough.
  status = handle_->Call([&](Table& t) { return t.Get(key, &buffer); });
  if (!status.ok()) return status;
  if (buffer.type() != ValueType::kRecord ||
      buffer.encoded().size() != schema_.value.size) {
    return absl::DataLossError(absl::StrCat("key in typed store ", name(),
                                            " holds a record of the wrong "
                                            "type or size"));
  }
  std::memcpy(out, buffer.encoded().data(), schema_.value.size);
  return absl::OkStatus();
}

absl::StatusOr<std::string> TypedStore::Get(absl::string_view key) const {
  std::string out(schema_.value.size, '\0');
  absl::Status status = Get(key, &out[0]);
  if (!status.ok()) return status;
  return out;
}

absl::StatusOr<RecordEntry> TypedStore::GetEntry(absl::string_view key) const {
  absl::Status status = CheckKey(key);
  if (!status.ok()) return status;
  absl::StatusOr<Entry> entry =
      handle_->Call([&](Table& t) { return t.GetEntry(key); });
  if (!entry.ok()) return entry.status();
  status = CheckValue(entry->value.encoded());
  if (!status.ok()) return absl::DataLossError(status.message());
  return RecordEntry{entry->value.encoded(), entry->version, entry->ttl};
}

std::vector<absl::StatusOr<std::string>> TypedStore::MultiGet(
    const std::vector<std::string>& keys,
    const MultiGetOptions& options) const {
  std::vector<absl::StatusOr<std::string>> out(
      keys.size(), absl::StatusOr<std::string>(std::string()));
  // Keys of the wrong size are answered here; the rest are read together.
  std::vector<std::string> valid;
  std::vector<size_t> where;
  valid.reserve(keys.size());
  where.reserve(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    absl::Status status = CheckKey(keys[i]);
    if (!status.ok()) {
      out[i] = status;
      continue;
    }
    valid.push_back(keys[i]);
    where.push_back(i);
  }
  if (valid.empty()) return out;
  std::vector<absl::StatusOr<Value>> values =
      handle_->Call([&](Table& t) -> std::vector<absl::StatusOr<Value>> {
        return options.snapshot ? t.MultiGet(valid) : t.BatchGet(valid);
      });
  for (size_t j = 0; j < values.size() && j < where.size(); ++j) {
    absl::StatusOr<std::string>& result = out[where[j]];
    if (!values[j].ok()) {
      result = values[j].status();
    } else if (values[j]->type() != ValueType::kRecord ||
               values[j]->encoded().size() != schema_.value.size) {
      result = absl::DataLossError(absl::StrCat(
          "key in typed store ", name(),
          " holds a record of the wrong type or size"));
    } else {
      result = values[j]->encoded();
    }
  }
  return out;
}

absl::Status TypedStore::Expire(absl::string_view key, absl::Duration ttl) {
  absl::Status status = CheckKey(key);
  if (!status.ok()) return status;
  if (ttl == absl::InfiniteDuration()) {
    return absl::InvalidArgumentError(
        "an infinite time to live is Persist(), not Expire()");
  }
  absl::StatusOr<int64_t> expires = internal::ExpiryFor(ttl);
  if (!expires.ok()) return expires.status();
  return handle_->Call([&](Table& t) { return t.SetExpiry(key, *expires); });
}

absl::Status TypedStore::Persist(absl::string_view key) {
  absl::Status status = CheckKey(key);
  if (!status.ok()) return status;
  return handle_->Call([&](Table& t) { return t.SetExpiry(key, 0); });
}

absl::StatusOr<absl::Duration> TypedStore::Ttl(absl::string_view key) const {
  absl::StatusOr<RecordEntry> entry = GetEntry(key);
  if (!entry.ok()) return entry.status();
  return entry->ttl;
}

absl::Status TypedStore::Set(absl::string_view key, absl::string_view value,
                             const WriteOptions& options) {
  absl::Status status = CheckKey(key);
  if (status.ok()) status = CheckValue(value);
  if (!status.ok()) return status;
  return handle_->Call([&](Table& t) {
    return Conditional(t, key, Value::Record(value), WriteSpec(), options.ttl)
        .status();
  });
}

absl::StatusOr<bool> TypedStore::SetIfAbsent(absl::string_view key,
                                             absl::string_view value,
                                             const WriteOptions& options) {
  absl::Status status = CheckKey(key);
  if (status.ok()) status = CheckValue(value);
  if (!status.ok()) return status;
  WriteSpec spec;
  spec.mode = WriteSpec::Mode::kInsertOnly;
  return handle_->Call([&](Table& t) {
    return Conditional(t, key, Value::Record(value), spec, options.ttl);
  });
}

absl::StatusOr<bool> TypedStore::CompareAndSet(absl::string_view key,
                                               absl::string_view expected,
                                               absl::string_view desired,
                                               const WriteOptions& options) {
  absl::Status status = CheckKey(key);
  if (status.ok()) status = CheckValue(expected);
  if (status.ok()) status = CheckValue(desired);
  if (!status.ok()) return status;
  const Value expected_value = Value::Record(expected);
  WriteSpec spec;
  spec.mode = WriteSpec::Mode::kUpdateOnly;
  spec.expected_value = &expected_value;
  return handle_->Call([&](Table& t) {
    return Conditional(t, key, Value::Record(desired), spec, options.ttl);
  });
}

absl::StatusOr<bool> TypedStore::CompareVersionAndSet(
    absl::string_view key, uint64_t version, absl::string_view desired,
    const WriteOptions& options) {
  absl::Status status = CheckKey(key);
  if (status.ok()) status = CheckValue(desired);
  if (!status.ok()) return status;
  WriteSpec spec;
  spec.mode = WriteSpec::Mode::kUpdateOnly;
  spec.check_version = true;
  spec.expected_version = version;
  return handle_->Call([&](Table& t) {
    return Conditional(t, key, Value::Record(desired), spec, options.ttl);
  });
}

absl::Status TypedStore::Erase(absl::string_view key) {
  absl::Status status = CheckKey(key);
  if (!status.ok()) return status;
  return handle_->Call([&](Table& t) { return t.Erase(key, nullptr); });
}

absl::StatusOr<std::string> TypedStore::GetAndErase(absl::string_view key) {
  absl::Status status = CheckKey(key);
  if (!status.ok()) return status;
  Value value;
  status = handle_->Call([&](Table& t) { return t.Erase(key, &value); });
  if (!status.ok()) return status;
  return value.encoded();
}

absl::StatusOr<std::string> TypedStore::AddToField(absl::string_view key,
                                                   absl::string_view path,
                                                   int64_t delta) {
  absl::Status status = CheckKey(key);
  if (!status.ok()) return status;
  uint32_t offset = 0;
  const Field* field = schema_.value.Find(path, &offset);
  if (field == nullptr || !IsIntegerFieldType(field->type)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "typed store ", name(), ": ", schema_.value.name,
        field == nullptr ? " has no field '" : " field is not an integer: '",
        path, "'"));
  }
  std::string after;
  status = handle_->Call([&](Table& t) {
    return t.Update(
        key, [&](ValueType type, std::string* payload) -> absl::Status {
          if (type != ValueType::kRecord ||
              payload->size() != schema_.value.size) {
            return absl::DataLossError(absl::StrCat(
                "key in typed store ", name(), " holds a bad record"));
          }
          absl::Status added = kvstore::AddToField(
              field->type, &(*payload)[offset], delta, path);
          if (added.ok()) after = *payload;
          return added;
        });
  });
  if (!status.ok()) return status;
  return after;
}

absl::StatusOr<RecordBatch> TypedStore::Scan(uint64_t cursor,
                                             size_t count) const {
  return Scan(cursor, "", count);
}

absl::StatusOr<RecordBatch> TypedStore::Scan(uint64_t cursor,
                                             absl::string_view prefix,
                                             size_t count) const {
  if (prefix.size() > schema_.key.size) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "prefix of %d bytes for typed store %s, whose keys (%s) are %d bytes",
        prefix.size(), name(), schema_.key.name, schema_.key.size));
  }
  // A scan begun before a resize fails (ABORTED) rather than go on in the
  // new segment, where its cursor would mean other slots.
  absl::StatusOr<ScanBatch> batch =
      cursor != 0 ? handle_->current().Scan(cursor, prefix, count)
                  : handle_->Call(
                        [&](Table& t) { return t.Scan(cursor, prefix, count); });
  if (!batch.ok()) return batch.status();
  RecordBatch out;
  out.cursor = batch->cursor;
  out.entries.reserve(batch->entries.size());
  for (auto& [key, value] : batch->entries) {
    absl::Status sizes = CheckSizes(key, value.encoded());
    if (!sizes.ok()) return sizes;
    out.entries.emplace_back(std::move(key), value.encoded());
  }
  return out;
}

absl::StatusOr<std::vector<std::pair<std::string, std::string>>>
TypedStore::Snapshot() const {
  std::vector<std::pair<std::string, Value>> entries;
  absl::Status status =
      handle_->Call([&](Table& t) { return t.Snapshot("", &entries); });
  if (!status.ok()) return status;
  std::vector<std::pair<std::string, std::string>> out;
  out.reserve(entries.size());
  for (auto& [key, value] : entries) {
    absl::Status sizes = CheckSizes(key, value.encoded());
    if (!sizes.ok()) return sizes;
    out.emplace_back(std::move(key), value.encoded());
  }
  return out;
}

absl::StatusOr<StoreStats> TypedStore::Stats() const {
  return handle_->Call([&](Table& t) { return t.Stats(); });
}

absl::Status TypedStore::Verify(const ProgressCallback& progress) const {
  return handle_->Call([&](Table& t) { return t.Verify(progress); });
}

}  // namespace kvstore
