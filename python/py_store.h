// kvstore.Store: a tagged store seen from Python (docs/python.md). Every
// method converts its arguments with the GIL held, then releases the GIL for
// the store call (which may wait for the lock, or for another process's
// computation), then converts the result.
#ifndef KVSTORE_PYTHON_PY_STORE_H_
#define KVSTORE_PYTHON_PY_STORE_H_

#include <pybind11/pybind11.h>

#include <memory>
#include <string>
#include <unordered_set>

#include "kvstore/options.h"
#include "kvstore/store.h"

namespace kvstore {
namespace python {

class PyStore {
 public:
  // Opens (or with options.create_if_missing creates) the store.
  PyStore(const std::string& name, const Options& options);

  const std::string& name() const { return name_; }
  bool closed() const { return store_ == nullptr; }
  void Close() { store_.reset(); }

  pybind11::object Get(pybind11::handle key, pybind11::handle fallback);
  // store[key]: raises NotFoundError (a KeyError) on a miss.
  pybind11::object GetItem(pybind11::handle key);
  bool Contains(pybind11::handle key);
  // (value, version, ttl seconds or None).
  pybind11::tuple GetEntry(pybind11::handle key);

  void Set(pybind11::handle key, pybind11::handle value, pybind11::handle ttl);
  bool SetIfAbsent(pybind11::handle key, pybind11::handle value,
                   pybind11::handle ttl);
  bool Replace(pybind11::handle key, pybind11::handle value,
               pybind11::handle ttl);
  bool CompareAndSet(pybind11::handle key, pybind11::handle expected,
                     pybind11::handle desired, pybind11::handle ttl);
  bool CompareVersionAndSet(pybind11::handle key, uint64_t version,
                            pybind11::handle desired, pybind11::handle ttl);

  // True if removed, False if absent.
  bool Delete(pybind11::handle key);
  // del store[key]: raises NotFoundError on a miss.
  void DelItem(pybind11::handle key);
  // Get-and-delete; `fallback` (if given) instead of NotFoundError.
  pybind11::object Pop(pybind11::handle key, pybind11::handle fallback,
                       bool has_fallback);

  // An int delta increments an int64, a float one adds to a double.
  pybind11::object Incr(pybind11::handle key, pybind11::handle delta);

  pybind11::object Ttl(pybind11::handle key);
  void Expire(pybind11::handle key, pybind11::handle ttl);
  void Persist(pybind11::handle key);

  pybind11::object GetOrCompute(pybind11::handle key, pybind11::function fn,
                                pybind11::handle ttl, pybind11::handle wait,
                                pybind11::handle lease);

  // (next cursor, [(key, value), ...]).
  pybind11::tuple Scan(uint64_t cursor, pybind11::handle prefix,
                       uint64_t count);
  uint64_t Len();
  pybind11::dict Stats();
  void Verify();

  // The store, or kvstore.FailedPreconditionError if closed. Shared, so that
  // a Close() from another thread never frees a store in use.
  std::shared_ptr<Store> store() const;
  // The same, null if closed (for fast_paths.cc, which falls back to the
  // methods above then).
  const std::shared_ptr<Store>& store_or_null() const { return store_; }

 private:
  std::string name_;
  std::shared_ptr<Store> store_;
};

// Iterates a scan, each entry once: keys, values or (key, value) pairs.
class ScanIterator {
 public:
  enum class What { kKeys, kValues, kItems };
  ScanIterator(std::shared_ptr<Store> store, std::string prefix, What what);
  // The next element; raises StopIteration at the end.
  pybind11::object Next();

 private:
  std::shared_ptr<Store> store_;
  std::string prefix_;
  What what_;
  ScanBatch batch_;
  size_t next_ = 0;
  bool started_ = false;
  std::unordered_set<std::string> seen_;  // A scan may return a key twice.
};

// Options for Store(...) from its keyword arguments (None: the default).
Options OpenOptions(bool create, bool exclusive, pybind11::handle capacity,
                    pybind11::handle memory, pybind11::handle max_key_bytes,
                    pybind11::handle max_value_bytes, pybind11::handle eviction,
                    pybind11::handle mode, pybind11::handle lock_timeout);

}  // namespace python
}  // namespace kvstore

#endif  // KVSTORE_PYTHON_PY_STORE_H_
