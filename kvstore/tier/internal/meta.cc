#include "kvstore/tier/internal/meta.h"

#include <time.h>

#include <algorithm>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace kvstore {
namespace tier_internal {
namespace {

// Host byte order: the companion and the data store never leave the host.
void PutU64(char* p, uint64_t v) { std::memcpy(p, &v, sizeof(v)); }
uint64_t GetU64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}

}  // namespace

absl::StatusOr<std::string> MetaStoreName(absl::string_view data_store) {
  std::string name = absl::StrCat(data_store, ".tier");
  absl::Status s = Store::ValidateName(name);
  if (!s.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("store name ", data_store,
                     " leaves no room for its tier companion: ", s.message()));
  }
  return name;
}

Options MetaStoreOptions() {
  Options o;
  o.create_if_missing = true;
  o.capacity = kEpochBuckets + 64;
  o.max_key_bytes = 32;
  o.max_value_bytes = 512;
  o.eviction = Eviction::kNone;
  return o;
}

absl::StatusOr<TierStores> OpenTierStores(absl::string_view data_store,
                                          const Options& data_options) {
  absl::StatusOr<std::string> meta_name = MetaStoreName(data_store);
  if (!meta_name.ok()) return meta_name.status();
  absl::StatusOr<std::unique_ptr<Store>> data =
      Store::Open(data_store, data_options);
  if (!data.ok()) return data.status();
  absl::StatusOr<std::unique_ptr<Store>> meta =
      Store::Open(*meta_name, MetaStoreOptions());
  if (!meta.ok()) return meta.status();
  return TierStores{*std::move(data), *std::move(meta)};
}

int64_t ExpiryFromPttl(int64_t read_ns, int64_t pttl_ms) {
  return pttl_ms >= 0 ? read_ns + pttl_ms * 1000000 : 0;
}

absl::Duration LocalTtl(absl::Duration cap, int64_t pttl_ms) {
  return pttl_ms >= 0 ? std::min(cap, absl::Milliseconds(pttl_ms + 1)) : cap;
}

int64_t NowNs() {
  timespec ts;
  clock_gettime(CLOCK_BOOTTIME, &ts);
  return int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}

std::string EncodeControl(const Control& c) {
  std::string out(24, '\0');
  PutU64(&out[0], c.generation);
  PutU64(&out[8], static_cast<uint64_t>(c.heartbeat_ns));
  PutU64(&out[16], static_cast<uint64_t>(c.sync_pid));
  return out;
}

absl::StatusOr<Control> ReadControl(const Store& meta) {
  thread_local Value v;
  absl::Status s = meta.Get(kControlKey, &v);
  if (!s.ok()) return s;
  if (v.type() != ValueType::kBytes || v.encoded().size() != 24) {
    return absl::DataLossError(absl::StrCat("tier control record in store ",
                                            meta.name(), " is malformed"));
  }
  const char* p = v.encoded().data();
  Control c;
  c.generation = GetU64(p);
  c.heartbeat_ns = static_cast<int64_t>(GetU64(p + 8));
  c.sync_pid = static_cast<int64_t>(GetU64(p + 16));
  return c;
}

uint32_t BucketOf(absl::string_view key) {
  // FNV-1a: the same in every process and build (absl::Hash is seeded per
  // process).
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : key) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return static_cast<uint32_t>((h ^ (h >> 32)) % kEpochBuckets);
}

std::string EpochKey(uint32_t bucket) {
  return absl::StrFormat("e/%04x", bucket);
}

absl::StatusOr<int64_t> ReadEpoch(const Store& meta, absl::string_view key) {
  thread_local Value v;
  char name[8];
  const uint32_t bucket = BucketOf(key);
  absl::SNPrintF(name, sizeof(name), "e/%04x", bucket);
  absl::Status s = meta.Get(name, &v);
  if (absl::IsNotFound(s)) return 0;
  if (!s.ok()) return s;
  if (v.type() != ValueType::kInt64) {
    return absl::DataLossError(absl::StrCat("tier epoch ", name, " in store ",
                                            meta.name(), " is not an int64"));
  }
  return v.AsInt64();
}

absl::Status BumpEpoch(Store& meta, absl::string_view key) {
  return meta.Increment(EpochKey(BucketOf(key)), 1).status();
}

Value EncodeEntry(const Tag& tag, absl::string_view payload) {
  std::string bytes(kTagBytes + payload.size(), '\0');
  PutU64(&bytes[0], tag.generation);
  PutU64(&bytes[8], static_cast<uint64_t>(tag.epoch));
  PutU64(&bytes[16], static_cast<uint64_t>(tag.expiry_ns));
  if (!payload.empty()) {
    std::memcpy(&bytes[kTagBytes], payload.data(), payload.size());
  }
  return Value::Bytes(bytes);
}

bool DecodeEntry(const Value& v, Tag* tag, absl::string_view* payload) {
  if (v.type() != ValueType::kBytes || v.encoded().size() < kTagBytes) {
    return false;
  }
  const char* p = v.encoded().data();
  tag->generation = GetU64(p);
  tag->epoch = static_cast<int64_t>(GetU64(p + 8));
  tag->expiry_ns = static_cast<int64_t>(GetU64(p + 16));
  *payload = absl::string_view(v.encoded()).substr(kTagBytes);
  return true;
}

bool CopyUpdate::Prepare(const Store& data, const Store& meta,
                         absl::string_view key) {
  absl::StatusOr<Entry> entry = data.GetEntry(key);
  Tag tag;
  absl::string_view payload;
  if (!entry.ok() || !DecodeEntry(entry->value, &tag, &payload)) return false;
  absl::StatusOr<Control> control = ReadControl(meta);
  absl::StatusOr<int64_t> epoch = ReadEpoch(meta, key);
  if (!control.ok() || !epoch.ok()) return false;
  version_ = entry->version;
  expiry_ns_ = tag.expiry_ns;
  ttl_ = entry->ttl;
  generation_ = control->generation;
  epoch_ = *epoch;
  return true;
}

bool CopyUpdate::Commit(Store& data, absl::string_view key,
                        absl::string_view payload, int64_t expiry_ns,
                        absl::Duration ttl) const {
  Tag tag;
  tag.generation = generation_;
  tag.epoch = epoch_;
  tag.expiry_ns = expiry_ns;
  WriteOptions options;
  options.ttl = ttl;
  absl::StatusOr<bool> stored = data.CompareVersionAndSet(
      key, version_, EncodeEntry(tag, payload), options);
  return stored.ok() && *stored;
}

absl::string_view CounterKey(Counter c) {
  switch (c) {
    case Counter::kLocalHits:
      return "n/local_hits";
    case Counter::kFills:
      return "n/fills";
    case Counter::kFillsDiscarded:
      return "n/fills_discarded";
    case Counter::kReadThroughs:
      return "n/read_throughs";
    case Counter::kStaleServed:
      return "n/stale_served";
    case Counter::kInvalidations:
      return "n/invalidations";
    case Counter::kFlushes:
      return "n/flushes";
    case Counter::kRedisErrors:
      return "n/redis_errors";
    case Counter::kRefreshes:
      return "n/refreshes";
    case Counter::kCount:
      break;
  }
  return "n/unknown";
}

void CounterBatch::MaybeFlush(Store& meta, int64_t now_ns,
                              int64_t interval_ns) {
  int64_t last = last_flush_ns_.load(std::memory_order_relaxed);
  if (now_ns - last < interval_ns) return;
  if (!last_flush_ns_.compare_exchange_strong(last, now_ns)) return;
  Flush(meta);
}

void CounterBatch::Flush(Store& meta) {
  for (int i = 0; i < static_cast<int>(Counter::kCount); ++i) {
    const int64_t n = pending_[i].exchange(0, std::memory_order_relaxed);
    if (n == 0) continue;
    // A counter that cannot be written is dropped: counting never fails a
    // read or a write.
    meta.Increment(CounterKey(static_cast<Counter>(i)), n).IgnoreError();
  }
}

}  // namespace tier_internal
}  // namespace kvstore
