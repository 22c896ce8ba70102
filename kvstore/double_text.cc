#include "kvstore/double_text.h"

#include <errno.h>
#include <locale.h>
#include <stdlib.h>

#include <cmath>
#include <limits>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace kvstore {
namespace {

size_t Digits(absl::string_view s, size_t i) {
  size_t j = i;
  while (j < s.size() && absl::ascii_isdigit(static_cast<unsigned char>(s[j]))) {
    ++j;
  }
  return j - i;
}

// The "C" locale, so that a program that set LC_NUMERIC cannot change what
// "1.5" means.
locale_t CLocale() {
  static const locale_t kLocale = newlocale(LC_ALL_MASK, "C", nullptr);
  return kLocale;
}

}  // namespace

bool MatchesDoubleGrammar(absl::string_view s) {
  if (s == "inf" || s == "-inf" || s == "nan") return true;
  size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  const size_t integer = Digits(s, i);
  i += integer;
  size_t fraction = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    fraction = Digits(s, i);
    i += fraction;
  }
  if (integer == 0 && fraction == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    const size_t exponent = Digits(s, i);
    if (exponent == 0) return false;
    i += exponent;
  }
  return i == s.size();
}

absl::StatusOr<double> ParseDoubleText(absl::string_view text) {
  if (!MatchesDoubleGrammar(text)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "'", text,
        "' is not a double (a decimal number such as 2.5, -1e9 or .5, or inf, "
        "-inf or nan)"));
  }
  if (text == "inf") return std::numeric_limits<double>::infinity();
  if (text == "-inf") return -std::numeric_limits<double>::infinity();
  if (text == "nan") return std::numeric_limits<double>::quiet_NaN();
  const std::string copy(text);
  errno = 0;
  const double d = strtod_l(copy.c_str(), nullptr, CLocale());
  bool nonzero_digit = false;
  for (char c : text) {
    if (c == 'e' || c == 'E') break;
    nonzero_digit = nonzero_digit || (c >= '1' && c <= '9');
  }
  if (std::isinf(d) || (d == 0 && nonzero_digit)) {
    return absl::OutOfRangeError(absl::StrCat(
        "'", text,
        "' is out of the range of a double (magnitude at most about 1.8e308; "
        "a nonzero number at least about 4.9e-324)"));
  }
  return d;
}

}  // namespace kvstore
