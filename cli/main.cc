// kvstore: the command-line tool. Everything but reading argv and the
// environment lives in //cli:commands; see docs/cli.md.
#include <iostream>
#include <string>
#include <vector>

#include "cli/commands.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return kvstore::cli::RunCommandLine(args, kvstore::cli::Env::FromProcess(),
                                      std::cout, std::cerr);
}
