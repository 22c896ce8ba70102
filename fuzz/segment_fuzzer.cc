// libFuzzer target: a hostile segment behind a valid header, driven through
// every Store operation. See fuzz/segment_harness.h for the input format.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "fuzz/segment_harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const bool skip_tiny_values =
      std::getenv("KVSTORE_FUZZ_SKIP_TINY_VALUES") != nullptr;
  const std::string problem =
      kvstore::fuzz::RunSegmentInput(data, size, skip_tiny_values);
  if (!problem.empty()) {
    std::fprintf(stderr, "segment_fuzzer: %s\n", problem.c_str());
    std::abort();
  }
  return 0;
}
