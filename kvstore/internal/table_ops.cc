// The write operations, each one lock acquisition built from the primitives
// in table.cc.
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "kvstore/internal/hash.h"
#include "kvstore/internal/process.h"
#include "kvstore/internal/table.h"

namespace kvstore {
namespace internal {
namespace {

// How often a write sweeps for expired entries: a few slots each time.
constexpr uint64_t kSweepPerWrite = 2;

absl::string_view Payload(const Value& v) { return v.encoded(); }

}  // namespace

absl::Status Table::WriteOneLocked(absl::string_view key, uint64_t hash,
                                   const Value& value, const WriteSpec& spec,
                                   Clock& now, bool* written) {
  *written = false;
  const absl::string_view payload = Payload(value);
  const bool out_of_line =
      arena_ != nullptr && !FitsInline(key.size(), payload.size());
  if (out_of_line) {
    arena_->PrefetchAllocate(key.size() + payload.size());
    if (spec.mode == WriteSpec::Mode::kUpsert && !spec.over_claim &&
        spec.expected_value == nullptr && !spec.check_version &&
        header_->has_expiring.load(std::memory_order_relaxed) == 0) {
      // Nothing to check first, and no expired entry of the key for a
      // lookup to reclaim before allocating: PlaceLocked finds the key
      // only once the block is filled, one lookup instead of two.
      return PlaceAndPutLocked(key, hash, value, spec, Probe{false, 0}, now,
                               written);
    }
  }
  absl::StatusOr<Probe> probe = FindLocked(key, hash, now);
  if (!probe.ok()) return probe.status();
  const SlotHeader* s = slot(probe->index);
  const SlotMeta m = Meta(*s);
  const bool pending = probe->found && m.type == kTypePending;
  const bool present = probe->found && !pending;
  if (spec.over_claim && !(pending && m.version == spec.expected_version)) {
    return absl::OkStatus();
  }
  if (present && spec.mode == WriteSpec::Mode::kInsertOnly) {
    return absl::OkStatus();
  }
  if (!present && spec.mode == WriteSpec::Mode::kUpdateOnly) {
    if (spec.expected_value != nullptr || spec.check_version) {
      return NotFound(key);
    }
    return absl::OkStatus();
  }
  if (spec.expected_value != nullptr) {
    absl::StatusOr<EntryBytes> e = EntryLocked(probe->index, m);
    if (!e.ok()) return e.status();
    if (m.type != static_cast<uint8_t>(spec.expected_value->type()) ||
        e->value != Payload(*spec.expected_value)) {
      return absl::OkStatus();
    }
  }
  if (spec.check_version && m.version != spec.expected_version) {
    return absl::OkStatus();
  }
  return PlaceAndPutLocked(key, hash, value, spec, *probe, now, written);
}

absl::Status Table::PlaceAndPutLocked(absl::string_view key, uint64_t hash,
                                      const Value& value, const WriteSpec& spec,
                                      const Probe& before, Clock& now,
                                      bool* written) {
  BlockExtent block;
  absl::StatusOr<Probe> probe =
      PlaceLocked(key, hash, Payload(value), before, now, &block);
  if (!probe.ok()) return probe.status();
  PutLocked(*probe, key, hash, static_cast<uint8_t>(value.type()),
            Payload(value), spec.expires_ms, block);
  CountLocked(kSets);
  *written = true;
  return absl::OkStatus();
}

absl::Status Table::Write(absl::string_view key, const Value& value,
                          const WriteSpec& spec, bool* written) {
  absl::Status status = CheckKey(key);
  if (status.ok()) status = CheckValue(key, value);
  if (!status.ok()) return status;
  const uint64_t hash = HashKey(key);
  PrefetchHome(hash);
  return WithLock([&]() -> absl::Status {
    Clock now;
    SweepLocked(now, kSweepPerWrite);
    return WriteOneLocked(key, hash, value, spec, now, written);
  });
}

absl::Status Table::MultiWrite(
    const std::vector<std::pair<std::string, Value>>& kvs, int64_t expires_ms) {
  for (const auto& [key, value] : kvs) {
    absl::Status status = CheckKey(key);
    if (status.ok()) status = CheckValue(key, value);
    if (!status.ok()) return status;
  }
  std::vector<uint64_t> hashes;
  for (const auto& kv : kvs) hashes.push_back(HashKey(kv.first));
  return WithLock([&]() -> absl::Status {
    Clock now;
    SweepLocked(now, kSweepPerWrite);
    if (geometry_.eviction == kEvictNone) {
      // All or nothing: count the new keys before writing any.
      uint64_t fresh = 0;
      for (size_t i = 0; i < kvs.size(); ++i) {
        absl::StatusOr<Probe> p = FindLocked(kvs[i].first, hashes[i], now);
        if (!p.ok()) return p.status();
        bool repeated = false;
        for (size_t j = 0; j < i && !repeated; ++j) {
          repeated = kvs[j].first == kvs[i].first;
        }
        if (!p->found && !repeated) ++fresh;
      }
      const uint64_t count =
          header_->entry_count.load(std::memory_order_relaxed);
      if (count + fresh > geometry_.capacity) {
        SweepLocked(now, geometry_.slot_count);
      }
      if (header_->entry_count.load(std::memory_order_relaxed) + fresh >
          geometry_.capacity) {
        return absl::ResourceExhaustedError(absl::StrFormat(
            "store %s has room for %d more entries; the batch adds %d new "
            "keys (nothing was written)",
            name(),
            geometry_.capacity -
                header_->entry_count.load(std::memory_order_relaxed),
            fresh));
      }
    }
    WriteSpec spec;
    spec.expires_ms = expires_ms;
    for (size_t i = 0; i < kvs.size(); ++i) {
      bool written;
      absl::Status status = WriteOneLocked(kvs[i].first, hashes[i],
                                           kvs[i].second, spec, now, &written);
      if (!status.ok()) return status;
    }
    return absl::OkStatus();
  });
}

absl::Status Table::PutRaw(const std::vector<RawEntry>& entries) {
  std::vector<Value> values;
  std::vector<uint64_t> hashes;
  values.reserve(entries.size());
  for (const RawEntry& e : entries) {
    absl::StatusOr<Value> v =
        Value::FromEncoded(static_cast<ValueType>(e.type), e.value);
    if (!v.ok()) return v.status();
    absl::Status status = CheckKey(e.key);
    if (status.ok()) status = CheckValue(e.key, *v);
    if (!status.ok()) return status;
    values.push_back(*std::move(v));
    hashes.push_back(HashKey(e.key));
  }
  return WithLock([&]() -> absl::Status {
    Clock now;
    for (size_t i = 0; i < entries.size(); ++i) {
      WriteSpec spec;
      spec.expires_ms = entries[i].expires_ms;
      bool written;
      absl::Status status = WriteOneLocked(entries[i].key, hashes[i], values[i],
                                           spec, now, &written);
      if (!status.ok()) return status;
    }
    return absl::OkStatus();
  });
}

absl::Status Table::Erase(absl::string_view key, Value* out) {
  absl::Status status = CheckKey(key);
  if (!status.ok()) return status;
  const uint64_t hash = HashKey(key);
  return WithLock([&]() -> absl::Status {
    Clock now;
    absl::StatusOr<uint64_t> index = FindLiveLocked(key, hash, now);
    if (!index.ok()) return index.status();
    if (out != nullptr) {
      absl::Status read = ReadSlotLocked(*index, key, now, out, nullptr);
      if (!read.ok()) return read;
    }
    EraseLocked(*index);
    CountLocked(kDeletes);
    return absl::OkStatus();
  });
}

template <typename AddFn>
absl::Status Table::AddBits(absl::string_view key, ValueType value_type,
                            AddFn add) {
  absl::Status status = CheckKey(key);
  if (status.ok()) status = CheckKind(value_type);
  if (!status.ok()) return status;
  const uint64_t hash = HashKey(key);
  PrefetchHome(hash);
  const uint8_t type = static_cast<uint8_t>(value_type);
  // The arithmetic works on the 8 stored bytes directly: no Value, no
  // allocation, under the lock.
  return WithLock([&]() -> absl::Status {
    Clock now;
    SweepLocked(now, kSweepPerWrite);
    absl::StatusOr<Probe> probe = FindLocked(key, hash, now);
    if (!probe.ok()) return probe.status();
    if (probe->found) {
      // The usual case: the key's inline 8-byte entry of this type
      // (FindLocked checked its key, and its length against the slot). Its
      // 8 bytes change in place, journaled as a patch.
      const SlotHeader* s = slot(probe->index);
      const uint64_t seq = s->seq.load(std::memory_order_relaxed);
      const uint64_t info = s->info.load(std::memory_order_relaxed);
      if (SeqType(seq) == type && SeqKeyLen(seq) != 0 &&
          InfoValueLen(info) == 8) {
        char sum[8];
        absl::Status added = add(KeyOf(s) + SeqKeyLen(seq), sum);
        if (!added.ok()) return added;
        PatchValueLocked(probe->index, seq, info, sum);
        CountLocked(kSets);
        return absl::OkStatus();
      }
    }
    const SlotMeta m = Meta(*slot(probe->index));
    const bool present = probe->found && m.type != kTypePending;
    char current[8] = {};  // 0 and 0.0 for an absent key.
    if (present) {
      // Inline (the usual case) the value follows the key FindLocked
      // checked; out of line, EntryLocked checks the block.
      absl::StatusOr<EntryBytes> e =
          OutOfLine(m)
              ? EntryLocked(probe->index, m)
              : absl::StatusOr<EntryBytes>(EntryBytes{
                    absl::string_view(KeyOf(slot(probe->index)), m.key_len),
                    absl::string_view(KeyOf(slot(probe->index)) + m.key_len,
                                      m.value_len),
                    /*out_of_line=*/false, BlockExtent{}});
      if (!e.ok()) return e.status();
      if (m.type == type && e->value.size() != 8) {
        return absl::DataLossError(
            absl::StrCat("key '", KeyText(key), "' in store ", name(),
                         " has a damaged slot; run 'kvstore check'"));
      }
      if (m.type != type) {
        return absl::FailedPreconditionError(absl::StrCat(
            "key '", KeyText(key), "' in store ", name(), " has type ",
            IsValidValueType(m.type)
                ? ValueTypeName(static_cast<ValueType>(m.type))
                : "unknown",
            ", not ", ValueTypeName(value_type), "; cannot add to it"));
      }
      std::memcpy(current, e->value.data(), 8);
    }
    char sum[8];
    absl::Status added = add(current, sum);
    if (!added.ok()) return added;
    // A compute marker already has the key's slot.
    const absl::string_view payload(sum, 8);
    BlockExtent block;
    probe = PlaceLocked(key, hash, payload, *probe, now, &block);
    if (!probe.ok()) return probe.status();
    // An increment keeps the time to live.
    PutLocked(*probe, key, hash, type, payload, present ? m.expires_ms : 0,
              block);
    CountLocked(kSets);
    return absl::OkStatus();
  });
}

absl::StatusOr<int64_t> Table::AddInt64(absl::string_view key, int64_t delta) {
  int64_t result = 0;
  absl::Status status =
      AddBits(key, ValueType::kInt64,
              [&](const char* current, char* sum) -> absl::Status {
                int64_t a;
                std::memcpy(&a, current, 8);
                if (__builtin_add_overflow(a, delta, &result)) {
                  return absl::OutOfRangeError(absl::StrFormat(
                      "incrementing key '%s' (%d) by %d would overflow int64",
                      key, a, delta));
                }
                std::memcpy(sum, &result, 8);
                return absl::OkStatus();
              });
  if (!status.ok()) return status;
  return result;
}

absl::StatusOr<double> Table::AddDouble(absl::string_view key, double delta) {
  double result = 0;
  absl::Status status =
      AddBits(key, ValueType::kDouble,
              [&](const char* current, char* sum) -> absl::Status {
                double a;
                std::memcpy(&a, current, 8);
                result = a + delta;
                std::memcpy(sum, &result, 8);
                return absl::OkStatus();
              });
  if (!status.ok()) return status;
  return result;
}

absl::Status Table::Update(
    absl::string_view key,
    absl::FunctionRef<absl::Status(ValueType, std::string*)> fn) {
  absl::Status status = CheckKey(key);
  if (!status.ok()) return status;
  const uint64_t hash = HashKey(key);
  return WithLock([&]() -> absl::Status {
    Clock now;
    absl::StatusOr<uint64_t> index = FindLiveLocked(key, hash, now);
    if (!index.ok()) return index.status();
    const SlotMeta m = Meta(*slot(*index));
    Value current;
    absl::Status read = ReadSlotLocked(*index, key, now, &current, nullptr);
    if (!read.ok()) return read;
    std::string payload = current.encoded();
    absl::Status edited = fn(current.type(), &payload);
    if (!edited.ok()) return edited;
    if (payload.size() > geometry_.max_value_bytes) {
      return absl::InvalidArgumentError(
          absl::StrCat("updated value for key '", KeyText(key),
                       "' is too long for store ", name()));
    }
    BlockExtent block;
    absl::StatusOr<Probe> probe =
        PlaceLocked(key, hash, payload, Probe{true, *index}, now, &block);
    if (!probe.ok()) return probe.status();
    PutLocked(*probe, key, hash, m.type, payload, m.expires_ms, block);
    CountLocked(kSets);
    return absl::OkStatus();
  });
}

absl::Status Table::SetExpiry(absl::string_view key, int64_t expires_ms) {
  absl::Status status = CheckKey(key);
  if (!status.ok()) return status;
  const uint64_t hash = HashKey(key);
  return WithLock([&]() -> absl::Status {
    Clock now;
    absl::StatusOr<uint64_t> index = FindLiveLocked(key, hash, now);
    if (!index.ok()) return index.status();
    const SlotMeta m = Meta(*slot(*index));
    absl::StatusOr<EntryBytes> e = EntryLocked(*index, m);
    if (!e.ok()) return e.status();
    // The same bytes, inline or in the same block, with a new expiry.
    PutLocked(Probe{true, *index}, key, hash, m.type, e->value, expires_ms,
              e->block);
    return absl::OkStatus();
  });
}

absl::StatusOr<bool> Table::ClaimForCompute(absl::string_view key,
                                            int64_t lease_ns, Value* found,
                                            bool* present, uint64_t* claim) {
  absl::Status status = CheckKey(key);
  if (!status.ok()) return status;
  const uint64_t hash = HashKey(key);
  bool claimed = false;
  *present = false;
  status = WithLock([&]() -> absl::Status {
    Clock now;
    absl::StatusOr<Probe> probe = FindLocked(key, hash, now);
    if (!probe.ok()) return probe.status();
    const SlotMeta m = Meta(*slot(probe->index));
    if (probe->found && m.type != kTypePending) {
      *present = true;
      return ReadSlotLocked(probe->index, key, now, found, nullptr);
    }
    if (probe->found) {
      // Someone computes it. Take over only if that process is gone (an
      // expired lease was already reclaimed by FindLocked).
      absl::StatusOr<EntryBytes> e = EntryLocked(probe->index, m);
      if (!e.ok()) return e.status();
      int32_t owner = 0;
      std::memcpy(&owner, e->value.data(),
                  std::min(sizeof(owner), e->value.size()));
      if (owner == getpid() || !ProcessIsGone(owner)) {
        return absl::OkStatus();
      }
    }
    char marker[8] = {};
    const int32_t self = getpid();
    std::memcpy(marker, &self, sizeof(self));
    const absl::string_view payload(marker, sizeof(marker));
    BlockExtent block;
    probe = PlaceLocked(key, hash, payload, *probe, now, &block);
    if (!probe.ok()) return probe.status();
    const int64_t lease_end_ms = DeadlineMs(now.Nanos(), lease_ns);
    PutLocked(*probe, key, hash, kTypePending, payload, lease_end_ms, block);
    *claim = Meta(*slot(probe->index)).version;
    claimed = true;
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return claimed;
}

void Table::ReleaseClaim(absl::string_view key, uint64_t claim) {
  const uint64_t hash = HashKey(key);
  WithLock([&]() -> absl::Status {
    Clock now;
    absl::StatusOr<Probe> probe = FindLocked(key, hash, now);
    if (probe.ok() && probe->found &&
        Meta(*slot(probe->index)).type == kTypePending &&
        Meta(*slot(probe->index)).version == claim) {
      EraseLocked(probe->index);
    }
    return absl::OkStatus();
  }).IgnoreError();
}

}  // namespace internal
}  // namespace kvstore
