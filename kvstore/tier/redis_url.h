// Where a Redis server is, parsed from a URL in the forms redis-cli's -u
// and redis-py accept:
//
//   redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]     TCP (PORT defaults to 6379)
//   unix://[[USER]:PASSWORD@]/PATH/TO/SOCKET[?db=DB]
//
//   absl::StatusOr<kvstore::RedisEndpoint> e =
//       kvstore::ParseRedisUrl("redis://:secret@cache.local:6380/2");
//   // e->host == "cache.local", e->port == 6380, e->password == "secret",
//   // e->db == 2
//
// USER and PASSWORD may hold %XX escapes. HOST may be an IPv6 address in
// brackets ("redis://[::1]:6379"). TLS (rediss://) is not supported.
#ifndef KVSTORE_TIER_REDIS_URL_H_
#define KVSTORE_TIER_REDIS_URL_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace kvstore {

struct RedisEndpoint {
  // Exactly one of `host` (TCP) and `unix_path` (a unix socket) is set.
  std::string host;
  int port = 6379;
  std::string unix_path;
  // ACL user; empty means the default user (AUTH PASSWORD).
  std::string user;
  // Empty means no AUTH.
  std::string password;
  // Database number, for SELECT. Default: 0.
  int db = 0;

  // The URL without the password ("redis://host:6379/0",
  // "unix:///run/redis.sock?db=0"), for logs and error messages.
  std::string Describe() const;
};

// Parses `url`. Returns INVALID_ARGUMENT naming the URL (password hidden)
// and what is wrong: an unknown or missing scheme (rediss:// included), an
// empty host or socket path, a port outside 1 to 65535, a database that is
// not a whole number from 0 to 2^31 - 1, a bad %XX escape, or anything
// after the database.
absl::StatusOr<RedisEndpoint> ParseRedisUrl(absl::string_view url);

}  // namespace kvstore

#endif  // KVSTORE_TIER_REDIS_URL_H_
