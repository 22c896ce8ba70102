#include "tests/cli/test_store.h"

#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <random>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace kvstore {
namespace cli {

TestStore::TestStore() {
  // Bazel's sandbox gives every test its own PID namespace, so concurrent
  // tests share pids: a random per-process tag keeps their names apart.
  static const uint64_t tag = [] {
    std::random_device rd;
    return (uint64_t{rd()} << 32) ^ rd() ^
           static_cast<uint64_t>(absl::GetCurrentTimeNanos());
  }();
  static std::atomic<int> counter{0};
  name_ = absl::StrCat("/kvcli_test_", getpid(), "_", absl::Hex(tag), "_",
                       counter++);
}

TestStore::~TestStore() { shm_unlink(name_.c_str()); }

bool TestStore::Exists() const {
  struct stat st;
  return stat(path().c_str(), &st) == 0;
}

}  // namespace cli
}  // namespace kvstore
