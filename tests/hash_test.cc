// The key hash decides where every key lives in a segment that outlives the
// process and the build, so it must never change: Hash64 is XXH3-64 with
// the store's seed, whichever path computes it.
#include "kvstore/internal/hash.h"

#include <cstdint>
#include <string>

#include "gtest/gtest.h"

namespace kvstore {
namespace internal {
namespace {

TEST(HashTest, EveryLengthHashesAsXxh3WithTheSeed) {
  std::string bytes;
  for (int i = 0; i < 300; ++i) bytes.push_back(static_cast<char>(i * 37 + 11));
  for (const uint64_t seed :
       {uint64_t{0}, uint64_t{1}, uint64_t{0x9e3779b97f4a7c15}, ~uint64_t{0}}) {
    for (size_t len = 0; len <= bytes.size(); ++len) {
      EXPECT_EQ(Hash64(bytes.data(), len, seed),
                XXH3_64bits_withSeed(bytes.data(), len, seed))
          << "length " << len << ", seed " << seed;
    }
  }
}

TEST(HashTest, KnownValuesNeverChange) {
  // XXH3-64 of xxHash 0.8 (the first is its published value for empty
  // input): a change here moves every key of
  // every existing store.
  EXPECT_EQ(Hash64("", 0, 0), uint64_t{0x2d06800538d394c2});
  EXPECT_EQ(Hash64("key:0000000001", 14, 42), uint64_t{0x1a812bda75aa56fc});
  EXPECT_EQ(Hash64("a key longer than sixteen bytes", 31, 7), uint64_t{0xe880bdbdc91aad18});
}

}  // namespace
}  // namespace internal
}  // namespace kvstore
