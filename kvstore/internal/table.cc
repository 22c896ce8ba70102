// Opening a table, the lock, and the write primitives every operation is
// built from. Every write runs under the robust mutex and follows the same
// protocol: fill the journal, publish journal_state (the commit point),
// apply, set the journal idle.
#include "kvstore/internal/table.h"

#include <pthread.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cstring>
#include <limits>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "kvstore/internal/fault_injection.h"
#include "kvstore/internal/hash.h"
#include "kvstore/internal/robust_mutex.h"
#include "kvstore/internal/shm_names.h"

namespace kvstore {
namespace internal {
namespace {

constexpr char kMovedPayload[] = "kvstore.moved";

// Slots examined for expired entries before a full store evicts.
constexpr uint64_t kSweepWhenFull = 256;

// Compactions a write tries before it is refused: one whose moves ran out
// of free blocks large enough has still joined some, and the next chooses
// again from there.
constexpr int kCompactionsPerWrite = 3;

absl::Status CheckLimits(const std::string& name, const Geometry& g,
                         const Options& options) {
  // A typed store has no data area whatever `memory` says.
  const uint64_t memory =
      g.kind == kKindTagged ? RoundUp(options.memory, 16) : 0;
  if (g.capacity == options.capacity &&
      g.max_key_bytes == options.max_key_bytes &&
      g.max_value_bytes == options.max_value_bytes && g.data_bytes == memory) {
    return absl::OkStatus();
  }
  return absl::FailedPreconditionError(absl::StrFormat(
      "store %s has capacity %d, max key bytes %d, max value bytes %d, "
      "memory %d; requested %d, %d, %d, %d",
      name, g.capacity, g.max_key_bytes, g.max_value_bytes, g.data_bytes,
      options.capacity, options.max_key_bytes, options.max_value_bytes,
      memory));
}

absl::StatusOr<std::unique_ptr<Segment>> OpenOrCreate(const std::string& name,
                                                      const Options& options,
                                                      const StoreKind& kind) {
  if (!options.create_if_missing) {
    absl::StatusOr<std::unique_ptr<Segment>> s =
        Segment::Open(name, options, kind.kind);
    if (absl::IsNotFound(s.status())) {
      return absl::NotFoundError(
          absl::StrCat("store ", name, " does not exist"));
    }
    if (s.ok() && options.error_if_exists) {
      return absl::AlreadyExistsError(
          absl::StrCat("store ", name, " already exists"));
    }
    return s;
  }
  if (options.error_if_exists) return Segment::Create(name, options, kind);
  for (int attempt = 0; attempt < 3; ++attempt) {
    absl::StatusOr<std::unique_ptr<Segment>> s =
        Segment::Open(name, options, kind.kind);
    if (!absl::IsNotFound(s.status())) return s;
    s = Segment::Create(name, options, kind);
    // Lost a race with another creator: open what it made.
    if (!absl::IsAlreadyExists(s.status())) return s;
  }
  return absl::UnavailableError(
      absl::StrCat("store ", name, " keeps appearing and disappearing"));
}

}  // namespace

int64_t BoottimeNanos() {
  struct timespec ts;
  clock_gettime(CLOCK_BOOTTIME, &ts);
  return int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}

absl::StatusOr<int64_t> ExpiryFor(absl::Duration ttl) {
  if (ttl == absl::InfiniteDuration()) return 0;
  if (ttl <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "time to live must be positive, not ", absl::FormatDuration(ttl)));
  }
  if (ttl > kMaxTtl) {
    return absl::InvalidArgumentError(absl::StrCat(
        "time to live ", absl::FormatDuration(ttl),
        " is longer than 10 years; omit it for an entry that never expires"));
  }
  return DeadlineMs(BoottimeNanos(), absl::ToInt64Nanoseconds(ttl));
}

absl::StatusOr<std::unique_ptr<Table>> Table::Open(absl::string_view name,
                                                   const Options& options,
                                                   const StoreKind& kind) {
  absl::Status status = ValidateName(name);
  if (!status.ok()) return status;
  if (options.lock_timeout < absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        absl::StrCat("lock timeout must not be negative, not ",
                     absl::FormatDuration(options.lock_timeout)));
  }
  if (options.read_only &&
      (options.create_if_missing || options.error_if_exists)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "store ", name,
        ": a read-only handle cannot create a store (Options::read_only "
        "with create_if_missing or error_if_exists)"));
  }
  if (options.read_only_wait < absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        absl::StrCat("read-only wait must not be negative, not ",
                     absl::FormatDuration(options.read_only_wait)));
  }
  status = RobustMutexSelfTest();
  if (!status.ok()) return status;
  absl::StatusOr<std::unique_ptr<Segment>> segment =
      OpenOrCreate(std::string(name), options, kind);
  if (!segment.ok()) return segment.status();
  if (options.require_same_limits) {
    status = CheckLimits((*segment)->name(), (*segment)->geometry(), options);
    if (!status.ok()) return status;
  }
  const int64_t lock_timeout_ns =
      options.lock_timeout == absl::InfiniteDuration()
          ? -1
          : absl::ToInt64Nanoseconds(options.lock_timeout);
  const int64_t read_wait_ns =
      options.read_only_wait == absl::InfiniteDuration()
          ? std::numeric_limits<int64_t>::max() / 2
          : absl::ToInt64Nanoseconds(options.read_only_wait);
  return std::unique_ptr<Table>(new Table(*std::move(segment), lock_timeout_ns,
                                          options.read_only, read_wait_ns));
}

namespace {
// Table serials: 0 is a default ReadStamp's.
uint64_t NextSerial() {
  static std::atomic<uint64_t> next{1};
  return next.fetch_add(1, std::memory_order_relaxed);
}
}  // namespace

Table::Table(std::unique_ptr<Segment> segment, int64_t lock_timeout_ns,
             bool read_only, int64_t read_wait_ns)
    : serial_(NextSerial()),
      segment_(std::move(segment)),
      lock_timeout_ns_(lock_timeout_ns),
      read_only_(read_only),
      read_wait_ns_(read_wait_ns),
      geometry_(segment_->geometry()),
      header_(segment_->header()),
      journal_(segment_->base() + geometry_.journal_offset),
      counters_(segment_->base() + geometry_.counters_offset),
      table_(segment_->base() + geometry_.table_offset),
      arena_(geometry_.data_bytes == 0
                 ? nullptr
                 : std::make_unique<Arena>(
                       reinterpret_cast<ArenaHeader*>(segment_->base() +
                                                      geometry_.arena_offset),
                       segment_->base() + geometry_.data_offset,
                       geometry_.data_bytes)),
      arena_header_(geometry_.data_bytes == 0
                        ? nullptr
                        : reinterpret_cast<ArenaHeader*>(
                              segment_->base() + geometry_.arena_offset)),
      miss_(absl::NotFoundError(
          absl::StrCat("key not found in store ", segment_->name()))) {}

absl::Status Table::KeyError(absl::string_view key) const {
  if (key.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("empty key (store ", name(), ")"));
  }
  if (key.size() > geometry_.max_key_bytes) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "key of %d bytes is longer than store %s allows (%d bytes)", key.size(),
        name(), geometry_.max_key_bytes));
  }
  return absl::OkStatus();
}

absl::Status Table::KindError() const {
  return absl::InvalidArgumentError(
      absl::StrCat("store ", name(),
                   geometry_.kind == kKindTyped
                       ? " is typed: it holds only records"
                       : " is tagged: records belong in typed stores"));
}

absl::Status Table::CheckValue(absl::string_view key,
                               const Value& value) const {
  absl::Status kind = CheckKind(value.type());
  if (!kind.ok()) return kind;
  if (value.encoded().size() > geometry_.max_value_bytes) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "value of %d bytes for key '%s' is longer than store %s allows (%d "
        "bytes)",
        value.encoded().size(), KeyText(key), name(),
        geometry_.max_value_bytes));
  }
  return absl::OkStatus();
}

absl::Status Table::DamagedSlot(uint64_t index) const {
  return absl::DataLossError(absl::StrCat(
      "store ", name(), " has a damaged slot ", index,
      " (key or value length, or its block, out of range); run 'kvstore "
      "check'"));
}

absl::StatusOr<Table::EntryBytes> Table::EntryLocked(uint64_t index,
                                                     const SlotMeta& m) const {
  const SlotHeader* s = slot(index);
  EntryBytes e;
  if (m.key_len != 0) {
    if (m.key_len > geometry_.max_key_bytes ||
        m.key_len + uint64_t{m.value_len} > geometry_.inline_bytes) {
      return DamagedSlot(index);
    }
    e.key = absl::string_view(KeyOf(s), m.key_len);
    e.value = absl::string_view(KeyOf(s) + m.key_len, m.value_len);
    return e;
  }
  const BlockRef ref = RefOf(s);
  const uint64_t payload = uint64_t{ref.key_len} + ref.value_len;
  if (m.empty() || m.value_len != 0 || arena_ == nullptr || ref.key_len == 0 ||
      ref.key_len > geometry_.max_key_bytes ||
      ref.value_len > geometry_.max_value_bytes ||
      !arena_->Plausible(ref.offset, ref.block_bytes, payload)) {
    return DamagedSlot(index);
  }
  const char* p = reinterpret_cast<const char*>(arena_->Payload(ref.offset));
  e.key = absl::string_view(p, ref.key_len);
  e.value = absl::string_view(p + ref.key_len, ref.value_len);
  e.out_of_line = true;
  e.block = BlockExtent{ref.offset, ref.block_bytes, payload};
  return e;
}

absl::Status Table::NotFound(absl::string_view key) const {
  return absl::NotFoundError(
      absl::StrCat("key '", KeyText(key), "' not found in store ", name()));
}

std::atomic<uint32_t> Table::fork_generation_{1};

size_t Table::ShardOfThisThread() {
  static const bool registered = [] {
    pthread_atfork(nullptr, nullptr, [] {
      fork_generation_.fetch_add(1, std::memory_order_relaxed);
    });
    return true;
  }();
  (void)registered;
  const auto tid = static_cast<uint64_t>(syscall(SYS_gettid));
  return (tid % kCounterShards) * kCounterShardBytes;
}

absl::Status Table::Lock(bool allow_busy_journal) const {
  // Every write, and every read that needs the lock, starts here; a
  // read-only table's reads never come here (table_read_only.cc).
  if (ABSL_PREDICT_FALSE(read_only_)) return ReadOnlyRefusal();
  bool recovered = false;
  int64_t waited_ns = 0;
  absl::Status status = LockRobust(
      &header_->mutex, lock_timeout_ns_, [this] { return Repair(); },
      &recovered, &waited_ns);
  if (ABSL_PREDICT_FALSE(!status.ok())) {
    if (absl::IsDeadlineExceeded(status)) {
      return absl::DeadlineExceededError(
          absl::StrCat("store ", name(), ": ", status.message()));
    }
    return status;
  }
  // Every owner death hands the next locker EOWNERDEAD, and repair leaves
  // the journal idle; a journal found busy otherwise was scribbled on.
  if (!allow_busy_journal &&
      header_->journal_state.load(std::memory_order_acquire) != kJournalIdle) {
    UnlockRobust(&header_->mutex);
    return absl::DataLossError(absl::StrCat(
        "store ", name(), " has a damaged journal; run 'kvstore check'"));
  }
  if (ABSL_PREDICT_FALSE(header_->moved.load(std::memory_order_acquire) != 0)) {
    UnlockRobust(&header_->mutex);
    return Moved();
  }
  if (arena_header_ != nullptr && !allow_busy_journal &&
      arena_header_->dirty.load(std::memory_order_acquire) != 0) {
    UnlockRobust(&header_->mutex);
    return absl::DataLossError(absl::StrCat(
        "store ", name(), " has a damaged data area; run 'kvstore check'"));
  }
  if (waited_ns > 0) {
    CountLocked(kLockWaits);
    CountLocked(kLockWaitNanos, static_cast<uint64_t>(waited_ns));
    if (waited_ns > kLockWaitSliceNanos) CountLocked(kLongLockWaits);
    if (waited_ns >
        header_->longest_lock_wait_ns.load(std::memory_order_relaxed)) {
      header_->longest_lock_wait_ns.store(waited_ns, std::memory_order_relaxed);
    }
  }
  return absl::OkStatus();
}

absl::Status Table::Moved() const {
  absl::Status moved = absl::AbortedError(absl::StrCat(
      "store ", name(), " was resized: its name gives a new segment"));
  moved.SetPayload(kMovedPayload, absl::Cord());
  return moved;
}

bool Table::IsMoved(const absl::Status& status) {
  return absl::IsAborted(status) && status.GetPayload(kMovedPayload);
}

bool Table::NameIsOurs() const {
  absl::StatusOr<struct stat> ours = segment_->Stat();
  struct stat named;
  return ours.ok() && stat(ShmPath(name()).c_str(), &named) == 0 &&
         named.st_ino == ours->st_ino && named.st_dev == ours->st_dev;
}

absl::Status Table::AfterError(absl::Status status) const {
  if (absl::IsDataLoss(status)) {
    // After an error, the cheap check for the one damage that can crash us.
    absl::Status size = CheckSize();
    if (!size.ok()) return size;
  }
  return status;
}

absl::StatusOr<Table::Probe> Table::FindLocked(absl::string_view key,
                                               uint64_t hash, Clock& now) {
  // Each pass either finds the key, ends at an empty slot, or reclaims one
  // expired entry; an erase can move later entries back, so the chain is
  // walked again after it.
  for (uint64_t pass = 0; pass <= geometry_.slot_count; ++pass) {
    uint64_t i = HomeSlot(hash, geometry_.slot_count);
    bool reclaimed = false;
    for (uint64_t n = 0; n < geometry_.slot_count && !reclaimed;
         ++n, i = Next(i)) {
      const SlotHeader* s = slot(i);
      const uint64_t seq = s->seq.load(std::memory_order_relaxed);
      if (SeqType(seq) == kSlotEmpty) return Probe{false, i};
      const uint32_t key_len = SeqKeyLen(seq);
      if (key_len > geometry_.max_key_bytes) return DamagedSlot(i);
      if (key_len != 0) {
        // Another key's slot costs one comparison; the metadata is read
        // only for the key's own.
        if (key_len != key.size() ||
            !KeyEquals(KeyOf(s), key.data(), key.size())) {
          continue;
        }
      }
      const SlotMeta m = Meta(*s);
      if (key_len != 0) {
        if (key_len + uint64_t{m.value_len} > geometry_.inline_bytes) {
          return DamagedSlot(i);
        }
      } else {
        // Out of line: the length and hash tell other keys apart without
        // reading their blocks.
        const BlockRef ref = RefOf(s);
        if (ref.key_len != key.size() || ref.key_hash != hash) continue;
        absl::StatusOr<EntryBytes> e = EntryLocked(i, m);
        if (!e.ok()) return e.status();
        if (e->key != key) continue;
      }
      if (!now.Expired(m.expires_ms)) return Probe{true, i};
      if (read_only_) return Probe{false, i};  // Absent, left in place.
      EraseLocked(i);                          // Reclaim on access.
      CountLocked(kExpirations);
      reclaimed = true;
    }
    if (!reclaimed) break;
  }
  return absl::DataLossError(absl::StrCat(
      "store ", name(), " has no empty slot (damaged); run 'kvstore check'"));
}

absl::StatusOr<uint64_t> Table::FindLiveLocked(absl::string_view key,
                                               uint64_t hash, Clock& now) {
  absl::StatusOr<Probe> probe = FindLocked(key, hash, now);
  if (!probe.ok()) return probe.status();
  if (!probe->found || Meta(*slot(probe->index)).type == kTypePending) {
    return NotFound(key);
  }
  return probe->index;
}

void Table::SweepExpiringLocked(Clock& now, uint64_t slots) {
  uint64_t hand = header_->sweep_hand.load(std::memory_order_relaxed);
  // An erase may move the next entry into this slot, so the hand stays; it
  // advances `slots` times in all, erasing at most one table's worth.
  uint64_t erased = 0;
  for (uint64_t n = 0; n < slots;) {
    hand = hand >= geometry_.slot_count ? 0 : hand;
    const SlotMeta m = Meta(*slot(hand));
    if (!m.empty() && now.Expired(m.expires_ms) &&
        erased < geometry_.slot_count) {
      EraseLocked(hand);
      CountLocked(kExpirations);
      ++erased;
      continue;
    }
    ++hand;
    ++n;
  }
  header_->sweep_hand.store(hand, std::memory_order_relaxed);
}

bool Table::EvictOneLocked(bool for_bytes) {
  uint64_t hand = header_->clock_hand.load(std::memory_order_relaxed);
  // Two passes at most: the first clears every reference bit it passes.
  for (uint64_t n = 0; n < 2 * geometry_.slot_count + 1; ++n) {
    hand = hand >= geometry_.slot_count ? 0 : hand;
    SlotHeader* s = slot(hand);
    const SlotMeta m = Meta(*s);
    // An entry kept in its slot frees no data bytes: not a candidate when
    // the data area needs room (nor is its reference bit spent).
    const bool candidate = !m.empty() && (!for_bytes || OutOfLine(m));
    if (candidate) {
      // Readers may set bits again behind the hand; on the second pass the
      // first evictable entry goes regardless.
      if (n < geometry_.slot_count && m.referenced) {
        s->info.fetch_and(~kReferencedBit, std::memory_order_relaxed);
      } else if (m.type != kTypePending) {
        EraseLocked(hand);
        CountLocked(kEvictions);
        header_->clock_hand.store(hand, std::memory_order_relaxed);
        return true;
      }
    }
    ++hand;
  }
  return false;
}

absl::Status Table::EnsureRoomLocked(absl::string_view key, Clock& now) {
  auto full = [&] {
    return header_->entry_count.load(std::memory_order_relaxed) >=
           geometry_.capacity;
  };
  if (!full()) return absl::OkStatus();
  // Without eviction, every expired entry counts: sweep the whole table.
  SweepLocked(now, geometry_.eviction == kEvictClock ? kSweepWhenFull
                                                     : geometry_.slot_count);
  if (!full()) return absl::OkStatus();
  if (geometry_.eviction == kEvictClock &&
      EvictOneLocked(/*for_bytes=*/false)) {
    return absl::OkStatus();
  }
  return absl::ResourceExhaustedError(absl::StrFormat(
      "store %s is full (%d entries); cannot add key '%s' (delete keys, "
      "create a larger store, or one with --eviction=clock)",
      name(), geometry_.capacity, KeyText(key)));
}

absl::StatusOr<BlockExtent> Table::AllocateLocked(uint64_t payload,
                                                  Clock& now) {
  if (arena_ == nullptr) {
    return absl::ResourceExhaustedError(absl::StrFormat(
        "store %s has no data area (created with memory 0): an entry of %d "
        "bytes of key and value does not fit a slot (%d bytes)",
        name(), payload, geometry_.inline_bytes));
  }
  const uint64_t need = Arena::BlockBytesFor(payload);
  MarkArenaDirty();
  KVSTORE_FAULT_POINT("alloc.dirty");
  bool swept = need > geometry_.data_bytes;  // Nothing could make room.
  int compactions = 0;  // Each may leave the area closer to fitting.
  for (;;) {
    absl::StatusOr<BlockExtent> block = arena_->Allocate(payload);
    if (block.ok() || !absl::IsResourceExhausted(block.status())) {
      return block;
    }
    if (!swept) {
      // Expired entries go first, in both policies.
      SweepLocked(now, geometry_.eviction == kEvictClock
                           ? kSweepWhenFull
                           : geometry_.slot_count);
      swept = true;
      continue;
    }
    if (need <= geometry_.data_bytes && geometry_.eviction == kEvictClock &&
        EvictOneLocked(/*for_bytes=*/true)) {
      continue;
    }
    const ArenaFigures f = arena_->Figures();
    if (compactions < kCompactionsPerWrite &&
        geometry_.eviction == kEvictNone && f.free_bytes >= need) {
      // Enough free bytes, in blocks too small: move blocks to join them.
      ++compactions;
      absl::Status status = CompactLocked(need);
      if (absl::IsFailedPrecondition(status)) {
        compactions = kCompactionsPerWrite;  // Trying again cannot help.
      } else if (!status.ok() && !absl::IsResourceExhausted(status)) {
        return status;
      }
      continue;
    }
    return absl::ResourceExhaustedError(absl::StrFormat(
        "store %s has no room for %d bytes of key and value (a block of %d): "
        "its data area of %d bytes has %d free, and the largest free block "
        "holds %d (the memory limit, not the entry limit; delete or expire "
        "entries, or create the store with more memory, --memory, or with "
        "--eviction=clock)",
        name(), payload, need, f.data_bytes, f.free_bytes,
        f.largest_free > 8 ? f.largest_free - 8 : 0));
  }
}

void Table::PrefetchEntryLocked(absl::string_view key, uint64_t hash) const {
  const SlotHeader* s = slot(HomeSlot(hash, geometry_.slot_count));
  const uint64_t seq = s->seq.load(std::memory_order_relaxed);
  if (SeqType(seq) == kSlotEmpty || SeqKeyLen(seq) != 0) return;
  const BlockRef ref = RefOf(s);
  if (ref.key_len != key.size() || ref.key_hash != hash ||
      !arena_->Plausible(ref.offset, ref.block_bytes, ref.key_len)) {
    return;
  }
  __builtin_prefetch(arena_->Payload(ref.offset));
  arena_->PrefetchFree(ref.offset, ref.block_bytes);
}

absl::StatusOr<Table::Probe> Table::PlaceLocked(absl::string_view key,
                                                uint64_t hash,
                                                absl::string_view payload,
                                                Probe probe, Clock& now,
                                                BlockExtent* block) {
  *block = BlockExtent();
  if (!FitsInline(key.size(), payload.size())) {
    absl::StatusOr<BlockExtent> b =
        AllocateLocked(key.size() + payload.size(), now);
    if (!b.ok()) return b.status();
    *block = *b;
    PrefetchEntryLocked(key, hash);  // Arrives while the block is filled.
    // Nothing names the block yet: no reader can see it being filled.
    uint8_t* p = arena_->Payload(b->offset);
    std::memcpy(p, key.data(), key.size());
    std::memcpy(p + key.size(), payload.data(), payload.size());
    KVSTORE_FAULT_POINT("alloc.filled");
    absl::StatusOr<Probe> found = FindLocked(key, hash, now);
    if (!found.ok()) {
      arena_->Free(*block);
      return found.status();
    }
    probe = *found;
  }
  if (!probe.found) {
    absl::Status room = EnsureRoomLocked(key, now);
    absl::StatusOr<Probe> found =
        room.ok() ? FindLocked(key, hash, now) : absl::StatusOr<Probe>(room);
    if (!found.ok()) {
      if (block->bytes != 0) arena_->Free(*block);
      return found.status();
    }
    probe = *found;
  }
  return probe;
}

void Table::PutLocked(const Probe& probe, absl::string_view key, uint64_t hash,
                      uint8_t type, absl::string_view payload,
                      int64_t expires_ms, const BlockExtent& block,
                      bool free_old) {
  // An overwrite keeps the CLOCK bit; a new key starts unreferenced, so
  // CLOCK evicts it first unless it is read.
  const SlotMeta old = Meta(*slot(probe.index));
  const bool referenced = probe.found && old.referenced;
  // The block of the entry replaced, freed once the new one is in.
  BlockExtent old_block;
  if (probe.found && OutOfLine(old) && free_old) {
    absl::StatusOr<EntryBytes> e = EntryLocked(probe.index, old);
    if (e.ok() && (block.bytes == 0 || e->block.offset != block.offset)) {
      old_block = e->block;
    }
  }
  if (old_block.bytes != 0) MarkArenaDirty();
  const uint64_t version =
      NextVersion(header_->version_counter.load(std::memory_order_relaxed));
  const bool out_of_line = block.bytes != 0;
  const uint64_t image[2] = {
      PackSeq(version, out_of_line ? 0 : static_cast<uint32_t>(key.size()),
              type),
      PackInfo(out_of_line ? 0 : static_cast<uint32_t>(payload.size()),
               referenced, expires_ms)};
  // The same key overwritten inline keeps its bytes: the image (a patch)
  // holds only the new value. Otherwise the image is the whole inline
  // area: key and value, or the block's reference.
  const bool patch = probe.found && !OutOfLine(old) && !out_of_line;
  size_t body_bytes;
  if (out_of_line) {
    const BlockRef ref{block.offset, block.bytes,
                       static_cast<uint32_t>(key.size()),
                       static_cast<uint32_t>(payload.size()), hash};
    std::memcpy(journal_ + sizeof(image), &ref, sizeof(ref));
    body_bytes = sizeof(ref);
  } else {
    const size_t key_bytes = patch ? 0 : key.size();
    std::memcpy(journal_ + sizeof(image), key.data(), key_bytes);
    std::memcpy(journal_ + sizeof(image) + key_bytes, payload.data(),
                payload.size());
    body_bytes = key_bytes + payload.size();
  }
  std::memcpy(journal_, image, sizeof(image));
  const uint64_t count = header_->entry_count.load(std::memory_order_relaxed);
  header_->journal_image_bytes =
      static_cast<uint32_t>(sizeof(image) + body_bytes);
  header_->journal_slot.store(probe.index, std::memory_order_relaxed);
  header_->journal_entry_count = probe.found ? count : count + 1;
  if (expires_ms != 0 &&
      header_->has_expiring.load(std::memory_order_relaxed) == 0) {
    header_->has_expiring.store(1, std::memory_order_relaxed);
  }
  KVSTORE_FAULT_POINT("write.image_filled");
  header_->journal_state.store(patch ? kJournalPatch : kJournalWrite,
                               std::memory_order_release);
  KVSTORE_FAULT_POINT("write.committed");
  ApplyWrite(/*with_key=*/!patch);
  KVSTORE_FAULT_POINT("write.applied");
  header_->journal_state.store(kJournalIdle, std::memory_order_release);
  KVSTORE_FAULT_POINT("write.done");
  if (old_block.bytes != 0) {
    arena_->Free(old_block);
    KVSTORE_FAULT_POINT("free.done");
  }
}

void Table::PatchValueLocked(uint64_t index, uint64_t seq, uint64_t info,
                             const char* bytes) {
  const uint64_t version =
      NextVersion(header_->version_counter.load(std::memory_order_relaxed));
  const uint64_t image[2] = {PackSeq(version, SeqKeyLen(seq), SeqType(seq)),
                             info};
  std::memcpy(journal_, image, sizeof(image));
  std::memcpy(journal_ + sizeof(image), bytes, 8);
  header_->journal_image_bytes = sizeof(image) + 8;
  header_->journal_slot.store(index, std::memory_order_relaxed);
  header_->journal_entry_count =
      header_->entry_count.load(std::memory_order_relaxed);
  KVSTORE_FAULT_POINT("write.image_filled");
  header_->journal_state.store(kJournalPatch, std::memory_order_release);
  KVSTORE_FAULT_POINT("write.committed");
  ApplyWrite(/*with_key=*/false);
  KVSTORE_FAULT_POINT("write.applied");
  header_->journal_state.store(kJournalIdle, std::memory_order_release);
  KVSTORE_FAULT_POINT("write.done");
}

void Table::MarkArenaDirty() const {
  if (arena_dirty_ || arena_header_ == nullptr) return;
  arena_header_->dirty.store(1, std::memory_order_relaxed);
  // Before any change to the area that it covers.
  std::atomic_thread_fence(std::memory_order_release);
  arena_dirty_ = true;
}

void Table::ClearArenaDirty() const {
  // After every change to the area (and the journal's commit) it covered.
  arena_header_->dirty.store(0, std::memory_order_release);
  arena_dirty_ = false;
}

void Table::EraseLocked(uint64_t index) {
  BlockExtent block;
  const SlotMeta m = Meta(*slot(index));
  if (OutOfLine(m)) {
    // A damaged reference frees nothing (Verify reports the block).
    absl::StatusOr<EntryBytes> e = EntryLocked(index, m);
    if (e.ok()) block = e->block;
  }
  if (block.bytes != 0) MarkArenaDirty();
  header_->journal_slot.store(index, std::memory_order_relaxed);
  header_->journal_entry_count =
      header_->entry_count.load(std::memory_order_relaxed) - 1;
  header_->journal_state.store(kJournalDelete, std::memory_order_release);
  KVSTORE_FAULT_POINT("erase.committed");
  ApplyDelete();
  header_->journal_state.store(kJournalIdle, std::memory_order_release);
  KVSTORE_FAULT_POINT("erase.done");
  if (block.bytes != 0) {
    arena_->Free(block);
    KVSTORE_FAULT_POINT("free.done");
  }
}

}  // namespace internal
}  // namespace kvstore
