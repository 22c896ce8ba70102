// Command-line parsing for the kvstore tool.
//
//   absl::StatusOr<ParsedArgs> parsed = ParseArgs(args, KnownFlags());
//   if (!parsed.ok()) { /* usage error, exit 2 */ }
//   parsed->positionals;  // {"get", "greeting"}
//   parsed->flags;        // {"store": "/cache", "json": ""}
//
// Rules (docs/cli.md, "Arguments"):
//   - Flags may come before or after the command, in any order.
//   - `--name=value` and `--name value` both work for flags that take a
//     value; boolean flags take none (`--json`, never `--json=1`).
//   - `-h` is `--help` and `-n` is `--raw`; there are no other short flags.
//   - `--` ends the flags: every later token is an argument.
//   - A token that starts with '-' but parses as a number ("-3", "-2.5",
//     "-1e9", "-inf") is an argument, so `kvstore incr hits -3` works.
//   - A flag given twice keeps its last value.
#ifndef CLI_FLAGS_H_
#define CLI_FLAGS_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "kvstore/options.h"

namespace kvstore {
namespace cli {

// A flag the parser knows, whichever command accepts it.
struct FlagSpec {
  absl::string_view name;  // Without the dashes, e.g. "store".
  bool takes_value;        // --name=value / --name value, or a boolean.
  char short_name;         // e.g. 'h' for -h; '\0' if none.
};

// Every flag of the kvstore tool. Which command accepts which is checked
// after parsing, so that `--help` still works next to a misplaced flag.
absl::Span<const FlagSpec> KnownFlags();

struct ParsedArgs {
  // Arguments in order; the first one, if any, is the command.
  std::vector<std::string> positionals;
  // Known flags given, by long name; "" for boolean flags.
  std::map<std::string, std::string> flags;
  // Flags not in the known set, as written (e.g. "--colour", "-x").
  std::vector<std::string> unknown_flags;
};

// Splits `args` (without the program name) into arguments and flags.
// Returns INVALID_ARGUMENT, with a message for the user, if a flag that
// takes a value has none or a boolean flag is given one.
absl::StatusOr<ParsedArgs> ParseArgs(const std::vector<std::string>& args,
                                     absl::Span<const FlagSpec> known);

// True if `token` parses as a decimal or floating-point number.
bool IsNumber(absl::string_view token);

// Parses a flag's value as a decimal integer in [0, max]. Returns
// INVALID_ARGUMENT naming the flag otherwise.
absl::StatusOr<uint64_t> ParseUnsignedFlag(absl::string_view flag,
                                           absl::string_view text,
                                           uint64_t max);

// Same for a whole number in [min, max]; the message quotes that range.
absl::StatusOr<uint64_t> ParseUnsignedFlag(absl::string_view flag,
                                           absl::string_view text, uint64_t min,
                                           uint64_t max);

// Parses a size in bytes: a whole number with an optional binary suffix,
// K, M, G or T (powers of 1024), optionally followed by "B" or "iB", any
// case: "4096", "64K", "512M", "4GiB". INVALID_ARGUMENT naming the flag
// for anything else or above `max`.
absl::StatusOr<uint64_t> ParseSizeFlag(absl::string_view flag,
                                       absl::string_view text, uint64_t max);

// Parses permission bits written in octal ("0640" or "640", at most 0777).
absl::StatusOr<uint32_t> ParseOctalMode(absl::string_view text);

// Parses --eviction: "none" or "clock".
absl::StatusOr<Eviction> ParseEviction(absl::string_view text);

// The longest duration ParseDuration accepts: 10 years (3652d), the
// longest time to live a store takes.
inline constexpr absl::Duration kMaxDuration = absl::Hours(24 * 3652);

// Parses a duration: one or more NUMBER UNIT parts, added up, with UNIT
// one of ms, s, m, h, d (24h) and NUMBER decimal digits with an optional
// fraction: "500ms", "30s", "1.5h", "1d", "1h30m". Returns INVALID_ARGUMENT
// saying why for an empty text, a sign, a missing or unknown unit, a zero
// total, or one over kMaxDuration.
absl::StatusOr<absl::Duration> ParseDuration(absl::string_view text);

}  // namespace cli
}  // namespace kvstore

#endif  // CLI_FLAGS_H_
