// Python objects to kvstore keys, values and durations, and back.
//   str <-> string (UTF-8; lone surrogates round-trip via surrogateescape)
//   bytes, bytearray, memoryview -> bytes -> bytes
//   bool <-> bool, int <-> int64, float <-> double
#ifndef KVSTORE_PYTHON_VALUES_H_
#define KVSTORE_PYTHON_VALUES_H_

#include <pybind11/pybind11.h>

#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "kvstore/value.h"

namespace kvstore {
namespace python {

// A key's bytes: a view of `obj` (str or bytes) or of `*scratch`. Raises
// TypeError for other types.
absl::string_view KeyBytes(pybind11::handle obj, std::string* scratch);

// A key as Python sees it: str (UTF-8 with surrogateescape).
pybind11::object KeyObject(absl::string_view key);

// Stores the Python value `obj` in *out. Raises TypeError for a type the
// store does not hold, OverflowError for an int outside int64.
void ToValue(pybind11::handle obj, Value* out);
Value ToValue(pybind11::handle obj);

// A new Python object for `value`. A record (typed store) becomes bytes.
pybind11::object FromValue(const Value& value);
// The same as a new reference, or null with the Python error set.
PyObject* NewObject(const Value& value);

// A duration from seconds (int or float); None is `if_none`. Raises
// kvstore.InvalidArgumentError for NaN, TypeError for a non-number.
absl::Duration Seconds(pybind11::handle obj, absl::Duration if_none);

// Seconds as a float; an infinite duration is None.
pybind11::object SecondsObject(absl::Duration d);

}  // namespace python
}  // namespace kvstore

#endif  // KVSTORE_PYTHON_VALUES_H_
