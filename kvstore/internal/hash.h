// The stable key hash. Unlike absl::Hash it gives the same value in every
// process, build and restart, so it can decide where a key lives in shared
// memory. Keyed by the store's random seed to blunt hash flooding.
#ifndef KVSTORE_INTERNAL_HASH_H_
#define KVSTORE_INTERNAL_HASH_H_

#include <cstddef>
#include <cstdint>

#define XXH_INLINE_ALL
#include <xxhash.h>

namespace kvstore {
namespace internal {

__attribute__((always_inline)) inline uint64_t Hash64(const void* data,
                                                      size_t len,
                                                      uint64_t seed) {
  // Keys of up to 16 bytes (most keys) take XXH3's own short path, which
  // XXH3_64bits_withSeed would reach through a call the compiler keeps out
  // of line (and Hash64 itself is kept out of line without always_inline):
  // inlined here, the same function of the same bytes, secret and
  // seed, so the same hash (hash_test checks every length against it).
  if (__builtin_expect(len <= 16, 1)) {
    return XXH3_len_0to16_64b(static_cast<const xxh_u8*>(data), len,
                              XXH3_kSecret, seed);
  }
  return XXH3_64bits_withSeed(data, len, seed);
}

// The home slot of `hash` in a table of `slot_count` slots: the high bits of
// hash * slot_count (Lemire's multiply-shift range reduction).
inline uint64_t HomeSlot(uint64_t hash, uint64_t slot_count) {
  return static_cast<uint64_t>(
      (static_cast<unsigned __int128>(hash) * slot_count) >> 64);
}

}  // namespace internal
}  // namespace kvstore

#endif  // KVSTORE_INTERNAL_HASH_H_
