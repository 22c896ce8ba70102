// Preprocessor and compile-time helpers behind KVSTORE_FIELDS (schema.h).
// Not for direct use.
#ifndef KVSTORE_SCHEMA_MACROS_H_
#define KVSTORE_SCHEMA_MACROS_H_

#include <cstddef>
#include <type_traits>

namespace kvstore {
namespace schema_internal {

// Where one listed field sits in its struct.
struct Span {
  size_t offset;
  size_t size;
  size_t align;
};

constexpr size_t RoundUp(size_t n, size_t align) {
  return (n + align - 1) / align * align;
}

// True if a struct of `size` and `align` bytes is exactly what the compiler
// lays out for `spans` in order: each field at the first offset its
// alignment allows after the previous one, and the size rounded up to the
// struct's alignment after the last. A field missing from the list (unless
// it hides in padding) or listed out of order breaks this.
constexpr bool ListsEveryField(const Span* spans, size_t n, size_t size,
                               size_t align) {
  size_t end = 0;
  for (size_t i = 0; i < n; ++i) {
    if (spans[i].offset != RoundUp(end, spans[i].align)) return false;
    end = spans[i].offset + spans[i].size;
  }
  return RoundUp(end, align) == size;
}

template <typename T>
inline constexpr bool kDescribable =
    std::is_trivially_copyable_v<T>&& std::is_standard_layout_v<T>;

// Declared so that the unqualified calls below name a function; the real
// ones are found by argument-dependent lookup.
void KvstoreDescribe();

template <typename T, typename = void>
struct HasDescription : std::false_type {};
template <typename T>
struct HasDescription<
    T, std::void_t<decltype(KvstoreDescribe(static_cast<const T*>(nullptr)))>>
    : std::true_type {};

}  // namespace schema_internal
}  // namespace kvstore

#define KVSTORE_INTERNAL_SPAN(T, x)                              \
  ::kvstore::schema_internal::Span{offsetof(T, x), sizeof(T::x), \
                                   alignof(decltype(T::x))},
#define KVSTORE_INTERNAL_FIELD(T, x) \
  ::kvstore::schema_internal::FieldOf<decltype(T::x)>(#x, offsetof(T, x)),

// KVSTORE_INTERNAL_FOR_EACH(m, t, a, b, c) expands to m(t, a) m(t, b) m(t, c)
// (up to 32 arguments).
#define KVSTORE_INTERNAL_CAT(a, b) KVSTORE_INTERNAL_CAT_(a, b)
#define KVSTORE_INTERNAL_CAT_(a, b) a##b
#define KVSTORE_INTERNAL_NARGS(...)                                            \
  KVSTORE_INTERNAL_NARGS_(__VA_ARGS__, 32, 31, 30, 29, 28, 27, 26, 25, 24, 23, \
                          22, 21, 20, 19, 18, 17, 16, 15, 14, 13, 12, 11, 10,  \
                          9, 8, 7, 6, 5, 4, 3, 2, 1)
#define KVSTORE_INTERNAL_NARGS_(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, \
                                _12, _13, _14, _15, _16, _17, _18, _19, _20,  \
                                _21, _22, _23, _24, _25, _26, _27, _28, _29,  \
                                _30, _31, _32, n, ...)                        \
  n
#define KVSTORE_INTERNAL_FOR_EACH(m, t, ...)                \
  KVSTORE_INTERNAL_CAT(KVSTORE_INTERNAL_EACH_,              \
                       KVSTORE_INTERNAL_NARGS(__VA_ARGS__)) \
  (m, t, __VA_ARGS__)
#define KVSTORE_INTERNAL_EACH_1(m, t, x) m(t, x)
#define KVSTORE_INTERNAL_EACH_2(m, t, x, ...) \
  m(t, x) KVSTORE_INTERNAL_EACH_1(m, t, __VA_ARGS__)
#define KVSTORE_INTERNAL_EACH_3(m, t, x, ...) \
  m(t, x) KVSTORE_INTERNAL_EACH_2(m, t, __VA_ARGS__)
#define KVSTORE_INTERNAL_EACH_4(m, t, x, ...) \
  m(t, x) KVSTORE_INTERNAL_EACH_3(m, t, __VA_ARGS__)
#define KVSTORE_INTERNAL_EACH_5(m, t, x, ...) \
  m(t, x) KVSTORE_INTERNAL_EACH_4(m, t, __VA_ARGS__)
#define KVSTORE_INTERNAL_EACH_6(m, t, x, ...) \
  m(t, x) KVSTORE_INTERNAL_EACH_5(m, t, __VA_ARGS__)
#define KVSTORE_INTERNAL_EACH_7(m, t, x, ...) \
  m(t, x) KVSTORE_INTERNAL_EACH_6(m, t, __VA_ARGS__)
#define KVSTORE_INTERNAL_EACH_8(m, t, x, ...) \
  m(t, x) KVSTORE_INTERNAL_EACH_7(m, t, __VA_ARGS__)
#define KVSTORE_INTERNAL_EACH_9(m, t, x, ...) \
  m(t, x) KVSTORE_INTERNAL_EACH_8(m, t, __VA_ARGS__)
#define KVSTORE_INTERNAL_EACH_10(m, t, x, ...) \
  m(t, x) KVSTORE_INTERNAL_EACH_9(m, t, __VA_ARGS__)
#define KVSTORE_INTERNAL_EACH_11(m, t, x, ...) \
  m(t, x) KVSTORE_INTERNAL_EACH_10(m, t, __VA_ARGS__)
#define KVSTORE_INTERNAL_EACH_12(m, t, x, ...) \
  m(t, x) KVSTORE_INTERNAL_EACH_11(m, t, __VA_ARGS__)
#define KVSTORE_INTERNAL_EACH_13(m, t, x, ...) \
  m(t, x) KVSTORE_INTERNAL_EACH_12(m, t, __VA_ARGS__)
#define KVSTORE_INTERNAL_EACH_14(m, t, x, ...) \
  m(t, x) KVSTORE_INTERNAL_EACH_13(m, t, __VA_ARGS__)
#define KVSTORE_INTERNAL_EACH_15(m, t, x, ...) \
  m(t, x) KVSTORE_INTERNAL_EACH_14(m, t, __VA_ARGS__)
#define KVSTORE_INTERNAL_EACH_16(m, t, x, ...) \
  m(t, x) KVSTORE_INTERNAL_EACH_15(m, t, __VA_ARGS__)
#define KVSTORE_INTERNAL_EACH_17(m, t, x, ...) \
  m(t, x) KVSTORE_INTERNAL_EACH_16(m, t, __VA_ARGS__)
#define KVSTORE_INTERNAL_EACH_18(m, t, x, ...) \
  m(t, x) KVSTORE_INTERNAL_EACH_17(m, t, __VA_ARGS__)
#define KVSTORE_INTERNAL_EACH_19(m, t, x, ...) \
  m(t, x) KVSTORE_INTERNAL_EACH_18(m, t, __VA_ARGS__)
#define KVSTORE_INTERNAL_EACH_20(m, t, x, ...) \
  m(t, x) KVSTORE_INTERNAL_EACH_19(m, t, __VA_ARGS__)
#define KVSTORE_INTERNAL_EACH_21(m, t, x, ...) \
  m(t, x) KVSTORE_INTERNAL_EACH_20(m, t, __VA_ARGS__)
#define KVSTORE_INTERNAL_EACH_22(m, t, x, ...) \
  m(t, x) KVSTORE_INTERNAL_EACH_21(m, t, __VA_ARGS__)
#define KVSTORE_INTERNAL_EACH_23(m, t, x, ...) \
  m(t, x) KVSTORE_INTERNAL_EACH_22(m, t, __VA_ARGS__)
#define KVSTORE_INTERNAL_EACH_24(m, t, x, ...) \
  m(t, x) KVSTORE_INTERNAL_EACH_23(m, t, __VA_ARGS__)
#define KVSTORE_INTERNAL_EACH_25(m, t, x, ...) \
  m(t, x) KVSTORE_INTERNAL_EACH_24(m, t, __VA_ARGS__)
#define KVSTORE_INTERNAL_EACH_26(m, t, x, ...) \
  m(t, x) KVSTORE_INTERNAL_EACH_25(m, t, __VA_ARGS__)
#define KVSTORE_INTERNAL_EACH_27(m, t, x, ...) \
  m(t, x) KVSTORE_INTERNAL_EACH_26(m, t, __VA_ARGS__)
#define KVSTORE_INTERNAL_EACH_28(m, t, x, ...) \
  m(t, x) KVSTORE_INTERNAL_EACH_27(m, t, __VA_ARGS__)
#define KVSTORE_INTERNAL_EACH_29(m, t, x, ...) \
  m(t, x) KVSTORE_INTERNAL_EACH_28(m, t, __VA_ARGS__)
#define KVSTORE_INTERNAL_EACH_30(m, t, x, ...) \
  m(t, x) KVSTORE_INTERNAL_EACH_29(m, t, __VA_ARGS__)
#define KVSTORE_INTERNAL_EACH_31(m, t, x, ...) \
  m(t, x) KVSTORE_INTERNAL_EACH_30(m, t, __VA_ARGS__)
#define KVSTORE_INTERNAL_EACH_32(m, t, x, ...) \
  m(t, x) KVSTORE_INTERNAL_EACH_31(m, t, __VA_ARGS__)

#endif  // KVSTORE_SCHEMA_MACROS_H_
