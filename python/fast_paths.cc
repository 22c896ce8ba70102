#include "python/fast_paths.h"

#include <cstring>
#include <memory>
#include <new>
#include <vector>

#include "absl/base/optimization.h"
#include "absl/strings/string_view.h"
#include "kvstore/store.h"
#include "kvstore/value.h"
#include "python/errors.h"
#include "python/py_store.h"
#include "python/values.h"

namespace kvstore {
namespace python {
namespace {

namespace py = pybind11;

// pybind11's slots and method, to which every uncommon case goes.
binaryfunc g_getitem = nullptr;
objobjargproc g_setitem = nullptr;
objobjproc g_contains = nullptr;
PyObject* g_get = nullptr;  // The function behind Store.get.

// The value every fast read fills: they all run holding the GIL, and no
// Python code can run between the read and the copy into the new object
// (str, bytes, int and float are not tracked by the garbage collector, so
// creating one runs no finalizer), so one suffices and costs no
// thread-local lookup. Its buffer grows to the
// largest value read and is then reused: a hit allocates no C++ memory.
Value& ReadValue() {
  static Value* const value = new Value();
  return *value;
}

// The value objects the fast reads made last, by the key's Python hash,
// each with the key it was read for and the store's ReadStamp of the entry
// it was made from. A read whose bucket holds its key (the same object or
// the same bytes) returns the object again, without a lookup, if the
// store says the stamped entry is still the key's live value
// (Store::IsCurrent, which counts the hit as a read would): a dict's
// behaviour, where reading an unchanged value twice gives the same object.
// Keys are exact str or bytes (FastKey), values the immutable str, bytes,
// int, float and bool objects NewObject makes, str and bytes only up to
// kCachedMaxBytes; freeing any of them runs no Python code. All of it runs
// holding the GIL.
constexpr size_t kCachedReads = 4096;
constexpr size_t kCachedMaxBytes = 1024;

struct alignas(64) CachedRead {
  PyObject* key = nullptr;  // Null: empty.
  PyObject* value = nullptr;
  ReadStamp stamp;
};

CachedRead* CachedReads() {
  static CachedRead* const reads = new CachedRead[kCachedReads]();
  return reads;
}

// The bucket of `key`, or null if it has no hash.
CachedRead* BucketOf(PyObject* key) {
  // An exact str keeps its hash once computed (as the caller's dict or
  // set lookups of it have); anything else asks.
  Py_hash_t hash = PyUnicode_CheckExact(key)
                       ? reinterpret_cast<PyASCIIObject*>(key)->hash
                       : -1;
  if (hash == -1) hash = PyObject_Hash(key);
  if (hash == -1) {
    PyErr_Clear();
    return nullptr;
  }
  return &CachedReads()[static_cast<size_t>(hash) % kCachedReads];
}

bool FastKey(PyObject* key, absl::string_view* out);

// True if `c` holds the object read for key bytes `k`.
bool HoldsKey(const CachedRead& c, PyObject* key, absl::string_view k) {
  if (c.key == key) return true;
  absl::string_view held;
  return c.key != nullptr && FastKey(c.key, &held) && held == k;
}

// The value object of `key` (whose bytes are `k`) in `store`: the cached
// one while its entry is current, else read with TryGet. A new reference;
// null if the read failed (*status not ok, no exception set) or making the
// object did (*status ok, exception set).
PyObject* FastRead(const Store& store, PyObject* key, absl::string_view k,
                   absl::Status* status) {
  CachedRead* c = BucketOf(key);
  if (c != nullptr && HoldsKey(*c, key, k) && store.IsCurrent(c->stamp)) {
    Py_INCREF(c->value);
    return c->value;
  }
  Value& value = ReadValue();
  ReadStamp stamp;
  *status = store.TryGet(k, &value, &stamp);
  if (!status->ok()) return nullptr;
  PyObject* obj = NewObject(value);
  if (obj == nullptr || c == nullptr) return obj;
  const ValueType type = value.type();
  if ((type == ValueType::kString || type == ValueType::kBytes) &&
      value.AsString().size() > kCachedMaxBytes) {
    return obj;
  }
  Py_INCREF(key);
  Py_XSETREF(c->key, key);
  Py_INCREF(obj);
  Py_XSETREF(c->value, obj);
  c->stamp = stamp;
  return obj;
}

// The PyStore in `self`, or null if it has none (never initialised).
PyStore* Self(PyObject* self) {
  auto* inst = reinterpret_cast<py::detail::instance*>(self);
  if (ABSL_PREDICT_TRUE(inst->simple_layout)) {  // One C++ type: PyStore.
    if (!inst->simple_holder_constructed) return nullptr;
    return static_cast<PyStore*>(inst->simple_value_holder[0]);
  }
  py::detail::value_and_holder v = inst->get_value_and_holder();
  if (!v.holder_constructed()) return nullptr;
  return v.value_ptr<PyStore>();
}

// TypeError for an instance whose __init__ never ran (pybind11's own
// methods would read its uninitialised memory).
void SetUninitialised() {
  PyErr_SetString(PyExc_TypeError,
                  "kvstore.Store.__init__() was not called on this object");
}

// The open store of `s`, or null. Valid while the GIL is held: close()
// needs the GIL too.
const Store* OpenStore(PyStore* s) { return s->store_or_null().get(); }

// A str or bytes key's bytes, without copying; false for anything else (a
// subclass, a str with lone surrogates), which the slow path handles.
bool FastKey(PyObject* key, absl::string_view* out) {
  if (PyUnicode_CheckExact(key) && PyUnicode_IS_COMPACT_ASCII(key)) {
    // ASCII is its own UTF-8, kept right after the object.
    *out = absl::string_view(static_cast<const char*>(PyUnicode_DATA(key)),
                             PyUnicode_GET_LENGTH(key));
    return true;
  }
  if (PyUnicode_CheckExact(key)) {
    Py_ssize_t size = 0;
    const char* data = PyUnicode_AsUTF8AndSize(key, &size);
    if (data == nullptr) {
      PyErr_Clear();
      return false;
    }
    *out = absl::string_view(data, size);
    return true;
  }
  if (PyBytes_CheckExact(key)) {
    *out = absl::string_view(PyBytes_AS_STRING(key), PyBytes_GET_SIZE(key));
    return true;
  }
  return false;
}

// A str, bytes, int, float or bool value (exact types); false for anything
// else (and for an int outside int64), which the slow path handles.
bool FastValue(PyObject* obj, Value* out) {
  if (PyUnicode_CheckExact(obj)) {
    Py_ssize_t size = 0;
    const char* data = PyUnicode_AsUTF8AndSize(obj, &size);
    if (data == nullptr) {
      PyErr_Clear();
      return false;
    }
    *out = Value::String(absl::string_view(data, size));
  } else if (PyBool_Check(obj)) {
    *out = Value::Bool(obj == Py_True);
  } else if (PyLong_CheckExact(obj)) {
    int overflow = 0;
    const long long v = PyLong_AsLongLongAndOverflow(obj, &overflow);
    if (overflow != 0 || (v == -1 && PyErr_Occurred())) {
      PyErr_Clear();
      return false;
    }
    *out = Value::Int64(v);
  } else if (PyFloat_CheckExact(obj)) {
    *out = Value::Double(PyFloat_AS_DOUBLE(obj));
  } else if (PyBytes_CheckExact(obj)) {
    *out = Value::Bytes(
        absl::string_view(PyBytes_AS_STRING(obj), PyBytes_GET_SIZE(obj)));
  } else {
    return false;
  }
  return true;
}

// store[key]
PyObject* GetItem(PyObject* self, PyObject* key) {
  PyStore* s = Self(self);
  if (s == nullptr) {
    SetUninitialised();
    return nullptr;
  }
  const Store* store = OpenStore(s);
  absl::string_view k;
  if (store == nullptr || !FastKey(key, &k)) return g_getitem(self, key);
  absl::Status status;
  PyObject* obj = FastRead(*store, key, k, &status);
  if (obj != nullptr || status.ok()) return obj;
  if (absl::IsNotFound(status)) {
    SetError(status, Origin::kKey);
    return nullptr;
  }
  return g_getitem(self, key);  // Needs the lock, or an error to raise.
}

// key in store
int Contains(PyObject* self, PyObject* key) {
  PyStore* s = Self(self);
  if (s == nullptr) {
    SetUninitialised();
    return -1;
  }
  const Store* store = OpenStore(s);
  absl::string_view k;
  if (store == nullptr || !FastKey(key, &k)) return g_contains(self, key);
  CachedRead* c = BucketOf(key);
  if (c != nullptr && HoldsKey(*c, key, k) && store->IsCurrent(c->stamp)) {
    return 1;
  }
  const absl::Status status = store->TryGet(k, &ReadValue());
  if (status.ok()) return 1;
  if (absl::IsNotFound(status)) return 0;
  return g_contains(self, key);
}

// store[key] = value (and del store[key], always the slow path).
int SetItem(PyObject* self, PyObject* key, PyObject* value) {
  PyStore* s = Self(self);
  if (s == nullptr) {
    SetUninitialised();
    return -1;
  }
  std::shared_ptr<Store> store =
      value == nullptr ? nullptr : s->store_or_null();
  absl::string_view k;
  thread_local Value v;
  if (store == nullptr || !FastKey(key, &k) || !FastValue(value, &v)) {
    return g_setitem(self, key, value);
  }
  absl::Status status;
  Py_BEGIN_ALLOW_THREADS;  // A write waits for the lock.
  status = store->Set(k, v);
  Py_END_ALLOW_THREADS;
  if (status.ok()) return 0;
  SetError(status, Origin::kKey);
  return -1;
}

// pybind11's Store.get, called with self and the same arguments.
PyObject* SlowGet(PyObject* self, PyObject* const* args, Py_ssize_t nargs,
                  PyObject* kwnames) {
  const Py_ssize_t keywords =
      kwnames == nullptr ? 0 : PyTuple_GET_SIZE(kwnames);
  try {
    std::vector<PyObject*> stack(1 + nargs + keywords);
    stack[0] = self;
    for (Py_ssize_t i = 0; i < nargs + keywords; ++i) stack[1 + i] = args[i];
    return PyObject_Vectorcall(g_get, stack.data(), 1 + nargs, kwnames);
  } catch (const std::bad_alloc&) {
    return PyErr_NoMemory();
  }
}

// store.get(key, default=None) with positional arguments; keywords go to
// pybind11's method.
PyObject* Get(PyObject* self, PyObject* const* args, Py_ssize_t nargs,
              PyObject* kwnames) {
  PyStore* s = Self(self);
  if (s == nullptr) {
    SetUninitialised();
    return nullptr;
  }
  const Store* store = OpenStore(s);
  absl::string_view k;
  if (store == nullptr || kwnames != nullptr || nargs < 1 || nargs > 2 ||
      !FastKey(args[0], &k)) {
    return SlowGet(self, args, nargs, kwnames);
  }
  absl::Status status;
  PyObject* obj = FastRead(*store, args[0], k, &status);
  if (obj != nullptr || status.ok()) return obj;
  if (absl::IsNotFound(status)) {
    PyObject* fallback = nargs > 1 ? args[1] : Py_None;
    Py_INCREF(fallback);
    return fallback;
  }
  return SlowGet(self, args, nargs, kwnames);
}

PyMethodDef g_get_def = {
    "get", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(Get)),
    METH_FASTCALL | METH_KEYWORDS,
    "get(self, key, default=None)\n\nThe value of `key`, or `default` if it "
    "is absent."};

}  // namespace

void InstallFastPaths(py::handle store_class) {
  auto* type = reinterpret_cast<PyTypeObject*>(store_class.ptr());
  g_getitem = type->tp_as_mapping->mp_subscript;
  g_setitem = type->tp_as_mapping->mp_ass_subscript;
  g_contains = type->tp_as_sequence->sq_contains;
  // pybind11 keeps methods as instancemethod objects around the function.
  py::object get = store_class.attr("__dict__")["get"];
  PyObject* function = PyInstanceMethod_Check(get.ptr())
                           ? PyInstanceMethod_GET_FUNCTION(get.ptr())
                           : get.ptr();
  Py_INCREF(function);
  g_get = function;
  type->tp_as_mapping->mp_subscript = GetItem;
  type->tp_as_mapping->mp_ass_subscript = SetItem;
  type->tp_as_sequence->sq_contains = Contains;
  PyObject* descr = PyDescr_NewMethod(type, &g_get_def);
  if (descr == nullptr) throw py::error_already_set();
  const int set = PyObject_SetAttrString(store_class.ptr(), "get", descr);
  Py_DECREF(descr);
  if (set != 0) throw py::error_already_set();
}

}  // namespace python
}  // namespace kvstore
