#include "kvstore/internal/json.h"

#include <cmath>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "kvstore/double_text.h"

namespace kvstore {
namespace internal {
namespace {

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xc0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xe0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else {
    out->push_back(static_cast<char>(0xf0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  }
}

bool IsJsonSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

class Parser {
 public:
  explicit Parser(absl::string_view in) : in_(in) {}

  absl::StatusOr<JsonValue> Document() {
    JsonValue v;
    absl::Status s = Value(0, &v);
    if (!s.ok()) return s;
    SkipSpace();
    if (pos_ != in_.size()) return Error("unexpected text after the value");
    return v;
  }

 private:
  absl::Status Error(absl::string_view why) const {
    return absl::InvalidArgumentError(
        absl::StrCat("bad JSON at offset ", pos_, ": ", why));
  }
  void SkipSpace() {
    while (pos_ < in_.size() && IsJsonSpace(in_[pos_])) ++pos_;
  }
  bool Literal(absl::string_view word) {
    if (in_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  absl::Status Value(int depth, JsonValue* v) {
    SkipSpace();
    if (pos_ == in_.size()) return Error("expected a value");
    const char c = in_[pos_];
    if (c == '{') {
      if (depth >= kMaxJsonDepth) return Error("nested too deeply");
      return Object(depth, v);
    }
    if (c == '"') {
      v->kind = JsonValue::kString;
      return String(&v->text);
    }
    if (c == '[') return Error("arrays are not supported");
    if (Literal("true") || Literal("false")) {
      v->kind = JsonValue::kBool;
      v->text = c == 't' ? "true" : "false";
      return absl::OkStatus();
    }
    if (Literal("null")) {
      v->kind = JsonValue::kNull;
      return absl::OkStatus();
    }
    size_t end = pos_;
    while (end < in_.size() &&
           (absl::ascii_isalnum(in_[end]) || in_[end] == '-' ||
            in_[end] == '+' || in_[end] == '.')) {
      ++end;
    }
    absl::string_view token = in_.substr(pos_, end - pos_);
    if (!IsJsonNumber(token)) return Error("expected a value");
    v->kind = JsonValue::kNumber;
    v->text = std::string(token);
    pos_ = end;
    return absl::OkStatus();
  }

  absl::Status Object(int depth, JsonValue* v) {
    v->kind = JsonValue::kObject;
    ++pos_;  // '{'
    SkipSpace();
    if (pos_ < in_.size() && in_[pos_] == '}') {
      ++pos_;
      return absl::OkStatus();
    }
    for (;;) {
      SkipSpace();
      if (pos_ == in_.size() || in_[pos_] != '"') {
        return Error("expected a member name");
      }
      const size_t name_at = pos_;
      std::string name;
      absl::Status s = String(&name);
      if (!s.ok()) return s;
      if (v->Find(name) != nullptr) {
        pos_ = name_at;
        return Error(absl::StrCat("member '", name, "' is repeated"));
      }
      SkipSpace();
      if (pos_ == in_.size() || in_[pos_] != ':') return Error("expected ':'");
      ++pos_;
      JsonValue member;
      s = Value(depth + 1, &member);
      if (!s.ok()) return s;
      v->members.emplace_back(std::move(name), std::move(member));
      SkipSpace();
      if (pos_ < in_.size() && in_[pos_] == ',') {
        ++pos_;
      } else if (pos_ < in_.size() && in_[pos_] == '}') {
        ++pos_;
        return absl::OkStatus();
      } else {
        return Error("expected ',' or '}'");
      }
    }
  }

  bool Hex4(uint32_t* cp) {
    if (in_.size() - pos_ < 4) return false;
    *cp = 0;
    for (int i = 0; i < 4; ++i) {
      const char h = in_[pos_++];
      if (!absl::ascii_isxdigit(h)) return false;
      *cp = *cp * 16 + (absl::ascii_isdigit(h)
                            ? h - '0'
                            : absl::ascii_tolower(h) - 'a' + 10);
    }
    return true;
  }

  absl::Status String(std::string* out) {
    ++pos_;  // '"'
    while (pos_ < in_.size() && in_[pos_] != '"') {
      const char c = in_[pos_];
      if (static_cast<uint8_t>(c) < 0x20) {
        return Error("control character in a string");
      }
      ++pos_;
      if (c != '\\') {
        out->push_back(c);
        continue;
      }
      if (pos_ == in_.size()) break;
      const char e = in_[pos_++];
      const char* kFrom = "\"\\/bfnrt";
      const char* kTo = "\"\\/\b\f\n\r\t";
      if (const char* p = std::strchr(kFrom, e); p != nullptr && e != '\0') {
        out->push_back(kTo[p - kFrom]);
        continue;
      }
      uint32_t cp;
      if (e != 'u' || !Hex4(&cp)) return Error("bad escape in a string");
      if (cp >= 0xd800 && cp <= 0xdbff) {  // A surrogate pair.
        uint32_t low;
        if (!Literal("\\u") || !Hex4(&low) || low < 0xdc00 || low > 0xdfff) {
          return Error("unpaired surrogate in a string");
        }
        cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
      } else if (cp >= 0xdc00 && cp <= 0xdfff) {
        return Error("unpaired surrogate in a string");
      }
      AppendUtf8(cp, out);
    }
    if (pos_ == in_.size()) return Error("unterminated string");
    ++pos_;  // '"'
    return absl::OkStatus();
  }

  absl::string_view in_;
  size_t pos_ = 0;
};

}  // namespace

size_t Utf8SequenceLength(absl::string_view s) {
  if (s.empty()) return 0;
  const auto b = [&](size_t i) { return static_cast<uint8_t>(s[i]); };
  const uint8_t c = b(0);
  size_t n;
  uint32_t cp;
  if (c < 0x80) return 1;
  if (c >= 0xc2 && c <= 0xdf) {
    n = 2, cp = c & 0x1f;
  } else if (c >= 0xe0 && c <= 0xef) {
    n = 3, cp = c & 0x0f;
  } else if (c >= 0xf0 && c <= 0xf4) {
    n = 4, cp = c & 0x07;
  } else {
    return 0;
  }
  if (s.size() < n) return 0;
  for (size_t i = 1; i < n; ++i) {
    if ((b(i) & 0xc0) != 0x80) return 0;
    cp = (cp << 6) | (b(i) & 0x3f);
  }
  const bool overlong = (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000);
  const bool surrogate = cp >= 0xd800 && cp <= 0xdfff;
  return overlong || surrogate || cp > 0x10ffff ? 0 : n;
}

void AppendJsonString(absl::string_view s, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  while (!s.empty()) {
    const size_t n = Utf8SequenceLength(s);
    const uint8_t c = static_cast<uint8_t>(s[0]);
    // The code point of a control character (C0, DEL, C1), else -1.
    int control = -1;
    if (n == 1 && (c < 0x20 || c == 0x7f)) control = c;
    if (n == 2 && c == 0xc2 && static_cast<uint8_t>(s[1]) < 0xa0) {
      control = static_cast<uint8_t>(s[1]);
    }
    if (n == 0) {
      out->append("\xef\xbf\xbd");  // U+FFFD
      s.remove_prefix(1);
      continue;
    }
    if (c == '"' || c == '\\') {
      out->push_back('\\');
      out->push_back(static_cast<char>(c));
    } else if (control < 0) {
      out->append(s.data(), n);
    } else if (const char* p = std::strchr("\b\f\n\r\t", control);
               p != nullptr && control != 0) {
      out->push_back('\\');
      out->push_back("bfnrt"[p - "\b\f\n\r\t"]);
    } else {
      out->append("\\u00");
      out->push_back(kHex[control >> 4]);
      out->push_back(kHex[control & 0xf]);
    }
    s.remove_prefix(n);
  }
  out->push_back('"');
}

std::string JsonString(absl::string_view s) {
  std::string out;
  AppendJsonString(s, &out);
  return out;
}

std::string JsonDouble(double d) {
  if (std::isfinite(d)) return FormatDoubleText(d);
  return absl::StrCat("\"", FormatDoubleText(d), "\"");  // "nan", "inf"
}

std::string JsonFloat(float f) {
  if (std::isfinite(f)) return FormatFloatText(f);
  return absl::StrCat("\"", FormatFloatText(f), "\"");
}

JsonObject& JsonObject::AddRaw(absl::string_view name, absl::string_view json) {
  if (!members_.empty()) members_ += ',';
  AppendJsonString(name, &members_);
  members_ += ':';
  members_.append(json.data(), json.size());
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

const JsonValue* JsonValue::Find(absl::string_view name) const {
  for (const auto& [n, v] : members) {
    if (n == name) return &v;
  }
  return nullptr;
}

absl::StatusOr<JsonValue> ParseJson(absl::string_view text) {
  return Parser(text).Document();
}

bool IsJsonNumber(absl::string_view s) {
  size_t i = 0;
  auto digits = [&] {
    const size_t start = i;
    while (i < s.size() && absl::ascii_isdigit(s[i])) ++i;
    return i - start;
  };
  if (i < s.size() && s[i] == '-') ++i;
  const size_t int_start = i;
  const size_t int_digits = digits();
  if (int_digits == 0) return false;
  if (int_digits > 1 && s[int_start] == '0') return false;  // Leading zero.
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (digits() == 0) return false;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (digits() == 0) return false;
  }
  return i == s.size();
}

}  // namespace internal
}  // namespace kvstore
