#include "python/values.h"

#include <cmath>
#include <string>

#include "python/errors.h"

namespace kvstore {
namespace python {

namespace py = pybind11;

namespace {

[[noreturn]] void RaiseTypeError(const std::string& message) {
  PyErr_SetString(PyExc_TypeError, message.c_str());
  throw py::error_already_set();
}

std::string TypeNameOf(py::handle obj) { return Py_TYPE(obj.ptr())->tp_name; }

// The UTF-8 of a str, with lone surrogates as their escaped bytes.
absl::string_view StrBytes(py::handle obj, std::string* scratch) {
  Py_ssize_t size = 0;
  const char* data = PyUnicode_AsUTF8AndSize(obj.ptr(), &size);
  if (data != nullptr) return absl::string_view(data, size);
  PyErr_Clear();  // Lone surrogates: encode them back to their bytes.
  PyObject* encoded =
      PyUnicode_AsEncodedString(obj.ptr(), "utf-8", "surrogateescape");
  if (encoded == nullptr) throw py::error_already_set();
  scratch->assign(PyBytes_AS_STRING(encoded), PyBytes_GET_SIZE(encoded));
  Py_DECREF(encoded);
  return *scratch;
}

// The bytes of a bytes-like object (bytes, bytearray, memoryview).
absl::string_view BufferBytes(py::handle obj, std::string* scratch) {
  if (PyBytes_Check(obj.ptr())) {
    return absl::string_view(PyBytes_AS_STRING(obj.ptr()),
                             PyBytes_GET_SIZE(obj.ptr()));
  }
  Py_buffer view;
  if (PyObject_GetBuffer(obj.ptr(), &view, PyBUF_C_CONTIGUOUS) != 0) {
    throw py::error_already_set();
  }
  scratch->assign(static_cast<const char*>(view.buf), view.len);
  PyBuffer_Release(&view);
  return *scratch;
}

py::object Str(absl::string_view bytes) {
  PyObject* s =
      PyUnicode_DecodeUTF8(bytes.data(), bytes.size(), "surrogateescape");
  if (s == nullptr) throw py::error_already_set();
  return py::reinterpret_steal<py::object>(s);
}

}  // namespace

absl::string_view KeyBytes(py::handle obj, std::string* scratch) {
  if (PyUnicode_Check(obj.ptr())) return StrBytes(obj, scratch);
  if (PyBytes_Check(obj.ptr())) return BufferBytes(obj, scratch);
  RaiseTypeError("kvstore keys are str or bytes, not " + TypeNameOf(obj));
}

py::object KeyObject(absl::string_view key) { return Str(key); }

void ToValue(py::handle obj, Value* out) {
  PyObject* p = obj.ptr();
  std::string scratch;
  if (PyUnicode_Check(p)) {
    *out = Value::String(StrBytes(obj, &scratch));
  } else if (PyBool_Check(p)) {
    *out = Value::Bool(p == Py_True);
  } else if (PyLong_Check(p)) {
    int overflow = 0;
    const long long v = PyLong_AsLongLongAndOverflow(p, &overflow);
    if (overflow != 0) {
      PyErr_SetString(PyExc_OverflowError,
                      "kvstore stores ints from -2**63 to 2**63-1");
      throw py::error_already_set();
    }
    if (v == -1 && PyErr_Occurred()) throw py::error_already_set();
    *out = Value::Int64(v);
  } else if (PyFloat_Check(p)) {
    *out = Value::Double(PyFloat_AS_DOUBLE(p));
  } else if (PyObject_CheckBuffer(p)) {
    *out = Value::Bytes(BufferBytes(obj, &scratch));
  } else {
    RaiseTypeError(
        "kvstore stores str, bytes, int, float and bool values, not " +
        TypeNameOf(obj));
  }
}

Value ToValue(py::handle obj) {
  Value v;
  ToValue(obj, &v);
  return v;
}

PyObject* NewObject(const Value& value) {
  switch (value.type()) {
    case ValueType::kString:
      return PyUnicode_DecodeUTF8(value.AsString().data(),
                                  value.AsString().size(), "surrogateescape");
    case ValueType::kInt64:
      return PyLong_FromLongLong(value.AsInt64());
    case ValueType::kDouble:
      return PyFloat_FromDouble(value.AsDouble());
    case ValueType::kBool:
      return PyBool_FromLong(value.AsBool() ? 1 : 0);
    default:
      return PyBytes_FromStringAndSize(value.AsString().data(),
                                       value.AsString().size());
  }
}

py::object FromValue(const Value& value) {
  PyObject* obj = NewObject(value);
  if (obj == nullptr) throw py::error_already_set();
  return py::reinterpret_steal<py::object>(obj);
}

absl::Duration Seconds(py::handle obj, absl::Duration if_none) {
  if (obj.is_none()) return if_none;
  if (!PyLong_Check(obj.ptr()) && !PyFloat_Check(obj.ptr())) {
    RaiseTypeError("a duration is a number of seconds, not " + TypeNameOf(obj));
  }
  const double s = PyFloat_AsDouble(obj.ptr());
  if (s == -1.0 && PyErr_Occurred()) throw py::error_already_set();
  if (std::isnan(s)) {
    RaiseInvalidArgument("a duration cannot be NaN");
  }
  if (std::isinf(s)) {
    return s > 0 ? absl::InfiniteDuration() : -absl::InfiniteDuration();
  }
  return absl::Seconds(s);
}

py::object SecondsObject(absl::Duration d) {
  if (d == absl::InfiniteDuration()) return py::none();
  return py::float_(absl::ToDoubleSeconds(d));
}

}  // namespace python
}  // namespace kvstore
