#include "python/py_store.h"

#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "python/errors.h"
#include "python/values.h"

namespace kvstore {
namespace python {

namespace py = pybind11;

namespace {

// Reads reuse one Value per thread: a hit allocates no C++ memory once its
// buffer is large enough.
Value& ThreadValue() {
  thread_local Value value;
  return value;
}

WriteOptions Write(py::handle ttl) {
  WriteOptions options;
  options.ttl = Seconds(ttl, absl::InfiniteDuration());
  return options;
}

bool Flag(const absl::StatusOr<bool>& result) {
  if (!result.ok()) Raise(result.status(), Origin::kKey);
  return *result;
}

template <typename T>
T Unsigned(py::handle obj, const char* what) {
  const unsigned long long v = PyLong_AsUnsignedLongLong(obj.ptr());
  if (PyErr_Occurred()) throw py::error_already_set();
  if (v > std::numeric_limits<T>::max()) {
    RaiseInvalidArgument(absl::StrCat(what, " ", v, " is too large"));
  }
  return static_cast<T>(v);
}

}  // namespace

Options OpenOptions(bool create, bool exclusive, py::handle capacity,
                    py::handle memory, py::handle max_key_bytes,
                    py::handle max_value_bytes, py::handle eviction,
                    py::handle mode, py::handle lock_timeout) {
  Options options;
  options.create_if_missing = create;
  options.error_if_exists = exclusive;
  if (!capacity.is_none()) {
    options.capacity = Unsigned<uint64_t>(capacity, "capacity");
  }
  if (!memory.is_none()) {
    options.memory = Unsigned<uint64_t>(memory, "memory");
  }
  if (!max_key_bytes.is_none()) {
    options.max_key_bytes = Unsigned<uint32_t>(max_key_bytes, "max_key_bytes");
  }
  if (!max_value_bytes.is_none()) {
    options.max_value_bytes =
        Unsigned<uint32_t>(max_value_bytes, "max_value_bytes");
  }
  if (!eviction.is_none()) {
    const std::string e = py::cast<std::string>(eviction);
    if (e == "none") {
      options.eviction = Eviction::kNone;
    } else if (e == "clock") {
      options.eviction = Eviction::kClock;
    } else {
      RaiseInvalidArgument("eviction is 'none' or 'clock', not '" + e + "'");
    }
  }
  if (!mode.is_none()) options.mode = Unsigned<uint32_t>(mode, "mode");
  options.lock_timeout = Seconds(lock_timeout, absl::InfiniteDuration());
  return options;
}

PyStore::PyStore(const std::string& name, const Options& options)
    : name_(name) {
  absl::StatusOr<std::unique_ptr<Store>> store;
  {
    py::gil_scoped_release release;
    store = Store::Open(name, options);
  }
  if (!store.ok()) Raise(store.status(), Origin::kStore);
  store_ = *std::move(store);
}

std::shared_ptr<Store> PyStore::store() const {
  if (store_ == nullptr) {
    Raise(absl::FailedPreconditionError(
              absl::StrCat("store ", name_, " is closed")),
          Origin::kStore);
  }
  return store_;
}

py::object PyStore::Get(py::handle key, py::handle fallback) {
  std::shared_ptr<Store> s = store();
  std::string scratch;
  const absl::string_view k = KeyBytes(key, &scratch);
  Value& value = ThreadValue();
  absl::Status status;
  {
    py::gil_scoped_release release;
    status = s->Get(k, &value);
  }
  if (status.ok()) return FromValue(value);
  if (absl::IsNotFound(status))
    return py::reinterpret_borrow<py::object>(fallback);
  Raise(status, Origin::kKey);
}

py::object PyStore::GetItem(py::handle key) {
  std::shared_ptr<Store> s = store();
  std::string scratch;
  const absl::string_view k = KeyBytes(key, &scratch);
  Value& value = ThreadValue();
  absl::Status status;
  {
    py::gil_scoped_release release;
    status = s->Get(k, &value);
  }
  Check(status, Origin::kKey);
  return FromValue(value);
}

bool PyStore::Contains(py::handle key) {
  std::shared_ptr<Store> s = store();
  std::string scratch;
  const absl::string_view k = KeyBytes(key, &scratch);
  Value& value = ThreadValue();
  absl::Status status;
  {
    py::gil_scoped_release release;
    status = s->Get(k, &value);
  }
  if (absl::IsNotFound(status)) return false;
  Check(status, Origin::kKey);
  return true;
}

py::tuple PyStore::GetEntry(py::handle key) {
  std::shared_ptr<Store> s = store();
  std::string scratch;
  const absl::string_view k = KeyBytes(key, &scratch);
  absl::StatusOr<Entry> entry;
  {
    py::gil_scoped_release release;
    entry = s->GetEntry(k);
  }
  if (!entry.ok()) Raise(entry.status(), Origin::kKey);
  return py::make_tuple(FromValue(entry->value), entry->version,
                        SecondsObject(entry->ttl));
}

void PyStore::Set(py::handle key, py::handle value, py::handle ttl) {
  std::shared_ptr<Store> s = store();
  std::string scratch;
  const absl::string_view k = KeyBytes(key, &scratch);
  const Value v = ToValue(value);
  const WriteOptions options = Write(ttl);
  absl::Status status;
  {
    py::gil_scoped_release release;
    status = s->Set(k, v, options);
  }
  Check(status, Origin::kKey);
}

bool PyStore::SetIfAbsent(py::handle key, py::handle value, py::handle ttl) {
  std::shared_ptr<Store> s = store();
  std::string scratch;
  const absl::string_view k = KeyBytes(key, &scratch);
  const Value v = ToValue(value);
  const WriteOptions options = Write(ttl);
  absl::StatusOr<bool> result;
  {
    py::gil_scoped_release release;
    result = s->SetIfAbsent(k, v, options);
  }
  return Flag(result);
}

bool PyStore::Replace(py::handle key, py::handle value, py::handle ttl) {
  std::shared_ptr<Store> s = store();
  std::string scratch;
  const absl::string_view k = KeyBytes(key, &scratch);
  const Value v = ToValue(value);
  const WriteOptions options = Write(ttl);
  absl::StatusOr<bool> result;
  {
    py::gil_scoped_release release;
    result = s->Replace(k, v, options);
  }
  return Flag(result);
}

bool PyStore::CompareAndSet(py::handle key, py::handle expected,
                            py::handle desired, py::handle ttl) {
  std::shared_ptr<Store> s = store();
  std::string scratch;
  const absl::string_view k = KeyBytes(key, &scratch);
  const Value want = ToValue(expected);
  const Value v = ToValue(desired);
  const WriteOptions options = Write(ttl);
  absl::StatusOr<bool> result;
  {
    py::gil_scoped_release release;
    result = s->CompareAndSet(k, want, v, options);
  }
  return Flag(result);
}

bool PyStore::CompareVersionAndSet(py::handle key, uint64_t version,
                                   py::handle desired, py::handle ttl) {
  std::shared_ptr<Store> s = store();
  std::string scratch;
  const absl::string_view k = KeyBytes(key, &scratch);
  const Value v = ToValue(desired);
  const WriteOptions options = Write(ttl);
  absl::StatusOr<bool> result;
  {
    py::gil_scoped_release release;
    result = s->CompareVersionAndSet(k, version, v, options);
  }
  return Flag(result);
}

bool PyStore::Delete(py::handle key) {
  std::shared_ptr<Store> s = store();
  std::string scratch;
  const absl::string_view k = KeyBytes(key, &scratch);
  absl::Status status;
  {
    py::gil_scoped_release release;
    status = s->Erase(k);
  }
  if (absl::IsNotFound(status)) return false;
  Check(status, Origin::kKey);
  return true;
}

void PyStore::DelItem(py::handle key) {
  std::shared_ptr<Store> s = store();
  std::string scratch;
  const absl::string_view k = KeyBytes(key, &scratch);
  absl::Status status;
  {
    py::gil_scoped_release release;
    status = s->Erase(k);
  }
  Check(status, Origin::kKey);
}

py::object PyStore::Pop(py::handle key, py::handle fallback,
                        bool has_fallback) {
  std::shared_ptr<Store> s = store();
  std::string scratch;
  const absl::string_view k = KeyBytes(key, &scratch);
  absl::StatusOr<Value> value;
  {
    py::gil_scoped_release release;
    value = s->GetAndErase(k);
  }
  if (value.ok()) return FromValue(*value);
  if (has_fallback && absl::IsNotFound(value.status())) {
    return py::reinterpret_borrow<py::object>(fallback);
  }
  Raise(value.status(), Origin::kKey);
}

py::object PyStore::Incr(py::handle key, py::handle delta) {
  std::shared_ptr<Store> s = store();
  std::string scratch;
  const absl::string_view k = KeyBytes(key, &scratch);
  if (PyFloat_Check(delta.ptr())) {
    const double d = PyFloat_AS_DOUBLE(delta.ptr());
    absl::StatusOr<double> result;
    {
      py::gil_scoped_release release;
      result = s->AddDouble(k, d);
    }
    if (!result.ok()) Raise(result.status(), Origin::kKey);
    return py::float_(*result);
  }
  const Value d = ToValue(delta);
  if (d.type() != ValueType::kInt64) {
    PyErr_SetString(PyExc_TypeError, "incr takes an int or float delta");
    throw py::error_already_set();
  }
  absl::StatusOr<int64_t> result;
  {
    py::gil_scoped_release release;
    result = s->Increment(k, d.AsInt64());
  }
  if (!result.ok()) Raise(result.status(), Origin::kKey);
  return py::int_(*result);
}

py::object PyStore::Ttl(py::handle key) {
  std::shared_ptr<Store> s = store();
  std::string scratch;
  const absl::string_view k = KeyBytes(key, &scratch);
  absl::StatusOr<absl::Duration> ttl;
  {
    py::gil_scoped_release release;
    ttl = s->Ttl(k);
  }
  if (!ttl.ok()) Raise(ttl.status(), Origin::kKey);
  return SecondsObject(*ttl);
}

void PyStore::Expire(py::handle key, py::handle ttl) {
  std::shared_ptr<Store> s = store();
  std::string scratch;
  const absl::string_view k = KeyBytes(key, &scratch);
  if (ttl.is_none()) {
    RaiseInvalidArgument(
        "expire takes a number of seconds; persist() "
        "removes a ttl");
  }
  const absl::Duration d = Seconds(ttl, absl::InfiniteDuration());
  absl::Status status;
  {
    py::gil_scoped_release release;
    status = s->Expire(k, d);
  }
  Check(status, Origin::kKey);
}

void PyStore::Persist(py::handle key) {
  std::shared_ptr<Store> s = store();
  std::string scratch;
  const absl::string_view k = KeyBytes(key, &scratch);
  absl::Status status;
  {
    py::gil_scoped_release release;
    status = s->Persist(k);
  }
  Check(status, Origin::kKey);
}

py::object PyStore::GetOrCompute(py::handle key, py::function fn,
                                 py::handle ttl, py::handle wait,
                                 py::handle lease) {
  std::shared_ptr<Store> s = store();
  std::string scratch;
  const absl::string_view k = KeyBytes(key, &scratch);
  ComputeOptions options;
  options.ttl = Seconds(ttl, absl::InfiniteDuration());
  options.wait = Seconds(wait, options.wait);
  options.lease = Seconds(lease, options.lease);
  // An exception from `fn` is kept here and raised again once the store
  // call has returned (it stored nothing).
  std::optional<py::error_already_set> raised;
  auto compute = [&]() -> absl::StatusOr<Value> {
    py::gil_scoped_acquire acquire;
    try {
      return ToValue(fn());
    } catch (py::error_already_set& e) {
      raised.emplace(std::move(e));
      return absl::CancelledError("the compute function raised");
    }
  };
  absl::StatusOr<Value> value;
  {
    py::gil_scoped_release release;
    value = s->GetOrCompute(k, compute, options);
  }
  if (raised.has_value()) {
    raised->restore();
    throw py::error_already_set();
  }
  if (!value.ok()) Raise(value.status(), Origin::kKey);
  return FromValue(*value);
}

py::tuple PyStore::Scan(uint64_t cursor, py::handle prefix, uint64_t count) {
  std::shared_ptr<Store> s = store();
  std::string scratch;
  const absl::string_view p = KeyBytes(prefix, &scratch);
  absl::StatusOr<ScanBatch> batch;
  {
    py::gil_scoped_release release;
    batch = s->Scan(cursor, p, count);
  }
  if (!batch.ok()) Raise(batch.status(), Origin::kStore);
  py::list entries;
  for (const auto& [key, value] : batch->entries) {
    entries.append(py::make_tuple(KeyObject(key), FromValue(value)));
  }
  return py::make_tuple(batch->cursor, entries);
}

uint64_t PyStore::Len() {
  std::shared_ptr<Store> s = store();
  absl::StatusOr<StoreStats> stats;
  {
    py::gil_scoped_release release;
    stats = s->Stats();
  }
  if (!stats.ok()) Raise(stats.status(), Origin::kStore);
  return stats->entry_count;
}

void PyStore::Verify() {
  std::shared_ptr<Store> s = store();
  absl::Status status;
  {
    py::gil_scoped_release release;
    status = s->Verify();
  }
  Check(status, Origin::kStore);
}

ScanIterator::ScanIterator(std::shared_ptr<Store> store, std::string prefix,
                           What what)
    : store_(std::move(store)), prefix_(std::move(prefix)), what_(what) {}

py::object ScanIterator::Next() {
  for (;;) {
    while (next_ < batch_.entries.size()) {
      const auto& [key, value] = batch_.entries[next_++];
      if (!seen_.insert(key).second) continue;
      switch (what_) {
        case What::kKeys:
          return KeyObject(key);
        case What::kValues:
          return FromValue(value);
        case What::kItems:
          return py::make_tuple(KeyObject(key), FromValue(value));
      }
    }
    if (started_ && batch_.cursor == 0) throw py::stop_iteration();
    absl::StatusOr<ScanBatch> batch;
    {
      py::gil_scoped_release release;
      batch = store_->Scan(started_ ? batch_.cursor : 0, prefix_);
    }
    if (!batch.ok()) Raise(batch.status(), Origin::kStore);
    batch_ = *std::move(batch);
    next_ = 0;
    started_ = true;
  }
}

}  // namespace python
}  // namespace kvstore
