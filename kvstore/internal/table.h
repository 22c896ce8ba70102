// The hash table inside a segment: linear probing over fixed-size slots,
// lock-free reads validated by per-slot sequence numbers, writes under the
// robust mutex with a one-record redo journal, backward-shift deletion,
// expiry, CLOCK eviction and per-thread statistics shards. docs/design.md
// describes the protocol; this is its only implementation.
#ifndef KVSTORE_INTERNAL_TABLE_H_
#define KVSTORE_INTERNAL_TABLE_H_

#include <atomic>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/attributes.h"
#include "absl/base/optimization.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "kvstore/internal/arena.h"
#include "kvstore/internal/hash.h"
#include "kvstore/internal/layout.h"
#include "kvstore/internal/robust_mutex.h"
#include "kvstore/internal/segment.h"
#include "kvstore/options.h"
#include "kvstore/store.h"
#include "kvstore/value.h"

namespace kvstore {
namespace internal {

int64_t BoottimeNanos();

// memcmp(a, b, n) == 0 for keys: short keys compare as two overlapping
// words, without a call. Reads only bytes [0, n) of both.
inline bool KeyEquals(const char* a, const char* b, size_t n) {
  if (n >= 8 && n <= 16) {
    uint64_t a0, a1, b0, b1;
    std::memcpy(&a0, a, 8);
    std::memcpy(&b0, b, 8);
    std::memcpy(&a1, a + n - 8, 8);
    std::memcpy(&b1, b + n - 8, 8);
    return ((a0 ^ b0) | (a1 ^ b1)) == 0;
  }
  return std::memcmp(a, b, n) == 0;
}

// The current CLOCK_BOOTTIME, read at most once per operation and only when
// an entry with an expiry is met (most lookups never read it).
class Clock {
 public:
  int64_t Nanos() {
    if (now_ == 0) now_ = BoottimeNanos();
    return now_;
  }
  // Whole milliseconds: an entry expiring at millisecond E is expired once
  // E <= NowMs(), never before E * 10^6 ns.
  int64_t NowMs() { return Nanos() / 1000000; }
  bool Expired(int64_t expires_ms) {
    return expires_ms != 0 && expires_ms <= NowMs();
  }

 private:
  int64_t now_ = 0;
};

// How a write treats an existing key and the entry's time to live.
struct WriteSpec {
  enum class Mode { kUpsert, kInsertOnly, kUpdateOnly };
  Mode mode = Mode::kUpsert;
  int64_t expires_ms = 0;  // Absolute CLOCK_BOOTTIME ms; 0 = never.
  const Value* expected_value = nullptr;  // Compare-and-set on the value.
  bool check_version = false;             // Compare-and-set on the version.
  uint64_t expected_version = 0;
  // Store only over this caller's compute marker (GetOrCompute): the slot
  // must hold a pending entry whose version is expected_version.
  bool over_claim = false;
};

class Table {
 public:
  // Opens (or creates, per options) a store of `kind`; kind.kind may be
  // kKindAny when only opening.
  static absl::StatusOr<std::unique_ptr<Table>> Open(
      absl::string_view name, const Options& options,
      const StoreKind& kind = StoreKind());

  // kKindTagged or kKindTyped, and a typed store's encoded schema.
  uint32_t kind() const { return geometry_.kind; }
  const std::string& schema() const { return geometry_.schema; }
  uint32_t max_key_bytes() const { return geometry_.max_key_bytes; }
  uint32_t max_value_bytes() const { return geometry_.max_value_bytes; }
  // See Store::ResetLock.
  static absl::Status ResetLock(absl::string_view name);

  // See Store::Resize: the store `name` rebuilt in a new segment of
  // `capacity` entries and `memory` data bytes, which takes the name; the
  // old one is marked moved. Sets *pause_ns to how long writers waited.
  static absl::Status Resize(absl::string_view name, uint64_t capacity,
                             uint64_t memory, int64_t* pause_ns);
  // True for the status of a call on a table whose store was resized
  // since: the caller reopens the name and calls again (TableHandle).
  static bool IsMoved(const absl::Status& status);

  const std::string& name() const { return segment_->name(); }

  // How messages show a key: as given, or through `fn` (a typed store
  // renders its key records as text; TypedStore sets it). Set before the
  // table is shared between threads.
  using KeyTextFn = std::function<std::string(absl::string_view)>;
  void set_key_text(KeyTextFn fn) { key_text_ = std::move(fn); }
  std::string KeyText(absl::string_view key) const {
    return key_text_ ? key_text_(key) : std::string(key);
  }
  // True for a table opened with Options::read_only: mapped PROT_READ, it
  // reads without the lock and writes nothing (table_read_only.cc).
  bool read_only() const { return read_only_; }

  // Reads. Entry::ttl is filled only by GetEntry.
  absl::Status Get(absl::string_view key, Value* out) const;
  // Get without the lock's fallback: UNAVAILABLE where Get would take the
  // lock (a write in progress, an expired entry, a moved table).
  // Fills *stamp (if not null) on a hit.
  absl::Status TryGet(absl::string_view key, Value* out,
                      ReadStamp* stamp) const;
  // See Store::IsCurrent; false for a stamp of another table.
  bool IsCurrent(const ReadStamp& stamp) const;
  absl::StatusOr<Entry> GetEntry(absl::string_view key) const;
  // Under one lock acquisition (a snapshot).
  std::vector<absl::StatusOr<Value>> MultiGet(
      const std::vector<std::string>& keys) const;
  // Each key lock-free, as Get, with every home slot prefetched first.
  std::vector<absl::StatusOr<Value>> BatchGet(
      const std::vector<std::string>& keys) const;
  absl::StatusOr<ScanBatch> Scan(uint64_t cursor, absl::string_view prefix,
                                 size_t count) const;
  // An entry as it is stored: for dumps and restores.
  struct RawEntry {
    uint8_t type;
    std::string key;
    std::string value;   // The encoded payload.
    int64_t expires_ms;  // CLOCK_BOOTTIME ms; 0 = never.
  };
  // Like Scan (the same batches and guarantee), of every live entry as
  // stored. Returns the next cursor, 0 when done.
  absl::StatusOr<uint64_t> ScanRaw(uint64_t cursor, size_t count,
                                   std::vector<RawEntry>* out) const;
  // Writes every entry (upserts, with its own expiry) under one lock
  // acquisition; all are checked first, and nothing is written if one is
  // invalid for this store.
  absl::Status PutRaw(const std::vector<RawEntry>& entries);
  // The limits the store was created with.
  const Geometry& geometry() const { return geometry_; }

  // Copies every live entry whose key starts with `prefix`, under the lock.
  absl::Status Snapshot(
      absl::string_view prefix,
      std::vector<std::pair<std::string, Value>>* entries) const;

  // Writes `value` under `key` as `spec` says. Sets *written to whether it
  // was (false: insert-only found the key, update-only or a compare did
  // not match).
  absl::Status Write(absl::string_view key, const Value& value,
                     const WriteSpec& spec, bool* written);
  absl::Status MultiWrite(const std::vector<std::pair<std::string, Value>>& kvs,
                          int64_t expires_ms);
  // Removes `key`; with `out`, returns its value too.
  absl::Status Erase(absl::string_view key, Value* out);
  // Adds `delta` to an int64 entry (creating it at zero) and returns the
  // sum; OUT_OF_RANGE on overflow.
  absl::StatusOr<int64_t> AddInt64(absl::string_view key, int64_t delta);
  // The same for a double entry.
  absl::StatusOr<double> AddDouble(absl::string_view key, double delta);
  // Read-modify-write of an existing entry under the lock: `fn` gets the
  // current payload and type and edits the payload in place (same type;
  // the size must stay within the limit). NOT_FOUND if absent; `fn`'s error
  // leaves the entry unchanged. Keeps the time to live.
  absl::Status Update(
      absl::string_view key,
      absl::FunctionRef<absl::Status(ValueType, std::string*)> fn);
  // Sets the expiry (CLOCK_BOOTTIME ms) of an existing key (0 = never).
  absl::Status SetExpiry(absl::string_view key, int64_t expires_ms);

  // Get-or-compute support: claims `key` for computing (true), or reports
  // that a live computation by another process holds it (false), or
  // returns the value if present (*found).
  absl::StatusOr<bool> ClaimForCompute(absl::string_view key, int64_t lease_ns,
                                       Value* found, bool* present,
                                       uint64_t* claim);
  // Removes our claim if it is still ours.
  void ReleaseClaim(absl::string_view key, uint64_t claim);

  absl::StatusOr<StoreStats> Stats() const;
  absl::Status Verify(const ProgressCallback& progress = nullptr) const;
  // DATA_LOSS if another program resized the shared-memory object since it
  // was opened (a shrunk object makes any access past its end SIGBUS).
  absl::Status CheckSize() const;

 private:
  struct Probe {
    bool found;
    uint64_t index;  // The key's slot, or the empty slot ending its chain.
  };

  Table(std::unique_ptr<Segment> segment, int64_t lock_timeout_ns,
        bool read_only, int64_t read_wait_ns);

  SlotHeader* slot(uint64_t i) const {
    return reinterpret_cast<SlotHeader*>(table_ + i * geometry_.slot_bytes);
  }
  // The slot's inline area: an inline entry's key, then its value; or an
  // out-of-line entry's BlockRef.
  static const char* KeyOf(const SlotHeader* s) {
    return reinterpret_cast<const char*>(s + 1);
  }
  static BlockRef RefOf(const SlotHeader* s) {
    BlockRef ref;
    std::memcpy(&ref, KeyOf(s), sizeof(ref));
    return ref;
  }
  // True for a full slot whose key and value live in a block.
  static bool OutOfLine(const SlotMeta& m) {
    return !m.empty() && m.key_len == 0;
  }
  // True if an entry of these lengths is kept in its slot.
  bool FitsInline(size_t key_len, size_t value_len) const {
    return key_len <= kMaxKeyLen &&
           key_len + value_len <= geometry_.inline_bytes;
  }
  // A full slot's key and value, wherever they are, and its block.
  struct EntryBytes {
    absl::string_view key;
    absl::string_view value;
    bool out_of_line = false;
    BlockExtent block;  // If out_of_line.
  };
  // DATA_LOSS unless the slot's lengths (and block) are within the store's
  // limits and its data area.
  absl::StatusOr<EntryBytes> EntryLocked(uint64_t index,
                                         const SlotMeta& m) const;
  absl::Status DamagedSlot(uint64_t index) const;
  uint64_t Next(uint64_t i) const {
    return i + 1 == geometry_.slot_count ? 0 : i + 1;
  }
  // Inline, so that XXH3 is compiled for each call site's key.
  ABSL_ATTRIBUTE_ALWAYS_INLINE uint64_t HashKey(absl::string_view key) const {
    return Hash64(key.data(), key.size(), geometry_.hash_seed);
  }
  // Starts loading the first lines of `hash`'s home slot, so that the miss
  // overlaps with taking the lock.
  void PrefetchHome(uint64_t hash) const {
    const char* p = reinterpret_cast<const char*>(
        slot(HomeSlot(hash, geometry_.slot_count)));
    __builtin_prefetch(p);
    __builtin_prefetch(p + kCacheLine);
  }
  absl::Status CheckKey(absl::string_view key) const {
    if (ABSL_PREDICT_TRUE(!key.empty() &&
                          key.size() <= geometry_.max_key_bytes)) {
      return absl::OkStatus();
    }
    return KeyError(key);
  }
  absl::Status KeyError(absl::string_view key) const;
  absl::Status CheckValue(absl::string_view key, const Value& value) const;
  // INVALID_ARGUMENT unless values of `type` belong in this kind of store
  // (records in typed stores, the other types in tagged ones).
  absl::Status CheckKind(ValueType type) const {
    if (ABSL_PREDICT_TRUE((type == ValueType::kRecord) ==
                          (geometry_.kind == kKindTyped))) {
      return absl::OkStatus();
    }
    return KindError();
  }
  absl::Status KindError() const;
  absl::Status NotFound(absl::string_view key) const;
  // The NOT_FOUND of a read that misses: one status, made once per handle,
  // so that a miss copies it (a reference count) instead of allocating.
  const absl::Status& Miss() const { return miss_; }
  // Adds n to a statistics counter of this thread's shard.
  // A read-only table counts nothing: it may not write the shards.
  void Count(CounterKind kind, uint64_t n = 1) const {
    if (ABSL_PREDICT_FALSE(read_only_)) return;
    CounterOf(kind)->fetch_add(n, std::memory_order_relaxed);
  }
  // The same for the counters only ever counted under the lock (writes,
  // deletes, expirations, evictions, lock waits): the lock orders every
  // update, so a plain load and store replaces the atomic add.
  void CountLocked(CounterKind kind, uint64_t n = 1) const {
    std::atomic<uint64_t>* c = CounterOf(kind);
    c->store(c->load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
  std::atomic<uint64_t>* CounterOf(CounterKind kind) const {
    return reinterpret_cast<std::atomic<uint64_t>*>(counters_ + CounterShard() +
                                                    kind * sizeof(uint64_t));
  }
  // Byte offset of this thread's statistics shard: its thread id modulo
  // kCounterShards (read once per thread and again after a fork), so that
  // concurrent threads and processes keep to different counter lines.
  static size_t CounterShard() {
    struct Cached {
      uint32_t generation = 0;  // 0: not read yet.
      size_t offset = 0;
    };
    // initial-exec: a plain offset from the thread pointer instead of a
    // __tls_get_addr call per read when the library is a shared object
    // (the Python module). 16 bytes of the static TLS block.
    thread_local Cached cached __attribute__((tls_model("initial-exec")));
    const uint32_t generation = ForkGeneration();
    if (cached.generation != generation) {
      cached.offset = ShardOfThisThread();
      cached.generation = generation;
    }
    return cached.offset;
  }
  // Starts at 1 and grows in every child process after fork.
  static uint32_t ForkGeneration() {
    return fork_generation_.load(std::memory_order_relaxed);
  }
  static size_t ShardOfThisThread();
  static std::atomic<uint32_t> fork_generation_;
  // Adds to `key`'s 8-byte int64 or double entry (of `value_type`) with
  // `add(const char* current, char* sum) -> absl::Status`, which may refuse
  // (overflow). Defined in table_ops.cc, its only user.
  template <typename AddFn>
  absl::Status AddBits(absl::string_view key, ValueType value_type, AddFn add);

  // Lock-free read; UNAVAILABLE when it keeps racing writers, so that the
  // caller falls back to reading under the lock.
  // Sets *expired if the key was found expired (to be reclaimed).
  // Fills *stamp (if not null) on a hit.
  absl::Status GetLockFree(absl::string_view key, uint64_t hash, Clock& now,
                           Value* out, Entry* entry, bool* expired,
                           ReadStamp* stamp = nullptr) const;
  absl::Status GetLocked(absl::string_view key, uint64_t hash, Clock& now,
                         Value* out, Entry* entry) const;
  // Copies a live slot's value out. The caller holds the lock.
  absl::Status ReadSlotLocked(uint64_t index, absl::string_view key, Clock& now,
                              Value* out, Entry* entry) const;

  // ---- Read-only tables (table_read_only.cc). ----
  // What a write on a read-only table returns: PERMISSION_DENIED.
  absl::Status ReadOnlyRefusal() const;
  // Get for a read-only table: lock-free, retried for up to read_wait_ns_
  // while it races writers (or finds a slot a dead writer left odd), then
  // UNAVAILABLE. An expired entry reads as absent and is left in place.
  absl::Status GetReadOnly(absl::string_view key, uint64_t hash, Clock& now,
                           Value* out, Entry* entry) const;
  // Runs `fn`, a read written for the lock, without it: fn runs when the
  // lock is free and the store needs no repair, and its result stands only
  // if no write began or ended meanwhile (the lock word, the version
  // counter and the structure sequence are unchanged); otherwise it runs
  // again, for up to read_wait_ns_, then UNAVAILABLE naming `what`. `fn`
  // must reset its outputs, never write the segment, and bound every
  // length it reads (the data may be torn while a writer works).
  absl::Status Optimistic(absl::string_view what,
                          absl::FunctionRef<absl::Status()> fn) const;
  // WithLock for a read-write table, Optimistic for a read-only one.
  template <typename Fn>
  absl::Status ReadSection(absl::string_view what, Fn&& fn) const {
    if (ABSL_PREDICT_FALSE(read_only_)) return Optimistic(what, fn);
    return WithLock(std::forward<Fn>(fn));
  }
  // ScanSlots for a read-only table: each slot copied under its seq, the
  // batch kept only if no delete moved slots meanwhile (structure_seq).
  absl::StatusOr<uint64_t> ScanSlotsReadOnly(
      uint64_t cursor, size_t count,
      absl::FunctionRef<absl::Status(uint64_t, const SlotMeta&,
                                     const EntryBytes&, Clock&)>
          visit) const;
  // Between two attempts of a read-only read: false once `*deadline_ns`
  // (set at the first call) has passed, else waits a little and returns
  // true.
  bool BackOff(int attempt, int64_t* deadline_ns) const;
  // The UNAVAILABLE of a read-only read that gave up.
  absl::Status GaveUp(absl::string_view what) const;
  // A full slot's value, checked against its type.
  absl::Status ValueOf(absl::string_view key, const SlotMeta& m,
                       const EntryBytes& e, Value* out) const;

  // Runs `fn` (returning absl::Status) holding the lock, repairing first if
  // an owner died. Refuses with DATA_LOSS if the journal is busy (damaged)
  // unless allowed (Verify).
  template <typename Fn>
  absl::Status WithLock(Fn&& fn, bool allow_busy_journal = false) const {
    absl::Status status = Lock(allow_busy_journal);
    if (ABSL_PREDICT_FALSE(!status.ok())) return status;
    status = fn();
    if (ABSL_PREDICT_FALSE(arena_dirty_)) ClearArenaDirty();
    UnlockRobust(&header_->mutex);
    if (ABSL_PREDICT_FALSE(!status.ok())) return AfterError(std::move(status));
    return status;
  }
  // The parts of WithLock before `fn` and after a failed `fn`.
  absl::Status Lock(bool allow_busy_journal) const;
  absl::Status AfterError(absl::Status status) const;
  // Finds `key`; an expired entry found on the way is reclaimed first (a
  // read-only table reports it absent instead).
  absl::StatusOr<Probe> FindLocked(absl::string_view key, uint64_t hash,
                                   Clock& now);
  // The slot of `key`'s live entry (present, not a compute marker), or
  // NOT_FOUND.
  absl::StatusOr<uint64_t> FindLiveLocked(absl::string_view key, uint64_t hash,
                                          Clock& now);
  // Makes room for one new key (reclaims expired entries, evicts under
  // CLOCK) or returns RESOURCE_EXHAUSTED.
  absl::Status EnsureRoomLocked(absl::string_view key, Clock& now);
  // Reclaims expired entries among the next few slots of the sweep hand.
  void SweepLocked(Clock& now, uint64_t slots) {
    // Most stores hold no entry with a time to live: one load.
    if (header_->has_expiring.load(std::memory_order_relaxed) == 0) return;
    SweepExpiringLocked(now, slots);
  }
  void SweepExpiringLocked(Clock& now, uint64_t slots);
  // Evicts one entry by CLOCK (second chance); false if none can go. With
  // `for_bytes`, only an entry holding a block of the data area.
  bool EvictOneLocked(bool for_bytes);
  absl::Status WriteOneLocked(absl::string_view key, uint64_t hash,
                              const Value& value, const WriteSpec& spec,
                              Clock& now, bool* written);

  // PlaceLocked, then PutLocked; counts the set and sets *written.
  absl::Status PlaceAndPutLocked(absl::string_view key, uint64_t hash,
                                 const Value& value, const WriteSpec& spec,
                                 const Probe& before, Clock& now,
                                 bool* written);
  // A cache hint, which changes nothing: if `key`'s home slot names a
  // block that may hold it, starts loading that block's key and the lines
  // freeing it will touch, so that their misses overlap the caller's work
  // before it looks the key up.
  void PrefetchEntryLocked(absl::string_view key, uint64_t hash) const;

  // Makes room for `key`'s new entry with `payload`: a block of the data
  // area if it does not fit a slot (returned in *block, filled with key and
  // payload; bytes 0 otherwise), and an entry if the key is new. Either may
  // reclaim expired entries and, under CLOCK, evict others, which moves
  // slots: returns where `key`'s entry goes now. `probe` is the key's probe
  // before. On failure nothing is left allocated.
  absl::StatusOr<Probe> PlaceLocked(absl::string_view key, uint64_t hash,
                                    absl::string_view payload, Probe probe,
                                    Clock& now, BlockExtent* block);
  // A block for `payload` bytes, reclaiming expired entries and (CLOCK)
  // evicting until it fits; RESOURCE_EXHAUSTED saying what is short.
  absl::StatusOr<BlockExtent> AllocateLocked(uint64_t payload, Clock& now);
  // Journals and applies `key`'s entry into probe.index: inline, or
  // naming `block` (bytes != 0), which holds key and payload. Frees the
  // block of the entry it replaces, unless it is `block` itself.
  // With free_old false the old block stays in use (compaction frees it).
  void PutLocked(const Probe& probe, absl::string_view key, uint64_t hash,
                 uint8_t type, absl::string_view payload, int64_t expires_ms,
                 const BlockExtent& block = BlockExtent(),
                 bool free_old = true);
  // For a store without eviction whose data area has `need` bytes free but
  // no free block that large: moves the blocks in use out of a stretch of
  // the area that spans at least `need` bytes into free blocks elsewhere
  // (each move a journaled rewrite of its entry's slot), so that the
  // stretch becomes one free block (table_compact.cc; docs/design.md
  // "Compaction"). FAILED_PRECONDITION if no stretch qualifies (nothing
  // changed); RESOURCE_EXHAUSTED if the moves ran out of free blocks (the
  // moves made stand: they change no entry's key, value, type or expiry,
  // and the next compaction starts from them).
  absl::Status CompactLocked(uint64_t need);
  // Journals and applies new `bytes` (8) for the inline entry of slot
  // `index`, whose seq and info words are `seq` and `info`: a patch of the
  // value alone, keeping the key, type, CLOCK bit and expiry (the
  // increment's fast path; PutLocked's patch case without its choices).
  void PatchValueLocked(uint64_t index, uint64_t seq, uint64_t info,
                        const char* bytes);
  // Journals and applies the deletion of slot `index`, freeing its block.
  void EraseLocked(uint64_t index);
  // Visits the live entries of a scan batch under the lock (Scan's walk);
  // returns the next cursor.
  absl::StatusOr<uint64_t> ScanSlots(
      uint64_t cursor, size_t count,
      absl::FunctionRef<absl::Status(uint64_t, const SlotMeta&,
                                     const EntryBytes&, Clock&)>
          visit) const;
  // Data area bookkeeping: set dirty before its first change under a lock
  // holding, cleared (WithLock) just before unlocking.
  void MarkArenaDirty() const;
  void ClearArenaDirty() const;
  // Recovery: rebuilds the data area's free lists from the table.
  absl::Status RebuildArena() const;
  // The blocks the table's entries name (DATA_LOSS for a damaged slot).
  absl::Status CollectBlocks(std::vector<BlockExtent>* blocks) const;

  // Recovery: re-applies the journal. Idempotent.
  absl::Status Repair() const;
  // The status a call on a moved table returns.
  absl::Status Moved() const;
  // True if the store's name still names this segment.
  bool NameIsOurs() const;
  // Copies the journal image into its slot; with_key false for a patch.
  void ApplyWrite(bool with_key) const;
  void ApplyDelete() const;

  // Unique to this Table object in this process (ReadStamp::table_).
  const uint64_t serial_;
  std::unique_ptr<Segment> segment_;
  const int64_t lock_timeout_ns_;  // Options::lock_timeout; -1: none.
  const bool read_only_;           // Options::read_only.
  KeyTextFn key_text_;             // Empty: keys shown as given.
  const int64_t read_wait_ns_;     // Options::read_only_wait.
  const Geometry geometry_;        // Copied from the validated header.
  Header* const header_;
  uint8_t* const journal_;
  uint8_t* const counters_;
  uint8_t* const table_;
  const std::unique_ptr<Arena> arena_;  // Null without a data area.
  ArenaHeader* const arena_header_;     // Null without a data area.
  mutable bool arena_dirty_ = false;    // This lock holding set it dirty.
  const absl::Status miss_;
};

// CLOCK_BOOTTIME in nanoseconds: the same in every process on the host, and
// unaffected by changes to the wall clock.
int64_t BoottimeNanos();

// The absolute CLOCK_BOOTTIME expiry in milliseconds for a time to live
// (rounded up, so that an entry never expires early), 0 for an infinite
// one; INVALID_ARGUMENT unless 0 < ttl <= kMaxTtl. Expiries past 2^39 - 1
// ms of uptime (17.4 years; reachable only on a machine up for more than
// 7.4 years) are stored as that.
absl::StatusOr<int64_t> ExpiryFor(absl::Duration ttl);
// The expiry, in CLOCK_BOOTTIME ms rounded up and clamped to kMaxExpiryMs,
// of something that lives `ttl_ns` from `now_ns`.
inline int64_t DeadlineMs(int64_t now_ns, int64_t ttl_ns) {
  const int64_t ms = (now_ns + ttl_ns + 999999) / 1000000;
  return ms < kMaxExpiryMs ? ms : kMaxExpiryMs;
}
inline const absl::Duration kMaxTtl = absl::Hours(24 * 3652);  // 10 years.

}  // namespace internal
}  // namespace kvstore

#endif  // KVSTORE_INTERNAL_TABLE_H_
