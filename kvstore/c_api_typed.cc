// The C API's typed stores (c_api_typed.h): records in and out as text
// through record_codec.h (ParseRecord, RecordToJson).
#include "kvstore/c_api_typed.h"

#include <cstring>
#include <memory>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "kvstore/c_api_internal.h"
#include "kvstore/record_codec.h"
#include "kvstore/schema.h"

namespace kvstore {
namespace c_api {
namespace {

absl::Status CheckTyped(const kvstore_typed_t* store, const char* what) {
  if (store == nullptr || store->store == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": parameter 'store' is null"));
  }
  return absl::OkStatus();
}

// The record that `text` (size bytes) describes under `schema`.
absl::StatusOr<std::string> Record(const char* what, const char* parameter,
                                   const RecordSchema& schema, const char* text,
                                   uint64_t size) {
  absl::StatusOr<absl::string_view> bytes = Bytes(what, text, size);
  if (!bytes.ok()) return bytes.status();
  absl::StatusOr<std::string> record = ParseRecord(schema, *bytes);
  if (!record.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": the ", parameter,
                     " does not fit the schema: ", record.status().message()));
  }
  return record;
}

// Copies `text` and a NUL into buf with the two-call protocol.
absl::Status CopyText(const std::string& text, const char* what, char* buf,
                      uint64_t buf_size, uint64_t* size) {
  if (absl::Status s = RequireNonNull(size, what, "size"); !s.ok()) return s;
  *size = text.size() + 1;
  if (*size > buf_size) {
    return absl::OutOfRangeError(absl::StrCat(
        what, ": the text needs ", *size, " bytes, the buffer has ", buf_size));
  }
  if (absl::Status s = RequireNonNull(buf, what, "buf"); !s.ok()) return s;
  std::memcpy(buf, text.c_str(), text.size() + 1);
  return absl::OkStatus();
}

// The key record of a keyed call, checked.
absl::StatusOr<std::string> Key(const kvstore_typed_t* store, const char* key,
                                uint64_t key_size, const char* what) {
  if (absl::Status s = CheckTyped(store, what); !s.ok()) return s;
  return Record(what, "key", store->store->schema().key, key, key_size);
}

WriteOptions Ttl(int64_t ttl_ms) {
  WriteOptions options;
  options.ttl = TtlFromMs(ttl_ms);
  return options;
}

}  // namespace
}  // namespace c_api
}  // namespace kvstore

using kvstore::c_api::Guarded;
using kvstore::c_api::RequireNonNull;

extern "C" {

int32_t kvstore_typed_open(const char* name, const kvstore_options_t* options,
                           kvstore_typed_t** store, kvstore_error_t** err) {
  constexpr char kWhat[] = "kvstore_typed_open";
  return Guarded(kWhat, err, [&]() -> absl::Status {
    absl::Status s = RequireNonNull(name, kWhat, "name");
    if (s.ok()) s = RequireNonNull(store, kWhat, "store");
    if (!s.ok()) return s;
    const kvstore::Options defaults;
    absl::StatusOr<std::unique_ptr<kvstore::TypedStore>> opened =
        kvstore::TypedStore::OpenAny(
            name, options != nullptr ? options->options : defaults);
    if (!opened.ok()) return opened.status();
    auto handle = std::make_unique<kvstore_typed_t>();
    handle->store = *std::move(opened);
    *store = handle.release();
    return absl::OkStatus();
  });
}

void kvstore_typed_close(kvstore_typed_t* store) { delete store; }

int32_t kvstore_typed_schema(const kvstore_typed_t* store, char* buf,
                             uint64_t buf_size, uint64_t* size,
                             kvstore_error_t** err) {
  constexpr char kWhat[] = "kvstore_typed_schema";
  return Guarded(kWhat, err, [&]() -> absl::Status {
    if (absl::Status s = kvstore::c_api::CheckTyped(store, kWhat); !s.ok()) {
      return s;
    }
    return kvstore::c_api::CopyText(store->store->schema().ToText(), kWhat, buf,
                                    buf_size, size);
  });
}

int32_t kvstore_typed_get(const kvstore_typed_t* store, const char* key,
                          uint64_t key_size, char* buf, uint64_t buf_size,
                          uint64_t* size, kvstore_error_t** err) {
  constexpr char kWhat[] = "kvstore_typed_get";
  return Guarded(kWhat, err, [&]() -> absl::Status {
    absl::StatusOr<std::string> k =
        kvstore::c_api::Key(store, key, key_size, kWhat);
    if (!k.ok()) return k.status();
    absl::StatusOr<std::string> value = store->store->Get(*k);
    if (!value.ok()) return value.status();
    return kvstore::c_api::CopyText(
        kvstore::RecordToJson(store->store->schema().value, *value), kWhat, buf,
        buf_size, size);
  });
}

int32_t kvstore_typed_set(kvstore_typed_t* store, const char* key,
                          uint64_t key_size, const char* value,
                          uint64_t value_size, int64_t ttl_ms,
                          kvstore_error_t** err) {
  constexpr char kWhat[] = "kvstore_typed_set";
  return Guarded(kWhat, err, [&]() -> absl::Status {
    absl::StatusOr<std::string> k =
        kvstore::c_api::Key(store, key, key_size, kWhat);
    if (!k.ok()) return k.status();
    absl::StatusOr<std::string> v = kvstore::c_api::Record(
        kWhat, "value", store->store->schema().value, value, value_size);
    if (!v.ok()) return v.status();
    return store->store->Set(*k, *v, kvstore::c_api::Ttl(ttl_ms));
  });
}

int32_t kvstore_typed_set_if_absent(kvstore_typed_t* store, const char* key,
                                    uint64_t key_size, const char* value,
                                    uint64_t value_size, int64_t ttl_ms,
                                    int32_t* stored, kvstore_error_t** err) {
  constexpr char kWhat[] = "kvstore_typed_set_if_absent";
  return Guarded(kWhat, err, [&]() -> absl::Status {
    absl::StatusOr<std::string> k =
        kvstore::c_api::Key(store, key, key_size, kWhat);
    if (!k.ok()) return k.status();
    if (absl::Status s = RequireNonNull(stored, kWhat, "stored"); !s.ok()) {
      return s;
    }
    absl::StatusOr<std::string> v = kvstore::c_api::Record(
        kWhat, "value", store->store->schema().value, value, value_size);
    if (!v.ok()) return v.status();
    absl::StatusOr<bool> result =
        store->store->SetIfAbsent(*k, *v, kvstore::c_api::Ttl(ttl_ms));
    if (!result.ok()) return result.status();
    *stored = *result ? 1 : 0;
    return absl::OkStatus();
  });
}

int32_t kvstore_typed_erase(kvstore_typed_t* store, const char* key,
                            uint64_t key_size, kvstore_error_t** err) {
  constexpr char kWhat[] = "kvstore_typed_erase";
  return Guarded(kWhat, err, [&]() -> absl::Status {
    absl::StatusOr<std::string> k =
        kvstore::c_api::Key(store, key, key_size, kWhat);
    if (!k.ok()) return k.status();
    return store->store->Erase(*k);
  });
}

int32_t kvstore_typed_stats(const kvstore_typed_t* store,
                            kvstore_stats_t* stats, uint64_t stats_size,
                            kvstore_error_t** err) {
  constexpr char kWhat[] = "kvstore_typed_stats";
  return Guarded(kWhat, err, [&]() -> absl::Status {
    absl::Status s = kvstore::c_api::CheckTyped(store, kWhat);
    if (s.ok()) s = RequireNonNull(stats, kWhat, "stats");
    if (!s.ok()) return s;
    absl::StatusOr<kvstore::StoreStats> got = store->store->Stats();
    if (!got.ok()) return got.status();
    kvstore::c_api::CopyStats(*got, stats, stats_size);
    return absl::OkStatus();
  });
}

}  // extern "C"
