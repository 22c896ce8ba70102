// memory_bench: the memory target of issue 12 ("Memory that follows the
// bytes stored") and what churn does to the data area.
//
//   ./bazelw run //bench:memory_bench
//   bazel-bin/bench/memory_bench --entries=20000 --churn_ops=20000   (quick)
//
// Part 1, memory: a store created for N entries (default 1M, 16-byte keys,
// values from bench/sizes.h: lognormal, 32 B to 64 KiB, mean near 1 KiB) is
// filled once for each way of sizing Options::memory, and its segment bytes
// per entry are set against the target 1.25 x (key + value) + 32 B per
// entry and against the previous format's fixed slots for the same data.
//
// Part 2, churn (eviction none): a full store whose data area has a small
// slack over what the initial fill needs takes overwrites of random keys
// with fresh random sizes (80%), deletes (10%) and reinserts of deleted
// keys (10%). Every refused write (RESOURCE_EXHAUSTED) is classified by the
// store's figures at that moment:
//   stranded: the data area had enough free bytes but no free block that
//             large (fragmentation);
//   overwrite: not enough free bytes, but enough with the old value's block,
//             which an overwrite frees only after the new block is in;
//   short:    not enough free bytes either way (the bytes limit).
// After each refusal the old value must still be there (checked). The store
// is checked with Verify() at the end.
//
// Prints markdown tables; writes nothing. Every store it creates is
// destroyed at exit, also on SIGINT/SIGTERM (bench/cleanup.h). Exit code 0
// if everything ran and checked out, 1 otherwise.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "bench/cleanup.h"
#include "bench/sizes.h"
#include "kvstore/store.h"

namespace kvstore_bench {
namespace {

struct Config {
  uint64_t entries = 1000000;
  uint64_t churn_ops = 1000000;
  double user_slack = 1.10;
  std::vector<double> churn_slacks = {1.02, 1.05, 1.10};
  uint64_t seed = 1;
};

bool ParseFlags(int argc, char** argv, Config* c) {
  for (int i = 1; i < argc; ++i) {
    absl::string_view a = argv[i];
    bool ok = true;
    if (absl::ConsumePrefix(&a, "--entries=")) {
      ok = absl::SimpleAtoi(a, &c->entries) && c->entries > 0;
    } else if (absl::ConsumePrefix(&a, "--churn_ops=")) {
      ok = absl::SimpleAtoi(a, &c->churn_ops);
    } else if (absl::ConsumePrefix(&a, "--user_slack=")) {
      ok = absl::SimpleAtod(a, &c->user_slack) && c->user_slack >= 1;
    } else if (absl::ConsumePrefix(&a, "--churn_slacks=")) {
      c->churn_slacks.clear();
      for (absl::string_view s : absl::StrSplit(a, ',', absl::SkipEmpty())) {
        double v;
        ok = ok && absl::SimpleAtod(s, &v) && v >= 1;
        c->churn_slacks.push_back(v);
      }
    } else if (absl::ConsumePrefix(&a, "--seed=")) {
      ok = absl::SimpleAtoi(a, &c->seed);
    } else {
      ok = false;
    }
    if (!ok) {
      fprintf(stderr,
              "usage: memory_bench [--entries=N] [--churn_ops=N] "
              "[--user_slack=X] [--churn_slacks=X,Y] [--seed=N]\n"
              "bad flag: %s\n",
              argv[i]);
      return false;
    }
  }
  return true;
}

std::string Bytes(double b) {
  if (b >= 1e12) return absl::StrFormat("%.1f TB", b / 1e12);
  if (b >= 1e9) return absl::StrFormat("%.2f GB", b / 1e9);
  if (b >= 1e6) return absl::StrFormat("%.1f MB", b / 1e6);
  if (b >= 1e3) return absl::StrFormat("%.1f kB", b / 1e3);
  return absl::StrFormat("%.0f B", b);
}

// A store that is destroyed when this goes away, and by the cleanup
// handlers if the process is interrupted first.
class ScopedStore {
 public:
  static absl::StatusOr<std::unique_ptr<ScopedStore>> Create(
      const kvstore::Options& base) {
    static int instances = 0;
    auto s = std::unique_ptr<ScopedStore>(new ScopedStore(
        absl::StrCat("/kvstore-bench-memory-", getpid(), "-", ++instances)));
    kvstore::Options o = base;
    o.create_if_missing = true;
    o.error_if_exists = true;
    absl::StatusOr<std::unique_ptr<kvstore::Store>> store =
        kvstore::Store::Open(s->name_, o);
    if (!store.ok()) return store.status();
    s->store_ = *std::move(store);
    return s;
  }
  ~ScopedStore() {
    store_.reset();
    kvstore::Store::Destroy(name_).IgnoreError();
    Unregister(handle_);
  }
  kvstore::Store* get() { return store_.get(); }
  kvstore::Store* operator->() { return store_.get(); }

 private:
  explicit ScopedStore(std::string name)
      : name_(std::move(name)), handle_(RegisterShm(name_.c_str())) {}
  std::string name_;
  int handle_;
  std::unique_ptr<kvstore::Store> store_;
};

// The data every part stores: key i holds a value of sizes[i] bytes.
struct Data {
  std::vector<uint32_t> sizes;
  uint64_t inline_bytes = 0;    // Key and value bytes a slot holds.
  uint64_t kv_bytes = 0;        // Sum of key + value over all entries.
  uint64_t large_kv_bytes = 0;  // Same, over entries that do not fit a slot.
  uint64_t large_entries = 0;
  uint64_t block_bytes = 0;  // Sum of their data-area blocks.
};

// Stores every entry of `data` in an empty store; returns the refusals.
absl::StatusOr<uint64_t> Fill(kvstore::Store* store, const Data& data,
                              const Payloads& payloads) {
  char buf[kKey16Bytes];
  uint64_t refused = 0;
  for (uint64_t i = 0; i < data.sizes.size(); ++i) {
    absl::Status s = store->Set(
        Key16(i, buf), kvstore::Value::Bytes(payloads.Get(i, data.sizes[i])));
    if (absl::IsResourceExhausted(s)) {
      ++refused;
    } else if (!s.ok()) {
      return s;
    }
  }
  return refused;
}

// The slot's inline bytes, from a throwaway store (format 3: 80).
absl::StatusOr<uint64_t> InlineBytes() {
  kvstore::Options o;
  o.capacity = 1;
  o.memory = 0;
  absl::StatusOr<std::unique_ptr<ScopedStore>> s = ScopedStore::Create(o);
  if (!s.ok()) return s.status();
  absl::StatusOr<kvstore::StoreStats> st = (**s)->Stats();
  if (!st.ok()) return st.status();
  return uint64_t{st->slot_bytes} - 16;
}

kvstore::Options StoreOptions(uint64_t entries, uint64_t memory) {
  kvstore::Options o;
  o.capacity = entries;
  o.memory = memory;
  o.eviction = kvstore::Eviction::kNone;
  // max_key_bytes and max_value_bytes keep their defaults (4096, 64 MiB):
  // limits, not sizes, so a user need not lower them.
  return o;
}

int PartMemory(const Config& c, const Data& d, const Payloads& payloads) {
  const double n = static_cast<double>(c.entries);
  const double kv_per_entry = d.kv_bytes / n;
  const double target_per_entry = 1.25 * kv_per_entry + 32;
  printf("## Part 1: memory of a full store\n\n");
  printf(
      "%llu entries; key + value %.1f B per entry on average; target 1.25 x "
      "(key + value) + 32 = %.1f B per entry; %llu entries (%.1f%%) exceed "
      "the %llu inline bytes and take %s of blocks (%.1f B per such "
      "entry, of which %.1f B key + value)\n\n",
      (unsigned long long)c.entries, kv_per_entry, target_per_entry,
      (unsigned long long)d.large_entries, 100.0 * d.large_entries / n,
      (unsigned long long)d.inline_bytes, Bytes(d.block_bytes).c_str(),
      static_cast<double>(d.block_bytes) / d.large_entries,
      static_cast<double>(d.large_kv_bytes) / d.large_entries);
  printf(
      "| --memory sized as | --memory | segment | segment B/entry | "
      "of which table | of which data area | ratio to target | refused "
      "in fill | data free after fill |\n");
  printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  struct Sizing {
    std::string label;
    uint64_t memory;
  };
  const std::vector<Sizing> sizings = {
      {"exact need (sum of blocks)", d.block_bytes},
      {absl::StrFormat("%.2f x key + value bytes of entries over %llu B",
                       c.user_slack, (unsigned long long)d.inline_bytes),
       static_cast<uint64_t>(d.large_kv_bytes * c.user_slack)},
  };
  int failures = 0;
  for (const Sizing& z : sizings) {
    absl::StatusOr<std::unique_ptr<ScopedStore>> store =
        ScopedStore::Create(StoreOptions(c.entries, z.memory));
    if (!store.ok()) {
      fprintf(stderr, "memory_bench: %s\n", store.status().ToString().c_str());
      return 1;
    }
    absl::StatusOr<uint64_t> refused = Fill((*store)->get(), d, payloads);
    absl::StatusOr<kvstore::StoreStats> st = (**store)->Stats();
    if (!refused.ok() || !st.ok()) {
      fprintf(stderr, "memory_bench: fill: %s %s\n",
              refused.status().ToString().c_str(),
              st.status().ToString().c_str());
      return 1;
    }
    if (*refused == 0 && st->data_used_bytes != d.block_bytes) {
      fprintf(stderr,
              "memory_bench: data_used_bytes %llu, expected %llu from the "
              "block formula\n",
              (unsigned long long)st->data_used_bytes,
              (unsigned long long)d.block_bytes);
      ++failures;
    }
    const double seg = static_cast<double>(st->segment_bytes);
    const double table = static_cast<double>(st->slot_count) * st->slot_bytes;
    printf("| %s | %s | %s | %.1f | %.1f | %.1f | %.3f | %llu | %s |\n",
           z.label.c_str(), Bytes(z.memory).c_str(), Bytes(seg).c_str(),
           seg / n, table / n, st->data_bytes / n, seg / (target_per_entry * n),
           (unsigned long long)*refused, Bytes(st->data_free_bytes).c_str());
  }
  // The previous format (2): every slot 16 + max_key + max_value bytes
  // (rounded up to 8), the same slot count, plus header, journal (a slot)
  // and the counters.
  const uint64_t slot_count = c.entries + (c.entries + 2) / 3;
  auto old_segment = [&](uint64_t max_key, uint64_t max_value) {
    const uint64_t slot = (16 + max_key + max_value + 7) / 8 * 8;
    return static_cast<double>(slot) * slot_count + 4096 + slot + 8192;
  };
  const double tight = old_segment(16, kMaxMixedValue);
  const double defaults = old_segment(4096, uint64_t{64} << 20);
  printf(
      "\nPrevious format (2), same data and slot count (%llu slots):\n"
      "- max_key_bytes 16, max_value_bytes 65536 (the tightest limits that "
      "hold this data): slot %llu B, segment %s = %.0f B per entry, %.1fx "
      "the target and %.1fx the format-3 exact-need segment; /dev/shm here "
      "has 24 GB, so it cannot be created\n"
      "- max_key_bytes 4096, max_value_bytes 64 MiB (format 3's default "
      "limits; format 2 capped values below 16 MiB): slot %llu B, segment "
      "%s\n\n",
      (unsigned long long)slot_count,
      (unsigned long long)((16 + 16 + kMaxMixedValue + 7) / 8 * 8),
      Bytes(tight).c_str(), tight / n, tight / (target_per_entry * n),
      tight / (128.0 * n + d.block_bytes),
      (unsigned long long)((16 + 4096 + (uint64_t{64} << 20) + 7) / 8 * 8),
      Bytes(defaults).c_str());
  return failures;
}

struct Refusals {
  uint64_t stranded = 0, overwrite = 0, short_bytes = 0, entries = 0;
  uint64_t total() const {
    return stranded + overwrite + short_bytes + entries;
  }
};

int PartChurn(const Config& c, const Data& d, const Payloads& payloads,
              double slack) {
  const uint64_t memory = static_cast<uint64_t>(d.block_bytes * slack);
  printf(
      "### Churn, --memory = %.2f x the initial fill's blocks (%s), "
      "eviction none\n\n",
      slack, Bytes(memory).c_str());
  absl::StatusOr<std::unique_ptr<ScopedStore>> made =
      ScopedStore::Create(StoreOptions(c.entries, memory));
  if (!made.ok()) {
    fprintf(stderr, "memory_bench: %s\n", made.status().ToString().c_str());
    return 1;
  }
  kvstore::Store* store = (*made)->get();
  absl::StatusOr<uint64_t> fill_refused = Fill(store, d, payloads);
  if (!fill_refused.ok() || *fill_refused != 0) {
    fprintf(stderr, "memory_bench: churn fill failed\n");
    return 1;
  }

  std::vector<uint32_t> cur = d.sizes;  // 0: absent.
  std::vector<uint64_t> erased;
  uint64_t live = c.entries;
  uint64_t live_blocks = d.block_bytes;
  ValueSizes fresh(c.seed + 100);
  std::mt19937_64 rng(c.seed + 200);
  std::uniform_int_distribution<uint64_t> any_key(0, c.entries - 1);
  std::uniform_int_distribution<int> percent(0, 99);
  char buf[kKey16Bytes];
  kvstore::Value out;
  Refusals total, interval;
  uint64_t lost = 0, refused_need_sum = 0, refused_over_16k = 0;
  uint64_t min_largest = ~uint64_t{0}, max_fragmented = 0;
  uint64_t absorbed = 0;    // Used bytes beyond the block formula.
  uint64_t missed_fit = 0;  // Refused though largest_storable >= need.
  const uint64_t step = std::max<uint64_t>(1, c.churn_ops / 10);

  printf(
      "| ops | refused (stranded / overwrite / short) | live entries | "
      "blocks of live entries | data used | data free | largest_storable | "
      "fragmented_bytes | fragmented / free | rounding_bytes | compactions "
      "(bytes moved) |\n");
  printf("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  auto row = [&](uint64_t ops) -> bool {
    absl::StatusOr<kvstore::StoreStats> st = store->Stats();
    if (!st.ok()) return false;
    printf(
        "| %llu | %llu (%llu / %llu / %llu) | %llu | %s | %s (%.2f%%) | %s | "
        "%s | %s | %.1f%% | %s (%.1f B per block) | %llu (%s) |\n",
        (unsigned long long)ops, (unsigned long long)interval.total(),
        (unsigned long long)interval.stranded,
        (unsigned long long)interval.overwrite,
        (unsigned long long)interval.short_bytes,
        (unsigned long long)st->entry_count, Bytes(live_blocks).c_str(),
        Bytes(st->data_used_bytes).c_str(),
        100.0 * st->data_used_bytes / st->data_bytes,
        Bytes(st->data_free_bytes).c_str(), Bytes(st->largest_storable).c_str(),
        Bytes(st->fragmented_bytes).c_str(),
        st->data_free_bytes == 0
            ? 0.0
            : 100.0 * st->fragmented_bytes / st->data_free_bytes,
        Bytes(st->rounding_bytes).c_str(),
        st->data_entries == 0
            ? 0.0
            : static_cast<double>(st->rounding_bytes) / st->data_entries,
        (unsigned long long)st->compactions,
        Bytes(st->compacted_bytes).c_str());
    // A block may exceed the formula by 16 bytes: a free block whose rest
    // would be smaller than 32 bytes is taken whole.
    if (st->entry_count != live || st->data_used_bytes < live_blocks ||
        (st->data_used_bytes - live_blocks) % 16 != 0 ||
        st->data_used_bytes - live_blocks > 16 * st->data_entries) {
      fprintf(stderr,
              "memory_bench: store has %llu entries / %llu used bytes, the "
              "benchmark expects %llu / %llu (+ up to 16 per block)\n",
              (unsigned long long)st->entry_count,
              (unsigned long long)st->data_used_bytes, (unsigned long long)live,
              (unsigned long long)live_blocks);
      return false;
    }
    absorbed = st->data_used_bytes - live_blocks;
    max_fragmented = std::max(max_fragmented, st->fragmented_bytes);
    interval = Refusals();
    return true;
  };
  if (!row(0)) return 1;

  // Writes that compacted, found by the counter after every slow write.
  uint64_t compactions = 0, compacting_writes = 0;
  double compacting_ns = 0, slowest_ns = 0;
  const auto start = std::chrono::steady_clock::now();
  for (uint64_t op = 1; op <= c.churn_ops; ++op) {
    const int p = percent(rng);
    uint64_t k;
    bool erase = false;
    if (p >= 90 && !erased.empty()) {  // Reinsert a deleted key.
      const size_t at =
          std::uniform_int_distribution<size_t>(0, erased.size() - 1)(rng);
      k = erased[at];
      erased[at] = erased.back();
      erased.pop_back();
    } else {
      do {
        k = any_key(rng);
      } while (cur[k] == 0);
      erase = p >= 80 && p < 90;
    }
    const absl::string_view key = Key16(k, buf);
    if (erase) {
      absl::Status s = store->Erase(key);
      if (!s.ok()) {
        fprintf(stderr, "memory_bench: erase: %s\n", s.ToString().c_str());
        return 1;
      }
      live_blocks -= BlockBytes(kKey16Bytes + cur[k], d.inline_bytes);
      cur[k] = 0;
      --live;
      erased.push_back(k);
    } else {
      const uint32_t size = fresh();
      const kvstore::Value value =
          kvstore::Value::Bytes(payloads.Get(k, size, op));
      const auto set_start = std::chrono::steady_clock::now();
      absl::Status s = store->Set(key, value);
      const double set_ns = std::chrono::duration<double, std::nano>(
                                std::chrono::steady_clock::now() - set_start)
                                .count();
      slowest_ns = std::max(slowest_ns, set_ns);
      if (set_ns > 20000) {  // A compaction passes over the whole table.
        absl::StatusOr<kvstore::StoreStats> st = store->Stats();
        if (st.ok() && st->compactions != compactions) {
          compactions = st->compactions;
          ++compacting_writes;
          compacting_ns += set_ns;
        }
      }
      const uint64_t need = BlockBytes(kKey16Bytes + size, d.inline_bytes);
      const uint64_t old =
          cur[k] == 0 ? 0 : BlockBytes(kKey16Bytes + cur[k], d.inline_bytes);
      if (s.ok()) {
        if (cur[k] == 0) ++live;
        live_blocks += need - old;
        cur[k] = size;
      } else if (absl::IsResourceExhausted(s)) {
        absl::StatusOr<kvstore::StoreStats> st = store->Stats();
        if (!st.ok()) return 1;
        Refusals* counts[2] = {&interval, &total};
        for (Refusals* r : counts) {
          if (need == 0) {
            ++r->entries;
          } else if (st->data_free_bytes >= need) {
            ++r->stranded;
          } else if (st->data_free_bytes + old >= need) {
            ++r->overwrite;
          } else {
            ++r->short_bytes;
          }
        }
        // The store's own figure says a block that large is free: the
        // allocator did not find it (it examines a bounded number of
        // blocks of the request's own size bin).
        if (need != 0 && st->largest_storable + 8 >= need) ++missed_fit;
        refused_need_sum += need;
        refused_over_16k += need > 16384;
        min_largest = std::min(min_largest, st->largest_storable);
        // A refused write changes nothing.
        absl::Status g = store->Get(key, &out);
        const bool intact = cur[k] == 0
                                ? absl::IsNotFound(g)
                                : g.ok() && out.encoded().size() == cur[k];
        if (!intact) ++lost;
        if (cur[k] == 0) erased.push_back(k);  // Still deleted: retry later.
      } else {
        fprintf(stderr, "memory_bench: set: %s\n", s.ToString().c_str());
        return 1;
      }
    }
    if (op % step == 0 || op == c.churn_ops) {
      if (!row(op)) return 1;
    }
  }
  const double ns = std::chrono::duration<double, std::nano>(
                        std::chrono::steady_clock::now() - start)
                        .count() /
                    std::max<uint64_t>(1, c.churn_ops);
  const absl::Status verify = store->Verify();
  const uint64_t writes = c.churn_ops - c.churn_ops / 10;  // About.
  printf(
      "\nrefused %llu of about %llu writes (%.3f%%): stranded by "
      "fragmentation %llu, overwrite allocating before it frees %llu, short "
      "of bytes %llu, entry limit %llu; mean block asked by a refused write "
      "%.0f B (%llu over 16 KiB); smallest largest_storable seen at a "
      "refusal %s; largest fragmented_bytes at a checkpoint %s (%.2f%% of "
      "the data area); old value intact after every refusal: %s; "
      "Verify: %s; %.0f ns per churn operation (Stats and a Get after each "
      "refusal included); blocks taken whole (16 B over the formula) hold "
      "%s at the end; refused although largest_storable said a block that "
      "large was free: %llu; writes that compacted %llu, %.2f ms each on "
      "average (a write over 20 us whose Stats showed a new compaction), "
      "slowest write %.2f ms\n\n",
      (unsigned long long)total.total(), (unsigned long long)writes,
      100.0 * total.total() / writes, (unsigned long long)total.stranded,
      (unsigned long long)total.overwrite,
      (unsigned long long)total.short_bytes, (unsigned long long)total.entries,
      total.total() == 0
          ? 0.0
          : static_cast<double>(refused_need_sum) / total.total(),
      (unsigned long long)refused_over_16k,
      total.total() == 0 ? "-" : Bytes(min_largest).c_str(),
      Bytes(max_fragmented).c_str(), 100.0 * max_fragmented / memory,
      lost == 0 ? "yes" : absl::StrCat("NO (", lost, " lost)").c_str(),
      verify.ok() ? "OK" : verify.ToString().c_str(), ns,
      Bytes(absorbed).c_str(), (unsigned long long)missed_fit,
      (unsigned long long)compacting_writes,
      compacting_writes == 0 ? 0.0 : compacting_ns / compacting_writes / 1e6,
      slowest_ns / 1e6);
  return (lost == 0 && verify.ok()) ? 0 : 1;
}

int Main(int argc, char** argv) {
  InstallCleanupHandlers();
  Config c;
  if (!ParseFlags(argc, argv, &c)) return 2;
  Data d;
  absl::StatusOr<uint64_t> inline_bytes = InlineBytes();
  if (!inline_bytes.ok()) {
    fprintf(stderr, "memory_bench: %s\n",
            inline_bytes.status().ToString().c_str());
    return 1;
  }
  d.inline_bytes = *inline_bytes;
  ValueSizes sizes(c.seed);
  d.sizes.resize(c.entries);
  for (uint32_t& s : d.sizes) {
    s = sizes();
    const uint64_t kv = kKey16Bytes + s;
    d.kv_bytes += kv;
    const uint64_t block = BlockBytes(kv, d.inline_bytes);
    if (block != 0) {
      d.large_kv_bytes += kv;
      d.block_bytes += block;
      ++d.large_entries;
    }
  }
  std::vector<uint32_t> sorted = d.sizes;
  std::sort(sorted.begin(), sorted.end());
  auto pct = [&](double q) {
    return sorted[std::min<size_t>(sorted.size() - 1, q * sorted.size())];
  };
  const uint64_t at_cap =
      sorted.end() -
      std::lower_bound(sorted.begin(), sorted.end(), kMaxMixedValue);
  printf(
      "# memory_bench: %llu entries, 16-byte keys, values lognormal(ln 1024 "
      "- %.3f, %.1f) clamped to [%u, %u]\n\n"
      "value bytes: mean %.1f, median %u, p90 %u, p99 %u, max %u; %.1f%% at "
      "%u or less (with the key, inline in the slot); %llu at the cap\n\n",
      (unsigned long long)c.entries, kMixedSigma * kMixedSigma / 2, kMixedSigma,
      kMinMixedValue, kMaxMixedValue,
      static_cast<double>(d.kv_bytes) / c.entries - kKey16Bytes, pct(0.5),
      pct(0.9), pct(0.99), sorted.back(),
      100.0 * (c.entries - d.large_entries) / c.entries,
      (unsigned)(d.inline_bytes - kKey16Bytes), (unsigned long long)at_cap);
  fflush(stdout);
  const Payloads payloads;
  int failures = PartMemory(c, d, payloads);
  fflush(stdout);
  if (c.churn_ops > 0) {
    printf(
        "## Part 2: churn with eviction none (%llu operations: 80%% "
        "overwrites of a random live key with a fresh size, 10%% deletes, "
        "10%% reinserts of a deleted key)\n\n",
        (unsigned long long)c.churn_ops);
    for (double slack : c.churn_slacks) {
      failures += PartChurn(c, d, payloads, slack);
      fflush(stdout);
    }
  }
  return failures == 0 ? 0 : 1;
}

}  // namespace
}  // namespace kvstore_bench

int main(int argc, char** argv) { return kvstore_bench::Main(argc, argv); }
