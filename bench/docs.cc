// WriteDocs: docs/benchmarks.md and the gnuplot chart.
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "bench/report.h"
#include "bench/system_info.h"

namespace kvstore_bench {
namespace {

constexpr char kRunsBegin[] = "<!-- runs:begin -->";
constexpr char kRunsEnd[] = "<!-- runs:end -->";
constexpr char kNotesBegin[] = "<!-- notes:begin -->";
constexpr char kNotesEnd[] = "<!-- notes:end -->";
constexpr int kHistoryRuns = 10;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The text between `begin` and `end` markers in `doc`, or "".
std::string Block(const std::string& doc, const std::string& begin,
                  const std::string& end) {
  const size_t b = doc.find(begin);
  if (b == std::string::npos) return "";
  const size_t e = doc.find(end, b);
  if (e == std::string::npos) return "";
  return doc.substr(b + begin.size(), e - b - begin.size());
}

std::string HistoryHeader(const std::vector<Target>& targets) {
  std::vector<std::string> cols = {"run (UTC)", "load", "met"};
  for (const Target& t : targets) cols.push_back(t.key);
  std::string out = absl::StrCat("| ", absl::StrJoin(cols, " | "), " |\n|");
  for (size_t i = 0; i < cols.size(); ++i) out += "---|";
  return out + "\n";
}

std::string HistoryRow(const Results& r, const std::vector<Target>& targets) {
  int met = 0;
  std::vector<std::string> cols = {
      absl::FormatTime("%Y-%m-%d %H:%M", absl::Now(), absl::UTCTimeZone()),
      r.load_average, ""};
  for (const Target& t : targets) {
    met += t.met;
    cols.push_back(t.ratio == 0
                       ? "-"
                       : absl::StrFormat("%.2f%s", t.ratio, t.met ? "" : " ✗"));
  }
  cols[2] = absl::StrCat(met, "/", targets.size());
  return absl::StrCat("| ", absl::StrJoin(cols, " | "), " |\n");
}

// The previous runs' rows with the same columns, newest last, then this one.
std::string History(const std::string& old_doc, const Results& r,
                    const std::vector<Target>& targets) {
  const std::string header = HistoryHeader(targets);
  const size_t columns = targets.size() + 3;
  std::vector<std::string> rows;
  for (absl::string_view line :
       absl::StrSplit(Block(old_doc, kRunsBegin, kRunsEnd), '\n')) {
    if (!absl::StartsWith(line, "| 2")) continue;  // Dated rows only.
    const size_t cells = std::count(line.begin(), line.end(), '|') - 1;
    if (cells == columns) rows.push_back(absl::StrCat(line, "\n"));
  }
  rows.push_back(HistoryRow(r, targets));
  if (rows.size() > kHistoryRuns)
    rows.erase(rows.begin(), rows.end() - kHistoryRuns);
  return absl::StrCat(header, absl::StrJoin(rows, ""));
}

absl::Status DrawChart(const std::string& png, const Results& r) {
  const std::string gnuplot = FindBinary("gnuplot");
  if (gnuplot.empty()) return absl::NotFoundError("gnuplot not found");
  std::vector<std::string> systems;
  for (const std::string& s : r.systems) {
    if (s != kBare && s != kFloor) systems.push_back(s);
  }
  std::string script = absl::StrCat(
      "set terminal pngcairo size 1400,650 font 'sans,10'\n"
      "set output '",
      png, "'\n",
      "set title 'ns per operation as a ratio to the bare table (median of ",
      r.reps,
      " per-round ratios; log scale; lower is better; 1 = the floor)'\n"
      "set style data histograms\n"
      "set style histogram clustered gap 1\n"
      "set style fill solid 0.85 border -1\n"
      "set logscale y\nset yrange [0.1:*]\nset ylabel 'x bare table'\n"
      "set grid ytics mytics\nset key outside right top\n"
      "set arrow from graph 0, first 1 to graph 1, first 1 nohead lw 2\n"
      "set datafile missing '-'\nset xtics nomirror\n"
      "$data << EOD\n\"workload\"");
  for (const std::string& s : systems) absl::StrAppend(&script, " \"", s, "\"");
  script += "\n";
  for (const Workload& w : r.workloads) {
    absl::StrAppend(&script, "\"", w.label, "\"");
    for (const std::string& s : systems) {
      const Ratio x = r.PairRatio(s, w.id, kBare, w.batch > 0 ? "get_l" : w.id);
      absl::StrAppend(&script, " ",
                      x.median > 0 ? absl::StrFormat("%.3f", x.median) : "-");
    }
    script += "\n";
  }
  absl::StrAppend(&script, "EOD\nplot for [i=2:", systems.size() + 1,
                  "] $data using i:xtic(1) title columnheader(i)\n");
  FILE* pipe = popen(absl::StrCat(gnuplot, " 2>&1").c_str(), "w");
  if (pipe == nullptr) return absl::InternalError("cannot start gnuplot");
  fwrite(script.data(), 1, script.size(), pipe);
  if (pclose(pipe) != 0) return absl::InternalError("gnuplot failed");
  return absl::OkStatus();
}

}  // namespace

absl::Status WriteDocs(const std::string& dir, const Results& r,
                       const std::vector<Target>& targets,
                       const std::string& command) {
  const std::string md_path = absl::StrCat(dir, "/benchmarks.md");
  const std::string old_doc = ReadFile(md_path);
  std::string notes = Block(old_doc, kNotesBegin, kNotesEnd);
  if (notes.empty()) notes = "\n(none yet)\n";
  // Hand-written sections after the notes block are kept verbatim too.
  std::string tail = "\n";
  const size_t notes_begin = old_doc.find(kNotesBegin);
  const size_t notes_end = notes_begin == std::string::npos
                               ? std::string::npos
                               : old_doc.find(kNotesEnd, notes_begin);
  if (notes_end != std::string::npos &&
      notes_end + std::strlen(kNotesEnd) < old_doc.size()) {
    tail = old_doc.substr(notes_end + std::strlen(kNotesEnd));
  }
  const absl::Status chart = DrawChart(absl::StrCat(dir, "/benchmarks.png"), r);

  std::string doc = absl::StrCat(
      "# kvstore benchmarks\n\n"
      "Generated by `",
      command, "` on ",
      absl::FormatTime("%Y-%m-%d %H:%M UTC", absl::Now(), absl::UTCTimeZone()),
      " (", absl::StrFormat("%.0f", r.seconds),
      " s). Rerun to refresh; the run history, the notes block and the "
      "sections after it are kept.\n\n"
      "## Machine\n\n",
      absl::StrJoin(MachineDescription(), "\n"),
      "\n- Load average (1 min) when the run started: ", r.load_average,
      " (other work on the machine inflates and spreads the numbers)",
      "\n\n## Method\n\n"
      "- Keys `key:%010d` (14 bytes), 64-byte values, keys drawn uniformly at "
      "random; all keys are loaded first, so every get hits.\n"
      "- Each cell: median ns per operation over ",
      r.reps,
      " repetitions, min–max in parentheses. The systems run interleaved: "
      "every system's i-th repetition of a workload runs in round i, so "
      "that a noisy phase of the machine hits all of them alike (1-process "
      "rows cut each repetition into 8 slices run in turn, A1 B1 … A8 B8; "
      "2-process rows run whole repetitions in turn, in an order that "
      "rotates); ratios are the median (min–max) of the per-round ratios. "
      "A repetition is ",
      r.ops,
      " operations (LMDB ½, pipelined Redis ¼, single-request Redis 1/20 of "
      "that), after an untimed warm-up.\n"
      "- 2-process rows: two children forked after loading run the same "
      "number of operations between them, released together through a pipe; "
      "ns/op = wall time / operations of both. One operation in ",
      kSampleEvery,
      " of each child is timed alone (steady_clock; the ~20-40 ns "
      "of reading the clock included) for the latency table; the longest "
      "lock wait is what the system recorded over the group's runs "
      "(kvstore: `StoreStats::longest_lock_wait`; bare: timed when its "
      "trylock fails).\n"
      "- get 1M batch 16: kvstore's `MultiGet` of 16 keys (lock-free, "
      "prefetching every home slot); ns per key; its ratio is to the bare "
      "table's single get.\n"
      "- increment: 1,000 hot counters, int64 +1 each operation.\n"
      "- kvstore: `Store::Get(key, Value*)` reusing the value; capacity = "
      "keys, max_key_bytes 16, max_value_bytes 64, memory 0 (every entry "
      "fits its slot, so no data area). kvstore-area: the same store as a "
      "user creates it, with the default limits (keys up to 4 KiB, values "
      "up to 64 MiB) and a 64 MiB data area; the workload's entries still "
      "fit their slots, so the row shows what small entries pay for the "
      "area.\n"
      "- boost: `managed_shared_memory` + `boost::unordered_map` of "
      "interprocess strings + `interprocess_mutex`. lmdb: env in /dev/shm, "
      "MDB_NOSYNC|MDB_WRITEMAP|MDB_NOMETASYNC, one transaction per "
      "operation (reads renew a reset read transaction). redis: "
      "redis-server on a unix socket, `--save '' --appendonly no`, hiredis; "
      "redis-p64 pipelines 64 requests. absl: in-process "
      "`absl::flat_hash_map<std::string, std::string>` + `std::mutex` (not "
      "shared, so no 2-process rows).\n"
      "- bare: the floor of the design (bench/peers/bare_peer.cc): an "
      "open-addressing table in shared memory with kvstore's hash, home "
      "slot, linear probing and 96-byte slots, read through each slot's "
      "seqlock and written under one robust process-shared mutex; no "
      "types, TTLs, journal, statistics, CLOCK or deletes, and not "
      "crash-safe.\n"
      "- floor: dependent loads around a random cycle of 64-byte lines in a "
      "shared-memory region the size of the kvstore segment for that many "
      "keys; ns per load.\n\n"
      "## Results (ns per operation)\n\n",
      FormatTable(r, /*markdown=*/true),
      "\n## Ratios to the bare table\n\n"
      "Median (min–max) of the per-round ratios of ns per operation; 1.00 "
      "is the floor.\n\n",
      FormatRatios(r, /*markdown=*/true), "\n",
      chart.ok() ? "![ratio to the bare table, log scale](benchmarks.png)\n"
                 : absl::StrCat("(no chart: ", chart.message(), ")\n"),
      "\n## Tail latency, 2 processes (ns)\n\n",
      FormatLatency(r, /*markdown=*/true),
      "\n## Targets (ratios from this run)\n\n",
      FormatTargets(targets, /*markdown=*/true), "\n## Memory\n\n",
      FormatMemory(r),
      r.notes.empty() ? ""
                      : absl::StrCat("\n## Skipped or failed\n\n- ",
                                     absl::StrJoin(r.notes, "\n- "), "\n"),
      "\n## Spread over runs\n\n"
      "Target ratios of the latest runs on this machine (✗ = not met).\n\n",
      kRunsBegin, "\n", History(old_doc, r, targets), kRunsEnd,
      "\n\n## Notes\n\n", kNotesBegin, notes, kNotesEnd, tail);
  std::ofstream out(md_path, std::ios::trunc);
  out << doc;
  out.close();
  if (!out) return absl::InternalError(absl::StrCat("cannot write ", md_path));
  return absl::OkStatus();
}

}  // namespace kvstore_bench
