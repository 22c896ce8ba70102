// Key and value types shared by the typed-store tests: one of every
// supported field type, a nested struct, and a padding-free key struct;
// and the options they create their stores with.
#ifndef KVSTORE_TESTS_TYPED_TEST_TYPES_H_
#define KVSTORE_TESTS_TYPED_TEST_TYPES_H_

#include <cstdint>

#include "kvstore/fixed_string.h"
#include "kvstore/options.h"
#include "kvstore/schema.h"

namespace kvstore_test {

// Options that create the store when it is missing, for `capacity`
// entries.
inline kvstore::Options Create(uint64_t capacity = 256) {
  kvstore::Options o;
  o.create_if_missing = true;
  o.capacity = capacity;
  return o;
}

enum class Color : uint8_t { kRed = 1, kGreen = 2, kBlue = 3 };

struct Point {
  int32_t x;
  int32_t y;
};
KVSTORE_FIELDS(Point, x, y);

// Every field type; has padding (after i8, u8, f, name and pos).
struct AllTypes {
  int8_t i8;
  int16_t i16;
  int32_t i32;
  int64_t i64;
  uint8_t u8;
  uint16_t u16;
  uint32_t u32;
  uint64_t u64;
  float f;
  double d;
  bool b;
  Color color;
  kvstore::FixedString<16> name;
  Point pos;
};
KVSTORE_FIELDS(AllTypes, i8, i16, i32, i64, u8, u16, u32, u64, f, d, b, color,
               name, pos);

// A key struct without padding.
struct UserKey {
  uint32_t tenant;
  uint32_t user;
};
KVSTORE_FIELDS(UserKey, tenant, user);

// A small record, as in the benchmark.
struct Counter {
  uint64_t hits;
  int64_t last_ns;
};
KVSTORE_FIELDS(Counter, hits, last_ns);

}  // namespace kvstore_test

#endif  // KVSTORE_TESTS_TYPED_TEST_TYPES_H_
