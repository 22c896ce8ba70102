// Opening a table and its write paths. Every write runs under the robust
// mutex and follows the same protocol: fill the journal, publish
// journal_state (the commit point), apply, set the journal idle.
#include "kvstore/internal/table.h"

#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "kvstore/internal/fault_injection.h"
#include "kvstore/internal/hash.h"
#include "kvstore/internal/robust_mutex.h"

namespace kvstore {
namespace internal {
namespace {

absl::Status CheckLimits(const std::string& name, const Geometry& g,
                         const Options& options) {
  if (g.capacity == options.capacity &&
      g.max_key_bytes == options.max_key_bytes &&
      g.max_value_bytes == options.max_value_bytes) {
    return absl::OkStatus();
  }
  return absl::FailedPreconditionError(absl::StrFormat(
      "store %s has capacity %d, max key bytes %d, max value bytes %d; "
      "requested %d, %d, %d",
      name, g.capacity, g.max_key_bytes, g.max_value_bytes, options.capacity,
      options.max_key_bytes, options.max_value_bytes));
}

absl::StatusOr<std::unique_ptr<Segment>> OpenOrCreate(const std::string& name,
                                                      const Options& options) {
  if (!options.create_if_missing) {
    absl::StatusOr<std::unique_ptr<Segment>> s = Segment::Open(name, options);
    if (absl::IsNotFound(s.status())) {
      return absl::NotFoundError(absl::StrCat(
          "store ", name, " does not exist (create it with 'kvstore create' "
          "or Options::create_if_missing)"));
    }
    return s;
  }
  if (options.error_if_exists) return Segment::Create(name, options);
  for (int attempt = 0; attempt < 3; ++attempt) {
    absl::StatusOr<std::unique_ptr<Segment>> s = Segment::Open(name, options);
    if (!absl::IsNotFound(s.status())) return s;
    s = Segment::Create(name, options);
    // Lost a race with another creator: open what it made.
    if (!absl::IsAlreadyExists(s.status())) return s;
  }
  return absl::UnavailableError(
      absl::StrCat("store ", name, " keeps appearing and disappearing"));
}

}  // namespace

absl::StatusOr<std::unique_ptr<Table>> Table::Open(absl::string_view name,
                                                   const Options& options) {
  absl::Status status = ValidateName(name);
  if (!status.ok()) return status;
  status = RobustMutexSelfTest();
  if (!status.ok()) return status;
  absl::StatusOr<std::unique_ptr<Segment>> segment =
      OpenOrCreate(std::string(name), options);
  if (!segment.ok()) return segment.status();
  if (options.require_same_limits) {
    status = CheckLimits((*segment)->name(), (*segment)->geometry(), options);
    if (!status.ok()) return status;
  }
  return std::unique_ptr<Table>(new Table(*std::move(segment)));
}

Table::Table(std::unique_ptr<Segment> segment)
    : segment_(std::move(segment)),
      geometry_(segment_->geometry()),
      header_(segment_->header()),
      journal_(segment_->base() + geometry_.journal_offset),
      table_(segment_->base() + geometry_.table_offset) {}

uint64_t Table::HashKey(absl::string_view key) const {
  return Hash64(key.data(), key.size(), geometry_.hash_seed);
}

absl::Status Table::CheckKey(absl::string_view key) const {
  if (key.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("empty key (store ", name(), ")"));
  }
  if (key.size() > geometry_.max_key_bytes) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "key of %d bytes is longer than store %s allows (%d bytes)",
        key.size(), name(), geometry_.max_key_bytes));
  }
  return absl::OkStatus();
}

absl::Status Table::CheckValue(absl::string_view key,
                               const Value& value) const {
  if (value.encoded().size() > geometry_.max_value_bytes) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "value of %d bytes for key '%s' is longer than store %s allows (%d "
        "bytes)",
        value.encoded().size(), key, name(), geometry_.max_value_bytes));
  }
  return absl::OkStatus();
}

absl::Status Table::WithLock(absl::FunctionRef<absl::Status()> fn) const {
  bool recovered = false;
  absl::Status status =
      LockRobust(&header_->mutex, [this] { return Repair(); }, &recovered);
  if (!status.ok()) return status;
  status = fn();
  UnlockRobust(&header_->mutex);
  return status;
}

absl::StatusOr<Table::Probe> Table::FindLocked(absl::string_view key,
                                               uint64_t hash) const {
  const uint32_t tag = HashTag(hash);
  uint64_t i = HomeSlot(hash, geometry_.slot_count);
  for (uint64_t n = 0; n < geometry_.slot_count; ++n, i = Next(i)) {
    const SlotHeader* s = slot(i);
    if (s->state == kSlotEmpty) return Probe{false, i};
    if (s->tag == tag && s->key_len == key.size() &&
        std::memcmp(s + 1, key.data(), key.size()) == 0) {
      return Probe{true, i};
    }
  }
  return absl::DataLossError(absl::StrCat(
      "store ", name(), " has no empty slot (damaged); run 'kvstore check'"));
}

void Table::WriteLocked(const Probe& probe, absl::string_view key,
                        uint64_t hash, ValueType type,
                        absl::string_view payload) {
  SlotHeader image;
  image.seq.store(0, std::memory_order_relaxed);
  image.state = kSlotFull;
  image.type = static_cast<uint8_t>(type);
  image.key_len = static_cast<uint16_t>(key.size());
  image.value_len = static_cast<uint32_t>(payload.size());
  image.tag = HashTag(hash);
  std::memcpy(journal_, &image, sizeof(image));
  std::memcpy(journal_ + sizeof(image), key.data(), key.size());
  std::memcpy(journal_ + sizeof(image) + key.size(), payload.data(),
              payload.size());
  const uint64_t count = header_->entry_count.load(std::memory_order_relaxed);
  header_->journal_image_bytes =
      static_cast<uint32_t>(sizeof(image) + key.size() + payload.size());
  header_->journal_slot.store(probe.index, std::memory_order_relaxed);
  header_->journal_entry_count = probe.found ? count : count + 1;
  KVSTORE_FAULT_POINT("write.image_filled");
  header_->journal_state.store(kJournalWrite, std::memory_order_release);
  KVSTORE_FAULT_POINT("write.committed");
  ApplyWrite();
  KVSTORE_FAULT_POINT("write.applied");
  header_->journal_state.store(kJournalIdle, std::memory_order_release);
  KVSTORE_FAULT_POINT("write.done");
}

void Table::EraseLocked(uint64_t index) {
  header_->journal_slot.store(index, std::memory_order_relaxed);
  header_->journal_entry_count =
      header_->entry_count.load(std::memory_order_relaxed) - 1;
  header_->journal_state.store(kJournalDelete, std::memory_order_release);
  KVSTORE_FAULT_POINT("erase.committed");
  ApplyDelete();
  header_->journal_state.store(kJournalIdle, std::memory_order_release);
  KVSTORE_FAULT_POINT("erase.done");
}

absl::Status Table::Set(absl::string_view key, const Value& value,
                        bool only_if_absent, bool* stored) {
  absl::Status status = CheckKey(key);
  if (status.ok()) status = CheckValue(key, value);
  if (!status.ok()) return status;
  const uint64_t hash = HashKey(key);
  *stored = false;
  return WithLock([&]() -> absl::Status {
    absl::StatusOr<Probe> probe = FindLocked(key, hash);
    if (!probe.ok()) return probe.status();
    if (probe->found && only_if_absent) return absl::OkStatus();
    if (!probe->found &&
        header_->entry_count.load(std::memory_order_relaxed) >=
            geometry_.capacity) {
      return absl::ResourceExhaustedError(absl::StrFormat(
          "store %s is full (%d entries); cannot add key '%s' (delete keys "
          "or create a larger store)",
          name(), geometry_.capacity, key));
    }
    WriteLocked(*probe, key, hash, value.type(), value.encoded());
    *stored = true;
    return absl::OkStatus();
  });
}

absl::StatusOr<bool> Table::CompareAndSet(absl::string_view key,
                                          const Value& expected,
                                          const Value& desired) {
  absl::Status status = CheckKey(key);
  if (status.ok()) status = CheckValue(key, desired);
  if (!status.ok()) return status;
  const uint64_t hash = HashKey(key);
  bool swapped = false;
  status = WithLock([&]() -> absl::Status {
    absl::StatusOr<Probe> probe = FindLocked(key, hash);
    if (!probe.ok()) return probe.status();
    if (!probe->found) {
      return absl::NotFoundError(
          absl::StrCat("key '", key, "' not found in store ", name()));
    }
    const SlotHeader* s = slot(probe->index);
    const char* current = reinterpret_cast<const char*>(s + 1) + s->key_len;
    if (s->type != static_cast<uint8_t>(expected.type()) ||
        absl::string_view(current, s->value_len) != expected.encoded()) {
      return absl::OkStatus();
    }
    WriteLocked(*probe, key, hash, desired.type(), desired.encoded());
    swapped = true;
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return swapped;
}

absl::Status Table::Erase(absl::string_view key) {
  absl::Status status = CheckKey(key);
  if (!status.ok()) return status;
  const uint64_t hash = HashKey(key);
  return WithLock([&]() -> absl::Status {
    absl::StatusOr<Probe> probe = FindLocked(key, hash);
    if (!probe.ok()) return probe.status();
    if (!probe->found) {
      return absl::NotFoundError(
          absl::StrCat("key '", key, "' not found in store ", name()));
    }
    EraseLocked(probe->index);
    return absl::OkStatus();
  });
}

absl::StatusOr<int64_t> Table::Increment(absl::string_view key,
                                         int64_t delta) {
  absl::Status status = CheckKey(key);
  if (!status.ok()) return status;
  const uint64_t hash = HashKey(key);
  int64_t result = 0;
  status = WithLock([&]() -> absl::Status {
    absl::StatusOr<Probe> probe = FindLocked(key, hash);
    if (!probe.ok()) return probe.status();
    int64_t current = 0;
    if (probe->found) {
      const SlotHeader* s = slot(probe->index);
      if (s->type != static_cast<uint8_t>(ValueType::kInt64) ||
          s->value_len != sizeof(int64_t)) {
        return absl::FailedPreconditionError(absl::StrCat(
            "key '", key, "' in store ", name(), " has type ",
            ValueTypeName(static_cast<ValueType>(s->type)),
            ", not int64; cannot increment it"));
      }
      std::memcpy(&current, reinterpret_cast<const char*>(s + 1) + s->key_len,
                  sizeof(current));
    } else if (header_->entry_count.load(std::memory_order_relaxed) >=
               geometry_.capacity) {
      return absl::ResourceExhaustedError(absl::StrFormat(
          "store %s is full (%d entries); cannot add key '%s'", name(),
          geometry_.capacity, key));
    }
    if (__builtin_add_overflow(current, delta, &result)) {
      return absl::OutOfRangeError(absl::StrFormat(
          "incrementing key '%s' (%d) by %d would overflow int64", key,
          current, delta));
    }
    Value v = Value::Int64(result);
    WriteLocked(*probe, key, hash, ValueType::kInt64, v.encoded());
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return result;
}

}  // namespace internal
}  // namespace kvstore
