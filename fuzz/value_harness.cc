#include "fuzz/value_harness.h"

#include <cmath>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "kvstore/value.h"

namespace kvstore {
namespace fuzz {
namespace {

bool IsNan(const Value& v) {
  return v.type() == ValueType::kDouble && std::isnan(v.AsDouble());
}

// Parsing a value's text gives the value back (a NaN gives some NaN).
std::string CheckRoundTrip(const Value& v) {
  if (v.type() == ValueType::kRecord) return "";
  const std::string text = v.ToText();
  absl::StatusOr<Value> back = Value::Parse(v.type(), text);
  if (!back.ok()) {
    return absl::StrCat("Parse(", ValueTypeName(v.type()), ", ToText()) of '",
                        absl::CHexEscape(text),
                        "' failed: ", back.status().message());
  }
  if (IsNan(v) ? !IsNan(*back) : *back != v) {
    return absl::StrCat(
        "Parse(", ValueTypeName(v.type()), ", '", absl::CHexEscape(text),
        "') is not the value printed (payload '", absl::CHexEscape(v.encoded()),
        "' became '", absl::CHexEscape(back->encoded()), "')");
  }
  return "";
}

}  // namespace

std::string RunValueInput(const uint8_t* data, size_t size) {
  if (size == 0) return "";
  const uint8_t raw = data[0];
  const absl::string_view rest(reinterpret_cast<const char*>(data + 1),
                               size - 1);

  // Text parsing.
  const auto type = static_cast<ValueType>(raw % 7);
  absl::StatusOr<Value> parsed = Value::Parse(type, rest);
  if (parsed.ok()) {
    if (parsed->type() != type) return "Parse returned another type";
    if ((type == ValueType::kString || type == ValueType::kBytes) &&
        parsed->ToText() != rest) {
      return "string or bytes do not print as parsed";
    }
    std::string problem = CheckRoundTrip(*parsed);
    if (!problem.empty()) return problem;
  }
  (void)ParseValueType(rest);
  (void)ValueTypeName(static_cast<ValueType>(raw));

  // Stored payloads: any type byte, any bytes.
  absl::StatusOr<Value> decoded =
      Value::FromEncoded(static_cast<ValueType>(raw), rest);
  if (decoded.ok()) {
    if (!PayloadFitsType(raw, rest.size())) {
      return absl::StrCat("FromEncoded accepted type ", int{raw}, " with ",
                          rest.size(), " bytes, which PayloadFitsType refuses");
    }
    if (decoded->encoded() != rest) return "FromEncoded changed the payload";
    std::string problem = CheckRoundTrip(*decoded);
    if (!problem.empty()) return problem;
  }
  return "";
}

}  // namespace fuzz
}  // namespace kvstore
