// What one uncontended lock and unlock costs, for the locks the comparison
// involves: kvstore's robust process-shared pthread mutex (bare, and through
// the store's LockRobust), Boost's
// interprocess_mutex (the boost peer's lock, not robust) and the in-process
// reference's std::mutex. docs/benchmarks.md cites it to explain the
// increment row.
//
//   ./bazelw run //bench:lock_bench
#include <benchmark/benchmark.h>
#include <pthread.h>
#include <sys/mman.h>

#include <boost/interprocess/sync/interprocess_mutex.hpp>
#include <mutex>
#include <new>

#include "kvstore/internal/robust_mutex.h"

namespace kvstore_bench {
namespace {

// A page of anonymous shared memory, as a store's lock lives in one.
void* SharedPage() {
  void* p = mmap(nullptr, 4096, PROT_READ | PROT_WRITE,
                 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  return p == MAP_FAILED ? nullptr : p;
}

void BM_RobustPthreadMutex(benchmark::State& state) {
  auto* mu = static_cast<pthread_mutex_t*>(SharedPage());
  if (mu == nullptr) return state.SkipWithError("mmap failed");
  pthread_mutexattr_t attr;
  pthread_mutexattr_init(&attr);
  pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
  pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
  pthread_mutex_init(mu, &attr);
  pthread_mutexattr_destroy(&attr);
  for (auto _ : state) {
    pthread_mutex_lock(mu);
    benchmark::DoNotOptimize(mu);
    pthread_mutex_unlock(mu);
  }
  pthread_mutex_destroy(mu);
  munmap(mu, 4096);
}

// The store's own path: LockRobust (a no-wait clocklock first, 1 ms wait
// slices only when the lock is held) and UnlockRobust.
void BM_KvstoreLockRobust(benchmark::State& state) {
  auto* mu = static_cast<pthread_mutex_t*>(SharedPage());
  if (mu == nullptr) return state.SkipWithError("mmap failed");
  if (!kvstore::internal::InitRobustMutex(mu).ok()) {
    return state.SkipWithError("InitRobustMutex failed");
  }
  for (auto _ : state) {
    bool recovered = false;
    int64_t waited_ns = 0;
    absl::Status s = kvstore::internal::LockRobust(
        mu, -1, [] { return absl::OkStatus(); }, &recovered, &waited_ns);
    benchmark::DoNotOptimize(s);
    kvstore::internal::UnlockRobust(mu);
  }
  pthread_mutex_destroy(mu);
  munmap(mu, 4096);
}

void BM_BoostInterprocessMutex(benchmark::State& state) {
  void* page = SharedPage();
  if (page == nullptr) return state.SkipWithError("mmap failed");
  auto* mu = new (page) boost::interprocess::interprocess_mutex;
  for (auto _ : state) {
    mu->lock();
    benchmark::DoNotOptimize(mu);
    mu->unlock();
  }
  mu->~interprocess_mutex();
  munmap(page, 4096);
}

void BM_StdMutex(benchmark::State& state) {
  std::mutex mu;
  for (auto _ : state) {
    mu.lock();
    benchmark::DoNotOptimize(&mu);
    mu.unlock();
  }
}

BENCHMARK(BM_RobustPthreadMutex);
BENCHMARK(BM_KvstoreLockRobust);
BENCHMARK(BM_BoostInterprocessMutex);
BENCHMARK(BM_StdMutex);

}  // namespace
}  // namespace kvstore_bench
