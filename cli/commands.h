// The kvstore command-line tool as a library: main.cc is a thin wrapper
// around RunCommandLine, and tests call it in-process.
//
//   std::ostringstream out, err;
//   int code = kvstore::cli::RunCommandLine({"get", "greeting"},
//                                           kvstore::cli::Env(), out, err);
//
// The commands, flags, output formats and exit codes are specified in
// docs/cli.md.
#ifndef CLI_COMMANDS_H_
#define CLI_COMMANDS_H_

#include <functional>
#include <istream>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace kvstore {
namespace cli {

// Exit codes of the tool.
enum ExitCode : int {
  kExitOk = 0,        // Success.
  kExitNotFound = 1,  // A key that is absent (get, del, expire, persist,
                      // ttl; mget if any key is).
  kExitUsage = 2,     // Bad command line (the store is left untouched).
  kExitFailure = 3,   // Anything else; a message says what went wrong.
};

// "0.1.0".
extern const char kVersion[];

// The store used when no --store flag is given.
extern const char kDefaultStoreName[];

// What the tool reads from its environment.
struct Env {
  // $KVSTORE_STORE, the store to use when no --store is given; empty or
  // absent means kDefaultStoreName.
  std::optional<std::string> kvstore_store;

  // Whether standard input is a terminal. Without a command, the tool runs
  // the command lines it reads from a standard input that is not (a
  // script), and on a terminal starts an interactive session.
  bool stdin_is_terminal = true;

  // Whether standard error is a terminal. Only then do long operations
  // (check, create, list, dump, restore) show a progress line there, which
  // they erase when done.
  bool stderr_is_terminal = false;

  // Reads one line of an interactive session after showing `prompt`, with
  // line editing and history (main.cc sets it where a line-editing library
  // is built in); false at the end of input. If unset, a session prints
  // the prompt on the output and reads the input stream.
  std::function<bool(const std::string& prompt, std::string* line)> read_line;

  // Reads the variables above from the process environment.
  static Env FromProcess();
};

// Runs one command line. `args` excludes the program name. Reads `in`
// only for `set KEY -`. Writes data to `out` and diagnostics (errors,
// warnings, usage after misuse) to `err`, each message a line
// "kvstore: ...". Returns an ExitCode. Flushes `out` at the end: if any
// write to it failed (a full disk, a closed stdout), prints "kvstore: error
// writing standard output: REASON" on `err` and returns kExitFailure.
int RunCommandLine(const std::vector<std::string>& args, const Env& env,
                   std::istream& in, std::ostream& out, std::ostream& err);

// Same, with an empty standard input.
int RunCommandLine(const std::vector<std::string>& args, const Env& env,
                   std::ostream& out, std::ostream& err);

// Flushes `out`; returns `code` if every write to it succeeded, otherwise
// reports the failure on `err` (the reason taken from an FdStreamBuf) and
// returns kExitFailure.
int CheckOutput(int code, std::ostream& out, std::ostream& err);

}  // namespace cli
}  // namespace kvstore

#endif  // CLI_COMMANDS_H_
