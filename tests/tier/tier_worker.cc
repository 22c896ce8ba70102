// A process that uses a tier, for the tier tests.
//
//   tier_worker stall STORE URL KEY MARKER
//     Gets KEY; once the fill has read Redis, creates file MARKER and stops
//     forever (the test kills it in the middle of the fill).
//   tier_worker check STORE URL PREFIX KEYS MILLIS SEED WRITE_PERCENT LOG
//     For MILLIS ms, reads (Get) or increments (Increment by 1) random keys
//     PREFIX0..PREFIX{KEYS-1}; writes one line per completed operation to
//     LOG: "R|W KEY VALUE BEGIN_NS END_NS" (CLOCK_BOOTTIME), or
//     "E KEY CODE BEGIN_NS END_NS" for a failed one.
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <random>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "kvstore/tier/tier.h"
#include "tests/test_util.h"

namespace {

using ::kvstore::testing::BootNs;

int Stall(int argc, char** argv) {
  if (argc != 6) return 2;
  const std::string marker = argv[5];
  kvstore::TierOptions options;
  options.TEST_after_fetch = [&](absl::string_view) {
    std::ofstream(marker) << getpid() << "\n";
    while (true) pause();
  };
  auto tier = kvstore::Tier::Open(argv[2], argv[3], options);
  if (!tier.ok()) {
    std::cerr << "tier_worker: " << tier.status() << "\n";
    return 3;
  }
  absl::StatusOr<std::string> v = (*tier)->Get(argv[4]);
  std::cerr << "tier_worker: the fill returned: " << v.status() << "\n";
  return 4;
}

int Check(int argc, char** argv) {
  if (argc != 10) return 2;
  const std::string prefix = argv[4];
  int keys, millis, seed, write_percent;
  if (!absl::SimpleAtoi(argv[5], &keys) ||
      !absl::SimpleAtoi(argv[6], &millis) ||
      !absl::SimpleAtoi(argv[7], &seed) ||
      !absl::SimpleAtoi(argv[8], &write_percent)) {
    return 2;
  }
  kvstore::TierOptions options;
  options.prefix = prefix;
  auto tier = kvstore::Tier::Open(argv[2], argv[3], options);
  if (!tier.ok()) {
    std::cerr << "tier_worker: " << tier.status() << "\n";
    return 3;
  }
  std::ofstream log(argv[9]);
  std::mt19937 rng(static_cast<uint32_t>(seed));
  const int64_t end = BootNs() + int64_t{millis} * 1000000;
  // Bounded so that a fast host does not write gigabytes of log.
  constexpr int kMaxOps = 20000;
  for (int op = 0; op < kMaxOps && BootNs() < end; ++op) {
    const std::string key = absl::StrCat(prefix, rng() % keys);
    const bool write = static_cast<int>(rng() % 100) < write_percent;
    const int64_t begin = BootNs();
    absl::StatusOr<int64_t> value = 0;
    if (write) {
      value = (*tier)->Increment(key, 1);
    } else {
      absl::StatusOr<std::string> text = (*tier)->Get(key);
      int64_t n = 0;
      if (!text.ok()) {
        value = text.status();
      } else if (!absl::SimpleAtoi(*text, &n)) {
        value = absl::DataLossError("not a number");
      } else {
        value = n;
      }
    }
    const int64_t done = BootNs();
    if (value.ok()) {
      log << (write ? "W " : "R ") << key << " " << *value << " " << begin
          << " " << done << "\n";
    } else {
      log << "E " << key << " " << static_cast<int>(value.status().code())
          << " " << begin << " " << done << "\n";
    }
  }
  log.flush();
  return log ? 0 : 3;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "stall") return Stall(argc, argv);
  if (mode == "check") return Check(argc, argv);
  std::cerr << "usage: tier_worker stall|check ...\n";
  return 2;
}
