// libFuzzer target: a hostile segment behind a valid header, driven through
// every Store operation. See fuzz/segment_harness.h for the input format.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "fuzz/segment_harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Switches that keep the fuzzer away from a found bug while it is open
  // (fuzz/README.md, "Bugs found": both are fixed, and run.sh sets none).
  static const uint32_t skip =
      (std::getenv("KVSTORE_FUZZ_SKIP_TINY_VALUES") != nullptr
           ? kvstore::fuzz::kSkipTinyValues
           : 0) |
      (std::getenv("KVSTORE_FUZZ_SKIP_ARENA_BITMAP") != nullptr
           ? kvstore::fuzz::kSkipArenaBitmap
           : 0);
  const std::string problem = kvstore::fuzz::RunSegmentInput(data, size, skip);
  if (!problem.empty()) {
    std::fprintf(stderr, "segment_fuzzer: %s\n", problem.c_str());
    std::abort();
  }
  return 0;
}
