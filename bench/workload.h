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
  int batch = 0;      // > 0: gets in batches of this many keys, each batch
                      // one call of the system's batched read.
};

// Every N-th operation of a 2-process run is timed alone.
inline constexpr size_t kSampleEvery = 32;

// One sample per repetition, in ns per operation (in the order run: the
// i-th repetitions of all systems ran in the same round, side by side).
struct Measurement {
  std::vector<double> ns_per_op;
  // 2-process rows: latencies of the sampled gets and sets, in ns, with
  // the cost of reading the clock included.
  std::vector<float> get_ns, set_ns;
  // 2-process rows: the system's longest lock wait afterwards, or -1.
  int64_t longest_lock_wait_ns = -1;
  double Median() const;
  double Min() const;
  double Max() const;
};

// The q-quantile (0..1) of `v` (nearest rank), or 0 if empty.
double Quantile(std::vector<float> v, double q);
// Median, min and max of a list of numbers.
double MedianOf(std::vector<double> v);

// Uniform random keys in [0, w.keys), `n` of them.
std::vector<Op> MakeOps(const Workload& w, size_t n, uint64_t seed);

// Runs an untimed warm-up of w on `peer` (UNIMPLEMENTED: the peer cannot
// run w).
absl::Status WarmUp(Peer* peer, const Workload& w, size_t ops);

// Times one repetition of `ops` operations (per process; with two processes
// ns/op is the wall time over both processes' operations) on a peer that
// holds w.keys keys already, and appends it (and in 2-process runs the
// sampled latencies) to `m`.
absl::Status MeasureOnce(Peer* peer, const Workload& w, size_t ops,
                         uint64_t seed, Measurement* m);

// One repetition of a 1-process workload on several systems side by side:
// peers[k]'s ops[k] operations are cut into `slices` parts that run in
// turn (A1 B1 A2 B2 ..., the order rotated by `seed`), so that a noisy
// phase of the machine longer than a slice hits every system alike.
// Appends peers[k]'s ns/op to *m[k]; returns each peer's status (a peer
// that fails runs no further slices).
std::vector<absl::Status> MeasureSideBySide(const std::vector<Peer*>& peers,
                                            const Workload& w,
                                            const std::vector<size_t>& ops,
                                            uint64_t seed, int slices,
                                            const std::vector<Measurement*>& m);

// WarmUp, then `reps` repetitions of MeasureOnce, for one system alone.
absl::StatusOr<Measurement> Measure(Peer* peer, const Workload& w, size_t ops,
                                    int reps);

// The dependent-load floor: ns per load while chasing a random cycle of
// cache lines through a shared-memory region of `bytes`.
absl::StatusOr<Measurement> MeasureFloor(uint64_t bytes, size_t loads,
                                         int reps);

}  // namespace kvstore_bench

#endif  // BENCH_WORKLOAD_H_
