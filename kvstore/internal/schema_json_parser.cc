#include "kvstore/internal/schema_json_parser.h"

#include <algorithm>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace kvstore {
namespace schema_internal {
namespace {

constexpr int kMaxJsonDepth = 16;

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

// Length of the valid UTF-8 sequence at the start of `s`, or 0.
size_t Utf8Length(absl::string_view s) {
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
    while (pos_ < in_.size() && absl::ascii_isspace(in_[pos_])) ++pos_;
  }
  bool Literal(absl::string_view word) {
    if (in_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  absl::Status Value(int depth, JsonValue* v) {
    if (depth > kMaxJsonDepth) return Error("nested too deeply");
    SkipSpace();
    if (pos_ == in_.size()) return Error("expected a value");
    const char c = in_[pos_];
    if (c == '{') return Object(depth, v);
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
      std::string name;
      absl::Status s = String(&name);
      if (!s.ok()) return s;
      if (v->Find(name) != nullptr) {
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
      const char c = in_[pos_++];
      if (static_cast<uint8_t>(c) < 0x20) {
        return Error("control character in a string");
      }
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

const Field* FindPath(const std::vector<Field>& fields,
                      absl::string_view path) {
  const std::vector<Field>* level = &fields;
  const Field* found = nullptr;
  for (absl::string_view part : absl::StrSplit(path, '.')) {
    if (level == nullptr) return nullptr;
    auto it = std::find_if(level->begin(), level->end(),
                           [&](const Field& f) { return f.name == part; });
    if (it == level->end()) return nullptr;
    found = &*it;
    level = found->type == FieldType::kStruct ? &found->fields : nullptr;
  }
  return found;
}

// Adds `value` at the dotted `path` of `object`, creating the objects on
// the way.
absl::Status Insert(absl::string_view path, JsonValue value,
                    JsonValue* object) {
  const size_t dot = path.find('.');
  const std::string name(path.substr(0, dot));
  if (name.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("empty field name in '", path, "'"));
  }
  JsonValue* member = const_cast<JsonValue*>(object->Find(name));
  if (dot == absl::string_view::npos) {
    if (member != nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("field '", name, "' is given twice"));
    }
    object->members.emplace_back(name, std::move(value));
    return absl::OkStatus();
  }
  if (member == nullptr) {
    JsonValue nested;
    nested.kind = JsonValue::kObject;
    object->members.emplace_back(name, std::move(nested));
    member = &object->members.back().second;
  } else if (member->kind != JsonValue::kObject ||
             member->text == "given whole") {
    return absl::InvalidArgumentError(
        absl::StrCat("field '", name, "' is given twice"));
  }
  return Insert(path.substr(dot + 1), std::move(value), member);
}

}  // namespace

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
    return i > start;
  };
  if (i < s.size() && s[i] == '-') ++i;
  if (!digits()) return false;
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (!digits()) return false;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == s.size();
}

void AppendJsonString(absl::string_view s, std::string* out) {
  out->push_back('"');
  while (!s.empty()) {
    const uint8_t c = static_cast<uint8_t>(s[0]);
    if (c == '"' || c == '\\') {
      out->push_back('\\');
      out->push_back(static_cast<char>(c));
    } else if (c < 0x20) {
      absl::StrAppend(out, "\\u00", absl::Hex(c, absl::kZeroPad2));
    } else {
      const size_t n = Utf8Length(s);
      if (n == 0) {
        out->append("\xef\xbf\xbd");  // U+FFFD
      } else {
        out->append(s.data(), n);
        s.remove_prefix(n);
        continue;
      }
    }
    s.remove_prefix(1);
  }
  out->push_back('"');
}

absl::StatusOr<JsonValue> AssignmentsToObject(
    const std::vector<std::string>& assignments,
    const std::vector<Field>& fields) {
  JsonValue object;
  object.kind = JsonValue::kObject;
  for (const std::string& a : assignments) {
    const size_t eq = a.find('=');
    if (eq == std::string::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("'", a, "' is not a field=value assignment"));
    }
    const absl::string_view name = absl::string_view(a).substr(0, eq);
    const absl::string_view text = absl::string_view(a).substr(eq + 1);
    const Field* field = FindPath(fields, name);
    JsonValue value;
    const bool json_object = field != nullptr &&
                             field->type == FieldType::kStruct &&
                             !text.empty() && text[0] == '{';
    if ((!text.empty() && text[0] == '"') || json_object) {
      absl::StatusOr<JsonValue> parsed = ParseJson(text);
      if (!parsed.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat("field '", name, "': ", parsed.status().message()));
      }
      value = *std::move(parsed);
      if (json_object) value.text = "given whole";  // No "name.x=" after.
    } else {
      value.kind = JsonValue::kPlain;
      value.text = std::string(text);
    }
    absl::Status s = Insert(name, std::move(value), &object);
    if (!s.ok()) return s;
  }
  return object;
}

absl::StatusOr<JsonValue> ParseAssignments(absl::string_view text,
                                           const std::vector<Field>& fields) {
  // Split at commas and whitespace outside strings and braces.
  std::vector<std::string> parts;
  std::string current;
  bool in_string = false;
  int depth = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      current.push_back(c);
      if (c == '\\' && i + 1 < text.size()) {
        current.push_back(text[++i]);
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (depth == 0 && (c == ',' || absl::ascii_isspace(c))) {
      if (!current.empty()) parts.push_back(std::move(current));
      current.clear();
      continue;
    }
    if (c == '"') in_string = true;
    if (c == '{') ++depth;
    if (c == '}') --depth;
    current.push_back(c);
  }
  if (!current.empty()) parts.push_back(std::move(current));
  if (parts.empty()) {
    return absl::InvalidArgumentError(
        "expected a JSON object or field=value assignments");
  }
  return AssignmentsToObject(parts, fields);
}

}  // namespace schema_internal
}  // namespace kvstore
