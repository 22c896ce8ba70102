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

// Runs `ops` in a forked child once the parent says go. Never returns.
[[noreturn]] void ChildMain(Peer* peer, const std::vector<Op>& ops,
                            const std::vector<Op>& warmup, int ready_fd,
                            int go_fd) {
  absl::Status status = peer->AttachInChild();
  // Fault in this process's page tables and caches before the clock starts.
  if (status.ok()) status = peer->Run(warmup.data(), warmup.size());
  char byte = status.ok() ? 'r' : 'x';
  if (write(ready_fd, &byte, 1) != 1 || !status.ok()) _exit(2);
  if (read(go_fd, &byte, 1) != 1) _exit(3);
  status = peer->Run(ops.data(), ops.size());
  if (!status.ok()) {
    const std::string msg =
        absl::StrCat(peer->name(), ": ", status.ToString(), "\n");
    ssize_t ignored = write(STDERR_FILENO, msg.data(), msg.size());
    (void)ignored;
    _exit(1);
  }
  _exit(0);
}

// One repetition with two processes; returns wall ns over both processes.
absl::StatusOr<double> RunTwoProcesses(Peer* peer, const Workload& w,
                                       size_t ops, uint64_t seed) {
  const std::vector<Op> ops_a = MakeOps(w, ops, seed);
  const std::vector<Op> ops_b = MakeOps(w, ops, seed + 1000003);
  const std::vector<Op> warmup = MakeOps(w, std::max<size_t>(ops / 5, 1000), 7);
  int ready[2], go[2];
  if (pipe(ready) != 0 || pipe(go) != 0) return absl::InternalError("pipe");
  pid_t pids[2] = {-1, -1};
  int handles[2] = {-1, -1};
  for (int i = 0; i < 2; ++i) {
    pids[i] = fork();
    if (pids[i] == 0) {
      ChildMain(peer, i == 0 ? ops_a : ops_b, warmup, ready[1], go[0]);
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
  if (!ok) {
    return absl::InternalError(absl::StrCat(
        peer->name(), ": a child process of ", w.label, " failed"));
  }
  return ns;
}

}  // namespace

double Measurement::Median() const {
  std::vector<double> v = ns_per_op;
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

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

absl::StatusOr<Measurement> Measure(Peer* peer, const Workload& w, size_t ops,
                                    int reps) {
  Measurement m;
  const std::vector<Op> warmup =
      MakeOps(w, std::max<size_t>(ops / 10, 1000), 7);
  absl::Status status = peer->Run(warmup.data(), warmup.size());
  if (!status.ok()) return status;
  for (int rep = 0; rep < reps; ++rep) {
    const uint64_t seed = 1000 + rep;
    if (w.processes == 2) {
      absl::StatusOr<double> ns = RunTwoProcesses(peer, w, ops, seed);
      if (!ns.ok()) return ns.status();
      m.ns_per_op.push_back(*ns / (2.0 * ops));
      continue;
    }
    const std::vector<Op> run = MakeOps(w, ops, seed);
    const Clock::time_point start = Clock::now();
    status = peer->Run(run.data(), run.size());
    const double ns = NsSince(start);
    if (!status.ok()) return status;
    m.ns_per_op.push_back(ns / ops);
  }
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
