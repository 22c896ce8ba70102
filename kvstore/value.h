// A typed value as stored in a kvstore: a type tag and its payload.
//
//   kvstore::Value v = kvstore::Value::Int64(42);
//   if (v.type() == kvstore::ValueType::kInt64) use(v.AsInt64());
//
// Every entry in a store carries its type, so processes cannot misread each
// other's bytes: reading an int64 entry as a string is an error, not a
// reinterpretation.
#ifndef KVSTORE_VALUE_H_
#define KVSTORE_VALUE_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace kvstore {

namespace internal {
class Table;
}  // namespace internal

// The type of a stored value. The numbers are part of the segment format.
enum class ValueType : uint8_t {
  kString = 1,  // Text (any bytes, conventionally UTF-8).
  kBytes = 2,   // Opaque bytes.
  kInt64 = 3,   // Signed 64-bit integer.
  kDouble = 4,  // IEEE-754 binary64.
  kBool = 5,    // true or false.
  kRecord = 6,  // A typed store's fixed-size value record (its layout is the
                // store's schema); never stored in a tagged store.
};

// "string", "bytes", "int64", "double", "bool" or "record".
absl::string_view ValueTypeName(ValueType type);

// Parses a name produced by ValueTypeName. Returns INVALID_ARGUMENT naming
// the accepted types for anything else.
absl::StatusOr<ValueType> ParseValueType(absl::string_view name);

// Returns true if `raw` is the number of a ValueType.
inline bool IsValidValueType(uint8_t raw) { return raw >= 1 && raw <= 6; }

// Returns true if a payload of `size` bytes is valid for the type `raw`
// (8 for int64 and double, 1 for bool, any size otherwise). Inline: every
// read checks it.
inline bool PayloadFitsType(uint8_t raw, size_t size) {
  switch (static_cast<ValueType>(raw)) {
    case ValueType::kInt64:
    case ValueType::kDouble:
      return size == 8;
    case ValueType::kBool:
      return size == 1;
    default:
      return IsValidValueType(raw);
  }
}

class Value {
 public:
  // An empty string.
  Value() : type_(ValueType::kString) {}

  static Value String(absl::string_view s);
  static Value Bytes(absl::string_view b);
  static Value Int64(int64_t v);
  static Value Double(double v);
  static Value Bool(bool v);
  // The raw bytes of a typed store's value record.
  static Value Record(absl::string_view bytes);

  // Parses `text` as a value of `type`: decimal for int64 (the whole text,
  // in range); for double, a decimal or exponent number, "inf", "-inf" or
  // "nan" (no hexadecimal, no other spelling; the grammar is in
  // docs/cli.md, "Values"); "true" or "false" for bool (as in JSON and
  // typed records); the text itself for string and bytes. Returns
  // INVALID_ARGUMENT saying why the text does not parse, OUT_OF_RANGE for
  // a double too large (1e400) or a nonzero one too small (1e-400).
  static absl::StatusOr<Value> Parse(ValueType type, absl::string_view text);

  // Rebuilds a value from its stored encoding. Returns DATA_LOSS if the
  // payload size does not fit the type.
  static absl::StatusOr<Value> FromEncoded(ValueType type,
                                           absl::string_view payload);

  ValueType type() const { return type_; }

  // The stored encoding: the bytes for string and bytes, 8 little-endian
  // bytes for int64 and double, one byte (0 or 1) for bool.
  const std::string& encoded() const { return payload_; }

  // The bytes of a string, bytes or record value (a record's bytes are its
  // fixed-size layout, kvstore/schema.h).
  // REQUIRES: type() is ValueType::kString, kBytes or kRecord.
  absl::string_view AsString() const { return payload_; }
  // REQUIRES (each): type() is the one named.
  int64_t AsInt64() const;
  double AsDouble() const;
  bool AsBool() const;

  // Text for display: strings and bytes raw, numbers in decimal (doubles
  // with enough digits to round-trip), bools as "true"/"false".
  std::string ToText() const;

  friend bool operator==(const Value& a, const Value& b) {
    return a.type_ == b.type_ && a.payload_ == b.payload_;
  }
  friend bool operator!=(const Value& a, const Value& b) { return !(a == b); }

 private:
  friend class internal::Table;  // Fills values in place on the read path.

  Value(ValueType type, std::string payload)
      : type_(type), payload_(std::move(payload)) {}

  ValueType type_;
  std::string payload_;
};

}  // namespace kvstore

#endif  // KVSTORE_VALUE_H_
