// Micro-benchmarks of kvstore's own operations on small stores.
//
//   ./bazelw run //bench:store_bench
//   ./bazelw run //bench:store_bench -- --benchmark_filter=GetHit
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bench/peer.h"
#include "kvstore/store.h"

namespace kvstore_bench {
namespace {

// A store of `keys` capacity holding keys [0, loaded), removed when the
// fixture goes away.
class BenchStore {
 public:
  BenchStore(uint64_t keys, uint64_t loaded) {
    static int instances = 0;
    name_ = absl::StrCat("/kvstore-microbench-", getpid(), "-", ++instances);
    kvstore::Options options;
    options.create_if_missing = true;
    options.error_if_exists = true;
    options.capacity = keys;
    options.max_key_bytes = 16;
    options.max_value_bytes = kValueBytes;
    absl::StatusOr<std::unique_ptr<kvstore::Store>> store =
        kvstore::Store::Open(name_, options);
    if (!store.ok()) {
      error_ = store.status().ToString();
      return;
    }
    store_ = *std::move(store);
    const kvstore::Value value = kvstore::Value::String(BenchValue());
    char buf[kKeyBytes];
    for (uint64_t k = 0; k < loaded && error_.empty(); ++k) {
      absl::Status s = store_->Set(FormatKey(k, buf), value);
      if (!s.ok()) error_ = s.ToString();
    }
  }
  ~BenchStore() {
    store_.reset();
    kvstore::Store::Destroy(name_).IgnoreError();
  }

  kvstore::Store* get() { return store_.get(); }
  // Empty if the store is ready; else why not.
  const std::string& error() const { return error_; }

 private:
  std::string name_;
  std::unique_ptr<kvstore::Store> store_;
  std::string error_;
};

// Random keys in [first, first + n), cycled through by the benchmarks.
std::vector<uint32_t> RandomKeys(uint64_t first, uint64_t n) {
  std::mt19937_64 rng(1);
  std::uniform_int_distribution<uint64_t> d(first, first + n - 1);
  std::vector<uint32_t> keys(4096);
  for (uint32_t& k : keys) k = static_cast<uint32_t>(d(rng));
  return keys;
}

void BM_GetHit(benchmark::State& state) {
  const uint64_t n = state.range(0);
  BenchStore store(n, n);
  if (!store.error().empty()) return state.SkipWithError(store.error().c_str());
  const std::vector<uint32_t> keys = RandomKeys(0, n);
  kvstore::Value out;
  char buf[kKeyBytes];
  size_t i = 0;
  for (auto _ : state) {
    absl::Status s = store.get()->Get(FormatKey(keys[i++ & 4095], buf), &out);
    if (!s.ok()) return state.SkipWithError(s.ToString().c_str());
  }
}

void BM_GetMiss(benchmark::State& state) {
  const uint64_t n = state.range(0);
  BenchStore store(n, n);
  if (!store.error().empty()) return state.SkipWithError(store.error().c_str());
  const std::vector<uint32_t> keys = RandomKeys(n, n);  // Never stored.
  kvstore::Value out;
  char buf[kKeyBytes];
  size_t i = 0;
  for (auto _ : state) {
    absl::Status s = store.get()->Get(FormatKey(keys[i++ & 4095], buf), &out);
    if (!absl::IsNotFound(s)) return state.SkipWithError("expected NOT_FOUND");
  }
}

void BM_SetOverwrite(benchmark::State& state) {
  const uint64_t n = state.range(0);
  BenchStore store(n, n);
  if (!store.error().empty()) return state.SkipWithError(store.error().c_str());
  const std::vector<uint32_t> keys = RandomKeys(0, n);
  const kvstore::Value value = kvstore::Value::String(BenchValue());
  char buf[kKeyBytes];
  size_t i = 0;
  for (auto _ : state) {
    absl::Status s = store.get()->Set(FormatKey(keys[i++ & 4095], buf), value);
    if (!s.ok()) return state.SkipWithError(s.ToString().c_str());
  }
}

// Inserts a new key and erases it again, in a store kept half full.
void BM_SetErase(benchmark::State& state) {
  const uint64_t n = state.range(0);
  BenchStore store(n, n / 2);
  if (!store.error().empty()) return state.SkipWithError(store.error().c_str());
  const std::vector<uint32_t> keys = RandomKeys(n, n);
  const kvstore::Value value = kvstore::Value::String(BenchValue());
  char buf[kKeyBytes];
  size_t i = 0;
  for (auto _ : state) {
    const absl::string_view key = FormatKey(keys[i++ & 4095], buf);
    absl::Status s = store.get()->Set(key, value);
    if (s.ok()) s = store.get()->Erase(key);
    if (!s.ok()) return state.SkipWithError(s.ToString().c_str());
  }
}

void BM_Increment(benchmark::State& state) {
  const uint64_t n = state.range(0);
  BenchStore store(n, 0);
  if (!store.error().empty()) return state.SkipWithError(store.error().c_str());
  const std::vector<uint32_t> keys = RandomKeys(0, n);
  char buf[kKeyBytes];
  size_t i = 0;
  for (auto _ : state) {
    absl::StatusOr<int64_t> v =
        store.get()->Increment(FormatKey(keys[i++ & 4095], buf), 1);
    if (!v.ok()) return state.SkipWithError(v.status().ToString().c_str());
  }
}

BENCHMARK(BM_GetHit)->RangeMultiplier(8)->Range(1 << 10, 1 << 16);
BENCHMARK(BM_GetMiss)->RangeMultiplier(8)->Range(1 << 10, 1 << 16);
BENCHMARK(BM_SetOverwrite)->RangeMultiplier(8)->Range(1 << 10, 1 << 16);
BENCHMARK(BM_SetErase)->RangeMultiplier(8)->Range(1 << 10, 1 << 16);
BENCHMARK(BM_Increment)->Arg(1000);

}  // namespace
}  // namespace kvstore_bench
