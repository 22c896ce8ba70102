#include "tests/tier/redis_fixture.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "kvstore/store.h"
#include "kvstore/tier/redis_url.h"
#include "kvstore/tier/tier_stats.h"
#include "tests/test_util.h"

namespace kvstore {
namespace testing {
namespace {

std::string FindRedisServer() {
  std::string path = getenv("PATH") != nullptr ? getenv("PATH") : "";
  for (absl::string_view dir :
       absl::StrSplit(path + ":/usr/bin:/usr/sbin:/usr/local/bin", ':')) {
    if (dir.empty()) continue;
    const std::string candidate = absl::StrCat(dir, "/redis-server");
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

// Reaps `pid` if it has exited, within `deadline`. Returns the status, or
// -1 if it is still running.
// How the child `pid` ended once reaped within `deadline`; nullopt if it
// still runs then. "Did not run" if it is no child of ours (any more).
std::optional<ProcessResult> ReapWithin(pid_t pid, absl::Duration deadline) {
  const absl::Time end = absl::Now() + deadline;
  while (true) {
    int status = 0;
    const pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) return FromWaitStatus(status);
    if (r < 0 && errno != EINTR) return ProcessResult();
    if (absl::Now() >= end) return std::nullopt;
    absl::SleepFor(absl::Milliseconds(1));
  }
}

}  // namespace

std::string TestTmpDir() {
  const char* t = getenv("TEST_TMPDIR");
  return t != nullptr && *t != '\0' ? t : "/tmp";
}

ChildProcess ChildProcess::Start(const std::vector<std::string>& argv,
                                 const std::string& log_path) {
  std::vector<std::string> args = argv;
  std::vector<char*> cargv;
  for (std::string& a : args) cargv.push_back(&a[0]);
  cargv.push_back(nullptr);
  const std::string log = log_path.empty() ? "/dev/null" : log_path;
  const pid_t parent = getpid();
  ChildProcess child;
  child.pid_ = fork();
  if (child.pid_ == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(126);
    const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (fd >= 0) {
      dup2(fd, STDOUT_FILENO);
      dup2(fd, STDERR_FILENO);
      close(fd);
    }
    execv(cargv[0], cargv.data());
    _exit(127);
  }
  return child;
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept : pid_(other.pid_) {
  other.pid_ = -1;
}

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
  if (this != &other) {
    if (pid_ > 0) Kill();
    pid_ = other.pid_;
    other.pid_ = -1;
  }
  return *this;
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0) Kill();
}

ProcessResult ChildProcess::Kill(int signal) {
  if (pid_ <= 0) return ProcessResult();
  kill(pid_, signal);
  std::optional<ProcessResult> ended = ReapWithin(pid_, absl::Seconds(30));
  if (!ended) {
    kill(pid_, SIGKILL);
    ended = ReapWithin(pid_, absl::Seconds(30));
  }
  pid_ = -1;
  return ended.value_or(ProcessResult());
}

ProcessResult ChildProcess::Stop(absl::Duration grace) {
  if (pid_ <= 0) return ProcessResult();
  kill(pid_, SIGTERM);
  std::optional<ProcessResult> ended = ReapWithin(pid_, grace);
  if (ended) {
    pid_ = -1;
    return *ended;
  }
  return Kill(SIGKILL);
}

ProcessResult ChildProcess::WaitFor(absl::Duration deadline) {
  if (pid_ <= 0) return ProcessResult();
  std::optional<ProcessResult> ended = ReapWithin(pid_, deadline);
  if (!ended) return ProcessResult();
  pid_ = -1;
  return *ended;
}

std::unique_ptr<RedisServer> RedisServer::Start(
    std::vector<std::string> extra_args) {
  std::unique_ptr<RedisServer> server(new RedisServer());
  // A unix socket path holds at most 107 bytes; Bazel's TEST_TMPDIR can be
  // longer, so fall back to /tmp then.
  std::string base = TestTmpDir();
  if (base.size() > 60) base = "/tmp";
  std::string templ = base + "/kvredis-XXXXXX";
  if (mkdtemp(&templ[0]) == nullptr) {
    std::cerr << "mkdtemp failed in " << base << "\n";
    return nullptr;
  }
  server->dir_ = templ;
  server->socket_ = templ + "/redis.sock";
  server->extra_args_ = std::move(extra_args);
  for (size_t i = 0; i + 1 < server->extra_args_.size(); ++i) {
    if (server->extra_args_[i] == "--requirepass") {
      server->password_ = server->extra_args_[i + 1];
    }
  }
  if (!server->Launch()) return nullptr;
  return server;
}

bool RedisServer::Launch() {
  const std::string binary = FindRedisServer();
  if (binary.empty()) {
    std::cerr << "redis-server not found (apt-get install redis-server)\n";
    return false;
  }
  std::vector<std::string> argv = {
      binary, "--port",      "0", "--unixsocket", socket_, "--unixsocketperm",
      "700",  "--save",      "",  "--appendonly", "no",    "--dir",
      dir_,   "--daemonize", "no"};
  argv.insert(argv.end(), extra_args_.begin(), extra_args_.end());
  unlink(socket_.c_str());
  process_ = ChildProcess::Start(argv, dir_ + "/redis.log");
  if (!process_.started()) return false;
  RedisEndpoint endpoint;
  endpoint.unix_path = socket_;
  endpoint.password = password_;
  const bool up = PollUntil([&] {
    auto c = tier_internal::RedisClient::Connect(endpoint, absl::Seconds(1));
    return c.ok() && (*c)->Command({"PING"}).ok();
  });
  if (!up) std::cerr << "redis-server did not come up on " << socket_ << "\n";
  return up;
}

RedisServer::~RedisServer() {
  process_.Stop();
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

std::string RedisServer::url(const std::string& password) const {
  return password.empty() ? "unix://" + socket_
                          : "unix://:" + password + "@" + socket_;
}

void RedisServer::Kill() { process_.Kill(SIGKILL); }

bool RedisServer::Restart() {
  process_.Kill(SIGKILL);
  return Launch();
}

absl::StatusOr<tier_internal::Reply> RedisServer::Command(
    const std::vector<std::string>& args) const {
  RedisEndpoint endpoint;
  endpoint.unix_path = socket_;
  endpoint.password = password_;
  auto c = tier_internal::RedisClient::Connect(endpoint, absl::Seconds(5));
  if (!c.ok()) return c.status();
  std::vector<absl::string_view> views(args.begin(), args.end());
  return (*c)->Command(views);
}

std::string KvstoreBinary() { return RunfilePath("cli/kvstore"); }

ChildProcess StartSync(const std::string& store, const std::string& url,
                       const std::string& prefix, const std::string& log_path,
                       bool refresh) {
  std::vector<std::string> args = {KvstoreBinary(), "--store=" + store, "sync",
                                   "--redis=" + url, "--prefix=" + prefix};
  if (!refresh) args.push_back("--no-refresh");
  return ChildProcess::Start(args, log_path);
}

bool WaitForHeartbeat(const std::string& store, pid_t pid,
                      absl::Duration deadline) {
  return PollUntil(
      [&] {
        absl::StatusOr<TierStats> t = ReadTierStats(store);
        return t.ok() && t->sync_pid == pid &&
               t->heartbeat_age < absl::Milliseconds(500);
      },
      deadline);
}

ScopedTierStoreName::ScopedTierStoreName(const std::string& tag) : name_(tag) {}

ScopedTierStoreName::~ScopedTierStoreName() {
  Store::Destroy(name_.name() + ".tier").IgnoreError();
}

}  // namespace testing
}  // namespace kvstore
