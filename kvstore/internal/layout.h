// The byte layout of a kvstore segment. docs/design.md explains the same
// layout in prose; every size and offset here is pinned by a static_assert.
//
// A segment is one POSIX shared-memory object:
//
//   [0, 4096)                   Header (one page, schema included)
//   [4096, counters_offset)     Journal image: one slot-sized redo buffer
//   [counters_offset, +8192)    Statistics: kCounterShards lines of counters
//   [table_offset, +slots)      Table: slot_count slots of slot_bytes each
//   [arena_offset, +4096)       Data area header (tagged stores with a data
//                               area only; arena_offset is the table's end
//                               rounded up to a page)
//   [arena_offset + 4096, +data_bytes)  Data area: blocks holding the key
//                               and value of entries too large for a slot
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
inline constexpr uint32_t kFormatVersion = 3;
// Version of the lock and journal protocol, separate from the data format as
// in LMDB: a change to recovery bumps this alone.
inline constexpr uint32_t kLockVersion = 2;
// Value of Header::init_state once the creator has finished.
inline constexpr uint32_t kReady = 0x59444552;  // "REDY"
inline constexpr uint32_t kCreating = 0;

inline constexpr size_t kHeaderBytes = 4096;
inline constexpr size_t kSlotHeaderBytes = 16;
inline constexpr size_t kCacheLine = 64;

// Statistics are sharded by thread (thread id modulo kCounterShards) so
// that counting never makes every reader write one shared cache line. Each
// shard is one 128-byte block of kCounterKinds uint64 counters (two lines, so
// adjacent-line prefetch does not couple shards).
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
  kLongLockWaits,   // Waits longer than kLockWaitSliceNanos.
  kCompactions,     // Runs of Table::CompactLocked.
  kCompactedBytes,  // Bytes of blocks it moved.
  kCounterKinds,
};
static_assert(kCounterKinds * 8 <= kCounterShardBytes, "shard size");

// Eviction policies (Header::eviction).
inline constexpr uint32_t kEvictNone = 0;   // Full store refuses new keys.
inline constexpr uint32_t kEvictClock = 1;  // Full store evicts (CLOCK).

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
inline constexpr uint32_t kJournalPatch = 3;   // new value for the same key:
                                               // the image has no key bytes

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
  uint64_t data_bytes;       // 112: size of the data area (0: none).
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
  std::atomic<uint64_t> entry_count;           // 320
  std::atomic<uint64_t> recovery_count;        // 328: repairs after death.
  std::atomic<int64_t> last_recovery_unix_ns;  // 336: 0 if never.
  std::atomic<uint64_t> unrecoverable_resets;  // 344: lock reinitialisations.
  std::atomic<int64_t> longest_repair_ns;      // 352: slowest repair.
  std::atomic<uint64_t> version_counter;       // 360: last version given;
                                               //      random below 2^47 at
                                               //      creation, the old
                                               //      one's after a resize.
  std::atomic<uint64_t> clock_hand;            // 368: next CLOCK victim.
  std::atomic<uint64_t> sweep_hand;            // 376: next expiry sweep.

  // ---- Journal control, bytes [384, 448) (lock). ----
  // A writer fills these and the journal image, then publishes
  // journal_state (the commit point), applies the change, and stores
  // kJournalIdle. Recovery re-applies a non-idle journal; re-applying is
  // idempotent, so a recoverer that dies is itself recovered from.
  std::atomic<uint32_t> journal_state;  // 384
  uint32_t journal_image_bytes;         // 388: bytes of image to copy.
  std::atomic<uint64_t> journal_slot;   // 392: target slot / hole.
  uint64_t journal_entry_count;         // 400: entry_count afterwards.
  uint8_t pad4[40];

  // ---- Flags, bytes [448, 512). ----
  // Set (once, never cleared) before the first write with a time to live
  // commits; while 0, writes skip the expiry sweep.
  std::atomic<uint32_t> has_expiring;  // 448
  // 1 once a resize has given the store's name to a new segment (lock):
  // every call on this one reopens the name instead (Table::Resize).
  std::atomic<uint32_t> moved;  // 452
  // Longest time a caller waited for the lock (lock). Zero in a store of
  // an older build, which did not keep it.
  std::atomic<int64_t> longest_lock_wait_ns;  // 456
  uint8_t pad6[48];

  // ---- Schema, bytes [512, 4096), immutable and checksummed. ----
  // Empty for a tagged store (schema_bytes 0, schema[] zero, and the
  // fingerprint that of zero bytes). For a typed store, the encoded key
  // and value schemas (docs/design.md, "Typed stores") and a fingerprint of
  // them, which openers compare with their own.
  uint32_t schema_bytes;            // 512: bytes used of schema[].
  uint32_t schema_reserved;         // 516: zero.
  uint64_t schema_fingerprint;      // 520: XXH3-64 (seed 0) of schema[0, n).
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
static_assert(offsetof(Header, longest_lock_wait_ns) == 456, "layout");
static_assert(offsetof(Header, schema_bytes) == 512, "layout");
static_assert(offsetof(Header, schema) == 528, "layout");
static_assert(sizeof(Header) == kHeaderBytes, "header is one page");
static_assert(std::atomic<uint64_t>::is_always_lock_free, "lock-free");
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "int64 and double values are stored little-endian and added "
              "in place");
static_assert(std::atomic<uint32_t>::is_always_lock_free, "lock-free");

// Every slot starts with this 16-byte header, followed by an inline area of
// slot_bytes - 16 bytes. An entry whose key and value fit there together
// keeps them inline: the key (key_len bytes) and right after it the value
// (value_len bytes). A larger one keeps them in a block of the data area,
// and its inline area starts with a BlockRef; its seq has key_len 0 and its
// info value_len 0 (no inline key is empty, so key_len 0 marks it).
//
// The metadata is packed into two 64-bit words so that a slot costs 16
// bytes beyond its key and value:
//
//   word  bits    field
//   seq   0       writing: 1 while a writer changes the slot (lock)
//   seq   1..48   version of the entry (see below); never 0 once written
//   seq   49..60  key_len, <= max_key_bytes (so at most 4095)
//   seq   61..63  type: kSlotEmpty, a ValueType (1..6) or kTypePending
//   info  0..23   value_len, <= max_value_bytes (so at most 2^24 - 1)
//   info  24      referenced: the CLOCK bit
//   info  25..63  expiry: CLOCK_BOOTTIME milliseconds; 0 = never
//
// seq doubles as the slot's sequence number for lock-free readers: they
// copy the slot and keep the copy only if seq was even and unchanged around
// it. Every write takes a fresh version from Header::version_counter, and
// an entry keeps its version when a delete moves it back (entries only move
// towards their home slot), so a slot never shows the same seq twice (a
// journal replay after a crash may publish the same seq again, over the
// same bytes; versions wrap after 2^48): no ABA for readers, and the
// version tells every write of a key apart.
//
// The CLOCK bit is set by readers without any lock (an atomic OR, only if
// clear) and cleared by the CLOCK hand and by writes of a new key (lock);
// every access to `info` is atomic, so that OR is never a data race. It is
// a hint: an OR that lands just before a write's store of `info` is lost,
// and one that lands just after marks the slot's new entry.
struct SlotHeader {
  std::atomic<uint64_t> seq;   // 0
  std::atomic<uint64_t> info;  // 8
};

static_assert(sizeof(SlotHeader) == kSlotHeaderBytes, "16 bytes of metadata");
static_assert(offsetof(SlotHeader, info) == 8, "layout");

// What the inline area of an out-of-line entry starts with. A reader bounds
// the block by the data area and the payload by the block before it copies,
// and keeps the copy only if the slot's seq did not change meanwhile: a
// block is freed only after its slot stops naming it.
struct BlockRef {
  uint64_t offset;       // 0: the block, from the start of the data area.
  uint64_t block_bytes;  // 8: its size, header included.
  uint32_t key_len;      // 16: the key, at offset + 8,
  uint32_t value_len;    // 20: then the value.
  uint64_t key_hash;     // 24: the key's hash, so that probing compares
                         //     other keys without reading their blocks.
};
static_assert(sizeof(BlockRef) == 32, "layout");

// The data area header, one page at arena_offset. Written only under the
// lock; the counters are atomics so that Stats may read them without it.
inline constexpr size_t kArenaHeaderBytes = 4096;
inline constexpr int kArenaBins = 336;
struct ArenaHeader {
  // 1 from a lock holder's first change to the area until just before it
  // unlocks. A holder that dies leaves it set; recovery then rebuilds the
  // area from the table (Arena::Rebuild). Found set by a normal locker, it
  // means damage.
  std::atomic<uint32_t> dirty;          // 0
  uint32_t pad0;                        // 4: zero.
  std::atomic<uint64_t> used_bytes;     // 8: blocks in use, headers included.
  std::atomic<uint64_t> used_blocks;    // 16: blocks in use.
  std::atomic<uint64_t> payload_bytes;  // 24: key and value bytes in them.
  uint64_t nonempty[6];                 // 32: bit b: heads[b] != kNil.
  uint64_t heads[kArenaBins];           // 80: first free block of each bin.
  uint8_t pad1[kArenaHeaderBytes - 80 - 8 * kArenaBins];
};
static_assert(sizeof(ArenaHeader) == kArenaHeaderBytes, "one page");
static_assert(offsetof(ArenaHeader, heads) == 80, "layout");

// Slot types (the top 3 bits of seq).
inline constexpr uint8_t kSlotEmpty = 0;
// Internal value type of a get-or-compute placeholder: the key is being
// computed by the process whose pid is the payload's first 4 bytes, until
// the expiry (the lease). Readers treat it as absent.
inline constexpr uint8_t kTypePending = 7;

inline constexpr uint32_t kMaxKeyLen = (1u << 12) - 1;
inline constexpr uint32_t kMaxValueLen = (1u << 24) - 1;
inline constexpr uint64_t kVersionBits = 48;
inline constexpr uint64_t kVersionMask = (uint64_t{1} << kVersionBits) - 1;
inline constexpr int64_t kMaxExpiryMs = (int64_t{1} << 39) - 1;
inline constexpr uint64_t kReferencedBit = uint64_t{1} << 24;

// The fields of a slot header, unpacked.
struct SlotMeta {
  bool writing = false;
  uint64_t version = 0;  // 48 bits.
  uint32_t key_len = 0;
  uint8_t type = kSlotEmpty;
  uint32_t value_len = 0;
  bool referenced = false;
  int64_t expires_ms = 0;  // CLOCK_BOOTTIME ms; 0 = never.

  bool empty() const { return type == kSlotEmpty; }
};

inline constexpr uint64_t PackSeq(uint64_t version, uint32_t key_len,
                                  uint8_t type) {
  return (version & kVersionMask) << 1 | uint64_t{key_len & kMaxKeyLen} << 49 |
         uint64_t{type & 7u} << 61;
}
// An expiry past kMaxExpiryMs is stored as kMaxExpiryMs (never wrapped).
inline constexpr uint64_t PackInfo(uint32_t value_len, bool referenced,
                                   int64_t expires_ms) {
  return uint64_t{value_len & kMaxValueLen} |
         (referenced ? kReferencedBit : 0) |
         static_cast<uint64_t>(expires_ms < 0              ? 0
                               : expires_ms > kMaxExpiryMs ? kMaxExpiryMs
                                                           : expires_ms)
             << 25;
}
inline constexpr uint64_t SeqVersion(uint64_t seq) {
  return seq >> 1 & kVersionMask;
}
inline constexpr uint32_t SeqKeyLen(uint64_t seq) {
  return static_cast<uint32_t>(seq >> 49) & kMaxKeyLen;
}
inline constexpr uint8_t SeqType(uint64_t seq) {
  return static_cast<uint8_t>(seq >> 61);
}
inline constexpr uint32_t InfoValueLen(uint64_t info) {
  return static_cast<uint32_t>(info) & kMaxValueLen;
}
inline constexpr int64_t InfoExpiryMs(uint64_t info) {
  return static_cast<int64_t>(info >> 25);
}
inline SlotMeta Unpack(uint64_t seq, uint64_t info) {
  SlotMeta m;
  m.writing = (seq & 1) != 0;
  m.version = SeqVersion(seq);
  m.key_len = SeqKeyLen(seq);
  m.type = SeqType(seq);
  m.value_len = InfoValueLen(info);
  m.referenced = (info & kReferencedBit) != 0;
  m.expires_ms = InfoExpiryMs(info);
  return m;
}
// Reads a slot header (relaxed; under the lock, or validated by seq).
inline SlotMeta Meta(const SlotHeader& s) {
  return Unpack(s.seq.load(std::memory_order_relaxed),
                s.info.load(std::memory_order_relaxed));
}

// Versions are 48-bit and never 0; after 2^48 - 1 writes and deletes (326
// days at ten million a second) they wrap to 1, so a CompareVersionAndSet
// that waited that long could be fooled.
inline uint64_t NextVersion(uint64_t last) {
  const uint64_t v = (last + 1) & kVersionMask;
  return v == 0 ? 1 : v;
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
