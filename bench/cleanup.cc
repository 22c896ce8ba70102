#include "bench/cleanup.h"

#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <initializer_list>

namespace kvstore_bench {
namespace {

enum Kind : int { kFree = 0, kChild, kFile, kDir, kShm };

struct Item {
  std::atomic<int> kind{kFree};
  pid_t pid = 0;
  char path[256] = {};
};

constexpr int kMaxItems = 64;
Item g_items[kMaxItems];
pid_t g_owner = 0;

int Register(Kind kind, pid_t pid, const char* path) {
  for (int i = 0; i < kMaxItems; ++i) {
    Item& item = g_items[i];
    if (item.kind.load() != kFree) continue;
    item.pid = pid;
    if (path != nullptr) {
      std::strncpy(item.path, path, sizeof(item.path) - 1);
      item.path[sizeof(item.path) - 1] = '\0';
    }
    item.kind.store(kind);  // Publish only once the item is filled.
    return i;
  }
  return -1;
}

void CleanKind(Kind kind) {
  for (Item& item : g_items) {
    if (item.kind.load() != kind) continue;
    switch (kind) {
      case kChild:
        kill(item.pid, SIGTERM);
        waitpid(item.pid, nullptr, 0);
        break;
      case kFile:
        unlink(item.path);
        break;
      case kDir:
        rmdir(item.path);
        break;
      case kShm:
        shm_unlink(item.path);
        break;
      case kFree:
        break;
    }
    item.kind.store(kFree);
  }
}

void OnSignal(int sig) {
  if (getpid() == g_owner) RunCleanup();
  _exit(128 + sig);
}

}  // namespace

void InstallCleanupHandlers() {
  g_owner = getpid();
  struct sigaction sa;
  std::memset(&sa, 0, sizeof(sa));
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&sa.sa_mask, sig);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaction(sig, &sa, nullptr);
  std::atexit(RunCleanup);
}

int RegisterChild(pid_t pid) { return Register(kChild, pid, nullptr); }
int RegisterFile(const char* path) { return Register(kFile, 0, path); }
int RegisterDir(const char* path) { return Register(kDir, 0, path); }
int RegisterShm(const char* name) { return Register(kShm, 0, name); }

void Unregister(int handle) {
  if (handle >= 0 && handle < kMaxItems) g_items[handle].kind.store(kFree);
}

void RunCleanup() {
  if (getpid() != g_owner) return;
  CleanKind(kChild);
  CleanKind(kFile);
  CleanKind(kDir);
  CleanKind(kShm);
}

}  // namespace kvstore_bench
