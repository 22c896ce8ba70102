// Compaction of the data area: when a store without eviction has the free
// bytes for a new block but no free block that large, the blocks in use in
// the cheapest stretch of the area are moved out, one journaled rewrite of
// their slot each, so that the stretch becomes one free block.
// docs/design.md, "Compaction", gives the protocol and why it is safe.
#include <algorithm>
#include <cstring>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "kvstore/internal/fault_injection.h"
#include "kvstore/internal/table.h"

namespace kvstore {
namespace internal {
namespace {

// Each compaction makes a free block of up to this many times the bytes
// asked for (and at most an eighth of the free bytes), so that the pass
// over the table it costs is shared by the writes that follow.
constexpr uint64_t kRunsPerCompaction = 64;

// Stretches examined: those starting at the free blocks of the largest
// sizes (a stretch is best begun by a large hole).
constexpr int kStarts = 16;

// A stretch [start, end) of the area and the blocks in use in it.
struct Stretch {
  uint64_t start = 0;
  uint64_t end = 0;
  uint64_t used = 0;  // Bytes in use: what moving them copies.
  uint64_t used_blocks = 0;
  bool found = false;
};

// Of the stretches that start at one of the largest free blocks and span
// at least `target` bytes, the one holding the fewest bytes in use, among
// those whose blocks in use could fit outside them: their bytes in the
// free bytes outside, the largest in the largest free block outside.
// Walks at most kStarts stretches' headers; found false if none qualifies.
absl::StatusOr<Stretch> Cheapest(const Arena& arena, uint64_t target,
                                 const ArenaFigures& f) {
  const std::vector<BlockExtent> starts = arena.LargeFreeBlocks(kStarts);
  Stretch best;
  for (const BlockExtent& start : starts) {
    Stretch s{start.offset, start.offset, 0, 0, false};
    uint64_t span = 0, biggest = 0;
    absl::Status walked =
        arena.Walk(start.offset, [&](uint64_t o, uint64_t size, bool in_use) {
          span += size;
          s.end = o + size;
          if (in_use) {
            s.used += size;
            ++s.used_blocks;
            biggest = std::max(biggest, size);
          }
          // On until it spans the target, unless it already costs more
          // than the best.
          return span < target && (!best.found || s.used < best.used);
        });
    if (!walked.ok()) return walked;
    if (span < target || (best.found && s.used >= best.used)) continue;
    uint64_t largest_outside = 0;
    for (const BlockExtent& b : starts) {
      if (b.offset < s.start || b.offset >= s.end) {
        largest_outside = std::max(largest_outside, b.bytes);
      }
    }
    const uint64_t free_inside = span - s.used;
    if (free_inside <= f.free_bytes && s.used <= f.free_bytes - free_inside &&
        biggest <= largest_outside) {
      s.found = true;
      best = s;
    }
  }
  return best;
}

}  // namespace

absl::Status Table::CompactLocked(uint64_t need) {
  const ArenaFigures f = arena_->Figures();
  const uint64_t target =
      std::max(need, std::min(need * kRunsPerCompaction, f.free_bytes / 8));
  absl::StatusOr<Stretch> w = Cheapest(*arena_, target, f);
  if (w.ok() && !w->found && target > need) w = Cheapest(*arena_, need, f);
  if (!w.ok()) {
    return absl::DataLossError(absl::StrCat(
        "store ", name(), ": ", w.status().message(), "; run 'kvstore check'"));
  }
  if (!w->found) {
    return absl::FailedPreconditionError(
        "no stretch of the data area can be emptied");
  }
  // The entries whose blocks lie in the stretch: a pass over the table
  // until all are found (a block does not name its slot).
  std::vector<std::pair<uint64_t, uint64_t>> owners;  // (offset, slot)
  for (uint64_t i = 0; i < geometry_.slot_count; ++i) {
    const SlotHeader* s = slot(i);
    if (SeqKeyLen(s->seq.load(std::memory_order_relaxed)) != 0) continue;
    const SlotMeta m = Meta(*s);
    if (!OutOfLine(m)) continue;
    const uint64_t offset = RefOf(s).offset;
    if (offset >= w->start && offset < w->end) {
      owners.emplace_back(offset, i);
      if (owners.size() == w->used_blocks) break;  // All found.
    }
  }
  std::sort(owners.begin(), owners.end());
  // Its free space taken first, so that no block moved out lands in it.
  std::vector<BlockExtent> release;
  absl::Status status = arena_->TakeFree(w->start, w->end, &release);
  KVSTORE_FAULT_POINT("compact.taken");
  for (size_t k = 0; k < owners.size() && status.ok(); ++k) {
    const uint64_t index = owners[k].second;
    const SlotMeta m = Meta(*slot(index));
    absl::StatusOr<EntryBytes> e = EntryLocked(index, m);
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
    std::memcpy(arena_->Payload(to->offset), arena_->Payload(e->block.offset),
                e->block.payload);
    KVSTORE_FAULT_POINT("compact.copied");
    // The same entry, naming the new block: a new version, so that
    // lock-free readers of the old copy retry, and the same type, expiry
    // and CLOCK bit.
    PutLocked(Probe{true, index}, e->key, RefOf(slot(index)).key_hash, m.type,
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
