// Schemas of typed stores: what the fields of a key or value type are called,
// what types they have and where they sit, recorded in the store so that
// every process (and the command-line tool) reads the bytes the same way.
//
//   struct Visit {
//     uint64_t hits;
//     int64_t last_ns;
//     kvstore::FixedString<16> page;
//   };
//   KVSTORE_FIELDS(Visit, hits, last_ns, page);  // Next to the struct.
//
//   const kvstore::RecordSchema& s = kvstore::SchemaOf<Visit>();
//   s.Find("hits", &offset)->type;  // FieldType::kUint64
//
// Records as JSON and text (RecordToJson, ParseRecord) are in
// record_codec.h.
//
// Supported field types: int8_t..int64_t, uint8_t..uint64_t, enums (stored
// as their underlying integer), float, double, bool, FixedString<N>, and
// structs described with KVSTORE_FIELDS. A key or value type is either one
// of those scalars or a described struct. docs/typed_stores.md gives the
// encoding of a schema byte by byte.
#ifndef KVSTORE_SCHEMA_H_
#define KVSTORE_SCHEMA_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "kvstore/fixed_string.h"
#include "kvstore/schema_macros.h"

namespace kvstore {

// The type of one field. The numbers are part of the schema encoding.
enum class FieldType : uint8_t {
  kInt8 = 1,
  kInt16 = 2,
  kInt32 = 3,
  kInt64 = 4,
  kUint8 = 5,
  kUint16 = 6,
  kUint32 = 7,
  kUint64 = 8,
  kFloat = 9,    // IEEE-754 binary32.
  kDouble = 10,  // IEEE-754 binary64.
  kBool = 11,    // One byte, 0 or 1.
  kEnum = 12,    // An enum; Field::underlying is its integer type.
  kChars = 13,   // FixedString<size>: text up to the first NUL or `size`.
  kStruct = 14,  // A described struct; Field::fields are its fields.
};

// "int8" .. "uint64", "float", "double", "bool", "enum", "chars", "struct".
absl::string_view FieldTypeName(FieldType type);

// True for kInt8..kUint64 (the types AddToField works on; not enums).
bool IsIntegerFieldType(FieldType type);

struct Field {
  std::string name;  // Empty only for the single field of a scalar record.
  FieldType type = FieldType::kInt8;
  uint32_t offset = 0;  // From the start of the enclosing record.
  uint32_t size = 0;
  uint32_t align = 1;
  FieldType underlying = FieldType::kInt8;  // kEnum only.
  std::string type_name;      // kEnum and kStruct: the C++ type's name.
  std::vector<Field> fields;  // kStruct only, offsets relative to it.

  // "uint64", "FixedString<16>", "enum Color : int32", "Point".
  std::string TypeText() const;
};

// The layout of one key or value type.
struct RecordSchema {
  std::string name;    // "Visit", or a scalar's TypeText(), e.g. "uint64".
  uint32_t size = 0;   // sizeof the type.
  uint32_t align = 1;  // alignof the type.
  // A struct's fields in declaration order, or for a scalar type one field
  // with an empty name at offset 0 covering the whole record.
  std::vector<Field> fields;

  // True for a scalar type (an integer, enum, float, bool, FixedString).
  bool scalar() const { return fields.size() == 1 && fields[0].name.empty(); }

  // The field at a dotted path ("hits", "pos.x"), or nullptr. `offset`
  // receives its offset from the start of the record.
  const Field* Find(absl::string_view path, uint32_t* offset) const;
};

// The schema of a typed store: its key and value layouts.
struct Schema {
  RecordSchema key;
  RecordSchema value;

  // The canonical encoding recorded in the store (docs/typed_stores.md).
  // Equal schemas, and only those, have equal encodings.
  std::string Encode() const;

  // Decodes and validates an encoding. Returns DATA_LOSS naming the first
  // problem (bad magic or version, truncation, trailing bytes, an unknown
  // type, a size that does not fit its type, a field outside its record,
  // overlapping or misaligned fields, a bad or duplicate name, nesting
  // deeper than 8).
  static absl::StatusOr<Schema> Decode(absl::string_view bytes);

  // XXH3-64 (seed 0) of Encode(), as the store's header records it.
  uint64_t Fingerprint() const;

  // A listing for people (`kvstore schema`): one line for the key and
  // value types, then one per field, indented by nesting, e.g.
  //   key: uint64 (8 bytes)
  //   value: Visit (32 bytes, align 8)
  //     hits     uint64           offset 0   size 8
  std::string ToText() const;

  friend bool operator==(const Schema& a, const Schema& b) {
    return a.Encode() == b.Encode();
  }
  friend bool operator!=(const Schema& a, const Schema& b) { return !(a == b); }
};

// Two schemas' ToText() in two columns headed by the titles, lines that
// differ marked with '!' — the body of a schema mismatch error.
std::string SideBySide(const Schema& left, absl::string_view left_title,
                       const Schema& right, absl::string_view right_title);

// ---- Describing types ----

namespace schema_internal {

template <typename T>
inline constexpr bool kAlwaysFalse = false;

// The type's name as the compiler spells it, from __PRETTY_FUNCTION__.
std::string NameFromSignature(absl::string_view signature);
template <typename T>
std::string TypeName() {
  return NameFromSignature(__PRETTY_FUNCTION__);
}

template <typename T>
constexpr FieldType IntegerType() {
  static_assert(sizeof(T) <= 8 && !std::is_same_v<T, bool>);
  constexpr int kLog2 = sizeof(T) == 1   ? 0
                        : sizeof(T) == 2 ? 1
                        : sizeof(T) == 4 ? 2
                                         : 3;
  return static_cast<FieldType>((std::is_signed_v<T> ? 1 : 5) + kLog2);
}

RecordSchema MakeStruct(const char* name, size_t size, size_t align,
                        std::vector<Field> fields);
RecordSchema MakeScalar(Field field);

// The Field for type F, with an empty name at offset 0.
template <typename F>
Field TypeField() {
  Field f;
  f.size = sizeof(F);
  f.align = alignof(F);
  if constexpr (std::is_same_v<F, bool>) {
    f.type = FieldType::kBool;
  } else if constexpr (std::is_enum_v<F>) {
    f.type = FieldType::kEnum;
    f.underlying = IntegerType<std::underlying_type_t<F>>();
    f.type_name = TypeName<F>();
  } else if constexpr (std::is_integral_v<F>) {
    f.type = IntegerType<F>();
  } else if constexpr (std::is_same_v<F, float>) {
    f.type = FieldType::kFloat;
  } else if constexpr (std::is_same_v<F, double>) {
    f.type = FieldType::kDouble;
  } else if constexpr (IsFixedString<F>::value) {
    f.type = FieldType::kChars;
  } else if constexpr (HasDescription<F>::value) {
    RecordSchema r = KvstoreDescribe(static_cast<const F*>(nullptr));
    f.type = FieldType::kStruct;
    f.type_name = std::move(r.name);
    f.fields = std::move(r.fields);
  } else {
    static_assert(kAlwaysFalse<F>,
                  "unsupported field type: use an integer, enum, float, "
                  "double, bool, FixedString<N> or a struct described with "
                  "KVSTORE_FIELDS");
  }
  return f;
}

template <typename F>
Field FieldOf(const char* name, size_t offset) {
  Field f = TypeField<F>();
  f.name = name;
  f.offset = static_cast<uint32_t>(offset);
  return f;
}

template <typename T>
RecordSchema Describe() {
  static_assert(std::is_trivially_copyable_v<T>,
                "typed store keys and values must be trivially copyable");
  if constexpr (HasDescription<T>::value) {
    return KvstoreDescribe(static_cast<const T*>(nullptr));
  } else {
    return MakeScalar(TypeField<T>());
  }
}

}  // namespace schema_internal

// The schema of T: a scalar type's built-in one, or the one KVSTORE_FIELDS
// declared next to struct T (found by argument-dependent lookup). Compile
// error for anything else.
template <typename T>
const RecordSchema& SchemaOf() {
  static const RecordSchema* const schema =
      new RecordSchema(schema_internal::Describe<T>());
  return *schema;
}

}  // namespace kvstore

// Describes the fields of `Type` for typed stores. Place it in the struct's
// namespace, after the struct, listing every field in declaration order:
//
//   struct Point { int32_t x; int32_t y; };
//   KVSTORE_FIELDS(Point, x, y);
//
// Compile errors, not runtime ones, when `Type` is not trivially copyable
// and standard-layout, when a field has an unsupported type, or when the
// listed fields leave a gap the compiler would not have left (a field
// missing or out of order; a missing field that fits in padding cannot be
// noticed). Up to 32 fields.
#define KVSTORE_FIELDS(Type, ...)                                             \
  inline ::kvstore::RecordSchema KvstoreDescribe(const Type*) {               \
    static_assert(::kvstore::schema_internal::kDescribable<Type>,             \
                  #Type " must be trivially copyable and standard-layout");   \
    constexpr ::kvstore::schema_internal::Span kSpans[] = {                   \
        KVSTORE_INTERNAL_FOR_EACH(KVSTORE_INTERNAL_SPAN, Type, __VA_ARGS__)}; \
    static_assert(::kvstore::schema_internal::ListsEveryField(                \
                      kSpans, sizeof(kSpans) / sizeof(kSpans[0]),             \
                      sizeof(Type), alignof(Type)),                           \
                  "KVSTORE_FIELDS(" #Type                                     \
                  ", ...) must list every field in declaration order");       \
    return ::kvstore::schema_internal::MakeStruct(                            \
        #Type, sizeof(Type), alignof(Type),                                   \
        {KVSTORE_INTERNAL_FOR_EACH(KVSTORE_INTERNAL_FIELD, Type,              \
                                   __VA_ARGS__)});                            \
  }                                                                           \
  static_assert(true, "")

#endif  // KVSTORE_SCHEMA_H_
