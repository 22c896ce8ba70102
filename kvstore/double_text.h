// The one grammar for a double written as text, used by every layer that
// reads one: Value::Parse (tagged values, the command line) and the typed
// stores' field syntax and JSON (schema_json.cc).
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

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace kvstore {

// Whether `text` matches the grammar above (whatever its range).
bool MatchesDoubleGrammar(absl::string_view text);

// The double `text` denotes: INVALID_ARGUMENT if it does not match the
// grammar, OUT_OF_RANGE if it is out of range. Independent of the locale.
absl::StatusOr<double> ParseDoubleText(absl::string_view text);

}  // namespace kvstore

#endif  // KVSTORE_DOUBLE_TEXT_H_
