// A typed store seen as raw records: the non-template half of TypedMap
// (typed_map.h), and what the command-line tool uses to read and write typed
// stores without knowing the program's types.
//
//   absl::StatusOr<std::unique_ptr<kvstore::TypedStore>> store =
//       kvstore::TypedStore::OpenAny("/visits");
//   const kvstore::Schema& schema = (*store)->schema();
//   absl::StatusOr<std::string> key = kvstore::ParseRecord(schema.key, "42");
//   absl::StatusOr<std::string> value = (*store)->Get(*key);
//   std::string json = kvstore::RecordToJson(schema.value, *value);
//
// Keys and values are byte strings of exactly the key and value record
// sizes (schema().key.size, schema().value.size). Thread safety, processes,
// crashes and error codes are as for kvstore::Store (store.h).
#ifndef KVSTORE_TYPED_STORE_H_
#define KVSTORE_TYPED_STORE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "kvstore/options.h"
#include "kvstore/record_codec.h"
#include "kvstore/schema.h"
#include "kvstore/store.h"

namespace kvstore {

namespace internal {
class Table;
class TableHandle;
}  // namespace internal

// One batch of TypedStore::Scan: raw key and value records.
struct RecordBatch {
  std::vector<std::pair<std::string, std::string>> entries;
  // Pass to the next Scan call; 0 when the scan is complete.
  uint64_t cursor = 0;
};

// A record with its metadata.
struct RecordEntry {
  std::string value;
  uint64_t version = 0;                           // For CompareVersionAndSet.
  absl::Duration ttl = absl::InfiniteDuration();  // Time left to live.
};

class TypedStore {
 public:
  // Opens the typed store `name` with `schema`, creating it if
  // options.create_if_missing is set. The key and value limits in `options`
  // are ignored: a typed store's are its record sizes.
  //
  // Returns, besides Store::Open's errors: FAILED_PRECONDITION if the store
  // was created with another schema (the message lists both side by side;
  // nothing is reinterpreted) or is a tagged store; INVALID_ARGUMENT if the
  // encoded schema is larger than a store can record (3568 bytes) or a
  // record is larger than the limits (keys 4095 bytes, values 2^24 - 1), or
  // `schema` is not one Schema::Decode would accept (a hand-built one);
  // DATA_LOSS if the stored schema is damaged or disagrees with the store's
  // limits.
  static absl::StatusOr<std::unique_ptr<TypedStore>> Open(
      absl::string_view name, const Options& options, const Schema& schema);

  // Opens an existing typed store with whatever schema it has (for tools).
  // options.create_if_missing is ignored. Returns NOT_FOUND if absent,
  // FAILED_PRECONDITION for a tagged store, DATA_LOSS for a damaged schema.
  static absl::StatusOr<std::unique_ptr<TypedStore>> OpenAny(
      absl::string_view name, const Options& options = Options());

  ~TypedStore();
  TypedStore(const TypedStore&) = delete;
  TypedStore& operator=(const TypedStore&) = delete;

  const std::string& name() const;
  const Schema& schema() const { return schema_; }

  // Every call below returns INVALID_ARGUMENT if `key` (or a value) is not
  // exactly its record's size, and DATA_LOSS if a stored record has another
  // size.

  // Copies the value of `key` into `out` (value size bytes). NOT_FOUND if
  // absent. Allocates nothing.
  absl::Status Get(absl::string_view key, void* out) const;
  absl::StatusOr<std::string> Get(absl::string_view key) const;
  absl::StatusOr<RecordEntry> GetEntry(absl::string_view key) const;

  // One result per key, in order: the value record, or NOT_FOUND (or
  // INVALID_ARGUMENT for a key of the wrong size). Each key is read
  // atomically and lock-free; with options.snapshot all of them under one
  // lock acquisition, as one consistent snapshot.
  std::vector<absl::StatusOr<std::string>> MultiGet(
      const std::vector<std::string>& keys,
      const MultiGetOptions& options = MultiGetOptions()) const;

  // Gives `key` a new time to live (positive, at most 10 years), keeping
  // its value. NOT_FOUND if absent.
  absl::Status Expire(absl::string_view key, absl::Duration ttl);
  // Removes `key`'s time to live. NOT_FOUND if absent.
  absl::Status Persist(absl::string_view key);
  // Time left to live, absl::InfiniteDuration() if none. NOT_FOUND if
  // absent.
  absl::StatusOr<absl::Duration> Ttl(absl::string_view key) const;

  // Stores `value` under `key`, replacing any value and time to live.
  // RESOURCE_EXHAUSTED if `key` is new and the store is full (no eviction);
  // INVALID_ARGUMENT for a non-positive ttl.
  absl::Status Set(absl::string_view key, absl::string_view value,
                   const WriteOptions& options = WriteOptions());
  // Stores only if absent; true if stored.
  absl::StatusOr<bool> SetIfAbsent(
      absl::string_view key, absl::string_view value,
      const WriteOptions& options = WriteOptions());
  // Replaces the value only if its bytes equal `expected`; true if replaced,
  // false if they differ, NOT_FOUND if absent.
  absl::StatusOr<bool> CompareAndSet(
      absl::string_view key, absl::string_view expected,
      absl::string_view desired, const WriteOptions& options = WriteOptions());
  // Replaces the value only if the entry's version is still `version`.
  absl::StatusOr<bool> CompareVersionAndSet(
      absl::string_view key, uint64_t version, absl::string_view desired,
      const WriteOptions& options = WriteOptions());

  // Removes `key`. NOT_FOUND if absent.
  absl::Status Erase(absl::string_view key);
  // Removes `key` and returns its value, atomically. NOT_FOUND if absent.
  absl::StatusOr<std::string> GetAndErase(absl::string_view key);

  // Adds `delta` to the integer field at `path` ("hits", "stats.hits") of
  // the value under `key`, atomically with respect to every other write in
  // every process, keeping the other fields and the time to live. Returns
  // the whole value record after the add. NOT_FOUND if the key is absent
  // (no value is created); INVALID_ARGUMENT if `path` names no field, or one
  // that is not an integer (int8..uint64; not enums, floats or bools);
  // OUT_OF_RANGE, changing nothing, if the result does not fit the field's
  // type (e.g. below 0 for an unsigned field).
  absl::StatusOr<std::string> AddToField(absl::string_view key,
                                         absl::string_view path, int64_t delta);

  // One batch of a scan over all entries (see Store::Scan for the
  // guarantees): start at cursor 0, pass the returned cursor back until it
  // is 0. OUT_OF_RANGE for a cursor past the table.
  absl::StatusOr<RecordBatch> Scan(uint64_t cursor, size_t count = 256) const;
  // The same over the entries whose key record starts with the bytes
  // `prefix` (e.g. a leading fixed-size field of a composite key).
  absl::StatusOr<RecordBatch> Scan(uint64_t cursor, absl::string_view prefix,
                                   size_t count) const;

  // Every entry, from a consistent snapshot taken under the lock.
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> Snapshot()
      const;

  absl::StatusOr<StoreStats> Stats() const;
  // As Store::Verify.
  absl::Status Verify(const ProgressCallback& progress = nullptr) const;

 private:
  TypedStore(std::unique_ptr<internal::Table> table, const Options& options,
             Schema schema);

  absl::Status CheckKey(absl::string_view key) const;
  absl::Status CheckValue(absl::string_view value) const;
  // DATA_LOSS unless a stored entry has the record sizes.
  absl::Status CheckSizes(absl::string_view key, absl::string_view value) const;

  std::unique_ptr<internal::TableHandle> handle_;
  const Schema schema_;
};

}  // namespace kvstore

#endif  // KVSTORE_TYPED_STORE_H_
