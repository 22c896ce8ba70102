#include "python/errors.h"

#include <string>

namespace kvstore {
namespace python {
namespace {

namespace py = pybind11;

constexpr int kCodes = 17;

// Indexed by absl::StatusCode; null for OK. Owned by the module.
PyObject* g_classes[kCodes] = {};
PyObject* g_type_mismatch = nullptr;

struct ClassSpec {
  absl::StatusCode code;
  const char* name;
  PyObject* builtin;  // A second base class, or null.
};

PyObject* MakeClass(py::module_& m, const char* name, PyObject* base,
                    PyObject* builtin, const char* code, const char* doc) {
  py::tuple bases = builtin != nullptr
                        ? py::make_tuple(py::handle(base), py::handle(builtin))
                        : py::make_tuple(py::handle(base));
  py::dict attrs;
  attrs["code"] = code;
  const std::string qualified = std::string("kvstore.") + name;
  PyObject* cls = PyErr_NewExceptionWithDoc(qualified.c_str(), doc, bases.ptr(),
                                            attrs.ptr());
  if (cls == nullptr) throw py::error_already_set();
  m.add_object(name, py::handle(cls));
  return cls;
}

}  // namespace

void RegisterErrors(py::module_& m) {
  PyObject* error = MakeClass(
      m, "Error", PyExc_Exception, nullptr, "UNKNOWN",
      "Base of every kvstore error. `code` names the absl::StatusCode; the "
      "message is str(error).");
  const ClassSpec specs[] = {
      {absl::StatusCode::kCancelled, "CancelledError", nullptr},
      {absl::StatusCode::kUnknown, "UnknownError", nullptr},
      {absl::StatusCode::kInvalidArgument, "InvalidArgumentError",
       PyExc_ValueError},
      {absl::StatusCode::kDeadlineExceeded, "DeadlineExceededError",
       PyExc_TimeoutError},
      {absl::StatusCode::kNotFound, "NotFoundError", PyExc_KeyError},
      {absl::StatusCode::kAlreadyExists, "AlreadyExistsError", nullptr},
      {absl::StatusCode::kPermissionDenied, "PermissionDeniedError",
       PyExc_PermissionError},
      {absl::StatusCode::kResourceExhausted, "ResourceExhaustedError", nullptr},
      {absl::StatusCode::kFailedPrecondition, "FailedPreconditionError",
       nullptr},
      {absl::StatusCode::kAborted, "AbortedError", nullptr},
      {absl::StatusCode::kOutOfRange, "OutOfRangeError", nullptr},
      {absl::StatusCode::kUnimplemented, "UnimplementedError", nullptr},
      {absl::StatusCode::kInternal, "InternalError", nullptr},
      {absl::StatusCode::kUnavailable, "UnavailableError", nullptr},
      {absl::StatusCode::kDataLoss, "DataLossError", nullptr},
      {absl::StatusCode::kUnauthenticated, "UnauthenticatedError", nullptr},
  };
  for (const ClassSpec& spec : specs) {
    const std::string code = absl::StatusCodeToString(spec.code);
    g_classes[static_cast<int>(spec.code)] =
        MakeClass(m, spec.name, error, spec.builtin, code.c_str(), nullptr);
  }
  g_type_mismatch = MakeClass(
      m, "TypeMismatchError",
      g_classes[static_cast<int>(absl::StatusCode::kFailedPrecondition)],
      PyExc_TypeError, "FAILED_PRECONDITION",
      "The entry has another type than the operation needs (e.g. incr of a "
      "string).");
}

void SetError(const absl::Status& status, Origin origin) {
  const int code = static_cast<int>(status.code());
  PyObject* cls = code > 0 && code < kCodes ? g_classes[code] : nullptr;
  if (cls == nullptr) {
    cls = g_classes[static_cast<int>(absl::StatusCode::kUnknown)];
  }
  if (origin == Origin::kKey &&
      status.code() == absl::StatusCode::kFailedPrecondition) {
    cls = g_type_mismatch;
  }
  const std::string message(status.message());
  PyErr_SetString(cls, message.c_str());
}

void Raise(const absl::Status& status, Origin origin) {
  SetError(status, origin);
  throw py::error_already_set();
}

void RaiseInvalidArgument(const std::string& message) {
  Raise(absl::InvalidArgumentError(message), Origin::kStore);
}

}  // namespace python
}  // namespace kvstore
