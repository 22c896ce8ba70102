// Mapping of errno values to absl::Status codes.
#ifndef KVSTORE_INTERNAL_ERRORS_H_
#define KVSTORE_INTERNAL_ERRORS_H_

#include <string>

#include "absl/status/status.h"

namespace kvstore {
namespace internal {

// A status for `what` failing with errno `err`, with the most specific code
// (ENOENT is NOT_FOUND, EEXIST ALREADY_EXISTS, EACCES PERMISSION_DENIED,
// ENOSPC and ENOMEM RESOURCE_EXHAUSTED, ...) and the message
// "<what>: <strerror>".
absl::Status ErrnoStatus(int err, const std::string& what);

}  // namespace internal
}  // namespace kvstore

#endif  // KVSTORE_INTERNAL_ERRORS_H_
