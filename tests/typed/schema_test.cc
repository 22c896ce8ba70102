// Schemas: what KVSTORE_FIELDS and SchemaOf record, the encoding and its
// validation, and the text listings.
#include "kvstore/schema.h"

#include <cstddef>
#include <functional>
#include <string>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/status_matchers.h"
#include "tests/typed/test_types.h"

namespace kvstore_test {
namespace v1 {
struct Rec {
  int32_t a;
  int32_t b;
};
KVSTORE_FIELDS(Rec, a, b);
}  // namespace v1
namespace v2 {
struct Rec {  // Same name, fields swapped.
  int32_t b;
  int32_t a;
};
KVSTORE_FIELDS(Rec, b, a);
}  // namespace v2
namespace v3 {
struct Rec {  // Same name, b resized.
  int32_t a;
  int64_t b;
};
KVSTORE_FIELDS(Rec, a, b);
}  // namespace v3

namespace {

using ::kvstore::Field;
using ::kvstore::FieldType;
using ::kvstore::RecordSchema;
using ::kvstore::Schema;
using ::kvstore::SchemaOf;
using ::kvstore::schema_internal::ListsEveryField;
using ::kvstore::schema_internal::Span;
using ::kvstore::testing::StatusIs;
using ::testing::HasSubstr;

struct ScalarCase {
  const RecordSchema& schema;
  const char* name;
  FieldType type;
  uint32_t size;
};

TEST(SchemaTest, ScalarTypesHaveBuiltInSchemas) {
  const ScalarCase cases[] = {
      {SchemaOf<int8_t>(), "int8", FieldType::kInt8, 1},
      {SchemaOf<int16_t>(), "int16", FieldType::kInt16, 2},
      {SchemaOf<int32_t>(), "int32", FieldType::kInt32, 4},
      {SchemaOf<int64_t>(), "int64", FieldType::kInt64, 8},
      {SchemaOf<uint8_t>(), "uint8", FieldType::kUint8, 1},
      {SchemaOf<uint16_t>(), "uint16", FieldType::kUint16, 2},
      {SchemaOf<uint32_t>(), "uint32", FieldType::kUint32, 4},
      {SchemaOf<uint64_t>(), "uint64", FieldType::kUint64, 8},
      {SchemaOf<float>(), "float", FieldType::kFloat, 4},
      {SchemaOf<double>(), "double", FieldType::kDouble, 8},
      {SchemaOf<bool>(), "bool", FieldType::kBool, 1},
      {SchemaOf<kvstore::FixedString<16>>(), "FixedString<16>",
       FieldType::kChars, 16},
  };
  for (const ScalarCase& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(c.schema.name, c.name);
    EXPECT_EQ(c.schema.size, c.size);
    ASSERT_TRUE(c.schema.scalar());
    EXPECT_EQ(c.schema.fields[0].type, c.type);
    EXPECT_EQ(c.schema.fields[0].offset, 0u);
  }
}

TEST(SchemaTest, EnumRecordsItsNameAndUnderlyingType) {
  const RecordSchema& s = SchemaOf<Color>();
  ASSERT_TRUE(s.scalar());
  EXPECT_EQ(s.fields[0].type, FieldType::kEnum);
  EXPECT_EQ(s.fields[0].underlying, FieldType::kUint8);
  EXPECT_EQ(s.fields[0].type_name, "kvstore_test::Color");
  EXPECT_EQ(s.name, "enum kvstore_test::Color : uint8");
}

TEST(SchemaTest, StructRecordsNamesTypesOffsetsAndSizes) {
  const RecordSchema& s = SchemaOf<AllTypes>();
  EXPECT_EQ(s.name, "AllTypes");
  EXPECT_EQ(s.size, sizeof(AllTypes));
  EXPECT_EQ(s.align, alignof(AllTypes));
  EXPECT_FALSE(s.scalar());
  ASSERT_EQ(s.fields.size(), 14u);
  const Field& name = s.fields[12];
  EXPECT_EQ(name.name, "name");
  EXPECT_EQ(name.type, FieldType::kChars);
  EXPECT_EQ(name.offset, offsetof(AllTypes, name));
  EXPECT_EQ(name.size, 16u);
  const Field& pos = s.fields[13];
  EXPECT_EQ(pos.type, FieldType::kStruct);
  EXPECT_EQ(pos.type_name, "Point");
  EXPECT_EQ(pos.offset, offsetof(AllTypes, pos));
  ASSERT_EQ(pos.fields.size(), 2u);
  EXPECT_EQ(pos.fields[1].name, "y");
  EXPECT_EQ(pos.fields[1].offset, offsetof(Point, y));
}

TEST(SchemaTest, FindResolvesDottedPaths) {
  const RecordSchema& s = SchemaOf<AllTypes>();
  uint32_t offset = 0;
  const Field* y = s.Find("pos.y", &offset);
  ASSERT_NE(y, nullptr);
  EXPECT_EQ(y->type, FieldType::kInt32);
  EXPECT_EQ(offset, offsetof(AllTypes, pos) + offsetof(Point, y));
  EXPECT_EQ(s.Find("pos.z", nullptr), nullptr);
  EXPECT_EQ(s.Find("i8.x", nullptr), nullptr);
  EXPECT_EQ(s.Find("", nullptr), nullptr);
  EXPECT_EQ(s.Find("pos.", nullptr), nullptr);
}

// KVSTORE_FIELDS refuses (at compile time) a list that leaves a gap the
// compiler would not have left or runs out of order.
TEST(SchemaTest, ListsEveryFieldCatchesMissingAndMisorderedFields) {
  // struct { int32 a; int64 b; int32 c; }: a@0, b@8, c@16, 24 bytes.
  constexpr Span kAll[] = {{0, 4, 4}, {8, 8, 8}, {16, 4, 4}};
  constexpr Span kNoB[] = {{0, 4, 4}, {16, 4, 4}};
  constexpr Span kNoC[] = {{0, 4, 4}, {8, 8, 8}};
  constexpr Span kSwapped[] = {{8, 8, 8}, {0, 4, 4}, {16, 4, 4}};
  static_assert(ListsEveryField(kAll, 3, 24, 8));
  static_assert(!ListsEveryField(kNoB, 2, 24, 8));
  static_assert(!ListsEveryField(kNoC, 2, 24, 8));
  static_assert(!ListsEveryField(kSwapped, 3, 24, 8));
  // The documented limit: struct { int32 a; int32 b; int64 c; } without b
  // looks like a, padding, c.
  constexpr Span kHiddenInPadding[] = {{0, 4, 4}, {8, 8, 8}};
  static_assert(ListsEveryField(kHiddenInPadding, 2, 16, 8));
}

TEST(SchemaTest, EncodingRoundTripsAndStartsWithMagicAndVersion) {
  const Schema s{SchemaOf<UserKey>(), SchemaOf<AllTypes>()};
  const std::string e = s.Encode();
  EXPECT_EQ(e.substr(0, 8), std::string("KVTS\x01\0\0\0", 8));
  absl::StatusOr<Schema> back = Schema::Decode(e);
  ASSERT_OK(back);
  EXPECT_EQ(back->Encode(), e);
  EXPECT_EQ(back->value.fields[11].type_name, "kvstore_test::Color");
  EXPECT_EQ(back->Fingerprint(), s.Fingerprint());
}

TEST(SchemaTest, OtherLayoutsOfTheSameNameDifferInEncodingAndFingerprint) {
  const Schema a{SchemaOf<uint64_t>(), SchemaOf<v1::Rec>()};
  const Schema swapped{SchemaOf<uint64_t>(), SchemaOf<v2::Rec>()};
  const Schema resized{SchemaOf<uint64_t>(), SchemaOf<v3::Rec>()};
  const Schema other_key{SchemaOf<int64_t>(), SchemaOf<v1::Rec>()};
  for (const Schema* b : {&swapped, &resized, &other_key}) {
    EXPECT_NE(a, *b);
    EXPECT_NE(a.Fingerprint(), b->Fingerprint());
  }
  EXPECT_EQ(a, (Schema{SchemaOf<uint64_t>(), SchemaOf<v1::Rec>()}));
}

TEST(SchemaTest, DecodeRefusesEveryTruncationAndTrailingBytes) {
  const std::string e =
      Schema{SchemaOf<UserKey>(), SchemaOf<AllTypes>()}.Encode();
  for (size_t n = 0; n < e.size(); ++n) {
    EXPECT_THAT(Schema::Decode(e.substr(0, n)).status(),
                StatusIs(absl::StatusCode::kDataLoss))
        << n;
  }
  EXPECT_THAT(Schema::Decode(e + "x").status().message(),
              HasSubstr("trailing bytes"));
}

TEST(SchemaTest, DecodeRefusesBadHeader) {
  std::string e = Schema{SchemaOf<int64_t>(), SchemaOf<Point>()}.Encode();
  std::string bad_magic = e, bad_version = e, bad_reserved = e;
  bad_magic[0] = 'X';
  bad_version[4] = 2;
  bad_reserved[6] = 1;
  EXPECT_THAT(Schema::Decode(bad_magic).status().message(),
              HasSubstr("bad magic"));
  EXPECT_THAT(Schema::Decode(bad_version).status().message(),
              HasSubstr("version"));
  EXPECT_THAT(Schema::Decode(bad_reserved).status().message(),
              HasSubstr("reserved"));
}

// Each case damages a valid schema in one way; Decode must say why.
TEST(SchemaTest, DecodeRefusesInconsistentRecords) {
  struct Case {
    const char* what;
    std::function<void(Schema*)> damage;
  };
  const Case cases[] = {
      {"unknown field type",
       [](Schema* s) { s->value.fields[0].type = static_cast<FieldType>(99); }},
      {"wrong size", [](Schema* s) { s->value.fields[0].size = 3; }},
      {"overlaps", [](Schema* s) { s->value.fields[1].offset = 0; }},
      {"misaligned", [](Schema* s) { s->value.fields[1].offset = 2; }},
      {"outside its record", [](Schema* s) { s->value.size = 4; }},
      {"impossible size", [](Schema* s) { s->value.size = 7; }},
      {"repeated field name", [](Schema* s) { s->value.fields[1].name = "x"; }},
      {"bad or repeated", [](Schema* s) { s->value.fields[1].name = "1y"; }},
      {"0 fields", [](Schema* s) { s->value.fields.clear(); }},
      {"scalar record", [](Schema* s) { s->key.size = 16; }},
      {"non-integer type",
       [](Schema* s) {
         s->value.fields[0].type = FieldType::kEnum;
         s->value.fields[0].underlying = FieldType::kFloat;
       }},
      {"misaligned", [](Schema* s) { s->value.fields[0].align = 8; }},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    Schema s{SchemaOf<int64_t>(), SchemaOf<Point>()};
    c.damage(&s);
    absl::Status status = Schema::Decode(s.Encode()).status();
    EXPECT_THAT(status, StatusIs(absl::StatusCode::kDataLoss));
    EXPECT_THAT(status.message(), HasSubstr(c.what));
  }
}

TEST(SchemaTest, DecodeRefusesNestingDeeperThanEight) {
  Schema s{SchemaOf<int64_t>(), SchemaOf<int32_t>()};
  Field leaf = s.value.fields[0];
  leaf.name = "v";
  for (int depth = 0; depth < 9; ++depth) {
    Field outer;
    outer.name = "n";
    outer.type = FieldType::kStruct;
    outer.type_name = "N";
    outer.size = 4;
    outer.align = 4;
    outer.fields = {leaf};
    leaf = outer;
  }
  s.value.name = "Deep";
  s.value.fields = {leaf};
  EXPECT_THAT(Schema::Decode(s.Encode()).status().message(),
              HasSubstr("nested too deeply"));
}

TEST(SchemaTest, ToTextListsKeyValueAndEveryField) {
  const std::string text =
      Schema{SchemaOf<uint64_t>(), SchemaOf<AllTypes>()}.ToText();
  EXPECT_THAT(text, HasSubstr("key: uint64 (8 bytes, align 8)\n"));
  EXPECT_THAT(text, HasSubstr("value: AllTypes (80 bytes, align 8)\n"));
  EXPECT_THAT(text, HasSubstr("\n  color            enum kvstore_test::Color "
                              ": uint8 offset 49    size 1\n"));
  EXPECT_THAT(text, HasSubstr("\n  name             FixedString<16>    "
                              "offset 50    size 16\n"));
  EXPECT_THAT(text, HasSubstr("\n  pos              Point              "
                              "offset 68    size 8\n"
                              "    x              int32              "
                              "offset 68    size 4\n"));
  EXPECT_THAT(text, HasSubstr("fingerprint: "));
}

TEST(SchemaTest, SideBySideShowsBothColumnsAndMarksDifferences) {
  const std::string text = kvstore::SideBySide(
      Schema{SchemaOf<uint64_t>(), SchemaOf<v1::Rec>()}, "in the store",
      Schema{SchemaOf<uint64_t>(), SchemaOf<v3::Rec>()}, "this program");
  EXPECT_THAT(text, HasSubstr("in the store"));
  EXPECT_THAT(text, HasSubstr("| this program"));
  EXPECT_THAT(text, HasSubstr("  key: uint64 (8 bytes, align 8)"));
  EXPECT_THAT(text, HasSubstr("! value: Rec (8 bytes, align 4)"));
  EXPECT_THAT(text, HasSubstr("| value: Rec (16 bytes, align 8)"));
  EXPECT_THAT(text, HasSubstr("|   b                int64"));
}

}  // namespace
}  // namespace kvstore_test
