// Online growth: a store rebuilt in a new segment that takes its name, while
// the processes using it move over on their next call (TableHandle).
//
// Protocol, run holding the old segment's lock (writers wait; lock-free
// readers go on reading the old segment until it is marked moved):
//   1. copy every live entry into a new store under a temporary name
//      (resize.copied);
//   2. set the old header's `moved` (resize.moved);
//   3. rename the new store's /dev/shm file to the store's name
//      (resize.renamed);
//   4. unlock. Every later call on the old segment, locked or lock-free,
//      sees `moved` and reopens the name.
// A resizer killed before 2 leaves the old store in use (the temporary one
// is removed by the next resize, restore or upgrade). Killed between 2 and
// 3, it leaves `moved` set on a segment that still has the name: the next
// locker (EOWNERDEAD) clears it in Repair. Killed after 3, the new store is
// complete and named, and the old one is marked.
#include <sys/mman.h>

#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "kvstore/internal/fault_injection.h"
#include "kvstore/internal/shm_names.h"
#include "kvstore/internal/table.h"

namespace kvstore {
namespace internal {

absl::Status Table::Resize(absl::string_view name, uint64_t capacity,
                           uint64_t memory, int64_t* pause_ns) {
  *pause_ns = 0;
  StoreKind any;
  any.kind = kKindAny;
  absl::StatusOr<std::unique_ptr<Table>> old = Open(name, Options(), any);
  if (!old.ok()) return old.status();
  Table& from = **old;
  absl::StatusOr<StoreStats> stats = from.Stats();
  if (!stats.ok()) return stats.status();
  const Geometry& g = from.geometry_;
  if (stats->entry_count > capacity) {
    return absl::FailedPreconditionError(absl::StrCat(
        "store ", from.name(), " holds ", stats->entry_count,
        " entries; a capacity of ", capacity, " cannot hold them"));
  }
  Options options;
  options.create_if_missing = true;
  options.error_if_exists = true;
  options.capacity = capacity;
  options.memory = g.kind == kKindTagged ? memory : 0;
  options.max_key_bytes = g.max_key_bytes;
  options.max_value_bytes = g.max_value_bytes;
  options.eviction = static_cast<Eviction>(g.eviction);
  options.mode = stats->mode & 0777;
  StoreKind kind;
  kind.kind = g.kind;
  kind.schema = g.schema;
  RemoveStaleTemporaries();
  const std::string temp = TemporaryName();
  absl::StatusOr<std::unique_ptr<Table>> fresh = Open(temp, options, kind);
  if (!fresh.ok()) return fresh.status();
  bool installed = false;
  uint64_t copied = 0;
  absl::Status status = from.WithLock([&]() -> absl::Status {
    const int64_t start = BoottimeNanos();
    // The new segment goes on from the old one's last version, so every
    // copied entry gets a version no handle has seen: a CompareVersionAndSet
    // with a version read before the resize fails instead of matching an
    // entry that was written since.
    (*fresh)->header_->version_counter.store(
        from.header_->version_counter.load(std::memory_order_relaxed),
        std::memory_order_relaxed);
    Clock now;
    std::vector<RawEntry> batch;
    auto flush = [&]() -> absl::Status {
      absl::Status s = (*fresh)->PutRaw(batch);
      copied += batch.size();
      batch.clear();
      return s;
    };
    for (uint64_t i = 0; i < g.slot_count; ++i) {
      const SlotMeta m = Meta(*from.slot(i));
      if (m.empty() || m.type == kTypePending || now.Expired(m.expires_ms)) {
        continue;
      }
      absl::StatusOr<EntryBytes> e = from.EntryLocked(i, m);
      if (!e.ok()) return e.status();
      batch.push_back(RawEntry{m.type, std::string(e->key),
                               std::string(e->value), m.expires_ms});
      if (batch.size() == 256) {
        absl::Status s = flush();
        if (!s.ok()) return s;
      }
    }
    absl::Status s = flush();
    if (!s.ok()) return s;
    // Under CLOCK a new store too small would have evicted: refuse instead.
    absl::StatusOr<StoreStats> after = (*fresh)->Stats();
    if (!after.ok()) return after.status();
    if (after->evictions != 0 || after->entry_count != copied) {
      return absl::ResourceExhaustedError(
          "the entries do not fit the new size");
    }
    KVSTORE_FAULT_POINT("resize.copied");
    from.header_->moved.store(1, std::memory_order_release);
    KVSTORE_FAULT_POINT("resize.moved");
    s = InstallTemporary(temp, name, /*replace=*/true);
    if (!s.ok()) {
      from.header_->moved.store(0, std::memory_order_release);
      return s;
    }
    installed = true;
    KVSTORE_FAULT_POINT("resize.renamed");
    *pause_ns = BoottimeNanos() - start;
    return absl::OkStatus();
  });
  fresh->reset();
  if (!installed) shm_unlink(temp.c_str());
  if (absl::IsResourceExhausted(status)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "store ", from.name(), " cannot be resized to ", capacity,
        " entries and ", memory, " bytes of memory: ", status.message()));
  }
  return status;
}

}  // namespace internal
}  // namespace kvstore
