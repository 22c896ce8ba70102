#include "kvstore/internal/record_assignments.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace kvstore {
namespace internal {
namespace {

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

}  // namespace internal
}  // namespace kvstore
