// Reading a store of the previous segment format (version 2), for
// UpgradeStore: the header fields it shares with today's layout, and every
// slot holding its key and value inline in slots of
// RoundUp(16 + max_key_bytes + max_value_bytes, 8) bytes, with the same
// 16-byte slot header as today. Nothing else of format 2 is kept.
#ifndef KVSTORE_INTERNAL_FORMAT2_H_
#define KVSTORE_INTERNAL_FORMAT2_H_

#include <cstddef>
#include <cstdint>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "kvstore/internal/dump_format.h"

namespace kvstore {
namespace internal {

inline constexpr uint32_t kFormat2 = 2;

// Reads the format-2 store mapped at `base` (`size` bytes, its header
// already known to be magic-correct and of version 2): fills `header` with
// its limits (memory 0) and calls `entry(type, key, value, expires_ms)` for
// every live entry (expiry in CLOCK_BOOTTIME ms, 0 for none; compute
// markers and expired entries are skipped). DATA_LOSS if its sizes or a
// slot are out of range. The caller holds the store's lock.
absl::Status ReadFormat2(
    const uint8_t* base, size_t size, DumpHeader* header,
    absl::FunctionRef<absl::Status(uint8_t type, absl::string_view key,
                                   absl::string_view value, int64_t expires_ms)>
        entry);

}  // namespace internal
}  // namespace kvstore

#endif  // KVSTORE_INTERNAL_FORMAT2_H_
