// The hash table inside a segment: linear probing over fixed-size slots,
// lock-free reads validated by per-slot sequence numbers, writes under the
// robust mutex with a one-record redo journal, backward-shift deletion.
// docs/design.md describes the protocol; this is its only implementation.
#ifndef KVSTORE_INTERNAL_TABLE_H_
#define KVSTORE_INTERNAL_TABLE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "kvstore/internal/layout.h"
#include "kvstore/internal/segment.h"
#include "kvstore/options.h"
#include "kvstore/store.h"
#include "kvstore/value.h"

namespace kvstore {
namespace internal {

class Table {
 public:
  static absl::StatusOr<std::unique_ptr<Table>> Open(absl::string_view name,
                                                     const Options& options);

  // See Store::ResetLock.
  static absl::Status ResetLock(absl::string_view name);

  const std::string& name() const { return segment_->name(); }

  absl::Status Get(absl::string_view key, Value* out) const;

  // Stores the value. With `only_if_absent`, leaves an existing key alone
  // and sets *stored to false.
  absl::Status Set(absl::string_view key, const Value& value,
                   bool only_if_absent, bool* stored);
  absl::StatusOr<bool> CompareAndSet(absl::string_view key,
                                     const Value& expected,
                                     const Value& desired);
  absl::Status Erase(absl::string_view key);
  absl::StatusOr<int64_t> Increment(absl::string_view key, int64_t delta);

  // Copies every entry whose key starts with `prefix`, under the lock.
  absl::Status Snapshot(
      absl::string_view prefix,
      std::vector<std::pair<std::string, Value>>* entries) const;

  absl::StatusOr<StoreStats> Stats() const;
  absl::Status Verify() const;

 private:
  struct Probe {
    bool found;
    uint64_t index;  // The key's slot, or the empty slot ending its chain.
  };

  explicit Table(std::unique_ptr<Segment> segment);

  SlotHeader* slot(uint64_t i) const {
    return reinterpret_cast<SlotHeader*>(table_ + i * geometry_.slot_bytes);
  }
  uint64_t Next(uint64_t i) const {
    return i + 1 == geometry_.slot_count ? 0 : i + 1;
  }
  uint64_t HashKey(absl::string_view key) const;
  absl::Status CheckKey(absl::string_view key) const;
  absl::Status CheckValue(absl::string_view key, const Value& value) const;

  // Lock-free read; returns UNAVAILABLE when it keeps racing writers, so
  // that the caller falls back to reading under the lock.
  absl::Status GetLockFree(absl::string_view key, uint64_t hash,
                           Value* out) const;
  absl::Status GetLocked(absl::string_view key, uint64_t hash,
                         Value* out) const;

  // Runs `fn` holding the lock, repairing first if an owner died.
  absl::Status WithLock(absl::FunctionRef<absl::Status()> fn) const;
  absl::StatusOr<Probe> FindLocked(absl::string_view key,
                                   uint64_t hash) const;

  // Journals and applies a write of (key, type, payload) into slot `index`.
  void WriteLocked(const Probe& probe, absl::string_view key, uint64_t hash,
                   ValueType type, absl::string_view payload);
  // Journals and applies the deletion of slot `index`.
  void EraseLocked(uint64_t index);

  // Recovery: re-applies the journal. Idempotent.
  absl::Status Repair() const;
  void ApplyWrite() const;
  void ApplyDelete() const;

  std::unique_ptr<Segment> segment_;
  const Geometry geometry_;  // Copied from the validated header.
  Header* const header_;
  uint8_t* const journal_;
  uint8_t* const table_;
};

}  // namespace internal
}  // namespace kvstore

#endif  // KVSTORE_INTERNAL_TABLE_H_
