#include "cli/flags.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/status_matchers.h"

namespace kvstore {
namespace cli {
namespace {

using ::kvstore::testing::IsOk;
using ::kvstore::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

ParsedArgs Parse(const std::vector<std::string>& args) {
  absl::StatusOr<ParsedArgs> parsed = ParseArgs(args, KnownFlags());
  EXPECT_OK(parsed);
  return parsed.ok() ? *parsed : ParsedArgs();
}

TEST(ParseArgsTest, FlagsMayComeBeforeOrAfterTheCommand) {
  ParsedArgs before = Parse({"--store=/a", "get", "k"});
  ParsedArgs after = Parse({"get", "k", "--store=/a"});
  EXPECT_THAT(before.positionals, ElementsAre("get", "k"));
  EXPECT_EQ(before.positionals, after.positionals);
  EXPECT_EQ(before.flags, after.flags);
}

TEST(ParseArgsTest, ValueMayFollowAsSeparateToken) {
  ParsedArgs p = Parse({"--store", "/a", "list", "--prefix", "-x"});
  EXPECT_THAT(p.positionals, ElementsAre("list"));
  EXPECT_THAT(p.flags,
              UnorderedElementsAre(Pair("store", "/a"), Pair("prefix", "-x")));
}

TEST(ParseArgsTest, EmptyValueAfterEqualsIsKept) {
  EXPECT_THAT(Parse({"list", "--prefix="}).flags,
              ElementsAre(Pair("prefix", "")));
}

TEST(ParseArgsTest, BooleanAndShortFlags) {
  ParsedArgs p = Parse({"get", "k", "--json", "-n", "-h"});
  EXPECT_THAT(p.flags, UnorderedElementsAre(Pair("json", ""), Pair("raw", ""),
                                            Pair("help", "")));
}

TEST(ParseArgsTest, DoubleDashEndsFlags) {
  ParsedArgs p = Parse({"set", "--", "--key", "-v", "--json"});
  EXPECT_THAT(p.positionals, ElementsAre("set", "--key", "-v", "--json"));
  EXPECT_TRUE(p.flags.empty());
}

TEST(ParseArgsTest, NegativeNumbersAreArguments) {
  ParsedArgs p = Parse({"incr", "k", "-3", "-2.5", "-1e9", "-inf"});
  EXPECT_THAT(p.positionals,
              ElementsAre("incr", "k", "-3", "-2.5", "-1e9", "-inf"));
  EXPECT_TRUE(p.unknown_flags.empty());
}

TEST(ParseArgsTest, SingleDashIsAnArgument) {
  EXPECT_THAT(Parse({"set", "k", "-"}).positionals,
              ElementsAre("set", "k", "-"));
}

TEST(ParseArgsTest, UnknownFlagsAreCollected) {
  ParsedArgs p = Parse({"get", "--colour=red", "-x", "k"});
  EXPECT_THAT(p.unknown_flags, ElementsAre("--colour=red", "-x"));
  EXPECT_THAT(p.positionals, ElementsAre("get", "k"));
}

TEST(ParseArgsTest, LastOfARepeatedFlagWins) {
  EXPECT_THAT(Parse({"--store=/a", "get", "k", "--store=/b"}).flags,
              ElementsAre(Pair("store", "/b")));
}

TEST(ParseArgsTest, ValueFlagWithoutValueIsAnError) {
  absl::StatusOr<ParsedArgs> p =
      ParseArgs({"get", "k", "--store"}, KnownFlags());
  ASSERT_THAT(p, Not(IsOk()));
  EXPECT_THAT(p.status().message(), HasSubstr("--store needs a value"));
}

TEST(ParseArgsTest, BooleanFlagWithValueIsAnError) {
  absl::StatusOr<ParsedArgs> p =
      ParseArgs({"get", "k", "--json=1"}, KnownFlags());
  ASSERT_THAT(p, Not(IsOk()));
  EXPECT_THAT(p.status().message(), HasSubstr("--json takes no value"));
}

TEST(IsNumberTest, AcceptsNumbersOnly) {
  for (const char* yes : {"0", "-3", "+4", "2.5", "-1e9", "-inf", "nan"}) {
    EXPECT_TRUE(IsNumber(yes)) << yes;
  }
  for (const char* no : {"", "-", "-x", "--", "-3x", "--5", "1 2"}) {
    EXPECT_FALSE(IsNumber(no)) << no;
  }
}

TEST(ParseUnsignedFlagTest, AcceptsDecimalInRange) {
  EXPECT_EQ(*ParseUnsignedFlag("capacity", "0", 10), 0u);
  EXPECT_EQ(*ParseUnsignedFlag("capacity", "10", 10), 10u);
}

TEST(ParseUnsignedFlagTest, RejectsEverythingElse) {
  for (const char* bad : {"", "11", "-1", "+1", " 1", "1 ", "0x10", "abc",
                          "1.5", "99999999999999999999999"}) {
    absl::StatusOr<uint64_t> v = ParseUnsignedFlag("capacity", bad, 10);
    ASSERT_THAT(v, Not(IsOk())) << bad;
    EXPECT_THAT(v.status().message(), HasSubstr("--capacity='"));
  }
}

TEST(ParseSizeFlagTest, AcceptsBytesAndBinarySuffixes) {
  EXPECT_EQ(*ParseSizeFlag("memory", "0", 1 << 20), 0u);
  EXPECT_EQ(*ParseSizeFlag("memory", "4096", 1 << 20), 4096u);
  EXPECT_EQ(*ParseSizeFlag("memory", "64K", 1 << 20), 65536u);
  EXPECT_EQ(*ParseSizeFlag("memory", "64kb", 1 << 20), 65536u);
  EXPECT_EQ(*ParseSizeFlag("memory", "1MiB", 1 << 20), uint64_t{1} << 20);
  EXPECT_EQ(*ParseSizeFlag("memory", "4G", uint64_t{1} << 40),
            uint64_t{4} << 30);
  EXPECT_EQ(*ParseSizeFlag("memory", "1T", uint64_t{1} << 40),
            uint64_t{1} << 40);
}

TEST(ParseSizeFlagTest, RejectsEverythingElse) {
  for (const char* bad : {"", "K", "-1", "1.5G", "4X", "4 G", "iB", "4GiBs",
                          "2T", "99999999999999999999"}) {
    absl::StatusOr<uint64_t> v =
        ParseSizeFlag("memory", bad, uint64_t{1} << 40);
    EXPECT_THAT(v.status(), StatusIs(absl::StatusCode::kInvalidArgument))
        << bad;
    EXPECT_NE(v.status().message().find("--memory"), std::string::npos);
  }
}

TEST(ParseOctalModeTest, AcceptsOctalUpTo0777) {
  EXPECT_EQ(*ParseOctalMode("0640"), 0640u);
  EXPECT_EQ(*ParseOctalMode("600"), 0600u);
  EXPECT_EQ(*ParseOctalMode("0777"), 0777u);
}

TEST(ParseOctalModeTest, RejectsNonOctalAndLargeModes) {
  for (const char* bad : {"", "0800", "abc", "1777", "07777", "-600", "6 00"}) {
    EXPECT_THAT(ParseOctalMode(bad), Not(IsOk())) << bad;
  }
}

TEST(ParseEvictionTest, AcceptsNoneAndClockOnly) {
  EXPECT_EQ(*ParseEviction("none"), Eviction::kNone);
  EXPECT_EQ(*ParseEviction("clock"), Eviction::kClock);
  for (const char* bad : {"", "lru", "Clock", "1"}) {
    EXPECT_THAT(ParseEviction(bad), Not(IsOk())) << bad;
  }
}

TEST(ParseDurationTest, AcceptsUnitsAndCombinations) {
  const std::pair<const char*, absl::Duration> cases[] = {
      {"500ms", absl::Milliseconds(500)},
      {"30s", absl::Seconds(30)},
      {"5m", absl::Minutes(5)},
      {"2h", absl::Hours(2)},
      {"1d", absl::Hours(24)},
      {"1h30m", absl::Minutes(90)},
      {"1d12h", absl::Hours(36)},
      {"1.5s", absl::Milliseconds(1500)},
      {"0.5d", absl::Hours(12)},
      {"1m0s", absl::Minutes(1)},
      {"3652d", kMaxDuration},
  };
  for (const auto& [text, want] : cases) {
    absl::StatusOr<absl::Duration> got = ParseDuration(text);
    ASSERT_OK(got) << text;
    EXPECT_EQ(*got, want) << text;
  }
}

TEST(ParseDurationTest, RejectsZeroNegativesAndGarbageSayingWhy) {
  const std::pair<const char*, const char*> cases[] = {
      {"", "it is empty"},
      {"0", "'0' has no unit"},
      {"0s", "it is zero"},
      {"0d0h", "it is zero"},
      {"-5s", "it is negative"},
      {"+5s", "expected a number at '+5s'"},
      {"30", "'30' has no unit"},
      {"5x", "unknown unit 'x'"},
      {"5sec", "unknown unit 'sec'"},
      {"5us", "unknown unit 'us'"},
      {"inf", "expected a number at 'inf'"},
      {"1h 30m", "expected a number at ' 30m'"},
      {"1..5s", "'1..5' is not a number"},
      {"s", "expected a number at 's'"},
      {"3653d", "longer than 10 years"},
      {"99999999999999999999d", "is not a number"},
  };
  for (const auto& [text, why] : cases) {
    absl::StatusOr<absl::Duration> got = ParseDuration(text);
    ASSERT_THAT(got, Not(IsOk())) << text;
    EXPECT_THAT(got.status().message(), HasSubstr(why)) << text;
    EXPECT_THAT(got.status().message(), HasSubstr("not a valid duration"));
  }
}

}  // namespace
}  // namespace cli
}  // namespace kvstore
