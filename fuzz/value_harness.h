// The value fuzzer's harness: Value::Parse, Value::FromEncoded and ToText
// on arbitrary bytes, checking that text round-trips. Shared by the
// libFuzzer target and tests/fuzz_regression_test.cc.
//
// Input: byte 0 picks the type (its raw value for FromEncoded, modulo 7
// for Parse); the rest is the text or payload.
#ifndef FUZZ_VALUE_HARNESS_H_
#define FUZZ_VALUE_HARNESS_H_

#include <cstddef>
#include <cstdint>
#include <string>

namespace kvstore {
namespace fuzz {

// Runs one input. Returns "" if every property held, else a description
// of the first one broken (the fuzzer aborts on it, the test fails).
std::string RunValueInput(const uint8_t* data, size_t size);

}  // namespace fuzz
}  // namespace kvstore

#endif  // FUZZ_VALUE_HARNESS_H_
