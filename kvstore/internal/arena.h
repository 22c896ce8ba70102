// The data area: where entries too large for their slot keep their key and
// value. A boundary-tag heap with segregated free lists (two-level bins, as
// in TLSF): allocation takes the first block of the first non-empty bin that
// is certain to fit and splits off the rest; freeing coalesces with free
// neighbours at once, so no two free blocks are ever adjacent.
//
// Every offset is relative to the start of the data area and is checked
// against its size before use. All methods require the store's lock; the
// caller (Table) marks the area dirty before any change so that a process
// killed midway leaves a state that recovery rebuilds from the table's
// references (Rebuild): the free lists are derived data.
//
// Block layout, at offset o (a multiple of 16; sizes are multiples of 16
// and at least 32):
//   [o, o + 8)        header: size | kInUse | kPrevInUse
//   in use:  [o + 8, o + size)  payload (the entry's key, then its value)
//   free:    [o + 8, o + 16)    next free block of its bin (or kNil)
//            [o + 16, o + 24)   previous free block of its bin (or kNil)
//            [o + size - 8, o + size)  footer: size
#ifndef KVSTORE_INTERNAL_ARENA_H_
#define KVSTORE_INTERNAL_ARENA_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "kvstore/internal/layout.h"

namespace kvstore {
namespace internal {

// One allocated block as a slot's BlockRef describes it.
struct BlockExtent {
  uint64_t offset = 0;
  uint64_t bytes = 0;    // Block size, header included.
  uint64_t payload = 0;  // Key and value bytes stored in it.
};

// Figures of the data area (read under the lock).
struct ArenaFigures {
  uint64_t data_bytes = 0;     // Size of the area.
  uint64_t used_bytes = 0;     // Bytes of blocks in use, headers included.
  uint64_t used_blocks = 0;    // Blocks in use.
  uint64_t payload_bytes = 0;  // Key and value bytes in those blocks.
  uint64_t free_bytes = 0;     // data_bytes - used_bytes.
  uint64_t largest_free = 0;   // Largest free block.
};

class Arena {
 public:
  // A view of the area at `header` and `data`; owns nothing.
  Arena(ArenaHeader* header, uint8_t* data, uint64_t data_bytes)
      : header_(header), data_(data), data_bytes_(data_bytes) {}

  // The block size that holds `payload` bytes.
  static uint64_t BlockBytesFor(uint64_t payload);

  // Formats a fresh (zeroed) area as one free block.
  void Init();

  // Allocates a block for `payload` bytes and returns its extent, or
  // RESOURCE_EXHAUSTED if no free block is large enough.
  absl::StatusOr<BlockExtent> Allocate(uint64_t payload);

  // Returns a block in use to the free lists, coalescing it with free
  // neighbours. `block` must be one that Allocate returned (the caller has
  // validated it against the slot that referenced it).
  void Free(const BlockExtent& block);

  // Takes every free block that starts in [start, end) off the free lists
  // and marks it in use, holding no entry (appended to *taken, payload 0),
  // so that no allocation can return that space; Free gives each back.
  // `start` must be where a block starts. DATA_LOSS, having taken the
  // blocks before it, at a header that cannot be a block's.
  absl::Status TakeFree(uint64_t start, uint64_t end,
                        std::vector<BlockExtent>* taken);

  // Calls visit(offset, size, in_use) for the blocks from `start` (where a
  // block starts) in address order, while it returns true. DATA_LOSS at a
  // header that cannot be a block's.
  absl::Status Walk(
      uint64_t start,
      absl::FunctionRef<bool(uint64_t offset, uint64_t size, bool in_use)>
          visit) const;

  // Up to `count` free blocks from the lists of the largest sizes, largest
  // lists first (each list in its own order).
  std::vector<BlockExtent> LargeFreeBlocks(int count) const;

  // Cache hints, which change nothing and read only the list heads: start
  // loading the lines that Allocate(payload) will touch first (the block it
  // will take), and those that Free(block) will (the neighbour headers and
  // the head of the list it joins), so that their misses overlap the
  // lookup's instead of following it.
  void PrefetchAllocate(uint64_t payload) const;
  void PrefetchFree(uint64_t offset, uint64_t bytes) const;

  // The payload of a block (no checks).
  uint8_t* Payload(uint64_t offset) const { return data_ + offset + 8; }

  // True if `block` lies inside the area and can hold its payload: what a
  // reader checks before it copies from a reference it found in a slot.
  bool Plausible(uint64_t offset, uint64_t bytes, uint64_t payload) const {
    return offset % 16 == 0 && bytes >= kMinBlock && bytes % 16 == 0 &&
           offset < data_bytes_ && bytes <= data_bytes_ - offset &&
           payload + 8 <= bytes;
  }

  // Rewrites every header and free list from the blocks in use, which the
  // table's references name. DATA_LOSS (changing nothing) if they overlap,
  // leave the area or leave a gap too small to be a block.
  absl::Status Rebuild(std::vector<BlockExtent> in_use);

  // Checks every invariant against the blocks the table references;
  // appends a line per problem to `problems`.
  void Check(std::vector<BlockExtent> in_use,
             std::vector<std::string>* problems) const;

  ArenaFigures Figures() const;

  static constexpr uint64_t kNil = ~uint64_t{0};
  static constexpr uint64_t kMinBlock = 32;
  static constexpr uint64_t kInUse = 1;
  static constexpr uint64_t kPrevInUse = 2;
  static constexpr uint64_t kFlags = 15;

 private:
  uint64_t& Word(uint64_t offset) const {
    return *reinterpret_cast<uint64_t*>(data_ + offset);
  }
  uint64_t SizeAt(uint64_t offset) const { return Word(offset) & ~kFlags; }
  // True if a block could start at `offset`: links read from the area are
  // followed only then, so a damaged one never leads outside it.
  bool BlockOk(uint64_t offset) const {
    return offset % 16 == 0 && data_bytes_ >= kMinBlock &&
           offset <= data_bytes_ - kMinBlock;
  }
  void Link(uint64_t offset, uint64_t size);
  void Unlink(uint64_t offset, uint64_t size);
  // Writes a free block's header (previous in use) and footer, and links it.
  void PutFree(uint64_t offset, uint64_t size);
  void SetPrevInUse(uint64_t offset, bool in_use);
  // First free block of at least `size` bytes, or kNil.
  uint64_t FindFit(uint64_t size) const;
  void ResetLists();

  ArenaHeader* const header_;
  uint8_t* const data_;
  const uint64_t data_bytes_;
};

// The bin of a free block of `size` bytes (size >= Arena::kMinBlock).
int ArenaBinOf(uint64_t size);

}  // namespace internal
}  // namespace kvstore

#endif  // KVSTORE_INTERNAL_ARENA_H_
