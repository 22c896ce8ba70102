// The dump fuzzer's harness: the input is a dump file (docs/dump_format.md),
// read with DumpReader as a restore reads it. Shared by the libFuzzer target
// (fuzz/dump_fuzzer.cc) and the regression test.
#ifndef FUZZ_DUMP_HARNESS_H_
#define FUZZ_DUMP_HARNESS_H_

#include <cstddef>
#include <cstdint>
#include <string>

namespace kvstore {
namespace fuzz {

// Reads the input as a dump. Refusals are expected; a finding is a crash,
// a hang, a sanitizer report, or the property checked here: an input the
// reader accepts whole, written again with DumpWriter, reads back as the
// same header and entries. Returns "" if that held, else what broke.
std::string RunDumpInput(const uint8_t* data, size_t size);

}  // namespace fuzz
}  // namespace kvstore

#endif  // FUZZ_DUMP_HARNESS_H_
