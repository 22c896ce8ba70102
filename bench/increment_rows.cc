// increment_rows: kvstore's increment at 100k and 1M counters, measured as
// //bench:compare measures its rows (bench/workload.h: random keys, an
// untimed warm-up, the median of --reps repetitions of --ops operations).
// compare's own increment row uses 1,000 hot counters; issue 12's "speed of
// small entries unchanged" target also names increment at 100k and 1M
// keys. Every counter is created (one increment each, untimed) before the
// timed runs, so that they time increments of existing counters.
//
// With --all it also times compare's get, 90/10 and "incr 1k hot" rows
// alone, without compare's interleaved bare table (whose slices would
// evict this store's lines between the slices of a release that has none).
//
// Builds against any kvstore release that has the bench/ libraries, so the
// same source can time the previous release back to back with this one.
//
//   ./bazelw run //bench:increment_rows [-- --all --reps=5 --ops=1000000]
//
// Prints one line per row: "incr 100k: median (min-max) ns/op". Exit code
// 0 if every row ran.
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "bench/cleanup.h"
#include "bench/peer.h"
#include "bench/workload.h"

namespace kvstore_bench {
namespace {

std::string Label(uint64_t keys) {
  return keys % 1000000 == 0 ? absl::StrCat(keys / 1000000, "M")
         : keys % 1000 == 0  ? absl::StrCat(keys / 1000, "k")
                             : absl::StrCat(keys);
}

int Main(int argc, char** argv) {
  InstallCleanupHandlers();
  int reps = 5;
  uint64_t ops = 1000000;
  std::vector<uint64_t> sizes = {100000, 1000000};
  bool with_reads = false;
  for (int i = 1; i < argc; ++i) {
    absl::string_view a = argv[i];
    bool ok = true;
    if (absl::ConsumePrefix(&a, "--reps=")) {
      ok = absl::SimpleAtoi(a, &reps) && reps > 0;
    } else if (absl::ConsumePrefix(&a, "--ops=")) {
      ok = absl::SimpleAtoi(a, &ops) && ops >= 10;
    } else if (a == "--all") {
      with_reads = true;
    } else if (absl::ConsumePrefix(&a, "--keys=")) {
      sizes.clear();
      for (absl::string_view s : absl::StrSplit(a, ',', absl::SkipEmpty())) {
        uint64_t v;
        ok = ok && absl::SimpleAtoi(s, &v) && v > 0;
        sizes.push_back(v);
      }
    } else {
      ok = false;
    }
    if (!ok) {
      fprintf(
          stderr,
          "usage: increment_rows [--all] [--reps=N] [--ops=N] [--keys=N,M]\n");
      return 2;
    }
  }
  int failures = 0;
  // Gets and 90/10 of a loaded store, as compare's rows; then increments
  // of counters that all exist before timing: 1,000 hot ones (compare's
  // row) and one per key.
  std::vector<Workload> rows;
  if (with_reads) {
    for (uint64_t keys : sizes) {
      rows.push_back(
          {"get", absl::StrCat("get ", Label(keys)), keys, 100, false, 1});
      rows.push_back(
          {"mix", absl::StrCat("90/10 ", Label(keys)), keys, 90, false, 1});
    }
    rows.push_back({"incr", "incr 1k hot", 1000, 0, true, 1});
  }
  for (uint64_t keys : sizes) {
    rows.push_back(
        {"incr_n", absl::StrCat("incr ", Label(keys)), keys, 0, true, 1});
  }
  for (const Workload& w : rows) {
    std::unique_ptr<Peer> peer = NewKvstorePeer();
    absl::Status status = peer->Create(w.keys);
    if (status.ok() && !w.increment) {
      status = peer->Load(w.keys);
    } else if (status.ok()) {
      std::vector<Op> create(w.keys);
      for (uint64_t k = 0; k < w.keys; ++k) {
        create[k] = Op{static_cast<uint32_t>(k), OpKind::kIncrement};
      }
      status = peer->Run(create.data(), create.size());
    }
    absl::StatusOr<Measurement> m = status.ok()
                                        ? Measure(peer.get(), w, ops, reps)
                                        : absl::StatusOr<Measurement>(status);
    peer->Destroy();
    if (!m.ok()) {
      fprintf(stderr, "increment_rows: %s: %s\n", w.label.c_str(),
              m.status().ToString().c_str());
      ++failures;
      continue;
    }
    printf("%s: %.1f (%.1f-%.1f) ns/op\n", w.label.c_str(), m->Median(),
           m->Min(), m->Max());
    fflush(stdout);
  }
  return failures == 0 ? 0 : 1;
}

}  // namespace
}  // namespace kvstore_bench

int main(int argc, char** argv) { return kvstore_bench::Main(argc, argv); }
