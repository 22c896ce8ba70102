// How the kvstore tool prints values, entries and statistics. The formats
// are the tool's contract, written out in docs/cli.md.
//
//   FormatEntryJson("n", Value::Int64(3))
//       // {"key":"n","type":"int64","value":3}
//   FormatListLine("n", Value::Int64(3))
//       // "n\tint64\t3\n"
#ifndef CLI_FORMAT_H_
#define CLI_FORMAT_H_

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "kvstore/store.h"
#include "kvstore/value.h"

namespace kvstore {
namespace cli {

// What `get` prints: the value as Value::ToText, then "\n" unless `raw`.
// Bytes values are always written as they are, with no newline added.
std::string FormatGetOutput(const Value& value, bool raw);

// One entry as a JSON object: {"key":..,"type":..,"value":..}, with int64
// and double as numbers (non-finite doubles as "nan", "inf", "-inf"), bool
// as true/false, string as a JSON string, and bytes as a base64 string
// followed by "encoding":"base64".
std::string FormatEntryJson(absl::string_view key, const Value& value);

// The same with "version":N last (`get --with-version --json`).
std::string FormatEntryJson(absl::string_view key, const Value& value,
                            uint64_t version);

// One entry of `mget --json`: {"key":..,"found":true,"type":..,"value":..}
// as FormatEntryJson for a value, or {"key":..,"found":false} for nullptr.
std::string FormatFoundJson(absl::string_view key, const Value* value);

// One line of `list`: KEY TAB TYPE TAB VALUE NEWLINE, with the key and the
// value passed through EscapeField.
std::string FormatListLine(absl::string_view key, const Value& value);

// `text` with backslash, tab, newline, carriage return and every other
// byte below 0x20 or from 0x7F written as C escapes (\\ \t \n \r \xHH),
// so that a field never contains a tab or a line break.
std::string EscapeField(absl::string_view text);

// `text` made safe for a one-line message on a terminal: as EscapeField,
// and also every byte that is not part of valid UTF-8, and the C1 control
// characters U+0080 to U+009F, written as \xHH. Every error message the
// tool prints passes through it, so a key with a newline or an escape
// sequence in it never breaks the line or reaches the terminal raw.
std::string EscapeMessage(absl::string_view text);

// A time to live rounded up to whole milliseconds, so that a live entry
// never shows 0; std::nullopt for absl::InfiniteDuration() (no TTL).
std::optional<int64_t> TtlMillis(absl::Duration ttl);

// `ttl` output: the time to live in seconds with three decimals after
// rounding up to the millisecond ("29.512", "0.001"), or "none".
std::string FormatTtlText(absl::Duration ttl);

// RFC 3339 in UTC to the second, e.g. "2024-05-01T12:00:00Z".
std::string FormatTimeUtc(absl::Time t);

// Permission bits in octal with a leading zero, e.g. "0640".
std::string FormatMode(mode_t mode);

// "none" or "clock".
absl::string_view EvictionName(Eviction eviction);

// `stats` output: one "field: value" line per statistic. Durations are in
// whole microseconds; writable_by_others is "yes" or "no".
std::string FormatStatsText(const StoreStats& stats);

// `stats --json`: one object with the same fields (writable_by_others a
// JSON boolean).
std::string FormatStatsJson(const StoreStats& stats);

}  // namespace cli
}  // namespace kvstore

#endif  // CLI_FORMAT_H_
