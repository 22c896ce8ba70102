// FixedString<N>: bounded text stored inline in N bytes, for the keys and
// values of typed stores.
//
//   kvstore::FixedString<16> page("/index.html");   // Checked at compile time.
//   absl::StatusOr<kvstore::FixedString<16>> p =
//       kvstore::FixedString<16>::FromString(runtime_text);  // At run time.
//   absl::string_view text = p->view();
//
// The text is the bytes up to the first NUL, or all N; the bytes after it are
// always zero, so equal texts have equal bytes (it may be part of a key,
// which is hashed and compared as bytes).
#ifndef KVSTORE_FIXED_STRING_H_
#define KVSTORE_FIXED_STRING_H_

#include <cstddef>
#include <cstring>
#include <string>
#include <type_traits>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace kvstore {

template <size_t N>
class FixedString {
 public:
  static_assert(N >= 1, "FixedString<0> holds nothing");
  static constexpr size_t kCapacity = N;

  // The empty string (N zero bytes).
  constexpr FixedString() : data_{} {}

  // From a string literal of at most N characters (a compile error if
  // longer). REQUIRES: no NUL inside.
  template <size_t M, typename = std::enable_if_t<(M <= N + 1)>>
  constexpr FixedString(const char (&literal)[M]) : data_{} {  // NOLINT
    for (size_t i = 0; i + 1 < M; ++i) data_[i] = literal[i];
  }

  // From text known only at run time. Returns INVALID_ARGUMENT if `text` is
  // longer than N bytes or contains a NUL; never truncates.
  static absl::StatusOr<FixedString> FromString(absl::string_view text) {
    if (text.size() > N) {
      return absl::InvalidArgumentError(absl::StrCat(
          "text of ", text.size(), " bytes does not fit FixedString<", N, ">"));
    }
    if (text.find('\0') != absl::string_view::npos) {
      return absl::InvalidArgumentError("a FixedString cannot hold a NUL");
    }
    FixedString s;
    std::memcpy(s.data_, text.data(), text.size());
    return s;
  }

  // The text: the bytes before the first NUL (all N if there is none).
  absl::string_view view() const {
    const void* nul = std::memchr(data_, 0, N);
    return absl::string_view(
        data_, nul == nullptr ? N : static_cast<const char*>(nul) - data_);
  }
  std::string str() const { return std::string(view()); }
  size_t size() const { return view().size(); }
  bool empty() const { return data_[0] == '\0'; }

  friend bool operator==(const FixedString& a, const FixedString& b) {
    return std::memcmp(a.data_, b.data_, N) == 0;
  }
  friend bool operator!=(const FixedString& a, const FixedString& b) {
    return !(a == b);
  }
  friend bool operator<(const FixedString& a, const FixedString& b) {
    return a.view() < b.view();
  }

 private:
  char data_[N];
};

template <typename T>
struct IsFixedString : std::false_type {};
template <size_t N>
struct IsFixedString<FixedString<N>> : std::true_type {};

}  // namespace kvstore

#endif  // KVSTORE_FIXED_STRING_H_
