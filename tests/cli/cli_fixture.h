// The fixture of the in-process command-line tests: a unique store (removed
// when the test ends, even if it fails) that every command runs against.
//
//   class GetTest : public CliTest {};
//   TEST_F(GetTest, MissingKeyIsNotFound) {
//     Ok({"set", "k", "v"});
//     EXPECT_EQ(Run({"get", "nope"}).code, kExitNotFound);
//   }
#ifndef TESTS_CLI_CLI_FIXTURE_H_
#define TESTS_CLI_CLI_FIXTURE_H_

#include <string>
#include <vector>

#include "cli/commands.h"
#include "gtest/gtest.h"
#include "tests/cli/run_cli.h"
#include "tests/test_util.h"

namespace kvstore {
namespace cli {

class CliTest : public ::testing::Test {
 protected:
  // Runs the command line `args` with "--store=<store_>" put first.
  RunResult Run(std::vector<std::string> args, const Env& env = Env());

  // Same, with `input` as standard input.
  RunResult RunWithInput(std::vector<std::string> args,
                         const std::string& input, const Env& env = Env());

  // Runs a command that must succeed: expects exit 0 and nothing on stderr
  // (printing both streams otherwise), and returns its stdout.
  std::string Ok(std::vector<std::string> args);

  ::kvstore::testing::ScopedStoreName store_;
};

}  // namespace cli
}  // namespace kvstore

#endif  // TESTS_CLI_CLI_FIXTURE_H_
