// The field-assignment syntax of typed records ("x=1 y=2", "pos.x=1",
// name="a b"), read into a JsonValue object of kPlain values for the record
// codec (record_codec.cc). Internal to kvstore.
#ifndef KVSTORE_INTERNAL_RECORD_ASSIGNMENTS_H_
#define KVSTORE_INTERNAL_RECORD_ASSIGNMENTS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "kvstore/internal/json.h"
#include "kvstore/schema.h"

namespace kvstore {
namespace internal {

// "a=1 b.c=2" or "a=1,b.c=2" (a value may be a quoted JSON string or, for
// a struct field, a JSON object) as an object of kPlain values.
absl::StatusOr<JsonValue> ParseAssignments(absl::string_view text,
                                           const std::vector<Field>& fields);

// The same from one "name=value" per element, values verbatim unless they
// start with '"' (a JSON string) or, for a struct field, '{'.
absl::StatusOr<JsonValue> AssignmentsToObject(
    const std::vector<std::string>& assignments,
    const std::vector<Field>& fields);

}  // namespace internal
}  // namespace kvstore

#endif  // KVSTORE_INTERNAL_RECORD_ASSIGNMENTS_H_
