// A typed key-value store in POSIX shared memory, shared by unrelated
// processes on one host.
//
//   kvstore::Options options;
//   options.create_if_missing = true;
//   absl::StatusOr<std::unique_ptr<kvstore::Store>> store =
//       kvstore::Store::Open("/mycache", options);
//   if (!store.ok()) return store.status();
//   absl::Status s = (*store)->Set("greeting", kvstore::Value::String("hi"));
//   absl::StatusOr<std::string> v = (*store)->Get<std::string>("greeting");
//   absl::StatusOr<int64_t> n = (*store)->Increment("visits", 1);
//
// A store is a fixed-capacity hash table in one shared-memory object (on
// Linux, a file under /dev/shm). It outlives every process that uses it and
// is gone only when destroyed (Store::Destroy, `kvstore destroy`) or when
// the machine reboots.
//
// Thread safety: a Store is safe to use from many threads, and many
// processes may use the same store at once. Writes are serialised by a
// robust process-shared mutex; reads take no lock. A process that dies at
// any point, even holding the lock, never blocks the others: the next
// process to take the lock finishes or discards the interrupted write.
// A caller waiting for the lock looks at it again at least every
// millisecond, so no death of another waiter can leave it asleep on a free
// lock; Options::lock_timeout bounds the wait behind a live holder.
//
// Errors: every call returns absl::Status or absl::StatusOr. Codes:
//   NOT_FOUND            the key (or the store, for Open) does not exist.
//                        A read that misses (Get, GetEntry, Ttl, MultiGet)
//                        returns one status shared by every miss of the
//                        handle, "key not found in store NAME", so that a
//                        miss costs no allocation; the caller knows the key.
//   ALREADY_EXISTS       Open with error_if_exists on an existing store
//   INVALID_ARGUMENT     bad name, empty or over-long key or value
//   FAILED_PRECONDITION  the entry has another type; limits differ; the
//                        object is not a kvstore or has an unsupported
//                        format version or binary interface
//   RESOURCE_EXHAUSTED   the store is full, or /dev/shm is
//   OUT_OF_RANGE         an increment would overflow int64; a scan cursor
//                        is past the table
//   DEADLINE_EXCEEDED    GetOrCompute waited too long for another process;
//                        a call waited longer than Options::lock_timeout
//                        for the lock (it changed nothing)
//   DATA_LOSS            the store is damaged (checksum, sizes, slots) or
//                        was left half-created by a process that died
//                        (Open with error_if_exists replaces such a store)
//   UNAVAILABLE          the store is still being created by another
//                        process; a read of a read-only handle gave up
//                        after Options::read_only_wait (see below)
//   PERMISSION_DENIED    the store's mode does not allow this user; a write
//                        on a read-only handle
//
// Read-only handles (Options::read_only): for users who may read a store
// but not write it (a group member of a store created with mode 0640), or
// for any reader that must not change it. The handle maps the store
// PROT_READ and never writes a byte of it. Every write (Set and the other
// writes, Erase, Increment, Expire, GetOrCompute on a miss...) returns
// PERMISSION_DENIED and changes nothing; read_only() tells such a handle.
// Its reads all work without the lock:
//   - Get, GetEntry, Ttl and MultiGet read each key lock-free, as a
//     read-write handle does, but never fall back to the lock: they retry
//     while writers race them. An expired entry reads as NOT_FOUND and is
//     left for a writer to reclaim. Reads do not set CLOCK reference bits,
//     so they do not protect an entry from eviction.
//   - Scan keeps its guarantee: each batch is copied slot by slot and kept
//     only if no delete moved entries meanwhile.
//   - MultiGet with options.snapshot, ForEach and Verify run when the lock
//     is free and keep their result only if no write began or ended while
//     they ran: still one consistent snapshot (Verify: one moment).
//   - Stats reads the data-area figures without the lock, each exact but
//     possibly a write apart. Its hits and misses leave out the reads of
//     read-only handles: they count nothing.
// Where a read-write handle would need the lock, a read-only one retries
// for up to Options::read_only_wait and then returns UNAVAILABLE: while
// writers keep changing what it reads (a busy store can starve a snapshot
// or Verify of a large store), and after a writer died mid-write, until a
// read-write handle's next write repairs the store (only the entry or the
// probe cluster left half-written is unreadable until then, and snapshots
// and Verify wait for the repair). A resize is followed: the handle
// reopens the store's new segment, read-only.
// Caveats:
//   - A process that forks must not use a Store in the child while another
//     thread of the parent is inside a call on it.
//   - Do not truncate or write the shared-memory object by other means.
#ifndef KVSTORE_STORE_H_
#define KVSTORE_STORE_H_

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "kvstore/options.h"
#include "kvstore/value.h"

namespace kvstore {

namespace internal {
class TableHandle;
}  // namespace internal

// Wraps a payload that Get<Bytes>/Set store as ValueType::kBytes.
struct Bytes {
  std::string data;
};

// Options for one write.
struct WriteOptions {
  // Time to live: the entry expires (is never returned again, from any
  // process) this long after the write. Must be positive and at most 10
  // years. Kept in whole milliseconds, rounded up: an entry never expires
  // early.
  // Measured on CLOCK_BOOTTIME, which every process on the host shares and
  // which does not jump when the wall clock is set.
  // Default: absl::InfiniteDuration() (never expires)
  absl::Duration ttl = absl::InfiniteDuration();
};

// Options for Store::MultiGet.
struct MultiGetOptions {
  // Read every key under one lock acquisition, as one consistent snapshot,
  // instead of each key atomically without the lock.
  // Default: false
  bool snapshot = false;
};

// Which entry a Store::TryGet hit read: its place and version in the
// segment it was read from, and its expiry. Store::IsCurrent(stamp) then
// says whether that entry is still the key's live value without hashing
// the key, probing or copying the value: for callers that keep something
// made from a value (a decoded object, a language runtime's object, a
// rendered page) and reuse it while it stands. Opaque; a default stamp is
// never current.
class ReadStamp {
 public:
  ReadStamp() = default;

 private:
  friend class internal::Table;
  uint64_t table_ = 0;  // The serial of the handle's table; 0: none.
  uint64_t slot_ = 0;
  uint64_t seq_ = 0;
  int64_t expires_ms_ = 0;
};

// Entry versions run from 1 to kMaxEntryVersion (2^48 - 1), then wrap.
inline constexpr uint64_t kMaxEntryVersion = (uint64_t{1} << 48) - 1;

// An entry with its metadata, as Store::GetEntry returns it.
struct Entry {
  Value value;
  // Changed by every write of this key, never reused for another write
  // (until 2^48 writes and deletes wrap it); kept when a delete elsewhere
  // moves the entry. A Resize gives every entry a new one. A store starts
  // its versions at a random point, so a version read from a store that
  // was since replaced under its name (a restore, or destroy and create)
  // matches an entry of the new one only by a 2^-47 chance.
  // CompareVersionAndSet takes it.
  uint64_t version = 0;
  // Time left to live in whole milliseconds (rounded down; at most the ttl
  // given, rounded up to a millisecond), or absl::InfiniteDuration() if the
  // entry has none.
  absl::Duration ttl = absl::InfiniteDuration();
};

// One batch of Store::Scan.
struct ScanBatch {
  std::vector<std::pair<std::string, Value>> entries;
  // Pass to the next Scan call; 0 when the scan is complete.
  uint64_t cursor = 0;
};

// Options for Store::GetOrCompute.
struct ComputeOptions {
  // Time to live of the computed value.
  // Default: absl::InfiniteDuration()
  absl::Duration ttl = absl::InfiniteDuration();
  // How long a caller waits for another process's computation before it
  // gives up with DEADLINE_EXCEEDED.
  // Default: 10 seconds
  absl::Duration wait = absl::Seconds(10);
  // How long a computation may run before waiters assume its process hung
  // and take over (a dead process is noticed at once). Positive, at most
  // 10 years.
  // Default: 10 seconds
  absl::Duration lease = absl::Seconds(10);
};

// What Store::Stats() reports.
struct StoreStats {
  std::string name;          // The store's name, e.g. "/kvstore".
  uint64_t segment_bytes;    // Size of the shared-memory object (fstat).
  mode_t mode;               // Permission bits (fstat).
  uid_t owner_uid;           // Owner (fstat).
  gid_t owner_gid;           // Group (fstat).
  uint64_t capacity;         // Most entries the store accepts.
  uint64_t slot_count;       // Slots in the hash table.
  uint32_t slot_bytes;       // Bytes per slot, metadata included.
  uint32_t max_key_bytes;    // Longest key accepted.
  uint32_t max_value_bytes;  // Longest value accepted.
  // The data area (Options::memory), where entries that do not fit their
  // slot keep key and value. All 0 for a store without one.
  uint64_t data_bytes = 0;       // Its size.
  uint64_t data_used_bytes = 0;  // Bytes in blocks in use, headers included.
  uint64_t data_free_bytes = 0;  // data_bytes - data_used_bytes.
  uint64_t data_entries = 0;     // Entries kept there.
  // The most key and value bytes one entry could get now without moving
  // anything: the largest free block less its 8-byte header. Without
  // eviction, a write of a larger entry (up to the free bytes) compacts
  // the area and may still fit.
  uint64_t largest_storable = 0;
  // Bytes of blocks in use that hold no key or value: block headers and
  // the rounding of blocks up to 16 bytes.
  uint64_t rounding_bytes = 0;
  // Free bytes outside the largest free block: free, but not usable by
  // the largest entry until a write joins them (compaction without
  // eviction, eviction with CLOCK).
  uint64_t fragmented_bytes = 0;
  uint64_t entry_count;      // Entries stored now.
  absl::Time created;        // When the store was created.
  uint64_t recoveries;       // Repairs after a process died holding the lock.
  absl::Time last_recovery;  // absl::InfinitePast() if there was none.
  absl::Duration longest_repair;  // Slowest of those repairs.
  uint64_t lock_resets;  // Times ResetLock revived an unrecoverable lock.
  // True if the mode lets group or others write: any such process can
  // corrupt the store (see docs/design.md, "Security model").
  bool writable_by_others;
  Eviction eviction;    // Policy chosen at creation.
  double load_factor;   // entry_count / slot_count.
  uint64_t tombstones;  // Always 0: deletion shifts entries back.
  // Operation counters, summed over every process since creation.
  uint64_t hits;                  // Gets that found a live entry.
  uint64_t misses;                // Gets that did not.
  uint64_t sets;                  // Successful writes of a value.
  uint64_t deletes;               // Entries removed by Erase or GetAndErase.
  uint64_t expirations;           // Expired entries reclaimed.
  uint64_t evictions;             // Entries evicted by CLOCK to make room.
  uint64_t lock_waits;            // Times a process found the lock held.
  absl::Duration lock_wait_time;  // Total time spent waiting for it.
  // The longest of those waits. A waiter never sleeps on a free lock for
  // more than about a millisecond (docs/design.md, "Locking"), so a long
  // wait means a long holder: a stopped process, or many waiters in turn.
  absl::Duration longest_lock_wait;
  uint64_t long_lock_waits;  // Waits longer than 1 ms.
  // Compactions of the data area (stores without eviction; docs/design.md,
  // "Compaction") and the bytes of blocks they moved.
  uint64_t compactions = 0;
  uint64_t compacted_bytes = 0;
};

// What a shared-memory object holds, as Store::Inspect tells from its first
// bytes without opening it as a store.
enum class ObjectKind {
  kStore,        // A store: its header carries the kvstore magic number and
                 // its creator finished it. It may still be damaged.
  kHalfCreated,  // A store whose creator has not published it (yet): it is
                 // being created, or its creator died (see creator_gone).
  kEmpty,        // Zero bytes, or only zero bytes: nothing says whose it is
                 // (a creator killed in its first microseconds leaves one).
  kForeign,      // Something else: another program's shared memory.
};

// What Store::Inspect reports.
struct ObjectInfo {
  ObjectKind kind = ObjectKind::kForeign;
  uint64_t bytes = 0;     // Size of the object.
  pid_t creator_pid = 0;  // The creating process, if the object names one.
  // True if creator_pid is set and names no running process (a process
  // that exited, zombies included).
  bool creator_gone = false;
  // For a store: true if its header says it is a typed store (TypedMap,
  // TypedStore), false for a tagged one (Store). Read, not validated.
  bool typed = false;
};

class Store {
 public:
  // Opens the store called `name`, creating it if options.create_if_missing
  // is set. `name` is a POSIX shared-memory name: one leading '/', no other
  // '/', 2 to 255 bytes, made of letters, digits, '.', '_' and '-'.
  //
  // Returns NOT_FOUND if the store is absent and may not be created,
  // ALREADY_EXISTS if it exists and options.error_if_exists is set,
  // INVALID_ARGUMENT for a bad name or bad limits, FAILED_PRECONDITION if
  // the object is not a kvstore, has an unsupported version or binary
  // interface, or (with options.require_same_limits) other limits, DATA_LOSS
  // if it is damaged (sizes or checksum; it is left untouched),
  // RESOURCE_EXHAUSTED if /dev/shm has no room for a new store, UNAVAILABLE if
  // another process is still creating it. A store left half-created by a
  // creator that died is DATA_LOSS, except that Open with error_if_exists
  // (`kvstore create`) removes it and creates the store anew.
  // PERMISSION_DENIED if this user may not open it read-write (or, with
  // options.read_only, read it at all); the message says when it may read
  // it. With options.read_only, the store opens even if a writer died
  // holding its lock (the repair is left to a read-write handle) and
  // INVALID_ARGUMENT if create_if_missing or error_if_exists is set too.
  static absl::StatusOr<std::unique_ptr<Store>> Open(
      absl::string_view name, const Options& options = Options());

  // OK if `name` is a valid store name (see Open), else INVALID_ARGUMENT
  // saying why.
  static absl::Status ValidateName(absl::string_view name);

  // Removes the store's name. Processes that have it open keep using their
  // mapping until they close it; the memory is freed after the last one.
  // Returns NOT_FOUND if no such store exists.
  static absl::Status Destroy(absl::string_view name);

  // What the shared-memory object `name` is, read without opening it as a
  // store and without changing it (it needs only read permission).
  // Returns NOT_FOUND if there is no such object, INVALID_ARGUMENT for a bad
  // name, PERMISSION_DENIED if it cannot be read.
  static absl::StatusOr<ObjectInfo> Inspect(absl::string_view name);

  // Repairs a store whose lock was left unrecoverable (ENOTRECOVERABLE, by
  // an older or faulty build): finishes any journaled write, then
  // reinitialises the lock. Keeps all data. REQUIRES: no other process is
  // using the store. Returns FAILED_PRECONDITION if the lock is healthy.
  static absl::Status ResetLock(absl::string_view name);

  // Grows (or shrinks, if its entries fit) store `name` while processes
  // use it: its live entries are copied, with writers waiting, into a new
  // segment of `capacity` entries and `memory` data bytes (ignored for a
  // typed store), which then takes the name in one rename. Every handle of
  // the store, in any process, moves to the new segment on its next call,
  // and no acknowledged write is lost; a Scan begun before fails with
  // ABORTED and must start again at cursor 0. Old segments stay mapped by
  // each handle until it is destroyed. A resize killed at any point leaves
  // the old store or the new one, complete and in use. Sets *pause (if not
  // null) to how long writers waited. Returns NOT_FOUND if the store does
  // not exist, INVALID_ARGUMENT for out-of-range sizes, FAILED_PRECONDITION
  // (changing nothing) if the entries do not fit the new size.
  static absl::Status Resize(absl::string_view name, uint64_t capacity,
                             uint64_t memory, absl::Duration* pause = nullptr);

  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // The value stored under `key`, or NOT_FOUND.
  //
  // Reads take no lock and never repair. A write whose process died after
  // journaling it (so never acknowledged to its caller) takes effect when
  // the next call that takes the lock (a write, MultiGet, Scan, ForEach or
  // Verify) repairs the store; until then reads return the entry as it was
  // before that write.
  absl::StatusOr<Value> Get(absl::string_view key) const;

  // Same, reusing `*out`'s buffer: neither a hit (once the buffer is large
  // enough) nor a miss allocates, with or without a fallback to the lock.
  absl::Status Get(absl::string_view key, Value* out) const;

  // Same, but never waits: where Get would take the lock (a write of this
  // key in progress in another process, an expired entry to reclaim, a
  // resize to follow), returns UNAVAILABLE having read and counted
  // nothing, and the caller calls Get. For callers that must not block
  // while holding something of their own, such as a language runtime's
  // global lock (the Python module). Hits and misses count as for Get.
  absl::Status TryGet(absl::string_view key, Value* out) const;

  // TryGet that also fills *stamp (not null) on a hit; on anything else
  // *stamp is left as it was.
  absl::Status TryGet(absl::string_view key, Value* out,
                      ReadStamp* stamp) const;

  // True if the entry that the TryGet which filled `stamp` read is now
  // still the live entry of its key, unchanged (no write, delete, expiry
  // change, eviction or move of it by any process since, and not expired):
  // then that TryGet would now return the value it returned then. When
  // true it counts a hit and marks the entry used for CLOCK eviction, as
  // the TryGet would; when false it counts nothing and the caller reads
  // the key again. A default stamp, and one filled through another Store
  // object, are never current; after a resize none is until read again.
  // Never waits, never takes the lock, allocates nothing. A write that
  // ended before IsCurrent began is seen; one still in progress in another
  // process is not (the entry it replaces is still the live one).
  bool IsCurrent(const ReadStamp& stamp) const;

  // The value under `key` as T, one of std::string (kString), Bytes
  // (kBytes), int64_t, double or bool. Returns FAILED_PRECONDITION naming
  // both types if the entry has another type, NOT_FOUND if it is absent.
  template <typename T>
  absl::StatusOr<T> Get(absl::string_view key) const;

  // The value under `key` with its version and remaining time to live.
  absl::StatusOr<Entry> GetEntry(absl::string_view key) const;

  // The values of `keys`: one result per key, NOT_FOUND for absent ones.
  // By default each key is read atomically and without the lock, like
  // Get, with every key hashed and its home slot prefetched first so that
  // the batch's memory misses overlap; another process's writes may land
  // between two keys. With options.snapshot, the batch is read under one
  // lock acquisition: a consistent snapshot of all the keys.
  std::vector<absl::StatusOr<Value>> MultiGet(
      const std::vector<std::string>& keys,
      const MultiGetOptions& options = MultiGetOptions()) const;

  // Stores `value` under `key`, replacing any value of any type (and any
  // time to live: the entry gets options.ttl).
  // Returns INVALID_ARGUMENT for an empty or over-long key, an over-long
  // value (an empty value is fine) or a non-positive ttl, and
  // RESOURCE_EXHAUSTED if `key` is new and the store is full (with
  // Eviction::kNone).
  absl::Status Set(absl::string_view key, const Value& value,
                   const WriteOptions& options = WriteOptions());

  // Stores every pair under one lock acquisition. All pairs are checked
  // first: if any is invalid, or the new keys do not fit a store without
  // eviction, nothing is written. Each pair is written atomically; a
  // process killed midway leaves a prefix of the batch written.
  absl::Status MultiSet(const std::vector<std::pair<std::string, Value>>& kvs,
                        const WriteOptions& options = WriteOptions());

  // Stores `value` under `key` only if `key` is absent (with options.ttl).
  // Returns true if it was stored, false if the key existed (its value and
  // time to live are left unchanged).
  absl::StatusOr<bool> SetIfAbsent(
      absl::string_view key, const Value& value,
      const WriteOptions& options = WriteOptions());

  // Stores `value` under `key` only if `key` is present. Returns true if it
  // was replaced, false if the key was absent (nothing is written). Like
  // Set, the entry gets options.ttl: without one it no longer expires.
  absl::StatusOr<bool> Replace(absl::string_view key, const Value& value,
                               const WriteOptions& options = WriteOptions());

  // Replaces the value under `key` with `desired` only if it equals
  // `expected` (type and bytes). Returns true if replaced, false if the
  // current value differs, NOT_FOUND if the key is absent. Like Set, a
  // replaced entry gets options.ttl: without one it no longer expires.
  absl::StatusOr<bool> CompareAndSet(
      absl::string_view key, const Value& expected, const Value& desired,
      const WriteOptions& options = WriteOptions());

  // Replaces the value under `key` with `desired` only if the entry's
  // version (from GetEntry) is still `version`. Returns true if replaced,
  // false if another write (or a Resize) came first, NOT_FOUND if the key
  // is absent.
  // Like Set, a replaced entry gets options.ttl: without one it no longer
  // expires.
  absl::StatusOr<bool> CompareVersionAndSet(
      absl::string_view key, uint64_t version, const Value& desired,
      const WriteOptions& options = WriteOptions());

  // Removes `key`. Returns NOT_FOUND if it was absent.
  absl::Status Erase(absl::string_view key);

  // Removes `key` and returns the value it had, atomically: of processes
  // racing on one key, exactly one gets the value. NOT_FOUND if absent.
  absl::StatusOr<Value> GetAndErase(absl::string_view key);

  // Adds `delta` to the int64 under `key`, creating it at 0 first if absent,
  // and returns the new value. Keeps the entry's time to live. Returns
  // FAILED_PRECONDITION if the entry is not an int64 and OUT_OF_RANGE
  // (changing nothing) on overflow.
  absl::StatusOr<int64_t> Increment(absl::string_view key, int64_t delta = 1);

  // Adds `delta` to the double under `key`, creating it at 0.0 first if
  // absent, and returns the new value. FAILED_PRECONDITION if the entry is
  // not a double.
  absl::StatusOr<double> AddDouble(absl::string_view key, double delta);

  // Gives `key` a new time to live (positive, at most 10 years). NOT_FOUND
  // if absent.
  absl::Status Expire(absl::string_view key, absl::Duration ttl);

  // Removes `key`'s time to live. NOT_FOUND if absent.
  absl::Status Persist(absl::string_view key);

  // Time left to live, absl::InfiniteDuration() if none. NOT_FOUND if absent.
  absl::StatusOr<absl::Duration> Ttl(absl::string_view key) const;

  // Returns the value under `key`; on a miss calls `compute` and stores
  // its result (with options.ttl). Of the processes that ask for one
  // missing key at once, only one computes; the others wait for its result
  // up to options.wait (then DEADLINE_EXCEEDED). If the computing process
  // dies, or outlives options.lease, a waiter takes over. An error from
  // `compute` is returned to its caller and stores nothing. A computation
  // that was taken over (its lease ran out), or whose store was resized
  // meanwhile, returns its value to its caller but does not store it: it
  // never overwrites the result of the process that took over.
  absl::StatusOr<Value> GetOrCompute(
      absl::string_view key,
      const std::function<absl::StatusOr<Value>()>& compute,
      const ComputeOptions& options = ComputeOptions());

  // One batch of a scan over the entries whose key starts with `prefix`.
  // Start with cursor 0 and pass each returned cursor back until it is 0.
  // Every entry present for the whole scan is returned at least once (some
  // may be returned twice), even while other processes write; the lock is
  // taken once per batch. A batch visits about `count` slots (more to
  // finish a probe cluster), so it may hold fewer or no entries.
  absl::StatusOr<ScanBatch> Scan(uint64_t cursor, absl::string_view prefix,
                                 size_t count = 256) const;

  // Calls `fn` for every entry whose key starts with `prefix`, in table
  // order, from a consistent snapshot taken under the lock (`fn` runs
  // without it and may call into the store). Stops early and returns the
  // first non-OK status `fn` returns.
  absl::Status ForEach(const std::function<absl::Status(
                           absl::string_view key, const Value& value)>& fn,
                       absl::string_view prefix = "") const;

  // Sizes, limits, counts and ownership of the store.
  absl::StatusOr<StoreStats> Stats() const;

  // Walks every slot and checks probe chains, counts, types and sizes.
  // Returns OK for a sound store, DATA_LOSS listing the problems otherwise.
  // Tells `progress`, if given, the slots walked of all (under the store's
  // lock: writers wait for it).
  absl::Status Verify(const ProgressCallback& progress = nullptr) const;

  // The store's name.
  const std::string& name() const;

  // True if the handle was opened with Options::read_only.
  bool read_only() const;

 private:
  explicit Store(std::unique_ptr<internal::TableHandle> handle);

  template <typename T>
  static constexpr ValueType TypeOf();

  std::unique_ptr<internal::TableHandle> handle_;
};

template <typename T>
constexpr ValueType Store::TypeOf() {
  if constexpr (std::is_same_v<T, std::string>) {
    return ValueType::kString;
  } else if constexpr (std::is_same_v<T, Bytes>) {
    return ValueType::kBytes;
  } else if constexpr (std::is_same_v<T, bool>) {
    return ValueType::kBool;
  } else if constexpr (std::is_same_v<T, int64_t>) {
    return ValueType::kInt64;
  } else {
    static_assert(std::is_same_v<T, double>,
                  "Get<T> takes std::string, Bytes, int64_t, double or bool");
    return ValueType::kDouble;
  }
}

template <typename T>
absl::StatusOr<T> Store::Get(absl::string_view key) const {
  absl::StatusOr<Value> v = Get(key);
  if (!v.ok()) return v.status();
  constexpr ValueType kWant = TypeOf<T>();
  if (v->type() != kWant) {
    return absl::FailedPreconditionError(
        std::string("key '") + std::string(key) + "' in store " + name() +
        " has type " + std::string(ValueTypeName(v->type())) + ", not " +
        std::string(ValueTypeName(kWant)));
  }
  if constexpr (std::is_same_v<T, std::string>) {
    return std::string(v->AsString());
  } else if constexpr (std::is_same_v<T, Bytes>) {
    return Bytes{std::string(v->AsString())};
  } else if constexpr (std::is_same_v<T, bool>) {
    return v->AsBool();
  } else if constexpr (std::is_same_v<T, int64_t>) {
    return v->AsInt64();
  } else {
    return v->AsDouble();
  }
}

}  // namespace kvstore

#endif  // KVSTORE_STORE_H_
