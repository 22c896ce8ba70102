#include "cli/typed_format.h"

#include <cstdint>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "cli/format.h"
#include "kvstore/internal/json.h"

namespace kvstore {
namespace cli {

using ::kvstore::internal::JsonObject;

namespace {

std::string FieldsJson(const std::vector<Field>& fields) {
  std::string out = "[";
  for (const Field& f : fields) {
    if (out.size() > 1) out += ",";
    JsonObject o;
    o.AddString("name", f.name)
        .AddString("type", f.TypeText())
        .AddUint("offset", f.offset)
        .AddUint("size", f.size);
    if (f.type == FieldType::kStruct) o.AddRaw("fields", FieldsJson(f.fields));
    out += o.Build();
  }
  return out + "]";
}

std::string RecordSchemaJson(const RecordSchema& r) {
  JsonObject o;
  o.AddString("name", r.name)
      .AddUint("size", r.size)
      .AddUint("align", r.align)
      .AddRaw("fields", FieldsJson(r.fields));
  return o.Build();
}

}  // namespace

std::string RecordValueText(const RecordSchema& schema,
                            absl::string_view bytes) {
  return schema.scalar() ? RecordToText(schema, bytes)
                         : RecordToJson(schema, bytes);
}

std::string RecordEntryJson(const Schema& schema, absl::string_view key,
                            absl::string_view value) {
  JsonObject o;
  o.AddRaw("key", RecordToJson(schema.key, key))
      .AddString("type", schema.value.name)
      .AddRaw("value", RecordToJson(schema.value, value));
  return o.Build();
}

std::string RecordListLine(const Schema& schema, absl::string_view key,
                           absl::string_view value) {
  std::string key_text = RecordToText(schema.key, key);
  std::string value_text = RecordValueText(schema.value, value);
  if (schema.key.scalar()) key_text = EscapeField(key_text);
  if (schema.value.scalar()) value_text = EscapeField(value_text);
  return absl::StrCat(key_text, "\t", EscapeField(schema.value.name), "\t",
                      value_text, "\n");
}

std::string FieldValueText(const Field& field, uint32_t offset,
                           absl::string_view bytes) {
  RecordSchema scalar;
  scalar.name = field.TypeText();
  scalar.size = field.size;
  scalar.align = field.align;
  scalar.fields.push_back(field);
  scalar.fields[0].name.clear();
  scalar.fields[0].offset = 0;
  return RecordToText(scalar, bytes.substr(offset, field.size));
}

std::string SchemaJson(absl::string_view store, const Schema& schema) {
  JsonObject o;
  o.AddString("store", store)
      .AddString("kind", "typed")
      .AddRaw("key", RecordSchemaJson(schema.key))
      .AddRaw("value", RecordSchemaJson(schema.value))
      .AddString("fingerprint", absl::StrFormat("%016x", schema.Fingerprint()));
  return o.Build();
}

}  // namespace cli
}  // namespace kvstore
