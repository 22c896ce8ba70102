// Many commands in one process: `kvstore` given no command reads command
// lines from standard input (docs/cli.md, "Scripts").
#ifndef CLI_SCRIPT_H_
#define CLI_SCRIPT_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace kvstore {
namespace cli {

// Splits a line into words as a POSIX shell would, without expansions:
// blanks separate words; 'single quotes' keep everything; "double quotes"
// keep everything but \" \\ \$ \` (backslash escapes them); outside quotes
// a backslash keeps the next character. INVALID_ARGUMENT for an
// unterminated quote or a trailing backslash.
absl::StatusOr<std::vector<std::string>> SplitWords(absl::string_view line);

}  // namespace cli
}  // namespace kvstore

#endif  // CLI_SCRIPT_H_
