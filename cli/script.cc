#include "cli/script.h"

#include "absl/status/status.h"

namespace kvstore {
namespace cli {

absl::StatusOr<std::vector<std::string>> SplitWords(absl::string_view line) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (c == ' ' || c == '\t' || c == '\r') {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
      continue;
    }
    in_word = true;
    if (c == '\'') {
      const size_t end = line.find('\'', i + 1);
      if (end == absl::string_view::npos) {
        return absl::InvalidArgumentError("unterminated ' quote");
      }
      const absl::string_view quoted = line.substr(i + 1, end - i - 1);
      word.append(quoted.data(), quoted.size());
      i = end;
    } else if (c == '"') {
      size_t j = i + 1;
      for (; j < line.size() && line[j] != '"'; ++j) {
        if (line[j] == '\\' && j + 1 < line.size() &&
            (line[j + 1] == '"' || line[j + 1] == '\\' || line[j + 1] == '$' ||
             line[j + 1] == '`')) {
          ++j;
        }
        word.push_back(line[j]);
      }
      if (j >= line.size()) {
        return absl::InvalidArgumentError("unterminated \" quote");
      }
      i = j;
    } else if (c == '\\') {
      if (i + 1 >= line.size()) {
        return absl::InvalidArgumentError("a backslash ends the line");
      }
      word.push_back(line[++i]);
    } else {
      word.push_back(c);
    }
  }
  if (in_word) words.push_back(std::move(word));
  return words;
}

}  // namespace cli
}  // namespace kvstore
