// The record fuzzer's harness: the typed-record codec (record_codec.h) and
// through it the one JSON parser (kvstore/internal/json.h) on arbitrary
// text, checking that what it accepts prints and reads back the same.
// Shared by the libFuzzer target and tests/fuzz_regression_test.cc.
//
// Input: byte 0 picks the schema (modulo 8: a struct of every field type
// with a nested struct, then the scalars uint8, int64, double, float,
// FixedString<5>, bool and an enum); byte 1 picks the parser (even:
// ParseRecord on the rest; odd: ParseRecordFields on the rest split at
// '\n'); the rest is the text.
#ifndef FUZZ_RECORD_HARNESS_H_
#define FUZZ_RECORD_HARNESS_H_

#include <cstddef>
#include <cstdint>
#include <string>

namespace kvstore {
namespace fuzz {

// Runs one input. Returns "" if every property held, else a description
// of the first one broken (the fuzzer aborts on it, the test fails):
//   - an accepted record has exactly the schema's size;
//   - RecordToJson of it is valid UTF-8; RecordToText is the same JSON for
//     a struct, the text for a FixedString;
//   - ParseRecord(RecordToJson(r)) gives r back byte for byte (when no
//     FixedString of r holds bytes that are not UTF-8, which print as
//     U+FFFD), and RecordToJson of that is the same text.
// `accepted` (if not null) says whether the codec accepted the text.
std::string RunRecordInput(const uint8_t* data, size_t size,
                           bool* accepted = nullptr);

}  // namespace fuzz
}  // namespace kvstore

#endif  // FUZZ_RECORD_HARNESS_H_
