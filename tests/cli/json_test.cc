#include "cli/json.h"

#include <cmath>
#include <limits>
#include <string>

#include "gtest/gtest.h"
#include "tests/cli/json_checker.h"

namespace kvstore {
namespace cli {
namespace {

TEST(JsonStringTest, EscapesQuotesBackslashesAndControls) {
  EXPECT_EQ(JsonString("plain"), "\"plain\"");
  EXPECT_EQ(JsonString("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(JsonString("l1\nl2\tx\r"), "\"l1\\nl2\\tx\\r\"");
  EXPECT_EQ(JsonString(std::string("\0\x01\x1f\x7f", 4)),
            "\"\\u0000\\u0001\\u001f\\u007f\"");
}

TEST(JsonStringTest, PassesValidUtf8Through) {
  EXPECT_EQ(JsonString("h\xC3\xA9llo \xE2\x82\xAC \xF0\x9F\x98\x80"),
            "\"h\xC3\xA9llo \xE2\x82\xAC \xF0\x9F\x98\x80\"");
}

TEST(JsonStringTest, ReplacesInvalidUtf8WithReplacementCharacter) {
  // A lone continuation byte, a truncated sequence, an overlong encoding
  // and a UTF-16 surrogate.
  EXPECT_EQ(JsonString("a\x80z"), "\"a\xEF\xBF\xBDz\"");
  EXPECT_EQ(JsonString("\xE2\x82"), "\"\xEF\xBF\xBD\xEF\xBF\xBD\"");
  EXPECT_EQ(JsonString("\xC0\xAF"), "\"\xEF\xBF\xBD\xEF\xBF\xBD\"");
  EXPECT_EQ(JsonString("\xED\xA0\x80"),
            "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");
}

TEST(JsonStringTest, EveryByteStringGivesValidJson) {
  std::string all;
  for (int c = 0; c < 256; ++c) all += static_cast<char>(c);
  EXPECT_TRUE(ParseJson(JsonString(all)).ok()) << JsonString(all);
}

TEST(JsonStringTest, RoundTripsThroughAParser) {
  const std::string text = "q\"b\\n\n\t\x01 \xC3\xA9";
  absl::StatusOr<JsonValue> v = ParseJson(JsonString(text));
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->text, text);
}

TEST(JsonDoubleTest, FiniteValuesAreNumbers) {
  EXPECT_EQ(JsonDouble(2.5), "2.5");
  EXPECT_EQ(JsonDouble(-0.1), "-0.1");
  EXPECT_EQ(JsonDouble(1e300), "1e+300");
  EXPECT_EQ(JsonDouble(0.1 + 0.2), "0.30000000000000004");
}

TEST(JsonDoubleTest, NonFiniteValuesAreStrings) {
  EXPECT_EQ(JsonDouble(std::numeric_limits<double>::quiet_NaN()), "\"nan\"");
  EXPECT_EQ(JsonDouble(std::numeric_limits<double>::infinity()), "\"inf\"");
  EXPECT_EQ(JsonDouble(-std::numeric_limits<double>::infinity()), "\"-inf\"");
}

TEST(Base64EncodeTest, MatchesRfc4648Vectors) {
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foo"), "Zm9v");
  EXPECT_EQ(Base64Encode("foob"), "Zm9vYg==");
  EXPECT_EQ(Base64Encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(Base64Encode(std::string("\xff\xfe\x00", 3)), "//4A");
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

}  // namespace
}  // namespace cli
}  // namespace kvstore
