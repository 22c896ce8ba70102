// Snapshots: a store dumped to a file and restored from one, and a store of
// the previous segment format upgraded in place.
//
//   absl::StatusOr<kvstore::SnapshotStats> dumped =
//       kvstore::DumpStore("/cache", "/var/lib/cache.kvdump");
//   // ... reboot ...
//   absl::StatusOr<kvstore::SnapshotStats> restored =
//       kvstore::RestoreStore("/cache", "/var/lib/cache.kvdump");
//
// The file format is docs/dump_format.md: versioned apart from the segment
// format, checksummed in blocks, written and read in constant memory (one
// block, about 1 MiB, or one entry if larger).
//
// Consistency: a dump reads the store in scan batches (Store::Scan), taking
// the lock once per batch of about 4096 slots, so other processes keep
// reading and writing while it runs. Each entry is written as it was at one
// moment of the dump (one version of it, whole). Every entry present for
// the whole dump is in it; one written or deleted meanwhile may or may not
// be; an entry moved by a concurrent delete may appear twice, and a restore
// keeps the last. It is not a snapshot of the whole store at one instant.
// A user who may read the store but not write it dumps it all the same,
// through a read-only handle (Options::read_only): each batch is read
// lock-free, with the same guarantee, and a batch that writers keep
// invalidating for Options::read_only_wait fails the dump (UNAVAILABLE).
//
// Expiry: each entry's end is written as a wall-clock time (Unix ms), not
// as time left: CLOCK_BOOTTIME, which the store uses, starts again at boot,
// and an entry restored after the machine was down for an hour should not
// live an hour longer than it would have. Entries already past their end at
// restore are skipped. A restore is therefore as exact as the wall clock.
#ifndef KVSTORE_SNAPSHOT_H_
#define KVSTORE_SNAPSHOT_H_

#include <cstdint>
#include <functional>
#include <istream>
#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace kvstore {

struct SnapshotStats {
  uint64_t entries = 0;  // Entries written (dump) or stored (restore).
  uint64_t skipped = 0;  // Restore: entries already expired.
};

// Called now and then with the entries done so far (for a progress line).
using SnapshotProgress = std::function<void(uint64_t entries)>;

// Writes every live entry of store `name` (tagged or typed), with its type
// and expiry, and for a typed store its schema, to `path`: into a new file
// next to it that is synced and then renamed over `path`, so that a dump
// killed at any point leaves any previous file at `path` intact. Returns
// NOT_FOUND if the store does not exist, the store's errors, or the file
// system's (PERMISSION_DENIED, RESOURCE_EXHAUSTED for a full disk, ...).
absl::StatusOr<SnapshotStats> DumpStore(
    absl::string_view name, const std::string& path,
    const SnapshotProgress& progress = nullptr);

// The same to a stream (e.g. standard output), which is flushed, not
// synced. A failed write is UNAVAILABLE.
absl::StatusOr<SnapshotStats> DumpStoreToStream(
    absl::string_view name, std::ostream& out,
    const SnapshotProgress& progress = nullptr);

struct RestoreOptions {
  // Replace an existing store of that name (atomically: processes that
  // have the old one open keep using it until they reopen). If false, an
  // existing store is ALREADY_EXISTS and stays as it is.
  // Default: false
  bool replace = false;
  SnapshotProgress progress;
};

// Builds store `name` from the dump at `path`: a new store with the dump's
// capacity, memory, limits, eviction, mode and (typed) schema is filled
// under a temporary name and then given `name` in one atomic rename, so no
// process ever sees a half-restored store. Returns FAILED_PRECONDITION for
// a file that is not a kvstore dump or of an unknown version, and when
// replacing a typed store with a dump of another schema; DATA_LOSS for a
// damaged or truncated file; ALREADY_EXISTS as above. On any error nothing
// is changed (the temporary store is removed).
absl::StatusOr<SnapshotStats> RestoreStore(
    absl::string_view name, const std::string& path,
    const RestoreOptions& options = RestoreOptions());

// The same from a stream (e.g. standard input), read to its end. A failed
// read is UNAVAILABLE.
absl::StatusOr<SnapshotStats> RestoreStoreFromStream(
    absl::string_view name, std::istream& in,
    const RestoreOptions& options = RestoreOptions());

// Brings store `name`, made by a build of the previous segment format
// (version 2), to the current one without losing an entry: its entries are
// read under its lock, copied into a new store of the current format with
// the same capacity, limits, eviction, mode and schema (and a data area
// sized for its large entries), which then replaces it atomically.
// Processes of the older build must be stopped first: they cannot use the
// new store, and writes they make to the old one afterwards are lost.
// Returns FAILED_PRECONDITION if the store is already current, of another
// version, or was left mid-write by a dead process of the older build (open
// it once with that build to repair it); DATA_LOSS if it is damaged.
absl::StatusOr<SnapshotStats> UpgradeStore(absl::string_view name);

}  // namespace kvstore

#endif  // KVSTORE_SNAPSHOT_H_
