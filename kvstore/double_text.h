// The one grammar for a double written as text, used by every layer that
// reads one: Value::Parse (tagged values, the command line) and the typed
// stores' field syntax and JSON (record_codec.cc); and the one way of
// writing a double or float as text, used by every layer that writes one.
//
//   double  = [ "+" | "-" ] mantissa [ exponent ] | "inf" | "-inf" | "nan"
//   mantissa = digits [ "." [ digits ] ] | "." digits
//   exponent = ( "e" | "E" ) [ "+" | "-" ] digits
//
// Nothing else: no hexadecimal, no "infinity", no other case of "inf" and
// "nan", no spaces. A number too large for a double (1e400), or one with a
// nonzero digit that rounds to zero (1e-400), is out of range; subnormal
// numbers (1e-310) are kept.
#ifndef KVSTORE_DOUBLE_TEXT_H_
#define KVSTORE_DOUBLE_TEXT_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace kvstore {

// Whether `text` matches the grammar above (whatever its range).
bool MatchesDoubleGrammar(absl::string_view text);

// The double `text` denotes: INVALID_ARGUMENT if it does not match the
// grammar, OUT_OF_RANGE if it is out of range. Independent of the locale.
absl::StatusOr<double> ParseDoubleText(absl::string_view text);

// The shortest text that ParseDoubleText reads back as `d` exactly (for
// FormatFloatText: that reads back as `f` once rounded to a float), with
// the digits of std::to_chars. Laid out as printf's "%g" would with a
// precision of 15 digits for a double and 6 for a float, or the number of
// digits needed if more: "0.1", "1000000", "1e+15", "1.5e-05",
// "0.30000000000000004". NaN and the infinities as "nan", "inf", "-inf";
// negative zero as "-0". Independent of the locale.
std::string FormatDoubleText(double d);
std::string FormatFloatText(float f);

}  // namespace kvstore

#endif  // KVSTORE_DOUBLE_TEXT_H_
