// The one JSON codec (kvstore/internal/json.h): the escaper and number
// formats every --json output goes through, checked against an independent
// parser (json_checker, nlohmann-json), and the product's own parser.
#include "kvstore/internal/json.h"

#include <cmath>
#include <limits>
#include <string>

#include "absl/strings/escaping.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kvstore/double_text.h"
#include "tests/cli/json_checker.h"
#include "tests/status_matchers.h"

namespace kvstore {
namespace internal {
namespace {

using ::kvstore::testing::IsOk;
using ::kvstore::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

TEST(JsonStringTest, EscapesQuotesBackslashesAndControls) {
  EXPECT_EQ(JsonString("plain"), "\"plain\"");
  EXPECT_EQ(JsonString("a\"b\\c"), "\"a\\\"b\\\\c\"");
  // Short forms where JSON has them, \u00XX for the other controls.
  EXPECT_EQ(JsonString("l1\nl2\tx\r\b\f"), "\"l1\\nl2\\tx\\r\\b\\f\"");
  EXPECT_EQ(JsonString(std::string("\0\x01\x1f\x7f", 4)),
            "\"\\u0000\\u0001\\u001f\\u007f\"");
  // The C1 controls U+0080..U+009F too; U+00A0 is not one.
  EXPECT_EQ(JsonString("\xC2\x80\xC2\x9F\xC2\xA0"),
            "\"\\u0080\\u009f\xC2\xA0\"");
}

TEST(JsonStringTest, PassesValidUtf8Through) {
  EXPECT_EQ(JsonString("h\xC3\xA9llo \xE2\x82\xAC \xF0\x9F\x98\x80"),
            "\"h\xC3\xA9llo \xE2\x82\xAC \xF0\x9F\x98\x80\"");
}

TEST(JsonStringTest, ReplacesInvalidUtf8WithReplacementCharacter) {
  // A lone continuation byte, a truncated sequence, an overlong encoding
  // and a UTF-16 surrogate: one U+FFFD per byte.
  EXPECT_EQ(JsonString("a\x80z"), "\"a\xEF\xBF\xBDz\"");
  EXPECT_EQ(JsonString("\xE2\x82"), "\"\xEF\xBF\xBD\xEF\xBF\xBD\"");
  EXPECT_EQ(JsonString("\xC0\xAF"), "\"\xEF\xBF\xBD\xEF\xBF\xBD\"");
  EXPECT_EQ(JsonString("\xED\xA0\x80"),
            "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");
}

// The checker refuses invalid UTF-8 (json_checker_test), so this fails if
// any byte passes through raw.
TEST(JsonStringTest, EveryByteStringGivesValidJson) {
  std::string all;
  for (int c = 0; c < 256; ++c) all += static_cast<char>(c);
  for (const std::string& s :
       {all, all + all, std::string(all.rbegin(), all.rend())}) {
    absl::StatusOr<cli::JsonValue> v = cli::ParseJson(JsonString(s));
    EXPECT_OK(v) << " " << absl::CHexEscape(JsonString(s));
  }
  // Every pair of bytes, so every truncated or broken sequence.
  for (int a = 0; a < 256; ++a) {
    for (int b = 0; b < 256; ++b) {
      const std::string s = {static_cast<char>(a), static_cast<char>(b)};
      absl::StatusOr<cli::JsonValue> v = cli::ParseJson(JsonString(s));
      ASSERT_OK(v) << " " << absl::CHexEscape(s);
    }
  }
}

TEST(JsonStringTest, RoundTripsThroughBothParsers) {
  const std::string text = "q\"b\\n\n\t\x01 \x7f \xC3\xA9 \xC2\x85";
  absl::StatusOr<cli::JsonValue> checked = cli::ParseJson(JsonString(text));
  ASSERT_OK(checked);
  EXPECT_EQ(checked->text, text);
  absl::StatusOr<JsonValue> own = ParseJson(JsonString(text));
  ASSERT_OK(own);
  EXPECT_EQ(own->text, text);
}

TEST(JsonDoubleTest, FiniteValuesAreShortestNumbers) {
  EXPECT_EQ(JsonDouble(2.5), "2.5");
  EXPECT_EQ(JsonDouble(-0.1), "-0.1");
  EXPECT_EQ(JsonDouble(1e300), "1e+300");
  EXPECT_EQ(JsonDouble(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(JsonDouble(1000000), "1000000");
  EXPECT_EQ(JsonDouble(1e15), "1e+15");
  EXPECT_EQ(JsonDouble(123456789012345680.0), "1.2345678901234568e+17");
  EXPECT_EQ(JsonDouble(0.0001), "0.0001");
  EXPECT_EQ(JsonDouble(0.00001), "1e-05");
  EXPECT_EQ(JsonDouble(1e-310), "1e-310");
  EXPECT_EQ(JsonDouble(-0.0), "-0");
  EXPECT_EQ(JsonFloat(0.1f), "0.1");
  EXPECT_EQ(JsonFloat(1e6f), "1e+06");
  EXPECT_EQ(JsonFloat(16777216.0f), "16777216");
}

TEST(JsonDoubleTest, EveryTextReadsBackExactly) {
  const double cases[] = {0.1,
                          1.0 / 3,
                          2.0 / 3 * 1e20,
                          123.456,
                          std::numeric_limits<double>::max(),
                          std::numeric_limits<double>::min(),
                          std::numeric_limits<double>::denorm_min(),
                          std::numeric_limits<double>::epsilon(),
                          9007199254740993.0,
                          -4.35e-7};
  for (double d : cases) {
    const std::string text = JsonDouble(d);
    absl::StatusOr<double> back = ParseDoubleText(text);
    ASSERT_OK(back) << text;
    EXPECT_EQ(*back, d) << text;
    EXPECT_TRUE(IsJsonNumber(text)) << text;
  }
}

TEST(JsonDoubleTest, NonFiniteValuesAreStrings) {
  EXPECT_EQ(JsonDouble(std::numeric_limits<double>::quiet_NaN()), "\"nan\"");
  EXPECT_EQ(JsonDouble(std::numeric_limits<double>::infinity()), "\"inf\"");
  EXPECT_EQ(JsonDouble(-std::numeric_limits<double>::infinity()), "\"-inf\"");
}

// bytes values in --json are absl::Base64Escape: RFC 4648, with padding.
TEST(Base64Test, MatchesRfc4648Vectors) {
  EXPECT_EQ(absl::Base64Escape(""), "");
  EXPECT_EQ(absl::Base64Escape("f"), "Zg==");
  EXPECT_EQ(absl::Base64Escape("fo"), "Zm8=");
  EXPECT_EQ(absl::Base64Escape("foo"), "Zm9v");
  EXPECT_EQ(absl::Base64Escape("foobar"), "Zm9vYmFy");
  EXPECT_EQ(absl::Base64Escape(std::string("\xff\xfe\x00", 3)), "//4A");
}

TEST(JsonObjectTest, BuildsMembersInOrder) {
  JsonObject o;
  o.AddString("s", "x")
      .AddInt("i", -3)
      .AddUint("u", 7)
      .AddBool("b", true)
      .AddNull("n")
      .AddRaw("r", "[1]");
  EXPECT_EQ(o.Build(), R"({"s":"x","i":-3,"u":7,"b":true,"n":null,"r":[1]})");
  EXPECT_EQ(JsonObject().Build(), "{}");
}

TEST(ParseJsonTest, ReadsObjectsInOrderWithTokensAsWritten) {
  absl::StatusOr<JsonValue> v =
      ParseJson(" {\"a\":-0.50e+1,\"b\":{\"c\":\"\\u00e9\\ud83d\\ude00\"}} ");
  ASSERT_OK(v);
  ASSERT_EQ(v->members.size(), 2u);
  EXPECT_EQ(v->members[0].first, "a");
  EXPECT_EQ(v->Find("a")->kind, JsonValue::kNumber);
  EXPECT_EQ(v->Find("a")->text, "-0.50e+1");
  EXPECT_EQ(v->Find("b")->Find("c")->text, "\xC3\xA9\xF0\x9F\x98\x80");
}

struct Refusal {
  const char* input;
  const char* says;
};

TEST(ParseJsonTest, RefusesWithTheByteOffset) {
  const Refusal cases[] = {
      {R"({"a":1,"a":2})", "offset 7: member 'a' is repeated"},
      {R"({"a":01})", "offset 5: expected a value"},
      {R"({"a":+1})", "offset 5: expected a value"},
      {R"({"a":1.})", "offset 5: expected a value"},
      {R"({"a":[1]})", "offset 5: arrays are not supported"},
      {"{\"a\":\"x\ny\"}", "offset 7: control character in a string"},
      {R"({"a":"\x"})", "bad escape in a string"},
      {R"("\udc00")", "unpaired surrogate"},
      {"\v1", "offset 0: expected a value"},
      {R"({"a":1} x)", "offset 8: unexpected text after the value"},
      {R"({"a":1)", "offset 6: expected ',' or '}'"},
      {R"("abc)", "offset 4: unterminated string"},
  };
  for (const Refusal& c : cases) {
    absl::StatusOr<JsonValue> v = ParseJson(c.input);
    ASSERT_THAT(v, Not(IsOk())) << c.input;
    EXPECT_THAT(v.status(), StatusIs(absl::StatusCode::kInvalidArgument));
    EXPECT_THAT(v.status().message(), HasSubstr(c.says)) << c.input;
  }
}

TEST(ParseJsonTest, LimitsNestingDepth) {
  std::string ok, deep;
  for (int i = 0; i < kMaxJsonDepth; ++i) ok += "{\"a\":";
  ok += "1" + std::string(kMaxJsonDepth, '}');
  EXPECT_OK(ParseJson(ok));
  for (int i = 0; i <= kMaxJsonDepth; ++i) deep += "{\"a\":";
  deep += "1" + std::string(kMaxJsonDepth + 1, '}');
  EXPECT_THAT(ParseJson(deep).status().message(),
              HasSubstr("nested too deeply"));
}

TEST(ParseJsonTest, KeepsBytesThatAreNotUtf8) {
  // A FixedString holds bytes; the record codec refuses none of them.
  absl::StatusOr<JsonValue> v = ParseJson("\"a\xff\"");
  ASSERT_OK(v);
  EXPECT_EQ(v->text, "a\xff");
}

}  // namespace
}  // namespace internal
}  // namespace kvstore
