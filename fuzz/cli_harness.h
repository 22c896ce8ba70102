// The CLI fuzzer's harness: the tool's argument and value parsing, and
// optionally a whole command line run in-process against a store of its
// own. Used by fuzz/cli_fuzzer.cc.
//
// Input: byte 0 holds mode bits (bit 0: also run each command line); the
// rest is split at '\0' into up to 4 command lines, each split at '\n' into
// argv tokens. The command lines run in order against one store of their
// own, removed afterwards.
#ifndef FUZZ_CLI_HARNESS_H_
#define FUZZ_CLI_HARNESS_H_

#include <cstddef>
#include <cstdint>
#include <string>

namespace kvstore {
namespace fuzz {

// Runs one input. Returns "" if every property held, else a description
// of the first one broken.
std::string RunCliInput(const uint8_t* data, size_t size);

}  // namespace fuzz
}  // namespace kvstore

#endif  // FUZZ_CLI_HARNESS_H_
