// Internal to //kvstore/tier: a Tier's connection to Redis, shared by its
// threads, reconnected on demand, with the commands a Tier sends.
#ifndef KVSTORE_TIER_INTERNAL_REDIS_SESSION_H_
#define KVSTORE_TIER_INTERNAL_REDIS_SESSION_H_

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "kvstore/tier/internal/redis_client.h"
#include "kvstore/tier/redis_url.h"

namespace kvstore {
namespace tier_internal {

class RedisSession {
 public:
  RedisSession(RedisEndpoint endpoint, absl::Duration timeout)
      : endpoint_(std::move(endpoint)), timeout_(timeout) {}

  // Connects if not connected (see RedisClient::Connect for the codes).
  absl::Status Connect();

  // Runs one command, connecting first if needed. A broken connection is
  // dropped (UNAVAILABLE) and the next call connects again. Error replies
  // become statuses (ErrorReplyStatus).
  absl::StatusOr<Reply> Run(const std::vector<absl::string_view>& args);

  struct Fetched {
    std::string value;
    int64_t pttl_ms = -1;  // -1: no TTL.
  };
  // GET and PTTL in one round trip. NOT_FOUND if the key is absent,
  // FAILED_PRECONDITION if it holds another type than a string.
  absl::StatusOr<Fetched> Fetch(absl::string_view key);

  const RedisEndpoint& endpoint() const { return endpoint_; }

 private:
  absl::Status ConnectLocked();

  const RedisEndpoint endpoint_;
  const absl::Duration timeout_;
  std::mutex mu_;
  std::unique_ptr<RedisClient> client_;  // Under mu_; null if broken.
};

}  // namespace tier_internal
}  // namespace kvstore

#endif  // KVSTORE_TIER_INTERNAL_REDIS_SESSION_H_
