#include "bench/peer.h"

#include <algorithm>
#include <vector>

namespace kvstore_bench {

absl::Status Peer::Load(uint64_t keys) {
  constexpr uint64_t kChunk = 4096;
  std::vector<Op> ops;
  ops.reserve(kChunk);
  for (uint64_t first = 0; first < keys; first += kChunk) {
    ops.clear();
    const uint64_t last = std::min(keys, first + kChunk);
    for (uint64_t k = first; k < last; ++k) {
      ops.push_back(Op{static_cast<uint32_t>(k), OpKind::kSet});
    }
    absl::Status status = Run(ops.data(), ops.size());
    if (!status.ok()) return status;
  }
  return absl::OkStatus();
}

}  // namespace kvstore_bench
