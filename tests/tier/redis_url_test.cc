#include "kvstore/tier/redis_url.h"

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "tests/status_matchers.h"

namespace kvstore {
namespace {

using ::kvstore::testing::StatusIs;

TEST(RedisUrlTest, ParsesTcpWithEverything) {
  absl::StatusOr<RedisEndpoint> e =
      ParseRedisUrl("redis://alice:s%40cret@cache.local:6380/2");
  ASSERT_OK(e);
  EXPECT_EQ(e->host, "cache.local");
  EXPECT_EQ(e->port, 6380);
  EXPECT_EQ(e->user, "alice");
  EXPECT_EQ(e->password, "s@cret");
  EXPECT_EQ(e->db, 2);
  EXPECT_TRUE(e->unix_path.empty());
  EXPECT_EQ(e->Describe(), "redis://alice:***@cache.local:6380/2");
}

TEST(RedisUrlTest, DefaultsPortAndDatabase) {
  absl::StatusOr<RedisEndpoint> e = ParseRedisUrl("redis://localhost");
  ASSERT_OK(e);
  EXPECT_EQ(e->port, 6379);
  EXPECT_EQ(e->db, 0);
  EXPECT_TRUE(e->password.empty());
}

TEST(RedisUrlTest, PasswordWithoutUser) {
  absl::StatusOr<RedisEndpoint> e = ParseRedisUrl("redis://:pw@h:1/0");
  ASSERT_OK(e);
  EXPECT_EQ(e->password, "pw");
  EXPECT_TRUE(e->user.empty());
}

TEST(RedisUrlTest, Ipv6Host) {
  absl::StatusOr<RedisEndpoint> e = ParseRedisUrl("redis://[::1]:7000");
  ASSERT_OK(e);
  EXPECT_EQ(e->host, "::1");
  EXPECT_EQ(e->port, 7000);
  EXPECT_EQ(e->Describe(), "redis://[::1]:7000/0");
}

TEST(RedisUrlTest, UnixSocketWithDatabase) {
  absl::StatusOr<RedisEndpoint> e =
      ParseRedisUrl("unix:///run/redis/redis.sock?db=3");
  ASSERT_OK(e);
  EXPECT_EQ(e->unix_path, "/run/redis/redis.sock");
  EXPECT_EQ(e->db, 3);
  EXPECT_TRUE(e->host.empty());
}

TEST(RedisUrlTest, UnixSocketWithPassword) {
  absl::StatusOr<RedisEndpoint> e = ParseRedisUrl("unix://:pw@/tmp/r.sock");
  ASSERT_OK(e);
  EXPECT_EQ(e->unix_path, "/tmp/r.sock");
  EXPECT_EQ(e->password, "pw");
}

TEST(RedisUrlTest, RejectsBadUrlsWithInvalidArgument) {
  const char* const kBad[] = {
      "",
      "localhost:6379",
      "http://localhost",
      "rediss://localhost",
      "redis://",
      "redis://:6379",
      "redis://host:0",
      "redis://host:65536",
      "redis://host:port",
      "redis://host:6379/x",
      "redis://host:6379/-1",
      "redis://host:6379/1/2",
      "redis://host/0?db=1",
      "redis://[::1",
      "redis://:bad%zz@host",
      "redis://:bad%4@host",
      "unix://",
      "unix://relative.sock",
      "unix:///tmp/r.sock?db=x",
      "unix:///tmp/r.sock?timeout=1",
  };
  for (const char* url : kBad) {
    absl::StatusOr<RedisEndpoint> e = ParseRedisUrl(url);
    EXPECT_THAT(e.status(), StatusIs(absl::StatusCode::kInvalidArgument))
        << url;
  }
}

TEST(RedisUrlTest, ErrorsHideThePassword) {
  absl::StatusOr<RedisEndpoint> e = ParseRedisUrl("redis://u:hunter2@h:0");
  ASSERT_THAT(e.status(), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_FALSE(absl::StrContains(e.status().message(), "hunter2"))
      << e.status();
}

}  // namespace
}  // namespace kvstore
