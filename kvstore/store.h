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
//
// Errors: every call returns absl::Status or absl::StatusOr. Codes:
//   NOT_FOUND            the key (or the store, for Open) does not exist
//   ALREADY_EXISTS       Open with error_if_exists on an existing store
//   INVALID_ARGUMENT     bad name, empty or over-long key or value
//   FAILED_PRECONDITION  the entry has another type; limits differ; the
//                        object is not a kvstore or has an unsupported
//                        format version or binary interface
//   RESOURCE_EXHAUSTED   the store is full, or /dev/shm is
//   OUT_OF_RANGE         an increment would overflow int64
//   DATA_LOSS            the store is damaged (checksum, sizes, slots) or
//                        was left half-created by a process that died
//   UNAVAILABLE          the store is still being created by another process
//   PERMISSION_DENIED    the store's mode does not allow this user
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

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "kvstore/options.h"
#include "kvstore/value.h"

namespace kvstore {

namespace internal {
class Table;
}  // namespace internal

// Wraps a payload that Get<Bytes>/Set store as ValueType::kBytes.
struct Bytes {
  std::string data;
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
  uint64_t entry_count;      // Entries stored now.
  absl::Time created;        // When the store was created.
  uint64_t recoveries;       // Repairs after a process died holding the lock.
  absl::Time last_recovery;  // absl::InfinitePast() if there was none.
  absl::Duration longest_repair;  // Slowest of those repairs.
  uint64_t lock_resets;      // Times ResetLock revived an unrecoverable lock.
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
  // if it is damaged (sizes or checksum; it is left untouched), RESOURCE_EXHAUSTED if /dev/shm has no room for a
  // new store, UNAVAILABLE if another process is still creating it.
  static absl::StatusOr<std::unique_ptr<Store>> Open(
      absl::string_view name, const Options& options = Options());

  // Removes the store's name. Processes that have it open keep using their
  // mapping until they close it; the memory is freed after the last one.
  // Returns NOT_FOUND if no such store exists.
  static absl::Status Destroy(absl::string_view name);

  // Repairs a store whose lock was left unrecoverable (ENOTRECOVERABLE, by
  // an older or faulty build): finishes any journaled write, then
  // reinitialises the lock. Keeps all data. REQUIRES: no other process is
  // using the store. Returns FAILED_PRECONDITION if the lock is healthy.
  static absl::Status ResetLock(absl::string_view name);

  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // The value stored under `key`, or NOT_FOUND.
  absl::StatusOr<Value> Get(absl::string_view key) const;

  // Same, reusing `*out`'s buffer (no allocation once it is large enough).
  absl::Status Get(absl::string_view key, Value* out) const;

  // The value under `key` as T, one of std::string (kString), Bytes
  // (kBytes), int64_t, double or bool. Returns FAILED_PRECONDITION naming
  // both types if the entry has another type, NOT_FOUND if it is absent.
  template <typename T>
  absl::StatusOr<T> Get(absl::string_view key) const;

  // Stores `value` under `key`, replacing any value of any type.
  // Returns INVALID_ARGUMENT for an empty or over-long key or value and
  // RESOURCE_EXHAUSTED if `key` is new and the store is full.
  absl::Status Set(absl::string_view key, const Value& value);

  // Stores `value` under `key` only if `key` is absent. Returns true if it
  // was stored, false if the key existed (its value is left unchanged).
  absl::StatusOr<bool> SetIfAbsent(absl::string_view key, const Value& value);

  // Replaces the value under `key` with `desired` only if it equals
  // `expected` (type and bytes). Returns true if replaced, false if the
  // current value differs, NOT_FOUND if the key is absent.
  absl::StatusOr<bool> CompareAndSet(absl::string_view key,
                                     const Value& expected,
                                     const Value& desired);

  // Removes `key`. Returns NOT_FOUND if it was absent.
  absl::Status Erase(absl::string_view key);

  // Adds `delta` to the int64 under `key`, creating it at 0 first if absent,
  // and returns the new value. Returns FAILED_PRECONDITION if the entry is
  // not an int64 and OUT_OF_RANGE (changing nothing) on overflow.
  absl::StatusOr<int64_t> Increment(absl::string_view key, int64_t delta = 1);

  // Calls `fn` for every entry whose key starts with `prefix`, in table
  // order, from a consistent snapshot taken under the lock (`fn` runs
  // without it and may call into the store). Stops early and returns the
  // first non-OK status `fn` returns.
  absl::Status ForEach(
      const std::function<absl::Status(absl::string_view key,
                                       const Value& value)>& fn,
      absl::string_view prefix = "") const;

  // Sizes, limits, counts and ownership of the store.
  absl::StatusOr<StoreStats> Stats() const;

  // Walks every slot and checks probe chains, counts, types and sizes.
  // Returns OK for a sound store, DATA_LOSS listing the problems otherwise.
  absl::Status Verify() const;

  // The store's name.
  const std::string& name() const;

 private:
  explicit Store(std::unique_ptr<internal::Table> table);

  template <typename T>
  static constexpr ValueType TypeOf();

  std::unique_ptr<internal::Table> table_;
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
        " has type " + std::string(ValueTypeName(v->type())) +
        ", not " + std::string(ValueTypeName(kWant)));
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
