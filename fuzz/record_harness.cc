#include "fuzz/record_harness.h"

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "kvstore/fixed_string.h"
#include "kvstore/internal/json.h"
#include "kvstore/record_codec.h"
#include "kvstore/schema.h"

namespace kvstore {
namespace fuzz {

enum class Shade : int8_t { kLight = -1, kDark = 2 };

struct Inner {
  int16_t x;
  uint8_t y;
};
KVSTORE_FIELDS(Inner, x, y);

struct Every {
  int8_t i8;
  uint16_t u16;
  int32_t i32;
  uint32_t u32;
  int64_t i64;
  uint64_t u64;
  float f;
  double d;
  bool b;
  Shade shade;
  FixedString<6> name;
  Inner in;
};
KVSTORE_FIELDS(Every, i8, u16, i32, u32, i64, u64, f, d, b, shade, name, in);

namespace {

const RecordSchema& SchemaFor(uint8_t pick) {
  switch (pick % 8) {
    case 0:
      return SchemaOf<Every>();
    case 1:
      return SchemaOf<uint8_t>();
    case 2:
      return SchemaOf<int64_t>();
    case 3:
      return SchemaOf<double>();
    case 4:
      return SchemaOf<float>();
    case 5:
      return SchemaOf<FixedString<5>>();
    case 6:
      return SchemaOf<bool>();
    default:
      return SchemaOf<Shade>();
  }
}

bool ValidUtf8(absl::string_view s) {
  while (!s.empty()) {
    const size_t n = internal::Utf8SequenceLength(s);
    if (n == 0) return false;
    s.remove_prefix(n);
  }
  return true;
}

// Whether every FixedString in `fields` (at `base` of `bytes`) is UTF-8.
bool TextsAreUtf8(const std::vector<Field>& fields, absl::string_view bytes,
                  uint32_t base) {
  for (const Field& f : fields) {
    if (f.type == FieldType::kStruct &&
        !TextsAreUtf8(f.fields, bytes, base + f.offset)) {
      return false;
    }
    if (f.type != FieldType::kChars) continue;
    absl::string_view text = bytes.substr(base + f.offset, f.size);
    text = text.substr(0, text.find('\0'));
    if (!ValidUtf8(text)) return false;
  }
  return true;
}

}  // namespace

std::string RunRecordInput(const uint8_t* data, size_t size, bool* accepted) {
  if (accepted != nullptr) *accepted = false;
  if (size < 2) return "";
  const RecordSchema& schema = SchemaFor(data[0]);
  const absl::string_view text(reinterpret_cast<const char*>(data + 2),
                               size - 2);
  absl::StatusOr<std::string> record =
      data[1] % 2 == 0 ? ParseRecord(schema, text)
                       : ParseRecordFields(schema, absl::StrSplit(text, '\n'));
  if (!record.ok()) {
    if (!absl::IsInvalidArgument(record.status())) {
      return absl::StrCat("refused with ", record.status().ToString());
    }
    return "";
  }
  if (accepted != nullptr) *accepted = true;
  if (record->size() != schema.size) {
    return absl::StrCat("a ", schema.name, " record of ", record->size(),
                        " bytes");
  }
  const std::string json = RecordToJson(schema, *record);
  // RecordToText is for display: a scalar FixedString's bytes as they are,
  // anything else as JSON.
  const std::string shown = RecordToText(schema, *record);
  if (schema.scalar() && schema.fields[0].type == FieldType::kChars) {
    if (shown != absl::string_view(*record).substr(0, record->find('\0'))) {
      return "RecordToText is not the FixedString's text";
    }
  } else if (schema.scalar() ? shown.empty() : shown != json) {
    return "RecordToText is not the JSON";
  }
  if (!ValidUtf8(json)) {
    return absl::StrCat("output is not UTF-8: ", absl::CHexEscape(json));
  }
  if (!TextsAreUtf8(schema.fields, *record, 0)) return "";
  absl::StatusOr<std::string> back = ParseRecord(schema, json);
  if (!back.ok()) {
    return absl::StrCat("ParseRecord(RecordToJson) of '",
                        absl::CHexEscape(json),
                        "' failed: ", back.status().ToString());
  }
  if (*back != *record) {
    return absl::StrCat(
        "'", absl::CHexEscape(json), "' reads back as other bytes: '",
        absl::CHexEscape(*back), "' for '", absl::CHexEscape(*record), "'");
  }
  if (RecordToJson(schema, *back) != json) return "JSON changed on reprint";
  return "";
}

}  // namespace fuzz
}  // namespace kvstore
