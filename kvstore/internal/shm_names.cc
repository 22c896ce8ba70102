#include "kvstore/internal/shm_names.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "kvstore/internal/errors.h"
#include "kvstore/internal/process.h"

namespace kvstore {
namespace internal {
namespace {

constexpr char kTempPrefix[] = ".kvstore-tmp-";

}  // namespace

std::string ShmPath(absl::string_view name) {
  return absl::StrCat("/dev/shm", name);
}

std::string TemporaryName() {
  static std::atomic<uint64_t> counter{0};
  return absl::StrCat("/", kTempPrefix, getpid(), "-", counter.fetch_add(1));
}

void RemoveStaleTemporaries() {
  DIR* dir = opendir("/dev/shm");
  if (dir == nullptr) return;
  while (struct dirent* e = readdir(dir)) {
    absl::string_view file(e->d_name);
    if (!absl::ConsumePrefix(&file, kTempPrefix)) continue;
    int pid = 0;
    if (!absl::SimpleAtoi(file.substr(0, file.find('-')), &pid)) continue;
    if (ProcessIsGone(pid)) shm_unlink(absl::StrCat("/", e->d_name).c_str());
  }
  closedir(dir);
}

absl::Status InstallTemporary(const std::string& temp, absl::string_view name,
                              bool replace) {
  if (renameat2(AT_FDCWD, ShmPath(temp).c_str(), AT_FDCWD,
                ShmPath(name).c_str(), replace ? 0 : RENAME_NOREPLACE) != 0) {
    return ErrnoStatus(errno, absl::StrCat("give store ", name, " its name"));
  }
  return absl::OkStatus();
}

}  // namespace internal
}  // namespace kvstore
