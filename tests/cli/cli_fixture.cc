#include "tests/cli/cli_fixture.h"

#include <string>
#include <utility>
#include <vector>

#include "cli/commands.h"
#include "gmock/gmock.h"

namespace kvstore {
namespace cli {

RunResult CliTest::Run(std::vector<std::string> args, const Env& env) {
  args.insert(args.begin(), store_.flag());
  return RunCli(args, env);
}

RunResult CliTest::RunWithInput(std::vector<std::string> args,
                                const std::string& input, const Env& env) {
  args.insert(args.begin(), store_.flag());
  return RunCliWithInput(args, input, env);
}

std::string CliTest::Ok(std::vector<std::string> args) {
  RunResult r = Run(std::move(args));
  EXPECT_EQ(r.code, kExitOk) << r;
  EXPECT_THAT(r.err, ::testing::IsEmpty()) << r;
  return r.out;
}

}  // namespace cli
}  // namespace kvstore
