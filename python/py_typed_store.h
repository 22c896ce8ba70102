// kvstore.TypedStore: a typed store (created by a C++ program with
// TypedMap<K, V>) seen from Python through the schema recorded in it. Keys
// and values are what json.loads makes of the records: a struct is a dict,
// a scalar a number, str or bool. Writes take the same (a dict for a struct,
// every field given). The GIL is released around every store call.
#ifndef KVSTORE_PYTHON_PY_TYPED_STORE_H_
#define KVSTORE_PYTHON_PY_TYPED_STORE_H_

#include <pybind11/pybind11.h>

#include <memory>
#include <string>
#include <unordered_set>

#include "kvstore/typed_store.h"

namespace kvstore {
namespace python {

class PyTypedStore {
 public:
  PyTypedStore(const std::string& name, const Options& options);

  const std::string& name() const { return name_; }
  std::string SchemaText() const { return store_->schema().ToText(); }

  pybind11::object Get(pybind11::handle key, pybind11::handle fallback);
  pybind11::object GetItem(pybind11::handle key);
  bool Contains(pybind11::handle key);
  void Set(pybind11::handle key, pybind11::handle value, pybind11::handle ttl);
  bool SetIfAbsent(pybind11::handle key, pybind11::handle value,
                   pybind11::handle ttl);
  bool Delete(pybind11::handle key);
  void DelItem(pybind11::handle key);
  // Adds `delta` to the integer field at `path` ("hits", "pos.x"); returns
  // the whole record after the add.
  pybind11::object Add(pybind11::handle key, const std::string& path,
                       int64_t delta);
  uint64_t Len();
  pybind11::dict Stats();

  // Every (key, value) as Python objects, from one consistent snapshot.
  pybind11::list Items();

 private:
  std::string KeyRecord(pybind11::handle key) const;
  std::string ValueRecord(pybind11::handle value) const;
  pybind11::object KeyObject(const std::string& record) const;
  pybind11::object ValueObject(const std::string& record) const;

  std::string name_;
  std::shared_ptr<TypedStore> store_;
};

}  // namespace python
}  // namespace kvstore

#endif  // KVSTORE_PYTHON_PY_TYPED_STORE_H_
