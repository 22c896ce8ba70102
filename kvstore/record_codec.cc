// Records as JSON and text: RecordToJson, RecordToText, ParseRecord and
// ParseRecordFields (record_codec.h), over the one JSON codec
// (internal/json.h). Parsing fills a zeroed buffer and returns it
// only when every field was set exactly once, so a refused input changes
// nothing.
#include "kvstore/record_codec.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "kvstore/double_text.h"
#include "kvstore/internal/integer_field.h"
#include "kvstore/internal/json.h"
#include "kvstore/internal/record_assignments.h"

namespace kvstore {
namespace {

using internal::JsonValue;

template <typename T>
T Load(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

template <typename T>
void Store(char* p, T v) {
  std::memcpy(p, &v, sizeof(T));
}

// The text of an integer-like field (integers, enums).
std::string IntegerText(FieldType type, const char* p) {
  return internal::WithIntegerType(
      type, [p](auto zero) { return absl::StrCat(Load<decltype(zero)>(p)); });
}

void AppendJson(const Field& f, const char* p, std::string* out);

void AppendObject(const std::vector<Field>& fields, const char* base,
                  std::string* out) {
  out->push_back('{');
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out->push_back(',');
    internal::AppendJsonString(fields[i].name, out);
    out->push_back(':');
    AppendJson(fields[i], base + fields[i].offset, out);
  }
  out->push_back('}');
}

absl::string_view CharsText(const Field& f, const char* p) {
  const void* nul = std::memchr(p, 0, f.size);
  return absl::string_view(
      p, nul == nullptr ? f.size : static_cast<const char*>(nul) - p);
}

void AppendJson(const Field& f, const char* p, std::string* out) {
  switch (f.type) {
    case FieldType::kFloat:
      out->append(internal::JsonFloat(Load<float>(p)));
      return;
    case FieldType::kDouble:
      out->append(internal::JsonDouble(Load<double>(p)));
      return;
    case FieldType::kBool:
      out->append(*p != 0 ? "true" : "false");
      return;
    case FieldType::kEnum:
      out->append(IntegerText(f.underlying, p));
      return;
    case FieldType::kChars:
      internal::AppendJsonString(CharsText(f, p), out);
      return;
    case FieldType::kStruct:
      AppendObject(f.fields, p, out);
      return;
    default:
      out->append(IntegerText(f.type, p));
  }
}

// ---- Parsing ----

absl::Status Refuse(absl::string_view path, const Field& f,
                    absl::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat("field '", path.empty() ? "(value)" : path, "' (",
                   f.TypeText(), "): ", why));
}

template <typename T>
absl::Status StoreInteger(absl::string_view path, const Field& f,
                          absl::string_view text, char* p) {
  const bool digits_only =
      !text.empty() &&
      std::all_of(text.begin() + (text[0] == '-' ? 1 : 0), text.end(),
                  [](char c) { return absl::ascii_isdigit(c); }) &&
      text != "-";
  if (!digits_only) {
    return Refuse(path, f, absl::StrCat("'", text, "' is not an integer"));
  }
  using Wide = std::conditional_t<std::is_signed_v<T>, int64_t, uint64_t>;
  Wide wide;
  const bool fits = absl::SimpleAtoi(text, &wide) &&
                    wide >= std::numeric_limits<T>::min() &&
                    wide <= std::numeric_limits<T>::max();
  const T v = static_cast<T>(wide);
  if (!fits) {
    return Refuse(
        path, f,
        absl::StrCat(text, " is out of range (", std::numeric_limits<T>::min(),
                     " to ", std::numeric_limits<T>::max(), ")"));
  }
  Store(p, v);
  return absl::OkStatus();
}

absl::Status StoreIntegerOf(FieldType type, absl::string_view path,
                            const Field& f, absl::string_view text, char* p) {
  return internal::WithIntegerType(type, [&](auto zero) {
    return StoreInteger<decltype(zero)>(path, f, text, p);
  });
}

absl::Status StoreFloat(absl::string_view path, const Field& f,
                        const JsonValue& v, char* p) {
  const std::string& t = v.text;
  // One grammar for every double (double_text.h); a JSON string may hold
  // only the values JSON has no number for.
  const bool special = t == "nan" || t == "inf" || t == "-inf";
  if (v.kind == JsonValue::kBool ||
      (v.kind == JsonValue::kString && !special)) {
    return Refuse(path, f, absl::StrCat("'", t, "' is not a number"));
  }
  absl::StatusOr<double> parsed = ParseDoubleText(t);
  if (!parsed.ok()) return Refuse(path, f, parsed.status().message());
  const double d = *parsed;
  if (f.type == FieldType::kFloat && std::isfinite(d) &&
      std::fabs(d) > std::numeric_limits<float>::max()) {
    return Refuse(path, f, absl::StrCat(t, " is out of range"));
  }
  if (f.type == FieldType::kFloat) {
    Store(p, static_cast<float>(d));
  } else {
    Store(p, d);
  }
  return absl::OkStatus();
}

absl::Status Fill(const std::vector<Field>& fields, const JsonValue& object,
                  const std::string& prefix, char* base);

// Sets one field from a JSON value, or from plain text (kPlain: an
// assignment's value or a scalar given as text), read as the field's type.
absl::Status SetField(const Field& f, const JsonValue& v,
                      const std::string& path, char* p) {
  using K = JsonValue::Kind;
  if (f.type == FieldType::kStruct) {
    if (v.kind != K::kObject) return Refuse(path, f, "expects a JSON object");
    return Fill(f.fields, v, path + ".", p);
  }
  if (v.kind == K::kObject || v.kind == K::kNull) {
    return Refuse(path, f, "expects a single value");
  }
  switch (f.type) {
    case FieldType::kChars:
      if (v.kind != K::kString && v.kind != K::kPlain) {
        return Refuse(path, f, absl::StrCat("expects a string, not ", v.text));
      }
      if (v.text.size() > f.size) {
        return Refuse(path, f,
                      absl::StrCat("text of ", v.text.size(),
                                   " bytes is longer than ", f.size));
      }
      if (v.text.find('\0') != std::string::npos) {
        return Refuse(path, f, "text holds a NUL");
      }
      std::memset(p, 0, f.size);
      std::memcpy(p, v.text.data(), v.text.size());
      return absl::OkStatus();
    case FieldType::kBool: {
      const bool json_bool = v.kind == K::kBool;
      // One rule everywhere (Value::Parse too): true or false.
      const bool plain_bool =
          v.kind == K::kPlain && (v.text == "true" || v.text == "false");
      if (!json_bool && !plain_bool) {
        return Refuse(path, f,
                      absl::StrCat("'", v.text, "' is not true or false"));
      }
      *p = v.text == "true" ? 1 : 0;
      return absl::OkStatus();
    }
    case FieldType::kFloat:
    case FieldType::kDouble:
      return StoreFloat(path, f, v, p);
    default:
      if (v.kind != K::kNumber && v.kind != K::kPlain) {
        return Refuse(path, f,
                      absl::StrCat("'", v.text, "' is not an integer"));
      }
      return StoreIntegerOf(f.type == FieldType::kEnum ? f.underlying : f.type,
                            path, f, v.text, p);
  }
}

absl::Status Fill(const std::vector<Field>& fields, const JsonValue& object,
                  const std::string& prefix, char* base) {
  for (const auto& member : object.members) {
    const std::string& name = member.first;
    const auto& value = member.second;
    auto it = std::find_if(fields.begin(), fields.end(),
                           [&](const Field& f) { return f.name == name; });
    if (it == fields.end()) {
      std::string known;
      for (const Field& f : fields) absl::StrAppend(&known, " ", f.name);
      return absl::InvalidArgumentError(absl::StrCat(
          "unknown field '", prefix, name, "' (fields:", known, ")"));
    }
    absl::Status s = SetField(*it, value, prefix + name, base + it->offset);
    if (!s.ok()) return s;
  }
  for (const Field& f : fields) {
    if (object.Find(f.name) == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("missing field '", prefix, f.name, "'"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> Build(const RecordSchema& schema,
                                  const JsonValue& value) {
  std::string out(schema.size, '\0');
  absl::Status s = schema.scalar()
                       ? SetField(schema.fields[0], value, "", &out[0])
                       : (value.kind == JsonValue::kObject
                              ? Fill(schema.fields, value, "", &out[0])
                              : absl::InvalidArgumentError(absl::StrCat(
                                    schema.name,
                                    " is a struct: give a JSON object or "
                                    "field=value assignments")));
  if (!s.ok()) return s;
  return out;
}

}  // namespace

std::string RecordToJson(const RecordSchema& schema, absl::string_view bytes) {
  std::string out;
  if (schema.scalar()) {
    AppendJson(schema.fields[0], bytes.data(), &out);
  } else {
    AppendObject(schema.fields, bytes.data(), &out);
  }
  return out;
}

std::string RecordToText(const RecordSchema& schema, absl::string_view bytes) {
  if (!schema.scalar()) return RecordToJson(schema, bytes);
  const Field& f = schema.fields[0];
  if (f.type == FieldType::kChars) {
    return std::string(CharsText(f, bytes.data()));
  }
  std::string json = RecordToJson(schema, bytes);
  if (json.size() >= 2 && json.front() == '"') {  // "nan", "inf", "-inf"
    return json.substr(1, json.size() - 2);
  }
  return json;
}

absl::StatusOr<std::string> ParseRecord(const RecordSchema& schema,
                                        absl::string_view text) {
  absl::string_view trimmed = absl::StripAsciiWhitespace(text);
  if (schema.scalar()) {
    // A JSON string literal is decoded; anything else is the value's plain
    // text (a FixedString's untrimmed, so "a b" or "{x}" are texts too).
    absl::StatusOr<JsonValue> json = internal::ParseJson(trimmed);
    const bool chars = schema.fields[0].type == FieldType::kChars;
    if (json.ok() && json->kind == JsonValue::kString) {
      return Build(schema, *json);
    }
    JsonValue plain;
    plain.kind = JsonValue::kPlain;
    plain.text = std::string(chars ? text : trimmed);
    return Build(schema, plain);
  }
  if (!trimmed.empty() && trimmed[0] == '{') {
    absl::StatusOr<JsonValue> json = internal::ParseJson(trimmed);
    if (!json.ok()) return json.status();
    return Build(schema, *json);
  }
  absl::StatusOr<JsonValue> object =
      internal::ParseAssignments(trimmed, schema.fields);
  if (!object.ok()) return object.status();
  return Build(schema, *object);
}

absl::StatusOr<std::string> ParseRecordFields(
    const RecordSchema& schema, const std::vector<std::string>& assignments) {
  if (schema.scalar()) {
    if (assignments.size() != 1) {
      return absl::InvalidArgumentError(
          absl::StrCat(schema.name, " is a single value: give exactly one"));
    }
    return ParseRecord(schema, assignments[0]);
  }
  absl::StatusOr<JsonValue> object =
      internal::AssignmentsToObject(assignments, schema.fields);
  if (!object.ok()) return object.status();
  return Build(schema, *object);
}

}  // namespace kvstore
