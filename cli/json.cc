#include "cli/json.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "kvstore/value.h"

namespace kvstore {
namespace cli {
size_t Utf8SequenceLength(absl::string_view s) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char c = byte(0);
  size_t len;
  uint32_t min;
  if (c < 0x80) return 1;
  if ((c & 0xE0) == 0xC0) {
    len = 2;
    min = 0x80;
  } else if ((c & 0xF0) == 0xE0) {
    len = 3;
    min = 0x800;
  } else if ((c & 0xF8) == 0xF0) {
    len = 4;
    min = 0x10000;
  } else {
    return 0;
  }
  if (s.size() < len) return 0;
  uint32_t cp = c & (0x7F >> len);
  for (size_t i = 1; i < len; ++i) {
    if ((byte(i) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (byte(i) & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

std::string JsonString(absl::string_view s) {
  std::string out = "\"";
  while (!s.empty()) {
    const unsigned char c = static_cast<unsigned char>(s[0]);
    size_t len = Utf8SequenceLength(s);
    if (len == 0) {
      out += "\xEF\xBF\xBD";  // U+FFFD
      len = 1;
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c < 0x20 || c == 0x7F) {
      out += absl::StrFormat("\\u%04x", c);
    } else {
      out.append(s.data(), len);
    }
    s.remove_prefix(len);
  }
  out += '"';
  return out;
}

std::string JsonDouble(double d) {
  if (std::isnan(d)) return "\"nan\"";
  if (std::isinf(d)) return d > 0 ? "\"inf\"" : "\"-inf\"";
  return Value::Double(d).ToText();
}

std::string Base64Encode(absl::string_view data) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= data.size(); i += 3) {
    uint32_t n = static_cast<unsigned char>(data[i]) << 16 |
                 static_cast<unsigned char>(data[i + 1]) << 8 |
                 static_cast<unsigned char>(data[i + 2]);
    out += kAlphabet[n >> 18];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  if (i < data.size()) {
    uint32_t n = static_cast<unsigned char>(data[i]) << 16;
    if (i + 1 < data.size()) n |= static_cast<unsigned char>(data[i + 1]) << 8;
    out += kAlphabet[n >> 18];
    out += kAlphabet[(n >> 12) & 63];
    out += i + 1 < data.size() ? kAlphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

JsonObject& JsonObject::AddRaw(absl::string_view name, absl::string_view json) {
  if (!members_.empty()) members_ += ',';
  absl::StrAppend(&members_, JsonString(name), ":", json);
  return *this;
}

JsonObject& JsonObject::AddString(absl::string_view name,
                                  absl::string_view value) {
  return AddRaw(name, JsonString(value));
}

JsonObject& JsonObject::AddInt(absl::string_view name, int64_t value) {
  return AddRaw(name, absl::StrCat(value));
}

JsonObject& JsonObject::AddUint(absl::string_view name, uint64_t value) {
  return AddRaw(name, absl::StrCat(value));
}

JsonObject& JsonObject::AddBool(absl::string_view name, bool value) {
  return AddRaw(name, value ? "true" : "false");
}

JsonObject& JsonObject::AddNull(absl::string_view name) {
  return AddRaw(name, "null");
}

}  // namespace cli
}  // namespace kvstore
