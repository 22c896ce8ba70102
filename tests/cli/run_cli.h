// Runs the kvstore command line in-process and captures what it printed.
//
//   RunResult r = RunCli({"get", "k", store.flag()});
//   EXPECT_EQ(r.code, kExitNotFound);
#ifndef TESTS_CLI_RUN_CLI_H_
#define TESTS_CLI_RUN_CLI_H_

#include <ostream>
#include <sstream>
#include <string>
#include <vector>

#include "cli/commands.h"

namespace kvstore {
namespace cli {

struct RunResult {
  int code;
  std::string out;
  std::string err;
};

inline RunResult RunCli(const std::vector<std::string>& args,
                        const Env& env = Env()) {
  std::ostringstream out, err;
  int code = RunCommandLine(args, env, out, err);
  return RunResult{code, out.str(), err.str()};
}

// Same, with `input` as standard input.
inline RunResult RunCliWithInput(const std::vector<std::string>& args,
                                 const std::string& input,
                                 const Env& env = Env()) {
  std::istringstream in(input);
  std::ostringstream out, err;
  int code = RunCommandLine(args, env, in, out, err);
  return RunResult{code, out.str(), err.str()};
}

inline std::ostream& operator<<(std::ostream& os, const RunResult& r) {
  return os << "exit " << r.code << "\nstdout: " << r.out
            << "\nstderr: " << r.err;
}

}  // namespace cli
}  // namespace kvstore

#endif  // TESTS_CLI_RUN_CLI_H_
