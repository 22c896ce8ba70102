// Zipf(s) over [0, n): the skewed key popularity of the hit-rate and Redis
// tier benchmarks, drawn by inverse transform on the precomputed CDF.
#ifndef BENCH_ZIPF_H_
#define BENCH_ZIPF_H_

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

namespace kvstore_bench {

class Zipf {
 public:
  Zipf(uint64_t n, double s) : cdf_(n) {
    double sum = 0;
    for (uint64_t i = 0; i < n; ++i) cdf_[i] = sum += 1.0 / std::pow(i + 1, s);
    for (double& c : cdf_) c /= sum;
  }

  // A key in [0, n): 0 the most popular.
  uint64_t operator()(std::mt19937_64& rng) {
    const double u = std::uniform_real_distribution<double>(0, 1)(rng);
    return std::lower_bound(cdf_.begin(), cdf_.end(), u) - cdf_.begin();
  }

 private:
  std::vector<double> cdf_;
};

}  // namespace kvstore_bench

#endif  // BENCH_ZIPF_H_
