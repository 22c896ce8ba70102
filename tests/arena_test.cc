// The data area's allocator on its own: every invariant holds after every
// operation, freeing coalesces, a full area says so, and Rebuild derives the
// same free space from the blocks in use alone.
#include "kvstore/internal/arena.h"

#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "tests/status_matchers.h"

namespace kvstore {
namespace internal {
namespace {

using ::kvstore::testing::StatusIs;

class ArenaTest : public ::testing::Test {
 protected:
  void Make(uint64_t data_bytes) {
    header_ = std::make_unique<ArenaHeader>();
    std::memset(header_.get(), 0, sizeof(ArenaHeader));
    data_.assign(data_bytes, 0);
    arena_ = std::make_unique<Arena>(header_.get(), data_.data(), data_bytes);
    arena_->Init();
  }
  std::string Problems(const std::vector<BlockExtent>& in_use) const {
    std::vector<std::string> problems;
    arena_->Check(in_use, &problems);
    return absl::StrJoin(problems, "\n");
  }

  std::unique_ptr<ArenaHeader> header_;
  std::vector<uint8_t> data_;
  std::unique_ptr<Arena> arena_;
};

TEST_F(ArenaTest, BlocksHoldTheirPayloadWithAHeaderAndSixteenByteAlignment) {
  EXPECT_EQ(Arena::BlockBytesFor(0), 32u);
  EXPECT_EQ(Arena::BlockBytesFor(24), 32u);
  EXPECT_EQ(Arena::BlockBytesFor(25), 48u);
  EXPECT_EQ(Arena::BlockBytesFor(1000), 1008u);
}

TEST_F(ArenaTest, BinsGrowByAnEighthAndNeverShrink) {
  int last = 0;
  for (uint64_t size = 32; size < (uint64_t{1} << 40); size += size / 16) {
    const uint64_t s = size / 16 * 16;
    const int b = ArenaBinOf(s);
    EXPECT_GE(b, last) << s;
    EXPECT_LT(b, kArenaBins) << s;
    last = b;
  }
}

TEST_F(ArenaTest, AllocateSplitsAndFreeCoalescesBackToOneBlock) {
  Make(1 << 16);
  absl::StatusOr<BlockExtent> a = arena_->Allocate(100);
  absl::StatusOr<BlockExtent> b = arena_->Allocate(5000);
  absl::StatusOr<BlockExtent> c = arena_->Allocate(1);
  ASSERT_OK(a);
  ASSERT_OK(b);
  ASSERT_OK(c);
  EXPECT_EQ(Problems({*a, *b, *c}), "");
  EXPECT_EQ(arena_->Figures().used_blocks, 3u);
  arena_->Free(*b);
  EXPECT_EQ(Problems({*a, *c}), "");
  arena_->Free(*a);
  EXPECT_EQ(Problems({*c}), "");
  arena_->Free(*c);
  EXPECT_EQ(Problems({}), "");
  const ArenaFigures f = arena_->Figures();
  EXPECT_EQ(f.used_bytes, 0u);
  EXPECT_EQ(f.largest_free, uint64_t{1} << 16);  // One block again.
}

TEST_F(ArenaTest, AFullAreaIsResourceExhaustedAndChangesNothing) {
  Make(4096);
  absl::StatusOr<BlockExtent> a = arena_->Allocate(4000);
  ASSERT_OK(a);
  absl::StatusOr<BlockExtent> b = arena_->Allocate(200);
  EXPECT_THAT(b.status(), StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_EQ(Problems({*a}), "");
  EXPECT_THAT(arena_->Allocate(5000).status(),
              StatusIs(absl::StatusCode::kResourceExhausted));
}

TEST_F(ArenaTest, RandomAllocationsAndFreesKeepEveryInvariant) {
  Make(1 << 20);
  std::mt19937_64 rng(7);
  std::vector<BlockExtent> live;
  for (int op = 0; op < 20000; ++op) {
    if (live.empty() || rng() % 3 != 0) {
      // Sizes from a few bytes to 64 KiB, skewed small.
      const uint64_t payload = (rng() % 64) << (rng() % 11);
      absl::StatusOr<BlockExtent> b = arena_->Allocate(payload);
      if (b.ok()) {
        // The payload is writable without touching a neighbour.
        std::memset(arena_->Payload(b->offset), 0xab, payload);
        live.push_back(*b);
      } else {
        ASSERT_THAT(b.status(), StatusIs(absl::StatusCode::kResourceExhausted));
      }
    } else {
      const size_t i = rng() % live.size();
      arena_->Free(live[i]);
      live[i] = live.back();
      live.pop_back();
    }
    if (op % 500 == 0) ASSERT_EQ(Problems(live), "") << "op " << op;
  }
  ASSERT_EQ(Problems(live), "");
  // Rebuilding from the blocks in use alone gives the same free space.
  const ArenaFigures before = arena_->Figures();
  ASSERT_OK(arena_->Rebuild(live));
  EXPECT_EQ(Problems(live), "");
  const ArenaFigures after = arena_->Figures();
  EXPECT_EQ(after.used_bytes, before.used_bytes);
  EXPECT_EQ(after.free_bytes, before.free_bytes);
  EXPECT_EQ(after.payload_bytes, before.payload_bytes);
}

TEST_F(ArenaTest, WalkVisitsEveryBlockInAddressOrder) {
  Make(4096);
  absl::StatusOr<BlockExtent> a = arena_->Allocate(100);
  absl::StatusOr<BlockExtent> b = arena_->Allocate(200);
  ASSERT_OK(a);
  ASSERT_OK(b);
  arena_->Free(*a);
  std::vector<std::string> seen;
  ASSERT_OK(arena_->Walk(0, [&](uint64_t o, uint64_t size, bool in_use) {
    seen.push_back(absl::StrCat(o, "+", size, in_use ? " used" : " free"));
    return true;
  }));
  EXPECT_EQ(absl::StrJoin(seen, ", "),
            absl::StrCat("0+", a->bytes, " free, ", a->bytes, "+", b->bytes,
                         " used, ", a->bytes + b->bytes, "+",
                         4096 - a->bytes - b->bytes, " free"));
  // A damaged header ends the walk with DATA_LOSS, never past the area.
  uint64_t huge = uint64_t{1} << 40;
  std::memcpy(&data_[b->offset], &huge, 8);
  EXPECT_THAT(arena_->Walk(0, [](uint64_t, uint64_t, bool) { return true; }),
              StatusIs(absl::StatusCode::kDataLoss));
  // A walk from a block stops when told.
  int visited = 0;
  ASSERT_OK(
      arena_->Walk(0, [&](uint64_t, uint64_t, bool) { return ++visited < 1; }));
  EXPECT_EQ(visited, 1);
}

TEST_F(ArenaTest, TakenFreeBlocksAreNeverAllocatedUntilFreed) {
  Make(4096);
  std::vector<BlockExtent> used;
  for (int i = 0; i < 8; ++i) {
    absl::StatusOr<BlockExtent> b = arena_->Allocate(500);  // 512 each.
    ASSERT_OK(b);
    used.push_back(*b);
  }
  // Holes at 0, 1024, 2048 and 3072.
  for (int i = 0; i < 8; i += 2) arena_->Free(used[i]);
  std::vector<BlockExtent> kept = {used[1], used[3], used[5], used[7]};
  // The four holes are the free blocks of the largest sizes.
  std::vector<BlockExtent> large = arena_->LargeFreeBlocks(16);
  ASSERT_EQ(large.size(), 4u);
  for (const BlockExtent& b : large) {
    EXPECT_EQ(b.offset % 1024, 0u);
    EXPECT_EQ(b.bytes, 512u);
  }
  EXPECT_EQ(arena_->LargeFreeBlocks(3).size(), 3u);
  std::vector<BlockExtent> taken;
  ASSERT_OK(arena_->TakeFree(0, 2048, &taken));
  ASSERT_EQ(taken.size(), 2u);
  EXPECT_EQ(taken[0].offset, 0u);
  EXPECT_EQ(taken[1].offset, 1024u);
  // Only the holes outside [0, 2048) are left to allocate.
  for (int i = 0; i < 2; ++i) {
    absl::StatusOr<BlockExtent> b = arena_->Allocate(500);
    ASSERT_OK(b);
    EXPECT_GE(b->offset, 2048u);
    kept.push_back(*b);
  }
  EXPECT_THAT(arena_->Allocate(500).status(),
              StatusIs(absl::StatusCode::kResourceExhausted));
  std::vector<BlockExtent> all = kept;
  all.insert(all.end(), taken.begin(), taken.end());
  EXPECT_EQ(Problems(all), "");
  for (const BlockExtent& t : taken) arena_->Free(t);
  EXPECT_EQ(Problems(kept), "");
  EXPECT_EQ(arena_->Figures().free_bytes, 1024u);
}

TEST_F(ArenaTest, RebuildRefusesOverlappingBlocksAndChangesNothing) {
  Make(4096);
  absl::StatusOr<BlockExtent> a = arena_->Allocate(100);
  ASSERT_OK(a);
  BlockExtent overlapping = *a;
  overlapping.offset += 16;
  const std::vector<uint8_t> before = data_;
  absl::Status s = arena_->Rebuild({*a, overlapping});
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_EQ(data_, before);
  BlockExtent outside{4096, 32, 0};
  EXPECT_THAT(arena_->Rebuild({outside}),
              StatusIs(absl::StatusCode::kDataLoss));
}

TEST_F(ArenaTest, CheckFindsALeakAndADoubleReference) {
  Make(4096);
  absl::StatusOr<BlockExtent> a = arena_->Allocate(100);
  absl::StatusOr<BlockExtent> b = arena_->Allocate(100);
  ASSERT_OK(a);
  ASSERT_OK(b);
  EXPECT_NE(Problems({*a}).find("in use by no entry"), std::string::npos);
  EXPECT_NE(Problems({*a, *a, *b}).find("named by two entries"),
            std::string::npos);
}

// One damage at a time to an area of one block in use and one free block,
// each undone before the next: Check names every one.
TEST_F(ArenaTest,
       CheckFindsAWrongFooterABlockOnNoListOrTheWrongOneAndWrongTotals) {
  Make(4096);
  absl::StatusOr<BlockExtent> a = arena_->Allocate(100);
  ASSERT_OK(a);
  ASSERT_EQ(Problems({*a}), "");
  const uint64_t free_at = a->offset + a->bytes;
  const uint64_t free_bytes = 4096 - a->bytes;
  const int bin = ArenaBinOf(free_bytes);
  ASSERT_GT(bin, 0);
  ASSERT_EQ(header_->heads[bin], free_at);
  auto word = [&](uint64_t offset) -> uint64_t& {
    return *reinterpret_cast<uint64_t*>(data_.data() + offset);
  };
  auto set_bit = [&](int b, bool on) {
    const uint64_t bit = uint64_t{1} << (b % 64);
    header_->nonempty[b / 64] =
        on ? header_->nonempty[b / 64] | bit : header_->nonempty[b / 64] & ~bit;
  };
  const std::string free_block = absl::StrCat("free block at ", free_at);

  word(free_at + free_bytes - 8) += 16;
  EXPECT_NE(Problems({*a}).find(free_block + " has a wrong footer"),
            std::string::npos)
      << Problems({*a});
  word(free_at + free_bytes - 8) -= 16;

  header_->heads[bin] = ~uint64_t{0};
  set_bit(bin, false);
  EXPECT_NE(Problems({*a}).find(free_block + " is on no list"),
            std::string::npos)
      << Problems({*a});

  header_->heads[bin - 1] = free_at;  // Listed, in a smaller size's bin.
  set_bit(bin - 1, true);
  EXPECT_NE(Problems({*a}).find(absl::StrCat(free_block, " is in bin ", bin - 1,
                                             ", not its own")),
            std::string::npos)
      << Problems({*a});
  header_->heads[bin - 1] = ~uint64_t{0};
  set_bit(bin - 1, false);
  header_->heads[bin] = free_at;
  set_bit(bin, true);
  ASSERT_EQ(Problems({*a}), "");

  header_->used_bytes.fetch_add(16);
  EXPECT_NE(Problems({*a}).find("totals do not match the blocks"),
            std::string::npos)
      << Problems({*a});
  header_->used_bytes.fetch_sub(16);
  EXPECT_EQ(Problems({*a}), "");
}

}  // namespace
}  // namespace internal
}  // namespace kvstore
