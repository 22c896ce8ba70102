#include "cli/format.h"

#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "kvstore/internal/json.h"

namespace kvstore {
namespace cli {

using ::kvstore::internal::JsonDouble;
using ::kvstore::internal::JsonObject;
using ::kvstore::internal::Utf8SequenceLength;

namespace {

// The "type" and "value" (and for bytes "encoding") members of `value`.
void AddValueMembers(const Value& value, JsonObject* o) {
  o->AddString("type", ValueTypeName(value.type()));
  switch (value.type()) {
    case ValueType::kString:
    case ValueType::kRecord:
      o->AddString("value", value.AsString());
      break;
    case ValueType::kBytes:
      o->AddString("value", absl::Base64Escape(value.AsString()));
      o->AddString("encoding", "base64");
      break;
    case ValueType::kInt64:
      o->AddInt("value", value.AsInt64());
      break;
    case ValueType::kDouble:
      o->AddRaw("value", JsonDouble(value.AsDouble()));
      break;
    case ValueType::kBool:
      o->AddBool("value", value.AsBool());
      break;
  }
}

bool WritableByOthers(const StoreStats& s) { return (s.mode & 022) != 0; }

int64_t Micros(absl::Duration d) { return absl::ToInt64Microseconds(d); }

}  // namespace

std::string FormatGetOutput(const Value& value, bool raw) {
  if (value.type() == ValueType::kBytes || raw) return value.ToText();
  return value.ToText() + "\n";
}

std::string FormatEntryJson(absl::string_view key, const Value& value) {
  JsonObject o;
  o.AddString("key", key);
  AddValueMembers(value, &o);
  return o.Build();
}

std::string FormatEntryJson(absl::string_view key, const Value& value,
                            uint64_t version) {
  JsonObject o;
  o.AddString("key", key);
  AddValueMembers(value, &o);
  o.AddUint("version", version);
  return o.Build();
}

std::string FormatFoundJson(absl::string_view key, const Value* value) {
  JsonObject o;
  o.AddString("key", key).AddBool("found", value != nullptr);
  if (value != nullptr) AddValueMembers(*value, &o);
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

std::string EscapeMessage(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  while (!text.empty()) {
    size_t len = Utf8SequenceLength(text);
    const unsigned char c = static_cast<unsigned char>(text[0]);
    const bool c1 =
        len == 2 && c == 0xC2 && static_cast<unsigned char>(text[1]) < 0xA0;
    if (len == 0 || c1) {
      for (size_t i = 0; i < (c1 ? 2 : 1); ++i) {
        out += absl::StrFormat("\\x%02x", static_cast<unsigned char>(text[i]));
      }
      len = c1 ? 2 : 1;
    } else if (len == 1) {
      out += EscapeField(text.substr(0, 1));
    } else {
      out.append(text.data(), len);
    }
    text.remove_prefix(len);
  }
  return out;
}

std::string FormatListLine(absl::string_view key, const Value& value) {
  return absl::StrCat(EscapeField(key), "\t", ValueTypeName(value.type()), "\t",
                      EscapeField(value.ToText()), "\n");
}

std::optional<int64_t> TtlMillis(absl::Duration ttl) {
  if (ttl == absl::InfiniteDuration()) return std::nullopt;
  return absl::ToInt64Milliseconds(absl::Ceil(ttl, absl::Milliseconds(1)));
}

std::string FormatTtlText(absl::Duration ttl) {
  std::optional<int64_t> ms = TtlMillis(ttl);
  if (!ms) return "none";
  return absl::StrFormat("%d.%03d", *ms / 1000, *ms % 1000);
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
      {"writable_by_others", WritableByOthers(s) ? "yes" : "no"},
      {"owner_uid", absl::StrCat(s.owner_uid)},
      {"owner_gid", absl::StrCat(s.owner_gid)},
      {"capacity", absl::StrCat(s.capacity)},
      {"slots", absl::StrCat(s.slot_count)},
      {"slot_bytes", absl::StrCat(s.slot_bytes)},
      {"max_key_bytes", absl::StrCat(s.max_key_bytes)},
      {"max_value_bytes", absl::StrCat(s.max_value_bytes)},
      {"eviction", std::string(EvictionName(s.eviction))},
      {"entries", absl::StrCat(s.entry_count)},
      {"load_factor", absl::StrFormat("%.4f", s.load_factor)},
      {"tombstones", absl::StrCat(s.tombstones)},
      {"data_bytes", absl::StrCat(s.data_bytes)},
      {"data_used_bytes", absl::StrCat(s.data_used_bytes)},
      {"data_free_bytes", absl::StrCat(s.data_free_bytes)},
      {"data_entries", absl::StrCat(s.data_entries)},
      {"largest_storable_bytes", absl::StrCat(s.largest_storable)},
      {"rounding_bytes", absl::StrCat(s.rounding_bytes)},
      {"fragmented_bytes", absl::StrCat(s.fragmented_bytes)},
      {"compactions", absl::StrCat(s.compactions)},
      {"compacted_bytes", absl::StrCat(s.compacted_bytes)},
      {"created", FormatTimeUtc(s.created)},
      {"hits", absl::StrCat(s.hits)},
      {"misses", absl::StrCat(s.misses)},
      {"sets", absl::StrCat(s.sets)},
      {"deletes", absl::StrCat(s.deletes)},
      {"expirations", absl::StrCat(s.expirations)},
      {"evictions", absl::StrCat(s.evictions)},
      {"recoveries", absl::StrCat(s.recoveries)},
      {"last_recovery", s.last_recovery == absl::InfinitePast()
                            ? "never"
                            : FormatTimeUtc(s.last_recovery)},
      {"longest_repair_us", absl::StrCat(Micros(s.longest_repair))},
      {"lock_resets", absl::StrCat(s.lock_resets)},
      {"lock_waits", absl::StrCat(s.lock_waits)},
      {"lock_wait_time_us", absl::StrCat(Micros(s.lock_wait_time))},
      {"long_lock_waits", absl::StrCat(s.long_lock_waits)},
      {"longest_lock_wait_us", absl::StrCat(Micros(s.longest_lock_wait))},
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
      .AddBool("writable_by_others", WritableByOthers(s))
      .AddUint("owner_uid", s.owner_uid)
      .AddUint("owner_gid", s.owner_gid)
      .AddUint("capacity", s.capacity)
      .AddUint("slots", s.slot_count)
      .AddUint("slot_bytes", s.slot_bytes)
      .AddUint("max_key_bytes", s.max_key_bytes)
      .AddUint("max_value_bytes", s.max_value_bytes)
      .AddString("eviction", EvictionName(s.eviction))
      .AddUint("entries", s.entry_count)
      .AddRaw("load_factor", absl::StrFormat("%.4f", s.load_factor))
      .AddUint("tombstones", s.tombstones)
      .AddUint("data_bytes", s.data_bytes)
      .AddUint("data_used_bytes", s.data_used_bytes)
      .AddUint("data_free_bytes", s.data_free_bytes)
      .AddUint("data_entries", s.data_entries)
      .AddUint("largest_storable_bytes", s.largest_storable)
      .AddUint("rounding_bytes", s.rounding_bytes)
      .AddUint("fragmented_bytes", s.fragmented_bytes)
      .AddUint("compactions", s.compactions)
      .AddUint("compacted_bytes", s.compacted_bytes)
      .AddString("created", FormatTimeUtc(s.created))
      .AddUint("hits", s.hits)
      .AddUint("misses", s.misses)
      .AddUint("sets", s.sets)
      .AddUint("deletes", s.deletes)
      .AddUint("expirations", s.expirations)
      .AddUint("evictions", s.evictions)
      .AddUint("recoveries", s.recoveries);
  if (s.last_recovery == absl::InfinitePast()) {
    o.AddNull("last_recovery");
  } else {
    o.AddString("last_recovery", FormatTimeUtc(s.last_recovery));
  }
  o.AddInt("longest_repair_us", Micros(s.longest_repair))
      .AddUint("lock_resets", s.lock_resets)
      .AddUint("lock_waits", s.lock_waits)
      .AddInt("lock_wait_time_us", Micros(s.lock_wait_time))
      .AddUint("long_lock_waits", s.long_lock_waits)
      .AddInt("longest_lock_wait_us", Micros(s.longest_lock_wait));
  return o.Build();
}

}  // namespace cli
}  // namespace kvstore
