#include "kvstore/tier/internal/redis_session.h"

#include "absl/strings/str_cat.h"

namespace kvstore {
namespace tier_internal {

absl::Status RedisSession::ConnectLocked() {
  if (client_ != nullptr && !client_->broken()) return absl::OkStatus();
  client_.reset();
  absl::StatusOr<std::unique_ptr<RedisClient>> c =
      RedisClient::Connect(endpoint_, timeout_);
  if (!c.ok()) return c.status();
  client_ = *std::move(c);
  return absl::OkStatus();
}

absl::Status RedisSession::Connect() {
  std::lock_guard<std::mutex> lock(mu_);
  return ConnectLocked();
}

absl::StatusOr<Reply> RedisSession::Run(
    const std::vector<absl::string_view>& args) {
  std::lock_guard<std::mutex> lock(mu_);
  absl::Status s = ConnectLocked();
  if (!s.ok()) return s;
  absl::StatusOr<Reply> r = client_->Command(args);
  if (client_->broken()) client_.reset();
  return r;
}

absl::StatusOr<RedisSession::Fetched> RedisSession::Fetch(
    absl::string_view key) {
  std::lock_guard<std::mutex> lock(mu_);
  absl::Status s = ConnectLocked();
  if (!s.ok()) return s;
  client_->Append({"GET", key});
  client_->Append({"PTTL", key});
  absl::StatusOr<Reply> get = client_->GetReply();
  absl::StatusOr<Reply> pttl =
      get.ok() ? client_->GetReply() : absl::StatusOr<Reply>(get.status());
  if (client_->broken()) client_.reset();
  if (!get.ok()) return get.status();
  if (!pttl.ok()) return pttl.status();
  const std::string description = endpoint_.Describe();
  const redisReply* g = get->get();
  if (g->type == REDIS_REPLY_ERROR) {
    return ErrorReplyStatus(absl::StrCat("GET '", key, "'"), description,
                            absl::string_view(g->str, g->len));
  }
  if (g->type == REDIS_REPLY_NIL) {
    return absl::NotFoundError(
        absl::StrCat("key '", key, "' not found in Redis at ", description));
  }
  if (g->type != REDIS_REPLY_STRING) {
    return absl::InternalError(
        absl::StrCat("Redis GET '", key, "' at ", description,
                     ": unexpected reply type ", g->type));
  }
  Fetched f;
  f.value.assign(g->str, g->len);
  const redisReply* p = pttl->get();
  if (p->type == REDIS_REPLY_INTEGER && p->integer >= 0) {
    f.pttl_ms = p->integer;
  } else if (p->type == REDIS_REPLY_INTEGER && p->integer == -2) {
    // Expired between the two commands.
    return absl::NotFoundError(
        absl::StrCat("key '", key, "' not found in Redis at ", description));
  }
  return f;
}

}  // namespace tier_internal
}  // namespace kvstore
