#include "fuzz/segment_harness.h"

#include <fcntl.h>
#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "fuzz/fuzz_input.h"
#include "kvstore/internal/hash.h"
#include "kvstore/internal/layout.h"
#include "kvstore/internal/robust_mutex.h"
#include "kvstore/internal/segment.h"
#include "kvstore/store.h"

namespace kvstore {
namespace fuzz {
namespace {

using internal::Header;
using internal::SlotHeader;

constexpr int kMaxOps = 48;

// The limits chosen by the first three input bytes.
struct Limits {
  uint64_t capacity;
  uint32_t max_key_bytes;
  uint32_t max_value_bytes;
};

Limits LimitsFrom(uint8_t c, uint8_t k, uint8_t v, uint8_t flags) {
  return Limits{
      1 + uint64_t{c} % 16, 1 + uint32_t{k} % 24,
      (flags & kFlagTinyValues) ? 1 + uint32_t{v} % 40 : 8 + uint32_t{v} % 33};
}

std::string UniqueName() {
  static std::atomic<uint64_t> counter{0};
  return absl::StrCat("/kvfuzz-", getpid(), "-", counter.fetch_add(1));
}

// Leaves `mu` owned by a thread that has exited: the next locker gets
// EOWNERDEAD, as after a process died inside a write.
void MakeOwnerDead(pthread_mutex_t* mu) {
  std::thread([mu] { pthread_mutex_lock(mu); }).join();
}

// Writes the segment described by `in` into a new shared-memory object
// `name`. Returns the table image (for choosing keys) or an error if the
// object cannot be made.
absl::StatusOr<std::string> WriteSegment(const std::string& name,
                                         const Limits& limits, FuzzInput& in) {
  in.Int(3);  // The limits, already decoded.
  const uint8_t flags = in.Byte();
  absl::StatusOr<internal::Geometry> g = internal::ComputeGeometry(
      internal::kKindTagged, limits.capacity, limits.max_key_bytes,
      limits.max_value_bytes, 0);
  if (!g.ok()) return g.status();

  int fd = shm_open(name.c_str(), O_RDWR | O_CREAT | O_EXCL, 0600);
  if (fd < 0) return absl::InternalError("shm_open");
  if (ftruncate(fd, static_cast<off_t>(g->segment_bytes)) != 0) {
    close(fd);
    shm_unlink(name.c_str());
    return absl::InternalError("ftruncate");
  }
  void* p = mmap(nullptr, g->segment_bytes, PROT_READ | PROT_WRITE, MAP_SHARED,
                 fd, 0);
  close(fd);
  if (p == MAP_FAILED) {
    shm_unlink(name.c_str());
    return absl::InternalError("mmap");
  }
  auto* base = static_cast<uint8_t*>(p);
  auto* h = static_cast<Header*>(p);

  // Immutable part, exactly as Segment::Create writes it.
  h->creator_pid = getpid();
  h->magic = internal::kMagic;
  h->format_version = internal::kFormatVersion;
  h->lock_version = internal::kLockVersion;
  h->abi_tag = internal::AbiTag();
  h->header_bytes = internal::kHeaderBytes;
  h->segment_bytes = g->segment_bytes;
  h->capacity = g->capacity;
  h->slot_count = g->slot_count;
  h->max_key_bytes = g->max_key_bytes;
  h->max_value_bytes = g->max_value_bytes;
  h->slot_bytes = g->slot_bytes;
  h->kind = internal::kKindTagged;
  h->schema_bytes = 0;
  h->schema_fingerprint = internal::Hash64(h->schema, 0, 0);
  h->table_offset = g->table_offset;
  h->journal_offset = g->journal_offset;
  h->counters_offset = g->counters_offset;
  h->eviction =
      (flags & kFlagClock) ? internal::kEvictClock : internal::kEvictNone;
  h->hash_seed = in.Int(8);
  h->created_unix_ns = 1;
  h->checksum = internal::HeaderChecksum(*h);

  // Mutable header fields from the input.
  h->structure_seq.store(in.Int(8));
  h->entry_count.store(in.Int(8));
  h->recovery_count.store(in.Int(8));
  h->version_counter.store(in.Int(8));
  h->clock_hand.store(in.Int(8));
  h->sweep_hand.store(in.Int(8));
  h->journal_state.store(static_cast<uint32_t>(in.Int(4)));
  h->journal_image_bytes = static_cast<uint32_t>(in.Int(4));
  h->journal_slot.store(in.Int(8));
  h->journal_entry_count = in.Int(8);
  h->has_expiring.store(static_cast<uint32_t>(in.Int(4)));

  in.Fill(base + g->journal_offset, g->slot_bytes);
  const size_t table_bytes = g->slot_count * g->slot_bytes;
  uint8_t* table = base + g->table_offset;
  in.Fill(table, table_bytes);
  if (flags & kFlagSaneSlots) {
    for (uint64_t i = 0; i < g->slot_count; ++i) {
      auto* s = reinterpret_cast<SlotHeader*>(table + i * g->slot_bytes);
      const internal::SlotMeta m = internal::Meta(*s);
      if (m.empty()) continue;
      const uint32_t key_len = 1 + (m.key_len - 1) % g->max_key_bytes;
      s->seq.store(internal::PackSeq(m.version, key_len, m.type) |
                   (m.writing ? 1 : 0));
      s->info.store(internal::PackInfo(m.value_len % (g->max_value_bytes + 1),
                                       m.referenced, m.expires_ms));
    }
  }

  absl::Status init = internal::InitRobustMutex(&h->mutex);
  if (init.ok() && (flags & kFlagOwnerDied)) MakeOwnerDead(&h->mutex);
  h->init_state.store((flags & kFlagNotReady) ? internal::kCreating
                                              : internal::kReady);
  std::string image(reinterpret_cast<const char*>(table), table_bytes);
  image.insert(0, reinterpret_cast<const char*>(&g->slot_bytes),
               sizeof(g->slot_bytes));
  munmap(p, g->segment_bytes);
  if (!init.ok()) {
    shm_unlink(name.c_str());
    return init;
  }
  return image;
}

// Chooses keys and values for the operations.
class OpInput {
 public:
  OpInput(FuzzInput& in, std::string image, uint32_t max_key_bytes,
          uint32_t max_value_bytes)
      : in_(in),
        image_(std::move(image)),
        max_key_bytes_(max_key_bytes),
        max_value_bytes_(max_value_bytes) {
    std::memcpy(&slot_bytes_, image_.data(), sizeof(slot_bytes_));
    image_.erase(0, sizeof(slot_bytes_));
    slot_count_ = image_.size() / slot_bytes_;
  }

  FuzzInput& in() { return in_; }

  // A key from the input (possibly empty or too long), or the key bytes of
  // one of the table's slots (so that lookups find entries).
  std::string Key() {
    const uint8_t b = in_.Byte();
    if ((b & 0x80) && slot_count_ > 0) {
      const size_t i = (b & 0x7f) % slot_count_;
      const auto* s =
          reinterpret_cast<const SlotHeader*>(image_.data() + i * slot_bytes_);
      size_t len = internal::Meta(*s).key_len;
      if (len == 0 || len > max_key_bytes_) len = 1;
      return std::string(reinterpret_cast<const char*>(s + 1), len);
    }
    return in_.Bytes(b % (max_key_bytes_ + 2));
  }

  Value AnyValue() {
    const uint8_t b = in_.Byte();
    switch (b % 6) {
      case 0:
        return Value::String(in_.Bytes(in_.Byte() % (max_value_bytes_ + 2)));
      case 1:
        return Value::Bytes(in_.Bytes(in_.Byte() % (max_value_bytes_ + 2)));
      case 2:
        return Value::Int64(static_cast<int64_t>(in_.Int(8)));
      case 3:
        return Value::Double(Double());
      case 4:
        return Value::Bool(in_.Byte() & 1);
      default:
        return Value::Record(in_.Bytes(in_.Byte() % 8));
    }
  }

  double Double() {
    const uint64_t bits = in_.Int(8);
    double d;
    std::memcpy(&d, &bits, sizeof(d));
    return d;
  }

  absl::Duration Ttl() {
    const uint8_t b = in_.Byte();
    if (b == 0) return absl::InfiniteDuration();
    if (b == 0xff) return absl::ZeroDuration();  // Invalid: an error.
    if (b == 0xfe) return absl::Nanoseconds(1);  // Expires at once.
    return absl::Milliseconds(b) * 100;
  }

 private:
  FuzzInput& in_;
  std::string image_;
  uint32_t slot_bytes_ = 1;
  size_t slot_count_ = 0;
  uint32_t max_key_bytes_;
  uint32_t max_value_bytes_;
};

template <typename T>
void Touch(const absl::StatusOr<T>& r) {
  if (r.ok()) (void)*r;
}

void RunOps(Store& store, OpInput& ops) {
  FuzzInput& in = ops.in();
  for (int n = 0; n < kMaxOps && !in.empty(); ++n) {
    const uint8_t op = in.Byte();
    switch (op % 23) {
      case 0:
        Touch(store.Get(ops.Key()));
        break;
      case 1:
        Touch(store.GetEntry(ops.Key()));
        break;
      case 2: {
        const std::string key = ops.Key();
        switch (in.Byte() % 5) {
          case 0:
            Touch(store.Get<int64_t>(key));
            break;
          case 1:
            Touch(store.Get<double>(key));
            break;
          case 2:
            Touch(store.Get<bool>(key));
            break;
          case 3:
            Touch(store.Get<std::string>(key));
            break;
          default:
            Touch(store.Get<Bytes>(key));
            break;
        }
        break;
      }
      case 3: {
        std::vector<std::string> keys;
        for (int i = in.Byte() % 4; i >= 0; --i) keys.push_back(ops.Key());
        store.MultiGet(keys);
        break;
      }
      case 4: {
        const std::string key = ops.Key();
        const Value value = ops.AnyValue();
        WriteOptions wo;
        wo.ttl = ops.Ttl();
        store.Set(key, value, wo).IgnoreError();
        break;
      }
      case 5: {
        const std::string key = ops.Key();
        Touch(store.SetIfAbsent(key, ops.AnyValue()));
        break;
      }
      case 6: {
        const std::string key = ops.Key();
        Touch(store.Replace(key, ops.AnyValue()));
        break;
      }
      case 7: {
        const std::string key = ops.Key();
        const Value expected = ops.AnyValue();
        Touch(store.CompareAndSet(key, expected, ops.AnyValue()));
        break;
      }
      case 8: {
        const std::string key = ops.Key();
        const uint64_t version = in.Int(in.Byte() % 9);
        Touch(store.CompareVersionAndSet(key, version, ops.AnyValue()));
        break;
      }
      case 9:
        store.Erase(ops.Key()).IgnoreError();
        break;
      case 10:
        Touch(store.GetAndErase(ops.Key()));
        break;
      case 11: {
        const std::string key = ops.Key();
        Touch(store.Increment(key, static_cast<int64_t>(in.Int(8))));
        break;
      }
      case 12: {
        const std::string key = ops.Key();
        Touch(store.AddDouble(key, ops.Double()));
        break;
      }
      case 13: {
        const std::string key = ops.Key();
        store.Expire(key, ops.Ttl()).IgnoreError();
        break;
      }
      case 14:
        store.Persist(ops.Key()).IgnoreError();
        break;
      case 15:
        Touch(store.Ttl(ops.Key()));
        break;
      case 16: {
        const std::string key = ops.Key();
        const bool fail = in.Byte() & 1;
        const Value value = ops.AnyValue();
        ComputeOptions co;
        co.wait = absl::ZeroDuration();  // Never wait for another process.
        co.lease = absl::Seconds(1);
        co.ttl = ops.Ttl();
        Touch(store.GetOrCompute(
            key,
            [&]() -> absl::StatusOr<Value> {
              if (fail) return absl::AbortedError("compute failed");
              return value;
            },
            co));
        break;
      }
      case 17: {
        const uint64_t cursor = in.Int(in.Byte() % 9);
        const std::string prefix = in.ShortString(4);
        Touch(store.Scan(cursor, prefix, in.Byte() % 20));
        break;
      }
      case 18: {
        const std::string prefix = in.ShortString(4);
        int budget = in.Byte() % 8;
        store
            .ForEach(
                [&](absl::string_view key, const Value& value) {
                  (void)value.ToText();
                  return budget-- > 0 ? absl::OkStatus()
                                      : absl::CancelledError("enough");
                },
                prefix)
            .IgnoreError();
        break;
      }
      case 19: {
        std::vector<std::pair<std::string, Value>> kvs;
        for (int i = in.Byte() % 4; i >= 0; --i) {
          std::string key = ops.Key();
          kvs.emplace_back(std::move(key), ops.AnyValue());
        }
        WriteOptions wo;
        wo.ttl = ops.Ttl();
        store.MultiSet(kvs, wo).IgnoreError();
        break;
      }
      case 20:
        Touch(store.Stats());
        break;
      case 21:
        store.Verify().IgnoreError();
        break;
      default:
        Store::ResetLock(store.name()).IgnoreError();
        break;
    }
  }
}

}  // namespace

std::string RunSegmentInput(const uint8_t* data, size_t size,
                            bool skip_tiny_values) {
  FuzzInput in(data, size);
  const std::string name = UniqueName();
  uint8_t head[4];
  FuzzInput(data, size).Fill(head, sizeof(head));
  if (skip_tiny_values) head[3] &= ~kFlagTinyValues;
  const Limits limits = LimitsFrom(head[0], head[1], head[2], head[3]);
  absl::StatusOr<std::string> image = WriteSegment(name, limits, in);
  if (!image.ok()) return "";
  std::string problem;
  {
    Options options;
    options.creation_wait = absl::ZeroDuration();
    absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(name, options);
    if (store.ok()) {
      // A store that verifies clean must stay clean through any sequence
      // of API calls: this catches writes that corrupt the table without
      // leaving the mapping (which no sanitizer sees).
      const bool clean_before = (*store)->Verify().ok();
      OpInput ops(in, *std::move(image), limits.max_key_bytes,
                  limits.max_value_bytes);
      RunOps(**store, ops);
      absl::Status after = (*store)->Verify();
      if (clean_before && !after.ok()) {
        problem = absl::StrCat(
            "a store that verified clean was damaged by API calls (capacity ",
            limits.capacity, ", max key bytes ", limits.max_key_bytes,
            ", max value bytes ", limits.max_value_bytes,
            "): ", after.message());
      }
    }
  }
  shm_unlink(name.c_str());
  return problem;
}

std::string EncodeSegmentInput(const uint8_t* base, uint8_t flags,
                               const std::string& ops) {
  const auto* h = reinterpret_cast<const Header*>(base);
  std::string out;
  auto put = [&](uint64_t v, size_t n) {
    for (size_t i = 0; i < n; ++i)
      out.push_back(static_cast<char>(v >> (8 * i)));
  };
  put(h->capacity - 1, 1);
  put(h->max_key_bytes - 1, 1);
  put(h->max_value_bytes - 8, 1);
  put(flags | (h->eviction == internal::kEvictClock ? kFlagClock : 0), 1);
  put(h->hash_seed, 8);
  put(h->structure_seq.load(), 8);
  put(h->entry_count.load(), 8);
  put(h->recovery_count.load(), 8);
  put(h->version_counter.load(), 8);
  put(h->clock_hand.load(), 8);
  put(h->sweep_hand.load(), 8);
  put(h->journal_state.load(), 4);
  put(h->journal_image_bytes, 4);
  put(h->journal_slot.load(), 8);
  put(h->journal_entry_count, 8);
  put(h->has_expiring.load(), 4);
  out.append(reinterpret_cast<const char*>(base + h->journal_offset),
             h->slot_bytes);
  out.append(reinterpret_cast<const char*>(base + h->table_offset),
             h->slot_count * h->slot_bytes);
  out += ops;
  return out;
}

}  // namespace fuzz
}  // namespace kvstore
