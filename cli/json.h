// JSON text for the kvstore tool's --json output.
//
//   JsonObject o;
//   o.AddString("key", "greeting").AddRaw("value", "42");
//   std::string text = o.Build();  // {"key":"greeting","value":42}
#ifndef CLI_JSON_H_
#define CLI_JSON_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace kvstore {
namespace cli {

// Length of the valid UTF-8 sequence at the start of `s` (1 for an ASCII
// byte), or 0 if it does not start with one (or is empty).
size_t Utf8SequenceLength(absl::string_view s);

// `s` as a JSON string literal, quotes included. Escapes '"', '\\' and
// control characters; valid UTF-8 passes through; every byte that is not
// part of valid UTF-8 becomes U+FFFD (store such data as type bytes).
std::string JsonString(absl::string_view s);

// A finite double as a JSON number with enough digits to round-trip;
// NaN and infinities, which JSON cannot hold, as the strings "nan", "inf"
// and "-inf".
std::string JsonDouble(double d);

// Standard base64 (RFC 4648, with '=' padding).
std::string Base64Encode(absl::string_view data);

// Builds one JSON object, members in the order added.
class JsonObject {
 public:
  JsonObject& AddString(absl::string_view name, absl::string_view value);
  JsonObject& AddInt(absl::string_view name, int64_t value);
  JsonObject& AddUint(absl::string_view name, uint64_t value);
  JsonObject& AddBool(absl::string_view name, bool value);
  JsonObject& AddNull(absl::string_view name);
  // `json` must already be valid JSON text.
  JsonObject& AddRaw(absl::string_view name, absl::string_view json);

  std::string Build() const { return "{" + members_ + "}"; }

 private:
  std::string members_;
};

}  // namespace cli
}  // namespace kvstore

#endif  // CLI_JSON_H_
