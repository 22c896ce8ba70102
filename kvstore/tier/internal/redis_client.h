// Internal to //kvstore/tier: one hiredis connection (RESP2) with statuses
// instead of hiredis error flags. Not thread-safe; callers serialise.
#ifndef KVSTORE_TIER_INTERNAL_REDIS_CLIENT_H_
#define KVSTORE_TIER_INTERNAL_REDIS_CLIENT_H_

#include <hiredis/hiredis.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "kvstore/tier/redis_url.h"

namespace kvstore {
namespace tier_internal {

struct ReplyDeleter {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using Reply = std::unique_ptr<redisReply, ReplyDeleter>;

class RedisClient {
 public:
  // Connects, then AUTH and SELECT as the endpoint asks. `timeout` bounds
  // the connect and every later read or write of a reply.
  // UNAVAILABLE if the server cannot be reached; UNAUTHENTICATED for a
  // wrong or missing password; INVALID_ARGUMENT for a database the server
  // does not have.
  static absl::StatusOr<std::unique_ptr<RedisClient>> Connect(
      const RedisEndpoint& endpoint, absl::Duration timeout);

  ~RedisClient();
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  // Sends one command and reads its reply. An error reply becomes the
  // status ErrorReplyStatus gives; a broken connection UNAVAILABLE (after
  // which broken() is true and every call fails).
  absl::StatusOr<Reply> Command(const std::vector<absl::string_view>& args);

  // Pipelining: Append queues a command; GetReply sends what is queued
  // and reads one reply (error replies are returned as replies).
  void Append(const std::vector<absl::string_view>& args);
  absl::StatusOr<Reply> GetReply();

  // For a subscribed connection: writes what Append queued.
  absl::Status FlushOutput();
  // Reads what the socket holds (call when poll says readable).
  absl::Status ReadInput();
  // The next complete reply already read, or nullptr if there is none.
  absl::StatusOr<Reply> NextBufferedReply();

  int fd() const;
  bool broken() const { return broken_; }
  const std::string& description() const { return description_; }

 private:
  RedisClient(redisContext* context, std::string description)
      : context_(context), description_(std::move(description)) {}
  absl::Status IoError(absl::string_view what);

  redisContext* context_;
  std::string description_;
  bool broken_ = false;
};

// The status for a Redis error reply to `command`: FAILED_PRECONDITION for
// WRONGTYPE and "not an integer", OUT_OF_RANGE for an increment overflow,
// UNAUTHENTICATED for NOAUTH and WRONGPASS, PERMISSION_DENIED for NOPERM,
// UNAVAILABLE for LOADING, BUSY, MASTERDOWN and TRYAGAIN,
// RESOURCE_EXHAUSTED for OOM, INTERNAL otherwise.
absl::Status ErrorReplyStatus(absl::string_view command,
                              absl::string_view description,
                              absl::string_view error);

}  // namespace tier_internal
}  // namespace kvstore

#endif  // KVSTORE_TIER_INTERNAL_REDIS_CLIENT_H_
