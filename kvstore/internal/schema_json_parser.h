// A small JSON reader and writer for records (schema_json.cc), and the
// field-assignment syntax of the command-line tool. Internal to kvstore.
#ifndef KVSTORE_INTERNAL_SCHEMA_JSON_PARSER_H_
#define KVSTORE_INTERNAL_SCHEMA_JSON_PARSER_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "kvstore/schema.h"

namespace kvstore {
namespace schema_internal {

struct JsonValue {
  enum Kind { kNull, kBool, kNumber, kString, kObject, kPlain };
  Kind kind = kNull;
  // kBool: "true" or "false"; kNumber: the token as written; kString: the
  // decoded text; kPlain: text not yet given a type (an assignment's value).
  std::string text;
  std::vector<std::pair<std::string, JsonValue>> members;  // kObject

  const JsonValue* Find(absl::string_view name) const;
};

// Parses `text` as exactly one JSON value (surrounding whitespace allowed).
// Arrays are refused (no field type takes one), as are repeated names in an
// object and nesting deeper than 16. INVALID_ARGUMENT says where and why.
absl::StatusOr<JsonValue> ParseJson(absl::string_view text);

// True if `s` is a JSON number token.
bool IsJsonNumber(absl::string_view s);

// Appends `s` as a JSON string literal: '"', '\\' and control characters
// escaped, valid UTF-8 kept, other bytes as U+FFFD.
void AppendJsonString(absl::string_view s, std::string* out);

// "a=1 b.c=2" or "a=1,b.c=2" (a value may be a quoted JSON string or, for
// a struct field, a JSON object) as an object of kPlain values.
absl::StatusOr<JsonValue> ParseAssignments(absl::string_view text,
                                           const std::vector<Field>& fields);

// The same from one "name=value" per element, values verbatim unless they
// start with '"' (a JSON string) or, for a struct field, '{'.
absl::StatusOr<JsonValue> AssignmentsToObject(
    const std::vector<std::string>& assignments,
    const std::vector<Field>& fields);

}  // namespace schema_internal
}  // namespace kvstore

#endif  // KVSTORE_INTERNAL_SCHEMA_JSON_PARSER_H_
