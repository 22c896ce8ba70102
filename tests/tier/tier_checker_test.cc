// A randomized checker: several processes on each of two hosts read and
// increment a small key space through the tier while one host's sync
// process is killed and restarted. Every read is checked against the
// history of acknowledged writes (docs/tier.md, "The guarantee"):
//   - a read never returns a value older than a write acknowledged on its
//     own host before the read began (the writer invalidates its host);
//   - a read never returns a value older than a write acknowledged
//     anywhere more than the heartbeat bound before the read began;
//   - a read never returns a value no one wrote;
//   - a read never returns a value older than one a read on its host
//     returned before it began.
// Values are counters that only grow (INCRBY 1), so "older" is "smaller".
#include <algorithm>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "kvstore/tier/tier.h"
#include "tests/status_matchers.h"
#include "tests/test_util.h"
#include "tests/tier/redis_fixture.h"

namespace kvstore {
namespace testing {
namespace {

constexpr char kPrefix[] = "chk:";
constexpr int kKeys = 6;
constexpr int kWorkersPerHost = 3;
constexpr int kMillis = 2500;
constexpr int kWritePercent = 10;
// The workers' TierOptions::heartbeat_bound (the default).
constexpr int64_t kBoundNs = 1000000000;

struct Op {
  char kind;  // 'R', 'W' or 'E'.
  int host;
  std::string key;
  int64_t value;
  int64_t begin_ns;
  int64_t end_ns;
};

std::vector<Op> ReadLog(const std::string& path, int host) {
  std::vector<Op> ops;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    Op op;
    op.host = host;
    fields >> op.kind >> op.key >> op.value >> op.begin_ns >> op.end_ns;
    if (fields) ops.push_back(op);
  }
  return ops;
}

TEST(TierCheckerTest, ReadsNeverGoBehindAcknowledgedWrites) {
  std::unique_ptr<RedisServer> redis = RedisServer::Start();
  ASSERT_NE(redis, nullptr);
  ScopedTierStoreName stores[2] = {ScopedTierStoreName("ca"),
                                   ScopedTierStoreName("cb")};
  ChildProcess syncs[2];
  const std::string sync_log = redis->dir() + "/sync.log";
  for (int h = 0; h < 2; ++h) {
    syncs[h] = StartSync(stores[h].name(), redis->url(), kPrefix, sync_log);
    ASSERT_TRUE(WaitForHeartbeat(stores[h].name(), syncs[h].pid()));
  }
  for (int k = 0; k < kKeys; ++k) {
    ASSERT_OK(redis->Command({"SET", absl::StrCat(kPrefix, k), "0"}));
  }
  std::vector<ChildProcess> workers;
  std::vector<std::pair<std::string, int>> logs;
  for (int h = 0; h < 2; ++h) {
    for (int w = 0; w < kWorkersPerHost; ++w) {
      const std::string log = absl::StrCat(redis->dir(), "/w", h, "_", w);
      logs.emplace_back(log, h);
      workers.push_back(ChildProcess::Start(
          {RunfilePath("tests/tier/tier_worker"), "check", stores[h].name(),
           redis->url(), kPrefix, absl::StrCat(kKeys), absl::StrCat(kMillis),
           absl::StrCat(h * 100 + w + 1), absl::StrCat(kWritePercent), log},
          redis->dir() + "/workers.err"));
    }
  }
  // Midway, host 1 loses its sync process and gets a new one.
  ASSERT_TRUE(PollUntil([&] {
    std::ifstream in(logs.back().first);
    return in.peek() != std::ifstream::traits_type::eof();
  }));
  syncs[1].Kill(SIGKILL);
  syncs[1] = StartSync(stores[1].name(), redis->url(), kPrefix, sync_log);
  ASSERT_TRUE(WaitForHeartbeat(stores[1].name(), syncs[1].pid()));
  for (ChildProcess& w : workers) {
    const ProcessResult ended = w.WaitFor(absl::Seconds(60));
    ASSERT_EQ(ended.exit_code, 0) << ended;
  }

  std::vector<Op> ops;
  for (const auto& [path, host] : logs) {
    std::vector<Op> more = ReadLog(path, host);
    ops.insert(ops.end(), more.begin(), more.end());
  }
  // Writes per key, by acknowledgement time.
  std::map<std::string, std::vector<const Op*>> writes;
  std::map<std::string, int64_t> highest;
  int reads = 0, errors = 0;
  for (const Op& op : ops) {
    if (op.kind == 'W') {
      writes[op.key].push_back(&op);
      highest[op.key] = std::max(highest[op.key], op.value);
    }
    if (op.kind == 'R') ++reads;
    if (op.kind == 'E') ++errors;
  }
  EXPECT_EQ(errors, 0);
  ASSERT_GT(reads, 1000);
  ASSERT_GT(writes.size(), 0u);
  int violations = 0;
  for (const Op& r : ops) {
    if (r.kind != 'R') continue;
    int64_t own_floor = 0, any_floor = 0;
    for (const Op* w : writes[r.key]) {
      if (w->end_ns < r.begin_ns && w->host == r.host) {
        own_floor = std::max(own_floor, w->value);
      }
      if (w->end_ns < r.begin_ns - kBoundNs) {
        any_floor = std::max(any_floor, w->value);
      }
    }
    const bool bad =
        r.value < own_floor || r.value < any_floor || r.value > highest[r.key];
    if (bad && ++violations <= 5) {
      ADD_FAILURE() << "host " << r.host << " read " << r.key << " = "
                    << r.value << " at " << r.begin_ns
                    << " after its host acknowledged " << own_floor
                    << " and anyone acknowledged " << any_floor
                    << " a bound earlier (highest written " << highest[r.key]
                    << ")";
    }
  }
  EXPECT_EQ(violations, 0) << "of " << reads << " reads";

  // Monotonic reads per host: a read never returns a value older than one
  // a read on its host returned before it began (the copies of a key
  // follow each other in the order their values were read from Redis).
  std::map<std::pair<int, std::string>, std::vector<const Op*>> by_host_key;
  for (const Op& op : ops) {
    if (op.kind == 'R') by_host_key[{op.host, op.key}].push_back(&op);
  }
  int backwards = 0;
  for (auto& [host_key, host_reads] : by_host_key) {
    std::vector<const Op*> by_end = host_reads;
    std::sort(
        host_reads.begin(), host_reads.end(),
        [](const Op* a, const Op* b) { return a->begin_ns < b->begin_ns; });
    std::sort(by_end.begin(), by_end.end(),
              [](const Op* a, const Op* b) { return a->end_ns < b->end_ns; });
    size_t ended = 0;
    int64_t seen = 0;
    for (const Op* r : host_reads) {
      while (ended < by_end.size() && by_end[ended]->end_ns < r->begin_ns) {
        seen = std::max(seen, by_end[ended++]->value);
      }
      if (r->value < seen && ++backwards <= 5) {
        ADD_FAILURE() << "host " << r->host << " read " << r->key << " = "
                      << r->value << " at " << r->begin_ns
                      << " after a read on that host had returned " << seen;
      }
    }
  }
  EXPECT_EQ(backwards, 0) << "of " << reads << " reads";
  std::cout << "checked " << reads << " reads against " << ops.size() - reads
            << " writes\n";
  for (ChildProcess& s : syncs) s.Stop();
}

}  // namespace
}  // namespace testing
}  // namespace kvstore
