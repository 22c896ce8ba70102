// The Redis tier (docs/tier.md) under load: 2 hosts (2 stores, each with
// its own sync process), 2 processes per host, one Redis, Zipf(0.99) keys
// over 100k keys, 5% writes. Reports the cost of a get through the tier,
// of a plain hiredis GET and of pipelined GETs to the same Redis, the local
// hit rate, and the invalidation delay (a write on host A until host B
// stops serving the old value), measured while the load runs.
//
//   ./bazelw run //bench:tier_bench -- [--keys=100000] [--ops=400000]
//                                      [--probes=1000] [--prefill=1]
#include <hiredis/hiredis.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <random>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "bench/system_info.h"
#include "bench/zipf.h"
#include "kvstore/store.h"
#include "kvstore/tier/sync.h"
#include "kvstore/tier/tier.h"
#include "kvstore/tier/tier_stats.h"

namespace {

constexpr char kPrefix[] = "t:";
constexpr int kHosts = 2;
constexpr int kPerHost = 2;
constexpr int kWritePercent = 5;

using ::kvstore_bench::Zipf;

uint64_t Flag(int argc, char** argv, const char* name, uint64_t fallback) {
  const std::string prefix = absl::StrCat("--", name, "=");
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    uint64_t v;
    if (a.rfind(prefix, 0) == 0 &&
        absl::SimpleAtoi(a.substr(prefix.size()), &v)) {
      return v;
    }
  }
  return fallback;
}

int64_t NowNs() { return absl::GetCurrentTimeNanos(); }

std::string Key(uint64_t i) { return absl::StrCat(kPrefix, i); }

const std::string kValue(32, 'v');

void Die(const std::string& what) {
  std::cerr << "tier_bench: " << what << "\n";
  std::exit(1);
}

pid_t ForkChild() {
  const pid_t pid = fork();
  if (pid == 0) prctl(PR_SET_PDEATHSIG, SIGKILL);
  return pid;
}

std::atomic<bool> g_stop{false};
void OnTerm(int) { g_stop.store(true); }

// One measuring process's result, sent to the parent over a pipe.
struct Result {
  static constexpr int kBuckets = 2001;  // 100 ns each; the last: beyond.
  uint64_t gets = 0;
  int64_t get_ns = 0;
  uint64_t errors = 0;
  // Of the tier's gets (from the handle's own counts): served from shared
  // memory, and sent to Redis (fills and read-throughs).
  int64_t hits = 0;
  int64_t misses = 0;
  // Gets that took 20 us or more, and their time.
  uint64_t slow = 0;
  int64_t slow_ns = 0;
  uint64_t histogram[kBuckets] = {};

  void Record(int64_t ns) {
    ++histogram[std::min<int64_t>(ns / 100, kBuckets - 1)];
  }
  // The q-quantile of recorded latencies, in microseconds (bucket top).
  double QuantileUs(double q) const {
    uint64_t n = 0;
    for (uint64_t c : histogram) n += c;
    uint64_t seen = 0;
    for (int i = 0; i < kBuckets; ++i) {
      seen += histogram[i];
      if (seen > 0 && seen >= q * n) return (i + 1) / 10.0;
    }
    return 0;
  }
};

void SendResult(int fd, const Result& r) {
  if (write(fd, &r, sizeof(r)) != sizeof(r)) _exit(3);
  _exit(0);
}

Result Collect(const std::vector<std::pair<pid_t, int>>& children) {
  Result total;
  for (const auto& [pid, fd] : children) {
    Result r;
    if (read(fd, &r, sizeof(r)) != sizeof(r)) Die("a worker failed");
    close(fd);
    waitpid(pid, nullptr, 0);
    total.gets += r.gets;
    total.get_ns += r.get_ns;
    total.errors += r.errors;
    total.hits += r.hits;
    total.misses += r.misses;
    total.slow += r.slow;
    total.slow_ns += r.slow_ns;
    for (int i = 0; i < Result::kBuckets; ++i) {
      total.histogram[i] += r.histogram[i];
    }
  }
  return total;
}

// Forks kHosts * kPerHost workers running `body(worker, host)`.
template <typename Body>
std::vector<std::pair<pid_t, int>> Spawn(Body body) {
  std::vector<std::pair<pid_t, int>> children;
  for (int w = 0; w < kHosts * kPerHost; ++w) {
    int fds[2];
    if (pipe(fds) != 0) Die("pipe");
    const pid_t pid = ForkChild();
    if (pid == 0) {
      close(fds[0]);
      SendResult(fds[1], body(w, w / kPerHost));
    }
    close(fds[1]);
    children.emplace_back(pid, fds[0]);
  }
  return children;
}

redisContext* Connect(const std::string& socket) {
  redisContext* c = redisConnectUnix(socket.c_str());
  if (c == nullptr || c->err != 0) Die("cannot connect to redis");
  return c;
}

}  // namespace

int main(int argc, char** argv) {
  const uint64_t keys = Flag(argc, argv, "keys", 100000);
  const uint64_t ops = Flag(argc, argv, "ops", 400000);
  const uint64_t probes = Flag(argc, argv, "probes", 1000);
  // 1: every key is read once on each host before the warm-up (steady
  // state of a cache that holds the whole key space); 0: cold start.
  const bool prefill = Flag(argc, argv, "prefill", 1) != 0;
  const std::string redis_binary = kvstore_bench::FindBinary("redis-server");
  if (redis_binary.empty()) Die("redis-server not found");
  const std::string dir = absl::StrCat("/tmp/kvstore-tier-bench-", getpid());
  const std::string socket = dir + "/redis.sock";
  const std::string url = "unix://" + socket;
  mkdir(dir.c_str(), 0700);
  const pid_t redis = ForkChild();
  if (redis == 0) {
    if (freopen("/dev/null", "w", stdout) == nullptr) _exit(126);
    execl(redis_binary.c_str(), redis_binary.c_str(), "--port", "0",
          "--unixsocket", socket.c_str(), "--save", "", "--appendonly", "no",
          "--dir", dir.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  redisContext* admin = nullptr;
  for (int i = 0; i < 1000 && admin == nullptr; ++i) {
    absl::SleepFor(absl::Milliseconds(10));
    redisContext* c = redisConnectUnix(socket.c_str());
    if (c != nullptr && c->err == 0) {
      admin = c;
    } else if (c != nullptr) {
      redisFree(c);
    }
  }
  if (admin == nullptr) Die("redis-server did not start");
  for (uint64_t i = 0; i < keys; ++i) {
    const std::string k = Key(i);
    redisAppendCommand(admin, "SET %b %b", k.data(), k.size(), kValue.data(),
                       kValue.size());
    if (i % 1000 == 999 || i + 1 == keys) {
      for (uint64_t j = i - i % 1000; j <= i; ++j) {
        void* r = nullptr;
        redisGetReply(admin, &r);
        freeReplyObject(r);
      }
    }
  }

  std::vector<std::string> stores;
  kvstore::TierOptions tier_options;
  tier_options.prefix = kPrefix;
  tier_options.store_options.capacity = keys * 2 + 4096;
  tier_options.store_options.max_value_bytes = 256;
  std::vector<pid_t> syncs;
  for (int h = 0; h < kHosts; ++h) {
    stores.push_back(absl::StrCat("/kvtierbench_", getpid(), "_", h));
    kvstore::Store::Destroy(stores.back()).IgnoreError();
    kvstore::Store::Destroy(stores.back() + ".tier").IgnoreError();
    auto created =
        kvstore::Store::Open(stores.back(), tier_options.store_options);
    if (!created.ok()) Die(created.status().ToString());
    const pid_t pid = ForkChild();
    if (pid == 0) {
      signal(SIGTERM, OnTerm);
      kvstore::SyncOptions options;
      options.prefix = kPrefix;
      std::ostringstream quiet;
      absl::Status s =
          kvstore::RunSync(stores.back(), url, options, g_stop, quiet);
      _exit(s.ok() ? 0 : 3);
    }
    syncs.push_back(pid);
  }
  for (const std::string& s : stores) {
    for (int i = 0;; ++i) {
      auto t = kvstore::ReadTierStats(s);
      if (t.ok() && t->heartbeat_age < absl::Milliseconds(500)) break;
      if (i > 3000) Die("sync did not start");
      absl::SleepFor(absl::Milliseconds(5));
    }
  }

  // ---- Tier: every key read once on each host (the store holds them all,
  // so this is the steady state), a warm-up pass, then timed, with
  // invalidation probes alongside.
  if (prefill) {
    Collect(Spawn([&](int worker, int host) {
      auto tier = kvstore::Tier::Open(stores[host], url, tier_options);
      if (!tier.ok()) Die(tier.status().ToString());
      Result r;
      for (uint64_t i = worker % kPerHost; i < keys; i += kPerHost) {
        if (!(*tier)->Get(Key(i)).ok()) ++r.errors;
      }
      return r;
    }));
  }
  auto tier_worker = [&](int worker, int host, bool timed) {
    auto tier = kvstore::Tier::Open(stores[host], url, tier_options);
    if (!tier.ok()) Die(tier.status().ToString());
    Zipf zipf(keys, 0.99);
    std::mt19937_64 rng(worker * 7919 + (timed ? 1 : 0));
    Result r;
    for (uint64_t i = 0; i < ops; ++i) {
      const std::string k = Key(zipf(rng));
      if (static_cast<int>(rng() % 100) < kWritePercent) {
        if (!(*tier)->Set(k, kValue).ok()) ++r.errors;
        continue;
      }
      const int64_t t0 = NowNs();
      absl::StatusOr<std::string> v = (*tier)->Get(k);
      const int64_t took = NowNs() - t0;
      r.get_ns += took;
      r.Record(took);
      ++r.gets;
      if (took >= 20000) {
        ++r.slow;
        r.slow_ns += took;
      }
      if (!v.ok()) ++r.errors;
    }
    const kvstore::TierStats counts = (*tier)->Counts();
    r.hits = counts.local_hits;
    r.misses = counts.fills + counts.read_throughs;
    return r;
  };
  Collect(Spawn([&](int w, int h) { return tier_worker(w, h, false); }));
  std::vector<kvstore::TierStats> before;
  for (const std::string& s : stores)
    before.push_back(*kvstore::ReadTierStats(s));
  auto children = Spawn([&](int w, int h) { return tier_worker(w, h, true); });

  auto a = kvstore::Tier::Open(stores[0], url, tier_options);
  auto b = kvstore::Tier::Open(stores[1], url, tier_options);
  if (!a.ok() || !b.ok()) Die("cannot open the probing tiers");
  std::vector<int64_t> delays;
  for (uint64_t p = 0; p < probes; ++p) {
    const std::string k = absl::StrCat(kPrefix, "probe", p % 16);
    if (!(*a)->Set(k, absl::StrCat("old", p)).ok()) Die("probe set");
    // B caches the old value (and keeps it once the write's own
    // invalidation has reached it).
    // Polls every 20 us: a busy loop would take a CPU from the load.
    const int64_t settle = NowNs() + 2000000000;
    while (NowNs() < settle) {
      auto v = (*b)->Get(k);
      if (v.ok() && *v == absl::StrCat("old", p) && (*b)->store().Get(k).ok()) {
        break;
      }
      absl::SleepFor(absl::Microseconds(20));
    }
    if (!(*a)->Set(k, absl::StrCat("new", p)).ok()) Die("probe set");
    const int64_t acked = NowNs();
    while (true) {
      auto v = (*b)->Get(k);
      if (v.ok() && *v == absl::StrCat("new", p)) break;
      absl::SleepFor(absl::Microseconds(20));
    }
    delays.push_back(NowNs() - acked);
  }
  const Result tier = Collect(children);
  const int64_t hits = tier.hits, misses = tier.misses;
  int64_t refreshes = 0;
  for (size_t h = 0; h < stores.size(); ++h) {
    a->get()->FlushCounters();
    b->get()->FlushCounters();
    const kvstore::TierStats after = *kvstore::ReadTierStats(stores[h]);
    refreshes += after.refreshes - before[h].refreshes;
    if (getenv("TIER_BENCH_DEBUG") != nullptr) {
      fprintf(stderr,
              "host %zu: fills %lld discarded %lld invalidations %lld "
              "refreshes %lld flushes %lld read_throughs %lld\n",
              h, (long long)(after.fills - before[h].fills),
              (long long)(after.fills_discarded - before[h].fills_discarded),
              (long long)(after.invalidations - before[h].invalidations),
              (long long)(after.refreshes - before[h].refreshes),
              (long long)(after.flushes - before[h].flushes),
              (long long)(after.read_throughs - before[h].read_throughs));
    }
  }

  // ---- Plain hiredis GETs, one round trip each, and pipelined.
  auto redis_worker = [&](int worker, int depth) {
    redisContext* c = Connect(socket);
    Zipf zipf(keys, 0.99);
    std::mt19937_64 rng(worker * 7919 + 5);
    Result r;
    const uint64_t n = ops / 8;
    for (uint64_t i = 0; i < n; i += depth) {
      const int64_t t0 = NowNs();
      for (int d = 0; d < depth; ++d) {
        const std::string k = Key(zipf(rng));
        redisAppendCommand(c, "GET %b", k.data(), k.size());
      }
      for (int d = 0; d < depth; ++d) {
        void* reply = nullptr;
        if (redisGetReply(c, &reply) != REDIS_OK) ++r.errors;
        freeReplyObject(reply);
      }
      const int64_t took = NowNs() - t0;
      r.get_ns += took;
      for (int d = 0; d < depth; ++d) r.Record(took / depth);
      r.gets += depth;
    }
    redisFree(c);
    return r;
  };
  const Result plain =
      Collect(Spawn([&](int w, int) { return redis_worker(w, 1); }));
  const Result piped =
      Collect(Spawn([&](int w, int) { return redis_worker(w, 64); }));

  std::sort(delays.begin(), delays.end());
  auto pct = [&](double q) {
    return delays.empty()
               ? 0.0
               : delays[std::min(delays.size() - 1,
                                 static_cast<size_t>(q * delays.size()))] /
                     1e3;
  };
  const double tier_ns = tier.get_ns / static_cast<double>(tier.gets);
  const double plain_ns = plain.get_ns / static_cast<double>(plain.gets);
  const double piped_ns = piped.get_ns / static_cast<double>(piped.gets);
  printf("| | mean | p50 | p90 | p99 |\n| --- | ---: | ---: | ---: | ---: |\n");
  for (const auto& [name, r, mean] :
       {std::tuple<const char*, const Result*, double>{
            "tier get (Zipf 0.99, 5% writes)", &tier, tier_ns},
        {"hiredis GET, one round trip", &plain, plain_ns},
        {"hiredis GET, pipelined 64 deep (per GET)", &piped, piped_ns}}) {
    printf("| %s | %.2f us | %.1f us | %.1f us | %.1f us |\n", name, mean / 1e3,
           r->QuantileUs(0.5), r->QuantileUs(0.9), r->QuantileUs(0.99));
  }
  printf("\n");
  printf("tier vs one round trip: %.1fx faster; vs pipelined: %.1fx\n",
         plain_ns / tier_ns, piped_ns / tier_ns);
  printf("local hit rate: %.2f%% (%lld hits, %lld misses)\n",
         100.0 * hits / std::max<int64_t>(1, hits + misses),
         static_cast<long long>(hits), static_cast<long long>(misses));
  printf(
      "tier gets of 20 us or more: %.2f%%, %.1f%% of the time (mean %.0f "
      "us); copies refreshed in place: %lld\n",
      100.0 * tier.slow / std::max<uint64_t>(1, tier.gets),
      100.0 * tier.slow_ns / std::max<int64_t>(1, tier.get_ns),
      tier.slow_ns / 1e3 / std::max<uint64_t>(1, tier.slow),
      static_cast<long long>(refreshes));
  printf(
      "invalidation delay over %zu probes: p50 %.0f us, p99 %.0f us, "
      "max %.0f us\n",
      delays.size(), pct(0.5), pct(0.99),
      delays.empty() ? 0.0 : delays.back() / 1e3);
  printf("errors: tier %llu, plain %llu, pipelined %llu\n",
         static_cast<unsigned long long>(tier.errors),
         static_cast<unsigned long long>(plain.errors),
         static_cast<unsigned long long>(piped.errors));
  printf("%zu hosts x %d processes, %llu keys, %llu ops per process, %s\n",
         stores.size(), kPerHost, static_cast<unsigned long long>(keys),
         static_cast<unsigned long long>(ops),
         prefill ? "every key read once first" : "cold start");

  a->reset();
  b->reset();
  for (pid_t s : syncs) {
    kill(s, SIGTERM);
    waitpid(s, nullptr, 0);
  }
  kill(redis, SIGTERM);
  waitpid(redis, nullptr, 0);
  redisFree(admin);
  for (const std::string& s : stores) {
    kvstore::Store::Destroy(s).IgnoreError();
    kvstore::Store::Destroy(s + ".tier").IgnoreError();
  }
  unlink(socket.c_str());
  rmdir(dir.c_str());
  return 0;
}
