#include "kvstore/store.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "kvstore/internal/segment.h"
#include "kvstore/internal/segment_probe.h"
#include "kvstore/internal/table.h"
#include "kvstore/internal/table_handle.h"

namespace kvstore {

static_assert(kMaxEntryVersion == internal::kVersionMask,
              "Entry versions are the slot's version bits");
namespace {

using internal::WriteSpec;

}  // namespace

Store::Store(std::unique_ptr<internal::TableHandle> handle)
    : handle_(std::move(handle)) {}

Store::~Store() = default;

absl::StatusOr<std::unique_ptr<Store>> Store::Open(absl::string_view name,
                                                   const Options& options) {
  absl::StatusOr<std::unique_ptr<internal::Table>> table =
      internal::Table::Open(name, options);
  if (!table.ok()) return table.status();
  return std::unique_ptr<Store>(
      new Store(std::make_unique<internal::TableHandle>(
          *std::move(table), options, internal::StoreKind())));
}

absl::Status Store::Destroy(absl::string_view name) {
  absl::Status status = internal::ValidateName(name);
  if (!status.ok()) return status;
  return internal::DestroySegment(std::string(name));
}

absl::StatusOr<ObjectInfo> Store::Inspect(absl::string_view name) {
  absl::Status status = internal::ValidateName(name);
  if (!status.ok()) return status;
  return internal::ProbeObject(std::string(name));
}

absl::Status Store::ValidateName(absl::string_view name) {
  return internal::ValidateName(name);
}

absl::Status Store::Resize(absl::string_view name, uint64_t capacity,
                           uint64_t memory, absl::Duration* pause) {
  int64_t pause_ns = 0;
  absl::Status status =
      internal::Table::Resize(name, capacity, memory, &pause_ns);
  if (pause != nullptr) *pause = absl::Nanoseconds(pause_ns);
  return status;
}

absl::Status Store::ResetLock(absl::string_view name) {
  return internal::Table::ResetLock(name);
}

const std::string& Store::name() const { return handle_->current().name(); }

bool Store::read_only() const { return handle_->current().read_only(); }

absl::StatusOr<Value> Store::Get(absl::string_view key) const {
  Value value;
  absl::Status status =
      handle_->Call([&](internal::Table& t) { return t.Get(key, &value); });
  if (!status.ok()) return status;
  return value;
}

absl::Status Store::Get(absl::string_view key, Value* out) const {
  return handle_->Call([&](internal::Table& t) { return t.Get(key, out); });
}

absl::Status Store::TryGet(absl::string_view key, Value* out) const {
  return handle_->current().TryGet(key, out, nullptr);
}

absl::Status Store::TryGet(absl::string_view key, Value* out,
                           ReadStamp* stamp) const {
  return handle_->current().TryGet(key, out, stamp);
}

bool Store::IsCurrent(const ReadStamp& stamp) const {
  return handle_->current().IsCurrent(stamp);
}

absl::StatusOr<Entry> Store::GetEntry(absl::string_view key) const {
  return handle_->Call([&](internal::Table& t) { return t.GetEntry(key); });
}

std::vector<absl::StatusOr<Value>> Store::MultiGet(
    const std::vector<std::string>& keys,
    const MultiGetOptions& options) const {
  return options.snapshot ? handle_->Call([&](internal::Table& t) {
    return t.MultiGet(keys);
  })
                          : handle_->Call([&](internal::Table& t) {
                              return t.BatchGet(keys);
                            });
}

absl::Status Store::Set(absl::string_view key, const Value& value,
                        const WriteOptions& options) {
  absl::StatusOr<int64_t> expires = internal::ExpiryFor(options.ttl);
  if (!expires.ok()) return expires.status();
  WriteSpec spec;
  spec.expires_ms = *expires;
  bool written;
  return handle_->Call(
      [&](internal::Table& t) { return t.Write(key, value, spec, &written); });
}

absl::Status Store::MultiSet(
    const std::vector<std::pair<std::string, Value>>& kvs,
    const WriteOptions& options) {
  absl::StatusOr<int64_t> expires = internal::ExpiryFor(options.ttl);
  if (!expires.ok()) return expires.status();
  return handle_->Call(
      [&](internal::Table& t) { return t.MultiWrite(kvs, *expires); });
}

namespace {

absl::StatusOr<bool> Conditional(internal::Table& table, absl::string_view key,
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

}  // namespace

absl::StatusOr<bool> Store::SetIfAbsent(absl::string_view key,
                                        const Value& value,
                                        const WriteOptions& options) {
  WriteSpec spec;
  spec.mode = WriteSpec::Mode::kInsertOnly;
  return handle_->Call([&](internal::Table& t) {
    return Conditional(t, key, value, spec, options.ttl);
  });
}

absl::StatusOr<bool> Store::Replace(absl::string_view key, const Value& value,
                                    const WriteOptions& options) {
  WriteSpec spec;
  spec.mode = WriteSpec::Mode::kUpdateOnly;
  return handle_->Call([&](internal::Table& t) {
    return Conditional(t, key, value, spec, options.ttl);
  });
}

absl::StatusOr<bool> Store::CompareAndSet(absl::string_view key,
                                          const Value& expected,
                                          const Value& desired,
                                          const WriteOptions& options) {
  WriteSpec spec;
  spec.mode = WriteSpec::Mode::kUpdateOnly;
  spec.expected_value = &expected;
  return handle_->Call([&](internal::Table& t) {
    return Conditional(t, key, desired, spec, options.ttl);
  });
}

absl::StatusOr<bool> Store::CompareVersionAndSet(absl::string_view key,
                                                 uint64_t version,
                                                 const Value& desired,
                                                 const WriteOptions& options) {
  WriteSpec spec;
  spec.mode = WriteSpec::Mode::kUpdateOnly;
  spec.check_version = true;
  spec.expected_version = version;
  return handle_->Call([&](internal::Table& t) {
    return Conditional(t, key, desired, spec, options.ttl);
  });
}

absl::Status Store::Erase(absl::string_view key) {
  return handle_->Call(
      [&](internal::Table& t) { return t.Erase(key, nullptr); });
}

absl::StatusOr<Value> Store::GetAndErase(absl::string_view key) {
  Value value;
  absl::Status status =
      handle_->Call([&](internal::Table& t) { return t.Erase(key, &value); });
  if (!status.ok()) return status;
  return value;
}

absl::StatusOr<int64_t> Store::Increment(absl::string_view key, int64_t delta) {
  return handle_->Call(
      [&](internal::Table& t) { return t.AddInt64(key, delta); });
}

absl::StatusOr<double> Store::AddDouble(absl::string_view key, double delta) {
  return handle_->Call(
      [&](internal::Table& t) { return t.AddDouble(key, delta); });
}

absl::Status Store::Expire(absl::string_view key, absl::Duration ttl) {
  if (ttl == absl::InfiniteDuration()) {
    return absl::InvalidArgumentError(
        "an infinite time to live is Persist(), not Expire()");
  }
  absl::StatusOr<int64_t> expires = internal::ExpiryFor(ttl);
  if (!expires.ok()) return expires.status();
  return handle_->Call(
      [&](internal::Table& t) { return t.SetExpiry(key, *expires); });
}

absl::Status Store::Persist(absl::string_view key) {
  return handle_->Call([&](internal::Table& t) { return t.SetExpiry(key, 0); });
}

absl::StatusOr<absl::Duration> Store::Ttl(absl::string_view key) const {
  absl::StatusOr<Entry> entry =
      handle_->Call([&](internal::Table& t) { return t.GetEntry(key); });
  if (!entry.ok()) return entry.status();
  return entry->ttl;
}

absl::StatusOr<Value> Store::GetOrCompute(
    absl::string_view key,
    const std::function<absl::StatusOr<Value>()>& compute,
    const ComputeOptions& options) {
  if (options.lease <= absl::ZeroDuration() ||
      options.lease > internal::kMaxTtl ||
      options.wait < absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "GetOrCompute needs a lease of more than zero and at most 10 years, "
        "and a non-negative wait");
  }
  absl::StatusOr<int64_t> expires = internal::ExpiryFor(options.ttl);
  if (!expires.ok()) return expires.status();
  const absl::Time deadline = absl::Now() + options.wait;
  // Polls often at first: most computations (a cache fill) take about one
  // network round trip.
  absl::Duration backoff = absl::Microseconds(20);
  for (;;) {
    Value value;
    absl::Status got =
        handle_->Call([&](internal::Table& t) { return t.Get(key, &value); });
    if (got.ok()) return value;
    if (!absl::IsNotFound(got)) return got;
    bool present = false;
    uint64_t claim = 0;
    absl::StatusOr<bool> claimed = handle_->Call([&](internal::Table& t) {
      return t.ClaimForCompute(key, absl::ToInt64Nanoseconds(options.lease),
                               &value, &present, &claim);
    });
    if (!claimed.ok()) return claimed.status();
    if (present) return value;
    if (*claimed) {
      absl::StatusOr<Value> computed = compute();
      if (!computed.ok()) {
        handle_->current().ReleaseClaim(key, claim);
        return computed.status();
      }
      WriteSpec spec;
      // The time to live counts from when the value is stored.
      spec.expires_ms = *internal::ExpiryFor(options.ttl);
      // Only over this call's own marker: a computation whose lease ran
      // out and was taken over must not overwrite the taker's result.
      spec.over_claim = true;
      spec.expected_version = claim;
      bool written;
      absl::Status stored = handle_->Call([&](internal::Table& t) {
        return t.Write(key, *computed, spec, &written);
      });
      if (!stored.ok()) {
        handle_->current().ReleaseClaim(key, claim);
        return stored;
      }
      return computed;
    }
    if (absl::Now() >= deadline) {
      return absl::DeadlineExceededError(absl::StrCat(
          "waited ", absl::FormatDuration(options.wait), " for key '", key,
          "' in store ", name(), " to be computed by another process"));
    }
    absl::SleepFor(backoff);
    backoff = std::min(backoff * 3 / 2, absl::Milliseconds(5));
  }
}

absl::StatusOr<ScanBatch> Store::Scan(uint64_t cursor, absl::string_view prefix,
                                      size_t count) const {
  // A scan that began before a resize cannot go on in the new segment:
  // its cursor would mean other slots. It fails (ABORTED) and starts again.
  if (cursor != 0) return handle_->current().Scan(cursor, prefix, count);
  return handle_->Call(
      [&](internal::Table& t) { return t.Scan(cursor, prefix, count); });
}

absl::Status Store::ForEach(
    const std::function<absl::Status(absl::string_view, const Value&)>& fn,
    absl::string_view prefix) const {
  std::vector<std::pair<std::string, Value>> entries;
  absl::Status status = handle_->Call(
      [&](internal::Table& t) { return t.Snapshot(prefix, &entries); });
  if (!status.ok()) return status;
  for (const auto& [key, value] : entries) {
    status = fn(key, value);
    if (!status.ok()) return status;
  }
  return absl::OkStatus();
}

absl::StatusOr<StoreStats> Store::Stats() const {
  return handle_->Call([&](internal::Table& t) { return t.Stats(); });
}

absl::Status Store::Verify(const ProgressCallback& progress) const {
  return handle_->Call([&](internal::Table& t) { return t.Verify(progress); });
}

}  // namespace kvstore
