// Millions of set/delete cycles at a fixed key count must not degrade the
// table: backward-shift deletion leaves no tombstones, so probe distances
// stay those of a freshly built table.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <map>
#include <random>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "kvstore/internal/hash.h"
#include "kvstore/internal/layout.h"
#include "kvstore/store.h"
#include "tests/status_matchers.h"
#include "tests/test_util.h"

namespace kvstore {
namespace {

using ::kvstore::testing::ScopedStoreName;
using ::kvstore::testing::StatusIs;

struct ProbeStats {
  uint64_t full = 0;
  double mean_displacement = 0;
  uint64_t max_displacement = 0;
};

// Maps store `name` read-only and calls fn(index, slot, meta, header) for
// every full slot: the tests read the table directly.
template <typename Fn>
void ForEachFullSlot(const std::string& name, Fn fn) {
  int fd = shm_open(name.c_str(), O_RDONLY, 0);
  ASSERT_GE(fd, 0);
  struct stat st;
  fstat(fd, &st);
  void* p = mmap(nullptr, st.st_size, PROT_READ, MAP_SHARED, fd, 0);
  close(fd);
  ASSERT_NE(p, MAP_FAILED);
  const auto* h = static_cast<const internal::Header*>(p);
  const uint8_t* table = static_cast<const uint8_t*>(p) + h->table_offset;
  for (uint64_t i = 0; i < h->slot_count; ++i) {
    const auto* s = reinterpret_cast<const internal::SlotHeader*>(
        table + i * h->slot_bytes);
    const internal::SlotMeta m = internal::Meta(*s);
    if (!m.empty()) fn(i, s, m, *h);
  }
  munmap(p, st.st_size);
}

// How far each entry sits from its home slot.
ProbeStats Measure(const std::string& name) {
  ProbeStats stats;
  uint64_t total = 0;
  ForEachFullSlot(
      name, [&](uint64_t i, const internal::SlotHeader* s,
                const internal::SlotMeta& m, const internal::Header& h) {
        const uint64_t home = internal::HomeSlot(
            internal::Hash64(s + 1, m.key_len, h.hash_seed), h.slot_count);
        const uint64_t d = (i + h.slot_count - home) % h.slot_count;
        total += d;
        stats.max_displacement = std::max(stats.max_displacement, d);
        ++stats.full;
      });
  stats.mean_displacement = stats.full ? double(total) / stats.full : 0;
  return stats;
}

TEST(ChurnTest, MillionsOfSetDeleteCyclesDoNotDegradeProbing) {
  ScopedStoreName name;
  Options o;
  o.create_if_missing = true;
  o.capacity = 4096;
  o.max_key_bytes = 16;
  o.max_value_bytes = 8;
  auto store = Store::Open(name.name(), o);
  ASSERT_OK(store);
  Store& s = **store;
  // Fixed key count at 3/4 of capacity (about 56% of the slots).
  constexpr int kLive = 3072;
  std::mt19937_64 rng(42);
  std::vector<uint64_t> live;
  uint64_t next_id = 0;
  for (; next_id < kLive; ++next_id) {
    ASSERT_OK(s.Set(absl::StrCat("k", next_id), Value::Int64(1)));
    live.push_back(next_id);
  }
  const ProbeStats fresh = Measure(name.name());
  for (int cycle = 0; cycle < 2000000; ++cycle) {
    size_t victim = rng() % live.size();
    ASSERT_OK(s.Erase(absl::StrCat("k", live[victim])));
    live[victim] = next_id++;
    ASSERT_OK(s.Set(absl::StrCat("k", live[victim]), Value::Int64(1)));
  }
  const ProbeStats churned = Measure(name.name());
  EXPECT_EQ(churned.full, static_cast<uint64_t>(kLive));
  // A tombstone table would drift towards a full scan; here the mean stays
  // that of a fresh table (within noise of a random key set).
  EXPECT_LT(churned.mean_displacement, 2 * fresh.mean_displacement + 1)
      << "fresh " << fresh.mean_displacement << " churned "
      << churned.mean_displacement;
  EXPECT_OK(s.Verify());
  for (uint64_t id : live) {
    ASSERT_OK(s.Get(absl::StrCat("k", id))) << id;
  }
  EXPECT_THAT(s.Get("k0").status(), StatusIs(absl::StatusCode::kNotFound));
}

// The slot of every live key, read from the segment.
std::map<std::string, uint64_t> SlotsOfKeys(const std::string& name) {
  std::map<std::string, uint64_t> slots;
  ForEachFullSlot(
      name, [&](uint64_t i, const internal::SlotHeader* s,
                const internal::SlotMeta& m, const internal::Header&) {
        slots[std::string(reinterpret_cast<const char*>(s + 1), m.key_len)] = i;
      });
  return slots;
}

TEST(ChurnTest, AnEntryMovedByADeleteKeepsItsVersion) {
  ScopedStoreName name;
  Options o;
  o.create_if_missing = true;
  o.capacity = 64;
  o.max_key_bytes = 16;
  o.max_value_bytes = 8;
  auto store = Store::Open(name.name(), o);
  ASSERT_OK(store);
  Store& s = **store;
  std::map<std::string, uint64_t> versions;
  for (int i = 0; i < 64; ++i) {
    const std::string key = absl::StrCat("k", i);
    ASSERT_OK(s.Set(key, Value::Int64(i)));
  }
  for (int i = 0; i < 64; ++i) {
    const std::string key = absl::StrCat("k", i);
    versions[key] = s.GetEntry(key)->version;
  }
  // Delete every other key; backward shifts move many of the rest.
  uint64_t moved = 0;
  for (int i = 0; i < 64; i += 2) {
    const std::map<std::string, uint64_t> before = SlotsOfKeys(name.name());
    ASSERT_OK(s.Erase(absl::StrCat("k", i)));
    versions.erase(absl::StrCat("k", i));
    const std::map<std::string, uint64_t> after = SlotsOfKeys(name.name());
    for (const auto& [key, version] : versions) {
      if (after.at(key) != before.at(key)) ++moved;
      absl::StatusOr<Entry> e = s.GetEntry(key);
      ASSERT_OK(e) << key;
      EXPECT_EQ(e->version, version) << key << " after erasing k" << i;
    }
  }
  EXPECT_GT(moved, 0u) << "no delete moved an entry; the test proves nothing";
  // A compare-and-set with a version read before the moves still succeeds.
  for (const auto& [key, version] : versions) {
    absl::StatusOr<bool> set =
        s.CompareVersionAndSet(key, version, Value::Int64(-1));
    ASSERT_OK(set);
    EXPECT_TRUE(*set) << key;
  }
  EXPECT_OK(s.Verify());
}

}  // namespace
}  // namespace kvstore
