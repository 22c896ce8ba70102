// The segment fuzzer's harness: turns arbitrary bytes into a store whose
// header validates but whose every mutable byte (header counters, journal,
// table) comes from the input, opens it through the public API and runs
// every read and write operation on it. Shared by the libFuzzer target
// (fuzz/segment_fuzzer.cc, clang) and the regression test
// (tests/fuzz_regression_test.cc, gcc under Bazel).
//
// Input format (all integers little-endian; missing bytes read as zero):
//
//   byte 0       capacity - 1       (mod 16: 1 to 16 entries)
//   byte 1       max_key_bytes - 1  (mod 24: 1 to 24)
//   byte 2       max_value_bytes: 8 + byte % 33 (8 to 40); with
//                kFlagTinyValues 1 + byte % 40 (1 to 40: below 8 is a header
//                Store::Open accepts but Create never writes)
//   byte 3       flags, kFlag* below
//   bytes 4-11   hash seed
//   76 bytes     mutable header fields, in this order: structure_seq,
//                entry_count, recovery_count, version_counter, clock_hand,
//                sweep_hand (u64 each), journal_state, journal_image_bytes
//                (u32), journal_slot, journal_entry_count (u64),
//                has_expiring (u32)
//   slot_bytes   the journal image
//   slot_count * slot_bytes   the table
//   the rest     operations, see segment_harness.cc (RunOps)
//
// The immutable header (magic, versions, ABI tag, sizes, checksum) and the
// mutex are always written correctly: they are what Open validates, and a
// garbage futex word would only make the harness wait forever.
#ifndef FUZZ_SEGMENT_HARNESS_H_
#define FUZZ_SEGMENT_HARNESS_H_

#include <cstddef>
#include <cstdint>
#include <string>

namespace kvstore {
namespace fuzz {

// Flags (byte 3 of the input).
inline constexpr uint8_t kFlagSaneSlots = 1;    // Bring full slots' key and
                                                // value lengths into range.
inline constexpr uint8_t kFlagOwnerDied = 2;    // Leave the mutex owned by a
                                                // thread that exited, so the
                                                // first lock runs Repair.
inline constexpr uint8_t kFlagClock = 4;        // Eviction::kClock.
inline constexpr uint8_t kFlagNotReady = 8;     // init_state not kReady.
inline constexpr uint8_t kFlagTinyValues = 16;  // max_value_bytes may be < 8.

// Size of the fixed prefix before the journal image.
inline constexpr size_t kSegmentPrefixBytes = 12 + 76;

// Runs one input. Errors from the store are expected; a finding is a
// crash, a hang, a sanitizer report, or the property checked here: a store
// whose Verify passes right after Open still passes after the operations.
// Returns "" if that held, else what broke.
//
// With skip_tiny_values, kFlagTinyValues is ignored: the fuzzer sets it
// (KVSTORE_FUZZ_SKIP_TINY_VALUES, fuzz/run.sh) so as not to stop at a known
// bug (fuzz/README.md, "Bugs found") on every run until it is fixed.
std::string RunSegmentInput(const uint8_t* data, size_t size,
                            bool skip_tiny_values = false);

// Encodes the mapped segment at `base` (a store made by this build whose
// limits fit the ranges above) as an input with the given flags, followed
// by `ops`. Used to make seed inputs from real stores.
std::string EncodeSegmentInput(const uint8_t* base, uint8_t flags,
                               const std::string& ops);

}  // namespace fuzz
}  // namespace kvstore

#endif  // FUZZ_SEGMENT_HARNESS_H_
