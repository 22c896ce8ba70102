// libFuzzer target: the typed-record codec and the JSON parser under it
// (ParseRecord, ParseRecordFields, RecordToJson round trips). See
// fuzz/record_harness.h for the input format.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "fuzz/record_harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string problem = kvstore::fuzz::RunRecordInput(data, size);
  if (!problem.empty()) {
    std::fprintf(stderr, "record_fuzzer: %s\n", problem.c_str());
    std::abort();
  }
  return 0;
}
