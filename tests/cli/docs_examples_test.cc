// Runs the examples of docs/cli.md and compares what they print with what
// the document shows, so that the document cannot drift from the tool.
//
// An example is a fenced block whose info string is `console`. Each line
// starting with "$ " is a command, run by bash with `kvstore` on the PATH;
// the lines up to the next command are what it prints: its stdout, then
// its stderr. The commands of one block share their stores, like one shell
// session, and `echo $?` sees the previous command's exit status. HTML
// comments `<!-- setup: COMMAND -->` just before a block run first, silently.
//
// The README's command-line session (its ```sh block of `kvstore` lines)
// runs the same way: every line must succeed, and a `get`, `incr` or
// `list` line must print what its comment shows (<TAB> for a tab).
//
// Store names are made unique: every `/NAME` after `--store=`, in
// `KVSTORE_STORE`'s place (the default store) and after `/dev/shm` gets a
// per-test prefix, which is removed again from the output before comparing.
// Every store a block made is removed after it.
#include <dirent.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "tests/test_util.h"

namespace kvstore {
namespace cli {
namespace {

struct Command {
  std::string line;
  std::string expected;
};

struct Example {
  int line_number;  // Of the opening fence, 1-based.
  std::vector<std::string> setup;
  std::vector<Command> commands;
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<Example> ParseExamples(const std::string& markdown) {
  std::vector<Example> examples;
  std::vector<std::string> setup;
  const std::vector<std::string> lines = absl::StrSplit(markdown, '\n');
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string& line = lines[i];
    if (absl::StartsWith(line, "<!-- setup: ")) {
      std::string command = line.substr(12);
      command = command.substr(0, command.rfind(" -->"));
      setup.push_back(command);
      continue;
    }
    if (line != "```console") {
      if (!line.empty()) setup.clear();
      continue;
    }
    Example example;
    example.line_number = static_cast<int>(i) + 1;
    example.setup = std::move(setup);
    setup.clear();
    for (++i; i < lines.size() && lines[i] != "```"; ++i) {
      if (absl::StartsWith(lines[i], "$ ")) {
        example.commands.push_back({lines[i].substr(2), ""});
      } else if (!example.commands.empty()) {
        absl::StrAppend(&example.commands.back().expected, lines[i], "\n");
      }
    }
    examples.push_back(std::move(example));
  }
  return examples;
}

class DocsExamplesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* tmp = getenv("TEST_TMPDIR");
    dir_ = absl::StrCat(tmp ? tmp : "/tmp", "/docs_examples_", getpid());
    prefix_ = absl::StrCat("doctest", getpid(), "_");
    ASSERT_EQ(
        system(absl::StrCat("mkdir -p '", dir_, "/bin' && ln -sf '",
                            ::kvstore::testing::RunfilePath("cli/kvstore"),
                            "' '", dir_, "/bin/kvstore'")
                   .c_str()),
        0);
  }
  void TearDown() override { RemoveStores(); }

  // Every object of /dev/shm whose name has this test's prefix.
  void RemoveStores() {
    DIR* d = opendir("/dev/shm");
    if (d == nullptr) return;
    while (dirent* e = readdir(d)) {
      if (absl::StartsWith(e->d_name, prefix_)) {
        shm_unlink(absl::StrCat("/", e->d_name).c_str());
      }
    }
    closedir(d);
  }

  std::string Rename(const std::string& command) const {
    static const std::regex kStoreName(R"((--store[= ]|/dev/shm)/)");
    return std::regex_replace(command, kStoreName, "$1/" + prefix_);
  }

  std::string Unrename(const std::string& text) const {
    return absl::StrReplaceAll(text, {{"/" + prefix_, "/"}});
  }

  // Runs one example; returns what each command printed.
  std::vector<std::string> Run(const Example& example) {
    std::string script = absl::StrCat(
        "export PATH='", dir_, "/bin':\"$PATH\"\n", "export KVSTORE_STORE=/",
        prefix_, "kvstore\n", "cd '", dir_, "'\n", "__rc=0\n");
    for (const std::string& setup : example.setup) {
      absl::StrAppend(&script, "{ ", Rename(setup), "\n} >/dev/null 2>&1\n");
    }
    for (size_t i = 0; i < example.commands.size(); ++i) {
      absl::StrAppend(&script, "(exit $__rc); { ",
                      Rename(example.commands[i].line), "\n} >'", dir_, "/out",
                      i, "' 2>'", dir_, "/err", i, "'; __rc=$?\n");
    }
    const std::string path = dir_ + "/script.sh";
    std::ofstream(path) << script;
    EXPECT_EQ(system(absl::StrCat("bash '", path, "'").c_str()) == -1, false);
    std::vector<std::string> printed;
    for (size_t i = 0; i < example.commands.size(); ++i) {
      printed.push_back(Unrename(ReadFile(absl::StrCat(dir_, "/out", i)) +
                                 ReadFile(absl::StrCat(dir_, "/err", i))));
    }
    RemoveStores();
    return printed;
  }

  std::string dir_;
  std::string prefix_;
};

TEST_F(DocsExamplesTest, EveryConsoleExampleOfCliMdPrintsWhatItShows) {
  const std::string markdown =
      ReadFile(::kvstore::testing::RunfilePath("docs/cli.md"));
  ASSERT_FALSE(markdown.empty());
  const std::vector<Example> examples = ParseExamples(markdown);
  EXPECT_GE(examples.size(), 10u);
  for (const Example& example : examples) {
    const std::vector<std::string> printed = Run(example);
    for (size_t i = 0; i < example.commands.size(); ++i) {
      EXPECT_EQ(printed[i], example.commands[i].expected)
          << "docs/cli.md:" << example.line_number << ": $ "
          << example.commands[i].line;
    }
  }
}

// The README's ```sh block whose lines run `kvstore`, as an example: each
// line a command (its comment removed) followed by `echo $?`, which must
// print 0. `comments` gets each line's comment, for the lines that show
// output.
Example ReadmeSession(const std::string& markdown,
                      std::vector<std::string>* comments) {
  Example example;
  const std::vector<std::string> lines = absl::StrSplit(markdown, '\n');
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i] != "```sh" || i + 1 >= lines.size() ||
        !absl::StartsWith(lines[i + 1], "kvstore ")) {
      continue;
    }
    example.line_number = static_cast<int>(i) + 1;
    for (++i; i < lines.size() && lines[i] != "```"; ++i) {
      const size_t hash = lines[i].find('#');
      std::string command = lines[i].substr(0, hash);
      std::string comment =
          hash == std::string::npos ? "" : lines[i].substr(hash + 1);
      absl::StripAsciiWhitespace(&command);
      absl::StripAsciiWhitespace(&comment);
      example.commands.push_back({command, ""});
      example.commands.push_back({"echo $?", "0\n"});
      comments->push_back(comment);
    }
    break;
  }
  return example;
}

TEST_F(DocsExamplesTest, TheReadmeSessionRunsAsWritten) {
  const std::string markdown =
      ReadFile(::kvstore::testing::RunfilePath("README.md"));
  ASSERT_FALSE(markdown.empty());
  std::vector<std::string> comments;
  Example example = ReadmeSession(markdown, &comments);
  ASSERT_GE(example.commands.size(), 20u) << "no kvstore session found";
  // What the README's first command (the main job) did before it.
  example.setup.push_back("kvstore set greeting hello");
  const std::vector<std::string> printed = Run(example);
  int compared = 0;
  for (size_t i = 0; i < example.commands.size(); i += 2) {
    const std::string& line = example.commands[i].line;
    const std::string where =
        absl::StrCat("README.md:", example.line_number, ": ", line);
    EXPECT_EQ(printed[i + 1], "0\n") << where << "\n" << printed[i];
    if (absl::StartsWith(line, "kvstore get ") ||
        absl::StartsWith(line, "kvstore incr ") ||
        absl::StartsWith(line, "kvstore list ")) {
      EXPECT_EQ(printed[i],
                absl::StrReplaceAll(comments[i / 2], {{"<TAB>", "\t"}}) + "\n")
          << where;
      ++compared;
    }
  }
  EXPECT_EQ(compared, 3);
}

}  // namespace
}  // namespace cli
}  // namespace kvstore
