// libFuzzer target: the dump reader (docs/dump_format.md). See
// fuzz/dump_harness.h for the property checked.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "fuzz/dump_harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string problem = kvstore::fuzz::RunDumpInput(data, size);
  if (!problem.empty()) {
    std::fprintf(stderr, "dump_fuzzer: %s\n", problem.c_str());
    std::abort();
  }
  return 0;
}
