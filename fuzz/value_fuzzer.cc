// libFuzzer target: Value::Parse, Value::FromEncoded and ToText round trips.
// See fuzz/value_harness.h for the input format.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "fuzz/value_harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string problem = kvstore::fuzz::RunValueInput(data, size);
  if (!problem.empty()) {
    std::fprintf(stderr, "value_fuzzer: %s\n", problem.c_str());
    std::abort();
  }
  return 0;
}
