#include "kvstore/store.h"

#include <utility>
#include <vector>

#include "kvstore/internal/segment.h"
#include "kvstore/internal/table.h"

namespace kvstore {

Store::Store(std::unique_ptr<internal::Table> table)
    : table_(std::move(table)) {}

Store::~Store() = default;

absl::StatusOr<std::unique_ptr<Store>> Store::Open(absl::string_view name,
                                                   const Options& options) {
  absl::StatusOr<std::unique_ptr<internal::Table>> table =
      internal::Table::Open(name, options);
  if (!table.ok()) return table.status();
  return std::unique_ptr<Store>(new Store(*std::move(table)));
}

absl::Status Store::Destroy(absl::string_view name) {
  absl::Status status = internal::ValidateName(name);
  if (!status.ok()) return status;
  return internal::DestroySegment(std::string(name));
}

absl::Status Store::ResetLock(absl::string_view name) {
  return internal::Table::ResetLock(name);
}

const std::string& Store::name() const { return table_->name(); }

absl::StatusOr<Value> Store::Get(absl::string_view key) const {
  Value value;
  absl::Status status = table_->Get(key, &value);
  if (!status.ok()) return status;
  return value;
}

absl::Status Store::Get(absl::string_view key, Value* out) const {
  return table_->Get(key, out);
}

absl::Status Store::Set(absl::string_view key, const Value& value) {
  bool stored;
  return table_->Set(key, value, /*only_if_absent=*/false, &stored);
}

absl::StatusOr<bool> Store::SetIfAbsent(absl::string_view key,
                                        const Value& value) {
  bool stored;
  absl::Status status =
      table_->Set(key, value, /*only_if_absent=*/true, &stored);
  if (!status.ok()) return status;
  return stored;
}

absl::StatusOr<bool> Store::CompareAndSet(absl::string_view key,
                                          const Value& expected,
                                          const Value& desired) {
  return table_->CompareAndSet(key, expected, desired);
}

absl::Status Store::Erase(absl::string_view key) { return table_->Erase(key); }

absl::StatusOr<int64_t> Store::Increment(absl::string_view key,
                                         int64_t delta) {
  return table_->Increment(key, delta);
}

absl::Status Store::ForEach(
    const std::function<absl::Status(absl::string_view, const Value&)>& fn,
    absl::string_view prefix) const {
  std::vector<std::pair<std::string, Value>> entries;
  absl::Status status = table_->Snapshot(prefix, &entries);
  if (!status.ok()) return status;
  for (const auto& [key, value] : entries) {
    status = fn(key, value);
    if (!status.ok()) return status;
  }
  return absl::OkStatus();
}

absl::StatusOr<StoreStats> Store::Stats() const { return table_->Stats(); }

absl::Status Store::Verify() const { return table_->Verify(); }

}  // namespace kvstore
