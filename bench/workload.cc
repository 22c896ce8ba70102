#include "bench/workload.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <random>

#include "absl/strings/str_cat.h"
#include "bench/cleanup.h"

namespace kvstore_bench {
namespace {

using Clock = std::chrono::steady_clock;

double NsSince(Clock::time_point start) {
  return std::chrono::duration<double, std::nano>(Clock::now() - start).count();
}

// One timed operation of a child, written to memory shared with the parent.
struct Sample {
  float ns;
  OpKind kind;
};

// Runs `ops`, timing every kSampleEvery-th one alone into `samples`.
absl::Status RunSampled(Peer* peer, const std::vector<Op>& ops,
                        Sample* samples) {
  size_t taken = 0;
  for (size_t first = 0; first < ops.size(); first += kSampleEvery) {
    const size_t n = std::min(kSampleEvery, ops.size() - first);
    const Clock::time_point start = Clock::now();
    absl::Status status = peer->Run(&ops[first], 1);
    samples[taken++] =
        Sample{static_cast<float>(NsSince(start)), ops[first].kind};
    if (status.ok() && n > 1) status = peer->Run(&ops[first + 1], n - 1);
    if (!status.ok()) return status;
  }
  return absl::OkStatus();
}

size_t SampleCount(size_t ops) {
  return (ops + kSampleEvery - 1) / kSampleEvery;
}

// Runs `ops` in a forked child once the parent says go. Never returns.
[[noreturn]] void ChildMain(Peer* peer, const std::vector<Op>& ops,
                            const std::vector<Op>& warmup, Sample* samples,
                            int ready_fd, int go_fd) {
  absl::Status status = peer->AttachInChild();
  // Fault in this process's page tables and caches before the clock starts.
  if (status.ok()) status = peer->Run(warmup.data(), warmup.size());
  char byte = status.ok() ? 'r' : 'x';
  if (write(ready_fd, &byte, 1) != 1 || !status.ok()) _exit(2);
  if (read(go_fd, &byte, 1) != 1) _exit(3);
  status = RunSampled(peer, ops, samples);
  if (!status.ok()) {
    const std::string msg =
        absl::StrCat(peer->name(), ": ", status.ToString(), "\n");
    ssize_t ignored = write(STDERR_FILENO, msg.data(), msg.size());
    (void)ignored;
    _exit(1);
  }
  _exit(0);
}

// One repetition with two processes; returns wall ns over both processes
// and appends the children's sampled latencies to `m`.
absl::StatusOr<double> RunTwoProcesses(Peer* peer, const Workload& w,
                                       size_t ops, uint64_t seed,
                                       Measurement* m) {
  const std::vector<Op> ops_a = MakeOps(w, ops, seed);
  const std::vector<Op> ops_b = MakeOps(w, ops, seed + 1000003);
  const std::vector<Op> warmup = MakeOps(w, std::max<size_t>(ops / 5, 1000), 7);
  const size_t per_child = SampleCount(ops);
  const size_t sample_bytes = 2 * per_child * sizeof(Sample);
  void* shared = mmap(nullptr, sample_bytes, PROT_READ | PROT_WRITE,
                      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (shared == MAP_FAILED) return absl::InternalError("mmap samples");
  Sample* const samples = static_cast<Sample*>(shared);
  int ready[2], go[2];
  if (pipe(ready) != 0 || pipe(go) != 0) {
    munmap(shared, sample_bytes);
    return absl::InternalError("pipe");
  }
  pid_t pids[2] = {-1, -1};
  int handles[2] = {-1, -1};
  for (int i = 0; i < 2; ++i) {
    pids[i] = fork();
    if (pids[i] == 0) {
      ChildMain(peer, i == 0 ? ops_a : ops_b, warmup, samples + i * per_child,
                ready[1], go[0]);
    }
    if (pids[i] > 0) handles[i] = RegisterChild(pids[i]);
  }
  close(ready[1]);
  close(go[0]);
  bool ok = pids[0] > 0 && pids[1] > 0;
  char bytes[2] = {0, 0};
  for (int i = 0; ok && i < 2; ++i) {
    ok = read(ready[0], &bytes[i], 1) == 1 && bytes[i] == 'r';
  }
  const Clock::time_point start = Clock::now();
  if (ok) ok = write(go[1], "gg", 2) == 2;
  close(go[1]);
  close(ready[0]);
  for (int i = 0; i < 2; ++i) {
    if (pids[i] <= 0) continue;
    int status = 0;
    waitpid(pids[i], &status, 0);
    Unregister(handles[i]);
    ok = ok && WIFEXITED(status) && WEXITSTATUS(status) == 0;
  }
  const double ns = NsSince(start);
  if (ok) {
    for (size_t i = 0; i < 2 * per_child; ++i) {
      (samples[i].kind == OpKind::kGet ? m->get_ns : m->set_ns)
          .push_back(samples[i].ns);
    }
  }
  munmap(shared, sample_bytes);
  if (!ok) {
    return absl::InternalError(absl::StrCat(
        peer->name(), ": a child process of ", w.label, " failed"));
  }
  return ns;
}

}  // namespace

double Measurement::Median() const { return MedianOf(ns_per_op); }

double Measurement::Min() const {
  return ns_per_op.empty()
             ? 0
             : *std::min_element(ns_per_op.begin(), ns_per_op.end());
}

double Measurement::Max() const {
  return ns_per_op.empty()
             ? 0
             : *std::max_element(ns_per_op.begin(), ns_per_op.end());
}

double Quantile(std::vector<float> v, double q) {
  if (v.empty()) return 0;
  size_t rank = static_cast<size_t>(q * v.size());
  if (rank >= v.size()) rank = v.size() - 1;
  std::nth_element(v.begin(), v.begin() + rank, v.end());
  return v[rank];
}

double MedianOf(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

std::vector<Op> MakeOps(const Workload& w, size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<uint32_t> key(0, w.keys - 1);
  std::uniform_int_distribution<int> percent(0, 99);
  std::vector<Op> ops(n);
  for (Op& op : ops) {
    op.key = key(rng);
    if (w.increment) {
      op.kind = OpKind::kIncrement;
    } else {
      op.kind = percent(rng) < w.get_percent ? OpKind::kGet : OpKind::kSet;
    }
  }
  return ops;
}

absl::Status WarmUp(Peer* peer, const Workload& w, size_t ops) {
  const std::vector<Op> warmup =
      MakeOps(w, std::max<size_t>(ops / 10, 1000), 7);
  if (w.batch > 0) {
    return peer->RunBatchedGets(warmup.data(), warmup.size(), w.batch);
  }
  return peer->Run(warmup.data(), warmup.size());
}

absl::Status MeasureOnce(Peer* peer, const Workload& w, size_t ops,
                         uint64_t seed, Measurement* m) {
  if (w.processes == 2) {
    absl::StatusOr<double> ns = RunTwoProcesses(peer, w, ops, seed, m);
    if (!ns.ok()) return ns.status();
    m->ns_per_op.push_back(*ns / (2.0 * ops));
    return absl::OkStatus();
  }
  const std::vector<Op> run = MakeOps(w, ops, seed);
  const Clock::time_point start = Clock::now();
  absl::Status status =
      w.batch > 0 ? peer->RunBatchedGets(run.data(), run.size(), w.batch)
                  : peer->Run(run.data(), run.size());
  const double ns = NsSince(start);
  if (!status.ok()) return status;
  m->ns_per_op.push_back(ns / ops);
  return absl::OkStatus();
}

std::vector<absl::Status> MeasureSideBySide(
    const std::vector<Peer*>& peers, const Workload& w,
    const std::vector<size_t>& ops, uint64_t seed, int slices,
    const std::vector<Measurement*>& m) {
  const size_t n = peers.size();
  std::vector<absl::Status> status(n);
  std::vector<std::vector<Op>> run(n);
  std::vector<double> ns(n, 0);
  for (size_t k = 0; k < n; ++k) run[k] = MakeOps(w, ops[k], seed);
  for (int slice = 0; slice < slices; ++slice) {
    for (size_t turn = 0; turn < n; ++turn) {
      const size_t k = (seed + slice + turn) % n;
      if (!status[k].ok()) continue;
      const size_t first = ops[k] * slice / slices;
      const size_t last = ops[k] * (slice + 1) / slices;
      const Clock::time_point start = Clock::now();
      status[k] = w.batch > 0 ? peers[k]->RunBatchedGets(&run[k][first],
                                                         last - first, w.batch)
                              : peers[k]->Run(&run[k][first], last - first);
      ns[k] += NsSince(start);
    }
  }
  for (size_t k = 0; k < n; ++k) {
    if (status[k].ok()) m[k]->ns_per_op.push_back(ns[k] / ops[k]);
  }
  return status;
}

absl::StatusOr<Measurement> Measure(Peer* peer, const Workload& w, size_t ops,
                                    int reps) {
  absl::Status status = WarmUp(peer, w, ops);
  Measurement m;
  for (int rep = 0; status.ok() && rep < reps; ++rep) {
    status = MeasureOnce(peer, w, ops, 1000 + rep, &m);
  }
  if (!status.ok()) return status;
  return m;
}

absl::StatusOr<Measurement> MeasureFloor(uint64_t bytes, size_t loads,
                                         int reps) {
  // A shared-memory object like a store's segment, so that page size and
  // TLB behaviour match; unlinked at once, so nothing is left behind.
  const std::string name = absl::StrCat("/kvstore-bench-floor-", getpid());
  const int fd = shm_open(name.c_str(), O_RDWR | O_CREAT | O_EXCL, 0600);
  if (fd < 0) return absl::InternalError("floor: shm_open failed");
  shm_unlink(name.c_str());
  void* base = MAP_FAILED;
  if (ftruncate(fd, bytes) == 0) {
    base = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  }
  close(fd);
  if (base == MAP_FAILED) return absl::InternalError("floor: mmap failed");

  // One node per 64-byte line; Sattolo's shuffle makes a single cycle.
  constexpr size_t kLine = 64;
  const size_t lines = bytes / kLine;
  std::vector<uint32_t> next(lines);
  for (size_t i = 0; i < lines; ++i) next[i] = i;
  std::mt19937_64 rng(42);
  for (size_t i = lines - 1; i > 0; --i) {
    std::swap(next[i],
              next[std::uniform_int_distribution<size_t>(0, i - 1)(rng)]);
  }
  char* const lines_base = static_cast<char*>(base);
  for (size_t i = 0; i < lines; ++i) {
    *reinterpret_cast<uint64_t*>(lines_base + i * kLine) = next[i];
  }
  next = {};

  Measurement m;
  uint64_t at = 0;
  for (int rep = -1; rep < reps; ++rep) {  // Rep -1 warms up.
    const Clock::time_point start = Clock::now();
    for (size_t i = 0; i < loads; ++i) {
      at = *reinterpret_cast<volatile uint64_t*>(lines_base + at * kLine);
    }
    const double ns = NsSince(start);
    if (rep >= 0) m.ns_per_op.push_back(ns / loads);
  }
  munmap(base, bytes);
  if (at >= lines) return absl::InternalError("floor: broken cycle");
  return m;
}

}  // namespace kvstore_bench
