#include "python/py_typed_store.h"

#include <utility>

#include "kvstore/record_codec.h"
#include "kvstore/schema.h"
#include "python/errors.h"
#include "python/stats.h"
#include "python/values.h"

namespace kvstore {
namespace python {

namespace py = pybind11;

namespace {

// json.dumps and json.loads: records travel as the JSON that
// RecordToJson writes and ParseRecord reads (one codec, record_codec.h).
py::object Json(const char* function) {
  return py::module_::import("json").attr(function);
}

}  // namespace

PyTypedStore::PyTypedStore(const std::string& name, const Options& options)
    : name_(name) {
  absl::StatusOr<std::unique_ptr<TypedStore>> store;
  {
    py::gil_scoped_release release;
    store = TypedStore::OpenAny(name, options);
  }
  if (!store.ok()) Raise(store.status(), Origin::kStore);
  store_ = *std::move(store);
}

std::string PyTypedStore::KeyRecord(py::handle key) const {
  const std::string json = py::cast<std::string>(Json("dumps")(key));
  absl::StatusOr<std::string> record = ParseRecord(store_->schema().key, json);
  if (!record.ok()) Raise(record.status(), Origin::kStore);
  return *std::move(record);
}

std::string PyTypedStore::ValueRecord(py::handle value) const {
  const std::string json = py::cast<std::string>(Json("dumps")(value));
  absl::StatusOr<std::string> record =
      ParseRecord(store_->schema().value, json);
  if (!record.ok()) Raise(record.status(), Origin::kStore);
  return *std::move(record);
}

py::object PyTypedStore::KeyObject(const std::string& record) const {
  return Json("loads")(RecordToJson(store_->schema().key, record));
}

py::object PyTypedStore::ValueObject(const std::string& record) const {
  return Json("loads")(RecordToJson(store_->schema().value, record));
}

py::object PyTypedStore::Get(py::handle key, py::handle fallback) {
  const std::string k = KeyRecord(key);
  absl::StatusOr<std::string> value;
  {
    py::gil_scoped_release release;
    value = store_->Get(k);
  }
  if (value.ok()) return ValueObject(*value);
  if (absl::IsNotFound(value.status())) {
    return py::reinterpret_borrow<py::object>(fallback);
  }
  Raise(value.status(), Origin::kKey);
}

py::object PyTypedStore::GetItem(py::handle key) {
  const std::string k = KeyRecord(key);
  absl::StatusOr<std::string> value;
  {
    py::gil_scoped_release release;
    value = store_->Get(k);
  }
  if (!value.ok()) Raise(value.status(), Origin::kKey);
  return ValueObject(*value);
}

bool PyTypedStore::Contains(py::handle key) {
  const std::string k = KeyRecord(key);
  absl::StatusOr<std::string> value;
  {
    py::gil_scoped_release release;
    value = store_->Get(k);
  }
  if (absl::IsNotFound(value.status())) return false;
  if (!value.ok()) Raise(value.status(), Origin::kKey);
  return true;
}

void PyTypedStore::Set(py::handle key, py::handle value, py::handle ttl) {
  const std::string k = KeyRecord(key);
  const std::string v = ValueRecord(value);
  WriteOptions options;
  options.ttl = Seconds(ttl, absl::InfiniteDuration());
  absl::Status status;
  {
    py::gil_scoped_release release;
    status = store_->Set(k, v, options);
  }
  Check(status, Origin::kKey);
}

bool PyTypedStore::SetIfAbsent(py::handle key, py::handle value,
                               py::handle ttl) {
  const std::string k = KeyRecord(key);
  const std::string v = ValueRecord(value);
  WriteOptions options;
  options.ttl = Seconds(ttl, absl::InfiniteDuration());
  absl::StatusOr<bool> stored;
  {
    py::gil_scoped_release release;
    stored = store_->SetIfAbsent(k, v, options);
  }
  if (!stored.ok()) Raise(stored.status(), Origin::kKey);
  return *stored;
}

bool PyTypedStore::Delete(py::handle key) {
  const std::string k = KeyRecord(key);
  absl::Status status;
  {
    py::gil_scoped_release release;
    status = store_->Erase(k);
  }
  if (absl::IsNotFound(status)) return false;
  Check(status, Origin::kKey);
  return true;
}

void PyTypedStore::DelItem(py::handle key) {
  if (!Delete(key)) {
    Raise(absl::NotFoundError("key not found in store " + name_), Origin::kKey);
  }
}

py::object PyTypedStore::Add(py::handle key, const std::string& path,
                             int64_t delta) {
  const std::string k = KeyRecord(key);
  absl::StatusOr<std::string> value;
  {
    py::gil_scoped_release release;
    value = store_->AddToField(k, path, delta);
  }
  if (!value.ok()) Raise(value.status(), Origin::kStore);
  return ValueObject(*value);
}

uint64_t PyTypedStore::Len() {
  absl::StatusOr<StoreStats> stats;
  {
    py::gil_scoped_release release;
    stats = store_->Stats();
  }
  if (!stats.ok()) Raise(stats.status(), Origin::kStore);
  return stats->entry_count;
}

py::dict PyTypedStore::Stats() {
  absl::StatusOr<StoreStats> stats;
  {
    py::gil_scoped_release release;
    stats = store_->Stats();
  }
  if (!stats.ok()) Raise(stats.status(), Origin::kStore);
  return StatsDict(*stats);
}

py::list PyTypedStore::Items() {
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> all;
  {
    py::gil_scoped_release release;
    all = store_->Snapshot();
  }
  if (!all.ok()) Raise(all.status(), Origin::kStore);
  py::list items;
  for (const auto& [key, value] : *all) {
    items.append(py::make_tuple(KeyObject(key), ValueObject(value)));
  }
  return items;
}

}  // namespace python
}  // namespace kvstore
