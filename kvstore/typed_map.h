// TypedMap<K, V>: a store whose keys and values are C++ types fixed when it
// is created, checked by the compiler in each process and by the store's
// recorded schema across processes.
//
//   struct Visit {
//     uint64_t hits;
//     int64_t last_ns;
//     kvstore::FixedString<16> page;
//   };
//   KVSTORE_FIELDS(Visit, hits, last_ns, page);
//
//   kvstore::Options options;
//   options.create_if_missing = true;
//   auto visits = kvstore::TypedMap<uint64_t, Visit>::Open("/visits", options);
//   if (!visits.ok()) return visits.status();
//   absl::Status s = (*visits)->Set(42, Visit{1, now_ns, "/index.html"});
//   absl::StatusOr<Visit> v = (*visits)->Get(42);
//   absl::StatusOr<uint64_t> hits = (*visits)->AddToField(42, &Visit::hits, 1);
//
// K and V are trivially copyable and default constructible; each is a
// scalar (int8_t..uint64_t, an enum, float, double, bool, FixedString<N>) or
// a struct described with KVSTORE_FIELDS (schema.h). K must also have a
// unique object representation (no padding, no floating point): keys are
// hashed and compared as bytes. Values are stored inline, their padding
// zeroed; a get is a lookup and a copy.
//
// The store records the schemas of K and V. Opening it with other types, or
// types of the same names with another layout, fails with
// FAILED_PRECONDITION showing both schemas side by side; a tagged store
// (kvstore::Store) cannot be opened as a TypedMap, nor the reverse.
// Threads, processes, crashes and error codes are as for kvstore::Store.
#ifndef KVSTORE_TYPED_MAP_H_
#define KVSTORE_TYPED_MAP_H_

#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "kvstore/options.h"
#include "kvstore/schema.h"
#include "kvstore/store.h"
#include "kvstore/typed_store.h"

namespace kvstore {

// A value with its metadata, as TypedMap::GetEntry returns it.
template <typename V>
struct TypedEntry {
  V value;
  uint64_t version = 0;                           // For CompareVersionAndSet.
  absl::Duration ttl = absl::InfiniteDuration();  // Time left to live.
};

// One batch of TypedMap::Scan.
template <typename K, typename V>
struct TypedBatch {
  std::vector<std::pair<K, V>> entries;
  uint64_t cursor = 0;  // Pass to the next Scan; 0 when complete.
};

template <typename K, typename V>
class TypedMap {
  static_assert(std::is_trivially_copyable_v<K> &&
                    std::is_trivially_copyable_v<V>,
                "TypedMap keys and values must be trivially copyable");
  static_assert(std::is_default_constructible_v<K> &&
                    std::is_default_constructible_v<V>,
                "TypedMap keys and values must be default constructible");
  static_assert(std::has_unique_object_representations_v<K>,
                "TypedMap keys are compared as bytes: a key type must have "
                "no padding and no floating-point fields");

 public:
  // Opens the typed store `name`, creating it if options.create_if_missing
  // is set, with the schemas of K and V. options.max_key_bytes and
  // max_value_bytes are ignored (they are sizeof(K) and sizeof(V)).
  // Errors: those of TypedStore::Open.
  static absl::StatusOr<std::unique_ptr<TypedMap>> Open(
      absl::string_view name, const Options& options = Options()) {
    absl::StatusOr<std::unique_ptr<TypedStore>> store =
        TypedStore::Open(name, options, Schema{SchemaOf<K>(), SchemaOf<V>()});
    if (!store.ok()) return store.status();
    return std::unique_ptr<TypedMap>(new TypedMap(*std::move(store)));
  }

  // The value of `key`, or NOT_FOUND.
  absl::StatusOr<V> Get(const K& key) const {
    V value;
    absl::Status status = store_->Get(KeyBytes(key), &value);
    if (!status.ok()) return status;
    return value;
  }
  absl::Status Get(const K& key, V* out) const {
    return store_->Get(KeyBytes(key), out);
  }

  // The value with its version and remaining time to live, or NOT_FOUND.
  absl::StatusOr<TypedEntry<V>> GetEntry(const K& key) const {
    absl::StatusOr<RecordEntry> e = store_->GetEntry(KeyBytes(key));
    if (!e.ok()) return e.status();
    TypedEntry<V> out;
    std::memcpy(&out.value, e->value.data(), sizeof(V));
    out.version = e->version;
    out.ttl = e->ttl;
    return out;
  }

  // One result per key, in order: its value or NOT_FOUND. Each key is read
  // atomically and lock-free, or all of them as one snapshot under the lock
  // with options.snapshot.
  std::vector<absl::StatusOr<V>> MultiGet(
      const std::vector<K>& keys,
      const MultiGetOptions& options = MultiGetOptions()) const {
    std::vector<std::string> raw;
    raw.reserve(keys.size());
    for (const K& k : keys) raw.emplace_back(KeyBytes(k));
    std::vector<absl::StatusOr<std::string>> got =
        store_->MultiGet(raw, options);
    std::vector<absl::StatusOr<V>> out;
    out.reserve(got.size());
    for (absl::StatusOr<std::string>& g : got) {
      if (g.ok()) {
        out.emplace_back(FromBytes<V>(*g));
      } else {
        out.emplace_back(g.status());
      }
    }
    return out;
  }

  // Gives `key` a new time to live (positive, at most 10 years), keeping
  // its value; removes it; reports the time left (InfiniteDuration() if
  // none). NOT_FOUND if absent.
  absl::Status Expire(const K& key, absl::Duration ttl) {
    return store_->Expire(KeyBytes(key), ttl);
  }
  absl::Status Persist(const K& key) { return store_->Persist(KeyBytes(key)); }
  absl::StatusOr<absl::Duration> Ttl(const K& key) const {
    return store_->Ttl(KeyBytes(key));
  }

  // Stores `value` under `key`, replacing any value and time to live.
  // RESOURCE_EXHAUSTED if `key` is new and the store is full (no eviction);
  // INVALID_ARGUMENT for a non-positive options.ttl.
  absl::Status Set(const K& key, const V& value,
                   const WriteOptions& options = WriteOptions()) {
    return store_->Set(KeyBytes(key), ValueBytes(value).view(), options);
  }

  // Stores only if `key` is absent. True if stored, false if present.
  absl::StatusOr<bool> SetIfAbsent(
      const K& key, const V& value,
      const WriteOptions& options = WriteOptions()) {
    return store_->SetIfAbsent(KeyBytes(key), ValueBytes(value).view(),
                               options);
  }

  // Replaces the value with `desired` only if its bytes equal `expected`'s
  // (padding aside). True if replaced, false if the value differs,
  // NOT_FOUND if `key` is absent.
  absl::StatusOr<bool> CompareAndSet(
      const K& key, const V& expected, const V& desired,
      const WriteOptions& options = WriteOptions()) {
    return store_->CompareAndSet(KeyBytes(key), ValueBytes(expected).view(),
                                 ValueBytes(desired).view(), options);
  }

  // Replaces the value only if the entry's version (GetEntry) is still
  // `version`. True if replaced, false if another write came first,
  // NOT_FOUND if `key` is absent.
  absl::StatusOr<bool> CompareVersionAndSet(
      const K& key, uint64_t version, const V& desired,
      const WriteOptions& options = WriteOptions()) {
    return store_->CompareVersionAndSet(KeyBytes(key), version,
                                        ValueBytes(desired).view(), options);
  }

  // Removes `key`. NOT_FOUND if absent.
  absl::Status Erase(const K& key) { return store_->Erase(KeyBytes(key)); }

  // Removes `key` and returns its value, atomically. NOT_FOUND if absent.
  absl::StatusOr<V> GetAndErase(const K& key) {
    absl::StatusOr<std::string> bytes = store_->GetAndErase(KeyBytes(key));
    if (!bytes.ok()) return bytes.status();
    return FromBytes<V>(*bytes);
  }

  // Adds `delta` to the integer member `field` (e.g. &Visit::hits) of the
  // value under `key`, atomically across processes, and returns its new
  // value. NOT_FOUND if `key` is absent; OUT_OF_RANGE, changing nothing, if
  // the result does not fit F.
  // (C is V; spelled apart so that maps of scalar values compile.)
  template <typename F, typename C>
  absl::StatusOr<F> AddToField(const K& key, F C::*field, int64_t delta) {
    static_assert(std::is_same_v<C, V>, "the field must be a member of V");
    static_assert(std::is_integral_v<F> && !std::is_same_v<F, bool>,
                  "AddToField adds to integer fields");
    const size_t offset = OffsetOf(field);
    const Field* found = nullptr;
    for (const Field& f : store_->schema().value.fields) {
      if (f.offset == offset && f.type == schema_internal::IntegerType<F>()) {
        found = &f;
      }
    }
    if (found == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("no integer field at offset ", offset, " of ",
                       store_->schema().value.name, " in store ", name()));
    }
    absl::StatusOr<std::string> after =
        store_->AddToField(KeyBytes(key), found->name, delta);
    if (!after.ok()) return after.status();
    F result;
    std::memcpy(&result, after->data() + offset, sizeof(F));
    return result;
  }

  // The same by field path ("hits", "stats.hits"); returns the whole value.
  // INVALID_ARGUMENT if `path` names no integer field.
  absl::StatusOr<V> AddToField(const K& key, absl::string_view path,
                               int64_t delta) {
    absl::StatusOr<std::string> after =
        store_->AddToField(KeyBytes(key), path, delta);
    if (!after.ok()) return after.status();
    return FromBytes<V>(*after);
  }

  // One batch of a scan over every entry: start with cursor 0 and pass each
  // returned cursor back until it is 0 (guarantees as for Store::Scan).
  absl::StatusOr<TypedBatch<K, V>> Scan(uint64_t cursor,
                                        size_t count = 256) const {
    return Scan(cursor, "", count);
  }
  // The same over the keys whose stored bytes start with `key_prefix`: the
  // object representation of K, so for a struct key the bytes of its
  // leading fields (e.g. a tenant id before an item id) in host order.
  // INVALID_ARGUMENT if longer than sizeof(K).
  absl::StatusOr<TypedBatch<K, V>> Scan(uint64_t cursor,
                                        absl::string_view key_prefix,
                                        size_t count) const {
    absl::StatusOr<RecordBatch> batch = store_->Scan(cursor, key_prefix, count);
    if (!batch.ok()) return batch.status();
    TypedBatch<K, V> out;
    out.cursor = batch->cursor;
    out.entries.reserve(batch->entries.size());
    for (const auto& [k, v] : batch->entries) {
      out.entries.emplace_back(FromBytes<K>(k), FromBytes<V>(v));
    }
    return out;
  }

  // Calls `fn` for every entry of a consistent snapshot (taken under the
  // lock; `fn` runs without it). Stops at and returns `fn`'s first error.
  absl::Status ForEach(
      const std::function<absl::Status(const K&, const V&)>& fn) const {
    auto entries = store_->Snapshot();
    if (!entries.ok()) return entries.status();
    for (const auto& [k, v] : *entries) {
      absl::Status status = fn(FromBytes<K>(k), FromBytes<V>(v));
      if (!status.ok()) return status;
    }
    return absl::OkStatus();
  }

  absl::StatusOr<StoreStats> Stats() const { return store_->Stats(); }
  absl::Status Verify() const { return store_->Verify(); }
  const std::string& name() const { return store_->name(); }
  const Schema& schema() const { return store_->schema(); }
  // The untyped view of the same store.
  TypedStore& store() { return *store_; }

 private:
  // A value's bytes with padding zeroed, borrowed when V has none.
  class Canonical {
   public:
    Canonical(const V& value,
              const std::vector<std::pair<uint32_t, uint32_t>>& spans) {
      if constexpr (std::has_unique_object_representations_v<V>) {
        data_ = reinterpret_cast<const char*>(&value);
      } else {
        copy_.assign(sizeof(V), '\0');
        const char* from = reinterpret_cast<const char*>(&value);
        for (const auto& [offset, size] : spans) {
          std::memcpy(&copy_[offset], from + offset, size);
        }
        data_ = copy_.data();
      }
    }
    absl::string_view view() const { return {data_, sizeof(V)}; }

   private:
    const char* data_;
    std::string copy_;
  };

  explicit TypedMap(std::unique_ptr<TypedStore> store)
      : store_(std::move(store)) {
    AddSpans(store_->schema().value.fields, 0);
  }

  void AddSpans(const std::vector<Field>& fields, uint32_t base) {
    for (const Field& f : fields) {
      if (f.type == FieldType::kStruct) {
        AddSpans(f.fields, base + f.offset);
      } else {
        spans_.emplace_back(base + f.offset, f.size);
      }
    }
  }

  static absl::string_view KeyBytes(const K& key) {
    return absl::string_view(reinterpret_cast<const char*>(&key), sizeof(K));
  }
  Canonical ValueBytes(const V& value) const {
    return Canonical(value, spans_);
  }
  template <typename T>
  static T FromBytes(const std::string& bytes) {
    T out;
    std::memcpy(&out, bytes.data(), sizeof(T));
    return out;
  }
  template <typename F, typename C>
  static size_t OffsetOf(F C::*field) {
    static const std::aligned_storage_t<sizeof(V), alignof(V)> storage{};
    const V* v = reinterpret_cast<const V*>(&storage);
    return reinterpret_cast<const char*>(&(v->*field)) -
           reinterpret_cast<const char*>(v);
  }

  std::unique_ptr<TypedStore> store_;
  std::vector<std::pair<uint32_t, uint32_t>> spans_;  // Value field bytes.
};

}  // namespace kvstore

#endif  // KVSTORE_TYPED_MAP_H_
