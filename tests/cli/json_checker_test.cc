// The JSON checker the CLI tests rely on can fail: it refuses what is not
// strict JSON, so a test that passes through it proves something.
#include "tests/cli/json_checker.h"

#include <string>

#include "gtest/gtest.h"
#include "tests/status_matchers.h"

namespace kvstore {
namespace cli {
namespace {

using ::kvstore::testing::IsOk;
using ::testing::Not;

TEST(JsonCheckerTest, AcceptsStrictJsonAndKeepsItsStructure) {
  absl::StatusOr<JsonValue> v =
      ParseJson(R"( {"a":[1,-2.5e3,"x\u00e9"],"b":{"c":null,"d":true}} )");
  ASSERT_OK(v);
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
    EXPECT_THAT(v, Not(IsOk())) << "accepted " << bad;
  }
}

TEST(JsonCheckerTest, RefusesRepeatedNames) {
  absl::StatusOr<JsonValue> v = ParseJson(R"({"a":1,"b":2,"a":3})");
  ASSERT_THAT(v, Not(IsOk()));
  EXPECT_NE(v.status().message().find("repeated name 'a'"),
            absl::string_view::npos)
      << v.status();
  EXPECT_THAT(ParseJson(R"([{"x":{"y":1,"y":1}}])"), Not(IsOk()));
  EXPECT_OK(ParseJson(R"([{"y":1},{"y":1}])"));  // Control.
}

TEST(JsonCheckerTest, RefusesWhatIsNotJson) {
  for (const char* bad :
       {"", "{", "{\"a\":1,}", "[1,]", "01", "+1", "1.", "'a'", "\"a\nb\"",
        "{\"a\":1} {}", "nul", "[1] x", "\"\\x\""}) {
    EXPECT_THAT(ParseJson(bad), Not(IsOk())) << "accepted " << bad;
  }
}

}  // namespace
}  // namespace cli
}  // namespace kvstore
