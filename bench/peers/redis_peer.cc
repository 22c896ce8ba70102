// Redis: Debian's redis-server, started once by the benchmark on a unix
// socket with persistence off, and hiredis, with single requests or a
// pipeline of requests sent before the replies are read.
#include <fcntl.h>
#include <hiredis/hiredis.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "bench/cleanup.h"
#include "bench/peer.h"
#include "bench/system_info.h"

namespace kvstore_bench {
namespace {

struct Server {
  pid_t pid = 0;
  std::string socket;
  int child_handle = -1;
  int socket_handle = -1;
};
Server g_server;

using Context = std::unique_ptr<redisContext, void (*)(redisContext*)>;
using Reply = std::unique_ptr<redisReply, void (*)(void*)>;

Context Connect() {
  Context c(redisConnectUnix(g_server.socket.c_str()), redisFree);
  if (c != nullptr && c->err != 0) c.reset();
  return c;
}

absl::Status CheckReply(redisContext* c, const redisReply* reply, OpKind kind) {
  if (reply == nullptr) {
    return absl::UnavailableError(absl::StrCat("redis: ", c->errstr));
  }
  const int want = kind == OpKind::kGet         ? REDIS_REPLY_STRING
                   : kind == OpKind::kIncrement ? REDIS_REPLY_INTEGER
                                                : REDIS_REPLY_STATUS;
  if (reply->type != want) {
    return absl::InternalError(absl::StrCat(
        "redis: reply type ", reply->type, " for op ", static_cast<int>(kind)));
  }
  return absl::OkStatus();
}

std::string FindRedisServer() { return FindBinary("redis-server"); }
class RedisPeer : public Peer {
 public:
  explicit RedisPeer(int pipeline) : pipeline_(pipeline) {}

  std::string name() const override {
    return pipeline_ == 1 ? "redis" : absl::StrCat("redis-p", pipeline_);
  }
  double ops_scale() const override { return pipeline_ == 1 ? 0.05 : 0.25; }

  absl::Status Create(uint64_t keys) override {
    absl::Status status = AttachInChild();
    if (!status.ok()) return status;
    Reply r(static_cast<redisReply*>(redisCommand(context_.get(), "FLUSHALL")),
            freeReplyObject);
    return CheckReply(context_.get(), r.get(), OpKind::kSet);
  }

  absl::Status Load(uint64_t keys) override {
    const int saved = pipeline_;
    pipeline_ = 256;
    absl::Status status = Peer::Load(keys);
    pipeline_ = saved;
    return status;
  }

  absl::Status AttachInChild() override {
    context_ = Connect();
    if (context_ == nullptr) {
      return absl::UnavailableError(
          absl::StrCat("redis: cannot connect to ", g_server.socket));
    }
    return absl::OkStatus();
  }

  absl::Status Run(const Op* ops, size_t n) override {
    redisContext* c = context_.get();
    char buf[kKeyBytes];
    const absl::string_view value = BenchValue();
    for (size_t first = 0; first < n; first += pipeline_) {
      const size_t last = std::min(n, first + pipeline_);
      for (size_t i = first; i < last; ++i) {
        const absl::string_view key = FormatKey(ops[i].key, buf);
        switch (ops[i].kind) {
          case OpKind::kGet:
            redisAppendCommand(c, "GET %b", key.data(), key.size());
            break;
          case OpKind::kSet:
            redisAppendCommand(c, "SET %b %b", key.data(), key.size(),
                               value.data(), value.size());
            break;
          case OpKind::kIncrement:
            redisAppendCommand(c, "INCR %b", key.data(), key.size());
            break;
        }
      }
      for (size_t i = first; i < last; ++i) {
        void* raw = nullptr;
        if (redisGetReply(c, &raw) != REDIS_OK) raw = nullptr;
        Reply reply(static_cast<redisReply*>(raw), freeReplyObject);
        absl::Status status = CheckReply(c, reply.get(), ops[i].kind);
        if (!status.ok()) return status;
        if (ops[i].kind == OpKind::kGet) out_.assign(reply->str, reply->len);
      }
    }
    return absl::OkStatus();
  }

  void Destroy() override {
    if (context_ == nullptr) return;
    freeReplyObject(redisCommand(context_.get(), "FLUSHALL"));
    context_.reset();
  }

 private:
  int pipeline_;
  Context context_{nullptr, redisFree};
  std::string out_;
};

}  // namespace

std::unique_ptr<Peer> NewRedisPeer(int pipeline) {
  return std::make_unique<RedisPeer>(pipeline);
}

absl::Status StartRedisServer() {
  if (g_server.pid != 0) return absl::OkStatus();
  const std::string binary = FindRedisServer();
  if (binary.empty()) {
    return absl::NotFoundError(
        "redis-server not found (apt-get install -y redis-server)");
  }
  g_server.socket =
      absl::StrCat("/tmp/kvstore-bench-redis-", getpid(), ".sock");
  g_server.socket_handle = RegisterFile(g_server.socket.c_str());
  const pid_t pid = fork();
  if (pid < 0) return absl::InternalError("redis: fork failed");
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGTERM);  // Never outlive the benchmark.
    const int null_fd = open("/dev/null", O_WRONLY);
    if (null_fd >= 0) dup2(null_fd, STDOUT_FILENO);
    execl(binary.c_str(), binary.c_str(), "--save", "", "--appendonly", "no",
          "--port", "0", "--unixsocket", g_server.socket.c_str(),
          "--unixsocketperm", "700", "--daemonize", "no", "--dir", "/tmp",
          static_cast<char*>(nullptr));
    _exit(127);
  }
  g_server.pid = pid;
  g_server.child_handle = RegisterChild(pid);
  for (int i = 0; i < 500; ++i) {
    if (Connect() != nullptr) return absl::OkStatus();
    if (waitpid(pid, nullptr, WNOHANG) == pid) break;
    absl::SleepFor(absl::Milliseconds(10));
  }
  return absl::UnavailableError(
      absl::StrCat("redis-server did not come up on ", g_server.socket));
}

std::string RedisServerVersion() {
  if (g_server.pid == 0) return "";
  Context c = Connect();
  if (c == nullptr) return "";
  Reply r(static_cast<redisReply*>(redisCommand(c.get(), "INFO server")),
          freeReplyObject);
  if (r == nullptr || r->type != REDIS_REPLY_STRING) return "";
  for (absl::string_view line : absl::StrSplit(r->str, "\r\n")) {
    if (absl::ConsumePrefix(&line, "redis_version:")) {
      return absl::StrCat(line, " (hiredis ", HIREDIS_MAJOR, ".", HIREDIS_MINOR,
                          ".", HIREDIS_PATCH, ")");
    }
  }
  return "";
}

}  // namespace kvstore_bench
