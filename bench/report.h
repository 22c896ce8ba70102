// Results of one comparison run, the targets judged from them, and their
// rendering: a console/markdown table, docs/benchmarks.md and a chart.
#ifndef BENCH_REPORT_H_
#define BENCH_REPORT_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "bench/workload.h"

namespace kvstore_bench {

// The pointer-chasing floor's row in the tables.
inline constexpr char kFloor[] = "floor";
// The bare table (NewBarePeer): every row is also given as a ratio to it.
inline constexpr char kBare[] = "bare";

// The median and spread of per-round ratios of two cells.
struct Ratio {
  double median = 0;  // 0: a side was not measured.
  double min = 0;
  double max = 0;
};

struct MemoryStats {
  uint64_t capacity;
  uint64_t segment_bytes;
  uint64_t slot_count;
  uint32_t slot_bytes;
  uint32_t metadata_bytes;  // slot_bytes - max_key_bytes - max_value_bytes.
};

struct Results {
  std::vector<Workload> workloads;   // Table columns, in order.
  std::vector<std::string> systems;  // Table rows, in order.
  // cells[system][workload id]; absent if not run.
  std::map<std::string, std::map<std::string, Measurement>> cells;
  std::vector<MemoryStats> memory;
  std::vector<std::string> notes;  // Skipped systems, failures.
  int reps = 0;
  size_t ops = 0;
  double seconds = 0;        // Wall time of the whole run.
  std::string load_average;  // 1-minute load average at the start.

  // Median ns/op, or 0 if the cell was not run.
  double Median(const std::string& system, const std::string& workload) const;
  // cells[num_system][num_workload] / cells[den_system][den_workload],
  // repetition by repetition (the i-th repetitions of one workload ran in
  // the same round), as a median with min and max.
  Ratio PairRatio(const std::string& num_system,
                  const std::string& num_workload,
                  const std::string& den_system,
                  const std::string& den_workload) const;
};

struct Target {
  std::string key;   // Short column name for the run history.
  std::string text;  // What is compared.
  std::string goal;  // "<= 1.5", ">= 3".
  double ratio;      // Median per-round ratio; 0 if a side was not measured.
  double min, max;   // Spread of the per-round ratios.
  bool met;
};

std::vector<Target> EvaluateTargets(const Results& results);

// "123 (120–131)" cells; markdown pipes or aligned plain text.
std::string FormatTable(const Results& results, bool markdown);
// Each system's ns/op as a ratio to kBare's: "1.08 (1.02–1.13)".
std::string FormatRatios(const Results& results, bool markdown);
// p50, p99 and p99.9 of the sampled gets and sets of the 2-process rows,
// and the longest lock wait.
std::string FormatLatency(const Results& results, bool markdown);
std::string FormatTargets(const std::vector<Target>& targets, bool markdown);
std::string FormatMemory(const Results& results);

// Writes `dir`/benchmarks.md (keeping the run history and the notes block
// of the previous file) and, if gnuplot is found, `dir`/benchmarks.png.
absl::Status WriteDocs(const std::string& dir, const Results& results,
                       const std::vector<Target>& targets,
                       const std::string& command);

}  // namespace kvstore_bench

#endif  // BENCH_REPORT_H_
