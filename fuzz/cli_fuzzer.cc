// libFuzzer target: the CLI's argument and value parsing, and whole
// command lines.
// See fuzz/cli_harness.h for the input format.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "fuzz/cli_harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string problem = kvstore::fuzz::RunCliInput(data, size);
  if (!problem.empty()) {
    std::fprintf(stderr, "cli_fuzzer: %s\n", problem.c_str());
    std::abort();
  }
  return 0;
}
