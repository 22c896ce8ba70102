#include "kvstore/internal/fault_injection.h"

#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <string>

namespace kvstore {
namespace internal {

void FaultPoint(const char* name) {
  static const char* const spec = getenv("KVSTORE_CRASH_AT");
  static std::atomic<long> hits{0};
  if (spec == nullptr) return;
  size_t len = strlen(name);
  if (strncmp(spec, name, len) != 0) return;
  long target = 1;
  if (spec[len] == ':') {
    target = strtol(spec + len + 1, nullptr, 10);
  } else if (spec[len] != '\0') {
    return;
  }
  if (hits.fetch_add(1) + 1 != target) return;
  // KVSTORE_CRASH_SIGNAL=STOP freezes the process instead, so that a test
  // can start other processes while it holds the lock and then kill it.
  static const char* const how = getenv("KVSTORE_CRASH_SIGNAL");
  kill(getpid(),
       how != nullptr && strcmp(how, "STOP") == 0 ? SIGSTOP : SIGKILL);
}

}  // namespace internal
}  // namespace kvstore
