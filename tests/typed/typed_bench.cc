// Get and set of a small record (16 bytes) through TypedMap, beside the
// tagged API storing the same bytes (kBytes) and a lone int64.
//   ./bazelw run //tests/typed:typed_bench
#include <unistd.h>

#include <cstdint>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "kvstore/store.h"
#include "kvstore/typed_map.h"

namespace {

struct Counter {
  uint64_t hits;
  int64_t last_ns;
};
KVSTORE_FIELDS(Counter, hits, last_ns);

constexpr uint64_t kKeys = 1024;

kvstore::Options BenchOptions() {
  kvstore::Options o;
  o.create_if_missing = true;
  o.capacity = 2 * kKeys;
  o.max_key_bytes = 8;
  o.max_value_bytes = 16;
  return o;
}

std::string StoreName(const char* tag) {
  return absl::StrCat("/kvbench_typed_", tag, "_", getpid());
}

std::string KeyBytes(uint64_t k) {
  return std::string(reinterpret_cast<const char*>(&k), sizeof(k));
}

class TypedFixture {
 public:
  TypedFixture() : name_(StoreName("typed")) {
    map_ = *kvstore::TypedMap<uint64_t, Counter>::Open(name_, BenchOptions());
    for (uint64_t k = 0; k < kKeys; ++k) (void)map_->Set(k, Counter{k, 0});
  }
  ~TypedFixture() { (void)kvstore::Store::Destroy(name_); }
  kvstore::TypedMap<uint64_t, Counter>& map() { return *map_; }

 private:
  std::string name_;
  std::unique_ptr<kvstore::TypedMap<uint64_t, Counter>> map_;
};

class TaggedFixture {
 public:
  TaggedFixture() : name_(StoreName("tagged")) {
    store_ = *kvstore::Store::Open(name_, BenchOptions());
    for (uint64_t k = 0; k < kKeys; ++k) {
      Counter c{k, 0};
      (void)store_->Set(KeyBytes(k),
                        kvstore::Value::Bytes(absl::string_view(
                            reinterpret_cast<const char*>(&c), sizeof(c))));
    }
  }
  ~TaggedFixture() { (void)kvstore::Store::Destroy(name_); }
  kvstore::Store& store() { return *store_; }

 private:
  std::string name_;
  std::unique_ptr<kvstore::Store> store_;
};

void BM_TypedGet(benchmark::State& state) {
  TypedFixture f;
  uint64_t k = 0;
  Counter c;
  for (auto _ : state) {
    benchmark::DoNotOptimize(f.map().Get(k++ % kKeys, &c));
  }
}
BENCHMARK(BM_TypedGet);

void BM_TypedSet(benchmark::State& state) {
  TypedFixture f;
  uint64_t k = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(f.map().Set(k % kKeys, Counter{k, 1}));
    ++k;
  }
}
BENCHMARK(BM_TypedSet);

void BM_TypedAddToField(benchmark::State& state) {
  TypedFixture f;
  uint64_t k = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        f.map().AddToField(k++ % kKeys, &Counter::hits, 1));
  }
}
BENCHMARK(BM_TypedAddToField);

void BM_TaggedGetBytes(benchmark::State& state) {
  TaggedFixture f;
  std::string keys[kKeys];
  for (uint64_t k = 0; k < kKeys; ++k) keys[k] = KeyBytes(k);
  kvstore::Value v;
  uint64_t k = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(f.store().Get(keys[k++ % kKeys], &v));
  }
}
BENCHMARK(BM_TaggedGetBytes);

void BM_TaggedSetBytes(benchmark::State& state) {
  TaggedFixture f;
  std::string keys[kKeys];
  for (uint64_t k = 0; k < kKeys; ++k) keys[k] = KeyBytes(k);
  uint64_t k = 0;
  for (auto _ : state) {
    Counter c{k, 1};
    benchmark::DoNotOptimize(f.store().Set(
        keys[k % kKeys], kvstore::Value::Bytes(absl::string_view(
                             reinterpret_cast<const char*>(&c), sizeof(c)))));
    ++k;
  }
}
BENCHMARK(BM_TaggedSetBytes);

void BM_TaggedIncrement(benchmark::State& state) {
  TaggedFixture f;
  std::string keys[kKeys];
  for (uint64_t k = 0; k < kKeys; ++k) {
    keys[k] = KeyBytes(k + kKeys);  // Fresh int64 entries.
  }
  uint64_t k = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(f.store().Increment(keys[k++ % kKeys], 1));
  }
}
BENCHMARK(BM_TaggedIncrement);

}  // namespace
