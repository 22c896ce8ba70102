// The C API's scans and statistics (c_api.h).
#include <algorithm>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "kvstore/c_api.h"
#include "kvstore/c_api_internal.h"

namespace kvstore {
namespace c_api {
namespace {

int64_t UnixMs(absl::Time t) {
  if (t == absl::InfinitePast()) return 0;
  return absl::ToUnixMillis(t);
}

int64_t Micros(absl::Duration d) { return absl::ToInt64Microseconds(d); }

// Reads batches until one holds an entry or the scan is complete.
absl::Status Refill(kvstore_scan_t* scan) {
  while (scan->next >= scan->batch.entries.size()) {
    if (scan->started && scan->batch.cursor == 0) return absl::OkStatus();
    const uint64_t cursor = scan->started ? scan->batch.cursor : 0;
    absl::StatusOr<ScanBatch> batch = scan->store->Scan(cursor, scan->prefix);
    if (!batch.ok()) return batch.status();
    scan->batch = *std::move(batch);
    scan->next = 0;
    scan->started = true;
  }
  return absl::OkStatus();
}

}  // namespace

void CopyStats(const StoreStats& stats, kvstore_stats_t* out_stats,
               uint64_t stats_size) {
  kvstore_stats_t out;
  std::memset(&out, 0, sizeof out);
  out.segment_bytes = stats.segment_bytes;
  out.capacity = stats.capacity;
  out.slot_count = stats.slot_count;
  out.entry_count = stats.entry_count;
  out.slot_bytes = stats.slot_bytes;
  out.max_key_bytes = stats.max_key_bytes;
  out.max_value_bytes = stats.max_value_bytes;
  out.mode = stats.mode;
  out.owner_uid = stats.owner_uid;
  out.owner_gid = stats.owner_gid;
  out.eviction = static_cast<int32_t>(stats.eviction);
  out.writable_by_others = stats.writable_by_others ? 1 : 0;
  out.created_unix_ms = UnixMs(stats.created);
  out.recoveries = stats.recoveries;
  out.last_recovery_unix_ms = UnixMs(stats.last_recovery);
  out.lock_resets = stats.lock_resets;
  out.load_factor = stats.load_factor;
  out.hits = stats.hits;
  out.misses = stats.misses;
  out.sets = stats.sets;
  out.deletes = stats.deletes;
  out.expirations = stats.expirations;
  out.evictions = stats.evictions;
  out.lock_waits = stats.lock_waits;
  out.lock_wait_time_us = Micros(stats.lock_wait_time);
  out.longest_lock_wait_us = Micros(stats.longest_lock_wait);
  out.long_lock_waits = stats.long_lock_waits;
  out.data_bytes = stats.data_bytes;
  out.data_used_bytes = stats.data_used_bytes;
  out.data_free_bytes = stats.data_free_bytes;
  out.data_entries = stats.data_entries;
  out.largest_storable = stats.largest_storable;
  out.rounding_bytes = stats.rounding_bytes;
  out.fragmented_bytes = stats.fragmented_bytes;
  out.compactions = stats.compactions;
  out.compacted_bytes = stats.compacted_bytes;
  std::memcpy(out_stats, &out, std::min<uint64_t>(stats_size, sizeof out));
}

}  // namespace c_api
}  // namespace kvstore

using kvstore::c_api::Guarded;
using kvstore::c_api::RequireNonNull;

extern "C" {

int32_t kvstore_scan_open(const kvstore_t* store, const char* prefix,
                          uint64_t prefix_size, kvstore_scan_t** scan,
                          kvstore_error_t** err) {
  constexpr char kWhat[] = "kvstore_scan_open";
  return Guarded(kWhat, err, [&]() -> absl::Status {
    absl::Status s = RequireNonNull(store, kWhat, "store");
    if (s.ok()) s = RequireNonNull(scan, kWhat, "scan");
    if (!s.ok()) return s;
    absl::StatusOr<absl::string_view> p =
        kvstore::c_api::Bytes(kWhat, prefix, prefix_size);
    if (!p.ok()) return p.status();
    auto handle = std::make_unique<kvstore_scan_t>();
    handle->store = store->store.get();
    handle->prefix = std::string(*p);
    *scan = handle.release();
    return absl::OkStatus();
  });
}

int32_t kvstore_scan_next(kvstore_scan_t* scan, void* key_buf,
                          uint64_t key_buf_size, uint64_t* key_size,
                          int32_t* type, void* value_buf,
                          uint64_t value_buf_size, uint64_t* value_size,
                          int32_t* done, kvstore_error_t** err) {
  constexpr char kWhat[] = "kvstore_scan_next";
  return Guarded(kWhat, err, [&]() -> absl::Status {
    absl::Status s = RequireNonNull(scan, kWhat, "scan");
    if (s.ok()) s = RequireNonNull(key_size, kWhat, "key_size");
    if (s.ok()) s = RequireNonNull(done, kWhat, "done");
    if (!s.ok()) return s;
    if (s = kvstore::c_api::Refill(scan); !s.ok()) return s;
    if (scan->next >= scan->batch.entries.size()) {
      *done = 1;
      return absl::OkStatus();
    }
    *done = 0;
    const auto& [key, value] = scan->batch.entries[scan->next];
    *key_size = key.size();
    if (key.size() > key_buf_size) {
      // Copies nothing, but still reports the value's type and size.
      s = kvstore::c_api::CopyOut(value, kWhat, type, nullptr, 0, value_size);
      if (!s.ok() && !absl::IsOutOfRange(s)) return s;
      return absl::OutOfRangeError(
          absl::StrCat(kWhat, ": the key has ", key.size(),
                       " bytes, the buffer ", key_buf_size));
    }
    s = kvstore::c_api::CopyOut(value, kWhat, type, value_buf, value_buf_size,
                                value_size);
    if (!s.ok()) return s;
    if (s = RequireNonNull(key_buf, kWhat, "key_buf"); !s.ok()) return s;
    std::memcpy(key_buf, key.data(), key.size());
    ++scan->next;
    return absl::OkStatus();
  });
}

void kvstore_scan_close(kvstore_scan_t* scan) { delete scan; }

int32_t kvstore_stats(const kvstore_t* store, kvstore_stats_t* stats,
                      uint64_t stats_size, kvstore_error_t** err) {
  constexpr char kWhat[] = "kvstore_stats";
  return Guarded(kWhat, err, [&]() -> absl::Status {
    absl::Status s = RequireNonNull(store, kWhat, "store");
    if (s.ok()) s = RequireNonNull(stats, kWhat, "stats");
    if (!s.ok()) return s;
    absl::StatusOr<kvstore::StoreStats> got = store->store->Stats();
    if (!got.ok()) return got.status();
    kvstore::c_api::CopyStats(*got, stats, stats_size);
    return absl::OkStatus();
  });
}

}  // extern "C"
