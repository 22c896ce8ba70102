#include "cli/format.h"

#include <limits>
#include <optional>
#include <string>

#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/cli/json_checker.h"
#include "tests/status_matchers.h"

namespace kvstore {
namespace cli {
namespace {

using ::testing::HasSubstr;

TEST(FormatGetOutputTest, TextTypesEndWithNewlineUnlessRaw) {
  EXPECT_EQ(FormatGetOutput(Value::String("hi"), false), "hi\n");
  EXPECT_EQ(FormatGetOutput(Value::String("hi"), true), "hi");
  EXPECT_EQ(FormatGetOutput(Value::Int64(-7), false), "-7\n");
  EXPECT_EQ(FormatGetOutput(Value::Double(2.5), false), "2.5\n");
  EXPECT_EQ(FormatGetOutput(Value::Bool(true), false), "true\n");
}

TEST(FormatGetOutputTest, BytesAreWrittenExactlyWithoutNewline) {
  const std::string data("a\0\n", 3);
  EXPECT_EQ(FormatGetOutput(Value::Bytes(data), false), data);
  EXPECT_EQ(FormatGetOutput(Value::Bytes(data), true), data);
}

TEST(FormatEntryJsonTest, EachTypeHasItsJsonForm) {
  const double inf = std::numeric_limits<double>::infinity();
  const std::pair<Value, std::string> cases[] = {
      {Value::String("a\"b"), R"({"key":"k","type":"string","value":"a\"b"})"},
      {Value::Int64(-42), R"({"key":"k","type":"int64","value":-42})"},
      {Value::Double(0.5), R"({"key":"k","type":"double","value":0.5})"},
      {Value::Double(inf), R"({"key":"k","type":"double","value":"inf"})"},
      {Value::Double(-inf), R"({"key":"k","type":"double","value":"-inf"})"},
      {Value::Double(std::nan("")),
       R"({"key":"k","type":"double","value":"nan"})"},
      {Value::Bool(false), R"({"key":"k","type":"bool","value":false})"},
      {Value::Bytes("foo"),
       R"({"key":"k","type":"bytes","value":"Zm9v","encoding":"base64"})"},
  };
  for (const auto& [value, json] : cases) {
    EXPECT_EQ(FormatEntryJson("k", value), json);
    EXPECT_OK(ParseJson(json));
  }
}

TEST(EscapeFieldTest, NoTabOrLineBreakSurvives) {
  EXPECT_EQ(EscapeField("plain text"), "plain text");
  EXPECT_EQ(EscapeField("a\tb\nc\rd\\e"), "a\\tb\\nc\\rd\\\\e");
  EXPECT_EQ(EscapeField(std::string("\0\x1b\x7f", 3)), "\\x00\\x1b\\x7f");
  EXPECT_EQ(EscapeField("\xC3\xA9"), "\xC3\xA9");
}

TEST(FormatListLineTest, IsKeyTabTypeTabValue) {
  EXPECT_EQ(FormatListLine("n", Value::Int64(3)), "n\tint64\t3\n");
  EXPECT_EQ(FormatListLine("k\tx", Value::String("l1\nl2")),
            "k\\tx\tstring\tl1\\nl2\n");
}

TEST(FormatTimeUtcTest, IsRfc3339InUtc) {
  EXPECT_EQ(FormatTimeUtc(absl::FromUnixSeconds(0)), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatTimeUtc(absl::FromUnixSeconds(1700000000) +
                          absl::Milliseconds(900)),
            "2023-11-14T22:13:20Z");
}

TEST(FormatModeTest, IsFourOctalDigits) {
  EXPECT_EQ(FormatMode(0600), "0600");
  EXPECT_EQ(FormatMode(0640), "0640");
  EXPECT_EQ(FormatMode(0), "0000");
}

TEST(FormatFoundJsonTest, FoundEntriesCarryTheirValueMissingOnesOnlyAKey) {
  const Value v = Value::Int64(7);
  EXPECT_EQ(FormatFoundJson("n", &v),
            R"({"key":"n","found":true,"type":"int64","value":7})");
  const Value b = Value::Bytes("foo");
  EXPECT_EQ(FormatFoundJson("x", &b),
            R"({"key":"x","found":true,"type":"bytes","value":"Zm9v",)"
            R"("encoding":"base64"})");
  EXPECT_EQ(FormatFoundJson("gone", nullptr),
            R"({"key":"gone","found":false})");
}

TEST(FormatTtlTest, SecondsWithMillisecondsRoundedUp) {
  EXPECT_EQ(FormatTtlText(absl::Milliseconds(29512)), "29.512");
  EXPECT_EQ(FormatTtlText(absl::Microseconds(29511001)), "29.512");
  EXPECT_EQ(FormatTtlText(absl::Nanoseconds(1)), "0.001");
  EXPECT_EQ(FormatTtlText(absl::Hours(48)), "172800.000");
  EXPECT_EQ(FormatTtlText(absl::InfiniteDuration()), "none");
  EXPECT_EQ(TtlMillis(absl::Microseconds(1500)), 2);
  EXPECT_EQ(TtlMillis(absl::InfiniteDuration()), std::nullopt);
}

StoreStats SampleStats() {
  StoreStats s;
  s.name = "/x";
  s.segment_bytes = 8192;
  s.mode = 0640;
  s.owner_uid = 1000;
  s.owner_gid = 100;
  s.capacity = 3;
  s.slot_count = 4;
  s.slot_bytes = 152;
  s.max_key_bytes = 16;
  s.max_value_bytes = 128;
  s.eviction = Eviction::kNone;
  s.entry_count = 1;
  s.load_factor = 0.25;
  s.tombstones = 0;
  s.data_bytes = 4096;
  s.data_used_bytes = 1040;
  s.data_free_bytes = 3056;
  s.data_entries = 1;
  s.largest_storable = 2040;
  s.rounding_bytes = 16;
  s.fragmented_bytes = 1008;
  s.compactions = 3;
  s.compacted_bytes = 4800;
  s.created = absl::FromUnixSeconds(0);
  s.hits = 10;
  s.misses = 3;
  s.sets = 4;
  s.deletes = 1;
  s.expirations = 2;
  s.evictions = 5;
  s.recoveries = 2;
  s.last_recovery = absl::FromUnixSeconds(60);
  s.longest_repair = absl::Microseconds(1500);
  s.lock_resets = 0;
  s.lock_waits = 6;
  s.lock_wait_time = absl::Milliseconds(7);
  s.long_lock_waits = 2;
  s.longest_lock_wait = absl::Microseconds(2500);
  return s;
}

TEST(FormatStatsTextTest, OneFieldPerLine) {
  EXPECT_EQ(FormatStatsText(SampleStats()),
            "name: /x\n"
            "size_bytes: 8192\n"
            "mode: 0640\n"
            "writable_by_others: no\n"
            "owner_uid: 1000\n"
            "owner_gid: 100\n"
            "capacity: 3\n"
            "slots: 4\n"
            "slot_bytes: 152\n"
            "max_key_bytes: 16\n"
            "max_value_bytes: 128\n"
            "eviction: none\n"
            "entries: 1\n"
            "load_factor: 0.2500\n"
            "tombstones: 0\n"
            "data_bytes: 4096\n"
            "data_used_bytes: 1040\n"
            "data_free_bytes: 3056\n"
            "data_entries: 1\n"
            "largest_storable_bytes: 2040\n"
            "rounding_bytes: 16\n"
            "fragmented_bytes: 1008\n"
            "compactions: 3\n"
            "compacted_bytes: 4800\n"
            "created: 1970-01-01T00:00:00Z\n"
            "hits: 10\n"
            "misses: 3\n"
            "sets: 4\n"
            "deletes: 1\n"
            "expirations: 2\n"
            "evictions: 5\n"
            "recoveries: 2\n"
            "last_recovery: 1970-01-01T00:01:00Z\n"
            "longest_repair_us: 1500\n"
            "lock_resets: 0\n"
            "lock_waits: 6\n"
            "lock_wait_time_us: 7000\n"
            "long_lock_waits: 2\n"
            "longest_lock_wait_us: 2500\n");
}

TEST(FormatStatsTextTest, NoRecoveryReadsNever) {
  StoreStats s = SampleStats();
  s.last_recovery = absl::InfinitePast();
  EXPECT_THAT(FormatStatsText(s), HasSubstr("\nlast_recovery: never\n"));
}

TEST(FormatStatsTextTest, GroupOrOtherWriteBitsAreFlagged) {
  StoreStats s = SampleStats();
  for (mode_t mode : {0620, 0602, 0666}) {
    s.mode = mode;
    EXPECT_THAT(FormatStatsText(s), HasSubstr("\nwritable_by_others: yes\n"))
        << FormatMode(mode);
    EXPECT_THAT(FormatStatsJson(s), HasSubstr(R"("writable_by_others":true,)"));
  }
  s.mode = 0644;
  EXPECT_THAT(FormatStatsText(s), HasSubstr("\nwritable_by_others: no\n"));
}

TEST(FormatStatsTextTest, ClockEvictionIsNamed) {
  StoreStats s = SampleStats();
  s.eviction = Eviction::kClock;
  EXPECT_THAT(FormatStatsText(s), HasSubstr("\neviction: clock\n"));
  EXPECT_THAT(FormatStatsJson(s), HasSubstr(R"("eviction":"clock",)"));
}

TEST(FormatStatsJsonTest, OneObjectWithTheSameFields) {
  const std::string json = FormatStatsJson(SampleStats());
  EXPECT_EQ(json,
            R"({"name":"/x","size_bytes":8192,"mode":"0640",)"
            R"("writable_by_others":false,)"
            R"("owner_uid":1000,"owner_gid":100,"capacity":3,"slots":4,)"
            R"("slot_bytes":152,"max_key_bytes":16,"max_value_bytes":128,)"
            R"("eviction":"none",)"
            R"("entries":1,"load_factor":0.2500,"tombstones":0,)"
            R"("data_bytes":4096,"data_used_bytes":1040,)"
            R"("data_free_bytes":3056,"data_entries":1,)"
            R"("largest_storable_bytes":2040,"rounding_bytes":16,)"
            R"("fragmented_bytes":1008,"compactions":3,)"
            R"("compacted_bytes":4800,)"
            R"("created":"1970-01-01T00:00:00Z","hits":10,"misses":3,)"
            R"("sets":4,"deletes":1,"expirations":2,"evictions":5,)"
            R"("recoveries":2,"last_recovery":"1970-01-01T00:01:00Z",)"
            R"("longest_repair_us":1500,"lock_resets":0,"lock_waits":6,)"
            R"("lock_wait_time_us":7000,"long_lock_waits":2,)"
            R"("longest_lock_wait_us":2500})");
  EXPECT_OK(ParseJson(json));
  StoreStats s = SampleStats();
  s.last_recovery = absl::InfinitePast();
  EXPECT_THAT(FormatStatsJson(s), HasSubstr(R"("last_recovery":null,)"));
}

}  // namespace
}  // namespace cli
}  // namespace kvstore
