// How the kvstore tool prints the records of typed stores (docs/cli.md,
// "Typed stores"). A record's bytes are shown through the store's schema.
//
//   RecordEntryJson(schema, key, value)
//     // {"key":7,"type":"Player","value":{"score":10,...}}
//   RecordListLine(schema, key, value)
//     // "7\tPlayer\t{\"score\":10,...}\n"
#ifndef CLI_TYPED_FORMAT_H_
#define CLI_TYPED_FORMAT_H_

#include <string>

#include "absl/strings/string_view.h"
#include "kvstore/record_codec.h"
#include "kvstore/schema.h"

namespace kvstore {
namespace cli {

// A value as `get` prints it (without the newline): a struct as a JSON
// object, a scalar as plain text (RecordToText: a number, true/false, the
// FixedString's text, nan/inf/-inf).
std::string RecordValueText(const RecordSchema& schema,
                            absl::string_view bytes);

// One entry as JSON: {"key":K,"type":NAME,"value":V} with K and V as
// RecordToJson gives them (an object for a struct, a number, string or
// boolean for a scalar) and NAME the value record's name.
std::string RecordEntryJson(const Schema& schema, absl::string_view key,
                            absl::string_view value);

// One line of `list`: KEY TAB NAME TAB VALUE NEWLINE, with the key as
// RecordToText (plain text for a scalar, JSON for a struct) and the value as
// RecordValueText; plain texts pass through EscapeField (JSON has no bytes
// that need it).
std::string RecordListLine(const Schema& schema, absl::string_view key,
                           absl::string_view value);

// The integer field at `offset` of value record `bytes`, as text.
std::string FieldValueText(const Field& field, uint32_t offset,
                           absl::string_view bytes);

// `schema --json` for a typed store: {"store":..,"kind":"typed","key":R,
// "value":R,"fingerprint":"<16 hex digits>"}, each R {"name":..,"size":..,
// "align":..,"fields":[F...]} and each F {"name":..,"type":TypeText,
// "offset":..,"size":..} plus "fields":[F...] for a struct. A scalar
// record's one field has the name "".
std::string SchemaJson(absl::string_view store, const Schema& schema);

}  // namespace cli
}  // namespace kvstore

#endif  // CLI_TYPED_FORMAT_H_
