#include "bench/report.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace kvstore_bench {
namespace {

enum class Rule { kAtMost, kAtLeast, kMoreThan };

struct TargetSpec {
  const char* key;
  const char* text;
  std::string num_system, num_workload, den_system, den_workload;
  Rule rule;
  double threshold;
};

std::string Ns(double ns) {
  return ns >= 100 ? absl::StrFormat("%.0f", ns) : absl::StrFormat("%.1f", ns);
}

std::string Cell(const Results& r, const std::string& system,
                 const std::string& workload) {
  auto s = r.cells.find(system);
  if (s == r.cells.end()) return "-";
  auto w = s->second.find(workload);
  if (w == s->second.end()) return "-";
  const Measurement& m = w->second;
  return absl::StrCat(Ns(m.Median()), " (", Ns(m.Min()), "–", Ns(m.Max()), ")");
}

std::string Label(const Results& r, const std::string& id) {
  for (const Workload& w : r.workloads) {
    if (w.id == id) return w.label;
  }
  return id;
}

std::vector<std::vector<std::string>> Rows(const Results& r) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> header = {"workload"};
  for (const std::string& s : r.systems) header.push_back(s);
  rows.push_back(header);
  for (const Workload& w : r.workloads) {
    std::vector<std::string> row = {w.label};
    for (const std::string& s : r.systems) row.push_back(Cell(r, s, w.id));
    rows.push_back(row);
  }
  return rows;
}

// Plain text with padded columns, or a markdown table.
std::string Render(const std::vector<std::vector<std::string>>& rows,
                   bool markdown) {
  if (markdown) {
    std::string out;
    for (size_t i = 0; i < rows.size(); ++i) {
      absl::StrAppend(&out, "| ", absl::StrJoin(rows[i], " | "), " |\n");
      if (i == 0) {
        std::vector<std::string> rule(rows[0].size(), "---");
        absl::StrAppend(&out, "|", absl::StrJoin(rule, "|"), "|\n");
      }
    }
    return out;
  }
  std::vector<size_t> width(rows[0].size(), 0);
  auto length = [](const std::string& s) {  // UTF-8 aware ("–").
    return static_cast<size_t>(std::count_if(
        s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
  };
  for (const auto& row : rows) {
    for (size_t c = 0; c < row.size(); ++c) {
      width[c] = std::max(width[c], length(row[c]));
    }
  }
  std::string out;
  for (const auto& row : rows) {
    for (size_t c = 0; c < row.size(); ++c) {
      absl::StrAppend(&out, row[c],
                      std::string(width[c] - length(row[c]) + 2, ' '));
    }
    out.back() = '\n';
  }
  return out;
}

}  // namespace

double Results::Median(const std::string& system,
                       const std::string& workload) const {
  auto s = cells.find(system);
  if (s == cells.end()) return 0;
  auto w = s->second.find(workload);
  return w == s->second.end() ? 0 : w->second.Median();
}

Ratio Results::PairRatio(const std::string& num_system,
                         const std::string& num_workload,
                         const std::string& den_system,
                         const std::string& den_workload) const {
  auto find = [&](const std::string& system,
                  const std::string& workload) -> const Measurement* {
    auto s = cells.find(system);
    if (s == cells.end()) return nullptr;
    auto w = s->second.find(workload);
    return w == s->second.end() ? nullptr : &w->second;
  };
  const Measurement* num = find(num_system, num_workload);
  const Measurement* den = find(den_system, den_workload);
  Ratio ratio;
  if (num == nullptr || den == nullptr) return ratio;
  std::vector<double> per_round;
  for (size_t i = 0; i < num->ns_per_op.size() && i < den->ns_per_op.size();
       ++i) {
    if (den->ns_per_op[i] > 0) {
      per_round.push_back(num->ns_per_op[i] / den->ns_per_op[i]);
    }
  }
  if (per_round.empty()) return ratio;
  ratio.median = MedianOf(per_round);
  ratio.min = *std::min_element(per_round.begin(), per_round.end());
  ratio.max = *std::max_element(per_round.begin(), per_round.end());
  return ratio;
}

namespace {

// Stands for the fastest system other than kvstore's in a target.
constexpr char kBestPeer[] = "best peer";

// The system other than kvstore (and the floors) with the lowest median
// for `workload`; "" if none ran it.
std::string BestPeer(const Results& r, const std::string& workload) {
  std::string best;
  double best_ns = 0;
  for (const std::string& system : r.systems) {
    if (system == "kvstore" || system == "kvstore-area" || system == kFloor ||
        system == kBare) {
      continue;
    }
    const double m = r.Median(system, workload);
    if (m > 0 && (best_ns == 0 || m < best_ns)) best = system, best_ns = m;
  }
  return best;
}

}  // namespace

std::vector<Target> EvaluateTargets(const Results& r) {
  const std::string kv = "kvstore";
  const std::vector<TargetSpec> specs = {
      // Issue 18: the bare table is the floor.
      {"kv/bare get_s", "kvstore get / bare get", kv, "get_s", kBare, "get_s",
       Rule::kAtMost, 1.15},
      {"kv/bare get_l", "kvstore get / bare get", kv, "get_l", kBare, "get_l",
       Rule::kAtMost, 1.15},
      {"kv/bare mix_s", "kvstore 90/10 / bare 90/10", kv, "mix_s", kBare,
       "mix_s", Rule::kAtMost, 1.15},
      {"kv/bare mix_l", "kvstore 90/10 / bare 90/10", kv, "mix_l", kBare,
       "mix_l", Rule::kAtMost, 1.15},
      {"kv/bare incr", "kvstore incr / bare incr", kv, "incr", kBare, "incr",
       Rule::kAtMost, 1.25},
      {"mget/get l", "kvstore batched get per key / single get", kv, "mget_l",
       kv, "get_l", Rule::kAtMost, 0.5},
      {"kv 1p/2p mix_s", "kvstore 1-process / 2-process 90/10 ns/op", kv,
       "mix_s", kv, "mix2_s", Rule::kAtLeast, 1.8},
      {"kv 1p/2p mix_l", "kvstore 1-process / 2-process 90/10 ns/op", kv,
       "mix_l", kv, "mix2_l", Rule::kAtLeast, 1.8},
      // Not a target of kvstore: whether the machine lets two processes
      // run side by side at all (its vCPUs free of other work).
      {"bare 1p/2p mix_s", "reference: bare 1-process / 2-process 90/10", kBare,
       "mix_s", kBare, "mix2_s", Rule::kAtLeast, 1.8},
      {"bare 1p/2p mix_l", "reference: bare 1-process / 2-process 90/10", kBare,
       "mix_l", kBare, "mix2_l", Rule::kAtLeast, 1.8},
      // Earlier issues.
      {"kv/floor get_s", "kvstore get / floor", kv, "get_s", kFloor, "get_s",
       Rule::kAtMost, 1.5},
      {"kv/floor get_l", "kvstore get / floor", kv, "get_l", kFloor, "get_l",
       Rule::kAtMost, 1.5},
      {"absl/kv get_s", "absl get / kvstore get", "absl", "get_s", kv, "get_s",
       Rule::kMoreThan, 1.0},
      {"absl/kv get_l", "absl get / kvstore get", "absl", "get_l", kv, "get_l",
       Rule::kMoreThan, 1.0},
      {"boost/kv get_s", "boost get / kvstore get", "boost", "get_s", kv,
       "get_s", Rule::kAtLeast, 3},
      {"boost/kv get_l", "boost get / kvstore get", "boost", "get_l", kv,
       "get_l", Rule::kAtLeast, 3},
      {"lmdb/kv get_s", "lmdb get / kvstore get", "lmdb", "get_s", kv, "get_s",
       Rule::kAtLeast, 3},
      {"lmdb/kv get_l", "lmdb get / kvstore get", "lmdb", "get_l", kv, "get_l",
       Rule::kAtLeast, 3},
      {"boost/kv mix_s", "boost 90/10 / kvstore 90/10", "boost", "mix_s", kv,
       "mix_s", Rule::kAtLeast, 2},
      {"boost/kv mix_l", "boost 90/10 / kvstore 90/10", "boost", "mix_l", kv,
       "mix_l", Rule::kAtLeast, 2},
      {"boost/kv incr", "boost incr / kvstore incr", "boost", "incr", kv,
       "incr", Rule::kAtLeast, 2},
      {"kv/absl incr", "kvstore incr / absl incr", kv, "incr", "absl", "incr",
       Rule::kAtMost, 1.2},
      {"peer/kv mix2_s", "fastest peer's 2-process / kvstore 2-process",
       kBestPeer, "mix2_s", kv, "mix2_s", Rule::kAtLeast, 2},
      {"peer/kv mix2_l", "fastest peer's 2-process / kvstore 2-process",
       kBestPeer, "mix2_l", kv, "mix2_l", Rule::kAtLeast, 2},
  };
  std::vector<Target> targets;
  for (const TargetSpec& s : specs) {
    const std::string num_system =
        s.num_system == kBestPeer ? BestPeer(r, s.num_workload) : s.num_system;
    const Ratio ratio =
        r.PairRatio(num_system, s.num_workload, s.den_system, s.den_workload);
    Target t;
    t.key = s.key;
    t.text = absl::StrCat(s.text, " (", Label(r, s.num_workload),
                          s.num_workload == s.den_workload
                              ? ""
                              : absl::StrCat(" vs ", Label(r, s.den_workload)),
                          ")");
    t.ratio = ratio.median;
    t.min = ratio.min;
    t.max = ratio.max;
    switch (s.rule) {
      case Rule::kAtMost:
        t.goal = absl::StrCat("<= ", s.threshold);
        t.met = t.ratio > 0 && t.ratio <= s.threshold;
        break;
      case Rule::kAtLeast:
        t.goal = absl::StrCat(">= ", s.threshold);
        t.met = t.ratio >= s.threshold;
        break;
      case Rule::kMoreThan:
        t.goal = absl::StrCat("> ", s.threshold);
        t.met = t.ratio > s.threshold;
        break;
    }
    targets.push_back(t);
  }
  return targets;
}

std::string FormatTable(const Results& r, bool markdown) {
  return Render(Rows(r), markdown);
}

std::string FormatRatios(const Results& r, bool markdown) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> header = {"workload"};
  for (const std::string& s : r.systems) {
    if (s != kBare && s != kFloor) header.push_back(s);
  }
  rows.push_back(header);
  for (const Workload& w : r.workloads) {
    std::vector<std::string> row = {w.label};
    for (const std::string& s : r.systems) {
      if (s == kBare || s == kFloor) continue;
      // A batched row is compared with the floor's single gets.
      const std::string den = w.batch > 0 ? "get_l" : w.id;
      const Ratio x = r.PairRatio(s, w.id, kBare, den);
      row.push_back(x.median == 0 ? "-"
                                  : absl::StrFormat("%.2f (%.2f–%.2f)",
                                                    x.median, x.min, x.max));
    }
    rows.push_back(row);
  }
  return Render(rows, markdown);
}

std::string FormatLatency(const Results& r, bool markdown) {
  std::vector<std::vector<std::string>> rows = {
      {"workload", "system", "get p50", "get p99", "get p99.9", "set p50",
       "set p99", "set p99.9", "longest lock wait"}};
  for (const Workload& w : r.workloads) {
    if (w.processes < 2) continue;
    for (const std::string& s : r.systems) {
      auto sys = r.cells.find(s);
      if (sys == r.cells.end()) continue;
      auto cell = sys->second.find(w.id);
      if (cell == sys->second.end()) continue;
      const Measurement& m = cell->second;
      std::vector<std::string> row = {w.label, s};
      for (const std::vector<float>* v : {&m.get_ns, &m.set_ns}) {
        for (double q : {0.5, 0.99, 0.999}) {
          row.push_back(v->empty() ? "-" : Ns(Quantile(*v, q)));
        }
      }
      row.push_back(
          m.longest_lock_wait_ns < 0
              ? "-"
              : absl::StrFormat("%.1f µs", m.longest_lock_wait_ns / 1e3));
      rows.push_back(row);
    }
  }
  return Render(rows, markdown);
}

std::string FormatTargets(const std::vector<Target>& targets, bool markdown) {
  std::vector<std::vector<std::string>> rows = {
      {"target", "ratio (min–max)", "goal", "verdict"}};
  for (const Target& t : targets) {
    rows.push_back({t.text,
                    t.ratio > 0 ? absl::StrFormat("%.2f (%.2f–%.2f)", t.ratio,
                                                  t.min, t.max)
                                : "-",
                    t.goal,
                    t.ratio == 0 ? "not measured"
                    : t.met      ? "met"
                                 : "NOT MET"});
  }
  return Render(rows, markdown);
}

std::string FormatMemory(const Results& r) {
  std::string out;
  for (const MemoryStats& m : r.memory) {
    absl::StrAppendFormat(
        &out,
        "- capacity %d: segment %d bytes, %.1f bytes per stored entry "
        "(%d slots of %d bytes, %.1f slots per entry); metadata %d bytes per "
        "slot (target 16: %s)\n",
        m.capacity, m.segment_bytes,
        static_cast<double>(m.segment_bytes) / m.capacity, m.slot_count,
        m.slot_bytes, static_cast<double>(m.slot_count) / m.capacity,
        m.metadata_bytes, m.metadata_bytes <= 16 ? "met" : "NOT MET");
  }
  return out;
}

}  // namespace kvstore_bench
