// Status codes as Python exceptions: the kvstore.Error family, one subclass
// per absl::StatusCode, some also deriving from the built-in exception
// Python programmers expect (NotFoundError is a KeyError, TypeMismatchError
// a TypeError, InvalidArgumentError a ValueError, DeadlineExceededError a
// TimeoutError, PermissionDeniedError a PermissionError).
#ifndef KVSTORE_PYTHON_ERRORS_H_
#define KVSTORE_PYTHON_ERRORS_H_

#include <pybind11/pybind11.h>

#include "absl/status/status.h"

namespace kvstore {
namespace python {

// Creates the exception classes in module `m`. Call once, at import.
void RegisterErrors(pybind11::module_& m);

// Where a status came from. A keyed call's FAILED_PRECONDITION is always a
// type mismatch (store.h), raised as TypeMismatchError.
enum class Origin { kStore, kKey };

// Sets the Python exception for `status` (REQUIRES: not OK), carrying its
// message, as a C slot does before returning NULL. Needs the GIL.
void SetError(const absl::Status& status, Origin origin);

// The same, then throws pybind11::error_already_set.
[[noreturn]] void Raise(const absl::Status& status, Origin origin);

// Raises if `status` is not OK.
inline void Check(const absl::Status& status, Origin origin) {
  if (!status.ok()) Raise(status, origin);
}

// Raises kvstore.InvalidArgumentError with `message`.
[[noreturn]] void RaiseInvalidArgument(const std::string& message);

}  // namespace python
}  // namespace kvstore

#endif  // KVSTORE_PYTHON_ERRORS_H_
