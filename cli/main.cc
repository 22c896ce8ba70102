// kvstore: the command-line tool. Everything but binding argv, the
// environment and the standard streams lives in //cli:commands; see
// docs/cli.md.
#include <iostream>
#include <string>
#include <vector>

#include "cli/commands.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return kvstore::cli::RunCommandLine(args, kvstore::cli::Env::FromProcess(),
                                      std::cin, std::cout, std::cerr);
}
