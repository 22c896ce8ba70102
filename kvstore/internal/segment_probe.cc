#include "kvstore/internal/segment_probe.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstddef>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "kvstore/internal/errors.h"
#include "kvstore/internal/layout.h"
#include "kvstore/internal/process.h"

namespace kvstore {
namespace internal {
namespace {

// The header bytes a probe reads: the immutable part and the ready marker.
constexpr size_t kProbeBytes = offsetof(Header, init_state) + sizeof(uint32_t);

template <typename T>
T Load(const unsigned char* bytes, size_t offset) {
  T v;
  std::memcpy(&v, bytes + offset, sizeof(v));
  return v;
}

bool AllZero(const unsigned char* bytes, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    if (bytes[i] != 0) return false;
  }
  return true;
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

absl::StatusOr<ObjectInfo> ProbeObject(int fd, const std::string& name) {
  struct stat st;
  if (fstat(fd, &st) != 0) return ErrnoStatus(errno, "stat " + name);
  ObjectInfo info;
  info.bytes = static_cast<uint64_t>(st.st_size);
  unsigned char bytes[kProbeBytes] = {};
  const ssize_t got = pread(fd, bytes, sizeof(bytes), 0);
  if (got < 0) return ErrnoStatus(errno, "read " + name);
  const size_t n = static_cast<size_t>(got);
  if (n == 0) {
    info.kind = ObjectKind::kEmpty;
    return info;
  }
  const uint64_t magic = n >= 8 ? Load<uint64_t>(bytes, 0) : 0;
  const size_t pid_end = offsetof(Header, creator_pid) + sizeof(int32_t);
  if (n >= pid_end) {
    info.creator_pid = Load<int32_t>(bytes, offsetof(Header, creator_pid));
  }
  if (magic == kMagic || magic == __builtin_bswap64(kMagic)) {
    // A creator writes the magic only once the object has its full size:
    // a shorter one is a store truncated since, not one being created.
    const bool ready =
        info.bytes < kHeaderBytes ||
        Load<uint32_t>(bytes, offsetof(Header, init_state)) == kReady;
    info.kind = ready ? ObjectKind::kStore : ObjectKind::kHalfCreated;
    info.typed = n >= offsetof(Header, kind) + sizeof(uint32_t) &&
                 Load<uint32_t>(bytes, offsetof(Header, kind)) == kKindTyped;
  } else if (magic == 0 && info.creator_pid > 0 &&
             AllZero(bytes, offsetof(Header, creator_pid))) {
    // A creator writes its pid before anything else (Segment::Create).
    info.kind = ObjectKind::kHalfCreated;
  } else {
    info.kind = AllZero(bytes, n) ? ObjectKind::kEmpty : ObjectKind::kForeign;
    info.creator_pid = 0;
  }
  if (info.kind == ObjectKind::kHalfCreated && info.creator_pid > 0) {
    info.creator_gone = ProcessIsGone(info.creator_pid);
  }
  return info;
}

absl::StatusOr<ObjectInfo> ProbeObject(const std::string& name) {
  Fd fd(shm_open(name.c_str(), O_RDONLY, 0));
  if (fd.get() < 0) return ErrnoStatus(errno, "open " + name);
  return ProbeObject(fd.get(), name);
}

absl::StatusOr<bool> RemoveAbandonedSegment(const std::string& name) {
  Fd fd(shm_open(name.c_str(), O_RDONLY, 0));
  if (fd.get() < 0) {
    if (errno == ENOENT) return true;
    return ErrnoStatus(errno, "open " + name);
  }
  // Cleaners of one object take turns; each re-checks under the lock.
  while (flock(fd.get(), LOCK_EX) != 0) {
    if (errno != EINTR) return ErrnoStatus(errno, "lock " + name);
  }
  absl::StatusOr<ObjectInfo> info = ProbeObject(fd.get(), name);
  if (!info.ok()) return info.status();
  if (info->kind != ObjectKind::kHalfCreated || !info->creator_gone) {
    return false;
  }
  // The name may already be someone else's new store: unlink only the
  // object checked. (Linux: the object is the file /dev/shm/NAME.)
  struct stat by_fd, by_name;
  if (fstat(fd.get(), &by_fd) != 0) return ErrnoStatus(errno, "stat " + name);
  if (stat(absl::StrCat("/dev/shm", name).c_str(), &by_name) != 0) {
    return errno == ENOENT ? absl::StatusOr<bool>(true)
                           : ErrnoStatus(errno, "stat " + name);
  }
  if (by_fd.st_dev != by_name.st_dev || by_fd.st_ino != by_name.st_ino) {
    return true;
  }
  if (shm_unlink(name.c_str()) != 0 && errno != ENOENT) {
    return ErrnoStatus(errno, "remove half-created store " + name);
  }
  return true;
}

}  // namespace internal
}  // namespace kvstore
