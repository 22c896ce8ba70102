// The objects behind the C API's opaque handles, and the helpers its
// functions share: turning a status into a code (and an error object), a
// C++ exception into a status, and a (type, data, size) triple into a Value.
// Private to //kvstore:c_api.
#ifndef KVSTORE_C_API_INTERNAL_H_
#define KVSTORE_C_API_INTERNAL_H_

#include <cstdint>
#include <memory>
#include <new>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "kvstore/c_api.h"
#include "kvstore/c_api_typed.h"
#include "kvstore/options.h"
#include "kvstore/store.h"
#include "kvstore/typed_store.h"
#include "kvstore/value.h"

struct kvstore_store {
  std::unique_ptr<kvstore::Store> store;
  uint32_t max_value_bytes = 0;
};

struct kvstore_error {
  int32_t code = KVSTORE_UNKNOWN;
  std::string message;
};

struct kvstore_options {
  kvstore::Options options;
};

struct kvstore_typed {
  std::unique_ptr<kvstore::TypedStore> store;
};

struct kvstore_computed {
  bool has_value = false;
  kvstore::Value value;
  absl::Status invalid;  // The last refused kvstore_computed_set_value.
  std::string message;
};

struct kvstore_scan {
  const kvstore::Store* store = nullptr;
  std::string prefix;
  kvstore::ScanBatch batch;
  size_t next = 0;       // Index in batch.entries of the next entry.
  bool started = false;  // False until the first batch is read.
};

namespace kvstore {
namespace c_api {

// Returns `status`'s code; when it is not OK and `err` is not null, stores
// a new error with the status's message in *err (else *err = nullptr).
int32_t Report(const absl::Status& status, kvstore_error_t** err);

// Runs `body` (returning absl::Status) and reports its status; an exception
// becomes RESOURCE_EXHAUSTED (std::bad_alloc) or INTERNAL, never escapes.
template <typename Body>
int32_t Guarded(const char* what, kvstore_error_t** err, Body&& body) {
  try {
    return Report(body(), err);
  } catch (const std::bad_alloc&) {
    return Report(
        absl::ResourceExhaustedError(std::string(what) + ": out of memory"),
        err);
  } catch (...) {
    return Report(
        absl::InternalError(std::string(what) + ": unexpected C++ exception"),
        err);
  }
}

// A key or other byte string from (data, size); INVALID_ARGUMENT for a
// null pointer with a nonzero size.
absl::StatusOr<absl::string_view> Bytes(const char* what, const void* data,
                                        uint64_t size);

// A value from its native representation (see c_api.h, "Values are
// typed"); INVALID_ARGUMENT saying why it is not one.
absl::StatusOr<Value> ToValue(const char* what, int32_t type, const void* data,
                              uint64_t size);

// The native representation of `value` (a view into `value` or `scratch`).
absl::string_view NativeBytes(const Value& value, std::string* scratch);

// Copies `value` into buf with the two-call protocol: always sets *type and
// *size; OUT_OF_RANGE if buf_size is too small.
absl::Status CopyOut(const Value& value, const char* what, int32_t* type,
                     void* buf, uint64_t buf_size, uint64_t* size);

// A ttl in ms as a duration: KVSTORE_NO_TTL is infinite; the rest is passed
// on for the library to check.
absl::Duration TtlFromMs(int64_t ttl_ms);
// The inverse, for reporting: infinite is KVSTORE_NO_TTL.
int64_t TtlToMs(absl::Duration ttl);

// Copies the first `stats_size` bytes of `stats` as a kvstore_stats_t.
void CopyStats(const StoreStats& stats, kvstore_stats_t* out,
               uint64_t stats_size);

// INVALID_ARGUMENT naming `what` if `store` (or the Store in it) is null.
absl::Status CheckStore(const kvstore_t* store, const char* what);

// INVALID_ARGUMENT naming `what` and the parameter if `p` is null.
absl::Status RequireNonNull(const void* p, const char* what,
                            const char* parameter);

}  // namespace c_api
}  // namespace kvstore

#endif  // KVSTORE_C_API_INTERNAL_H_
