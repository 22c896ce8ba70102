// The one JSON codec of kvstore: the escaper and number formats behind every
// JSON text the library and the command-line tool write, and the parser
// behind every JSON text they read (typed records, schema.h). Internal: the
// library, the tool (cli/), tests and fuzzers use it; users do not.
//
//   JsonObject o;
//   o.AddString("key", "a\nb").AddRaw("value", JsonDouble(0.5));
//   o.Build();  // {"key":"a\nb","value":0.5}
//
//   absl::StatusOr<JsonValue> v = ParseJson(R"({"x":1})");
//   v->Find("x")->text;  // "1"
//
// Escaping (docs/cli.md, "JSON output"): '"' and '\\' as \" and \\; the
// control characters U+0000 to U+001F as \b \f \n \r \t where JSON has a
// short form and \u00XX otherwise; U+007F and U+0080 to U+009F (the other
// control characters) as \u00XX too; other valid UTF-8 as it is; every byte
// that is not part of valid UTF-8 as U+FFFD. The output is always valid
// UTF-8 and valid JSON.
#ifndef KVSTORE_INTERNAL_JSON_H_
#define KVSTORE_INTERNAL_JSON_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace kvstore {
namespace internal {

// ---- Writing ----

// Length of the valid UTF-8 sequence at the start of `s` (1 for an ASCII
// byte), or 0 if it does not start with one (or is empty). Overlong forms,
// surrogates and code points above U+10FFFF are not valid.
size_t Utf8SequenceLength(absl::string_view s);

// Appends `s` as a JSON string literal, quotes included (rules above).
void AppendJsonString(absl::string_view s, std::string* out);
std::string JsonString(absl::string_view s);

// A finite double as a JSON number (FormatDoubleText: the shortest text
// that reads back as `d`); NaN and the infinities, which JSON cannot hold,
// as the strings "nan", "inf" and "-inf".
std::string JsonDouble(double d);
// The same for a float: the shortest text that reads back as `f`.
std::string JsonFloat(float f);

// Builds one JSON object, members in the order added.
class JsonObject {
 public:
  JsonObject& AddString(absl::string_view name, absl::string_view value);
  JsonObject& AddInt(absl::string_view name, int64_t value);
  JsonObject& AddUint(absl::string_view name, uint64_t value);
  JsonObject& AddBool(absl::string_view name, bool value);
  JsonObject& AddNull(absl::string_view name);
  // REQUIRES: `json` is one valid JSON value.
  JsonObject& AddRaw(absl::string_view name, absl::string_view json);

  std::string Build() const { return "{" + members_ + "}"; }

 private:
  std::string members_;
};

// ---- Reading ----

// The JSON the library reads: records, which hold no arrays.
struct JsonValue {
  enum Kind { kNull, kBool, kNumber, kString, kObject, kPlain };
  Kind kind = kNull;
  // kBool: "true" or "false"; kNumber: the token as written (so that an
  // integer field can check its exact range); kString: the decoded text;
  // kPlain: text not yet given a type (not JSON: an assignment's value).
  std::string text;
  std::vector<std::pair<std::string, JsonValue>> members;  // kObject

  // The member called `name`, or nullptr.
  const JsonValue* Find(absl::string_view name) const;
};

// The deepest nesting of objects ParseJson accepts.
inline constexpr int kMaxJsonDepth = 16;

// Parses `text` as exactly one JSON value (RFC 8259; whitespace around it
// allowed). Stricter than RFC 8259 where records need it: arrays are
// refused (no field type takes one), so are a name repeated in an object
// and objects nested deeper than kMaxJsonDepth. Bytes of a string that are
// not valid UTF-8 are kept as they are (a FixedString holds bytes).
// INVALID_ARGUMENT "bad JSON at offset N: why", N the byte offset of the
// problem in `text`.
absl::StatusOr<JsonValue> ParseJson(absl::string_view text);

// True if `s` is exactly one JSON number token (RFC 8259: no '+', no
// leading zeros, digits on both sides of a '.').
bool IsJsonNumber(absl::string_view s);

}  // namespace internal
}  // namespace kvstore

#endif  // KVSTORE_INTERNAL_JSON_H_
