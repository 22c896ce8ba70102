// Dump and restore rates, and how long a resize makes writers wait, for the
// comparison's entries (14-byte keys, 64-byte values).
//
//   ./bazelw run //bench/snapshot:snapshot_bench [-- --entries=1000000]
//
// Prints one line per measurement; docs/benchmarks.md cites them.
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "kvstore/snapshot.h"
#include "kvstore/store.h"

namespace {

// Removes the stores and the file it names when it goes away.
struct Cleanup {
  std::vector<std::string> stores;
  std::string file;
  ~Cleanup() {
    for (const std::string& s : stores)
      kvstore::Store::Destroy(s).IgnoreError();
    if (!file.empty()) unlink(file.c_str());
  }
};

int Fail(const absl::Status& s) {
  fprintf(stderr, "snapshot_bench: %s\n", s.ToString().c_str());
  return 1;
}

int Run(uint64_t entries) {
  Cleanup cleanup;
  const std::string source = absl::StrCat("/kvstore-snapbench-src-", getpid());
  const std::string target = absl::StrCat("/kvstore-snapbench-dst-", getpid());
  cleanup.stores = {source, target};
  cleanup.file = absl::StrCat("/tmp/kvstore-snapbench-", getpid(), ".kvdump");
  kvstore::Options o;
  o.create_if_missing = true;
  o.capacity = entries;
  o.max_key_bytes = 16;
  o.max_value_bytes = 64;
  auto store = kvstore::Store::Open(source, o);
  if (!store.ok()) return Fail(store.status());
  const kvstore::Value value = kvstore::Value::String(std::string(64, 'v'));
  for (uint64_t i = 0; i < entries; ++i) {
    absl::Status s = (*store)->Set(absl::StrFormat("key:%010d", i), value);
    if (!s.ok()) return Fail(s);
  }
  absl::Time start = absl::Now();
  absl::StatusOr<kvstore::SnapshotStats> dumped =
      kvstore::DumpStore(source, cleanup.file);
  const absl::Duration dump_time = absl::Now() - start;
  if (!dumped.ok()) return Fail(dumped.status());
  start = absl::Now();
  absl::StatusOr<kvstore::SnapshotStats> restored =
      kvstore::RestoreStore(target, cleanup.file);
  const absl::Duration restore_time = absl::Now() - start;
  if (!restored.ok()) return Fail(restored.status());
  auto rate = [](uint64_t n, absl::Duration d) {
    return static_cast<double>(n) / absl::ToDoubleSeconds(d);
  };
  printf(
      "entries %llu: dump %.2f M entries/s (%s), restore %.2f M entries/s "
      "(%s)\n",
      static_cast<unsigned long long>(entries),
      rate(dumped->entries, dump_time) / 1e6,
      absl::FormatDuration(dump_time).c_str(),
      rate(restored->entries, restore_time) / 1e6,
      absl::FormatDuration(restore_time).c_str());
  absl::Duration pause;
  start = absl::Now();
  absl::Status resized =
      kvstore::Store::Resize(source, 2 * entries, o.memory, &pause);
  if (!resized.ok()) return Fail(resized);
  printf(
      "entries %llu: resize to %llu entries: writers waited %s (whole "
      "resize %s)\n",
      static_cast<unsigned long long>(entries),
      static_cast<unsigned long long>(2 * entries),
      absl::FormatDuration(pause).c_str(),
      absl::FormatDuration(absl::Now() - start).c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<uint64_t> sizes = {100000, 1000000};
  for (int i = 1; i < argc; ++i) {
    absl::string_view arg = argv[i];
    uint64_t n = 0;
    if (absl::ConsumePrefix(&arg, "--entries=") && absl::SimpleAtoi(arg, &n)) {
      sizes = {n};
    }
  }
  for (uint64_t n : sizes) {
    if (Run(n) != 0) return 1;
  }
  return 0;
}
