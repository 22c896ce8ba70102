#include "cli/flags.h"

#include <limits>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "kvstore/value.h"

namespace kvstore {
namespace cli {
namespace {

constexpr FlagSpec kKnownFlags[] = {
    {"store", true, '\0'},         {"help", false, 'h'},
    {"version", false, '\0'},      {"capacity", true, '\0'},
    {"max-key-bytes", true, '\0'}, {"max-value-bytes", true, '\0'},
    {"mode", true, '\0'},          {"type", true, '\0'},
    {"json", false, '\0'},         {"raw", false, 'n'},
    {"prefix", true, '\0'},        {"eviction", true, '\0'},
    {"ttl", true, '\0'},           {"count", true, '\0'},
    {"memory", true, '\0'},        {"replace", false, '\0'},
    {"redis", true, '\0'},         {"force", false, '\0'},
    {"nx", false, '\0'},           {"xx", false, '\0'},
    {"yes", false, '\0'},          {"with-version", false, '\0'},
    {"if-version", true, '\0'},    {"man", false, '\0'},
    {"read-only", false, '\0'},    {"no-refresh", false, '\0'},
};

const FlagSpec* FindLong(absl::Span<const FlagSpec> known,
                         absl::string_view name) {
  for (const FlagSpec& spec : known) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

const FlagSpec* FindShort(absl::Span<const FlagSpec> known, char c) {
  for (const FlagSpec& spec : known) {
    if (spec.short_name != '\0' && spec.short_name == c) return &spec;
  }
  return nullptr;
}

}  // namespace

absl::Span<const FlagSpec> KnownFlags() { return kKnownFlags; }

bool IsNumber(absl::string_view token) {
  // The grammar of a double (Value::Parse), whatever the range, so that an
  // out-of-range "-1e400" reaches the command and is refused there.
  absl::StatusOr<Value> v = Value::Parse(ValueType::kDouble, token);
  return v.ok() || absl::IsOutOfRange(v.status());
}

absl::StatusOr<ParsedArgs> ParseArgs(const std::vector<std::string>& args,
                                     absl::Span<const FlagSpec> known) {
  ParsedArgs parsed;
  bool flags_ended = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& token = args[i];
    if (flags_ended || token.size() < 2 || token[0] != '-' || IsNumber(token)) {
      parsed.positionals.push_back(token);
      continue;
    }
    if (token == "--") {
      flags_ended = true;
      continue;
    }
    const FlagSpec* spec = nullptr;
    absl::string_view name;
    absl::string_view value;
    bool has_value = false;
    if (token[1] == '-') {
      name = absl::string_view(token).substr(2);
      size_t eq = name.find('=');
      if (eq != absl::string_view::npos) {
        value = name.substr(eq + 1);
        name = name.substr(0, eq);
        has_value = true;
      }
      spec = FindLong(known, name);
    } else if (token.size() == 2) {
      spec = FindShort(known, token[1]);
    }
    if (spec == nullptr) {
      parsed.unknown_flags.push_back(token);
      continue;
    }
    if (!spec->takes_value) {
      if (has_value) {
        return absl::InvalidArgumentError(
            absl::StrCat("flag --", spec->name, " takes no value"));
      }
      parsed.flags[std::string(spec->name)] = "";
      continue;
    }
    if (!has_value) {
      if (i + 1 >= args.size()) {
        return absl::InvalidArgumentError(
            absl::StrCat("flag --", spec->name, " needs a value"));
      }
      value = args[++i];
    }
    parsed.flags[std::string(spec->name)] = std::string(value);
  }
  return parsed;
}

absl::StatusOr<uint64_t> ParseUnsignedFlag(absl::string_view flag,
                                           absl::string_view text,
                                           uint64_t max) {
  return ParseUnsignedFlag(flag, text, 0, max);
}

absl::StatusOr<uint64_t> ParseUnsignedFlag(absl::string_view flag,
                                           absl::string_view text, uint64_t min,
                                           uint64_t max) {
  uint64_t v;
  bool digits = !text.empty();
  for (char c : text) digits = digits && c >= '0' && c <= '9';
  if (!digits || !absl::SimpleAtoi(text, &v) || v < min || v > max) {
    return absl::InvalidArgumentError(absl::StrCat("--", flag, "='", text,
                                                   "' is not a whole number "
                                                   "from ",
                                                   min, " to ", max));
  }
  return v;
}

absl::StatusOr<uint64_t> ParseSizeFlag(absl::string_view flag,
                                       absl::string_view text, uint64_t max) {
  size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') {
    ++digits;
  }
  std::string unit = absl::AsciiStrToUpper(text.substr(digits));
  if (absl::EndsWith(unit, "IB")) {
    unit.resize(unit.size() - 2);
    if (unit.empty()) unit = "?";  // "iB" alone is no unit.
  } else if (absl::EndsWith(unit, "B")) {
    unit.resize(unit.size() - 1);
  }
  int shift = -1;
  if (unit.empty()) shift = 0;
  if (unit == "K") shift = 10;
  if (unit == "M") shift = 20;
  if (unit == "G") shift = 30;
  if (unit == "T") shift = 40;
  uint64_t v = 0;
  if (digits == 0 || shift < 0 ||
      !absl::SimpleAtoi(text.substr(0, digits), &v) || v > (max >> shift)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--", flag, "='", text, "' is not a size from 0 to ", max,
        " bytes (a whole number, optionally with K, M, G or T: 512M, 4G)"));
  }
  return v << shift;
}

absl::StatusOr<uint32_t> ParseOctalMode(absl::string_view text) {
  uint32_t mode = 0;
  bool ok = !text.empty() && text.size() <= 4;
  for (char c : text) {
    if (c < '0' || c > '7') ok = false;
    mode = mode * 8 + static_cast<uint32_t>(c - '0');
  }
  if (!ok || mode > 0777) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--mode='", text, "' is not an octal mode from 0000 to 0777"));
  }
  return mode;
}

absl::StatusOr<Eviction> ParseEviction(absl::string_view text) {
  if (text == "none") return Eviction::kNone;
  if (text == "clock") return Eviction::kClock;
  return absl::InvalidArgumentError(absl::StrCat(
      "--eviction='", text, "' is not an eviction policy (none or clock)"));
}

absl::StatusOr<absl::Duration> ParseDuration(absl::string_view text) {
  auto bad = [&](absl::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", text, "' is not a valid duration: ", why,
                     " (write numbers with units ms, s, m, h or d, e.g. "
                     "500ms, 30s, 5m, 2h, 1d or 1h30m)"));
  };
  if (text.empty()) return bad("it is empty");
  if (text[0] == '-') return bad("it is negative");
  absl::Duration total = absl::ZeroDuration();
  absl::string_view rest = text;
  while (!rest.empty()) {
    size_t digits = 0;
    while (digits < rest.size() &&
           (absl::ascii_isdigit(rest[digits]) || rest[digits] == '.')) {
      ++digits;
    }
    size_t end = digits;
    while (end < rest.size() && absl::ascii_isalpha(rest[end])) ++end;
    const absl::string_view number = rest.substr(0, digits);
    const absl::string_view unit = rest.substr(digits, end - digits);
    if (number.empty()) {
      return bad(absl::StrCat("expected a number at '", rest, "'"));
    }
    if (unit.empty()) {
      return bad(absl::StrCat("'", number, "' has no unit"));
    }
    if (unit != "ms" && unit != "s" && unit != "m" && unit != "h" &&
        unit != "d") {
      return bad(absl::StrCat("unknown unit '", unit, "'"));
    }
    // absl::ParseDuration knows every unit but days; a day is 24h.
    absl::Duration part;
    const bool days = unit == "d";
    if (!absl::ParseDuration(absl::StrCat(number, days ? "h" : unit), &part)) {
      return bad(absl::StrCat("'", number, "' is not a number"));
    }
    total += days ? part * 24 : part;
    if (total > kMaxDuration) return bad("it is longer than 10 years (3652d)");
    rest.remove_prefix(end);
  }
  if (total <= absl::ZeroDuration()) return bad("it is zero");
  return total;
}

}  // namespace cli
}  // namespace kvstore
