// The comparison's workloads, and timing them against a Peer: several
// repetitions in this process, or in two forked processes started together.
#ifndef BENCH_WORKLOAD_H_
#define BENCH_WORKLOAD_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "bench/peer.h"

namespace kvstore_bench {

struct Workload {
  std::string id;     // Stable, used by the targets: "get_s", "mix2_l".
  std::string label;  // For tables: "get 100k".
  uint64_t keys;      // Keys loaded before the run, and drawn from.
  int get_percent;    // 100 or 90; the rest are sets.
  bool increment;     // Increments instead (keys are hot counters).
  int processes;      // 1 or 2.
};

// One sample per repetition, in ns per operation.
struct Measurement {
  std::vector<double> ns_per_op;
  double Median() const;
  double Min() const;
  double Max() const;
};

// Uniform random keys in [0, w.keys), `n` of them.
std::vector<Op> MakeOps(const Workload& w, size_t n, uint64_t seed);

// Times `reps` repetitions of `ops` operations (per process; with two
// processes ns/op is the wall time over both processes' operations) on a
// peer that holds w.keys keys already. A short untimed warm-up runs first.
absl::StatusOr<Measurement> Measure(Peer* peer, const Workload& w, size_t ops,
                                    int reps);

// The dependent-load floor: ns per load while chasing a random cycle of
// cache lines through a shared-memory region of `bytes`.
absl::StatusOr<Measurement> MeasureFloor(uint64_t bytes, size_t loads,
                                         int reps);

}  // namespace kvstore_bench

#endif  // BENCH_WORKLOAD_H_
