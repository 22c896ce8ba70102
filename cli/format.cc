#include "cli/format.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "cli/json.h"

namespace kvstore {
namespace cli {
namespace {

double LoadFactor(const StoreStats& stats) {
  if (stats.slot_count == 0) return 0;
  return static_cast<double>(stats.entry_count) /
         static_cast<double>(stats.slot_count);
}

}  // namespace

std::string FormatGetOutput(const Value& value, bool raw) {
  if (value.type() == ValueType::kBytes || raw) return value.ToText();
  return value.ToText() + "\n";
}

std::string FormatEntryJson(absl::string_view key, const Value& value) {
  JsonObject o;
  o.AddString("key", key).AddString("type", ValueTypeName(value.type()));
  switch (value.type()) {
    case ValueType::kString:
      o.AddString("value", value.AsString());
      break;
    case ValueType::kBytes:
      o.AddString("value", Base64Encode(value.AsString()));
      o.AddString("encoding", "base64");
      break;
    case ValueType::kInt64:
      o.AddInt("value", value.AsInt64());
      break;
    case ValueType::kDouble:
      o.AddRaw("value", JsonDouble(value.AsDouble()));
      break;
    case ValueType::kBool:
      o.AddBool("value", value.AsBool());
      break;
  }
  return o.Build();
}

std::string EscapeField(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    const unsigned char c = static_cast<unsigned char>(ch);
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c < 0x20 || c == 0x7F) {
      out += absl::StrFormat("\\x%02x", c);
    } else {
      out += ch;
    }
  }
  return out;
}

std::string FormatListLine(absl::string_view key, const Value& value) {
  return absl::StrCat(EscapeField(key), "\t", ValueTypeName(value.type()), "\t",
                      EscapeField(value.ToText()), "\n");
}

std::string FormatTimeUtc(absl::Time t) {
  return absl::FormatTime("%Y-%m-%d%ET%H:%M:%SZ", t, absl::UTCTimeZone());
}

std::string FormatMode(mode_t mode) {
  return absl::StrFormat("%04o", static_cast<unsigned>(mode));
}

absl::string_view EvictionName(Eviction eviction) {
  return eviction == Eviction::kClock ? "clock" : "none";
}

std::string FormatStatsText(const StoreStats& s) {
  const std::vector<std::pair<absl::string_view, std::string>> fields = {
      {"name", s.name},
      {"size_bytes", absl::StrCat(s.segment_bytes)},
      {"mode", FormatMode(s.mode)},
      {"owner_uid", absl::StrCat(s.owner_uid)},
      {"owner_gid", absl::StrCat(s.owner_gid)},
      {"capacity", absl::StrCat(s.capacity)},
      {"slots", absl::StrCat(s.slot_count)},
      {"slot_bytes", absl::StrCat(s.slot_bytes)},
      {"max_key_bytes", absl::StrCat(s.max_key_bytes)},
      {"max_value_bytes", absl::StrCat(s.max_value_bytes)},
      {"eviction", std::string(EvictionName(s.eviction))},
      {"entries", absl::StrCat(s.entry_count)},
      {"load_factor", absl::StrFormat("%.4f", LoadFactor(s))},
      {"created", FormatTimeUtc(s.created)},
      {"recoveries", absl::StrCat(s.recoveries)},
      {"last_recovery", s.last_recovery == absl::InfinitePast()
                            ? "never"
                            : FormatTimeUtc(s.last_recovery)},
  };
  std::string out;
  for (const auto& [field, value] : fields) {
    absl::StrAppend(&out, field, ": ", value, "\n");
  }
  return out;
}

std::string FormatStatsJson(const StoreStats& s) {
  JsonObject o;
  o.AddString("name", s.name)
      .AddUint("size_bytes", s.segment_bytes)
      .AddString("mode", FormatMode(s.mode))
      .AddUint("owner_uid", s.owner_uid)
      .AddUint("owner_gid", s.owner_gid)
      .AddUint("capacity", s.capacity)
      .AddUint("slots", s.slot_count)
      .AddUint("slot_bytes", s.slot_bytes)
      .AddUint("max_key_bytes", s.max_key_bytes)
      .AddUint("max_value_bytes", s.max_value_bytes)
      .AddString("eviction", EvictionName(s.eviction))
      .AddUint("entries", s.entry_count)
      .AddRaw("load_factor", absl::StrFormat("%.4f", LoadFactor(s)))
      .AddString("created", FormatTimeUtc(s.created))
      .AddUint("recoveries", s.recoveries);
  if (s.last_recovery == absl::InfinitePast()) {
    o.AddNull("last_recovery");
  } else {
    o.AddString("last_recovery", FormatTimeUtc(s.last_recovery));
  }
  return o.Build();
}

}  // namespace cli
}  // namespace kvstore
