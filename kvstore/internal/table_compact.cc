// Compaction of the data area: when a store without eviction has the free
// bytes for a new block but no free block that large, the blocks in use in
// the cheapest stretch of the area are moved out, one journaled rewrite of
// their slot each, so that the stretch becomes one free block.
// docs/design.md, "Compaction", gives the protocol and why it is safe.
#include <algorithm>
#include <cstring>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "kvstore/internal/fault_injection.h"
#include "kvstore/internal/table.h"

namespace kvstore {
namespace internal {
namespace {

// A stretch of the area: a block in use and the slot that names it, or
// the free space between two such blocks (slot kFree).
struct Piece {
  static constexpr uint64_t kFree = ~uint64_t{0};
  uint64_t offset;
  uint64_t bytes;
  uint64_t slot;
};

// The pieces [first, last) of the stretch that spans at least `need` bytes
// and holds the fewest bytes in use, among those whose blocks in use could
// fit the free space outside it (`free` bytes in all); last == 0 if none.
struct Window {
  size_t first = 0;
  size_t last = 0;
  uint64_t used = 0;  // Bytes in use in it: what moving it copies.
};

Window Cheapest(const std::vector<Piece>& pieces, uint64_t need,
                uint64_t free) {
  Window best;
  uint64_t span = 0, used = 0;
  size_t last = 0;
  for (size_t first = 0; first < pieces.size(); ++first) {
    while (last < pieces.size() && span < need) {
      span += pieces[last].bytes;
      if (pieces[last].slot != Piece::kFree) used += pieces[last].bytes;
      ++last;
    }
    if (span < need) break;
    // What it moves must fit outside it: the free bytes not in it.
    const uint64_t free_inside = span - used;
    if (used <= free - free_inside && (best.last == 0 || used < best.used)) {
      best = Window{first, last, used};
    }
    span -= pieces[first].bytes;
    if (pieces[first].slot != Piece::kFree) used -= pieces[first].bytes;
  }
  return best;
}

}  // namespace

absl::Status Table::CompactLocked(uint64_t need) {
  // The blocks in use, with their slots, in address order.
  std::vector<Piece> in_use;
  for (uint64_t i = 0; i < geometry_.slot_count; ++i) {
    const SlotMeta m = Meta(*slot(i));
    if (!OutOfLine(m)) continue;
    absl::StatusOr<EntryBytes> e = EntryLocked(i, m);
    if (!e.ok()) return e.status();
    in_use.push_back(Piece{e->block.offset, e->block.bytes, i});
  }
  std::sort(in_use.begin(), in_use.end(),
            [](const Piece& a, const Piece& b) { return a.offset < b.offset; });
  // The whole area: those blocks and the space between them.
  std::vector<Piece> pieces;
  pieces.reserve(2 * in_use.size() + 1);
  uint64_t cursor = 0;
  for (const Piece& p : in_use) {
    if (p.offset < cursor) {
      return absl::DataLossError(absl::StrCat(
          "store ", name(), " has entries whose blocks overlap (at ", p.offset,
          "); run 'kvstore check'"));
    }
    if (p.offset > cursor) {
      pieces.push_back(Piece{cursor, p.offset - cursor, Piece::kFree});
    }
    pieces.push_back(p);
    cursor = p.offset + p.bytes;
  }
  if (cursor < geometry_.data_bytes) {
    pieces.push_back(
        Piece{cursor, geometry_.data_bytes - cursor, Piece::kFree});
  }
  const ArenaFigures f = arena_->Figures();
  const Window w = Cheapest(pieces, need, f.free_bytes);
  if (w.last == 0) {
    return absl::ResourceExhaustedError(
        "no stretch of the data area can be emptied");
  }
  // Its free space taken first, so that no block moved out lands in it.
  const uint64_t start = pieces[w.first].offset;
  const uint64_t end = pieces[w.last - 1].offset + pieces[w.last - 1].bytes;
  std::vector<BlockExtent> release;
  absl::Status status = arena_->TakeFree(start, end, &release);
  KVSTORE_FAULT_POINT("compact.taken");
  for (size_t k = w.first; k < w.last && status.ok(); ++k) {
    const Piece& p = pieces[k];
    if (p.slot == Piece::kFree) continue;
    const SlotMeta m = Meta(*slot(p.slot));
    absl::StatusOr<EntryBytes> e = EntryLocked(p.slot, m);
    if (!e.ok()) {
      status = e.status();
      break;
    }
    absl::StatusOr<BlockExtent> to = arena_->Allocate(e->block.payload);
    if (!to.ok()) {
      status = to.status();
      break;
    }
    // Nothing names the new block yet; the old one stays in use (and
    // readable) until every move is done.
    std::memcpy(arena_->Payload(to->offset), arena_->Payload(p.offset),
                e->block.payload);
    KVSTORE_FAULT_POINT("compact.copied");
    // The same entry, naming the new block: a new version, so that
    // lock-free readers of the old copy retry, and the same type, expiry
    // and CLOCK bit.
    PutLocked(Probe{true, p.slot}, e->key, RefOf(slot(p.slot)).key_hash, m.type,
              e->value, m.expires_ms, *to, /*free_old=*/false);
    KVSTORE_FAULT_POINT("compact.moved");
    release.push_back(e->block);
    CountLocked(kCompactedBytes, e->block.bytes);
  }
  for (const BlockExtent& b : release) arena_->Free(b);
  CountLocked(kCompactions);
  return status;
}

}  // namespace internal
}  // namespace kvstore
