// Micro-benchmarks of kvstore's own operations on small stores, and gets
// and sets of 64-byte against 1 KiB values at 1M keys (issue 12's "large
// values" target).
//
//   ./bazelw run //bench:store_bench
//   ./bazelw run //bench:store_bench -- --benchmark_filter=GetHit
//   ./bazelw run //bench:store_bench -- --benchmark_filter=Sized
//       --benchmark_repetitions=9 --benchmark_enable_random_interleaving=true
//       (one command line)
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bench/cleanup.h"
#include "bench/peer.h"
#include "kvstore/store.h"

namespace kvstore_bench {
namespace {

// A store of `keys` capacity holding keys [0, loaded) with values of
// `value_bytes`, removed when the fixture goes away (or by the cleanup
// handlers if the run is interrupted). Values that do not fit a slot get
// a data area of their blocks plus 5% (a set allocates the new block
// before it frees the old one); entries that fit get none (memory 0).
class BenchStore {
 public:
  BenchStore(uint64_t keys, uint64_t loaded, size_t value_bytes = kValueBytes) {
    static bool installed = false;
    if (!installed) InstallCleanupHandlers();
    installed = true;
    static int instances = 0;
    name_ = absl::StrCat("/kvstore-microbench-", getpid(), "-", ++instances);
    handle_ = RegisterShm(name_.c_str());
    kvstore::Options options;
    options.create_if_missing = true;
    options.error_if_exists = true;
    options.capacity = keys;
    options.max_key_bytes = 16;
    options.max_value_bytes = static_cast<uint32_t>(value_bytes);
    const uint64_t entry = kKeyBytes + value_bytes;  // Inline up to 80.
    options.memory =
        entry <= 80 ? 0 : keys * ((entry + 8 + 15) / 16 * 16) * 21 / 20;
    absl::StatusOr<std::unique_ptr<kvstore::Store>> store =
        kvstore::Store::Open(name_, options);
    if (!store.ok()) {
      error_ = store.status().ToString();
      return;
    }
    store_ = *std::move(store);
    const kvstore::Value value =
        kvstore::Value::String(std::string(value_bytes, 'v'));
    char buf[kKeyBytes];
    for (uint64_t k = 0; k < loaded && error_.empty(); ++k) {
      absl::Status s = store_->Set(FormatKey(k, buf), value);
      if (!s.ok()) error_ = s.ToString();
    }
  }
  ~BenchStore() {
    store_.reset();
    kvstore::Store::Destroy(name_).IgnoreError();
    Unregister(handle_);
  }

  kvstore::Store* get() { return store_.get(); }
  const std::string& name() const { return name_; }
  // Empty if the store is ready; else why not.
  const std::string& error() const { return error_; }

 private:
  std::string name_;
  int handle_ = -1;
  std::unique_ptr<kvstore::Store> store_;
  std::string error_;
};

// Full stores of `keys` keys with values of `value_bytes`, built once and
// kept until the process exits: a 1M-key store takes seconds to fill, and
// interleaved repetitions come back to it many times.
BenchStore* SharedStore(uint64_t keys, size_t value_bytes) {
  static auto* stores =
      new std::map<std::pair<uint64_t, size_t>, std::unique_ptr<BenchStore>>;
  static const bool destroy_at_exit = [] {
    std::atexit([] { stores->clear(); });
    return true;
  }();
  (void)destroy_at_exit;
  std::unique_ptr<BenchStore>& store = (*stores)[{keys, value_bytes}];
  if (store == nullptr) {
    store = std::make_unique<BenchStore>(keys, keys, value_bytes);
  }
  return store.get();
}

// `count` (a power of 2) random keys in [first, first + n), cycled through
// by the benchmarks.
std::vector<uint32_t> RandomKeys(uint64_t first, uint64_t n,
                                 size_t count = 4096) {
  std::mt19937_64 rng(1);
  std::uniform_int_distribution<uint64_t> d(first, first + n - 1);
  std::vector<uint32_t> keys(count);
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

// BM_GetHit and BM_GetMiss through a read-only handle (Options::read_only).
void BM_GetReadOnly(benchmark::State& state) {
  const uint64_t n = state.range(0);
  const bool hit = state.range(1) != 0;
  BenchStore store(n, n);
  if (!store.error().empty()) return state.SkipWithError(store.error().c_str());
  kvstore::Options read_only;
  read_only.read_only = true;
  absl::StatusOr<std::unique_ptr<kvstore::Store>> reader =
      kvstore::Store::Open(store.name(), read_only);
  if (!reader.ok())
    return state.SkipWithError(reader.status().ToString().c_str());
  const std::vector<uint32_t> keys = hit ? RandomKeys(0, n) : RandomKeys(n, n);
  kvstore::Value out;
  char buf[kKeyBytes];
  size_t i = 0;
  for (auto _ : state) {
    absl::Status s = (*reader)->Get(FormatKey(keys[i++ & 4095], buf), &out);
    if (s.ok() != hit) return state.SkipWithError(s.ToString().c_str());
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

constexpr size_t kSizedKeys = size_t{1} << 20;

// Get of a random key of a full store of range(0) keys whose values are
// range(1) bytes: 64 (inline in the slot) or 1024 (a block of the data
// area). Issue 12's target: 1 KiB within 1.5x of 64 bytes at 1M keys.
void BM_GetSized(benchmark::State& state) {
  const uint64_t n = state.range(0);
  BenchStore* store = SharedStore(n, state.range(1));
  if (!store->error().empty()) {
    return state.SkipWithError(store->error().c_str());
  }
  // Keys from the whole store, not a cached subset.
  const std::vector<uint32_t> keys = RandomKeys(0, n, kSizedKeys);
  kvstore::Value out;
  char buf[kKeyBytes];
  size_t i = 0;
  for (auto _ : state) {
    absl::Status s =
        store->get()->Get(FormatKey(keys[i++ & (kSizedKeys - 1)], buf), &out);
    if (!s.ok()) return state.SkipWithError(s.ToString().c_str());
  }
  state.SetBytesProcessed(state.iterations() * state.range(1));
}

// Overwrite of a random key of the same store with a value of the same
// size. Issue 12's target: 1 KiB within 2x of 64 bytes at 1M keys.
void BM_SetSized(benchmark::State& state) {
  const uint64_t n = state.range(0);
  BenchStore* store = SharedStore(n, state.range(1));
  if (!store->error().empty()) {
    return state.SkipWithError(store->error().c_str());
  }
  // Keys from the whole store, not a cached subset.
  const std::vector<uint32_t> keys = RandomKeys(0, n, kSizedKeys);
  const kvstore::Value value =
      kvstore::Value::String(std::string(state.range(1), 'w'));
  char buf[kKeyBytes];
  size_t i = 0;
  for (auto _ : state) {
    absl::Status s =
        store->get()->Set(FormatKey(keys[i++ & (kSizedKeys - 1)], buf), value);
    if (!s.ok()) return state.SkipWithError(s.ToString().c_str());
  }
  state.SetBytesProcessed(state.iterations() * state.range(1));
}

// A shared-memory region of `bytes` whose `records` records of
// `bytes / records` bytes form one random cycle (Sattolo's shuffle): the
// first 8 bytes of each hold the index of the next. Built once per size
// and kept; unlinked at once, so nothing is left behind whatever happens.
// Null if it cannot be made.
char* FloorRegion(uint64_t bytes, uint64_t records) {
  static auto* regions = new std::map<std::pair<uint64_t, uint64_t>, char*>;
  char*& base = (*regions)[{bytes, records}];
  if (base != nullptr) return base;
  const std::string name = absl::StrCat("/kvstore-microbench-floor-", getpid(),
                                        "-", bytes, "-", records);
  const int fd = shm_open(name.c_str(), O_RDWR | O_CREAT | O_EXCL, 0600);
  if (fd < 0) return nullptr;
  shm_unlink(name.c_str());
  void* p = MAP_FAILED;
  if (ftruncate(fd, bytes) == 0) {
    p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  }
  close(fd);
  if (p == MAP_FAILED) return nullptr;
  base = static_cast<char*>(p);
  const uint64_t stride = bytes / records;
  std::vector<uint32_t> next(records);
  for (size_t i = 0; i < records; ++i) next[i] = static_cast<uint32_t>(i);
  std::mt19937_64 rng(42);
  for (size_t i = records - 1; i > 0; --i) {
    std::swap(next[i],
              next[std::uniform_int_distribution<size_t>(0, i - 1)(rng)]);
  }
  for (size_t i = 0; i < records; ++i) {
    *reinterpret_cast<uint64_t*>(base + i * stride) = next[i];
  }
  return base;
}

// The memory floor of those stores: one dependent load per iteration
// around a random cycle of 64-byte lines in a shared-memory region the size
// of the segment of SharedStore(range(0), range(1)) (as //bench:compare's
// floor). A get of an inline value is about one such miss; a get of a
// value in the data area is two dependent ones (slot, then block).
void BM_FloorSized(benchmark::State& state) {
  BenchStore* store = SharedStore(state.range(0), state.range(1));
  if (!store->error().empty()) {
    return state.SkipWithError(store->error().c_str());
  }
  absl::StatusOr<kvstore::StoreStats> stats = store->get()->Stats();
  if (!stats.ok()) return state.SkipWithError("stats failed");
  const uint64_t bytes = stats->segment_bytes;
  char* base = FloorRegion(bytes, bytes / 64);
  if (base == nullptr) return state.SkipWithError("shared memory failed");
  uint64_t at = 0;
  for (auto _ : state) {
    at = *reinterpret_cast<volatile uint64_t*>(base + at * 64);
  }
  benchmark::DoNotOptimize(at);
}

// The floor of any layout that keeps each entry of BM_GetSized's stores
// in one place: range(0) * 4/3 records (the table's slot count) of a
// 16-byte header, the 14-byte key and a value of range(1) bytes, rounded
// up to 16, read (range(2) 0: the value copied out) or overwritten
// (range(2) 1: the value copied in) one random record after another. The
// next record's index is the record's first 8 bytes, so successive
// accesses do not overlap, as successive gets and sets barely do.
void BM_FloorRecordSized(benchmark::State& state) {
  const uint64_t n = state.range(0);
  const uint64_t value_bytes = state.range(1);
  const bool write = state.range(2) != 0;
  const uint64_t records = n + (n + 2) / 3;
  const uint64_t stride = (16 + kKeyBytes + value_bytes + 15) / 16 * 16;
  char* base = FloorRegion(records * stride, records);
  if (base == nullptr) return state.SkipWithError("shared memory failed");
  std::string buffer(value_bytes, 'r');
  uint64_t at = 0;
  for (auto _ : state) {
    char* record = base + at * stride;
    if (write) {
      at = *reinterpret_cast<volatile uint64_t*>(record);
      std::memcpy(record + 16 + kKeyBytes, buffer.data(), value_bytes);
    } else {
      std::memcpy(buffer.data(), record, value_bytes);
      benchmark::ClobberMemory();
      std::memcpy(&at, buffer.data(), sizeof(at));
    }
  }
  benchmark::DoNotOptimize(at);
}

BENCHMARK(BM_GetHit)->RangeMultiplier(8)->Range(1 << 10, 1 << 16);
BENCHMARK(BM_GetMiss)->RangeMultiplier(8)->Range(1 << 10, 1 << 16);
BENCHMARK(BM_GetReadOnly)->ArgsProduct({{1 << 12, 1 << 16}, {1, 0}});
BENCHMARK(BM_SetOverwrite)->RangeMultiplier(8)->Range(1 << 10, 1 << 16);
BENCHMARK(BM_SetErase)->RangeMultiplier(8)->Range(1 << 10, 1 << 16);
BENCHMARK(BM_Increment)->Arg(1000);
// 1M keys for the target; 4096 keys (in cache) for the CPU work alone.
BENCHMARK(BM_GetSized)
    ->Args({1000000, 64})
    ->Args({1000000, 1024})
    ->Args({4096, 64})
    ->Args({4096, 1024});
BENCHMARK(BM_SetSized)
    ->Args({1000000, 64})
    ->Args({1000000, 1024})
    ->Args({4096, 64})
    ->Args({4096, 1024});
BENCHMARK(BM_FloorSized)->Args({1000000, 64})->Args({1000000, 1024});
BENCHMARK(BM_FloorRecordSized)->ArgsProduct({{1000000}, {64, 1024}, {0, 1}});

}  // namespace
}  // namespace kvstore_bench
