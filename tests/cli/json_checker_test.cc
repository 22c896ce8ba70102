// The JSON checker the CLI tests rely on can fail: it refuses what is not
// strict JSON, so a test that passes through it proves something.
#include "tests/cli/json_checker.h"

#include <string>

#include "gtest/gtest.h"

namespace kvstore {
namespace cli {
namespace {

TEST(JsonCheckerTest, AcceptsStrictJsonAndKeepsItsStructure) {
  absl::StatusOr<JsonValue> v =
      ParseJson(R"( {"a":[1,-2.5e3,"x\u00e9"],"b":{"c":null,"d":true}} )");
  ASSERT_TRUE(v.ok()) << v.status();
  ASSERT_EQ(v->object.size(), 2u);
  const JsonValue* a = v->Find("a");
  ASSERT_NE(a, nullptr);
  ASSERT_EQ(a->array.size(), 3u);
  EXPECT_EQ(a->array[0].text, "1");
  EXPECT_EQ(a->array[1].number, -2500);
  EXPECT_EQ(a->array[1].text, "-2.5e3");
  EXPECT_EQ(a->array[2].text, "x\xC3\xA9");
  EXPECT_EQ(v->Find("b")->Find("d")->boolean, true);
  EXPECT_EQ(v->Find("b")->Find("c")->kind, JsonValue::Kind::kNull);
}

TEST(JsonCheckerTest, RefusesInvalidUtf8) {
  for (const std::string bad :
       {"\"a\x80z\"", "\"\xC0\xAF\"", "\"\xED\xA0\x80\"", "\"\xE2\x82\"",
        "\"\xFF\"", "{\"\xFF\":1}"}) {
    absl::StatusOr<JsonValue> v = ParseJson(bad);
    EXPECT_FALSE(v.ok()) << "accepted " << bad;
  }
}

TEST(JsonCheckerTest, RefusesRepeatedNames) {
  absl::StatusOr<JsonValue> v = ParseJson(R"({"a":1,"b":2,"a":3})");
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.status().message().find("repeated name 'a'"),
            absl::string_view::npos)
      << v.status();
  EXPECT_FALSE(ParseJson(R"([{"x":{"y":1,"y":1}}])").ok());
  EXPECT_TRUE(ParseJson(R"([{"y":1},{"y":1}])").ok());  // Control.
}

TEST(JsonCheckerTest, RefusesWhatIsNotJson) {
  for (const char* bad :
       {"", "{", "{\"a\":1,}", "[1,]", "01", "+1", "1.", "'a'", "\"a\nb\"",
        "{\"a\":1} {}", "nul", "[1] x", "\"\\x\""}) {
    EXPECT_FALSE(ParseJson(bad).ok()) << "accepted " << bad;
  }
}

}  // namespace
}  // namespace cli
}  // namespace kvstore
