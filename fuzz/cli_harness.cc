#include "fuzz/cli_harness.h"

#include <unistd.h>

#include <atomic>
#include <sstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "cli/commands.h"
#include "cli/flags.h"
#include "kvstore/store.h"
#include "kvstore/value.h"

namespace kvstore {
namespace fuzz {
namespace {

// Bytes of shared memory a `create` with these flags would reserve, roughly;
// command lines asking for more are parsed but not run.
constexpr uint64_t kMaxStoreBytes = uint64_t{16} << 20;
constexpr size_t kMaxCommandLines = 4;
constexpr size_t kMaxTokens = 32;

uint64_t FlagNumber(const cli::ParsedArgs& parsed, const std::string& flag,
                    uint64_t fallback) {
  auto it = parsed.flags.find(flag);
  if (it == parsed.flags.end()) return fallback;
  uint64_t v;
  if (!absl::SimpleAtoi(it->second, &v)) return fallback;
  return v;
}

std::string CheckToken(const std::string& token) {
  (void)cli::IsNumber(token);
  (void)cli::ParseUnsignedFlag("capacity", token, uint64_t{1} << 31);
  (void)cli::ParseOctalMode(token);
  (void)cli::ParseEviction(token);
  absl::StatusOr<absl::Duration> d = cli::ParseDuration(token);
  if (d.ok() && (*d <= absl::ZeroDuration() || *d > cli::kMaxDuration)) {
    return absl::StrCat("ParseDuration('", token, "') gave ",
                        absl::FormatDuration(*d), ", out of (0, 3652d]");
  }
  (void)Store::ValidateName(token);
  for (ValueType t :
       {ValueType::kString, ValueType::kBytes, ValueType::kInt64,
        ValueType::kDouble, ValueType::kBool, ValueType::kRecord}) {
    absl::StatusOr<Value> v = Value::Parse(t, token);
    if (v.ok()) (void)v->ToText();
  }
  return "";
}

// Runs `tokens` in-process against store `name`: --store=name first, every
// other --store before a "--" dropped, $KVSTORE_STORE set to it too.
std::string RunCommandLineOn(const std::string& name,
                             const std::vector<std::string>& tokens,
                             const cli::ParsedArgs& parsed) {
  const uint64_t capacity = FlagNumber(parsed, "capacity", 4096);
  const uint64_t bytes = (capacity + capacity / 3 + 1) *
                         (32 + FlagNumber(parsed, "max-key-bytes", 128) +
                          FlagNumber(parsed, "max-value-bytes", 1024));
  if (capacity > kMaxStoreBytes || bytes > kMaxStoreBytes) return "";
  std::vector<std::string> args = {"--store=" + name};
  bool flags_ended = false;
  for (const std::string& token : tokens) {
    if (token == "--") flags_ended = true;
    if (!flags_ended &&
        (token == "--store" || token.rfind("--store=", 0) == 0)) {
      continue;
    }
    args.push_back(token);
  }
  cli::Env env;
  env.kvstore_store = name;
  std::ostringstream out, err;
  const int code = cli::RunCommandLine(args, env, out, err);
  if (code < cli::kExitOk || code > cli::kExitFailure) {
    return absl::StrCat("RunCommandLine returned ", code,
                        ", not a documented exit code");
  }
  return "";
}

}  // namespace

std::string RunCliInput(const uint8_t* data, size_t size) {
  if (size == 0) return "";
  const uint8_t mode = data[0];
  const absl::string_view rest(reinterpret_cast<const char*>(data + 1),
                               size - 1);
  std::vector<std::vector<std::string>> lines;
  for (absl::string_view line : absl::StrSplit(rest, '\0')) {
    if (lines.size() == kMaxCommandLines) break;
    lines.push_back(absl::StrSplit(line, '\n'));
    if (lines.back().size() > kMaxTokens) lines.back().resize(kMaxTokens);
  }

  static std::atomic<uint64_t> counter{0};
  const std::string name =
      absl::StrCat("/kvfuzz-cli-", getpid(), "-", counter.fetch_add(1));
  std::string problem;
  for (const std::vector<std::string>& tokens : lines) {
    for (const std::string& token : tokens) {
      problem = CheckToken(token);
      if (!problem.empty()) break;
    }
    if (!problem.empty()) break;
    absl::StatusOr<cli::ParsedArgs> parsed =
        cli::ParseArgs(tokens, cli::KnownFlags());
    if (!(mode & 1) || !parsed.ok()) continue;
    // Redis commands talk to a server (and `sync` runs until stopped):
    // parsed, not run.
    if (parsed->flags.count("redis") != 0 ||
        (!parsed->positionals.empty() && parsed->positionals[0] == "sync")) {
      continue;
    }
    problem = RunCommandLineOn(name, tokens, *parsed);
    if (!problem.empty()) break;
  }
  Store::Destroy(name).IgnoreError();
  return problem;
}

}  // namespace fuzz
}  // namespace kvstore
