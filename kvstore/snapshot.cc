#include "kvstore/snapshot.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "kvstore/internal/arena.h"
#include "kvstore/internal/dump_format.h"
#include "kvstore/internal/errors.h"
#include "kvstore/internal/fault_injection.h"
#include "kvstore/internal/format2.h"
#include "kvstore/internal/layout.h"
#include "kvstore/internal/robust_mutex.h"
#include "kvstore/internal/segment.h"
#include "kvstore/internal/shm_names.h"
#include "kvstore/internal/table.h"

namespace kvstore {
namespace {

using internal::DumpEntry;
using internal::DumpHeader;
using internal::DumpReader;
using internal::DumpWriter;
using internal::ErrnoStatus;
using internal::InstallTemporary;
using internal::RemoveStaleTemporaries;
using internal::ShmPath;
using internal::Table;
using internal::TemporaryName;

constexpr size_t kScanSlots = 4096;         // Slots per locked scan batch.
constexpr size_t kRestoreBatch = 256;       // Entries per locked write.
constexpr uint64_t kProgressEvery = 65536;  // Entries between progress calls.

int64_t WallMs() { return absl::ToUnixMillis(absl::Now()); }
int64_t BootMs() { return internal::BoottimeNanos() / 1000000; }

absl::Status WriteAll(int fd, absl::string_view bytes,
                      const std::string& what) {
  while (!bytes.empty()) {
    const ssize_t n = write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoStatus(errno, what);
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return absl::OkStatus();
}

DumpReader::ReadFn ReadFrom(int fd, const std::string& what) {
  return [fd, what](char* buf, size_t n) -> absl::StatusOr<size_t> {
    for (;;) {
      const ssize_t got = read(fd, buf, n);
      if (got >= 0) return static_cast<size_t>(got);
      if (errno != EINTR) return ErrnoStatus(errno, what);
    }
  };
}

absl::StatusOr<std::unique_ptr<Table>> OpenExisting(absl::string_view name) {
  internal::StoreKind any;
  any.kind = internal::kKindAny;
  return Table::Open(name, Options(), any);
}

// A store under a temporary name, removed unless Keep() is called.
class TemporaryStore {
 public:
  TemporaryStore() : name_(TemporaryName()) {}
  ~TemporaryStore() {
    table_.reset();
    if (!kept_) shm_unlink(name_.c_str());
  }
  absl::Status Create(const DumpHeader& h) {
    Options o;
    o.create_if_missing = true;
    o.error_if_exists = true;
    o.capacity = h.capacity;
    o.memory = h.memory;
    o.max_key_bytes = h.max_key_bytes;
    o.max_value_bytes = h.max_value_bytes;
    o.eviction = static_cast<Eviction>(h.eviction);
    o.mode = static_cast<mode_t>(h.mode);
    internal::StoreKind kind;
    kind.kind = h.kind;
    kind.schema = h.schema;
    absl::StatusOr<std::unique_ptr<Table>> table = Table::Open(name_, o, kind);
    if (!table.ok()) return table.status();
    table_ = *std::move(table);
    return absl::OkStatus();
  }
  Table& table() { return *table_; }
  const std::string& name() const { return name_; }
  void Keep() {
    table_.reset();
    kept_ = true;
  }

 private:
  std::string name_;
  std::unique_ptr<Table> table_;
  bool kept_ = false;
};

absl::StatusOr<SnapshotStats> DumpTo(absl::string_view name, DumpWriter& out,
                                     const SnapshotProgress& progress) {
  absl::StatusOr<std::unique_ptr<Table>> table = OpenExisting(name);
  if (absl::IsPermissionDenied(table.status())) {
    // A user who may only read the store dumps it through a read-only
    // handle: each batch lock-free (Options::read_only).
    Options read_only;
    read_only.read_only = true;
    internal::StoreKind any;
    any.kind = internal::kKindAny;
    absl::StatusOr<std::unique_ptr<Table>> reader =
        Table::Open(name, read_only, any);
    if (!absl::IsPermissionDenied(reader.status())) table = std::move(reader);
  }
  if (!table.ok()) return table.status();
  absl::StatusOr<StoreStats> stats = (*table)->Stats();
  if (!stats.ok()) return stats.status();
  const internal::Geometry& g = (*table)->geometry();
  DumpHeader h;
  h.kind = g.kind;
  h.eviction = g.eviction;
  h.mode = stats->mode & 0777;
  h.max_key_bytes = g.max_key_bytes;
  h.max_value_bytes = g.max_value_bytes;
  h.capacity = g.capacity;
  h.memory = g.data_bytes;
  h.created_unix_ms = WallMs();
  h.schema = g.schema;
  absl::Status status = out.WriteHeader(h);
  if (!status.ok()) return status;
  std::vector<Table::RawEntry> batch;
  uint64_t cursor = 0;
  uint64_t reported = 0;
  do {
    batch.clear();
    absl::StatusOr<uint64_t> next =
        (*table)->ScanRaw(cursor, kScanSlots, &batch);
    if (!next.ok()) return next.status();
    const int64_t wall = WallMs(), boot = BootMs();
    for (Table::RawEntry& e : batch) {
      DumpEntry d;
      d.type = e.type;
      d.deadline_unix_ms = e.expires_ms == 0 ? 0 : wall + (e.expires_ms - boot);
      d.key = std::move(e.key);
      d.value = std::move(e.value);
      status = out.Add(d);
      if (!status.ok()) return status;
    }
    KVSTORE_FAULT_POINT("dump.batch_written");
    if (progress && out.entries() - reported >= kProgressEvery) {
      reported = out.entries();
      progress(reported);
    }
    cursor = *next;
  } while (cursor != 0);
  status = out.Finish();
  if (!status.ok()) return status;
  if (progress) progress(out.entries());
  SnapshotStats result;
  result.entries = out.entries();
  return result;
}

absl::StatusOr<SnapshotStats> RestoreFrom(absl::string_view name,
                                          DumpReader& in,
                                          const RestoreOptions& options) {
  absl::Status status = internal::ValidateName(name);
  if (!status.ok()) return status;
  absl::StatusOr<DumpHeader> h = in.ReadHeader();
  if (!h.ok()) return h.status();
  if (h->kind != internal::kKindTagged && h->kind != internal::kKindTyped) {
    return absl::DataLossError(
        absl::StrCat("damaged dump: unknown store kind ", h->kind));
  }
  struct stat st;
  if (stat(ShmPath(name).c_str(), &st) == 0) {
    if (!options.replace) {
      return absl::AlreadyExistsError(
          absl::StrCat("store ", name,
                       " exists; restore it with replace (--replace) to "
                       "replace it"));
    }
    absl::StatusOr<std::unique_ptr<Table>> existing = OpenExisting(name);
    if (existing.ok() && ((*existing)->kind() != h->kind ||
                          (*existing)->schema() != h->schema)) {
      return absl::FailedPreconditionError(absl::StrCat(
          "store ", name, " is a ",
          (*existing)->kind() == internal::kKindTyped ? "typed" : "tagged",
          " store", (*existing)->kind() == h->kind ? " of another schema" : "",
          "; the dump is of a ",
          h->kind == internal::kKindTyped ? "typed" : "tagged",
          " store; destroy it first to restore this dump"));
    }
    if (!existing.ok() && !absl::IsDataLoss(existing.status())) {
      return existing.status();  // Not a store: never replaced.
    }
  }
  RemoveStaleTemporaries();
  TemporaryStore temp;
  status = temp.Create(*h);
  if (!status.ok()) return status;
  SnapshotStats result;
  std::vector<Table::RawEntry> batch;
  uint64_t reported = 0;
  auto flush = [&]() -> absl::Status {
    if (batch.empty()) return absl::OkStatus();
    absl::Status s = temp.table().PutRaw(batch);
    result.entries += batch.size();
    batch.clear();
    KVSTORE_FAULT_POINT("restore.batch_written");
    if (options.progress && result.entries - reported >= kProgressEvery) {
      reported = result.entries;
      options.progress(reported);
    }
    return s;
  };
  DumpEntry e;
  for (;;) {
    absl::StatusOr<bool> more = in.Next(&e);
    if (!more.ok()) return more.status();
    if (!*more) break;
    int64_t expires_ms = 0;
    if (e.deadline_unix_ms != 0) {
      const int64_t left_ms = e.deadline_unix_ms - WallMs();
      if (left_ms <= 0) {
        ++result.skipped;
        continue;
      }
      expires_ms =
          internal::DeadlineMs(internal::BoottimeNanos(), left_ms * 1000000);
    }
    batch.push_back(Table::RawEntry{e.type, std::move(e.key),
                                    std::move(e.value), expires_ms});
    if (batch.size() == kRestoreBatch) {
      status = flush();
      if (!status.ok()) return status;
    }
  }
  status = flush();
  if (!status.ok()) return status;
  KVSTORE_FAULT_POINT("restore.filled");
  const std::string temp_name = temp.name();
  temp.Keep();
  status = InstallTemporary(temp_name, name, options.replace);
  if (!status.ok()) {
    shm_unlink(temp_name.c_str());
    return status;
  }
  if (options.progress) options.progress(result.entries);
  return result;
}

}  // namespace

absl::StatusOr<SnapshotStats> DumpStoreToStream(
    absl::string_view name, std::ostream& stream,
    const SnapshotProgress& progress) {
  DumpWriter out([&stream](absl::string_view bytes) {
    stream.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return stream ? absl::OkStatus()
                  : absl::UnavailableError("writing the dump failed");
  });
  absl::StatusOr<SnapshotStats> result = DumpTo(name, out, progress);
  if (result.ok() && !stream.flush()) {
    return absl::UnavailableError("writing the dump failed");
  }
  return result;
}

absl::StatusOr<SnapshotStats> DumpStore(absl::string_view name,
                                        const std::string& path,
                                        const SnapshotProgress& progress) {
  const std::string temp = absl::StrCat(path, ".tmp.", getpid());
  const int fd =
      open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return ErrnoStatus(errno, "create " + temp);
  DumpWriter out([fd, &temp](absl::string_view bytes) {
    return WriteAll(fd, bytes, "write " + temp);
  });
  absl::StatusOr<SnapshotStats> result = DumpTo(name, out, progress);
  absl::Status status = result.status();
  if (status.ok() && fsync(fd) != 0)
    status = ErrnoStatus(errno, "sync " + temp);
  if (close(fd) != 0 && status.ok())
    status = ErrnoStatus(errno, "close " + temp);
  KVSTORE_FAULT_POINT("dump.synced");
  if (status.ok() && rename(temp.c_str(), path.c_str()) != 0) {
    status = ErrnoStatus(errno, "rename " + temp + " to " + path);
  }
  if (!status.ok()) {
    unlink(temp.c_str());
    return status;
  }
  // The rename itself is durable once the directory is synced.
  const size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos
                              ? "."
                              : (slash == 0 ? "/" : path.substr(0, slash));
  const int dir_fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    fsync(dir_fd);
    close(dir_fd);
  }
  return result;
}

absl::StatusOr<SnapshotStats> RestoreStoreFromStream(
    absl::string_view name, std::istream& stream,
    const RestoreOptions& options) {
  DumpReader in([&stream](char* buf, size_t n) -> absl::StatusOr<size_t> {
    stream.read(buf, static_cast<std::streamsize>(n));
    if (stream.bad()) return absl::UnavailableError("reading the dump failed");
    return static_cast<size_t>(stream.gcount());
  });
  return RestoreFrom(name, in, options);
}

absl::StatusOr<SnapshotStats> RestoreStore(absl::string_view name,
                                           const std::string& path,
                                           const RestoreOptions& options) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(errno, "open " + path);
  DumpReader in(ReadFrom(fd, "read " + path));
  absl::StatusOr<SnapshotStats> result = RestoreFrom(name, in, options);
  close(fd);
  return result;
}

absl::StatusOr<SnapshotStats> UpgradeStore(absl::string_view name) {
  absl::Status status = internal::ValidateName(name);
  if (!status.ok()) return status;
  const std::string shm_name(name);
  const int fd = shm_open(shm_name.c_str(), O_RDWR | O_CLOEXEC, 0);
  if (fd < 0) return ErrnoStatus(errno, "open store " + shm_name);
  struct stat st;
  if (fstat(fd, &st) != 0 ||
      static_cast<size_t>(st.st_size) < internal::kHeaderBytes) {
    close(fd);
    return absl::FailedPreconditionError(
        absl::StrCat(name, " is not a kvstore store (too small)"));
  }
  const size_t size = static_cast<size_t>(st.st_size);
  void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  close(fd);
  if (p == MAP_FAILED) return ErrnoStatus(errno, "map store " + shm_name);
  auto* h = static_cast<internal::Header*>(p);
  auto unmap = [&](absl::Status s) {
    munmap(p, size);
    return s;
  };
  if (h->magic != internal::kMagic) {
    return unmap(absl::FailedPreconditionError(
        absl::StrCat(name, " is not a kvstore store (bad magic number)")));
  }
  if (h->format_version == internal::kFormatVersion) {
    return unmap(absl::FailedPreconditionError(absl::StrCat(
        "store ", name, " is already of format ", internal::kFormatVersion)));
  }
  if (h->format_version != internal::kFormat2) {
    return unmap(absl::FailedPreconditionError(absl::StrCat(
        "store ", name, " has format version ", h->format_version,
        "; this build upgrades format ", internal::kFormat2, " only")));
  }
  if (h->journal_state.load() != internal::kJournalIdle) {
    return unmap(absl::FailedPreconditionError(
        absl::StrCat("store ", name,
                     " was left mid-write by a process that died; open it "
                     "once with the build that made it, then upgrade")));
  }
  // Writers of the older build pause while the entries are copied.
  int64_t waited_ns = 0;
  const int rc =
      internal::LockMutex(&h->mutex, int64_t{10} * 1000000000, &waited_ns);
  if (rc == EOWNERDEAD) pthread_mutex_consistent(&h->mutex);  // Idle journal.
  if (rc != 0 && rc != EOWNERDEAD) {
    return unmap(absl::UnavailableError(absl::StrCat(
        "cannot lock store ", name, " to upgrade it: ", strerror(rc))));
  }
  // Size the data area for the entries that will not fit a slot.
  DumpHeader header;
  uint64_t large_bytes = 0;
  status = internal::ReadFormat2(
      static_cast<const uint8_t*>(p), size, &header,
      [&](uint8_t, absl::string_view key, absl::string_view value, int64_t) {
        if (key.size() + value.size() > internal::kTaggedInlineBytes) {
          large_bytes +=
              internal::Arena::BlockBytesFor(key.size() + value.size());
        }
        return absl::OkStatus();
      });
  header.mode = st.st_mode & 0777;
  header.memory =
      header.kind == internal::kKindTagged
          ? std::max<uint64_t>(Options().memory, large_bytes + large_bytes / 4)
          : 0;
  TemporaryStore temp;
  if (status.ok()) {
    RemoveStaleTemporaries();
    status = temp.Create(header);
  }
  SnapshotStats result;
  std::vector<Table::RawEntry> batch;
  if (status.ok()) {
    status = internal::ReadFormat2(
        static_cast<const uint8_t*>(p), size, &header,
        [&](uint8_t type, absl::string_view key, absl::string_view value,
            int64_t expires_ms) -> absl::Status {
          batch.push_back(Table::RawEntry{type, std::string(key),
                                          std::string(value), expires_ms});
          if (batch.size() < kRestoreBatch) return absl::OkStatus();
          absl::Status s = temp.table().PutRaw(batch);
          result.entries += batch.size();
          batch.clear();
          return s;
        });
  }
  if (status.ok() && !batch.empty()) {
    status = temp.table().PutRaw(batch);
    result.entries += batch.size();
  }
  if (status.ok()) {
    const std::string temp_name = temp.name();
    temp.Keep();
    status = InstallTemporary(temp_name, name, /*replace=*/true);
    if (!status.ok()) shm_unlink(temp_name.c_str());
  }
  internal::UnlockRobust(&h->mutex);
  munmap(p, size);
  if (!status.ok()) return status;
  return result;
}

}  // namespace kvstore
