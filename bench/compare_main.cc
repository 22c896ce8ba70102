// compare: runs the workloads of docs/benchmarks.md against kvstore and its
// peers in one run, prints the table and the targets, and (under
// `bazel run`) rewrites docs/benchmarks.md and docs/benchmarks.png.
//
//   ./bazelw run //bench:compare            full run, writes docs/
//   bazel-bin/bench/compare --smoke         tiny sizes, writes nothing
//
// Exit codes: 0 all systems ran; 1 a system failed; 2 usage.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "bench/cleanup.h"
#include "bench/peer.h"
#include "bench/report.h"
#include "bench/system_info.h"
#include "bench/workload.h"
#include "kvstore/store.h"

namespace kvstore_bench {
namespace {

constexpr char kCommand[] = "./bazelw run //bench:compare";
constexpr char kUsage[] =
    "usage: compare [--smoke] [--out_dir=DIR] [--reps=N] [--ops=N]\n"
    "               [--only=ID,...] [--systems=NAME,...]\n"
    "  --smoke       tiny sizes and one repetition (also "
    "KVSTORE_BENCH_SMOKE=1);\n"
    "                skips Redis if redis-server is missing; writes no docs\n"
    "  --out_dir=DIR write benchmarks.md and benchmarks.png into DIR "
    "(default:\n"
    "                $BUILD_WORKSPACE_DIRECTORY/docs under `bazel run`, full "
    "runs)\n"
    "  --reps=N      repetitions per cell (default 5)\n"
    "  --ops=N       operations per repetition (default 1000000)\n"
    "  --only=IDS    run only these workloads (get_s, mix_s, mix2_s, get_l,\n"
    "                mix_l, mix2_l, mget_l, incr); writes no docs\n"
    "  --systems=S   run only these systems (kvstore, kvstore-area, bare,\n"
    "                boost, lmdb, redis, redis-p64, absl); writes no docs.\n"
    "                bare, the floor every row is a ratio to, always runs\n";

struct Config {
  bool smoke = false;
  std::string out_dir;
  int reps = 5;
  size_t ops = 1000000;
  uint64_t small_keys = 100000, large_keys = 1000000, counters = 1000;
  std::vector<std::string> only, systems;  // Empty: all.
};

bool Selected(const std::vector<std::string>& set, const std::string& name) {
  return set.empty() || std::find(set.begin(), set.end(), name) != set.end();
}

std::string KeysLabel(uint64_t n) {
  if (n % 1000000 == 0) return absl::StrCat(n / 1000000, "M");
  if (n % 1000 == 0) return absl::StrCat(n / 1000, "k");
  return absl::StrCat(n);
}

bool ParseFlags(int argc, char** argv, Config* c) {
  const char* env = std::getenv("KVSTORE_BENCH_SMOKE");
  c->smoke = env != nullptr && std::string(env) == "1";
  bool out_dir_set = false;
  for (int i = 1; i < argc; ++i) {
    absl::string_view a = argv[i];
    if (a == "--help") {
      std::cout << kUsage;
      std::exit(0);
    } else if (a == "--smoke") {
      c->smoke = true;
    } else if (absl::ConsumePrefix(&a, "--out_dir=")) {
      c->out_dir = std::string(a);
      out_dir_set = true;
    } else if (absl::ConsumePrefix(&a, "--reps=")) {
      c->reps = std::atoi(std::string(a).c_str());
    } else if (absl::ConsumePrefix(&a, "--ops=")) {
      c->ops = std::strtoull(std::string(a).c_str(), nullptr, 10);
    } else if (absl::ConsumePrefix(&a, "--only=")) {
      c->only = absl::StrSplit(a, ',', absl::SkipEmpty());
    } else if (absl::ConsumePrefix(&a, "--systems=")) {
      c->systems = absl::StrSplit(a, ',', absl::SkipEmpty());
    } else {
      std::cerr << "compare: unknown flag '" << a << "'\n" << kUsage;
      return false;
    }
  }
  if (c->smoke) {
    c->small_keys = 1000, c->large_keys = 4000, c->counters = 100;
    c->ops = std::min<size_t>(c->ops, 2000), c->reps = 1;
  }
  const char* ws = std::getenv("BUILD_WORKSPACE_DIRECTORY");
  const bool partial = !c->only.empty() || !c->systems.empty();
  if (partial && out_dir_set) {
    std::cerr << "compare: --only and --systems runs write no docs; "
                 "ignoring --out_dir\n";
    c->out_dir.clear();
  }
  if (!out_dir_set && ws != nullptr && !c->smoke && !partial) {
    c->out_dir = absl::StrCat(ws, "/docs");
  }
  return c->reps > 0 && c->ops >= 10;
}

// Installs redis-server and gnuplot for a full run if they are missing.
void EnsureTools(const Config& c) {
  if (c.smoke) return;
  if (!FindBinary("redis-server").empty() && !FindBinary("gnuplot").empty()) {
    return;
  }
  std::cerr << "compare: installing redis-server and gnuplot-nox\n";
  const std::string sudo = getuid() == 0 ? "" : "sudo ";
  const std::string cmd =
      absl::StrCat(sudo,
                   "env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "
                   "--no-install-recommends redis-server gnuplot-nox >&2");
  if (std::system(cmd.c_str()) != 0) {
    std::cerr << "compare: could not install them; continuing without\n";
  }
}

std::string LoadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string one_minute;
  in >> one_minute;
  return one_minute.empty() ? "unknown" : one_minute;
}

absl::StatusOr<MemoryStats> KvstoreMemory(uint64_t keys) {
  const std::string name = absl::StrCat("/kvstore-bench-mem-", getpid());
  const int handle = RegisterShm(name.c_str());
  kvstore::Options options;
  options.create_if_missing = true;
  options.error_if_exists = true;
  options.capacity = keys;
  options.max_key_bytes = 16;
  options.max_value_bytes = kValueBytes;
  // Every entry (14-byte key, 64-byte value) fits its slot: no data area
  // (format 3's default would add 4 MiB that the workload never uses).
  options.memory = 0;
  absl::StatusOr<kvstore::StoreStats> stats;
  {
    absl::StatusOr<std::unique_ptr<kvstore::Store>> store =
        kvstore::Store::Open(name, options);
    if (!store.ok()) return store.status();
    stats = (*store)->Stats();
  }
  kvstore::Store::Destroy(name).IgnoreError();
  Unregister(handle);
  if (!stats.ok()) return stats.status();
  return MemoryStats{
      stats->capacity, stats->segment_bytes, stats->slot_count,
      stats->slot_bytes,
      stats->slot_bytes - stats->max_key_bytes - stats->max_value_bytes};
}

// Slices per repetition of a 1-process workload (MeasureSideBySide).
constexpr int kSlices = 8;

// Loads every peer with the group's keys, then measures each workload of
// the group on all of them, interleaved: repetition i of every system runs
// in round i, so that a noisy phase of the machine hits every system alike
// and per-round ratios cancel it (report.h). In 1-process rows each
// repetition is itself cut into kSlices slices run in turn; 2-process rows
// run whole repetitions in turn, in an order that rotates.
void RunGroup(const std::vector<std::unique_ptr<Peer>>& all,
              const std::vector<Workload>& group, const Config& c, Results* r) {
  const uint64_t keys = group[0].keys;
  const bool counters = group[0].increment;
  std::vector<Peer*> peers;
  auto fail = [&](Peer* peer, const std::string& what,
                  const absl::Status& status) {
    r->notes.push_back(absl::StrCat(peer->name(), " (", what,
                                    ") failed: ", status.ToString()));
    std::cerr << "compare: " << r->notes.back() << "\n";
    peer->Destroy();
    peers.erase(std::remove(peers.begin(), peers.end(), peer), peers.end());
  };
  for (const auto& peer : all) {
    peers.push_back(peer.get());
    absl::Status status = peer->Create(keys);
    if (status.ok() && !counters) status = peer->Load(keys);
    if (!status.ok()) fail(peer.get(), group[0].label + " group", status);
  }
  for (const Workload& w : group) {
    std::vector<Peer*> running;
    std::vector<size_t> ops;
    for (Peer* peer : std::vector<Peer*>(peers)) {
      if (w.processes > 1 && !peer->shared()) continue;
      size_t n = std::max<size_t>(10, c.ops * peer->ops_scale());
      if (w.processes > 1) n /= w.processes;
      absl::Status status = WarmUp(peer, w, n);
      if (absl::IsUnimplemented(status)) continue;  // No batched read.
      if (!status.ok()) {
        fail(peer, w.label, status);
        continue;
      }
      running.push_back(peer);
      ops.push_back(n);
    }
    std::vector<Measurement> m(running.size());
    for (int rep = 0; rep < c.reps && w.processes == 1; ++rep) {
      std::vector<Peer*> live;
      std::vector<size_t> live_ops;
      std::vector<Measurement*> out;
      for (size_t i = 0; i < running.size(); ++i) {
        if (running[i] == nullptr) continue;
        live.push_back(running[i]);
        live_ops.push_back(ops[i]);
        out.push_back(&m[i]);
      }
      const std::vector<absl::Status> status =
          MeasureSideBySide(live, w, live_ops, 1000 + rep, kSlices, out);
      for (size_t k = 0; k < live.size(); ++k) {
        if (status[k].ok()) continue;
        fail(live[k], w.label, status[k]);
        *std::find(running.begin(), running.end(), live[k]) = nullptr;
      }
    }
    // Two processes: whole repetitions in turn (each forks its children).
    for (int rep = 0; rep < c.reps && w.processes > 1; ++rep) {
      for (size_t k = 0; k < running.size(); ++k) {
        const size_t i = (rep + k) % running.size();
        if (running[i] == nullptr) continue;
        absl::Status status =
            MeasureOnce(running[i], w, ops[i], 1000 + rep, &m[i]);
        if (!status.ok()) {
          fail(running[i], w.label, status);
          running[i] = nullptr;
        }
      }
    }
    for (size_t i = 0; i < running.size(); ++i) {
      if (running[i] == nullptr) continue;
      if (w.processes > 1) {
        m[i].longest_lock_wait_ns = running[i]->LongestLockWaitNs();
      }
      r->cells[running[i]->name()][w.id] = m[i];
      std::cerr << absl::StrFormat("  %-10s %-18s %10.1f ns/op\n",
                                   running[i]->name(), w.label, m[i].Median());
    }
  }
  for (Peer* peer : peers) peer->Destroy();
}

int Main(int argc, char** argv) {
  InstallCleanupHandlers();
  Config c;
  if (!ParseFlags(argc, argv, &c)) return 2;
  const auto start = std::chrono::steady_clock::now();
  EnsureTools(c);

  const std::string s = KeysLabel(c.small_keys), l = KeysLabel(c.large_keys);
  const std::string hot = KeysLabel(c.counters);
  Results r;
  r.load_average = LoadAverage();
  r.reps = c.reps;
  r.ops = c.ops;
  std::vector<std::vector<Workload>> groups = {
      {{"get_s", "get " + s, c.small_keys, 100, false, 1},
       {"mix_s", "90/10 " + s, c.small_keys, 90, false, 1},
       {"mix2_s", "90/10 " + s + " 2 proc", c.small_keys, 90, false, 2}},
      {{"get_l", "get " + l, c.large_keys, 100, false, 1},
       {"mix_l", "90/10 " + l, c.large_keys, 90, false, 1},
       {"mix2_l", "90/10 " + l + " 2 proc", c.large_keys, 90, false, 2},
       {"mget_l", "get " + l + " batch 16", c.large_keys, 100, false, 1, 16}},
      {{"incr", "incr " + hot + " hot", c.counters, 0, true, 1}},
  };
  for (auto& g : groups) {
    g.erase(std::remove_if(
                g.begin(), g.end(),
                [&](const Workload& w) { return !Selected(c.only, w.id); }),
            g.end());
  }
  groups.erase(
      std::remove_if(groups.begin(), groups.end(),
                     [](const std::vector<Workload>& g) { return g.empty(); }),
      groups.end());
  for (const auto& g : groups)
    r.workloads.insert(r.workloads.end(), g.begin(), g.end());

  std::vector<std::unique_ptr<Peer>> peers;
  peers.push_back(NewKvstorePeer());
  peers.push_back(NewKvstoreAreaPeer());
  peers.push_back(NewBarePeer());
  peers.push_back(NewBoostPeer());
  peers.push_back(NewLmdbPeer());
  const bool want_redis =
      Selected(c.systems, "redis") || Selected(c.systems, "redis-p64");
  if (want_redis) {
    absl::Status redis = StartRedisServer();
    if (redis.ok()) {
      peers.push_back(NewRedisPeer(1));
      peers.push_back(NewRedisPeer(64));
    } else {
      r.notes.push_back(absl::StrCat("redis skipped: ", redis.message()));
      std::cerr << "compare: " << r.notes.back() << "\n";
    }
  }
  peers.push_back(NewAbslPeer());
  peers.erase(std::remove_if(peers.begin(), peers.end(),
                             [&](const std::unique_ptr<Peer>& p) {
                               return p->name() != kBare &&
                                      !Selected(c.systems, p->name());
                             }),
              peers.end());
  for (const auto& p : peers) r.systems.push_back(p->name());
  r.systems.push_back(kFloor);

  int failures = 0;
  for (uint64_t keys : {c.small_keys, c.large_keys}) {
    if (!Selected(c.only, keys == c.small_keys ? "get_s" : "get_l")) continue;
    absl::StatusOr<MemoryStats> mem = KvstoreMemory(keys);
    absl::StatusOr<Measurement> floor =
        mem.ok() ? MeasureFloor(mem->segment_bytes, c.ops, c.reps)
                 : absl::StatusOr<Measurement>(mem.status());
    if (!floor.ok()) {
      r.notes.push_back(
          absl::StrCat("floor failed: ", floor.status().ToString()));
      ++failures;
      continue;
    }
    r.memory.push_back(*mem);
    r.cells[kFloor][keys == c.small_keys ? "get_s" : "get_l"] = *floor;
    std::cerr << absl::StrFormat(
        "  %-10s %-16s %10.1f ns/load\n", kFloor,
        absl::StrFormat("%.1f MB", mem->segment_bytes / 1e6), floor->Median());
  }
  for (const auto& group : groups) {
    const size_t before = r.notes.size();
    RunGroup(peers, group, c, &r);
    failures += r.notes.size() - before;
  }
  r.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();

  const std::vector<Target> targets = EvaluateTargets(r);
  std::cout << "\nns per operation: median (min–max) of " << c.reps
            << " repetitions\n\n"
            << FormatTable(r, false) << "\n"
            << "ratio to " << kBare
            << ": median (min–max) of the per-round ratios\n\n"
            << FormatRatios(r, false) << "\n"
            << "2-process latency, ns (1 operation in " << kSampleEvery
            << " timed alone)\n\n"
            << FormatLatency(r, false) << "\n"
            << FormatTargets(targets, false) << "\n"
            << FormatMemory(r);
  if (!c.out_dir.empty()) {
    absl::Status status = WriteDocs(c.out_dir, r, targets, kCommand);
    if (!status.ok()) {
      std::cerr << "compare: writing docs: " << status << "\n";
      ++failures;
    } else {
      std::cerr << "compare: wrote " << c.out_dir << "/benchmarks.md\n";
    }
  }
  return failures == 0 ? 0 : 1;
}

}  // namespace
}  // namespace kvstore_bench

int main(int argc, char** argv) { return kvstore_bench::Main(argc, argv); }
