// The read paths: lock-free Get, and reads under the lock (the fallback,
// batches, scans, snapshots and stats).
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

inline void CpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

// Time left, in whole milliseconds rounded down (expiries are kept in
// milliseconds rounded up, so this never exceeds the time to live given,
// rounded up to a whole millisecond).
absl::Duration Remaining(int64_t expires_ms, Clock& now) {
  if (expires_ms == 0) return absl::InfiniteDuration();
  const int64_t left_ns = expires_ms * 1000000 - now.Nanos();
  return absl::Milliseconds(left_ns < 0 ? 0 : left_ns / 1000000);
}

}  // namespace

absl::Status Table::GetLockFree(absl::string_view key, uint64_t hash,
                                Clock& now, Value* out, Entry* entry,
                                bool* expired, ReadStamp* stamp) const {
  if (ABSL_PREDICT_FALSE(header_->moved.load(std::memory_order_acquire) != 0)) {
    return Moved();
  }
  const uint64_t home = HomeSlot(hash, geometry_.slot_count);
  // The home slot's lines are the one memory miss of a lookup: start them
  // all now (a probe usually ends within them).
  const char* first = reinterpret_cast<const char*>(slot(home));
  __builtin_prefetch(first);
  __builtin_prefetch(first + kCacheLine);
  __builtin_prefetch(first + 2 * kCacheLine);
  for (int attempt = 0; attempt < kMaxReadAttempts; ++attempt) {
    if (attempt > 0) CpuRelax();
    const uint64_t structure =
        header_->structure_seq.load(std::memory_order_acquire);
    // A delete is moving slots: a miss cannot be trusted, but a hit can
    // (a moved entry keeps its key, value and seq). A read-only handle,
    // which cannot wait for the lock, looks for a hit: after a writer died
    // mid-delete it is the only read that can succeed until a repair.
    if ((structure & 1) && !read_only_) continue;
    uint64_t i = home;
    bool retry = false;
    for (uint64_t n = 0; n < geometry_.slot_count; ++n, i = Next(i)) {
      SlotHeader* s = slot(i);
      const uint64_t seq = s->seq.load(std::memory_order_acquire);
      if (seq & 1) {
        retry = true;
        break;
      }
      if (SeqType(seq) == kSlotEmpty) {
        // A miss is trusted only if no delete moved slots meanwhile.
        std::atomic_thread_fence(std::memory_order_acquire);
        if ((structure & 1) || header_->structure_seq.load(
                                   std::memory_order_relaxed) != structure) {
          retry = true;
          break;
        }
        return Miss();
      }
      const uint32_t key_len = SeqKeyLen(seq);
      // Where the value is (inline after the key, or in the entry's block)
      // and whether the slot holds `key`. Every length and offset read here
      // may be torn: it is bounded before use, and the seq check below
      // decides whether the copy counts.
      const char* value = nullptr;
      uint32_t value_len = 0;
      bool match = false;
      bool sane = true;
      uint64_t info = 0;
      if (key_len != 0) {
        match = key_len == key.size() &&
                KeyEquals(KeyOf(s), key.data(), key.size());
        if (match) {
          info = s->info.load(std::memory_order_relaxed);
          value_len = InfoValueLen(info);
          value = KeyOf(s) + key_len;
          sane = key_len + uint64_t{value_len} <= geometry_.inline_bytes;
        }
      } else {
        const BlockRef ref = RefOf(s);
        if (ref.key_len == key.size() && ref.key_hash == hash) {
          info = s->info.load(std::memory_order_relaxed);
          value_len = ref.value_len;
          sane = arena_ != nullptr && value_len <= geometry_.max_value_bytes &&
                 arena_->Plausible(ref.offset, ref.block_bytes,
                                   uint64_t{ref.key_len} + value_len);
          if (sane) {
            const char* p =
                reinterpret_cast<const char*>(arena_->Payload(ref.offset));
            match = KeyEquals(p, key.data(), key.size());
            value = p + key.size();
          } else {
            match = true;  // Reported below if the slot is stable.
          }
        }
      }
      if (match && sane && SeqType(seq) != kTypePending &&
          !now.Expired(InfoExpiryMs(info))) {
        // A compute marker or an expired entry is never copied: a miss
        // leaves *out alone.
        out->type_ = static_cast<ValueType>(SeqType(seq));
        // A Value reused for values of one size (the fast way to read)
        // needs no resize.
        if (out->payload_.size() != value_len) out->payload_.resize(value_len);
        std::memcpy(&out->payload_[0], value, value_len);
      }
      std::atomic_thread_fence(std::memory_order_acquire);
      if (s->seq.load(std::memory_order_relaxed) != seq) {
        retry = true;
        break;
      }
      if (!match) continue;
      if (!sane) {
        return absl::DataLossError(
            absl::StrCat("key '", KeyText(key), "' in store ", name(),
                         " has a damaged slot; run 'kvstore check'"));
      }
      const int64_t expires_ms = InfoExpiryMs(info);
      if (now.Expired(expires_ms)) {
        *expired = true;
        return Miss();
      }
      const uint8_t type = SeqType(seq);
      if (type == kTypePending) return Miss();
      if (!PayloadFitsType(type, value_len)) {
        return absl::DataLossError(absl::StrCat(
            "key '", KeyText(key), "' in store ", name(),
            " has a value whose size does not fit its type; run 'kvstore "
            "check'"));
      }
      // Mark it recently used for CLOCK, writing only if not yet marked,
      // and only in a store that evicts by a handle that may write: a read
      // writes nothing shared otherwise.
      if ((info & kReferencedBit) == 0 && geometry_.eviction == kEvictClock &&
          !read_only_) {
        s->info.fetch_or(kReferencedBit, std::memory_order_relaxed);
      }
      if (entry != nullptr) {
        entry->version = SeqVersion(seq);
        entry->ttl = Remaining(expires_ms, now);
      }
      if (stamp != nullptr) {
        stamp->table_ = serial_;
        stamp->slot_ = i;
        stamp->seq_ = seq;
        stamp->expires_ms_ = expires_ms;
      }
      return absl::OkStatus();
    }
    if (!retry) break;  // Walked every slot: no empty one; lock decides.
  }
  return absl::UnavailableError("lock-free read kept racing writers");
}

absl::Status Table::ReadSlotLocked(uint64_t index, absl::string_view key,
                                   Clock& now, Value* out, Entry* entry) const {
  const SlotMeta m = Meta(*slot(index));
  absl::StatusOr<EntryBytes> e = EntryLocked(index, m);
  absl::Status status =
      e.ok() ? ValueOf(key, m, *e, out) : absl::DataLossError("");
  if (!status.ok()) {
    return absl::DataLossError(absl::StrCat("key '", KeyText(key),
                                            "' in store ", name(),
                                            " has a damaged slot; run "
                                            "'kvstore check'"));
  }
  if (entry != nullptr) {
    entry->version = m.version;
    entry->ttl = Remaining(m.expires_ms, now);
  }
  return absl::OkStatus();
}

absl::Status Table::ValueOf(absl::string_view key, const SlotMeta& m,
                            const EntryBytes& e, Value* out) const {
  if (!PayloadFitsType(m.type, e.value.size())) {
    return absl::DataLossError(absl::StrCat("key '", KeyText(key),
                                            "' in store ", name(),
                                            " has a damaged slot; run "
                                            "'kvstore check'"));
  }
  out->type_ = static_cast<ValueType>(m.type);
  out->payload_.assign(e.value.data(), e.value.size());
  return absl::OkStatus();
}

absl::Status Table::GetLocked(absl::string_view key, uint64_t hash, Clock& now,
                              Value* out, Entry* entry) const {
  return WithLock([&]() -> absl::Status {
    // FindLocked reclaims an expired entry (a write), so it is non-const.
    auto* self = const_cast<Table*>(this);
    absl::StatusOr<Probe> probe = self->FindLocked(key, hash, now);
    if (!probe.ok()) return probe.status();
    if (!probe->found || Meta(*slot(probe->index)).type == kTypePending) {
      return Miss();
    }
    return ReadSlotLocked(probe->index, key, now, out, entry);
  });
}

absl::Status Table::Get(absl::string_view key, Value* out) const {
  absl::Status status = CheckKey(key);
  if (!status.ok()) return status;
  const uint64_t hash = HashKey(key);
  Clock now;
  if (ABSL_PREDICT_FALSE(read_only_)) {
    return GetReadOnly(key, hash, now, out, nullptr);
  }
  bool expired = false;
  status = GetLockFree(key, hash, now, out, nullptr, &expired);
  if (ABSL_PREDICT_TRUE(status.ok())) {
    Count(kHits);
    return status;
  }
  // On a race, and to reclaim an expired entry on access, use the lock.
  if (absl::IsUnavailable(status) || expired) {
    status = GetLocked(key, hash, now, out, nullptr);
  }
  if (status.ok()) {
    Count(kHits);
  } else if (absl::IsNotFound(status)) {
    Count(kMisses);
  }
  return status;
}

absl::Status Table::TryGet(absl::string_view key, Value* out,
                           ReadStamp* stamp) const {
  absl::Status status = CheckKey(key);
  if (!status.ok()) return status;
  const uint64_t hash = HashKey(key);
  Clock now;
  bool expired = false;
  status = GetLockFree(key, hash, now, out, nullptr, &expired, stamp);
  if (ABSL_PREDICT_TRUE(status.ok())) {
    Count(kHits);
    return status;
  }
  if (absl::IsUnavailable(status) || expired || IsMoved(status)) {
    return absl::UnavailableError(absl::StrCat("reading key '", KeyText(key),
                                               "' in store ", name(),
                                               " needs the lock"));
  }
  if (absl::IsNotFound(status)) Count(kMisses);
  return status;
}

bool Table::IsCurrent(const ReadStamp& stamp) const {
  // The stamp's seq was read even and validated, and every change of the
  // slot's entry (a write, a delete, an expiry change, an eviction, the
  // delete that moves another entry into it) gives the slot a new seq with
  // a version never used before. The entry is still there, whole, if the
  // seq still is; its expiry is fixed with its version. A resize marks the
  // table moved before copying, and writes go to the new one after.
  if (stamp.table_ != serial_ ||
      header_->moved.load(std::memory_order_acquire) != 0) {
    return false;
  }
  SlotHeader* s = slot(stamp.slot_);  // < slot_count: this table stamped it.
  if (s->seq.load(std::memory_order_acquire) != stamp.seq_) return false;
  if (stamp.expires_ms_ != 0) {
    Clock now;
    if (now.Expired(stamp.expires_ms_)) return false;
  }
  if (geometry_.eviction == kEvictClock && !read_only_ &&
      (s->info.load(std::memory_order_relaxed) & kReferencedBit) == 0) {
    s->info.fetch_or(kReferencedBit, std::memory_order_relaxed);
  }
  Count(kHits);
  return true;
}

absl::StatusOr<Entry> Table::GetEntry(absl::string_view key) const {
  absl::Status status = CheckKey(key);
  if (!status.ok()) return status;
  const uint64_t hash = HashKey(key);
  Clock now;
  Entry entry;
  bool expired = false;
  if (ABSL_PREDICT_FALSE(read_only_)) {
    status = GetReadOnly(key, hash, now, &entry.value, &entry);
  } else {
    status = GetLockFree(key, hash, now, &entry.value, &entry, &expired);
  }
  if (!read_only_ && (absl::IsUnavailable(status) || expired)) {
    status = GetLocked(key, hash, now, &entry.value, &entry);
  }
  if (status.ok()) {
    Count(kHits);
  } else if (absl::IsNotFound(status)) {
    Count(kMisses);
  }
  if (!status.ok()) return status;
  return entry;
}

std::vector<absl::StatusOr<Value>> Table::MultiGet(
    const std::vector<std::string>& keys) const {
  std::vector<absl::StatusOr<Value>> results(keys.size(),
                                             absl::UnknownError("unset"));
  std::vector<uint64_t> hashes;
  for (const std::string& k : keys) hashes.push_back(HashKey(k));
  absl::Status status =
      ReadSection("a snapshot of the keys", [&]() -> absl::Status {
        Clock now;
        auto* self = const_cast<Table*>(this);
        for (size_t i = 0; i < keys.size(); ++i) {
          absl::Status check = CheckKey(keys[i]);
          if (!check.ok()) {
            results[i] = check;
            continue;
          }
          absl::StatusOr<Probe> probe =
              self->FindLocked(keys[i], hashes[i], now);
          if (!probe.ok()) return probe.status();
          if (!probe->found || Meta(*slot(probe->index)).type == kTypePending) {
            results[i] = Miss();
            Count(kMisses);
            continue;
          }
          Value v;
          absl::Status read =
              ReadSlotLocked(probe->index, keys[i], now, &v, nullptr);
          results[i] = read.ok() ? absl::StatusOr<Value>(std::move(v)) : read;
          if (read.ok()) Count(kHits);
        }
        return absl::OkStatus();
      });
  if (!status.ok()) {
    for (auto& r : results) r = status;
  }
  return results;
}

std::vector<absl::StatusOr<Value>> Table::BatchGet(
    const std::vector<std::string>& keys) const {
  std::vector<uint64_t> hashes(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    hashes[i] = HashKey(keys[i]);
    PrefetchHome(hashes[i]);  // The batch's misses overlap.
  }
  std::vector<absl::StatusOr<Value>> results;
  results.reserve(keys.size());
  Clock now;
  for (size_t i = 0; i < keys.size(); ++i) {
    absl::Status status = CheckKey(keys[i]);
    Value v;
    bool expired = false;
    if (status.ok() && read_only_) {
      status = GetReadOnly(keys[i], hashes[i], now, &v, nullptr);
    } else if (status.ok()) {
      status = GetLockFree(keys[i], hashes[i], now, &v, nullptr, &expired);
      if (absl::IsUnavailable(status) || expired) {
        status = GetLocked(keys[i], hashes[i], now, &v, nullptr);
      }
      if (status.ok()) {
        Count(kHits);
      } else if (absl::IsNotFound(status)) {
        Count(kMisses);
      }
    }
    if (status.ok()) {
      results.emplace_back(std::move(v));
    } else {
      results.emplace_back(std::move(status));
    }
  }
  return results;
}

absl::StatusOr<ScanBatch> Table::Scan(uint64_t cursor, absl::string_view prefix,
                                      size_t count) const {
  ScanBatch batch;
  absl::StatusOr<uint64_t> next =
      ScanSlots(cursor, count,
                [&](uint64_t i, const SlotMeta& m, const EntryBytes& e,
                    Clock& now) -> absl::Status {
                  if (!absl::StartsWith(e.key, prefix)) return absl::OkStatus();
                  Value v;
                  absl::Status read = ValueOf(e.key, m, e, &v);
                  if (!read.ok()) return read;
                  batch.entries.emplace_back(std::string(e.key), std::move(v));
                  return absl::OkStatus();
                });
  if (!next.ok()) return next.status();
  batch.cursor = *next;
  return batch;
}

absl::StatusOr<uint64_t> Table::ScanRaw(uint64_t cursor, size_t count,
                                        std::vector<RawEntry>* out) const {
  return ScanSlots(
      cursor, count,
      [&](uint64_t, const SlotMeta& m, const EntryBytes& e,
          Clock&) -> absl::Status {
        out->push_back(RawEntry{m.type, std::string(e.key),
                                std::string(e.value), m.expires_ms});
        return absl::OkStatus();
      });
}

absl::StatusOr<uint64_t> Table::ScanSlots(
    uint64_t cursor, size_t count,
    absl::FunctionRef<absl::Status(uint64_t, const SlotMeta&, const EntryBytes&,
                                   Clock&)>
        visit) const {
  if (cursor >= geometry_.slot_count) {
    return absl::OutOfRangeError(
        absl::StrCat("scan cursor ", cursor, " is past the end of store ",
                     name(), " (", geometry_.slot_count, " slots)"));
  }
  if (count == 0) count = 1;
  if (read_only_) return ScanSlotsReadOnly(cursor, count, visit);
  uint64_t next_cursor = 0;
  absl::Status status = WithLock([&]() -> absl::Status {
    Clock now;
    // Visit `count` slots, then go on to the end of the probe cluster:
    // entries only ever move back within their cluster and never before
    // their home slot, so an entry not yet visited can never move before
    // the next cursor, which always follows an empty slot.
    uint64_t i = cursor;
    uint64_t visited = 0;
    bool wrapped = false;
    for (;;) {
      const SlotHeader* s = slot(i);
      const SlotMeta m = Meta(*s);
      const bool empty = m.empty();
      if (!empty && m.type != kTypePending && !now.Expired(m.expires_ms)) {
        absl::StatusOr<EntryBytes> e = EntryLocked(i, m);
        if (!e.ok()) return e.status();
        absl::Status visited_ok = visit(i, m, *e, now);
        if (!visited_ok.ok()) return visited_ok;
      }
      ++visited;
      i = Next(i);
      if (i == 0) wrapped = true;
      if (visited >= geometry_.slot_count) break;
      if (visited >= count && empty) break;
    }
    // Finished when the walk reached the end of the table (wrapping only
    // to complete the last cluster).
    next_cursor = (wrapped || visited >= geometry_.slot_count) ? 0 : i;
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return next_cursor;
}

absl::Status Table::Snapshot(
    absl::string_view prefix,
    std::vector<std::pair<std::string, Value>>* entries) const {
  return ReadSection("a snapshot of the store", [&]() -> absl::Status {
    entries->clear();
    Clock now;
    for (uint64_t i = 0; i < geometry_.slot_count; ++i) {
      const SlotMeta m = Meta(*slot(i));
      if (m.empty() || m.type == kTypePending) continue;
      if (now.Expired(m.expires_ms)) continue;
      absl::StatusOr<EntryBytes> e = EntryLocked(i, m);
      if (!e.ok()) return e.status();
      if (!absl::StartsWith(e->key, prefix)) continue;
      Value v;
      absl::Status read = ReadSlotLocked(i, e->key, now, &v, nullptr);
      if (!read.ok()) return read;
      entries->emplace_back(std::string(e->key), std::move(v));
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<StoreStats> Table::Stats() const {
  if (header_->moved.load(std::memory_order_acquire) != 0) return Moved();
  absl::Status size = CheckSize();  // Reading a shrunk segment would fault.
  if (!size.ok()) return size;
  absl::StatusOr<struct stat> st = segment_->Stat();
  if (!st.ok()) return st.status();
  StoreStats stats;
  stats.name = name();
  stats.segment_bytes = static_cast<uint64_t>(st->st_size);
  stats.mode = st->st_mode & 07777;
  stats.writable_by_others = (stats.mode & 022) != 0;
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
  if (arena_ != nullptr) {
    // The figures and the largest free block, read under the lock.
    // A read-only table reads them without the lock: each is exact, but
    // they may be a write apart.
    ArenaFigures f;
    absl::Status locked = absl::OkStatus();
    if (read_only_) {
      f = arena_->Figures();
    } else {
      locked = WithLock([&]() -> absl::Status {
        f = arena_->Figures();
        return absl::OkStatus();
      });
    }
    if (!locked.ok()) return locked;
    stats.data_bytes = f.data_bytes;
    stats.data_used_bytes = f.used_bytes;
    stats.data_free_bytes = f.free_bytes;
    stats.data_entries = f.used_blocks;
    stats.largest_storable = f.largest_free > 8 ? f.largest_free - 8 : 0;
    stats.rounding_bytes =
        f.used_bytes > f.payload_bytes ? f.used_bytes - f.payload_bytes : 0;
    stats.fragmented_bytes =
        f.free_bytes > f.largest_free ? f.free_bytes - f.largest_free : 0;
  }
  stats.longest_lock_wait = absl::Nanoseconds(
      header_->longest_lock_wait_ns.load(std::memory_order_relaxed));
  stats.lock_resets =
      header_->unrecoverable_resets.load(std::memory_order_relaxed);
  stats.eviction = static_cast<Eviction>(geometry_.eviction);
  stats.load_factor =
      static_cast<double>(stats.entry_count) / geometry_.slot_count;
  stats.tombstones = 0;
  uint64_t sums[kCounterKinds] = {};
  for (size_t shard = 0; shard < kCounterShards; ++shard) {
    for (int kind = 0; kind < kCounterKinds; ++kind) {
      sums[kind] +=
          reinterpret_cast<const std::atomic<uint64_t>*>(
              counters_ + shard * kCounterShardBytes + kind * sizeof(uint64_t))
              ->load(std::memory_order_relaxed);
    }
  }
  stats.hits = sums[kHits];
  stats.misses = sums[kMisses];
  stats.sets = sums[kSets];
  stats.deletes = sums[kDeletes];
  stats.expirations = sums[kExpirations];
  stats.evictions = sums[kEvictions];
  stats.lock_waits = sums[kLockWaits];
  stats.lock_wait_time =
      absl::Nanoseconds(static_cast<int64_t>(sums[kLockWaitNanos]));
  stats.long_lock_waits = sums[kLongLockWaits];
  stats.compactions = sums[kCompactions];
  stats.compacted_bytes = sums[kCompactedBytes];
  return stats;
}

}  // namespace internal
}  // namespace kvstore
