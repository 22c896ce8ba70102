// Records as JSON and text, as the command-line tool shows and reads them:
// RecordToJson, RecordToText, ParseRecord, ParseRecordFields.
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kvstore/internal/json.h"
#include "kvstore/record_codec.h"
#include "kvstore/schema.h"
#include "tests/status_matchers.h"
#include "tests/typed/test_types.h"

namespace kvstore_test {
namespace {

using ::kvstore::ParseRecord;
using ::kvstore::ParseRecordFields;
using ::kvstore::RecordToJson;
using ::kvstore::RecordToText;
using ::kvstore::SchemaOf;
using ::kvstore::testing::StatusIs;
using ::testing::HasSubstr;

template <typename T>
std::string Bytes(const T& v) {
  return std::string(reinterpret_cast<const char*>(&v), sizeof(T));
}

template <typename T>
T From(const std::string& bytes) {
  T v;
  std::memcpy(&v, bytes.data(), sizeof(T));
  return v;
}

AllTypes Sample() {
  AllTypes v;
  std::memset(static_cast<void*>(&v), 0, sizeof(v));  // Padding too.
  v.i8 = -8;
  v.i16 = -16;
  v.i32 = -32;
  v.i64 = std::numeric_limits<int64_t>::min();
  v.u8 = 255;
  v.u16 = 16;
  v.u32 = 32;
  v.u64 = std::numeric_limits<uint64_t>::max();
  v.f = 0.1f;
  v.d = 0.1;
  v.b = true;
  v.color = Color::kBlue;
  v.name = "caf\xc3\xa9 \"q\"";
  v.pos = {3, -4};
  return v;
}

constexpr char kSampleJson[] =
    R"({"i8":-8,"i16":-16,"i32":-32,"i64":-9223372036854775808,"u8":255,)"
    R"("u16":16,"u32":32,"u64":18446744073709551615,"f":0.1,"d":0.1,)"
    R"("b":true,"color":3,"name":"café \"q\"","pos":{"x":3,"y":-4}})";

TEST(RecordJsonTest, StructRendersAsObjectInDeclarationOrder) {
  EXPECT_EQ(RecordToJson(SchemaOf<AllTypes>(), Bytes(Sample())), kSampleJson);
}

TEST(RecordJsonTest, JsonParsesBackToTheSameBytes) {
  absl::StatusOr<std::string> bytes =
      ParseRecord(SchemaOf<AllTypes>(), kSampleJson);
  ASSERT_OK(bytes);
  EXPECT_EQ(*bytes, Bytes(Sample()));  // Padding zeroed in both.
}

TEST(RecordJsonTest, ScalarsRenderAsBareValuesAndPlainText) {
  EXPECT_EQ(RecordToJson(SchemaOf<int64_t>(), Bytes(int64_t{-5})), "-5");
  EXPECT_EQ(RecordToJson(SchemaOf<bool>(), Bytes(false)), "false");
  const kvstore::FixedString<8> s("a\"b");
  EXPECT_EQ(RecordToJson(SchemaOf<kvstore::FixedString<8>>(), Bytes(s)),
            R"("a\"b")");
  EXPECT_EQ(RecordToText(SchemaOf<kvstore::FixedString<8>>(), Bytes(s)),
            "a\"b");
  EXPECT_EQ(RecordToText(SchemaOf<uint16_t>(), Bytes(uint16_t{7})), "7");
  EXPECT_EQ(RecordToText(SchemaOf<UserKey>(), Bytes(UserKey{1, 2})),
            R"({"tenant":1,"user":2})");
}

TEST(RecordJsonTest, FloatsRoundTripAndNonFiniteAreStrings) {
  const double doubles[] = {0.1, -1e300, 5e-324, 1.0 / 3, 0.0};
  for (double d : doubles) {
    std::string json = RecordToJson(SchemaOf<double>(), Bytes(d));
    EXPECT_EQ(From<double>(*ParseRecord(SchemaOf<double>(), json)), d) << json;
  }
  EXPECT_EQ(RecordToJson(SchemaOf<float>(), Bytes(1.1f)), "1.1");
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_EQ(RecordToJson(SchemaOf<double>(), Bytes(nan)), "\"nan\"");
  EXPECT_EQ(RecordToJson(SchemaOf<double>(), Bytes(-inf)), "\"-inf\"");
  EXPECT_EQ(RecordToText(SchemaOf<double>(), Bytes(inf)), "inf");
  EXPECT_TRUE(
      std::isnan(From<double>(*ParseRecord(SchemaOf<double>(), "nan"))));
  EXPECT_EQ(From<float>(*ParseRecord(SchemaOf<float>(), "\"-inf\"")),
            -std::numeric_limits<float>::infinity());
}

// The one escaper: a typed store's text prints as a tagged store's string
// does in `get --json` (docs/cli.md), short forms for \n, \u00XX for DEL
// and C1 controls.
TEST(RecordJsonTest, EscapesFixedStringsAsTaggedStringsAre) {
  const std::string text = "a\nb\t\x01\x7f\xc2\x85\"\\";
  const kvstore::FixedString<16> s =
      kvstore::FixedString<16>::FromString(text).value();
  const std::string json =
      RecordToJson(SchemaOf<kvstore::FixedString<16>>(), Bytes(s));
  EXPECT_EQ(json, R"("a\nb\t\u0001\u007f\u0085\"\\")");
  EXPECT_EQ(json, kvstore::internal::JsonString(text));
  EXPECT_EQ(From<kvstore::FixedString<16>>(
                *ParseRecord(SchemaOf<kvstore::FixedString<16>>(), json)),
            s);
}

TEST(RecordJsonTest, FloatsPrintTheShortestTextThatReadsBack) {
  EXPECT_EQ(RecordToJson(SchemaOf<float>(), Bytes(0.1f)), "0.1");
  EXPECT_EQ(RecordToJson(SchemaOf<float>(), Bytes(16777216.0f)), "16777216");
  EXPECT_EQ(RecordToJson(SchemaOf<double>(), Bytes(0.1 + 0.2)),
            "0.30000000000000004");
  EXPECT_EQ(RecordToJson(SchemaOf<double>(), Bytes(1e-310)), "1e-310");
}

TEST(RecordJsonTest, InvalidUtf8InAFixedStringBecomesReplacementCharacter) {
  const kvstore::FixedString<4> s("a\xff");
  EXPECT_EQ(RecordToJson(SchemaOf<kvstore::FixedString<4>>(), Bytes(s)),
            "\"a\xef\xbf\xbd\"");
}

TEST(RecordJsonTest, ScalarKeysAcceptPlainText) {
  using Name = kvstore::FixedString<8>;
  EXPECT_EQ(From<uint64_t>(*ParseRecord(SchemaOf<uint64_t>(), " 42 ")), 42u);
  EXPECT_EQ(From<Name>(*ParseRecord(SchemaOf<Name>(), "alice")), Name("alice"));
  EXPECT_EQ(From<Name>(*ParseRecord(SchemaOf<Name>(), "a b")), Name("a b"));
  EXPECT_EQ(From<Name>(*ParseRecord(SchemaOf<Name>(), "42")), Name("42"));
  EXPECT_EQ(From<Name>(*ParseRecord(SchemaOf<Name>(), "\"x y\"")), Name("x y"));
  EXPECT_EQ(From<bool>(*ParseRecord(SchemaOf<bool>(), "true")), true);
  EXPECT_EQ(From<Color>(*ParseRecord(SchemaOf<Color>(), "2")), Color::kGreen);
}

TEST(RecordJsonTest, StructsAcceptFieldAssignments) {
  absl::StatusOr<std::string> a =
      ParseRecord(SchemaOf<UserKey>(), "tenant=7 user=9");
  absl::StatusOr<std::string> b =
      ParseRecord(SchemaOf<UserKey>(), "user=9,tenant=7");
  absl::StatusOr<std::string> c =
      ParseRecordFields(SchemaOf<UserKey>(), {"tenant=7", "user=9"});
  for (const auto* r : {&a, &b, &c}) {
    ASSERT_OK(*r);
    EXPECT_EQ(**r, Bytes(UserKey{7, 9}));
  }
}

TEST(RecordJsonTest, AssignmentsTakeDottedNamesQuotesAndNestedJson) {
  AllTypes want = Sample();
  want.name = "a, b";
  std::vector<std::string> fields = {
      "i8=-8",     "i16=-16", "i32=-32", "i64=-9223372036854775808",
      "u8=255",    "u16=16",  "u32=32",  "u64=18446744073709551615",
      "f=0.1",     "d=0.1",   "b=true",  "color=3",
      "name=a, b", "pos.x=3", "pos.y=-4"};
  absl::StatusOr<std::string> r =
      ParseRecordFields(SchemaOf<AllTypes>(), fields);
  ASSERT_OK(r);
  EXPECT_EQ(*r, Bytes(want));
  fields[12] = R"(name="a, b")";
  fields[13] = R"(pos={"x":3,"y":-4})";
  fields.pop_back();
  r = ParseRecordFields(SchemaOf<AllTypes>(), fields);
  ASSERT_OK(r);
  EXPECT_EQ(*r, Bytes(want));
  std::string line;
  for (const std::string& f : fields) line += f + " ";
  r = ParseRecord(SchemaOf<AllTypes>(), line);
  ASSERT_OK(r);
  EXPECT_EQ(*r, Bytes(want));
}

struct Refusal {
  const char* input;
  const char* says;
};

// Every malformed input is refused with INVALID_ARGUMENT naming the field
// and the reason.
TEST(RecordJsonTest, RefusesMalformedRecords) {
  const Refusal cases[] = {
      {R"({"x":1})", "missing field 'y'"},
      {R"({"x":1,"y":2,"z":3})", "unknown field 'z' (fields: x y)"},
      {R"({"x":1,"x":2,"y":3})", "member 'x' is repeated"},
      {R"({"x":1.5,"y":2})", "'1.5' is not an integer"},
      {R"({"x":1e3,"y":2})", "'1e3' is not an integer"},
      {R"({"x":"1","y":2})", "'1' is not an integer"},
      {R"({"x":true,"y":2})", "'true' is not an integer"},
      {R"({"x":null,"y":2})", "expects a single value"},
      {R"({"x":{},"y":2})", "expects a single value"},
      {R"({"x":2147483648,"y":2})", "2147483648 is out of range"},
      {R"({"x":-2147483649,"y":2})", "out of range"},
      {R"({"x":[1],"y":2})", "arrays are not supported"},
      {R"({"x":1,"y":2)", "expected ',' or '}'"},
      {R"({"x":1,"y":2} extra)", "unexpected text after the value"},
      {R"({"x":01x,"y":2})", "expected a value"},
      {"x=1", "missing field 'y'"},
      {"x=1 y=2 y=3", "field 'y' is given twice"},
      {"x=1 y", "'y' is not a field=value assignment"},
      {"x=1 y=", "'' is not an integer"},
      {"x=0x10 y=1", "'0x10' is not an integer"},
      {"x=1 y=2 z=3", "unknown field 'z'"},
      {"x.a=1 y=2", "field 'x' (int32): expects a single value"},
      {"", "expected a JSON object or field=value assignments"},
      {"42", "'42' is not a field=value assignment"},
  };
  for (const Refusal& c : cases) {
    SCOPED_TRACE(c.input);
    absl::Status s = ParseRecord(SchemaOf<Point>(), c.input).status();
    EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument));
    EXPECT_THAT(s.message(), HasSubstr(c.says));
  }
}

TEST(RecordJsonTest, RefusesValuesOutsideEachFieldType) {
  const Refusal cases[] = {
      {"u8=300", "field 'u8' (uint8): 300 is out of range (0 to 255)"},
      {"u8=-1", "-1 is out of range (0 to 255)"},
      {"i8=128", "128 is out of range (-128 to 127)"},
      {"u64=18446744073709551616", "out of range"},
      {"i64=9223372036854775808", "out of range"},
      {"color=256", "field 'color' (enum kvstore_test::Color : uint8): 256"},
      {"f=1e39", "field 'f' (float): 1e39 is out of range"},
      {"d=1e309", "'1e309' is out of the range of a double"},
      {"d=abc", "'abc' is not a double"},
      {"d=0x1p3", "'0x1p3' is not a double"},
      {"d=infinity", "'infinity' is not a double"},
      {"d=NaN", "'NaN' is not a double"},
      {"d=1e-400", "'1e-400' is out of the range of a double"},
      {"b=yes", "'yes' is not true or false"},
      {"b=1", "'1' is not true or false"},
      {"b=0", "'0' is not true or false"},
      {"name=nnnnnnnnnnnnnnnnn", "text of 17 bytes is longer than 16"},
      {R"(name="a\u0000b")", "text holds a NUL"},
      {R"(name="\ud800")", "unpaired surrogate"},
      {"pos.z=1", "unknown field 'pos.z'"},
      {"pos=1", "field 'pos' (Point): expects a JSON object"},
  };
  const std::string rest =
      " i8=0 i16=0 i32=0 i64=0 u8=0 u16=0 u32=0 u64=0 f=0 d=0 b=false "
      "color=1 name=n pos.x=0 pos.y=0";
  for (const Refusal& c : cases) {
    SCOPED_TRACE(c.input);
    // Fields are checked before completeness, so the bad one is named.
    std::vector<std::string> fields = {c.input};
    absl::Status s = ParseRecordFields(SchemaOf<AllTypes>(), fields).status();
    EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument));
    EXPECT_THAT(s.message(), HasSubstr(c.says));
  }
  EXPECT_OK(ParseRecord(SchemaOf<AllTypes>(), rest));  // Control.
}

TEST(RecordJsonTest, ScalarRefusals) {
  using Name = kvstore::FixedString<16>;
  EXPECT_THAT(
      ParseRecord(SchemaOf<Name>(), std::string(20, 'a')).status().message(),
      HasSubstr("text of 20 bytes is longer than 16"));
  EXPECT_THAT(ParseRecord(SchemaOf<uint8_t>(), "300").status().message(),
              HasSubstr("300 is out of range"));
  EXPECT_THAT(ParseRecord(SchemaOf<int32_t>(), "2.5").status().message(),
              HasSubstr("'2.5' is not an integer"));
  EXPECT_THAT(ParseRecord(SchemaOf<int32_t>(), "{\"a\":1}").status().message(),
              HasSubstr("'{\"a\":1}' is not an integer"));
  EXPECT_THAT(
      ParseRecordFields(SchemaOf<int32_t>(), {"1", "2"}).status().message(),
      HasSubstr("int32 is a single value"));
  EXPECT_THAT(ParseRecord(SchemaOf<Point>(), "[1,2]").status().message(),
              HasSubstr("is not a field=value assignment"));
}

}  // namespace
}  // namespace kvstore_test
