// kvstore: the command-line tool. Everything but binding argv, the
// environment and the standard streams lives in //cli:commands; see
// docs/cli.md.
#include <unistd.h>

#include <iostream>
#include <ostream>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/fd_stream.h"

int main(int argc, char** argv) {
  const bool stdout_closed = kvstore::cli::ReserveStandardDescriptors();
  kvstore::cli::FdStreamBuf out_buf(STDOUT_FILENO, stdout_closed);
  std::ostream out(&out_buf);
  std::vector<std::string> args(argv + 1, argv + argc);
  return kvstore::cli::RunCommandLine(args, kvstore::cli::Env::FromProcess(),
                                      std::cin, out, std::cerr);
}
