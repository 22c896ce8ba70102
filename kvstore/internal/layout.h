// The byte layout of a kvstore segment. docs/design.md explains the same
// layout in prose; every size and offset here is pinned by a static_assert.
//
// A segment is one POSIX shared-memory object:
//
//   [0, 4096)                   Header (one page, schema included)
//   [4096, counters_offset)     Journal image: one slot-sized redo buffer
//   [counters_offset, +8192)    Statistics: kCounterShards lines of counters
//   [table_offset, end)         Table: slot_count slots of slot_bytes each
//
// All integers are little-endian host integers (the magic number detects a
// store written on a machine of the other byte order). Fields marked
// "immutable" are written once by the creator before the ready marker is
// published and are covered by the header checksum; every process copies
// them into its handle on open and never re-reads them. Fields marked
// "lock" are written only while holding Header::mutex.
#ifndef KVSTORE_INTERNAL_LAYOUT_H_
#define KVSTORE_INTERNAL_LAYOUT_H_

#include <pthread.h>

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace kvstore {
namespace internal {

// "KVSTORE1" read as a big-endian integer. A store from a machine of the
// other byte order reads as the byte-swapped value.
inline constexpr uint64_t kMagic = 0x4b5653544f524531ULL;
// Version of the data format (header fields, slot layout, hashing).
inline constexpr uint32_t kFormatVersion = 1;
// Version of the lock and journal protocol, separate from the data format as
// in LMDB: a change to recovery bumps this alone.
inline constexpr uint32_t kLockVersion = 1;
// Value of Header::init_state once the creator has finished.
inline constexpr uint32_t kReady = 0x59444552;  // "REDY"
inline constexpr uint32_t kCreating = 0;

inline constexpr size_t kHeaderBytes = 4096;
inline constexpr size_t kSlotHeaderBytes = 32;
inline constexpr size_t kCacheLine = 64;
// Bytes of a slot header that a write copies from the journal image: all but
// seq and the CLOCK bit, which have their own writers.
inline constexpr size_t kSlotImageStart = 5;

// Statistics are sharded by CPU so that counting never makes every reader
// write one shared cache line. Each shard is one 128-byte block of
// kCounterKinds uint64 counters (two lines, so adjacent-line prefetch does
// not couple shards).
inline constexpr size_t kCounterShards = 64;
inline constexpr size_t kCounterShardBytes = 128;
enum CounterKind : int {
  kHits = 0,
  kMisses,
  kSets,
  kDeletes,
  kExpirations,
  kEvictions,
  kLockWaits,
  kLockWaitNanos,
  kCounterKinds,
};
static_assert(kCounterKinds * 8 <= kCounterShardBytes, "shard size");

// Eviction policies (Header::eviction).
inline constexpr uint32_t kEvictNone = 0;   // Full store refuses new keys.
inline constexpr uint32_t kEvictClock = 1;  // Full store evicts (CLOCK).

// Internal value type of a get-or-compute placeholder: the key is being
// computed by the process whose pid is the payload's first 4 bytes, until
// expires_ns (the lease). Readers treat it as absent.
inline constexpr uint8_t kTypePending = 0x40;
// Store kinds recorded in Header::kind.
inline constexpr uint32_t kKindAny = 0;     // Only as an expectation.
inline constexpr uint32_t kKindTagged = 1;  // Values carry a type tag.
inline constexpr uint32_t kKindTyped = 2;   // Fixed key and value records
                                            // described by the schema.
// Bytes available for the encoded schema of a typed store.
inline constexpr size_t kMaxSchemaBytes = 4096 - 528;

// Journal states (Header::journal_state). The store of a non-idle state is
// the commit point of a write: once it is visible, recovery finishes the
// write; before it, nothing in the table has changed.
inline constexpr uint32_t kJournalIdle = 0;
inline constexpr uint32_t kJournalWrite = 1;   // copy image into target slot
inline constexpr uint32_t kJournalDelete = 2;  // backward-shift from hole

// Slot states (SlotHeader::state).
inline constexpr uint8_t kSlotEmpty = 0;
inline constexpr uint8_t kSlotFull = 1;

struct Header {
  // ---- Immutable part, bytes [0, 128), checksummed with the schema. ----
  uint64_t magic;            // 0: kMagic.
  uint32_t format_version;   // 8: kFormatVersion.
  uint32_t lock_version;     // 12: kLockVersion.
  uint32_t abi_tag;          // 16: AbiTag() of the creating build.
  uint32_t header_bytes;     // 20: kHeaderBytes.
  uint64_t segment_bytes;    // 24: size of the whole segment.
  uint64_t capacity;         // 32: most entries the store accepts.
  uint64_t slot_count;       // 40: slots in the table (> capacity).
  uint32_t max_key_bytes;    // 48: longest key accepted.
  uint32_t max_value_bytes;  // 52: longest value accepted.
  uint32_t slot_bytes;       // 56: bytes per slot, multiple of 8.
  uint32_t kind;             // 60: kKindTagged or kKindTyped.
  uint64_t table_offset;     // 64: offset of slot 0 from the segment start.
  uint64_t journal_offset;   // 72: offset of the journal image.
  uint64_t hash_seed;        // 80: XXH3 seed, random per store.
  int64_t created_unix_ns;   // 88: wall-clock creation time.
  int32_t creator_pid;       // 96: pid of the creator; written first, so an
                             //     opener can tell a creator that died.
  uint32_t eviction;         // 100: kEvictNone or kEvictClock.
  uint64_t counters_offset;  // 104: offset of the statistics shards.
  uint64_t reserved1;        // 112: zero.
  uint64_t checksum;         // 120: see HeaderChecksum (segment.h).

  // ---- Creation marker, bytes [128, 192). ----
  // kCreating until the creator has written every immutable field and
  // initialised the mutex; then kReady (release store). Openers wait for it.
  std::atomic<uint32_t> init_state;  // 128
  uint8_t pad0[60];

  // ---- Lock, bytes [192, 256). ----
  // Robust, process-shared, type NORMAL. Guards every write to the table,
  // the journal and the counters below.
  pthread_mutex_t mutex;  // 192 (40 bytes on x86-64 glibc)
  uint8_t pad1[64 - sizeof(pthread_mutex_t)];

  // ---- Structure sequence, bytes [256, 320). ----
  // Odd while a delete is moving slots (lock). Lock-free readers that miss
  // a key re-check it: a miss is only trusted if it did not change.
  std::atomic<uint64_t> structure_seq;  // 256
  uint8_t pad2[56];

  // ---- Counters, bytes [320, 384) (lock). ----
  std::atomic<uint64_t> entry_count;            // 320
  std::atomic<uint64_t> recovery_count;         // 328: repairs after death.
  std::atomic<int64_t> last_recovery_unix_ns;   // 336: 0 if never.
  std::atomic<uint64_t> unrecoverable_resets;   // 344: lock reinitialisations.
  std::atomic<int64_t> longest_repair_ns;       // 352: slowest repair.
  std::atomic<uint64_t> version_counter;        // 360: last version given.
  std::atomic<uint64_t> clock_hand;             // 368: next CLOCK victim.
  std::atomic<uint64_t> sweep_hand;             // 376: next expiry sweep.

  // ---- Journal control, bytes [384, 448) (lock). ----
  // A writer fills these and the journal image, then publishes
  // journal_state (the commit point), applies the change, and stores
  // kJournalIdle. Recovery re-applies a non-idle journal; re-applying is
  // idempotent, so a recoverer that dies is itself recovered from.
  std::atomic<uint32_t> journal_state;        // 384
  uint32_t journal_image_bytes;               // 388: bytes of image to copy.
  std::atomic<uint64_t> journal_slot;         // 392: target slot / hole.
  uint64_t journal_entry_count;               // 400: entry_count afterwards.
  uint8_t pad4[40];

  // ---- Flags, bytes [448, 512). ----
  // Set (once, never cleared) before the first write with a time to live
  // commits; while 0, writes skip the expiry sweep.
  std::atomic<uint32_t> has_expiring;  // 448
  uint8_t pad5[60];

  // ---- Schema, bytes [512, 4096), immutable and checksummed. ----
  // Empty for a tagged store (schema_bytes 0, schema[] zero, and the
  // fingerprint that of zero bytes). For a typed store, the encoded key
  // and value schemas (docs/design.md, "Typed stores") and a fingerprint of
  // them, which openers compare with their own.
  uint32_t schema_bytes;         // 512: bytes used of schema[].
  uint32_t schema_reserved;      // 516: zero.
  uint64_t schema_fingerprint;   // 520: XXH3-64 (seed 0) of schema[0, n).
  uint8_t schema[kMaxSchemaBytes];  // 528
};

static_assert(sizeof(pthread_mutex_t) <= 64, "mutex must fit its line");
static_assert(offsetof(Header, checksum) == 120, "layout");
static_assert(offsetof(Header, init_state) == 128, "layout");
static_assert(offsetof(Header, mutex) == 192, "layout");
static_assert(offsetof(Header, structure_seq) == 256, "layout");
static_assert(offsetof(Header, entry_count) == 320, "layout");
static_assert(offsetof(Header, longest_repair_ns) == 352, "layout");
static_assert(offsetof(Header, journal_state) == 384, "layout");
static_assert(offsetof(Header, journal_entry_count) == 400, "layout");
static_assert(offsetof(Header, version_counter) == 360, "layout");
static_assert(offsetof(Header, sweep_hand) == 376, "layout");
static_assert(offsetof(Header, has_expiring) == 448, "layout");
static_assert(offsetof(Header, schema_bytes) == 512, "layout");
static_assert(offsetof(Header, schema) == 528, "layout");
static_assert(sizeof(Header) == kHeaderBytes, "header is one page");
static_assert(std::atomic<uint64_t>::is_always_lock_free, "lock-free");
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "int64 and double values are stored little-endian and added "
              "in place");
static_assert(std::atomic<uint32_t>::is_always_lock_free, "lock-free");

// Every slot starts with this 32-byte header, followed by the key (key_len
// bytes) and right after it the value (value_len bytes). A slot has room for
// 32 + max_key_bytes + max_value_bytes, rounded up to 8 bytes.
struct SlotHeader {
  // Even when the slot is stable, odd while a writer changes it (lock).
  // Lock-free readers copy the slot and keep the copy only if seq was even
  // and unchanged around the copy.
  std::atomic<uint32_t> seq;  // 0
  // CLOCK reference bit: set by readers on a hit without any lock (only if
  // clear, so hot entries are not rewritten), cleared by the CLOCK hand and
  // by writes of a new key (lock). Not part of the journal image.
  std::atomic<uint8_t> referenced;  // 4
  uint8_t state;                    // 5: kSlotEmpty or kSlotFull.
  uint16_t key_len;                 // 6: <= max_key_bytes.
  uint32_t value_len;               // 8: <= max_value_bytes.
  uint32_t tag;                     // 12: low 32 bits of the key's hash.
  int64_t expires_ns;               // 16: CLOCK_BOOTTIME ns; 0 = never.
  uint32_t version_low;             // 24: version (low half); see Version.
  uint16_t version_high;            // 28: version bits 32..47.
  uint8_t type;                     // 30: ValueType, or kTypePending.
  uint8_t reserved;                 // 31: zero.
};

static_assert(sizeof(SlotHeader) == kSlotHeaderBytes, "32 bytes of metadata");
static_assert(offsetof(SlotHeader, state) == kSlotImageStart, "layout");
static_assert(offsetof(SlotHeader, value_len) == 8, "layout");
static_assert(offsetof(SlotHeader, tag) == 12, "layout");
static_assert(offsetof(SlotHeader, expires_ns) == 16, "layout");
static_assert(offsetof(SlotHeader, type) == 30, "layout");

// Versions are 48-bit and never 0; after 2^48 - 1 writes (326 days at ten
// million writes a second) they wrap to 1, so a CompareVersionAndSet that
// waited that long could be fooled.
inline constexpr uint64_t kVersionMask = (uint64_t{1} << 48) - 1;
inline uint64_t Version(const SlotHeader& s) {
  return uint64_t{s.version_low} | uint64_t{s.version_high} << 32;
}
inline void SetVersion(SlotHeader& s, uint64_t v) {
  s.version_low = static_cast<uint32_t>(v);
  s.version_high = static_cast<uint16_t>(v >> 32);
}

// Identifies the binary interface of the shared structures: a store made by
// a build with another mutex size or header layout is refused.
constexpr uint32_t AbiTag() {
  return static_cast<uint32_t>(sizeof(pthread_mutex_t)) |
         static_cast<uint32_t>(sizeof(Header) / 64) << 8 |
         static_cast<uint32_t>(sizeof(SlotHeader)) << 16 |
         static_cast<uint32_t>(sizeof(void*)) << 24;
}

inline constexpr uint64_t RoundUp(uint64_t n, uint64_t to) {
  return (n + to - 1) / to * to;
}

}  // namespace internal
}  // namespace kvstore

#endif  // KVSTORE_INTERNAL_LAYOUT_H_
