#include "kvstore/value.h"

#include <cmath>
#include <cstring>
#include <limits>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "kvstore/double_text.h"

namespace kvstore {
namespace {

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "the encoding is little-endian; a plain copy is only right "
              "on a little-endian machine");

std::string EncodeFixed64(uint64_t v) {
  return std::string(reinterpret_cast<const char*>(&v), sizeof(v));
}

uint64_t DecodeFixed64(absl::string_view s) {
  uint64_t v;
  std::memcpy(&v, s.data(), sizeof(v));
  return v;
}

}  // namespace

absl::string_view ValueTypeName(ValueType type) {
  switch (type) {
    case ValueType::kString:
      return "string";
    case ValueType::kBytes:
      return "bytes";
    case ValueType::kInt64:
      return "int64";
    case ValueType::kDouble:
      return "double";
    case ValueType::kBool:
      return "bool";
    case ValueType::kRecord:
      return "record";
  }
  return "unknown";
}

absl::StatusOr<ValueType> ParseValueType(absl::string_view name) {
  for (ValueType t : {ValueType::kString, ValueType::kBytes, ValueType::kInt64,
                      ValueType::kDouble, ValueType::kBool}) {
    if (name == ValueTypeName(t)) return t;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown type '", name,
                   "' (expected string, bytes, int64, double or bool)"));
}

Value Value::String(absl::string_view s) {
  return Value(ValueType::kString, std::string(s));
}
Value Value::Bytes(absl::string_view b) {
  return Value(ValueType::kBytes, std::string(b));
}
Value Value::Int64(int64_t v) {
  return Value(ValueType::kInt64, EncodeFixed64(static_cast<uint64_t>(v)));
}
Value Value::Double(double v) {
  uint64_t bits;
  std::memcpy(&bits, &v, sizeof(bits));
  return Value(ValueType::kDouble, EncodeFixed64(bits));
}
Value Value::Record(absl::string_view bytes) {
  return Value(ValueType::kRecord, std::string(bytes));
}
Value Value::Bool(bool v) {
  return Value(ValueType::kBool, std::string(1, v ? '\1' : '\0'));
}

int64_t Value::AsInt64() const {
  return static_cast<int64_t>(DecodeFixed64(payload_));
}

double Value::AsDouble() const {
  uint64_t bits = DecodeFixed64(payload_);
  double v;
  std::memcpy(&v, &bits, sizeof(v));
  return v;
}

bool Value::AsBool() const { return payload_[0] != 0; }

absl::StatusOr<Value> Value::Parse(ValueType type, absl::string_view text) {
  switch (type) {
    case ValueType::kString:
      return String(text);
    case ValueType::kBytes:
      return Bytes(text);
    case ValueType::kRecord:
      return absl::InvalidArgumentError(
          "a record is written field by field through its store's schema");
    case ValueType::kInt64: {
      int64_t v;
      if (!absl::SimpleAtoi(text, &v) || text.empty() ||
          absl::ascii_isspace(static_cast<unsigned char>(text.front())) ||
          absl::ascii_isspace(static_cast<unsigned char>(text.back()))) {
        return absl::InvalidArgumentError(absl::StrCat(
            "'", text, "' is not an int64 (a decimal integer from ",
            std::numeric_limits<int64_t>::min(), " to ",
            std::numeric_limits<int64_t>::max(), ")"));
      }
      return Int64(v);
    }
    case ValueType::kDouble: {
      absl::StatusOr<double> v = ParseDoubleText(text);
      if (!v.ok()) return v.status();
      return Double(*v);
    }
    case ValueType::kBool: {
      // One rule everywhere, as in JSON and typed records: true or false.
      if (text == "true") return Bool(true);
      if (text == "false") return Bool(false);
      return absl::InvalidArgumentError(
          absl::StrCat("'", text, "' is not a bool (expected true or false)"));
    }
  }
  return absl::InvalidArgumentError("unknown value type");
}

absl::StatusOr<Value> Value::FromEncoded(ValueType type,
                                         absl::string_view payload) {
  size_t want = 0;
  switch (type) {
    case ValueType::kString:
    case ValueType::kBytes:
    case ValueType::kRecord:
      return Value(type, std::string(payload));
    case ValueType::kInt64:
    case ValueType::kDouble:
      want = 8;
      break;
    case ValueType::kBool:
      want = 1;
      break;
    default:
      return absl::DataLossError(absl::StrCat("stored value has unknown type ",
                                              static_cast<int>(type)));
  }
  if (payload.size() != want ||
      (type == ValueType::kBool && static_cast<uint8_t>(payload[0]) > 1)) {
    return absl::DataLossError(absl::StrCat("stored ", ValueTypeName(type),
                                            " value has ", payload.size(),
                                            " bytes, expected ", want));
  }
  return Value(type, std::string(payload));
}

std::string Value::ToText() const {
  switch (type_) {
    case ValueType::kString:
    case ValueType::kBytes:
    case ValueType::kRecord:
      return payload_;
    case ValueType::kInt64:
      return absl::StrCat(AsInt64());
    case ValueType::kDouble:
      return FormatDoubleText(AsDouble());
    case ValueType::kBool:
      return AsBool() ? "true" : "false";
  }
  return "";
}

}  // namespace kvstore
