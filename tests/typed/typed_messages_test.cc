// Errors of a typed store name a key by its record's text (as the CLI
// takes it), never by its raw bytes, so that callers can show them as they
// are.
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kvstore/typed_map.h"
#include "tests/status_matchers.h"
#include "tests/test_util.h"
#include "tests/typed/test_types.h"

namespace kvstore_test {
namespace {

using ::kvstore::FixedString;
using ::kvstore::Options;
using ::kvstore::TypedMap;
using ::kvstore::testing::ScopedStoreName;
using ::kvstore::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

TEST(TypedMessagesTest, AMissingIntegerKeyIsNamedByItsNumber) {
  ScopedStoreName name("msg_int");
  auto map = TypedMap<uint64_t, Counter>::Open(name.name(), Create(16));
  ASSERT_OK(map);
  const absl::Status statuses[] = {
      (*map)->Expire(4242, absl::Hours(1)),
      (*map)->Persist(4242),
      (*map)->Erase(4242),
  };
  for (const absl::Status& s : statuses) {
    EXPECT_THAT(s, StatusIs(absl::StatusCode::kNotFound));
    EXPECT_THAT(std::string(s.message()), HasSubstr("key '4242'")) << s;
    // 4242 is 0x1092: its raw little-endian bytes would start "\x92\x10".
    EXPECT_THAT(std::string(s.message()), Not(HasSubstr("\x92\x10"))) << s;
  }
}

TEST(TypedMessagesTest, AStructKeyIsNamedByItsJsonText) {
  ScopedStoreName name("msg_struct");
  auto map = TypedMap<Point, Counter>::Open(name.name(), Create(16));
  ASSERT_OK(map);
  const absl::Status s = (*map)->Erase(Point{3, -4});
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(std::string(s.message()), HasSubstr("key '{\"x\":3,\"y\":-4}'"))
      << s;
}

TEST(TypedMessagesTest, AStringKeyIsNamedByItsText) {
  ScopedStoreName name("msg_str");
  auto map = TypedMap<FixedString<8>, Counter>::Open(name.name(), Create(16));
  ASSERT_OK(map);
  const absl::Status s = (*map)->Persist(FixedString<8>("bob"));
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(std::string(s.message()), HasSubstr("key 'bob'")) << s;
}

}  // namespace
}  // namespace kvstore_test
