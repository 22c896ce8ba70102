// Applying the journal (on the normal path and in recovery) and Verify.
//
// Recovery protocol, run by whichever process next takes the lock after an
// owner died (pthread_mutex_lock returned EOWNERDEAD):
//   1. journal_state idle: the dead writer had not committed; the table is
//      untouched (a half-built journal image is simply ignored).
//   2. kJournalWrite: copy the image (key and value) into journal_slot
//      again, with the slot's seq odd meanwhile, set entry_count.
//      kJournalPatch: the same for an image of the value alone, written
//      after the key already in the slot.
//   3. kJournalDelete: continue the backward shift from the hole recorded
//      in journal_slot, clear the last hole, set entry_count, make
//      structure_seq even.
//   4. Set the journal idle, count the recovery, mark the mutex consistent.
// Every step is idempotent, so a recoverer killed anywhere leaves the same
// journal for the next one.
#include <errno.h>

#include <atomic>
#include <cstring>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "kvstore/internal/fault_injection.h"
#include "kvstore/internal/hash.h"
#include "kvstore/internal/robust_mutex.h"
#include "kvstore/internal/table.h"

namespace kvstore {
namespace internal {
namespace {

// Marks a slot as being written (seq odd; a seq that a dead writer left odd
// stays odd).
void BeginSlotWrite(SlotHeader* s) {
  s->seq.store(s->seq.load(std::memory_order_relaxed) | 1,
               std::memory_order_relaxed);
  std::atomic_thread_fence(std::memory_order_release);
}

// Publishes the slot's new seq word (even: version, key length, type).
void EndSlotWrite(SlotHeader* s, uint64_t seq) {
  s->seq.store(seq & ~uint64_t{1}, std::memory_order_release);
}

// True if `home` lies in the cyclic interval (hole, j].
bool InCyclicRange(uint64_t home, uint64_t hole, uint64_t j) {
  return hole <= j ? (hole < home && home <= j) : (home > hole || home <= j);
}

}  // namespace

void Table::ApplyWrite(bool with_key) const {
  const uint64_t index = header_->journal_slot.load(std::memory_order_relaxed);
  const uint32_t bytes = header_->journal_image_bytes;
  uint64_t image[2];
  std::memcpy(image, journal_, sizeof(image));
  SlotHeader* s = slot(index);
  // A patch leaves the key in place and writes the value after it.
  uint8_t* body =
      reinterpret_cast<uint8_t*>(s + 1) + (with_key ? 0 : SeqKeyLen(image[0]));
  const uint8_t* from = journal_ + sizeof(image);
  const size_t body_bytes = bytes - sizeof(image);
  BeginSlotWrite(s);
  KVSTORE_FAULT_POINT("write.slot_odd");
#ifdef KVSTORE_FAULT_INJECTION
  // Test builds copy in two halves so that a kill can land in between.
  std::memcpy(body, from, body_bytes / 2);
  KVSTORE_FAULT_POINT("write.slot_half_copied");
#endif
  std::memcpy(body, from, body_bytes);
  s->info.store(image[1], std::memory_order_relaxed);
  KVSTORE_FAULT_POINT("write.slot_copied");
  EndSlotWrite(s, image[0]);
  header_->entry_count.store(header_->journal_entry_count,
                             std::memory_order_relaxed);
  // Writes are serialised, so the last one applied has the newest version.
  header_->version_counter.store(SeqVersion(image[0]),
                                 std::memory_order_relaxed);
}

void Table::ApplyDelete() const {
  uint64_t structure = header_->structure_seq.load(std::memory_order_relaxed);
  if ((structure & 1) == 0) {
    header_->structure_seq.store(structure + 1, std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_release);
  }
  uint64_t hole = header_->journal_slot.load(std::memory_order_relaxed);
  // Move back every entry after the hole whose home does not lie between
  // the hole and itself, until an empty slot ends the cluster. A moved
  // entry keeps its seq word (and so its version).
  uint64_t j = Next(hole);
  for (uint64_t n = 0; n < geometry_.slot_count && j != hole; ++n) {
    SlotHeader* s = slot(j);
    const SlotMeta m = Meta(*s);
    if (m.empty()) break;
    uint64_t hash;
    size_t bytes;
    if (m.key_len != 0) {
      if (m.key_len + uint64_t{m.value_len} > geometry_.inline_bytes) {
        break;  // Damaged slot: stop shifting; Verify reports it.
      }
      hash = HashKey(absl::string_view(KeyOf(s), m.key_len));
      bytes = m.key_len + m.value_len;
    } else {
      hash = RefOf(s).key_hash;  // The block stays where it is.
      bytes = sizeof(BlockRef);
    }
    const uint64_t home = HomeSlot(hash, geometry_.slot_count);
    if (!InCyclicRange(home, hole, j)) {
      SlotHeader* to = slot(hole);
      BeginSlotWrite(to);
      std::memcpy(reinterpret_cast<uint8_t*>(to + 1), KeyOf(s), bytes);
      to->info.store(s->info.load(std::memory_order_relaxed),
                     std::memory_order_relaxed);
      EndSlotWrite(to, s->seq.load(std::memory_order_relaxed));
      header_->journal_slot.store(j, std::memory_order_release);
      KVSTORE_FAULT_POINT("erase.shifted");
      hole = j;
    }
    j = Next(j);
  }
  SlotHeader* last = slot(hole);
  const uint64_t version =
      NextVersion(header_->version_counter.load(std::memory_order_relaxed));
  BeginSlotWrite(last);
  last->info.store(0, std::memory_order_relaxed);
  EndSlotWrite(last, PackSeq(version, 0, kSlotEmpty));
  header_->version_counter.store(version, std::memory_order_relaxed);
  KVSTORE_FAULT_POINT("erase.hole_cleared");
  header_->entry_count.store(header_->journal_entry_count,
                             std::memory_order_relaxed);
  structure = header_->structure_seq.load(std::memory_order_relaxed);
  header_->structure_seq.store(structure + 1, std::memory_order_release);
}

absl::Status Table::Repair() const {
  const int64_t start_ns = absl::GetCurrentTimeNanos();
  const uint32_t state = header_->journal_state.load(std::memory_order_acquire);
  const uint64_t index = header_->journal_slot.load(std::memory_order_relaxed);
  if (state != kJournalIdle) {
    if (index >= geometry_.slot_count ||
        header_->journal_entry_count > geometry_.capacity) {
      return absl::DataLossError(absl::StrCat(
          "store ", name(), " has a damaged journal (slot ", index, ")"));
    }
  }
  if (state == kJournalWrite || state == kJournalPatch) {
    const bool with_key = state == kJournalWrite;
    const uint32_t bytes = header_->journal_image_bytes;
    uint64_t image[2];
    std::memcpy(image, journal_, sizeof(image));
    const SlotMeta m = Unpack(image[0], image[1]);
    bool sound;
    if (with_key && m.key_len == 0) {
      // An out-of-line entry: the image is its block's reference.
      BlockRef ref;
      std::memcpy(&ref, journal_ + sizeof(image), sizeof(ref));
      sound = !m.empty() && m.value_len == 0 &&
              bytes == kSlotHeaderBytes + sizeof(ref) && arena_ != nullptr &&
              ref.key_len != 0 && ref.key_len <= geometry_.max_key_bytes &&
              ref.value_len <= geometry_.max_value_bytes &&
              arena_->Plausible(ref.offset, ref.block_bytes,
                                uint64_t{ref.key_len} + ref.value_len);
    } else {
      sound =
          bytes >= kSlotHeaderBytes && bytes <= geometry_.slot_bytes &&
          !m.empty() && m.key_len != 0 &&
          m.key_len <= geometry_.max_key_bytes &&
          m.key_len + uint64_t{m.value_len} <= geometry_.inline_bytes &&
          bytes == kSlotHeaderBytes + (with_key ? m.key_len : 0) + m.value_len;
    }
    if (!sound) {
      return absl::DataLossError(
          absl::StrCat("store ", name(), " has a damaged journal image"));
    }
    if (!with_key) {
      // A patch writes after the key already in the slot: that key must be
      // there, as long as the image says.
      const SlotMeta target = Meta(*slot(index));
      if (target.empty() || target.key_len != m.key_len) {
        return absl::DataLossError(absl::StrCat(
            "store ", name(), " has a damaged journal (patch of slot ", index,
            " does not match the entry there)"));
      }
    }
    ApplyWrite(with_key);
  } else if (state == kJournalDelete) {
    ApplyDelete();
  } else if (state != kJournalIdle) {
    return absl::DataLossError(absl::StrCat(
        "store ", name(), " has an unknown journal state ", state));
  }
  header_->journal_state.store(kJournalIdle, std::memory_order_release);
  if (header_->moved.load(std::memory_order_relaxed) != 0 && NameIsOurs()) {
    // A resizer died between marking this segment moved and giving the
    // new one the name: this one is still the store.
    header_->moved.store(0, std::memory_order_release);
  }
  if (arena_header_ != nullptr &&
      arena_header_->dirty.load(std::memory_order_acquire) != 0) {
    // The dead holder was changing the data area: its free lists are
    // derived from the table, whose journal is now applied.
    absl::Status rebuilt = RebuildArena();
    if (!rebuilt.ok()) return rebuilt;
  }
  header_->recovery_count.fetch_add(1, std::memory_order_relaxed);
  const int64_t end_ns = absl::GetCurrentTimeNanos();
  header_->last_recovery_unix_ns.store(end_ns, std::memory_order_relaxed);
  if (end_ns - start_ns >
      header_->longest_repair_ns.load(std::memory_order_relaxed)) {
    header_->longest_repair_ns.store(end_ns - start_ns,
                                     std::memory_order_relaxed);
  }
  return absl::OkStatus();
}

absl::Status Table::ResetLock(absl::string_view name) {
  StoreKind any;
  any.kind = kKindAny;
  absl::StatusOr<std::unique_ptr<Table>> table = Open(name, Options(), any);
  if (!table.ok()) return table.status();
  Header* h = (*table)->header_;
  // Not trylock: see kNoWait in robust_mutex.cc.
  int64_t waited_ns = 0;
  int rc = LockMutex(&h->mutex, /*timeout_ns=*/-1, &waited_ns);
  if (rc == 0 || rc == EOWNERDEAD) {
    absl::Status repaired = rc == 0 ? absl::OkStatus() : (*table)->Repair();
    if (rc == EOWNERDEAD) pthread_mutex_consistent(&h->mutex);
    pthread_mutex_unlock(&h->mutex);
    if (!repaired.ok()) return repaired;
    return absl::FailedPreconditionError(
        absl::StrCat("the lock of store ", (*table)->name(),
                     " is healthy; nothing to reset"));
  }
  if (rc != ENOTRECOVERABLE) {
    return absl::InternalError(
        absl::StrCat("locking store ", (*table)->name(), ": error ", rc));
  }
  // Nobody can hold an unrecoverable mutex, so the journal is ours to
  // replay before the lock is made anew.
  absl::Status repaired = (*table)->Repair();
  if (!repaired.ok()) return repaired;
  absl::Status init = InitRobustMutex(&h->mutex);
  if (!init.ok()) return init;
  h->unrecoverable_resets.fetch_add(1, std::memory_order_relaxed);
  return absl::OkStatus();
}

absl::Status Table::CheckSize() const {
  absl::StatusOr<struct stat> st = segment_->Stat();
  if (!st.ok()) return st.status();
  if (static_cast<uint64_t>(st->st_size) != geometry_.segment_bytes) {
    return absl::DataLossError(absl::StrCat(
        "store ", name(), " was resized by another program to ", st->st_size,
        " bytes (it must be ", geometry_.segment_bytes,
        "); using it could crash this process with SIGBUS; destroy it"));
  }
  return absl::OkStatus();
}

absl::Status Table::CollectBlocks(std::vector<BlockExtent>* blocks) const {
  for (uint64_t i = 0; i < geometry_.slot_count; ++i) {
    const SlotMeta m = Meta(*slot(i));
    if (!OutOfLine(m)) continue;
    absl::StatusOr<EntryBytes> e = EntryLocked(i, m);
    if (!e.ok()) return e.status();
    blocks->push_back(e->block);
  }
  return absl::OkStatus();
}

absl::Status Table::RebuildArena() const {
  std::vector<BlockExtent> blocks;
  absl::Status status = CollectBlocks(&blocks);
  if (status.ok()) status = arena_->Rebuild(std::move(blocks));
  if (!status.ok()) {
    return absl::DataLossError(absl::StrCat(
        "store ", name(), " has a damaged data area: ", status.message()));
  }
  arena_header_->dirty.store(0, std::memory_order_release);
  arena_dirty_ = false;
  return absl::OkStatus();
}

// Verify tells its progress every this many slots.
constexpr uint64_t kVerifyProgressSlots = uint64_t{1} << 16;

absl::Status Table::Verify(const ProgressCallback& progress) const {
  // Checked first: walking a shrunk table would fault.
  absl::Status size = CheckSize();
  if (!size.ok()) return size;
  std::vector<std::string> problems;
  auto report = [&](std::string problem) {
    if (problems.size() < 20) problems.push_back(std::move(problem));
  };
  auto check = [&]() -> absl::Status {
    problems.clear();
    absl::flat_hash_set<std::string> keys;
    std::vector<BlockExtent> blocks;
    uint64_t full = 0;
    for (uint64_t i = 0; i < geometry_.slot_count; ++i) {
      if (progress && i % kVerifyProgressSlots == 0 && i != 0) {
        progress(i, geometry_.slot_count);
      }
      const SlotHeader* s = slot(i);
      const SlotMeta m = Meta(*s);
      if (m.writing) {
        report(absl::StrCat("slot ", i, ": left mid-write (odd seq)"));
      }
      if (m.empty()) continue;
      ++full;
      absl::StatusOr<EntryBytes> e = EntryLocked(i, m);
      if (!e.ok()) {
        report(absl::StrCat("slot ", i, ": key length ", m.key_len,
                            ", value length ", m.value_len,
                            m.key_len == 0 ? " (block out of range)" : ""));
        continue;
      }
      if (e->out_of_line) {
        blocks.push_back(e->block);
        if (FitsInline(e->key.size(), e->value.size())) {
          report(absl::StrCat("slot ", i,
                              ": an entry that fits its slot is in a "
                              "block"));
        }
      }
      const absl::string_view key = e->key;
      if (m.type == kTypePending) {
        if (e->value.size() != 8 || m.expires_ms == 0) {
          report(absl::StrCat("slot ", i, ": malformed compute marker"));
        }
      } else {
        absl::StatusOr<Value> v =
            Value::FromEncoded(static_cast<ValueType>(m.type), e->value);
        if (!v.ok()) {
          report(absl::StrCat("slot ", i, ": ", v.status().message()));
        }
      }
      if (m.version == 0) {
        report(absl::StrCat("slot ", i, ": version 0"));
      }
      const uint64_t hash = HashKey(key);
      if (e->out_of_line && RefOf(s).key_hash != hash) {
        report(absl::StrCat("slot ", i, ": wrong key hash"));
      }
      if (!keys.insert(std::string(key)).second) {
        report(absl::StrCat("slot ", i, ": duplicate key"));
      }
      // Linear probing: no empty slot between the key's home and its slot.
      for (uint64_t p = HomeSlot(hash, geometry_.slot_count); p != i;
           p = Next(p)) {
        if (Meta(*slot(p)).empty()) {
          report(absl::StrCat("slot ", i, ": unreachable from its home ",
                              HomeSlot(hash, geometry_.slot_count)));
          break;
        }
      }
    }
    if (progress) progress(geometry_.slot_count, geometry_.slot_count);
    const uint64_t count = header_->entry_count.load(std::memory_order_relaxed);
    if (count != full) {
      report(absl::StrCat("entry count is ", count, " but ", full,
                          " slots are full"));
    }
    if (full > geometry_.capacity) {
      report(
          absl::StrCat(full, " entries exceed capacity ", geometry_.capacity));
    }
    if (header_->journal_state.load(std::memory_order_relaxed) !=
        kJournalIdle) {
      report("journal is not idle");
    }
    if (header_->structure_seq.load(std::memory_order_relaxed) & 1) {
      report("structure sequence left odd");
    }
    if (arena_ != nullptr) {
      if (arena_header_->dirty.load(std::memory_order_relaxed) != 0) {
        report("data area left mid-change (dirty)");
      }
      std::vector<std::string> arena_problems;
      arena_->Check(std::move(blocks), &arena_problems);
      for (std::string& p : arena_problems) report(std::move(p));
    }
    return absl::OkStatus();
  };
  // A read-only table checks a moment when no write is under way and no
  // repair is due (Optimistic); a busy journal then means damage too.
  absl::Status status = read_only_
                            ? Optimistic("a check of the store", check)
                            : WithLock(check, /*allow_busy_journal=*/true);
  if (!status.ok()) return status;
  if (problems.empty()) return absl::OkStatus();
  return absl::DataLossError(absl::StrCat(
      "store ", name(), " is damaged: ", absl::StrJoin(problems, "; ")));
}

}  // namespace internal
}  // namespace kvstore
