// The interactive session: `kvstore` with no command on a terminal
// (docs/cli.md, "Interactive session").
#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include "cli/command.h"
#include "cli/commands.h"
#include "cli/format.h"
#include "cli/script.h"

namespace kvstore {
namespace cli {

int RunSession(const std::vector<std::string>& flags, const Env& env,
               std::istream& in, std::ostream& out, std::ostream& err) {
  constexpr char kPrompt[] = "kvstore> ";
  // A line runs as a script line would: with no standard input of its own
  // (and no nested session for a line of flags alone).
  Env line_env = env;
  line_env.stdin_is_terminal = false;
  line_env.read_line = nullptr;
  std::string line;
  while (true) {
    if (env.read_line) {
      if (!env.read_line(kPrompt, &line)) break;
    } else {
      out << kPrompt << std::flush;
      if (!std::getline(in, line)) {
        out << "\n";  // So that the shell's prompt starts a line.
        break;
      }
    }
    absl::StatusOr<std::vector<std::string>> words = SplitWords(line);
    if (!words.ok()) {
      err << "kvstore: " << words.status().message() << "\n";
      continue;
    }
    if (words->empty() || (*words)[0][0] == '#') continue;
    if (words->size() == 1 &&
        ((*words)[0] == "quit" || (*words)[0] == "exit")) {
      break;
    }
    if (std::find(words->begin(), words->end(), "-") != words->end()) {
      err << "kvstore: '-' (standard input) cannot be used in a session\n";
      continue;
    }
    std::vector<std::string> args = flags;
    args.insert(args.end(), words->begin(), words->end());
    std::istringstream no_input;
    RunUncheckedCommandLine(args, line_env, no_input, out, err);
    out.flush();
    if (out.fail()) break;  // RunCommandLine reports it.
  }
  return kExitOk;
}

}  // namespace cli
}  // namespace kvstore
