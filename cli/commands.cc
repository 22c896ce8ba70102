// Dispatch: parses the command line, resolves the store name, checks the
// command's arguments and flags, and runs it.
#include "cli/commands.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <algorithm>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "cli/command.h"
#include "cli/fd_stream.h"
#include "cli/flags.h"
#include "cli/format.h"
#include "cli/script.h"

namespace kvstore {
namespace cli {

const char kVersion[] = "0.1.0";
const char kDefaultStoreName[] = "/kvstore";

namespace {

const CommandSpec* FindCommand(absl::string_view name) {
  for (const CommandSpec& spec : Commands()) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

// A usage error before any command is known.
int GeneralUsageError(std::ostream& err, absl::string_view message) {
  err << "kvstore: " << EscapeMessage(message) << "\n"
      << "Usage: kvstore [--store=/NAME] COMMAND [ARGS...] [FLAGS...]\n"
      << "Try 'kvstore --help' for more information.\n";
  return kExitUsage;
}

std::string ArgumentCountMessage(const CommandSpec& spec, size_t given) {
  if (spec.max_args == kAnyArgs) {
    return absl::StrFormat("expected at least %d argument%s, got %d",
                           spec.min_args, spec.min_args == 1 ? "" : "s", given);
  }
  if (spec.min_args == spec.max_args) {
    return absl::StrFormat("expected %d argument%s, got %d", spec.min_args,
                           spec.min_args == 1 ? "" : "s", given);
  }
  return absl::StrFormat("expected %d to %d arguments, got %d", spec.min_args,
                         spec.max_args, given);
}

// The command named on a command line that did not parse: the first token
// that is neither a flag nor a flag's value, if it names a command.
const CommandSpec* CommandOfUnparsedLine(const std::vector<std::string>& args) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& token = args[i];
    if (token == "--")
      return i + 1 < args.size() ? FindCommand(args[i + 1]) : nullptr;
    if (token.size() < 2 || token[0] != '-' || IsNumber(token)) {
      return FindCommand(token);
    }
    if (token.find('=') != std::string::npos) continue;
    const absl::string_view name =
        absl::string_view(token).substr(token[1] == '-' ? 2 : 1);
    for (const FlagSpec& flag : KnownFlags()) {
      if (flag.name == name && flag.takes_value) ++i;
    }
  }
  return nullptr;
}

}  // namespace

Env Env::FromProcess() {
  Env env;
  if (const char* store = getenv("KVSTORE_STORE")) env.kvstore_store = store;
  env.stdin_is_terminal = isatty(STDIN_FILENO) != 0;
  env.stderr_is_terminal = isatty(STDERR_FILENO) != 0;
  return env;
}

int UsageError(const CommandContext& ctx, absl::string_view message) {
  *ctx.err << "kvstore: " << ctx.command << ": " << EscapeMessage(message)
           << "\n";
  if (const CommandSpec* spec = FindCommand(ctx.command)) {
    absl::string_view usage = spec->help.substr(0, spec->help.find("\n\n"));
    *ctx.err << usage << "\n";
  }
  *ctx.err << "Try 'kvstore " << ctx.command
           << " --help' for more information.\n";
  return kExitUsage;
}

int Failure(const CommandContext& ctx, const absl::Status& status,
            bool not_found_is_key) {
  *ctx.err << "kvstore: " << EscapeMessage(status.message()) << "\n";
  if (not_found_is_key && absl::IsNotFound(status)) return kExitNotFound;
  return kExitFailure;
}

int KeyFailure(const CommandContext& ctx, const absl::Status& status,
               absl::string_view store_name, absl::string_view key) {
  if (!absl::IsNotFound(status)) return Failure(ctx, status);
  *ctx.err << "kvstore: key '" << EscapeMessage(key) << "' not found in store "
           << store_name << "\n";
  return kExitNotFound;
}

void WarnIfWritableByOthers(const absl::StatusOr<StoreStats>& stats,
                            std::ostream& err) {
  if (!stats.ok() || (stats->mode & 022) == 0) return;
  err << "kvstore: warning: store " << stats->name
      << " is writable by other users (mode " << FormatMode(stats->mode)
      << "); anyone who can write it can corrupt it\n";
}

int NotForTypedStore(const CommandContext& ctx, const TypedStore& store,
                     absl::string_view what) {
  return UsageError(
      ctx, absl::StrCat(
               what, " does not apply to typed store ", store.name(), " (keys ",
               store.schema().key.name, ", values ", store.schema().value.name,
               "; see 'kvstore schema' and 'kvstore help ", ctx.command, "')"));
}

absl::StatusOr<WriteOptions> WriteOptionsFromFlags(const CommandContext& ctx) {
  WriteOptions options;
  if (!ctx.HasFlag("ttl")) return options;
  absl::StatusOr<absl::Duration> ttl = ParseDuration(ctx.FlagOr("ttl", ""));
  if (!ttl.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("bad --ttl: ", ttl.status().message()));
  }
  options.ttl = *ttl;
  return options;
}

namespace {

// Whether Store::Open refused `status` because the store is a typed one:
// the library says what kind of store the object is (Store::Inspect).
bool IsTypedStoreRefusal(const absl::Status& status, const std::string& name) {
  if (!absl::IsFailedPrecondition(status)) return false;
  absl::StatusOr<ObjectInfo> info = Store::Inspect(name);
  return info.ok() && info->kind == ObjectKind::kStore && info->typed;
}
}  // namespace

absl::StatusOr<AnyStore> OpenStore(const CommandContext& ctx,
                                   bool create_if_missing) {
  Options options;
  options.create_if_missing = create_if_missing;
  if (ctx.HasFlag("read-only")) {
    options.read_only = true;
    options.create_if_missing = false;
  }
  AnyStore any;
  absl::StatusOr<std::unique_ptr<Store>> store =
      Store::Open(ctx.store_name, options);
  if (absl::IsPermissionDenied(store.status()) && !options.read_only) {
    // This user may not write the store: read it, if it may do that
    // (docs/cli.md, "Read-only access").
    Options read_only;
    read_only.read_only = true;
    absl::StatusOr<std::unique_ptr<Store>> reader =
        Store::Open(ctx.store_name, read_only);
    if (!absl::IsPermissionDenied(reader.status())) {
      store = std::move(reader);
      options = read_only;
    }
  }
  if (store.ok()) {
    WarnIfWritableByOthers((*store)->Stats(), *ctx.err);
    any.tagged = *std::move(store);
    return any;
  }
  if (IsTypedStoreRefusal(store.status(), ctx.store_name)) {
    absl::StatusOr<std::unique_ptr<TypedStore>> typed =
        TypedStore::OpenAny(ctx.store_name, options);
    if (!typed.ok()) return typed.status();
    WarnIfWritableByOthers((*typed)->Stats(), *ctx.err);
    any.typed = *std::move(typed);
    return any;
  }
  if (absl::IsNotFound(store.status())) {
    return absl::NotFoundError(absl::StrCat(
        store.status().message(),
        " (create it with 'kvstore create', or 'kvstore set' creates it)"));
  }
  return store.status();
}

int RunCommandLine(const std::vector<std::string>& args, const Env& env,
                   std::ostream& out, std::ostream& err) {
  std::istringstream no_input;
  return RunCommandLine(args, env, no_input, out, err);
}

namespace {

int RunUnchecked(const std::vector<std::string>& args, const Env& env,
                 std::istream& in, std::ostream& out, std::ostream& err);

// Runs the command lines of `script`, each with the global flags of
// `flags`, answering each on `out` as the command alone would; errors go
// to `err` with their line number. Returns the worst exit code.
int RunScript(const std::vector<std::string>& flags, const Env& process_env,
              std::istream& script, std::ostream& out, std::ostream& err) {
  // A line's messages are collected and prefixed: no progress line.
  Env env = process_env;
  env.stderr_is_terminal = false;
  int worst = kExitOk;
  std::string line;
  for (int number = 1; std::getline(script, line); ++number) {
    const std::string where = absl::StrCat("kvstore: line ", number, ": ");
    absl::StatusOr<std::vector<std::string>> words = SplitWords(line);
    if (!words.ok()) {
      err << where << words.status().message() << "\n";
      worst = std::max<int>(worst, kExitUsage);
      continue;
    }
    if (words->empty() || (*words)[0][0] == '#') continue;
    if (std::find(words->begin() + 1, words->end(), "-") != words->end()) {
      err << where
          << "'-' (standard input) cannot be used: standard input is the "
             "script\n";
      worst = std::max<int>(worst, kExitUsage);
      continue;
    }
    std::vector<std::string> args = flags;
    args.insert(args.end(), words->begin(), words->end());
    std::istringstream no_input;
    std::ostringstream line_err;
    const int code = RunUnchecked(args, env, no_input, out, line_err);
    worst = std::max(worst, code);
    out.flush();  // Each answer before the next line's messages.
    std::istringstream messages(line_err.str());
    std::string message;
    while (std::getline(messages, message)) {
      absl::string_view text = message;
      absl::ConsumePrefix(&text, "kvstore: ");
      err << where << text << "\n";
    }
  }
  return worst;
}

// Runs one command line without checking that its output was written.
int RunUnchecked(const std::vector<std::string>& args, const Env& env,
                 std::istream& in, std::ostream& out, std::ostream& err) {
  absl::StatusOr<ParsedArgs> parsed = ParseArgs(args, KnownFlags());
  if (!parsed.ok()) {
    // `get k --json=1`: the usage of `get`, not the general one.
    if (const CommandSpec* spec = CommandOfUnparsedLine(args)) {
      CommandContext ctx;
      ctx.command = std::string(spec->name);
      ctx.err = &err;
      return UsageError(ctx, parsed.status().message());
    }
    return GeneralUsageError(err, parsed.status().message());
  }
  std::vector<std::string>& positionals = parsed->positionals;
  const bool help = parsed->flags.count("help") != 0;

  if (parsed->flags.count("version") != 0) {
    out << "kvstore " << kVersion << "\n";
    return kExitOk;
  }
  if (positionals.empty()) {
    if (help) {
      out << GeneralHelp();
      return kExitOk;
    }
    if (!parsed->unknown_flags.empty()) {
      return GeneralUsageError(
          err, absl::StrCat("unknown flag '", parsed->unknown_flags[0], "'"));
    }
    if (!env.stdin_is_terminal) return RunScript(args, env, in, out, err);
    return RunSession(args, env, in, out, err);
  }

  const std::string command = positionals[0];
  positionals.erase(positionals.begin());
  const CommandSpec* spec = FindCommand(command);
  if (spec == nullptr) {
    return GeneralUsageError(err,
                             absl::StrCat("unknown command '", command, "'"));
  }
  if (command == "help") {
    if (parsed->flags.count("man") != 0) {
      if (!positionals.empty()) {
        return GeneralUsageError(err, "help --man takes no COMMAND");
      }
      out << ManPage();
      return kExitOk;
    }
    if (positionals.empty()) {
      out << (help ? spec->help : GeneralHelp());
      return kExitOk;
    }
    spec = FindCommand(positionals[0]);
    if (spec == nullptr || positionals.size() > 1) {
      return GeneralUsageError(
          err, absl::StrCat("help: no such command '", positionals[0], "'"));
    }
    out << spec->help;
    return kExitOk;
  }
  if (help) {
    out << spec->help;
    return kExitOk;
  }

  CommandContext ctx;
  ctx.command = command;
  ctx.in = &in;
  ctx.out = &out;
  ctx.err = &err;
  ctx.progress = env.stderr_is_terminal;
  if (!parsed->unknown_flags.empty()) {
    return UsageError(
        ctx, absl::StrCat("unknown flag '", parsed->unknown_flags[0], "'"));
  }
  for (const auto& [name, value] : parsed->flags) {
    bool allowed = name == "store" || name == "read-only";
    for (absl::string_view f : spec->flags) allowed = allowed || f == name;
    if (!allowed) {
      return UsageError(ctx, absl::StrCat("flag --", name,
                                          " does not apply to this command"));
    }
    ctx.flags[name] = value;
  }
  // --read-only is for the commands that open the store to use it, not
  // for those that make, replace or remove it (docs/cli.md, "Read-only
  // access"); dump reads read-only by itself when it must.
  static constexpr absl::string_view kNotReadOnly[] = {
      "create", "destroy", "reset-lock", "restore",
      "resize", "upgrade", "sync",       "dump"};
  if (ctx.HasFlag("read-only") &&
      (ctx.HasFlag("redis") ||
       std::find(std::begin(kNotReadOnly), std::end(kNotReadOnly), command) !=
           std::end(kNotReadOnly))) {
    return UsageError(ctx, "flag --read-only does not apply to this command");
  }
  if (positionals.size() < static_cast<size_t>(spec->min_args) ||
      positionals.size() > static_cast<size_t>(spec->max_args)) {
    return UsageError(ctx, ArgumentCountMessage(*spec, positionals.size()));
  }
  ctx.args = std::move(positionals);

  std::string source = "--store";
  ctx.store_name = ctx.FlagOr("store", "");
  if (!ctx.HasFlag("store")) {
    source = "KVSTORE_STORE";
    ctx.store_name = env.kvstore_store.value_or("");
    if (ctx.store_name.empty()) ctx.store_name = kDefaultStoreName;
  }
  absl::Status name_ok = Store::ValidateName(ctx.store_name);
  if (!name_ok.ok()) {
    return UsageError(ctx,
                      absl::StrCat(name_ok.message(), " (from ", source, ")"));
  }
  return spec->run(ctx);
}

}  // namespace

int RunUncheckedCommandLine(const std::vector<std::string>& args,
                            const Env& env, std::istream& in, std::ostream& out,
                            std::ostream& err) {
  return RunUnchecked(args, env, in, out, err);
}

int CheckOutput(int code, std::ostream& out, std::ostream& err) {
  out.flush();
  if (!out.fail()) return code;
  int error = 0;
  if (const auto* fd = dynamic_cast<const FdStreamBuf*>(out.rdbuf())) {
    error = fd->error();
  }
  err << "kvstore: error writing standard output"
      << (error != 0 ? absl::StrCat(": ", strerror(error)) : std::string())
      << "\n";
  return kExitFailure;
}

int RunCommandLine(const std::vector<std::string>& args, const Env& env,
                   std::istream& in, std::ostream& out, std::ostream& err) {
  const int code = RunUnchecked(args, env, in, out, err);
  return CheckOutput(code, out, err);
}

}  // namespace cli
}  // namespace kvstore
