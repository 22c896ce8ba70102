// The read paths: lock-free Get, and reads under the lock (the fallback,
// snapshots and stats).
//
// A lock-free read copies a slot between two loads of its sequence number
// and keeps the copy only if the number was even and unchanged (a seqlock).
// The copy races with writers by design; every length read from the slot is
// bounded by the store's limits before it is used, so a torn copy can cost a
// retry but never an out-of-bounds access.
#include <atomic>
#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "kvstore/internal/hash.h"
#include "kvstore/internal/table.h"

namespace kvstore {
namespace internal {
namespace {

// Lock-free attempts before a read falls back to the lock (which also
// repairs a store whose writer died mid-write).
constexpr int kMaxReadAttempts = 64;

inline void CpuRelax() { __builtin_ia32_pause(); }

}  // namespace

absl::Status Table::GetLockFree(absl::string_view key, uint64_t hash,
                                Value* out) const {
  const uint32_t tag = HashTag(hash);
  const uint64_t home = HomeSlot(hash, geometry_.slot_count);
  for (int attempt = 0; attempt < kMaxReadAttempts; ++attempt) {
    if (attempt > 0) CpuRelax();
    const uint64_t structure =
        header_->structure_seq.load(std::memory_order_acquire);
    if (structure & 1) continue;  // A delete is moving slots.
    uint64_t i = home;
    bool retry = false;
    for (uint64_t n = 0; n < geometry_.slot_count; ++n, i = Next(i)) {
      const SlotHeader* s = slot(i);
      const uint32_t seq = s->seq.load(std::memory_order_acquire);
      if (seq & 1) {
        retry = true;
        break;
      }
      SlotHeader meta;  // Racy copy of the metadata, validated below.
      std::memcpy(static_cast<void*>(&meta), s, sizeof(meta));
      const bool empty = meta.state == kSlotEmpty;
      bool match = !empty && meta.tag == tag && meta.key_len == key.size() &&
                   std::memcmp(s + 1, key.data(), key.size()) == 0;
      if (match) {
        if (meta.value_len > geometry_.max_value_bytes) {
          match = false;  // Torn or damaged; the seq check decides.
        } else {
          out->type_ = static_cast<ValueType>(meta.type);
          out->payload_.resize(meta.value_len);
          std::memcpy(&out->payload_[0],
                      reinterpret_cast<const char*>(s + 1) + meta.key_len,
                      meta.value_len);
        }
      }
      std::atomic_thread_fence(std::memory_order_acquire);
      if (s->seq.load(std::memory_order_relaxed) != seq) {
        retry = true;
        break;
      }
      if (match) {
        if (!IsValidValueType(meta.type)) {
          return absl::DataLossError(
              absl::StrCat("key '", key, "' in store ", name(),
                           " has an unknown value type; run 'kvstore check'"));
        }
        return absl::OkStatus();
      }
      if (empty) {
        // A miss is trusted only if no delete moved slots meanwhile.
        std::atomic_thread_fence(std::memory_order_acquire);
        if (header_->structure_seq.load(std::memory_order_relaxed) !=
            structure) {
          retry = true;
          break;
        }
        return absl::NotFoundError(
            absl::StrCat("key '", key, "' not found in store ", name()));
      }
    }
    if (!retry) break;  // Walked every slot: no empty one; lock decides.
  }
  return absl::UnavailableError("lock-free read kept racing writers");
}

absl::Status Table::GetLocked(absl::string_view key, uint64_t hash,
                              Value* out) const {
  return WithLock([&]() -> absl::Status {
    absl::StatusOr<Probe> probe = FindLocked(key, hash);
    if (!probe.ok()) return probe.status();
    if (!probe->found) {
      return absl::NotFoundError(
          absl::StrCat("key '", key, "' not found in store ", name()));
    }
    const SlotHeader* s = slot(probe->index);
    if (!IsValidValueType(s->type) || s->value_len > geometry_.max_value_bytes) {
      return absl::DataLossError(
          absl::StrCat("key '", key, "' in store ", name(),
                       " has a damaged slot; run 'kvstore check'"));
    }
    out->type_ = static_cast<ValueType>(s->type);
    out->payload_.assign(reinterpret_cast<const char*>(s + 1) + s->key_len,
                         s->value_len);
    return absl::OkStatus();
  });
}

absl::Status Table::Get(absl::string_view key, Value* out) const {
  absl::Status status = CheckKey(key);
  if (!status.ok()) return status;
  const uint64_t hash = HashKey(key);
  status = GetLockFree(key, hash, out);
  if (!absl::IsUnavailable(status)) return status;
  return GetLocked(key, hash, out);
}

absl::Status Table::Snapshot(
    absl::string_view prefix,
    std::vector<std::pair<std::string, Value>>* entries) const {
  entries->clear();
  return WithLock([&]() -> absl::Status {
    for (uint64_t i = 0; i < geometry_.slot_count; ++i) {
      const SlotHeader* s = slot(i);
      if (s->state != kSlotFull) continue;
      if (s->key_len > geometry_.max_key_bytes ||
          s->value_len > geometry_.max_value_bytes ||
          !IsValidValueType(s->type)) {
        return absl::DataLossError(absl::StrCat(
            "store ", name(), " has a damaged slot ", i,
            "; run 'kvstore check'"));
      }
      absl::string_view key(reinterpret_cast<const char*>(s + 1), s->key_len);
      if (!absl::StartsWith(key, prefix)) continue;
      Value v;
      v.type_ = static_cast<ValueType>(s->type);
      v.payload_.assign(key.data() + key.size(), s->value_len);
      entries->emplace_back(std::string(key), std::move(v));
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<StoreStats> Table::Stats() const {
  absl::StatusOr<struct stat> st = segment_->Stat();
  if (!st.ok()) return st.status();
  StoreStats stats;
  stats.name = name();
  stats.segment_bytes = static_cast<uint64_t>(st->st_size);
  stats.mode = st->st_mode & 07777;
  stats.owner_uid = st->st_uid;
  stats.owner_gid = st->st_gid;
  stats.capacity = geometry_.capacity;
  stats.slot_count = geometry_.slot_count;
  stats.slot_bytes = geometry_.slot_bytes;
  stats.max_key_bytes = geometry_.max_key_bytes;
  stats.max_value_bytes = geometry_.max_value_bytes;
  stats.entry_count = header_->entry_count.load(std::memory_order_relaxed);
  stats.created = absl::FromUnixNanos(header_->created_unix_ns);
  stats.recoveries = header_->recovery_count.load(std::memory_order_relaxed);
  const int64_t last =
      header_->last_recovery_unix_ns.load(std::memory_order_relaxed);
  stats.last_recovery =
      last == 0 ? absl::InfinitePast() : absl::FromUnixNanos(last);
  stats.longest_repair = absl::Nanoseconds(
      header_->longest_repair_ns.load(std::memory_order_relaxed));
  stats.lock_resets =
      header_->unrecoverable_resets.load(std::memory_order_relaxed);
  return stats;
}

}  // namespace internal
}  // namespace kvstore
