// The Python module `kvstore` (docs/python.md): Store, TypedStore, the
// exception family, destroy(). The bindings only: the work is in
// py_store.cc, py_typed_store.cc, values.cc and errors.cc.
#include <pybind11/pybind11.h>

#include <memory>
#include <string>
#include <utility>

#include "kvstore/store.h"
#include "python/errors.h"
#include "python/fast_paths.h"
#include "python/py_store.h"
#include "python/py_typed_store.h"
#include "python/values.h"

namespace kvstore {
namespace python {
namespace {

namespace py = pybind11;
using py::arg;

std::unique_ptr<ScanIterator> Iterate(PyStore& s, py::handle prefix,
                                      ScanIterator::What what) {
  std::string scratch;
  std::string p(KeyBytes(prefix, &scratch));
  return std::make_unique<ScanIterator>(s.store(), std::move(p), what);
}

void BindStore(py::module_& m) {
  py::class_<ScanIterator>(m, "_ScanIterator")
      .def("__iter__", [](py::object self) { return self; })
      .def("__next__", &ScanIterator::Next);

  py::class_<PyStore>(m, "Store", R"doc(
A kvstore store in POSIX shared memory, shared by processes on this host.

Store(name) opens an existing store; Store(name, create=True, ...) creates
it when absent. Keys are str or bytes; values str, bytes, int, float, bool.
Durations (ttl, wait, lease, lock_timeout) are seconds; None means none.
)doc")
      .def(py::init([](const std::string& name, bool create, bool exclusive,
                       py::handle capacity, py::handle memory,
                       py::handle max_key_bytes, py::handle max_value_bytes,
                       py::handle eviction, py::handle mode,
                       py::handle lock_timeout) {
             return std::make_unique<PyStore>(
                 name,
                 OpenOptions(create, exclusive, capacity, memory, max_key_bytes,
                             max_value_bytes, eviction, mode, lock_timeout));
           }),
           arg("name"), py::kw_only(), arg("create") = false,
           arg("exclusive") = false, arg("capacity") = py::none(),
           arg("memory") = py::none(), arg("max_key_bytes") = py::none(),
           arg("max_value_bytes") = py::none(), arg("eviction") = py::none(),
           arg("mode") = py::none(), arg("lock_timeout") = py::none())
      .def_property_readonly("name", &PyStore::name)
      .def_property_readonly("closed", &PyStore::closed)
      .def("close", &PyStore::Close)
      .def("__enter__", [](py::object self) { return self; })
      .def("__exit__",
           [](PyStore& s, py::handle, py::handle, py::handle) { s.Close(); })
      .def("get", &PyStore::Get, arg("key"), arg("default") = py::none())
      .def("get_entry", &PyStore::GetEntry, arg("key"))
      .def("set", &PyStore::Set, arg("key"), arg("value"), py::kw_only(),
           arg("ttl") = py::none())
      .def("set_if_absent", &PyStore::SetIfAbsent, arg("key"), arg("value"),
           py::kw_only(), arg("ttl") = py::none())
      .def("replace", &PyStore::Replace, arg("key"), arg("value"),
           py::kw_only(), arg("ttl") = py::none())
      .def("compare_and_set", &PyStore::CompareAndSet, arg("key"),
           arg("expected"), arg("desired"), py::kw_only(),
           arg("ttl") = py::none())
      .def("compare_version_and_set", &PyStore::CompareVersionAndSet,
           arg("key"), arg("version"), arg("desired"), py::kw_only(),
           arg("ttl") = py::none())
      .def("delete", &PyStore::Delete, arg("key"))
      .def(
          "pop",
          [](PyStore& s, py::handle key, py::args fallback) {
            if (fallback.size() > 1) {
              throw py::type_error("pop takes a key and at most a default");
            }
            return fallback.size() == 1 ? s.Pop(key, fallback[0], true)
                                        : s.Pop(key, py::none(), false);
          },
          arg("key"))
      .def("incr", &PyStore::Incr, arg("key"), arg("delta") = 1)
      .def("ttl", &PyStore::Ttl, arg("key"))
      .def("expire", &PyStore::Expire, arg("key"), arg("ttl"))
      .def("persist", &PyStore::Persist, arg("key"))
      .def("get_or_compute", &PyStore::GetOrCompute, arg("key"), arg("fn"),
           py::kw_only(), arg("ttl") = py::none(), arg("wait") = py::none(),
           arg("lease") = py::none())
      .def("scan", &PyStore::Scan, arg("cursor") = 0, arg("prefix") = "",
           arg("count") = 256)
      .def(
          "keys",
          [](PyStore& s, py::handle prefix) {
            return Iterate(s, prefix, ScanIterator::What::kKeys);
          },
          arg("prefix") = "")
      .def(
          "values",
          [](PyStore& s, py::handle prefix) {
            return Iterate(s, prefix, ScanIterator::What::kValues);
          },
          arg("prefix") = "")
      .def(
          "items",
          [](PyStore& s, py::handle prefix) {
            return Iterate(s, prefix, ScanIterator::What::kItems);
          },
          arg("prefix") = "")
      .def("__iter__",
           [](PyStore& s) {
             return Iterate(s, py::str(""), ScanIterator::What::kKeys);
           })
      .def("__getitem__", &PyStore::GetItem)
      .def("__setitem__",
           [](PyStore& s, py::handle key, py::handle value) {
             s.Set(key, value, py::none());
           })
      .def("__delitem__", &PyStore::DelItem)
      .def("__contains__", &PyStore::Contains)
      .def("__len__", &PyStore::Len)
      .def("stats", &PyStore::Stats)
      .def("verify", &PyStore::Verify)
      .def("__repr__",
           [](const PyStore& s) { return "kvstore.Store('" + s.name() + "')"; })
      // Pickled as its name: another process (multiprocessing's spawn)
      // opens the same store.
      .def(py::pickle([](const PyStore& s) { return py::make_tuple(s.name()); },
                      [](const py::tuple& state) {
                        return std::make_unique<PyStore>(
                            state[0].cast<std::string>(), Options());
                      }));
}

void BindTypedStore(py::module_& m) {
  py::class_<PyTypedStore>(m, "TypedStore", R"doc(
A typed store (created by a C++ program with kvstore::TypedMap) opened
through the schema recorded in it. Keys and values are what json.loads
makes of the records: a struct is a dict, a scalar a number, str or bool.
)doc")
      .def(py::init([](const std::string& name, py::handle lock_timeout) {
             Options options;
             options.lock_timeout =
                 Seconds(lock_timeout, absl::InfiniteDuration());
             return std::make_unique<PyTypedStore>(name, options);
           }),
           arg("name"), py::kw_only(), arg("lock_timeout") = py::none())
      .def_property_readonly("name", &PyTypedStore::name)
      .def_property_readonly("schema", &PyTypedStore::SchemaText)
      .def("get", &PyTypedStore::Get, arg("key"), arg("default") = py::none())
      .def("set", &PyTypedStore::Set, arg("key"), arg("value"), py::kw_only(),
           arg("ttl") = py::none())
      .def("set_if_absent", &PyTypedStore::SetIfAbsent, arg("key"),
           arg("value"), py::kw_only(), arg("ttl") = py::none())
      .def("delete", &PyTypedStore::Delete, arg("key"))
      .def("add", &PyTypedStore::Add, arg("key"), arg("field"),
           arg("delta") = 1)
      .def("items", &PyTypedStore::Items)
      .def("keys",
           [](PyTypedStore& s) {
             py::list keys;
             for (py::handle item : s.Items()) keys.append(item[py::int_(0)]);
             return keys;
           })
      .def("__iter__",
           [](PyTypedStore& s) {
             py::list keys;
             for (py::handle item : s.Items()) keys.append(item[py::int_(0)]);
             return py::iter(keys);
           })
      .def("__getitem__", &PyTypedStore::GetItem)
      .def("__setitem__",
           [](PyTypedStore& s, py::handle key, py::handle value) {
             s.Set(key, value, py::none());
           })
      .def("__delitem__", &PyTypedStore::DelItem)
      .def("__contains__", &PyTypedStore::Contains)
      .def("__len__", &PyTypedStore::Len)
      .def("stats", &PyTypedStore::Stats)
      .def("__repr__", [](const PyTypedStore& s) {
        return "kvstore.TypedStore('" + s.name() + "')";
      });
}

}  // namespace

PYBIND11_MODULE(kvstore, m) {
  m.doc() = "kvstore: a typed key-value store in POSIX shared memory.";
  RegisterErrors(m);
  BindStore(m);
  InstallFastPaths(m.attr("Store"));
  BindTypedStore(m);
  m.def(
      "destroy",
      [](const std::string& name) {
        absl::Status status;
        {
          py::gil_scoped_release release;
          status = Store::Destroy(name);
        }
        Check(status, Origin::kStore);
      },
      arg("name"),
      "Removes the store `name`; processes that have it open keep using "
      "it. NotFoundError if absent.");
}

}  // namespace python
}  // namespace kvstore
