// Runs the real //cli:kvstore binary in a child process, as a shell would,
// and captures how it ended, its stdout and stderr (a ProcessResult of
// tests/test_util.h). The test target needs `data = ["//cli:kvstore"]`.
//
//   ProcessResult r = RunBinary({"get", "k", store.flag()});
//   EXPECT_EQ(r.exit_code, 1) << r;
//   Child a({"incr", "n"}), b({"incr", "n"});  // Running at once.
//   a.Wait(); b.Wait();
#ifndef TESTS_CLI_RUN_BINARY_H_
#define TESTS_CLI_RUN_BINARY_H_

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "tests/test_util.h"

namespace kvstore {
namespace cli {

// A child process running the binary, its output going to temporary files.
class Child {
 public:
  // `store_env` is the child's $KVSTORE_STORE; nullopt unsets it.
  // `input` is its standard input; nullopt gives it /dev/null.
  // `program` is the binary's path in the workspace (a data dependency of
  // the test), "cli/kvstore" by default.
  // `stdout_target`, if given, is a file the child's stdout is opened on
  // instead of a capture file (e.g. "/dev/full"); "" leaves stdout closed.
  explicit Child(const std::vector<std::string>& args,
                 std::optional<std::string> store_env = std::nullopt,
                 std::optional<std::string> input = std::nullopt,
                 const std::string& program = "cli/kvstore",
                 std::optional<std::string> stdout_target = std::nullopt);
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  // Waits for the child to exit and returns what it did.
  ::kvstore::testing::ProcessResult Wait();

 private:
  pid_t pid_ = -1;
  std::string out_path_;
  std::string err_path_;
  std::string in_path_;
};

::kvstore::testing::ProcessResult RunBinary(
    const std::vector<std::string>& args,
    std::optional<std::string> store_env = std::nullopt);

::kvstore::testing::ProcessResult RunBinaryWithInput(
    const std::vector<std::string>& args, const std::string& input);

// Runs the binary with its stdout opened on `target` ("" for a closed
// stdout); the result's `out` is then empty.
::kvstore::testing::ProcessResult RunBinaryWithStdout(
    const std::vector<std::string>& args, const std::string& target);

// Runs another binary of the workspace, e.g. "tests/cli/typed_writer".
::kvstore::testing::ProcessResult RunProgram(
    const std::string& program, const std::vector<std::string>& args);

}  // namespace cli
}  // namespace kvstore

#endif  // TESTS_CLI_RUN_BINARY_H_
