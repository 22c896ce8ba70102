// Typed records as JSON and as text, through their schema (schema.h): what
// the command-line tool prints and reads, and what TypedStore users
// (typed_store.h), the C interface and the Python module convert with.
//
//   const kvstore::RecordSchema& s = kvstore::SchemaOf<Visit>();
//   absl::StatusOr<std::string> bytes =
//       kvstore::ParseRecord(s, R"({"hits":3,"last_ns":0,"page":"/"})");
//   std::string json = kvstore::RecordToJson(s, *bytes);  // {"hits":3,...}
//
// JSON strings are escaped as docs/cli.md ("JSON output") says; a JSON text
// read may hold no arrays, no repeated names and no nesting deeper than 16.
#ifndef KVSTORE_RECORD_CODEC_H_
#define KVSTORE_RECORD_CODEC_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "kvstore/schema.h"

namespace kvstore {

// `bytes` (REQUIRES: schema.size bytes) as JSON: a struct as an object with
// its fields in declaration order, a scalar record as a bare value.
// Integers and enums are numbers; floats and doubles are numbers with enough
// digits to round-trip, or the strings "nan", "inf", "-inf"; bools are
// true/false; FixedStrings are strings (the bytes before the first NUL;
// bytes that are not valid UTF-8 become U+FFFD).
std::string RecordToJson(const RecordSchema& schema, absl::string_view bytes);

// A key for display: a scalar record as plain text (a number, or the
// FixedString's text), a struct as RecordToJson.
std::string RecordToText(const RecordSchema& schema, absl::string_view bytes);

// Builds a record from text, padding and unused FixedString bytes zeroed.
// `text` is one of:
//   - JSON: an object for a struct (nested structs as nested objects), a
//     value for a scalar record;
//   - for a scalar record, the value as plain text ("42", "alice");
//   - for a struct, field assignments "x=1 y=2" or "x=1,y=2" (dotted names
//     for nested fields: "pos.x=1"); a value starting with '"' is a JSON
//     string literal, so "name=\"a b\"" holds a space.
// Returns INVALID_ARGUMENT naming the field and the reason for a missing,
// unknown or repeated field, a value out of the field's range (300 for a
// uint8), a fraction or exponent for an integer or enum, text longer than a
// FixedString (or holding a NUL), a bool that is not true/false, a float
// outside float's range, or malformed JSON.
absl::StatusOr<std::string> ParseRecord(const RecordSchema& schema,
                                        absl::string_view text);

// The same from separate assignments, one "field=value" each (e.g. the
// command-line arguments after the key); a value is taken verbatim unless
// it starts with '"' (a JSON string literal) or, for a struct field, '{'
// (a JSON object).
absl::StatusOr<std::string> ParseRecordFields(
    const RecordSchema& schema, const std::vector<std::string>& assignments);

}  // namespace kvstore

#endif  // KVSTORE_RECORD_CODEC_H_
