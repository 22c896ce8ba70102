// kvstore: the command-line tool. Everything but binding argv, the
// environment, the standard streams and the line editor lives in
// //cli:commands; see docs/cli.md.
#include <editline/readline.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <iostream>
#include <ostream>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/fd_stream.h"

namespace {

// A line of the interactive session, edited with libedit; the line is
// added to the session's history unless blank.
bool ReadEditedLine(const std::string& prompt, std::string* line) {
  char* text = readline(prompt.c_str());
  if (text == nullptr) {
    fputs("\n", stdout);  // So that the shell's prompt starts a line.
    fflush(stdout);
    return false;
  }
  *line = text;
  free(text);
  if (line->find_first_not_of(" \t") != std::string::npos) {
    add_history(line->c_str());
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  const bool stdout_closed = kvstore::cli::ReserveStandardDescriptors();
  kvstore::cli::FdStreamBuf out_buf(STDOUT_FILENO, stdout_closed);
  std::ostream out(&out_buf);
  std::vector<std::string> args(argv + 1, argv + argc);
  kvstore::cli::Env env = kvstore::cli::Env::FromProcess();
  if (env.stdin_is_terminal && !stdout_closed) env.read_line = ReadEditedLine;
  return kvstore::cli::RunCommandLine(args, env, std::cin, out, std::cerr);
}
