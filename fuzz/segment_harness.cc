#include "fuzz/segment_harness.h"

#include <fcntl.h>
#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <iterator>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "fuzz/fuzz_input.h"
#include "kvstore/internal/arena.h"
#include "kvstore/internal/hash.h"
#include "kvstore/internal/layout.h"
#include "kvstore/internal/robust_mutex.h"
#include "kvstore/internal/segment.h"
#include "kvstore/store.h"

namespace kvstore {
namespace fuzz {
namespace {

using internal::Arena;
using internal::ArenaHeader;
using internal::BlockExtent;
using internal::BlockRef;
using internal::Geometry;
using internal::Header;
using internal::SlotHeader;

constexpr int kMaxOps = 48;

// The limits chosen by the first five input bytes.
struct Limits {
  uint64_t capacity;
  uint32_t max_key_bytes;
  uint32_t max_value_bytes;  // As the header says (maybe below 8).
  uint64_t data_bytes;
};

Limits LimitsFrom(const uint8_t head[5]) {
  const uint8_t flags = head[3];
  return Limits{1 + uint64_t{head[0]} % 16, 1 + uint32_t{head[1]} % 96,
                (flags & kFlagTinyValues) ? 1 + uint32_t{head[2]} % 40
                                          : 8 + uint32_t{head[2]},
                kDataAreaSizes[head[4] % 8]};
}

// "/kvfuzz-PID-NONCE-N". The pid alone does not make it unique: processes
// in different PID namespaces (Bazel's sandboxes) share /dev/shm and may
// have the same pid, and a run that crashed leaves its object behind, so
// that a later run's O_EXCL create would fail and skip the input.
std::string UniqueName() {
  static const uint32_t nonce = std::random_device{}();
  static std::atomic<uint64_t> counter{0};
  return absl::StrCat("/kvfuzz-", getpid(), "-", absl::Hex(nonce), "-",
                      counter.fetch_add(1));
}

// Leaves `mu` owned by a thread that has exited: the next locker gets
// EOWNERDEAD, as after a process died inside a write.
void MakeOwnerDead(pthread_mutex_t* mu) {
  std::thread([mu] { pthread_mutex_lock(mu); }).join();
}

// What the operations choose keys from: copies of the table and the data
// area as written.
struct SegmentImage {
  Geometry geometry;
  uint32_t slot_bytes = 1;
  std::string table;
  std::string data;
};

// Brings an out-of-line slot's reference into range (kFlagSaneSlots), or
// returns false if the store cannot hold such an entry.
bool SaneBlockRef(const Geometry& g, const uint8_t* data, BlockRef* ref) {
  const uint32_t inline_bytes = g.inline_bytes;
  if (g.data_bytes == 0 ||
      uint64_t{g.max_key_bytes} + g.max_value_bytes <= inline_bytes) {
    return false;
  }
  // Key and value together longer than a slot holds, within the limits.
  uint32_t key_len = 1 + ref->key_len % g.max_key_bytes;
  uint32_t low = key_len > inline_bytes ? 0 : inline_bytes + 1 - key_len;
  if (low > g.max_value_bytes) {
    key_len = inline_bytes + 1 - g.max_value_bytes;  // <= max_key_bytes.
    low = g.max_value_bytes;
  }
  const uint32_t value_len =
      low + ref->value_len % (g.max_value_bytes - low + 1);
  const uint64_t need = Arena::BlockBytesFor(uint64_t{key_len} + value_len);
  if (need > g.data_bytes) return false;
  const uint64_t bytes =
      need + ((ref->block_bytes & 16) && need + 16 <= g.data_bytes ? 16 : 0);
  // A 16-byte aligned block that lies inside the area.
  const uint64_t offset =
      16 * (ref->offset / 16 % ((g.data_bytes - bytes) / 16 + 1));
  ref->offset = offset;
  ref->block_bytes = bytes;
  ref->key_len = key_len;
  ref->value_len = value_len;
  ref->key_hash = internal::Hash64(data + offset + 8, key_len, g.hash_seed);
  return true;
}

// kFlagSaneSlots: every full slot becomes a sane inline entry or (if it
// was out of line and can be) a sane reference to a block.
void SanitizeSlots(const Geometry& g, uint8_t* table, const uint8_t* data) {
  const uint32_t max_inline_key = std::min(g.max_key_bytes, g.inline_bytes);
  for (uint64_t i = 0; i < g.slot_count; ++i) {
    auto* s = reinterpret_cast<SlotHeader*>(table + i * g.slot_bytes);
    const internal::SlotMeta m = internal::Meta(*s);
    if (m.empty()) continue;
    const uint64_t writing = m.writing ? 1 : 0;
    BlockRef ref;
    std::memcpy(&ref, s + 1, sizeof(ref));
    if (m.key_len == 0 && SaneBlockRef(g, data, &ref)) {
      std::memcpy(s + 1, &ref, sizeof(ref));
      s->seq.store(internal::PackSeq(m.version, 0, m.type) | writing);
      s->info.store(internal::PackInfo(0, m.referenced, m.expires_ms));
      continue;
    }
    const uint32_t key_len =
        m.key_len == 0 ? 1 : 1 + (m.key_len - 1) % max_inline_key;
    const uint32_t max_value =
        std::min(g.max_value_bytes, g.inline_bytes - key_len);
    s->seq.store(internal::PackSeq(m.version, key_len, m.type) | writing);
    s->info.store(internal::PackInfo(m.value_len % (max_value + 1),
                                     m.referenced, m.expires_ms));
  }
}

// kFlagSaneArena: formats the data area from the blocks the table's
// out-of-line slots name, as recovery does, or as one free block if they
// are not a set of disjoint blocks inside the area. Payloads stay.
void FormatArena(const Geometry& g, const uint8_t* table, Arena& arena) {
  std::vector<BlockExtent> blocks;
  for (uint64_t i = 0; i < g.slot_count; ++i) {
    const auto* s =
        reinterpret_cast<const SlotHeader*>(table + i * g.slot_bytes);
    const internal::SlotMeta m = internal::Meta(*s);
    if (m.empty() || m.key_len != 0) continue;
    BlockRef ref;
    std::memcpy(&ref, s + 1, sizeof(ref));
    blocks.push_back(BlockExtent{ref.offset, ref.block_bytes,
                                 uint64_t{ref.key_len} + ref.value_len});
  }
  if (!arena.Rebuild(std::move(blocks)).ok()) arena.Init();
}

// Writes the segment described by `in` into a new shared-memory object
// `name`. Returns copies of its table and data area (for choosing keys) or
// an error if the object cannot be made.
absl::StatusOr<SegmentImage> WriteSegment(const std::string& name,
                                          const Limits& limits, uint32_t skip,
                                          FuzzInput& in) {
  in.Int(3);  // The limits, already decoded.
  const uint8_t flags = in.Byte();
  in.Byte();  // The data area size, already decoded.
  // A header with a tiny value limit gets the sizes of the smallest valid
  // one (a tagged store's slots do not depend on it): only the limit
  // itself is wrong, and Open must notice.
  absl::StatusOr<Geometry> g = internal::ComputeGeometry(
      internal::kKindTagged, limits.capacity, limits.max_key_bytes,
      std::max(limits.max_value_bytes, uint32_t{8}), limits.data_bytes);
  if (!g.ok()) return g.status();
  g->hash_seed = in.Int(8);

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
  h->max_value_bytes = limits.max_value_bytes;
  h->slot_bytes = g->slot_bytes;
  h->data_bytes = g->data_bytes;
  h->kind = internal::kKindTagged;
  h->schema_bytes = 0;
  h->schema_fingerprint = internal::Hash64(h->schema, 0, 0);
  h->table_offset = g->table_offset;
  h->journal_offset = g->journal_offset;
  h->counters_offset = g->counters_offset;
  h->eviction =
      (flags & kFlagClock) ? internal::kEvictClock : internal::kEvictNone;
  h->hash_seed = g->hash_seed;
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

  // The data area: its header page (unless the harness formats it), then
  // its blocks.
  uint8_t* data = nullptr;
  if (g->data_bytes != 0) {
    if ((flags & kFlagSaneArena) == 0) {
      in.Fill(base + g->arena_offset, internal::kArenaHeaderBytes);
      if (skip & kSkipArenaBitmap) {
        auto* a = reinterpret_cast<ArenaHeader*>(base + g->arena_offset);
        constexpr int kWords = sizeof(a->nonempty) / sizeof(a->nonempty[0]);
        a->nonempty[kWords - 1] &=
            (uint64_t{1} << (internal::kArenaBins - 64 * (kWords - 1))) - 1;
      }
    }
    data = base + g->data_offset;
    in.Fill(data, g->data_bytes);
  }
  if (flags & kFlagSaneSlots) SanitizeSlots(*g, table, data);
  if (g->data_bytes != 0 && (flags & kFlagSaneArena)) {
    Arena arena(reinterpret_cast<ArenaHeader*>(base + g->arena_offset), data,
                g->data_bytes);
    FormatArena(*g, table, arena);
  }

  absl::Status init = internal::InitRobustMutex(&h->mutex);
  if (init.ok() && (flags & kFlagOwnerDied)) MakeOwnerDead(&h->mutex);
  h->init_state.store((flags & kFlagNotReady) ? internal::kCreating
                                              : internal::kReady);
  SegmentImage image;
  image.geometry = *g;
  image.slot_bytes = g->slot_bytes;
  image.table.assign(reinterpret_cast<const char*>(table), table_bytes);
  if (data != nullptr) {
    image.data.assign(reinterpret_cast<const char*>(data), g->data_bytes);
  }
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
  OpInput(FuzzInput& in, SegmentImage image, uint32_t max_key_bytes,
          uint32_t max_value_bytes)
      : in_(in),
        image_(std::move(image)),
        slot_count_(image_.table.size() / image_.slot_bytes),
        max_key_bytes_(max_key_bytes),
        max_value_bytes_(max_value_bytes) {}

  FuzzInput& in() { return in_; }

  // A key from the input (possibly empty or too long), or the key bytes of
  // one of the table's slots, inline or in the block an out-of-line slot
  // names (so that lookups find entries).
  std::string Key() {
    const uint8_t b = in_.Byte();
    if ((b & 0x80) && slot_count_ > 0) {
      const size_t i = (b & 0x7f) % slot_count_;
      const char* slot = image_.table.data() + i * image_.slot_bytes;
      const char* inline_area = slot + sizeof(SlotHeader);
      const uint32_t len =
          internal::Meta(*reinterpret_cast<const SlotHeader*>(slot)).key_len;
      if (len != 0) {
        return std::string(
            inline_area,
            std::min<size_t>(len, image_.slot_bytes - sizeof(SlotHeader)));
      }
      BlockRef ref;
      std::memcpy(&ref, inline_area, sizeof(ref));
      if (ref.key_len != 0 && ref.offset < image_.data.size() &&
          ref.key_len <= image_.data.size() - ref.offset &&
          ref.offset + 8 <= image_.data.size() - ref.key_len) {
        return image_.data.substr(ref.offset + 8, ref.key_len);
      }
      return std::string(inline_area, 1);
    }
    return in_.Bytes(b % (max_key_bytes_ + 2));
  }

  // A string or bytes value of up to one byte more than the limit: two
  // input bytes give its length, so that values reach the data area.
  std::string Payload() {
    return in_.Bytes(in_.Int(2) % (max_value_bytes_ + 2));
  }

  Value AnyValue() {
    const uint8_t b = in_.Byte();
    switch (b % 6) {
      case 0:
        return Value::String(Payload());
      case 1:
        return Value::Bytes(Payload());
      case 2:
        return Value::Int64(static_cast<int64_t>(in_.Int(8)));
      case 3:
        return Value::Double(Double());
      case 4:
        return Value::Bool(in_.Byte() & 1);
      default:
        return Value::Record(in_.Bytes(in_.Byte() % 8));  // Refused.
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
  const SegmentImage image_;
  const size_t slot_count_;
  uint32_t max_key_bytes_;
  uint32_t max_value_bytes_;
};

template <typename T>
void Touch(const absl::StatusOr<T>& r) {
  if (r.ok()) (void)*r;
}

// Runs operations until the input ends (at most kMaxOps); returns how many.
int RunOps(Store& store, OpInput& ops) {
  FuzzInput& in = ops.in();
  int n = 0;
  for (; n < kMaxOps && !in.empty(); ++n) {
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
  return n;
}

// The segment's padding, which the harness leaves zero and no operation
// may write: after the journal image, after the table and after the data
// area (up to the end of its page). Returns what was written there, or "".
// (A write past the mapping's end lands in whatever is mapped next, or
// faults; no check here sees it.)
std::string CheckPadding(const std::string& name, const Geometry& g) {
  int fd = shm_open(name.c_str(), O_RDONLY, 0);
  if (fd < 0) return "";
  void* p = mmap(nullptr, g.segment_bytes, PROT_READ, MAP_SHARED, fd, 0);
  close(fd);
  if (p == MAP_FAILED) return "";
  const auto* base = static_cast<const uint8_t*>(p);
  const uint64_t table_end = g.table_offset + g.slot_count * g.slot_bytes;
  const std::pair<uint64_t, uint64_t> gaps[] = {
      {g.journal_offset + g.slot_bytes, g.counters_offset},
      {table_end, g.data_bytes != 0 ? g.arena_offset : g.segment_bytes},
      {g.data_bytes != 0 ? g.data_offset + g.data_bytes : g.segment_bytes,
       g.segment_bytes},
  };
  std::string problem;
  for (const auto& [from, to] : gaps) {
    for (uint64_t o = from; o < to && problem.empty(); ++o) {
      if (base[o] != 0) {
        problem = absl::StrCat("byte ", o, " of the segment, in the padding [",
                               from, ", ", to, ") after the ",
                               from == table_end       ? "table"
                               : from < g.table_offset ? "journal image"
                                                       : "data area",
                               ", was written (", g.segment_bytes,
                               "-byte segment, table at ", g.table_offset,
                               ", data area of ", g.data_bytes, " bytes at ",
                               g.data_offset, ")");
      }
    }
  }
  munmap(p, g.segment_bytes);
  return problem;
}

}  // namespace

std::string RunSegmentInput(const uint8_t* data, size_t size, uint32_t skip,
                            SegmentRunInfo* info) {
  SegmentRunInfo unused;
  if (info == nullptr) info = &unused;
  *info = SegmentRunInfo();
  FuzzInput in(data, size);
  const std::string name = UniqueName();
  uint8_t head[5];
  FuzzInput(data, size).Fill(head, sizeof(head));
  if (skip & kSkipTinyValues) head[3] &= ~kFlagTinyValues;
  const Limits limits = LimitsFrom(head);
  absl::StatusOr<SegmentImage> image = WriteSegment(name, limits, skip, in);
  if (!image.ok()) return "";
  info->made = true;
  const Geometry geometry = image->geometry;
  std::string problem;
  {
    Options options;
    options.creation_wait = absl::ZeroDuration();
    absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(name, options);
    info->opened = store.ok();
    if (store.ok() && limits.max_value_bytes < 8) {
      // Create never writes such a header (an int64 or double would not
      // fit the limit); the fix of the first bug this fuzzer found is that
      // Open refuses it too (fuzz/README.md, "Bugs found").
      problem = absl::StrCat(
          "Store::Open accepted a tagged store whose "
          "values may have only ",
          limits.max_value_bytes, " bytes");
    } else if (store.ok()) {
      // A store that verifies clean must stay clean through any sequence
      // of API calls: this catches writes that corrupt the table or the
      // data area without leaving the mapping (which no sanitizer sees).
      const bool clean_before = (*store)->Verify().ok();
      info->clean_before = clean_before;
      if (clean_before) {
        absl::StatusOr<StoreStats> stats = (*store)->Stats();
        if (stats.ok()) info->data_entries = stats->data_entries;
      }
      OpInput ops(in, *std::move(image), limits.max_key_bytes,
                  limits.max_value_bytes);
      info->ops = RunOps(**store, ops);
      absl::Status after = (*store)->Verify();
      if (clean_before && !after.ok()) {
        problem = absl::StrCat(
            "a store that verified clean was damaged by API calls (capacity ",
            limits.capacity, ", max key bytes ", limits.max_key_bytes,
            ", max value bytes ", limits.max_value_bytes, ", data area ",
            limits.data_bytes, " bytes): ", after.message());
      }
    }
  }
  // Whether or not the store was clean: no operation writes outside the
  // regions of the segment (an overrun that stays in the mapping, which no
  // sanitizer sees).
  if (problem.empty()) problem = CheckPadding(name, geometry);
  shm_unlink(name.c_str());
  return problem;
}

std::string EncodeSegmentInput(const uint8_t* base, uint8_t flags,
                               const std::string& ops) {
  const auto* h = reinterpret_cast<const Header*>(base);
  const uint64_t* size = std::find(std::begin(kDataAreaSizes),
                                   std::end(kDataAreaSizes), h->data_bytes);
  if (h->kind != internal::kKindTagged || h->capacity < 1 || h->capacity > 16 ||
      h->max_key_bytes < 1 || h->max_key_bytes > 96 || h->max_value_bytes < 8 ||
      h->max_value_bytes > 8 + 255 || size == std::end(kDataAreaSizes) ||
      (flags & kFlagTinyValues)) {
    return "";
  }
  absl::StatusOr<Geometry> g =
      internal::ComputeGeometry(h->kind, h->capacity, h->max_key_bytes,
                                h->max_value_bytes, h->data_bytes);
  if (!g.ok()) return "";
  std::string out;
  auto put = [&](uint64_t v, size_t n) {
    for (size_t i = 0; i < n; ++i)
      out.push_back(static_cast<char>(v >> (8 * i)));
  };
  put(h->capacity - 1, 1);
  put(h->max_key_bytes - 1, 1);
  put(h->max_value_bytes - 8, 1);
  put(flags | (h->eviction == internal::kEvictClock ? kFlagClock : 0), 1);
  put(static_cast<uint64_t>(size - std::begin(kDataAreaSizes)), 1);
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
  if (h->data_bytes != 0) {
    if ((flags & kFlagSaneArena) == 0) {
      out.append(reinterpret_cast<const char*>(base + g->arena_offset),
                 internal::kArenaHeaderBytes);
    }
    out.append(reinterpret_cast<const char*>(base + g->data_offset),
               h->data_bytes);
  }
  out += ops;
  return out;
}

}  // namespace fuzz
}  // namespace kvstore
