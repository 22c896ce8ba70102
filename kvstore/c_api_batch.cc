// The C API's batches and get-or-compute (c_api.h).
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "kvstore/c_api.h"
#include "kvstore/c_api_internal.h"

namespace kvstore {
namespace c_api {
namespace {

// INVALID_ARGUMENT unless every array is non-null (when count > 0).
absl::Status RequireArrays(
    const char* what, uint64_t count,
    std::initializer_list<std::pair<const void*, const char*>> arrays) {
  if (count == 0) return absl::OkStatus();
  for (const auto& [array, name] : arrays) {
    if (absl::Status s = RequireNonNull(array, what, name); !s.ok()) return s;
  }
  return absl::OkStatus();
}

// The keys of a batch as strings; INVALID_ARGUMENT naming the index of a
// null key with a nonzero size.
absl::StatusOr<std::vector<std::string>> Keys(const char* what, uint64_t count,
                                              const char* const* keys,
                                              const uint64_t* key_sizes) {
  std::vector<std::string> out;
  out.reserve(count);
  for (uint64_t i = 0; i < count; ++i) {
    absl::StatusOr<absl::string_view> key = Bytes(what, keys[i], key_sizes[i]);
    if (!key.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(key.status().message(), " (key ", i, ")"));
    }
    out.emplace_back(*key);
  }
  return out;
}

absl::Status MultiGet(const kvstore_t* store, uint64_t count,
                      const char* const* keys, const uint64_t* key_sizes,
                      int32_t snapshot, int32_t* codes, int32_t* types,
                      void* buf, uint64_t buf_size, uint64_t* offsets,
                      uint64_t* sizes, uint64_t* total_size) {
  constexpr char kWhat[] = "kvstore_multi_get";
  absl::Status s = CheckStore(store, kWhat);
  if (s.ok()) s = RequireNonNull(total_size, kWhat, "total_size");
  if (s.ok()) {
    s = RequireArrays(kWhat, count,
                      {{keys, "keys"},
                       {key_sizes, "key_sizes"},
                       {codes, "codes"},
                       {types, "types"},
                       {offsets, "offsets"},
                       {sizes, "sizes"}});
  }
  if (!s.ok()) return s;
  absl::StatusOr<std::vector<std::string>> names =
      Keys(kWhat, count, keys, key_sizes);
  if (!names.ok()) return names.status();
  MultiGetOptions options;
  options.snapshot = snapshot != 0;
  const std::vector<absl::StatusOr<Value>> results =
      store->store->MultiGet(*names, options);
  absl::Status first_error;
  uint64_t total = 0;
  std::string scratch;
  for (uint64_t i = 0; i < count; ++i) {
    const absl::StatusOr<Value>& r = results[i];
    codes[i] = static_cast<int32_t>(r.status().code());
    types[i] = 0;
    sizes[i] = 0;
    offsets[i] = total;
    if (r.ok()) {
      types[i] = static_cast<int32_t>(r->type());
      sizes[i] = NativeBytes(*r, &scratch).size();
      total += sizes[i];
    } else if (!absl::IsNotFound(r.status()) && first_error.ok()) {
      first_error = r.status();
    }
  }
  *total_size = total;
  if (!first_error.ok()) return first_error;
  if (total > buf_size) {
    return absl::OutOfRangeError(absl::StrCat(
        kWhat, ": the values have ", total, " bytes, the buffer ", buf_size));
  }
  if (total > 0) {
    if (s = RequireNonNull(buf, kWhat, "buf"); !s.ok()) return s;
  }
  for (uint64_t i = 0; i < count; ++i) {
    if (!results[i].ok() || sizes[i] == 0) continue;
    const absl::string_view bytes = NativeBytes(*results[i], &scratch);
    std::memcpy(static_cast<char*>(buf) + offsets[i], bytes.data(),
                bytes.size());
  }
  return absl::OkStatus();
}

absl::Status MultiSet(kvstore_t* store, uint64_t count, const char* const* keys,
                      const uint64_t* key_sizes, const int32_t* types,
                      const void* const* values, const uint64_t* value_sizes,
                      int64_t ttl_ms) {
  constexpr char kWhat[] = "kvstore_multi_set";
  absl::Status s = CheckStore(store, kWhat);
  if (s.ok()) {
    s = RequireArrays(kWhat, count,
                      {{keys, "keys"},
                       {key_sizes, "key_sizes"},
                       {types, "types"},
                       {values, "values"},
                       {value_sizes, "value_sizes"}});
  }
  if (!s.ok()) return s;
  absl::StatusOr<std::vector<std::string>> names =
      Keys(kWhat, count, keys, key_sizes);
  if (!names.ok()) return names.status();
  std::vector<std::pair<std::string, Value>> kvs;
  kvs.reserve(count);
  for (uint64_t i = 0; i < count; ++i) {
    absl::StatusOr<Value> value =
        ToValue(kWhat, types[i], values[i], value_sizes[i]);
    if (!value.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(value.status().message(), " (value ", i, ")"));
    }
    kvs.emplace_back(std::move((*names)[i]), *std::move(value));
  }
  WriteOptions options;
  options.ttl = TtlFromMs(ttl_ms);
  return store->store->MultiSet(kvs, options);
}

// Runs the C callback as GetOrCompute's compute function.
absl::StatusOr<Value> RunCompute(kvstore_compute_fn compute, void* ctx,
                                 absl::string_view key,
                                 const std::string& store_name) {
  kvstore_computed_t computed;
  int32_t code;
  try {
    code = compute(ctx, key.data(), key.size(), &computed);
  } catch (...) {
    return absl::InternalError(
        absl::StrCat("kvstore_get_or_compute: the compute callback for key '",
                     key, "' in store ", store_name, " threw a C++ exception"));
  }
  if (code == KVSTORE_OK) {
    if (computed.has_value) return std::move(computed.value);
    if (!computed.invalid.ok()) return computed.invalid;
    return absl::InvalidArgumentError(absl::StrCat(
        "kvstore_get_or_compute: the compute callback for key '", key,
        "' in store ", store_name,
        " returned KVSTORE_OK without kvstore_computed_set_value"));
  }
  if (code < KVSTORE_CANCELLED || code > KVSTORE_UNAUTHENTICATED) {
    code = KVSTORE_UNKNOWN;
  }
  std::string message = computed.message;
  if (message.empty()) {
    message =
        absl::StrCat("the compute callback for key '", key, "' in store ",
                     store_name, " failed with ", kvstore_code_name(code));
  }
  return absl::Status(static_cast<absl::StatusCode>(code), message);
}

absl::Status GetOrCompute(kvstore_t* store, const char* key, uint64_t key_size,
                          kvstore_compute_fn compute, void* ctx, int64_t ttl_ms,
                          int64_t wait_ms, int64_t lease_ms, int32_t* type,
                          void* buf, uint64_t buf_size, uint64_t* size) {
  constexpr char kWhat[] = "kvstore_get_or_compute";
  absl::Status s = CheckStore(store, kWhat);
  if (s.ok() && compute == nullptr) {
    s = absl::InvalidArgumentError(
        absl::StrCat(kWhat, ": parameter 'compute' is null"));
  }
  if (s.ok()) s = RequireNonNull(type, kWhat, "type");
  if (s.ok()) s = RequireNonNull(size, kWhat, "size");
  if (!s.ok()) return s;
  absl::StatusOr<absl::string_view> k = Bytes(kWhat, key, key_size);
  if (!k.ok()) return k.status();
  ComputeOptions options;
  options.ttl = TtlFromMs(ttl_ms);
  options.wait = absl::Milliseconds(wait_ms);
  options.lease = absl::Milliseconds(lease_ms);
  const std::string& name = store->store->name();
  absl::StatusOr<Value> value = store->store->GetOrCompute(
      *k, [&] { return RunCompute(compute, ctx, *k, name); }, options);
  if (!value.ok()) return value.status();
  return CopyOut(*value, kWhat, type, buf, buf_size, size);
}

}  // namespace
}  // namespace c_api
}  // namespace kvstore

using kvstore::c_api::Guarded;

extern "C" {

int32_t kvstore_multi_get(const kvstore_t* store, uint64_t count,
                          const char* const* keys, const uint64_t* key_sizes,
                          int32_t snapshot, int32_t* codes, int32_t* types,
                          void* buf, uint64_t buf_size, uint64_t* offsets,
                          uint64_t* sizes, uint64_t* total_size,
                          kvstore_error_t** err) {
  return Guarded("kvstore_multi_get", err, [&] {
    return kvstore::c_api::MultiGet(store, count, keys, key_sizes, snapshot,
                                    codes, types, buf, buf_size, offsets, sizes,
                                    total_size);
  });
}

int32_t kvstore_multi_set(kvstore_t* store, uint64_t count,
                          const char* const* keys, const uint64_t* key_sizes,
                          const int32_t* types, const void* const* values,
                          const uint64_t* value_sizes, int64_t ttl_ms,
                          kvstore_error_t** err) {
  return Guarded("kvstore_multi_set", err, [&] {
    return kvstore::c_api::MultiSet(store, count, keys, key_sizes, types,
                                    values, value_sizes, ttl_ms);
  });
}

int32_t kvstore_computed_set_value(kvstore_computed_t* computed, int32_t type,
                                   const void* data, uint64_t size) {
  constexpr char kWhat[] = "kvstore_computed_set_value";
  return Guarded(kWhat, nullptr, [&]() -> absl::Status {
    if (absl::Status s =
            kvstore::c_api::RequireNonNull(computed, kWhat, "computed");
        !s.ok()) {
      return s;
    }
    absl::StatusOr<kvstore::Value> value =
        kvstore::c_api::ToValue(kWhat, type, data, size);
    if (!value.ok()) {
      computed->has_value = false;
      computed->invalid = value.status();
      return value.status();
    }
    computed->value = *std::move(value);
    computed->has_value = true;
    return absl::OkStatus();
  });
}

void kvstore_computed_set_message(kvstore_computed_t* computed,
                                  const char* message) {
  if (computed == nullptr || message == nullptr) return;
  try {
    computed->message = message;
  } catch (...) {
    // Out of memory: the code alone tells the caller what happened.
  }
}

int32_t kvstore_get_or_compute(kvstore_t* store, const char* key,
                               uint64_t key_size, kvstore_compute_fn compute,
                               void* ctx, int64_t ttl_ms, int64_t wait_ms,
                               int64_t lease_ms, int32_t* type, void* buf,
                               uint64_t buf_size, uint64_t* size,
                               kvstore_error_t** err) {
  return Guarded("kvstore_get_or_compute", err, [&] {
    return kvstore::c_api::GetOrCompute(store, key, key_size, compute, ctx,
                                        ttl_ms, wait_ms, lease_ms, type, buf,
                                        buf_size, size);
  });
}

}  // extern "C"
