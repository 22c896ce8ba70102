#include "python/stats.h"

#include "python/errors.h"
#include "python/py_store.h"

namespace kvstore {
namespace python {

namespace py = pybind11;

namespace {

py::object UnixSeconds(absl::Time t) {
  if (t == absl::InfinitePast()) return py::none();
  return py::float_(absl::ToDoubleSeconds(t - absl::UnixEpoch()));
}

}  // namespace

py::dict StatsDict(const StoreStats& s) {
  py::dict d;
  d["name"] = s.name;
  d["segment_bytes"] = s.segment_bytes;
  d["mode"] = static_cast<uint32_t>(s.mode);
  d["owner_uid"] = static_cast<uint32_t>(s.owner_uid);
  d["owner_gid"] = static_cast<uint32_t>(s.owner_gid);
  d["capacity"] = s.capacity;
  d["slot_count"] = s.slot_count;
  d["slot_bytes"] = s.slot_bytes;
  d["max_key_bytes"] = s.max_key_bytes;
  d["max_value_bytes"] = s.max_value_bytes;
  d["entry_count"] = s.entry_count;
  d["data_bytes"] = s.data_bytes;
  d["data_used_bytes"] = s.data_used_bytes;
  d["data_free_bytes"] = s.data_free_bytes;
  d["data_entries"] = s.data_entries;
  d["largest_storable"] = s.largest_storable;
  d["rounding_bytes"] = s.rounding_bytes;
  d["fragmented_bytes"] = s.fragmented_bytes;
  d["created"] = UnixSeconds(s.created);
  d["recoveries"] = s.recoveries;
  d["last_recovery"] = UnixSeconds(s.last_recovery);
  d["longest_repair"] = absl::ToDoubleSeconds(s.longest_repair);
  d["lock_resets"] = s.lock_resets;
  d["writable_by_others"] = s.writable_by_others;
  d["eviction"] = s.eviction == Eviction::kClock ? "clock" : "none";
  d["load_factor"] = s.load_factor;
  d["hits"] = s.hits;
  d["misses"] = s.misses;
  d["sets"] = s.sets;
  d["deletes"] = s.deletes;
  d["expirations"] = s.expirations;
  d["evictions"] = s.evictions;
  d["lock_waits"] = s.lock_waits;
  d["lock_wait_time"] = absl::ToDoubleSeconds(s.lock_wait_time);
  d["longest_lock_wait"] = absl::ToDoubleSeconds(s.longest_lock_wait);
  d["long_lock_waits"] = s.long_lock_waits;
  d["compactions"] = s.compactions;
  d["compacted_bytes"] = s.compacted_bytes;
  return d;
}

py::dict PyStore::Stats() {
  std::shared_ptr<Store> s = store();
  absl::StatusOr<StoreStats> stats;
  {
    py::gil_scoped_release release;
    stats = s->Stats();
  }
  if (!stats.ok()) Raise(stats.status(), Origin::kStore);
  return StatsDict(*stats);
}

}  // namespace python
}  // namespace kvstore
