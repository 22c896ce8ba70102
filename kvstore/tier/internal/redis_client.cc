#include "kvstore/tier/internal/redis_client.h"

#include <pthread.h>
#include <signal.h>
#include <sys/time.h>
#include <time.h>

#include <cerrno>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace kvstore {
namespace tier_internal {
namespace {

timeval TimeoutToTimeval(absl::Duration d) {
  return absl::ToTimeval(d < absl::Milliseconds(1) ? absl::Milliseconds(1) : d);
}

// Blocks SIGPIPE in this thread while it lives, and swallows one that a
// write to a closed socket raised meanwhile: a lost Redis must come back as
// UNAVAILABLE, not kill the process. (hiredis writes with write(2), which
// has no MSG_NOSIGNAL.) The process's own SIGPIPE handling is untouched.
class ScopedSigpipeBlock {
 public:
  ScopedSigpipeBlock() {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    sigset_t pending;
    sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
    pthread_sigmask(SIG_BLOCK, &pipe_, &old_);
  }
  ~ScopedSigpipeBlock() {
    if (!was_pending_) {
      sigset_t pending;
      sigpending(&pending);
      if (sigismember(&pending, SIGPIPE) == 1) {
        const timespec zero = {0, 0};
        while (sigtimedwait(&pipe_, nullptr, &zero) < 0 && errno == EINTR) {
        }
      }
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }

 private:
  sigset_t pipe_;
  sigset_t old_;
  bool was_pending_ = false;
};

}  // namespace

absl::Status ErrorReplyStatus(absl::string_view command,
                              absl::string_view description,
                              absl::string_view error) {
  const std::string message =
      absl::StrCat("Redis ", command, " at ", description, ": ", error);
  auto starts = [&](absl::string_view code) {
    return absl::StartsWith(error, code);
  };
  if (absl::StrContains(error, "WRONGTYPE")) {
    return absl::FailedPreconditionError(message);
  }
  if (absl::StrContains(error, "not an integer")) {
    return absl::FailedPreconditionError(message);
  }
  if (absl::StrContains(error, "would overflow")) {
    return absl::OutOfRangeError(message);
  }
  if (starts("NOAUTH") || starts("WRONGPASS") ||
      absl::StrContains(error, "invalid password") ||
      absl::StrContains(error, "without any password configured")) {
    return absl::UnauthenticatedError(message);
  }
  if (starts("NOPERM")) return absl::PermissionDeniedError(message);
  if (starts("LOADING") || starts("BUSY") || starts("MASTERDOWN") ||
      starts("TRYAGAIN")) {
    return absl::UnavailableError(message);
  }
  if (starts("OOM")) return absl::ResourceExhaustedError(message);
  return absl::InternalError(message);
}

absl::StatusOr<std::unique_ptr<RedisClient>> RedisClient::Connect(
    const RedisEndpoint& endpoint, absl::Duration timeout) {
  const timeval tv = TimeoutToTimeval(timeout);
  redisContext* c =
      endpoint.unix_path.empty()
          ? redisConnectWithTimeout(endpoint.host.c_str(), endpoint.port, tv)
          : redisConnectUnixWithTimeout(endpoint.unix_path.c_str(), tv);
  const std::string description = endpoint.Describe();
  if (c == nullptr) {
    return absl::UnavailableError(absl::StrCat("cannot connect to Redis at ",
                                               description, ": out of memory"));
  }
  if (c->err != 0) {
    absl::Status s = absl::UnavailableError(absl::StrCat(
        "cannot connect to Redis at ", description, ": ", c->errstr));
    redisFree(c);
    return s;
  }
  redisSetTimeout(c, tv);
  if (endpoint.unix_path.empty()) redisEnableKeepAlive(c);
  std::unique_ptr<RedisClient> client(new RedisClient(c, description));
  if (!endpoint.password.empty()) {
    std::vector<absl::string_view> auth = {"AUTH"};
    if (!endpoint.user.empty()) auth.push_back(endpoint.user);
    auth.push_back(endpoint.password);
    absl::StatusOr<Reply> r = client->Command(auth);
    if (!r.ok()) return r.status();
  }
  if (endpoint.password.empty()) {
    // A server that wants a password says so now (NOAUTH), not at the
    // caller's first command.
    absl::StatusOr<Reply> r = client->Command({"PING"});
    if (!r.ok()) return r.status();
  }
  if (endpoint.db != 0) {
    const std::string db = absl::StrCat(endpoint.db);
    absl::StatusOr<Reply> r = client->Command({"SELECT", db});
    if (absl::IsInternal(r.status())) {
      return absl::InvalidArgumentError(r.status().message());
    }
    if (!r.ok()) return r.status();
  }
  return client;
}

RedisClient::~RedisClient() { redisFree(context_); }

int RedisClient::fd() const { return context_->fd; }

absl::Status RedisClient::IoError(absl::string_view what) {
  broken_ = true;
  return absl::UnavailableError(absl::StrCat(
      "Redis connection to ", description_, " lost during ", what, ": ",
      context_->err != 0 ? context_->errstr : "connection closed"));
}

void RedisClient::Append(const std::vector<absl::string_view>& args) {
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  argv.reserve(args.size());
  lens.reserve(args.size());
  for (absl::string_view a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  redisAppendCommandArgv(context_, static_cast<int>(args.size()), argv.data(),
                         lens.data());
}

absl::StatusOr<Reply> RedisClient::GetReply() {
  if (broken_) return IoError("a command");
  ScopedSigpipeBlock no_sigpipe;
  void* raw = nullptr;
  if (redisGetReply(context_, &raw) != REDIS_OK || raw == nullptr) {
    return IoError("a command");
  }
  return Reply(static_cast<redisReply*>(raw));
}

absl::StatusOr<Reply> RedisClient::Command(
    const std::vector<absl::string_view>& args) {
  Append(args);
  absl::StatusOr<Reply> reply = GetReply();
  if (!reply.ok()) return reply;
  if ((*reply)->type == REDIS_REPLY_ERROR) {
    return ErrorReplyStatus(args.empty() ? "" : args[0], description_,
                            absl::string_view((*reply)->str, (*reply)->len));
  }
  return reply;
}

absl::Status RedisClient::FlushOutput() {
  if (broken_) return IoError("a write");
  ScopedSigpipeBlock no_sigpipe;
  int done = 0;
  while (done == 0) {
    if (redisBufferWrite(context_, &done) != REDIS_OK) {
      return IoError("a write");
    }
  }
  return absl::OkStatus();
}

absl::Status RedisClient::ReadInput() {
  if (broken_ || redisBufferRead(context_) != REDIS_OK) {
    return IoError("a read");
  }
  return absl::OkStatus();
}

absl::StatusOr<Reply> RedisClient::NextBufferedReply() {
  if (broken_) return IoError("a read");
  void* raw = nullptr;
  if (redisGetReplyFromReader(context_, &raw) != REDIS_OK) {
    return IoError("a read (protocol error)");
  }
  return Reply(static_cast<redisReply*>(raw));
}

}  // namespace tier_internal
}  // namespace kvstore
