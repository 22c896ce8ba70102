#include "kvstore/double_text.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <string>
#include <system_error>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace kvstore {
namespace {

size_t Digits(absl::string_view s, size_t i) {
  size_t j = i;
  while (j < s.size() &&
         absl::ascii_isdigit(static_cast<unsigned char>(s[j]))) {
    ++j;
  }
  return j - i;
}

// `v` from std::to_chars's shortest scientific digits, laid out as "%g"
// with max(digits, kLayoutDigits) significant digits would lay it out.
template <typename T, int kLayoutDigits>
std::string ShortestText(T v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[64];
  const std::to_chars_result r =
      std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific);
  const absl::string_view sci(buf, r.ptr - buf);  // "-1.2345e+20"
  const size_t e = sci.find('e');
  const bool negative = sci[0] == '-';
  std::string digits;
  for (char c : sci.substr(negative ? 1 : 0, e - (negative ? 1 : 0))) {
    if (c != '.') digits.push_back(c);
  }
  int exponent = 0;
  std::from_chars(sci.data() + e + (sci[e + 1] == '+' ? 2 : 1),
                  sci.data() + sci.size(), exponent);
  const int precision = std::max<int>(digits.size(), kLayoutDigits);
  if (exponent < -4 || exponent >= precision) return std::string(sci);
  std::string out = negative ? "-" : "";
  if (exponent < 0) {
    out += "0.";
    out.append(-exponent - 1, '0');
    out += digits;
    return out;
  }
  const size_t whole = static_cast<size_t>(exponent) + 1;
  if (digits.size() <= whole) {
    out += digits;
    out.append(whole - digits.size(), '0');
  } else {
    out += digits.substr(0, whole);
    out += '.';
    out += digits.substr(whole);
  }
  return out;
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
  // std::from_chars takes no '+' and does not depend on the locale.
  const absl::string_view number = text[0] == '+' ? text.substr(1) : text;
  double d = 0;
  const std::from_chars_result r =
      std::from_chars(number.data(), number.data() + number.size(), d);
  bool nonzero_digit = false;
  for (char c : text) {
    if (c == 'e' || c == 'E') break;
    nonzero_digit = nonzero_digit || (c >= '1' && c <= '9');
  }
  if (r.ec == std::errc::result_out_of_range || std::isinf(d) ||
      (d == 0 && nonzero_digit)) {
    return absl::OutOfRangeError(absl::StrCat(
        "'", text,
        "' is out of the range of a double (magnitude at most about 1.8e308; "
        "a nonzero number at least about 4.9e-324)"));
  }
  if (r.ec != std::errc() || r.ptr != number.data() + number.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", text, "' is not a double"));
  }
  return d;
}

std::string FormatDoubleText(double d) {
  return ShortestText<double, std::numeric_limits<double>::digits10>(d);
}

std::string FormatFloatText(float f) {
  return ShortestText<float, std::numeric_limits<float>::digits10>(f);
}

}  // namespace kvstore
