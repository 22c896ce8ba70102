// The one switch from an integer FieldType to its C++ type, for every place
// that reads, writes or adds to an integer field of a record.
//
//   int64_t v = WithIntegerType(FieldType::kInt16, [&](auto zero) {
//     decltype(zero) x;
//     std::memcpy(&x, p, sizeof(x));
//     return int64_t{x};
//   });
#ifndef KVSTORE_INTERNAL_INTEGER_FIELD_H_
#define KVSTORE_INTERNAL_INTEGER_FIELD_H_

#include <cstdint>

#include "kvstore/schema.h"

namespace kvstore {
namespace internal {

// Returns f(T{}) with T the C++ type of `type`.
// REQUIRES: IsIntegerFieldType(type) (an enum's Field::underlying is).
template <typename F>
decltype(auto) WithIntegerType(FieldType type, F&& f) {
  switch (type) {
    case FieldType::kInt8:
      return f(int8_t{});
    case FieldType::kInt16:
      return f(int16_t{});
    case FieldType::kInt32:
      return f(int32_t{});
    case FieldType::kInt64:
      return f(int64_t{});
    case FieldType::kUint8:
      return f(uint8_t{});
    case FieldType::kUint16:
      return f(uint16_t{});
    case FieldType::kUint32:
      return f(uint32_t{});
    default:
      return f(uint64_t{});
  }
}

}  // namespace internal
}  // namespace kvstore

#endif  // KVSTORE_INTERNAL_INTEGER_FIELD_H_
