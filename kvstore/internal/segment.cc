#include "kvstore/internal/segment.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <random>
#include <thread>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "kvstore/internal/arena.h"
#include "kvstore/internal/errors.h"
#include "kvstore/internal/fault_injection.h"
#include "kvstore/internal/hash.h"
#include "kvstore/internal/process.h"
#include "kvstore/internal/robust_mutex.h"
#include "kvstore/internal/segment_probe.h"
#include "kvstore/internal/shm_names.h"

namespace kvstore {
namespace internal {
namespace {

constexpr uint64_t kMaxCapacity = uint64_t{1} << 31;
constexpr uint32_t kMinValueBytes = 1;
constexpr uint32_t kMinTaggedValueBytes = 8;  // Every int64 and double fits.

bool PortableChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

uint64_t RandomSeed() {
  std::random_device rd;
  return (uint64_t{rd()} << 32) ^ rd() ^
         static_cast<uint64_t>(absl::GetCurrentTimeNanos());
}

std::string FreeSpaceHint(uint64_t needed) {
  struct statvfs vfs;
  if (statvfs("/dev/shm", &vfs) != 0) {
    return absl::StrCat(needed, " bytes needed");
  }
  uint64_t free_bytes = uint64_t{vfs.f_bavail} * vfs.f_frsize;
  return absl::StrFormat(
      "%d bytes needed, %d free in /dev/shm; free space there, choose a "
      "smaller --capacity or --memory, or enlarge /dev/shm (Docker: "
      "--shm-size)",
      needed, free_bytes);
}

// Validates everything in the immutable header part against the object.
absl::StatusOr<Geometry> ValidateHeader(const std::string& name,
                                        const Header& h, uint64_t file_size,
                                        uint32_t expected_kind) {
  if (h.magic != kMagic) {
    if (h.magic == __builtin_bswap64(kMagic)) {
      return absl::FailedPreconditionError(absl::StrCat(
          "store ", name, " was written on a machine of the other byte order"));
    }
    return absl::FailedPreconditionError(absl::StrCat(
        name,
        " is not a kvstore store (bad magic number); destroy it only if "
        "nothing else uses that shared-memory object"));
  }
  if (h.format_version != kFormatVersion || h.lock_version != kLockVersion) {
    if (h.format_version == 2 && h.lock_version <= kLockVersion) {
      return absl::FailedPreconditionError(absl::StrFormat(
          "store %s has format version 2; this build reads format %d. Stop "
          "the processes of the older build, then run 'kvstore --store=%s "
          "upgrade' (kvstore::UpgradeStore), which keeps every entry",
          name, kFormatVersion, name));
    }
    const bool newer =
        h.format_version > kFormatVersion || h.lock_version > kLockVersion;
    return absl::FailedPreconditionError(absl::StrFormat(
        "store %s has format version %d, lock version %d; this build "
        "supports format %d, lock %d%s",
        name, h.format_version, h.lock_version, kFormatVersion, kLockVersion,
        newer ? " (it was made by a newer build: use that build, or move "
                "its entries here with that build's 'kvstore dump' and this "
                "one's 'kvstore restore')"
              : " (it was made by an older build that this one cannot "
                "upgrade from: move its entries with that build's 'kvstore "
                "dump', if it has one, and this one's 'kvstore restore', or "
                "destroy it)"));
  }
  if (h.abi_tag != AbiTag()) {
    return absl::FailedPreconditionError(absl::StrFormat(
        "store %s was made by a build with another binary interface "
        "(abi tag %#x, this build %#x)",
        name, h.abi_tag, AbiTag()));
  }
  if (h.checksum != HeaderChecksum(h)) {
    return absl::DataLossError(
        absl::StrCat("store ", name, " has a damaged header (checksum)"));
  }
  if (h.kind != kKindTagged && h.kind != kKindTyped) {
    return absl::DataLossError(
        absl::StrCat("store ", name, " has an unknown kind ", h.kind));
  }
  if (expected_kind != kKindAny && h.kind != expected_kind) {
    return absl::FailedPreconditionError(absl::StrCat(
        "store ", name, " is a ",
        h.kind == kKindTyped ? "typed store (fixed key and value records)"
                             : "tagged store (values carry their type)",
        "; open it as a ",
        h.kind == kKindTyped ? "TypedMap with its schema (or 'kvstore "
                               "schema' to see it)"
                             : "kvstore::Store"));
  }
  if (h.schema_bytes > kMaxSchemaBytes ||
      (h.kind == kKindTyped) != (h.schema_bytes > 0) ||
      h.schema_fingerprint != Hash64(h.schema, h.schema_bytes, 0)) {
    return absl::DataLossError(
        absl::StrCat("store ", name, " has a damaged schema"));
  }
  absl::StatusOr<Geometry> g = ComputeGeometry(
      h.kind, h.capacity, h.max_key_bytes, h.max_value_bytes, h.data_bytes);
  if (!g.ok()) {
    return absl::DataLossError(absl::StrCat(
        "store ", name, " has impossible limits: ", g.status().message()));
  }
  if (h.header_bytes != kHeaderBytes || h.slot_count != g->slot_count ||
      h.slot_bytes != g->slot_bytes || h.table_offset != g->table_offset ||
      h.journal_offset != g->journal_offset ||
      h.counters_offset != g->counters_offset ||
      h.segment_bytes != g->segment_bytes || h.data_bytes != g->data_bytes) {
    return absl::DataLossError(absl::StrCat(
        "store ", name, " has a header whose sizes do not match its limits"));
  }
  if (file_size != h.segment_bytes) {
    return absl::DataLossError(absl::StrFormat(
        "store %s is %d bytes but its header says %d (truncated or resized "
        "by another program)",
        name, file_size, h.segment_bytes));
  }
  if (h.eviction != kEvictNone && h.eviction != kEvictClock) {
    return absl::DataLossError(absl::StrCat(
        "store ", name, " has an unknown eviction policy ", h.eviction));
  }
  g->hash_seed = h.hash_seed;
  g->eviction = h.eviction;
  g->kind = h.kind;
  g->schema.assign(reinterpret_cast<const char*>(h.schema), h.schema_bytes);
  return g;
}

// For an object smaller than a header: an error if its first bytes already
// tell it will never become a store (a truncated store, another program's
// object, a creator that died); OK to keep waiting for a creator at work.
absl::Status DiagnoseShortObject(int fd, const std::string& name, off_t size) {
  absl::StatusOr<ObjectInfo> info = ProbeObject(fd, name);
  if (!info.ok()) return info.status();
  switch (info->kind) {
    case ObjectKind::kStore:
      return absl::DataLossError(absl::StrFormat(
          "store %s is damaged: %d bytes, too small for its %d-byte header "
          "(truncated by another program); destroy it",
          name, size, kHeaderBytes));
    case ObjectKind::kForeign:
      return absl::FailedPreconditionError(absl::StrCat(
          name,
          " is not a kvstore store (bad magic number); destroy it only if "
          "nothing else uses that shared-memory object"));
    case ObjectKind::kHalfCreated:
      if (!info->creator_gone) return absl::OkStatus();
      return absl::DataLossError(absl::StrCat(
          "store ", name, " was left half-created by process ",
          info->creator_pid,
          ", which died; create it again ('kvstore create' replaces it)"));
    case ObjectKind::kEmpty:
      return absl::OkStatus();
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateName(absl::string_view name) {
  auto bad = [&](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat(
        "bad store name '", name, "': ", why,
        " (a store name is '/' followed by 1 to 254 of A-Z a-z 0-9 . _ -)"));
  };
  if (name.empty() || name[0] != '/') return bad("must start with '/'");
  if (name.size() < 2) return bad("empty after '/'");
  if (name.size() > 255) return bad("longer than 255 bytes");
  if (name == "/." || name == "/..") return bad("not a file name");
  for (char c : name.substr(1)) {
    if (c == '/') return bad("contains a second '/'");
    if (!PortableChar(c)) return bad("contains a character outside the set");
  }
  return absl::OkStatus();
}

absl::StatusOr<Geometry> ComputeGeometry(uint32_t kind, uint64_t capacity,
                                         uint32_t max_key_bytes,
                                         uint32_t max_value_bytes,
                                         uint64_t memory) {
  if (capacity < 1 || capacity > kMaxCapacity) {
    return absl::InvalidArgumentError(absl::StrCat(
        "capacity ", capacity, " is out of range (1 to ", kMaxCapacity, ")"));
  }
  const bool tagged = kind == kKindTagged;
  const uint32_t max_key = tagged ? kMaxTaggedKeyBytes : kMaxKeyLen;
  const uint32_t min_value = tagged ? kMinTaggedValueBytes : kMinValueBytes;
  const uint32_t max_value = tagged ? kMaxTaggedValueBytes : kMaxValueLen;
  if (max_key_bytes < 1 || max_key_bytes > max_key) {
    return absl::InvalidArgumentError(
        absl::StrCat("max key bytes ", max_key_bytes, " is out of range (1 to ",
                     max_key, ")"));
  }
  if (max_value_bytes < min_value || max_value_bytes > max_value) {
    return absl::InvalidArgumentError(
        absl::StrCat("max value bytes ", max_value_bytes, " is out of range (",
                     min_value, " to ", max_value, ")"));
  }
  if ((memory != 0 && memory < 32) || memory > kMaxDataBytes ||
      (!tagged && memory != 0)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "memory ", memory, " is out of range (0 for none, or 32 to ",
        kMaxDataBytes,
        tagged ? ")" : "; typed stores keep every record in its slot)"));
  }
  Geometry g;
  g.kind = kind;
  g.capacity = capacity;
  g.max_key_bytes = max_key_bytes;
  g.max_value_bytes = max_value_bytes;
  // Load factor at most 3/4 keeps linear-probe chains short.
  g.slot_count = capacity + (capacity + 2) / 3;
  // A typed store's records always fit their slot; a tagged store's slot
  // holds small entries, and the data area the rest.
  g.inline_bytes = tagged ? kTaggedInlineBytes
                          : static_cast<uint32_t>(RoundUp(
                                uint64_t{max_key_bytes} + max_value_bytes, 8));
  g.slot_bytes = kSlotHeaderBytes + g.inline_bytes;
  g.journal_offset = kHeaderBytes;
  g.counters_offset =
      RoundUp(g.journal_offset + g.slot_bytes, kCounterShardBytes);
  g.table_offset = g.counters_offset + kCounterShards * kCounterShardBytes;
  // At most 2^31 * 4/3 slots of under 2^24 + 2^12 + 16 bytes: < 2^58.
  uint64_t end = g.table_offset + g.slot_count * g.slot_bytes;
  g.data_bytes = RoundUp(memory, 16);
  if (g.data_bytes != 0) {
    g.arena_offset = RoundUp(end, kArenaHeaderBytes);
    g.data_offset = g.arena_offset + kArenaHeaderBytes;
    end = g.data_offset + g.data_bytes;
  }
  g.segment_bytes = RoundUp(end, static_cast<uint64_t>(sysconf(_SC_PAGESIZE)));
  return g;
}

uint64_t HeaderChecksum(const Header& header) {
  const uint64_t fixed = Hash64(&header, offsetof(Header, checksum), 0);
  return Hash64(&header.schema_bytes,
                kHeaderBytes - offsetof(Header, schema_bytes), fixed);
}

Segment::Segment(std::string name, int fd, uint8_t* base, size_t mapped,
                 Geometry geometry)
    : name_(std::move(name)),
      fd_(fd),
      base_(base),
      mapped_(mapped),
      geometry_(geometry) {}

Segment::~Segment() {
  munmap(base_, mapped_);
  close(fd_);
}

absl::StatusOr<struct stat> Segment::Stat() const {
  struct stat st;
  if (fstat(fd_, &st) != 0) return ErrnoStatus(errno, "stat store " + name_);
  return st;
}

absl::StatusOr<std::unique_ptr<Segment>> Segment::Create(
    const std::string& name, const Options& options, const StoreKind& kind) {
  if (kind.kind != kKindTagged && kind.kind != kKindTyped) {
    return absl::InvalidArgumentError("a store is created tagged or typed");
  }
  absl::StatusOr<Geometry> g = ComputeGeometry(
      kind.kind, options.capacity, options.max_key_bytes,
      options.max_value_bytes, kind.kind == kKindTagged ? options.memory : 0);
  if (!g.ok()) return g.status();
  if (kind.schema.size() > kMaxSchemaBytes ||
      (kind.kind == kKindTyped) != !kind.schema.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("schema of ", kind.schema.size(),
                     " bytes does not fit (at most ", kMaxSchemaBytes, ")"));
  }
  if (options.eviction != Eviction::kNone &&
      options.eviction != Eviction::kClock) {
    return absl::InvalidArgumentError("unknown eviction policy");
  }
  if ((options.mode & ~mode_t{0777}) != 0 || (options.mode & 0600) != 0600) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "mode %04o is invalid: it must be within 0777 and give the owner "
        "read and write (0600)",
        options.mode));
  }
  int fd = shm_open(name.c_str(), O_RDWR | O_CREAT | O_EXCL, options.mode);
  if (fd < 0 && errno == EEXIST) {
    // A store whose creator died before finishing it is replaced
    // (segment_probe.h says how this stays safe against racing creators).
    absl::StatusOr<bool> freed = RemoveAbandonedSegment(name);
    if (freed.ok() && *freed) {
      fd = shm_open(name.c_str(), O_RDWR | O_CREAT | O_EXCL, options.mode);
    } else {
      errno = EEXIST;
    }
  }
  if (fd < 0) return ErrnoStatus(errno, "create store " + name);
  auto fail = [&](absl::Status status) {
    shm_unlink(name.c_str());
    close(fd);
    return status;
  };
  if (fchmod(fd, options.mode) != 0) {
    return fail(ErrnoStatus(errno, "set mode of store " + name));
  }
  // The creator's pid goes first, before the long sizing, so that an opener
  // (and a later create) can tell a creator that died from one at work.
  const int32_t creator = getpid();
  if (pwrite(fd, &creator, sizeof(creator), offsetof(Header, creator_pid)) !=
      static_cast<ssize_t>(sizeof(creator))) {
    return fail(ErrnoStatus(errno, "write store " + name));
  }
  if (ftruncate(fd, static_cast<off_t>(g->segment_bytes)) != 0) {
    return fail(ErrnoStatus(errno, "size store " + name));
  }
  // Reserve every page now so a full /dev/shm fails here, not as SIGBUS.
  // One call refuses a size over the filesystem's before touching a page.
  // To report progress it runs in steps instead, which would each pass
  // that check and fill /dev/shm: then the free space is checked first.
  const bool in_steps = static_cast<bool>(options.creation_progress);
  const uint64_t kStep = in_steps ? uint64_t{64} << 20 : g->segment_bytes;
  int rc = 0;
  struct statvfs vfs;
  if (in_steps && statvfs("/dev/shm", &vfs) == 0 &&
      uint64_t{vfs.f_bavail} * vfs.f_frsize < g->segment_bytes) {
    rc = ENOSPC;
  }
  for (uint64_t done = 0; rc == 0 && done < g->segment_bytes;) {
    const uint64_t step = std::min(kStep, g->segment_bytes - done);
    rc =
        posix_fallocate(fd, static_cast<off_t>(done), static_cast<off_t>(step));
    done += step;
    if (rc == 0 && options.creation_progress) {
      options.creation_progress(done, g->segment_bytes);
    }
  }
  if (rc != 0) {
    if (rc == ENOSPC) {
      return fail(absl::ResourceExhaustedError(
          absl::StrCat("create store ", name, ": no space in /dev/shm (",
                       FreeSpaceHint(g->segment_bytes), ")")));
    }
    return fail(ErrnoStatus(rc, "reserve space for store " + name));
  }
  void* p = mmap(nullptr, g->segment_bytes, PROT_READ | PROT_WRITE, MAP_SHARED,
                 fd, 0);
  if (p == MAP_FAILED) return fail(ErrnoStatus(errno, "map store " + name));
  auto* h = static_cast<Header*>(p);
  h->creator_pid = getpid();
  h->magic = kMagic;
  h->format_version = kFormatVersion;
  h->lock_version = kLockVersion;
  h->abi_tag = AbiTag();
  h->header_bytes = kHeaderBytes;
  h->segment_bytes = g->segment_bytes;
  h->capacity = g->capacity;
  h->slot_count = g->slot_count;
  h->max_key_bytes = g->max_key_bytes;
  h->max_value_bytes = g->max_value_bytes;
  h->slot_bytes = g->slot_bytes;
  h->data_bytes = g->data_bytes;
  h->kind = g->kind = kind.kind;
  h->schema_bytes = static_cast<uint32_t>(kind.schema.size());
  std::memcpy(h->schema, kind.schema.data(), kind.schema.size());
  h->schema_fingerprint = Hash64(h->schema, h->schema_bytes, 0);
  g->schema = kind.schema;
  h->table_offset = g->table_offset;
  h->journal_offset = g->journal_offset;
  h->counters_offset = g->counters_offset;
  h->eviction = g->eviction = static_cast<uint32_t>(options.eviction);
  h->hash_seed = g->hash_seed = RandomSeed();
  h->created_unix_ns = absl::GetCurrentTimeNanos();
  // Versions start at a random point below 2^47, so that a version read
  // from a store since replaced under the same name (restore --replace,
  // destroy and create) matches no entry of the new one but by a 2^-47
  // chance, and the 2^48 wrap stays 2^47 writes away.
  h->version_counter.store(RandomSeed() & (kVersionMask >> 1),
                           std::memory_order_relaxed);
  if (g->data_bytes != 0) {
    Arena(reinterpret_cast<ArenaHeader*>(static_cast<uint8_t*>(p) +
                                         g->arena_offset),
          static_cast<uint8_t*>(p) + g->data_offset, g->data_bytes)
        .Init();
  }
  absl::Status init = InitRobustMutex(&h->mutex);
  if (!init.ok()) {
    munmap(p, g->segment_bytes);
    return fail(init);
  }
  h->checksum = HeaderChecksum(*h);
  KVSTORE_FAULT_POINT("create.before_ready");
  h->init_state.store(kReady, std::memory_order_release);
  return std::unique_ptr<Segment>(
      new Segment(name, fd, static_cast<uint8_t*>(p), g->segment_bytes, *g));
}

absl::StatusOr<std::unique_ptr<Segment>> Segment::Open(const std::string& name,
                                                       const Options& options,
                                                       uint32_t expected_kind) {
  // A read-only handle needs only read permission, and its PROT_READ
  // mapping makes any write to the store fault instead of land.
  const bool read_only = options.read_only;
  int fd = shm_open(name.c_str(), read_only ? O_RDONLY : O_RDWR, 0);
  if (fd < 0) {
    const int err = errno;
    absl::Status status = ErrnoStatus(err, "open store " + name);
    if (err == EACCES && !read_only &&
        faccessat(AT_FDCWD, ShmPath(name).c_str(), R_OK, AT_EACCESS) == 0) {
      return absl::PermissionDeniedError(
          absl::StrCat(status.message(),
                       " (this user may only read it: open it read-only, "
                       "Options::read_only or 'kvstore --read-only')"));
    }
    return status;
  }
  auto fail = [&](absl::Status status) {
    close(fd);
    return status;
  };
  const absl::Time deadline = absl::Now() + options.creation_wait;
  // A creator sizes the object and then publishes the ready marker; wait
  // (bounded) for both rather than read a half-written header.
  struct stat st;
  for (;;) {
    if (fstat(fd, &st) != 0) return fail(ErrnoStatus(errno, "stat " + name));
    if (static_cast<uint64_t>(st.st_size) >= kHeaderBytes) break;
    absl::Status short_object = DiagnoseShortObject(fd, name, st.st_size);
    if (!short_object.ok()) return fail(short_object);
    if (absl::Now() >= deadline) {
      return fail(absl::UnavailableError(absl::StrCat(
          "store ", name,
          " is empty: it is being created, or its creator "
          "died before sizing it; retry, or destroy it if nothing is "
          "creating it")));
    }
    absl::SleepFor(absl::Milliseconds(1));
  }
  size_t size = static_cast<size_t>(st.st_size);
  void* p = mmap(nullptr, size, read_only ? PROT_READ : PROT_READ | PROT_WRITE,
                 MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) return fail(ErrnoStatus(errno, "map store " + name));
  auto* h = static_cast<Header*>(p);
  auto unmap_fail = [&](absl::Status status) {
    munmap(p, size);
    return fail(status);
  };
  while (h->init_state.load(std::memory_order_acquire) != kReady) {
    // A creator writes the magic early; anything else there means the
    // object is not a store at all, and waiting would not help.
    const uint64_t magic =
        reinterpret_cast<std::atomic<uint64_t>*>(&h->magic)->load(
            std::memory_order_relaxed);
    if (magic == __builtin_bswap64(kMagic)) {
      return unmap_fail(absl::FailedPreconditionError(
          absl::StrCat("store ", name,
                       " was written on a machine of the other byte order")));
    }
    if (magic != 0 && magic != kMagic) {
      return unmap_fail(absl::FailedPreconditionError(absl::StrCat(
          name,
          " is not a kvstore store (bad magic number); destroy it only "
          "if nothing else uses that shared-memory object")));
    }
    pid_t creator = h->creator_pid;
    if (creator > 0 && ProcessIsGone(creator)) {
      return unmap_fail(absl::DataLossError(absl::StrCat(
          "store ", name, " was left half-created by process ", creator,
          ", which died; create it again ('kvstore create' replaces it)")));
    }
    if (absl::Now() >= deadline) {
      return unmap_fail(absl::UnavailableError(
          absl::StrCat("store ", name, " is still being created (waited ",
                       absl::FormatDuration(options.creation_wait),
                       "); retry, or destroy it if its creator died")));
    }
    absl::SleepFor(absl::Milliseconds(1));
  }
  absl::StatusOr<Geometry> g = ValidateHeader(
      name, *h, static_cast<uint64_t>(st.st_size), expected_kind);
  if (!g.ok()) return unmap_fail(g.status());
  return std::unique_ptr<Segment>(
      new Segment(name, fd, static_cast<uint8_t*>(p), size, *g));
}

absl::Status DestroySegment(const std::string& name) {
  if (shm_unlink(name.c_str()) != 0) {
    return ErrnoStatus(errno, "destroy store " + name);
  }
  return absl::OkStatus();
}

}  // namespace internal
}  // namespace kvstore
