// Errors, options and value conversion for the C API.
#include <cstring>
#include <limits>

#include "absl/strings/str_cat.h"
#include "kvstore/c_api.h"
#include "kvstore/c_api_internal.h"

namespace kvstore {
namespace c_api {

int32_t Report(const absl::Status& status, kvstore_error_t** err) {
  const int32_t code = static_cast<int32_t>(status.code());
  if (err == nullptr) return code;
  *err = nullptr;
  if (status.ok()) return code;
  kvstore_error_t* e = new (std::nothrow) kvstore_error_t;
  if (e == nullptr) return code;
  e->code = code;
  try {
    e->message = std::string(status.message());
  } catch (...) {
    // Out of memory: the code still tells the caller what happened.
  }
  *err = e;
  return code;
}

absl::StatusOr<absl::string_view> Bytes(const char* what, const void* data,
                                        uint64_t size) {
  if (data == nullptr && size != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": null pointer with size ", size));
  }
  if (data == nullptr) return absl::string_view();
  return absl::string_view(static_cast<const char*>(data), size);
}

absl::StatusOr<Value> ToValue(const char* what, int32_t type, const void* data,
                              uint64_t size) {
  absl::StatusOr<absl::string_view> bytes = Bytes(what, data, size);
  if (!bytes.ok()) return bytes.status();
  auto wrong_size = [&](uint64_t want) {
    return absl::InvalidArgumentError(absl::StrCat(
        what, ": a value of type ", ValueTypeName(static_cast<ValueType>(type)),
        " takes ", want, " bytes, not ", size));
  };
  switch (type) {
    case KVSTORE_TYPE_STRING:
      return Value::String(*bytes);
    case KVSTORE_TYPE_BYTES:
      return Value::Bytes(*bytes);
    case KVSTORE_TYPE_INT64: {
      if (size != sizeof(int64_t)) return wrong_size(sizeof(int64_t));
      int64_t v;
      std::memcpy(&v, data, sizeof v);
      return Value::Int64(v);
    }
    case KVSTORE_TYPE_DOUBLE: {
      if (size != sizeof(double)) return wrong_size(sizeof(double));
      double v;
      std::memcpy(&v, data, sizeof v);
      return Value::Double(v);
    }
    case KVSTORE_TYPE_BOOL: {
      if (size != 1) return wrong_size(1);
      const unsigned char b = *static_cast<const unsigned char*>(data);
      if (b > 1) {
        return absl::InvalidArgumentError(absl::StrCat(
            what, ": a bool value is the byte 0 or 1, not ", int{b}));
      }
      return Value::Bool(b == 1);
    }
    default:
      return absl::InvalidArgumentError(absl::StrCat(
          what, ": unknown value type ", type,
          " (KVSTORE_TYPE_STRING, _BYTES, _INT64, _DOUBLE or _BOOL)"));
  }
}

absl::string_view NativeBytes(const Value& value, std::string* scratch) {
  switch (value.type()) {
    case ValueType::kInt64: {
      const int64_t v = value.AsInt64();
      scratch->assign(reinterpret_cast<const char*>(&v), sizeof v);
      return *scratch;
    }
    case ValueType::kDouble: {
      const double v = value.AsDouble();
      scratch->assign(reinterpret_cast<const char*>(&v), sizeof v);
      return *scratch;
    }
    case ValueType::kBool:
      scratch->assign(1, value.AsBool() ? '\1' : '\0');
      return *scratch;
    default:
      return value.AsString();
  }
}

absl::Status CopyOut(const Value& value, const char* what, int32_t* type,
                     void* buf, uint64_t buf_size, uint64_t* size) {
  absl::Status nonnull = RequireNonNull(type, what, "type");
  if (nonnull.ok()) nonnull = RequireNonNull(size, what, "size");
  if (!nonnull.ok()) return nonnull;
  // Numbers are copied without a scratch string: no allocation on a hit.
  char small[sizeof(int64_t)];
  absl::string_view bytes;
  switch (value.type()) {
    case ValueType::kInt64: {
      const int64_t v = value.AsInt64();
      std::memcpy(small, &v, sizeof v);
      bytes = absl::string_view(small, sizeof v);
      break;
    }
    case ValueType::kDouble: {
      const double v = value.AsDouble();
      std::memcpy(small, &v, sizeof v);
      bytes = absl::string_view(small, sizeof v);
      break;
    }
    case ValueType::kBool:
      small[0] = value.AsBool() ? 1 : 0;
      bytes = absl::string_view(small, 1);
      break;
    default:
      bytes = value.AsString();
  }
  *type = static_cast<int32_t>(value.type());
  *size = bytes.size();
  if (bytes.size() > buf_size) {
    return absl::OutOfRangeError(absl::StrCat(what, ": the value has ",
                                              bytes.size(),
                                              " bytes, the buffer ", buf_size));
  }
  if (!bytes.empty()) {
    if (buf == nullptr) return RequireNonNull(buf, what, "buf");
    std::memcpy(buf, bytes.data(), bytes.size());
  }
  return absl::OkStatus();
}

absl::Duration TtlFromMs(int64_t ttl_ms) {
  if (ttl_ms == KVSTORE_NO_TTL) return absl::InfiniteDuration();
  return absl::Milliseconds(ttl_ms);
}

int64_t TtlToMs(absl::Duration ttl) {
  if (ttl == absl::InfiniteDuration()) return KVSTORE_NO_TTL;
  return absl::ToInt64Milliseconds(ttl);
}

absl::Status CheckStore(const kvstore_t* store, const char* what) {
  if (store == nullptr || store->store == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": parameter 'store' is null"));
  }
  return absl::OkStatus();
}

absl::Status RequireNonNull(const void* p, const char* what,
                            const char* parameter) {
  if (p != nullptr) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(what, ": parameter '", parameter, "' is null"));
}

}  // namespace c_api
}  // namespace kvstore

using kvstore::c_api::Report;

extern "C" {

int32_t kvstore_error_code(const kvstore_error_t* err) {
  return err == nullptr ? KVSTORE_OK : err->code;
}

const char* kvstore_error_message(const kvstore_error_t* err) {
  return err == nullptr ? "" : err->message.c_str();
}

void kvstore_error_free(kvstore_error_t* err) { delete err; }

const char* kvstore_code_name(int32_t code) {
  static const char* const kNames[] = {"OK",
                                       "CANCELLED",
                                       "UNKNOWN",
                                       "INVALID_ARGUMENT",
                                       "DEADLINE_EXCEEDED",
                                       "NOT_FOUND",
                                       "ALREADY_EXISTS",
                                       "PERMISSION_DENIED",
                                       "RESOURCE_EXHAUSTED",
                                       "FAILED_PRECONDITION",
                                       "ABORTED",
                                       "OUT_OF_RANGE",
                                       "UNIMPLEMENTED",
                                       "INTERNAL",
                                       "UNAVAILABLE",
                                       "DATA_LOSS",
                                       "UNAUTHENTICATED"};
  if (code < 0 || code > KVSTORE_UNAUTHENTICATED) return "UNKNOWN_CODE";
  return kNames[code];
}

kvstore_options_t* kvstore_options_create(void) {
  return new (std::nothrow) kvstore_options_t;
}

void kvstore_options_free(kvstore_options_t* options) { delete options; }

void kvstore_options_set_create_if_missing(kvstore_options_t* options,
                                           int32_t value) {
  if (options != nullptr) options->options.create_if_missing = value != 0;
}

void kvstore_options_set_error_if_exists(kvstore_options_t* options,
                                         int32_t value) {
  if (options != nullptr) options->options.error_if_exists = value != 0;
}

void kvstore_options_set_require_same_limits(kvstore_options_t* options,
                                             int32_t value) {
  if (options != nullptr) options->options.require_same_limits = value != 0;
}

void kvstore_options_set_capacity(kvstore_options_t* options, uint64_t value) {
  if (options != nullptr) options->options.capacity = value;
}

void kvstore_options_set_memory(kvstore_options_t* options, uint64_t value) {
  if (options != nullptr) options->options.memory = value;
}

void kvstore_options_set_max_key_bytes(kvstore_options_t* options,
                                       uint32_t value) {
  if (options != nullptr) options->options.max_key_bytes = value;
}

void kvstore_options_set_max_value_bytes(kvstore_options_t* options,
                                         uint32_t value) {
  if (options != nullptr) options->options.max_value_bytes = value;
}

void kvstore_options_set_eviction(kvstore_options_t* options, int32_t value) {
  if (options != nullptr) {
    options->options.eviction = static_cast<kvstore::Eviction>(value);
  }
}

void kvstore_options_set_mode(kvstore_options_t* options, uint32_t value) {
  if (options != nullptr) options->options.mode = static_cast<mode_t>(value);
}

void kvstore_options_set_creation_wait_ms(kvstore_options_t* options,
                                          int64_t value) {
  if (options != nullptr) {
    options->options.creation_wait = absl::Milliseconds(value);
  }
}

void kvstore_options_set_lock_timeout_ms(kvstore_options_t* options,
                                         int64_t value) {
  if (options != nullptr) {
    options->options.lock_timeout = kvstore::c_api::TtlFromMs(value);
  }
}

}  // extern "C"
