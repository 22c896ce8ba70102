// Hit rate of a full store under a skewed (Zipf) workload: the cache-aside
// loop of a real user (get; on a miss, set), with CLOCK eviction, against
// two references computed on the same request stream: a store that keeps
// only the first keys it saw (what Eviction::kNone amounts to once full)
// and the offline optimum of a static cache holding the most requested
// keys. Prints one table; writes nothing.
//
//   ./bazelw run //bench:hit_rate [-- --keys=100000 --capacity=10000]
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "kvstore/store.h"

namespace {

// Zipf(s) over [0, n) by inverse transform on the precomputed CDF.
class Zipf {
 public:
  Zipf(uint64_t n, double s) : cdf_(n) {
    double sum = 0;
    for (uint64_t i = 0; i < n; ++i) cdf_[i] = sum += 1.0 / std::pow(i + 1, s);
    for (double& c : cdf_) c /= sum;
  }
  uint64_t operator()(std::mt19937_64& rng) {
    double u = std::uniform_real_distribution<double>(0, 1)(rng);
    return std::lower_bound(cdf_.begin(), cdf_.end(), u) - cdf_.begin();
  }

 private:
  std::vector<double> cdf_;
};

uint64_t Flag(int argc, char** argv, const char* name, uint64_t fallback) {
  std::string prefix = absl::StrCat("--", name, "=");
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    uint64_t v;
    if (a.rfind(prefix, 0) == 0 && absl::SimpleAtoi(a.substr(prefix.size()), &v)) {
      return v;
    }
  }
  return fallback;
}

}  // namespace

int main(int argc, char** argv) {
  const uint64_t keys = Flag(argc, argv, "keys", 100000);
  const uint64_t capacity = Flag(argc, argv, "capacity", keys / 10);
  const uint64_t requests = Flag(argc, argv, "requests", 20 * keys);
  const std::string name = absl::StrCat("/kvstore-hitrate-", getpid());
  printf("keys %llu, capacity %llu, %llu requests, keys drawn Zipf(s)\n\n",
         (unsigned long long)keys, (unsigned long long)capacity,
         (unsigned long long)requests);
  printf("| s | CLOCK hit rate | keep-first (none) | static optimum | evictions |\n");
  printf("|---|---:|---:|---:|---:|\n");
  for (double s : {0.8, 0.99, 1.2}) {
    Zipf zipf(keys, s);
    std::mt19937_64 rng(42);
    std::vector<uint64_t> stream(requests);
    for (uint64_t& k : stream) k = zipf(rng);

    kvstore::Store::Destroy(name).IgnoreError();
    kvstore::Options o;
    o.create_if_missing = true;
    o.error_if_exists = true;
    o.capacity = capacity;
    o.max_key_bytes = 16;
    o.max_value_bytes = 64;
    o.eviction = kvstore::Eviction::kClock;
    auto store = kvstore::Store::Open(name, o);
    if (!store.ok()) {
      fprintf(stderr, "hit_rate: %s\n", store.status().ToString().c_str());
      return 1;
    }
    const kvstore::Value value = kvstore::Value::String(std::string(64, 'v'));
    kvstore::Value out;
    uint64_t hits = 0;
    std::vector<char> kept(keys, 0);  // keep-first reference
    uint64_t kept_count = 0, kept_hits = 0;
    std::vector<uint64_t> freq(keys, 0);
    for (uint64_t k : stream) {
      const std::string key = absl::StrCat("key:", k);
      if ((*store)->Get(key, &out).ok()) {
        ++hits;
      } else if (!(*store)->Set(key, value).ok()) {
        fprintf(stderr, "hit_rate: set failed\n");
        return 1;
      }
      if (kept[k]) {
        ++kept_hits;
      } else if (kept_count < capacity) {
        kept[k] = 1;
        ++kept_count;
      }
      ++freq[k];
    }
    std::sort(freq.rbegin(), freq.rend());
    uint64_t optimum = 0;
    for (uint64_t i = 0; i < capacity && i < keys; ++i) optimum += freq[i];
    const uint64_t evictions = (*store)->Stats()->evictions;
    printf("| %.2f | %.1f%% | %.1f%% | %.1f%% | %llu |\n", s,
           100.0 * hits / requests, 100.0 * kept_hits / requests,
           100.0 * optimum / requests, (unsigned long long)evictions);
    store->reset();
    kvstore::Store::Destroy(name).IgnoreError();
  }
  return 0;
}
