// The C API's store calls: open, close, reads and writes (c_api.h). Each
// checks its pointers, converts, calls kvstore::Store and reports.
#include "kvstore/c_api.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "kvstore/c_api_internal.h"

namespace kvstore {
namespace c_api {
namespace {

// Reads reuse one Value per thread: a hit allocates nothing once its
// buffer is large enough.
Value& ThreadValue() {
  thread_local Value value;
  return value;
}

WriteOptions Ttl(int64_t ttl_ms) {
  WriteOptions options;
  options.ttl = TtlFromMs(ttl_ms);
  return options;
}

// The store and key of a keyed call, checked.
struct Keyed {
  absl::Status status;
  absl::string_view key;
};

Keyed CheckKeyed(const kvstore_t* store, const char* key, uint64_t key_size,
                 const char* what) {
  Keyed k{CheckStore(store, what), {}};
  if (!k.status.ok()) return k;
  absl::StatusOr<absl::string_view> bytes = Bytes(what, key, key_size);
  if (!bytes.ok()) {
    k.status = bytes.status();
  } else {
    k.key = *bytes;
  }
  return k;
}

// Stores a conditional write's outcome in *flag.
absl::Status SetFlag(const absl::StatusOr<bool>& result, int32_t* flag) {
  if (!result.ok()) return result.status();
  *flag = *result ? 1 : 0;
  return absl::OkStatus();
}

// Reads `key` as ValueType T into *out.
template <typename T, ValueType kType>
absl::Status GetScalar(const kvstore_t* store, const char* key,
                       uint64_t key_size, T* out, const char* what) {
  Keyed k = CheckKeyed(store, key, key_size, what);
  if (!k.status.ok()) return k.status;
  if (absl::Status s = RequireNonNull(out, what, "value"); !s.ok()) return s;
  Value& value = ThreadValue();
  if (absl::Status s = store->store->Get(k.key, &value); !s.ok()) return s;
  if (value.type() != kType) {
    return absl::FailedPreconditionError(absl::StrCat(
        "key '", k.key, "' in store ", store->store->name(), " has type ",
        ValueTypeName(value.type()), ", not ", ValueTypeName(kType)));
  }
  if constexpr (kType == ValueType::kInt64) {
    *out = value.AsInt64();
  } else if constexpr (kType == ValueType::kDouble) {
    *out = value.AsDouble();
  } else {
    *out = value.AsBool() ? 1 : 0;
  }
  return absl::OkStatus();
}

}  // namespace
}  // namespace c_api
}  // namespace kvstore

using kvstore::Value;
using kvstore::c_api::Bytes;
using kvstore::c_api::CheckKeyed;
using kvstore::c_api::CopyOut;
using kvstore::c_api::Guarded;
using kvstore::c_api::Keyed;
using kvstore::c_api::RequireNonNull;
using kvstore::c_api::SetFlag;
using kvstore::c_api::ToValue;
using kvstore::c_api::Ttl;

extern "C" {

int32_t kvstore_open(const char* name, const kvstore_options_t* options,
                     kvstore_t** store, kvstore_error_t** err) {
  return Guarded("kvstore_open", err, [&]() -> absl::Status {
    if (absl::Status s = RequireNonNull(name, "kvstore_open", "name");
        !s.ok()) {
      return s;
    }
    if (absl::Status s = RequireNonNull(store, "kvstore_open", "store");
        !s.ok()) {
      return s;
    }
    const kvstore::Options defaults;
    absl::StatusOr<std::unique_ptr<kvstore::Store>> opened =
        kvstore::Store::Open(name,
                             options != nullptr ? options->options : defaults);
    if (!opened.ok()) return opened.status();
    absl::StatusOr<kvstore::StoreStats> stats = (*opened)->Stats();
    if (!stats.ok()) return stats.status();
    auto handle = std::make_unique<kvstore_t>();
    handle->store = *std::move(opened);
    handle->max_value_bytes = stats->max_value_bytes;
    *store = handle.release();
    return absl::OkStatus();
  });
}

void kvstore_close(kvstore_t* store) { delete store; }

int32_t kvstore_destroy(const char* name, kvstore_error_t** err) {
  return Guarded("kvstore_destroy", err, [&]() -> absl::Status {
    if (absl::Status s = RequireNonNull(name, "kvstore_destroy", "name");
        !s.ok()) {
      return s;
    }
    return kvstore::Store::Destroy(name);
  });
}

uint32_t kvstore_max_value_bytes(const kvstore_t* store) {
  return store == nullptr ? 0 : store->max_value_bytes;
}

int32_t kvstore_get(const kvstore_t* store, const char* key, uint64_t key_size,
                    int32_t* type, void* buf, uint64_t buf_size, uint64_t* size,
                    kvstore_error_t** err) {
  return Guarded("kvstore_get", err, [&]() -> absl::Status {
    Keyed k = CheckKeyed(store, key, key_size, "kvstore_get");
    if (!k.status.ok()) return k.status;
    Value& value = kvstore::c_api::ThreadValue();
    if (absl::Status s = store->store->Get(k.key, &value); !s.ok()) return s;
    return CopyOut(value, "kvstore_get", type, buf, buf_size, size);
  });
}

int32_t kvstore_get_entry(const kvstore_t* store, const char* key,
                          uint64_t key_size, int32_t* type, void* buf,
                          uint64_t buf_size, uint64_t* size, uint64_t* version,
                          int64_t* ttl_ms, kvstore_error_t** err) {
  return Guarded("kvstore_get_entry", err, [&]() -> absl::Status {
    Keyed k = CheckKeyed(store, key, key_size, "kvstore_get_entry");
    if (!k.status.ok()) return k.status;
    absl::StatusOr<kvstore::Entry> entry = store->store->GetEntry(k.key);
    if (!entry.ok()) return entry.status();
    absl::Status copied =
        CopyOut(entry->value, "kvstore_get_entry", type, buf, buf_size, size);
    if (!copied.ok()) return copied;
    if (version != nullptr) *version = entry->version;
    if (ttl_ms != nullptr) *ttl_ms = kvstore::c_api::TtlToMs(entry->ttl);
    return absl::OkStatus();
  });
}

int32_t kvstore_get_int64(const kvstore_t* store, const char* key,
                          uint64_t key_size, int64_t* value,
                          kvstore_error_t** err) {
  return Guarded("kvstore_get_int64", err, [&] {
    return kvstore::c_api::GetScalar<int64_t, kvstore::ValueType::kInt64>(
        store, key, key_size, value, "kvstore_get_int64");
  });
}

int32_t kvstore_get_double(const kvstore_t* store, const char* key,
                           uint64_t key_size, double* value,
                           kvstore_error_t** err) {
  return Guarded("kvstore_get_double", err, [&] {
    return kvstore::c_api::GetScalar<double, kvstore::ValueType::kDouble>(
        store, key, key_size, value, "kvstore_get_double");
  });
}

int32_t kvstore_get_bool(const kvstore_t* store, const char* key,
                         uint64_t key_size, int32_t* value,
                         kvstore_error_t** err) {
  return Guarded("kvstore_get_bool", err, [&] {
    return kvstore::c_api::GetScalar<int32_t, kvstore::ValueType::kBool>(
        store, key, key_size, value, "kvstore_get_bool");
  });
}

int32_t kvstore_ttl(const kvstore_t* store, const char* key, uint64_t key_size,
                    int64_t* ttl_ms, kvstore_error_t** err) {
  return Guarded("kvstore_ttl", err, [&]() -> absl::Status {
    Keyed k = CheckKeyed(store, key, key_size, "kvstore_ttl");
    if (!k.status.ok()) return k.status;
    if (absl::Status s = RequireNonNull(ttl_ms, "kvstore_ttl", "ttl_ms");
        !s.ok()) {
      return s;
    }
    absl::StatusOr<absl::Duration> ttl = store->store->Ttl(k.key);
    if (!ttl.ok()) return ttl.status();
    *ttl_ms = kvstore::c_api::TtlToMs(*ttl);
    return absl::OkStatus();
  });
}

int32_t kvstore_set(kvstore_t* store, const char* key, uint64_t key_size,
                    int32_t type, const void* data, uint64_t size,
                    int64_t ttl_ms, kvstore_error_t** err) {
  return Guarded("kvstore_set", err, [&]() -> absl::Status {
    Keyed k = CheckKeyed(store, key, key_size, "kvstore_set");
    if (!k.status.ok()) return k.status;
    absl::StatusOr<Value> value = ToValue("kvstore_set", type, data, size);
    if (!value.ok()) return value.status();
    return store->store->Set(k.key, *value, Ttl(ttl_ms));
  });
}

int32_t kvstore_set_if_absent(kvstore_t* store, const char* key,
                              uint64_t key_size, int32_t type, const void* data,
                              uint64_t size, int64_t ttl_ms, int32_t* stored,
                              kvstore_error_t** err) {
  constexpr char kWhat[] = "kvstore_set_if_absent";
  return Guarded(kWhat, err, [&]() -> absl::Status {
    Keyed k = CheckKeyed(store, key, key_size, kWhat);
    if (!k.status.ok()) return k.status;
    if (absl::Status s = RequireNonNull(stored, kWhat, "stored"); !s.ok()) {
      return s;
    }
    absl::StatusOr<Value> value = ToValue(kWhat, type, data, size);
    if (!value.ok()) return value.status();
    return SetFlag(store->store->SetIfAbsent(k.key, *value, Ttl(ttl_ms)),
                   stored);
  });
}

int32_t kvstore_replace(kvstore_t* store, const char* key, uint64_t key_size,
                        int32_t type, const void* data, uint64_t size,
                        int64_t ttl_ms, int32_t* replaced,
                        kvstore_error_t** err) {
  constexpr char kWhat[] = "kvstore_replace";
  return Guarded(kWhat, err, [&]() -> absl::Status {
    Keyed k = CheckKeyed(store, key, key_size, kWhat);
    if (!k.status.ok()) return k.status;
    if (absl::Status s = RequireNonNull(replaced, kWhat, "replaced"); !s.ok()) {
      return s;
    }
    absl::StatusOr<Value> value = ToValue(kWhat, type, data, size);
    if (!value.ok()) return value.status();
    return SetFlag(store->store->Replace(k.key, *value, Ttl(ttl_ms)), replaced);
  });
}

int32_t kvstore_compare_and_set(kvstore_t* store, const char* key,
                                uint64_t key_size, int32_t expected_type,
                                const void* expected_data,
                                uint64_t expected_size, int32_t type,
                                const void* data, uint64_t size, int64_t ttl_ms,
                                int32_t* swapped, kvstore_error_t** err) {
  constexpr char kWhat[] = "kvstore_compare_and_set";
  return Guarded(kWhat, err, [&]() -> absl::Status {
    Keyed k = CheckKeyed(store, key, key_size, kWhat);
    if (!k.status.ok()) return k.status;
    if (absl::Status s = RequireNonNull(swapped, kWhat, "swapped"); !s.ok()) {
      return s;
    }
    absl::StatusOr<Value> expected =
        ToValue(kWhat, expected_type, expected_data, expected_size);
    if (!expected.ok()) return expected.status();
    absl::StatusOr<Value> desired = ToValue(kWhat, type, data, size);
    if (!desired.ok()) return desired.status();
    return SetFlag(
        store->store->CompareAndSet(k.key, *expected, *desired, Ttl(ttl_ms)),
        swapped);
  });
}

int32_t kvstore_compare_version_and_set(kvstore_t* store, const char* key,
                                        uint64_t key_size, uint64_t version,
                                        int32_t type, const void* data,
                                        uint64_t size, int64_t ttl_ms,
                                        int32_t* swapped,
                                        kvstore_error_t** err) {
  constexpr char kWhat[] = "kvstore_compare_version_and_set";
  return Guarded(kWhat, err, [&]() -> absl::Status {
    Keyed k = CheckKeyed(store, key, key_size, kWhat);
    if (!k.status.ok()) return k.status;
    if (absl::Status s = RequireNonNull(swapped, kWhat, "swapped"); !s.ok()) {
      return s;
    }
    absl::StatusOr<Value> desired = ToValue(kWhat, type, data, size);
    if (!desired.ok()) return desired.status();
    return SetFlag(store->store->CompareVersionAndSet(k.key, version, *desired,
                                                      Ttl(ttl_ms)),
                   swapped);
  });
}

int32_t kvstore_erase(kvstore_t* store, const char* key, uint64_t key_size,
                      kvstore_error_t** err) {
  return Guarded("kvstore_erase", err, [&]() -> absl::Status {
    Keyed k = CheckKeyed(store, key, key_size, "kvstore_erase");
    if (!k.status.ok()) return k.status;
    return store->store->Erase(k.key);
  });
}

int32_t kvstore_get_and_erase(kvstore_t* store, const char* key,
                              uint64_t key_size, int32_t* type, void* buf,
                              uint64_t buf_size, uint64_t* size,
                              kvstore_error_t** err) {
  constexpr char kWhat[] = "kvstore_get_and_erase";
  return Guarded(kWhat, err, [&]() -> absl::Status {
    Keyed k = CheckKeyed(store, key, key_size, kWhat);
    if (!k.status.ok()) return k.status;
    absl::Status nonnull = RequireNonNull(type, kWhat, "type");
    if (nonnull.ok()) nonnull = RequireNonNull(size, kWhat, "size");
    if (!nonnull.ok()) return nonnull;
    if (buf_size < store->max_value_bytes) {
      return absl::InvalidArgumentError(
          absl::StrCat(kWhat, ": the buffer has ", buf_size, " bytes; store ",
                       store->store->name(), " takes values up to ",
                       store->max_value_bytes, " (kvstore_max_value_bytes)"));
    }
    absl::StatusOr<Value> value = store->store->GetAndErase(k.key);
    if (!value.ok()) return value.status();
    return CopyOut(*value, kWhat, type, buf, buf_size, size);
  });
}

int32_t kvstore_increment(kvstore_t* store, const char* key, uint64_t key_size,
                          int64_t delta, int64_t* result,
                          kvstore_error_t** err) {
  return Guarded("kvstore_increment", err, [&]() -> absl::Status {
    Keyed k = CheckKeyed(store, key, key_size, "kvstore_increment");
    if (!k.status.ok()) return k.status;
    if (absl::Status s = RequireNonNull(result, "kvstore_increment", "result");
        !s.ok()) {
      return s;
    }
    absl::StatusOr<int64_t> v = store->store->Increment(k.key, delta);
    if (!v.ok()) return v.status();
    *result = *v;
    return absl::OkStatus();
  });
}

int32_t kvstore_add_double(kvstore_t* store, const char* key, uint64_t key_size,
                           double delta, double* result,
                           kvstore_error_t** err) {
  return Guarded("kvstore_add_double", err, [&]() -> absl::Status {
    Keyed k = CheckKeyed(store, key, key_size, "kvstore_add_double");
    if (!k.status.ok()) return k.status;
    if (absl::Status s = RequireNonNull(result, "kvstore_add_double", "result");
        !s.ok()) {
      return s;
    }
    absl::StatusOr<double> v = store->store->AddDouble(k.key, delta);
    if (!v.ok()) return v.status();
    *result = *v;
    return absl::OkStatus();
  });
}

int32_t kvstore_expire(kvstore_t* store, const char* key, uint64_t key_size,
                       int64_t ttl_ms, kvstore_error_t** err) {
  return Guarded("kvstore_expire", err, [&]() -> absl::Status {
    Keyed k = CheckKeyed(store, key, key_size, "kvstore_expire");
    if (!k.status.ok()) return k.status;
    if (ttl_ms == KVSTORE_NO_TTL) {
      return absl::InvalidArgumentError(
          "kvstore_expire: ttl_ms must be positive (kvstore_persist removes "
          "a ttl)");
    }
    return store->store->Expire(k.key, absl::Milliseconds(ttl_ms));
  });
}

int32_t kvstore_persist(kvstore_t* store, const char* key, uint64_t key_size,
                        kvstore_error_t** err) {
  return Guarded("kvstore_persist", err, [&]() -> absl::Status {
    Keyed k = CheckKeyed(store, key, key_size, "kvstore_persist");
    if (!k.status.ok()) return k.status;
    return store->store->Persist(k.key);
  });
}

}  // extern "C"
