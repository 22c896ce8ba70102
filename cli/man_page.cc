// `kvstore help --man`: the manual page kvstore(1) in roff (man macros),
// made from the same texts as `--help`: the general help, then every
// command's help in the order of the command table.
//
// Each help text is cut into blocks at blank lines. A block of prose (no
// line indented) becomes a filled paragraph; any other block (usage lines,
// flag lists) is kept as printed, in a no-fill display.
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "cli/command.h"
#include "cli/commands.h"

namespace kvstore {
namespace cli {
namespace {

// Text for roff: backslashes and hyphens escaped, and a line that would
// start with a control character ('.' or '\'') made literal.
std::string RoffLine(absl::string_view line) {
  std::string out;
  if (absl::StartsWith(line, ".") || absl::StartsWith(line, "'")) {
    out = "\\&";
  }
  for (char c : line) {
    if (c == '\\') {
      out += "\\e";
    } else if (c == '-') {
      out += "\\-";
    } else {
      out += c;
    }
  }
  return out;
}

std::vector<std::string> Blocks(absl::string_view text) {
  std::vector<std::string> blocks;
  for (absl::string_view block : absl::StrSplit(text, "\n\n")) {
    block = absl::StripTrailingAsciiWhitespace(block);
    while (absl::ConsumePrefix(&block, "\n")) {
    }
    if (!block.empty()) blocks.emplace_back(block);
  }
  return blocks;
}

bool IsProse(absl::string_view block) {
  if (absl::StartsWith(block, "Usage:")) return false;
  for (absl::string_view line : absl::StrSplit(block, '\n')) {
    if (absl::StartsWith(line, " ") || absl::EndsWith(line, ":")) return false;
  }
  return true;
}

void AppendBlocks(const std::vector<std::string>& blocks, std::string* page) {
  for (const std::string& block : blocks) {
    std::vector<std::string> lines;
    for (absl::string_view line : absl::StrSplit(block, '\n')) {
      lines.push_back(RoffLine(line));
    }
    if (IsProse(block)) {
      absl::StrAppend(page, ".PP\n", absl::StrJoin(lines, "\n"), "\n");
    } else {
      absl::StrAppend(page, ".PP\n.nf\n", absl::StrJoin(lines, "\n"),
                      "\n.fi\n");
    }
  }
}

}  // namespace

std::string ManPage() {
  std::string page = absl::StrCat(
      ".\\\" kvstore(1), made by 'kvstore help --man' from the --help "
      "texts.\n",
      ".TH KVSTORE 1 \"\" \"kvstore ", kVersion, "\" \"User Commands\"\n",
      ".SH NAME\n",
      "kvstore \\- a typed key\\-value store in POSIX shared memory\n",
      ".SH SYNOPSIS\n");
  std::vector<std::string> general = Blocks(GeneralHelp());
  // The general help starts with its usage line, then the description.
  absl::string_view usage = general[0];
  absl::ConsumePrefix(&usage, "Usage: ");
  absl::StrAppend(&page, ".nf\n", RoffLine(usage), "\n",
                  RoffLine("kvstore --help | help [COMMAND] | COMMAND --help"),
                  "\n", RoffLine("kvstore --version"), "\n.fi\n",
                  ".SH DESCRIPTION\n");
  general.erase(general.begin());
  AppendBlocks(general, &page);
  absl::StrAppend(&page, ".SH COMMANDS\n");
  for (const CommandSpec& spec : Commands()) {
    absl::StrAppend(&page, ".SS ", RoffLine(spec.name), "\n");
    AppendBlocks(Blocks(spec.help), &page);
  }
  absl::StrAppend(&page,
                  ".SH ENVIRONMENT\n.TP\n.B KVSTORE_STORE\n"
                  "The store to use when no \\-\\-store is given (default "
                  "/kvstore).\n",
                  ".SH FILES\n.TP\n.I /dev/shm/NAME\n"
                  "The shared\\-memory object of store /NAME.\n",
                  ".SH SEE ALSO\n"
                  "docs/cli.md in the kvstore sources: the full contract, "
                  "with examples.\n");
  return page;
}

}  // namespace cli
}  // namespace kvstore
