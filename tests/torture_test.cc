// In the spirit of Samba's tdbtorture -k: writer processes doing mixed set,
// erase, increment and compare-and-set are killed with SIGKILL at random
// moments, round after round. After every round the store must verify
// clean and match a ledger of every acknowledged write.
//
// Within a round the writers die one at a time, and after each kill every
// survivor must acknowledge a new operation: a survivor stranded on the
// lock by a dead waiter (or anything else) shows up as a stall. The longest
// stall and the store's longest lock wait are reported; a stall of
// kHangLimit fails the test.
//
// Default: at least 1000 kills (under a minute). Soak:
//   KVSTORE_TORTURE_SECONDS=3600 bazel test //tests:torture_test
//       --test_timeout=4000 --test_output=streamed
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "kvstore/store.h"
#include "tests/status_matchers.h"
#include "tests/test_util.h"

namespace kvstore {
namespace {

using ::kvstore::testing::RunfilePath;
using ::kvstore::testing::ScopedStoreName;
using ::kvstore::testing::StartProcess;

constexpr int kWriters = 4;
// A survivor that acknowledges nothing for this long is hung.
const absl::Duration kHangLimit = absl::Seconds(10);

using Model = std::map<std::string, std::string>;  // Absent keys missing.

struct InFlight {
  std::string op, key, value;
};

// Applies one logged operation to the model.
void Apply(Model& m, const InFlight& op) {
  if (op.op == "set" || op.op == "cas") m[op.key] = op.value;
  if (op.op == "erase") m.erase(op.key);
}

// A writer's log up to the zeroed, never written rest of the mapped file.
std::string ReadLog(const std::string& path) {
  std::string data;
  if (FILE* f = fopen(path.c_str(), "rb")) {
    char chunk[1 << 16];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
      const char* end = static_cast<const char*>(memchr(chunk, '\0', n));
      data.append(chunk, end ? end - chunk : n);
      if (end) break;
    }
    fclose(f);
  }
  return data;
}

// Reads one writer's log: applies acknowledged operations to `model` (the
// counter separately) and returns the operation in flight, if any.
std::optional<InFlight> ReplayLog(const std::string& path, Model& model,
                                  int64_t& counter, int64_t& acked,
                                  int64_t& refused) {
  std::string data = ReadLog(path);
  // Complete records end in '\n'; what follows the last one is a record
  // cut short by the kill, or the zeroed rest of the mapped log.
  data.resize(data.rfind('\n') == std::string::npos ? 0 : data.rfind('\n') + 1);
  std::vector<std::string> lines = absl::StrSplit(data, '\n');
  std::optional<InFlight> pending;
  for (const std::string& line : lines) {
    if (line == "N") {  // Refused (data area full): nothing changed.
      ++refused;
      pending.reset();
      continue;
    }
    if (line == "A") {
      ++acked;
      if (pending) {
        if (pending->op == "incr") {
          ++counter;
        } else {
          Apply(model, *pending);
        }
      }
      pending.reset();
      continue;
    }
    std::vector<std::string> f = absl::StrSplit(line, ' ');
    if (f.size() == 4 && f[0] == "I") pending = InFlight{f[1], f[2], f[3]};
  }
  return pending;
}

// A value as the ledger logs it: a large one as "B<n>.<len>" if it is
// exactly TortureBigValue(n, len), else as it is (and so never equal to
// what was logged).
std::string Logged(const std::string& value) {
  if (value.size() < 100) return value;
  int64_t n = 0;
  size_t digits = 0;
  while (digits < value.size() && absl::ascii_isdigit(value[digits])) {
    ++digits;
  }
  if (!absl::SimpleAtoi(value.substr(0, digits), &n) ||
      value != ::kvstore::testing::TortureBigValue(n, value.size())) {
    return value;
  }
  return absl::StrCat("B", n, ".", value.size());
}

// Bytes of `path` up to and including the record that ended its last
// operation.
size_t AcknowledgedBytes(const std::string& path) {
  const std::string data = ReadLog(path);
  // An operation ends acknowledged (A) or refused for a full data area (N).
  size_t end = 0;
  for (const char* record : {"A\n", "N\n"}) {
    const size_t at = data.rfind(record);
    if (at != std::string::npos) end = std::max(end, at + 2);
  }
  return end;
}

TEST(TortureTest, KilledWritersNeverLoseAcknowledgedWrites) {
  int64_t min_kills = 1000;
  int64_t seconds = 0;
  if (const char* s = getenv("KVSTORE_TORTURE_SECONDS")) {
    absl::SimpleAtoi(s, &seconds);
  }
  ScopedStoreName name;
  const std::string worker = RunfilePath("tests/worker");
  {
    // Values up to 3 KiB in a data area of 8 KiB: it runs full, writes
    // compact it when its free bytes are in holes, and writers are refused
    // (RESOURCE_EXHAUSTED, logged) until others erase.
    Options options;
    options.create_if_missing = true;
    options.capacity = 64;
    options.max_key_bytes = 32;
    options.max_value_bytes = 4096;
    options.memory = 8 << 10;
    ASSERT_OK(Store::Open(name.name(), options));
  }
  const absl::Time deadline = absl::Now() + absl::Seconds(seconds);
  std::mt19937_64 rng(12345);
  Model model;
  int64_t counter = 0;
  int64_t kills = 0, rounds = 0, killed_in_flight = 0, acked = 0, refused = 0;
  absl::Duration longest_stall;
  uint64_t last_recoveries = 0;
  while (kills < min_kills || absl::Now() < deadline) {
    ++rounds;
    std::vector<pid_t> pids;
    std::vector<std::string> logs;
    for (int w = 0; w < kWriters; ++w) {
      logs.push_back(
          absl::StrCat(::testing::TempDir(), "/torture_", w, "_", rounds % 2));
      std::remove(logs.back().c_str());
      pids.push_back(
          StartProcess({worker, "torture", name.name(), absl::StrCat(w),
                        logs.back(), absl::StrCat(rng())}));
    }
    // Each writer stops itself once ready; all go on together, so that a
    // slow start (a sanitizer build, a loaded machine) neither turns the
    // round into kills before any write nor lets an early writer run long.
    for (pid_t pid : pids) {
      int status;
      ASSERT_EQ(waitpid(pid, &status, WUNTRACED), pid);
      ASSERT_TRUE(WIFSTOPPED(status)) << "a writer failed to start";
    }
    for (pid_t pid : pids) kill(pid, SIGCONT);
    // Kill the writers one by one, in random order, at random moments.
    std::vector<int> order(kWriters);
    for (int w = 0; w < kWriters; ++w) order[w] = w;
    std::shuffle(order.begin(), order.end(), rng);
    for (size_t k = 0; k < order.size(); ++k) {
      absl::SleepFor(absl::Microseconds(rng() % 5000));
      const pid_t pid = pids[order[k]];
      kill(pid, SIGKILL);
      const testing::ProcessResult ended = testing::WaitProcess(pid);
      ASSERT_EQ(ended.signal, SIGKILL)
          << "a writer failed on its own: " << ended;
      ++kills;
      // Every survivor must make progress after the kill.
      for (size_t s = k + 1; s < order.size(); ++s) {
        const std::string& log = logs[order[s]];
        const size_t before = AcknowledgedBytes(log);
        const absl::Time start = absl::Now();
        int exit_status = 0;
        while (AcknowledgedBytes(log) == before &&
               absl::Now() - start < kHangLimit) {
          if (waitpid(pids[order[s]], &exit_status, WNOHANG) ==
              pids[order[s]]) {
            for (pid_t p : pids) kill(p, SIGKILL);
            for (size_t r = k + 1; r < order.size(); ++r) {
              if (r != s) testing::WaitProcess(pids[order[r]]);
            }
            FAIL() << "round " << rounds << ": a writer failed on its own: "
                   << testing::FromWaitStatus(exit_status);
          }
          absl::SleepFor(absl::Microseconds(100));
        }
        const absl::Duration stall = absl::Now() - start;
        longest_stall = std::max(longest_stall, stall);
        if (stall >= kHangLimit) {
          for (pid_t p : pids) kill(p, SIGKILL);
          for (size_t r = k + 1; r < order.size(); ++r) {
            testing::WaitProcess(pids[order[r]]);
          }
          FAIL() << "round " << rounds << ": a writer acknowledged nothing "
                 << "for " << kHangLimit << " after another was killed";
        }
      }
    }
    // Acknowledged operations are certain; each writer's last unacknowledged
    // one may or may not have happened.
    std::vector<InFlight> pending;
    for (const std::string& log : logs) {
      std::optional<InFlight> p =
          ReplayLog(log, model, counter, acked, refused);
      if (p) pending.push_back(*p);
    }
    auto store = Store::Open(name.name());
    ASSERT_OK(store);
    ASSERT_OK((*store)->Verify()) << "round " << rounds;
    Model actual;
    int64_t actual_counter = 0;
    ASSERT_OK((*store)->ForEach([&](absl::string_view k, const Value& v) {
      if (k == "ctr") {
        actual_counter = v.AsInt64();
      } else {
        actual[std::string(k)] = Logged(v.ToText());
      }
      return absl::OkStatus();
    }));
    int64_t incr_in_flight = 0;
    for (const InFlight& p : pending) {
      if (p.op == "incr") {
        ++incr_in_flight;
        continue;
      }
      // Writers own disjoint keys: the key is at its old or its new state.
      auto old_it = model.find(p.key);
      auto now_it = actual.find(p.key);
      Model with = model;
      Apply(with, p);
      auto new_it = with.find(p.key);
      auto same = [](auto a, auto a_end, auto b, auto b_end) {
        return (a == a_end) == (b == b_end) &&
               (a == a_end || a->second == b->second);
      };
      bool is_old = same(now_it, actual.end(), old_it, model.end());
      bool is_new = same(now_it, actual.end(), new_it, with.end());
      ASSERT_TRUE(is_old || is_new)
          << "round " << rounds << ": in-flight " << p.op << " " << p.key
          << " left neither state";
      if (is_new && !is_old) ++killed_in_flight;
      model = is_new ? with : model;
    }
    ASSERT_EQ(actual, model) << "round " << rounds;
    ASSERT_GE(actual_counter, counter) << "acknowledged increments lost";
    ASSERT_LE(actual_counter, counter + incr_in_flight) << "phantom increments";
    counter = actual_counter;
    last_recoveries = (*store)->Stats()->recoveries;
  }
  auto store = Store::Open(name.name());
  ASSERT_OK(store);
  absl::StatusOr<StoreStats> stats = (*store)->Stats();
  printf(
      "torture: %lld rounds, %lld kills, %lld acknowledged operations, "
      "%lld sets refused for a full data area, %llu recoveries, longest repair "
      "%s, %lld in-flight writes found "
      "applied, counter %lld\n"
      "torture: %llu lock waits, %llu longer than 1 ms, longest lock wait "
      "%s, longest survivor stall after a kill %s, %llu compactions moving "
      "%llu bytes\n",
      static_cast<long long>(rounds), static_cast<long long>(kills),
      static_cast<long long>(acked), static_cast<long long>(refused),
      static_cast<unsigned long long>(stats->recoveries),
      absl::FormatDuration(stats->longest_repair).c_str(),
      static_cast<long long>(killed_in_flight), static_cast<long long>(counter),
      static_cast<unsigned long long>(stats->lock_waits),
      static_cast<unsigned long long>(stats->long_lock_waits),
      absl::FormatDuration(stats->longest_lock_wait).c_str(),
      absl::FormatDuration(longest_stall).c_str(),
      static_cast<unsigned long long>(stats->compactions),
      static_cast<unsigned long long>(stats->compacted_bytes));
  EXPECT_GE(kills, min_kills);
  EXPECT_GT(stats->compactions, 0u) << "the data area was never compacted";
  EXPECT_GT(refused, 0) << "the data area never ran full";
  EXPECT_GT(last_recoveries, 0u)
      << "no writer was ever killed holding the lock";
}

}  // namespace
}  // namespace kvstore
