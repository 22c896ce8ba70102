#include "tests/test_util.h"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "tools/cpp/runfiles/runfiles.h"

extern char** environ;

namespace kvstore {
namespace testing {
namespace {

using ::bazel::tools::cpp::runfiles::Runfiles;

std::vector<char*> MakeEnv(const std::vector<std::string>& extra,
                           std::vector<std::string>* storage) {
  for (char** e = environ; *e != nullptr; ++e) storage->push_back(*e);
  for (const std::string& s : extra) storage->push_back(s);
  std::vector<char*> out;
  for (std::string& s : *storage) out.push_back(&s[0]);
  out.push_back(nullptr);
  return out;
}

pid_t Spawn(const std::vector<std::string>& argv,
            const std::vector<std::string>& env, int out_fd, int err_fd) {
  std::vector<std::string> args = argv;
  std::vector<char*> cargv;
  for (std::string& a : args) cargv.push_back(&a[0]);
  cargv.push_back(nullptr);
  std::vector<std::string> storage;
  std::vector<char*> cenv = MakeEnv(env, &storage);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (out_fd >= 0) posix_spawn_file_actions_adddup2(&actions, out_fd, 1);
  if (err_fd >= 0) posix_spawn_file_actions_adddup2(&actions, err_fd, 2);
  pid_t pid = -1;
  if (posix_spawn(&pid, cargv[0], &actions, nullptr, cargv.data(),
                  cenv.data()) != 0) {
    pid = -1;
  }
  posix_spawn_file_actions_destroy(&actions);
  return pid;
}

}  // namespace

ScopedStoreName::ScopedStoreName(const std::string& tag) {
  // The pid alone is not unique: tests run in PID namespaces of their own
  // but share /dev/shm. A random part per process makes it so.
  static const uint64_t process_id = [] {
    std::random_device rd;
    return (uint64_t{rd()} << 32) | rd();
  }();
  static std::atomic<int> counter{0};
  name_ = absl::StrCat("/kvtest_", absl::Hex(process_id), "_", getpid(), "_",
                       counter.fetch_add(1), "_", tag);
}

ScopedStoreName::~ScopedStoreName() { shm_unlink(name_.c_str()); }

bool ScopedStoreName::Exists() const { return ShmExists(name_); }

bool ShmExists(const std::string& name) {
  struct stat st;
  return stat(("/dev/shm" + name).c_str(), &st) == 0;
}

std::string RunfilePath(const std::string& relative) {
  // Created once and kept: Bazel's runfiles library reads the runfiles
  // directory or manifest that `bazel test` (and a test's children, which
  // inherit its environment) are given.
  static const Runfiles* const runfiles = Runfiles::CreateForTest();
  if (runfiles == nullptr) return relative;  // Not run by Bazel.
  const char* workspace = getenv("TEST_WORKSPACE");
  return runfiles->Rlocation(
      absl::StrCat(workspace ? workspace : "kvstore", "/", relative));
}

ProcessResult RunProcess(const std::vector<std::string>& argv,
                         const std::vector<std::string>& env) {
  ProcessResult result;
  int out_pipe[2], err_pipe[2];
  if (pipe(out_pipe) != 0 || pipe(err_pipe) != 0) return result;
  pid_t pid = Spawn(argv, env, out_pipe[1], err_pipe[1]);
  close(out_pipe[1]);
  close(err_pipe[1]);
  struct pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  std::string* sinks[2] = {&result.out, &result.err};
  int open_fds = 2;
  while (open_fds > 0) {
    if (poll(fds, 2, -1) < 0) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      char buf[4096];
      ssize_t n = read(fds[i].fd, buf, sizeof(buf));
      if (n <= 0) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      } else {
        sinks[i]->append(buf, static_cast<size_t>(n));
      }
    }
  }
  if (pid < 0) return result;
  const ProcessResult ended = WaitProcess(pid);
  result.exit_code = ended.exit_code;
  result.signal = ended.signal;
  return result;
}

pid_t StartProcess(const std::vector<std::string>& argv,
                   const std::vector<std::string>& env) {
  return Spawn(argv, env, -1, -1);
}

std::ostream& operator<<(std::ostream& os, const ProcessResult& r) {
  if (r.signal != 0) {
    os << "killed by signal " << r.signal << " (" << strsignal(r.signal) << ")";
  } else if (r.exit_code >= 0) {
    os << "exit " << r.exit_code;
  } else {
    os << "did not run";
  }
  return os << "\nstdout: " << r.out << "\nstderr: " << r.err;
}

ProcessResult FromWaitStatus(int wait_status) {
  ProcessResult r;
  if (WIFEXITED(wait_status)) r.exit_code = WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) r.signal = WTERMSIG(wait_status);
  return r;
}

ProcessResult WaitProcess(pid_t pid) {
  int status = 0;
  while (true) {
    if (waitpid(pid, &status, 0) == pid) return FromWaitStatus(status);
    if (errno != EINTR) return ProcessResult();
  }
}

std::string TortureBigValue(int64_t n, size_t len) {
  std::string v = absl::StrCat(n);
  v.resize(len, static_cast<char>('a' + n % 26));
  return v;
}

char ProcessState(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(f, line);
  // "PID (COMM) STATE ...": COMM may hold spaces and parentheses.
  const size_t paren = line.rfind(')');
  if (paren == std::string::npos || paren + 2 >= line.size()) return 0;
  return line[paren + 2];
}

bool PollUntil(const std::function<bool()>& done, absl::Duration deadline) {
  const absl::Time end = absl::Now() + deadline;
  while (true) {
    if (done()) return true;
    if (absl::Now() >= end) return false;
    absl::SleepFor(absl::Milliseconds(1));
  }
}

int64_t BootNs() {
  timespec ts;
  clock_gettime(CLOCK_BOOTTIME, &ts);
  return int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}

}  // namespace testing
}  // namespace kvstore
