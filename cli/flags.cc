#include "cli/flags.h"

#include <limits>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

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
  double unused;
  return !token.empty() && absl::SimpleAtod(token, &unused);
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
  uint64_t v;
  bool digits = !text.empty();
  for (char c : text) digits = digits && c >= '0' && c <= '9';
  if (!digits || !absl::SimpleAtoi(text, &v) || v > max) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--", flag, "='", text, "' is not a whole number from 0 to ", max));
  }
  return v;
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

absl::Status ValidateStoreName(absl::string_view name) {
  auto bad = [&](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat(
        "bad store name '", name, "': ", why,
        " (a store name is '/' followed by 1 to 254 of A-Z a-z 0-9 . _ -)"));
  };
  if (name.empty() || name[0] != '/') return bad("must start with '/'");
  if (name.size() < 2) return bad("empty after '/'");
  if (name.size() > 255) return bad("longer than 255 bytes");
  if (name == "/." || name == "/..") return bad("not a file name");
  for (char c : name.substr(1)) {
    bool portable = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (c == '/') return bad("contains a second '/'");
    if (!portable) return bad("contains a character outside the set");
  }
  return absl::OkStatus();
}

}  // namespace cli
}  // namespace kvstore
