// Read-only tables (Options::read_only): the segment is mapped PROT_READ,
// so nothing here may store to it; a stray write would fault, not land.
//
// Where a read-write table takes the lock to read, a read-only one cannot:
//   - Get, GetEntry and the batch reads retry the lock-free read (the slot
//     seqlock) instead of falling back to the lock, and read an expired
//     entry as absent instead of reclaiming it.
//   - Scan copies each slot under its seq and keeps a batch only if no
//     delete moved slots meanwhile (structure_seq), the guarantee the lock
//     gives a locked batch.
//   - Snapshots (MultiGet with snapshot, ForEach), Verify: Optimistic runs
//     the locked read's body while the lock is free and keeps its result
//     only if no write began or ended meanwhile.
// Each retries for at most Options::read_only_wait, then UNAVAILABLE: a
// writer that died mid-write leaves its slot odd (or the structure
// sequence odd, or the journal busy) until a read-write handle repairs the
// store, which a read-only one cannot do.
#include <sched.h>

#include <algorithm>
#include <atomic>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "kvstore/internal/robust_mutex.h"
#include "kvstore/internal/table.h"

namespace kvstore {
namespace internal {
namespace {

inline void CpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

// Rereads of an odd slot before a scan batch starts over.
constexpr int kSlotSpins = 64;

}  // namespace

absl::Status Table::ReadOnlyRefusal() const {
  return absl::PermissionDeniedError(absl::StrCat(
      "store ", name(),
      " is open read-only (Options::read_only; the kvstore tool opens it so "
      "with --read-only, or when this user may only read it): writes are "
      "refused"));
}

absl::Status Table::GaveUp(absl::string_view what) const {
  return absl::UnavailableError(absl::StrCat(
      "store ", name(), ": a read-only handle gave up reading ", what,
      " after ", absl::FormatDuration(absl::Nanoseconds(read_wait_ns_)),
      " (Options::read_only_wait): writers kept changing it, or a writer "
      "died mid-write and the store awaits the repair that the next "
      "read-write handle to write makes; retry"));
}

bool Table::BackOff(int attempt, int64_t* deadline_ns) const {
  const int64_t now = BoottimeNanos();
  if (*deadline_ns == 0) *deadline_ns = now + read_wait_ns_;
  if (now >= *deadline_ns) return false;
  if (attempt < 4) {
    sched_yield();  // A live writer finishes within microseconds.
    return true;
  }
  const int shift = attempt - 4 < 5 ? attempt - 4 : 5;
  const int64_t nap =
      std::min<int64_t>(int64_t{32000} << shift, *deadline_ns - now);
  absl::SleepFor(absl::Nanoseconds(nap));
  return true;
}

absl::Status Table::GetReadOnly(absl::string_view key, uint64_t hash,
                                Clock& now, Value* out, Entry* entry) const {
  int64_t deadline_ns = 0;
  for (int attempt = 0;; ++attempt) {
    bool expired = false;
    absl::Status status = GetLockFree(key, hash, now, out, entry, &expired);
    if (IsMoved(status)) {
      // Resized: the caller reopens the name, unless the resizer has not
      // given it to the new segment yet (or died before it could).
      if (!NameIsOurs()) return status;
    } else if (!absl::IsUnavailable(status)) {
      return status;  // A hit, a miss (an expired entry too), or damage.
    }
    if (!BackOff(attempt, &deadline_ns)) {
      return GaveUp(absl::StrCat("key '", KeyText(key), "'"));
    }
  }
}

absl::Status Table::Optimistic(absl::string_view what,
                               absl::FunctionRef<absl::Status()> fn) const {
  int64_t deadline_ns = 0;
  bool confirming = false;  // fn failed once; a failure must repeat.
  absl::Status failed;
  for (int attempt = 0;; ++attempt) {
    const bool moved = header_->moved.load(std::memory_order_acquire) != 0;
    if (moved && !NameIsOurs()) return Moved();
    // The lock word first: whatever a writer that takes the lock after it
    // changes is then covered by the checks after fn.
    const bool unlocked = LockIsFree(&header_->mutex);
    const uint64_t version =
        header_->version_counter.load(std::memory_order_acquire);
    const uint64_t structure =
        header_->structure_seq.load(std::memory_order_acquire);
    // A lock free but a journal busy, a structure sequence odd or a data
    // area dirty: a writer died mid-write, and only a locker repairs that.
    const bool stable =
        unlocked && !moved && (structure & 1) == 0 &&
        header_->journal_state.load(std::memory_order_acquire) ==
            kJournalIdle &&
        (arena_header_ == nullptr ||
         arena_header_->dirty.load(std::memory_order_acquire) == 0);
    if (stable) {
      absl::Status status = fn();
      std::atomic_thread_fence(std::memory_order_acquire);
      const bool unchanged =
          LockIsFree(&header_->mutex) &&
          header_->version_counter.load(std::memory_order_relaxed) == version &&
          header_->structure_seq.load(std::memory_order_relaxed) == structure;
      if (unchanged) {
        // A write that changes no entry (an allocation that failed) can
        // still have been under way: a failure counts once seen twice.
        if (status.ok() || (confirming && status == failed)) return status;
        confirming = true;
        failed = status;
      }
    }
    // A failure seen once, and never again on a stable store, is not
    // confirmed: it may have been a writer's half-done change (one that
    // died holding the lock, say).
    if (!BackOff(attempt, &deadline_ns)) return GaveUp(what);
  }
}

absl::StatusOr<uint64_t> Table::ScanSlotsReadOnly(
    uint64_t cursor, size_t count,
    absl::FunctionRef<absl::Status(uint64_t, const SlotMeta&, const EntryBytes&,
                                   Clock&)>
        visit) const {
  struct Copy {
    uint64_t index;
    SlotMeta meta;
    std::string key;
    std::string value;
  };
  std::vector<Copy> copies;
  int64_t deadline_ns = 0;
  for (int attempt = 0;; ++attempt) {
    const bool moved = header_->moved.load(std::memory_order_acquire) != 0;
    if (moved && !NameIsOurs()) return Moved();
    copies.clear();
    Clock now;
    const uint64_t structure =
        header_->structure_seq.load(std::memory_order_acquire);
    bool stable = !moved && (structure & 1) == 0;
    absl::Status damage;
    // The walk of ScanSlots (table_read.cc), each slot copied under its
    // seq: the batch ends after `count` slots, at the end of a cluster.
    uint64_t i = cursor;
    uint64_t visited = 0;
    bool wrapped = false;
    while (stable) {
      const SlotHeader* s = slot(i);
      uint64_t seq = s->seq.load(std::memory_order_acquire);
      for (int spin = 0; (seq & 1) != 0 && spin < kSlotSpins; ++spin) {
        CpuRelax();
        seq = s->seq.load(std::memory_order_acquire);
      }
      if (seq & 1) {
        stable = false;
        break;
      }
      const SlotMeta m = Unpack(seq, s->info.load(std::memory_order_relaxed));
      const bool empty = m.empty();
      Copy copy{i, m, {}, {}};
      bool keep = false;
      if (!empty && m.type != kTypePending && !now.Expired(m.expires_ms)) {
        // EntryLocked bounds every length and offset, torn or not.
        absl::StatusOr<EntryBytes> e = EntryLocked(i, m);
        if (e.ok()) {
          copy.key.assign(e->key.data(), e->key.size());
          copy.value.assign(e->value.data(), e->value.size());
          keep = true;
        } else {
          damage = e.status();
        }
      }
      std::atomic_thread_fence(std::memory_order_acquire);
      if (s->seq.load(std::memory_order_relaxed) != seq) {
        stable = false;
        break;
      }
      if (!damage.ok()) break;  // Stable and damaged: reported below.
      if (keep) copies.push_back(std::move(copy));
      ++visited;
      i = Next(i);
      if (i == 0) wrapped = true;
      if (visited >= geometry_.slot_count) break;
      if (visited >= count && empty) break;
    }
    std::atomic_thread_fence(std::memory_order_acquire);
    if (stable &&
        header_->structure_seq.load(std::memory_order_relaxed) == structure) {
      if (!damage.ok()) return damage;
      for (const Copy& c : copies) {
        EntryBytes e;
        e.key = c.key;
        e.value = c.value;
        absl::Status status = visit(c.index, c.meta, e, now);
        if (!status.ok()) return status;
      }
      return (wrapped || visited >= geometry_.slot_count) ? 0 : i;
    }
    if (!BackOff(attempt, &deadline_ns)) {
      return GaveUp(absl::StrCat("a scan batch at cursor ", cursor));
    }
  }
}

}  // namespace internal
}  // namespace kvstore
