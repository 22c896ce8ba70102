// A strict JSON parser for tests, independent of the product's own
// (kvstore/internal/json.h): checks that --json output is one valid JSON
// document (RFC 8259, valid UTF-8, no name repeated in an object) and gives
// access to its structure.
//
//   absl::StatusOr<JsonValue> v = ParseJson(R"({"key":"k","value":1})");
//   v->Find("value")->number;  // 1
#ifndef TESTS_CLI_JSON_CHECKER_H_
#define TESTS_CLI_JSON_CHECKER_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace kvstore {
namespace cli {

struct JsonValue {
  enum class Kind { kNull, kBool, kNumber, kString, kArray, kObject };
  Kind kind = Kind::kNull;
  bool boolean = false;
  double number = 0;
  std::string text;  // A string's decoded value, or a number as written.
  std::vector<JsonValue> array;
  std::vector<std::pair<std::string, JsonValue>> object;

  // The member called `name` of an object, or nullptr.
  const JsonValue* Find(absl::string_view name) const;
};

// Parses `text`, which must hold exactly one JSON value (whitespace around
// it allowed). Returns INVALID_ARGUMENT saying where it is not JSON: also
// for bytes that are not valid UTF-8 and for a name repeated in an object.
absl::StatusOr<JsonValue> ParseJson(absl::string_view text);

}  // namespace cli
}  // namespace kvstore

#endif  // TESTS_CLI_JSON_CHECKER_H_
