#include "tests/cli/run_binary.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

extern char** environ;

namespace kvstore {
namespace cli {
namespace {

using ::kvstore::testing::ProcessResult;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

Child::Child(const std::vector<std::string>& args,
             std::optional<std::string> store_env,
             std::optional<std::string> input, const std::string& program,
             std::optional<std::string> stdout_target) {
  static int counter = 0;
  const char* tmp = getenv("TEST_TMPDIR");
  const std::string base =
      absl::StrCat(tmp ? tmp : "/tmp", "/kvcli_", getpid(), "_", counter++);
  out_path_ = base + ".out";
  err_path_ = base + ".err";
  in_path_ = "/dev/null";
  if (input) {
    in_path_ = base + ".in";
    std::ofstream(in_path_, std::ios::binary) << *input;
  }
  std::vector<std::string> argv_strings = {
      ::kvstore::testing::RunfilePath(program)};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) {
    if (!absl::StartsWith(*e, "KVSTORE_STORE=")) env_strings.push_back(*e);
  }
  if (store_env) env_strings.push_back("KVSTORE_STORE=" + *store_env);
  std::vector<char*> argv, envp;
  for (std::string& s : argv_strings) argv.push_back(s.data());
  for (std::string& s : env_strings) envp.push_back(s.data());
  argv.push_back(nullptr);
  envp.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, in_path_.c_str(), O_RDONLY, 0);
  if (!stdout_target) {
    posix_spawn_file_actions_addopen(&actions, 1, out_path_.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0600);
  } else if (stdout_target->empty()) {
    posix_spawn_file_actions_addclose(&actions, 1);
  } else {
    posix_spawn_file_actions_addopen(&actions, 1, stdout_target->c_str(),
                                     O_WRONLY, 0);
  }
  posix_spawn_file_actions_addopen(&actions, 2, err_path_.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  int rc =
      posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  EXPECT_EQ(rc, 0) << "cannot run " << argv[0];
  if (rc != 0) pid_ = -1;
}

ProcessResult Child::Wait() {
  ProcessResult r;
  if (pid_ > 0) r = ::kvstore::testing::WaitProcess(pid_);
  r.out = ReadFile(out_path_);
  r.err = ReadFile(err_path_);
  unlink(out_path_.c_str());
  unlink(err_path_.c_str());
  if (in_path_ != "/dev/null") unlink(in_path_.c_str());
  return r;
}

ProcessResult RunBinary(const std::vector<std::string>& args,
                        std::optional<std::string> store_env) {
  return Child(args, store_env).Wait();
}

ProcessResult RunBinaryWithInput(const std::vector<std::string>& args,
                                 const std::string& input) {
  return Child(args, std::nullopt, input).Wait();
}

ProcessResult RunBinaryWithStdout(const std::vector<std::string>& args,
                                  const std::string& target) {
  return Child(args, std::nullopt, std::nullopt, "cli/kvstore", target).Wait();
}

ProcessResult RunProgram(const std::string& program,
                         const std::vector<std::string>& args) {
  return Child(args, std::nullopt, std::nullopt, program).Wait();
}

}  // namespace cli
}  // namespace kvstore
