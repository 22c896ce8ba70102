// The segment fuzzer's harness: turns arbitrary bytes into a store whose
// header validates but whose every mutable byte (header counters, journal,
// table, data area) comes from the input, opens it through the public API
// and runs every read and write operation on it. Shared by the libFuzzer
// target (fuzz/segment_fuzzer.cc, clang) and the regression test
// (tests/fuzz_regression_test.cc, gcc under Bazel).
//
// Input format (all integers little-endian; missing bytes read as zero):
//
//   byte 0       capacity - 1       (mod 16: 1 to 16 entries)
//   byte 1       max_key_bytes - 1  (mod 96: 1 to 96, so keys alone may be
//                too long for a slot's 80 inline bytes)
//   byte 2       max_value_bytes: 8 + byte (8 to 263: values up to 263
//                bytes go out of line); with kFlagTinyValues 1 + byte % 40
//                (1 to 40: below 8 is a header Create never writes, which
//                Store::Open must refuse)
//   byte 3       flags, kFlag* below
//   byte 4       data area size: kDataAreaSizes[byte % 8] (0: none)
//   bytes 5-12   hash seed
//   76 bytes     mutable header fields, in this order: structure_seq,
//                entry_count, recovery_count, version_counter, clock_hand,
//                sweep_hand (u64 each), journal_state, journal_image_bytes
//                (u32), journal_slot, journal_entry_count (u64),
//                has_expiring (u32)
//   slot_bytes   the journal image (slot_bytes is 96: 16 + 80 inline)
//   slot_count * slot_bytes   the table
//   4096 bytes   the data area header (ArenaHeader: dirty flag, totals,
//                bitmap, free-list heads), only with a data area and
//                without kFlagSaneArena
//   data_bytes   the data area (block headers, free-list links, footers,
//                payloads), only with a data area
//   the rest     operations, see segment_harness.cc (RunOps)
//
// The immutable header (magic, versions, ABI tag, sizes, data_bytes,
// checksum) and the mutex are always written correctly, as Segment::Create
// writes them: they are what Open validates, and a garbage futex word would
// only make the harness wait forever.
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
inline constexpr uint8_t kFlagSaneArena = 32;   // The input carries no data
                                                // area header: the harness
                                                // formats the area from the
                                                // blocks the table names
                                                // (Arena::Rebuild, as recovery
                                                // does), or as one free block
                                                // (Arena::Init) if they
                                                // overlap or leave the area.

// With kFlagSaneSlots a full slot becomes either a sane inline entry (key
// of 1 to min(max_key_bytes, 80) bytes, key + value <= 80) or, if it was
// out of line (key_len 0) and the store has a data area, a sane reference:
// key + value > 80 within the limits, a block of the right size (or 16
// bytes more) inside the area, and the hash of the key the block holds.

// Data area sizes chosen by byte 4: none, areas ending mid-page, exactly
// at the end of the mapping (4096) and 16 bytes before it, one block that
// is too small to split (48), and one smaller than any block (16).
inline constexpr uint64_t kDataAreaSizes[8] = {0,  1024, 2048, 4096,
                                               16, 48,   512,  4080};

// Size of the fixed prefix before the journal image.
inline constexpr size_t kSegmentPrefixBytes = 13 + 76;

// What one input did, for tests that check the seeds reach the property
// (a seed that no longer opens would pass without proving anything).
struct SegmentRunInfo {
  bool made = false;          // The segment was written (limits valid).
  bool opened = false;        // Store::Open accepted the segment.
  bool clean_before = false;  // Verify passed right after Open.
  uint64_t data_entries = 0;  // Entries in the data area then (Stats).
  int ops = 0;                // Operations run.
};

// Runs one input. Errors from the store are expected; a finding is a
// crash, a hang, a sanitizer report, or one of the properties checked
// here: a store whose Verify passes right after Open still passes after
// the operations; no operation writes the segment's padding (after the
// journal image, the table or the data area), whatever the store held;
// and Open refuses a header with max_value_bytes below 8. Returns "" if
// they held, else what broke. Fills *info if given.
//
// `skip` (kSkip* below) keeps the harness away from known, still open
// bugs, so that the fuzzer does not stop at them on every run: the fuzzer
// sets it from the environment (KVSTORE_FUZZ_SKIP_*, see fuzz/run.sh and
// fuzz/README.md, "Bugs found"). The regression test never does.
inline constexpr uint32_t kSkipTinyValues = 1;   // Ignore kFlagTinyValues
                                                 // (fixed; kept as the model).
inline constexpr uint32_t kSkipArenaBitmap = 2;  // Clear the data area
                                                 // header's bitmap bits past
                                                 // the last bin (bug 2).
std::string RunSegmentInput(const uint8_t* data, size_t size, uint32_t skip = 0,
                            SegmentRunInfo* info = nullptr);

// Encodes the mapped segment at `base` (a store made by this build whose
// limits fit the ranges above and whose data area has one of
// kDataAreaSizes) as an input with the given flags, followed by `ops`:
// the area's header page is left out with kFlagSaneArena. Returns "" if
// the store does not fit the format. Used to make seed inputs from real
// stores.
std::string EncodeSegmentInput(const uint8_t* base, uint8_t flags,
                               const std::string& ops);

}  // namespace fuzz
}  // namespace kvstore

#endif  // FUZZ_SEGMENT_HARNESS_H_
