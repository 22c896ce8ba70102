#include "kvstore/internal/arena.h"

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "kvstore/internal/fault_injection.h"

namespace kvstore {
namespace internal {
namespace {

constexpr int kWords = 6;  // Bitmap words: 6 * 64 >= kArenaBins.
static_assert(kWords * 64 >= kArenaBins, "bitmap");

// The bits of bitmap word `w` that name bins; the rest are never followed
// (a damaged segment may set them).
constexpr uint64_t BinBits(int w) {
  return (w + 1) * 64 <= kArenaBins
             ? ~uint64_t{0}
             : (uint64_t{1} << (kArenaBins - w * 64)) - 1;
}

// Free blocks of a bin examined for a fit when no larger bin has one.
constexpr int kBinScan = 64;

void Add(std::atomic<uint64_t>& counter, int64_t delta) {
  counter.store(counter.load(std::memory_order_relaxed) + delta,
                std::memory_order_relaxed);
}

}  // namespace

int ArenaBinOf(uint64_t size) {
  if (size < 256) return static_cast<int>(size / 16);
  const int fl = 63 - __builtin_clzll(size);
  const int sl = static_cast<int>((size >> (fl - 3)) & 7);
  return std::min(16 + (fl - 8) * 8 + sl, kArenaBins - 1);
}

uint64_t Arena::BlockBytesFor(uint64_t payload) {
  return std::max<uint64_t>(kMinBlock, (payload + 8 + 15) / 16 * 16);
}

void Arena::ResetLists() {
  for (int w = 0; w < kWords; ++w) header_->nonempty[w] = 0;
  for (int b = 0; b < kArenaBins; ++b) header_->heads[b] = kNil;
}

void Arena::Init() {
  ResetLists();
  header_->used_bytes.store(0, std::memory_order_relaxed);
  header_->used_blocks.store(0, std::memory_order_relaxed);
  header_->payload_bytes.store(0, std::memory_order_relaxed);
  if (data_bytes_ >= kMinBlock) PutFree(0, data_bytes_);
}

void Arena::Link(uint64_t offset, uint64_t size) {
  const int b = ArenaBinOf(size);
  const uint64_t next = header_->heads[b];
  Word(offset + 8) = next;
  Word(offset + 16) = kNil;
  if (BlockOk(next)) Word(next + 16) = offset;
  header_->heads[b] = offset;
  header_->nonempty[b / 64] |= uint64_t{1} << (b % 64);
}

void Arena::Unlink(uint64_t offset, uint64_t size) {
  const int b = ArenaBinOf(size);
  const uint64_t next = Word(offset + 8);
  const uint64_t prev = Word(offset + 16);
  if (BlockOk(prev)) {
    Word(prev + 8) = next;
  } else {
    header_->heads[b] = next;
  }
  if (BlockOk(next)) Word(next + 16) = prev;
  if (!BlockOk(header_->heads[b])) {
    header_->heads[b] = kNil;
    header_->nonempty[b / 64] &= ~(uint64_t{1} << (b % 64));
  }
}

void Arena::PutFree(uint64_t offset, uint64_t size) {
  Word(offset) = size | kPrevInUse;  // Its neighbours are never free.
  Word(offset + size - 8) = size;
  Link(offset, size);
}

void Arena::SetPrevInUse(uint64_t offset, bool in_use) {
  if (offset >= data_bytes_) return;
  if (in_use) {
    Word(offset) |= kPrevInUse;
  } else {
    Word(offset) &= ~kPrevInUse;
  }
}

uint64_t Arena::FindFit(uint64_t size) const {
  // Every block of bin `first` and above is at least `size` bytes.
  int first;
  if (size < 256) {
    first = static_cast<int>(size / 16);
  } else {
    const int fl = 63 - __builtin_clzll(size);
    const uint64_t step = uint64_t{1} << (fl - 3);
    first = ArenaBinOf((size + step - 1) & ~(step - 1));
  }
  for (int w = first / 64; w < kWords; ++w) {
    uint64_t bits = header_->nonempty[w] & BinBits(w);
    if (w == first / 64) bits &= ~uint64_t{0} << (first % 64);
    if (bits != 0) return header_->heads[w * 64 + __builtin_ctzll(bits)];
  }
  // A block of the size's own bin may still be large enough.
  if (size >= 256) {
    uint64_t o = header_->heads[ArenaBinOf(size)];
    for (int n = 0; n < kBinScan && BlockOk(o); ++n) {
      if (SizeAt(o) >= size) return o;
      o = Word(o + 8);
    }
  }
  return kNil;
}

void Arena::PrefetchAllocate(uint64_t payload) const {
  const uint64_t need = BlockBytesFor(payload);
  const uint64_t o = need <= data_bytes_ ? FindFit(need) : kNil;
  if (!BlockOk(o) || need > data_bytes_ - o) return;
  // The lines the payload will be copied into, up to 2 KiB of them.
  const uint64_t end = o + std::min<uint64_t>(need, 2048);
  for (uint64_t line = o; line < end; line += 64) {
    __builtin_prefetch(data_ + line, 1);
  }
}

void Arena::PrefetchFree(uint64_t offset, uint64_t bytes) const {
  if (!BlockOk(offset) || bytes > data_bytes_ - offset) return;
  if (offset + bytes < data_bytes_) __builtin_prefetch(data_ + offset + bytes);
  if (offset >= 8) __builtin_prefetch(data_ + offset - 8);
  const uint64_t head = header_->heads[ArenaBinOf(bytes)];
  if (BlockOk(head)) __builtin_prefetch(data_ + head + 16, 1);
}

absl::StatusOr<BlockExtent> Arena::Allocate(uint64_t payload) {
  const uint64_t need = BlockBytesFor(payload);
  const uint64_t o = need <= data_bytes_ ? FindFit(need) : kNil;
  if (o == kNil) {
    return absl::ResourceExhaustedError(
        absl::StrCat("no free block of ", need, " bytes"));
  }
  const uint64_t size = BlockOk(o) ? SizeAt(o) : 0;
  if (!BlockOk(o) || size < need || size > data_bytes_ - o ||
      (Word(o) & kInUse) != 0) {
    return absl::DataLossError(
        absl::StrCat("damaged free list (block at ", o, ")"));
  }
  Unlink(o, size);
  KVSTORE_FAULT_POINT("arena.unlinked");
  uint64_t taken = size;
  if (size - need >= kMinBlock) {
    taken = need;
    PutFree(o + need, size - need);
  } else {
    SetPrevInUse(o + size, true);
  }
  Word(o) = taken | kInUse | kPrevInUse;
  Add(header_->used_bytes, static_cast<int64_t>(taken));
  Add(header_->used_blocks, 1);
  Add(header_->payload_bytes, static_cast<int64_t>(payload));
  return BlockExtent{o, taken, payload};
}

void Arena::Free(const BlockExtent& block) {
  uint64_t o = block.offset;
  uint64_t size = block.bytes;
  Add(header_->used_bytes, -static_cast<int64_t>(block.bytes));
  Add(header_->used_blocks, -1);
  Add(header_->payload_bytes, -static_cast<int64_t>(block.payload));
  const uint64_t next = o + size;
  if (next < data_bytes_) {
    const uint64_t w = Word(next);
    const uint64_t next_size = w & ~kFlags;
    if ((w & kInUse) == 0 && next_size >= kMinBlock &&
        next_size <= data_bytes_ - next) {
      Unlink(next, next_size);
      size += next_size;
    } else {
      SetPrevInUse(next, false);
    }
  }
  if ((Word(o) & kPrevInUse) == 0 && o >= kMinBlock) {
    const uint64_t prev_size = Word(o - 8);
    const uint64_t prev = o - prev_size;
    if (prev_size >= kMinBlock && prev_size % 16 == 0 && prev_size <= o &&
        SizeAt(prev) == prev_size && (Word(prev) & kInUse) == 0) {
      Unlink(prev, prev_size);
      o = prev;
      size += prev_size;
    }
  }
  KVSTORE_FAULT_POINT("arena.free_merged");
  PutFree(o, size);
}

absl::Status Arena::Walk(
    uint64_t start,
    absl::FunctionRef<bool(uint64_t offset, uint64_t size, bool in_use)> visit)
    const {
  for (uint64_t o = start; o < data_bytes_;) {
    const uint64_t w = Word(o);
    const uint64_t size = w & ~kFlags;
    if (o % 16 != 0 || size < kMinBlock || size % 16 != 0 ||
        size > data_bytes_ - o) {
      return absl::DataLossError(absl::StrCat(
          "the data area has a block of impossible size ", size, " at ", o));
    }
    if (!visit(o, size, (w & kInUse) != 0)) break;
    o += size;
  }
  return absl::OkStatus();
}

std::vector<BlockExtent> Arena::LargeFreeBlocks(int count) const {
  std::vector<BlockExtent> blocks;
  for (int w = kWords - 1; w >= 0; --w) {
    uint64_t bits = header_->nonempty[w] & BinBits(w);
    while (bits != 0 && static_cast<int>(blocks.size()) < count) {
      const int b = w * 64 + 63 - __builtin_clzll(bits);
      bits &= ~(uint64_t{1} << (b % 64));
      uint64_t o = header_->heads[b];
      for (int n = 0; n < kBinScan && BlockOk(o) &&
                      static_cast<int>(blocks.size()) < count;
           ++n) {
        const uint64_t size = SizeAt(o);
        if ((Word(o) & kInUse) != 0 || size < kMinBlock ||
            size > data_bytes_ - o) {
          break;  // Damaged: the walk that follows reports it.
        }
        blocks.push_back(BlockExtent{o, size, 0});
        o = Word(o + 8);
      }
    }
  }
  return blocks;
}

absl::Status Arena::TakeFree(uint64_t start, uint64_t end,
                             std::vector<BlockExtent>* taken) {
  for (uint64_t o = start; o < end && o < data_bytes_;) {
    const uint64_t size = BlockOk(o) ? SizeAt(o) : 0;
    if (size < kMinBlock || size > data_bytes_ - o) {
      return absl::DataLossError(absl::StrCat(
          "the data area has a block of impossible size ", size, " at ", o));
    }
    if ((Word(o) & kInUse) == 0) {
      Unlink(o, size);
      // A free block's neighbours are in use: so is its previous one.
      Word(o) = size | kInUse | kPrevInUse;
      SetPrevInUse(o + size, true);
      Add(header_->used_bytes, static_cast<int64_t>(size));
      Add(header_->used_blocks, 1);
      taken->push_back(BlockExtent{o, size, 0});
    }
    o += size;
  }
  return absl::OkStatus();
}

absl::Status Arena::Rebuild(std::vector<BlockExtent> in_use) {
  std::sort(in_use.begin(), in_use.end(),
            [](const BlockExtent& a, const BlockExtent& b) {
              return a.offset < b.offset;
            });
  uint64_t end = 0;
  for (const BlockExtent& b : in_use) {
    if (!Plausible(b.offset, b.bytes, b.payload) || b.offset < end ||
        (b.offset != end && b.offset - end < kMinBlock)) {
      return absl::DataLossError(absl::StrCat(
          "the data area's blocks in use overlap or leave it (block at ",
          b.offset, ", ", b.bytes, " bytes)"));
    }
    end = b.offset + b.bytes;
  }
  if (end != data_bytes_ && data_bytes_ - end < kMinBlock) {
    return absl::DataLossError("the data area ends in a fragment");
  }
  ResetLists();
  uint64_t used = 0, payload = 0;
  uint64_t cursor = 0;
  bool prev_in_use = true;
  for (const BlockExtent& b : in_use) {
    if (b.offset != cursor) {
      PutFree(cursor, b.offset - cursor);
      prev_in_use = false;
    }
    Word(b.offset) = b.bytes | kInUse | (prev_in_use ? kPrevInUse : 0);
    prev_in_use = true;
    used += b.bytes;
    payload += b.payload;
    cursor = b.offset + b.bytes;
  }
  // Killed here, the area is still marked dirty: the next recoverer
  // rebuilds it again from the table.
  KVSTORE_FAULT_POINT("recover.arena_rebuilding");
  if (cursor != data_bytes_) PutFree(cursor, data_bytes_ - cursor);
  header_->used_bytes.store(used, std::memory_order_relaxed);
  header_->used_blocks.store(in_use.size(), std::memory_order_relaxed);
  header_->payload_bytes.store(payload, std::memory_order_relaxed);
  return absl::OkStatus();
}

void Arena::Check(std::vector<BlockExtent> in_use,
                  std::vector<std::string>* problems) const {
  auto problem = [&](auto&&... parts) {
    problems->push_back(absl::StrCat("data area: ", parts...));
  };
  // Walk the heap.
  absl::flat_hash_map<uint64_t, uint64_t> used_blocks;  // offset -> size
  absl::flat_hash_set<uint64_t> free_blocks;
  uint64_t used_bytes = 0;
  bool prev_in_use = true;
  for (uint64_t o = 0; o < data_bytes_;) {
    const uint64_t w = Word(o);
    const uint64_t size = w & ~kFlags;
    if (size < kMinBlock || size % 16 != 0 || size > data_bytes_ - o) {
      problem("block at ", o, " has an impossible size ", size);
      return;
    }
    if (((w & kPrevInUse) != 0) != prev_in_use) {
      problem("block at ", o, " has a wrong previous-in-use flag");
    }
    if ((w & kInUse) != 0) {
      used_blocks[o] = size;
      used_bytes += size;
      prev_in_use = true;
    } else {
      if (!prev_in_use) problem("free blocks at ", o, " and before it");
      if (Word(o + size - 8) != size) {
        problem("free block at ", o, " has a wrong footer");
      }
      free_blocks.insert(o);
      prev_in_use = false;
    }
    o += size;
  }
  // Every free block on exactly one list, the list of its size.
  absl::flat_hash_set<uint64_t> listed;
  for (int b = 0; b < kArenaBins; ++b) {
    const uint64_t head = header_->heads[b];
    const bool bit = (header_->nonempty[b / 64] >> (b % 64)) & 1;
    if (bit != (head != kNil)) problem("bin ", b, " has a wrong bitmap bit");
    uint64_t prev = kNil;
    for (uint64_t o = head; o != kNil;) {
      if (!free_blocks.contains(o)) {
        problem("bin ", b, " lists ", o, ", which is not a free block");
        break;
      }
      if (!listed.insert(o).second) {
        problem("free block at ", o, " is listed twice");
        break;
      }
      if (ArenaBinOf(SizeAt(o)) != b) {
        problem("free block at ", o, " is in bin ", b, ", not its own");
      }
      if (Word(o + 16) != prev) {
        problem("free block at ", o, " has a wrong back link");
      }
      prev = o;
      o = Word(o + 8);
    }
  }
  for (uint64_t o : free_blocks) {
    if (!listed.contains(o)) problem("free block at ", o, " is on no list");
  }
  for (int w = 0; w < kWords; ++w) {
    if ((header_->nonempty[w] & ~BinBits(w)) != 0) {
      problem("the bitmap has bits set past the last bin");
    }
  }
  // Every block in use referenced by exactly one entry, and no other.
  uint64_t payload = 0;
  absl::flat_hash_set<uint64_t> referenced;
  for (const BlockExtent& b : in_use) {
    auto it = used_blocks.find(b.offset);
    if (it == used_blocks.end() || it->second != b.bytes) {
      problem("an entry names block ", b.offset, " (", b.bytes,
              " bytes), which is not a block in use of that size");
      continue;
    }
    if (!referenced.insert(b.offset).second) {
      problem("block at ", b.offset, " is named by two entries");
    }
    payload += b.payload;
  }
  for (const auto& [o, size] : used_blocks) {
    if (!referenced.contains(o)) {
      problem("block at ", o, " (", size, " bytes) is in use by no entry");
    }
  }
  if (header_->used_bytes.load(std::memory_order_relaxed) != used_bytes ||
      header_->used_blocks.load(std::memory_order_relaxed) !=
          used_blocks.size() ||
      header_->payload_bytes.load(std::memory_order_relaxed) != payload) {
    problem("totals do not match the blocks (", used_bytes, " bytes in ",
            used_blocks.size(), " blocks holding ", payload, ")");
  }
}

ArenaFigures Arena::Figures() const {
  ArenaFigures f;
  f.data_bytes = data_bytes_;
  f.used_bytes = header_->used_bytes.load(std::memory_order_relaxed);
  f.used_blocks = header_->used_blocks.load(std::memory_order_relaxed);
  f.payload_bytes = header_->payload_bytes.load(std::memory_order_relaxed);
  f.free_bytes = data_bytes_ >= f.used_bytes ? data_bytes_ - f.used_bytes : 0;
  for (int w = kWords - 1; w >= 0 && f.largest_free == 0; --w) {
    const uint64_t bits = header_->nonempty[w] & BinBits(w);
    if (bits == 0) continue;
    const int b = w * 64 + 63 - __builtin_clzll(bits);
    uint64_t o = header_->heads[b];
    for (int n = 0; n < 4 * kBinScan && BlockOk(o); ++n) {
      f.largest_free = std::max(f.largest_free, SizeAt(o));
      o = Word(o + 8);
    }
  }
  return f;
}

}  // namespace internal
}  // namespace kvstore
